//! The `regwasm` command line, run as a process: `--version` and `--help`, every flag of `run`,
//! the `wast` subcommand, usage errors and exit codes. The modules are in tests/data/cli/,
//! tests/data/lazy/ and tests/wasi/ (the C source of each WASI program is beside it).

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

struct Outcome {
    code: i32,
    stdout: String,
    stderr: String,
}

/// Runs `regwasm ARGS…` in the repository's root, with the extra environment `env` and `stdin`
/// written to its standard input.
fn regwasm_with(args: &[&str], env: &[(&str, &str)], stdin: &[u8]) -> Outcome {
    let mut child = Command::new(env!("CARGO_BIN_EXE_regwasm"))
        .args(args)
        .envs(env.iter().copied())
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    // A program that does not read its stdin may have exited already: ignore a broken pipe.
    let _ = input.write_all(stdin);
    drop(input);
    let out = child.wait_with_output().unwrap();
    Outcome {
        code: out.status.code().expect("killed by a signal"),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}

fn regwasm(args: &[&str]) -> Outcome {
    regwasm_with(args, &[], b"")
}

const LIMITS: &str = "tests/data/cli/limits.wat";
const FIB: &str = "examples/fib.wat";

#[test]
fn version() {
    let out = regwasm(&["--version"]);
    assert_eq!(out.code, 0);
    assert_eq!(
        out.stdout,
        format!("regwasm {}\n", env!("CARGO_PKG_VERSION"))
    );
    let out = regwasm(&["run", "--version"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
}

#[test]
fn help_of_every_subcommand() {
    let out = regwasm(&["--help"]);
    assert_eq!(out.code, 0);
    for sub in ["run", "compile", "wast", "validate", "inspect"] {
        assert!(out.stdout.contains(&format!("  {sub} ")), "{}", out.stdout);
        let out = regwasm(&[sub, "--help"]);
        assert_eq!(out.code, 0, "{sub}: {}", out.stderr);
        assert!(
            out.stdout.contains(&format!("Usage: regwasm {sub} ")),
            "{sub}: {}",
            out.stdout
        );
    }
    let run = regwasm(&["run", "--help"]).stdout;
    for flag in [
        "--invoke <NAME>",
        "--fuel <N>",
        "--timeout <DURATION>",
        "--max-memory <SIZE>",
        "--max-call-depth <N>",
        "--compilation-mode <MODE>",
        "--dispatch <BACKEND>",
        "--without <OPT>",
        "--env <NAME[=VAL]>",
        "--env-inherit",
        "--dir <HOST[::GUEST]>",
        "--stdin <FILE>",
        "--trap-unknown-imports",
        "--profile",
        "--profile-top <N>",
        "<FILE> [ARGS]...",
    ] {
        assert!(run.contains(flag), "run --help lacks {flag}:\n{run}");
    }
    // The list of --without's values is written out in the help: it must stay complete.
    let words: String = run.split_whitespace().collect::<Vec<_>>().join(" ");
    for name in regwasm::Optimizations::NAMES {
        assert!(words.contains(name), "run --help lacks optimization {name}");
    }
}

#[test]
fn usage_errors_exit_with_2() {
    for args in [
        &[][..],
        &["bogus"],
        &["run"],
        &["run", "--fuel", "lots", FIB],
        &["run", "--timeout", "5 parsecs", FIB],
        &["run", "--max-memory", "12Ti", FIB],
        &["run", "--compilation-mode", "sometimes", FIB],
        &["run", "--dispatch", "magic", FIB],
        // Only with `--profile`.
        &["run", "--profile-top", "5", FIB],
        &["run", "--no-such-flag", FIB],
        &["inspect", "--json", FIB],
        &["validate"],
        &["wast"],
    ] {
        let out = regwasm(args);
        assert_eq!(out.code, 2, "{args:?}: {}", out.stderr);
        // clap's message and pointer to the help (or the help itself, without a subcommand).
        assert!(out.stderr.contains("--help"), "{args:?}: {}", out.stderr);
    }
    let out = regwasm(&["run", "--without", "magic", FIB]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("unknown optimization `magic`"),
        "{}",
        out.stderr
    );
}

#[test]
fn load_failures_exit_with_1() {
    let out = regwasm(&["run", "tests/data/cli/no_such_file.wat"]);
    assert_eq!(out.code, 1);
    assert!(
        out.stderr.starts_with("Error: cannot read"),
        "{}",
        out.stderr
    );

    let out = regwasm(&["run", "tests/data/cli/pass.wast"]);
    assert_eq!(out.code, 1);
    assert!(
        out.stderr.starts_with("Error: tests/data/cli/pass.wast: "),
        "{}",
        out.stderr
    );

    let out = regwasm(&["validate", "tests/data/cli/pass.wast"]);
    assert_eq!(out.code, 1);
    let out = regwasm(&["validate", LIMITS]);
    assert_eq!(
        (out.code, out.stdout.as_str()),
        (0, "tests/data/cli/limits.wat: valid\n")
    );
}

#[test]
fn invoke_prints_results_and_args_may_look_like_flags() {
    let out = regwasm(&["run", "--invoke", "fib", FIB, "20"]);
    assert_eq!(
        (out.code, out.stdout.as_str()),
        (0, "6765\n"),
        "{}",
        out.stderr
    );
    // After FILE everything is an argument, even when it starts with `-`.
    let out = regwasm(&["run", "--invoke", "grow", LIMITS, "-1"]);
    assert_eq!(
        (out.code, out.stdout.as_str()),
        (0, "-1\n"),
        "{}",
        out.stderr
    );
}

/// `compile` writes a precompiled module that `run` (and `inspect`) load by its magic bytes;
/// one compiled for other translation settings is refused, naming the setting.
#[test]
fn compile_then_run_precompiled() {
    let dir = std::env::temp_dir().join(format!("regwasm-cli-rwm-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let rwm = dir.join("fib.rwm");
    let rwm = rwm.to_str().unwrap();
    let out = regwasm(&["compile", FIB, "-o", rwm]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(std::fs::read(rwm).unwrap().starts_with(b"\0regwasm"));
    let out = regwasm(&["run", "--invoke", "fib", rwm, "20"]);
    assert_eq!(
        (out.code, out.stdout.as_str()),
        (0, "6765\n"),
        "{}",
        out.stderr
    );
    let listing = regwasm(&["inspect", rwm]).stdout;
    assert_eq!(listing, regwasm(&["inspect", FIB]).stdout);
    // Fuel metering changes the bytecode: `run --fuel` needs `compile --consume-fuel`.
    let out = regwasm(&["run", "--fuel", "100", "--invoke", "fib", rwm, "20"]);
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("consume_fuel"), "{}", out.stderr);
    let out = regwasm(&["compile", "--consume-fuel", FIB, "-o", rwm]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let out = regwasm(&["run", "--fuel", "100", "--invoke", "fib", rwm, "20"]);
    assert!(out.stderr.contains("all fuel consumed"), "{}", out.stderr);
    // A damaged file is refused, not run.
    let mut bytes = std::fs::read(rwm).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 0x10;
    std::fs::write(rwm, bytes).unwrap();
    let out = regwasm(&["run", "--fuel", "100000", "--invoke", "fib", rwm, "20"]);
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("checksum"), "{}", out.stderr);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn fuel_runs_out_with_a_trap() {
    let out = regwasm(&["run", "--fuel", "10000", "--invoke", "spin", LIMITS]);
    assert_eq!(out.code, 134, "{}", out.stderr);
    assert!(
        out.stderr
            .starts_with("Error: wasm trap: all fuel consumed"),
        "{}",
        out.stderr
    );
    let out = regwasm(&["run", "--fuel", "10000", "--invoke", "depth", LIMITS, "10"]);
    assert_eq!(
        (out.code, out.stdout.as_str()),
        (0, "10\n"),
        "{}",
        out.stderr
    );
}

#[test]
fn a_trap_prints_its_wasm_backtrace() {
    let out = regwasm(&[
        "run",
        "--invoke",
        "main",
        "tests/data/cli/backtrace.wat",
        "0",
    ]);
    assert_eq!(out.code, 134, "{}", out.stderr);
    let lines: Vec<_> = out.stderr.lines().collect();
    assert_eq!(lines[0], "Error: wasm trap: integer divide by zero");
    assert_eq!(lines[1], "error while executing at wasm backtrace:");
    // Newest first, each with its byte offset in the module (checked in tests/backtrace.rs).
    let frames: Vec<_> = (lines[2..].iter()).map(|l| l.split_once(" - ")).collect();
    assert_eq!(frames.len(), 3, "{}", out.stderr);
    for (i, (frame, func)) in frames.iter().zip(["divide", "middle", "main"]).enumerate() {
        let (at, name) = frame.expect("`N: 0xOFFSET - module!function`");
        let at: Vec<_> = at.split_whitespace().collect();
        assert_eq!(at[0], format!("{i}:"));
        assert!(at[1].starts_with("0x"), "{at:?}");
        assert_eq!(name, format!("calc!{func}"));
    }
    // No trap, no backtrace.
    let out = regwasm(&[
        "run",
        "--invoke",
        "main",
        "tests/data/cli/backtrace.wat",
        "7",
    ]);
    assert_eq!(
        (out.code, out.stdout.as_str()),
        (0, "1\n"),
        "{}",
        out.stderr
    );
}

#[test]
fn timeout_stops_an_endless_loop() {
    let start = Instant::now();
    let out = regwasm(&["run", "--timeout", "300ms", "--invoke", "spin", LIMITS]);
    let took = start.elapsed();
    assert_eq!(out.code, 134, "{}", out.stderr);
    assert!(
        out.stderr.contains("timed out after 300ms"),
        "{}",
        out.stderr
    );
    assert!(took >= Duration::from_millis(300), "{took:?}");
    // Generous for a debug build on a busy machine; an unstopped loop never ends.
    assert!(took < Duration::from_secs(30), "{took:?}");

    let out = regwasm(&["run", "--timeout", "1m", "--invoke", "fib", FIB, "10"]);
    assert_eq!(
        (out.code, out.stdout.as_str()),
        (0, "55\n"),
        "{}",
        out.stderr
    );
}

#[test]
fn max_memory_makes_memory_grow_fail() {
    // 128 KiB is two pages: the module's one page may grow by one, not by two.
    let grow = |limit: Option<&str>, pages: &str| {
        let mut args = vec!["run"];
        if let Some(limit) = limit {
            args.extend(["--max-memory", limit]);
        }
        args.extend(["--invoke", "grow", LIMITS, pages]);
        let out = regwasm(&args);
        assert_eq!(out.code, 0, "{}", out.stderr);
        out.stdout
    };
    assert_eq!(grow(Some("128Ki"), "1"), "1\n");
    assert_eq!(grow(Some("128Ki"), "2"), "-1\n");
    assert_eq!(grow(Some("131072"), "2"), "-1\n");
    assert_eq!(grow(None, "2"), "1\n");
    // A memory that starts larger than the limit cannot be instantiated.
    let out = regwasm(&[
        "run",
        "--max-memory",
        "32Ki",
        "--invoke",
        "grow",
        LIMITS,
        "0",
    ]);
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("exceeds the limit"), "{}", out.stderr);
}

#[test]
fn max_call_depth_traps_on_deep_recursion() {
    let depth = |n: &str| {
        regwasm(&[
            "run",
            "--max-call-depth",
            "100",
            "--invoke",
            "depth",
            LIMITS,
            n,
        ])
    };
    let out = depth("50");
    assert_eq!(
        (out.code, out.stdout.as_str()),
        (0, "50\n"),
        "{}",
        out.stderr
    );
    let out = depth("1000");
    assert_eq!(out.code, 134);
    assert!(
        out.stderr
            .starts_with("Error: wasm trap: call stack exhausted"),
        "{}",
        out.stderr
    );
    // The default limit is far above 1000.
    let out = regwasm(&["run", "--invoke", "depth", LIMITS, "1000"]);
    assert_eq!(
        (out.code, out.stdout.as_str()),
        (0, "1000\n"),
        "{}",
        out.stderr
    );
}

#[test]
fn compilation_modes_and_dispatch_backends() {
    for flags in [
        ["--compilation-mode", "eager"],
        ["--compilation-mode", "lazy-translation"],
        ["--compilation-mode", "lazy"],
        ["--dispatch", "loop"],
        ["--dispatch", "threaded"],
        ["--without", "all"],
    ] {
        let mut args = vec!["run"];
        args.extend(flags);
        args.extend(["--invoke", "fib", FIB, "20"]);
        let out = regwasm(&args);
        assert_eq!(
            (out.code, out.stdout.as_str()),
            (0, "6765\n"),
            "{flags:?}: {}",
            out.stderr
        );
    }
}

#[test]
fn lazy_compilation_defers_a_bad_body_to_its_call() {
    const MODULE: &str = "tests/data/lazy/invalid_body.wat";
    let run = |mode: &str, export: &str| {
        regwasm(&[
            "run",
            "--compilation-mode",
            mode,
            "--invoke",
            export,
            MODULE,
        ])
    };
    for mode in ["eager", "lazy-translation"] {
        let out = run(mode, "ok");
        assert_eq!(out.code, 1, "{mode}: {}", out.stderr);
        assert!(
            out.stderr.contains("invalid module"),
            "{mode}: {}",
            out.stderr
        );
    }
    let out = run("lazy", "ok");
    assert_eq!(
        (out.code, out.stdout.as_str()),
        (0, "7\n"),
        "{}",
        out.stderr
    );
    let out = run("lazy", "bad");
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(
        out.stderr.contains("type mismatch") && out.stderr.contains("in function 1"),
        "{}",
        out.stderr
    );
}

#[test]
fn environment_variables() {
    const PROGRAM: &str = "tests/wasi/args_env.wasm";
    let host = [("GREETING", "from the host")];
    let greeting = |flags: &[&str]| {
        let mut args = vec!["run"];
        args.extend(flags);
        args.push(PROGRAM);
        let out = regwasm_with(&args, &host, b"");
        assert_eq!(out.code, 0, "{flags:?}: {}", out.stderr);
        out.stdout
            .lines()
            .find_map(|l| l.strip_prefix("GREETING="))
            .unwrap()
            .to_string()
    };
    assert_eq!(greeting(&[]), "(unset)");
    assert_eq!(greeting(&["--env", "GREETING=hi"]), "hi");
    assert_eq!(greeting(&["--env", "GREETING"]), "from the host");
    assert_eq!(greeting(&["--env-inherit"]), "from the host");
    assert_eq!(greeting(&["--env-inherit", "--env", "GREETING=hi"]), "hi");
    assert_eq!(
        greeting(&["--env", "OTHER=1", "--env", "GREETING=a=b"]),
        "a=b"
    );
}

#[test]
fn stdin_from_a_file_or_inherited() {
    let dir = std::env::temp_dir().join(format!("regwasm-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("input.txt");
    std::fs::write(&file, "read from a file\n").unwrap();
    let cat = "tests/data/cli/cat.wat";
    let out = regwasm_with(
        &["run", "--stdin", file.to_str().unwrap(), cat],
        &[],
        b"not this",
    );
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(
        (out.code, out.stdout.as_str()),
        (0, "read from a file\n"),
        "{}",
        out.stderr
    );

    let out = regwasm_with(&["run", cat], &[], b"read from the pipe");
    assert_eq!(
        (out.code, out.stdout.as_str()),
        (0, "read from the pipe"),
        "{}",
        out.stderr
    );

    let out = regwasm(&["run", "--stdin", "tests/data/cli/no_such_file", cat]);
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("cannot read --stdin"), "{}", out.stderr);
}

#[test]
fn trap_unknown_imports() {
    const MODULE: &str = "tests/data/cli/unknown_import.wat";
    let out = regwasm(&["run", MODULE]);
    assert_eq!(out.code, 1);
    assert!(
        out.stderr.contains("unknown import: env::nonexistent"),
        "{}",
        out.stderr
    );

    let out = regwasm(&["run", "--trap-unknown-imports", MODULE]);
    assert_eq!(
        (out.code, out.stdout.as_str()),
        (0, "42\n"),
        "{}",
        out.stderr
    );

    let out = regwasm(&[
        "run",
        "--trap-unknown-imports",
        "--invoke",
        "call_it",
        MODULE,
    ]);
    assert_eq!(out.code, 134);
    assert!(
        out.stderr.starts_with("Error: wasm trap: "),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr
            .contains("`env::nonexistent` has not been defined"),
        "{}",
        out.stderr
    );
}

#[test]
fn wast_passing_script() {
    let out = regwasm(&["wast", "tests/data/cli/pass.wast"]);
    assert_eq!(
        (out.code, out.stdout.as_str()),
        (0, "spec: 1 files, 8 assertions, 8 passed, 0 failed\n"),
        "{}",
        out.stderr
    );
    let out = regwasm(&[
        "wast",
        "--compilation-mode",
        "lazy-translation",
        "--dispatch",
        "loop",
        "tests/data/cli/pass.wast",
    ]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
}

#[test]
fn wast_failing_script() {
    let out = regwasm(&["wast", "tests/data/cli/fail.wast"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(
        lines,
        [
            "tests/data/cli/fail.wast:5: assert_return (invoke \"add\"): expected [i32:5], got [i32:4]",
            "tests/data/cli/fail.wast:6: assert_trap (invoke \"add\"): expected trap \"unreachable\", got [i32:2]",
            "spec: 1 files, 3 assertions, 1 passed, 2 failed",
        ]
    );

    let out = regwasm(&[
        "wast",
        "tests/data/cli/pass.wast",
        "tests/data/cli/fail.wast",
        "tests/data/cli/no_such_file.wast",
    ]);
    assert_eq!(out.code, 1);
    assert!(
        out.stdout.contains("no_such_file.wast: cannot read"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout
            .ends_with("\nspec: 3 files, 12 assertions, 9 passed, 3 failed\n"),
        "{}",
        out.stdout
    );
}
