//! Hand-built modules and operator sequences (the decoder is developed separately).

mod func;
mod instr;
mod module;

use super::{validate_module, FuncValidator};
use crate::binary::{FuncBody, ModuleInfo, Operator};
use crate::error::Error;
use crate::value::{FuncType, ValType};

fn ft(params: &[ValType], results: &[ValType]) -> FuncType {
    FuncType::new(params.iter().copied(), results.iter().copied())
}

fn body(locals: &[(u32, ValType)]) -> FuncBody {
    FuncBody {
        locals: locals.into(),
        code: 0..0,
    }
}

/// A module with one defined function of type `[params] -> [results]`.
fn func_module(params: &[ValType], results: &[ValType]) -> ModuleInfo {
    ModuleInfo {
        types: vec![ft(params, results)],
        funcs: vec![0],
        bodies: vec![body(&[])],
        ..Default::default()
    }
}

/// Validates the module, then body `func` (a function index) fed with `ops` one by one.
fn run_func(
    m: &ModuleInfo,
    func: u32,
    locals: &[(u32, ValType)],
    ops: &[Operator],
) -> Result<(), Error> {
    let ctx = validate_module(m)?;
    let b = body(locals);
    let mut v = FuncValidator::new(m, &ctx, func, &b)?;
    for (i, op) in ops.iter().enumerate() {
        v.visit(op, i)?;
    }
    v.finish(ops.len())
}

/// Validates `ops` as the body of function 0 of `m`, with no declared locals.
fn run(m: &ModuleInfo, ops: &[Operator]) -> Result<(), Error> {
    run_func(m, 0, &[], ops)
}

/// Validates `ops` as the body of a lone function `[params] -> [results]`.
fn check(params: &[ValType], results: &[ValType], ops: &[Operator]) -> Result<(), Error> {
    run(&func_module(params, results), ops)
}

#[track_caller]
fn assert_invalid(r: Result<impl std::fmt::Debug, Error>, prefix: &str) {
    match r {
        Err(Error::Invalid(e)) => assert!(
            e.message.starts_with(prefix),
            "expected {prefix:?}, got {:?}",
            e.message
        ),
        other => panic!("expected invalid {prefix:?}, got {other:?}"),
    }
}

#[track_caller]
fn assert_malformed(r: Result<impl std::fmt::Debug, Error>, prefix: &str) {
    match r {
        Err(Error::Malformed(e)) => assert!(
            e.message.starts_with(prefix),
            "expected {prefix:?}, got {:?}",
            e.message
        ),
        other => panic!("expected malformed {prefix:?}, got {other:?}"),
    }
}

#[track_caller]
fn assert_valid(r: Result<impl std::fmt::Debug, Error>) {
    if let Err(e) = r {
        panic!("expected valid, got {e}");
    }
}

fn const_expr(ops: Vec<Operator>) -> crate::binary::ConstExpr {
    crate::binary::ConstExpr { ops, offset: 0 }
}

/// `br_table` with the given targets.
fn br_table(targets: &[u32], default: u32) -> Operator {
    Operator::BrTable {
        targets: targets.into(),
        default,
    }
}
