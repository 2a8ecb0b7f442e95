//! A checker for the invariants the interpreter's unchecked accesses rely on: every register an
//! instruction names lies inside its frame, every jump lands on an instruction, and execution
//! can never run off the end of the code.

use super::{CompiledFunc, Instr, Operand, OperandVisitor, Reg};

/// Checks a translated function; the error names the first broken invariant and where.
pub fn verify(func: &CompiledFunc) -> Result<(), String> {
    let len = func.code.len();
    for (at, instr) in func.instrs().enumerate() {
        let mut check = FrameCheck::new(func.num_regs, len, at);
        instr.visit_operands_with(&mut check);
        check.finish(instr)?;
    }
    super::handlers::verify(&func.handlers, len, func.num_regs as usize)?;
    ends_in_terminal(func.instrs().last())
}

/// That code whose last instruction is `last` cannot run off its end.
pub(crate) fn ends_in_terminal(last: Option<&Instr>) -> Result<(), String> {
    match last {
        Some(last) if !last.falls_through() => Ok(()),
        other => Err(format!(
            "code may run off its end (last instruction {other:?})"
        )),
    }
}

/// The checks of one instruction at position `at` in code of `len` instructions with a frame of
/// `regs` registers, as an operand visitor, then [`FrameCheck::finish`] with the whole
/// instruction: every register inside the frame, every jump onto an instruction. The first
/// problem found is kept.
pub(crate) struct FrameCheck {
    regs: usize,
    len: usize,
    pub(crate) at: usize,
    /// The `args` operand, checked by `finish`: how many registers it spans depends on the
    /// instruction.
    args: Option<Reg>,
    pub(crate) problem: Option<String>,
}

impl FrameCheck {
    #[inline(always)]
    pub(crate) fn new(regs: u32, len: usize, at: usize) -> Self {
        FrameCheck {
            regs: regs as usize,
            len,
            at,
            args: None,
            problem: None,
        }
    }

    /// That registers `r..r + span` lie inside the frame.
    #[inline(always)]
    fn check_reg(&mut self, r: Reg, span: usize) {
        if r.0 as usize + span > self.regs {
            let regs = self.regs;
            (self.problem)
                .get_or_insert_with(|| format!("register r{} outside a frame of {regs}", r.0));
        }
    }

    /// The first problem, with the rest of the checks that need the whole instruction; ready
    /// for the next instruction.
    #[inline(always)]
    pub(crate) fn finish(&mut self, instr: &Instr) -> Result<(), String> {
        if let Some(args) = self.args.take() {
            self.check_reg(args, args_span(instr));
        }
        if let Instr::BrTable { len: n, .. } = *instr {
            if self.at + 1 + n as usize >= self.len {
                self.problem
                    .get_or_insert(format!("br_table with {n} + 1 entries runs past the end"));
            }
        }
        match self.problem.take() {
            None => Ok(()),
            Some(p) => Err(format!(
                "instruction {} ({}): {p}",
                self.at,
                instr.mnemonic()
            )),
        }
    }
}

/// How many registers `instr`'s `args` operand names. Operations taking several consecutive
/// operands name the first one.
fn args_span(instr: &Instr) -> usize {
    match *instr {
        // It writes the first two argument registers.
        Instr::TableGrow { .. }
        | Instr::CallCopy2 { .. }
        | Instr::I64MulWideS { .. }
        | Instr::I64MulWideU { .. } => 2,
        Instr::I64Add128 { .. } | Instr::I64Sub128 { .. } => 4,
        // A tail call moves its `params` argument cells down from `args`.
        Instr::ReturnCall { params, .. }
        | Instr::ReturnCallIndirect { params, .. }
        | Instr::ReturnCallRef { params, .. }
        // A throw's payload cells.
        | Instr::Throw { params, .. } => params as usize,
        // Calls name where the callee's frame starts, which may lie at the frame's end
        // (but not past it); the interpreter checks the callee's room at run time.
        _ if instr.is_call() => 0,
        _ => 3,
    }
}

impl OperandVisitor for FrameCheck {
    #[inline(always)]
    fn operand<T: Operand>(&mut self, name: &'static str, op: &T) {
        if let Some(r) = op.as_reg() {
            if name == "args" {
                self.args = Some(r);
            } else {
                self.check_reg(r, op.span());
            }
        }
        if let Some(off) = op.as_offset() {
            let target = self.at as i64 + off.0 as i64;
            if target < 0 || target >= self.len as i64 {
                let len = self.len;
                (self.problem).get_or_insert_with(|| format!("jump to {target} outside 0..{len}"));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bytecode::{Offset, Reg};

    fn func(code: Vec<Instr>, num_regs: u32) -> CompiledFunc {
        CompiledFunc {
            code: code.into_iter().map(crate::bytecode::Op::new).collect(),
            num_regs,
            num_params: 0,
            num_locals: 0,
            num_results: 0,
            wasm_ops: 0,
            eqz_fusions: 0,
            source_map: Box::new([]),
            handlers: Box::new([]),
            enter_room: CompiledFunc::enter_room_for(num_regs, 0, 0),
        }
    }

    #[test]
    fn catches_each_broken_invariant() {
        let ok = func(
            vec![
                Instr::Copy {
                    dst: Reg(1),
                    src: Reg(0),
                },
                Instr::Return {},
            ],
            2,
        );
        assert_eq!(verify(&ok), Ok(()));
        let reg = func(
            vec![
                Instr::Copy {
                    dst: Reg(2),
                    src: Reg(0),
                },
                Instr::Return {},
            ],
            2,
        );
        assert!(verify(&reg).unwrap_err().contains("register r2"));
        let jump = func(vec![Instr::Br { offset: Offset(5) }], 0);
        assert!(verify(&jump).unwrap_err().contains("jump to 5"));
        let fall = func(
            vec![Instr::Copy {
                dst: Reg(0),
                src: Reg(0),
            }],
            1,
        );
        assert!(verify(&fall).unwrap_err().contains("run off"));
        let bulk = func(
            vec![
                Instr::MemoryCopy {
                    args: Reg(1),
                    dst_mem: 0,
                    src_mem: 0,
                },
                Instr::Return {},
            ],
            3,
        );
        assert!(verify(&bulk).is_err());
        // A call's frame may start at the frame's end, but `call_copy2` writes two registers
        // there.
        let call = |args| {
            let copy2 = Instr::CallCopy2 {
                func: 0,
                args: Reg(args),
                a: Reg(0),
                b: Reg(0),
            };
            func(vec![copy2, Instr::Return {}], 3)
        };
        assert_eq!(verify(&call(1)), Ok(()));
        assert!(verify(&call(2)).unwrap_err().contains("register r2"));
        // A plain call's frame may start at the end of the caller's, not beyond.
        let call = |args| {
            let call = Instr::Call {
                func: 0,
                args: Reg(args),
            };
            func(vec![call, Instr::Return {}], 3)
        };
        assert_eq!(verify(&call(3)), Ok(()));
        assert!(verify(&call(4)).unwrap_err().contains("register r4"));
    }
}
