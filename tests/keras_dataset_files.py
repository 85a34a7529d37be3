"""Small synthetic files in the layouts TF caches its Keras datasets in (~/.keras/datasets/), seeded so that
record_keras_datasets.py (under TF) and test_keras_datasets.py (under dfc) read the same data."""

import gzip
import io
import json
import os
import pickle
import tarfile

import numpy as np


def make_files(home: str) -> None:
    """Writes every dataset file under <home>/.keras/datasets (cifar-10 as a tarball, cifar-100 both ways)."""
    d = os.path.join(home, ".keras", "datasets")
    os.makedirs(d, exist_ok=True)
    r = np.random.RandomState(0)
    np.savez(os.path.join(d, "mnist.npz"), x_train=r.randint(0, 256, (5, 28, 28)).astype(np.uint8),
             y_train=np.arange(5, dtype=np.uint8), x_test=r.randint(0, 256, (3, 28, 28)).astype(np.uint8),
             y_test=np.arange(3, dtype=np.uint8))
    fm = os.path.join(d, "fashion-mnist")
    os.makedirs(fm, exist_ok=True)
    for pre, n in (("train", 4), ("t10k", 2)):
        with gzip.open(os.path.join(fm, f"{pre}-labels-idx1-ubyte.gz"), "wb") as f:
            f.write(b"\0" * 8 + bytes(range(n)))
        with gzip.open(os.path.join(fm, f"{pre}-images-idx3-ubyte.gz"), "wb") as f:
            f.write(b"\0" * 16 + r.randint(0, 256, n * 784).astype(np.uint8).tobytes())

    def seqs(n: int) -> np.ndarray:
        a = np.empty(n, dtype=object)
        for i in range(n):
            a[i] = [int(v) for v in r.randint(1, 30, r.randint(2, 9))]
        return a

    np.savez(os.path.join(d, "imdb.npz"), x_train=seqs(7), y_train=r.randint(0, 2, 7), x_test=seqs(5),
             y_test=r.randint(0, 2, 5))
    np.savez(os.path.join(d, "reuters.npz"), x=seqs(11), y=r.randint(0, 46, 11))
    np.savez(os.path.join(d, "boston_housing.npz"), x=r.rand(10, 13), y=r.rand(10))
    with open(os.path.join(d, "imdb_word_index.json"), "w") as f:
        json.dump({"the": 1, "a": 2}, f)

    def batch(n: int, key: bytes) -> dict:
        return {b"data": r.randint(0, 256, (n, 3072)).astype(np.uint8), key: list(r.randint(0, 10, n))}

    with tarfile.open(os.path.join(d, "cifar-10-batches-py.tar.gz"), "w:gz") as t:
        for name in [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]:
            data = pickle.dumps(batch(2, b"labels"), protocol=2)
            ti = tarfile.TarInfo(f"cifar-10-batches-py/{name}")
            ti.size = len(data)
            t.addfile(ti, io.BytesIO(data))
    c100 = os.path.join(d, "cifar-100-python")
    os.makedirs(c100, exist_ok=True)
    for name in ["train", "test"]:
        b = batch(3, b"fine_labels")
        b[b"coarse_labels"] = list(r.randint(0, 20, 3))
        with open(os.path.join(c100, name), "wb") as f:
            pickle.dump(b, f, protocol=2)
    with tarfile.open(os.path.join(d, "cifar-100-python.tar.gz"), "w:gz") as t:
        t.add(c100, arcname="cifar-100-python")
