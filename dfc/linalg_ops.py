"""Linear-algebra functions of the DSL built from its ops: einsum, tensordot, eye, diagonals, trace, band_part.

einsum contracts operands pairwise with transposes, reshapes and (batched) matmuls, so every
equation runs on the GEMM path and differentiates through the ops' own rules.
"""

from __future__ import annotations

from typing import Any

import builtins
import re

import numpy as np

from dfc.ir.dtypes import as_dtype, f32

from .array_ops import constant, expand_dims, gather, reshape, transpose
from .framework import Tensor, build_error, check_int, constant_value, convert_to_tensor, make, name_scope
from .math_ops import matmul, reduce_sum


def _rank(x: Tensor, op: str, name: str, at_least: int = 0) -> int:
    rank = x.shape.ndims
    if rank is None or rank < at_least:
        raise build_error(op, name, f"{op} needs {x.name} of known rank >= {at_least}, got shape {x.shape}")
    return rank


def _dims_for_reshape(dims: list[int | None], op: str, name: str) -> list[int]:
    if sum(d is None for d in dims) > 1:
        raise build_error(op, name, f"{op} needs at most one unknown dim here, got {dims}")
    return [-1 if d is None else d for d in dims]


# ---- eye and diagonals --------------------------------------------------------------------------------
def eye(num_rows, num_columns=None, batch_shape=None, dtype=f32, name: str | None = None) -> Tensor:
    if any(isinstance(n, Tensor) and constant_value(n) is None for n in (num_rows, num_columns)):
        return _eye_by_tensors(num_rows, num_columns, batch_shape, as_dtype(dtype), name)
    rows = check_int(num_rows, "num_rows")
    cols = rows if num_columns is None else check_int(num_columns, "num_columns")
    if rows < 0 or cols < 0:
        raise build_error("eye", name or "eye", f"num_rows and num_columns must be non-negative, got {rows}, {cols}")
    value = np.eye(rows, cols, dtype=as_dtype(dtype).np)
    if batch_shape is not None:
        batch = [check_int(d, "batch_shape") for d in batch_shape]
        value = np.broadcast_to(value, batch + [rows, cols]).copy()
    return constant(value, name=name or "eye")


def _eye_by_tensors(num_rows, num_columns, batch_shape, dtype, name: str | None) -> Tensor:
    """tf.eye of sizes the step's values give (tf.eye(tf.shape(x)[0])): row index == column index."""
    from .array_ops import range as range_
    from .math_ops import cast, equal
    from .tensor_ops import broadcast_to
    with name_scope(name, "eye", [num_rows, num_columns]):
        rows = cast(num_rows, "int32")
        cols = rows if num_columns is None else cast(num_columns, "int32")
        out = cast(equal(expand_dims(range_(rows), 1), expand_dims(range_(cols), 0)), dtype)
        if batch_shape is not None:
            from .array_ops import concat, shape
            out = broadcast_to(out, concat([convert_to_tensor(batch_shape, dtype="int32"), shape(out)], 0))
        return out


def _diagonal_positions(rows: int, cols: int) -> np.ndarray:
    """Flat positions i * cols + i of the main diagonal of a rows x cols matrix."""
    return np.arange(min(rows, cols), dtype=np.int64) * (cols + 1)


def matrix_diag_part(input, name: str = "diag_part", k=0, padding_value=0, align="RIGHT_LEFT") -> Tensor:  # noqa: A002
    """The main diagonal of each matrix in the last two dims: [..., M, N] -> [..., min(M, N)]."""
    x = convert_to_tensor(input)
    rank = _rank(x, "MatrixDiagPart", name, 2)
    if check_int(k, "k") != 0:
        raise NotImplementedError(f"{build_error('MatrixDiagPart', name, '')} only the main diagonal (k=0)")
    *batch, m, n = x.shape.as_list()
    if m is None or n is None:
        return _diag_part_by_tensors(x, rank, name)
    with name_scope(name, "diag_part", [x]):
        flat = reshape(x, _dims_for_reshape(batch, "MatrixDiagPart", name) + [m * n]) if rank > 2 else \
            reshape(x, [m * n])
        return gather(flat, constant(_diagonal_positions(m, n)), axis=rank - 2)


