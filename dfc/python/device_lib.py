"""tf.python.client.device_lib: list_local_devices, the CPU and the GPUs this process can use, as TF1 lists them."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any


@dataclass
class DeviceAttributes:
    """TF's DeviceAttributes proto as scripts read it: name, device_type, memory_limit."""

    name: str
    device_type: str
    memory_limit: int
    incarnation: int = 0
    physical_device_desc: str = ""

    def __str__(self) -> str:
        desc = f'\nphysical_device_desc: "{self.physical_device_desc}"' if self.physical_device_desc else ""
        return (f'name: "{self.name}"\ndevice_type: "{self.device_type}"\nmemory_limit: {self.memory_limit}\n'
                f"incarnation: {self.incarnation}{desc}\n")


def list_local_devices(session_config: Any = None) -> list[DeviceAttributes]:
    """The local CPU, then each GPU (none on a machine without one or without cuda-bindings)."""
    pages = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 0
    devices = [DeviceAttributes("/device:CPU:0", "CPU", int(pages), incarnation=1)]
    from dfc.runtime import gpu

    for index in range(gpu.device_count()):
        devices.append(DeviceAttributes(f"/device:GPU:{index}", "GPU", 0, incarnation=2 + index,
                                        physical_device_desc=f"device: {index}"))
    return devices


__all__ = ["DeviceAttributes", "list_local_devices"]
