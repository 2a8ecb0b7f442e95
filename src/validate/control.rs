//! The operand and control stacks of the spec's validation algorithm (appendix "Validation
//! Algorithm"), with the `Unknown` bottom type for unreachable code.

use super::{invalid, Check};
use crate::value::{TypeList, ValType};

/// The instruction that opened a control frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FrameKind {
    /// The implicit frame of the function body.
    Function,
    Block,
    Loop,
    If,
    /// The `else` half of an `if`.
    Else,
}

/// One control frame: its start (param) and end (result) types, the operand stack height at
/// its entry, and whether the rest of it is unreachable.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Frame<'m> {
    pub kind: FrameKind,
    pub params: TypeList<'m>,
    pub results: TypeList<'m>,
    pub height: usize,
    pub unreachable: bool,
    /// How many locals had been initialized at the frame's entry (see `Stacks::inits`).
    pub inits: usize,
}

impl<'m> Frame<'m> {
    /// The types a branch to this frame carries: a loop is re-entered at its start.
    pub fn label_types(&self) -> TypeList<'m> {
        if self.kind == FrameKind::Loop {
            self.params
        } else {
            self.results
        }
    }
}

/// An operand stack entry: `None` is the spec's `Unknown`, produced by popping past the frame's
/// base in unreachable code.
pub(crate) type Operand = Option<ValType>;

/// Operand and control stacks.
#[derive(Debug, Default)]
pub(crate) struct Stacks<'m> {
    pub vals: Vec<Operand>,
    pub ctrls: Vec<Frame<'m>>,
    /// The module's types, for subtyping between concrete reference types.
    pub types: Option<&'m super::ModuleContext>,
    /// The non-defaultable locals initialized so far, in the order of their first `local.set`
    /// or `local.tee`; ending a frame forgets those set inside it.
    pub inits: Vec<u32>,
}

fn show(t: Operand) -> String {
    t.map_or_else(|| "unknown".to_string(), |t| t.to_string())
}

fn mismatch(expected: ValType, actual: Operand) -> super::Reject {
    invalid(format!(
        "type mismatch: expected {expected}, found {}",
        show(actual)
    ))
}

impl<'m> Stacks<'m> {
    /// Whether `a` is a subtype of `b`.
    pub fn sub(&self, a: ValType, b: ValType) -> bool {
        a == b || super::subtype::val_sub(a, b, &self.types)
    }
    /// Base height and unreachable flag of the innermost frame (the function frame always
    /// exists while instructions are checked; the fallback only guards against misuse).
    fn top_frame(&self) -> (usize, bool) {
        self.ctrls
            .last()
            .map_or((0, false), |f| (f.height, f.unreachable))
    }

    pub fn push(&mut self, t: ValType) {
        self.vals.push(Some(t));
    }

    pub fn push_operand(&mut self, t: Operand) {
        self.vals.push(t);
    }

    pub fn push_all(&mut self, ts: &[ValType]) {
        self.vals.extend(ts.iter().map(|&t| Some(t)));
    }

    /// Pops any operand; `None` (Unknown) when the frame is unreachable and empty.
    pub fn pop_any(&mut self) -> Check<Operand> {
        let (height, unreachable) = self.top_frame();
        if self.vals.len() <= height {
            return if unreachable {
                Ok(None)
            } else {
                Err(invalid("type mismatch: operand stack is empty"))
            };
        }
        Ok(self.vals.pop().flatten())
    }

    /// Pops an operand that must have type `expect` (or be Unknown).
    #[inline]
    pub fn pop(&mut self, expect: ValType) -> Check<Operand> {
        // The common case, inlined: an operand of the right type above the frame's base.
        let height = self.ctrls.last().map_or(0, |f| f.height);
        if let Some(&top @ Some(t)) = self.vals.last() {
            if self.vals.len() > height && t == expect {
                self.vals.pop();
                return Ok(top);
            }
        }
        self.pop_checked(expect)
    }

    #[inline(never)]
    fn pop_checked(&mut self, expect: ValType) -> Check<Operand> {
        let (height, unreachable) = self.top_frame();
        if self.vals.len() <= height && !unreachable {
            return Err(invalid(format!(
                "type mismatch: expected {expect}, but the operand stack is empty"
            )));
        }
        let actual = self.pop_any()?;
        match actual {
            Some(t) if !self.sub(t, expect) => Err(mismatch(expect, actual)),
            _ => Ok(actual),
        }
    }

