;; Function 1's body is invalid (it leaves an i64 where its type says i32). Every compilation
;; mode but `lazy-validation` rejects the module; that one runs `ok` and fails calling `bad`.
(module
  (func (export "ok") (result i32) i32.const 7)
  (func (export "bad") (result i32) i64.const 1))
