//! Function body validation.

use super::*;
use crate::binary::{BlockType, Import, ImportDesc};
use crate::ops::NumOp;
use crate::value::{GlobalType, TableType};
use BlockType as B;
use Operator::*;
use ValType::*;

#[test]
fn straight_line_code() {
    let ops = [LocalGet(0), LocalGet(1), Num(NumOp::I32Add), End];
    assert_valid(check(&[I32, I32], &[I32], &ops));
    let ops = [I32Const(1), Num(NumOp::F64ConvertI32S), End];
    assert_valid(check(&[], &[F64], &ops));
}

#[test]
fn operand_type_mismatch() {
    let ops = [I32Const(1), F32Const(0), Num(NumOp::I32Add), End];
    assert_invalid(check(&[], &[I32], &ops), "type mismatch");
    assert_invalid(
        check(&[], &[I32], &[Num(NumOp::I32Eqz), End]),
        "type mismatch",
    );
}

#[test]
fn function_end_checks_results() {
    assert_invalid(check(&[], &[], &[I32Const(1), End]), "type mismatch");
    assert_invalid(check(&[], &[I32], &[End]), "type mismatch");
    assert_invalid(check(&[], &[I32], &[I64Const(1), End]), "type mismatch");
    assert_valid(check(&[], &[I32, I64], &[I32Const(1), I64Const(2), End]));
    assert_invalid(
        check(&[], &[I32, I64], &[I64Const(1), I32Const(2), End]),
        "type mismatch",
    );
}

#[test]
fn unreachable_makes_stack_polymorphic() {
    assert_valid(check(&[], &[I32], &[Unreachable, Num(NumOp::I32Add), End]));
    assert_valid(check(&[], &[I32, F64], &[Unreachable, End]));
    // A value pushed after `unreachable` is known again.
    assert_invalid(
        check(&[], &[I32], &[Unreachable, Num(NumOp::I64Add), End]),
        "type mismatch",
    );
    assert_invalid(
        check(&[], &[], &[Unreachable, I32Const(0), End]),
        "type mismatch",
    );
    // Unknown operands only stand in below the frame base, not for known values.
    let ops = [Unreachable, F32Const(0), Num(NumOp::I32Eqz), Drop, End];
    assert_invalid(check(&[], &[], &ops), "type mismatch");
    // Polymorphism ends with the frame.
    let ops = [
        Block(B::Empty),
        Unreachable,
        End,
        Num(NumOp::I32Eqz),
        Drop,
        End,
    ];
    assert_invalid(check(&[], &[], &ops), "type mismatch");
}

#[test]
fn blocks_and_multi_value() {
    let mut m = func_module(&[], &[I32]);
    m.types.push(ft(&[I32, I32], &[I32])); // 1
    m.types.push(ft(&[], &[I32, I64])); // 2
    let ops = [
        I32Const(1),
        I32Const(2),
        Block(B::Func(1)),
        Num(NumOp::I32Add),
        End,
        End,
    ];
    assert_valid(run(&m, &ops));
    let ops = [Block(B::Func(2)), I32Const(1), I64Const(2), End, Drop, End];
    assert_valid(run(&m, &ops));
    // Block params are taken from outside the block, not from its own body.
    let ops = [Block(B::Func(1)), Num(NumOp::I32Add), End, End];
    assert_invalid(run(&m, &ops), "type mismatch");
    // Inside a block, the outer operands are out of reach.
    let ops = [
        I32Const(1),
        Block(B::Value(I32)),
        Num(NumOp::I32Eqz),
        End,
        Drop,
        End,
    ];
    assert_invalid(run(&m, &ops), "type mismatch");
    assert_invalid(run(&m, &[Block(B::Func(9)), End, End]), "unknown type");
    let ops = [Block(B::Value(I32)), I32Const(0), End, End];
    assert_valid(run(&m, &ops));
}

