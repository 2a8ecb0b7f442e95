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

/// Both translations of `wat`; the fused one must contain `mnemonic`.
fn both(wat: &str, mnemonic: &str) -> Both {
    let (module, store, instance) = instantiate(wat, Optimizations::all());
    let listing = module.disassemble();
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
