//! Generated regions of the Markdown docs: everything between
//! `<!-- generated: SOURCE -->` and `<!-- end generated -->` is the output for SOURCE. A test
//! regenerates every region and fails when the file differs; with `REGWASM_BLESS=1` it
//! rewrites the file instead.

use std::path::PathBuf;

const START: &str = "<!-- generated: ";
const END: &str = "<!-- end generated -->";

/// `doc` with every region replaced by `generate(SOURCE)`.
pub fn refresh(doc: &str, generate: &dyn Fn(&str) -> String) -> String {
    let mut out = String::new();
    let mut rest = doc;
    while let Some(start) = rest.find(START) {
        let line_end = start + rest[start..].find('\n').expect("a marker line ends");
        let source = rest[start + START.len()..line_end]
            .trim()
            .strip_suffix("-->")
            .expect("a marker ends with -->")
            .trim();
        let end = rest[line_end..]
            .find(END)
            .map(|e| line_end + e)
            .unwrap_or_else(|| panic!("no `{END}` after `{source}`"));
        out.push_str(&rest[..=line_end]);
        out.push_str(&generate(source));
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

/// Checks `path` (relative to the crate) against its regenerated form, or rewrites it when
/// blessing; `test` names the test target, for the message.
pub fn check(path: &str, test: &str, generate: &dyn Fn(&str) -> String) {
    let file = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(path);
    let current = std::fs::read_to_string(&file).unwrap();
    let fresh = refresh(&current, generate);
    if fresh == current {
        return;
    }
    if std::env::var_os("REGWASM_BLESS").is_some() {
        std::fs::write(&file, fresh).unwrap();
        return;
    }
    let first_difference = current
        .lines()
        .zip(fresh.lines())
        .enumerate()
        .find(|(_, (a, b))| a != b)
        .map(|(n, (a, b))| format!("line {}: `{a}`, expected `{b}`", n + 1))
        .unwrap_or_else(|| "the length differs".into());
    panic!(
        "{path} is out of date ({first_difference}).\nRegenerate it with \
         `REGWASM_BLESS=1 cargo test --test {test}` and review the diff."
    );
}
