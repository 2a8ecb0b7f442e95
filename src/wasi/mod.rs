//! WASI preview 1 (`wasi_snapshot_preview1`): host functions that give a module arguments,
//! environment variables, clocks, randomness, standard streams and files under preopened
//! directories.
//!
//! ```no_run
//! use regwasm::wasi::{self, WasiCtx, WasiCtxBuilder};
//! use regwasm::{Engine, Linker, Module, Store};
//!
//! let engine = Engine::default();
//! let module = Module::new(&engine, std::fs::read("hello.wasm").unwrap()).unwrap();
//! let ctx = WasiCtxBuilder::new().arg("hello.wasm").capture_stdout().build().unwrap();
//! let mut store = Store::new(&engine, ctx);
//! let mut linker = Linker::new(&engine);
//! wasi::add_to_linker(&mut linker, |ctx: &mut WasiCtx| ctx);
//! let instance = linker.instantiate(&mut store, &module).unwrap();
//! let start = instance.get_typed_func::<(), ()>(&store, "_start").unwrap();
//! match start.call(&mut store, ()) {
//!     Ok(()) => {}
//!     Err(e) => assert_eq!(wasi::exit_code(&e), Some(0)),
//! }
//! print!("{}", String::from_utf8_lossy(store.data().stdout_captured()));
//! ```
//!
//! Files are reachable only through preopened directories: every guest path is resolved component
//! by component below the directory descriptor it is relative to, and symbolic links are
//! expanded by the resolver itself, so that neither `..` nor a link can leave that directory;
//! such paths, and absolute ones, fail with `ERRNO_PERM` (as the conformance suite and wasmtime
//! expect). Rights are reported as wasmtime
//! reports them — what each kind of descriptor can do — and, as there, the rights asked of
//! `path_open` choose a file's access mode rather than being refused. Rights the guest takes
//! away with `fd_fdstat_set_rights` are enforced and inherited. `docs/wasi.md` has the details
//! and the deliberate differences from wasmtime.

mod clock;
mod fd;
mod mem;
mod path;
mod proc;
mod random;
mod rights;
mod sock;
#[cfg(test)]
mod tests;

use crate::{Caller, Error, Extern, Linker, Trap};
use fd::{FdEntry, FdTable, Input, Output};
use mem::GuestMem;
use std::fmt;
use std::path::PathBuf;

/// The module name every preview-1 function is imported from.
pub const MODULE: &str = "wasi_snapshot_preview1";

/// A WASI error number (`errno`, a `u16` in the ABI).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Errno(pub u16);

