//! # regwasm
//!
//! A WebAssembly interpreter that decodes, validates and translates Wasm stack code into a
//! compact register bytecode, then runs it in a tight `match` loop over a fixed-size register
//! file per frame.
//!
//! Data flow: bytes → [`binary`] (decoded module) → [`validate`] + [`translate`] (per function, in
//! one pass) → [`runtime`] (store, linker, instances) → [`exec`] (the interpreter loop).
//!
//! ```
//! use regwasm::{Engine, Linker, Module, Store, Val};
//!
//! let engine = Engine::default();
//! let wasm = wat::parse_str(r#"(module (func (export "add") (param i32 i32) (result i32)
//!     local.get 0 local.get 1 i32.add))"#).unwrap();
//! let module = Module::new(&engine, &wasm).unwrap();
//! let mut store = Store::new(&engine, ());
//! let instance = Linker::new(&engine).instantiate(&mut store, &module).unwrap();
//! let add = instance.get_func(&store, "add").unwrap();
//! let mut out = [Val::I32(0)];
//! add.call(&mut store, &[Val::I32(2), Val::I32(3)], &mut out).unwrap();
//! assert_eq!(out[0], Val::I32(5));
//! ```

/// The README's examples, compiled and run as doc tests.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;

pub mod binary;
pub mod bytecode;
mod error;
pub mod exec;
pub mod numeric;
mod ops;
pub mod runtime;
pub mod translate;
pub mod validate;
mod value;
pub mod wasi;

pub use error::{DecodeError, Error, Result, Trap, TrapCode, ValidationError};
pub use exec::profile::{FuncProfile, Profile};
pub use exec::{Dispatch, SuspendReason};
pub use ops::NumOp;
pub use runtime::{
    CallOutcome, Caller, CompilationMode, Config, Engine, Extern, Func, Global, Instance,
    InterruptHandle, Linker, Memory, Module, Optimizations, ResumableCall, Store, Table, TypedFunc,
};
pub use value::{ExternRef, FuncType, GlobalType, Limits, MemoryType, TableType, Val, ValType};
