//! The two ways into a Wasm callee (docs/architecture.md, "Calls"): the fast path, for a
//! translated callee of the running instance whose locals fit `CLEAR_INLINE` and whose frame
//! fits the stacks as they are, and the whole call sequence for everything else (many locals,
//! another instance, host functions, stacks that must grow or are full). Both must give the
//! same results and the same traps, on both backends: locals start at zero however dirty the
//! cells they reuse, and the stacks' limits trap instead of overrunning.

use regwasm::{Caller, Config, Dispatch, Engine, Error, Linker, Module, Store, TrapCode};

/// `probeN(x)`: the OR of its N non-parameter locals on entry (Wasm says zero), after which it
/// fills them with `x`, so that the next frame at the same place starts on dirty cells, as
/// `dirty()` leaves 40 cells of its frame.
const CALLEE: &str = r#"
(module
  (func (export "twice") (param i32) (result i32)
    (i32.mul (local.get 0) (i32.const 2))))
"#;

fn probe(name: &str, locals: usize) -> String {
    let decl = "(local i64)".repeat(locals);
    let or_all: String = (1..=locals).fold("(i64.const 0)".to_string(), |acc, i| {
        format!("(i64.or {acc} (local.get {i}))")
    });
    let fill: String = (1..=locals)
        .map(|i| format!("(local.set {i} (i64.extend_i32_u (local.get 0)))"))
        .collect();
    format!(
        "(func ${name} (export \"{name}\") (param i32) (result i64) {decl}
           {or_all}
           {fill})"
    )
}

fn caller_wat() -> String {
    let probes: String = [("p1", 1), ("p8", 8), ("p9", 9), ("p24", 24)]
        .iter()
        .map(|&(n, k)| probe(n, k))
        .collect();
    let dirty_locals = "(local i64)".repeat(40);
    let dirty_fill: String = (0..40)
        .map(|i| format!("(local.set {i} (i64.const -1))"))
        .collect();
    format!(
        r#"(module
  (import "host" "add" (func $host_add (param i32 i32) (result i32)))
  (import "other" "twice" (func $twice (param i32) (result i32)))
  (type $probe (func (param i32) (result i64)))
  (type $unary (func (param i32) (result i32)))
  (type $binary (func (param i32 i32) (result i32)))
  (table 8 funcref)
  (elem (i32.const 0) $p1 $p8 $p9 $p24 $host_add $twice $depth)
  {probes}
  (func $dirty (export "dirty") {dirty_locals} {dirty_fill})
  ;; Calls probe `k` (0..3) directly (`indirect` = 0) or through the table, after `dirty`.
  (func (export "call_probe") (param $k i32) (param $indirect i32) (result i64)
    (call $dirty)
    (if (result i64) (local.get $indirect)
      (then (call_indirect (type $probe) (i32.const 7) (local.get $k)))
      (else
        (block $b3 (block $b2 (block $b1 (block $b0
          (br_table $b0 $b1 $b2 $b3 (local.get $k)))
          (return (call $p1 (i32.const 7))))
          (return (call $p8 (i32.const 7))))
          (return (call $p9 (i32.const 7))))
        (call $p24 (i32.const 7)))))
  ;; The host import and the other instance's function, directly and through the table.
  (func (export "imports") (param $x i32) (result i32)
    (i32.add
      (i32.add (call $host_add (local.get $x) (i32.const 1))
               (call_indirect (type $binary) (local.get $x) (i32.const 2) (i32.const 4)))
      (i32.add (call $twice (local.get $x))
               (call_indirect (type $unary) (local.get $x) (i32.const 5)))))
  ;; Recursion `n` deep, each frame with 8 locals that must read zero: returns n.
  (func $depth (export "depth") (param $n i32) (result i32)
    (local i32 i32 i32 i32 i32 i32 i32 i32)
    (if (result i32) (i32.eqz (local.get $n))
      (then (i32.const 0))
      (else
        (local.set 1 (i32.add (local.get 1) (i32.const 1)))
        (local.set 8 (i32.add (local.get 8) (i32.const 1)))
        (i32.add
          (i32.add (local.get 1) (local.get 8))
          (i32.sub (call $depth (i32.sub (local.get $n) (i32.const 1))) (i32.const 1)))))))
"#
    )
}

