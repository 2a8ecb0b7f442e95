//! Type checking of the typed function reference instructions (WebAssembly 3.0):
//! `ref.as_non_null`, `br_on_null`, `br_on_non_null`, `call_ref`, `return_call_ref`.

use super::func::FuncValidator;
use super::{invalid, Check};
use crate::binary::Operator;
use crate::value::{HeapType, RefType, ValType};

impl FuncValidator<'_> {
    /// Checks one of the instructions above.
    pub(super) fn check_typed_ref(&mut self, op: &Operator) -> Check {
        match *op {
            Operator::RefAsNonNull => {
                self.require_function_references("ref.as_non_null")?;
                let r = self.pop_ref()?;
                self.push_non_null(r);
            }
            Operator::BrOnNull(depth) => {
                self.require_function_references("br_on_null")?;
                let r = self.pop_ref()?;
                let s = &mut self.stacks;
                let types = s.label_types(depth)?;
                s.pop_all(&types)?;
                s.push_all(&types);
                self.push_non_null(r);
            }
            Operator::BrOnNonNull(depth) => {
                self.require_function_references("br_on_non_null")?;
                let r = self.pop_ref()?;
                let s = &mut self.stacks;
                let types = s.label_types(depth)?;
                let Some((&last, rest)) = types.split_last() else {
                    return Err(invalid(
                        "type mismatch: br_on_non_null needs a label with a reference",
                    ));
                };
                if let Some(r) = r {
                    let non_null = ValType::reference(false, r.heap);
                    if !s.sub(non_null, last) {
                        return Err(invalid(format!(
                            "type mismatch: expected {last}, found {non_null}"
                        )));
                    }
                }
                s.pop_all(rest)?;
                s.push_all(rest);
            }
            Operator::CallRef(type_index) | Operator::ReturnCallRef(type_index) => {
                let tail = matches!(op, Operator::ReturnCallRef(_));
                self.require_function_references(if tail {
                    "return_call_ref"
                } else {
                    "call_ref"
                })?;
                if tail {
                    self.require_tail_call("return_call_ref")?;
                }
                let ty = self.func_type_at(type_index)?;
                let callee = ValType::reference(true, HeapType::Concrete(type_index));
                self.stacks.pop(callee)?;
                if tail {
                    self.tail_call(ty)?;
                } else {
                    self.stacks.pop_all(ty.params())?;
                    self.stacks.push_all(ty.results());
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// Errors unless typed function references are enabled (`what` names the instruction).
    pub(super) fn require_function_references(&self, what: &str) -> Check {
        super::func::require_feature(
            self.ctx.features.function_references,
            what,
            "function-references",
        )
    }

    /// Pops a reference; `None` when it is Unknown (unreachable code).
    pub(super) fn pop_ref(&mut self) -> Check<Option<RefType>> {
        match self.stacks.pop_any()? {
            None => Ok(None),
            Some(t) => t
                .as_ref_type()
                .map(Some)
                .ok_or_else(|| invalid(format!("type mismatch: expected a reference, found {t}"))),
        }
    }

    /// Pushes the non-null form of reference `r` (Unknown stays Unknown).
    pub(super) fn push_non_null(&mut self, r: Option<RefType>) {
        let t = r.map(|r| ValType::reference(false, r.heap));
        self.stacks.push_operand(t);
    }
}
