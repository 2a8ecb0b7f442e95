//! Translation of validated Wasm stack code into register bytecode.
//!
//! Each operand-stack slot owns a register: the slot at height `h` is register `locals + h`.
//! The translator keeps a symbolic operand stack ([`stack::Opnd`]): a `local.get` or a constant
//! pushes a reference to the local's register or the constant itself and emits nothing; the
//! value is copied into its slot only when something requires it there (a block boundary, a
//! call argument, a write to that local). Control flow becomes relative jumps; a branch that
//! carries values first copies them to the target's slots. See docs/architecture.md.
//!
//! The validator and the translator are separate visitors driven together here, one
//! instruction at a time: the translator only ever sees instructions the validator accepted.

mod accumulate;
mod control;
mod counter;
mod emit;
mod exceptions;
mod memidx;
mod memory;
mod refs;
mod simd;
mod stack;
mod store_back;

use crate::binary::{BlockType, ModuleInfo, Operator, OperatorReader};
use crate::bytecode::{CompiledFunc, Instr, Offset, Op, Reg};
use crate::error::{Error, Result};
use crate::runtime::{Config, Optimizations};
use crate::validate::{FuncValidator, ModuleContext};
use crate::value::{TypeList, ValType};
use control::Ctrl;
use stack::Opnd;

/// Translates defined function `index` (0 = first non-imported function), validating it in
/// the same pass when `ctx` is given (otherwise it must have been validated already).
pub fn compile_function(
    info: &ModuleInfo,
    ctx: Option<&ModuleContext>,
    index: usize,
    config: &Config,
) -> Result<CompiledFunc> {
    let body = &info.bodies[index];
    let func_index = info.num_imported_funcs + index as u32;
    let mut validator = match ctx {
        Some(ctx) => Some(FuncValidator::new(info, ctx, func_index, body)?),
        None => None,
    };
    let ty = info
        .func_type(func_index)
        .ok_or_else(|| Error::Api(format!("function {func_index} has no type")))?;
    let (num_locals, local_map) = count_locals(info, index)?;
    let mut t = Translator::new(
        info,
        config.optimizations,
        config.keep_source_map,
        num_locals,
        ty.param_cells(),
        ty.result_cells(),
    );
    t.local_map = local_map;
    t.fuel = config.consume_fuel.then_some(0);
    t.interruptible = config.interruptible;
    // What the function's entry emits (a check, a fuel charge) maps to its first instruction.
    t.cur_offset = body.code.start as u32;
    t.begin_function();
    let mut reader = OperatorReader::new(&info.bytes[body.code.clone()], body.code.start);
    while !reader.is_empty() {
        let offset = reader.offset();
        let op = reader.read()?;
        if let Some(v) = &mut validator {
            v.visit(&op, offset)?;
        }
        t.wasm_ops += 1;
        t.cur_offset = offset as u32;
        t.visit(&op).map_err(|e| match e {
            Error::Limit(m) => Error::Limit(format!("{m} (function {func_index})")),
            e => e,
        })?;
        // Before any pass reads a jump offset: within this length every offset fits.
        if t.code.len() > crate::bytecode::MAX_CODE_LEN {
            return Err(Error::Limit(format!(
                "function {func_index} translates to more than {} instructions",
                crate::bytecode::MAX_CODE_LEN
            )));
        }
    }
    if let Some(v) = &mut validator {
        v.finish(reader.offset())?;
    }
    let func = t.finish()?;
    if config.verify_bytecode {
        let metering = crate::bytecode::verify::Metering::of(config);
        crate::bytecode::verify(&func)
            .and_then(|()| {
                crate::bytecode::verify::verify_metering(&func.code, &func.handlers, metering)
            })
            .map_err(|e| Error::Internal(format!("bytecode of function {func_index}: {e}")))?;
    }
    Ok(func)
}

/// Validates defined function `index` without translating it (lazy translation).
pub fn validate_function(info: &ModuleInfo, ctx: &ModuleContext, index: usize) -> Result<()> {
    let body = &info.bodies[index];
    let func_index = info.num_imported_funcs + index as u32;
    let mut validator = FuncValidator::new(info, ctx, func_index, body)?;
    count_locals(info, index)?;
    let mut reader = OperatorReader::new(&info.bytes[body.code.clone()], body.code.start);
    while !reader.is_empty() {
        let offset = reader.offset();
        let op = reader.read()?;
        validator.visit(&op, offset)?;
    }
    validator.finish(reader.offset())
}

