//! Minimised modules from differential testing and fuzzing (`tests/regressions/*.wat`), each
//! checked against what the spec says, under every translator configuration. The header of
//! each file says where it came from and which engine got it wrong.

#![cfg(feature = "wat")]

use regwasm::{Config, Engine, Error, Linker, Module, Optimizations, Store, Val};

/// Every optimization on, every one off, and each one off alone.
fn configs() -> Vec<Optimizations> {
    let all = Optimizations::all();
    let mut v = vec![all, Optimizations::none()];
    for i in 0..4 {
        let mut o = all;
        match i {
            0 => o.lazy_locals = false,
            1 => o.immediates = false,
            2 => o.fused_branches = false,
            _ => o.result_retargeting = false,
        }
        v.push(o);
    }
    v
}

/// Calls `func` of regression module `file` with `args` under every configuration.
fn call(file: &str, func: &str, args: &[Val]) -> Vec<Result<Vec<Val>, String>> {
    let path = format!("{}/tests/regressions/{file}", env!("CARGO_MANIFEST_DIR"));
    let wat = std::fs::read_to_string(&path).unwrap();
    configs()
        .into_iter()
        .map(|opts| {
            let mut config = Config::default();
            config.verify_bytecode(true).optimizations(opts);
            let engine = Engine::new(&config);
            let module = Module::new(&engine, &wat).unwrap();
            let mut store = Store::new(&engine, ());
            let instance = Linker::new(&engine)
                .instantiate(&mut store, &module)
                .unwrap();
            let f = instance.get_func(&store, func).unwrap();
            let mut out: Vec<Val> = f
                .ty(&store)
                .results()
                .iter()
                .map(|t| Val::default_of(*t))
                .collect();
            match f.call(&mut store, args, &mut out) {
                Ok(()) => Ok(out),
                Err(Error::Trap(t)) => Err(t.to_string()),
                Err(e) => panic!("{file} {func}: {e}"),
            }
        })
        .collect()
}

fn assert_returns(file: &str, func: &str, args: &[Val], want: &[Val]) {
    for (i, got) in call(file, func, args).into_iter().enumerate() {
        assert_eq!(
            got.as_deref(),
            Ok(want),
            "{file} {func}{args:?} under {:?}",
            configs()[i]
        );
    }
}

#[test]
fn select_on_eqz_of_a_local() {
    let f = "wasmi_select_eqz.wat";
    for func in ["select_eqz", "select_eq0"] {
        assert_returns(f, func, &[Val::I32(0), Val::I32(7)], &[Val::I32(1)]);
        assert_returns(f, func, &[Val::I32(3), Val::I32(7)], &[Val::I32(2)]);
    }
    assert_returns(f, "guarded_div", &[], &[Val::I32(5)]);
}

#[test]
fn local_below_block_parameters_keeps_its_old_value() {
    let f = "wasmi_block_params_local.wat";
    for c in [0, 1] {
        assert_returns(
            f,
            "if_params_set",
            &[Val::I64(5), Val::I32(c)],
            &[Val::I64(5)],
        );
        let bits = 0xffc0_0007u32;
        assert_returns(
            f,
            "if_params_block",
            &[Val::F32(bits), Val::I32(c)],
            &[Val::I32(bits as i32)],
        );
        assert_returns(
            f,
            "block_params_br_if",
            &[Val::I32(5), Val::I32(c)],
            &[Val::I32(5)],
        );
    }
    assert_returns(
        f,
        "if_params_set_add",
        &[Val::I64(5), Val::I32(0)],
        &[Val::I64(10)],
    );
    assert_returns(
        f,
        "if_params_set_add",
        &[Val::I64(5), Val::I32(1)],
        &[Val::I64(6)],
    );
}

#[test]
fn store_with_teed_address_and_large_offset() {
    let path = format!(
        "{}/tests/regressions/wasmi_store_tee_offset.wat",
        env!("CARGO_MANIFEST_DIR")
    );
    let wat = std::fs::read_to_string(path).unwrap();
    for opts in configs() {
        let mut config = Config::default();
        config.verify_bytecode(true).optimizations(opts);
        let engine = Engine::new(&config);
        let module = Module::new(&engine, &wat).unwrap();
        let mut store = Store::new(&engine, ());
        let instance = Linker::new(&engine)
            .instantiate(&mut store, &module)
            .unwrap();
        let memory = instance.get_memory(&store, "memory").unwrap();
        for (func, p) in [("store8", 0x41), ("store32", 0x100)] {
            let f = instance.get_func(&store, func).unwrap();
            f.call(&mut store, &[Val::I32(p)], &mut []).unwrap();
            // Address p + 1 + 70000 receives p + 1.
            let at = (p + 1) as usize + 70000;
            assert_eq!(
                memory.data(&store)[at],
                (p + 1) as u8,
                "{func} under {opts:?}"
            );
        }
        // Past the end of the two pages: a trap, not a panic.
        let f = instance.get_func(&store, "store32").unwrap();
        let err = f.call(&mut store, &[Val::I32(70000)], &mut []).unwrap_err();
        assert!(matches!(err, Error::Trap(t) if t.code() == regwasm::TrapCode::MemoryOutOfBounds));
    }
}

#[test]
fn br_table_carrying_v128_over_an_older_v128() {
    let want = Val::V128(0x0000_0004_0000_0003_0000_0002_0000_0001);
    // 0: to the outer block, then out of the function; anything else: to the function.
    for i in [0, 1, -1] {
        assert_returns(
            "wasmi_br_table_v128.wat",
            "br_table_v128",
            &[Val::I32(i)],
            &[want],
        );
    }
}
