//! A checker for the invariants the interpreter's unchecked accesses rely on: every register an
//! instruction names lies inside its frame, every jump lands on an instruction, and execution
//! can never run off the end of the code.

use super::{CompiledFunc, Handler, Instr, Offset, Op, Operand, OperandVisitor, Reg};

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

/// What every cycle of a function's execution must pass under the engine's configuration:
/// a fuel charge, an interruption check, or both (the translator puts them at the function's
/// entry and at each loop header).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Metering {
    pub fuel: bool,
    pub interrupts: bool,
}

impl Metering {
    pub(crate) fn of(config: &crate::runtime::Config) -> Self {
        Metering {
            fuel: config.consume_fuel,
            interrupts: config.interruptible,
        }
    }

    /// Whether execution entering at `at` passes what this metering asks for: an
    /// interruption `check`, then a fuel charge of at least one unit.
    fn charges_at(self, code: &[Op], at: usize) -> bool {
        let instr = |i: usize| code.get(i).map(Op::instr);
        let mut at = at;
        if self.interrupts {
            if !matches!(instr(at), Some(Instr::Check {})) {
                return false;
            }
            at += 1;
        }
        !self.fuel || matches!(instr(at), Some(Instr::ConsumeFuel { amount: 1.. }))
    }
}

/// Under fuel metering or interruption checks, that no cycle can avoid them, so that
/// precompiled bytecode (checked only by the verifier) cannot loop past a fuel limit or an
/// interrupt. Code that only goes forward ends, so every cycle passes a call or a jump back;
/// the rules make each of those pass a charge:
/// - the entry (reached by every call, tail calls included) charges;
/// - every catch clause continues after the code its handler covers, so a throw goes forward;
/// - a jump back lands on a charge, or on a `br` that goes strictly further back (a chain that
///   ends on a charge);
/// - or the jump back is a landing pad's `br`, entered only by a throw (no jump lands on it,
///   nothing falls into it), to a label after the code of every handler that continues there:
///   a throw and its pad together go forward (a `try_table` inside a block).
pub(crate) fn verify_metering(
    code: &[Op],
    handlers: &[Handler],
    metering: Metering,
) -> Result<(), String> {
    if !metering.fuel && !metering.interrupts {
        return Ok(());
    }
    let what = match (metering.fuel, metering.interrupts) {
        (true, true) => "an interruption check and a fuel charge",
        (true, false) => "a fuel charge",
        _ => "an interruption check",
    };
    if !metering.charges_at(code, 0) {
        return Err(format!("the entry does not start with {what}"));
    }
    let len = code.len();
    let target_of = |at: usize, off: Offset| at as i64 + off.instrs() as i64;
    // Where execution can enter other than from the instruction before: jump targets and
    // `br_table` entries.
    let mut entered = vec![false; len];
    for (at, op) in code.iter().enumerate() {
        if let Some(off) = op.instr().jump_offset() {
            if let Some(e) = usize::try_from(target_of(at, off))
                .ok()
                .and_then(|t| entered.get_mut(t))
            {
                *e = true;
            }
        }
        if let Instr::BrTable { len: n, .. } = *op.instr() {
            let entries = (at + 1).min(len)..(at + 2 + n as usize).min(len);
            entered[entries].fill(true);
        }
    }
    // For each landing pad: the end of the furthest code a handler continuing there covers.
    let mut pad_floor: Vec<Option<u32>> = vec![None; len];
    for (i, h) in handlers.iter().enumerate() {
        for c in h.clauses.iter() {
            if c.target < h.end {
                return Err(format!(
                    "handler {i} continues at {}, inside or before the code it covers ({}..{})",
                    c.target, h.start, h.end
                ));
            }
            if let Some(floor) = pad_floor.get_mut(c.target as usize) {
                *floor = Some(floor.map_or(h.end, |f| f.max(h.end)));
            }
        }
    }
    let only_thrown_to =
        |at: usize| !entered[at] && at > 0 && !code[at - 1].instr().falls_through();
    let further_back = |t: usize| match code.get(t).map(Op::instr) {
        Some(Instr::Br { offset }) => offset.instrs() < 0,
        _ => false,
    };
    for (at, op) in code.iter().enumerate() {
        let Some(off) = op.instr().jump_offset() else {
            continue;
        };
        let target = target_of(at, off);
        if target > at as i64 {
            continue;
        }
        let t = usize::try_from(target).unwrap_or(usize::MAX);
        let pad_forward = matches!(op.instr(), Instr::Br { .. })
            && pad_floor[at].is_some_and(|floor| target >= i64::from(floor))
            && only_thrown_to(at);
        if !metering.charges_at(code, t) && !further_back(t) && !pad_forward {
            return Err(format!(
                "instruction {at} ({}): jump back to {target}, which does not start with {what}",
                op.instr().mnemonic()
            ));
        }
    }
    Ok(())
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
/// instruction: every register inside the frame, every jump onto an instruction.
///
/// The checks only note *that* one failed (`bad`): comparisons and no branches or calls, so
/// that in the decoders of a precompiled load, where they are inlined, a decoder keeps its
/// values in scratch registers. `finish` then finds out what failed by checking the instruction
/// again, out of line ([`FrameCheck::problem`]), and names the first problem.
pub(crate) struct FrameCheck {
    regs: usize,
    len: usize,
    pub(crate) at: usize,
    bad: bool,
}

impl FrameCheck {
    #[inline(always)]
    pub(crate) fn new(regs: u32, len: usize, at: usize) -> Self {
        FrameCheck {
            regs: regs as usize,
            len,
            at,
            bad: false,
        }
    }

    /// Whether registers `r..r + span` lie outside the frame.
    #[inline(always)]
    fn reg_outside(&self, r: Reg, span: usize) -> bool {
        r.0 as usize + span > self.regs
    }

    /// The jump target of `off` at this instruction, if it is outside the code.
    // Forced only when optimized: unoptimized, each of ~700 decoders would keep a copy.
    #[cfg_attr(debug_assertions, inline)]
    #[cfg_attr(not(debug_assertions), inline(always))]
    fn jump_outside(&self, off: Offset) -> Option<i64> {
        let target = self.at as i64 + off.instrs() as i64;
        // An offset that is no whole number of instructions (kept in bytes) lands inside one.
        let inside = Offset::from_bytes(off.bytes()).is_none();
        (target < 0 || target >= self.len as i64 || inside).then_some(target)
    }

    /// The checks that need the whole instruction, then the first problem found, if any;
    /// ready for the next instruction.
    #[inline(always)]
    pub(crate) fn finish(&mut self, instr: &Instr) -> Result<(), String> {
        let bad = self.bad | self.args_outside(instr) | self.table_too_long(instr);
        if bad {
            return Err(self.problem(instr));
        }
        Ok(())
    }

    /// Whether `instr`'s `args` operand (checked here, since how many registers it spans
    /// depends on the instruction) names registers outside the frame. Found by visiting the
    /// operands again: where the kind is a constant (a precompiled decoder) that folds to
    /// reading the field, or to nothing.
    // Forced only when optimized: unoptimized, each of ~700 decoders would keep a copy.
    #[cfg_attr(debug_assertions, inline)]
    #[cfg_attr(not(debug_assertions), inline(always))]
    fn args_outside(&self, instr: &Instr) -> bool {
        let mut args = ArgsOperand(None);
        instr.visit_operands_with(&mut args);
        args.0
            .is_some_and(|r| self.reg_outside(r, args_span(instr)))
    }

    /// Whether `instr` is a `br_table` whose entries run past the end of the code.
    // Forced only when optimized: unoptimized, each of ~700 decoders would keep a copy.
    #[cfg_attr(debug_assertions, inline)]
    #[cfg_attr(not(debug_assertions), inline(always))]
    fn table_too_long(&self, instr: &Instr) -> bool {
        matches!(*instr, Instr::BrTable { len: n, .. } if self.at + 1 + n as usize >= self.len)
    }

    /// What failed of `instr`'s checks, the first in operand order; where it is.
    #[cold]
    #[inline(never)]
    fn problem(&mut self, instr: &Instr) -> String {
        self.bad = false;
        let mut first = Problem {
            frame: self,
            first: None,
        };
        instr.visit_operands_with(&mut first);
        let problem = first.first.unwrap_or_else(|| {
            if let (true, Instr::BrTable { len: n, .. }) = (self.table_too_long(instr), *instr) {
                format!("br_table with {n} + 1 entries runs past the end")
            } else {
                let mut args = ArgsOperand(None);
                instr.visit_operands_with(&mut args);
                let r = args.0.map_or(0, |r| r.0);
                format!("register r{r} outside a frame of {}", self.regs)
            }
        });
        format!("instruction {} ({}): {problem}", self.at, instr.mnemonic())
    }
}

/// The first operand of an instruction that fails [`FrameCheck`]'s checks, as a message.
struct Problem<'a> {
    frame: &'a FrameCheck,
    first: Option<String>,
}

