//! Typed function references (WebAssembly 3.0): `call_ref` on functions from the host and
//! from Wasm, null traps, non-nullable locals, `br_on_null`/`br_on_non_null`, type
//! canonicalization across modules, the `Config` switch and the API's view of the new types.

use regwasm::{
    Caller, Config, Engine, Error, Func, FuncType, HeapType, Linker, Module, Store, TrapCode, Val,
    ValType,
};

fn instantiate(wat: &str) -> (Store<()>, regwasm::Instance) {
    let engine = Engine::default();
    let module = Module::new(&engine, wat).unwrap();
    let mut store = Store::new(&engine, ());
    let instance = Linker::new(&engine)
        .instantiate(&mut store, &module)
        .unwrap();
    (store, instance)
}

fn trap_code(e: Error) -> TrapCode {
    match e {
        Error::Trap(t) => t.code(),
        other => panic!("expected a trap, got {other}"),
    }
}

fn invalid(wat: &str) -> String {
    match Module::new(&Engine::default(), wat) {
        Err(Error::Invalid(e)) => e.to_string(),
        Err(other) => panic!("expected invalid, got {other}"),
        Ok(_) => panic!("expected invalid, got a module"),
    }
}

#[test]
fn call_ref_on_a_host_function() {
    // The host's function comes in as a `(ref null $binop)` parameter (from `funcref` it
    // would need a cast, which is GC).
    let wat = r#"
        (module
          (type $binop (func (param i32 i32) (result i32)))
          (func (export "apply") (param $f (ref null $binop)) (param i32 i32) (result i32)
            (call_ref $binop (local.get 1) (local.get 2) (local.get $f)))
          (func (export "tail") (param $f (ref $binop)) (param i32 i32) (result i32)
            (return_call_ref $binop (local.get 1) (local.get 2) (local.get $f)))
        )"#;
    let (mut store, instance) = instantiate(wat);
    let sub = Func::wrap(&mut store, |_: Caller<'_, ()>, a: i32, b: i32| a - b);
    let apply = instance.get_func(&store, "apply").unwrap();
    let mut out = [Val::I32(0)];
    let args = [Val::FuncRef(Some(sub)), Val::I32(7), Val::I32(2)];
    apply.call(&mut store, &args, &mut out).unwrap();
    assert_eq!(out[0], Val::I32(5));
    let tail = instance.get_func(&store, "tail").unwrap();
    tail.call(&mut store, &args, &mut out).unwrap();
    assert_eq!(out[0], Val::I32(5));

    // A function of another type is refused before the call, not trapped inside it.
    let neg = Func::wrap(&mut store, |_: Caller<'_, ()>, a: i32| -a);
    let wrong = [Val::FuncRef(Some(neg)), Val::I32(7), Val::I32(2)];
    assert!(matches!(
        apply.call(&mut store, &wrong, &mut out),
        Err(Error::Api(_))
    ));
    // Null is refused for `(ref $binop)`, and traps in `call_ref` for `(ref null $binop)`.
    let null = [Val::FuncRef(None), Val::I32(7), Val::I32(2)];
    assert!(matches!(
        tail.call(&mut store, &null, &mut out),
        Err(Error::Api(_))
    ));
    let e = apply.call(&mut store, &null, &mut out).unwrap_err();
    assert_eq!(trap_code(e), TrapCode::NullFunctionReference);
}

#[test]
fn null_references_trap() {
    let wat = r#"
        (module
          (type $t (func))
          (func (export "call-null") (call_ref $t (ref.null $t)))
          (func (export "as-non-null") (result i32)
            (drop (ref.as_non_null (ref.null extern)))
            (i32.const 1))
          (func (export "tail-null") (return_call_ref $t (ref.null $t)))
        )"#;
    let (mut store, instance) = instantiate(wat);
    let call = instance
        .get_typed_func::<(), ()>(&store, "call-null")
        .unwrap();
    assert_eq!(
        trap_code(call.call(&mut store, ()).unwrap_err()),
        TrapCode::NullFunctionReference
    );
    let tail = instance
        .get_typed_func::<(), ()>(&store, "tail-null")
        .unwrap();
    assert_eq!(
        trap_code(tail.call(&mut store, ()).unwrap_err()),
        TrapCode::NullFunctionReference
    );
    let as_non_null = instance
        .get_typed_func::<(), i32>(&store, "as-non-null")
        .unwrap();
    let e = as_non_null.call(&mut store, ()).unwrap_err();
    assert_eq!(trap_code(e), TrapCode::NullReference);
    let e = as_non_null.call(&mut store, ()).unwrap_err();
    assert!(e.to_string().contains("null reference"), "{e}");
}

#[test]
fn non_nullable_locals() {
    // Read before any write: invalid.
    let msg = invalid("(module (func (local (ref func)) (drop (local.get 0))))");
    assert!(msg.contains("uninitialized local"), "{msg}");
    // Set inside a block, read after it: the initialization ended with the block.
    let msg = invalid(
        r#"(module (func $f (local (ref func))
             (block (local.set 0 (ref.func $f)))
             (drop (local.get 0)))
           (elem declare func $f))"#,
    );
    assert!(msg.contains("uninitialized local"), "{msg}");
    // Set, then read in the same block or a nested one: valid. Parameters are set on entry.
    let wat = r#"
        (module
          (func $f (export "f") (param $p (ref func)) (result i32)
            (local $l (ref func))
            (local.set $l (local.get $p))
            (block (drop (local.get $l)))
            (drop (local.tee $l (ref.func $f)))
            (drop (local.get $l))
            (i32.const 7))
          (elem declare func $f))"#;
    let (mut store, instance) = instantiate(wat);
    let f = instance.get_func(&store, "f").unwrap();
    assert_eq!(
        f.ty(&store).params(),
        &[ValType::reference(false, HeapType::Func)]
    );
    let typed = f.typed::<Func, i32>(&store).unwrap();
    assert_eq!(typed.call(&mut store, f).unwrap(), 7);
}

