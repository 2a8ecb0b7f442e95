//! Precompiled modules: [`Module::serialize`] writes a translated module to bytes and
//! [`Module::deserialize`] loads them without translating again.
//!
//! Why the original Wasm binary goes in whole: the module's types, imports, exports, segments,
//! custom sections and names all come from decoding it, which is cheap (function bodies stay
//! byte ranges); what is expensive is validating and translating the bodies, and that is what
//! the stored bytecode replaces. Storing the binary keeps one decoder and one module-level
//! validator for both paths, so a loaded module cannot describe itself differently from a
//! fresh one.
//!
//! The layout (all integers little-endian; docs/architecture.md has the same table):
//!
//! ```text
//! header   magic "\0regwasm" (8 bytes) · format version u32 · crate version (u8 length, UTF-8)
//!          · translation settings u32 (one bit per switch, `SETTINGS` order)
//!          · settings fingerprint u64 · payload length u64 · payload checksum u64
//! payload  Wasm length u64 · the Wasm binary
//!          · function count u32 (the defined functions, in order), then per function:
//!            0u8 (not translated: its translation failed, e.g. over a limit, or its body is
//!            invalid in a `CompilationMode::Lazy` module), or
//!            1u8 · num_regs, num_params, num_locals, num_results, wasm_ops, eqz_fusions,
//!            code length, source map length, encoded size (u32 each) · the instructions
//!            (`bytecode::serial`) · the source map (u32 each) · the handler table
//!            (`bytecode::handlers`); the encoded size is the byte length of these three, so
//!            a lazy load can skip them
//! ```
//!
//! Loading trusts nothing it reads: every check below runs on every load, and every failure is
//! an [`Error::Precompiled`](crate::Error::Precompiled) naming what did not match, never a panic. See
//! [`Module::deserialize`] for the list of checks and what they guarantee.

use super::module::ModuleInner;
use super::{CompilationMode, Config, Engine, Module};
use crate::binary::{self, ModuleInfo};
use crate::bytecode::serial::{self, Reader};
use crate::bytecode::verify::{self, FrameCheck};
use crate::bytecode::{
    self, Chunks, Code, CompiledFunc, Filled, InChunk, Instr, Op, Operand, OperandVisitor,
};
use crate::error::{Error, PrecompiledError, PrecompiledErrorKind as Kind, Result};
use crate::value::ValType;
use crate::{translate, validate};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

/// The first bytes of every precompiled module. A Wasm binary starts with `\0asm`, so the
/// two never look alike.
const PRECOMPILED_MAGIC: [u8; 8] = *b"\0regwasm";

/// The layout's version: raised whenever the header or payload layout changes. (The
/// instruction encoding changes with the crate version, which is checked separately.)
const FORMAT_VERSION: u32 = 5;

/// The crate version the bytecode belongs to: instruction tags and semantics follow it.
const CRATE_VERSION: &str = env!("CARGO_PKG_VERSION");

/// A function's bytecode, its header and size fields, before the code is rebuilt.
const FUNC_HEADER: usize = 9 * 4;

impl Module {
    /// Whether `bytes` look like a precompiled module (start with [`Module::serialize`]'s
    /// magic), as opposed to a Wasm binary or text: how `regwasm run` tells them apart.
    pub fn is_precompiled(bytes: &[u8]) -> bool {
        bytes.starts_with(&PRECOMPILED_MAGIC)
    }