/// The register cells of defined function `index`'s parameters and declared locals (at most
/// `u32::MAX` locals of two cells each, so no overflow): all a precompiled load needs of
/// [`count_locals`].
pub(crate) fn local_cells(info: &ModuleInfo, index: usize) -> u64 {
    let func_index = info.num_imported_funcs + index as u32;
    let params = info.func_type(func_index).map_or(&[][..], |t| t.params());
    let declared = &info.bodies[index].locals;
    let params: u64 = params.iter().map(|t| u64::from(t.cells())).sum();
    params
        + (declared.iter())
            .map(|&(n, t)| u64::from(n) * u64::from(t.cells()))
            .sum::<u64>()
}

/// Register cells of the parameters plus declared locals of defined function `index`, within
/// the register limit, and where each local lives when some local is a `v128` (else empty).
pub(crate) fn count_locals(info: &ModuleInfo, index: usize) -> Result<(u32, Vec<(u16, bool)>)> {
    let func_index = info.num_imported_funcs + index as u32;
    let params = info.func_type(func_index).map_or(&[][..], |t| t.params());
    let declared = &info.bodies[index].locals;
    let runs = || {
        params
            .iter()
            .map(|&t| (1u64, t))
            .chain(declared.iter().map(|&(n, t)| (n as u64, t)))
    };
    let num_locals = local_cells(info, index);
    if num_locals > MAX_REGS {
        return Err(Error::Limit(format!(
            "function {func_index} has {num_locals} local cells; at most {MAX_REGS} registers per frame"
        )));
    }
    let mut map = Vec::new();
    if runs().any(|(n, t)| n > 0 && t == ValType::V128) {
        let mut at = 0u16;
        for (n, t) in runs() {
            for _ in 0..n {
                map.push((at, t == ValType::V128));
                at += t.cells() as u16;
            }
        }
    }
    Ok((num_locals as u32, map))
}

/// Registers are 16-bit: a frame holds at most this many.
pub(crate) const MAX_REGS: u64 = u16::MAX as u64;

pub(crate) struct Translator<'a> {
    info: &'a ModuleInfo,
    opts: Optimizations,
    code: Vec<Instr>,
    num_locals: u32,
    num_params: u32,
    num_results: u32,
    /// The symbolic operand stack, one entry per register cell (a `v128` is two entries).
    stack: stack::OpStack,
    /// Where each local lives, when some local is a `v128` (`(register, is v128)`); empty
    /// when local `i` is simply register `i`.
    local_map: Vec<(u16, bool)>,
    max_height: u32,
    ctrl: Vec<Ctrl>,
    /// False after an unconditional transfer until the next label.
    reachable: bool,
    /// Blocks opened inside unreachable code, skipped wholesale.
    dead_depth: u32,
    /// Position of the most recently bound label: an instruction before it may not be
    /// rewritten, because a jump arriving here did not run it.
    label_pos: usize,
    /// Wasm instructions seen so far.
    wasm_ops: u32,
    /// `eqz` instructions fused into a branch.
    eqz_fusions: u32,
    /// Byte offset of the Wasm instruction being translated.
    cur_offset: u32,
    /// Source offset of each emitted instruction, when kept.
    source_map: Option<Vec<u32>>,
    /// Under fuel metering: the position of the current basic block's `consume_fuel`.
    fuel: Option<usize>,
    /// Whether function entries and loop headers get an interruption `check`.
    interruptible: bool,
    /// Where each catch clause's landing pad goes (see `exceptions.rs`).
    pads: Vec<exceptions::Pad>,
    /// The finished `try_table`s, innermost first.
    handlers: Vec<exceptions::PendingHandler>,
}

impl<'a> Translator<'a> {
    fn new(
        info: &'a ModuleInfo,
        opts: Optimizations,
        keep_source_map: bool,
        num_locals: u32,
        num_params: u32,
        num_results: u32,
    ) -> Self {
        let mut t = Self {
            info,
            opts,
            code: Vec::new(),
            num_locals,
            num_params,
            num_results,
            stack: stack::OpStack::default(),
            local_map: Vec::new(),
            max_height: 0,
            ctrl: Vec::new(),
            reachable: true,
            dead_depth: 0,
            label_pos: 0,
            wasm_ops: 0,
            eqz_fusions: 0,
            cur_offset: 0,
            source_map: keep_source_map.then(Vec::new),
            fuel: None,
            interruptible: false,
            pads: Vec::new(),
            handlers: Vec::new(),
        };
        t.ctrl.push(Ctrl::function(num_results));
        t
    }

    /// Function entry: the interruption check, then the first basic block.
    fn begin_function(&mut self) {
        if self.interruptible {
            self.emit(Instr::Check {});
        }
        self.begin_block();
    }

    /// Starts a basic block (after a label or a conditional branch): under fuel metering,
    /// closes the previous block's charge and opens a new one, patched when it ends.
    fn begin_block(&mut self) {
        if self.fuel.is_none() {
            return;
        }
        self.close_block();
        self.fuel = Some(self.code.len());
        self.emit(Instr::ConsumeFuel { amount: 0 });
    }

