//! The binary encoding of instructions in a precompiled module (`Module::serialize`): a
//! two-byte tag, [`Instr::index`], then every field of the variant in declaration order, each
//! little-endian at its own width ([`Field`]). Generated from the instruction table
//! ([`super::instrs`]) by `define_serial!`, like the enum itself, so a new instruction is
//! encoded and decoded without a line here.
//!
//! Decoding trusts nothing: an unknown tag, an unknown trap code or SIMD operator, a lane
//! selector with stray bits or too few bytes is an error naming what and where. It checks only
//! that each instruction is well-formed; whether the code makes sense (registers inside the
//! frame, jumps inside the code, indices inside the module) is `verify`'s and the loader's.
//! The tags follow the table's order, which changes between versions: the precompiled format
//! records the crate version and refuses bytes from another one.

use super::instrs::for_each_instr;
use super::{Instr, LaneSel, Offset, Op, Operand, OperandVisitor, Reg, VReg};
use crate::error::TrapCode;
use crate::simd::SimdOp;

/// A cursor over the bytes of a precompiled module. Every read is bounds-checked; running out
/// is an error, never a panic.
#[derive(Clone)]
pub(crate) struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    pub(crate) fn new(bytes: &'a [u8]) -> Self {
        Reader { bytes, pos: 0 }
    }

    /// The number of bytes read so far.
    pub(crate) fn pos(&self) -> usize {
        self.pos
    }

    /// The number of bytes not read yet.
    pub(crate) fn remaining(&self) -> usize {
        self.bytes.len() - self.pos
    }

    /// Whether every byte has been read.
    pub(crate) fn is_empty(&self) -> bool {
        self.pos == self.bytes.len()
    }

    /// The next `n` bytes.
    pub(crate) fn bytes(&mut self, n: usize) -> Result<&'a [u8], String> {
        let end = self.pos.checked_add(n).filter(|&e| e <= self.bytes.len());
        let end = end.ok_or_else(|| {
            format!(
                "unexpected end: {n} bytes wanted at offset {}, {} left",
                self.pos,
                self.bytes.len() - self.pos
            )
        })?;
        let s = &self.bytes[self.pos..end];
        self.pos = end;
        Ok(s)
    }

    #[inline]
    pub(crate) fn array<const N: usize>(&mut self) -> Result<[u8; N], String> {
        match self.bytes.get(self.pos..self.pos + N) {
            Some(s) => {
                self.pos += N;
                let mut a = [0; N];
                a.copy_from_slice(s);
                Ok(a)
            }
            None => Err(self.ended()),
        }
    }

    /// The error of running out. Out of line: inlined into each instruction's decoder, the
    /// formatting would cost the decoder registers.
    #[cold]
    #[inline(never)]
    fn ended(&self) -> String {
        format!("unexpected end at offset {}", self.pos)
    }

    #[inline]
    pub(crate) fn u8(&mut self) -> Result<u8, String> {
        Ok(self.array::<1>()?[0])
    }

    pub(crate) fn u16(&mut self) -> Result<u16, String> {
        self.array().map(u16::from_le_bytes)
    }

    pub(crate) fn u32(&mut self) -> Result<u32, String> {
        self.array().map(u32::from_le_bytes)
    }

    pub(crate) fn u64(&mut self) -> Result<u64, String> {
        self.array().map(u64::from_le_bytes)
    }
}

