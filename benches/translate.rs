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
use std::fmt::Write;
use std::hint::black_box;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;
use std::time::Duration;

/// Functions in the generated module.
const GENERATED_FUNCS: usize = 3000;

/// A small deterministic generator (xorshift64*), so every run benchmarks the same module.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }
}

/// One statement (stack-neutral) of a generated function body. Locals: `$a $b` (i32 params),
/// `$t` i32, `$x` i64, `$y` f64. `label` keeps label names unique within the function.
fn statement(rng: &mut Rng, out: &mut String, func: usize, label: &mut usize) {
    const BIN32: &[&str] = &[
        "add", "sub", "mul", "and", "or", "xor", "shl", "shr_u", "shr_s", "rotl",
    ];
    const CMP32: &[&str] = &["lt_s", "lt_u", "gt_s", "ge_u", "eq", "ne"];
    const BIN64: &[&str] = &["add", "sub", "mul", "xor", "rotr"];
    const BINF: &[&str] = &["add", "sub", "mul", "min", "max"];
    let var = |rng: &mut Rng| if rng.below(2) == 0 { "$a" } else { "$b" };
    let k = rng.below(1 << 20);
    *label += 1;
    let l = *label;
    match rng.below(12) {
        0 => {
            let (d, s) = (var(rng), var(rng));
            let (op1, op2) = (rng.pick(BIN32), rng.pick(BIN32));
            write!(
                out,
                "(local.set {d} (i32.{op1} (i32.{op2} (local.get {s}) (i32.const {k})) (local.get $t)))"
            )
        }
        1 => write!(
            out,
            "(local.set $t (i32.and (local.get $b) (i32.const 15))) \
             (block $b{l} (loop $l{l} (br_if $b{l} (i32.eqz (local.get $t))) \
             (local.set $a (i32.add (local.get $a) (i32.mul (local.get $t) (i32.const {k})))) \
             (local.set $t (i32.sub (local.get $t) (i32.const 1))) (br $l{l})))"
        ),
        2 => {
            let cmp = rng.pick(CMP32);
            let (op1, op2) = (rng.pick(BIN32), rng.pick(BIN32));
            write!(
                out,
                "(if (i32.{cmp} (local.get $a) (local.get $b)) \
                 (then (local.set $a (i32.{op1} (local.get $a) (i32.const {k})))) \
                 (else (local.set $b (i32.{op2} (local.get $b) (local.get $a)))))"
            )
        }
        3 => write!(
            out,
            "(i32.store offset={} (i32.and (local.get $a) (i32.const 65532)) (local.get $b)) \
             (local.set $t (i32.load offset={} (i32.and (local.get $b) (i32.const 65532))))",
            k % 1024 * 4,
            (k >> 10) % 1024 * 4
        ),
        4 if func > 0 => {
            let callee = rng.below(func as u64);
            write!(
                out,
                "(local.set $a (call $f{callee} (local.get $a) (local.get $t)))"
            )
        }
        5 => write!(
            out,
            "(local.set $b (call_indirect (type $binop) (local.get $a) (local.get $b) \
             (i32.and (local.get $t) (i32.const 63))))"
        ),
        6 => {
            let op = rng.pick(BIN64);
            write!(
                out,
                "(local.set $x (i64.{op} (i64.mul (local.get $x) (i64.extend_i32_u (local.get $a))) \
                 (i64.const {k}))) \
                 (local.set $t (i32.wrap_i64 (i64.shr_u (local.get $x) (i64.const {}))))",
                k % 64
            )
        }
        7 => {
            let op = rng.pick(BINF);
            write!(
                out,
                "(local.set $y (f64.{op} (f64.mul (local.get $y) (f64.convert_i32_s (local.get $a))) \
                 (f64.const {}.5))) \
                 (local.set $b (i32.trunc_sat_f64_s (f64.sqrt (f64.abs (local.get $y)))))",
                k % 100
            )
        }
        8 => write!(
            out,
            "(block $d{l} (block $c{l} (block $e{l} \
             (br_table $e{l} $c{l} $d{l} (i32.and (local.get $a) (i32.const 3)))) \
             (local.set $a (i32.add (local.get $a) (i32.const {k})))) \
             (local.set $b (i32.xor (local.get $b) (local.get $a))))"
        ),
        9 => {
            let cmp = rng.pick(CMP32);
            write!(
                out,
                "(local.set $a (select (local.get $a) (i32.const {k}) \
                 (i32.{cmp} (local.get $t) (local.get $b))))"
            )
        }
        10 => write!(
            out,
            "(global.set $g (i32.add (global.get $g) (local.get $a))) \
             (local.set $t (i32.xor (global.get $g) (i32.const {k})))"
        ),
        _ => write!(
            out,
            "(local.set $a (block $r{l} (result i32) \
             (drop (br_if $r{l} (local.get $b) (i32.and (local.get $a) (i32.const 1)))) \
             (i32.const {k})))"
        ),
    }
    .unwrap();
}

/// A module of `funcs` functions `(i32, i32) -> i32`, each 2 to 24 statements long, calling
/// earlier ones directly and all through a 64-entry table.
fn generated_module(funcs: usize) -> Vec<u8> {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut wat = String::new();
    wat.push_str("(module (type $binop (func (param i32 i32) (result i32)))\n");
    wat.push_str("(memory 1) (global $g (mut i32) (i32.const 0)) (table 64 funcref)\n");
    for f in 0..funcs {
        writeln!(
            wat,
            "(func $f{f} (type $binop) (param $a i32) (param $b i32) \
             (result i32) (local $t i32) (local $x i64) (local $y f64)"
        )
        .unwrap();
        let mut label = 0;
        for _ in 0..2 + rng.below(23) {
            statement(&mut rng, &mut wat, f, &mut label);
            wat.push('\n');
        }
        wat.push_str("(i32.add (local.get $a) (i32.xor (local.get $b) (local.get $t))))\n");
    }
    wat.push_str("(elem (i32.const 0) func");
    for i in 0..64 {
        write!(wat, " $f{}", i * funcs / 64).unwrap();
    }
    wat.push_str(")\n");
    write!(wat, "(export \"run\" (func $f{})))", funcs - 1).unwrap();
    wat::parse_str(&wat).expect("generated WAT is well-formed")
}

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
/// the exported `run` once, with eager and lazy translation on both engines (and wasmi's fully
/// lazy mode, which also defers validation).
fn bench_first_call(c: &mut Criterion, wasm: &[u8]) {
    let mut group = c.benchmark_group("first_call_generated");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    for (name, mode) in [
        ("regwasm_eager", regwasm::CompilationMode::Eager),
        ("regwasm_lazy", regwasm::CompilationMode::LazyTranslation),
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
        // Validates every body up front and translates on first call: what regwasm's lazy
        // mode does.
        (
            "wasmi_lazy_translation",
            wasmi::CompilationMode::LazyTranslation,
        ),
        // Defers validation too, so a bad body is reported only when it is first called.
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
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/workloads");
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
