//! The two ways a throw is caught without leaving the interpreter: a `throw` that a
//! `try_table` of its own function is certain to catch becomes a branch
//! (`Optimizations::static_throws`), and any other throw unwinds inside the loop, making an
//! exception only when a clause takes its reference. Every program runs under both dispatch
//! backends, eager and lazy translation, and with `static_throws` on and off, which must agree.

use regwasm::{
    CompilationMode, Config, Dispatch, Engine, Error, Instance, Linker, Module, Optimizations,
    Store, TrapCode, Val,
};

/// The configurations every test runs under, by name.
fn configs() -> Vec<(String, Config)> {
    let mut out = Vec::new();
    for dispatch in [Dispatch::Threaded, Dispatch::Loop] {
        for lazy in [false, true] {
            for statically in [true, false] {
                let mut config = Config::default();
                config.dispatch(dispatch);
                if lazy {
                    config.compilation_mode(CompilationMode::LazyTranslation);
                }
                if !statically {
                    let opts = Optimizations::all().without("static_throws").unwrap();
                    config.optimizations(opts);
                }
                let name = format!("{dispatch:?} lazy={lazy} static_throws={statically}");
                out.push((name, config));
            }
        }
    }
    out
}

/// Calls export `name` of a fresh instance of `wat` under every configuration with `args`;
/// returns each configuration's name and results.
fn call_all(wat: &str, name: &str, args: &[Val]) -> Vec<(String, Result<Vec<Val>, Error>)> {
    configs()
        .into_iter()
        .map(|(config_name, config)| {
            let (mut store, instance) = instantiate(&config, wat);
            (config_name, call(&mut store, instance, name, args))
        })
        .collect()
}

/// A store under `config` with one instance of `wat`.
fn instantiate(config: &Config, wat: &str) -> (Store<()>, Instance) {
    let engine = Engine::new(config);
    let mut store = Store::new(&engine, ());
    let module = Module::new(&engine, wat).unwrap();
    let instance = Linker::new(&engine)
        .instantiate(&mut store, &module)
        .unwrap();
    (store, instance)
}

fn call(
    store: &mut Store<()>,
    instance: Instance,
    name: &str,
    args: &[Val],
) -> Result<Vec<Val>, Error> {
    let func = instance.get_func(&*store, name).unwrap();
    let mut results = vec![Val::I32(0); func.ty(&*store).results().len()];
    func.call(store, args, &mut results)?;
    Ok(results)
}

/// A store under `config` with `exporter` instantiated and registered as `name`, then
/// `importer` instantiated against it: the store and both instances.
fn instantiate_pair(
    config: &Config,
    name: &str,
    exporter: &str,
    importer: &str,
) -> (Store<()>, Instance, Instance) {
    let engine = Engine::new(config);
    let mut store = Store::new(&engine, ());
    let mut linker = Linker::new(&engine);
    let m = Module::new(&engine, exporter).unwrap();
    let exported = linker.instantiate(&mut store, &m).unwrap();
    linker.instance(&store, name, exported);
    let m = Module::new(&engine, importer).unwrap();
    let imported = linker.instantiate(&mut store, &m).unwrap();
    (store, exported, imported)
}

/// Asserts that `name(args)` returns `expected` under every configuration.
fn expect(wat: &str, name: &str, args: &[Val], expected: &[Val]) {
    for (config, got) in call_all(wat, name, args) {
        match got {
            Ok(got) => assert_eq!(got, expected, "{name}{args:?} under {config}"),
            Err(e) => panic!("{name}{args:?} under {config}: {e}"),
        }
    }
}

/// The disassembly of `wat` with `static_throws` on or off.
fn disassembly(wat: &str, statically: bool) -> String {
    let mut config = Config::default();
    if !statically {
        config.optimizations(Optimizations::all().without("static_throws").unwrap());
    }
    Module::new(&Engine::new(&config), wat)
        .unwrap()
        .disassemble()
}

/// The `throw` instructions in a disassembly.
fn throws(text: &str) -> usize {
    (text.lines())
        .filter(|l| l.split_whitespace().nth(1) == Some("throw"))
        .count()
}

const MULTI: &str = r#"(module
  (tag $t (param i32 i64 f64))
  (func (export "f") (param i32) (result i32 i64 f64)
    (block $h (result i32 i64 f64)
      (try_table (result i32 i64 f64) (catch $t $h)
        (if (local.get 0)
          (then (throw $t (i32.add (local.get 0) (i32.const 1)) (i64.const -7) (f64.const 2.5))))
        (i32.const 0) (i64.const 0) (f64.const 0)))))"#;

