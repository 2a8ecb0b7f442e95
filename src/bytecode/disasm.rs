//! Text form of translated functions: one instruction a line, `offset: mnemonic operands`.

use super::{CompiledFunc, Instr};
use std::fmt;

/// Writes `func` as text; jump targets are printed as absolute instruction offsets (`@12`).
pub(super) fn write(f: &mut fmt::Formatter<'_>, func: &CompiledFunc) -> fmt::Result {
    writeln!(
        f,
        "; params {}, locals {}, results {}, registers {}",
        func.num_params, func.num_locals, func.num_results, func.num_regs
    )?;
    for (at, instr) in func.code.iter().enumerate() {
        writeln!(f, "{at:5}: {}", line(instr, at))?;
    }
    Ok(())
}

/// One instruction as text, e.g. `i32.add dst=r4 a=r2 b=r3`.
pub fn line(instr: &Instr, at: usize) -> String {
    let mut s = instr.mnemonic().to_string();
    for (name, value) in instr.operands(at) {
        s.push(' ');
        s.push_str(name);
        s.push('=');
        s.push_str(&value);
    }
    s
}
