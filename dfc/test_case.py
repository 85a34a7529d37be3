"""tf.test.TestCase and tf.test.main: unittest with TF1's sessions per test and its array assertions."""

from __future__ import annotations

import contextlib
import functools
import random
import re
import tempfile
import unittest
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import numpy as np

#: TF's random_seed.DEFAULT_GRAPH_SEED: every test starts from it
DEFAULT_GRAPH_SEED = 87654321


def is_gpu_available(cuda_only: bool = False, min_cuda_compute_capability: Any = None) -> bool:
    from dfc.runtime import gpu
    return gpu.device_count() > 0


def gpu_device_name() -> str:
    return "/device:GPU:0" if is_gpu_available() else ""


def is_built_with_cuda() -> bool:
    return True  # dfc emits PTX for NVIDIA GPUs (runtime/gpu.py); whether one is present is is_gpu_available()


is_built_with_gpu_support = is_built_with_cuda


def is_built_with_rocm() -> bool:
    return False  # dfc's GPU code is NVIDIA's PTX only


def is_built_with_xla() -> bool:
    return False  # dfc compiles every step with its own compiler (LLVM), not XLA: jit_compile paths do not apply


def disable_with_predicate(pred: Callable[[], bool], skip_message: str) -> Callable:
    """A test method decorator: the test is skipped with `skip_message` when pred() is true as it starts."""
    def decorate(func: Callable) -> Callable:
        @functools.wraps(func)
        def run(self: unittest.TestCase, *args: Any, **kwargs: Any) -> Any:
            if pred():
                self.skipTest(skip_message)
            return func(self, *args, **kwargs)
        return run
    return decorate


def with_eager_op_as_function(cls: Any = None, only_as_function: bool = False) -> Any:
    """TF's class decorator adding eager-mode variants of each test; graph-mode tests (dfc's only mode) are
    unchanged, as TF 2.21 leaves them."""
    if cls is None:
        return lambda c: c
    return cls


def get_temp_dir() -> str:
    """A directory for this test run's files (removed with the system's temporary files)."""
    global _TEMP_DIR
    if _TEMP_DIR is None:
        _TEMP_DIR = tempfile.mkdtemp(prefix="dfc_test_")
    return _TEMP_DIR


_TEMP_DIR: str | None = None


def main(argv: list[str] | None = None) -> None:
    """Run the test module's TestCases (TF's googletest.main is unittest's)."""
    unittest.main(argv=argv)


def _is_tensor(x: Any) -> bool:
    from .framework import Tensor
    return isinstance(x, Tensor) or hasattr(x, "_as_tensor")


