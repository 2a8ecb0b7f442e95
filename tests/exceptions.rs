//! Exception handling (WebAssembly 3.0): tags, `throw`, `throw_ref`, `try_table`, and
//! exceptions crossing between Wasm and the host in both directions.

use regwasm::{
    Caller, Config, Engine, Error, Exn, Extern, FuncType, Instance, Linker, Module, Store, Tag,
    TrapCode, Val, ValType,
};

/// Instantiates `wat` with `linker`'s definitions.
fn instantiate<T>(store: &mut Store<T>, linker: &Linker<T>, wat: &str) -> Instance {
    let module = Module::new(store.engine(), wat).unwrap();
    linker.instantiate(store, &module).unwrap()
}

/// Instantiates `wat`, which imports nothing.
fn plain<T>(store: &mut Store<T>, wat: &str) -> Instance {
    let engine = store.engine().clone();
    instantiate(store, &Linker::new(&engine), wat)
}

/// The exception of an uncaught-exception error.
fn exception(err: &Error) -> Exn {
    match err {
        Error::Trap(t) if t.code() == TrapCode::UncaughtException => {
            t.exception().expect("an uncaught exception names it")
        }
        other => panic!("expected an uncaught exception, got {other}"),
    }
}

#[test]
fn host_throw_is_caught_by_wasm() {
    let mut store = Store::new(&Engine::default(), ());
    let tag = Tag::new(&mut store, FuncType::new([ValType::I32], [])).unwrap();
    let mut linker = Linker::new(store.engine());
    linker.define("host", "e", tag);
    linker.func_wrap("host", "fail", move |mut caller: Caller<'_, ()>, x: i32| {
        let exn = Exn::new(caller.store(), tag, &[Val::I32(x * 10)]).unwrap();
        Err::<(), _>(regwasm::Trap::throw(exn))
    });
    let instance = instantiate(
        &mut store,
        &linker,
        r#"(module
            (import "host" "e" (tag $e (param i32)))
            (import "host" "fail" (func $fail (param i32)))
            (func (export "run") (param i32) (result i32)
              (block $h (result i32)
                (try_table (catch $e $h) (call $fail (local.get 0)))
                (i32.const -1))))"#,
    );
    let run = instance.get_typed_func::<i32, i32>(&store, "run").unwrap();
    assert_eq!(run.call(&mut store, 4).unwrap(), 40);
}

#[test]
fn wasm_throw_reaches_the_host_with_tag_and_payload() {
    let mut store = Store::new(&Engine::default(), ());
    let instance = plain(
        &mut store,
        r#"(module
            (tag $e (export "e") (param i32 i64 f64))
            (func (export "run") (param i32)
              (throw $e (local.get 0) (i64.const -7) (f64.const 2.5))))"#,
    );
    let run = instance.get_typed_func::<i32, ()>(&store, "run").unwrap();
    let err = run.call(&mut store, 3).unwrap_err();
    let exn = exception(&err);
    let tag = instance.get_export(&store, "e").and_then(Extern::into_tag);
    assert_eq!(Some(exn.tag(&store)), tag);
    assert_eq!(
        exn.payload(&store),
        [Val::I32(3), Val::I64(-7), Val::from(2.5f64)]
    );
    let message = err.to_string();
    assert!(message.contains("uncaught exception"), "{message}");
    assert!(message.contains("I32(3)"), "{message}");
}

#[test]
fn throw_ref_rethrows_across_frames() {
    let mut store = Store::new(&Engine::default(), ());
    let instance = plain(
        &mut store,
        r#"(module
            (tag $e (param i32))
            (func $inner (param i32) (throw $e (local.get 0)))
            ;; Catches with the reference, then throws it again from a frame further up.
            (func $middle (param i32)
              (block $h (result i32 exnref)
                (try_table (catch_ref $e $h) (call $inner (local.get 0)))
                (return))
              (call $rethrow))
            (func $rethrow (param i32 exnref) (throw_ref (local.get 1)))
            (func (export "run") (param i32) (result i32)
              (block $h (result i32)
                (try_table (catch $e $h) (call $middle (local.get 0)))
                (i32.const -1))
              (i32.const 1) (i32.add)))"#,
    );
    let run = instance.get_typed_func::<i32, i32>(&store, "run").unwrap();
    assert_eq!(run.call(&mut store, 41).unwrap(), 42);
}

