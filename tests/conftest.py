"""pytest options shared by the test files: `--update-goldens` rewrites tests/golden/ from what the code does now."""

from __future__ import annotations

from collections.abc import Iterator

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-goldens", action="store_true", default=False,
                     help="rewrite the expected stage files under tests/golden/ instead of comparing against them")


#: end-to-end tests that take tens of seconds on two cores (node ids, or their start): marked `slow`, so the
#: default run (`python -m pytest`, pyproject's `-m "not slow"`) stays under ten minutes on two cores while
#: .ci/run runs these too, in a second pass (`-m slow`). Each area keeps faster tests in the default run.
SLOW_TESTS = (
    "tests/test_distributed_ray.py::test_ray_engine_cases",
    "tests/test_distributed_ray.py::test_ray_multi_node_placement",
    "tests/test_gpu_loops.py::test_loops_run_on_the_gpu_as_on_the_cpu_and_the_interpreter",
    "tests/test_tf1_contrib_rnn_cells.py::test_contrib_cells_match_tensorflow",
    "tests/test_tf1_contrib_rnn_cells.py::test_grid_lstm_cells_match_tensorflow",
    "tests/test_packaging.py::test_each_public_submodule_imports_first_in_a_fresh_process",
    "tests/test_keras_applications_models.py::test_tiny_run_matches_tf",
    "tests/test_ctc_misc.py::test_beam_search_paths_and_log_probs_are_tfs",
    "tests/test_checkpoint_lost_data.py::test_ctrl_c_during_runs_leaves_whole_values_and_a_usable_session",
    "tests/test_tf1_seq2seq.py::test_nmt_attention_script_matches_tensorflow",
    "tests/test_conv.py::test_pool_kernels_match_the_interpreter",
    "tests/test_tf1_contrib_rnn.py::test_contrib_rnn_tagger_matches_tensorflow",
    "tests/test_tf1_contrib_rnn.py::test_legacy_translate_matches_tensorflow",
    "tests/test_fed_values.py::test_fed_attribute_values_match_tf",
    "tests/test_distributed_tcp.py::test_a_ps_killed_mid_training_is_unavailable_and_the_monitored_worker_recovers",
    "tests/test_tf1_array_ops.py::test_the_areas_ops_on_the_emulated_gpu_match_the_interpreter",
    "tests/test_distributed_tcp_sync.py::test_a_killed_worker_process_restarted_rejoins_the_training_on_the_same_ps",
    "tests/test_distributions.py::test_samples_have_each_family_moments_and_shapes",
)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    slow = pytest.mark.slow
    for item in items:
        if item.nodeid.startswith(SLOW_TESTS):
            item.add_marker(slow)


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