struct Run {
    store: Store<()>,
    instance: regwasm::Instance,
}

fn start(dispatch: Dispatch, tweak: impl FnOnce(&mut Config)) -> Run {
    let mut config = Config::default();
    config.dispatch(dispatch);
    tweak(&mut config);
    let engine = Engine::new(&config);
    let mut store = Store::new(&engine, ());
    let mut linker = Linker::<()>::new(&engine);
    linker.func_wrap("host", "add", |_: Caller<'_, ()>, a: i32, b: i32| {
        a.wrapping_add(b)
    });
    let callee = Module::new(&engine, CALLEE).unwrap();
    let other = linker.instantiate(&mut store, &callee).unwrap();
    linker.instance(&store, "other", other);
    let module = Module::new(&engine, caller_wat()).unwrap();
    let instance = linker.instantiate(&mut store, &module).unwrap();
    Run { store, instance }
}

impl Run {
    fn call<P: regwasm::WasmParams, R: regwasm::WasmResults>(
        &mut self,
        name: &str,
        params: P,
    ) -> Result<R, Error> {
        let f = (self.instance)
            .get_typed_func::<P, R>(&self.store, name)
            .unwrap();
        f.call(&mut self.store, params)
    }
}

const BACKENDS: [Dispatch; 2] = [Dispatch::Threaded, Dispatch::Loop];

fn trap_code(err: &Error) -> Option<TrapCode> {
    match err {
        Error::Trap(trap) => Some(trap.code()),
        _ => None,
    }
}

#[test]
fn locals_start_at_zero_on_every_path() {
    for dispatch in BACKENDS {
        let mut run = start(dispatch, |_| {});
        for round in 0..3 {
            for k in 0..4 {
                for indirect in 0..2 {
                    let seen: i64 = run.call("call_probe", (k, indirect)).unwrap();
                    assert_eq!(
                        seen, 0,
                        "{dispatch:?}: probe {k}, indirect {indirect}, round {round}"
                    );
                }
            }
        }
    }
}

#[test]
fn host_and_other_instance_callees() {
    for dispatch in BACKENDS {
        let mut run = start(dispatch, |_| {});
        for x in [0, 5, -3, 1 << 20] {
            let got: i32 = run.call("imports", x).unwrap();
            let want = (x + 1) + (x + 2) + 2 * x + 2 * x;
            assert_eq!(got, want, "{dispatch:?}, x = {x}");
        }
    }
}

#[test]
fn deep_recursion_grows_the_stacks() {
    for dispatch in BACKENDS {
        // The frame stack starts with room for 32 frames and the register stack with 256
        // cells: 10,000 frames grow both many times, some calls entering right at the end.
        let mut run = start(dispatch, |_| {});
        for n in [0, 1, 31, 32, 33, 200, 10_000] {
            let got: i32 = run.call("depth", n).unwrap();
            assert_eq!(got, n, "{dispatch:?}: depth {n}");
        }
    }
}

#[test]
fn the_stacks_limits_trap() {
    for dispatch in BACKENDS {
        let mut run = start(dispatch, |c| {
            c.max_call_depth(100);
        });
        // `depth(n)` pushes n caller frames (the host's call pushes none): 100 fit, exactly.
        assert_eq!(run.call::<i32, i32>("depth", 100).unwrap(), 100);
        let err = run.call::<i32, i32>("depth", 101).unwrap_err();
        assert_eq!(
            trap_code(&err),
            Some(TrapCode::StackOverflow),
            "{dispatch:?}: {err}"
        );
        // The store is still usable, at every depth up to the limit.
        for n in 95..=100 {
            assert_eq!(run.call::<i32, i32>("depth", n).unwrap(), n, "{dispatch:?}");
        }

        // A register stack too small for the recursion: every cell up to its end is used.
        for cells in [300, 301, 302, 303, 310, 1000] {
            let mut run = start(dispatch, |c| {
                c.max_register_stack(cells);
            });
            let mut deepest = 0;
            for n in 0..400 {
                match run.call::<i32, i32>("depth", n) {
                    Ok(got) => {
                        assert_eq!(got, n, "{dispatch:?}: {cells} cells, depth {n}");
                        deepest = n;
                    }
                    Err(err) => {
                        let code = trap_code(&err);
                        assert_eq!(code, Some(TrapCode::StackOverflow), "{dispatch:?}: {err}");
                        break;
                    }
                }
            }
            assert!(
                deepest > 10,
                "{dispatch:?}: {cells} cells ran only {deepest} deep"
            );
            assert!(
                deepest < 399,
                "{dispatch:?}: {cells} cells never overflowed"
            );
        }
    }
}

