"""Records TF 2.21 tf_keras's applications (keras_app_cases.py) into tests/data/keras_applications_tf.json: each
structure's layers (name, class, weight names and shapes) and parameter count, each error's class and message, each
tiny run's output on seeded weights, preprocess_input's and decode_predictions' results.
Run with /work/bench-venv/bin/python tests/record_keras_applications.py."""

import json
import os
import sys
import tempfile

import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
from keras_app_cases import (ERRORS, RUNS, STRUCTURES, WEIGHT_FILES, class_index, images,  # noqa: E402
                             preprocess_inputs, seeded_weights)


def layer_rows(model) -> list:
    """One compact string per layer: name|Class|weight:d,d;weight:d."""
    rows = []
    for layer in model.layers:
        ws = ";".join(w.name.split("/")[-1].split(":")[0] + ":" + ",".join(str(d) for d in w.shape)
                      for w in layer.weights)
        rows.append(f"{layer.name}|{type(layer).__name__}|{ws}")
    return rows


def main() -> None:
    home = tempfile.mkdtemp()
    os.environ["HOME"] = home
    os.environ["TF_USE_LEGACY_KERAS"] = "1"
    import tf_keras
    import tf_keras.src.utils.data_utils as data_utils
    data_utils.validate_file = lambda *a, **k: True
    apps = tf_keras.applications
    path = os.path.join(os.path.dirname(__file__), "data", "keras_applications_tf.json")
    out = {"structures": {}, "errors": {}, "runs": {}, "preprocess": {}, "decode": {}, "files": {}}
    only = set(sys.argv[1:])   # sections to record again; the others are kept from the file
    if only and os.path.exists(path):
        with open(path) as f:
            out = json.load(f)
    out.setdefault("files", {})
    todo = {k: not only or k in only for k in out}
    for key, module, fn, kw in STRUCTURES if todo["structures"] else []:
        tf_keras.backend.clear_session()
        m = getattr(getattr(apps, module), fn)(weights=None, **kw)
        out["structures"][key] = {"name": m.name, "params": int(m.count_params()), "layers": layer_rows(m),
                                  "input": list(m.input_shape), "output": list(m.output_shape)}
        print(key, m.count_params(), flush=True)
    for key, module, fn, kw in ERRORS if todo["errors"] else []:
        tf_keras.backend.clear_session()
        try:
            getattr(getattr(apps, module), fn)(**kw)
            out["errors"][key] = None
        except Exception as e:  # noqa: BLE001 -- the class and message are what is recorded
            out["errors"][key] = [type(e).__name__, str(e)]
        print(key, out["errors"][key], flush=True)
    class Wanted(Exception):
        pass

    def wanted(fname, origin=None, **kwargs):
        raise Wanted(fname, origin)
    get_file, data_utils.get_file = data_utils.get_file, wanted   # the file TF would fetch, without fetching it
    for module, fn, kw in WEIGHT_FILES if todo["files"] else []:
        tf_keras.backend.clear_session()
        try:
            getattr(getattr(apps, module), fn)(weights="imagenet", **kw)
        except Wanted as w:
            out["files"][f"{fn}{sorted(kw.items())}"] = list(w.args)
            print(fn, kw, w.args, flush=True)
    data_utils.get_file = get_file
    for key, module, fn, kw, shape in RUNS if todo["runs"] else []:
        tf_keras.backend.clear_session()
        m = getattr(getattr(apps, module), fn)(**kw)
        specs = [(w.name.split("/")[-1].split(":")[0], tuple(w.shape)) for w in m.weights]
        m.set_weights(seeded_weights(specs))
        y = m.predict(images(shape), verbose=0)
        out["runs"][key] = {"shape": list(y.shape), "values": y.astype(float).ravel().tolist()}
        print(key, y.shape, float(np.abs(y).max()), flush=True)
    for module in ("imagenet_utils", "vgg16", "resnet50", "mobilenet", "densenet", "xception", "inception_v3",
                   "mobilenet_v2", "resnet_v2", "nasnet", "inception_resnet_v2") if todo["preprocess"] else ():
        pre = getattr(apps, module).preprocess_input
        for name, x in preprocess_inputs().items():
            kw = {"data_format": "channels_first"} if "_cf_" in name else {}
            for mode in (("caffe", "tf", "torch") if module == "imagenet_utils" else (None,)):
                mkw = dict(kw, mode=mode) if mode else kw
                arg = x.copy()
                y = np.asarray(pre(arg, **mkw))
                try:
                    sym = pre(tf_keras.backend.constant(x), **mkw).numpy() if x.dtype != np.uint8 else None
                except Exception as e:  # noqa: BLE001 -- TF's bias_add refuses 3-D channels_first images
                    sym = [type(e).__name__]
                out["preprocess"][f"{module}/{name}/{mode}"] = {
                    "dtype": str(y.dtype), "shape": list(y.shape), "values": y.astype(float).ravel().tolist(),
                    "input_after": arg.astype(float).ravel().tolist(),
                    "symbolic": sym if sym is None or isinstance(sym, list) else sym.astype(float).ravel().tolist()}
    os.makedirs(os.path.join(home, ".keras", "models"), exist_ok=True)
    with open(os.path.join(home, ".keras", "models", "imagenet_class_index.json"), "w") as f:
        json.dump(class_index(), f)
    preds = np.random.RandomState(5).uniform(0, 1, (2, 1000)).astype(np.float32)
    out["decode"]["top3"] = [[list(t[:2]) + [float(t[2])] for t in r]
                             for r in apps.resnet50.decode_predictions(preds, top=3)]
    try:
        apps.vgg16.decode_predictions(np.zeros((2, 10)))
    except ValueError as e:
        out["decode"]["error"] = str(e)
    with open(path, "w") as f:
        json.dump(out, f, separators=(",", ":"))


if __name__ == "__main__":
    main()
