//! Memory accesses: loads and stores, with their address arithmetic fused in where the
//! translator can prove it safe (`indexed_memory`).

use super::stack::Opnd;
use super::Translator;
use crate::binary::{LoadKind, StoreKind};
use crate::bytecode::{Instr, Reg};
use crate::error::Result;

impl Translator<'_> {
    /// A load with static offset `offset`.
    pub(super) fn visit_load(&mut self, kind: LoadKind, offset: u32) -> Result<()> {
        if let Some(mut instr) = self.pointer_load(kind, offset) {
            self.unemit();
            self.stack.pop();
            let dst = self.push_slot()?;
            if let Some(r) = instr.result_reg_mut() {
                *r = dst;
            }
            self.emit(instr);
            return Ok(());
        }
        if let Some(addr) = self.fusable_address(1, offset) {
            if let Some(instr) = indexed_load(kind, Reg(0), addr, offset) {
                if addr.fuses_add() {
                    self.unemit();
                }
                self.stack.pop();
                let dst = self.push_slot()?;
                self.emit(indexed_load(kind, dst, addr, offset).unwrap_or(instr));
                return Ok(());
            }
        }
        let addr = self.pop_reg()?;
        let dst = self.push_slot()?;
        self.emit(load_instr(kind, dst, addr, offset));
        Ok(())
    }

    /// A store with static offset `offset`.
    pub(super) fn visit_store(&mut self, kind: StoreKind, offset: u32) -> Result<()> {
        // With an add fused, the value must need no instruction of its own (it would
        // come after the add, and could overwrite a slot the add reads): a local, or a
        // byte constant (`store8_imm_idx`). A constant address takes any value in a
        // register.
        let value = match self.stack.last() {
            Some(&Opnd::Local(src)) => Some(Ok(src)),
            Some(&Opnd::Const(c)) if kind.width() == 1 => Some(Err(c as u8)),
            _ => None,
        };
        let addr = self.fusable_address(2, offset);
        if let (Some(addr @ Address::Abs(_)), Some(Opnd::Local(_) | Opnd::Slot)) =
            (addr, self.stack.last())
        {
            let src = self.pop_reg()?;
            self.stack.pop();
            let instr = indexed_store(kind, src, addr, offset);
            self.emit(instr.expect("every store kind has an absolute form"));
            return Ok(());
        }
        let fused = match (value, addr) {
            (Some(Ok(src)), Some(addr @ (Address::Sum(..) | Address::Disp(..)))) => {
                indexed_store(kind, src, addr, offset)
            }
            (Some(Err(byte)), Some(Address::Sum(base, index))) => Some(Instr::Store8ImmIdx {
                base,
                index,
                value: byte as u16,
                offset,
            }),
            _ => None,
        };
        if let Some(instr) = fused {
            self.unemit();
            self.stack.truncate(self.stack.len() - 2);
            self.emit(instr);
            return Ok(());
        }
        if self.fuse_store_past_value(kind, offset)? {
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
        self.emit(store_instr(kind, addr, src, offset));
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
    /// For a 32-bit load through the local on top of the stack that the last instruction just
    /// changed, that instruction and the load in one (its `dst` still to be set; the caller
    /// removes the last instruction): a pointer stepped in place (`x = x + imm`, walking an
    /// array) is `i32.load_bump` (`indexed_memory`), a pointer copied from another local
    /// (`x = src`, walking a list) `i32.load_copy` (`copy_pairs`).
    fn pointer_load(&self, kind: LoadKind, offset: u32) -> Option<Instr> {
        if !(matches!(kind, LoadKind::I32 | LoadKind::F32) && self.last_is_rewritable()) {
            return None;
        }
        let offset = u16::try_from(offset).ok()?;
        let &Opnd::Local(x) = self.stack.last()? else {
            return None;
        };
        let dst = Reg(0);
        match *self.code.last()? {
            Instr::I32AddImm { dst: d, a, imm } if self.opts.indexed_memory && d == x && a == x => {
                Some(Instr::I32LoadBump {
                    dst,
                    x,
                    imm,
                    offset,
                })
            }
            Instr::Copy { dst: d, src } if self.opts.copy_pairs && d == x => {
                Some(Instr::I32LoadCopy {
                    dst,
                    x,
                    src,
                    offset,
                })
            }
            _ => None,
        }
    }

    /// For an access whose address, `depth - 1` entries below the top of the stack, the last
    /// instruction computed as `base + disp` (`i32.add_imm`): `(base, disp, offset)` for a
    /// `_disp` form. The caller removes the add.
    pub(super) fn fusable_disp(&self, depth: usize, offset: u32) -> Option<(Reg, i32, u16)> {
        match self.fusable_address(depth, offset)? {
            Address::Disp(base, disp) => Some((base, disp, u16::try_from(offset).ok()?)),
            _ => None,
        }
    }

    /// For a load (`depth` 1) or store (`depth` 2): when its address, `depth - 1` entries below
    /// the top of the stack, is the result of the last instruction, an `i32.add` (or its
    /// immediate form), that add as an [`Address`]. The caller removes the add (`unemit`) if
    /// it fuses it; the address entry is still on the stack.
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
                other => {
                    let single = other.other_writes().is_empty();
                    match other.result_reg() {
                        Some(dst) if single && dst != addr_slot => written.push(dst),
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
