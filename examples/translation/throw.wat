;; A throw that its own function catches (docs/translation.md, `static_throws`): values above
;; 100 leave the `try_table` through the tag's handler, which yields 100.
(module
  (tag $too_big (param i32))
  (func (export "clamp") (param i32) (result i32)
    (block $h (result i32)
      (try_table (result i32) (catch $too_big $h)
        (if (i32.gt_u (local.get 0) (i32.const 100))
          (then (throw $too_big (i32.const 100))))
        (local.get 0)))))
