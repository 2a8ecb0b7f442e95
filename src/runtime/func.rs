//! Functions: Wasm functions of an instance, and host functions written in Rust.

use super::{Extern, Instance, Store};
use crate::error::{Error, Result, Trap};
use crate::value::{Cell, FuncType, Val};
use std::sync::Arc;

/// A host function as the interpreter calls it: parameters arrive in the register cells, results
/// are written back over them (the slice holds `max(params, results)` cells).
pub(crate) type HostFunc<T> =
    Arc<dyn Fn(Caller<'_, T>, &mut [Cell]) -> Result<(), Trap> + Send + Sync>;

/// Adapts a dynamically typed closure over [`Val`]s to the cell convention.
pub(crate) fn dynamic_host<T>(
    ty: &FuncType,
    func: impl Fn(Caller<'_, T>, &[Val], &mut [Val]) -> Result<(), Trap> + Send + Sync + 'static,
) -> HostFunc<T> {
    let ty = ty.clone();
    Arc::new(move |caller, cells| {
        let mut params: smallvec::SmallVec<[Val; 8]> =
            ty.params().iter().map(|t| Val::default_of(*t)).collect();
        Val::from_cell_list(ty.params(), cells, &mut params);
        caller.store.inner.pin_vals(&params);
        let mut results: smallvec::SmallVec<[Val; 4]> =
            ty.results().iter().map(|t| Val::default_of(*t)).collect();
        func(caller, &params, &mut results)?;
        let mut out: smallvec::SmallVec<[Cell; 8]> = smallvec::SmallVec::new();
        for (val, t) in results.iter().zip(ty.results()) {
            // A function of another concrete type is caught where it is called.
            if !val.fits(*t, |_, _| true) {
                return Err(Trap::host(format!(
                    "host function returned a {} where its type says {t}",
                    val.ty()
                )));
            }
            val.push_cells(&mut out);
        }
        cells[..out.len()].copy_from_slice(&out);
        Ok(())
    })
}

pub(crate) enum FuncEntity {
    Wasm {
        /// Interned signature id.
        ty: u32,
        /// The instance whose tables, memories and globals the code refers to.
        instance: u32,
        /// The module and defined-function index of the code (translated on first call
        /// under lazy translation).
        module: super::Module,
        index: u32,
    },
    Host {
        ty: u32,
        /// Index into the store's host functions (`Store::hosts`).
        host: u32,
    },
}

impl FuncEntity {
    pub(crate) fn ty(&self) -> u32 {
        match self {
            FuncEntity::Wasm { ty, .. } | FuncEntity::Host { ty, .. } => *ty,
        }
    }
}

/// What a call by store address (`call_indirect`, `call_ref`) needs of the function at that
/// address to enter it on the fast path, in one place: `StoreInner::entries` holds one per
/// function, beside `StoreInner::funcs`. The fast path takes only an entry whose `instance` is
/// the running one and whose frame fits (`enter_room`); everything else (host functions,
/// functions not translated yet, other instances) goes the full way, which refreshes the entry
/// once a function has been translated.
#[derive(Clone, Copy, Debug)]
pub(crate) struct FuncEntry {
    /// The function's interned signature (`FuncEntity::ty`).
    pub(crate) ty: u32,
    /// The instance it runs in; `u32::MAX` for a host function.
    pub(crate) instance: u32,
    /// Its code's `CompiledFunc::enter_room`, or `u32::MAX` (which never fits) without code.
    pub(crate) enter_room: u32,
    /// Its code's `num_params`.
    pub(crate) num_params: u32,
    /// The address of its code's first instruction, provenance exposed (0 without code). The
    /// code lives as long as the store: `funcs` holds its module, and translated code never
    /// moves or goes away while the module lives.
    pub(crate) entry: usize,
}

impl FuncEntry {
    /// The entry for `func` as it is now.
    pub(crate) fn of(func: &FuncEntity) -> FuncEntry {
        let none = FuncEntry {
            ty: func.ty(),
            instance: u32::MAX,
            enter_room: u32::MAX,
            num_params: 0,
            entry: 0,
        };
        let FuncEntity::Wasm {
            instance,
            module,
            index,
            ..
        } = func
        else {
            return none;
        };
        match module.translated(*index as usize) {
            Some(code) => FuncEntry {
                instance: *instance,
                enter_room: code.enter_room,
                num_params: code.num_params,
                entry: code.code.as_ptr().expose_provenance(),
                ..none
            },
            None => FuncEntry {
                instance: *instance,
                ..none
            },
        }
    }
}

/// What a host function sees of its caller: the store (and so the host state) and, when called
/// from Wasm, the calling instance's exports.
pub struct Caller<'a, T> {
    pub(crate) store: &'a mut Store<T>,
    pub(crate) instance: Option<Instance>,
}

impl<'a, T> Caller<'a, T> {
    /// The host state of the store.
    pub fn data(&self) -> &T {
        self.store.data()
    }

    /// The host state of the store, mutably.
    pub fn data_mut(&mut self) -> &mut T {
        self.store.data_mut()
    }

    /// The store, for reading memories or calling back into Wasm.
    pub fn store(&mut self) -> &mut Store<T> {
        self.store
    }

    /// Asks the calling Wasm code to suspend once this host function returns (its results are
    /// delivered first). A resumable call (`Func::call_resumable`) then returns
    /// `SuspendReason::HostYield`; a plain call just continues.
    pub fn yield_now(&mut self) {
        self.store.inner.yield_requested = true;
    }

    /// An export of the calling instance, e.g. its `"memory"`.
    pub fn get_export(&self, name: &str) -> Option<Extern> {
        self.instance?.get_export(self.store, name)
    }
}

/// A handle to a function in a [`Store`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Func(pub(crate) u32);

impl Func {
    /// Wraps a Rust closure as a function of type `ty`.
    ///
    /// ```
    /// use regwasm::{Engine, Func, FuncType, Store, Val, ValType};
    /// let mut store = Store::new(&Engine::default(), 0u32);
    /// let ty = FuncType::new([ValType::I32], [ValType::I32]);
    /// let double = Func::new(&mut store, ty, |mut caller, args, results| {
    ///     *caller.data_mut() += 1;
    ///     results[0] = Val::I32(args[0].i32().unwrap() * 2);
    ///     Ok(())
    /// });
    /// let mut out = [Val::I32(0)];
    /// double.call(&mut store, &[Val::I32(21)], &mut out).unwrap();
    /// assert_eq!(out[0], Val::I32(42));
    /// assert_eq!(*store.data(), 1);
    /// ```
    pub fn new<T>(
        store: &mut Store<T>,
        ty: FuncType,
        func: impl Fn(Caller<'_, T>, &[Val], &mut [Val]) -> Result<(), Trap> + Send + Sync + 'static,
    ) -> Func {
        let host = dynamic_host(&ty, func);
        Self::from_host(store, &ty, host)
    }

    /// Wraps a Rust closure whose parameter and result types give the function's signature.
    ///
    /// ```
    /// use regwasm::{Caller, Engine, Func, Store};
    /// let mut store = Store::new(&Engine::default(), ());
    /// let add = Func::wrap(&mut store, |_: Caller<'_, ()>, a: i32, b: i32| a + b);
    /// let typed = add.typed::<(i32, i32), i32>(&store).unwrap();
    /// assert_eq!(typed.call(&mut store, (2, 3)).unwrap(), 5);
    /// ```
    pub fn wrap<T, Params, Results>(
        store: &mut Store<T>,
        func: impl super::IntoFunc<T, Params, Results>,
    ) -> Func {
        let (ty, host) = func.into_func();
        Self::from_host(store, &ty, host)
    }

    /// A statically typed view of this function; fails if `Params`/`Results` do not match.
    pub fn typed<Params: super::WasmParams, Results: super::WasmResults>(
        &self,
        store: &Store<impl Sized>,
    ) -> Result<super::TypedFunc<Params, Results>> {
        let id = store.inner.funcs[self.0 as usize].ty();
        super::TypedFunc::new(*self, &store.inner.types[id as usize])
    }

    pub(crate) fn from_host<T>(store: &mut Store<T>, ty: &FuncType, func: HostFunc<T>) -> Func {
        let ty = store.inner.intern_type(ty);
        let host = store.hosts.len() as u32;
        // Copies the list only while a run holds it and a host function adds to it.
        Arc::make_mut(&mut store.hosts).push(func);
        Func(store.inner.push_func(FuncEntity::Host { ty, host }))
    }

    /// The function's signature.
    pub fn ty<T>(&self, store: &Store<T>) -> FuncType {
        let id = store.inner.funcs[self.0 as usize].ty();
        store.inner.types[id as usize].clone()
    }

    /// Calls the function with `params`, writing its results into `results`. Argument count and
    /// types are checked against the signature.
    pub fn call<T>(&self, store: &mut Store<T>, params: &[Val], results: &mut [Val]) -> Result<()> {
        let ty = self.ty(store);
        if params.len() != ty.params().len()
            || (params.iter().zip(ty.params())).any(|(v, t)| !store.inner.val_matches(*v, *t))
        {
            return Err(Error::Api(format!(
                "function of type {ty} called with arguments {:?}",
                params.iter().map(|v| v.ty()).collect::<Vec<_>>()
            )));
        }
        if results.len() != ty.results().len() {
            return Err(Error::Api(format!(
                "function of type {ty} needs room for {} results, got {}",
                ty.results().len(),
                results.len()
            )));
        }
        let mut cells: smallvec::SmallVec<[Cell; 8]> = smallvec::SmallVec::new();
        for v in params {
            v.push_cells(&mut cells);
        }
        cells.resize(ty.param_cells().max(ty.result_cells()) as usize, 0);
        crate::exec::invoke(store, *self, &mut cells)?;
        Val::from_cell_list(ty.results(), &cells, results);
        store.inner.pin_vals(results);
        Ok(())
    }
}
