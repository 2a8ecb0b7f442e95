//! The register bytecode: the one definition of every instruction the interpreter runs.
//!
//! A frame is a fixed-size window of 64-bit register cells: registers `0..params` hold the
//! arguments, then the other locals, then one register per Wasm operand-stack slot (the slot at
//! stack height `h` is register `locals + h`). Operands name registers, so no value stack is
//! maintained at run time. Jumps carry offsets relative to the jumping instruction, resolved by
//! the translator. A call names the register where its arguments start: the callee's frame
//! begins there, so arguments are never copied and results come back in place.
//!
//! Every instruction is 16 bytes (checked by a test): a two-byte tag, 16-bit registers and
//! 32-bit immediates; a `v128` operand names the first of its two registers. The code a function runs is a list of [`Op`]s: each instruction beside
//! the address of the threaded backend's handler for its kind, 24 bytes in all. The
//! instruction table (`instrs.rs`) is the single source for the enum, its mnemonics, the
//! disassembler, the verifier and what the translator asks about an instruction; the numeric
//! operators are spliced in from [`crate::ops`] so that they share one row with the Wasm
//! operator of the same name.

mod code;
mod define;
mod disasm;
mod facts;
mod handlers;
mod instrs;
pub(crate) mod serial;
mod stats;
pub(crate) mod verify;
pub use code::Code;
pub(crate) use code::{Chunks, Filled, InChunk};
pub use define::Instr;
pub use disasm::{listing, WasmLine};
pub(crate) use handlers::{decode as decode_handlers, encode as encode_handlers};
pub use handlers::{Clause, Handler};
pub use stats::{Counts, FuncStats, TranslationStats};
pub use verify::verify;

use crate::error::TrapCode;
use std::fmt;

/// One bytecode instruction as docs/bytecode.md describes it: what a disassembly's mnemonic
/// means and which operands it shows. See [`instruction_catalogue`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InstructionInfo {
    /// The name the disassembly shows, e.g. `i32.add_imm`.
    pub mnemonic: &'static str,
    /// The operand names, in the order the disassembly shows them as `name=value`.
    pub operands: Vec<&'static str>,
    /// What the instruction does (the doc comment of its row in the instruction table).
    pub description: String,
}

/// Every instruction of the register bytecode, in definition order: the instruction set a
/// disassembly ([`Module::disassemble`](crate::Module::disassemble)) and an execution profile
/// are written in. There is one entry per instruction kind, so the length is the size of the
/// instruction set.
///
/// ```
/// let catalogue = regwasm::instruction_catalogue();
/// let add = catalogue.iter().find(|i| i.mnemonic == "i32.add_imm").unwrap();
/// assert_eq!(add.operands, ["dst", "a", "imm"]);
/// assert!(add.description.contains("constant"));
/// ```
pub fn instruction_catalogue() -> Vec<InstructionInfo> {
    Instr::catalogue()
        .into_iter()
        .map(|(mnemonic, operands, description)| InstructionInfo {
            mnemonic,
            operands,
            description,
        })
        .collect()
}

/// A register index within the current frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Reg(pub u16);

/// The first of the two consecutive registers that hold a `v128` (low half first).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct VReg(pub u16);

impl VReg {
    /// The register holding the low half.
    pub fn lo(self) -> Reg {
        Reg(self.0)
    }

    /// The register holding the high half.
    pub fn hi(self) -> Reg {
        Reg(self.0.wrapping_add(1))
    }
}

impl From<VReg> for Reg {
    fn from(v: VReg) -> Reg {
        v.lo()
    }
}

/// Calls `$m! { [$extra] values }` with every valid [`LaneSel`] value: lanes 0 to 15 of one
/// byte, 0 to 7 of two, 0 to 3 of four, 0 and 1 of eight (a unit test checks the list).
macro_rules! for_each_lane_sel {
    ($m:ident $(, $extra:tt)*) => {
        $m! { [$($extra),*]
            0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15
            16 17 18 19 20 21 22 23
            32 33 34 35
            48 49
        }
    };
}
pub(crate) use for_each_lane_sel;

/// Which lane a `v128.load*_lane`/`store*_lane` moves, and how wide it is: the lane index in
/// the low four bits, log2 of the byte width above (one byte keeps the instruction small).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct LaneSel(pub u8);

