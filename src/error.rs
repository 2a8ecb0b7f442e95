//! Errors, following the spec's failure classes: malformed (decoding), invalid (validation),
//! unlinkable (import resolution), traps (run time, including stack exhaustion).

use crate::backtrace::{LazyBacktrace, RawFrame, WasmBacktrace};
use std::fmt;

/// Everything that can go wrong in regwasm. Guest input never panics; it ends up here.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The binary could not be decoded.
    #[error("malformed module: {0}")]
    Malformed(#[from] DecodeError),
    /// The module decoded but does not type-check.
    #[error("invalid module: {0}")]
    Invalid(#[from] ValidationError),
    /// An import could not be resolved or has the wrong type.
    #[error("unlinkable: {0}")]
    Unlinkable(String),
    /// Execution trapped (also during instantiation: segment initialisation or the start function).
    #[error("trap: {0}")]
    Trap(#[from] Trap),
    /// The WebAssembly text could not be parsed.
    #[error("wat: {0}")]
    Wat(String),
    /// The module is valid but exceeds a limit of this implementation (e.g. more than 65535
    /// registers in one function).
    #[error("implementation limit exceeded: {0}")]
    Limit(String),
    /// regwasm broke one of its own invariants: the bytecode verifier rejected what the
    /// translator produced for a valid module. Never the module's fault; please report it.
    #[error("internal error (a regwasm bug, please report it): {0}")]
    Internal(String),
    /// A host-side misuse of the API: wrong argument count or types, unknown export, store mismatch.
    #[error("{0}")]
    Api(String),
    /// A precompiled module (`Module::deserialize`) was refused: not one, made by another
    /// version or for another configuration, or damaged.
    #[error("precompiled module: {0}")]
    Precompiled(PrecompiledError),
}

/// Why [`Module::deserialize`](crate::Module::deserialize) refused its bytes: the kind, and a
/// message naming what did not match.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct PrecompiledError {
    /// Which check failed.
    pub kind: PrecompiledErrorKind,
    /// What was found, and what was expected.
    pub message: String,
}

/// The checks a precompiled module passes through, in the order they run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PrecompiledErrorKind {
    /// The bytes do not start with the precompiled module magic.
    NotPrecompiled,
    /// Another version of the precompiled format.
    FormatVersion,
    /// Made by another version of regwasm (whose bytecode may differ).
    CrateVersion,
    /// Made with a `Config` whose translation settings differ from this engine's.
    Config,
    /// The payload's length or checksum does not match: the file was truncated or damaged.
    Checksum,
    /// The payload passed the checksum but does not describe a valid module and bytecode.
    Corrupt,
}

/// A decoding error: what the binary format rule broke, and the byte offset in the module.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message} (at byte offset {offset:#x})")]
pub struct DecodeError {
    /// The spec's message for this class of malformation (e.g. "unexpected end").
    pub message: String,
    /// Byte offset in the module where the malformed item starts.
    pub offset: usize,
}

impl DecodeError {
    /// An error with `message` at byte `offset`.
    pub fn new(message: impl Into<String>, offset: usize) -> Self {
        Self {
            message: message.into(),
            offset,
        }
    }
}

/// A validation error: the spec's message, the function (if inside a body) and the byte offset.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct ValidationError {
    /// The spec's message (e.g. "type mismatch").
    pub message: String,
    /// Function index in the module's function index space, when the error is inside a body.
    pub func: Option<u32>,
    /// Byte offset in the module of the offending instruction or item.
    pub offset: usize,
}

impl ValidationError {
    /// An error with `message` at byte `offset`, outside any function body.
    pub fn new(message: impl Into<String>, offset: usize) -> Self {
        Self {
            message: message.into(),
            func: None,
            offset,
        }
    }
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.func {
            Some(func) => write!(
                f,
                "{} (in function {func}, at byte offset {:#x})",
                self.message, self.offset
            ),
            None => write!(f, "{} (at byte offset {:#x})", self.message, self.offset),
        }
    }
}

