//! The descriptor table and the `fd_*` functions.

use super::mem::GuestMem;
use super::path::DirFd;
pub(crate) use super::rights::Dropped;
use super::rights::{fd_fdstat_get, fd_fdstat_set_rights, stdio_filetype};
use super::*;
use std::fs::{File, Metadata};
use std::io::{Read, Seek, SeekFrom, Write};
use std::time::SystemTime;

/// Open descriptors past this count fail with `ERRNO_MFILE`.
const MAX_FDS: usize = 4096;

const WHENCE_SET: u32 = 0;
const WHENCE_CUR: u32 = 1;
const WHENCE_END: u32 = 2;

const FSTFLAGS_ATIM: u16 = 1;
const FSTFLAGS_ATIM_NOW: u16 = 2;
const FSTFLAGS_MTIM: u16 = 4;
const FSTFLAGS_MTIM_NOW: u16 = 8;

/// Size of a `dirent` header; the name follows it.
const DIRENT_SIZE: usize = 24;

/// Where a guest's stdin comes from.
#[derive(Default)]
pub(crate) enum Input {
    /// Always at end of file.
    #[default]
    Null,
    Inherit,
    Bytes(std::io::Cursor<Vec<u8>>),
}

/// Where a guest's stdout or stderr goes.
#[derive(Default)]
pub(crate) enum Output {
    /// Discarded.
    #[default]
    Null,
    Inherit,
    /// Appended to the context's buffer for this stream.
    Capture,
}

/// An open regular file. The guest may read it when `read` says so and write it when `write`
/// does (the host file may have write access beyond that, to create or truncate it). It is
/// never opened in the host's append mode: `append` is applied on each write, so that
/// `fd_fdstat_set_flags` can switch it.
pub(crate) struct FileFd {
    pub(crate) file: File,
    pub(crate) read: bool,
    pub(crate) write: bool,
    pub(crate) append: bool,
    /// Only remembered and reported: reads and writes of regular files never block long.
    pub(crate) nonblock: bool,
}

impl FileFd {
    pub(crate) fn flags(&self) -> u16 {
        let mut flags = 0;
        if self.append {
            flags |= FDFLAGS_APPEND;
        }
        if self.nonblock {
            flags |= FDFLAGS_NONBLOCK;
        }
        flags
    }

    /// The file for reading: `ERRNO_BADF` when it was not opened for reading.
    fn readable(&mut self) -> Result<&mut File, Errno> {
        if self.read {
            Ok(&mut self.file)
        } else {
            Err(ERRNO_BADF)
        }
    }

    /// The file for writing, positioned at its end in append mode: `ERRNO_BADF` when it was
    /// not opened for writing.
    fn writable(&mut self) -> Result<&mut File, Errno> {
        if !self.write {
            return Err(ERRNO_BADF);
        }
        if self.append {
            self.file.seek(SeekFrom::End(0))?;
        }
        Ok(&mut self.file)
    }
}

pub(crate) enum FdEntry {
    Stdin(Input),
    Stdout(Output),
    Stderr(Output),
    File(FileFd),
    Dir(DirFd),
}

/// One open descriptor.
struct Slot {
    entry: FdEntry,
    dropped: Dropped,
}

/// Open descriptors by number; a closed one leaves a hole that the next open reuses.
#[derive(Default)]
pub(crate) struct FdTable {
    entries: Vec<Option<Slot>>,
}

impl FdTable {
    /// Adds an entry with all its rights at the lowest free number.
    pub(crate) fn push(&mut self, entry: FdEntry) -> Result<u32, Errno> {
        self.push_with(entry, Dropped::default())
    }

    /// Adds an entry without the `dropped` rights at the lowest free number.
    pub(crate) fn push_with(&mut self, entry: FdEntry, dropped: Dropped) -> Result<u32, Errno> {
        let slot = Some(Slot { entry, dropped });
        if let Some(i) = self.entries.iter().position(Option::is_none) {
            self.entries[i] = slot;
            return Ok(i as u32);
        }
        if self.entries.len() >= MAX_FDS {
            return Err(ERRNO_MFILE);
        }
        self.entries.push(slot);
        Ok(self.entries.len() as u32 - 1)
    }

    fn slot(&self, fd: u32) -> Result<&Slot, Errno> {
        self.entries
            .get(fd as usize)
            .and_then(Option::as_ref)
            .ok_or(ERRNO_BADF)
    }

    pub(crate) fn get(&self, fd: u32) -> Result<&FdEntry, Errno> {
        Ok(&self.slot(fd)?.entry)
    }

    pub(crate) fn get_mut(&mut self, fd: u32) -> Result<&mut FdEntry, Errno> {
        self.entries
            .get_mut(fd as usize)
            .and_then(Option::as_mut)
            .map(|slot| &mut slot.entry)
            .ok_or(ERRNO_BADF)
    }

