//! WebAssembly instructions as decoded from a function body or constant expression.

use crate::ops::NumOp;
use crate::simd::{SimdImm, SimdOp};
use crate::value::ValType;
use std::fmt;

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

/// What a `try_table` catch clause catches, and whether it pushes the exception reference.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CatchKind {
    /// `catch tag label`: the tag's payload.
    Catch,
    /// `catch_ref tag label`: the payload and the `exnref`.
    CatchRef,
    /// `catch_all label`: nothing.
    CatchAll,
    /// `catch_all_ref label`: the `exnref`.
    CatchAllRef,
}

/// One catch clause of a `try_table`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Catch {
    pub kind: CatchKind,
    /// The tag (ignored by `catch_all` and `catch_all_ref`).
    pub tag: u32,
    /// The label branched to, counted from outside the `try_table`.
    pub label: u32,
}

impl CatchKind {
    /// Whether the clause catches only exceptions of its tag.
    pub fn has_tag(self) -> bool {
        matches!(self, CatchKind::Catch | CatchKind::CatchRef)
    }

    /// Whether the clause passes the exception reference to its label.
    pub fn pushes_ref(self) -> bool {
        matches!(self, CatchKind::CatchRef | CatchKind::CatchAllRef)
    }
}

/// The immediate of a load or store.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MemArg {
    /// The memory it accesses (multi-memory; 0 unless bit 6 of the flags was set).
    pub memory: u32,
    /// Whether bit 6 of the flags was set (a memory index followed): malformed in
    /// WebAssembly 2.0's encoding, which validation applies with multi-memory switched off.
    pub indexed: bool,
    /// Alignment exponent (`2^align` bytes) as written; the validator checks it.
    pub align: u32,
    /// Decoded as 64 bits (memory64's width); validation rejects one above `u32::MAX` for a
    /// 32-bit memory, so the translator can narrow it.
    pub offset: u64,
    /// Whether the offset took more than five bytes: malformed in WebAssembly 2.0's encoding,
    /// which validation applies to a 32-bit memory with memory64 switched off.
    pub wide: bool,
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

/// One decoded instruction.
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
    /// `return_call` (tail calls, WebAssembly 3.0).
    ReturnCall(u32),
    /// `return_call_indirect` (tail calls, WebAssembly 3.0).
    ReturnCallIndirect {
        type_index: u32,
        table: u32,
    },
    /// `call_ref $t` (typed function references, WebAssembly 3.0).
    CallRef(u32),
    /// `return_call_ref $t`.
    ReturnCallRef(u32),
    /// `throw tag` (exception handling).
    Throw(u32),
    /// `throw_ref` (exception handling).
    ThrowRef,
    /// `try_table bt catch*`: a block whose body's exceptions go to the clauses' labels.
    TryTable {
        ty: BlockType,
        catches: Box<[Catch]>,
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
    /// `memory.size` of a memory.
    MemorySize(u32),
    /// `memory.grow` of a memory.
    MemoryGrow(u32),
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
    /// `ref.as_non_null`.
    RefAsNonNull,
    /// `br_on_null l`.
    BrOnNull(u32),
    /// `br_on_non_null l`.
    BrOnNonNull(u32),
    MemoryInit {
        data: u32,
        mem: u32,
    },
    DataDrop(u32),
    MemoryCopy {
        dst: u32,
        src: u32,
    },
    /// `memory.fill` of a memory.
    MemoryFill(u32),
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
    /// A vector instruction (see [`crate::simd`]) with its immediate.
    Simd(SimdOp, SimdImm),
    /// Wide arithmetic: 128-bit add and subtract of (low, high) `i64` pairs, and the full
    /// 128-bit product of two `i64`.
    I64Add128,
    I64Sub128,
    I64MulWideS,
    I64MulWideU,
}

impl LoadKind {
    /// The text-format name, e.g. `i32.load8_s`.
    pub fn name(self) -> &'static str {
        use LoadKind::*;
        match self {
            I32 => "i32.load",
            I64 => "i64.load",
            F32 => "f32.load",
            F64 => "f64.load",
            I32_8S => "i32.load8_s",
            I32_8U => "i32.load8_u",
            I32_16S => "i32.load16_s",
            I32_16U => "i32.load16_u",
            I64_8S => "i64.load8_s",
            I64_8U => "i64.load8_u",
            I64_16S => "i64.load16_s",
            I64_16U => "i64.load16_u",
            I64_32S => "i64.load32_s",
            I64_32U => "i64.load32_u",
        }
    }
}

impl StoreKind {
    /// The text-format name, e.g. `i64.store32`.
    pub fn name(self) -> &'static str {
        use StoreKind::*;
        match self {
            I32 => "i32.store",
            I64 => "i64.store",
            F32 => "f32.store",
            F64 => "f64.store",
            I32_8 => "i32.store8",
            I32_16 => "i32.store16",
            I64_8 => "i64.store8",
            I64_16 => "i64.store16",
            I64_32 => "i64.store32",
        }
    }
}

