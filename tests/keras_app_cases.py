"""The tf.keras.applications cases recorded with TF 2.21's tf_keras (record_keras_applications.py) and checked
against dfc (test_keras_applications.py): architectures built symbolically, user mistakes, runs at tiny sizes on
seeded weights, preprocess_input and decode_predictions. Imports neither TensorFlow nor dfc."""

import numpy as np

# (key, module, function, kwargs): built without running; their layers, weights and parameter counts are compared
STRUCTURES = [
    ("resnet50", "resnet50", "ResNet50", {}),
    ("resnet101", "resnet", "ResNet101", {}),
    ("resnet152", "resnet", "ResNet152", {}),
    ("resnet50v2", "resnet_v2", "ResNet50V2", {}),
    ("resnet101v2", "resnet_v2", "ResNet101V2", {}),
    ("resnet152v2", "resnet_v2", "ResNet152V2", {}),
    ("vgg16", "vgg16", "VGG16", {}),
    ("vgg19", "vgg19", "VGG19", {}),
    ("mobilenet", "mobilenet", "MobileNet", {}),
    ("mobilenet_a05_d2", "mobilenet", "MobileNet",
     {"alpha": 0.5, "depth_multiplier": 2, "input_shape": (160, 160, 3), "classes": 7}),
    ("mobilenetv2", "mobilenet_v2", "MobileNetV2", {}),
    ("mobilenetv2_a035_96", "mobilenet_v2", "MobileNetV2", {"alpha": 0.35, "input_shape": (96, 96, 3)}),
    ("mobilenetv2_a14_notop", "mobilenet_v2", "MobileNetV2", {"alpha": 1.4, "include_top": False,
                                                              "pooling": "max"}),
    ("inceptionv3", "inception_v3", "InceptionV3", {}),
    ("inceptionresnetv2", "inception_resnet_v2", "InceptionResNetV2", {}),
    ("densenet121", "densenet", "DenseNet121", {}),
    ("densenet169", "densenet", "DenseNet169", {}),
    ("densenet201", "densenet", "DenseNet201", {}),
    ("xception", "xception", "Xception", {}),
    ("nasnetmobile", "nasnet", "NASNetMobile", {}),
    ("resnet50_notop_avg", "resnet50", "ResNet50", {"include_top": False, "pooling": "avg"}),
    ("vgg16_notop_max", "vgg16", "VGG16", {"include_top": False, "pooling": "max", "input_shape": (64, 48, 3)}),
    ("vgg19_top_small", "vgg19", "VGG19", {"input_shape": (32, 32, 1), "classes": 3}),
    ("xception_notop", "xception", "Xception", {"include_top": False, "input_shape": (100, 120, 3)}),
    ("inceptionv3_notop", "inception_v3", "InceptionV3", {"include_top": False, "pooling": "avg"}),
    ("densenet121_notop", "densenet", "DenseNet121", {"include_top": False, "pooling": "max",
                                                      "input_shape": (33, 40, 3)}),
    ("mobilenet_notop", "mobilenet", "MobileNet", {"include_top": False, "input_shape": (65, 65, 3)}),
]

