"""The cases of tf.keras.preprocessing that record_keras_preprocessing.py runs under tf_keras and
test_keras_preprocessing.py under dfc: each takes the preprocessing module (sequence, text, image) and a
scratch folder and returns named numpy arrays (lists and dicts as JSON strings)."""

from __future__ import annotations

import json
import os
import random

import numpy as np

TEXTS = ["The cat sat on the mat.", "The dog ate my homework!", "Cats and dogs: the best of friends?",
         "A mat, a hat; a CAT.", ""]


def _j(value) -> np.ndarray:
    return np.asarray(json.dumps(value, sort_keys=True))


def sequence_cases(prep, _tmp) -> dict:
    seq = prep.sequence
    ragged = [[1], [2, 3], [4, 5, 6, 7], [], [8, 9]]
    out = {"pad_default": seq.pad_sequences(ragged),
           "pad_maxlen_post": seq.pad_sequences(ragged, maxlen=3, padding="post", truncating="post"),
           "pad_maxlen_pre": seq.pad_sequences(ragged, maxlen=2, value=-1),
           "pad_float": seq.pad_sequences([[0.5, 1.5], [2.25]], dtype="float32", padding="post", value=9.5),
           "pad_vectors": seq.pad_sequences([np.ones((2, 3)), np.arange(12).reshape(4, 3)], maxlen=3),
           "pad_strings": seq.pad_sequences([["a", "b"], ["c"]], dtype=object, value="-").astype(str),
           "sampling_table": seq.make_sampling_table(30, sampling_factor=1e-3)}
    data, targets = np.arange(60).reshape(30, 2), np.arange(30) * 10
    gen = seq.TimeseriesGenerator(data, targets, length=5, sampling_rate=2, stride=3, start_index=2,
                                  end_index=25, batch_size=3, reverse=True)
    out["ts_len"] = np.asarray(len(gen))
    out["ts_x"] = np.concatenate([gen[i][0] for i in range(len(gen))])
    out["ts_y"] = np.concatenate([gen[i][1] for i in range(len(gen))])
    out["ts_json"] = np.asarray(seq.TimeseriesGenerator(list(range(12)), list(range(12)), length=3).to_json())
    words = [1, 2, 0, 3, 4, 5, 2, 6]
    couples, labels = seq.skipgrams(words, 10, window_size=2, negative_samples=0.0, shuffle=False)
    out["skip_plain"] = _j([couples, labels])
    random.seed(11)
    couples, labels = seq.skipgrams(words, 10, window_size=1, negative_samples=1.5, shuffle=True, seed=4,
                                    categorical=True)
    out["skip_random"] = _j([couples, labels])
    random.seed(2)
    out["skip_table"] = _j(seq.skipgrams(words, 10, window_size=1, negative_samples=0,
                                         sampling_table=seq.make_sampling_table(10, 0.05), shuffle=False))
    return out


def text_cases(prep, _tmp) -> dict:
    text = prep.text
    out = {"words": _j(text.text_to_word_sequence("Hello, World! It's 2-3 TIMES...")),
           "words_split": _j(text.text_to_word_sequence("a|b||C.d", filters="", lower=False, split="|")),
           "md5": _j(text.hashing_trick("the quick brown fox the", 17, hash_function="md5"))}
    tok = text.Tokenizer(num_words=6, oov_token="<OOV>")
    tok.fit_on_texts(TEXTS)
    out["index"] = _j(tok.word_index)
    out["counts"] = _j(tok.word_counts)
    out["docs"] = _j(tok.word_docs)
    out["seqs"] = _j(tok.texts_to_sequences(TEXTS + ["unknown words the cat"]))
    out["back"] = _j(tok.sequences_to_texts([[1, 2, 3, 9], [5, 4]]))
    for mode in ("binary", "count", "freq", "tfidf"):
        out["matrix_" + mode] = tok.texts_to_matrix(TEXTS, mode=mode)
    plain = text.Tokenizer(filters="!", lower=False)
    plain.fit_on_texts(TEXTS)
    out["plain_seqs"] = _j(plain.texts_to_sequences(TEXTS))
    out["plain_matrix"] = plain.texts_to_matrix(TEXTS[:2], mode="count")
    chars = text.Tokenizer(char_level=True)
    chars.fit_on_texts(TEXTS[:2])
    out["char_index"] = _j(chars.word_index)
    out["char_seqs"] = _j(chars.texts_to_sequences(["tad", "xyz"]))
    again = text.tokenizer_from_json(tok.to_json())
    out["json_seqs"] = _j(again.texts_to_sequences(TEXTS))
    config = json.loads(tok.to_json())  # the tables' order follows set order, which varies between runs
    out["json_config"] = _j({k: json.loads(v) if k.startswith(("word_", "index_")) else v
                             for k, v in config["config"].items()})
    out["json_class"] = np.asarray(config["class_name"])
    return out


def _images() -> np.ndarray:
    return np.random.RandomState(0).uniform(0, 255, (5, 6, 7, 3)).astype("float32")


def _batches(iterator, n: int) -> list:
    return [next(iterator) for _ in range(n)]


