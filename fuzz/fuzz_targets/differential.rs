//! A wasm-smith module built from the input, run on regwasm and wasmi: results, traps,
//! memories, globals and tables must agree (the comparison of tests/differential.rs).

#![no_main]

#[path = "../../tests/diff/harness.rs"]
mod harness;

use harness::{Rng, Verdict};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    harness::quiet_wasmi_panics();
    // The first 8 bytes choose the configuration and the arguments, the rest feed wasm-smith.
    let Some((head, rest)) = data.split_first_chunk::<8>() else {
        return;
    };
    let mut rng = Rng::new(u64::from_le_bytes(*head));
    let config = harness::smith_config(&mut rng);
    let opts = harness::pick_optimizations(&mut rng);
    let Some(wasm) = harness::generate(config, rest) else {
        return;
    };
    let rw = harness::regwasm_engine(opts, rng.below(4) == 0);
    let wi = harness::wasmi_engine();
    match harness::compare(&wasm, &rw, &wi, &mut rng, 2, true) {
        Verdict::Agreed { .. } | Verdict::Skipped(_) | Verdict::WasmiPanicked(_) => {}
        Verdict::Mismatch(m) => panic!("mismatch ({opts:?}): {m}"),
    }
});