#[test]
fn if_else() {
    let mut m = func_module(&[], &[I32]);
    m.types.push(ft(&[I32], &[I32])); // 1
    let ops = [
        I32Const(1),
        I32Const(0),
        If(B::Func(1)),
        I32Const(2),
        Num(NumOp::I32Add),
        Else,
        I32Const(3),
        Num(NumOp::I32Sub),
        End,
        End,
    ];
    assert_valid(run(&m, &ops));
    // Without else, params must equal results: [i32] -> [i32] is fine...
    let ops = [I32Const(1), I32Const(0), If(B::Func(1)), End, End];
    assert_valid(run(&m, &ops));
    // ...but [] -> [i32] is not, even if the then branch is unreachable.
    let ops = [I32Const(0), If(B::Value(I32)), I32Const(1), End, End];
    assert_invalid(run(&m, &ops), "type mismatch");
    let ops = [I32Const(0), If(B::Value(I32)), Unreachable, End, End];
    assert_invalid(run(&m, &ops), "type mismatch");
    // The condition must be an i32.
    let ops = [I64Const(0), If(B::Empty), End, I32Const(0), End];
    assert_invalid(run(&m, &ops), "type mismatch");
    // Each branch is checked separately.
    let ops = [I32Const(0), If(B::Value(I32)), I32Const(1), Else, End, End];
    assert_invalid(run(&m, &ops), "type mismatch");
    let ops = [
        I32Const(0),
        If(B::Value(I32)),
        I32Const(1),
        Else,
        I64Const(1),
        End,
        End,
    ];
    assert_invalid(run(&m, &ops), "type mismatch");
    // The else branch starts with the params again.
    let ops = [I32Const(5), I32Const(0), If(B::Func(1)), Else, End, End];
    assert_valid(run(&m, &ops));
}

#[test]
fn else_outside_if() {
    assert!(matches!(
        check(&[], &[], &[Block(B::Empty), Else, End, End]),
        Err(Error::Invalid(_))
    ));
    assert!(check(&[], &[], &[Else, End]).is_err());
    let ops = [I32Const(0), If(B::Empty), Else, Else, End, End];
    assert!(check(&[], &[], &ops).is_err());
}

#[test]
fn branches() {
    // br 0 at function level returns.
    assert_valid(check(&[], &[I32], &[I32Const(1), Br(0), End]));
    assert_invalid(check(&[], &[I32], &[Br(0), End]), "type mismatch");
    assert_invalid(check(&[], &[], &[Br(1), End]), "unknown label");
    assert_invalid(check(&[], &[], &[Br(u32::MAX), End]), "unknown label");
    let ops = [Block(B::Value(I32)), I32Const(1), Br(0), End, Drop, End];
    assert_valid(check(&[], &[], &ops));
    let ops = [Block(B::Value(I32)), Br(0), End, Drop, End];
    assert_invalid(check(&[], &[], &ops), "type mismatch");
    // Extra operands below the branch value are fine: br discards them.
    let ops = [
        Block(B::Value(I32)),
        F32Const(0),
        I32Const(1),
        Br(0),
        End,
        Drop,
        End,
    ];
    assert_valid(check(&[], &[], &ops));
    // A loop label takes the loop's params, not its results.
    let ops = [Loop(B::Value(I32)), I32Const(1), Br(0), End, Drop, End];
    assert_valid(check(&[], &[], &ops));
    let mut m = func_module(&[], &[]);
    m.types.push(ft(&[I32], &[]));
    let ops = [I32Const(0), Loop(B::Func(1)), Br(0), End, End];
    assert_valid(run(&m, &ops));
    let ops = [I32Const(0), Loop(B::Func(1)), Drop, Br(0), End, End];
    assert_invalid(run(&m, &ops), "type mismatch");
}

#[test]
fn br_if() {
    let ops = [
        Block(B::Value(I32)),
        I32Const(1),
        I32Const(0),
        BrIf(0),
        End,
        Drop,
        End,
    ];
    assert_valid(check(&[], &[], &ops));
    let ops = [
        Block(B::Value(I32)),
        I64Const(1),
        I32Const(0),
        BrIf(0),
        End,
        Drop,
        End,
    ];
    assert_invalid(check(&[], &[], &ops), "type mismatch");
    let ops = [
        Block(B::Value(I32)),
        I32Const(1),
        I64Const(0),
        BrIf(0),
        End,
        Drop,
        End,
    ];
    assert_invalid(check(&[], &[], &ops), "type mismatch");
    assert_invalid(
        check(&[], &[], &[I32Const(0), BrIf(2), End]),
        "unknown label",
    );
    // In unreachable code br_if refines Unknown operands to the label types.
    let ops = [Block(B::Value(I32)), Unreachable, BrIf(0), End, Drop, End];
    assert_valid(check(&[], &[], &ops));
    let ops = [
        Block(B::Value(I32)),
        Unreachable,
        BrIf(0),
        Num(NumOp::I64Eqz),
        End,
        Drop,
        End,
    ];
    assert_invalid(check(&[], &[], &ops), "type mismatch");
}

