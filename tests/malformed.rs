//! Hostile binaries: lying counts and sizes, truncations, implementation limits, huge memories
//! and tables. Each must end in a clean `Err` (or a clean success where the module is valid),
//! quickly, without allocating what the input merely claims.
//!
//! The cases are built here from byte helpers; a few are also committed under
//! `tests/malformed/` (`REGWASM_BLESS=1 cargo test --test malformed` rewrites them) so they can
//! be fed to other tools and fuzzers as seeds.
//!
//! Validity is cross-checked with `wasmparser` (Wasm 2.0 and typed function references, without
//! SIMD): regwasm must accept what it accepts, except where regwasm reports an implementation
//! limit.

use regwasm::{Config, Engine, Error, Linker, Module, Store, Val};
use std::time::{Duration, Instant};

// ---------------------------------------------------------------------------------------------
// byte helpers

fn leb(mut v: u64) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let b = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(b);
            return out;
        }
        out.push(b | 0x80);
    }
}

fn cat(parts: &[&[u8]]) -> Vec<u8> {
    parts.concat()
}

/// A section: id, size, payload.
fn section(id: u8, payload: &[u8]) -> Vec<u8> {
    cat(&[&[id], &leb(payload.len() as u64), payload])
}

/// A vector: count, then the items.
fn vec_of(items: &[Vec<u8>]) -> Vec<u8> {
    let mut out = leb(items.len() as u64);
    for i in items {
        out.extend_from_slice(i);
    }
    out
}

fn module(sections: &[Vec<u8>]) -> Vec<u8> {
    let mut out = b"\0asm\x01\0\0\0".to_vec();
    for s in sections {
        out.extend_from_slice(s);
    }
    out
}

const I32: u8 = 0x7f;
const END: u8 = 0x0b;

fn func_type(params: &[u8], results: &[u8]) -> Vec<u8> {
    cat(&[
        &[0x60],
        &leb(params.len() as u64),
        params,
        &leb(results.len() as u64),
        results,
    ])
}

/// One body: size, local runs, code (which must end with `end`).
fn body(locals: &[(u64, u8)], code: &[u8]) -> Vec<u8> {
    let mut inner = leb(locals.len() as u64);
    for (n, t) in locals {
        inner.extend_from_slice(&leb(*n));
        inner.push(*t);
    }
    inner.extend_from_slice(code);
    cat(&[&leb(inner.len() as u64), &inner])
}

/// A module with one function of type `[params] -> [results]`, exported as "f".
fn one_func(params: &[u8], results: &[u8], locals: &[(u64, u8)], code: &[u8]) -> Vec<u8> {
    module(&[
        section(1, &vec_of(&[func_type(params, results)])),
        section(3, &vec_of(&[vec![0]])),
        section(7, &vec_of(&[cat(&[&leb(1), b"f", &[0x00], &leb(0)])])),
        section(10, &vec_of(&[body(locals, code)])),
    ])
}

fn memory_section(min: u64, max: Option<u64>) -> Vec<u8> {
    let limits = match max {
        None => cat(&[&[0x00], &leb(min)]),
        Some(max) => cat(&[&[0x01], &leb(min), &leb(max)]),
    };
    section(5, &vec_of(&[limits]))
}

fn repeat(bytes: &[u8], n: usize) -> Vec<u8> {
    bytes.repeat(n)
}

// ---------------------------------------------------------------------------------------------
// measuring

/// Peak resident set size of this process so far, in KiB (Linux; 0 elsewhere).
fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            let line = s.lines().find(|l| l.starts_with("VmHWM:"))?;
            line.split_whitespace().nth(1)?.parse().ok()
        })
        .unwrap_or(0)
}

/// What a case must come to.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Expect {
    Malformed,
    Invalid,
    /// `Module::new` succeeds.
    Valid,
    /// `Module::new` reports `Error::Limit` (valid for the spec, beyond regwasm's limits).
    Limit,
}

