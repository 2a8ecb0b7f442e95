//! Validation: module-level rules and the type checking of every function body.

use crate::binary::{FuncBody, ModuleInfo, Operator};
use crate::error::Error;

/// Facts about the module that body validation needs (e.g. which functions `ref.func` may name).
#[derive(Debug, Default)]
pub struct ModuleContext {
    /// `declared_funcs[i]`: function `i` appears in an element segment, an export or a global
    /// initialiser, so `ref.func i` is allowed inside function bodies.
    pub declared_funcs: Vec<bool>,
}

/// Checks every module-level rule (everything except function bodies).
pub fn validate_module(module: &ModuleInfo) -> Result<ModuleContext, Error> {
    let _ = module;
    todo!("module validation")
}

/// Type-checks one function body, one instruction at a time.
pub struct FuncValidator<'m> {
    _module: &'m ModuleInfo,
}

impl<'m> FuncValidator<'m> {
    /// Starts validating defined function `func_index` (in the function index space).
    pub fn new(
        module: &'m ModuleInfo,
        ctx: &'m ModuleContext,
        func_index: u32,
        body: &FuncBody,
    ) -> Result<Self, Error> {
        let _ = (ctx, func_index, body);
        Ok(Self { _module: module })
    }

    /// Checks one instruction at absolute byte offset `offset`.
    pub fn visit(&mut self, op: &Operator, offset: usize) -> Result<(), Error> {
        let _ = (op, offset);
        todo!("body validation")
    }

    /// Called when the reader is exhausted: the function's final `end` must have been the last
    /// instruction.
    pub fn finish(&mut self, offset: usize) -> Result<(), Error> {
        let _ = offset;
        todo!()
    }
}