#[test]
fn a_static_throw_carries_several_values_and_is_a_branch() {
    expect(
        MULTI,
        "f",
        &[Val::I32(41)],
        &[Val::I32(42), Val::I64(-7), Val::F64(2.5f64.to_bits())],
    );
    expect(
        MULTI,
        "f",
        &[Val::I32(0)],
        &[Val::I32(0), Val::I64(0), Val::F64(0f64.to_bits())],
    );
    // Under `static_throws` no `throw` instruction remains.
    assert_eq!(throws(&disassembly(MULTI, true)), 0);
    assert_eq!(throws(&disassembly(MULTI, false)), 1);
}

#[test]
fn a_throw_inside_blocks_keeps_the_values_below_the_label() {
    // 100 stays below `$h` while the payload goes to `$h`'s slot from inside nested blocks,
    // with other values pushed in between.
    let wat = r#"(module
      (tag $t (param i32))
      (func (export "f") (param i32) (result i32)
        (i32.const 100)
        (block $h (result i32)
          (try_table (result i32) (catch $t $h)
            (i32.const 5)
            (block (result i32)
              (i32.const 6)
              (block
                (if (local.get 0) (then (throw $t (i32.mul (local.get 0) (i32.const 3))))))
              (drop)
              (i32.const 7))
            (i32.add)))
        (i32.add)))"#;
    expect(wat, "f", &[Val::I32(4)], &[Val::I32(112)]);
    expect(wat, "f", &[Val::I32(0)], &[Val::I32(112)]);
}

#[test]
fn nested_try_tables_pass_other_tags_outwards() {
    // The inner `try_table` catches `$b` only; `$a` goes to the outer one, statically.
    // `catch_all` drops the payload.
    let wat = r#"(module
      (tag $a (param i32))
      (tag $b (param i32))
      (func (export "f") (param i32) (result i32)
        (block $outer (result i32)
          (block $all
            (try_table (catch $a $outer) (catch_all $all)
              (block $inner (result i32)
                (try_table (catch $b $inner)
                  (if (i32.eq (local.get 0) (i32.const 1)) (then (throw $a (i32.const 10))))
                  (if (i32.eq (local.get 0) (i32.const 2)) (then (throw $b (i32.const 20)))))
                (i32.const 30))
              (i32.const 1000)
              (i32.add)
              (throw $b)))
          (i32.const 2000))))"#;
    expect(wat, "f", &[Val::I32(1)], &[Val::I32(10)]);
    expect(wat, "f", &[Val::I32(2)], &[Val::I32(2000)]);
    expect(wat, "f", &[Val::I32(3)], &[Val::I32(2000)]);
    assert_eq!(throws(&disassembly(wat, true)), 0);
}

#[test]
fn a_throw_to_the_function_label_returns() {
    let wat = r#"(module
      (tag $t (param i32 i32))
      (func (export "f") (param i32) (result i32 i32)
        (try_table (catch $t 0)
          (throw $t (local.get 0) (i32.const 9)))
        (i32.const 0) (i32.const 0)))"#;
    expect(wat, "f", &[Val::I32(3)], &[Val::I32(3), Val::I32(9)]);
}

#[test]
fn a_throw_to_a_loop_label_starts_the_loop_again() {
    // The loop takes the payload as its parameter: 0 goes in, each round adds one and
    // throws it back to the loop until it reaches 3.
    let wat = r#"(module
      (tag $t (param i32))
      (func (export "f") (result i32) (local $n i32)
        (i32.const 0)
        (loop $l (param i32) (result i32)
          (local.set $n (i32.add (i32.const 1)))
          (try_table (catch $t $l)
            (if (i32.lt_u (local.get $n) (i32.const 3)) (then (throw $t (local.get $n)))))
          (local.get $n))))"#;
    expect(wat, "f", &[], &[Val::I32(3)]);
    assert_eq!(throws(&disassembly(wat, true)), 0);
}

