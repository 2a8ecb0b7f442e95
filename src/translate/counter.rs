//! Counter-step fusion, a pass over the finished function: a loop's step and the branch that
//! closes it,
//!
//! ```text
//! i32.add_imm         dst=r1 a=r1 imm=1
//! br_if_i32.lt_u      a=r1 b=r0 offset=@1
//! ```
//!
//! become one `add_imm_br_if_i32.lt_u x=r1 step=1 rhs=r0 offset=@1`: one dispatch fewer per
//! iteration. It runs after jump threading, whose loop rotation creates most of these pairs.
//! A test against a constant (`br_if_i32.ne_imm`, a constant trip count, or `br_if_nez`, a
//! count down to zero) becomes `add_imm_br_if_i32.ne_imm`; two steps in a row and such a test
//! of either, `add_imm_pair_br_if_i32.ne_imm`; two steps alone, `i32.add_imm_pair`. A next
//! value computed into another register (`dst = a + s`) while the branch tests the current
//! one (`a != n`) is `next_br_if_i32.ne` (or `_imm`).
//! The branch must not be a jump target (nothing may enter between the two), and the add must
//! write the counter in place (`x = x + s`). Removing the branch shifts the code, so every
//! jump offset and the source map are rewritten.

use super::emit::{counter_branch, fused_parts, Rhs};
use crate::bytecode::{Instr, Offset};

/// Fuses every counter step into the branch after it; returns how many it fused.
pub(super) fn fuse_counter_branches(
    code: &mut Vec<Instr>,
    mut source_map: Option<&mut Vec<u32>>,
) -> usize {
    // Every fusion starts at an add: only those positions are looked at, and a function
    // without one costs a scan.
    let is_step = |i: &Instr| {
        matches!(
            i,
            Instr::I32AddImm { .. } | Instr::I32SubImm { .. } | Instr::I32Add { .. }
        )
    };
    let steps: Vec<usize> = (0..code.len()).filter(|&at| is_step(&code[at])).collect();
    if steps.is_empty() {
        return 0;
    }
    let len = code.len();
    let before = |end: usize| steps.iter().copied().filter(move |&at| at + end < len);
    let targets = jump_targets(code);
    let mut removed = vec![false; code.len()];
    let mut fused = 0;
    // First two steps and a test of one of them against a constant: `x += i; y += j;
    // br_if y != bound` is one `add_imm_pair_br_if_i32.ne_imm`.
    for at in before(2) {
        if targets[at + 1] || targets[at + 2] || removed[at] || removed[at + 1] {
            continue;
        }
        let (Some((x, i)), Some((y, j))) = (in_place_step(&code[at]), in_place_step(&code[at + 1]))
        else {
            continue;
        };
        let Some((a, imm, offset)) = not_equal_imm(&code[at + 2]) else {
            continue;
        };
        // The steps are independent (`x` and `y` differ), so either may be the tested one.
        let ((x, i), (y, j)) = match (a == x, a == y) {
            _ if x == y => continue,
            (false, true) => ((x, i), (y, j)),
            (true, false) => ((y, j), (x, i)),
            _ => continue,
        };
        let Ok(bound) = i16::try_from(imm) else {
            // Too wide for the pair: the tested step goes last, to fuse with the test alone.
            if code[at + 1]
                != (Instr::I32AddImm {
                    dst: y,
                    a: y,
                    imm: j.into(),
                })
            {
                code.swap(at, at + 1);
                if let Some(map) = source_map.as_deref_mut().filter(|m| m.len() > at + 1) {
                    map.swap(at, at + 1);
                }
            }
            continue;
        };
        code[at] = Instr::AddImmPairBrNeImm {
            x,
            y,
            i,
            j,
            bound,
            offset: Offset::new(offset.instrs() + 2),
        };
        removed[at + 1] = true;
        removed[at + 2] = true;
        fused += 1;
    }
    for at in before(1) {
        if targets[at + 1] || removed[at] || removed[at + 1] {
            continue;
        }
        // A step tested against a constant.
        if let (Some((x, step)), Some((a, imm, offset))) =
            (in_place_step(&code[at]), not_equal_imm(&code[at + 1]))
        {
            if a == x {
                code[at] = Instr::AddImmBrNeImm {
                    x,
                    step,
                    bound: imm,
                    offset: Offset::new(offset.instrs() + 1),
                };
                removed[at + 1] = true;
                fused += 1;
                continue;
            }
        }
        // The next value computed into another register while the current one is tested.
        if let Some(next) = next_branch(&code[at], &code[at + 1]) {
            code[at] = next;
            removed[at + 1] = true;
            fused += 1;
            continue;
        }
        let (x, step) = match code[at] {
            Instr::I32AddImm { dst, a, imm } if dst == a => (dst, Rhs::Imm(imm)),
            Instr::I32SubImm { dst, a, imm } if dst == a => (dst, Rhs::Imm(imm.wrapping_neg())),
            Instr::I32Add { dst, a, b } if dst == a => (dst, Rhs::Reg(b)),
            Instr::I32Add { dst, a, b } if dst == b => (dst, Rhs::Reg(a)),
            _ => continue,
        };
        let Some((op, a, Rhs::Reg(b), offset)) = fused_parts(&code[at + 1]) else {
            continue;
        };
        let (op, rhs) = match (a == x, b == x, op.swapped()) {
            (true, _, _) => (op, b),
            (false, true, Some(swapped)) => (swapped, a),
            _ => continue,
        };
        // The branch's offset counted from one instruction later.
        let Some(instr) = counter_branch(op, x, step, rhs, Offset::new(offset.instrs() + 1)) else {
            continue;
        };
        code[at] = instr;
        removed[at + 1] = true;
        fused += 1;
    }
    // Then two steps in a row: `x += i; y += j` is one `i32.add_imm_pair`.
    for at in before(1) {
        if targets[at + 1] || removed[at] || removed[at + 1] {
            continue;
        }
        let (Some((x, i)), Some((y, j))) = (in_place_step(&code[at]), in_place_step(&code[at + 1]))
        else {
            continue;
        };
        if x == y {
            continue;
        }
        code[at] = Instr::I32AddImmPair { x, y, i, j };
        removed[at + 1] = true;
        fused += 1;
    }
    if fused > 0 {
        compact(code, &removed, source_map);
    }
    fused
}