fn class(r: &Result<Module, Error>) -> Result<Expect, String> {
    match r {
        Ok(_) => Ok(Expect::Valid),
        Err(Error::Malformed(_)) => Ok(Expect::Malformed),
        Err(Error::Invalid(_)) => Ok(Expect::Invalid),
        Err(Error::Limit(_)) => Ok(Expect::Limit),
        Err(e) => Err(format!("unexpected error class: {e}")),
    }
}

/// wasmparser's verdict with the features regwasm implements.
fn wasmparser_valid(bytes: &[u8]) -> bool {
    use wasmparser::WasmFeatures as F;
    let features = (F::WASM2 | F::MULTI_MEMORY | F::MEMORY64 | F::FUNCTION_REFERENCES)
        & !F::SIMD
        & !F::RELAXED_SIMD;
    wasmparser::Validator::new_with_features(features)
        .validate_all(bytes)
        .is_ok()
}

/// Valid modules beyond wasmparser's own implementation limits (50,000 locals per function).
const BEYOND_WASMPARSER: &[&str] = &["locals_60000"];

const TIME_BUDGET: Duration = Duration::from_secs(10);
const RSS_BUDGET_KIB: u64 = 200 * 1024;

/// Compiles `bytes` on a thread with a small stack (recursion on input nesting would overflow
/// it), checks the outcome, the time and the growth of peak RSS.
fn check(name: &str, bytes: &[u8], want: Expect) -> Option<Module> {
    let before = peak_rss_kib();
    let start = Instant::now();
    let owned = bytes.to_vec();
    let result = std::thread::Builder::new()
        .stack_size(256 * 1024)
        .spawn(move || {
            let mut config = Config::default();
            config.verify_bytecode(true);
            Module::from_binary(&Engine::new(&config), &owned)
        })
        .unwrap()
        .join()
        .unwrap_or_else(|_| panic!("{name}: Module::new panicked"));
    let elapsed = start.elapsed();
    let grown = peak_rss_kib().saturating_sub(before);
    let got = class(&result).unwrap_or_else(|e| panic!("{name}: {e}"));
    let shown = format!("{got:?}");
    let detail = match &result {
        Ok(_) => "ok".to_string(),
        Err(e) => e.to_string(),
    };
    println!(
        "{name:<36} {shown:<9} {:>9.1?} {grown:>6} KiB  {detail}",
        elapsed
    );
    assert_eq!(got, want, "{name}: {detail}");
    assert!(elapsed < TIME_BUDGET, "{name}: took {elapsed:?}");
    assert!(
        grown < RSS_BUDGET_KIB,
        "{name}: peak RSS grew by {grown} KiB"
    );
    if BEYOND_WASMPARSER.contains(&name) {
        return result.ok();
    }
    let spec_valid = wasmparser_valid(bytes);
    match want {
        Expect::Valid => assert!(spec_valid, "{name}: wasmparser rejects it"),
        // wasmparser has implementation limits of its own (50,000 locals), so no opinion.
        Expect::Limit => {}
        Expect::Malformed | Expect::Invalid => {
            assert!(!spec_valid, "{name}: wasmparser accepts it")
        }
    }
    result.ok()
}

// ---------------------------------------------------------------------------------------------
// the cases

const U32_MAX: u64 = u32::MAX as u64;

