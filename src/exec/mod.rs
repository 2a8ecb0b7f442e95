//! The interpreter: one `match` loop over register bytecode, with its own frame stack so Wasm
//! calls never recurse on the host stack.

mod bulk;
mod interp;
pub mod profile;

use crate::bytecode::Instr;
use crate::error::{Error, Result, Trap, TrapCode};
use crate::runtime::{Caller, Func, FuncEntity, Instance, Store};
use crate::value::Cell;

/// A suspended caller: where to continue when the callee returns.
#[derive(Debug)]
pub(crate) struct Frame {
    /// The instruction after the call.
    ip: *const Instr,
    /// The caller's frame base in the register stack.
    fp: *mut Cell,
    instance: u32,
    /// The caller's store address, to charge its instructions again after the return.
    #[cfg(feature = "profile")]
    func: u32,
}

/// The register stack (all frames' register windows, back to back and overlapping at call
/// arguments) and the frame stack.
#[derive(Debug)]
pub struct Stack {
    regs: Vec<Cell>,
    frames: Vec<Frame>,
    max_frames: usize,
}

// SAFETY: the raw pointers in `frames` only exist while `interp::execute` runs on the thread
// that owns the store; between calls the frame stack is empty, so moving or sharing a `Stack`
// across threads moves only plain cells.
unsafe impl Send for Stack {}
// SAFETY: as above; `&Stack` gives no access to the pointers.
unsafe impl Sync for Stack {}

impl Stack {
    fn new(cells: usize, max_frames: usize) -> Self {
        Self {
            // Zeroed allocation: the OS maps pages lazily, so an unused stack costs little.
            regs: vec![0; cells],
            // Reserved up front so that pushing a frame never reallocates mid-call.
            frames: Vec::with_capacity(max_frames.min(64 * 1024)),
            max_frames,
        }
    }
}

/// Calls `func` with its arguments in `cells` (type-checked by the caller), leaving the results
/// there; `cells` holds `max(params, results)` cells.
pub(crate) fn invoke<T>(store: &mut Store<T>, func: Func, cells: &mut [Cell]) -> Result<()> {
    let (code, instance) = match &store.funcs[func.0 as usize] {
        FuncEntity::Host { func: host, .. } => {
            let host = host.clone();
            let caller = Caller {
                store,
                instance: None,
            };
            return host(caller, cells).map_err(Error::Trap);
        }
        FuncEntity::Wasm { code, instance, .. } => (code.clone(), *instance),
    };
    // A host function calling back into Wasm finds the stack taken and gets a fresh one.
    let config = store.engine.config();
    let mut stack = store
        .stack
        .take()
        .unwrap_or_else(|| Stack::new(config.max_register_stack, config.max_call_depth));
    if stack.regs.len() < (code.num_regs as usize).max(cells.len()) {
        store.stack.get_or_insert(stack);
        return Err(TrapCode::StackOverflow.into());
    }
    let n = cells.len();
    stack.regs[..n].copy_from_slice(cells);
    // Frames point into compiled code without owning it; holding every module of the store
    // keeps that code alive even if a host function replaces the store mid-call.
    let _alive = store.modules.clone();
    let outcome = interp::execute(
        store,
        &mut stack,
        &code,
        instance,
        #[cfg(feature = "profile")]
        func.0,
    );
    if outcome.is_ok() {
        cells.copy_from_slice(&stack.regs[..n]);
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
    let width = ty.params().len().max(ty.results().len());
    let cells = regs
        .get_mut(args..args + width)
        .ok_or(TrapCode::StackOverflow)?;
    host(
        Caller {
            store,
            instance: Some(Instance(instance)),
        },
        cells,
    )
}
