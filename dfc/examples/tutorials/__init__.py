"""tensorflow.examples.tutorials: the MNIST reader of TF1's tutorials (`mnist.input_data`)."""
