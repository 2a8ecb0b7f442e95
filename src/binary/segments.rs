//! The element and data sections: segments with their modes and initialisers.

use super::expr::const_expr;
use super::module_info::{ConstExpr, DataMode, DataSegment, ElemMode, ElemSegment, ModuleInfo};
use super::operator::Operator;
use super::reader::Reader;
use crate::error::DecodeError;
use crate::value::ValType;

pub(super) fn elem_section(r: &mut Reader<'_>, m: &mut ModuleInfo) -> Result<(), DecodeError> {
    m.elems = r.vec(elem_segment)?;
    Ok(())
}

/// One of the eight encodings. Flag bits: 0 = passive or declarative (else active), 1 = explicit
/// table index (active) or declarative (otherwise), 2 = items are expressions (else indices).
fn elem_segment(r: &mut Reader<'_>) -> Result<ElemSegment, DecodeError> {
    let at = r.offset();
    let flags = r.u32()?;
    if flags > 7 {
        return Err(DecodeError::new("malformed elements segment kind", at));
    }
    let mode = match flags & 3 {
        0 => ElemMode::Active {
            table: 0,
            offset: const_expr(r)?,
        },
        2 => ElemMode::Active {
            table: r.u32()?,
            offset: const_expr(r)?,
        },
        1 => ElemMode::Passive,
        _ => ElemMode::Declarative,
    };
    let exprs = flags & 4 != 0;
    // Flag 0 implies `(ref func)` (function indices are never null), 4 `funcref`; the
    // others spell out a reference type or element kind.
    let ty = match (flags & 3 != 0, exprs) {
        (false, false) => ValType::reference(false, crate::value::HeapType::Func),
        (false, true) => ValType::FuncRef,
        (true, true) => r.ref_type()?,
        (true, false) => elem_kind(r)?,
    };
    let items = if exprs {
        r.vec(const_expr)?
    } else {
        r.vec(func_index_item)?
    };
    Ok(ElemSegment { ty, mode, items })
}

/// The element kind byte of index-based segments: only `0x00` (funcref) exists.
fn elem_kind(r: &mut Reader<'_>) -> Result<ValType, DecodeError> {
    let at = r.offset();
    match r.u8()? {
        0x00 => Ok(ValType::reference(false, crate::value::HeapType::Func)),
        _ => Err(DecodeError::new("malformed element kind", at)),
    }
}

/// A function index item, normalised to `ref.func`.
fn func_index_item(r: &mut Reader<'_>) -> Result<ConstExpr, DecodeError> {
    let offset = r.offset();
    let index = r.u32()?;
    Ok(ConstExpr {
        ops: vec![Operator::RefFunc(index)],
        offset,
    })
}

pub(super) fn data_section(r: &mut Reader<'_>, m: &mut ModuleInfo) -> Result<(), DecodeError> {
    m.datas = r.vec(data_segment)?;
    Ok(())
}

fn data_segment(r: &mut Reader<'_>) -> Result<DataSegment, DecodeError> {
    let at = r.offset();
    let mode = match r.u32()? {
        0 => DataMode::Active {
            memory: 0,
            offset: const_expr(r)?,
        },
        1 => DataMode::Passive,
        2 => DataMode::Active {
            memory: r.u32()?,
            offset: const_expr(r)?,
        },
        _ => return Err(DecodeError::new("malformed data segment kind", at)),
    };
    let len = r.len32()?;
    let start = r.offset();
    r.bytes(len)?;
    Ok(DataSegment {
        mode,
        data: start..start + len,
    })
}
