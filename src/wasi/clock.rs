//! Clocks, `poll_oneoff` and `sched_yield`.

use super::mem::GuestMem;
use super::{with_ctx, Errno, WasiCtx, ERRNO_FAULT, ERRNO_INVAL, MODULE};
use crate::{Caller, Linker};
use std::sync::OnceLock;
use std::time::{Duration, Instant, SystemTime};

pub(crate) const CLOCK_REALTIME: u32 = 0;
pub(crate) const CLOCK_MONOTONIC: u32 = 1;
pub(crate) const CLOCK_PROCESS_CPUTIME: u32 = 2;
pub(crate) const CLOCK_THREAD_CPUTIME: u32 = 3;

const EVENTTYPE_CLOCK: u8 = 0;
const EVENTTYPE_FD_READ: u8 = 1;
const EVENTTYPE_FD_WRITE: u8 = 2;
const SUBCLOCKFLAGS_ABSTIME: u16 = 1;
const SUBSCRIPTION_SIZE: u32 = 48;
const EVENT_SIZE: u32 = 32;

pub(super) fn add_to_linker<T>(
    linker: &mut Linker<T>,
    get: impl Fn(&mut T) -> &mut WasiCtx + Send + Sync + Copy + 'static,
) {
    linker.func_wrap(
        MODULE,
        "clock_res_get",
        move |mut c: Caller<'_, T>, id: u32, out: u32| {
            with_ctx(&mut c, get, |_, mem| clock_res_get(mem, id, out))
        },
    );
    linker.func_wrap(
        MODULE,
        "clock_time_get",
        move |mut c: Caller<'_, T>, id: u32, precision: u64, out: u32| {
            with_ctx(&mut c, get, |_, mem| {
                clock_time_get(mem, id, precision, out)
            })
        },
    );
    linker.func_wrap(
        MODULE,
        "poll_oneoff",
        move |mut c: Caller<'_, T>, subs: u32, events: u32, n: u32, out: u32| {
            with_ctx(&mut c, get, |ctx, mem| {
                poll_oneoff(ctx, mem, subs, events, n, out)
            })
        },
    );
    linker.func_wrap(MODULE, "sched_yield", |_: Caller<'_, T>| sched_yield());
}

/// `clock_res_get(id: clockid, result.resolution: u32) -> errno`
///
/// Writes the resolution of clock `id` in nanoseconds (u64) at `result.resolution`. Clocks:
/// 0 realtime, 1 monotonic, 2 process CPU time, 3 thread CPU time; all report 1 ns here.
///
/// Errors: `ERRNO_INVAL` for an unknown clock, `ERRNO_FAULT` when the result is out of memory.
fn clock_res_get(mem: &mut GuestMem, id: u32, out: u32) -> Result<(), Errno> {
    if id > CLOCK_THREAD_CPUTIME {
        return Err(ERRNO_INVAL);
    }
    mem.write_u64(out, 1)
}

/// `clock_time_get(id: clockid, precision: u64, result.time: u32) -> errno`
///
/// Writes the time of clock `id` in nanoseconds (u64) at `result.time`: since the Unix epoch
/// for realtime, since an arbitrary fixed point in this process for monotonic, CPU time used for
/// the CPU-time clocks. `precision` is ignored.
///
/// Errors: `ERRNO_INVAL` for an unknown clock, `ERRNO_FAULT` when the result is out of memory.
fn clock_time_get(mem: &mut GuestMem, id: u32, _precision: u64, out: u32) -> Result<(), Errno> {
    mem.write_u64(out, now(id).ok_or(ERRNO_INVAL)?)
}

/// The time of a WASI clock in nanoseconds, `None` for an unknown clock.
pub(crate) fn now(id: u32) -> Option<u64> {
    Some(match id {
        CLOCK_REALTIME => SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .unwrap_or_default()
            .as_nanos() as u64,
        CLOCK_MONOTONIC => monotonic_nanos(),
        CLOCK_PROCESS_CPUTIME => cpu_time(false).unwrap_or_else(monotonic_nanos),
        CLOCK_THREAD_CPUTIME => cpu_time(true).unwrap_or_else(monotonic_nanos),
        _ => return None,
    })
}

fn monotonic_nanos() -> u64 {
    static BASE: OnceLock<Instant> = OnceLock::new();
    BASE.get_or_init(Instant::now).elapsed().as_nanos() as u64
}

/// CPU time read from Linux's `/proc/{self,thread-self}/schedstat` (first field: nanoseconds on
/// the CPU) — safe code, no libc bindings. The process figure is its main thread's. Where the
/// file is missing, the CPU-time clocks fall back to the monotonic clock.
fn cpu_time(thread: bool) -> Option<u64> {
    let path = if thread {
        "/proc/thread-self/schedstat"
    } else {
        "/proc/self/schedstat"
    };
    let text = std::fs::read_to_string(path).ok()?;
    text.split_whitespace().next()?.parse().ok()
}

