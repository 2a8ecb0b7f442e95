//! WASI end to end: the C programs in `tests/wasi/` (built by `tests/wasi/build.sh`, committed
//! as `.wasm`) run through the API with captured output and through the `regwasm` binary, plus
//! small text modules for the error paths. The `wasi_*` programs are the conformance checks:
//! raw preview-1 calls with the errno a conforming runtime returns, their expected output
//! committed in `tests/wasi/expected/` (and compared with wasmtime's when it is installed).

use regwasm::wasi::{self, WasiCtx, WasiCtxBuilder};
use regwasm::{Engine, Linker, Module, Store};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

fn program(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("tests/wasi/{name}.wasm"))
}

/// A fresh directory under the system temp dir, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("regwasm-wasi-{tag}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.0.join(rel)
    }

    fn str(&self) -> &str {
        self.0.to_str().unwrap()
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

struct Outcome {
    code: i32,
    stdout: String,
    stderr: String,
}

/// Runs `_start` of a module with `ctx` (stdout and stderr captured) through the API.
fn run_api(wasm: impl AsRef<[u8]>, ctx: WasiCtxBuilder) -> Outcome {
    let engine = Engine::default();
    let module = Module::new(&engine, wasm).unwrap();
    let ctx = ctx.capture_stdout().capture_stderr().build().unwrap();
    let mut store = Store::new(&engine, ctx);
    let mut linker = Linker::new(&engine);
    wasi::add_to_linker(&mut linker, |ctx: &mut WasiCtx| ctx);
    let instance = linker.instantiate(&mut store, &module).unwrap();
    let start = instance.get_typed_func::<(), ()>(&store, "_start").unwrap();
    let code = match start.call(&mut store, ()) {
        Ok(()) => 0,
        Err(e) => wasi::exit_code(&e).unwrap_or_else(|| panic!("not an exit: {e}")),
    };
    let text = |b: &[u8]| String::from_utf8(b.to_vec()).unwrap();
    Outcome {
        code,
        stdout: text(store.data().stdout_captured()),
        stderr: text(store.data().stderr_captured()),
    }
}

fn run_program(name: &str, ctx: WasiCtxBuilder) -> Outcome {
    run_api(fs::read(program(name)).unwrap(), ctx)
}

/// Runs `regwasm run ARGS…`.
fn run_cli(args: &[&str]) -> Outcome {
    let out = Command::new(env!("CARGO_BIN_EXE_regwasm"))
        .arg("run")
        .args(args)
        .output()
        .unwrap();
    Outcome {
        code: out.status.code().expect("killed by a signal"),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}

fn cli_program(flags: &[&str], name: &str, args: &[&str]) -> Outcome {
    let path = program(name);
    let mut all: Vec<&str> = flags.to_vec();
    all.push(path.to_str().unwrap());
    all.extend(args);
    run_cli(&all)
}

#[test]
fn hello() {
    let out = run_program("hello", WasiCtxBuilder::new());
    assert_eq!((out.code, out.stdout.as_str()), (0, "Hello, world!\n"));
    let out = cli_program(&[], "hello", &[]);
    assert_eq!((out.code, out.stdout.as_str()), (0, "Hello, world!\n"));
    assert_eq!(out.stderr, "");
}

#[test]
fn args_and_env() {
    let ctx = WasiCtxBuilder::new()
        .args(["args_env", "one", "two words"])
        .env("GREETING", "hi there")
        .env("OTHER", "x");
    let out = run_program("args_env", ctx);
    assert_eq!(out.code, 0);
    assert_eq!(
        out.stdout,
        "argc=3\nargv[0]=args_env\nargv[1]=one\nargv[2]=two words\nGREETING=hi there\n"
    );
    let out = run_program("args_env", WasiCtxBuilder::new());
    assert_eq!(out.stdout, "argc=0\nGREETING=(unset)\n");

    let out = cli_program(&["--env", "GREETING=hoi"], "args_env", &["a", "--b"]);
    let argv0 = program("args_env");
    let want = format!(
        "argc=3\nargv[0]={}\nargv[1]=a\nargv[2]=--b\nGREETING=hoi\n",
        argv0.display()
    );
    assert_eq!((out.code, out.stdout), (0, want));
}

/// 10,007 bytes: more than one read of copy.c's 1000-byte buffer, and not a multiple of it.
fn contents() -> Vec<u8> {
    (0..10_007u32).map(|i| (i * 7 % 251) as u8).collect()
}

#[test]
fn copy_inside_a_preopen() {
    let tmp = TempDir::new("copy");
    fs::create_dir(tmp.path("sub")).unwrap();
    fs::write(tmp.path("in.bin"), contents()).unwrap();
    let ctx = WasiCtxBuilder::new()
        .args(["copy", "/data/in.bin", "/data/sub/out.bin"])
        .preopened_dir(&tmp.0, "/data");
    let out = run_program("copy", ctx);
    assert_eq!((out.code, out.stdout.as_str()), (0, "copied 10007 bytes\n"));
    assert_eq!(fs::read(tmp.path("sub/out.bin")).unwrap(), contents());

    // Through the CLI, with the guest name defaulting to the host path; overwrite truncates.
    fs::write(tmp.path("small"), "tiny").unwrap();
    let (src, dst) = (tmp.path("small"), tmp.path("sub/out.bin"));
    let out = cli_program(
        &["--dir", tmp.str()],
        "copy",
        &[src.to_str().unwrap(), dst.to_str().unwrap()],
    );
    assert_eq!((out.code, out.stdout.as_str()), (0, "copied 4 bytes\n"));
    assert_eq!(fs::read(&dst).unwrap(), b"tiny");

    // A missing source fails in the guest with the host's errno.
    let ctx = WasiCtxBuilder::new()
        .args(["copy", "/data/missing", "/data/x"])
        .preopened_dir(&tmp.0, "/data");
    let out = run_program("copy", ctx);
    assert_eq!(out.code, 1);
    assert_eq!(out.stderr, "/data/missing: No such file or directory\n");
}

#[test]
fn list_a_directory() {
    let tmp = TempDir::new("listdir");
    fs::create_dir(tmp.path("sub")).unwrap();
    fs::write(tmp.path("b.txt"), "b").unwrap();
    fs::write(tmp.path("a.txt"), "a").unwrap();
    // Enough long names to take several fd_readdir calls (and so cookies).
    let mut want: Vec<String> = (0..150)
        .map(|i| format!("file-with-a-rather-long-name-{i:03}"))
        .collect();
    for name in &want {
        fs::write(tmp.path(name), "").unwrap();
    }
    want.extend(["a.txt".into(), "b.txt".into(), "sub/".into()]);
    want.sort();
    let expected = format!("{}\n{} entries\n", want.join("\n"), want.len());

    let ctx = WasiCtxBuilder::new()
        .args(["listdir", "/d"])
        .preopened_dir(&tmp.0, "/d");
    let out = run_program("listdir", ctx);
    assert_eq!((out.code, out.stdout.as_str()), (0, expected.as_str()));

    let out = cli_program(
        &["--dir", &format!("{}::/d", tmp.str())],
        "listdir",
        &["/d"],
    );
    assert_eq!((out.code, out.stdout), (0, expected));

    let out = cli_program(
        &["--dir", &format!("{}::/d", tmp.str())],
        "listdir",
        &["/d/sub"],
    );
    assert_eq!((out.code, out.stdout.as_str()), (0, "0 entries\n"));
}

#[test]
fn exit_code() {
    let out = run_program("exit_code", WasiCtxBuilder::new());
    assert_eq!((out.code, out.stdout.as_str()), (7, "exiting with 7\n"));
    let out = cli_program(&[], "exit_code", &[]);
    assert_eq!((out.code, out.stdout.as_str()), (7, "exiting with 7\n"));
}

#[test]
fn clock_and_random() {
    let expected = "nanosleep waits 10ms: ok\npoll waits 5ms: ok\nrealtime after 2020: ok\n\
                    monotonic resolution: ok\nrandom bytes: ok\n";
    let out = run_program("clock_random", WasiCtxBuilder::new());
    assert_eq!((out.code, out.stdout.as_str()), (0, expected));
    let out = cli_program(&[], "clock_random", &[]);
    assert_eq!((out.code, out.stdout.as_str()), (0, expected));
}

/// root/sandbox/{inside.txt, link_in -> inside.txt, link_out -> ../outside/secret,
/// link_abs -> /…/outside/secret}, root/outside/secret.
#[cfg(unix)]
fn escape_setup(tag: &str) -> TempDir {
    use std::os::unix::fs::symlink;
    let tmp = TempDir::new(tag);
    fs::create_dir_all(tmp.path("sandbox")).unwrap();
    fs::create_dir_all(tmp.path("outside")).unwrap();
    fs::write(tmp.path("outside/secret"), "secret\n").unwrap();
    fs::write(tmp.path("sandbox/inside.txt"), "inside\n").unwrap();
    symlink("inside.txt", tmp.path("sandbox/link_in")).unwrap();
    symlink("../outside/secret", tmp.path("sandbox/link_out")).unwrap();
    symlink(tmp.path("outside/secret"), tmp.path("sandbox/link_abs")).unwrap();
    tmp
}

/// What escape.c prints: the runtime refuses escapes with `EPERM` ("Operation not permitted");
/// `/etc/passwd` matches no preopen, so wasi-libc refuses it itself with `ENOTCAPABLE`.
#[cfg(unix)]
const ESCAPE_OUTPUT: &str = "\
/sandbox/inside.txt: opened (ok)
/sandbox/link_in: opened (ok)
/sandbox/../outside/secret: blocked (Operation not permitted)
/sandbox/link_out: blocked (Operation not permitted)
/sandbox/link_abs: blocked (Operation not permitted)
/etc/passwd: blocked (Capabilities insufficient)
raw ../outside/secret: blocked (Operation not permitted)
raw /etc/passwd: blocked (Operation not permitted)
raw link_out: blocked (Operation not permitted)
raw link_abs: blocked (Operation not permitted)
symlink to /etc/passwd: blocked (Operation not permitted)
/sandbox/made_rel: blocked (Operation not permitted)
all escapes blocked
";

#[cfg(unix)]
#[test]
fn escapes_are_blocked() {
    let tmp = escape_setup("escape-api");
    let ctx = WasiCtxBuilder::new().preopened_dir(tmp.path("sandbox"), "/sandbox");
    let out = run_program("escape", ctx);
    assert_eq!((out.code, out.stdout.as_str()), (0, ESCAPE_OUTPUT));
    assert!(!tmp.path("sandbox/made_abs").exists());
    assert_eq!(
        fs::read_link(tmp.path("sandbox/made_rel")).unwrap(),
        Path::new("../outside/secret")
    );

    let tmp = escape_setup("escape-cli");
    let dir = format!("{}::/sandbox", tmp.path("sandbox").display());
    let out = cli_program(&["--dir", &dir], "escape", &[]);
    assert_eq!((out.code, out.stdout.as_str()), (0, ESCAPE_OUTPUT));
}

/// Raw calls with bad descriptors and pointers, from a text module.
const ERRNO_WAT: &str = r#"(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_close" (func $fd_close (param i32) (result i32)))
  (import "wasi_snapshot_preview1" "sock_accept" (func $sock_accept (param i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_open"
    (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (memory (export "memory") 1)
  ;; iovec {16, 5} at 0, "hello" at 16, iovec {48, 16} at 32, "x" at 80.
  (data (i32.const 0) "\10\00\00\00\05\00\00\00")
  (data (i32.const 16) "hello")
  (data (i32.const 32) "\30\00\00\00\10\00\00\00")
  (data (i32.const 80) "x")
  (func (export "write_ok") (result i32)
    (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 100)))
  (func (export "write_bad_fd") (result i32)
    (call $fd_write (i32.const 99) (i32.const 0) (i32.const 1) (i32.const 100)))
  (func (export "write_bad_iovec") (result i32)
    (call $fd_write (i32.const 1) (i32.const 65532) (i32.const 1) (i32.const 100)))
  (func (export "write_bad_result") (result i32)
    (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const -1)))
  (func (export "read_stdin") (result i32)
    (call $fd_read (i32.const 0) (i32.const 32) (i32.const 1) (i32.const 104)))
  (func (export "nread") (result i32) (i32.load (i32.const 104)))
  (func (export "close_twice") (result i32)
    (drop (call $fd_close (i32.const 2)))
    (call $fd_close (i32.const 2)))
  (func (export "open_without_preopen") (result i32)
    (call $path_open (i32.const 3) (i32.const 0) (i32.const 80) (i32.const 1) (i32.const 0)
      (i64.const 0) (i64.const 0) (i32.const 0) (i32.const 100)))
  (func (export "not_a_socket") (result i32)
    (call $sock_accept (i32.const 0) (i32.const 0) (i32.const 0)))
  (func (export "_start") (call $proc_exit (i32.const 3)) unreachable))"#;

#[test]
fn errors_are_errnos() {
    let engine = Engine::default();
    let module = Module::new(&engine, ERRNO_WAT).unwrap();
    let ctx = WasiCtxBuilder::new()
        .stdin_bytes("input")
        .capture_stdout()
        .build()
        .unwrap();
    let mut store = Store::new(&engine, ctx);
    let mut linker = Linker::new(&engine);
    wasi::add_to_linker(&mut linker, |ctx: &mut WasiCtx| ctx);
    let instance = linker.instantiate(&mut store, &module).unwrap();
    let mut call = |name: &str| {
        let f = instance.get_typed_func::<(), i32>(&store, name).unwrap();
        f.call(&mut store, ()).unwrap()
    };
    assert_eq!(call("write_ok"), 0);
    assert_eq!(call("write_bad_fd"), wasi::ERRNO_BADF.0 as i32);
    assert_eq!(call("write_bad_iovec"), wasi::ERRNO_FAULT.0 as i32);
    assert_eq!(call("write_bad_result"), wasi::ERRNO_FAULT.0 as i32);
    assert_eq!(call("read_stdin"), 0);
    assert_eq!(call("nread"), 5);
    assert_eq!(call("read_stdin"), 0);
    assert_eq!(call("nread"), 0, "end of input");
    assert_eq!(call("close_twice"), wasi::ERRNO_BADF.0 as i32);
    assert_eq!(call("open_without_preopen"), wasi::ERRNO_BADF.0 as i32);
    assert_eq!(call("not_a_socket"), wasi::ERRNO_NOTSOCK.0 as i32);
    assert_eq!(store.data().stdout_captured(), b"hello");
    let start = instance.get_typed_func::<(), ()>(&store, "_start").unwrap();
    assert_eq!(
        wasi::exit_code(&start.call(&mut store, ()).unwrap_err()),
        Some(3)
    );
}

#[test]
fn every_preview1_function_is_defined() {
    const ALL: [&str; 46] = [
        "args_get",
        "args_sizes_get",
        "environ_get",
        "environ_sizes_get",
        "clock_res_get",
        "clock_time_get",
        "fd_advise",
        "fd_allocate",
        "fd_close",
        "fd_datasync",
        "fd_fdstat_get",
        "fd_fdstat_set_flags",
        "fd_fdstat_set_rights",
        "fd_filestat_get",
        "fd_filestat_set_size",
        "fd_filestat_set_times",
        "fd_pread",
        "fd_prestat_get",
        "fd_prestat_dir_name",
        "fd_pwrite",
        "fd_read",
        "fd_readdir",
        "fd_renumber",
        "fd_seek",
        "fd_sync",
        "fd_tell",
        "fd_write",
        "path_create_directory",
        "path_filestat_get",
        "path_filestat_set_times",
        "path_link",
        "path_open",
        "path_readlink",
        "path_remove_directory",
        "path_rename",
        "path_symlink",
        "path_unlink_file",
        "poll_oneoff",
        "proc_exit",
        "proc_raise",
        "sched_yield",
        "random_get",
        "sock_accept",
        "sock_recv",
        "sock_send",
        "sock_shutdown",
    ];
    let engine = Engine::default();
    let mut store = Store::new(&engine, WasiCtxBuilder::new().build().unwrap());
    let mut linker = Linker::new(&engine);
    wasi::add_to_linker(&mut linker, |ctx: &mut WasiCtx| ctx);
    for name in ALL {
        assert!(
            linker.get(&mut store, wasi::MODULE, name).is_some(),
            "{name}"
        );
    }
}

#[test]
fn cli_traps_and_plain_modules() {
    let tmp = TempDir::new("cli");
    let wat = tmp.path("trap.wat");
    fs::write(
        &wat,
        r#"(module (import "wasi_snapshot_preview1" "sched_yield" (func $y (result i32)))
             (memory (export "memory") 1)
             (func (export "_start") (drop (call $y)) unreachable))"#,
    )
    .unwrap();
    let out = run_cli(&[wat.to_str().unwrap()]);
    assert_ne!(out.code, 0);
    assert!(
        out.stderr.starts_with("Error: wasm trap: unreachable"),
        "{}",
        out.stderr
    );

    let fib = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/fib.wat");
    let out = run_cli(&["--invoke", "fib", fib, "20"]);
    assert_eq!((out.code, out.stdout.as_str()), (0, "6765\n"));

    let out = run_cli(&["--dir", "/no/such/dir", fib]);
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("cannot preopen"), "{}", out.stderr);
}

/// The conformance programs (`tests/wasi/wasi_*.c`), each with what it prints (a line per failed
/// check, then its totals) and its exit status in `tests/wasi/expected/NAME.txt`.
const CONFORMANCE: [&str; 7] = [
    "wasi_rights",
    "wasi_files",
    "wasi_dirs",
    "wasi_symlinks",
    "wasi_misc",
    "wasi_badargs",
    "wasi_rights_strict",
];

/// The first five, whose expectation wasmtime shares: it traps on `wasi_badargs`' bad enum
/// values, and `wasi_rights_strict` checks where regwasm follows the conformance suite and the
/// witx docs rather than wasmtime (taking rights away, files without `path_*` rights, creating
/// a file without `fd_write`).
const CHECKED_UNDER_WASMTIME: usize = 5;

fn expected(name: &str) -> String {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("tests/wasi/expected/{name}.txt"));
    fs::read_to_string(path).unwrap()
}

