//! Module-level rules: types of imports and functions, limits, constant expressions, segments,
//! the start function and exports.

use super::{Features, ModuleContext};
use crate::binary::{ConstExpr, DataMode, ElemMode, ExternKind, ModuleInfo, Operator};
use crate::error::{Error, ValidationError};
use crate::ops::NumOp;
use crate::simd::SimdOp;
use crate::value::{HeapType, Limits, ValType};
use std::collections::HashSet;

fn invalid(message: impl Into<String>, offset: usize) -> Error {
    Error::Invalid(ValidationError::new(message, offset))
}

/// Checks every module-level rule (everything except function bodies).
#[cfg(test)]
pub fn validate_module(module: &ModuleInfo) -> Result<ModuleContext, Error> {
    validate_module_with(module, Features::default())
}

/// [`validate_module`] with the proposals `features` enables.
pub fn validate_module_with(
    module: &ModuleInfo,
    features: Features,
) -> Result<ModuleContext, Error> {
    if !features.simd {
        let in_types = module
            .types
            .iter()
            .flat_map(|t| t.params().iter().chain(t.results()));
        let in_globals = module.globals.iter().map(|g| &g.content);
        let in_locals = module
            .bodies
            .iter()
            .flat_map(|b| b.locals.iter().map(|(_, t)| t));
        if in_types
            .chain(in_globals)
            .chain(in_locals)
            .any(|&t| t == ValType::V128)
        {
            return Err(invalid(
                "v128 requires the simd feature, which is disabled",
                0,
            ));
        }
    }
    for &ty in &module.funcs {
        if ty as usize >= module.types.len() {
            return Err(invalid(format!("unknown type {ty}"), 0));
        }
    }
    if let (false, Some(e)) = (features.memory64, &module.wide_limits) {
        return Err(Error::Malformed(e.clone()));
    }
    check_types(module, features)?;
    let mut next = 0;
    let canon = super::canon::canonical_ids(module, &mut Default::default(), |key| {
        let first = next;
        next += key.len() as u32;
        first
    })
    .ok_or_else(|| invalid("unknown type: a type refers to a later type", 0))?;
    let ctx = ModuleContext {
        declared_funcs: declared_funcs(module),
        features,
        canon,
        supers: (0..module.types.len() as u32)
            .map(|i| super::canon::subtype(module, i).supertype)
            .collect(),
    };
    check_supertypes(module, &ctx)?;
    check_tags(module, features)?;
    for table in &module.tables {
        super::memory::check_table(table, features)?;
    }
    for memory in &module.memories {
        super::memory::check_memory(memory, features)?;
    }
    if module.memories.len() > 1 && !features.multi_memory {
        return Err(invalid(
            "multiple memories require the multi-memory feature, which is disabled",
            0,
        ));
    }

    let defined_globals = module
        .globals
        .iter()
        .skip(module.num_imported_globals as usize);
    let imported = module.num_imported_globals as usize;
    for (i, (global, init)) in defined_globals.zip(&module.global_inits).enumerate() {
        check_const(module, init, global.content, imported + i, &ctx)?;
    }
    let defined_tables = &module.tables[(module.num_imported_tables as usize)..];
    for (i, table) in defined_tables.iter().enumerate() {
        match module.table_inits.get(i).and_then(Option::as_ref) {
            // Only imported globals are visible: tables are defined before globals.
            Some(init) => check_const(module, init, table.elem, imported, &ctx)?,
            None if !table.elem.is_defaultable() => {
                return Err(invalid(
                    format!(
                        "type mismatch: a table of {} needs an initializer",
                        table.elem
                    ),
                    0,
                ))
            }
            None => {}
        }
    }

    let all = module.globals.len();
    for seg in &module.elems {
        for item in &seg.items {
            check_const(module, item, seg.ty, all, &ctx)?;
        }
        if let ElemMode::Active { table, offset } = &seg.mode {
            let Some(tt) = module.tables.get(*table as usize) else {
                return Err(invalid(format!("unknown table {table}"), offset.offset));
            };
            if !super::subtype::val_sub(seg.ty, tt.elem, &Some(&ctx)) {
                return Err(invalid(
                    format!(
                        "type mismatch: {} element segment for {} table",
                        seg.ty, tt.elem
                    ),
                    offset.offset,
                ));
            }
            check_const(module, offset, tt.index_type(), all, &ctx)?;
        }
    }

    for seg in &module.datas {
        if let DataMode::Active { memory, offset } = &seg.mode {
            let Some(mt) = module.memories.get(*memory as usize) else {
                return Err(invalid(format!("unknown memory {memory}"), offset.offset));
            };
            check_const(module, offset, mt.index_type(), all, &ctx)?;
        }
    }

    if let Some(start) = module.start {
        let Some(ty) = module.func_type(start) else {
            return Err(invalid(
                format!("unknown function {start}"),
                module.start_offset,
            ));
        };
        if !ty.params().is_empty() || !ty.results().is_empty() {
            return Err(invalid(
                format!("start function must have type [] -> [], not {ty}"),
                module.start_offset,
            ));
        }
    }

    check_exports(module)?;
    Ok(ctx)
}

