//! Trap backtraces (`Trap::backtrace`): the frames' function indices and names, and byte
//! offsets that point at the trapping instruction and at each caller's call, under both
//! dispatch backends, eager and lazy translation, with fuel metering, and for traps raised by
//! host functions, by running out of fuel and by running out of stack.
//!
//! The expected offsets come from decoding the binary with wasmparser, independently of
//! regwasm's decoder and translator.

use regwasm::{
    Caller, CompilationMode, Config, Dispatch, Engine, Error, FrameInfo, Linker, Module,
    Optimizations, Store, Trap, TrapCode,
};
use wasmparser::{Operator, Parser, Payload};

/// Three traps, each three calls deep: `$main_*` → `$middle_*` → the trapping leaf.
const NAMED: &str = r#"(module $calc
    (import "host" "fail" (func $fail))
    (memory 1)
    (func $divide (param i32 i32) (result i32)
        local.get 0
        local.get 1
        i32.div_s)
    (func $middle_div (param i32) (result i32)
        i32.const 100
        local.get 0
        call $divide
        i32.const 1
        i32.add)
    (func $main_div (export "div") (param i32) (result i32)
        local.get 0
        call $middle_div)
    (func $boom
        nop
        unreachable)
    (func $middle_boom
        call $boom)
    (func $main_boom (export "boom")
        call $middle_boom)
    (func $peek (param i32) (result i32)
        local.get 0
        i32.const 4
        i32.add
        i32.load offset=8)
    (func $middle_peek (param i32) (result i32)
        local.get 0
        call $peek)
    (func $main_peek (export "peek") (param i32) (result i32)
        local.get 0
        call $middle_peek)
    (func $calls_host (export "host")
        call $fail)
    (func $spin (export "spin")
        (loop $l (br $l)))
    (func $rec (export "rec") (param i32) (result i32)
        local.get 0
        i32.const 1
        i32.add
        call $rec))"#;

/// The division chain without any names: no `name` section at all.
const UNNAMED: &str = r#"(module
    (func (param i32 i32) (result i32)
        local.get 0
        local.get 1
        i32.div_u)
    (func (param i32) (result i32)
        i32.const 7
        local.get 0
        call 0)
    (func (export "div") (param i32) (result i32)
        local.get 0
        call 1))"#;

/// The configurations every case runs under.
fn configs() -> Vec<(String, Config)> {
    let mut out = Vec::new();
    for dispatch in [Dispatch::Loop, Dispatch::Threaded] {
        for mode in [CompilationMode::Eager, CompilationMode::LazyTranslation] {
            let mut config = Config::default();
            config.dispatch(dispatch).compilation_mode(mode);
            out.push((format!("{dispatch:?}, {mode:?}"), config));
        }
    }
    let mut config = Config::default();
    config.consume_fuel(true);
    out.push(("fuel metering".into(), config));
    let mut config = Config::default();
    config.optimizations(Optimizations::none());
    out.push(("no optimizations".into(), config));
    out
}

/// `(function index, byte offset)` of every instruction of every defined function.
fn instructions(wasm: &[u8]) -> Vec<(u32, usize, String)> {
    let mut out = Vec::new();
    let mut func = 0;
    for payload in Parser::new(0).parse_all(wasm) {
        match payload.unwrap() {
            Payload::ImportSection(imports) => {
                func += imports.into_imports().count() as u32;
            }
            Payload::CodeSectionEntry(body) => {
                let mut ops = body.get_operators_reader().unwrap();
                while !ops.eof() {
                    let (op, offset) = ops.read_with_offset().unwrap();
                    out.push((func, offset as usize, op_text(&op)));
                }
                func += 1;
            }
            _ => {}
        }
    }
    out
}

/// An instruction as the tests name it: `call N` with its callee, else the operator's name.
fn op_text(op: &Operator<'_>) -> String {
    match op {
        Operator::Call { function_index } => format!("call {function_index}"),
        other => format!("{other:?}")
            .split([' ', '{'])
            .next()
            .unwrap()
            .to_string(),
    }
}

/// The byte offset of the only instruction `text` in function `func`.
fn offset_of(wasm: &[u8], func: u32, text: &str) -> usize {
    let found: Vec<_> = (instructions(wasm).into_iter())
        .filter(|(f, _, t)| *f == func && t == text)
        .collect();
    assert_eq!(found.len(), 1, "{text} in function {func}: {found:?}");
    found[0].1
}

struct Setup {
    wasm: Vec<u8>,
    store: Store<()>,
    instance: regwasm::Instance,
}

fn setup(config: &Config, wat: &str) -> Setup {
    let wasm = wat::parse_str(wat).unwrap();
    let engine = Engine::new(config);
    let module = Module::new(&engine, &wasm).unwrap();
    let mut store = Store::new(&engine, ());
    // Only under fuel metering; elsewhere this is an error to ignore.
    let _ = store.set_fuel(1_000_000);
    let mut linker = Linker::new(&engine);
    linker.func_wrap("host", "fail", |_: Caller<'_, ()>| -> Result<(), Trap> {
        Err(Trap::host("the host says no"))
    });
    let instance = linker.instantiate(&mut store, &module).unwrap();
    Setup {
        wasm,
        store,
        instance,
    }
}

