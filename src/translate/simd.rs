//! `v128` values and vector instructions. A `v128` is two operand-stack entries (two register
//! cells, low half first, the high one marked), so everything that moves values without
//! looking at them (branches, calls, block results) moves it cell by cell; only what reads or
//! writes one as a whole is here.

use super::stack::Opnd;
use super::Translator;
use crate::bytecode::{Instr, LaneSel, Reg, VReg};
use crate::error::Result;
use crate::simd::{Shape, SimdImm, SimdOp};
use crate::value::ValType;

impl Translator<'_> {
    pub(super) fn global_is_v128(&self, global: u32) -> bool {
        self.info
            .globals
            .get(global as usize)
            .is_some_and(|g| g.content == ValType::V128)
    }

    /// `local.get` of a `v128` local at registers `local`, `local + 1`.
    pub(super) fn get_local_v128(&mut self, local: Reg) -> Result<()> {
        let hi = Reg(local.0 + 1);
        if self.opts.lazy_locals {
            self.push_lazy_v128(Opnd::Local(local), Opnd::Local(hi))
        } else {
            let dst = self.push_v128()?;
            self.emit_copy(dst.lo(), local);
            self.emit_copy(dst.hi(), hi);
            Ok(())
        }
    }

    /// `local.set` of a `v128` local: both halves, each wherever it is.
    pub(super) fn set_local_v128(&mut self, local: Reg) -> Result<()> {
        let hi = Reg(local.0 + 1);
        // Entries still reading the local's old value get their own copy first.
        let h = self.height();
        let (lo_slot, hi_slot) = (self.slot(h - 2)?, self.slot(h - 1)?);
        let hi_value = self.stack.pop().expect("validated: v128 operand");
        let lo_value = self.stack.pop().expect("validated: v128 operand");
        self.materialize_local(local)?;
        self.materialize_local(hi)?;
        self.emit_move(local, lo_value, lo_slot);
        self.emit_move(hi, hi_value, hi_slot);
        Ok(())
    }

    /// `select` of two `v128`s: one `select` per half on the same condition.
    pub(super) fn select_v128(&mut self) -> Result<()> {
        let cond = self.pop_reg()?;
        let b = self.pop_v128()?;
        let a = self.pop_v128()?;
        let dst = self.push_v128()?;
        // `dst` may be `a`'s slots: the low half is written first and read by nothing after.
        self.emit(Instr::Select {
            dst: dst.lo(),
            cond,
            a: a.lo(),
            b: b.lo(),
        });
        self.emit(Instr::Select {
            dst: dst.hi(),
            cond,
            a: a.hi(),
            b: b.hi(),
        });
        Ok(())
    }

    pub(super) fn visit_simd(&mut self, op: SimdOp, imm: SimdImm) -> Result<()> {
        if let SimdImm::Mem(m) | SimdImm::MemLane(m, _) = imm {
            let lane = if let SimdImm::MemLane(_, l) = imm {
                l
            } else {
                0
            };
            if self.visit_simd_at(op, m, lane)? {
                return Ok(());
            }
        }
        let (offset, lane) = match imm {
            SimdImm::Mem(m) => (m.offset as u32, 0),
            SimdImm::MemLane(m, l) => (m.offset as u32, l),
            SimdImm::Lane(l) => (0, l),
            _ => (0, 0),
        };
        match op.shape() {
            Shape::Const => {
                let SimdImm::Bytes(b) = imm else {
                    unreachable!("decoded with its bytes")
                };
                let v = u128::from_le_bytes(b);
                let (lo, hi) = (v as u64, (v >> 64) as u64);
                if self.opts.immediates {
                    self.push_lazy_v128(Opnd::Const(lo), Opnd::Const(hi))?;
                } else {
                    let dst = self.push_v128()?;
                    self.emit_const(dst.lo(), lo);
                    self.emit_const(dst.hi(), hi);
                }
            }
            Shape::Un => {
                let a = self.pop_v128()?;
                let dst = self.push_v128()?;
                self.emit(Instr::V128Un { dst, a, op });
            }
            Shape::Bin => {
                if self.opts.load_operands && self.fuse_v128_load_operand(op)? {
                    return Ok(());
                }
                let b = self.pop_v128()?;
                let a = self.pop_v128()?;
                let dst = self.push_v128()?;
                self.emit(Instr::V128Bin { dst, a, b, op });
            }
            Shape::Tern => {
                let c = self.pop_v128()?;
                let b = self.pop_v128()?;
                let a = self.pop_v128()?;
                let dst = self.push_v128()?;
                self.emit(Instr::V128Tern { dst, a, b, c, op });
            }
            Shape::Shuffle => {
                let SimdImm::Bytes(lanes) = imm else {
                    unreachable!("decoded with its bytes")
                };
                let b = self.pop_v128()?;
                let a = self.pop_v128()?;
                // The lane indices go in the two cells above the operands' slots, so writing
                // them cannot overwrite an operand.
                let h = self.height();
                let mask = VReg(self.slot(h + 4)?.0);
                self.slot(h + 5)?;
                self.max_height = self.max_height.max(h + 6);
                let v = u128::from_le_bytes(lanes);
                self.emit_const(mask.lo(), v as u64);
                self.emit_const(mask.hi(), (v >> 64) as u64);
                let dst = self.push_v128()?;
                self.emit(Instr::V128Shuffle { dst, a, b, mask });
            }
            Shape::Test => {
                let a = self.pop_v128()?;
                let dst = self.push_slot()?;
                self.emit(Instr::V128Test { dst, a, op });
            }
            Shape::Shift => {
                let b = self.pop_reg()?;
                let a = self.pop_v128()?;
                let dst = self.push_v128()?;
                self.emit(Instr::V128Shift { dst, a, b, op });
            }
            Shape::Splat(_) => {
                let a = self.pop_reg()?;
                let dst = self.push_v128()?;
                self.emit(Instr::V128Splat { dst, a, op });
            }
            Shape::Extract(..) => {
                let a = self.pop_v128()?;
                let dst = self.push_slot()?;
                self.emit(Instr::V128Extract { dst, a, lane, op });
            }
            Shape::Replace(..) => {
                let b = self.pop_reg()?;
                let a = self.pop_v128()?;
                let dst = self.push_v128()?;
                self.emit(Instr::V128Replace {
                    dst,
                    a,
                    b,
                    lane,
                    op,
                });
            }
            Shape::Load(_) => {
                if let Some((base, disp, offset)) = self.fusable_disp(1, offset) {
                    self.unemit();
                    self.stack.pop();
                    let dst = self.push_v128()?;
                    self.emit(Instr::V128LoadDisp {
                        dst,
                        base,
                        disp,
                        offset,
                        op,
                    });
                    return Ok(());
                }
                let addr = self.pop_reg()?;
                let dst = self.push_v128()?;
                self.emit(Instr::V128Load {
                    dst,
                    addr,
                    offset,
                    op,
                });
            }
            Shape::Store(_) => {
                if self.opts.load_operands && self.fuse_v128_update(offset)? {
                    return Ok(());
                }
                if self.fuse_v128_store_disp(offset)? {
                    return Ok(());
                }
                let src = self.pop_v128()?;
                let addr = self.pop_reg()?;
                self.emit(Instr::V128Store { addr, src, offset });
            }
            Shape::LoadLane(bytes, _) => {
                let src = self.pop_v128()?;
                let addr = self.pop_reg()?;
                let dst = self.push_v128()?;
                self.emit(Instr::V128LoadLane {
                    dst,
                    addr,
                    src,
                    offset,
                    sel: LaneSel::new(bytes, lane),
                });
            }
            Shape::StoreLane(bytes, _) => {
                let src = self.pop_v128()?;
                let addr = self.pop_reg()?;
                self.emit(Instr::V128StoreLane {
                    addr,
                    src,
                    offset,
                    sel: LaneSel::new(bytes, lane),
                });
            }
        }
        Ok(())
    }

    /// `v128.load` then a binary operator taking the loaded vector as its right operand, its
    /// left one a local or an already written slot: one `v128.bin_load` (the `load_operands`
    /// optimization, as for scalar operators). The load's result never reaches a register.
    fn fuse_v128_load_operand(&mut self, op: SimdOp) -> Result<bool> {
        let n = self.stack.len();
        if n < 4 || !self.last_is_rewritable() {
            return Ok(false);
        }
        // Where the loaded vector comes from: a register's address, or a base register plus a
        // displacement (`v128.load_disp`).
        let (loaded, addr, disp) = match self.code.last().copied() {
            Some(Instr::V128Load {
                dst,
                addr,
                offset,
                op: SimdOp::V128Load,
            }) => (dst, addr, Err(offset)),
            Some(Instr::V128LoadDisp {
                dst,
                base,
                disp,
                offset,
                op: SimdOp::V128Load,
            }) => (dst, base, Ok((disp, offset))),
            _ => return Ok(false),
        };
        let top = self.slot(self.height() - 2)?;
        let b_is_loaded =
            matches!(self.stack[n - 2..], [Opnd::Slot, Opnd::Slot]) && top == loaded.lo();
        // The left operand must need no instruction of its own: the fused instruction has to
        // follow the load's place directly.
        let a_ready = match self.stack[n - 4..n - 2] {
            [Opnd::Slot, Opnd::Slot] => true,
            [Opnd::Local(lo), Opnd::Local(hi)] => hi.0 == lo.0.wrapping_add(1),
            _ => false,
        };
        if !b_is_loaded || !a_ready {
            return Ok(false);
        }
        self.unemit();
        self.stack.truncate(n - 2);
        let a = self.pop_v128()?;
        let dst = self.push_v128()?;
        self.emit(match disp {
            Err(offset) => Instr::V128BinLoad {
                dst,
                a,
                addr,
                offset,
                op,
            },
            Ok((disp, offset)) => Instr::V128BinLoadDisp {
                dst,
                a,
                base: addr,
                disp,
                offset,
                op,
            },
        });
        Ok(true)
    }

    /// A `v128.store` of a vector local whose address the last instruction computed as
    /// `base + disp`: one `v128.store_disp`. The value must need no instruction of its own
    /// (one would come after the add), so only a local's register pair qualifies.
    fn fuse_v128_store_disp(&mut self, offset: u32) -> Result<bool> {
        let n = self.stack.len();
        let value_is_local = n >= 3
            && matches!(self.stack[n - 2..], [Opnd::Local(lo), Opnd::Local(hi)]
                if hi.0 == lo.0.wrapping_add(1));
        if !value_is_local {
            return Ok(false);
        }
        let Some((base, disp, offset)) = self.fusable_disp(3, offset) else {
            return Ok(false);
        };
        self.unemit();
        let src = self.pop_v128()?;
        self.stack.pop();
        self.emit(Instr::V128StoreDisp {
            base,
            src,
            disp,
            offset,
        });
        Ok(true)
    }

    /// A `v128.bin_load` whose result is stored straight back where it loaded from (same
    /// address register, same offset): `c[i] = c[i] op a`, one `v128.bin_load_store`. The
    /// result was a stack slot that the store consumes, so it need not be written.
    fn fuse_v128_update(&mut self, offset: u32) -> Result<bool> {
        let n = self.stack.len();
        if n < 3 || !self.last_is_rewritable() {
            return Ok(false);
        }
        let Some(&Instr::V128BinLoad {
            dst,
            a,
            addr,
            offset: loaded_at,
            op,
        }) = self.code.last()
        else {
            return Ok(false);
        };
        let h = self.height();
        let src_is_result = matches!(self.stack[n - 2..], [Opnd::Slot, Opnd::Slot])
            && self.slot(h - 2)? == dst.lo();
        let same_addr = match self.stack[n - 3] {
            Opnd::Local(r) => r == addr,
            Opnd::Slot => self.slot(h - 3)? == addr,
            _ => false,
        };
        if !src_is_result || !same_addr || offset != loaded_at {
            return Ok(false);
        }
        self.unemit();
        self.stack.truncate(n - 3);
        self.emit(Instr::V128BinLoadStore {
            a,
            addr,
            offset,
            op,
        });
        Ok(true)
    }
}