macro_rules! errnos {
    ($($name:ident = $value:expr;)*) => {
        $(
            #[doc = concat!("`errno` ", stringify!($value), ", `", stringify!($name), "` in the preview-1 ABI.")]
            pub const $name: Errno = Errno($value);
        )*
    };
}
errnos! {
    ERRNO_SUCCESS = 0; ERRNO_2BIG = 1; ERRNO_ACCES = 2; ERRNO_ADDRINUSE = 3; ERRNO_ADDRNOTAVAIL = 4;
    ERRNO_AFNOSUPPORT = 5; ERRNO_AGAIN = 6; ERRNO_ALREADY = 7; ERRNO_BADF = 8; ERRNO_BADMSG = 9;
    ERRNO_BUSY = 10; ERRNO_CANCELED = 11; ERRNO_CHILD = 12; ERRNO_CONNABORTED = 13;
    ERRNO_CONNREFUSED = 14; ERRNO_CONNRESET = 15; ERRNO_DEADLK = 16; ERRNO_DESTADDRREQ = 17;
    ERRNO_DOM = 18; ERRNO_DQUOT = 19; ERRNO_EXIST = 20; ERRNO_FAULT = 21; ERRNO_FBIG = 22;
    ERRNO_HOSTUNREACH = 23; ERRNO_IDRM = 24; ERRNO_ILSEQ = 25; ERRNO_INPROGRESS = 26;
    ERRNO_INTR = 27; ERRNO_INVAL = 28; ERRNO_IO = 29; ERRNO_ISCONN = 30; ERRNO_ISDIR = 31;
    ERRNO_LOOP = 32; ERRNO_MFILE = 33; ERRNO_MLINK = 34; ERRNO_MSGSIZE = 35; ERRNO_MULTIHOP = 36;
    ERRNO_NAMETOOLONG = 37; ERRNO_NETDOWN = 38; ERRNO_NETRESET = 39; ERRNO_NETUNREACH = 40;
    ERRNO_NFILE = 41; ERRNO_NOBUFS = 42; ERRNO_NODEV = 43; ERRNO_NOENT = 44; ERRNO_NOEXEC = 45;
    ERRNO_NOLCK = 46; ERRNO_NOLINK = 47; ERRNO_NOMEM = 48; ERRNO_NOMSG = 49; ERRNO_NOPROTOOPT = 50;
    ERRNO_NOSPC = 51; ERRNO_NOSYS = 52; ERRNO_NOTCONN = 53; ERRNO_NOTDIR = 54;
    ERRNO_NOTEMPTY = 55; ERRNO_NOTRECOVERABLE = 56; ERRNO_NOTSOCK = 57; ERRNO_NOTSUP = 58;
    ERRNO_NOTTY = 59; ERRNO_NXIO = 60; ERRNO_OVERFLOW = 61; ERRNO_OWNERDEAD = 62; ERRNO_PERM = 63;
    ERRNO_PIPE = 64; ERRNO_PROTO = 65; ERRNO_PROTONOSUPPORT = 66; ERRNO_PROTOTYPE = 67;
    ERRNO_RANGE = 68; ERRNO_ROFS = 69; ERRNO_SPIPE = 70; ERRNO_SRCH = 71; ERRNO_STALE = 72;
    ERRNO_TIMEDOUT = 73; ERRNO_TXTBSY = 74; ERRNO_XDEV = 75; ERRNO_NOTCAPABLE = 76;
}

impl From<std::io::Error> for Errno {
    fn from(e: std::io::Error) -> Errno {
        io_errno(&e)
    }
}

/// Maps a host I/O error to the closest WASI errno.
pub fn io_errno(e: &std::io::Error) -> Errno {
    use std::io::ErrorKind as K;
    // Linux numbers first: they tell apart cases that `ErrorKind` lumps together.
    #[cfg(target_os = "linux")]
    if let Some(code) = e.raw_os_error() {
        let mapped = match code {
            1 => Some(ERRNO_PERM),
            2 => Some(ERRNO_NOENT),
            5 => Some(ERRNO_IO),
            9 => Some(ERRNO_BADF),
            13 => Some(ERRNO_ACCES),
            16 => Some(ERRNO_BUSY),
            17 => Some(ERRNO_EXIST),
            18 => Some(ERRNO_XDEV),
            20 => Some(ERRNO_NOTDIR),
            21 => Some(ERRNO_ISDIR),
            22 => Some(ERRNO_INVAL),
            24 => Some(ERRNO_MFILE),
            27 => Some(ERRNO_FBIG),
            28 => Some(ERRNO_NOSPC),
            29 => Some(ERRNO_SPIPE),
            30 => Some(ERRNO_ROFS),
            31 => Some(ERRNO_MLINK),
            36 => Some(ERRNO_NAMETOOLONG),
            39 => Some(ERRNO_NOTEMPTY),
            40 => Some(ERRNO_LOOP),
            _ => None,
        };
        if let Some(errno) = mapped {
            return errno;
        }
    }
    match e.kind() {
        K::NotFound => ERRNO_NOENT,
        K::PermissionDenied => ERRNO_ACCES,
        K::AlreadyExists => ERRNO_EXIST,
        K::InvalidInput | K::InvalidData => ERRNO_INVAL,
        K::NotADirectory => ERRNO_NOTDIR,
        K::IsADirectory => ERRNO_ISDIR,
        K::DirectoryNotEmpty => ERRNO_NOTEMPTY,
        K::ReadOnlyFilesystem => ERRNO_ROFS,
        K::StorageFull => ERRNO_NOSPC,
        K::NotSeekable => ERRNO_SPIPE,
        K::FileTooLarge => ERRNO_FBIG,
        K::ResourceBusy => ERRNO_BUSY,
        K::CrossesDevices => ERRNO_XDEV,
        K::InvalidFilename => ERRNO_NAMETOOLONG,
        K::Interrupted => ERRNO_INTR,
        K::WouldBlock => ERRNO_AGAIN,
        K::BrokenPipe => ERRNO_PIPE,
        K::Unsupported => ERRNO_NOTSUP,
        K::OutOfMemory => ERRNO_NOMEM,
        _ => ERRNO_IO,
    }
}

