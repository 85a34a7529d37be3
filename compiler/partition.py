"""The partition pass: split a step graph by device into parts, one per task (or device), joined by send/recv pairs.

Placement (`place`) gives every top-level op a part: the one its device string names,
through a key function (`task_key` groups by `/job:NAME/replica:R/task:K`, `device_key`
also by device type and index, for host/device splits); variable reads and updates go
where their variable lives (TF's colocation of a variable with its assigns); an op whose
device names no job runs on the default part.

Staging: an op's stage depth is the largest number of part-to-part hops on any path of
operands reaching it. The ops of one part at one depth form a stage; a stage only receives
values from stages of smaller depth (or from the client's feeds), so running the stages in
depth order never waits on a later one, whatever the parts' threads or processes.

`partition` returns both forms of the result: per part, one graph with `dfc.send` and
`dfc.recv` ops carrying rendezvous keys (what `dfc compile --stage partition` prints, and
what verifies and re-parses), and per stage, a plain step graph whose arguments are the
values it receives and whose `dfc.fetch` lists the values it hands on; each stage compiles
with the usual pipeline and backend.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from dfc.ir.errors import InvalidArgumentError
from dfc.ir.graph import Graph, Op, Value
from dfc.ir.ops import get_op_def
from dfc.ir.rewrite import clone_op, free_values
from dfc.ir.types import CONTROL

#: ops that read or update a variable, by the attribute naming it: they run where the variable lives
VARIABLE_OPS = {"dfc.variable": "name", "dfc.assign": "variable", "dfc.assign_add": "variable",
                "dfc.assign_sub": "variable", "dfc.assign_rows": "variable"}

_FIELD = re.compile(r"^(job|replica|task|device|cpu|gpu)(?::(.*))?$", re.IGNORECASE)


@dataclass(frozen=True)
class DeviceSpec:
    """The fields of a TF device string: /job:NAME/replica:R/task:K/device:TYPE:N (any may be absent)."""

    job: str | None = None
    replica: int | None = None
    task: int | None = None
    device_type: str | None = None
    device_index: int | None = None

    @staticmethod
    def parse(spec: str | None) -> DeviceSpec:
        fields: dict = {}
        for part in (p for p in (spec or "").split("/") if p):
            match = _FIELD.match(part)
            if match is None:
                raise InvalidArgumentError(f"cannot place on '{spec}': '{part}' is not one of job:NAME, replica:N, "
                                           f"task:N, device:TYPE:N, cpu:N, gpu:N")
            key, value = match.group(1).lower(), match.group(2) or ""
            try:
                if key == "job":
                    fields["job"] = value
                elif key in ("replica", "task"):
                    fields[key] = int(value)
                else:
                    kind, _, index = value.partition(":") if key == "device" else (key, "", value)
                    fields["device_type"] = kind.upper()
                    fields["device_index"] = int(index) if index not in ("", "*") else 0
            except ValueError:
                raise InvalidArgumentError(f"cannot place on '{spec}': '{part}' needs a number") from None
        return DeviceSpec(**fields)

    @property
    def task_name(self) -> str | None:
        """`/job:NAME/replica:R/task:K` (replica and task default to 0), or None without a job."""
        if self.job is None:
            return None
        return f"/job:{self.job}/replica:{self.replica or 0}/task:{self.task or 0}"


def task_key(default_task: str) -> Callable[[str | None], str]:
    """Parts by task; ops whose device names no job go to `default_task`."""
    default = DeviceSpec.parse(default_task).task_name or default_task

    def key(device: str | None) -> str:
        return DeviceSpec.parse(device).task_name or default
    return key


def device_key(default_task: str, default_device: str = "CPU:0") -> Callable[[str | None], str]:
    """Parts by task and device (`/job:w/replica:0/task:0/device:GPU:0`): the host/device split."""
    by_task = task_key(default_task)

    def key(device: str | None) -> str:
        spec = DeviceSpec.parse(device)
        kind = f"{spec.device_type}:{spec.device_index or 0}" if spec.device_type else default_device
        return f"{by_task(device)}/device:{kind}"
    return key


def variable_devices(graph: Graph) -> dict[str, str | None]:
    """Each variable's device: that of its defining read (the `dfc.variable` op named like the variable)."""
    found: dict[str, str | None] = {}
    for op in graph.ops:
        if op.type == "dfc.variable" and (op.name == op.attrs["name"] or op.attrs["name"] not in found):
            found[op.attrs["name"]] = op.device
    return found


