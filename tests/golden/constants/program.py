"""Golden case: the seed's first program, two constants and their sum (folds to 7.0)."""

import dfc as tf

node1 = tf.constant(3.0, dtype=tf.float32)
node2 = tf.constant(4.0, dtype=tf.float32)
node3 = tf.add(node1, node2)
print(tf.Session().run(node3))
