;; Found by tests/differential.rs (seeds 17149, 66539, 63787). A `local.get`
;; below the parameters of a block keeps the value it read, whatever the block
;; does. wasmi 2.0.0 preserves such an operand only where the block's code first
;; needs it (a `local.set` of that local, or a nested block, which preserves
;; every local on the stack); a path that skips that point (the else-branch of
;; an `if`, a `br_if` out before it) then reads a slot never written, and
;; returns 0 or garbage. regwasm is right.
(module
  ;; The then-branch sets the local; the else-branch must see the old value.
  (func (export "if_params_set") (param $x i64) (param $c i32) (result i64)
    local.get $x
    i64.const 1
    local.get $c
    if (param i64)
      local.set $x
    else
      drop
    end)

  ;; The old value and the new one side by side.
  (func (export "if_params_set_add") (param $x i64) (param $c i32) (result i64)
    local.get $x
    i64.const 1
    local.get $c
    if (param i64)
      local.set $x
    else
      drop
    end
    local.get $x
    i64.add)

  ;; The then-branch only opens a block.
  (func (export "if_params_block") (param $x f32) (param $c i32) (result i32)
    local.get $x
    f32.const 1
    local.get $c
    if (param f32)
      drop
      block
      end
    else
      drop
    end
    i32.reinterpret_f32)

  ;; A `br_if` leaves a block with parameters before the `local.set`.
  (func (export "block_params_br_if") (param $x i32) (param $c i32) (result i32)
    local.get $x
    i64.const 1
    block (param i64)
      local.get $c
      br_if 0
      drop
      i32.const 9
      local.set $x
    end))
