//! Text form of translated functions: a register summary, then one instruction a line —
//! `offset  mnemonic  name=operand ...` — with every jump target also named by a label (`L0`,
//! `L1`, … numbered in code order) that is printed on its own line before the target. With the
//! Wasm code, each Wasm instruction comes before the bytecode it produced. The format is
//! described in docs/bytecode.md.

use super::{CompiledFunc, Instr};
use std::collections::BTreeMap;
use std::fmt::{self, Write};

/// Width of the mnemonic column: the longest mnemonics (`i64.trunc_sat_f64_u`) fit.
const MNEMONIC_WIDTH: usize = 19;

/// Writes `func` as text without Wasm annotations (the `Display` of [`CompiledFunc`]).
pub(super) fn write(f: &mut fmt::Formatter<'_>, func: &CompiledFunc) -> fmt::Result {
    f.write_str(&listing(func, None))
}

/// One Wasm instruction of a body, as the annotated listing shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WasmLine {
    /// Byte offset of the instruction in the module (what `CompiledFunc::source_map` holds).
    pub offset: u32,
    /// Readable text, e.g. `local.get 0`.
    pub text: String,
    /// Whether it is an `end` or `else`, after which control flow joins.
    pub closes_block: bool,
}

/// The listing of `func`. With `wasm` (every instruction of the body, in order) and a source
/// map, each Wasm instruction is printed before the first bytecode instruction it produced, and
/// those that produced none are marked so.
pub fn listing(func: &CompiledFunc, wasm: Option<&[WasmLine]>) -> String {
    let mut out = summary(func);
    let labels = labels(func);
    let map = &func.source_map;
    let wasm = wasm.filter(|_| map.len() == func.code.len());
    let mut wasm = wasm.unwrap_or(&[]).iter().peekable();
    for (at, instr) in func.instrs().enumerate() {
        // The source map is in code order, so Wasm lines up to this instruction's come first.
        let mut group = Vec::new();
        while let Some(w) = wasm.next_if(|w| w.offset <= map[at]) {
            group.push((w, w.offset < map[at]));
        }
        // Those lines before the instruction's own emitted nothing, so a jump may land among
        // them: the label goes after the last `end`/`else` (where blocks join), or before all.
        let split = group
            .iter()
            .rposition(|(w, nothing)| *nothing && w.closes_block)
            .map_or(0, |i| i + 1);
        for &(w, nothing) in &group[..split] {
            wasm_line(&mut out, w, nothing);
        }
        if let Some(l) = labels.get(&at) {
            let _ = writeln!(out, "L{l}:");
        }
        for &(w, nothing) in &group[split..] {
            wasm_line(&mut out, w, nothing);
        }
        let _ = writeln!(out, "{at:5}  {}", text(instr, at, Some(&labels)));
    }
    for w in wasm {
        wasm_line(&mut out, w, true);
    }
    super::handlers::write_table(&mut out, &func.handlers);
    out
}

fn wasm_line(out: &mut String, w: &WasmLine, produced_nothing: bool) {
    let note = if produced_nothing {
        "  (emits nothing)"
    } else {
        ""
    };
    let _ = writeln!(out, "       ;; {:#06x}: {}{note}", w.offset, w.text);
}

/// `; registers 4: r0 param, r1-r3 stack; 1 result`: how the frame is laid out.
fn summary(func: &CompiledFunc) -> String {
    let span = |lo: u32, hi: u32, one: &str, many: &str| match hi - lo {
        0 => None,
        1 => Some(format!("r{lo} {one}")),
        _ => Some(format!("r{lo}-r{} {many}", hi - 1)),
    };
    let parts: Vec<String> = [
        span(0, func.num_params, "param", "params"),
        span(func.num_params, func.num_locals, "local", "locals"),
        span(
            func.num_locals,
            func.num_regs.max(func.num_locals),
            "stack",
            "stack",
        ),
    ]
    .into_iter()
    .flatten()
    .collect();
    let results = match func.num_results {
        1 => "1 result".to_string(),
        n => format!("{n} results"),
    };
    let layout = if parts.is_empty() {
        String::new()
    } else {
        format!(": {}", parts.join(", "))
    };
    format!("; registers {}{layout}; {results}\n", func.num_regs)
}

/// Jump targets, each with its label number; labels are numbered in order of position.
fn labels(func: &CompiledFunc) -> BTreeMap<usize, usize> {
    let mut targets = BTreeMap::new();
    for (at, instr) in func.instrs().enumerate() {
        instr.visit_operands(|_, op| {
            if let Some(off) = op.as_offset() {
                targets.insert((at as i64 + off.instrs() as i64) as usize, 0);
            }
        });
    }
    for (n, label) in targets.values_mut().enumerate() {
        *label = n;
    }
    targets
}

/// The mnemonic (padded to a column) and operands; jump targets get their label when known.
fn text(instr: &Instr, at: usize, labels: Option<&BTreeMap<usize, usize>>) -> String {
    let mut s = instr.mnemonic().to_string();
    if labels.is_some() {
        s = format!("{s:MNEMONIC_WIDTH$}");
    }
    instr.visit_operands(|name, op| {
        let _ = write!(s, " {name}={}", op.fmt_operand(at));
        let target = op
            .as_offset()
            .map(|o| (at as i64 + o.instrs() as i64) as usize);
        if let Some(l) = target.and_then(|t| labels?.get(&t)) {
            let _ = write!(s, " (L{l})");
        }
    });
    s.trim_end().to_string()
}
