//! Tail calls (`return_call`, `return_call_indirect`): the callee replaces the caller's frame, so
//! tail recursion runs in constant space whatever its depth; they reach host functions and
//! other instances, keep fuel metering and resumable calls working, and can be switched off.

use regwasm::{
    CallOutcome, Caller, Config, Engine, Error, Instance, Linker, Module, Store, SuspendReason,
    TrapCode, Val,
};

/// A tail-recursive countdown: `count(n, 0)` returns `n + (n - 1) + … + 1` (wrapping), one
/// `return_call` per step; `count_plain` is the same with `call`, which keeps every frame.
const COUNT: &str = r#"(module
  (func $count (export "count") (param $n i64) (param $acc i64) (result i64)
    (if (result i64) (i64.eqz (local.get $n))
      (then (local.get $acc))
      (else
        (return_call $count
          (i64.sub (local.get $n) (i64.const 1))
          (i64.add (local.get $acc) (local.get $n))))))
  (func $count_plain (export "count_plain") (param $n i64) (param $acc i64) (result i64)
    (if (result i64) (i64.eqz (local.get $n))
      (then (local.get $acc))
      (else
        (call $count_plain
          (i64.sub (local.get $n) (i64.const 1))
          (i64.add (local.get $acc) (local.get $n)))))))"#;

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

/// `n + (n - 1) + … + 1`.
fn triangle(n: i64) -> i64 {
    n * (n + 1) / 2
}

/// Frame and register stacks far too small for the recursion's depth, had it kept its frames.
fn small_stacks() -> Config {
    let mut config = Config::default();
    config.max_call_depth(16).max_register_stack(1024);
    config
}

#[test]
fn tail_recursion_runs_in_constant_space() {
    // 100 million steps in an optimized build; a tenth of that keeps a debug build quick.
    let n: i64 = if cfg!(debug_assertions) {
        10_000_000
    } else {
        100_000_000
    };
    let (mut store, instance) = setup(&small_stacks(), COUNT);
    let count = instance
        .get_typed_func::<(i64, i64), i64>(&store, "count")
        .unwrap();
    assert_eq!(count.call(&mut store, (n, 0)).unwrap(), triangle(n));

    // The same recursion with `call` exhausts these stacks after a few frames.
    let plain = instance
        .get_typed_func::<(i64, i64), i64>(&store, "count_plain")
        .unwrap();
    assert_eq!(plain.call(&mut store, (10, 0)).unwrap(), triangle(10));
    assert_eq!(
        trap_code(plain.call(&mut store, (1000, 0)).unwrap_err()),
        TrapCode::StackOverflow
    );
}

#[test]
fn tail_recursion_on_both_backends_lazily_and_without_optimizations() {
    use regwasm::{CompilationMode, Dispatch, Optimizations};
    for dispatch in [Dispatch::Loop, Dispatch::Threaded] {
        for optimizations in [Optimizations::all(), Optimizations::none()] {
            for mode in [CompilationMode::Eager, CompilationMode::LazyTranslation] {
                let mut config = small_stacks();
                config
                    .dispatch(dispatch)
                    .optimizations(optimizations)
                    .compilation_mode(mode);
                let (mut store, instance) = setup(&config, COUNT);
                let count = instance
                    .get_typed_func::<(i64, i64), i64>(&store, "count")
                    .unwrap();
                assert_eq!(
                    count.call(&mut store, (100_000, 0)).unwrap(),
                    triangle(100_000)
                );
            }
        }
    }
}

#[test]
fn mutual_tail_recursion() {
    let wat = r#"(module
      (func $even (export "even") (param i32) (result i32)
        (if (result i32) (i32.eqz (local.get 0))
          (then (i32.const 1))
          (else (return_call $odd (i32.sub (local.get 0) (i32.const 1))))))
      (func $odd (export "odd") (param i32) (result i32)
        (if (result i32) (i32.eqz (local.get 0))
          (then (i32.const 0))
          (else (return_call $even (i32.sub (local.get 0) (i32.const 1)))))))"#;
    let (mut store, instance) = setup(&small_stacks(), wat);
    let even = instance.get_typed_func::<i32, i32>(&store, "even").unwrap();
    let odd = instance.get_typed_func::<i32, i32>(&store, "odd").unwrap();
    assert_eq!(even.call(&mut store, 1_000_000).unwrap(), 1);
    assert_eq!(even.call(&mut store, 1_000_001).unwrap(), 0);
    assert_eq!(odd.call(&mut store, 777_777).unwrap(), 1);
}

