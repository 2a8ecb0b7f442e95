//! Time to first call on the generated module (`../workloads/generated.rs`), once, in one
//! engine and compilation mode: compile, instantiate, call `run(1, 2)`. A whole-process
//! driver for instruction counts, which are steadier than the criterion group
//! `first_call_generated` of `../translate.rs` on a busy machine. Only the work inside
//! `first_call` is the measurement (the module is generated from text first), so count it
//! alone:
//!
//! ```text
//! cargo build --release --example first_call
//! valgrind --tool=callgrind --toggle-collect='first_call::first_call*' \
//!     target/release/examples/first_call regwasm lazy
//! ```
//!
//! ENGINE is `regwasm` or `wasmi`, MODE `eager`, `lazy_translation` or `lazy` (each engine's
//! `CompilationMode` of that name).

#[path = "../../workloads/generated.rs"]
mod generated;

use std::hint::black_box;

fn main() {
    let mut args = std::env::args().skip(1);
    let (Some(engine), Some(mode)) = (args.next(), args.next()) else {
        eprintln!("usage: first_call regwasm|wasmi eager|lazy_translation|lazy");
        std::process::exit(2);
    };
    let wasm = generated::generated_module(generated::GENERATED_FUNCS);
    let result = first_call(&engine, &mode, &wasm);
    println!("{engine} {mode}: run(1, 2) = {result}");
}

/// Compiles `wasm`, instantiates it in a new store and calls `run(1, 2)`.
#[inline(never)]
fn first_call(engine: &str, mode: &str, wasm: &[u8]) -> i32 {
    match engine {
        "regwasm" => {
            let mode = match mode {
                "eager" => regwasm::CompilationMode::Eager,
                "lazy_translation" => regwasm::CompilationMode::LazyTranslation,
                "lazy" => regwasm::CompilationMode::Lazy,
                other => panic!("unknown mode {other}"),
            };
            let mut config = regwasm::Config::default();
            config.compilation_mode(mode);
            let engine = regwasm::Engine::new(&config);
            let module = regwasm::Module::new(&engine, wasm).expect("regwasm compiles");
            let mut store = regwasm::Store::new(&engine, ());
            let instance = regwasm::Linker::new(&engine)
                .instantiate(&mut store, &module)
                .expect("instantiates");
            let run = instance
                .get_typed_func::<(i32, i32), i32>(&store, "run")
                .expect("exports run");
            black_box(run.call(&mut store, (1, 2)).expect("runs"))
        }
        "wasmi" => {
            let mode = match mode {
                "eager" => wasmi::CompilationMode::Eager,
                "lazy_translation" => wasmi::CompilationMode::LazyTranslation,
                "lazy" => wasmi::CompilationMode::Lazy,
                other => panic!("unknown mode {other}"),
            };
            let mut config = wasmi::Config::default();
            config.compilation_mode(mode);
            let engine = wasmi::Engine::new(&config);
            let module = wasmi::Module::new(&engine, wasm).expect("wasmi compiles");
            let mut store = wasmi::Store::new(&engine, ());
            let instance = wasmi::Linker::<()>::new(&engine)
                .instantiate_and_start(&mut store, &module)
                .expect("instantiates");
            let run = instance
                .get_typed_func::<(i32, i32), i32>(&store, "run")
                .expect("exports run");
            black_box(run.call(&mut store, (1, 2)).expect("runs"))
        }
        other => panic!("unknown engine {other}"),
    }
}
