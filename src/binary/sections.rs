//! The module-level loop (header, section order and sizes, cross-section counts) and the simple
//! sections. Like the spec's decoder, a section's contents are read without stopping at its
//! declared end; the size is compared once the section has been read.

use super::code::code_section;
use super::expr::const_expr;
use super::module_info::{Export, ExternKind, Import, ImportDesc, ModuleInfo, SubType};
use super::reader::{Reader, UNEXPECTED_END};
use super::segments::{data_section, elem_section};
use crate::error::DecodeError;
use crate::value::FuncType;

const MAGIC: &[u8] = b"\0asm";
const VERSION: &[u8] = &[1, 0, 0, 0];

/// Decodes a whole module; see [`super::decode`].
pub(super) fn decode_module(bytes: &[u8]) -> Result<ModuleInfo, DecodeError> {
    let mut r = Reader::new(bytes, 0);
    if r.bytes(4)? != MAGIC {
        return Err(DecodeError::new("magic header not detected", 0));
    }
    if r.bytes(4)? != VERSION {
        return Err(DecodeError::new("unknown binary version", 4));
    }
    let mut m = ModuleInfo::default();
    let mut last_rank = 0;
    while !r.is_empty() {
        let at = r.offset();
        let id = r.u8()?;
        let rank = order_rank(id).ok_or_else(|| DecodeError::new("malformed section id", at))?;
        let size = r.len32()?;
        let start = r.offset();
        if id == 0 {
            custom_section(&mut r, start, size, &mut m)?;
            continue;
        }
        // Each non-custom section at most once, in order; the spec stops at the first one out
        // of place and then finds content left over.
        if rank <= last_rank {
            return Err(DecodeError::new(
                "unexpected content after last section",
                at,
            ));
        }
        last_rank = rank;
        section(&mut r, id, &mut m)?;
        if r.offset() != start + size {
            return Err(DecodeError::new("section size mismatch", start));
        }
    }
    check_counts(&m, bytes.len())?;
    m.bytes = bytes.to_vec();
    Ok(m)
}

/// Position of a section id in the required order (custom sections: 0, anywhere); `None` for
/// unknown ids. The tag section sits between the memory and global sections, the data count
/// section between the element and code sections.
fn order_rank(id: u8) -> Option<u8> {
    Some(match id {
        0..=5 => id,
        13 => 6,
        6..=9 => id + 1,
        12 => 11,
        10 => 12,
        11 => 13,
        _ => return None,
    })
}

fn section(r: &mut Reader<'_>, id: u8, m: &mut ModuleInfo) -> Result<(), DecodeError> {
    match id {
        1 => type_section(r, m)?,
        2 => import_section(r, m)?,
        3 => m.funcs.extend(r.vec(Reader::u32)?),
        4 => table_section(r, m)?,
        5 => {
            for _ in 0..r.len32()? {
                note_wide_limits(r, m, false);
                m.memories.push(r.memory_type()?);
            }
        }
        6 => global_section(r, m)?,
        7 => m.exports = r.vec(export)?,
        8 => {
            m.start_offset = r.offset();
            m.start = Some(r.u32()?);
        }
        9 => elem_section(r, m)?,
        10 => code_section(r, m)?,
        11 => data_section(r, m)?,
        13 => m.tags.extend(r.vec(tag_type)?),
        _ => m.data_count = Some(r.u32()?),
    }
    Ok(())
}

/// A custom section: a UTF-8 name, then contents that are skipped; the first `name` section's
/// place is kept, to be read for backtraces (and ignored if malformed: see `names.rs`).
fn custom_section(
    r: &mut Reader<'_>,
    start: usize,
    size: usize,
    m: &mut ModuleInfo,
) -> Result<(), DecodeError> {
    let name = r.name()?;
    let at = r.offset();
    if at > start + size {
        return Err(DecodeError::new(UNEXPECTED_END, start + size));
    }
    r.bytes(start + size - at)?;
    if name == "name" && m.names_at.is_none() {
        m.names_at = Some(at..start + size);
    }
    Ok(())
}

/// The type section: recursion groups (`0x4e`) of subtypes, or a subtype alone (a group of
/// one).
fn type_section(r: &mut Reader<'_>, m: &mut ModuleInfo) -> Result<(), DecodeError> {
    let count = r.len32()?;
    for _ in 0..count {
        let len = if r.peek() == Some(0x4e) {
            r.u8()?;
            r.len32()?
        } else {
            1
        };
        let start = m.types.len() as u32;
        for _ in 0..len {
            let at = r.offset();
            let (is_final, supertype) = match r.peek() {
                Some(code @ (0x4f | 0x50)) => {
                    r.u8()?;
                    let supers = r.vec(Reader::u32)?;
                    if supers.len() > 1 {
                        return Err(DecodeError::new("multiple supertypes", at));
                    }
                    (code == 0x4f, supers.first().copied())
                }
                _ => (true, None),
            };
            m.types.push(func_type(r)?);
            m.subtypes.push(SubType {
                is_final,
                supertype,
                group: (start, len as u32),
            });
        }
    }
    Ok(())
}

