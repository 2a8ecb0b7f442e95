//! The `regwasm` command line: run, validate and inspect WebAssembly modules.

use regwasm::wasi::{self, WasiCtx, WasiCtxBuilder};
use regwasm::{
    Config, Engine, Error, ExternKind, Instance, Linker, Module, Optimizations, Store, Trap, Val,
    ValType,
};
use std::process::ExitCode;

const USAGE: &str = "\
usage:
  regwasm run [--dir HOST[::GUEST]]... [--env KEY=VALUE]... [--invoke FUNC] [--profile]
              [--without OPT]... FILE [ARGS...]
      instantiate the module (FILE.wasm or FILE.wat) and call FUNC (default: `_start`, else
      `main`) with ARGS parsed by the function's parameter types; prints the results.
      A module importing wasi_snapshot_preview1 gets WASI: stdio inherited, argv = FILE ARGS,
      the --env variables, and each --dir HOST preopened as GUEST (default: HOST); `_start`
      runs by default and the exit status is the guest's (0 when `_start` returns).
      --profile (needs a build with `--features profile`) prints the 20 most executed
      bytecode instructions, pairs of consecutive instructions and functions to stderr after the run; --without as for inspect
  regwasm validate FILE          check that a module decodes, validates and translates
  regwasm inspect [--func NAME|INDEX] [--wasm] [--without OPT]... FILE
      print the register bytecode of every defined function (or one); --wasm puts each Wasm
      instruction before the bytecode it produced; --without turns a translator optimization
      off (lazy_locals, immediates, fused_branches, result_retargeting, copy_pairs,
      jump_threading, counter_branches, indexed_memory, multiply_add, bit_fusions,
      load_operands, accumulator, or all)
  regwasm inspect --stats [--json] [--without OPT]... FILE
      translation figures per function and in total, as a table or JSON
  regwasm inspect --compare FILE
      code size with every optimization on, all off, and each one off alone";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("run") => run(&args[1..]),
        Some("validate") => validate(&args[1..]),
        Some("inspect") => inspect(&args[1..]),
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

type CliResult = Result<ExitCode, Box<dyn std::error::Error>>;

fn load(engine: &Engine, path: &str) -> Result<Module, Box<dyn std::error::Error>> {
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read {path}: {e}"))?;
    Ok(Module::new(engine, bytes)?)
}

/// `opts` with the optimization `name` (or `all`) switched off.
fn without(opts: Optimizations, name: &str) -> Result<Optimizations, String> {
    opts.without(name).ok_or_else(|| {
        format!(
            "unknown optimization `{name}`: one of {}, all",
            Optimizations::NAMES.join(", ")
        )
    })
}

