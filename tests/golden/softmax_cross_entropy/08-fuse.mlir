"dfc.graph"() ({
^bb0(%Placeholder: tensor<32x784xf32>, %Placeholder_1: tensor<32x10xf32>):
  %Variable = "dfc.variable"() {name = "Variable"} : () -> tensor<784x10xf32> loc("tests/golden/softmax_cross_entropy/program.py":9:5)
  %Variable_1 = "dfc.variable"() {name = "Variable_1"} : () -> tensor<10xf32> loc("tests/golden/softmax_cross_entropy/program.py":10:5)
  %fusion = "dfc.fused"(%Placeholder, %Variable, %Variable_1) ({
  ^bb0(%in0: tensor<32x784xf32>, %in1: tensor<784x10xf32>, %in2: tensor<10xf32>):
    %MatMul = "dfc.matmul"(%in0, %in1) {transpose_a = false, transpose_b = false} : (tensor<32x784xf32>, tensor<784x10xf32>) -> tensor<32x10xf32> loc("tests/golden/softmax_cross_entropy/program.py":11:28)
    %add = "dfc.add"(%MatMul, %in2) : (tensor<32x10xf32>, tensor<10xf32>) -> tensor<32x10xf32> loc("tests/golden/softmax_cross_entropy/program.py":11:28)
    "dfc.yield"(%add) : (tensor<32x10xf32>) -> ()
  }) {kind = "matmul"} : (tensor<32x784xf32>, tensor<784x10xf32>, tensor<10xf32>) -> tensor<32x10xf32> loc("tests/golden/softmax_cross_entropy/program.py":11:28)
  %Softmax = "dfc.softmax"(%fusion) {axis = -1} : (tensor<32x10xf32>) -> tensor<32x10xf32> loc("tests/golden/softmax_cross_entropy/program.py":11:14)
  %fusion_1 = "dfc.fused"(%Softmax, %Placeholder_1) ({
  ^bb0(%in0_1: tensor<32x10xf32>, %in1_1: tensor<32x10xf32>):
    %Log = "dfc.log"(%in0_1) : (tensor<32x10xf32>) -> tensor<32x10xf32> loc("tests/golden/softmax_cross_entropy/program.py":13:55)
    %mul = "dfc.mul"(%in1_1, %Log) : (tensor<32x10xf32>, tensor<32x10xf32>) -> tensor<32x10xf32> loc("tests/golden/softmax_cross_entropy/program.py":13:47)
    %Sum = "dfc.reduce_sum"(%mul) {axes = [1], keepdims = false} : (tensor<32x10xf32>) -> tensor<32xf32> loc("tests/golden/softmax_cross_entropy/program.py":13:33)
    "dfc.yield"(%Sum) : (tensor<32xf32>) -> ()
  }) {kind = "reduction"} : (tensor<32x10xf32>, tensor<32x10xf32>) -> tensor<32xf32> loc("tests/golden/softmax_cross_entropy/program.py":13:33)
  %fusion_2 = "dfc.fused"(%fusion_1) ({
  ^bb0(%in0_2: tensor<32xf32>):
    %Neg = "dfc.neg"(%in0_2) : (tensor<32xf32>) -> tensor<32xf32> loc("tests/golden/softmax_cross_entropy/program.py":13:32)
    %Mean = "dfc.reduce_mean"(%Neg) {axes = [0], keepdims = false} : (tensor<32xf32>) -> tensor<f32> loc("tests/golden/softmax_cross_entropy/program.py":13:17)
    "dfc.yield"(%Mean) : (tensor<f32>) -> ()
  }) {kind = "reduction"} : (tensor<32xf32>) -> tensor<f32> loc("tests/golden/softmax_cross_entropy/program.py":13:17)
  "dfc.fetch"(%fusion_2) : (tensor<f32>) -> ()
}) {sym_name = "main"} : () -> ()