/// Why execution stopped abnormally.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TrapCode {
    /// `unreachable` was executed.
    Unreachable,
    /// An integer division or remainder by zero.
    IntegerDivisionByZero,
    /// A signed division overflowed (`MIN / -1`).
    IntegerOverflow,
    /// A float-to-integer truncation of NaN or of a value out of range.
    BadConversionToInteger,
    /// A memory access (or bulk memory operation) outside the memory.
    MemoryOutOfBounds,
    /// A table access (or bulk table operation) outside the table.
    TableOutOfBounds,
    /// `call_indirect` found a function of another type than the one expected.
    IndirectCallTypeMismatch,
    /// `call_indirect` found a null table element.
    UninitializedElement,
    /// `call_indirect` indexed past the table's end.
    UndefinedElement,
    /// The call depth or the register stack reached its limit (`Config::max_call_depth`,
    /// `Config::max_register_stack`).
    StackOverflow,
    /// Fuel metering is on and the store ran out (see `Store::set_fuel`).
    OutOfFuel,
    /// Another thread interrupted the call (see `Store::interrupt_handle`).
    Interrupted,
    /// The call ran past its deadline (see `Store::set_deadline`).
    DeadlineExceeded,
    /// A host function returned an error.
    HostError,
    /// `call_ref` or `return_call_ref` of a null reference.
    NullFunctionReference,
    /// `ref.as_non_null` of a null reference.
    NullReference,
    /// An exception no handler caught ([`Trap::exception`] names it).
    UncaughtException,
    /// `throw_ref` of a null exception reference.
    NullExnRef,
}

impl TrapCode {
    /// Every trap code in declaration order, so that `ALL[code as usize] == code`: how a
    /// precompiled module's `trap` instructions name their code.
    pub(crate) const ALL: [TrapCode; 18] = [
        TrapCode::Unreachable,
        TrapCode::IntegerDivisionByZero,
        TrapCode::IntegerOverflow,
        TrapCode::BadConversionToInteger,
        TrapCode::MemoryOutOfBounds,
        TrapCode::TableOutOfBounds,
        TrapCode::IndirectCallTypeMismatch,
        TrapCode::UninitializedElement,
        TrapCode::UndefinedElement,
        TrapCode::StackOverflow,
        TrapCode::OutOfFuel,
        TrapCode::Interrupted,
        TrapCode::DeadlineExceeded,
        TrapCode::HostError,
        TrapCode::NullFunctionReference,
        TrapCode::NullReference,
        TrapCode::UncaughtException,
        TrapCode::NullExnRef,
    ];

    /// The spec's message for this trap, as the official test suite spells it.
    pub fn message(self) -> &'static str {
        match self {
            TrapCode::Unreachable => "unreachable",
            TrapCode::IntegerDivisionByZero => "integer divide by zero",
            TrapCode::IntegerOverflow => "integer overflow",
            TrapCode::BadConversionToInteger => "invalid conversion to integer",
            TrapCode::MemoryOutOfBounds => "out of bounds memory access",
            TrapCode::TableOutOfBounds => "out of bounds table access",
            TrapCode::IndirectCallTypeMismatch => "indirect call type mismatch",
            TrapCode::UninitializedElement => "uninitialized element",
            TrapCode::UndefinedElement => "undefined element",
            TrapCode::StackOverflow => "call stack exhausted",
            TrapCode::OutOfFuel => "all fuel consumed",
            TrapCode::Interrupted => "interrupted",
            TrapCode::DeadlineExceeded => "deadline exceeded",
            TrapCode::HostError => "host error",
            TrapCode::NullFunctionReference => "null function reference",
            TrapCode::NullReference => "null reference",
            TrapCode::UncaughtException => "uncaught exception",
            TrapCode::NullExnRef => "null exception reference",
        }
    }
}

impl fmt::Display for TrapCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message())
    }
}

/// A trap: its code, the host's error when a host function failed, and the Wasm call chain
/// it happened in.
#[derive(Debug)]
pub struct Trap {
    code: TrapCode,
    host: Option<Box<dyn std::error::Error + Send + Sync>>,
    /// Boxed: most traps made by hand never get one, and `Error` stays small.
    backtrace: Option<Box<LazyBacktrace>>,
    /// The exception, for [`TrapCode::UncaughtException`], with its description (tag and
    /// payload) once it has left the Wasm code that could catch it. Boxed like `backtrace`.
    exception: Option<Box<(crate::Exn, Option<String>)>>,
}

