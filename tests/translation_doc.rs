//! docs/translation.md shows examples/translation/*.wat and what `regwasm inspect` prints for
//! them; this test fails when those blocks are stale. Regenerate with
//! `REGWASM_BLESS=1 cargo test --test translation_doc`.

mod doc_blocks;

use std::process::Command;

/// `cat FILE` gives the file as a `wat` block, `regwasm ARGS` the command's output.
fn generate(source: &str) -> String {
    let root = env!("CARGO_MANIFEST_DIR");
    let words: Vec<&str> = source.split_whitespace().collect();
    match words[..] {
        ["cat", file] => {
            let text = std::fs::read_to_string(format!("{root}/{file}")).unwrap();
            format!("```wat\n{text}```\n")
        }
        ["regwasm", ref args @ ..] => {
            let out = Command::new(env!("CARGO_BIN_EXE_regwasm"))
                .args(args)
                .current_dir(root)
                .output()
                .unwrap();
            assert!(out.status.success(), "`{source}` failed");
            format!("```text\n{}```\n", String::from_utf8(out.stdout).unwrap())
        }
        _ => panic!("unknown generated region `{source}`"),
    }
}

#[test]
fn translation_md_examples_are_current() {
    doc_blocks::check("docs/translation.md", "translation_doc", &generate);
}
