"""GPU benchmarks, measured side by side in one run: dfc's kernels against the device's own copy bandwidth,
cuBLAS through dfc against PyTorch's matmul, and the seed's MLP training step and the per-run overhead of a
Session against PyTorch and JAX on the same GPU (each when importable and seeing the GPU); printed as ratios.

`python -m benchmarks.gpu` (or `python -m dfc.tools.gpu_check`, which also runs the GPU tests) needs a GPU
and the `gpu` extra. Nothing here asserts a time: the figures are for the README, measured, never assumed.
`main(scale="small")` runs every benchmark at toy sizes (the test suite runs it on the emulated GPU).
"""

from __future__ import annotations

import json
import time

import numpy as np

#: per scale: the elementwise chain's float32 elements (64M: 256 MB per tensor), the matmul's side, the MLP's
#: batch/input/hidden/classes (the seed's 100 x 784 -> 100 -> 10), and timed repeats
#: the while loop's batch/width/iterations
SIZES = {"full": {"chain": 1 << 26, "matmul": 8192, "mlp": (100, 784, 100, 10), "loop": (64, 1024, 100), "repeat": 10},
         "small": {"chain": 1 << 12, "matmul": 64, "mlp": (8, 16, 8, 4), "loop": (4, 8, 3), "repeat": 2}}


def _step(types, build):
    from dfc.compiler import compile_step
    from dfc.ir.graph import Graph
    from dfc.ir.types import TensorType

    g = Graph()
    args = [g.body.add_argument(TensorType(dt, shape), f"a{i}") for i, (dt, shape) in enumerate(types)]
    return compile_step(g, build(g, args), [], args, [s for _, s in types])


def _time(fn, repeat: int = 10) -> float:
    fn()
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def _device_time(executable, repeat: int = 10) -> float:
    """Seconds per run of a compiled step's device work (its host steps on the stream, inputs already there)."""
    from dfc.runtime import gpu

    drv = gpu._driver()
    ctx = executable.ctx
    start, stop = gpu._check(drv.cuEventCreate(0)), gpu._check(drv.cuEventCreate(0))
    runner = executable.replay_device_steps
    runner()
    gpu._check(drv.cuStreamSynchronize(ctx.stream))
    gpu._check(drv.cuEventRecord(start, ctx.stream))
    for _ in range(repeat):
        runner()
    gpu._check(drv.cuEventRecord(stop, ctx.stream))
    gpu._check(drv.cuEventSynchronize(stop))
    return gpu._check(drv.cuEventElapsedTime(start, stop)) / 1000.0 / repeat


def elementwise_vs_copy(elements: int = SIZES["full"]["chain"], repeat: int = 10) -> dict:
    """A 64M-element chain relu(x*1.5+0.25)*x (one fused kernel: 2 reads + 1 write per element) against a
    device-to-device copy (1 read + 1 write) of the same bytes."""
    from dfc.ir import dtypes as D
    from dfc.ir.builder import create_op
    from dfc.runtime import gpu

    def build(g, a):
        c1 = create_op(g, "dfc.constant", [], {"value": np.float32(1.5)}).result
        c2 = create_op(g, "dfc.constant", [], {"value": np.float32(0.25)}).result
        y = create_op(g, "dfc.add", [create_op(g, "dfc.mul", [a[0], c1]).result, c2]).result
        return [create_op(g, "dfc.mul", [create_op(g, "dfc.relu", [y]).result, a[0]]).result]

    ex = gpu.GpuExecutable(_step([(D.f32, (elements,))], build))
    ex.bind([np.ones(elements, np.float32)])
    chain = _device_time(ex, repeat)
    nbytes = elements * 4
    a, b = gpu.DeviceBuffer(nbytes), gpu.DeviceBuffer(nbytes)
    drv = gpu._driver()

    def copy():
        gpu._check(drv.cuMemcpyDtoDAsync(b.ptr, a.ptr, nbytes, ex.ctx.stream))
        gpu._check(drv.cuStreamSynchronize(ex.ctx.stream))

    copy_s = _time(copy, repeat)
    chain_bw = 2 * nbytes / chain  # the fused chain reads x once and writes once
    copy_bw = 2 * nbytes / copy_s
    return {"elements": elements, "chain_s": chain, "copy_s": copy_s, "chain_GBps": chain_bw / 1e9,
            "copy_GBps": copy_bw / 1e9, "fraction_of_copy_bandwidth": chain_bw / copy_bw}


def matmul(dtype: str = "f32", n: int = SIZES["full"]["matmul"], repeat: int = 5) -> dict:
    from dfc.ir import dtypes as D
    from dfc.ir.builder import create_op
    from dfc.runtime import gpu

    dt = {"f32": D.f32, "bf16": D.bf16}[dtype]
    ex = gpu.GpuExecutable(_step([(dt, (n, n)), (dt, (n, n))],
                                 lambda g, a: [create_op(g, "dfc.matmul", list(a)).result]))
    x = np.ones((n, n), dt.np)
    ex.bind([x, x])
    dfc_s = _device_time(ex, repeat)
    row = {"dtype": dtype, "n": n, "dfc_s": dfc_s, "dfc_TFLOPs": 2 * n ** 3 / dfc_s / 1e12}
    torch = _torch_cuda()
    if isinstance(torch, str):
        row["torch"] = torch
        return row
    tdt = {"f32": torch.float32, "bf16": torch.bfloat16}[dtype]
    ta = torch.ones((n, n), dtype=tdt, device="cuda")

    def torch_mm():
        torch.matmul(ta, ta)
        torch.cuda.synchronize()

    row["torch_s"] = _time(torch_mm, repeat)
    row["torch_over_dfc"] = row["torch_s"] / dfc_s
    return row


