//! Differential comparison of regwasm against wasmi, shared by `tests/differential.rs` and the
//! `differential` fuzz target (both include this file with `#[path]`).
//!
//! A module comes from wasm-smith (Wasm 2.0 with SIMD but not relaxed SIMD, plus the
//! WebAssembly 3.0 features both engines have, memory64 among them: see `smith_config`; no
//! imports, everything exported, termination guaranteed by an injected fuel global). Both engines
//! instantiate it and call every exported function; results, traps, exported memories, globals
//! and tables must agree after every step (`v128` values NaN-insensitively per lane, see
//! `same_v128`).

#![allow(dead_code)] // each includer uses a different subset

use std::collections::HashMap;

/// Fuel given to every call: loop iterations plus function entries (plus bulk-op lengths).
pub const FUEL: i32 = 1000;
/// The same recursion limit on both engines, below `FUEL` so exhaustion does happen.
pub const MAX_DEPTH: usize = 400;
/// The export name under which the injected fuel global is reachable.
pub const FUEL_EXPORT: &str = "__regwasm_fuel";

/// splitmix64: deterministic bytes and choices from a seed.
#[derive(Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed ^ 0x005e_ed0f_d1ff)
    }
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    pub fn chance(&mut self, one_in: u64) -> bool {
        self.below(one_in) == 0
    }
    pub fn fill(&mut self, buf: &mut [u8]) {
        for chunk in buf.chunks_mut(8) {
            let bytes = self.next().to_le_bytes();
            chunk.copy_from_slice(&bytes[..chunk.len()]);
        }
    }
}

/// What wasm-smith may generate: exactly what regwasm supports. The knobs that vary (LEB
/// padding, trap avoidance, sizes) come from `rng`.
pub fn smith_config(rng: &mut Rng) -> wasm_smith::Config {
    wasm_smith::Config {
        // Wasm 2.0 with SIMD, plus WebAssembly 3.0's tail calls, extended constant expressions,
        // multi-memory and memory64 (64-bit memories and tables; wasmi's `memory64` crate
        // feature, one of its defaults), wide arithmetic and custom page sizes (all switched on
        // in both engines below). Not exceptions or typed function references: wasmi has
        // neither. Not relaxed SIMD: its results are implementation-defined, and wasmi's
        // choices differ from regwasm's (fused multiply-add, for one).
        bulk_memory_enabled: true,
        reference_types_enabled: true,
        multi_value_enabled: true,
        sign_extension_ops_enabled: true,
        saturating_float_to_int_enabled: true,
        simd_enabled: true,
        relaxed_simd_enabled: false,
        threads_enabled: false,
        shared_everything_threads_enabled: false,
        acquire_release_atomics_enabled: false,
        tail_call_enabled: true,
        gc_enabled: false,
        custom_descriptors_enabled: false,
        multibyte_array_access_enabled: false,
        exceptions_enabled: false,
        memory64_enabled: true,
        custom_page_sizes_enabled: true,
        extended_const_enabled: true,
        wide_arithmetic_enabled: true,
        compact_imports_enabled: false,
        max_memories: 3,
        // No imports: nothing to define identically on both sides.
        max_imports: 0,
        export_everything: true,
        // Small memories and tables, always bounded so `grow` cannot allocate gigabytes.
        max_memory32_bytes: 16 * 65536,
        max_memory64_bytes: 16 * 65536,
        memory_max_size_required: true,
        max_tables: 3,
        max_table_elements: 1000,
        table_max_size_required: true,
        // Arithmetic NaN payloads are nondeterministic in Wasm and reach memory and globals
        // through reinterpretation, where they cannot be compared loosely: canonicalize them
        // after every float operation that can produce one.
        canonicalize_nans: true,
        // Non-minimal LEB128 encodings exercise the decoder.
        min_uleb_size: 1 + rng.below(5) as u8,
        disallow_traps: rng.chance(4),
        // wasm-smith continues each list with probability 1/2: ask for more explicitly.
        min_types: 1 + rng.below(6) as usize,
        min_funcs: 1 + rng.below(12) as usize,
        min_globals: rng.below(4) as usize,
        min_element_segments: rng.below(2) as usize,
        min_data_segments: rng.below(2) as usize,
        max_funcs: 12 + rng.below(40) as usize,
        max_instructions: 20 + rng.below(300) as usize,
        max_nesting_depth: 2 + rng.below(12) as usize,
        ..wasm_smith::Config::default()
    }
}

/// Builds a terminating module from `data` (the wasm-smith input) with the fuel global exported
/// as [`FUEL_EXPORT`]. `None` when wasm-smith cannot use the bytes.
pub fn generate(config: wasm_smith::Config, data: &[u8]) -> Option<Vec<u8>> {
    let mut u = arbitrary::Unstructured::new(data);
    let mut module = wasm_smith::Module::new(config, &mut u).ok()?;
    let fuel = module.ensure_termination(FUEL as u32).ok()?;
    add_global_export(&module.to_bytes(), FUEL_EXPORT, fuel)
}

/// Whether `wasm` defines a memory, and a table, with 64-bit addresses (memory64): counted by
/// `tests/differential.rs` so the proposal cannot silently drop out of the generated modules.
pub fn has_64bit_memory_and_table(wasm: &[u8]) -> (bool, bool) {
    let (mut memory, mut table) = (false, false);
    for payload in wasmparser::Parser::new(0).parse_all(wasm) {
        match payload {
            Ok(wasmparser::Payload::MemorySection(r)) => {
                memory |= r.into_iter().any(|m| m.is_ok_and(|m| m.memory64));
            }
            Ok(wasmparser::Payload::TableSection(r)) => {
                table |= r.into_iter().any(|t| t.is_ok_and(|t| t.ty.table64));
            }
            Ok(_) => {}
            Err(_) => break,
        }
    }
    (memory, table)
}

