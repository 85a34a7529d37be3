// RUN: dfc compile %s --passes simplify,dce | filecheck %s
// simplify: algebraic identities (x * 1, x + 0), and a transpose of a transpose that
// composes to the identity; dce then drops what no one uses.

// CHECK-LABEL: "dfc.graph"
"dfc.graph"() ({
^bb0(%x: tensor<2x3xf32>):
  %one = "dfc.constant"() {value = dense<1.0> : tensor<f32>} : () -> tensor<f32>
  %zero = "dfc.constant"() {value = dense<0.0> : tensor<f32>} : () -> tensor<f32>
  %m = "dfc.mul"(%x, %one) : (tensor<2x3xf32>, tensor<f32>) -> tensor<2x3xf32>
  %a = "dfc.add"(%m, %zero) : (tensor<2x3xf32>, tensor<f32>) -> tensor<2x3xf32>
  %t = "dfc.transpose"(%a) {perm = [1, 0]} : (tensor<2x3xf32>) -> tensor<3x2xf32>
  %u = "dfc.transpose"(%t) {perm = [1, 0]} : (tensor<3x2xf32>) -> tensor<2x3xf32>
  // CHECK-NOT: "dfc.mul"
  // CHECK-NOT: "dfc.add"
  // CHECK-NOT: "dfc.transpose"
  // CHECK: %r = "dfc.relu"(%x)
  %r = "dfc.relu"(%u) : (tensor<2x3xf32>) -> tensor<2x3xf32>
  // CHECK-NEXT: "dfc.fetch"(%r)
  "dfc.fetch"(%r) : (tensor<2x3xf32>) -> ()
}) {sym_name = "main"} : () -> ()
