//! Decoding the binary format: bytes → [`ModuleInfo`].
//!
//! One function per section, driven by one loop that checks section order and sizes. Function
//! bodies are not decoded here: they stay byte ranges, and [`OperatorReader`] walks them while
//! the validator and translator run. Error messages start with the text the official spec tests
//! expect for each malformation.

mod code;
mod expr;
mod leb;
mod module_info;
mod names;
mod operator;
mod operators;
mod reader;
mod sections;
mod segments;
#[cfg(test)]
mod tests;

pub use module_info::*;
pub use names::Names;
pub use operator::*;
pub use operators::OperatorReader;

use crate::error::DecodeError;

/// Decodes a whole module. Function bodies are only framed (locals and code range), not decoded;
/// the decoder does check that each body's last byte is the `end` opcode.
pub fn decode(bytes: &[u8]) -> Result<ModuleInfo, DecodeError> {
    sections::decode_module(bytes)
}