    /// The rights taken away from `fd`.
    pub(crate) fn dropped(&self, fd: u32) -> Result<Dropped, Errno> {
        Ok(self.slot(fd)?.dropped)
    }

    /// `ERRNO_NOTCAPABLE` when `right` was taken away from `fd`, `ERRNO_BADF` when it is not
    /// open.
    pub(crate) fn require(&self, fd: u32, right: u64) -> Result<(), Errno> {
        if self.slot(fd)?.dropped.base & right != 0 {
            return Err(ERRNO_NOTCAPABLE);
        }
        Ok(())
    }

    /// `ERRNO_BADF` when `right` (`fd_read` or `fd_write`) was taken away from `fd`: reading
    /// or writing without the right fails as a descriptor opened without that access mode.
    fn require_access(&self, fd: u32, right: u64) -> Result<(), Errno> {
        if self.slot(fd)?.dropped.base & right != 0 {
            return Err(ERRNO_BADF);
        }
        Ok(())
    }

    /// Takes `base` and `inheriting` rights away from `fd` for good.
    pub(crate) fn drop_rights(&mut self, fd: u32, base: u64, inheriting: u64) -> Result<(), Errno> {
        let slot = self
            .entries
            .get_mut(fd as usize)
            .and_then(Option::as_mut)
            .ok_or(ERRNO_BADF)?;
        slot.dropped.base |= base;
        slot.dropped.inheriting |= inheriting;
        Ok(())
    }

    /// The directory at `fd` for a `path_*` call that needs `right`.
    pub(crate) fn dir_for(&self, fd: u32, right: u64) -> Result<&DirFd, Errno> {
        let dir = self.dir(fd)?;
        self.require(fd, right)?;
        Ok(dir)
    }

    /// The directory open at `fd`: `ERRNO_NOTDIR` for a file, `ERRNO_BADF` for a stream (as
    /// wasmtime).
    pub(crate) fn dir(&self, fd: u32) -> Result<&DirFd, Errno> {
        match self.get(fd)? {
            FdEntry::Dir(d) => Ok(d),
            FdEntry::File(_) => Err(ERRNO_NOTDIR),
            _ => Err(ERRNO_BADF),
        }
    }

    /// The file open at `fd` for calls that need a position: `ERRNO_BADF` for a directory,
    /// `ERRNO_SPIPE` for a stream.
    fn seekable(&mut self, fd: u32) -> Result<&mut FileFd, Errno> {
        match self.get_mut(fd)? {
            FdEntry::File(f) => Ok(f),
            FdEntry::Dir(_) => Err(ERRNO_BADF),
            _ => Err(ERRNO_SPIPE),
        }
    }

    /// The file open at `fd` for calls that only a regular file supports: `ERRNO_BADF` for a
    /// directory or a stream.
    fn file(&mut self, fd: u32) -> Result<&mut FileFd, Errno> {
        match self.get_mut(fd)? {
            FdEntry::File(f) => Ok(f),
            _ => Err(ERRNO_BADF),
        }
    }

    /// Moves the entry at `from` to `to`, closing what was open there.
    pub(crate) fn renumber(&mut self, from: u32, to: u32) -> Result<(), Errno> {
        self.get(from)?;
        self.get(to)?;
        if from != to {
            self.entries[to as usize] = self.entries[from as usize].take();
        }
        Ok(())
    }

    /// For `poll_oneoff`: bytes ready to read (what is left of a file), 0 otherwise.
    pub(crate) fn poll_ready(&mut self, fd: u32, read: bool) -> Result<u64, Errno> {
        match self.get_mut(fd)? {
            FdEntry::File(f) if read => {
                let len = f.file.metadata()?.len();
                Ok(len.saturating_sub(f.file.stream_position()?))
            }
            _ => Ok(0),
        }
    }
}

