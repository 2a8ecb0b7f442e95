;; A small module using every section kind; tests/malformed.rs truncates and corrupts it.
(module
  (type $binop (func (param i32 i32) (result i32)))
  (type $v (func))
  (import "env" "log" (func $log (param i32)))
  (import "env" "g" (global $imported i32))
  (func $add (type $binop) local.get 0 local.get 1 i32.add)
  (func $start (type $v)
    (local i64 f32)
    i32.const 0
    i32.load
    call $log
    (block $out (result i32)
      (loop $l
        global.get $counter
        i32.const 1
        i32.add
        global.set $counter
        global.get $counter
        i32.const 3
        i32.lt_u
        br_if $l)
      i32.const 7
      i32.const 1
      br_table $out $out)
    drop
    (call_indirect (type $binop) (i32.const 2) (i32.const 3) (i32.const 0))
    drop
    (memory.init 1 (i32.const 16) (i32.const 0) (i32.const 2))
    data.drop 1)
  (table 2 funcref)
  (memory (export "memory") 1 2)
  (global $counter (mut i32) (i32.const 0))
  (global f64 (f64.const 1.5))
  (export "add" (func $add))
  (start $start)
  (elem (i32.const 0) $add $start)
  (elem declare func $log)
  (data (i32.const 0) "\2a\00\00\00")
  (data "passive")
  (@custom "note" "a custom section"))
