"""Golden case: constant subexpressions fold, shapes of static tensors become constants, identities vanish."""

import numpy as np

import dfc as tf

x = tf.placeholder(tf.float32, (2, 3), name="x")
scale = tf.constant(2.0) * tf.constant(1.5) - 2.0          # folds to 1.0
offsets = tf.reduce_sum(tf.constant([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]), axis=0)  # folds to [5, 7, 9]
n = tf.cast(tf.reduce_prod(tf.shape(x)), tf.float32)        # shape_of of a static shape: 6.0
y = tf.identity(x * scale) + tf.zeros_like(x, optimize=False)  # x * 1.0 + 0 is x
z = tf.transpose(tf.transpose(y)) + offsets / n             # the double transpose goes too
print(tf.Session().run(z, {x: np.ones((2, 3))}))
