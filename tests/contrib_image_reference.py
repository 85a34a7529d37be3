"""TF 1.15's tf.contrib.image functions over real TensorFlow 2's kernels, for recording what TF1 computes.

TF 2 has no contrib, but keeps contrib.image's kernel as ImageProjectiveTransformV3 (with fill_mode
CONSTANT and fill_value 0 it is TF1's ImageProjectiveTransformV2) and its gradient (the output's gradient
transformed back by the inverse transforms). The wrappers below follow TF 1.15's definitions; only
tests/tf1_op_cases_contrib_image.py uses them, when `tf` is real TensorFlow.
"""

from __future__ import annotations


class ContribImageReference:
    def __init__(self, tf):
        self.tf = tf

    def _batch(self, images):
        images = self.tf.convert_to_tensor(images)
        rank = len(images.shape)
        return images, (images[None, :, :, None] if rank == 2 else images[None] if rank == 3 else images)

    @staticmethod
    def _unbatch(output, rank):
        return output[0, :, :, 0] if rank == 2 else output[0] if rank == 3 else output

    def transform(self, images, transforms, interpolation="NEAREST", output_shape=None):
        tf = self.tf
        given, batch = self._batch(images)
        if output_shape is None:  # TF1 takes the constant value of shape(images)[1:3] where it has one
            known = batch.shape.as_list()[1:3]
            output_shape = known if None not in known else tf.shape(batch)[1:3]
        transforms = tf.convert_to_tensor(transforms, tf.float32)
        if len(transforms.shape) == 1:
            transforms = transforms[None]
        out = tf.raw_ops.ImageProjectiveTransformV3(
            images=batch, transforms=transforms, output_shape=tf.convert_to_tensor(output_shape, tf.int32),
            fill_value=0.0, interpolation=interpolation.upper(), fill_mode="CONSTANT")
        return self._unbatch(out, len(given.shape))

    def angles_to_projective_transforms(self, angles, image_height, image_width):
        tf = self.tf
        angles = tf.convert_to_tensor(angles, tf.float32)
        if len(angles.shape) == 0:
            angles = angles[None]
        c, s = tf.cos(angles), tf.sin(angles)
        h, w = tf.cast(image_height, tf.float32), tf.cast(image_width, tf.float32)
        x_offset = ((w - 1) - (c * (w - 1) - s * (h - 1))) / 2.0
        y_offset = ((h - 1) - (s * (w - 1) + c * (h - 1))) / 2.0
        n = tf.shape(angles)[0]
        return tf.concat([c[:, None], -s[:, None], x_offset[:, None], s[:, None], c[:, None], y_offset[:, None],
                          tf.zeros((n, 2), tf.float32)], axis=1)

    def rotate(self, images, angles, interpolation="NEAREST"):
        tf = self.tf
        given, batch = self._batch(images)
        h = tf.cast(tf.shape(batch)[1], tf.float32)[None]
        w = tf.cast(tf.shape(batch)[2], tf.float32)[None]
        out = self.transform(batch, self.angles_to_projective_transforms(angles, h, w), interpolation)
        return self._unbatch(out, len(given.shape))

    def translations_to_projective_transforms(self, translations):
        tf = self.tf
        t = tf.convert_to_tensor(translations, tf.float32)
        if len(t.shape) == 1:
            t = t[None]
        n = tf.shape(t)[0]
        one, zero = tf.ones((n, 1), tf.float32), tf.zeros((n, 1), tf.float32)
        return tf.concat([one, zero, -t[:, 0, None], zero, one, -t[:, 1, None], tf.zeros((n, 2), tf.float32)], 1)

    def translate(self, images, translations, interpolation="NEAREST"):
        return self.transform(images, self.translations_to_projective_transforms(translations), interpolation)

    def flat_transforms_to_matrices(self, transforms):
        tf = self.tf
        transforms = tf.reshape(transforms, [-1, 8])
        return tf.reshape(tf.concat([transforms, tf.ones([tf.shape(transforms)[0], 1])], 1), [-1, 3, 3])

    def matrices_to_flat_transforms(self, matrices):
        tf = self.tf
        flat = tf.reshape(matrices, [-1, 9])
        return (flat / flat[:, 8:9])[:, :8]

    def compose_transforms(self, *transforms):
        composed = self.flat_transforms_to_matrices(transforms[0])
        for t in transforms[1:]:
            composed = self.tf.matmul(composed, self.flat_transforms_to_matrices(t))
        return self.matrices_to_flat_transforms(composed)

    def dense_image_warp(self, image, flow):
        """TF 1.15's definition: a bilinear read (clamped to the edge) at each pixel minus its flow."""
        tf = self.tf
        b, h, w, c = (tf.shape(image)[k] for k in range(4))
        gx, gy = tf.meshgrid(tf.range(w), tf.range(h))
        grid = tf.cast(tf.stack([gy, gx], axis=2), flow.dtype)
        queries = tf.reshape(grid[None] - flow, [b, h * w, 2])
        alphas, floors, ceils = [], [], []
        for dim, size in ((0, h), (1, w)):
            q = queries[:, :, dim]
            low = tf.minimum(tf.maximum(0.0, tf.floor(q)), tf.cast(size - 2, q.dtype))
            floors.append(tf.cast(low, tf.int32))
            ceils.append(floors[-1] + 1)
            alphas.append(tf.minimum(tf.maximum(0.0, tf.cast(q - low, image.dtype)), 1.0)[:, :, None])
        flat = tf.reshape(image, [b * h * w, c])
        offsets = tf.reshape(tf.range(b) * h * w, [b, 1])

        def at(y, x):
            return tf.reshape(tf.gather(flat, offsets + y * w + x), [b, h * w, c])
        tl, tr, bl, br = at(floors[0], floors[1]), at(floors[0], ceils[1]), at(ceils[0], floors[1]), \
            at(ceils[0], ceils[1])
        top = alphas[1] * (tr - tl) + tl
        bottom = alphas[1] * (br - bl) + bl
        return tf.reshape(alphas[0] * (bottom - top) + top, [b, h, w, c])

    def _phi(self, r, order):
        tf = self.tf
        if order == 1:
            return tf.sqrt(tf.maximum(r, 1e-10))
        if order == 2:
            return 0.5 * r * tf.log(tf.maximum(r, 1e-10))
        if order == 4:
            return 0.5 * tf.square(r) * tf.log(tf.maximum(r, 1e-10))
        r = tf.maximum(r, 1e-10)
        return 0.5 * tf.pow(r, 0.5 * order) * tf.log(r) if order % 2 == 0 else tf.pow(r, 0.5 * order)

    def interpolate_spline(self, train_points, train_values, query_points, order, regularization_weight=0.0):
        """TF 1.15's polyharmonic spline: solve for the radial weights and the affine term, then evaluate."""
        tf = self.tf
        c, f, q = (tf.convert_to_tensor(t) for t in (train_points, train_values, query_points))
        b, n, d = c.shape.as_list()
        k = f.shape.as_list()[2]
        gram = tf.matmul(c, c, adjoint_b=True)
        norms = tf.expand_dims(tf.matrix_diag_part(gram), 2)
        a = self._phi(norms - 2 * gram + tf.transpose(norms, [0, 2, 1]), order)
        if regularization_weight > 0:
            a += regularization_weight * tf.expand_dims(tf.eye(n, dtype=c.dtype), 0)
        mb = tf.concat([c, tf.ones_like(c[..., :1])], 2)
        lhs = tf.concat([tf.concat([a, tf.transpose(mb, [0, 2, 1])], 1),
                         tf.concat([mb, tf.zeros([b, d + 1, d + 1], c.dtype)], 1)], 2)
        w_v = tf.matrix_solve(lhs, tf.concat([f, tf.zeros([b, d + 1, k], c.dtype)], 1))
        w, v = w_v[:, :n, :], w_v[:, n:, :]
        cross = (tf.expand_dims(tf.reduce_sum(tf.square(q), 2), 2) - 2 * tf.matmul(q, c, adjoint_b=True)
                 + tf.expand_dims(tf.reduce_sum(tf.square(c), 2), 1))
        return tf.matmul(self._phi(cross, order), w) + tf.matmul(tf.concat([q, tf.ones_like(q[..., :1])], 2), v)

    def sparse_image_warp(self, image, source, dest, interpolation_order=2, regularization_weight=0.0,
                          num_boundary_points=0):
        import numpy as np
        tf = self.tf
        image, source, dest = (tf.convert_to_tensor(t) for t in (image, source, dest))
        flows = dest - source
        b, h, w, _ = image.shape.as_list()
        ys, xs = np.meshgrid(np.linspace(0, h - 1, h), np.linspace(0, w - 1, w), indexing="ij")
        grid = np.tile(np.stack((ys, xs), -1).reshape(1, h * w, 2), [b, 1, 1])
        if num_boundary_points > 0:
            ys, xs = np.meshgrid(np.linspace(0, h - 1, num_boundary_points + 1),
                                 np.linspace(0, w - 1, num_boundary_points + 1), indexing="ij")
            edge = (xs == 0) | (xs == w - 1) | (ys == 0) | (ys == h - 1)
            points = np.tile(np.stack([ys[edge], xs[edge]], -1)[None], [b, 1, 1])
            dest = tf.concat([dest, tf.constant(points, dest.dtype)], 1)
            flows = tf.concat([flows, tf.zeros([b, len(points[0]), 2], dest.dtype)], 1)
        dense = tf.reshape(self.interpolate_spline(dest, flows, tf.constant(grid, image.dtype), interpolation_order,
                                                   regularization_weight), [b, h, w, 2])
        return self.dense_image_warp(image, dense), dense
