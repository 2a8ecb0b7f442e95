//! Memory access by index: what the multi-memory and memory64 forms of the memory
//! instructions do (`mem.load`, `mem.store`, the `_mem` vector forms, `memory.size`/`grow`).
//! Memory 0 of 32 bits keeps the fast path through the cached base (`MemCache`); these look the
//! memory up in the store on every access and check the bounds in 128 bits, so an address near
//! 2^64 plus an offset cannot wrap. Safe code: the bytes are reached through the slice.

use crate::error::TrapCode;
use crate::runtime::{MemoryEntity, StoreInner};
use crate::value::Cell;

/// Memory `mem` of the running instance.
#[inline]
pub(super) fn memory(store: &mut StoreInner, instance: u32, mem: u32) -> &mut MemoryEntity {
    let m = store.instances[instance as usize].memories[mem as usize];
    &mut store.memories[m as usize]
}

pub(super) use crate::value::index_cell as index;

/// The `N` bytes at `addr + offset` of memory `mem`, or the out-of-bounds trap.
fn range<const N: usize>(
    m: &mut MemoryEntity,
    addr: Cell,
    offset: u32,
) -> Result<&mut [u8; N], TrapCode> {
    let ea = u128::from(index(addr, m.ty.is_64)) + u128::from(offset);
    let data: &mut [u8] = &mut m.data;
    if ea + N as u128 > data.len() as u128 {
        return Err(TrapCode::MemoryOutOfBounds);
    }
    // `ea + N <= len`, so both fit a `usize`.
    let start = ea as usize;
    Ok((&mut data[start..start + N]).try_into().expect("N bytes"))
}

/// Reads `N` bytes at `addr + offset` of memory `mem`.
#[inline]
pub(super) fn load<const N: usize>(
    store: &mut StoreInner,
    instance: u32,
    mem: u16,
    addr: Cell,
    offset: u32,
) -> Result<[u8; N], TrapCode> {
    range::<N>(memory(store, instance, mem.into()), addr, offset).map(|b| *b)
}

/// Writes `bytes` at `addr + offset` of memory `mem`.
#[inline]
pub(super) fn store<const N: usize>(
    store: &mut StoreInner,
    instance: u32,
    mem: u16,
    addr: Cell,
    offset: u32,
    bytes: [u8; N],
) -> Result<(), TrapCode> {
    *range::<N>(memory(store, instance, mem.into()), addr, offset)? = bytes;
    Ok(())
}

/// `mem.load`: the load of `kind` (its opcode minus `0x28`), widened to a cell as the fast
/// forms widen it.
pub(super) fn load_kind(
    store: &mut StoreInner,
    instance: u32,
    mem: u16,
    kind: u8,
    addr: Cell,
    offset: u32,
) -> Result<Cell, TrapCode> {
    let mut ld1 = || load::<1>(store, instance, mem, addr, offset).map(|b| b[0]);
    Ok(match kind {
        // i32.load, f32.load
        0 | 2 => u32::from_le_bytes(load(store, instance, mem, addr, offset)?) as Cell,
        // i64.load, f64.load
        1 | 3 => u64::from_le_bytes(load(store, instance, mem, addr, offset)?),
        4 => ld1()? as i8 as i32 as u32 as Cell,
        5 | 9 => ld1()? as Cell,
        6 => i16::from_le_bytes(load(store, instance, mem, addr, offset)?) as i32 as u32 as Cell,
        7 | 11 => u16::from_le_bytes(load(store, instance, mem, addr, offset)?) as Cell,
        8 => ld1()? as i8 as i64 as Cell,
        10 => i16::from_le_bytes(load(store, instance, mem, addr, offset)?) as i64 as Cell,
        12 => i32::from_le_bytes(load(store, instance, mem, addr, offset)?) as i64 as Cell,
        // 13, i64.load32_u; a kind past the table (only hand-made bytecode) reads the same.
        _ => u32::from_le_bytes(load(store, instance, mem, addr, offset)?) as Cell,
    })
}

/// `mem.store`: the store of `kind` (its opcode minus `0x36`), of the low bytes of `value`.
pub(super) fn store_kind(
    store: &mut StoreInner,
    instance: u32,
    mem: u16,
    kind: u8,
    addr: Cell,
    offset: u32,
    value: Cell,
) -> Result<(), TrapCode> {
    let bytes = value.to_le_bytes();
    match kind {
        // i32.store, f32.store, i64.store32
        0 | 2 | 8 => self::store::<4>(store, instance, mem, addr, offset, value_bytes(bytes)),
        // i64.store, f64.store
        1 | 3 => self::store::<8>(store, instance, mem, addr, offset, bytes),
        // i32.store8, i64.store8
        4 | 6 => self::store::<1>(store, instance, mem, addr, offset, value_bytes(bytes)),
        // i32.store16, i64.store16; past the table (hand-made bytecode) the same.
        _ => self::store::<2>(store, instance, mem, addr, offset, value_bytes(bytes)),
    }
}

/// The low `N` of a cell's eight little-endian bytes.
fn value_bytes<const N: usize>(bytes: [u8; 8]) -> [u8; N] {
    std::array::from_fn(|i| bytes[i])
}

/// `memory.grow` of memory `mem` by `delta` pages: the old size, or -1 of the memory's
/// address type.
pub(super) fn grow(store: &mut StoreInner, instance: u32, mem: u32, delta: Cell) -> Cell {
    let m = memory(store, instance, mem);
    let is_64 = m.ty.is_64;
    match m.grow(index(delta, is_64)) {
        Some(old) => old,
        None if is_64 => u64::MAX,
        None => u32::MAX as Cell,
    }
}
