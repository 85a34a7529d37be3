"""Record what TensorFlow does with the user mistakes of tests/user_error_cases.py (tests/data/user_errors_tf.json).

Run with a Python that has tensorflow installed (the tests never need it):

    python tests/record_user_errors.py [OUT_JSON] [CASE ...]
"""

from __future__ import annotations

from tf_recording import tf
from user_error_recording import record
from user_error_cases import CASES

if __name__ == "__main__":
    record(tf, CASES, "user_errors_tf.json")
