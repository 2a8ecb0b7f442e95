//! Precompiled modules (`Module::serialize`, `Module::deserialize`): a loaded module has the
//! same bytecode and runs the same as the one serialized, in every translation configuration
//! and every compilation mode; the WASI programs run the same from precompiled bytes; and
//! damaged bytes — truncated, bit-flipped, spliced from two modules, re-sealed with a valid
//! checksum so that the deep checks see them — are refused with `Error::Precompiled`, or
//! load and run without a panic.

use regwasm::wasi::{self, WasiCtx, WasiCtxBuilder};
use regwasm::{
    CompilationMode, Config, Engine, Error, Linker, Module, Optimizations, PrecompiledErrorKind,
    Store, Val, ValType,
};
use std::fs;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// A module touching what the loader checks: globals (`v128` too), tables and `call_indirect`,
/// segments and bulk operations, SIMD, `br_table`, traps, typed function references.
const FEATURES: &str = r#"(module
  (type $t (func (param i32) (result i32)))
  (memory (export "mem") 1)
  (data (i32.const 16) "hello")
  (data $passive "xyz")
  (global $g (mut i32) (i32.const 5))
  (global $v (mut v128) (v128.const i32x4 1 2 3 4))
  (table $tab 4 funcref)
  (elem (table $tab) (i32.const 0) func $sq $inc)
  (elem $pe func $inc)
  (func $sq (type $t) (i32.mul (local.get 0) (local.get 0)))
  (func $inc (type $t) (i32.add (local.get 0) (i32.const 1)))
  (func (export "indirect") (param i32 i32) (result i32)
    (call_indirect (type $t) (local.get 1) (local.get 0)))
  (func (export "global") (param i32) (result i32)
    (global.set $g (i32.add (global.get $g) (local.get 0)))
    (global.get $g))
  (func (export "simd") (param i32) (result i32)
    (global.set $v (i32x4.add (global.get $v) (i32x4.splat (local.get 0))))
    (i32x4.extract_lane 2 (global.get $v)))
  (func (export "bulk") (param i32) (result i32)
    (memory.init $passive (i32.const 100) (i32.const 0) (i32.const 3))
    (memory.copy (i32.const 200) (i32.const 16) (i32.const 5))
    (memory.fill (i32.const 300) (local.get 0) (i32.const 4))
    (table.init $tab $pe (i32.const 2) (i32.const 0) (i32.const 1))
    (i32.add (i32.load (i32.const 200))
      (i32.add (i32.load (i32.const 300)) (memory.grow (i32.const 0)))))
  (func (export "loop") (param i32) (result i64) (local i64)
    (block (loop
      (br_if 1 (i32.eqz (local.get 0)))
      (local.set 1 (i64.add (local.get 1) (i64.extend_i32_u (local.get 0))))
      (local.set 0 (i32.sub (local.get 0) (i32.const 1)))
      (br 0)))
    (local.get 1))
  (func (export "div") (param i32) (result i32) (i32.div_s (i32.const 100) (local.get 0)))
  (func (export "switch") (param i32) (result i32)
    (block (block (block (br_table 0 1 2 (local.get 0)))
      (return (i32.const 10))) (return (i32.const 20)))
    (i32.const 30))
  (func (export "ref") (result i32) (ref.is_null (ref.func $sq)))
  (table $typed 1 (ref $t) (ref.func $sq))
  (func (export "call_ref") (param i32) (result i32)
    (call_ref $t (local.get 0) (table.get $typed (i32.const 0))))
  (func (export "return_call_ref") (param i32) (result i32)
    (return_call_ref $t (local.get 0) (ref.func $inc)))
  (func (export "br_on_null") (param i32) (result i32) (local $f (ref null $t))
    (if (local.get 0) (then (local.set $f (ref.func $inc))))
    (block $null
      (return (call_ref $t (local.get 0) (ref.as_non_null (br_on_null $null (local.get $f))))))
    (i32.const -1))
  (func (export "float") (param f64 f64) (result f64)
    (f64.add (f64.mul (local.get 0) (local.get 1)) (f64.sqrt (local.get 0)))))"#;

