//! Subtyping of value types (WebAssembly 3.0, "Matching"): numeric types match only
//! themselves; a reference type `(ref null? h1)` matches `(ref null? h2)` when null is allowed
//! by the second wherever by the first, and `h1` is below `h2` in its hierarchy:
//!
//! ```text
//! func ── $t (a concrete function type) ── nofunc      extern ── noextern      exn ── noexn
//! ```

use super::ModuleContext;
use crate::value::{HeapType, RefType, ValType};

/// What subtyping needs to know of concrete types: whether type `i` is `j` or declared below
/// it. A module's indices are compared through its `ModuleContext`, a store's interned ids
/// through the store.
pub(crate) trait IndexSub {
    /// Whether concrete type `i` matches concrete type `j`.
    fn index_sub(&self, i: u32, j: u32) -> bool;
}

impl IndexSub for Option<&ModuleContext> {
    fn index_sub(&self, i: u32, j: u32) -> bool {
        match self {
            Some(ctx) => ctx.index_sub(i, j),
            None => i == j,
        }
    }
}

/// Whether `a <: b`, concrete types compared through `types`.
pub(crate) fn val_sub(a: ValType, b: ValType, types: &impl IndexSub) -> bool {
    if a == b {
        return true;
    }
    match (a.as_ref_type(), b.as_ref_type()) {
        (Some(a), Some(b)) => ref_sub(a, b, types),
        _ => false,
    }
}

/// Whether reference type `a` matches `b`.
pub(crate) fn ref_sub(a: RefType, b: RefType, types: &impl IndexSub) -> bool {
    (b.nullable || !a.nullable) && heap_sub(a.heap, b.heap, types)
}

/// Whether heap type `a` is below `b`.
pub(crate) fn heap_sub(a: HeapType, b: HeapType, types: &impl IndexSub) -> bool {
    use HeapType::*;
    match (a, b) {
        _ if a == b => true,
        (Concrete(i), Concrete(j)) => types.index_sub(i, j),
        (Concrete(_), Func) => true,
        (NoFunc, Func | Concrete(_)) => true,
        (NoExtern, Extern) => true,
        (NoExn, Exn) => true,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hierarchy() {
        let r = |nullable, heap| ValType::reference(nullable, heap);
        let t = HeapType::Concrete(0);
        let ctx = ModuleContext {
            canon: vec![0],
            ..Default::default()
        };
        let sub = |a, b| val_sub(a, b, &Some(&ctx));
        assert!(sub(r(false, t), r(false, HeapType::Func)));
        assert!(sub(r(false, HeapType::Func), ValType::FuncRef));
        assert!(sub(r(true, HeapType::NoFunc), r(true, t)));
        assert!(sub(r(true, HeapType::NoExtern), ValType::ExternRef));
        assert!(!sub(ValType::FuncRef, r(false, HeapType::Func)));
        assert!(!sub(ValType::ExternRef, ValType::FuncRef));
        assert!(!sub(r(true, HeapType::NoFunc), ValType::ExternRef));
        assert!(!sub(ValType::I32, ValType::I64));
    }
}
