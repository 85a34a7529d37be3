"dfc.graph"() ({
^bb0(%Placeholder: tensor<100x784xf32>):
  %Variable = "dfc.variable"() {name = "Variable"} : () -> tensor<100xf32> loc("tests/golden/relu_layer/program.py":8:5)
  %Variable_1 = "dfc.variable"() {name = "Variable_1"} : () -> tensor<784x100xf32> loc("tests/golden/relu_layer/program.py":9:5)
  %MatMul = "dfc.matmul"(%Placeholder, %Variable_1) {transpose_a = false, transpose_b = false} : (tensor<100x784xf32>, tensor<784x100xf32>) -> tensor<100x100xf32> loc("tests/golden/relu_layer/program.py":11:16)
  %add = "dfc.add"(%MatMul, %Variable) : (tensor<100x100xf32>, tensor<100xf32>) -> tensor<100x100xf32> loc("tests/golden/relu_layer/program.py":11:16)
  %Relu = "dfc.relu"(%add) : (tensor<100x100xf32>) -> tensor<100x100xf32> loc("tests/golden/relu_layer/program.py":11:5)
  "dfc.fetch"(%Relu) : (tensor<100x100xf32>) -> ()
}) {sym_name = "main"} : () -> ()
