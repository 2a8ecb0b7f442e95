//! Type checking of one function body, one instruction at a time.

mod exceptions;

use super::control::{FrameKind, Operand, Stacks};
use super::{invalid, Check, ModuleContext, Reject};
use crate::binary::{BlockType, FuncBody, MemArg, ModuleInfo, Operator};
use crate::error::{DecodeError, Error};
use crate::simd::{Shape, SimdFeature, SimdImm, SimdOp};
use crate::value::{FuncType, HeapType, TableType, TypeList, ValType};

/// The locals (params, then declared locals) in run-length form: `(end, type)` with `end` the
/// exclusive upper index of the run, so a body declaring billions of locals costs nothing.
#[derive(Debug)]
struct Locals {
    runs: Vec<(u64, ValType)>,
    /// The type of each local when there are few (the usual case), for a lookup without a
    /// search; empty otherwise.
    dense: Vec<ValType>,
}

/// Functions with at most this many locals get the direct lookup table.
const DENSE_LOCALS: u64 = 256;

impl Locals {
    fn new(params: &[ValType], declared: &[(u32, ValType)]) -> Self {
        let mut runs: Vec<(u64, ValType)> = Vec::with_capacity(params.len() + declared.len());
        let mut end = 0u64;
        let counts = params.iter().map(|&t| (1, t));
        for (n, t) in counts.chain(declared.iter().copied()) {
            if n == 0 {
                continue;
            }
            // u64 cannot overflow: at most 2^32 runs of at most 2^32 - 1 each.
            end += u64::from(n);
            match runs.last_mut() {
                Some(last) if last.1 == t => last.0 = end,
                _ => runs.push((end, t)),
            }
        }
        let mut dense = Vec::new();
        if end <= DENSE_LOCALS {
            let mut start = 0;
            for &(end, t) in &runs {
                dense.extend(std::iter::repeat_n(t, (end - start) as usize));
                start = end;
            }
        }
        Self { runs, dense }
    }

    #[inline]
    fn get(&self, index: u32) -> Option<ValType> {
        if let Some(&t) = self.dense.get(index as usize) {
            return Some(t);
        }
        let i = self
            .runs
            .partition_point(|&(end, _)| end <= u64::from(index));
        self.runs.get(i).map(|&(_, t)| t)
    }

    #[cfg(test)]
    fn len(&self) -> u64 {
        self.runs.last().map_or(0, |&(end, _)| end)
    }
}

/// Type-checks one function body, one instruction at a time.
///
/// Call [`visit`](Self::visit) for every instruction in order (including the final `end`), then
/// [`finish`](Self::finish). Between calls, the query methods describe the state after the last
/// visited instruction, for a translator running in lock-step.
#[derive(Debug)]
pub struct FuncValidator<'m> {
    module: &'m ModuleInfo,
    pub(super) ctx: &'m ModuleContext,
    func: u32,
    ty: &'m FuncType,
    locals: Locals,
    pub(super) stacks: Stacks<'m>,
    /// The function's final `end` has been seen.
    done: bool,
}

impl<'m> FuncValidator<'m> {
    /// Starts validating defined function `func_index` (in the function index space).
    pub fn new(
        module: &'m ModuleInfo,
        ctx: &'m ModuleContext,
        func_index: u32,
        body: &FuncBody,
    ) -> Result<Self, Error> {
        let fail = |msg: String| Reject::Invalid(msg.into()).into_error(Some(func_index), 0);
        let ty_index = *module
            .funcs
            .get(func_index as usize)
            .ok_or_else(|| fail(format!("unknown function {func_index}")))?;
        let ty = module
            .types
            .get(ty_index as usize)
            .ok_or_else(|| fail(format!("unknown type {ty_index}")))?;
        let mut stacks = Stacks {
            types: Some(ctx),
            ..Stacks::default()
        };
        // The function frame has no start types: the params are locals.
        stacks.push_ctrl(
            FrameKind::Function,
            TypeList::Slice(&[]),
            TypeList::Slice(ty.results()),
        );
        Ok(Self {
            module,
            ctx,
            func: func_index,
            ty,
            locals: Locals::new(ty.params(), &body.locals),
            stacks,
            done: false,
        })
    }