#[test]
fn br_table_rules() {
    let ops = [
        Block(B::Value(I32)),
        Block(B::Value(I32)),
        I32Const(7),
        I32Const(0),
        br_table(&[0, 1], 1),
        End,
        End,
        Drop,
        End,
    ];
    assert_valid(check(&[], &[], &ops));
    // Labels of different types.
    let ops = [
        Block(B::Value(I32)),
        Block(B::Value(I64)),
        I32Const(7),
        I32Const(0),
        br_table(&[0], 1),
        End,
        Drop,
        I32Const(0),
        End,
        Drop,
        End,
    ];
    assert_invalid(check(&[], &[], &ops), "type mismatch");
    // The same in unreachable code is fine: Unknown matches both.
    let mut ops = ops.to_vec();
    ops[2] = Unreachable;
    ops.remove(3);
    assert_valid(check(&[], &[], &ops));
    // ...unless a known operand contradicts one of them.
    ops.insert(3, F32Const(0));
    ops.insert(4, I32Const(0));
    assert_invalid(check(&[], &[], &ops), "type mismatch");
    // Different arities are never allowed.
    let ops = [
        Block(B::Value(I32)),
        Block(B::Empty),
        Unreachable,
        br_table(&[0], 1),
        End,
        I32Const(0),
        End,
        Drop,
        End,
    ];
    assert_invalid(check(&[], &[], &ops), "type mismatch");
    // Index operand, labels.
    assert_invalid(check(&[], &[], &[br_table(&[], 0), End]), "type mismatch");
    assert_invalid(
        check(&[], &[], &[I32Const(0), br_table(&[3], 0), End]),
        "unknown label",
    );
    assert_invalid(
        check(&[], &[], &[I32Const(0), br_table(&[0], 3), End]),
        "unknown label",
    );
    assert_valid(check(&[], &[], &[I32Const(0), br_table(&[0, 0], 0), End]));
    // Code after br_table is unreachable.
    let ops = [
        I32Const(5),
        I32Const(0),
        br_table(&[], 0),
        Num(NumOp::I32Add),
        End,
    ];
    assert_valid(check(&[], &[I32], &ops));
}

#[test]
fn return_checks_function_results() {
    assert_valid(check(&[], &[I32], &[I32Const(1), Return, End]));
    assert_invalid(
        check(&[], &[I32], &[F32Const(0), Return, End]),
        "type mismatch",
    );
    let ops = [Block(B::Empty), I32Const(1), Return, End, I32Const(2), End];
    assert_valid(check(&[], &[I32], &ops));
}

#[test]
fn calls() {
    let mut m = func_module(&[], &[I32]);
    m.types.push(ft(&[I32, I64], &[I32])); // 1
    m.funcs.push(1);
    m.bodies.push(body(&[]));
    assert_valid(run(&m, &[I32Const(1), I64Const(2), Call(1), End]));
    assert_invalid(
        run(&m, &[I64Const(2), I32Const(1), Call(1), End]),
        "type mismatch",
    );
    assert_invalid(run(&m, &[Call(2), End]), "unknown function");
    // call_indirect
    assert_invalid(
        run(
            &m,
            &[
                I32Const(0),
                CallIndirect {
                    type_index: 0,
                    table: 0,
                },
                End,
            ],
        ),
        "unknown table",
    );
    m.tables.push(TableType::new(FuncRef, 0, None));
    m.tables.push(TableType::new(ExternRef, 0, None));
    assert_valid(run(
        &m,
        &[
            I32Const(0),
            CallIndirect {
                type_index: 0,
                table: 0,
            },
            End,
        ],
    ));
    let ops = [
        I32Const(1),
        I64Const(2),
        I32Const(0),
        CallIndirect {
            type_index: 1,
            table: 0,
        },
        End,
    ];
    assert_valid(run(&m, &ops));
    let ops = [
        I32Const(0),
        CallIndirect {
            type_index: 7,
            table: 0,
        },
        End,
    ];
    assert_invalid(run(&m, &ops), "unknown type");
    let ops = [
        I32Const(0),
        CallIndirect {
            type_index: 0,
            table: 1,
        },
        End,
    ];
    assert_invalid(run(&m, &ops), "type mismatch");
    let ops = [
        I64Const(0),
        CallIndirect {
            type_index: 0,
            table: 0,
        },
        End,
    ];
    assert_invalid(run(&m, &ops), "type mismatch");
}

