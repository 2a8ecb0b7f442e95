;; Host-call-heavy: run(n) calls the imported host function env.host_add(a, b) = a + b (wrapping)
;; n times, so the cost is dominated by the Wasm-to-host transition.
(module
  (import "env" "host_add" (func $host_add (param i32 i32) (result i32)))
  (func (export "run") (param $n i32) (result i32)
    (local $i i32)
    (local $acc i32)
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $acc
          (call $host_add
            (local.get $acc)
            (i32.xor (local.get $i) (i32.const 0x5bd1e995))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (local.get $acc)))