impl fmt::Display for BlockType {
    /// Empty, ` (result t)` or ` (type n)`: the suffix after `block`/`loop`/`if`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BlockType::Empty => Ok(()),
            BlockType::Value(t) => write!(f, " (result {t})"),
            BlockType::Func(i) => write!(f, " (type {i})"),
        }
    }
}

/// A memory immediate as the text format writes it: the offset when not zero, the alignment
/// when not natural.
fn mem_arg(f: &mut fmt::Formatter<'_>, name: &str, width: u32, m: &MemArg) -> fmt::Result {
    f.write_str(name)?;
    if m.memory != 0 {
        write!(f, " {}", m.memory)?;
    }
    if m.offset != 0 {
        write!(f, " offset={}", m.offset)?;
    }
    let align = 1u64.checked_shl(m.align);
    if align != Some(width as u64) {
        match align {
            Some(a) => write!(f, " align={a}")?,
            None => write!(f, " align=2**{}", m.align)?,
        }
    }
    Ok(())
}

/// A float constant: its value (`None` for a NaN), or `nan`/`nan:0x…` (payload when not canonical) with its sign.
fn float(
    f: &mut fmt::Formatter<'_>,
    value: Option<&dyn fmt::Debug>,
    sign: bool,
    payload: u64,
    canonical: u64,
) -> fmt::Result {
    if let Some(v) = value {
        return write!(f, "{v:?}");
    }
    f.write_str(if sign { "-nan" } else { "nan" })?;
    if payload != canonical {
        write!(f, ":{payload:#x}")?;
    }
    Ok(())
}

