//! Execution benchmarks: every workload in `benches/workloads/` runs its `run(n) -> checksum`
//! export on regwasm and on wasmi, side by side in one process.
//!
//! Each engine instantiates the module once, outside the timed loop; every workload rebuilds
//! all of its state from `n` on each call, so calls are independent and need no
//! re-instantiation. Every timed call's checksum is checked against the expected value (which
//! the C sources also give when compiled natively, see `workloads/check_native.sh`).
//!
//! Run with `cargo bench --bench execute`, then `cargo run --release --example bench_table`.
//! A criterion filter selects workloads or engines (`cargo bench --bench execute -- 'sieve|fib'`);
//! every workload is still instantiated and checked once on both engines before timing starts.
//! An engine that fails a workload (error, panic or wrong checksum) is left out of that group,
//! and the process exits non-zero after the other benchmarks ran.

use criterion::{Criterion, SamplingMode};
use std::hint::black_box;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::time::Duration;

#[path = "workloads/list.rs"]
mod list;
use list::{Workload, REGWASM_ONLY, WORKLOADS};

/// An instantiated workload: calls `run(n)` and returns the checksum.
type Runner = Box<dyn FnMut(i32) -> i32>;
/// Instantiates a module on one engine.
type MakeRunner = fn(&[u8]) -> Result<Runner, String>;

/// The dispatch backend to measure: `REGWASM_DISPATCH=loop` or `threaded`; unset, the default.
fn dispatch() -> regwasm::Dispatch {
    match std::env::var("REGWASM_DISPATCH").as_deref() {
        Ok("loop") => regwasm::Dispatch::Loop,
        Ok("threaded") => regwasm::Dispatch::Threaded,
        Ok(other) if !other.is_empty() => panic!("REGWASM_DISPATCH={other}: loop or threaded"),
        _ => regwasm::Dispatch::default(),
    }
}

fn regwasm_runner(wasm: &[u8]) -> Result<Runner, String> {
    use regwasm::{Caller, Config, Engine, Linker, Module, Store};
    let engine = Engine::new(Config::default().dispatch(dispatch()));
    let module = Module::new(&engine, wasm).map_err(|e| format!("compile: {e}"))?;
    let mut store = Store::new(&engine, ());
    let mut linker = Linker::<()>::new(&engine);
    linker.func_wrap("env", "host_add", |_: Caller<'_, ()>, a: i32, b: i32| {
        a.wrapping_add(b)
    });
    let instance = linker
        .instantiate(&mut store, &module)
        .map_err(|e| format!("instantiate: {e}"))?;
    let run: regwasm::TypedFunc<i32, i32> = instance
        .get_typed_func(&store, "run")
        .map_err(|e| format!("export `run`: {e}"))?;
    Ok(Box::new(move |n| {
        run.call(&mut store, n).expect("regwasm: run trapped")
    }))
}

fn wasmi_runner(wasm: &[u8]) -> Result<Runner, String> {
    let mut config = wasmi::Config::default();
    config.compilation_mode(wasmi::CompilationMode::Eager);
    let engine = wasmi::Engine::new(&config);
    let module = wasmi::Module::new(&engine, wasm).map_err(|e| format!("compile: {e}"))?;
    let mut store = wasmi::Store::new(&engine, ());
    let mut linker = wasmi::Linker::<()>::new(&engine);
    linker
        .func_wrap("env", "host_add", |a: i32, b: i32| a.wrapping_add(b))
        .map_err(|e| format!("define host_add: {e}"))?;
    let instance = linker
        .instantiate_and_start(&mut store, &module)
        .map_err(|e| format!("instantiate: {e}"))?;
    let run = instance
        .get_typed_func::<i32, i32>(&store, "run")
        .map_err(|e| format!("export `run`: {e}"))?;
    Ok(Box::new(move |n| {
        run.call(&mut store, n).expect("wasmi: run trapped")
    }))
}

/// Instantiates `w` on one engine and checks one call's checksum; a panic inside the engine
/// (an unfinished part, say) counts as a failure rather than ending the whole run.
fn prepare(engine: &str, w: &Workload, make: MakeRunner) -> Result<Runner, String> {
    let attempt = catch_unwind(AssertUnwindSafe(|| -> Result<Runner, String> {
        let mut run = make(w.wasm)?;
        let got = run(w.arg);
        if got != w.expect {
            return Err(format!(
                "WRONG CHECKSUM: run({}) = {got}, expected {}",
                w.arg, w.expect
            ));
        }
        Ok(run)
    }));
    let result = attempt.unwrap_or_else(|panic| {
        let msg = panic
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "non-string panic".to_string());
        Err(format!("panicked: {msg}"))
    });
    result.map_err(|e| format!("{}/{engine}: {e}", w.name))
}

fn bench_workloads(c: &mut Criterion, failures: &mut Vec<String>) {
    for w in WORKLOADS {
        let mut group = c.benchmark_group(w.name);
        group
            .sample_size(10)
            .warm_up_time(Duration::from_secs(1))
            .measurement_time(Duration::from_secs(3))
            .sampling_mode(SamplingMode::Flat);
        let engines: [(&str, MakeRunner); 2] =
            [("regwasm", regwasm_runner), ("wasmi", wasmi_runner)];
        for (engine, make) in engines {
            if engine != "regwasm" && REGWASM_ONLY.contains(&w.name) {
                continue;
            }
            // Prepared before the group so that an engine that cannot run the workload gets no
            // benchmark (and so no stale or bogus estimate) at all.
            match prepare(engine, w, make) {
                Ok(mut run) => {
                    group.bench_function(engine, |b| {
                        b.iter(|| {
                            let got = run(black_box(w.arg));
                            assert_eq!(got, w.expect, "{}/{engine}: wrong checksum", w.name);
                            got
                        })
                    });
                }
                Err(e) => {
                    eprintln!("SKIPPED {e}");
                    failures.push(e);
                }
            }
        }
        group.finish();
    }
}

fn main() {
    let mut criterion = Criterion::default().configure_from_args();
    let mut failures = Vec::new();
    bench_workloads(&mut criterion, &mut failures);
    criterion.final_summary();
    if !failures.is_empty() {
        eprintln!("\n{} benchmark(s) could not run:", failures.len());
        for f in &failures {
            eprintln!("  {f}");
        }
        std::process::exit(1);
    }
}