pub(super) fn add_to_linker<T>(
    linker: &mut Linker<T>,
    get: impl Fn(&mut T) -> &mut WasiCtx + Send + Sync + Copy + 'static,
) {
    macro_rules! wrap {
        ($name:ident($($arg:ident: $ty:ty),*)) => {
            linker.func_wrap(MODULE, stringify!($name), move |mut c: Caller<'_, T>, $($arg: $ty),*| {
                with_ctx(&mut c, get, |ctx, mem| $name(ctx, mem, $($arg),*))
            });
        };
    }
    wrap!(fd_advise(fd: u32, offset: u64, len: u64, advice: u32));
    wrap!(fd_allocate(fd: u32, offset: u64, len: u64));
    wrap!(fd_close(fd: u32));
    wrap!(fd_datasync(fd: u32));
    wrap!(fd_fdstat_get(fd: u32, out: u32));
    wrap!(fd_fdstat_set_flags(fd: u32, flags: u32));
    wrap!(fd_fdstat_set_rights(fd: u32, base: u64, inheriting: u64));
    wrap!(fd_filestat_get(fd: u32, out: u32));
    wrap!(fd_filestat_set_size(fd: u32, size: u64));
    wrap!(fd_filestat_set_times(fd: u32, atim: u64, mtim: u64, flags: u32));
    wrap!(fd_pread(fd: u32, iovs: u32, n: u32, offset: u64, out: u32));
    wrap!(fd_prestat_get(fd: u32, out: u32));
    wrap!(fd_prestat_dir_name(fd: u32, path: u32, len: u32));
    wrap!(fd_pwrite(fd: u32, iovs: u32, n: u32, offset: u64, out: u32));
    wrap!(fd_read(fd: u32, iovs: u32, n: u32, out: u32));
    wrap!(fd_readdir(fd: u32, buf: u32, len: u32, cookie: u64, out: u32));
    wrap!(fd_renumber(fd: u32, to: u32));
    wrap!(fd_seek(fd: u32, offset: u64, whence: u32, out: u32));
    wrap!(fd_sync(fd: u32));
    wrap!(fd_tell(fd: u32, out: u32));
    wrap!(fd_write(fd: u32, iovs: u32, n: u32, out: u32));
}

/// `fd_advise(fd, offset: u64, len: u64, advice: u8) -> errno`
///
/// Accepts an access-pattern hint (0 normal … 5 noreuse) for a file and ignores it.
///
/// Errors: `ERRNO_BADF` for a closed fd, a directory or a stream, `ERRNO_INVAL` for an
/// unknown advice.
pub(super) fn fd_advise(
    ctx: &mut WasiCtx,
    _: &mut GuestMem,
    fd: u32,
    _: u64,
    _: u64,
    advice: u32,
) -> Result<(), Errno> {
    ctx.fds.file(fd)?;
    ctx.fds.require(fd, RIGHTS_FD_ADVISE)?;
    if advice > 5 {
        return Err(ERRNO_INVAL);
    }
    Ok(())
}

/// `fd_allocate(fd, offset: u64, len: u64) -> errno`
///
/// Makes the file at least `offset + len` bytes long, as `posix_fallocate` does; never shrinks
/// it. (wasmtime answers `ERRNO_NOTSUP`; the conformance suite accepts both.)
///
/// Errors: `ERRNO_BADF` (also for directories and streams), `ERRNO_FBIG` when the size
/// overflows, `ERRNO_INVAL` when the file is not open for writing, `ERRNO_NOTCAPABLE` when the
/// right was taken away, or the host's error.
pub(super) fn fd_allocate(
    ctx: &mut WasiCtx,
    _: &mut GuestMem,
    fd: u32,
    offset: u64,
    len: u64,
) -> Result<(), Errno> {
    ctx.fds.require(fd, RIGHTS_FD_ALLOCATE)?;
    let f = ctx.fds.file(fd)?;
    let end = offset.checked_add(len).ok_or(ERRNO_FBIG)?;
    if end > i64::MAX as u64 {
        return Err(ERRNO_FBIG);
    }
    if f.file.metadata()?.len() < end {
        if !f.write {
            return Err(ERRNO_INVAL);
        }
        f.file.set_len(end)?;
    }
    Ok(())
}

/// `fd_close(fd) -> errno`
///
/// Closes any descriptor, preopens and stdio included; its number becomes free for reuse.
///
/// Errors: `ERRNO_BADF` when `fd` is not open.
pub(super) fn fd_close(ctx: &mut WasiCtx, _: &mut GuestMem, fd: u32) -> Result<(), Errno> {
    ctx.fds.get(fd)?;
    ctx.fds.entries[fd as usize] = None;
    Ok(())
}

/// `fd_datasync(fd) -> errno`
///
/// Flushes a file's data to storage.
///
/// Errors: `ERRNO_BADF` (also for directories and streams, as wasmtime), or the host's error.
pub(super) fn fd_datasync(ctx: &mut WasiCtx, _: &mut GuestMem, fd: u32) -> Result<(), Errno> {
    ctx.fds.require(fd, RIGHTS_FD_DATASYNC)?;
    ctx.fds.file(fd)?.file.sync_data()?;
    Ok(())
}

/// `fd_sync(fd) -> errno`
///
/// Flushes a file's data and metadata to storage.
///
/// Errors: `ERRNO_BADF` (also for directories and streams, as wasmtime), or the host's error.
pub(super) fn fd_sync(ctx: &mut WasiCtx, _: &mut GuestMem, fd: u32) -> Result<(), Errno> {
    ctx.fds.require(fd, RIGHTS_FD_SYNC)?;
    ctx.fds.file(fd)?.file.sync_all()?;
    Ok(())
}

