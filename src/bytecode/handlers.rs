//! A function's exception handlers: one entry per translated `try_table`, resolved at
//! translation time, looked at only when something throws (see `exec/unwind.rs`).

use super::Reg;
use std::fmt::Write;

/// One `try_table`: the instructions it covers and its catch clauses, in order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Handler {
    /// Index of the first covered instruction.
    pub start: u32,
    /// Index one past the last covered instruction.
    pub end: u32,
    pub clauses: Box<[Clause]>,
}

/// One catch clause, ready to run: which exceptions it takes, where their values go, where
/// execution continues.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Clause {
    /// The module's tag index it catches; `None` for `catch_all`/`catch_all_ref`.
    pub tag: Option<u32>,
    /// Whether the exception reference follows the payload (`catch_ref`, `catch_all_ref`).
    pub with_ref: bool,
    /// The first register the payload cells (then the reference) are written to: the target
    /// label's slots.
    pub dst: Reg,
    /// Cells written from `dst`: the tag's payload cells (0 for a catch-all), plus one for the
    /// reference.
    pub cells: u16,
    /// Index of the instruction that continues: a `br` (or `return`) to the clause's label,
    /// placed after the function's code, so that the translator's passes see the label as a
    /// jump target.
    pub target: u32,
}

/// The handler table as the disassembly prints it, one line per handler (innermost first).
pub(super) fn write_table(out: &mut String, handlers: &[Handler]) {
    for h in handlers {
        let _ = write!(out, "; handler {}..{}:", h.start, h.end);
        for c in h.clauses.iter() {
            let kind = match (c.tag, c.with_ref) {
                (Some(t), false) => format!("catch tag={t}"),
                (Some(t), true) => format!("catch_ref tag={t}"),
                (None, false) => "catch_all".to_string(),
                (None, true) => "catch_all_ref".to_string(),
            };
            let _ = write!(
                out,
                " ({kind} dst=r{} cells={} -> {})",
                c.dst.0, c.cells, c.target
            );
        }
        out.push('\n');
    }
}

/// Checks that every handler covers code of the function and every clause writes registers
/// of the frame and continues at an instruction of the function.
pub(super) fn verify(handlers: &[Handler], len: usize, regs: usize) -> Result<(), String> {
    for (i, h) in handlers.iter().enumerate() {
        if h.start > h.end || h.end as usize > len {
            return Err(format!(
                "handler {i} covers {}..{} of {len}",
                h.start, h.end
            ));
        }
        for c in h.clauses.iter() {
            if c.dst.0 as usize + c.cells as usize > regs {
                return Err(format!(
                    "handler {i} writes r{}..+{} outside a frame of {regs}",
                    c.dst.0, c.cells
                ));
            }
            if c.target as usize >= len {
                return Err(format!("handler {i} continues at {} of {len}", c.target));
            }
        }
    }
    Ok(())
}

/// Writes `handlers` in the precompiled format: a count, then per handler `start`, `end` and
/// a clause count (`u32` each), per clause the tag (`u32::MAX` for a catch-all), `with_ref`
/// (`u8`), `dst` and `cells` (`u16`), `target` (`u32`); little-endian.
pub(crate) fn encode(handlers: &[Handler], out: &mut Vec<u8>) {
    let u32s = |out: &mut Vec<u8>, v: u32| out.extend_from_slice(&v.to_le_bytes());
    u32s(out, handlers.len() as u32);
    for h in handlers {
        for v in [h.start, h.end, h.clauses.len() as u32] {
            u32s(out, v);
        }
        for c in h.clauses.iter() {
            u32s(out, c.tag.unwrap_or(u32::MAX));
            out.push(c.with_ref as u8);
            out.extend_from_slice(&c.dst.0.to_le_bytes());
            out.extend_from_slice(&c.cells.to_le_bytes());
            u32s(out, c.target);
        }
    }
}

/// Reads what [`encode`] wrote. `tag_cells` gives a tag's payload cells (`None`: no such
/// tag), so each clause's cell count is checked against its tag; `verify` checks the rest.
pub(crate) fn decode(
    r: &mut super::serial::Reader<'_>,
    tag_cells: impl Fn(u32) -> Option<u32>,
) -> Result<Box<[Handler]>, String> {
    let count = r.u32()?;
    // Each handler takes at least 12 bytes: refuse a count the bytes cannot hold.
    if count as usize > r.remaining() / 12 {
        return Err(format!("{count} handlers in fewer bytes"));
    }
    let mut handlers = Vec::with_capacity(count as usize);
    for _ in 0..count {
        let (start, end, n) = (r.u32()?, r.u32()?, r.u32()?);
        if n as usize > r.remaining() / 13 {
            return Err(format!("{n} catch clauses in fewer bytes"));
        }
        let mut clauses = Vec::with_capacity(n as usize);
        for _ in 0..n {
            let tag = Some(r.u32()?).filter(|&t| t != u32::MAX);
            let with_ref = match r.u8()? {
                0 => false,
                1 => true,
                b => return Err(format!("bad catch reference flag {b}")),
            };
            let (dst, cells, target) = (Reg(r.u16()?), r.u16()?, r.u32()?);
            let payload = match tag {
                Some(t) => tag_cells(t).ok_or_else(|| format!("unknown tag {t}"))?,
                None => 0,
            };
            if payload + with_ref as u32 != cells as u32 {
                return Err(format!(
                    "catch clause of {cells} cells for {payload} + {with_ref}"
                ));
            }
            clauses.push(Clause {
                tag,
                with_ref,
                dst,
                cells,
                target,
            });
        }
        handlers.push(Handler {
            start,
            end,
            clauses: clauses.into(),
        });
    }
    Ok(handlers.into())
}
