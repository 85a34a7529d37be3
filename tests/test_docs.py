"""The documentation lives in the repository: README links docs/architecture.md, and nothing points outside."""

from __future__ import annotations

import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parent.parent
TEXT_FILES = [p for pattern in ("*.md", "docs/*.md", "*/*.py", "*/*/*.py", "pyproject.toml", ".ci/run")
              for p in ROOT.glob(pattern) if ".venv" not in p.parts and "build" not in p.parts]


def test_readme_links_the_architecture_document():
    readme = (ROOT / "README.md").read_text()
    assert "docs/architecture.md" in readme and (ROOT / "docs" / "architecture.md").is_file()


def test_nothing_points_outside_the_repository():
    outside = [f"{p.relative_to(ROOT)}: {m.group(0)}" for p in TEXT_FILES
               for m in re.finditer(r"\.\./shared\S*", p.read_text(errors="replace"))]
    assert not outside, outside


def test_the_documents_relative_links_resolve():
    broken = []
    for doc in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        for target in re.findall(r"\]\(([^)#\s]+)\)", doc.read_text()):
            if "://" not in target and not (doc.parent / target).exists():
                broken.append(f"{doc.relative_to(ROOT)} -> {target}")
    assert not broken, broken


def test_the_architecture_checklist_names_tests_that_exist():
    text = (ROOT / "docs" / "architecture.md").read_text()
    for path, test in re.findall(r"`(tests/test_\w+\.py)::(\w+)`", text):
        source = (ROOT / path).read_text()
        assert f"def {test}(" in source, f"docs/architecture.md names {path}::{test}, which does not exist"
    for name in re.findall(r"`(test_\w+)`", text):
        assert any(f"def {name}(" in p.read_text() for p in (ROOT / "tests").glob("test_*.py")), name
