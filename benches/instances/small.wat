;; The small module of the instances benchmark (benches/instantiate.rs, examples/memory_cost.rs):
;; one memory of one page (no declared maximum, so regwasm reserves 4 GiB of address space for
;; it), a mutable global, an active data segment and three functions.
;; run() = the first four bytes of the data segment as an i32 plus the bumped counter:
;; "hell" little-endian is 0x6c6c6568 = 1819043176, so the first call returns 1819043177.
(module
  (memory (export "memory") 1)
  (global $counter (mut i32) (i32.const 0))
  (data (i32.const 16) "hello, instance!")
  (func $load (param $addr i32) (result i32)
    (i32.load (local.get $addr)))
  (func $bump (result i32)
    (global.set $counter (i32.add (global.get $counter) (i32.const 1)))
    (global.get $counter))
  (func (export "run") (result i32)
    (i32.add (call $load (i32.const 16)) (call $bump))))