/// The instruction in the text format, with indices as numbers (e.g. `local.get 0`,
/// `br_table 0 1 2`, `i32.load offset=4`).
impl fmt::Display for Operator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use Operator::*;
        match self {
            Unreachable => f.write_str("unreachable"),
            Nop => f.write_str("nop"),
            Block(bt) => write!(f, "block{bt}"),
            Loop(bt) => write!(f, "loop{bt}"),
            If(bt) => write!(f, "if{bt}"),
            Else => f.write_str("else"),
            End => f.write_str("end"),
            Br(d) => write!(f, "br {d}"),
            BrIf(d) => write!(f, "br_if {d}"),
            BrTable { targets, default } => {
                f.write_str("br_table")?;
                for t in targets.iter().chain([default]) {
                    write!(f, " {t}")?;
                }
                Ok(())
            }
            Return => f.write_str("return"),
            Call(i) => write!(f, "call {i}"),
            CallIndirect { type_index, table } => match table {
                0 => write!(f, "call_indirect (type {type_index})"),
                t => write!(f, "call_indirect {t} (type {type_index})"),
            },
            ReturnCall(i) => write!(f, "return_call {i}"),
            ReturnCallIndirect { type_index, table } => match table {
                0 => write!(f, "return_call_indirect (type {type_index})"),
                t => write!(f, "return_call_indirect {t} (type {type_index})"),
            },
            CallRef(t) => write!(f, "call_ref {t}"),
            ReturnCallRef(t) => write!(f, "return_call_ref {t}"),
            Throw(t) => write!(f, "throw {t}"),
            ThrowRef => f.write_str("throw_ref"),
            TryTable { ty, catches } => {
                write!(f, "try_table{ty}")?;
                for c in catches.iter() {
                    match c.kind {
                        CatchKind::Catch => write!(f, " (catch {} {})", c.tag, c.label)?,
                        CatchKind::CatchRef => write!(f, " (catch_ref {} {})", c.tag, c.label)?,
                        CatchKind::CatchAll => write!(f, " (catch_all {})", c.label)?,
                        CatchKind::CatchAllRef => write!(f, " (catch_all_ref {})", c.label)?,
                    }
                }
                Ok(())
            }
            Drop => f.write_str("drop"),
            Select => f.write_str("select"),
            SelectTyped(t) => write!(f, "select (result {t})"),
            LocalGet(i) => write!(f, "local.get {i}"),
            LocalSet(i) => write!(f, "local.set {i}"),
            LocalTee(i) => write!(f, "local.tee {i}"),
            GlobalGet(i) => write!(f, "global.get {i}"),
            GlobalSet(i) => write!(f, "global.set {i}"),
            TableGet(i) => write!(f, "table.get {i}"),
            TableSet(i) => write!(f, "table.set {i}"),
            Load(k, m) => mem_arg(f, k.name(), k.width(), m),
            Store(k, m) => mem_arg(f, k.name(), k.width(), m),
            MemorySize(0) => f.write_str("memory.size"),
            MemorySize(m) => write!(f, "memory.size {m}"),
            MemoryGrow(0) => f.write_str("memory.grow"),
            MemoryGrow(m) => write!(f, "memory.grow {m}"),
            I32Const(v) => write!(f, "i32.const {v}"),
            I64Const(v) => write!(f, "i64.const {v}"),
            F32Const(b) => {
                f.write_str("f32.const ")?;
                let v = f32::from_bits(*b);
                let value = (!v.is_nan()).then_some(&v as &dyn fmt::Debug);
                float(f, value, b >> 31 != 0, (*b & 0x7f_ffff) as u64, 1 << 22)
            }
            F64Const(b) => {
                f.write_str("f64.const ")?;
                let v = f64::from_bits(*b);
                let value = (!v.is_nan()).then_some(&v as &dyn fmt::Debug);
                float(f, value, b >> 63 != 0, b & 0xf_ffff_ffff_ffff, 1 << 51)
            }
            Num(op) => f.write_str(op.name()),
            RefNull(t) => match t.as_ref_type() {
                Some(r) => write!(f, "ref.null {}", r.heap),
                None => write!(f, "ref.null {t}"),
            },
            RefIsNull => f.write_str("ref.is_null"),
            RefFunc(i) => write!(f, "ref.func {i}"),
            RefAsNonNull => f.write_str("ref.as_non_null"),
            BrOnNull(l) => write!(f, "br_on_null {l}"),
            BrOnNonNull(l) => write!(f, "br_on_non_null {l}"),
            MemoryInit { data, mem: 0 } => write!(f, "memory.init {data}"),
            MemoryInit { data, mem } => write!(f, "memory.init {mem} {data}"),
            DataDrop(d) => write!(f, "data.drop {d}"),
            MemoryCopy { dst: 0, src: 0 } => f.write_str("memory.copy"),
            MemoryCopy { dst, src } => write!(f, "memory.copy {dst} {src}"),
            MemoryFill(0) => f.write_str("memory.fill"),
            MemoryFill(m) => write!(f, "memory.fill {m}"),
            TableInit { elem, table } => write!(f, "table.init {table} {elem}"),
            ElemDrop(e) => write!(f, "elem.drop {e}"),
            TableCopy { dst, src } => write!(f, "table.copy {dst} {src}"),
            TableGrow(t) => write!(f, "table.grow {t}"),
            TableSize(t) => write!(f, "table.size {t}"),
            TableFill(t) => write!(f, "table.fill {t}"),
            I64Add128 => f.write_str("i64.add128"),
            I64Sub128 => f.write_str("i64.sub128"),
            I64MulWideS => f.write_str("i64.mul_wide_s"),
            I64MulWideU => f.write_str("i64.mul_wide_u"),
            Simd(op, imm) => {
                let width = match op.shape() {
                    crate::simd::Shape::Load(n) | crate::simd::Shape::Store(n) => n as u32,
                    crate::simd::Shape::LoadLane(n, _) | crate::simd::Shape::StoreLane(n, _) => {
                        n as u32
                    }
                    _ => 0,
                };
                match imm {
                    SimdImm::None => f.write_str(op.name()),
                    SimdImm::Lane(l) => write!(f, "{} {l}", op.name()),
                    SimdImm::Mem(m) => mem_arg(f, op.name(), width, m),
                    SimdImm::MemLane(m, l) => {
                        mem_arg(f, op.name(), width, m)?;
                        write!(f, " {l}")
                    }
                    SimdImm::Bytes(b) => {
                        f.write_str(op.name())?;
                        if *op == SimdOp::V128Const {
                            f.write_str(" i32x4")?;
                            for c in b.chunks(4) {
                                let v = u32::from_le_bytes([c[0], c[1], c[2], c[3]]);
                                write!(f, " {v:#010x}")?;
                            }
                        } else {
                            for l in b {
                                write!(f, " {l}")?;
                            }
                        }
                        Ok(())
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operators_print_in_the_text_format() {
        let mem = |align, offset| MemArg {
            align,
            offset,
            memory: 0,
            indexed: false,
            wide: false,
        };
        let cases = [
            (Operator::LocalGet(3), "local.get 3"),
            (
                Operator::Block(BlockType::Value(ValType::I32)),
                "block (result i32)",
            ),
            (Operator::Loop(BlockType::Func(2)), "loop (type 2)"),
            (Operator::If(BlockType::Empty), "if"),
            (
                Operator::BrTable {
                    targets: Box::new([0, 2]),
                    default: 1,
                },
                "br_table 0 2 1",
            ),
            (Operator::Load(LoadKind::I32, mem(2, 0)), "i32.load"),
            (
                Operator::Load(LoadKind::I64_8U, mem(0, 8)),
                "i64.load8_u offset=8",
            ),
            (
                Operator::Store(StoreKind::F64, mem(2, 4)),
                "f64.store offset=4 align=4",
            ),
            (Operator::I32Const(-7), "i32.const -7"),
            (Operator::F32Const(0.1f32.to_bits()), "f32.const 0.1"),
            (Operator::F64Const(f64::NAN.to_bits()), "f64.const nan"),
            (Operator::F32Const(0xffc0_0001), "f32.const -nan:0x400001"),
            (Operator::Num(NumOp::I64ExtendI32U), "i64.extend_i32_u"),
            (Operator::RefNull(ValType::ExternRef), "ref.null extern"),
            (
                Operator::CallIndirect {
                    type_index: 1,
                    table: 2,
                },
                "call_indirect 2 (type 1)",
            ),
        ];
        for (op, text) in cases {
            assert_eq!(op.to_string(), text);
        }
    }
}
