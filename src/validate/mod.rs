//! Validation: module-level rules and the type checking of every function body.
//!
//! [`validate_module`] checks everything outside function bodies and returns the
//! [`ModuleContext`] that body validation needs. [`FuncValidator`] then type-checks one body an
//! instruction at a time, so that a translator can drive it in lock-step with its own pass and
//! query its state (operand types, reachability, label types) as it goes.
//!
//! Error messages start with the official test suite's expected text ("type mismatch",
//! "unknown local", ...), since the spec test runner compares by prefix.

pub(crate) mod canon;
mod control;
mod func;
mod memory;
mod module;
mod refs;
pub(crate) mod subtype;
#[cfg(test)]
mod tests;

use crate::error::{DecodeError, Error, ValidationError};
use std::borrow::Cow;

pub use func::FuncValidator;
#[cfg(test)]
pub use module::validate_module;
pub use module::validate_module_with;

/// Facts about the module that body validation needs (e.g. which functions `ref.func` may name).
#[derive(Debug, Default)]
pub struct ModuleContext {
    /// `declared_funcs[i]`: function `i` appears in an element segment, an export or a global
    /// initialiser, so `ref.func i` is allowed inside function bodies.
    pub declared_funcs: Vec<bool>,
    /// The proposals the engine's `Config` enables.
    pub features: Features,
    /// `canon[i]`: the first type index whose type equals type `i` (iso-recursively), so two
    /// concrete reference types are the same type exactly when their indices' entries are.
    pub canon: Vec<u32>,
    /// `supers[i]`: the declared supertype of type `i` (`sub $s ...`), if any.
    pub supers: Vec<Option<u32>>,
}

/// Which optional proposals validation accepts (set from `Config`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Features {
    /// 128-bit SIMD: the `v128` type and the `0xFD` instructions.
    pub simd: bool,
    /// Relaxed SIMD (needs `simd`).
    pub relaxed_simd: bool,
    /// Wide arithmetic: `i64.add128`, `i64.sub128`, `i64.mul_wide_s/u`.
    pub wide_arithmetic: bool,
    /// Tail calls: `return_call` and `return_call_indirect`.
    pub tail_call: bool,
    /// Extended constant expressions: `i32`/`i64` `add`, `sub` and `mul` in constant
    /// expressions.
    pub extended_const: bool,
    /// Multi-memory: more than one memory, and a memory index on memory instructions.
    pub multi_memory: bool,
    /// memory64: memories and tables with `i64` addresses and indices.
    pub memory64: bool,
    /// Custom page sizes: memories of 1-byte pages.
    pub custom_page_sizes: bool,
    /// Typed function references: `(ref null? $t)` and the other new reference types,
    /// `call_ref`, `return_call_ref`, `ref.as_non_null`, `br_on_null`, `br_on_non_null`.
    pub function_references: bool,
    /// Exception handling: tags, `exnref`, `throw`, `throw_ref` and `try_table`.
    pub exceptions: bool,
}

impl Default for Features {
    fn default() -> Self {
        Features {
            simd: true,
            relaxed_simd: true,
            wide_arithmetic: true,
            tail_call: true,
            extended_const: true,
            multi_memory: true,
            memory64: true,
            custom_page_sizes: false,
            function_references: true,
            exceptions: true,
        }
    }
}

impl ModuleContext {
    /// Whether concrete type `i` is `j` or declared below it.
    pub fn index_sub(&self, i: u32, j: u32) -> bool {
        let canon = |k: u32| self.canon.get(k as usize).copied().unwrap_or(k);
        let target = canon(j);
        let supertype = |k: u32| self.supers.get(k as usize).copied().flatten();
        canon::reaches(i, supertype, |k| canon(k) == target)
    }

    /// Whether `ref.func func` may appear in a function body.
    pub fn is_declared(&self, func: u32) -> bool {
        self.declared_funcs
            .get(func as usize)
            .copied()
            .unwrap_or(false)
    }
}

/// Why an instruction was rejected, before the function index and offset are attached.
#[derive(Debug)]
pub(crate) enum Reject {
    /// A validation failure, with the spec's message.
    Invalid(Cow<'static, str>),
    /// A failure the spec classifies as malformed (e.g. a missing data count section).
    Malformed(&'static str),
}

impl Reject {
    fn into_error(self, func: Option<u32>, offset: usize) -> Error {
        match self {
            Reject::Invalid(message) => {
                let mut e = ValidationError::new(message, offset);
                e.func = func;
                Error::Invalid(e)
            }
            Reject::Malformed(message) => Error::Malformed(DecodeError::new(message, offset)),
        }
    }
}

/// Result of a check inside the validator.
pub(crate) type Check<T = ()> = Result<T, Reject>;

/// A validation failure with the given message.
pub(crate) fn invalid(message: impl Into<Cow<'static, str>>) -> Reject {
    Reject::Invalid(message.into())
}
