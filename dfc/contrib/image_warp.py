"""tf.contrib.image's warps: dense_image_warp (a bilinear read at each pixel minus its flow), and sparse_image_warp,
which warps by the dense flow a polyharmonic spline (interpolate_spline) fits through a few control points
(SpecAugment's time warping uses it).

As TF1: the spline solves [[phi(|c_i - c_j|^2), [c 1]], [[c 1]^T, 0]] [w; v] = [f; 0] with matrix_solve (plus
regularization_weight on the diagonal) and evaluates sum_j w_j phi(|q - c_j|^2) + v . [q 1]; phi is r^(k/2)
for odd orders k and r^(k/2) log(r) / 2 for even ones, on r clamped below at 1e-10.
"""

from __future__ import annotations

import numpy as np

from .. import dtypes as _dt
from ..array_ops import concat, expand_dims, gather, ones_like, reshape, shape, stack, transpose, unstack, zeros
from ..array_ops import range as _range
from ..framework import Tensor, convert_to_tensor, name_scope
from ..linalg_ops import eye, matrix_diag_part
from ..math_ops import cast, floor, log, matmul, maximum, minimum, pow, reduce_sum, sqrt, square
from ..matrix_ops import matrix_solve
from ..tensor_ops import meshgrid

__all__ = ["dense_image_warp", "interpolate_spline", "sparse_image_warp"]

EPSILON = 1e-10


def _phi(r: Tensor, order: int) -> Tensor:
    with name_scope("phi"):
        if order == 1:
            return sqrt(maximum(r, EPSILON))
        if order == 2:
            return 0.5 * r * log(maximum(r, EPSILON))
        if order == 4:
            return 0.5 * square(r) * log(maximum(r, EPSILON))
        r = maximum(r, EPSILON)
        if order % 2 == 0:
            return 0.5 * pow(r, 0.5 * order) * log(r)
        return pow(r, 0.5 * order)


def _cross_squared_distances(x: Tensor, y: Tensor) -> Tensor:
    x_norms = expand_dims(reduce_sum(square(x), 2), 2)
    y_norms = expand_dims(reduce_sum(square(y), 2), 1)
    return x_norms - 2 * matmul(x, y, adjoint_b=True) + y_norms


def _pairwise_squared_distances(x: Tensor) -> Tensor:
    gram = matmul(x, x, adjoint_b=True)
    norms = expand_dims(matrix_diag_part(gram), 2)
    return norms - 2 * gram + transpose(norms, [0, 2, 1])


def _solve_interpolation(points: Tensor, values: Tensor, order: int, regularization_weight: float):
    b, n, d = points.shape.as_list()
    k = values.shape.as_list()[2]
    if None in (b, n, d, k):
        raise ValueError(f"interpolate_spline needs train_points and train_values of known shapes: got "
                         f"{points.name} {points.shape} and {values.name} {values.shape}")
    with name_scope("construct_linear_system"):
        matrix_a = _phi(_pairwise_squared_distances(points), order)
        if regularization_weight > 0:
            matrix_a += regularization_weight * expand_dims(eye(n, dtype=points.dtype), 0)
        matrix_b = concat([points, ones_like(points[..., :1])], 2)
        left = concat([matrix_a, transpose(matrix_b, [0, 2, 1])], 1)
        right = concat([matrix_b, zeros([b, d + 1, d + 1], points.dtype)], 1)
        lhs = concat([left, right], 2)
        rhs = concat([values, zeros([b, d + 1, k], points.dtype)], 1)
    with name_scope("solve_linear_system"):
        w_v = matrix_solve(lhs, rhs)
        return w_v[:, :n, :], w_v[:, n:, :]


def interpolate_spline(train_points, train_values, query_points, order: int, regularization_weight: float = 0.0,
                       name: str = "interpolate_spline") -> Tensor:
    """The polyharmonic spline of `order` through train_values [b, n, k] at train_points [b, n, d], evaluated at
    query_points [b, m, d]: [b, m, k]."""
    with name_scope(name):
        train_points = convert_to_tensor(train_points)
        train_values = convert_to_tensor(train_values)
        query_points = convert_to_tensor(query_points)
        with name_scope("solve"):
            w, v = _solve_interpolation(train_points, train_values, order, regularization_weight)
        with name_scope("predict"):
            rbf = matmul(_phi(_cross_squared_distances(query_points, train_points), order), w)
            padded = concat([query_points, ones_like(query_points[..., :1])], 2)
            return rbf + matmul(padded, v)


