//! LEB128 integers, classified the way the spec's decoder reports malformed ones.
//!
//! The `leb128` crate computes the value; the pre-scan here finds the encoding's length and
//! enforces the spec's limits first: at most `ceil(N / 7)` bytes for an N-bit integer, and the
//! unused bits of the last possible byte must be zero (unsigned) or copies of the sign bit.

/// Why an LEB128 integer could not be read; each variant holds the index (from the start of the
/// encoding) of the offending byte.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum LebError {
    /// The bytes ran out before the last byte of the encoding.
    End(usize),
    /// More bytes than an N-bit integer may take.
    TooLong(usize),
    /// The last byte sets bits beyond N (or, signed, bits that are not sign copies).
    TooLarge(usize),
}

impl LebError {
    /// The spec's message for this malformation.
    pub(crate) fn message(self) -> &'static str {
        match self {
            LebError::End(_) => super::reader::UNEXPECTED_END,
            LebError::TooLong(_) => "integer representation too long",
            LebError::TooLarge(_) => "integer too large",
        }
    }

    /// Index of the offending byte from the start of the encoding.
    pub(crate) fn index(self) -> usize {
        match self {
            LebError::End(i) | LebError::TooLong(i) | LebError::TooLarge(i) => i,
        }
    }
}

/// Reads an LEB128 integer of at most `bits` bits (1..=64) from the start of `bytes`.
///
/// Returns the value as 64 bits (zero-extended if unsigned, sign-extended if signed) and the
/// number of bytes it took.
pub(crate) fn read(bytes: &[u8], bits: u32, signed: bool) -> Result<(u64, usize), LebError> {
    let len = scan(bytes, bits, signed)?;
    let mut encoding = &bytes[..len];
    let value = if signed {
        leb128::read::signed(&mut encoding).map(|v| v as u64)
    } else {
        leb128::read::unsigned(&mut encoding)
    };
    // The scan already enforced the limits, so the crate cannot overflow; map it anyway.
    value
        .map(|v| (v, len))
        .map_err(|_| LebError::TooLarge(len - 1))
}

/// Integers of at least this many bits may use [`read_short`].
pub(crate) const SHORT_BITS: u32 = 28;

/// Decodes an encoding of at most four bytes, or `None` if there is no such encoding at the
/// start of `bytes` (longer, or cut short). Four bytes carry 28 value bits, so for an integer of
/// [`SHORT_BITS`] or more bits such an encoding always obeys the spec's limits: no scan is
/// needed. Most multi-byte integers in code (constants, offsets, function indices) are short, and
/// going through the general path's scan and `io::Read` costs several times as much.
#[inline]
pub(crate) fn read_short(bytes: &[u8], signed: bool) -> Option<(u64, usize)> {
    let mut value = 0u64;
    for (i, &byte) in bytes.iter().take(4).enumerate() {
        value |= u64::from(byte & 0x7f) << (7 * i);
        if byte & 0x80 == 0 {
            let len = i + 1;
            let unused = 64 - 7 * len as u32;
            let value = if signed {
                ((value << unused) as i64 >> unused) as u64
            } else {
                value
            };
            return Some((value, len));
        }
    }
    None
}