fn trap_of<T: std::fmt::Debug>(result: Result<T, Error>) -> Trap {
    match result {
        Err(Error::Trap(trap)) => trap,
        other => panic!("expected a trap, got {other:?}"),
    }
}

/// `(name, offset)` of each frame.
fn frames(trap: &Trap) -> Vec<(Option<&str>, Option<usize>)> {
    let bt = trap.backtrace().expect("a backtrace");
    (bt.frames().iter())
        .map(|f| (f.func_name.as_deref(), f.module_offset))
        .collect()
}

#[test]
fn division_by_zero_three_deep() {
    for (what, config) in configs() {
        let mut s = setup(&config, NAMED);
        let div = s
            .instance
            .get_typed_func::<i32, i32>(&s.store, "div")
            .unwrap();
        assert_eq!(div.call(&mut s.store, 5).unwrap(), 21, "{what}");
        let trap = trap_of(div.call(&mut s.store, 0));
        assert_eq!(trap.code(), TrapCode::IntegerDivisionByZero, "{what}");
        // Imports first: $fail is 0, $divide 1, $middle_div 2, $main_div 3.
        let expected = [
            (Some("divide"), Some(offset_of(&s.wasm, 1, "I32DivS"))),
            (Some("middle_div"), Some(offset_of(&s.wasm, 2, "call 1"))),
            (Some("main_div"), Some(offset_of(&s.wasm, 3, "call 2"))),
        ];
        assert_eq!(frames(&trap), expected, "{what}");
        let indices: Vec<_> = (trap.backtrace().unwrap().frames().iter())
            .map(|f| (f.func_index, f.module_name.as_deref()))
            .collect();
        assert_eq!(
            indices,
            [(1, Some("calc")), (2, Some("calc")), (3, Some("calc"))]
        );
    }
}

#[test]
fn unreachable_three_deep() {
    for (what, config) in configs() {
        let mut s = setup(&config, NAMED);
        let boom = s
            .instance
            .get_typed_func::<(), ()>(&s.store, "boom")
            .unwrap();
        let trap = trap_of(boom.call(&mut s.store, ()));
        assert_eq!(trap.code(), TrapCode::Unreachable, "{what}");
        let expected = [
            (Some("boom"), Some(offset_of(&s.wasm, 4, "Unreachable"))),
            (Some("middle_boom"), Some(offset_of(&s.wasm, 5, "call 4"))),
            (Some("main_boom"), Some(offset_of(&s.wasm, 6, "call 5"))),
        ];
        assert_eq!(frames(&trap), expected, "{what}");
    }
}

#[test]
fn out_of_bounds_load_three_deep() {
    for (what, config) in configs() {
        let mut s = setup(&config, NAMED);
        let peek = s
            .instance
            .get_typed_func::<i32, i32>(&s.store, "peek")
            .unwrap();
        assert_eq!(peek.call(&mut s.store, 0).unwrap(), 0, "{what}");
        let trap = trap_of(peek.call(&mut s.store, 65_530));
        assert_eq!(trap.code(), TrapCode::MemoryOutOfBounds, "{what}");
        // The load, even where the translator fused the `i32.add` before it into it.
        let expected = [
            (Some("peek"), Some(offset_of(&s.wasm, 7, "I32Load"))),
            (Some("middle_peek"), Some(offset_of(&s.wasm, 8, "call 7"))),
            (Some("main_peek"), Some(offset_of(&s.wasm, 9, "call 8"))),
        ];
        assert_eq!(frames(&trap), expected, "{what}");
    }
}

#[test]
fn a_module_without_names() {
    for (what, config) in configs() {
        let mut s = setup(&config, UNNAMED);
        let div = s
            .instance
            .get_typed_func::<i32, i32>(&s.store, "div")
            .unwrap();
        let trap = trap_of(div.call(&mut s.store, 0));
        let expected = [
            (None, Some(offset_of(&s.wasm, 0, "I32DivU"))),
            (None, Some(offset_of(&s.wasm, 1, "call 0"))),
            (None, Some(offset_of(&s.wasm, 2, "call 1"))),
        ];
        assert_eq!(frames(&trap), expected, "{what}");
        let bt = trap.backtrace().unwrap();
        assert!(bt.frames().iter().all(|f| f.module_name.is_none()));
        let text = bt.to_string();
        let lines: Vec<_> = text.lines().collect();
        assert_eq!(lines[0], "error while executing at wasm backtrace:");
        let top = format!(
            "    0: {:>#7x} - <unknown>!<wasm function 0>",
            expected[0].1.unwrap()
        );
        assert_eq!(lines[1], top, "{what}");
        assert!(
            lines[3].ends_with(" - <unknown>!<wasm function 2>"),
            "{text}"
        );
    }
}

