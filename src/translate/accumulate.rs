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
//! suspension) follows an instruction after which the accumulator holds nothing known.

use super::emit::{
    branch_on, counter_of, fused_offset, fused_parts, jump_offset, num_instr, numeric_parts,
    numeric_with_acc, result_reg, swap, Rhs,
};
use crate::bytecode::{Instr, Reg};
use crate::ops::NumOp;

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
pub(super) fn use_accumulator(code: &mut [Instr]) -> usize {
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
    let effect = if let Some(r) = acc_result(instr) {
        Effect::Writes(r)
    } else if keeps(instr) {
        Effect::Keeps
    } else {
        Effect::Clears
    };
    let jump = jump_offset(&mut instr.clone()).and_then(|offset| {
        usize::try_from(at as i64 + offset.0 as i64)
            .ok()
            .filter(|&t| t < n)
    });
    let table_len = match *instr {
        Instr::BrTable { len, .. } => Some(len as usize),
        _ => None,
    };
    Step {
        effect,
        falls_through: falls_through(instr),
        jump,
        table_len,
    }
}

/// Whether `instr` leaves the accumulator as it found it: it writes no register and does not
/// leave the frame (branches and stores).
fn keeps(instr: &Instr) -> bool {
    instr.is_fused_compare()
        || matches!(
            instr,
            Instr::Br { .. }
                | Instr::BrIfNez { .. }
                | Instr::BrIfEqz { .. }
                | Instr::BrIfNezAcc { .. }
                | Instr::BrIfEqzAcc { .. }
        )
        || is_store(instr)
}

/// Whether the next instruction can run right after `instr`.
fn falls_through(instr: &Instr) -> bool {
    !matches!(
        instr,
        Instr::Br { .. } | Instr::Return {} | Instr::ReturnReg { .. } | Instr::Trap { .. }
    )
}

/// Whether `instr` is a store: it writes memory only.
fn is_store(instr: &Instr) -> bool {
    use Instr::*;
    matches!(
        instr,
        I32Store { .. }
            | I64Store { .. }
            | F32Store { .. }
            | F64Store { .. }
            | I32Store8 { .. }
            | I32Store16 { .. }
            | I64Store8 { .. }
            | I64Store16 { .. }
            | I64Store32 { .. }
            | Store8Imm { .. }
            | Store16Imm { .. }
            | Store32Imm { .. }
            | Store64Imm { .. }
            | I32StoreIdx { .. }
            | I64StoreIdx { .. }
            | Store8Idx { .. }
            | Store16Idx { .. }
            | Store8ImmIdx { .. }
            | I32StoreDisp { .. }
            | I64StoreDisp { .. }
            | Store8Disp { .. }
            | Store16Disp { .. }
            | I32StoreAbs { .. }
            | I64StoreAbs { .. }
            | Store8Abs { .. }
            | Store16Abs { .. }
            | I32StoreAcc { .. }
            | I64StoreAcc { .. }
            | I32StoreIdxAcc { .. }
            | I64StoreIdxAcc { .. }
            | Store8ImmIdxAcc { .. }
    )
}

/// The register whose value `instr` leaves in the accumulator: the one its handler writes last,
/// when it falls through to the next instruction. `None` for instructions that write no
/// register, write one whose value is not what they leave there, or leave the frame.
pub(super) fn acc_result(instr: &Instr) -> Option<Reg> {
    match *instr {
        // Both registers get the same value.
        Instr::I32AddImm2 { dst, .. } => Some(dst),
        Instr::Copy2 { dst1, .. } => Some(dst1),
        ref other => counter_of(other).or_else(|| result_reg(&mut other.clone()).copied()),
    }
}

