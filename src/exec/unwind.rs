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
//!
//! What the search finds for a frame never changes, so the store remembers it ([`Catches`]):
//! a `throw`, a `throw_ref` and a host function's exception ask the memo first
//! ([`Catches::recall`], by the exception's store tag) and, when it answers for every frame,
//! skip the search; a `throw` whose clause takes no reference also lands with no generic copy
//! ([`land_quick`]). That is every throw after the first at a site, as in a loop that throws.
//! A `throw` caught by its caller, in its instance, without the reference, is also remembered
//! whole ([`Out`]): from then on the interpreter's `throw` lands it itself, with no call out
//! of line ([`throw_quick`]), at about the cost of a return.

use super::machine::Ctx;
use super::{Exit, Position, Stack};
use crate::bytecode::{Clause, Op, Reg};
use crate::runtime::{InstanceEntity, StoreInner};
use crate::value::Cell;
use std::mem::size_of;

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
#[derive(Clone, Copy)]
struct Found {
    /// Frames of the frame stack above the catching one (0: the throwing frame catches).
    popped: usize,
    /// The catching frame.
    site: ThrowSite,
    clause: Clause,
    /// The clause's landing pad.
    pad: *const Op,
}

/// What the interpreter's `throw` calls when [`throw_quick`] cannot land it: [`throw`] of tag
/// `tag` (the running instance's) from instruction `ip` of the frame at offset `fp`, with the
/// payload at registers `args..`. Returns the landing pad and its frame's offset, having
/// switched `cx` to the catching frame's instance, or a null pad, having set `cx.exit`, when
/// no frame catches. Only scalars in and out: a handler that passed the address of one of its
/// locals could not tail-call the next one.
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
    let recalled = store.catches.recall(stack, site, tag);
    if let Some(found) = &recalled {
        store.catches.remember_out(&site, found);
        if let Some(at) = land_quick(stack, found, site.fp + args) {
            return cx.continue_at(Ok(at));
        }
    }
    throw_slow(cx, site, tag, args..args + params, recalled)
}

/// The landing of a `throw` at `ip`, its payload at register `args` of the frame at `fp`, when
/// the memo's [`Out`] slot for it answers: pops the caller's frame, copies the payload to the
/// clause's registers there and gives the landing pad and the caller's frame, which runs in
/// the same instance (so the memory cache stays). `None`, having changed nothing, otherwise.
/// Inlined into the interpreter's `throw`: no call, no search, no exception; a throw caught by
/// its caller costs about what a return does, from the third time at a site.
#[inline(always)]
pub(super) fn throw_quick(
    cx: &mut Ctx<'_>,
    ip: *const Op,
    fp: *mut Cell,
    args: Reg,
) -> Option<(*const Op, *mut Cell)> {
    let instance = cx.instance;
    let (store, stack) = cx.store_and_stack();
    let out = &store.catches.0.as_deref()?.outs[slot_of(ip as usize, OUT_SLOTS)];
    let depth = stack.frames.len().checked_sub(1)?;
    let frame = &stack.frames[depth];
    let same = out.ip == ip as usize
        && out.ret == frame.ip as usize
        && out.instance == instance
        && frame.instance == instance;
    if !same {
        return None;
    }
    // `cells` is the payload's size (the clause's tag is this `throw`'s, found by the search
    // that filled the slot); the catching frame's `fp` the frame stack holds inside the
    // register stack with room for its function's registers (rebased when the stack grows).
    // Both cells are read before either is written: the spans may overlap.
    // SAFETY: `args..args + cells` are registers of the throwing frame (`bytecode::verify`
    // checks a `throw`'s payload span), `dst..dst + cells` of the catching one (`handlers::verify`).
    unsafe {
        let (src, to) = (fp.add(args.0 as usize), frame.fp.add(out.dst as usize));
        // One cell (an `i32` or a pointer) is the common payload: tested first.
        if out.cells == 1 {
            *to = *src;
        } else if out.cells == 2 {
            let (a, b) = (*src, *src.add(1));
            *to = a;
            *to.add(1) = b;
        }
    }
    let at = (out.pad as *const Op, frame.fp);
    #[cfg(feature = "profile")]
    let func = frame.func;
    // SAFETY: `depth` is one less than the length; `Frame` has no drop glue. (`truncate`
    // would compare the lengths again.)
    unsafe { stack.frames.set_len(depth) };
    #[cfg(feature = "profile")]
    {
        cx.cur_func = func;
    }
    Some(at)
}

