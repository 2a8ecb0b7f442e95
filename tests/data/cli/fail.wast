;; A script with one passing and two failing assertions (tests/cli.rs).
(module
  (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1))))
(assert_return (invoke "add" (i32.const 2) (i32.const 2)) (i32.const 4))
(assert_return (invoke "add" (i32.const 2) (i32.const 2)) (i32.const 5))
(assert_trap (invoke "add" (i32.const 1) (i32.const 1)) "unreachable")
