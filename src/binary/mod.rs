//! Decoding the binary format: bytes → [`ModuleInfo`].
//!
//! One function per section, driven by one loop that checks section order and sizes. Function
//! bodies are not decoded here: they stay byte ranges, and [`OperatorReader`] walks them while
//! the validator and translator run.

mod module_info;
mod operator;

pub use module_info::*;
pub use operator::*;

use crate::error::DecodeError;

/// Decodes a whole module. Function bodies are only framed (locals and code range), not decoded.
pub fn decode(bytes: &[u8]) -> Result<ModuleInfo, DecodeError> {
    let _ = bytes;
    todo!("decoder")
}

/// Reads the instructions of a function body or constant expression one at a time.
pub struct OperatorReader<'a> {
    bytes: &'a [u8],
    pos: usize,
    /// Absolute offset of `bytes[0]` in the module, for error messages.
    base: usize,
}

impl<'a> OperatorReader<'a> {
    /// `bytes` are the instructions; `base` is their absolute offset within the module.
    pub fn new(bytes: &'a [u8], base: usize) -> Self {
        Self {
            bytes,
            pos: 0,
            base,
        }
    }

    /// Absolute offset of the next instruction.
    pub fn offset(&self) -> usize {
        self.base + self.pos
    }

    /// Whether all bytes have been consumed.
    pub fn is_empty(&self) -> bool {
        self.pos >= self.bytes.len()
    }

    /// Decodes the next instruction. Fails with "unexpected end" (or the spec's message for the
    /// malformation) instead of reading past the end.
    pub fn read(&mut self) -> Result<Operator, DecodeError> {
        todo!("operator decoding")
    }
}
