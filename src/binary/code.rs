//! The code section: each body is framed (size, locals, instruction range), not decoded.

use super::expr::read_expr;
use super::module_info::{FuncBody, Locals, ModuleInfo};
use super::reader::Reader;
use crate::error::DecodeError;

/// Reads the code section's bodies into `m.bodies`.
pub(super) fn code_section(r: &mut Reader<'_>, m: &mut ModuleInfo) -> Result<(), DecodeError> {
    let count = r.len32()?;
    m.bodies.reserve(count);
    for _ in 0..count {
        m.bodies.push(body(r)?);
    }
    Ok(())
}

fn body(r: &mut Reader<'_>) -> Result<FuncBody, DecodeError> {
    let size = r.len32()?;
    let start = r.offset();
    let end = start + size;
    let locals = locals(r)?;
    let code = r.offset();
    // Every well-formed body ends with the `end` opcode. Checking that byte is cheap; when it
    // is wrong, find the error the spec's decoder would report.
    if code >= end || r.byte_at(end - 1) != Some(0x0b) {
        return Err(diagnose(r, code, start));
    }
    r.seek(end)?;
    Ok(FuncBody {
        locals,
        code: code..end,
    })
}

/// `(count, type)` pairs; the total must fit in `u32`.
fn locals(r: &mut Reader<'_>) -> Result<Locals, DecodeError> {
    let at = r.offset();
    let n = r.len32()?;
    let mut locals = Locals::with_capacity(n);
    for _ in 0..n {
        locals.push((r.u32()?, r.val_type()?));
    }
    let total: u64 = locals.iter().map(|&(n, _)| u64::from(n)).sum();
    if total > u64::from(u32::MAX) {
        return Err(DecodeError::new("too many locals", at));
    }
    Ok(locals)
}

/// The error for a body whose declared size does not frame its instructions. The spec's decoder
/// reads instructions regardless of the size and compares afterwards, so it reports the first
/// malformed instruction past the body, or else the size mismatch.
fn diagnose(r: &Reader<'_>, code: usize, start: usize) -> DecodeError {
    let mut scan = r.clone();
    if let Err(e) = scan.seek(code) {
        return e;
    }
    match read_expr(&mut scan, |_, _| {}) {
        Err(e) => e,
        Ok(()) => DecodeError::new("section size mismatch", start),
    }
}
