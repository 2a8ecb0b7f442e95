//! Engine-wide configuration.

use std::sync::Arc;

/// Limits and translation options shared by every module and store of an [`Engine`].
#[derive(Clone, Debug)]
pub struct Config {
    pub(crate) max_call_depth: usize,
    pub(crate) max_register_stack: usize,
    pub(crate) max_memory_pages: u32,
    pub(crate) max_table_elements: u32,
    pub(crate) verify_bytecode: bool,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            max_call_depth: 16 * 1024,
            max_register_stack: 1024 * 1024,
            max_memory_pages: 65536,
            max_table_elements: 10_000_000,
            verify_bytecode: cfg!(debug_assertions),
        }
    }
}

impl Config {
    /// Most nested Wasm calls before the "call stack exhausted" trap.
    pub fn max_call_depth(&mut self, depth: usize) -> &mut Self {
        self.max_call_depth = depth;
        self
    }

    /// Size in 64-bit cells of the register stack shared by all frames of one call.
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
    /// (registers inside the frame, jumps inside the code). On in debug builds; the spec suite
    /// turns it on always. A failure is reported as `Error::Limit` naming the function.
    pub fn verify_bytecode(&mut self, on: bool) -> &mut Self {
        self.verify_bytecode = on;
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
}

impl Engine {
    pub fn new(config: &Config) -> Self {
        Self {
            config: Arc::new(config.clone()),
        }
    }

    pub fn config(&self) -> &Config {
        &self.config
    }
}