    /// The module, translated, as bytes that [`Module::deserialize`] loads without validating
    /// or translating the function bodies again. The bytes are for the same regwasm version and
    /// an engine with the same translation settings (optimizations, fuel metering,
    /// interruptibility, source maps, SIMD features); loading them anywhere else is refused.
    ///
    /// A lazily compiled module ([`CompilationMode::LazyTranslation`] or
    /// [`CompilationMode::Lazy`]) translates its remaining functions first (and keeps them),
    /// so the bytes hold every function. A function whose translation fails (a valid body
    /// over an implementation limit, or under `Lazy` an invalid body, either of which would
    /// fail on its first call) is stored without code. After loading it fails the same way
    /// on its first call; except that an engine not in `Lazy` mode validates such a body
    /// while loading, and so refuses a module with an invalid body, as `Module::new` would.
    ///
    /// [`CompilationMode::LazyTranslation`]: crate::CompilationMode::LazyTranslation
    /// [`CompilationMode::Lazy`]: crate::CompilationMode::Lazy
    ///
    /// ```
    /// use regwasm::{Engine, Linker, Module, Store};
    /// let engine = Engine::default();
    /// let module = Module::new(&engine, r#"(module (func (export "seven") (result i32) i32.const 7))"#)?;
    /// let bytes = module.serialize();
    /// assert!(Module::is_precompiled(&bytes));
    ///
    /// let loaded = Module::deserialize(&engine, &bytes)?;
    /// let mut store = Store::new(&engine, ());
    /// let instance = Linker::new(&engine).instantiate(&mut store, &loaded)?;
    /// let seven = instance.get_typed_func::<(), i32>(&store, "seven")?;
    /// assert_eq!(seven.call(&mut store, ())?, 7);
    /// # Ok::<(), regwasm::Error>(())
    /// ```
    pub fn serialize(&self) -> Vec<u8> {
        let info = self.info();
        let mut payload = Vec::with_capacity(info.bytes.len() * 4);
        put_u64(&mut payload, info.bytes.len() as u64);
        payload.extend_from_slice(&info.bytes);
        put_u32(&mut payload, self.inner.funcs.len() as u32);
        for index in 0..self.inner.funcs.len() {
            match self.code(index) {
                Ok(func) => write_func(&mut payload, func),
                Err(_) => payload.push(0),
            }
        }

        let config = &self.inner.config;
        let mut out = Vec::with_capacity(payload.len() + 64);
        out.extend_from_slice(&PRECOMPILED_MAGIC);
        put_u32(&mut out, FORMAT_VERSION);
        out.push(CRATE_VERSION.len() as u8);
        out.extend_from_slice(CRATE_VERSION.as_bytes());
        put_u32(&mut out, settings_bits(config));
        put_u64(&mut out, fingerprint(config));
        put_u64(&mut out, payload.len() as u64);
        put_u64(&mut out, checksum(&payload));
        out.extend_from_slice(&payload);
        out
    }