fn read_leb(bytes: &[u8], pos: &mut usize) -> Option<u32> {
    let mut result = 0u64;
    for shift in (0..35).step_by(7) {
        let b = *bytes.get(*pos)?;
        *pos += 1;
        result |= u64::from(b & 0x7f) << shift;
        if b & 0x80 == 0 {
            return u32::try_from(result).ok();
        }
    }
    None
}

pub fn write_leb(out: &mut Vec<u8>, mut v: u64) {
    loop {
        let b = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(b);
            return;
        }
        out.push(b | 0x80);
    }
}

/// Appends `(export name (global index))` to a module, creating the export section (in its
/// place in the section order) when there is none. wasm-smith's fuel global is not exported,
/// and the harness must refill it before each call.
pub fn add_global_export(wasm: &[u8], name: &str, index: u32) -> Option<Vec<u8>> {
    let mut entry = Vec::new();
    write_leb(&mut entry, name.len() as u64);
    entry.extend_from_slice(name.as_bytes());
    entry.push(0x03);
    write_leb(&mut entry, index.into());

    let mut out = wasm.get(..8)?.to_vec();
    let mut pos = 8;
    let mut done = false;
    while pos < wasm.len() {
        let id = wasm[pos];
        let mut p = pos + 1;
        let size = read_leb(wasm, &mut p)? as usize;
        let payload = wasm.get(p..p + size)?;
        // Sections after exports: start (8), element (9), data count (12), code (10), data (11).
        if !done && matches!(id, 8..=12) {
            out.push(7);
            let mut body = vec![1];
            body.extend_from_slice(&entry);
            write_leb(&mut out, body.len() as u64);
            out.extend_from_slice(&body);
            done = true;
        }
        if id == 7 {
            let mut q = 0;
            let count = read_leb(payload, &mut q)?;
            let mut body = Vec::new();
            write_leb(&mut body, u64::from(count) + 1);
            body.extend_from_slice(&payload[q..]);
            body.extend_from_slice(&entry);
            out.push(7);
            write_leb(&mut out, body.len() as u64);
            out.extend_from_slice(&body);
            done = true;
        } else {
            out.extend_from_slice(&wasm[pos..p + size]);
        }
        pos = p + size;
    }
    if !done {
        out.push(7);
        let mut body = vec![1];
        body.extend_from_slice(&entry);
        write_leb(&mut out, body.len() as u64);
        out.extend_from_slice(&body);
    }
    Some(out)
}

/// Rewrites the copy of a module given to wasmi around two wasmi 2.0.0 miscompilations; for
/// any engine both insertions are no-ops.
///
/// - `select` whose condition is an `i32.eqz` (or `i32.eq`/`i32.ne` with 0) of a local: wasmi
///   fuses the comparison away, then reads the condition from a register holding an older value
///   (tests/regressions/wasmi_select_eqz.wat). `i32.const 0; drop` before every `select` makes
///   it commit the comparison first.
/// - blocks with parameters: wasmi preserves a `local.get` below a block's parameters only
///   where the block's code first needs it (a `local.set`, a nested block), so a path that
///   skips that point (the else-branch, an earlier `br_if`) reads a slot never written
///   (tests/regressions/wasmi_block_params_local.wat). An empty `block` before every `block`,
///   `loop` and `if` makes it preserve every local on the stack up front.
pub fn wasmi_workarounds(wasm: &[u8]) -> Option<Vec<u8>> {
    let mut out = wasm.get(..8)?.to_vec();
    let mut pos = 8;
    while pos < wasm.len() {
        let id = wasm[pos];
        let mut p = pos + 1;
        let size = read_leb(wasm, &mut p)? as usize;
        let payload = wasm.get(p..p + size)?;
        if id != 10 {
            out.extend_from_slice(&wasm[pos..p + size]);
            pos = p + size;
            continue;
        }
        let mut q = 0;
        let count = read_leb(payload, &mut q)?;
        let mut section = Vec::new();
        write_leb(&mut section, count.into());
        for _ in 0..count {
            let len = read_leb(payload, &mut q)? as usize;
            let body = payload.get(q..q + len)?;
            q += len;
            let fb = wasmparser::FunctionBody::new(wasmparser::BinaryReader::new(body, 0));
            let mut ops = fb.get_operators_reader().ok()?;
            let mut code = body[..ops.original_position() as usize].to_vec();
            let mut offsets = Vec::new();
            while !ops.eof() {
                let (op, at) = ops.read_with_offset().ok()?;
                let prefix: &[u8] = match op {
                    wasmparser::Operator::Select | wasmparser::Operator::TypedSelect { .. } => {
                        &[0x41, 0x00, 0x1a]
                    }
                    wasmparser::Operator::Block { .. }
                    | wasmparser::Operator::Loop { .. }
                    | wasmparser::Operator::If { .. } => &[0x02, 0x40, 0x0b],
                    _ => &[],
                };
                offsets.push((at as usize, prefix));
            }
            for (i, &(at, prefix)) in offsets.iter().enumerate() {
                let end = offsets.get(i + 1).map_or(body.len(), |&(next, _)| next);
                code.extend_from_slice(prefix);
                code.extend_from_slice(&body[at..end]);
            }
            write_leb(&mut section, code.len() as u64);
            section.extend_from_slice(&code);
        }
        out.push(10);
        write_leb(&mut out, section.len() as u64);
        out.extend_from_slice(&section);
        pos = p + size;
    }
    Some(out)
}

