"""TF1's default placement on a machine with a GPU: a step's ops with a GPU kernel run on /gpu:0, the rest on the CPU.

A Session without an explicit backend calls `placed_executable` when `gpu.device_count()` is
positive (without a GPU nothing here runs). Placement, per op of the step graph after
autodiff: a `tf.device` pin is kept (a GPU pin the process cannot honour was either refused or
soft-placed on the CPU by Session._check_placement); an unpinned op goes to GPU:0 when the
GPU code generator lowers its kind and the kinds of the ops in its regions (a tf.cond or
tf.while_loop runs on the GPU: the host reads one flag per branch or iteration); variable
reads and updates follow their variable (compiler/partition.py's colocation). The partition
pass then splits the step into stages joined by send/recv pairs: each GPU stage runs through
GpuExecutable (its values uploaded from and downloaded to the host at the stage's edges: those
are the host<->device copies), each CPU stage through the CPU backend. A GPU stage the code
generator still refuses moves to the CPU whole, as TF1 places an op without a GPU kernel on the
CPU.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from dfc.compiler import compile_step
from dfc.compiler.codegen import gpu as codegen
from dfc.compiler.codegen.scalar import CodegenError
from dfc.compiler.control_flow import LoopShapesVary
from dfc.compiler.partition import LOCAL_CPU, DeviceSpec, Partition, device_key, partition, variable_devices
from dfc.compiler.passes import PassManager
from dfc.compiler.pipeline import default_pipeline
from dfc.compiler.target import TargetError
from dfc.ir.graph import Graph, Op, Value
from dfc.ir.types import TensorType

from . import gpu
from .executors import _native_or_interpreted

LOCAL_TASK = "/job:localhost/replica:0/task:0"
GPU0 = "/device:GPU:0"
CPU0 = "/device:CPU:0"


def gpu_capable(op: Op) -> bool:
    """Whether op's kind has a GPU kernel (the code generator lowers it) and so do the ops of its regions: a
    tf.cond or tf.while_loop whose branches and body the GPU can run stays on the device (the host reads one
    flag per branch or iteration), as TF1 places a loop's body on the GPU."""
    return codegen.has_gpu_lowering(op.type) and all(
        codegen.has_gpu_lowering(inner.type) for region in op.regions for inner in region.walk())


def choose_devices(step: Graph, gpus: int) -> dict[Op, str]:
    """The device of every top-level op of a step graph (after autodiff), as TF1's placer picks it."""
    chosen: dict[Op, str] = {}
    for op in step.ops:
        if op.type == "dfc.fetch":
            continue
        spec = DeviceSpec.parse(op.device) if op.device else DeviceSpec()
        if spec.device_type == "CPU":
            chosen[op] = CPU0
        elif spec.device_type == "GPU" and (spec.device_index or 0) < gpus and gpu_capable(op):
            chosen[op] = f"/device:GPU:{spec.device_index or 0}"
        elif spec.device_type == "GPU":
            chosen[op] = CPU0  # soft placement (a refused pin raised before compiling)
        else:
            chosen[op] = GPU0 if gpu_capable(op) and not _pins_inside_to_cpu(op) else CPU0
    return chosen


def _pins_inside_to_cpu(op: Op) -> bool:
    """Whether an op in op's regions is pinned to the CPU: the loop or cond then runs there whole (one part runs
    a region op; TF1 would send that op's values across each iteration)."""
    return any(inner.device and DeviceSpec.parse(inner.device).device_type == "CPU"
               for region in op.regions for inner in region.walk())


def _static(t: object) -> bool:
    return not isinstance(t, TensorType) or t.is_static


class PlacedExecutable:
    """One step split between the host and the GPU: called like any executable, it runs its stages in order."""

    def __init__(self, step: Graph, session: object, gpus: int):
        self.step = step
        self.session = session
        devices = choose_devices(step, gpus)
        on_cpu: set[str] = set()
        for _ in range(len(devices) + 1):
            self.partition, self.executables = self._build(step, devices, on_cpu, session)
            if self.executables is not None:
                break

    @staticmethod
    def _build(step: Graph, devices: dict[Op, str], on_cpu: set[str], session: object):
        saved = {op: op.device for op in devices}
        try:
            for op, device in devices.items():
                op.device = CPU0 if op.name in on_cpu else device
            homes = {name: device for name, device in variable_devices(step).items()}
            part = partition(step, device_key(LOCAL_TASK), homes)
        finally:
            for op, device in saved.items():
                op.device = device
        executables = []
        for stage in part.stages:
            compiled = PassManager(default_pipeline()).run(stage.graph)
            if stage.part.endswith("/device:GPU:0"):
                try:
                    if not all(_static(a.type) for a in compiled.arguments):
                        raise CodegenError("a value this stage receives has no static shape")
                    executables.append(gpu.GpuExecutable(compiled, session))
                    continue
                except (CodegenError, TargetError, LoopShapesVary):
                    # no GPU kernel for something in this stage after all, a loop whose variables change shape
                    # (only the interpreter runs it) or what such a loop made: the stage's ops go to the CPU
                    on_cpu.update(op.name for op in stage.graph.ops if op.type != "dfc.fetch")
                    return part, None
            executables.append(_native_or_interpreted(compiled))
        return part, executables

    @property
    def devices(self) -> dict[str, str]:
        """op name -> the part (task and device) it runs on."""
        return dict(self.partition.placement)

    def __call__(self, args: Sequence[np.ndarray], ctx) -> list[np.ndarray]:
        part: Partition = self.partition
        values: dict[str, np.ndarray] = dict(zip(part.feeds, args))
        for stage, executable in zip(part.stages, self.executables):
            outputs = executable([values[k] for k in stage.inputs], ctx)
            values.update(zip(stage.outputs, outputs))
        return [values[k] for k in part.fetches]


def placed_executable(graph: Graph, fetches: list[Value], targets: list[Op], feeds: list[Value],
                      arrays: list[np.ndarray], session: object,
                      arg_values: dict[int, np.ndarray] | None = None) -> PlacedExecutable:
    """The executable of one Session.run on a machine with GPUs: the step placed, partitioned and compiled."""
    step = compile_step(graph, fetches, targets, feeds, [a.shape for a in arrays], pipeline=["autodiff"],
                        arg_values=arg_values)
    return PlacedExecutable(step, session, gpu.device_count())


__all__ = ["LOCAL_CPU", "PlacedExecutable", "choose_devices", "gpu_capable", "placed_executable"]