    /// Loads a module that [`Module::serialize`] wrote, for `engine`: faster than
    /// [`Module::new`], since function bodies are neither validated nor translated again. The
    /// loaded module behaves exactly like the one that was serialized.
    ///
    /// Every load checks, in order, and refuses with an [`Error::Precompiled`](crate::Error::Precompiled) whose
    /// [`kind`](crate::PrecompiledError::kind) names the check that failed:
    /// - the magic (`NotPrecompiled`), the format version (`FormatVersion`) and the regwasm
    ///   version (`CrateVersion`) — bytecode is only ever run by the version that made it;
    /// - that `engine`'s translation settings are those the module was compiled with
    ///   (`Config`, naming each switch that differs);
    /// - the payload's length and checksum (`Checksum`): truncated or damaged files;
    /// - then (`Corrupt`) that the stored Wasm binary decodes and passes module-level
    ///   validation; that each function's frame matches its type and locals; the bytecode
    ///   verifier (registers inside the frame, jumps onto instructions, no running off the
    ///   end); and that every function, global, table, type, data and element segment an
    ///   instruction names exists in the module, with the right type and mutability for
    ///   globals, and that bulk memory instructions have a memory — every index the
    ///   interpreter uses without checking. A function stored without code is validated now
    ///   (under [`CompilationMode::Lazy`], on its first call instead), and translated on its
    ///   first call.
    ///
    /// With [`CompilationMode::LazyTranslation`] or [`CompilationMode::Lazy`], a load stops
    /// after the module-level checks and steps over the functions' code; each function's
    /// checks run on its first call, which fails with the same `Error::Precompiled` if they
    /// do — load time then grows with the module's size, not its code's, as lazy
    /// translation does for [`Module::new`].
    ///
    /// [`CompilationMode::Lazy`]: crate::CompilationMode::Lazy
    ///
    /// These checks make any input safe to load: no byte string makes the interpreter read or
    /// write outside its frames, code or memories. They do not prove that hand-made bytecode
    /// computes what its Wasm says (under fuel metering or interrupts they do check that no
    /// loop avoids the fuel charges and interruption checks); the checksum, versions and
    /// settings are what make sure the bytecode is the translator's own. Load precompiled bytes
    /// only from where you would load native code.
    pub fn deserialize(engine: &Engine, bytes: &[u8]) -> Result<Module> {
        let config = engine.config();
        let payload = check_header(engine, bytes)?;
        let corrupt = |m: String| refused(Kind::Corrupt, m);
        let mut r = Reader::new(payload);

        let wasm_len = r.u64().map_err(corrupt)?;
        let wasm_len = usize::try_from(wasm_len)
            .map_err(|_| corrupt(format!("Wasm binary of {wasm_len} bytes")))?;
        let wasm = r.bytes(wasm_len).map_err(corrupt)?;
        let info = binary::decode(wasm).map_err(|e| corrupt(format!("stored Wasm binary: {e}")))?;
        let ctx = validate::validate_module_with(&info, config.features)
            .map_err(|e| corrupt(format!("stored Wasm binary: {e}")))?;

        let count = r.u32().map_err(corrupt)? as usize;
        if count != info.bodies.len() {
            return Err(corrupt(format!(
                "{count} functions stored for a module that defines {}",
                info.bodies.len()
            )));
        }
        let lazy = config.compilation_mode != CompilationMode::Eager;
        // Under `Lazy`, a body stored without code is validated on its first call, as in
        // `Module::new`; otherwise now, since its translation relies on it being valid.
        let validate_now = config.compilation_mode != CompilationMode::Lazy;
        let mut funcs = Vec::with_capacity(count);
        let mut starts = Vec::with_capacity(if lazy { count } else { 0 });
        // Whether some function may store to memory; unknown (so `true`) for a function
        // whose code is not read now.
        let mut stores = lazy;
        // Functions are decoded into shared chunks, and given their code once all are read.
        let mut chunks = Chunks::new(Chunks::SIZE);
        let mut read = Vec::with_capacity(if lazy { 0 } else { count });
        for index in 0..count {
            let func_index = info.num_imported_funcs as usize + index;
            let at = r.pos();
            let at_byte = |m: String| corrupt(format!("function {func_index} (at byte {at}): {m}"));
            let func = if lazy {
                // Only stepped over now; read and checked on its first call.
                let stored = skip_func(&mut r).map_err(at_byte)?;
                starts.push(stored.then_some(at));
                stored.then_some(None)
            } else {
                read_func(&mut r, &info, index, config, &mut stores, &mut chunks)
                    .map_err(at_byte)?
                    .map(Some)
            };
            funcs.push(match func {
                Some(Some(func)) => {
                    read.push((index, func));
                    OnceLock::new()
                }
                Some(None) => OnceLock::new(),
                None if !validate_now => OnceLock::new(),
                None => {
                    stores = true;
                    // Translated on its first call, which relies on the body being valid.
                    translate::validate_function(&info, &ctx, index).map_err(|e| {
                        corrupt(format!("function {func_index} (stored without code): {e}"))
                    })?;
                    OnceLock::new()
                }
            });
        }
        if !r.is_empty() {
            return Err(corrupt(format!(
                "{} bytes after the last function",
                payload.len() - r.pos()
            )));
        }
        let chunks = chunks.finish();
        for (index, func) in read {
            funcs[index] = OnceLock::from(Arc::new(func.with_code(&chunks).map_err(corrupt)?));
        }
        let export_index = (info.exports.iter().enumerate())
            .map(|(i, e)| (e.name.clone(), i))
            .collect();
        Ok(Module {
            inner: Arc::new(ModuleInner {
                code_index: super::module::CodeIndex::of(&funcs),
                stores_to_memory: stores,
                fresh_types: OnceLock::new(),
                export_index,
                translation_times: vec![Duration::ZERO; count],
                info,
                funcs,
                config: config.clone(),
                stored: lazy.then(|| StoredCode {
                    payload: payload.into(),
                    starts,
                }),
                body_validation: (!validate_now).then_some(ctx),
            }),
        })
    }
}

/// The error refusing a precompiled module.
fn refused(kind: Kind, message: impl Into<String>) -> Error {
    Error::Precompiled(PrecompiledError {
        kind,
        message: message.into(),
    })
}

fn put_u32(out: &mut Vec<u8>, v: u32) {
    out.extend_from_slice(&v.to_le_bytes());
}

fn put_u64(out: &mut Vec<u8>, v: u64) {
    out.extend_from_slice(&v.to_le_bytes());
}

fn write_func(out: &mut Vec<u8>, func: &CompiledFunc) {
    out.push(1);
    out.reserve(FUNC_HEADER + func.code.len() * 10 + func.source_map.len() * 4);
    let mut body = Vec::with_capacity(func.code.len() * 10 + func.source_map.len() * 4);
    for op in func.code.iter() {
        serial::encode(op.instr(), &mut body);
    }
    for &offset in func.source_map.iter() {
        put_u32(&mut body, offset);
    }
    bytecode::encode_handlers(&func.handlers, &mut body);
    for v in [
        func.num_regs,
        func.num_params,
        func.num_locals,
        func.num_results,
        func.wasm_ops,
        func.eqz_fusions,
        func.code.len() as u32,
        func.source_map.len() as u32,
        body.len() as u32,
    ] {
        put_u32(out, v);
    }
    out.extend_from_slice(&body);
}

