"""tf.python.client.timeline: a run's StepStats (RunOptions(trace_level=FULL_TRACE)) as a Chrome trace.

`Timeline(run_metadata.step_stats).generate_chrome_trace_format()` gives the JSON that chrome://tracing and
Perfetto open: a process per device, a complete event per node (what dfc's trace measured: the compiled
step or each of its stages, see runtime/tracing.py), named by the op type of its timeline label.
"""

from __future__ import annotations

import json
import re
from typing import Any

_LABEL = re.compile(r"^(?P<name>.*?) = (?P<op>[^(]*)\((?P<inputs>.*)\)$", re.DOTALL)


class Timeline:
    """A StepStats (and optionally its graph) to be written as a Chrome trace."""

    def __init__(self, step_stats: Any, graph: Any = None):
        self._step_stats = step_stats
        self._graph = graph

    def _events(self, show_dataflow: bool, show_memory: bool) -> list[dict]:
        events: list[dict] = []
        for pid, device in enumerate(self._step_stats.dev_stats):
            events.append({"name": "process_name", "ph": "M", "pid": pid, "args": {"name": f"{device.device} Compute"}})
            events.append({"name": "process_sort_index", "ph": "M", "pid": pid, "args": {"sort_index": pid}})
            for node in device.node_stats:
                match = _LABEL.match(node.timeline_label or "")
                op = match.group("op") if match else node.node_name
                inputs = [i.strip() for i in match.group("inputs").split(",") if i.strip()] if match else []
                args = {"name": node.node_name, "op": op}
                for index, name in enumerate(inputs):
                    args[f"input{index}"] = name
                events.append({"ph": "X", "cat": "Op", "name": op, "pid": pid, "tid": int(node.thread_id),
                               "ts": int(node.all_start_micros), "dur": max(int(node.all_end_rel_micros), 0),
                               "args": args})
                if show_memory:
                    for output in node.output:
                        allocation = output.tensor_description.allocation_description
                        events.append({"ph": "C", "name": f"{node.node_name}:{output.slot}", "pid": pid,
                                       "ts": int(node.all_start_micros),
                                       "args": {"bytes": int(allocation.allocated_bytes)}})
        return events

    def generate_chrome_trace_format(self, show_dataflow: bool = True, show_memory: bool = False) -> str:
        """The trace as a JSON string ({"traceEvents": [...]}), as TF's timeline writes it."""
        return json.dumps({"traceEvents": self._events(show_dataflow, show_memory)}, separators=(",", ":"))
