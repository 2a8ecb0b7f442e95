//! The `sock_*` calls. regwasm hands out no sockets (preview 1 cannot create one, and no
//! listening socket is ever preopened), so every open descriptor is "not a socket".

use super::mem::GuestMem;
use super::{with_ctx, Errno, WasiCtx, ERRNO_NOTSOCK, MODULE};
use crate::{Caller, Linker};

pub(super) fn add_to_linker<T>(
    linker: &mut Linker<T>,
    get: impl Fn(&mut T) -> &mut WasiCtx + Send + Sync + Copy + 'static,
) {
    linker.func_wrap(
        MODULE,
        "sock_accept",
        move |mut c: Caller<'_, T>, fd: u32, _flags: u32, _out: u32| {
            with_ctx(&mut c, get, |ctx, mem| not_a_socket(ctx, mem, fd))
        },
    );
    linker.func_wrap(
        MODULE,
        "sock_recv",
        move |mut c: Caller<'_, T>,
              fd: u32,
              _iovs: u32,
              _n: u32,
              _flags: u32,
              _len: u32,
              _oflags: u32| {
            with_ctx(&mut c, get, |ctx, mem| not_a_socket(ctx, mem, fd))
        },
    );
    linker.func_wrap(
        MODULE,
        "sock_send",
        move |mut c: Caller<'_, T>, fd: u32, _iovs: u32, _n: u32, _flags: u32, _len: u32| {
            with_ctx(&mut c, get, |ctx, mem| not_a_socket(ctx, mem, fd))
        },
    );
    linker.func_wrap(
        MODULE,
        "sock_shutdown",
        move |mut c: Caller<'_, T>, fd: u32, _how: u32| {
            with_ctx(&mut c, get, |ctx, mem| not_a_socket(ctx, mem, fd))
        },
    );
}

/// `sock_accept(fd, flags: u16, result.fd: u32) -> errno`,
/// `sock_recv(fd, ri_data: u32, ri_data_len: u32, ri_flags: u16, result.datalen: u32,
/// result.flags: u32) -> errno`, `sock_send(fd, si_data: u32, si_data_len: u32, si_flags: u16,
/// result.datalen: u32) -> errno` and `sock_shutdown(fd, how: u8) -> errno`.
///
/// Errors: `ERRNO_BADF` when `fd` is not open, else `ERRNO_NOTSOCK`.
fn not_a_socket(ctx: &mut WasiCtx, _: &mut GuestMem, fd: u32) -> Result<(), Errno> {
    ctx.fds.get(fd)?;
    Err(ERRNO_NOTSOCK)
}
