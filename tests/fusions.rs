//! The translator's fused forms compute exactly what the unfused instructions do: each shape is
//! translated with every optimization on (checked to contain the fused instruction) and with
//! all off, and both must agree on inputs chosen around the edges (wrap-around, equal values,
//! out-of-bounds addresses).

use regwasm::{Config, Engine, Instance, Linker, Module, Optimizations, Store, Val};

const CMPS: [&str; 10] = [
    "eq", "ne", "lt_s", "lt_u", "gt_s", "gt_u", "le_s", "le_u", "ge_s", "ge_u",
];

struct Both {
    fused: (Store<()>, Instance),
    plain: (Store<()>, Instance),
}

fn instantiate(wat: &str, opts: Optimizations) -> (Module, Store<()>, Instance) {
    let mut config = Config::default();
    config.optimizations(opts).verify_bytecode(true);
    let engine = Engine::new(&config);
    let module = Module::new(&engine, wat).expect("module");
    let mut store = Store::new(&engine, ());
    let instance = Linker::new(&engine)
        .instantiate(&mut store, &module)
        .expect("instantiate");
    (module, store, instance)
}

/// The translation of `wat` with every optimization on but the accumulator forms, which would
/// rename the fused instructions these tests look for (both sides run with them on).
fn fused_listing(wat: &str) -> String {
    let opts = Optimizations::all()
        .without("accumulator")
        .expect("a switch");
    instantiate(wat, opts).0.disassemble()
}

/// Both translations of `wat`; the fused one must contain `mnemonic`.
fn both(wat: &str, mnemonic: &str) -> Both {
    let (_, store, instance) = instantiate(wat, Optimizations::all());
    let listing = fused_listing(wat);
    assert!(
        listing.contains(mnemonic),
        "no {mnemonic} in:\n{listing}\nfor {wat}"
    );
    let (_, pstore, pinstance) = instantiate(wat, Optimizations::none());
    Both {
        fused: (store, instance),
        plain: (pstore, pinstance),
    }
}

fn call(side: &mut (Store<()>, Instance), name: &str, args: &[Val]) -> String {
    let (store, instance) = side;
    let f = instance.get_func(store, name).expect("export");
    let mut results = vec![Val::I32(0)];
    match f.call(&mut *store, args, &mut results) {
        Ok(()) => format!("{results:?}"),
        Err(e) => format!("trap: {e}"),
    }
}

fn agree(b: &mut Both, name: &str, args: &[Val]) {
    let fused = call(&mut b.fused, name, args);
    let plain = call(&mut b.plain, name, args);
    assert_eq!(fused, plain, "{name}{args:?}");
}

const EDGES: [i32; 7] = [0, 1, -1, 7, 100, i32::MAX, i32::MIN];

/// `x += step; br_if cmp(x, n)` closing a loop, for every comparison, with the counter on
/// either side and the step in a register or an immediate. Each loop also stops after 300
/// iterations; the result packs the count and the final counter.
#[test]
fn counter_branches_match_the_separate_add_and_branch() {
    for cmp in CMPS {
        for (step, step_name) in [("(local.get $step)", "reg"), ("(i32.const 3)", "imm")] {
            for (operands, mnemonic) in [
                ("(local.get $i) (local.get $n)", "add"),
                ("(local.get $n) (local.get $i)", "add"),
                ("(local.get $i) (local.get $i)", "add"),
            ] {
                let wat = format!(
                    r#"(module (func (export "f") (param $i i32) (param $step i32) (param $n i32)
                        (result i32) (local $c i32)
                      (block $out
                        (loop $l
                          (br_if $out (i32.ge_u (local.get $c) (i32.const 300)))
                          (local.set $c (i32.add (local.get $c) (i32.const 1)))
                          (local.set $i (i32.add (local.get $i) {step}))
                          (br_if $l (i32.{cmp} {operands}))))
                      (i32.add (i32.mul (local.get $c) (i32.const 65536)) (local.get $i))))"#
                );
                let fused_name = if step_name == "imm" {
                    format!("{mnemonic}_imm_br_if_i32.")
                } else {
                    format!("{mnemonic}_br_if_i32.")
                };
                let mut b = both(&wat, &fused_name);
                for i in EDGES {
                    for n in EDGES {
                        for s in [1, -1, 3, i32::MAX] {
                            agree(&mut b, "f", &[Val::I32(i), Val::I32(s), Val::I32(n)]);
                        }
                    }
                }
            }
        }
    }
}

