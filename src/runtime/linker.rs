//! Import resolution by module and field name.

use super::func::HostFunc;
use super::{Caller, Engine, Extern, Func, Instance, Module, Store};
use crate::binary::ImportDesc;
use crate::error::{Error, Result, Trap};
use crate::validate::subtype::val_sub;
use crate::value::{FuncType, Limits, Val, ValType};
use std::collections::HashMap;

enum Definition<T> {
    Extern(Extern),
    /// A host function created in a store on first use by an instantiation.
    HostFunc(FuncType, HostFunc<T>),
}

impl<T> Clone for Definition<T> {
    fn clone(&self) -> Self {
        match self {
            Definition::Extern(e) => Definition::Extern(*e),
            Definition::HostFunc(ty, f) => Definition::HostFunc(ty.clone(), f.clone()),
        }
    }
}

/// Defines imports by `(module, name)` and instantiates modules against them.
///
/// ```
/// use regwasm::{Engine, FuncType, Linker, Module, Store, Val, ValType};
/// let engine = Engine::default();
/// let mut linker = Linker::new(&engine);
/// linker.func_new("env", "twice", FuncType::new([ValType::I32], [ValType::I32]),
///     |_caller, args, results| { results[0] = Val::I32(args[0].i32().unwrap() * 2); Ok(()) });
/// let module = Module::new(&engine, r#"(module
///     (import "env" "twice" (func $twice (param i32) (result i32)))
///     (func (export "run") (result i32) i32.const 21 call $twice))"#).unwrap();
/// let mut store = Store::new(&engine, ());
/// let instance = linker.instantiate(&mut store, &module).unwrap();
/// let mut out = [Val::I32(0)];
/// instance.get_func(&store, "run").unwrap().call(&mut store, &[], &mut out).unwrap();
/// assert_eq!(out[0], Val::I32(42));
/// ```
pub struct Linker<T> {
    defs: HashMap<(String, String), Definition<T>>,
}

impl<T> Linker<T> {
    /// A linker with no definitions, for modules of `engine`.
    pub fn new(engine: &Engine) -> Self {
        let _ = engine;
        Self {
            defs: HashMap::new(),
        }
    }

    /// Defines `module.name` as an item of a store.
    pub fn define(&mut self, module: &str, name: &str, item: impl Into<Extern>) -> &mut Self {
        self.defs.insert(
            (module.to_string(), name.to_string()),
            Definition::Extern(item.into()),
        );
        self
    }

