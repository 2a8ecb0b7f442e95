;; Cost of a call_indirect (callgrind slopes, see docs/performance.md, seventh session):
;; run(4*k + mode) loops k times; mode 0 makes no call, mode 1 a direct call, mode 2 a
;; call_indirect of the same signature through a four-element table.
(module
  (type $t (func (param i32 i32) (result i32)))
  (table 4 funcref)
  (elem (i32.const 0) $a $b $a $b)
  (func $a (type $t) local.get 0 local.get 1 i32.add)
  (func $b (type $t) local.get 0 local.get 1 i32.xor)
  ;; n = 4*k + mode: mode 1 a direct call per iteration, mode 2 an indirect call, mode 0 neither
  (func (export "run") (param $n i32) (result i32)
    (local $acc i32) (local $i i32) (local $mode i32)
    (local.set $mode (i32.and (local.get $n) (i32.const 3)))
    (local.set $n (i32.shr_u (local.get $n) (i32.const 2)))
    (block $done
      (loop $top
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (if (i32.eq (local.get $mode) (i32.const 1))
          (then (local.set $acc (call $a (local.get $acc) (local.get $i)))))
        (if (i32.eq (local.get $mode) (i32.const 2))
          (then (local.set $acc (call_indirect (type $t) (local.get $acc) (local.get $i) (i32.and (local.get $i) (i32.const 3))))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $top)))
    (local.get $acc)))
