//! A driver for counting instructions (`valgrind --tool=callgrind`) of loading the generated
//! module of the translation benchmark (or of a `.wasm` file given last): `Module::new` once and
//! `serialize`, then `N` more eager `Module::deserialize` (default) or `Module::new` (`new`).
//! The count of one load is the difference between two runs with different `N`, divided by the
//! difference of `N`; or the inclusive count of `Module::deserialize` under
//! `callgrind_annotate --inclusive=yes`.
//!
//! ```text
//! cargo build --release --example load_once
//! valgrind --tool=callgrind target/release/examples/load_once 3 [new] [FILE.wasm]
//! ```

#[path = "../benches/workloads/generated.rs"]
mod generated;

use regwasm::{Engine, Module};

fn main() {
    let mut args = std::env::args().skip(1);
    let n: usize = args.next().map_or(1, |s| s.parse().expect("a count"));
    let mut rest: Vec<String> = args.collect();
    let new = rest.first().map(String::as_str) == Some("new");
    if new {
        rest.remove(0);
    }
    let wasm = match rest.first() {
        Some(file) => std::fs::read(file).expect("a readable module"),
        None => generated::generated_module(generated::GENERATED_FUNCS),
    };
    let engine = Engine::default();
    let bytes = Module::new(&engine, &wasm)
        .expect("a valid module")
        .serialize();
    for _ in 0..n {
        let module = if new {
            Module::new(&engine, &wasm)
        } else {
            Module::deserialize(&engine, &bytes)
        };
        drop(std::hint::black_box(module.expect("loads")));
    }
}