/// `(name, bytes)` of every module the round trips use.
fn modules() -> Vec<(String, Vec<u8>)> {
    let mut v = vec![("features".to_string(), FEATURES.as_bytes().to_vec())];
    for dir in [
        "tests/data",
        "tests/data/cli",
        "tests/regressions",
        "benches/workloads",
    ] {
        let mut paths: Vec<_> = fs::read_dir(root().join(dir))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| matches!(p.extension().and_then(|e| e.to_str()), Some("wat" | "wasm")))
            .collect();
        paths.sort();
        for p in paths {
            v.push((p.display().to_string(), fs::read(&p).unwrap()));
        }
    }
    v
}

/// The configurations the round trips cover.
fn configs() -> Vec<(&'static str, Config)> {
    let mut v = Vec::new();
    v.push(("default", Config::default()));
    let mut c = Config::default();
    c.compilation_mode(CompilationMode::LazyTranslation);
    v.push(("lazy", c));
    let mut c = Config::default();
    c.compilation_mode(CompilationMode::Lazy);
    v.push(("lazy validation", c));
    let mut c = Config::default();
    c.consume_fuel(true).interruptible(true);
    v.push(("fuel+interruptible", c));
    let mut c = Config::default();
    c.optimizations(Optimizations::none());
    v.push(("no optimizations", c));
    let mut c = Config::default();
    c.keep_source_map(true)
        .compilation_mode(CompilationMode::LazyTranslation);
    v.push(("source map, lazy", c));
    v
}

/// What calling every exported function with a few arguments gives, as text: results or
/// error messages, in order. Functions that never end (`spin`) run only under fuel.
fn run_exports(engine: &Engine, module: &Module) -> Vec<String> {
    let mut store = Store::new(engine, ());
    // Fails, leaving `fuel` false, unless the engine meters fuel.
    let fuel = store.set_fuel(10_000_000).is_ok();
    let mut linker = Linker::new(engine);
    linker.define_unknown_imports_as_traps(module);
    let instance = match linker.instantiate(&mut store, module) {
        Ok(i) => i,
        Err(e) => return vec![format!("instantiate: {e}")],
    };
    let mut out = Vec::new();
    let names: Vec<String> = module.exports().map(|(n, _)| n.to_string()).collect();
    for name in names {
        let Some(func) = instance.get_func(&store, &name) else {
            continue;
        };
        if name == "spin" && !fuel {
            continue;
        }
        let ty = func.ty(&store);
        for arg in [0i64, 1, 2, 7, 20] {
            let params: Vec<Val> = ty.params().iter().map(|&t| val(t, arg)).collect();
            let mut results: Vec<Val> = ty.results().iter().map(|&t| Val::default_of(t)).collect();
            let got = match func.call(&mut store, &params, &mut results) {
                Ok(()) => format!("{name}({arg}) = {results:?}"),
                Err(e) => format!("{name}({arg}): {e}"),
            };
            out.push(got);
        }
    }
    out
}

fn val(ty: ValType, n: i64) -> Val {
    match ty {
        ValType::I32 => Val::I32(n as i32),
        ValType::I64 => Val::I64(n),
        ValType::F32 => Val::F32((n as f32).to_bits()),
        ValType::F64 => Val::F64((n as f64).to_bits()),
        ValType::V128 => Val::V128(n as u128 * 0x0101_0101),
        other => Val::default_of(other),
    }
}

#[test]
fn round_trips_keep_bytecode_and_behaviour() {
    for (cname, config) in configs() {
        let engine = Engine::new(&config);
        for (name, bytes) in modules() {
            let original = match Module::new(&engine, &bytes) {
                Ok(m) => m,
                Err(e) => panic!("{name}: {e}"),
            };
            let serialized = original.serialize();
            let loaded = Module::deserialize(&engine, &serialized)
                .unwrap_or_else(|e| panic!("{name} ({cname}): {e}"));
            assert_eq!(
                loaded.disassemble(),
                original.disassemble(),
                "{name} ({cname})"
            );
            assert_eq!(loaded.serialize(), serialized, "{name} ({cname})");
            let imports: Vec<_> = loaded.imports().map(|i| format!("{i:?}")).collect();
            let want: Vec<_> = original.imports().map(|i| format!("{i:?}")).collect();
            assert_eq!(imports, want);
            // A fresh module (never run, so lazily translated ones start untranslated).
            let fresh = Module::new(&engine, &bytes).unwrap();
            assert_eq!(
                run_exports(&engine, &loaded),
                run_exports(&engine, &fresh),
                "{name} ({cname})"
            );
        }
    }
}

