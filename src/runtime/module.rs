//! A compiled module: decoded, validated and translated, ready to instantiate any number of times.

use super::{CompilationMode, Config, Engine};
use crate::binary::{self, ExternKind, ImportDesc, ModuleInfo};
use crate::bytecode::{CompiledFunc, Op};
use crate::error::{Error, Result};
use crate::{translate, validate};
use std::collections::HashMap;
use std::sync::{Arc, OnceLock, RwLock};
use std::time::{Duration, Instant};

/// A validated and translated WebAssembly module. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Module {
    pub(crate) inner: Arc<ModuleInner>,
}

#[derive(Debug)]
pub(crate) struct ModuleInner {
    pub(crate) info: ModuleInfo,
    /// Translated bodies of the defined functions, in index order; under
    /// `CompilationMode::LazyTranslation` and `Lazy` each is filled on its first call.
    /// Shared so that instances can keep a direct reference for their calls.
    pub(crate) funcs: Vec<OnceLock<Arc<CompiledFunc>>>,
    /// Time each function took in `Module::new`: to validate and translate (eager), to
    /// validate (lazy translation), or nothing (lazy).
    pub(crate) translation_times: Vec<Duration>,
    /// The configuration the module was compiled with, for translating lazily.
    pub(crate) config: Config,
    /// Export name to its position in `info.exports`, built once so that instantiation does
    /// not build a map per instance.
    pub(crate) export_index: HashMap<String, usize>,
    /// The stored bytecode of a precompiled module loaded lazily, read on each function's
    /// first call instead of translating it.
    pub(crate) stored: Option<super::precompiled::StoredCode>,
    /// What validating a body needs from the module, kept when bodies are validated on their
    /// first call (`CompilationMode::Lazy`); `None` when every body was validated up front.
    pub(crate) body_validation: Option<validate::ModuleContext>,
    /// Which translated function with exception handlers holds an instruction.
    pub(crate) code_index: CodeIndex,
    /// Whether some function may store to a memory through the interpreter's base pointer:
    /// instantiation then marks the instance's memories as written (`mark_guest_writable`).
    /// `true` when unknown (a function not translated yet).
    pub(crate) stores_to_memory: bool,
    /// The module's types as a store without types interns them (`StoreInner::
    /// intern_module_types`), computed on the first instantiation into such a store.
    pub(crate) fresh_types: OnceLock<Option<super::store::FreshTypes>>,
}

/// Whether any of `funcs` has a store instruction, or has no code yet (so may have one).
pub(crate) fn stores_to_memory(funcs: &[OnceLock<Arc<CompiledFunc>>]) -> bool {
    funcs.iter().any(|f| match f.get() {
        Some(code) => code.code.iter().any(|op| op.instr().writes_memory()),
        None => true,
    })
}

/// Finds the function whose code holds an instruction, among the translated functions that
/// have exception handlers (the only ones a throw needs to find): their code ranges sorted by
/// start, searched by bisection, so unwinding through a frame costs the same in a module of
/// three functions as in one of thousands. The functions translated when the module was made
/// are in `fixed`, read without a lock; a function translated later (lazily) goes to `later`
/// under its write lock, together with publishing its code (see [`Module::code`]), so a
/// thread that runs the function finds it there.
#[derive(Debug, Default)]
pub(crate) struct CodeIndex {
    /// `(start, end, defined function index)`, by `start`; no two ranges overlap.
    fixed: Box<[(usize, usize, u32)]>,
    /// Whether every function was translated up front, so `later` stays empty.
    complete: bool,
    later: RwLock<Vec<(usize, usize, u32)>>,
}

impl CodeIndex {
    /// The index of the functions already translated.
    pub(crate) fn of(funcs: &[OnceLock<Arc<CompiledFunc>>]) -> Self {
        let mut fixed: Vec<_> = (funcs.iter().enumerate())
            .filter_map(|(i, f)| Some((f.get()?, i as u32)))
            .filter_map(|(code, i)| Self::range(code, i))
            .collect();
        fixed.sort_unstable();
        CodeIndex {
            fixed: fixed.into(),
            complete: funcs.iter().all(|f| f.get().is_some()),
            later: RwLock::default(),
        }
    }

    /// The entry of defined function `index`, whose code is `code`, if it has handlers.
    fn range(code: &CompiledFunc, index: u32) -> Option<(usize, usize, u32)> {
        let r = code.code.as_ptr_range();
        (!code.handlers.is_empty()).then_some((r.start as usize, r.end as usize, index))
    }

    /// The defined function with handlers whose code holds `ip`.
    #[inline]
    pub(crate) fn find(&self, ip: *const Op) -> Option<u32> {
        let ip = ip as usize;
        let within = |ranges: &[(usize, usize, u32)]| {
            // The last range starting at or before `ip`.
            let at = ranges.partition_point(|r| r.0 <= ip).checked_sub(1)?;
            let (_, end, index) = ranges[at];
            (ip < end).then_some(index)
        };
        match within(&self.fixed) {
            Some(index) => Some(index),
            None if self.complete => None,
            None => within(&self.later.read().unwrap_or_else(|e| e.into_inner())),
        }
    }
}