#[test]
fn catch_ref_still_makes_a_usable_exception() {
    // The reference goes out of the `try_table`, is thrown again with `throw_ref` and caught
    // by a plain `catch`, which reads its payload.
    let wat = r#"(module
      (tag $t (param i32 i64))
      (func (export "f") (param i32) (result i32 i64) (local $e exnref)
        (block $again (result i32 i64)
          (try_table (catch $t $again)
            (block $h (result i32 i64 exnref)
              (try_table (catch_ref $t $h)
                (throw $t (local.get 0) (i64.const 77)))
              (unreachable))
            (local.set $e)
            (drop)
            (drop)
            (throw_ref (local.get $e)))
          (unreachable))))"#;
    expect(wat, "f", &[Val::I32(5)], &[Val::I32(5), Val::I64(77)]);
    // The reference wanted, the throw stays a throw.
    assert_eq!(throws(&disassembly(wat, true)), 1);
}

#[test]
fn a_callee_throw_lands_in_the_caller_with_its_values() {
    // Unwinding through two frames, the handler's slots below the callee's frame; the
    // callee is also called where no handler catches its tag, then the exception escapes.
    let wat = r#"(module
      (tag $t (param i32 i64))
      (tag $u)
      (func $thrower (param i32)
        (local i64 i64 i64)
        (if (i32.eqz (local.get 0)) (then (throw $u)))
        (throw $t (i32.mul (local.get 0) (i32.const 2)) (i64.const 5)))
      (func $middle (param i32) (result i32)
        (call $thrower (local.get 0))
        (i32.const -1))
      (func (export "f") (param i32) (result i32 i64)
        (block $h (result i32 i64)
          (try_table (catch $t $h)
            (drop (call $middle (local.get 0))))
          (i32.const 0) (i64.const 0))))"#;
    expect(wat, "f", &[Val::I32(21)], &[Val::I32(42), Val::I64(5)]);
    for (config, got) in call_all(wat, "f", &[Val::I32(0)]) {
        match got {
            Err(Error::Trap(t)) => {
                assert_eq!(t.code(), TrapCode::UncaughtException, "{config}");
                assert!(t.exception().is_some(), "{config}");
            }
            other => panic!("under {config}: {other:?}"),
        }
    }
}

#[test]
fn imported_tags_that_are_one_tag_catch_each_other() {
    // `$a` and `$b` are both the exporter's `$t`: a `catch $b` catches `throw $a`. The
    // defined `$own` is another tag, never caught by `catch $a`.
    let exporter = r#"(module (tag $t (export "t") (param i32)))"#;
    let importer = r#"(module
      (import "m" "t" (tag $a (param i32)))
      (import "m" "t" (tag $b (param i32)))
      (tag $own (param i32))
      (func (export "alias") (param i32) (result i32)
        (block $h (result i32)
          (try_table (result i32) (catch $b $h)
            (throw $a (local.get 0)))))
      (func (export "own") (param i32) (result i32)
        (block $other (result i32)
          (block $h (result i32)
            (try_table (result i32) (catch $a $h) (catch $own $other)
              (throw $own (local.get 0))))
          (i32.const 1000)
          (i32.add))))"#;
    for (name, config) in configs() {
        let (mut store, _, instance) = instantiate_pair(&config, "m", exporter, importer);
        let got = call(&mut store, instance, "alias", &[Val::I32(8)]).unwrap();
        assert_eq!(got, [Val::I32(8)], "alias under {name}");
        let got = call(&mut store, instance, "own", &[Val::I32(8)]).unwrap();
        assert_eq!(got, [Val::I32(8)], "own under {name}");
    }
    // Two imports may be one tag: that throw is left to the interpreter. Defined against
    // imported is decided statically.
    let mut config = Config::default();
    config.compilation_mode(CompilationMode::Eager);
    let text = Module::new(&Engine::new(&config), importer)
        .unwrap()
        .disassemble();
    assert_eq!(throws(&text), 1, "{text}");
}

#[test]
fn a_throw_from_another_instance_lands_with_the_callers_memory() {
    // The thrower's instance has a memory of its own; after the catch the caller reads its
    // memory again, which must be its own.
    let thrower = r#"(module
      (memory (export "mem") 1)
      (tag $t (export "t") (param i32))
      (data (i32.const 0) "\63")
      (func (export "throw") (param i32)
        (throw $t (i32.add (local.get 0) (i32.load8_u (i32.const 0))))))"#;
    let caller = r#"(module
      (import "m" "t" (tag $t (param i32)))
      (import "m" "throw" (func $throw (param i32)))
      (memory 1)
      (data (i32.const 0) "\07")
      (func (export "f") (param i32) (result i32)
        (block $h (result i32)
          (try_table (catch $t $h) (call $throw (local.get 0)))
          (i32.const -1))
        (i32.load8_u (i32.const 0))
        (i32.add)))"#;
    for (name, config) in configs() {
        let (mut store, _, instance) = instantiate_pair(&config, "m", thrower, caller);
        // 1 + 0x63 caught, plus the caller's own 7.
        let got = call(&mut store, instance, "f", &[Val::I32(1)]).unwrap();
        assert_eq!(got, [Val::I32(1 + 0x63 + 7)], "under {name}");
    }
}