    /// Checks one instruction at absolute byte offset `offset`.
    #[inline]
    pub fn visit(&mut self, op: &Operator, offset: usize) -> Result<(), Error> {
        // `local.get`, the most frequent instruction, is checked here, inline in the caller's
        // loop; everything else, and every error, goes through the full check. (Numeric
        // operators inlined the same way made the loop slower.)
        if let (false, Operator::LocalGet(i)) = (self.done, op) {
            if let Some(t) = self.locals.get(*i).filter(|t| t.is_defaultable()) {
                self.stacks.push(t);
                return Ok(());
            }
        }
        self.visit_full(op, offset)
    }

    #[inline(never)]
    fn visit_full(&mut self, op: &Operator, offset: usize) -> Result<(), Error> {
        if self.done {
            return Err(Error::Malformed(DecodeError::new(
                "operators remaining after end of function",
                offset,
            )));
        }
        self.check(op)
            .map_err(|r| r.into_error(Some(self.func), offset))
    }

    /// Called when the reader is exhausted: the function's final `end` must have been the last
    /// instruction.
    pub fn finish(&mut self, offset: usize) -> Result<(), Error> {
        if self.done {
            Ok(())
        } else {
            Err(Error::Malformed(DecodeError::new(
                "unexpected end of section or function",
                offset,
            )))
        }
    }
}

/// What the unit tests ask of the validator's state between instructions (the translator keeps
/// its own operand stack, so nothing else does).
#[cfg(test)]
impl<'m> FuncValidator<'m> {
    /// Whether the code after the last instruction is unreachable (the operand stack is
    /// polymorphic), e.g. after `br`, `return` or `unreachable`.
    pub fn is_unreachable(&self) -> bool {
        self.stacks.ctrls.last().is_some_and(|f| f.unreachable)
    }

    /// Number of operands on the stack (all frames together).
    pub fn height(&self) -> usize {
        self.stacks.vals.len()
    }

    /// Type of the operand `depth` entries below the top (0 = top); `None` when it is beyond
    /// the stack or of unknown type (pushed in unreachable code).
    pub fn operand_type(&self, depth: usize) -> Option<ValType> {
        let i = self.stacks.vals.len().checked_sub(depth.checked_add(1)?)?;
        self.stacks.vals.get(i).copied().flatten()
    }

    /// Number of open control frames, the function's own included (0 after its final `end`).
    pub fn control_depth(&self) -> usize {
        self.stacks.ctrls.len()
    }

    /// Kind of the frame `depth` levels out (0 = innermost).
    pub fn frame_kind(&self, depth: u32) -> Option<FrameKind> {
        self.stacks.label(depth).ok().map(|f| f.kind)
    }

    /// Operand stack height at the entry of the frame `depth` levels out (its params not
    /// counted).
    pub fn frame_height(&self, depth: u32) -> Option<usize> {
        self.stacks.label(depth).ok().map(|f| f.height)
    }

    /// Types carried by a branch to label `depth` (a loop's params, otherwise the results).
    pub fn label_types(&self, depth: u32) -> Option<Vec<ValType>> {
        self.stacks.label_types(depth).ok().map(|t| t.to_vec())
    }

    /// Type of local `index` (params first).
    pub fn local_type(&self, index: u32) -> Option<ValType> {
        self.locals.get(index)
    }

    /// Total number of locals, params included.
    pub fn num_locals(&self) -> u64 {
        self.locals.len()
    }

    /// Whether the function's final `end` has been visited.
    pub fn is_finished(&self) -> bool {
        self.done
    }
}