/// Every load and store kind on an address computed by `i32.add` of two locals (the indexed
/// forms, where they exist), with a static offset, near and across the ends of memory and
/// with a sum that wraps around 2^32.
#[test]
fn indexed_accesses_match_the_separate_add() {
    let loads = [
        ("i32.load", "i32", "i32.load_idx"),
        ("i64.load", "i64", "i64.load_idx"),
        ("f32.load", "f32", "i32.load_idx"),
        ("f64.load", "f64", "i64.load_idx"),
        ("i32.load8_u", "i32", "i32.load8_u_idx"),
        ("i32.load8_s", "i32", "i32.load8_s_idx"),
        ("i32.load16_u", "i32", "i32.load16_u_idx"),
        ("i32.load16_s", "i32", "i32.load16_s_idx"),
        ("i64.load8_s", "i64", "i64.load8_s"),
        ("i64.load32_u", "i64", "i64.load32_u"),
    ];
    let stores = [
        ("i32.store", "i32", "(i32.const -2)", "store32_imm"),
        ("i32.store", "i32", "(local.get $v)", "i32.store_idx"),
        ("i64.store", "i64", "(i64.const -3)", "store64_imm"),
        ("f32.store", "f32", "(f32.const -1.5)", "store32_imm"),
        ("f64.store", "f64", "(f64.const 2.25)", "f64.store"),
        ("i32.store8", "i32", "(i32.const 0x1ff)", "store8_imm_idx"),
        ("i64.store8", "i64", "(i64.const -1)", "store8_imm_idx"),
        ("i32.store8", "i32", "(local.get $v)", "store8_idx"),
        ("i32.store16", "i32", "(local.get $v)", "store16_idx"),
        (
            "i64.store16",
            "i64",
            "(i64.extend_i32_s (local.get $v))",
            "store16_idx",
        ),
        (
            "i64.store32",
            "i64",
            "(i64.const 0x1234567890)",
            "store32_imm",
        ),
        (
            "i64.store32",
            "i64",
            "(i64.extend_i32_u (local.get $v))",
            "i32.store_idx",
        ),
        // The value's instruction writes local $b: the add must not fuse when it reads $b.
        (
            "i32.store",
            "i32",
            "(local.tee $b (i32.const 7))",
            "i32.store_idx",
        ),
        (
            "i32.store8",
            "i32",
            "(i32.add (local.get $v) (i32.const 1))",
            "store8_idx",
        ),
    ];
    let addrs: [(i32, i32); 9] = [
        (0, 0),
        (100, 23),
        (65530, 0),
        (65536 - 16, 8),
        (65536, 0),
        (-1, 1),
        (-8, 40),
        (i32::MAX, i32::MAX),
        (-65536, 65535),
    ];
    // The address from two locals, from a local and a computed index (the add then reads a
    // stack slot that the access must not overwrite first), and from a local plus a constant
    // (the `_disp` forms, which have no byte-constant store).
    let sums = [
        "(i32.add (local.get $b) (local.get $i))",
        "(i32.add (local.get $b) (i32.xor (local.get $i) (i32.const 0)))",
        "(i32.add (local.get $b) (i32.const -40))",
        "(i32.add (local.get $i) (i32.const 65535))",
    ];
    let expected = |fused: &str, sum: &str| -> String {
        // `(i32.add (local.get $x) (i32.const c))`: a displacement.
        let disp = sum.matches("i32.const").count() == 1 && !sum.contains("xor");
        match (disp, fused) {
            (false, _) => fused.to_string(),
            (true, "store8_imm_idx") => "store8_imm".to_string(),
            (true, _) => fused.replace("_idx", "_disp"),
        }
    };
    // A value computed after the add: the add still fuses, unless the value's instruction
    // overwrites one of the add's operands (the computed index's slot, or the local $b).
    let expected_store = |store: &str, value: &str, fused: &str, sum: &str| -> String {
        let op = value
            .trim_start_matches('(')
            .split(' ')
            .next()
            .unwrap_or("");
        let computed = op != "local.get" && !op.ends_with(".const");
        let clobbers = sum.contains("xor") || (value.contains("$b") && sum.contains("$b"));
        if computed && clobbers {
            store.to_string()
        } else {
            expected(fused, sum)
        }
    };
    for ((load, ty, fused), sum) in loads.into_iter().flat_map(|l| sums.map(|s| (l, s))) {
        let wat = format!(
            r#"(module (memory 1) (data (i32.const 0) "\01\82\03\f4\05\86\07\f8\09\8a")
              (data (i32.const 65520) "\ff\fe\fd\fc\fb\fa\f9\f8\f7\f6\f5\f4\f3\f2\f1\f0")
              (func (export "f") (param $b i32) (param $i i32) (result {ty})
                ({load} offset=2 {sum})))"#
        );
        let mut b = both(&wat, &expected(fused, sum));
        for (base, index) in addrs {
            agree(&mut b, "f", &[Val::I32(base), Val::I32(index)]);
        }
    }
    for ((store, ty, value, fused), sum) in stores.into_iter().flat_map(|s| sums.map(|a| (s, a))) {
        // Stores, then reads back the 16 bytes around the target as a checksum.
        let wat = format!(
            r#"(module (memory 1)
              (func (export "f") (param $b i32) (param $i i32) (param $v i32) (result i32)
                (local $a i32) (local $sum i32) (local $k i32)
                ({store} offset=3 {sum} {value})
                (local.set $a (i32.add (i32.add (local.get $b) (local.get $i)) (i32.const -5)))
                (block $done (loop $next
                  (br_if $done (i32.ge_u (local.get $k) (i32.const 16)))
                  (if (i32.lt_u (i32.add (local.get $a) (local.get $k)) (i32.const 65536))
                    (then (local.set $sum (i32.add (i32.mul (local.get $sum) (i32.const 31))
                      (i32.load8_u (i32.add (local.get $a) (local.get $k)))))))
                  (local.set $k (i32.add (local.get $k) (i32.const 1)))
                  (br $next)))
                (local.get $sum))
              (func (export "g") (result {ty}) ({ty}.const 0)))"#
        );
        let mut b = both(&wat, &expected_store(store, value, fused, sum));
        for (base, index) in addrs {
            agree(
                &mut b,
                "f",
                &[Val::I32(base), Val::I32(index), Val::I32(0x1234_56ab)],
            );
        }
    }
}

/// `add` or `sub` of a `mul` result, in every type and operand order, against edge values
/// (overflow, NaN payloads, infinities, signed zeros). Any two NaNs count as equal: Wasm leaves
/// the payload of an operation on NaNs nondeterministic. Each shape names the fused
/// instruction it must become, if any; `a * b - c` does not commute into a `mul_sub`.
#[test]
fn multiply_add_matches_the_separate_mul_and_add() {
    let shapes: [(&str, Option<&str>); 7] = [
        (
            "(T.add (local.get $c) (T.mul (local.get $a) (local.get $b)))",
            Some(".mul_add"),
        ),
        (
            "(T.add (T.sub (local.get $c) (local.get $a)) (T.mul (local.get $a) (local.get $b)))",
            Some(".mul_add"),
        ),
        (
            "(T.add (T.mul (local.get $a) (local.get $b)) (local.get $c))",
            Some(".mul_add"),
        ),
        (
            "(T.add (T.mul (local.get $a) (local.get $b)) (T.neg (local.get $c)))",
            None,
        ),
        (
            "(T.sub (local.get $c) (T.mul (local.get $a) (local.get $b)))",
            Some(".mul_sub"),
        ),
        (
            "(T.sub (T.sub (local.get $c) (local.get $a)) (T.mul (local.get $a) (local.get $b)))",
            Some(".mul_sub"),
        ),
        (
            "(T.sub (T.mul (local.get $a) (local.get $b)) (local.get $c))",
            None,
        ),
    ];
    let values = edge_values();
    for (ty, vals) in &values {
        for (shape, fused) in shapes {
            if shape.contains(".neg") && ty.starts_with('i') {
                continue; // no `neg` for integers
            }
            let body = shape.replace("T.", &format!("{ty}."));
            let wat = format!(
                r#"(module (func (export "f") (param $a {ty}) (param $b {ty}) (param $c {ty})
                    (result {ty}) {body}))"#
            );
            let (listing, mut b) = listing_and_both(&wat);
            for mnemonic in [".mul_add", ".mul_sub"] {
                assert_eq!(
                    listing.contains(mnemonic),
                    fused == Some(mnemonic),
                    "{listing}"
                );
            }
            for x in vals {
                for y in vals {
                    for z in vals {
                        b.agree_typed(&[*x, *y, *z], &format!("{ty} {shape}"));
                    }
                }
            }
        }
    }
}

