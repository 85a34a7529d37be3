"""PTX linked to cubins by nvJitLink (runtime/nvjitlink.py): the golden cases' kernels for sm_80 and sm_90 against
ptxas's, cubins kept in the kernel cache, and the runtime loading them (falling back to PTX when the driver refuses).

Tests that link skip without nvJitLink's library (`pip install 'dfc[gpu]'`, or DFC_NVJITLINK naming it)."""

from __future__ import annotations

import pathlib
import shutil
import subprocess

import numpy as np
import pytest
from cpu_backend_support import Ctx, arg_graph
from test_gpu_codegen import GOLDEN, needs_libdevice
from test_gpu_runtime import gpu as needs_gpu

from dfc.compiler import compile_step
from dfc.compiler.codegen import gpu
from dfc.compiler.target import NVPTX_ARCHS, cpu_target
from dfc.ir import dtypes as D
from dfc.ir.builder import create_op
from dfc.ir.parser import parse_graph
from dfc.runtime import gpu as gpu_runtime
from dfc.runtime import kernel_cache, nvjitlink

PTXAS = shutil.which("ptxas")
needs_nvjitlink = pytest.mark.skipif(bool(nvjitlink.unavailable_reason()), reason=nvjitlink.unavailable_reason())
CASES = sorted(p.name for p in GOLDEN.iterdir() if (p / "08-fuse.mlir").exists())


def _ptxas_cubin(modules: list[str], arch: str, tmp_path: pathlib.Path) -> bytes:
    sources = []
    for k, text in enumerate(modules):
        sources.append(tmp_path / f"k{k}.ptx")
        sources[-1].write_text(text)
    out = tmp_path / f"{arch}.cubin"
    subprocess.run([PTXAS, f"-arch={arch}", "-c", "-o", str(out), *map(str, sources)], check=True,
                   capture_output=True, timeout=300)
    return out.read_bytes()


@needs_nvjitlink
@needs_libdevice
@pytest.mark.skipif(PTXAS is None, reason="ptxas (CUDA's PTX assembler) is not installed")
@pytest.mark.parametrize("case", CASES)
def test_golden_case_links_to_cubins_for_sm_80_and_sm_90_as_ptxas_assembles_it(case, tmp_path):
    """Each golden step's kernels, linked by nvJitLink into one cubin per architecture, and assembled by ptxas:
    both are CUDA ELF images for that architecture defining exactly the step's kernels."""
    step = parse_graph((GOLDEN / case / "08-fuse.mlir").read_text(), case)
    for arch in NVPTX_ARCHS:
        modules = gpu.split_ptx(gpu.emit_ptx(step, arch))
        if not modules:
            continue  # a step of constants only launches nothing
        linked = nvjitlink.link(list(modules.values()), arch)
        assembled = _ptxas_cubin(list(modules.values()), arch, tmp_path)
        assert nvjitlink.elf_kernels(linked) == (arch, set(modules))
        assert nvjitlink.elf_kernels(assembled) == (arch, set(modules))


@needs_nvjitlink
def test_sm_80_ptx_links_for_a_later_gpu_and_a_bad_module_says_why():
    """The runtime links the PTX for the device's own architecture (sm_86 for sm_80's PTX); a module nvJitLink
    cannot compile raises with its error log."""
    step = _tanh_step()
    (ptx,) = gpu.split_ptx(gpu.emit_ptx(step, "sm_80")).values()
    assert nvjitlink.elf_kernels(nvjitlink.link(ptx, "sm_86"))[0] == "sm_86"
    with pytest.raises(nvjitlink.NvJitLinkError, match="rejected PTX module 0 for sm_80"):
        nvjitlink.link(ptx.replace(".entry", ".entry_is_not_ptx", 1), "sm_80")


def _tanh_step():
    g, args = arg_graph([(D.f32, (3, 4))])
    return compile_step(g, [create_op(g, "dfc.tanh", list(args)).result], [], list(args), [(3, 4)])