/// Checks the header against this build and `engine`'s configuration; returns the payload.
fn check_header<'a>(engine: &Engine, bytes: &'a [u8]) -> Result<&'a [u8]> {
    let config = engine.config();
    let &(ours, print_ours) =
        (engine.precompiled_key).get_or_init(|| (settings_bits(config), fingerprint(config)));
    if !Module::is_precompiled(bytes) {
        return Err(refused(
            Kind::NotPrecompiled,
            "not a precompiled regwasm module (no `\\0regwasm` magic)",
        ));
    }
    let mut r = Reader::new(&bytes[PRECOMPILED_MAGIC.len()..]);
    let truncated = |m: String| refused(Kind::Checksum, format!("header: {m}"));
    let format = r.u32().map_err(truncated)?;
    if format != FORMAT_VERSION {
        return Err(refused(
            Kind::FormatVersion,
            format!("format version {format}, this regwasm reads version {FORMAT_VERSION}"),
        ));
    }
    let len = r.u8().map_err(truncated)?;
    let version = r.bytes(len.into()).map_err(truncated)?;
    if version != CRATE_VERSION.as_bytes() {
        return Err(refused(
            Kind::CrateVersion,
            format!(
                "made by regwasm {}, this is regwasm {CRATE_VERSION}",
                String::from_utf8_lossy(version)
            ),
        ));
    }
    let bits = r.u32().map_err(truncated)?;
    if bits != ours {
        let differ: Vec<String> = settings(config)
            .iter()
            .enumerate()
            .filter(|(i, _)| (bits ^ ours) >> i & 1 != 0)
            .map(|(i, (name, on))| {
                let was = if bits >> i & 1 != 0 { "on" } else { "off" };
                let is = if *on { "on" } else { "off" };
                format!("{name} ({was} when compiled, {is} in this engine)")
            })
            .collect();
        let differ = if differ.is_empty() {
            format!("unknown settings {:#x}", bits & !ours)
        } else {
            differ.join(", ")
        };
        return Err(refused(
            Kind::Config,
            format!("compiled with other translation settings: {differ}"),
        ));
    }
    let print = r.u64().map_err(truncated)?;
    if print != print_ours {
        return Err(refused(
            Kind::Config,
            format!(
                "compiled with other translation settings or another instruction set \
                 (fingerprint {print:#018x}, this engine's is {print_ours:#018x})"
            ),
        ));
    }
    let len = r.u64().map_err(truncated)?;
    let sum = r.u64().map_err(truncated)?;
    let payload = &bytes[PRECOMPILED_MAGIC.len() + r.pos()..];
    if len != payload.len() as u64 {
        return Err(refused(
            Kind::Checksum,
            format!(
                "payload of {} bytes where the header says {len}: truncated or extended",
                payload.len()
            ),
        ));
    }
    if checksum(payload) != sum {
        return Err(refused(
            Kind::Checksum,
            "payload checksum mismatch: the file is damaged",
        ));
    }
    Ok(payload)
}

/// Reads a function's presence byte and, when it has code, its header fields.
fn func_header(r: &mut Reader<'_>) -> Result<Option<[u32; 9]>, String> {
    match r.u8()? {
        0 => return Ok(None),
        1 => {}
        b => return Err(format!("bad presence byte {b}")),
    }
    // One bounds check for the nine fields.
    let bytes: [u8; FUNC_HEADER] = r.array()?;
    let mut header = [0u32; 9];
    for (h, b) in header.iter_mut().zip(bytes.chunks_exact(4)) {
        *h = b.try_into().map_or(0, u32::from_le_bytes);
    }
    Ok(Some(header))
}

/// A function as [`read_func`] reads it: everything but its code, which went to `code` of the
/// load's [`Chunks`].
struct ReadFunc {
    func: CompiledFunc,
    code: InChunk,
}

impl ReadFunc {
    /// The function, its code now a range of its chunk.
    fn with_code(self, chunks: &Filled) -> Result<CompiledFunc, String> {
        let code = chunks.code(self.code).ok_or("code outside its chunk")?;
        Ok(CompiledFunc { code, ..self.func })
    }
}

/// Steps over one function for a lazy load: whether it has code.
fn skip_func(r: &mut Reader<'_>) -> Result<bool, String> {
    let Some(header) = func_header(r)? else {
        return Ok(false);
    };
    r.bytes(header[8] as usize)?;
    Ok(true)
}

/// Reads function `index`, stored at `start` in `stored`'s payload by a lazy load, on its first
/// call: the same checks as an eager load, now.
pub(crate) fn load_stored(
    stored: &StoredCode,
    info: &ModuleInfo,
    index: usize,
    config: &Config,
) -> Result<CompiledFunc> {
    let func_index = info.num_imported_funcs as usize + index;
    let corrupt = |m: String| refused(Kind::Corrupt, format!("function {func_index}: {m}"));
    let start = (stored.starts.get(index).copied().flatten())
        .ok_or_else(|| corrupt("not stored".into()))?;
    let bytes = stored.payload.get(start..).unwrap_or_default();
    let mut chunks = Chunks::new(0);
    let read = read_func(
        &mut Reader::new(bytes),
        info,
        index,
        config,
        &mut false,
        &mut chunks,
    )
    .map_err(corrupt)?
    .ok_or_else(|| corrupt("stored without code".into()))?;
    read.with_code(&chunks.finish()).map_err(corrupt)
}

