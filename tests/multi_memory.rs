//! Multi-memory, memory64 (with 64-bit tables) and custom page sizes through the public API:
//! a two-memory program, accesses near the top of a 64-bit memory and at 2^64 - 1, 1-byte
//! pages, import matching, and the feature switches.

use regwasm::{
    Config, Engine, Error, Linker, Memory, MemoryType, Module, Store, Table, TableType, TrapCode,
    Val, ValType,
};

const TWO_MEMORIES: &str = include_str!("data/multi_memory.wat");

fn instantiate(config: &Config, wat: &str) -> (Store<()>, regwasm::Instance) {
    let engine = Engine::new(config);
    let module = Module::new(&engine, wat).expect("module compiles");
    let mut store = Store::new(&engine, ());
    let instance = Linker::new(&engine)
        .instantiate(&mut store, &module)
        .expect("instantiates");
    (store, instance)
}

fn is_oob<T: std::fmt::Debug>(result: regwasm::Result<T>) -> bool {
    matches!(result, Err(Error::Trap(t)) if t.code() == TrapCode::MemoryOutOfBounds)
}

/// The program of `tests/data/multi_memory.wat` on an engine, with its results checked.
fn run_two_memories(engine: &Engine, module: &Module) {
    let mut store = Store::new(engine, ());
    let instance = Linker::new(engine)
        .instantiate(&mut store, module)
        .expect("instantiates");
    let (input, output) = (
        instance.get_memory(&store, "in").unwrap(),
        instance.get_memory(&store, "out").unwrap(),
    );
    assert_eq!(&input.data(&store)[..15], b"hello, memories");
    assert_eq!(&output.data(&store)[..3], b">> ");

    let upper = instance
        .get_typed_func::<i32, i32>(&store, "upper")
        .unwrap();
    assert_eq!(upper.call(&mut store, 15).unwrap(), 18);
    assert_eq!(&output.data(&store)[..18], b">> HELLO, MEMORIES");
    assert_eq!(
        &input.data(&store)[..15],
        b"hello, memories",
        "the source is kept"
    );

    let copy_back = instance
        .get_typed_func::<(i32, i32), ()>(&store, "copy_back")
        .unwrap();
    copy_back.call(&mut store, (16, 18)).unwrap();
    assert_eq!(&input.data(&store)[16..34], b">> HELLO, MEMORIES");
    assert!(is_oob(copy_back.call(&mut store, (65536 - 17, 18))));

    let sizes = instance
        .get_typed_func::<(), (i32, i32)>(&store, "sizes")
        .unwrap();
    assert_eq!(sizes.call(&mut store, ()).unwrap(), (1, 1));
    let grow = instance
        .get_typed_func::<i32, i32>(&store, "grow_out")
        .unwrap();
    assert_eq!(grow.call(&mut store, 1).unwrap(), 1);
    assert_eq!(
        grow.call(&mut store, 1).unwrap(),
        -1,
        "the maximum is 2 pages"
    );
    assert_eq!(sizes.call(&mut store, ()).unwrap(), (1, 2));
    assert_eq!(output.size(&store), 2);

    let load = instance
        .get_typed_func::<i32, i32>(&store, "load_out")
        .unwrap();
    assert_eq!(load.call(&mut store, 2 * 65536 - 4).unwrap(), 0);
    assert!(is_oob(load.call(&mut store, 2 * 65536 - 3)));
}

#[test]
fn two_memories_transform_and_copy() {
    let engine = Engine::default();
    let module = Module::new(&engine, TWO_MEMORIES).unwrap();
    run_two_memories(&engine, &module);
    // The same module precompiled: the memory indices travel in the bytecode.
    let loaded = Module::deserialize(&engine, &module.serialize()).unwrap();
    run_two_memories(&engine, &loaded);
    assert_eq!(loaded.serialize(), module.serialize());
    // And the listing names the second memory.
    assert!(
        module.disassemble().contains("mem=1"),
        "{}",
        module.disassemble()
    );
}