/// Length of a well-formed encoding at the start of `bytes`, checking byte by byte in the same
/// order as the spec (the unused-bits check of a byte comes before its continuation bit).
fn scan(bytes: &[u8], bits: u32, signed: bool) -> Result<usize, LebError> {
    let max_len = bits.div_ceil(7) as usize;
    for i in 0..max_len {
        let byte = *bytes.get(i).ok_or(LebError::End(i))?;
        // Value bits still allowed in this byte.
        let left = bits - 7 * i as u32;
        if left < 7 {
            let fits = if signed {
                let mask = (0x7f << (left - 1)) & 0x7f;
                byte & mask == 0 || byte & mask == mask
            } else {
                u32::from(byte & 0x7f) < 1 << left
            };
            if !fits {
                return Err(LebError::TooLarge(i));
            }
        }
        if byte & 0x80 == 0 {
            return Ok(i + 1);
        }
    }
    Err(LebError::TooLong(max_len))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn u32_of(bytes: &[u8]) -> Result<(u32, usize), LebError> {
        read(bytes, 32, false).map(|(v, n)| (v as u32, n))
    }

    fn i32_of(bytes: &[u8]) -> Result<(i32, usize), LebError> {
        read(bytes, 32, true).map(|(v, n)| (v as i64 as i32, n))
    }

    fn i64_of(bytes: &[u8]) -> Result<(i64, usize), LebError> {
        read(bytes, 64, true).map(|(v, n)| (v as i64, n))
    }

    /// The short path agrees with the general one on every encoding of up to four bytes
    /// built from a sample of byte values, for each width it is used for.
    #[test]
    fn short_path_matches_the_scan() {
        let samples = [0x00, 0x01, 0x3f, 0x40, 0x7f, 0x80, 0x81, 0xbf, 0xc0, 0xff];
        let mut checked = 0;
        for len in 1..=4 {
            for combo in 0..samples.len().pow(len as u32) {
                let mut bytes = Vec::new();
                let mut c = combo;
                for _ in 0..len {
                    bytes.push(samples[c % samples.len()]);
                    c /= samples.len();
                }
                for bits in [SHORT_BITS, 32, 33, 64] {
                    for signed in [false, true] {
                        let general = read(&bytes, bits, signed).ok();
                        let short = read_short(&bytes, signed);
                        match short {
                            Some(s) => assert_eq!(Some(s), general, "{bytes:x?} {bits} {signed}"),
                            // Only longer or cut-short encodings are left to the general path.
                            None => assert!(bytes.iter().all(|b| b & 0x80 != 0)),
                        }
                        checked += 1;
                    }
                }
            }
        }
        assert!(checked > 80_000);
    }

    #[test]
    fn unsigned_32() {
        assert_eq!(u32_of(&[0x00]), Ok((0, 1)));
        assert_eq!(u32_of(&[0x7f, 0xff]), Ok((127, 1)));
        assert_eq!(u32_of(&[0xe5, 0x8e, 0x26]), Ok((624_485, 3)));
        // Padded zero and the maximum both take five bytes.
        assert_eq!(u32_of(&[0x80, 0x80, 0x80, 0x80, 0x00]), Ok((0, 5)));
        assert_eq!(u32_of(&[0xff, 0xff, 0xff, 0xff, 0x0f]), Ok((u32::MAX, 5)));
        // 2^32: bit 4 of the fifth byte is unused.
        assert_eq!(
            u32_of(&[0x80, 0x80, 0x80, 0x80, 0x10]),
            Err(LebError::TooLarge(4))
        );
        assert_eq!(
            u32_of(&[0xff, 0xff, 0xff, 0xff, 0x7f]),
            Err(LebError::TooLarge(4))
        );
        // A sixth byte is too long, even when the value would be zero.
        assert_eq!(
            u32_of(&[0x80, 0x80, 0x80, 0x80, 0x80, 0x00]),
            Err(LebError::TooLong(5))
        );
        // Unused bits are checked before the continuation bit, as the spec does.
        assert_eq!(
            u32_of(&[0x80, 0x80, 0x80, 0x80, 0x90, 0x00]),
            Err(LebError::TooLarge(4))
        );
        assert_eq!(
            u32_of(&[0x82, 0x80, 0x80, 0x80, 0x80]),
            Err(LebError::TooLong(5))
        );
    }

    #[test]
    fn unsigned_running_out() {
        assert_eq!(u32_of(&[]), Err(LebError::End(0)));
        assert_eq!(u32_of(&[0x80]), Err(LebError::End(1)));
        assert_eq!(u32_of(&[0xff, 0xff, 0xff, 0xff]), Err(LebError::End(4)));
        // Too long is detected without needing the sixth byte.
        assert_eq!(
            u32_of(&[0x80, 0x80, 0x80, 0x80, 0x80]),
            Err(LebError::TooLong(5))
        );
    }

    #[test]
    fn one_bit_flags() {
        assert_eq!(read(&[0x00], 1, false), Ok((0, 1)));
        assert_eq!(read(&[0x01], 1, false), Ok((1, 1)));
        assert_eq!(read(&[0x02], 1, false), Err(LebError::TooLarge(0)));
        assert_eq!(read(&[0x81, 0x00], 1, false), Err(LebError::TooLong(1)));
        assert_eq!(read(&[0x82, 0x00], 1, false), Err(LebError::TooLarge(0)));
    }

    #[test]
    fn signed_32() {
        assert_eq!(i32_of(&[0x7f]), Ok((-1, 1)));
        assert_eq!(i32_of(&[0x3f]), Ok((63, 1)));
        assert_eq!(i32_of(&[0x40]), Ok((-64, 1)));
        assert_eq!(i32_of(&[0xc0, 0xbb, 0x78]), Ok((-123_456, 3)));
        assert_eq!(i32_of(&[0xff, 0xff, 0xff, 0xff, 0x07]), Ok((i32::MAX, 5)));
        assert_eq!(i32_of(&[0x80, 0x80, 0x80, 0x80, 0x78]), Ok((i32::MIN, 5)));
        // Padded -1 and 0.
        assert_eq!(i32_of(&[0xff, 0xff, 0xff, 0xff, 0x7f]), Ok((-1, 5)));
        assert_eq!(i32_of(&[0x80, 0x80, 0x80, 0x80, 0x00]), Ok((0, 5)));
        // Bits 3..=6 of the fifth byte must all equal the sign bit.
        assert_eq!(
            i32_of(&[0xff, 0xff, 0xff, 0xff, 0x0f]),
            Err(LebError::TooLarge(4))
        );
        assert_eq!(
            i32_of(&[0x80, 0x80, 0x80, 0x80, 0x70]),
            Err(LebError::TooLarge(4))
        );
        assert_eq!(
            i32_of(&[0x80, 0x80, 0x80, 0x80, 0x80, 0x00]),
            Err(LebError::TooLong(5))
        );
        assert_eq!(
            i32_of(&[0xff, 0xff, 0xff, 0xff, 0xff, 0x7f]),
            Err(LebError::TooLong(5))
        );
    }

    #[test]
    fn signed_33_block_types() {
        let s33 = |b: &[u8]| read(b, 33, true).map(|(v, n)| (v as i64, n));
        assert_eq!(
            s33(&[0xff, 0xff, 0xff, 0xff, 0x0f]),
            Ok((u32::MAX as i64, 5))
        );
        assert_eq!(
            s33(&[0x80, 0x80, 0x80, 0x80, 0x10]),
            Err(LebError::TooLarge(4))
        );
        assert_eq!(s33(&[0x80, 0x80, 0x80, 0x80, 0x70]), Ok((-(1 << 32), 5)));
    }

    #[test]
    fn signed_64() {
        let max = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00];
        assert_eq!(i64_of(&max), Ok((i64::MAX, 10)));
        let min = [0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x7f];
        assert_eq!(i64_of(&min), Ok((i64::MIN, 10)));
        let minus_one = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f];
        assert_eq!(i64_of(&minus_one), Ok((-1, 10)));
        // The tenth byte holds only the sign bit: 0x00 or 0x7f.
        let mut bad = max;
        bad[9] = 0x01;
        assert_eq!(i64_of(&bad), Err(LebError::TooLarge(9)));
        bad[9] = 0x7e;
        assert_eq!(i64_of(&bad), Err(LebError::TooLarge(9)));
        let mut long = [0x80u8; 11];
        long[10] = 0x00;
        assert_eq!(i64_of(&long), Err(LebError::TooLong(10)));
        long = [0xffu8; 11];
        long[10] = 0x7f;
        assert_eq!(i64_of(&long), Err(LebError::TooLong(10)));
        assert_eq!(i64_of(&[0xff; 9]), Err(LebError::End(9)));
    }
}
