//! The register bytecode: the one definition of every instruction the interpreter runs.
//!
//! A frame is a fixed-size window of 64-bit register cells: registers `0..params` hold the
//! arguments, then the other locals, then one register per Wasm operand-stack slot (the slot at
//! stack height `h` is register `locals + h`). Operands name registers, so no value stack is
//! maintained at run time. Jumps carry offsets relative to the jumping instruction, resolved by
//! the translator. A call names the register where its arguments start: the callee's frame
//! begins there, so arguments are never copied and results come back in place.
//!
//! Every instruction is 12 bytes (checked by a test): a two-byte tag, 16-bit registers and
//! 32-bit immediates. The code a function runs is a list of [`Op`]s: each instruction beside
//! the address of the threaded backend's handler for its kind, 24 bytes in all. The instruction list below is the single source for the enum, its
//! mnemonics and the disassembler; the numeric operators are spliced in from
//! [`crate::ops`] so that they share one row with the Wasm operator of the same name.

mod disasm;
mod stats;
mod verify;
pub use disasm::{labels, line as disassemble_instr, listing, WasmLine};
pub use stats::{json_string, Counts, FuncStats, TranslationStats};
pub use verify::verify;

use crate::error::TrapCode;
use crate::ops::for_each_numeric_op;
use std::fmt;

/// A register index within the current frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Reg(pub u16);

/// A jump distance in instructions, relative to the jumping instruction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Offset(pub i32);

/// An instruction operand: how the disassembler shows it (`at` is the position of the
/// instruction) and what the bytecode verifier must check about it.
pub trait Operand {
    fn fmt_operand(&self, at: usize) -> String;
    fn as_reg(&self) -> Option<Reg> {
        None
    }
    fn as_offset(&self) -> Option<Offset> {
        None
    }
}

