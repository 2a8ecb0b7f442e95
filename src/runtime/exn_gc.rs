//! Reclaiming exceptions: a mark-and-sweep collector over the store's exception table, run
//! only when `throw` (or [`Exn::new`](crate::Exn::new)) allocates and the table has grown past
//! a threshold, so nothing but the throw path pays for it.
//!
//! The roots of a collection:
//! - the register stack of the run that throws, scanned **conservatively**: registers carry no
//!   types, so every cell whose value is a live exception's index + 1 marks it (a number that
//!   looks like a reference keeps some garbage; nothing live is ever freed);
//! - the register stacks of runs suspended in a host call (a host function called back into
//!   Wasm): not visible from the inner run, so every exception that existed when the outer run
//!   called the host counts as a root until the host call returns (the `hidden` watermark);
//! - the register stacks of suspended resumable calls: scanned when the call suspends, their
//!   exceptions pinned by count until it resumes (a call dropped without resuming keeps them);
//! - globals and tables whose type is an exception reference;
//! - exceptions the host holds: every exception handed to the host (made by `Exn::new`, in an
//!   uncaught-exception trap, in a [`Val::ExnRef`] out of a call, a global, a table, a payload
//!   or a host function's parameters) is pinned for the store's lifetime.
//!
//! Marked exceptions' payload cells of exception-reference type are traced. Swept slots go to
//! a free list that the next allocation reuses, with its payload allocation.

use super::exception::ExnEntity;
use super::StoreInner;
use crate::value::{Cell, HeapType, Val, ValType};
use std::sync::atomic::{AtomicBool, Ordering};

/// The fewest live exceptions that start a collection.
const MIN_THRESHOLD: usize = 1024;

/// The tag a free slot carries: no tag has this store address.
pub(crate) const FREE: u32 = u32::MAX;

/// The collector's state, beside the exception table (`StoreInner::exns`).
#[derive(Debug)]
pub(crate) struct ExnGc {
    /// Free slots of the table.
    free: Vec<u32>,
    /// Exceptions allocated so far: the next one's birth number.
    pub(crate) seq: u64,
    /// Exceptions born before this are roots: a run suspended in a host call may refer to them.
    pub(crate) hidden: u64,
    /// Live exceptions at which the next allocation collects first.
    threshold: usize,
}

impl Default for ExnGc {
    fn default() -> Self {
        Self {
            free: Vec::new(),
            seq: 0,
            hidden: 0,
            threshold: MIN_THRESHOLD,
        }
    }
}

impl ExnEntity {
    fn new(tag: u32, payload: &[Cell], born: u64) -> Self {
        Self {
            tag,
            payload: payload.to_vec(),
            born,
            pinned: AtomicBool::new(false),
            suspended: 0,
        }
    }
}

/// Whether values of `ty` are exception references.
fn is_exn(ty: ValType) -> bool {
    ty.as_ref_type().map(|r| r.heap.top()) == Some(HeapType::Exn)
}

impl StoreInner {
    /// Adds an exception of store tag `tag`, collecting first if the table is due; `regs` is
    /// the register stack of the running call (empty when none runs). Returns its address.
    pub(crate) fn add_exn(&mut self, tag: u32, payload: &[Cell], regs: &[Cell]) -> u32 {
        if self.live_exns() >= self.exn_gc.threshold {
            self.collect_exns(regs);
        }
        let born = self.exn_gc.seq;
        self.exn_gc.seq += 1;
        match self.exn_gc.free.pop() {
            Some(i) => {
                let e = &mut self.exns[i as usize];
                e.tag = tag;
                e.payload.clear();
                e.payload.extend_from_slice(payload);
                e.born = born;
                i
            }
            None => {
                self.exns.push(ExnEntity::new(tag, payload, born));
                self.exns.len() as u32 - 1
            }
        }
    }

    /// Exceptions in the table that are not free.
    pub(crate) fn live_exns(&self) -> usize {
        self.exns.len() - self.exn_gc.free.len()
    }