/// `fd_fdstat_set_flags(fd, flags: u16) -> errno`
///
/// Switches append mode (1) and the non-blocking flag (4) of an open file. The synchronized
/// I/O flags (2 dsync, 8 rsync, 16 sync) cannot be set.
///
/// Errors: `ERRNO_BADF` (also for directories and streams, as wasmtime), `ERRNO_INVAL` for a
/// synchronized I/O flag or an unknown bit.
pub(super) fn fd_fdstat_set_flags(
    ctx: &mut WasiCtx,
    _: &mut GuestMem,
    fd: u32,
    flags: u32,
) -> Result<(), Errno> {
    ctx.fds.require(fd, RIGHTS_FD_FDSTAT_SET_FLAGS)?;
    let f = ctx.fds.file(fd)?;
    if flags & !u32::from(FDFLAGS_APPEND | FDFLAGS_NONBLOCK) != 0 {
        return Err(ERRNO_INVAL);
    }
    f.append = flags & u32::from(FDFLAGS_APPEND) != 0;
    f.nonblock = flags & u32::from(FDFLAGS_NONBLOCK) != 0;
    Ok(())
}

/// `fd_filestat_get(fd, result.buf: u32) -> errno`
///
/// Writes the `filestat` (64 bytes, see [`filestat`]) of the open file or directory at
/// `result.buf`; for stdio, the type `fd_fdstat_get` reports with every other field 0.
///
/// Errors: `ERRNO_BADF`, `ERRNO_FAULT`, or the host's error.
pub(super) fn fd_filestat_get(
    ctx: &mut WasiCtx,
    mem: &mut GuestMem,
    fd: u32,
    out: u32,
) -> Result<(), Errno> {
    ctx.fds.require(fd, RIGHTS_FD_FILESTAT_GET)?;
    let stat = match ctx.fds.get(fd)? {
        FdEntry::File(f) => filestat(&f.file.metadata()?),
        FdEntry::Dir(d) => filestat(&std::fs::metadata(&d.host)?),
        stream => {
            let mut stat = [0u8; 64];
            stat[16] = stdio_filetype(stream);
            stat
        }
    };
    mem.write(out, &stat)
}

/// `fd_filestat_set_size(fd, size: u64) -> errno`
///
/// Truncates or zero-extends the file to `size` bytes.
///
/// Errors: `ERRNO_BADF` (also for directories and streams), `ERRNO_INVAL` when the file is not
/// open for writing (as the host's `ftruncate`), or the host's error.
pub(super) fn fd_filestat_set_size(
    ctx: &mut WasiCtx,
    _: &mut GuestMem,
    fd: u32,
    size: u64,
) -> Result<(), Errno> {
    ctx.fds.require(fd, RIGHTS_FD_FILESTAT_SET_SIZE)?;
    let f = ctx.fds.file(fd)?;
    if !f.write {
        return Err(ERRNO_INVAL);
    }
    f.file.set_len(size)?;
    Ok(())
}

/// `fd_filestat_set_times(fd, atim: u64, mtim: u64, fst_flags: u16) -> errno`
///
/// Sets the access and modification times of an open file, in nanoseconds since the epoch.
/// `fst_flags`: 1 set atime to `atim`, 2 set atime to now, 4 set mtime to `mtim`, 8 set mtime
/// to now.
///
/// Directories take new times too.
///
/// Errors: `ERRNO_BADF` (also for streams), `ERRNO_INVAL` when both 1 and 2 (or 4 and 8) are
/// given or an unknown bit is set, or the host's error.
pub(super) fn fd_filestat_set_times(
    ctx: &mut WasiCtx,
    _: &mut GuestMem,
    fd: u32,
    atim: u64,
    mtim: u64,
    flags: u32,
) -> Result<(), Errno> {
    let times = file_times(atim, mtim, flags)?;
    ctx.fds.require(fd, RIGHTS_FD_FILESTAT_SET_TIMES)?;
    match ctx.fds.get(fd)? {
        FdEntry::File(f) => f.file.set_times(times)?,
        FdEntry::Dir(d) => File::open(&d.host)?.set_times(times)?,
        _ => return Err(ERRNO_BADF),
    }
    Ok(())
}

/// The `FileTimes` that `fst_flags` asks for.
pub(crate) fn file_times(atim: u64, mtim: u64, flags: u32) -> Result<std::fs::FileTimes, Errno> {
    if flags > 0xf {
        return Err(ERRNO_INVAL);
    }
    let flags = flags as u16;
    let at = |nanos| SystemTime::UNIX_EPOCH + std::time::Duration::from_nanos(nanos);
    let mut times = std::fs::FileTimes::new();
    match (flags & FSTFLAGS_ATIM != 0, flags & FSTFLAGS_ATIM_NOW != 0) {
        (true, true) => return Err(ERRNO_INVAL),
        (true, false) => times = times.set_accessed(at(atim)),
        (false, true) => times = times.set_accessed(SystemTime::now()),
        (false, false) => {}
    }
    match (flags & FSTFLAGS_MTIM != 0, flags & FSTFLAGS_MTIM_NOW != 0) {
        (true, true) => return Err(ERRNO_INVAL),
        (true, false) => times = times.set_modified(at(mtim)),
        (false, true) => times = times.set_modified(SystemTime::now()),
        (false, false) => {}
    }
    Ok(times)
}

