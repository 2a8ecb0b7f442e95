//! The `regwasm` command line: run, validate and inspect WebAssembly modules.

use regwasm::wasi::{self, WasiCtx, WasiCtxBuilder};
use regwasm::{Engine, Error, Linker, Module, Store, Trap, Val, ValType};
use std::process::ExitCode;

const USAGE: &str = "\
usage:
  regwasm run [--dir HOST[::GUEST]]... [--env KEY=VALUE]... [--invoke FUNC] FILE [ARGS...]
      instantiate the module (FILE.wasm or FILE.wat) and call FUNC (default: `_start`, else
      `main`) with ARGS parsed by the function's parameter types; prints the results.
      A module importing wasi_snapshot_preview1 gets WASI: stdio inherited, argv = FILE ARGS,
      the --env variables, and each --dir HOST preopened as GUEST (default: HOST); `_start`
      runs by default and the exit status is the guest's (0 when `_start` returns)
  regwasm validate FILE          check that a module decodes, validates and translates
  regwasm inspect [--func INDEX] FILE
      print the register bytecode of every defined function (or one)";

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

fn run(args: &[String]) -> CliResult {
    let mut invoke = None;
    let mut wasi = WasiCtxBuilder::new().inherit_stdio();
    let mut rest = args;
    while let Some(flag) = rest.first() {
        let value = || rest.get(1).ok_or_else(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--invoke" => invoke = Some(value()?.clone()),
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
    let engine = Engine::default();
    let module = load(&engine, path)?;
    let uses_wasi = module.imports().any(|(m, _, _)| m == wasi::MODULE);
    // Guest argv is the file name and every argument, also those parsed for --invoke.
    let ctx = wasi
        .arg(path.as_str())
        .args(fn_args.iter().cloned())
        .build()
        .map_err(|e| format!("cannot preopen directory: {e}"))?;
    let mut store = Store::new(&engine, ctx);
    let mut linker = Linker::new(&engine);
    if uses_wasi {
        wasi::add_to_linker(&mut linker, |ctx: &mut WasiCtx| ctx);
    }
    let instance = match linker.instantiate(&mut store, &module) {
        Ok(instance) => instance,
        Err(Error::Trap(trap)) => return Ok(trap_exit(&trap)),
        Err(e) => return Err(e.into()),
    };
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
    match func.call(&mut store, &params, &mut results) {
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
    let mut only = None;
    let mut rest = args;
    if rest.first().map(String::as_str) == Some("--func") {
        only = Some(rest.get(1).ok_or("--func needs an index")?.parse::<u32>()?);
        rest = &rest[2..];
    }
    let path = rest.first().ok_or(USAGE)?;
    let module = load(&Engine::default(), path)?;
    let imported = module.info().num_imported_funcs;
    for i in 0..module.info().bodies.len() {
        let index = imported + i as u32;
        if only.is_some_and(|o| o != index) {
            continue;
        }
        let ty = module.info().func_type(index).cloned().unwrap_or_default();
        println!("func {index} {ty}");
        if let Some(f) = module.compiled_func(i) {
            print!("{f}");
        }
        println!();
    }
    Ok(ExitCode::SUCCESS)
}