#[test]
fn memory64_accesses_near_the_top_and_at_the_end_of_the_address_space() {
    let (mut store, instance) = instantiate(
        &Config::default(),
        r#"(module
            (memory (export "m") i64 1 4)
            (func (export "grow") (param i64) (result i64) (memory.grow (local.get 0)))
            (func (export "size") (result i64) (memory.size))
            (func (export "store") (param i64 i64) (i64.store (local.get 0) (local.get 1)))
            (func (export "load") (param i64) (result i64) (i64.load (local.get 0)))
            (func (export "load_off1") (param i64) (result i32)
              (i32.load offset=1 (local.get 0)))
            (func (export "load_big_off") (param i64) (result i32)
              (i32.load offset=0xffff_ffff_ffff_fff0 (local.get 0)))
            (func (export "load_off_4g") (param i64) (result i32)
              (i32.load8_u offset=0x1_0000_0000 (local.get 0)))
            (func (export "fill") (param i64 i32 i64)
              (memory.fill (local.get 0) (local.get 1) (local.get 2))))"#,
    );
    let grow = instance.get_typed_func::<i64, i64>(&store, "grow").unwrap();
    let size = instance.get_typed_func::<(), i64>(&store, "size").unwrap();
    let store_i64 = instance
        .get_typed_func::<(i64, i64), ()>(&store, "store")
        .unwrap();
    let load = instance.get_typed_func::<i64, i64>(&store, "load").unwrap();
    assert_eq!(grow.call(&mut store, 1).unwrap(), 1);
    assert_eq!(size.call(&mut store, ()).unwrap(), 2);
    let top = 2 * 65536 - 8;
    store_i64
        .call(&mut store, (top, 0x0102_0304_0506_0708))
        .unwrap();
    assert_eq!(load.call(&mut store, top).unwrap(), 0x0102_0304_0506_0708);
    assert!(is_oob(load.call(&mut store, top + 1)));
    assert!(is_oob(load.call(&mut store, -8)), "address 2^64 - 8");
    // Past the maximum, and a delta no memory can take: -1 as an i64.
    assert_eq!(grow.call(&mut store, 3).unwrap(), -1);
    assert_eq!(grow.call(&mut store, 1 << 62).unwrap(), -1);
    assert_eq!(grow.call(&mut store, -1).unwrap(), -1);

    // Address + offset + width may exceed 2^64: computed without wrapping.
    let off1 = instance
        .get_typed_func::<i64, i32>(&store, "load_off1")
        .unwrap();
    assert!(is_oob(off1.call(&mut store, -1)), "2^64 - 1 + 1");
    assert_eq!(off1.call(&mut store, 0).unwrap(), 0);
    let big = instance
        .get_typed_func::<i64, i32>(&store, "load_big_off")
        .unwrap();
    assert!(
        is_oob(big.call(&mut store, 0x20)),
        "wraps to 0x10 in 64 bits"
    );
    assert!(is_oob(big.call(&mut store, 0)));
    let off4g = instance
        .get_typed_func::<i64, i32>(&store, "load_off_4g")
        .unwrap();
    assert!(is_oob(off4g.call(&mut store, 0)), "an offset of 4 GiB");

    let fill = instance
        .get_typed_func::<(i64, i32, i64), ()>(&store, "fill")
        .unwrap();
    fill.call(&mut store, (top, 0xab, 8)).unwrap();
    assert_eq!(
        load.call(&mut store, top).unwrap() as u64,
        0xabab_abab_abab_abab
    );
    assert!(is_oob(fill.call(&mut store, (-1, 0, 2))));
    let m = instance.get_memory(&store, "m").unwrap();
    assert!(m.ty(&store).is_64);
    assert_eq!(m.ty(&store).to_string(), "i64 2 4");
}

#[test]
fn table64_indices() {
    let (mut store, instance) = instantiate(
        &Config::default(),
        r#"(module
            (type $t (func (result i32)))
            (table $tab i64 2 funcref)
            (elem (table $tab) (i64.const 1) func $seven)
            (func $seven (result i32) (i32.const 7))
            (func (export "call") (param i64) (result i32)
              (call_indirect $tab (type $t) (local.get 0)))
            (func (export "size") (result i64) (table.size $tab))
            (func (export "grow") (param i64) (result i64)
              (table.grow $tab (ref.null func) (local.get 0))))"#,
    );
    let call = instance.get_typed_func::<i64, i32>(&store, "call").unwrap();
    assert_eq!(call.call(&mut store, 1).unwrap(), 7);
    let undefined = |r: regwasm::Result<i32>| matches!(r, Err(Error::Trap(t)) if t.code() == TrapCode::UndefinedElement);
    assert!(undefined(call.call(&mut store, 2)));
    assert!(
        undefined(call.call(&mut store, 1 << 32 | 1)),
        "not truncated to 32 bits"
    );
    let size = instance.get_typed_func::<(), i64>(&store, "size").unwrap();
    assert_eq!(size.call(&mut store, ()).unwrap(), 2);
    let grow = instance.get_typed_func::<i64, i64>(&store, "grow").unwrap();
    assert_eq!(grow.call(&mut store, 3).unwrap(), 2);
    assert_eq!(grow.call(&mut store, 1 << 40).unwrap(), -1);
}