/// `dst = a + step` (not in place) and then a branch on `a != rhs` (either side), as one
/// `next_br_if_i32.ne`/`next_br_if_i32.ne_imm` at the add's place; its offset counted from
/// there.
fn next_branch(add: &Instr, branch: &Instr) -> Option<Instr> {
    let Instr::I32AddImm { dst, a, imm } = *add else {
        return None;
    };
    let step = i16::try_from(imm).ok()?;
    if dst == a {
        return None;
    }
    let later = |offset: Offset| Offset::new(offset.instrs() + 1);
    Some(match *branch {
        Instr::BrI32Ne { a: p, b: q, offset } if p == a || q == a => Instr::NextBrNe {
            dst,
            a,
            step,
            rhs: if p == a { q } else { p },
            offset: later(offset),
        },
        Instr::BrI32NeImm { a: p, imm, offset } if p == a => Instr::NextBrNeImm {
            dst,
            a,
            step,
            bound: imm,
            offset: later(offset),
        },
        _ => return None,
    })
}

/// A branch taken when a register differs from a constant: `br_if_i32.ne_imm`, or
/// `br_if_nez` (a count down to zero): `(register, constant, offset)`.
fn not_equal_imm(instr: &Instr) -> Option<(crate::bytecode::Reg, i32, Offset)> {
    match *instr {
        Instr::BrI32NeImm { a, imm, offset } => Some((a, imm, offset)),
        Instr::BrIfNez { cond, offset } => Some((cond, 0, offset)),
        _ => None,
    }
}

/// `x += imm` (or `x -= imm`) in place, with an immediate that fits the pair form.
fn in_place_step(instr: &Instr) -> Option<(crate::bytecode::Reg, i16)> {
    match *instr {
        Instr::I32AddImm { dst, a, imm } if dst == a => Some((dst, i16::try_from(imm).ok()?)),
        // `x - c` is `x + (-c)`, wrapping (a count down).
        Instr::I32SubImm { dst, a, imm } if dst == a => {
            Some((dst, i16::try_from(imm.wrapping_neg()).ok()?))
        }
        _ => None,
    }
}

/// Which positions some jump lands on (`br_table` entries are `br`s, so they count too).
pub(super) fn jump_targets(code: &[Instr]) -> Vec<bool> {
    let mut targets = vec![false; code.len() + 1];
    for (at, instr) in code.iter().enumerate() {
        if let Some(offset) = instr.jump_offset() {
            let target = at as i64 + offset.instrs() as i64;
            if let Some(t) = usize::try_from(target)
                .ok()
                .and_then(|t| targets.get_mut(t))
            {
                *t = true;
            }
        }
    }
    targets
}