/// `fd_prestat_get(fd, result.buf: u32) -> errno`
///
/// Writes a `prestat` (8 bytes) for a preopened directory: `tag: u8` at 0 (0 = directory),
/// `pr_name_len: u32` at 4, the length of its guest path. wasi-libc calls this for fd 3, 4, …
/// until `ERRNO_BADF` to learn the preopens.
///
/// Errors: `ERRNO_BADF` when `fd` is not open or not a preopen, `ERRNO_FAULT`.
pub(super) fn fd_prestat_get(
    ctx: &mut WasiCtx,
    mem: &mut GuestMem,
    fd: u32,
    out: u32,
) -> Result<(), Errno> {
    let name = preopen_name(ctx, fd)?;
    let mut prestat = [0u8; 8];
    prestat[4..8].copy_from_slice(&(name.len() as u32).to_le_bytes());
    mem.write(out, &prestat)
}

/// `fd_prestat_dir_name(fd, path: u32, path_len: u32) -> errno`
///
/// Writes the guest path of a preopened directory (no NUL) at `path`.
///
/// Errors: `ERRNO_BADF` when `fd` is not a preopen, `ERRNO_NAMETOOLONG` when `path_len` is
/// shorter than the name, `ERRNO_FAULT`.
pub(super) fn fd_prestat_dir_name(
    ctx: &mut WasiCtx,
    mem: &mut GuestMem,
    fd: u32,
    path: u32,
    len: u32,
) -> Result<(), Errno> {
    let name = preopen_name(ctx, fd)?;
    if (len as usize) < name.len() {
        return Err(ERRNO_NAMETOOLONG);
    }
    mem.write(path, name.as_bytes())
}

fn preopen_name(ctx: &WasiCtx, fd: u32) -> Result<&str, Errno> {
    match ctx.fds.get(fd)? {
        FdEntry::Dir(DirFd {
            preopen: Some(name),
            ..
        }) => Ok(name),
        _ => Err(ERRNO_BADF),
    }
}

/// `fd_read(fd, iovs: u32, iovs_len: u32, result.nread: u32) -> errno`
///
/// Reads into the `iovs_len` buffers described by the iovec array at `iovs` (`{buf: u32,
/// buf_len: u32}`, 8 bytes each), in order, from the current position, and writes the byte
/// count (u32) at `result.nread`; 0 means end of file. Stdin is read at most once per call, so an
/// interactive read returns what is there instead of waiting to fill every buffer.
///
/// Errors: `ERRNO_BADF` (also for stdout/stderr, directories and files not open for reading),
/// `ERRNO_FAULT` when an iovec or buffer is out of memory, or the host's error when nothing was
/// read.
pub(super) fn fd_read(
    ctx: &mut WasiCtx,
    mem: &mut GuestMem,
    fd: u32,
    iovs: u32,
    n: u32,
    out: u32,
) -> Result<(), Errno> {
    let iovs = mem.iovecs(iovs, n)?;
    mem.slice(out, 4)?;
    ctx.fds.require_access(fd, RIGHTS_FD_READ)?;
    let total = match ctx.fds.get_mut(fd)? {
        FdEntry::Stdin(Input::Null) => 0,
        FdEntry::Stdin(Input::Inherit) => match iovs.iter().find(|iov| iov.1 > 0) {
            Some(&(buf, len)) => std::io::stdin().read(mem.slice_mut(buf, len)?)?,
            None => 0,
        },
        FdEntry::Stdin(Input::Bytes(cursor)) => read_iovecs(cursor, mem, &iovs)?,
        FdEntry::File(f) => read_iovecs(f.readable()?, mem, &iovs)?,
        FdEntry::Dir(_) | FdEntry::Stdout(_) | FdEntry::Stderr(_) => return Err(ERRNO_BADF),
    };
    mem.write_u32(out, total as u32)
}

/// Fills the buffers in order until a short read (end of file).
fn read_iovecs(r: &mut impl Read, mem: &mut GuestMem, iovs: &[(u32, u32)]) -> Result<usize, Errno> {
    let mut total = 0;
    for &(buf, len) in iovs {
        let n = match r.read(mem.slice_mut(buf, len)?) {
            Ok(n) => n,
            Err(_) if total > 0 => break,
            Err(e) => return Err(e.into()),
        };
        total += n;
        if n < len as usize {
            break;
        }
    }
    Ok(total)
}

