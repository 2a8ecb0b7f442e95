//! What the translator's passes ask about an instruction: the register it writes, where it
//! jumps, whether it is a store, a call or the end of a block, its accumulator form. Answered
//! from the attributes of the instruction table ([`super::instrs`]) by `define_facts!`, each
//! query one exhaustive `match` over the variants: a new instruction gets its answers from its
//! row, never from a fallback arm. The tests check the attributes against the operands.

use super::instrs::for_each_instr;
use super::{Instr, Offset, Reg};
use crate::ops::NumOp;

/// The `is(..)` flags of a row; a flag the struct lacks does not compile.
#[derive(Clone, Copy)]
struct Flags {
    store: bool,
    update: bool,
    call: bool,
    terminal: bool,
}

impl Flags {
    const NONE: Flags = Flags {
        store: false,
        update: false,
        call: false,
        terminal: false,
    };
}

/// The field an attribute names, if the row has the attribute.
macro_rules! field {
    () => {
        None
    };
    ($f:ident) => {
        Some($f)
    };
}

/// One row's `acc_of(Base.f | ..)`: returns its instruction when `$instr` is one of the bases
/// reading `$r` in the replaced field. The base's pattern names every field, so the compiler
/// checks that the two differ by exactly the replaced one.
macro_rules! acc_of {
    ($instr:ident, $r:ident, $name:ident $fields:tt) => {};
    ($instr:ident, $r:ident, $name:ident $fields:tt $($base:ident . $repl:ident)|+) => {
        $( acc_of!(@one $instr, $r, $name $fields $base $repl); )+
    };
    (@one $instr:ident, $r:ident, $name:ident [$($field:ident)*] $base:ident $repl:ident) => {
        if let Instr::$base { $repl, $($field),* } = $instr {
            if $repl == $r {
                return Some(Instr::$name { $($field),* });
            }
        }
    };
}

/// One row's `commutes(f, g)`: `$instr` with the two fields exchanged.
macro_rules! commuted {
    ($instr:ident, $name:ident) => {
        None
    };
    ($instr:ident, $name:ident $f:ident $g:ident) => {{
        let mut c = $instr;
        if let Instr::$name { $f, $g, .. } = &mut c {
            std::mem::swap($f, $g);
        }
        Some(c)
    }};
}

