//! A wasm-smith module (anything regwasm supports, imports included) compiled with
//! `verify_bytecode`: the translator's output must satisfy the interpreter's invariants under
//! every optimization setting, and regwasm must accept the (valid) module.

#![no_main]

#[path = "../../tests/diff/harness.rs"]
mod harness;

use harness::Rng;
use libfuzzer_sys::fuzz_target;
use regwasm::{Config, Engine, Error, Module, Optimizations};

fuzz_target!(|data: &[u8]| {
    let Some((head, rest)) = data.split_first_chunk::<8>() else {
        return;
    };
    let mut rng = Rng::new(u64::from_le_bytes(*head));
    let mut config = harness::smith_config(&mut rng);
    // Translation only: imports, traps and NaNs as they come.
    config.max_imports = 8;
    config.canonicalize_nans = false;
    config.disallow_traps = false;
    let mut u = arbitrary::Unstructured::new(rest);
    let Ok(module) = wasm_smith::Module::new(config, &mut u) else {
        return;
    };
    let wasm = module.to_bytes();
    let picked = harness::pick_optimizations(&mut rng);
    for opts in [Optimizations::all(), Optimizations::none(), picked] {
        let mut config = Config::default();
        config.verify_bytecode(true).optimizations(opts);
        match Module::from_binary(&Engine::new(&config), &wasm) {
            Ok(_) => {}
            Err(Error::Limit(_)) => {}
            Err(Error::Internal(m)) => panic!("translator bug ({opts:?}): {m}"),
            Err(e) => panic!("a valid module is rejected ({opts:?}): {e}"),
        }
    }
});
