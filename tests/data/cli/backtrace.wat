;; Traps three calls deep, for the backtrace `regwasm run` prints (tests/cli.rs).
(module $calc
  (func $divide (param i32 i32) (result i32)
    (i32.div_s (local.get 0) (local.get 1)))
  (func $middle (param i32) (result i32)
    (call $divide (i32.const 7) (local.get 0)))
  (func $main (export "main") (param i32) (result i32)
    (call $middle (local.get 0))))
