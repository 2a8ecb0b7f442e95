//! The embedding API: host functions, typed calls, memories, tables, globals, traps and limits.

use regwasm::{
    Caller, Config, Engine, Error, Func, FuncType, Global, GlobalType, Linker, Memory, MemoryType,
    Module, Store, Trap, TrapCode, Val, ValType,
};

fn instantiate<T>(store: &mut Store<T>, linker: &Linker<T>, wat: &str) -> regwasm::Instance {
    let module = Module::new(store.engine(), wat).expect("module compiles");
    linker.instantiate(store, &module).expect("instantiates")
}

#[test]
fn host_function_counts_calls_and_reads_memory() {
    let engine = Engine::default();
    let mut linker = Linker::<(u32, String)>::new(&engine);
    linker.func_wrap(
        "env",
        "log",
        |mut caller: Caller<'_, (u32, String)>, ptr: i32, len: i32| {
            let memory = caller.get_export("memory").unwrap().into_memory().unwrap();
            let mut buf = vec![0; len as usize];
            memory.read(caller.store(), ptr as usize, &mut buf).unwrap();
            let data = caller.data_mut();
            data.0 += 1;
            data.1.push_str(std::str::from_utf8(&buf).unwrap());
        },
    );
    let mut store = Store::new(&engine, (0, String::new()));
    let instance = instantiate(
        &mut store,
        &linker,
        r#"(module
            (import "env" "log" (func $log (param i32 i32)))
            (memory (export "memory") 1)
            (data (i32.const 16) "hi!")
            (func (export "run") (param $n i32)
              (loop $l
                (call $log (i32.const 16) (i32.const 3))
                (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))))"#,
    );
    let run = instance.get_typed_func::<i32, ()>(&store, "run").unwrap();
    run.call(&mut store, 4).unwrap();
    assert_eq!(store.data().0, 4);
    assert_eq!(store.data().1, "hi!hi!hi!hi!");
}

#[test]
fn host_error_becomes_a_trap_carrying_it() {
    #[derive(Debug)]
    struct Refused;
    impl std::fmt::Display for Refused {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("refused by host")
        }
    }
    impl std::error::Error for Refused {}

    let engine = Engine::default();
    let mut linker = Linker::<()>::new(&engine);
    linker.func_wrap("env", "fail", |_: Caller<'_, ()>| -> Result<i32, Trap> {
        Err(Trap::host(Refused))
    });
    let mut store = Store::new(&engine, ());
    let instance = instantiate(
        &mut store,
        &linker,
        r#"(module (import "env" "fail" (func $f (result i32)))
             (func (export "run") (result i32) call $f))"#,
    );
    let err = instance
        .get_typed_func::<(), i32>(&store, "run")
        .unwrap()
        .call(&mut store, ())
        .unwrap_err();
    let Error::Trap(trap) = err else {
        panic!("expected a trap, got {err}")
    };
    assert_eq!(trap.code(), TrapCode::HostError);
    assert!(trap
        .host_error()
        .unwrap()
        .downcast_ref::<Refused>()
        .is_some());
}

#[test]
fn multiple_results_from_host_and_wasm() {
    let engine = Engine::default();
    let mut linker = Linker::<()>::new(&engine);
    linker.func_wrap("env", "divmod", |_: Caller<'_, ()>, a: i32, b: i32| {
        (a / b, a % b)
    });
    let mut store = Store::new(&engine, ());
    let instance = instantiate(
        &mut store,
        &linker,
        r#"(module (import "env" "divmod" (func $dm (param i32 i32) (result i32 i32)))
             (func (export "swap_divmod") (param i32 i32) (result i32 i32)
               (call $dm (local.get 0) (local.get 1))
               (local.set 0) (local.set 1) (local.get 0) (local.get 1)))"#,
    );
    let f = instance
        .get_typed_func::<(i32, i32), (i32, i32)>(&store, "swap_divmod")
        .unwrap();
    assert_eq!(f.call(&mut store, (17, 5)).unwrap(), (2, 3));
}

