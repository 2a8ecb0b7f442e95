;; Found by tests/differential.rs (seed 26386, once memory64 was on; the module needs no
;; memory). A `br_table` carries a v128 out of an inner block to an outer block, or to the
;; function, while an older v128 sits on the stack below it: wasmi 2.0.0 returns the older
;; v128 (zero) instead of the carried one (lanes 1 2 3 4), through either target. The same
;; shape with i32, i64 or f64 values agrees. regwasm returns lanes 1 2 3 4.
(module
  (func (export "br_table_v128") (param i32) (result v128)
    (block (result v128)
      v128.const i32x4 0 0 0 0
      (block (result funcref)
        v128.const i32x4 1 2 3 4
        local.get 0
        br_table 1 2)
      unreachable)))
