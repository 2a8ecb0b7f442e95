;; Tail-call-heavy: run(n) passes control n times among three functions of a state machine, each
;; step a tail call (`return_call`, or `return_call_indirect` through a table), mixing the step
;; into an accumulator with 32-bit wrapping arithmetic. Constant stack depth whatever n is.
(module
  (type $step (func (param i32 i32) (result i32)))
  (table funcref (elem $a $c))
  ;; a(n, acc) = n == 0 ? acc : b(n - 1, acc * 31 + n)
  (func $a (type $step)
    (if (result i32) (i32.eqz (local.get 0))
      (then (local.get 1))
      (else
        (return_call $b
          (i32.sub (local.get 0) (i32.const 1))
          (i32.add (i32.mul (local.get 1) (i32.const 31)) (local.get 0))))))
  ;; b(n, acc) = n == 0 ? acc : [a, c][acc & 1](n - 1, acc ^ (n << 3))
  (func $b (type $step)
    (if (result i32) (i32.eqz (local.get 0))
      (then (local.get 1))
      (else
        (return_call_indirect (type $step)
          (i32.sub (local.get 0) (i32.const 1))
          (i32.xor (local.get 1) (i32.shl (local.get 0) (i32.const 3)))
          (i32.and (local.get 1) (i32.const 1))))))
  ;; c(n, acc) = n == 0 ? acc : a(n - 1, rotl(acc, 5) + 0x9e3779b9)
  (func $c (type $step)
    (if (result i32) (i32.eqz (local.get 0))
      (then (local.get 1))
      (else
        (return_call $a
          (i32.sub (local.get 0) (i32.const 1))
          (i32.add (i32.rotl (local.get 1) (i32.const 5)) (i32.const -1640531527))))))
  (func (export "run") (param $n i32) (result i32)
    (return_call $a (local.get $n) (i32.const 0))))
