"""tf.config: the process's devices (what dfc's runtime can run on), their visibility and threading settings.

TF keeps these in its eager context: they may change until the context is initialized (`list_logical_devices`
initializes it, a TF1 Session does not), and after that only a call that changes nothing is accepted. dfc keeps
the same state here, with TF's errors; hiding the GPUs (`set_visible_devices([], "GPU")`) makes Sessions run on
the CPU, as in TF.
"""

from __future__ import annotations

import types
from typing import Any, NamedTuple

__all__ = ["LogicalDevice", "LogicalDeviceConfiguration", "PhysicalDevice", "experimental",
           "get_logical_device_configuration", "get_soft_device_placement", "get_visible_devices",
           "list_logical_devices", "list_physical_devices", "set_logical_device_configuration",
           "set_soft_device_placement", "set_visible_devices", "threading"]


class PhysicalDevice(NamedTuple):
    """A device of this machine: `/physical_device:CPU:0`, `/physical_device:GPU:0`, ..."""

    name: str
    device_type: str


class LogicalDevice(NamedTuple):
    """A device ops are placed on: `/device:CPU:0`, `/device:GPU:0`, ..."""

    name: str
    device_type: str


class LogicalDeviceConfiguration(NamedTuple):
    """How a physical device is split into logical ones (its memory limit on a GPU)."""

    memory_limit: Any = None
    experimental_priority: Any = None
    experimental_device_ordinal: Any = None


class _Context:
    """TF's eager context's device settings, for this process."""

    def __init__(self) -> None:
        self.initialized = False
        self._physical: list[PhysicalDevice] | None = None
        self._visible: list[PhysicalDevice] | None = None
        self.memory_growth: dict[PhysicalDevice, bool | None] = {}
        self.virtual: dict[PhysicalDevice, list] = {}
        self.inter_op = 0
        self.intra_op = 0
        self.soft_placement = False  # TF's default outside eager execution, which dfc never does
        self.log_device_placement = False

    @property
    def physical(self) -> list[PhysicalDevice]:
        if self._physical is None:
            from dfc.runtime.session import Session
            gpus = Session._gpus()
            self._physical = [PhysicalDevice("/physical_device:CPU:0", "CPU")] + [
                PhysicalDevice(f"/physical_device:GPU:{i}", "GPU") for i in range(gpus)]
            self.memory_growth = {d: None for d in self._physical if d.device_type == "GPU"}
        return self._physical

    @property
    def visible(self) -> list[PhysicalDevice]:
        return list(self.physical) if self._visible is None else self._visible

    def check(self, device: Any) -> PhysicalDevice:
        if device not in self.physical:
            raise ValueError(f"Unrecognized device: {device!r}")
        return device

    def change(self, what: str) -> None:
        """TF refuses a change once the context is initialized."""
        if self.initialized:
            raise RuntimeError(what)

    def set_visible(self, devices: list[PhysicalDevice]) -> None:
        self._visible = devices
        gpus = [d for d in self.physical if d.device_type == "GPU"]
        if gpus:
            from dfc.runtime import gpu
            shown = [d for d in devices if d.device_type == "GPU"]
            if shown != gpus[:len(shown)]:
                # dfc's GPU runtime runs on the first CUDA device; it cannot renumber the others as TF does
                raise ValueError(f"dfc runs on the first GPUs only: cannot make {shown} alone visible (set "
                                 f"CUDA_VISIBLE_DEVICES before the process starts instead)")
            gpu.visible_limit = len(shown)


_CONTEXT = _Context()


def list_physical_devices(device_type: str | None = None) -> list[PhysicalDevice]:
    """This machine's devices of `device_type` (all without it): the CPU and each GPU dfc's runtime can use."""
    return [d for d in _CONTEXT.physical if device_type is None or d.device_type == device_type]


def get_visible_devices(device_type: str | None = None) -> list[PhysicalDevice]:
    """The physical devices the runtime may place ops on (all of them until set_visible_devices)."""
    return [d for d in _CONTEXT.visible if device_type is None or d.device_type == device_type]


def set_visible_devices(devices: Any, device_type: str | None = None) -> None:
    """Make `devices` the visible ones of `device_type` (of every type without it), before initialization."""
    if not isinstance(devices, list):
        devices = [devices]
    for d in devices:
        _CONTEXT.check(d)
        if device_type is not None and d.device_type != device_type:
            raise ValueError(f"Unrecognized device: {d!r}")
    kept = [d for d in _CONTEXT.visible if device_type is not None and d.device_type != device_type]
    wanted = kept + devices
    if wanted == _CONTEXT.visible:
        return
    _CONTEXT.change("Visible devices cannot be modified after being initialized")
    _CONTEXT.set_visible(wanted)


