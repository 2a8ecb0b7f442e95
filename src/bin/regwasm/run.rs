//! `regwasm run`: instantiate a module and run its `_start` (a WASI command) or another export.

use crate::units::{parse_duration, parse_size};
use crate::{load, CliResult, EngineArgs};
use regwasm::wasi::{self, WasiCtx, WasiCtxBuilder};
use regwasm::{Engine, Error, Instance, Linker, Module, Store, Trap, TrapCode, Val, ValType};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

/// Run a WebAssembly module (binary `.wasm`, text `.wat`, or precompiled `.rwm`)
///
/// Without --invoke, runs `_start` (a WASI command's entry point; for a module that does not
/// import WASI, `main` if there is no `_start`). A module importing `wasi_snapshot_preview1`
/// gets WASI: stdio inherited, argv = FILE ARGS, the --env variables and the --dir
/// directories. Exits with the guest's exit status (0 when `_start` returns); a trap prints
/// `Error: wasm trap: …` and the Wasm backtrace, and exits with 134.
#[derive(clap::Args)]
pub struct RunArgs {
    /// Call this exported function with ARGS parsed by its parameter types and print its
    /// results, one a line
    #[arg(long, value_name = "NAME")]
    invoke: Option<String>,

    /// Give the guest N units of fuel (one per bytecode instruction); it traps when they run out
    #[arg(long, value_name = "N")]
    fuel: Option<u64>,

    /// Stop the guest with a trap after this much wall-clock time (e.g. 500ms, 2s, 1m)
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    timeout: Option<Duration>,

    /// Largest size of any linear memory, in bytes (K, M, G, Ki, Mi, Gi suffixes), rounded down
    /// to whole 64 KiB pages: memory.grow past it returns -1, and a module whose memory starts
    /// larger fails to instantiate
    #[arg(long, value_name = "SIZE", value_parser = parse_size)]
    max_memory: Option<u64>,

    /// Most nested Wasm calls before the guest traps with "call stack exhausted"
    /// [default: 16384]
    #[arg(long, value_name = "N")]
    max_call_depth: Option<usize>,

    #[command(flatten)]
    engine: EngineArgs,

    /// Set an environment variable for the guest (repeatable); a bare NAME passes on the
    /// host's value of NAME, if it has one
    #[arg(long, value_name = "NAME[=VAL]")]
    env: Vec<String>,

    /// Pass every environment variable of the host to the guest (--env overrides them)
    #[arg(long)]
    env_inherit: bool,

    /// Give the guest access to the host directory HOST, as GUEST (default: HOST); repeatable
    #[arg(long, value_name = "HOST[::GUEST]")]
    dir: Vec<String>,

    /// The guest reads stdin from this file [default: the host's stdin]
    #[arg(long, value_name = "FILE")]
    stdin: Option<PathBuf>,

    /// Define every imported function that nothing provides as one that traps when called,
    /// naming the import, so that modules built for richer hosts run as long as they do not
    /// call them
    #[arg(long)]
    trap_unknown_imports: bool,

    /// Print the most executed bytecode instructions, pairs and functions to stderr after the
    /// run (needs regwasm built with `--features profile`)
    #[arg(long)]
    profile: bool,

    /// How many instructions, pairs and functions `--profile` lists, the most executed first
    #[arg(long, value_name = "N", default_value_t = 20, requires = "profile")]
    profile_top: usize,

    /// The module: a binary `.wasm`, a text `.wat` or a precompiled `.rwm` file (from
    /// `regwasm compile`)
    #[arg(value_name = "FILE")]
    file: PathBuf,

    /// Arguments: the WASI program's (after FILE in its argv), or the parameters of --invoke's
    /// function
    #[arg(
        value_name = "ARGS",
        trailing_var_arg = true,
        allow_hyphen_values = true
    )]
    args: Vec<String>,
}

