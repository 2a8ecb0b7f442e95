//! Straight-line instructions: each takes its operands' registers (wherever the values are)
//! and writes its result to its own slot.

use super::stack::Opnd;
use super::Translator;
use crate::binary::Operator;
use crate::bytecode::{Instr, Offset, Reg};
use crate::error::{Error, Result};
use crate::ops::{for_each_numeric_op, NumOp};

/// The right operand of a comparison: a register or an immediate.
#[derive(Clone, Copy, Debug)]
pub(super) enum Rhs {
    Reg(Reg),
    Imm(i32),
}

macro_rules! define_num_helpers {
    ([] $( ($code:expr) $name:ident $mnem:literal $shape:ident
          ($a:ident $(, $b:ident)? -> $r:ident) $f:ident acc $acc:ident
          $(imm $imm:ident $immacc:ident)?
          $(cmp $cimm:ident $br:ident $brimm:ident $cimmacc:ident $bracc:ident $brimmacc:ident)?
          $(step $addbr:ident $addimmbr:ident $sel:ident $selimm:ident $addbracc:ident $addimmbracc:ident)?
          $(mem $mem:ident $memacc:ident)?; )*) => {
        /// The bytecode instruction for a numeric operator on registers.
        fn num_instr(op: NumOp, dst: Reg, a: Reg, b: Reg) -> Instr {
            match op { $( NumOp::$name => Instr::$name { dst, a, b }, )* }
        }

        /// The form of `op` taking its right operand as an immediate, if it has one.
        fn imm_instr(op: NumOp, dst: Reg, a: Reg, imm: i32) -> Option<Instr> {
            match op {
                $( $( NumOp::$name => Some(Instr::$imm { dst, a, imm }), )? )*
                $( $( NumOp::$name => {
                    let _ = stringify!($br);
                    Some(Instr::$cimm { dst, a, imm })
                } )? )*
                _ => None,
            }
        }

        /// The form of `op` taking its right operand from memory, if it has one.
        fn load_operand_instr(op: NumOp, dst: Reg, a: Reg, addr: Reg, offset: u32) -> Option<Instr> {
            match op {
                $( $( NumOp::$name => Some(Instr::$mem { dst, a, addr, offset }), )? )*
                _ => None,
            }
        }

        /// Whether `op` has a form with an immediate right operand.
        fn has_imm(op: NumOp) -> bool {
            match op {
                $( $( NumOp::$name => { let _ = stringify!($imm); true } )? )*
                $( $( NumOp::$name => { let _ = stringify!($cimm); true } )? )*
                _ => false,
            }
        }

        /// `(op, dst, a, rhs)` when `instr` is a comparison that can fuse into a branch.
        pub(super) fn compare_of(instr: &Instr) -> Option<(NumOp, Reg, Reg, Rhs)> {
            match *instr {
                $( $(
                    Instr::$name { dst, a, b } => {
                        let _ = stringify!($br);
                        Some((NumOp::$name, dst, a, Rhs::Reg(b)))
                    }
                )? )*
                $( $(
                    Instr::$cimm { dst, a, imm } => {
                        let _ = stringify!($br);
                        Some((NumOp::$name, dst, a, Rhs::Imm(imm)))
                    }
                )? )*
                _ => None,
            }
        }

        /// The fused branch jumping when `op(a, rhs)` holds (offset to be patched).
        pub(super) fn branch_on(op: NumOp, a: Reg, rhs: Rhs) -> Option<Instr> {
            let offset = Offset::new(0);
            match (op, rhs) {
                $( $(
                    (NumOp::$name, Rhs::Reg(b)) => Some(Instr::$br { a, b, offset }),
                    (NumOp::$name, Rhs::Imm(imm)) => Some(Instr::$brimm { a, imm, offset }),
                )? )*
                _ => None,
            }
        }

        /// `(op, a, rhs, offset)` of a fused compare-and-branch.
        pub(super) fn fused_parts(instr: &Instr) -> Option<(NumOp, Reg, Rhs, Offset)> {
            match *instr {
                $( $(
                    Instr::$br { a, b, offset } => Some((NumOp::$name, a, Rhs::Reg(b), offset)),
                    Instr::$brimm { a, imm, offset } => {
                        let _ = stringify!($cimm);
                        Some((NumOp::$name, a, Rhs::Imm(imm), offset))
                    }
                )? )*
                _ => None,
            }
        }

        /// `dst = op(a, rhs) ? x : y` in one instruction, for the comparisons that have it.
        pub(super) fn select_on(op: NumOp, dst: Reg, a: Reg, rhs: Rhs, x: Reg, y: Reg) -> Option<Instr> {
            match (op, rhs) {
                $( $(
                    (NumOp::$name, Rhs::Reg(b)) => {
                        let _ = stringify!($sel);
                        Some(Instr::$sel { dst, a, b, x, y })
                    }
                    (NumOp::$name, Rhs::Imm(imm)) => {
                        let imm = i16::try_from(imm).ok()?;
                        Some(Instr::$selimm { dst, a, imm, x, y })
                    }
                )? )*
                _ => None,
            }
        }

        /// The counter-step branch `x = x + step; jump by offset if op(x, rhs)`, for the
        /// comparisons that have one (`i32`) and a step that fits.
        pub(super) fn counter_branch(op: NumOp, x: Reg, step: Rhs, rhs: Reg, offset: Offset) -> Option<Instr> {
            match (op, step) {
                $( $(
                    (NumOp::$name, Rhs::Reg(step)) => Some(Instr::$addbr { x, step, rhs, offset }),
                    (NumOp::$name, Rhs::Imm(imm)) => {
                        let step = i16::try_from(imm).ok()?;
                        Some(Instr::$addimmbr { x, step, rhs, offset })
                    }
                )? )*
                _ => None,
            }
        }
    };
}
for_each_numeric_op!(define_num_helpers);