    /// Pops operands of types `ts` (the last type is on top).
    #[inline]
    pub fn pop_all(&mut self, ts: &[ValType]) -> Check {
        // The common case: all of them present above the frame's base, with exactly these
        // types; checked as one slice comparison.
        let height = self.ctrls.last().map_or(0, |f| f.height);
        if let Some(start) = self.vals.len().checked_sub(ts.len()) {
            if start >= height
                && self.vals[start..]
                    .iter()
                    .zip(ts)
                    .all(|(&v, &t)| v == Some(t))
            {
                self.vals.truncate(start);
                return Ok(());
            }
        }
        for &t in ts.iter().rev() {
            self.pop(t)?;
        }
        Ok(())
    }

    /// Pops operands of types `ts` and pushes one of type `result` (a numeric instruction).
    #[inline]
    pub fn pop_push(&mut self, ts: &[ValType], result: ValType) -> Check {
        if !self.try_pop_push(ts, result) {
            self.pop_all(ts)?;
            self.push(result);
        }
        Ok(())
    }

    /// The common case of [`Stacks::pop_push`], done in place: one or two operands of exactly
    /// the types `ts`, above the frame's base, are replaced by the result. Returns false, with
    /// nothing changed, in any other case.
    #[inline]
    fn try_pop_push(&mut self, ts: &[ValType], result: ValType) -> bool {
        let height = self.ctrls.last().map_or(0, |f| f.height);
        let len = self.vals.len();
        match (ts, &mut self.vals[..]) {
            (&[t], [.., top]) if len > height && *top == Some(t) => {
                *top = Some(result);
                true
            }
            (&[t, u], [.., below, top])
                if len >= height + 2 && *below == Some(t) && *top == Some(u) =>
            {
                *below = Some(result);
                self.vals.truncate(len - 1);
                true
            }
            _ => false,
        }
    }

    /// Checks that the top of the stack matches `ts` without popping: the same as popping them
    /// and pushing back what was popped (`br_table`'s per-target check).
    pub fn check_top(&self, ts: &[ValType]) -> Check {
        let (height, unreachable) = self.top_frame();
        let avail = self.vals.len().saturating_sub(height);
        for (i, &expect) in ts.iter().rev().enumerate() {
            if i >= avail {
                if unreachable {
                    return Ok(());
                }
                return Err(invalid(format!(
                    "type mismatch: expected {expect}, but the operand stack is empty"
                )));
            }
            match self.vals[self.vals.len() - 1 - i] {
                Some(t) if !self.sub(t, expect) => return Err(mismatch(expect, Some(t))),
                _ => {}
            }
        }
        Ok(())
    }

    /// Opens a frame whose params are already popped; pushes them back as the frame's inputs.
    pub fn push_ctrl(&mut self, kind: FrameKind, params: TypeList<'m>, results: TypeList<'m>) {
        self.ctrls.push(Frame {
            kind,
            params,
            results,
            height: self.vals.len(),
            unreachable: false,
            inits: self.inits.len(),
        });
        self.push_all(&params);
    }

    /// Closes the innermost frame: its results must be exactly what is left above its base.
    pub fn pop_ctrl(&mut self) -> Check<Frame<'m>> {
        let Some(&frame) = self.ctrls.last() else {
            return Err(invalid("type mismatch: no block to end"));
        };
        self.pop_all(&frame.results)?;
        if self.vals.len() != frame.height {
            return Err(invalid(
                "type mismatch: values remaining on the operand stack at end of block",
            ));
        }
        self.ctrls.pop();
        self.inits.truncate(frame.inits);
        Ok(frame)
    }

    /// The frame `depth` levels out (0 = innermost), as a branch target.
    pub fn label(&self, depth: u32) -> Check<&Frame<'m>> {
        let len = self.ctrls.len();
        (depth as usize)
            .checked_add(1)
            .and_then(|d| len.checked_sub(d))
            .and_then(|i| self.ctrls.get(i))
            .ok_or_else(|| invalid(format!("unknown label {depth}")))
    }

    /// The types carried by a branch to label `depth`.
    pub fn label_types(&self, depth: u32) -> Check<TypeList<'m>> {
        Ok(self.label(depth)?.label_types())
    }

    /// Marks the rest of the innermost frame unreachable: its operands are dropped and the
    /// stack becomes polymorphic.
    pub fn set_unreachable(&mut self) {
        if let Some(frame) = self.ctrls.last_mut() {
            self.vals.truncate(frame.height);
            frame.unreachable = true;
        }
    }
}