def list_logical_devices(device_type: str | None = None) -> list[LogicalDevice]:
    """The devices ops can be placed on; like TF, this initializes the context (its settings are then fixed)."""
    _CONTEXT.initialized = True
    found: list[LogicalDevice] = []
    for kind in ("CPU", "GPU"):
        count = 0
        for d in _CONTEXT.physical:
            if d.device_type != kind or (kind != "CPU" and d not in _CONTEXT.visible):
                continue
            for _ in _CONTEXT.virtual.get(d) or [None]:
                found.append(LogicalDevice(f"/device:{kind}:{count}", kind))
                count += 1
    return [d for d in found if device_type is None or d.device_type == device_type]


def get_logical_device_configuration(device: PhysicalDevice) -> list | None:
    """The logical devices `device` is split into (None when it is not split)."""
    return _CONTEXT.virtual.get(_CONTEXT.check(device))


def set_logical_device_configuration(device: PhysicalDevice, logical_devices: list | None) -> None:
    """Split `device` into logical devices (a GPU's memory limits, several CPUs), before initialization."""
    device = _CONTEXT.check(device)
    if device.device_type == "CPU":
        for config in logical_devices or []:
            if config.memory_limit is not None:
                raise ValueError("Setting memory limit on CPU virtual devices is currently not supported")
    if _CONTEXT.virtual.get(device) == logical_devices:
        return
    _CONTEXT.change("Virtual devices cannot be modified after being initialized")
    _CONTEXT.virtual[device] = logical_devices


def get_soft_device_placement() -> bool:
    return _CONTEXT.soft_placement


def set_soft_device_placement(enabled: bool) -> None:
    """Eager soft placement; a TF1 Session takes its own from its ConfigProto (allow_soft_placement)."""
    _CONTEXT.soft_placement = bool(enabled)


def get_memory_growth(device: PhysicalDevice) -> bool | None:
    """Whether a GPU's memory grows as needed (None until set); TF's KeyError for a CPU."""
    return _CONTEXT.memory_growth[_CONTEXT.check(device)]


def set_memory_growth(device: PhysicalDevice, enable: bool) -> None:
    """Let a GPU's memory grow as needed instead of taken at once (dfc allocates per step: it always grows)."""
    device = _CONTEXT.check(device)
    if device.device_type != "GPU":
        raise ValueError("Cannot set memory growth on non-GPU and non-Pluggable devices")
    if _CONTEXT.memory_growth.get(device) == enable:
        return
    _CONTEXT.change("Physical devices cannot be modified after being initialized")
    _CONTEXT.memory_growth[device] = enable


def get_device_details(device: PhysicalDevice) -> dict:
    """What TF says of a device: nothing for a CPU; a GPU's name and compute capability."""
    device = _CONTEXT.check(device)
    if device.device_type != "GPU":
        return {}
    from dfc.runtime import gpu
    return gpu.device_details(int(device.name.rsplit(":", 1)[1]))


def get_memory_info(device: str) -> dict:
    """TF's allocator statistics; dfc keeps none (TF keeps none for a CPU either). Initializes the context."""
    _CONTEXT.initialized = True
    raise ValueError(f"Allocator stats not available for device '{device}'")


def _threads(kind: str):
    attr = "inter_op" if kind == "Inter" else "intra_op"

    def get() -> int:
        return getattr(_CONTEXT, attr)

    def set_(num_threads: int) -> None:
        if getattr(_CONTEXT, attr) == num_threads:
            return
        _CONTEXT.change(f"{kind} op parallelism cannot be modified after initialization.")
        setattr(_CONTEXT, attr, num_threads)
    get.__name__ = f"get_{attr}_parallelism_threads"
    set_.__name__ = f"set_{attr}_parallelism_threads"
    return get, set_


threading = types.ModuleType("dfc.config.threading", "tf.config.threading: the thread counts of op execution.")
(threading.get_inter_op_parallelism_threads,
 threading.set_inter_op_parallelism_threads) = _threads("Inter")
(threading.get_intra_op_parallelism_threads,
 threading.set_intra_op_parallelism_threads) = _threads("Intra")

experimental = types.ModuleType("dfc.config.experimental", "tf.config.experimental: TF1.x's device settings.")
for _name, _value in {
        "list_physical_devices": list_physical_devices, "list_logical_devices": list_logical_devices,
        "get_visible_devices": get_visible_devices, "set_visible_devices": set_visible_devices,
        "get_memory_growth": get_memory_growth, "set_memory_growth": set_memory_growth,
        "get_virtual_device_configuration": get_logical_device_configuration,
        "set_virtual_device_configuration": set_logical_device_configuration,
        "VirtualDeviceConfiguration": LogicalDeviceConfiguration,
        "get_device_details": get_device_details, "get_memory_info": get_memory_info}.items():
    setattr(experimental, _name, _value)