impl Module {
    /// Decodes, validates and translates a module from its binary form, or from WebAssembly text
    /// when the `wat` feature is enabled (the default).
    pub fn new(engine: &Engine, bytes: impl AsRef<[u8]>) -> Result<Module> {
        let bytes = bytes.as_ref();
        #[cfg(feature = "wat")]
        if !bytes.starts_with(b"\0") && std::str::from_utf8(bytes).is_ok() {
            let wasm = wat::parse_bytes(bytes).map_err(|e| Error::Wat(e.to_string()))?;
            return Self::from_binary(engine, &wasm);
        }
        Self::from_binary(engine, bytes)
    }

    /// Decodes, validates and translates a module from its binary form.
    pub fn from_binary(engine: &Engine, bytes: &[u8]) -> Result<Module> {
        let config = engine.config();
        let info = binary::decode(bytes)?;
        let ctx = validate::validate_module_with(&info, config.features)?;
        let count = info.bodies.len();
        let mut funcs = Vec::with_capacity(count);
        let mut translation_times = Vec::with_capacity(count);
        let mut body_validation = None;
        if config.compilation_mode == CompilationMode::Lazy {
            // Nothing per function: each body is validated and translated on its first call.
            funcs.resize_with(count, OnceLock::new);
            translation_times.resize(count, Duration::ZERO);
            body_validation = Some(ctx);
        } else {
            for i in 0..count {
                let start = Instant::now();
                // Either way every body is validated now, so errors stay the spec's, up front.
                let func = if config.compilation_mode == CompilationMode::Eager {
                    let code = translate::compile_function(&info, Some(&ctx), i, config)?;
                    OnceLock::from(Arc::new(code))
                } else {
                    translate::validate_function(&info, &ctx, i)?;
                    OnceLock::new()
                };
                translation_times.push(start.elapsed());
                funcs.push(func);
            }
        }
        let export_index = (info.exports.iter().enumerate())
            .map(|(i, e)| (e.name.clone(), i))
            .collect();
        Ok(Module {
            inner: Arc::new(ModuleInner {
                stores_to_memory: stores_to_memory(&funcs),
                fresh_types: OnceLock::new(),
                export_index,
                info,
                code_index: CodeIndex::of(&funcs),
                funcs,
                translation_times,
                config: config.clone(),
                stored: None,
                body_validation,
            }),
        })
    }

    /// The decoded module (types, imports, exports, segments).
    pub(crate) fn info(&self) -> &ModuleInfo {
        &self.inner.info
    }

    /// The translated register bytecode of defined function `index` (imports not counted),
    /// translating it now if the module was compiled lazily.
    #[cfg(all(test, feature = "wat"))]
    pub(crate) fn compiled_func(&self, index: usize) -> Option<&CompiledFunc> {
        self.code(index).ok().map(|code| &**code)
    }

    /// Defined function `index`'s bytecode, translated (and under `CompilationMode::Lazy`
    /// validated) on first use in the lazy modes.
    /// Inlined into the interpreter's call path: a translated function costs one load.
    #[inline(always)]
    pub(crate) fn code(&self, index: usize) -> Result<&Arc<CompiledFunc>> {
        match self.inner.funcs.get(index).and_then(OnceLock::get) {
            Some(code) => Ok(code),
            None => self.translate_now(index),
        }
    }

    /// Defined function `index`'s bytecode if it is already translated.
    pub(crate) fn translated(&self, index: usize) -> Option<&Arc<CompiledFunc>> {
        self.inner.funcs.get(index).and_then(OnceLock::get)
    }

    /// The slow path of [`Module::code`]: translates function `index` (or reports that there
    /// is no such function). Under `CompilationMode::Lazy` the body is validated in the same
    /// pass; an invalid one is that validation's error, on this call and on every later one
    /// (nothing is stored, so each call validates again and fails the same way).
    #[cold]
    #[inline(never)]
    fn translate_now(&self, index: usize) -> Result<&Arc<CompiledFunc>> {
        let cell = self
            .inner
            .funcs
            .get(index)
            .ok_or_else(|| Error::Api(format!("no defined function {index}")))?;
        if let Some(code) = cell.get() {
            return Ok(code);
        }
        let (info, config) = (&self.inner.info, &self.inner.config);
        let code = match &self.inner.stored {
            Some(stored) if stored.has(index) => {
                super::precompiled::load_stored(stored, info, index, config)?
            }
            _ => {
                let ctx = self.inner.body_validation.as_ref();
                translate::compile_function(info, ctx, index, config)
                    .map_err(|e| lazy_failure(e, info.num_imported_funcs + index as u32))?
            }
        };
        // Another thread may have won the race; either translation is the same. Publishing
        // the code and indexing it happen under one lock, so whoever can run it can find it.
        let mut ranges = (self.inner.code_index.later.write()).unwrap_or_else(|e| e.into_inner());
        if cell.set(Arc::new(code)).is_ok() {
            if let Some(entry) = cell.get().and_then(|c| CodeIndex::range(c, index as u32)) {
                let at = ranges.partition_point(|r| *r < entry);
                ranges.insert(at, entry);
            }
        }
        drop(ranges);
        cell.get()
            .ok_or_else(|| Error::Api("translation was not stored".into()))
    }

