"""Golden case (run 2): the seed's softmax model and its cross-entropy against fed labels."""

import numpy as np

import dfc as tf

tf.set_random_seed(0)
x = tf.placeholder(tf.float32, [None, 784])
W = tf.Variable(tf.random_uniform((784, 10), -0.01, 0.01))
b = tf.Variable(tf.zeros((10,)))
prediction = tf.nn.softmax(tf.matmul(x, W) + b)
label = tf.placeholder(tf.float32, [None, 10])
cross_entropy = tf.reduce_mean(-tf.reduce_sum(label * tf.log(prediction), reduction_indices=[1]))

sess = tf.Session()
sess.run(tf.initialize_all_variables())
batch_x = np.random.random((32, 784))
batch_label = np.eye(10)[np.random.randint(0, 10, size=32)]
print(sess.run(cross_entropy, feed_dict={x: batch_x, label: batch_label}))
