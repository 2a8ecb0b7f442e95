;; A bit-field extract and a rotate-and-mix step, as in decoders and hash functions:
;; mix(x, h) = rotl(h, 5) ^ ((x >> 8) & 0xff); and the address of element i of a static
;; array of 4-byte values at 1024.
(module
  (func (export "mix") (param $x i32) (param $h i32) (result i32)
    (i32.xor
      (i32.and (i32.shr_u (local.get $x) (i32.const 8)) (i32.const 0xff))
      (i32.rotl (local.get $h) (i32.const 5))))
  (func (export "element") (param $i i32) (result i32)
    (i32.add (i32.shl (local.get $i) (i32.const 2)) (i32.const 1024))))
