//! The interpreter: one `match` loop over register bytecode, with its own frame stack so Wasm
//! calls never recurse on the host stack.

mod bulk;
mod interp;
mod memory;

use crate::bytecode::CompiledFunc;
use crate::error::{Error, Result, Trap, TrapCode};
use crate::runtime::{Caller, Func, FuncEntity, Instance, Store};
use crate::value::{Cell, Val};
use std::sync::Arc;

/// A suspended caller: where to continue when the callee returns.
#[derive(Debug)]
pub(crate) struct Frame {
    code: Arc<CompiledFunc>,
    ip: usize,
    base: usize,
    instance: u32,
}

/// The register stack (all frames' register windows, back to back and overlapping at call
/// arguments) and the frame stack.
#[derive(Debug)]
pub struct Stack {
    regs: Vec<Cell>,
    frames: Vec<Frame>,
    max_frames: usize,
}

impl Stack {
    fn new(cells: usize, max_frames: usize) -> Self {
        Self {
            // Zeroed allocation: the OS maps pages lazily, so an unused stack costs little.
            regs: vec![0; cells],
            frames: Vec::new(),
            max_frames,
        }
    }
}

/// Calls `func` with type-checked `params`, writing `results`.
pub(crate) fn invoke<T>(
    store: &mut Store<T>,
    func: Func,
    params: &[Val],
    results: &mut [Val],
) -> Result<()> {
    let ty = store.types[store.funcs[func.0 as usize].ty() as usize].clone();
    let (code, instance) = match &store.funcs[func.0 as usize] {
        FuncEntity::Host { func: host, .. } => {
            let host = host.clone();
            let caller = Caller {
                store,
                instance: None,
            };
            return host(caller, params, results).map_err(Error::Trap);
        }
        FuncEntity::Wasm { code, instance, .. } => (code.clone(), *instance),
    };
    // A host function calling back into Wasm finds the stack taken and gets a fresh one.
    let config = store.engine.config();
    let mut stack = store
        .stack
        .take()
        .unwrap_or_else(|| Stack::new(config.max_register_stack, config.max_call_depth));
    if stack.regs.len() < code.num_regs as usize {
        store.stack.get_or_insert(stack);
        return Err(TrapCode::StackOverflow.into());
    }
    for (cell, val) in stack.regs.iter_mut().zip(params) {
        *cell = val.to_cell();
    }
    let outcome = interp::execute(store, &mut stack, code, instance);
    if outcome.is_ok() {
        for (i, (slot, ty)) in results.iter_mut().zip(ty.results()).enumerate() {
            *slot = Val::from_cell(*ty, stack.regs[i]);
        }
    }
    stack.frames.clear();
    store.stack.get_or_insert(stack);
    outcome.map_err(Error::Trap)
}

/// Calls host function `func` with arguments in `regs[args..]`, writing results back there.
fn call_host<T>(
    store: &mut Store<T>,
    regs: &mut [Cell],
    args: usize,
    func: u32,
    instance: u32,
) -> Result<(), Trap> {
    let FuncEntity::Host { ty, func: host } = &store.funcs[func as usize] else {
        unreachable!("call_host on a Wasm function");
    };
    let host = host.clone();
    let ty = &store.types[*ty as usize];
    let (np, nr) = (ty.params().len(), ty.results().len());
    let end = args + np.max(nr);
    if end > regs.len() {
        return Err(TrapCode::StackOverflow.into());
    }
    let params: smallvec::SmallVec<[Val; 8]> = ty
        .params()
        .iter()
        .zip(&regs[args..])
        .map(|(t, c)| Val::from_cell(*t, *c))
        .collect();
    let mut results: smallvec::SmallVec<[Val; 4]> =
        ty.results().iter().map(|t| Val::default_of(*t)).collect();
    let result_types: smallvec::SmallVec<[crate::ValType; 4]> = ty.results().into();
    host(
        Caller {
            store,
            instance: Some(Instance(instance)),
        },
        &params,
        &mut results,
    )?;
    for (i, (v, t)) in results.iter().zip(&result_types).enumerate() {
        if v.ty() != *t {
            return Err(Trap::host(format!(
                "host function returned a {} where its type says {t}",
                v.ty()
            )));
        }
        regs[args + i] = v.to_cell();
    }
    Ok(())
}
