//! Sandboxed path resolution and the `path_*` functions.
//!
//! A guest path is always relative to a directory descriptor, and every directory descriptor is
//! a sandbox of its own (its *root*): a preopen, or a directory that `path_open` opened, which
//! `..` cannot leave even towards the preopen it came from (as in wasmtime, and as the WASI
//! filesystem's path resolution rules say). `resolve` walks the path one component at a time
//! from that directory:
//!
//! - an absolute path is refused (`ERRNO_PERM`);
//! - `..` pops one component, and is refused at the root (`ERRNO_PERM`);
//! - a symbolic link is read and its target's components are walked in its place (an absolute
//!   target only when it names a place under the root), so links inside the root work and
//!   links that lead out are refused (`ERRNO_PERM`); more than 32 links is `ERRNO_LOOP`;
//! - a trailing slash asks for a directory: the last component is followed if it is a link,
//!   and must be a directory if it exists (else `ERRNO_NOTDIR`).
//!
//! The host path handed to the OS therefore never contains a symbolic link or `..`, except a
//! link as the last component of an operation that does not follow it (unlink, rename, readlink,
//! stat without follow); `path_open` refuses to open such a link (`ERRNO_LOOP`). Races with other
//! host processes that swap a directory for a link mid-call are not defended against.

// The functions mirror the ABI's parameter lists.
#![allow(clippy::too_many_arguments)]

use super::fd::{file_times, filestat, Dropped, FdEntry, FileFd};
use super::mem::GuestMem;
use super::*;
use crate::{FuncType, Val, ValType};
use std::ffi::OsString;
use std::fs;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

const LOOKUPFLAGS_SYMLINK_FOLLOW: u32 = 1;

const OFLAGS_CREAT: u32 = 1;
const OFLAGS_DIRECTORY: u32 = 2;
const OFLAGS_EXCL: u32 = 4;
const OFLAGS_TRUNC: u32 = 8;

/// The errno of a path that would leave its directory (absolute, `..` above it, or a link
/// leading out): `ERRNO_PERM`, which the conformance suite's `interesting_paths` demands and
/// wasmtime returns. (The witx docs name no errno for it; regwasm used `ERRNO_NOTCAPABLE`
/// before, which now only means a right was taken away.)
const ESCAPE: Errno = ERRNO_PERM;

/// Symbolic links one resolution may expand.
const MAX_SYMLINKS: u32 = 32;

/// The host directory of a preopen, as canonicalized and as given (an absolute link target may
/// spell it either way).
#[derive(Debug)]
pub(crate) struct Root {
    canonical: PathBuf,
    given: PathBuf,
}

/// An open directory: its host path (free of links and `..`, under the root) and its preopen.
pub(crate) struct DirFd {
    pub(crate) host: PathBuf,
    pub(crate) root: Arc<Root>,
    /// The guest path, for preopened directories themselves.
    pub(crate) preopen: Option<String>,
}

impl DirFd {
    /// A directory that `path_open` opened at `host` (a resolved path): its own root.
    fn opened(host: PathBuf) -> DirFd {
        DirFd {
            host: host.clone(),
            root: Arc::new(Root {
                canonical: host.clone(),
                given: host,
            }),
            preopen: None,
        }
    }

    pub(crate) fn preopen(host: &Path, guest: String) -> std::io::Result<DirFd> {
        let canonical = fs::canonicalize(host)?;
        if !canonical.is_dir() {
            return Err(std::io::Error::new(
                std::io::ErrorKind::NotADirectory,
                format!("{} is not a directory", host.display()),
            ));
        }
        let given = std::path::absolute(host)?;
        Ok(DirFd {
            host: canonical.clone(),
            root: Arc::new(Root { canonical, given }),
            preopen: Some(guest),
        })
    }
}

/// Where a guest path leads on the host.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Resolved {
    pub(crate) path: PathBuf,
    /// The path ends in a name (not `.`, `..` or the directory itself), which may not exist yet.
    pub(crate) named: bool,
    /// The guest path ended in `/`: what it names must be a directory (checked when it exists).
    pub(crate) slash: bool,
}

