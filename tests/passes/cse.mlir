// RUN: dfc compile %s --passes cse,dce | filecheck %s
// cse: equal ops on equal operands merge, commutative ones (OpDef.commutative) with their
// operands in either order; non-commutative ones and stateful ones never merge.

// CHECK-LABEL: "dfc.graph"
"dfc.graph"() ({
^bb0(%x: tensor<4xf32>, %y: tensor<4xf32>):
  // CHECK: %a = "dfc.add"(%x, %y)
  %a = "dfc.add"(%x, %y) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  // CHECK-NOT: "dfc.add"
  %b = "dfc.add"(%y, %x) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  // CHECK: %s = "dfc.sub"(%x, %y)
  %s = "dfc.sub"(%x, %y) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  // CHECK: %t = "dfc.sub"(%y, %x)
  %t = "dfc.sub"(%y, %x) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  // CHECK: %r1 = "dfc.random_normal"
  %r1 = "dfc.random_normal"() {seed = 1, seed2 = 1} : () -> tensor<4xf32>
  // CHECK: %r2 = "dfc.random_normal"
  %r2 = "dfc.random_normal"() {seed = 1, seed2 = 1} : () -> tensor<4xf32>
  // CHECK: "dfc.mul"(%a, %a)
  %m = "dfc.mul"(%a, %b) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  "dfc.fetch"(%m, %s, %t, %r1, %r2) : (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> ()
}) {sym_name = "main"} : () -> ()
