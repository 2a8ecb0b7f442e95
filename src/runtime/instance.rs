//! Instances and instantiation: allocate the module's definitions in the store, initialise
//! segments, run the start function.

use super::store::DataSegment;
use super::{
    Extern, Func, FuncEntity, Global, GlobalEntity, Memory, MemoryEntity, Module, Store, Table,
    TableEntity,
};
use crate::binary::{ConstExpr, DataMode, ElemMode, ExternKind, Operator};
use crate::bytecode::CompiledFunc;
use crate::error::{Error, Result, TrapCode};
use crate::ops::NumOp;
use crate::value::{Cell, GlobalType, TableType, Val, ValType};
use std::sync::Arc;

/// The store-side record of an instance: where each of its index spaces points in the store.
#[derive(Debug, Default)]
pub(crate) struct InstanceEntity {
    /// Module type index → interned signature id.
    pub(crate) types: Vec<u32>,
    pub(crate) funcs: Vec<u32>,
    /// Per function index, what a direct `call` needs without going through the store: the
    /// callee's code (when it is a translated Wasm function; `None` for host functions and
    /// for Wasm functions not yet translated, which take the general path) and its instance.
    pub(crate) callees: Vec<Callee>,
    pub(crate) tables: Vec<u32>,
    pub(crate) memories: Vec<u32>,
    pub(crate) globals: Vec<u32>,
    /// Tag index → the tag's store address.
    pub(crate) tags: Vec<u32>,
    pub(crate) elems: Vec<u32>,
    pub(crate) datas: Vec<u32>,
    /// The instantiated module, for its exports (resolved through the index spaces above).
    pub(crate) module: Option<Module>,
}

impl InstanceEntity {
    /// A module's value type in the store's terms: its type index, if any, made the interned id.
    pub(crate) fn store_type(&self, t: ValType) -> ValType {
        t.map_index(|i| self.types.get(i as usize).copied().unwrap_or(i))
    }

    /// The store item behind index `index` of this instance's `kind` index space.
    fn resolve(&self, kind: ExternKind, index: u32) -> Extern {
        let i = index as usize;
        match kind {
            ExternKind::Func => Extern::Func(Func(self.funcs[i])),
            ExternKind::Table => Extern::Table(Table(self.tables[i])),
            ExternKind::Memory => Extern::Memory(Memory(self.memories[i])),
            ExternKind::Global => Extern::Global(Global(self.globals[i])),
            ExternKind::Tag => Extern::Tag(super::Tag(self.tags[i])),
        }
    }
}

/// A direct call's target, cached in the calling instance (see `InstanceEntity::callees`).
#[derive(Clone, Debug)]
pub(crate) struct Callee {
    pub(crate) code: Option<Arc<CompiledFunc>>,
    pub(crate) instance: u32,
    /// What a direct call's fast path reads of `code`, copied here so that it reads this
    /// entry alone: one dependent load fewer before the callee's first instruction is known
    /// (the call's new instruction pointer is on the path everything after it waits for).
    /// `code`'s `enter_room`, or `u32::MAX` (which never fits) without code.
    pub(crate) enter_room: u32,
    /// `code`'s `num_params`.
    pub(crate) num_params: u32,
    /// The address of `code`'s first instruction, its provenance exposed (`Callee` stays
    /// `Send` and `Sync` as a plain number); 0 without code.
    pub(crate) entry: usize,
}

impl Callee {
    pub(crate) fn new(code: Option<Arc<CompiledFunc>>, instance: u32) -> Callee {
        let (enter_room, num_params, entry) = match &code {
            Some(c) => (
                c.enter_room,
                c.num_params,
                c.code.as_ptr().expose_provenance(),
            ),
            None => (u32::MAX, 0, 0),
        };
        Callee {
            code,
            instance,
            enter_room,
            num_params,
            entry,
        }
    }
}

/// A handle to an instantiated module in a [`Store`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Instance(pub(crate) u32);

impl Instance {
    /// The item exported as `name`, if any.
    pub fn get_export<T>(&self, store: &Store<T>, name: &str) -> Option<Extern> {
        let inst = &store.inner.instances[self.0 as usize];
        let module = &inst.module.as_ref()?.inner;
        let export = &module.info.exports[*module.export_index.get(name)?];
        Some(inst.resolve(export.kind, export.index))
    }