/// What a lazy load keeps of a precompiled module: the payload, and where each function with
/// code starts in it (read and checked on the function's first call).
#[derive(Debug)]
pub(crate) struct StoredCode {
    payload: Box<[u8]>,
    starts: Vec<Option<usize>>,
}

impl StoredCode {
    /// Whether defined function `index` was stored with code.
    pub(crate) fn has(&self, index: usize) -> bool {
        matches!(self.starts.get(index), Some(Some(_)))
    }
}

/// Reads one function; `None` for one stored without code. Every frame field is checked
/// against the module, then the code against `bytecode::verify` and [`check_instr`]. Sets
/// `stores` if the code has a store instruction.
fn read_func(
    r: &mut Reader<'_>,
    info: &ModuleInfo,
    index: usize,
    config: &Config,
    stores: &mut bool,
    chunks: &mut Chunks,
) -> Result<Option<ReadFunc>, String> {
    let Some(header) = func_header(r)? else {
        return Ok(None);
    };
    let [num_regs, num_params, num_locals, num_results, wasm_ops, eqz_fusions, code_len, map_len, size] =
        header;
    let mut r = Reader::new(r.bytes(size as usize)?);
    let r = &mut r;
    let func_index = info.num_imported_funcs + index as u32;
    let ty = info
        .func_type(func_index)
        .ok_or("the function has no type")?;
    let locals = translate::local_cells(info, index);
    let expect = |what: &str, got: u32, want: u32| {
        (got == want)
            .then_some(())
            .ok_or_else(|| format!("{what} {got} where the module's function has {want}"))
    };
    expect("num_params", num_params, ty.param_cells())?;
    expect("num_results", num_results, ty.result_cells())?;
    if u64::from(num_locals) != locals {
        return Err(format!(
            "num_locals {num_locals} where the module's function has {locals}"
        ));
    }
    if num_regs as u64 > translate::MAX_REGS || num_regs < num_locals || num_regs < num_results {
        return Err(format!(
            "frame of {num_regs} registers for {num_locals} locals and {num_results} results"
        ));
    }
    let want_map = if config.keep_source_map { code_len } else { 0 };
    expect("source map length", map_len, want_map)?;
    // Each instruction takes at least its two-byte tag: a count the bytes cannot hold is
    // refused before anything is allocated for it.
    if code_len as usize > r.remaining() / 2 {
        return Err(format!("{code_len} instructions in fewer bytes"));
    }
    // Each instruction is checked as it is decoded, in one pass: registers and jumps against
    // the frame and the code (`bytecode::verify`'s checks), entity indices against the module.
    let counts = EntityCounts::of(info);
    let len = code_len as usize;
    let mut check = LoadCheck {
        info,
        counts: &counts,
        frame: FrameCheck::new(num_regs, len, 0),
        bad_index: false,
        stores: false,
    };
    let (chunk, in_chunk) = chunks.take(len);
    serial::decode_code(r, &mut check, len, chunk)?;
    *stores |= check.stores;
    let code = chunk
        .get(in_chunk.range())
        .ok_or("code outside its chunk")?;
    verify::ends_in_terminal(code.last().map(Op::instr))?;
    let mut source_map = Vec::with_capacity(map_len as usize);
    for _ in 0..map_len {
        source_map.push(r.u32()?);
    }
    let tag_cells = |t: u32| {
        let ty = *info.tags.get(t as usize)?;
        Some(info.types.get(ty as usize)?.param_cells())
    };
    let handlers = bytecode::decode_handlers(r, tag_cells)?;
    verify::verify_metering(code, &handlers, verify::Metering::of(config))?;
    if !r.is_empty() {
        return Err(format!(
            "{} bytes after the code and source map",
            r.remaining()
        ));
    }
    let func = CompiledFunc {
        // Replaced by the range `code` of the load's allocation once it is complete.
        code: Code::default(),
        num_regs,
        num_params,
        num_locals,
        num_results,
        wasm_ops,
        eqz_fusions,
        source_map: source_map.into(),
        handlers,
        enter_room: CompiledFunc::enter_room_for(num_regs, num_params, num_locals),
    };
    Ok(Some(ReadFunc {
        func,
        code: in_chunk,
    }))
}

