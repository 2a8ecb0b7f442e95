//! The store: owner of every runtime object. Handles are plain indices into its vectors.

use super::func::HostFunc;
use super::interrupt::{self, InterruptHandle, StopFlag};
use super::module::ModuleInner;
use super::{Engine, FuncEntity, GlobalEntity, InstanceEntity, MemoryEntity, TableEntity};
use crate::error::{Error, Result};
use crate::validate::canon::{canonical_ids, resolve, GroupKey};
use crate::value::{Cell, FuncType};
use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Owns all functions, memories, tables, globals, instances and segments, plus the host's state
/// `T` that host functions reach through [`super::Caller`].
pub struct Store<T> {
    /// Everything but the host's own values. The interpreter runs on this part alone, so it is
    /// compiled once in this crate rather than once per host state type.
    pub(crate) inner: StoreInner,
    /// Host functions; `FuncEntity::Host` holds an index here. Shared, so that a run can
    /// keep the list alive with one reference count instead of one per host call (a host
    /// function may replace the store it is called with).
    pub(crate) hosts: std::sync::Arc<Vec<HostFunc<T>>>,
    data: T,
}

/// The part of a [`Store`] that does not depend on the host's state type.
pub(crate) struct StoreInner {
    /// Unique per store, so state from one store is never used with another.
    pub(crate) id: u64,
    pub(crate) engine: Engine,
    /// The functions, by store address. Only [`StoreInner::push_func`] adds to it.
    pub(crate) funcs: Vec<FuncEntity>,
    /// Per function, what a call by address needs to enter it on the fast path.
    pub(crate) entries: Vec<super::func::FuncEntry>,
    pub(crate) memories: Vec<MemoryEntity>,
    pub(crate) tables: Vec<TableEntity>,
    pub(crate) globals: Vec<GlobalEntity>,
    /// Exception tags, and the exceptions thrown or made by the host (see `exception.rs`).
    pub(crate) tags: Vec<super::exception::TagEntity>,
    pub(crate) exns: Vec<super::exception::ExnEntity>,
    pub(crate) exn_gc: super::exn_gc::ExnGc,
    /// Which clause catches what at recent throw sites (see `exec::unwind`).
    pub(crate) catches: crate::exec::Catches,
    pub(crate) instances: Vec<InstanceEntity>,
    /// Element segments of all instances; a dropped segment is empty.
    pub(crate) elems: Vec<Vec<Cell>>,
    /// Data segments of all instances; a dropped segment is empty.
    pub(crate) datas: Vec<DataSegment>,
    /// Interned signatures: equal types get equal ids, so `call_indirect` compares integers.
    /// Their concrete reference types name these ids, not a module's type indices.
    pub(crate) types: Vec<FuncType>,
    /// Each interned type's declared supertype, if any.
    supers: Vec<Option<u32>>,
    /// The first id of every recursion group interned so far (see `validate::canon`). Shared
    /// with the module whose types a fresh store took from [`FreshTypes`]; copied on the
    /// first change.
    groups: Arc<HashMap<GroupKey, u32>>,
    /// Every module instantiated in this store (see `exec::invoke` for why).
    pub(crate) modules: std::sync::Arc<Vec<super::Module>>,
    /// Fuel left, when the engine meters fuel.
    pub(crate) fuel: u64,
    /// Interrupt/deadline flag shared with interrupt handles and the deadline timer.
    pub(crate) stop: Arc<StopFlag>,
    /// Set by `Caller::yield_now`; the call suspends when the host function returns.
    pub(crate) yield_requested: bool,
    /// Wall-clock budget of every top-level call.
    deadline: Option<Duration>,
    /// Nesting of calls into Wasm (host functions may call back in).
    call_depth: u32,
    call_seq: u64,
    /// The interpreter's register and frame stacks, kept between calls to reuse the allocation.
    pub(crate) stack: Option<crate::exec::Stack>,
    /// Executed-instruction counts, filled by the interpreter.
    #[cfg(feature = "profile")]
    pub(crate) profile: crate::exec::profile::Profile,
}

