//! Decoding single instructions: [`OperatorReader`] for bodies, [`read_operator`] for any reader.

use super::operator::{BlockType, Catch, CatchKind, LoadKind, MemArg, Operator, StoreKind};
use super::reader::Reader;
use crate::error::DecodeError;
use crate::ops::NumOp;
use crate::value::ValType;

/// Reads the instructions of a function body or constant expression one at a time.
///
/// It only decodes; nesting (`block` … `end`) is tracked by whoever consumes the operators.
#[derive(Clone, Debug)]
pub struct OperatorReader<'a> {
    reader: Reader<'a>,
}

impl<'a> OperatorReader<'a> {
    /// `bytes` are the instructions; `base` is their absolute offset within the module.
    pub fn new(bytes: &'a [u8], base: usize) -> Self {
        Self {
            reader: Reader::new(bytes, base),
        }
    }

    /// Absolute offset of the next instruction.
    pub fn offset(&self) -> usize {
        self.reader.offset()
    }

    /// Whether all bytes have been consumed.
    pub fn is_empty(&self) -> bool {
        self.reader.is_empty()
    }

    /// Decodes the next instruction. Fails with "unexpected end" (or the spec's message for the
    /// malformation) instead of reading past the end.
    #[inline]
    pub fn read(&mut self) -> Result<Operator, DecodeError> {
        // The most frequent instructions are decoded here, inline in the caller's loop:
        // numeric operators and `end` have no immediates, local accesses one index byte.
        let r = &mut self.reader;
        match r.peek() {
            Some(0x0b) => {
                r.advance(1);
                return Ok(Operator::End);
            }
            Some(code @ 0x20..=0x22) => {
                if let Some(index @ 0..0x80) = r.peek_at(1) {
                    r.advance(2);
                    let index = u32::from(index);
                    return Ok(match code {
                        0x20 => Operator::LocalGet(index),
                        0x21 => Operator::LocalSet(index),
                        _ => Operator::LocalTee(index),
                    });
                }
            }
            Some(code @ 0x45..=0xc4) => {
                if let Some(op) = NumOp::from_byte(code) {
                    r.advance(1);
                    return Ok(Operator::Num(op));
                }
            }
            _ => {}
        }
        read_operator(r)
    }
}

/// Loads `0x28..=0x35`, in opcode order.
const LOADS: [LoadKind; 14] = [
    LoadKind::I32,
    LoadKind::I64,
    LoadKind::F32,
    LoadKind::F64,
    LoadKind::I32_8S,
    LoadKind::I32_8U,
    LoadKind::I32_16S,
    LoadKind::I32_16U,
    LoadKind::I64_8S,
    LoadKind::I64_8U,
    LoadKind::I64_16S,
    LoadKind::I64_16U,
    LoadKind::I64_32S,
    LoadKind::I64_32U,
];

/// Stores `0x36..=0x3e`, in opcode order.
const STORES: [StoreKind; 9] = [
    StoreKind::I32,
    StoreKind::I64,
    StoreKind::F32,
    StoreKind::F64,
    StoreKind::I32_8,
    StoreKind::I32_16,
    StoreKind::I64_8,
    StoreKind::I64_16,
    StoreKind::I64_32,
];