    /// The function exported as `name`, if any.
    pub fn get_func<T>(&self, store: &Store<T>, name: &str) -> Option<Func> {
        self.get_export(store, name)?.into_func()
    }

    /// An exported function with a statically checked signature.
    pub fn get_typed_func<Params: super::WasmParams, Results: super::WasmResults>(
        &self,
        store: &Store<impl Sized>,
        name: &str,
    ) -> Result<super::TypedFunc<Params, Results>> {
        let func = self
            .get_func(store, name)
            .ok_or_else(|| Error::Api(format!("no exported function `{name}`")))?;
        func.typed(store)
    }

    /// The memory exported as `name`, if any.
    pub fn get_memory<T>(&self, store: &Store<T>, name: &str) -> Option<Memory> {
        self.get_export(store, name)?.into_memory()
    }

    /// The table exported as `name`, if any.
    pub fn get_table<T>(&self, store: &Store<T>, name: &str) -> Option<Table> {
        self.get_export(store, name)?.into_table()
    }

    /// The global exported as `name`, if any.
    pub fn get_global<T>(&self, store: &Store<T>, name: &str) -> Option<Global> {
        self.get_export(store, name)?.into_global()
    }

    /// The index of `func` in this instance's function index space (imports first).
    pub fn func_index<T>(&self, store: &Store<T>, func: Func) -> Option<u32> {
        let funcs = &store.inner.instances[self.0 as usize].funcs;
        funcs.iter().position(|&f| f == func.0).map(|i| i as u32)
    }

    /// Every export, by name.
    pub fn exports<T>(&self, store: &Store<T>) -> Vec<(String, Extern)> {
        let inst = &store.inner.instances[self.0 as usize];
        let Some(module) = &inst.module else {
            return Vec::new();
        };
        let mut all: Vec<_> = (module.inner.info.exports.iter())
            .map(|e| (e.name.clone(), inst.resolve(e.kind, e.index)))
            .collect();
        all.sort_by(|a, b| a.0.cmp(&b.0));
        all
    }

