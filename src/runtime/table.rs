//! Tables of references.

use super::Store;
use crate::error::{Error, Result};
use crate::value::{Cell, TableType, Val};

#[derive(Debug)]
pub(crate) struct TableEntity {
    pub(crate) elems: Vec<Cell>,
    pub(crate) ty: TableType,
    /// The effective maximum: the declared one capped by the engine's configuration.
    pub(crate) max: u32,
}

impl TableEntity {
    pub(crate) fn new(ty: TableType, init: Cell, config_max: u32) -> Result<Self> {
        // Tables hold at most `u32::MAX` elements here, 64-bit ones too (the engine's cap
        // is a `u32`): a larger minimum is a limit error, a larger maximum is never reached.
        let max = ty.limits.max.unwrap_or(u64::MAX).min(u64::from(config_max)) as u32;
        if ty.limits.min > u64::from(max) {
            return Err(Error::Limit(format!(
                "table of {} elements exceeds the limit of {max} elements",
                ty.limits.min
            )));
        }
        Ok(Self {
            elems: vec![init; ty.limits.min as usize],
            ty,
            max,
        })
    }

    pub(crate) fn size(&self) -> u32 {
        self.elems.len() as u32
    }

    /// Grows by `delta` elements set to `init`; returns the old size, or `None` past the maximum.
    pub(crate) fn grow(&mut self, delta: u32, init: Cell) -> Option<u32> {
        let old = self.size();
        let new = old.checked_add(delta)?;
        if new > self.max {
            return None;
        }
        self.elems.try_reserve_exact(delta as usize).ok()?;
        self.elems.resize(new as usize, init);
        Some(old)
    }
}

/// A handle to a table in a [`Store`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Table(pub(crate) u32);

impl Table {
    /// Creates a table filled with `init`, which must match the element type.
    pub fn new<T>(store: &mut Store<T>, ty: TableType, init: Val) -> Result<Table> {
        check_elem(&store.inner, ty, init)?;
        store.inner.check_room(0, 0, 1)?;
        let entity = TableEntity::new(
            ty,
            init.to_cell(),
            store.inner.engine.config().max_table_elements,
        )?;
        store.inner.tables.push(entity);
        Ok(Table(store.inner.tables.len() as u32 - 1))
    }

    /// The table's type, with its current size as the minimum.
    pub fn ty<T>(&self, store: &Store<T>) -> TableType {
        let t = &store.inner.tables[self.0 as usize];
        TableType {
            elem: t.ty.elem,
            limits: crate::Limits {
                min: u64::from(t.size()),
                max: t.ty.limits.max,
            },
            is_64: t.ty.is_64,
        }
    }

    /// Current size in elements.
    pub fn size<T>(&self, store: &Store<T>) -> u32 {
        store.inner.tables[self.0 as usize].size()
    }

    /// Element `index`; `None` past the end.
    pub fn get<T>(&self, store: &Store<T>, index: u32) -> Option<Val> {
        let t = &store.inner.tables[self.0 as usize];
        let cell = *t.elems.get(index as usize)?;
        let val = Val::from_cell(t.ty.elem, cell);
        store.inner.pin_vals(&[val]);
        Some(val)
    }

    /// Sets element `index`; fails past the end or on a value of the wrong type.
    pub fn set<T>(&self, store: &mut Store<T>, index: u32, val: Val) -> Result<()> {
        check_elem(&store.inner, store.inner.tables[self.0 as usize].ty, val)?;
        let t = &mut store.inner.tables[self.0 as usize];
        let slot = t
            .elems
            .get_mut(index as usize)
            .ok_or_else(|| Error::Api(format!("table index {index} out of bounds")))?;
        *slot = val.to_cell();
        Ok(())
    }

    /// Grows by `delta` elements set to `init`; returns the previous size.
    pub fn grow<T>(&self, store: &mut Store<T>, delta: u32, init: Val) -> Result<u32> {
        check_elem(&store.inner, store.inner.tables[self.0 as usize].ty, init)?;
        let t = &mut store.inner.tables[self.0 as usize];
        t.grow(delta, init.to_cell())
            .ok_or_else(|| Error::Api(format!("cannot grow table by {delta} elements")))
    }
}

fn check_elem(store: &super::store::StoreInner, ty: TableType, val: Val) -> Result<()> {
    if !store.val_matches(val, ty.elem) {
        return Err(Error::Api(format!(
            "table of {} cannot hold a {}",
            ty.elem,
            val.ty()
        )));
    }
    Ok(())
}
