"""tf.examples: the tutorial helpers TF1 shipped inside the package (`tensorflow.examples.tutorials.mnist`)."""