pub fn run(args: RunArgs) -> CliResult {
    let mut config = args.engine.config();
    if args.fuel.is_some() {
        config.consume_fuel(true);
    }
    if args.timeout.is_some() {
        config.interruptible(true);
    }
    if let Some(bytes) = args.max_memory {
        let pages = bytes / regwasm::PAGE_SIZE as u64;
        config.max_memory_pages(pages.try_into().unwrap_or(u32::MAX));
    }
    if let Some(depth) = args.max_call_depth {
        config.max_call_depth(depth);
    }
    let engine = Engine::new(&config);
    let module = load(&engine, &args.file)?;
    let uses_wasi = module.imports().any(|(m, _, _)| m == wasi::MODULE);

    let mut store = Store::new(&engine, wasi_ctx(&args)?);
    if args.profile && store.profile().is_none() {
        return Err("--profile needs regwasm built with `--features profile`".into());
    }
    if let Some(fuel) = args.fuel {
        store.set_fuel(fuel)?;
    }
    if let Some(timeout) = args.timeout {
        // A watchdog: interrupting sets a flag the guest checks at every function entry and
        // loop header. Set before the call starts, it still stops it, so the budget covers
        // the start function too. The thread dies with the process.
        let handle = store.interrupt_handle();
        std::thread::spawn(move || {
            std::thread::sleep(timeout);
            handle.interrupt();
        });
    }
    let mut linker = Linker::new(&engine);
    if uses_wasi {
        wasi::add_to_linker(&mut linker, |ctx: &mut WasiCtx| ctx);
    }
    if args.trap_unknown_imports {
        linker.define_unknown_imports_as_traps(&module);
    }
    let trapped = |trap: &Trap| trap_exit(trap, args.timeout);
    let instance = match linker.instantiate(&mut store, &module) {
        Ok(instance) => instance,
        Err(Error::Trap(trap)) => return Ok(trapped(&trap)),
        Err(e) => return Err(format!("{}: {e}", args.file.display()).into()),
    };
    // The profile covers the call below, not the start function.
    store.clear_profile();

    let candidates: &[&str] = if uses_wasi {
        &["_start"]
    } else {
        &["_start", "main"]
    };
    let name = match &args.invoke {
        Some(name) => name.clone(),
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
    let fn_args: &[String] = if uses_wasi && name == "_start" {
        &[]
    } else {
        &args.args
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
    if args.profile {
        print_profile(&store, &module, instance, args.profile_top);
    }
    match outcome {
        Ok(()) => {
            for r in &results {
                println!("{}", show(r));
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(Error::Trap(trap)) => Ok(trapped(&trap)),
        Err(e) => Err(e.into()),
    }
}

/// The guest's WASI context: stdio, argv, environment and preopened directories.
fn wasi_ctx(args: &RunArgs) -> Result<WasiCtx, String> {
    let mut env: Vec<(String, String)> = Vec::new();
    let mut set = |key: String, value: String| {
        env.retain(|(k, _)| *k != key);
        env.push((key, value));
    };
    if args.env_inherit {
        for (key, value) in std::env::vars_os() {
            if let (Ok(key), Ok(value)) = (key.into_string(), value.into_string()) {
                set(key, value);
            }
        }
    }
    for spec in &args.env {
        match spec.split_once('=') {
            Some((key, value)) => set(key.to_string(), value.to_string()),
            None => {
                if let Ok(value) = std::env::var(spec) {
                    set(spec.clone(), value);
                }
            }
        }
    }
    let mut wasi = WasiCtxBuilder::new().inherit_stdio();
    if let Some(path) = &args.stdin {
        let bytes = std::fs::read(path)
            .map_err(|e| format!("cannot read --stdin {}: {e}", path.display()))?;
        wasi = wasi.stdin_bytes(bytes);
    }
    for (key, value) in env {
        wasi = wasi.env(key, value);
    }
    for spec in &args.dir {
        let (host, guest) = spec.split_once("::").unwrap_or((spec, spec));
        wasi = wasi.preopened_dir(host, guest);
    }
    // Guest argv is the file name and every argument, also those parsed for --invoke.
    wasi.arg(args.file.to_string_lossy())
        .args(args.args.iter().cloned())
        .build()
        .map_err(|e| format!("cannot preopen directory: {e}"))
}

/// The guest's status for a WASI `proc_exit`; else reports the trap and its Wasm backtrace and
/// gives 134, as wasmtime does (the status of a process ended by SIGABRT).
fn trap_exit(trap: &Trap, timeout: Option<Duration>) -> ExitCode {
    if let Some(code) = wasi::trap_exit_code(trap) {
        // Like a host process, only the low 8 bits of the status survive.
        return ExitCode::from(code as u8);
    }
    match timeout {
        Some(t) if trap.code() == TrapCode::Interrupted => {
            eprintln!("Error: timed out after {t:?} (--timeout): wasm trap: {trap}")
        }
        _ if trap.code() == TrapCode::OutOfFuel => {
            eprintln!("Error: wasm trap: {trap} (--fuel)")
        }
        // No handler caught it: the message names the tag and the payload.
        _ if trap.code() == TrapCode::UncaughtException => {
            eprintln!("Error: uncaught Wasm exception: {trap}")
        }
        _ => eprintln!("Error: wasm trap: {trap}"),
    }
    // Then where it happened, newest frame first, as wasmtime prints it.
    if let Some(backtrace) = trap.backtrace() {
        eprintln!("{backtrace}");
    }
    ExitCode::from(134)
}

/// The `top` most executed instructions, pairs and functions, to stderr (stdout is the
/// guest's).
fn print_profile<T>(store: &Store<T>, module: &Module, instance: Instance, top: usize) {
    let Some(p) = store.profile() else { return };
    let total = p.total().max(1) as f64;
    eprintln!("profile: {} bytecode instructions executed", p.total());
    eprintln!("\n{:>14} {:>6}  instruction", "count", "%");
    for (mnemonic, n) in p.by_mnemonic().into_iter().take(top) {
        eprintln!("{n:>14} {:>5.1}%  {mnemonic}", n as f64 * 100.0 / total);
    }
    eprintln!(
        "\n{:>14} {:>6}  pair (executed one after the other)",
        "count", "%"
    );
    for ((first, second), n) in p.by_pair().into_iter().take(top) {
        eprintln!(
            "{n:>14} {:>5.1}%  {first} → {second}",
            n as f64 * 100.0 / total
        );
    }
    eprintln!("\n{:>14} {:>6} {:>10}  function", "count", "%", "calls");
    for (func, f) in p.by_function().into_iter().take(top) {
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

/// A command-line argument as a value of the parameter's type (integers signed or unsigned).
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
        ValType::FuncRef | ValType::ExternRef | ValType::ExnRef | ValType::Ref(_) => {
            return Err(format!("cannot pass a {ty} from the command line"))
        }
    })
}

/// A result as wasmtime prints it: integers in decimal, floats as Rust formats them.
fn show(v: &Val) -> String {
    match v {
        Val::I32(x) => x.to_string(),
        Val::I64(x) => x.to_string(),
        Val::F32(b) => f32::from_bits(*b).to_string(),
        Val::F64(b) => f64::from_bits(*b).to_string(),
        Val::V128(v) => format!("{v:#034x}"),
        Val::FuncRef(f) => format!("{f:?}"),
        Val::ExternRef(r) => format!("{r:?}"),
        Val::ExnRef(e) => format!("{e:?}"),
    }
}
