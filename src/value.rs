//! Value types, function types and runtime values.
//!
//! At run time every value lives in an untyped 64-bit register cell ([`Cell`]); the validator
//! guarantees that each cell is only ever read at the type it was written with, so the
//! interpreter never needs a type tag. [`Val`] is the typed form used at the API boundary.

use std::fmt;
use std::sync::Arc;

/// The untyped 64-bit register cell: i32/f32 are zero-extended bit patterns, i64/f64 their bits,
/// references are `0` for null and `index + 1` otherwise.
pub type Cell = u64;

/// A WebAssembly value type.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ValType {
    /// 32-bit integer.
    I32,
    /// 64-bit integer.
    I64,
    /// 32-bit IEEE 754 float.
    F32,
    /// 64-bit IEEE 754 float.
    F64,
    /// 128-bit vector (SIMD).
    V128,
    /// A reference to a function, or null.
    FuncRef,
    /// An opaque host reference, or null.
    ExternRef,
    /// An exception reference, or null (`(ref null exn)`).
    ExnRef,
    /// Any other reference type of the typed function references proposal: non-null
    /// references, bottom types and concrete type indices. Build it with
    /// [`ValType::reference`], which keeps `(ref null func)` as [`ValType::FuncRef`] (and the
    /// same for `extern` and `exn`), so equal types compare equal.
    Ref(RefType),
}

/// The heap type of a reference: what it may point to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum HeapType {
    /// Any function.
    Func,
    /// Any host reference.
    Extern,
    /// Any exception.
    Exn,
    /// The bottom of the function types: no function (only null has it).
    NoFunc,
    /// The bottom of the host references.
    NoExtern,
    /// The bottom of the exception references.
    NoExn,
    /// A function of the type at this index: the module's type index inside a module, the
    /// store's interned signature id in a store's entities.
    Concrete(u32),
}

impl HeapType {
    /// The abstract heap type at the top of this one's hierarchy (`func`, `extern` or `exn`).
    pub fn top(self) -> HeapType {
        match self {
            HeapType::Func | HeapType::NoFunc | HeapType::Concrete(_) => HeapType::Func,
            HeapType::Extern | HeapType::NoExtern => HeapType::Extern,
            HeapType::Exn | HeapType::NoExn => HeapType::Exn,
        }
    }

    /// The bottom heap type of this one's hierarchy.
    pub fn bottom(self) -> HeapType {
        match self.top() {
            HeapType::Func => HeapType::NoFunc,
            HeapType::Extern => HeapType::NoExtern,
            _ => HeapType::NoExn,
        }
    }
}

impl fmt::Display for HeapType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HeapType::Func => f.write_str("func"),
            HeapType::Extern => f.write_str("extern"),
            HeapType::Exn => f.write_str("exn"),
            HeapType::NoFunc => f.write_str("nofunc"),
            HeapType::NoExtern => f.write_str("noextern"),
            HeapType::NoExn => f.write_str("noexn"),
            HeapType::Concrete(i) => write!(f, "{i}"),
        }
    }
}

/// A reference type `(ref null? heaptype)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct RefType {
    /// Whether null is a value of the type.
    pub nullable: bool,
    /// What a non-null reference points to.
    pub heap: HeapType,
}

impl ValType {
    /// The reference type `(ref null? heap)`, in its one canonical form: the nullable abstract
    /// `func`, `extern` and `exn` are [`ValType::FuncRef`], [`ValType::ExternRef`] and
    /// [`ValType::ExnRef`].
    pub fn reference(nullable: bool, heap: HeapType) -> ValType {
        match (nullable, heap) {
            (true, HeapType::Func) => ValType::FuncRef,
            (true, HeapType::Extern) => ValType::ExternRef,
            (true, HeapType::Exn) => ValType::ExnRef,
            _ => ValType::Ref(RefType { nullable, heap }),
        }
    }

    /// The reference type this is, if it is one.
    pub fn as_ref_type(self) -> Option<RefType> {
        let abs = |heap| {
            Some(RefType {
                nullable: true,
                heap,
            })
        };
        match self {
            ValType::FuncRef => abs(HeapType::Func),
            ValType::ExternRef => abs(HeapType::Extern),
            ValType::ExnRef => abs(HeapType::Exn),
            ValType::Ref(r) => Some(r),
            _ => None,
        }
    }

