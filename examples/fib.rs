//! The classic embedding example: load `fib.wat`, call the exported `fib(20)`.
//!
//! `cargo run --example fib`

use regwasm::{Engine, Linker, Module, Store};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let engine = Engine::default();
    let module = Module::new(&engine, std::fs::read("examples/fib.wat")?)?;
    let mut store = Store::new(&engine, ());
    let instance = Linker::new(&engine).instantiate(&mut store, &module)?;
    let fib = instance.get_typed_func::<i32, i32>(&store, "fib")?;
    let n = 20;
    println!("fib({n}) = {}", fib.call(&mut store, n)?);
    Ok(())
}
