;; Copies stdin to stdout with WASI fd_read and fd_write (tests/cli.rs, --stdin).
(module
  (import "wasi_snapshot_preview1" "fd_read"
    (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  ;; 0: iovec {64, 1024} to read into; 16: bytes read; 32: ciovec {64, bytes read}; 48: written
  (func (export "_start")
    (i32.store (i32.const 0) (i32.const 64))
    (i32.store (i32.const 4) (i32.const 1024))
    (i32.store (i32.const 32) (i32.const 64))
    (block $done
      (loop $copy
        (br_if $done (call $fd_read (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 16)))
        (br_if $done (i32.eqz (i32.load (i32.const 16))))
        (i32.store (i32.const 36) (i32.load (i32.const 16)))
        (drop (call $fd_write (i32.const 1) (i32.const 32) (i32.const 1) (i32.const 48)))
        (br $copy)))))