impl Resolved {
    /// The path, for operations that create or remove the entry they name.
    fn named(&self, otherwise: Errno) -> Result<&Path, Errno> {
        if self.named {
            Ok(&self.path)
        } else {
            Err(otherwise)
        }
    }
}

/// Resolves `path` relative to `dir` inside its root (see the module docs). With `follow`
/// a link in the last component is expanded too; without, it is returned as is. A missing last
/// component is fine (it may be about to be created); a missing earlier one is `ERRNO_NOENT`.
/// A trailing slash follows the last link too, and an existing non-directory there is
/// `ERRNO_NOTDIR`.
pub(crate) fn resolve(dir: &DirFd, path: &str, follow: bool) -> Result<Resolved, Errno> {
    let slash = path.ends_with('/');
    let mut r = walk(dir, path, follow || slash)?;
    if slash {
        r.slash = true;
        if fs::symlink_metadata(&r.path).is_ok_and(|md| !md.is_dir()) {
            return Err(ERRNO_NOTDIR);
        }
    }
    Ok(r)
}

/// The walk of [`resolve`], component by component.
fn walk(dir: &DirFd, path: &str, follow: bool) -> Result<Resolved, Errno> {
    if path.is_empty() {
        return Err(ERRNO_NOENT);
    }
    if path.starts_with('/') {
        return Err(ESCAPE);
    }
    let root = &dir.root;
    let mut cur = dir.host.clone();
    // Components still to walk, last one first.
    let mut todo: Vec<OsString> = path
        .trim_end_matches('/')
        .rsplit('/')
        .map(OsString::from)
        .collect();
    let mut links = 0;
    while let Some(comp) = todo.pop() {
        let last = todo.is_empty();
        if comp == "." || comp.is_empty() {
            if last {
                return Ok(Resolved {
                    path: cur,
                    named: false,
                    slash: false,
                });
            }
            continue;
        }
        if comp == ".." {
            if cur == root.canonical {
                return Err(ESCAPE);
            }
            cur.pop();
            if last {
                return Ok(Resolved {
                    path: cur,
                    named: false,
                    slash: false,
                });
            }
            continue;
        }
        let next = cur.join(&comp);
        if last && !follow {
            return Ok(Resolved {
                path: next,
                named: true,
                slash: false,
            });
        }
        match fs::symlink_metadata(&next) {
            Ok(md) if md.file_type().is_symlink() => {
                links += 1;
                if links > MAX_SYMLINKS {
                    return Err(ERRNO_LOOP);
                }
                let target = fs::read_link(&next)?;
                if target.has_root() {
                    let inside = target
                        .strip_prefix(&root.canonical)
                        .or_else(|_| target.strip_prefix(&root.given))
                        .map_err(|_| ESCAPE)?;
                    cur = root.canonical.clone();
                    push_components(&mut todo, inside)?;
                } else {
                    push_components(&mut todo, &target)?;
                }
                if todo.is_empty() {
                    // A link to "" or ".": the directory holding it.
                    return Ok(Resolved {
                        path: cur,
                        named: false,
                        slash: false,
                    });
                }
            }
            Ok(md) => {
                if !last && !md.is_dir() {
                    return Err(ERRNO_NOTDIR);
                }
                cur = next;
                if last {
                    return Ok(Resolved {
                        path: cur,
                        named: true,
                        slash: false,
                    });
                }
            }
            Err(e) if last && e.kind() == std::io::ErrorKind::NotFound => {
                return Ok(Resolved {
                    path: next,
                    named: true,
                    slash: false,
                })
            }
            Err(e) => return Err(e.into()),
        }
    }
    // Only reached for a path of slashes, refused above as absolute.
    Err(ERRNO_NOENT)
}