#[test]
fn typed_func_rejects_wrong_signature() {
    let engine = Engine::default();
    let mut store = Store::new(&engine, ());
    let instance = instantiate(
        &mut store,
        &Linker::new(&engine),
        r#"(module (func (export "f") (param i32) (result i32) local.get 0))"#,
    );
    let err = instance
        .get_typed_func::<i64, i32>(&store, "f")
        .err()
        .unwrap();
    assert!(err.to_string().contains("not the requested"), "{err}");
    assert!(instance.get_typed_func::<i32, ()>(&store, "f").is_err());
    assert!(instance
        .get_typed_func::<(i32, i32), i32>(&store, "f")
        .is_err());
    assert!(instance.get_typed_func::<(), i32>(&store, "f").is_err());
    let ok = instance.get_typed_func::<i32, i32>(&store, "f").unwrap();
    assert_eq!(ok.call(&mut store, 7).unwrap(), 7);
    let ok = instance
        .get_typed_func::<(i32,), (i32,)>(&store, "f")
        .unwrap();
    assert_eq!(ok.call(&mut store, (8,)).unwrap(), (8,));
    let f = instance.get_func(&store, "f").unwrap();
    let mut out = [Val::I32(0)];
    assert!(matches!(
        f.call(&mut store, &[Val::I64(1)], &mut out),
        Err(Error::Api(_))
    ));
}

#[test]
fn memory_global_and_table_handles() {
    let engine = Engine::default();
    let mut store = Store::new(&engine, ());
    let memory = Memory::new(&mut store, MemoryType::new(1, Some(3))).unwrap();
    let counter = Global::new(
        &mut store,
        GlobalType {
            content: ValType::I64,
            mutable: true,
        },
        Val::I64(40),
    )
    .unwrap();
    let mut linker = Linker::new(&engine);
    linker.define("env", "memory", memory);
    linker.define("env", "counter", counter);
    let instance = instantiate(
        &mut store,
        &linker,
        r#"(module
            (import "env" "memory" (memory 1))
            (import "env" "counter" (global $c (mut i64)))
            (table (export "t") 2 funcref)
            (func $bump (export "bump") (result i32)
              (global.set $c (i64.add (global.get $c) (i64.const 2)))
              (i32.store (i32.const 8) (i32.const 0x11223344))
              (memory.grow (i32.const 1)))
            (elem (i32.const 1) $bump))"#,
    );
    let bump = instance.get_typed_func::<(), i32>(&store, "bump").unwrap();
    assert_eq!(bump.call(&mut store, ()).unwrap(), 1);
    assert_eq!(bump.call(&mut store, ()).unwrap(), 2);
    assert_eq!(bump.call(&mut store, ()).unwrap(), -1, "max is 3 pages");
    assert_eq!(counter.get(&store), Val::I64(46));
    assert_eq!(memory.size(&store), 3);
    assert_eq!(&memory.data(&store)[8..12], &[0x44, 0x33, 0x22, 0x11]);
    let table = instance.get_table(&store, "t").unwrap();
    assert_eq!(table.get(&store, 0), Some(Val::FuncRef(None)));
    assert!(matches!(table.get(&store, 1), Some(Val::FuncRef(Some(_)))));
    assert_eq!(table.get(&store, 2), None);
}

#[test]
fn unknown_and_incompatible_imports_are_unlinkable() {
    let engine = Engine::default();
    let mut store = Store::new(&engine, ());
    let module = Module::new(&engine, r#"(module (import "env" "f" (func (param i32))))"#).unwrap();
    let linker = Linker::new(&engine);
    let err = linker.instantiate(&mut store, &module).unwrap_err();
    assert!(
        matches!(&err, Error::Unlinkable(m) if m.contains("unknown import") && m.contains("env::f"))
    );

    let mut linker = Linker::new(&engine);
    linker.func_wrap("env", "f", |_: Caller<'_, ()>, _: i64| {});
    let err = linker.instantiate(&mut store, &module).unwrap_err();
    assert!(matches!(&err, Error::Unlinkable(m) if m.contains("incompatible import type")));
}

#[test]
fn deep_recursion_is_a_trap_not_a_crash() {
    let engine = Engine::default();
    let mut store = Store::new(&engine, ());
    let instance = instantiate(
        &mut store,
        &Linker::new(&engine),
        r#"(module (func $f (export "f") (param i64) (result i64)
             (i64.add (call $f (i64.add (local.get 0) (i64.const 1))) (i64.const 1))))"#,
    );
    let err = instance
        .get_typed_func::<i64, i64>(&store, "f")
        .unwrap()
        .call(&mut store, 0)
        .unwrap_err();
    assert!(
        matches!(&err, Error::Trap(t) if t.code() == TrapCode::StackOverflow),
        "{err}"
    );
}

