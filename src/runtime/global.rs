//! Global variables.

use super::Store;
use crate::error::{Error, Result};
use crate::value::{Cell, GlobalType, Val};

#[derive(Debug)]
pub(crate) struct GlobalEntity {
    pub(crate) ty: GlobalType,
    pub(crate) value: Cell,
    /// The high half of a `v128` value (0 for other types).
    pub(crate) hi: Cell,
}

/// A handle to a global variable in a [`Store`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Global(pub(crate) u32);

impl Global {
    /// Creates a global; `init` must have the global's content type.
    pub fn new<T>(store: &mut Store<T>, ty: GlobalType, init: Val) -> Result<Global> {
        if !store.inner.val_matches(init, ty.content) {
            return Err(Error::Api(format!(
                "global of type {} initialised with a {}",
                ty.content,
                init.ty()
            )));
        }
        let [value, hi] = cells_of(init);
        store.inner.globals.push(GlobalEntity { ty, value, hi });
        Ok(Global(store.inner.globals.len() as u32 - 1))
    }

    /// The global's type.
    pub fn ty<T>(&self, store: &Store<T>) -> GlobalType {
        store.inner.globals[self.0 as usize].ty
    }

    /// The global's current value.
    pub fn get<T>(&self, store: &Store<T>) -> Val {
        let g = &store.inner.globals[self.0 as usize];
        let val = Val::from_cells(g.ty.content, &[g.value, g.hi]);
        store.inner.pin_vals(&[val]);
        val
    }

    /// Sets a mutable global; fails on an immutable one or a value of the wrong type.
    pub fn set<T>(&self, store: &mut Store<T>, val: Val) -> Result<()> {
        let content = store.inner.globals[self.0 as usize].ty.content;
        let fits = store.inner.val_matches(val, content);
        let g = &mut store.inner.globals[self.0 as usize];
        if !g.ty.mutable {
            return Err(Error::Api("cannot set an immutable global".into()));
        }
        if !fits {
            return Err(Error::Api(format!(
                "global of type {} set to a {}",
                g.ty.content,
                val.ty()
            )));
        }
        [g.value, g.hi] = cells_of(val);
        Ok(())
    }
}

/// A value as the two cells a global keeps.
fn cells_of(val: Val) -> [Cell; 2] {
    let mut cells = smallvec::SmallVec::<[Cell; 2]>::new();
    val.push_cells(&mut cells);
    [cells[0], cells.get(1).copied().unwrap_or(0)]
}
