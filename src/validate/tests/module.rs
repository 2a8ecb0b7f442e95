//! Module-level rules.

use super::*;
use crate::binary::{
    ConstExpr, DataMode, DataSegment, ElemMode, ElemSegment, Export, ExternKind, Import, ImportDesc,
};
use crate::ops::NumOp;
use crate::validate::{validate_module_with, Features};
use crate::value::{GlobalType, Limits, MemoryType, TableType};
use Operator::*;
use ValType::*;

fn limits(min: u64, max: Option<u64>) -> Limits {
    Limits { min, max }
}

fn memory(min: u64, max: Option<u64>) -> MemoryType {
    MemoryType::new(min, max)
}

fn table(elem: ValType) -> TableType {
    TableType::new(elem, 0, None)
}

fn global(content: ValType, mutable: bool) -> GlobalType {
    GlobalType { content, mutable }
}

/// A module with one import global per entry of `imported` and one defined global of type `ty`
/// initialised by `init`.
fn global_module(imported: &[GlobalType], ty: ValType, init: Vec<Operator>) -> ModuleInfo {
    let mut m = ModuleInfo::default();
    for (i, &g) in imported.iter().enumerate() {
        m.imports.push(Import {
            module: "m".into(),
            name: format!("g{i}"),
            desc: ImportDesc::Global(g),
        });
        m.globals.push(g);
    }
    m.num_imported_globals = imported.len() as u32;
    m.globals.push(global(ty, false));
    m.global_inits.push(const_expr(init));
    m
}

#[test]
fn empty_module() {
    let ctx = validate_module(&ModuleInfo::default()).unwrap();
    assert!(ctx.declared_funcs.is_empty());
}

#[test]
fn function_type_indices() {
    let mut m = func_module(&[], &[]);
    m.funcs.push(3);
    assert_invalid(validate_module(&m), "unknown type");
    // An imported function's type too.
    let mut m = ModuleInfo {
        types: vec![ft(&[], &[I32])],
        ..Default::default()
    };
    m.imports.push(Import {
        module: "m".into(),
        name: "f".into(),
        desc: ImportDesc::Func(1),
    });
    m.funcs.push(1);
    m.num_imported_funcs = 1;
    assert_invalid(validate_module(&m), "unknown type");
}

#[test]
fn limits_rules() {
    let mut m = ModuleInfo::default();
    m.tables.push(TableType::new(FuncRef, 2, Some(1)));
    assert_invalid(
        validate_module(&m),
        "size minimum must not be greater than maximum",
    );
    m.tables[0].limits = limits(u32::MAX.into(), Some(u32::MAX.into()));
    assert_valid(validate_module(&m));

    let with = |mem: MemoryType| ModuleInfo {
        memories: vec![mem],
        ..Default::default()
    };
    assert_valid(validate_module(&with(memory(65536, Some(65536)))));
    assert_valid(validate_module(&with(memory(0, None))));
    let too_big = "memory size must be at most 65536 pages (4GiB)";
    assert_invalid(validate_module(&with(memory(65537, None))), too_big);
    assert_invalid(validate_module(&with(memory(0, Some(65537)))), too_big);
    assert_invalid(
        validate_module(&with(memory(u32::MAX.into(), Some(u32::MAX.into())))),
        too_big,
    );
    assert_invalid(
        validate_module(&with(memory(2, Some(1)))),
        "size minimum must not be greater than maximum",
    );
}

#[test]
fn at_most_one_memory() {
    let mut m = ModuleInfo {
        memories: vec![memory(0, None), memory(0, None)],
        ..Default::default()
    };
    let single = Features {
        multi_memory: false,
        ..Features::default()
    };
    assert_invalid(validate_module_with(&m, single), "multiple memories");
    m.num_imported_memories = 1;
    assert_invalid(validate_module_with(&m, single), "multiple memories");
    assert_valid(validate_module(&m));
    // Multiple tables are fine in Wasm 2.0.
    let m = ModuleInfo {
        tables: vec![table(FuncRef), table(ExternRef)],
        ..Default::default()
    };
    assert_valid(validate_module(&m));
}

