//! Recording a trap's frames, on the trap's way out of the interpreter only.
//!
//! What the interpreter has at that point: the trapping instruction's address (`Ctx::trap_ip`,
//! recorded by `trap_at`) and its instance, and the frame stack, whose every frame holds the
//! caller's return address and instance. That is all a backtrace needs: an address inside a
//! translated body tells which function of the instance's module it is, and its position in
//! the body which instruction. Byte offsets and names come later, if someone asks (see
//! `src/backtrace.rs`).

use super::Frame;
use crate::backtrace::RawFrame;
use crate::bytecode::Op;
use crate::runtime::StoreInner;
use std::ops::Range;

/// The Wasm frames of a run that stopped at instruction `top` (`None` when unknown) of
/// `instance`, with `frames` its suspended callers (oldest first): newest first.
pub(super) fn collect(
    store: &StoreInner,
    top: Option<(*const Op, u32)>,
    frames: &[Frame],
) -> Vec<RawFrame> {
    // Each caller stands at its call, the instruction before its return address.
    let callers = (frames.iter().rev()).map(|f| (f.ip.wrapping_sub(1), f.instance));
    // The functions met so far, with where their code lies: deep recursion meets few.
    let mut known: Vec<(Range<usize>, RawFrame)> = Vec::new();
    let mut out = Vec::with_capacity(frames.len() + 1);
    for (ip, instance) in top.into_iter().chain(callers) {
        let addr = ip as usize;
        let at = match known.iter().position(|(code, _)| code.contains(&addr)) {
            Some(at) => at,
            None => match find(store, instance, addr) {
                Some(found) => {
                    known.push(found);
                    known.len() - 1
                }
                None => continue,
            },
        };
        let (code, func) = &known[at];
        let instr = ((addr - code.start) / std::mem::size_of::<Op>()) as u32;
        out.push(RawFrame {
            instr,
            ..func.clone()
        });
    }
    out
}

/// The translated function of `instance`'s module whose code holds address `addr`.
fn find(store: &StoreInner, instance: u32, addr: usize) -> Option<(Range<usize>, RawFrame)> {
    let module = store.instances.get(instance as usize)?.module.as_ref()?;
    (0..module.inner.funcs.len()).find_map(|index| {
        let code = module.translated(index)?.code.as_ptr_range();
        let code = code.start as usize..code.end as usize;
        let frame = || RawFrame {
            module: module.clone(),
            index: index as u32,
            instr: 0,
        };
        code.contains(&addr).then(|| (code, frame()))
    })
}
