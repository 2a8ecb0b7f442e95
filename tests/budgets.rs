//! Stopping runaway guests: fuel, interruption, deadlines, resumable calls and store limits.

use regwasm::{
    CallOutcome, Caller, Config, Engine, Error, Instance, Linker, Module, Store, SuspendReason,
    TrapCode, Val,
};
use std::time::{Duration, Instant};

const SPIN: &str = r#"(module (func (export "spin") (loop (br 0))))"#;

/// A long computation with visible memory effects: writes `i * i` for `i < n` into memory
/// (wrapping at 64 KiB) and returns a checksum.
const WORK: &str = r#"(module
  (memory (export "mem") 1)
  (func $square (param i32) (result i32) (i32.mul (local.get 0) (local.get 0)))
  (func (export "work") (param $n i32) (result i32)
    (local $i i32) (local $acc i32)
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (i32.store (i32.and (i32.shl (local.get $i) (i32.const 2)) (i32.const 0xfffc))
                   (call $square (local.get $i)))
        (local.set $acc (i32.xor (i32.rotl (local.get $acc) (i32.const 5)) (call $square (local.get $i))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $l)))
    (local.get $acc)))"#;

fn setup(config: &Config, wat: &str) -> (Store<()>, Instance) {
    let engine = Engine::new(config);
    let module = Module::new(&engine, wat).unwrap();
    let mut store = Store::new(&engine, ());
    let instance = Linker::new(&engine)
        .instantiate(&mut store, &module)
        .unwrap();
    (store, instance)
}

fn trap_code(err: Error) -> TrapCode {
    match err {
        Error::Trap(t) => t.code(),
        other => panic!("expected a trap, got {other}"),
    }
}

#[test]
fn fuel_runs_out_and_can_be_refilled() {
    let mut config = Config::default();
    config.consume_fuel(true);
    let (mut store, instance) = setup(&config, WORK);
    let work = instance.get_typed_func::<i32, i32>(&store, "work").unwrap();
    assert_eq!(store.get_fuel().unwrap(), 0);
    assert_eq!(
        trap_code(work.call(&mut store, 10).unwrap_err()),
        TrapCode::OutOfFuel
    );

    store.set_fuel(1_000_000).unwrap();
    let expected = work.call(&mut store, 1000).unwrap();
    let used = 1_000_000 - store.get_fuel().unwrap();
    // About a dozen instructions per iteration: metering counts what runs.
    assert!((5_000..100_000).contains(&used), "used {used}");

    store.set_fuel(10).unwrap();
    assert_eq!(
        trap_code(work.call(&mut store, 1000).unwrap_err()),
        TrapCode::OutOfFuel
    );
    store.set_fuel(1_000_000).unwrap();
    assert_eq!(work.call(&mut store, 1000).unwrap(), expected);
}

#[test]
fn fuel_api_requires_metering() {
    let (mut store, _) = setup(&Config::default(), SPIN);
    assert!(matches!(store.set_fuel(5), Err(Error::Api(_))));
    assert!(store.get_fuel().is_err());
}

#[test]
fn results_do_not_depend_on_metering_or_interruptibility() {
    let (mut plain, instance) = setup(&Config::default(), WORK);
    let work = instance.get_typed_func::<i32, i32>(&plain, "work").unwrap();
    let want = work.call(&mut plain, 20_000).unwrap();
    let mut config = Config::default();
    config.consume_fuel(true).interruptible(true);
    let (mut metered, instance) = setup(&config, WORK);
    metered.set_fuel(u64::MAX).unwrap();
    let work = instance
        .get_typed_func::<i32, i32>(&metered, "work")
        .unwrap();
    assert_eq!(work.call(&mut metered, 20_000).unwrap(), want);
}

#[test]
fn interrupt_stops_an_infinite_loop_quickly() {
    let mut config = Config::default();
    config.interruptible(true);
    let (mut store, instance) = setup(&config, SPIN);
    let spin = instance.get_typed_func::<(), ()>(&store, "spin").unwrap();
    let handle = store.interrupt_handle();
    let (tx, rx) = std::sync::mpsc::channel();
    let stopper = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(50));
        let requested = Instant::now();
        handle.interrupt();
        tx.send(requested).unwrap();
    });
    let err = spin.call(&mut store, ()).unwrap_err();
    let stopped = Instant::now();
    let requested = rx.recv().unwrap();
    stopper.join().unwrap();
    assert_eq!(trap_code(err), TrapCode::Interrupted);
    let latency = stopped.saturating_duration_since(requested);
    assert!(
        latency < Duration::from_millis(10),
        "stopped {latency:?} after the request"
    );
}