/// `poll_oneoff(in: u32, out: u32, nsubscriptions: u32, result.nevents: u32) -> errno`
///
/// Waits until at least one of the `nsubscriptions` subscriptions at `in` is ready, writes one
/// event per ready subscription at `out`, and their count (u32) at `result.nevents`.
///
/// `subscription` (48 bytes): `userdata: u64` at 0, `tag: u8` at 8 (0 clock, 1 fd_read,
/// 2 fd_write), then for a clock `id: u32` at 16, `timeout: u64` at 24, `precision: u64` at 32,
/// `flags: u16` at 40 (1 = timeout is absolute); for an fd `fd: u32` at 16.
///
/// `event` (32 bytes): `userdata: u64` at 0, `error: u16` at 8, `type: u8` at 10, and for fd
/// events `nbytes: u64` at 16, `flags: u16` at 24.
///
/// Clock subscriptions sleep until the earliest deadline. Fd subscriptions are reported ready at
/// once (`nbytes` = bytes left to read in a file, else 0), and then nothing sleeps; a bad fd
/// gives an event with `error` = `ERRNO_BADF`, an unknown clock one with `ERRNO_INVAL`.
///
/// Errors: `ERRNO_INVAL` when `nsubscriptions` is 0 or a tag is unknown, `ERRNO_FAULT` when an
/// array or the result is out of memory.
fn poll_oneoff(
    ctx: &mut WasiCtx,
    mem: &mut GuestMem,
    subs: u32,
    events: u32,
    count: u32,
    nevents: u32,
) -> Result<(), Errno> {
    if count == 0 {
        return Err(ERRNO_INVAL);
    }
    let bytes = |size: u32| count.checked_mul(size).ok_or(ERRNO_FAULT);
    mem.slice(subs, bytes(SUBSCRIPTION_SIZE)?)?;
    mem.slice(events, bytes(EVENT_SIZE)?)?;
    mem.slice(nevents, 4)?;

    let start = Instant::now();
    // (userdata, error, type, nbytes) of events ready now, and (userdata, wait) of the clocks.
    let mut ready: Vec<(u64, Errno, u8, u64)> = Vec::new();
    let mut clocks: Vec<(u64, Duration)> = Vec::new();
    for i in 0..count {
        let sub = subs + i * SUBSCRIPTION_SIZE;
        let userdata = mem.read_u64(sub)?;
        let tag = mem.slice(sub + 8, 1)?[0];
        match tag {
            EVENTTYPE_CLOCK => {
                let id = mem.read_u32(sub + 16)?;
                let timeout = mem.read_u64(sub + 24)?;
                let flags = mem.read_u16(sub + 40)?;
                match now(id) {
                    None => ready.push((userdata, ERRNO_INVAL, tag, 0)),
                    Some(t) => {
                        let wait = if flags & SUBCLOCKFLAGS_ABSTIME != 0 {
                            timeout.saturating_sub(t)
                        } else {
                            timeout
                        };
                        clocks.push((userdata, Duration::from_nanos(wait)));
                    }
                }
            }
            EVENTTYPE_FD_READ | EVENTTYPE_FD_WRITE => {
                let fd = mem.read_u32(sub + 16)?;
                match ctx.fds.poll_ready(fd, tag == EVENTTYPE_FD_READ) {
                    Ok(nbytes) => ready.push((userdata, super::ERRNO_SUCCESS, tag, nbytes)),
                    Err(e) => ready.push((userdata, e, tag, 0)),
                }
            }
            _ => return Err(ERRNO_INVAL),
        }
    }
    let mut elapsed = start.elapsed();
    if ready.is_empty() {
        let earliest = clocks.iter().map(|c| c.1).min().unwrap_or_default();
        if let Some(rest) = earliest.checked_sub(elapsed) {
            std::thread::sleep(rest);
        }
        elapsed = start.elapsed().max(earliest);
    }
    for (userdata, wait) in clocks {
        if wait <= elapsed {
            ready.push((userdata, super::ERRNO_SUCCESS, EVENTTYPE_CLOCK, 0));
        }
    }
    for (i, (userdata, error, tag, nbytes)) in ready.iter().enumerate() {
        let mut event = [0u8; EVENT_SIZE as usize];
        event[0..8].copy_from_slice(&userdata.to_le_bytes());
        event[8..10].copy_from_slice(&error.0.to_le_bytes());
        event[10] = *tag;
        event[16..24].copy_from_slice(&nbytes.to_le_bytes());
        mem.write(events + i as u32 * EVENT_SIZE, &event)?;
    }
    mem.write_u32(nevents, ready.len() as u32)
}

