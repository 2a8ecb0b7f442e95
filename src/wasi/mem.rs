//! Bounds-checked access to the guest's linear memory. Every out-of-range pointer is
//! `ERRNO_FAULT`; values are little-endian as in Wasm.

use super::{Errno, ERRNO_FAULT, ERRNO_ILSEQ, ERRNO_INVAL};

pub(crate) struct GuestMem<'a> {
    bytes: &'a mut [u8],
}

impl<'a> GuestMem<'a> {
    pub(crate) fn new(bytes: &'a mut [u8]) -> Self {
        Self { bytes }
    }

    fn range(&self, ptr: u32, len: u32) -> Result<std::ops::Range<usize>, Errno> {
        let start = ptr as usize;
        let end = start.checked_add(len as usize).ok_or(ERRNO_FAULT)?;
        if end > self.bytes.len() {
            return Err(ERRNO_FAULT);
        }
        Ok(start..end)
    }

    pub(crate) fn slice(&self, ptr: u32, len: u32) -> Result<&[u8], Errno> {
        let r = self.range(ptr, len)?;
        Ok(&self.bytes[r])
    }

    pub(crate) fn slice_mut(&mut self, ptr: u32, len: u32) -> Result<&mut [u8], Errno> {
        let r = self.range(ptr, len)?;
        Ok(&mut self.bytes[r])
    }

    /// A UTF-8 string (WASI paths and names are strings); invalid UTF-8 is `ERRNO_ILSEQ`.
    pub(crate) fn str(&self, ptr: u32, len: u32) -> Result<&str, Errno> {
        std::str::from_utf8(self.slice(ptr, len)?).map_err(|_| ERRNO_ILSEQ)
    }

    pub(crate) fn write(&mut self, ptr: u32, data: &[u8]) -> Result<(), Errno> {
        let len = u32::try_from(data.len()).map_err(|_| ERRNO_FAULT)?;
        self.slice_mut(ptr, len)?.copy_from_slice(data);
        Ok(())
    }

    pub(crate) fn read_u16(&self, ptr: u32) -> Result<u16, Errno> {
        Ok(u16::from_le_bytes(self.slice(ptr, 2)?.try_into().unwrap()))
    }

    pub(crate) fn read_u32(&self, ptr: u32) -> Result<u32, Errno> {
        Ok(u32::from_le_bytes(self.slice(ptr, 4)?.try_into().unwrap()))
    }

    pub(crate) fn read_u64(&self, ptr: u32) -> Result<u64, Errno> {
        Ok(u64::from_le_bytes(self.slice(ptr, 8)?.try_into().unwrap()))
    }

    pub(crate) fn write_u32(&mut self, ptr: u32, v: u32) -> Result<(), Errno> {
        self.write(ptr, &v.to_le_bytes())
    }

    pub(crate) fn write_u64(&mut self, ptr: u32, v: u64) -> Result<(), Errno> {
        self.write(ptr, &v.to_le_bytes())
    }

    /// Reads an array of `count` iovecs (`{buf: u32, buf_len: u32}`, 8 bytes each) and checks
    /// that every buffer lies in memory, so a transfer never faults halfway. A total length
    /// past `u32::MAX` (buffers may overlap) is `ERRNO_INVAL`: the count would not fit the result.
    pub(crate) fn iovecs(&self, ptr: u32, count: u32) -> Result<Vec<(u32, u32)>, Errno> {
        let table = self.slice(ptr, count.checked_mul(8).ok_or(ERRNO_FAULT)?)?;
        let iovs = table
            .chunks_exact(8)
            .map(|iov| {
                let buf = u32::from_le_bytes(iov[0..4].try_into().unwrap());
                let len = u32::from_le_bytes(iov[4..8].try_into().unwrap());
                self.range(buf, len)?;
                Ok((buf, len))
            })
            .collect::<Result<Vec<_>, Errno>>()?;
        if iovs.iter().map(|iov| iov.1 as u64).sum::<u64>() > u32::MAX as u64 {
            return Err(ERRNO_INVAL);
        }
        Ok(iovs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds_are_checked() {
        let mut bytes = vec![0u8; 16];
        let mut mem = GuestMem::new(&mut bytes);
        assert_eq!(mem.write_u64(8, 0x0102_0304_0506_0708), Ok(()));
        assert_eq!(mem.read_u64(8), Ok(0x0102_0304_0506_0708));
        assert_eq!(mem.read_u32(8), Ok(0x0506_0708));
        assert_eq!(mem.read_u16(8), Ok(0x0708));
        assert_eq!(mem.write_u64(9, 0), Err(ERRNO_FAULT));
        assert_eq!(mem.read_u32(u32::MAX), Err(ERRNO_FAULT));
        assert_eq!(mem.slice(16, 0).map(<[u8]>::len), Ok(0));
        assert_eq!(mem.slice(17, 0), Err(ERRNO_FAULT));
    }

    #[test]
    fn iovecs_and_strings() {
        let mut bytes = vec![0u8; 32];
        bytes[0..4].copy_from_slice(&16u32.to_le_bytes());
        bytes[4..8].copy_from_slice(&4u32.to_le_bytes());
        bytes[8..12].copy_from_slice(&30u32.to_le_bytes());
        bytes[12..16].copy_from_slice(&4u32.to_le_bytes());
        bytes[16..20].copy_from_slice(b"ab\xffc");
        let mem = GuestMem::new(&mut bytes);
        assert_eq!(mem.iovecs(0, 1), Ok(vec![(16, 4)]));
        assert_eq!(mem.iovecs(0, 2), Err(ERRNO_FAULT));
        assert_eq!(mem.iovecs(0, u32::MAX), Err(ERRNO_FAULT));
        assert_eq!(mem.str(16, 2), Ok("ab"));
        assert_eq!(mem.str(16, 4), Err(ERRNO_ILSEQ));
    }
}
