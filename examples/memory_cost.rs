//! What memories and instances cost in time and resident memory (numbers in docs/performance.md,
//! "Memory growth and cheap instances"). Linux only for the memory figures (`/proc/self/status`).
//!
//! ```text
//! cargo run --release --example memory_cost -- grow [PAGES]        # memory.grow by PAGES (65535)
//! cargo run --release --example memory_cost -- instances N fresh|reuse [regwasm|wasmi]
//! ```
//!
//! `grow` times one guest `memory.grow` of a one-page memory and reports resident memory before
//! and after, and after touching the first and last byte. `instances` creates, calls once and
//! drops N instances of `benches/instances/small.wat`, each in a fresh store (`fresh`) or all in
//! one store (`reuse`: neither engine's store can drop an instance, so they live until the
//! store does), and reports the peak resident memory (VmHWM) and the time.

use std::time::Instant;

const SMALL_WAT: &str = include_str!("../benches/instances/small.wat");
/// `run()` of a fresh instance of `SMALL_WAT`.
const SMALL_RUN: i32 = 1_819_043_177;

/// A field of `/proc/self/status` in kB (`VmRSS`, `VmHWM`), or 0 where there is none.
fn status_kb(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

fn mib(kb: u64) -> f64 {
    kb as f64 / 1024.0
}

fn grow(pages: u32) -> Result<(), Box<dyn std::error::Error>> {
    use regwasm::{Engine, Linker, Module, Store};
    let engine = Engine::default();
    let module = Module::new(
        &engine,
        r#"(module (memory (export "memory") 1)
             (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0))))"#,
    )?;
    let mut store = Store::new(&engine, ());
    let instance = Linker::new(&engine).instantiate(&mut store, &module)?;
    let grow = instance.get_typed_func::<i32, i32>(&store, "grow")?;
    let memory = instance.get_memory(&store, "memory").ok_or("no memory")?;
    let before = status_kb("VmRSS");
    let start = Instant::now();
    let old = grow.call(&mut store, pages as i32)?;
    let took = start.elapsed();
    let after = status_kb("VmRSS");
    println!("memory.grow({pages}) returned {old} in {took:.2?}");
    println!(
        "VmRSS {:.1} MiB before, {:.1} MiB after (+{:.1} MiB)",
        mib(before),
        mib(after),
        mib(after.saturating_sub(before))
    );
    let len = memory.data(&store).len();
    memory.write(&mut store, 0, &[1])?;
    memory.write(&mut store, len - 1, &[2])?;
    println!(
        "VmRSS {:.1} MiB after touching the first and last byte of {len} bytes",
        mib(status_kb("VmRSS"))
    );
    Ok(())
}

/// One instance in a fresh store, or in the shared one, called once.
fn regwasm_instances(n: usize, reuse: bool) -> Result<(), Box<dyn std::error::Error>> {
    use regwasm::{Config, Engine, Linker, Module, Store};
    let mut config = Config::default();
    config.max_instances(n + 1).max_memories(n + 1);
    let engine = Engine::new(&config);
    let module = Module::new(&engine, SMALL_WAT)?;
    let linker = Linker::new(&engine);
    let mut shared = Store::new(&engine, ());
    for _ in 0..n {
        let mut fresh;
        let store = if reuse {
            &mut shared
        } else {
            fresh = Store::new(&engine, ());
            &mut fresh
        };
        let instance = linker.instantiate(store, &module)?;
        let run = instance.get_typed_func::<(), i32>(store, "run")?;
        assert_eq!(run.call(store, ())?, SMALL_RUN);
    }
    Ok(())
}

fn wasmi_instances(n: usize, reuse: bool) -> Result<(), Box<dyn std::error::Error>> {
    let engine = wasmi::Engine::default();
    let module = wasmi::Module::new(&engine, wat::parse_str(SMALL_WAT)?)?;
    let linker = wasmi::Linker::<()>::new(&engine);
    let mut shared = wasmi::Store::new(&engine, ());
    for _ in 0..n {
        let mut fresh;
        let store = if reuse {
            &mut shared
        } else {
            fresh = wasmi::Store::new(&engine, ());
            &mut fresh
        };
        let instance = linker.instantiate_and_start(&mut *store, &module)?;
        let run = instance.get_typed_func::<(), i32>(&*store, "run")?;
        assert_eq!(run.call(&mut *store, ())?, SMALL_RUN);
    }
    Ok(())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let arg = |i: usize| args.get(i).map(String::as_str);
    match arg(0) {
        Some("grow") => grow(arg(1).map_or(Ok(65535), str::parse)?),
        Some("instances") => {
            let n: usize = arg(1).ok_or("instances N")?.parse()?;
            let reuse = match arg(2) {
                Some("fresh") | None => false,
                Some("reuse") => true,
                Some(other) => return Err(format!("{other}: fresh or reuse").into()),
            };
            let engine = arg(3).unwrap_or("regwasm");
            let base = status_kb("VmRSS");
            let start = Instant::now();
            match engine {
                "regwasm" => regwasm_instances(n, reuse)?,
                "wasmi" => wasmi_instances(n, reuse)?,
                other => return Err(format!("{other}: regwasm or wasmi").into()),
            }
            let took = start.elapsed();
            let peak = status_kb("VmHWM").saturating_sub(base);
            println!(
                "{engine}, {n} instances, {} store: {took:.2?} ({:.2} µs each); peak RSS +{:.1} MiB \
                 over the start ({:.1} KiB per instance)",
                if reuse { "one" } else { "a fresh" },
                took.as_secs_f64() * 1e6 / n as f64,
                mib(peak),
                peak as f64 / n as f64,
            );
            Ok(())
        }
        _ => {
            Err("usage: memory_cost grow [PAGES] | instances N fresh|reuse [regwasm|wasmi]".into())
        }
    }
}
