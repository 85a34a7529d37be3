"""The benchmark suite's command line: which interpreter runs each framework's worker."""

from __future__ import annotations

import numpy as np
import pytest

from benchmarks.__main__ import interpreters


def test_python_for_options_and_the_environment_variable():
    assert interpreters([], None) == {}
    assert interpreters(["tensorflow=/tf/python", "jax=/jax/python"], None) == {"tf": "/tf/python",
                                                                               "jax": "/jax/python"}
    every = interpreters([], "/bench/python")
    assert every == {"numpy": "/bench/python", "tf": "/bench/python", "jax": "/bench/python",
                     "torch": "/bench/python"}
    assert interpreters(["torch=/t"], "tf=/a, jax=/b") == {"tf": "/a", "jax": "/b", "torch": "/t"}
    assert interpreters(["tf=/mine"], "tf=/env")["tf"] == "/mine"  # the option wins


@pytest.mark.parametrize("bad", ["dfc=/x", "tf", "mxnet=/x", "tf="])
def test_python_for_rejects_what_it_cannot_use(bad):
    with pytest.raises(SystemExit):
        interpreters([bad], None)


def test_the_compile_suite_measures_dfc_and_reports_missing_figures():
    from benchmarks import compile_time
    result = compile_time.measure_first_step("dfc", "layers", 8, steady=True, cache=None, min_time=0.01)
    assert result["first"] > 0 and result["steady"] > 0
    table = compile_time.report({("layers", 8): {"dfc": {"cold": 1.5, "warm": 0.1, "steady": 0.002},
                                                 "jax": {"cold": "timeout"}},
                                 ("sin", 30): {"dfc": {"cold": 0.5, "warm": 0.05, "steady": None}}})
    assert "8-layer train step" in table and "timeout" in table and "30-sin chain + grad" in table
    assert "layers n=8 7%" in table


def test_the_layer_cycle_trains_the_loss_numpy_computes():
    import dfc as tf
    from benchmarks import compile_time
    x = compile_time._input()
    ws = compile_time._weights()
    h = compile_time.layers_forward(x.astype(np.float64), 9, [w.astype(np.float64) for w in ws], np.matmul, np.tanh,
                                    lambda v: v.mean(axis=1, keepdims=True))
    step = compile_time._graph_api(tf, "layers", 9)()
    _, loss = step()
    np.testing.assert_allclose(loss, np.sum(h * h), rtol=1e-4)
    assert step()[1] < loss  # Adam lowers the loss


def test_the_convnet_suite_reports_wall_and_cpu_per_round_and_missing_frameworks():
    from benchmarks import convnet
    table = convnet.report([{"dfc": {"wall": 0.1, "cpu": 0.05, "load": 2.0},
                             "tf": {"wall": 0.2, "cpu": 0.1, "load": 2.0}},
                            {"dfc": {"wall": 0.3, "cpu": 0.06, "load": 6.0}}])
    lines = table.splitlines()
    assert "dfc wall" in lines[1] and "tf/dfc cpu" in lines[1]
    assert lines[2].split()[1:3] == ["100.0", "50.0"] and "2.00x" in lines[2]
    assert lines[3].startswith("2") and "-" in lines[3].split()
    assert lines[4].startswith("best") and lines[4].split()[1:3] == ["100.0", "50.0"]


def test_gpu_check_runs_every_gpu_benchmark_at_toy_sizes_on_the_emulated_gpu(emulated_gpu, tmp_path):
    """`python -m dfc.tools.gpu_check` on the CPU emulation of the CUDA driver (tests/gpu_emulator.py): the
    report names the device and every benchmark ran (a lent GPU's minutes are not spent finding a typo)."""
    import json

    from dfc.tools import gpu_check

    out = tmp_path / "report.json"
    assert gpu_check.main(["--out", str(out), "--skip-tests", "--scale", "small"]) == 0
    report = json.loads(out.read_text())
    assert report["device"]["name"] == "dfc emulated GPU" and report["device"]["gpus"] == 1
    bench = report["benchmarks"]
    failed = {k: v["error"] for k, v in bench.items() if isinstance(v, dict) and "error" in v}
    assert not failed, failed
    assert bench["elementwise_chain"]["fraction_of_copy_bandwidth"] > 0
    assert bench["matmul_f32"]["dfc_TFLOPs"] > 0 and bench["matmul_bf16"]["n"] == 64
    assert bench["session"]["mlp_step"]["dfc_s"] > 0 and bench["session"]["overhead"]["dfc_s"] > 0
    assert bench["while_loop"]["dfc_s"] > 0 and bench["while_loop"]["loop_on_host_s"] > 0
    for row in bench["session"].values():  # PyTorch and JAX: a figure with its ratio, or why there is none
        for framework in ("torch", "jax"):
            assert framework in row or f"{framework}_over_dfc" in row
    # the default Session placed the MLP on the GPU: its steps ran as kernels and GEMMs on the emulated device
    from benchmarks import gpu as bench

    calls = emulated_gpu.driver.calls
    calls.clear()
    bench.session_steps((8, 16, 8, 4), repeat=1)
    assert calls.get("cublasGemmEx", 0) >= 3 and calls.get("cuLaunchKernel", 0) + calls.get("cuGraphLaunch", 0)


def test_gpu_check_writes_its_report_when_the_driver_fails(tmp_path, monkeypatch):
    import json

    from dfc.tools import gpu_check

    def broken():
        raise RuntimeError("CUDA driver error CUDA_ERROR_SYSTEM_DRIVER_MISMATCH")
    monkeypatch.setattr(gpu_check, "device", broken)
    out = tmp_path / "report.json"
    assert gpu_check.main(["--out", str(out), "--skip-tests"]) == 1
    report = json.loads(out.read_text())
    assert report["device"] == {"gpus": 0, "error": "RuntimeError: CUDA driver error CUDA_ERROR_SYSTEM_DRIVER_MISMATCH"}
    assert "benchmarks" not in report and report["seconds"] >= 0


def test_gpu_check_stops_the_benchmarks_at_its_budget_and_keeps_what_finished(emulated_gpu, tmp_path, monkeypatch):
    """A lent machine's minutes are few: past --budget-s the running benchmark stops, the report keeps the
    figures of those that finished and says why the rest are missing."""
    import json
    import time

    from benchmarks import gpu as bench
    from dfc.tools import gpu_check

    monkeypatch.setattr(bench, "elementwise_vs_copy", lambda *a: {"fraction_of_copy_bandwidth": 0.5})
    monkeypatch.setattr(bench, "matmul", lambda *a: time.sleep(60))
    out = tmp_path / "report.json"
    started = time.perf_counter()
    gpu_check.main(["--out", str(out), "--skip-tests", "--scale", "small", "--budget-s", "1"])
    assert time.perf_counter() - started < 30
    bench_report = json.loads(out.read_text())["benchmarks"]
    assert bench_report["elementwise_chain"] == {"fraction_of_copy_bandwidth": 0.5}
    assert "matmul_f32" not in bench_report and "time budget was spent" in bench_report["error"]