/// An instruction field's encoding.
pub(crate) trait Field: Sized {
    /// The encoded size in bytes.
    const SIZE: usize;
    fn put(&self, out: &mut Vec<u8>);
    fn get(r: &mut Reader<'_>) -> Result<Self, String>;
}

/// Plain integers, little-endian at their own width.
macro_rules! int_fields {
    ($($t:ty),*) => { $(
        impl Field for $t {
            const SIZE: usize = std::mem::size_of::<$t>();
            #[inline]
            fn put(&self, out: &mut Vec<u8>) {
                out.extend_from_slice(&self.to_le_bytes());
            }
            #[inline]
            fn get(r: &mut Reader<'_>) -> Result<Self, String> {
                r.array().map(<$t>::from_le_bytes)
            }
        }
    )* };
}
int_fields!(u8, u16, i16, u32, i32);

/// Newtypes over an integer, encoded as it.
macro_rules! wrapper_fields {
    ($($t:ident($inner:ty)),*) => { $(
        impl Field for $t {
            const SIZE: usize = <$inner>::SIZE;
            #[inline]
            fn put(&self, out: &mut Vec<u8>) {
                self.0.put(out)
            }
            #[inline]
            fn get(r: &mut Reader<'_>) -> Result<Self, String> {
                <$inner>::get(r).map($t)
            }
        }
    )* };
}
wrapper_fields!(Reg(u16), VReg(u16));

impl Field for Offset {
    const SIZE: usize = 4;
    #[inline]
    fn put(&self, out: &mut Vec<u8>) {
        self.bytes().put(out)
    }
    #[inline]
    fn get(r: &mut Reader<'_>) -> Result<Self, String> {
        // Kept in bytes: anything but a whole number of instructions would land inside one.
        let bytes = i32::get(r)?;
        Offset::from_bytes(bytes).ok_or_else(|| misaligned_offset(bytes))
    }
}

/// The error of a stored offset that is no whole number of instructions; out of line.
#[cold]
#[inline(never)]
fn misaligned_offset(bytes: i32) -> String {
    format!("jump offset of {bytes} bytes is not a whole number of instructions")
}

impl Field for LaneSel {
    const SIZE: usize = 1;
    #[inline]
    fn put(&self, out: &mut Vec<u8>) {
        self.0.put(out)
    }
    #[inline]
    fn get(r: &mut Reader<'_>) -> Result<Self, String> {
        // Lane in bits 0..4, log2 of the width (at most 8 bytes) in bits 4..6.
        match r.u8()? {
            b if b < 0x40 => Ok(LaneSel(b)),
            b => Err(format!("invalid lane selector {b:#x}")),
        }
    }
}

impl Field for TrapCode {
    const SIZE: usize = 1;
    #[inline]
    fn put(&self, out: &mut Vec<u8>) {
        (*self as u8).put(out)
    }
    #[inline]
    fn get(r: &mut Reader<'_>) -> Result<Self, String> {
        let b = r.u8()?;
        TrapCode::ALL
            .get(b as usize)
            .copied()
            .ok_or_else(|| format!("unknown trap code {b}"))
    }
}

impl Field for SimdOp {
    const SIZE: usize = 4;
    #[inline]
    fn put(&self, out: &mut Vec<u8>) {
        self.code().put(out)
    }
    #[inline]
    fn get(r: &mut Reader<'_>) -> Result<Self, String> {
        let code = r.u32()?;
        SimdOp::from_code(code).ok_or_else(|| format!("unknown SIMD operator {code:#x}"))
    }
}

macro_rules! define_serial {
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
        /// Appends `instr`'s encoding to `out`: its tag, then its fields in order.
        pub(crate) fn encode(instr: &Instr, out: &mut Vec<u8>) {
            (instr.index() as u16).put(out);
            match instr {
                $( Instr::$name { $($field),* } => { $( $field.put(out); )* } )*
                $(
                    Instr::$nname { dst, a, b } => { dst.put(out); a.put(out); b.put(out); }
                    Instr::$acc { dst, b } => { dst.put(out); b.put(out); }
                    $(
                        Instr::$imm { dst, a, imm } => { dst.put(out); a.put(out); imm.put(out); }
                        Instr::$immacc { dst, imm } => { dst.put(out); imm.put(out); }
                    )?
                    $(
                        Instr::$cimm { dst, a, imm } => { dst.put(out); a.put(out); imm.put(out); }
                        Instr::$br { a, b, offset } => { a.put(out); b.put(out); offset.put(out); }
                        Instr::$brimm { a, imm, offset } => { a.put(out); imm.put(out); offset.put(out); }
                        Instr::$cimmacc { dst, imm } => { dst.put(out); imm.put(out); }
                        Instr::$bracc { b, offset } => { b.put(out); offset.put(out); }
                        Instr::$brimmacc { imm, offset } => { imm.put(out); offset.put(out); }
                    )?
                    $(
                        Instr::$addbr { x, step, rhs, offset }
                        | Instr::$addbracc { x, step, rhs, offset } => {
                            x.put(out); step.put(out); rhs.put(out); offset.put(out);
                        }
                        Instr::$addimmbr { x, step, rhs, offset }
                        | Instr::$addimmbracc { x, step, rhs, offset } => {
                            x.put(out); step.put(out); rhs.put(out); offset.put(out);
                        }
                        Instr::$sel { dst, a, b, x, y } => {
                            dst.put(out); a.put(out); b.put(out); x.put(out); y.put(out);
                        }
                        Instr::$selimm { dst, a, imm, x, y } => {
                            dst.put(out); a.put(out); imm.put(out); x.put(out); y.put(out);
                        }
                    )?
                    $(
                        Instr::$mem { dst, a, addr, offset } => {
                            dst.put(out); a.put(out); addr.put(out); offset.put(out);
                        }
                        Instr::$memacc { dst, addr, offset } => {
                            dst.put(out); addr.put(out); offset.put(out);
                        }
                    )?
                )*
            }
        }

        /// The decoder of the instruction whose tag comes next in `r`. Each kind has its own,
        /// indexed by tag ([`Instr::index`] order: the table's rows, then each numeric row's
        /// forms in the order `define.rs` lists them), which reads the kind's fixed number of
        /// bytes with one bounds check and the fields in the order `encode` writes them; `C`'s
        /// methods are inlined into it, so the checks are compiled for that kind, and so is the
        /// pairing with its handler ([`Op::new`]).
        // Forced only when optimized: unoptimized, each of ~700 decoders would keep a copy.
        #[cfg_attr(debug_assertions, inline)]
        #[cfg_attr(not(debug_assertions), inline(always))]
        fn decoder_at<C: Check>(r: &mut Reader<'_>) -> Result<DecodeFn<C>, String> {
            // The array's length is checked: one decoder per variant.
            let decoders: &[DecodeFn<C>; Instr::COUNT] = const { &[
                $( decoder!($name { $($field: $fty),* } visit($($field),*)), )*
                $(
                    decoder!($nname { dst: Reg, a: Reg, b: Reg } visit(dst, a $(, b if $b)?)),
                    decoder!($acc { dst: Reg, b: Reg } visit(dst $(, b if $b)?)),
                    $(
                        decoder!($imm { dst: Reg, a: Reg, imm: i32 } visit(dst, a, imm)),
                        decoder!($immacc { dst: Reg, imm: i32 } visit(dst, imm)),
                    )?
                    $(
                        decoder!($cimm { dst: Reg, a: Reg, imm: i32 } visit(dst, a, imm)),
                        decoder!($br { a: Reg, b: Reg, offset: Offset } visit(a, b, offset)),
                        decoder!($brimm { a: Reg, imm: i32, offset: Offset } visit(a, imm, offset)),
                        decoder!($cimmacc { dst: Reg, imm: i32 } visit(dst, imm)),
                        decoder!($bracc { b: Reg, offset: Offset } visit(b, offset)),
                        decoder!($brimmacc { imm: i32, offset: Offset } visit(imm, offset)),
                    )?
                    $(
                        decoder!($addbr { x: Reg, step: Reg, rhs: Reg, offset: Offset } visit(x, step, rhs, offset)),
                        decoder!($addimmbr { x: Reg, step: i16, rhs: Reg, offset: Offset } visit(x, step, rhs, offset)),
                        decoder!($sel { dst: Reg, a: Reg, b: Reg, x: Reg, y: Reg } visit(dst, a, b, x, y)),
                        decoder!($selimm { dst: Reg, a: Reg, imm: i16, x: Reg, y: Reg } visit(dst, a, imm, x, y)),
                        decoder!($addbracc { x: Reg, step: Reg, rhs: Reg, offset: Offset } visit(x, step, rhs, offset)),
                        decoder!($addimmbracc { x: Reg, step: i16, rhs: Reg, offset: Offset } visit(x, step, rhs, offset)),
                    )?
                    $(
                        decoder!($mem { dst: Reg, a: Reg, addr: Reg, offset: u32 } visit(dst, a, addr, offset)),
                        decoder!($memacc { dst: Reg, addr: Reg, offset: u32 } visit(dst, addr, offset)),
                    )?
                )*
            ] };
            let tag = u16::from_le_bytes(r.array()?);
            (decoders.get(tag as usize).copied())
                .ok_or_else(|| format!("unknown instruction tag {tag}"))
        }
    };
}

