"""Device strings ('/job:ps/task:0/device:CPU:0'): parsing, normalizing and merging them field by field."""

from __future__ import annotations

from typing import Any


def parse_device(spec: str) -> dict[str, str]:
    """'/job:ps/task:0/cpu:0' -> {job: ps, task: 0, device: CPU:0}; unknown fields are an error."""
    out: dict[str, str] = {}
    for part in (p for p in spec.split("/") if p):
        key, _, value = part.partition(":")
        low = key.lower()
        if low in ("job", "replica", "task"):
            out[low] = value
        elif low in ("cpu", "gpu", "device"):
            out["device"] = value.upper() if low == "device" else f"{low.upper()}:{value or '0'}"
        else:
            hint = " (did you mean 'job'?)" if low.startswith("job") else ""
            raise ValueError(f"unknown field '{key}' in device string '{spec}'{hint}; expected "
                             f"/job:NAME/replica:N/task:N/(cpu|gpu):N")
    return out


def format_device(fields: dict[str, str]) -> str:
    parts = []
    for key in ("job", "replica", "task"):
        if key in fields:
            parts.append(f"/{key}:{fields[key]}")
    if "device" in fields:
        parts.append("/device:" + fields["device"])
    return "".join(parts)


def merge_device(outer: str | None, inner: str) -> str:
    merged = parse_device(outer) if outer else {}
    merged.update(parse_device(inner))
    return format_device(merged)


class DeviceSpec:
    """tf.DeviceSpec (TF1's, with setters): a device's job, replica, task, device type and index; None where unset.

    `to_string()` writes the set fields in TF's order ('/job:ps/replica:0/task:1/device:CPU:0'; a
    device type without index is 'TYPE:*'); tf.device accepts a DeviceSpec where it accepts a string.
    """

    __slots__ = ("job", "replica", "task", "device_type", "device_index")

    def __init__(self, job: str | None = None, replica: int | None = None, task: int | None = None,
                 device_type: str | None = None, device_index: int | None = None):
        self.job = None if job is None else str(job)
        self.replica = None if replica is None else int(replica)
        self.task = None if task is None else int(task)
        # TF's: a type written in lower case names the same device ("cpu" is "CPU")
        self.device_type = None if device_type is None else (str(device_type).upper()
                                                             if str(device_type).lower() in ("cpu", "gpu")
                                                             else str(device_type))
        self.device_index = None if device_index is None else int(device_index)

    @staticmethod
    def _fields(spec: str) -> dict:
        """The fields of a device string, as DeviceSpec's constructor takes them (TF's ValueErrors on bad ones)."""
        fields: dict = {}
        for part in (p for p in (spec or "").split("/") if p):
            key, _, value = part.partition(":")
            low = key.lower()
            if low == "job":
                fields["job"] = value
            elif low in ("replica", "task"):
                fields[low] = int(value)
            elif low in ("cpu", "gpu") and ":" not in value:
                fields["device_type"] = low.upper()
                fields["device_index"] = None if value in ("", "*") else int(value)
            elif low == "device":
                kind, _, index = value.partition(":")
                fields["device_type"] = kind
                fields["device_index"] = None if index in ("", "*") else int(index)
            else:
                raise ValueError(f"Unknown attribute '{key}' is encountered while parsing the device spec: "
                                 f"'{spec}'.")
        return fields

    @classmethod
    def from_string(cls, spec: str) -> DeviceSpec:
        """The DeviceSpec of a device string ('/job:ps/task:0/cpu:0')."""
        return cls(**cls._fields(spec))

    def parse_from_string(self, spec: str) -> DeviceSpec:
        """Reset every field to those of `spec` (in place); returns self."""
        parsed = DeviceSpec.from_string(spec)
        for name in self.__slots__:
            setattr(self, name, getattr(parsed, name))
        return self

    def merge_from(self, dev: DeviceSpec) -> None:
        """Take every field `dev` sets (in place)."""
        for name in self.__slots__:
            value = getattr(dev, name)
            if value is not None:
                setattr(self, name, value)

    def make_merged_spec(self, dev: DeviceSpec) -> DeviceSpec:
        """A new DeviceSpec: this one's fields, overridden by those `dev` sets."""
        merged = self.replace()
        merged.merge_from(dev)
        return merged

    def replace(self, **kwargs: Any) -> DeviceSpec:
        """A copy with the named fields changed."""
        fields = {name: getattr(self, name) for name in self.__slots__}
        unknown = set(kwargs) - set(fields)
        if unknown:
            raise TypeError(f"DeviceSpec.replace() got unexpected keyword arguments {sorted(unknown)}")
        fields.update(kwargs)
        return DeviceSpec(**fields)

    def to_string(self) -> str:
        out = ""
        for name in ("job", "replica", "task"):
            if getattr(self, name) is not None:
                out += f"/{name}:{getattr(self, name)}"
        if self.device_type is not None:
            out += f"/device:{self.device_type}:{'*' if self.device_index is None else self.device_index}"
        return out

    def _key(self) -> tuple:
        return tuple(getattr(self, name) for name in self.__slots__)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, DeviceSpec) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return (f"<DeviceSpec(job={self.job}, replica={self.replica}, task={self.task}, "
                f"device_type={self.device_type}, device_index={self.device_index})>")