impl LaneSel {
    /// The selector for lane `lane` of `bytes` bytes (1, 2, 4 or 8).
    pub fn new(bytes: u8, lane: u8) -> Self {
        LaneSel((bytes.trailing_zeros() as u8) << 4 | (lane & 15))
    }

    /// The lane index.
    pub fn lane(self) -> u8 {
        self.0 & 15
    }

    /// The lane's width in bytes.
    pub fn bytes(self) -> u8 {
        1 << (self.0 >> 4 & 3)
    }
}

pub use offset::Offset;

/// [`Offset`] in a module of its own, so that nothing else in `bytecode` reads or makes its
/// byte count but through its methods.
mod offset {
    use super::Op;

    /// A jump distance, relative to the jumping instruction. Made and read in instructions
    /// ([`Offset::new`], [`Offset::instrs`]), kept in bytes of code ([`Offset::bytes`]: the
    /// instructions times the size of an [`Op`]): a taken jump then adds it to the instruction
    /// pointer as it is. Scaled by the 24-byte `Op` at run time instead, the jump's address
    /// computation was two more dependent operations (`lea`s), on the path every instruction after a
    /// taken branch waits for, and a loop of two dispatches ran about a third slower (measured:
    /// docs/performance.md, "jump offsets in bytes").
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub struct Offset(i32);

    impl Offset {
        /// The size of an instruction in the code, the unit an offset is kept in.
        pub(crate) const UNIT: i32 = std::mem::size_of::<Op>() as i32;

        /// A jump of `instrs` instructions. Wrapping: code is limited to [`MAX_CODE_LEN`](super::MAX_CODE_LEN)
        /// instructions, so within a function's code the product fits.
        pub const fn new(instrs: i32) -> Offset {
            Offset(instrs.wrapping_mul(Self::UNIT))
        }

        /// The jump's distance in instructions.
        pub const fn instrs(self) -> i32 {
            self.0 / Self::UNIT
        }

        /// The jump's distance in bytes of code, what the interpreter adds to the instruction
        /// pointer.
        #[inline(always)]
        pub(crate) const fn bytes(self) -> i32 {
            self.0
        }

        /// The offset kept as `bytes`, if that is a whole number of instructions (a precompiled
        /// module's stored offset).
        pub(crate) const fn from_bytes(bytes: i32) -> Option<Offset> {
            if bytes % Self::UNIT == 0 {
                Some(Offset(bytes))
            } else {
                None
            }
        }
    }
}

/// The most instructions a function's code may have: every jump within it, in bytes
/// ([`Offset`]), fits an `i32`.
pub(crate) const MAX_CODE_LEN: usize = (i32::MAX / Offset::UNIT) as usize;

#[cfg(test)]
mod offset_tests {
    use super::{Offset, Op, MAX_CODE_LEN};

    /// Made and read in instructions, kept in bytes: every distance within the longest code
    /// comes back, and is kept as that many `Op`s' bytes.
    #[test]
    fn offsets_are_instructions_kept_in_bytes() {
        let max = MAX_CODE_LEN as i32;
        for n in [0, 1, -1, 7, -300, max, -max] {
            let off = Offset::new(n);
            assert_eq!(off.instrs(), n);
            assert_eq!(
                off.bytes() as i64,
                n as i64 * std::mem::size_of::<Op>() as i64
            );
            assert_eq!(Offset::from_bytes(off.bytes()), Some(off));
        }
        assert_eq!(Offset::from_bytes(25), None);
    }
}

/// An instruction operand: how the disassembler shows it (`at` is the position of the
/// instruction) and what the bytecode verifier must check about it.
pub trait Operand {
    fn fmt_operand(&self, at: usize) -> String;
    #[inline]
    fn as_reg(&self) -> Option<Reg> {
        None
    }
    /// How many consecutive registers from [`Operand::as_reg`] it names (2 for a `v128`).
    #[inline]
    fn span(&self) -> usize {
        1
    }
    #[inline]
    fn as_offset(&self) -> Option<Offset> {
        None
    }
    /// The value of an integer immediate, which may index a module entity (a function, a
    /// global, a table, …; the field's name tells which).
    #[inline]
    fn as_index(&self) -> Option<u32> {
        None
    }
}

