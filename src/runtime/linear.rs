//! The bytes of a linear memory, on reserved address space where the platform allows it.
//!
//! Why: a memory kept in a `Vec` copies itself on every `memory.grow` and has the allocator
//! zero-fill (and so commit) every new page at once — growing by 65,535 pages took 3.7 s and
//! 4.2 GB of resident memory before the guest touched a byte. On Unix a memory instead reserves
//! its whole maximum (4 GiB when the module declares none) as inaccessible address space when it
//! is created, and `grow` only makes the next pages readable and writable (`mprotect`): no copy,
//! the base address never moves, and the kernel hands out a zeroed page only when the guest
//! first touches it. The system calls come from the `rustix` crate (see docs/architecture.md,
//! "Dependencies").
//!
//! A dropped memory's reservation is kept for the next memory of the same size (Linux, up to 32
//! of them), its pages zeroed — in place when at most one Wasm page of them may have been
//! written, else handed back to the kernel by one `madvise` — so short-lived instances do not
//! pay for mapping and unmapping 4 GiB each.
//!
//! Only what may have been written is zeroed: the memory keeps a bound (`dirty`) below which
//! its bytes may be non-zero. Every safe mutable access raises it — `DerefMut` to the whole
//! length, [`LinearMemory::range_mut`] (data segments, `Memory::write`) to the end of its
//! range — and the interpreter, which stores through a raw base pointer
//! ([`LinearMemory::base_ptr`]), may only do so after [`LinearMemory::mark_guest_writable`]:
//! instantiation calls it on every memory of an instance whose code contains a store
//! instruction. A module that never stores (its memory written only by data segments or the
//! host through `Memory::write`) then costs a few bytes of zeroing instead of a whole page.
//!
//! When the reservation cannot be had (a `ulimit -v`, an exhausted address space, a platform
//! without `mmap`), the memory falls back to the `Vec` backend, which behaves the same except
//! that growing copies and commits. Neither backend panics: a growth the host cannot provide
//! fails, and `memory.grow` returns -1, as the spec allows.

use std::fmt;
use std::ops::{Deref, DerefMut};

/// The bytes of one linear memory: `len()` accessible bytes, all zero until written.
pub(crate) struct LinearMemory {
    backend: Backend,
    /// The most bytes it may grow to.
    max: usize,
}

/// A `dirty` bound that covers any length: the memory may have been written anywhere.
const ALL_DIRTY: usize = usize::MAX;

enum Backend {
    /// Address space reserved up front; `len` bytes of it accessible.
    #[cfg(unix)]
    Reserved(reserved::Reservation),
    /// A heap buffer that is reallocated (and so moves) as it grows.
    Heap(Vec<u8>),
}

/// Which backend [`LinearMemory::with_backend`] should use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum BackendKind {
    /// Reserved address space, falling back to the heap if it cannot be reserved.
    Reserved,
    /// Always the heap.
    Heap,
}

impl LinearMemory {
    /// `initial` zeroed bytes that can grow to `max` bytes (both multiples of the Wasm page
    /// size), on reserved address space when it can be had; `None` if not even `initial`
    /// bytes can be allocated.
    pub(crate) fn new(initial: usize, max: usize) -> Option<Self> {
        Self::with_backend(BackendKind::Reserved, initial, max)
    }

    /// As [`new`](Self::new), with the backend chosen (the tests compare the two).
    pub(crate) fn with_backend(kind: BackendKind, initial: usize, max: usize) -> Option<Self> {
        debug_assert!(initial <= max);
        #[cfg(unix)]
        // Whole Wasm pages are reserved and made accessible even for a memory of 1-byte pages
        // (custom-page-sizes), so every `mprotect` starts page-aligned; its length stays exact.
        let whole_pages = max.checked_next_multiple_of(crate::runtime::PAGE_SIZE);
        if let (BackendKind::Reserved, Some(reserve @ 1..)) = (kind, whole_pages) {
            if let Some(r) = reserved::Reservation::new(initial, reserve) {
                return Some(Self {
                    backend: Backend::Reserved(r),
                    max,
                });
            }
        }
        let _ = kind;
        // Ask for the space fallibly first, so an impossible size is `None`, not an abort;
        // then take a zeroed allocation, which the OS backs with pages only as they are used.
        Vec::<u8>::new().try_reserve_exact(initial).ok()?;
        Some(Self {
            backend: Backend::Heap(vec![0; initial]),
            max,
        })
    }