/// The error a `proc_exit` call ends the running function with; read it back with
/// [`exit_code`] (or downcast [`Trap::host_error`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct I32Exit(pub i32);

impl fmt::Display for I32Exit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "exited with status {}", self.0)
    }
}

impl std::error::Error for I32Exit {}

/// The exit status when `err` is the trap of a WASI `proc_exit`.
pub fn exit_code(err: &Error) -> Option<i32> {
    match err {
        Error::Trap(trap) => trap_exit_code(trap),
        _ => None,
    }
}

/// The exit status when `trap` came from a WASI `proc_exit`.
pub fn trap_exit_code(trap: &Trap) -> Option<i32> {
    trap.host_error()?.downcast_ref::<I32Exit>().map(|e| e.0)
}

/// The state of one WASI instance: arguments, environment, open descriptors and the random
/// generator. Build it with [`WasiCtxBuilder`].
pub struct WasiCtx {
    args: Vec<String>,
    env: Vec<String>,
    fds: FdTable,
    stdout: Vec<u8>,
    stderr: Vec<u8>,
    rng: random::Rng,
}

impl WasiCtx {
    /// A context with nothing in it, put in place while a call has the real one out.
    fn placeholder() -> Self {
        Self {
            args: Vec::new(),
            env: Vec::new(),
            fds: FdTable::default(),
            stdout: Vec::new(),
            stderr: Vec::new(),
            rng: random::Rng::from_seed(1),
        }
    }

    /// What the guest wrote to a captured stdout ([`WasiCtxBuilder::capture_stdout`]).
    pub fn stdout_captured(&self) -> &[u8] {
        &self.stdout
    }

    /// What the guest wrote to a captured stderr ([`WasiCtxBuilder::capture_stderr`]).
    pub fn stderr_captured(&self) -> &[u8] {
        &self.stderr
    }

    /// Takes the captured stdout, leaving it empty.
    pub fn take_stdout(&mut self) -> Vec<u8> {
        std::mem::take(&mut self.stdout)
    }

    /// Takes the captured stderr, leaving it empty.
    pub fn take_stderr(&mut self) -> Vec<u8> {
        std::mem::take(&mut self.stderr)
    }
}

/// Builds a [`WasiCtx`]. By default there are no arguments, no environment, stdin reads as
/// empty, stdout and stderr are discarded, and no directory is preopened.
#[derive(Default)]
pub struct WasiCtxBuilder {
    args: Vec<String>,
    env: Vec<(String, String)>,
    stdin: Input,
    stdout: Output,
    stderr: Output,
    preopens: Vec<(PathBuf, String)>,
}

impl WasiCtxBuilder {
    /// A builder for a context with no arguments, no environment, no preopened directories
    /// and empty stdio (see [`WasiCtxBuilder::inherit_stdio`]).
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends one argument; the first is conventionally the program name.
    pub fn arg(mut self, arg: impl Into<String>) -> Self {
        self.args.push(arg.into());
        self
    }

    /// Appends several arguments, in order.
    pub fn args<S: Into<String>>(mut self, args: impl IntoIterator<Item = S>) -> Self {
        self.args.extend(args.into_iter().map(Into::into));
        self
    }

    /// Adds the environment variable `key=value`.
    pub fn env(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.env.push((key.into(), value.into()));
        self
    }