#[test]
fn br_on_null_and_br_on_non_null() {
    let wat = r#"
        (module
          (type $t (func (result i32)))
          (func $seven (type $t) (i32.const 7))
          (elem declare func $seven)
          ;; -1 for null, else the function's result
          (func $call-or-minus-one (param $f (ref null $t)) (result i32)
            (block $null
              (return (call_ref $t (br_on_null $null (local.get $f)))))
            (i32.const -1))
          (func $via-non-null (param $f (ref null $t)) (result i32)
            (block $some (result (ref $t))
              (br_on_non_null $some (local.get $f))
              (return (i32.const -2)))
            (call_ref $t))
          (func (export "null") (result i32) (call $call-or-minus-one (ref.null $t)))
          (func (export "some") (result i32) (call $call-or-minus-one (ref.func $seven)))
          (func (export "nn-null") (result i32) (call $via-non-null (ref.null nofunc)))
          (func (export "nn-some") (result i32) (call $via-non-null (ref.func $seven)))
        )"#;
    let (mut store, instance) = instantiate(wat);
    for (name, want) in [("null", -1), ("some", 7), ("nn-null", -2), ("nn-some", 7)] {
        let f = instance.get_typed_func::<(), i32>(&store, name).unwrap();
        assert_eq!(f.call(&mut store, ()).unwrap(), want, "{name}");
    }
}

#[test]
fn types_are_canonical_across_modules() {
    // Two modules declaring the same recursion group (with different type indices) share
    // its types: an export of one satisfies an import of the other, and `call_indirect`
    // across them succeeds.
    let engine = Engine::default();
    let mut store = Store::new(&engine, ());
    let a = Module::new(
        &engine,
        r#"(module
             (rec (type $f (func (param (ref null $g)) (result i32)))
                  (type $g (func (param (ref null $f)) (result i32))))
             (func (export "f") (type $f) (i32.const 11))
             (table (export "t") 1 funcref)
             (elem (i32.const 0) func 0))"#,
    )
    .unwrap();
    let mut linker = Linker::new(&engine);
    let ia = linker.instantiate(&mut store, &a).unwrap();
    linker.define("a", "f", ia.get_func(&store, "f").unwrap());
    linker.define("a", "t", ia.get_table(&store, "t").unwrap());
    let b = Module::new(
        &engine,
        r#"(module
             (type $other (func))
             (rec (type $f2 (func (param (ref null $g2)) (result i32)))
                  (type $g2 (func (param (ref null $f2)) (result i32))))
             (import "a" "f" (func $imp (type $f2)))
             (import "a" "t" (table 1 funcref))
             (func (export "indirect") (result i32)
               (call_indirect (type $f2) (ref.null $g2) (i32.const 0))))"#,
    )
    .unwrap();
    let ib = linker.instantiate(&mut store, &b).unwrap();
    let f = ib.get_typed_func::<(), i32>(&store, "indirect").unwrap();
    assert_eq!(f.call(&mut store, ()).unwrap(), 11);

    // The same shapes in separate groups are other types: the import does not match.
    let c = Module::new(
        &engine,
        r#"(module
             (type $f3 (func (param (ref null $f3)) (result i32)))
             (import "a" "f" (func (type $f3))))"#,
    )
    .unwrap();
    match linker.instantiate(&mut store, &c) {
        Err(Error::Unlinkable(m)) => assert!(m.contains("incompatible import type"), "{m}"),
        other => panic!("expected unlinkable, got {:?}", other.map(|_| ())),
    }
}

#[test]
fn feature_switch() {
    let mut config = Config::default();
    config.function_references(false);
    let engine = Engine::new(&config);
    for wat in [
        "(module (func (param (ref func))))",
        "(module (type $t (func)) (func (param (ref null $t))))",
        "(module (func (param funcref) (drop (ref.as_non_null (local.get 0)))))",
        "(module (type $t (func)) (func (param funcref) (call_ref $t (ref.null $t))))",
    ] {
        let e = Module::new(&engine, wat).unwrap_err();
        assert!(e.to_string().contains("function-references"), "{wat}: {e}");
    }
    // Modules of Wasm 2.0 still validate.
    Module::new(
        &engine,
        "(module (func (param funcref) (result i32) (ref.is_null (local.get 0))))",
    )
    .unwrap();
}

#[test]
fn api_types() {
    let t = ValType::reference(false, HeapType::Concrete(3));
    assert_eq!(t.to_string(), "(ref 3)");
    assert_eq!(
        ValType::reference(true, HeapType::NoExtern).to_string(),
        "(ref null noextern)"
    );
    // The nullable abstract types keep their short forms, so they compare equal.
    assert_eq!(ValType::reference(true, HeapType::Func), ValType::FuncRef);
    assert_eq!(
        ValType::reference(true, HeapType::Extern),
        ValType::ExternRef
    );
    assert!(!t.is_defaultable() && ValType::FuncRef.is_defaultable());
    let ty = FuncType::new([t], [ValType::FuncRef]);
    assert_eq!(ty.to_string(), "[(ref 3)] -> [funcref]");
}