/// Every generated case: name, bytes, expected class.
fn cases() -> Vec<(&'static str, Vec<u8>, Expect)> {
    let tiny = [0x00u8, 0x00, 0x00];
    let mut v = vec![
        // Counts claiming about 4 billion entries, with a few bytes behind them.
        (
            "type_count_4g",
            module(&[section(1, &cat(&[&leb(U32_MAX), &func_type(&[], &[])]))]),
            Expect::Malformed,
        ),
        (
            "import_count_4g",
            module(&[section(2, &cat(&[&leb(U32_MAX), &tiny]))]),
            Expect::Malformed,
        ),
        (
            "function_count_4g",
            module(&[section(3, &cat(&[&leb(U32_MAX), &tiny]))]),
            Expect::Malformed,
        ),
        (
            "table_count_4g",
            module(&[section(4, &cat(&[&leb(U32_MAX), &tiny]))]),
            Expect::Malformed,
        ),
        (
            "memory_count_4g",
            module(&[section(5, &cat(&[&leb(U32_MAX), &tiny]))]),
            Expect::Malformed,
        ),
        (
            "global_count_4g",
            module(&[section(6, &cat(&[&leb(U32_MAX), &tiny]))]),
            Expect::Malformed,
        ),
        (
            "export_count_4g",
            module(&[section(7, &cat(&[&leb(U32_MAX), &tiny]))]),
            Expect::Malformed,
        ),
        (
            "element_count_4g",
            module(&[section(9, &cat(&[&leb(U32_MAX), &tiny]))]),
            Expect::Malformed,
        ),
        (
            "code_count_4g",
            module(&[section(10, &cat(&[&leb(U32_MAX), &tiny]))]),
            Expect::Malformed,
        ),
        (
            "data_count_4g",
            module(&[section(11, &cat(&[&leb(U32_MAX), &tiny]))]),
            Expect::Malformed,
        ),
        (
            "param_count_4g",
            module(&[section(1, &cat(&[&leb(1), &[0x60], &leb(U32_MAX), &[I32]]))]),
            Expect::Malformed,
        ),
        // A data count section promising 4G segments and no data section.
        (
            "datacount_4g_without_data",
            module(&[section(12, &leb(U32_MAX))]),
            Expect::Malformed,
        ),
        // Element segment with 4G function indices, data segment with 4 GiB of bytes.
        (
            "element_segment_4g_entries",
            module(&[
                section(1, &vec_of(&[func_type(&[], &[])])),
                section(4, &vec_of(&[vec![0x70, 0x00, 0x01]])),
                section(
                    9,
                    &cat(&[&leb(1), &[0x00, 0x41, 0x00, END], &leb(U32_MAX), &[0x00]]),
                ),
            ]),
            Expect::Malformed,
        ),
        (
            "data_segment_4gib",
            module(&[
                memory_section(1, None),
                section(
                    11,
                    &cat(&[&leb(1), &[0x00, 0x41, 0x00, END], &leb(U32_MAX), b"abc"]),
                ),
            ]),
            Expect::Malformed,
        ),
        (
            "passive_data_segment_4gib",
            module(&[section(
                11,
                &cat(&[&leb(1), &[0x01], &leb(U32_MAX), b"abc"]),
            )]),
            Expect::Malformed,
        ),
        (
            "export_name_4gib",
            module(&[section(7, &cat(&[&leb(1), &leb(U32_MAX), b"f"]))]),
            Expect::Malformed,
        ),
        // Section sizes that lie.
        (
            "section_size_past_end",
            module(&[cat(&[&[1], &leb(1000), &leb(1), &func_type(&[], &[])])]),
            Expect::Malformed,
        ),
        (
            "section_size_4g",
            module(&[cat(&[&[1], &leb(U32_MAX), &leb(0)])]),
            Expect::Malformed,
        ),
        (
            "section_size_too_small",
            module(&[cat(&[&[1], &leb(2), &leb(1), &func_type(&[I32], &[I32])])]),
            Expect::Malformed,
        ),
        (
            "section_size_too_large",
            module(&[cat(&[
                &[1],
                &leb(6),
                &leb(1),
                &func_type(&[], &[]),
                &[0, 0],
            ])]),
            Expect::Malformed,
        ),
        (
            "custom_section_size_past_end",
            module(&[cat(&[&[0], &leb(100), &leb(4), b"name"])]),
            Expect::Malformed,
        ),
        (
            "custom_section_name_past_end",
            module(&[section(0, &cat(&[&leb(50), b"name"]))]),
            Expect::Malformed,
        ),
        (
            "body_size_past_end",
            module(&[
                section(1, &vec_of(&[func_type(&[], &[])])),
                section(3, &vec_of(&[vec![0]])),
                section(10, &cat(&[&leb(1), &leb(U32_MAX), &[0x00, END]])),
            ]),
            Expect::Malformed,
        ),
        // LEB128 encodings: too long, too many bits.
        (
            "leb_six_bytes",
            module(&[section(1, &[0x80, 0x80, 0x80, 0x80, 0x80, 0x00])]),
            Expect::Malformed,
        ),
        (
            "leb_unused_bits_set",
            module(&[section(1, &[0xff, 0xff, 0xff, 0xff, 0x7f])]),
            Expect::Malformed,
        ),
        // Memory limits: 4 GiB is valid, more is not.
        (
            "memory_min_65536_pages",
            module(&[memory_section(65536, None)]),
            Expect::Valid,
        ),
        (
            "memory_min_65537_pages",
            module(&[memory_section(65537, None)]),
            Expect::Invalid,
        ),
        (
            "memory_max_65537_pages",
            module(&[memory_section(0, Some(65537))]),
            Expect::Invalid,
        ),
        (
            "memory_max_4g_pages",
            module(&[memory_section(0, Some(U32_MAX))]),
            Expect::Invalid,
        ),
        (
            "memory_min_above_max",
            module(&[memory_section(2, Some(1))]),
            Expect::Invalid,
        ),
        (
            "table_min_4g_elements",
            module(&[section(4, &cat(&[&leb(1), &[0x70, 0x00], &leb(U32_MAX)]))]),
            Expect::Valid,
        ),
        // Locals: beyond 2^32 in total is malformed; beyond 65535 registers is regwasm's limit.
        (
            "locals_2x4g",
            one_func(&[], &[], &[(U32_MAX, I32), (U32_MAX, I32)], &[END]),
            Expect::Malformed,
        ),
        (
            "locals_100000",
            one_func(&[], &[], &[(100_000, I32)], &[END]),
            Expect::Limit,
        ),
        (
            "locals_40000",
            one_func(
                &[],
                &[I32],
                &[(40_000, I32)],
                &[0x20, 0xbf, 0xb8, 0x02, END],
            ),
            Expect::Valid,
        ),
        (
            "locals_60000",
            one_func(
                &[],
                &[I32],
                &[(60_000, I32)],
                &[0x20, 0xdf, 0xd4, 0x03, END],
            ),
            Expect::Valid,
        ),
        // br_table claiming a million targets that are not there.
        (
            "br_table_1m_targets_missing",
            one_func(
                &[],
                &[],
                &[],
                &[
                    0x02, 0x40, 0x41, 0x00, 0x0e, 0xc0, 0x84, 0x3d, 0x00, 0x00, END, END,
                ],
            ),
            Expect::Malformed,
        ),
        // A function body that stops mid-instruction, and one without `end`.
        (
            "body_truncated_const",
            one_func(&[], &[], &[], &[0x41]),
            Expect::Malformed,
        ),
        (
            "body_without_end",
            one_func(&[], &[I32], &[], &[0x41, 0x00]),
            Expect::Malformed,
        ),
        // A block type naming type 4G.
        (
            "block_type_index_4g",
            one_func(
                &[],
                &[],
                &[],
                &[0x02, 0xff, 0xff, 0xff, 0xff, 0x0f, END, END],
            ),
            Expect::Invalid,
        ),
    ];

    // Deep nesting: the validator and translator must not recurse per level.
    let n = 50_000;
    let blocks = cat(&[&repeat(&[0x02, 0x40], n), &repeat(&[END], n), &[END]]);
    v.push((
        "nested_blocks_50000",
        one_func(&[], &[], &[], &blocks),
        Expect::Valid,
    ));
    let loops = cat(&[&repeat(&[0x03, 0x40], n), &repeat(&[END], n), &[END]]);
    v.push((
        "nested_loops_50000",
        one_func(&[], &[], &[], &loops),
        Expect::Valid,
    ));
    let ifs = cat(&[
        &repeat(&[0x41, 0x01, 0x04, 0x40], n),
        &repeat(&[END], n),
        &[END],
    ]);
    v.push((
        "nested_ifs_50000",
        one_func(&[], &[], &[], &ifs),
        Expect::Valid,
    ));
    // Blocks carrying a value all the way out.
    let valued = cat(&[
        &repeat(&[0x02, I32], n),
        &[0x41, 0x07],
        &repeat(&[END], n),
        &[END],
    ]);
    v.push((
        "nested_value_blocks_50000",
        one_func(&[], &[I32], &[], &valued),
        Expect::Valid,
    ));
    // Unclosed nesting: malformed, whatever the depth.
    let unclosed = cat(&[&repeat(&[0x02, 0x40], n), &[END]]);
    v.push((
        "nested_blocks_unclosed",
        one_func(&[], &[], &[], &unclosed),
        Expect::Malformed,
    ));
    // An operand stack 100,000 values deep needs more than 65535 registers.
    let deep = cat(&[
        &repeat(&[0x41, 0x01], 100_000),
        &repeat(&[0x6a], 99_999),
        &[END],
    ]);
    v.push((
        "operand_stack_100000",
        one_func(&[], &[I32], &[], &deep),
        Expect::Limit,
    ));
    let ok_deep = cat(&[
        &repeat(&[0x41, 0x01], 60_000),
        &repeat(&[0x6a], 59_999),
        &[END],
    ]);
    v.push((
        "operand_stack_60000",
        one_func(&[], &[I32], &[], &ok_deep),
        Expect::Valid,
    ));
    v.extend(memory_cases());
    v.extend(typed_reference_cases());
    v
}

