"""Records TF 2.21 tf_keras's load_data results (imdb, reuters, boston_housing) on keras_dataset_files' synthetic
files into tests/data/keras_datasets_tf.json. Run with /work/bench-venv/bin/python tests/record_keras_datasets.py.
tf_keras checks the official files' hashes and would re-download, so its validate_file is bypassed here."""

import json
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
from keras_dataset_files import make_files  # noqa: E402

CASES = [{}, {"num_words": 20, "skip_top": 2}, {"maxlen": 8}, {"oov_char": None, "num_words": 15},
         {"start_char": None, "index_from": 1}]


def plain(v):
    if isinstance(v, (tuple, list)):
        return [plain(x) for x in v]
    if v.dtype == object:
        return [[int(w) for w in x] for x in v]
    return {"dtype": str(v.dtype), "shape": list(v.shape), "values": v.tolist()}


def main() -> None:
    home = tempfile.mkdtemp()
    make_files(home)
    os.environ["HOME"] = home
    os.environ["TF_USE_LEGACY_KERAS"] = "1"
    import tf_keras
    import tf_keras.src.utils.data_utils as data_utils
    data_utils.validate_file = lambda *a, **k: True
    d = tf_keras.datasets
    out = {"boston": plain(d.boston_housing.load_data()),
           "boston_split": plain(d.boston_housing.load_data(test_split=0.3, seed=5))}
    for kw in CASES:
        out["imdb" + json.dumps(kw)] = plain(d.imdb.load_data(**kw))
        out["reuters" + json.dumps(kw)] = plain(d.reuters.load_data(**kw))
    path = os.path.join(os.path.dirname(__file__), "data", "keras_datasets_tf.json")
    with open(path, "w") as f:
        json.dump(out, f)


if __name__ == "__main__":
    main()
