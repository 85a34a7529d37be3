"dfc.graph"() ({
^bb0(%hidden: tensor<4x6xf32>):
  %W2 = "dfc.variable"() {name = "W2"} : () -> tensor<6x3xf32> loc("tests/golden/partial_execution/program.py":14:6)
  %MatMul_1 = "dfc.matmul"(%hidden, %W2) {transpose_a = false, transpose_b = false} : (tensor<4x6xf32>, tensor<6x3xf32>) -> tensor<4x3xf32> loc("tests/golden/partial_execution/program.py":16:19)
  %Const = "dfc.constant"() {value = dense<2.0> : tensor<f32>} : () -> tensor<f32> loc("tests/golden/partial_execution/program.py":16:19)
  %mul = "dfc.mul"(%MatMul_1, %Const) : (tensor<4x3xf32>, tensor<f32>) -> tensor<4x3xf32> loc("tests/golden/partial_execution/program.py":16:19)
  %head = "dfc.sigmoid"(%mul) : (tensor<4x3xf32>) -> tensor<4x3xf32> loc("tests/golden/partial_execution/program.py":16:8)
  "dfc.fetch"(%head) : (tensor<4x3xf32>) -> ()
}) {sym_name = "main"} : () -> ()
