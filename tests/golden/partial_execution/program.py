"""Golden case (run 2): partial execution: fetch only the head, feeding the hidden layer directly.

The fed `hidden` cuts off everything that computes it (the placeholder x, W1's matmul),
and `other`, which the fetch does not need, is pruned away.
"""

import numpy as np

import dfc as tf

tf.set_random_seed(0)
x = tf.placeholder(tf.float32, (4, 8), name="x")
W1 = tf.Variable(tf.random_normal((8, 6)), name="W1")
W2 = tf.Variable(tf.random_normal((6, 3)), name="W2")
hidden = tf.tanh(tf.matmul(x, W1), name="hidden")
head = tf.sigmoid(tf.matmul(hidden, W2) * 2.0, name="head")
other = tf.reduce_sum(hidden, name="other")

sess = tf.Session()
sess.run(tf.global_variables_initializer())
print(sess.run(head, {hidden: np.ones((4, 6))}))
