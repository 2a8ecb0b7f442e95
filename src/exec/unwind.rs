//! What happens when something throws. [`search`] walks the interpreter's own frame stack from
//! the throwing frame outwards, without changing it: in each frame it finds the running
//! function (by the module's code index) and its handler table (translated `try_table`s,
//! innermost first), and takes the first clause of the innermost handler covering the
//! throwing instruction that matches. [`land`] then pops the frames above the catching one,
//! writes the payload and reference into the clause's registers and gives the position of its
//! landing pad.
//!
//! A Wasm `throw` or `throw_ref` unwinds without leaving the interpreter loop ([`throw`],
//! [`rethrow`]); a `throw` whose catching clause does not take the reference makes no
//! exception at all: its payload goes from the thrower's registers straight to the clause's.
//! A host function's exception ([`Trap::throw`](crate::Trap::throw)) unwinds from the driver
//! (`exec::run`) through [`rethrow`] too. Nothing of this runs unless something throws; plain
//! code and calls carry no bookkeeping for it.

use super::machine::Ctx;
use super::{Exit, Position, Stack};
use crate::bytecode::{Clause, CompiledFunc, Op};
use crate::runtime::StoreInner;
use crate::value::Cell;

/// Where the throw happened: the throwing instruction (for a call, the call itself), the
/// frame's offset in the register stack, its instance.
#[derive(Clone, Copy)]
pub(super) struct ThrowSite {
    pub(super) ip: *const Op,
    pub(super) fp: usize,
    pub(super) instance: u32,
    #[cfg(feature = "profile")]
    pub(super) func: u32,
}

/// The clause that catches an exception, and where.
struct Found {
    /// Frames of the frame stack above the catching one (0: the throwing frame catches).
    popped: usize,
    /// The catching frame.
    site: ThrowSite,
    clause: Clause,
    /// The clause's landing pad.
    pad: *const Op,
}

/// What the interpreter's `throw` calls: [`throw`] of tag `tag` (the running instance's) from
/// instruction `ip` of the frame at offset `fp`, with the payload at registers `args..`.
/// Returns the landing pad and its frame's offset, having switched `cx` to the catching
/// frame's instance, or a null pad, having set `cx.exit`, when no frame catches. Only scalars
/// in and out: a handler that passed the address of one of its locals could not tail-call
/// the next one.
#[cold]
#[inline(never)]
pub(super) fn throw_from(
    cx: &mut Ctx<'_>,
    ip: *const Op,
    fp: usize,
    tag: u32,
    args: usize,
    params: usize,
) -> (*const Op, usize) {
    let site = cx.site(ip, fp);
    let tag = cx.instance_entity().tags[tag as usize];
    let (store, stack) = cx.store_and_stack();
    let caught = throw(store, stack, site, tag, args, params);
    cx.continue_at(caught)
}

/// What the interpreter's `throw_ref` calls: [`rethrow`] of exception `exn` (a store address)
/// from instruction `ip` of the frame at offset `fp`; returns as [`throw_from`] does.
#[cold]
#[inline(never)]
pub(super) fn rethrow_from(
    cx: &mut Ctx<'_>,
    ip: *const Op,
    fp: usize,
    exn: u32,
) -> (*const Op, usize) {
    let site = cx.site(ip, fp);
    let (store, stack) = cx.store_and_stack();
    let caught = rethrow(store, stack, site, exn).ok_or(exn);
    cx.continue_at(caught)
}

impl Ctx<'_> {
    fn site(&self, ip: *const Op, fp: usize) -> ThrowSite {
        ThrowSite {
            ip,
            fp,
            instance: self.instance,
            #[cfg(feature = "profile")]
            func: self.cur_func,
        }
    }

    /// The pad and frame offset to continue at, the context switched to the catching frame;
    /// or, for an uncaught exception, a null pad and the exit that ends the run.
    fn continue_at(&mut self, caught: Result<Position, u32>) -> (*const Op, usize) {
        match caught {
            Ok(at) => {
                self.instance = at.instance;
                #[cfg(feature = "profile")]
                {
                    self.cur_func = at.func;
                }
                (at.ip, at.fp)
            }
            Err(exn) => {
                self.exit = Exit::Uncaught { exn };
                (std::ptr::null(), 0)
            }
        }
    }
}