/// Whether some `br_table` in `wasm` carries a `v128` to its targets. wasmi 2.0.0 gets such a
/// branch wrong when a target is a block whose results sit above a `v128` already on the stack:
/// it delivers that older `v128` (tests/regressions/wasmi_br_table_v128.wat, seed 26386 with
/// memory64 on). No rewrite of the module avoids it, so [`compare`] skips a mismatching module
/// that has one. `false` for an unreadable module.
pub fn br_table_carries_v128(wasm: &[u8]) -> bool {
    use wasmparser::{BlockType, Operator, Payload, ValType};
    // Code section bodies are the defined functions, in function section order.
    let (mut types, mut func_types, mut bodies) = (Vec::new(), Vec::new(), 0usize);
    for payload in wasmparser::Parser::new(0).parse_all(wasm) {
        let Ok(payload) = payload else { return false };
        match payload {
            Payload::TypeSection(r) => {
                for ty in r.into_iter_err_on_gc_types() {
                    let Ok(ty) = ty else { return false };
                    types.push((ty.params().to_vec(), ty.results().to_vec()));
                }
            }
            Payload::FunctionSection(r) => {
                func_types = r
                    .into_iter()
                    .collect::<Result<Vec<u32>, _>>()
                    .unwrap_or_default();
            }
            Payload::CodeSectionEntry(body) => {
                let index = bodies;
                bodies += 1;
                let Some(results) = func_types
                    .get(index)
                    .and_then(|&t| types.get(t as usize))
                    .map(|(_, r)| r.clone())
                else {
                    return false;
                };
                // The types each enclosing label takes, innermost last.
                let mut labels: Vec<Vec<ValType>> = vec![results];
                // A loop's label takes its parameters, any other block's its results.
                let block = |bt: BlockType, loop_: bool| -> Vec<ValType> {
                    let (params, results) = match bt {
                        BlockType::Empty => (Vec::new(), Vec::new()),
                        BlockType::Type(t) => (Vec::new(), vec![t]),
                        BlockType::FuncType(i) => {
                            types.get(i as usize).cloned().unwrap_or_default()
                        }
                    };
                    if loop_ {
                        params
                    } else {
                        results
                    }
                };
                let Ok(mut ops) = body.get_operators_reader() else {
                    return false;
                };
                while !ops.eof() {
                    let Ok(op) = ops.read() else { return false };
                    match op {
                        Operator::Block { blockty } | Operator::If { blockty } => {
                            labels.push(block(blockty, false))
                        }
                        Operator::Loop { blockty } => labels.push(block(blockty, true)),
                        Operator::End => {
                            labels.pop();
                        }
                        Operator::BrTable { targets } => {
                            let depth = targets.default() as usize;
                            if labels
                                .len()
                                .checked_sub(depth + 1)
                                .is_some_and(|i| labels[i].contains(&ValType::V128))
                            {
                                return true;
                            }
                        }
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }
    false
}

thread_local! {
    static IN_WASMI: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Runs `f`, a call into wasmi, catching its panic (wasmi has panicked on valid modules: its
/// bug, reported as a verdict, not a mismatch).
fn in_wasmi<R>(f: impl FnOnce() -> R) -> Result<R, String> {
    IN_WASMI.with(|w| w.set(true));
    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
    IN_WASMI.with(|w| w.set(false));
    r.map_err(|p| panic_text(&p))
}

/// Silences the panic hook for panics inside wasmi (they are caught and reported); other
/// panics still reach the previous hook (in a fuzz target, libFuzzer's, which aborts).
pub fn quiet_wasmi_panics() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !IN_WASMI.with(|w| w.get()) {
                previous(info);
            }
        }));
    });
}

/// The message of a caught panic.
pub fn panic_text(payload: &Box<dyn std::any::Any + Send>) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "(no message)".into())
}

/// An engine-neutral value. References are named by the export that denotes the function
/// (every function is exported) or by the host's externref number.
#[derive(Clone, Debug, PartialEq)]
pub enum V {
    I32(i32),
    I64(i64),
    F32(u32),
    F64(u64),
    Func(Option<String>),
    Extern(Option<u32>),
    V128(u128),
}

impl V {
    /// Equal, except that any two NaNs are equal: NaN payloads are nondeterministic in Wasm.
    fn same(&self, other: &V) -> bool {
        match (self, other) {
            (V::F32(a), V::F32(b)) => {
                a == b || (f32::from_bits(*a).is_nan() && f32::from_bits(*b).is_nan())
            }
            (V::F64(a), V::F64(b)) => {
                a == b || (f64::from_bits(*a).is_nan() && f64::from_bits(*b).is_nan())
            }
            (V::V128(a), V::V128(b)) => same_v128(*a, *b),
            _ => self == other,
        }
    }
}

/// Equal v128s, NaN-insensitively. The bits do not say which lane shape produced them, so:
/// bitwise equal, or every differing 32-bit lane is a NaN on both sides read as `f32`, or every
/// differing 64-bit lane is a NaN on both sides read as `f64`. (An integer lane that differs
/// is accepted only if both its values happen to be NaN patterns, which random integer results
/// rarely are.)
fn same_v128(a: u128, b: u128) -> bool {
    let f32_lanes = (0..4).all(|i| {
        let (x, y) = ((a >> (32 * i)) as u32, (b >> (32 * i)) as u32);
        x == y || (f32::from_bits(x).is_nan() && f32::from_bits(y).is_nan())
    });
    let f64_lanes = (0..2).all(|i| {
        let (x, y) = ((a >> (64 * i)) as u64, (b >> (64 * i)) as u64);
        x == y || (f64::from_bits(x).is_nan() && f64::from_bits(y).is_nan())
    });
    a == b || f32_lanes || f64_lanes
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ty {
    I32,
    I64,
    F32,
    F64,
    FuncRef,
    ExternRef,
    V128,
    Other,
}

/// Trap kinds both engines can express. regwasm's "undefined element" (call_indirect past the
/// table's end) is wasmi's `TableOutOfBounds`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TrapKind {
    Unreachable,
    DivByZero,
    Overflow,
    BadConversion,
    Memory,
    Table,
    NullCall,
    Signature,
    Stack,
}

#[derive(Debug)]
pub enum Outcome {
    Values(Vec<V>),
    Trap(TrapKind),
    /// Any other error, described.
    Error(String),
    /// wasmi panicked (its bug, not a mismatch).
    WasmiPanic(String),
}