    /// Stdin, stdout and stderr of the guest are the host process's own.
    pub fn inherit_stdio(mut self) -> Self {
        self.stdin = Input::Inherit;
        self.stdout = Output::Inherit;
        self.stderr = Output::Inherit;
        self
    }

    /// The guest reads `bytes` from stdin, then end of file.
    pub fn stdin_bytes(mut self, bytes: impl Into<Vec<u8>>) -> Self {
        self.stdin = Input::Bytes(std::io::Cursor::new(bytes.into()));
        self
    }

    /// Keeps what the guest writes to stdout in [`WasiCtx::stdout_captured`].
    pub fn capture_stdout(mut self) -> Self {
        self.stdout = Output::Capture;
        self
    }

    /// Keeps what the guest writes to stderr in [`WasiCtx::stderr_captured`].
    pub fn capture_stderr(mut self) -> Self {
        self.stderr = Output::Capture;
        self
    }

    /// Makes the host directory `host_path` visible to the guest as `guest_path`. Preopens get
    /// descriptors 3, 4, … in the order they are added.
    pub fn preopened_dir(
        mut self,
        host_path: impl Into<PathBuf>,
        guest_path: impl Into<String>,
    ) -> Self {
        self.preopens.push((host_path.into(), guest_path.into()));
        self
    }

    /// Builds the context; fails when a preopened directory cannot be opened.
    pub fn build(self) -> std::io::Result<WasiCtx> {
        let mut fds = FdTable::default();
        let full = |_| std::io::Error::other("too many preopened directories");
        fds.push(FdEntry::Stdin(self.stdin)).map_err(full)?;
        fds.push(FdEntry::Stdout(self.stdout)).map_err(full)?;
        fds.push(FdEntry::Stderr(self.stderr)).map_err(full)?;
        for (host, guest) in self.preopens {
            let dir = path::DirFd::preopen(&host, guest)?;
            fds.push(FdEntry::Dir(dir)).map_err(full)?;
        }
        Ok(WasiCtx {
            args: self.args,
            env: self
                .env
                .into_iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect(),
            fds,
            stdout: Vec::new(),
            stderr: Vec::new(),
            rng: random::Rng::from_entropy(),
        })
    }
}

/// Defines every `wasi_snapshot_preview1` function in `linker`; `get` finds the [`WasiCtx`] in
/// the store's host state. What cannot be offered answers as wasmtime does: `proc_raise` with
/// `ERRNO_NOTSUP`, the `sock_*` calls with `ERRNO_NOTSOCK` (no descriptor is a socket).
pub fn add_to_linker<T>(
    linker: &mut Linker<T>,
    get: impl Fn(&mut T) -> &mut WasiCtx + Send + Sync + Copy + 'static,
) {
    proc::add_to_linker(linker, get);
    clock::add_to_linker(linker, get);
    random::add_to_linker(linker, get);
    fd::add_to_linker(linker, get);
    path::add_to_linker(linker, get);
    // Signals: there is none to raise, as in wasmtime.
    linker.func_wrap(MODULE, "proc_raise", |_: Caller<'_, T>, _sig: u32| {
        ERRNO_NOTSUP.0 as i32
    });
    sock::add_to_linker(linker, get);
}

