"""Golden case (run 2): the seed's linear-regression loss on a fed minibatch."""

import numpy as np

import dfc as tf

tf.set_random_seed(0)
X_data = np.arange(100, step=.1).reshape((1000, 1))
y_data = X_data + 20 * np.sin(X_data / 10)
n_samples, batch_size = 1000, 100

X = tf.placeholder(tf.float32, shape=(batch_size, 1))
y = tf.placeholder(tf.float32, shape=(batch_size, 1))
with tf.variable_scope("linear-regression"):
    W = tf.get_variable("weights", (1, 1), initializer=tf.random_normal_initializer())
    b = tf.get_variable("bias", (1,), initializer=tf.constant_initializer(0.0))
    y_pred = tf.matmul(X, W) + b
    loss = tf.reduce_sum((y - y_pred) ** 2 / n_samples)

with tf.Session() as sess:
    sess.run(tf.initialize_all_variables())
    indices = np.random.choice(n_samples, batch_size)
    print(sess.run(loss, feed_dict={X: X_data[indices], y: y_data[indices]}))