/// Drops the `removed` instructions, rewriting every jump offset (no jump lands on a removed
/// one) and the source map.
pub(super) fn compact(code: &mut Vec<Instr>, removed: &[bool], source_map: Option<&mut Vec<u32>>) {
    let mut new_pos = Vec::with_capacity(code.len() + 1);
    let mut next = 0i64;
    for &gone in removed {
        new_pos.push(next);
        next += i64::from(!gone);
    }
    new_pos.push(next);
    for at in 0..code.len() {
        if removed[at] {
            continue;
        }
        if let Some(offset) = code[at].jump_offset_mut() {
            let target = (at as i64 + offset.instrs() as i64) as usize;
            *offset = Offset::new((new_pos[target] - new_pos[at]) as i32);
        }
    }
    let mut keep = removed.iter().map(|&gone| !gone);
    code.retain(|_| keep.next().unwrap_or(true));
    if let Some(map) = source_map {
        if map.len() == removed.len() {
            let mut keep = removed.iter().map(|&gone| !gone);
            map.retain(|_| keep.next().unwrap_or(true));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bytecode::Reg;

    #[test]
    fn fuses_a_rotated_loop_and_relocates_jumps() {
        // 0: br @3 (forward, over the loop) · 1: loop body · 2: x += 1 · 3: br_if x < n @1
        // · 4: return
        let (x, n) = (Reg(1), Reg(0));
        let mut code = vec![
            Instr::Br {
                offset: Offset::new(4),
            },
            Instr::Copy {
                dst: Reg(2),
                src: x,
            },
            Instr::I32AddImm {
                dst: x,
                a: x,
                imm: 1,
            },
            Instr::BrI32LtU {
                a: x,
                b: n,
                offset: Offset::new(-2),
            },
            Instr::Return {},
        ];
        let mut map = vec![10, 11, 12, 13, 14];
        assert_eq!(fuse_counter_branches(&mut code, Some(&mut map)), 1);
        assert_eq!(
            code,
            vec![
                Instr::Br {
                    offset: Offset::new(3)
                },
                Instr::Copy {
                    dst: Reg(2),
                    src: x
                },
                Instr::AddImmBrI32LtU {
                    x,
                    step: 1,
                    rhs: n,
                    offset: Offset::new(-1),
                },
                Instr::Return {},
            ]
        );
        assert_eq!(map, vec![10, 11, 12, 14]);
    }

    #[test]
    fn leaves_a_branch_that_is_a_jump_target() {
        let x = Reg(1);
        let mut code = vec![
            Instr::I32AddImm {
                dst: x,
                a: x,
                imm: 1,
            },
            Instr::BrI32Ne {
                a: Reg(0),
                b: x,
                offset: Offset::new(-1),
            },
            Instr::Br {
                offset: Offset::new(-1),
            },
        ];
        let before = code.clone();
        assert_eq!(fuse_counter_branches(&mut code, None), 0);
        assert_eq!(code, before);
    }

    #[test]
    fn swaps_the_comparison_when_the_counter_is_on_the_right() {
        let (x, n) = (Reg(1), Reg(0));
        let mut code = vec![
            Instr::I32Add {
                dst: x,
                a: Reg(2),
                b: x,
            },
            Instr::BrI32GtU {
                a: n,
                b: x,
                offset: Offset::new(-1),
            },
            Instr::Return {},
        ];
        assert_eq!(fuse_counter_branches(&mut code, None), 1);
        assert_eq!(
            code[0],
            Instr::AddBrI32LtU {
                x,
                step: Reg(2),
                rhs: n,
                offset: Offset::new(0),
            }
        );
    }

    /// `r += imm` in place.
    fn step(r: Reg, imm: i32) -> Instr {
        Instr::I32AddImm { dst: r, a: r, imm }
    }

    #[test]
    fn fuses_steps_tested_against_a_constant() {
        // 0: y += 4 · 1: br_if y != 40 @0 · 2: x += 1 · 3: y += 2 · 4: br_if x != 9 @0
        // · 5: return
        let (x, y) = (Reg(1), Reg(2));
        let mut code = vec![
            step(y, 4),
            Instr::BrI32NeImm {
                a: y,
                imm: 40,
                offset: Offset::new(-1),
            },
            step(x, 1),
            step(y, 2),
            Instr::BrI32NeImm {
                a: x,
                imm: 9,
                offset: Offset::new(-4),
            },
            Instr::Return {},
        ];
        assert_eq!(fuse_counter_branches(&mut code, None), 2);
        assert_eq!(
            code,
            vec![
                Instr::AddImmBrNeImm {
                    x: y,
                    step: 4,
                    bound: 40,
                    offset: Offset::new(0),
                },
                // The tested step is `y` of the pair, whichever came first.
                Instr::AddImmPairBrNeImm {
                    x: y,
                    y: x,
                    i: 2,
                    j: 1,
                    bound: 9,
                    offset: Offset::new(-1),
                },
                Instr::Return {},
            ]
        );
    }

    #[test]
    fn leaves_a_pair_whose_test_is_a_jump_target_or_too_wide() {
        let (x, y) = (Reg(1), Reg(2));
        let mut code = vec![
            step(x, 1),
            step(y, 1),
            // A bound that does not fit the pair form's 16 bits.
            Instr::BrI32NeImm {
                a: y,
                imm: 100_000,
                offset: Offset::new(-2),
            },
            Instr::Return {},
        ];
        // The second step takes the test instead.
        assert_eq!(fuse_counter_branches(&mut code, None), 1);
        assert!(matches!(code[0], Instr::I32AddImm { .. }));
        assert!(matches!(
            code[1],
            Instr::AddImmBrNeImm { bound: 100_000, .. }
        ));
        let mut code = vec![
            step(x, 1),
            step(y, 1),
            Instr::BrI32NeImm {
                a: y,
                imm: 10,
                offset: Offset::new(-2),
            },
            Instr::Br {
                offset: Offset::new(-1),
            },
        ];
        assert_eq!(fuse_counter_branches(&mut code, None), 1);
        assert!(matches!(code[0], Instr::I32AddImmPair { .. }));
        assert!(matches!(code[1], Instr::BrI32NeImm { .. }));
    }
}