def matrix_diag(diagonal, name: str = "diag", k=0, num_rows=-1, num_cols=-1, padding_value=0,
                align="RIGHT_LEFT") -> Tensor:
    """[..., N] -> [..., N, N] with the entries on the main diagonal and zeros elsewhere."""
    d = convert_to_tensor(diagonal)
    _rank(d, "MatrixDiag", name, 1)
    if check_int(k, "k") != 0:
        raise NotImplementedError(f"{build_error('MatrixDiag', name, '')} only the main diagonal (k=0)")
    n = d.shape.as_list()[-1]
    with name_scope(name, "diag", [d]):
        if n is None:  # a length the step's values give: the mask compares positions
            positions = _positions(d, d.shape.ndims - 1)
            mask = make("dfc.equal", [expand_dims(positions, 1), expand_dims(positions, 0)])
        else:
            mask = constant(np.eye(n, dtype=bool))
        return make("dfc.select", [mask, expand_dims(d, -1), constant(np.zeros((), d.dtype.np))], name="MatrixDiag")


def _positions(x: Tensor, axis: int) -> Tensor:
    """0, 1, ..., n-1 for x's dim `axis` (known or not)."""
    from .array_ops import range as range_, shape
    n = x.shape.as_list()[axis]
    return range_(n if n is not None else shape(x)[axis])


def _diag_part_by_tensors(x: Tensor, rank: int, name: str | None) -> Tensor:
    """matrix_diag_part of matrices whose dims the step's values give: the flat positions i * (n + 1)."""
    from .array_ops import concat, range as range_, shape
    from .math_ops import minimum
    with name_scope(name, "diag_part", [x]):
        dims = shape(x)
        m, n = dims[rank - 2], dims[rank - 1]
        flat = reshape(x, concat([dims[:rank - 2], expand_dims(m * n, 0)], 0))
        return gather(flat, range_(minimum(m, n)) * (n + 1), axis=rank - 2)


def diag(diagonal, name: str | None = None) -> Tensor:
    """A tensor of rank 2k with `diagonal` (rank k) on its diagonal: out[i..., i...] = diagonal[i...]."""
    d = convert_to_tensor(diagonal)
    label = name or "Diag"
    rank = _rank(d, "Diag", label, 1)
    if not d.shape.is_fully_defined():
        if rank == 1:
            return matrix_diag(d, name=label)
        raise build_error("Diag", label, f"needs the shape of {d.name} of rank {rank}, got {d.shape}")
    dims = d.shape.as_list()
    n = int(np.prod(dims, dtype=np.int64))
    with name_scope(name, "Diag", [d]):
        square = matrix_diag(reshape(d, [n]))
        return reshape(square, dims + dims, name="Diag")


