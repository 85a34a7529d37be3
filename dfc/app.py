"""tf.app: `tf.app.run(main)`, absl's app.run with TF's flag parsing (unknown flags are left in argv), and
tf.app.flags (dfc/flags.py)."""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from typing import Any

from . import flags

__all__ = ["flags", "run"]


def _parse_flags_tolerate_undef(argv: Sequence[str]) -> list[str]:
    """TF's flag parser for app.run: flags it does not know are passed on to main, not an error."""
    return flags.FLAGS(list(argv), known_only=True)


def run(main: Callable[[list[str]], Any] | None = None, argv: Sequence[str] | None = None) -> None:
    """Parse the flags out of argv (sys.argv by default), call main(remaining argv) and exit with its result."""
    from absl import app as absl_app

    main = main or sys.modules["__main__"].main
    absl_app.run(main=main, argv=None if argv is None else list(argv), flags_parser=_parse_flags_tolerate_undef)
