//! Looking at what the translator made of a module: disassembly and translation statistics.

use super::Module;
use crate::binary::{ExternKind, Operator, OperatorReader};
use crate::bytecode::{self, Counts, FuncStats, TranslationStats, WasmLine};

impl Module {
    /// The register bytecode of every defined function, in index order, separated by blank
    /// lines (the text `regwasm inspect` prints; the format is described in docs/bytecode.md).
    ///
    /// ```
    /// use regwasm::{Engine, Module};
    /// let module = Module::new(&Engine::default(), r#"(module
    ///     (func (export "inc") (param i32) (result i32)
    ///       local.get 0 i32.const 1 i32.add))"#).unwrap();
    /// assert_eq!(module.disassemble(), "\
    /// func 0 (export \"inc\") [i32] -> [i32]
    /// ; registers 3: r0 param, r1-r2 stack; 1 result
    ///     0  i32.add_imm         dst=r1 a=r0 imm=1
    ///     1  return_reg          src=r1
    /// ");
    /// ```
    pub fn disassemble(&self) -> String {
        let first = self.info().num_imported_funcs;
        (0..self.inner.funcs.len() as u32)
            .filter_map(|i| self.disassemble_func(first + i))
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// The register bytecode of function `index` (in the function index space, imports first),
    /// headed by its index, export name and signature; `None` for an imported or unknown
    /// function. When the engine kept source maps (`Config::keep_source_map`), every Wasm
    /// instruction is printed before the bytecode it produced.
    ///
    /// ```
    /// use regwasm::{Config, Engine, Module};
    /// let mut config = Config::default();
    /// config.keep_source_map(true);
    /// let wat = "(module (func (param i32) (result i32) local.get 0 i32.eqz))";
    /// let module = Module::new(&Engine::new(&config), wat).unwrap();
    /// let text = module.disassemble_func(0).unwrap();
    /// assert!(text.contains(";; 0x0019: local.get 0  (emits nothing)"), "{text}");
    /// assert!(text.contains("i32.eqz             dst=r1 a=r0"), "{text}");
    /// assert_eq!(module.disassemble_func(1), None);
    /// ```
    pub fn disassemble_func(&self, index: u32) -> Option<String> {
        let info = self.info();
        let defined = index.checked_sub(info.num_imported_funcs)? as usize;
        let func = self.code(defined).ok()?;
        let mut head = format!("func {index}");
        for name in self.export_names(index) {
            head.push_str(&format!(" (export {name:?})"));
        }
        if let Some(ty) = info.func_type(index) {
            head.push_str(&format!(" {ty}"));
        }
        let wasm = (!func.source_map.is_empty()).then(|| self.wasm_lines(defined));
        Some(format!(
            "{head}\n{}",
            bytecode::listing(func, wasm.as_deref())
        ))
    }

    /// Per-function and total translation figures, counted from the bytecode (translating
    /// now what a lazy mode has not translated yet; a function that fails is left out).
    ///
    /// ```
    /// use regwasm::{Engine, Module};
    /// let module = Module::new(&Engine::default(), r#"(module
    ///     (func (param i32) (result i32) local.get 0 i32.const 1 i32.add)
    ///     (func (param i32) (result i32) local.get 0 call 0))"#).unwrap();
    /// let stats = module.translation_stats();
    /// assert_eq!(stats.funcs.len(), 2);
    /// assert_eq!(stats.funcs[0].counts.wasm_ops, 4); // including `end`
    /// assert_eq!(stats.funcs[0].counts.instrs, 2); // i32.add_imm, return_reg
    /// assert_eq!(stats.funcs[0].counts.copies, 0);
    /// assert_eq!(stats.funcs[0].counts.folded_constants, 1);
    /// assert_eq!(stats.funcs[0].counts.bytes, 2 * 24); // each with its handler address
    /// assert_eq!(stats.total.instrs, stats.funcs[0].counts.instrs + stats.funcs[1].counts.instrs);
    /// ```
    pub fn translation_stats(&self) -> TranslationStats {
        let first = self.info().num_imported_funcs;
        // A function that fails to translate (or, under `CompilationMode::Lazy`, to validate)
        // has no figures; the others keep their own index.
        let funcs = (self.inner.translation_times.iter().enumerate())
            .filter_map(|(i, time)| Some((i, self.code(i).ok()?, time)));
        TranslationStats::new(
            funcs
                .map(|(i, func, time)| {
                    let index = first + i as u32;
                    FuncStats {
                        index,
                        name: self.func_export_name(index).map(str::to_string),
                        counts: Counts::of(func, *time),
                    }
                })
                .collect(),
        )
    }

    /// The names function `index` is exported under.
    pub(super) fn export_names(&self, index: u32) -> impl Iterator<Item = &str> {
        self.info()
            .exports
            .iter()
            .filter(move |e| e.kind == ExternKind::Func && e.index == index)
            .map(|e| e.name.as_str())
    }

    /// Every Wasm instruction of defined function `defined`, with its offset and text.
    fn wasm_lines(&self, defined: usize) -> Vec<WasmLine> {
        let info = self.info();
        let code = info.bodies[defined].code.clone();
        let mut reader = OperatorReader::new(&info.bytes[code.clone()], code.start);
        let mut lines = Vec::new();
        while !reader.is_empty() {
            let offset = reader.offset() as u32;
            // The body was decoded once already, so this cannot fail.
            let Ok(op) = reader.read() else { break };
            lines.push(WasmLine {
                offset,
                text: op.to_string(),
                closes_block: matches!(op, Operator::End | Operator::Else),
            });
        }
        lines
    }
}

/// What tests/inspect.rs cannot see from outside: the stats against the translated functions
/// themselves, and the instruction numbering of real code.
#[cfg(all(test, feature = "wat"))]
mod tests {
    use crate::bytecode::Instr;
    use crate::{Config, Engine, Module, Optimizations};

    fn module(opts: Optimizations) -> Module {
        let mut config = Config::default();
        config.optimizations(opts);
        let wat = include_str!("../../tests/data/inspect.wat");
        Module::new(&Engine::new(&config), wat).unwrap()
    }

    #[test]
    fn stats_match_the_translated_functions() {
        for (name, opts) in Optimizations::ablations() {
            let module = module(opts);
            let stats = module.translation_stats();
            for (i, s) in stats.funcs.iter().enumerate() {
                let func = module.compiled_func(i).unwrap();
                let c = &s.counts;
                assert_eq!(c.instrs, func.code.len() as u64, "{name}");
                assert_eq!(c.registers, func.num_regs as u64, "{name}");
                assert_eq!(c.wasm_ops, func.wasm_ops as u64, "{name}");
                // Fused comparisons counted from the disassembly, fused `eqz`s as the
                // translator reports them.
                let text = module.disassemble_func(s.index).unwrap();
                let fused_compares = (text.lines())
                    .filter_map(|l| l.split_whitespace().nth(1))
                    .filter(|m| {
                        m.starts_with("br_if_")
                            && !m.starts_with("br_if_nez")
                            && !m.starts_with("br_if_eqz")
                    })
                    .count() as u64;
                assert_eq!(c.fused, fused_compares + func.eqz_fusions as u64, "{name}");
            }
        }
    }

    #[test]
    fn instruction_index_is_dense_and_matches_mnemonics() {
        let module = module(Optimizations::all());
        for i in 0..3 {
            for instr in module.compiled_func(i).unwrap().instrs() {
                assert!(instr.index() < Instr::COUNT);
                assert_eq!(Instr::MNEMONICS[instr.index()], instr.mnemonic());
            }
        }
    }
}