/// The comparison that holds exactly when `op` does not (integer comparisons only).
pub(super) fn negate(op: NumOp) -> NumOp {
    use NumOp::*;
    match op {
        I32Eq => I32Ne,
        I32Ne => I32Eq,
        I32LtS => I32GeS,
        I32GeS => I32LtS,
        I32LtU => I32GeU,
        I32GeU => I32LtU,
        I32GtS => I32LeS,
        I32LeS => I32GtS,
        I32GtU => I32LeU,
        I32LeU => I32GtU,
        I64Eq => I64Ne,
        I64Ne => I64Eq,
        I64LtS => I64GeS,
        I64GeS => I64LtS,
        I64LtU => I64GeU,
        I64GeU => I64LtU,
        I64GtS => I64LeS,
        I64LeS => I64GtS,
        I64GtU => I64LeU,
        I64LeU => I64GtU,
        other => unreachable!("{other:?} is not a fusable comparison"),
    }
}

impl Translator<'_> {
    pub(super) fn visit_straight(&mut self, op: &Operator) -> Result<()> {
        match *op {
            Operator::Nop => {}
            Operator::Num(num) => self.visit_numeric(num)?,
            Operator::I32Const(v) => self.push_const(v as u32 as u64)?,
            Operator::F32Const(bits) => self.push_const(bits as u64)?,
            Operator::I64Const(v) => self.push_const(v as u64)?,
            Operator::F64Const(bits) => self.push_const(bits)?,
            Operator::RefNull(_) => self.push_const(0)?,
            Operator::LocalGet(i) => {
                let (local, wide) = self.local(i);
                if wide {
                    self.get_local_v128(local)?;
                } else if self.opts.lazy_locals {
                    self.push_lazy(Opnd::Local(local))?;
                } else {
                    let dst = self.push_slot()?;
                    self.emit(Instr::Copy { dst, src: local });
                }
            }
            Operator::LocalSet(i) => match self.local(i) {
                (local, true) => self.set_local_v128(local)?,
                (local, false) => self.set_local(local)?,
            },
            Operator::LocalTee(i) => match self.local(i) {
                (local, true) => {
                    self.set_local_v128(local)?;
                    self.get_local_v128(local)?;
                }
                (local, false) => {
                    self.set_local(local)?;
                    self.push_lazy(Opnd::Local(local))?;
                }
            },
            Operator::Drop => {
                if self.stack.is_high(0) {
                    self.stack.pop();
                }
                self.stack.pop();
            }
            Operator::Select | Operator::SelectTyped(_) if self.stack.is_high(1) => {
                self.select_v128()?
            }
            Operator::Select | Operator::SelectTyped(_) => {
                if self.fuse_select()? {
                    return Ok(());
                }
                let cond = self.pop_reg()?;
                let b = self.pop_reg()?;
                let a = self.pop_reg()?;
                let dst = self.push_slot()?;
                self.emit(Instr::Select { dst, cond, a, b });
            }
            Operator::GlobalGet(global) if self.global_is_v128(global) => {
                let dst = self.push_v128()?;
                self.emit(Instr::V128GlobalGet { dst, global });
            }
            Operator::GlobalGet(global) => {
                let dst = self.push_slot()?;
                self.emit(Instr::GlobalGet { dst, global });
            }
            Operator::GlobalSet(global) if self.global_is_v128(global) => {
                let src = self.pop_v128()?;
                self.emit(Instr::V128GlobalSet { src, global });
            }
            Operator::GlobalSet(global) => {
                let src = self.pop_reg()?;
                self.emit(Instr::GlobalSet { src, global });
            }
            Operator::Load(kind, m) => self.visit_load_at(kind, m)?,
            Operator::Store(kind, m) => self.visit_store_at(kind, m)?,
            Operator::MemorySize(mem) => {
                let dst = self.push_slot()?;
                self.emit(Instr::MemorySize { dst, mem });
            }
            Operator::MemoryGrow(mem) => {
                let delta = self.pop_reg()?;
                let dst = self.push_slot()?;
                self.emit(Instr::MemoryGrow { dst, delta, mem });
            }
            Operator::MemoryInit { data, mem } => {
                let args = self.pop_slots(3)?;
                let mem = mem_u16(mem)?;
                self.emit(Instr::MemoryInit { args, data, mem });
            }
            Operator::DataDrop(data) => self.emit(Instr::DataDrop { data }),
            Operator::MemoryCopy { dst, src } => {
                let args = self.pop_slots(3)?;
                let (dst_mem, src_mem) = (mem_u16(dst)?, mem_u16(src)?);
                self.emit(Instr::MemoryCopy {
                    args,
                    dst_mem,
                    src_mem,
                });
            }
            Operator::MemoryFill(mem) => {
                let args = self.pop_slots(3)?;
                self.emit(Instr::MemoryFill { args, mem });
            }
            Operator::TableGet(table) => {
                let index = self.pop_reg()?;
                let dst = self.push_slot()?;
                self.emit(Instr::TableGet { dst, index, table });
            }
            Operator::TableSet(table) => {
                let value = self.pop_reg()?;
                let index = self.pop_reg()?;
                self.emit(Instr::TableSet {
                    index,
                    value,
                    table,
                });
            }
            Operator::TableSize(table) => {
                let dst = self.push_slot()?;
                self.emit(Instr::TableSize { dst, table });
            }
            Operator::TableGrow(table) => {
                let args = self.pop_slots(2)?;
                self.push_slot()?;
                self.emit(Instr::TableGrow { args, table });
            }
            Operator::TableFill(table) => {
                let args = self.pop_slots(3)?;
                self.emit(Instr::TableFill { args, table });
            }
            Operator::TableCopy { dst, src } => {
                let args = self.pop_slots(3)?;
                self.emit(Instr::TableCopy {
                    args,
                    dst_table: small(dst, "table index")?,
                    src_table: small(src, "table index")?,
                });
            }
            Operator::TableInit { elem, table } => {
                let args = self.pop_slots(3)?;
                self.emit(Instr::TableInit {
                    args,
                    table: small(table, "table index")?,
                    elem,
                });
            }
            Operator::ElemDrop(elem) => self.emit(Instr::ElemDrop { elem }),
            Operator::RefIsNull => {
                // A null reference is the cell 0, so this is `i64.eqz` on the cell.
                let a = self.pop_reg()?;
                let dst = self.push_slot()?;
                self.emit(Instr::I64Eqz { dst, a, b: a });
            }
            Operator::RefFunc(func) => {
                let dst = self.push_slot()?;
                self.emit(Instr::RefFunc { dst, func });
            }
            Operator::Call(func) => {
                let ty = self
                    .info
                    .func_type(func)
                    .ok_or_else(|| Error::Api("unknown function".into()))?;
                // Arguments go to consecutive slots: the callee's frame starts at the first.
                let args = self.pop_slots(ty.param_cells())?;
                self.push_typed_slots(ty.results())?;
                let call = self.call_with_copies(func, args);
                self.emit(call);
            }
            Operator::CallIndirect { type_index, table } => {
                let ty = &self.info.types[type_index as usize];
                let index = self.pop_reg()?;
                let args = self.pop_slots(ty.param_cells())?;
                self.push_typed_slots(ty.results())?;
                self.emit(Instr::CallIndirect {
                    type_index,
                    table: small(table, "table index")?,
                    index,
                    args,
                });
            }
            Operator::CallRef(type_index) => self.visit_call_ref(type_index)?,
            Operator::RefAsNonNull => self.visit_ref_as_non_null()?,
            Operator::Simd(op, imm) => self.visit_simd(op, imm)?,
            // Operands in consecutive slots; the (low, high) result replaces the first two.
            Operator::I64Add128 | Operator::I64Sub128 => {
                let args = self.pop_slots(4)?;
                self.push_slot()?;
                self.push_slot()?;
                self.emit(match op {
                    Operator::I64Add128 => Instr::I64Add128 { args },
                    _ => Instr::I64Sub128 { args },
                });
            }
            Operator::I64MulWideS | Operator::I64MulWideU => {
                let args = self.pop_slots(2)?;
                self.push_slot()?;
                self.push_slot()?;
                self.emit(match op {
                    Operator::I64MulWideS => Instr::I64MulWideS { args },
                    _ => Instr::I64MulWideU { args },
                });
            }
            // Control instructions are dispatched before we get here.
            Operator::Unreachable
            | Operator::Block(_)
            | Operator::Loop(_)
            | Operator::If(_)
            | Operator::Else
            | Operator::End
            | Operator::Br(_)
            | Operator::BrIf(_)
            | Operator::BrTable { .. }
            | Operator::Return
            | Operator::ReturnCall(_)
            | Operator::ReturnCallIndirect { .. }
            | Operator::ReturnCallRef(_)
            | Operator::BrOnNull(_)
            | Operator::BrOnNonNull(_)
            | Operator::Throw(_)
            | Operator::ThrowRef
            | Operator::TryTable { .. } => {
                unreachable!("control instruction {op:?} in visit_straight")
            }
        }
        Ok(())
    }

    fn push_const(&mut self, c: u64) -> Result<()> {
        if self.opts.immediates {
            self.push_lazy(Opnd::Const(c))
        } else {
            let dst = self.push_slot()?;
            self.emit_const(dst, c);
            Ok(())
        }
    }

    fn visit_numeric(&mut self, num: NumOp) -> Result<()> {
        if num.params().len() == 1 {
            let a = self.pop_reg()?;
            let dst = self.push_slot()?;
            self.emit(num_instr(num, dst, a, a));
            return Ok(());
        }
        if let (Some(&Opnd::Const(c)), true) = (self.stack.last(), has_imm(num)) {
            // A constant right operand that fits 32 bits (sign-extended for i64) is folded in.
            let imm = if num.params()[0] == crate::ValType::I64 {
                i32::try_from(c as i64).ok()
            } else {
                Some(c as u32 as i32)
            };
            if let Some(imm) = imm {
                self.stack.pop();
                if matches!(num, NumOp::I32And | NumOp::I32Add) && self.fuse_shift_imm(num, imm)? {
                    return Ok(());
                }
                let a = self.pop_reg()?;
                let dst = self.push_slot()?;
                let instr = match self.opts.constant_division {
                    true => divide_by_constant(num, dst, a, imm as u32),
                    false => None,
                };
                if let Some(instr) = instr.or_else(|| imm_instr(num, dst, a, imm)) {
                    self.emit(instr);
                }
                return Ok(());
            }
        }
        if self.opts.multiply_add && self.fuse_multiply_add(num)? {
            return Ok(());
        }
        if self.opts.bit_fusions && num == NumOp::I32Xor && self.fuse_xor_shifted()? {
            return Ok(());
        }
        if self.opts.load_operands && self.fuse_load_operand(num)? {
            return Ok(());
        }
        let b = self.pop_reg()?;
        let a = self.pop_reg()?;
        let dst = self.push_slot()?;
        self.emit(num_instr(num, dst, a, b));
        Ok(())
    }

    /// `select` whose condition the last instruction computed: a comparison becomes
    /// `select_<cmp>`, an `i32.eqz` a `select` with its operands swapped, an `i32.and` with a
    /// 16-bit constant (a flag test) `select_and_imm`. (Under
    /// `fused_branches`, like the same fusions into `br_if`.) Constant operands are written
    /// to their own slots, which the comparison, computed after them, cannot be reading.
    fn fuse_select(&mut self) -> Result<bool> {
        let n = self.stack.len();
        let fusable = self.opts.fused_branches && n >= 3 && self.stack[n - 1] == Opnd::Slot;
        if !(fusable && self.last_is_rewritable()) {
            return Ok(false);
        }
        let slot = self.slot(self.height() - 1)?;
        let Some(&last) = self.code.last() else {
            return Ok(false);
        };
        enum Test {
            Cmp(NumOp, Reg, Rhs),
            Eqz(Reg),
            And(Reg, u16),
        }
        let test = match last {
            Instr::I32Eqz { dst, a, .. } if dst == slot => Test::Eqz(a),
            Instr::I32AndImm { dst, a, imm } if dst == slot && u16::try_from(imm).is_ok() => {
                Test::And(a, imm as u16)
            }
            _ => match compare_of(&last) {
                Some((op, dst, a, rhs)) if dst == slot => Test::Cmp(op, a, rhs),
                _ => return Ok(false),
            },
        };
        if let Test::Cmp(op, a, rhs) = test {
            if select_on(op, Reg(0), a, rhs, Reg(0), Reg(0)).is_none() {
                return Ok(false);
            }
        }
        self.unemit();
        self.stack.pop();
        let y = self.pop_reg()?;
        let x = self.pop_reg()?;
        let dst = self.push_slot()?;
        self.emit(match test {
            Test::Eqz(c) => Instr::Select {
                dst,
                cond: c,
                a: y,
                b: x,
            },
            Test::Cmp(op, a, rhs) => select_on(op, dst, a, rhs, x, y).expect("checked above"),
            Test::And(a, mask) => Instr::SelectAndImm { dst, a, mask, x, y },
        });
        Ok(true)
    }

    /// An `add` whose operand the last instruction computed with a `mul` of the same type
    /// becomes one `mul_add`, when the other operand needs no instruction of its own (a local
    /// or a slot already written). Addition commutes, floating-point too: when both operands
    /// are NaN the result's payload is nondeterministic in Wasm (and the separate add's is
    /// whatever operand order the Rust compiler picked). A `sub` of the product from the
    /// other operand (`c - a * b`, not `a * b - c`) becomes one `mul_sub` the same way.
    fn fuse_multiply_add(&mut self, num: NumOp) -> Result<bool> {
        let commutes = num.commutes();
        let product = |last: &Instr| mul_of(num, last).map(|m| m.0);
        let Some((last, dst, c)) = self.take_producer(commutes, product)? else {
            return Ok(false);
        };
        let (_, a, b) = mul_of(num, &last).expect("matched above");
        self.emit(match num {
            NumOp::I32Add => Instr::I32MulAdd { dst, a, b, c },
            NumOp::I64Add => Instr::I64MulAdd { dst, a, b, c },
            NumOp::F32Add => Instr::F32MulAdd { dst, a, b, c },
            NumOp::F64Add => Instr::F64MulAdd { dst, a, b, c },
            NumOp::I32Sub => Instr::I32MulSub { dst, a, b, c },
            NumOp::I64Sub => Instr::I64MulSub { dst, a, b, c },
            NumOp::F32Sub => Instr::F32MulSub { dst, a, b, c },
            _ => Instr::F64MulSub { dst, a, b, c },
        });
        Ok(true)
    }

    /// An arithmetic operation on the value the last instruction loaded takes it from memory
    /// itself (`f64.mul_load`), when that load was a plain one (address and static offset, no
    /// fused address arithmetic) of the operation's width. The fused instruction reads its
    /// registers and the memory exactly where the load did, and traps where it did. Unless the
    /// operation commutes, the loaded value must be its right operand; for `f32`/`f64` `add`
    /// and `mul` the order of the operands only matters to a NaN result's payload, which Wasm
    /// leaves nondeterministic.
    fn fuse_load_operand(&mut self, num: NumOp) -> Result<bool> {
        if load_operand_instr(num, Reg(0), Reg(0), Reg(0), 0).is_none() {
            return Ok(false);
        }
        let commutes = num.commutes();
        let wide = matches!(num.params()[0], crate::ValType::I64 | crate::ValType::F64);
        let loaded = |last: &Instr| plain_load(last, wide).map(|(dst, _, _)| dst);
        let Some((last, dst, a)) = self.take_producer(commutes, loaded)? else {
            return Ok(false);
        };
        let (_, addr, offset) = plain_load(&last, wide).expect("matched above");
        self.emit(load_operand_instr(num, dst, a, addr, offset).expect("checked above"));
        Ok(true)
    }

    /// For a binary operation about to be emitted: when the last instruction computed one of
    /// its two operands into that operand's slot (`produces` gives the register it writes, if
    /// it is the right kind of instruction) and the other operand needs no instruction of its
    /// own (a local or a slot already written), removes that instruction, pops both operands
    /// and pushes the result's slot. Returns the removed instruction, the result slot and the
    /// other operand, for the caller to emit the fused instruction. Unless the operation
    /// `commutes`, the computed operand must be the right one.
    fn take_producer(
        &mut self,
        commutes: bool,
        produces: impl Fn(&Instr) -> Option<Reg>,
    ) -> Result<Option<(Instr, Reg, Reg)>> {
        let n = self.stack.len();
        if n < 2 || !self.last_is_rewritable() {
            return Ok(None);
        }
        let top = self.slot(self.height() - 1)?;
        let below = self.slot(self.height() - 2)?;
        let Some(&last) = self.code.last() else {
            return Ok(None);
        };
        let Some(dst) = produces(&last) else {
            return Ok(None);
        };
        let other = match (self.stack[n - 2], self.stack[n - 1]) {
            // `c op f(..)`
            (Opnd::Slot, Opnd::Slot) if dst == top => below,
            (Opnd::Local(c), Opnd::Slot) if dst == top => c,
            // `f(..) op c`
            (Opnd::Slot, Opnd::Local(c)) if dst == below && commutes => c,
            _ => return Ok(None),
        };
        self.unemit();
        self.stack.truncate(n - 2);
        let dst = self.push_slot()?;
        Ok(Some((last, dst, other)))
    }

    /// `i32.xor` of an `i32.rotl_imm`'s result is one `i32.xor_rotl_imm`, of an
    /// `i32.shr_u_imm`'s one `i32.xor_shr_u_imm`.
    fn fuse_xor_shifted(&mut self) -> Result<bool> {
        let shifted = |last: &Instr| match *last {
            Instr::I32RotlImm { dst, .. } | Instr::I32ShrUImm { dst, .. } => Some(dst),
            _ => None,
        };
        let Some((last, dst, other)) = self.take_producer(true, shifted)? else {
            return Ok(false);
        };
        // Both count modulo 32.
        self.emit(match last {
            Instr::I32RotlImm { a, imm, .. } => Instr::I32XorRotlImm {
                dst,
                a: other,
                b: a,
                rot: (imm & 31) as u16,
            },
            Instr::I32ShrUImm { a, imm, .. } => Instr::I32XorShrUImm {
                dst,
                a: other,
                b: a,
                shift: (imm & 31) as u16,
            },
            _ => unreachable!("`shifted` takes only these two"),
        });
        Ok(true)
    }

    /// `num` (`i32.and` or `i32.add`) with constant `imm` (already popped) of the value a
    /// shift by a constant just computed into the top slot: `shr_u` then `and` is a bit-field
    /// extract (`i32.shr_u_and_imm`), `shl` then `add` an array element's address
    /// (`i32.shl_add_imm`). Shift counts are stored modulo 32, as the instructions use them.
    fn fuse_shift_imm(&mut self, num: NumOp, imm: i32) -> Result<bool> {
        if !(self.opts.bit_fusions
            && self.stack.last() == Some(&Opnd::Slot)
            && self.last_is_rewritable())
        {
            return Ok(false);
        }
        let slot = self.slot(self.height() - 1)?;
        let (a, shift) = match (num, self.code.last()) {
            (NumOp::I32And, Some(&Instr::I32ShrUImm { dst, a, imm: s }))
            | (NumOp::I32Add, Some(&Instr::I32ShlImm { dst, a, imm: s }))
                if dst == slot =>
            {
                (a, (s & 31) as u16)
            }
            _ => return Ok(false),
        };
        self.unemit();
        self.stack.pop();
        let dst = self.push_slot()?;
        self.emit(match num {
            NumOp::I32And => Instr::I32ShrUAndImm {
                dst,
                a,
                shift,
                mask: imm,
            },
            _ => Instr::I32ShlAddImm { dst, a, shift, imm },
        });
        Ok(true)
    }

    /// The call of `func` with its frame at `args`, taking in the copy (`copy_pairs`) just
    /// emitted: any single copy (it runs first, as it did before), or a `copy2` of the first
    /// two arguments.
    fn call_with_copies(&mut self, func: u32, args: Reg) -> Instr {
        if !(self.opts.copy_pairs && self.last_is_rewritable()) {
            return Instr::Call { func, args };
        }
        let call = match self.code.last() {
            Some(&Instr::Copy { dst, src }) => Instr::CallCopy {
                func,
                args,
                dst,
                src,
            },
            Some(&Instr::Copy2 {
                dst0,
                src0,
                dst1,
                src1,
            }) if dst0 == args && u32::from(dst1.0) == u32::from(args.0) + 1 => Instr::CallCopy2 {
                func,
                args,
                a: src0,
                b: src1,
            },
            _ => return Instr::Call { func, args },
        };
        self.unemit();
        call
    }

    /// `local.set`: when the value was just computed into its slot, make the producing
    /// instruction write the local directly instead of emitting a copy.
    fn set_local(&mut self, local: Reg) -> Result<()> {
        let pos = self.height() - 1;
        let slot = self.slot(pos)?;
        let value = self.stack.pop().expect("validated: operand present");
        let pending = self.stack.contains(&Opnd::Local(local));
        if value == Opnd::Slot
            && !pending
            && self.opts.result_retargeting
            && self.last_is_rewritable()
        {
            if let Some(dst) = self.code.last_mut().and_then(Instr::result_reg_mut) {
                if *dst == slot {
                    *dst = local;
                    return Ok(());
                }
            }
        }
        // Entries still reading the local's old value get their own copy first.
        self.materialize_local(local)?;
        // `local.tee y` then `local.set x` of an `i32.add_imm`: both locals written at once.
        if let (Opnd::Local(y), true) = (value, self.opts.result_retargeting) {
            if let (Some(Instr::I32AddImm { dst, a, imm }), true) =
                (self.code.last().copied(), self.last_is_rewritable())
            {
                if dst == y && y != local {
                    self.unemit();
                    self.emit(Instr::I32AddImm2 {
                        dst,
                        dst2: local,
                        a,
                        imm,
                    });
                    return Ok(());
                }
            }
        }
        self.emit_move(local, value, slot);
        Ok(())
    }
}