    /// Whether this is a reference type.
    pub fn is_ref(self) -> bool {
        self.as_ref_type().is_some()
    }

    /// Whether locals of this type start with a default value (all but non-null references).
    pub fn is_defaultable(self) -> bool {
        !matches!(
            self,
            ValType::Ref(RefType {
                nullable: false,
                ..
            })
        )
    }

    /// The concrete type index this type names, if any (`(ref null? $t)`).
    pub(crate) fn type_index(self) -> Option<u32> {
        match self {
            ValType::Ref(RefType {
                heap: HeapType::Concrete(i),
                ..
            }) => Some(i),
            _ => None,
        }
    }

    /// The same type with its concrete type index, if any, replaced through `f`.
    pub(crate) fn map_index(self, f: impl FnOnce(u32) -> u32) -> ValType {
        match self {
            ValType::Ref(RefType {
                nullable,
                heap: HeapType::Concrete(i),
            }) => ValType::Ref(RefType {
                nullable,
                heap: HeapType::Concrete(f(i)),
            }),
            t => t,
        }
    }

    /// How many 64-bit register cells a value of this type occupies: 2 for `v128`, else 1.
    pub(crate) const fn cells(self) -> u32 {
        1 + matches!(self, ValType::V128) as u32
    }
}

impl fmt::Display for ValType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ValType::I32 => "i32",
            ValType::I64 => "i64",
            ValType::F32 => "f32",
            ValType::F64 => "f64",
            ValType::V128 => "v128",
            ValType::FuncRef => "funcref",
            ValType::ExternRef => "externref",
            ValType::ExnRef => "exnref",
            ValType::Ref(r) => {
                let null = if r.nullable { "null " } else { "" };
                return write!(f, "(ref {null}{})", r.heap);
            }
        })
    }
}

/// A short list of value types that is either borrowed or a single inline type (a block's
/// result type), so that it can be passed around by copy without allocating.
#[derive(Clone, Copy, Debug)]
pub(crate) enum TypeList<'a> {
    /// Borrowed from a function type.
    Slice(&'a [ValType]),
    /// A single type (a block type `[] -> [t]`).
    One(ValType),
}

impl std::ops::Deref for TypeList<'_> {
    type Target = [ValType];
    fn deref(&self) -> &[ValType] {
        match self {
            TypeList::Slice(s) => s,
            TypeList::One(t) => std::slice::from_ref(t),
        }
    }
}

impl PartialEq for TypeList<'_> {
    fn eq(&self, other: &Self) -> bool {
        **self == **other
    }
}

/// A function signature. Cloning it shares the type lists (each store interns the types of
/// every module instantiated in it).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Default)]
pub struct FuncType {
    params: Arc<[ValType]>,
    results: Arc<[ValType]>,
    /// Register cells the parameters and the results occupy (a `v128` takes two).
    cells: (u32, u32),
}

impl FuncType {
    /// Creates a signature from parameter and result types.
    ///
    /// ```
    /// use regwasm::{FuncType, ValType};
    /// let ty = FuncType::new([ValType::I32], [ValType::I64]);
    /// assert_eq!(ty.params(), &[ValType::I32]);
    /// ```
    pub fn new(
        params: impl IntoIterator<Item = ValType>,
        results: impl IntoIterator<Item = ValType>,
    ) -> Self {
        let params: Arc<[ValType]> = params.into_iter().collect();
        let results: Arc<[ValType]> = results.into_iter().collect();
        let count = |types: &[ValType]| types.iter().map(|t| t.cells()).sum();
        let cells = (count(&params), count(&results));
        Self {
            params,
            results,
            cells,
        }
    }

    /// Register cells the parameters occupy.
    pub(crate) fn param_cells(&self) -> u32 {
        self.cells.0
    }

    /// Register cells the results occupy.
    pub(crate) fn result_cells(&self) -> u32 {
        self.cells.1
    }