/// `instr` reading register `r` from the accumulator instead, if it has such a form. A
/// commutative operation or a comparison that reads `r` as its right operand swaps its operands
/// first.
fn with_acc(instr: &Instr, r: Reg) -> Option<Instr> {
    if let Some(acc) = numeric_with_acc(instr, r) {
        return Some(acc);
    }
    if let Some((op, dst, a, b)) = numeric_parts(instr) {
        let swapped = if commutes(op) { op } else { swap(op) };
        if b == r && a != r && op.params().len() == 2 && (commutes(op) || swapped != op) {
            let flipped = num_instr(swapped, dst, b, a);
            return numeric_with_acc(&flipped, r);
        }
        return None;
    }
    if let Some((op, a, Rhs::Reg(b), offset)) = fused_parts(instr) {
        if b == r && a != r {
            let mut flipped = branch_on(swap(op), b, Rhs::Reg(a))?;
            *fused_offset(&mut flipped)? = offset;
            return numeric_with_acc(&flipped, r);
        }
        return None;
    }
    match *instr {
        Instr::Copy { dst, src } if src == r => Some(Instr::CopyAcc { dst }),
        Instr::SelectAndImm { dst, a, mask, x, y } if a == r => {
            Some(Instr::SelectAndImmAcc { dst, mask, x, y })
        }
        Instr::I32ShrUAndImm {
            dst,
            a,
            shift,
            mask,
        } if a == r => Some(Instr::I32ShrUAndImmAcc { dst, shift, mask }),
        Instr::I32ShlAddImm { dst, a, shift, imm } if a == r => {
            Some(Instr::I32ShlAddImmAcc { dst, shift, imm })
        }
        Instr::BrIfNez { cond, offset } if cond == r => Some(Instr::BrIfNezAcc { offset }),
        Instr::BrIfEqz { cond, offset } if cond == r => Some(Instr::BrIfEqzAcc { offset }),
        Instr::I32Load { dst, addr, offset } | Instr::F32Load { dst, addr, offset }
            if addr == r =>
        {
            Some(Instr::I32LoadAcc { dst, offset })
        }
        Instr::I64Load { dst, addr, offset } | Instr::F64Load { dst, addr, offset }
            if addr == r =>
        {
            Some(Instr::I64LoadAcc { dst, offset })
        }
        Instr::I32Store { addr, src, offset }
        | Instr::F32Store { addr, src, offset }
        | Instr::I64Store32 { addr, src, offset }
            if src == r =>
        {
            Some(Instr::I32StoreAcc { addr, offset })
        }
        Instr::I64Store { addr, src, offset } | Instr::F64Store { addr, src, offset }
            if src == r =>
        {
            Some(Instr::I64StoreAcc { addr, offset })
        }
        // The address is `base + index`: either may come from the accumulator.
        Instr::I32LoadIdx {
            dst,
            base,
            index,
            offset,
        } => Some(Instr::I32LoadIdxAcc {
            dst,
            index: other_addend(base, index, r)?,
            offset,
        }),
        Instr::I64LoadIdx {
            dst,
            base,
            index,
            offset,
        } => Some(Instr::I64LoadIdxAcc {
            dst,
            index: other_addend(base, index, r)?,
            offset,
        }),
        Instr::I32Load8UIdx {
            dst,
            base,
            index,
            offset,
        } => Some(Instr::I32Load8UIdxAcc {
            dst,
            index: other_addend(base, index, r)?,
            offset,
        }),
        Instr::Store8ImmIdx {
            base,
            index,
            value,
            offset,
        } => Some(Instr::Store8ImmIdxAcc {
            index: other_addend(base, index, r)?,
            value,
            offset,
        }),
        Instr::I32StoreIdx {
            base,
            index,
            src,
            offset,
        } if src == r => Some(Instr::I32StoreIdxAcc {
            base,
            index,
            offset,
        }),
        Instr::I64StoreIdx {
            base,
            index,
            src,
            offset,
        } if src == r => Some(Instr::I64StoreIdxAcc {
            base,
            index,
            offset,
        }),
        _ => None,
    }
}

/// For an address `base + index` with one addend `r`: the other one.
fn other_addend(base: Reg, index: Reg, r: Reg) -> Option<Reg> {
    match (base == r, index == r) {
        (true, _) => Some(index),
        (false, true) => Some(base),
        _ => None,
    }
}

/// Whether swapping the operands of `op` leaves its result unchanged. For `f32`/`f64` `add` and
/// `mul` only a NaN result's payload can differ, which Wasm leaves nondeterministic.
fn commutes(op: NumOp) -> bool {
    use NumOp::*;
    matches!(
        op,
        I32Add
            | I32Mul
            | I32And
            | I32Or
            | I32Xor
            | I32Eq
            | I32Ne
            | I64Add
            | I64Mul
            | I64And
            | I64Or
            | I64Xor
            | I64Eq
            | I64Ne
            | F32Add
            | F32Mul
            | F32Eq
            | F32Ne
            | F64Add
            | F64Mul
            | F64Eq
            | F64Ne
    )
}
