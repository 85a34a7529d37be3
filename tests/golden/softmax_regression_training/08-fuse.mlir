"dfc.graph"() ({
^bb0(%x: tensor<100x784xf32>, %label: tensor<100x10xf32>):
  %W = "dfc.variable"() {name = "W"} : () -> tensor<784x10xf32> loc("tests/golden/softmax_regression_training/program.py":10:5)
  %b = "dfc.variable"() {name = "b"} : () -> tensor<10xf32> loc("tests/golden/softmax_regression_training/program.py":11:5)
  %fusion = "dfc.fused"(%x, %W, %b) ({
  ^bb0(%in0: tensor<100x784xf32>, %in1: tensor<784x10xf32>, %in2: tensor<10xf32>):
    %MatMul = "dfc.matmul"(%in0, %in1) {transpose_a = false, transpose_b = false} : (tensor<100x784xf32>, tensor<784x10xf32>) -> tensor<100x10xf32> loc("tests/golden/softmax_regression_training/program.py":12:28)
    %add = "dfc.add"(%MatMul, %in2) : (tensor<100x10xf32>, tensor<10xf32>) -> tensor<100x10xf32> loc("tests/golden/softmax_regression_training/program.py":12:28)
    "dfc.yield"(%add) : (tensor<100x10xf32>) -> ()
  }) {kind = "matmul"} : (tensor<100x784xf32>, tensor<784x10xf32>, tensor<10xf32>) -> tensor<100x10xf32> loc("tests/golden/softmax_regression_training/program.py":12:28)
  %Softmax = "dfc.softmax"(%fusion) {axis = -1} : (tensor<100x10xf32>) -> tensor<100x10xf32> loc("tests/golden/softmax_regression_training/program.py":12:14)
  %gradients.Sum_grad.broadcast_like = "dfc.constant"() {value = dense<-0.01> : tensor<100x10xf32>} : () -> tensor<100x10xf32> loc("tests/golden/softmax_regression_training/program.py":14:14)
  %fusion_1:2 = "dfc.fused"(%gradients.Sum_grad.broadcast_like, %label, %Softmax) ({
  ^bb0(%in0_1: tensor<100x10xf32>, %in1_1: tensor<100x10xf32>, %in2_1: tensor<100x10xf32>):
    %gradients.mul_grad.mul = "dfc.mul"(%in0_1, %in1_1) : (tensor<100x10xf32>, tensor<100x10xf32>) -> tensor<100x10xf32> loc("tests/golden/softmax_regression_training/program.py":14:14)
    %gradients.Log_grad.div = "dfc.div"(%gradients.mul_grad.mul, %in2_1) : (tensor<100x10xf32>, tensor<100x10xf32>) -> tensor<100x10xf32> loc("tests/golden/softmax_regression_training/program.py":14:14)
    %gradients.Softmax_grad.mul = "dfc.mul"(%gradients.Log_grad.div, %in2_1) : (tensor<100x10xf32>, tensor<100x10xf32>) -> tensor<100x10xf32> loc("tests/golden/softmax_regression_training/program.py":14:14)
    "dfc.yield"(%gradients.Log_grad.div, %gradients.Softmax_grad.mul) : (tensor<100x10xf32>, tensor<100x10xf32>) -> ()
  }) {kind = "elementwise"} : (tensor<100x10xf32>, tensor<100x10xf32>, tensor<100x10xf32>) -> (tensor<100x10xf32>, tensor<100x10xf32>) loc("tests/golden/softmax_regression_training/program.py":14:14)
  %gradients.Softmax_grad.reduce_sum = "dfc.reduce_sum"(%fusion_1#1) {axes = [-1], keepdims = true} : (tensor<100x10xf32>) -> tensor<100x1xf32> loc("tests/golden/softmax_regression_training/program.py":14:14)
  %fusion_2 = "dfc.fused"(%fusion_1#0, %gradients.Softmax_grad.reduce_sum, %Softmax) ({
  ^bb0(%in0_2: tensor<100x10xf32>, %in1_2: tensor<100x1xf32>, %in2_2: tensor<100x10xf32>):
    %gradients.Softmax_grad.sub = "dfc.sub"(%in0_2, %in1_2) : (tensor<100x10xf32>, tensor<100x1xf32>) -> tensor<100x10xf32> loc("tests/golden/softmax_regression_training/program.py":14:14)
    %gradients.Softmax_grad.mul_1 = "dfc.mul"(%in2_2, %gradients.Softmax_grad.sub) : (tensor<100x10xf32>, tensor<100x10xf32>) -> tensor<100x10xf32> loc("tests/golden/softmax_regression_training/program.py":14:14)
    "dfc.yield"(%gradients.Softmax_grad.mul_1) : (tensor<100x10xf32>) -> ()
  }) {kind = "elementwise"} : (tensor<100x10xf32>, tensor<100x1xf32>, tensor<100x10xf32>) -> tensor<100x10xf32> loc("tests/golden/softmax_regression_training/program.py":14:14)
  %gradients.add_grad.reduce_sum = "dfc.reduce_sum"(%fusion_2) {axes = [0], keepdims = false} : (tensor<100x10xf32>) -> tensor<10xf32> loc("tests/golden/softmax_regression_training/program.py":14:14)
  %GradientDescent.update_W.AssignSub.read = "dfc.variable"() {name = "W"} : () -> tensor<784x10xf32> loc("tests/golden/softmax_regression_training/program.py":14:14)
  %fusion_3 = "dfc.fused"(%x, %fusion_2, %GradientDescent.update_W.AssignSub.read) ({
  ^bb0(%in0_3: tensor<100x784xf32>, %in1_3: tensor<100x10xf32>, %in2_3: tensor<784x10xf32>):
    %GradientDescent.learning_rate = "dfc.constant"() {value = dense<0.5> : tensor<f32>} : () -> tensor<f32> loc("tests/golden/softmax_regression_training/program.py":14:14)
    %gradients.MatMul_grad.matmul = "dfc.matmul"(%in0_3, %in1_3) {transpose_a = true, transpose_b = false} : (tensor<100x784xf32>, tensor<100x10xf32>) -> tensor<784x10xf32> loc("tests/golden/softmax_regression_training/program.py":14:14)
    %GradientDescent.update_W.mul = "dfc.mul"(%GradientDescent.learning_rate, %gradients.MatMul_grad.matmul) : (tensor<f32>, tensor<784x10xf32>) -> tensor<784x10xf32> loc("tests/golden/softmax_regression_training/program.py":14:14)
    %GradientDescent.update_W.AssignSub_1 = "dfc.sub"(%in2_3, %GradientDescent.update_W.mul) : (tensor<784x10xf32>, tensor<784x10xf32>) -> tensor<784x10xf32> loc("tests/golden/softmax_regression_training/program.py":14:14)
    "dfc.yield"(%GradientDescent.update_W.AssignSub_1) : (tensor<784x10xf32>) -> ()
  }) {kind = "matmul"} : (tensor<100x784xf32>, tensor<100x10xf32>, tensor<784x10xf32>) -> tensor<784x10xf32> loc("tests/golden/softmax_regression_training/program.py":14:14)
  %GradientDescent.update_W.AssignSub = "dfc.assign"(%fusion_3) {variable = "W"} : (tensor<784x10xf32>) -> tensor<784x10xf32> loc("tests/golden/softmax_regression_training/program.py":14:14)
  %GradientDescent.update_b.AssignSub.read = "dfc.variable"() {name = "b"} : () -> tensor<10xf32> loc("tests/golden/softmax_regression_training/program.py":14:14)
  %fusion_4 = "dfc.fused"(%gradients.add_grad.reduce_sum, %GradientDescent.update_b.AssignSub.read) ({
  ^bb0(%in0_4: tensor<10xf32>, %in1_4: tensor<10xf32>):
    %GradientDescent.learning_rate_2 = "dfc.constant"() {value = dense<0.5> : tensor<f32>} : () -> tensor<f32> loc("tests/golden/softmax_regression_training/program.py":14:14)
    %GradientDescent.update_b.mul = "dfc.mul"(%GradientDescent.learning_rate_2, %in0_4) : (tensor<f32>, tensor<10xf32>) -> tensor<10xf32> loc("tests/golden/softmax_regression_training/program.py":14:14)
    %GradientDescent.update_b.AssignSub_1 = "dfc.sub"(%in1_4, %GradientDescent.update_b.mul) : (tensor<10xf32>, tensor<10xf32>) -> tensor<10xf32> loc("tests/golden/softmax_regression_training/program.py":14:14)
    "dfc.yield"(%GradientDescent.update_b.AssignSub_1) : (tensor<10xf32>) -> ()
  }) {kind = "elementwise"} : (tensor<10xf32>, tensor<10xf32>) -> tensor<10xf32> loc("tests/golden/softmax_regression_training/program.py":14:14)
  %GradientDescent.update_b.AssignSub = "dfc.assign"(%fusion_4) {variable = "b"} : (tensor<10xf32>) -> tensor<10xf32> loc("tests/golden/softmax_regression_training/program.py":14:14)
  "dfc.fetch"() : () -> ()
}) {sym_name = "main"} : () -> ()
