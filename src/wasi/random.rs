//! `random_get`, from a xorshift generator: no dependency, and not cryptographic.

use super::mem::GuestMem;
use super::{with_ctx, Errno, WasiCtx, MODULE};
use crate::{Caller, Linker};
use std::hash::{BuildHasher, Hasher};

pub(super) fn add_to_linker<T>(
    linker: &mut Linker<T>,
    get: impl Fn(&mut T) -> &mut WasiCtx + Send + Sync + Copy + 'static,
) {
    linker.func_wrap(
        MODULE,
        "random_get",
        move |mut c: Caller<'_, T>, buf: u32, len: u32| {
            with_ctx(&mut c, get, |ctx, mem| random_get(ctx, mem, buf, len))
        },
    );
}

/// `random_get(buf: u32, buf_len: u32) -> errno`
///
/// Fills the `buf_len` bytes at `buf` with pseudo-random bytes (xorshift64*, seeded per context
/// from the standard library's per-process random hash keys, the clock and an address). Good for
/// hash seeds and tests, not for keys.
///
/// Errors: `ERRNO_FAULT` when the buffer is out of memory.
fn random_get(ctx: &mut WasiCtx, mem: &mut GuestMem, buf: u32, len: u32) -> Result<(), Errno> {
    ctx.rng.fill(mem.slice_mut(buf, len)?);
    Ok(())
}

/// xorshift64* (Vigna 2016): 64 bits of state, fast and statistically decent.
pub(crate) struct Rng(u64);

impl Rng {
    pub(crate) fn from_seed(seed: u64) -> Self {
        // splitmix64 spreads any seed, and the state must not be 0.
        let mut z = seed.wrapping_add(0x9e37_79b9_7f4a_7c15);
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        Self((z ^ (z >> 31)) | 1)
    }

    pub(crate) fn from_entropy() -> Self {
        // RandomState's keys come from the OS's random source once per thread.
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default();
        h.write_u128(now.as_nanos());
        let local = 0u8;
        h.write_usize(&local as *const u8 as usize);
        Self::from_seed(h.finish())
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    pub(crate) fn fill(&mut self, buf: &mut [u8]) {
        for chunk in buf.chunks_mut(8) {
            let bytes = self.next_u64().to_le_bytes();
            chunk.copy_from_slice(&bytes[..chunk.len()]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fills_with_varied_bytes() {
        let mut rng = Rng::from_entropy();
        let mut a = [0u8; 37];
        let mut b = [0u8; 37];
        rng.fill(&mut a);
        rng.fill(&mut b);
        assert_ne!(a, b);
        assert!(a.iter().filter(|&&x| x == 0).count() < 10);
    }

    #[test]
    fn seeds_differ() {
        assert_ne!(
            Rng::from_entropy().next_u64(),
            Rng::from_entropy().next_u64()
        );
        assert_ne!(Rng::from_seed(0).next_u64(), Rng::from_seed(1).next_u64());
    }
}