#[test]
fn call_depth_is_configurable() {
    let mut config = Config::default();
    config.max_call_depth(100);
    let engine = Engine::new(&config);
    let mut store = Store::new(&engine, ());
    let instance = instantiate(
        &mut store,
        &Linker::new(&engine),
        r#"(module (func $d (export "depth") (param i32) (result i32)
             (if (result i32) (i32.eqz (local.get 0)) (then (i32.const 0))
               (else (i32.add (i32.const 1) (call $d (i32.sub (local.get 0) (i32.const 1))))))))"#,
    );
    let depth = instance
        .get_typed_func::<i32, i32>(&store, "depth")
        .unwrap();
    assert_eq!(depth.call(&mut store, 90).unwrap(), 90);
    assert!(depth.call(&mut store, 200).is_err());
    // The store stays usable after a trap.
    assert_eq!(depth.call(&mut store, 10).unwrap(), 10);
}

#[test]
fn host_can_call_back_into_wasm() {
    let engine = Engine::default();
    let mut store = Store::new(&engine, None::<Func>);
    let mut linker = Linker::new(&engine);
    linker.func_wrap(
        "env",
        "twice",
        |mut caller: Caller<'_, Option<Func>>, x: i32| -> Result<i32, Trap> {
            let inc = caller.data().unwrap();
            let inc = inc.typed::<i32, i32>(caller.store()).unwrap();
            let once = inc.call(caller.store(), x).map_err(Trap::host)?;
            inc.call(caller.store(), once).map_err(Trap::host)
        },
    );
    let instance = instantiate(
        &mut store,
        &linker,
        r#"(module (import "env" "twice" (func $twice (param i32) (result i32)))
             (func (export "inc") (param i32) (result i32) (i32.add (local.get 0) (i32.const 1)))
             (func (export "run") (param i32) (result i32) (call $twice (local.get 0))))"#,
    );
    let inc = instance.get_func(&store, "inc").unwrap();
    *store.data_mut() = Some(inc);
    let run = instance.get_typed_func::<i32, i32>(&store, "run").unwrap();
    assert_eq!(run.call(&mut store, 40).unwrap(), 42);
}

#[test]
fn dynamic_host_function_with_vals() {
    let engine = Engine::default();
    let mut store = Store::new(&engine, ());
    let ty = FuncType::new([ValType::F64, ValType::F64], [ValType::F64]);
    let hyp = Func::new(&mut store, ty, |_, args, results| {
        let (a, b) = (args[0].f64().unwrap(), args[1].f64().unwrap());
        results[0] = Val::from((a * a + b * b).sqrt());
        Ok(())
    });
    let mut out = [Val::F64(0)];
    hyp.call(
        &mut store,
        &[Val::from(3.0f64), Val::from(4.0f64)],
        &mut out,
    )
    .unwrap();
    assert_eq!(out[0].f64(), Some(5.0));
}

#[test]
fn malformed_and_invalid_modules_are_errors() {
    let engine = Engine::default();
    assert!(matches!(
        Module::new(&engine, b"\0asm\x02\0\0\0"),
        Err(Error::Malformed(_))
    ));
    assert!(matches!(
        Module::new(&engine, b"\0as"),
        Err(Error::Malformed(_))
    ));
    let err = Module::new(&engine, r#"(module (func (result i32) i64.const 1))"#).unwrap_err();
    match err {
        Error::Invalid(e) => {
            assert!(e.message.starts_with("type mismatch"), "{e}");
            assert_eq!(e.func, Some(0));
        }
        other => panic!("expected invalid, got {other}"),
    }
}

#[test]
fn stores_and_modules_can_move_between_threads() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Store<()>>();
    assert_send_sync::<Module>();
    assert_send_sync::<Engine>();
    let engine = Engine::default();
    let module = Module::new(
        &engine,
        r#"(module (func (export "f") (result i32) i32.const 7))"#,
    )
    .unwrap();
    let handle = std::thread::spawn(move || {
        let mut store = Store::new(&engine, ());
        let instance = Linker::new(&engine)
            .instantiate(&mut store, &module)
            .unwrap();
        let f = instance.get_typed_func::<(), i32>(&store, "f").unwrap();
        f.call(&mut store, ()).unwrap()
    });
    assert_eq!(handle.join().unwrap(), 7);
}

