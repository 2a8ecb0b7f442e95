//! A checker for the invariants the interpreter's unchecked accesses rely on: every register an
//! instruction names lies inside its frame, every jump lands on an instruction, and execution
//! can never run off the end of the code.

use super::{CompiledFunc, Instr};

/// Checks a translated function; the error names the first broken invariant and where.
pub fn verify(func: &CompiledFunc) -> Result<(), String> {
    let len = func.code.len();
    let regs = func.num_regs as usize;
    for (at, instr) in func.instrs().enumerate() {
        let mut problem = None;
        instr.visit_operands(|name, op| {
            if let Some(r) = op.as_reg() {
                // Operations taking several consecutive operands name the first one.
                let span = match (instr, name) {
                    // It writes the first two argument registers.
                    (
                        Instr::TableGrow { .. }
                        | Instr::CallCopy2 { .. }
                        | Instr::I64MulWideS { .. }
                        | Instr::I64MulWideU { .. },
                        "args",
                    ) => 2,
                    (Instr::I64Add128 { .. } | Instr::I64Sub128 { .. }, "args") => 4,
                    // A tail call moves its `params` argument cells down from `args`.
                    (
                        Instr::ReturnCall { params, .. }
                        | Instr::ReturnCallIndirect { params, .. }
                        | Instr::Throw { params, .. },
                        "args",
                    ) => *params as usize,
                    // Calls name where the callee's frame starts, which may lie at the frame's
                    // end (but not past it); the interpreter checks the callee's room at run
                    // time.
                    (_, "args") if instr.is_call() => 0,
                    (_, "args") => 3,
                    _ => op.span(),
                };
                if r.0 as usize + span > regs {
                    problem.get_or_insert(format!("register r{} outside a frame of {regs}", r.0));
                }
            }
            if let Some(off) = op.as_offset() {
                let target = at as i64 + off.0 as i64;
                if target < 0 || target >= len as i64 {
                    problem.get_or_insert(format!("jump to {target} outside 0..{len}"));
                }
            }
        });
        if let Instr::BrTable { len: n, .. } = instr {
            if at + 1 + *n as usize >= len {
                problem.get_or_insert(format!("br_table with {n} + 1 entries runs past the end"));
            }
        }
        if let Some(p) = problem {
            return Err(format!("instruction {at} ({}): {p}", instr.mnemonic()));
        }
    }
    super::handlers::verify(&func.handlers, len, regs)?;
    match func.instrs().last() {
        Some(last) if !last.falls_through() => Ok(()),
        other => Err(format!(
            "code may run off its end (last instruction {other:?})"
        )),
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
            vec![Instr::MemoryCopy { args: Reg(1) }, Instr::Return {}],
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