#[test]
fn return_call_indirect_through_a_table() {
    // A state machine: each state tail-calls the next through the table until the step count
    // runs out; `wrong` has another type, so jumping to it traps.
    let wat = r#"(module
      (type $state (func (param i32 i32) (result i32)))
      (table funcref (elem $a $b $c $wrong))
      (func $a (type $state)
        (if (result i32) (i32.eqz (local.get 0)) (then (local.get 1))
          (else (return_call_indirect (type $state)
            (i32.sub (local.get 0) (i32.const 1)) (i32.add (local.get 1) (i32.const 1))
            (i32.const 1)))))
      (func $b (type $state)
        (if (result i32) (i32.eqz (local.get 0)) (then (local.get 1))
          (else (return_call_indirect (type $state)
            (i32.sub (local.get 0) (i32.const 1)) (i32.add (local.get 1) (i32.const 10))
            (i32.const 2)))))
      (func $c (type $state)
        (if (result i32) (i32.eqz (local.get 0)) (then (local.get 1))
          (else (return_call_indirect (type $state)
            (i32.sub (local.get 0) (i32.const 1)) (i32.add (local.get 1) (i32.const 100))
            (i32.const 0)))))
      (func $wrong (param i32) (result i32) (local.get 0))
      (func (export "run") (param i32) (result i32)
        (return_call_indirect (type $state) (local.get 0) (i32.const 0) (i32.const 0)))
      (func (export "jump") (param i32) (result i32)
        (return_call_indirect (type $state) (i32.const 5) (i32.const 0) (local.get 0))))"#;
    let (mut store, instance) = setup(&small_stacks(), wat);
    let run = instance.get_typed_func::<i32, i32>(&store, "run").unwrap();
    // 300,000 steps: 100,000 rounds of a, b, c.
    assert_eq!(run.call(&mut store, 300_000).unwrap(), 11_100_000);
    assert_eq!(run.call(&mut store, 4).unwrap(), 112);
    let jump = instance.get_typed_func::<i32, i32>(&store, "jump").unwrap();
    // c, a, b, c, a, then b with no steps left.
    assert_eq!(jump.call(&mut store, 2).unwrap(), 100 + 1 + 10 + 100 + 1);
    assert_eq!(
        trap_code(jump.call(&mut store, 3).unwrap_err()),
        TrapCode::IndirectCallTypeMismatch
    );
    assert_eq!(
        trap_code(jump.call(&mut store, 4).unwrap_err()),
        TrapCode::UndefinedElement
    );
}

#[test]
fn tail_call_to_a_host_function() {
    let wat = r#"(module
      (import "env" "add" (func $add (param i32 i32) (result i32)))
      (table funcref (elem $add))
      ;; The host's result goes straight to this function's caller.
      (func $inc (export "inc") (param i32) (result i32)
        (return_call $add (local.get 0) (i32.const 1)))
      (func $inc_indirect (param i32) (result i32)
        (return_call_indirect (param i32 i32) (result i32)
          (local.get 0) (i32.const 2) (i32.const 0)))
      ;; Called from Wasm: the result comes back to the caller's next instruction.
      (func (export "nested") (param i32) (result i32)
        (i32.mul
          (i32.add (call $inc (local.get 0)) (call $inc_indirect (local.get 0)))
          (i32.const 10))))"#;
    let engine = Engine::new(&small_stacks());
    let module = Module::new(&engine, wat).unwrap();
    let mut store = Store::new(&engine, 0u32);
    let mut linker = Linker::new(&engine);
    linker.func_wrap(
        "env",
        "add",
        |mut caller: Caller<'_, u32>, a: i32, b: i32| {
            *caller.data_mut() += 1;
            a + b
        },
    );
    let instance = linker.instantiate(&mut store, &module).unwrap();
    let inc = instance.get_typed_func::<i32, i32>(&store, "inc").unwrap();
    assert_eq!(inc.call(&mut store, 41).unwrap(), 42);
    let nested = instance
        .get_typed_func::<i32, i32>(&store, "nested")
        .unwrap();
    assert_eq!(nested.call(&mut store, 4).unwrap(), (5 + 6) * 10);
    assert_eq!(*store.data(), 3);
}