#[test]
fn many_functions_still_find_their_handlers() {
    // Unwinding finds the running function among many by its code address, whichever
    // function holds the handler and whenever it was translated.
    let mut wat = String::from("(module (tag $t (param i32))\n");
    for i in 0..200 {
        wat.push_str(&format!(
            "(func $f{i} (export \"f{i}\") (param i32) (result i32)
               (block $h (result i32)
                 (try_table (result i32) (catch $t $h)
                   (call $thrower (i32.add (local.get 0) (i32.const {i}))))))\n"
        ));
    }
    wat.push_str("(func $thrower (param i32) (result i32) (throw $t (local.get 0))))");
    for (name, config) in configs() {
        let engine = Engine::new(&config);
        let mut store = Store::new(&engine, ());
        let module = Module::new(&engine, &wat).unwrap();
        let instance = Linker::new(&engine)
            .instantiate(&mut store, &module)
            .unwrap();
        for i in [199, 0, 57, 123, 1] {
            let got = call(&mut store, instance, &format!("f{i}"), &[Val::I32(1000)]).unwrap();
            assert_eq!(got, [Val::I32(1000 + i)], "f{i} under {name}");
        }
    }
}

/// Unwinding remembers which clause caught what where (`exec::unwind`'s memo), so every
/// throw after the first at a site skips the search. Each iteration of `run` throws from
/// one of several sites, of one of two tags, through one or two frames, or rethrows with
/// `throw_ref`; a remembered answer given to the wrong site or tag would land at another
/// clause and change the checksum.
const SITES: &str = r#"(module
  (tag $t (param i32))
  (tag $u (param i32))
  (func $thrower (param $which i32) (param $x i32) (result i32)
    (if (local.get $which) (then (throw $u (local.get $x))))
    (throw $t (local.get $x)))
  (func $middle (param $which i32) (param $x i32) (result i32)
    (i32.add (call $thrower (local.get $which) (local.get $x)) (i32.const 1)))
  (func $rethrower (param $which i32) (param $x i32) (result i32)
    (throw_ref (block $h (result exnref)
      (try_table (result i32) (catch_all_ref $h)
        (call $thrower (local.get $which) (local.get $x)))
      (return))))
  ;; One call site, caught here.
  (func $c0 (param $x i32) (result i32)
    (i32.add (i32.const 1000) (block $a (result i32)
      (try_table (result i32) (catch $t $a)
        (call $thrower (i32.const 0) (local.get $x))))))
  ;; Nested try_tables: $t passes the inner one, $u lands there.
  (func $c1 (param $which i32) (param $x i32) (result i32)
    (block $outer (result i32)
      (i32.add (i32.const 2000) (block $inner (result i32)
        (try_table (result i32) (catch $t $outer)
          (try_table (result i32) (catch $u $inner)
            (call $thrower (local.get $which) (local.get $x))))))
      (return))
    (i32.add (i32.const 3000)))
  ;; Two call sites in one function, each with its own handler.
  (func $c3 (param $x i32) (result i32)
    (local $r i32)
    (local.set $r (block $a (result i32)
      (try_table (result i32) (catch $t $a)
        (call $thrower (i32.const 0) (local.get $x)))))
    (i32.add (local.get $r) (i32.mul (i32.const 10) (block $b (result i32)
      (try_table (result i32) (catch $u $b)
        (call $thrower (i32.const 1) (i32.add (local.get $x) (i32.const 1))))))))
  ;; The handler two frames up.
  (func $c4 (param $x i32) (result i32)
    (i32.add (i32.const 5000) (block $a (result i32)
      (try_table (result i32) (catch $t $a)
        (call $middle (i32.const 0) (local.get $x))))))
  ;; Rethrown across frames with throw_ref, caught by tag.
  (func $c5 (param $which i32) (param $x i32) (result i32)
    (block $b (result i32)
      (i32.add (i32.const 6000) (block $a (result i32)
        (try_table (result i32) (catch $u $a) (catch $t $b)
          (call $rethrower (local.get $which) (local.get $x)))))
      (return))
    (i32.add (i32.const 7000)))
  (func (export "run") (param $n i32) (result i32)
    (local $i i32) (local $acc i32) (local $x i32) (local $r i32)
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
      (local.set $x (i32.mul (local.get $i) (i32.const 3)))
      (block $join
        (block $k6 (block $k5 (block $k4 (block $k3 (block $k2 (block $k1 (block $k0
          (br_table $k0 $k1 $k2 $k3 $k4 $k5 $k6 (i32.rem_u (local.get $i) (i32.const 7))))
          (local.set $r (call $c0 (local.get $x))) (br $join))
          (local.set $r (call $c1 (i32.const 0) (local.get $x))) (br $join))
          (local.set $r (call $c1 (i32.const 1) (local.get $x))) (br $join))
          (local.set $r (call $c3 (local.get $x))) (br $join))
          (local.set $r (call $c4 (local.get $x))) (br $join))
          (local.set $r (call $c5 (i32.const 1) (local.get $x))) (br $join))
        (local.set $r (call $c5 (i32.const 0) (local.get $x))))
      (local.set $acc (i32.add (i32.mul (local.get $acc) (i32.const 31)) (local.get $r)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $next)))
    (local.get $acc)))"#;