/// Receives an instruction's operands from [`Instr::visit_operands_with`], each at its own
/// type, so that checks over every operand compile to direct code.
pub trait OperandVisitor {
    fn operand<T: Operand>(&mut self, name: &'static str, op: &T);
}

impl Operand for Reg {
    fn fmt_operand(&self, _: usize) -> String {
        format!("r{}", self.0)
    }
    #[inline]
    fn as_reg(&self) -> Option<Reg> {
        Some(*self)
    }
}
impl Operand for Offset {
    fn fmt_operand(&self, at: usize) -> String {
        format!("@{}", at as i64 + self.instrs() as i64)
    }
    #[inline]
    fn as_offset(&self) -> Option<Offset> {
        Some(*self)
    }
}
impl Operand for u32 {
    fn fmt_operand(&self, _: usize) -> String {
        self.to_string()
    }
    #[inline]
    fn as_index(&self) -> Option<u32> {
        Some(*self)
    }
}
impl Operand for i32 {
    fn fmt_operand(&self, _: usize) -> String {
        self.to_string()
    }
}
impl Operand for i16 {
    fn fmt_operand(&self, _: usize) -> String {
        self.to_string()
    }
}
impl Operand for u16 {
    fn fmt_operand(&self, _: usize) -> String {
        self.to_string()
    }
    #[inline]
    fn as_index(&self) -> Option<u32> {
        Some((*self).into())
    }
}
impl Operand for VReg {
    fn fmt_operand(&self, _: usize) -> String {
        format!("v{}", self.0)
    }
    #[inline]
    fn as_reg(&self) -> Option<Reg> {
        Some(self.lo())
    }
    #[inline]
    fn span(&self) -> usize {
        2
    }
}
impl Operand for u8 {
    fn fmt_operand(&self, _: usize) -> String {
        self.to_string()
    }
}
impl Operand for LaneSel {
    fn fmt_operand(&self, _: usize) -> String {
        format!("{}x{}", self.lane(), self.bytes())
    }
}
impl Operand for crate::simd::SimdOp {
    fn fmt_operand(&self, _: usize) -> String {
        self.name().to_string()
    }
}
impl Operand for TrapCode {
    fn fmt_operand(&self, _: usize) -> String {
        format!("{:?}", self.message())
    }
}

/// An instruction as the interpreter runs it: paired with the threaded backend's handler for
/// its kind (direct threading: dispatch is one load of `handler` and one indirect jump). The
/// match loop reads only `instr`. Built only by [`Op::new`], so the pair always agrees — the
/// threaded handlers rely on it.
#[derive(Clone, Copy)]
pub struct Op {
    pub(crate) handler: crate::exec::Handler,
    pub(crate) instr: Instr,
}

impl Op {
    /// `instr` with its handler. Inlined, so a caller that knows the kind (a precompiled
    /// decoder) gets the handler as a constant.
    // Forced only when optimized: unoptimized, each of ~700 decoders would keep a copy.
    #[cfg_attr(debug_assertions, inline)]
    #[cfg_attr(not(debug_assertions), inline(always))]
    pub fn new(instr: Instr) -> Self {
        Op {
            handler: crate::exec::handler_of(&instr),
            instr,
        }
    }

    /// The instruction.
    pub fn instr(&self) -> &Instr {
        &self.instr
    }
}

impl fmt::Debug for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.instr.fmt(f)
    }
}

impl PartialEq for Op {
    fn eq(&self, other: &Self) -> bool {
        self.instr == other.instr
    }
}

/// A translated function body.
#[derive(Clone, Debug)]
pub struct CompiledFunc {
    /// The instructions, each with its threaded handler.
    pub code: Code,
    /// Registers in one frame: parameters, other locals, then the operand stack's maximum depth.
    pub num_regs: u32,
    pub num_params: u32,
    /// Parameters plus declared locals.
    pub num_locals: u32,
    pub num_results: u32,
    /// Wasm instructions the body had (including the final `end`).
    pub wasm_ops: u32,
    /// `eqz` instructions fused into the branch they fed. Such a branch is an ordinary
    /// `br_if_eqz`/`br_if_nez`, so only the translator can tell; fused comparisons are visible
    /// in the code ([`Instr::is_fused_compare`]).
    pub eqz_fusions: u32,
    /// For each instruction, the byte offset in the module of the Wasm instruction it was
    /// translated from; empty unless `Config::keep_source_map(true)`.
    pub source_map: Box<[u32]>,
    /// The `try_table` handlers, innermost first (see [`Handler`]); empty without exceptions.
    pub handlers: Box<[Handler]>,
    /// The cells a direct call's fast path needs past the frame base (see
    /// [`CompiledFunc::enter_room_for`]): one load decides whether the fast path fits.
    pub enter_room: u32,
}