impl Trap {
    /// A trap with `code` (and no host error).
    pub fn new(code: TrapCode) -> Self {
        Self {
            code,
            host: None,
            backtrace: None,
            exception: None,
        }
    }

    /// An exception thrown by a host function (or an uncaught one rethrown): returned from a
    /// host function called by Wasm, it unwinds into the calling Wasm code's handlers.
    pub fn throw(exn: crate::Exn) -> Self {
        Self {
            exception: Some(Box::new((exn, None))),
            ..Self::new(TrapCode::UncaughtException)
        }
    }

    /// The exception, if this is an uncaught exception ([`TrapCode::UncaughtException`]).
    pub fn exception(&self) -> Option<crate::Exn> {
        self.exception.as_ref().map(|e| e.0)
    }

    /// Records how the exception describes itself (its tag and payload), for the message.
    pub(crate) fn describe(&mut self, text: String) {
        if let Some(e) = &mut self.exception {
            e.1 = Some(text);
        }
    }

    /// A trap carrying an error raised by a host function.
    pub fn host(err: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        Self {
            code: TrapCode::HostError,
            host: Some(err.into()),
            backtrace: None,
            exception: None,
        }
    }

    /// The Wasm frames the trap happened in, newest first; `None` for a trap raised outside
    /// Wasm code (a host function called directly, a segment that did not fit at
    /// instantiation). Its `Display` prints them as wasmtime does (see [`WasmBacktrace`]).
    ///
    /// ```
    /// use regwasm::{Engine, Linker, Module, Store};
    /// let engine = Engine::default();
    /// let module = Module::new(&engine, r#"(module
    ///     (func $fail unreachable)
    ///     (func (export "run") call $fail))"#).unwrap();
    /// let mut store = Store::new(&engine, ());
    /// let instance = Linker::new(&engine).instantiate(&mut store, &module).unwrap();
    /// let run = instance.get_typed_func::<(), ()>(&store, "run").unwrap();
    /// let regwasm::Error::Trap(trap) = run.call(&mut store, ()).unwrap_err() else { panic!() };
    /// let names: Vec<_> = trap.backtrace().unwrap().frames().iter()
    ///     .map(|f| f.func_name.as_deref()).collect();
    /// assert_eq!(names, [Some("fail"), None]);
    /// ```
    ///
    /// The first call works out the frames' byte offsets, by translating each function on the
    /// backtrace once more (a trap itself only records where it happened).
    pub fn backtrace(&self) -> Option<&WasmBacktrace> {
        self.backtrace.as_deref().map(LazyBacktrace::get)
    }

    /// Adds `frames` (older than any it has) at the end of the backtrace.
    pub(crate) fn push_frames(&mut self, frames: Vec<RawFrame>) {
        match &mut self.backtrace {
            Some(bt) => bt.push(frames),
            None if frames.is_empty() => {}
            None => self.backtrace.get_or_insert_default().push(frames),
        }
    }

    /// Why execution stopped.
    pub fn code(&self) -> TrapCode {
        self.code
    }

    /// The host error, when this trap came from a host function.
    pub fn host_error(&self) -> Option<&(dyn std::error::Error + Send + Sync + 'static)> {
        self.host.as_deref()
    }
}

impl From<TrapCode> for Trap {
    fn from(code: TrapCode) -> Self {
        Trap::new(code)
    }
}

impl From<TrapCode> for Error {
    fn from(code: TrapCode) -> Self {
        Error::Trap(Trap::new(code))
    }
}

impl fmt::Display for Trap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let described = self.exception.as_ref().and_then(|e| e.1.as_ref());
        match (&self.host, described) {
            (Some(e), _) => write!(f, "{}: {e}", self.code),
            (None, Some(d)) => write!(f, "{}: {d}", self.code),
            (None, None) => write!(f, "{}", self.code),
        }
    }
}

impl std::error::Error for Trap {}

/// Shorthand used throughout the crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;
