"""tf.contrib.learn's preprocessing and datasets, and the MNIST reader of TF1's tutorials, as TF1 scripts use them."""

from __future__ import annotations

import gzip

import numpy as np
import pytest

import dfc as tf
from dfc.contrib import learn
from dfc.examples.tutorials.mnist import input_data


def test_vocabulary_processor_numbers_words_in_first_seen_order_pads_and_truncates(tmp_path):
    processor = learn.preprocessing.VocabularyProcessor(4)
    ids = np.array(list(processor.fit_transform(["I like pizza", "I like", "pizza is what I like most"])))
    np.testing.assert_array_equal(ids, [[1, 2, 3, 0], [1, 2, 0, 0], [3, 4, 5, 1]])
    assert ids.dtype == np.int64 and len(processor.vocabulary_) == 7
    # frozen after fit: an unseen word is the unknown id 0
    np.testing.assert_array_equal(list(processor.transform(["I eat pizza"])), [[1, 0, 3, 0]])
    assert list(processor.reverse([[1, 2, 3, 0]])) == ["I like pizza <UNK>"]
    path = str(tmp_path / "vocab")
    processor.save(path)
    restored = learn.preprocessing.VocabularyProcessor.restore(path)
    np.testing.assert_array_equal(list(restored.transform(["most what"])), [[6, 5, 0, 0]])


def test_min_frequency_keeps_words_seen_more_often_renumbered_by_frequency():
    processor = learn.preprocessing.VocabularyProcessor(3, min_frequency=1)
    ids = list(processor.fit_transform(["b a", "a c", "c a", "d"]))
    # a (3 times) -> 1, c (2) -> 2; b and d (once) are trimmed
    np.testing.assert_array_equal(ids, [[0, 1, 0], [1, 2, 0], [2, 1, 0], [0, 0, 0]])
    assert len(processor.vocabulary_) == 3


def test_tokenizer_splits_as_tf1():
    assert list(learn.preprocessing.tokenizer(["HELLO world", "CamelCase don't stop-here, ok."])) == [
        ["HELLO", "world"], ["Camel", "Case", "don't", "stop-here", "ok"]]
    assert list(learn.preprocessing.ByteProcessor(5).transform(["hé"]))[0].tolist() == [104, 195, 169, 0, 0]


def _write_idx(path, magic: int, data: np.ndarray) -> None:
    header = np.array([magic, *data.shape], dtype=">u4").tobytes()
    with gzip.open(path, "wb") as f:
        f.write(header + data.astype(np.uint8).tobytes())


def test_read_data_sets_reads_idx_files_and_batches_across_epochs_as_tf1(tmp_path, capsys):
    images = np.arange(12 * 28 * 28).reshape(12, 28, 28) % 256
    labels = np.arange(12) % 10
    for prefix, n in (("train", 12), ("t10k", 4)):
        _write_idx(tmp_path / f"{prefix}-images-idx3-ubyte.gz", 2051, images[:n])
        _write_idx(tmp_path / f"{prefix}-labels-idx1-ubyte.gz", 2049, labels[:n])
    data = input_data.read_data_sets(str(tmp_path), one_hot=True, validation_size=2)
    assert "Extracting" in capsys.readouterr().out
    assert (data.train.num_examples, data.validation.num_examples, data.test.num_examples) == (10, 2, 4)
    assert data.train.images.shape == (10, 784) and data.train.images.dtype == np.float32
    np.testing.assert_allclose(data.validation.images[1], images[1].reshape(-1) / 255.0, rtol=1e-6)
    np.testing.assert_array_equal(data.test.labels[3], np.eye(10)[3])
    seen = []
    for _ in range(3):  # 4 + 4 + (2 of epoch 1, 2 of epoch 2)
        batch_x, batch_y = data.train.next_batch(4)
        assert batch_x.shape == (4, 784) and batch_y.shape == (4, 10)
        seen.extend(batch_y.argmax(1).tolist())
    assert sorted(seen[:10]) == sorted((np.arange(2, 12) % 10).tolist())
    assert data.train.epochs_completed == 1
    unshuffled = input_data.read_data_sets(str(tmp_path), validation_size=0, reshape=False, dtype=tf.uint8)
    x, y = unshuffled.train.next_batch(3, shuffle=False)
    assert x.shape == (3, 28, 28, 1) and x.dtype == np.uint8 and y.tolist() == [0, 1, 2]


def test_read_data_sets_fake_data_and_a_missing_file():
    fake = input_data.read_data_sets("unused", fake_data=True, one_hot=True)
    x, y = fake.train.next_batch(2, fake_data=True)
    assert len(x) == 2 and len(x[0]) == 784 and y[0] == [1] + [0] * 9
    with pytest.raises(FileNotFoundError, match="train-images-idx3-ubyte.gz"):
        input_data.read_data_sets("/nonexistent/mnist")
    assert learn.datasets.mnist.read_data_sets is input_data.read_data_sets


def test_load_csv_with_header(tmp_path):
    path = tmp_path / "iris.csv"
    path.write_text("3,2,setosa,versicolor\n5.1,3.5,0\n4.9,3.0,1\n6.2,2.9,2\n")
    data = learn.datasets.base.load_csv_with_header(str(path), target_dtype=np.int64, features_dtype=np.float32)
    np.testing.assert_allclose(data.data, [[5.1, 3.5], [4.9, 3.0], [6.2, 2.9]])
    assert data.target.tolist() == [0, 1, 2]