#[test]
fn deadline_stops_a_call_and_only_that_call() {
    let mut config = Config::default();
    config.interruptible(true);
    let (mut store, instance) = setup(&config, SPIN);
    let spin = instance.get_typed_func::<(), ()>(&store, "spin").unwrap();
    store.set_deadline(Some(Duration::from_millis(30)));
    let started = Instant::now();
    assert_eq!(
        trap_code(spin.call(&mut store, ()).unwrap_err()),
        TrapCode::DeadlineExceeded
    );
    let took = started.elapsed();
    assert!(
        took >= Duration::from_millis(30) && took < Duration::from_secs(2),
        "{took:?}"
    );

    // A short call afterwards is not hit by a stale deadline.
    let (mut store, instance) = setup(&config, WORK);
    store.set_deadline(Some(Duration::from_millis(5)));
    let work = instance.get_typed_func::<i32, i32>(&store, "work").unwrap();
    for _ in 0..20 {
        work.call(&mut store, 10).unwrap();
        std::thread::sleep(Duration::from_millis(1));
    }
}

#[test]
fn a_computation_sliced_into_a_thousand_resumptions_matches_one_run() {
    let (mut plain, instance) = setup(&Config::default(), WORK);
    let work = instance.get_typed_func::<i32, i32>(&plain, "work").unwrap();
    let want = work.call(&mut plain, 50_000).unwrap();
    let want_mem = instance
        .get_memory(&plain, "mem")
        .unwrap()
        .data(&plain)
        .to_vec();

    let mut config = Config::default();
    config.consume_fuel(true);
    let (mut store, instance) = setup(&config, WORK);
    let work = instance.get_func(&store, "work").unwrap();
    let mut out = [Val::I32(0)];
    store.set_fuel(500).unwrap();
    let mut outcome = work
        .call_resumable(&mut store, &[Val::I32(50_000)], &mut out)
        .unwrap();
    let mut resumptions = 0;
    while let CallOutcome::Suspended(call) = outcome {
        assert!(matches!(call.reason(), SuspendReason::OutOfFuel { .. }));
        resumptions += 1;
        store.set_fuel(500).unwrap();
        outcome = call.resume(&mut store, &mut out).unwrap();
    }
    assert!(resumptions >= 1000, "only {resumptions} resumptions");
    assert_eq!(out[0], Val::I32(want));
    let mem = instance
        .get_memory(&store, "mem")
        .unwrap()
        .data(&store)
        .to_vec();
    assert!(mem == want_mem, "memory differs from the uninterrupted run");
}

#[test]
fn host_function_can_yield_and_the_call_resumes() {
    let engine = Engine::default();
    let mut linker = Linker::<u32>::new(&engine);
    linker.func_wrap(
        "env",
        "tick",
        |mut caller: Caller<'_, u32>, x: i32| -> i32 {
            *caller.data_mut() += 1;
            caller.yield_now();
            x * 2
        },
    );
    let module = Module::new(
        &engine,
        r#"(module (import "env" "tick" (func $tick (param i32) (result i32)))
             (func (export "run") (result i32)
               (i32.add (call $tick (i32.const 1)) (call $tick (i32.const 20)))))"#,
    )
    .unwrap();
    let mut store = Store::new(&engine, 0u32);
    let instance = linker.instantiate(&mut store, &module).unwrap();
    let run = instance.get_func(&store, "run").unwrap();
    let mut out = [Val::I32(0)];
    let mut yields = 0;
    let mut outcome = run.call_resumable(&mut store, &[], &mut out).unwrap();
    while let CallOutcome::Suspended(call) = outcome {
        assert_eq!(call.reason(), SuspendReason::HostYield);
        yields += 1;
        assert_eq!(*store.data(), yields);
        outcome = call.resume(&mut store, &mut out).unwrap();
    }
    assert_eq!((yields, out[0]), (2, Val::I32(42)));
    // A plain call ignores the yields.
    run.call(&mut store, &[], &mut out).unwrap();
    assert_eq!(out[0], Val::I32(42));
}

#[test]
fn interrupted_call_can_be_resumed_or_dropped() {
    let mut config = Config::default();
    config.interruptible(true);
    let (mut store, instance) = setup(&config, WORK);
    let work = instance.get_func(&store, "work").unwrap();
    let mut out = [Val::I32(0)];
    // Interrupt before the call: it stops at its first check and resumes to the end.
    store.interrupt_handle().interrupt();
    let CallOutcome::Suspended(call) = work
        .call_resumable(&mut store, &[Val::I32(100)], &mut out)
        .unwrap()
    else {
        panic!("expected a suspension")
    };
    assert_eq!(call.reason(), SuspendReason::Interrupted);
    assert!(matches!(
        call.resume(&mut store, &mut out).unwrap(),
        CallOutcome::Finished
    ));
    let want = out[0];
    // Dropping a suspended call leaves the store usable.
    store.interrupt_handle().interrupt();
    let outcome = work
        .call_resumable(&mut store, &[Val::I32(100)], &mut out)
        .unwrap();
    drop(outcome);
    work.call(&mut store, &[Val::I32(100)], &mut out).unwrap();
    assert_eq!(out[0], want);
}