    /// The parameter types, in order.
    pub fn params(&self) -> &[ValType] {
        &self.params
    }

    /// The result types, in order.
    pub fn results(&self) -> &[ValType] {
        &self.results
    }
}

impl fmt::Display for FuncType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let list = |v: &[ValType]| {
            v.iter()
                .map(|t| t.to_string())
                .collect::<Vec<_>>()
                .join(" ")
        };
        write!(f, "[{}] -> [{}]", list(&self.params), list(&self.results))
    }
}

/// Size limits of a memory (in pages) or a table (in elements). 64 bits wide, as memory64's
/// memories and tables may exceed `u32::MAX` pages or elements; validation bounds a 32-bit
/// memory or table to the 32-bit range.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Limits {
    /// The initial (and least) size.
    pub min: u64,
    /// The size it may grow to, if bounded.
    pub max: Option<u64>,
}

/// The type of a table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct TableType {
    /// `FuncRef` or `ExternRef`.
    pub elem: ValType,
    /// Size in elements.
    pub limits: Limits,
    /// Whether its indices are `i64` (memory64's table64) rather than `i32`.
    pub is_64: bool,
}

impl TableType {
    /// A table of `elem` with 32-bit indices.
    pub fn new(elem: ValType, min: u64, max: Option<u64>) -> TableType {
        TableType {
            elem,
            limits: Limits { min, max },
            is_64: false,
        }
    }

    /// The same table type with 64-bit (`true`) or 32-bit indices.
    pub fn with_64(self, is_64: bool) -> TableType {
        TableType { is_64, ..self }
    }

    /// The type of the table's indices, sizes and lengths: `I64` for a 64-bit table.
    pub fn index_type(&self) -> ValType {
        if self.is_64 {
            ValType::I64
        } else {
            ValType::I32
        }
    }
}

/// The type of a linear memory.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct MemoryType {
    /// Size in pages (of `1 << page_size_log2` bytes).
    pub limits: Limits,
    /// Whether its addresses are `i64` (memory64) rather than `i32`.
    pub is_64: bool,
    /// The page size as a power of two: 16 (64 KiB, the default) or 0 (one byte, from the
    /// custom-page-sizes proposal).
    pub page_size_log2: u8,
}

impl MemoryType {
    /// A 32-bit memory of 64 KiB pages.
    pub fn new(min: u64, max: Option<u64>) -> MemoryType {
        MemoryType {
            limits: Limits { min, max },
            is_64: false,
            page_size_log2: 16,
        }
    }

    /// The same memory type with 64-bit (`true`) or 32-bit addresses.
    pub fn with_64(self, is_64: bool) -> MemoryType {
        MemoryType { is_64, ..self }
    }

    /// The same memory type with pages of `1 << log2` bytes (16 or 0 are valid).
    pub fn with_page_size_log2(self, log2: u8) -> MemoryType {
        MemoryType {
            page_size_log2: log2,
            ..self
        }
    }

    /// Bytes in one page.
    pub fn page_size(&self) -> u64 {
        1u64 << self.page_size_log2.min(63)
    }

    /// The type of the memory's addresses and sizes: `I64` for a 64-bit memory.
    pub fn index_type(&self) -> ValType {
        if self.is_64 {
            ValType::I64
        } else {
            ValType::I32
        }
    }

    /// The most pages the spec allows a memory of this type to declare: 4 GiB of addresses
    /// for a 32-bit memory, 2^64 bytes for a 64-bit one (2^48 pages of 64 KiB). With 1-byte
    /// pages the count itself must fit the index type (2^32 - 1, 2^64 - 1), as the
    /// custom-page-sizes proposal has it.
    pub fn max_pages_allowed(&self) -> u64 {
        let bits = if self.is_64 { 64 } else { 32 };
        let log2 = u32::from(self.page_size_log2.min(16));
        if log2 == 0 {
            u64::MAX >> (64 - bits)
        } else {
            1u64 << (bits - log2)
        }
    }
}