/// The table section: a table type, or `0x40 0x00`, a table type and its initializer.
fn table_section(r: &mut Reader<'_>, m: &mut ModuleInfo) -> Result<(), DecodeError> {
    let count = r.len32()?;
    for _ in 0..count {
        let init = if r.peek() == Some(0x40) {
            r.u8()?;
            r.zero_byte()?;
            true
        } else {
            false
        };
        note_wide_limits(r, m, true);
        m.tables.push(r.table_type()?);
        let init = if init { Some(const_expr(r)?) } else { None };
        m.table_inits.push(init);
    }
    Ok(())
}

fn func_type(r: &mut Reader<'_>) -> Result<FuncType, DecodeError> {
    let at = r.offset();
    match r.type_code()? {
        0x60 => {}
        0x5f | 0x5e => {
            return Err(DecodeError::new(
                "struct and array types (GC) are not supported",
                at,
            ))
        }
        _ => return Err(DecodeError::new("malformed function type", at)),
    }
    let params = r.vec(Reader::val_type)?;
    let results = r.vec(Reader::val_type)?;
    Ok(FuncType::new(params, results))
}

/// Records in `m.wide_limits` whether the limits of the table or memory type at `r` (after a
/// table's element type) break WebAssembly 2.0's `u32` encoding though its index type is
/// 32-bit. Reads a copy of the reader: the type itself is decoded by its own function.
fn note_wide_limits(r: &Reader<'_>, m: &mut ModuleInfo, table: bool) {
    if m.wide_limits.is_some() {
        return;
    }
    let mut probe = r.clone();
    let check = |p: &mut Reader<'_>| -> Result<(), DecodeError> {
        if table {
            p.ref_type()?;
        }
        let flags = p.u8()?;
        if flags & 4 == 0 {
            p.u32()?;
            if flags & 1 != 0 {
                p.u32()?;
            }
        }
        Ok(())
    };
    if let Err(e) = check(&mut probe) {
        // An error the real decoding reports too (a cut-off type) is not noted; it wins.
        if e.message != UNEXPECTED_END {
            m.wide_limits = Some(e);
        }
    }
}

/// A tag type: the attribute byte (0, exception), then the index of a function type.
fn tag_type(r: &mut Reader<'_>) -> Result<u32, DecodeError> {
    let at = r.offset();
    if r.u8()? != 0 {
        return Err(DecodeError::new("malformed tag attribute", at));
    }
    r.u32()
}

/// Imports also open the index spaces: imported entities come first.
fn import_section(r: &mut Reader<'_>, m: &mut ModuleInfo) -> Result<(), DecodeError> {
    let count = r.len32()?;
    m.imports.reserve(count);
    for _ in 0..count {
        let module = r.name()?;
        let name = r.name()?;
        let at = r.offset();
        let desc = match r.u8()? {
            0 => ImportDesc::Func(r.u32()?),
            1 => {
                note_wide_limits(r, m, true);
                ImportDesc::Table(r.table_type()?)
            }
            2 => {
                note_wide_limits(r, m, false);
                ImportDesc::Memory(r.memory_type()?)
            }
            3 => ImportDesc::Global(r.global_type()?),
            4 => ImportDesc::Tag(tag_type(r)?),
            _ => return Err(DecodeError::new("malformed import kind", at)),
        };
        match &desc {
            ImportDesc::Func(ty) => {
                m.funcs.push(*ty);
                m.num_imported_funcs += 1;
            }
            ImportDesc::Table(ty) => {
                m.tables.push(*ty);
                m.num_imported_tables += 1;
            }
            ImportDesc::Memory(ty) => {
                m.memories.push(*ty);
                m.num_imported_memories += 1;
            }
            ImportDesc::Global(ty) => {
                m.globals.push(*ty);
                m.num_imported_globals += 1;
            }
            ImportDesc::Tag(ty) => {
                m.tags.push(*ty);
                m.num_imported_tags += 1;
            }
        }
        m.imports.push(Import { module, name, desc });
    }
    Ok(())
}

fn global_section(r: &mut Reader<'_>, m: &mut ModuleInfo) -> Result<(), DecodeError> {
    let count = r.len32()?;
    for _ in 0..count {
        m.globals.push(r.global_type()?);
        m.global_inits.push(const_expr(r)?);
    }
    Ok(())
}

fn export(r: &mut Reader<'_>) -> Result<Export, DecodeError> {
    let name = r.name()?;
    let at = r.offset();
    let kind = match r.u8()? {
        0 => ExternKind::Func,
        1 => ExternKind::Table,
        2 => ExternKind::Memory,
        3 => ExternKind::Global,
        4 => ExternKind::Tag,
        _ => return Err(DecodeError::new("malformed export kind", at)),
    };
    Ok(Export {
        name,
        kind,
        index: r.u32()?,
    })
}

/// Counts that must agree across sections, checked once all sections are read.
fn check_counts(m: &ModuleInfo, end: usize) -> Result<(), DecodeError> {
    let defined_funcs = m.funcs.len() - m.num_imported_funcs as usize;
    if defined_funcs != m.bodies.len() {
        return Err(DecodeError::new(
            "function and code section have inconsistent lengths",
            end,
        ));
    }
    if m.data_count.is_some_and(|n| n as usize != m.datas.len()) {
        return Err(DecodeError::new(
            "data count and data section have inconsistent lengths",
            end,
        ));
    }
    Ok(())
}
