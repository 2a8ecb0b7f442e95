;; A bit-field extract and a rotate-and-mix step, as in decoders and hash functions:
;; mix(x, h) = rotl(h, 5) ^ ((x >> 8) & 0xff).
(module
  (func (export "mix") (param $x i32) (param $h i32) (result i32)
    (i32.xor
      (i32.and (i32.shr_u (local.get $x) (i32.const 8)) (i32.const 0xff))
      (i32.rotl (local.get $h) (i32.const 5)))))
