"""Golden case (run 2): one training step of the seed's softmax regression: its gradient graph, pinned."""

import numpy as np

import dfc as tf

tf.set_random_seed(0)
x = tf.placeholder(tf.float32, [None, 784], name="x")
label = tf.placeholder(tf.float32, [None, 10], name="label")
W = tf.Variable(tf.zeros((784, 10)), name="W")
b = tf.Variable(tf.zeros((10,)), name="b")
prediction = tf.nn.softmax(tf.matmul(x, W) + b)
cross_entropy = tf.reduce_mean(-tf.reduce_sum(label * tf.log(prediction), reduction_indices=[1]))
train_step = tf.train.GradientDescentOptimizer(0.5).minimize(cross_entropy)

sess = tf.Session()
sess.run(tf.initialize_all_variables())
rng = np.random.default_rng(0)
batch_x, batch_label = rng.random((100, 784)), np.eye(10)[rng.integers(0, 10, size=100)]
sess.run(train_step, feed_dict={x: batch_x, label: batch_label})
