//! Ablation table: each benchmark workload timed with every translator optimization on, with
//! each one off alone, with all off, and with fuel metering and interruption checks on — so the
//! effect of each switch (and the cost of metering) is one column.
//!
//! `cargo run --release --example ablation [RUNS]` (default 3 runs per cell, the fastest kept).
//! For the numbers in `docs/performance.md`, run it in the embedder's build:
//! `cd benches/embedder && cargo run --release --example ablation` (and `--profile lto`).
//!
//! `all on` runs the default dispatch backend (threaded where the build has it); the `match
//! loop` column runs the same bytecode on the other backend.
//! The runs go round-robin over the columns (every column once, then again), so that a slow
//! spell of a shared machine lands on all columns alike rather than on one.

#[path = "../benches/workloads/list.rs"]
mod list;

use regwasm::{Caller, Config, Dispatch, Engine, Linker, Module, Optimizations, Store, TypedFunc};
use std::time::{Duration, Instant};

/// A workload instantiated under one configuration, ready to be timed call by call.
struct Prepared {
    store: Store<()>,
    run: TypedFunc<i32, i32>,
}

fn prepare(config: &Config, w: &list::Workload) -> Result<Prepared, String> {
    let engine = Engine::new(config);
    let module = Module::new(&engine, w.wasm).map_err(|e| e.to_string())?;
    let mut store = Store::new(&engine, ());
    if config_has_fuel(config) {
        store.set_fuel(u64::MAX).map_err(|e| e.to_string())?;
    }
    let mut linker = Linker::<()>::new(&engine);
    linker.func_wrap("env", "host_add", |_: Caller<'_, ()>, a: i32, b: i32| {
        a.wrapping_add(b)
    });
    let instance = linker
        .instantiate(&mut store, &module)
        .map_err(|e| e.to_string())?;
    let run = instance
        .get_typed_func::<i32, i32>(&store, "run")
        .map_err(|e| e.to_string())?;
    Ok(Prepared { store, run })
}

/// One timed call, its checksum checked.
fn time_once(p: &mut Prepared, w: &list::Workload) -> Result<Duration, String> {
    let start = Instant::now();
    let got = p.run.call(&mut p.store, w.arg).map_err(|e| e.to_string())?;
    let elapsed = start.elapsed();
    if got != w.expect {
        return Err(format!("{}: checksum {got}, expected {}", w.name, w.expect));
    }
    Ok(elapsed)
}

fn config_has_fuel(config: &Config) -> bool {
    let engine = Engine::new(config);
    Store::new(&engine, ()).get_fuel().is_ok()
}

fn main() {
    let runs = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(3);
    // All on first (the baseline), then each switch off alone, then all off.
    let mut columns: Vec<(String, Config)> = Optimizations::ablations()
        .into_iter()
        .map(|(name, opts)| {
            let mut c = Config::default();
            c.optimizations(opts);
            (name, c)
        })
        .collect();
    let all_off = columns.remove(1);
    columns.push(all_off);
    let mut match_loop = Config::default();
    match_loop.dispatch(Dispatch::Loop);
    columns.push(("match loop".into(), match_loop));
    let mut fuel = Config::default();
    fuel.consume_fuel(true);
    columns.push(("fuel on".into(), fuel));
    let mut interrupt = Config::default();
    interrupt.interruptible(true);
    columns.push(("interruptible".into(), interrupt));

    print!("| workload | all on (ms) |");
    for (name, _) in &columns[1..] {
        print!(" {name} |");
    }
    println!();
    println!("|---|---:|{}", "---:|".repeat(columns.len() - 1));
    let mut logs = vec![0.0f64; columns.len()];
    for w in list::WORKLOADS {
        let mut prepared: Vec<Prepared> = columns
            .iter()
            .map(|(name, c)| prepare(c, w).unwrap_or_else(|e| panic!("{} / {name}: {e}", w.name)))
            .collect();
        let mut times = vec![Duration::MAX; columns.len()];
        for _ in 0..runs {
            for (i, p) in prepared.iter_mut().enumerate() {
                let t = time_once(p, w)
                    .unwrap_or_else(|e| panic!("{} / {}: {e}", w.name, columns[i].0));
                times[i] = times[i].min(t);
            }
        }
        let base = times[0].as_secs_f64();
        print!("| {} | {:.1} |", w.name, base * 1e3);
        for (i, t) in times.iter().enumerate().skip(1) {
            let ratio = t.as_secs_f64() / base;
            logs[i] += ratio.ln();
            print!(" {ratio:.2} |");
        }
        println!();
    }
    let n = list::WORKLOADS.len() as f64;
    print!("| **geometric mean** | |");
    for l in &logs[1..] {
        print!(" **{:.2}** |", (l / n).exp());
    }
    println!();
    println!(
        "\nColumns after the first: time relative to `all on` (> 1 means slower). \
         Default dispatch: {:?} (threaded code available: {}).",
        Dispatch::default(),
        Dispatch::THREADED_AVAILABLE
    );
}
