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
//! Only straight-line successors qualify: the reading instruction must not be a jump target,
//! since a jump would arrive with another value in the accumulator. Every other way into an
//! instruction (a function's entry, a return from a call, resuming after a suspension) follows
//! an instruction that writes no accumulator value, so [`acc_result`] names none.

use super::counter::jump_targets;
use super::emit::{
    branch_on, fused_offset, fused_parts, num_instr, numeric_parts, numeric_with_acc, result_reg,
    swap, Rhs,
};
use crate::bytecode::{Instr, Reg};
use crate::ops::NumOp;

/// Rewrites every instruction that can read its operand from the accumulator; returns how many.
pub(super) fn use_accumulator(code: &mut [Instr]) -> usize {
    let targets = jump_targets(code);
    let mut rewritten = 0;
    for at in 1..code.len() {
        if targets[at] {
            continue;
        }
        let Some(r) = acc_result(&code[at - 1]) else {
            continue;
        };
        if let Some(instr) = with_acc(&code[at], r) {
            code[at] = instr;
            rewritten += 1;
        }
    }
    rewritten
}

/// The register whose value `instr` leaves in the accumulator: the one its handler writes last,
/// when it falls through to the next instruction. `None` for instructions that write no
/// register, write one whose value is not what they leave there, or leave the frame.
pub(super) fn acc_result(instr: &Instr) -> Option<Reg> {
    match *instr {
        // Both registers get the same value.
        Instr::I32AddImm2 { dst, .. } => Some(dst),
        Instr::Copy2 { dst1, .. } => Some(dst1),
        other => result_reg(&mut other.clone()).copied(),
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
