//! The `name` custom section (the spec's appendix "Name Section"): the module's name
//! (subsection 0) and function names (subsection 1), for trap backtraces.
//!
//! A custom section never makes a module malformed or invalid, so a broken name section is
//! ignored whole: [`decode_names`] returns no names, never an error. Other subsections (local
//! names, and the extended ones for labels, types, tables…) are skipped.

use super::reader::Reader;
use crate::error::DecodeError;

/// The names a module's `name` section gives.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Names {
    /// The module's own name (subsection 0).
    pub module: Option<String>,
    /// `(function index, name)`, sorted by index with no duplicates (subsection 1): the
    /// spec's name map, which it requires in increasing index order.
    pub funcs: Vec<(u32, String)>,
}

impl Names {
    /// The name of function `index` (in the function index space, imports first).
    pub fn func(&self, index: u32) -> Option<&str> {
        let at = self.funcs.binary_search_by_key(&index, |e| e.0).ok()?;
        Some(&self.funcs[at].1)
    }
}

/// Reads the contents of a `name` section (after its name) at absolute offset `base`; a
/// section that breaks the format in any way gives no names at all.
pub(super) fn decode_names(contents: &[u8], base: usize) -> Names {
    read_names(&mut Reader::new(contents, base)).unwrap_or_default()
}

fn read_names(r: &mut Reader<'_>) -> Result<Names, DecodeError> {
    let mut names = Names::default();
    let mut last_id = None;
    while !r.is_empty() {
        let id = r.u8()?;
        let size = r.len32()?;
        let end = r.offset() + size;
        // Subsections come at most once each, in increasing id order.
        if last_id.is_some_and(|last| id <= last) {
            return Err(DecodeError::new(
                "name subsections out of order",
                r.offset(),
            ));
        }
        last_id = Some(id);
        match id {
            0 => names.module = Some(r.name()?),
            1 => names.funcs = name_map(r)?,
            _ => r.seek(end)?,
        }
        if r.offset() != end {
            return Err(DecodeError::new(
                "name subsection size mismatch",
                r.offset(),
            ));
        }
    }
    Ok(names)
}

/// A name map: `(index, name)` pairs in strictly increasing index order.
fn name_map(r: &mut Reader<'_>) -> Result<Vec<(u32, String)>, DecodeError> {
    let map = r.vec(|r| Ok((r.u32()?, r.name()?)))?;
    if map.windows(2).any(|w| w[0].0 >= w[1].0) {
        return Err(DecodeError::new("name map out of order", r.offset()));
    }
    Ok(map)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A name section's contents from its subsections `(id, payload)`.
    fn contents(subsections: &[(u8, &[u8])]) -> Vec<u8> {
        let mut out = Vec::new();
        for (id, payload) in subsections {
            out.push(*id);
            out.push(payload.len() as u8);
            out.extend_from_slice(payload);
        }
        out
    }

    #[test]
    fn reads_module_and_function_names() {
        let bytes = contents(&[
            (0, b"\x03mod"),
            (1, b"\x02\x00\x01a\x02\x02bc"),
            (2, b"\x00"),
        ]);
        let names = decode_names(&bytes, 100);
        assert_eq!(names.module.as_deref(), Some("mod"));
        assert_eq!(names.func(0), Some("a"));
        assert_eq!(names.func(1), None);
        assert_eq!(names.func(2), Some("bc"));
    }

    #[test]
    fn malformed_sections_give_no_names() {
        let broken: [&[(u8, &[u8])]; 5] = [
            // The function name's length runs past the subsection.
            &[(1, b"\x01\x00\x09a")],
            // Not UTF-8.
            &[(0, b"\x01\xff")],
            // Indices out of order.
            &[(1, b"\x02\x02\x01a\x01\x01b")],
            // Subsections out of order.
            &[(1, b"\x00"), (0, b"\x01m")],
            // Bytes left over in a subsection.
            &[(0, b"\x01mX")],
        ];
        for subsections in broken {
            assert_eq!(decode_names(&contents(subsections), 0), Names::default());
        }
        // A truncated header, a huge count, nothing at all.
        for bytes in [&b"\x01"[..], b"\x01\x05\xff\xff\xff\xff\x0f", b""] {
            assert_eq!(decode_names(bytes, 0), Names::default());
        }
    }
}
