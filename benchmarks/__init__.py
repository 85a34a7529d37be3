"""The side-by-side benchmark suite: dfc against numpy and, when importable, TensorFlow, JAX and PyTorch."""
