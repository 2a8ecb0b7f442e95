//! Rights: the sets `fd_fdstat_get` reports for each kind of descriptor (wasmtime's), the rights
//! a guest takes away with `fd_fdstat_set_rights`, and those two calls.
//!
//! Only rights taken away are enforced (by `FdTable::require` and `path_open`), so a guest
//! that never calls `fd_fdstat_set_rights` sees wasmtime's behaviour; `docs/wasi.md` says why
//! requested rights beyond the reported sets are not refused.

use super::fd::{FdEntry, FdTable, Input, Output};
use super::mem::GuestMem;
use super::*;

/// The base rights `fd_fdstat_get` reports for a preopened directory (as wasmtime does): what
/// can be done *through* a directory — the `path_*` calls, listing it, its own times and
/// status — and never `fd_read`, `fd_write` or `fd_seek`.
pub(crate) const RIGHTS_PREOPEN_BASE: u64 = RIGHTS_PATH_CREATE_DIRECTORY
    | RIGHTS_PATH_CREATE_FILE
    | RIGHTS_PATH_LINK_SOURCE
    | RIGHTS_PATH_LINK_TARGET
    | RIGHTS_PATH_OPEN
    | RIGHTS_FD_READDIR
    | RIGHTS_PATH_READLINK
    | RIGHTS_PATH_RENAME_SOURCE
    | RIGHTS_PATH_RENAME_TARGET
    | RIGHTS_PATH_FILESTAT_GET
    | RIGHTS_PATH_FILESTAT_SET_TIMES
    | RIGHTS_FD_FILESTAT_GET
    | RIGHTS_FD_FILESTAT_SET_TIMES
    | RIGHTS_PATH_SYMLINK
    | RIGHTS_PATH_REMOVE_DIRECTORY
    | RIGHTS_PATH_UNLINK_FILE;

/// The inheriting rights of a preopened directory: its base rights plus those of the files
/// opened under it (read, write, seek, sizes, sync, advice, polling).
pub(crate) const RIGHTS_PREOPEN_INHERITING: u64 = RIGHTS_PREOPEN_BASE
    | RIGHTS_FD_DATASYNC
    | RIGHTS_FD_READ
    | RIGHTS_FD_SEEK
    | RIGHTS_FD_FDSTAT_SET_FLAGS
    | RIGHTS_FD_SYNC
    | RIGHTS_FD_TELL
    | RIGHTS_FD_WRITE
    | RIGHTS_FD_ADVISE
    | RIGHTS_FD_ALLOCATE
    | RIGHTS_FD_FILESTAT_SET_SIZE
    | RIGHTS_POLL_FD_READWRITE;

/// The rights of a directory opened with `path_open` (base and inheriting alike): every right
/// but those no directory can have — seek, write and setting a size.
pub(crate) const RIGHTS_DIR: u64 = RIGHTS_ALL
    & !(RIGHTS_FD_SEEK
        | RIGHTS_FD_WRITE
        | RIGHTS_PATH_FILESTAT_SET_SIZE
        | RIGHTS_FD_FILESTAT_SET_SIZE);

/// Every `path_*` right: what only a directory can do.
pub(crate) const RIGHTS_PATH_ALL: u64 = RIGHTS_PATH_CREATE_DIRECTORY
    | RIGHTS_PATH_CREATE_FILE
    | RIGHTS_PATH_LINK_SOURCE
    | RIGHTS_PATH_LINK_TARGET
    | RIGHTS_PATH_OPEN
    | RIGHTS_PATH_READLINK
    | RIGHTS_PATH_RENAME_SOURCE
    | RIGHTS_PATH_RENAME_TARGET
    | RIGHTS_PATH_FILESTAT_GET
    | RIGHTS_PATH_FILESTAT_SET_SIZE
    | RIGHTS_PATH_FILESTAT_SET_TIMES
    | RIGHTS_PATH_SYMLINK
    | RIGHTS_PATH_REMOVE_DIRECTORY
    | RIGHTS_PATH_UNLINK_FILE;

/// The rights of an open file (base and inheriting alike): wasmtime's — every right, less
/// reading (and listing) when it was not opened for reading, less writing when not opened for
/// writing — but without the `path_*` rights, which the conformance suite's `path_filestat`
/// requires a file never to have.
pub(crate) const fn file_rights(read: bool, write: bool) -> u64 {
    let mut rights = RIGHTS_ALL & !RIGHTS_PATH_ALL;
    if !read {
        rights &= !(RIGHTS_FD_READ | RIGHTS_FD_READDIR);
    }
    if !write {
        rights &= !RIGHTS_FD_WRITE;
    }
    rights
}

/// Rights the guest took away from a descriptor with `fd_fdstat_set_rights`, or that it
/// inherited as taken away from the directory it was opened from. A descriptor's rights are
/// those of its kind (see `fd_fdstat_get`) less these; only these are ever enforced, so a
/// guest that drops no right sees exactly wasmtime's behaviour.
#[derive(Clone, Copy, Default, Debug, PartialEq, Eq)]
pub(crate) struct Dropped {
    pub(crate) base: u64,
    pub(crate) inheriting: u64,
}

