//! Type checking of the exception-handling instructions: `throw`, `throw_ref`, `try_table`.

use super::super::control::FrameKind;
use super::super::{invalid, Check};
use super::FuncValidator;
use crate::binary::{BlockType, Catch, CatchKind};
use crate::value::{HeapType, ValType};

impl<'m> FuncValidator<'m> {
    /// The feature check: `op` is an error when exception handling is disabled.
    fn require_exceptions(&self, op: &str) -> Check {
        super::require_feature(self.ctx.features.exceptions, op, "exceptions")
    }

    /// The parameter types of tag `tag`.
    fn tag_params(&self, tag: u32) -> Check<&'m [ValType]> {
        let module: &'m crate::binary::ModuleInfo = self.module;
        module
            .tags
            .get(tag as usize)
            .and_then(|&ty| module.types.get(ty as usize))
            .map(|ty| ty.params())
            .ok_or_else(|| invalid(format!("unknown tag {tag}")))
    }

    /// `throw tag`: pops the tag's parameters; the rest of the block is unreachable.
    pub(super) fn check_throw(&mut self, tag: u32) -> Check {
        self.require_exceptions("throw")?;
        let params = self.tag_params(tag)?;
        self.stacks.pop_all(params)?;
        self.stacks.set_unreachable();
        Ok(())
    }

    /// `throw_ref`: pops an `exnref`; the rest of the block is unreachable.
    pub(super) fn check_throw_ref(&mut self) -> Check {
        self.require_exceptions("throw_ref")?;
        self.stacks.pop(ValType::ExnRef)?;
        self.stacks.set_unreachable();
        Ok(())
    }

    /// `try_table`: each clause's values must be what its label (counted from outside the
    /// `try_table`) takes; then it opens a block like `block`.
    pub(super) fn check_try_table(&mut self, bt: BlockType, catches: &[Catch]) -> Check {
        self.require_exceptions("try_table")?;
        let (params, results) = self.block_sig(bt)?;
        for c in catches {
            let mut sent: Vec<ValType> = if c.kind.has_tag() {
                self.tag_params(c.tag)?.to_vec()
            } else {
                Vec::new()
            };
            if c.kind.pushes_ref() {
                // A caught exception's reference is never null: `(ref exn)`.
                sent.push(ValType::reference(false, HeapType::Exn));
            }
            let label = self.stacks.label_types(c.label)?;
            let fits = label.len() == sent.len()
                && (sent.iter().zip(label.iter())).all(|(&s, &l)| self.stacks.sub(s, l));
            if !fits {
                let what = match c.kind {
                    CatchKind::Catch => "catch",
                    CatchKind::CatchRef => "catch_ref",
                    CatchKind::CatchAll => "catch_all",
                    CatchKind::CatchAllRef => "catch_all_ref",
                };
                return Err(invalid(format!(
                    "type mismatch: {what} sends {sent:?} to a label of type {label:?}"
                )));
            }
        }
        self.stacks.pop_all(&params)?;
        self.stacks.push_ctrl(FrameKind::Block, params, results);
        Ok(())
    }
}