/// Checks a value type written in the module: a type index it names exists, and typed
/// references are enabled if it needs them. The message is the spec's.
pub(crate) fn check_type(
    module: &ModuleInfo,
    features: Features,
    t: ValType,
) -> Result<(), String> {
    if let ValType::Ref(r) = t {
        if !features.function_references {
            return Err(format!(
                "{t} requires the function-references feature, which is disabled"
            ));
        }
        if let HeapType::Concrete(i) = r.heap {
            if i as usize >= module.types.len() {
                return Err(format!("unknown type {i}"));
            }
        }
    }
    Ok(())
}

/// Every value type outside function bodies' code: in types, imports, tables, globals,
/// element segments and locals.
fn check_types(module: &ModuleInfo, features: Features) -> Result<(), Error> {
    let in_types = module
        .types
        .iter()
        .flat_map(|t| t.params().iter().chain(t.results()));
    let in_globals = module.globals.iter().map(|g| &g.content);
    let in_tables = module.tables.iter().map(|t| &t.elem);
    let in_locals = module
        .bodies
        .iter()
        .flat_map(|b| b.locals.iter().map(|(_, t)| t));
    for &t in in_types.chain(in_globals).chain(in_tables).chain(in_locals) {
        check_type(module, features, t).map_err(|m| invalid(m, 0))?;
    }
    for seg in &module.elems {
        // The decoder writes `(ref func)` for function-index segments whatever the
        // features: only the type index matters here.
        if let Some(i) = seg.ty.type_index() {
            if i as usize >= module.types.len() {
                return Err(invalid(format!("unknown type {i}"), 0));
            }
        }
    }
    Ok(())
}

/// Declared supertypes: earlier in the section, not final, and a function type whose
/// parameters are contravariant and results covariant.
fn check_supertypes(module: &ModuleInfo, ctx: &ModuleContext) -> Result<(), Error> {
    for (i, ty) in module.types.iter().enumerate() {
        let Some(s) = super::canon::subtype(module, i as u32).supertype else {
            continue;
        };
        if s as usize >= i {
            return Err(invalid(format!("unknown type {s}"), 0));
        }
        if super::canon::subtype(module, s).is_final {
            return Err(invalid(
                format!("sub type {i} has a final supertype {s}"),
                0,
            ));
        }
        let sup = &module.types[s as usize];
        let sub = |a, b| super::subtype::val_sub(a, b, &Some(ctx));
        let ok = ty.params().len() == sup.params().len()
            && ty.results().len() == sup.results().len()
            && ty
                .params()
                .iter()
                .zip(sup.params())
                .all(|(&a, &b)| sub(b, a))
            && ty
                .results()
                .iter()
                .zip(sup.results())
                .all(|(&a, &b)| sub(a, b));
        if !ok {
            return Err(invalid(
                format!("sub type {i} does not match its supertype {s}"),
                0,
            ));
        }
    }
    Ok(())
}

/// Tags name function types without results; without the exceptions feature a module may
/// have neither tags nor `exnref` anywhere in its types.
fn check_tags(module: &ModuleInfo, features: Features) -> Result<(), Error> {
    if !features.exceptions {
        let in_types = (module.types.iter()).flat_map(|t| t.params().iter().chain(t.results()));
        let in_globals = module.globals.iter().map(|g| &g.content);
        let in_locals = (module.bodies.iter()).flat_map(|b| b.locals.iter().map(|(_, t)| t));
        let exnref = (in_types.chain(in_globals).chain(in_locals)).any(|&t| {
            t.as_ref_type()
                .is_some_and(|r| r.heap.top() == HeapType::Exn)
        });
        if exnref || !module.tags.is_empty() {
            return Err(invalid(
                "tags and exnref require the exceptions feature, which is disabled",
                0,
            ));
        }
    }
    for &ty in &module.tags {
        let Some(ft) = module.types.get(ty as usize) else {
            return Err(invalid(format!("unknown type {ty}"), 0));
        };
        if !ft.results().is_empty() {
            return Err(invalid("non-empty tag result type", 0));
        }
    }
    Ok(())
}

pub(super) fn check_min_max(limits: Limits) -> Result<(), Error> {
    if limits.max.is_some_and(|max| limits.min > max) {
        return Err(invalid("size minimum must not be greater than maximum", 0));
    }
    Ok(())
}

fn check_exports(module: &ModuleInfo) -> Result<(), Error> {
    let mut names = HashSet::with_capacity(module.exports.len());
    for export in &module.exports {
        let (count, what) = match export.kind {
            ExternKind::Func => (module.funcs.len(), "function"),
            ExternKind::Table => (module.tables.len(), "table"),
            ExternKind::Memory => (module.memories.len(), "memory"),
            ExternKind::Global => (module.globals.len(), "global"),
            ExternKind::Tag => (module.tags.len(), "tag"),
        };
        if export.index as usize >= count {
            return Err(invalid(format!("unknown {what} {}", export.index), 0));
        }
        if !names.insert(export.name.as_str()) {
            return Err(invalid(
                format!("duplicate export name {:?}", export.name),
                0,
            ));
        }
    }
    Ok(())
}

