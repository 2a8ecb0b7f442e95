;; What a tail call costs against a call and a return (docs/performance.md, "tail calls without
;; a call of their own"): run(n) does n >> 2 steps by mode n & 3: 0 a loop whose every
;; iteration calls $g (a call and a return), 1 a chain of tail calls, each step one
;; `return_call` of itself, 2 the same loop without the call. Instruction counts per step are
;; the slope between two n of one mode. regwasm only (WebAssembly 3.0).
(module
  (func $g (param i32) (result i32) (local.get 0))
  (func $loop (param $n i32) (result i32) (local $acc i32)
    (block $d (loop $l
      (br_if $d (i32.eqz (local.get $n)))
      (local.set $acc (i32.add (local.get $acc) (call $g (local.get $n))))
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br $l)))
    (local.get $acc))
  (func $chain (param $n i32) (param $acc i32) (result i32)
    (if (result i32) (i32.eqz (local.get $n))
      (then (local.get $acc))
      (else (return_call $chain (i32.sub (local.get $n) (i32.const 1)) (i32.add (local.get $acc) (local.get $n))))))
  (func $plain (param $n i32) (param $acc i32) (result i32)
    (block $d (loop $l
      (br_if $d (i32.eqz (local.get $n)))
      (local.set $acc (i32.add (local.get $acc) (local.get $n)))
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br $l)))
    (local.get $acc))
  (func (export "run") (param $n i32) (result i32)
    (if (result i32) (i32.eq (i32.and (local.get $n) (i32.const 3)) (i32.const 0))
      (then (call $loop (i32.shr_u (local.get $n) (i32.const 2))))
      (else (if (result i32) (i32.eq (i32.and (local.get $n) (i32.const 3)) (i32.const 1))
        (then (call $chain (i32.shr_u (local.get $n) (i32.const 2)) (i32.const 0)))
        (else (call $plain (i32.shr_u (local.get $n) (i32.const 2)) (i32.const 0))))))))