#[test]
fn global_initialisers() {
    let imm = global(I32, false);
    let mutable = global(I32, true);
    assert_valid(validate_module(&global_module(&[], I32, vec![I32Const(1)])));
    assert_valid(validate_module(&global_module(&[], I64, vec![I64Const(1)])));
    assert_valid(validate_module(&global_module(&[], F32, vec![F32Const(1)])));
    assert_valid(validate_module(&global_module(&[], F64, vec![F64Const(1)])));
    assert_valid(validate_module(&global_module(
        &[],
        ExternRef,
        vec![RefNull(ExternRef)],
    )));
    assert_valid(validate_module(&global_module(
        &[imm],
        I32,
        vec![GlobalGet(0)],
    )));

    let required = "constant expression required";
    let invalid = |imported: &[GlobalType], ty, init, msg| {
        assert_invalid(validate_module(&global_module(imported, ty, init)), msg)
    };
    invalid(&[], I32, vec![I32Const(0), Num(NumOp::I32Ctz)], required);
    invalid(&[], F32, vec![F32Const(0), Num(NumOp::F32Neg)], required);
    invalid(&[], F32, vec![LocalGet(0)], required);
    invalid(&[], I32, vec![I32Const(0), Nop], required);
    invalid(&[], I32, vec![Nop], required);
    invalid(&[], I32, vec![I32Const(0), End], required);
    invalid(&[mutable], I32, vec![GlobalGet(0)], required);
    invalid(&[], I32, vec![F32Const(0)], "type mismatch");
    invalid(&[], I32, vec![I32Const(0), I32Const(0)], "type mismatch");
    invalid(&[], I32, vec![], "type mismatch");
    invalid(
        &[global(ExternRef, false)],
        FuncRef,
        vec![GlobalGet(0)],
        "type mismatch",
    );
    invalid(
        &[imm],
        I32,
        vec![GlobalGet(0), GlobalGet(0)],
        "type mismatch",
    );
    invalid(
        &[imm],
        I32,
        vec![I32Const(0), GlobalGet(0)],
        "type mismatch",
    );
    invalid(&[], I32, vec![GlobalGet(0)], "unknown global 0");
    invalid(&[imm], I32, vec![GlobalGet(2)], "unknown global 2");
    invalid(&[], FuncRef, vec![RefNull(ExternRef)], "type mismatch");
    invalid(&[], FuncRef, vec![RefFunc(7)], "unknown function 7");
    // Earlier defined immutable globals are visible too (WebAssembly 3.0), later ones not.
    let mut m = global_module(&[], I32, vec![I32Const(0)]);
    m.globals.push(global(I32, false));
    m.global_inits.push(const_expr(vec![GlobalGet(0)]));
    assert_valid(validate_module(&m));
    let mut m = global_module(&[], I32, vec![GlobalGet(1)]);
    m.globals.push(global(I32, false));
    m.global_inits.push(const_expr(vec![I32Const(0)]));
    assert_invalid(validate_module(&m), "unknown global 1");
    let mut m = global_module(&[], I32, vec![I32Const(0)]);
    m.globals[0].mutable = true;
    m.globals.push(global(I32, false));
    m.global_inits.push(const_expr(vec![GlobalGet(0)]));
    assert_invalid(validate_module(&m), required);
}

#[test]
fn extended_constant_expressions() {
    let imm = global(I64, false);
    let add = |op| vec![I32Const(2), I32Const(3), Num(op)];
    for op in [NumOp::I32Add, NumOp::I32Sub, NumOp::I32Mul] {
        assert_valid(validate_module(&global_module(&[], I32, add(op))));
    }
    let nested = vec![
        GlobalGet(0),
        I64Const(3),
        Num(NumOp::I64Mul),
        I64Const(1),
        Num(NumOp::I64Sub),
    ];
    assert_valid(validate_module(&global_module(&[imm], I64, nested)));

    let invalid =
        |ty, init, msg| assert_invalid(validate_module(&global_module(&[], ty, init)), msg);
    invalid(I64, add(NumOp::I32Add), "type mismatch");
    invalid(I32, vec![I32Const(1), Num(NumOp::I32Add)], "type mismatch");
    invalid(
        I32,
        vec![I64Const(1), I32Const(1), Num(NumOp::I32Add)],
        "type mismatch",
    );
    invalid(
        I32,
        vec![I32Const(1), I32Const(1), I32Const(1), Num(NumOp::I32Add)],
        "type mismatch",
    );
    // Other arithmetic is still not constant.
    invalid(
        I32,
        vec![I32Const(1), I32Const(1), Num(NumOp::I32DivS)],
        "constant expression required",
    );

    // Switched off, the error names the feature.
    let features = crate::validate::Features {
        extended_const: false,
        ..crate::validate::Features::default()
    };
    let m = global_module(&[], I32, add(NumOp::I32Add));
    assert_invalid(
        crate::validate::validate_module_with(&m, features),
        "constant expression required: i32.add requires the extended-const feature",
    );
}

