//! Linear memories: the `Memory` handle and the store's record of each memory. The bytes live in
//! a `LinearMemory` (see `linear.rs`: reserved address space, or a heap buffer as fallback).

use super::linear::LinearMemory;
use super::Store;
use crate::error::{Error, Result};
use crate::value::MemoryType;

/// Bytes in one WebAssembly page.
pub const PAGE_SIZE: usize = 65536;

#[derive(Debug)]
pub(crate) struct MemoryEntity {
    /// The bytes; on reserved address space its base never moves as it grows.
    pub(crate) data: LinearMemory,
    pub(crate) ty: MemoryType,
    /// The effective maximum in pages: the declared one capped by the engine's configuration.
    pub(crate) max_pages: u64,
}

impl MemoryEntity {
    /// `config_max` is the engine's cap in 64 KiB pages, whatever the memory's page size.
    pub(crate) fn new(ty: MemoryType, config_max: u32) -> Result<Self> {
        let page = ty.page_size();
        let cap_bytes = u64::from(config_max) * PAGE_SIZE as u64;
        let declared = ty.limits.max.unwrap_or(ty.max_pages_allowed());
        let max_pages = declared.min(cap_bytes / page);
        if ty.limits.min > max_pages {
            return Err(Error::Limit(format!(
                "memory of {} pages exceeds the limit of {max_pages} pages",
                ty.limits.min
            )));
        }
        // `min <= max_pages`, so this is at most `cap_bytes`, which fits a 64-bit `usize`; a
        // 32-bit host may not hold it, and then the memory cannot be had.
        let len = usize::try_from(ty.limits.min * page)
            .map_err(|_| Error::Limit(format!("memory of {} pages is too large", ty.limits.min)))?;
        // Reserves the whole maximum (4 GiB without a declared one) as address space; only
        // the `min` pages are made accessible, and the OS commits them as they are touched.
        // (Saturating: 4 GiB does not fit a 32-bit `usize`; the heap backend takes over there.)
        let max_len = usize::try_from(max_pages * page).unwrap_or(usize::MAX);
        let data = LinearMemory::new(len, max_len)
            .ok_or_else(|| Error::Limit(format!("cannot allocate {len} bytes of memory")))?;
        Ok(Self {
            data,
            ty,
            max_pages,
        })
    }

    pub(crate) fn pages(&self) -> u64 {
        self.data.len() as u64 >> self.ty.page_size_log2
    }

    /// Grows by `delta` pages, returning the old size, or `None` (Wasm's -1) past the maximum or
    /// when the host cannot provide the pages. Copies nothing on reserved address space.
    pub(crate) fn grow(&mut self, delta: u64) -> Option<u64> {
        let old = self.pages();
        let new = old.checked_add(delta)?;
        if new > self.max_pages {
            return None;
        }
        let new_len = usize::try_from(new.checked_mul(self.ty.page_size())?).ok()?;
        self.data.grow_to(new_len).then_some(old)
    }
}

/// A handle to a linear memory in a [`Store`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Memory(pub(crate) u32);

impl Memory {
    /// A new memory of type `ty` in `store`, its `min` pages zeroed (e.g. to define as an
    /// import with [`Linker::define`](crate::Linker::define)).
    pub fn new<T>(store: &mut Store<T>, ty: MemoryType) -> Result<Memory> {
        store.inner.check_room(0, 1, 0)?;
        let entity = MemoryEntity::new(ty, store.inner.engine.config().max_memory_pages)?;
        store.inner.memories.push(entity);
        Ok(Memory(store.inner.memories.len() as u32 - 1))
    }

    /// The memory's type, with its current size as the minimum.
    pub fn ty<T>(&self, store: &Store<T>) -> MemoryType {
        let m = &store.inner.memories[self.0 as usize];
        MemoryType {
            limits: crate::Limits {
                min: m.pages(),
                max: m.ty.limits.max,
            },
            ..m.ty
        }
    }

    /// Current size in pages (of the memory type's page size).
    pub fn size<T>(&self, store: &Store<T>) -> u64 {
        store.inner.memories[self.0 as usize].pages()
    }

    /// The memory's bytes ([`PAGE_SIZE`] per page).
    pub fn data<'a, T>(&self, store: &'a Store<T>) -> &'a [u8] {
        &store.inner.memories[self.0 as usize].data
    }

    /// The memory's bytes, mutably.
    pub fn data_mut<'a, T>(&self, store: &'a mut Store<T>) -> &'a mut [u8] {
        &mut store.inner.memories[self.0 as usize].data
    }

    /// Copies `buf.len()` bytes starting at `offset` out of the memory.
    pub fn read<T>(&self, store: &Store<T>, offset: usize, buf: &mut [u8]) -> Result<()> {
        let data = self.data(store);
        let src = offset
            .checked_add(buf.len())
            .and_then(|end| data.get(offset..end))
            .ok_or_else(|| out_of_bounds(offset, buf.len(), data.len()))?;
        buf.copy_from_slice(src);
        Ok(())
    }

    /// Copies `buf` into the memory at `offset`.
    pub fn write<T>(&self, store: &mut Store<T>, offset: usize, buf: &[u8]) -> Result<()> {
        let data = &mut store.inner.memories[self.0 as usize].data;
        let len = data.len();
        // Not `data_mut`: only these bytes count as written (see `LinearMemory::range_mut`).
        let dst = offset
            .checked_add(buf.len())
            .and_then(|end| data.range_mut(offset..end))
            .ok_or_else(|| out_of_bounds(offset, buf.len(), len))?;
        dst.copy_from_slice(buf);
        Ok(())
    }

    /// Grows by `delta` pages and returns the previous size in pages.
    pub fn grow<T>(&self, store: &mut Store<T>, delta: u64) -> Result<u64> {
        store.inner.memories[self.0 as usize]
            .grow(delta)
            .ok_or_else(|| Error::Api(format!("cannot grow memory by {delta} pages")))
    }
}

fn out_of_bounds(offset: usize, len: usize, size: usize) -> Error {
    Error::Api(format!(
        "memory access of {len} bytes at offset {offset} is out of bounds (memory is {size} bytes)"
    ))
}
