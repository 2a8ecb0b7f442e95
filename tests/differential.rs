//! Differential testing against wasmi on wasm-smith modules from fixed seeds: every seed
//! builds a module (tests/diff/harness.rs), both engines run every export, everything
//! observable must agree.
//!
//! ```text
//! cargo test --release --test differential -- --nocapture       # 5,000 seeds, ~20 s
//! REGWASM_DIFF_SEEDS=100000 REGWASM_DIFF_START=5000 cargo test --release --test differential
//! REGWASM_DIFF_VERBOSE=1 ...   # also say why a seed was skipped
//! REGWASM_DIFF_RAW_WASMI=1 ... # give wasmi the modules unchanged (its known bugs reappear)
//! ```
//!
//! A mismatching module is written to `target/tmp/differential/seed-N.wasm` for minimising;
//! minimised cases live in `tests/regressions/`.

#[path = "diff/harness.rs"]
mod harness;

use harness::{Rng, Verdict};

const DEFAULT_SEEDS: u64 = 5000;

fn env_u64(name: &str, default: u64) -> u64 {
    match std::env::var(name) {
        Ok(v) => v
            .parse()
            .unwrap_or_else(|_| panic!("{name}={v} is not a number")),
        Err(_) => default,
    }
}

#[test]
fn differential_against_wasmi() {
    let seeds = env_u64("REGWASM_DIFF_SEEDS", DEFAULT_SEEDS);
    let start = env_u64("REGWASM_DIFF_START", 0);
    let verbose = std::env::var_os("REGWASM_DIFF_VERBOSE").is_some();
    let workaround = std::env::var_os("REGWASM_DIFF_RAW_WASMI").is_none();
    let out_dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("differential");
    harness::quiet_wasmi_panics();
    let started = std::time::Instant::now();

    let (mut modules, mut calls, mut skipped, mut wasmi_panics) = (0u64, 0u64, 0u64, 0u64);
    let (mut memories64, mut tables64) = (0u64, 0u64);
    let mut mismatches = Vec::new();
    for seed in start..start + seeds {
        let mut rng = Rng::new(seed);
        let mut data = vec![0u8; 64 + rng.below(16 * 1024) as usize];
        rng.fill(&mut data);
        let config = harness::smith_config(&mut rng);
        let opts = harness::pick_optimizations(&mut rng);
        let Some(wasm) = harness::generate(config, &data) else {
            skipped += 1;
            continue;
        };
        // One module in four metered: the same results, and every function's code checked
        // for cycles that avoid the fuel charges and interruption checks.
        let rw_engine = harness::regwasm_engine(opts, seed % 4 == 3);
        // Fresh engines per module: one that panicked is not reused.
        let wi_engine = harness::wasmi_engine();
        modules += 1;
        let (memory64, table64) = harness::has_64bit_memory_and_table(&wasm);
        memories64 += u64::from(memory64);
        tables64 += u64::from(table64);
        let verdict = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            harness::compare(&wasm, &rw_engine, &wi_engine, &mut rng, 2, workaround)
        }))
        // A panic outside wasmi is regwasm's (or the harness's).
        .unwrap_or_else(|p| Verdict::Mismatch(format!("panic: {}", harness::panic_text(&p))));
        match verdict {
            Verdict::Agreed { calls: n } => {
                calls += n as u64;
                if verbose && n == 0 {
                    eprintln!("seed {seed}: no calls");
                }
            }
            Verdict::Skipped(why) => {
                skipped += 1;
                if verbose {
                    eprintln!("seed {seed}: skipped: {why}");
                }
            }
            Verdict::WasmiPanicked(what) => {
                wasmi_panics += 1;
                std::fs::create_dir_all(&out_dir).unwrap();
                std::fs::write(out_dir.join(format!("wasmi-panic-{seed}.wasm")), &wasm).unwrap();
                eprintln!("seed {seed}: wasmi bug: {what}");
            }
            Verdict::Mismatch(what) => {
                std::fs::create_dir_all(&out_dir).unwrap();
                let path = out_dir.join(format!("seed-{seed}.wasm"));
                std::fs::write(&path, &wasm).unwrap();
                eprintln!(
                    "seed {seed} ({opts:?}): MISMATCH: {what}\n  module: {}",
                    path.display()
                );
                mismatches.push(seed);
            }
        }
    }
    println!(
        "differential: {seeds} seeds, {modules} modules ({memories64} with a 64-bit memory, {tables64} with a 64-bit table), {calls} calls, {} mismatches ({skipped} skipped, {wasmi_panics} wasmi panics) in {:.1?}",
        mismatches.len(),
        started.elapsed()
    );
    assert!(mismatches.is_empty(), "mismatching seeds: {mismatches:?}");
    // About a third of the modules have one; a config change that loses them all must fail.
    if modules >= 1000 {
        assert!(
            memories64 > 0 && tables64 > 0,
            "no 64-bit memories or tables generated: memory64 is off in smith_config"
        );
    }
}

