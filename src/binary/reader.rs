//! The byte cursor every part of the decoder reads through. It never indexes out of bounds: each
//! read checks what is left and fails with the spec's message.

use super::leb;
use crate::error::DecodeError;
use crate::value::{GlobalType, Limits, MemoryType, TableType, ValType};

/// The spec's message for running out of bytes anywhere in a module. It also starts with the
/// shorter "unexpected end" that some spec tests expect.
pub(crate) const UNEXPECTED_END: &str = "unexpected end of section or function";

/// A cursor over `bytes`, where `bytes[0]` sits at absolute offset `base` in the module.
#[derive(Clone, Debug)]
pub(crate) struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
    base: usize,
}

impl<'a> Reader<'a> {
    pub(crate) fn new(bytes: &'a [u8], base: usize) -> Self {
        Self {
            bytes,
            pos: 0,
            base,
        }
    }

    /// Absolute offset of the next byte.
    pub(crate) fn offset(&self) -> usize {
        self.base + self.pos
    }

    /// Absolute offset just past the last byte.
    pub(crate) fn end(&self) -> usize {
        self.base + self.bytes.len()
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.pos >= self.bytes.len()
    }

    /// The byte at absolute offset `offset`, if within this reader.
    pub(crate) fn byte_at(&self, offset: usize) -> Option<u8> {
        self.bytes.get(offset.checked_sub(self.base)?).copied()
    }

    /// Moves to absolute offset `offset`, which must lie within the bytes (or at their end).
    pub(crate) fn seek(&mut self, offset: usize) -> Result<(), DecodeError> {
        match offset.checked_sub(self.base) {
            Some(pos) if pos <= self.bytes.len() => {
                self.pos = pos;
                Ok(())
            }
            _ => Err(DecodeError::new(UNEXPECTED_END, self.end())),
        }
    }

    fn eof(&self) -> DecodeError {
        DecodeError::new(UNEXPECTED_END, self.end())
    }

    pub(crate) fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    /// The byte `n` places after the next one.
    pub(crate) fn peek_at(&self, n: usize) -> Option<u8> {
        self.bytes.get(self.pos.checked_add(n)?).copied()
    }

    /// Skips `n` bytes already seen through [`Reader::peek`] and [`Reader::peek_at`].
    pub(crate) fn advance(&mut self, n: usize) {
        debug_assert!(self.pos + n <= self.bytes.len());
        self.pos += n;
    }

    pub(crate) fn u8(&mut self) -> Result<u8, DecodeError> {
        let byte = self.peek().ok_or_else(|| self.eof())?;
        self.pos += 1;
        Ok(byte)
    }