/// A module of memories (each its type's bytes) and one function `[] -> []` with `code`.
fn with_memories(memories: &[Vec<u8>], code: &[u8]) -> Vec<u8> {
    module(&[
        section(1, &vec_of(&[func_type(&[], &[])])),
        section(3, &vec_of(&[vec![0]])),
        section(5, &vec_of(memories)),
        section(10, &vec_of(&[body(&[], code)])),
    ])
}

/// The encodings of multi-memory, memory64 and custom page sizes: limits flags, memory
/// indices, sizes.
fn memory_cases() -> Vec<(&'static str, Vec<u8>, Expect)> {
    let one = vec![0x00, 0x01];
    let load_1 = [0x41, 0x00, 0x28, 0x42, 0x01, 0x00, 0x1a, END];
    vec![
        (
            "memory_limits_flags_shared",
            memory_with(&[0x03, 0x00, 0x01]),
            Expect::Malformed,
        ),
        (
            "memory_limits_flags_0x10",
            memory_with(&[0x10, 0x00]),
            Expect::Malformed,
        ),
        (
            "table_limits_flags_0x08",
            module(&[section(4, &vec_of(&[vec![0x70, 0x08, 0x00]]))]),
            Expect::Malformed,
        ),
        (
            "memory64_min_2_48_plus_1",
            memory_with(&cat(&[&[0x04], &leb((1 << 48) + 1)])),
            Expect::Invalid,
        ),
        (
            "memory64_max_2_48",
            memory_with(&cat(&[&[0x05, 0x01], &leb(1 << 48)])),
            Expect::Valid,
        ),
        (
            "page_size_log2_3",
            memory_with(&[0x08, 0x00, 0x03]),
            Expect::Invalid,
        ),
        (
            "load_memory_1_of_1",
            with_memories(std::slice::from_ref(&one), &load_1),
            Expect::Invalid,
        ),
        (
            "load_memory_1_of_2",
            with_memories(&[one.clone(), one.clone()], &load_1),
            Expect::Valid,
        ),
        (
            "memory_size_index_max",
            with_memories(
                std::slice::from_ref(&one),
                &[0x3f, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x1a, END],
            ),
            Expect::Invalid,
        ),
        (
            "memory_copy_between_two",
            with_memories(
                &[one.clone(), one.clone()],
                &[0x41, 0, 0x41, 0, 0x41, 0, 0xfc, 0x0a, 0x01, 0x00, END],
            ),
            Expect::Valid,
        ),
        (
            "memory_copy_from_missing",
            with_memories(
                &[one],
                &[0x41, 0, 0x41, 0, 0x41, 0, 0xfc, 0x0a, 0x00, 0x01, END],
            ),
            Expect::Invalid,
        ),
    ]
}

