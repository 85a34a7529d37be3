// RUN: dfc compile %s --passes fold | filecheck %s
// fold: an op whose data operands are all constants becomes the constant it computes;
// shape_of of a static shape folds without reading the values; stateful ops stay.

// CHECK-LABEL: "dfc.graph"
"dfc.graph"() ({
^bb0(%x: tensor<2x3xf32>):
  %a = "dfc.constant"() {value = dense<2.0> : tensor<f32>} : () -> tensor<f32>
  %b = "dfc.constant"() {value = dense<1.5> : tensor<f32>} : () -> tensor<f32>
  // CHECK: %prod = "dfc.constant"() {value = dense<3.0> : tensor<f32>}
  %prod = "dfc.mul"(%a, %b) : (tensor<f32>, tensor<f32>) -> tensor<f32>
  // CHECK: %dims = "dfc.constant"() {value = dense<[2, 3]> : tensor<2xi32>}
  %dims = "dfc.shape_of"(%x) {dtype = i32} : (tensor<2x3xf32>) -> tensor<2xi32>
  // CHECK: "dfc.mul"(%x, %prod)
  %y = "dfc.mul"(%x, %prod) : (tensor<2x3xf32>, tensor<f32>) -> tensor<2x3xf32>
  // CHECK: "dfc.random_uniform"
  %r = "dfc.random_uniform"() {seed = 1, seed2 = 2} : () -> tensor<2x3xf32>
  %s = "dfc.add"(%y, %r) : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  // CHECK: "dfc.fetch"
  "dfc.fetch"(%s, %dims) : (tensor<2x3xf32>, tensor<2xi32>) -> ()
}) {sym_name = "main"} : () -> ()