/// Queues the components of a relative link target to be walked next.
fn push_components(todo: &mut Vec<OsString>, target: &Path) -> Result<(), Errno> {
    for comp in target.components().rev() {
        todo.push(match comp {
            Component::Normal(name) => name.to_os_string(),
            Component::CurDir => ".".into(),
            Component::ParentDir => "..".into(),
            Component::RootDir | Component::Prefix(_) => return Err(ESCAPE),
        });
    }
    Ok(())
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
    wrap!(path_create_directory(fd: u32, path: u32, len: u32));
    wrap!(path_filestat_get(fd: u32, flags: u32, path: u32, len: u32, out: u32));
    wrap!(path_filestat_set_times(
        fd: u32,
        flags: u32,
        path: u32,
        len: u32,
        atim: u64,
        mtim: u64,
        fst_flags: u32
    ));
    wrap!(path_link(
        old_fd: u32,
        old_flags: u32,
        old_path: u32,
        old_len: u32,
        new_fd: u32,
        new_path: u32,
        new_len: u32
    ));
    wrap!(path_readlink(fd: u32, path: u32, len: u32, buf: u32, buf_len: u32, out: u32));
    wrap!(path_remove_directory(fd: u32, path: u32, len: u32));
    wrap!(path_rename(fd: u32, old: u32, old_len: u32, new_fd: u32, new: u32, new_len: u32));
    wrap!(path_symlink(old: u32, old_len: u32, fd: u32, new: u32, new_len: u32));
    wrap!(path_unlink_file(fd: u32, path: u32, len: u32));
    // Nine parameters: one more than `func_wrap` takes.
    let i32s = |n| vec![ValType::I32; n];
    let mut params = i32s(5);
    params.extend([ValType::I64, ValType::I64, ValType::I32, ValType::I32]);
    let ty = FuncType::new(params, i32s(1));
    linker.func_new(MODULE, "path_open", ty, move |mut c, args, results| {
        let a = |i: usize| match args[i] {
            Val::I32(v) => v as u32 as u64,
            Val::I64(v) => v as u64,
            _ => 0,
        };
        let errno = with_ctx(&mut c, get, |ctx, mem| {
            let (fd, dirflags, path, len, oflags) = (a(0), a(1), a(2), a(3), a(4));
            let (fdflags, out) = (a(7) as u32, a(8) as u32);
            path_open(
                ctx,
                mem,
                [fd, dirflags, path, len, oflags].map(|v| v as u32),
                a(5),
                a(6),
                fdflags,
                out,
            )
        });
        results[0] = Val::I32(errno);
        Ok(())
    });
}