/// What an integer operand names, by its field name in the instruction table: the loader
/// checks each against the module. Every integer field of every instruction must be listed
/// (a test checks), so a new field that indexes something cannot slip past unchecked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Role {
    Func,
    Global,
    Table,
    Type,
    Data,
    Elem,
    /// A memory index of the instance.
    Memory,
    /// A tag of the instance.
    Tag,
    /// A shift amount the interpreter applies with `<<`/`>>`: below 32.
    Shift,
    /// A plain number: a constant, a memory offset or address (checked against the memory at
    /// run time), a count the verifier checks (`len`), fuel.
    Plain,
    /// A field `role` does not know: refused, so a new field that indexes something cannot
    /// slip past unchecked.
    Unclassified,
}

impl Role {
    /// What an operand of this role names, for messages.
    fn noun(self) -> &'static str {
        match self {
            Role::Func => "function",
            Role::Global => "global",
            Role::Table => "table",
            Role::Type => "type",
            Role::Data => "data segment",
            Role::Elem => "element segment",
            Role::Memory => "memory",
            Role::Tag => "tag",
            Role::Shift => "shift amount",
            Role::Plain => "number",
            Role::Unclassified => "unclassified operand",
        }
    }
}

#[inline(always)]
pub(crate) fn role(field: &str) -> Option<Role> {
    Some(match field {
        "func" => Role::Func,
        "global" => Role::Global,
        "table" | "dst_table" | "src_table" => Role::Table,
        "type_index" => Role::Type,
        "data" => Role::Data,
        "elem" => Role::Elem,
        "mem" | "dst_mem" | "src_mem" => Role::Memory,
        "tag" => Role::Tag,
        "shift" => Role::Shift,
        "value" | "lo" | "hi" | "len" | "offset" | "addr" | "mask" | "amount" | "imm" | "disp"
        | "rot" => Role::Plain,
        // A constant divisor and its reciprocal: any values compute some number (wrapping
        // arithmetic, the shift checked above), so a forged pair gives wrong results, as a
        // forged constant would, and nothing worse.
        "magic" | "d" => Role::Plain,
        // A load or store kind: the interpreter maps every value to some access.
        "kind" => Role::Plain,
        // A tail call's argument cells: the verifier checks them against the frame, and the
        // loader against the callee's type (`check_instr`).
        "params" => Role::Plain,
        _ => return None,
    })
}

/// The module's number of each kind of entity, by [`Role`].
struct EntityCounts([usize; Role::Plain as usize]);

impl EntityCounts {
    fn of(info: &ModuleInfo) -> Self {
        let mut counts = [0; Role::Plain as usize];
        for (role, count) in [
            (Role::Func, info.funcs.len()),
            (Role::Global, info.globals.len()),
            (Role::Table, info.tables.len()),
            (Role::Type, info.types.len()),
            (Role::Data, info.datas.len()),
            (Role::Elem, info.elems.len()),
            (Role::Memory, info.memories.len()),
            (Role::Tag, info.tags.len()),
            (Role::Shift, 32),
        ] {
            counts[role as usize] = count;
        }
        EntityCounts(counts)
    }
}

/// The load-time checks of each instruction, run by the decoder of its kind as it is decoded:
/// the frame's ([`FrameCheck`]), that every entity an operand names exists in the module (the
/// interpreter indexes the instance's tables of them without a check), and [`check_instr`].
/// Like `FrameCheck`, the operand checks only note that one failed (`bad_index`); `finish`
/// then names it, out of line.
struct LoadCheck<'a> {
    info: &'a ModuleInfo,
    counts: &'a EntityCounts,
    frame: FrameCheck,
    /// Whether an operand of this instruction names an entity outside the module.
    bad_index: bool,
    /// Whether a store instruction was seen (`ModuleInner::stores_to_memory`).
    stores: bool,
}

impl LoadCheck<'_> {
    /// For an index operand outside the module, its role and the module's count of them.
    #[inline(always)]
    fn index_outside(&self, name: &str, value: u32) -> Option<(Role, usize)> {
        // `name` is a constant in each kind's decoder, and so is its role.
        let role = role(name).unwrap_or(Role::Unclassified);
        let count = match role {
            Role::Plain => return None,
            Role::Unclassified => 0,
            role => self.counts.0[role as usize],
        };
        (value as usize >= count).then_some((role, count))
    }

    /// Which index operand of `instr` is outside the module, the first in operand order; where.
    #[cold]
    #[inline(never)]
    fn index_problem(&mut self, instr: &Instr) -> String {
        self.bad_index = false;
        struct First<'a, 'b> {
            check: &'a LoadCheck<'b>,
            first: Option<String>,
        }
        impl OperandVisitor for First<'_, '_> {
            fn operand<T: Operand>(&mut self, name: &'static str, op: &T) {
                let outside = op
                    .as_index()
                    .and_then(|v| Some((v, self.check.index_outside(name, v)?)));
                if let (None, Some((value, (role, count)))) = (&self.first, outside) {
                    let what = role.noun();
                    self.first = Some(format!("{what} {value} ({name}) out of range 0..{count}"));
                }
            }
        }
        let mut first = First {
            check: self,
            first: None,
        };
        instr.visit_operands_with(&mut first);
        let problem = first.first.unwrap_or_default();
        format!(
            "instruction {} ({}): {problem}",
            self.frame.at,
            instr.mnemonic()
        )
    }
}