impl Outcome {
    fn same(&self, other: &Outcome) -> bool {
        match (self, other) {
            (Outcome::Values(a), Outcome::Values(b)) => {
                a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.same(y))
            }
            (Outcome::Trap(a), Outcome::Trap(b)) => a == b,
            _ => false,
        }
    }
}

/// Observable state after a step: exported globals, memories and tables, by export name.
#[derive(Debug, Default)]
struct Snapshot<'a> {
    globals: Vec<(&'a str, V)>,
    memories: Vec<(&'a str, &'a [u8])>,
    tables: Vec<(&'a str, Vec<V>)>,
}

/// Describes the first difference between two snapshots, if any.
fn diff_snapshots(a: &Snapshot<'_>, b: &Snapshot<'_>) -> Option<String> {
    for ((name, x), (_, y)) in a.globals.iter().zip(&b.globals) {
        if !x.same(y) {
            return Some(format!("global {name:?}: regwasm {x:?}, wasmi {y:?}"));
        }
    }
    for ((name, x), (_, y)) in a.memories.iter().zip(&b.memories) {
        if x.len() != y.len() {
            return Some(format!(
                "memory {name:?} size: regwasm {} bytes, wasmi {} bytes",
                x.len(),
                y.len()
            ));
        }
        if x == y {
            continue;
        }
        if let Some(i) = x.iter().zip(y.iter()).position(|(p, q)| p != q) {
            let end = (i + 16).min(x.len());
            return Some(format!(
                "memory {name:?} at {i:#x}: regwasm {:02x?}, wasmi {:02x?}",
                &x[i..end],
                &y[i..end]
            ));
        }
    }
    for ((name, x), (_, y)) in a.tables.iter().zip(&b.tables) {
        if x.len() != y.len() {
            return Some(format!(
                "table {name:?} size: regwasm {}, wasmi {}",
                x.len(),
                y.len()
            ));
        }
        if let Some(i) = x.iter().zip(y).position(|(p, q)| p != q) {
            return Some(format!(
                "table {name:?}[{i}]: regwasm {:?}, wasmi {:?}",
                x[i], y[i]
            ));
        }
    }
    None
}

/// A deterministic argument of type `ty`: edge cases often, NaNs (with payloads) sometimes.
fn arg(rng: &mut Rng, ty: Ty, funcs: &[String]) -> V {
    let r = rng.next();
    match ty {
        Ty::I32 => V::I32(match rng.below(8) {
            0 => 0,
            1 => 1,
            2 => -1,
            3 => i32::MIN,
            4 => i32::MAX,
            5 => (r % 256) as i32,
            6 => (r % 65536) as i32 * 16, // plausible memory addresses
            _ => r as i32,
        }),
        Ty::I64 => V::I64(match rng.below(8) {
            0 => 0,
            1 => 1,
            2 => -1,
            3 => i64::MIN,
            4 => i64::MAX,
            5 => (r % 256) as i64,
            6 => (r % 65536) as i64 * 16, // plausible addresses in a 64-bit memory
            _ => r as i64,
        }),
        Ty::F32 => V::F32(match rng.below(10) {
            0 => 0,
            1 => 0x8000_0000,
            2 => 1.0f32.to_bits(),
            3 => 0x7fc0_0000,                     // canonical NaN
            4 => 0xffc0_0000 | (r as u32 & 0xff), // negative NaN with payload
            5 => 0x7f80_0001,                     // signalling NaN
            6 => f32::INFINITY.to_bits(),
            7 => f32::NEG_INFINITY.to_bits(),
            8 => (r as u32) & 0x807f_ffff, // subnormal
            _ => r as u32,
        }),
        Ty::F64 => V::F64(match rng.below(10) {
            0 => 0,
            1 => 0x8000_0000_0000_0000,
            2 => 1.0f64.to_bits(),
            3 => 0x7ff8_0000_0000_0000,
            4 => 0xfff8_0000_0000_0000 | (r & 0xffff),
            5 => 0x7ff0_0000_0000_0001,
            6 => f64::INFINITY.to_bits(),
            7 => f64::NEG_INFINITY.to_bits(),
            8 => r & 0x800f_ffff_ffff_ffff,
            _ => r,
        }),
        Ty::FuncRef => V::Func(match rng.below(2) {
            0 if !funcs.is_empty() => Some(funcs[(r % funcs.len() as u64) as usize].clone()),
            _ => None,
        }),
        Ty::ExternRef => V::Extern(if rng.chance(2) {
            None
        } else {
            Some(r as u32 % 8)
        }),
        Ty::V128 => V::V128(match rng.below(9) {
            0 => 0,
            1 => u128::MAX,
            // i8 / i16 lane edges (saturation, sign, narrowing).
            2 => 0x807f_ff00_8001_7fff_0080_ff7f_0100_80ff,
            // f32x4: canonical NaN, -0.0, +inf, a NaN with payload.
            3 => 0x7fc0_0000_8000_0000_7f80_0000_ffc0_0000 | u128::from(r as u8),
            // f32x4: 1.0, -1.5, a subnormal, the largest finite value.
            4 => 0x3f80_0000_bfc0_0000_0000_0001_7f7f_ffff,
            // f64x2: a negative NaN with payload and -inf.
            5 => 0xfff8_0000_0000_0000_fff0_0000_0000_0000 | u128::from(r & 0xffff) << 64,
            // f64x2: 1.0 and -2^63 as a float (truncation edges).
            6 => 0x3ff0_0000_0000_0000_c3e0_0000_0000_0000,
            7 => u128::from(r) * 0x1_0000_0001_0000_0001,
            _ => u128::from(r) << 64 | u128::from(rng.next()),
        }),
        Ty::Other => V::I32(0),
    }
}

// ---------------------------------------------------------------------------------------------
// regwasm side

struct Regwasm {
    store: regwasm::Store<()>,
    exports: Vec<(String, regwasm::Extern)>,
}

fn rw_ty(t: regwasm::ValType) -> Ty {
    use regwasm::ValType as T;
    match t {
        T::I32 => Ty::I32,
        T::I64 => Ty::I64,
        T::F32 => Ty::F32,
        T::F64 => Ty::F64,
        T::FuncRef => Ty::FuncRef,
        T::ExternRef => Ty::ExternRef,
        T::V128 => Ty::V128,
        // The generated modules use no typed references; any other one counts by its top.
        t => match t.as_ref_type().map(|r| r.heap.top()) {
            Some(regwasm::HeapType::Func) => Ty::FuncRef,
            _ => Ty::ExternRef,
        },
    }
}

fn rw_trap(code: regwasm::TrapCode) -> Option<TrapKind> {
    use regwasm::TrapCode as C;
    Some(match code {
        C::Unreachable => TrapKind::Unreachable,
        C::IntegerDivisionByZero => TrapKind::DivByZero,
        C::IntegerOverflow => TrapKind::Overflow,
        C::BadConversionToInteger => TrapKind::BadConversion,
        C::MemoryOutOfBounds => TrapKind::Memory,
        C::TableOutOfBounds | C::UndefinedElement => TrapKind::Table,
        C::IndirectCallTypeMismatch => TrapKind::Signature,
        C::UninitializedElement | C::NullFunctionReference => TrapKind::NullCall,
        C::StackOverflow => TrapKind::Stack,
        C::HostError
        | C::OutOfFuel
        | C::Interrupted
        | C::DeadlineExceeded
        | C::NullReference
        | C::UncaughtException
        | C::NullExnRef => return None,
    })
}

fn rw_outcome(err: regwasm::Error) -> Outcome {
    match &err {
        regwasm::Error::Trap(t) => match rw_trap(t.code()) {
            Some(k) => Outcome::Trap(k),
            None => Outcome::Error(err.to_string()),
        },
        _ => Outcome::Error(err.to_string()),
    }
}

impl Regwasm {
    fn func_name(&self, f: regwasm::Func) -> Option<String> {
        self.exports
            .iter()
            .find(|(_, e)| *e == regwasm::Extern::Func(f))
            .map(|(n, _)| n.clone())
            .or_else(|| Some("<unexported>".into()))
    }

    fn neutral(&self, v: regwasm::Val) -> V {
        use regwasm::Val as W;
        match v {
            W::I32(x) => V::I32(x),
            W::I64(x) => V::I64(x),
            W::F32(x) => V::F32(x),
            W::F64(x) => V::F64(x),
            W::FuncRef(f) => V::Func(f.and_then(|f| self.func_name(f))),
            W::ExternRef(e) => V::Extern(e.map(|e| e.0)),
            W::V128(x) => V::V128(x),
            W::ExnRef(_) => unreachable!("the generated modules use no exception handling"),
        }
    }

    fn native(&self, v: &V) -> regwasm::Val {
        use regwasm::Val as W;
        match v {
            V::I32(x) => W::I32(*x),
            V::I64(x) => W::I64(*x),
            V::F32(x) => W::F32(*x),
            V::F64(x) => W::F64(*x),
            V::V128(x) => W::V128(*x),
            V::Func(name) => W::FuncRef(name.as_ref().and_then(|n| {
                self.exports
                    .iter()
                    .find(|(e, _)| e == n)
                    .and_then(|(_, x)| x.into_func())
            })),
            V::Extern(e) => W::ExternRef(e.map(regwasm::ExternRef)),
        }
    }

    fn func_type(&self, f: regwasm::Func) -> (Vec<Ty>, Vec<Ty>) {
        let ty = f.ty(&self.store);
        (
            ty.params().iter().map(|t| rw_ty(*t)).collect(),
            ty.results().iter().map(|t| rw_ty(*t)).collect(),
        )
    }

    fn call(&mut self, f: regwasm::Func, args: &[V]) -> Outcome {
        let ty = f.ty(&self.store);
        let params: Vec<_> = args.iter().map(|a| self.native(a)).collect();
        let mut results: Vec<_> = ty
            .results()
            .iter()
            .map(|t| regwasm::Val::default_of(*t))
            .collect();
        match f.call(&mut self.store, &params, &mut results) {
            Ok(()) => Outcome::Values(results.into_iter().map(|v| self.neutral(v)).collect()),
            Err(e) => rw_outcome(e),
        }
    }

    fn snapshot(&self) -> Snapshot<'_> {
        let mut s = Snapshot::default();
        for (name, e) in &self.exports {
            match e {
                regwasm::Extern::Global(g) => {
                    s.globals.push((name, self.neutral(g.get(&self.store))))
                }
                regwasm::Extern::Memory(m) => s.memories.push((name, m.data(&self.store))),
                regwasm::Extern::Table(t) => {
                    let elems = (0..t.size(&self.store))
                        .map(|i| self.neutral(t.get(&self.store, i).expect("in bounds")))
                        .collect();
                    s.tables.push((name, elems));
                }
                regwasm::Extern::Func(_) | regwasm::Extern::Tag(_) => {}
            }
        }
        s
    }
}

