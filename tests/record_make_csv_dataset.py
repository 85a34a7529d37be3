"""Record TF 2.21's tf.compat.v1.data.experimental.make_csv_dataset batches (type inference from the rows, selected
columns, given defaults, a required column missing, a bad label) into
tests/data/tf_expectations/make_csv_dataset.json with the CSV files it read (tests/test_make_csv_dataset.py).

Run with a Python that has tensorflow: /work/bench-venv/bin/python tests/record_make_csv_dataset.py
"""

from __future__ import annotations

import json
import os
import sys
import tempfile

from tf_recording import out_dir, tf

FILES = {"a.csv": 'id,price,name,count,flag\n1,2.5,apple,7,1\n2,,pear,3000000000,0\n3,1e3,"fig, dried",,1\n'
                  '4,0.25,kiwi,5,0\n5,7,plum,6,1\n',
         "b.csv": "id,price,name,count,flag\n6,1.5,lime,8,0\n7,3,date,9,1\n"}
#: name -> make_csv_dataset keyword arguments; dtype names stand for dtypes in column_defaults
CASES = {"infer": {"label_name": "flag"},
         "select": {"select_columns": ["id", "name", "count"], "label_name": "id"},
         "defaults": {"column_defaults": ["int64", 0.0, "", 0.0, 0], "column_names": ["a", "b", "c", "d", "e"]},
         "required": {"column_defaults": ["int64", 0.0, "", "int64", 0], "label_name": "flag"},
         "badlabel": {"label_name": "nope"}}


def _columns(values: dict) -> dict:
    return {k: [str(v.dtype), [x.decode() for x in v] if v.dtype == object else v.tolist()] for k, v in values.items()}


def run(folder: str, kwargs: dict) -> list:
    kwargs = dict(kwargs)
    if "column_defaults" in kwargs:
        kwargs["column_defaults"] = [tf.as_dtype(d) if d in ("int64", "int32") else d
                                     for d in kwargs["column_defaults"]]
    with tf.Graph().as_default(), tf.Session() as sess:
        try:
            dataset = tf.data.experimental.make_csv_dataset(f"{folder}/*.csv", 3, shuffle=False, num_epochs=1, **kwargs)
        except ValueError as e:
            return [f"ValueError {e}"]
        batch = tf.data.make_one_shot_iterator(dataset).get_next()
        rows: list = []
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


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        for name, text in FILES.items():
            with open(os.path.join(folder, name), "w") as f:
                f.write(text)
        out = {"files": FILES, "cases": CASES, "answers": {name: run(folder, kw) for name, kw in CASES.items()}}
    path = os.path.join(out_dir(sys.argv), "make_csv_dataset.json")
    with open(path, "w") as f:
        json.dump(out, f, indent=1)
    print(path)


if __name__ == "__main__":
    main()