/// `fd_pread(fd, iovs: u32, iovs_len: u32, offset: u64, result.nread: u32) -> errno`
///
/// Like [`fd_read`] but from file position `offset`, leaving the current position alone.
///
/// Errors: `ERRNO_BADF` (also for directories, stdout/stderr and files not open for reading),
/// `ERRNO_SPIPE` for stdin, `ERRNO_FAULT`, or the host's error.
pub(super) fn fd_pread(
    ctx: &mut WasiCtx,
    mem: &mut GuestMem,
    fd: u32,
    iovs: u32,
    n: u32,
    offset: u64,
    out: u32,
) -> Result<(), Errno> {
    let iovs = mem.iovecs(iovs, n)?;
    mem.slice(out, 4)?;
    ctx.fds.require_access(fd, RIGHTS_FD_READ)?;
    let file = match ctx.fds.get_mut(fd)? {
        FdEntry::File(f) => f.readable()?,
        FdEntry::Stdin(_) => return Err(ERRNO_SPIPE),
        _ => return Err(ERRNO_BADF),
    };
    let mut total = 0usize;
    for (buf, len) in iovs {
        let at = offset.checked_add(total as u64).ok_or(ERRNO_INVAL)?;
        let n = match read_at(file, mem.slice_mut(buf, len)?, at) {
            Ok(n) => n,
            Err(_) if total > 0 => break,
            Err(e) => return Err(e),
        };
        total += n;
        if n < len as usize {
            break;
        }
    }
    mem.write_u32(out, total as u32)
}

#[cfg(unix)]
fn read_at(file: &File, buf: &mut [u8], offset: u64) -> Result<usize, Errno> {
    Ok(std::os::unix::fs::FileExt::read_at(file, buf, offset)?)
}

#[cfg(unix)]
fn write_at(file: &File, buf: &[u8], offset: u64) -> Result<(), Errno> {
    Ok(std::os::unix::fs::FileExt::write_all_at(file, buf, offset)?)
}

#[cfg(not(unix))]
fn read_at(_: &File, _: &mut [u8], _: u64) -> Result<usize, Errno> {
    Err(ERRNO_NOSYS)
}

#[cfg(not(unix))]
fn write_at(_: &File, _: &[u8], _: u64) -> Result<(), Errno> {
    Err(ERRNO_NOSYS)
}

/// `fd_write(fd, iovs: u32, iovs_len: u32, result.nwritten: u32) -> errno`
///
/// Writes the `iovs_len` buffers described by the iovec array at `iovs` (`{buf: u32, buf_len:
/// u32}`, 8 bytes each), in order, at the current position (at the end for an append file), and
/// writes the byte count (u32) at `result.nwritten`. Inherited stdout and stderr are flushed at
/// once: the guest's libc does the buffering.
///
/// Errors: `ERRNO_BADF` (also for stdin, directories and files not open for writing),
/// `ERRNO_FAULT` when an iovec or buffer is out of memory, or the host's error.
pub(super) fn fd_write(
    ctx: &mut WasiCtx,
    mem: &mut GuestMem,
    fd: u32,
    iovs: u32,
    n: u32,
    out: u32,
) -> Result<(), Errno> {
    let iovs = mem.iovecs(iovs, n)?;
    mem.slice(out, 4)?;
    ctx.fds.require_access(fd, RIGHTS_FD_WRITE)?;
    let bufs = iovs.iter().map(|&(buf, len)| mem.slice(buf, len));
    let mut total = 0usize;
    match ctx.fds.get_mut(fd)? {
        FdEntry::Stdout(Output::Inherit) => {
            let mut stdout = std::io::stdout().lock();
            total = write_all(&mut stdout, bufs)?;
            stdout.flush()?;
        }
        FdEntry::Stderr(Output::Inherit) => total = write_all(&mut std::io::stderr().lock(), bufs)?,
        FdEntry::Stdout(Output::Capture) => total = write_all(&mut ctx.stdout, bufs)?,
        FdEntry::Stderr(Output::Capture) => total = write_all(&mut ctx.stderr, bufs)?,
        FdEntry::Stdout(Output::Null) | FdEntry::Stderr(Output::Null) => {
            for buf in bufs {
                total += buf?.len();
            }
        }
        FdEntry::File(f) => total = write_all(f.writable()?, bufs)?,
        FdEntry::Dir(_) | FdEntry::Stdin(_) => return Err(ERRNO_BADF),
    }
    mem.write_u32(out, total as u32)
}

fn write_all<'m>(
    w: &mut impl Write,
    bufs: impl Iterator<Item = Result<&'m [u8], Errno>>,
) -> Result<usize, Errno> {
    let mut total = 0;
    for buf in bufs {
        let buf = buf?;
        w.write_all(buf)?;
        total += buf.len();
    }
    Ok(total)
}