/// How many cells past its parameters a direct call clears inline: frames with at most this
/// many locals, most small functions, enter without a call to `memset`.
pub(crate) const CLEAR_INLINE: usize = 8;

impl CompiledFunc {
    /// [`enter_room`](Self::enter_room) for a frame's sizes: the frame, or the parameters and
    /// the `CLEAR_INLINE` cells cleared after them if more; `u32::MAX` (so the fast path never
    /// fits) when more than `CLEAR_INLINE` locals need clearing.
    pub(crate) fn enter_room_for(num_regs: u32, num_params: u32, num_locals: u32) -> u32 {
        if num_locals.saturating_sub(num_params) as usize > CLEAR_INLINE {
            return u32::MAX;
        }
        num_regs.max(num_params.saturating_add(CLEAR_INLINE as u32))
    }

    /// The instructions, in order.
    pub fn instrs(&self) -> impl ExactSizeIterator<Item = &Instr> + DoubleEndedIterator + Clone {
        self.code.iter().map(Op::instr)
    }
}

impl fmt::Display for CompiledFunc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        disasm::write(f, self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instructions_stay_compact() {
        // 16 bytes: the widest form (`v128.load_lane`: three registers, an offset and a lane)
        // needs 13; the others fit in 12.
        assert_eq!(std::mem::size_of::<Instr>(), 16);
        // With the threaded handler's address beside it, padded to the pointer's alignment.
        assert_eq!(std::mem::size_of::<Op>(), 24);
    }

    #[test]
    fn catalogue_lists_every_numeric_op_once() {
        let cat = Instr::catalogue();
        assert!(cat
            .iter()
            .any(|(m, ops, _)| *m == "i32.add" && ops.len() == 3));
        assert!(cat
            .iter()
            .any(|(m, ops, _)| *m == "i64.eqz" && ops.len() == 2));
        let mut names: Vec<_> = cat.iter().map(|c| c.0).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), cat.len());
    }

    #[test]
    fn index_and_mnemonics_follow_the_catalogue() {
        let names: Vec<_> = Instr::catalogue().iter().map(|c| c.0).collect();
        assert_eq!(Instr::MNEMONICS, &names[..]);
        let (r, offset) = (Reg(1), Offset::new(2));
        let samples = [
            Instr::Trap {
                code: TrapCode::Unreachable,
            },
            Instr::Copy { dst: r, src: r },
            Instr::RefFunc { dst: r, func: 0 },
            Instr::I32Eqz { dst: r, a: r, b: r },
            Instr::I32Add { dst: r, a: r, b: r },
            Instr::I32AddImm {
                dst: r,
                a: r,
                imm: 1,
            },
            Instr::I64GeUImm {
                dst: r,
                a: r,
                imm: 1,
            },
            Instr::BrI64GeU { a: r, b: r, offset },
            Instr::BrI64GeUImm {
                a: r,
                imm: 1,
                offset,
            },
            Instr::I64TruncSatF64UAcc { dst: r, b: r },
        ];
        for i in samples {
            assert_eq!(Instr::MNEMONICS[i.index()], i.mnemonic());
        }
        assert_eq!(samples[9].index(), Instr::COUNT - 1);
        let fused: Vec<_> = samples.iter().map(Instr::is_fused_compare).collect();
        assert_eq!(fused.iter().filter(|f| **f).count(), 2);
        assert!(fused[7] && fused[8]);
        assert!(!Instr::BrIfEqz { cond: r, offset }.is_fused_compare());
    }

    /// `for_each_lane_sel!` lists exactly the selectors of every lane of every width.
    #[test]
    fn lane_selector_list_is_complete() {
        macro_rules! listed {
            ([] $($n:literal)*) => {
                vec![$(LaneSel($n)),*]
            };
        }
        let listed: Vec<LaneSel> = for_each_lane_sel!(listed);
        let all: Vec<LaneSel> = [1u8, 2, 4, 8]
            .iter()
            .flat_map(|&bytes| (0..16 / bytes).map(move |lane| LaneSel::new(bytes, lane)))
            .collect();
        assert_eq!(listed, all);
    }
}