/// [`throw_from`] when the memo does not answer (`recalled` is `None`) or the clause it
/// found takes the reference: [`throw`] of store tag `tag`.
#[cold]
#[inline(never)]
fn throw_slow(
    cx: &mut Ctx<'_>,
    site: ThrowSite,
    tag: u32,
    payload: std::ops::Range<usize>,
    recalled: Option<Found>,
) -> (*const Op, usize) {
    let (args, params) = (payload.start, payload.len());
    let (store, stack) = cx.store_and_stack();
    let caught = throw(store, stack, site, tag, args, params, recalled);
    cx.continue_at(caught)
}

/// Lands a throw whose clause the memo found ([`Catches::recall`]) with no generic search,
/// split or `memmove` on the way, when the clause does not take the reference (so no
/// exception is made): copies the payload at `src` to the clause's registers, pops the
/// frames above and gives the pad's position. `None`, having changed nothing, otherwise.
#[inline]
fn land_quick(stack: &mut Stack, found: &Found, src: usize) -> Option<Position> {
    let clause = found.clause;
    if clause.with_ref {
        return None;
    }
    if clause.tag.is_some() {
        // The clause's slots (a label outside the throw, in its frame or a caller's) lie at
        // or below the payload, so copying upwards is right even if they overlap.
        let dst = found.site.fp + clause.dst.0 as usize;
        let values = clause.cells as usize;
        let from = src.checked_sub(dst)?;
        let regs = stack.regs.get_mut(dst..src + values)?;
        // One cell (an `i32` or a pointer, the common payload) without the set-up of a
        // general (vectorised) copy.
        match values {
            1 => regs[0] = regs[from],
            _ => (0..values).for_each(|i| regs[i] = regs[from + i]),
        }
    }
    Some(land(stack, *found, None))
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
                // The direct-call cache must be the catching instance's, like a return's.
                if at.instance != self.instance {
                    self.switch_instance(at.instance);
                }
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
/// of the throwing frame at `site`, caught by `recalled` if the memo knew: the position of the landing pad that catches it, or, when
/// no frame of this run does, the exception (made now; every frame is then popped). The
/// exception is only made when the catching clause takes its reference.
fn throw(
    store: &mut StoreInner,
    stack: &mut Stack,
    site: ThrowSite,
    tag: u32,
    args: usize,
    params: usize,
    recalled: Option<Found>,
) -> Result<Position, u32> {
    let payload = site.fp + args..site.fp + args + params;
    let found = match recalled {
        Some(found) => Some(found),
        None => {
            let found = search(store, stack, site, tag);
            if let Some(found) = &found {
                store.catches.remember_out(&site, found);
            }
            found
        }
    };
    let Some(found) = found else {
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
    store: &mut StoreInner,
    stack: &mut Stack,
    site: ThrowSite,
    exn: u32,
) -> Option<Position> {
    let tag = store.exns.get(exn as usize).map(|e| e.tag);
    let found = tag.and_then(|tag| {
        (store.catches.recall(stack, site, tag)).or_else(|| search(store, stack, site, tag))
    });
    let Some(found) = found else {
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
/// frame, then its callers' frames at their calls, without changing anything but the memo.
fn search(store: &mut StoreInner, stack: &Stack, mut site: ThrowSite, tag: u32) -> Option<Found> {
    let mut popped = 0;
    loop {
        if let Some((clause, pad)) = store.catches.find(&store.instances, &site, tag) {
            return Some(Found {
                popped,
                site,
                clause,
                pad: pad as *const Op,
            });
        }
        popped += 1;
        site = caller_site(stack, popped)?;
    }
}

/// Where the frame `popped` frames below the top of the frame stack is suspended: its call.
#[inline]
fn caller_site(stack: &Stack, popped: usize) -> Option<ThrowSite> {
    let frame = stack.frames.get(stack.frames.len().checked_sub(popped)?)?;
    Some(ThrowSite {
        ip: frame.ip.wrapping_sub(1),
        fp: (frame.fp as usize - stack.regs.as_ptr() as usize) / size_of::<Cell>(),
        instance: frame.instance,
        #[cfg(feature = "profile")]
        func: frame.func,
    })
}

/// The answers [`find`] gave for recent sites, so that a throw repeated in a loop (C++'s
/// ordinary control flow) finds each frame's clause by one comparison instead of the code
/// index's bisection and a walk over the handler table; and, for a `throw` caught by its
/// caller, the whole landing ([`Out`], read by [`throw_quick`] inside the interpreter's
/// handler). Per store, since it is keyed by instance address. An answer never goes stale: an
/// instance's module and its code never change or go away while the store lives, so the same
/// instruction, instance and tag always have the same answer. Allocated on the first throw,
/// so a store that never throws pays one empty pointer for it.
#[derive(Debug, Default)]
pub(crate) struct Catches(Option<Box<Slots>>);

/// The memo's slots: per frame ([`Memo`]) and per `throw` caught one frame up ([`Out`]).
#[derive(Debug)]
struct Slots {
    frames: [Memo; MEMO_SLOTS],
    outs: [Out; OUT_SLOTS],
}

/// [`Memo`] slots of [`Catches`], two per place, placed by the site's instruction address and
/// the tag: room for the sites of a few loops' throws and the calls they unwind through with
/// few collisions (three questions for one place take turns, each then searching), and 3 KiB,
/// allocated on a store's first throw.
const MEMO_SLOTS: usize = 64;

/// [`Out`] slots, indexed by the `throw`'s address: 1 KiB.
const OUT_SLOTS: usize = 32;

/// One answer of [`find`]: what catches store tag `tag` thrown at instruction `ip` of
/// instance `instance`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Memo {
    /// 0 in an empty slot: no instruction is at address 0.
    ip: usize,
    instance: u32,
    tag: u32,
    /// The clause and the address of its landing pad, `None` if the frame does not catch.
    found: Option<(Clause, usize)>,
}

/// How a `throw` at `ip` of instance `instance` lands when its frame returns to `ret` in the
/// same instance: its own frame does not catch (there is no handler around the `throw` for its
/// tag), its caller's does, by a clause without the reference whose payload is at most two
/// cells. Each of those facts depends only on the two instructions and the instance, so the
/// answer holds whenever the keys match.
#[derive(Clone, Copy, Debug)]
struct Out {
    /// The `throw`; 0 in an empty slot.
    ip: usize,
    /// The catching frame's return address (the instruction after its call).
    ret: usize,
    /// The clause's landing pad.
    pad: usize,
    instance: u32,
    /// The clause's first register, in the catching frame.
    dst: u16,
    /// Payload cells to copy: 0 (a `catch_all`), 1 or 2.
    cells: u16,
}

impl Slots {
    fn new() -> Box<Self> {
        let frame = Memo {
            ip: 0,
            instance: 0,
            tag: 0,
            found: None,
        };
        let out = Out {
            ip: 0,
            ret: 0,
            pad: 0,
            instance: 0,
            dst: 0,
            cells: 0,
        };
        Box::new(Slots {
            frames: [frame; MEMO_SLOTS],
            outs: [out; OUT_SLOTS],
        })
    }
}

/// The slot of instruction address `ip` in a table of `n` slots: `Op`s are 8-byte aligned, so
/// consecutive instructions take different slots.
#[inline(always)]
fn slot_of(ip: usize, n: usize) -> usize {
    (ip >> 3) % n
}

/// The two [`Memo`] slots that may hold the question "what catches store tag `tag` at `ip`",
/// from this index on. The tag takes part, so that one call site that exceptions of two tags
/// pass (a recursive call, say) has two answers at once instead of two that take turns in one
/// place; two slots per place, so that two questions whose places collide can both stay.
#[inline(always)]
fn memo_slots(ip: usize, tag: u32) -> usize {
    let key = ip.wrapping_add((tag as usize).wrapping_mul(0x9e37_79b1) << 3);
    slot_of(key, MEMO_SLOTS / 2) * 2
}

impl Catches {
    /// [`find`], answered from the memo when one of the slots of `site.ip` and `tag` holds the
    /// same question.
    #[inline]
    fn find(
        &mut self,
        instances: &[InstanceEntity],
        site: &ThrowSite,
        tag: u32,
    ) -> Option<(Clause, usize)> {
        if let Some(memo) = self.get(site.ip, site.instance, tag) {
            return memo.found;
        }
        let found = find(instances, site, tag);
        let slots = self.0.get_or_insert_with(Slots::new);
        let ip = site.ip as usize;
        let at = memo_slots(ip, tag);
        // The newer answer goes first; the older of the two there before goes.
        slots.frames[at + 1] = slots.frames[at];
        slots.frames[at] = Memo {
            ip,
            instance: site.instance,
            tag,
            found,
        };
        found
    }
}

impl Catches {
    /// Fills the [`Out`] slot of the `throw` at `site` when `found` (its search's answer)
    /// qualifies: caught by the caller's frame, in the same instance, without the reference,
    /// with at most two payload cells.
    fn remember_out(&mut self, site: &ThrowSite, found: &Found) {
        let clause = found.clause;
        let cells = if clause.tag.is_some() {
            clause.cells
        } else {
            0
        };
        let qualifies = found.popped == 1
            && !clause.with_ref
            && cells <= 2
            && found.site.instance == site.instance;
        let Some(slots) = self.0.as_deref_mut().filter(|_| qualifies) else {
            return;
        };
        slots.outs[slot_of(site.ip as usize, OUT_SLOTS)] = Out {
            ip: site.ip as usize,
            // The caller's site is its call; the frame holds the instruction after it.
            ret: found.site.ip.wrapping_add(1) as usize,
            pad: found.pad as usize,
            instance: site.instance,
            dst: clause.dst.0,
            cells,
        };
    }

    /// The memo's answer for store tag `tag` at instruction `ip` of instance `instance`, if
    /// it has one.
    #[inline]
    fn get(&self, ip: *const Op, instance: u32, tag: u32) -> Option<&Memo> {
        let slots = self.0.as_deref()?;
        let ip = ip as usize;
        let at = memo_slots(ip, tag);
        (slots.frames[at..at + 2].iter())
            .find(|m| m.ip == ip && m.instance == instance && m.tag == tag && ip != 0)
    }

    /// What [`search`] would find for store tag `tag` thrown at `site` (a `throw`, a
    /// `throw_ref` or a host function's call), from the memo alone: `None` when some frame
    /// on the way has no answer there (then [`search`] does the whole work and fills the
    /// memo). A throw repeated in a loop is answered from its second time.
    #[inline]
    fn recall(&self, stack: &Stack, site: ThrowSite, tag: u32) -> Option<Found> {
        let (mut at, mut popped) = (site, 0);
        loop {
            if let Some((clause, pad)) = self.get(at.ip, at.instance, tag)?.found {
                return Some(Found {
                    popped,
                    site: at,
                    clause,
                    pad: pad as *const Op,
                });
            }
            popped += 1;
            at = caller_site(stack, popped)?;
        }
    }
}

/// The clause that catches an exception of store tag `tag` thrown at `site`, if any, and the
/// address of its landing pad.
fn find(instances: &[InstanceEntity], site: &ThrowSite, tag: u32) -> Option<(Clause, usize)> {
    let inst = instances.get(site.instance as usize)?;
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
                let pad = code.code.get(c.target as usize)?;
                return Some((*c, pad as *const Op as usize));
            }
        }
    }
    None
}
