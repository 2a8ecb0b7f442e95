//! Cheap instances: create, call once and drop instances of a small module
//! (`benches/instances/small.wat`: one page of memory, a global, a data segment, three
//! functions), on regwasm and on wasmi side by side in one process. The module is compiled once,
//! outside the timed loop; the time is per instance.
//!
//! - `fresh_store`: every instance gets its own store, dropped right after the call (the memory
//!   is unmapped then).
//! - `reused_store`: instances go into one store, 10,000 per store. Neither engine's store can
//!   drop an instance, so they live until the store is dropped, which is timed too.
//!
//! Run with `cargo bench --bench instantiate` (in `benches/embedder/` for the embedder's build);
//! peak resident memory per instance comes from `examples/memory_cost.rs`.

use criterion::{Criterion, SamplingMode};
use std::hint::black_box;
use std::time::{Duration, Instant};

const SMALL_WAT: &str = include_str!("instances/small.wat");
/// `run()` of a fresh instance.
const SMALL_RUN: i32 = 1_819_043_177;
/// Instances per store in `reused_store`.
const PER_STORE: u64 = 10_000;

/// Times `iters` instances; `fresh`: a store per instance, else `PER_STORE` per store.
fn regwasm_instances(
    (engine, module): &(regwasm::Engine, regwasm::Module),
    iters: u64,
    fresh: bool,
) -> Duration {
    use regwasm::{Linker, Store};
    let linker = Linker::new(engine);
    let start = Instant::now();
    let mut store = Store::new(engine, ());
    for i in 0..iters {
        if fresh || (i > 0 && i % PER_STORE == 0) {
            store = Store::new(engine, ());
        }
        let instance = linker.instantiate(&mut store, module).unwrap();
        let run = instance.get_typed_func::<(), i32>(&store, "run").unwrap();
        assert_eq!(run.call(&mut store, ()).unwrap(), SMALL_RUN);
    }
    drop(black_box(store));
    start.elapsed()
}

fn wasmi_instances(module: &wasmi::Module, iters: u64, fresh: bool) -> Duration {
    let engine = module.engine();
    let linker = wasmi::Linker::<()>::new(engine);
    let start = Instant::now();
    let mut store = wasmi::Store::new(engine, ());
    for i in 0..iters {
        if fresh || (i > 0 && i % PER_STORE == 0) {
            store = wasmi::Store::new(engine, ());
        }
        let instance = linker.instantiate_and_start(&mut store, module).unwrap();
        let run = instance.get_typed_func::<(), i32>(&store, "run").unwrap();
        assert_eq!(run.call(&mut store, ()).unwrap(), SMALL_RUN);
    }
    drop(black_box(store));
    start.elapsed()
}

fn main() {
    let mut c = Criterion::default().configure_from_args();
    let wasm = wat::parse_str(SMALL_WAT).expect("small.wat");
    let mut config = regwasm::Config::default();
    config
        .max_instances(PER_STORE as usize)
        .max_memories(PER_STORE as usize);
    let regwasm_engine = regwasm::Engine::new(&config);
    let regwasm_module = regwasm::Module::new(&regwasm_engine, &wasm).unwrap();
    let regwasm = (regwasm_engine, regwasm_module);
    let wasmi_engine = wasmi::Engine::default();
    let wasmi_module = wasmi::Module::new(&wasmi_engine, &wasm).unwrap();
    for (name, fresh) in [("fresh_store", true), ("reused_store", false)] {
        let mut group = c.benchmark_group(format!("instantiate/{name}"));
        group
            .sample_size(10)
            .warm_up_time(Duration::from_secs(1))
            .measurement_time(Duration::from_secs(3))
            .sampling_mode(SamplingMode::Flat);
        group.bench_function("regwasm", |b| {
            b.iter_custom(|iters| regwasm_instances(&regwasm, iters, fresh))
        });
        group.bench_function("wasmi", |b| {
            b.iter_custom(|iters| wasmi_instances(&wasmi_module, iters, fresh))
        });
        group.finish();
    }
    c.final_summary();
}