/// What `SITES`' `run(n)` returns.
fn sites_checksum(n: i32) -> i32 {
    (0..n).fold(0i32, |acc, i| {
        let x = i * 3;
        let r = match i % 7 {
            0 => 1000 + x,
            1 => 3000 + x,
            2 => 2000 + x,
            3 => x + 10 * (x + 1),
            4 => 5000 + x,
            5 => 6000 + x,
            _ => 7000 + x,
        };
        acc.wrapping_mul(31).wrapping_add(r)
    })
}

/// Asserts that `wat`'s `run(n)` returns `checksum(n)` under every configuration: for each
/// `n` of `fresh` in a fresh store, then for each of `together` in one store, so that later
/// calls find what earlier ones left in the memo.
fn expect_checksums(wat: &str, checksum: fn(i32) -> i32, fresh: &[i32], together: &[i32]) {
    for &n in fresh {
        expect(wat, "run", &[Val::I32(n)], &[Val::I32(checksum(n))]);
    }
    for (name, config) in configs() {
        let (mut store, instance) = instantiate(&config, wat);
        for &n in together {
            let got = call(&mut store, instance, "run", &[Val::I32(n)]).unwrap();
            assert_eq!(got, [Val::I32(checksum(n))], "run({n}) under {name}");
        }
    }
}

#[test]
fn repeated_throws_land_at_their_own_clauses() {
    expect_checksums(SITES, sites_checksum, &[1, 7, 200], &[3, 50, 9]);
}

#[test]
fn after_a_throw_from_another_instance_calls_are_the_catchers() {
    // `b` imports `a`'s `$f` as its function 0; after `b`'s throw lands in `a`, `a`'s own
    // function 0 (`$zero`) must be called, not what `b`'s direct-call cache holds at 0.
    let a = r#"(module
      (type $v (func (result i32)))
      (tag $e (export "e"))
      (table (export "t") 1 funcref)
      (func $zero (result i32) (i32.const 100))
      (func $f (export "f") (result i32) (i32.const 7))
      (func (export "run") (result i32)
        (block $h
          (try_table (catch $e $h)
            (drop (call_indirect (type $v) (i32.const 0)))))
        (call $zero)))"#;
    let b = r#"(module
      (import "a" "f" (func $f (result i32)))
      (import "a" "e" (tag $e))
      (import "a" "t" (table 1 funcref))
      (func $thrower (result i32)
        (drop (call $f))
        (throw $e))
      (elem (i32.const 0) func $thrower))"#;
    for (name, config) in configs() {
        let (mut store, first, _) = instantiate_pair(&config, "a", a, b);
        for _ in 0..3 {
            let got = call(&mut store, first, "run", &[]).unwrap();
            assert_eq!(got, [Val::I32(100)], "under {name}");
        }
    }
}