    /// Sets the open block's charge to its instruction count (at least 1).
    fn close_block(&mut self) {
        if let Some(at) = self.fuel {
            let count = self.code.len().saturating_sub(at + 1).max(1) as u32;
            if let Some(Instr::ConsumeFuel { amount }) = self.code.get_mut(at) {
                *amount = count;
            }
        }
    }

    fn finish(mut self) -> Result<CompiledFunc> {
        self.close_block();
        let pads_start = self.code.len();
        let handlers = self.emit_pads();
        if self.opts.jump_threading {
            thread_jumps(&mut self.code);
        }
        // Counter fusion removes instructions, which would move the handlers' ranges.
        if self.opts.counter_branches && handlers.is_empty() {
            counter::fuse_counter_branches(&mut self.code, self.source_map.as_mut());
        }
        if self.opts.load_operands && handlers.is_empty() {
            store_back::fuse_stores_back(&mut self.code, self.source_map.as_mut());
        }
        if self.opts.accumulator {
            // The landing pads are entered from throws, with nothing known in the accumulator.
            let pads = pads_start..self.code.len();
            accumulate::use_accumulator(&mut self.code, pads);
        }
        let num_regs = (self.num_locals + self.max_height).max(self.num_results) as u64;
        if num_regs > MAX_REGS {
            return Err(Error::Limit(format!(
                "{num_regs} registers needed; at most {MAX_REGS} per frame"
            )));
        }
        Ok(CompiledFunc {
            code: self.code.into_iter().map(Op::new).collect(),
            num_regs: num_regs as u32,
            num_params: self.num_params,
            num_locals: self.num_locals,
            num_results: self.num_results,
            wasm_ops: self.wasm_ops,
            eqz_fusions: self.eqz_fusions,
            source_map: self.source_map.unwrap_or_default().into_boxed_slice(),
            handlers,
            enter_room: CompiledFunc::enter_room_for(
                num_regs as u32,
                self.num_params,
                self.num_locals,
            ),
        })
    }

    fn emit(&mut self, instr: Instr) {
        self.code.push(instr);
        if let Some(map) = &mut self.source_map {
            map.push(self.cur_offset);
        }
    }

    /// Removes the last instruction (to fuse it into the next one).
    fn unemit(&mut self) {
        self.code.pop();
        if let Some(map) = &mut self.source_map {
            map.pop();
        }
    }

    /// Whether the last emitted instruction may still be rewritten (no label bound after it).
    fn last_is_rewritable(&self) -> bool {
        self.code.len() > self.label_pos
    }

    /// Register cells of a block's parameters and results.
    fn block_arity(&self, bt: BlockType) -> (u32, u32) {
        match bt {
            BlockType::Empty => (0, 0),
            BlockType::Value(t) => (0, t.cells()),
            BlockType::Func(i) => {
                let ty = &self.info.types[i as usize];
                (ty.param_cells(), ty.result_cells())
            }
        }
    }

    /// A block's parameter and result types.
    fn block_types(&self, bt: BlockType) -> (TypeList<'a>, TypeList<'a>) {
        match bt {
            BlockType::Empty => (TypeList::Slice(&[]), TypeList::Slice(&[])),
            BlockType::Value(t) => (TypeList::Slice(&[]), TypeList::One(t)),
            BlockType::Func(i) => {
                let ty = &self.info.types[i as usize];
                (TypeList::Slice(ty.params()), TypeList::Slice(ty.results()))
            }
        }
    }

    /// The register of local `i` and whether it is a `v128` (two registers).
    fn local(&self, i: u32) -> (Reg, bool) {
        match self.local_map.get(i as usize) {
            Some(&(r, wide)) => (Reg(r), wide),
            None => (Reg(i as u16), false),
        }
    }

    fn visit(&mut self, op: &Operator) -> Result<()> {
        if !self.reachable {
            return self.visit_unreachable(op);
        }
        match op {
            Operator::Block(bt) | Operator::Loop(bt) | Operator::If(bt) => self.open_block(op, *bt),
            Operator::Else => self.visit_else(),
            Operator::End => self.visit_end(),
            Operator::Br(depth) => self.visit_br(*depth),
            Operator::BrIf(depth) => self.visit_br_if(*depth),
            Operator::BrTable { targets, default } => self.visit_br_table(targets, *default),
            Operator::Return => self.visit_return(),
            Operator::ReturnCall(func) => self.visit_return_call(*func),
            Operator::ReturnCallIndirect { type_index, table } => {
                self.visit_return_call_indirect(*type_index, *table)
            }
            Operator::ReturnCallRef(type_index) => self.visit_return_call_ref(*type_index),
            Operator::BrOnNull(depth) => self.visit_br_on_null(*depth),
            Operator::BrOnNonNull(depth) => self.visit_br_on_non_null(*depth),
            Operator::TryTable { ty, catches } => self.open_try_table(*ty, catches),
            Operator::Throw(tag) => self.visit_throw(*tag),
            Operator::ThrowRef => self.visit_throw_ref(),
            Operator::Unreachable => {
                self.emit(Instr::Trap {
                    code: crate::TrapCode::Unreachable,
                });
                self.reachable = false;
                Ok(())
            }
            _ => self.visit_straight(op),
        }
    }

