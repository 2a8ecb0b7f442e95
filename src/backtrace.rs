//! Trap backtraces: the Wasm call chain a trap happened in, newest frame first, as
//! [`Trap::backtrace`](crate::Trap::backtrace) returns it and the CLI prints it.
//!
//! Two steps, both off the path of code that does not trap. When a trap ends a run, the
//! interpreter records each frame as a function and an instruction index in its bytecode
//! ([`RawFrame`], see `exec/backtrace.rs`). Only when someone asks for the backtrace are those
//! turned into Wasm byte offsets and names ([`FrameInfo`]): the offsets through the translator's
//! source map, which is not kept but rebuilt by translating the function once more (see
//! [`source_map`] and docs/architecture.md, "Trap backtraces", for why).

use crate::runtime::Module;
use crate::translate;
use std::fmt;
use std::sync::{Arc, OnceLock};

/// One Wasm function's frame in a [`WasmBacktrace`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FrameInfo {
    /// The function's index in its module's function index space (imports first).
    pub func_index: u32,
    /// The function's name in the module's `name` section, when it has one.
    pub func_name: Option<String>,
    /// The module's own name in its `name` section, when it has one.
    pub module_name: Option<String>,
    /// Byte offset in the module binary of the instruction this frame stands at: the trapping
    /// instruction in the newest frame, the call in the others. `None` only if regwasm could
    /// not map the frame back to its Wasm code (a bug: the translator's source map is exact).
    pub module_offset: Option<usize>,
}

impl fmt::Display for FrameInfo {
    /// `module!function` as wasmtime writes it: `<unknown>` for a module without a name,
    /// `<wasm function N>` for a function without one.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.module_name.as_deref().unwrap_or("<unknown>"))?;
        match &self.func_name {
            Some(name) => write!(f, "!{name}"),
            None => write!(f, "!<wasm function {}>", self.func_index),
        }
    }
}

/// The Wasm frames live when a trap happened, newest first. Host functions are not listed: a
/// trap raised by a host function starts at the Wasm call that reached it, and a trap that
/// passes back out through a host function into the Wasm code that called it gets that code's
/// frames added below its own.
///
/// Its `Display` is wasmtime's layout, with each frame's byte offset in the module:
///
/// ```text
/// error while executing at wasm backtrace:
///     0:   0x2b - <unknown>!divide
///     1:   0x34 - <unknown>!<wasm function 1>
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WasmBacktrace {
    pub(crate) frames: Vec<FrameInfo>,
}

impl WasmBacktrace {
    /// The frames, newest (where the trap happened) first.
    pub fn frames(&self) -> &[FrameInfo] {
        &self.frames
    }
}

impl fmt::Display for WasmBacktrace {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "error while executing at wasm backtrace:")?;
        for (i, frame) in self.frames.iter().enumerate() {
            match frame.module_offset {
                Some(offset) => write!(f, "\n{i:>5}: {offset:>#7x} - {frame}")?,
                None => write!(f, "\n{i:>5}: {:>7} - {frame}", "?")?,
            }
        }
        Ok(())
    }
}

/// A frame as the interpreter records it: defined function `index` of `module` (imports not
/// counted), standing at instruction `instr` of its bytecode.
#[derive(Clone)]
pub(crate) struct RawFrame {
    pub(crate) module: Module,
    pub(crate) index: u32,
    pub(crate) instr: u32,
}

impl fmt::Debug for RawFrame {
    /// Without the module, which would print whole.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RawFrame(func {}, instr {})", self.index, self.instr)
    }
}

/// A trap's frames, resolved into a [`WasmBacktrace`] on first use.
#[derive(Debug, Default)]
pub(crate) struct LazyBacktrace {
    raw: Vec<RawFrame>,
    resolved: OnceLock<WasmBacktrace>,
}

impl LazyBacktrace {
    /// Adds `frames`, older than those it has.
    pub(crate) fn push(&mut self, frames: Vec<RawFrame>) {
        self.raw.extend(frames);
        self.resolved = OnceLock::new();
    }

    pub(crate) fn get(&self) -> &WasmBacktrace {
        self.resolved.get_or_init(|| resolve(&self.raw))
    }
}

