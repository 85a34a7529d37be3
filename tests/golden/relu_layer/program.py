"""Golden case (run 2): the seed's ReLU layer h = relu(xW + b) on a fed batch: one matmul kernel."""

import numpy as np

import dfc as tf

tf.set_random_seed(0)
b = tf.Variable(tf.zeros((100,)))
W = tf.Variable(tf.random_uniform((784, 100), -1, 1))
x = tf.placeholder(tf.float32, (100, 784))
h = tf.nn.relu(tf.matmul(x, W) + b)

sess = tf.Session()
sess.run(tf.initialize_all_variables())
print(sess.run(h, {x: np.random.random((100, 784))}).shape)
