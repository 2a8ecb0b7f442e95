(module
  (func $mul_add (param $a i32) (param $b i32) (param $c i32) (result i32)
    (i32.add (i32.mul (local.get $a) (local.get $b)) (local.get $c)))
  ;; x + ((x + 3) * x + 5): the first x stays below the call's arguments
  (func (export "poly") (param $x i32) (result i32)
    (i32.add
      (local.get $x)
      (call $mul_add (i32.add (local.get $x) (i32.const 3)) (local.get $x) (i32.const 5)))))