# (key, module, function, kwargs): TF's error class and message
ERRORS = [
    ("resnet50_small", "resnet50", "ResNet50", {"weights": None, "include_top": False, "input_shape": (31, 40, 3)}),
    ("vgg16_small", "vgg16", "VGG16", {"weights": None, "include_top": False, "input_shape": (40, 20, 3)}),
    ("inceptionv3_small", "inception_v3", "InceptionV3", {"weights": None, "include_top": False,
                                                          "input_shape": (74, 80, 3)}),
    ("xception_small", "xception", "Xception", {"weights": None, "include_top": False, "input_shape": (70, 70, 3)}),
    ("densenet_small", "densenet", "DenseNet169", {"weights": None, "include_top": False,
                                                   "input_shape": (32, 31, 3)}),
    ("mobilenet_small", "mobilenet", "MobileNet", {"weights": None, "include_top": False,
                                                   "input_shape": (16, 16, 3)}),
    ("mobilenetv2_small", "mobilenet_v2", "MobileNetV2", {"weights": None, "include_top": False,
                                                          "input_shape": (20, 64, 3)}),
    ("irv2_small", "inception_resnet_v2", "InceptionResNetV2", {"weights": None, "include_top": False,
                                                                "input_shape": (60, 80, 3)}),
    ("resnet_two_dims", "resnet", "ResNet101", {"weights": None, "include_top": False, "input_shape": (64, 64)}),
    ("vgg19_top_unknown", "vgg19", "VGG19", {"weights": None, "input_shape": (None, None, 3)}),
    ("resnet50_classes", "resnet50", "ResNet50", {"weights": "imagenet", "classes": 10}),
    ("vgg16_classes", "vgg16", "VGG16", {"weights": "imagenet", "classes": 10}),
    ("vgg19_classes", "vgg19", "VGG19", {"weights": "imagenet", "classes": 10}),
    ("mobilenet_classes", "mobilenet", "MobileNet", {"weights": "imagenet", "classes": 10}),
    ("mobilenetv2_classes", "mobilenet_v2", "MobileNetV2", {"weights": "imagenet", "classes": 10}),
    ("inceptionv3_classes", "inception_v3", "InceptionV3", {"weights": "imagenet", "classes": 10}),
    ("densenet_classes", "densenet", "DenseNet121", {"weights": "imagenet", "classes": 10}),
    ("xception_classes", "xception", "Xception", {"weights": "imagenet", "classes": 10}),
    ("nasnet_classes", "nasnet", "NASNetMobile", {"weights": "imagenet", "classes": 10}),
    ("irv2_classes", "inception_resnet_v2", "InceptionResNetV2", {"weights": "imagenet", "classes": 10}),
    ("resnet50v2_classes", "resnet_v2", "ResNet50V2", {"weights": "imagenet", "classes": 10}),
    ("resnet50_top_shape", "resnet50", "ResNet50", {"weights": "imagenet", "input_shape": (200, 200, 3)}),
    ("inceptionv3_top_shape", "inception_v3", "InceptionV3", {"weights": "imagenet", "input_shape": (224, 224, 3)}),
    ("vgg16_channels", "vgg16", "VGG16", {"weights": "imagenet", "include_top": False,
                                          "input_shape": (64, 64, 1)}),
    ("resnet50_weights_path", "resnet50", "ResNet50", {"weights": "/no/such/weights.h5"}),
    ("vgg16_weights_path", "vgg16", "VGG16", {"weights": "/no/such/weights.h5"}),
    ("mobilenet_weights_path", "mobilenet", "MobileNet", {"weights": "/no/such/weights.h5"}),
    ("mobilenetv2_weights_path", "mobilenet_v2", "MobileNetV2", {"weights": "/no/such/weights.h5"}),
    ("inceptionv3_weights_path", "inception_v3", "InceptionV3", {"weights": "/no/such/weights.h5"}),
    ("densenet_weights_path", "densenet", "DenseNet201", {"weights": "/no/such/weights.h5"}),
    ("xception_weights_path", "xception", "Xception", {"weights": "/no/such/weights.h5"}),
    ("mobilenet_alpha", "mobilenet", "MobileNet", {"weights": "imagenet", "alpha": 0.3}),
    ("mobilenet_depth", "mobilenet", "MobileNet", {"weights": "imagenet", "depth_multiplier": 2}),
    ("mobilenetv2_alpha", "mobilenet_v2", "MobileNetV2", {"weights": "imagenet", "alpha": 0.3}),
    ("resnet50_kwarg", "resnet50", "ResNet50", {"weights": None, "foo": 1}),
    ("mobilenet_kwarg", "mobilenet", "MobileNet", {"weights": None, "foo": 1}),
    ("vgg16_kwarg", "vgg16", "VGG16", {"weights": None, "foo": 1}),
    ("activation_imagenet", "vgg16", "VGG16", {"weights": "imagenet", "classifier_activation": "relu"}),
]

