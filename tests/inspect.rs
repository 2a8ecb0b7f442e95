//! Translation statistics add up, and the `regwasm inspect` command line works.

use regwasm::{Config, Counts, Engine, Module, Optimizations};
use std::process::Command;

/// Several functions exercising locals, constants, branches, calls and memory.
const MODULE: &str = include_str!("data/inspect.wat");

/// `MODULE` translated with `opts`, keeping the source map so that the disassembly shows every
/// Wasm instruction.
fn module(opts: Optimizations) -> Module {
    let mut config = Config::default();
    config.optimizations(opts).keep_source_map(true);
    Module::new(&Engine::new(&config), MODULE).unwrap()
}

/// The stats agree with the disassembly, counted independently of the stats code. (What only
/// the translator knows, such as the `eqz`s fused into branches, is checked by the unit tests
/// of `src/runtime/inspect.rs`.)
#[test]
fn stats_add_up_and_match_the_bytecode() {
    for (name, opts) in Optimizations::ablations() {
        let module = module(opts);
        let stats = module.translation_stats();
        assert_eq!(stats.funcs.len(), 3, "{name}");
        let sum = |f: fn(&Counts) -> u64| -> u64 { stats.funcs.iter().map(|s| f(&s.counts)).sum() };
        assert_eq!(sum(|c| c.wasm_ops), stats.total.wasm_ops, "{name}");
        assert_eq!(sum(|c| c.instrs), stats.total.instrs, "{name}");
        assert_eq!(sum(|c| c.bytes), stats.total.bytes, "{name}");
        assert_eq!(sum(|c| c.registers), stats.total.registers, "{name}");
        assert_eq!(sum(|c| c.copies), stats.total.copies, "{name}");
        assert_eq!(sum(|c| c.folded_constants), stats.total.folded_constants);
        assert_eq!(sum(|c| c.fused), stats.total.fused, "{name}");
        let time: std::time::Duration = stats.funcs.iter().map(|s| s.counts.time).sum();
        assert_eq!(time, stats.total.time);

        for (i, s) in stats.funcs.iter().enumerate() {
            let c = &s.counts;
            assert_eq!(s.index, i as u32);
            // Each instruction runs as an `Op`: 12 bytes of instruction beside an 8-byte handler
            // address, padded to 24.
            assert_eq!(c.bytes, c.instrs * 24);
            let text = module.disassemble_func(s.index).unwrap();
            // Instruction lines start with their position; the source map's lines with `;;`.
            let mnemonics: Vec<&str> = text
                .lines()
                .filter_map(|l| {
                    let mut words = l.split_whitespace();
                    words.next()?.parse::<usize>().ok()?;
                    words.next()
                })
                .collect();
            let count = |p: &dyn Fn(&str) -> bool| mnemonics.iter().filter(|m| p(m)).count() as u64;
            assert_eq!(c.instrs, mnemonics.len() as u64, "{name}: {text}");
            let wasm_lines = text.lines().filter(|l| l.trim_start().starts_with(";; 0x"));
            assert_eq!(c.wasm_ops, wasm_lines.count() as u64, "{name}: {text}");
            let registers = text
                .lines()
                .find_map(|l| l.strip_prefix("; registers "))
                .and_then(|l| l.split(':').next()?.parse::<u64>().ok());
            assert_eq!(Some(c.registers), registers, "{name}: {text}");
            let copies = count(&|m| {
                [
                    "copy",
                    "copy_acc",
                    "copy_br",
                    "copy_br_if_nez",
                    "copy_br_if_eqz",
                ]
                .contains(&m)
            }) + 2 * count(&|m| m == "copy2");
            assert_eq!(c.copies, copies, "{name}: {text}");
            assert_eq!(
                c.folded_constants,
                text.matches(" imm=").count() as u64,
                "{name}"
            );
            // Fused comparisons show in the mnemonic; fused `eqz`s only to the translator.
            let fused_compares = count(&|m| {
                m.starts_with("br_if_")
                    && !m.starts_with("br_if_nez")
                    && !m.starts_with("br_if_eqz")
            });
            assert!(c.fused >= fused_compares, "{name}: {text}");
        }
        assert_eq!(stats.funcs[0].name.as_deref(), Some("sum"));
        assert_eq!(stats.funcs[2].name, None);
    }
}

#[test]
fn optimizations_show_in_the_stats() {
    let on = module(Optimizations::all()).translation_stats().total;
    let off = module(Optimizations::none()).translation_stats().total;
    assert!(on.instrs < off.instrs);
    assert!(on.copies < off.copies);
    assert_eq!((off.folded_constants, off.fused), (0, 0));
    // One fused compare (`br_if` on `i32.lt_u`), two fused `eqz`s (`if`, `br_if`).
    assert_eq!(on.fused, 3);
    assert!(on.folded_constants >= 3);
    let no_fusion = Optimizations::all().without("fused_branches").unwrap();
    assert_eq!(module(no_fusion).translation_stats().total.fused, 0);
}

