"""Golden case (run 2): a cond on an is_training placeholder and a while_loop, with the loss's gradient."""

import numpy as np

import dfc as tf

x = tf.placeholder(tf.float32, (None, 3))
training = tf.placeholder(tf.bool, ())
w = tf.Variable(tf.ones((3, 3)) * 0.5)
h = tf.cond(training, lambda: tf.matmul(x, w) * 2.0, lambda: tf.tanh(x))
_, z = tf.while_loop(lambda i, z: i < 3, lambda i, z: (i + 1, tf.tanh(z) + h), [tf.constant(0), h])
loss = tf.reduce_sum(z * z)
step = tf.train.GradientDescentOptimizer(0.1).minimize(loss)

sess = tf.Session()
sess.run(tf.global_variables_initializer())
print(sess.run([loss, step], {x: np.ones((2, 3)), training: True})[0])