/// `fd_pwrite(fd, iovs: u32, iovs_len: u32, offset: u64, result.nwritten: u32) -> errno`
///
/// Like [`fd_write`] but at file position `offset`, leaving the current position alone. On an
/// append descriptor the data goes to the end whatever `offset` says, as `pwrite` does on
/// Linux (and so in wasmtime).
///
/// Errors: `ERRNO_BADF` (also for directories, stdin and files not open for writing),
/// `ERRNO_SPIPE` for stdout/stderr, `ERRNO_FAULT`, or the host's error.
pub(super) fn fd_pwrite(
    ctx: &mut WasiCtx,
    mem: &mut GuestMem,
    fd: u32,
    iovs: u32,
    n: u32,
    offset: u64,
    out: u32,
) -> Result<(), Errno> {
    let iovs = mem.iovecs(iovs, n)?;
    mem.slice(out, 4)?;
    ctx.fds.require_access(fd, RIGHTS_FD_WRITE)?;
    let f = match ctx.fds.get_mut(fd)? {
        FdEntry::File(f) => f,
        FdEntry::Stdout(_) | FdEntry::Stderr(_) => return Err(ERRNO_SPIPE),
        _ => return Err(ERRNO_BADF),
    };
    if !f.write {
        return Err(ERRNO_BADF);
    }
    let file = &f.file;
    // Appending writes at the end, and like any pwrite leaves the position alone.
    let offset = if f.append {
        file.metadata()?.len()
    } else {
        offset
    };
    let mut total = 0u64;
    for (buf, len) in iovs {
        let at = offset.checked_add(total).ok_or(ERRNO_INVAL)?;
        write_at(file, mem.slice(buf, len)?, at)?;
        total += len as u64;
    }
    mem.write_u32(out, total as u32)
}

/// `fd_readdir(fd, buf: u32, buf_len: u32, cookie: u64, result.bufused: u32) -> errno`
///
/// Fills `buf` with directory entries starting at position `cookie` (0 = first) and writes the
/// bytes used (u32) at `result.bufused`. Each entry is a `dirent` (24 bytes: `d_next: u64` at 0,
/// the cookie of the entry after it; `d_ino: u64` at 8; `d_namlen: u32` at 16; `d_type: u8` at
/// 20) followed by the name without NUL. Entries are `.`, `..`, then the directory's entries
/// sorted by name, so cookies stay valid between calls. The last entry is cut at `buf_len`; a
/// result of exactly `buf_len` tells the caller to call again with a bigger buffer or a later
/// cookie.
///
/// Errors: `ERRNO_BADF` (also when `fd` is not a directory, as wasmtime), `ERRNO_FAULT`, or the
/// host's error.
pub(super) fn fd_readdir(
    ctx: &mut WasiCtx,
    mem: &mut GuestMem,
    fd: u32,
    buf: u32,
    len: u32,
    cookie: u64,
    out: u32,
) -> Result<(), Errno> {
    mem.slice(buf, len)?;
    mem.slice(out, 4)?;
    let FdEntry::Dir(dir) = ctx.fds.get(fd)? else {
        return Err(ERRNO_BADF);
    };
    ctx.fds.require(fd, RIGHTS_FD_READDIR)?;
    let mut entries = vec![
        (
            ".".into(),
            inode(&std::fs::metadata(&dir.host)?),
            FILETYPE_DIRECTORY,
        ),
        ("..".into(), 0, FILETYPE_DIRECTORY),
    ];
    let mut rest = Vec::new();
    for entry in std::fs::read_dir(&dir.host)? {
        let entry = entry?;
        let ty = entry.file_type().map_or(FILETYPE_UNKNOWN, filetype);
        let ino = entry.metadata().map_or(0, |m| inode(&m));
        rest.push((entry.file_name(), ino, ty));
    }
    rest.sort_by(|a, b| a.0.cmp(&b.0));
    entries.extend(rest);

    let mut bytes = Vec::new();
    let start = usize::try_from(cookie).unwrap_or(usize::MAX);
    for (i, (name, ino, ty)) in entries.iter().enumerate().skip(start) {
        if bytes.len() >= len as usize {
            break;
        }
        let name = name.as_encoded_bytes();
        let mut dirent = [0u8; DIRENT_SIZE];
        dirent[0..8].copy_from_slice(&(i as u64 + 1).to_le_bytes());
        dirent[8..16].copy_from_slice(&ino.to_le_bytes());
        dirent[16..20].copy_from_slice(&(name.len() as u32).to_le_bytes());
        dirent[20] = *ty;
        bytes.extend_from_slice(&dirent);
        bytes.extend_from_slice(name);
    }
    bytes.truncate(len as usize);
    mem.write(buf, &bytes)?;
    mem.write_u32(out, bytes.len() as u32)
}

/// `fd_renumber(fd, to) -> errno`
///
/// Moves descriptor `fd` to number `to`, closing what was open there (a preopen too); `fd`
/// becomes free. Renumbering a descriptor onto itself does nothing.
///
/// Errors: `ERRNO_BADF` when either is not open.
pub(super) fn fd_renumber(
    ctx: &mut WasiCtx,
    _: &mut GuestMem,
    fd: u32,
    to: u32,
) -> Result<(), Errno> {
    ctx.fds.renumber(fd, to)
}

