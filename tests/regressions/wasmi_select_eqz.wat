;; Found by tests/differential.rs (seed 251, wasm-smith's division guard
;; `select (i32.const 1) (x) (i32.eqz x)`). wasmi 2.0.0 fuses the `i32.eqz`
;; (or `i32.eq`/`i32.ne` with 0) of a local into `select`, then reads the
;; condition from a register that still holds an earlier result. regwasm is right.
(module
  (global $g (mut i32) (i32.const 5))

  ;; (select 1 2 (i32.eqz x)): 1 when x = 0, else 2. wasmi returns 2 for x = 0.
  (func (export "select_eqz") (param $x i32) (param $y i32) (result i32)
    local.get $y
    i32.const 1
    i32.add
    drop
    (select (i32.const 1) (i32.const 2) (i32.eqz (local.get $x))))

  ;; The same with `i32.eq x 0`.
  (func (export "select_eq0") (param $x i32) (param $y i32) (result i32)
    local.get $y
    i32.const 1
    i32.add
    drop
    (select (i32.const 1) (i32.const 2) (i32.eq (local.get $x) (i32.const 0))))

  ;; The seed's shape: a guarded division never divides by zero. wasmi traps
  ;; with "integer divide by zero" here.
  (func (export "guarded_div") (result i32)
    (local $d i32)
    global.get $g
    i32.const 1
    local.get $d
    local.get $d
    i32.eqz
    select
    i32.div_u))