    /// The bytes of `range`, mutably, or `None` if it is not inside the memory: as
    /// `&mut self[range]`, but only the bytes up to `range.end` count as written (so a
    /// recycled reservation zeroes only those).
    pub(crate) fn range_mut(&mut self, range: std::ops::Range<usize>) -> Option<&mut [u8]> {
        match &mut self.backend {
            #[cfg(unix)]
            Backend::Reserved(r) => {
                if range.start > range.end || range.end > r.len {
                    return None;
                }
                r.dirty = r.dirty.max(range.end);
                Some(&mut r.as_mut_slice()[range])
            }
            Backend::Heap(v) => v.get_mut(range),
        }
    }

    /// Records that code may write anywhere in the memory through [`base_ptr`](Self::base_ptr),
    /// now or after any growth: a recycled reservation is then zeroed wholly, as when nothing
    /// is tracked.
    pub(crate) fn mark_guest_writable(&mut self) {
        #[cfg(unix)]
        if let Backend::Reserved(r) = &mut self.backend {
            r.dirty = ALL_DIRTY;
        }
    }

    /// The base address, for the interpreter's loads and stores. It does not count as a
    /// write: whoever stores through it must have called
    /// [`mark_guest_writable`](Self::mark_guest_writable) on this memory first (instantiation
    /// does, for every memory of an instance whose code has a store instruction), or the
    /// bytes may survive into the next memory that recycles the reservation.
    pub(crate) fn base_ptr(&mut self) -> *mut u8 {
        match &mut self.backend {
            #[cfg(unix)]
            Backend::Reserved(r) => r.base.as_ptr(),
            Backend::Heap(v) => v.as_mut_ptr(),
        }
    }

    /// The backend in use.
    pub(crate) fn kind(&self) -> BackendKind {
        match &self.backend {
            #[cfg(unix)]
            Backend::Reserved(_) => BackendKind::Reserved,
            Backend::Heap(_) => BackendKind::Heap,
        }
    }

    /// Makes the memory `new_len` bytes long (not shorter than now, at most the `max` it was
    /// created with), the new bytes zero. `false`, and nothing changed, if the host cannot.
    pub(crate) fn grow_to(&mut self, new_len: usize) -> bool {
        if new_len > self.max {
            return false;
        }
        match &mut self.backend {
            #[cfg(unix)]
            Backend::Reserved(r) => r.grow_to(new_len),
            Backend::Heap(v) => {
                debug_assert!(new_len >= v.len());
                if v.try_reserve_exact(new_len - v.len()).is_err() {
                    return false;
                }
                v.resize(new_len, 0);
                true
            }
        }
    }
}

impl Deref for LinearMemory {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        match &self.backend {
            #[cfg(unix)]
            Backend::Reserved(r) => r.as_slice(),
            Backend::Heap(v) => v,
        }
    }
}

impl DerefMut for LinearMemory {
    /// The bytes, mutably: they may all be written, so all of them are zeroed when the
    /// reservation is recycled.
    fn deref_mut(&mut self) -> &mut [u8] {
        match &mut self.backend {
            #[cfg(unix)]
            Backend::Reserved(r) => {
                r.dirty = r.dirty.max(r.len);
                r.as_mut_slice()
            }
            Backend::Heap(v) => v,
        }
    }
}

impl Drop for LinearMemory {
    fn drop(&mut self) {
        #[cfg(unix)]
        if let Backend::Reserved(r) =
            std::mem::replace(&mut self.backend, Backend::Heap(Vec::new()))
        {
            r.recycle();
        }
    }
}

