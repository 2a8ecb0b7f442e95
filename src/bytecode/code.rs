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
    pub(crate) fn shared(ops: &Arc<[Op]>, range: Range<usize>) -> Option<Code> {
        ops.get(range.clone())?;
        Some(Code(Ops::Shared {
            ops: Arc::clone(ops),
            start: range.start,
            end: range.end,
        }))
    }

    /// An allocation of `len` instructions for a loader to overwrite (each a `return`).
    pub(crate) fn blank(len: usize) -> Arc<[Op]> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_shared_range_reads_only_its_own_instructions() {
        let ops: Arc<[Op]> = (0..5u16)
            .map(|i| {
                Op::new(Instr::Trap {
                    code: crate::error::TrapCode::ALL[usize::from(i)],
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
}
