"""`import dfc.compat.v1 as tf` (TF's `import tensorflow.compat.v1 as tf`): dfc itself, whose API is TF1's."""

import sys

import dfc

sys.modules[__name__] = dfc  # the import statement binds what sys.modules holds once the module has run
