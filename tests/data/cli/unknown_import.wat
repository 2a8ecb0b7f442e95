;; Imports a function no host provides (tests/cli.rs, --trap-unknown-imports): `main` never
;; calls it, `call_it` does.
(module
  (import "env" "nonexistent" (func $missing (param i32) (result i32)))
  (func (export "main") (result i32) (i32.const 42))
  (func (export "call_it") (result i32) (call $missing (i32.const 1))))
