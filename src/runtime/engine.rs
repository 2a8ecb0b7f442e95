//! Engine-wide configuration.

use std::sync::{Arc, OnceLock};

/// Limits and translation options shared by every module and store of an [`Engine`].
#[derive(Clone, Debug)]
pub struct Config {
    pub(crate) max_call_depth: usize,
    pub(crate) max_register_stack: usize,
    pub(crate) max_memory_pages: u32,
    pub(crate) max_table_elements: u32,
    pub(crate) verify_bytecode: bool,
    pub(crate) optimizations: Optimizations,
    pub(crate) keep_source_map: bool,
    pub(crate) consume_fuel: bool,
    pub(crate) compilation_mode: CompilationMode,
    pub(crate) dispatch: crate::exec::Dispatch,
    pub(crate) interruptible: bool,
    pub(crate) max_instances: usize,
    pub(crate) max_memories: usize,
    pub(crate) max_tables: usize,
    pub(crate) features: crate::validate::Features,
}

/// When function bodies are validated and translated to bytecode.
///
/// Whatever the mode, `Module::new` decodes the whole module and checks every module-level
/// rule (types, imports, exports, segments, the code section's framing); the modes differ only
/// in what happens to each function body.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum CompilationMode {
    /// Every body validated and translated in `Module::new`.
    #[default]
    Eager,
    /// Every body validated in `Module::new`, translated on its function's first call. A
    /// module is accepted or rejected exactly as under `Eager`.
    LazyTranslation,
    /// Every body validated and translated on its function's first call: `Module::new` does
    /// only the module-level work, so start-up no longer grows with the amount of code.
    ///
    /// This departs from the specification, which is why it is opt-in: a module with an
    /// invalid body is accepted, instantiates and runs until that function is first called
    /// (by the host, by Wasm, through a table or as the start function). That call fails with
    /// the validation error, an [`Error::Invalid`](crate::Error::Invalid) whose
    /// [`ValidationError::func`](crate::ValidationError::func) names the function (or an
    /// [`Error::Malformed`](crate::Error::Malformed) naming it, for a body whose instructions
    /// do not decode), and so does every later call of it. Code that ran before that call
    /// is not undone. Use it for trusted or already validated modules whose start-up time
    /// matters; the result of running a module can differ from another engine's only for an
    /// invalid module, which every other mode rejects.
    ///
    /// ```
    /// use regwasm::{CompilationMode, Config, Engine, Error, Linker, Module, Store};
    /// let mut config = Config::default();
    /// config.compilation_mode(CompilationMode::Lazy);
    /// let engine = Engine::new(&config);
    /// let wat = r#"(module
    ///     (func (export "ok") (result i32) i32.const 1)
    ///     (func (export "bad") (result i32) i64.const 1))"#;
    /// let module = Module::new(&engine, wat)?; // `Eager` would reject it here
    /// let mut store = Store::new(&engine, ());
    /// let instance = Linker::new(&engine).instantiate(&mut store, &module)?;
    /// let ok = instance.get_typed_func::<(), i32>(&store, "ok")?;
    /// assert_eq!(ok.call(&mut store, ())?, 1);
    /// let bad = instance.get_typed_func::<(), i32>(&store, "bad")?;
    /// match bad.call(&mut store, ()) {
    ///     Err(Error::Invalid(e)) => assert_eq!(e.func, Some(1)),
    ///     other => panic!("{other:?}"),
    /// }
    /// # Ok::<(), regwasm::Error>(())
    /// ```
    Lazy,
}

