//! `try_table`, `throw` and `throw_ref`.
//!
//! A `try_table` emits no instruction: it is a block whose body's instruction range and
//! resolved catch clauses go to the function's handler table ([`Handler`]), which only a throw
//! looks at. Each clause continues at its label through a landing pad: a `br` to the label (or
//! a `return`, for the function's own label) placed after the function's code, so the label is
//! a jump target like any other for the passes over the finished code. The clause writes the
//! payload and reference straight into the label's slots; values below them are in their
//! slots already, because every block, this one included, materializes the whole stack when it
//! opens.
//!
//! A `throw` that one of the function's own open `try_table`s is certain to catch, by a clause
//! that does not take the exception reference, is a branch: the clause would write the payload
//! to its label's slots and continue there, which is what `br` to that label with the payload
//! as its values does (`Optimizations::static_throws`). No exception is made, as none could be
//! observed.

use super::control::{Ctrl, CtrlKind};
use super::emit::small;
use super::Translator;
use crate::binary::{BlockType, Catch, Operator};
use crate::bytecode::{Clause, Handler, Instr, Offset, Reg};
use crate::error::Result;

/// Where a landing pad continues.
#[derive(Clone, Copy, Debug)]
pub(super) enum Pad {
    /// Returns: the clause's values are the function's results.
    Return,
    /// At this instruction (a loop's start, a block's end).
    At(usize),
    /// At the end of a block not yet reached.
    Pending,
}

/// A finished `try_table` whose clauses name landing pads, not yet instructions.
#[derive(Debug)]
pub(super) struct PendingHandler {
    start: u32,
    end: u32,
    clauses: Vec<(Clause, usize)>,
}

/// An open `try_table`: where its body starts, and its clauses with their pads.
#[derive(Debug)]
pub(super) struct TryInfo {
    start: usize,
    clauses: Vec<(Clause, usize)>,
    /// Each clause's label, as an index into the control stack.
    labels: Vec<usize>,
}

