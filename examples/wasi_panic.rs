//! A WASI program that greets, then panics: its message reaches the host through `fd_write`
//! to stderr, and the abort becomes a trap.
//!
//! `cargo run --example wasi_panic`

use regwasm::wasi::{self, WasiCtx, WasiCtxBuilder};
use regwasm::{Engine, Error, Linker, Module, Store};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let engine = Engine::default();
    let module = Module::new(&engine, std::fs::read("tests/wasi/panic.wasm")?)?;
    let ctx = WasiCtxBuilder::new()
        .arg("panic.wasm")
        .capture_stdout()
        .capture_stderr()
        .build()?;
    let mut store = Store::new(&engine, ctx);
    let mut linker = Linker::new(&engine);
    wasi::add_to_linker(&mut linker, |ctx: &mut WasiCtx| ctx);
    let instance = linker.instantiate(&mut store, &module)?;
    let start = instance.get_typed_func::<(), ()>(&store, "_start")?;
    let outcome = start.call(&mut store, ());
    print!(
        "guest stdout: {}",
        String::from_utf8_lossy(&store.data_mut().take_stdout())
    );
    print!(
        "guest stderr: {}",
        String::from_utf8_lossy(&store.data_mut().take_stderr())
    );
    match outcome {
        Err(Error::Trap(trap)) => println!("the guest trapped: {trap}"),
        other => println!("unexpected outcome: {other:?}"),
    }
    Ok(())
}