/// An address, index, length or segment offset operand of a memory or table with 64-bit
/// (`is_64`) or 32-bit indices: an `i32`'s cell is read as its low 32 bits.
#[inline]
pub(crate) fn index_cell(cell: Cell, is_64: bool) -> u64 {
    if is_64 {
        cell
    } else {
        cell as u32 as u64
    }
}

impl fmt::Display for Limits {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.max {
            Some(max) => write!(f, "{} {max}", self.min),
            None => write!(f, "{}", self.min),
        }
    }
}

impl fmt::Display for MemoryType {
    /// As the text format writes it: `i64 1 2 (pagesize 1)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_64 {
            f.write_str("i64 ")?;
        }
        write!(f, "{}", self.limits)?;
        if self.page_size_log2 != 16 {
            write!(f, " (pagesize {})", self.page_size())?;
        }
        Ok(())
    }
}

/// The type of a global variable.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct GlobalType {
    /// The type of the value.
    pub content: ValType,
    /// Whether `global.set` may change it.
    pub mutable: bool,
}

/// An opaque host reference passed through Wasm as `externref`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ExternRef(pub u32);

/// A typed WebAssembly value as seen by the host.
///
/// Floats are kept as their bit patterns so NaN payloads survive a round trip.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Val {
    /// An `i32`.
    I32(i32),
    /// An `i64`.
    I64(i64),
    /// An `f32` as its IEEE 754 bits.
    F32(u32),
    /// An `f64` as its IEEE 754 bits.
    F64(u64),
    /// A `v128`, lane 0 in the low bits.
    V128(u128),
    /// A function reference; `None` is null.
    FuncRef(Option<crate::Func>),
    /// A host reference; `None` is null.
    ExternRef(Option<ExternRef>),
    /// An exception reference; `None` is null.
    ExnRef(Option<crate::Exn>),
}

impl Val {
    /// The type of this value.
    pub fn ty(&self) -> ValType {
        match self {
            Val::I32(_) => ValType::I32,
            Val::I64(_) => ValType::I64,
            Val::F32(_) => ValType::F32,
            Val::F64(_) => ValType::F64,
            Val::V128(_) => ValType::V128,
            Val::FuncRef(_) => ValType::FuncRef,
            Val::ExternRef(_) => ValType::ExternRef,
            Val::ExnRef(_) => ValType::ExnRef,
        }
    }

    /// Whether the value has type `ty` or a subtype of it; `concrete(f, t)` answers whether
    /// function `f` has the concrete type `t` (or one below it).
    pub(crate) fn fits(&self, ty: ValType, concrete: impl Fn(crate::Func, u32) -> bool) -> bool {
        if self.ty() == ty {
            return true;
        }
        let Some(r) = ty.as_ref_type() else {
            return false;
        };
        match *self {
            Val::FuncRef(None) => r.nullable && r.heap.top() == HeapType::Func,
            Val::ExternRef(None) => r.nullable && r.heap.top() == HeapType::Extern,
            Val::FuncRef(Some(f)) => match r.heap {
                HeapType::Func => true,
                HeapType::Concrete(t) => concrete(f, t),
                _ => false,
            },
            Val::ExternRef(Some(_)) => r.heap == HeapType::Extern,
            _ => false,
        }
    }

    /// The default (zero or null) value of a type.
    pub fn default_of(ty: ValType) -> Val {
        match ty {
            ValType::I32 => Val::I32(0),
            ValType::I64 => Val::I64(0),
            ValType::F32 => Val::F32(0),
            ValType::F64 => Val::F64(0),
            ValType::V128 => Val::V128(0),
            ValType::ExnRef => Val::ExnRef(None),
            // A non-null type has no default; its null is what the host sees before a value
            // is set.
            t => match t.as_ref_type().map(|r| r.heap.top()) {
                Some(HeapType::Func) => Val::FuncRef(None),
                Some(HeapType::Exn) => Val::ExnRef(None),
                _ => Val::ExternRef(None),
            },
        }
    }

    /// Encodes the value into its register cells (two for a `v128`, low half first).
    pub(crate) fn push_cells(self, out: &mut impl Extend<Cell>) {
        match self {
            Val::V128(v) => out.extend([v as Cell, (v >> 64) as Cell]),
            other => out.extend([other.to_cell()]),
        }
    }