macro_rules! define_facts {
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
        impl Instr {
            /// The register it writes its one result to (`-> f` in the table): what `local.set`
            /// may retarget to the local, and what the accumulator holds afterwards.
            pub fn result_reg(&self) -> Option<Reg> {
                let mut instr = *self;
                instr.result_reg_mut().copied()
            }

            /// [`Instr::result_reg`], to retarget.
            pub(crate) fn result_reg_mut(&mut self) -> Option<&mut Reg> {
                match self {
                    $( Instr::$name { $($out,)? .. } => field!($($out)?), )*
                    $(
                        Instr::$nname { dst, .. } | Instr::$acc { dst, .. } => Some(dst),
                        $( Instr::$imm { dst, .. } | Instr::$immacc { dst, .. } => Some(dst), )?
                        $(
                            Instr::$cimm { dst, .. } | Instr::$cimmacc { dst, .. } => Some(dst),
                            Instr::$br { .. }
                            | Instr::$brimm { .. }
                            | Instr::$bracc { .. }
                            | Instr::$brimmacc { .. } => None,
                        )?
                        $(
                            Instr::$sel { dst, .. } | Instr::$selimm { dst, .. } => Some(dst),
                            // The counter they step is written, but they jump on it.
                            Instr::$addbr { .. }
                            | Instr::$addimmbr { .. }
                            | Instr::$addbracc { .. }
                            | Instr::$addimmbracc { .. } => None,
                        )?
                        $( Instr::$mem { dst, .. } | Instr::$memacc { dst, .. } => Some(dst), )?
                    )*
                }
            }

            /// The registers it writes besides its result (`writes(..)` in the table).
            pub fn other_writes(&self) -> Vec<Reg> {
                match *self {
                    $( Instr::$name { $($($w,)+)? .. } => vec![$($(Reg::from($w)),+)?], )*
                    $(
                        Instr::$nname { .. } | Instr::$acc { .. } => vec![],
                        $( Instr::$imm { .. } | Instr::$immacc { .. } => vec![], )?
                        $(
                            Instr::$cimm { .. }
                            | Instr::$cimmacc { .. }
                            | Instr::$br { .. }
                            | Instr::$brimm { .. }
                            | Instr::$bracc { .. }
                            | Instr::$brimmacc { .. } => vec![],
                        )?
                        $(
                            Instr::$sel { .. } | Instr::$selimm { .. } => vec![],
                            Instr::$addbr { x, .. }
                            | Instr::$addimmbr { x, .. }
                            | Instr::$addbracc { x, .. }
                            | Instr::$addimmbracc { x, .. } => vec![x],
                        )?
                        $( Instr::$mem { .. } | Instr::$memacc { .. } => vec![], )?
                    )*
                }
            }

            /// The register whose value the accumulator holds after it, when the next
            /// instruction runs right after it: its result, or `acc_holds(f)` in the table.
            /// `None` when the table names none (after a call, nothing is known).
            pub(crate) fn acc_holds(&self) -> Option<Reg> {
                match *self {
                    $( Instr::$name { $($out,)? $($holds,)? .. } => field!($($out)? $($holds)?), )*
                    $(
                        Instr::$nname { dst, .. } | Instr::$acc { dst, .. } => Some(dst),
                        $( Instr::$imm { dst, .. } | Instr::$immacc { dst, .. } => Some(dst), )?
                        $(
                            Instr::$cimm { dst, .. } | Instr::$cimmacc { dst, .. } => Some(dst),
                            Instr::$br { .. }
                            | Instr::$brimm { .. }
                            | Instr::$bracc { .. }
                            | Instr::$brimmacc { .. } => None,
                        )?
                        $(
                            Instr::$sel { dst, .. } | Instr::$selimm { dst, .. } => Some(dst),
                            Instr::$addbr { x, .. }
                            | Instr::$addimmbr { x, .. }
                            | Instr::$addbracc { x, .. }
                            | Instr::$addimmbracc { x, .. } => Some(x),
                        )?
                        $( Instr::$mem { dst, .. } | Instr::$memacc { dst, .. } => Some(dst), )?
                    )*
                }
            }

            /// Its jump distance (`jumps(f)` in the table), if it may jump.
            pub fn jump_offset(&self) -> Option<Offset> {
                let mut instr = *self;
                instr.jump_offset_mut().copied()
            }

            /// [`Instr::jump_offset`], to patch or relocate.
            pub(crate) fn jump_offset_mut(&mut self) -> Option<&mut Offset> {
                match self {
                    $( Instr::$name { $($jump,)? .. } => field!($($jump)?), )*
                    $(
                        Instr::$nname { .. } | Instr::$acc { .. } => None,
                        $( Instr::$imm { .. } | Instr::$immacc { .. } => None, )?
                        $(
                            Instr::$cimm { .. } | Instr::$cimmacc { .. } => None,
                            Instr::$br { offset, .. }
                            | Instr::$brimm { offset, .. }
                            | Instr::$bracc { offset, .. }
                            | Instr::$brimmacc { offset, .. } => Some(offset),
                        )?
                        $(
                            Instr::$sel { .. } | Instr::$selimm { .. } => None,
                            Instr::$addbr { offset, .. }
                            | Instr::$addimmbr { offset, .. }
                            | Instr::$addbracc { offset, .. }
                            | Instr::$addimmbracc { offset, .. } => Some(offset),
                        )?
                        $( Instr::$mem { .. } | Instr::$memacc { .. } => None, )?
                    )*
                }
            }

            // Always inlined: the loader asks `is_store` and `is_call` of each decoded
            // instruction, where the kind is a constant and this folds away (`#[inline]` alone
            // left a call in some decoders).
            // Forced only when optimized: unoptimized, each of ~700 decoders would keep a copy.
            #[cfg_attr(debug_assertions, inline)]
            #[cfg_attr(not(debug_assertions), inline(always))]
            fn flags(&self) -> Flags {
                match self {
                    $( Instr::$name { .. } => Flags { $($($flag: true,)+)? ..Flags::NONE }, )*
                    $(
                        Instr::$nname { .. } | Instr::$acc { .. } => Flags::NONE,
                        $( Instr::$imm { .. } | Instr::$immacc { .. } => Flags::NONE, )?
                        $(
                            Instr::$cimm { .. }
                            | Instr::$cimmacc { .. }
                            | Instr::$br { .. }
                            | Instr::$brimm { .. }
                            | Instr::$bracc { .. }
                            | Instr::$brimmacc { .. } => Flags::NONE,
                        )?
                        $(
                            Instr::$sel { .. }
                            | Instr::$selimm { .. }
                            | Instr::$addbr { .. }
                            | Instr::$addimmbr { .. }
                            | Instr::$addbracc { .. }
                            | Instr::$addimmbracc { .. } => Flags::NONE,
                        )?
                        $( Instr::$mem { .. } | Instr::$memacc { .. } => Flags::NONE, )?
                    )*
                }
            }

            /// Whether it is a store: it writes memory and nothing else (`is(store)`).
            #[inline]
            pub fn is_store(&self) -> bool {
                self.flags().store
            }

            /// Whether it writes memory: a store, or an update that also writes its result
            /// register (`is(store)`, `is(update)`).
            #[inline]
            pub fn writes_memory(&self) -> bool {
                let flags = self.flags();
                flags.store | flags.update
            }

            /// Whether it calls a function whose frame starts at its `args` (`is(call)`).
            #[inline]
            pub fn is_call(&self) -> bool {
                self.flags().call
            }

            /// Whether the next instruction can run right after it: not after a `br`, a return
            /// or a trap (`is(terminal)`).
            #[inline]
            pub fn falls_through(&self) -> bool {
                !self.flags().terminal
            }

            /// It with its operands exchanged, when that computes the same: the fields of
            /// `commutes(f, g)` in the table, or a numeric operator's `a` and `b` when
            /// [`NumOp::swapped`] names the operator to use (a comparison mirrored).
            pub(crate) fn commuted(&self) -> Option<Instr> {
                let instr = *self;
                match instr {
                    $( Instr::$name { .. } => commuted!(instr, $name $($c1 $c2)?), )*
                    $(
                        Instr::$nname { dst, a, b } => {
                            NumOp::$nname.swapped().map(|op| plain_form(op, dst, b, a))
                        }
                        Instr::$acc { .. } => None,
                        $( Instr::$imm { .. } | Instr::$immacc { .. } => None, )?
                        $(
                            Instr::$br { a, b, offset } => {
                                NumOp::$nname.swapped().and_then(|op| branch_form(op, b, a, offset))
                            }
                            Instr::$cimm { .. }
                            | Instr::$cimmacc { .. }
                            | Instr::$brimm { .. }
                            | Instr::$bracc { .. }
                            | Instr::$brimmacc { .. } => None,
                        )?
                        $(
                            Instr::$sel { .. }
                            | Instr::$selimm { .. }
                            | Instr::$addbr { .. }
                            | Instr::$addimmbr { .. }
                            | Instr::$addbracc { .. }
                            | Instr::$addimmbracc { .. } => None,
                        )?
                        $( Instr::$mem { .. } | Instr::$memacc { .. } => None, )?
                    )*
                }
            }

            /// It reading register `r` from the accumulator instead, if it has such a form
            /// (`acc_of` in the table; the numeric forms ending in `Acc` take `a`, or the
            /// counter `x`) and reads `r` there. `None` otherwise: no rewrite.
            pub(crate) fn acc_form(&self, r: Reg) -> Option<Instr> {
                let instr = *self;
                $( acc_of!(instr, r, $name [$($field)*] $($($base . $repl)|+)?); )*
                match instr {
                    $( Instr::$nname { dst, a, b } if a == r => Some(Instr::$acc { dst, b }), )*
                    $( $(
                        Instr::$imm { dst, a, imm } if a == r => Some(Instr::$immacc { dst, imm }),
                    )? )*
                    $( $(
                        Instr::$cimm { dst, a, imm } if a == r => {
                            Some(Instr::$cimmacc { dst, imm })
                        }
                        Instr::$br { a, b, offset } if a == r => Some(Instr::$bracc { b, offset }),
                        Instr::$brimm { a, imm, offset } if a == r => {
                            Some(Instr::$brimmacc { imm, offset })
                        }
                    )? )*
                    $( $(
                        Instr::$mem { dst, a, addr, offset } if a == r => {
                            Some(Instr::$memacc { dst, addr, offset })
                        }
                    )? )*
                    // The counter is read from the accumulator and still written back.
                    $( $(
                        Instr::$addbr { x, step, rhs, offset } if x == r => {
                            Some(Instr::$addbracc { x, step, rhs, offset })
                        }
                        Instr::$addimmbr { x, step, rhs, offset } if x == r => {
                            Some(Instr::$addimmbracc { x, step, rhs, offset })
                        }
                    )? )*
                    _ => None,
                }
            }
        }

        /// The register form of numeric operator `op`.
        fn plain_form(op: NumOp, dst: Reg, a: Reg, b: Reg) -> Instr {
            match op { $( NumOp::$nname => Instr::$nname { dst, a, b }, )* }
        }

        /// The compare-and-branch on `op(a, b)`, for the comparisons that have one.
        fn branch_form(op: NumOp, a: Reg, b: Reg, offset: Offset) -> Option<Instr> {
            match op {
                $( $(
                    NumOp::$nname => {
                        let _ = stringify!($cimm);
                        Some(Instr::$br { a, b, offset })
                    }
                )? )*
                _ => None,
            }
        }
    };
}