/// Runs a conformance program as the expectations were recorded: an empty scratch directory
/// preopened as `/d`, arguments `a bc`, environment `K=v`.
fn conformance(name: &str) {
    let tmp = TempDir::new(name);
    let ctx = WasiCtxBuilder::new()
        .args([name, "a", "bc"])
        .env("K", "v")
        .preopened_dir(&tmp.0, "/d");
    let out = run_program(name, ctx);
    let got = format!("{}exit={}\n", out.stdout, out.code);
    assert_eq!(got, expected(name), "{name}; stderr: {}", out.stderr);
}

#[test]
fn conformance_rights() {
    conformance("wasi_rights");
}

#[test]
fn conformance_files() {
    conformance("wasi_files");
}

#[test]
fn conformance_dirs() {
    conformance("wasi_dirs");
}

#[test]
fn conformance_symlinks() {
    conformance("wasi_symlinks");
}

#[test]
fn conformance_misc() {
    conformance("wasi_misc");
}

#[test]
fn conformance_bad_arguments() {
    conformance("wasi_badargs");
}

#[test]
fn conformance_rights_strict() {
    conformance("wasi_rights_strict");
}

#[test]
fn conformance_list_is_complete() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/wasi");
    let mut on_disk: Vec<String> = fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter_map(|n| Some(n.strip_suffix(".c")?.to_owned()))
        .filter(|n| n.starts_with("wasi_"))
        .collect();
    on_disk.sort();
    let mut listed: Vec<String> = CONFORMANCE.iter().map(|n| n.to_string()).collect();
    listed.sort();
    assert_eq!(on_disk, listed, "every tests/wasi/wasi_*.c is run");
}