// ---------------------------------------------------------------------------------------------
// wasmi side

struct Wasmi {
    store: wasmi::Store<()>,
    exports: Vec<(String, wasmi::Extern)>,
    /// wasmi's `Func` has no `PartialEq`; its `Debug` form names store and index, which is
    /// identity enough to map a reference back to the export.
    func_names: HashMap<String, String>,
}

fn wi_ty(t: wasmi::ValType) -> Ty {
    use wasmi::ValType as T;
    match t {
        T::I32 => Ty::I32,
        T::I64 => Ty::I64,
        T::F32 => Ty::F32,
        T::F64 => Ty::F64,
        T::FuncRef => Ty::FuncRef,
        T::ExternRef => Ty::ExternRef,
        T::V128 => Ty::V128,
        #[allow(unreachable_patterns)]
        _ => Ty::Other,
    }
}

fn wi_outcome(err: wasmi::Error) -> Outcome {
    use wasmi::TrapCode as C;
    match err.as_trap_code() {
        Some(code) => Outcome::Trap(match code {
            C::UnreachableCodeReached => TrapKind::Unreachable,
            C::IntegerDivisionByZero => TrapKind::DivByZero,
            C::IntegerOverflow => TrapKind::Overflow,
            C::BadConversionToInteger => TrapKind::BadConversion,
            C::MemoryOutOfBounds => TrapKind::Memory,
            C::TableOutOfBounds => TrapKind::Table,
            C::IndirectCallToNull => TrapKind::NullCall,
            C::BadSignature => TrapKind::Signature,
            C::StackOverflow => TrapKind::Stack,
            other => return Outcome::Error(format!("wasmi trap {other:?}")),
        }),
        None => {
            // Segment initialisation failures at instantiation come back as plain errors.
            let msg = err.to_string();
            if msg.starts_with("out of bounds table access") {
                Outcome::Trap(TrapKind::Table)
            } else if msg.starts_with("out of bounds memory access") {
                Outcome::Trap(TrapKind::Memory)
            } else {
                Outcome::Error(msg)
            }
        }
    }
}