/// Switches for the translator's optimizations, all on by default. Each can be turned off to
/// measure what it does (see docs/translation.md); the bytecode stays correct either way.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Optimizations {
    /// `local.get` emits nothing: consumers read the local's register directly.
    pub lazy_locals: bool,
    /// Constants are folded into instructions with an immediate operand (`i32.add_imm`) instead
    /// of being loaded into a register first.
    pub immediates: bool,
    /// A comparison or `eqz` feeding `br_if`/`if` fuses into one compare-and-branch; one
    /// feeding `select`, or a flag test (`and` with a constant), into the `select`. A
    /// `br_if` on a value just loaded takes the load (`i32.load_br_if_nez`,
    /// `i32.load8_u_br_if_nez`, `i32.load8_u_idx_br_if_nez`).
    pub fused_branches: bool,
    /// `local.set` rewrites the instruction that produced the value to write the local
    /// directly, instead of emitting a copy.
    pub result_retargeting: bool,
    /// Two copies in a row become one `copy2` (local-to-local moves often come in runs), a
    /// copy or `copy2` just before a `call` goes into it (`call_copy`, `call_copy2`), and a
    /// copy just before a `br`, `br_if_nez` or `br_if_eqz` goes into it (`copy_br`,
    /// `copy_br_if_nez`, `copy_br_if_eqz`), and a copy before a 32-bit load through the
    /// copied local into the load (`i32.load_copy`).
    pub copy_pairs: bool,
    /// A jump to a return becomes that return, and `copy x←y; return_reg x` becomes
    /// `return_reg y` (a pass over the finished function).
    pub jump_threading: bool,
    /// A loop counter's step and the fused branch on it, `x = x + s; br_if_<cmp> x n`, become
    /// one `add_br_if_<cmp>` (a pass over the finished function; `i32` only); against a
    /// constant, `br_if_i32.ne_imm`, one `add_imm_br_if_i32.ne_imm`, or with a second step
    /// before it `add_imm_pair_br_if_i32.ne_imm`. Two steps in a row are one `i32.add_imm_pair`.
    /// A next value computed into another register while the current one is tested
    /// (`dst = x + s; br_if x != n`) is one `next_br_if_i32.ne`.
    pub counter_branches: bool,
    /// An `i32.add` computing a load's or store's address fuses into it: `i32.load dst [a + b]`
    /// in one instruction (`i32.load_idx`).
    pub indexed_memory: bool,
    /// An `add` of a `mul`'s result fuses with it: `dst = c + a * b` in one instruction
    /// (`i32`/`i64` wrapping; `f32`/`f64` rounded twice, exactly like the two instructions);
    /// so does a `sub` of it, `dst = c - a * b` (`mul_sub`).
    pub multiply_add: bool,
    /// A shift or rotate by a constant fuses into the operation that uses its result with a
    /// constant or another value: `(x >> k) & m` is one `i32.shr_u_and_imm`, `(x << k) + c`
    /// one `i32.shl_add_imm` (an array element's address), `y ^ rotl(x, k)` one
    /// `i32.xor_rotl_imm`, `y ^ (x >> k)` one `i32.xor_shr_u_imm`.
    pub bit_fusions: bool,
    /// A plain load whose value is the right operand of the arithmetic instruction just after
    /// it (or either operand, when the operation commutes) fuses into that instruction:
    /// `dst = a + load(addr + offset)` in one (`f64.add_load`; add, sub, mul and the bitwise
    /// operations of `i32`/`i64`, add, sub, mul and div of `f32`/`f64`). A float sum stored
    /// right back to the place it loaded from (`*p += x`) takes the store too
    /// (`f64.add_load_store`).
    pub load_operands: bool,
    /// An instruction reading the value the instruction just before it computed takes it from
    /// the accumulator, a machine register of the interpreter, instead of from the frame
    /// (`i32.add_acc`): no store-then-load round trip through memory between the two (a pass
    /// over the finished function).
    pub accumulator: bool,
    /// A `throw` that a `try_table` of the same function is certain to catch with a `catch`
    /// or `catch_all` (no exception reference) becomes a branch to the clause's label, its
    /// payload the branch's values: no exception is made and the run never leaves the loop.
    pub static_throws: bool,
    /// An unsigned `i32` division or remainder by a constant is done without a division: a
    /// shift or a mask for a power of two, else a multiplication by the constant's reciprocal
    /// (`i32.div_u_const`, `i32.rem_u_const`).
    pub constant_division: bool,
}

impl Default for Optimizations {
    fn default() -> Self {
        Self::all()
    }
}

impl Optimizations {
    /// Every optimization on.
    pub fn all() -> Self {
        Self {
            lazy_locals: true,
            immediates: true,
            fused_branches: true,
            result_retargeting: true,
            copy_pairs: true,
            jump_threading: true,
            counter_branches: true,
            indexed_memory: true,
            multiply_add: true,
            bit_fusions: true,
            load_operands: true,
            accumulator: true,
            static_throws: true,
            constant_division: true,
        }
    }

    /// The switches' names, as [`Optimizations::without`] takes them.
    pub const NAMES: [&'static str; 14] = [
        "lazy_locals",
        "immediates",
        "fused_branches",
        "result_retargeting",
        "copy_pairs",
        "jump_threading",
        "counter_branches",
        "indexed_memory",
        "multiply_add",
        "bit_fusions",
        "load_operands",
        "accumulator",
        "static_throws",
        "constant_division",
    ];