for_each_instr!(define_facts);

#[cfg(test)]
mod tests {
    use super::*;

    /// `(name, register, offset)` of every operand the disassembler shows.
    fn operands(i: &Instr) -> Vec<(&'static str, Option<Reg>, Option<Offset>)> {
        let mut out = Vec::new();
        i.visit_operands(|name, op| out.push((name, op.as_reg(), op.as_offset())));
        out
    }

    fn reg_named(i: &Instr, name: &str) -> Option<Reg> {
        operands(i).iter().find(|o| o.0 == name).and_then(|o| o.1)
    }

    #[test]
    fn examples_cover_every_instruction_in_order() {
        let all = Instr::examples();
        assert_eq!(all.len(), Instr::COUNT);
        for (k, i) in all.iter().enumerate() {
            assert_eq!(i.index(), k, "{}", i.mnemonic());
        }
    }

    /// Instantiation marks a memory as written only for modules with an `is(store)`
    /// instruction (`LinearMemory::mark_guest_writable`): every instruction that stores says so.
    #[test]
    fn every_store_is_marked_store() {
        for i in Instr::examples() {
            if i.mnemonic().contains("store") {
                assert!(i.writes_memory(), "{} stores to memory", i.mnemonic());
            }
        }
    }

    #[test]
    fn an_instruction_with_a_dst_writes_it() {
        for i in Instr::examples() {
            let (m, result, others) = (i.mnemonic(), i.result_reg(), i.other_writes());
            match reg_named(&i, "dst") {
                Some(dst) => assert!(
                    result == Some(dst) || others.contains(&dst),
                    "{m}: `-> dst` or `writes(dst)`"
                ),
                None => assert_eq!(result, None, "{m}: every result register is a `dst`"),
            }
            let regs: Vec<_> = operands(&i).iter().filter_map(|o| o.1).collect();
            for w in &others {
                assert!(regs.contains(w), "{m} writes one of its register operands");
                assert_ne!(Some(*w), result, "{m}: the result is not listed twice");
            }
            // The accumulator holds a register the instruction wrote.
            if let Some(held) = i.acc_holds() {
                assert!(result == Some(held) || others.contains(&held), "{m}");
            }
            if result.is_some() {
                assert_eq!(
                    i.acc_holds(),
                    result,
                    "{m}: the accumulator holds its result"
                );
            }
        }
    }

