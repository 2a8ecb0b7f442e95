//! Blocks, branches and returns: labels become jump offsets, branch values are copied to the
//! target's slots before jumping, and a comparison feeding a branch fuses into it.

use super::emit::{branch_on, compare_of, negate, small, Rhs};
use super::stack::Opnd;
use super::Translator;
use crate::binary::{BlockType, Operator};
use crate::bytecode::{Instr, Offset, Reg};
use crate::error::{Error, Result};
use crate::ops::NumOp;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum CtrlKind {
    Function,
    Block,
    Loop,
    If,
    Else,
}

/// One open block during translation.
#[derive(Debug)]
pub(super) struct Ctrl {
    pub(super) kind: CtrlKind,
    /// Operand height where the block's parameters (and later its results) start.
    pub(super) height: u32,
    /// Register cells (a `v128` takes two) of the parameters and the results.
    params: u32,
    results: u32,
    /// The block's type, to push its parameters or results with their widths.
    bt: BlockType,
    /// For loops: the position branches jump back to.
    pub(super) loop_start: usize,
    /// For `if`: the branch that skips the then-branch, until `else` or `end` patches it.
    else_jump: Option<usize>,
    /// Forward jumps to this block's end, patched when the end is reached.
    fixups: Vec<usize>,
    /// Landing pads of catch clauses that continue at this block's end (indices into
    /// `Translator::pads`), resolved when the end is reached.
    pub(super) pads: Vec<usize>,
    /// For a `try_table`: where its body starts and its clauses.
    pub(super) try_info: Option<super::exceptions::TryInfo>,
}

impl Ctrl {
    pub(super) fn function(results: u32) -> Self {
        Ctrl {
            kind: CtrlKind::Function,
            height: 0,
            params: 0,
            results,
            bt: BlockType::Empty,
            loop_start: 0,
            else_jump: None,
            fixups: Vec::new(),
            pads: Vec::new(),
            try_info: None,
        }
    }

    /// Values a branch to this label carries.
    fn branch_arity(&self) -> u32 {
        if self.kind == CtrlKind::Loop {
            self.params
        } else {
            self.results
        }
    }
}

/// One value move: destination register, the value, and the value's own slot.
type Move = (Reg, Opnd, Reg);

/// Where a branch goes once its values are in place.
#[derive(Clone, Copy)]
enum Target {
    Return,
    Backward(usize),
    /// Forward to the end of the block at this index of the control stack.
    Forward(usize),
}

/// A branch condition: a register tested against zero, or a comparison fused into the branch.
#[derive(Clone, Copy)]
pub(super) enum Cond {
    Nez(Reg),
    Eqz(Reg),
    Cmp(NumOp, Reg, Rhs),
}

impl Cond {
    fn negate(self) -> Cond {
        match self {
            Cond::Nez(r) => Cond::Eqz(r),
            Cond::Eqz(r) => Cond::Nez(r),
            Cond::Cmp(op, a, b) => Cond::Cmp(negate(op), a, b),
        }
    }

    fn branch(self) -> Instr {
        let offset = Offset::new(0);
        match self {
            Cond::Nez(cond) => Instr::BrIfNez { cond, offset },
            Cond::Eqz(cond) => Instr::BrIfEqz { cond, offset },
            Cond::Cmp(op, a, b) => branch_on(op, a, b).expect("only fusable compares"),
        }
    }
}