#[test]
fn display_names_the_module_and_functions() {
    let mut s = setup(&Config::default(), NAMED);
    let div = s
        .instance
        .get_typed_func::<i32, i32>(&s.store, "div")
        .unwrap();
    let trap = trap_of(div.call(&mut s.store, 0));
    let text = trap.backtrace().unwrap().to_string();
    let expected = format!(
        "error while executing at wasm backtrace:\n\
         {:>5}: {:>#7x} - calc!divide\n\
         {:>5}: {:>#7x} - calc!middle_div\n\
         {:>5}: {:>#7x} - calc!main_div",
        0,
        offset_of(&s.wasm, 1, "I32DivS"),
        1,
        offset_of(&s.wasm, 2, "call 1"),
        2,
        offset_of(&s.wasm, 3, "call 2"),
    );
    assert_eq!(text, expected);
    // The trap's own message is unchanged: the backtrace is printed on its own.
    assert_eq!(trap.to_string(), "integer divide by zero");
}

#[test]
fn a_host_error_gets_the_wasm_frames_below_it() {
    for (what, config) in configs() {
        let mut s = setup(&config, NAMED);
        let host = s
            .instance
            .get_typed_func::<(), ()>(&s.store, "host")
            .unwrap();
        let trap = trap_of(host.call(&mut s.store, ()));
        assert_eq!(trap.code(), TrapCode::HostError, "{what}");
        // Host functions are not frames: the backtrace starts at the call that reached it.
        let expected = [(Some("calls_host"), Some(offset_of(&s.wasm, 10, "call 0")))];
        assert_eq!(frames(&trap), expected, "{what}");
    }
}

#[test]
fn running_out_of_fuel_and_of_stack() {
    let mut config = Config::default();
    config.consume_fuel(true).max_call_depth(50);
    let mut s = setup(&config, NAMED);
    s.store.set_fuel(10_000).unwrap();
    let spin = s
        .instance
        .get_typed_func::<(), ()>(&s.store, "spin")
        .unwrap();
    let trap = trap_of(spin.call(&mut s.store, ()));
    assert_eq!(trap.code(), TrapCode::OutOfFuel);
    let names: Vec<_> = frames(&trap).iter().map(|f| f.0).collect();
    assert_eq!(names, [Some("spin")]);
    let spin_body = instructions(&s.wasm);
    let offset = frames(&trap)[0].1.unwrap();
    assert!(
        spin_body.iter().any(|(f, o, _)| *f == 11 && *o == offset),
        "{offset:#x} is no instruction of $spin"
    );

    s.store.set_fuel(1_000_000).unwrap();
    let rec = s
        .instance
        .get_typed_func::<i32, i32>(&s.store, "rec")
        .unwrap();
    let trap = trap_of(rec.call(&mut s.store, 0));
    assert_eq!(trap.code(), TrapCode::StackOverflow);
    let call = offset_of(&s.wasm, 12, "call 12");
    let frames = frames(&trap);
    // The 50 suspended callers and the call that found no room: all at the same call.
    assert_eq!(frames.len(), 51);
    assert!(frames.iter().all(|&f| f == (Some("rec"), Some(call))));
}

#[test]
fn traps_outside_wasm_have_no_backtrace() {
    let engine = Engine::default();
    let mut store = Store::new(&engine, ());
    let host = regwasm::Func::wrap(&mut store, |_: Caller<'_, ()>| -> Result<(), Trap> {
        Err(Trap::new(TrapCode::Unreachable))
    });
    let trap = trap_of(host.call(&mut store, &[], &mut []));
    assert!(trap.backtrace().is_none());
}

#[test]
fn malformed_name_sections_are_ignored() {
    let wasm = wat::parse_str(UNNAMED).unwrap();
    // A `name` section whose function-name subsection runs past its end, and one that is
    // only garbage: the module stays valid and its functions stay unnamed.
    for contents in [&b"\x01\x05\x01\x00\x09abc"[..], b"\xff\xff\xff\xff"] {
        let mut bytes = wasm.clone();
        let name = b"\x04name";
        bytes.push(0);
        bytes.push((name.len() + contents.len()) as u8);
        bytes.extend_from_slice(name);
        bytes.extend_from_slice(contents);
        let engine = Engine::default();
        let module = Module::new(&engine, &bytes).unwrap();
        let mut store = Store::new(&engine, ());
        let instance = Linker::new(&engine)
            .instantiate(&mut store, &module)
            .unwrap();
        let div = instance.get_typed_func::<i32, i32>(&store, "div").unwrap();
        let trap = trap_of(div.call(&mut store, 0));
        let bt = trap.backtrace().unwrap();
        assert!(bt
            .frames()
            .iter()
            .all(|f: &FrameInfo| f.func_name.is_none()));
        assert_eq!(bt.frames().len(), 3);
    }
}