#[test]
fn lazy_modules_serialize_every_function() {
    let mut config = Config::default();
    config.compilation_mode(CompilationMode::LazyTranslation);
    let lazy = Engine::new(&config);
    let module = Module::new(&lazy, FEATURES).unwrap();
    let bytes = module.serialize();
    // Compilation mode is not a translation setting: an eager engine loads it too, and has
    // every function.
    let eager = Engine::default();
    let loaded = Module::deserialize(&eager, &bytes).unwrap();
    assert_eq!(
        loaded.disassemble(),
        Module::new(&eager, FEATURES).unwrap().disassemble()
    );
    assert_eq!(bytes, Module::new(&eager, FEATURES).unwrap().serialize());
}

/// A function stored without code (as one whose translation failed is) is validated on load
/// and translated on its first call, giving the same results.
#[test]
fn functions_stored_without_code_translate_on_first_call() {
    let engine = Engine::default();
    let wat = r#"(module (func (export "f") (param i32) (result i32)
        (i32.mul (local.get 0) (i32.const 3))))"#;
    let module = Module::new(&engine, wat).unwrap();
    let bytes = module.serialize();
    let p = payload_start(&bytes);
    let wasm_len = u64::from_le_bytes(bytes[p..p + 8].try_into().unwrap()) as usize;
    let funcs = p + 8 + wasm_len;
    let mut edited = bytes[..funcs + 4].to_vec();
    edited.push(0);
    let loaded = Module::deserialize(&engine, &reseal(edited)).unwrap();
    assert_eq!(run_exports(&engine, &loaded), run_exports(&engine, &module));
}

/// The WASI programs run the same from precompiled bytes as from their `.wasm`.
#[test]
fn wasi_programs_run_the_same_precompiled() {
    let engine = Engine::default();
    let mut names: Vec<String> = fs::read_dir(root().join("tests/wasi"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "wasm"))
        .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert!(names.len() >= 10);
    for name in names {
        let wasm = fs::read(root().join(format!("tests/wasi/{name}.wasm"))).unwrap();
        let original = Module::new(&engine, &wasm).unwrap();
        let loaded = Module::deserialize(&engine, &original.serialize()).unwrap();
        let fresh = Module::new(&engine, &wasm).unwrap();
        let (a, b) = (
            run_wasi(&engine, &fresh, &name),
            run_wasi(&engine, &loaded, &name),
        );
        // `clock_random` prints different random bytes each run; its exit code still agrees.
        if name == "clock_random" {
            assert_eq!(a.0, b.0, "{name}");
        } else {
            assert_eq!(a, b, "{name}");
        }
    }
}