def _torch_cuda():
    """PyTorch when it is installed and sees a GPU, else why not (a string)."""
    try:
        import torch
    except ImportError:
        return "not installed"
    return torch if torch.cuda.is_available() else "installed, sees no GPU"


def _jax_gpu():
    """JAX when it is installed with a GPU backend, else why not (a string)."""
    try:
        import jax
    except ImportError:
        return "not installed"
    try:
        jax.devices("gpu")
    except RuntimeError:
        return "installed, sees no GPU"
    return jax


def _seed_mlp(shape: tuple[int, int, int, int]) -> dict[str, np.ndarray]:
    """The seed's MLP (x -> relu hidden -> softmax classes, one-hot labels, plain SGD at 0.5): its data."""
    batch, inputs, hidden, classes = shape
    rng = np.random.default_rng(0)
    return {"x": rng.random((batch, inputs), dtype=np.float32),
            "y": np.eye(classes, dtype=np.float32)[rng.integers(0, classes, batch)],
            "w1": rng.uniform(-0.05, 0.05, (inputs, hidden)).astype(np.float32), "b1": np.zeros(hidden, np.float32),
            "w2": rng.uniform(-0.05, 0.05, (hidden, classes)).astype(np.float32),
            "b2": np.zeros(classes, np.float32)}


def session_steps(mlp_shape: tuple[int, int, int, int] = SIZES["full"]["mlp"], repeat: int = 10) -> dict:
    """Per-run overhead (`p + 4.0`, p fed, result fetched) and the seed's MLP training step (batch fed from
    host memory, as the seed's feed_dict does), through a default tf.Session, which places both on the GPU;
    PyTorch and JAX do the same work on the same GPU: inputs from the host, the step finished (synchronized)."""
    import dfc as tf

    data = _seed_mlp(mlp_shape)
    g = tf.Graph()
    with g.as_default():
        p = tf.placeholder(tf.float32, [])
        tiny = p + 4.0
        x = tf.placeholder(tf.float32, data["x"].shape)
        label = tf.placeholder(tf.float32, data["y"].shape)
        w1, b1, w2, b2 = (tf.Variable(data[k]) for k in ("w1", "b1", "w2", "b2"))
        prediction = tf.nn.softmax(tf.matmul(tf.nn.relu(tf.matmul(x, w1) + b1), w2) + b2)
        loss = tf.reduce_mean(-tf.reduce_sum(label * tf.log(prediction), reduction_indices=[1]))
        train = tf.train.GradientDescentOptimizer(0.5).minimize(loss)
        init = tf.global_variables_initializer()
    sess = tf.Session(graph=g)
    sess.run(init)
    rows = {"overhead": {"dfc_s": _time(lambda: sess.run(tiny, {p: 3.0}), repeat * 20)},
            "mlp_step": {"shape": list(mlp_shape),
                         "dfc_s": _time(lambda: sess.run(train, {x: data["x"], label: data["y"]}), repeat)}}
    sess.close()
    for name, frameworks in (("torch", _torch_steps), ("jax", _jax_steps)):
        found = frameworks(data, repeat)
        for key, row in rows.items():
            if isinstance(found, str):
                row[name] = found
            else:
                row[f"{name}_s"] = found[key]
                row[f"{name}_over_dfc"] = found[key] / row["dfc_s"]
    return rows


