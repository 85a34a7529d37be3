// RUN: dfc compile %s --passes dce | filecheck %s
// dce: ops whose results no one uses go, except effects (OpDef.stateful: assigns, random
// draws) and terminators.

// CHECK-LABEL: "dfc.graph"
"dfc.graph"() ({
^bb0(%x: tensor<4xf32>):
  // CHECK-NOT: "dfc.exp"
  %unused = "dfc.exp"(%x) : (tensor<4xf32>) -> tensor<4xf32>
  // CHECK: "dfc.assign"(%x) {variable = "v"}
  %w = "dfc.assign"(%x) {variable = "v"} : (tensor<4xf32>) -> tensor<4xf32>
  // CHECK: %n = "dfc.neg"(%x)
  %n = "dfc.neg"(%x) : (tensor<4xf32>) -> tensor<4xf32>
  // CHECK: "dfc.fetch"(%n)
  "dfc.fetch"(%n) : (tensor<4xf32>) -> ()
}) {sym_name = "main"} : () -> ()