/// Values of each type around the edges: overflow, infinities, signed zeros and NaNs with
/// payloads.
fn edge_values() -> [(&'static str, Vec<Val>); 4] {
    [
        (
            "i32",
            [0, 1, -1, 3, i32::MAX, i32::MIN].map(Val::I32).to_vec(),
        ),
        (
            "i64",
            [0, 1, -1, 3, i64::MAX, i64::MIN].map(Val::I64).to_vec(),
        ),
        (
            "f32",
            [0.0f32, -0.0, 1.5, -3.0, f32::INFINITY, f32::MAX]
                .map(|v| Val::F32(v.to_bits()))
                .into_iter()
                .chain([Val::F32(0x7fc0_0001), Val::F32(0xffa0_0000)])
                .collect(),
        ),
        (
            "f64",
            [0.0f64, -0.0, 1.5, -3.0, f64::INFINITY, f64::MAX]
                .map(|v| Val::F64(v.to_bits()))
                .into_iter()
                .chain([
                    Val::F64(0x7ff8_0000_0000_0001),
                    Val::F64(0xfff4_0000_0000_0000),
                ])
                .collect(),
        ),
    ]
}

/// Both translations of `wat` and the listing of the fused one.
fn listing_and_both(wat: &str) -> (String, Both) {
    let (_, store, instance) = instantiate(wat, Optimizations::all());
    let (_, pstore, pinstance) = instantiate(wat, Optimizations::none());
    let both = Both {
        fused: (store, instance),
        plain: (pstore, pinstance),
    };
    (fused_listing(wat), both)
}

impl Both {
    /// Both translations of `f` agree on `args` (see [`call_typed`]).
    fn agree_typed(&mut self, args: &[Val], what: &str) {
        let fused = call_typed(&mut self.fused, args, args[0]);
        let plain = call_typed(&mut self.plain, args, args[0]);
        assert_eq!(fused, plain, "{what} {args:?}");
    }

    /// As [`Both::agree_typed`], for an `f` whose result is `result` (`"i32"` or the type of
    /// the first argument).
    fn agree_any(&mut self, args: &[Val], result: &str, what: &str) {
        let slot = if result == "i32" {
            Val::I32(0)
        } else {
            args[0]
        };
        let fused = call_typed(&mut self.fused, args, slot);
        let plain = call_typed(&mut self.plain, args, slot);
        assert_eq!(fused, plain, "{what} {args:?}");
    }
}

/// Calls `f`, whose one result has the type of `slot`.
fn call_typed(side: &mut (Store<()>, Instance), args: &[Val], slot: Val) -> String {
    let (store, instance) = side;
    let f = instance.get_func(store, "f").expect("export");
    let mut results = vec![slot];
    match f.call(&mut *store, args, &mut results) {
        Ok(()) => match results[0] {
            Val::F32(bits) if f32::from_bits(bits).is_nan() => "NaN".into(),
            Val::F64(bits) if f64::from_bits(bits).is_nan() => "NaN".into(),
            ref v => format!("{v:?}"),
        },
        Err(e) => format!("trap: {e}"),
    }
}

/// Loads and stores at constant addresses (the `_abs` forms, the static offset folded in):
/// inside memory, across its end, and with an address plus offset at or beyond 2^32 (which
/// stays unfused and traps).
#[test]
fn constant_addresses_match_the_unfused_access() {
    let loads = [
        ("i32.load", "i32"),
        ("i64.load", "i64"),
        ("f32.load", "f32"),
        ("f64.load", "f64"),
        ("i32.load8_u", "i32"),
        ("i32.load8_s", "i32"),
        ("i32.load16_u", "i32"),
        ("i32.load16_s", "i32"),
        ("i64.load16_s", "i64"),
    ];
    let stores = [
        ("i32.store", "(local.get $v)"),
        ("i64.store", "(i64.extend_i32_s (local.get $v))"),
        ("f32.store", "(f32.convert_i32_s (local.get $v))"),
        ("f64.store", "(f64.convert_i32_s (local.get $v))"),
        ("i32.store8", "(local.get $v)"),
        ("i32.store16", "(i32.mul (local.get $v) (local.get $v))"),
        ("i64.store8", "(i64.extend_i32_u (local.get $v))"),
        ("i64.store32", "(i64.extend_i32_u (local.get $v))"),
        ("i32.store", "(i32.const 7)"),
    ];
    let places = [
        (96, 0),
        (100, 3),
        (65528, 0),
        (65534, 0),
        (65530, 3),
        (-1, 0),
        (-4, 4),
    ];
    for ((load, ty), (addr, offset)) in loads.into_iter().flat_map(|l| places.map(|p| (l, p))) {
        let wat = format!(
            r#"(module (memory 1) (data (i32.const 96) "\01\82\03\f4\05\86\07\f8\09\8a")
              (data (i32.const 65526) "\ff\fe\fd\fc\fb\fa\f9\f8\f7\f6")
              (func (export "f") (result {ty}) ({load} offset={offset} (i32.const {addr}))))"#
        );
        // Sign-extending narrow i64 loads have no fused forms.
        let fuses = (addr as u32 as u64) + offset < 1 << 32 && !load.starts_with("i64.load16");
        let mut b = both(&wat, if fuses { "_abs" } else { "" });
        agree(&mut b, "f", &[]);
    }
    for ((store, value), (addr, offset)) in stores.into_iter().flat_map(|s| places.map(|p| (s, p)))
    {
        let wat = format!(
            r#"(module (memory 1)
              (func (export "f") (param $v i32) (result i64)
                ({store} offset={offset} (i32.const {addr}) {value})
                (i64.xor (i64.xor (i64.load (i32.const 96)) (i64.load (i32.const 104)))
                  (i64.load (i32.const 65528)))))"#
        );
        let in_range = (addr as u32 as u64) + offset < 1 << 32;
        let constant = value.starts_with("(i32.const");
        let mut b = both(&wat, if in_range && !constant { "_abs" } else { "" });
        for v in [0x1234_56ab, -1, 0] {
            agree(&mut b, "f", &[Val::I32(v)]);
        }
    }
}

/// `local.tee y` + `local.set x` of an `i32.add_imm` (`i32.add_imm2`), and a load through a
/// pointer stepped just before (`i32.load_bump`), at the edges of memory and of 2^32.
#[test]
fn two_destination_add_and_pointer_bump_match_the_unfused_code() {
    let tee_set = r#"(module (func (export "f") (param $a i32) (param $k i32) (result i32)
        (local $x i32) (local $y i32)
        (local.set $x (local.tee $y (i32.add (local.get $a) (i32.const 9))))
        (local.set $a (local.tee $a (i32.add (local.get $a) (i32.const -1))))
        (i32.add (i32.mul (local.get $x) (i32.const 1000))
          (i32.add (i32.mul (local.get $y) (i32.const 10)) (local.get $a)))))"#;
    let mut b = both(tee_set, "i32.add_imm2");
    for a in EDGES {
        agree(&mut b, "f", &[Val::I32(a), Val::I32(0)]);
    }
    // The result also shows the stepped pointer.
    for (load, as_i32) in [
        ("i32.load", "i32.add (i32.const 0)"),
        ("f32.load", "i32.reinterpret_f32"),
    ] {
        for offset in [0, 6, 65535] {
            let wat = format!(
                r#"(module (memory 1)
                  (data (i32.const 0) "\01\02\03\04\05\06\07\08\09\0a\0b\0c")
                  (data (i32.const 65528) "\f1\f2\f3\f4\f5\f6\f7\f8")
                  (func (export "f") (param $p i32) (param $unused i32) (result i32)
                    (local.set $p (i32.add (local.get $p) (i32.const 4)))
                    (i32.xor ({as_i32} ({load} offset={offset} (local.get $p)))
                      (local.get $p))))"#
            );
            let mut b = both(&wat, "i32.load_bump");
            for p in [0, -4, -6, -2, 65524, 65528, 65532, i32::MAX, i32::MIN] {
                agree(&mut b, "f", &[Val::I32(p), Val::I32(0)]);
            }
        }
    }
}

/// `br_if` on a comparison with a constant (`br_if_<cmp>_imm`), in `i32` and `i64`, with
/// constants beyond 16 bits (the immediate is 32 bits, sign-extended for `i64`) and values on
/// either side of them.
#[test]
fn branch_on_a_comparison_with_a_constant_matches_the_separate_compare() {
    for ty in ["i32", "i64"] {
        for cmp in CMPS {
            for imm in [
                5i64,
                -32769,
                32768,
                1 << 20,
                i32::MIN as i64,
                i32::MAX as i64,
            ] {
                let wat = format!(
                    r#"(module (func (export "f") (param $a {ty}) (result i32)
                      (block $taken
                        (br_if $taken ({ty}.{cmp} (local.get $a) ({ty}.const {imm})))
                        (return (i32.const 0)))
                      (i32.const 1)))"#
                );
                let listing = fused_listing(&wat);
                let fused = |l: &str| {
                    l.contains(&format!("br_if_{ty}.")) && l.contains(&format!("imm={imm} "))
                };
                assert!(listing.lines().any(fused), "{listing}");
                let mut b = both(&wat, "br_if_");
                for a in [imm - 1, imm, imm + 1, 0, -1, i64::MIN, i64::MAX] {
                    let arg = match ty {
                        "i32" => Val::I32(a as i32),
                        _ => Val::I64(a),
                    };
                    agree(&mut b, "f", &[arg]);
                }
            }
        }
    }
}

