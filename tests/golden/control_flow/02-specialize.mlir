"dfc.graph"() ({
^bb0(%Placeholder: tensor<2x3xf32>, %Placeholder_1: tensor<i1>):
  %Variable = "dfc.variable"() {name = "Variable"} : () -> tensor<3x3xf32> loc("tests/golden/control_flow/program.py":9:5)
  %cond = "dfc.if"(%Placeholder_1, %Placeholder, %Variable) ({
  ^bb0(%arg0: tensor<i1>, %arg1: tensor<2x3xf32>, %arg2: tensor<3x3xf32>):
    %cond.MatMul = "dfc.matmul"(%arg1, %arg2) {transpose_a = false, transpose_b = false} : (tensor<2x3xf32>, tensor<3x3xf32>) -> tensor<2x3xf32> loc("tests/golden/control_flow/program.py":10:31)
    %cond.Const = "dfc.constant"() {value = dense<2.0> : tensor<f32>} : () -> tensor<f32> loc("tests/golden/control_flow/program.py":10:31)
    %cond.mul = "dfc.mul"(%cond.MatMul, %cond.Const) : (tensor<2x3xf32>, tensor<f32>) -> tensor<2x3xf32> loc("tests/golden/control_flow/program.py":10:31)
    "dfc.yield"(%cond.mul) : (tensor<2x3xf32>) -> ()
  }, {
  ^bb0(%arg0_1: tensor<i1>, %arg1_1: tensor<2x3xf32>, %arg2_1: tensor<3x3xf32>):
    %cond.Tanh = "dfc.tanh"(%arg1_1) : (tensor<2x3xf32>) -> tensor<2x3xf32> loc("tests/golden/control_flow/program.py":10:62)
    "dfc.yield"(%cond.Tanh) : (tensor<2x3xf32>) -> ()
  }) : (tensor<i1>, tensor<2x3xf32>, tensor<3x3xf32>) -> tensor<2x3xf32> loc("tests/golden/control_flow/program.py":10:5)
  %Const_1 = "dfc.constant"() {value = dense<0> : tensor<i32>} : () -> tensor<i32> loc("tests/golden/control_flow/program.py":11:81)
  %while:2 = "dfc.while"(%Const_1, %cond, %cond) ({
  ^bb0(%arg0_2: tensor<i32>, %arg1_2: tensor<2x3xf32>, %arg2_2: tensor<2x3xf32>):
    %while.Const = "dfc.constant"() {value = dense<3> : tensor<i32>} : () -> tensor<i32> loc("tests/golden/control_flow/program.py":11:35)
    %while.Less = "dfc.less"(%arg0_2, %while.Const) : (tensor<i32>, tensor<i32>) -> tensor<i1> loc("tests/golden/control_flow/program.py":11:35)
    "dfc.yield"(%while.Less) : (tensor<i1>) -> ()
  }, {
  ^bb0(%arg0_3: tensor<i32>, %arg1_3: tensor<2x3xf32>, %arg2_3: tensor<2x3xf32>):
    %while.Const_1 = "dfc.constant"() {value = dense<1> : tensor<i32>} : () -> tensor<i32> loc("tests/golden/control_flow/program.py":11:56)
    %while.add = "dfc.add"(%arg0_3, %while.Const_1) : (tensor<i32>, tensor<i32>) -> tensor<i32> loc("tests/golden/control_flow/program.py":11:56)
    %while.Tanh = "dfc.tanh"(%arg1_3) : (tensor<2x3xf32>) -> tensor<2x3xf32> loc("tests/golden/control_flow/program.py":11:63)
    %while.add_1 = "dfc.add"(%while.Tanh, %arg2_3) : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32> loc("tests/golden/control_flow/program.py":11:63)
    "dfc.yield"(%while.add, %while.add_1) : (tensor<i32>, tensor<2x3xf32>) -> ()
  }) {num_vars = 2} : (tensor<i32>, tensor<2x3xf32>, tensor<2x3xf32>) -> (tensor<i32>, tensor<2x3xf32>) loc("tests/golden/control_flow/program.py":11:8)
  %mul_1 = "dfc.mul"(%while#1, %while#1) : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32> loc("tests/golden/control_flow/program.py":12:22)
  %Sum = "dfc.reduce_sum"(%mul_1) {axes = [0, 1], keepdims = false} : (tensor<2x3xf32>) -> tensor<f32> loc("tests/golden/control_flow/program.py":12:8)
  %gradients = "dfc.grad"(%Sum, %Variable) {num_xs = 1, num_ys = 1} : (tensor<f32>, tensor<3x3xf32>) -> tensor<3x3xf32> loc("tests/golden/control_flow/program.py":13:8)
  %GradientDescent.learning_rate = "dfc.constant"() {value = dense<0.1> : tensor<f32>} : () -> tensor<f32> loc("tests/golden/control_flow/program.py":13:8)
  %GradientDescent.update_Variable.mul = "dfc.mul"(%GradientDescent.learning_rate, %gradients) : (tensor<f32>, tensor<3x3xf32>) -> tensor<3x3xf32> loc("tests/golden/control_flow/program.py":13:8)
  %GradientDescent.update_Variable.AssignSub = "dfc.assign_sub"(%GradientDescent.update_Variable.mul) {variable = "Variable"} : (tensor<3x3xf32>) -> tensor<3x3xf32> loc("tests/golden/control_flow/program.py":13:8)
  %GradientDescent = "dfc.group"(%GradientDescent.update_Variable.AssignSub) : (tensor<3x3xf32>) -> !dfc.control loc("tests/golden/control_flow/program.py":13:8)
  "dfc.fetch"(%Sum) : (tensor<f32>) -> ()
}) {sym_name = "main"} : () -> ()