/// `(dst, addr, offset)` of a plain 32-bit (or, when `wide`, 64-bit) load: the bits it reads
/// are the value, whatever its type.
fn plain_load(instr: &Instr, wide: bool) -> Option<(Reg, Reg, u32)> {
    match *instr {
        Instr::I32Load { dst, addr, offset } | Instr::F32Load { dst, addr, offset } if !wide => {
            Some((dst, addr, offset))
        }
        Instr::I64Load { dst, addr, offset } | Instr::F64Load { dst, addr, offset } if wide => {
            Some((dst, addr, offset))
        }
        _ => None,
    }
}

pub(super) fn small(v: u32, what: &str) -> Result<u16> {
    u16::try_from(v).map_err(|_| Error::Limit(format!("{what} {v} exceeds 65535")))
}

/// `(dst, a, b)` when `instr` is the register-register `mul` matching the `add` or `sub` `num`.
fn mul_of(num: NumOp, instr: &Instr) -> Option<(Reg, Reg, Reg)> {
    match (num, *instr) {
        (NumOp::I32Add | NumOp::I32Sub, Instr::I32Mul { dst, a, b })
        | (NumOp::I64Add | NumOp::I64Sub, Instr::I64Mul { dst, a, b })
        | (NumOp::F32Add | NumOp::F32Sub, Instr::F32Mul { dst, a, b })
        | (NumOp::F64Add | NumOp::F64Sub, Instr::F64Mul { dst, a, b }) => Some((dst, a, b)),
        _ => None,
    }
}