#[test]
fn tail_calls() {
    // Function 0: [] -> [i32]; function 1: [i32 i64] -> [i32]; function 2: [] -> [i64].
    let mut m = func_module(&[], &[I32]);
    m.types.push(ft(&[I32, I64], &[I32]));
    m.types.push(ft(&[], &[I64]));
    m.funcs.extend([1, 2]);
    m.bodies.extend([body(&[]), body(&[])]);
    m.tables.push(TableType::new(FuncRef, 0, None));
    let indirect = |type_index| ReturnCallIndirect {
        type_index,
        table: 0,
    };
    assert_valid(run(&m, &[I32Const(1), I64Const(2), ReturnCall(1), End]));
    assert_valid(run(
        &m,
        &[I32Const(1), I64Const(2), I32Const(0), indirect(1), End],
    ));
    // Stack-polymorphic afterwards, like `return`.
    assert_valid(run(&m, &[ReturnCall(0), Drop, Select, End]));
    // The callee's results must be the caller's.
    assert_invalid(run(&m, &[ReturnCall(2), End]), "type mismatch");
    assert_invalid(run(&m, &[I32Const(0), indirect(2), End]), "type mismatch");
    assert_invalid(
        run(&m, &[I64Const(2), I32Const(1), ReturnCall(1), End]),
        "type mismatch",
    );
    assert_invalid(run(&m, &[ReturnCall(3), End]), "unknown function");
    assert_invalid(run(&m, &[I32Const(0), indirect(7), End]), "unknown type");
    // Switched off, the error names the feature.
    let mut ctx = validate_module(&m).unwrap();
    ctx.features.tail_call = false;
    let b = body(&[]);
    let mut v = FuncValidator::new(&m, &ctx, 0, &b).unwrap();
    assert_invalid(
        v.visit(&ReturnCall(0), 0),
        "return_call requires the tail-call feature",
    );
}

#[test]
fn select_rules() {
    let ops = [I32Const(1), I32Const(2), I32Const(0), Select, End];
    assert_valid(check(&[], &[I32], &ops));
    let ops = [I32Const(1), I64Const(2), I32Const(0), Select, Drop, End];
    assert_invalid(check(&[], &[], &ops), "type mismatch");
    // Reference operands need the typed form.
    let ops = [
        RefNull(FuncRef),
        RefNull(FuncRef),
        I32Const(0),
        Select,
        Drop,
        End,
    ];
    assert_invalid(check(&[], &[], &ops), "type mismatch");
    let ops = [
        RefNull(FuncRef),
        RefNull(FuncRef),
        I32Const(0),
        SelectTyped(FuncRef),
        Drop,
        End,
    ];
    assert_valid(check(&[], &[], &ops));
    let ops = [
        RefNull(ExternRef),
        RefNull(FuncRef),
        I32Const(0),
        SelectTyped(FuncRef),
        Drop,
        End,
    ];
    assert_invalid(check(&[], &[], &ops), "type mismatch");
    // Unreachable code: Unknown operands are numeric; the result takes the known one's type.
    assert_valid(check(&[], &[], &[Unreachable, Select, Drop, End]));
    let ops = [
        Unreachable,
        I64Const(0),
        I32Const(1),
        Select,
        Num(NumOp::I64Eqz),
        Drop,
        End,
    ];
    assert_valid(check(&[], &[], &ops));
    let ops = [
        Unreachable,
        I64Const(0),
        I32Const(1),
        Select,
        Num(NumOp::I32Eqz),
        Drop,
        End,
    ];
    assert_invalid(check(&[], &[], &ops), "type mismatch");
    let ops = [
        Unreachable,
        RefNull(ExternRef),
        I32Const(1),
        Select,
        Drop,
        End,
    ];
    assert_invalid(check(&[], &[], &ops), "type mismatch");
    assert_valid(check(
        &[],
        &[FuncRef],
        &[Unreachable, SelectTyped(FuncRef), End],
    ));
}

