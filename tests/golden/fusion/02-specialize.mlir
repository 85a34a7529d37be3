"dfc.graph"() ({
^bb0(%x: tensor<4194304xf32>):
  %Const = "dfc.constant"() {value = dense<1.5> : tensor<f32>} : () -> tensor<f32> loc("tests/golden/fusion/program.py":9:16)
  %mul = "dfc.mul"(%x, %Const) : (tensor<4194304xf32>, tensor<f32>) -> tensor<4194304xf32> loc("tests/golden/fusion/program.py":9:16)
  %Const_1 = "dfc.constant"() {value = dense<0.25> : tensor<f32>} : () -> tensor<f32> loc("tests/golden/fusion/program.py":9:16)
  %add = "dfc.add"(%mul, %Const_1) : (tensor<4194304xf32>, tensor<f32>) -> tensor<4194304xf32> loc("tests/golden/fusion/program.py":9:16)
  %Relu = "dfc.relu"(%add) : (tensor<4194304xf32>) -> tensor<4194304xf32> loc("tests/golden/fusion/program.py":9:5)
  %Const_2 = "dfc.constant"() {value = dense<0.5> : tensor<f32>} : () -> tensor<f32> loc("tests/golden/fusion/program.py":9:5)
  %mul_1 = "dfc.mul"(%Relu, %Const_2) : (tensor<4194304xf32>, tensor<f32>) -> tensor<4194304xf32> loc("tests/golden/fusion/program.py":9:5)
  %Const_3 = "dfc.constant"() {value = dense<0.125> : tensor<f32>} : () -> tensor<f32> loc("tests/golden/fusion/program.py":9:5)
  %sub = "dfc.sub"(%mul_1, %Const_3) : (tensor<4194304xf32>, tensor<f32>) -> tensor<4194304xf32> loc("tests/golden/fusion/program.py":9:5)
  "dfc.fetch"(%sub) : (tensor<4194304xf32>) -> ()
}) {sym_name = "main"} : () -> ()
