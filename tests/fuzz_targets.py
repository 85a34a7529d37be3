"""Fuzz targets for the IR parser, the checkpoint reader and the `dfc` CLI: bytes in, only documented errors out.

Each target takes bytes and raises AssertionError when dfc breaks its rule for that input:

- parser:     parse_graph (+ verify) raises only ParseError / VerificationError; what verifies prints and
              parses back to the same text.
- checkpoint: load_tensors raises only DataLossError, on raw bytes and on headers with a valid checksum.
- cli:        `dfc compile FILE` exits 0, 1 or 2 (usage) with no traceback and never the internal-error status.

A long run (atheris, coverage-guided, when `pip install atheris` works; hypothesis otherwise):

    python tests/fuzz_targets.py parser -atheris_runs=200000
    python tests/fuzz_targets.py checkpoint --examples 20000     # hypothesis, when atheris is absent

tests/test_fuzz_targets.py runs each target briefly in CI; every input that ever broke a target is kept
in REGRESSIONS below and replayed there.
"""

from __future__ import annotations

import json
import os
import pathlib
import struct
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parent.parent
SEED_IR = sorted((ROOT / "tests" / "golden").glob("*/0[0-8]-*.mlir"))


def seed_texts() -> list[bytes]:
    """Valid IR to mutate: the golden stages (every op kind the pipeline prints)."""
    return [p.read_bytes() for p in SEED_IR][:40]


# ---- targets ----------------------------------------------------------------------------------------
def parser_target(data: bytes) -> None:
    from dfc.ir.errors import ParseError, VerificationError
    from dfc.ir.parser import parse_graph
    from dfc.ir.printer import print_graph
    from dfc.ir.verifier import verify

    text = data.decode("utf-8", errors="replace")
    try:
        graph = parse_graph(text, "fuzz.mlir")
        verify(graph)
    except (ParseError, VerificationError):
        return
    printed = print_graph(graph)
    again = print_graph(parse_graph(printed, "reprinted.mlir"))
    assert again == printed, "print -> parse -> print changed a verified graph"


def checkpoint_target(data: bytes) -> None:
    from dfc.ir.errors import DataLossError
    from dfc.runtime.checkpoint import load_tensors

    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "fuzz.safetensors")
        with open(path, "wb") as f:
            f.write(data)
        try:
            load_tensors(path)
        except DataLossError:
            pass


def checksummed(header: object, body: bytes) -> bytes:
    """A checkpoint file whose header carries a valid checksum (so the reader's later checks get exercised)."""
    from dfc.runtime.checkpoint import _CHECKSUM_KEY, _digest

    if isinstance(header, dict):
        table = {k: v for k, v in header.items() if k != "__metadata__"}
        try:
            header = {**table, "__metadata__": {_CHECKSUM_KEY: _digest(table, body)}}
        except (TypeError, ValueError):
            pass
    text = json.dumps(header).encode()
    return struct.pack("<Q", len(text)) + text + body


def cli_target(data: bytes) -> None:
    from typer.testing import CliRunner

    from dfc.tools import cli

    # the first byte picks the options; the rest is the file
    options = [[], ["--fetch", "x"], ["--stage", "fuse"], ["--fetch", "r:1"], ["--emit", "dot"],
               ["--passes", "fold,cse"], ["--stage", "llvm"], ["--verify-each"]][data[0] % 8 if data else 0]
    with tempfile.TemporaryDirectory() as tmp:
        path = pathlib.Path(tmp) / "fuzz.mlir"
        path.write_bytes(data[1:])
        result = CliRunner().invoke(cli.app, ["compile", str(path), *options])
    assert result.exit_code in (0, 1, 2), f"exit status {result.exit_code}: {result.output[-2000:]}"
    assert "Traceback" not in result.output, result.output[-4000:]
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)


TARGETS = {"parser": parser_target, "checkpoint": checkpoint_target, "cli": cli_target}

#: inputs that once broke a target (replayed by tests/test_fuzz_targets.py)
REGRESSIONS: dict[str, list[bytes]] = {
    "parser": [
        b'"dfc.graph"() ({\n  %x = "dfc.constant"() {value = dense<1.0> : tensor<99999999999999999999xf32>} : () -> '
        b'tensor<f32>\n}) {sym_name = "main"} : () -> ()\n',
        b'"dfc.graph"() ({\n  %y = "dfc.fused"() ({\n    "dfc.yield"() : () -> ()\n  }) {kind = "magic"} : () -> '
        b'()\n}) {sym_name = "main"} : () -> ()\n',
    ],
    "checkpoint": [
        checksummed({"w": {"dtype": "F32", "shape": [-1, -4], "data_offsets": [0, 16]}}, b"\0" * 16),
        struct.pack("<Q", 200_000) + b"[" * 100_000 + b"]" * 100_000,
        checksummed({"w": {"dtype": "F32", "shape": [2**62, 2**62, 4], "data_offsets": [0, 0]}}, b""),
    ],
    "cli": [b"\x01\xff\xfe\x00", b"\x00\xef\xbb\xbf", b"\x03" + b'"dfc.graph"() ({\n}) : () -> ()\n'],
}


