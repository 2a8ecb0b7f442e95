//! Load time of a precompiled module against translating it: `Module::new` (decode, validate,
//! translate every function) versus `Module::deserialize` of `Module::serialize`'s bytes, best
//! of many runs; then both under lazy translation (`Module::new` validates every body and
//! translates none, `deserialize` checks each function on its first call), the last ratio
//! being eager `Module::new` over lazy `deserialize`. For each module given (default: the
//! generated module of the translation benchmark, the largest in `benches/`, and the largest
//! WASI test program).
//!
//! ```text
//! cargo run --release --example precompiled_load [FILE.wasm ...]
//! ```

#[path = "../benches/workloads/generated.rs"]
mod generated;

use regwasm::{CompilationMode, Config, Engine, Module};
use std::time::{Duration, Instant};

fn best_of(runs: u32, mut f: impl FnMut()) -> Duration {
    (0..runs)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed()
        })
        .min()
        .unwrap_or_default()
}

fn main() {
    let files: Vec<String> = std::env::args().skip(1).collect();
    let mut modules: Vec<(String, Vec<u8>)> = files
        .iter()
        .map(|f| (f.clone(), std::fs::read(f).expect("readable module")))
        .collect();
    if modules.is_empty() {
        let generated = generated::generated_module(generated::GENERATED_FUNCS);
        modules.push(("generated (benches/translate.rs)".into(), generated));
        for path in [
            "benches/workloads/coremark.wasm",
            "tests/wasi/wasi_misc.wasm",
        ] {
            let file = format!("{}/{path}", env!("CARGO_MANIFEST_DIR"));
            modules.push((path.into(), std::fs::read(file).expect("readable module")));
        }
    }
    let engine = Engine::default();
    let mut config = Config::default();
    config.compilation_mode(CompilationMode::LazyTranslation);
    let lazy = Engine::new(&config);
    println!(
        "{:<34} {:>9} {:>9} {:>12} {:>12} {:>7} {:>12} {:>12} {:>7}",
        "module",
        "wasm B",
        "rwm B",
        "Module::new",
        "deserialize",
        "ratio",
        "lazy new",
        "lazy load",
        "ratio"
    );
    let micros = |d: Duration| d.as_secs_f64() * 1e6;
    for (name, wasm) in modules {
        let module = Module::new(&engine, &wasm).expect("a valid module");
        let bytes = module.serialize();
        let runs = if wasm.len() > 100_000 { 20 } else { 200 };
        let new = best_of(runs, || drop(Module::new(&engine, &wasm).unwrap()));
        let load = best_of(runs, || drop(Module::deserialize(&engine, &bytes).unwrap()));
        let lazy_new = best_of(runs, || drop(Module::new(&lazy, &wasm).unwrap()));
        let lazy_load = best_of(runs, || drop(Module::deserialize(&lazy, &bytes).unwrap()));
        println!(
            "{:<34} {:>9} {:>9} {:>10.1}µs {:>10.1}µs {:>6.1}x {:>10.1}µs {:>10.1}µs {:>6.1}x",
            name,
            wasm.len(),
            bytes.len(),
            micros(new),
            micros(load),
            new.as_secs_f64() / load.as_secs_f64(),
            micros(lazy_new),
            micros(lazy_load),
            new.as_secs_f64() / lazy_load.as_secs_f64()
        );
    }
}
