//! docs/bytecode.md's instruction table is generated from `regwasm::instruction_catalogue()`
//! (the instruction table in `src/bytecode/instrs.rs`); this test fails when it is stale.
//! Regenerate with `REGWASM_BLESS=1 cargo test --test bytecode_doc`.

mod doc_blocks;

use regwasm::{instruction_catalogue, InstructionInfo};

/// The Markdown table: one row per instruction, in definition order.
fn instruction_table(catalogue: &[InstructionInfo]) -> String {
    let mut out = String::from("| mnemonic | operands | meaning |\n|---|---|---|\n");
    for info in catalogue {
        let operands = info.operands.join(" ");
        let doc = info
            .description
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        out.push_str(&format!(
            "| `{}` | {operands} | {} |\n",
            info.mnemonic,
            doc.replace('|', "\\|")
        ));
    }
    out
}

#[test]
fn bytecode_md_lists_every_instruction() {
    let catalogue = instruction_catalogue();
    doc_blocks::check("docs/bytecode.md", "bytecode_doc", &|source| match source {
        "instruction table" => instruction_table(&catalogue),
        "instruction count" => format!("{} instructions\n", catalogue.len()),
        other => panic!("unknown generated region `{other}`"),
    });
}