#[test]
fn two_instances_of_one_module_catch_their_own_tags() {
    // Same code, so the same instruction addresses, throwing the same tag `x`, but `$q` is
    // `x` in the first instance and `y` in the second: the first catches with `catch $q`,
    // the second with `catch_all`. What one instance found must not answer for the other.
    let exporter = r#"(module
      (tag (export "x") (param i32))
      (tag (export "y") (param i32)))"#;
    let importer = r#"(module
      (import "m" "p" (tag $p (param i32)))
      (import "m" "q" (tag $q (param i32)))
      (func $thrower (param i32) (result i32) (throw $p (local.get 0)))
      (func (export "run") (param i32) (result i32)
        (block $all
          (return (block $a (result i32)
            (try_table (result i32) (catch $q $a) (catch_all $all)
              (call $thrower (local.get 0))))))
        (i32.const -1)))"#;
    for (name, config) in configs() {
        let engine = Engine::new(&config);
        let mut store = Store::new(&engine, ());
        let mut linker = Linker::new(&engine);
        let tags = linker
            .instantiate(&mut store, &Module::new(&engine, exporter).unwrap())
            .unwrap();
        let (x, y) = (tags.get_export(&store, "x"), tags.get_export(&store, "y"));
        let module = Module::new(&engine, importer).unwrap();
        linker.define("m", "p", x.unwrap());
        linker.define("m", "q", x.unwrap());
        let first = linker.instantiate(&mut store, &module).unwrap();
        linker.define("m", "q", y.unwrap());
        let second = linker.instantiate(&mut store, &module).unwrap();
        for (instance, expected) in [(first, 5), (second, -1), (first, 5), (second, -1)] {
            let got = call(&mut store, instance, "run", &[Val::I32(5)]).unwrap();
            assert_eq!(got, [Val::I32(expected)], "under {name}");
        }
    }
}

/// A throw caught by its caller lands from the memo inside the interpreter's `throw`
/// (`exec::unwind::throw_quick`), from the third time at a site. Each case of `run` repeats
/// three times in a row (case 7 alternates its two sites every time), so that the quick
/// landing answers and a remembered answer used where it does not hold shows in the
/// checksum: the same `throw` caught at two call sites of one function, with one or two
/// payload cells or none (`catch_all`), a throw its own function's `try_table` lets pass,
/// and the handler two frames up.
const QUICK: &str = r#"(module
  (tag $t (param i32))
  (tag $u (param i32 i64))
  (tag $v (param i32))
  (func $thrower (param $which i32) (param $x i32) (result i32)
    (if (i32.eq (local.get $which) (i32.const 1))
      (then (throw $u (local.get $x) (i64.extend_i32_u (local.get $x)))))
    (if (i32.eq (local.get $which) (i32.const 2))
      (then (throw $v (i32.add (local.get $x) (i32.const 1)))))
    (throw $t (local.get $x)))
  ;; Its own try_table catches $v only: $t goes to the caller.
  (func $guarded (param $x i32) (result i32)
    (block $h (result i32)
      (try_table (result i32) (catch $v $h)
        (throw $t (local.get $x)))))
  (func $middle (param $which i32) (param $x i32) (result i32)
    (i32.add (call $thrower (local.get $which) (local.get $x)) (i32.const 1)))
  ;; One call site, three clauses.
  (func $clauses (param $which i32) (param $x i32) (result i32)
    (block $all
      (block $bu (result i32 i64)
        (return (i32.add (i32.const 1000) (block $bt (result i32)
          (try_table (result i32) (catch $t $bt) (catch $u $bu) (catch_all $all)
            (call $thrower (local.get $which) (local.get $x)))))))
      (i32.wrap_i64) (i32.add) (i32.const 2000) (i32.add) (return))
    (i32.const 3000))
  ;; Two call sites of one function, each with its own handler: what runs after each
  ;; landing differs.
  (func $sites (param $second i32) (param $x i32) (result i32)
    (if (local.get $second)
      (then (return (i32.mul (i32.const 3) (block $b (result i32)
        (try_table (result i32) (catch $t $b)
          (call $thrower (i32.const 0) (local.get $x))))))))
    (i32.add (i32.const 4000) (block $a (result i32)
      (try_table (result i32) (catch $t $a)
        (call $thrower (i32.const 0) (local.get $x))))))
  (func $outer_guarded (param $x i32) (result i32)
    (i32.add (i32.const 6000) (block $a (result i32)
      (try_table (result i32) (catch $t $a) (call $guarded (local.get $x))))))
  ;; Caught two frames up; had `$middle` returned, the result would be another.
  (func $two_up (param $x i32) (result i32)
    (i32.mul (i32.const 7) (block $a (result i32)
      (try_table (result i32) (catch $t $a)
        (return (i32.add (i32.const 7000) (call $middle (i32.const 0) (local.get $x)))))
      (unreachable))))
  (func (export "run") (param $n i32) (result i32)
    (local $i i32) (local $acc i32) (local $x i32) (local $r i32)
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
      (local.set $x (i32.mul (local.get $i) (i32.const 3)))
      (block $join
        (block $k7 (block $k6 (block $k5 (block $k4 (block $k3 (block $k2 (block $k1 (block $k0
          (br_table $k0 $k1 $k2 $k3 $k4 $k5 $k6 $k7
            (i32.rem_u (i32.div_u (local.get $i) (i32.const 3)) (i32.const 8))))
          (local.set $r (call $clauses (i32.const 0) (local.get $x))) (br $join))
          (local.set $r (call $clauses (i32.const 1) (local.get $x))) (br $join))
          (local.set $r (call $clauses (i32.const 2) (local.get $x))) (br $join))
          (local.set $r (call $sites (i32.const 0) (local.get $x))) (br $join))
          (local.set $r (call $sites (i32.const 1) (local.get $x))) (br $join))
          (local.set $r (call $outer_guarded (local.get $x))) (br $join))
          (local.set $r (call $two_up (local.get $x))) (br $join))
        (local.set $r (call $sites (i32.and (local.get $i) (i32.const 1)) (local.get $x))))
      (local.set $acc (i32.add (i32.mul (local.get $acc) (i32.const 31)) (local.get $r)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $next)))
    (local.get $acc)))"#;