impl fmt::Debug for LinearMemory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LinearMemory")
            .field("backend", &self.kind())
            .field("len", &self.len())
            .finish()
    }
}

#[cfg(unix)]
mod reserved {
    use rustix::mm::{mmap_anonymous, mprotect, munmap, MapFlags, MprotectFlags, ProtFlags};
    use std::ptr::NonNull;

    /// `reserved` bytes of private anonymous address space at `base`, the first `accessible`
    /// of them readable and writable, the rest inaccessible (`PROT_NONE`, which commits
    /// nothing). The memory is the first `len` bytes; a recycled reservation (see `pool`) may
    /// keep more accessible than that, all zero.
    ///
    /// Invariants, relied on by every `unsafe` below: `base` is the start of a live mapping of
    /// `reserved` bytes that this value alone owns (mapped in `new`, unmapped only in `drop`);
    /// `len <= accessible <= reserved`, and `base..base + accessible` is readable and writable;
    /// the bytes from `len` to `accessible` are zero. Kept for recycling (not for memory
    /// safety): the bytes from `dirty` on are zero, unless written through `base` by code of a
    /// memory marked `ALL_DIRTY` (see the file's comment).
    pub(super) struct Reservation {
        pub(super) base: NonNull<u8>,
        pub(super) len: usize,
        accessible: usize,
        reserved: usize,
        /// Bytes below this may have been written; `ALL_DIRTY` once the guest may store.
        pub(super) dirty: usize,
    }

    // Test: `store_is_send_and_sync` in this file's tests.
    // SAFETY: a `Reservation` owns its mapping exclusively, like a `Vec` its buffer (reached only
    // through `&self` or `&mut self`), so sending or sharing it is as safe as for a `Vec<u8>`.
    unsafe impl Send for Reservation {}
    // SAFETY: as for `Send` above.
    unsafe impl Sync for Reservation {}

    impl Reservation {
        /// Reserves `reserved` bytes (or takes a recycled reservation of that size) and makes
        /// the first `initial` accessible; `None` if that fails (nothing stays mapped then).
        pub(super) fn new(initial: usize, reserved: usize) -> Option<Self> {
            if reserved == 0 || reserved > isize::MAX as usize {
                return None;
            }
            let mut r = match pool::take(reserved) {
                Some(r) => r,
                None => Self::map(reserved)?,
            };
            // On failure `r` is dropped, which unmaps the reservation.
            r.grow_to(initial).then_some(r)
        }

        fn map(reserved: usize) -> Option<Self> {
            // SAFETY: a null hint asks the kernel for fresh address space, so no existing
            // memory (and no Rust reference) is affected; the result is checked below.
            // Test: `fresh_memory_reads_zero`, `backends_agree`.
            let base = unsafe {
                mmap_anonymous(
                    std::ptr::null_mut(),
                    reserved,
                    ProtFlags::empty(),
                    MapFlags::PRIVATE,
                )
            }
            .ok()?;
            Some(Self {
                base: NonNull::new(base.cast())?,
                len: 0,
                accessible: 0,
                reserved,
                dirty: 0,
            })
        }

        /// Makes the first `new_len` bytes the memory; `false` (nothing changed) if `new_len`
        /// passes the reservation or the kernel refuses to commit the pages.
        pub(super) fn grow_to(&mut self, new_len: usize) -> bool {
            debug_assert!(new_len >= self.len);
            if new_len > self.reserved {
                return false;
            }
            if new_len > self.accessible {
                // Up to a whole Wasm page (`reserved` is a multiple of it): the bytes past
                // `len` stay zero, as nothing but the `len` bytes is ever handed out.
                let target = new_len
                    .next_multiple_of(crate::runtime::PAGE_SIZE)
                    .min(self.reserved);
                // Page-aligned: `base` is, and `accessible` is a multiple of the Wasm page size,
                // which the host page size divides. Test: `grow_beyond_reservation_fails`,
                // `backends_agree`.
                // SAFETY: `base + accessible .. base + target` is inside our own mapping
                // (`target <= reserved`), page-aligned and not accessible yet (no reference).
                let added = unsafe {
                    mprotect(
                        self.base.as_ptr().add(self.accessible).cast(),
                        target - self.accessible,
                        MprotectFlags::READ | MprotectFlags::WRITE,
                    )
                };
                if added.is_err() {
                    return false;
                }
                self.accessible = target;
            }
            self.len = new_len;
            true
        }

