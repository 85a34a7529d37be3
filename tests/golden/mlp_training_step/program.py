"""Golden case (run 2): one training step of a two-layer perceptron (autodiff and SGD updates)."""

import numpy as np

import dfc as tf

tf.set_random_seed(0)
x = tf.placeholder(tf.float32, [None, 16], name="images")
label = tf.placeholder(tf.float32, [None, 10], name="labels")
with tf.variable_scope("hidden"):
    W1 = tf.get_variable("weights", [16, 32], initializer=tf.random_normal_initializer(stddev=0.1))
    b1 = tf.get_variable("bias", [32], initializer=tf.zeros_initializer())
    h = tf.nn.relu(tf.matmul(x, W1) + b1)
with tf.variable_scope("output"):
    W2 = tf.get_variable("weights", [32, 10], initializer=tf.random_normal_initializer(stddev=0.1))
    b2 = tf.get_variable("bias", [10], initializer=tf.zeros_initializer())
    prediction = tf.nn.softmax(tf.matmul(h, W2) + b2)
cross_entropy = tf.reduce_mean(-tf.reduce_sum(label * tf.log(prediction), reduction_indices=[1]))
train_step = tf.train.GradientDescentOptimizer(0.5).minimize(cross_entropy)

sess = tf.Session()
sess.run(tf.global_variables_initializer())
rng = np.random.default_rng(0)
batch_x, batch_label = rng.random((8, 16)), np.eye(10)[rng.integers(0, 10, size=8)]
sess.run(train_step, feed_dict={x: batch_x, label: batch_label})