/// Exports resolve through the instance's own index spaces, for every kind, and two instances
/// of one module get their own items.
#[test]
fn exports_resolve_every_kind_and_are_listed_by_name() {
    let engine = Engine::default();
    let mut store = Store::new(&engine, ());
    let module = Module::new(
        &engine,
        r#"(module
            (func $id (param i32) (result i32) local.get 0)
            (func (export "zeta") (result i32) (global.get $g))
            (global $g (export "g") (mut i32) (i32.const 5))
            (memory (export "mem") 1)
            (table (export "tab") 1 funcref)
            (export "id" (func $id))
            (export "alias" (func $id)))"#,
    )
    .unwrap();
    let linker = Linker::new(&engine);
    let a = linker.instantiate(&mut store, &module).unwrap();
    let b = linker.instantiate(&mut store, &module).unwrap();
    let names: Vec<String> = a.exports(&store).into_iter().map(|(n, _)| n).collect();
    assert_eq!(names, ["alias", "g", "id", "mem", "tab", "zeta"]);
    assert_eq!(a.get_func(&store, "id"), a.get_func(&store, "alias"));
    assert_ne!(a.get_func(&store, "id"), b.get_func(&store, "id"));
    assert_ne!(a.get_memory(&store, "mem"), b.get_memory(&store, "mem"));
    assert!(a.get_table(&store, "tab").is_some());
    assert!(
        a.get_func(&store, "g").is_none(),
        "a global is not a function"
    );
    assert!(a.get_export(&store, "missing").is_none());
    let g = a.get_global(&store, "g").unwrap();
    g.set(&mut store, Val::I32(9)).unwrap();
    let zeta_a = a.get_typed_func::<(), i32>(&store, "zeta").unwrap();
    let zeta_b = b.get_typed_func::<(), i32>(&store, "zeta").unwrap();
    assert_eq!(zeta_a.call(&mut store, ()).unwrap(), 9);
    assert_eq!(zeta_b.call(&mut store, ()).unwrap(), 5);
}

