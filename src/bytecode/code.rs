//! A function's instructions, held in an allocation that may be shared with other functions.

use super::Op;
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
    /// `ops[start..end]`; `Code::shared` checks that the range exists. A `Vec` behind the
    /// `Arc` (not `Arc<[Op]>`): a loader pushes into it and shares it as it is, where an
    /// `Arc<[Op]>` would have to be filled before it is decoded into, or copied after.
    Shared {
        ops: Arc<Vec<Op>>,
        start: usize,
        end: usize,
    },
}

impl Code {
    /// `range` of `ops`, or `None` if `ops` has no such range.
    fn shared(ops: &Arc<Vec<Op>>, range: Range<usize>) -> Option<Code> {
        ops.get(range.clone())?;
        Some(Code(Ops::Shared {
            ops: Arc::clone(ops),
            start: range.start,
            end: range.end,
        }))
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
/// function, and each is decoded into while it is in the cache. Decoders push: an allocation
/// that had to be filled first would be written twice (filling was a sixth of a load).
pub(crate) struct Chunks {
    /// The chunks filled so far, the last one being filled. Each has the capacity it was
    /// made with, and is never grown (so never moved while its slots are handed out).
    done: Vec<Vec<Op>>,
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
            size,
        }
    }

    /// A chunk with room for `len` more instructions, for a function's code to be pushed to,
    /// and where that code will be once `len` instructions are pushed.
    pub(crate) fn take(&mut self, len: usize) -> (&mut Vec<Op>, InChunk) {
        let room = self.done.last().map_or(0, |c| c.capacity() - c.len());
        if len > room {
            self.done.push(Vec::with_capacity(len.max(self.size)));
        }
        let chunk = self.done.len() - 1;
        let ops = &mut self.done[chunk];
        let start = ops.len();
        (
            ops,
            InChunk {
                chunk,
                range: start..start + len,
            },
        )
    }

    /// The chunks, filled, to be shared by the code [`Chunks::take`] placed in them.
    pub(crate) fn finish(self) -> Filled {
        Filled(self.done.into_iter().map(Arc::new).collect())
    }
}

/// A load's chunks once no more code is decoded into them.
pub(crate) struct Filled(Vec<Arc<Vec<Op>>>);

impl Filled {
    /// The code `at` names, or `None` if its chunk does not hold it (it was not all pushed).
    pub(crate) fn code(&self, at: InChunk) -> Option<Code> {
        Code::shared(self.0.get(at.chunk)?, at.range)
    }
}

/// A function's code in a load's [`Chunks`].
pub(crate) struct InChunk {
    chunk: usize,
    range: Range<usize>,
}

impl InChunk {
    /// Where the code is in its chunk.
    pub(crate) fn range(&self) -> Range<usize> {
        self.range.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bytecode::Instr;
    use crate::error::TrapCode;

    #[test]
    fn a_shared_range_reads_only_its_own_instructions() {
        let ops: Vec<Op> = (0..5u16)
            .map(|i| {
                Op::new(Instr::Trap {
                    code: TrapCode::ALL[usize::from(i)],
                })
            })
            .collect();
        let ops = Arc::new(ops);
        let code = Code::shared(&ops, 1..3).unwrap();
        assert_eq!(code.len(), 2);
        assert_eq!(code[0], ops[1]);
        assert_eq!(code[1], ops[2]);
        assert!(Code::shared(&ops, 4..6).is_none());
        assert!(Code::default().is_empty());
    }

    /// Functions share a chunk until the next does not fit; one larger than a chunk gets its
    /// own; each function's code is exactly the slots it was given.
    #[test]
    fn chunks_hand_out_disjoint_ranges() {
        let mut chunks = Chunks::new(10);
        let mut given = Vec::new();
        for (i, len) in [4, 5, 2, 30, 1, 0].into_iter().enumerate() {
            let (ops, at) = chunks.take(len);
            assert!(ops.capacity() - ops.len() >= len);
            let trap = Op::new(Instr::Trap {
                code: TrapCode::ALL[i],
            });
            ops.extend(std::iter::repeat_n(trap, len));
            given.push((i, at));
        }
        let chunk_of: Vec<usize> = given.iter().map(|(_, at)| at.chunk).collect();
        assert_eq!(chunk_of, [0, 0, 1, 2, 3, 3]);
        assert_eq!(chunks.done[2].len(), 30);
        let filled = chunks.finish();
        for (i, at) in given {
            let len = at.range.len();
            let code = filled.code(at).unwrap();
            assert_eq!(code.len(), len);
            let trap = Instr::Trap {
                code: TrapCode::ALL[i],
            };
            assert!(code.iter().all(|op| *op.instr() == trap));
        }
    }

    /// Code whose instructions were not all pushed (a load that stopped) is not handed out.
    #[test]
    fn code_not_all_pushed_is_refused() {
        let mut chunks = Chunks::new(10);
        let (ops, at) = chunks.take(4);
        ops.push(Op::new(Instr::Return {}));
        assert!(chunks.finish().code(at).is_none());
    }
}
