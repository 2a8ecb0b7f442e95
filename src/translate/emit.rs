//! Straight-line instructions: each pops its operands' registers and pushes its result's.

use super::Translator;
use crate::binary::{LoadKind, Operator, StoreKind};
use crate::bytecode::{Instr, Reg};
use crate::error::{Error, Result};
use crate::ops::{for_each_numeric_op, NumOp};

macro_rules! define_num_instr {
    ([] $( ($code:expr) $name:ident $mnem:literal $shape:ident
          ($a:ident $(, $b:ident)? -> $r:ident) $f:ident
          $(imm $imm:ident)? $(br $br:ident $brimm:ident)?; )*) => {
        /// The bytecode instruction for a numeric operator.
        fn num_instr(op: NumOp, dst: Reg, a: Reg, b: Reg) -> Instr {
            match op { $( NumOp::$name => Instr::$name { dst, a, b }, )* }
        }

        /// The result register of a single-result instruction, for retargeting.
        fn numeric_dst(instr: &mut Instr) -> Option<&mut Reg> {
            match instr {
                $( Instr::$name { dst, .. } => Some(dst), )*
                _ => None,
            }
        }
    };
}
for_each_numeric_op!(define_num_instr);

/// The register an instruction writes its one result to, if it has exactly one.
fn result_reg(instr: &mut Instr) -> Option<&mut Reg> {
    use Instr::*;
    match instr {
        Copy { dst, .. }
        | Const32 { dst, .. }
        | Const64 { dst, .. }
        | Select { dst, .. }
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
            Operator::Num(num) => {
                let b = if num.params().len() == 2 {
                    self.pop()?
                } else {
                    self.top(1)?
                };
                let a = self.pop()?;
                let dst = self.push()?;
                self.emit(num_instr(num, dst, a, b));
            }
            Operator::I32Const(v) => {
                let dst = self.push()?;
                self.emit(Instr::Const32 {
                    dst,
                    value: v as u32,
                });
            }
            Operator::F32Const(bits) => {
                let dst = self.push()?;
                self.emit(Instr::Const32 { dst, value: bits });
            }
            Operator::I64Const(v) => self.const64(v as u64)?,
            Operator::F64Const(bits) => self.const64(bits)?,
            Operator::LocalGet(i) => {
                let dst = self.push()?;
                self.emit(Instr::Copy {
                    dst,
                    src: Reg(i as u16),
                });
            }
            Operator::LocalSet(i) => {
                let src = self.pop()?;
                self.set_local(i, src);
            }
            Operator::LocalTee(i) => {
                let src = self.top(1)?;
                self.emit(Instr::Copy {
                    dst: Reg(i as u16),
                    src,
                });
            }
            Operator::Drop => {
                self.pop()?;
            }
            Operator::Select | Operator::SelectTyped(_) => {
                let cond = self.pop()?;
                let b = self.pop()?;
                let a = self.pop()?;
                let dst = self.push()?;
                self.emit(Instr::Select { dst, cond, a, b });
            }
            Operator::GlobalGet(global) => {
                let dst = self.push()?;
                self.emit(Instr::GlobalGet { dst, global });
            }
            Operator::GlobalSet(global) => {
                let src = self.pop()?;
                self.emit(Instr::GlobalSet { src, global });
            }
            Operator::Load(kind, mem) => {
                let addr = self.pop()?;
                let dst = self.push()?;
                self.emit(load_instr(kind, dst, addr, mem.offset));
            }
            Operator::Store(kind, mem) => {
                let src = self.pop()?;
                let addr = self.pop()?;
                self.emit(store_instr(kind, addr, src, mem.offset));
            }
            Operator::MemorySize => {
                let dst = self.push()?;
                self.emit(Instr::MemorySize { dst });
            }
            Operator::MemoryGrow => {
                let delta = self.pop()?;
                let dst = self.push()?;
                self.emit(Instr::MemoryGrow { dst, delta });
            }
            Operator::MemoryInit(data) => {
                let args = self.pop_n(3)?;
                self.emit(Instr::MemoryInit { args, data });
            }
            Operator::DataDrop(data) => self.emit(Instr::DataDrop { data }),
            Operator::MemoryCopy => {
                let args = self.pop_n(3)?;
                self.emit(Instr::MemoryCopy { args });
            }
            Operator::MemoryFill => {
                let args = self.pop_n(3)?;
                self.emit(Instr::MemoryFill { args });
            }
            Operator::TableGet(table) => {
                let index = self.pop()?;
                let dst = self.push()?;
                self.emit(Instr::TableGet { dst, index, table });
            }
            Operator::TableSet(table) => {
                let value = self.pop()?;
                let index = self.pop()?;
                self.emit(Instr::TableSet {
                    index,
                    value,
                    table,
                });
            }
            Operator::TableSize(table) => {
                let dst = self.push()?;
                self.emit(Instr::TableSize { dst, table });
            }
            Operator::TableGrow(table) => {
                let args = self.pop_n(2)?;
                self.push()?;
                self.emit(Instr::TableGrow { args, table });
            }
            Operator::TableFill(table) => {
                let args = self.pop_n(3)?;
                self.emit(Instr::TableFill { args, table });
            }
            Operator::TableCopy { dst, src } => {
                let args = self.pop_n(3)?;
                self.emit(Instr::TableCopy {
                    args,
                    dst_table: small(dst, "table index")?,
                    src_table: small(src, "table index")?,
                });
            }
            Operator::TableInit { elem, table } => {
                let args = self.pop_n(3)?;
                self.emit(Instr::TableInit {
                    args,
                    table: small(table, "table index")?,
                    elem,
                });
            }
            Operator::ElemDrop(elem) => self.emit(Instr::ElemDrop { elem }),
            Operator::RefNull(_) => {
                let dst = self.push()?;
                self.emit(Instr::Const32 { dst, value: 0 });
            }
            Operator::RefIsNull => {
                // A null reference is the cell 0, so this is `i64.eqz` on the cell.
                let a = self.pop()?;
                let dst = self.push()?;
                self.emit(Instr::I64Eqz { dst, a, b: a });
            }
            Operator::RefFunc(func) => {
                let dst = self.push()?;
                self.emit(Instr::RefFunc { dst, func });
            }
            Operator::Call(func) => {
                let ty = self
                    .info
                    .func_type(func)
                    .ok_or_else(|| Error::Api("unknown function".into()))?;
                let (p, r) = (ty.params().len() as u32, ty.results().len() as u32);
                let args = self.pop_n(p)?;
                self.push_n(r)?;
                self.emit(Instr::Call { func, args });
            }
            Operator::CallIndirect { type_index, table } => {
                let ty = &self.info.types[type_index as usize];
                let (p, r) = (ty.params().len() as u32, ty.results().len() as u32);
                let index = self.pop()?;
                let args = self.pop_n(p)?;
                self.push_n(r)?;
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

    fn const64(&mut self, v: u64) -> Result<()> {
        let dst = self.push()?;
        self.emit(Instr::Const64 {
            dst,
            lo: v as u32,
            hi: (v >> 32) as u32,
        });
        Ok(())
    }

    /// Pops `n` operands and returns the register of the lowest one.
    fn pop_n(&mut self, n: u32) -> Result<Reg> {
        self.height -= n;
        self.slot(self.height)
    }

    fn push_n(&mut self, n: u32) -> Result<()> {
        for _ in 0..n {
            self.push()?;
        }
        Ok(())
    }

    /// `local.set`: when the value was just computed into its stack slot, make the producing
    /// instruction write the local directly instead of emitting a copy.
    fn set_local(&mut self, local: u32, src: Reg) {
        let local = Reg(local as u16);
        if self.code.len() > self.label_pos {
            if let Some(dst) = self.code.last_mut().and_then(result_reg) {
                if *dst == src {
                    *dst = local;
                    return;
                }
            }
        }
        self.emit(Instr::Copy { dst: local, src });
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