/// `call_indirect` reads its callee's entry from the store (`StoreInner::entries`) on its fast
/// path. It must still read the table on every call and check the signature exactly: after
/// `table.set` the new element runs, a wrong signature or a null or missing element traps
/// right after fast calls through the same site, and a function first reached through the
/// table before it was translated (lazy modes) runs the same once its entry is filled in.
#[test]
fn indirect_calls_follow_the_table() {
    const WAT: &str = r#"
(module
  (type $bin (func (param i32 i32) (result i32)))
  (type $un (func (param i32) (result i32)))
  (table 5 funcref)
  (elem (i32.const 0) $add $sub $neg)
  (elem declare func $mul)
  (func $add (type $bin) (i32.add (local.get 0) (local.get 1)))
  (func $sub (type $bin) (i32.sub (local.get 0) (local.get 1)))
  (func $neg (type $un) (i32.sub (i32.const 0) (local.get 0)))
  (func $mul (type $bin) (i32.mul (local.get 0) (local.get 1)))
  (func (export "call") (param $i i32) (param $a i32) (param $b i32) (result i32)
    (call_indirect (type $bin) (local.get $a) (local.get $b) (local.get $i)))
  (func (export "set_mul") (param $i i32)
    (table.set (local.get $i) (ref.func $mul))))
"#;
    use regwasm::CompilationMode;
    let modes = [
        CompilationMode::Eager,
        CompilationMode::LazyTranslation,
        CompilationMode::Lazy,
    ];
    for dispatch in BACKENDS {
        for mode in modes {
            let mut config = Config::default();
            config.dispatch(dispatch).compilation_mode(mode);
            let engine = Engine::new(&config);
            let mut store = Store::new(&engine, ());
            let module = Module::new(&engine, WAT).unwrap();
            let instance = Linker::<()>::new(&engine)
                .instantiate(&mut store, &module)
                .unwrap();
            let call = instance
                .get_typed_func::<(i32, i32, i32), i32>(&store, "call")
                .unwrap();
            let set_mul = instance
                .get_typed_func::<i32, ()>(&store, "set_mul")
                .unwrap();
            let what = format!("{dispatch:?}, {mode:?}");
            for round in 0..3 {
                assert_eq!(call.call(&mut store, (0, 7, 3)).unwrap(), 10, "{what}");
                assert_eq!(call.call(&mut store, (1, 7, 3)).unwrap(), 4, "{what}");
                let trap =
                    |store: &mut Store<()>, i| trap_code(&call.call(store, (i, 7, 3)).unwrap_err());
                let mismatch = Some(TrapCode::IndirectCallTypeMismatch);
                assert_eq!(trap(&mut store, 2), mismatch, "{what}, round {round}");
                let null = Some(TrapCode::UninitializedElement);
                assert_eq!(trap(&mut store, 3), null, "{what}, round {round}");
                let outside = Some(TrapCode::UndefinedElement);
                assert_eq!(trap(&mut store, 5), outside, "{what}, round {round}");
                assert_eq!(trap(&mut store, -1), outside, "{what}, round {round}");
            }
            set_mul.call(&mut store, 1).unwrap();
            assert_eq!(call.call(&mut store, (1, 7, 3)).unwrap(), 21, "{what}");
            set_mul.call(&mut store, 3).unwrap();
            assert_eq!(call.call(&mut store, (3, 6, 3)).unwrap(), 18, "{what}");
            assert_eq!(call.call(&mut store, (0, 7, 3)).unwrap(), 10, "{what}");
        }
    }
}
