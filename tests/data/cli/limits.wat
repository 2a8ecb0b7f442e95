;; Exports for `regwasm run`'s limit flags (tests/cli.rs): an endless loop, memory.grow, and a
;; recursion of a chosen depth.
(module
  (memory 1)
  (func (export "spin") (loop $forever (br $forever)))
  ;; The old size in pages, or -1.
  (func (export "grow") (param $pages i32) (result i32) (memory.grow (local.get $pages)))
  ;; Calls itself $n times; returns $n.
  (func $depth (export "depth") (param $n i32) (result i32)
    (if (result i32) (i32.eqz (local.get $n))
      (then (i32.const 0))
      (else (i32.add (i32.const 1) (call $depth (i32.sub (local.get $n) (i32.const 1))))))))
