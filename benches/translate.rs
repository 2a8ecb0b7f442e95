//! Compile-time benchmarks: decode + validate + translate (`Module::new`) on regwasm versus
//! `wasmi::Module::new` with wasmi's default config switched to eager translation, for
//!
//! - `translate_generated`: a module of a few thousand functions with varied bodies, generated as
//!   WAT text at start-up (deterministically) and converted with `wat::parse_str`;
//! - `translate_<workload>`: the largest `.wasm` in `benches/workloads/`.
//!
//! Throughput is reported per byte of the code section. Run with
//! `cargo bench --bench translate`, then `cargo run --release --example bench_table`.

use criterion::{Criterion, Throughput};
use std::hint::black_box;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;
use std::time::Duration;

#[path = "workloads/generated.rs"]
mod generated;
use generated::{generated_module, GENERATED_FUNCS};

/// Size in bytes of the code section (id 10) of a binary module.
fn code_section_size(wasm: &[u8]) -> u64 {
    fn leb(bytes: &[u8], pos: &mut usize) -> u64 {
        let (mut value, mut shift) = (0u64, 0);
        loop {
            let byte = bytes[*pos];
            *pos += 1;
            value |= u64::from(byte & 0x7f) << shift;
            if byte & 0x80 == 0 {
                return value;
            }
            shift += 7;
        }
    }
    let mut pos = 8; // magic and version
    while pos < wasm.len() {
        let id = wasm[pos];
        pos += 1;
        let size = leb(wasm, &mut pos);
        if id == 10 {
            return size;
        }
        pos += size as usize;
    }
    panic!("module has no code section")
}

fn wasmi_engine() -> wasmi::Engine {
    let mut config = wasmi::Config::default();
    config.compilation_mode(wasmi::CompilationMode::Eager);
    wasmi::Engine::new(&config)
}

/// Whether regwasm compiles `wasm`; a panic (an unfinished part, say) counts as no.
fn regwasm_can_compile(wasm: &[u8]) -> Result<(), String> {
    catch_unwind(AssertUnwindSafe(|| {
        let engine = regwasm::Engine::default();
        regwasm::Module::new(&engine, wasm)
            .map(drop)
            .map_err(|e| e.to_string())
    }))
    .unwrap_or_else(|panic| {
        let msg = panic
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "non-string panic".to_string());
        Err(format!("panicked: {msg}"))
    })
}

fn bench_module(c: &mut Criterion, group_name: &str, wasm: &[u8], failures: &mut Vec<String>) {
    let code = code_section_size(wasm);
    eprintln!(
        "{group_name}: module {} bytes, code section {code} bytes",
        wasm.len()
    );
    let mut group = c.benchmark_group(group_name);
    group
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .throughput(Throughput::Bytes(code));
    match regwasm_can_compile(wasm) {
        Ok(()) => {
            let engine = regwasm::Engine::default();
            group.bench_function("regwasm", |b| {
                b.iter(|| black_box(regwasm::Module::new(&engine, wasm).expect("regwasm compiles")))
            });
        }
        Err(e) => {
            let e = format!("{group_name}/regwasm: {e}");
            eprintln!("SKIPPED {e}");
            failures.push(e);
        }
    }
    let engine = wasmi_engine();
    wasmi::Module::new(&engine, wasm).expect("wasmi compiles the module");
    group.bench_function("wasmi", |b| {
        b.iter(|| black_box(wasmi::Module::new(&engine, wasm).expect("wasmi compiles")))
    });
    group.finish();
}

/// Time to first call, for hosts that start modules on demand: compile, instantiate and call
/// the exported `run` once, in each engine's three compilation modes (eager; lazy translation,
/// which validates every body up front; lazy, which also defers validation to the first call).
/// The names follow the modes: `<engine>_eager`, `<engine>_lazy_translation`, `<engine>_lazy`.
fn bench_first_call(c: &mut Criterion, wasm: &[u8]) {
    let mut group = c.benchmark_group("first_call_generated");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    for (name, mode) in [
        ("regwasm_eager", regwasm::CompilationMode::Eager),
        (
            "regwasm_lazy_translation",
            regwasm::CompilationMode::LazyTranslation,
        ),
        ("regwasm_lazy", regwasm::CompilationMode::Lazy),
    ] {
        let mut config = regwasm::Config::default();
        config.compilation_mode(mode);
        let engine = regwasm::Engine::new(&config);
        group.bench_function(name, |b| {
            b.iter(|| {
                let module = regwasm::Module::new(&engine, wasm).expect("regwasm compiles");
                black_box(regwasm_call_once(&engine, &module))
            })
        });
    }
    for (name, mode) in [
        ("wasmi_eager", wasmi::CompilationMode::Eager),
        // Validates every body up front and translates on first call, as regwasm's
        // `LazyTranslation` does.
        (
            "wasmi_lazy_translation",
            wasmi::CompilationMode::LazyTranslation,
        ),
        // Defers validation too, so a bad body is reported only when it is first called, as
        // regwasm's `Lazy` does.
        ("wasmi_lazy", wasmi::CompilationMode::Lazy),
    ] {
        let mut config = wasmi::Config::default();
        config.compilation_mode(mode);
        let engine = wasmi::Engine::new(&config);
        group.bench_function(name, |b| {
            b.iter(|| {
                let module = wasmi::Module::new(&engine, wasm).expect("wasmi compiles");
                black_box(wasmi_call_once(&engine, &module))
            })
        });
    }
    group.finish();
}