/// Throws a new exception of store tag `tag` whose payload is registers `args..args + params`
/// of the throwing frame at `site`: the position of the landing pad that catches it, or, when
/// no frame of this run does, the exception (made now; every frame is then popped). The
/// exception is only made when the catching clause takes its reference.
pub(super) fn throw(
    store: &mut StoreInner,
    stack: &mut Stack,
    site: ThrowSite,
    tag: u32,
    args: usize,
    params: usize,
) -> Result<Position, u32> {
    let payload = site.fp + args..site.fp + args + params;
    let Some(found) = search(store, stack, site, tag) else {
        let exn = match stack.regs.get(payload) {
            Some(cells) => store.add_exn(tag, cells, &stack.regs),
            None => store.add_exn(tag, &[], &stack.regs),
        };
        stack.frames.clear();
        return Err(exn);
    };
    let exn = found.clause.with_ref.then(|| {
        store.add_exn(
            tag,
            stack.regs.get(payload.clone()).unwrap_or(&[]),
            &stack.regs,
        )
    });
    // The payload moves within the register stack. The clause's slots lie below the payload
    // (they belong to a label outside the throw, or to a caller): copied cell by cell, where
    // `copy_within` would call `memmove` for a cell or two; it handles the rest (overlaps).
    let dst = found.site.fp + found.clause.dst.0 as usize;
    let values = found.clause.cells as usize - found.clause.with_ref as usize;
    let (src, regs) = (payload.start, &mut stack.regs);
    if found.clause.tag.is_some() && src + values <= regs.len() && dst + values <= regs.len() {
        if dst + values <= src {
            let (below, from) = regs.split_at_mut(src);
            for (d, s) in below[dst..].iter_mut().zip(&from[..values]) {
                *d = *s;
            }
        } else {
            regs.copy_within(src..src + values, dst);
        }
    }
    Ok(land(stack, found, exn))
}

/// Throws again exception `exn` (a store address) at `site`: the position of the landing pad
/// that catches it, or `None` when no frame of this run does (every frame is then popped).
pub(super) fn rethrow(
    store: &StoreInner,
    stack: &mut Stack,
    site: ThrowSite,
    exn: u32,
) -> Option<Position> {
    let Some(found) = store
        .exns
        .get(exn as usize)
        .and_then(|e| search(store, stack, site, e.tag))
    else {
        stack.frames.clear();
        return None;
    };
    let payload = &store.exns[exn as usize].payload;
    let dst = found.site.fp + found.clause.dst.0 as usize;
    let values = found.clause.cells as usize - found.clause.with_ref as usize;
    if let (Some(_), Some(regs), Some(cells)) = (
        found.clause.tag,
        stack.regs.get_mut(dst..dst + values),
        payload.get(..values),
    ) {
        regs.copy_from_slice(cells);
    }
    let exn = found.clause.with_ref.then_some(exn);
    Some(land(stack, found, exn))
}

/// Continues at `found`'s landing pad: pops the frames above the catching one and writes the
/// reference `exn` (store address) after the payload, for a `_ref` clause.
fn land(stack: &mut Stack, found: Found, exn: Option<u32>) -> Position {
    let keep = stack.frames.len() - found.popped;
    stack.frames.truncate(keep);
    if let Some(exn) = exn {
        let at = found.site.fp + found.clause.dst.0 as usize + found.clause.cells as usize - 1;
        if let Some(r) = stack.regs.get_mut(at) {
            *r = exn as Cell + 1;
        }
    }
    Position {
        ip: found.pad,
        fp: found.site.fp,
        instance: found.site.instance,
        #[cfg(feature = "profile")]
        func: found.site.func,
    }
}

/// The clause that catches an exception of store tag `tag` thrown at `site`, searching its
/// frame, then its callers' frames at their calls, without changing anything.
fn search(store: &StoreInner, stack: &Stack, mut site: ThrowSite, tag: u32) -> Option<Found> {
    let mut popped = 0;
    loop {
        if let Some((code, clause)) = find(store, &site, tag) {
            return Some(Found {
                popped,
                site,
                clause,
                pad: code.code.get(clause.target as usize)?,
            });
        }
        let frame = stack.frames.len().checked_sub(popped + 1)?;
        let frame = &stack.frames[frame];
        popped += 1;
        site = ThrowSite {
            // The call the frame is suspended in.
            ip: frame.ip.wrapping_sub(1),
            fp: (frame.fp as usize - stack.regs.as_ptr() as usize) / std::mem::size_of::<Cell>(),
            instance: frame.instance,
            #[cfg(feature = "profile")]
            func: frame.func,
        };
    }
}

/// The function running at `site` and the clause that catches an exception of store tag
/// `tag` there, if any.
fn find<'s>(
    store: &'s StoreInner,
    site: &ThrowSite,
    tag: u32,
) -> Option<(&'s CompiledFunc, Clause)> {
    let inst = store.instances.get(site.instance as usize)?;
    let module = inst.module.as_ref()?;
    // Only functions with handlers can catch; the index knows those.
    let index = module.inner.code_index.find(site.ip)?;
    let code = module.translated(index as usize)?;
    let pc = (site.ip as usize - code.code.as_ptr() as usize) / std::mem::size_of::<Op>();
    for h in code.handlers.iter() {
        if !(h.start as usize..h.end as usize).contains(&pc) {
            continue;
        }
        for c in h.clauses.iter() {
            let matches = c
                .tag
                .is_none_or(|t| inst.tags.get(t as usize) == Some(&tag));
            if matches {
                return Some((&**code, *c));
            }
        }
    }
    None
}
