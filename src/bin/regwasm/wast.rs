//! `regwasm wast`: run spec-style `.wast` scripts with `regwasm::script`, the runner the spec
//! tests use, and print one line per failure and one summary line.

use crate::{CliResult, EngineArgs};
use regwasm::script;
use std::path::PathBuf;
use std::process::ExitCode;

/// Run spec-style `.wast` scripts and report how many assertions passed
///
/// Runs every directive of each script (module, register, invoke, get, assert_return,
/// assert_trap, assert_exhaustion, assert_invalid, assert_malformed, assert_unlinkable,
/// assert_uninstantiable) against a fresh store with the `spectest` host module. Prints one
/// line per failure (`FILE:LINE: directive: what was expected, what happened`), then
/// `spec: F files, A assertions, P passed, N failed`. Exits with 0 when everything passed, 1
/// otherwise. A command that fails (a module the engine rejects, a script that does not parse)
/// counts as one failed assertion.
#[derive(clap::Args)]
pub struct WastArgs {
    #[command(flatten)]
    engine: EngineArgs,

    /// Also print each passing rejection whose message or error class differs from the
    /// script's
    #[arg(long)]
    verbose: bool,

    /// The scripts to run
    #[arg(value_name = "FILE", required = true)]
    files: Vec<PathBuf>,
}

pub fn wast(args: WastArgs) -> CliResult {
    let config = args.engine.config();
    script::install_panic_hook();
    // A big stack, so that a deep recursion in an unoptimized build of the engine reaches the
    // Wasm call-depth limit ("call stack exhausted") before it overflows the native stack.
    let worker = std::thread::Builder::new()
        .name("wast".into())
        .stack_size(256 << 20)
        .spawn(move || run_files(&config, &args.files, args.verbose))?;
    let all_passed = worker
        .join()
        .unwrap_or_else(|e| std::panic::resume_unwind(e));
    Ok(if all_passed {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// Runs each file, printing its failures, then the summary; whether nothing failed.
fn run_files(config: &regwasm::Config, files: &[PathBuf], verbose: bool) -> bool {
    let (mut assertions, mut passed, mut failed) = (0, 0, 0);
    for path in files {
        let shown = path.display();
        let contents = match std::fs::read_to_string(path) {
            Ok(contents) => contents,
            Err(e) => {
                println!("{shown}: cannot read: {e}");
                assertions += 1;
                failed += 1;
                continue;
            }
        };
        let report = script::run(config, &contents, &mut |_| {});
        assertions += report.assertions;
        passed += report.passed;
        failed += report.failures.len();
        for f in &report.failures {
            println!("{shown}:{}: {}: {}", f.line, f.directive, f.message);
        }
        if verbose {
            for mismatch in &report.mismatches {
                println!("{shown}: {mismatch}");
            }
        }
    }
    println!(
        "spec: {} files, {assertions} assertions, {passed} passed, {failed} failed",
        files.len()
    );
    failed == 0
}