/// Decodes one instruction at the reader's position.
pub(crate) fn read_operator(r: &mut Reader<'_>) -> Result<Operator, DecodeError> {
    use Operator::*;
    let at = r.offset();
    let code = r.u8()?;
    Ok(match code {
        0x00 => Unreachable,
        0x01 => Nop,
        0x02 => Block(block_type(r)?),
        0x03 => Loop(block_type(r)?),
        0x04 => If(block_type(r)?),
        0x05 => Else,
        0x08 => Throw(r.u32()?),
        0x0a => ThrowRef,
        0x0b => End,
        0x0c => Br(r.u32()?),
        0x0d => BrIf(r.u32()?),
        0x0e => {
            let targets = r.vec(Reader::u32)?.into_boxed_slice();
            BrTable {
                targets,
                default: r.u32()?,
            }
        }
        0x0f => Return,
        0x10 => Call(r.u32()?),
        0x11 => CallIndirect {
            type_index: r.u32()?,
            table: r.u32()?,
        },
        0x12 => ReturnCall(r.u32()?),
        0x13 => ReturnCallIndirect {
            type_index: r.u32()?,
            table: r.u32()?,
        },
        0x14 => CallRef(r.u32()?),
        0x15 => ReturnCallRef(r.u32()?),
        0x1f => TryTable {
            ty: block_type(r)?,
            catches: r.vec(catch_clause)?.into_boxed_slice(),
        },
        0x1a => Drop,
        0x1b => Select,
        0x1c => select_typed(r)?,
        0x20 => LocalGet(r.u32()?),
        0x21 => LocalSet(r.u32()?),
        0x22 => LocalTee(r.u32()?),
        0x23 => GlobalGet(r.u32()?),
        0x24 => GlobalSet(r.u32()?),
        0x25 => TableGet(r.u32()?),
        0x26 => TableSet(r.u32()?),
        0x28..=0x35 => Load(LOADS[usize::from(code - 0x28)], mem_arg(r)?),
        0x36..=0x3e => Store(STORES[usize::from(code - 0x36)], mem_arg(r)?),
        0x3f => MemorySize(r.mem_index()?),
        0x40 => MemoryGrow(r.mem_index()?),
        0x41 => I32Const(r.i32()?),
        0x42 => I64Const(r.i64()?),
        0x43 => F32Const(r.f32_bits()?),
        0x44 => F64Const(r.f64_bits()?),
        0xd0 => RefNull(ValType::reference(true, r.heap_type()?)),
        0xd1 => RefIsNull,
        0xd2 => RefFunc(r.u32()?),
        0xd4 => RefAsNonNull,
        0xd5 => BrOnNull(r.u32()?),
        0xd6 => BrOnNonNull(r.u32()?),
        0xfc => prefixed(r, at)?,
        0xfd => simd(r, at)?,
        _ => match NumOp::from_code(u32::from(code)) {
            Some(op) => Num(op),
            None => return Err(DecodeError::new(format!("illegal opcode {code:#04x}"), at)),
        },
    })
}

/// The `0xFC`-prefixed instructions: saturating truncations and bulk memory/table operations.
fn prefixed(r: &mut Reader<'_>, at: usize) -> Result<Operator, DecodeError> {
    use Operator::*;
    let sub = r.u32()?;
    Ok(match sub {
        8 => {
            let data = r.u32()?;
            MemoryInit {
                data,
                mem: r.mem_index()?,
            }
        }
        9 => DataDrop(r.u32()?),
        10 => MemoryCopy {
            dst: r.mem_index()?,
            src: r.mem_index()?,
        },
        11 => MemoryFill(r.mem_index()?),
        12 => TableInit {
            elem: r.u32()?,
            table: r.u32()?,
        },
        13 => ElemDrop(r.u32()?),
        14 => TableCopy {
            dst: r.u32()?,
            src: r.u32()?,
        },
        15 => TableGrow(r.u32()?),
        16 => TableSize(r.u32()?),
        17 => TableFill(r.u32()?),
        19 => I64Add128,
        20 => I64Sub128,
        21 => I64MulWideS,
        22 => I64MulWideU,
        // Guard the range so that a large `sub` cannot alias a `0xFC00 | n` code.
        _ => match u8::try_from(sub)
            .ok()
            .and_then(|s| NumOp::from_code(0xfc00 | u32::from(s)))
        {
            Some(op) => Num(op),
            None => {
                return Err(DecodeError::new(
                    format!("illegal opcode 0xfc {sub:#x}"),
                    at,
                ))
            }
        },
    })
}

/// The `0xFD`-prefixed vector instructions: the sub-opcode, then the immediates the table's
/// shape calls for.
fn simd(r: &mut Reader<'_>, at: usize) -> Result<Operator, DecodeError> {
    use crate::simd::{Shape, SimdImm, SimdOp};
    let sub = r.u32()?;
    let op = SimdOp::from_code(sub)
        .ok_or_else(|| DecodeError::new(format!("illegal opcode 0xfd {sub:#x}"), at))?;
    let imm = match op.shape() {
        Shape::Extract(..) | Shape::Replace(..) => SimdImm::Lane(r.u8()?),
        Shape::Load(_) | Shape::Store(_) => SimdImm::Mem(mem_arg(r)?),
        Shape::LoadLane(..) | Shape::StoreLane(..) => {
            let m = mem_arg(r)?;
            SimdImm::MemLane(m, r.u8()?)
        }
        Shape::Const | Shape::Shuffle => {
            let mut bytes = [0; 16];
            bytes.copy_from_slice(r.bytes(16)?);
            SimdImm::Bytes(bytes)
        }
        _ => SimdImm::None,
    };
    Ok(Operator::Simd(op, imm))
}