/// A module with one memory of type `ty` (its limits flags and what follows).
fn memory_with(ty: &[u8]) -> Vec<u8> {
    module(&[section(5, &vec_of(&[ty.to_vec()]))])
}

/// Typed function references: bad heap types, unknown type indices, and the rules of
/// non-nullable locals, tables and `br_on_non_null`.
fn typed_reference_cases() -> Vec<(&'static str, Vec<u8>, Expect)> {
    // Reference types take more than one byte, so these spell out their sections: one
    // function with these parameter types (no results), locals (their vector) and code.
    let typed = |params: &[&[u8]], locals: &[u8], code: &[u8]| {
        let ty = cat(&[&[0x60], &leb(params.len() as u64), &params.concat(), &[0]]);
        let body = cat(&[locals, code]);
        module(&[
            section(1, &vec_of(&[ty])),
            section(3, &vec_of(&[vec![0]])),
            section(10, &vec_of(&[cat(&[&leb(body.len() as u64), &body])])),
        ])
    };
    const REF: u8 = 0x64; // (ref ht)
    const REF_NULL: u8 = 0x63; // (ref null ht)
    const FUNC: u8 = 0x70;
    let local_get0 = [0x20, 0x00];
    vec![
        // A heap type past s33's range, and a negative one naming no abstract type.
        (
            "heap_type_index_too_long",
            typed(&[&[REF, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01]], &[0], &[END]),
            Expect::Malformed,
        ),
        (
            "heap_type_unknown_abstract",
            typed(&[&[REF_NULL, 0x40]], &[0], &[END]),
            Expect::Malformed,
        ),
        (
            "ref_null_unknown_abstract",
            one_func(&[], &[], &[], &[0xd0, 0x7f, 0x1a, END]),
            Expect::Malformed,
        ),
        // `(ref 5)` in a module with one type.
        (
            "ref_type_unknown_index",
            typed(&[&[REF, 0x05]], &[0], &[END]),
            Expect::Invalid,
        ),
        // A non-nullable local read before it is set.
        (
            "uninitialized_non_null_local",
            typed(&[], &[1, 1, REF, FUNC], &cat(&[&local_get0, &[0x1a, END]])),
            Expect::Invalid,
        ),
        // `ref.null $0`, `br_on_null 0` (returns, the reference being null), `call_ref $0`
        // (the function's own type).
        (
            "call_ref_after_br_on_null",
            one_func(&[], &[], &[], &[0xd0, 0x00, 0xd5, 0x00, 0x14, 0x00, END]),
            Expect::Valid,
        ),
        // `br_on_non_null 0` to a label without a reference.
        (
            "br_on_non_null_no_reference",
            one_func(&[], &[], &[], &[0xd0, FUNC, 0xd6, 0x00, END]),
            Expect::Invalid,
        ),
        // A table of `(ref func)` without an initializer.
        (
            "non_null_table_without_init",
            module(&[section(4, &vec_of(&[vec![REF, FUNC, 0x00, 0x01]]))]),
            Expect::Invalid,
        ),
        // The same with one: `0x40 0x00`, the table type, `ref.func 0`.
        (
            "non_null_table_with_init",
            module(&[
                section(1, &vec_of(&[func_type(&[], &[])])),
                section(3, &vec_of(&[vec![0]])),
                section(
                    4,
                    &vec_of(&[vec![0x40, 0x00, REF, FUNC, 0x00, 0x01, 0xd2, 0x00, END]]),
                ),
                section(10, &vec_of(&[body(&[], &[END])])),
            ]),
            Expect::Valid,
        ),
    ]
}