def _flow_cases(image) -> dict:
    x, y = _images(), np.arange(5)
    out = {}
    settings = {
        "rescale": {"rescale": 1 / 255.0, "horizontal_flip": True, "vertical_flip": True},
        "shift": {"width_shift_range": 0.3, "height_shift_range": 2, "fill_mode": "constant", "cval": 7.0},
        "rotate": {"rotation_range": 40, "zoom_range": 0.2, "fill_mode": "reflect"},
        "shear": {"shear_range": 20, "zoom_range": [0.8, 1.1], "fill_mode": "wrap", "channel_shift_range": 30.0},
        "sample": {"samplewise_center": True, "samplewise_std_normalization": True},
        "bright": {"brightness_range": [0.5, 1.5]},
        "first": {"data_format": "channels_first", "width_shift_range": [1, 2], "rotation_range": 15},
    }
    for name, kwargs in settings.items():
        gen = image.ImageDataGenerator(**kwargs)
        data = x.transpose(0, 3, 1, 2) if kwargs.get("data_format") == "channels_first" else x
        batches = _batches(gen.flow(data, y, batch_size=2, shuffle=True, seed=3), 4)
        out[f"flow_{name}_x"] = np.concatenate([b[0] for b in batches])
        out[f"flow_{name}_y"] = np.concatenate([b[1] for b in batches])
    fitted = image.ImageDataGenerator(featurewise_center=True, featurewise_std_normalization=True,
                                      validation_split=0.4)
    fitted.fit(x)
    out["fit_mean"], out["fit_std"] = fitted.mean, fitted.std
    train = fitted.flow(x, y, batch_size=2, shuffle=False, subset="training", ignore_class_split=True)
    out["fit_train_x"] = np.concatenate([train[i][0] for i in range(len(train))])
    out["fit_train_y"] = np.concatenate([train[i][1] for i in range(len(train))])
    valid = fitted.flow(x, None, batch_size=4, shuffle=False, subset="validation")
    out["fit_valid_x"] = valid[0]
    zca = image.ImageDataGenerator(zca_whitening=True)
    zca.fit(x[:, :3, :3])
    out["zca_matrix"] = zca.zca_whitening_matrix
    aug = image.ImageDataGenerator(featurewise_center=True, rotation_range=10)
    aug.fit(x, augment=True, rounds=2, seed=1)
    out["fit_aug_mean"] = aug.mean
    return out


def _write_images(root: str, image) -> None:
    rng = np.random.RandomState(1)
    for label, count in (("cats", 4), ("dogs", 3), ("zebra", 2)):
        os.makedirs(os.path.join(root, label, "sub"), exist_ok=True)
        for i in range(count):
            pixels = rng.randint(0, 256, (9 + i, 11, 3)).astype("float32")
            folder = os.path.join(root, label, "sub" if i == 2 else "")
            image.save_img(os.path.join(folder, f"im{i}.png"), pixels, scale=False)
            if i == 0:
                image.save_img(os.path.join(folder, f"im{i}b.jpg"), pixels, scale=False, quality=90)
        with open(os.path.join(root, label, "notes.txt"), "w") as f:
            f.write("not an image")


def _directory_cases(image, tmp: str) -> dict:
    root = os.path.join(tmp, "images")
    _write_images(root, image)
    out = {}
    gen = image.ImageDataGenerator(rescale=0.5, horizontal_flip=True, validation_split=0.5)
    for subset in ("training", "validation"):
        it = gen.flow_from_directory(root, target_size=(8, 10), batch_size=3, seed=7, subset=subset,
                                     interpolation="bilinear")
        out[f"dir_{subset}_files"] = np.asarray(it.filenames)
        out[f"dir_{subset}_classes"] = it.classes
        batches = _batches(it, 3)
        out[f"dir_{subset}_x"] = np.concatenate([b[0] for b in batches])
        out[f"dir_{subset}_y"] = np.concatenate([b[1] for b in batches])
    gray = image.ImageDataGenerator().flow_from_directory(root, target_size=(5, 5), color_mode="grayscale",
                                                          class_mode="sparse", shuffle=False, batch_size=4,
                                                          classes=["zebra", "cats"])
    out["gray_x"], out["gray_y"] = gray[1]
    out["gray_index"] = _j(gray.class_indices)
    path = os.path.join(root, "cats", "im0.png")
    out["load"] = image.img_to_array(image.load_img(path))
    out["load_small"] = image.img_to_array(image.load_img(path, target_size=(4, 6), interpolation="bicubic",
                                                          keep_aspect_ratio=True), data_format="channels_first")
    out["load_rgba"] = image.img_to_array(image.load_img(path, color_mode="rgba"))
    out["array_to_img"] = np.asarray(image.array_to_img(_images()[0] - 100.0))
    out["array_to_gray"] = np.asarray(image.array_to_img(_images()[0][:, :, :1], scale=False))
    return out


def image_cases(prep, tmp) -> dict:
    return {**_flow_cases(prep.image), **_directory_cases(prep.image, tmp)}


CASES = {"sequence": sequence_cases, "text": text_cases, "image": image_cases}


def run_all(prep, tmp: str) -> dict:
    """Every case's arrays, keyed '<case>/<name>'."""
    out = {}
    for case, fn in CASES.items():
        np.random.seed(0)
        for key, value in fn(prep, tmp).items():
            out[f"{case}/{key}"] = np.asarray(value)
    return out
