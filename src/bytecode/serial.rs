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
use super::{Instr, LaneSel, Offset, Reg, VReg};
use crate::error::TrapCode;
use crate::simd::SimdOp;

/// A cursor over the bytes of a precompiled module. Every read is bounds-checked; running out
/// is an error, never a panic.
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
            None => Err(format!("unexpected end at offset {}", self.pos)),
        }
    }

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
    fn put(&self, out: &mut Vec<u8>);
    fn get(r: &mut Reader<'_>) -> Result<Self, String>;
}

/// Plain integers, little-endian at their own width.
macro_rules! int_fields {
    ($($t:ty),*) => { $(
        impl Field for $t {
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
wrapper_fields!(Reg(u16), VReg(u16), Offset(i32));

impl Field for LaneSel {
    fn put(&self, out: &mut Vec<u8>) {
        self.0.put(out)
    }
    fn get(r: &mut Reader<'_>) -> Result<Self, String> {
        // Lane in bits 0..4, log2 of the width (at most 8 bytes) in bits 4..6.
        match r.u8()? {
            b if b < 0x40 => Ok(LaneSel(b)),
            b => Err(format!("invalid lane selector {b:#x}")),
        }
    }
}

impl Field for TrapCode {
    fn put(&self, out: &mut Vec<u8>) {
        (*self as u8).put(out)
    }
    fn get(r: &mut Reader<'_>) -> Result<Self, String> {
        let b = r.u8()?;
        TrapCode::ALL
            .get(b as usize)
            .copied()
            .ok_or_else(|| format!("unknown trap code {b}"))
    }
}

impl Field for SimdOp {
    fn put(&self, out: &mut Vec<u8>) {
        self.code().put(out)
    }
    fn get(r: &mut Reader<'_>) -> Result<Self, String> {
        let code = r.u32()?;
        SimdOp::from_code(code).ok_or_else(|| format!("unknown SIMD operator {code:#x}"))
    }
}

/// Decodes one instruction's fields, its tag already read.
type DecodeFn = for<'a, 'b> fn(&'a mut Reader<'b>) -> Result<Instr, String>;

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

        /// The decoder of each variant, indexed by tag ([`Instr::index`] order: the table's
        /// rows, then each numeric row's forms in the order `define.rs` lists them). Struct
        /// fields are read in the order written, which is the order `encode` writes them.
        // Instructions without fields (`return`) do not read.
        #[allow(unused_variables)]
        const DECODERS: &[DecodeFn] = &[
            $( |r| Ok(Instr::$name { $($field: <$fty>::get(r)?),* }), )*
            $(
                |r| Ok(Instr::$nname { dst: Reg::get(r)?, a: Reg::get(r)?, b: Reg::get(r)? }),
                |r| Ok(Instr::$acc { dst: Reg::get(r)?, b: Reg::get(r)? }),
                $(
                    |r| Ok(Instr::$imm { dst: Reg::get(r)?, a: Reg::get(r)?, imm: i32::get(r)? }),
                    |r| Ok(Instr::$immacc { dst: Reg::get(r)?, imm: i32::get(r)? }),
                )?
                $(
                    |r| Ok(Instr::$cimm { dst: Reg::get(r)?, a: Reg::get(r)?, imm: i32::get(r)? }),
                    |r| Ok(Instr::$br { a: Reg::get(r)?, b: Reg::get(r)?, offset: Offset::get(r)? }),
                    |r| Ok(Instr::$brimm { a: Reg::get(r)?, imm: i32::get(r)?, offset: Offset::get(r)? }),
                    |r| Ok(Instr::$cimmacc { dst: Reg::get(r)?, imm: i32::get(r)? }),
                    |r| Ok(Instr::$bracc { b: Reg::get(r)?, offset: Offset::get(r)? }),
                    |r| Ok(Instr::$brimmacc { imm: i32::get(r)?, offset: Offset::get(r)? }),
                )?
                $(
                    |r| Ok(Instr::$addbr {
                        x: Reg::get(r)?, step: Reg::get(r)?, rhs: Reg::get(r)?, offset: Offset::get(r)?,
                    }),
                    |r| Ok(Instr::$addimmbr {
                        x: Reg::get(r)?, step: i16::get(r)?, rhs: Reg::get(r)?, offset: Offset::get(r)?,
                    }),
                    |r| Ok(Instr::$sel {
                        dst: Reg::get(r)?, a: Reg::get(r)?, b: Reg::get(r)?, x: Reg::get(r)?, y: Reg::get(r)?,
                    }),
                    |r| Ok(Instr::$selimm {
                        dst: Reg::get(r)?, a: Reg::get(r)?, imm: i16::get(r)?, x: Reg::get(r)?, y: Reg::get(r)?,
                    }),
                    |r| Ok(Instr::$addbracc {
                        x: Reg::get(r)?, step: Reg::get(r)?, rhs: Reg::get(r)?, offset: Offset::get(r)?,
                    }),
                    |r| Ok(Instr::$addimmbracc {
                        x: Reg::get(r)?, step: i16::get(r)?, rhs: Reg::get(r)?, offset: Offset::get(r)?,
                    }),
                )?
                $(
                    |r| Ok(Instr::$mem {
                        dst: Reg::get(r)?, a: Reg::get(r)?, addr: Reg::get(r)?, offset: u32::get(r)?,
                    }),
                    |r| Ok(Instr::$memacc { dst: Reg::get(r)?, addr: Reg::get(r)?, offset: u32::get(r)? }),
                )?
            )*
        ];
    };
}

for_each_instr!(define_serial);

// One decoder per variant.
const _: () = assert!(DECODERS.len() == Instr::COUNT);

/// Reads one instruction written by [`encode`].
#[inline]
pub(crate) fn decode(r: &mut Reader<'_>) -> Result<Instr, String> {
    let tag = r.u16()?;
    let decode = DECODERS
        .get(tag as usize)
        .ok_or_else(|| format!("unknown instruction tag {tag}"))?;
    decode(r)
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
