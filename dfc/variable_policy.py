"""tf.VariableAggregation and tf.VariableSynchronization: how a distributed variable's replicas combine and sync.

dfc runs one replica, so neither changes what a variable computes; TF1 scripts (and the libraries they use) still
pass them to tf.Variable and tf.get_variable, read them back, and rely on ON_READ making a variable untrainable.
"""

from __future__ import annotations

import enum
from typing import Any

__all__ = ["VariableAggregation", "VariableSynchronization", "validate_policy"]


class VariableAggregation(enum.Enum):
    """How the updates of a mirrored variable's replicas combine (TF1's enum, ONLY_FIRST_TOWER its older name)."""

    NONE = 0
    SUM = 1
    MEAN = 2
    ONLY_FIRST_REPLICA = 3
    ONLY_FIRST_TOWER = 3  # an alias of ONLY_FIRST_REPLICA, as in TF1


class VariableSynchronization(enum.Enum):
    """When a distributed variable's replicas are synchronized."""

    AUTO = 0
    NONE = 1
    ON_WRITE = 2
    ON_READ = 3


def validate_policy(synchronization: Any, aggregation: Any, trainable: bool | None,
                    name: Any) -> tuple[VariableSynchronization, VariableAggregation, bool]:
    """TF's checks of a variable's synchronization and aggregation (a member or its value, else TF's ValueError
    naming the variable); trainable=None means trainable unless the variable syncs on read."""
    if aggregation is None:
        aggregation = VariableAggregation.NONE
    if not isinstance(aggregation, VariableAggregation):
        try:
            aggregation = VariableAggregation(aggregation)
        except (ValueError, TypeError):
            raise ValueError(f"Invalid variable aggregation mode: {aggregation} for variable: {name}") from None
    if synchronization is None:
        synchronization = VariableSynchronization.AUTO
    elif not isinstance(synchronization, VariableSynchronization):
        try:
            synchronization = VariableSynchronization(synchronization)
        except (ValueError, TypeError):
            raise ValueError(f"Invalid variable synchronization mode: {synchronization} for variable: "
                             f"{name}") from None
    if trainable is None:
        trainable = synchronization is not VariableSynchronization.ON_READ
    return synchronization, aggregation, bool(trainable)
