//! Arbitrary bytes: decoding and validation never panic, and accept exactly what wasmparser
//! accepts with the features regwasm has (Wasm 2.0 with SIMD, relaxed SIMD, tail calls,
//! extended constants, wide arithmetic), implementation limits of either side aside.

#![no_main]

use libfuzzer_sys::fuzz_target;
use regwasm::{Config, Engine, Error, Module};

fuzz_target!(|data: &[u8]| {
    let mut config = Config::default();
    config.verify_bytecode(true);
    let ours = Module::from_binary(&Engine::new(&config), data);

    use wasmparser::WasmFeatures as F;
    let features =
        F::WASM2 | F::RELAXED_SIMD | F::TAIL_CALL | F::EXTENDED_CONST | F::WIDE_ARITHMETIC;
    let theirs = wasmparser::Validator::new_with_features(features).validate_all(data);

    match (&ours, &theirs) {
        (Ok(_), Ok(_)) | (Err(Error::Malformed(_) | Error::Invalid(_)), Err(_)) => {}
        (Err(Error::Internal(m)), _) => panic!("translator bug: {m}"),
        (Err(Error::Limit(_)), _) => {}
        // wasmparser's own limits (50,000 locals, 1,000 results, …) reject valid modules.
        (Ok(_), Err(e)) if is_wasmparser_limit(&e.to_string()) => {}
        (Ok(_), Err(e)) => panic!("regwasm accepts, wasmparser rejects: {e}"),
        (Err(e), Ok(_)) => panic!("wasmparser accepts, regwasm rejects: {e}"),
        (Err(e), Err(_)) => panic!("unexpected error class: {e}"),
    }
});

fn is_wasmparser_limit(message: &str) -> bool {
    [
        "too many",
        "exceeds limit",
        "limit of",
        "is too large",
        "exceeded",
    ]
    .iter()
    .any(|m| message.contains(m))
}