def diag_part(input, name: str | None = None) -> Tensor:  # noqa: A002 - TF's name
    """The diagonal of a tensor of rank 2k and shape s + s: out[i...] = input[i..., i...]."""
    x = convert_to_tensor(input)
    label = name or "DiagPart"
    rank = _rank(x, "DiagPart", label, 2)
    dims = x.shape.as_list()
    if rank == 2 and not x.shape.is_fully_defined():
        return matrix_diag_part(x, name=label)
    if rank % 2 or not x.shape.is_fully_defined() or dims[:rank // 2] != dims[rank // 2:]:
        raise build_error("DiagPart", label, f"The input must be of even rank with equal halves, got {x.shape}")
    n = int(np.prod(dims[:rank // 2], dtype=np.int64))
    with name_scope(name, "DiagPart", [x]):
        return reshape(matrix_diag_part(reshape(x, [n, n])), dims[:rank // 2], name="DiagPart")


def trace(x, name: str | None = None) -> Tensor:
    """The sum of the main diagonal of each matrix in the last two dims."""
    x = convert_to_tensor(x)
    with name_scope(name, "Trace", [x]):
        return reduce_sum(matrix_diag_part(x), axis=-1, name="Trace")


def matrix_set_diag(input, diagonal, name: str = "set_diag", k=0, align="RIGHT_LEFT") -> Tensor:  # noqa: A002
    """input with the main diagonal of each matrix replaced by `diagonal`."""
    x, d = convert_to_tensor(input), convert_to_tensor(diagonal)
    _rank(x, "MatrixSetDiag", name, 2)
    m, n = x.shape.as_list()[-2:]
    if m is None or n is None:  # d[..., min(i, k-1)] where i == j, the step's values giving m and n
        from .math_ops import minimum
        with name_scope(name, "set_diag", [x, d]):
            rows, cols = _positions(x, x.shape.ndims - 2), _positions(x, x.shape.ndims - 1)
            mask = make("dfc.equal", [expand_dims(rows, 1), expand_dims(cols, 0)])
            last = gather(make("dfc.shape_of", [d], {"dtype": rows.dtype}), d.shape.ndims - 1) - 1
            spread = expand_dims(gather(d, minimum(rows, last), axis=d.shape.ndims - 1), -1)
            return make("dfc.select", [mask, spread, x], name="MatrixSetDiag")
    with name_scope(name, "set_diag", [x, d]):
        k_ = min(m, n)
        mask = constant(np.eye(m, n, dtype=bool))
        # d[..., i] spread along the rows: [..., k] -> [..., m, n] where the mask holds
        rows = expand_dims(d, -1)
        if k_ < m:
            from .tensor_ops import pad
            pads = [[0, 0]] * (d.shape.ndims - 1) + [[0, m - k_], [0, 0]]
            rows = pad(rows, pads)
        return make("dfc.select", [mask, rows, x], name="MatrixSetDiag")


def matrix_band_part(input, num_lower, num_upper, name: str | None = None) -> Tensor:  # noqa: A002
    """Zero each matrix outside the band: keep (i, j) where (num_lower < 0 or i - j <= num_lower) and
    (num_upper < 0 or j - i <= num_upper)."""
    x = convert_to_tensor(input)
    label = name or "MatrixBandPart"
    rank = _rank(x, "MatrixBandPart", label, 2)
    m, n = x.shape.as_list()[-2:]
    if m is None or n is None or any(isinstance(b, Tensor) and constant_value(b) is None
                                     for b in (num_lower, num_upper)):
        return _band_by_tensors(x, rank, num_lower, num_upper, name)
    lower, upper = check_int(num_lower, "num_lower"), check_int(num_upper, "num_upper")
    if lower > m:
        raise build_error("MatrixBandPart", label, f"num_lower must be negative or less or equal to number of rows "
                                                   f"({m}) got: {lower}")
    if upper > n:
        raise build_error("MatrixBandPart", label, f"num_upper must be negative or less or equal to number of "
                                                   f"columns ({n}) got: {upper}")
    i, j = np.ogrid[:m, :n]
    keep = ((lower < 0) | (i - j <= lower)) & ((upper < 0) | (j - i <= upper))
    return make("dfc.select", [constant(keep), x, constant(np.zeros((), x.dtype.np))], name=label)


band_part = matrix_band_part


def _band_by_tensors(x: Tensor, rank: int, num_lower, num_upper, name: str | None) -> Tensor:
    """matrix_band_part of matrices whose dims, or band widths, the step's values give (the causal mask
    tf.matrix_band_part(tf.ones([t, t]), -1, 0) of a fed sequence length)."""
    from .array_ops import range as range_, shape, zeros_like
    from .math_ops import cast, less, less_equal, logical_and, logical_or, subtract
    with name_scope(name, "MatrixBandPart", [x]):
        dims = x.shape.as_list()[-2:]
        sizes = [d if d is not None else shape(x)[rank - 2 + k] for k, d in enumerate(dims)]
        i = expand_dims(range_(sizes[0]), 1)
        j = expand_dims(range_(sizes[1]), 0)
        lower, upper = (cast(b, "int32") if isinstance(b, Tensor) else convert_to_tensor(check_int(b, what), "int32")
                        for b, what in ((num_lower, "num_lower"), (num_upper, "num_upper")))
        zero = convert_to_tensor(0, "int32")
        keep = logical_and(logical_or(less(lower, zero), less_equal(subtract(i, j), lower)),
                           logical_or(less(upper, zero), less_equal(subtract(j, i), upper)))
        return make("dfc.select", [keep, x, zeros_like(x)], name="MatrixBandPart")


def matrix_transpose(a, name: str = "matrix_transpose", conjugate: bool = False) -> Tensor:
    x = convert_to_tensor(a)
    rank = _rank(x, "matrix_transpose", name, 2)
    return transpose(x, list(builtins.range(rank - 2)) + [rank - 1, rank - 2], name=name, conjugate=conjugate)


# ---- einsum / tensordot ----------------------------------------------------------------------------
_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _parse(equation: str, tensors: list[Tensor], name: str) -> tuple[list[str], str]:
    eq = equation.replace(" ", "")
    if "->" in eq:
        lhs, out = eq.split("->")
    else:
        lhs, out = eq, None
    terms = lhs.split(",")
    if len(terms) != len(tensors):
        raise build_error("Einsum", name, f"equation {equation!r} has {len(terms)} inputs, got {len(tensors)} tensors")
    used = set(re.sub(r"[^A-Za-z]", "", eq))
    spare = [c for c in _LETTERS if c not in used]
    ellipsis_rank = 0
    for t, x in zip(terms, tensors):
        if "..." in t:
            ellipsis_rank = max(ellipsis_rank, _rank(x, "Einsum", name) - len(t.replace("...", "")))
    filled = []
    for t, x in zip(terms, tensors):
        if "..." in t:
            r = _rank(x, "Einsum", name) - len(t.replace("...", ""))
            t = t.replace("...", "".join(spare[ellipsis_rank - r:ellipsis_rank]))
        if not re.fullmatch(r"[A-Za-z]*", t) or len(t) != _rank(x, "Einsum", name):
            raise build_error("Einsum", name, f"term {t!r} of {equation!r} does not match {x.name} of shape "
                                              f"{x.shape}")
        filled.append(t)
    if out is None:
        counts = {c: "".join(filled).count(c) for c in "".join(filled)}
        out = "".join(spare[:ellipsis_rank]) + "".join(sorted(c for c, k in counts.items()
                                                               if k == 1 and c not in spare[:ellipsis_rank]))
    else:
        out = out.replace("...", "".join(spare[:ellipsis_rank]))
        if not re.fullmatch(r"[A-Za-z]*", out) or len(set(out)) != len(out):
            raise build_error("Einsum", name, f"bad output subscripts in {equation!r}")
        missing = set(out) - set("".join(filled))
        if missing:
            raise build_error("Einsum", name, f"output subscripts {sorted(missing)} of {equation!r} appear in no input")
    return filled, out


def _take_diagonals(x: Tensor, term: str, name: str) -> tuple[Tensor, str]:
    """Collapse a subscript repeated within one term (ii) to one axis holding the diagonal."""
    while len(set(term)) != len(term):
        c = next(c for c in term if term.count(c) > 1)
        first, second = term.index(c), term.index(c, term.index(c) + 1)
        rest = [i for i in builtins.range(len(term)) if i not in (first, second)]
        x = transpose(x, rest + [first, second])
        term = "".join(term[i] for i in rest) + c + c
        x = matrix_diag_part(x)
        term = term[:-1]
    return x, term


def _contract(a: Tensor, ta: str, b: Tensor, tb: str, keep: set[str], name: str) -> tuple[Tensor, str]:
    """a and b combined over their shared subscripts: those in `keep` stay as batch dims, the others are summed."""
    dim: dict[str, int | None] = {}
    where: dict[str, tuple[Tensor, int]] = {}  # an input and axis that has the subscript's size when unknown
    for x, t in ((a, ta), (b, tb)):
        for k, (c, d) in enumerate(zip(t, x.shape.as_list())):
            if d is not None and dim.get(c) not in (None, d) and 1 not in (d, dim[c]):
                raise build_error("Einsum", name, f"subscript {c} has size {dim[c]} in one input and {d} in another")
            if dim.get(c) in (None, 1):
                dim[c] = d
            if d != 1:
                where.setdefault(c, (x, k))
    batch = [c for c in ta if c in tb and c in keep]
    summed = [c for c in ta if c in tb and c not in keep]
    free_a = [c for c in ta if c not in tb]
    free_b = [c for c in tb if c not in ta]

    def size(cs: list[str]) -> int | Tensor | None:
        if all(dim[c] is not None for c in cs):
            return int(np.prod([dim[c] for c in cs], dtype=np.int64))
        if len(cs) == 1:
            return None
        from .array_ops import shape, stack
        from .math_ops import reduce_prod
        parts = [np.int32(dim[c]) if dim[c] is not None else shape(where[c][0])[where[c][1]] for c in cs]
        return reduce_prod(stack(parts))

    def new_shape(sizes: list[int | Tensor | None], cs_list: list[list[str]]) -> Any:
        unknown = [i for i, v in enumerate(sizes) if not isinstance(v, int)]
        if len(unknown) <= 1:
            return [-1 if not isinstance(v, int) else v for v in sizes]
        from .array_ops import shape, stack
        parts = []
        for v, cs in zip(sizes, cs_list):
            if v is None:  # one unknown subscript: its size read off an input
                v = shape(where[cs[0]][0])[where[cs[0]][1]]
            parts.append(np.int32(v) if isinstance(v, int) else v)
        return stack(parts)

    a3 = transpose(a, [ta.index(c) for c in batch + free_a + summed])
    b3 = transpose(b, [tb.index(c) for c in batch + summed + free_b])
    a3 = reshape(a3, new_shape([size(batch), size(free_a), size(summed)], [batch, free_a, summed]))
    b3 = reshape(b3, new_shape([size(batch), size(summed), size(free_b)], [batch, summed, free_b]))
    product = matmul(a3, b3)
    out_term = "".join(batch + free_a + free_b)
    result = reshape(product, new_shape([dim[c] for c in out_term], [[c] for c in out_term]))
    result.set_shape([dim[c] for c in out_term])  # a shape computed at run time keeps the dims known here
    return result, out_term


def einsum(equation: str, *inputs, **kwargs) -> Tensor:
    """Einstein summation: transposes, diagonals, sums and contractions of the inputs as the equation says."""
    name = kwargs.pop("name", None) or "einsum"
    kwargs.pop("optimize", None)
    if kwargs:
        raise TypeError(f"invalid keyword arguments for einsum: {sorted(kwargs)}")
    if len(inputs) == 1 and isinstance(inputs[0], (list, tuple)):
        inputs = tuple(inputs[0])
    tensors = [convert_to_tensor(x) for x in inputs]
    if not tensors:
        raise build_error("Einsum", name, "einsum needs at least one input")
    terms, out = _parse(equation, tensors, name)
    with name_scope(name, "einsum", tensors):
        items = []
        for x, t in zip(tensors, terms):
            x, t = _take_diagonals(x, t, name)
            items.append((x, t))
        # sum away each subscript that appears in one input only and not in the output
        for i, (x, t) in enumerate(items):
            elsewhere = set(out).union(*(set(u) for j, (_, u) in enumerate(items) if j != i))
            lonely = [k for k, c in enumerate(t) if c not in elsewhere]
            if lonely:
                x = reduce_sum(x, axis=lonely)
                t = "".join(c for k, c in enumerate(t) if k not in lonely)
            items[i] = (x, t)
        x, t = items[0]
        for j in builtins.range(1, len(items)):
            later = set(out).union(*(set(u) for _, u in items[j + 1:]))
            x, t = _contract(x, t, items[j][0], items[j][1], later, name)
        extra = [k for k, c in enumerate(t) if c not in out]
        if extra:
            x = reduce_sum(x, axis=extra)
            t = "".join(c for c in t if c in out)
        if t != out:
            x = transpose(x, [t.index(c) for c in out])
        return x


def tensordot(a, b, axes, name: str | None = None) -> Tensor:
    """sum over a's `axes[0]` and b's `axes[1]` (an int N: a's last N with b's first N)."""
    a, b = convert_to_tensor(a), convert_to_tensor(b)
    label = name or "Tensordot"
    ra, rb = _rank(a, "Tensordot", label), _rank(b, "Tensordot", label)
    if isinstance(axes, Tensor):
        from .framework import constant_value
        axes = constant_value(axes)
        if axes is None:
            raise build_error("Tensordot", label, "axes must be a constant")
        axes = axes.tolist()
    if isinstance(axes, (int, np.integer)):
        n = int(axes)
        if not 0 <= n <= min(ra, rb):
            raise build_error("Tensordot", label, f"axes {n} must be in [0, {min(ra, rb)}]")
        axes_a, axes_b = list(builtins.range(ra - n, ra)), list(builtins.range(n))
    else:
        if len(axes) != 2:
            raise build_error("Tensordot", label, f"axes must be an int or a pair of lists, got {axes!r}")
        axes_a = [int(v) % ra for v in np.atleast_1d(axes[0])]
        axes_b = [int(v) % rb for v in np.atleast_1d(axes[1])]
        if len(axes_a) != len(axes_b):
            raise build_error("Tensordot", label, f"different number of contraction axes 'a' and 'b', "
                                                  f"{len(axes_a)} != {len(axes_b)}")
    letters = iter(_LETTERS)
    ta = [next(letters) for _ in builtins.range(ra)]
    tb = [next(letters) for _ in builtins.range(rb)]
    for i, j in zip(axes_a, axes_b):
        tb[j] = ta[i]
    out = [c for k, c in enumerate(ta) if k not in axes_a] + [c for k, c in enumerate(tb) if k not in axes_b]
    return einsum(f"{''.join(ta)},{''.join(tb)}->{''.join(out)}", a, b, name=label)


__all__ = ["band_part", "diag", "diag_part", "einsum", "eye", "matrix_band_part", "matrix_diag", "matrix_diag_part",
           "matrix_set_diag", "matrix_transpose", "tensordot", "trace"]
