;; y[i] += a * x[i] over f64 arrays, walked with pointers: each element's load feeds the
;; arithmetic straight away, so both loads fuse into it (`f64.mul_load`, `f64.add_load`).
(module
  (memory 1)
  (func (export "axpy") (param $a f64) (param $x i32) (param $y i32) (param $n i32)
    (block $done
      (loop $next
        (br_if $done (i32.eqz (local.get $n)))
        (f64.store (local.get $y)
          (f64.add (f64.mul (local.get $a) (f64.load (local.get $x)))
                   (f64.load (local.get $y))))
        (local.set $x (i32.add (local.get $x) (i32.const 8)))
        (local.set $y (i32.add (local.get $y) (i32.const 8)))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $next)))))
