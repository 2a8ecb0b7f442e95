;; Several functions exercising locals, constants, branches, calls and memory: the module
;; tests/inspect.rs and the unit tests of src/runtime/inspect.rs check translation statistics on.
(module (memory 1)
  (func $sum (export "sum") (param $n i32) (result i32) (local $i i32) (local $s i32)
    (loop $next
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (local.set $s (i32.add (local.get $s) (local.get $i)))
      (br_if $next (i32.lt_u (local.get $i) (local.get $n))))
    (local.get $s))
  (func (export "odd") (param i32) (result i32)
    (if (result i32) (i32.eqz (i32.and (local.get 0) (i32.const 1)))
      (then (i32.const 0)) (else (i32.const 1))))
  (func (param $p i32) (result i64)
    (i64.store (local.get $p) (i64.add (i64.load (local.get $p)) (i64.const 3)))
    (block $b (result i64)
      (br_if $b (i64.load (local.get $p)) (i32.eqz (local.get $p)))
      (drop)
      (i64.extend_i32_u (call $sum (local.get $p))))))
