//! How loaded bytes become a register cell, one function per load width and extension, shared
//! by every addressing form of the loads.

use crate::value::Cell;

#[inline(always)]
pub(super) fn zext8(b: [u8; 1]) -> Cell {
    u8::from_le_bytes(b) as Cell
}
#[inline(always)]
pub(super) fn sext8_32(b: [u8; 1]) -> Cell {
    i8::from_le_bytes(b) as i32 as u32 as Cell
}
#[inline(always)]
pub(super) fn sext8_64(b: [u8; 1]) -> Cell {
    i8::from_le_bytes(b) as i64 as Cell
}
#[inline(always)]
pub(super) fn zext16(b: [u8; 2]) -> Cell {
    u16::from_le_bytes(b) as Cell
}
#[inline(always)]
pub(super) fn sext16_32(b: [u8; 2]) -> Cell {
    i16::from_le_bytes(b) as i32 as u32 as Cell
}
#[inline(always)]
pub(super) fn sext16_64(b: [u8; 2]) -> Cell {
    i16::from_le_bytes(b) as i64 as Cell
}
#[inline(always)]
pub(super) fn zext32(b: [u8; 4]) -> Cell {
    u32::from_le_bytes(b) as Cell
}
#[inline(always)]
pub(super) fn sext32_64(b: [u8; 4]) -> Cell {
    i32::from_le_bytes(b) as i64 as Cell
}
#[inline(always)]
pub(super) fn bits64(b: [u8; 8]) -> Cell {
    u64::from_le_bytes(b)
}
