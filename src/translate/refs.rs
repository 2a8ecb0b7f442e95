//! Typed function references: `call_ref`, `return_call_ref`, `ref.as_non_null`, and
//! `br_on_null`/`br_on_non_null` as compare-and-branch on the reference's cell (0 is null).

use super::control::Cond;
use super::emit::small;
use super::stack::Opnd;
use super::Translator;
use crate::bytecode::{Instr, Reg};
use crate::error::Result;

impl Translator<'_> {
    /// `call_ref $t`: the arguments in consecutive slots as for `call_indirect`, the callee
    /// from its register.
    pub(super) fn visit_call_ref(&mut self, type_index: u32) -> Result<()> {
        let ty = &self.info.types[type_index as usize];
        let callee = self.pop_reg()?;
        let args = self.pop_slots(ty.param_cells())?;
        self.push_typed_slots(ty.results())?;
        self.emit(Instr::CallRef {
            type_index,
            callee,
            args,
        });
        Ok(())
    }

    /// `return_call_ref $t`: as `return_call_indirect`, the callee from its register.
    pub(super) fn visit_return_call_ref(&mut self, type_index: u32) -> Result<()> {
        let params = self.info.types[type_index as usize].param_cells();
        let callee = self.pop_reg()?;
        let args = self.pop_slots(params)?;
        self.emit(Instr::ReturnCallRef {
            type_index,
            callee,
            args,
            params: small(params, "parameter cells")?,
        });
        self.reachable = false;
        Ok(())
    }

    /// `ref.as_non_null`: a check; the reference stays on the stack where it was.
    pub(super) fn visit_ref_as_non_null(&mut self) -> Result<()> {
        let (src, back) = self.pop_ref()?;
        self.emit(Instr::RefAsNonNull { src });
        self.push_lazy(back)
    }

    /// `br_on_null l`: branch when the reference is null, else keep it on the stack.
    pub(super) fn visit_br_on_null(&mut self, depth: u32) -> Result<()> {
        let (cell, back) = self.pop_ref()?;
        self.branch_if(Cond::Eqz(cell), depth)?;
        self.push_lazy(back)
    }

    /// `br_on_non_null l`: branch with the reference (the last value the label takes) when
    /// it is not null, else drop it.
    pub(super) fn visit_br_on_non_null(&mut self, depth: u32) -> Result<()> {
        let (cell, back) = self.pop_ref()?;
        self.push_lazy(back)?;
        self.branch_if(Cond::Nez(cell), depth)?;
        self.stack.pop();
        Ok(())
    }

    /// Pops the reference on top: the register holding it, and the entry that puts it back
    /// unchanged (a constant is written to its slot first, so it comes back as the slot).
    fn pop_ref(&mut self) -> Result<(Reg, Opnd)> {
        let top = *self
            .stack
            .last()
            .expect("validated: a reference on the stack");
        let reg = self.pop_reg()?;
        let back = match top {
            Opnd::Const(_) => Opnd::Slot,
            other => other,
        };
        Ok((reg, back))
    }
}
