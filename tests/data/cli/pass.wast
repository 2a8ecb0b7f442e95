;; A script whose every assertion passes: one of each directive `regwasm wast` runs.
(module $m
  (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
  (func (export "div") (param i32 i32) (result i32) (i32.div_s (local.get 0) (local.get 1)))
  (func $forever (export "forever") (call $forever))
  (global (export "g") i32 (i32.const 7)))
(register "m" $m)
(module $user
  (import "m" "add" (func $add (param i32 i32) (result i32)))
  (func (export "twice") (param i32) (result i32) (call $add (local.get 0) (local.get 0))))
(invoke "twice" (i32.const 1))
(assert_return (invoke "twice" (i32.const 21)) (i32.const 42))
(assert_return (get $m "g") (i32.const 7))
(assert_trap (invoke $m "div" (i32.const 1) (i32.const 0)) "integer divide by zero")
(assert_exhaustion (invoke $m "forever") "call stack exhausted")
(assert_invalid (module (func (result i32) (i64.const 0))) "type mismatch")
(assert_malformed (module binary "\00asm\02\00\00\00") "unknown binary version")
(assert_unlinkable (module (import "m" "nope" (func))) "unknown import")
(assert_uninstantiable (module (func $boom unreachable) (start $boom)) "unreachable")