/// What `QUICK`'s `run(n)` returns.
fn quick_checksum(n: i32) -> i32 {
    (0..n).fold(0i32, |acc, i| {
        let x = i * 3;
        let r = match (i / 3) % 8 {
            0 => 1000 + x,
            1 => 2000 + 2 * x,
            2 => 3000,
            3 => 4000 + x,
            4 => 3 * x,
            5 => 6000 + x,
            6 => 7 * x,
            _ if i & 1 == 1 => 3 * x,
            _ => 4000 + x,
        };
        acc.wrapping_mul(31).wrapping_add(r)
    })
}

#[test]
fn throws_caught_by_the_caller_land_at_their_own_clauses() {
    expect_checksums(QUICK, quick_checksum, &[2, 24, 300], &[30, 7, 100]);
}

#[test]
fn a_remembered_landing_is_not_taken_for_another_instances_throw() {
    // One module, two instances: the second's table holds its own `$thrower` and the
    // first's, so one `call_indirect` reaches the same `throw` instruction in either
    // instance and returns to the same place, in either. The first instance's `$e` is
    // another tag, which the second's `catch $e` must not catch, even after throws from
    // there were remembered: the second's own (same instructions, other instance) and the
    // first's, caught by the first (same instructions and thrower, other catching instance).
    // (The first's `$other` is a host function that returns its argument.)
    let wat = r#"(module
      (type $f (func (param i32) (result i32)))
      (import "env" "other" (func $other (param i32) (result i32)))
      (tag $e (param i32))
      (table 2 funcref)
      (elem (i32.const 0) func $thrower $other)
      (func $thrower (export "thrower") (param i32) (result i32) (throw $e (local.get 0)))
      (func (export "run") (param $which i32) (param $x i32) (result i32)
        (block $all
          (return (block $h (result i32)
            (try_table (result i32) (catch $e $h) (catch_all $all)
              (call_indirect (type $f) (local.get $x) (local.get $which))))))
        (i32.const -1)))"#;
    for (name, config) in configs() {
        let engine = Engine::new(&config);
        let mut store = Store::new(&engine, ());
        let module = Module::new(&engine, wat).unwrap();
        let mut first = Linker::new(&engine);
        first.func_wrap("env", "other", |_: regwasm::Caller<'_, ()>, x: i32| x);
        let first = first.instantiate(&mut store, &module).unwrap();
        let thrower = first.get_export(&store, "thrower").unwrap();
        let mut second = Linker::new(&engine);
        second.define("env", "other", thrower);
        let second = second.instantiate(&mut store, &module).unwrap();
        let (a, b) = (first, second);
        for round in 0..3 {
            for (i, (instance, which, expected)) in [
                (a, 0, 5),
                (a, 0, 5),
                (a, 0, 5),
                (b, 1, -1),
                (b, 0, 5),
                (b, 0, 5),
                (b, 0, 5),
                (b, 1, -1),
                (a, 1, 5),
            ]
            .into_iter()
            .enumerate()
            {
                let got = call(&mut store, instance, "run", &[Val::I32(which), Val::I32(5)]);
                let got = got.unwrap();
                assert_eq!(
                    got,
                    [Val::I32(expected)],
                    "call {i} in {round} under {name}"
                );
            }
        }
    }
}

