"dfc.graph"() ({
^bb0(%x: tensor<2x3xf32>):
  %truediv = "dfc.constant"() {value = dense<[0.8333333, 1.1666666, 1.5]> : tensor<3xf32>} : () -> tensor<3xf32> loc("tests/golden/constant_folding/program.py":12:37)
  %add_1 = "dfc.add"(%x, %truediv) : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32> loc("tests/golden/constant_folding/program.py":12:5)
  "dfc.fetch"(%add_1) : (tensor<2x3xf32>) -> ()
}) {sym_name = "main"} : () -> ()