/// A memory index as a bulk instruction's 16-bit operand.
fn mem_u16(mem: u32) -> Result<u16> {
    u16::try_from(mem)
        .map_err(|_| crate::error::Error::Limit(format!("memory index {mem} above 65535")))
}

/// An unsigned `i32` division or remainder by the constant `d` without a division: a shift or
/// mask for a power of two, else a multiplication by `d`'s reciprocal (`numeric::UDivMagic`).
/// `None` for anything else, and for `d` = 0 (which traps) or 1.
fn divide_by_constant(num: NumOp, dst: Reg, a: Reg, d: u32) -> Option<Instr> {
    let pow2 = (d >= 2 && d.is_power_of_two()).then(|| d.trailing_zeros() as i32);
    let magic = crate::numeric::UDivMagic::new(d);
    Some(match (num, pow2, magic) {
        (NumOp::I32DivU, Some(k), _) => Instr::I32ShrUImm { dst, a, imm: k },
        (NumOp::I32RemU, Some(_), _) => Instr::I32AndImm {
            dst,
            a,
            imm: (d - 1) as i32,
        },
        (NumOp::I32DivU, _, Some(m)) => Instr::I32DivUConst {
            dst,
            a,
            shift: m.shift,
            magic: m.magic,
        },
        (NumOp::I32RemU, _, Some(m)) => Instr::I32RemUConst {
            dst,
            a,
            shift: m.shift,
            magic: m.magic,
            d,
        },
        _ => return None,
    })
}
