"dfc.graph"() ({
^bb0(%hidden: tensor<4x6xf32>):
  %W2 = "dfc.variable"() {name = "W2"} : () -> tensor<6x3xf32> loc("tests/golden/partial_execution/program.py":14:6)
  %fusion = "dfc.fused"(%hidden, %W2) ({
  ^bb0(%in0: tensor<4x6xf32>, %in1: tensor<6x3xf32>):
    %Const = "dfc.constant"() {value = dense<2.0> : tensor<f32>} : () -> tensor<f32> loc("tests/golden/partial_execution/program.py":16:19)
    %MatMul_1 = "dfc.matmul"(%in0, %in1) {transpose_a = false, transpose_b = false} : (tensor<4x6xf32>, tensor<6x3xf32>) -> tensor<4x3xf32> loc("tests/golden/partial_execution/program.py":16:19)
    %mul = "dfc.mul"(%MatMul_1, %Const) : (tensor<4x3xf32>, tensor<f32>) -> tensor<4x3xf32> loc("tests/golden/partial_execution/program.py":16:19)
    %head = "dfc.sigmoid"(%mul) : (tensor<4x3xf32>) -> tensor<4x3xf32> loc("tests/golden/partial_execution/program.py":16:8)
    "dfc.yield"(%head) : (tensor<4x3xf32>) -> ()
  }) {kind = "matmul"} : (tensor<4x6xf32>, tensor<6x3xf32>) -> tensor<4x3xf32> loc("tests/golden/partial_execution/program.py":16:8)
  "dfc.fetch"(%fusion) : (tensor<4x3xf32>) -> ()
}) {sym_name = "main"} : () -> ()
