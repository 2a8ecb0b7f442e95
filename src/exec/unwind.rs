//! What happens when something throws: the run leaves the interpreter loop (`Exit::Throw`,
//! or a host function's [`Trap::throw`](crate::Trap::throw)), and [`catch`] walks the
//! interpreter's own frame stack from the throwing frame outwards. In each frame it finds the
//! function's handler table (translated `try_table`s, innermost first), takes the first
//! clause of the innermost handler covering the throwing instruction that matches, writes the
//! payload and reference into the clause's registers and continues at its landing pad. Nothing
//! of this runs unless something throws; plain code and calls carry no bookkeeping for it.

use super::{Position, Stack};
use crate::bytecode::{CompiledFunc, Op};
use crate::runtime::StoreInner;
use crate::value::Cell;

/// Where the throw happened: the throwing instruction (for a call, the call itself), the
/// frame's offset in the register stack, its instance.
pub(super) struct ThrowSite {
    pub(super) ip: *const Op,
    pub(super) fp: usize,
    pub(super) instance: u32,
    #[cfg(feature = "profile")]
    pub(super) func: u32,
}

/// Unwinds `stack` to the handler that catches exception `exn` thrown at `site`: the
/// position to continue from, or `None` when no frame of this run catches it (then every
/// frame is popped and the exception goes to whoever started the run).
pub(super) fn catch(
    store: &StoreInner,
    stack: &mut Stack,
    mut site: ThrowSite,
    exn: u32,
) -> Option<Position> {
    let tag = store.exns.get(exn as usize)?.tag;
    loop {
        if let Some((code, target, clause)) = find(store, &site, tag) {
            let payload = &store.exns[exn as usize].payload;
            let base = site.fp + clause.dst.0 as usize;
            let regs = stack.regs.get_mut(base..base + clause.cells as usize)?;
            let (values, reference) =
                regs.split_at_mut(clause.cells as usize - clause.with_ref as usize);
            if clause.tag.is_some() {
                values.copy_from_slice(payload.get(..values.len())?);
            }
            if let Some(r) = reference.first_mut() {
                *r = exn as Cell + 1;
            }
            return Some(Position {
                ip: code.code.get(target)?,
                fp: site.fp,
                instance: site.instance,
                #[cfg(feature = "profile")]
                func: site.func,
            });
        }
        let frame = stack.frames.pop()?;
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

/// The function running at `site`, the landing pad and the clause that catches an exception
/// of store tag `tag` there, if any.
fn find<'s>(
    store: &'s StoreInner,
    site: &ThrowSite,
    tag: u32,
) -> Option<(&'s CompiledFunc, usize, crate::bytecode::Clause)> {
    let inst = store.instances.get(site.instance as usize)?;
    let module = inst.module.as_ref()?;
    // Only functions with handlers can catch; the one whose code holds `ip` is running.
    let code = (0..module.inner.funcs.len())
        .filter_map(|i| module.translated(i))
        .find(|f| !f.handlers.is_empty() && f.code.as_ptr_range().contains(&site.ip))?;
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
                return Some((code, c.target as usize, *c));
            }
        }
    }
    None
}