impl OperandVisitor for Problem<'_> {
    fn operand<T: Operand>(&mut self, name: &'static str, op: &T) {
        if self.first.is_some() {
            return;
        }
        let frame = self.frame;
        if let Some(r) = op
            .as_reg()
            .filter(|&r| name != "args" && frame.reg_outside(r, op.span()))
        {
            self.first = Some(format!(
                "register r{} outside a frame of {}",
                r.0, frame.regs
            ));
        } else if let Some(off) = op.as_offset() {
            if Offset::from_bytes(off.bytes()).is_none() {
                let bytes = off.bytes();
                self.first = Some(format!("jump of {bytes} bytes into an instruction"));
            } else if let Some(target) = frame.jump_outside(off) {
                self.first = Some(format!("jump to {target} outside 0..{}", frame.len));
            }
        }
    }
}

/// How many registers `instr`'s `args` operand names. Operations taking several consecutive
/// operands name the first one. Inlined: a constant in each precompiled decoder.
// Forced only when optimized: unoptimized, each of ~700 decoders would keep a copy.
#[cfg_attr(debug_assertions, inline)]
#[cfg_attr(not(debug_assertions), inline(always))]
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

/// An instruction's `args` operand, if it has one.
struct ArgsOperand(Option<Reg>);

impl OperandVisitor for ArgsOperand {
    // Forced only when optimized: unoptimized, each of ~700 decoders would keep a copy.
    #[cfg_attr(debug_assertions, inline)]
    #[cfg_attr(not(debug_assertions), inline(always))]
    fn operand<T: Operand>(&mut self, name: &'static str, op: &T) {
        if name == "args" {
            self.0 = op.as_reg();
        }
    }
}