    /// Instantiates `module` with `imports` already resolved and type-checked, in import order.
    pub(crate) fn instantiate<T>(
        store: &mut Store<T>,
        module: &Module,
        imports: Vec<Extern>,
    ) -> Result<Instance> {
        let info = &module.inner.info;
        store.inner.check_room(
            1,
            info.memories.len() - info.num_imported_memories as usize,
            info.tables.len() - info.num_imported_tables as usize,
        )?;
        // Once per module, not per instance: the list only keeps code alive during runs.
        if !(store.inner.modules.iter()).any(|m| Arc::ptr_eq(&m.inner, &module.inner)) {
            Arc::make_mut(&mut store.inner.modules).push(module.clone());
        }
        let config = store.inner.engine.config().clone();
        let index = store.inner.instances.len() as u32;
        let mut inst = InstanceEntity {
            types: store.inner.intern_module_types(&module.inner),
            ..Default::default()
        };
        for import in imports {
            match import {
                Extern::Func(f) => inst.funcs.push(f.0),
                Extern::Table(t) => inst.tables.push(t.0),
                Extern::Memory(m) => inst.memories.push(m.0),
                Extern::Global(g) => inst.globals.push(g.0),
                Extern::Tag(t) => inst.tags.push(t.0),
            }
        }
        // Tags are generative: every instantiation makes new ones.
        for &ty in &info.tags[info.num_imported_tags as usize..] {
            let tag = store.inner.add_tag(inst.types[ty as usize]);
            inst.tags.push(tag);
        }
        for i in 0..module.inner.funcs.len() {
            let ty = inst.types[info.funcs[info.num_imported_funcs as usize + i] as usize];
            let addr = store.inner.push_func(FuncEntity::Wasm {
                ty,
                instance: index,
                module: module.clone(),
                index: i as u32,
            });
            inst.funcs.push(addr);
        }
        inst.callees = inst
            .funcs
            .iter()
            .map(|&addr| match &store.inner.funcs[addr as usize] {
                FuncEntity::Wasm {
                    module,
                    index,
                    instance,
                    ..
                } => Callee::new(module.translated(*index as usize).cloned(), *instance),
                FuncEntity::Host { .. } => Callee::new(None, index),
            })
            .collect();
        let defined_tables = &info.tables[info.num_imported_tables as usize..];
        for (i, ty) in defined_tables.iter().enumerate() {
            let init = match info.table_inits.get(i).and_then(Option::as_ref) {
                Some(init) => eval_const(store, &inst, init)?,
                None => 0,
            };
            let ty = TableType {
                elem: inst.store_type(ty.elem),
                ..*ty
            };
            store
                .inner
                .tables
                .push(TableEntity::new(ty, init, config.max_table_elements)?);
            inst.tables.push(store.inner.tables.len() as u32 - 1);
        }
        for ty in &info.memories[info.num_imported_memories as usize..] {
            store
                .inner
                .memories
                .push(MemoryEntity::new(*ty, config.max_memory_pages)?);
            inst.memories.push(store.inner.memories.len() as u32 - 1);
        }
        let defined_globals = &info.globals[info.num_imported_globals as usize..];
        for (ty, init) in defined_globals.iter().zip(&info.global_inits) {
            let [value, hi] = eval_const_cells(store, &inst, init)?;
            let ty = GlobalType {
                content: inst.store_type(ty.content),
                ..*ty
            };
            store.inner.globals.push(GlobalEntity { ty, value, hi });
            inst.globals.push(store.inner.globals.len() as u32 - 1);
        }
        inst.module = Some(module.clone());
        for seg in &info.elems {
            let items = seg
                .items
                .iter()
                .map(|e| eval_const(store, &inst, e))
                .collect::<Result<Vec<_>>>()?;
            store.inner.elems.push(items);
            inst.elems.push(store.inner.elems.len() as u32 - 1);
        }
        for seg in &info.datas {
            store
                .inner
                .datas
                .push(DataSegment::new(module, seg.data.clone()));
            inst.datas.push(store.inner.datas.len() as u32 - 1);
        }

        // From here on the instance is visible in the store: a trap while initialising segments
        // leaves the writes already done to imported tables and memories in place, as the spec says.
        let start = info.start.map(|s| Func(inst.funcs[s as usize]));
        let offsets = info
            .elems
            .iter()
            .map(|seg| match &seg.mode {
                ElemMode::Active { offset, .. } => eval_const(store, &inst, offset).map(Some),
                _ => Ok(None),
            })
            .collect::<Result<Vec<_>>>()?;
        let data_offsets = info
            .datas
            .iter()
            .map(|seg| match &seg.mode {
                DataMode::Active { offset, .. } => eval_const(store, &inst, offset).map(Some),
                DataMode::Passive => Ok(None),
            })
            .collect::<Result<Vec<_>>>()?;
        // Before any of its code runs: the interpreter stores through the memory's base
        // pointer, which a recycled reservation does not see (see `LinearMemory::base_ptr`).
        if module.inner.stores_to_memory {
            for &m in &inst.memories {
                store.inner.memories[m as usize].data.mark_guest_writable();
            }
        }
        store.inner.instances.push(inst);
        let instance = Instance(index);

        // The store's ids of the instance's segments, tables and memories, read in place.
        let inner = &mut store.inner;
        for (i, seg) in info.elems.iter().enumerate() {
            let id = inner.instances[index as usize].elems[i] as usize;
            match &seg.mode {
                ElemMode::Active { table, .. } => {
                    let table_id = inner.instances[index as usize].tables[*table as usize];
                    let items = std::mem::take(&mut inner.elems[id]);
                    let table = &mut inner.tables[table_id as usize];
                    let offset = crate::value::index_cell(offsets[i].unwrap_or(0), table.ty.is_64);
                    init_range(&mut table.elems, offset, &items, TrapCode::TableOutOfBounds)?;
                }
                ElemMode::Declarative => inner.elems[id].clear(),
                ElemMode::Passive => {}
            }
        }
        for (i, seg) in info.datas.iter().enumerate() {
            if let DataMode::Active { memory, .. } = &seg.mode {
                let inst = &inner.instances[index as usize];
                let (id, memory_id) = (inst.datas[i] as usize, inst.memories[*memory as usize]);
                let bytes = std::mem::take(&mut inner.datas[id]);
                let mem = &mut inner.memories[memory_id as usize];
                let offset = crate::value::index_cell(data_offsets[i].unwrap_or(0), mem.ty.is_64);
                // Through `range_mut`, so that only the segment's bytes count as written.
                let src = bytes.bytes();
                let range = usize::try_from(offset)
                    .ok()
                    .and_then(|start| Some(start..start.checked_add(src.len())?));
                let dst = range.and_then(|r| mem.data.range_mut(r));
                dst.ok_or(TrapCode::MemoryOutOfBounds)?.copy_from_slice(src);
            }
        }
        if let Some(start) = start {
            start.call(store, &[], &mut [])?;
        }
        Ok(instance)
    }
}