/// The committed copies: (file, expected class).
const FILES: &[(&str, Expect)] = &[
    ("type_count_4g.wasm", Expect::Malformed),
    ("section_size_too_small.wasm", Expect::Malformed),
    ("memory_min_65536_pages.wasm", Expect::Valid),
    ("memory_max_65537_pages.wasm", Expect::Invalid),
    ("locals_100000.wasm", Expect::Limit),
    ("br_table_1m_targets_missing.wasm", Expect::Malformed),
    ("data_segment_4gib.wasm", Expect::Malformed),
    ("table_min_4g_elements.wasm", Expect::Valid),
];

fn dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/malformed")
}

#[test]
fn generated_cases() {
    let mut modules = Vec::new();
    for (name, bytes, want) in cases() {
        if let Some(m) = check(name, &bytes, want) {
            modules.push((name, m));
        }
    }
    // Valid ones also instantiate (or fail cleanly) and run.
    for (name, _) in modules {
        let mut config = Config::default();
        config.max_memory_pages(16);
        let engine = Engine::new(&config);
        let m =
            Module::from_binary(&engine, &m_bytes(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
        let mut store = Store::new(&engine, ());
        let before = peak_rss_kib();
        let instance = match Linker::new(&engine).instantiate(&mut store, &m) {
            Ok(i) => i,
            Err(e) => {
                // Only the 4 GiB memory (over this engine's 16 pages) and the 4G-element table
                // may fail, and cleanly.
                assert!(
                    name == "memory_min_65536_pages" || name == "table_min_4g_elements",
                    "{name}: {e}"
                );
                // Over the engine's limits: reported as such (today `Error::Api`).
                assert!(matches!(e, Error::Api(_) | Error::Limit(_)), "{name}: {e}");
                println!("{name:<40} instantiation fails cleanly: {e}");
                continue;
            }
        };
        assert!(peak_rss_kib().saturating_sub(before) < RSS_BUDGET_KIB);
        if let Some(f) = instance.get_func(&store, "f") {
            let mut out: Vec<Val> = f
                .ty(&store)
                .results()
                .iter()
                .map(|t| Val::default_of(*t))
                .collect();
            f.call(&mut store, &[], &mut out)
                .unwrap_or_else(|e| panic!("{name}: {e}"));
            println!("{name:<40} runs: {out:?}");
        }
    }
}

/// The bytes of generated case `name`.
fn m_bytes(name: &str) -> Vec<u8> {
    cases().into_iter().find(|c| c.0 == name).unwrap().1
}

#[test]
fn committed_files() {
    let bless = std::env::var_os("REGWASM_BLESS").is_some();
    for (file, want) in FILES {
        let path = dir().join(file);
        let generated = m_bytes(file.trim_end_matches(".wasm"));
        if bless {
            std::fs::write(&path, &generated).unwrap();
        }
        let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{file}: {e}"));
        assert_eq!(
            bytes, generated,
            "{file} differs from its generator (REGWASM_BLESS=1)"
        );
        check(file, &bytes, *want);
    }
    // Every committed binary is listed above.
    for entry in std::fs::read_dir(dir()).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        if name.ends_with(".wasm") {
            assert!(
                FILES.iter().any(|(f, _)| *f == name),
                "{name} is not in FILES"
            );
        }
    }
}

/// A module with every section kind, from `tests/malformed/all_sections.wat`.
#[cfg(feature = "wat")]
fn all_sections() -> Vec<u8> {
    wat::parse_file(dir().join("all_sections.wat")).unwrap()
}

/// regwasm's verdict on arbitrary bytes: `Some(valid)`, or `None` for an implementation limit.
/// Never a panic.
#[cfg(feature = "wat")]
fn verdict(bytes: &[u8]) -> Option<bool> {
    match Module::from_binary(&Engine::default(), bytes) {
        Ok(_) => Some(true),
        Err(Error::Malformed(_) | Error::Invalid(_)) => Some(false),
        Err(Error::Limit(_)) => None,
        Err(e) => panic!("unexpected error class: {e}"),
    }
}

/// Every prefix of a real module: a clean error (or a valid module where the cut falls between
/// sections), agreeing with wasmparser.
#[cfg(feature = "wat")]
#[test]
fn every_prefix_of_a_module() {
    let full = all_sections();
    assert_eq!(verdict(&full), Some(true));
    for len in 0..full.len() {
        let prefix = &full[..len];
        let ours = verdict(prefix);
        assert_eq!(
            ours,
            Some(wasmparser_valid(prefix)),
            "prefix of {len} bytes: regwasm {ours:?}"
        );
    }
    println!("{} prefixes agree with wasmparser", full.len());
}

/// Single-byte corruptions of a real module (each byte set to a few telling values): never a
/// panic, and the same valid/invalid verdict as wasmparser.
#[cfg(feature = "wat")]
#[test]
fn every_byte_corrupted() {
    let full = all_sections();
    let mut disagreements = Vec::new();
    let mut tried = 0;
    for i in 8..full.len() {
        for b in [0x00, 0x01, 0x7f, 0x80, 0xff, full[i] ^ 0x40] {
            if b == full[i] {
                continue;
            }
            let mut bytes = full.clone();
            bytes[i] = b;
            tried += 1;
            let theirs = wasmparser_valid(&bytes);
            match verdict(&bytes) {
                Some(ours) if ours != theirs => disagreements.push((i, b, ours, theirs)),
                _ => {}
            }
        }
    }
    println!("{tried} corruptions, {} disagreements", disagreements.len());
    assert!(
        disagreements.is_empty(),
        "(offset, byte, regwasm valid, wasmparser valid): {disagreements:?}"
    );
}

/// A 4 GiB memory with the default configuration, in a child process whose address space is
/// limited to 2 GiB: the allocation fails and instantiation must return an error, not abort.
#[cfg(target_os = "linux")]
#[test]
fn memory_of_4gib_under_an_address_space_limit() {
    let exe = std::env::current_exe().unwrap();
    let out = std::process::Command::new("sh")
        .arg("-c")
        .arg("ulimit -v 2097152 && exec \"$0\" --exact child_instantiates_4gib_memory --nocapture")
        .arg(exe)
        .env("REGWASM_MALFORMED_CHILD", "1")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && stdout.contains("4 GiB memory:"),
        "child failed ({}): {stdout}{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    println!(
        "{}",
        stdout
            .lines()
            .find(|l| l.contains("4 GiB memory:"))
            .unwrap()
    );
}

