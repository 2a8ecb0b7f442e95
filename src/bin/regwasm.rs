//! The `regwasm` command line: run, validate and inspect WebAssembly modules.

use regwasm::{Engine, Error, Linker, Module, Store, Val, ValType};
use std::process::ExitCode;

const USAGE: &str = "\
usage:
  regwasm run [--invoke FUNC] FILE.wasm|FILE.wat [ARGS...]
      instantiate the module and call FUNC (default: `_start`, else `main`) with ARGS
      parsed by the function's parameter types; prints the results
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
    let mut rest = args;
    while let Some(flag) = rest.first() {
        match flag.as_str() {
            "--invoke" => {
                invoke = Some(rest.get(1).ok_or("--invoke needs a function name")?.clone());
                rest = &rest[2..];
            }
            _ => break,
        }
    }
    let (path, fn_args) = rest.split_first().ok_or(USAGE)?;
    let engine = Engine::default();
    let module = load(&engine, path)?;
    let mut store = Store::new(&engine, ());
    let instance = Linker::new(&engine).instantiate(&mut store, &module)?;
    let name = match invoke {
        Some(name) => name,
        None => ["_start", "main"]
            .into_iter()
            .find(|n| instance.get_func(&store, n).is_some())
            .ok_or("no --invoke given and the module exports neither `_start` nor `main`")?
            .to_string(),
    };
    let func = instance
        .get_func(&store, &name)
        .ok_or_else(|| format!("the module exports no function `{name}`"))?;
    let ty = func.ty(&store);
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
        Err(Error::Trap(trap)) => {
            eprintln!("trap: {trap}");
            Ok(ExitCode::from(134))
        }
        Err(e) => Err(e.into()),
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