#[test]
fn host_exceptions_across_two_instances_land_at_their_own_clauses() {
    // A host function throws one of two host tags into `a`, which does not catch; `b`
    // calls `a` and catches each tag by its own clause. Repeated, so that the memo answers
    // (by tag) from the second time.
    let a = r#"(module
      (import "host" "fail" (func $fail (param i32) (result i32)))
      (func (export "pass") (param i32) (result i32)
        (i32.add (call $fail (local.get 0)) (i32.const 1))))"#;
    let b = r#"(module
      (import "host" "e0" (tag $e0 (param i32)))
      (import "host" "e1" (tag $e1 (param i32)))
      (import "a" "pass" (func $pass (param i32) (result i32)))
      (func (export "run") (param i32) (result i32)
        (block $h1 (result i32)
          (return (i32.add (i32.const 100) (block $h0 (result i32)
            (try_table (result i32) (catch $e0 $h0) (catch $e1 $h1)
              (call $pass (local.get 0)))))))
        (i32.add (i32.const 200))))"#;
    for (name, config) in configs() {
        let engine = Engine::new(&config);
        let mut store = Store::new(&engine, ());
        let ty = regwasm::FuncType::new([regwasm::ValType::I32], []);
        let e0 = regwasm::Tag::new(&mut store, ty.clone()).unwrap();
        let e1 = regwasm::Tag::new(&mut store, ty).unwrap();
        let mut linker = Linker::new(&engine);
        linker.define("host", "e0", e0).define("host", "e1", e1);
        linker.func_wrap(
            "host",
            "fail",
            move |mut caller: regwasm::Caller<'_, ()>, x: i32| {
                let tag = if x % 2 == 0 { e0 } else { e1 };
                let exn = regwasm::Exn::new(caller.store(), tag, &[Val::I32(x)]).unwrap();
                Err::<i32, _>(regwasm::Trap::throw(exn))
            },
        );
        let a = linker
            .instantiate(&mut store, &Module::new(&engine, a).unwrap())
            .unwrap();
        linker.instance(&store, "a", a);
        let b = linker
            .instantiate(&mut store, &Module::new(&engine, b).unwrap())
            .unwrap();
        for x in [2, 4, 6, 1, 3, 5, 8, 7, 10, 12, 9] {
            let got = call(&mut store, b, "run", &[Val::I32(x)]).unwrap();
            let expected = if x % 2 == 0 { 100 + x } else { 200 + x };
            assert_eq!(got, [Val::I32(expected)], "run({x}) under {name}");
        }
    }
}

#[test]
fn remembered_answers_for_two_tags_at_one_call_site_stay_apart() {
    // The memo places a question by instruction and tag; tags 32 apart in the store share
    // a place, so the answer for one tag at `$outer`'s call must not be taken for the other.
    // Caught two frames up, so that every frame's answer comes from the memo.
    let mut wat = String::from("(module\n");
    for i in 0..=32 {
        wat.push_str(&format!("(tag $t{i} (param i32))\n"));
    }
    wat.push_str(
        r#"(func $thrower (param $which i32) (param $x i32) (result i32)
          (if (local.get $which) (then (throw $t32 (local.get $x))))
          (throw $t0 (local.get $x)))
        (func $middle (param $which i32) (param $x i32) (result i32)
          (i32.add (call $thrower (local.get $which) (local.get $x)) (i32.const 1)))
        (func (export "outer") (param $which i32) (param $x i32) (result i32)
          (block $b (result i32)
            (return (i32.mul (i32.const 3) (block $a (result i32)
              (try_table (result i32) (catch $t0 $a) (catch $t32 $b)
                (call $middle (local.get $which) (local.get $x)))))))
          (i32.mul (i32.const 5))))"#,
    );
    for (name, config) in configs() {
        let (mut store, instance) = instantiate(&config, &wat);
        for which in [0, 0, 1, 1, 0, 1, 0, 0, 1] {
            let args = [Val::I32(which), Val::I32(7)];
            let got = call(&mut store, instance, "outer", &args).unwrap();
            let expected = if which == 0 { 21 } else { 35 };
            assert_eq!(got, [Val::I32(expected)], "outer({which}) under {name}");
        }
    }
}