fn run(args: &[String]) -> CliResult {
    let mut invoke = None;
    let mut profile = false;
    let mut opts = Optimizations::all();
    let mut wasi = WasiCtxBuilder::new().inherit_stdio();
    let mut rest = args;
    while let Some(flag) = rest.first() {
        let value = || rest.get(1).ok_or_else(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--profile" => {
                profile = true;
                rest = &rest[1..];
                continue;
            }
            "--invoke" => invoke = Some(value()?.clone()),
            "--without" => opts = without(opts, value()?)?,
            "--dir" => {
                let spec = value()?;
                let (host, guest) = spec.split_once("::").unwrap_or((spec, spec));
                wasi = wasi.preopened_dir(host, guest);
            }
            "--env" => {
                let (key, val) = value()?.split_once('=').ok_or("--env takes KEY=VALUE")?;
                wasi = wasi.env(key, val);
            }
            _ => break,
        }
        rest = &rest[2..];
    }
    let (path, fn_args) = rest.split_first().ok_or(USAGE)?;
    let mut config = Config::default();
    config.optimizations(opts);
    let engine = Engine::new(&config);
    let module = load(&engine, path)?;
    let uses_wasi = module.imports().any(|(m, _, _)| m == wasi::MODULE);
    // Guest argv is the file name and every argument, also those parsed for --invoke.
    let ctx = wasi
        .arg(path.as_str())
        .args(fn_args.iter().cloned())
        .build()
        .map_err(|e| format!("cannot preopen directory: {e}"))?;
    let mut store = Store::new(&engine, ctx);
    if profile && store.profile().is_none() {
        return Err("--profile needs regwasm built with `--features profile`".into());
    }
    let mut linker = Linker::new(&engine);
    if uses_wasi {
        wasi::add_to_linker(&mut linker, |ctx: &mut WasiCtx| ctx);
    }
    let instance = match linker.instantiate(&mut store, &module) {
        Ok(instance) => instance,
        Err(Error::Trap(trap)) => return Ok(trap_exit(&trap)),
        Err(e) => return Err(e.into()),
    };
    // The profile covers the call below, not the start function.
    store.clear_profile();
    let candidates: &[&str] = if uses_wasi {
        &["_start"]
    } else {
        &["_start", "main"]
    };
    let name = match invoke {
        Some(name) => name,
        None => candidates
            .iter()
            .find(|n| instance.get_func(&store, n).is_some())
            .ok_or_else(|| {
                format!("no --invoke given and the module exports none of {candidates:?}")
            })?
            .to_string(),
    };
    let func = instance
        .get_func(&store, &name)
        .ok_or_else(|| format!("the module exports no function `{name}`"))?;
    let ty = func.ty(&store);
    // A WASI command's `_start` takes its arguments through args_get.
    let fn_args = if uses_wasi && name == "_start" {
        &[]
    } else {
        fn_args
    };
    if fn_args.len() != ty.params().len() {
        return Err(format!("`{name}` has type {ty}; got {} arguments", fn_args.len()).into());
    }
    let params = fn_args
        .iter()
        .zip(ty.params())
        .map(|(a, t)| parse_arg(a, *t))
        .collect::<Result<Vec<_>, _>>()?;
    let mut results: Vec<Val> = ty.results().iter().map(|t| Val::default_of(*t)).collect();
    let outcome = func.call(&mut store, &params, &mut results);
    if profile {
        print_profile(&store, &module, instance);
    }
    match outcome {
        Ok(()) => {
            for r in &results {
                println!("{}", show(r));
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(Error::Trap(trap)) => Ok(trap_exit(&trap)),
        Err(e) => Err(e.into()),
    }
}

/// The 20 most executed instructions and functions, to stderr (stdout is the guest's).
fn print_profile<T>(store: &Store<T>, module: &Module, instance: Instance) {
    const TOP: usize = 20;
    let Some(p) = store.profile() else { return };
    let total = p.total().max(1) as f64;
    eprintln!("profile: {} bytecode instructions executed", p.total());
    eprintln!("\n{:>14} {:>6}  instruction", "count", "%");
    for (mnemonic, n) in p.by_mnemonic().into_iter().take(TOP) {
        eprintln!("{n:>14} {:>5.1}%  {mnemonic}", n as f64 * 100.0 / total);
    }
    eprintln!(
        "\n{:>14} {:>6}  pair (executed one after the other)",
        "count", "%"
    );
    for ((first, second), n) in p.by_pair().into_iter().take(TOP) {
        eprintln!(
            "{n:>14} {:>5.1}%  {first} → {second}",
            n as f64 * 100.0 / total
        );
    }
    eprintln!("\n{:>14} {:>6} {:>10}  function", "count", "%", "calls");
    for (func, f) in p.by_function().into_iter().take(TOP) {
        let name = match instance.func_index(store, func) {
            Some(i) => match module.func_export_name(i) {
                Some(name) => format!("{i} {name:?}"),
                None => i.to_string(),
            },
            None => "(another instance)".to_string(),
        };
        let share = f.instrs as f64 * 100.0 / total;
        eprintln!("{:>14} {share:>5.1}% {:>10}  {name}", f.instrs, f.calls);
    }
}

/// The guest's status for a WASI `proc_exit`, else reports the trap.
fn trap_exit(trap: &Trap) -> ExitCode {
    match wasi::trap_exit_code(trap) {
        // Like a host process, only the low 8 bits of the status survive.
        Some(code) => ExitCode::from(code as u8),
        None => {
            eprintln!("trap: {trap}");
            ExitCode::from(134)
        }
    }
}

fn parse_arg(text: &str, ty: ValType) -> Result<Val, String> {
    let bad = || format!("cannot parse `{text}` as {ty}");
    Ok(match ty {
        ValType::I32 => Val::I32(
            text.parse::<i32>()
                .or_else(|_| text.parse::<u32>().map(|v| v as i32))
                .map_err(|_| bad())?,
        ),
        ValType::I64 => Val::I64(
            text.parse::<i64>()
                .or_else(|_| text.parse::<u64>().map(|v| v as i64))
                .map_err(|_| bad())?,
        ),
        ValType::F32 => Val::from(text.parse::<f32>().map_err(|_| bad())?),
        ValType::F64 => Val::from(text.parse::<f64>().map_err(|_| bad())?),
        // A `v128` as one 128-bit integer, decimal or `0x` hexadecimal (lane 0 in the low bits).
        ValType::V128 => Val::V128(
            match text.strip_prefix("0x") {
                Some(hex) => u128::from_str_radix(hex, 16),
                None => text.parse::<u128>(),
            }
            .map_err(|_| bad())?,
        ),
        ValType::FuncRef | ValType::ExternRef => {
            return Err(format!("cannot pass a {ty} from the command line"))
        }
    })
}

fn show(v: &Val) -> String {
    match v {
        Val::I32(x) => x.to_string(),
        Val::I64(x) => x.to_string(),
        Val::F32(b) => f32::from_bits(*b).to_string(),
        Val::F64(b) => f64::from_bits(*b).to_string(),
        Val::V128(v) => format!("{v:#034x}"),
        Val::FuncRef(f) => format!("{f:?}"),
        Val::ExternRef(r) => format!("{r:?}"),
    }
}

fn validate(args: &[String]) -> CliResult {
    let path = args.first().ok_or(USAGE)?;
    match load(&Engine::default(), path) {
        Ok(_) => {
            println!("{path}: valid");
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            println!("{path}: {e}");
            Ok(ExitCode::FAILURE)
        }
    }
}

fn inspect(args: &[String]) -> CliResult {
    let (mut only, mut wasm, mut stats, mut json, mut compare) = (None, false, false, false, false);
    let mut opts = Optimizations::all();
    let mut path = None;
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        match arg.as_str() {
            "--func" => only = Some(rest.next().ok_or("--func needs a name or an index")?),
            "--wasm" => wasm = true,
            "--stats" => stats = true,
            "--json" => json = true,
            "--compare" => compare = true,
            "--without" => {
                let name = rest.next().ok_or("--without needs an optimization")?;
                opts = without(opts, name)?;
            }
            flag if flag.starts_with("--") => return Err(format!("unknown flag {flag}").into()),
            file if path.is_none() => path = Some(file),
            _ => return Err(USAGE.into()),
        }
    }
    let path = path.ok_or(USAGE)?;
    if json && !stats {
        return Err("--json goes with --stats".into());
    }
    if compare {
        return inspect_compare(path);
    }
    let mut config = Config::default();
    config.optimizations(opts).keep_source_map(wasm);
    let module = load(&Engine::new(&config), path)?;
    if stats {
        let stats = module.translation_stats();
        if json {
            print!("{}", stats.to_json());
        } else {
            print!("{stats}");
        }
        return Ok(ExitCode::SUCCESS);
    }
    match only {
        None => print!("{}", module.disassemble()),
        Some(func) => {
            let index = func_by_name_or_index(&module, func)?;
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
fn inspect_compare(path: &str) -> CliResult {
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read {path}: {e}"))?;
    println!(
        "{:<24} {:>12} {:>10} {:>7} {:>10}",
        "configuration", "instructions", "vs all on", "copies", "registers"
    );
    let mut baseline = None;
    for (name, opts) in Optimizations::ablations() {
        let mut config = Config::default();
        config.optimizations(opts);
        let total = Module::new(&Engine::new(&config), &bytes)?
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