#[test]
fn locals() {
    let m = func_module(&[I32], &[]);
    let locals = [(2, I64), (0, F32), (3, F64)];
    let ops = [
        LocalGet(0),
        LocalSet(0),
        LocalGet(2),
        LocalSet(1),
        LocalGet(5),
        LocalTee(3),
        Drop,
        End,
    ];
    assert_valid(run_func(&m, 0, &locals, &ops));
    assert_invalid(
        run_func(&m, 0, &locals, &[LocalGet(6), Drop, End]),
        "unknown local",
    );
    assert_invalid(
        run_func(&m, 0, &locals, &[F64Const(0), LocalSet(1), End]),
        "type mismatch",
    );
    let ops = [I32Const(0), LocalTee(0), Num(NumOp::I64Eqz), Drop, End];
    assert_invalid(run_func(&m, 0, &locals, &ops), "type mismatch");
    assert_invalid(
        run(&func_module(&[], &[]), &[LocalGet(0), Drop, End]),
        "unknown local",
    );
}

#[test]
fn huge_local_counts_cost_nothing() {
    let m = func_module(&[I32], &[]);
    let locals = [(u32::MAX - 1, I64)];
    let ops = [
        LocalGet(u32::MAX - 1),
        Num(NumOp::I64Eqz),
        Drop,
        LocalGet(0),
        Drop,
        End,
    ];
    assert_valid(run_func(&m, 0, &locals, &ops));
    assert_invalid(
        run_func(&m, 0, &locals, &[LocalGet(u32::MAX), Drop, End]),
        "unknown local",
    );
    let locals = [(u32::MAX, I64), (u32::MAX, F32)];
    assert_valid(run_func(
        &m,
        0,
        &locals,
        &[LocalGet(u32::MAX), Num(NumOp::I64Eqz), Drop, End],
    ));
}

#[test]
fn local_types_around_the_direct_lookup_limit() {
    // 256 locals are looked up in a table, 257 by searching the runs: both give each local's
    // declared type, and both reject the index one past the end.
    let m = func_module(&[I32], &[]);
    for (n64, nf32) in [(200, 55), (200, 56), (1, 300)] {
        let locals = [(n64, I64), (nf32, F32)];
        let last = n64 + nf32;
        for (index, ok, bad) in [
            (0, I32Const(0), I64Const(0)),
            (1, I64Const(0), I32Const(0)),
            (n64, I64Const(0), F32Const(0)),
            (n64 + 1, F32Const(0), I64Const(0)),
            (last, F32Const(0), I32Const(0)),
        ] {
            assert_valid(run_func(&m, 0, &locals, &[ok, LocalSet(index), End]));
            assert_invalid(
                run_func(&m, 0, &locals, &[bad, LocalSet(index), End]),
                "type mismatch",
            );
        }
        assert_invalid(
            run_func(&m, 0, &locals, &[LocalGet(last + 1), Drop, End]),
            "unknown local",
        );
    }
}

