//! The threaded backend must never grow the native stack per executed instruction: each
//! handler's call of the next one has to compile to a jump. Rust does not promise that, so this
//! test checks it: it runs millions of instructions (loops, branches, calls, returns, memory
//! accesses) on a thread whose native stack holds a few thousand handler frames at most. Were
//! one handler's tail call a real call, the thread would overflow its stack, which aborts the
//! process — so the run happens in a child process, and the test fails if the child does.

use regwasm::{Config, Dispatch, Engine, Linker, Module, Store};
use std::process::Command;

#[path = "../benches/workloads/list.rs"]
#[allow(dead_code)]
mod list;

const CHILD: &str = "REGWASM_STACK_CHILD";

/// `run(n)`: `n` rounds of a loop that calls a small function, stores and loads memory and
/// branches through a `br_table`; returns a checksum.
const WAT: &str = r#"
(module
  (memory 1)
  (func $step (param $x i32) (result i32)
    (i32.add (i32.mul (local.get $x) (i32.const 3)) (i32.const 1)))
  (func (export "run") (param $n i32) (result i32)
    (local $i i32) (local $acc i32)
    (loop $top
      (local.set $acc (call $step (i32.xor (local.get $acc) (local.get $i))))
      (i32.store (i32.and (local.get $i) (i32.const 1020)) (local.get $acc))
      (local.set $acc (i32.add (local.get $acc)
        (i32.load (i32.and (i32.mul (local.get $i) (i32.const 4)) (i32.const 1020)))))
      (block $b2 (block $b1 (block $b0
        (br_table $b0 $b1 $b2 (i32.and (local.get $i) (i32.const 3))))
        (local.set $acc (i32.add (local.get $acc) (i32.const 7))))
        (local.set $acc (i32.rotl (local.get $acc) (i32.const 5))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $top (i32.lt_u (local.get $i) (local.get $n))))
    (local.get $acc)))
"#;

fn run(dispatch: Dispatch, n: i32) -> i32 {
    run_module(dispatch, WAT.as_bytes(), n)
}

fn run_module(dispatch: Dispatch, wasm: &[u8], n: i32) -> i32 {
    let engine = Engine::new(Config::default().dispatch(dispatch));
    let module = Module::new(&engine, wasm).unwrap();
    let mut store = Store::new(&engine, ());
    let instance = Linker::new(&engine)
        .instantiate(&mut store, &module)
        .unwrap();
    let run = instance.get_typed_func::<i32, i32>(&store, "run").unwrap();
    run.call(&mut store, n).unwrap()
}

#[test]
fn threaded_dispatch_keeps_the_native_stack_flat() {
    if std::env::var_os(CHILD).is_some() {
        // 256 KiB: a few thousand frames, against millions of instructions.
        let thread = std::thread::Builder::new()
            .stack_size(256 << 10)
            .spawn(|| run(Dispatch::Threaded, 200_000))
            .unwrap();
        let threaded = thread.join().unwrap();
        assert_eq!(threaded, run(Dispatch::Loop, 200_000));
        // The vector kernels: each vector operator has handlers of its own (one per operator),
        // whose lane code must not keep the tail call from being a jump either.
        for kernel in list::SIMD_KERNELS {
            let name = format!("{kernel}_simd");
            let w = list::WORKLOADS.iter().find(|w| w.name == name).unwrap();
            let wasm = w.wasm;
            let thread = std::thread::Builder::new()
                .stack_size(256 << 10)
                .spawn(move || run_module(Dispatch::Threaded, wasm, 2))
                .unwrap();
            let threaded = thread.join().unwrap();
            assert_eq!(threaded, run_module(Dispatch::Loop, wasm, 2), "{name}");
        }
        println!("child done: {threaded}");
        return;
    }
    let out = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "threaded_dispatch_keeps_the_native_stack_flat",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD, "1")
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.status.success() && text.contains("child done"),
        "the threaded run failed (threaded code available in this build: {}):\n{text}",
        Dispatch::THREADED_AVAILABLE
    );
}
