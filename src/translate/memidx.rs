//! Loads and stores of memories other than a 32-bit memory 0 (multi-memory, memory64): they
//! become the generic `mem.load`/`mem.store` (and the `_mem` vector forms), which name the
//! memory and look it up on each access; memory 0 of 32 bits keeps the fast forms of
//! `memory.rs` with their address fusions.

use super::Translator;
use crate::binary::{LoadKind, MemArg, StoreKind};
use crate::bytecode::{Instr, LaneSel};
use crate::error::{Error, Result};
use crate::simd::{Shape, SimdOp};

/// How an access is translated.
pub(super) enum Access {
    /// Memory 0 of 32 bits: the fast forms, with this offset.
    Fast(u32),
    /// Another memory, or a 64-bit one: the generic form naming `mem`.
    Indexed { mem: u16, offset: u32 },
    /// A static offset of 2^32 or more (a 64-bit memory's): every access traps, as no memory
    /// grows past 4 GiB (`Config::max_memory_pages` is at most 65536 pages of 64 KiB).
    OutOfRange,
}

impl Translator<'_> {
    pub(super) fn access(&self, m: MemArg) -> Result<Access> {
        let is_64 = self
            .info
            .memories
            .get(m.memory as usize)
            .is_some_and(|t| t.is_64);
        let Ok(offset) = u32::try_from(m.offset) else {
            return Ok(Access::OutOfRange);
        };
        if m.memory == 0 && !is_64 {
            return Ok(Access::Fast(offset));
        }
        let mem = u16::try_from(m.memory)
            .map_err(|_| Error::Limit(format!("memory index {} above 65535", m.memory)))?;
        Ok(Access::Indexed { mem, offset })
    }

    /// An access that always traps: its operands are evaluated, and the code after it, up to
    /// the end of the block, is unreachable.
    fn out_of_range(&mut self) {
        self.emit(Instr::Trap {
            code: crate::TrapCode::MemoryOutOfBounds,
        });
        self.reachable = false;
    }

    pub(super) fn visit_load_at(&mut self, kind: LoadKind, m: MemArg) -> Result<()> {
        match self.access(m)? {
            Access::Fast(offset) => self.visit_load(kind, offset)?,
            Access::Indexed { mem, offset } => {
                let addr = self.pop_reg()?;
                let dst = self.push_slot()?;
                self.emit(Instr::MemLoad {
                    dst,
                    addr,
                    offset,
                    mem,
                    // The kinds are declared in opcode order (`0x28 + kind`).
                    kind: kind as u8,
                });
            }
            Access::OutOfRange => self.out_of_range(),
        }
        Ok(())
    }

    pub(super) fn visit_store_at(&mut self, kind: StoreKind, m: MemArg) -> Result<()> {
        match self.access(m)? {
            Access::Fast(offset) => self.visit_store(kind, offset)?,
            Access::Indexed { mem, offset } => {
                let src = self.pop_reg()?;
                let addr = self.pop_reg()?;
                self.emit(Instr::MemStore {
                    addr,
                    src,
                    offset,
                    mem,
                    // The kinds are declared in opcode order (`0x36 + kind`).
                    kind: kind as u8,
                });
            }
            Access::OutOfRange => self.out_of_range(),
        }
        Ok(())
    }

    /// A vector load or store on another memory than a 32-bit memory 0 (`Ok(false)`: it is on
    /// that memory, for `visit_simd`'s fast forms).
    pub(super) fn visit_simd_at(&mut self, op: SimdOp, m: MemArg, lane: u8) -> Result<bool> {
        let (mem, offset) = match self.access(m)? {
            Access::Fast(_) => return Ok(false),
            Access::OutOfRange => {
                self.out_of_range();
                return Ok(true);
            }
            Access::Indexed { mem, offset } => (mem, offset),
        };
        match op.shape() {
            Shape::Load(_) => {
                let addr = self.pop_reg()?;
                let dst = self.push_v128()?;
                self.emit(Instr::V128LoadMem {
                    dst,
                    addr,
                    offset,
                    op,
                    mem,
                });
            }
            Shape::Store(_) => {
                let src = self.pop_v128()?;
                let addr = self.pop_reg()?;
                self.emit(Instr::V128StoreMem {
                    addr,
                    src,
                    offset,
                    mem,
                });
            }
            Shape::LoadLane(bytes, _) => {
                let src = self.pop_v128()?;
                let addr = self.pop_reg()?;
                let dst = self.push_v128()?;
                self.emit(Instr::V128LoadLaneMem {
                    dst,
                    addr,
                    src,
                    offset,
                    sel: LaneSel::new(bytes, lane),
                    mem,
                });
            }
            Shape::StoreLane(bytes, _) => {
                let src = self.pop_v128()?;
                let addr = self.pop_reg()?;
                self.emit(Instr::V128StoreLaneMem {
                    addr,
                    src,
                    offset,
                    sel: LaneSel::new(bytes, lane),
                    mem,
                });
            }
            _ => return Ok(false),
        }
        Ok(true)
    }
}
