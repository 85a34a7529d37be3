"""The one rule for user-caused exceptions, checked by random DSL programs (tests/dsl_fuzz.py) in a child process.

The child runs a bounded, derandomized set of programs (DFC_FUZZ_EXAMPLES, default 40); a crash of the child
(native code dying) fails the test and shows the program it was running.
"""

from __future__ import annotations

import json
import os
import pathlib
import subprocess
import sys

FUZZER = pathlib.Path(__file__).with_name("dsl_fuzz.py")


def test_random_programs_raise_only_tf_errors_and_backends_agree(tmp_path):
    log = tmp_path / "program.json"
    examples = os.environ.get("DFC_FUZZ_EXAMPLES", "40")
    env = {**os.environ, "DFC_FUZZ_LOG": str(log)}
    proc = subprocess.run([sys.executable, str(FUZZER), "--examples", examples, "--derandomize"], env=env,
                          capture_output=True, text=True, timeout=600)
    if proc.returncode < 0:
        program = json.loads(log.read_text()) if log.exists() else None
        raise AssertionError(f"the fuzzed process died with signal {-proc.returncode} running {program}\n"
                             f"{proc.stderr[-4000:]}")
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-8000:]