/// A copy just before a call runs inside the call (`call_copy`, `call_copy2` under
/// `copy_pairs`): arguments from locals, a repeated local, one argument computed and one
/// copied, and a copy into the second argument only.
#[test]
fn calls_with_copies_match_the_separate_copies() {
    let wat = r#"(module
      (func $f2 (param i32 i32) (result i32)
        (i32.sub (local.get 0) (i32.mul (local.get 1) (i32.const 3))))
      (func $f1 (param i32) (result i32) (i32.mul (local.get 0) (i32.const 7)))
      (func (export "f") (param $a i32) (param $b i32) (result i32) (local $x i32)
        (local.set $x (call $f2 (local.get $a) (local.get $b)))
        (local.set $x (call $f2 (local.get $x) (local.get $x)))
        (local.set $x (call $f2 (i32.add (local.get $x) (i32.const 1)) (local.get $a)))
        (local.set $x (call $f1 (local.get $x)))
        (call $f2 (local.get $b) (local.get $x))))"#;
    let mut b = both(wat, "call_copy2 ");
    let listing = fused_listing(wat);
    assert!(listing.contains("call_copy "), "{listing}");
    for x in EDGES {
        for y in EDGES {
            agree(&mut b, "f", &[x, y].map(Val::I32));
        }
    }
}

/// `select` on a comparison (`select_<cmp>`, register and immediate right operand), on a flag
/// test (`select_and_imm`) and on `i32.eqz` (a `select` with its operands swapped), with
/// operands that are locals, constants and computed values.
#[test]
fn select_on_a_comparison_matches_the_separate_compare_and_select() {
    let operands = [
        ("(local.get $x)", "(local.get $y)"),
        ("(i32.const 7)", "(local.get $y)"),
        ("(i32.mul (local.get $x) (i32.const 3))", "(i32.const -9)"),
    ];
    for cmp in CMPS {
        let (reg, imm) = (
            format!("select_i32.{cmp} "),
            format!("select_i32.{cmp}_imm "),
        );
        for (rhs, fused) in [("(local.get $b)", &reg), ("(i32.const 5)", &imm)] {
            for (x, y) in operands {
                let wat = format!(
                    r#"(module (func (export "f") (param $a i32) (param $b i32) (param $x i32)
                        (param $y i32) (result i32)
                      (select {x} {y} (i32.{cmp} (local.get $a) {rhs}))))"#
                );
                let mut b = both(&wat, fused);
                for a in EDGES {
                    for bb in [0, 5, -1, i32::MIN] {
                        let args = [a, bb, 11, 22].map(Val::I32);
                        agree(&mut b, "f", &args);
                    }
                }
            }
        }
    }
    // A flag test: `and` with a 16-bit constant fuses (`select_and_imm`), a wider one not.
    for mask in [1, 0x80, 0xffff, 0x1_0000, -1] {
        for (x, y) in operands {
            let wat = format!(
                r#"(module (func (export "f") (param $a i32) (param $b i32) (param $x i32)
                    (param $y i32) (result i32)
                  (select {x} {y} (i32.and (local.get $a) (i32.const {mask})))))"#
            );
            let fuses = (0..=0xffff).contains(&mask);
            let listing = fused_listing(&wat);
            assert_eq!(listing.contains("select_and_imm"), fuses, "{listing}");
            let mut b = both(&wat, "select");
            for a in EDGES.into_iter().chain([0x80, 0x1_0000, 0xff00]) {
                agree(&mut b, "f", &[a, 0, 11, 22].map(Val::I32));
            }
        }
    }
    let eqz = r#"(module (func (export "f") (param $a i32) (param $b i32) (param $x i32)
        (param $y i32) (result i32)
      (select (local.get $x) (i32.const 3) (i32.eqz (local.get $a)))))"#;
    let mut b = both(eqz, "select ");
    assert!(!fused_listing(eqz).contains("eqz"));
    for a in EDGES {
        agree(&mut b, "f", &[a, 0, 11, 22].map(Val::I32));
    }
}

/// Bit-field extracts, shifted addresses and rotate-xor steps (`bit_fusions`): shift and
/// rotate counts at and beyond 32 (taken modulo 32), masks and addends with the sign bit
/// (wrapping sums), the rotated value on either side of the `xor` and the other operand a
/// local or a computed value.
#[test]
fn bit_fusions_match_the_separate_shift_and_operation() {
    let values = [0, 1, -1, 0x1234_5678, i32::MIN, i32::MAX, 0x00ff_00ff];
    // A shift by a constant, then an operation with a constant: the fused mnemonic and the
    // constants to try.
    let shifted = [
        (
            "i32.and",
            "i32.shr_u",
            "i32.shr_u_and_imm",
            [0xff, 1, -1, i32::MIN, 0x7fff_ffff],
        ),
        (
            "i32.add",
            "i32.shl",
            "i32.shl_add_imm",
            [0, 1024, -24, i32::MIN, i32::MAX],
        ),
    ];
    for (op, shift_op, fused, constants) in shifted {
        for shift in [0, 1, 2, 7, 31, 32, 35, -1] {
            for c in constants {
                let wat = format!(
                    r#"(module (func (export "f") (param $a i32) (param $b i32) (result i32)
                      ({op} ({shift_op} (local.get $a) (i32.const {shift})) (i32.const {c}))))"#
                );
                let mut b = both(&wat, fused);
                for a in values {
                    agree(&mut b, "f", &[a, 0].map(Val::I32));
                }
            }
        }
    }
    for (shift_op, fused) in [
        ("i32.rotl", "i32.xor_rotl_imm"),
        ("i32.shr_u", "i32.xor_shr_u_imm"),
    ] {
        let shifted = format!("({shift_op} (local.get $a) (i32.const K))");
        let shapes = [
            format!("(i32.xor (local.get $b) {shifted})"),
            format!("(i32.xor {shifted} (local.get $b))"),
            format!("(i32.xor (i32.add (local.get $b) (local.get $a)) {shifted})"),
            format!("(i32.xor {shifted} ({shift_op} (local.get $b) (i32.const 3)))"),
        ];
        for k in [0, 5, 31, 32, 40, -3] {
            for shape in &shapes {
                let body = shape.replace('K', &k.to_string());
                let wat = format!(
                    r#"(module (func (export "f") (param $a i32) (param $b i32) (result i32) {body}))"#
                );
                let mut b = both(&wat, fused);
                for a in values {
                    for bb in values {
                        agree(&mut b, "f", &[a, bb].map(Val::I32));
                    }
                }
            }
        }
    }
}

/// Two counter steps in a row (`x += i; y += j`) become one `i32.add_imm_pair` (under
/// `counter_branches`): steps at the edges of the 16-bit immediate, wrapping counters, and a
/// third step that stays alone.
#[test]
fn step_pairs_match_the_separate_steps() {
    for (i, j) in [(1, 4), (-1, 32767), (-32768, 8), (100, -100)] {
        let wat = format!(
            r#"(module (func (export "f") (param $a i32) (param $b i32) (result i32)
                (local $n i32)
                (loop $l
                  (local.set $a (i32.add (local.get $a) (i32.const {i})))
                  (local.set $b (i32.add (local.get $b) (i32.const {j})))
                  (local.set $n (i32.add (local.get $n) (i32.const 1)))
                  (br_if $l (i32.lt_u (local.get $n) (i32.const 10))))
                (i32.xor (local.get $a) (i32.mul (local.get $b) (i32.const 31)))))"#
        );
        let mut b = both(&wat, "i32.add_imm_pair");
        for a in EDGES {
            for bb in [0, i32::MAX, i32::MIN, -5] {
                agree(&mut b, "f", &[a, bb].map(Val::I32));
            }
        }
    }
}