/// Every mnemonic a disassembly shows is in the instruction catalogue, with the operands it
/// shows, in order.
#[test]
fn the_catalogue_describes_every_disassembled_instruction() {
    let catalogue = regwasm::instruction_catalogue();
    for (name, opts) in Optimizations::ablations() {
        let text = module(opts).disassemble();
        for line in text.lines() {
            let mut words = line.split_whitespace();
            if words.next().and_then(|w| w.parse::<usize>().ok()).is_none() {
                continue;
            }
            let mnemonic = words.next().unwrap();
            let info = catalogue.iter().find(|i| i.mnemonic == mnemonic);
            let info = info.unwrap_or_else(|| panic!("{name}: `{mnemonic}` is not catalogued"));
            let operands: Vec<&str> = words.filter_map(|w| Some(w.split_once('=')?.0)).collect();
            assert_eq!(operands, info.operands, "{name}: {line}");
        }
    }
}

#[cfg(not(feature = "profile"))]
#[test]
fn the_default_build_keeps_no_profile() {
    let store = regwasm::Store::new(&Engine::default(), ());
    assert!(store.profile().is_none());
}

/// Runs the `regwasm` binary; returns (success, stdout, stderr).
fn regwasm(args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_regwasm"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    let text = |b: Vec<u8>| String::from_utf8(b).unwrap();
    (out.status.success(), text(out.stdout), text(out.stderr))
}

#[test]
fn cli_inspect_prints_what_the_library_disassembles() {
    let module = Module::new(
        &Engine::default(),
        std::fs::read("examples/fib.wat").unwrap(),
    );
    let expected = module.unwrap().disassemble();
    let (ok, out, _) = regwasm(&["inspect", "examples/fib.wat"]);
    assert!(ok);
    assert_eq!(out, expected);
    for func in ["fib", "0"] {
        let (ok, out, _) = regwasm(&["inspect", "--func", func, "examples/fib.wat"]);
        assert!(ok && out == expected, "--func {func}");
    }
    let (ok, _, err) = regwasm(&["inspect", "--func", "nope", "examples/fib.wat"]);
    assert!(
        !ok && err.contains("no function is exported as `nope`"),
        "{err}"
    );
    let (ok, _, err) = regwasm(&["inspect", "--without", "magic", "examples/fib.wat"]);
    assert!(!ok && err.contains("unknown optimization"), "{err}");
    let (ok, out, _) = regwasm(&["inspect", "--wasm", "examples/fib.wat"]);
    assert!(ok && out.contains(";; 0x0027: if (result i32)\n"), "{out}");
}

#[test]
fn cli_stats_as_table_json_and_comparison() {
    let (ok, out, _) = regwasm(&["inspect", "--stats", "examples/fib.wat"]);
    assert!(ok);
    let lines: Vec<_> = out.lines().collect();
    assert_eq!(lines.len(), 3, "{out}");
    assert!(lines[1].starts_with("0 fib") && lines[2].starts_with("total"));

    let (ok, out, _) = regwasm(&["inspect", "--stats", "--json", "examples/fib.wat"]);
    assert!(ok);
    assert!(out.starts_with("{\n  \"functions\": [\n    {\"index\": 0, \"name\": \"fib\", "));
    assert!(out.contains("\"wasm_instructions\": 17, \"instructions\": 8, \"ratio\": 0.471"));
    assert!(out.trim_end().ends_with('}'));
    let opens = out.matches(['{', '[']).count();
    assert_eq!(opens, out.matches(['}', ']']).count());

    let (ok, out, _) = regwasm(&["inspect", "--compare", "examples/fib.wat"]);
    assert!(ok);
    let rows: Vec<_> = out.lines().skip(1).collect();
    assert_eq!(rows.len(), Optimizations::ablations().len(), "{out}");
    assert!(rows[0].starts_with("all on") && rows[1].starts_with("all off"));
}

#[test]
fn cli_run_profile() {
    let (ok, out, err) = regwasm(&[
        "run",
        "--profile",
        "--invoke",
        "fib",
        "examples/fib.wat",
        "10",
    ]);
    if cfg!(feature = "profile") {
        assert!(ok, "{err}");
        assert_eq!(out, "55\n");
        assert!(err.contains("bytecode instructions executed"), "{err}");
        assert!(err.contains("177  0 \"fib\""), "{err}");
    } else {
        assert!(!ok && err.contains("--features profile"), "{err}");
    }
}