class TestCase(unittest.TestCase):
    """unittest.TestCase with a fresh default graph and graph seed per test, sessions on it, and TF's assertions."""

    def __init__(self, methodName: str = "runTest") -> None:
        super().__init__(methodName)
        # set here as well as in setUp: a subclass's setUp that skips super().setUp() still gets sessions (TF's too)
        self._cached_session: Any = None

    def setUp(self) -> None:
        from .framework import reset_default_graph
        from .scopes import set_random_seed

        self._cached_session: Any = None
        random.seed(DEFAULT_GRAPH_SEED)
        np.random.seed(DEFAULT_GRAPH_SEED)
        reset_default_graph()
        set_random_seed(DEFAULT_GRAPH_SEED)

    def tearDown(self) -> None:
        self._clear_cached_session()

    def _clear_cached_session(self) -> None:
        if getattr(self, "_cached_session", None) is not None:
            self._cached_session.close()
            self._cached_session = None

    def get_temp_dir(self) -> str:
        return get_temp_dir()

    # ---- sessions ------------------------------------------------------------------------------------------
    @contextlib.contextmanager
    def session(self, graph: Any = None, config: Any = None, use_gpu: bool = False,
                force_gpu: bool = False) -> Iterator[Any]:
        """A new Session on graph (the default graph), the default session inside the block."""
        from .framework import get_default_graph
        from .session import Session

        with Session(graph=graph or get_default_graph(), config=config) as sess, sess.as_default():
            yield sess

    @contextlib.contextmanager
    def cached_session(self, graph: Any = None, config: Any = None, use_gpu: bool = False,
                       force_gpu: bool = False) -> Iterator[Any]:
        """One Session per test (made on first use), the default session inside the block."""
        from .framework import get_default_graph
        from .session import Session

        graph = graph or get_default_graph()
        if self._cached_session is None or self._cached_session.graph is not graph:
            self._clear_cached_session()
            self._cached_session = Session(graph=graph, config=config)
        with self._cached_session.as_default():
            yield self._cached_session

    def test_session(self, graph: Any = None, config: Any = None, use_gpu: bool = False,
                     force_gpu: bool = False) -> Any:
        """TF1's name for cached_session."""
        if self.id().endswith(".test_session"):
            self.skipTest("Not a test.")  # unittest collects it by its name, as TF's does
        return self.cached_session(graph, config, use_gpu, force_gpu)

    def evaluate(self, tensors: Any) -> Any:
        """tensors (any structure) run in the default session, or in this test's cached one."""
        from dfc.runtime import get_default_session

        session = get_default_session()
        if session is not None:
            return session.run(tensors)
        with self.cached_session() as sess:
            return sess.run(tensors)

    def _array(self, x: Any) -> np.ndarray:
        return np.asarray(self.evaluate(x) if _is_tensor(x) else x)

    # ---- assertions ----------------------------------------------------------------------------------------
    def assertAllClose(self, a: Any, b: Any, rtol: float = 1e-6, atol: float = 1e-6,  # noqa: N802 - TF's name
                       msg: str | None = None) -> None:
        """a and b (arrays, tensors, or matching lists, tuples and dicts of them) equal within atol + rtol * |b|."""
        if isinstance(a, Mapping) or isinstance(b, Mapping):
            self.assertIsInstance(a, Mapping, msg)
            self.assertIsInstance(b, Mapping, msg)
            self.assertEqual(set(a), set(b), msg or f"mismatched keys: {sorted(a)} vs {sorted(b)}")
            for key in a:
                self.assertAllClose(a[key], b[key], rtol, atol, msg=msg or f"at key {key!r}")
            return
        if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)) and not _is_tensor(a) and any(
                isinstance(x, (list, tuple, Mapping, np.ndarray)) or _is_tensor(x) for x in (*a, *b)):
            self.assertEqual(len(a), len(b), msg or f"mismatched lengths: {len(a)} vs {len(b)}")
            for i, (x, y) in enumerate(zip(a, b)):
                self.assertAllClose(x, y, rtol, atol, msg=msg or f"at index {i}")
            return
        a, b = self._array(a), self._array(b)
        for dtype, floor in ((np.float16, 1e-3), ("bfloat16", 1e-2)):
            if dtype in (a.dtype, b.dtype) or str(a.dtype) == dtype or str(b.dtype) == dtype:
                rtol, atol = max(rtol, floor), max(atol, floor)
        self.assertEqual(a.shape, b.shape, msg or f"Shape mismatch: expected {a.shape}, got {b.shape}")
        np.testing.assert_allclose(a.astype(np.float64) if a.dtype.kind not in "fc" else a,
                                   b.astype(np.float64) if b.dtype.kind not in "fc" else b,
                                   rtol=rtol, atol=atol, err_msg=msg or "", equal_nan=True)

    def assertAllCloseAccordingToType(self, a: Any, b: Any, rtol: float = 1e-6, atol: float = 1e-6,  # noqa: N802
                                      float_rtol: float = 1e-6, float_atol: float = 1e-6, half_rtol: float = 1e-3,
                                      half_atol: float = 1e-3, bfloat16_rtol: float = 1e-2,
                                      bfloat16_atol: float = 1e-2, msg: str | None = None) -> None:
        """assertAllClose with the tolerances raised to the given ones for a's float type (TF's signature)."""
        a = self._array(a)
        if str(a.dtype) == "bfloat16":
            rtol, atol = max(rtol, bfloat16_rtol), max(atol, bfloat16_atol)
        elif a.dtype == np.float16:
            rtol, atol = max(rtol, half_rtol), max(atol, half_atol)
        elif a.dtype in (np.float32, np.complex64):
            rtol, atol = max(rtol, float_rtol), max(atol, float_atol)
        self.assertAllClose(a, b, rtol=rtol, atol=atol, msg=msg)

    def assertNotAllClose(self, a: Any, b: Any, **kwargs: Any) -> None:  # noqa: N802
        try:
            self.assertAllClose(a, b, **kwargs)
        except AssertionError:
            return
        raise AssertionError("The two values are close at all elements")

    def assertAllEqual(self, a: Any, b: Any, msg: str | None = None) -> None:  # noqa: N802
        a, b = self._array(a), self._array(b)
        self.assertEqual(a.shape, b.shape, msg or f"Shape mismatch: expected {a.shape}, got {b.shape} with "
                                                  f"contents {b}.")
        np.testing.assert_array_equal(a, b, err_msg=msg or "")

    def _compare_all(self, a: Any, target: Any, ok: Callable, what: str) -> None:
        a = self._array(a)
        if not np.all(ok(a, target)):
            raise AssertionError(f"not every element is {what} {target}: {a}")

    def assertAllGreater(self, a: Any, comparison_target: Any) -> None:  # noqa: N802
        self._compare_all(a, comparison_target, np.greater, "greater than")

    def assertAllGreaterEqual(self, a: Any, comparison_target: Any) -> None:  # noqa: N802
        self._compare_all(a, comparison_target, np.greater_equal, "at least")

    def assertAllLess(self, a: Any, comparison_target: Any) -> None:  # noqa: N802
        self._compare_all(a, comparison_target, np.less, "less than")

    def assertAllLessEqual(self, a: Any, comparison_target: Any) -> None:  # noqa: N802
        self._compare_all(a, comparison_target, np.less_equal, "at most")

    def assertAllInRange(self, target: Any, lower_bound: float, upper_bound: float,  # noqa: N802
                         open_lower_bound: bool = False, open_upper_bound: bool = False) -> None:
        values = self._array(target)
        low = values > lower_bound if open_lower_bound else values >= lower_bound
        high = values < upper_bound if open_upper_bound else values <= upper_bound
        if not np.all(low & high):
            raise AssertionError(f"{values} is not in the range {'(' if open_lower_bound else '['}{lower_bound}, "
                                 f"{upper_bound}{')' if open_upper_bound else ']'}")

    def assertAllInSet(self, target: Any, expected_set: Any) -> None:  # noqa: N802
        values = self._array(target)
        missing = set(np.unique(values).tolist()) - set(np.asarray(list(expected_set)).tolist())
        if missing:
            raise AssertionError(f"{sorted(missing)} are not in the set {expected_set}")

    def assertNear(self, f1: float, f2: float, err: float, msg: str | None = None) -> None:  # noqa: N802
        self.assertTrue(f1 == f2 or abs(f1 - f2) <= err,
                        msg or f"{f1!r} != {f2!r} +/- {err!r}")

    def assertArrayNear(self, farray1: Any, farray2: Any, err: float, msg: str | None = None) -> None:  # noqa: N802
        self.assertEqual(len(farray1), len(farray2), msg)
        for f1, f2 in zip(farray1, farray2):
            self.assertNear(float(f1), float(f2), err, msg)

    def assertShapeEqual(self, np_array: Any, tf_tensor: Any, msg: str | None = None) -> None:  # noqa: N802
        if not _is_tensor(tf_tensor):
            raise TypeError("tf_tensor must be a Tensor")
        self.assertEqual(list(np.shape(np_array)), tf_tensor.get_shape().as_list(), msg)

    @contextlib.contextmanager
    def assertRaisesWithPredicateMatch(self, exception_type: type, expected_err_re_or_predicate: Any  # noqa: N802
                                       ) -> Iterator[None]:
        """The block raises exception_type whose message matches the regex (or satisfies the predicate)."""
        if callable(expected_err_re_or_predicate):
            predicate = expected_err_re_or_predicate
        else:
            def predicate(e: BaseException) -> bool:
                return re.search(expected_err_re_or_predicate, str(e)) is not None
        try:
            yield
        except exception_type as e:
            if not predicate(e):
                raise AssertionError(f"Exception of type {type(e)}: {e} does not match "
                                     f"{expected_err_re_or_predicate!r}") from e
        else:
            raise AssertionError(f"Exception of type {exception_type} not raised")

    def assertRaisesOpError(self, expected_err_re_or_predicate: Any) -> Any:  # noqa: N802
        from .errors import OpError
        return self.assertRaisesWithPredicateMatch(OpError, expected_err_re_or_predicate)


__all__ = ["TestCase", "get_temp_dir", "gpu_device_name", "is_built_with_cuda", "is_built_with_gpu_support",
           "is_gpu_available", "main"]