/// A counter stepped and tested against a constant (`add_imm_br_if_i32.ne_imm`), alone and
/// beside a second step in either order (`add_imm_pair_br_if_i32.ne_imm`, which takes bounds
/// of 16 bits), or by `br_if` of itself (a count down to 0), with steps that wrap around 2^32. Each counter starts `k` steps before its
/// bound, so the loop runs `k` times (fewer if a step's multiple wraps to 0 first).
#[test]
fn constant_trip_counts_match_the_separate_step_and_test() {
    for step in [1, -1, 3, 4, -32768, 32767] {
        for bound in [0, 40, -7, 32767, -32768, 100_000] {
            // The loop `body`, from a counter `k` steps before its bound; `result` packs the
            // locals.
            let module = |body: &str, result: &str| {
                format!(
                    r#"(module (func (export "f") (param $a i32) (param $p i32) (result i32)
                        (local $i i32) (local $n i32)
                        (local.set $i (i32.sub (i32.const {bound}) (i32.mul (i32.add
                          (i32.and (local.get $a) (i32.const 63)) (i32.const 1))
                          (i32.const {step}))))
                        (loop $l {body})
                        {result}))"#
                )
            };
            let step_i = format!("(local.set $i (i32.add (local.get $i) (i32.const {step})))");
            let test_i = format!("(br_if $l (i32.ne (local.get $i) (i32.const {bound})))");
            let pack = "(i32.add (i32.mul (local.get $n) (i32.const 31))
                          (i32.xor (local.get $i) (local.get $p)))";
            let single = module(
                &format!(
                    "(local.set $n (i32.add (local.get $n) (local.get $i))) {step_i} {test_i}"
                ),
                pack,
            );
            let pair_name = if i16::try_from(bound).is_ok() {
                "add_imm_pair_br_if_i32.ne_imm"
            } else {
                "add_imm_br_if_i32.ne_imm"
            };
            let mut cases = vec![(single, "add_imm_br_if_i32.ne_imm")];
            // The step written as a subtraction of its negation (`i32.sub_imm`).
            let step_sub = format!(
                "(local.set $i (i32.sub (local.get $i) (i32.const {})))",
                -i64::from(step)
            );
            let body = format!(
                "(local.set $n (i32.add (local.get $n) (local.get $i))) {step_sub} {test_i}"
            );
            cases.push((module(&body, pack), "add_imm_br_if_i32.ne_imm"));
            // A second step before or after the tested one.
            for (first, second) in [
                (
                    "(local.set $p (i32.add (local.get $p) (i32.const 5)))",
                    step_i.as_str(),
                ),
                (
                    step_i.as_str(),
                    "(local.set $p (i32.add (local.get $p) (i32.const -3)))",
                ),
            ] {
                let body = format!(
                    "(local.set $n (i32.xor (local.get $n) (local.get $p))) {first} {second} {test_i}"
                );
                cases.push((module(&body, pack), pair_name));
            }
            if bound == 0 {
                // A count down to zero: `br_if` on the counter itself.
                let body = format!(
                    "(local.set $n (i32.add (local.get $n) (local.get $i)))
                     (local.set $p (i32.add (local.get $p) (i32.const 7)))
                     {step_i} (br_if $l (local.get $i))"
                );
                cases.push((module(&body, pack), "add_imm_pair_br_if_i32.ne_imm"));
            }
            for (wat, mnemonic) in cases {
                let mut b = both(&wat, mnemonic);
                for a in [0, 1, 2, 63, -1] {
                    for p in [0, i32::MAX, -9] {
                        agree(&mut b, "f", &[a, p].map(Val::I32));
                    }
                }
            }
        }
    }
}

/// A loop that computes its counter's next value into another local and tests the current
/// one (`next_br_if_i32.ne`, `next_br_if_i32.ne_imm`): the bound in a register on either side
/// of the `i32.ne`, or a constant, with steps that wrap around 2^32. The current value runs
/// from `start` to `start + k * step`, `k` from the argument, so every loop ends.
#[test]
fn next_value_and_current_test_match_the_separate_add_and_branch() {
    for step in [1, -1, 7, 32767, -32768] {
        for (test, mnemonic) in [
            (
                "(i32.ne (local.get $i) (local.get $n))",
                "next_br_if_i32.ne ",
            ),
            (
                "(i32.ne (local.get $n) (local.get $i))",
                "next_br_if_i32.ne ",
            ),
            (
                "(i32.ne (local.get $i) (i32.const 1000))",
                "next_br_if_i32.ne_imm",
            ),
        ] {
            let wat = format!(
                r#"(module (func (export "f") (param $a i32) (param $start i32) (result i32)
                    (local $i i32) (local $next i32) (local $n i32) (local $acc i32)
                    (local.set $n (i32.add (local.get $start) (i32.mul
                      (i32.and (local.get $a) (i32.const 63)) (i32.const {step}))))
                    (if (i32.lt_s (local.get $a) (i32.const 0))
                      (then (local.set $start (i32.sub (i32.const 1000) (i32.mul
                        (i32.and (local.get $a) (i32.const 63)) (i32.const {step}))))))
                    (local.set $next (local.get $start))
                    (loop $l
                      (local.set $i (local.get $next))
                      (local.set $acc (i32.add (i32.mul (local.get $acc) (i32.const 31))
                        (local.get $i)))
                      (local.set $next (i32.add (local.get $i) (i32.const {step})))
                      (br_if $l {test}))
                    (i32.xor (local.get $acc) (i32.mul (local.get $next) (i32.const 7)))))"#
            );
            let mut b = both(&wat, mnemonic);
            for start in [0, 1000, i32::MAX, i32::MIN, -5] {
                // The constant bound is reached from `1000 - k * step` (negative `a`).
                let a_values: &[i32] = if mnemonic.ends_with("_imm") {
                    &[-1, -2, -64, i32::MIN]
                } else {
                    &[0, 1, 2, 63, 64]
                };
                for &a in a_values {
                    agree(&mut b, "f", &[a, start].map(Val::I32));
                }
            }
        }
    }
}

/// A pointer copied just before it is read through (`i32.load_copy`): reversing a linked list
/// in memory (`cur = next; next = cur->next; cur->next = prev; prev = cur`), with the list's
/// start given, so that a walk off the end of memory traps where the separate copy and load
/// did; and an `f32.load` through a copied pointer at a static offset.
#[test]
fn loads_through_a_copied_pointer_match_the_separate_copy() {
    let wat = r#"(module (memory 1)
        ;; A list at 16: each node's next pointer, the last one 0; 65532 points off the end.
        (data (i32.const 16) "\18\00\00\00\00\00\00\00\20\00\00\00\00\00\00\00\00\00\00\00")
        (data (i32.const 40) "\fc\ff\00\00")
        (func (export "f") (param $next i32) (param $n i32) (result i32)
          (local $cur i32) (local $prev i32) (local $count i32)
          (loop $l
            (local.set $cur (local.get $next))
            (local.set $next (i32.load (local.get $cur)))
            (i32.store (local.get $cur) (local.get $prev))
            (local.set $prev (local.get $cur))
            (local.set $count (i32.add (local.get $count) (i32.const 1)))
            (br_if $l (i32.and (i32.ne (local.get $next) (i32.const 0))
                               (i32.lt_u (local.get $count) (local.get $n)))))
          (i32.add (i32.mul (local.get $count) (i32.const 65536)) (local.get $prev)))
        (func (export "g") (param $p i32) (param $q i32) (result i32)
          (local.set $q (local.get $p))
          (i32.trunc_sat_f32_s (f32.load offset=4 (local.get $q)))))"#;
    let mut b = both(wat, "i32.load_copy");
    for start in [16, 24, 32, 40, 0, 65532, 65533, -4] {
        for n in [1, 2, 3, 10] {
            agree(&mut b, "f", &[start, n].map(Val::I32));
        }
    }
    for p in [0, 16, 65528, 65529, -1] {
        agree(&mut b, "g", &[p, 7].map(Val::I32));
    }
}

