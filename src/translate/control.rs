//! Blocks, branches and returns: labels become jump offsets, branch values are copied down to
//! the target's slots before jumping.

use super::Translator;
use crate::binary::{BlockType, Operator};
use crate::bytecode::{Instr, Offset, Reg};
use crate::error::Result;

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
    kind: CtrlKind,
    /// Operand height where the block's parameters (and later its results) start.
    height: u32,
    params: u32,
    results: u32,
    /// For loops: the position branches jump back to.
    loop_start: usize,
    /// For `if`: the `br_if_eqz` that skips the then-branch, until `else` or `end` patches it.
    else_jump: Option<usize>,
    /// Forward jumps to this block's end, patched when the end is reached.
    fixups: Vec<usize>,
}

impl Ctrl {
    pub(super) fn function(results: u32) -> Self {
        Ctrl {
            kind: CtrlKind::Function,
            height: 0,
            params: 0,
            results,
            loop_start: 0,
            else_jump: None,
            fixups: Vec::new(),
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

/// Where a branch goes once its values are in place.
enum Target {
    Return,
    Backward(usize),
    /// Forward to the end of the block at this index of the control stack.
    Forward(usize),
}

impl Translator<'_> {
    pub(super) fn open_block(&mut self, op: &Operator, bt: BlockType) -> Result<()> {
        let (params, results) = self.block_arity(bt);
        let mut else_jump = None;
        let kind = match op {
            Operator::Loop(_) => CtrlKind::Loop,
            Operator::If(_) => {
                let cond = self.pop()?;
                else_jump = Some(self.code.len());
                self.emit(Instr::BrIfEqz {
                    cond,
                    offset: Offset(0),
                });
                CtrlKind::If
            }
            _ => CtrlKind::Block,
        };
        let height = self.height - params;
        self.reserve(results.saturating_sub(params));
        if kind == CtrlKind::Loop {
            self.label_pos = self.code.len();
        }
        self.ctrl.push(Ctrl {
            kind,
            height,
            params,
            results,
            loop_start: self.code.len(),
            else_jump,
            fixups: Vec::new(),
        });
        Ok(())
    }

    pub(super) fn visit_else(&mut self) -> Result<()> {
        let reachable = self.reachable;
        let top = self.ctrl.last_mut().expect("validated: else inside if");
        if reachable {
            // The then-branch's results are already in place: jump over the else-branch.
            top.fixups.push(self.code.len());
            self.code.push(Instr::Br { offset: Offset(0) });
        }
        let top = self.ctrl.last_mut().expect("validated: else inside if");
        top.kind = CtrlKind::Else;
        let height = top.height + top.params;
        if let Some(at) = top.else_jump.take() {
            let here = self.code.len();
            patch(&mut self.code, at, here);
        }
        self.height = height;
        self.reachable = true;
        self.label_pos = self.code.len();
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
        let ctrl = self.ctrl.pop().expect("validated: end matches a block");
        let here = self.code.len();
        if let Some(at) = ctrl.else_jump {
            // `if` without `else`: the false path skips straight here with its params as results.
            patch(&mut self.code, at, here);
        }
        for at in ctrl.fixups {
            patch(&mut self.code, at, here);
        }
        self.height = ctrl.height + ctrl.results;
        self.max_height = self.max_height.max(self.height);
        self.reachable = true;
        self.label_pos = here;
        Ok(())
    }

    pub(super) fn visit_br(&mut self, depth: u32) -> Result<()> {
        let target = self.move_branch_values(depth)?;
        self.jump_to(target)?;
        self.reachable = false;
        Ok(())
    }

    pub(super) fn visit_br_if(&mut self, depth: u32) -> Result<()> {
        let cond = self.pop()?;
        let (target, copies) = self.branch_copies(depth)?;
        if copies.is_empty() {
            if let Target::Backward(_) | Target::Forward(_) = target {
                let at = self.code.len();
                self.emit(Instr::BrIfNez {
                    cond,
                    offset: Offset(0),
                });
                return self.bind_jump(at, target);
            }
        }
        // Values must move (or the function returns): skip over the copies when not taken.
        let skip = self.code.len();
        self.emit(Instr::BrIfEqz {
            cond,
            offset: Offset(0),
        });
        let height = self.height;
        self.emit_copies(&copies);
        self.jump_to(target)?;
        self.height = height;
        let here = self.code.len();
        patch(&mut self.code, skip, here);
        Ok(())
    }

    pub(super) fn visit_br_table(&mut self, targets: &[u32], default: u32) -> Result<()> {
        let index = self.pop()?;
        let len = targets.len() as u32;
        self.emit(Instr::BrTable { index, len });
        let table_start = self.code.len();
        for _ in 0..=len {
            self.emit(Instr::Br { offset: Offset(0) });
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
                    self.emit_copies(&copies);
                    self.jump_to(target)?;
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

    /// Moves the function's results to registers `0..results` and returns.
    fn emit_return(&mut self) -> Result<()> {
        let n = self.num_results;
        let src = self.top(n)?;
        let copies: Vec<(Reg, Reg)> = (0..n as u16).map(|i| (Reg(i), Reg(src.0 + i))).collect();
        self.emit_copies(&copies);
        self.emit(Instr::Return {});
        Ok(())
    }

    /// The label `depth` levels out, and the `(dst, src)` copies that put the branch's values
    /// in its slots.
    fn branch_copies(&self, depth: u32) -> Result<(Target, Vec<(Reg, Reg)>)> {
        let index = self.ctrl.len() - 1 - depth as usize;
        let ctrl = &self.ctrl[index];
        let arity = ctrl.branch_arity();
        let src = self.top(arity)?;
        let dst = match ctrl.kind {
            CtrlKind::Function => Reg(0),
            _ => self.slot(ctrl.height)?,
        };
        let copies = if src == dst {
            Vec::new()
        } else {
            (0..arity as u16)
                .map(|i| (Reg(dst.0 + i), Reg(src.0 + i)))
                .collect()
        };
        let target = match ctrl.kind {
            CtrlKind::Function => Target::Return,
            CtrlKind::Loop => Target::Backward(ctrl.loop_start),
            _ => Target::Forward(index),
        };
        Ok((target, copies))
    }

    fn move_branch_values(&mut self, depth: u32) -> Result<Target> {
        let (target, copies) = self.branch_copies(depth)?;
        self.emit_copies(&copies);
        Ok(target)
    }

    /// Copies in ascending order: destinations never lie above their sources, so no value is
    /// overwritten before it is read.
    fn emit_copies(&mut self, copies: &[(Reg, Reg)]) {
        for &(dst, src) in copies {
            self.emit(Instr::Copy { dst, src });
        }
    }

    /// Emits an unconditional jump (or return) to `target`.
    fn jump_to(&mut self, target: Target) -> Result<()> {
        if let Target::Return = target {
            self.emit(Instr::Return {});
            return Ok(());
        }
        let at = self.code.len();
        self.emit(Instr::Br { offset: Offset(0) });
        self.bind_jump(at, target)
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
    let delta = Offset((target as i64 - at as i64) as i32);
    match &mut code[at] {
        Instr::Br { offset } | Instr::BrIfNez { offset, .. } | Instr::BrIfEqz { offset, .. } => {
            *offset = delta
        }
        other => unreachable!("patching a non-jump {other:?}"),
    }
}