/// `0x40` (empty), a value type (one byte of the form `0b01xx_xxxx`), or an s33 type index.
fn block_type(r: &mut Reader<'_>) -> Result<BlockType, DecodeError> {
    match r.peek() {
        Some(0x40) => {
            r.u8()?;
            Ok(BlockType::Empty)
        }
        Some(b) if b & 0xc0 == 0x40 => Ok(BlockType::Value(r.val_type()?)),
        _ => {
            let at = r.offset();
            let index = r.s33()?;
            // A negative s33 can never name a type; the spec reports it when validating.
            u32::try_from(index)
                .map(BlockType::Func)
                .map_err(|_| DecodeError::new("unknown type", at))
        }
    }
}

/// One `try_table` catch clause: its kind byte, the tag for `catch`/`catch_ref`, the label.
fn catch_clause(r: &mut Reader<'_>) -> Result<Catch, DecodeError> {
    let at = r.offset();
    let kind = match r.u8()? {
        0 => CatchKind::Catch,
        1 => CatchKind::CatchRef,
        2 => CatchKind::CatchAll,
        3 => CatchKind::CatchAllRef,
        _ => return Err(DecodeError::new("malformed catch clause", at)),
    };
    let tag = if kind.has_tag() { r.u32()? } else { 0 };
    Ok(Catch {
        kind,
        tag,
        label: r.u32()?,
    })
}

fn mem_arg(r: &mut Reader<'_>) -> Result<MemArg, DecodeError> {
    let flags = r.u32()?;
    // Bit 6 says a memory index follows (multi-memory); the rest is the alignment exponent.
    // Any over-aligned exponent is the validator's: "alignment must not be larger than
    // natural" in WebAssembly 3.0, "malformed memop flags" from 2^32 on in 2.0.
    let align = flags & !0x40;
    let memory = if flags & 0x40 != 0 { r.u32()? } else { 0 };
    // Offsets are 64-bit in WebAssembly 3.0's encoding; 2.0's length limit (five bytes) is
    // kept for validation to apply when memory64 is off.
    let wide = (0..5).all(|i| r.peek_at(i).is_some_and(|b| b & 0x80 != 0));
    let offset = r.u64()?;
    Ok(MemArg {
        align,
        offset,
        memory,
        indexed: flags & 0x40 != 0,
        wide,
    })
}

/// `select t*`: the binary allows any number of types, validation requires exactly one. The
/// operator can only carry one, so other counts are reported here with the validator's message.
fn select_typed(r: &mut Reader<'_>) -> Result<Operator, DecodeError> {
    let at = r.offset();
    let types = r.vec(Reader::val_type)?;
    match types[..] {
        [ty] => Ok(Operator::SelectTyped(ty)),
        _ => Err(DecodeError::new("invalid result arity", at)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The reader's inline decoding of frequent instructions gives what the full decoder
    /// gives, on every opcode followed by immediates of one, two and no bytes, and cut short.
    #[test]
    fn inline_fast_path_matches_the_full_decoder() {
        let tails: [&[u8]; 6] = [&[], &[0x05], &[0x7f], &[0x80, 0x01], &[0x80], &[0xff, 0x7f]];
        for code in 0..=u8::MAX {
            for tail in tails {
                let bytes = [&[code][..], tail].concat();
                let mut fast = OperatorReader::new(&bytes, 10);
                let mut full = Reader::new(&bytes, 10);
                assert_eq!(fast.read(), read_operator(&mut full), "{bytes:x?}");
                assert_eq!(fast.offset(), full.offset(), "{bytes:x?}");
            }
        }
    }
}