    /// These optimizations with the one called `name` off (`"all"` turns every one off);
    /// `None` for an unknown name.
    pub fn without(mut self, name: &str) -> Option<Self> {
        match name {
            "lazy_locals" => self.lazy_locals = false,
            "immediates" => self.immediates = false,
            "fused_branches" => self.fused_branches = false,
            "result_retargeting" => self.result_retargeting = false,
            "copy_pairs" => self.copy_pairs = false,
            "jump_threading" => self.jump_threading = false,
            "counter_branches" => self.counter_branches = false,
            "indexed_memory" => self.indexed_memory = false,
            "multiply_add" => self.multiply_add = false,
            "bit_fusions" => self.bit_fusions = false,
            "load_operands" => self.load_operands = false,
            "accumulator" => self.accumulator = false,
            "static_throws" => self.static_throws = false,
            "constant_division" => self.constant_division = false,
            "all" => return Some(Self::none()),
            _ => return None,
        }
        Some(self)
    }

    /// Named configurations that show what each optimization does: all on, all off, then each
    /// one off alone (`"no lazy_locals"`, …).
    pub fn ablations() -> Vec<(String, Optimizations)> {
        let mut v = vec![
            ("all on".to_string(), Self::all()),
            ("all off".to_string(), Self::none()),
        ];
        for name in Self::NAMES {
            let opts = Self::all().without(name).expect("a known name");
            v.push((format!("no {name}"), opts));
        }
        v
    }

    /// Every optimization off: the plain one-register-per-stack-slot translation.
    pub fn none() -> Self {
        Self {
            lazy_locals: false,
            immediates: false,
            fused_branches: false,
            result_retargeting: false,
            copy_pairs: false,
            jump_threading: false,
            counter_branches: false,
            indexed_memory: false,
            multiply_add: false,
            bit_fusions: false,
            load_operands: false,
            accumulator: false,
            static_throws: false,
            constant_division: false,
        }
    }
}

impl Default for Config {
    fn default() -> Self {
        Self {
            max_call_depth: 16 * 1024,
            max_register_stack: 1024 * 1024,
            max_memory_pages: 65536,
            max_table_elements: 10_000_000,
            verify_bytecode: true,
            optimizations: Optimizations::all(),
            keep_source_map: false,
            consume_fuel: false,
            compilation_mode: CompilationMode::Eager,
            dispatch: crate::exec::Dispatch::default(),
            interruptible: false,
            max_instances: 10_000,
            max_memories: 10_000,
            max_tables: 10_000,
            features: crate::validate::Features::default(),
        }
    }
}

impl Config {
    /// Most nested Wasm calls before the "call stack exhausted" trap.
    pub fn max_call_depth(&mut self, depth: usize) -> &mut Self {
        self.max_call_depth = depth;
        self
    }

    /// Largest size in 64-bit cells of the register stack shared by all frames of one call
    /// (it starts small and grows on demand up to this).
    pub fn max_register_stack(&mut self, cells: usize) -> &mut Self {
        self.max_register_stack = cells;
        self
    }

    /// Upper bound on any memory's size in 64 KiB pages (at most 65536).
    pub fn max_memory_pages(&mut self, pages: u32) -> &mut Self {
        self.max_memory_pages = pages.min(65536);
        self
    }

    /// Check every translated function against the invariants the interpreter relies on
    /// (registers inside the frame, jumps inside the code), which it then trusts without
    /// checking them again. On by default, in every build: it costs a few percent of
    /// translation time (`docs/performance.md`). A failure is a translator bug, reported as
    /// [`Error::Internal`](crate::Error::Internal) naming the function, instead of a module
    /// that could make the interpreter read outside its frame.
    pub fn verify_bytecode(&mut self, on: bool) -> &mut Self {
        self.verify_bytecode = on;
        self
    }

    /// Record, for every bytecode instruction, the offset of the Wasm instruction it came from
    /// (`CompiledFunc::source_map`), for disassembly next to the Wasm code. Off by default:
    /// it costs 4 bytes per instruction.
    pub fn keep_source_map(&mut self, on: bool) -> &mut Self {
        self.keep_source_map = on;
        self
    }

    /// How the interpreter goes from one instruction to the next: threaded handlers (the
    /// default where the build supports them) or the portable `match` loop. Both run the same
    /// bytecode and pass the same tests; see [`Dispatch`](crate::Dispatch).
    ///
    /// ```
    /// use regwasm::{Config, Dispatch, Engine};
    /// let mut config = Config::default();
    /// config.dispatch(Dispatch::Loop);
    /// let engine = Engine::new(&config);
    /// # let _ = engine;
    /// ```
    pub fn dispatch(&mut self, dispatch: crate::exec::Dispatch) -> &mut Self {
        self.dispatch = dispatch;
        self
    }