/// Run by the test above in a child process.
#[test]
fn child_instantiates_4gib_memory() {
    if std::env::var_os("REGWASM_MALFORMED_CHILD").is_none() {
        return;
    }
    let engine = Engine::default();
    let module = Module::from_binary(&engine, &module(&[memory_section(65536, None)])).unwrap();
    let mut store = Store::new(&engine, ());
    let result = Linker::new(&engine).instantiate(&mut store, &module);
    match result {
        Ok(_) => panic!("a 4 GiB memory was allocated under a 2 GiB address-space limit"),
        Err(e) => println!("4 GiB memory: {e}"),
    }
}

/// A valid module declaring a large memory costs address space, not resident memory, until the
/// pages are used: a new memory is a zeroed allocation, which the OS backs lazily.
#[test]
fn declared_memory_is_not_touched_until_used() {
    let engine = Engine::default();
    let module = Module::from_binary(&engine, &module(&[memory_section(4096, None)])).unwrap();
    let mut store = Store::new(&engine, ());
    let before = peak_rss_kib();
    Linker::new(&engine)
        .instantiate(&mut store, &module)
        .unwrap();
    let grown = peak_rss_kib().saturating_sub(before);
    assert!(
        grown < RSS_BUDGET_KIB,
        "256 MiB memory: peak RSS grew by {grown} KiB"
    );
}
