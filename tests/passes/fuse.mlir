// RUN: dfc compile %s --passes fuse | filecheck %s
// fuse: a chain of elementwise ops of one shape (OpDef.fusible_as = "elementwise") becomes
// one dfc.fused op whose region yields the chain's result; scalar constants are cloned in.

// CHECK-LABEL: "dfc.graph"
"dfc.graph"() ({
^bb0(%x: tensor<8xf32>):
  %c = "dfc.constant"() {value = dense<1.5> : tensor<f32>} : () -> tensor<f32>
  %m = "dfc.mul"(%x, %c) : (tensor<8xf32>, tensor<f32>) -> tensor<8xf32>
  %r = "dfc.relu"(%m) : (tensor<8xf32>) -> tensor<8xf32>
  // CHECK: "dfc.fused"(%x) ({
  // CHECK-NEXT: ^bb0(%{{.*}}: tensor<8xf32>):
  // CHECK: "dfc.constant"() {value = dense<1.5> : tensor<f32>}
  // CHECK: "dfc.mul"
  // CHECK: "dfc.relu"
  // CHECK: "dfc.exp"
  // CHECK: "dfc.yield"
  // CHECK: }) {kind = "elementwise"}
  %e = "dfc.exp"(%r) : (tensor<8xf32>) -> tensor<8xf32>
  // CHECK: "dfc.fetch"
  "dfc.fetch"(%e) : (tensor<8xf32>) -> ()
}) {sym_name = "main"} : () -> ()
