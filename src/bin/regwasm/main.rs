//! The `regwasm` command line: run, test, validate and inspect WebAssembly modules.
//!
//! Arguments are parsed by clap's derive API: each subcommand is a struct whose fields are its
//! flags, with their help text in the doc comments, so `--help`, usage errors (exit code 2) and
//! `--version` come from one declaration. The subcommands live in their own files: `run.rs`,
//! `wast.rs`, `inspect.rs` (with `validate`), `compile.rs`; `units.rs` parses durations and
//! sizes. Every subcommand that reads a module also reads a precompiled one (`regwasm
//! compile`), told apart by its magic bytes.
//!
//! Exit codes, as wasmtime's: 0 on success; a WASI program's own `proc_exit` status; 134 when
//! the guest traps (`Error: wasm trap: …` on stderr); 1 when a module cannot be read, decoded,
//! validated, linked or instantiated, or a `wast` script has failures; 2 for a usage error.

mod compile;
mod inspect;
mod run;
mod units;
mod wast;

use clap::{Parser, Subcommand, ValueEnum};
use regwasm::{CompilationMode, Dispatch, Engine, Module, Optimizations};
use std::path::Path;
use std::process::ExitCode;

/// A WebAssembly interpreter that translates stack code to register bytecode.
#[derive(Parser)]
#[command(name = "regwasm", version, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    Run(run::RunArgs),
    Compile(compile::CompileArgs),
    Wast(wast::WastArgs),
    Validate(inspect::ValidateArgs),
    Inspect(inspect::InspectArgs),
}

/// A failure to report as `Error: …` with exit code 1.
type CliError = Box<dyn std::error::Error>;
type CliResult = Result<ExitCode, CliError>;

fn main() -> ExitCode {
    // clap prints usage errors itself and exits with 2 (0 for --help and --version).
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Run(args) => run::run(args),
        Command::Compile(args) => compile::compile(args),
        Command::Wast(args) => wast::wast(args),
        Command::Validate(args) => inspect::validate(args),
        Command::Inspect(args) => inspect::inspect(args),
    };
    result.unwrap_or_else(|e| {
        eprintln!("Error: {e}");
        ExitCode::FAILURE
    })
}

/// Engine options shared by `run` and `wast`.
#[derive(clap::Args)]
struct EngineArgs {
    /// When function bodies are validated and translated: all while loading the module
    /// (eager), validated while loading and translated on each function's first call
    /// (lazy-translation), or both on the first call (lazy: accepts a module with an invalid
    /// body until that function is called). The names are wasmi's.
    #[arg(long, value_enum, value_name = "MODE", default_value_t = Mode::Eager)]
    compilation_mode: Mode,

    /// The interpreter's dispatch backend [default: threaded where this build supports it,
    /// else loop]
    #[arg(long, value_enum, value_name = "BACKEND")]
    dispatch: Option<DispatchArg>,

    /// Turn a translator optimization off (repeatable): lazy_locals, immediates,
    /// fused_branches, result_retargeting, copy_pairs, jump_threading, counter_branches,
    /// indexed_memory, multiply_add, bit_fusions, load_operands, accumulator, static_throws,
    /// constant_division, or all
    #[arg(long = "without", value_name = "OPT", value_parser = optimization_name)]
    without: Vec<String>,
}

impl EngineArgs {
    /// A configuration with these options applied to the default one.
    fn config(&self) -> regwasm::Config {
        let mut config = regwasm::Config::default();
        config
            .compilation_mode(match self.compilation_mode {
                Mode::Eager => CompilationMode::Eager,
                Mode::LazyTranslation => CompilationMode::LazyTranslation,
                Mode::Lazy => CompilationMode::Lazy,
            })
            .optimizations(optimizations(&self.without));
        if let Some(dispatch) = self.dispatch {
            config.dispatch(match dispatch {
                DispatchArg::Threaded => Dispatch::Threaded,
                DispatchArg::Loop => Dispatch::Loop,
            });
        }
        config
    }
}

#[derive(Clone, Copy, ValueEnum)]
enum Mode {
    /// Translate every function while loading the module
    Eager,
    /// Validate every function while loading, translate each on its first call
    LazyTranslation,
    /// Validate and translate each function on its first call (an invalid body is reported
    /// only when its function is called)
    Lazy,
}

#[derive(Clone, Copy, ValueEnum)]
enum DispatchArg {
    /// Direct-threaded handlers (runs as the loop in unoptimized builds)
    Threaded,
    /// One `match` on the instruction in a loop
    Loop,
}

/// A value of `--without`: an optimization's name, or `all`.
fn optimization_name(name: &str) -> Result<String, String> {
    match Optimizations::all().without(name) {
        Some(_) => Ok(name.to_string()),
        None => Err(format!(
            "unknown optimization `{name}`: one of {}, all",
            Optimizations::NAMES.join(", ")
        )),
    }
}

/// Every optimization on except those named (checked by [`optimization_name`]).
fn optimizations(without: &[String]) -> Optimizations {
    without.iter().fold(Optimizations::all(), |opts, name| {
        opts.without(name).expect("checked by optimization_name")
    })
}

/// Reads a module: a precompiled one (from `regwasm compile`, told by its magic bytes), a
/// binary or a text one.
fn load(engine: &Engine, path: &Path) -> Result<Module, CliError> {
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let module = if Module::is_precompiled(&bytes) {
        Module::deserialize(engine, &bytes)
    } else {
        Module::new(engine, bytes)
    };
    module.map_err(|e| format!("{}: {e}", path.display()).into())
}