/// `Linker::define_unknown_imports_as_traps`: missing functions become traps naming the import
/// (with the import's own type), defined ones are kept, and other kinds stay unlinkable.
#[test]
fn unknown_imports_as_traps() {
    let engine = Engine::default();
    let module = Module::new(
        &engine,
        r#"(module
            (import "env" "defined" (func $defined (result i32)))
            (import "env" "missing" (func $missing (param i64 f32) (result i32 i64)))
            (func (export "ok") (result i32) (call $defined))
            (func (export "bad") (result i32)
                (drop (call $missing (i64.const 1) (f32.const 2)))))"#,
    )
    .unwrap();
    let mut store = Store::new(&engine, ());
    let mut linker = Linker::new(&engine);
    linker.func_wrap("env", "defined", |_: Caller<'_, ()>| 7i32);
    match linker.instantiate(&mut store, &module) {
        Err(Error::Unlinkable(m)) => assert!(m.contains("env::missing"), "{m}"),
        other => panic!("{other:?}"),
    }

    linker.define_unknown_imports_as_traps(&module);
    let instance = linker.instantiate(&mut store, &module).unwrap();
    let ok = instance.get_typed_func::<(), i32>(&store, "ok").unwrap();
    assert_eq!(
        ok.call(&mut store, ()).unwrap(),
        7,
        "the defined import is kept"
    );
    let missing = linker.get(&mut store, "env", "missing").unwrap();
    let ty = missing.into_func().unwrap().ty(&store);
    assert_eq!(
        ty,
        FuncType::new([ValType::I64, ValType::F32], [ValType::I32, ValType::I64])
    );
    let bad = instance.get_typed_func::<(), i32>(&store, "bad").unwrap();
    match bad.call(&mut store, ()) {
        Err(Error::Trap(trap)) => {
            assert_eq!(trap.code(), TrapCode::HostError);
            assert_eq!(
                trap.host_error().unwrap().to_string(),
                "unknown import: `env::missing` has not been defined"
            );
        }
        other => panic!("{other:?}"),
    }

    let memory_import =
        Module::new(&engine, r#"(module (import "env" "mem" (memory 1)))"#).unwrap();
    linker.define_unknown_imports_as_traps(&memory_import);
    assert!(matches!(
        linker.instantiate(&mut store, &memory_import),
        Err(Error::Unlinkable(_))
    ));
}

/// `v128` values cross every API boundary: typed and untyped calls, host functions (typed and
/// dynamic), globals, and the `simd` switch rejects them with the feature's name.
#[test]
fn v128_values_cross_the_api() {
    let engine = Engine::default();
    let mut store = Store::new(&engine, ());
    let g = Global::new(
        &mut store,
        GlobalType {
            content: ValType::V128,
            mutable: true,
        },
        Val::V128(7 << 64 | 9),
    )
    .unwrap();
    let mut linker = Linker::new(&engine);
    // Typed host function: swaps the halves and adds a scalar to lane 0 (as i64x2).
    linker.func_wrap("env", "swap", |_: Caller<'_, ()>, v: u128, k: i64| {
        let (lo, hi) = (v as u64, (v >> 64) as u64);
        (hi.wrapping_add(k as u64) as u128) | (lo as u128) << 64
    });
    let ty = FuncType::new([ValType::V128], [ValType::V128, ValType::I32]);
    let dynamic = Func::new(&mut store, ty, |_, params, results| {
        let v = params[0].v128().unwrap();
        results[0] = Val::V128(!v);
        results[1] = Val::I32(v.count_ones() as i32);
        Ok(())
    });
    linker.define("env", "g", g);
    linker.define("env", "not", dynamic);
    let instance = instantiate(
        &mut store,
        &linker,
        r#"(module
            (import "env" "swap" (func $swap (param v128 i64) (result v128)))
            (import "env" "not" (func $not (param v128) (result v128 i32)))
            (import "env" "g" (global $g (mut v128)))
            (func (export "add") (param v128 v128) (result v128)
              (i32x4.add (local.get 0) (local.get 1)))
            (func (export "via_host") (param i64) (result v128)
              (call $swap (global.get $g) (local.get 0)))
            (func (export "not") (param v128) (result i32 v128)
              (local v128)
              (call $not (local.get 0))
              (drop)
              (local.set 1)
              (global.set $g (local.get 1))
              (i32x4.extract_lane 3 (local.get 1))
              (local.get 1)))"#,
    );
    let add = instance
        .get_typed_func::<(u128, u128), u128>(&store, "add")
        .unwrap();
    let lanes = |l: [u32; 4]| l.iter().rev().fold(0u128, |acc, &x| acc << 32 | x as u128);
    assert_eq!(
        add.call(
            &mut store,
            (lanes([1, 2, 3, u32::MAX]), lanes([10, 20, 30, 1]))
        )
        .unwrap(),
        lanes([11, 22, 33, 0])
    );
    let via_host = instance
        .get_typed_func::<i64, u128>(&store, "via_host")
        .unwrap();
    assert_eq!(via_host.call(&mut store, 100).unwrap(), 107 | 9 << 64);
    let not = instance.get_func(&store, "not").unwrap();
    let mut results = [Val::I32(0), Val::V128(0)];
    not.call(&mut store, &[Val::V128(0)], &mut results).unwrap();
    assert_eq!(results, [Val::I32(-1), Val::V128(u128::MAX)]);
    assert_eq!(g.get(&store), Val::V128(u128::MAX));
    assert_eq!(g.get(&store).get::<u128>(), Some(u128::MAX));

    let mut config = Config::default();
    config.simd(false);
    let no_simd = Engine::new(&config);
    let err = Module::new(&no_simd, "(module (func (param v128)))").unwrap_err();
    assert!(err.to_string().contains("simd"), "{err}");
    let err = Module::new(
        &no_simd,
        "(module (func (result i32) (i32x4.extract_lane 0 (v128.const i64x2 0 0))))",
    )
    .unwrap_err();
    assert!(err.to_string().contains("simd feature"), "{err}");
}
