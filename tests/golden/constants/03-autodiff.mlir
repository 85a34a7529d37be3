"dfc.graph"() ({
  %Const = "dfc.constant"() {value = dense<3.0> : tensor<f32>} : () -> tensor<f32> loc("tests/golden/constants/program.py":5:9)
  %Const_1 = "dfc.constant"() {value = dense<4.0> : tensor<f32>} : () -> tensor<f32> loc("tests/golden/constants/program.py":6:9)
  %Add = "dfc.add"(%Const, %Const_1) : (tensor<f32>, tensor<f32>) -> tensor<f32> loc("tests/golden/constants/program.py":7:9)
  "dfc.fetch"(%Add) : (tensor<f32>) -> ()
}) {sym_name = "main"} : () -> ()
