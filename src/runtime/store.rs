//! The store: owner of every runtime object. Handles are plain indices into its vectors.

use super::{Engine, FuncEntity, GlobalEntity, InstanceEntity, MemoryEntity, TableEntity};
use crate::value::{Cell, FuncType};
use std::collections::HashMap;

/// Owns all functions, memories, tables, globals, instances and segments, plus the host's state
/// `T` that host functions reach through [`super::Caller`].
pub struct Store<T> {
    pub(crate) engine: Engine,
    pub(crate) funcs: Vec<FuncEntity<T>>,
    pub(crate) memories: Vec<MemoryEntity>,
    pub(crate) tables: Vec<TableEntity>,
    pub(crate) globals: Vec<GlobalEntity>,
    pub(crate) instances: Vec<InstanceEntity>,
    /// Element segments of all instances; a dropped segment is empty.
    pub(crate) elems: Vec<Vec<Cell>>,
    /// Data segments of all instances; a dropped segment is empty.
    pub(crate) datas: Vec<Vec<u8>>,
    /// Interned signatures: equal types get equal ids, so `call_indirect` compares integers.
    pub(crate) types: Vec<FuncType>,
    type_ids: HashMap<FuncType, u32>,
    /// Every module instantiated in this store (see `exec::invoke` for why).
    pub(crate) modules: std::sync::Arc<Vec<super::Module>>,
    /// The interpreter's register and frame stacks, kept between calls to reuse the allocation.
    pub(crate) stack: Option<crate::exec::Stack>,
    /// Executed-instruction counts, filled by the interpreter.
    #[cfg(feature = "profile")]
    pub(crate) profile: crate::exec::profile::Profile,
    data: T,
}

impl<T> Store<T> {
    pub fn new(engine: &Engine, data: T) -> Self {
        Self {
            engine: engine.clone(),
            funcs: Vec::new(),
            memories: Vec::new(),
            tables: Vec::new(),
            globals: Vec::new(),
            instances: Vec::new(),
            elems: Vec::new(),
            datas: Vec::new(),
            types: Vec::new(),
            type_ids: HashMap::new(),
            modules: Default::default(),
            stack: None,
            #[cfg(feature = "profile")]
            profile: Default::default(),
            data,
        }
    }

    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// The instructions executed in this store so far, by kind and by function, when regwasm
    /// is built with the `profile` feature; `None` otherwise (the interpreter counts nothing).
    pub fn profile(&self) -> Option<&crate::exec::profile::Profile> {
        #[cfg(feature = "profile")]
        return Some(&self.profile);
        #[cfg(not(feature = "profile"))]
        None
    }

    /// Forgets the profile's counts, e.g. to leave out instantiation.
    pub fn clear_profile(&mut self) {
        #[cfg(feature = "profile")]
        self.profile.clear();
    }

    /// The host state.
    pub fn data(&self) -> &T {
        &self.data
    }

    pub fn data_mut(&mut self) -> &mut T {
        &mut self.data
    }

    pub fn into_data(self) -> T {
        self.data
    }

    /// The id of a signature, interning it on first sight.
    pub(crate) fn intern_type(&mut self, ty: &FuncType) -> u32 {
        if let Some(&id) = self.type_ids.get(ty) {
            return id;
        }
        let id = self.types.len() as u32;
        self.types.push(ty.clone());
        self.type_ids.insert(ty.clone(), id);
        id
    }
}