/// Runs one WASI call: `f` gets the context and the caller's exported `"memory"` (empty when
/// there is none, so every pointer faults); its errno becomes the call's result.
///
/// The context is moved out of the store for the call so that it and the memory can be borrowed
/// at once through the public API; nothing in between can panic or reenter.
fn with_ctx<T>(
    caller: &mut Caller<'_, T>,
    get: impl Fn(&mut T) -> &mut WasiCtx,
    f: impl FnOnce(&mut WasiCtx, &mut GuestMem<'_>) -> Result<(), Errno>,
) -> i32 {
    let memory = caller.get_export("memory").and_then(Extern::into_memory);
    let mut ctx = std::mem::replace(get(caller.data_mut()), WasiCtx::placeholder());
    let result = match memory {
        Some(memory) => f(
            &mut ctx,
            &mut GuestMem::new(memory.data_mut(caller.store())),
        ),
        None => f(&mut ctx, &mut GuestMem::new(&mut [])),
    };
    *get(caller.data_mut()) = ctx;
    match result {
        Ok(()) => 0,
        Err(errno) => errno.0 as i32,
    }
}

// Type and flag values of the preview-1 ABI shared by several topics.

pub(crate) const FILETYPE_UNKNOWN: u8 = 0;
pub(crate) const FILETYPE_CHARACTER_DEVICE: u8 = 2;
pub(crate) const FILETYPE_DIRECTORY: u8 = 3;
pub(crate) const FILETYPE_REGULAR_FILE: u8 = 4;
pub(crate) const FILETYPE_SYMBOLIC_LINK: u8 = 7;

pub(crate) const FDFLAGS_APPEND: u16 = 1;
pub(crate) const FDFLAGS_DSYNC: u16 = 2;
pub(crate) const FDFLAGS_NONBLOCK: u16 = 4;
pub(crate) const FDFLAGS_RSYNC: u16 = 8;
pub(crate) const FDFLAGS_SYNC: u16 = 16;

// The 30 rights of preview 1, bit by bit.
pub(crate) const RIGHTS_FD_DATASYNC: u64 = 1 << 0;
pub(crate) const RIGHTS_FD_READ: u64 = 1 << 1;
pub(crate) const RIGHTS_FD_SEEK: u64 = 1 << 2;
pub(crate) const RIGHTS_FD_FDSTAT_SET_FLAGS: u64 = 1 << 3;
pub(crate) const RIGHTS_FD_SYNC: u64 = 1 << 4;
pub(crate) const RIGHTS_FD_TELL: u64 = 1 << 5;
pub(crate) const RIGHTS_FD_WRITE: u64 = 1 << 6;
pub(crate) const RIGHTS_FD_ADVISE: u64 = 1 << 7;
pub(crate) const RIGHTS_FD_ALLOCATE: u64 = 1 << 8;
pub(crate) const RIGHTS_PATH_CREATE_DIRECTORY: u64 = 1 << 9;
pub(crate) const RIGHTS_PATH_CREATE_FILE: u64 = 1 << 10;
pub(crate) const RIGHTS_PATH_LINK_SOURCE: u64 = 1 << 11;
pub(crate) const RIGHTS_PATH_LINK_TARGET: u64 = 1 << 12;
pub(crate) const RIGHTS_PATH_OPEN: u64 = 1 << 13;
pub(crate) const RIGHTS_FD_READDIR: u64 = 1 << 14;
pub(crate) const RIGHTS_PATH_READLINK: u64 = 1 << 15;
pub(crate) const RIGHTS_PATH_RENAME_SOURCE: u64 = 1 << 16;
pub(crate) const RIGHTS_PATH_RENAME_TARGET: u64 = 1 << 17;
pub(crate) const RIGHTS_PATH_FILESTAT_GET: u64 = 1 << 18;
pub(crate) const RIGHTS_PATH_FILESTAT_SET_SIZE: u64 = 1 << 19;
pub(crate) const RIGHTS_PATH_FILESTAT_SET_TIMES: u64 = 1 << 20;
pub(crate) const RIGHTS_FD_FILESTAT_GET: u64 = 1 << 21;
pub(crate) const RIGHTS_FD_FILESTAT_SET_SIZE: u64 = 1 << 22;
pub(crate) const RIGHTS_FD_FILESTAT_SET_TIMES: u64 = 1 << 23;
pub(crate) const RIGHTS_PATH_SYMLINK: u64 = 1 << 24;
pub(crate) const RIGHTS_PATH_REMOVE_DIRECTORY: u64 = 1 << 25;
pub(crate) const RIGHTS_PATH_UNLINK_FILE: u64 = 1 << 26;
pub(crate) const RIGHTS_POLL_FD_READWRITE: u64 = 1 << 27;
// Bits 28 and 29 are `sock_shutdown` and `sock_accept`.
/// Every right defined by preview 1 (bits 0 to 29).
pub(crate) const RIGHTS_ALL: u64 = (1 << 30) - 1;