/// A data segment's bytes: a range of its module's binary, shared by every instance of the
/// module (instantiation copies nothing but what goes into memory), or nothing once dropped.
#[derive(Default)]
pub(crate) struct DataSegment(Option<(super::Module, std::ops::Range<usize>)>);

impl DataSegment {
    pub(crate) fn new(module: &super::Module, range: std::ops::Range<usize>) -> Self {
        Self(Some((module.clone(), range)))
    }

    /// The bytes; empty once dropped.
    pub(crate) fn bytes(&self) -> &[u8] {
        match &self.0 {
            Some((module, range)) => &module.inner.info.bytes[range.clone()],
            None => &[],
        }
    }
}

impl<T> Store<T> {
    /// An empty store for modules of `engine`, holding the host state `data`.
    pub fn new(engine: &Engine, data: T) -> Self {
        static NEXT_ID: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
        let inner = StoreInner {
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
            engine: engine.clone(),
            funcs: Vec::new(),
            entries: Vec::new(),
            memories: Vec::new(),
            tables: Vec::new(),
            globals: Vec::new(),
            tags: Vec::new(),
            exns: Vec::new(),
            exn_gc: Default::default(),
            catches: Default::default(),
            instances: Vec::new(),
            elems: Vec::new(),
            datas: Vec::new(),
            types: Vec::new(),
            supers: Vec::new(),
            groups: Arc::default(),
            modules: Default::default(),
            fuel: 0,
            stop: Arc::default(),
            yield_requested: false,
            deadline: None,
            call_depth: 0,
            call_seq: 0,
            stack: None,
            #[cfg(feature = "profile")]
            profile: Default::default(),
        };
        Self {
            inner,
            hosts: Default::default(),
            data,
        }
    }

    /// The engine the store was made for.
    pub fn engine(&self) -> &Engine {
        &self.inner.engine
    }

    /// The instructions executed in this store so far, by kind and by function, when regwasm
    /// is built with the `profile` feature; `None` otherwise (the interpreter counts nothing).
    pub fn profile(&self) -> Option<&crate::exec::profile::Profile> {
        #[cfg(feature = "profile")]
        return Some(&self.inner.profile);
        #[cfg(not(feature = "profile"))]
        None
    }

    /// Forgets the profile's counts, e.g. to leave out instantiation.
    pub fn clear_profile(&mut self) {
        #[cfg(feature = "profile")]
        self.inner.profile.clear();
    }

    /// The host state.
    pub fn data(&self) -> &T {
        &self.data
    }

    /// The host state, mutably.
    pub fn data_mut(&mut self) -> &mut T {
        &mut self.data
    }

    /// Drops the store, keeping its host state.
    pub fn into_data(self) -> T {
        self.data
    }

    /// Sets the fuel available to calls (requires `Config::consume_fuel(true)`).
    ///
    /// ```
    /// use regwasm::{Config, Engine, Linker, Module, Store, TrapCode, Error};
    /// let mut config = Config::default();
    /// config.consume_fuel(true);
    /// let engine = Engine::new(&config);
    /// let module = Module::new(&engine, r#"(module (func (export "spin") (loop (br 0))))"#).unwrap();
    /// let mut store = Store::new(&engine, ());
    /// let instance = Linker::new(&engine).instantiate(&mut store, &module).unwrap();
    /// store.set_fuel(10_000).unwrap();
    /// let spin = instance.get_typed_func::<(), ()>(&store, "spin").unwrap();
    /// match spin.call(&mut store, ()) {
    ///     Err(Error::Trap(t)) => assert_eq!(t.code(), TrapCode::OutOfFuel),
    ///     other => panic!("{other:?}"),
    /// }
    /// assert!(store.get_fuel().unwrap() < 10);
    /// ```
    pub fn set_fuel(&mut self, fuel: u64) -> Result<()> {
        self.fuel_enabled()?;
        self.inner.fuel = fuel;
        Ok(())
    }

