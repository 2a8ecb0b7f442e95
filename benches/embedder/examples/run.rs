//! Runs one workload's `run(n)` once on regwasm, in the embedder's build, and prints the
//! checksum: a whole-process driver for instruction counts and profiles, e.g.
//!
//! ```text
//! cargo build --release --example run
//! valgrind --tool=callgrind target/release/examples/run ../workloads/hostcall.wasm 100000
//! ```
//!
//! `REGWASM_DISPATCH=loop` selects the match loop (as in `../execute.rs`).

use regwasm::{Caller, Config, Dispatch, Engine, Linker, Module, Store, TypedFunc};

fn main() {
    let mut args = std::env::args().skip(1);
    let (Some(path), Some(n)) = (args.next(), args.next()) else {
        eprintln!("usage: run WORKLOAD.wasm N");
        std::process::exit(2);
    };
    let n: i32 = n.parse().expect("N is an i32");
    let wasm = std::fs::read(&path).expect("read the workload");
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
    println!("{}", run.call(&mut store, n).expect("run"));
}