/// `(exit code, stdout, stderr)` of `_start`, with a fresh directory preopened as `/d` (as
/// tests/wasi.rs runs the conformance programs).
fn run_wasi(engine: &Engine, module: &Module, name: &str) -> (i32, String, String) {
    let dir = std::env::temp_dir().join(format!("regwasm-ser-{name}-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    let ctx = WasiCtxBuilder::new()
        .args([name, "a", "bc"])
        .env("K", "v")
        .preopened_dir(&dir, "/d")
        .capture_stdout()
        .capture_stderr()
        .build()
        .unwrap();
    let mut store = Store::new(engine, ctx);
    let mut linker = Linker::new(engine);
    wasi::add_to_linker(&mut linker, |ctx: &mut WasiCtx| ctx);
    let instance = linker.instantiate(&mut store, module).unwrap();
    let start = instance.get_typed_func::<(), ()>(&store, "_start").unwrap();
    let code = match start.call(&mut store, ()) {
        Ok(()) => 0,
        Err(e) => wasi::exit_code(&e).unwrap_or(-1),
    };
    let _ = fs::remove_dir_all(&dir);
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    (
        code,
        text(store.data().stdout_captured()),
        text(store.data().stderr_captured()),
    )
}

// The header layout (docs/architecture.md): magic, format version, crate version, settings,
// fingerprint, payload length, checksum.
fn payload_start(bytes: &[u8]) -> usize {
    let version_len = bytes[12] as usize;
    13 + version_len + 4 + 8 + 8 + 8
}

/// The checksum of docs/architecture.md, written again from its description.
fn checksum(bytes: &[u8]) -> u64 {
    const K: u64 = 0x9e37_79b9_7f4a_7c15;
    let step = |h: u64, w: u64| (h ^ w).wrapping_mul(K).rotate_left(31);
    let word = |at: usize| u64::from_le_bytes(bytes[at..at + 8].try_into().unwrap());
    let s = 0x243f_6a88_85a3_08d3 ^ bytes.len() as u64;
    let mut lanes = [s, s ^ 1, s ^ 2, s ^ 3, s ^ 4, s ^ 5, s ^ 6, s ^ 7];
    let blocks = bytes.len() / 64;
    for block in 0..blocks {
        for (i, lane) in lanes.iter_mut().enumerate() {
            *lane = step(*lane, word(block * 64 + i * 8));
        }
    }
    let mut h = lanes[0];
    for &lane in &lanes[1..] {
        h = step(h, lane);
    }
    let mut at = blocks * 64;
    while at + 8 <= bytes.len() {
        h = step(h, word(at));
        at += 8;
    }
    let mut tail = [0u8; 8];
    tail[..bytes.len() - at].copy_from_slice(&bytes[at..]);
    h = (h ^ u64::from_le_bytes(tail)).wrapping_mul(K);
    h ^ h >> 32
}

/// `bytes` with the payload length and checksum made to match its payload again.
fn reseal(mut bytes: Vec<u8>) -> Vec<u8> {
    let p = payload_start(&bytes);
    let len = (bytes.len() - p) as u64;
    let sum = checksum(&bytes[p..]);
    bytes[p - 16..p - 8].copy_from_slice(&len.to_le_bytes());
    bytes[p - 8..p].copy_from_slice(&sum.to_le_bytes());
    bytes
}

/// A small deterministic generator (xorshift64*).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// Loads `bytes`: an error must be `Error::Precompiled`, a panic fails the test. A module that
/// loads is run (under fuel, so mutated loops end) and must not panic either. Returns whether
/// it loaded.
fn load_must_not_panic(engine: &Engine, bytes: &[u8], what: &str) -> bool {
    let loaded = catch_unwind(AssertUnwindSafe(|| Module::deserialize(engine, bytes)));
    match loaded {
        Err(_) => panic!("deserialize panicked on {what}"),
        Ok(Err(Error::Precompiled(_))) => false,
        Ok(Err(e)) => panic!("{what}: not a precompiled-module error: {e:?}"),
        Ok(Ok(module)) => {
            let ran = catch_unwind(AssertUnwindSafe(|| run_exports(engine, &module)));
            assert!(
                ran.is_ok(),
                "running the module loaded from {what} panicked"
            );
            true
        }
    }
}

fn fuel_engine() -> Engine {
    let mut config = Config::default();
    config.consume_fuel(true);
    Engine::new(&config)
}

#[test]
fn every_truncation_is_refused() {
    let engine = fuel_engine();
    let wat = r#"(module (global $g (mut i32) (i32.const 1))
        (func (export "f") (param i32) (result i32)
          (global.set $g (i32.add (global.get $g) (local.get 0))) (global.get $g)))"#;
    let bytes = Module::new(&engine, wat).unwrap().serialize();
    for len in 0..bytes.len() {
        assert!(
            !load_must_not_panic(&engine, &bytes[..len], &format!("{len} bytes")),
            "a truncation to {len} of {} bytes loaded",
            bytes.len()
        );
    }
    // Re-sealed truncations get past the checksum to the payload's own checks.
    let p = payload_start(&bytes);
    for len in p..bytes.len() {
        let cut = reseal(bytes[..len].to_vec());
        assert!(!load_must_not_panic(
            &engine,
            &cut,
            &format!("resealed {len}")
        ));
    }
}

#[test]
fn bit_flips_are_refused_or_harmless() {
    let engine = fuel_engine();
    let bytes = Module::new(&engine, FEATURES).unwrap().serialize();
    let p = payload_start(&bytes);
    let mut rng = Rng(0x5eed_1234_abcd_ef01);
    let mut kinds = std::collections::BTreeMap::new();
    for trial in 0..3000 {
        let mut m = bytes.clone();
        for _ in 0..1 + rng.below(3) {
            let at = rng.below(m.len());
            m[at] ^= 1 << rng.below(8);
        }
        // Without re-sealing, the checksum (or a header check) catches every flip.
        match Module::deserialize(&engine, &m) {
            Err(Error::Precompiled(e)) => *kinds.entry(format!("{:?}", e.kind)).or_insert(0) += 1,
            Err(e) => panic!("trial {trial}: {e:?}"),
            Ok(_) => panic!("trial {trial}: damaged bytes loaded"),
        }
        // Re-sealed, the loader's own checks see the damaged payload.
        if m[p..] != bytes[p..] {
            load_must_not_panic(&engine, &reseal(m), &format!("resealed trial {trial}"));
        }
    }
    assert!(kinds.contains_key("Checksum"), "{kinds:?}");
}

#[test]
fn random_payload_damage_never_panics() {
    // Larger edits than bit flips: overwritten runs, inserted and deleted bytes, re-sealed;
    // loaded eagerly (checked at load) and lazily (each function checked on its first call,
    // which `load_must_not_panic` makes by running every export).
    let mut lazy = Config::default();
    lazy.consume_fuel(true)
        .compilation_mode(CompilationMode::LazyTranslation);
    for engine in [fuel_engine(), Engine::new(&lazy)] {
        damage_coremark(&engine);
    }
}

fn damage_coremark(engine: &Engine) {
    let wasm = fs::read(root().join("benches/workloads/coremark.wasm")).unwrap();
    let bytes = Module::new(engine, &wasm).unwrap().serialize();
    let p = payload_start(&bytes);
    let mut rng = Rng(42);
    let mut loaded = 0;
    for trial in 0..1500 {
        let mut m = bytes.clone();
        let at = p + rng.below(m.len() - p);
        match rng.below(3) {
            0 => {
                let n = 1 + rng.below(8).min(m.len() - at - 1);
                for b in &mut m[at..at + n] {
                    *b = rng.next() as u8;
                }
            }
            1 => m.insert(at, rng.next() as u8),
            _ => {
                m.remove(at);
            }
        }
        if load_must_not_panic(engine, &reseal(m), &format!("trial {trial}")) {
            loaded += 1;
        }
    }
    // Most damage is caught by the structure checks; some (a changed constant) is not
    // detectable without the checksum and must only run safely.
    assert!(loaded < 1500);
}

#[test]
fn spliced_modules_never_panic() {
    let engine = fuel_engine();
    let a = Module::new(&engine, FEATURES).unwrap().serialize();
    let wasm = fs::read(root().join("benches/workloads/sha256.wasm")).unwrap();
    let b = Module::new(&engine, &wasm).unwrap().serialize();
    let (pa, pb) = (payload_start(&a), payload_start(&b));
    let mut rng = Rng(7);
    for trial in 0..1000 {
        let (i, j) = (pa + rng.below(a.len() - pa), pb + rng.below(b.len() - pb));
        let (first, second, i, j) = if trial % 2 == 0 {
            (&a, &b, i, j)
        } else {
            (
                &b,
                &a,
                pb + rng.below(b.len() - pb),
                pa + rng.below(a.len() - pa),
            )
        };
        let mut m = first[..i].to_vec();
        m.extend_from_slice(&second[j..]);
        // The checksum refuses the splice; re-sealed, the payload checks must.
        assert!(!load_must_not_panic(&engine, &m, &format!("splice {trial}")) || m == a || m == b);
        load_must_not_panic(&engine, &reseal(m), &format!("resealed splice {trial}"));
    }
    // Module A's Wasm binary with module B's functions.
    let wasm_end =
        |x: &[u8], p: usize| p + 8 + u64::from_le_bytes(x[p..p + 8].try_into().unwrap()) as usize;
    let mut m = a[..wasm_end(&a, pa)].to_vec();
    m.extend_from_slice(&b[wasm_end(&b, pb)..]);
    assert!(!load_must_not_panic(
        &engine,
        &reseal(m),
        "A's module with B's functions"
    ));
}

fn kind_of<T>(r: regwasm::Result<T>) -> (PrecompiledErrorKind, String) {
    match r {
        Err(Error::Precompiled(e)) => (e.kind, e.message),
        Err(e) => panic!("not a precompiled error: {e}"),
        Ok(_) => panic!("loaded"),
    }
}

#[test]
fn mismatches_name_what_differs() {
    let engine = Engine::default();
    let bytes = Module::new(&engine, FEATURES).unwrap().serialize();

    let (kind, _) = kind_of(Module::deserialize(&engine, FEATURES.as_bytes()));
    assert_eq!(kind, PrecompiledErrorKind::NotPrecompiled);

    let mut config = Config::default();
    config.consume_fuel(true);
    let (kind, msg) = kind_of(Module::deserialize(&Engine::new(&config), &bytes));
    assert_eq!(kind, PrecompiledErrorKind::Config);
    assert!(
        msg.contains("consume_fuel (off when compiled, on in this engine)"),
        "{msg}"
    );

    let mut config = Config::default();
    config.optimizations(Optimizations::all().without("accumulator").unwrap());
    let (kind, msg) = kind_of(Module::deserialize(&Engine::new(&config), &bytes));
    assert_eq!(kind, PrecompiledErrorKind::Config);
    assert!(msg.contains("accumulator"), "{msg}");

    let mut config = Config::default();
    config.simd(false);
    let (_, msg) = kind_of(Module::deserialize(&Engine::new(&config), &bytes));
    assert!(
        msg.contains("simd (on when compiled, off in this engine)"),
        "{msg}"
    );

    // Limits, the dispatch backend and the compilation mode do not change the bytecode.
    let mut config = Config::default();
    config
        .max_call_depth(10)
        .dispatch(regwasm::Dispatch::Loop)
        .compilation_mode(CompilationMode::LazyTranslation);
    assert!(Module::deserialize(&Engine::new(&config), &bytes).is_ok());

    let mut other = bytes.clone();
    other[8] = 99;
    let (kind, msg) = kind_of(Module::deserialize(&engine, &other));
    assert_eq!(kind, PrecompiledErrorKind::FormatVersion);
    assert!(msg.contains("format version 99"), "{msg}");
    // A file of the previous version (its checksum had four lanes) is refused by its version.
    let mut other = bytes.clone();
    other[8] = 4;
    let (kind, msg) = kind_of(Module::deserialize(&engine, &other));
    assert_eq!(kind, PrecompiledErrorKind::FormatVersion);
    assert!(
        msg.contains("format version 4, this regwasm reads version 5"),
        "{msg}"
    );

    let mut other = bytes.clone();
    let v = 13 + bytes[12] as usize - 1;
    other[v] = b'9';
    let (kind, msg) = kind_of(Module::deserialize(&engine, &other));
    assert_eq!(kind, PrecompiledErrorKind::CrateVersion);
    assert!(msg.contains(env!("CARGO_PKG_VERSION")), "{msg}");

    let (kind, _) = kind_of(Module::deserialize(&engine, &bytes[..bytes.len() - 1]));
    assert_eq!(kind, PrecompiledErrorKind::Checksum);
    let mut other = bytes.clone();
    *other.last_mut().unwrap() ^= 1;
    let (kind, msg) = kind_of(Module::deserialize(&engine, &other));
    assert_eq!(kind, PrecompiledErrorKind::Checksum);
    assert!(msg.contains("checksum"), "{msg}");
}

/// Hand-edited bytecode that passes the checksum is held to the loader's checks: a global, a
/// function or a table that does not exist, an instruction tag or trap code no instruction
/// has.
#[test]
fn resealed_edits_fail_the_deep_checks() {
    let engine = Engine::default();
    let wat = r#"(module (global $g (mut i32) (i32.const 1))
        (func (export "f") (result i32) (global.get $g)))"#;
    let bytes = Module::new(&engine, wat).unwrap().serialize();
    let p = payload_start(&bytes);
    let wasm_len = u64::from_le_bytes(bytes[p..p + 8].try_into().unwrap()) as usize;
    // count u32, presence u8, 9 header u32s, then the first instruction.
    let code = p + 8 + wasm_len + 4 + 1 + 36;
    let expect = |edit: &dyn Fn(&mut Vec<u8>), want: &str| {
        let mut m = bytes.clone();
        edit(&mut m);
        let (kind, msg) = kind_of(Module::deserialize(&engine, &reseal(m)));
        assert_eq!(kind, PrecompiledErrorKind::Corrupt, "{msg}");
        assert!(msg.contains(want), "{msg} (wanted {want})");
    };
    // The function is `global.get r0, 0; return_reg r0` or similar: find the global index.
    let tag = u16::from_le_bytes([bytes[code], bytes[code + 1]]);
    assert!(tag > 0);
    expect(
        &|m| m[code..code + 2].copy_from_slice(&u16::MAX.to_le_bytes()),
        "unknown instruction tag",
    );
    // num_regs below num_locals.
    expect(
        &|m| m[code - 36..code - 32].copy_from_slice(&0u32.to_le_bytes()),
        "",
    );
    // num_params not the type's.
    expect(
        &|m| m[code - 32..code - 28].copy_from_slice(&3u32.to_le_bytes()),
        "num_params 3",
    );
    // The global index (the last four bytes of `global.get dst, global`), out of range.
    let global_get = regwasm::instruction_catalogue()
        .iter()
        .position(|i| i.mnemonic == "global.get")
        .unwrap() as u16;
    if tag == global_get {
        expect(
            &|m| m[code + 4..code + 8].copy_from_slice(&9u32.to_le_bytes()),
            "global 9",
        );
    }
    // A function count the module does not have.
    expect(&|m| m[p + 8 + wasm_len] = 5, "5 functions stored");
}

