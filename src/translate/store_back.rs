//! A sum stored back where one of its operands was loaded from, `*p += x` for a float: after
//! the load operands, that is `f64.add_load dst a [addr + offset]` then `f64.store [addr +
//! offset] dst`, one `f64.add_load_store` (`f32` likewise; the accumulator pass, which runs
//! after, then reads `a` from the accumulator). Numeric code's updates of an array element or
//! a struct field (`c[j] += a * b[j]`, `v->x += dx`) take one dispatch instead of two. A pass
//! over the finished function: the store must follow the add right away, at the same address
//! register and offset, and no jump may land on it.

use super::counter::{compact, jump_targets};
use crate::bytecode::Instr;

/// Fuses every float add from memory with the store of its sum back to the same place;
/// returns how many it fused.
pub(super) fn fuse_stores_back(code: &mut Vec<Instr>, source_map: Option<&mut Vec<u32>>) -> usize {
    // Most functions have no float add from memory: nothing to allocate for them.
    let adds = |i: &Instr| matches!(i, Instr::F32AddLoad { .. } | Instr::F64AddLoad { .. });
    if !code.iter().any(adds) {
        return 0;
    }
    let targets = jump_targets(code);
    let mut removed = vec![false; code.len()];
    let mut fused = 0;
    for at in 0..code.len().saturating_sub(1) {
        if targets[at + 1] || removed[at] {
            continue;
        }
        if let Some(both) = stored_back(&code[at], &code[at + 1]) {
            code[at] = both;
            removed[at + 1] = true;
            fused += 1;
        }
    }
    if fused > 0 {
        compact(code, &removed, source_map);
    }
    fused
}

/// `add` then `store` as one instruction, when the store writes the sum back where the add
/// loaded from. The address register must not be the sum's: the store would then use the sum
/// as its address.
fn stored_back(add: &Instr, store: &Instr) -> Option<Instr> {
    let back =
        |dst, addr, offset, (a, src, o)| addr == a && src == dst && offset == o && dst != addr;
    match (*add, *store) {
        (
            Instr::F32AddLoad {
                dst,
                a,
                addr,
                offset,
            },
            Instr::F32Store {
                addr: at,
                src,
                offset: o,
            },
        ) if back(dst, addr, offset, (at, src, o)) => Some(Instr::F32AddLoadStore {
            dst,
            a,
            addr,
            offset,
        }),
        (
            Instr::F64AddLoad {
                dst,
                a,
                addr,
                offset,
            },
            Instr::F64Store {
                addr: at,
                src,
                offset: o,
            },
        ) if back(dst, addr, offset, (at, src, o)) => Some(Instr::F64AddLoadStore {
            dst,
            a,
            addr,
            offset,
        }),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bytecode::{Offset, Reg};

    #[test]
    fn fuses_a_sum_stored_back_to_its_place() {
        let (dst, a, p, q) = (Reg(3), Reg(4), Reg(1), Reg(2));
        let add = |addr, offset| Instr::F64AddLoad {
            dst,
            a,
            addr,
            offset,
        };
        let store = |addr, src, offset| Instr::F64Store { addr, src, offset };
        // 0: add [p+8] · 1: store [p+8] · 2: add [p+8] · 3: store [q+8] · 4: add [p+8]
        // · 5: store [p+0] · 6: add [p+8] · 7: store a to [p+8] · 8: br_if @-8 · 9: return
        let mut code = vec![
            add(p, 8),
            store(p, dst, 8),
            add(p, 8),
            store(q, dst, 8),
            add(p, 8),
            store(p, dst, 0),
            add(p, 8),
            store(p, a, 8),
            Instr::BrIfNez {
                cond: Reg(0),
                offset: Offset::new(-8),
            },
            Instr::Return {},
        ];
        let mut map: Vec<u32> = (0..code.len() as u32).collect();
        assert_eq!(fuse_stores_back(&mut code, Some(&mut map)), 1);
        let fused = Instr::F64AddLoadStore {
            dst,
            a,
            addr: p,
            offset: 8,
        };
        assert_eq!(code[0], fused);
        assert_eq!(code.len(), 9);
        assert_eq!(code[7].jump_offset(), Some(Offset::new(-7)));
        assert_eq!(map, [0, 2, 3, 4, 5, 6, 7, 8, 9]);
        // Not when a jump lands on the store, nor when the sum is the address.
        let mut entered = vec![
            add(p, 0),
            store(p, dst, 0),
            Instr::BrIfNez {
                cond: Reg(0),
                offset: Offset::new(-1),
            },
            Instr::Return {},
        ];
        assert_eq!(fuse_stores_back(&mut entered, None), 0);
        let own = Instr::F32AddLoad {
            dst: p,
            a,
            addr: p,
            offset: 0,
        };
        let own_store = Instr::F32Store {
            addr: p,
            src: p,
            offset: 0,
        };
        let mut code = vec![own, own_store, Instr::Return {}];
        assert_eq!(fuse_stores_back(&mut code, None), 0);
    }
}
