"dfc.graph"() ({
^bb0(%Placeholder: tensor<100x1xf32>, %Placeholder_1: tensor<100x1xf32>):
  %linear-regression.weights = "dfc.variable"() {name = "linear-regression/weights"} : () -> tensor<1x1xf32> loc("tests/golden/linear_regression_loss/program.py":15:9)
  %linear-regression.bias = "dfc.variable"() {name = "linear-regression/bias"} : () -> tensor<1xf32> loc("tests/golden/linear_regression_loss/program.py":16:9)
  %fusion = "dfc.fused"(%Placeholder, %linear-regression.weights, %linear-regression.bias, %Placeholder_1) ({
  ^bb0(%in0: tensor<100x1xf32>, %in1: tensor<1x1xf32>, %in2: tensor<1xf32>, %in3: tensor<100x1xf32>):
    %linear-regression.Const = "dfc.constant"() {value = dense<2.0> : tensor<f32>} : () -> tensor<f32> loc("tests/golden/linear_regression_loss/program.py":18:26)
    %linear-regression.Const_1 = "dfc.constant"() {value = dense<1000.0> : tensor<f32>} : () -> tensor<f32> loc("tests/golden/linear_regression_loss/program.py":18:26)
    %linear-regression.MatMul = "dfc.matmul"(%in0, %in1) {transpose_a = false, transpose_b = false} : (tensor<100x1xf32>, tensor<1x1xf32>) -> tensor<100x1xf32> loc("tests/golden/linear_regression_loss/program.py":17:14)
    %linear-regression.add = "dfc.add"(%linear-regression.MatMul, %in2) : (tensor<100x1xf32>, tensor<1xf32>) -> tensor<100x1xf32> loc("tests/golden/linear_regression_loss/program.py":17:14)
    %linear-regression.sub = "dfc.sub"(%in3, %linear-regression.add) : (tensor<100x1xf32>, tensor<100x1xf32>) -> tensor<100x1xf32> loc("tests/golden/linear_regression_loss/program.py":18:27)
    %linear-regression.pow = "dfc.pow"(%linear-regression.sub, %linear-regression.Const) : (tensor<100x1xf32>, tensor<f32>) -> tensor<100x1xf32> loc("tests/golden/linear_regression_loss/program.py":18:26)
    %linear-regression.truediv = "dfc.div"(%linear-regression.pow, %linear-regression.Const_1) : (tensor<100x1xf32>, tensor<f32>) -> tensor<100x1xf32> loc("tests/golden/linear_regression_loss/program.py":18:26)
    "dfc.yield"(%linear-regression.truediv) : (tensor<100x1xf32>) -> ()
  }) {kind = "matmul"} : (tensor<100x1xf32>, tensor<1x1xf32>, tensor<1xf32>, tensor<100x1xf32>) -> tensor<100x1xf32> loc("tests/golden/linear_regression_loss/program.py":18:26)
  %linear-regression.Sum = "dfc.reduce_sum"(%fusion) {axes = [0, 1], keepdims = false} : (tensor<100x1xf32>) -> tensor<f32> loc("tests/golden/linear_regression_loss/program.py":18:12)
  "dfc.fetch"(%linear-regression.Sum) : (tensor<f32>) -> ()
}) {sym_name = "main"} : () -> ()