/// A `br_if` on a value just loaded (`i32.load_br_if_nez`, `i32.load8_u_br_if_nez`,
/// `i32.load8_u_idx_br_if_nez`): a pointer walk to a null link, a string's walk to its end
/// and a byte-flag array, with the loaded value kept (`local.tee`) or not, at offsets and
/// addresses near and past the end of memory (traps where the separate load trapped), and
/// an index sum that wraps around 2^32.
#[test]
fn branches_on_a_loaded_value_match_the_separate_load() {
    let wat = r#"(module (memory 1)
        ;; Links at 16 -> 24 -> 32 -> 0; at 40 a link off the end of memory.
        (data (i32.const 16) "\18\00\00\00\00\00\00\00\20\00\00\00\00\00\00\00\00\00\00\00")
        (data (i32.const 40) "\fd\ff\00\00")
        (data (i32.const 100) "abc\00de\00\01\00\00\01")
        (func (export "walk") (param $p i32) (param $n i32) (result i32) (local $c i32)
          (loop $l
            (local.set $c (i32.add (local.get $c) (i32.const 1)))
            (br_if $l (i32.and (i32.lt_u (local.get $c) (local.get $n))
                               (i32.ne (i32.const 0)
                                 (local.tee $p (i32.load (local.get $p)))))))
          (i32.add (i32.mul (local.get $c) (i32.const 65536)) (local.get $p)))
        (func (export "chase") (param $p i32) (param $n i32) (result i32) (local $c i32)
          (block $out
            (loop $l
              (local.set $c (i32.add (local.get $c) (i32.const 1)))
              (br_if $out (i32.ge_u (local.get $c) (local.get $n)))
              (br_if $l (local.tee $p (i32.load offset=0 (local.get $p))))))
          (i32.add (i32.mul (local.get $c) (i32.const 65536)) (local.get $p)))
        (func (export "strlen") (param $s i32) (param $n i32) (result i32) (local $c i32)
          (block $out
            (loop $l
              (br_if $out (i32.ge_u (local.get $c) (local.get $n)))
              (local.set $c (i32.add (local.get $c) (i32.const 1)))
              (br_if $l (i32.load8_u offset=65535 (i32.add (local.get $s) (local.get $c))))))
          (local.get $c))
        (func (export "flag") (param $base i32) (param $i i32) (result i32)
          (block $set
            (br_if $set (i32.load8_u (i32.add (local.get $base) (local.get $i))))
            (return (i32.const -1)))
          (i32.const 7))
        (func (export "flag_kept") (param $base i32) (param $i i32) (result i32) (local $v i32)
          (block $set
            (br_if $set (local.tee $v (i32.load8_u offset=2 (local.get $base))))
            (return (i32.sub (i32.const -1) (local.get $v))))
          (local.get $v)))"#;
    for mnemonic in [
        "i32.load_br_if_nez",
        "i32.load8_u_br_if_nez",
        "i32.load8_u_idx_br_if_nez",
    ] {
        assert!(
            fused_listing(wat).contains(mnemonic),
            "no {mnemonic} in:\n{}",
            fused_listing(wat)
        );
    }
    let mut b = both(wat, "i32.load_br_if_nez");
    for p in [16, 24, 32, 40, 0, 65532, 65533, -4] {
        for n in [1, 2, 3, 10] {
            agree(&mut b, "walk", &[p, n].map(Val::I32));
            agree(&mut b, "chase", &[p, n].map(Val::I32));
        }
    }
    for s in [100 - 65536, 103 - 65536, -65535, -65536, 0, 1] {
        for n in [0, 1, 5, 100] {
            agree(&mut b, "strlen", &[s, n].map(Val::I32));
        }
    }
    for base in [100, 0, 65535, 65536, -1, i32::MIN] {
        for i in [0, 3, 8, 11, 12, -100, 65436, i32::MAX] {
            agree(&mut b, "flag", &[base, i].map(Val::I32));
            agree(
                &mut b,
                "flag_kept",
                &[base.wrapping_add(i), 0].map(Val::I32),
            );
        }
    }
}

/// Arithmetic on a loaded value (`T.op_load`, under `load_operands`), for every operation that
/// has the form, in every type: the load on the right, on the left (fused only when the
/// operation commutes), beside a computed operand, with the result set to a local that is
/// also an operand, and through an address with fused arithmetic (not fused). Memory holds
/// NaNs with payloads and edge integers; addresses run up to, across and (with the offset)
/// past the end of memory and 2^32, so loads trap where the separate load did.
#[test]
fn load_operands_match_the_separate_load() {
    let ops: [(&str, &[&str]); 4] = [
        ("i32", &["add", "sub", "mul", "and", "or", "xor"]),
        ("i64", &["add", "sub", "mul", "and", "or", "xor"]),
        ("f32", &["add", "sub", "mul", "div"]),
        ("f64", &["add", "sub", "mul", "div"]),
    ];
    // Each shape with whether it fuses: always, never, or when the operation commutes (None).
    let shapes: [(&str, Option<bool>); 5] = [
        (
            "(T.OP (local.get $a) (T.load offset=4 (local.get $p)))",
            Some(true),
        ),
        (
            "(T.OP (T.load offset=4 (local.get $p)) (local.get $a))",
            None,
        ),
        (
            "(T.OP (T.add (local.get $a) (local.get $a)) (T.load offset=4 (local.get $p)))",
            Some(true),
        ),
        (
            "(local.set $a (T.OP (local.get $a) (T.load offset=4 (local.get $p)))) (local.get $a)",
            Some(true),
        ),
        (
            "(T.OP (local.get $a) (T.load offset=4 (i32.add (local.get $p) (local.get $p))))",
            Some(false),
        ),
    ];
    let addresses = [0, 4, 8, 20, 28, 65524, 65528, 65529, 65532, 65536, -4, -8];
    let values = edge_values();
    for (ty, names) in ops {
        let vals = &values
            .iter()
            .find(|(t, _)| *t == ty)
            .expect("edge values")
            .1;
        for op in names {
            let commutes = !matches!(*op, "sub" | "div");
            for (shape, fuses) in shapes {
                let body = shape.replace("T.OP", &format!("{ty}.{op}"));
                let body = body.replace("T.", &format!("{ty}."));
                let wat = format!(
                    r#"(module (memory 1)
                      (data (i32.const 4) "\01\00\c0\7f\00\00\c0\3f\01\00\00\00\00\00\f8\7f")
                      (data (i32.const 20) "\00\00\00\00\00\00\08\c0\ff\ff\ff\ff\ff\ff\ff\7f")
                      (data (i32.const 65528) "\00\00\00\80\01\00\a0\ff")
                      (func (export "f") (param $a {ty}) (param $p i32) (result {ty}) {body}))"#
                );
                let mnemonic = format!("{ty}.{op}_load");
                let fused = fuses.unwrap_or(commutes);
                let (listing, mut b) = listing_and_both(&wat);
                assert_eq!(listing.contains(&mnemonic), fused, "{wat}\n{listing}");
                for a in vals {
                    for p in addresses {
                        b.agree_typed(&[*a, Val::I32(p)], &format!("{ty}.{op} {shape}"));
                    }
                }
            }
        }
    }
}