    /// Accept 128-bit SIMD (the `v128` type and its instructions; on by default, as in
    /// WebAssembly 2.0). Off, a module using it fails validation with a message naming the
    /// feature.
    ///
    /// ```
    /// use regwasm::{Config, Engine, Module};
    /// let mut config = Config::default();
    /// config.simd(false);
    /// let engine = Engine::new(&config);
    /// let err = Module::new(&engine, "(module (func (drop (v128.const i64x2 0 0))))").unwrap_err();
    /// assert!(err.to_string().contains("simd"));
    /// ```
    pub fn simd(&mut self, on: bool) -> &mut Self {
        self.features.simd = on;
        self
    }

    /// Accept relaxed SIMD (WebAssembly 3.0; on by default; needs [`Config::simd`]). Each
    /// relaxed instruction has one deterministic behaviour here: see docs/simd.md.
    pub fn relaxed_simd(&mut self, on: bool) -> &mut Self {
        self.features.relaxed_simd = on;
        self
    }

    /// Accept the wide-arithmetic instructions (`i64.add128`, `i64.sub128`,
    /// `i64.mul_wide_s/u`; on by default).
    pub fn wide_arithmetic(&mut self, on: bool) -> &mut Self {
        self.features.wide_arithmetic = on;
        self
    }

    /// Accept tail calls, `return_call` and `return_call_indirect` (WebAssembly 3.0; on by
    /// default). A tail call replaces the caller's frame with the callee's, so tail recursion
    /// runs in constant space. Off, a module using them fails validation with a message naming
    /// the feature.
    ///
    /// ```
    /// use regwasm::{Config, Engine, Module};
    /// let mut config = Config::default();
    /// config.tail_call(false);
    /// let engine = Engine::new(&config);
    /// let err = Module::new(&engine, "(module (func $f (return_call $f)))").unwrap_err();
    /// assert!(err.to_string().contains("tail-call"));
    /// ```
    pub fn tail_call(&mut self, on: bool) -> &mut Self {
        self.features.tail_call = on;
        self
    }

    /// Accept extended constant expressions: `i32.add`, `i32.sub`, `i32.mul` and their `i64`
    /// forms in global initializers and segment offsets (WebAssembly 3.0; on by default). Off,
    /// a module using them fails validation with a message naming the feature.
    ///
    /// ```
    /// use regwasm::{Config, Engine, Module};
    /// let mut config = Config::default();
    /// config.extended_const(false);
    /// let engine = Engine::new(&config);
    /// let wat = "(module (global i32 (i32.add (i32.const 1) (i32.const 2))))";
    /// let err = Module::new(&engine, wat).unwrap_err();
    /// assert!(err.to_string().contains("extended-const"));
    /// ```
    pub fn extended_const(&mut self, on: bool) -> &mut Self {
        self.features.extended_const = on;
        self
    }

    /// Accept more than one memory and memory indices on memory instructions and data
    /// segments (WebAssembly 3.0; on by default). Off, a module with two memories fails
    /// validation with a message naming the feature.
    ///
    /// ```
    /// use regwasm::{Config, Engine, Module};
    /// let mut config = Config::default();
    /// config.multi_memory(false);
    /// let engine = Engine::new(&config);
    /// let err = Module::new(&engine, "(module (memory 1) (memory 1))").unwrap_err();
    /// assert!(err.to_string().contains("multi-memory"));
    /// ```
    pub fn multi_memory(&mut self, on: bool) -> &mut Self {
        self.features.multi_memory = on;
        self
    }

    /// Accept memories and tables with 64-bit addresses and indices (memory64, WebAssembly
    /// 3.0; on by default). Off, a module declaring one fails validation naming the feature.
    ///
    /// ```
    /// use regwasm::{Config, Engine, Module};
    /// let mut config = Config::default();
    /// config.memory64(false);
    /// let engine = Engine::new(&config);
    /// let err = Module::new(&engine, "(module (memory i64 1))").unwrap_err();
    /// assert!(err.to_string().contains("memory64"));
    /// ```
    pub fn memory64(&mut self, on: bool) -> &mut Self {
        self.features.memory64 = on;
        self
    }