impl Operand for Reg {
    fn fmt_operand(&self, _: usize) -> String {
        format!("r{}", self.0)
    }
    fn as_reg(&self) -> Option<Reg> {
        Some(*self)
    }
}
impl Operand for Offset {
    fn fmt_operand(&self, at: usize) -> String {
        format!("@{}", at as i64 + self.0 as i64)
    }
    fn as_offset(&self) -> Option<Offset> {
        Some(*self)
    }
}
impl Operand for u32 {
    fn fmt_operand(&self, _: usize) -> String {
        self.to_string()
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
}
impl Operand for TrapCode {
    fn fmt_operand(&self, _: usize) -> String {
        format!("{:?}", self.message())
    }
}

macro_rules! define_instr {
    ([[ $( $(#[doc = $doc:literal])* $name:ident $mnem:literal { $($field:ident : $fty:ty),* } )* ]]
     $( ($code:expr) $nname:ident $nmnem:literal $shape:ident
        ($a:ident $(, $b:ident)? -> $r:ident) $f:ident acc $acc:ident
        $(imm $imm:ident $immacc:ident)?
        $(cmp $cimm:ident $br:ident $brimm:ident $cimmacc:ident $bracc:ident $brimmacc:ident)?
          $(step $addbr:ident $addimmbr:ident $sel:ident $selimm:ident $addbracc:ident $addimmbracc:ident)?
          $(mem $mem:ident $memacc:ident)?; )*) => {
        /// One register-bytecode instruction.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum Instr {
            $( $(#[doc = $doc])* $name { $($field: $fty),* }, )*
            $(
                #[doc = concat!("`", $nmnem, "`: `dst = ", $nmnem, "(a", $(", ", stringify!($b),)? ")`")]
                $nname { dst: Reg, a: Reg, b: Reg },
                #[doc = concat!("`", $nmnem, "` of the accumulator: `dst = ", $nmnem, "(acc", $(", ", stringify!($b),)? ")`")]
                $acc { dst: Reg, b: Reg },
                $(
                    #[doc = concat!("`", $nmnem, "` with an immediate right operand: `dst = ", $nmnem, "(a, imm)`")]
                    $imm { dst: Reg, a: Reg, imm: i32 },
                    #[doc = concat!("`dst = ", $nmnem, "(acc, imm)`")]
                    $immacc { dst: Reg, imm: i32 },
                )?
                $(
                    #[doc = concat!("`", $nmnem, "` with an immediate right operand: `dst = ", $nmnem, "(a, imm)`")]
                    $cimm { dst: Reg, a: Reg, imm: i32 },
                    #[doc = concat!("Jump by `offset` if `", $nmnem, "(a, b)`")]
                    $br { a: Reg, b: Reg, offset: Offset },
                    #[doc = concat!("Jump by `offset` if `", $nmnem, "(a, imm)`")]
                    $brimm { a: Reg, imm: i32, offset: Offset },
                    #[doc = concat!("`dst = ", $nmnem, "(acc, imm)`")]
                    $cimmacc { dst: Reg, imm: i32 },
                    #[doc = concat!("Jump by `offset` if `", $nmnem, "(acc, b)`")]
                    $bracc { b: Reg, offset: Offset },
                    #[doc = concat!("Jump by `offset` if `", $nmnem, "(acc, imm)`")]
                    $brimmacc { imm: i32, offset: Offset },
                )?
                $(
                    #[doc = concat!("`x = x + step`, then jump by `offset` if `", $nmnem, "(x, rhs)`")]
                    $addbr { x: Reg, step: Reg, rhs: Reg, offset: Offset },
                    #[doc = concat!("`x = x + step` (16-bit immediate), then jump by `offset` if `", $nmnem, "(x, rhs)`")]
                    $addimmbr { x: Reg, step: i16, rhs: Reg, offset: Offset },
                    #[doc = concat!("`dst = ", $nmnem, "(a, b) ? x : y`")]
                    $sel { dst: Reg, a: Reg, b: Reg, x: Reg, y: Reg },
                    #[doc = concat!("`dst = ", $nmnem, "(a, imm) ? x : y`")]
                    $selimm { dst: Reg, a: Reg, imm: i16, x: Reg, y: Reg },
                    #[doc = concat!("`add_br_if_", $nmnem, "` reading `x` from the accumulator (and writing it back to `x`)")]
                    $addbracc { x: Reg, step: Reg, rhs: Reg, offset: Offset },
                    #[doc = concat!("`add_imm_br_if_", $nmnem, "` reading `x` from the accumulator")]
                    $addimmbracc { x: Reg, step: i16, rhs: Reg, offset: Offset },
                )?
                $(
                    #[doc = concat!("`", $nmnem, "` of `a` and a value loaded from memory: `dst = ", $nmnem, "(a, load(addr + offset))`")]
                    $mem { dst: Reg, a: Reg, addr: Reg, offset: u32 },
                    #[doc = concat!("`dst = ", $nmnem, "(acc, load(addr + offset))`")]
                    $memacc { dst: Reg, addr: Reg, offset: u32 },
                )?
            )*
        }

        /// One tag per variant, in list order: the source of [`Instr::index`].
        enum Tag {
            $( $name, )*
            $(
                $nname, $acc, $( $imm, $immacc, )? $( $cimm, $br, $brimm, $cimmacc, $bracc, $brimmacc, )?
                $( $addbr, $addimmbr, $sel, $selimm, $addbracc, $addimmbracc, )? $( $mem, $memacc, )?
            )*
        }

        impl Instr {
            /// Every mnemonic, in list order: `MNEMONICS[instr.index()] == instr.mnemonic()`.
            pub const MNEMONICS: &'static [&'static str] = &[
                $( $mnem, )*
                $(
                    $nmnem,
                    { let _ = stringify!($acc); concat!($nmnem, "_acc") },
                    $(
                        { let _ = stringify!($imm); concat!($nmnem, "_imm") },
                        { let _ = stringify!($immacc); concat!($nmnem, "_imm_acc") },
                    )?
                    $(
                        { let _ = stringify!($cimm); concat!($nmnem, "_imm") },
                        { let _ = stringify!($br); concat!("br_if_", $nmnem) },
                        { let _ = stringify!($brimm); concat!("br_if_", $nmnem, "_imm") },
                        { let _ = stringify!($cimmacc); concat!($nmnem, "_imm_acc") },
                        { let _ = stringify!($bracc); concat!("br_if_", $nmnem, "_acc") },
                        { let _ = stringify!($brimmacc); concat!("br_if_", $nmnem, "_imm_acc") },
                    )?
                    $(
                        { let _ = stringify!($addbr); concat!("add_br_if_", $nmnem) },
                        { let _ = stringify!($addimmbr); concat!("add_imm_br_if_", $nmnem) },
                        { let _ = stringify!($sel); concat!("select_", $nmnem) },
                        { let _ = stringify!($selimm); concat!("select_", $nmnem, "_imm") },
                        { let _ = stringify!($addbracc); concat!("add_br_if_", $nmnem, "_acc") },
                        { let _ = stringify!($addimmbracc); concat!("add_imm_br_if_", $nmnem, "_acc") },
                    )?
                    $(
                        { let _ = stringify!($mem); concat!($nmnem, "_load") },
                        { let _ = stringify!($memacc); concat!($nmnem, "_load_acc") },
                    )?
                )*
            ];

            /// Number of distinct instructions (variants).
            pub const COUNT: usize = Self::MNEMONICS.len();

            /// The variant's position in the list, below [`Instr::COUNT`]: an index for per-kind
            /// tables such as the profiler's counters.
            #[inline(always)]
            pub fn index(&self) -> usize {
                match self {
                    $( Instr::$name { .. } => Tag::$name as usize, )*
                    $(
                        Instr::$nname { .. } => Tag::$nname as usize,
                        Instr::$acc { .. } => Tag::$acc as usize,
                        $(
                            Instr::$imm { .. } => Tag::$imm as usize,
                            Instr::$immacc { .. } => Tag::$immacc as usize,
                        )?
                        $(
                            Instr::$cimm { .. } => Tag::$cimm as usize,
                            Instr::$br { .. } => Tag::$br as usize,
                            Instr::$brimm { .. } => Tag::$brimm as usize,
                            Instr::$cimmacc { .. } => Tag::$cimmacc as usize,
                            Instr::$bracc { .. } => Tag::$bracc as usize,
                            Instr::$brimmacc { .. } => Tag::$brimmacc as usize,
                        )?
                        $(
                            Instr::$addbr { .. } => Tag::$addbr as usize,
                            Instr::$addimmbr { .. } => Tag::$addimmbr as usize,
                            Instr::$sel { .. } => Tag::$sel as usize,
                            Instr::$selimm { .. } => Tag::$selimm as usize,
                            Instr::$addbracc { .. } => Tag::$addbracc as usize,
                            Instr::$addimmbracc { .. } => Tag::$addimmbracc as usize,
                        )?
                        $(
                            Instr::$mem { .. } => Tag::$mem as usize,
                            Instr::$memacc { .. } => Tag::$memacc as usize,
                        )?
                    )*
                }
            }

            /// Whether this is a compare-and-branch (`br_if_<cmp>` or `br_if_<cmp>_imm`): a
            /// comparison the translator fused into the branch it fed.
            pub fn is_fused_compare(&self) -> bool {
                match self {
                    $( $( Instr::$br { .. }
                        | Instr::$brimm { .. }
                        | Instr::$bracc { .. }
                        | Instr::$brimmacc { .. } => {
                        let _ = stringify!($cimm);
                        true
                    } )? )*
                    _ => false,
                }
            }

            /// The text name used by the disassembler.
            pub fn mnemonic(&self) -> &'static str {
                match self {
                    $( Instr::$name { .. } => $mnem, )*
                    $(
                        Instr::$nname { .. } => $nmnem,
                        Instr::$acc { .. } => concat!($nmnem, "_acc"),
                        $(
                            Instr::$imm { .. } => concat!($nmnem, "_imm"),
                            Instr::$immacc { .. } => concat!($nmnem, "_imm_acc"),
                        )?
                        $(
                            Instr::$cimm { .. } => concat!($nmnem, "_imm"),
                            Instr::$br { .. } => concat!("br_if_", $nmnem),
                            Instr::$brimm { .. } => concat!("br_if_", $nmnem, "_imm"),
                            Instr::$cimmacc { .. } => concat!($nmnem, "_imm_acc"),
                            Instr::$bracc { .. } => concat!("br_if_", $nmnem, "_acc"),
                            Instr::$brimmacc { .. } => concat!("br_if_", $nmnem, "_imm_acc"),
                        )?
                        $(
                            Instr::$addbr { .. } => concat!("add_br_if_", $nmnem),
                            Instr::$addimmbr { .. } => concat!("add_imm_br_if_", $nmnem),
                            Instr::$sel { .. } => concat!("select_", $nmnem),
                            Instr::$selimm { .. } => concat!("select_", $nmnem, "_imm"),
                            Instr::$addbracc { .. } => concat!("add_br_if_", $nmnem, "_acc"),
                            Instr::$addimmbracc { .. } => concat!("add_imm_br_if_", $nmnem, "_acc"),
                        )?
                        $(
                            Instr::$mem { .. } => concat!($nmnem, "_load"),
                            Instr::$memacc { .. } => concat!($nmnem, "_load_acc"),
                        )?
                    )*
                }
            }

            /// Calls `f` with the name and value of every operand.
            pub fn visit_operands(&self, f: &mut dyn FnMut(&'static str, &dyn Operand)) {
                match self {
                    $( Instr::$name { $($field),* } => {
                        $( f(stringify!($field), $field); )*
                    } )*
                    $(
                        Instr::$nname { dst, a, b } => {
                            let _ = b;
                            f("dst", dst);
                            f("a", a);
                            $( let _ = stringify!($b); f("b", b); )?
                        }
                        Instr::$acc { dst, b } => {
                            let _ = b;
                            f("dst", dst);
                            $( let _ = stringify!($b); f("b", b); )?
                        }
                        $(
                            Instr::$imm { dst, a, imm } => {
                                f("dst", dst);
                                f("a", a);
                                f("imm", imm);
                            }
                            Instr::$immacc { dst, imm } => {
                                f("dst", dst);
                                f("imm", imm);
                            }
                        )?
                        $(
                            Instr::$cimm { dst, a, imm } => {
                                f("dst", dst);
                                f("a", a);
                                f("imm", imm);
                            }
                            Instr::$br { a, b, offset } => {
                                f("a", a);
                                f("b", b);
                                f("offset", offset);
                            }
                            Instr::$brimm { a, imm, offset } => {
                                f("a", a);
                                f("imm", imm);
                                f("offset", offset);
                            }
                            Instr::$cimmacc { dst, imm } => {
                                f("dst", dst);
                                f("imm", imm);
                            }
                            Instr::$bracc { b, offset } => {
                                f("b", b);
                                f("offset", offset);
                            }
                            Instr::$brimmacc { imm, offset } => {
                                f("imm", imm);
                                f("offset", offset);
                            }
                        )?
                        $(
                            Instr::$addbr { x, step, rhs, offset }
                            | Instr::$addbracc { x, step, rhs, offset } => {
                                f("x", x);
                                f("step", step);
                                f("rhs", rhs);
                                f("offset", offset);
                            }
                            Instr::$addimmbr { x, step, rhs, offset }
                            | Instr::$addimmbracc { x, step, rhs, offset } => {
                                f("x", x);
                                f("step", step);
                                f("rhs", rhs);
                                f("offset", offset);
                            }
                            Instr::$sel { dst, a, b, x, y } => {
                                f("dst", dst);
                                f("a", a);
                                f("b", b);
                                f("x", x);
                                f("y", y);
                            }
                            Instr::$selimm { dst, a, imm, x, y } => {
                                f("dst", dst);
                                f("a", a);
                                f("imm", imm);
                                f("x", x);
                                f("y", y);
                            }
                        )?
                        $(
                            Instr::$mem { dst, a, addr, offset } => {
                                f("dst", dst);
                                f("a", a);
                                f("addr", addr);
                                f("offset", offset);
                            }
                            Instr::$memacc { dst, addr, offset } => {
                                f("dst", dst);
                                f("addr", addr);
                                f("offset", offset);
                            }
                        )?
                    )*
                }
            }

            /// Every operand as `(name, text)`; `at` is this instruction's position.
            pub fn operands(&self, at: usize) -> Vec<(&'static str, String)> {
                let mut out = Vec::new();
                self.visit_operands(&mut |name, op| out.push((name, op.fmt_operand(at))));
                out
            }

            /// `(mnemonic, operand names, description)` of every instruction, in list order:
            /// the source of docs/bytecode.md.
            pub fn catalogue() -> Vec<(&'static str, Vec<&'static str>, String)> {
                let mut all = vec![
                    $( ($mnem, vec![$(stringify!($field)),*], concat!($($doc, "\n"),*).trim().to_string()), )*
                ];
                $(
                    all.push(($nmnem, {
                        #[allow(unused_mut)]
                        let mut v = vec!["dst", "a"];
                        $( let _ = stringify!($b); v.push("b"); )?
                        v
                    }, concat!("Wasm `", $nmnem, "`.").to_string()));
                    let _ = stringify!($acc);
                    all.push((concat!($nmnem, "_acc"), {
                        #[allow(unused_mut)]
                        let mut v = vec!["dst"];
                        $( let _ = stringify!($b); v.push("b"); )?
                        v
                    }, concat!("`", $nmnem, "` of the accumulator (the value the instruction before computed).").to_string()));
                    $( let _ = stringify!($imm); all.push((
                        concat!($nmnem, "_imm"),
                        vec!["dst", "a", "imm"],
                        concat!("Wasm `", $nmnem, "` with a constant right operand (32-bit immediate).").to_string(),
                    ));
                    let _ = stringify!($immacc);
                    all.push((
                        concat!($nmnem, "_imm_acc"),
                        vec!["dst", "imm"],
                        concat!("`", $nmnem, "_imm` of the accumulator.").to_string(),
                    )); )?
                    $( let _ = (stringify!($br), stringify!($brimm));
                    all.push((
                        concat!($nmnem, "_imm"),
                        vec!["dst", "a", "imm"],
                        concat!("Wasm `", $nmnem, "` with a constant right operand (32-bit immediate).").to_string(),
                    ));
                    let _ = stringify!($cimm);
                    all.push((
                        concat!("br_if_", $nmnem),
                        vec!["a", "b", "offset"],
                        concat!("`br_if` on `", $nmnem, "(a, b)`: jump by `offset` when it holds.").to_string(),
                    ));
                    all.push((
                        concat!("br_if_", $nmnem, "_imm"),
                        vec!["a", "imm", "offset"],
                        concat!("`br_if` on `", $nmnem, "(a, imm)` with a 32-bit immediate.").to_string(),
                    ));
                    let _ = (stringify!($cimmacc), stringify!($bracc), stringify!($brimmacc));
                    all.push((
                        concat!($nmnem, "_imm_acc"),
                        vec!["dst", "imm"],
                        concat!("`", $nmnem, "_imm` of the accumulator.").to_string(),
                    ));
                    all.push((
                        concat!("br_if_", $nmnem, "_acc"),
                        vec!["b", "offset"],
                        concat!("`br_if_", $nmnem, "` on the accumulator and `b`.").to_string(),
                    ));
                    all.push((
                        concat!("br_if_", $nmnem, "_imm_acc"),
                        vec!["imm", "offset"],
                        concat!("`br_if_", $nmnem, "_imm` on the accumulator.").to_string(),
                    )); )?
                    $( let _ = (stringify!($addbr), stringify!($addimmbr));
                    all.push((
                        concat!("add_br_if_", $nmnem),
                        vec!["x", "step", "rhs", "offset"],
                        concat!("Loop counter step: `x = x + step`, then jump by `offset` when `", $nmnem, "(x, rhs)`.").to_string(),
                    ));
                    all.push((
                        concat!("add_imm_br_if_", $nmnem),
                        vec!["x", "step", "rhs", "offset"],
                        concat!("`add_br_if_", $nmnem, "` with a 16-bit immediate step.").to_string(),
                    ));
                    all.push((
                        concat!("select_", $nmnem),
                        vec!["dst", "a", "b", "x", "y"],
                        concat!("`select` on a fused comparison: `dst = ", $nmnem, "(a, b) ? x : y`.").to_string(),
                    ));
                    all.push((
                        concat!("select_", $nmnem, "_imm"),
                        vec!["dst", "a", "imm", "x", "y"],
                        concat!("`select_", $nmnem, "` against a 16-bit immediate.").to_string(),
                    ));
                    let _ = (stringify!($addbracc), stringify!($addimmbracc));
                    all.push((
                        concat!("add_br_if_", $nmnem, "_acc"),
                        vec!["x", "step", "rhs", "offset"],
                        concat!("`add_br_if_", $nmnem, "` with the old `x` taken from the accumulator.").to_string(),
                    ));
                    all.push((
                        concat!("add_imm_br_if_", $nmnem, "_acc"),
                        vec!["x", "step", "rhs", "offset"],
                        concat!("`add_imm_br_if_", $nmnem, "` with the old `x` taken from the accumulator.").to_string(),
                    )); )?
                    $( let _ = stringify!($mem);
                    all.push((
                        concat!($nmnem, "_load"),
                        vec!["dst", "a", "addr", "offset"],
                        concat!("Wasm `", $nmnem, "` whose right operand is loaded from memory at `addr + offset` (the load fused in): `dst = ", $nmnem, "(a, load(addr + offset))`.").to_string(),
                    ));
                    let _ = stringify!($memacc);
                    all.push((
                        concat!($nmnem, "_load_acc"),
                        vec!["dst", "addr", "offset"],
                        concat!("`", $nmnem, "_load` of the accumulator.").to_string(),
                    )); )?
                )*
                all
            }
        }
    };
}

for_each_numeric_op!(define_instr, [
    /// Traps with the given code (from `unreachable`).
    Trap "trap" { code: TrapCode }
    /// `dst = src`.
    Copy "copy" { dst: Reg, src: Reg }
    /// `dst = acc`: a copy of the value the instruction before computed.
    CopyAcc "copy_acc" { dst: Reg }
    /// `dst0 = src0`, then `dst1 = src1`.
    Copy2 "copy2" { dst0: Reg, src0: Reg, dst1: Reg, src1: Reg }
    /// `dst = value` for a 32-bit constant (i32 or f32 bits).
    Const32 "const32" { dst: Reg, value: u32 }
    /// `dst = hi << 32 | lo` for a 64-bit constant (i64 or f64 bits).
    Const64 "const64" { dst: Reg, lo: u32, hi: u32 }
    /// Jump by `offset`.
    Br "br" { offset: Offset }
    /// Jump by `offset` if `cond != 0`.
    BrIfNez "br_if_nez" { cond: Reg, offset: Offset }
    /// Jump by `offset` if `cond == 0`.
    BrIfEqz "br_if_eqz" { cond: Reg, offset: Offset }
    /// Jump by `offset` if the accumulator (the value the instruction before computed, as an
    /// `i32`) is not zero.
    BrIfNezAcc "br_if_nez_acc" { offset: Offset }
    /// Jump by `offset` if the accumulator (as an `i32`) is zero.
    BrIfEqzAcc "br_if_eqz_acc" { offset: Offset }
    /// Jump table: followed by `len + 1` `br` entries; runs entry `min(index, len)`.
    BrTable "br_table" { index: Reg, len: u32 }
    /// Return from the frame; the results are already in registers `0..results`.
    Return "return" { }
    /// Return one result: `r0 = src`, then return.
    ReturnReg "return_reg" { src: Reg }
    /// Call function `func` of the instance; its frame starts at register `args`, where the
    /// arguments are and where the results will be.
    Call "call" { func: u32, args: Reg }
    /// `dst = src`, then `call func, args`: the copy just before a call (an argument moved
    /// into the callee's frame), in one instruction.
    CallCopy "call_copy" { func: u32, args: Reg, dst: Reg, src: Reg }
    /// `args = a`, then `args + 1 = b`, then `call func, args`: a `copy2` of the first two
    /// arguments just before a call, in one instruction.
    CallCopy2 "call_copy2" { func: u32, args: Reg, a: Reg, b: Reg }
    /// Call the function at table[`table`][`index`] after checking it has type `type_index`.
    CallIndirect "call_indirect" { type_index: u32, table: u16, index: Reg, args: Reg }
    /// `dst = cond != 0 ? a : b`.
    Select "select" { dst: Reg, cond: Reg, a: Reg, b: Reg }
    /// `dst = (a & mask) != 0 ? x : y`: a `select` on a flag test (`i32.and` with a constant).
    SelectAndImm "select_and_imm" { dst: Reg, a: Reg, mask: u16, x: Reg, y: Reg }
    /// `select_and_imm` testing the accumulator: `dst = (acc & mask) != 0 ? x : y`.
    SelectAndImmAcc "select_and_imm_acc" { dst: Reg, mask: u16, x: Reg, y: Reg }
    /// `dst = global`.
    GlobalGet "global.get" { dst: Reg, global: u32 }
    /// `global = src`.
    GlobalSet "global.set" { src: Reg, global: u32 }
    /// `dst = i32 load at addr + offset`.
    I32Load "i32.load" { dst: Reg, addr: Reg, offset: u32 }
    /// `dst = i64 load at addr + offset`.
    I64Load "i64.load" { dst: Reg, addr: Reg, offset: u32 }
    /// `dst = f32 load at addr + offset`.
    F32Load "f32.load" { dst: Reg, addr: Reg, offset: u32 }
    /// `dst = f64 load at addr + offset`.
    F64Load "f64.load" { dst: Reg, addr: Reg, offset: u32 }
    /// Sign-extending 8-bit load to i32.
    I32Load8S "i32.load8_s" { dst: Reg, addr: Reg, offset: u32 }
    /// Zero-extending 8-bit load to i32.
    I32Load8U "i32.load8_u" { dst: Reg, addr: Reg, offset: u32 }
    /// Sign-extending 16-bit load to i32.
    I32Load16S "i32.load16_s" { dst: Reg, addr: Reg, offset: u32 }
    /// Zero-extending 16-bit load to i32.
    I32Load16U "i32.load16_u" { dst: Reg, addr: Reg, offset: u32 }
    /// Sign-extending 8-bit load to i64.
    I64Load8S "i64.load8_s" { dst: Reg, addr: Reg, offset: u32 }
    /// Zero-extending 8-bit load to i64.
    I64Load8U "i64.load8_u" { dst: Reg, addr: Reg, offset: u32 }
    /// Sign-extending 16-bit load to i64.
    I64Load16S "i64.load16_s" { dst: Reg, addr: Reg, offset: u32 }
    /// Zero-extending 16-bit load to i64.
    I64Load16U "i64.load16_u" { dst: Reg, addr: Reg, offset: u32 }
    /// Sign-extending 32-bit load to i64.
    I64Load32S "i64.load32_s" { dst: Reg, addr: Reg, offset: u32 }
    /// Zero-extending 32-bit load to i64.
    I64Load32U "i64.load32_u" { dst: Reg, addr: Reg, offset: u32 }
    /// `dst = 32-bit load at acc + offset`: `i32.load` or `f32.load` at the address the
    /// instruction before computed.
    I32LoadAcc "i32.load_acc" { dst: Reg, offset: u32 }
    /// `dst = 64-bit load at acc + offset` (`i64.load`, `f64.load`).
    I64LoadAcc "i64.load_acc" { dst: Reg, offset: u32 }
    /// Store the low 32 bits of `src` at addr + offset.
    I32Store "i32.store" { addr: Reg, src: Reg, offset: u32 }
    /// Store 64 bits of `src`.
    I64Store "i64.store" { addr: Reg, src: Reg, offset: u32 }
    /// Store an f32.
    F32Store "f32.store" { addr: Reg, src: Reg, offset: u32 }
    /// Store an f64.
    F64Store "f64.store" { addr: Reg, src: Reg, offset: u32 }
    /// Store the low 8 bits of an i32.
    I32Store8 "i32.store8" { addr: Reg, src: Reg, offset: u32 }
    /// Store the low 16 bits of an i32.
    I32Store16 "i32.store16" { addr: Reg, src: Reg, offset: u32 }
    /// Store the low 8 bits of an i64.
    I64Store8 "i64.store8" { addr: Reg, src: Reg, offset: u32 }
    /// Store the low 16 bits of an i64.
    I64Store16 "i64.store16" { addr: Reg, src: Reg, offset: u32 }
    /// Store the low 32 bits of an i64.
    I64Store32 "i64.store32" { addr: Reg, src: Reg, offset: u32 }
    /// Store the low 32 bits of the accumulator (the value the instruction before computed) at
    /// addr + offset (`i32.store`, `f32.store`, `i64.store32`).
    I32StoreAcc "i32.store_acc" { addr: Reg, offset: u32 }
    /// Store the 64 bits of the accumulator at addr + offset (`i64.store`, `f64.store`).
    I64StoreAcc "i64.store_acc" { addr: Reg, offset: u32 }
    /// Store the low 8 bits of the constant `value` at addr + offset.
    Store8Imm "store8_imm" { addr: Reg, value: i32, offset: u32 }
    /// Store the low 16 bits of the constant `value`.
    Store16Imm "store16_imm" { addr: Reg, value: i32, offset: u32 }
    /// Store the 32-bit constant `value` (i32 or f32 bits).
    Store32Imm "store32_imm" { addr: Reg, value: i32, offset: u32 }
    /// Store the constant `value` sign-extended to 64 bits (i64, or f64 bits that fit).
    Store64Imm "store64_imm" { addr: Reg, value: i32, offset: u32 }
    /// `dst = 32-bit load at (base + index) + offset`, the `i32.add` that computed the address
    /// fused in (it wraps at 32 bits, as the add did). Also `f32.load`.
    I32LoadIdx "i32.load_idx" { dst: Reg, base: Reg, index: Reg, offset: u32 }
    /// 64-bit load at (base + index) + offset (`i64.load`, `f64.load`).
    I64LoadIdx "i64.load_idx" { dst: Reg, base: Reg, index: Reg, offset: u32 }
    /// Zero-extending 8-bit load at (base + index) + offset.
    I32Load8UIdx "i32.load8_u_idx" { dst: Reg, base: Reg, index: Reg, offset: u32 }
    /// Sign-extending 8-bit load to i32 at (base + index) + offset.
    I32Load8SIdx "i32.load8_s_idx" { dst: Reg, base: Reg, index: Reg, offset: u32 }
    /// Zero-extending 16-bit load at (base + index) + offset.
    I32Load16UIdx "i32.load16_u_idx" { dst: Reg, base: Reg, index: Reg, offset: u32 }
    /// Sign-extending 16-bit load to i32 at (base + index) + offset.
    I32Load16SIdx "i32.load16_s_idx" { dst: Reg, base: Reg, index: Reg, offset: u32 }
    /// Store the low 32 bits of `src` at (base + index) + offset (`i32.store`, `f32.store`,
    /// `i64.store32`).
    I32StoreIdx "i32.store_idx" { base: Reg, index: Reg, src: Reg, offset: u32 }
    /// Store 64 bits of `src` at (base + index) + offset (`i64.store`, `f64.store`).
    I64StoreIdx "i64.store_idx" { base: Reg, index: Reg, src: Reg, offset: u32 }
    /// Store the low 8 bits of `src` at (base + index) + offset.
    Store8Idx "store8_idx" { base: Reg, index: Reg, src: Reg, offset: u32 }
    /// Store the low 16 bits of `src` at (base + index) + offset.
    Store16Idx "store16_idx" { base: Reg, index: Reg, src: Reg, offset: u32 }
    /// Store the low 8 bits of the constant `value` at (base + index) + offset.
    Store8ImmIdx "store8_imm_idx" { base: Reg, index: Reg, value: u16, offset: u32 }
    /// `i32.load_idx` with `base` from the accumulator.
    I32LoadIdxAcc "i32.load_idx_acc" { dst: Reg, index: Reg, offset: u32 }
    /// `i64.load_idx` with `base` from the accumulator.
    I64LoadIdxAcc "i64.load_idx_acc" { dst: Reg, index: Reg, offset: u32 }
    /// `i32.load8_u_idx` with `base` from the accumulator.
    I32Load8UIdxAcc "i32.load8_u_idx_acc" { dst: Reg, index: Reg, offset: u32 }
    /// `i32.store_idx` storing the accumulator.
    I32StoreIdxAcc "i32.store_idx_acc" { base: Reg, index: Reg, offset: u32 }
    /// `i64.store_idx` storing the accumulator.
    I64StoreIdxAcc "i64.store_idx_acc" { base: Reg, index: Reg, offset: u32 }
    /// `store8_imm_idx` with `base` from the accumulator.
    Store8ImmIdxAcc "store8_imm_idx_acc" { index: Reg, value: u16, offset: u32 }
    /// `dst = 32-bit load at (base + disp) + offset`, the `i32.add` of a constant that
    /// computed the address fused in (wrapping at 32 bits); the static offset is below 2^16.
    I32LoadDisp "i32.load_disp" { dst: Reg, base: Reg, disp: i32, offset: u16 }
    /// 64-bit load at (base + disp) + offset.
    I64LoadDisp "i64.load_disp" { dst: Reg, base: Reg, disp: i32, offset: u16 }
    /// Zero-extending 8-bit load at (base + disp) + offset.
    I32Load8UDisp "i32.load8_u_disp" { dst: Reg, base: Reg, disp: i32, offset: u16 }
    /// Sign-extending 8-bit load at (base + disp) + offset.
    I32Load8SDisp "i32.load8_s_disp" { dst: Reg, base: Reg, disp: i32, offset: u16 }
    /// Zero-extending 16-bit load at (base + disp) + offset.
    I32Load16UDisp "i32.load16_u_disp" { dst: Reg, base: Reg, disp: i32, offset: u16 }
    /// Sign-extending 16-bit load at (base + disp) + offset.
    I32Load16SDisp "i32.load16_s_disp" { dst: Reg, base: Reg, disp: i32, offset: u16 }
    /// Store the low 32 bits of `src` at (base + disp) + offset.
    I32StoreDisp "i32.store_disp" { base: Reg, src: Reg, disp: i32, offset: u16 }
    /// Store 64 bits of `src` at (base + disp) + offset.
    I64StoreDisp "i64.store_disp" { base: Reg, src: Reg, disp: i32, offset: u16 }
    /// Store the low 8 bits of `src` at (base + disp) + offset.
    Store8Disp "store8_disp" { base: Reg, src: Reg, disp: i32, offset: u16 }
    /// Store the low 16 bits of `src` at (base + disp) + offset.
    Store16Disp "store16_disp" { base: Reg, src: Reg, disp: i32, offset: u16 }
    /// `dst = 32-bit load at addr`: a constant address, the static offset folded in.
    I32LoadAbs "i32.load_abs" { dst: Reg, addr: u32 }
    /// 64-bit load at the constant address `addr`.
    I64LoadAbs "i64.load_abs" { dst: Reg, addr: u32 }
    /// Zero-extending 8-bit load at the constant address `addr`.
    I32Load8UAbs "i32.load8_u_abs" { dst: Reg, addr: u32 }
    /// Sign-extending 8-bit load at the constant address `addr`.
    I32Load8SAbs "i32.load8_s_abs" { dst: Reg, addr: u32 }
    /// Zero-extending 16-bit load at the constant address `addr`.
    I32Load16UAbs "i32.load16_u_abs" { dst: Reg, addr: u32 }
    /// Sign-extending 16-bit load at the constant address `addr`.
    I32Load16SAbs "i32.load16_s_abs" { dst: Reg, addr: u32 }
    /// Store the low 32 bits of `src` at the constant address `addr`.
    I32StoreAbs "i32.store_abs" { src: Reg, addr: u32 }
    /// Store 64 bits of `src` at the constant address `addr`.
    I64StoreAbs "i64.store_abs" { src: Reg, addr: u32 }
    /// Store the low 8 bits of `src` at the constant address `addr`.
    Store8Abs "store8_abs" { src: Reg, addr: u32 }
    /// Store the low 16 bits of `src` at the constant address `addr`.
    Store16Abs "store16_abs" { src: Reg, addr: u32 }
    /// `x = x + imm` (wrapping), then `dst = 32-bit load at x + offset`: a pointer stepped
    /// just before it is read through (`i32.add_imm` in place, then `i32.load`/`f32.load`).
    I32LoadBump "i32.load_bump" { dst: Reg, x: Reg, imm: i32, offset: u16 }
    /// `dst = dst2 = a + imm`: an `i32.add_imm` into a local that is then copied to another
    /// (`local.tee y` then `local.set x`).
    I32AddImm2 "i32.add_imm2" { dst: Reg, dst2: Reg, a: Reg, imm: i32 }
    /// `x += i; y += j`, wrapping: two counter steps in a row (`x` and `y` differ), e.g. the
    /// pointers and index of a loop stepped together.
    I32AddImmPair "i32.add_imm_pair" { x: Reg, y: Reg, i: i16, j: i16 }
    /// `dst = (a >> shift) & mask` (unsigned shift): an `i32.shr_u` by a constant and the
    /// `i32.and` of its result with a constant, a bit-field extract, in one.
    I32ShrUAndImm "i32.shr_u_and_imm" { dst: Reg, a: Reg, shift: u16, mask: i32 }
    /// `i32.shr_u_and_imm` of the accumulator: `dst = (acc >> shift) & mask`.
    I32ShrUAndImmAcc "i32.shr_u_and_imm_acc" { dst: Reg, shift: u16, mask: i32 }
    /// `dst = (a << shift) + imm`, wrapping: an `i32.shl` by a constant and the `i32.add` of
    /// a constant to its result, an array element's address, in one.
    I32ShlAddImm "i32.shl_add_imm" { dst: Reg, a: Reg, shift: u16, imm: i32 }
    /// `i32.shl_add_imm` of the accumulator: `dst = (acc << shift) + imm`.
    I32ShlAddImmAcc "i32.shl_add_imm_acc" { dst: Reg, shift: u16, imm: i32 }
    /// `dst = a ^ rotl(b, rot)`: an `i32.rotl` by a constant and the `i32.xor` of its result
    /// in one (hash functions' rotate-and-mix steps).
    I32XorRotlImm "i32.xor_rotl_imm" { dst: Reg, a: Reg, b: Reg, rot: u16 }
    /// `dst = c + a * b`, wrapping: an `i32.mul` and the `i32.add` of its result in one.
    I32MulAdd "i32.mul_add" { dst: Reg, a: Reg, b: Reg, c: Reg }
    /// `dst = c + a * b`, wrapping (`i64`).
    I64MulAdd "i64.mul_add" { dst: Reg, a: Reg, b: Reg, c: Reg }
    /// `dst = c + a * b` in `f32`, rounded after the multiply and after the add, exactly as the
    /// separate `f32.mul` and `f32.add` (not a fused multiply-add).
    F32MulAdd "f32.mul_add" { dst: Reg, a: Reg, b: Reg, c: Reg }
    /// `dst = c + a * b` in `f64`, rounded twice like the separate instructions.
    F64MulAdd "f64.mul_add" { dst: Reg, a: Reg, b: Reg, c: Reg }
    /// `dst = c - a * b`, wrapping: an `i32.mul` and the `i32.sub` of its result from `c` in
    /// one.
    I32MulSub "i32.mul_sub" { dst: Reg, a: Reg, b: Reg, c: Reg }
    /// `dst = c - a * b`, wrapping (`i64`).
    I64MulSub "i64.mul_sub" { dst: Reg, a: Reg, b: Reg, c: Reg }
    /// `dst = c - a * b` in `f32`, rounded twice like the separate instructions.
    F32MulSub "f32.mul_sub" { dst: Reg, a: Reg, b: Reg, c: Reg }
    /// `dst = c - a * b` in `f64`, rounded twice like the separate instructions.
    F64MulSub "f64.mul_sub" { dst: Reg, a: Reg, b: Reg, c: Reg }
    /// `dst = memory size in pages`.
    MemorySize "memory.size" { dst: Reg }
    /// `dst = memory.grow(delta)` (old size, or -1).
    MemoryGrow "memory.grow" { dst: Reg, delta: Reg }
    /// `memory.init data` with (dst, src, len) in registers `args..args+3`.
    MemoryInit "memory.init" { args: Reg, data: u32 }
    /// Drop data segment `data`.
    DataDrop "data.drop" { data: u32 }
    /// `memory.copy` with (dst, src, len) in registers `args..args+3`.
    MemoryCopy "memory.copy" { args: Reg }
    /// `memory.fill` with (dst, value, len) in registers `args..args+3`.
    MemoryFill "memory.fill" { args: Reg }
    /// `dst = table[index]`.
    TableGet "table.get" { dst: Reg, index: Reg, table: u32 }
    /// `table[index] = value`.
    TableSet "table.set" { index: Reg, value: Reg, table: u32 }
    /// `dst = table size`.
    TableSize "table.size" { dst: Reg, table: u32 }
    /// `table.grow` with (init, delta) in `args`, `args+1`; the result replaces `args`.
    TableGrow "table.grow" { args: Reg, table: u32 }
    /// `table.fill` with (index, value, len) in registers `args..args+3`.
    TableFill "table.fill" { args: Reg, table: u32 }
    /// `table.copy` with (dst, src, len) in registers `args..args+3`.
    TableCopy "table.copy" { args: Reg, dst_table: u16, src_table: u16 }
    /// `table.init` with (dst, src, len) in registers `args..args+3`.
    TableInit "table.init" { args: Reg, table: u16, elem: u32 }
    /// Drop element segment `elem`.
    ElemDrop "elem.drop" { elem: u32 }
    /// `dst = reference to function func`.
    RefFunc "ref.func" { dst: Reg, func: u32 }
    /// Start of a basic block under fuel metering: charge `amount` fuel (the block's
    /// instruction count), or suspend the call, resumably, when the store has less.
    ConsumeFuel "consume_fuel" { amount: u32 }
    /// At function entry and loop headers of interruptible code: suspend the call, resumably,
    /// if an interrupt or the deadline was signalled (one relaxed atomic load).
    Check "check" { }
]);

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
    /// `instr` with its handler.
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
    pub code: Box<[Op]>,
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
}

impl CompiledFunc {
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
        assert_eq!(std::mem::size_of::<Instr>(), 12);
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
        let (r, offset) = (Reg(1), Offset(2));
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
}
