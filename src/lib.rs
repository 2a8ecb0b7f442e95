// Everything public has a doc comment, and no public signature names a type an embedder
// cannot name (a public type left inside a private module).
#![warn(missing_docs, unnameable_types)]

//! # regwasm
//!
//! A WebAssembly interpreter that decodes, validates and translates Wasm stack code into a
//! compact register bytecode, then runs it over a fixed-size register file per frame, with
//! direct-threaded handlers or a `match` loop ([`Dispatch`], [`Config::dispatch`]).
//!
//! Data flow: bytes → decoded module → validated and translated per function, in one pass
//! ([`Module::new`]) → instantiated in a [`Store`] through a [`Linker`] → run by the interpreter
//! ([`Func::call`], [`TypedFunc::call`]). docs/architecture.md describes each stage.
//!
//! The public API is what this root re-exports, plus [`wasi`] (WASI preview 1 for a
//! [`Linker`]) and, with the `script` feature (on by default, through `cli`), `script` (a
//! runner for spec-style `.wast` scripts). The stages themselves (decoder, validator,
//! translator, bytecode, interpreter) are private: what an inspection tool may read of the
//! bytecode goes through [`Module::disassemble`], [`Module::translation_stats`],
//! [`instruction_catalogue`] and, with the `profile` feature, [`Store::profile`].
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

mod backtrace;
mod binary;
mod bytecode;
mod error;
mod exec;
mod numeric;
mod ops;
mod runtime;
#[cfg(feature = "script")]
pub mod script;
mod simd;
mod translate;
mod validate;
mod value;
pub mod wasi;

pub use backtrace::{FrameInfo, WasmBacktrace};
pub use binary::ExternKind;
pub use bytecode::{instruction_catalogue, Counts, FuncStats, InstructionInfo, TranslationStats};
pub use error::{
    DecodeError, Error, PrecompiledError, PrecompiledErrorKind, Result, Trap, TrapCode,
    ValidationError,
};
pub use exec::profile::{FuncProfile, Profile};
pub use exec::{Dispatch, SuspendReason};
pub use runtime::{
    CallOutcome, Caller, CompilationMode, Config, Engine, Exn, Extern, Func, Global, HostReturn,
    Instance, InterruptHandle, IntoFunc, Linker, Memory, Module, Optimizations, ResumableCall,
    Store, Table, Tag, TypedFunc, WasmParams, WasmResults, WasmTy, PAGE_SIZE,
};
pub use value::{
    ExternRef, FuncType, GlobalType, HeapType, Limits, MemoryType, RefType, TableType, Val, ValType,
};