/// A new store, `module` instantiated in it, its `run(1, 2)` called once.
fn regwasm_call_once(engine: &regwasm::Engine, module: &regwasm::Module) -> Option<i32> {
    let mut store = regwasm::Store::new(engine, ());
    let instance = regwasm::Linker::new(engine)
        .instantiate(&mut store, module)
        .expect("instantiates");
    let run = instance
        .get_typed_func::<(i32, i32), i32>(&store, "run")
        .expect("exports run");
    run.call(&mut store, (1, 2)).ok()
}

/// The same on wasmi.
fn wasmi_call_once(engine: &wasmi::Engine, module: &wasmi::Module) -> Option<i32> {
    let mut store = wasmi::Store::new(engine, ());
    let instance = wasmi::Linker::<()>::new(engine)
        .instantiate_and_start(&mut store, module)
        .expect("instantiates");
    let run = instance
        .get_typed_func::<(i32, i32), i32>(&store, "run")
        .expect("exports run");
    run.call(&mut store, (1, 2)).ok()
}

/// A fresh store per request, as a host serving many short-lived guests does: new store,
/// instantiate an already compiled small module, call one export once.
fn bench_fresh_store(c: &mut Criterion) {
    const WAT: &str = r#"(module (memory 1)
        (func (export "run") (param i32 i32) (result i32)
          (i32.add (local.get 0) (i32.mul (local.get 1) (i32.const 3)))))"#;
    let wasm = wat::parse_str(WAT).expect("well-formed");
    let mut group = c.benchmark_group("startup_fresh_store_call");
    let engine = regwasm::Engine::default();
    let module = regwasm::Module::new(&engine, &wasm).expect("regwasm compiles");
    group.bench_function("regwasm", |b| {
        b.iter(|| black_box(regwasm_call_once(&engine, &module)))
    });
    let engine = wasmi_engine();
    let module = wasmi::Module::new(&engine, &wasm).expect("wasmi compiles");
    group.bench_function("wasmi", |b| {
        b.iter(|| black_box(wasmi_call_once(&engine, &module)))
    });
    group.finish();
}

/// The largest `.wasm` in `benches/workloads/`, as (file stem, bytes).
fn largest_workload() -> (String, Vec<u8>) {
    // The repository's own build, or the embedder crate in `benches/embedder/`.
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = [
        manifest.join("benches/workloads"),
        manifest.join("../workloads"),
    ]
    .into_iter()
    .find(|d| d.is_dir())
    .expect("benches/workloads exists");
    let mut best: Option<(String, Vec<u8>)> = None;
    for entry in std::fs::read_dir(&dir).expect("benches/workloads exists") {
        let path = entry.expect("readable directory").path();
        if path.extension().is_some_and(|e| e == "wasm") {
            let bytes = std::fs::read(&path).expect("readable workload");
            if best.as_ref().is_none_or(|(_, b)| bytes.len() > b.len()) {
                let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
                best = Some((stem, bytes));
            }
        }
    }
    best.expect("at least one workload")
}

fn main() {
    let mut criterion = Criterion::default().configure_from_args();
    let mut failures = Vec::new();
    let generated = generated_module(GENERATED_FUNCS);
    bench_module(
        &mut criterion,
        "translate_generated",
        &generated,
        &mut failures,
    );
    bench_first_call(&mut criterion, &generated);
    bench_fresh_store(&mut criterion);
    let (name, wasm) = largest_workload();
    bench_module(
        &mut criterion,
        &format!("translate_{name}"),
        &wasm,
        &mut failures,
    );
    criterion.final_summary();
    if !failures.is_empty() {
        eprintln!("\n{} benchmark(s) could not run:", failures.len());
        for f in &failures {
            eprintln!("  {f}");
        }
        std::process::exit(1);
    }
}