/// The decoder of one kind of instruction: its fields (a fixed number of bytes, read with one
/// bounds check) in the order written, each operand handed to the check as it is read (the
/// ones `Instr::visit_operands_with` visits: a unary operator's unused `b` is not; `if` marks
/// such an optional operand), then the whole instruction.
macro_rules! decoder {
    ($name:ident { $($field:ident : $fty:ty),* } visit($($v:ident $(if $m:ident)?),*)) => {
        // Instructions without fields (`return`) read nothing.
        #[allow(unused_variables)]
        |r, c, out| {
            let bytes: [u8; 0 $(+ <$fty as Field>::SIZE)*] = r.array()?;
            let s = &mut Reader::new(&bytes);
            $( let $field = <$fty>::get(s)?; )*
            $( c.operand(stringify!($v), &$v); )*
            let instr = Instr::$name { $($field),* };
            c.finish(&instr)?;
            out.push(Op::new(instr));
            Ok(())
        }
    };
}

/// What [`decode_code`] runs on each instruction it decodes: each operand, as it is read,
/// then the whole instruction (`()`: nothing).
pub(crate) trait Check: OperandVisitor {
    /// The next instruction is the `at`th of the code.
    // Forced only when optimized: unoptimized, each of ~700 decoders would keep a copy.
    #[cfg_attr(debug_assertions, inline)]
    #[cfg_attr(not(debug_assertions), inline(always))]
    fn start(&mut self, _at: usize) {}
    fn finish(&mut self, instr: &Instr) -> Result<(), String>;
}

