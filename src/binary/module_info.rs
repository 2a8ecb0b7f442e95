//! The decoded form of a module: what every later stage (validate, translate, instantiate) reads.
//!
//! Index spaces are stored whole, imports first, exactly as the spec numbers them: `funcs[i]` is
//! the type index of function `i` whether imported or defined; `num_imported_funcs` tells where
//! the definitions begin. Function bodies stay as byte ranges into `bytes` until the validator and
//! translator walk them.

use super::operator::Operator;
use crate::error::DecodeError;
use crate::value::{FuncType, GlobalType, MemoryType, TableType, ValType};
use std::ops::Range;

#[derive(Clone, Debug, PartialEq)]
pub enum ImportDesc {
    /// A function with this type index.
    Func(u32),
    Table(TableType),
    Memory(MemoryType),
    Global(GlobalType),
    /// An exception tag with this type index (a function type with no results).
    Tag(u32),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Import {
    pub module: String,
    pub name: String,
    pub desc: ImportDesc,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
/// The kind of an import or export (`Module::imports`, `Module::exports`).
pub enum ExternKind {
    /// A function.
    Func,
    /// A table.
    Table,
    /// A linear memory.
    Memory,
    /// A global.
    Global,
    /// An exception tag.
    Tag,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Export {
    pub name: String,
    pub kind: ExternKind,
    pub index: u32,
}

/// A constant expression: its instructions without the final `end`, plus the byte offset of its
/// first instruction (for error messages). The validator checks that only constant instructions
/// appear and that the result type is right.
#[derive(Clone, Debug, PartialEq)]
pub struct ConstExpr {
    pub ops: Vec<Operator>,
    pub offset: usize,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ElemMode {
    Passive,
    Active { table: u32, offset: ConstExpr },
    Declarative,
}

/// An element segment. Function-index forms are normalised to `ref.func` expressions.
#[derive(Clone, Debug, PartialEq)]
pub struct ElemSegment {
    /// `FuncRef` or `ExternRef`.
    pub ty: ValType,
    pub mode: ElemMode,
    pub items: Vec<ConstExpr>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum DataMode {
    Passive,
    Active { memory: u32, offset: ConstExpr },
}

#[derive(Clone, Debug, PartialEq)]
pub struct DataSegment {
    pub mode: DataMode,
    /// Range of the segment's bytes within [`ModuleInfo::bytes`].
    pub data: Range<usize>,
}

/// A body's declared locals, `(count, type)` runs; up to four without allocating.
pub type Locals = smallvec::SmallVec<[(u32, ValType); 4]>;

/// A function body: its declared locals (run-length form, as in the binary) and its code.
#[derive(Clone, Debug, PartialEq)]
pub struct FuncBody {
    /// `(count, type)` pairs; the decoder has checked the total fits in `u32`. Most bodies
    /// declare a few runs, kept inline: no allocation per body, which is most of what a lazy
    /// `Module::new` would spend per function.
    pub locals: Locals,
    /// Range of the instruction bytes (after the locals, including the final `end`) within
    /// [`ModuleInfo::bytes`].
    pub code: Range<usize>,
}

/// How a type was declared: `sub final? $super? (func ...)` inside a recursion group.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SubType {
    /// No type may declare this one as its supertype.
    pub is_final: bool,
    /// The declared supertype's index.
    pub supertype: Option<u32>,
    /// The group: its first type index and its number of types.
    pub group: (u32, u32),
}

/// A decoded module. Produced by [`super::decode`].
#[derive(Clone, Debug, Default)]
pub struct ModuleInfo {
    /// The whole binary; bodies and data segments refer into it by range.
    pub bytes: Vec<u8>,
    pub types: Vec<FuncType>,
    /// Per type: its recursion group, finality and declared supertype (empty when the
    /// module was built without a type section's details: each type is then its own group).
    pub subtypes: Vec<SubType>,
    pub imports: Vec<Import>,
    /// Type index of every function, imported ones first.
    pub funcs: Vec<u32>,
    pub num_imported_funcs: u32,
    /// Every table, imported ones first.
    pub tables: Vec<TableType>,
    pub num_imported_tables: u32,
    /// Initializers of the defined tables (`tables[num_imported_tables + i]`), when given.
    pub table_inits: Vec<Option<ConstExpr>>,
    /// Every memory, imported ones first.
    pub memories: Vec<MemoryType>,
    pub num_imported_memories: u32,
    /// Every global's type, imported ones first.
    pub globals: Vec<GlobalType>,
    pub num_imported_globals: u32,
    /// Type index of every exception tag, imported ones first.
    pub tags: Vec<u32>,
    pub num_imported_tags: u32,
    /// Initialisers of the defined globals (`globals[num_imported_globals + i]`).
    pub global_inits: Vec<ConstExpr>,
    pub exports: Vec<Export>,
    pub start: Option<u32>,
    pub elems: Vec<ElemSegment>,
    pub data_count: Option<u32>,
    pub datas: Vec<DataSegment>,
    /// Bodies of the defined functions (`funcs[num_imported_funcs + i]`).
    pub bodies: Vec<FuncBody>,
    /// The first limits of a 32-bit memory or table not encoded as WebAssembly 2.0's `u32`
    /// (too long, or too large): 3.0 reads them as `u64`, so it is only an error, malformed,
    /// with memory64 switched off.
    pub wide_limits: Option<DecodeError>,
    /// Byte offset of the start function index, for errors about it.
    pub start_offset: usize,
    /// Where the contents of the first `name` custom section are in `bytes` (after its name),
    /// if there is one. Decoded on first use ([`ModuleInfo::names`]): only backtraces need
    /// it, and for a module with thousands of functions decoding it is a fifth of a lazy
    /// `Module::new`.
    pub names_at: Option<std::ops::Range<usize>>,
    /// The decoded `name` section, once [`ModuleInfo::names`] has been called.
    pub names: std::sync::OnceLock<super::Names>,
}

impl ModuleInfo {
    /// The module and function names of the first `name` custom section (for backtraces);
    /// none if it is absent or malformed.
    pub fn names(&self) -> &super::Names {
        self.names.get_or_init(|| match &self.names_at {
            Some(at) => super::names::decode_names(&self.bytes[at.clone()], at.start),
            None => super::Names::default(),
        })
    }

    /// The signature of function `index` in the function index space.
    pub fn func_type(&self, index: u32) -> Option<&FuncType> {
        let ty = *self.funcs.get(index as usize)?;
        self.types.get(ty as usize)
    }
}
