"""Structural rules of the code base that a reviewer would otherwise have to check by hand."""

from __future__ import annotations

import ast
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
#: the longest a function in compiler/ may be without a reason written on its def line (`# long: <reason>`)
MAX_FUNCTION_LINES = 80


def long_functions(source: str, limit: int = MAX_FUNCTION_LINES) -> list[tuple[str, int, int]]:
    """(name, first line, length) of every function (nested ones included) longer than `limit` lines
    whose def line does not carry a `# long: <reason>` comment."""
    lines = source.splitlines()
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        length = node.end_lineno - node.lineno + 1
        comment = lines[node.lineno - 1].partition("#")[2].strip()
        reason = comment.removeprefix("long:").strip() if comment.startswith("long:") else ""
        if length > limit and not reason:
            found.append((node.name, node.lineno, length))
    return found


def test_the_length_check_sees_long_functions_and_their_reasons():
    body = "".join(f"    x{i} = {i}\n" for i in range(85))
    assert long_functions(f"def f():\n{body}") == [("f", 1, 86)]
    assert long_functions(f"def f():  # long: one table, read top to bottom\n{body}") == []
    assert long_functions(f"def f():  # long:\n{body}") == [("f", 1, 86)], "a reason must be written"
    assert long_functions(f"class C:\n    def g(self):\n    {body.replace(chr(10), chr(10) + '    ')}") != []


@pytest.mark.parametrize("path", sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "compiler").rglob("*.py")))
def test_no_function_in_compiler_is_long_without_a_reason(path):
    found = long_functions((ROOT / path).read_text())
    assert not found, (f"{path}: functions over {MAX_FUNCTION_LINES} lines: {found}; split them, or write why "
                       f"one must stay whole as `# long: <reason>` on its def line")
