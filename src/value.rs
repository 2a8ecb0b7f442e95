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
    /// A reference to a caught exception, or null: `(ref null exn)` (exception handling).
    ExnRef,
}

impl ValType {
    /// Whether this is a reference type (`funcref` or `externref`).
    pub fn is_ref(self) -> bool {
        matches!(
            self,
            ValType::FuncRef | ValType::ExternRef | ValType::ExnRef
        )
    }

    /// The one-element type list `[self]`, as a `'static` slice (no allocation).
    pub(crate) fn one(self) -> &'static [ValType] {
        use ValType::*;
        match self {
            I32 => &[I32],
            I64 => &[I64],
            F32 => &[F32],
            F64 => &[F64],
            V128 => &[V128],
            FuncRef => &[FuncRef],
            ExternRef => &[ExternRef],
            ExnRef => &[ExnRef],
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
        })
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

/// Size limits of a memory (in 64 KiB pages) or a table (in elements).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Limits {
    /// The initial (and least) size.
    pub min: u32,
    /// The size it may grow to, if bounded.
    pub max: Option<u32>,
}

/// The type of a table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct TableType {
    /// `FuncRef` or `ExternRef`.
    pub elem: ValType,
    /// Size in elements.
    pub limits: Limits,
}

/// The type of a linear memory.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct MemoryType {
    /// Size in pages of 64 KiB.
    pub limits: Limits,
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

    /// The default (zero or null) value of a type.
    pub fn default_of(ty: ValType) -> Val {
        match ty {
            ValType::I32 => Val::I32(0),
            ValType::I64 => Val::I64(0),
            ValType::F32 => Val::F32(0),
            ValType::F64 => Val::F64(0),
            ValType::V128 => Val::V128(0),
            ValType::FuncRef => Val::FuncRef(None),
            ValType::ExternRef => Val::ExternRef(None),
            ValType::ExnRef => Val::ExnRef(None),
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
            ValType::FuncRef => Val::FuncRef(ref_index(cell).map(crate::Func)),
            ValType::ExternRef => Val::ExternRef(ref_index(cell).map(ExternRef)),
            ValType::ExnRef => Val::ExnRef(ref_index(cell).map(crate::Exn)),
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