/// `path_open(fd, dirflags: u32, path: u32, path_len: u32, oflags: u16, fs_rights_base: u64,
/// fs_rights_inheriting: u64, fdflags: u16, result.fd: u32) -> errno`
///
/// Opens the file or directory at the guest path (`path`, `path_len` bytes of UTF-8) relative to
/// directory `fd`, and writes the new descriptor (u32) at `result.fd`. `dirflags` bit 0 follows
/// a link in the last component (else opening a link is `ERRNO_LOOP`). `oflags`: 1 create,
/// 2 must be a directory, 4 fail if it exists (with create), 8 truncate. `fdflags`: 1 append
/// to every write, 4 non-blocking (remembered only); the synchronized I/O flags (2, 8, 16) are
/// not offered.
///
/// Rights, as in wasmtime, choose the access mode and are otherwise not refused: the new
/// descriptor gets the rights its kind of object can have (see `fd_fdstat_get`), less those
/// the guest took away from the directory's inheriting rights with `fd_fdstat_set_rights`;
/// asking for one of those is `ERRNO_NOTCAPABLE`, as is opening (or creating) through a
/// directory whose `path_open` (or `path_create_file`) right was taken away. A file is open
/// for writing when `fd_write` is asked for (creating or truncating does not make it writable,
/// unlike in wasmtime), and for reading when `fd_read` is asked for or `fd_write` is not. A
/// directory can be opened whatever the rights, but not to write to it.
///
/// Errors: `ERRNO_BADF` (also when `fd` is a stream), `ERRNO_NOTDIR` (`fd` is a file, or a
/// directory was asked for, or a trailing slash follows a file name), `ERRNO_PERM` (the
/// path leaves `fd`), `ERRNO_NOENT`, `ERRNO_EXIST`, `ERRNO_ISDIR` (a directory opened to
/// write, truncate or create, or a file created with a trailing slash), `ERRNO_LOOP`,
/// `ERRNO_INVAL` (create with directory, or an unknown flag bit), `ERRNO_NOTSUP` (a
/// synchronized I/O flag), `ERRNO_ILSEQ` (path not UTF-8), `ERRNO_FAULT`, `ERRNO_MFILE`, or the
/// host's error.
pub(super) fn path_open(
    ctx: &mut WasiCtx,
    mem: &mut GuestMem,
    [fd, dirflags, path, len, oflags]: [u32; 5],
    rights: u64,
    _inheriting: u64,
    fdflags: u32,
    out: u32,
) -> Result<(), Errno> {
    mem.slice(out, 4)?;
    let dir = ctx.fds.dir_for(fd, RIGHTS_PATH_OPEN)?;
    let dropped = ctx.fds.dropped(fd)?.inheriting;
    if dirflags & !LOOKUPFLAGS_SYMLINK_FOLLOW != 0 || oflags > 0xf || fdflags > 0x1f {
        return Err(ERRNO_INVAL);
    }
    let fdflags = fdflags as u16;
    if fdflags & (FDFLAGS_DSYNC | FDFLAGS_RSYNC | FDFLAGS_SYNC) != 0 {
        return Err(ERRNO_NOTSUP);
    }
    let follow = dirflags & LOOKUPFLAGS_SYMLINK_FOLLOW != 0;
    let r = resolve(dir, mem.str(path, len)?, follow)?;
    let (creat, excl) = (oflags & OFLAGS_CREAT != 0, oflags & OFLAGS_EXCL != 0);
    let (want_dir, trunc) = (oflags & OFLAGS_DIRECTORY != 0, oflags & OFLAGS_TRUNC != 0);
    if rights & dropped != 0 || (creat && ctx.fds.require(fd, RIGHTS_PATH_CREATE_FILE).is_err()) {
        // A right the directory may no longer hand out.
        return Err(ERRNO_NOTCAPABLE);
    }
    let write = rights & RIGHTS_FD_WRITE != 0;
    let read = rights & RIGHTS_FD_READ != 0 || !write;
    let entry = match fs::symlink_metadata(&r.path) {
        Ok(md) if md.file_type().is_symlink() => {
            return Err(if creat && excl {
                ERRNO_EXIST
            } else {
                ERRNO_LOOP
            });
        }
        Ok(_) if creat && excl => return Err(ERRNO_EXIST),
        Ok(md) if md.is_dir() => {
            if write || creat || trunc {
                return Err(ERRNO_ISDIR);
            }
            FdEntry::Dir(DirFd::opened(r.path))
        }
        Ok(_) if want_dir => return Err(ERRNO_NOTDIR),
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e.into()),
        Err(_) if !creat => return Err(ERRNO_NOENT),
        Err(_) if want_dir => return Err(ERRNO_INVAL),
        Err(_) if r.slash => return Err(ERRNO_ISDIR),
        _ => {
            // The host needs write access to create or truncate; the guest's descriptor gets
            // it only with `fd_write` (as `O_CREAT | O_RDONLY` in POSIX).
            let file = fs::OpenOptions::new()
                .read(read)
                .write(write || creat || trunc)
                .truncate(trunc)
                .create(creat)
                .create_new(creat && excl)
                .open(&r.path)?;
            FdEntry::File(FileFd {
                file,
                read,
                write,
                append: fdflags & FDFLAGS_APPEND != 0,
                nonblock: fdflags & FDFLAGS_NONBLOCK != 0,
            })
        }
    };
    // What the directory may no longer hand out, the new descriptor lacks too.
    let new = ctx.fds.push_with(
        entry,
        Dropped {
            base: dropped,
            inheriting: dropped,
        },
    )?;
    mem.write_u32(out, new)
}

/// `path_create_directory(fd, path: u32, path_len: u32) -> errno`
///
/// Creates the directory at the guest path relative to directory `fd`.
///
/// Errors: `ERRNO_BADF`, `ERRNO_NOTDIR`, `ERRNO_PERM` (escape), `ERRNO_EXIST` (also for `.`),
/// `ERRNO_NOENT`, `ERRNO_ILSEQ`, `ERRNO_FAULT`, or the host's error.
pub(super) fn path_create_directory(
    ctx: &mut WasiCtx,
    mem: &mut GuestMem,
    fd: u32,
    path: u32,
    len: u32,
) -> Result<(), Errno> {
    let r = resolve(
        ctx.fds.dir_for(fd, RIGHTS_PATH_CREATE_DIRECTORY)?,
        mem.str(path, len)?,
        false,
    )?;
    fs::create_dir(r.named(ERRNO_EXIST)?)?;
    Ok(())
}

