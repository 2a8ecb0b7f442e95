//! Bounds-checked linear-memory access.

use crate::error::TrapCode;
use crate::value::Cell;

/// The effective address range `addr + offset .. + N`, if it lies within `len` bytes.
#[inline(always)]
fn range<const N: usize>(len: usize, addr: Cell, offset: u32) -> Result<usize, TrapCode> {
    // A 32-bit address plus a 32-bit offset cannot overflow 64 bits.
    let ea = (addr as u32 as u64) + offset as u64;
    if ea + N as u64 > len as u64 {
        return Err(TrapCode::MemoryOutOfBounds);
    }
    Ok(ea as usize)
}

#[inline(always)]
pub(super) fn load<const N: usize>(
    data: &[u8],
    addr: Cell,
    offset: u32,
) -> Result<[u8; N], TrapCode> {
    let at = range::<N>(data.len(), addr, offset)?;
    let mut bytes = [0u8; N];
    bytes.copy_from_slice(&data[at..at + N]);
    Ok(bytes)
}

#[inline(always)]
pub(super) fn store<const N: usize>(
    data: &mut [u8],
    addr: Cell,
    offset: u32,
    bytes: &[u8; N],
) -> Result<(), TrapCode> {
    let at = range::<N>(data.len(), addr, offset)?;
    data[at..at + N].copy_from_slice(bytes);
    Ok(())
}

/// Checks that `start .. start + n` lies within `len`, as bulk operations require (a zero
/// length at exactly `len` is allowed).
pub(super) fn check_range(len: usize, start: u32, n: u32) -> Option<usize> {
    let end = start as u64 + n as u64;
    (end <= len as u64).then_some(start as usize)
}

/// `memory.copy`: overlapping ranges behave like `memmove`.
pub(super) fn copy(data: &mut [u8], dst: u32, src: u32, n: u32) -> Result<(), TrapCode> {
    let (Some(d), Some(s)) = (
        check_range(data.len(), dst, n),
        check_range(data.len(), src, n),
    ) else {
        return Err(TrapCode::MemoryOutOfBounds);
    };
    data.copy_within(s..s + n as usize, d);
    Ok(())
}

/// `memory.fill`.
pub(super) fn fill(data: &mut [u8], dst: u32, value: u8, n: u32) -> Result<(), TrapCode> {
    let d = check_range(data.len(), dst, n).ok_or(TrapCode::MemoryOutOfBounds)?;
    data[d..d + n as usize].fill(value);
    Ok(())
}
