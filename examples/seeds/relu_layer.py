"""The seed's ReLU layer: h = relu(xW + b) on a fed batch of 100 images."""

import numpy as np

import dfc as tf

b = tf.Variable(tf.zeros((100,)))
W = tf.Variable(tf.random_uniform((784, 100), -1, 1))
x = tf.placeholder(tf.float32, (100, 784))
h = tf.nn.relu(tf.matmul(x, W) + b)

sess = tf.Session()
sess.run(tf.initialize_all_variables())
# the seed wrote np.random.random(100, 784), which numpy rejects: the shape is one tuple
out = sess.run(h, {x: np.random.random((100, 784))})
print(out.shape, out.dtype, float(out.mean()))