#[test]
fn lazy_loads_check_each_function_on_its_first_call() {
    let mut config = Config::default();
    config.compilation_mode(CompilationMode::LazyTranslation);
    let engine = Engine::new(&config);
    let wat = r#"(module (func (export "f") (result i32) (i32.const 7)))"#;
    let bytes = Module::new(&engine, wat).unwrap().serialize();
    let p = payload_start(&bytes);
    let wasm_len = u64::from_le_bytes(bytes[p..p + 8].try_into().unwrap()) as usize;
    let code = p + 8 + wasm_len + 4 + 1 + 36;
    let call = |bytes: &[u8]| {
        let module = Module::deserialize(&engine, bytes)?;
        let mut store = Store::new(&engine, ());
        let instance = Linker::new(&engine).instantiate(&mut store, &module)?;
        let f = instance.get_typed_func::<(), i32>(&store, "f")?;
        f.call(&mut store, ())
    };
    assert_eq!(call(&bytes).unwrap(), 7);
    // A damaged instruction loads (its code is only stepped over) and is refused when the
    // function first runs, with the error an eager load gives.
    let mut m = bytes.clone();
    m[code..code + 2].copy_from_slice(&u16::MAX.to_le_bytes());
    let m = reseal(m);
    let module = Module::deserialize(&engine, &m).expect("a lazy load steps over the code");
    drop(module);
    let (kind, msg) = kind_of(call(&m));
    assert_eq!(kind, PrecompiledErrorKind::Corrupt, "{msg}");
    assert!(msg.contains("unknown instruction tag"), "{msg}");
    // A size that runs past the payload is refused at load.
    let mut m = bytes.clone();
    m[code - 4..code].copy_from_slice(&u32::MAX.to_le_bytes());
    let (kind, msg) = kind_of(Module::deserialize(&engine, &reseal(m)));
    assert_eq!(kind, PrecompiledErrorKind::Corrupt, "{msg}");
}