/// The accumulator forms (`_acc`, under `accumulator`): every numeric operator reading the value
/// the instruction before computed, as its left operand, its right one (which commutative
/// operations and comparisons swap into the left), beside a constant, and in a branch; and
/// loads, stores and `if` taking their address, value or condition from it. Each shape is
/// checked to use an `_acc` form where it must, and to agree with the plain translation on
/// edge values (traps included).
#[test]
fn accumulator_forms_match_the_register_reads() {
    let int_bin = [
        "add", "sub", "mul", "div_s", "div_u", "rem_s", "rem_u", "and", "or", "xor", "shl",
        "shr_s", "shr_u", "rotl", "rotr", "eq", "ne", "lt_s", "lt_u", "gt_s", "gt_u", "le_s",
        "le_u", "ge_s", "ge_u",
    ];
    let float_bin = [
        "add", "sub", "mul", "div", "min", "max", "copysign", "eq", "ne", "lt", "gt", "le", "ge",
    ];
    let int_un = ["eqz", "clz", "ctz", "popcnt", "extend8_s", "extend16_s"];
    let float_un = ["abs", "neg", "ceil", "floor", "trunc", "nearest", "sqrt"];
    let values = edge_values();
    for (ty, vals) in &values {
        let int = ty.starts_with('i');
        let (bins, uns) = if int {
            (&int_bin[..], &int_un[..])
        } else {
            (&float_bin[..], &float_un[..])
        };
        let mut shapes: Vec<(String, bool)> = Vec::new();
        for op in bins {
            let compare = ["eq", "ne", "lt", "gt", "le", "ge"]
                .iter()
                .any(|c| op.starts_with(c));
            let result = if compare { "i32" } else { ty };
            let produced = format!("({ty}.sub (local.get $a) (local.get $b))");
            shapes.push((
                format!("{result} ({ty}.{op} {produced} (local.get $c))"),
                true,
            ));
            // Right operand: only operations that commute or can be mirrored use the accumulator.
            let swaps = matches!(*op, "add" | "mul" | "and" | "or" | "xor" | "eq" | "ne")
                || (int && compare);
            shapes.push((
                format!("{result} ({ty}.{op} (local.get $c) {produced})"),
                swaps,
            ));
            // Integer operators fold the constant (an `_imm_acc` form); for floating point the
            // constant is computed last, so it is the accumulator: a right operand again.
            shapes.push((
                format!("{result} ({ty}.{op} {produced} ({ty}.const 7))"),
                int || swaps,
            ));
            if int && compare {
                for operands in [
                    format!("{produced} (local.get $c)"),
                    format!("(local.get $c) {produced}"),
                ] {
                    shapes.push((
                        format!(
                            "i32 (block $t (br_if $t ({ty}.{op} {operands})) \
                             (return (i32.const 5))) (i32.const 9)"
                        ),
                        true,
                    ));
                }
            }
        }
        for op in uns {
            let result = if *op == "eqz" { "i32" } else { ty };
            shapes.push((
                format!("{result} ({ty}.{op} ({ty}.mul (local.get $a) (local.get $b)))"),
                true,
            ));
        }
        shapes.push((
            format!(
                "{ty} ({ty}.store offset=4 (i32.const 16) ({ty}.add (local.get $a) (local.get $b))) \
                 ({ty}.load offset=4 (i32.and (i32.const 0xffff) (i32.load (i32.const 8))))"
            ),
            true,
        ));
        shapes.push((
            format!(
                "{ty} (if (result {ty}) ({ty}.{} ({ty}.add (local.get $a) (local.get $b)) (local.get $c)) \
                 (then (local.get $a)) (else (local.get $b)))",
                if int { "lt_s" } else { "lt" }
            ),
            true,
        ));
        for (shape, uses_acc) in &shapes {
            let (result, body) = shape.split_once(' ').expect("result type");
            let wat = format!(
                r#"(module (memory 1) (data (i32.const 8) "\10\00\00\00\00\00\00\00")
                  (func (export "f") (param $a {ty}) (param $b {ty}) (param $c {ty})
                    (result {result}) {body}))"#
            );
            let (module, store, instance) = instantiate(&wat, Optimizations::all());
            let listing = module.disassemble();
            assert_eq!(listing.contains("_acc "), *uses_acc, "{wat}\n{listing}");
            let (_, pstore, pinstance) = instantiate(&wat, Optimizations::none());
            let mut b = Both {
                fused: (store, instance),
                plain: (pstore, pinstance),
            };
            for x in vals {
                for y in vals.iter().step_by(2) {
                    for z in vals {
                        b.agree_any(&[*x, *y, *z], result, &format!("{ty} {shape}"));
                    }
                }
            }
        }
    }
}

/// The accumulator in the fused forms and across jumps: a copy, a shifted address, a bit-field
/// extract and a flag-test `select` of a computed value; a loop whose counter the step at its
/// end leaves in the accumulator for the store at its head (`store8_imm_idx_acc`,
/// `add_br_if_<cmp>_acc`), loads and stores with an indexed address beside a computed value,
/// and joins where the two ways in leave different registers there (so the code after must
/// read the frame). Each shape agrees with the plain translation, out-of-bounds stores
/// included.
#[test]
fn accumulator_flows_into_loops_and_joins() {
    let shapes: [(&str, &[&str]); 5] = [
        (
            r#"(local $x i32) (local $y i32)
              (local.set $y (local.tee $x (i32.xor (local.get $a) (local.get $b))))
              (i32.add
                (i32.add (i32.shl (i32.xor (local.get $a) (local.get $c)) (i32.const 3))
                         (i32.const 100))
                (i32.add
                  (i32.and (i32.shr_u (i32.xor (local.get $a) (local.get $b)) (i32.const 5))
                           (i32.const 255))
                  (i32.add (i32.mul (local.get $x) (local.get $y))
                    (select (local.get $b) (local.get $c)
                      (i32.and (i32.xor (local.get $a) (local.get $c)) (i32.const 4))))))"#,
            &[
                "copy_acc",
                "i32.shl_add_imm_acc",
                "i32.shr_u_and_imm_acc",
                "select_and_imm_acc",
            ],
        ),
        (
            r#"(local $j i32)
              (local.set $j (i32.mul (local.get $a) (local.get $a)))
              (if (i32.le_u (local.get $j) (local.get $c)) (then
                (loop $l
                  (i32.store8 (i32.add (local.get $j) (local.get $b)) (i32.const 1))
                  (br_if $l (i32.le_u (local.tee $j (i32.add (local.get $j) (local.get $b)))
                                      (local.get $c))))))
              (i32.add (local.get $j) (i32.load (i32.const 64)))"#,
            &["store8_imm_idx_acc", "add_br_if_i32.le_u_acc"],
        ),
        (
            r#"(i32.store (i32.add (local.get $a) (local.get $b))
                 (i32.mul (local.get $c) (local.get $c)))
              (i32.load (i32.add (i32.xor (local.get $a) (local.get $c)) (local.get $b)))"#,
            &["i32.store_idx_acc", "i32.load_idx_acc"],
        ),
        (
            r#"(local $x i32) (local $y i32)
              (local.set $y (local.get $c))
              (if (local.get $a)
                (then (local.set $x (i32.add (local.get $b) (i32.const 1))))
                (else (local.set $y (i32.sub (local.get $b) (i32.const 1)))))
              (i32.add (i32.mul (local.get $x) (i32.const 3)) (local.get $y))"#,
            &[],
        ),
        (
            r#"(local $i i32) (local $s i32)
              (loop $l
                (local.set $s (i32.add (local.get $s)
                  (i32.load8_u (i32.add (local.get $a) (local.get $i)))))
                (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1)))
                                    (local.get $c))))
              (local.get $s)"#,
            &[],
        ),
    ];
    for (body, forms) in shapes {
        let wat = format!(
            r#"(module (memory 1) (data (i32.const 0) "\01\02\03\04\05\06\07\08\09")
              (func (export "f") (param $a i32) (param $b i32) (param $c i32) (result i32)
                {body}))"#
        );
        let (_, mut b) = listing_and_both(&wat);
        let (module, ..) = instantiate(&wat, Optimizations::all());
        let all_on = module.disassemble();
        for form in forms {
            assert!(all_on.contains(&format!("{form} ")), "{form}:\n{all_on}");
        }
        for a in [0, 1, 3, 200, 255, 65535, -1] {
            for bv in [1, 2, 7, 100, 65536] {
                for c in [0, 5, 300, 65530, 65600] {
                    b.agree_any(&[Val::I32(a), Val::I32(bv), Val::I32(c)], "i32", body);
                }
            }
        }
    }
}

