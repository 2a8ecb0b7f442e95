//! The symbolic operand stack: where each Wasm operand currently is.

use super::{Translator, MAX_REGS};
use crate::bytecode::{Instr, Reg};
use crate::error::{Error, Result};
use crate::value::Cell;

/// Where the value of one operand-stack entry is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Opnd {
    /// In the entry's own slot register.
    Slot,
    /// Still in this local's register: `local.get` emitted nothing. Valid until the local is
    /// written, which first copies such entries into their slots.
    Local(Reg),
    /// A constant not yet written anywhere.
    Const(Cell),
}

/// The operand stack: one entry per register cell. A `v128` is two entries, its high half
/// marked, so that `drop` and `select` (which carry no type) know its width.
#[derive(Debug, Default)]
pub(super) struct OpStack {
    items: Vec<Opnd>,
    high: Vec<bool>,
}

impl OpStack {
    pub(super) fn push(&mut self, opnd: Opnd) {
        self.items.push(opnd);
        self.high.push(false);
    }

    /// Pushes the high half of a `v128` (its low half was pushed just before).
    pub(super) fn push_high(&mut self, opnd: Opnd) {
        self.items.push(opnd);
        self.high.push(true);
    }

    pub(super) fn pop(&mut self) -> Option<Opnd> {
        self.high.pop();
        self.items.pop()
    }

    pub(super) fn truncate(&mut self, len: usize) {
        self.items.truncate(len);
        self.high.truncate(len);
    }

    pub(super) fn last(&self) -> Option<&Opnd> {
        self.items.last()
    }

    pub(super) fn len(&self) -> usize {
        self.items.len()
    }

    pub(super) fn contains(&self, opnd: &Opnd) -> bool {
        self.items.contains(opnd)
    }

    /// Whether the entry `depth` below the top (0 = top) is the high half of a `v128`.
    pub(super) fn is_high(&self, depth: usize) -> bool {
        self.high
            .len()
            .checked_sub(depth + 1)
            .is_some_and(|i| self.high[i])
    }
}

impl<I: std::slice::SliceIndex<[Opnd]>> std::ops::Index<I> for OpStack {
    type Output = I::Output;
    fn index(&self, index: I) -> &I::Output {
        &self.items[index]
    }
}

impl<I: std::slice::SliceIndex<[Opnd]>> std::ops::IndexMut<I> for OpStack {
    fn index_mut(&mut self, index: I) -> &mut I::Output {
        &mut self.items[index]
    }
}