    #[test]
    fn branches_are_the_instructions_with_an_offset() {
        for i in Instr::examples() {
            let offsets: Vec<_> = operands(&i).iter().filter_map(|o| o.2).collect();
            assert!(offsets.len() <= 1, "{}", i.mnemonic());
            assert_eq!(
                i.jump_offset(),
                offsets.first().copied(),
                "{}",
                i.mnemonic()
            );
        }
    }

    #[test]
    fn stores_write_memory_only() {
        for i in Instr::examples() {
            let m = i.mnemonic();
            assert_eq!(i.writes_memory(), m.contains("store"), "{m}");
            // An update writes its result too.
            if i.writes_memory() && !i.is_store() {
                assert!(i.result_reg().is_some(), "{m}");
            }
            if i.is_store() {
                assert_eq!((i.result_reg(), i.other_writes()), (None, vec![]), "{m}");
                assert!(
                    i.jump_offset().is_none() && i.falls_through() && !i.is_call(),
                    "{m}"
                );
            }
        }
    }

    #[test]
    fn calls_and_block_ends() {
        for i in Instr::examples() {
            let m = i.mnemonic();
            assert_eq!(i.is_call(), m.starts_with("call"), "{m}");
            if i.is_call() {
                assert!(
                    reg_named(&i, "args").is_some(),
                    "{m}: its frame starts at `args`"
                );
                assert_eq!(i.acc_holds(), None, "{m}: a call leaves nothing known");
            }
            // `copy_br` is a copy, then a jump: the one end that writes a register.
            if !i.falls_through() && m != "copy_br" {
                assert!(
                    i.result_reg().is_none() && i.other_writes().is_empty(),
                    "{m}"
                );
                // A conditional branch falls through when its condition does not hold.
                assert!(i.jump_offset().is_none() || operands(&i).len() == 1, "{m}");
            }
        }
        let ends: Vec<_> = Instr::examples()
            .iter()
            .filter(|i| !i.falls_through())
            .map(|i| i.mnemonic())
            .collect();
        assert_eq!(
            ends,
            [
                "trap",
                "br",
                "copy_br",
                "return",
                "return_reg",
                "return_call",
                "return_call_indirect",
                "return_call_ref",
                "throw",
                "throw_ref"
            ]
        );
    }

