//! `regwasm compile`: translate a module ahead of time into a precompiled `.rwm` file, which
//! `regwasm run` (and `inspect`, `validate`) load without translating again.

use crate::{load, optimization_name, optimizations, CliResult};
use regwasm::Engine;
use std::path::PathBuf;
use std::process::ExitCode;

/// Translate a module ahead of time into a precompiled file (`.rwm`)
///
/// `regwasm run FILE.rwm` then starts without validating or translating the function bodies.
/// The file is for this version of regwasm and for the translation settings given here: run
/// it with the same --without options, with --fuel only if compiled with --consume-fuel, and
/// with --timeout only if compiled with --interruptible; otherwise `run` refuses it, naming
/// the setting that differs.
#[derive(clap::Args)]
pub struct CompileArgs {
    /// Where to write the precompiled module [default: FILE with the extension `.rwm`]
    #[arg(short, long, value_name = "OUT")]
    output: Option<PathBuf>,

    /// Turn a translator optimization off (repeatable): lazy_locals, immediates,
    /// fused_branches, result_retargeting, copy_pairs, jump_threading, counter_branches,
    /// indexed_memory, multiply_add, bit_fusions, load_operands, accumulator, static_throws,
    /// constant_division, or all
    #[arg(long = "without", value_name = "OPT", value_parser = optimization_name)]
    without: Vec<String>,

    /// Compile with fuel metering, for `regwasm run --fuel`
    #[arg(long)]
    consume_fuel: bool,

    /// Compile with interrupt checks, for `regwasm run --timeout`
    #[arg(long)]
    interruptible: bool,

    /// The module: a binary `.wasm` or a text `.wat` file
    #[arg(value_name = "FILE")]
    file: PathBuf,
}

pub fn compile(args: CompileArgs) -> CliResult {
    let mut config = regwasm::Config::default();
    config
        .optimizations(optimizations(&args.without))
        .consume_fuel(args.consume_fuel)
        .interruptible(args.interruptible);
    let module = load(&Engine::new(&config), &args.file)?;
    let out = args
        .output
        .unwrap_or_else(|| args.file.with_extension("rwm"));
    std::fs::write(&out, module.serialize())
        .map_err(|e| format!("cannot write {}: {e}", out.display()))?;
    Ok(ExitCode::SUCCESS)
}