    /// Decodes the value of type `ty` that starts at `cells[0]`; missing cells read as zero.
    pub(crate) fn from_cells(ty: ValType, cells: &[Cell]) -> Val {
        let cell = |i: usize| cells.get(i).copied().unwrap_or(0);
        match ty {
            ValType::V128 => Val::V128(cell(0) as u128 | (cell(1) as u128) << 64),
            _ => Val::from_cell(ty, cell(0)),
        }
    }

    /// Decodes values of `types` laid out one after another in `cells`.
    pub(crate) fn from_cell_list(types: &[ValType], cells: &[Cell], out: &mut [Val]) {
        let mut at = 0;
        for (slot, &t) in out.iter_mut().zip(types) {
            *slot = Val::from_cells(t, cells.get(at..).unwrap_or(&[]));
            at += t.cells() as usize;
        }
    }

    /// Encodes the value into one register cell (a `v128` needs [`Val::push_cells`]; here it
    /// gives its low half).
    pub(crate) fn to_cell(self) -> Cell {
        match self {
            Val::V128(v) => v as Cell,
            Val::I32(v) => v as u32 as u64,
            Val::I64(v) => v as u64,
            Val::F32(v) => v as u64,
            Val::F64(v) => v,
            Val::FuncRef(f) => f.map_or(0, |f| f.0 as u64 + 1),
            Val::ExternRef(r) => r.map_or(0, |r| r.0 as u64 + 1),
            Val::ExnRef(e) => e.map_or(0, |e| e.0 as u64 + 1),
        }
    }

    /// Decodes a register cell known to hold a value of type `ty`.
    pub(crate) fn from_cell(ty: ValType, cell: Cell) -> Val {
        match ty {
            ValType::I32 => Val::I32(cell as u32 as i32),
            ValType::I64 => Val::I64(cell as i64),
            ValType::F32 => Val::F32(cell as u32),
            ValType::F64 => Val::F64(cell),
            ValType::V128 => Val::V128(cell as u128),
            t => match t.as_ref_type().map(|r| r.heap.top()) {
                Some(HeapType::Func) => Val::FuncRef(ref_index(cell).map(crate::Func)),
                Some(HeapType::Exn) => Val::ExnRef(ref_index(cell).map(crate::Exn)),
                _ => Val::ExternRef(ref_index(cell).map(ExternRef)),
            },
        }
    }

    /// The value if it is an `i32`.
    pub fn i32(&self) -> Option<i32> {
        match self {
            Val::I32(v) => Some(*v),
            _ => None,
        }
    }

    /// The value if it is an `i64`.
    pub fn i64(&self) -> Option<i64> {
        match self {
            Val::I64(v) => Some(*v),
            _ => None,
        }
    }

    /// The value if it is an `f32`.
    pub fn f32(&self) -> Option<f32> {
        match self {
            Val::F32(v) => Some(f32::from_bits(*v)),
            _ => None,
        }
    }

    /// The value if it is a `v128`.
    pub fn v128(&self) -> Option<u128> {
        match self {
            Val::V128(v) => Some(*v),
            _ => None,
        }
    }

    /// The value if it is an `f64`.
    pub fn f64(&self) -> Option<f64> {
        match self {
            Val::F64(v) => Some(f64::from_bits(*v)),
            _ => None,
        }
    }
}

/// The store index held by a non-null reference cell.
pub(crate) fn ref_index(cell: Cell) -> Option<u32> {
    (cell != 0).then(|| (cell - 1) as u32)
}

impl From<i32> for Val {
    fn from(v: i32) -> Val {
        Val::I32(v)
    }
}
impl From<i64> for Val {
    fn from(v: i64) -> Val {
        Val::I64(v)
    }
}
impl From<f32> for Val {
    fn from(v: f32) -> Val {
        Val::F32(v.to_bits())
    }
}
impl From<u128> for Val {
    fn from(v: u128) -> Val {
        Val::V128(v)
    }
}
impl From<f64> for Val {
    fn from(v: f64) -> Val {
        Val::F64(v.to_bits())
    }
}