#[test]
fn conformance_through_the_cli() {
    let tmp = TempDir::new("conformance-cli");
    let dir = format!("{}::/d", tmp.str());
    for name in ["wasi_files", "wasi_dirs"] {
        fs::remove_dir_all(&tmp.0).unwrap();
        fs::create_dir(&tmp.0).unwrap();
        let out = cli_program(&["--dir", &dir, "--env", "K=v"], name, &["a", "bc"]);
        assert_eq!(format!("{}exit={}\n", out.stdout, out.code), expected(name));
    }
}

/// The recorded expectations are wasmtime's: checked again here when Python has the `wasmtime`
/// package (`pip install wasmtime`), skipped with a note otherwise.
#[test]
fn conformance_matches_wasmtime() {
    let has_wasmtime = Command::new("python3")
        .args(["-c", "import wasmtime"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !has_wasmtime {
        println!("skipped: python3 cannot import wasmtime (pip install wasmtime)");
        return;
    }
    let runner = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/wasi/wasmtime_run.py");
    for name in &CONFORMANCE[..CHECKED_UNDER_WASMTIME] {
        let tmp = TempDir::new(&format!("wasmtime-{name}"));
        let out = Command::new("python3")
            .arg(&runner)
            .arg(program(name))
            .arg(&tmp.0)
            .args(["a", "bc"])
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_eq!(
            stdout,
            expected(name),
            "{name} under wasmtime; stderr: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}
