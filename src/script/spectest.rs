//! The `spectest` host module that the official test suite imports from.
//!
//! Its items are created once per store and defined in the linker under the module name
//! `"spectest"`, so every importing module sees the same table, memory, globals and functions.

use crate::{
    Func, FuncType, Global, GlobalType, Linker, Memory, MemoryType, Result, Store, Table,
    TableType, Val, ValType,
};

/// Defines the `spectest` module in `linker`, allocating its items in `store`.
pub(super) fn register(store: &mut Store<()>, linker: &mut Linker<()>) -> Result<()> {
    use ValType::{F32, F64, I32, I64};

    // The `print*` functions do nothing: the suite only checks that they can be imported and called.
    let prints: [(&str, &[ValType]); 7] = [
        ("print", &[]),
        ("print_i32", &[I32]),
        ("print_i64", &[I64]),
        ("print_f32", &[F32]),
        ("print_f64", &[F64]),
        ("print_i32_f32", &[I32, F32]),
        ("print_f64_f64", &[F64, F64]),
    ];
    for (name, params) in prints {
        let ty = FuncType::new(params.iter().copied(), []);
        let func = Func::new(store, ty, |_caller, _params, _results| Ok(()));
        linker.define("spectest", name, func);
    }

    let globals = [
        ("global_i32", Val::I32(666)),
        ("global_i64", Val::I64(666)),
        ("global_f32", Val::from(666.6f32)),
        ("global_f64", Val::from(666.6f64)),
    ];
    for (name, value) in globals {
        let ty = GlobalType {
            content: value.ty(),
            mutable: false,
        };
        let global = Global::new(store, ty, value)?;
        linker.define("spectest", name, global);
    }

    let table_ty = TableType::new(ValType::FuncRef, 10, Some(20));
    let table = Table::new(store, table_ty, Val::FuncRef(None))?;
    linker.define("spectest", "table", table);

    let memory_ty = MemoryType::new(1, Some(2));
    let memory = Memory::new(store, memory_ty)?;
    linker.define("spectest", "memory", memory);
    Ok(())
}
