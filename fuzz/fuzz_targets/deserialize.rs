//! Arbitrary bytes into `Module::deserialize`: never a panic, and every refusal is an
//! `Error::Precompiled`. Two ways in: the raw input (which the header checks and the checksum
//! stop early), and the input as the payload of an otherwise valid header with a correct
//! checksum, so that the loader's own checks — the stored Wasm binary, each function's frame,
//! the instruction decoder, the bytecode verifier, the index checks — see every input. An
//! input that loads is instantiated and run under fuel, which must not panic either.

#![no_main]

use libfuzzer_sys::fuzz_target;
use regwasm::{Config, Engine, Error, Linker, Module, Store, Val};
use std::sync::OnceLock;

/// The engine, and the header `Module::serialize` writes for it (everything before the
/// payload), taken from a real serialized module.
fn setup() -> &'static (Engine, Vec<u8>) {
    static SETUP: OnceLock<(Engine, Vec<u8>)> = OnceLock::new();
    SETUP.get_or_init(|| {
        let mut config = Config::default();
        config.consume_fuel(true);
        let engine = Engine::new(&config);
        let bytes = Module::from_binary(&engine, b"\0asm\x01\0\0\0")
            .unwrap()
            .serialize();
        // Magic, format version, crate version (length-prefixed), settings, fingerprint,
        // payload length, checksum.
        let header = 13 + bytes[12] as usize + 4 + 8 + 8 + 8;
        (engine, bytes[..header].to_vec())
    })
}

/// The checksum of docs/architecture.md ("Precompiled modules").
fn checksum(bytes: &[u8]) -> u64 {
    const K: u64 = 0x9e37_79b9_7f4a_7c15;
    let step = |h: u64, w: u64| (h ^ w).wrapping_mul(K).rotate_left(31);
    let word = |at: usize| u64::from_le_bytes(bytes[at..at + 8].try_into().unwrap());
    let s = 0x243f_6a88_85a3_08d3 ^ bytes.len() as u64;
    let mut lanes = [s, s ^ 1, s ^ 2, s ^ 3, s ^ 4, s ^ 5, s ^ 6, s ^ 7];
    let blocks = bytes.len() / 64;
    for block in 0..blocks {
        for (i, lane) in lanes.iter_mut().enumerate() {
            *lane = step(*lane, word(block * 64 + i * 8));
        }
    }
    let mut h = lanes[0];
    for &lane in &lanes[1..] {
        h = step(h, lane);
    }
    let mut at = blocks * 64;
    while at + 8 <= bytes.len() {
        h = step(h, word(at));
        at += 8;
    }
    let mut tail = [0u8; 8];
    tail[..bytes.len() - at].copy_from_slice(&bytes[at..]);
    h = (h ^ u64::from_le_bytes(tail)).wrapping_mul(K);
    h ^ h >> 32
}

fn load(engine: &Engine, bytes: &[u8]) {
    match Module::deserialize(engine, bytes) {
        Err(Error::Precompiled(_)) => {}
        Err(e) => panic!("not a precompiled-module error: {e:?}"),
        Ok(module) => run(engine, &module),
    }
}

/// Calls every exported function with zero arguments, under fuel.
fn run(engine: &Engine, module: &Module) {
    let mut store = Store::new(engine, ());
    store.set_fuel(100_000).unwrap();
    let mut linker = Linker::new(engine);
    linker.define_unknown_imports_as_traps(module);
    let Ok(instance) = linker.instantiate(&mut store, module) else {
        return;
    };
    let names: Vec<String> = module.exports().map(|(n, _)| n.to_string()).collect();
    for name in names {
        let Some(func) = instance.get_func(&store, &name) else {
            continue;
        };
        let ty = func.ty(&store);
        let params: Vec<Val> = ty.params().iter().map(|&t| Val::default_of(t)).collect();
        let mut results: Vec<Val> = ty.results().iter().map(|&t| Val::default_of(t)).collect();
        let _ = func.call(&mut store, &params, &mut results);
    }
}

fuzz_target!(|data: &[u8]| {
    let (engine, header) = setup();
    load(engine, data);
    let mut sealed = header.clone();
    let n = sealed.len();
    sealed[n - 16..n - 8].copy_from_slice(&(data.len() as u64).to_le_bytes());
    sealed[n - 8..].copy_from_slice(&checksum(data).to_le_bytes());
    sealed.extend_from_slice(data);
    load(engine, &sealed);
});