/// The rewrites given to wasmi keep modules valid and fix its known bugs (the regression
/// modules): rewritten, wasmi returns what the spec says. (Unchanged, it reads a stale slot,
/// whose content depends on what ran before; `REGWASM_DIFF_RAW_WASMI=1` shows the mismatches.)
#[cfg(feature = "wat")]
#[test]
fn wasmi_workarounds_fix_its_known_bugs() {
    use wasmi::Val as W;
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/regressions/");
    let cases: &[(&str, &str, Vec<W>, W)] = &[
        (
            "wasmi_select_eqz.wat",
            "select_eqz",
            vec![W::I32(0), W::I32(7)],
            W::I32(1),
        ),
        ("wasmi_select_eqz.wat", "guarded_div", vec![], W::I32(5)),
        (
            "wasmi_block_params_local.wat",
            "if_params_set",
            vec![W::I64(5), W::I32(0)],
            W::I64(5),
        ),
        (
            "wasmi_block_params_local.wat",
            "block_params_br_if",
            vec![W::I32(5), W::I32(1)],
            W::I32(5),
        ),
    ];
    for (file, func, args, want) in cases {
        let wasm = wat::parse_file(format!("{dir}{file}")).unwrap();
        let call = |wasm: &[u8]| -> String {
            let engine = harness::wasmi_engine();
            let module = wasmi::Module::new(&engine, wasm).unwrap();
            let mut store = wasmi::Store::new(&engine, ());
            let instance = wasmi::Linker::new(&engine)
                .instantiate_and_start(&mut store, &module)
                .unwrap();
            let f = instance.get_func(&store, func).unwrap();
            let mut out = [W::I32(0)];
            if let W::I64(_) = want {
                out[0] = W::I64(0);
            }
            match f.call(&mut store, args, &mut out) {
                Ok(()) => format!("{:?}", out[0]),
                Err(e) => e.to_string(),
            }
        };
        let fixed = harness::wasmi_workarounds(&wasm).unwrap();
        assert!(
            wasmparser::validate(&fixed).is_ok(),
            "{file}: rewrite is invalid"
        );
        assert_eq!(call(&fixed), format!("{want:?}"), "{file} {func}");
    }
}

/// The fuel export is added whether or not the module has an export section.
#[test]
fn fuel_export_is_added() {
    let bare = b"\0asm\x01\0\0\0\x06\x06\x01\x7f\x01\x41\x00\x0b".to_vec(); // one global
    let with = harness::add_global_export(&bare, "fuel", 0).unwrap();
    assert!(wasmparser::validate(&with).is_ok());
    let engine = regwasm::Engine::default();
    let module = regwasm::Module::new(&engine, &with).unwrap();
    let mut store = regwasm::Store::new(&engine, ());
    let instance = regwasm::Linker::new(&engine)
        .instantiate(&mut store, &module)
        .unwrap();
    assert!(instance.get_global(&store, "fuel").is_some());
}

/// The skip for wasmi's `br_table` bug sees the regression module, and only `v128`-carrying
/// tables: the same shape carrying an `i64` (which wasmi gets right) is still compared.
#[cfg(feature = "wat")]
#[test]
fn br_table_v128_skip_is_narrow() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/regressions/wasmi_br_table_v128.wat"
    );
    let wat = std::fs::read_to_string(path).unwrap();
    assert!(harness::br_table_carries_v128(
        &wat::parse_str(&wat).unwrap()
    ));
    let scalar = wat
        .replace("(result v128)", "(result i64)")
        .replace("v128.const i32x4 0 0 0 0", "i64.const 0")
        .replace("v128.const i32x4 1 2 3 4", "i64.const 7");
    assert!(!harness::br_table_carries_v128(
        &wat::parse_str(&scalar).unwrap()
    ));
}