/// `op` is an error naming `feature` when the feature is off.
pub(super) fn require_feature(on: bool, op: &str, feature: &str) -> Check {
    if on {
        Ok(())
    } else {
        Err(invalid(format!(
            "{op} requires the {feature} feature, which is disabled"
        )))
    }
}

impl<'m> FuncValidator<'m> {
    fn block_sig(&self, bt: BlockType) -> Check<(TypeList<'m>, TypeList<'m>)> {
        Ok(match bt {
            BlockType::Empty => (TypeList::Slice(&[]), TypeList::Slice(&[])),
            BlockType::Value(t) => {
                self.value_type(t)?;
                (TypeList::Slice(&[]), TypeList::One(t))
            }
            BlockType::Func(idx) => {
                let ty = self.func_type_at(idx)?;
                (TypeList::Slice(ty.params()), TypeList::Slice(ty.results()))
            }
        })
    }

    /// The function type at type index `idx`.
    pub(super) fn func_type_at(&self, idx: u32) -> Check<&'m FuncType> {
        let module: &'m ModuleInfo = self.module;
        module
            .types
            .get(idx as usize)
            .ok_or_else(|| invalid(format!("unknown type {idx}")))
    }

    /// A value type written in the body: its type index exists, and its feature is on.
    fn value_type(&self, t: ValType) -> Check {
        super::module::check_type(self.module, self.ctx.features, t).map_err(invalid)
    }

    fn local(&self, index: u32) -> Check<ValType> {
        self.locals
            .get(index)
            .ok_or_else(|| invalid(format!("unknown local {index}")))
    }

    fn table(&self, index: u32) -> Check<TableType> {
        self.module
            .tables
            .get(index as usize)
            .copied()
            .ok_or_else(|| invalid(format!("unknown table {index}")))
    }

    fn elem_type(&self, index: u32) -> Check<ValType> {
        self.module
            .elems
            .get(index as usize)
            .map(|e| e.ty)
            .ok_or_else(|| invalid(format!("unknown elem segment {index}")))
    }

    fn data(&self, index: u32) -> Check {
        // Data indices in code are only known up front through the data count section.
        let count = self
            .module
            .data_count
            .ok_or(Reject::Malformed("data count section required"))?;
        if index >= count {
            return Err(invalid(format!("unknown data segment {index}")));
        }
        Ok(())
    }

    /// The type of memory `index`'s addresses (`i64` for a 64-bit memory).
    fn memory(&self, index: u32) -> Check<ValType> {
        self.module
            .memories
            .get(index as usize)
            .map(|m| m.index_type())
            .ok_or_else(|| invalid(format!("unknown memory {index}")))
    }

    /// A load or store: the memory exists, `2^align` does not exceed the access width and the
    /// offset fits the memory's address type. Returns that address type.
    fn mem_access(&self, memarg: MemArg, width: u32) -> Check<ValType> {
        if memarg.indexed && !self.ctx.features.multi_memory {
            // WebAssembly 2.0 had no memory index: bit 6 was part of the alignment.
            return Err(Reject::Malformed("malformed memop flags"));
        }
        let features = self.ctx.features;
        if memarg.align >= 32 && !features.multi_memory && !features.memory64 {
            // WebAssembly 2.0 decoded the exponent as a shift of a 32-bit value.
            return Err(Reject::Malformed("malformed memop flags"));
        }
        let at = self.memory(memarg.memory)?;
        if memarg.align > width.trailing_zeros() {
            return Err(invalid("alignment must not be larger than natural"));
        }
        if at == ValType::I32 && !self.ctx.features.memory64 {
            // WebAssembly 2.0 encoded the offset as a `u32`.
            if memarg.wide {
                return Err(Reject::Malformed("integer representation too long"));
            }
            if memarg.offset > u32::MAX as u64 {
                return Err(Reject::Malformed("integer too large"));
            }
        }
        if at == ValType::I32 && memarg.offset > u32::MAX as u64 {
            return Err(invalid("offset out of range"));
        }
        Ok(at)
    }

    /// A tail call's feature check: `op` is an error when tail calls are disabled.
    pub(super) fn require_tail_call(&self, op: &str) -> Check {
        require_feature(self.ctx.features.tail_call, op, "tail-call")
    }

    /// A tail call to a function of type `ty` (its arguments on the stack): the callee's
    /// results become this function's, so they must be this function's result types; then,
    /// like `return`, the rest of the block is unreachable.
    pub(super) fn tail_call(&mut self, ty: &FuncType) -> Check {
        let (have, want) = (ty.results(), self.ty.results());
        if have.len() != want.len() || have.iter().zip(want).any(|(&a, &b)| !self.stacks.sub(a, b))
        {
            return Err(invalid(format!(
                "type mismatch: tail call to a function of type {ty} from one of type {}",
                self.ty
            )));
        }
        let s = &mut self.stacks;
        s.pop_all(ty.params())?;
        s.set_unreachable();
        Ok(())
    }

    /// A vector instruction: its feature is on, its immediates are in range, and its operands
    /// have the types of its shape (see [`crate::simd`]).
    fn check_simd(&mut self, op: SimdOp, imm: SimdImm) -> Check {
        let enabled = match op.feature() {
            SimdFeature::Simd => self.ctx.features.simd,
            SimdFeature::Relaxed => self.ctx.features.simd && self.ctx.features.relaxed_simd,
        };
        if !enabled {
            let feature = match op.feature() {
                SimdFeature::Simd => "simd",
                SimdFeature::Relaxed => "relaxed-simd",
            };
            return Err(invalid(format!(
                "{} requires the {feature} feature, which is disabled",
                op.name()
            )));
        }
        let lane = |l: u8, lanes: u8| {
            if l >= lanes {
                Err(invalid(format!("invalid lane index {l}")))
            } else {
                Ok(())
            }
        };
        // A memory instruction's address type: `i64` on a 64-bit memory.
        let mut address = ValType::I32;
        match (op.shape(), imm) {
            (Shape::Extract(_, lanes) | Shape::Replace(_, lanes), SimdImm::Lane(l)) => {
                lane(l, lanes)?
            }
            (Shape::Load(n) | Shape::Store(n), SimdImm::Mem(m)) => {
                address = self.mem_access(m, n as u32)?;
            }
            (Shape::LoadLane(n, lanes) | Shape::StoreLane(n, lanes), SimdImm::MemLane(m, l)) => {
                address = self.mem_access(m, n as u32)?;
                lane(l, lanes)?
            }
            (Shape::Shuffle, SimdImm::Bytes(b)) => {
                if let Some(l) = b.iter().find(|&&l| l >= 32) {
                    lane(*l, 32)?
                }
            }
            _ => {}
        }
        let (mut params, result) = op.shape().signature();
        if address == ValType::I64 {
            const V: ValType = ValType::V128;
            params = match params {
                [_] => &[ValType::I64],
                _ => &[ValType::I64, V],
            };
        }
        let s = &mut self.stacks;
        match result {
            Some(r) => s.pop_push(params, r)?,
            None => s.pop_all(params)?,
        }
        Ok(())
    }

    fn check(&mut self, op: &Operator) -> Check {
        use ValType::*;
        let s = &mut self.stacks;
        match *op {
            Operator::Unreachable => s.set_unreachable(),
            Operator::Nop => {}
            Operator::Block(bt) | Operator::Loop(bt) => {
                let (params, results) = self.block_sig(bt)?;
                let kind = if matches!(op, Operator::Loop(_)) {
                    FrameKind::Loop
                } else {
                    FrameKind::Block
                };
                let s = &mut self.stacks;
                s.pop_all(&params)?;
                s.push_ctrl(kind, params, results);
            }
            Operator::If(bt) => {
                let (params, results) = self.block_sig(bt)?;
                let s = &mut self.stacks;
                s.pop(I32)?;
                s.pop_all(&params)?;
                s.push_ctrl(FrameKind::If, params, results);
            }
            Operator::Else => {
                if s.ctrls.last().map(|f| f.kind) != Some(FrameKind::If) {
                    return Err(invalid("else found outside of an `if` block"));
                }
                let frame = s.pop_ctrl()?;
                s.push_ctrl(FrameKind::Else, frame.params, frame.results);
            }
            Operator::End => {
                let frame = s.pop_ctrl()?;
                // An `if` without `else` has an empty else branch, which must map params to
                // results unchanged.
                if frame.kind == FrameKind::If && frame.params != frame.results {
                    return Err(invalid(
                        "type mismatch: `if` without `else` must have the same params and results",
                    ));
                }
                s.push_all(&frame.results);
                if s.ctrls.is_empty() {
                    self.done = true;
                }
            }
            Operator::Br(depth) => {
                let types = s.label_types(depth)?;
                s.pop_all(&types)?;
                s.set_unreachable();
            }
            Operator::BrIf(depth) => {
                let types = s.label_types(depth)?;
                s.pop(I32)?;
                s.pop_all(&types)?;
                s.push_all(&types);
            }
            Operator::BrTable {
                ref targets,
                default,
            } => {
                s.pop(I32)?;
                let default_types = s.label_types(default)?;
                for &target in targets.iter() {
                    let types = s.label_types(target)?;
                    if types.len() != default_types.len() {
                        return Err(invalid(
                            "type mismatch: br_table targets have different arities",
                        ));
                    }
                    s.check_top(&types)?;
                }
                s.pop_all(&default_types)?;
                s.set_unreachable();
            }
            Operator::Return => {
                s.pop_all(self.ty.results())?;
                s.set_unreachable();
            }
            Operator::Call(func) => {
                let module: &'m ModuleInfo = self.module;
                let ty = module
                    .func_type(func)
                    .ok_or_else(|| invalid(format!("unknown function {func}")))?;
                s.pop_all(ty.params())?;
                s.push_all(ty.results());
            }
            Operator::CallIndirect { type_index, table } => {
                let table = self.table(table)?;
                let module: &'m ModuleInfo = self.module;
                let ty = module
                    .types
                    .get(type_index as usize)
                    .ok_or_else(|| invalid(format!("unknown type {type_index}")))?;
                if !self.stacks.sub(table.elem, FuncRef) {
                    return Err(invalid(
                        "type mismatch: call_indirect requires a table of funcref",
                    ));
                }
                let s = &mut self.stacks;
                s.pop(table.index_type())?;
                s.pop_all(ty.params())?;
                s.push_all(ty.results());
            }
            Operator::ReturnCall(func) => {
                self.require_tail_call("return_call")?;
                let module: &'m ModuleInfo = self.module;
                let ty = module
                    .func_type(func)
                    .ok_or_else(|| invalid(format!("unknown function {func}")))?;
                self.tail_call(ty)?;
            }
            Operator::ReturnCallIndirect { type_index, table } => {
                self.require_tail_call("return_call_indirect")?;
                let table = self.table(table)?;
                let module: &'m ModuleInfo = self.module;
                let ty = module
                    .types
                    .get(type_index as usize)
                    .ok_or_else(|| invalid(format!("unknown type {type_index}")))?;
                if !self.stacks.sub(table.elem, FuncRef) {
                    return Err(invalid(
                        "type mismatch: return_call_indirect requires a table of funcref",
                    ));
                }
                self.stacks.pop(table.index_type())?;
                self.tail_call(ty)?;
            }
            Operator::Throw(tag) => self.check_throw(tag)?,
            Operator::ThrowRef => self.check_throw_ref()?,
            Operator::TryTable { ty, ref catches } => self.check_try_table(ty, catches)?,
            Operator::Drop => {
                s.pop_any()?;
            }
            Operator::Select => {
                s.pop(I32)?;
                let t1 = s.pop_any()?;
                let t2 = s.pop_any()?;
                let is_num = |t: Operand| t.is_none_or(|t| !t.is_ref());
                if !(is_num(t1) && is_num(t2)) {
                    return Err(invalid(
                        "type mismatch: select without a type needs numeric operands",
                    ));
                }
                if let (Some(a), Some(b)) = (t1, t2) {
                    if a != b {
                        return Err(invalid(format!(
                            "type mismatch: select operands {b} and {a} differ"
                        )));
                    }
                }
                s.push_operand(t1.or(t2));
            }
            Operator::SelectTyped(t) => {
                self.value_type(t)?;
                let s = &mut self.stacks;
                s.pop(I32)?;
                s.pop(t)?;
                s.pop(t)?;
                s.push(t);
            }
            Operator::LocalGet(i) => {
                let t = self.local(i)?;
                if !t.is_defaultable()
                    && i as usize >= self.ty.params().len()
                    && !self.stacks.inits.contains(&i)
                {
                    return Err(invalid(format!("uninitialized local {i}")));
                }
                self.stacks.push(t);
            }
            Operator::LocalSet(i) => {
                let t = self.local(i)?;
                self.stacks.pop(t)?;
                self.initialize(i, t);
            }
            Operator::LocalTee(i) => {
                let t = self.local(i)?;
                self.stacks.pop(t)?;
                self.stacks.push(t);
                self.initialize(i, t);
            }
            Operator::GlobalGet(g) => {
                let gt = self.global(g)?;
                self.stacks.push(gt.content);
            }
            Operator::GlobalSet(g) => {
                let gt = self.global(g)?;
                if !gt.mutable {
                    return Err(invalid(format!("global is immutable: global {g}")));
                }
                self.stacks.pop(gt.content)?;
            }
            Operator::TableGet(t) => {
                let tt = self.table(t)?;
                self.stacks.pop(tt.index_type())?;
                self.stacks.push(tt.elem);
            }
            Operator::TableSet(t) => {
                let tt = self.table(t)?;
                self.stacks.pop(tt.elem)?;
                self.stacks.pop(tt.index_type())?;
            }
            Operator::Load(kind, memarg) => {
                let at = self.mem_access(memarg, kind.width())?;
                self.stacks.pop(at)?;
                self.stacks.push(kind.result());
            }
            Operator::Store(kind, memarg) => {
                let at = self.mem_access(memarg, kind.width())?;
                self.stacks.pop(kind.operand())?;
                self.stacks.pop(at)?;
            }
            Operator::MemorySize(m) => {
                let at = self.memory(m)?;
                self.stacks.push(at);
            }
            Operator::MemoryGrow(m) => {
                let at = self.memory(m)?;
                self.stacks.pop(at)?;
                self.stacks.push(at);
            }
            Operator::I32Const(_) => s.push(I32),
            Operator::I64Const(_) => s.push(I64),
            Operator::F32Const(_) => s.push(F32),
            Operator::F64Const(_) => s.push(F64),
            Operator::Num(num) => {
                s.pop_push(num.params(), num.result())?;
            }
            Operator::Simd(op, imm) => self.check_simd(op, imm)?,
            Operator::I64Add128
            | Operator::I64Sub128
            | Operator::I64MulWideS
            | Operator::I64MulWideU => {
                if !self.ctx.features.wide_arithmetic {
                    return Err(invalid(format!(
                        "{op} requires the wide-arithmetic feature, which is disabled"
                    )));
                }
                let params: &[ValType] = match op {
                    Operator::I64Add128 | Operator::I64Sub128 => &[I64, I64, I64, I64],
                    _ => &[I64, I64],
                };
                self.stacks.pop_all(params)?;
                self.stacks.push_all(&[I64, I64]);
            }
            Operator::RefNull(t) => {
                if !t.is_ref() {
                    return Err(invalid(format!("type mismatch: ref.null of {t}")));
                }
                self.value_type(t)?;
                self.stacks.push(t);
            }
            Operator::RefIsNull => {
                self.pop_ref()?;
                self.stacks.push(I32);
            }
            Operator::RefFunc(f) => {
                let Some(&ty) = self.module.funcs.get(f as usize) else {
                    return Err(invalid(format!("unknown function {f}")));
                };
                if !self.ctx.is_declared(f) {
                    return Err(invalid(format!("undeclared function reference {f}")));
                }
                self.stacks
                    .push(ValType::reference(false, HeapType::Concrete(ty)));
            }
            Operator::RefAsNonNull
            | Operator::BrOnNull(_)
            | Operator::BrOnNonNull(_)
            | Operator::CallRef(_)
            | Operator::ReturnCallRef(_) => self.check_typed_ref(op)?,
            Operator::MemoryInit { data, mem } => {
                let at = self.memory(mem)?;
                self.data(data)?;
                self.stacks.pop_all(&[at, I32, I32])?;
            }
            Operator::DataDrop(d) => self.data(d)?,
            Operator::MemoryCopy { dst, src } => {
                let (d, s) = (self.memory(dst)?, self.memory(src)?);
                // The length is an `i64` only when both memories are 64-bit.
                let len = if d == I64 && s == I64 { I64 } else { I32 };
                self.stacks.pop_all(&[d, s, len])?;
            }
            Operator::MemoryFill(m) => {
                let at = self.memory(m)?;
                self.stacks.pop_all(&[at, I32, at])?;
            }
            Operator::TableInit { elem, table } => {
                let tt = self.table(table)?;
                let et = self.elem_type(elem)?;
                if !self.stacks.sub(et, tt.elem) {
                    return Err(invalid(format!(
                        "type mismatch: table.init of {et} segment into {} table",
                        tt.elem
                    )));
                }
                self.stacks.pop_all(&[tt.index_type(), I32, I32])?;
            }
            Operator::ElemDrop(e) => {
                self.elem_type(e)?;
            }
            Operator::TableCopy { dst, src } => {
                let d = self.table(dst)?;
                let s = self.table(src)?;
                if !self.stacks.sub(s.elem, d.elem) {
                    return Err(invalid(format!(
                        "type mismatch: table.copy from {} table to {} table",
                        s.elem, d.elem
                    )));
                }
                let (di, si) = (d.index_type(), s.index_type());
                let len = if di == I64 && si == I64 { I64 } else { I32 };
                self.stacks.pop_all(&[di, si, len])?;
            }
            Operator::TableGrow(t) => {
                let tt = self.table(t)?;
                self.stacks.pop(tt.index_type())?;
                self.stacks.pop(tt.elem)?;
                self.stacks.push(tt.index_type());
            }
            Operator::TableSize(t) => {
                let tt = self.table(t)?;
                self.stacks.push(tt.index_type());
            }
            Operator::TableFill(t) => {
                let tt = self.table(t)?;
                self.stacks.pop(tt.index_type())?;
                self.stacks.pop(tt.elem)?;
                self.stacks.pop(tt.index_type())?;
            }
        }
        Ok(())
    }

    /// Records that local `i` (of type `t`) holds a value from here to the end of the block.
    fn initialize(&mut self, i: u32, t: ValType) {
        // A linear search: functions have few non-defaultable locals.
        if !t.is_defaultable() && !self.stacks.inits.contains(&i) {
            self.stacks.inits.push(i);
        }
    }

    fn global(&self, index: u32) -> Check<crate::value::GlobalType> {
        self.module
            .globals
            .get(index as usize)
            .copied()
            .ok_or_else(|| invalid(format!("unknown global {index}")))
    }
}
