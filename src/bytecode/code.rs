//! A function's instructions, held in an allocation that may be shared with other functions.

use super::{Instr, Op};
use std::fmt;
use std::ops::{Deref, Range};
use std::sync::Arc;

/// The instructions of one function: an allocation of its own (a translated function), or a
/// range of an immutable allocation shared with other functions. An eagerly loaded
/// precompiled module puts many functions' code in one allocation, so that a load makes a few
/// large allocations rather than one per function (the allocator took about a sixth of a load).
///
/// Dereferences to the function's [`Op`]s; two `Code`s are equal when their instructions are.
/// The default is empty and allocates nothing.
#[derive(Clone)]
pub struct Code(Ops);

#[derive(Clone)]
enum Ops {
    Own(Box<[Op]>),
    /// `ops[start..end]`; `Code::shared` checks that the range exists.
    Shared {
        ops: Arc<[Op]>,
        start: usize,
        end: usize,
    },
}

impl Code {
    /// `range` of `ops`, or `None` if `ops` has no such range.
    fn shared(ops: &Arc<[Op]>, range: Range<usize>) -> Option<Code> {
        ops.get(range.clone())?;
        Some(Code(Ops::Shared {
            ops: Arc::clone(ops),
            start: range.start,
            end: range.end,
        }))
    }

    /// An allocation of `len` instructions for a loader to overwrite (each a `return`).
    fn blank(len: usize) -> Arc<[Op]> {
        std::iter::repeat_n(Op::new(Instr::Return {}), len).collect()
    }
}

impl Default for Code {
    fn default() -> Code {
        Code(Ops::Own(Box::default()))
    }
}

impl Deref for Code {
    type Target = [Op];

    #[inline]
    fn deref(&self) -> &[Op] {
        match &self.0 {
            Ops::Own(ops) => ops,
            Ops::Shared { ops, start, end } => ops.get(*start..*end).unwrap_or_default(),
        }
    }
}

impl FromIterator<Op> for Code {
    fn from_iter<I: IntoIterator<Item = Op>>(iter: I) -> Code {
        Code(Ops::Own(iter.into_iter().collect()))
    }
}

impl PartialEq for Code {
    fn eq(&self, other: &Code) -> bool {
        **self == **other
    }
}

impl fmt::Debug for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        (**self).fmt(f)
    }
}

/// Where a load decodes functions' code: allocations of at least [`Chunks::SIZE`] instructions,
/// each holding several functions. A load then makes a few allocations rather than one per
/// function, and each is filled and decoded into while it is in the cache (one allocation for
/// the whole module would be written twice from memory: filled, then decoded into).
pub(crate) struct Chunks {
    /// The chunks filled so far, the last one being filled.
    done: Vec<Arc<[Op]>>,
    /// Slots of the last chunk handed to a function.
    used: usize,
    /// The least instructions a new chunk holds.
    size: usize,
}

impl Chunks {
    /// Instructions per chunk of an eager load: 192 KiB, well within a core's second-level
    /// cache.
    pub(crate) const SIZE: usize = 8192;

    /// Chunks of at least `size` instructions (0: each function's code its own allocation).
    pub(crate) fn new(size: usize) -> Chunks {
        Chunks {
            done: Vec::new(),
            used: 0,
            size,
        }
    }

    /// `len` slots for a function's code, each a `return` to be overwritten, and where they are.
    pub(crate) fn take(&mut self, len: usize) -> Result<(&mut [Op], InChunk), String> {
        let room = self.done.last().map_or(0, |c| c.len() - self.used);
        if len > room {
            self.done.push(Code::blank(len.max(self.size)));
            self.used = 0;
        }
        let chunk = self.done.len() - 1;
        let range = self.used..self.used + len;
        self.used = range.end;
        let ops = (self.done.last_mut())
            .and_then(Arc::get_mut)
            .and_then(|ops| ops.get_mut(range.clone()))
            .ok_or("a chunk of code shared before it was filled")?;
        Ok((ops, InChunk { chunk, range }))
    }

    /// The code `at` names, once its chunk is filled (no slot of it is handed out any more).
    pub(crate) fn code(&self, at: InChunk) -> Option<Code> {
        Code::shared(self.done.get(at.chunk)?, at.range)
    }
}

/// A function's code in a load's [`Chunks`].
pub(crate) struct InChunk {
    chunk: usize,
    range: Range<usize>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::TrapCode;

    #[test]
    fn a_shared_range_reads_only_its_own_instructions() {
        let ops: Arc<[Op]> = (0..5u16)
            .map(|i| {
                Op::new(Instr::Trap {
                    code: TrapCode::ALL[usize::from(i)],
                })
            })
            .collect();
        let code = Code::shared(&ops, 1..3).unwrap();
        assert_eq!(code.len(), 2);
        assert_eq!(code[0], ops[1]);
        assert_eq!(code[1], ops[2]);
        assert!(Code::shared(&ops, 4..6).is_none());
        assert_eq!(Code::blank(3).len(), 3);
        assert!(Code::default().is_empty());
    }

    /// Functions share a chunk until the next does not fit; one larger than a chunk gets its
    /// own; each function's code is exactly the slots it was given.
    #[test]
    fn chunks_hand_out_disjoint_ranges() {
        let mut chunks = Chunks::new(10);
        let mut given = Vec::new();
        for (i, len) in [4, 5, 2, 30, 1, 0].into_iter().enumerate() {
            let (ops, at) = chunks.take(len).unwrap();
            assert_eq!(ops.len(), len);
            ops.fill(Op::new(Instr::Trap {
                code: TrapCode::ALL[i],
            }));
            given.push((i, at));
        }
        let chunk_of: Vec<usize> = given.iter().map(|(_, at)| at.chunk).collect();
        assert_eq!(chunk_of, [0, 0, 1, 2, 3, 3]);
        assert_eq!(chunks.done[2].len(), 30);
        for (i, at) in given {
            let len = at.range.len();
            let code = chunks.code(at).unwrap();
            assert_eq!(code.len(), len);
            let trap = Instr::Trap {
                code: TrapCode::ALL[i],
            };
            assert!(code.iter().all(|op| *op.instr() == trap));
        }
    }
}
