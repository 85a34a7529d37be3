"""Run traces: the StepStats a Session.run with RunOptions(trace_level=FULL_TRACE) writes into its RunMetadata.

A compiled step runs as one native call, not op by op, so the trace holds what was measured: one
NodeExecStats per stage of the step (the whole compiled step, or each host and native stage of a step
split by runtime/host_strings.py), timed around its call, with the ops it ran in its timeline label.
`tf.python.client.timeline.Timeline` turns the result into a Chrome trace (dfc/python/timeline.py).
"""

from __future__ import annotations

import threading
from typing import Any

CPU_DEVICE = "/job:localhost/replica:0/task:0/device:CPU:0"

#: the names a label lists before it says how many more ops the stage ran
_LABEL_OPS = 12


def _label(name: str, kind: str, ops: list[Any]) -> str:
    """TF's timeline label shape, `name = Op(inputs)`: here the stage's kind and the ops it ran."""
    names = [op.name for op in ops[:_LABEL_OPS]]
    more = f", ... {len(ops) - _LABEL_OPS} more" if len(ops) > _LABEL_OPS else ""
    return f"{name} = {kind}({', '.join(names)}{more})"


def record_step_stats(run_metadata: Any, executable: Any, start_ns: int, end_ns: int,
                      stages: list[tuple[str, str, list[Any], int, int]] | None = None) -> None:
    """Replace run_metadata's step_stats (a RunMetadata proto) with this run's: `stages` are (name, kind, ops,
    start_ns, end_ns) when the executable timed its stages, else the whole run is one node."""
    step_stats = run_metadata.step_stats
    del step_stats.dev_stats[:]
    device = step_stats.dev_stats.add()
    device.device = CPU_DEVICE
    if not stages:
        step = getattr(executable, "step", None)
        ops = [op for op in step.ops if op.type != "dfc.fetch"] if step is not None else []
        stages = [("dfc_step", "CompiledStep", ops, start_ns, end_ns)]
    thread = threading.get_ident() & 0x7FFFFFFF
    for name, kind, ops, begin, end in stages:
        node = device.node_stats.add()
        node.node_name = name
        node.timeline_label = _label(name, kind, ops)
        node.thread_id = thread
        node.all_start_micros, node.all_start_nanos = begin // 1000, begin
        took = max(end - begin, 0)
        node.op_start_rel_micros, node.op_start_rel_nanos = 0, 0
        node.op_end_rel_micros, node.op_end_rel_nanos = took // 1000, took
        node.all_end_rel_micros, node.all_end_rel_nanos = took // 1000, took
