//! The generated translation workload: a module of a few thousand functions with varied
//! bodies, built as WAT text (deterministically) and converted with `wat::parse_str`. Shared by
//! `benches/translate.rs` and `examples/precompiled_load.rs`.

use std::fmt::Write;

/// Functions in the generated module.
pub const GENERATED_FUNCS: usize = 3000;

/// A small deterministic generator (xorshift64*), so every run benchmarks the same module.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }
}

/// One statement (stack-neutral) of a generated function body. Locals: `$a $b` (i32 params),
/// `$t` i32, `$x` i64, `$y` f64. `label` keeps label names unique within the function.
fn statement(rng: &mut Rng, out: &mut String, func: usize, label: &mut usize) {
    const BIN32: &[&str] = &[
        "add", "sub", "mul", "and", "or", "xor", "shl", "shr_u", "shr_s", "rotl",
    ];
    const CMP32: &[&str] = &["lt_s", "lt_u", "gt_s", "ge_u", "eq", "ne"];
    const BIN64: &[&str] = &["add", "sub", "mul", "xor", "rotr"];
    const BINF: &[&str] = &["add", "sub", "mul", "min", "max"];
    let var = |rng: &mut Rng| if rng.below(2) == 0 { "$a" } else { "$b" };
    let k = rng.below(1 << 20);
    *label += 1;
    let l = *label;
    match rng.below(12) {
        0 => {
            let (d, s) = (var(rng), var(rng));
            let (op1, op2) = (rng.pick(BIN32), rng.pick(BIN32));
            write!(
                out,
                "(local.set {d} (i32.{op1} (i32.{op2} (local.get {s}) (i32.const {k})) (local.get $t)))"
            )
        }
        1 => write!(
            out,
            "(local.set $t (i32.and (local.get $b) (i32.const 15))) \
             (block $b{l} (loop $l{l} (br_if $b{l} (i32.eqz (local.get $t))) \
             (local.set $a (i32.add (local.get $a) (i32.mul (local.get $t) (i32.const {k})))) \
             (local.set $t (i32.sub (local.get $t) (i32.const 1))) (br $l{l})))"
        ),
        2 => {
            let cmp = rng.pick(CMP32);
            let (op1, op2) = (rng.pick(BIN32), rng.pick(BIN32));
            write!(
                out,
                "(if (i32.{cmp} (local.get $a) (local.get $b)) \
                 (then (local.set $a (i32.{op1} (local.get $a) (i32.const {k})))) \
                 (else (local.set $b (i32.{op2} (local.get $b) (local.get $a)))))"
            )
        }
        3 => write!(
            out,
            "(i32.store offset={} (i32.and (local.get $a) (i32.const 65532)) (local.get $b)) \
             (local.set $t (i32.load offset={} (i32.and (local.get $b) (i32.const 65532))))",
            k % 1024 * 4,
            (k >> 10) % 1024 * 4
        ),
        4 if func > 0 => {
            let callee = rng.below(func as u64);
            write!(
                out,
                "(local.set $a (call $f{callee} (local.get $a) (local.get $t)))"
            )
        }
        5 => write!(
            out,
            "(local.set $b (call_indirect (type $binop) (local.get $a) (local.get $b) \
             (i32.and (local.get $t) (i32.const 63))))"
        ),
        6 => {
            let op = rng.pick(BIN64);
            write!(
                out,
                "(local.set $x (i64.{op} (i64.mul (local.get $x) (i64.extend_i32_u (local.get $a))) \
                 (i64.const {k}))) \
                 (local.set $t (i32.wrap_i64 (i64.shr_u (local.get $x) (i64.const {}))))",
                k % 64
            )
        }
        7 => {
            let op = rng.pick(BINF);
            write!(
                out,
                "(local.set $y (f64.{op} (f64.mul (local.get $y) (f64.convert_i32_s (local.get $a))) \
                 (f64.const {}.5))) \
                 (local.set $b (i32.trunc_sat_f64_s (f64.sqrt (f64.abs (local.get $y)))))",
                k % 100
            )
        }
        8 => write!(
            out,
            "(block $d{l} (block $c{l} (block $e{l} \
             (br_table $e{l} $c{l} $d{l} (i32.and (local.get $a) (i32.const 3)))) \
             (local.set $a (i32.add (local.get $a) (i32.const {k})))) \
             (local.set $b (i32.xor (local.get $b) (local.get $a))))"
        ),
        9 => {
            let cmp = rng.pick(CMP32);
            write!(
                out,
                "(local.set $a (select (local.get $a) (i32.const {k}) \
                 (i32.{cmp} (local.get $t) (local.get $b))))"
            )
        }
        10 => write!(
            out,
            "(global.set $g (i32.add (global.get $g) (local.get $a))) \
             (local.set $t (i32.xor (global.get $g) (i32.const {k})))"
        ),
        _ => write!(
            out,
            "(local.set $a (block $r{l} (result i32) \
             (drop (br_if $r{l} (local.get $b) (i32.and (local.get $a) (i32.const 1)))) \
             (i32.const {k})))"
        ),
    }
    .unwrap();
}

/// A module of `funcs` functions `(i32, i32) -> i32`, each 2 to 24 statements long, calling
/// earlier ones directly and all through a 64-entry table.
pub fn generated_module(funcs: usize) -> Vec<u8> {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut wat = String::new();
    wat.push_str("(module (type $binop (func (param i32 i32) (result i32)))\n");
    wat.push_str("(memory 1) (global $g (mut i32) (i32.const 0)) (table 64 funcref)\n");
    for f in 0..funcs {
        writeln!(
            wat,
            "(func $f{f} (type $binop) (param $a i32) (param $b i32) \
             (result i32) (local $t i32) (local $x i64) (local $y f64)"
        )
        .unwrap();
        let mut label = 0;
        for _ in 0..2 + rng.below(23) {
            statement(&mut rng, &mut wat, f, &mut label);
            wat.push('\n');
        }
        wat.push_str("(i32.add (local.get $a) (i32.xor (local.get $b) (local.get $t))))\n");
    }
    wat.push_str("(elem (i32.const 0) func");
    for i in 0..64 {
        write!(wat, " $f{}", i * funcs / 64).unwrap();
    }
    wat.push_str(")\n");
    write!(wat, "(export \"run\" (func $f{})))", funcs - 1).unwrap();
    wat::parse_str(&wat).expect("generated WAT is well-formed")
}
