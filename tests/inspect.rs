//! Translation statistics add up, and the `regwasm inspect` command line works.

use regwasm::bytecode::Instr;
use regwasm::{Config, Engine, Module, Optimizations};
use std::process::Command;

/// Several functions exercising locals, constants, branches, calls and memory.
const MODULE: &str = r#"(module (memory 1)
  (func $sum (export "sum") (param $n i32) (result i32) (local $i i32) (local $s i32)
    (loop $next
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (local.set $s (i32.add (local.get $s) (local.get $i)))
      (br_if $next (i32.lt_u (local.get $i) (local.get $n))))
    (local.get $s))
  (func (export "odd") (param i32) (result i32)
    (if (result i32) (i32.eqz (i32.and (local.get 0) (i32.const 1)))
      (then (i32.const 0)) (else (i32.const 1))))
  (func (param $p i32) (result i64)
    (i64.store (local.get $p) (i64.add (i64.load (local.get $p)) (i64.const 3)))
    (block $b (result i64)
      (br_if $b (i64.load (local.get $p)) (i32.eqz (local.get $p)))
      (drop)
      (i64.extend_i32_u (call $sum (local.get $p))))))"#;

fn module(opts: Optimizations) -> Module {
    let mut config = Config::default();
    config.optimizations(opts);
    Module::new(&Engine::new(&config), MODULE).unwrap()
}

#[test]
fn stats_add_up_and_match_the_bytecode() {
    for (name, opts) in Optimizations::ablations() {
        let module = module(opts);
        let stats = module.translation_stats();
        assert_eq!(stats.funcs.len(), 3, "{name}");
        let sum = |f: fn(&regwasm::bytecode::Counts) -> u64| -> u64 {
            stats.funcs.iter().map(|s| f(&s.counts)).sum()
        };
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
            let func = module.compiled_func(i).unwrap();
            let c = &s.counts;
            assert_eq!(s.index, i as u32);
            assert_eq!(c.instrs, func.code.len() as u64, "{name}");
            // Each instruction runs as an `Op`: 12 bytes of instruction beside an 8-byte handler
            // address, padded to 24.
            assert_eq!(c.bytes, c.instrs * 24);
            assert_eq!(c.registers, func.num_regs as u64);
            assert_eq!(c.wasm_ops, func.wasm_ops as u64);
            // Recount from the disassembly text, independently of the stats code.
            let text = module.disassemble_func(s.index).unwrap();
            let lines = |p: &dyn Fn(&str) -> bool| {
                text.lines()
                    .filter_map(|l| l.split_whitespace().nth(1))
                    .filter(|m| p(m))
                    .count() as u64
            };
            let copies = lines(&|m| m == "copy" || m == "copy_acc") + 2 * lines(&|m| m == "copy2");
            assert_eq!(c.copies, copies, "{name}: {text}");
            assert_eq!(
                c.folded_constants,
                text.matches(" imm=").count() as u64,
                "{name}"
            );
            let fused_compares = lines(&|m| {
                m.starts_with("br_if_")
                    && !m.starts_with("br_if_nez")
                    && !m.starts_with("br_if_eqz")
            });
            assert_eq!(c.fused, fused_compares + func.eqz_fusions as u64, "{name}");
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

#[test]
fn instruction_index_is_dense_and_matches_mnemonics() {
    let module = module(Optimizations::all());
    for i in 0..3 {
        for instr in module.compiled_func(i).unwrap().instrs() {
            assert!(instr.index() < Instr::COUNT);
            assert_eq!(Instr::MNEMONICS[instr.index()], instr.mnemonic());
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
    assert!(out.contains("\"wasm_instructions\": 17, \"instructions\": 9, \"ratio\": 0.529"));
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
