"dfc.graph"() ({
^bb0(%Placeholder: tensor<32x784xf32>, %Placeholder_1: tensor<32x10xf32>):
  %Variable = "dfc.variable"() {name = "Variable"} : () -> tensor<784x10xf32> loc("tests/golden/softmax_cross_entropy/program.py":9:5)
  %Variable_1 = "dfc.variable"() {name = "Variable_1"} : () -> tensor<10xf32> loc("tests/golden/softmax_cross_entropy/program.py":10:5)
  %MatMul = "dfc.matmul"(%Placeholder, %Variable) {transpose_a = false, transpose_b = false} : (tensor<32x784xf32>, tensor<784x10xf32>) -> tensor<32x10xf32> loc("tests/golden/softmax_cross_entropy/program.py":11:28)
  %add = "dfc.add"(%MatMul, %Variable_1) : (tensor<32x10xf32>, tensor<10xf32>) -> tensor<32x10xf32> loc("tests/golden/softmax_cross_entropy/program.py":11:28)
  %Softmax = "dfc.softmax"(%add) {axis = -1} : (tensor<32x10xf32>) -> tensor<32x10xf32> loc("tests/golden/softmax_cross_entropy/program.py":11:14)
  %Log = "dfc.log"(%Softmax) : (tensor<32x10xf32>) -> tensor<32x10xf32> loc("tests/golden/softmax_cross_entropy/program.py":13:55)
  %mul = "dfc.mul"(%Placeholder_1, %Log) : (tensor<32x10xf32>, tensor<32x10xf32>) -> tensor<32x10xf32> loc("tests/golden/softmax_cross_entropy/program.py":13:47)
  %Sum = "dfc.reduce_sum"(%mul) {axes = [1], keepdims = false} : (tensor<32x10xf32>) -> tensor<32xf32> loc("tests/golden/softmax_cross_entropy/program.py":13:33)
  %Neg = "dfc.neg"(%Sum) : (tensor<32xf32>) -> tensor<32xf32> loc("tests/golden/softmax_cross_entropy/program.py":13:32)
  %Mean = "dfc.reduce_mean"(%Neg) {axes = [0], keepdims = false} : (tensor<32xf32>) -> tensor<f32> loc("tests/golden/softmax_cross_entropy/program.py":13:17)
  "dfc.fetch"(%Mean) : (tensor<f32>) -> ()
}) {sym_name = "main"} : () -> ()