/// `fd_fdstat_get(fd, result.stat: u32) -> errno`
///
/// Writes an `fdstat` (24 bytes) at `result.stat`: `fs_filetype: u8` at 0, `fs_flags: u16` at 2
/// (1 append, 4 nonblock), `fs_rights_base: u64` at 8, `fs_rights_inheriting: u64` at 16.
///
/// The rights are those the object can have, as wasmtime reports them (see `docs/wasi.md`):
/// a preopened directory [`RIGHTS_PREOPEN_BASE`] and [`RIGHTS_PREOPEN_INHERITING`], another
/// directory [`RIGHTS_DIR`], a file every right but the `path_*` ones, less
/// `fd_read`/`fd_readdir` or `fd_write` when it is not open for reading or writing
/// ([`file_rights`]), stdin `fd_read` and stdout/stderr
/// `fd_write` only — less what the guest took away ([`fd_fdstat_set_rights`]). A stream is a
/// character device when it is the host's terminal (so
/// wasi-libc's `isatty` answers as the host's would), else of unknown type.
///
/// Errors: `ERRNO_BADF`, `ERRNO_FAULT` when the result is out of memory.
pub(super) fn fd_fdstat_get(
    ctx: &mut WasiCtx,
    mem: &mut GuestMem,
    fd: u32,
    out: u32,
) -> Result<(), Errno> {
    let (filetype, flags, base, inheriting) = fdstat(&ctx.fds, fd)?;
    let mut stat = [0u8; 24];
    stat[0] = filetype;
    stat[2..4].copy_from_slice(&flags.to_le_bytes());
    stat[8..16].copy_from_slice(&base.to_le_bytes());
    stat[16..24].copy_from_slice(&inheriting.to_le_bytes());
    mem.write(out, &stat)
}

/// The file type, flags, base and inheriting rights of `fd` (see [`fd_fdstat_get`]).
pub(crate) fn fdstat(fds: &FdTable, fd: u32) -> Result<(u8, u16, u64, u64), Errno> {
    let (entry, dropped) = (fds.get(fd)?, fds.dropped(fd)?);
    let (filetype, flags, base, inheriting) = match entry {
        FdEntry::Stdin(_) => (stdio_filetype(entry), 0, RIGHTS_FD_READ, RIGHTS_FD_READ),
        FdEntry::Stdout(_) | FdEntry::Stderr(_) => {
            (stdio_filetype(entry), 0, RIGHTS_FD_WRITE, RIGHTS_FD_WRITE)
        }
        FdEntry::File(f) => {
            let rights = file_rights(f.read, f.write);
            (FILETYPE_REGULAR_FILE, f.flags(), rights, rights)
        }
        FdEntry::Dir(d) if d.preopen.is_some() => (
            FILETYPE_DIRECTORY,
            0,
            RIGHTS_PREOPEN_BASE,
            RIGHTS_PREOPEN_INHERITING,
        ),
        FdEntry::Dir(_) => (FILETYPE_DIRECTORY, 0, RIGHTS_DIR, RIGHTS_DIR),
    };
    Ok((
        filetype,
        flags,
        base & !dropped.base,
        inheriting & !dropped.inheriting,
    ))
}

/// The file type of a standard stream: a character device when it is the host's terminal.
pub(crate) fn stdio_filetype(entry: &FdEntry) -> u8 {
    use std::io::IsTerminal;
    let tty = match entry {
        FdEntry::Stdin(Input::Inherit) => std::io::stdin().is_terminal(),
        FdEntry::Stdout(Output::Inherit) => std::io::stdout().is_terminal(),
        FdEntry::Stderr(Output::Inherit) => std::io::stderr().is_terminal(),
        _ => false,
    };
    if tty {
        FILETYPE_CHARACTER_DEVICE
    } else {
        FILETYPE_UNKNOWN
    }
}

/// `fd_fdstat_set_rights(fd, fs_rights_base: u64, fs_rights_inheriting: u64) -> errno`
///
/// Takes rights away from a descriptor: afterwards `fd_fdstat_get` reports `fs_rights_base`
/// and `fs_rights_inheriting`, a call that needs a base right taken away fails
/// (`ERRNO_BADF` for `fd_read`/`fd_write` and their positioned forms, `ERRNO_NOTCAPABLE` for
/// the rest), and what `path_open` opens under a directory lacks its inheriting rights taken
/// away. Rights can never be given back. (wasmtime answers `ERRNO_NOTSUP` here.)
///
/// Errors: `ERRNO_BADF`, `ERRNO_NOTCAPABLE` when a right not held is asked for.
pub(super) fn fd_fdstat_set_rights(
    ctx: &mut WasiCtx,
    _: &mut GuestMem,
    fd: u32,
    base: u64,
    inheriting: u64,
) -> Result<(), Errno> {
    let (_, _, held_base, held_inheriting) = fdstat(&ctx.fds, fd)?;
    if base & !held_base != 0 || inheriting & !held_inheriting != 0 {
        return Err(ERRNO_NOTCAPABLE);
    }
    ctx.fds
        .drop_rights(fd, held_base & !base, held_inheriting & !inheriting)
}