/// `path_remove_directory(fd, path: u32, path_len: u32) -> errno`
///
/// Removes the empty directory at the guest path relative to directory `fd`.
///
/// Errors: `ERRNO_BADF`, `ERRNO_NOTDIR` (also for a link), `ERRNO_PERM` (escape), `ERRNO_NOENT`,
/// `ERRNO_NOTEMPTY`, `ERRNO_INVAL` (for `.`), `ERRNO_ILSEQ`, `ERRNO_FAULT`, or the host's error.
pub(super) fn path_remove_directory(
    ctx: &mut WasiCtx,
    mem: &mut GuestMem,
    fd: u32,
    path: u32,
    len: u32,
) -> Result<(), Errno> {
    let r = resolve(
        ctx.fds.dir_for(fd, RIGHTS_PATH_REMOVE_DIRECTORY)?,
        mem.str(path, len)?,
        false,
    )?;
    let path = r.named(ERRNO_INVAL)?;
    if fs::symlink_metadata(path)?.file_type().is_symlink() {
        return Err(ERRNO_NOTDIR);
    }
    fs::remove_dir(path)?;
    Ok(())
}

/// `path_unlink_file(fd, path: u32, path_len: u32) -> errno`
///
/// Removes the file or link (not what it points to) at the guest path relative to `fd`.
///
/// Errors: `ERRNO_BADF`, `ERRNO_NOTDIR`, `ERRNO_PERM` (escape), `ERRNO_NOENT`, `ERRNO_ISDIR`,
/// `ERRNO_ILSEQ`, `ERRNO_FAULT`, or the host's error.
pub(super) fn path_unlink_file(
    ctx: &mut WasiCtx,
    mem: &mut GuestMem,
    fd: u32,
    path: u32,
    len: u32,
) -> Result<(), Errno> {
    let r = resolve(
        ctx.fds.dir_for(fd, RIGHTS_PATH_UNLINK_FILE)?,
        mem.str(path, len)?,
        false,
    )?;
    let path = r.named(ERRNO_ISDIR)?;
    if fs::symlink_metadata(path)?.is_dir() {
        return Err(ERRNO_ISDIR);
    }
    fs::remove_file(path)?;
    Ok(())
}

/// `path_filestat_get(fd, flags: u32, path: u32, path_len: u32, result.buf: u32) -> errno`
///
/// Writes the `filestat` (64 bytes: `dev: u64` at 0, `ino: u64` at 8, `filetype: u8` at 16,
/// `nlink: u64` at 24, `size: u64` at 32, `atim`, `mtim`, `ctim: u64` at 40, 48, 56) of the
/// guest path relative to `fd` at `result.buf`. `flags` bit 0 follows a final link.
///
/// Errors: `ERRNO_BADF`, `ERRNO_NOTDIR`, `ERRNO_PERM` (escape), `ERRNO_NOENT`, `ERRNO_LOOP`,
/// `ERRNO_ILSEQ`, `ERRNO_FAULT`, or the host's error.
pub(super) fn path_filestat_get(
    ctx: &mut WasiCtx,
    mem: &mut GuestMem,
    fd: u32,
    flags: u32,
    path: u32,
    len: u32,
    out: u32,
) -> Result<(), Errno> {
    mem.slice(out, 64)?;
    let follow = flags & LOOKUPFLAGS_SYMLINK_FOLLOW != 0;
    let r = resolve(
        ctx.fds.dir_for(fd, RIGHTS_PATH_FILESTAT_GET)?,
        mem.str(path, len)?,
        follow,
    )?;
    // Resolution already expanded a followed link: never let the host follow one.
    let stat = filestat(&fs::symlink_metadata(&r.path)?);
    mem.write(out, &stat)
}