impl Translator<'_> {
    pub(super) fn height(&self) -> u32 {
        self.stack.len() as u32
    }

    /// The register of the operand-stack slot at `height`.
    pub(super) fn slot(&self, height: u32) -> Result<Reg> {
        let r = self.num_locals as u64 + height as u64;
        if r >= MAX_REGS {
            return Err(Error::Limit(format!(
                "operand stack deeper than {MAX_REGS} registers"
            )));
        }
        Ok(Reg(r as u16))
    }

    /// Pushes an entry computed into its own slot and returns that slot.
    pub(super) fn push_slot(&mut self) -> Result<Reg> {
        let r = self.slot(self.height())?;
        self.stack.push(Opnd::Slot);
        self.max_height = self.max_height.max(self.height());
        Ok(r)
    }

    /// Pushes a `v128` computed into its own two slots and returns the first.
    pub(super) fn push_v128(&mut self) -> Result<crate::bytecode::VReg> {
        let lo = self.push_slot()?;
        self.slot(self.height())?;
        self.stack.push_high(Opnd::Slot);
        self.max_height = self.max_height.max(self.height());
        Ok(crate::bytecode::VReg(lo.0))
    }

    /// Pushes values of `types` computed into their slots (two for each `v128`).
    pub(super) fn push_typed_slots(&mut self, types: &[crate::value::ValType]) -> Result<()> {
        for &t in types {
            if t == crate::value::ValType::V128 {
                self.push_v128()?;
            } else {
                self.push_slot()?;
            }
        }
        Ok(())
    }

    /// Pushes a lazy `v128` (a local's two registers or a constant's two halves).
    pub(super) fn push_lazy_v128(&mut self, lo: Opnd, hi: Opnd) -> Result<()> {
        self.push_lazy(lo)?;
        self.slot(self.height())?;
        self.stack.push_high(hi);
        self.max_height = self.max_height.max(self.height());
        Ok(())
    }

    /// Pops a `v128` and returns the register pair holding it: a local's own pair, else its
    /// slots (written first if needed).
    pub(super) fn pop_v128(&mut self) -> Result<crate::bytecode::VReg> {
        let n = self.stack.len();
        let pair = match (self.stack[n - 2], self.stack[n - 1]) {
            (Opnd::Local(lo), Opnd::Local(hi)) if hi.0 == lo.0.wrapping_add(1) => Some(lo),
            _ => None,
        };
        let reg = match pair {
            Some(lo) => lo,
            None => {
                self.materialize_top(2)?;
                self.slot(n as u32 - 2)?
            }
        };
        self.stack.truncate(n - 2);
        Ok(crate::bytecode::VReg(reg.0))
    }

    /// Pushes a lazy entry (a local's register or a constant).
    pub(super) fn push_lazy(&mut self, opnd: Opnd) -> Result<()> {
        self.slot(self.height())?;
        self.stack.push(opnd);
        self.max_height = self.max_height.max(self.height());
        Ok(())
    }

    /// Pops the top entry and returns the register holding its value, writing a constant into
    /// the freed slot first if needed.
    pub(super) fn pop_reg(&mut self) -> Result<Reg> {
        let slot = self.slot(self.height() - 1)?;
        let opnd = self.stack.pop().expect("validated: operand present");
        Ok(match opnd {
            Opnd::Slot => slot,
            Opnd::Local(r) => r,
            Opnd::Const(c) => {
                self.emit_const(slot, c);
                slot
            }
        })
    }

    /// Pops `n` entries after putting them in their slots; returns the lowest slot.
    pub(super) fn pop_slots(&mut self, n: u32) -> Result<Reg> {
        self.materialize_top(n)?;
        let base = self.height() - n;
        self.stack.truncate(base as usize);
        self.slot(base)
    }

    pub(super) fn emit_const(&mut self, dst: Reg, c: Cell) {
        if c <= u32::MAX as Cell {
            self.emit(Instr::Const32 {
                dst,
                value: c as u32,
            });
        } else {
            self.emit(Instr::Const64 {
                dst,
                lo: c as u32,
                hi: (c >> 32) as u32,
            });
        }
    }

    /// Writes `value` (wherever it is) into register `dst`.
    pub(super) fn emit_move(&mut self, dst: Reg, value: Opnd, slot: Reg) {
        match value {
            Opnd::Const(c) => self.emit_const(dst, c),
            other => {
                let src = super::source_reg(other, slot).expect("not a constant");
                if src != dst {
                    self.emit_copy(dst, src);
                }
            }
        }
    }

    /// `dst = src`, merged with an immediately preceding copy into one `copy2` when allowed.
    pub(super) fn emit_copy(&mut self, dst: Reg, src: Reg) {
        if self.opts.copy_pairs && self.last_is_rewritable() {
            if let Some(&Instr::Copy {
                dst: dst0,
                src: src0,
            }) = self.code.last()
            {
                self.unemit();
                self.emit(Instr::Copy2 {
                    dst0,
                    src0,
                    dst1: dst,
                    src1: src,
                });
                return;
            }
        }
        self.emit(Instr::Copy { dst, src });
    }

    /// Puts entry `pos` into its own slot.
    pub(super) fn materialize(&mut self, pos: usize) -> Result<()> {
        let opnd = self.stack[pos];
        if opnd != Opnd::Slot {
            let slot = self.slot(pos as u32)?;
            self.emit_move(slot, opnd, slot);
            self.stack[pos] = Opnd::Slot;
        }
        Ok(())
    }

    /// Puts the top `n` entries into their slots.
    pub(super) fn materialize_top(&mut self, n: u32) -> Result<()> {
        let len = self.stack.len();
        for pos in len - n as usize..len {
            self.materialize(pos)?;
        }
        Ok(())
    }

    /// Puts every entry into its slot: needed where control flow joins, since the code that
    /// runs before the join differs between paths.
    pub(super) fn materialize_all(&mut self) -> Result<()> {
        self.materialize_top(self.height())
    }

    /// Before local `r` is written: entries still reading it get their own copy.
    pub(super) fn materialize_local(&mut self, r: Reg) -> Result<()> {
        for pos in 0..self.stack.len() {
            if self.stack[pos] == Opnd::Local(r) {
                self.materialize(pos)?;
            }
        }
        Ok(())
    }
}