/// `sched_yield() -> errno`
///
/// Yields the host thread. Always succeeds.
fn sched_yield() -> i32 {
    std::thread::yield_now();
    0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wasi::{WasiCtxBuilder, ERRNO_BADF};

    #[test]
    fn clocks() {
        let mut bytes = vec![0u8; 16];
        let mut mem = GuestMem::new(&mut bytes);
        for id in 0..4 {
            assert_eq!(clock_res_get(&mut mem, id, 0), Ok(()));
            assert_eq!(clock_time_get(&mut mem, id, 0, 8), Ok(()));
        }
        assert_eq!(clock_time_get(&mut mem, 4, 0, 0), Err(ERRNO_INVAL));
        assert_eq!(clock_res_get(&mut mem, 9, 0), Err(ERRNO_INVAL));
        assert_eq!(clock_time_get(&mut mem, 0, 0, 9), Err(ERRNO_FAULT));
        clock_time_get(&mut mem, CLOCK_REALTIME, 0, 0).unwrap();
        // After 2020-01-01.
        assert!(mem.read_u64(0).unwrap() > 1_577_836_800_000_000_000);
        let a = now(CLOCK_MONOTONIC).unwrap();
        let b = now(CLOCK_MONOTONIC).unwrap();
        assert!(b >= a);
    }

    fn clock_sub(mem: &mut GuestMem, at: u32, userdata: u64, nanos: u64) {
        mem.write_u64(at, userdata).unwrap();
        mem.write(at + 8, &[EVENTTYPE_CLOCK]).unwrap();
        mem.write_u32(at + 16, CLOCK_MONOTONIC).unwrap();
        mem.write_u64(at + 24, nanos).unwrap();
    }

    #[test]
    fn poll_sleeps_until_the_earliest_clock() {
        let mut ctx = WasiCtxBuilder::new().build().unwrap();
        let mut bytes = vec![0u8; 512];
        let mut mem = GuestMem::new(&mut bytes);
        clock_sub(&mut mem, 0, 11, 20_000_000);
        clock_sub(&mut mem, 48, 22, 5_000_000_000);
        let start = Instant::now();
        poll_oneoff(&mut ctx, &mut mem, 0, 200, 2, 500).unwrap();
        let took = start.elapsed();
        assert!(took >= Duration::from_millis(20) && took < Duration::from_secs(4));
        assert_eq!(mem.read_u32(500), Ok(1));
        assert_eq!(mem.read_u64(200), Ok(11));
        assert_eq!(mem.read_u16(208), Ok(0));
    }

    #[test]
    fn poll_reports_fds_at_once() {
        let mut ctx = WasiCtxBuilder::new().build().unwrap();
        let mut bytes = vec![0u8; 512];
        let mut mem = GuestMem::new(&mut bytes);
        clock_sub(&mut mem, 0, 1, 5_000_000_000);
        mem.write_u64(48, 2).unwrap();
        mem.write(56, &[EVENTTYPE_FD_WRITE]).unwrap();
        mem.write_u32(64, 1).unwrap();
        mem.write_u64(96, 3).unwrap();
        mem.write(104, &[EVENTTYPE_FD_READ]).unwrap();
        mem.write_u32(112, 99).unwrap();
        let start = Instant::now();
        poll_oneoff(&mut ctx, &mut mem, 0, 200, 3, 500).unwrap();
        assert!(start.elapsed() < Duration::from_secs(2));
        assert_eq!(mem.read_u32(500), Ok(2));
        assert_eq!(mem.read_u64(200), Ok(2));
        assert_eq!(mem.slice(210, 1), Ok(&[EVENTTYPE_FD_WRITE][..]));
        assert_eq!(mem.read_u64(232), Ok(3));
        assert_eq!(mem.read_u16(240), Ok(ERRNO_BADF.0));
    }

    #[test]
    fn poll_rejects_bad_input() {
        let mut ctx = WasiCtxBuilder::new().build().unwrap();
        let mut bytes = vec![0u8; 128];
        let mut mem = GuestMem::new(&mut bytes);
        assert_eq!(
            poll_oneoff(&mut ctx, &mut mem, 0, 64, 0, 120),
            Err(ERRNO_INVAL)
        );
        assert_eq!(
            poll_oneoff(&mut ctx, &mut mem, 0, 64, 3, 120),
            Err(ERRNO_FAULT)
        );
        mem.write(8, &[9]).unwrap();
        assert_eq!(
            poll_oneoff(&mut ctx, &mut mem, 0, 64, 1, 120),
            Err(ERRNO_INVAL)
        );
    }
}