    /// `(module, name, kind)` of every import, in order.
    pub fn imports(&self) -> impl Iterator<Item = (&str, &str, ExternKind)> {
        self.inner.info.imports.iter().map(|i| {
            let kind = match i.desc {
                ImportDesc::Func(_) => ExternKind::Func,
                ImportDesc::Table(_) => ExternKind::Table,
                ImportDesc::Memory(_) => ExternKind::Memory,
                ImportDesc::Global(_) => ExternKind::Global,
                ImportDesc::Tag(_) => ExternKind::Tag,
            };
            (i.module.as_str(), i.name.as_str(), kind)
        })
    }

    /// The type of every memory, imported ones first (their index order).
    ///
    /// ```
    /// use regwasm::{Engine, Module};
    /// let module = Module::new(&Engine::default(), "(module (memory 1) (memory i64 2 3))").unwrap();
    /// let types = module.memory_types();
    /// assert_eq!(types[1].to_string(), "i64 2 3");
    /// assert!(types[1].is_64 && !types[0].is_64);
    /// ```
    pub fn memory_types(&self) -> Vec<crate::MemoryType> {
        self.inner.info.memories.clone()
    }

    /// `(name, kind)` of every export, in order.
    pub fn exports(&self) -> impl Iterator<Item = (&str, ExternKind)> {
        self.inner
            .info
            .exports
            .iter()
            .map(|e| (e.name.as_str(), e.kind))
    }

    /// The index of the function exported as `name`, in the function index space (imports
    /// first, as [`Module::disassemble_func`] and [`FuncStats::index`](crate::FuncStats::index)
    /// number functions); `None` if no function is exported under that name.
    ///
    /// ```
    /// use regwasm::{Engine, Module};
    /// let module = Module::new(&Engine::default(), r#"(module
    ///     (import "host" "log" (func (param i32)))
    ///     (memory (export "mem") 1)
    ///     (func (export "run")))"#).unwrap();
    /// assert_eq!(module.exported_func_index("run"), Some(1));
    /// assert_eq!(module.exported_func_index("mem"), None);
    /// assert_eq!(module.func_export_name(1), Some("run"));
    /// assert_eq!(module.func_export_name(0), None);
    /// ```
    pub fn exported_func_index(&self, name: &str) -> Option<u32> {
        let export = &self.inner.info.exports[*self.inner.export_index.get(name)?];
        (export.kind == ExternKind::Func).then_some(export.index)
    }

    /// The first name function `index` (in the function index space, imports first) is
    /// exported under, if it is exported: the name the CLI and
    /// [`FuncStats::name`](crate::FuncStats::name) show for it. See
    /// [`Module::exported_func_index`] for the other direction.
    pub fn func_export_name(&self, index: u32) -> Option<&str> {
        self.export_names(index).next()
    }
}

/// The error of a function body that failed on its first call, naming the function
/// `func_index` where the error does not already: a body whose instructions do not decode
/// (checked only then under `CompilationMode::Lazy`) is otherwise known only by its offset.
fn lazy_failure(e: Error, func_index: u32) -> Error {
    match e {
        Error::Malformed(mut e) => {
            e.message = format!("{} in function {func_index}", e.message);
            Error::Malformed(e)
        }
        e => e,
    }
}

#[cfg(all(test, feature = "wat"))]
mod tests {
    use crate::{CompilationMode, Config, Engine, Linker, Module, Store};

    /// In both lazy modes nothing is translated before a function's first call, and a call
    /// translates what it runs (tests/lazy.rs and tests/lazy_validation.rs check the results
    /// against the spec suite).
    #[test]
    fn lazy_translation_happens_on_the_first_call() {
        for mode in [CompilationMode::LazyTranslation, CompilationMode::Lazy] {
            lazy_translation_in(mode);
        }
    }

    fn lazy_translation_in(mode: CompilationMode) {
        let mut config = Config::default();
        config.compilation_mode(mode);
        let engine = Engine::new(&config);
        let module = Module::new(
            &engine,
            r#"(module (func (export "f") (result i32) i32.const 7)
                       (func (export "g") (result i32) call 0)
                       (func (export "h")))"#,
        )
        .unwrap();
        assert_eq!(translated(&module, 3), [false; 3]);
        let mut store = Store::new(&engine, ());
        let instance = Linker::new(&engine)
            .instantiate(&mut store, &module)
            .unwrap();
        assert_eq!(translated(&module, 3), [false; 3]);
        let g = instance.get_typed_func::<(), i32>(&store, "g").unwrap();
        assert_eq!(g.call(&mut store, ()).unwrap(), 7);
        assert_eq!(translated(&module, 3), [true, true, false]);

        let eager = Module::new(&Engine::default(), "(module (func) (func))").unwrap();
        assert_eq!(translated(&eager, 2), [true; 2]);
    }

    /// Whether each of the first `n` defined functions is translated.
    fn translated(module: &Module, n: usize) -> Vec<bool> {
        (0..n).map(|i| module.translated(i).is_some()).collect()
    }
}
