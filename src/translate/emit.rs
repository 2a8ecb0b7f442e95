//! Straight-line instructions: each takes its operands' registers (wherever the values are)
//! and writes its result to its own slot.

use super::stack::Opnd;
use super::Translator;
use crate::binary::{LoadKind, Operator, StoreKind};
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
          ($a:ident $(, $b:ident)? -> $r:ident) $f:ident
          $(imm $imm:ident)? $(cmp $cimm:ident $br:ident $brimm:ident)?
          $(step $addbr:ident $addimmbr:ident $sel:ident $selimm:ident)?; )*) => {
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

        /// Whether `op` has a form with an immediate right operand.
        fn has_imm(op: NumOp) -> bool {
            match op {
                $( $( NumOp::$name => { let _ = stringify!($imm); true } )? )*
                $( $( NumOp::$name => { let _ = stringify!($cimm); true } )? )*
                _ => false,
            }
        }

        /// The register an instruction computing a numeric result writes.
        fn numeric_dst(instr: &mut Instr) -> Option<&mut Reg> {
            match instr {
                $(
                    Instr::$name { dst, .. } => Some(dst),
                    $( Instr::$imm { dst, .. } => Some(dst), )?
                    $( Instr::$cimm { dst, .. } => { let _ = stringify!($br); Some(dst) } )?
                    $( Instr::$sel { dst, .. } | Instr::$selimm { dst, .. } => {
                        let _ = stringify!($addbr);
                        Some(dst)
                    } )?
                )*
                _ => None,
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
            let offset = Offset(0);
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

        /// The offset of a fused branch (compare or counter step), for patching.
        pub(super) fn fused_offset(instr: &mut Instr) -> Option<&mut Offset> {
            match instr {
                $( $(
                    Instr::$br { offset, .. } | Instr::$brimm { offset, .. } => Some(offset),
                )? )*
                $( $(
                    Instr::$addbr { offset, .. } | Instr::$addimmbr { offset, .. } => Some(offset),
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

/// The comparison that holds for `(b, a)` exactly when `op` holds for `(a, b)`.
pub(super) fn swap(op: NumOp) -> NumOp {
    use NumOp::*;
    match op {
        I32LtS => I32GtS,
        I32GtS => I32LtS,
        I32LtU => I32GtU,
        I32GtU => I32LtU,
        I32LeS => I32GeS,
        I32GeS => I32LeS,
        I32LeU => I32GeU,
        I32GeU => I32LeU,
        I64LtS => I64GtS,
        I64GtS => I64LtS,
        I64LtU => I64GtU,
        I64GtU => I64LtU,
        I64LeS => I64GeS,
        I64GeS => I64LeS,
        I64LeU => I64GeU,
        I64GeU => I64LeU,
        symmetric => symmetric,
    }
}

/// The offset of any jump (`br`, `br_if_*`, fused branches), for patching and relocation.
pub(super) fn jump_offset(instr: &mut Instr) -> Option<&mut Offset> {
    match instr {
        Instr::Br { offset } | Instr::BrIfNez { offset, .. } | Instr::BrIfEqz { offset, .. } => {
            Some(offset)
        }
        other => fused_offset(other),
    }
}

/// The register an instruction writes its one result to, if it has exactly one.
fn result_reg(instr: &mut Instr) -> Option<&mut Reg> {
    use Instr::*;
    match instr {
        Copy { dst, .. }
        | Const32 { dst, .. }
        | Const64 { dst, .. }
        | Select { dst, .. }
        | SelectAndImm { dst, .. }
        | GlobalGet { dst, .. }
        | I32Load { dst, .. }
        | I64Load { dst, .. }
        | F32Load { dst, .. }
        | F64Load { dst, .. }
        | I32Load8S { dst, .. }
        | I32Load8U { dst, .. }
        | I32Load16S { dst, .. }
        | I32Load16U { dst, .. }
        | I64Load8S { dst, .. }
        | I64Load8U { dst, .. }
        | I64Load16S { dst, .. }
        | I64Load16U { dst, .. }
        | I64Load32S { dst, .. }
        | I64Load32U { dst, .. }
        | I32LoadIdx { dst, .. }
        | I64LoadIdx { dst, .. }
        | I32Load8UIdx { dst, .. }
        | I32Load8SIdx { dst, .. }
        | I32Load16UIdx { dst, .. }
        | I32Load16SIdx { dst, .. }
        | I32ShrUAndImm { dst, .. }
        | I32ShlAddImm { dst, .. }
        | I32XorRotlImm { dst, .. }
        | I32MulAdd { dst, .. }
        | I64MulAdd { dst, .. }
        | F32MulAdd { dst, .. }
        | F64MulAdd { dst, .. }
        | I32MulSub { dst, .. }
        | I64MulSub { dst, .. }
        | F32MulSub { dst, .. }
        | F64MulSub { dst, .. }
        | I32LoadDisp { dst, .. }
        | I32LoadAbs { dst, .. }
        | I32LoadBump { dst, .. }
        | I64LoadAbs { dst, .. }
        | I32Load8UAbs { dst, .. }
        | I32Load8SAbs { dst, .. }
        | I32Load16UAbs { dst, .. }
        | I32Load16SAbs { dst, .. }
        | I64LoadDisp { dst, .. }
        | I32Load8UDisp { dst, .. }
        | I32Load8SDisp { dst, .. }
        | I32Load16UDisp { dst, .. }
        | I32Load16SDisp { dst, .. }
        | MemorySize { dst }
        | TableGet { dst, .. }
        | TableSize { dst, .. }
        | RefFunc { dst, .. } => Some(dst),
        other => numeric_dst(other),
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
                let local = Reg(i as u16);
                if self.opts.lazy_locals {
                    self.push_lazy(Opnd::Local(local))?;
                } else {
                    let dst = self.push_slot()?;
                    self.emit(Instr::Copy { dst, src: local });
                }
            }
            Operator::LocalSet(i) => self.set_local(Reg(i as u16))?,
            Operator::LocalTee(i) => {
                let local = Reg(i as u16);
                self.set_local(local)?;
                self.push_lazy(Opnd::Local(local))?;
            }
            Operator::Drop => {
                self.stack.pop();
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
            Operator::GlobalGet(global) => {
                let dst = self.push_slot()?;
                self.emit(Instr::GlobalGet { dst, global });
            }
            Operator::GlobalSet(global) => {
                let src = self.pop_reg()?;
                self.emit(Instr::GlobalSet { src, global });
            }
            Operator::Load(kind, mem) => {
                if let Some((x, imm, offset)) = self.fusable_bump(kind, mem.offset) {
                    self.unemit();
                    self.stack.pop();
                    let dst = self.push_slot()?;
                    self.emit(Instr::I32LoadBump {
                        dst,
                        x,
                        imm,
                        offset,
                    });
                    return Ok(());
                }
                if let Some(addr) = self.fusable_address(1, mem.offset) {
                    if let Some(instr) = indexed_load(kind, Reg(0), addr, mem.offset) {
                        if addr.fuses_add() {
                            self.unemit();
                        }
                        self.stack.pop();
                        let dst = self.push_slot()?;
                        self.emit(indexed_load(kind, dst, addr, mem.offset).unwrap_or(instr));
                        return Ok(());
                    }
                }
                let addr = self.pop_reg()?;
                let dst = self.push_slot()?;
                self.emit(load_instr(kind, dst, addr, mem.offset));
            }
            Operator::Store(kind, mem) => {
                // With an add fused, the value must need no instruction of its own (it would
                // come after the add, and could overwrite a slot the add reads): a local, or a
                // byte constant (`store8_imm_idx`). A constant address takes any value in a
                // register.
                let value = match self.stack.last() {
                    Some(&Opnd::Local(src)) => Some(Ok(src)),
                    Some(&Opnd::Const(c)) if kind.width() == 1 => Some(Err(c as u8)),
                    _ => None,
                };
                let addr = self.fusable_address(2, mem.offset);
                if let (Some(addr @ Address::Abs(_)), Some(Opnd::Local(_) | Opnd::Slot)) =
                    (addr, self.stack.last())
                {
                    let src = self.pop_reg()?;
                    self.stack.pop();
                    let instr = indexed_store(kind, src, addr, mem.offset);
                    self.emit(instr.expect("every store kind has an absolute form"));
                    return Ok(());
                }
                let fused = match (value, addr) {
                    (Some(Ok(src)), Some(addr @ (Address::Sum(..) | Address::Disp(..)))) => {
                        indexed_store(kind, src, addr, mem.offset)
                    }
                    (Some(Err(byte)), Some(Address::Sum(base, index))) => {
                        Some(Instr::Store8ImmIdx {
                            base,
                            index,
                            value: byte as u16,
                            offset: mem.offset,
                        })
                    }
                    _ => None,
                };
                if let Some(instr) = fused {
                    self.unemit();
                    self.stack.truncate(self.stack.len() - 2);
                    self.emit(instr);
                    return Ok(());
                }
                if self.fuse_store_past_value(kind, mem.offset)? {
                    return Ok(());
                }
                if let Some(&Opnd::Const(c)) = self.stack.last() {
                    // A constant value is stored straight from the instruction when it fits.
                    let value = match kind.width() {
                        8 => i32::try_from(c as i64).ok(),
                        _ => Some(c as u32 as i32),
                    };
                    if let Some(value) = value {
                        self.stack.pop();
                        let addr = self.pop_reg()?;
                        let offset = mem.offset;
                        self.emit(match kind.width() {
                            1 => Instr::Store8Imm {
                                addr,
                                value,
                                offset,
                            },
                            2 => Instr::Store16Imm {
                                addr,
                                value,
                                offset,
                            },
                            4 => Instr::Store32Imm {
                                addr,
                                value,
                                offset,
                            },
                            _ => Instr::Store64Imm {
                                addr,
                                value,
                                offset,
                            },
                        });
                        return Ok(());
                    }
                }
                let src = self.pop_reg()?;
                let addr = self.pop_reg()?;
                self.emit(store_instr(kind, addr, src, mem.offset));
            }
            Operator::MemorySize => {
                let dst = self.push_slot()?;
                self.emit(Instr::MemorySize { dst });
            }
            Operator::MemoryGrow => {
                let delta = self.pop_reg()?;
                let dst = self.push_slot()?;
                self.emit(Instr::MemoryGrow { dst, delta });
            }
            Operator::MemoryInit(data) => {
                let args = self.pop_slots(3)?;
                self.emit(Instr::MemoryInit { args, data });
            }
            Operator::DataDrop(data) => self.emit(Instr::DataDrop { data }),
            Operator::MemoryCopy => {
                let args = self.pop_slots(3)?;
                self.emit(Instr::MemoryCopy { args });
            }
            Operator::MemoryFill => {
                let args = self.pop_slots(3)?;
                self.emit(Instr::MemoryFill { args });
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
                let (p, r) = (ty.params().len() as u32, ty.results().len() as u32);
                // Arguments go to consecutive slots: the callee's frame starts at the first.
                let args = self.pop_slots(p)?;
                self.push_slots(r)?;
                let call = self.call_with_copies(func, args);
                self.emit(call);
            }
            Operator::CallIndirect { type_index, table } => {
                let ty = &self.info.types[type_index as usize];
                let (p, r) = (ty.params().len() as u32, ty.results().len() as u32);
                let index = self.pop_reg()?;
                let args = self.pop_slots(p)?;
                self.push_slots(r)?;
                self.emit(Instr::CallIndirect {
                    type_index,
                    table: small(table, "table index")?,
                    index,
                    args,
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
            | Operator::Return => unreachable!("control instruction {op:?} in visit_straight"),
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
                if let Some(instr) = imm_instr(num, dst, a, imm) {
                    self.emit(instr);
                }
                return Ok(());
            }
        }
        if self.opts.multiply_add && self.fuse_multiply_add(num)? {
            return Ok(());
        }
        if self.opts.bit_fusions && num == NumOp::I32Xor && self.fuse_xor_rotl()? {
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
        let commutes = !matches!(
            num,
            NumOp::I32Sub | NumOp::I64Sub | NumOp::F32Sub | NumOp::F64Sub
        );
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

    /// `i32.xor` of an `i32.rotl_imm`'s result is one `i32.xor_rotl_imm`.
    fn fuse_xor_rotl(&mut self) -> Result<bool> {
        let rotl = |last: &Instr| match *last {
            Instr::I32RotlImm { dst, .. } => Some(dst),
            _ => None,
        };
        let Some((Instr::I32RotlImm { a, imm, .. }, dst, other)) =
            self.take_producer(true, rotl)?
        else {
            return Ok(false);
        };
        self.emit(Instr::I32XorRotlImm {
            dst,
            a: other,
            b: a,
            // `rotl` counts modulo 32.
            rot: (imm & 31) as u16,
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
            if let Some(dst) = self.code.last_mut().and_then(result_reg) {
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

/// A memory access's address as the `i32.add` that computed it, fused into the access, or a
/// constant.
#[derive(Clone, Copy)]
enum Address {
    /// `base + index` (`i32.add`), for the `_idx` forms.
    Sum(Reg, Reg),
    /// `base + disp` (`i32.add_imm`), for the `_disp` forms (static offset below 2^16).
    Disp(Reg, i32),
    /// A constant address plus the static offset, below 2^32, for the `_abs` forms.
    Abs(u32),
}

impl Address {
    /// Whether the access replaces the `add` just emitted (which the caller then removes).
    fn fuses_add(self) -> bool {
        !matches!(self, Address::Abs(_))
    }
}

impl Translator<'_> {
    /// For a load (`depth` 1) or store (`depth` 2): when its address, `depth - 1` entries below
    /// the top of the stack, is the result of the last instruction, an `i32.add` (or its
    /// immediate form), that add as an [`Address`]. The caller removes the add (`unemit`) if
    /// it fuses it; the address entry is still on the stack.
    /// For a 32-bit load from a local that the last instruction just stepped in place
    /// (`x = x + imm`, a pointer walking an array): `(x, imm, offset)` for `i32.load_bump`.
    /// The caller removes the add.
    fn fusable_bump(&self, kind: LoadKind, offset: u32) -> Option<(Reg, i32, u16)> {
        let fits = matches!(kind, LoadKind::I32 | LoadKind::F32);
        if !(fits && self.opts.indexed_memory && self.last_is_rewritable()) {
            return None;
        }
        let offset = u16::try_from(offset).ok()?;
        match (self.stack.last()?, *self.code.last()?) {
            (&Opnd::Local(x), Instr::I32AddImm { dst, a, imm }) if dst == x && a == x => {
                Some((x, imm, offset))
            }
            _ => None,
        }
    }

    fn fusable_address(&self, depth: usize, offset: u32) -> Option<Address> {
        if !self.opts.indexed_memory {
            return None;
        }
        let at = self.stack.len().checked_sub(depth)?;
        if let Opnd::Const(c) = self.stack[at] {
            // The effective address, when it does not overflow (it then always traps).
            let ea = u64::from(c as u32) + u64::from(offset);
            return u32::try_from(ea).ok().map(Address::Abs);
        }
        if self.stack[at] != Opnd::Slot || self.stack[at + 1..].contains(&Opnd::Slot) {
            return None;
        }
        let slot = self.slot(at as u32).ok()?;
        if !self.last_is_rewritable() {
            return None;
        }
        match *self.code.last()? {
            Instr::I32Add { dst, a, b } if dst == slot => Some(Address::Sum(a, b)),
            Instr::I32AddImm { dst, a, imm } if dst == slot && offset <= u16::MAX as u32 => {
                Some(Address::Disp(a, imm))
            }
            _ => None,
        }
    }

    /// A store whose address an `i32.add` (or its immediate form) computed a few instructions
    /// back, before the value (`a[i + 1] = x + 1`): the add fuses into the store. Safe when
    /// each instruction since writes one register only, neither the address's slot nor one of
    /// the add's operands, so the add's inputs still hold at the store; removing the add is
    /// unobservable (it has no effects). None of them may follow a label.
    fn fuse_store_past_value(&mut self, kind: StoreKind, offset: u32) -> Result<bool> {
        /// How far back the add may be.
        const WINDOW: usize = 4;
        let (n, len) = (self.stack.len(), self.code.len());
        if !(self.opts.indexed_memory && n >= 2 && self.stack[n - 2] == Opnd::Slot) {
            return Ok(false);
        }
        let addr_slot = self.slot(n as u32 - 2)?;
        let src = match self.stack[n - 1] {
            Opnd::Slot => self.slot(n as u32 - 1)?,
            Opnd::Local(r) => r,
            Opnd::Const(_) => return Ok(false),
        };
        let mut written = Vec::with_capacity(WINDOW);
        let earliest = self.label_pos.max(len.saturating_sub(WINDOW));
        for at in (earliest..len).rev() {
            let (addr, inputs) = match self.code[at] {
                Instr::I32Add { dst, a, b } if dst == addr_slot => (Address::Sum(a, b), [a, b]),
                Instr::I32AddImm { dst, a, imm } if dst == addr_slot => {
                    (Address::Disp(a, imm), [a, a])
                }
                mut other => {
                    let single = !matches!(other, Instr::I32LoadBump { .. });
                    match result_reg(&mut other) {
                        Some(&mut dst) if single && dst != addr_slot => written.push(dst),
                        _ => return Ok(false),
                    }
                    continue;
                }
            };
            let clobbered = written.iter().any(|w| inputs.contains(w));
            if written.is_empty() || clobbered {
                return Ok(false);
            }
            let Some(store) = indexed_store(kind, src, addr, offset) else {
                return Ok(false);
            };
            self.code.remove(at);
            if let Some(map) = &mut self.source_map {
                map.remove(at);
            }
            self.stack.truncate(n - 2);
            self.emit(store);
            return Ok(true);
        }
        Ok(false)
    }
}

fn small(v: u32, what: &str) -> Result<u16> {
    u16::try_from(v).map_err(|_| Error::Limit(format!("{what} {v} exceeds 65535")))
}

fn load_instr(kind: LoadKind, dst: Reg, addr: Reg, offset: u32) -> Instr {
    match kind {
        LoadKind::I32 => Instr::I32Load { dst, addr, offset },
        LoadKind::I64 => Instr::I64Load { dst, addr, offset },
        LoadKind::F32 => Instr::F32Load { dst, addr, offset },
        LoadKind::F64 => Instr::F64Load { dst, addr, offset },
        LoadKind::I32_8S => Instr::I32Load8S { dst, addr, offset },
        LoadKind::I32_8U => Instr::I32Load8U { dst, addr, offset },
        LoadKind::I32_16S => Instr::I32Load16S { dst, addr, offset },
        LoadKind::I32_16U => Instr::I32Load16U { dst, addr, offset },
        LoadKind::I64_8S => Instr::I64Load8S { dst, addr, offset },
        LoadKind::I64_8U => Instr::I64Load8U { dst, addr, offset },
        LoadKind::I64_16S => Instr::I64Load16S { dst, addr, offset },
        LoadKind::I64_16U => Instr::I64Load16U { dst, addr, offset },
        LoadKind::I64_32S => Instr::I64Load32S { dst, addr, offset },
        LoadKind::I64_32U => Instr::I64Load32U { dst, addr, offset },
    }
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

/// Defines the builder of a fused access's instruction from its [`Address`]: each row
/// names the access kinds, then the `_idx` and the `_disp` instruction.
macro_rules! indexed_forms {
    ($(#[$doc:meta])* fn $name:ident($kind:ident: $Kind:ident, $v:ident) {
        $( $($k:ident)|+ => $idx:ident, $disp:ident, $abs:ident; )*
    }) => {
        $(#[$doc])*
        fn $name($kind: $Kind, $v: Reg, addr: Address, offset: u32) -> Option<Instr> {
            match ($kind, addr) {
                $(
                    ($($Kind::$k)|+, Address::Sum(base, index)) => {
                        Some(Instr::$idx { $v, base, index, offset })
                    }
                    ($($Kind::$k)|+, Address::Disp(base, disp)) => Some(Instr::$disp {
                        $v,
                        base,
                        disp,
                        offset: u16::try_from(offset).ok()?,
                    }),
                    ($($Kind::$k)|+, Address::Abs(addr)) => Some(Instr::$abs { $v, addr }),
                )*
                #[allow(unreachable_patterns)]
                _ => None,
            }
        }
    };
}

indexed_forms! {
    /// The fused form of a load into `dst`, for the kinds that have one.
    fn indexed_load(kind: LoadKind, dst) {
        I32 | F32 => I32LoadIdx, I32LoadDisp, I32LoadAbs;
        I64 | F64 => I64LoadIdx, I64LoadDisp, I64LoadAbs;
        I32_8U => I32Load8UIdx, I32Load8UDisp, I32Load8UAbs;
        I32_8S => I32Load8SIdx, I32Load8SDisp, I32Load8SAbs;
        I32_16U => I32Load16UIdx, I32Load16UDisp, I32Load16UAbs;
        I32_16S => I32Load16SIdx, I32Load16SDisp, I32Load16SAbs;
    }
}

indexed_forms! {
    /// The fused form of a store of `src`; every store kind has one.
    fn indexed_store(kind: StoreKind, src) {
        I32 | F32 | I64_32 => I32StoreIdx, I32StoreDisp, I32StoreAbs;
        I64 | F64 => I64StoreIdx, I64StoreDisp, I64StoreAbs;
        I32_8 | I64_8 => Store8Idx, Store8Disp, Store8Abs;
        I32_16 | I64_16 => Store16Idx, Store16Disp, Store16Abs;
    }
}

fn store_instr(kind: StoreKind, addr: Reg, src: Reg, offset: u32) -> Instr {
    match kind {
        StoreKind::I32 => Instr::I32Store { addr, src, offset },
        StoreKind::I64 => Instr::I64Store { addr, src, offset },
        StoreKind::F32 => Instr::F32Store { addr, src, offset },
        StoreKind::F64 => Instr::F64Store { addr, src, offset },
        StoreKind::I32_8 => Instr::I32Store8 { addr, src, offset },
        StoreKind::I32_16 => Instr::I32Store16 { addr, src, offset },
        StoreKind::I64_8 => Instr::I64Store8 { addr, src, offset },
        StoreKind::I64_16 => Instr::I64Store16 { addr, src, offset },
        StoreKind::I64_32 => Instr::I64Store32 { addr, src, offset },
    }
}
