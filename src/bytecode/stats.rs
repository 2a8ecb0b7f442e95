//! Translation statistics, counted from the bytecode itself: what went in (Wasm instructions),
//! what came out (instructions, bytes, registers), and what the optimizations did.

use super::{CompiledFunc, Instr};
use std::fmt::{self, Write};
use std::time::Duration;

/// Figures for one function, or summed over several.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    /// Wasm instructions in (including the body's final `end`).
    pub wasm_ops: u64,
    /// Bytecode instructions out.
    pub instrs: u64,
    /// Size of the bytecode: `instrs * size_of::<Instr>()`.
    pub bytes: u64,
    /// Registers per frame (summed over functions in a total).
    pub registers: u64,
    /// Register-to-register copies (`copy`, and two per `copy2`).
    pub copies: u64,
    /// Instructions with an immediate operand (`*_imm`): a constant folded into its user.
    pub folded_constants: u64,
    /// Comparisons and `eqz`s fused into the branch they fed.
    pub fused: u64,
    /// Time spent validating and translating.
    pub time: Duration,
}

impl Counts {
    /// The figures of one translated function; `time` is what translating it took.
    pub(crate) fn of(func: &CompiledFunc, time: Duration) -> Counts {
        let count = |p: fn(&Instr) -> bool| func.instrs().filter(|i| p(i)).count() as u64;
        Counts {
            wasm_ops: func.wasm_ops as u64,
            instrs: func.code.len() as u64,
            bytes: std::mem::size_of_val(&*func.code) as u64,
            registers: func.num_regs as u64,
            copies: count(|i| {
                matches!(
                    i,
                    Instr::Copy { .. }
                        | Instr::CopyAcc { .. }
                        | Instr::CopyBr { .. }
                        | Instr::CopyBrIfNez { .. }
                        | Instr::CopyBrIfEqz { .. }
                )
            }) + 2 * count(|i| matches!(i, Instr::Copy2 { .. })),
            folded_constants: count(has_immediate),
            fused: count(Instr::is_fused_compare) + func.eqz_fusions as u64,
            time,
        }
    }

    /// Bytecode instructions per Wasm instruction.
    pub fn ratio(&self) -> f64 {
        if self.wasm_ops == 0 {
            return 0.0;
        }
        self.instrs as f64 / self.wasm_ops as f64
    }

    fn add(&mut self, other: &Counts) {
        self.wasm_ops += other.wasm_ops;
        self.instrs += other.instrs;
        self.bytes += other.bytes;
        self.registers += other.registers;
        self.copies += other.copies;
        self.folded_constants += other.folded_constants;
        self.fused += other.fused;
        self.time += other.time;
    }
}

/// Whether `instr` carries a constant operand (`imm`): the `*_imm` forms.
fn has_immediate(instr: &Instr) -> bool {
    let mut found = false;
    instr.visit_operands(|name, _| found |= name == "imm");
    found
}

/// The figures of one defined function.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FuncStats {
    /// Index in the module's function index space (imports first).
    pub index: u32,
    /// The first export name, if the function is exported.
    pub name: Option<String>,
    /// Its figures.
    pub counts: Counts,
}

/// Per-function and total translation figures of a module (see `Module::translation_stats`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TranslationStats {
    /// One entry per defined function, in index order (imports have no bytecode).
    pub funcs: Vec<FuncStats>,
    /// The sum of every function's figures.
    pub total: Counts,
}

impl TranslationStats {
    /// Collects per-function figures and sums them.
    pub(crate) fn new(funcs: Vec<FuncStats>) -> Self {
        let mut total = Counts::default();
        for f in &funcs {
            total.add(&f.counts);
        }
        Self { funcs, total }
    }

    /// The figures as one JSON object: `{"functions": [...], "total": {...}}`.
    pub fn to_json(&self) -> String {
        let mut out = String::from("{\n  \"functions\": [");
        for (i, f) in self.funcs.iter().enumerate() {
            let sep = if i == 0 { "" } else { "," };
            let name = f.name.as_deref().map_or("null".into(), json_string);
            let _ = write!(
                out,
                "{sep}\n    {{\"index\": {}, \"name\": {name}, {}}}",
                f.index,
                json_counts(&f.counts)
            );
        }
        if !self.funcs.is_empty() {
            out.push_str("\n  ");
        }
        let _ = write!(
            out,
            "],\n  \"total\": {{{}}}\n}}\n",
            json_counts(&self.total)
        );
        out
    }
}

fn json_counts(c: &Counts) -> String {
    format!(
        "\"wasm_instructions\": {}, \"instructions\": {}, \"ratio\": {:.3}, \"bytes\": {}, \
         \"registers\": {}, \"copies\": {}, \"folded_constants\": {}, \"fused\": {}, \
         \"translation_ns\": {}",
        c.wasm_ops,
        c.instrs,
        c.ratio(),
        c.bytes,
        c.registers,
        c.copies,
        c.folded_constants,
        c.fused,
        c.time.as_nanos()
    )
}

/// `s` as a JSON string literal.
fn json_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A table: one row per function, then the total.
impl fmt::Display for TranslationStats {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let rows = self.funcs.iter().map(|s| {
            let name = match &s.name {
                Some(n) => format!("{} {n}", s.index),
                None => s.index.to_string(),
            };
            (name, &s.counts)
        });
        writeln!(
            f,
            "{:<20} {:>7} {:>8} {:>6} {:>8} {:>5} {:>6} {:>6} {:>6} {:>10}",
            "function",
            "wasm",
            "bytecode",
            "ratio",
            "bytes",
            "regs",
            "copies",
            "imm",
            "fused",
            "time"
        )?;
        for (name, c) in rows.chain(std::iter::once(("total".to_string(), &self.total))) {
            writeln!(
                f,
                "{name:<20} {:>7} {:>8} {:>6.2} {:>8} {:>5} {:>6} {:>6} {:>6} {:>10}",
                c.wasm_ops,
                c.instrs,
                c.ratio(),
                c.bytes,
                c.registers,
                c.copies,
                c.folded_constants,
                c.fused,
                format!("{:.1?}", c.time),
            )?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_strings_are_escaped() {
        assert_eq!(json_string("plain"), "\"plain\"");
        assert_eq!(
            json_string("a\"b\\c\nd\u{1}é"),
            "\"a\\\"b\\\\c\\nd\\u0001é\""
        );
    }

    #[test]
    fn totals_sum_the_functions() {
        let a = Counts {
            wasm_ops: 4,
            instrs: 2,
            copies: 1,
            time: Duration::from_micros(3),
            ..Counts::default()
        };
        let f = |index| FuncStats {
            index,
            name: None,
            counts: a,
        };
        let stats = TranslationStats::new(vec![f(0), f(1)]);
        assert_eq!(stats.total.instrs, 4);
        assert_eq!(stats.total.copies, 2);
        assert_eq!(stats.total.time, Duration::from_micros(6));
        assert_eq!(stats.total.ratio(), 0.5);
        assert!(stats.to_json().contains("\"name\": null"));
    }
}
