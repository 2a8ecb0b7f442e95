//! Golden tests of the translator: the disassembly of small functions, compared with
//! `tests/golden/NAME.txt`. After an intended change to the translation, regenerate them with
//! `REGWASM_BLESS=1 cargo test --test translate` and review the diff.

use regwasm::{Config, Engine, Module, Optimizations};
use std::path::PathBuf;

struct Case {
    name: &'static str,
    wat: &'static str,
    opts: Optimizations,
    /// Print each Wasm instruction before its bytecode (source map kept).
    wasm: bool,
}

const ADD: &str = r#"(module (func (export "add") (param i32 i32) (result i32)
    local.get 0 local.get 1 i32.add))"#;

/// Sums 1..=n: a loop with a local counter and a fused compare-and-branch.
const LOOP: &str = r#"(module (func (export "sum") (param $n i32) (result i32) (local $i i32) (local $s i32)
    (loop $next
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (local.set $s (i32.add (local.get $s) (local.get $i)))
      (br_if $next (i32.lt_u (local.get $i) (local.get $n))))
    (local.get $s)))"#;

const IF_ELSE: &str = r#"(module (func (export "abs") (param $x i32) (result i32)
    (if (result i32) (i32.lt_s (local.get $x) (i32.const 0))
      (then (i32.sub (i32.const 0) (local.get $x)))
      (else (local.get $x)))))"#;

/// A switch, and a `br_table` whose targets take a value (moved by stubs after the table).
const BR_TABLE: &str = r#"(module
  (func (export "switch") (param $i i32) (result i32)
    (block $default
      (block $one
        (block $zero
          (br_table $zero $one $default (local.get $i)))
        (return (i32.const 100)))
      (return (i32.const 101)))
    (i32.const -1))
  (func (export "carry") (param $i i32) (result i32)
    (block $b (result i32)
      (block $a (result i32)
        (br_table $a $b (i32.const 7) (local.get $i)))
      (i32.add (i32.const 1)))))"#;

const CALLS: &str = r#"(module
  (func $swap (param i32 i32) (result i32 i32) local.get 1 local.get 0)
  (func (export "f") (param i64) (result i32)
    (call $swap (i32.const 1) (i32.wrap_i64 (local.get 0)))
    i32.sub))"#;

const MEMORY: &str = r#"(module (memory 1)
  (func (export "bump") (param $p i32) (result i64)
    (i64.store offset=8 (local.get $p)
      (i64.add (i64.load offset=8 (local.get $p)) (i64.const 0x100000000)))
    (i64.load offset=8 (local.get $p))))"#;

/// A block result carried by `br_if`, a `local.tee`, and a `select`.
const BRANCH_VALUES: &str = r#"(module (func (export "clamp") (param $x i32) (param $hi i32) (result i32)
    (local $t i32)
    (block $done (result i32)
      (drop (br_if $done (local.get $hi)
        (i32.gt_s (local.tee $t (local.get $x)) (local.get $hi))))
      (select (local.get $t) (i32.const 0) (i32.ge_s (local.get $t) (i32.const 0))))))"#;

/// Returning local 1 in register 0 while local 0 is returned in register 1.
const RETURN_SWAP: &str = r#"(module (func (export "swap") (param i32 i32) (result i32 i32)
    local.get 1 local.get 0))"#;

const DEAD_CODE: &str = r#"(module (func (export "f") (param i32) (result i32)
    (block (result i32)
      (br 0 (i32.const 1))
      (drop (i32.const 2))
      (i32.const 3))
    (if (i32.eqz (local.get 0)) (then unreachable))))"#;

/// Tail calls: the arguments in consecutive slots, as for a call, then a terminal
/// `return_call` naming how many cells move down to `r0`.
const TAIL_CALLS: &str = r#"(module
  (type $t (func (param i64 i64) (result i64)))
  (table funcref (elem $count))
  (func $count (export "count") (param $n i64) (param $acc i64) (result i64)
    (if (result i64) (i64.eqz (local.get $n))
      (then (local.get $acc))
      (else
        (return_call $count
          (i64.sub (local.get $n) (i64.const 1))
          (i64.add (local.get $acc) (local.get $n))))))
  (func (export "via_table") (param i64) (result i64)
    (return_call_indirect (type $t) (local.get 0) (i64.const 0) (i32.const 0))))"#;

fn cases() -> Vec<Case> {
    let all = Optimizations::all();
    let case = |name, wat, opts, wasm| Case {
        name,
        wat,
        opts,
        wasm,
    };
    vec![
        case("add", ADD, all, false),
        case("loop", LOOP, all, false),
        case("loop_wasm", LOOP, all, true),
        case("loop_unoptimized", LOOP, Optimizations::none(), false),
        case("if_else", IF_ELSE, all, false),
        case("if_else_wasm", IF_ELSE, all, true),
        case("br_table", BR_TABLE, all, false),
        case("calls", CALLS, all, false),
        case("memory", MEMORY, all, false),
        case("branch_values", BRANCH_VALUES, all, false),
        case("return_swap", RETURN_SWAP, all, false),
        case("dead_code", DEAD_CODE, all, true),
        case("tail_calls", TAIL_CALLS, all, false),
    ]
}

fn disassemble(case: &Case) -> String {
    let mut config = Config::default();
    config
        .verify_bytecode(true)
        .optimizations(case.opts)
        .keep_source_map(case.wasm);
    let module = Module::new(&Engine::new(&config), case.wat)
        .unwrap_or_else(|e| panic!("{}: {e}", case.name));
    module.disassemble()
}

fn golden_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden")
}

#[test]
fn disassembly_matches_golden_files() {
    let bless = std::env::var_os("REGWASM_BLESS").is_some();
    let mut stale = Vec::new();
    for case in cases() {
        let path = golden_dir().join(format!("{}.txt", case.name));
        let actual = disassemble(&case);
        let expected = std::fs::read_to_string(&path).unwrap_or_default();
        if actual == expected {
            continue;
        }
        if bless {
            std::fs::write(&path, &actual).unwrap();
        } else {
            stale.push(format!(
                "--- {} expected:\n{expected}--- actual:\n{actual}",
                path.display()
            ));
        }
    }
    assert!(
        stale.is_empty(),
        "{}\nIf the new output is right, regenerate with \
         `REGWASM_BLESS=1 cargo test --test translate` and review the diff.",
        stale.join("\n")
    );
}

#[test]
fn every_golden_file_has_a_case() {
    let names: Vec<_> = cases().iter().map(|c| format!("{}.txt", c.name)).collect();
    for entry in std::fs::read_dir(golden_dir()).unwrap() {
        let file = entry.unwrap().file_name().into_string().unwrap();
        assert!(
            names.contains(&file),
            "tests/golden/{file} belongs to no case"
        );
    }
}
