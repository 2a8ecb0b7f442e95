//! Scenario tests of the fd and path functions against a temporary preopen, calling them
//! directly on a byte buffer standing in for guest memory.

use super::fd::*;
use super::mem::GuestMem;
use super::path::*;
use super::rights::*;
use super::*;
use std::path::PathBuf;

/// A fresh directory under the system temp dir, removed on drop.
pub(crate) struct TempDir(pub(crate) PathBuf);

impl TempDir {
    pub(crate) fn new(tag: &str) -> Self {
        use std::sync::atomic::{AtomicU32, Ordering};
        static N: AtomicU32 = AtomicU32::new(0);
        let n = N.fetch_add(1, Ordering::Relaxed);
        let dir =
            std::env::temp_dir().join(format!("regwasm-wasi-{tag}-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

const PREOPEN: u32 = 3;
const PATH: u32 = 0;
const PATH2: u32 = 128;
const IOVEC: u32 = 256;
const RESULT: u32 = 264;
const DATA: u32 = 512;

const READ: u64 = RIGHTS_FD_READ;
const WRITE: u64 = RIGHTS_FD_WRITE;
const CREAT: u32 = 1;
const DIRECTORY: u32 = 2;
const EXCL: u32 = 4;
const TRUNC: u32 = 8;
const FOLLOW: u32 = 1;

/// A context with `tmp` preopened as `/d` (fd 3), and 4 KiB of guest memory.
struct Env {
    ctx: WasiCtx,
    mem: Vec<u8>,
    tmp: TempDir,
}

impl Env {
    fn new(tag: &str) -> Self {
        let tmp = TempDir::new(tag);
        let ctx = WasiCtxBuilder::new()
            .preopened_dir(&tmp.0, "/d")
            .capture_stdout()
            .build()
            .unwrap();
        Env {
            ctx,
            mem: vec![0; 4096],
            tmp,
        }
    }

    fn call(
        &mut self,
        f: impl FnOnce(&mut WasiCtx, &mut GuestMem) -> Result<(), Errno>,
    ) -> Result<(), Errno> {
        f(&mut self.ctx, &mut GuestMem::new(&mut self.mem))
    }

    /// Puts `s` at `ptr` and returns `(ptr, len)`.
    fn put(&mut self, ptr: u32, s: &str) -> (u32, u32) {
        self.mem[ptr as usize..][..s.len()].copy_from_slice(s.as_bytes());
        (ptr, s.len() as u32)
    }

    fn u32_at(&self, ptr: u32) -> u32 {
        u32::from_le_bytes(self.mem[ptr as usize..][..4].try_into().unwrap())
    }

    fn u64_at(&self, ptr: u32) -> u64 {
        u64::from_le_bytes(self.mem[ptr as usize..][..8].try_into().unwrap())
    }

    fn open(
        &mut self,
        dir: u32,
        path: &str,
        oflags: u32,
        rights: u64,
        fdflags: u32,
    ) -> Result<u32, Errno> {
        self.open_with(dir, FOLLOW, path, oflags, rights, fdflags)
    }

    fn open_with(
        &mut self,
        dir: u32,
        lookup: u32,
        path: &str,
        oflags: u32,
        rights: u64,
        fdflags: u32,
    ) -> Result<u32, Errno> {
        let (p, n) = self.put(PATH, path);
        self.call(|c, m| {
            path_open(
                c,
                m,
                [dir, lookup, p, n, oflags],
                rights,
                0,
                fdflags,
                RESULT,
            )
        })?;
        Ok(self.u32_at(RESULT))
    }

    fn write(&mut self, fd: u32, data: &str) -> Result<u32, Errno> {
        self.put(DATA, data);
        self.set_iovec(data.len() as u32);
        self.call(|c, m| fd_write(c, m, fd, IOVEC, 1, RESULT))?;
        Ok(self.u32_at(RESULT))
    }

    fn set_iovec(&mut self, len: u32) {
        self.mem[IOVEC as usize..][..4].copy_from_slice(&DATA.to_le_bytes());
        self.mem[IOVEC as usize + 4..][..4].copy_from_slice(&len.to_le_bytes());
    }

    fn data(&self, len: u32) -> String {
        String::from_utf8(self.mem[DATA as usize..][..len as usize].to_vec()).unwrap()
    }

    fn read(&mut self, fd: u32, len: u32) -> Result<String, Errno> {
        self.set_iovec(len);
        self.call(|c, m| fd_read(c, m, fd, IOVEC, 1, RESULT))?;
        Ok(self.data(self.u32_at(RESULT)))
    }

    /// `(filetype, size)` of a path.
    fn stat(&mut self, path: &str, flags: u32) -> Result<(u8, u64), Errno> {
        let (p, n) = self.put(PATH, path);
        self.call(|c, m| path_filestat_get(c, m, PREOPEN, flags, p, n, DATA))?;
        Ok((self.mem[DATA as usize + 16], self.u64_at(DATA + 32)))
    }

    fn path_op(
        &mut self,
        f: fn(&mut WasiCtx, &mut GuestMem, u32, u32, u32) -> Result<(), Errno>,
        path: &str,
    ) -> Result<(), Errno> {
        let (p, n) = self.put(PATH, path);
        self.call(|c, m| f(c, m, PREOPEN, p, n))
    }

    fn host(&self, rel: &str) -> PathBuf {
        self.tmp.0.join(rel)
    }
}

#[test]
fn file_io() {
    let mut env = Env::new("file-io");
    let fd = env.open(PREOPEN, "f.txt", CREAT, READ | WRITE, 0).unwrap();
    assert_eq!(fd, 4);
    assert_eq!(env.write(fd, "hello world"), Ok(11));
    assert_eq!(env.call(|c, m| fd_tell(c, m, fd, RESULT)), Ok(()));
    assert_eq!(env.u64_at(RESULT), 11);
    assert_eq!(
        env.call(|c, m| fd_seek(c, m, fd, -5i64 as u64, 1, RESULT)),
        Ok(())
    );
    assert_eq!(env.u64_at(RESULT), 6);
    assert_eq!(env.read(fd, 100).as_deref(), Ok("world"));
    assert_eq!(env.read(fd, 100).as_deref(), Ok(""));
    assert_eq!(
        env.call(|c, m| fd_seek(c, m, fd, -1i64 as u64, 0, RESULT)),
        Err(ERRNO_INVAL)
    );
    assert_eq!(
        env.call(|c, m| fd_seek(c, m, fd, 0, 3, RESULT)),
        Err(ERRNO_INVAL)
    );

    // Positioned I/O leaves the position alone.
    env.set_iovec(4);
    assert_eq!(
        env.call(|c, m| fd_pread(c, m, fd, IOVEC, 1, 2, RESULT)),
        Ok(())
    );
    assert_eq!(env.data(env.u32_at(RESULT)), "llo ");
    env.put(DATA, "J");
    env.set_iovec(1);
    assert_eq!(
        env.call(|c, m| fd_pwrite(c, m, fd, IOVEC, 1, 0, RESULT)),
        Ok(())
    );
    assert_eq!(env.call(|c, m| fd_tell(c, m, fd, RESULT)), Ok(()));
    assert_eq!(env.u64_at(RESULT), 11);
    assert_eq!(
        std::fs::read_to_string(env.host("f.txt")).unwrap(),
        "Jello world"
    );

    assert_eq!(env.call(|c, m| fd_filestat_get(c, m, fd, DATA)), Ok(()));
    assert_eq!(
        (env.mem[DATA as usize + 16], env.u64_at(DATA + 32)),
        (FILETYPE_REGULAR_FILE, 11)
    );
    assert_eq!(env.call(|c, m| fd_fdstat_get(c, m, fd, DATA)), Ok(()));
    assert_eq!(env.mem[DATA as usize], FILETYPE_REGULAR_FILE);
    // fd_allocate grows, never shrinks.
    assert_eq!(env.call(|c, m| fd_allocate(c, m, fd, 20, 10)), Ok(()));
    assert_eq!(env.stat("f.txt", 0), Ok((FILETYPE_REGULAR_FILE, 30)));
    assert_eq!(env.call(|c, m| fd_allocate(c, m, fd, 0, 1)), Ok(()));
    assert_eq!(env.stat("f.txt", 0), Ok((FILETYPE_REGULAR_FILE, 30)));
    assert_eq!(
        env.call(|c, m| fd_allocate(c, m, fd, u64::MAX, 2)),
        Err(ERRNO_FBIG)
    );
    assert_eq!(env.call(|c, m| fd_filestat_set_size(c, m, fd, 5)), Ok(()));
    assert_eq!(env.stat("f.txt", 0), Ok((FILETYPE_REGULAR_FILE, 5)));
    assert_eq!(
        env.call(|c, m| fd_filestat_set_times(c, m, fd, 0, 1_000_000_000, 4)),
        Ok(())
    );
    let mtime = std::fs::metadata(env.host("f.txt"))
        .unwrap()
        .modified()
        .unwrap();
    assert_eq!(
        mtime,
        std::time::UNIX_EPOCH + std::time::Duration::from_secs(1)
    );
    assert_eq!(
        env.call(|c, m| fd_filestat_set_times(c, m, fd, 0, 0, 3)),
        Err(ERRNO_INVAL)
    );

    assert_eq!(env.call(|c, m| fd_close(c, m, fd)), Ok(()));
    assert_eq!(env.call(|c, m| fd_close(c, m, fd)), Err(ERRNO_BADF));
    assert_eq!(env.read(fd, 1), Err(ERRNO_BADF));
    assert_eq!(env.write(fd, "x"), Err(ERRNO_BADF));
}

#[test]
fn open_flags() {
    let mut env = Env::new("open-flags");
    std::fs::write(env.host("f"), "content").unwrap();
    std::fs::create_dir(env.host("dir")).unwrap();
    assert_eq!(
        env.open(PREOPEN, "f", CREAT | EXCL, WRITE, 0),
        Err(ERRNO_EXIST)
    );
    assert_eq!(
        env.open(PREOPEN, "f", DIRECTORY, READ, 0),
        Err(ERRNO_NOTDIR)
    );
    assert_eq!(env.open(PREOPEN, "missing", 0, READ, 0), Err(ERRNO_NOENT));
    assert_eq!(env.open(PREOPEN, "dir", 0, WRITE, 0), Err(ERRNO_ISDIR));
    assert_eq!(
        env.open(PREOPEN, "new", CREAT | DIRECTORY, 0, 0),
        Err(ERRNO_INVAL)
    );
    assert_eq!(env.open(PREOPEN, "../f", 0, READ, 0), Err(ERRNO_PERM));
    assert_eq!(env.open(PREOPEN, "/f", 0, READ, 0), Err(ERRNO_PERM));
    assert_eq!(env.open(0, "f", 0, READ, 0), Err(ERRNO_BADF), "a stream");
    assert_eq!(env.open(99, "f", 0, READ, 0), Err(ERRNO_BADF));
    assert_eq!(env.open(PREOPEN, "f", 0x10, READ, 0), Err(ERRNO_INVAL));
    assert_eq!(env.open(PREOPEN, "f", 0, READ, 0x20), Err(ERRNO_INVAL));
    assert_eq!(env.open(PREOPEN, "f", 0, READ, 16), Err(ERRNO_NOTSUP));
    assert_eq!(env.open(PREOPEN, "f/", 0, READ, 0), Err(ERRNO_NOTDIR));
    assert_eq!(env.open(PREOPEN, "g/", CREAT, WRITE, 0), Err(ERRNO_ISDIR));

    // Read-only: writing is BADF.
    let fd = env.open(PREOPEN, "f", 0, READ, 0).unwrap();
    assert_eq!(env.write(fd, "x"), Err(ERRNO_BADF));
    assert_eq!(env.read(fd, 3).as_deref(), Ok("con"));
    assert_eq!(
        env.call(|c, m| fd_filestat_set_size(c, m, fd, 0)),
        Err(ERRNO_INVAL)
    );

    // Append: writes land at the end whatever the position, pwrite too.
    let fd = env.open(PREOPEN, "f", 0, WRITE, 1).unwrap();
    assert_eq!(env.read(fd, 1), Err(ERRNO_BADF), "write-only");
    assert_eq!(env.call(|c, m| fd_fdstat_get(c, m, fd, DATA)), Ok(()));
    assert_eq!(env.mem[DATA as usize + 2], 1, "append flag");
    assert_eq!(env.u64_at(DATA + 8), file_rights(false, true));
    assert_eq!(env.write(fd, "!"), Ok(1));
    env.put(DATA, "?");
    env.set_iovec(1);
    assert_eq!(
        env.call(|c, m| fd_pwrite(c, m, fd, IOVEC, 1, 0, RESULT)),
        Ok(())
    );
    assert_eq!(std::fs::read_to_string(env.host("f")).unwrap(), "content!?");
    assert_eq!(env.call(|c, m| fd_tell(c, m, fd, RESULT)), Ok(()));
    assert_eq!(env.u64_at(RESULT), 8, "pwrite leaves the position alone");
    // Append switched off: writes land at the position again.
    assert_eq!(env.call(|c, m| fd_fdstat_set_flags(c, m, fd, 0)), Ok(()));
    assert_eq!(env.call(|c, m| fd_seek(c, m, fd, 0, 0, RESULT)), Ok(()));
    assert_eq!(env.write(fd, "C"), Ok(1));
    assert_eq!(std::fs::read_to_string(env.host("f")).unwrap(), "Content!?");
    assert_eq!(
        env.call(|c, m| fd_fdstat_set_flags(c, m, fd, 16)),
        Err(ERRNO_INVAL)
    );

    // Create, truncate and append at once (issue 18).
    let fd = env.open(PREOPEN, "f", CREAT | TRUNC, WRITE, 1).unwrap();
    assert_eq!(env.write(fd, "ab"), Ok(2));
    assert_eq!(std::fs::read_to_string(env.host("f")).unwrap(), "ab");

    // Truncate.
    let fd = env.open(PREOPEN, "f", TRUNC, WRITE, 0).unwrap();
    assert_eq!(env.write(fd, "new"), Ok(3));
    assert_eq!(std::fs::read_to_string(env.host("f")).unwrap(), "new");

    // Descriptors are reused lowest first.
    assert_eq!(env.call(|c, m| fd_close(c, m, 4)), Ok(()));
    assert_eq!(env.open(PREOPEN, "f", 0, READ, 0), Ok(4));
}

#[test]
fn directories() {
    let mut env = Env::new("dirs");
    assert_eq!(env.path_op(path_create_directory, "sub"), Ok(()));
    assert_eq!(env.path_op(path_create_directory, "sub"), Err(ERRNO_EXIST));
    assert_eq!(env.path_op(path_create_directory, "."), Err(ERRNO_EXIST));
    assert_eq!(env.path_op(path_create_directory, "../x"), Err(ERRNO_PERM));
    assert_eq!(env.stat("sub", 0).map(|s| s.0), Ok(FILETYPE_DIRECTORY));

    let dir = env.open(PREOPEN, "sub", DIRECTORY, READ, 0).unwrap();
    let file = env.open(dir, "inner", CREAT, WRITE, 0).unwrap();
    assert_eq!(env.write(file, "x"), Ok(1));
    assert!(env.host("sub/inner").exists());
    // A subdirectory's descriptor is a sandbox of its own: `..` cannot leave it.
    assert!(env.open(dir, "./inner", 0, READ, 0).is_ok());
    assert_eq!(env.open(dir, "../sub/inner", 0, READ, 0), Err(ERRNO_PERM));
    assert_eq!(env.open(dir, "../../x", 0, READ, 0), Err(ERRNO_PERM));
    assert_eq!(env.read(dir, 1), Err(ERRNO_BADF));
    assert_eq!(
        env.call(|c, m| fd_seek(c, m, dir, 0, 0, RESULT)),
        Err(ERRNO_BADF)
    );
    // Its rights are a directory's, whatever was asked for; the preopen's are its own.
    assert_eq!(env.call(|c, m| fd_fdstat_get(c, m, dir, DATA)), Ok(()));
    assert_eq!(
        (
            env.mem[DATA as usize],
            env.u64_at(DATA + 8),
            env.u64_at(DATA + 16)
        ),
        (FILETYPE_DIRECTORY, RIGHTS_DIR, RIGHTS_DIR)
    );
    assert_eq!(env.call(|c, m| fd_fdstat_get(c, m, PREOPEN, DATA)), Ok(()));
    assert_eq!(
        (env.u64_at(DATA + 8), env.u64_at(DATA + 16)),
        (RIGHTS_PREOPEN_BASE, RIGHTS_PREOPEN_INHERITING)
    );
    assert_eq!(RIGHTS_PREOPEN_BASE, 0x7b7_fe00, "as wasmtime reports");
    assert_eq!(RIGHTS_PREOPEN_INHERITING, 0xff7_ffff, "as wasmtime reports");
    assert_eq!(RIGHTS_DIR, 0x3fb7_ffbb, "as wasmtime reports");
    // Opened with the preopen's own base rights, as Rust's std does; with `fd_write` it is not.
    assert!(env
        .open(PREOPEN, "sub", DIRECTORY, RIGHTS_PREOPEN_BASE, 0)
        .is_ok());
    let inheriting = RIGHTS_PREOPEN_INHERITING;
    assert_eq!(
        env.open(PREOPEN, "sub", DIRECTORY, inheriting, 0),
        Err(ERRNO_ISDIR)
    );
    assert_eq!(env.open(PREOPEN, "sub", 0, RIGHTS_ALL, 0), Err(ERRNO_ISDIR));

    assert_eq!(
        env.path_op(path_remove_directory, "sub"),
        Err(ERRNO_NOTEMPTY)
    );
    assert_eq!(env.path_op(path_unlink_file, "sub"), Err(ERRNO_ISDIR));
    assert_eq!(
        env.path_op(path_remove_directory, "sub/inner"),
        Err(ERRNO_NOTDIR)
    );
    assert_eq!(env.path_op(path_remove_directory, "."), Err(ERRNO_INVAL));

    let (old, old_len) = env.put(PATH, "sub/inner");
    let (new, new_len) = env.put(PATH2, "moved");
    let rename = |c: &mut WasiCtx, m: &mut GuestMem| {
        path_rename(c, m, PREOPEN, old, old_len, PREOPEN, new, new_len)
    };
    assert_eq!(env.call(rename), Ok(()));
    assert!(env.host("moved").exists() && !env.host("sub/inner").exists());
    assert_eq!(env.call(rename), Err(ERRNO_NOENT));

    assert_eq!(env.path_op(path_remove_directory, "sub"), Ok(()));
    assert_eq!(env.path_op(path_unlink_file, "moved"), Ok(()));
    assert_eq!(env.path_op(path_unlink_file, "moved"), Err(ERRNO_NOENT));
}

#[test]
fn readdir_layout_and_cookies() {
    let mut env = Env::new("readdir");
    std::fs::write(env.host("bb"), "").unwrap();
    std::fs::create_dir(env.host("a")).unwrap();
    let readdir = |env: &mut Env, len: u32, cookie: u64| {
        env.call(|c, m| fd_readdir(c, m, PREOPEN, DATA, len, cookie, RESULT))
            .unwrap();
        env.u32_at(RESULT)
    };
    // ".", "..", "a", "bb": 4 headers of 24 bytes and 1 + 2 + 1 + 2 name bytes.
    assert_eq!(readdir(&mut env, 1000, 0), 4 * 24 + 6);
    let at = |i: u32| DATA + [0, 25, 51, 76][i as usize];
    for (i, (name, ty)) in [(".", 3), ("..", 3), ("a", 3), ("bb", 4)]
        .iter()
        .enumerate()
    {
        let d = at(i as u32);
        assert_eq!(env.u64_at(d), i as u64 + 1, "d_next of {name}");
        assert_eq!(env.u32_at(d + 16), name.len() as u32);
        assert_eq!(env.mem[d as usize + 20], *ty, "d_type of {name}");
        assert_eq!(&env.mem[d as usize + 24..][..name.len()], name.as_bytes());
    }
    // A full buffer is cut at its end; a later cookie resumes.
    assert_eq!(readdir(&mut env, 30, 0), 30);
    assert_eq!(readdir(&mut env, 1000, 3), 24 + 2);
    assert_eq!(&env.mem[DATA as usize + 24..][..2], b"bb");
    assert_eq!(readdir(&mut env, 1000, 4), 0);
    assert_eq!(readdir(&mut env, 1000, u64::MAX), 0);
    let file = env.open(PREOPEN, "bb", 0, READ, 0).unwrap();
    let r = env.call(|c, m| fd_readdir(c, m, file, DATA, 100, 0, RESULT));
    assert_eq!(r, Err(ERRNO_BADF));
    let r = env.call(|c, m| fd_readdir(c, m, PREOPEN, 4090, 100, 0, RESULT));
    assert_eq!(r, Err(ERRNO_FAULT));
}

#[cfg(unix)]
#[test]
fn symlinks() {
    let mut env = Env::new("symlinks");
    std::fs::write(env.host("target"), "data").unwrap();
    let (old, old_len) = env.put(PATH2, "target");
    let (new, new_len) = env.put(PATH, "link");
    assert_eq!(
        env.call(|c, m| path_symlink(c, m, old, old_len, PREOPEN, new, new_len)),
        Ok(())
    );
    let (abs, abs_len) = env.put(PATH2, "/etc/passwd");
    let r = env.call(|c, m| path_symlink(c, m, abs, abs_len, PREOPEN, new, new_len));
    assert_eq!(r, Err(ERRNO_PERM));

    let r = env.call(|c, m| path_readlink(c, m, PREOPEN, new, new_len, DATA, 100, RESULT));
    assert_eq!((r, env.data(env.u32_at(RESULT))), (Ok(()), "target".into()));
    let r = env.call(|c, m| path_readlink(c, m, PREOPEN, new, new_len, DATA, 3, RESULT));
    assert_eq!((r, env.data(env.u32_at(RESULT))), (Ok(()), "tar".into()));

    assert_eq!(env.stat("link", 0).map(|s| s.0), Ok(FILETYPE_SYMBOLIC_LINK));
    assert_eq!(env.stat("link", FOLLOW), Ok((FILETYPE_REGULAR_FILE, 4)));
    assert_eq!(
        env.open_with(PREOPEN, 0, "link", 0, READ, 0),
        Err(ERRNO_LOOP)
    );
    let fd = env.open(PREOPEN, "link", 0, READ, 0).unwrap();
    assert_eq!(env.read(fd, 10).as_deref(), Ok("data"));

    // A link leading out exists but cannot be followed.
    std::os::unix::fs::symlink("..", env.host("up")).unwrap();
    assert_eq!(env.stat("up", 0).map(|s| s.0), Ok(FILETYPE_SYMBOLIC_LINK));
    assert_eq!(env.stat("up", FOLLOW), Err(ERRNO_PERM));
    assert_eq!(env.open(PREOPEN, "up", DIRECTORY, READ, 0), Err(ERRNO_PERM));
    assert_eq!(env.path_op(path_create_directory, "up/x"), Err(ERRNO_PERM));
    // Removing the link removes the link only.
    assert_eq!(env.path_op(path_unlink_file, "up"), Ok(()));
    assert!(env.tmp.0.exists());
}

#[test]
fn preopens_and_stdio() {
    let mut env = Env::new("prestat");
    assert_eq!(env.call(|c, m| fd_prestat_get(c, m, PREOPEN, DATA)), Ok(()));
    assert_eq!((env.mem[DATA as usize], env.u32_at(DATA + 4)), (0, 2));
    assert_eq!(
        env.call(|c, m| fd_prestat_dir_name(c, m, PREOPEN, DATA, 2)),
        Ok(())
    );
    assert_eq!(env.data(2), "/d");
    let r = env.call(|c, m| fd_prestat_dir_name(c, m, PREOPEN, DATA, 1));
    assert_eq!(r, Err(ERRNO_NAMETOOLONG));
    assert_eq!(
        env.call(|c, m| fd_prestat_get(c, m, 1, DATA)),
        Err(ERRNO_BADF)
    );
    assert_eq!(
        env.call(|c, m| fd_prestat_get(c, m, 4, DATA)),
        Err(ERRNO_BADF)
    );

    assert_eq!(env.read(1, 1), Err(ERRNO_BADF));
    assert_eq!(env.write(0, "x"), Err(ERRNO_BADF));
    assert_eq!(env.read(0, 10).as_deref(), Ok(""));
    assert_eq!(
        env.call(|c, m| fd_seek(c, m, 1, 0, 0, RESULT)),
        Err(ERRNO_SPIPE)
    );
    // A captured stream is no terminal: of unknown type, with only its one right.
    assert_eq!(env.call(|c, m| fd_fdstat_get(c, m, 1, DATA)), Ok(()));
    assert_eq!(
        (env.mem[DATA as usize], env.u64_at(DATA + 8)),
        (FILETYPE_UNKNOWN, RIGHTS_FD_WRITE)
    );
    assert_eq!(
        env.call(|c, m| fd_fdstat_set_flags(c, m, 1, 0)),
        Err(ERRNO_BADF)
    );
    // Rights can be taken away, never given back.
    assert_eq!(
        env.call(|c, m| fd_fdstat_set_rights(c, m, 2, RIGHTS_FD_READ, 0)),
        Err(ERRNO_NOTCAPABLE)
    );
    assert_eq!(env.call(|c, m| fd_fdstat_set_rights(c, m, 2, 0, 0)), Ok(()));
    assert_eq!(env.write(2, "x"), Err(ERRNO_BADF));
    assert_eq!(env.call(|c, m| fd_fdstat_get(c, m, 2, DATA)), Ok(()));
    assert_eq!(env.u64_at(DATA + 8), 0);

    // Renumbering a file onto stdout sends stdout's writes to the file.
    let fd = env.open(PREOPEN, "out", CREAT, WRITE, 0).unwrap();
    assert_eq!(env.write(1, "to stdout"), Ok(9));
    assert_eq!(env.call(|c, m| fd_renumber(c, m, fd, 1)), Ok(()));
    assert_eq!(env.write(1, "to file"), Ok(7));
    assert_eq!(env.write(fd, "x"), Err(ERRNO_BADF));
    assert_eq!(env.call(|c, m| fd_renumber(c, m, 1, 77)), Err(ERRNO_BADF));
    assert_eq!(env.ctx.stdout_captured(), b"to stdout");
    assert_eq!(std::fs::read_to_string(env.host("out")).unwrap(), "to file");
}

#[test]
fn ctx_can_move_between_threads() {
    fn check<T: Send + Sync>() {}
    check::<WasiCtx>();
}