#[test]
fn deep_unwinding_through_many_frames() {
    let mut store = Store::new(&Engine::default(), ());
    let instance = plain(
        &mut store,
        r#"(module
            (tag $e (param i32))
            (func $down (param i32) (result i32)
              (if (i32.eqz (local.get 0)) (then (throw $e (i32.const 99))))
              (i32.add (call $down (i32.sub (local.get 0) (i32.const 1))) (i32.const 1)))
            (func (export "run") (param i32) (result i32)
              (block $h (result i32)
                (try_table (result i32) (catch $e $h) (call $down (local.get 0))))))"#,
    );
    let run = instance.get_typed_func::<i32, i32>(&store, "run").unwrap();
    assert_eq!(run.call(&mut store, 5000).unwrap(), 99);
    // The store's stacks are fine afterwards: run again, and many times.
    for depth in [0, 1, 17, 300] {
        assert_eq!(run.call(&mut store, depth).unwrap(), 99);
    }
}

#[test]
fn exception_crosses_host_wasm_host_wasm() {
    let mut store = Store::new(&Engine::default(), ());
    let mut linker = Linker::new(store.engine());
    // host `call` calls the export named "inner" of the calling instance and passes its
    // outcome (result or exception) on.
    linker.func_wrap(
        "host",
        "call",
        |mut caller: Caller<'_, ()>, x: i32| -> Result<i32, regwasm::Trap> {
            let f = caller
                .get_export("inner")
                .and_then(Extern::into_func)
                .unwrap();
            let mut out = [Val::I32(0)];
            match f.call(caller.store(), &[Val::I32(x)], &mut out) {
                Ok(()) => Ok(out[0].i32().unwrap()),
                Err(Error::Trap(t)) if t.exception().is_some() => {
                    Err(regwasm::Trap::throw(t.exception().unwrap()))
                }
                Err(e) => Err(regwasm::Trap::host(e.to_string())),
            }
        },
    );
    let instance = instantiate(
        &mut store,
        &linker,
        r#"(module
            (import "host" "call" (func $host (param i32) (result i32)))
            (tag $e (param i32))
            ;; inner -> host -> innermost, which throws past the host into inner's caller.
            (func $innermost (export "innermost") (param i32) (result i32)
              (if (i32.gt_s (local.get 0) (i32.const 2)) (then (throw $e (local.get 0))))
              (call $host (i32.add (local.get 0) (i32.const 1))))
            (func (export "inner") (param i32) (result i32) (call $innermost (local.get 0)))
            (func (export "run") (param i32) (result i32)
              (block $h (result i32)
                (try_table (result i32) (catch $e $h) (call $host (local.get 0))))
              (i32.const 1000) (i32.add)))"#,
    );
    let run = instance.get_typed_func::<i32, i32>(&store, "run").unwrap();
    // run -> host -> inner -> innermost(0) -> host -> inner -> innermost(1) -> ... -> throw 3.
    assert_eq!(run.call(&mut store, 0).unwrap(), 1003);
}

