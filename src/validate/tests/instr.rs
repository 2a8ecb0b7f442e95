//! Memory, table, reference and bulk instructions; robustness.

use super::*;
use crate::binary::{
    BlockType, DataMode, DataSegment, ElemMode, ElemSegment, Export, ExternKind, LoadKind, MemArg,
    StoreKind,
};
use crate::ops::NumOp;
use crate::value::{GlobalType, MemoryType, TableType};
use BlockType as B;
use Operator::*;
use ValType::*;

fn mem(align: u32) -> MemArg {
    MemArg {
        align,
        offset: 0,
        memory: 0,
        indexed: false,
        wide: false,
    }
}

fn with_memory(mut m: ModuleInfo) -> ModuleInfo {
    m.memories.push(MemoryType::new(1, None));
    m
}

#[test]
fn memory_instructions() {
    let no_mem = func_module(&[], &[]);
    let m = with_memory(no_mem.clone());
    let load = [I32Const(0), Load(LoadKind::I64, mem(3)), Drop, End];
    assert_valid(run(&m, &load));
    assert_invalid(run(&no_mem, &load), "unknown memory 0");
    let store = [I32Const(0), F32Const(0), Store(StoreKind::F32, mem(2)), End];
    assert_valid(run(&m, &store));
    assert_invalid(run(&no_mem, &store), "unknown memory");
    let ops = [F32Const(0), I32Const(0), Store(StoreKind::F32, mem(2)), End];
    assert_invalid(run(&m, &ops), "type mismatch");
    for op in [
        MemorySize(0),
        MemoryGrow(0),
        MemoryCopy { dst: 0, src: 0 },
        MemoryFill(0),
    ] {
        assert_invalid(run(&no_mem, &[op, End]), "unknown memory");
    }
    let ops = [
        MemorySize(0),
        MemoryGrow(0),
        Drop,
        I32Const(0),
        I32Const(0),
        I32Const(0),
        MemoryFill(0),
        End,
    ];
    assert_valid(run(&m, &ops));
    let ops = [
        I32Const(0),
        I32Const(0),
        I64Const(0),
        MemoryCopy { dst: 0, src: 0 },
        End,
    ];
    assert_invalid(run(&m, &ops), "type mismatch");
}

#[test]
fn alignment() {
    let m = with_memory(func_module(&[], &[]));
    let cases = [
        (LoadKind::I32, 2, true),
        (LoadKind::I32, 3, false),
        (LoadKind::I64_8U, 0, true),
        (LoadKind::I64_8U, 1, false),
        (LoadKind::I32_16S, 1, true),
        (LoadKind::I32_16S, 2, false),
        (LoadKind::F64, 3, true),
        (LoadKind::F64, 4, false),
        (LoadKind::F64, u32::MAX, false),
    ];
    for (kind, align, ok) in cases {
        let r = run(&m, &[I32Const(0), Load(kind, mem(align)), Drop, End]);
        if ok {
            assert_valid(r);
        } else {
            assert_invalid(r, "alignment must not be larger than natural");
        }
    }
    let ops = [
        I32Const(0),
        I64Const(0),
        Store(StoreKind::I64_32, mem(3)),
        End,
    ];
    assert_invalid(run(&m, &ops), "alignment must not be larger than natural");
}

fn passive_data() -> DataSegment {
    DataSegment {
        mode: DataMode::Passive,
        data: 0..0,
    }
}