    /// In unreachable code only block structure matters: nested blocks are skipped whole, and
    /// the enclosing block's `else`/`end` make code reachable again.
    fn visit_unreachable(&mut self, op: &Operator) -> Result<()> {
        match op {
            Operator::Block(_)
            | Operator::Loop(_)
            | Operator::If(_)
            | Operator::TryTable { .. } => self.dead_depth += 1,
            Operator::Else if self.dead_depth == 0 => return self.visit_else(),
            Operator::End if self.dead_depth == 0 => return self.visit_end(),
            Operator::End => self.dead_depth -= 1,
            _ => {}
        }
        Ok(())
    }
}

/// Shortcuts on the finished code that keep every instruction's position (so offsets and the
/// source map stay valid): a `br` (or `copy_br`) to a return is that return, a `br` (or
/// `copy_br`) back to a loop's exit test is that test inverted, and a copy into the register
/// a following `return_reg` returns is a `return_reg` of the copy's source. The instructions
/// jumped over stay in place for any other jump that lands on them.
fn thread_jumps(code: &mut [Instr]) {
    for at in 0..code.len() {
        let target = |offset: Offset| (at as i64 + offset.instrs() as i64) as usize;
        match code[at] {
            Instr::Br { offset } => match code.get(target(offset)) {
                Some(ret @ (Instr::Return {} | Instr::ReturnReg { .. })) => code[at] = *ret,
                Some(cond) => {
                    if let Some(inverted) = invert_to_fallthrough(cond, target(offset), at) {
                        code[at] = inverted;
                    }
                }
                None => {}
            },
            // The same for a copy and its jump (`copy_pairs`): a copy just before a return of
            // one register only matters if it is that register; the rotation keeps the copy.
            Instr::CopyBr { dst, src, offset } => match code.get(target(offset)) {
                Some(&Instr::ReturnReg { src: ret }) => {
                    let src = if ret == dst { src } else { ret };
                    code[at] = Instr::ReturnReg { src };
                }
                Some(&cond) => {
                    if let Some(inverted) = invert_to_fallthrough(&cond, target(offset), at) {
                        code[at] = match inverted {
                            Instr::BrIfNez { cond, offset } => Instr::CopyBrIfNez {
                                dst,
                                src,
                                cond,
                                offset,
                            },
                            Instr::BrIfEqz { cond, offset } => Instr::CopyBrIfEqz {
                                dst,
                                src,
                                cond,
                                offset,
                            },
                            // A comparison has no form with a copy.
                            _ => continue,
                        };
                    }
                }
                None => {}
            },
            _ => {}
        }
    }
    for at in 0..code.len().saturating_sub(1) {
        if let (Instr::Copy { dst, src }, Instr::ReturnReg { src: returned }) =
            (code[at], code[at + 1])
        {
            if dst == returned {
                code[at] = Instr::ReturnReg { src };
            }
        }
    }
}

/// Loop rotation in place: `br` (at `at`) back to a conditional branch `cond` (at `target`)
/// whose taken target is the instruction right after the `br` — a loop whose exit test is at
/// its head — can itself test the opposite condition and jump to the instruction after `cond`,
/// falling through to the exit otherwise. One dispatch fewer per iteration.
fn invert_to_fallthrough(cond: &Instr, target: usize, at: usize) -> Option<Instr> {
    let lands = |offset: Offset| target as i64 + offset.instrs() as i64 == at as i64 + 1;
    let back = Offset::new((target as i64 + 1 - at as i64) as i32);
    match *cond {
        Instr::BrIfNez { cond, offset } if lands(offset) => {
            Some(Instr::BrIfEqz { cond, offset: back })
        }
        Instr::BrIfEqz { cond, offset } if lands(offset) => {
            Some(Instr::BrIfNez { cond, offset: back })
        }
        ref other => {
            let (op, a, rhs, offset) = emit::fused_parts(other)?;
            if !lands(offset) {
                return None;
            }
            let mut inverted = emit::branch_on(emit::negate(op), a, rhs)?;
            *inverted.jump_offset_mut()? = back;
            Some(inverted)
        }
    }
}

/// The register a value is read from when it is used as an operand where it stands.
fn source_reg(opnd: Opnd, slot: Reg) -> Option<Reg> {
    match opnd {
        Opnd::Slot => Some(slot),
        Opnd::Local(r) => Some(r),
        Opnd::Const(_) => None,
    }
}