#[test]
fn fuel_and_interrupts_still_work_around_throws() {
    let mut config = Config::default();
    config.consume_fuel(true);
    let engine = Engine::new(&config);
    let mut store = Store::new(&engine, ());
    let instance = instantiate(
        &mut store,
        &Linker::new(&engine),
        r#"(module
            (tag $e (param i32))
            (func $thrower (param i32) (throw $e (local.get 0)))
            ;; Throws and catches n times, counting the catches.
            (func (export "run") (param i32) (result i32) (local $caught i32)
              (block $done
                (loop $l
                  (br_if $done (i32.eqz (local.get 0)))
                  (block $h (result i32)
                    (try_table (catch $e $h) (call $thrower (local.get 0)))
                    (unreachable))
                  (drop)
                  (local.set $caught (i32.add (local.get $caught) (i32.const 1)))
                  (local.set 0 (i32.sub (local.get 0) (i32.const 1)))
                  (br $l)))
              (local.get $caught)))"#,
    );
    let run = instance.get_typed_func::<i32, i32>(&store, "run").unwrap();
    store.set_fuel(1_000_000).unwrap();
    assert_eq!(run.call(&mut store, 100).unwrap(), 100);
    let used = 1_000_000 - store.get_fuel().unwrap();
    assert!(used > 100, "the loop's blocks were charged: {used}");
    // Out of fuel in the middle of the throwing loop: a trap, not an exception.
    store.set_fuel(50).unwrap();
    let err = run.call(&mut store, 100).unwrap_err();
    match err {
        Error::Trap(t) => assert_eq!(t.code(), TrapCode::OutOfFuel),
        other => panic!("expected out of fuel, got {other}"),
    }
    // An interrupt requested before the call stops it at the first check.
    let mut config = Config::default();
    config.interruptible(true);
    let engine = Engine::new(&config);
    let mut store = Store::new(&engine, ());
    let module = Module::new(
        &engine,
        r#"(module
        (tag $e)
        (func (export "spin")
          (loop $l (block $h (try_table (catch $e $h) (throw $e))) (br $l))))"#,
    )
    .unwrap();
    let instance = Linker::new(&engine)
        .instantiate(&mut store, &module)
        .unwrap();
    let spin = instance.get_typed_func::<(), ()>(&store, "spin").unwrap();
    let handle = store.interrupt_handle();
    let stopper = std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_millis(50));
        handle.interrupt();
    });
    let err = spin.call(&mut store, ()).unwrap_err();
    stopper.join().unwrap();
    match err {
        Error::Trap(t) => assert_eq!(t.code(), TrapCode::Interrupted),
        other => panic!("expected an interrupt, got {other}"),
    }
}

#[test]
fn uncaught_exception_message_names_tag_and_payload() {
    let mut store = Store::new(&Engine::default(), ());
    let instance = plain(
        &mut store,
        r#"(module (tag $e (param i64)) (func (export "f") (throw $e (i64.const 12345))))"#,
    );
    let f = instance.get_func(&store, "f").unwrap();
    let err = f.call(&mut store, &[], &mut []).unwrap_err();
    assert_eq!(
        err.to_string(),
        "trap: uncaught exception: tag 0 with payload [I64(12345)]"
    );
    // A tag of another instance does not catch it: tags are generative.
    let other = plain(
        &mut store,
        r#"(module (tag $e (param i64)) (func (export "f") (throw $e (i64.const 1))))"#,
    );
    let g = other.get_func(&store, "f").unwrap();
    let e1 = exception(&f.call(&mut store, &[], &mut []).unwrap_err());
    let e2 = exception(&g.call(&mut store, &[], &mut []).unwrap_err());
    assert_ne!(e1.tag(&store), e2.tag(&store));
}

#[test]
fn tags_link_by_identity_and_type() {
    let mut store = Store::new(&Engine::default(), ());
    let tag = Tag::new(&mut store, FuncType::new([ValType::F32], [])).unwrap();
    assert!(Tag::new(&mut store, FuncType::new([], [ValType::I32])).is_err());
    let mut linker = Linker::new(store.engine());
    linker.define("m", "t", tag);
    let wrong = Module::new(
        store.engine(),
        r#"(module (import "m" "t" (tag (param i32))))"#,
    )
    .unwrap();
    let err = linker.instantiate(&mut store, &wrong).unwrap_err();
    assert!(
        err.to_string().contains("incompatible import type"),
        "{err}"
    );
    let got = linker.get(&mut store, "m", "t").and_then(Extern::into_tag);
    assert_eq!(got, Some(tag));
    let exn = Exn::new(&mut store, tag, &[Val::from(1.5f32)]).unwrap();
    assert_eq!(exn.payload(&store), [Val::from(1.5f32)]);
    assert!(Exn::new(&mut store, tag, &[Val::I32(1)]).is_err());
}

