(module
  ;; 0 -> 10, 1 -> 20, anything else -> 30
  (func (export "switch") (param $i i32) (result i32)
    (block $default
      (block $one
        (block $zero
          (br_table $zero $one $default (local.get $i)))
        (return (i32.const 10)))
      (return (i32.const 20)))
    (i32.const 30))
  ;; Targets that take a value: 7 goes to $a (i = 0) or to $b (otherwise)
  (func (export "carry") (param $i i32) (result i32)
    (block $b (result i32)
      (block $a (result i32)
        (br_table $a $b (i32.const 7) (local.get $i)))
      (i32.add (i32.const 1)))))
