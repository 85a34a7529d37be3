"""Record what TensorFlow does with the user mistakes of tests/user_error_cases_hard3.py
(tests/data/user_errors_hard3_tf.json).

Run with a Python that has tensorflow installed (the tests never need it):

    python tests/record_user_errors_hard3.py [OUT_JSON] [CASE ...]
"""

from __future__ import annotations

import json
import os
import sys

from tf_recording import tf
from user_error_cases import outcome
from user_error_cases_hard3 import CASES

OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "data",
                                                          "user_errors_hard3_tf.json")

if __name__ == "__main__":
    wanted = set(sys.argv[2:])
    recorded = json.load(open(OUT)) if os.path.exists(OUT) else {}
    for c in CASES:
        if not wanted or c.name in wanted:
            recorded[c.name] = outcome(tf, c)
            print(c.name, recorded[c.name].get("error"), str(recorded[c.name])[:300])
    with open(OUT, "w") as f:
        json.dump({k: recorded[k] for k in sorted(recorded)}, f, indent=1, sort_keys=True)
        f.write("\n")
