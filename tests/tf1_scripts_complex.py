"""TF1 scripts over complex numbers, Fourier transforms and tf.signal, written once for real TF and for dfc.

complex_values: tf.complex/real/imag/conj/angle/abs, casts, arithmetic, matmul and reductions of complex
tensors (fed, constant and variable); fft_values_and_gradients: every transform's values and the gradients
of a real loss through them (TF's conj convention); signal_front_end: frames, windows, STFT and its inverse,
mel matrix, MFCCs, DCTs, fftshift; speech_mfcc_training: a log-mel + MFCC front end feeding a small model
trained with Adam. tests/record_tf1_scripts_complex.py records them with TensorFlow; tests/test_complex.py
compares.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

SCRIPTS: dict[str, Callable] = {}
F32 = np.float32
C64 = np.complex64


def script(fn: Callable) -> Callable:
    SCRIPTS[fn.__name__] = fn
    return fn


def _complex_values(rng, shape) -> np.ndarray:
    return (rng.standard_normal(shape) + 1j * rng.standard_normal(shape)).astype(C64)


@script
def complex_values(tf, Session):
    rng = np.random.default_rng(1)
    z = tf.placeholder(tf.complex64, [3, 4], name="z")
    re = tf.placeholder(tf.float32, [3, 4], name="re")
    w = tf.Variable(np.array([[1 + 2j, -0.5j], [3.0, 2 - 1j], [0.25 + 0.25j, -1.0], [1j, 1.0]], C64), name="w")
    built = tf.complex(re, 2.0 * re)
    k = tf.constant([1 + 1j, 2 - 3j, -1j, 0.5], dtype=tf.complex64)
    out = {
        "built": built, "real": tf.real(z), "imag": tf.imag(z), "conj": tf.conj(z), "angle": tf.angle(z),
        "abs": tf.abs(z), "abs_dtype_is_real": tf.cast(tf.abs(z), tf.float64),
        "to_real": tf.cast(z, tf.float32), "to_int": tf.cast(z * 3.0, tf.int32),
        "from_real": tf.cast(re, tf.complex64), "to_c64": tf.to_complex64(re), "to_c128": tf.to_complex128(re),
        "c128_from_c64": tf.cast(z, tf.complex128),
        "add": z + k, "sub": z - built, "mul": z * k, "div": z / (k + 2.0), "neg": -z, "square": tf.square(z),
        "exp": tf.exp(z * 0.5), "log": tf.log(z), "sqrt": tf.sqrt(z), "reciprocal": tf.reciprocal(z),
        "sum": tf.reduce_sum(z, axis=1), "mean": tf.reduce_mean(z), "matmul": tf.matmul(z, w),
        "matmul_adjoint": tf.matmul(z, z, adjoint_b=True), "equal": tf.equal(z, z * 1.0),
        "real_of_real": tf.real(re), "imag_of_real": tf.imag(re), "angle_of_real": tf.angle(re - 0.5),
        "python_complex": tf.constant(1.5 - 2j) * tf.cast(tf.reduce_sum(re), tf.complex128),
        "operators": 2j * z + 1 - z / 2, "builtin_abs": abs(z), "pow": z ** 2.0, "pow_complex": z ** (z * 0.5),
        "grad_pow": tf.gradients(tf.reduce_sum(tf.abs(z ** (z * 0.5))), z)[0],
    }
    feed = {z: _complex_values(rng, (3, 4)), re: rng.standard_normal((3, 4)).astype(F32)}
    with Session() as sess:
        sess.run(tf.global_variables_initializer())
        values = sess.run(out, feed)
        sess.run(w.assign(w * (1 + 1j)))
        values["w_after"] = sess.run(w)
    values["c128_dtype"] = np.array(str(values["c128_from_c64"].dtype))
    return values


@script
def fft_values_and_gradients(tf, Session):
    rng = np.random.default_rng(2)
    z = tf.placeholder(tf.complex64, [2, 4, 6], name="z")
    x = tf.placeholder(tf.float32, [2, 4, 6], name="x")
    weights = tf.constant(rng.standard_normal((2, 4, 6)).astype(F32))
    transforms = {
        "fft": tf.fft(z), "ifft": tf.ifft(z), "fft2d": tf.fft2d(z), "ifft2d": tf.ifft2d(z),
        "fft3d": tf.fft3d(z), "ifft3d": tf.ifft3d(z),
        "rfft": tf.spectral.rfft(x), "rfft_pad": tf.spectral.rfft(x, [9]), "rfft_crop": tf.spectral.rfft(x, [4]),
        "rfft2d": tf.spectral.rfft2d(x), "rfft2d_odd": tf.spectral.rfft2d(x, [3, 5]), "rfft3d": tf.spectral.rfft3d(x),
        "irfft": tf.spectral.irfft(z), "irfft_odd": tf.spectral.irfft(z, [7]), "irfft_crop": tf.spectral.irfft(z, [4]),
        "irfft2d": tf.spectral.irfft2d(z), "irfft2d_pad": tf.spectral.irfft2d(z, [5, 12]),
        "irfft3d": tf.spectral.irfft3d(z),
    }
    out = dict(transforms)
    for name, y in transforms.items():
        if name.endswith(("_pad", "_crop", "_odd", "rfft3d")):
            # TF's rules for RFFT/IRFFT fail to build when fft_length crops or pads (shapes differ), and TF has
            # none for RFFT3D/IRFFT3D; dfc's are the transforms' adjoints (tests/test_complex.py checks them)
            continue
        # a real loss of each transform: its real and imaginary parts weighed differently
        if y.dtype.is_complex:
            loss = tf.reduce_sum(tf.real(y) * tf.real(y) * 0.5 + 0.3 * tf.imag(y) + tf.abs(y))
        else:
            loss = tf.reduce_sum(y * y * 0.5 + tf.sin(y))
        source = z if name.startswith(("fft", "ifft", "irfft")) else x
        out[f"grad_{name}"] = tf.gradients(loss, source)[0]
    u = tf.complex(x, weights)
    chains = {"abs": tf.abs(u), "angle": tf.angle(u), "mul": tf.real(u * z), "div": tf.imag(z / (u + 3.0)),
              "exp": tf.real(tf.exp(u * 0.3)), "conj": tf.imag(tf.conj(u) * z),
              "matmul": tf.real(tf.matmul(u, z, adjoint_b=True)), "square_mean": tf.abs(tf.reduce_mean(u * u))}
    for name, y in chains.items():
        out[f"chain_{name}"] = tf.gradients(tf.reduce_sum(y), x)[0]
    out["grad_complex_input"] = tf.gradients(tf.reduce_sum(tf.abs(z * u)), z)[0]
    feed = {z: _complex_values(rng, (2, 4, 6)), x: rng.standard_normal((2, 4, 6)).astype(F32)}
    with Session() as sess:
        return sess.run(out, feed)


@script
def signal_front_end(tf, Session):
    rng = np.random.default_rng(3)
    signal = tf.placeholder(tf.float32, [2, 1000], name="signal")
    spectra = tf.signal.stft(signal, 200, 80, 256)
    inverse = tf.signal.inverse_stft(spectra, 200, 80, 256,
                                     window_fn=tf.signal.inverse_stft_window_fn(80))
    mel = tf.signal.linear_to_mel_weight_matrix(24, 129, 16000, 20.0, 7600.0)
    log_mel = tf.log(tf.tensordot(tf.abs(spectra), mel, 1) + 1e-6)
    series = tf.placeholder(tf.float32, [3, 8], name="series")
    out = {
        "frames": tf.signal.frame(signal, 300, 250), "frames_padded": tf.signal.frame(signal, 300, 250, pad_end=True),
        "frames_axis0": tf.signal.frame(tf.transpose(signal), 300, 350, axis=0),
        "overlap_and_add": tf.signal.overlap_and_add(tf.reshape(series, [3, 4, 2]) * 1.0, 1),
        "hann": tf.signal.hann_window(10), "hann_symmetric": tf.signal.hann_window(9, periodic=False),
        "hamming": tf.signal.hamming_window(12), "hann_f64": tf.signal.hann_window(7, dtype=tf.float64),
        "stft": spectra, "stft_default": tf.signal.stft(signal, 128, 64), "stft_pad_end":
            tf.signal.stft(signal, 200, 160, pad_end=True, window_fn=tf.signal.hamming_window),
        "inverse_stft": inverse, "mel": mel, "log_mel": log_mel,
        "mfccs": tf.signal.mfccs_from_log_mel_spectrograms(log_mel)[..., :13],
        "fftshift": tf.signal.fftshift(series), "ifftshift": tf.signal.ifftshift(series, axes=1),
    }
    for kind in (1, 2, 3, 4):
        out[f"dct{kind}"] = tf.signal.dct(series, type=kind)
        out[f"idct{kind}"] = tf.signal.idct(series, type=kind)
        if kind != 1:
            out[f"dct{kind}_ortho"] = tf.signal.dct(series, type=kind, norm="ortho")
            out[f"idct{kind}_ortho"] = tf.signal.idct(series, type=kind, norm="ortho")
    out["dct2_n"] = tf.spectral.dct(series, n=5)
    out["dct2_pad"] = tf.spectral.dct(series, n=11, norm="ortho")
    out["grad_signal_through_mfccs"] = tf.gradients(tf.reduce_sum(out["mfccs"] * out["mfccs"]), signal)[0]
    out["grad_series_through_dct"] = tf.gradients(tf.reduce_sum(tf.sin(out["dct3_ortho"])), series)[0]
    feed = {signal: rng.standard_normal((2, 1000)).astype(F32),
            series: rng.standard_normal((3, 8)).astype(F32)}
    with Session() as sess:
        return sess.run(out, feed)


@script
def speech_mfcc_training(tf, Session):
    """Keyword spotting's front end: waveform -> STFT -> |.| -> mel -> log -> MFCCs, then a dense layer and
    softmax cross-entropy over 3 classes, trained with Adam."""
    rng = np.random.default_rng(4)
    waves = tf.placeholder(tf.float32, [4, 1600], name="waves")
    labels = tf.placeholder(tf.int32, [4], name="labels")
    spectra = tf.signal.stft(waves, frame_length=400, frame_step=160, fft_length=512)
    power = tf.abs(spectra)
    mel = tf.signal.linear_to_mel_weight_matrix(40, 257, 16000, 20.0, 4000.0)
    log_mel = tf.log(tf.tensordot(power, mel, 1) + 1e-6)
    mfccs = tf.signal.mfccs_from_log_mel_spectrograms(log_mel)[..., :13]
    features = tf.reshape(mfccs, [4, -1])
    w = tf.get_variable("w", [features.shape.as_list()[1], 3], tf.float32)
    b = tf.get_variable("b", [3], tf.float32)
    logits = tf.matmul(features, w) * 0.05 + b
    loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits))
    train = tf.train.AdamOptimizer(0.01).minimize(loss)
    t = np.arange(1600) / 16000.0
    pitches = np.array([300.0, 900.0, 2000.0, 900.0])
    wave = (np.sin(2 * np.pi * pitches[:, None] * t) + 0.1 * rng.standard_normal((4, 1600))).astype(F32)
    feed = {waves: wave, labels: np.array([0, 1, 2, 1], np.int32)}
    with Session() as sess:
        sess.run(tf.global_variables_initializer())
        names = []
        value_rng = np.random.default_rng(5)
        for v in sorted(tf.trainable_variables(), key=lambda v: v.name):
            sess.run(v.assign((value_rng.standard_normal(v.shape.as_list()) * 0.4).astype(F32)))
            names.append(v.name)
        mfcc_values = sess.run(mfccs, feed)
        losses = [sess.run([loss, train], feed)[0] for _ in range(6)]
        final = sess.run({"w": w, "b": b, "logits": logits}, feed)
    return {"names": np.array(names), "mfccs": mfcc_values, "losses": np.array(losses), **final}


@script
def circulant_operators(tf, Session):
    """tf.linalg.LinearOperatorCirculant (real Hermitian spectrum with a float32 operator, a batch of complex
    spectra), Circulant2D and Circulant3D: dense forms, products, solves, determinants, diagonals, kernels."""
    rng = np.random.default_rng(7)
    out = {}
    spec_r = np.array([6., 4, 2, 4], np.float32)
    op = tf.linalg.LinearOperatorCirculant(spec_r, input_output_dtype=tf.float32)
    x = rng.standard_normal((4, 3)).astype(np.float32)
    out["r_dense"] = op.to_dense()
    out["r_matmul"] = op.matmul(x)
    out["r_solve"] = op.solve(x)
    out["r_det"] = op.determinant()
    out["r_logdet"] = op.log_abs_determinant()
    out["r_diag"] = op.diag_part()
    out["r_kernel"] = op.convolution_kernel()
    out["r_matvec"] = op.matvec(x[:, 0])
    spec_c = (rng.standard_normal((2, 5)) + 1j * rng.standard_normal((2, 5))).astype(np.complex64)
    opc = tf.linalg.LinearOperatorCirculant(spec_c)
    xc = (rng.standard_normal((2, 5, 2)) + 1j * rng.standard_normal((2, 5, 2))).astype(np.complex64)
    out["c_dense"] = opc.to_dense()
    out["c_matmul_adj"] = opc.matmul(xc, adjoint=True)
    out["c_solve"] = opc.solve(xc)
    out["c_det"] = opc.determinant()
    out["c_logdet"] = opc.log_abs_determinant()
    out["c_trace"] = opc.trace()
    spec2 = (rng.standard_normal((2, 3)) + 1j * rng.standard_normal((2, 3))).astype(np.complex64)
    op2 = tf.linalg.LinearOperatorCirculant2D(spec2)
    out["d2_dense"] = op2.to_dense()
    out["d2_matmul"] = op2.matmul(xc[0, :, :].repeat(2, 0)[:6])
    spec3 = (rng.standard_normal((2, 2, 2)) + 1j).astype(np.complex64)
    op3 = tf.linalg.LinearOperatorCirculant3D(spec3)
    out["d3_dense"] = op3.to_dense()
    with Session() as sess:
        got = sess.run(out)
    got["shapes"] = np.array(op.shape.as_list() + opc.shape.as_list() + op2.shape.as_list())
    got["hints"] = np.array([op.is_self_adjoint is True, opc.is_self_adjoint is None])
    return got
