(module
  ;; 1 + 2 + ... + n (for n >= 1)
  (func (export "sum") (param $n i32) (result i32) (local $i i32) (local $s i32)
    (loop $next
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (local.set $s (i32.add (local.get $s) (local.get $i)))
      (br_if $next (i32.lt_u (local.get $i) (local.get $n))))
    (local.get $s)))