/// `fd_seek(fd, offset: s64, whence: u8, result.newoffset: u32) -> errno`
///
/// Moves the file position to `offset` from the start (`whence` 0), the current position (1) or
/// the end (2), and writes the new position (u64) at `result.newoffset`.
///
/// Errors: `ERRNO_BADF` (also for directories, as wasmtime), `ERRNO_SPIPE` for streams,
/// `ERRNO_INVAL` for an unknown whence or a negative result (the position is left as it was),
/// `ERRNO_FAULT`.
pub(super) fn fd_seek(
    ctx: &mut WasiCtx,
    mem: &mut GuestMem,
    fd: u32,
    offset: u64,
    whence: u32,
    out: u32,
) -> Result<(), Errno> {
    mem.slice(out, 8)?;
    ctx.fds.require(fd, RIGHTS_FD_SEEK)?;
    let file = &mut ctx.fds.seekable(fd)?.file;
    let offset = offset as i64;
    let pos = match whence {
        WHENCE_SET => SeekFrom::Start(u64::try_from(offset).map_err(|_| ERRNO_INVAL)?),
        WHENCE_CUR => SeekFrom::Current(offset),
        WHENCE_END => SeekFrom::End(offset),
        _ => return Err(ERRNO_INVAL),
    };
    let new = file.seek(pos)?;
    mem.write_u64(out, new)
}

/// `fd_tell(fd, result.offset: u32) -> errno`
///
/// Writes the current file position (u64) at `result.offset`.
///
/// Errors: `ERRNO_BADF` (also for directories), `ERRNO_SPIPE` for streams, `ERRNO_FAULT`.
pub(super) fn fd_tell(
    ctx: &mut WasiCtx,
    mem: &mut GuestMem,
    fd: u32,
    out: u32,
) -> Result<(), Errno> {
    mem.slice(out, 8)?;
    ctx.fds.require(fd, RIGHTS_FD_TELL)?;
    let pos = ctx.fds.seekable(fd)?.file.stream_position()?;
    mem.write_u64(out, pos)
}

/// A `filestat` (64 bytes): `dev: u64` at 0, `ino: u64` at 8, `filetype: u8` at 16,
/// `nlink: u64` at 24, `size: u64` at 32, `atim: u64` at 40, `mtim: u64` at 48, `ctim: u64` at
/// 56 (times in nanoseconds since the epoch).
pub(crate) fn filestat(md: &Metadata) -> [u8; 64] {
    let nanos = |t: std::io::Result<SystemTime>| {
        t.ok()
            .and_then(|t| t.duration_since(SystemTime::UNIX_EPOCH).ok())
            .map_or(0, |d| d.as_nanos() as u64)
    };
    #[cfg(unix)]
    let (dev, nlink, ctim) = {
        use std::os::unix::fs::MetadataExt;
        let ctim = (md.ctime() as u64)
            .wrapping_mul(1_000_000_000)
            .wrapping_add(md.ctime_nsec() as u64);
        (md.dev(), md.nlink(), ctim)
    };
    #[cfg(not(unix))]
    let (dev, nlink, ctim) = (0, 1, nanos(md.modified()));
    let mut stat = [0u8; 64];
    stat[0..8].copy_from_slice(&dev.to_le_bytes());
    stat[8..16].copy_from_slice(&inode(md).to_le_bytes());
    stat[16] = filetype(md.file_type());
    stat[24..32].copy_from_slice(&nlink.to_le_bytes());
    stat[32..40].copy_from_slice(&md.len().to_le_bytes());
    stat[40..48].copy_from_slice(&nanos(md.accessed()).to_le_bytes());
    stat[48..56].copy_from_slice(&nanos(md.modified()).to_le_bytes());
    stat[56..64].copy_from_slice(&ctim.to_le_bytes());
    stat
}

#[cfg(unix)]
fn inode(md: &Metadata) -> u64 {
    std::os::unix::fs::MetadataExt::ino(md)
}

#[cfg(not(unix))]
fn inode(_: &Metadata) -> u64 {
    0
}

pub(crate) fn filetype(ft: std::fs::FileType) -> u8 {
    if ft.is_symlink() {
        FILETYPE_SYMBOLIC_LINK
    } else if ft.is_dir() {
        FILETYPE_DIRECTORY
    } else if ft.is_file() {
        FILETYPE_REGULAR_FILE
    } else {
        #[cfg(unix)]
        {
            use std::os::unix::fs::FileTypeExt;
            if ft.is_char_device() {
                return FILETYPE_CHARACTER_DEVICE;
            }
            if ft.is_block_device() {
                return 1;
            }
            if ft.is_socket() {
                return 6;
            }
        }
        FILETYPE_UNKNOWN
    }
}