        pub(super) fn as_slice(&self) -> &[u8] {
            // The shared borrow of `self` keeps `grow_to` and `drop` away while the slice lives.
            // Test: `fresh_memory_reads_zero`, `backends_agree`.
            // SAFETY: `base..base + len` is readable (`len <= accessible`), owned by `self`,
            // initialised (an anonymous mapping reads as zeros), and `len <= isize::MAX`.
            unsafe { std::slice::from_raw_parts(self.base.as_ptr(), self.len) }
        }

        pub(super) fn as_mut_slice(&mut self) -> &mut [u8] {
            // SAFETY: as in `as_slice`, and the bytes are writable; the unique borrow of `self`
            // makes this the only reference to them. Test: `backends_agree`.
            unsafe { std::slice::from_raw_parts_mut(self.base.as_ptr(), self.len) }
        }

        /// Hands the reservation to the pool for the next memory of the same size, or unmaps it.
        pub(super) fn recycle(self) {
            pool::put(self);
        }
    }

    impl Drop for Reservation {
        fn drop(&mut self) {
            // Test: `dropped_reservations_are_unmapped` (a leak would exhaust the address space
            // and push later memories onto the heap). An error cannot be acted on in `drop`; at
            // worst the address space stays reserved.
            // SAFETY: `base..base + reserved` is our own mapping, never unmapped before; no
            // slice of it outlives `self`.
            let _ = unsafe { munmap(self.base.as_ptr().cast(), self.reserved) };
        }
    }

    /// Reservations of dropped memories, kept for the next memories of the same size: a store
    /// per short-lived instance would otherwise pay `mmap`, `mprotect` and `munmap` of 4 GiB for
    /// every instance (about 30 µs here, ten times the rest of instantiating a small module).
    /// A recycled reservation keeps its accessible pages for the next memory, zeroed: in place
    /// when at most one Wasm page of them may have been written (`dirty`), else by one
    /// `madvise(MADV_DONTNEED)`, which also returns them to the kernel. Linux only: elsewhere
    /// `MADV_DONTNEED` need not zero the pages, so dropped reservations are unmapped.
    #[cfg(target_os = "linux")]
    mod pool {
        use super::Reservation;
        use rustix::mm::{madvise, Advice};
        use std::sync::Mutex;

        /// At most this many idle reservations.
        const CAP: usize = 32;
        /// A reservation with at most this many bytes that may have been written is zeroed in
        /// place and stays resident (at most `CAP` × 64 KiB in all, as the bytes never written
        /// were never committed); a larger one gives its pages back.
        const KEEP_RESIDENT: usize = 64 << 10;

        static POOL: Mutex<Vec<Reservation>> = Mutex::new(Vec::new());

        pub(super) fn take(reserved: usize) -> Option<Reservation> {
            let mut pool = POOL.lock().ok()?;
            let i = pool.iter().rposition(|r| r.reserved == reserved)?;
            Some(pool.swap_remove(i))
        }

        pub(super) fn put(mut r: Reservation) {
            if POOL.lock().map_or(true, |pool| pool.len() >= CAP) {
                return; // dropped: unmapped
            }
            let dirty = r.dirty.min(r.accessible);
            if dirty <= KEEP_RESIDENT {
                // Cheaper than a system call and the page faults after it; the bytes from
                // `dirty` on are zero already.
                r.len = dirty;
                r.as_mut_slice().fill(0);
            } else {
                // On a private anonymous mapping `MADV_DONTNEED` frees the pages, which read as
                // zero on the next touch: the bytes past `len` (now 0) are zero again.
                // Test: `recycled_reservations_read_zero`.
                // SAFETY: `base..base + accessible` is our own mapping, and `r` is owned here,
                // so no Rust reference points into it.
                let zeroed =
                    unsafe { madvise(r.base.as_ptr().cast(), r.accessible, Advice::LinuxDontNeed) };
                if zeroed.is_err() {
                    return; // dropped: unmapped
                }
            }
            r.len = 0;
            r.dirty = 0;
            if let Ok(mut pool) = POOL.lock() {
                if pool.len() < CAP {
                    pool.push(r);
                }
            }
        }
    }

