"""Every op states its traits, and each stated trait holds for the op's own reference semantics.

Passes ask the registry (commutative, terminator, view, reduction, writes_variable, no_code,
fusible_as, ...) instead of naming ops, so a wrong or missing trait is a wrong pass: these
tests run the claims against the numpy references. They are part of the checklist for
adding an op in docs/architecture.md.
"""

from __future__ import annotations

import numpy as np
import pytest

from dfc.ir import dtypes as dt
from dfc.ir.ops import FUSIBLE_KINDS, REGISTRY, UNCLASSIFIED, ops_with
from dfc.ir.types import TensorType

OPS = sorted(REGISTRY)

#: a valid call of each view op: operand shape and attributes
VIEW_CASES = {
    "dfc.reshape": ((2, 3), {"shape": (3, 2)}),
    "dfc.expand_dims": ((2, 3), {"axis": 1}),
    "dfc.squeeze": ((2, 1, 3), {"axes": (1,)}),
    "dfc.identity": ((2, 3), {}),
    "dfc.stop_gradient": ((2, 3), {}),
}


def _sample(opdef, shape, rng, attrs=None):
    """Operands the op accepts: the first dtype its inference takes (float32, int32 or bool)."""
    for dtype in (dt.f32, dt.i32, dt.bool_):
        try:
            opdef.infer([TensorType(dtype, shape)] * opdef.num_operands, opdef.complete_attrs(attrs or {}))
        except Exception:  # noqa: BLE001 - this dtype is not accepted: try the next
            continue
        if dtype is dt.bool_:
            return dtype, lambda: rng.random(shape) < 0.5
        if dtype is dt.i32:
            return dtype, lambda: rng.integers(-5, 6, shape).astype(np.int32)
        return dtype, lambda: (rng.standard_normal(shape) + 0.1).astype(np.float32)
    raise AssertionError(f"{opdef.name} accepts none of float32, int32, bool")


def test_every_op_is_classified():
    unclassified = [name for name in OPS if REGISTRY[name].fusible_as is UNCLASSIFIED]
    assert not unclassified, (f"ops that do not say how fusion may treat them (OpDef.fusible_as, one of "
                              f"{FUSIBLE_KINDS}): {unclassified}")


@pytest.mark.parametrize("name", OPS)
def test_traits_agree_with_each_other(name):
    opdef = REGISTRY[name]
    assert opdef.elementwise == (opdef.fusible_as == "elementwise"), "elementwise ops fuse as elementwise"
    assert opdef.reduction == (opdef.fusible_as == "reduction"), "reductions fuse as reductions"
    if opdef.fusible_as == "broadcast":
        assert opdef.shape_only_operands, "a broadcast reads some operand for its shape only"
    if opdef.writes_variable:
        assert opdef.stateful and "variable" in opdef.attrs
    if opdef.terminator:
        assert opdef.no_code and opdef.infer([], {}) == []
    if opdef.reduction:
        assert {"axes", "keepdims"} <= set(opdef.attrs)
    if opdef.commutative:
        assert opdef.num_operands == 2
    if opdef.reference is None:
        assert opdef.regions, "only ops whose regions say what they compute go without a reference"


@pytest.mark.parametrize("name", sorted(ops_with("commutative")))
def test_commutative_ops_give_the_same_result_with_operands_swapped(name):
    opdef, rng = REGISTRY[name], np.random.default_rng(0)
    _, draw = _sample(opdef, (3, 4), rng)
    x, y = draw(), draw()[:1]  # broadcasting is part of the claim
    attrs = opdef.complete_attrs({})
    np.testing.assert_array_equal(opdef.reference(x, y, **attrs), opdef.reference(y, x, **attrs))


@pytest.mark.parametrize("name", sorted(n for n in ops_with("elementwise") if REGISTRY[n].num_operands in (1, 2)))
def test_elementwise_ops_compute_each_element_from_the_same_elements(name):
    opdef, rng = REGISTRY[name], np.random.default_rng(1)
    attrs = opdef.complete_attrs({"dtype": dt.f32} if "dtype" in opdef.attrs else {})
    _, draw = _sample(opdef, (5,), rng, attrs)
    operands = [draw() for _ in range(opdef.num_operands)]
    whole = np.asarray(opdef.reference(*operands, **attrs))
    for i in range(5):
        one = np.asarray(opdef.reference(*[x[i:i + 1] for x in operands], **attrs))
        np.testing.assert_array_equal(whole[i:i + 1], one)


def test_every_view_op_has_a_case():
    assert set(VIEW_CASES) == set(ops_with("view")), "add a call of the new view op to VIEW_CASES"


@pytest.mark.parametrize("name", sorted(VIEW_CASES))
def test_view_ops_keep_the_elements_in_order(name):
    opdef = REGISTRY[name]
    shape, attrs = VIEW_CASES[name]
    x = np.arange(int(np.prod(shape)), dtype=np.float32).reshape(shape)
    out = np.asarray(opdef.reference(x, **opdef.complete_attrs(attrs)))
    (result_type,) = opdef.infer([TensorType(dt.f32, shape)], opdef.complete_attrs(attrs))
    assert out.shape == result_type.shape
    np.testing.assert_array_equal(out.ravel(), x.ravel())


@pytest.mark.parametrize("name", sorted(ops_with("reduction")))
def test_reductions_reduce_over_their_axes(name):
    opdef, rng = REGISTRY[name], np.random.default_rng(2)
    _, draw = _sample(opdef, (3, 4), rng, {"axes": (1,)})
    x = draw()
    kept = np.asarray(opdef.reference(x, **opdef.complete_attrs({"axes": (1,), "keepdims": True})))
    dropped = np.asarray(opdef.reference(x, **opdef.complete_attrs({"axes": (1,), "keepdims": False})))
    assert kept.shape == (3, 1) and dropped.shape == (3,)
    for row in range(3):
        alone = np.asarray(opdef.reference(x[row:row + 1], **opdef.complete_attrs({"axes": (1,), "keepdims": False})))
        np.testing.assert_array_equal(alone, dropped[row:row + 1])


def test_every_elementwise_op_has_a_scalar_lowering():
    # every fused loop (CPU and GPU) computes an element through compiler/codegen/scalar.py's table
    from dfc.compiler.codegen.scalar import SCALAR

    fused_per_element = [n for n in OPS if REGISTRY[n].fusible_as in ("elementwise", "broadcast")]
    missing = [n for n in fused_per_element if n not in SCALAR]
    assert not missing, f"elementwise ops without a row in compiler/codegen/scalar.py's SCALAR: {missing}"
    assert not set(SCALAR) - set(REGISTRY), "SCALAR has rows for ops the registry does not declare"