impl OperandVisitor for FrameCheck {
    // Forced only when optimized: unoptimized, each of ~700 decoders would keep a copy.
    #[cfg_attr(debug_assertions, inline)]
    #[cfg_attr(not(debug_assertions), inline(always))]
    fn operand<T: Operand>(&mut self, name: &'static str, op: &T) {
        if let Some(r) = op.as_reg() {
            // `args` is checked by `finish`.
            self.bad |= name != "args" && self.reg_outside(r, op.span());
        }
        if let Some(off) = op.as_offset() {
            self.bad |= self.jump_outside(off).is_some();
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
        let jump = func(
            vec![Instr::Br {
                offset: Offset::new(5),
            }],
            0,
        );
        assert!(verify(&jump).unwrap_err().contains("jump to 5"));
        // Kept in bytes, an offset too long for an `i32` wraps to one that is no whole number
        // of instructions: it would land inside one, whatever its target in instructions.
        let inside = Offset::new(100_000_000);
        assert_ne!(inside.instrs(), 100_000_000);
        let err = verify(&func(vec![Instr::Br { offset: inside }], 0)).unwrap_err();
        assert!(err.contains("into an instruction"), "{err}");
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
        // A `br_table` needs its `len` + 1 entries after it.
        let table = |len| {
            let br = Instr::Br {
                offset: Offset::new(0),
            };
            let table = Instr::BrTable { index: Reg(0), len };
            func(vec![table, br, br, Instr::Return {}], 1)
        };
        assert_eq!(verify(&table(2)), Ok(()));
        let err = verify(&table(3)).unwrap_err();
        assert!(err.contains("br_table with 3 + 1 entries"), "{err}");
        // Of several problems, the first operand's is named, whichever kind it is.
        let both = Instr::Select {
            dst: Reg(1),
            cond: Reg(7),
            a: Reg(9),
            b: Reg(0),
        };
        let err = verify(&func(vec![both, Instr::Return {}], 2)).unwrap_err();
        assert!(err.contains("instruction 0 (select): register r7"), "{err}");
    }

    #[test]
    fn no_cycle_avoids_the_metering() {
        use crate::bytecode::{Clause, Handler};
        let fuel = Metering {
            fuel: true,
            interrupts: false,
        };
        let both = Metering {
            fuel: true,
            interrupts: true,
        };
        let charge = Instr::ConsumeFuel { amount: 1 };
        let br = |off| Instr::Br {
            offset: Offset::new(off),
        };
        let br_if = |off| Instr::BrIfNez {
            cond: Reg(0),
            offset: Offset::new(off),
        };
        let check = |code: Vec<Instr>, handlers: Vec<Handler>, m| {
            let f = func(code, 1);
            verify(&f)?;
            verify_metering(&f.code, &handlers, m)
        };
        let nop = Instr::Copy {
            dst: Reg(0),
            src: Reg(0),
        };
        // A loop whose header charges.
        let ok = vec![charge, charge, nop, br_if(-2), Instr::Return {}];
        assert_eq!(check(ok.clone(), vec![], fuel), Ok(()));
        // Unmetered, nothing is asked.
        let none = Metering {
            fuel: false,
            interrupts: false,
        };
        assert_eq!(check(vec![br(0)], vec![], none), Ok(()));
        // Metered by interrupts too, the header lacks its check.
        let err = check(ok, vec![], both).unwrap_err();
        assert!(err.contains("entry"), "{err}");
        let ok = vec![Instr::Check {}, charge, nop, br_if(-2), Instr::Return {}];
        let err = check(ok, vec![], both).unwrap_err();
        assert!(
            err.contains("instruction 3 (br_if_nez): jump back to 1"),
            "{err}"
        );
        // A jump back past the charge, onto itself, and a charge of nothing.
        let err = check(vec![charge, nop, br_if(-1), Instr::Return {}], vec![], fuel);
        assert!(err.unwrap_err().contains("jump back to 1"));
        let err = check(vec![charge, br(0)], vec![], fuel).unwrap_err();
        assert!(err.contains("jump back to 1"), "{err}");
        let zero = Instr::ConsumeFuel { amount: 0 };
        let err = check(vec![zero, br(0)], vec![], fuel).unwrap_err();
        assert!(err.contains("entry"), "{err}");
        // A jump back onto a `br` that goes further back to a charge; not onto one that goes
        // forward (the cycle 1 -> 3 -> 1 would charge nothing).
        let chain = vec![charge, br(2), Instr::Return {}, br(-3), br(-1)];
        assert_eq!(check(chain, vec![], fuel), Ok(()));
        let forward = vec![charge, br(2), Instr::Return {}, br(-2)];
        assert!(check(forward, vec![], fuel).is_err());
        // A landing pad's `br` back to a label after the code its handler covers.
        let handler = |end, target| Handler {
            start: 1,
            end,
            clauses: Box::new([Clause {
                tag: None,
                with_ref: false,
                dst: Reg(0),
                cells: 0,
                target,
            }]),
        };
        let pad = || vec![charge, nop, nop, Instr::Return {}, br(-2)];
        assert_eq!(check(pad(), vec![handler(2, 4)], fuel), Ok(()));
        // ... but not to code it covers, nor a clause continuing inside it,
        let err = check(pad(), vec![handler(3, 4)], fuel).unwrap_err();
        assert!(err.contains("instruction 4 (br): jump back to 2"), "{err}");
        let err = check(pad(), vec![handler(4, 3)], fuel).unwrap_err();
        assert!(err.contains("handler 0 continues at 3"), "{err}");
        // ... nor a pad that a jump or the code before can enter too.
        let mut entered = pad();
        entered[1] = br_if(3);
        assert!(check(entered, vec![handler(2, 4)], fuel).is_err());
        let mut falls = pad();
        falls[3] = nop;
        assert!(check(falls, vec![handler(2, 4)], fuel).is_err());
    }
}
