//! Process: arguments, environment variables and `proc_exit`.

use super::mem::GuestMem;
use super::{with_ctx, Errno, I32Exit, WasiCtx, ERRNO_FAULT, MODULE};
use crate::{Caller, Linker, Trap};

pub(super) fn add_to_linker<T>(
    linker: &mut Linker<T>,
    get: impl Fn(&mut T) -> &mut WasiCtx + Send + Sync + Copy + 'static,
) {
    linker.func_wrap(
        MODULE,
        "args_get",
        move |mut c: Caller<'_, T>, argv: u32, buf: u32| {
            with_ctx(&mut c, get, |ctx, mem| args_get(ctx, mem, argv, buf))
        },
    );
    linker.func_wrap(
        MODULE,
        "args_sizes_get",
        move |mut c: Caller<'_, T>, count: u32, size: u32| {
            with_ctx(&mut c, get, |ctx, mem| {
                args_sizes_get(ctx, mem, count, size)
            })
        },
    );
    linker.func_wrap(
        MODULE,
        "environ_get",
        move |mut c: Caller<'_, T>, environ: u32, buf: u32| {
            with_ctx(&mut c, get, |ctx, mem| environ_get(ctx, mem, environ, buf))
        },
    );
    linker.func_wrap(
        MODULE,
        "environ_sizes_get",
        move |mut c: Caller<'_, T>, count: u32, size: u32| {
            with_ctx(&mut c, get, |ctx, mem| {
                environ_sizes_get(ctx, mem, count, size)
            })
        },
    );
    linker.func_wrap(MODULE, "proc_exit", |_: Caller<'_, T>, code: i32| {
        proc_exit(code)
    });
}

/// `args_get(argv: u32, argv_buf: u32) -> errno`
///
/// Writes the arguments as NUL-terminated strings one after another at `argv_buf`, and a
/// pointer to each (u32, little-endian) into the array at `argv`. Size both buffers with
/// [`args_sizes_get`] first. For args `["a", "bc"]`, `argv` gets `[argv_buf, argv_buf + 2]`
/// and `argv_buf` gets `a\0bc\0`.
///
/// Errors: `ERRNO_FAULT` when either buffer does not fit in memory.
fn args_get(ctx: &WasiCtx, mem: &mut GuestMem, argv: u32, buf: u32) -> Result<(), Errno> {
    write_strings(mem, &ctx.args, argv, buf)
}

/// `args_sizes_get(result.argc: u32, result.argv_len: u32) -> errno`
///
/// Writes the number of arguments (u32) at `result.argc` and the total size of their
/// NUL-terminated bytes (u32) at `result.argv_len`. For `["a", "bc"]`: 2 and 5.
///
/// Errors: `ERRNO_FAULT` when a result pointer is out of memory.
fn args_sizes_get(ctx: &WasiCtx, mem: &mut GuestMem, count: u32, size: u32) -> Result<(), Errno> {
    write_sizes(mem, &ctx.args, count, size)
}

/// `environ_get(environ: u32, environ_buf: u32) -> errno`
///
/// Like [`args_get`] for the environment: each entry is the NUL-terminated string `KEY=value`,
/// and `environ` gets a u32 pointer to each.
///
/// Errors: `ERRNO_FAULT` when either buffer does not fit in memory.
fn environ_get(ctx: &WasiCtx, mem: &mut GuestMem, environ: u32, buf: u32) -> Result<(), Errno> {
    write_strings(mem, &ctx.env, environ, buf)
}

/// `environ_sizes_get(result.environc: u32, result.environv_len: u32) -> errno`
///
/// Writes the number of environment entries (u32) and the total size of their NUL-terminated
/// `KEY=value` strings (u32).
///
/// Errors: `ERRNO_FAULT` when a result pointer is out of memory.
fn environ_sizes_get(
    ctx: &WasiCtx,
    mem: &mut GuestMem,
    count: u32,
    size: u32,
) -> Result<(), Errno> {
    write_sizes(mem, &ctx.env, count, size)
}

/// `proc_exit(rval: u32)` (no result)
///
/// Ends the running call with a trap carrying [`I32Exit`]`(rval)`; the embedder reads the code
/// with [`super::exit_code`]. Nothing in the guest runs afterwards.
fn proc_exit(code: i32) -> Result<(), Trap> {
    Err(Trap::host(I32Exit(code)))
}

fn write_strings(
    mem: &mut GuestMem,
    strings: &[String],
    mut ptrs: u32,
    mut buf: u32,
) -> Result<(), Errno> {
    for s in strings {
        mem.write_u32(ptrs, buf)?;
        mem.write(buf, s.as_bytes())?;
        let end = buf.checked_add(s.len() as u32).ok_or(ERRNO_FAULT)?;
        mem.write(end, &[0])?;
        ptrs = ptrs.checked_add(4).ok_or(ERRNO_FAULT)?;
        buf = end + 1;
    }
    Ok(())
}

fn write_sizes(mem: &mut GuestMem, strings: &[String], count: u32, size: u32) -> Result<(), Errno> {
    let total: usize = strings.iter().map(|s| s.len() + 1).sum();
    mem.write_u32(count, strings.len() as u32)?;
    mem.write_u32(size, total as u32)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wasi::WasiCtxBuilder;

    #[test]
    fn args_layout() {
        let ctx = WasiCtxBuilder::new().args(["a", "bc"]).build().unwrap();
        let mut bytes = vec![0xaau8; 64];
        let mut mem = GuestMem::new(&mut bytes);
        args_sizes_get(&ctx, &mut mem, 0, 4).unwrap();
        assert_eq!((mem.read_u32(0), mem.read_u32(4)), (Ok(2), Ok(5)));
        args_get(&ctx, &mut mem, 8, 32).unwrap();
        assert_eq!((mem.read_u32(8), mem.read_u32(12)), (Ok(32), Ok(34)));
        assert_eq!(mem.slice(32, 5), Ok(&b"a\0bc\0"[..]));
        assert_eq!(args_get(&ctx, &mut mem, 8, 60), Err(ERRNO_FAULT));
        assert_eq!(args_get(&ctx, &mut mem, u32::MAX - 2, 32), Err(ERRNO_FAULT));
    }

    #[test]
    fn environ_layout() {
        let ctx = WasiCtxBuilder::new().env("K", "v").build().unwrap();
        let mut bytes = vec![0u8; 32];
        let mut mem = GuestMem::new(&mut bytes);
        environ_sizes_get(&ctx, &mut mem, 0, 4).unwrap();
        assert_eq!((mem.read_u32(0), mem.read_u32(4)), (Ok(1), Ok(4)));
        environ_get(&ctx, &mut mem, 8, 16).unwrap();
        assert_eq!(mem.read_u32(8), Ok(16));
        assert_eq!(mem.slice(16, 4), Ok(&b"K=v\0"[..]));
    }

    #[test]
    fn exit_is_a_trap_with_the_code() {
        let trap = proc_exit(7).unwrap_err();
        assert_eq!(crate::wasi::trap_exit_code(&trap), Some(7));
    }
}
