//! The runtime: a [`Store`] owns every memory, table, global, function and instance; handles
//! ([`Func`], [`Memory`], …) are indices into it. A [`Linker`] resolves imports by name when a
//! [`Module`] is instantiated.

mod engine;
mod exception;
mod exn_gc;
mod func;
mod global;
mod inspect;
mod instance;
pub(crate) mod interrupt;
mod linear;
mod linker;
mod memory;
mod module;
mod precompiled;
mod resumable;
mod store;
mod table;
mod typed;

pub use engine::{CompilationMode, Config, Engine, Optimizations};
pub use exception::{Exn, Tag};
pub use func::{Caller, Func};
pub use global::Global;
pub use instance::Instance;
pub use interrupt::InterruptHandle;
pub use linker::Linker;
pub use memory::{Memory, PAGE_SIZE};
pub use module::Module;
pub use resumable::{CallOutcome, ResumableCall};
pub use store::Store;
pub(crate) use store::StoreInner;
pub use table::Table;
pub use typed::{HostReturn, IntoFunc, TypedFunc, WasmParams, WasmResults, WasmTy};

pub(crate) use func::{FuncEntity, FuncEntry, HostFunc};
pub(crate) use global::GlobalEntity;
pub(crate) use instance::{Callee, InstanceEntity};
pub(crate) use memory::MemoryEntity;
pub(crate) use table::TableEntity;

/// An exported or importable item.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Extern {
    /// A function.
    Func(Func),
    /// A table.
    Table(Table),
    /// A linear memory.
    Memory(Memory),
    /// A global.
    Global(Global),
    /// An exception tag.
    Tag(Tag),
}

impl Extern {
    /// The function, if this is one.
    pub fn into_func(self) -> Option<Func> {
        match self {
            Extern::Func(f) => Some(f),
            _ => None,
        }
    }
    /// The table, if this is one.
    pub fn into_table(self) -> Option<Table> {
        match self {
            Extern::Table(t) => Some(t),
            _ => None,
        }
    }
    /// The memory, if this is one.
    pub fn into_memory(self) -> Option<Memory> {
        match self {
            Extern::Memory(m) => Some(m),
            _ => None,
        }
    }
    /// The global, if this is one.
    pub fn into_global(self) -> Option<Global> {
        match self {
            Extern::Global(g) => Some(g),
            _ => None,
        }
    }
    /// The tag, if this is one.
    pub fn into_tag(self) -> Option<Tag> {
        match self {
            Extern::Tag(t) => Some(t),
            _ => None,
        }
    }
}

impl From<Func> for Extern {
    fn from(f: Func) -> Self {
        Extern::Func(f)
    }
}
impl From<Table> for Extern {
    fn from(t: Table) -> Self {
        Extern::Table(t)
    }
}
impl From<Memory> for Extern {
    fn from(m: Memory) -> Self {
        Extern::Memory(m)
    }
}
impl From<Tag> for Extern {
    fn from(t: Tag) -> Self {
        Extern::Tag(t)
    }
}
impl From<Global> for Extern {
    fn from(g: Global) -> Self {
        Extern::Global(g)
    }
}