    /// Accept memories with a custom page size of one byte (`(pagesize 1)`). Off by default:
    /// custom-page-sizes is a proposal, not part of WebAssembly 3.0. Off, a module declaring
    /// one fails validation naming the feature.
    pub fn custom_page_sizes(&mut self, on: bool) -> &mut Self {
        self.features.custom_page_sizes = on;
        self
    }

    /// Accept typed function references (WebAssembly 3.0; on by default): reference types
    /// such as `(ref $t)` and `(ref null extern)` beyond `funcref` and `externref`, `call_ref`,
    /// `return_call_ref`, `ref.as_non_null`, `br_on_null` and `br_on_non_null`. Off, a module
    /// using them fails validation with a message naming the feature.
    ///
    /// ```
    /// use regwasm::{Config, Engine, Module};
    /// let mut config = Config::default();
    /// config.function_references(false);
    /// let engine = Engine::new(&config);
    /// let wat = "(module (func (param (ref func))))";
    /// let err = Module::new(&engine, wat).unwrap_err();
    /// assert!(err.to_string().contains("function-references"));
    /// ```
    pub fn function_references(&mut self, on: bool) -> &mut Self {
        self.features.function_references = on;
        self
    }

    /// Accept exception handling: tags, `exnref`, `throw`, `throw_ref` and `try_table`
    /// (WebAssembly 3.0; on by default). Off, a module using them fails validation with a
    /// message naming the feature.
    ///
    /// ```
    /// use regwasm::{Config, Engine, Module};
    /// let mut config = Config::default();
    /// config.exceptions(false);
    /// let engine = Engine::new(&config);
    /// let err = Module::new(&engine, "(module (tag $e) (func (throw $e)))").unwrap_err();
    /// assert!(err.to_string().contains("exceptions"));
    /// ```
    pub fn exceptions(&mut self, on: bool) -> &mut Self {
        self.features.exceptions = on;
        self
    }

    /// When function bodies are validated and translated: all in `Module::new` (the default),
    /// validated there and translated on each function's first call, or both on the first
    /// call (see [`CompilationMode`]; only `Lazy` accepts a module with an invalid body).
    pub fn compilation_mode(&mut self, mode: CompilationMode) -> &mut Self {
        self.compilation_mode = mode;
        self
    }

    /// Meter execution with fuel: every basic block charges its instruction count when it
    /// starts (one check per block, precomputed by the translator). A call that runs out is
    /// suspended (`Func::call_resumable`) or traps with `TrapCode::OutOfFuel` (`Func::call`).
    /// Stores start with no fuel: give some with `Store::set_fuel`.
    pub fn consume_fuel(&mut self, on: bool) -> &mut Self {
        self.consume_fuel = on;
        self
    }

    /// Let running calls be stopped from another thread (`Store::interrupt_handle`) or by a
    /// deadline (`Store::set_deadline`): the translator puts a check (one relaxed atomic load)
    /// at every function entry and loop header.
    pub fn interruptible(&mut self, on: bool) -> &mut Self {
        self.interruptible = on;
        self
    }

    /// Most instances one store may hold; instantiating past it fails with `Error::Limit`.
    pub fn max_instances(&mut self, n: usize) -> &mut Self {
        self.max_instances = n;
        self
    }

    /// Most memories one store may hold.
    pub fn max_memories(&mut self, n: usize) -> &mut Self {
        self.max_memories = n;
        self
    }

    /// Most tables one store may hold.
    pub fn max_tables(&mut self, n: usize) -> &mut Self {
        self.max_tables = n;
        self
    }

    /// Which translator optimizations to apply.
    pub fn optimizations(&mut self, optimizations: Optimizations) -> &mut Self {
        self.optimizations = optimizations;
        self
    }

    /// Upper bound on any table's size in elements.
    pub fn max_table_elements(&mut self, elements: u32) -> &mut Self {
        self.max_table_elements = elements;
        self
    }
}

/// Shared configuration for compiling modules and running them. Cheap to clone.
#[derive(Clone, Debug, Default)]
pub struct Engine {
    config: Arc<Config>,
    /// What a precompiled module's header must record for `config` (its settings bits and
    /// fingerprint), computed on the engine's first load: it formats and hashes the whole
    /// configuration, which costs as much as loading a small module.
    pub(crate) precompiled_key: OnceLock<(u32, u64)>,
}

impl Engine {
    /// An engine compiling and running modules with `config`.
    pub fn new(config: &Config) -> Self {
        Self {
            config: Arc::new(config.clone()),
            precompiled_key: OnceLock::new(),
        }
    }

    /// The engine's configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }
}