/// `path_filestat_set_times(fd, flags: u32, path: u32, path_len: u32, atim: u64, mtim: u64,
/// fst_flags: u16) -> errno`
///
/// Sets the access and modification times of the file or directory at the guest path (see
/// `fd_filestat_set_times` for `fst_flags`). Links are always followed (inside the sandbox).
///
/// Errors: `ERRNO_BADF`, `ERRNO_NOTDIR`, `ERRNO_PERM` (escape), `ERRNO_NOENT`, `ERRNO_INVAL`,
/// `ERRNO_ILSEQ`, `ERRNO_FAULT`, or the host's error.
pub(super) fn path_filestat_set_times(
    ctx: &mut WasiCtx,
    mem: &mut GuestMem,
    fd: u32,
    _flags: u32,
    path: u32,
    len: u32,
    atim: u64,
    mtim: u64,
    fst_flags: u32,
) -> Result<(), Errno> {
    let r = resolve(
        ctx.fds.dir_for(fd, RIGHTS_PATH_FILESTAT_SET_TIMES)?,
        mem.str(path, len)?,
        true,
    )?;
    let times = file_times(atim, mtim, fst_flags)?;
    fs::File::open(&r.path)?.set_times(times)?;
    Ok(())
}

/// `path_link(old_fd, old_flags: u32, old_path: u32, old_path_len: u32, new_fd, new_path: u32,
/// new_path_len: u32) -> errno`
///
/// Creates a hard link at `new_path` (relative to `new_fd`) to `old_path` (relative to
/// `old_fd`); `old_flags` bit 0 follows a final link of the old path.
///
/// Errors: `ERRNO_BADF`, `ERRNO_NOTDIR`, `ERRNO_PERM` (escape), `ERRNO_NOENT`, `ERRNO_EXIST`,
/// `ERRNO_ILSEQ`, `ERRNO_FAULT`, or the host's error.
pub(super) fn path_link(
    ctx: &mut WasiCtx,
    mem: &mut GuestMem,
    old_fd: u32,
    old_flags: u32,
    old_path: u32,
    old_len: u32,
    new_fd: u32,
    new_path: u32,
    new_len: u32,
) -> Result<(), Errno> {
    let follow = old_flags & LOOKUPFLAGS_SYMLINK_FOLLOW != 0;
    let old = resolve(
        ctx.fds.dir_for(old_fd, RIGHTS_PATH_LINK_SOURCE)?,
        mem.str(old_path, old_len)?,
        follow,
    )?;
    let new = resolve(
        ctx.fds.dir_for(new_fd, RIGHTS_PATH_LINK_TARGET)?,
        mem.str(new_path, new_len)?,
        false,
    )?;
    let new_path = new.named(ERRNO_EXIST)?;
    if new.slash && fs::symlink_metadata(new_path).is_err() {
        // A hard link is no directory: "name/" cannot be one (as wasmtime).
        return Err(ERRNO_NOENT);
    }
    fs::hard_link(old.named(ERRNO_PERM)?, new_path)?;
    Ok(())
}

/// `path_rename(fd, old_path: u32, old_path_len: u32, new_fd, new_path: u32, new_path_len: u32)
/// -> errno`
///
/// Renames `old_path` (relative to `fd`) to `new_path` (relative to `new_fd`), replacing what is
/// there as the host's `rename` would. Links are renamed, not followed. A trailing slash on
/// either name asks for a directory.
///
/// Errors: `ERRNO_BADF`, `ERRNO_NOTDIR`, `ERRNO_PERM` (escape), `ERRNO_NOENT`, `ERRNO_INVAL` (for
/// `.`), `ERRNO_ISDIR`, `ERRNO_NOTEMPTY`, `ERRNO_ILSEQ`, `ERRNO_FAULT`, or the host's error.
pub(super) fn path_rename(
    ctx: &mut WasiCtx,
    mem: &mut GuestMem,
    fd: u32,
    old: u32,
    old_len: u32,
    new_fd: u32,
    new: u32,
    new_len: u32,
) -> Result<(), Errno> {
    let from = resolve(
        ctx.fds.dir_for(fd, RIGHTS_PATH_RENAME_SOURCE)?,
        mem.str(old, old_len)?,
        false,
    )?;
    let to = resolve(
        ctx.fds.dir_for(new_fd, RIGHTS_PATH_RENAME_TARGET)?,
        mem.str(new, new_len)?,
        false,
    )?;
    let (from_path, to_path) = (from.named(ERRNO_INVAL)?, to.named(ERRNO_INVAL)?);
    if to.slash && !fs::symlink_metadata(from_path)?.is_dir() {
        return Err(ERRNO_NOTDIR);
    }
    fs::rename(from_path, to_path)?;
    Ok(())
}

