//! Accumulator forms, the last pass over a finished function. The interpreter keeps the value
//! each instruction writes in a machine register, the accumulator, as well as in its register
//! of the frame. An instruction that reads the value the instruction just before it wrote
//! can take it from there: its `_acc` form. The value then no longer makes a round trip
//! through memory (a store, then a load that must wait for it) between the two.
//!
//! ```text
//! i32.mul             dst=r4 a=r1 b=r1
//! i32.rem_u_imm       dst=r4 a=r4 imm=1000003      i32.rem_u_imm_acc   dst=r4 imm=1000003
//! i32.add             dst=r2 a=r2 b=r4             i32.add_acc         dst=r2 b=r2
//! ```
//!
//! The accumulator must hold that register's value on every way into the reading instruction:
//! from the instruction before and from every jump to it (see [`use_accumulator`]). Every other
//! way into an instruction (a function's entry, a return from a call, resuming after a
//! suspension) follows an instruction after which the accumulator holds nothing known, except
//! catch clauses' landing pads, which a throw enters directly: the caller names them.

use crate::bytecode::{Instr, Reg};

/// What the accumulator holds when an instruction starts: the value of a register, or nothing
/// known (`None`).
type State = Option<Reg>;

/// Rewrites every instruction that can read its operand from the accumulator; returns how many.
///
/// A forward data-flow pass finds, for each instruction, the register whose value the
/// accumulator holds whenever the instruction starts, over every way into it: the instruction
/// before (when it falls through) and every jump to it. A loop head qualifies when the code
/// before the loop and the loop's last instruction both leave the same register there, which
/// keeps a counter stepped at the end of an iteration and used at the start of the next in a
/// machine register.
pub(super) fn use_accumulator(code: &mut [Instr], entries: std::ops::Range<usize>) -> usize {
    let n = code.len();
    if n == 0 {
        return 0;
    }
    // Each instruction's effect and successors, computed once.
    let steps: Vec<Step> = code
        .iter()
        .enumerate()
        .map(|(at, instr)| step(instr, at, n))
        .collect();
    // `None` = no way in found yet; `Some(state)` once one is.
    let mut entry: Vec<Option<State>> = vec![None; n];
    entry[0] = Some(None);
    for at in entries.filter(|&at| at < n) {
        entry[at] = Some(None);
    }
    // Sweep in code order; only a change carried by a backward jump needs another sweep.
    let mut again = true;
    while again {
        again = false;
        for at in 0..n {
            let Some(state) = entry[at] else { continue };
            let s = &steps[at];
            let out = match s.effect {
                Effect::Writes(r) => Some(r),
                Effect::Keeps => state,
                Effect::Clears => None,
            };
            let mut flow = |to: usize, st: State| {
                let met = match entry[to] {
                    None => Some(st),
                    Some(old) if old == st => return,
                    Some(Some(_)) => Some(None),
                    Some(None) => return,
                };
                entry[to] = met;
                again |= to <= at;
            };
            if let Some(len) = s.table_len {
                // Its entries follow it; each is entered from the table.
                for e in at + 1..=(at + 1 + len).min(n - 1) {
                    flow(e, None);
                }
                continue;
            }
            if s.falls_through && at + 1 < n {
                flow(at + 1, out);
            }
            if let Some(to) = s.jump {
                flow(to, out);
            }
        }
    }
    let mut rewritten = 0;
    for at in 0..n {
        let Some(Some(r)) = entry[at] else { continue };
        if let Some(instr) = with_acc(&code[at], r) {
            code[at] = instr;
            rewritten += 1;
        }
    }
    rewritten
}

/// What an instruction does to the accumulator.
enum Effect {
    /// Leaves the value of this register there.
    Writes(Reg),
    /// Leaves it as it was.
    Keeps,
    /// Leaves nothing known there.
    Clears,
}

/// An instruction as the data-flow pass sees it.
struct Step {
    effect: Effect,
    falls_through: bool,
    /// The target of its jump, if it has one inside the code.
    jump: Option<usize>,
    /// For `br_table`, the number of entries after it minus one.
    table_len: Option<usize>,
}

fn step(instr: &Instr, at: usize, n: usize) -> Step {
    let effect = if let Some(r) = instr.acc_holds() {
        Effect::Writes(r)
    } else if keeps(instr) {
        Effect::Keeps
    } else {
        Effect::Clears
    };
    let jump = instr.jump_offset().and_then(|offset| {
        usize::try_from(at as i64 + offset.instrs() as i64)
            .ok()
            .filter(|&t| t < n)
    });
    let table_len = match *instr {
        Instr::BrTable { len, .. } => Some(len as usize),
        _ => None,
    };
    Step {
        effect,
        falls_through: instr.falls_through(),
        jump,
        table_len,
    }
}

/// Whether `instr` is known to leave the accumulator as it found it: a store, or a branch that
/// writes no register. Anything else that writes none is taken to leave nothing known there:
/// calls and suspensions (fuel, interrupts) do; the others (`global.set`, bulk memory and
/// table operations) have not been worth telling apart.
fn keeps(instr: &Instr) -> bool {
    // Cheapest first: most instructions are neither, and `other_writes` builds a vector.
    instr.is_store()
        || (instr.jump_offset().is_some()
            && instr.result_reg().is_none()
            && instr.other_writes().is_empty())
}

/// `instr` reading register `r` from the accumulator instead, if it has such a form (see
/// [`Instr::acc_form`]). An instruction reading `r` where its form cannot take it, as the right
/// operand of a commutative operation or of a comparison, or as the index of an address
/// `base + index`, exchanges its operands first.
fn with_acc(instr: &Instr, r: Reg) -> Option<Instr> {
    instr.acc_form(r).or_else(|| instr.commuted()?.acc_form(r))
}