impl Translator<'_> {
    /// Pops a branch condition; when the last instruction computed it with a comparison (or
    /// `eqz`), that instruction is removed and fused into the branch.
    fn pop_cond(&mut self) -> Result<Cond> {
        let top = self.height() - 1;
        if self.opts.fused_branches
            && self.stack.last() == Some(&Opnd::Slot)
            && self.last_is_rewritable()
        {
            let slot = self.slot(top)?;
            let fused = match self.code.last() {
                Some(Instr::I32Eqz { dst, a, .. }) if *dst == slot => Some(Cond::Eqz(*a)),
                Some(last) => compare_of(last)
                    .filter(|(_, dst, _, _)| *dst == slot)
                    .map(|(op, _, a, b)| Cond::Cmp(op, a, b)),
                None => None,
            };
            if let Some(cond) = fused {
                if let Cond::Eqz(_) = cond {
                    self.eqz_fusions += 1;
                }
                self.unemit();
                self.stack.pop();
                return Ok(cond);
            }
        }
        Ok(Cond::Nez(self.pop_reg()?))
    }

    pub(super) fn open_block(&mut self, op: &Operator, bt: BlockType) -> Result<()> {
        let (params, results) = self.block_arity(bt);
        let cond = match op {
            Operator::If(_) => Some(self.pop_cond()?),
            _ => None,
        };
        // Control flow joins at the block's labels: every entry must be in its slot there.
        self.materialize_all()?;
        let mut else_jump = None;
        let kind = match op {
            Operator::Loop(_) => CtrlKind::Loop,
            Operator::If(_) => {
                else_jump = Some(self.code.len());
                let skip = cond.expect("if has a condition").negate();
                self.emit(skip.branch());
                CtrlKind::If
            }
            _ => CtrlKind::Block,
        };
        let height = self.height() - params;
        self.max_height = self.max_height.max(height + results);
        let loop_start = self.code.len();
        match kind {
            CtrlKind::Loop => {
                self.label_pos = loop_start;
                if self.interruptible {
                    self.emit(Instr::Check {});
                }
                self.begin_block();
            }
            // The then-branch is a basic block of its own.
            CtrlKind::If => self.begin_block(),
            _ => {}
        }
        self.ctrl.push(Ctrl {
            kind,
            height,
            params,
            results,
            bt,
            loop_start,
            else_jump,
            fixups: Vec::new(),
            pads: Vec::new(),
            try_info: None,
        });
        Ok(())
    }

    pub(super) fn visit_else(&mut self) -> Result<()> {
        if self.reachable {
            // The then-branch's results go to their slots, then jump over the else-branch.
            let results = self.ctrl.last().expect("validated: else inside if").results;
            self.materialize_top(results)?;
            let br = self.with_last_copy(|dst, src| Instr::CopyBr {
                dst,
                src,
                offset: Offset::new(0),
            });
            let at = self.code.len();
            self.emit(br.unwrap_or(Instr::Br {
                offset: Offset::new(0),
            }));
            self.ctrl.last_mut().expect("in if").fixups.push(at);
        }
        let here = self.code.len();
        let top = self.ctrl.last_mut().expect("validated: else inside if");
        top.kind = CtrlKind::Else;
        let (height, bt) = (top.height, top.bt);
        if let Some(at) = top.else_jump.take() {
            patch(&mut self.code, at, here);
        }
        self.stack.truncate(height as usize);
        let params = self.block_types(bt).0;
        self.push_typed_slots(&params)?;
        self.reachable = true;
        self.label_pos = here;
        self.begin_block();
        Ok(())
    }

    pub(super) fn visit_end(&mut self) -> Result<()> {
        if self.ctrl.len() == 1 {
            // The function's own end: fall through into a return.
            if self.reachable {
                self.emit_return()?;
            }
            self.ctrl.pop();
            self.reachable = false;
            return Ok(());
        }
        if self.reachable {
            let results = self
                .ctrl
                .last()
                .expect("validated: end matches a block")
                .results;
            self.materialize_top(results)?;
        }
        let ctrl = self.ctrl.pop().expect("validated: end matches a block");
        let here = self.code.len();
        if let Some(at) = ctrl.else_jump {
            // `if` without `else`: the false path skips straight here with its params as results.
            patch(&mut self.code, at, here);
        }
        for at in ctrl.fixups {
            patch(&mut self.code, at, here);
        }
        self.end_try(ctrl.pads, ctrl.try_info, here);
        self.stack.truncate(ctrl.height as usize);
        let results = self.block_types(ctrl.bt).1;
        self.push_typed_slots(&results)?;
        self.reachable = true;
        self.label_pos = here;
        self.begin_block();
        Ok(())
    }

    pub(super) fn visit_br(&mut self, depth: u32) -> Result<()> {
        let (target, copies) = self.branch_copies(depth)?;
        self.jump_with(target, &copies)?;
        self.reachable = false;
        Ok(())
    }

    pub(super) fn visit_br_if(&mut self, depth: u32) -> Result<()> {
        let cond = self.pop_cond()?;
        self.branch_if(cond, depth)
    }

    /// A branch to label `depth` taken when `cond` holds (the condition already popped).
    pub(super) fn branch_if(&mut self, cond: Cond, depth: u32) -> Result<()> {
        let (target, copies) = self.branch_copies(depth)?;
        if copies.is_empty() {
            if let Target::Backward(_) | Target::Forward(_) = target {
                let offset = Offset::new(0);
                let fused = match cond {
                    Cond::Nez(cond) => self.with_last_copy(|dst, src| Instr::CopyBrIfNez {
                        dst,
                        src,
                        cond,
                        offset,
                    }),
                    Cond::Eqz(cond) => self.with_last_copy(|dst, src| Instr::CopyBrIfEqz {
                        dst,
                        src,
                        cond,
                        offset,
                    }),
                    Cond::Cmp(..) => None,
                };
                let fused = fused.or_else(|| self.with_last_load(cond));
                let at = self.code.len();
                self.emit(fused.unwrap_or_else(|| cond.branch()));
                self.bind_jump(at, target)?;
                self.begin_block();
                return Ok(());
            }
        }
        // Values must move (or the function returns): skip over the copies when not taken.
        let skip = self.code.len();
        self.emit(cond.negate().branch());
        self.jump_with(target, &copies)?;
        let here = self.code.len();
        patch(&mut self.code, skip, here);
        self.label_pos = here;
        self.begin_block();
        Ok(())
    }

    pub(super) fn visit_br_table(&mut self, targets: &[u32], default: u32) -> Result<()> {
        let index = self.pop_reg()?;
        let len = targets.len() as u32;
        self.emit(Instr::BrTable { index, len });
        let table_start = self.code.len();
        for _ in 0..=len {
            self.emit(Instr::Br {
                offset: Offset::new(0),
            });
        }
        // Entries whose branch needs no copies jump straight to the target; the others go
        // through a stub after the table that moves the values first.
        for (i, &depth) in targets.iter().chain(std::iter::once(&default)).enumerate() {
            let at = table_start + i;
            let (target, copies) = self.branch_copies(depth)?;
            match target {
                Target::Backward(_) | Target::Forward(_) if copies.is_empty() => {
                    self.bind_jump(at, target)?;
                }
                _ => {
                    let here = self.code.len();
                    patch(&mut self.code, at, here);
                    self.jump_with(target, &copies)?;
                }
            }
        }
        self.reachable = false;
        Ok(())
    }

    pub(super) fn visit_return(&mut self) -> Result<()> {
        self.emit_return()?;
        self.reachable = false;
        Ok(())
    }

    /// `return_call`: the arguments go to consecutive slots, as for a call; the interpreter
    /// moves them down to the frame's base and replaces the frame with the callee's.
    pub(super) fn visit_return_call(&mut self, func: u32) -> Result<()> {
        let ty = self
            .info
            .func_type(func)
            .ok_or_else(|| Error::Api("unknown function".into()))?;
        let params = ty.param_cells();
        let args = self.pop_slots(params)?;
        self.emit(Instr::ReturnCall {
            func,
            args,
            params: small(params, "parameter cells")?,
        });
        self.reachable = false;
        Ok(())
    }

    /// `return_call_indirect`: as `return_call`, through a table.
    pub(super) fn visit_return_call_indirect(&mut self, type_index: u32, table: u32) -> Result<()> {
        let params = self.info.types[type_index as usize].param_cells();
        let index = self.pop_reg()?;
        let args = self.pop_slots(params)?;
        self.emit(Instr::ReturnCallIndirect {
            type_index,
            table: small(table, "table index")?,
            index,
            args,
            params: small(params, "parameter cells")?,
        });
        self.reachable = false;
        Ok(())
    }

    /// Moves the function's results to registers `0..results` and returns.
    fn emit_return(&mut self) -> Result<()> {
        let (target, copies) = self.branch_copies(self.ctrl.len() as u32 - 1)?;
        self.jump_with(target, &copies)
    }

    /// The label `depth` levels out, and the `(dst, value, value's slot)` moves that put the
    /// branch's values in its slots (only those not already there).
    fn branch_copies(&self, depth: u32) -> Result<(Target, Vec<Move>)> {
        let index = self.ctrl.len() - 1 - depth as usize;
        let ctrl = &self.ctrl[index];
        let arity = ctrl.branch_arity();
        let first = self.height() - arity;
        let mut copies = Vec::new();
        for i in 0..arity {
            let dst = match ctrl.kind {
                CtrlKind::Function => Reg(i as u16),
                _ => self.slot(ctrl.height + i)?,
            };
            let pos = first + i;
            let (value, slot) = (self.stack[pos as usize], self.slot(pos)?);
            if super::source_reg(value, slot) != Some(dst) {
                copies.push((dst, value, slot));
            }
        }
        let target = match ctrl.kind {
            CtrlKind::Function => Target::Return,
            CtrlKind::Loop => Target::Backward(ctrl.loop_start),
            _ => Target::Forward(index),
        };
        if let Target::Return = target {
            // Returning moves values into parameter registers: order the moves like a return.
            return Ok((target, self.return_copies(first, copies)?));
        }
        Ok((target, copies))
    }

    /// For a branch that returns: results reading a local they would overwrite are read from
    /// their slot instead — which requires them to be there, so such branches copy twice.
    fn return_copies(&self, first: u32, copies: Vec<Move>) -> Result<Vec<Move>> {
        let n = self.num_results;
        let clobbered = copies
            .iter()
            .any(|(_, v, _)| matches!(v, Opnd::Local(r) if (r.0 as u32) < n));
        if !clobbered {
            return Ok(copies);
        }
        // Stage every result in its own slot first, then move all of them down.
        let mut staged = Vec::new();
        for i in 0..n {
            let pos = first + i;
            let slot = self.slot(pos)?;
            let value = self.stack[pos as usize];
            if value != Opnd::Slot {
                staged.push((slot, value, slot));
            }
        }
        for i in 0..n {
            let slot = self.slot(first + i)?;
            if slot != Reg(i as u16) {
                staged.push((Reg(i as u16), Opnd::Slot, slot));
            }
        }
        Ok(staged)
    }

    /// Emits moves in order. Destinations are slots at or below their sources' slots, or
    /// (for returns) registers no remaining source reads, so no value is overwritten before
    /// it is read.
    fn emit_copies(&mut self, copies: &[Move]) {
        for &(dst, value, slot) in copies {
            self.emit_move(dst, value, slot);
        }
    }

    /// Emits `copies`, then an unconditional jump (or return) to `target`. A return that
    /// only moves one register into `r0` is one `return_reg`.
    fn jump_with(&mut self, target: Target, copies: &[Move]) -> Result<()> {
        if let (Target::Return, [(Reg(0), value, slot)]) = (target, copies) {
            if let Some(src) = super::source_reg(*value, *slot) {
                self.emit(Instr::ReturnReg { src });
                return Ok(());
            }
        }
        self.emit_copies(copies);
        if let Target::Return = target {
            self.emit(Instr::Return {});
            return Ok(());
        }
        let br = self.with_last_copy(|dst, src| Instr::CopyBr {
            dst,
            src,
            offset: Offset::new(0),
        });
        let at = self.code.len();
        self.emit(br.unwrap_or(Instr::Br {
            offset: Offset::new(0),
        }));
        self.bind_jump(at, target)
    }

    /// When the last instruction is a `copy` that may be rewritten (`copy_pairs`), removes it
    /// and returns `fused` of its destination and source: the branch that will take it in.
    fn with_last_copy(&mut self, fused: impl FnOnce(Reg, Reg) -> Instr) -> Option<Instr> {
        if !(self.opts.copy_pairs && self.last_is_rewritable()) {
            return None;
        }
        let Some(&Instr::Copy { dst, src }) = self.code.last() else {
            return None;
        };
        self.unemit();
        Some(fused(dst, src))
    }

    /// The branch on `cond`, taking in the load (`fused_branches`) just emitted when it
    /// tests the loaded value against zero and has a form with the load (`i32.load`,
    /// `i32.load8_u` at an offset within 16 bits, `i32.load8_u_idx` at offset 0).
    fn with_last_load(&mut self, cond: Cond) -> Option<Instr> {
        let Cond::Nez(cond) = cond else { return None };
        if !(self.opts.fused_branches && self.last_is_rewritable()) {
            return None;
        }
        let target = Offset::new(0);
        let fused = match *self.code.last()? {
            Instr::I32Load { dst, addr, offset } if dst == cond => Instr::I32LoadBrIfNez {
                dst,
                addr,
                offset: u16::try_from(offset).ok()?,
                target,
            },
            Instr::I32Load8U { dst, addr, offset } if dst == cond => Instr::I32Load8UBrIfNez {
                dst,
                addr,
                offset: u16::try_from(offset).ok()?,
                target,
            },
            Instr::I32Load8UIdx {
                dst,
                base,
                index,
                offset: 0,
            } if dst == cond => Instr::I32Load8UIdxBrIfNez {
                dst,
                base,
                index,
                target,
            },
            _ => return None,
        };
        self.unemit();
        Some(fused)
    }

    /// Points the jump at `at` to `target`, now or when the target block ends.
    fn bind_jump(&mut self, at: usize, target: Target) -> Result<()> {
        match target {
            Target::Backward(pos) => patch(&mut self.code, at, pos),
            Target::Forward(index) => self.ctrl[index].fixups.push(at),
            Target::Return => unreachable!("returns are emitted, not bound"),
        }
        Ok(())
    }
}

/// Sets the offset of the jump at `at` so that it lands on `target`.
fn patch(code: &mut [Instr], at: usize, target: usize) {
    let delta = Offset::new((target as i64 - at as i64) as i32);
    *code[at].jump_offset_mut().expect("patching a jump") = delta;
}
