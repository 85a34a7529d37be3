"""Short CI runs of the parser, checkpoint and CLI fuzzers (tests/fuzz_targets.py) and every input they broke on."""

from __future__ import annotations

import os

import pytest

import fuzz_targets

#: DFC_FUZZ_EXAMPLES=5000 runs each target longer
EXAMPLES = int(os.environ.get("DFC_FUZZ_EXAMPLES", "60"))


@pytest.mark.parametrize("target", sorted(fuzz_targets.TARGETS))
def test_regressions(target):
    for data in fuzz_targets.REGRESSIONS[target]:
        fuzz_targets.TARGETS[target](data)


@pytest.mark.parametrize("target", sorted(fuzz_targets.TARGETS))
def test_short_fuzz_run(target):
    fuzz_targets.run_hypothesis(target, EXAMPLES if target == "parser" else EXAMPLES // 2, derandomize=True)
