//! WebAssembly instructions as decoded from a function body or constant expression.

use crate::ops::NumOp;
use crate::value::ValType;

/// The type of a `block`, `loop` or `if`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BlockType {
    /// `[] -> []`
    Empty,
    /// `[] -> [t]`
    Value(ValType),
    /// A type index into the type section (any `[params] -> [results]`).
    Func(u32),
}

/// The immediate of a load or store. Wasm 2.0 has one memory, so no memory index.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MemArg {
    /// Alignment exponent (`2^align` bytes) as written; the validator checks it.
    pub align: u32,
    pub offset: u32,
}

/// Load/store width and extension, shared by the decoder, validator and translator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LoadKind {
    I32,
    I64,
    F32,
    F64,
    I32_8S,
    I32_8U,
    I32_16S,
    I32_16U,
    I64_8S,
    I64_8U,
    I64_16S,
    I64_16U,
    I64_32S,
    I64_32U,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StoreKind {
    I32,
    I64,
    F32,
    F64,
    I32_8,
    I32_16,
    I64_8,
    I64_16,
    I64_32,
}

impl LoadKind {
    /// Access width in bytes.
    pub fn width(self) -> u32 {
        use LoadKind::*;
        match self {
            I32_8S | I32_8U | I64_8S | I64_8U => 1,
            I32_16S | I32_16U | I64_16S | I64_16U => 2,
            I32 | F32 | I64_32S | I64_32U => 4,
            I64 | F64 => 8,
        }
    }

    /// The type pushed on the stack.
    pub fn result(self) -> ValType {
        use LoadKind::*;
        match self {
            I32 | I32_8S | I32_8U | I32_16S | I32_16U => ValType::I32,
            I64 | I64_8S | I64_8U | I64_16S | I64_16U | I64_32S | I64_32U => ValType::I64,
            F32 => ValType::F32,
            F64 => ValType::F64,
        }
    }
}

impl StoreKind {
    /// Access width in bytes.
    pub fn width(self) -> u32 {
        use StoreKind::*;
        match self {
            I32_8 | I64_8 => 1,
            I32_16 | I64_16 => 2,
            I32 | F32 | I64_32 => 4,
            I64 | F64 => 8,
        }
    }

    /// The type of the stored value operand.
    pub fn operand(self) -> ValType {
        use StoreKind::*;
        match self {
            I32 | I32_8 | I32_16 => ValType::I32,
            I64 | I64_8 | I64_16 | I64_32 => ValType::I64,
            F32 => ValType::F32,
            F64 => ValType::F64,
        }
    }
}

/// One decoded instruction (Wasm 2.0 without SIMD).
#[derive(Clone, Debug, PartialEq)]
pub enum Operator {
    Unreachable,
    Nop,
    Block(BlockType),
    Loop(BlockType),
    If(BlockType),
    Else,
    End,
    Br(u32),
    BrIf(u32),
    BrTable {
        targets: Box<[u32]>,
        default: u32,
    },
    Return,
    Call(u32),
    CallIndirect {
        type_index: u32,
        table: u32,
    },
    Drop,
    /// Untyped `select` (numeric operands only).
    Select,
    /// `select (result t)`; the decoder accepts exactly one type.
    SelectTyped(ValType),
    LocalGet(u32),
    LocalSet(u32),
    LocalTee(u32),
    GlobalGet(u32),
    GlobalSet(u32),
    TableGet(u32),
    TableSet(u32),
    Load(LoadKind, MemArg),
    Store(StoreKind, MemArg),
    MemorySize,
    MemoryGrow,
    I32Const(i32),
    I64Const(i64),
    /// Bits of the constant, so NaN payloads survive.
    F32Const(u32),
    F64Const(u64),
    /// All comparison, arithmetic and conversion operators (see [`crate::ops`]).
    Num(NumOp),
    RefNull(ValType),
    RefIsNull,
    RefFunc(u32),
    MemoryInit(u32),
    DataDrop(u32),
    MemoryCopy,
    MemoryFill,
    TableInit {
        elem: u32,
        table: u32,
    },
    ElemDrop(u32),
    TableCopy {
        dst: u32,
        src: u32,
    },
    TableGrow(u32),
    TableSize(u32),
    TableFill(u32),
}
