"""The seed's parameter-server program: variables on a ps task, one matmul per worker task.

Two plain bugs of the seed are fixed: its device string said "/jobs:ps" (the field is
"job"), and each worker multiplied `input[i]` (a row) where it meant its split `inputs[i]`.
"""

import numpy as np

import dfc as tf

num_workers = 4
input = tf.placeholder(tf.float32, (100, 784))

with tf.device("/job:ps/task:0/cpu:0"):
    W = tf.Variable(tf.random_uniform((784, 100), -1, 1))
    b = tf.Variable(tf.zeros((100,)))

inputs = tf.split(0, num_workers, input)
outputs = []

for i in range(num_workers):
    with tf.device("/job:worker/task:%d/gpu:0" % i):
        outputs.append(tf.matmul(inputs[i], W) + b)

with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    results = sess.run(outputs, {input: np.random.random((100, 784))})
    print([r.shape for r in results], outputs[0].device, W.device)