#[test]
fn resealed_code_cannot_loop_past_its_fuel_charge() {
    // Fuel is charged where blocks start; a jump back that skips the loop header's charge
    // would spin forever however little fuel is left. The loader refuses it.
    let engine = fuel_engine();
    let wat = r#"(module (func (export "spin") (loop $l (br $l))))"#;
    let bytes = Module::new(&engine, wat).unwrap().serialize();
    let p = payload_start(&bytes);
    let wasm_len = u64::from_le_bytes(bytes[p..p + 8].try_into().unwrap()) as usize;
    let code = p + 8 + wasm_len + 4 + 1 + 36;
    // `consume_fuel` (entry), `consume_fuel` (loop header), `br` back to the header: a tag
    // and a four-byte field each.
    let tag = |at: usize| {
        let index = u16::from_le_bytes([bytes[at], bytes[at + 1]]) as usize;
        regwasm::instruction_catalogue()[index].mnemonic
    };
    assert_eq!(
        [tag(code), tag(code + 6), tag(code + 12)],
        ["consume_fuel", "consume_fuel", "br"]
    );
    assert!(Module::deserialize(&engine, &bytes).is_ok());
    // The `br` onto itself.
    let mut m = bytes.clone();
    m[code + 14..code + 18].copy_from_slice(&0i32.to_le_bytes());
    let (kind, msg) = kind_of(Module::deserialize(&engine, &reseal(m)));
    assert_eq!(kind, PrecompiledErrorKind::Corrupt, "{msg}");
    assert!(msg.contains("jump back to 2"), "{msg}");
    // The header's charge made a charge of nothing.
    let mut m = bytes.clone();
    m[code + 8..code + 12].copy_from_slice(&0u32.to_le_bytes());
    let (kind, msg) = kind_of(Module::deserialize(&engine, &reseal(m)));
    assert_eq!(kind, PrecompiledErrorKind::Corrupt, "{msg}");
    assert!(msg.contains("jump back to 1"), "{msg}");
}