impl Wasmi {
    fn neutral(&self, v: wasmi::Val) -> V {
        use wasmi::Val as W;
        match v {
            W::I32(x) => V::I32(x),
            W::I64(x) => V::I64(x),
            W::F32(x) => V::F32(x.to_bits()),
            W::F64(x) => V::F64(x.to_bits()),
            W::FuncRef(f) => V::Func(Option::from(f).map(|f: wasmi::Func| {
                self.func_names
                    .get(&format!("{f:?}"))
                    .cloned()
                    .unwrap_or_else(|| "<unexported>".into())
            })),
            W::ExternRef(e) => V::Extern(Option::from(e).map(|e: wasmi::ExternRef| {
                *e.data(&self.store)
                    .downcast_ref::<u32>()
                    .expect("harness externrefs hold u32")
            })),
            W::V128(x) => V::V128(x.as_u128()),
        }
    }

    fn native(&mut self, v: &V) -> wasmi::Val {
        use wasmi::Val as W;
        match v {
            V::I32(x) => W::I32(*x),
            V::I64(x) => W::I64(*x),
            V::F32(x) => W::F32(wasmi::F32::from_bits(*x)),
            V::F64(x) => W::F64(wasmi::F64::from_bits(*x)),
            V::V128(x) => W::V128(wasmi::V128::from(*x)),
            V::Func(name) => {
                let f = name.as_ref().and_then(|n| {
                    self.exports
                        .iter()
                        .find(|(e, _)| e == n)
                        .and_then(|(_, x)| x.into_func())
                });
                W::FuncRef(f.map_or(wasmi::Nullable::Null, wasmi::Nullable::Val))
            }
            V::Extern(e) => W::ExternRef(match e {
                Some(k) => wasmi::Nullable::Val(wasmi::ExternRef::new(&mut self.store, *k)),
                None => wasmi::Nullable::Null,
            }),
        }
    }

    fn func_type(&self, f: wasmi::Func) -> (Vec<Ty>, Vec<Ty>) {
        let ty = f.ty(&self.store);
        (
            ty.params().iter().map(|t| wi_ty(*t)).collect(),
            ty.results().iter().map(|t| wi_ty(*t)).collect(),
        )
    }

    fn call(&mut self, f: wasmi::Func, args: &[V]) -> Outcome {
        let ty = f.ty(&self.store);
        let params: Vec<_> = args.iter().map(|a| self.native(a)).collect();
        let mut results: Vec<_> = ty
            .results()
            .iter()
            .map(|t| wasmi::Val::default_for_ty(*t))
            .collect();
        let store = &mut self.store;
        match in_wasmi(|| f.call(store, &params, &mut results)) {
            Ok(Ok(())) => Outcome::Values(results.into_iter().map(|v| self.neutral(v)).collect()),
            Ok(Err(e)) => wi_outcome(e),
            Err(p) => Outcome::WasmiPanic(p),
        }
    }

    fn snapshot(&self) -> Snapshot<'_> {
        let mut s = Snapshot::default();
        for (name, e) in &self.exports {
            match e {
                wasmi::Extern::Global(g) => {
                    s.globals.push((name, self.neutral(g.get(&self.store))))
                }
                wasmi::Extern::Memory(m) => s.memories.push((name, m.data(&self.store))),
                wasmi::Extern::Table(t) => {
                    let elems = (0..t.size(&self.store))
                        .map(|i| {
                            let r = t.get(&self.store, i).expect("in bounds");
                            self.neutral(wasmi::Val::from(r))
                        })
                        .collect();
                    s.tables.push((name, elems));
                }
                wasmi::Extern::Func(_) => {}
            }
        }
        s
    }
}

// ---------------------------------------------------------------------------------------------
// the comparison

/// How one module went.
#[derive(Debug)]
pub enum Verdict {
    /// Compared; `calls` exported-function calls agreed.
    Agreed { calls: usize },
    /// Not comparable (a reason); counted, not a failure.
    Skipped(String),
    /// The engines disagree: what differed.
    Mismatch(String),
    /// wasmi panicked (on a valid module): its bug, reported, not failed.
    WasmiPanicked(String),
}

/// regwasm's engine for a comparison; `metered` adds fuel charges and interruption checks to
/// the code (the verifier then checks that no cycle avoids them), with fuel that never runs out.
pub fn regwasm_engine(opts: regwasm::Optimizations, metered: bool) -> regwasm::Engine {
    let mut config = regwasm::Config::default();
    config
        .consume_fuel(metered)
        .interruptible(metered)
        // regwasm counts nested calls below the entry frame, wasmi counts frames: one less
        // makes both trap at the same depth.
        .max_call_depth(MAX_DEPTH - 1)
        .max_register_stack(1 << 20)
        .verify_bytecode(true)
        .custom_page_sizes(true)
        .memory64(true)
        .optimizations(opts);
    regwasm::Engine::new(&config)
}

