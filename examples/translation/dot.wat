;; c[i] = running sum of a[i] * b[i]: addresses computed by `i32.add` fuse into the loads and
;; the store, the multiply fuses into the add, and the counter's step into the loop's branch.
(module
  (memory 1)
  (func (export "dot") (param $a i32) (param $b i32) (param $n i32) (result i32)
    (local $i i32) (local $off i32) (local $sum i32)
    (loop $next
      (local.set $off (i32.shl (local.get $i) (i32.const 2)))
      (local.set $sum
        (i32.add (local.get $sum)
          (i32.mul (i32.load (i32.add (local.get $a) (local.get $off)))
                   (i32.load (i32.add (local.get $b) (local.get $off))))))
      (i32.store (i32.add (local.get $off) (i32.const 4096)) (local.get $sum))
      (br_if $next
        (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $n))))
    (local.get $sum)))
