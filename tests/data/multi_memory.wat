;; Two memories: `$in` holds a string (a data segment), `$out` receives it upper-cased, byte by
;; byte, after a prefix from its own data segment; `memory.copy` then copies the result back
;; into `$in` after the original. Used by tests/multi_memory.rs.
(module
  (memory $in (export "in") 1)
  (memory $out (export "out") 1 2)
  (data (memory $in) (i32.const 0) "hello, memories")
  (data (memory $out) (i32.const 0) ">> ")

  ;; Upper-cases `len` bytes of `$in` from 0 into `$out` from 3; returns the end in `$out`.
  (func $upper (export "upper") (param $len i32) (result i32)
    (local $i i32) (local $c i32)
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $len)))
        (local.set $c (i32.load8_u $in (local.get $i)))
        (if (i32.and (i32.ge_u (local.get $c) (i32.const 97))
                     (i32.le_u (local.get $c) (i32.const 122)))
          (then (local.set $c (i32.sub (local.get $c) (i32.const 32)))))
        (i32.store8 $out offset=3 (local.get $i) (local.get $c))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (i32.add (local.get $len) (i32.const 3)))

  ;; Copies `len` bytes of `$out` from 0 to `$in` at `dst`.
  (func (export "copy_back") (param $dst i32) (param $len i32)
    (memory.copy $in $out (local.get $dst) (i32.const 0) (local.get $len)))

  ;; The sizes of both memories, and growing the second.
  (func (export "sizes") (result i32 i32)
    (memory.size $in) (memory.size $out))
  (func (export "grow_out") (param i32) (result i32)
    (memory.grow $out (local.get 0)))
  ;; A 32-bit load of `$out`, to check bounds on the second memory.
  (func (export "load_out") (param i32) (result i32)
    (i32.load $out (local.get 0))))
