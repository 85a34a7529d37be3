"""The wheel holds every sub-package under the one `dfc` namespace; each layer imports only what it needs."""

from __future__ import annotations

import pathlib
import subprocess
import sys
import zipfile

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
#: source directory -> the package it installs as
NAMESPACE = {"dfc": "dfc", "ir": "dfc.ir", "compiler": "dfc.compiler", "runtime": "dfc.runtime", "tools": "dfc.tools"}


def source_packages() -> set[str]:
    found = set()
    for top, package in NAMESPACE.items():
        for init in (ROOT / top).rglob("__init__.py"):
            rel = init.parent.relative_to(ROOT / top)
            found.add(".".join([package, *rel.parts]))
    return found


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> zipfile.ZipFile:
    out = tmp_path_factory.mktemp("wheel")
    proc = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(ROOT)],
                          capture_output=True, text=True, timeout=300)
    if proc.returncode != 0:
        pytest.fail(f"building the wheel failed:\n{proc.stdout}\n{proc.stderr}")
    (path,) = out.glob("dfc-*.whl")
    return zipfile.ZipFile(path)


def test_every_source_package_is_in_the_wheel(wheel):
    names = set(wheel.namelist())
    missing = [p for p in sorted(source_packages()) if p.replace(".", "/") + "/__init__.py" not in names]
    assert not missing, f"sub-packages missing from the wheel (list them in pyproject.toml): {missing}"


def test_nothing_lands_outside_the_dfc_namespace(wheel):
    tops = {n.split("/")[0] for n in wheel.namelist() if not n.split("/")[0].endswith(".dist-info")}
    assert tops == {"dfc"}, tops


def test_layers_are_importable_as_the_namespace():
    import dfc.compiler
    import dfc.ir
    import dfc.runtime
    import dfc.tools
    assert dfc.ir.__name__ == "dfc.ir" and dfc.compiler.PASSES is not None
    assert dfc.runtime.Session is not None and dfc.tools.__name__ == "dfc.tools"


def _modules_after(statement: str) -> set[str]:
    proc = subprocess.run([sys.executable, "-c", f"import sys; {statement}; print(' '.join(sorted(sys.modules)))"],
                          capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    return set(proc.stdout.split())


def test_importing_the_ir_loads_neither_llvmlite_nor_the_runtime_nor_the_dsl():
    loaded = _modules_after("import dfc.ir")
    unwanted = {m for m in loaded if m.split(".")[0] == "llvmlite" or m.startswith(("dfc.runtime", "dfc.compiler"))
                or m in ("dfc.framework", "dfc.math_ops", "dfc.array_ops")}
    assert not unwanted, f"`import dfc.ir` loads {sorted(unwanted)}"


def test_the_compiler_without_codegen_needs_no_runtime():
    loaded = _modules_after("import dfc.compiler")
    assert not {m for m in loaded if m.startswith("dfc.runtime") or m == "dfc.framework"}


def test_every_lazy_export_of_dfc_resolves_and_no_submodule_shadows_one():
    import importlib

    import dfc
    for name in dfc.__all__:
        assert getattr(dfc, name) is not None or name == "newaxis", name  # tf.newaxis is None, as numpy's
    clashes = [n for n in dfc.__all__ if n in dfc._WHERE and importlib.util.find_spec(f"dfc.{n}") is not None]
    assert not clashes, f"submodules named like exported functions (importing them rebinds the name): {clashes}"


def _dsl_imports() -> dict[str, set[str]]:
    """For each module of dfc/, the dfc/ modules it imports, at the top or inside functions."""
    import ast
    modules = {p.stem: p for p in (ROOT / "dfc").glob("*.py") if p.stem != "__init__"}
    out: dict[str, set[str]] = {}
    for name, path in modules.items():
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.level == 1:
                targets = [node.module] if node.module else [a.name for a in node.names]
                found.update(t.split(".")[0] for t in targets if t.split(".")[0] in modules)
            elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("dfc."):
                first = node.module.split(".")[1]
                found.update({first} & set(modules))
        out[name] = found
    return out


#: modules still in a known cycle, left out of the check until untangled: nn imports candidate_sampling and
#: rnn_cell at its end, and they import nn inside functions
KNOWN_CYCLES = {"candidate_sampling", "rnn_cell"}


def test_the_dsl_modules_import_each_other_without_cycles():
    graph = {m: deps - KNOWN_CYCLES for m, deps in _dsl_imports().items() if m not in KNOWN_CYCLES}
    state: dict[str, int] = {}

    def visit(module: str, path: list[str]) -> None:
        if state.get(module) == 1:
            raise AssertionError("import cycle among dfc/ modules: " + " -> ".join([*path, module]))
        if state.get(module) == 2:
            return
        state[module] = 1
        for dep in sorted(graph[module]):
            visit(dep, [*path, module])
        state[module] = 2

    for module in sorted(graph):
        visit(module, [])


def test_each_public_submodule_imports_first_in_a_fresh_process():
    """`import dfc.train` (or layers, nn, ...) as a script's first import: no partly initialized module."""
    import dfc

    procs = {name: subprocess.Popen([sys.executable, "-c", f"import dfc.{name}"], stderr=subprocess.PIPE, text=True)
             for name in dfc._SUBMODULES}
    failed = {name: p.communicate()[1].strip().splitlines()[-1:] for name, p in procs.items()}
    assert not {name: err for name, err in failed.items() if procs[name].returncode}, failed