def place(graph: Graph, key: Callable[[str | None], str],
          variables: Mapping[str, str | None] | None = None) -> dict[Op, str]:
    """The part of every top-level op but the terminator; `variables` maps a variable to its device."""
    homes = variable_devices(graph)
    homes.update(variables or {})
    placement: dict[Op, str] = {}
    for op in graph.ops:
        if op.type == "dfc.fetch":
            continue
        attr = VARIABLE_OPS.get(op.type)
        device = homes.get(op.attrs[attr], op.device) if attr is not None else op.device
        placement[op] = key(device)
    return placement


@dataclass
class Stage:
    """The ops of one part at one depth, as a step graph: arguments = `inputs`, `dfc.fetch` = `outputs`."""

    index: int
    part: str
    depth: int
    graph: Graph
    inputs: list[str]  # the keys of the values bound to the graph's arguments, in order
    outputs: list[str]  # the keys of the values the graph's dfc.fetch lists, in order
    after: list[int] = field(default_factory=list)  # stages that must finish first (order, control edges)
    stateful: bool = False  # it reads or writes state: a retried call must not apply it twice


@dataclass
class Partition:
    """What `partition` makes of one step graph."""

    parts: dict[str, Graph]  # part -> its graph with dfc.send/dfc.recv, in first-use order of the parts
    stages: list[Stage]  # in an order where every stage comes after those it needs
    feeds: list[str]  # the keys of the step graph's arguments (the client's feeds), in order
    fetches: list[str]  # the keys of the values the step graph fetches, in order
    producer: dict[str, int]  # key -> the stage computing it (feeds have none)
    placement: dict[str, str]  # op name -> part


def value_key(value: Value) -> str:
    """The rendezvous name of a value: `op:index`, or `feed:N` for the step's N-th argument."""
    return value.name if value.op is not None else f"feed:{value.index}"


def rendezvous_key(source: str, destination: str, value: Value) -> str:
    """TF's shape of a rendezvous key: sending part, receiving part, tensor name."""
    return f"{source};{destination};{value_key(value)}"


def partition(graph: Graph, key: Callable[[str | None], str],
              variables: Mapping[str, str | None] | None = None) -> Partition:
    """Split step graph `graph` (arguments, ops, `dfc.fetch`) into parts and stages; `graph` is not changed."""
    terminator = graph.body.terminator
    if terminator is None or terminator.type != "dfc.fetch":
        raise InvalidArgumentError("partition takes a step graph (one that ends in dfc.fetch)")
    placement = place(graph, key, variables)
    ops = [op for op in graph.ops if op is not terminator]
    depth: dict[Op, int] = {}
    for op in ops:
        depth[op] = max((depth[v.op] + (placement[v.op] != placement[op]) for v in free_values(op)
                         if v.op in depth), default=0)
    order = list(dict.fromkeys(placement[op] for op in ops))
    groups: dict[tuple[int, str], list[Op]] = {}
    for op in ops:
        groups.setdefault((depth[op], placement[op]), []).append(op)
    stage_of: dict[Op, int] = {}
    keys = sorted(groups, key=lambda k: (k[0], order.index(k[1])))
    for index, k in enumerate(keys):
        for op in groups[k]:
            stage_of[op] = index
    fetched = [v for v in terminator.operands if not v.is_control]
    users: dict[Value, set[int]] = {}
    for op in ops:
        for v in free_values(op):
            users.setdefault(v, set()).add(stage_of[op])
    stages = []
    last_of_part: dict[str, int] = {}
    for index, (d, part) in enumerate(keys):
        stage = _make_stage(index, part, d, groups[(d, part)], stage_of, users, fetched)
        if part in last_of_part and last_of_part[part] not in stage.after:
            stage.after = sorted([*stage.after, last_of_part[part]])  # a task's stages run in depth order
        last_of_part[part] = index
        stages.append(stage)
    producer = {value_key(r): stage_of[op] for op in ops for r in op.results}
    parts = {part: _part_graph(graph, part, placement, fetched) for part in order}
    return Partition(parts, stages, [value_key(a) for a in graph.arguments], [value_key(v) for v in fetched],
                     producer, {op.name: placement[op] for op in ops})