#[test]
fn callee_with_more_params_and_registers_than_the_caller() {
    // `small` has one register; `wide` takes twelve parameters and has a thousand locals, so
    // its frame is far larger than the one it replaces and the register stack must grow.
    let params = "i64 ".repeat(12);
    // (((p0 + p1) + p2) + … + p11)
    let folded = (1..12).fold("(local.get 0)".to_string(), |sum, i| {
        format!("(i64.add {sum} (local.get {i}))")
    });
    let args: String = (0..12)
        .map(|i| format!("(i64.add (local.get 0) (i64.const {i}))"))
        .collect::<Vec<_>>()
        .join(" ");
    let wat = format!(
        r#"(module
      (func $wide (param {params}) (result i64) (local f64 i32 v128) (local i64 i64)
        (local {locals})
        (local.set 13 (i32.const 7))
        (i64.add {folded} (i64.extend_i32_u (local.get 13))))
      (func (export "small") (param i64) (result i64)
        (return_call $wide {args})))"#,
        locals = "i64 ".repeat(1000),
    );
    let config = Config::default();
    let (mut store, instance) = setup(&config, &wat);
    let small = instance
        .get_typed_func::<i64, i64>(&store, "small")
        .unwrap();
    // 12 * 100 + (0 + 1 + … + 11) + 7.
    assert_eq!(small.call(&mut store, 100).unwrap(), 1200 + 66 + 7);

    // With a register stack too small for the callee's frame, the tail call overflows it.
    let mut config = Config::default();
    config.max_register_stack(512);
    let (mut store, instance) = setup(&config, &wat);
    let small = instance
        .get_typed_func::<i64, i64>(&store, "small")
        .unwrap();
    assert_eq!(
        trap_code(small.call(&mut store, 100).unwrap_err()),
        TrapCode::StackOverflow
    );
}

#[test]
fn tail_calls_across_instances_switch_the_instance() {
    // `lib`'s functions read its own memory and global; `app` reaches them by tail calls,
    // directly and through its table, and has a memory and global of its own.
    let lib = r#"(module
      (memory 1) (data (i32.const 0) "\2a")
      (global $g i32 (i32.const 1000))
      (func (export "peek") (param i32) (result i32)
        (i32.add (i32.load8_u (local.get 0)) (global.get $g))))"#;
    let app = r#"(module
      (import "lib" "peek" (func $peek (param i32) (result i32)))
      (memory 1) (data (i32.const 0) "\07")
      (table funcref (elem $peek))
      (func $direct (export "direct") (param i32) (result i32)
        (return_call $peek (local.get 0)))
      (func $indirect (export "indirect") (param i32) (result i32)
        (return_call_indirect (param i32) (result i32) (local.get 0) (i32.const 0)))
      ;; After the other instance's function returns, this one's memory is in use again.
      (func (export "both") (result i32)
        (i32.add
          (i32.add (call $direct (i32.const 0)) (call $indirect (i32.const 0)))
          (i32.load8_u (i32.const 0)))))"#;
    let engine = Engine::new(&Config::default());
    let mut store = Store::new(&engine, ());
    let mut linker = Linker::new(&engine);
    let lib = linker
        .instantiate(&mut store, &Module::new(&engine, lib).unwrap())
        .unwrap();
    linker.instance(&store, "lib", lib);
    let app = linker
        .instantiate(&mut store, &Module::new(&engine, app).unwrap())
        .unwrap();
    for name in ["direct", "indirect"] {
        let f = app.get_typed_func::<i32, i32>(&store, name).unwrap();
        assert_eq!(f.call(&mut store, 0).unwrap(), 1042, "{name}");
    }
    let both = app.get_typed_func::<(), i32>(&store, "both").unwrap();
    assert_eq!(both.call(&mut store, ()).unwrap(), 1042 * 2 + 7);
}