impl OperandVisitor for LoadCheck<'_> {
    // Forced only when optimized: unoptimized, each of ~700 decoders would keep a copy.
    #[cfg_attr(debug_assertions, inline)]
    #[cfg_attr(not(debug_assertions), inline(always))]
    fn operand<T: Operand>(&mut self, name: &'static str, op: &T) {
        self.frame.operand(name, op);
        if let Some(value) = op.as_index() {
            self.bad_index |= self.index_outside(name, value).is_some();
        }
    }
}

impl serial::Check for LoadCheck<'_> {
    // Forced only when optimized: unoptimized, each of ~700 decoders would keep a copy.
    #[cfg_attr(debug_assertions, inline)]
    #[cfg_attr(not(debug_assertions), inline(always))]
    fn start(&mut self, at: usize) {
        self.frame.at = at;
    }

    #[inline(always)]
    fn finish(&mut self, instr: &Instr) -> Result<(), String> {
        self.frame.finish(instr)?;
        // Before `check_instr`, which indexes the module's globals.
        if self.bad_index {
            return Err(self.index_problem(instr));
        }
        // A constant in each kind's decoder.
        self.stores |= instr.writes_memory();
        check_instr(self.info, instr)
            .map_err(|m| format!("instruction {} ({}): {m}", self.frame.at, instr.mnemonic()))
    }
}

/// Checks what the operand checks cannot: the type and mutability of the globals `instr`
/// names, that bulk memory instructions have a memory, and that a tail call moves as many
/// cells as its callee takes. Inlined into each kind's decoder, where it folds to the kind's arm.
#[inline(always)]
fn check_instr(info: &ModuleInfo, instr: &Instr) -> Result<(), String> {
    let global = |g: u32, v128: bool, set: bool| {
        let ty = &info.globals[g as usize];
        if (ty.content == ValType::V128) != v128 {
            Err(format!("global {g} has type {:?}", ty.content))
        } else if set && !ty.mutable {
            Err(format!("global {g} is immutable"))
        } else {
            Ok(())
        }
    };
    match *instr {
        Instr::GlobalGet { global: g, .. } => global(g, false, false),
        Instr::GlobalSet { global: g, .. } => global(g, false, true),
        Instr::V128GlobalGet { global: g, .. } => global(g, true, false),
        Instr::V128GlobalSet { global: g, .. } => global(g, true, true),
        Instr::ReturnCall { func, params, .. } => {
            match info.func_type(func).map(|t| t.param_cells()) {
                Some(cells) if cells == u32::from(params) => Ok(()),
                _ => Err(format!(
                    "return_call of function {func} moves {params} cells"
                )),
            }
        }
        // The payload a `throw` copies is what its tag's catch clauses write back.
        Instr::Throw { tag, params, .. } => {
            let ty = info
                .tags
                .get(tag as usize)
                .and_then(|&t| info.types.get(t as usize));
            match ty.map(|t| t.param_cells()) {
                Some(cells) if cells == u32::from(params) => Ok(()),
                _ => Err(format!("throw of tag {tag} with {params} cells")),
            }
        }
        Instr::ReturnCallIndirect {
            type_index, params, ..
        }
        | Instr::ReturnCallRef {
            type_index, params, ..
        } => match info.types.get(type_index as usize).map(|t| t.param_cells()) {
            Some(cells) if cells == u32::from(params) => Ok(()),
            _ => Err(format!(
                "return_call_indirect of type {type_index} moves {params} cells"
            )),
        },
        _ => Ok(()),
    }
}

