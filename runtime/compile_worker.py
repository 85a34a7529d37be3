"""A compiler process for runtime/kernel_cache.py: reads (target, module text, level) jobs, answers object code.

Run as a script with the path of compiler/target.py, which it loads alone (not the dfc
package: a worker starts in a fraction of the time). Messages on stdin and stdout are an
8-byte little-endian length and a pickle; it exits at the end of its input.
"""

from __future__ import annotations

import importlib.util
import pickle
import sys


def _load_target_module(path: str):
    spec = importlib.util.spec_from_file_location("dfc_worker_target", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while building the classes
    spec.loader.exec_module(module)
    return module


def _read(stream, n: int) -> bytes | None:
    data = stream.read(n)
    return data if data is not None and len(data) == n else None


def main() -> None:
    targets = _load_target_module(sys.argv[1])
    made: dict[tuple, object] = {}
    inp, out = sys.stdin.buffer, sys.stdout.buffer
    while True:
        head = _read(inp, 8)
        if head is None:
            return
        body = _read(inp, int.from_bytes(head, "little"))
        if body is None:
            return
        fields, text, level = pickle.loads(body)
        try:
            target = made.get(fields)
            if target is None:
                cls, *args = fields
                target = made[fields] = getattr(targets, cls)(*args)
            answer = ("ok", target.emit_object(text, level))
        except Exception as e:  # noqa: BLE001 - the parent raises it with the module's name
            answer = ("error", f"{type(e).__name__}: {e}")
        reply = pickle.dumps(answer, protocol=pickle.HIGHEST_PROTOCOL)
        out.write(len(reply).to_bytes(8, "little") + reply)
        out.flush()


if __name__ == "__main__":
    main()