/// The functions `ref.func` may name inside bodies: those referenced from element segments,
/// global initialisers or exports (the spec's `C.refs`).
fn declared_funcs(module: &ModuleInfo) -> Vec<bool> {
    let mut declared = vec![false; module.funcs.len()];
    let mut mark = |f: u32| {
        if let Some(d) = declared.get_mut(f as usize) {
            *d = true;
        }
    };
    let mut exprs: Vec<&ConstExpr> = module.global_inits.iter().collect();
    for seg in &module.elems {
        exprs.extend(&seg.items);
        if let ElemMode::Active { offset, .. } = &seg.mode {
            exprs.push(offset);
        }
    }
    for expr in exprs {
        for op in &expr.ops {
            if let Operator::RefFunc(f) = *op {
                mark(f);
            }
        }
    }
    for export in &module.exports {
        if export.kind == ExternKind::Func {
            mark(export.index);
        }
    }
    declared
}

/// The arithmetic extended constant expressions allow (WebAssembly 3.0).
pub(crate) fn is_extended_const(op: NumOp) -> bool {
    matches!(
        op,
        NumOp::I32Add
            | NumOp::I32Sub
            | NumOp::I32Mul
            | NumOp::I64Add
            | NumOp::I64Sub
            | NumOp::I64Mul
    )
}

/// Checks a constant expression: only constant instructions (`i32`/`i64` `add`, `sub`, `mul`
/// too, with extended constant expressions), `global.get` only of the first `globals`
/// globals (the imported ones and, as WebAssembly 3.0 allows, those defined before the one
/// being initialized) and only of immutable ones, and exactly one result of type `expected`.
fn check_const(
    module: &ModuleInfo,
    expr: &ConstExpr,
    expected: ValType,
    globals: usize,
    ctx: &ModuleContext,
) -> Result<(), Error> {
    let features = ctx.features;
    let at = expr.offset;
    let visible = &module.globals[..globals.min(module.globals.len())];
    // Constness first, as the reference interpreter does, then types.
    for op in &expr.ops {
        match *op {
            Operator::I32Const(_)
            | Operator::I64Const(_)
            | Operator::F32Const(_)
            | Operator::F64Const(_)
            | Operator::RefNull(_)
            | Operator::RefFunc(_)
            | Operator::Simd(SimdOp::V128Const, _) => {}
            Operator::Num(op) if is_extended_const(op) => {
                if !features.extended_const {
                    return Err(invalid(
                        format!(
                            "constant expression required: {} requires the extended-const \
                             feature, which is disabled",
                            op.name()
                        ),
                        at,
                    ));
                }
            }
            Operator::GlobalGet(g) => {
                let Some(gt) = visible.get(g as usize) else {
                    return Err(invalid(format!("unknown global {g}"), at));
                };
                if gt.mutable {
                    return Err(invalid(
                        format!("constant expression required: global {g} is mutable"),
                        at,
                    ));
                }
            }
            _ => return Err(invalid("constant expression required", at)),
        }
    }
    // The types, evaluated on a stack of them.
    let mut stack: Vec<ValType> = Vec::new();
    for op in &expr.ops {
        let t = match *op {
            Operator::I32Const(_) => ValType::I32,
            Operator::I64Const(_) => ValType::I64,
            Operator::F32Const(_) => ValType::F32,
            Operator::F64Const(_) => ValType::F64,
            Operator::Simd(..) => ValType::V128,
            Operator::RefNull(t) if t.is_ref() => {
                check_type(module, features, t).map_err(|m| invalid(m, at))?;
                t
            }
            Operator::RefFunc(f) => {
                let Some(&ty) = module.funcs.get(f as usize) else {
                    return Err(invalid(format!("unknown function {f}"), at));
                };
                ValType::reference(false, HeapType::Concrete(ty))
            }
            Operator::GlobalGet(g) => visible
                .get(g as usize)
                .map_or(ValType::I32, |gt| gt.content),
            Operator::Num(op) => {
                let t = op.result();
                for _ in 0..2 {
                    match stack.pop() {
                        Some(u) if u == t => {}
                        Some(u) => {
                            return Err(invalid(
                                format!("type mismatch: {} of {u}, expected {t}", op.name()),
                                at,
                            ))
                        }
                        None => {
                            return Err(invalid(
                                format!("type mismatch: {} with too few operands", op.name()),
                                at,
                            ))
                        }
                    }
                }
                t
            }
            _ => return Err(invalid("type mismatch: ref.null of a non-reference", at)),
        };
        stack.push(t);
    }
    match stack[..] {
        [t] if super::subtype::val_sub(t, expected, &Some(ctx)) => Ok(()),
        [t] => Err(invalid(
            format!("type mismatch: constant expression has type {t}, expected {expected}"),
            at,
        )),
        [] => Err(invalid("type mismatch: constant expression is empty", at)),
        _ => Err(invalid(
            "type mismatch: constant expression leaves more than one value",
            at,
        )),
    }
}
