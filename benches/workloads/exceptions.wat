;; Exception-heavy workload: run(n) calls a recursive descent n times; two calls in three end in a
;; `throw` from 1 to 8 frames down, caught by a `try_table` in `run` (catch) or one level up
;; (catch_ref, rethrown with throw_ref every fourth time). Exercises throwing, unwinding through
;; frames, catching with payload and exnref, and rethrowing. WebAssembly 3.0 exceptions.
(module
  (tag $found (param i32))
  (tag $odd (param i32 i32))

  ;; Descends `depth` frames, then throws or returns a value derived from `x`.
  (func $descend (param $x i32) (param $depth i32) (result i32)
    (if (i32.eqz (local.get $depth))
      (then
        (if (i32.eqz (i32.rem_u (local.get $x) (i32.const 3)))
          (then (return (i32.and (local.get $x) (i32.const 255)))))
        (if (i32.and (local.get $x) (i32.const 1))
          (then (throw $odd (local.get $x) (i32.const 7))))
        (throw $found (i32.rem_u (i32.mul (local.get $x) (i32.const 31)) (i32.const 1000003)))))
    (i32.add
      (call $descend (local.get $x) (i32.sub (local.get $depth) (i32.const 1)))
      (i32.const 1)))

  ;; Catches `$odd` with its reference: handles it, or every fourth time rethrows it.
  (func $middle (param $x i32) (result i32)
    (local $e exnref)
    (block $h (result i32 i32 exnref)
      (try_table (result i32) (catch_ref $odd $h)
        (call $descend (local.get $x) (i32.and (local.get $x) (i32.const 7))))
      (return))
    (local.set $e)
    (if (i32.eqz (i32.and (local.get $x) (i32.const 12)))
      (then (throw_ref (local.get $e))))
    (i32.add))

  (func (export "run") (param $n i32) (result i32)
    (local $i i32) (local $acc i32) (local $v i32) (local $w i32)
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (block $continue
          (block $caught_odd (result i32 i32)
            (block $caught (result i32)
              (try_table (result i32) (catch $found $caught) (catch $odd $caught_odd)
                (call $middle (local.get $i)))
              ;; returned normally
              (local.set $v)
              (local.set $acc (i32.add (local.get $acc) (local.get $v)))
              (br $continue))
            ;; caught $found
            (local.set $v)
            (local.set $acc (i32.xor (local.get $acc) (local.get $v)))
            (br $continue))
          ;; caught $odd, rethrown by $middle
          (local.set $v)
          (local.set $w)
          (local.set $acc (i32.add (local.get $acc) (i32.mul (local.get $w) (local.get $v)))))
        (local.set $acc (i32.mul (local.get $acc) (i32.const 16777619)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (local.get $acc)))
