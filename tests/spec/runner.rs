//! Executes the directives of one `.wast` file against a fresh store and linker.

use crate::spectest;
use crate::values::{arg_to_val, check_results, describe_vals};
use regwasm::{Engine, Error, Instance, Linker, Module, Store, Trap, TrapCode, Val};
use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::panic::{self, AssertUnwindSafe};
use wast::lexer::Lexer;
use wast::parser::{self, ParseBuffer};
use wast::token::Id;
use wast::{QuoteWat, Wast, WastDirective, WastExecute, WastInvoke, Wat};

/// What one file produced. See `spec.rs` for how these are counted.
#[derive(Default)]
pub struct FileReport {
    /// `assert_*` directives executed, plus commands (`module`, `register`, `invoke`, …) that failed.
    pub assertions: usize,
    pub passed: usize,
    /// Every failure in order, as `line N: <directive>: <why>`.
    pub failures: Vec<String>,
    /// Passing rejections with another message or error class than the suite names.
    pub mismatches: Vec<String>,
    /// `assert_invalid` modules that the engine rejected as malformed (with the right message).
    pub invalid_as_malformed: usize,
}

impl FileReport {
    fn fail(&mut self, line: usize, what: &str, why: &str) {
        self.assertions += 1;
        self.failures.push(format!("line {line}: {what}: {why}"));
    }
}

/// Parses `contents` and runs every directive. `on_directive(line)` is called before each one.
pub fn run_file(
    contents: &str,
    dispatch: regwasm::Dispatch,
    on_directive: &mut dyn FnMut(usize),
) -> FileReport {
    // Every translated function is also checked against the interpreter's invariants.
    run_file_with(
        regwasm::Config::default()
            .verify_bytecode(true)
            .dispatch(dispatch),
        contents,
        on_directive,
    )
}

/// As [`run_file`], with an engine built from `config`.
pub fn run_file_with(
    config: &regwasm::Config,
    contents: &str,
    on_directive: &mut dyn FnMut(usize),
) -> FileReport {
    let mut report = FileReport::default();
    let wast_error = |mut e: wast::Error| {
        e.set_text(contents);
        e.to_string()
    };
    // `names.wast` holds a U+202E that the default lexer refuses as "likely confusing".
    let mut lexer = Lexer::new(contents);
    lexer.allow_confusing_unicode(true);
    let buf = match ParseBuffer::new_with_lexer(lexer) {
        Ok(buf) => buf,
        Err(e) => {
            report.fail(1, "lex file", &wast_error(e));
            return report;
        }
    };
    let wast = match parser::parse::<Wast<'_>>(&buf) {
        Ok(wast) => wast,
        Err(e) => {
            report.fail(1, "parse file", &wast_error(e));
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
    fn new(config: &regwasm::Config) -> Result<Self, String> {
        let engine = Engine::new(config);
        let mut store = Store::new(&engine, ());
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
            WastDirective::AssertTrap { exec, message, .. } => {
                let outcome = match exec {
                    WastExecute::Invoke(invoke) => self.call(&invoke)?,
                    // `assert_trap (module ...)`: instantiation (segments, start) must trap. This
                    // is what older scripts called `assert_uninstantiable`.
                    WastExecute::Wat(mut wat) => {
                        let module = self.compile_wat(&mut wat)?;
                        self.instantiate(&module).map(|_| Vec::new())
                    }
                    WastExecute::Get { .. } => return Err("cannot trap on a global get".into()),
                };
                match outcome {
                    Ok(vals) => Err(format!(
                        "expected trap \"{message}\", got [{}]",
                        describe_vals(&vals)
                    )),
                    Err(Error::Trap(trap)) => check_trap(&trap, message),
                    Err(e) => Err(format!("expected trap \"{message}\", got error: {e}")),
                }
            }
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

/// Installs a panic hook that records the panics of [`guarded`] code (message and location)
/// instead of printing them, and hands every other panic to the previous hook.
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