    #[test]
    fn accumulator_forms_drop_the_operand_they_read() {
        let mut reached = std::collections::BTreeSet::new();
        for i in Instr::examples() {
            let ops = operands(&i);
            for &(name, reg, _) in &ops {
                let Some(r) = reg else { continue };
                let Some(acc) = i.acc_form(r) else { continue };
                let m = format!("{} reading `{name}` from the accumulator", i.mnemonic());
                assert!(acc.mnemonic().ends_with("_acc"), "{m}");
                assert_eq!(acc.result_reg(), i.result_reg(), "{m}");
                assert_eq!(acc.other_writes(), i.other_writes(), "{m}");
                assert_eq!(acc.jump_offset(), i.jump_offset(), "{m}");
                assert_eq!(acc.is_store(), i.is_store(), "{m}");
                assert_eq!(acc.writes_memory(), i.writes_memory(), "{m}");
                let mut rest = ops.clone();
                rest.retain(|o| o.0 != name);
                // The counter of a loop step is read from the accumulator and still written.
                let kept = i.other_writes().contains(&r);
                assert_eq!(operands(&acc), if kept { ops.clone() } else { rest }, "{m}");
                reached.insert(acc.index());
            }
            assert_eq!(i.acc_form(Reg(u16::MAX)), None, "{}", i.mnemonic());
        }
        for i in Instr::examples() {
            if i.mnemonic().ends_with("_acc") {
                assert!(
                    reached.contains(&i.index()),
                    "no `acc_of` for {}",
                    i.mnemonic()
                );
            }
        }
    }

    #[test]
    fn commuting_exchanges_two_operands() {
        let mut count = 0;
        for i in Instr::examples() {
            let Some(c) = i.commuted() else { continue };
            let m = i.mnemonic();
            count += 1;
            assert_eq!(
                c.commuted(),
                Some(i),
                "{m}: exchanging twice is the identity"
            );
            let values = |i: &Instr| {
                let mut v: Vec<_> = operands(i).iter().map(|o| (o.1, o.2)).collect();
                v.sort_by_key(|o| (o.0.map(|r| r.0), o.1.map(|o| o.bytes())));
                v
            };
            assert_eq!(values(&c), values(&i), "{m}");
            assert_ne!(operands(&c), operands(&i), "{m}");
            assert_eq!(
                (c.result_reg(), c.jump_offset()),
                (i.result_reg(), i.jump_offset())
            );
        }
        // The addressed forms with `base + index`, then the numeric operators that commute
        // or mirror (`[exchange]` in ops.rs), with their compare-and-branch forms.
        assert_eq!(count, 13 + 38 + 20);
    }
}
