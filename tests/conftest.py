"""pytest options shared by the test files: `--update-goldens` rewrites tests/golden/ from what the code does now."""

from __future__ import annotations

from collections.abc import Iterator

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-goldens", action="store_true", default=False,
                     help="rewrite the expected stage files under tests/golden/ instead of comparing against them")


@pytest.fixture(autouse=True, scope="session")
def _dfc_cache_dir(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Compiled object code goes to a temporary cache, never the user's ~/.cache/dfc."""
    import os
    os.environ.setdefault("DFC_CACHE_DIR", str(tmp_path_factory.mktemp("dfc-cache")))


@pytest.fixture
def fresh_graph() -> Iterator[None]:
    """A new default graph before and after the test (DSL test files use it for all their tests through
    `pytestmark = pytest.mark.usefixtures("fresh_graph")`)."""
    import dfc
    dfc.reset_default_graph()
    yield
    dfc.reset_default_graph()


@pytest.fixture
def update_goldens(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-goldens"))


@pytest.fixture
def emulated_gpu(monkeypatch: pytest.MonkeyPatch):
    """runtime/gpu.py on the CPU emulation of the CUDA driver and cuBLAS (tests/gpu_emulator.py); fails the
    test if the emulated GPU saw a fault (an access outside an allocation, a kernel that did not finish)."""
    from gpu_emulator import EmulatedGpu

    emulator = EmulatedGpu()
    emulator.install(monkeypatch)
    yield emulator
    emulator.check()


@pytest.fixture
def cpu_kernel_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """One kernel cache under the session's temporary folder for the cpu backend's test files (their parts share
    compiled kernels), and a fresh default graph (`pytestmark = pytest.mark.usefixtures("cpu_kernel_cache")`)."""
    import dfc
    monkeypatch.setenv("DFC_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "dfc-cache"))
    dfc.reset_default_graph()
    yield
