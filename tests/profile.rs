//! The execution profile (`--features profile`): counts by instruction and by function.
#![cfg(feature = "profile")]

use regwasm::{Engine, Instance, Linker, Module, Store, Val};

const N: i32 = 1000;

/// Counts `i` up to `n`: the loop body runs exactly `n` times.
const COUNT: &str = r#"(module (func (export "count") (param $n i32) (result i32) (local $i i32)
    (loop $next
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $next (i32.lt_u (local.get $i) (local.get $n))))
    (local.get $i)))"#;

fn setup(wat: &str) -> (Module, Store<()>, Instance) {
    let engine = Engine::default();
    let module = Module::new(&engine, wat).unwrap();
    let mut store = Store::new(&engine, ());
    let instance = Linker::new(&engine)
        .instantiate(&mut store, &module)
        .unwrap();
    (module, store, instance)
}

/// Function `index`'s instructions as `(mnemonic, jump targets)`, read from its disassembly:
/// an instruction's line starts with its position, then its mnemonic and `name=value`
/// operands, a jump target written as `@position`.
fn instructions(module: &Module, index: u32) -> Vec<(String, Vec<usize>)> {
    let text = module.disassemble_func(index).expect("a defined function");
    (text.lines())
        .filter_map(|line| {
            let mut words = line.split_whitespace();
            words.next()?.parse::<usize>().ok()?;
            let mnemonic = words.next()?.to_string();
            let targets = words.filter_map(|w| w.split_once("=@")?.1.parse().ok());
            Some((mnemonic, targets.collect()))
        })
        .collect()
}

#[test]
fn a_loop_of_n_iterations_runs_its_body_n_times() {
    let (module, mut store, instance) = setup(COUNT);
    let count = instance.get_func(&store, "count").unwrap();
    let mut out = [Val::I32(0)];
    count.call(&mut store, &[Val::I32(N)], &mut out).unwrap();
    assert_eq!(out[0], Val::I32(N));

    // The loop is the range from the backward branch's target to the branch (here the whole
    // loop is one `add_imm_br_if`, jumping to itself).
    let code = instructions(&module, 0);
    let (start, end) = (code.iter().enumerate())
        .find_map(|(at, (_, targets))| Some((*targets.iter().find(|&&t| t <= at)?, at)))
        .expect("a backward branch");
    let body = &code[start..=end];
    let profile = store.profile().expect("built with the profile feature");
    for (mnemonic, _) in body {
        let others = body.iter().filter(|(m, _)| m == mnemonic);
        assert_eq!(others.count(), 1, "distinct mnemonics in the loop");
        assert_eq!(profile.count(mnemonic), N as u64, "{mnemonic}");
    }
    // Everything else is straight-line code, run once.
    let total = N as u64 * body.len() as u64 + (code.len() - body.len()) as u64;
    assert_eq!(profile.total(), total);
    let by_func = profile.by_function();
    assert_eq!(by_func.len(), 1);
    assert_eq!(by_func[0].0, count);
    assert_eq!((by_func[0].1.instrs, by_func[0].1.calls), (total, 1));
    let sum: u64 = profile.by_mnemonic().iter().map(|(_, n)| n).sum();
    assert_eq!(sum, total);
}

#[test]
fn calls_and_instructions_are_charged_to_each_function() {
    let wat = r#"(module
      (func $fib (export "fib") (param $n i32) (result i32)
        (if (result i32) (i32.lt_u (local.get $n) (i32.const 2))
          (then (local.get $n))
          (else (i32.add (call $fib (i32.sub (local.get $n) (i32.const 1)))
                         (call $fib (i32.sub (local.get $n) (i32.const 2)))))))
      (func (export "main") (result i32) (call $fib (i32.const 10))))"#;
    let (_, mut store, instance) = setup(wat);
    let main = instance.get_func(&store, "main").unwrap();
    let fib = instance.get_func(&store, "fib").unwrap();
    let mut out = [Val::I32(0)];
    main.call(&mut store, &[], &mut out).unwrap();
    assert_eq!(out[0], Val::I32(55));
    let profile = store.profile().unwrap();
    // fib(10) makes 177 calls in all; `main` runs const32, call, return once.
    assert_eq!(profile.function(fib).calls, 177);
    assert_eq!(profile.function(main).calls, 1);
    assert_eq!(profile.function(main).instrs, 3);
    assert_eq!(profile.count("call"), 177);
    let charged: u64 = profile.by_function().iter().map(|(_, f)| f.instrs).sum();
    assert_eq!(charged, profile.total());
    store.clear_profile();
    assert_eq!(store.profile().unwrap().total(), 0);
}