/// `path_readlink(fd, path: u32, path_len: u32, buf: u32, buf_len: u32, result.bufused: u32)
/// -> errno`
///
/// Writes the target of the link at the guest path (no NUL, cut at `buf_len`) at `buf`, and its
/// length (u32) at `result.bufused`.
///
/// Errors: `ERRNO_BADF`, `ERRNO_NOTDIR`, `ERRNO_PERM` (escape), `ERRNO_NOENT`, `ERRNO_INVAL` (not a
/// link), `ERRNO_ILSEQ`, `ERRNO_FAULT`, or the host's error.
pub(super) fn path_readlink(
    ctx: &mut WasiCtx,
    mem: &mut GuestMem,
    fd: u32,
    path: u32,
    len: u32,
    buf: u32,
    buf_len: u32,
    out: u32,
) -> Result<(), Errno> {
    mem.slice(buf, buf_len)?;
    mem.slice(out, 4)?;
    let r = resolve(
        ctx.fds.dir_for(fd, RIGHTS_PATH_READLINK)?,
        mem.str(path, len)?,
        false,
    )?;
    let target = fs::read_link(r.named(ERRNO_INVAL)?)?;
    let bytes = target.as_os_str().as_encoded_bytes();
    let n = bytes.len().min(buf_len as usize);
    mem.write(buf, &bytes[..n])?;
    mem.write_u32(out, n as u32)
}