def loop_steps(shape: tuple[int, int, int] = SIZES["full"]["loop"], repeat: int = 10) -> dict:
    """A tf.while_loop of `iterations` steps h = tanh(h @ W + b) ([batch, width] f32, W a variable), through a
    default tf.Session: the loop on the GPU (its body a CUDA graph per iteration, one flag read back), against
    the same step with the loop placed on the host as before (each iteration's values on the CPU, W downloaded)
    and PyTorch's Python loop on the same GPU."""
    import dfc as tf
    from dfc.runtime import gpu_placement

    batch, width, iterations = shape
    rng = np.random.default_rng(0)
    h0 = rng.standard_normal((batch, width)).astype(np.float32)
    w = (rng.standard_normal((width, width)) / np.sqrt(width)).astype(np.float32)
    g = tf.Graph()
    with g.as_default():
        h = tf.placeholder(tf.float32, [batch, width])
        weights, bias = tf.Variable(w), tf.Variable(np.full(width, 0.01, np.float32))
        _, out = tf.while_loop(lambda k, x: k < iterations, lambda k, x: (k + 1, tf.tanh(tf.matmul(x, weights) + bias)),
                               [tf.constant(0), h])
        init = tf.global_variables_initializer()
    row: dict = {"shape": [batch, width, iterations]}
    real = gpu_placement.gpu_capable
    for key, capable in (("dfc_s", real), ("loop_on_host_s", lambda op: real(op) and not op.regions)):
        gpu_placement.gpu_capable = capable
        try:
            with tf.Session(graph=g) as sess:
                sess.run(init)
                row[key] = _time(lambda: sess.run(out, {h: h0}), repeat)
        finally:
            gpu_placement.gpu_capable = real
    row["loop_on_host_over_dfc"] = row["loop_on_host_s"] / row["dfc_s"]
    torch = _torch_cuda()
    if isinstance(torch, str):
        row["torch"] = torch
        return row
    tw, tb = torch.tensor(w, device="cuda"), torch.full((width,), 0.01, device="cuda")

    def torch_loop():
        x = torch.from_numpy(h0).cuda()
        for _ in range(iterations):
            x = torch.tanh(x @ tw + tb)
        return x.cpu().numpy()

    row["torch_s"] = _time(torch_loop, repeat)
    row["torch_over_dfc"] = row["torch_s"] / row["dfc_s"]
    return row


def _torch_steps(data: dict[str, np.ndarray], repeat: int):
    torch = _torch_cuda()
    if isinstance(torch, str):
        return torch
    params = [torch.tensor(data[k], device="cuda", requires_grad=True) for k in ("w1", "b1", "w2", "b2")]
    sgd = torch.optim.SGD(params, lr=0.5)

    def tiny():
        return (torch.tensor(3.0, device="cuda") + 4.0).cpu().numpy()

    def mlp_step():
        w1, b1, w2, b2 = params
        x, y = torch.from_numpy(data["x"]).cuda(), torch.from_numpy(data["y"]).cuda()
        prediction = torch.softmax(torch.relu(x @ w1 + b1) @ w2 + b2, 1)
        loss = (-(y * torch.log(prediction)).sum(1)).mean()
        sgd.zero_grad()
        loss.backward()
        sgd.step()
        torch.cuda.synchronize()

    return {"overhead": _time(tiny, repeat * 20), "mlp_step": _time(mlp_step, repeat)}


def _jax_steps(data: dict[str, np.ndarray], repeat: int):
    jax = _jax_gpu()
    if isinstance(jax, str):
        return jax
    import jax.numpy as jnp

    tiny = jax.jit(lambda q: q + 4.0)

    def loss_of(params, x, y):
        prediction = jax.nn.softmax(jax.nn.relu(x @ params[0] + params[1]) @ params[2] + params[3])
        return jnp.mean(-jnp.sum(y * jnp.log(prediction), axis=1))

    @jax.jit
    def sgd_step(params, x, y):
        grads = jax.grad(loss_of)(params, x, y)
        return [w - 0.5 * gw for w, gw in zip(params, grads)]

    state = {"params": [jnp.asarray(data[k]) for k in ("w1", "b1", "w2", "b2")]}

    def mlp_step():
        state["params"] = sgd_step(state["params"], data["x"], data["y"])
        jax.block_until_ready(state["params"])

    return {"overhead": _time(lambda: np.asarray(tiny(np.float32(3.0))), repeat * 20),
            "mlp_step": _time(mlp_step, repeat)}


def run_overhead(repeat: int = 200) -> dict:
    """Seconds per Session-free run of a tiny step (upload, launch, download): the per-run overhead."""
    from dfc.ir import dtypes as D
    from dfc.ir.builder import create_op
    from dfc.runtime import gpu

    ex = gpu.GpuExecutable(_step([(D.f32, (16,))], lambda g, a: [create_op(g, "dfc.relu", [a[0]]).result]))
    x = np.ones(16, np.float32)

    class _Ctx:
        def random_step(self, op):
            return 0

    return {"tiny_step_s": _time(lambda: ex([x], _Ctx()), repeat)}


def main(scale: str = "full", report: dict | None = None) -> dict:
    """Every GPU benchmark at `scale` ("full": the figures the README asks for; "small": toy sizes), each one's
    figures put in `report` as it finishes (a caller that stops the run keeps those that did)."""
    size = SIZES[scale]
    repeat = size["repeat"]
    report = {} if report is None else report
    report["scale"] = scale
    for name, fn in (("elementwise_chain", lambda: elementwise_vs_copy(size["chain"], repeat)),
                     ("matmul_f32", lambda: matmul("f32", size["matmul"], repeat)),
                     ("matmul_bf16", lambda: matmul("bf16", size["matmul"], repeat)),
                     ("run_overhead", lambda: run_overhead(repeat * 20)),
                     ("session", lambda: session_steps(size["mlp"], repeat)),
                     ("while_loop", lambda: loop_steps(size["loop"], repeat))):
        try:
            report[name] = fn()
        except Exception as e:  # noqa: BLE001 - one failing benchmark is reported, the others still run
            report[name] = {"error": f"{type(e).__name__}: {e}"}
    return report


if __name__ == "__main__":
    print(json.dumps(main(), indent=2))