#[test]
fn exceptions_can_be_switched_off() {
    let mut config = Config::default();
    config.exceptions(false);
    let engine = Engine::new(&config);
    for wat in [
        "(module (tag))",
        "(module (func (param exnref)))",
        "(module (func (try_table)))",
    ] {
        let err = Module::new(&engine, wat).unwrap_err();
        assert!(err.to_string().contains("exceptions"), "{wat}: {err}");
    }
}

/// A parser in the style of C++ exceptions (tests/data/exceptions_parser.wat): `parse_number`
/// throws a `parse_error` with the offending position, the outer function catches it.
#[test]
fn cpp_style_parser_throws_on_bad_input() {
    let mut store = Store::new(&Engine::default(), ());
    let wat = std::fs::read_to_string("tests/data/exceptions_parser.wat").unwrap();
    let instance = plain(&mut store, &wat);
    let memory = instance.get_memory(&store, "memory").unwrap();
    let parse = instance
        .get_typed_func::<(i32, i32), i64>(&store, "sum_list")
        .unwrap();
    let mut run = |text: &str| {
        memory.write(&mut store, 0, text.as_bytes()).unwrap();
        parse.call(&mut store, (0, text.len() as i32)).unwrap()
    };
    assert_eq!(run("1,2,3"), 6);
    assert_eq!(run("100,20,3"), 123);
    // Errors come back as -(position + 1) of the bad byte, found by the outer catch.
    assert_eq!(run("1,x,3"), -3);
    assert_eq!(run(""), -1);
    assert_eq!(run("12,"), -4);
    // A number too large throws a different tag, with the number's start.
    assert_eq!(run("1,99999999999"), -1_000_000 - 2);
}

/// Every exception program round-trips through the precompiled format and behaves the same.
#[test]
fn precompiled_modules_keep_their_handlers() {
    let engine = Engine::default();
    let wat = std::fs::read_to_string("tests/data/exceptions_parser.wat").unwrap();
    let module = Module::new(&engine, &wat).unwrap();
    let bytes = module.serialize();
    let loaded = Module::deserialize(&engine, &bytes).unwrap();
    assert_eq!(loaded.serialize(), bytes);
    let mut store = Store::new(&engine, ());
    let instance = Linker::new(&engine)
        .instantiate(&mut store, &loaded)
        .unwrap();
    let memory = instance.get_memory(&store, "memory").unwrap();
    memory.write(&mut store, 0, b"4,x").unwrap();
    let parse = instance
        .get_typed_func::<(i32, i32), i64>(&store, "sum_list")
        .unwrap();
    assert_eq!(parse.call(&mut store, (0, 3)).unwrap(), -3);
}

/// The exception-heavy benchmark workload (benches/workloads/exceptions.wat) computes the
/// checksum the benchmark list expects, on a small and the benchmark's argument.
#[test]
fn benchmark_workload_checksum() {
    let wasm = std::fs::read("benches/workloads/exceptions.wasm").unwrap();
    let wat = std::fs::read_to_string("benches/workloads/exceptions.wat").unwrap();
    let engine = Engine::default();
    assert_eq!(
        Module::new(&engine, &wat).unwrap().serialize(),
        Module::new(&engine, &wasm).unwrap().serialize(),
        "exceptions.wasm is exceptions.wat encoded"
    );
    let mut store = Store::new(&engine, ());
    let instance = plain(&mut store, &wat);
    let run = instance.get_typed_func::<i32, i32>(&store, "run").unwrap();
    assert_eq!(run.call(&mut store, 200_000).unwrap(), EXCEPTIONS_EXPECT);
}

/// `run(200_000)` of benches/workloads/exceptions.wasm, as benches/workloads/list.rs has it.
const EXCEPTIONS_EXPECT: i32 = 1_912_422_403;
