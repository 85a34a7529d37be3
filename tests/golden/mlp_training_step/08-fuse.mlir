"dfc.graph"() ({
^bb0(%images: tensor<8x16xf32>, %labels: tensor<8x10xf32>):
  %hidden.weights = "dfc.variable"() {name = "hidden/weights"} : () -> tensor<16x32xf32> loc("tests/golden/mlp_training_step/program.py":11:10)
  %hidden.bias = "dfc.variable"() {name = "hidden/bias"} : () -> tensor<32xf32> loc("tests/golden/mlp_training_step/program.py":12:10)
  %output.weights = "dfc.variable"() {name = "output/weights"} : () -> tensor<32x10xf32> loc("tests/golden/mlp_training_step/program.py":15:10)
  %output.bias = "dfc.variable"() {name = "output/bias"} : () -> tensor<10xf32> loc("tests/golden/mlp_training_step/program.py":16:10)
  %fusion:2 = "dfc.fused"(%images, %hidden.weights, %hidden.bias) ({
  ^bb0(%in0: tensor<8x16xf32>, %in1: tensor<16x32xf32>, %in2: tensor<32xf32>):
    %hidden.MatMul = "dfc.matmul"(%in0, %in1) {transpose_a = false, transpose_b = false} : (tensor<8x16xf32>, tensor<16x32xf32>) -> tensor<8x32xf32> loc("tests/golden/mlp_training_step/program.py":13:20)
    %hidden.add = "dfc.add"(%hidden.MatMul, %in2) : (tensor<8x32xf32>, tensor<32xf32>) -> tensor<8x32xf32> loc("tests/golden/mlp_training_step/program.py":13:20)
    %hidden.Relu = "dfc.relu"(%hidden.add) : (tensor<8x32xf32>) -> tensor<8x32xf32> loc("tests/golden/mlp_training_step/program.py":13:9)
    "dfc.yield"(%hidden.add, %hidden.Relu) : (tensor<8x32xf32>, tensor<8x32xf32>) -> ()
  }) {kind = "matmul"} : (tensor<8x16xf32>, tensor<16x32xf32>, tensor<32xf32>) -> (tensor<8x32xf32>, tensor<8x32xf32>) loc("tests/golden/mlp_training_step/program.py":13:9)
  %fusion_1 = "dfc.fused"(%fusion#1, %output.weights, %output.bias) ({
  ^bb0(%in0_1: tensor<8x32xf32>, %in1_1: tensor<32x10xf32>, %in2_1: tensor<10xf32>):
    %output.MatMul = "dfc.matmul"(%in0_1, %in1_1) {transpose_a = false, transpose_b = false} : (tensor<8x32xf32>, tensor<32x10xf32>) -> tensor<8x10xf32> loc("tests/golden/mlp_training_step/program.py":17:32)
    %output.add = "dfc.add"(%output.MatMul, %in2_1) : (tensor<8x10xf32>, tensor<10xf32>) -> tensor<8x10xf32> loc("tests/golden/mlp_training_step/program.py":17:32)
    "dfc.yield"(%output.add) : (tensor<8x10xf32>) -> ()
  }) {kind = "matmul"} : (tensor<8x32xf32>, tensor<32x10xf32>, tensor<10xf32>) -> tensor<8x10xf32> loc("tests/golden/mlp_training_step/program.py":17:32)
  %output.Softmax = "dfc.softmax"(%fusion_1) {axis = -1} : (tensor<8x10xf32>) -> tensor<8x10xf32> loc("tests/golden/mlp_training_step/program.py":17:18)
  %gradients.Sum_grad.broadcast_like = "dfc.constant"() {value = dense<-0.125> : tensor<8x10xf32>} : () -> tensor<8x10xf32> loc("tests/golden/mlp_training_step/program.py":19:14)
  %fusion_2:2 = "dfc.fused"(%gradients.Sum_grad.broadcast_like, %labels, %output.Softmax) ({
  ^bb0(%in0_2: tensor<8x10xf32>, %in1_2: tensor<8x10xf32>, %in2_2: tensor<8x10xf32>):
    %gradients.mul_grad.mul = "dfc.mul"(%in0_2, %in1_2) : (tensor<8x10xf32>, tensor<8x10xf32>) -> tensor<8x10xf32> loc("tests/golden/mlp_training_step/program.py":19:14)
    %gradients.Log_grad.div = "dfc.div"(%gradients.mul_grad.mul, %in2_2) : (tensor<8x10xf32>, tensor<8x10xf32>) -> tensor<8x10xf32> loc("tests/golden/mlp_training_step/program.py":19:14)
    %gradients.output.Softmax_grad.mul = "dfc.mul"(%gradients.Log_grad.div, %in2_2) : (tensor<8x10xf32>, tensor<8x10xf32>) -> tensor<8x10xf32> loc("tests/golden/mlp_training_step/program.py":19:14)
    "dfc.yield"(%gradients.Log_grad.div, %gradients.output.Softmax_grad.mul) : (tensor<8x10xf32>, tensor<8x10xf32>) -> ()
  }) {kind = "elementwise"} : (tensor<8x10xf32>, tensor<8x10xf32>, tensor<8x10xf32>) -> (tensor<8x10xf32>, tensor<8x10xf32>) loc("tests/golden/mlp_training_step/program.py":19:14)
  %gradients.output.Softmax_grad.reduce_sum = "dfc.reduce_sum"(%fusion_2#1) {axes = [-1], keepdims = true} : (tensor<8x10xf32>) -> tensor<8x1xf32> loc("tests/golden/mlp_training_step/program.py":19:14)
  %fusion_3 = "dfc.fused"(%fusion_2#0, %gradients.output.Softmax_grad.reduce_sum, %output.Softmax) ({
  ^bb0(%in0_3: tensor<8x10xf32>, %in1_3: tensor<8x1xf32>, %in2_3: tensor<8x10xf32>):
    %gradients.output.Softmax_grad.sub = "dfc.sub"(%in0_3, %in1_3) : (tensor<8x10xf32>, tensor<8x1xf32>) -> tensor<8x10xf32> loc("tests/golden/mlp_training_step/program.py":19:14)
    %gradients.output.Softmax_grad.mul_1 = "dfc.mul"(%in2_3, %gradients.output.Softmax_grad.sub) : (tensor<8x10xf32>, tensor<8x10xf32>) -> tensor<8x10xf32> loc("tests/golden/mlp_training_step/program.py":19:14)
    "dfc.yield"(%gradients.output.Softmax_grad.mul_1) : (tensor<8x10xf32>) -> ()
  }) {kind = "elementwise"} : (tensor<8x10xf32>, tensor<8x1xf32>, tensor<8x10xf32>) -> tensor<8x10xf32> loc("tests/golden/mlp_training_step/program.py":19:14)
  %gradients.output.add_grad.reduce_sum = "dfc.reduce_sum"(%fusion_3) {axes = [0], keepdims = false} : (tensor<8x10xf32>) -> tensor<10xf32> loc("tests/golden/mlp_training_step/program.py":19:14)
  %fusion_4 = "dfc.fused"(%fusion_3, %output.weights, %fusion#0) ({
  ^bb0(%in0_4: tensor<8x10xf32>, %in1_4: tensor<32x10xf32>, %in2_4: tensor<8x32xf32>):
    %gradients.Const_1 = "dfc.constant"() {value = dense<0.0> : tensor<f32>} : () -> tensor<f32> loc("tests/golden/mlp_training_step/program.py":19:14)
    %gradients.output.MatMul_grad.matmul = "dfc.matmul"(%in0_4, %in1_4) {transpose_a = false, transpose_b = true} : (tensor<8x10xf32>, tensor<32x10xf32>) -> tensor<8x32xf32> loc("tests/golden/mlp_training_step/program.py":19:14)
    %gradients.hidden.Relu_grad.greater = "dfc.greater"(%in2_4, %gradients.Const_1) : (tensor<8x32xf32>, tensor<f32>) -> tensor<8x32xi1> loc("tests/golden/mlp_training_step/program.py":19:14)
    %gradients.hidden.Relu_grad.select = "dfc.select"(%gradients.hidden.Relu_grad.greater, %gradients.output.MatMul_grad.matmul, %gradients.Const_1) : (tensor<8x32xi1>, tensor<8x32xf32>, tensor<f32>) -> tensor<8x32xf32> loc("tests/golden/mlp_training_step/program.py":19:14)
    "dfc.yield"(%gradients.hidden.Relu_grad.select) : (tensor<8x32xf32>) -> ()
  }) {kind = "matmul"} : (tensor<8x10xf32>, tensor<32x10xf32>, tensor<8x32xf32>) -> tensor<8x32xf32> loc("tests/golden/mlp_training_step/program.py":19:14)
  %gradients.hidden.add_grad.reduce_sum = "dfc.reduce_sum"(%fusion_4) {axes = [0], keepdims = false} : (tensor<8x32xf32>) -> tensor<32xf32> loc("tests/golden/mlp_training_step/program.py":19:14)
  %GradientDescent.update_hidden.weights.AssignSub.read = "dfc.variable"() {name = "hidden/weights"} : () -> tensor<16x32xf32> loc("tests/golden/mlp_training_step/program.py":19:14)
  %fusion_5 = "dfc.fused"(%images, %fusion_4, %GradientDescent.update_hidden.weights.AssignSub.read) ({
  ^bb0(%in0_5: tensor<8x16xf32>, %in1_5: tensor<8x32xf32>, %in2_5: tensor<16x32xf32>):
    %GradientDescent.learning_rate = "dfc.constant"() {value = dense<0.5> : tensor<f32>} : () -> tensor<f32> loc("tests/golden/mlp_training_step/program.py":19:14)
    %gradients.hidden.MatMul_grad.matmul = "dfc.matmul"(%in0_5, %in1_5) {transpose_a = true, transpose_b = false} : (tensor<8x16xf32>, tensor<8x32xf32>) -> tensor<16x32xf32> loc("tests/golden/mlp_training_step/program.py":19:14)
    %GradientDescent.update_hidden.weights.mul = "dfc.mul"(%GradientDescent.learning_rate, %gradients.hidden.MatMul_grad.matmul) : (tensor<f32>, tensor<16x32xf32>) -> tensor<16x32xf32> loc("tests/golden/mlp_training_step/program.py":19:14)
    %GradientDescent.update_hidden.weights.AssignSub_1 = "dfc.sub"(%in2_5, %GradientDescent.update_hidden.weights.mul) : (tensor<16x32xf32>, tensor<16x32xf32>) -> tensor<16x32xf32> loc("tests/golden/mlp_training_step/program.py":19:14)
    "dfc.yield"(%GradientDescent.update_hidden.weights.AssignSub_1) : (tensor<16x32xf32>) -> ()
  }) {kind = "matmul"} : (tensor<8x16xf32>, tensor<8x32xf32>, tensor<16x32xf32>) -> tensor<16x32xf32> loc("tests/golden/mlp_training_step/program.py":19:14)
  %GradientDescent.update_hidden.weights.AssignSub = "dfc.assign"(%fusion_5) {variable = "hidden/weights"} : (tensor<16x32xf32>) -> tensor<16x32xf32> loc("tests/golden/mlp_training_step/program.py":19:14)
  %GradientDescent.update_hidden.bias.AssignSub.read = "dfc.variable"() {name = "hidden/bias"} : () -> tensor<32xf32> loc("tests/golden/mlp_training_step/program.py":19:14)
  %fusion_6 = "dfc.fused"(%gradients.hidden.add_grad.reduce_sum, %GradientDescent.update_hidden.bias.AssignSub.read) ({
  ^bb0(%in0_6: tensor<32xf32>, %in1_6: tensor<32xf32>):
    %GradientDescent.learning_rate_2 = "dfc.constant"() {value = dense<0.5> : tensor<f32>} : () -> tensor<f32> loc("tests/golden/mlp_training_step/program.py":19:14)
    %GradientDescent.update_hidden.bias.mul = "dfc.mul"(%GradientDescent.learning_rate_2, %in0_6) : (tensor<f32>, tensor<32xf32>) -> tensor<32xf32> loc("tests/golden/mlp_training_step/program.py":19:14)
    %GradientDescent.update_hidden.bias.AssignSub_1 = "dfc.sub"(%in1_6, %GradientDescent.update_hidden.bias.mul) : (tensor<32xf32>, tensor<32xf32>) -> tensor<32xf32> loc("tests/golden/mlp_training_step/program.py":19:14)
    "dfc.yield"(%GradientDescent.update_hidden.bias.AssignSub_1) : (tensor<32xf32>) -> ()
  }) {kind = "elementwise"} : (tensor<32xf32>, tensor<32xf32>) -> tensor<32xf32> loc("tests/golden/mlp_training_step/program.py":19:14)
  %GradientDescent.update_hidden.bias.AssignSub = "dfc.assign"(%fusion_6) {variable = "hidden/bias"} : (tensor<32xf32>) -> tensor<32xf32> loc("tests/golden/mlp_training_step/program.py":19:14)
  %GradientDescent.update_output.weights.AssignSub.read = "dfc.variable"() {name = "output/weights"} : () -> tensor<32x10xf32> loc("tests/golden/mlp_training_step/program.py":19:14)
  %fusion_7 = "dfc.fused"(%fusion#1, %fusion_3, %GradientDescent.update_output.weights.AssignSub.read) ({
  ^bb0(%in0_7: tensor<8x32xf32>, %in1_7: tensor<8x10xf32>, %in2_6: tensor<32x10xf32>):
    %GradientDescent.learning_rate_3 = "dfc.constant"() {value = dense<0.5> : tensor<f32>} : () -> tensor<f32> loc("tests/golden/mlp_training_step/program.py":19:14)
    %gradients.output.MatMul_grad.matmul_1 = "dfc.matmul"(%in0_7, %in1_7) {transpose_a = true, transpose_b = false} : (tensor<8x32xf32>, tensor<8x10xf32>) -> tensor<32x10xf32> loc("tests/golden/mlp_training_step/program.py":19:14)
    %GradientDescent.update_output.weights.mul = "dfc.mul"(%GradientDescent.learning_rate_3, %gradients.output.MatMul_grad.matmul_1) : (tensor<f32>, tensor<32x10xf32>) -> tensor<32x10xf32> loc("tests/golden/mlp_training_step/program.py":19:14)
    %GradientDescent.update_output.weights.AssignSub_1 = "dfc.sub"(%in2_6, %GradientDescent.update_output.weights.mul) : (tensor<32x10xf32>, tensor<32x10xf32>) -> tensor<32x10xf32> loc("tests/golden/mlp_training_step/program.py":19:14)
    "dfc.yield"(%GradientDescent.update_output.weights.AssignSub_1) : (tensor<32x10xf32>) -> ()
  }) {kind = "matmul"} : (tensor<8x32xf32>, tensor<8x10xf32>, tensor<32x10xf32>) -> tensor<32x10xf32> loc("tests/golden/mlp_training_step/program.py":19:14)
  %GradientDescent.update_output.weights.AssignSub = "dfc.assign"(%fusion_7) {variable = "output/weights"} : (tensor<32x10xf32>) -> tensor<32x10xf32> loc("tests/golden/mlp_training_step/program.py":19:14)
  %GradientDescent.update_output.bias.AssignSub.read = "dfc.variable"() {name = "output/bias"} : () -> tensor<10xf32> loc("tests/golden/mlp_training_step/program.py":19:14)
  %fusion_8 = "dfc.fused"(%gradients.output.add_grad.reduce_sum, %GradientDescent.update_output.bias.AssignSub.read) ({
  ^bb0(%in0_8: tensor<10xf32>, %in1_8: tensor<10xf32>):
    %GradientDescent.learning_rate_4 = "dfc.constant"() {value = dense<0.5> : tensor<f32>} : () -> tensor<f32> loc("tests/golden/mlp_training_step/program.py":19:14)
    %GradientDescent.update_output.bias.mul = "dfc.mul"(%GradientDescent.learning_rate_4, %in0_8) : (tensor<f32>, tensor<10xf32>) -> tensor<10xf32> loc("tests/golden/mlp_training_step/program.py":19:14)
    %GradientDescent.update_output.bias.AssignSub_1 = "dfc.sub"(%in1_8, %GradientDescent.update_output.bias.mul) : (tensor<10xf32>, tensor<10xf32>) -> tensor<10xf32> loc("tests/golden/mlp_training_step/program.py":19:14)
    "dfc.yield"(%GradientDescent.update_output.bias.AssignSub_1) : (tensor<10xf32>) -> ()
  }) {kind = "elementwise"} : (tensor<10xf32>, tensor<10xf32>) -> tensor<10xf32> loc("tests/golden/mlp_training_step/program.py":19:14)
  %GradientDescent.update_output.bias.AssignSub = "dfc.assign"(%fusion_8) {variable = "output/bias"} : (tensor<10xf32>) -> tensor<10xf32> loc("tests/golden/mlp_training_step/program.py":19:14)
  "dfc.fetch"() : () -> ()
}) {sym_name = "main"} : () -> ()
