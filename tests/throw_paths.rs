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
            let engine = Engine::new(&config);
            let mut store = Store::new(&engine, ());
            let module = Module::new(&engine, wat).unwrap();
            let instance = Linker::new(&engine)
                .instantiate(&mut store, &module)
                .unwrap();
            (config_name, call(&mut store, instance, name, args))
        })
        .collect()
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
        let engine = Engine::new(&config);
        let mut store = Store::new(&engine, ());
        let mut linker = Linker::new(&engine);
        let m = Module::new(&engine, exporter).unwrap();
        let exported = linker.instantiate(&mut store, &m).unwrap();
        linker.instance(&store, "m", exported);
        let m = Module::new(&engine, importer).unwrap();
        let instance = linker.instantiate(&mut store, &m).unwrap();
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
        let engine = Engine::new(&config);
        let mut store = Store::new(&engine, ());
        let mut linker = Linker::new(&engine);
        let m = Module::new(&engine, thrower).unwrap();
        let exported = linker.instantiate(&mut store, &m).unwrap();
        linker.instance(&store, "m", exported);
        let m = Module::new(&engine, caller).unwrap();
        let instance = linker.instantiate(&mut store, &m).unwrap();
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
