"dfc.graph"() ({
  %Add = "dfc.constant"() {value = dense<7.0> : tensor<f32>} : () -> tensor<f32> loc("tests/golden/constants/program.py":7:9)
  "dfc.fetch"(%Add) : (tensor<f32>) -> ()
}) {sym_name = "main"} : () -> ()
