//! `regwasm validate` and `regwasm inspect`: what the decoder, validator and translator make
//! of a module, without running it.

use crate::{load, optimization_name, optimizations, CliResult};
use regwasm::{Config, Engine, ExternKind, Module, Optimizations};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Check that a module decodes, validates and translates
///
/// Prints `FILE: valid` and exits with 0, or `FILE: <why not>` and exits with 1.
#[derive(clap::Args)]
pub struct ValidateArgs {
    /// The module: a binary `.wasm` or a text `.wat` file
    #[arg(value_name = "FILE")]
    file: PathBuf,
}

/// Print the register bytecode a module translates to, or translation figures
///
/// By default prints every defined function's bytecode, one instruction a line, with jump
/// targets labelled (docs/bytecode.md describes the format).
#[derive(clap::Args)]
pub struct InspectArgs {
    /// Only this function: an export name or a function index
    #[arg(long, value_name = "NAME|INDEX")]
    func: Option<String>,

    /// Put each Wasm instruction before the bytecode it produced
    #[arg(long)]
    wasm: bool,

    /// Translation figures per function and in total (Wasm instructions in, bytecode out,
    /// bytes, registers, copies, folded constants, fused branches, time) instead of the code
    #[arg(long, conflicts_with_all = ["func", "wasm"])]
    stats: bool,

    /// With --stats: print the figures as JSON
    #[arg(long, requires = "stats")]
    json: bool,

    /// Code size with every optimization on, all off, and each one off alone
    #[arg(long, conflicts_with_all = ["func", "wasm", "stats", "without"])]
    compare: bool,

    /// Turn a translator optimization off (repeatable): lazy_locals, immediates,
    /// fused_branches, result_retargeting, copy_pairs, jump_threading, counter_branches,
    /// indexed_memory, multiply_add, bit_fusions, load_operands, accumulator, static_throws,
    /// constant_division, or all
    #[arg(long = "without", value_name = "OPT", value_parser = optimization_name)]
    without: Vec<String>,

    /// The module: a binary `.wasm` or a text `.wat` file
    #[arg(value_name = "FILE")]
    file: PathBuf,
}

pub fn validate(args: ValidateArgs) -> CliResult {
    let path = args.file.display();
    match load(&Engine::default(), &args.file) {
        Ok(_) => {
            println!("{path}: valid");
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            // `load` names the file already.
            println!("{e}");
            Ok(ExitCode::FAILURE)
        }
    }
}

pub fn inspect(args: InspectArgs) -> CliResult {
    if args.compare {
        return inspect_compare(&args.file);
    }
    let mut config = Config::default();
    config
        .optimizations(optimizations(&args.without))
        .keep_source_map(args.wasm);
    let module = load(&Engine::new(&config), &args.file)?;
    if args.stats {
        let stats = module.translation_stats();
        if args.json {
            print!("{}", stats.to_json());
        } else {
            print!("{stats}");
        }
        return Ok(ExitCode::SUCCESS);
    }
    match args.func {
        None => {
            // The memories' types head the listing, as comments (the bytecode names them by
            // index: `mem=1`).
            let memories = module.memory_types();
            for (i, ty) in memories.iter().enumerate() {
                println!("; memory {i}: {ty}");
            }
            if !memories.is_empty() {
                println!();
            }
            print!("{}", module.disassemble())
        }
        Some(func) => {
            let index = func_by_name_or_index(&module, &func)?;
            let text = module.disassemble_func(index).ok_or_else(|| {
                let imported = module.imports().filter(|(_, _, k)| *k == ExternKind::Func);
                if (index as usize) < imported.count() {
                    format!("function {index} is imported: it has no bytecode")
                } else {
                    format!("no function {index}")
                }
            })?;
            print!("{text}");
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// A function named by export name or by index.
fn func_by_name_or_index(module: &Module, func: &str) -> Result<u32, String> {
    if let Ok(index) = func.parse::<u32>() {
        return Ok(index);
    }
    module
        .exported_func_index(func)
        .ok_or_else(|| format!("no function is exported as `{func}`"))
}

/// Translates under every optimization configuration and tabulates the code size.
fn inspect_compare(path: &Path) -> CliResult {
    let shown = path.display();
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read {shown}: {e}"))?;
    println!(
        "{:<24} {:>12} {:>10} {:>7} {:>10}",
        "configuration", "instructions", "vs all on", "copies", "registers"
    );
    let mut baseline = None;
    for (name, opts) in Optimizations::ablations() {
        let mut config = Config::default();
        config.optimizations(opts);
        let total = Module::new(&Engine::new(&config), &bytes)
            .map_err(|e| format!("{shown}: {e}"))?
            .translation_stats()
            .total;
        let base = *baseline.get_or_insert(total.instrs);
        let delta = match base {
            0 => "-".to_string(),
            b => format!(
                "{:+.1}%",
                (total.instrs as f64 - b as f64) * 100.0 / b as f64
            ),
        };
        println!(
            "{name:<24} {:>12} {delta:>10} {:>7} {:>10}",
            total.instrs, total.copies, total.registers
        );
    }
    Ok(ExitCode::SUCCESS)
}
