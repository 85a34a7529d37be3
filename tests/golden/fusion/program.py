"""Golden case: the elementwise chain relu(x*1.5+0.25)*0.5-0.125 over 4M elements becomes ONE fused kernel."""

import numpy as np

import dfc as tf

n = 1 << 22
x = tf.placeholder(tf.float32, (n,), name="x")
y = tf.nn.relu(x * 1.5 + 0.25) * 0.5 - 0.125
print(float(tf.Session().run(y, {x: np.linspace(-1, 1, n, dtype=np.float32)})[-1]))