/// A copy just before a branch goes into it (`copy_br`, `copy_br_if_nez`, `copy_br_if_eqz`):
/// the end of an `if` arm, a `local.set` before a loop's `br_if` (the condition read after
/// the copy, also when it is the copied register), a loop whose `br` back to its exit test is
/// rotated (the copy kept), and a `copy_br` to a `return_reg`. Each shape on both backends,
/// against the unfused translation.
#[test]
fn copies_into_branches_match_the_separate_copy_and_branch() {
    let shapes = [
        (
            "copy_br ",
            r#"(func (export "f") (param $c i32) (param $a i32) (result i32) (local $x i32)
                 (if (local.get $c)
                   (then (local.set $x (local.get $a)))
                   (else (local.set $x (i32.const 7))))
                 (i32.add (local.get $x) (i32.const 1)))"#,
        ),
        (
            // The `copy_br` to the `return_reg`: `a` returned straight from the `then` arm.
            "return_reg          src=r1",
            r#"(func (export "f") (param $c i32) (param $a i32) (result i32) (local $x i32)
                 (if (local.get $c)
                   (then (local.set $x (local.get $a)))
                   (else (local.set $x (i32.const 7))))
                 (local.get $x))"#,
        ),
        (
            "copy_br_if_nez",
            r#"(func (export "f") (param $c i32) (param $a i32) (result i32) (local $x i32) (local $n i32)
                 (local.set $a (i32.and (local.get $a) (i32.const 63)))
                 (loop $l
                   (local.set $n (i32.add (local.get $n) (local.get $c)))
                   (local.set $a (i32.and (i32.sub (local.get $a) (i32.const 1)) (i32.const 63)))
                   (local.set $x (local.get $a))
                   (br_if $l (local.get $x)))
                 (i32.add (i32.mul (local.get $x) (i32.const 1000)) (local.get $n)))"#,
        ),
        (
            "copy_br_if_eqz",
            r#"(func (export "f") (param $c i32) (param $a i32) (result i32) (local $x i32) (local $n i32)
                 (local.set $a (i32.and (local.get $a) (i32.const 63)))
                 (loop $l
                   (local.set $n (i32.add (local.get $n) (local.get $c)))
                   (local.set $a (i32.add (local.get $a) (i32.const 1)))
                   (local.set $x (i32.and (local.get $a) (i32.const 31)))
                   (local.set $c (local.get $x))
                   (br_if $l (i32.eqz (local.get $c))))
                 (i32.add (i32.mul (local.get $x) (i32.const 1000)) (local.get $n)))"#,
        ),
        (
            "copy_br_if_nez",
            r#"(func (export "f") (param $c i32) (param $a i32) (result i32) (local $y i32) (local $i i32)
                 (local.set $i (i32.and (local.get $a) (i32.const 63)))
                 (block $exit
                   (loop $l
                     (br_if $exit (i32.eqz (local.get $i)))
                     (local.set $i (i32.sub (local.get $i) (i32.const 1)))
                     (local.set $c (i32.add (local.get $c) (local.get $y)))
                     (local.set $y (local.get $i))
                     (br $l)))
                 (i32.add (local.get $c) (local.get $y)))"#,
        ),
    ];
    for (mnemonic, func) in shapes {
        let wat = format!("(module {func})");
        for dispatch in [regwasm::Dispatch::Loop, regwasm::Dispatch::Threaded] {
            let side = |opts: Optimizations| {
                let mut config = Config::default();
                config
                    .optimizations(opts)
                    .verify_bytecode(true)
                    .dispatch(dispatch);
                let engine = Engine::new(&config);
                let module = Module::new(&engine, wat.as_str()).expect("module");
                let mut store = Store::new(&engine, ());
                let instance = Linker::new(&engine)
                    .instantiate(&mut store, &module)
                    .expect("instantiate");
                (module, store, instance)
            };
            let (module, fstore, finstance) = side(Optimizations::all());
            let listing = module.disassemble();
            assert!(
                listing.contains(mnemonic),
                "no {mnemonic} in:\n{listing}\nfor {wat}"
            );
            let (_, pstore, pinstance) = side(Optimizations::none());
            let mut b = Both {
                fused: (fstore, finstance),
                plain: (pstore, pinstance),
            };
            for c in EDGES {
                for a in [0, 1, 5, 40, -1] {
                    agree(&mut b, "f", &[Val::I32(c), Val::I32(a)]);
                }
            }
        }
    }
}

/// A float sum stored back where its operand was loaded from (`f64.add_load_store_acc`,
/// `f32.add_load_store_acc`): the stored value read back, at places near and past the end of
/// memory (a trap where the separate load trapped, and memory left as it was), with signed
/// zeros, infinities and NaN.
#[test]
fn sums_stored_back_match_the_separate_add_and_store() {
    let wat = r#"(module (memory 1)
        (func (export "add64") (param $p i32) (param $x f64) (result f64)
          (f64.store offset=8 (local.get $p)
            (f64.add (f64.mul (local.get $x) (f64.const 1.5))
                     (f64.load offset=8 (local.get $p))))
          (f64.load offset=8 (local.get $p)))
        (func (export "add32") (param $p i32) (param $x f32) (result f32)
          (f32.store offset=4 (local.get $p)
            (f32.add (f32.mul (local.get $x) (f32.const 0.5))
                     (f32.load offset=4 (local.get $p))))
          (f32.load offset=4 (local.get $p)))
        (func (export "peek") (param $p i32) (result i64) (i64.load (local.get $p))))"#;
    let (module, store, instance) = instantiate(wat, Optimizations::all());
    let listing = module.disassemble();
    for mnemonic in ["f64.add_load_store_acc", "f32.add_load_store_acc"] {
        assert!(listing.contains(mnemonic), "no {mnemonic} in:\n{listing}");
    }
    let (_, pstore, pinstance) = instantiate(wat, Optimizations::none());
    let mut b = Both {
        fused: (store, instance),
        plain: (pstore, pinstance),
    };
    for p in [0, 8, 65520, 65521, 65528, -1] {
        for x in [
            1.0,
            -0.0,
            3.25e300,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NAN,
        ] {
            agree(&mut b, "add64", &[Val::I32(p), Val::F64(x.to_bits())]);
            let x = x as f32;
            agree(&mut b, "add32", &[Val::I32(p), Val::F32(x.to_bits())]);
        }
        for at in [0, 8, 16, 65528] {
            agree(&mut b, "peek", &[Val::I32(at)]);
        }
    }
}