#[test]
fn fuel_runs_out_inside_a_tail_recursive_loop_and_the_call_resumes() {
    let mut config = small_stacks();
    config.consume_fuel(true);
    let (mut store, instance) = setup(&config, COUNT);
    let count = instance.get_func(&store, "count").unwrap();
    let n = 200_000i64;
    let mut out = [Val::I64(0)];
    store.set_fuel(10_000).unwrap();
    let mut outcome = count
        .call_resumable(&mut store, &[Val::I64(n), Val::I64(0)], &mut out)
        .unwrap();
    let mut resumptions = 0;
    while let CallOutcome::Suspended(call) = outcome {
        assert!(matches!(call.reason(), SuspendReason::OutOfFuel { .. }));
        resumptions += 1;
        store.set_fuel(10_000).unwrap();
        outcome = call.resume(&mut store, &mut out).unwrap();
    }
    assert!(resumptions >= 10, "only {resumptions} resumptions");
    assert_eq!(out[0], Val::I64(triangle(n)));

    // A plain call runs out of fuel with a trap.
    store.set_fuel(1000).unwrap();
    let typed = instance
        .get_typed_func::<(i64, i64), i64>(&store, "count")
        .unwrap();
    assert_eq!(
        trap_code(typed.call(&mut store, (n, 0)).unwrap_err()),
        TrapCode::OutOfFuel
    );
}

#[test]
fn interrupting_a_tail_recursive_loop() {
    let wat = r#"(module
      (func $spin (export "spin") (param i32) (result i32)
        (return_call $spin (i32.add (local.get 0) (i32.const 1)))))"#;
    let mut config = Config::default();
    config.interruptible(true);
    let (mut store, instance) = setup(&config, wat);
    let spin = instance.get_typed_func::<i32, i32>(&store, "spin").unwrap();
    let handle = store.interrupt_handle();
    let stopper = std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_millis(50));
        handle.interrupt();
    });
    assert_eq!(
        trap_code(spin.call(&mut store, 0).unwrap_err()),
        TrapCode::Interrupted
    );
    stopper.join().unwrap();
}

#[test]
fn switched_off_tail_calls_are_a_validation_error_naming_the_feature() {
    let mut config = Config::default();
    config.tail_call(false);
    let engine = Engine::new(&config);
    for wat in [
        "(module (func $f (return_call $f)))",
        "(module (table 1 funcref) (func (return_call_indirect (i32.const 0))))",
    ] {
        let err = Module::new(&engine, wat).unwrap_err();
        assert!(matches!(err, Error::Invalid(_)), "{err}");
        assert!(err.to_string().contains("tail-call"), "{err}");
    }
    // On by default.
    let engine = Engine::new(&Config::default());
    Module::new(&engine, "(module (func $f (return_call $f)))").unwrap();
}

