(module
  ;; |a - b|: each branch computes its result into the same register
  (func (export "distance") (param $a i32) (param $b i32) (result i32)
    (if (result i32) (i32.gt_s (local.get $a) (local.get $b))
      (then (i32.sub (local.get $a) (local.get $b)))
      (else (i32.sub (local.get $b) (local.get $a))))))