    /// The live exception a cell refers to, if it looks like a reference to one.
    fn exn_of(&self, cell: Cell) -> Option<u32> {
        let i = crate::value::ref_index(cell)?;
        (self.exns.get(i as usize)?.tag != FREE).then_some(i)
    }

    /// Pins exception `exn` for the store's lifetime: the host holds it.
    pub(crate) fn pin_exn(&self, exn: u32) {
        if let Some(e) = self.exns.get(exn as usize) {
            e.pinned.store(true, Ordering::Relaxed);
        }
    }

    /// Pins the exceptions among `vals`, which go to the host.
    pub(crate) fn pin_vals(&self, vals: &[Val]) {
        for v in vals {
            if let Val::ExnRef(Some(e)) = v {
                self.pin_exn(e.0);
            }
        }
    }

    /// Pins the exceptions `regs` (a suspended call's register stack) refers to until
    /// [`StoreInner::release_exns`]; returns them.
    pub(crate) fn hold_exns(&mut self, regs: &[Cell]) -> Vec<u32> {
        if self.live_exns() == 0 {
            return Vec::new();
        }
        let held: Vec<u32> = regs.iter().filter_map(|&c| self.exn_of(c)).collect();
        for &i in &held {
            self.exns[i as usize].suspended += 1;
        }
        held
    }

    /// Unpins what [`StoreInner::hold_exns`] pinned: the call runs again, its registers scanned.
    pub(crate) fn release_exns(&mut self, held: &[u32]) {
        for &i in held {
            if let Some(e) = self.exns.get_mut(i as usize) {
                e.suspended = e.suspended.saturating_sub(1);
            }
        }
    }

    /// Marks every exception reachable from the roots (see the module doc) with `regs` the
    /// running call's register stack, frees the rest, and sets the next threshold.
    fn collect_exns(&mut self, regs: &[Cell]) {
        let mut marked = vec![false; self.exns.len()];
        let mut work: Vec<u32> = Vec::new();
        let mut mark = |i: u32, work: &mut Vec<u32>| {
            if !std::mem::replace(&mut marked[i as usize], true) {
                work.push(i);
            }
        };
        for (i, e) in self.exns.iter().enumerate() {
            let root =
                e.pinned.load(Ordering::Relaxed) || e.suspended > 0 || e.born < self.exn_gc.hidden;
            if e.tag != FREE && root {
                mark(i as u32, &mut work);
            }
        }
        let globals = (self.globals.iter())
            .filter(|g| is_exn(g.ty.content))
            .map(|g| g.value);
        let tables = (self.tables.iter())
            .filter(|t| is_exn(t.ty.elem))
            .flat_map(|t| t.elems.iter().copied());
        for cell in regs.iter().copied().chain(globals).chain(tables) {
            if let Some(i) = self.exn_of(cell) {
                mark(i, &mut work);
            }
        }
        while let Some(i) = work.pop() {
            let e = &self.exns[i as usize];
            let params = self.types[self.tags[e.tag as usize].ty as usize].params();
            let mut at = 0;
            for &t in params {
                if is_exn(t) {
                    if let Some(j) = e.payload.get(at).and_then(|&c| self.exn_of(c)) {
                        mark(j, &mut work);
                    }
                }
                at += t.cells() as usize;
            }
        }
        for (i, e) in self.exns.iter_mut().enumerate() {
            if e.tag != FREE && !marked[i] {
                e.tag = FREE;
                e.payload.clear();
                self.exn_gc.free.push(i as u32);
            }
        }
        // Twice the survivors keeps collections rare when most exceptions live; a share of the
        // register stack keeps each throw's part of scanning it small.
        self.exn_gc.threshold = (2 * self.live_exns())
            .max(regs.len() / 8)
            .max(MIN_THRESHOLD);
    }
}

impl<T> super::Store<T> {
    /// Live exceptions in the store's table (for tests of the collector).
    #[doc(hidden)]
    pub fn exception_count(&self) -> usize {
        self.inner.live_exns()
    }
}
