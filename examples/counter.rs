//! A host function that counts how often the guest calls it, keeping the count in the store's
//! host state.
//!
//! `cargo run --example counter`

use regwasm::{Caller, Engine, Linker, Module, Store};

/// The host's own state, reachable from every host function through `Caller`.
struct HostState {
    calls: u32,
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let engine = Engine::default();
    let mut linker = Linker::<HostState>::new(&engine);
    linker.func_wrap(
        "host",
        "hello",
        |mut caller: Caller<'_, HostState>, i: i32| {
            caller.data_mut().calls += 1;
            println!("hello #{i} from the guest");
        },
    );
    let module = Module::new(
        &engine,
        r#"(module
            (import "host" "hello" (func $hello (param i32)))
            (func (export "run") (param $n i32)
              (local $i i32)
              (loop $again
                (local.set $i (i32.add (local.get $i) (i32.const 1)))
                (call $hello (local.get $i))
                (br_if $again (i32.lt_u (local.get $i) (local.get $n))))))"#,
    )?;
    let mut store = Store::new(&engine, HostState { calls: 0 });
    let instance = linker.instantiate(&mut store, &module)?;
    let run = instance.get_typed_func::<i32, ()>(&store, "run")?;
    run.call(&mut store, 3)?;
    println!("the guest called the host {} times", store.data().calls);
    Ok(())
}