# (module, function, kwargs) with weights='imagenet': the cached file TF looks for (name and origin)
WEIGHT_FILES = [(m, f, dict(kw, **top)) for m, f, kw in [
    ("resnet50", "ResNet50", {}), ("resnet", "ResNet101", {}), ("resnet", "ResNet152", {}),
    ("resnet_v2", "ResNet50V2", {}), ("resnet_v2", "ResNet152V2", {}), ("vgg16", "VGG16", {}), ("vgg19", "VGG19", {}),
    ("mobilenet", "MobileNet", {}), ("mobilenet", "MobileNet", {"alpha": 0.5, "input_shape": (160, 160, 3)}),
    ("mobilenet", "MobileNet", {"alpha": 0.25, "input_shape": (128, 128, 3)}),
    ("mobilenet", "MobileNet", {"alpha": 0.75, "input_shape": (100, 120, 3)}),
    ("mobilenet_v2", "MobileNetV2", {}), ("mobilenet_v2", "MobileNetV2", {"alpha": 0.35, "input_shape": (96, 96, 3)}),
    ("mobilenet_v2", "MobileNetV2", {"alpha": 1.3, "input_shape": (100, 120, 3)}),
    ("inception_v3", "InceptionV3", {}), ("inception_resnet_v2", "InceptionResNetV2", {}),
    ("densenet", "DenseNet121", {}), ("densenet", "DenseNet169", {}), ("densenet", "DenseNet201", {}),
    ("xception", "Xception", {}), ("nasnet", "NASNetMobile", {})]
    for top in (({}, {"include_top": False}) if "input_shape" not in kw else ({"include_top": False},))]

# (key, module, function, kwargs, input shape): run on seeded_weights; outputs compared
RUNS = [
    ("resnet50", "resnet50", "ResNet50", {"weights": None, "input_shape": (32, 32, 3), "classes": 10,
                                          "classifier_activation": None}, (2, 32, 32, 3)),
    ("mobilenetv2", "mobilenet_v2", "MobileNetV2", {"weights": None, "input_shape": (32, 32, 3), "classes": 10,
                                                    "classifier_activation": None}, (2, 32, 32, 3)),
    ("mobilenet", "mobilenet", "MobileNet", {"weights": None, "include_top": False, "input_shape": (33, 33, 3),
                                             "pooling": "avg"}, (1, 33, 33, 3)),
    ("xception", "xception", "Xception", {"weights": None, "include_top": False, "input_shape": (71, 71, 3),
                                          "pooling": "max"}, (1, 71, 71, 3)),
]


def seeded_weights(specs, seed: int = 0) -> list:
    """Values for a model's weights, given (short name, shape) in the model's weight order: variances and scales
    near 1, kernels He-scaled so activations stay O(1) through deep stacks, small biases and means."""
    rng = np.random.RandomState(seed)
    out = []
    for name, shape in specs:
        shape = tuple(shape)
        if name.startswith(("moving_variance", "gamma")):
            v = rng.uniform(0.5, 1.5, shape)
        elif "kernel" in name:
            fan_in = int(np.prod(shape[:2] if name.startswith("depthwise") else shape[:-1]))
            v = rng.standard_normal(shape) * np.sqrt(1.0 / max(fan_in, 1))
        else:
            v = rng.standard_normal(shape) * 0.1
        out.append(v.astype(np.float32))
    return out


def images(shape, seed: int = 1) -> np.ndarray:
    return np.random.RandomState(seed).uniform(-1, 1, shape).astype(np.float32)


def preprocess_inputs() -> dict:
    """Inputs for preprocess_input: float32 and uint8 images, 3-D and 4-D."""
    rng = np.random.RandomState(3)
    return {"f32_4d": rng.uniform(0, 255, (2, 3, 4, 3)).astype(np.float32),
            "f64_3d": rng.uniform(0, 255, (3, 4, 3)),
            "u8_4d": rng.randint(0, 256, (1, 3, 3, 3)).astype(np.uint8),
            "f32_cf_4d": rng.uniform(0, 255, (2, 3, 2, 2)).astype(np.float32),
            "f32_cf_3d": rng.uniform(0, 255, (3, 2, 5)).astype(np.float32)}


def class_index() -> dict:
    """A made-up imagenet_class_index.json: TF's layout, index -> [wnid, label]."""
    return {str(i): [f"n{i:08d}", f"label_{i}"] for i in range(1000)}
