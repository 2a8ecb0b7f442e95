//! Reclaiming exceptions: a guest that throws and catches in a loop keeps the store's
//! exception table bounded, and every exception still reachable (from registers, globals,
//! tables, payloads, suspended calls, outer runs and the host) stays intact.

use regwasm::{CallOutcome, Caller, Config, Engine, Exn, Instance, Linker, Module, Store, Val};

/// `churn(n)` throws and catches `n` times in each of three ways; `keep(n)` makes exceptions
/// held by a local, a global, a table and another exception's payload, churns, then reads
/// them back as `p(local) + 100 p(global) + 10^4 p(table) + 10^6 p(payload)`.
const GUEST: &str = r#"(module
  (import "host" "callback" (func $callback (param i32)))
  (tag $t (export "t") (param i32))
  (tag $r (param exnref))
  (global $g (mut exnref) (ref.null exn))
  (table $tab 2 exnref)

  (func $thrower (param i32) (throw $t (local.get 0)))

  (func $churn (export "churn") (param $n i32) (result i32)
    (local $i i32) (local $sum i32)
    (loop $l
      ;; catch, one frame up
      (block $h (result i32)
        (try_table (catch $t $h) (call $thrower (local.get $i)))
        unreachable)
      (local.set $sum (i32.add (local.get $sum)))
      ;; catch_ref, the reference dropped
      (block $h2 (result i32 exnref)
        (try_table (catch_ref $t $h2) (throw $t (i32.const 1)))
        unreachable)
      (drop)
      (local.set $sum (i32.add (local.get $sum)))
      ;; catch_all_ref, rethrown with throw_ref to an outer handler
      (block $outer (result i32)
        (try_table (catch $t $outer)
          (block $h3 (result exnref)
            (try_table (catch_all_ref $h3) (throw $t (i32.const 2)))
            unreachable)
          (throw_ref))
        unreachable)
      (local.set $sum (i32.add (local.get $sum)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
    (local.get $sum))

  (func $make (export "make") (param i32) (result exnref)
    (block $h (result exnref)
      (try_table (catch_all_ref $h) (throw $t (local.get 0)))
      unreachable))

  (func $payload (export "payload") (param exnref) (result i32)
    (block $h (result i32)
      (try_table (catch $t $h) (throw_ref (local.get 0)))
      unreachable))

  (func $inner (param exnref) (result exnref)
    (block $h (result exnref)
      (try_table (catch $r $h) (throw_ref (local.get 0)))
      unreachable))

  ;; Fills the local, the global and the table; `work` churns in between (0: `churn(n)`,
  ;; 1: the host's callback, which calls back in).
  (func (export "keep") (param $n i32) (param $work i32) (result i32)
    (local $e exnref)
    (local.set $e (call $make (i32.const 41)))
    (global.set $g (call $make (i32.const 42)))
    (table.set $tab (i32.const 0) (call $make (i32.const 43)))
    (table.set $tab (i32.const 1)
      (block $h (result exnref)
        (try_table (catch_all_ref $h) (throw $r (call $make (i32.const 44))))
        unreachable))
    (if (local.get $work)
      (then (call $callback (local.get $n)))
      (else (drop (call $churn (local.get $n)))))
    (i32.add
      (i32.add (call $payload (local.get $e))
               (i32.mul (call $payload (global.get $g)) (i32.const 100)))
      (i32.add (i32.mul (call $payload (table.get $tab (i32.const 0))) (i32.const 10000))
               (i32.mul (call $payload (call $inner (table.get $tab (i32.const 1))))
                        (i32.const 1000000))))))"#;

const KEPT: i32 = 41 + 4200 + 430_000 + 44_000_000;

/// What `churn(n)` returns.
fn churned(n: u32) -> i32 {
    let sum = (0..n).fold(0u32, |acc, i| acc.wrapping_add(i).wrapping_add(3));
    sum as i32
}

/// The most live exceptions a churning guest may leave: the collector's minimum threshold
/// plus what a few collections keep.
const BOUND: usize = 4096;

/// The guest in a store whose host callback churns `n` times from inside a host call and
/// asserts the table stays bounded meanwhile.
fn setup(config: &Config) -> (Store<()>, Instance) {
    let engine = Engine::new(config);
    let mut store = Store::new(&engine, ());
    let mut linker = Linker::new(&engine);
    linker.func_wrap("host", "callback", |mut caller: Caller<'_, ()>, n: i32| {
        let churn = caller.get_export("churn").unwrap().into_func().unwrap();
        let mut out = [Val::I32(0)];
        churn
            .call(caller.store(), &[Val::I32(n)], &mut out)
            .unwrap();
        assert_eq!(out[0], Val::I32(churned(n as u32)));
        assert!(caller.store().exception_count() < BOUND);
    });
    let module = Module::new(&engine, GUEST).unwrap();
    let instance = linker.instantiate(&mut store, &module).unwrap();
    (store, instance)
}

#[test]
fn a_million_throws_leave_the_table_bounded() {
    let (mut store, instance) = setup(&Config::default());
    let churn = instance
        .get_typed_func::<i32, i32>(&store, "churn")
        .unwrap();
    assert_eq!(
        churn.call(&mut store, 1_000_000).unwrap(),
        churned(1_000_000)
    );
    let count = store.exception_count();
    assert!(count < BOUND, "{count} exceptions left");
}

/// `keep` with the churn in the same run (0) or in a host call's call back into Wasm (1), where
/// the outer run's registers are out of the collector's sight.
#[test]
fn reachable_exceptions_survive_collections() {
    for work in [0, 1] {
        let (mut store, instance) = setup(&Config::default());
        let keep = instance
            .get_typed_func::<(i32, i32), i32>(&store, "keep")
            .unwrap();
        assert_eq!(keep.call(&mut store, (20_000, work)).unwrap(), KEPT);
        assert!(store.exception_count() < BOUND);
    }
}

#[test]
fn host_held_exceptions_survive_collections() {
    let (mut store, instance) = setup(&Config::default());
    let tag = instance
        .get_export(&store, "t")
        .unwrap()
        .into_tag()
        .unwrap();
    let made = Exn::new(&mut store, tag, &[Val::I32(7)]).unwrap();
    let make = instance.get_func(&store, "make").unwrap();
    let mut out = [Val::ExnRef(None)];
    make.call(&mut store, &[Val::I32(8)], &mut out).unwrap();
    let Val::ExnRef(Some(returned)) = out[0] else {
        panic!("make returned {:?}", out[0]);
    };
    let churn = instance
        .get_typed_func::<i32, i32>(&store, "churn")
        .unwrap();
    churn.call(&mut store, 20_000).unwrap();
    assert!(store.exception_count() < BOUND);
    for (exn, payload) in [(made, 7), (returned, 8)] {
        assert_eq!(exn.tag(&store), tag);
        assert_eq!(exn.payload(&store), [Val::I32(payload)]);
    }
    // Wasm can still throw them.
    let payload = instance.get_func(&store, "payload").unwrap();
    let mut out = [Val::I32(0)];
    payload
        .call(&mut store, &[Val::ExnRef(Some(made))], &mut out)
        .unwrap();
    assert_eq!(out[0], Val::I32(7));
}

#[test]
fn a_suspended_call_keeps_its_exceptions_while_others_churn() {
    let mut config = Config::default();
    config.consume_fuel(true);
    let (mut store, instance) = setup(&config);
    let keep = instance.get_func(&store, "keep").unwrap();
    let churn = instance
        .get_typed_func::<i32, i32>(&store, "churn")
        .unwrap();
    let mut out = [Val::I32(0)];
    store.set_fuel(1_000).unwrap();
    let mut outcome = keep
        .call_resumable(&mut store, &[Val::I32(2_000), Val::I32(0)], &mut out)
        .unwrap();
    let mut slices = 0;
    while let CallOutcome::Suspended(call) = outcome {
        slices += 1;
        // Another call churns while this one is suspended.
        store.set_fuel(u64::MAX / 2).unwrap();
        churn.call(&mut store, 2_000).unwrap();
        store.set_fuel(1_000).unwrap();
        outcome = call.resume(&mut store, &mut out).unwrap();
    }
    assert!(slices > 5, "{slices} slices");
    assert_eq!(out[0], Val::I32(KEPT));
    assert!(store.exception_count() < BOUND);
}

#[test]
fn uncaught_exceptions_reach_the_host_intact() {
    let (mut store, instance) = setup(&Config::default());
    let module = Module::new(
        store.engine(),
        r#"(module (import "g" "t" (tag $t (param i32)))
             (func (export "boom") (param i32) (throw $t (local.get 0))))"#,
    )
    .unwrap();
    let tag = instance
        .get_export(&store, "t")
        .unwrap()
        .into_tag()
        .unwrap();
    let mut linker = Linker::new(store.engine());
    linker.define("g", "t", tag);
    let boom = linker.instantiate(&mut store, &module).unwrap();
    let boom = boom.get_typed_func::<i32, ()>(&store, "boom").unwrap();
    let err = boom.call(&mut store, 99).unwrap_err();
    let regwasm::Error::Trap(trap) = err else {
        panic!("expected a trap, got {err}");
    };
    let exn = trap.exception().unwrap();
    let churn = instance
        .get_typed_func::<i32, i32>(&store, "churn")
        .unwrap();
    churn.call(&mut store, 20_000).unwrap();
    assert_eq!(exn.payload(&store), [Val::I32(99)]);
}