    #[cfg(not(target_os = "linux"))]
    mod pool {
        use super::Reservation;

        pub(super) fn take(_reserved: usize) -> Option<Reservation> {
            None
        }

        pub(super) fn put(r: Reservation) {
            drop(r);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{BackendKind, LinearMemory};
    use crate::runtime::PAGE_SIZE;

    const GIB4: usize = 1 << 32;

    fn both(initial: usize, max: usize) -> [LinearMemory; 2] {
        [BackendKind::Reserved, BackendKind::Heap]
            .map(|k| LinearMemory::with_backend(k, initial, max).unwrap())
    }

    #[test]
    fn store_is_send_and_sync() {
        fn check<T: Send + Sync>() {}
        check::<LinearMemory>();
        check::<crate::Store<()>>();
    }

    #[test]
    #[cfg(unix)]
    fn reserved_backend_is_used_on_unix() {
        let m = LinearMemory::new(PAGE_SIZE, GIB4).unwrap();
        assert_eq!(m.kind(), BackendKind::Reserved);
        let m = LinearMemory::with_backend(BackendKind::Heap, PAGE_SIZE, GIB4).unwrap();
        assert_eq!(m.kind(), BackendKind::Heap);
    }

    #[test]
    fn fresh_memory_reads_zero() {
        for m in both(2 * PAGE_SIZE, GIB4) {
            assert_eq!(m.len(), 2 * PAGE_SIZE);
            assert!(m.iter().all(|&b| b == 0), "{:?}", m.kind());
        }
    }

    #[test]
    fn backends_agree() {
        let [mut a, mut b] = both(PAGE_SIZE, 8 * PAGE_SIZE);
        let mut seed = 1u32;
        for step in 0..200 {
            seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            match seed % 5 {
                0 => {
                    let pages = a.len() / PAGE_SIZE + (seed as usize >> 8) % 3;
                    let (ga, gb) = (a.grow_to(pages * PAGE_SIZE), b.grow_to(pages * PAGE_SIZE));
                    assert_eq!(ga, gb, "step {step}");
                    assert_eq!(ga, pages <= 8, "step {step}");
                }
                _ => {
                    let at = (seed as usize >> 4) % a.len();
                    let n = (a.len() - at).min(300);
                    for (i, byte) in a[at..at + n].iter_mut().enumerate() {
                        *byte = (seed as usize + i) as u8;
                    }
                    b[at..at + n].copy_from_slice(&a[at..at + n]);
                }
            }
            assert_eq!(a.len(), b.len(), "step {step}");
            assert!(a[..] == b[..], "step {step}");
        }
        // Pages added by growth read as zero until written, in both.
        let old = a.len();
        if a.grow_to(old + PAGE_SIZE) && b.grow_to(old + PAGE_SIZE) {
            assert!(a[old..].iter().chain(&b[old..]).all(|&x| x == 0));
        }
    }

    /// A memory of 1-byte pages (custom-page-sizes) grows by bytes on both backends, though
    /// the reservation opens whole Wasm pages.
    #[test]
    fn grows_by_single_bytes() {
        for mut m in both(3, 10) {
            m[2] = 9;
            assert!(m.grow_to(8), "{:?}", m.kind());
            assert_eq!(&m[..], &[0, 0, 9, 0, 0, 0, 0, 0]);
            assert!(m.grow_to(10));
            assert!(!m.grow_to(11));
            assert_eq!(m.len(), 10);
        }
    }

    #[test]
    fn grow_beyond_reservation_fails() {
        for mut m in both(0, 2 * PAGE_SIZE) {
            assert!(m.grow_to(PAGE_SIZE));
            assert!(m.grow_to(2 * PAGE_SIZE));
            let last = m.len() - 1;
            m[last] = 7;
            assert!(!m.grow_to(3 * PAGE_SIZE), "{:?}", m.kind());
            assert_eq!(m.len(), 2 * PAGE_SIZE);
            assert_eq!(m[last], 7);
        }
    }

    #[test]
    fn zero_sized_memories() {
        for max in [0, PAGE_SIZE] {
            let m = LinearMemory::new(0, max).unwrap();
            assert!(m.is_empty());
            assert!(m[..].is_empty());
        }
    }

    #[test]
    #[cfg(all(unix, target_pointer_width = "64"))]
    fn dropped_reservations_are_unmapped() {
        // 1,250 rounds of 64 live memories of 4 GiB, of which the pool keeps at most 32 per
        // round: the other 40,000 reservations (160 TiB, more than a 47-bit address space holds)
        // must be unmapped, or later memories would fall back to the heap.
        for round in 0..1_250 {
            let batch: Vec<_> = (0..64)
                .map(|_| LinearMemory::new(0, GIB4).unwrap())
                .collect();
            for m in &batch {
                assert_eq!(m.kind(), BackendKind::Reserved, "round {round}");
            }
        }
    }

    /// `range_mut` hands out exactly the range, or `None` outside the memory; a recycled
    /// reservation written through it reads zero. (Stores through `base_ptr`, after
    /// `mark_guest_writable`: tests/recycled_memory.rs.)
    #[test]
    fn range_mut_and_marked_writes_are_zeroed_on_recycling() {
        for mut m in both(PAGE_SIZE, 2 * PAGE_SIZE) {
            assert_eq!(m.range_mut(10..14).map(|s| s.len()), Some(4));
            assert!(m.range_mut(PAGE_SIZE - 1..PAGE_SIZE + 1).is_none());
            let reversed = std::ops::Range { start: 14, end: 10 };
            assert!(m.range_mut(reversed).is_none());
        }
        // Sizes no other test uses (see `recycled_reservations_read_zero`).
        let max = 13 * PAGE_SIZE;
        let mut m = LinearMemory::new(PAGE_SIZE, max).unwrap();
        m.range_mut(100..104).unwrap().fill(0xaa);
        assert!(m.grow_to(3 * PAGE_SIZE));
        m.range_mut(2 * PAGE_SIZE..2 * PAGE_SIZE + 1).unwrap()[0] = 0xbb;
        drop(m);
        let mut again = LinearMemory::new(3 * PAGE_SIZE, max).unwrap();
        assert!(again.iter().all(|&b| b == 0));
        again.range_mut(1000..1010).unwrap().fill(0xcc);
        drop(again);
        let again = LinearMemory::new(3 * PAGE_SIZE, max).unwrap();
        assert!(again.iter().all(|&b| b == 0));
    }

    #[test]
    fn recycled_reservations_read_zero() {
        // Sizes no other test uses, so the pool's entries for them are this test's own: one
        // zeroed by the kernel (five pages accessible), one in place (one page).
        for (max, grown) in [(7, 5), (9, 1)] {
            let (max, grown) = (max * PAGE_SIZE, grown * PAGE_SIZE);
            let mut m = LinearMemory::new(PAGE_SIZE, max).unwrap();
            let first = m.as_ptr();
            m.fill(0xee);
            assert!(m.grow_to(grown));
            m[grown - 100..].fill(0xdd);
            drop(m);
            let mut again = LinearMemory::new(0, max).unwrap();
            if cfg!(target_os = "linux") {
                assert_eq!(again.as_ptr(), first, "the reservation was recycled");
            }
            assert!(again.is_empty());
            // The old pages, still accessible, read as zero, and so do the ones after them.
            assert!(again.grow_to(grown));
            assert!(again.iter().all(|&b| b == 0), "max {max}");
            assert!(again.grow_to(max));
            assert!(again.iter().all(|&b| b == 0), "max {max}");
        }
    }
}