pub fn wasmi_engine() -> wasmi::Engine {
    let mut config = wasmi::Config::default();
    config
        .set_max_recursion_depth(MAX_DEPTH)
        // Bytes; large enough that only the recursion depth limits.
        .set_max_stack_height(64 << 20)
        .compilation_mode(wasmi::CompilationMode::Eager)
        .wasm_wide_arithmetic(true)
        .wasm_custom_page_sizes(true)
        .wasm_memory64(true);
    wasmi::Engine::new(&config)
}

/// Optimizations chosen by `rng`: each switch on three times in four.
pub fn pick_optimizations(rng: &mut Rng) -> regwasm::Optimizations {
    regwasm::Optimizations {
        lazy_locals: !rng.chance(4),
        immediates: !rng.chance(4),
        fused_branches: !rng.chance(4),
        result_retargeting: !rng.chance(4),
        copy_pairs: !rng.chance(4),
        jump_threading: !rng.chance(4),
        counter_branches: !rng.chance(4),
        indexed_memory: !rng.chance(4),
        multiply_add: !rng.chance(4),
        bit_fusions: !rng.chance(4),
        load_operands: !rng.chance(4),
        accumulator: !rng.chance(4),
        static_throws: !rng.chance(4),
        constant_division: !rng.chance(4),
    }
}

/// One module instantiated on both engines, exports in the same order.
pub struct Pair {
    rw: Regwasm,
    wi: Wasmi,
    /// Exported functions: name, regwasm handle, wasmi handle.
    funcs: Vec<(String, regwasm::Func, wasmi::Func)>,
    fuel: Option<(regwasm::Global, wasmi::Global)>,
}

/// Compiles and instantiates `wasm` on both engines. `Err` carries the verdict when that is
/// already the end of the comparison (a rejection, or matching instantiation failures).
pub fn instantiate(
    wasm: &[u8],
    rw_engine: &regwasm::Engine,
    wi_engine: &wasmi::Engine,
    work_around_wasmi: bool,
) -> Result<Pair, Verdict> {
    let wi_wasm = if work_around_wasmi {
        wasmi_workarounds(wasm)
            .ok_or_else(|| Verdict::Mismatch("wasmparser cannot read the module".into()))?
    } else {
        wasm.to_vec()
    };
    let wi_module = in_wasmi(|| wasmi::Module::new(wi_engine, &wi_wasm))
        .map_err(|p| Verdict::WasmiPanicked(format!("wasmi panics compiling: {p}")))?
        .map_err(|e| Verdict::Skipped(format!("wasmi rejects the module: {e}")))?;
    let rw_module = match regwasm::Module::new(rw_engine, wasm) {
        Ok(m) => m,
        Err(regwasm::Error::Limit(e)) => {
            return Err(Verdict::Skipped(format!(
                "regwasm implementation limit: {e}"
            )))
        }
        Err(e) => {
            return Err(Verdict::Mismatch(format!(
                "regwasm rejects a valid module: {e}"
            )))
        }
    };

    let mut rw_store = regwasm::Store::new(rw_engine, ());
    // Under metering, fuel that never runs out (an error otherwise: the engine does not meter).
    rw_store.set_fuel(u64::MAX).ok();
    let rw_inst = regwasm::Linker::new(rw_engine).instantiate(&mut rw_store, &rw_module);
    let mut wi_store = wasmi::Store::new(wi_engine, ());
    let wi_inst =
        in_wasmi(|| wasmi::Linker::new(wi_engine).instantiate_and_start(&mut wi_store, &wi_module))
            .map_err(|p| Verdict::WasmiPanicked(format!("wasmi panics instantiating: {p}")))?;
    let (rw_inst, wi_inst) = match (rw_inst, wi_inst) {
        (Ok(a), Ok(b)) => (a, b),
        (Err(regwasm::Error::Limit(e)), _) => {
            return Err(Verdict::Skipped(format!(
                "regwasm implementation limit: {e}"
            )))
        }
        (Err(a), Err(b)) => {
            let (a, b) = (rw_outcome(a), wi_outcome(b));
            return Err(match (&a, &b) {
                (Outcome::Trap(x), Outcome::Trap(y)) if x == y => Verdict::Agreed { calls: 0 },
                (Outcome::Trap(TrapKind::Stack), _) | (_, Outcome::Trap(TrapKind::Stack)) => {
                    Verdict::Skipped("stack exhausted during instantiation in one engine".into())
                }
                (Outcome::Error(_), Outcome::Error(_)) => Verdict::Agreed { calls: 0 },
                _ => Verdict::Mismatch(format!(
                    "instantiation fails differently: regwasm {a:?}, wasmi {b:?}"
                )),
            });
        }
        (Err(a), Ok(_)) => {
            let a = rw_outcome(a);
            return Err(if matches!(a, Outcome::Trap(TrapKind::Stack)) {
                Verdict::Skipped("stack exhausted in the start function (regwasm)".into())
            } else {
                Verdict::Mismatch(format!(
                    "instantiation: regwasm fails with {a:?}, wasmi succeeds"
                ))
            });
        }
        (Ok(_), Err(b)) => {
            let b = wi_outcome(b);
            return Err(if matches!(b, Outcome::Trap(TrapKind::Stack)) {
                Verdict::Skipped("stack exhausted in the start function (wasmi)".into())
            } else {
                Verdict::Mismatch(format!(
                    "instantiation: regwasm succeeds, wasmi fails with {b:?}"
                ))
            });
        }
    };

    let rw = Regwasm {
        exports: rw_inst.exports(&rw_store),
        store: rw_store,
    };
    let mut wi_exports: Vec<(String, wasmi::Extern)> = wi_inst
        .exports(&wi_store)
        .map(|e| (e.name().to_string(), e.into_extern()))
        .collect();
    // Same order as regwasm's list, which follows the module's export section.
    let order: HashMap<&str, usize> = rw
        .exports
        .iter()
        .enumerate()
        .map(|(i, (n, _))| (n.as_str(), i))
        .collect();
    let mut rw_names: Vec<&str> = order.keys().copied().collect();
    let mut wi_names: Vec<&str> = wi_exports.iter().map(|(n, _)| n.as_str()).collect();
    rw_names.sort_unstable();
    wi_names.sort_unstable();
    if rw_names != wi_names {
        return Err(Verdict::Mismatch(format!(
            "export names differ: regwasm {rw_names:?}, wasmi {wi_names:?}"
        )));
    }
    wi_exports.sort_by_key(|(n, _)| order[n.as_str()]);
    let func_names = wi_exports
        .iter()
        .filter_map(|(n, e)| Some((format!("{:?}", e.into_func()?), n.clone())))
        .collect();
    let wi = Wasmi {
        store: wi_store,
        exports: wi_exports,
        func_names,
    };
    let funcs = rw
        .exports
        .iter()
        .zip(&wi.exports)
        .filter_map(|((n, a), (_, b))| Some((n.clone(), a.into_func()?, b.into_func()?)))
        .collect();
    let fuel = rw
        .exports
        .iter()
        .zip(&wi.exports)
        .find(|((n, _), _)| n == FUEL_EXPORT)
        .and_then(|((_, a), (_, b))| Some((a.into_global()?, b.into_global()?)));
    let pair = Pair {
        rw,
        wi,
        funcs,
        fuel,
    };
    if let Some(d) = pair.diff_state("instantiation") {
        return Err(Verdict::Mismatch(d));
    }
    Ok(pair)
}