impl OperandVisitor for () {
    #[inline(always)]
    fn operand<T: Operand>(&mut self, _: &'static str, _: &T) {}
}

impl Check for () {
    #[inline(always)]
    fn finish(&mut self, _: &Instr) -> Result<(), String> {
        Ok(())
    }
}

/// Decodes one instruction's fields, its tag already read, checks it and pushes it to `out`,
/// paired with its handler. Pushed rather than returned: a decoder then makes no calls on its
/// path (the checks' failures and a full `out`'s growth are out-of-line calls), so needs few
/// registers saved, and the instruction is not copied through a return value. (One `match`
/// over the kinds with the decoders inlined into its arms, instead of this table of functions,
/// ran 2 % more instructions and was no faster.)
type DecodeFn<C> =
    for<'a, 'b, 'c, 'd> fn(&'a mut Reader<'b>, &'c mut C, &'d mut Vec<Op>) -> Result<(), String>;

for_each_instr!(define_serial);

/// Decodes `len` instructions written by [`encode`], pushing them to `out`, and runs `c` on
/// each as it is decoded ([`Check::start`] with its position in the code first). One loop
/// around the decoders' indirect calls, each decoder pushing its instruction, already paired
/// with its handler. Reserves room for them first (a caller that made the room gets no
/// reallocation).
pub(crate) fn decode_code<C: Check>(
    r: &mut Reader<'_>,
    c: &mut C,
    len: usize,
    out: &mut Vec<Op>,
) -> Result<(), String> {
    out.reserve(len);
    for at in 0..len {
        c.start(at);
        decoder_at(r)?(r, c, out)?;
    }
    Ok(())
}

/// Reads one instruction written by [`encode`] and runs `c` on it.
#[cfg(test)]
fn decode_checked<C: Check>(r: &mut Reader<'_>, c: &mut C) -> Result<Instr, String> {
    let mut out = Vec::with_capacity(1);
    decoder_at(r)?(r, c, &mut out)?;
    out.pop()
        .map(|op| op.instr)
        .ok_or_else(|| "nothing decoded".into())
}

/// Reads one instruction written by [`encode`].
#[cfg(test)]
pub(crate) fn decode(r: &mut Reader<'_>) -> Result<Instr, String> {
    decode_checked(r, &mut ())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(instr: Instr) -> Instr {
        let mut out = Vec::new();
        encode(&instr, &mut out);
        let mut r = Reader::new(&out);
        let back = decode(&mut r).unwrap();
        assert!(r.is_empty(), "{instr:?} left bytes");
        back
    }

    /// Every variant, each operand a distinct value: the decoders follow the tags' order and
    /// read the fields in the order they were written.
    #[test]
    fn every_instruction_round_trips() {
        let all = Instr::examples();
        assert_eq!(all.len(), Instr::COUNT);
        for instr in all {
            assert_eq!(round_trip(instr), instr);
        }
        let lane = Instr::V128StoreLane {
            addr: Reg(1),
            src: VReg(2),
            offset: 3,
            sel: LaneSel::new(8, 1),
        };
        assert_eq!(round_trip(lane), lane);
        for (i, code) in TrapCode::ALL.into_iter().enumerate() {
            assert_eq!(code as usize, i);
            assert_eq!(round_trip(Instr::Trap { code }), Instr::Trap { code });
        }
    }

    /// Each kind's decoder hands its check the operands `Instr::visit_operands_with` visits,
    /// in the same order: the load-time checks see every operand the verifier sees.
    #[test]
    fn decoders_visit_what_visit_operands_visits() {
        struct Record(Vec<(&'static str, String)>);
        impl OperandVisitor for Record {
            fn operand<T: Operand>(&mut self, name: &'static str, op: &T) {
                self.0.push((name, op.fmt_operand(0)));
            }
        }
        impl Check for Record {
            fn finish(&mut self, _: &Instr) -> Result<(), String> {
                Ok(())
            }
        }
        for instr in Instr::examples() {
            let mut out = Vec::new();
            encode(&instr, &mut out);
            let mut seen = Record(Vec::new());
            decode_checked(&mut Reader::new(&out), &mut seen).unwrap();
            let mut want = Record(Vec::new());
            instr.visit_operands_with(&mut want);
            assert_eq!(seen.0, want.0, "{}", instr.mnemonic());
        }
    }

    #[test]
    fn rejects_what_no_instruction_encodes() {
        let bad_tag = (Instr::COUNT as u16).to_le_bytes();
        assert!(decode(&mut Reader::new(&bad_tag))
            .unwrap_err()
            .contains("unknown instruction tag"));
        let mut trap = Vec::new();
        encode(
            &Instr::Trap {
                code: TrapCode::Unreachable,
            },
            &mut trap,
        );
        *trap.last_mut().unwrap() = 200;
        assert!(decode(&mut Reader::new(&trap))
            .unwrap_err()
            .contains("unknown trap code"));
        let mut simd = Vec::new();
        let un = Instr::V128Un {
            dst: VReg(0),
            a: VReg(2),
            op: SimdOp::I8x16Abs,
        };
        encode(&un, &mut simd);
        let n = simd.len();
        simd[n - 4..].copy_from_slice(&0xffff_u32.to_le_bytes());
        assert!(decode(&mut Reader::new(&simd))
            .unwrap_err()
            .contains("unknown SIMD operator"));
        // An offset kept in bytes must be a whole number of instructions.
        let mut br = Vec::new();
        encode(
            &Instr::Br {
                offset: Offset::new(-3),
            },
            &mut br,
        );
        let n = br.len();
        br[n - 4..].copy_from_slice(&(-3 * 24 + 1_i32).to_le_bytes());
        assert!(decode(&mut Reader::new(&br))
            .unwrap_err()
            .contains("not a whole number of instructions"));
        // Every truncation of a long instruction is an error.
        let mut long = Vec::new();
        encode(&lane_example(), &mut long);
        for len in 0..long.len() {
            assert!(decode(&mut Reader::new(&long[..len])).is_err());
        }
    }

    fn lane_example() -> Instr {
        Instr::V128LoadLane {
            dst: VReg(4),
            addr: Reg(1),
            src: VReg(2),
            offset: 77,
            sel: LaneSel(0x3f),
        }
    }
}