#[test]
fn store_limits_memory_growth_and_instances() {
    let mut config = Config::default();
    config.max_memory_pages(4).max_instances(2);
    let engine = Engine::new(&config);
    let module = Module::new(
        &engine,
        r#"(module (memory 1) (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0))))"#,
    )
    .unwrap();
    let mut store = Store::new(&engine, ());
    let linker = Linker::new(&engine);
    let instance = linker.instantiate(&mut store, &module).unwrap();
    let grow = instance.get_typed_func::<i32, i32>(&store, "grow").unwrap();
    assert_eq!(grow.call(&mut store, 3).unwrap(), 1);
    assert_eq!(
        grow.call(&mut store, 1).unwrap(),
        -1,
        "past the configured limit"
    );
    linker.instantiate(&mut store, &module).unwrap();
    let err = linker.instantiate(&mut store, &module).unwrap_err();
    assert!(
        matches!(&err, Error::Limit(m) if m.contains("instances")),
        "{err}"
    );

    let big = Module::new(&engine, r#"(module (memory 5))"#).unwrap();
    let mut store = Store::new(&engine, ());
    let err = linker.instantiate(&mut store, &big).unwrap_err();
    assert!(
        matches!(&err, Error::Limit(m) if m.contains("pages")),
        "{err}"
    );
}

#[test]
fn a_million_frames_deep_recursion_traps_cleanly() {
    let mut config = Config::default();
    config
        .max_call_depth(2_000_000)
        .max_register_stack(16 * 1024 * 1024);
    let (mut store, instance) = setup(
        &config,
        r#"(module (func $down (export "down") (param i32) (result i32)
             (if (result i32) (i32.eqz (local.get 0)) (then (i32.const 0))
               (else (i32.add (i32.const 1) (call $down (i32.sub (local.get 0) (i32.const 1))))))))"#,
    );
    let down = instance.get_typed_func::<i32, i32>(&store, "down").unwrap();
    assert_eq!(down.call(&mut store, 1_000_000).unwrap(), 1_000_000);
    assert_eq!(
        trap_code(down.call(&mut store, i32::MAX).unwrap_err()),
        TrapCode::StackOverflow
    );
}

/// The register stack starts small and grows (moving) in the middle of a call: every frame
/// below must still see its own registers afterwards. Each level keeps values in locals and
/// on its operand stack across the recursive call and combines them with the result, so a
/// frame pointer left pointing at the old cells would change the answer (or crash).
#[test]
fn register_stack_grows_mid_call_and_frames_keep_their_values() {
    let config = Config::default();
    let (mut store, instance) = setup(
        &config,
        r#"(module
             (func $f (export "f") (param $n i32) (result i64)
               (local $a i64) (local $b i64)
               (if (result i64) (i32.eqz (local.get $n)) (then (i64.const 7))
                 (else
                   (local.set $a (i64.extend_i32_u (local.get $n)))
                   (local.set $b (i64.mul (local.get $a) (i64.const 3)))
                   (i64.add
                     (i64.mul (local.get $a) (i64.const 1000003))
                     (i64.xor
                       (call $f (i32.sub (local.get $n) (i32.const 1)))
                       (local.get $b)))))))"#,
    );
    fn expected(n: u64) -> i64 {
        let mut acc: i64 = 7;
        for k in 1..=n as i64 {
            acc = k.wrapping_mul(1_000_003).wrapping_add(acc ^ (k * 3));
        }
        acc
    }
    let f = instance.get_typed_func::<i32, i64>(&store, "f").unwrap();
    // 10,000 levels of several registers each need a few doublings of the initial stack.
    for n in [0, 1, 100, 10_000] {
        assert_eq!(f.call(&mut store, n).unwrap(), expected(n as u64), "f({n})");
    }
    // A store's first call whose own frame (1,000 locals) is larger than the initial stack.
    let locals = "(local i64)".repeat(1000);
    let (mut store, instance) = setup(
        &config,
        &format!(
            "(module (func (export \"big\") (result i32) {locals} (local $last i32)
               (local.set $last (i32.const 41))
               (i32.add (local.get $last) (i32.const 1))))"
        ),
    );
    let big = instance.get_typed_func::<(), i32>(&store, "big").unwrap();
    assert_eq!(big.call(&mut store, ()).unwrap(), 42);
    // The limit still holds: a stack that may not grow past 4,096 cells overflows.
    let mut small = Config::default();
    small.max_register_stack(4096);
    let (mut store, instance) = setup(&small, "(module (func $r (export \"r\") (param i32) (result i32) (if (result i32) (i32.eqz (local.get 0)) (then (i32.const 0)) (else (call $r (i32.sub (local.get 0) (i32.const 1)))))))");
    let r = instance.get_typed_func::<i32, i32>(&store, "r").unwrap();
    assert_eq!(r.call(&mut store, 100).unwrap(), 0);
    assert_eq!(
        trap_code(r.call(&mut store, 100_000).unwrap_err()),
        TrapCode::StackOverflow
    );
}
