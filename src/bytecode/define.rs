//! The [`Instr`] enum and what is known of each instruction by name: its mnemonic, its position
//! in the list, its operands (for the disassembler and the verifier) and its entry in
//! docs/bytecode.md. All generated from the instruction table ([`super::instrs`]) by
//! `define_instr!`; the queries the translator asks are generated in `facts.rs`.

use super::instrs::for_each_instr;
use super::{LaneSel, Offset, Operand, OperandVisitor, Reg, VReg};
use crate::error::TrapCode;
use crate::simd::SimdOp;

macro_rules! define_instr {
    ([[ $(
        $(#[doc = $doc:literal])+
        $name:ident $mnem:literal { $($field:ident : $fty:ty),* }
        $(-> $out:ident)?
        $(writes($($w:ident),+))?
        $(acc_holds($holds:ident))?
        $(jumps($jump:ident))?
        $(acc_of($($base:ident . $repl:ident)|+))?
        $(commutes($c1:ident, $c2:ident))?
        $(is($($flag:ident),+))?
    )* ]]
     $( ($code:expr) $nname:ident $nmnem:literal $shape:ident
        ($a:ident $(, $b:ident)? -> $r:ident) $f:ident acc $acc:ident
        $(imm $imm:ident $immacc:ident)?
        $(cmp $cimm:ident $br:ident $brimm:ident $cimmacc:ident $bracc:ident $brimmacc:ident)?
        $(step $addbr:ident $addimmbr:ident $sel:ident $selimm:ident $addbracc:ident $addimmbracc:ident)?
        $(mem $mem:ident $memacc:ident)?; )*) => {
        /// One register-bytecode instruction.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum Instr {
            $( $(#[doc = $doc])+ $name { $($field: $fty),* }, )*
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
                Self::MNEMONICS[self.index()]
            }

            /// Calls `f` with the name and value of every operand.
            #[inline(always)]
            pub fn visit_operands(&self, f: impl FnMut(&'static str, &dyn Operand)) {
                /// The closure as a visitor: one `&dyn Operand` per call.
                struct Dyn<F>(F);
                impl<F: FnMut(&'static str, &dyn Operand)> OperandVisitor for Dyn<F> {
                    #[inline(always)]
                    fn operand<T: Operand>(&mut self, name: &'static str, op: &T) {
                        (self.0)(name, op)
                    }
                }
                self.visit_operands_with(&mut Dyn(f))
            }

            /// Calls `v.operand` with the name and value of every operand, each at its own type:
            /// what the load-time checks use, so no operand goes through a `dyn` call.
            #[inline(always)]
            pub fn visit_operands_with<V: OperandVisitor>(&self, v: &mut V) {
                match self {
                    $( Instr::$name { $($field),* } => {
                        $( v.operand(stringify!($field), $field); )*
                    } )*
                    $(
                        Instr::$nname { dst, a, b } => {
                            let _ = b;
                            v.operand("dst", dst);
                            v.operand("a", a);
                            $( let _ = stringify!($b); v.operand("b", b); )?
                        }
                        Instr::$acc { dst, b } => {
                            let _ = b;
                            v.operand("dst", dst);
                            $( let _ = stringify!($b); v.operand("b", b); )?
                        }
                        $(
                            Instr::$imm { dst, a, imm } => {
                                v.operand("dst", dst);
                                v.operand("a", a);
                                v.operand("imm", imm);
                            }
                            Instr::$immacc { dst, imm } => {
                                v.operand("dst", dst);
                                v.operand("imm", imm);
                            }
                        )?
                        $(
                            Instr::$cimm { dst, a, imm } => {
                                v.operand("dst", dst);
                                v.operand("a", a);
                                v.operand("imm", imm);
                            }
                            Instr::$br { a, b, offset } => {
                                v.operand("a", a);
                                v.operand("b", b);
                                v.operand("offset", offset);
                            }
                            Instr::$brimm { a, imm, offset } => {
                                v.operand("a", a);
                                v.operand("imm", imm);
                                v.operand("offset", offset);
                            }
                            Instr::$cimmacc { dst, imm } => {
                                v.operand("dst", dst);
                                v.operand("imm", imm);
                            }
                            Instr::$bracc { b, offset } => {
                                v.operand("b", b);
                                v.operand("offset", offset);
                            }
                            Instr::$brimmacc { imm, offset } => {
                                v.operand("imm", imm);
                                v.operand("offset", offset);
                            }
                        )?
                        $(
                            Instr::$addbr { x, step, rhs, offset }
                            | Instr::$addbracc { x, step, rhs, offset } => {
                                v.operand("x", x);
                                v.operand("step", step);
                                v.operand("rhs", rhs);
                                v.operand("offset", offset);
                            }
                            Instr::$addimmbr { x, step, rhs, offset }
                            | Instr::$addimmbracc { x, step, rhs, offset } => {
                                v.operand("x", x);
                                v.operand("step", step);
                                v.operand("rhs", rhs);
                                v.operand("offset", offset);
                            }
                            Instr::$sel { dst, a, b, x, y } => {
                                v.operand("dst", dst);
                                v.operand("a", a);
                                v.operand("b", b);
                                v.operand("x", x);
                                v.operand("y", y);
                            }
                            Instr::$selimm { dst, a, imm, x, y } => {
                                v.operand("dst", dst);
                                v.operand("a", a);
                                v.operand("imm", imm);
                                v.operand("x", x);
                                v.operand("y", y);
                            }
                        )?
                        $(
                            Instr::$mem { dst, a, addr, offset } => {
                                v.operand("dst", dst);
                                v.operand("a", a);
                                v.operand("addr", addr);
                                v.operand("offset", offset);
                            }
                            Instr::$memacc { dst, addr, offset } => {
                                v.operand("dst", dst);
                                v.operand("addr", addr);
                                v.operand("offset", offset);
                            }
                        )?
                    )*
                }
            }

            /// `(mnemonic, operand names, description)` of every instruction, in list order:
            /// the source of docs/bytecode.md.
            pub fn catalogue() -> Vec<(&'static str, Vec<&'static str>, String)> {
                let mut all = vec![
                    $( ($mnem, vec![$(stringify!($field)),*], concat!($($doc, "\n"),*).trim().to_string()), )*
                ];
                $(
                    all.push((Self::MNEMONICS[all.len()], {
                        #[allow(unused_mut)]
                        let mut v = vec!["dst", "a"];
                        $( let _ = stringify!($b); v.push("b"); )?
                        v
                    }, concat!("Wasm `", $nmnem, "`.").to_string()));
                    let _ = stringify!($acc);
                    all.push((Self::MNEMONICS[all.len()], {
                        #[allow(unused_mut)]
                        let mut v = vec!["dst"];
                        $( let _ = stringify!($b); v.push("b"); )?
                        v
                    }, concat!("`", $nmnem, "` of the accumulator (the value the instruction before computed).").to_string()));
                    $( let _ = stringify!($imm); all.push((
                        Self::MNEMONICS[all.len()],
                        vec!["dst", "a", "imm"],
                        concat!("Wasm `", $nmnem, "` with a constant right operand (32-bit immediate).").to_string(),
                    ));
                    let _ = stringify!($immacc);
                    all.push((
                        Self::MNEMONICS[all.len()],
                        vec!["dst", "imm"],
                        concat!("`", $nmnem, "_imm` of the accumulator.").to_string(),
                    )); )?
                    $( let _ = (stringify!($br), stringify!($brimm));
                    all.push((
                        Self::MNEMONICS[all.len()],
                        vec!["dst", "a", "imm"],
                        concat!("Wasm `", $nmnem, "` with a constant right operand (32-bit immediate).").to_string(),
                    ));
                    let _ = stringify!($cimm);
                    all.push((
                        Self::MNEMONICS[all.len()],
                        vec!["a", "b", "offset"],
                        concat!("`br_if` on `", $nmnem, "(a, b)`: jump by `offset` when it holds.").to_string(),
                    ));
                    all.push((
                        Self::MNEMONICS[all.len()],
                        vec!["a", "imm", "offset"],
                        concat!("`br_if` on `", $nmnem, "(a, imm)` with a 32-bit immediate.").to_string(),
                    ));
                    let _ = (stringify!($cimmacc), stringify!($bracc), stringify!($brimmacc));
                    all.push((
                        Self::MNEMONICS[all.len()],
                        vec!["dst", "imm"],
                        concat!("`", $nmnem, "_imm` of the accumulator.").to_string(),
                    ));
                    all.push((
                        Self::MNEMONICS[all.len()],
                        vec!["b", "offset"],
                        concat!("`br_if_", $nmnem, "` on the accumulator and `b`.").to_string(),
                    ));
                    all.push((
                        Self::MNEMONICS[all.len()],
                        vec!["imm", "offset"],
                        concat!("`br_if_", $nmnem, "_imm` on the accumulator.").to_string(),
                    )); )?
                    $( let _ = (stringify!($addbr), stringify!($addimmbr));
                    all.push((
                        Self::MNEMONICS[all.len()],
                        vec!["x", "step", "rhs", "offset"],
                        concat!("Loop counter step: `x = x + step`, then jump by `offset` when `", $nmnem, "(x, rhs)`.").to_string(),
                    ));
                    all.push((
                        Self::MNEMONICS[all.len()],
                        vec!["x", "step", "rhs", "offset"],
                        concat!("`add_br_if_", $nmnem, "` with a 16-bit immediate step.").to_string(),
                    ));
                    all.push((
                        Self::MNEMONICS[all.len()],
                        vec!["dst", "a", "b", "x", "y"],
                        concat!("`select` on a fused comparison: `dst = ", $nmnem, "(a, b) ? x : y`.").to_string(),
                    ));
                    all.push((
                        Self::MNEMONICS[all.len()],
                        vec!["dst", "a", "imm", "x", "y"],
                        concat!("`select_", $nmnem, "` against a 16-bit immediate.").to_string(),
                    ));
                    let _ = (stringify!($addbracc), stringify!($addimmbracc));
                    all.push((
                        Self::MNEMONICS[all.len()],
                        vec!["x", "step", "rhs", "offset"],
                        concat!("`add_br_if_", $nmnem, "` with the old `x` taken from the accumulator.").to_string(),
                    ));
                    all.push((
                        Self::MNEMONICS[all.len()],
                        vec!["x", "step", "rhs", "offset"],
                        concat!("`add_imm_br_if_", $nmnem, "` with the old `x` taken from the accumulator.").to_string(),
                    )); )?
                    $( let _ = stringify!($mem);
                    all.push((
                        Self::MNEMONICS[all.len()],
                        vec!["dst", "a", "addr", "offset"],
                        concat!("Wasm `", $nmnem, "` whose right operand is loaded from memory at `addr + offset` (the load fused in): `dst = ", $nmnem, "(a, load(addr + offset))`.").to_string(),
                    ));
                    let _ = stringify!($memacc);
                    all.push((
                        Self::MNEMONICS[all.len()],
                        vec!["dst", "addr", "offset"],
                        concat!("`", $nmnem, "_load` of the accumulator.").to_string(),
                    )); )?
                )*
                all
            }

            /// One instruction of every kind, in list order, no two operands with the same
            /// value: for tests that check the table's attributes against the operands.
            #[cfg(test)]
            pub(crate) fn examples() -> Vec<Instr> {
                let mut n = 0u16;
                macro_rules! next {
                    () => {{
                        n += 1;
                        Example::example(n)
                    }};
                }
                #[allow(unused_mut)]
                let mut all = vec![ $( Instr::$name { $($field: next!()),* }, )* ];
                $(
                    all.push(Instr::$nname { dst: next!(), a: next!(), b: next!() });
                    all.push(Instr::$acc { dst: next!(), b: next!() });
                    $(
                        all.push(Instr::$imm { dst: next!(), a: next!(), imm: next!() });
                        all.push(Instr::$immacc { dst: next!(), imm: next!() });
                    )?
                    $(
                        all.push(Instr::$cimm { dst: next!(), a: next!(), imm: next!() });
                        all.push(Instr::$br { a: next!(), b: next!(), offset: next!() });
                        all.push(Instr::$brimm { a: next!(), imm: next!(), offset: next!() });
                        all.push(Instr::$cimmacc { dst: next!(), imm: next!() });
                        all.push(Instr::$bracc { b: next!(), offset: next!() });
                        all.push(Instr::$brimmacc { imm: next!(), offset: next!() });
                    )?
                    $(
                        all.push(Instr::$addbr { x: next!(), step: next!(), rhs: next!(), offset: next!() });
                        all.push(Instr::$addimmbr { x: next!(), step: next!(), rhs: next!(), offset: next!() });
                        all.push(Instr::$sel { dst: next!(), a: next!(), b: next!(), x: next!(), y: next!() });
                        all.push(Instr::$selimm { dst: next!(), a: next!(), imm: next!(), x: next!(), y: next!() });
                        all.push(Instr::$addbracc { x: next!(), step: next!(), rhs: next!(), offset: next!() });
                        all.push(Instr::$addimmbracc { x: next!(), step: next!(), rhs: next!(), offset: next!() });
                    )?
                    $(
                        all.push(Instr::$mem { dst: next!(), a: next!(), addr: next!(), offset: next!() });
                        all.push(Instr::$memacc { dst: next!(), addr: next!(), offset: next!() });
                    )?
                )*
                all
            }
        }
    };
}

for_each_instr!(define_instr);

/// A value for an operand of an example instruction: the `n`th of the list.
#[cfg(test)]
pub(crate) trait Example {
    fn example(n: u16) -> Self;
}
#[cfg(test)]
mod example {
    use super::*;
    impl Example for Reg {
        fn example(n: u16) -> Self {
            Reg(n)
        }
    }
    impl Example for Offset {
        fn example(n: u16) -> Self {
            Offset::new(n.into())
        }
    }
    impl Example for u32 {
        fn example(n: u16) -> Self {
            n.into()
        }
    }
    impl Example for i32 {
        fn example(n: u16) -> Self {
            n.into()
        }
    }
    impl Example for u16 {
        fn example(n: u16) -> Self {
            n
        }
    }
    impl Example for i16 {
        fn example(n: u16) -> Self {
            n as i16
        }
    }
    impl Example for VReg {
        fn example(n: u16) -> Self {
            VReg(n)
        }
    }
    impl Example for u8 {
        fn example(n: u16) -> Self {
            n as u8
        }
    }
    impl Example for LaneSel {
        fn example(n: u16) -> Self {
            LaneSel(n as u8 & 0x3f)
        }
    }
    impl Example for SimdOp {
        fn example(_: u16) -> Self {
            SimdOp::I8x16Add
        }
    }
    impl Example for TrapCode {
        fn example(_: u16) -> Self {
            TrapCode::Unreachable
        }
    }
}
