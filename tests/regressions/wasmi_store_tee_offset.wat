;; Found by tests/differential.rs (seed 74216). wasmi 2.0.0 panics ("entered
;; unreachable code" in its store translation) compiling a store whose address
;; is a `local.tee` of a computed value, whose value is the same local, and
;; whose offset does not fit in 16 bits. The module is valid; regwasm compiles
;; and runs it.
(module
  (memory (export "memory") 2)
  (func (export "store8") (param $p i32)
    local.get $p
    i32.const 1
    i32.add
    local.tee $p
    local.get $p
    i32.store8 offset=70000)
  (func (export "store32") (param $p i32)
    local.get $p
    i32.const 1
    i32.add
    local.tee $p
    local.get $p
    i32.store offset=70000))
