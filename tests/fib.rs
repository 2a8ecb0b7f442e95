//! The README's embedding example as a test: load a module, call an export, read the result.
//!
//! `tests/data/fib.wasm` is `tests/data/fib.wat` compiled with the `wat` crate
//! (`wat::parse_file("tests/data/fib.wat")`, written out unchanged); it is committed so that the
//! binary path is tested without the `wat` feature.

use regwasm::{Engine, Linker, Module, Store, Val};

fn fib(wasm_or_wat: &[u8], n: i32) -> i32 {
    let engine = Engine::default();
    let module = Module::new(&engine, wasm_or_wat).unwrap();
    let mut store = Store::new(&engine, ());
    let instance = Linker::new(&engine)
        .instantiate(&mut store, &module)
        .unwrap();
    let fib = instance.get_func(&store, "fib").unwrap();
    let mut out = [Val::I32(0)];
    fib.call(&mut store, &[Val::I32(n)], &mut out).unwrap();
    out[0].i32().unwrap()
}

#[cfg(feature = "wat")]
#[test]
fn fib_from_text() {
    let wat = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/fib.wat")).unwrap();
    assert_eq!(fib(&wat, 20), 6765);
}

#[test]
fn fib_from_binary() {
    let wasm = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/fib.wasm")).unwrap();
    assert_eq!(fib(&wasm, 20), 6765);
}
