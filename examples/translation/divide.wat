;; Unsigned division and remainder by constants: the digits of a number, and a hash bucket.
(module
  (func (export "digit_sum") (param $n i32) (result i32)
    (local $sum i32)
    (loop $next
      (local.set $sum (i32.add (local.get $sum) (i32.rem_u (local.get $n) (i32.const 10))))
      (br_if $next (local.tee $n (i32.div_u (local.get $n) (i32.const 10)))))
    (local.get $sum))
  (func (export "bucket") (param $h i32) (result i32)
    (i32.add (i32.rem_u (local.get $h) (i32.const 64))
             (i32.div_u (local.get $h) (i32.const 1024)))))