def _interpolate_bilinear(grid: Tensor, query_points: Tensor, indexing: str = "ij") -> Tensor:
    """grid [B, H, W, C] read at query_points [B, N, 2] by bilinear interpolation, clamped to the grid's edge."""
    if indexing not in ("ij", "xy"):
        raise ValueError("Indexing mode must be 'ij' or 'xy'")
    if grid.shape.ndims != 4:
        raise ValueError(f"Grid must be 4 dimensional. Received size: {grid.shape} ({grid.name})")
    if query_points.shape.ndims != 3:
        raise ValueError(f"Query points must be 3 dimensional: {query_points.name} has shape {query_points.shape}")
    if query_points.shape[2] is not None and query_points.shape[2] != 2:
        raise ValueError(f"Query points must be size 2 in dim 2: {query_points.name} has shape {query_points.shape}")
    if grid.shape[1] is not None and grid.shape[1] < 2:
        raise ValueError(f"Grid height must be at least 2: {grid.name} has shape {grid.shape}")
    if grid.shape[2] is not None and grid.shape[2] < 2:
        raise ValueError(f"Grid width must be at least 2: {grid.name} has shape {grid.shape}")
    batch, height, width, channels = unstack(shape(grid, out_type=_dt.int32), num=4)
    count = shape(query_points, out_type=_dt.int32)[1]
    points = unstack(query_points, num=2, axis=2)
    alphas, floors, ceils = [], [], []
    for dim in ([0, 1] if indexing == "ij" else [1, 0]):
        with name_scope(f"dim-{dim}"):
            queries = points[dim]
            top = cast((height, width)[dim] - 2, query_points.dtype)
            low = minimum(maximum(convert_to_tensor(0.0, dtype=query_points.dtype), floor(queries)), top)
            int_floor = cast(low, _dt.int32)
            floors.append(int_floor)
            ceils.append(int_floor + 1)
            alpha = cast(queries - low, grid.dtype)
            alpha = minimum(maximum(convert_to_tensor(0.0, dtype=grid.dtype), alpha),
                            convert_to_tensor(1.0, dtype=grid.dtype))
            alphas.append(expand_dims(alpha, 2))
    flat = reshape(grid, stack([batch * height * width, channels]))
    offsets = reshape(_range(batch) * height * width, stack([batch, 1]))

    def at(y: Tensor, x: Tensor, label: str) -> Tensor:
        with name_scope("gather-" + label):
            return reshape(gather(flat, offsets + y * width + x), stack([batch, count, channels]))

    top_left, top_right = at(floors[0], floors[1], "top_left"), at(floors[0], ceils[1], "top_right")
    bottom_left, bottom_right = at(ceils[0], floors[1], "bottom_left"), at(ceils[0], ceils[1], "bottom_right")
    with name_scope("interpolate"):
        interp_top = alphas[1] * (top_right - top_left) + top_left
        interp_bottom = alphas[1] * (bottom_right - bottom_left) + bottom_left
        return alphas[0] * (interp_bottom - interp_top) + interp_top


def dense_image_warp(image, flow, name: str = "dense_image_warp") -> Tensor:
    """output[b, j, i] = image[b, j - flow[b, j, i, 0], i - flow[b, j, i, 1]] by bilinear interpolation."""
    with name_scope(name):
        image, flow = convert_to_tensor(image, name="image"), convert_to_tensor(flow, name="flow")
        if image.shape.ndims != 4:
            raise ValueError(f"Grid must be 4 dimensional. Received size: {image.shape} ({image.name})")
        if flow.shape.ndims != 4:
            raise ValueError(f"Query points must be 3 dimensional: flow {flow.name} of shape {flow.shape} must be 4-D "
                             f"[batch, height, width, 2]")
        batch, height, width, channels = unstack(shape(image, out_type=_dt.int32), num=4)
        grid_x, grid_y = meshgrid(_range(width), _range(height))
        stacked = cast(stack([grid_y, grid_x], axis=2), flow.dtype)
        queries = reshape(expand_dims(stacked, 0) - flow, stack([batch, height * width, 2]))
        warped = _interpolate_bilinear(image, queries)
        out = reshape(warped, stack([batch, height, width, channels]))
        out.set_shape(image.shape)
        return out


def _grid(height: int, width: int) -> np.ndarray:
    ys, xs = np.meshgrid(np.linspace(0, height - 1, height), np.linspace(0, width - 1, width), indexing="ij")
    return np.stack((ys, xs), -1)


def _boundary(height: int, width: int, per_edge: int) -> np.ndarray:
    ys, xs = np.meshgrid(np.linspace(0, height - 1, per_edge + 2), np.linspace(0, width - 1, per_edge + 2),
                         indexing="ij")
    edge = (xs == 0) | (xs == width - 1) | (ys == 0) | (ys == height - 1)
    return np.stack([ys[edge], xs[edge]], axis=-1)


def sparse_image_warp(image, source_control_point_locations, dest_control_point_locations,
                      interpolation_order: int = 2, regularization_weight: float = 0.0, num_boundary_points: int = 0,
                      name: str = "sparse_image_warp") -> tuple[Tensor, Tensor]:
    """Warps image [b, h, w, c] so each source control point [b, n, 2] (y, x) moves to its destination: a spline
    fits the flow at the destinations (with num_boundary_points zero-flow points per edge when > 0), and
    dense_image_warp applies it. Returns (warped image, dense flows [b, h, w, 2])."""
    image = convert_to_tensor(image)
    source = convert_to_tensor(source_control_point_locations)
    dest = convert_to_tensor(dest_control_point_locations)
    flows = dest - source
    with name_scope(name):
        batch, height, width, _ = image.shape.as_list()
        if None in (batch, height, width):
            raise ValueError(f"sparse_image_warp needs an image of known batch, height and width: {image.name} has "
                             f"shape {image.shape}")
        grid = np.reshape(_grid(height, width), [height * width, 2])
        queries = convert_to_tensor(np.tile(grid[None], [batch, 1, 1]), dtype=image.dtype)
        if num_boundary_points > 0:
            edge = _boundary(height, width, num_boundary_points - 1)
            dest = concat([dest, convert_to_tensor(np.tile(edge[None], [batch, 1, 1]), dtype=dest.dtype)], 1)
            flows = concat([flows, convert_to_tensor(np.zeros((batch, len(edge), 2)), dtype=dest.dtype)], 1)
        dense = reshape(interpolate_spline(dest, flows, queries, interpolation_order, regularization_weight),
                        [batch, height, width, 2])
        return dense_image_warp(image, dense), dense