/// Names and byte offsets for `raw`, translating each function met once more for its map.
fn resolve(raw: &[RawFrame]) -> WasmBacktrace {
    let mut maps: Vec<(&RawFrame, Option<Box<[u32]>>)> = Vec::new();
    let frames = raw.iter().map(|frame| {
        let same = |(f, _): &(&RawFrame, _)| {
            Arc::ptr_eq(&f.module.inner, &frame.module.inner) && f.index == frame.index
        };
        let at = match maps.iter().position(same) {
            Some(at) => at,
            None => {
                maps.push((frame, source_map(&frame.module, frame.index as usize)));
                maps.len() - 1
            }
        };
        let info = frame.module.info();
        let func_index = info.num_imported_funcs + frame.index;
        let map = maps[at].1.as_deref().unwrap_or_default();
        FrameInfo {
            func_index,
            func_name: info.names().func(func_index).map(String::from),
            module_name: info.names().module.clone(),
            module_offset: map.get(frame.instr as usize).map(|&o| o as usize),
        }
    });
    WasmBacktrace {
        frames: frames.collect(),
    }
}

/// Defined function `index`'s source map (each bytecode instruction's Wasm byte offset), by
/// translating it again with the map on. Translation is deterministic and the map changes
/// nothing else, so the code comes out the same as the code that ran; `None` if it does not
/// (never expected) or if the function is not translated (it cannot be on a backtrace then).
fn source_map(module: &Module, index: usize) -> Option<Box<[u32]>> {
    let ran = module.translated(index)?;
    let mut config = module.inner.config.clone();
    config.keep_source_map(true).verify_bytecode(false);
    let again = translate::compile_function(module.info(), None, index, &config).ok()?;
    let same = again.code == ran.code && again.source_map.len() == ran.code.len();
    debug_assert!(same, "translating function {index} again gave other code");
    same.then_some(again.source_map)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prints_like_wasmtime() {
        let frame = |func_index, func_name: Option<&str>, module_offset| FrameInfo {
            func_index,
            func_name: func_name.map(String::from),
            module_name: None,
            module_offset,
        };
        let mut bt = WasmBacktrace {
            frames: vec![
                frame(2, Some("divide"), Some(0x1a3)),
                frame(3, None, Some(0x1c0)),
                frame(4, None, None),
            ],
        };
        assert_eq!(
            bt.to_string(),
            "error while executing at wasm backtrace:\n    \
             0:   0x1a3 - <unknown>!divide\n    \
             1:   0x1c0 - <unknown>!<wasm function 3>\n    \
             2:       ? - <unknown>!<wasm function 4>"
        );
        bt.frames[0].module_name = Some("calc".into());
        assert_eq!(bt.frames[0].to_string(), "calc!divide");
    }

    /// What keeping the source map would cost, the alternative to rebuilding it at the trap
    /// (docs/architecture.md, "Trap backtraces"): on the benchmark workloads and a WASI
    /// program, the bytecode's
    /// size, the map as kept by `Config::keep_source_map` (4 bytes an instruction) and the map
    /// delta-encoded (a signed LEB128 of each offset's distance from the one before).
    /// `cargo test --lib source_map_cost -- --ignored --nocapture`
    #[test]
    #[ignore = "a measurement, not a check"]
    fn source_map_cost() {
        use crate::{Config, Engine};
        let mut paths: Vec<_> = std::fs::read_dir("benches/workloads")
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "wasm"))
            .collect();
        paths.sort();
        // A C program with its libc, for a module of some size.
        paths.push("tests/wasi/wasi_misc.wasm".into());
        let mut config = Config::default();
        config.keep_source_map(true);
        let engine = Engine::new(&config);
        println!("workload        instrs   code KiB  map KiB  delta KiB  delta B/instr");
        for path in paths {
            let module = Module::new(&engine, std::fs::read(&path).unwrap()).unwrap();
            let (mut instrs, mut delta) = (0usize, 0usize);
            for index in 0..module.inner.funcs.len() {
                let func = module.translated(index).unwrap();
                instrs += func.code.len();
                let mut prev = module.info().bodies[index].code.start as i64;
                for &offset in &func.source_map {
                    let mut d = offset as i64 - prev;
                    prev = offset as i64;
                    // Signed LEB128: 7 bits a byte.
                    delta += 1;
                    while !(-64..64).contains(&d) {
                        d >>= 7;
                        delta += 1;
                    }
                }
            }
            let kib = |bytes: usize| bytes as f64 / 1024.0;
            let name = path.file_name().unwrap().to_string_lossy();
            println!(
                "{name:<14} {instrs:>7} {:>10.1} {:>8.1} {:>10.1} {:>14.2}",
                kib(instrs * std::mem::size_of::<crate::bytecode::Op>()),
                kib(instrs * 4),
                kib(delta),
                delta as f64 / instrs as f64,
            );
        }
    }
}