@needs_nvjitlink
def test_cubins_are_kept_in_the_kernel_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("DFC_CACHE_DIR", str(tmp_path))
    kernel_cache.clear_memory()
    ptx = gpu.split_ptx(gpu.emit_ptx(_tanh_step(), "sm_80"))
    first = nvjitlink.cubins(ptx, "sm_90")
    assert set(first) == set(ptx) and all(nvjitlink.elf_kernels(c)[0] == "sm_90" for c in first.values())
    kernel_cache.clear_memory()  # a new process: the cubins come from disk, nvJitLink does not run
    monkeypatch.setattr(nvjitlink, "link", lambda *a: pytest.fail("linked again"))
    assert nvjitlink.cubins(ptx, "sm_90") == first
    assert nvjitlink.cubin_key(next(iter(ptx.values())), "sm_80") != nvjitlink.cubin_key(
        next(iter(ptx.values())), "sm_90")


@pytest.fixture(params=[pytest.param("cuda", marks=[needs_gpu, pytest.mark.gpu]), "emulator"])
def device(request: pytest.FixtureRequest) -> str:
    """On the GPU where there is one, and on the CPU emulation of the CUDA driver (tests/gpu_emulator.py)."""
    if request.param == "emulator":
        request.getfixturevalue("emulated_gpu")
    return request.param


def _run_tanh() -> gpu_runtime.GpuExecutable:
    x = np.linspace(-3, 3, 12, dtype=np.float32).reshape(3, 4)
    executable = gpu_runtime.GpuExecutable(_tanh_step())
    np.testing.assert_allclose(executable([x], Ctx())[0], np.tanh(x), rtol=1e-6, atol=1e-6)
    return executable


@needs_nvjitlink
def test_the_runtime_loads_the_cubins_nvjitlink_links_for_the_device(device, request):
    executable = _run_tanh()
    assert executable.ctx.cubins_loaded == len(executable.functions) == 1
    if device == "emulator":
        assert request.getfixturevalue("emulated_gpu").driver.cubins == ["sm_90"]


@needs_nvjitlink
def test_a_driver_refusing_the_cubin_loads_the_ptx(request):
    """A driver older than the nvJitLink that linked the cubin refuses it: the kernel loads from its PTX."""
    emulated = request.getfixturevalue("emulated_gpu")
    emulated.driver.accept_cubins = False
    executable = _run_tanh()
    assert executable.ctx.cubins_loaded == 0 and emulated.driver.calls["cuModuleLoadData"] == 2


def test_without_nvjitlink_kernels_load_from_ptx(request, monkeypatch):
    monkeypatch.setenv("DFC_NVJITLINK", "0")
    assert "DFC_NVJITLINK=0" in nvjitlink.unavailable_reason()
    request.getfixturevalue("emulated_gpu")
    executable = _run_tanh()
    assert executable.ctx.cubins_loaded == 0


def test_the_library_of_the_drivers_cuda_version_comes_first(monkeypatch):
    """A CUDA 12 driver refuses CUDA 13's cubins (another ELF ABI): its nvJitLink 12 is tried first, a newer one
    last; a CUDA 13 driver takes both, the newer first."""
    monkeypatch.setenv("CUDA_HOME", "/opt/cuda-x")
    monkeypatch.setattr(nvjitlink.glob, "glob", lambda pattern: [pattern.replace("so*", f"so.{m}").replace("*", "x")
                                                                 for m in (13, 12)])
    for driver, first, then in ((12, 12, 13), (13, 13, 12), (14, 13, 12)):
        majors = [nvjitlink._so_major(p) for p in nvjitlink._candidates(driver)]
        assert None not in majors[:-1] and majors[-1] is None, "the unversioned name last"
        assert majors.count(12) >= 3, "CUDA_HOME's, /usr/local/cuda's and the loader's"
        assert max(k for k, m in enumerate(majors) if m == first) < min(k for k, m in enumerate(majors) if m == then)


def test_elf_kernels_refuses_what_is_not_a_cuda_elf_image():
    host_object = cpu_target().emit_object(cpu_target().header() + "define void @f() {\n  ret void\n}\n")
    with pytest.raises(ValueError, match="not a CUDA GPU"):
        nvjitlink.elf_kernels(host_object)
    with pytest.raises(ValueError, match="not a 64-bit ELF"):
        nvjitlink.elf_kernels(b"// PTX\n.version 8.0\n")
