//! Bulk memory and table instructions that reach into segments.

use crate::error::TrapCode;
use crate::runtime::StoreInner;
use crate::value::Cell;

/// `memory.init`: copies `n` bytes of data segment `seg` from `src` to memory at `dst`.
pub(super) fn memory_init(
    store: &mut StoreInner,
    memory: usize,
    seg: usize,
    dst: u64,
    src: u64,
    n: u64,
) -> Result<(), TrapCode> {
    let data = store.datas[seg].bytes();
    let mem = &mut store.memories[memory].data;
    let (Some(s), Some(d)) = (
        check_range(data.len(), src, n),
        check_range(mem.len(), dst, n),
    ) else {
        return Err(TrapCode::MemoryOutOfBounds);
    };
    mem[d..d + n as usize].copy_from_slice(&data[s..s + n as usize]);
    Ok(())
}

/// `table.init`: copies `n` references of element segment `seg` into table `table`.
pub(super) fn table_init(
    store: &mut StoreInner,
    table: usize,
    seg: usize,
    dst: u64,
    src: u64,
    n: u64,
) -> Result<(), TrapCode> {
    let items = &store.elems[seg];
    let elems = &mut store.tables[table].elems;
    let (Some(s), Some(d)) = (
        check_range(items.len(), src, n),
        check_range(elems.len(), dst, n),
    ) else {
        return Err(TrapCode::TableOutOfBounds);
    };
    elems[d..d + n as usize].copy_from_slice(&items[s..s + n as usize]);
    Ok(())
}

/// `table.copy` between two tables, or within one (then like `memmove`).
pub(super) fn table_copy(
    store: &mut StoreInner,
    dst_table: usize,
    src_table: usize,
    dst: u64,
    src: u64,
    n: u64,
) -> Result<(), TrapCode> {
    let src_len = store.tables[src_table].elems.len();
    let dst_len = store.tables[dst_table].elems.len();
    let (Some(s), Some(d)) = (check_range(src_len, src, n), check_range(dst_len, dst, n)) else {
        return Err(TrapCode::TableOutOfBounds);
    };
    let n = n as usize;
    if dst_table == src_table {
        store.tables[dst_table].elems.copy_within(s..s + n, d);
    } else {
        let items: Vec<Cell> = store.tables[src_table].elems[s..s + n].to_vec();
        store.tables[dst_table].elems[d..d + n].copy_from_slice(&items);
    }
    Ok(())
}

/// `table.fill`.
pub(super) fn table_fill(
    elems: &mut [Cell],
    dst: u64,
    value: Cell,
    n: u64,
) -> Result<(), TrapCode> {
    let d = check_range(elems.len(), dst, n).ok_or(TrapCode::TableOutOfBounds)?;
    elems[d..d + n as usize].fill(value);
    Ok(())
}

/// Checks that `start .. start + n` lies within `len`, as bulk operations require (a zero
/// length at exactly `len` is allowed).
fn check_range(len: usize, start: u64, n: u64) -> Option<usize> {
    // In 128 bits: a 64-bit start plus length cannot wrap.
    let end = u128::from(start) + u128::from(n);
    (end <= len as u128).then_some(start as usize)
}

/// `memory.copy` between two memories of the store, or within one (then like `memmove`).
pub(super) fn memory_copy_between(
    store: &mut StoreInner,
    dst_mem: usize,
    src_mem: usize,
    dst: u64,
    src: u64,
    n: u64,
) -> Result<(), TrapCode> {
    if dst_mem == src_mem {
        return memory_copy(&mut store.memories[dst_mem].data, dst, src, n);
    }
    let src_len = store.memories[src_mem].data.len();
    let dst_len = store.memories[dst_mem].data.len();
    let (Some(s), Some(d)) = (check_range(src_len, src, n), check_range(dst_len, dst, n)) else {
        return Err(TrapCode::MemoryOutOfBounds);
    };
    let n = n as usize;
    // Two distinct entities of one vector: split it to borrow both.
    let (a, b) = if dst_mem < src_mem {
        let (lo, hi) = store.memories.split_at_mut(src_mem);
        (&mut lo[dst_mem], &hi[0])
    } else {
        let (lo, hi) = store.memories.split_at_mut(dst_mem);
        (&mut hi[0], &lo[src_mem])
    };
    a.data[d..d + n].copy_from_slice(&b.data[s..s + n]);
    Ok(())
}

/// `memory.copy`: overlapping ranges behave like `memmove`.
pub(super) fn memory_copy(data: &mut [u8], dst: u64, src: u64, n: u64) -> Result<(), TrapCode> {
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
pub(super) fn memory_fill(data: &mut [u8], dst: u64, value: u8, n: u64) -> Result<(), TrapCode> {
    let d = check_range(data.len(), dst, n).ok_or(TrapCode::MemoryOutOfBounds)?;
    data[d..d + n as usize].fill(value);
    Ok(())
}
