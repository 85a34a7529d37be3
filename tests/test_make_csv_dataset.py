"""tf.data.experimental.make_csv_dataset / tf.contrib.data.make_csv_dataset against TF 2.21's recorded batches
(tests/record_make_csv_dataset.py): header names, TF's type inference, selected columns, defaults, errors; and the
shuffled, repeated form."""

from __future__ import annotations

import json

import numpy as np
import pytest
from recordings import EXPECTATIONS_DIR

import dfc as tf

pytestmark = pytest.mark.usefixtures("fresh_graph")

REC = json.loads((EXPECTATIONS_DIR / "make_csv_dataset.json").read_text())


@pytest.fixture
def folder(tmp_path):
    for name, text in REC["files"].items():
        (tmp_path / name).write_text(text)
    return tmp_path


def _columns(values: dict) -> dict:
    return {k: [str(v.dtype), [x.decode() for x in v] if v.dtype == object else v.tolist()] for k, v in values.items()}


def _run(folder, kwargs: dict) -> list:
    kwargs = dict(kwargs)
    if "column_defaults" in kwargs:
        kwargs["column_defaults"] = [tf.as_dtype(d) if d in ("int64", "int32") else d
                                     for d in kwargs["column_defaults"]]
    try:
        dataset = tf.contrib.data.make_csv_dataset(f"{folder}/*.csv", 3, shuffle=False, num_epochs=1, **kwargs)
    except ValueError as e:
        return [f"ValueError {e}"]
    batch = dataset.make_one_shot_iterator().get_next()
    rows: list = []
    with tf.Session() as sess:
        while True:
            try:
                got = sess.run(batch)
            except tf.errors.OutOfRangeError:
                return rows
            except tf.errors.InvalidArgumentError:
                return [*rows, "InvalidArgumentError"]
            if isinstance(got, tuple):
                rows.append({"features": _columns(got[0]), "label": _columns({"label": got[1]})["label"]})
            else:
                rows.append({"features": _columns(got)})


@pytest.mark.parametrize("case", sorted(REC["cases"]))
def test_batches_are_tfs(folder, case):
    got, want = _run(folder, REC["cases"][case]), REC["answers"][case]
    if want and isinstance(want[-1], str):  # an error: its class and TF's words (dfc adds the user's line)
        assert len(got) == len(want) and got[:-1] == want[:-1] and got[-1].startswith(want[-1])
    else:
        assert got == want


def test_shuffled_repeated_batches_are_whole_and_hold_every_row(folder):
    dataset = tf.data.experimental.make_csv_dataset(f"{folder}/*.csv", 4, label_name="flag", shuffle_seed=3)
    features, label = dataset.make_one_shot_iterator().get_next()
    assert sorted(features) == ["count", "id", "name", "price"]
    with tf.Session() as sess:
        ids = [sess.run(features["id"]) for _ in range(7)]  # 28 rows: four epochs of 7
    assert all(len(i) == 4 for i in ids)
    np.testing.assert_array_equal(np.sort(np.concatenate(ids)), np.repeat(np.arange(1, 8), 4))


def test_column_names_need_a_header(folder):
    with pytest.raises(ValueError, match="header"):
        tf.data.experimental.make_csv_dataset(f"{folder}/*.csv", 2, header=False)
    with pytest.raises(ValueError, match="No files"):
        tf.data.experimental.make_csv_dataset(f"{folder}/*.tsv", 2)
