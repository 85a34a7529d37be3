"dfc.graph"() ({
^bb0(%Placeholder: tensor<2x3xf32>, %Placeholder_1: tensor<i1>):
  %Variable = "dfc.variable"() {name = "Variable"} : () -> tensor<3x3xf32> loc("tests/golden/control_flow/program.py":9:5)
  %cond:2 = "dfc.if"(%Placeholder_1, %Placeholder, %Variable) ({
  ^bb0(%arg0: tensor<i1>, %arg1: tensor<2x3xf32>, %arg2: tensor<3x3xf32>):
    %cond.MatMul = "dfc.matmul"(%arg1, %arg2) {transpose_a = false, transpose_b = false} : (tensor<2x3xf32>, tensor<3x3xf32>) -> tensor<2x3xf32> loc("tests/golden/control_flow/program.py":10:31)
    %cond.Const = "dfc.constant"() {value = dense<2.0> : tensor<f32>} : () -> tensor<f32> loc("tests/golden/control_flow/program.py":10:31)
    %cond.mul = "dfc.mul"(%cond.MatMul, %cond.Const) : (tensor<2x3xf32>, tensor<f32>) -> tensor<2x3xf32> loc("tests/golden/control_flow/program.py":10:31)
    %cond.zeros_8 = "dfc.constant"() {value = dense<0.0> : tensor<2x3xf32>} : () -> tensor<2x3xf32> loc("tests/golden/control_flow/program.py":10:5)
    "dfc.yield"(%cond.mul, %cond.zeros_8) : (tensor<2x3xf32>, tensor<2x3xf32>) -> ()
  }, {
  ^bb0(%arg0_1: tensor<i1>, %arg1_1: tensor<2x3xf32>, %arg2_1: tensor<3x3xf32>):
    %cond.Tanh = "dfc.tanh"(%arg1_1) : (tensor<2x3xf32>) -> tensor<2x3xf32> loc("tests/golden/control_flow/program.py":10:62)
    "dfc.yield"(%cond.Tanh, %cond.Tanh) : (tensor<2x3xf32>, tensor<2x3xf32>) -> ()
  }) : (tensor<i1>, tensor<2x3xf32>, tensor<3x3xf32>) -> (tensor<2x3xf32>, tensor<2x3xf32>) loc("tests/golden/control_flow/program.py":10:5)
  %Const_1 = "dfc.constant"() {value = dense<0> : tensor<i32>} : () -> tensor<i32> loc("tests/golden/control_flow/program.py":11:81)
  %while.stack = "dfc.constant"() {value = dense<0.0> : tensor<3x2x3xf32>} : () -> tensor<3x2x3xf32> loc("tests/golden/control_flow/program.py":11:8)
  %while:4 = "dfc.while"(%Const_1, %cond#0, %Const_1, %while.stack, %cond#0) ({
  ^bb0(%arg0_2: tensor<i32>, %arg1_2: tensor<2x3xf32>, %arg2_2: tensor<i32>, %arg3: tensor<3x2x3xf32>, %arg4: tensor<2x3xf32>):
    %while.Const = "dfc.constant"() {value = dense<3> : tensor<i32>} : () -> tensor<i32> loc("tests/golden/control_flow/program.py":11:35)
    %while.Less = "dfc.less"(%arg0_2, %while.Const) : (tensor<i32>, tensor<i32>) -> tensor<i1> loc("tests/golden/control_flow/program.py":11:35)
    "dfc.yield"(%while.Less) : (tensor<i1>) -> ()
  }, {
  ^bb0(%arg0_3: tensor<i32>, %arg1_3: tensor<2x3xf32>, %arg2_3: tensor<i32>, %arg3_1: tensor<3x2x3xf32>, %arg4_1: tensor<2x3xf32>):
    %while.Const_1 = "dfc.constant"() {value = dense<1> : tensor<i32>} : () -> tensor<i32> loc("tests/golden/control_flow/program.py":11:56)
    %while.add = "dfc.add"(%arg0_3, %while.Const_1) : (tensor<i32>, tensor<i32>) -> tensor<i32> loc("tests/golden/control_flow/program.py":11:56)
    %while.Tanh = "dfc.tanh"(%arg1_3) : (tensor<2x3xf32>) -> tensor<2x3xf32> loc("tests/golden/control_flow/program.py":11:63)
    %while.add_1 = "dfc.add"(%while.Tanh, %arg4_1) : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32> loc("tests/golden/control_flow/program.py":11:63)
    %while.add_3 = "dfc.add"(%arg2_3, %while.Const_1) : (tensor<i32>, tensor<i32>) -> tensor<i32> loc("tests/golden/control_flow/program.py":11:8)
    %while.reshape = "dfc.reshape"(%arg1_3) {shape = [1, 2, 3]} : (tensor<2x3xf32>) -> tensor<1x2x3xf32> loc("tests/golden/control_flow/program.py":11:8)
    %while.dynamic_update_slice = "dfc.dynamic_update_slice"(%arg3_1, %while.reshape, %arg2_3) : (tensor<3x2x3xf32>, tensor<1x2x3xf32>, tensor<i32>) -> tensor<3x2x3xf32> loc("tests/golden/control_flow/program.py":11:8)
    "dfc.yield"(%while.add, %while.add_1, %while.add_3, %while.dynamic_update_slice) : (tensor<i32>, tensor<2x3xf32>, tensor<i32>, tensor<3x2x3xf32>) -> ()
  }) {num_vars = 4} : (tensor<i32>, tensor<2x3xf32>, tensor<i32>, tensor<3x2x3xf32>, tensor<2x3xf32>) -> (tensor<i32>, tensor<2x3xf32>, tensor<i32>, tensor<3x2x3xf32>) loc("tests/golden/control_flow/program.py":11:8)
  %mul_1 = "dfc.mul"(%while#1, %while#1) : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32> loc("tests/golden/control_flow/program.py":12:22)
  %Sum = "dfc.reduce_sum"(%mul_1) {axes = [0, 1], keepdims = false} : (tensor<2x3xf32>) -> tensor<f32> loc("tests/golden/control_flow/program.py":12:8)
  %gradients.while_grad.AddN = "dfc.add"(%while#1, %while#1) : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32> loc("tests/golden/control_flow/program.py":13:8)
  %gradients.Const = "dfc.constant"() {value = dense<2> : tensor<i32>} : () -> tensor<i32> loc("tests/golden/control_flow/program.py":13:8)
  %gradients.while_grad.zeros = "dfc.constant"() {value = dense<0.0> : tensor<2x3xf32>} : () -> tensor<2x3xf32> loc("tests/golden/control_flow/program.py":13:8)
  %gradients.while_grad.backward_loop_1:3 = "dfc.while"(%gradients.Const, %gradients.while_grad.AddN, %gradients.while_grad.zeros, %while#3, %cond#0) ({
  ^bb0(%arg0_4: tensor<i32>, %arg1_4: tensor<2x3xf32>, %arg2_4: tensor<2x3xf32>, %arg3_2: tensor<3x2x3xf32>, %arg4_2: tensor<2x3xf32>):
    %gradients.while_grad.Const_1 = "dfc.constant"() {value = dense<0> : tensor<i32>} : () -> tensor<i32> loc("tests/golden/control_flow/program.py":11:8)
    %gradients.while_grad.greater_equal = "dfc.greater_equal"(%arg0_4, %gradients.while_grad.Const_1) : (tensor<i32>, tensor<i32>) -> tensor<i1> loc("tests/golden/control_flow/program.py":11:8)
    "dfc.yield"(%gradients.while_grad.greater_equal) : (tensor<i1>) -> ()
  }, {
  ^bb0(%arg0_5: tensor<i32>, %arg1_5: tensor<2x3xf32>, %arg2_5: tensor<2x3xf32>, %arg3_3: tensor<3x2x3xf32>, %arg4_3: tensor<2x3xf32>):
    %gradients.while_grad.gather_1 = "dfc.gather"(%arg3_3, %arg0_5) {axis = 0} : (tensor<3x2x3xf32>, tensor<i32>) -> tensor<2x3xf32> loc("tests/golden/control_flow/program.py":11:8)
    %while.Tanh_1 = "dfc.tanh"(%gradients.while_grad.gather_1) : (tensor<2x3xf32>) -> tensor<2x3xf32> loc("tests/golden/control_flow/program.py":11:63)
    %gradients.while_grad.gradients.while.Tanh_grad.mul = "dfc.mul"(%while.Tanh_1, %while.Tanh_1) : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32> loc("tests/golden/control_flow/program.py":11:8)
    %gradients.while_grad.gradients.Const = "dfc.constant"() {value = dense<1.0> : tensor<f32>} : () -> tensor<f32> loc("tests/golden/control_flow/program.py":11:8)
    %gradients.while_grad.gradients.while.Tanh_grad.sub = "dfc.sub"(%gradients.while_grad.gradients.Const, %gradients.while_grad.gradients.while.Tanh_grad.mul) : (tensor<f32>, tensor<2x3xf32>) -> tensor<2x3xf32> loc("tests/golden/control_flow/program.py":11:8)
    %gradients.while_grad.gradients.while.Tanh_grad.mul_1 = "dfc.mul"(%arg1_5, %gradients.while_grad.gradients.while.Tanh_grad.sub) : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32> loc("tests/golden/control_flow/program.py":11:8)
    %gradients.while_grad.add = "dfc.add"(%arg2_5, %arg1_5) : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32> loc("tests/golden/control_flow/program.py":11:8)
    %gradients.while_grad.Const = "dfc.constant"() {value = dense<1> : tensor<i32>} : () -> tensor<i32> loc("tests/golden/control_flow/program.py":11:8)
    %gradients.while_grad.sub = "dfc.sub"(%arg0_5, %gradients.while_grad.Const) : (tensor<i32>, tensor<i32>) -> tensor<i32> loc("tests/golden/control_flow/program.py":11:8)
    "dfc.yield"(%gradients.while_grad.sub, %gradients.while_grad.gradients.while.Tanh_grad.mul_1, %gradients.while_grad.add) : (tensor<i32>, tensor<2x3xf32>, tensor<2x3xf32>) -> ()
  }) {num_vars = 3} : (tensor<i32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<3x2x3xf32>, tensor<2x3xf32>) -> (tensor<i32>, tensor<2x3xf32>, tensor<2x3xf32>) loc("tests/golden/control_flow/program.py":11:8)
  %gradients.cond_grad.AddN = "dfc.add"(%gradients.while_grad.backward_loop_1#1, %gradients.while_grad.backward_loop_1#2) : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32> loc("tests/golden/control_flow/program.py":13:8)
  %gradients.cond_grad.cond_1:2 = "dfc.if"(%Placeholder_1, %Placeholder, %Variable, %gradients.cond_grad.AddN, %cond#1) ({
  ^bb0(%arg0_6: tensor<i1>, %arg1_6: tensor<2x3xf32>, %arg2_6: tensor<3x3xf32>, %arg3_4: tensor<2x3xf32>, %arg4_4: tensor<2x3xf32>):
    %cond.Const_1 = "dfc.constant"() {value = dense<2.0> : tensor<f32>} : () -> tensor<f32> loc("tests/golden/control_flow/program.py":10:31)
    %gradients.cond_grad.gradients.cond.mul_grad.mul = "dfc.mul"(%arg3_4, %cond.Const_1) : (tensor<2x3xf32>, tensor<f32>) -> tensor<2x3xf32> loc("tests/golden/control_flow/program.py":10:5)
    %gradients.cond_grad.gradients.cond.MatMul_grad.matmul = "dfc.matmul"(%gradients.cond_grad.gradients.cond.mul_grad.mul, %arg2_6) {transpose_a = false, transpose_b = true} : (tensor<2x3xf32>, tensor<3x3xf32>) -> tensor<2x3xf32> loc("tests/golden/control_flow/program.py":10:5)
    %gradients.cond_grad.gradients.cond.MatMul_grad.matmul_1 = "dfc.matmul"(%arg1_6, %gradients.cond_grad.gradients.cond.mul_grad.mul) {transpose_a = true, transpose_b = false} : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<3x3xf32> loc("tests/golden/control_flow/program.py":10:5)
    "dfc.yield"(%gradients.cond_grad.gradients.cond.MatMul_grad.matmul, %gradients.cond_grad.gradients.cond.MatMul_grad.matmul_1) : (tensor<2x3xf32>, tensor<3x3xf32>) -> ()
  }, {
  ^bb0(%arg0_7: tensor<i1>, %arg1_7: tensor<2x3xf32>, %arg2_7: tensor<3x3xf32>, %arg3_5: tensor<2x3xf32>, %arg4_5: tensor<2x3xf32>):
    %gradients.cond_grad.gradients.cond.Tanh_grad.mul = "dfc.mul"(%arg4_5, %arg4_5) : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32> loc("tests/golden/control_flow/program.py":10:5)
    %gradients.cond_grad.gradients.Const = "dfc.constant"() {value = dense<1.0> : tensor<f32>} : () -> tensor<f32> loc("tests/golden/control_flow/program.py":10:5)
    %gradients.cond_grad.gradients.cond.Tanh_grad.sub = "dfc.sub"(%gradients.cond_grad.gradients.Const, %gradients.cond_grad.gradients.cond.Tanh_grad.mul) : (tensor<f32>, tensor<2x3xf32>) -> tensor<2x3xf32> loc("tests/golden/control_flow/program.py":10:5)
    %gradients.cond_grad.gradients.cond.Tanh_grad.mul_1 = "dfc.mul"(%arg3_5, %gradients.cond_grad.gradients.cond.Tanh_grad.sub) : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32> loc("tests/golden/control_flow/program.py":10:5)
    %gradients.cond_grad.gradients.zeros = "dfc.constant"() {value = dense<0.0> : tensor<3x3xf32>} : () -> tensor<3x3xf32> loc("tests/golden/control_flow/program.py":10:5)
    "dfc.yield"(%gradients.cond_grad.gradients.cond.Tanh_grad.mul_1, %gradients.cond_grad.gradients.zeros) : (tensor<2x3xf32>, tensor<3x3xf32>) -> ()
  }) : (tensor<i1>, tensor<2x3xf32>, tensor<3x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>) -> (tensor<2x3xf32>, tensor<3x3xf32>) loc("tests/golden/control_flow/program.py":10:5)
  %GradientDescent.learning_rate = "dfc.constant"() {value = dense<0.1> : tensor<f32>} : () -> tensor<f32> loc("tests/golden/control_flow/program.py":13:8)
  %GradientDescent.update_Variable.mul = "dfc.mul"(%GradientDescent.learning_rate, %gradients.cond_grad.cond_1#1) : (tensor<f32>, tensor<3x3xf32>) -> tensor<3x3xf32> loc("tests/golden/control_flow/program.py":13:8)
  %GradientDescent.update_Variable.AssignSub.read = "dfc.variable"() {name = "Variable"} : () -> tensor<3x3xf32> loc("tests/golden/control_flow/program.py":13:8)
  %GradientDescent.update_Variable.AssignSub_1 = "dfc.sub"(%GradientDescent.update_Variable.AssignSub.read, %GradientDescent.update_Variable.mul) : (tensor<3x3xf32>, tensor<3x3xf32>) -> tensor<3x3xf32> loc("tests/golden/control_flow/program.py":13:8)
  %GradientDescent.update_Variable.AssignSub = "dfc.assign"(%GradientDescent.update_Variable.AssignSub_1) {variable = "Variable"} : (tensor<3x3xf32>) -> tensor<3x3xf32> loc("tests/golden/control_flow/program.py":13:8)
  "dfc.fetch"(%Sum) : (tensor<f32>) -> ()
}) {sym_name = "main"} : () -> ()