#[test]
fn globals() {
    let mut m = func_module(&[], &[]);
    m.imports.push(Import {
        module: "m".into(),
        name: "g".into(),
        desc: ImportDesc::Global(GlobalType {
            content: I32,
            mutable: false,
        }),
    });
    m.globals = vec![
        GlobalType {
            content: I32,
            mutable: false,
        },
        GlobalType {
            content: F32,
            mutable: true,
        },
    ];
    m.num_imported_globals = 1;
    m.global_inits = vec![const_expr(vec![F32Const(0)])];
    assert_valid(run(
        &m,
        &[GlobalGet(0), Drop, F32Const(1), GlobalSet(1), End],
    ));
    assert_invalid(
        run(&m, &[I32Const(1), GlobalSet(0), End]),
        "global is immutable",
    );
    assert_invalid(run(&m, &[I32Const(1), GlobalSet(1), End]), "type mismatch");
    assert_invalid(run(&m, &[GlobalGet(2), Drop, End]), "unknown global");
    assert_invalid(run(&m, &[I32Const(1), GlobalSet(2), End]), "unknown global");
}
#[test]
fn end_of_function_framing() {
    let m = func_module(&[], &[]);
    let ctx = validate_module(&m).unwrap();
    let b = body(&[]);
    let mut v = FuncValidator::new(&m, &ctx, 0, &b).unwrap();
    v.visit(&End, 0).unwrap();
    assert!(v.is_finished());
    assert_malformed(
        v.visit(&Nop, 1),
        "operators remaining after end of function",
    );
    assert_malformed(
        v.visit(&End, 1),
        "operators remaining after end of function",
    );
    assert_valid(v.finish(2));

    assert_malformed(check(&[], &[], &[]), "unexpected end");
    assert_malformed(check(&[], &[], &[Block(B::Empty), End]), "unexpected end");
    assert_malformed(
        check(&[], &[], &[End, Nop]),
        "operators remaining after end of function",
    );
}

#[test]
fn errors_carry_function_and_offset() {
    let mut m = func_module(&[], &[]);
    m.funcs.push(0);
    m.bodies.push(body(&[]));
    match run_func(&m, 1, &[], &[Nop, Nop, I32Const(0), End]) {
        Err(Error::Invalid(e)) => {
            assert_eq!(e.func, Some(1));
            assert_eq!(e.offset, 3);
        }
        other => panic!("{other:?}"),
    }
    // Not a function.
    let ctx = validate_module(&m).unwrap();
    assert!(FuncValidator::new(&m, &ctx, 2, &body(&[])).is_err());
}

#[test]
fn queries_for_a_translator() {
    let mut m = func_module(&[I64], &[I32]);
    m.types.push(ft(&[I32], &[I32, F32]));
    let ctx = validate_module(&m).unwrap();
    let b = body(&[(3, F64)]);
    let mut v = FuncValidator::new(&m, &ctx, 0, &b).unwrap();
    assert_eq!(v.num_locals(), 4);
    assert_eq!(v.local_type(0), Some(I64));
    assert_eq!(v.local_type(3), Some(F64));
    assert_eq!(v.local_type(4), None);
    assert_eq!(v.control_depth(), 1);
    v.visit(&I32Const(1), 0).unwrap();
    v.visit(&Loop(B::Func(1)), 1).unwrap();
    assert_eq!(v.control_depth(), 2);
    assert_eq!(
        v.frame_kind(0),
        Some(crate::validate::control::FrameKind::Loop)
    );
    assert_eq!(
        v.frame_kind(1),
        Some(crate::validate::control::FrameKind::Function)
    );
    assert_eq!(v.frame_height(0), Some(0));
    assert_eq!(v.label_types(0), Some(vec![I32]));
    assert_eq!(v.label_types(1), Some(vec![I32]));
    assert_eq!(v.label_types(2), None);
    assert_eq!(v.height(), 1);
    assert_eq!(v.operand_type(0), Some(I32));
    v.visit(&Unreachable, 2).unwrap();
    assert!(v.is_unreachable());
    assert_eq!(v.height(), 0);
    v.visit(&Select, 3).unwrap();
    assert_eq!(v.height(), 1);
    assert_eq!(v.operand_type(0), None);
    v.visit(&F32Const(0), 4).unwrap();
    v.visit(&End, 5).unwrap();
    assert!(!v.is_unreachable());
    assert_eq!(v.height(), 2);
    assert_eq!(v.operand_type(1), Some(I32));
    assert_eq!(v.operand_type(0), Some(F32));
    v.visit(&Drop, 6).unwrap();
    v.visit(&End, 7).unwrap();
    assert_eq!(v.control_depth(), 0);
    v.finish(8).unwrap();
}
