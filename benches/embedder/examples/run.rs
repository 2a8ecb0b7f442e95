//! Runs one workload's `run(n)` once on regwasm, in the embedder's build, and prints the
//! checksum: a whole-process driver for instruction counts and profiles, e.g.
//!
//! ```text
//! cargo build --release --example run
//! valgrind --tool=callgrind target/release/examples/run ../workloads/hostcall.wasm 100000
//! ```
//!
//! `REGWASM_DISPATCH=loop` selects the match loop (as in `../execute.rs`); `ENGINE=wasmi` runs
//! the workload on wasmi instead (default `Config`, the same host import); `REPS=K` calls
//! `run(n)` K times and prints the time per call on stderr (a quick A/B of two engines or two
//! builds on one workload; criterion's `../execute.rs` is what the reported ratios come from).

use regwasm::{Caller, Config, Dispatch, Engine, Linker, Module, Store, TypedFunc};

fn main() {
    let mut args = std::env::args().skip(1);
    let (Some(path), Some(n)) = (args.next(), args.next()) else {
        eprintln!("usage: run WORKLOAD.wasm N");
        std::process::exit(2);
    };
    let n: i32 = n.parse().expect("N is an i32");
    let wasm = std::fs::read(&path).expect("read the workload");
    let reps: u32 = std::env::var("REPS")
        .ok()
        .map_or(1, |r| r.parse().expect("REPS is a count"));
    if std::env::var("ENGINE").as_deref() == Ok("wasmi") {
        let engine = wasmi::Engine::default();
        let module = wasmi::Module::new(&engine, &wasm[..]).expect("compile");
        let mut store = wasmi::Store::new(&engine, ());
        let mut linker = wasmi::Linker::<()>::new(&engine);
        linker
            .func_wrap(
                "env",
                "host_add",
                |_: wasmi::Caller<'_, ()>, a: i32, b: i32| a.wrapping_add(b),
            )
            .expect("define host_add");
        let inst = (linker.instantiate_and_start(&mut store, &module)).expect("instantiate");
        let run = (inst.get_typed_func::<i32, i32>(&store, "run")).expect("export run");
        calls(reps, || run.call(&mut store, n).expect("run"));
        return;
    }
    let mut config = Config::default();
    if std::env::var("REGWASM_DISPATCH").as_deref() == Ok("loop") {
        config.dispatch(Dispatch::Loop);
    }
    let engine = Engine::new(&config);
    let module = Module::new(&engine, &wasm).expect("compile");
    let mut store = Store::new(&engine, ());
    let mut linker = Linker::<()>::new(&engine);
    linker.func_wrap("env", "host_add", |_: Caller<'_, ()>, a: i32, b: i32| {
        a.wrapping_add(b)
    });
    let instance = linker
        .instantiate(&mut store, &module)
        .expect("instantiate");
    let run: TypedFunc<i32, i32> = instance.get_typed_func(&store, "run").expect("export run");
    calls(reps, || run.call(&mut store, n).expect("run"));
}

/// Makes `reps` calls (at least one), prints the time per call on stderr and the last result.
fn calls(reps: u32, mut call: impl FnMut() -> i32) {
    let reps = reps.max(1);
    let t = std::time::Instant::now();
    let mut r = 0;
    for _ in 0..reps {
        r = call();
    }
    eprintln!("per call {:?}", t.elapsed() / reps);
    println!("{r}");
}