    /// The fuel left (requires `Config::consume_fuel(true)`).
    pub fn get_fuel(&self) -> Result<u64> {
        self.fuel_enabled()?;
        Ok(self.inner.fuel)
    }

    fn fuel_enabled(&self) -> Result<()> {
        if self.inner.engine.config().consume_fuel {
            Ok(())
        } else {
            Err(Error::Api(
                "fuel is not enabled: use Config::consume_fuel(true)".into(),
            ))
        }
    }

    /// A handle other threads can use to stop this store's running call (requires
    /// `Config::interruptible(true)`; without it the request waits for code that checks).
    pub fn interrupt_handle(&self) -> InterruptHandle {
        InterruptHandle {
            flag: self.inner.stop.clone(),
        }
    }

    /// Gives every top-level call (and every resumption) at most `budget` of wall-clock time;
    /// `None` removes the limit. Requires `Config::interruptible(true)`.
    pub fn set_deadline(&mut self, budget: Option<Duration>) {
        self.inner.deadline = budget;
    }
}

impl StoreInner {
    /// Entering Wasm from the host: arms the deadline for the outermost call.
    pub(crate) fn begin_call(&mut self) {
        self.call_depth += 1;
        if self.call_depth > 1 {
            return;
        }
        self.call_seq += 1;
        self.stop.call.store(self.call_seq, Ordering::Relaxed);
        // A deadline flag left over from an earlier call is stale; an interrupt is not.
        let _ = self.stop.state.compare_exchange(
            interrupt::DEADLINE,
            interrupt::RUN,
            Ordering::Relaxed,
            Ordering::Relaxed,
        );
        if let Some(budget) = self.deadline {
            interrupt::schedule(Instant::now() + budget, &self.stop, self.call_seq);
        }
    }

    /// Leaving Wasm (finished, trapped or suspended).
    pub(crate) fn end_call(&mut self) {
        self.call_depth = self.call_depth.saturating_sub(1);
        if self.call_depth == 0 {
            self.stop.call.store(0, Ordering::Relaxed);
        }
    }

    /// Fails with `Error::Limit` if adding these would pass the engine's per-store limits.
    pub(crate) fn check_room(
        &self,
        instances: usize,
        memories: usize,
        tables: usize,
    ) -> Result<()> {
        let c = self.engine.config();
        let over = |what: &str, have: usize, add: usize, max: usize| {
            (have + add > max).then(|| {
                Error::Limit(format!(
                    "a store may hold at most {max} {what}; it has {have} and needs {add} more"
                ))
            })
        };
        let err = over(
            "instances",
            self.instances.len(),
            instances,
            c.max_instances,
        )
        .or_else(|| over("memories", self.memories.len(), memories, c.max_memories))
        .or_else(|| over("tables", self.tables.len(), tables, c.max_tables));
        err.map_or(Ok(()), Err)
    }

    /// The id of a host signature, interning it on first sight (a group of one, final, with
    /// any concrete reference types naming ids of this store).
    pub(crate) fn intern_type(&mut self, ty: &FuncType) -> u32 {
        let key: GroupKey = vec![(ty.clone(), None, true)];
        if let Some(&id) = self.groups.get(&key) {
            return id;
        }
        let id = add_group(&mut self.types, &mut self.supers, &key);
        Arc::make_mut(&mut self.groups).insert(key, id);
        id
    }

