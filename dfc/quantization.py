"""tf.quantization: TF1.14+'s home of the fake-quantization functions (dfc/fake_quant.py).

TF's integer quantize/dequantize ops need its quantized dtypes (qint8, quint8, ...), which dfc does not have.
"""

from __future__ import annotations

from .fake_quant import (fake_quant_with_min_max_args, fake_quant_with_min_max_args_gradient,  # noqa: F401
                         fake_quant_with_min_max_vars, fake_quant_with_min_max_vars_gradient,
                         fake_quant_with_min_max_vars_per_channel, fake_quant_with_min_max_vars_per_channel_gradient)

__all__ = ["fake_quant_with_min_max_args", "fake_quant_with_min_max_args_gradient", "fake_quant_with_min_max_vars",
           "fake_quant_with_min_max_vars_gradient", "fake_quant_with_min_max_vars_per_channel",
           "fake_quant_with_min_max_vars_per_channel_gradient"]
