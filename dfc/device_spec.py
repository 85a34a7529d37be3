"""Device strings ('/job:ps/task:0/device:CPU:0'): parsing, normalizing and merging them field by field."""

from __future__ import annotations


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
