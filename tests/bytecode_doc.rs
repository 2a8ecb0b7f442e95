//! docs/bytecode.md's instruction table is generated from `Instr::catalogue()`; this test
//! fails when it is stale. Regenerate with `REGWASM_BLESS=1 cargo test --test bytecode_doc`.

mod doc_blocks;

use regwasm::bytecode::Instr;

/// The Markdown table: one row per instruction, in definition order.
fn instruction_table() -> String {
    let mut out = String::from("| mnemonic | operands | meaning |\n|---|---|---|\n");
    for (mnemonic, operands, doc) in Instr::catalogue() {
        let operands = operands.join(" ");
        let doc = doc.split_whitespace().collect::<Vec<_>>().join(" ");
        out.push_str(&format!(
            "| `{mnemonic}` | {operands} | {} |\n",
            doc.replace('|', "\\|")
        ));
    }
    out
}

#[test]
fn bytecode_md_lists_every_instruction() {
    doc_blocks::check("docs/bytecode.md", "bytecode_doc", &|source| match source {
        "instruction table" => instruction_table(),
        "instruction count" => format!("{} instructions\n", Instr::COUNT),
        other => panic!("unknown generated region `{other}`"),
    });
}
