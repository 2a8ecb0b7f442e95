//! Host functions called from inside a run (`exec::host_call`): the interpreter calls them
//! without leaving its loop, so what a host function changes in the store must be seen by the
//! Wasm code that runs on after it. Each test runs under both dispatch backends.

use regwasm::{Caller, Config, Dispatch, Engine, Extern, Func, Linker, Module, Store, Trap, Val};

fn engine(dispatch: Dispatch) -> Engine {
    let mut config = Config::default();
    config.dispatch(dispatch);
    Engine::new(&config)
}

const BACKENDS: [Dispatch; 2] = [Dispatch::Threaded, Dispatch::Loop];

/// A host function grows the caller's memory; the Wasm code then stores into and loads from
/// the new page. The interpreter caches the memory's length, so this traps unless the cache
/// is reloaded after the host call.
#[test]
fn memory_grown_by_the_host_is_usable_right_after() {
    for dispatch in BACKENDS {
        let engine = engine(dispatch);
        let mut store = Store::new(&engine, ());
        let mut linker = Linker::new(&engine);
        linker.func_wrap("env", "grow", |mut caller: Caller<'_, ()>, pages: i32| {
            let Some(Extern::Memory(memory)) = caller.get_export("memory") else {
                return -1;
            };
            memory
                .grow(caller.store(), pages as u64)
                .map_or(-1, |old| old as i32)
        });
        let wat = r#"(module
            (import "env" "grow" (func $grow (param i32) (result i32)))
            (memory (export "memory") 1)
            (func (export "run") (param $n i32) (result i32)
              (local $i i32) (local $sum i32)
              (loop $next
                ;; Grow by one page, then write and read the last word of the new page.
                (drop (call $grow (i32.const 1)))
                (i32.store (i32.sub (i32.mul (memory.size) (i32.const 65536)) (i32.const 4))
                           (local.get $i))
                (local.set $sum (i32.add (local.get $sum)
                  (i32.load (i32.sub (i32.mul (memory.size) (i32.const 65536)) (i32.const 4)))))
                (br_if $next (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1)))
                                       (local.get $n))))
              (local.get $sum)))"#;
        let module = Module::new(&engine, wat).unwrap();
        let instance = linker.instantiate(&mut store, &module).unwrap();
        let run = instance.get_typed_func::<i32, i32>(&store, "run").unwrap();
        assert_eq!(run.call(&mut store, 10).unwrap(), 45, "{dispatch:?}");
        let Some(Extern::Memory(memory)) = instance.get_export(&store, "memory") else {
            panic!("no memory export");
        };
        assert_eq!(memory.size(&store), 11, "{dispatch:?}");
    }
}

/// A host function makes a new host function and puts it in the table, which the Wasm code
/// then calls: a function the run had not seen when it made its first host call.
#[test]
fn host_functions_made_during_a_run_can_be_called_in_it() {
    for dispatch in BACKENDS {
        let engine = engine(dispatch);
        let mut store = Store::new(&engine, ());
        let mut linker = Linker::new(&engine);
        linker.func_wrap("env", "install", |mut caller: Caller<'_, ()>, k: i32| {
            let Some(Extern::Table(table)) = caller.get_export("table") else {
                return 0;
            };
            // Several new functions, so the new one is far past the run's first list.
            for j in 0..4 {
                let f = Func::wrap(caller.store(), move |_: Caller<'_, ()>, x: i32| {
                    x * 100 + k * 10 + j
                });
                table
                    .set(caller.store(), j as u32, Val::FuncRef(Some(f)))
                    .unwrap();
            }
            1
        });
        let wat = r#"(module
            (import "env" "install" (func $install (param i32) (result i32)))
            (type $t (func (param i32) (result i32)))
            (table (export "table") 4 funcref)
            (func (export "run") (result i32)
              (local $acc i32)
              (drop (call $install (i32.const 1)))
              (local.set $acc (call_indirect (type $t) (i32.const 7) (i32.const 3)))
              (drop (call $install (i32.const 2)))
              (i32.add (local.get $acc)
                       (call_indirect (type $t) (i32.const 5) (i32.const 0)))))"#;
        let module = Module::new(&engine, wat).unwrap();
        let instance = linker.instantiate(&mut store, &module).unwrap();
        let run = instance.get_typed_func::<(), i32>(&store, "run").unwrap();
        assert_eq!(run.call(&mut store, ()).unwrap(), 713 + 520, "{dispatch:?}");
    }
}