/// `path_symlink(old_path: u32, old_path_len: u32, fd, new_path: u32, new_path_len: u32) ->
/// errno`
///
/// Creates a link at `new_path` (relative to `fd`) whose target is the text `old_path`. An
/// absolute target is refused; a relative one may point anywhere, since following it is checked.
///
/// Errors: `ERRNO_BADF`, `ERRNO_NOTDIR`, `ERRNO_PERM` (escape), `ERRNO_NOENT` (also for a new
/// name with a trailing slash), `ERRNO_EXIST`, `ERRNO_ILSEQ`, `ERRNO_FAULT`, `ERRNO_NOSYS` off
/// Unix, or the host's error.
pub(super) fn path_symlink(
    ctx: &mut WasiCtx,
    mem: &mut GuestMem,
    old: u32,
    old_len: u32,
    fd: u32,
    new: u32,
    new_len: u32,
) -> Result<(), Errno> {
    let target = mem.str(old, old_len)?;
    if target.starts_with('/') {
        return Err(ESCAPE);
    }
    let r = resolve(
        ctx.fds.dir_for(fd, RIGHTS_PATH_SYMLINK)?,
        mem.str(new, new_len)?,
        false,
    )?;
    let link = r.named(ERRNO_EXIST)?;
    if r.slash && fs::symlink_metadata(link).is_err() {
        // A link is no directory: "name/" cannot be one (as wasmtime).
        return Err(ERRNO_NOENT);
    }
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(target, link)?;
        Ok(())
    }
    #[cfg(not(unix))]
    {
        let _ = link;
        Err(ERRNO_NOSYS)
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use crate::wasi::tests::TempDir;
    use std::os::unix::fs::symlink;

    /// tmp/outside/secret, tmp/root/{a/b/file, file, in -> a/b, up -> .., out -> ../outside,
    /// abs_out -> /…/outside/secret, abs_in -> /…/root/a, loop -> loop, dangling -> new}
    fn sandbox() -> (TempDir, DirFd) {
        let tmp = TempDir::new("resolve");
        let root = tmp.0.join("root");
        fs::create_dir_all(root.join("a/b")).unwrap();
        fs::create_dir_all(tmp.0.join("outside")).unwrap();
        fs::write(tmp.0.join("outside/secret"), "secret").unwrap();
        fs::write(root.join("a/b/file"), "x").unwrap();
        fs::write(root.join("file"), "x").unwrap();
        symlink("a/b", root.join("in")).unwrap();
        symlink("..", root.join("up")).unwrap();
        symlink("../outside", root.join("out")).unwrap();
        symlink(tmp.0.join("outside/secret"), root.join("abs_out")).unwrap();
        symlink(root.join("a"), root.join("abs_in")).unwrap();
        symlink("loop", root.join("loop")).unwrap();
        symlink("new", root.join("dangling")).unwrap();
        let dir = DirFd::preopen(&root, "/sandbox".into()).unwrap();
        (tmp, dir)
    }

    #[test]
    fn resolves_inside() {
        let (_tmp, dir) = sandbox();
        let root = dir.root.canonical.clone();
        let ok = |p: &str, follow| resolve(&dir, p, follow).map(|r| r.path);
        assert_eq!(ok("a/b/file", true), Ok(root.join("a/b/file")));
        assert_eq!(ok("./a/../a/b/", true), Ok(root.join("a/b")));
        assert_eq!(ok("in/file", true), Ok(root.join("a/b/file")));
        assert_eq!(ok("in", false), Ok(root.join("in")));
        assert_eq!(ok("in", true), Ok(root.join("a/b")));
        assert_eq!(ok("abs_in/b/file", true), Ok(root.join("a/b/file")));
        assert_eq!(ok("a/..", true), Ok(root.clone()));
        assert_eq!(ok(".", true), Ok(root.clone()));
        assert_eq!(ok("new", true), Ok(root.join("new")));
        assert_eq!(ok("dangling", true), Ok(root.join("new")));
        assert_eq!(
            resolve(&dir, "a/b/..", true).map(|r| r.named),
            Ok(false),
            "`..` names no entry"
        );
    }

    #[test]
    fn refuses_escapes() {
        let (_tmp, dir) = sandbox();
        let err = |p: &str, follow| resolve(&dir, p, follow).unwrap_err();
        assert_eq!(err("..", true), ERRNO_PERM);
        assert_eq!(err("../outside/secret", true), ERRNO_PERM);
        assert_eq!(err("a/../../outside", false), ERRNO_PERM);
        assert_eq!(err("/etc/passwd", true), ERRNO_PERM);
        assert_eq!(err("out/secret", true), ERRNO_PERM);
        assert_eq!(err("out", true), ERRNO_PERM);
        assert_eq!(err("abs_out", true), ERRNO_PERM);
        assert_eq!(err("up/outside", true), ERRNO_PERM);
        assert_eq!(err("in/../../up", true), ERRNO_PERM);
        assert_eq!(err("loop", true), ERRNO_LOOP);
        assert_eq!(err("file/x", true), ERRNO_NOTDIR);
        assert_eq!(err("nope/x", true), ERRNO_NOENT);
        assert_eq!(err("", true), ERRNO_NOENT);
        // Not following the last link is fine: the link itself is inside.
        assert!(resolve(&dir, "out", false).is_ok());
    }

    #[test]
    fn subdirectory_descriptors_are_their_own_root() {
        let (_tmp, dir) = sandbox();
        let sub = DirFd::opened(resolve(&dir, "a", true).unwrap().path);
        assert_eq!(
            resolve(&sub, "b/../b/file", true).map(|r| r.path),
            Ok(dir.root.canonical.join("a/b/file"))
        );
        assert_eq!(resolve(&sub, "..", true).unwrap_err(), ERRNO_PERM);
        assert_eq!(resolve(&sub, "../file", true).unwrap_err(), ERRNO_PERM);
    }

    #[test]
    fn trailing_slashes_ask_for_a_directory() {
        let (_tmp, dir) = sandbox();
        let r = resolve(&dir, "a/", false).unwrap();
        assert!(r.slash && r.named);
        assert_eq!(resolve(&dir, "file/", false).unwrap_err(), ERRNO_NOTDIR);
        // The slash follows a final link.
        let root = dir.root.canonical.clone();
        assert_eq!(
            resolve(&dir, "in/", false).map(|r| r.path),
            Ok(root.join("a/b"))
        );
        assert!(resolve(&dir, "new/", false).is_ok_and(|r| r.slash));
    }
}
