"dfc.graph"() ({
^bb0(%Placeholder: tensor<100x784xf32>):
  %Variable = "dfc.variable"() {name = "Variable"} : () -> tensor<100xf32> loc("tests/golden/relu_layer/program.py":8:5)
  %Variable_1 = "dfc.variable"() {name = "Variable_1"} : () -> tensor<784x100xf32> loc("tests/golden/relu_layer/program.py":9:5)
  %fusion = "dfc.fused"(%Placeholder, %Variable_1, %Variable) ({
  ^bb0(%in0: tensor<100x784xf32>, %in1: tensor<784x100xf32>, %in2: tensor<100xf32>):
    %MatMul = "dfc.matmul"(%in0, %in1) {transpose_a = false, transpose_b = false} : (tensor<100x784xf32>, tensor<784x100xf32>) -> tensor<100x100xf32> loc("tests/golden/relu_layer/program.py":11:16)
    %add = "dfc.add"(%MatMul, %in2) : (tensor<100x100xf32>, tensor<100xf32>) -> tensor<100x100xf32> loc("tests/golden/relu_layer/program.py":11:16)
    %Relu = "dfc.relu"(%add) : (tensor<100x100xf32>) -> tensor<100x100xf32> loc("tests/golden/relu_layer/program.py":11:5)
    "dfc.yield"(%Relu) : (tensor<100x100xf32>) -> ()
  }) {kind = "matmul"} : (tensor<100x784xf32>, tensor<784x100xf32>, tensor<100xf32>) -> tensor<100x100xf32> loc("tests/golden/relu_layer/program.py":11:5)
  "dfc.fetch"(%fusion) : (tensor<100x100xf32>) -> ()
}) {sym_name = "main"} : () -> ()