#[test]
fn one_byte_pages() {
    let wat = r#"(module
        (memory (export "m") 3 10 (pagesize 1))
        (func (export "store8") (param i32 i32) (i32.store8 (local.get 0) (local.get 1)))
        (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
        (func (export "size") (result i32) (memory.size)))"#;
    let err = Module::new(&Engine::default(), wat).unwrap_err();
    assert!(err.to_string().contains("custom-page-sizes"), "{err}");

    let mut config = Config::default();
    config.custom_page_sizes(true);
    let (mut store, instance) = instantiate(&config, wat);
    let store8 = instance
        .get_typed_func::<(i32, i32), ()>(&store, "store8")
        .unwrap();
    let grow = instance.get_typed_func::<i32, i32>(&store, "grow").unwrap();
    let size = instance.get_typed_func::<(), i32>(&store, "size").unwrap();
    store8.call(&mut store, (2, 9)).unwrap();
    assert!(is_oob(store8.call(&mut store, (3, 9))));
    assert_eq!(grow.call(&mut store, 5).unwrap(), 3);
    assert_eq!(size.call(&mut store, ()).unwrap(), 8);
    assert_eq!(
        grow.call(&mut store, 3).unwrap(),
        -1,
        "the maximum is 10 bytes"
    );
    store8.call(&mut store, (7, 1)).unwrap();
    let m = instance.get_memory(&store, "m").unwrap();
    assert_eq!(m.size(&store), 8);
    assert_eq!(m.data(&store), &[0, 0, 9, 0, 0, 0, 0, 1]);
    assert_eq!(m.ty(&store).page_size(), 1);
    assert_eq!(m.ty(&store).to_string(), "8 10 (pagesize 1)");
}

#[test]
fn imports_match_index_type_page_size_and_limits() {
    let mut config = Config::default();
    config.custom_page_sizes(true);
    let engine = Engine::new(&config);
    let mut store = Store::new(&engine, ());
    let m32 = Memory::new(&mut store, MemoryType::new(1, Some(2))).unwrap();
    let m64 = Memory::new(&mut store, MemoryType::new(1, Some(2)).with_64(true)).unwrap();
    let bytes = MemoryType::new(1, Some(2)).with_page_size_log2(0);
    let m1 = Memory::new(&mut store, bytes).unwrap();
    let t64 = Table::new(
        &mut store,
        TableType::new(ValType::FuncRef, 1, None).with_64(true),
        Val::FuncRef(None),
    )
    .unwrap();
    let mut linker = Linker::new(&engine);
    linker
        .define("h", "m32", m32)
        .define("h", "m64", m64)
        .define("h", "m1", m1)
        .define("h", "t64", t64);
    let link = |store: &mut Store<()>, import: &str| {
        let module = Module::new(&engine, format!("(module (import {import}))")).unwrap();
        linker.instantiate(store, &module).map(|_| ())
    };
    let unlinkable = |r: regwasm::Result<()>, what: &str| match r {
        Err(Error::Unlinkable(m)) => assert!(m.contains("incompatible import type"), "{what}: {m}"),
        other => panic!("{what}: expected unlinkable, got {other:?}"),
    };
    link(&mut store, r#""h" "m32" (memory 1 2)"#).unwrap();
    link(&mut store, r#""h" "m64" (memory i64 1 2)"#).unwrap();
    link(&mut store, r#""h" "m64" (memory i64 0)"#).unwrap();
    link(&mut store, r#""h" "m1" (memory 1 (pagesize 1))"#).unwrap();
    link(&mut store, r#""h" "t64" (table i64 1 funcref)"#).unwrap();
    unlinkable(link(&mut store, r#""h" "m64" (memory 1 2)"#), "i64 as i32");
    unlinkable(
        link(&mut store, r#""h" "m32" (memory i64 1 2)"#),
        "i32 as i64",
    );
    unlinkable(
        link(&mut store, r#""h" "m1" (memory 1 2)"#),
        "1-byte pages as 64 KiB",
    );
    unlinkable(
        link(&mut store, r#""h" "m32" (memory 1 (pagesize 1))"#),
        "64 KiB pages as 1-byte",
    );
    unlinkable(
        link(&mut store, r#""h" "m64" (memory i64 1 1)"#),
        "max too large",
    );
    unlinkable(
        link(&mut store, r#""h" "m64" (memory i64 2)"#),
        "min too small",
    );
    unlinkable(
        link(&mut store, r#""h" "t64" (table 1 funcref)"#),
        "table i64 as i32",
    );
}

#[test]
fn switched_off_features_are_named() {
    let reject = |config: &Config, wat: &str, feature: &str| {
        let err = Module::new(&Engine::new(config), wat).unwrap_err();
        assert!(
            matches!(err, Error::Invalid(_)) && err.to_string().contains(feature),
            "{feature}: {err}"
        );
    };
    let mut config = Config::default();
    config.multi_memory(false);
    reject(&config, "(module (memory 1) (memory 1))", "multi-memory");
    reject(
        &config,
        r#"(module (import "a" "b" (memory 1)) (memory 1))"#,
        "multi-memory",
    );
    Module::new(&Engine::new(&config), "(module (memory 1))").unwrap();

    let mut config = Config::default();
    config.memory64(false);
    reject(&config, "(module (memory i64 1))", "memory64");
    reject(&config, "(module (table i64 1 funcref))", "memory64");
    Module::new(&Engine::new(&config), "(module (memory 1))").unwrap();
}
