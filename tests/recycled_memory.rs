//! A dropped memory's reservation is recycled for the next memory of the same size, zeroed only
//! up to what may have been written (src/runtime/linear.rs). Every way of writing a memory —
//! store instructions in their fused forms, bulk instructions, data segments, the host's
//! `Memory::write` and `data_mut`, another instance that imports the memory — must leave the
//! next memory reading zero. Each test uses a memory maximum no other test uses, so the
//! reservation it recycles is the one it wrote (checked by address on Linux).

use regwasm::{Engine, Extern, Linker, Memory, MemoryType, Module, Store};

/// Instantiates `wat` in a fresh store, runs `f` on it, then drops the store and returns the
/// base address its exported memory `memory` had.
fn with_instance(
    engine: &Engine,
    wat: &str,
    f: impl FnOnce(&mut Store<()>, regwasm::Instance),
) -> usize {
    let module = Module::new(engine, wat).unwrap();
    let mut store = Store::new(engine, ());
    let instance = Linker::new(engine)
        .instantiate(&mut store, &module)
        .unwrap();
    let memory = instance.get_memory(&store, "memory").unwrap();
    let base = memory.data(&store).as_ptr() as usize;
    f(&mut store, instance);
    base
}

/// A module that never stores, with memory `(memory 1 max)`: returns whether all of its
/// memory, after growing to `pages`, reads zero, and its base address.
fn fresh_reads_zero(engine: &Engine, max: u32, pages: u32) -> (bool, usize) {
    let wat = format!(
        r#"(module (memory (export "memory") 1 {max})
             (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0))))"#
    );
    let module = Module::new(engine, wat).unwrap();
    let mut store = Store::new(engine, ());
    let instance = Linker::new(engine)
        .instantiate(&mut store, &module)
        .unwrap();
    let memory = instance.get_memory(&store, "memory").unwrap();
    let grow = instance.get_typed_func::<i32, i32>(&store, "grow").unwrap();
    grow.call(&mut store, pages as i32 - 1).unwrap();
    let data = memory.data(&store);
    (
        data.iter().all(|&b| b == 0),
        memory.data(&store).as_ptr() as usize,
    )
}

fn check_recycled(engine: &Engine, max: u32, pages: u32, written_at: usize) {
    let (zero, base) = fresh_reads_zero(engine, max, pages);
    if cfg!(target_os = "linux") {
        assert_eq!(base, written_at, "the reservation was recycled");
    }
    assert!(zero, "a recycled memory of max {max} reads zero");
}

#[test]
fn guest_stores_of_every_form_are_zeroed() {
    let engine = Engine::default();
    // Stores the translator turns into different instructions: plain, immediate, indexed,
    // displaced, absolute, accumulator and vector forms, and `memory.fill`.
    let wat = r#"(module (memory (export "memory") 1 3)
      (func (export "run") (param $a i32) (param $v i32)
        (i32.store (local.get $a) (local.get $v))
        (i32.store8 offset=9 (local.get $a) (i32.const 7))
        (i64.store (i32.add (local.get $a) (i32.const 100)) (i64.extend_i32_u (local.get $v)))
        (i32.store16 (i32.add (local.get $a) (local.get $v)) (local.get $v))
        (i32.store (i32.const 60000) (local.get $v))
        (i32.store offset=200 (local.get $a) (i32.mul (local.get $v) (local.get $v)))
        (v128.store offset=300 (local.get $a) (v128.const i32x4 1 2 3 4))
        (v128.store8_lane offset=400 1 (local.get $a) (v128.const i32x4 5 6 7 8))
        (memory.fill (i32.const 65000) (i32.const 9) (i32.const 100))
        (drop (memory.grow (i32.const 1)))
        (i32.store (i32.const 131000) (local.get $v))))"#;
    let base = with_instance(&engine, wat, |store, instance| {
        let run = instance
            .get_typed_func::<(i32, i32), ()>(&*store, "run")
            .unwrap();
        run.call(&mut *store, (16, 0x1234)).unwrap();
        let memory = instance.get_memory(&*store, "memory").unwrap();
        assert!(memory.data(&*store).iter().filter(|&&b| b != 0).count() > 100);
    });
    check_recycled(&engine, 3, 3, base);
}

#[test]
fn host_writes_and_data_segments_are_zeroed() {
    let engine = Engine::default();
    let wat = r#"(module (memory (export "memory") 1 5)
      (data (i32.const 40000) "a data segment")
      (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0))))"#;
    let base = with_instance(&engine, wat, |store, instance| {
        let memory = instance.get_memory(&*store, "memory").unwrap();
        memory
            .write(&mut *store, 50_000, b"written by the host")
            .unwrap();
        let grow = instance
            .get_typed_func::<i32, i32>(&*store, "grow")
            .unwrap();
        grow.call(&mut *store, 1).unwrap();
        memory.data_mut(&mut *store)[100_000] = 1;
    });
    check_recycled(&engine, 5, 2, base);
    // Only bytes written through `Memory::write` or a data segment count as written.
    let base = with_instance(&engine, wat, |store, instance| {
        let memory = instance.get_memory(&*store, "memory").unwrap();
        memory.write(&mut *store, 65_530, &[1; 6]).unwrap();
    });
    check_recycled(&engine, 5, 1, base);
}

#[test]
fn an_importer_that_stores_marks_the_memory() {
    let engine = Engine::default();
    let ty = MemoryType::new(1, Some(9));
    let writer = Module::new(
        &engine,
        r#"(module (import "env" "memory" (memory 1 9))
             (func (export "poke") (param i32) (i32.store8 (local.get 0) (i32.const 255))))"#,
    )
    .unwrap();
    let mut store = Store::new(&engine, ());
    let memory = Memory::new(&mut store, ty).unwrap();
    let base = memory.data(&store).as_ptr() as usize;
    let mut linker = Linker::new(&engine);
    linker.define("env", "memory", Extern::Memory(memory));
    let instance = linker.instantiate(&mut store, &writer).unwrap();
    let poke = instance.get_typed_func::<i32, ()>(&store, "poke").unwrap();
    poke.call(&mut store, 65_000).unwrap();
    assert_eq!(memory.data(&store)[65_000], 255);
    drop(store);
    check_recycled(&engine, 9, 1, base);
}