    /// The ids of `module`'s types, in type index order, interning new ones. A store with no
    /// types yet takes them from the module's [`FreshTypes`], computed once per module, so a
    /// fresh store per instance neither hashes nor allocates per type.
    pub(crate) fn intern_module_types(&mut self, module: &ModuleInner) -> Vec<u32> {
        let info = &module.info;
        if self.types.is_empty() {
            // No types means no groups: each group adds at least one type.
            if let Some(fresh) = module.fresh_types.get_or_init(|| FreshTypes::of(info)) {
                self.types.clone_from(&fresh.types);
                self.supers.clone_from(&fresh.supers);
                self.groups = fresh.groups.clone();
                return fresh.ids.clone();
            }
        }
        let mut groups = std::mem::take(&mut self.groups);
        let (types, supers) = (&mut self.types, &mut self.supers);
        let ids = canonical_ids(info, Arc::make_mut(&mut groups), |key| {
            add_group(types, supers, key)
        });
        self.groups = groups;
        // Validation rejected references to later types, the only way to get `None`.
        ids.unwrap_or_else(|| info.types.iter().map(|t| self.intern_type(t)).collect())
    }

    /// Whether `v` is a value of store type `t` (or of a subtype).
    pub(crate) fn val_matches(&self, v: crate::Val, t: crate::ValType) -> bool {
        v.fits(t, |f, id| {
            self.funcs
                .get(f.0 as usize)
                .is_some_and(|e| self.type_matches(e.ty(), id))
        })
    }

    /// Whether interned type `a` is `b` or declared below it (see also the `IndexSub` impl).
    #[inline]
    /// Adds `func` (and its entry) to the store; its address.
    pub(crate) fn push_func(&mut self, func: FuncEntity) -> u32 {
        self.entries.push(super::func::FuncEntry::of(&func));
        self.funcs.push(func);
        self.funcs.len() as u32 - 1
    }

    /// Brings the entry of the function at `addr` up to date, once it has been translated.
    pub(crate) fn refresh_entry(&mut self, addr: u32) {
        if let (Some(func), Some(entry)) = (
            self.funcs.get(addr as usize),
            self.entries.get_mut(addr as usize),
        ) {
            *entry = super::func::FuncEntry::of(func);
        }
    }

    pub(crate) fn type_matches(&self, a: u32, b: u32) -> bool {
        a == b || self.type_matches_slow(a, b)
    }

    #[inline(never)]
    fn type_matches_slow(&self, a: u32, b: u32) -> bool {
        let supertype = |k: u32| self.supers.get(k as usize).copied().flatten();
        crate::validate::canon::reaches(a, supertype, |k| k == b)
    }
}

impl crate::validate::subtype::IndexSub for StoreInner {
    fn index_sub(&self, i: u32, j: u32) -> bool {
        self.type_matches(i, j)
    }
}

/// Appends a new group's types to a store's tables; returns the first one's id.
fn add_group(types: &mut Vec<FuncType>, supers: &mut Vec<Option<u32>>, key: &GroupKey) -> u32 {
    let first = types.len() as u32;
    for k in 0..key.len() {
        let (ty, sup) = resolve(key, k, first);
        types.push(ty);
        supers.push(sup);
    }
    first
}

/// What interning a module's types into a store without types gives: the same for every
/// fresh store, so computed once per module ([`ModuleInner::fresh_types`]) and copied.
#[derive(Debug)]
pub(crate) struct FreshTypes {
    ids: Vec<u32>,
    types: Vec<FuncType>,
    supers: Vec<Option<u32>>,
    groups: Arc<HashMap<GroupKey, u32>>,
}

impl FreshTypes {
    /// `None` where the module's types cannot be canonicalized group by group (validation
    /// rejects such modules; the store then takes the general path).
    fn of(info: &crate::binary::ModuleInfo) -> Option<Self> {
        let (mut types, mut supers, mut groups) = (Vec::new(), Vec::new(), HashMap::new());
        let ids = canonical_ids(info, &mut groups, |key| {
            add_group(&mut types, &mut supers, key)
        })?;
        Some(Self {
            ids,
            types,
            supers,
            groups: Arc::new(groups),
        })
    }
}
