//! Exception tags and exceptions (the exception-handling proposal, WebAssembly 3.0).
//!
//! Both are store entities. A tag is generative: each instantiation of a module makes a new
//! one for every tag it defines, and only the same tag (by identity) catches an exception
//! thrown with it. An exception is its tag and its payload cells, made by `throw` (or by the
//! host) and referred to by `exnref` cells as `index + 1`. Unreachable exceptions are reclaimed
//! when a throw finds the table grown (`exn_gc.rs`); one handed to the host never is.

use super::Store;
use crate::error::{Error, Result};
use crate::value::{Cell, FuncType, Val};

/// The store-side record of a tag: its interned signature id (parameters only).
#[derive(Debug)]
pub(crate) struct TagEntity {
    pub(crate) ty: u32,
}

/// The store-side record of an exception: its tag's store address and its payload cells,
/// and what the collector needs (`exn_gc.rs`).
#[derive(Debug)]
pub(crate) struct ExnEntity {
    /// `exn_gc::FREE` in a free slot.
    pub(crate) tag: u32,
    /// Kept in a free slot, for the next exception there to reuse.
    pub(crate) payload: Vec<Cell>,
    /// The allocation's number in its store.
    pub(crate) born: u64,
    /// Set once the host holds it: never collected. Atomic because handing a value to the
    /// host may happen through `&Store`.
    pub(crate) pinned: std::sync::atomic::AtomicBool,
    /// How many suspended calls' registers refer to it.
    pub(crate) suspended: u32,
}

/// A handle to an exception tag in a [`Store`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Tag(pub(crate) u32);

impl Tag {
    /// Creates a tag whose exceptions carry values of `ty`'s parameter types; `ty` must have
    /// no results.
    ///
    /// ```
    /// use regwasm::{Engine, FuncType, Store, Tag, ValType};
    /// let mut store = Store::new(&Engine::default(), ());
    /// let tag = Tag::new(&mut store, FuncType::new([ValType::I32], [])).unwrap();
    /// assert_eq!(tag.ty(&store).params(), &[ValType::I32]);
    /// ```
    pub fn new<T>(store: &mut Store<T>, ty: FuncType) -> Result<Tag> {
        if !ty.results().is_empty() {
            return Err(Error::Api(format!("a tag's type has no results, not {ty}")));
        }
        let ty = store.inner.intern_type(&ty);
        Ok(Tag(store.inner.add_tag(ty)))
    }

    /// The tag's type: its parameters are the payload's types.
    pub fn ty<T>(&self, store: &Store<T>) -> FuncType {
        let ty = store.inner.tags[self.0 as usize].ty;
        store.inner.types[ty as usize].clone()
    }
}

/// A handle to an exception in a [`Store`]: what `throw` makes, an `exnref` refers to, and an
/// uncaught exception's [`Trap::exception`](crate::Trap::exception) names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Exn(pub(crate) u32);

impl Exn {
    /// Creates an exception of `tag` with `payload` (of the tag's parameter types); a host
    /// function throws it by returning [`Trap::exception`](crate::Trap::exception).
    ///
    /// An exception the host has held (made here, or reached through a call's results, a
    /// global, a table, a payload, a host function's parameters or an uncaught-exception
    /// trap) stays in the store until the store is dropped; the ones only Wasm saw are
    /// reclaimed once unreachable.
    pub fn new<T>(store: &mut Store<T>, tag: Tag, payload: &[Val]) -> Result<Exn> {
        let ty = tag.ty(store);
        let types: Vec<_> = payload.iter().map(Val::ty).collect();
        if types != ty.params() {
            return Err(Error::Api(format!(
                "exception payload {types:?} does not match its tag's type {ty}"
            )));
        }
        let mut cells = Vec::with_capacity(ty.param_cells() as usize);
        for v in payload {
            v.push_cells(&mut cells);
        }
        let exn = store.inner.add_exn(tag.0, &cells, &[]);
        store.inner.pin_exn(exn);
        Ok(Exn(exn))
    }

    /// The exception's tag.
    pub fn tag<T>(&self, store: &Store<T>) -> Tag {
        Tag(store.inner.exns[self.0 as usize].tag)
    }

    /// The exception's payload values.
    pub fn payload<T>(&self, store: &Store<T>) -> Vec<Val> {
        let vals = store.inner.exn_payload(self.0);
        store.inner.pin_vals(&vals);
        vals
    }
}

impl super::StoreInner {
    /// Adds a tag of interned signature `ty`; returns its store address.
    pub(crate) fn add_tag(&mut self, ty: u32) -> u32 {
        self.tags.push(TagEntity { ty });
        self.tags.len() as u32 - 1
    }

    /// The payload of exception `exn` as values of its tag's parameter types (none for a
    /// free slot, which no reference or handle of this store names).
    pub(crate) fn exn_payload(&self, exn: u32) -> Vec<Val> {
        let e = &self.exns[exn as usize];
        let Some(tag) = self.tags.get(e.tag as usize) else {
            return Vec::new();
        };
        let ty = &self.types[tag.ty as usize];
        let mut out = vec![Val::I32(0); ty.params().len()];
        Val::from_cell_list(ty.params(), &e.payload, &mut out);
        out
    }

    /// How an uncaught exception describes itself: its tag and payload.
    pub(crate) fn describe_exn(&self, exn: u32) -> String {
        let e = &self.exns[exn as usize];
        let payload: Vec<String> = (self.exn_payload(exn).iter())
            .map(|v| format!("{v:?}"))
            .collect();
        format!("tag {} with payload [{}]", e.tag, payload.join(", "))
    }
}
