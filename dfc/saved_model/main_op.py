"""tf.saved_model.main_op: the op a loaded SavedModel runs after restoring (local variables and tables)."""

from __future__ import annotations

from typing import Any


def main_op() -> Any:
    """One op initializing the global and local variables and the tables (TF's default main op)."""
    from ..initializers import tables_initializer
    from ..variables import global_variables_initializer, group, local_variables_initializer
    return group(global_variables_initializer(), local_variables_initializer(), tables_initializer())


def main_op_with_restore(restore_op_name: Any) -> Any:
    """main_op(), then the op named `restore_op_name` (a Saver's restore op) after it."""
    from ..framework import control_dependencies
    from ..variables import group
    with control_dependencies([main_op()]):
        return group(restore_op_name)


__all__ = ["main_op", "main_op_with_restore"]