/// Copies `src` into `dst[offset..]`, trapping with `trap` if it does not fit.
fn init_range<V: Copy>(dst: &mut [V], offset: u64, src: &[V], trap: TrapCode) -> Result<()> {
    let range = usize::try_from(offset)
        .ok()
        .and_then(|start| Some(start..start.checked_add(src.len())?));
    match range.and_then(|r| dst.get_mut(r)) {
        Some(range) => {
            range.copy_from_slice(src);
            Ok(())
        }
        None => Err(trap.into()),
    }
}

/// Evaluates a validated constant expression in the context of a (partially built) instance.
pub(crate) fn eval_const<T>(
    store: &Store<T>,
    inst: &InstanceEntity,
    expr: &ConstExpr,
) -> Result<Cell> {
    eval_const_cells(store, inst, expr).map(|[lo, _]| lo)
}

/// [`eval_const`] giving both cells, for a `v128` result (the high cell is 0 for other types).
pub(crate) fn eval_const_cells<T>(
    store: &Store<T>,
    inst: &InstanceEntity,
    expr: &ConstExpr,
) -> Result<[Cell; 2]> {
    let mut stack: smallvec::SmallVec<[[Cell; 2]; 2]> = smallvec::SmallVec::new();
    for op in &expr.ops {
        let value = match op {
            Operator::I32Const(v) => [Val::I32(*v).to_cell(), 0],
            Operator::I64Const(v) => [*v as u64, 0],
            Operator::F32Const(bits) => [*bits as u64, 0],
            Operator::F64Const(bits) => [*bits, 0],
            Operator::Simd(_, crate::simd::SimdImm::Bytes(b)) => {
                let v = u128::from_le_bytes(*b);
                [v as Cell, (v >> 64) as Cell]
            }
            Operator::RefNull(_) => [0, 0],
            Operator::RefFunc(f) => [inst.funcs[*f as usize] as u64 + 1, 0],
            Operator::GlobalGet(g) => {
                let g = &store.inner.globals[inst.globals[*g as usize] as usize];
                [g.value, g.hi]
            }
            // Extended constant expressions: wrapping integer arithmetic, as in code.
            &Operator::Num(op) => {
                let (Some([b, _]), Some([a, _])) = (stack.pop(), stack.pop()) else {
                    return Err(Error::Api(format!("{} without operands", op.name())));
                };
                [const_arith(op, a, b)?, 0]
            }
            other => {
                return Err(Error::Api(format!(
                    "instruction {other:?} in a constant expression"
                )))
            }
        };
        stack.push(value);
    }
    stack
        .pop()
        .ok_or_else(|| Error::Api("empty constant expression".into()))
}

/// `a op b` for an arithmetic instruction of an extended constant expression, on cells: the
/// same wrapping semantics code gets ([`crate::numeric`]).
fn const_arith(op: NumOp, a: Cell, b: Cell) -> Result<Cell> {
    use crate::numeric::{self as n, CellVal};
    let i32s = |f: fn(i32, i32) -> i32| f(i32::from_cell(a), i32::from_cell(b)).into_cell();
    let i64s = |f: fn(i64, i64) -> i64| f(i64::from_cell(a), i64::from_cell(b)).into_cell();
    Ok(match op {
        NumOp::I32Add => i32s(n::i32_add),
        NumOp::I32Sub => i32s(n::i32_sub),
        NumOp::I32Mul => i32s(n::i32_mul),
        NumOp::I64Add => i64s(n::i64_add),
        NumOp::I64Sub => i64s(n::i64_sub),
        NumOp::I64Mul => i64s(n::i64_mul),
        other => {
            return Err(Error::Api(format!(
                "{} in a constant expression",
                other.name()
            )))
        }
    })
}