    /// The next `n` raw bytes.
    pub(crate) fn bytes(&mut self, n: usize) -> Result<&'a [u8], DecodeError> {
        let end = self.pos.checked_add(n).filter(|&e| e <= self.bytes.len());
        let end = end.ok_or_else(|| self.eof())?;
        let slice = &self.bytes[self.pos..end];
        self.pos = end;
        Ok(slice)
    }

    /// A byte that must be `0x00` (the reserved memory index of memory instructions).
    pub(crate) fn zero_byte(&mut self) -> Result<(), DecodeError> {
        let at = self.offset();
        match self.u8()? {
            0 => Ok(()),
            _ => Err(DecodeError::new("zero byte expected", at)),
        }
    }

    #[inline(always)]
    fn leb(&mut self, bits: u32, signed: bool) -> Result<u64, DecodeError> {
        // Most integers in code (indices, small constants) take one byte; a one-byte encoding
        // of an integer of 7 or more bits is always well-formed, so it skips the scan.
        if let Some(&byte) = self.bytes.get(self.pos) {
            if byte < 0x80 && bits >= 7 {
                self.pos += 1;
                let value = if signed {
                    (((byte as i64) << 57) >> 57) as u64
                } else {
                    byte as u64
                };
                return Ok(value);
            }
        }
        self.leb_multi(bits, signed)
    }

    /// An integer of several bytes, or one whose encoding is malformed.
    #[inline(never)]
    fn leb_multi(&mut self, bits: u32, signed: bool) -> Result<u64, DecodeError> {
        let rest = &self.bytes[self.pos..];
        if bits >= leb::SHORT_BITS {
            if let Some((value, len)) = leb::read_short(rest, signed) {
                self.pos += len;
                return Ok(value);
            }
        }
        match leb::read(rest, bits, signed) {
            Ok((value, len)) => {
                self.pos += len;
                Ok(value)
            }
            Err(e) => Err(DecodeError::new(e.message(), self.offset() + e.index())),
        }
    }

    /// An unsigned 32-bit LEB128 integer (indices, counts, sizes).
    #[inline]
    pub(crate) fn u32(&mut self) -> Result<u32, DecodeError> {
        self.leb(32, false).map(|v| v as u32)
    }

    /// An unsigned 64-bit LEB128 integer (memory offsets, which validation then bounds).
    pub(crate) fn u64(&mut self) -> Result<u64, DecodeError> {
        self.leb(64, false)
    }

    /// A one-bit LEB128 flag (limits): more than one byte is "too long", above 1 "too large".
    pub(crate) fn flag(&mut self) -> Result<bool, DecodeError> {
        self.leb(1, false).map(|v| v == 1)
    }

    #[inline]
    pub(crate) fn i32(&mut self) -> Result<i32, DecodeError> {
        self.leb(32, true).map(|v| v as i32)
    }

    #[inline]
    pub(crate) fn i64(&mut self) -> Result<i64, DecodeError> {
        self.leb(64, true).map(|v| v as i64)
    }

    /// A signed 33-bit integer (block type indices).
    pub(crate) fn s33(&mut self) -> Result<i64, DecodeError> {
        self.leb(33, true).map(|v| v as i64)
    }

    pub(crate) fn f32_bits(&mut self) -> Result<u32, DecodeError> {
        let b = self.bytes(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    pub(crate) fn f64_bits(&mut self) -> Result<u64, DecodeError> {
        let b = self.bytes(8)?;
        let mut le = [0; 8];
        le.copy_from_slice(b);
        Ok(u64::from_le_bytes(le))
    }

    /// A length or vector count. Like the spec, it is rejected up front when it exceeds the bytes
    /// left (counted from the length itself), which also bounds every allocation by the input.
    pub(crate) fn len32(&mut self) -> Result<usize, DecodeError> {
        let at = self.offset();
        let left = self.bytes.len() - self.pos;
        let n = self.u32()? as usize;
        if n > left {
            return Err(DecodeError::new("length out of bounds", at));
        }
        Ok(n)
    }

    /// A vector: a count, then `count` items.
    pub(crate) fn vec<T>(
        &mut self,
        mut item: impl FnMut(&mut Self) -> Result<T, DecodeError>,
    ) -> Result<Vec<T>, DecodeError> {
        let n = self.len32()?;
        let mut items = Vec::with_capacity(n);
        for _ in 0..n {
            items.push(item(self)?);
        }
        Ok(items)
    }

    /// A UTF-8 name.
    pub(crate) fn name(&mut self) -> Result<String, DecodeError> {
        let at = self.offset();
        let n = self.len32()?;
        let bytes = self.bytes(n)?;
        match std::str::from_utf8(bytes) {
            Ok(s) => Ok(s.to_owned()),
            Err(_) => Err(DecodeError::new("malformed UTF-8 encoding", at)),
        }
    }

    /// A type code byte (value types, reference types, the function type form). The spec reads
    /// these as 7-bit signed LEB128, so a set continuation bit makes the encoding too long.
    pub(crate) fn type_code(&mut self) -> Result<u8, DecodeError> {
        let byte = self.u8()?;
        if byte & 0x80 != 0 {
            return Err(DecodeError::new(
                "integer representation too long",
                self.offset(),
            ));
        }
        Ok(byte)
    }

    /// A value type.
    pub(crate) fn val_type(&mut self) -> Result<ValType, DecodeError> {
        let at = self.offset();
        Ok(match self.type_code()? {
            0x7f => ValType::I32,
            0x7e => ValType::I64,
            0x7d => ValType::F32,
            0x7c => ValType::F64,
            0x7b => ValType::V128,
            0x70 => ValType::FuncRef,
            0x6f => ValType::ExternRef,
            0x69 => ValType::ExnRef,
            // `(ref null exn)`, the long form of `exnref`; other heap types are the typed
            // function references' (not here yet).
            0x63 if self.peek() == Some(0x69) => {
                self.advance(1);
                ValType::ExnRef
            }
            _ => return Err(DecodeError::new("malformed value type", at)),
        })
    }

    /// A reference type: `funcref`, `externref` or `exnref`.
    pub(crate) fn ref_type(&mut self) -> Result<ValType, DecodeError> {
        let at = self.offset();
        match self.type_code()? {
            0x70 => Ok(ValType::FuncRef),
            0x6f => Ok(ValType::ExternRef),
            0x69 => Ok(ValType::ExnRef),
            0x63 if self.peek() == Some(0x69) => {
                self.advance(1);
                Ok(ValType::ExnRef)
            }
            _ => Err(DecodeError::new("malformed reference type", at)),
        }
    }

    pub(crate) fn limits(&mut self) -> Result<Limits, DecodeError> {
        let has_max = self.flag()?;
        let min = self.u32()?;
        let max = if has_max { Some(self.u32()?) } else { None };
        Ok(Limits { min, max })
    }

    pub(crate) fn table_type(&mut self) -> Result<TableType, DecodeError> {
        let elem = self.ref_type()?;
        let limits = self.limits()?;
        Ok(TableType { elem, limits })
    }

    pub(crate) fn memory_type(&mut self) -> Result<MemoryType, DecodeError> {
        Ok(MemoryType {
            limits: self.limits()?,
        })
    }

    pub(crate) fn global_type(&mut self) -> Result<GlobalType, DecodeError> {
        let content = self.val_type()?;
        let at = self.offset();
        let mutable = match self.u8()? {
            0 => false,
            1 => true,
            _ => return Err(DecodeError::new("malformed mutability", at)),
        };
        Ok(GlobalType { content, mutable })
    }
}