#[test]
fn ref_func_declarations() {
    let mut m = func_module(&[], &[]);
    for _ in 0..4 {
        m.funcs.push(0);
        m.bodies.push(body(&[]));
    }
    m.globals.push(global(FuncRef, false));
    m.global_inits.push(const_expr(vec![RefFunc(1)]));
    m.tables.push(table(FuncRef));
    m.elems.push(ElemSegment {
        ty: FuncRef,
        mode: ElemMode::Active {
            table: 0,
            offset: const_expr(vec![I32Const(0)]),
        },
        items: vec![
            const_expr(vec![RefFunc(2)]),
            const_expr(vec![RefNull(FuncRef)]),
        ],
    });
    m.exports.push(Export {
        name: "f".into(),
        kind: ExternKind::Func,
        index: 3,
    });
    m.exports.push(Export {
        name: "g".into(),
        kind: ExternKind::Global,
        index: 0,
    });
    m.start = Some(4);
    let ctx = validate_module(&m).unwrap();
    assert_eq!(ctx.declared_funcs, vec![false, true, true, true, false]);
    assert!(ctx.is_declared(3));
    assert!(!ctx.is_declared(4));
    assert!(!ctx.is_declared(u32::MAX));
}

fn active_elem(
    table: u32,
    ty: ValType,
    offset: Vec<Operator>,
    items: Vec<ConstExpr>,
) -> ElemSegment {
    ElemSegment {
        ty,
        mode: ElemMode::Active {
            table,
            offset: const_expr(offset),
        },
        items,
    }
}

#[test]
fn element_segments() {
    let mut m = func_module(&[], &[]);
    let f = || const_expr(vec![RefFunc(0)]);
    m.elems
        .push(active_elem(0, FuncRef, vec![I32Const(0)], vec![f()]));
    assert_invalid(validate_module(&m), "unknown table 0");
    m.tables.push(table(FuncRef));
    assert_valid(validate_module(&m));
    m.elems[0] = active_elem(0, ExternRef, vec![I32Const(0)], vec![]);
    assert_invalid(validate_module(&m), "type mismatch");
    m.elems[0] = active_elem(0, FuncRef, vec![I64Const(0)], vec![]);
    assert_invalid(validate_module(&m), "type mismatch");
    m.elems[0] = active_elem(0, FuncRef, vec![I32Const(0), Num(NumOp::I32Ctz)], vec![]);
    assert_invalid(validate_module(&m), "constant expression required");
    m.elems[0] = active_elem(0, FuncRef, vec![GlobalGet(0)], vec![]);
    assert_invalid(validate_module(&m), "unknown global 0");
    m.elems[0] = active_elem(
        0,
        FuncRef,
        vec![I32Const(0)],
        vec![const_expr(vec![RefFunc(1)])],
    );
    assert_invalid(validate_module(&m), "unknown function 1");
    let externs = vec![const_expr(vec![RefNull(ExternRef)])];
    m.elems[0] = active_elem(0, FuncRef, vec![I32Const(0)], externs.clone());
    assert_invalid(validate_module(&m), "type mismatch");
    m.elems[0] = ElemSegment {
        ty: ExternRef,
        mode: ElemMode::Passive,
        items: externs,
    };
    assert_valid(validate_module(&m));
    m.elems[0].items.push(const_expr(vec![Nop]));
    assert_invalid(validate_module(&m), "constant expression required");
    m.elems[0] = ElemSegment {
        ty: FuncRef,
        mode: ElemMode::Declarative,
        items: vec![f()],
    };
    assert_valid(validate_module(&m));
}