/// Tail calls among functions of 1 to 5 parameters, each with two locals it checks are zero on
/// entry (it traps otherwise) and then dirties: the arguments move down to the frame's base
/// whatever the counts (the fast path moves a fixed number of cells and clears what lies past
/// the callee's parameters; five take the full path), on both backends, eagerly and lazily.
#[test]
fn tail_calls_move_their_arguments_and_clear_the_callees_locals() {
    use regwasm::{CompilationMode, Dispatch, Optimizations};
    // Each function: its locals must start at zero; then they are dirtied for the next frame.
    let locals = "(local $x i32) (local $y i32)
        (if (i32.or (local.get $x) (local.get $y)) (then unreachable))
        (local.set $x (i32.const -1)) (local.set $y (i32.const 12345))";
    let wat = format!(
        r#"(module
      (func $f1 (export "run") (param $n i32) (result i32) {locals}
        (if (result i32) (i32.eqz (local.get $n)) (then (i32.const 1))
          (else (return_call $f3 (i32.sub (local.get $n) (i32.const 1))
            (i32.mul (local.get $n) (i32.const 3)) (i32.xor (local.get $n) (i32.const 5))))))
      (func $f3 (param $n i32) (param $a i32) (param $b i32) (result i32) {locals}
        (if (result i32) (i32.eqz (local.get $n)) (then (i32.add (local.get $a) (local.get $b)))
          (else (return_call $f2 (i32.sub (local.get $n) (i32.const 1))
            (i32.add (local.get $a) (i32.mul (local.get $b) (i32.const 7)))))))
      (func $f2 (param $n i32) (param $a i32) (result i32) {locals}
        (if (result i32) (i32.eqz (local.get $n)) (then (local.get $a))
          (else (return_call $f5 (i32.sub (local.get $n) (i32.const 1)) (local.get $a)
            (i32.add (local.get $a) (i32.const 1)) (i32.add (local.get $a) (i32.const 2))
            (i32.add (local.get $a) (i32.const 3))))))
      (func $f5 (param $n i32) (param $a i32) (param $b i32) (param $c i32) (param $d i32)
        (result i32) {locals}
        (if (result i32) (i32.eqz (local.get $n))
          (then (i32.xor (i32.xor (local.get $a) (local.get $b))
            (i32.xor (local.get $c) (local.get $d))))
          (else (return_call $f4 (i32.sub (local.get $n) (i32.const 1))
            (i32.add (local.get $a) (local.get $b)) (local.get $c) (local.get $d)))))
      (func $f4 (param $n i32) (param $a i32) (param $b i32) (param $c i32) (result i32) {locals}
        (if (result i32) (i32.eqz (local.get $n))
          (then (i32.add (i32.mul (local.get $a) (local.get $b)) (local.get $c)))
          (else (return_call $f3 (i32.sub (local.get $n) (i32.const 1))
            (i32.add (i32.mul (local.get $a) (local.get $b)) (local.get $c))
            (local.get $n))))))"#
    );
    // The same state machine in Rust.
    fn model(n: i32) -> i32 {
        if n == 0 {
            return 1;
        }
        let (mut state, mut n) = ([n.wrapping_mul(3), n ^ 5, 0, 0], n - 1);
        let mut f = 3;
        loop {
            let [a, b, c, d] = state;
            match (f, n) {
                (3, 0) => return a.wrapping_add(b),
                (3, _) => (f, state) = (2, [a.wrapping_add(b.wrapping_mul(7)), 0, 0, 0]),
                (2, 0) => return a,
                (2, _) => {
                    (f, state) = (
                        5,
                        [a, a.wrapping_add(1), a.wrapping_add(2), a.wrapping_add(3)],
                    )
                }
                (5, 0) => return a ^ b ^ c ^ d,
                (5, _) => (f, state) = (4, [a.wrapping_add(b), c, d, 0]),
                (4, 0) => return a.wrapping_mul(b).wrapping_add(c),
                (4, _) => (f, state) = (3, [a.wrapping_mul(b).wrapping_add(c), n, 0, 0]),
                _ => unreachable!(),
            }
            n -= 1;
        }
    }
    for dispatch in [Dispatch::Loop, Dispatch::Threaded] {
        for optimizations in [Optimizations::all(), Optimizations::none()] {
            for mode in [CompilationMode::Eager, CompilationMode::LazyTranslation] {
                let mut config = Config::default();
                config
                    .dispatch(dispatch)
                    .optimizations(optimizations)
                    .compilation_mode(mode);
                let (mut store, instance) = setup(&config, &wat);
                let run = instance.get_typed_func::<i32, i32>(&store, "run").unwrap();
                for n in (0..12).chain([1000, 100_001]) {
                    assert_eq!(
                        run.call(&mut store, n).unwrap(),
                        model(n),
                        "run({n}) under {dispatch:?}, {mode:?}"
                    );
                }
            }
        }
    }
}