    /// Defines `module.name` as a host function of type `ty`.
    pub fn func_new(
        &mut self,
        module: &str,
        name: &str,
        ty: FuncType,
        func: impl Fn(Caller<'_, T>, &[Val], &mut [Val]) -> Result<(), Trap> + Send + Sync + 'static,
    ) -> &mut Self {
        self.defs.insert(
            (module.to_string(), name.to_string()),
            Definition::HostFunc(ty.clone(), super::func::dynamic_host(&ty, func)),
        );
        self
    }

    /// Defines `module.name` as a host function whose signature comes from the closure's
    /// parameter and result types.
    pub fn func_wrap<Params, Results>(
        &mut self,
        module: &str,
        name: &str,
        func: impl super::IntoFunc<T, Params, Results>,
    ) -> &mut Self {
        let (ty, host) = func.into_func();
        self.defs.insert(
            (module.to_string(), name.to_string()),
            Definition::HostFunc(ty, host),
        );
        self
    }

    /// Defines every function that `module` imports and this linker does not define yet as a
    /// function of the import's type that traps when called, so that a module built for a richer
    /// host still instantiates and runs as long as it never calls what is missing. The trap is a
    /// host error naming the import (``unknown import: `env::missing` has not been defined``).
    ///
    /// Only functions are defined this way: a missing memory, table or global still makes
    /// instantiation fail as unlinkable. Definitions added later replace these, and the call
    /// leaves what is already defined alone, so call it after defining everything the host
    /// provides (the command line's `--trap-unknown-imports`).
    ///
    /// ```
    /// use regwasm::{Engine, Error, Linker, Module, Store};
    /// let engine = Engine::default();
    /// let module = Module::new(&engine, r#"(module
    ///     (import "env" "missing" (func $missing (param i32) (result i32)))
    ///     (func (export "ok") (result i32) i32.const 7)
    ///     (func (export "calls_missing") (result i32) (call $missing (i32.const 1))))"#).unwrap();
    /// let mut store = Store::new(&engine, ());
    /// let mut linker = Linker::new(&engine);
    /// assert!(matches!(linker.instantiate(&mut store, &module), Err(Error::Unlinkable(_))));
    ///
    /// linker.define_unknown_imports_as_traps(&module);
    /// let instance = linker.instantiate(&mut store, &module).unwrap();
    /// let ok = instance.get_typed_func::<(), i32>(&store, "ok").unwrap();
    /// assert_eq!(ok.call(&mut store, ()).unwrap(), 7);
    /// let calls = instance.get_typed_func::<(), i32>(&store, "calls_missing").unwrap();
    /// let err = calls.call(&mut store, ()).unwrap_err();
    /// assert!(err.to_string().contains("`env::missing` has not been defined"), "{err}");
    /// ```
    pub fn define_unknown_imports_as_traps(&mut self, module: &Module) -> &mut Self {
        for import in &module.inner.info.imports {
            let ImportDesc::Func(ty) = &import.desc else {
                continue;
            };
            let key = (import.module.clone(), import.name.clone());
            if self.defs.contains_key(&key) {
                continue;
            }
            let ty = module.inner.info.types[*ty as usize].clone();
            let message = format!(
                "unknown import: `{}::{}` has not been defined",
                import.module, import.name
            );
            let trap =
                super::func::dynamic_host(&ty, move |_, _, _| Err(Trap::host(message.clone())));
            self.defs.insert(key, Definition::HostFunc(ty, trap));
        }
        self
    }

    /// Defines every export of `instance` under the module name `module`.
    pub fn instance(&mut self, store: &Store<T>, module: &str, instance: Instance) -> &mut Self {
        for (name, item) in instance.exports(store) {
            self.define(module, &name, item);
        }
        self
    }

    /// Looks up a definition.
    pub fn get(&self, store: &mut Store<T>, module: &str, name: &str) -> Option<Extern> {
        match self
            .defs
            .get(&(module.to_string(), name.to_string()))?
            .clone()
        {
            Definition::Extern(e) => Some(e),
            Definition::HostFunc(ty, f) => Some(Extern::Func(Func::from_host(store, &ty, f))),
        }
    }

    /// Resolves the module's imports by name, checks their types, and instantiates it.
    pub fn instantiate(&self, store: &mut Store<T>, module: &Module) -> Result<Instance> {
        let mut resolved = Vec::with_capacity(module.inner.info.imports.len());
        for import in &module.inner.info.imports {
            let what = format!("{}::{}", import.module, import.name);
            let item = self
                .get(store, &import.module, &import.name)
                .ok_or_else(|| Error::Unlinkable(format!("unknown import: {what}")))?;
            check_import(store, module, &import.desc, item).map_err(|why| {
                Error::Unlinkable(format!("incompatible import type for {what}: {why}"))
            })?;
            resolved.push(item);
        }
        Instance::instantiate(store, module, resolved)
    }
}

/// Checks a definition against an import's declared type (extern subtyping, spec 4.5.3):
/// a function's type must match (be the declared type or below it), a table's element type
/// be the same, a global's content type match if immutable and be the same if mutable.
fn check_import<T>(
    store: &mut Store<T>,
    module: &Module,
    desc: &ImportDesc,
    item: Extern,
) -> std::result::Result<(), String> {
    let info = &module.inner.info;
    let ids = store.inner.intern_module_types(&module.inner);
    let in_store = |t: ValType| t.map_index(|i| ids.get(i as usize).copied().unwrap_or(i));
    match (desc, item) {
        (ImportDesc::Func(ty), Extern::Func(f)) => {
            let want = ids.get(*ty as usize).copied().unwrap_or(u32::MAX);
            let have = store.inner.funcs[f.0 as usize].ty();
            if !store.inner.type_matches(have, want) {
                let want = &info.types[*ty as usize];
                let have = f.ty(store);
                return Err(format!("expected function {want}, found {have}"));
            }
        }
        (ImportDesc::Table(want), Extern::Table(t)) => {
            let have = t.ty(store);
            if in_store(want.elem) != have.elem {
                return Err(format!("expected {} table, found {}", want.elem, have.elem));
            }
            if want.is_64 != have.is_64 {
                return Err(format!(
                    "expected a table of {} indices, found {}",
                    want.index_type(),
                    have.index_type()
                ));
            }
            limits_match(want.limits, have.limits)?;
        }
        (ImportDesc::Memory(want), Extern::Memory(m)) => {
            let have = m.ty(store);
            if want.is_64 != have.is_64 {
                return Err(format!(
                    "expected a memory of {} addresses, found {}",
                    want.index_type(),
                    have.index_type()
                ));
            }
            if want.page_size_log2 != have.page_size_log2 {
                return Err(format!(
                    "expected a memory of {}-byte pages, found {}-byte pages",
                    want.page_size(),
                    have.page_size()
                ));
            }
            limits_match(want.limits, have.limits)?;
        }
        (ImportDesc::Global(want), Extern::Global(g)) => {
            let have = g.ty(store);
            let content = in_store(want.content);
            let ok = want.mutable == have.mutable
                && if want.mutable {
                    have.content == content
                } else {
                    val_sub(have.content, content, &store.inner)
                };
            if !ok {
                return Err(format!("expected global {want:?}, found {have:?}"));
            }
        }
        (ImportDesc::Tag(ty), Extern::Tag(t)) => {
            // Tag types match only when equal: the same canonical type (rec group and all).
            let want_id = ids.get(*ty as usize).copied().unwrap_or(u32::MAX);
            if store.inner.tags[t.0 as usize].ty != want_id {
                let want = &info.types[*ty as usize];
                let have = t.ty(store);
                return Err(format!("expected tag {want}, found {have}"));
            }
        }
        (_, item) => return Err(format!("found {item:?} of a different kind")),
    }
    Ok(())
}

fn limits_match(want: Limits, have: Limits) -> std::result::Result<(), String> {
    let max_ok = match (want.max, have.max) {
        (None, _) => true,
        (Some(_), None) => false,
        (Some(w), Some(h)) => h <= w,
    };
    if have.min < want.min || !max_ok {
        return Err(format!("expected limits {want:?}, found {have:?}"));
    }
    Ok(())
}