impl Translator<'_> {
    /// Register cells of tag `tag`'s payload.
    fn tag_cells(&self, tag: u32) -> u32 {
        let ty = self.info.tags[tag as usize];
        self.info.types[ty as usize].param_cells()
    }

    /// `try_table`: resolves each clause's label (counted from outside the `try_table`) to
    /// its slots and a landing pad, then opens the block.
    pub(super) fn open_try_table(&mut self, bt: BlockType, catches: &[Catch]) -> Result<()> {
        let mut clauses = Vec::with_capacity(catches.len());
        let mut labels = Vec::with_capacity(catches.len());
        for c in catches {
            let index = self.ctrl.len() - 1 - c.label as usize;
            labels.push(index);
            let label: &Ctrl = &self.ctrl[index];
            let (pad, dst) = match label.kind {
                CtrlKind::Function => (Pad::Return, Reg(0)),
                CtrlKind::Loop => (Pad::At(label.loop_start), self.slot(label.height)?),
                _ => (Pad::Pending, self.slot(label.height)?),
            };
            let payload = if c.kind.has_tag() {
                self.tag_cells(c.tag)
            } else {
                0
            };
            let cells = payload + c.kind.pushes_ref() as u32;
            let at = self.pads.len();
            self.pads.push(pad);
            if let Pad::Pending = pad {
                self.ctrl[index].pads.push(at);
            }
            let clause = Clause {
                tag: c.kind.has_tag().then_some(c.tag),
                with_ref: c.kind.pushes_ref(),
                dst,
                cells: small(cells, "catch clause cells")?,
                target: 0,
            };
            clauses.push((clause, at));
        }
        self.open_block(&Operator::Block(bt), bt)?;
        // Nothing inside may fuse with an instruction before the range.
        let start = self.code.len();
        self.label_pos = start;
        let top = self.ctrl.last_mut().expect("just opened");
        top.try_info = Some(TryInfo {
            start,
            clauses,
            labels,
        });
        Ok(())
    }

    /// At a block's end (`here`): its pending pads continue here, and a `try_table`'s range
    /// closes.
    pub(super) fn end_try(&mut self, pads: Vec<usize>, info: Option<TryInfo>, here: usize) {
        for pad in pads {
            self.pads[pad] = Pad::At(here);
        }
        if let Some(info) = info {
            self.handlers.push(PendingHandler {
                start: info.start as u32,
                end: here as u32,
                clauses: info.clauses,
            });
        }
    }

    /// `throw tag`: a branch when an open `try_table` of this function is sure to catch it
    /// without the reference (see the top of this file); otherwise the payload goes to
    /// consecutive slots, as call arguments do, for `throw` (a one-cell payload stays where
    /// it is).
    pub(super) fn visit_throw(&mut self, tag: u32) -> Result<()> {
        let params = self.tag_cells(tag);
        if let Some((label, keeps_payload)) = self.static_catch(tag) {
            if !keeps_payload {
                // `catch_all` drops the payload.
                self.stack.truncate((self.height() - params) as usize);
            }
            return self.visit_br((self.ctrl.len() - 1 - label) as u32);
        }
        // One cell may be read from wherever it is (a local, say): no copy into a slot.
        let args = match params {
            1 => self.pop_reg()?,
            _ => self.pop_slots(params)?,
        };
        self.emit(Instr::Throw {
            tag,
            args,
            params: small(params, "payload cells")?,
        });
        self.reachable = false;
        Ok(())
    }

    /// The label (its control-stack index) a `throw` of tag `tag` here branches to, and
    /// whether the payload goes with it (`catch`, not `catch_all`), when that is certain at
    /// translation time: the innermost `try_table` first, its clauses in order, the first
    /// clause that catches the tag wins, as when unwinding. Tags are compared by index: a
    /// defined tag is new in every instance, unlike any other, so two indices are the same tag
    /// exactly when they are equal, except two imported tags, which may be one; that case, a
    /// winning clause that wants the exception reference, and a throw no handler of this
    /// function catches are left to the interpreter (`None`).
    fn static_catch(&self, tag: u32) -> Option<(usize, bool)> {
        if !self.opts.static_throws {
            return None;
        }
        let imported = self.info.num_imported_tags;
        for ctrl in self.ctrl.iter().rev() {
            let Some(info) = &ctrl.try_info else {
                continue;
            };
            for ((clause, _), &label) in info.clauses.iter().zip(&info.labels) {
                let catches = match clause.tag {
                    None => true,
                    Some(t) if t == tag => true,
                    Some(t) if t < imported && tag < imported => return None,
                    Some(_) => false,
                };
                if catches {
                    return (!clause.with_ref).then_some((label, clause.tag.is_some()));
                }
            }
        }
        None
    }

    pub(super) fn visit_throw_ref(&mut self) -> Result<()> {
        let exn = self.pop_reg()?;
        self.emit(Instr::ThrowRef { exn });
        self.reachable = false;
        Ok(())
    }

    /// Appends the landing pads after the code and gives every clause its pad's position.
    pub(super) fn emit_pads(&mut self) -> Box<[Handler]> {
        let mut at = Vec::with_capacity(self.pads.len());
        for i in 0..self.pads.len() {
            let here = self.code.len();
            at.push(here as u32);
            match self.pads[i] {
                Pad::At(target) => self.emit(Instr::Br {
                    offset: Offset::new((target as i64 - here as i64) as i32),
                }),
                // A pending pad cannot remain (every block ends); returning is harmless.
                Pad::Return | Pad::Pending => self.emit(Instr::Return {}),
            }
        }
        let handlers = std::mem::take(&mut self.handlers);
        handlers
            .into_iter()
            .map(|h| Handler {
                start: h.start,
                end: h.end,
                clauses: (h.clauses.into_iter())
                    .map(|(c, pad)| Clause {
                        target: at[pad],
                        ..c
                    })
                    .collect(),
            })
            .collect()
    }
}