/// Wasm calls the host, which calls Wasm, which calls the host... 200 levels deep, each
/// level's run making host calls of its own before and after the nested one.
#[test]
fn nested_runs_through_host_calls() {
    for dispatch in BACKENDS {
        let engine = engine(dispatch);
        let mut store = Store::new(&engine, None::<Func>);
        let mut linker = Linker::new(&engine);
        linker.func_wrap("env", "id", |_: Caller<'_, Option<Func>>, x: i32| x);
        linker.func_wrap(
            "env",
            "down",
            |mut caller: Caller<'_, Option<Func>>, depth: i32| -> Result<i32, Trap> {
                if depth == 0 {
                    return Ok(0);
                }
                let f = caller.data().unwrap();
                let f = f.typed::<i32, i32>(caller.store()).unwrap();
                Ok(f.call(caller.store(), depth - 1).map_err(Trap::host)? + 1)
            },
        );
        let wat = r#"(module
            (import "env" "id" (func $id (param i32) (result i32)))
            (import "env" "down" (func $down (param i32) (result i32)))
            (func (export "level") (param $d i32) (result i32)
              (i32.add (call $id (local.get $d))
                (i32.add (call $down (local.get $d)) (call $id (i32.const 0))))))"#;
        let module = Module::new(&engine, wat).unwrap();
        let instance = linker.instantiate(&mut store, &module).unwrap();
        let level = instance.get_func(&store, "level").unwrap();
        *store.data_mut() = Some(level);
        let level = level.typed::<i32, i32>(&store).unwrap();
        // level(d) = d + down(d) = d + level(d - 1) + 1, level(0) = 0.
        let d = 200;
        assert_eq!(
            level.call(&mut store, d).unwrap(),
            d * (d + 1) / 2 + d,
            "{dispatch:?}"
        );
    }
}

/// A tail call to a host function hands its results to the caller's caller; a host trap
/// inside a loop ends the run with the trap, and the store stays usable.
#[test]
fn tail_called_and_trapping_host_functions() {
    for dispatch in BACKENDS {
        let engine = engine(dispatch);
        let mut store = Store::new(&engine, ());
        let mut linker = Linker::new(&engine);
        linker.func_wrap("env", "add", |_: Caller<'_, ()>, a: i32, b: i32| a + b);
        linker.func_wrap(
            "env",
            "check",
            |_: Caller<'_, ()>, x: i32| -> Result<i32, Trap> {
                if x == 77 {
                    Err(Trap::host(std::io::Error::other("seventy-seven")))
                } else {
                    Ok(x)
                }
            },
        );
        let wat = r#"(module
            (import "env" "add" (func $add (param i32 i32) (result i32)))
            (import "env" "check" (func $check (param i32) (result i32)))
            (func $tail (param i32) (result i32)
              (return_call $add (local.get 0) (i32.const 1000)))
            (func (export "via_tail") (param i32) (result i32)
              (i32.mul (call $tail (local.get 0)) (i32.const 2)))
            (func (export "count") (param $n i32) (result i32)
              (local $i i32)
              (loop $next
                (drop (call $check (local.get $i)))
                (br_if $next (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1)))
                                       (local.get $n))))
              (local.get $i)))"#;
        let module = Module::new(&engine, wat).unwrap();
        let instance = linker.instantiate(&mut store, &module).unwrap();
        let via_tail = instance
            .get_typed_func::<i32, i32>(&store, "via_tail")
            .unwrap();
        let count = instance
            .get_typed_func::<i32, i32>(&store, "count")
            .unwrap();
        assert_eq!(via_tail.call(&mut store, 5).unwrap(), 2010, "{dispatch:?}");
        let err = count.call(&mut store, 100).unwrap_err();
        assert!(
            err.to_string().contains("seventy-seven"),
            "{dispatch:?}: {err}"
        );
        assert_eq!(count.call(&mut store, 50).unwrap(), 50, "{dispatch:?}");
        assert_eq!(via_tail.call(&mut store, 1).unwrap(), 2002, "{dispatch:?}");
    }
}