/// The switches of `config` that change what the translator emits, by name: the header
/// records them as bits, so a mismatch can say which differ.
fn settings(config: &Config) -> Vec<(&'static str, bool)> {
    let opts = config.optimizations;
    let mut v: Vec<(&'static str, bool)> = (crate::Optimizations::NAMES.iter())
        .map(|&name| (name, opts.without(name) != Some(opts)))
        .collect();
    v.extend([
        ("consume_fuel", config.consume_fuel),
        ("interruptible", config.interruptible),
        ("keep_source_map", config.keep_source_map),
        ("simd", config.features.simd),
        ("relaxed_simd", config.features.relaxed_simd),
        ("exceptions", config.features.exceptions),
    ]);
    v
}

fn settings_bits(config: &Config) -> u32 {
    (settings(config).iter().enumerate()).fold(0, |bits, (i, (_, on))| bits | (*on as u32) << i)
}

/// A hash of every translation-relevant part of `config`, by its `Debug` form: a field added
/// to `Optimizations` or `Features` changes it even before `settings` names it. It covers the
/// instruction set too (`instruction_set`): bytecode from a build whose instructions differ
/// (another table under the same crate version) would otherwise decode under shifted tags.
fn fingerprint(config: &Config) -> u64 {
    let text = format!(
        "{:?} {:?} fuel={} interruptible={} source_map={} instrs={:016x}",
        config.optimizations,
        config.features,
        config.consume_fuel,
        config.interruptible,
        config.keep_source_map,
        instruction_set()
    );
    checksum(text.as_bytes())
}

/// A hash of the instruction table in tag order: each kind's mnemonic and operand names.
fn instruction_set() -> u64 {
    static HASH: OnceLock<u64> = OnceLock::new();
    *HASH.get_or_init(|| {
        let text: String = (Instr::catalogue().iter())
            .map(|(name, operands, _)| format!("{name}({});", operands.join(",")))
            .collect();
        checksum(text.as_bytes())
    })
}

/// A 64-bit checksum of eight interleaved lanes: the `i`th aligned eight-byte word of each
/// 64-byte block goes to lane `i`, then the lanes are folded together and the words after the
/// last whole block, and the last bytes, are taken into the result one at a time. Each step,
/// `h = rotl((h ^ word) * K, 31)` with `K` odd, is a bijection of `h` for a given word and of
/// the word for a given `h`, and so is each fold of a lane into the result; so changing any one
/// word (any number of bit flips within eight aligned bytes) always changes the result, and
/// other damage goes unnoticed with probability about 2^-64. Eight lanes, so that a step's
/// latency (a multiplication and two one-cycle operations) is hidden behind seven others: the
/// loop runs at the multiplier's throughput, one word a cycle (four lanes took a sixth of a
/// lazy load).
pub(crate) fn checksum(bytes: &[u8]) -> u64 {
    const K: u64 = 0x9e37_79b9_7f4a_7c15;
    let step = |h: u64, w: &[u8]| {
        let w = w.try_into().map_or(0, u64::from_le_bytes);
        (h ^ w).wrapping_mul(K).rotate_left(31)
    };
    let seed = 0x243f_6a88_85a3_08d3 ^ bytes.len() as u64;
    let mut lanes: [u64; 8] = std::array::from_fn(|i| seed ^ i as u64);
    let mut blocks = bytes.chunks_exact(64);
    for block in &mut blocks {
        for (h, w) in lanes.iter_mut().zip(block.chunks_exact(8)) {
            *h = step(*h, w);
        }
    }
    let mut h = lanes[0];
    for lane in &lanes[1..] {
        h = step(h, &lane.to_le_bytes());
    }
    let mut words = blocks.remainder().chunks_exact(8);
    for w in &mut words {
        h = step(h, w);
    }
    let rest = words.remainder();
    let mut tail = [0u8; 8];
    tail[..rest.len()].copy_from_slice(rest);
    h = (h ^ u64::from_le_bytes(tail)).wrapping_mul(K);
    h ^ h >> 32
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every integer field of every instruction has a role, so the loader checks each index.
    #[test]
    fn every_integer_operand_has_a_role() {
        for instr in Instr::examples() {
            instr.visit_operands(|name, op| {
                if op.as_index().is_some() {
                    assert!(role(name).is_some(), "{}: {name}", instr.mnemonic());
                }
            });
        }
    }

    /// Over whole blocks (each lane), the words after them and the last bytes.
    #[test]
    fn a_changed_word_always_changes_the_checksum() {
        let data: Vec<u8> = (0..=140u8).collect();
        let sum = checksum(&data);
        for i in 0..data.len() {
            for bit in 0..8 {
                let mut d = data.clone();
                d[i] ^= 1 << bit;
                assert_ne!(checksum(&d), sum, "byte {i} bit {bit}");
            }
        }
        assert_ne!(checksum(&data[..140]), sum);
        // Words that swap places between lanes.
        let mut swapped = data.clone();
        swapped.copy_within(0..8, 8);
        swapped[..8].copy_from_slice(&data[8..16]);
        assert_ne!(checksum(&swapped), sum);
    }
}