#[test]
fn bulk_memory() {
    let mut m = with_memory(func_module(&[], &[]));
    m.datas.push(passive_data());
    let init = [
        I32Const(0),
        I32Const(0),
        I32Const(0),
        MemoryInit { data: 0, mem: 0 },
        End,
    ];
    assert_malformed(run(&m, &init), "data count section required");
    assert_malformed(run(&m, &[DataDrop(0), End]), "data count section required");
    m.data_count = Some(1);
    assert_valid(run(&m, &init));
    assert_valid(run(&m, &[DataDrop(0), End]));
    let ops = [
        I32Const(0),
        I32Const(0),
        I32Const(0),
        MemoryInit { data: 1, mem: 0 },
        End,
    ];
    assert_invalid(run(&m, &ops), "unknown data segment 1");
    assert_invalid(run(&m, &[DataDrop(1), End]), "unknown data segment 1");
    m.memories.clear();
    m.datas.clear();
    m.data_count = Some(0);
    assert_invalid(run(&m, &ops), "unknown memory 0");
    assert_invalid(run(&m, &[DataDrop(0), End]), "unknown data segment");
}

fn table(elem: ValType) -> TableType {
    TableType::new(elem, 1, None)
}

fn passive_elem(ty: ValType) -> ElemSegment {
    ElemSegment {
        ty,
        mode: ElemMode::Passive,
        items: vec![],
    }
}

#[test]
fn table_instructions() {
    let mut m = func_module(&[], &[]);
    for op in [
        TableSize(0),
        TableGet(0),
        TableSet(0),
        TableGrow(0),
        TableFill(0),
        ElemDrop(0),
    ] {
        let r = run(&m, &[op, End]);
        assert!(matches!(r, Err(Error::Invalid(_))), "{r:?}");
    }
    assert_invalid(run(&m, &[TableSize(0), Drop, End]), "unknown table 0");
    m.tables = vec![table(FuncRef), table(ExternRef)];
    m.elems = vec![passive_elem(FuncRef), passive_elem(ExternRef)];
    let ops = [
        TableSize(1),
        TableGet(1),
        I32Const(0),
        TableGrow(1),
        Drop,
        I32Const(0),
        RefNull(FuncRef),
        TableSet(0),
        I32Const(0),
        RefNull(ExternRef),
        I32Const(1),
        TableFill(1),
        I32Const(0),
        I32Const(0),
        I32Const(0),
        TableCopy { dst: 1, src: 1 },
        I32Const(0),
        I32Const(0),
        I32Const(0),
        TableInit { elem: 1, table: 1 },
        ElemDrop(0),
        End,
    ];
    assert_valid(run(&m, &ops));
    assert_invalid(
        run(&m, &[I32Const(0), TableGet(0), TableSet(1), End]),
        "type mismatch",
    );
    assert_invalid(
        run(&m, &[I32Const(0), RefNull(ExternRef), TableSet(0), End]),
        "type mismatch",
    );
    let i3 = |op| vec![I32Const(0), I32Const(0), I32Const(0), op, End];
    assert_invalid(run(&m, &i3(TableCopy { dst: 0, src: 1 })), "type mismatch");
    assert_invalid(
        run(&m, &i3(TableCopy { dst: 2, src: 0 })),
        "unknown table 2",
    );
    assert_invalid(
        run(&m, &i3(TableInit { elem: 1, table: 0 })),
        "type mismatch",
    );
    assert_invalid(
        run(&m, &i3(TableInit { elem: 0, table: 5 })),
        "unknown table 5",
    );
    assert_invalid(
        run(&m, &i3(TableInit { elem: 4, table: 0 })),
        "unknown elem segment 4",
    );
    assert_invalid(run(&m, &[ElemDrop(4), End]), "unknown elem segment 4");
    let ops = [RefNull(FuncRef), I64Const(1), TableGrow(0), Drop, End];
    assert_invalid(run(&m, &ops), "type mismatch");
}