# ---- running ----------------------------------------------------------------------------------------
def hypothesis_inputs(target: str):
    """Bytes for `target`: mutated seeds, structured checkpoint headers, and raw noise."""
    from hypothesis import strategies as st

    seeds = seed_texts()

    @st.composite
    def mutated(draw):
        data = bytearray(draw(st.sampled_from(seeds)) if seeds else b"")
        for _ in range(draw(st.integers(1, 6))):
            at = draw(st.integers(0, max(len(data) - 1, 0)))
            how = draw(st.sampled_from(["flip", "delete", "insert", "cut"]))
            if how == "flip" and data:
                data[at] = draw(st.integers(0, 255))
            elif how == "delete":
                del data[at:at + draw(st.integers(1, 40))]
            elif how == "insert":
                data[at:at] = draw(st.sampled_from([b"?", b"-1", b"x", b"(", b"}", b"99999999999999999999",
                                                    b"tensor<", b"%x", b'"dfc.fused"', b"\xff", b"nan", b"0x"]))
            else:
                del data[at:]
        return bytes(data)

    json_values = st.recursive(st.none() | st.booleans() | st.integers(-2**70, 2**70) | st.floats() |
                               st.text(max_size=5), lambda inner: st.lists(inner, max_size=3) |
                               st.dictionaries(st.text(max_size=4), inner, max_size=3), max_leaves=12)
    entry = st.fixed_dictionaries({"dtype": st.sampled_from(["F32", "F16", "I64", "BOOL", "BF16", "X", 3]),
                                   "shape": st.lists(st.integers(-3, 2**63), max_size=3) | json_values,
                                   "data_offsets": st.lists(st.integers(-3, 64), min_size=0, max_size=3)})
    headers = st.builds(checksummed, st.dictionaries(st.text(max_size=3), entry | json_values, max_size=3),
                        st.binary(max_size=64))
    if target == "checkpoint":
        return st.one_of(headers, st.binary(max_size=200))
    if target == "cli":
        return st.builds(lambda b, m: bytes([b]) + m, st.integers(0, 255), mutated())
    return st.one_of(mutated(), st.binary(max_size=100))


def run_hypothesis(target: str, examples: int, derandomize: bool = False) -> None:
    from hypothesis import HealthCheck, given, settings

    @settings(max_examples=examples, deadline=None, database=None, derandomize=derandomize,
              suppress_health_check=list(HealthCheck))
    @given(data=hypothesis_inputs(target))
    def check(data):
        TARGETS[target](data)

    check()


def run_atheris(target: str, argv: list[str]) -> None:
    import atheris

    # import what the target runs, then instrument every loaded module for coverage guidance
    import dfc.ir.parser  # noqa: F401
    import dfc.ir.verifier  # noqa: F401
    import dfc.runtime.checkpoint  # noqa: F401
    import dfc.tools.cli  # noqa: F401
    atheris.instrument_all()
    fn = TARGETS[target]

    def one(data: bytes) -> None:
        fn(data)

    corpus = tempfile.mkdtemp(prefix=f"dfc-fuzz-{target}-")
    for i, seed in enumerate((seed_texts() if target != "checkpoint" else []) + REGRESSIONS[target]):
        pathlib.Path(corpus, f"seed{i}").write_bytes(seed)
    atheris.Setup([sys.argv[0], *argv, corpus], one)
    atheris.Fuzz()


def main() -> None:
    if len(sys.argv) < 2 or sys.argv[1] not in TARGETS:
        sys.exit(f"usage: python {sys.argv[0]} {{{','.join(TARGETS)}}} [--examples N | atheris flags]")
    target, rest = sys.argv[1], sys.argv[2:]
    try:
        import atheris  # noqa: F401
    except ImportError:
        examples = int(rest[rest.index("--examples") + 1]) if "--examples" in rest else 5000
        run_hypothesis(target, examples)
        print(f"{target}: {examples} inputs (hypothesis), no broken rule", file=sys.stderr)
        return
    run_atheris(target, [a for a in rest if a.startswith("-atheris") or a.startswith("-max_") or
                         a.startswith("-runs")])


if __name__ == "__main__":
    main()