#[test]
fn data_segments() {
    let active = |memory, offset| DataSegment {
        mode: DataMode::Active {
            memory,
            offset: const_expr(offset),
        },
        data: 0..0,
    };
    let mut m = ModuleInfo {
        datas: vec![active(0, vec![I32Const(0)])],
        ..Default::default()
    };
    assert_invalid(validate_module(&m), "unknown memory 0");
    m.memories.push(memory(1, None));
    assert_valid(validate_module(&m));
    m.datas[0] = active(1, vec![I32Const(0)]);
    assert_invalid(validate_module(&m), "unknown memory 1");
    m.datas[0] = active(0, vec![I64Const(0)]);
    assert_invalid(validate_module(&m), "type mismatch");
    m.datas[0] = active(0, vec![I32Const(0), I32Const(0)]);
    assert_invalid(validate_module(&m), "type mismatch");
    m.datas[0] = active(0, vec![I32Const(0), Num(NumOp::I32Ctz)]);
    assert_invalid(validate_module(&m), "constant expression required");
    m.globals.push(global(I32, true));
    m.num_imported_globals = 1;
    m.datas[0] = active(0, vec![GlobalGet(0)]);
    assert_invalid(validate_module(&m), "constant expression required");
    m.globals[0].mutable = false;
    assert_valid(validate_module(&m));
    m.datas[0] = active(0, vec![GlobalGet(1)]);
    assert_invalid(validate_module(&m), "unknown global 1");
    m.datas[0] = DataSegment {
        mode: DataMode::Passive,
        data: 0..0,
    };
    assert_valid(validate_module(&m));
}

#[test]
fn start_function() {
    let mut m = func_module(&[], &[]);
    m.start = Some(0);
    assert_valid(validate_module(&m));
    m.start = Some(1);
    assert_invalid(validate_module(&m), "unknown function");
    let mut m = func_module(&[], &[I32]);
    m.start = Some(0);
    assert_invalid(validate_module(&m), "start function");
    let mut m = func_module(&[I32], &[]);
    m.start = Some(0);
    assert_invalid(validate_module(&m), "start function");
}

#[test]
fn exports() {
    let export = |name: &str, kind, index| Export {
        name: name.into(),
        kind,
        index,
    };
    let mut m = func_module(&[], &[]);
    m.tables.push(table(FuncRef));
    m.memories.push(memory(0, None));
    m.globals.push(global(I32, true));
    m.global_inits.push(const_expr(vec![I32Const(0)]));
    m.exports = vec![
        export("f", ExternKind::Func, 0),
        export("t", ExternKind::Table, 0),
        export("m", ExternKind::Memory, 0),
        export("g", ExternKind::Global, 0),
        export("", ExternKind::Func, 0),
    ];
    assert_valid(validate_module(&m));
    m.exports.push(export("t", ExternKind::Global, 0));
    assert_invalid(validate_module(&m), "duplicate export name");
    m.exports.pop();
    let cases = [
        (ExternKind::Func, "unknown function 1"),
        (ExternKind::Table, "unknown table 1"),
        (ExternKind::Memory, "unknown memory 1"),
        (ExternKind::Global, "unknown global 1"),
    ];
    for (kind, msg) in cases {
        let mut m = m.clone();
        m.exports.push(export("x", kind, 1));
        assert_invalid(validate_module(&m), msg);
    }
}

#[test]
fn inconsistent_counts_do_not_panic() {
    // Malformed shapes the decoder would never produce must still not panic.
    let mut m = ModuleInfo {
        globals: vec![global(I32, false)],
        num_imported_globals: 5,
        num_imported_funcs: 9,
        global_inits: vec![const_expr(vec![I32Const(0)]), const_expr(vec![])],
        ..Default::default()
    };
    let _ = validate_module(&m);
    m.num_imported_globals = 0;
    m.global_inits = vec![];
    let _ = validate_module(&m);
}