impl Pair {
    /// Names of the exported functions, in export order.
    pub fn func_names(&self) -> Vec<String> {
        self.funcs.iter().map(|(n, _, _)| n.clone()).collect()
    }

    /// Parameter types of export `index` (of [`Pair::func_names`]).
    pub fn params(&self, index: usize) -> Vec<Ty> {
        self.rw.func_type(self.funcs[index].1).0
    }

    fn diff_state(&self, after: &str) -> Option<String> {
        diff_snapshots(&self.rw.snapshot(), &self.wi.snapshot())
            .map(|d| format!("after {after}: {d}"))
    }

    /// Calls export `index` with `args` on both engines (fuel refilled first) and compares
    /// outcome and state. `None`: all agreed.
    pub fn call(&mut self, index: usize, args: &[V]) -> Option<Verdict> {
        let (name, rf, wf) = self.funcs[index].clone();
        if self.rw.func_type(rf) != self.wi.func_type(wf) {
            return Some(Verdict::Mismatch(format!(
                "export {name:?}: function types differ"
            )));
        }
        // Every call starts with full fuel, so one exhausted call does not end the rest.
        if let Some((a, b)) = self.fuel {
            a.set(&mut self.rw.store, regwasm::Val::I32(FUEL))
                .expect("fuel global");
            b.set(&mut self.wi.store, wasmi::Val::I32(FUEL))
                .expect("fuel global");
        }
        let a = self.rw.call(rf, args);
        let b = self.wi.call(wf, args);
        if let Outcome::WasmiPanic(p) = b {
            return Some(Verdict::WasmiPanicked(format!(
                "wasmi panics in call {name:?}: {p}"
            )));
        }
        let a_stack = matches!(a, Outcome::Trap(TrapKind::Stack));
        let b_stack = matches!(b, Outcome::Trap(TrapKind::Stack));
        if a_stack != b_stack {
            return Some(Verdict::Skipped(format!(
                "stack exhausted in one engine only: call {name:?}{args:?}: regwasm {a:?}, wasmi {b:?}"
            )));
        }
        if !a.same(&b) {
            return Some(Verdict::Mismatch(format!(
                "call {name:?} with {args:?}: regwasm {a:?}, wasmi {b:?}"
            )));
        }
        let d = self.diff_state(&format!("call {name:?} with {args:?}"))?;
        Some(if a_stack {
            // Both exhausted, perhaps at different depths: side effects may differ.
            Verdict::Skipped(format!("both exhausted the stack; {d}"))
        } else {
            Verdict::Mismatch(d)
        })
    }
}

/// Runs `wasm` on both engines and compares everything observable: instantiation, then every
/// exported function `rounds` times with arguments from `rng`. A mismatch in a module with a
/// `v128`-carrying `br_table` is skipped while `work_around_wasmi` (see
/// [`br_table_carries_v128`]).
pub fn compare(
    wasm: &[u8],
    rw_engine: &regwasm::Engine,
    wi_engine: &wasmi::Engine,
    rng: &mut Rng,
    rounds: usize,
    work_around_wasmi: bool,
) -> Verdict {
    let verdict = 'compare: {
        let mut pair = match instantiate(wasm, rw_engine, wi_engine, work_around_wasmi) {
            Ok(p) => p,
            Err(v) => break 'compare v,
        };
        let names = pair.func_names();
        let mut calls = 0;
        for _ in 0..rounds {
            for index in 0..names.len() {
                let args: Vec<V> = pair
                    .params(index)
                    .iter()
                    .map(|t| arg(rng, *t, &names))
                    .collect();
                calls += 1;
                if let Some(v) = pair.call(index, &args) {
                    break 'compare v;
                }
            }
        }
        Verdict::Agreed { calls }
    };
    match verdict {
        Verdict::Mismatch(what) if work_around_wasmi && br_table_carries_v128(wasm) => {
            Verdict::Skipped(format!("wasmi's br_table v128 bug may explain: {what}"))
        }
        v => v,
    }
}
