;; Iterative loop: run(n) = sum over i in [0, n) of (i * i) mod 1000003, with 32-bit wrapping
;; arithmetic. Exercises locals, arithmetic and a backward branch; no calls, no memory.
(module
  (func (export "run") (param $n i32) (result i32)
    (local $i i32)
    (local $acc i32)
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $acc
          (i32.add
            (local.get $acc)
            (i32.rem_u
              (i32.mul (local.get $i) (local.get $i))
              (i32.const 1000003))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (local.get $acc)))