#[test]
fn references() {
    let mut m = func_module(&[], &[]);
    m.funcs.push(0);
    m.bodies.push(body(&[]));
    let ops = [
        RefNull(ExternRef),
        RefIsNull,
        Drop,
        RefNull(FuncRef),
        RefIsNull,
        Drop,
        End,
    ];
    assert_valid(run(&m, &ops));
    assert_invalid(
        run(&m, &[I32Const(0), RefIsNull, Drop, End]),
        "type mismatch",
    );
    assert_invalid(run(&m, &[RefIsNull, Drop, End]), "type mismatch");
    assert_valid(run(
        &m,
        &[Unreachable, RefIsNull, Num(NumOp::I32Eqz), Drop, End],
    ));
    // ref.func needs a declaration.
    assert_invalid(
        run(&m, &[RefFunc(0), Drop, End]),
        "undeclared function reference",
    );
    assert_invalid(run(&m, &[RefFunc(2), Drop, End]), "unknown function 2");
    m.exports.push(Export {
        name: "f".into(),
        kind: ExternKind::Func,
        index: 1,
    });
    assert_valid(run(&m, &[RefFunc(1), RefIsNull, Drop, End]));
    assert_invalid(
        run(&m, &[RefFunc(0), Drop, End]),
        "undeclared function reference",
    );
    m.elems.push(ElemSegment {
        ty: FuncRef,
        mode: ElemMode::Declarative,
        items: vec![const_expr(vec![RefFunc(0)])],
    });
    assert_valid(run(&m, &[RefFunc(0), Drop, End]));
}

#[test]
fn random_sequences_never_panic() {
    let mut m = with_memory(func_module(&[I32], &[I64]));
    m.types.push(ft(&[I32, I32], &[F32]));
    m.tables = vec![table(FuncRef), table(ExternRef)];
    m.elems = vec![passive_elem(FuncRef)];
    m.data_count = Some(1);
    m.globals = vec![GlobalType {
        content: I64,
        mutable: true,
    }];
    m.global_inits = vec![const_expr(vec![I64Const(0)])];
    let pool = [
        Unreachable,
        Nop,
        Block(B::Empty),
        Block(B::Value(I64)),
        Loop(B::Func(1)),
        If(B::Func(1)),
        If(B::Value(I32)),
        Block(B::Func(u32::MAX)),
        Else,
        End,
        End,
        Br(0),
        Br(1),
        Br(u32::MAX),
        BrIf(0),
        br_table(&[0, 1, 2], 0),
        br_table(&[u32::MAX], 1),
        Return,
        Call(0),
        Call(u32::MAX),
        CallIndirect {
            type_index: 1,
            table: 0,
        },
        Drop,
        Select,
        SelectTyped(FuncRef),
        LocalGet(0),
        LocalSet(u32::MAX),
        LocalTee(0),
        GlobalGet(0),
        GlobalSet(0),
        TableGet(1),
        TableGrow(0),
        Load(LoadKind::I64, mem(3)),
        Store(StoreKind::I32_8, mem(0)),
        MemoryGrow(0),
        I32Const(0),
        I64Const(0),
        F32Const(0),
        Num(NumOp::I32Add),
        Num(NumOp::I64Eqz),
        RefNull(FuncRef),
        RefIsNull,
        RefFunc(0),
        MemoryInit { data: 0, mem: 0 },
        DataDrop(7),
        TableInit { elem: 0, table: 0 },
        TableCopy { dst: 0, src: 1 },
        ElemDrop(0),
    ];
    let ctx = validate_module(&m).unwrap();
    let b = body(&[(u32::MAX - 1, F64)]);
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    let mut next = || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let mut valid = 0;
    for _ in 0..20_000 {
        let mut v = FuncValidator::new(&m, &ctx, 0, &b).unwrap();
        let len = next() % 24;
        let mut ok = true;
        for i in 0..len as usize {
            let op = &pool[next() as usize % pool.len()];
            if v.visit(op, i).is_err() {
                ok = false;
                break;
            }
            let _ = (
                v.height(),
                v.is_unreachable(),
                v.operand_type(0),
                v.label_types(0),
            );
        }
        if ok && v.finish(len as usize).is_ok() {
            valid += 1;
        }
    }
    // Some sequences (e.g. `unreachable end`) must have been accepted.
    assert!(valid > 0);
}
