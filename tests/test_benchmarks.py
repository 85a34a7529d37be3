"""The benchmark suite's command line: which interpreter runs each framework's worker."""

from __future__ import annotations

import pytest

from benchmarks.__main__ import interpreters


def test_python_for_options_and_the_environment_variable():
    assert interpreters([], None) == {}
    assert interpreters(["tensorflow=/tf/python", "jax=/jax/python"], None) == {"tf": "/tf/python",
                                                                               "jax": "/jax/python"}
    every = interpreters([], "/bench/python")
    assert every == {"numpy": "/bench/python", "tf": "/bench/python", "jax": "/bench/python",
                     "torch": "/bench/python"}
    assert interpreters(["torch=/t"], "tf=/a, jax=/b") == {"tf": "/a", "jax": "/b", "torch": "/t"}
    assert interpreters(["tf=/mine"], "tf=/env")["tf"] == "/mine"  # the option wins


@pytest.mark.parametrize("bad", ["dfc=/x", "tf", "mxnet=/x", "tf="])
def test_python_for_rejects_what_it_cannot_use(bad):
    with pytest.raises(SystemExit):
        interpreters([bad], None)