def _make_stage(index: int, part: str, depth: int, ops: list[Op], stage_of: dict[Op, int],
                users: dict[Value, set[int]], fetched: list[Value]) -> Stage:
    step = Graph()
    value_map: dict[Value, Value] = {}
    inputs: list[str] = []
    after: set[int] = set()
    members = set(ops)
    for op in ops:
        for v in free_values(op):
            if v in value_map or (v.op is not None and v.op in members):
                continue
            if v.is_control:
                after.add(stage_of[v.op])  # an edge that only orders: wait for the stage, move nothing
                continue
            if v.op is not None:
                after.add(stage_of[v.op])
            value_map[v] = step.body.add_argument(v.type, _arg_name(v))
            inputs.append(value_key(v))
        new = clone_op(op, value_map, name=step.reserve_name(op.name))
        new.operands = [value_map[v] for v in op.operands if v in value_map]
        step.append(new)
    outputs = [r for op in ops for r in op.results
               if not r.is_control and (users.get(r, set()) - {index} or r in fetched)]
    step.append(Op("dfc.fetch", "fetch", [value_map[r] for r in outputs], {}, []))
    step.reserve_name("fetch")
    stateful = any(get_op_def(op.type).stateful for op in step.walk() if op.type != "dfc.fetch")
    return Stage(index, part, depth, step, inputs, [value_key(r) for r in outputs], sorted(after - {index}),
                 stateful)


def _arg_name(value: Value) -> str:
    return re.sub(r"[^A-Za-z0-9_]", "_", value_key(value))


def _part_graph(graph: Graph, part: str, placement: dict[Op, str], fetched: list[Value]) -> Graph:
    """The ops of `part` with a dfc.recv for each value from another part and a dfc.send for each one sent away."""
    consumers: dict[Value, list[str]] = {}
    for user in graph.ops:
        if user.type != "dfc.fetch":
            for v in free_values(user):
                consumers.setdefault(v, []).append(placement[user])
    out = Graph()
    value_map: dict[Value, Value] = {}
    for arg in graph.arguments:
        value_map[arg] = out.body.add_argument(arg.type, arg.arg_name)
    for op in graph.ops:
        if op.type == "dfc.fetch" or placement[op] != part:
            continue
        for v in free_values(op):
            if v in value_map or v.op is None:
                continue
            source = placement[v.op]
            ends = {"key": rendezvous_key(source, part, v), "send_device": source, "recv_device": part}
            recv = Op("dfc.recv", out.reserve_name(f"{v.op.name}/recv"), [], ends, [v.type])
            out.append(recv)
            value_map[v] = recv.results[0]
        out.append(clone_op(op, value_map, name=out.reserve_name(op.name)))
        for r in op.results:
            for dest in dict.fromkeys(consumers.get(r, ())):
                if dest == part:
                    continue
                ends = {"key": rendezvous_key(part, dest, r), "send_device": part, "recv_device": dest}
                out.append(Op("dfc.send", out.reserve_name(f"{op.name}/send"), [value_map[r]], ends, [CONTROL]))
    local = [value_map[v] for v in fetched if v.op is not None and placement[v.op] == part]
    out.append(Op("dfc.fetch", "fetch", local, {}, []))
    out.reserve_name("fetch")
    return out


# ---- host/device placement ------------------------------------------------------------------------

#: the devices a process without a GPU has, as TF names them in its placement errors
LOCAL_CPU = "/job:localhost/replica:0/task:0/device:CPU:0"


def gpu_pinned_ops(ops: Iterable[Op]) -> list[tuple[Op, DeviceSpec]]:
    """The ops whose device string names a GPU (`/gpu:0`, `/device:GPU:1`, ...), in graph order."""
    pinned = []
    for op in ops:
        if op.device:
            spec = DeviceSpec.parse(op.device)
            if spec.device_type == "GPU":
                pinned.append((op, spec))
    return pinned


def check_placement(ops: Iterable[Op], gpus: int, allow_soft_placement: bool = False) -> list[Op]:
    """TF1's placement of ops pinned to GPUs, on a process with `gpus` GPUs; returns the ops that fall back
    to the CPU (soft placement).

    An op pinned to a GPU this process does not have raises TF's InvalidArgumentError ("Cannot
    assign a device for operation ...", naming the op, its device and its source line) unless
    `allow_soft_placement` is set, which runs it on the CPU instead.
    """
    fallback = []
    for op, spec in gpu_pinned_ops(ops):
        index = spec.device_index or 0
        if index < gpus:
            continue
        if allow_soft_placement:
            fallback.append(op)
            continue
        available = [LOCAL_CPU] + [f"/job:localhost/replica:0/task:0/device:GPU:{i}" for i in range(gpus)]
        where = f" (defined at {op.loc})" if op.loc else ""
        raise InvalidArgumentError(
            f"Cannot assign a device for operation {op.name}{where}: {{{{node {op.name}}}}} was explicitly assigned "
            f"to /device:GPU:{index} but available devices are [ {', '.join(available)} ]. Make sure the device "
            f"specification refers to a valid device.")
    return fallback
