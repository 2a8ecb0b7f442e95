;; What a throw costs against a branch (docs/performance.md, "throw cost"): run(n) does n >> 3
;; iterations of the same work, leaving each iteration's block by mode n & 7: 0 falling
;; through, 1 a taken `br`, 2 a `throw` caught in the same function, 3 a call that returns,
;; 4 a call that throws, caught one frame up. Every mode runs the same tests; the
;; instruction counts' differences are the exits' costs. regwasm only (WebAssembly 3.0).
(module
  (tag $e (param i32))
  (func $returner (param i32) (result i32) (local.get 0))
  (func $thrower (param i32) (result i32) (throw $e (local.get 0)))
  (func (export "run") (param $n i32) (result i32)
    (local $i i32) (local $acc i32) (local $mode i32) (local $count i32)
    (local.set $mode (i32.and (local.get $n) (i32.const 7)))
    (local.set $count (i32.shr_u (local.get $n) (i32.const 3)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $count)))
        (local.set $acc (i32.add (local.get $acc)
          (block $h (result i32)
            (try_table (result i32) (catch $e $h)
              (if (i32.eq (local.get $mode) (i32.const 1)) (then (br $h (local.get $i))))
              (if (i32.eq (local.get $mode) (i32.const 2)) (then (throw $e (local.get $i))))
              (if (i32.eq (local.get $mode) (i32.const 3))
                (then (br $h (call $returner (local.get $i)))))
              (if (i32.eq (local.get $mode) (i32.const 4))
                (then (br $h (call $thrower (local.get $i)))))
              (local.get $i)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (local.get $acc)))
