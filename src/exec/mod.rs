//! The interpreter: register bytecode run by one of two dispatch backends — a `match` loop
//! (`backend_loop.rs`) or threaded handlers (`backend_threaded.rs`) — over the same bytecode
//! and the same instruction semantics (`semantics.rs`), with its own frame stack so Wasm calls
//! never recurse on the host stack.
//!
//! The instruction list reaches the backends as macros: `semantics.rs` and
//! `numeric_semantics.rs` define them, `machine.rs` the state and access macros their bodies
//! use; each backend imports all three explicitly.

mod backend_loop;
mod backend_threaded;
mod backtrace;
mod bulk;
mod machine;
mod memidx;
mod numeric_semantics;
pub mod profile;
mod semantics;
mod unwind;
mod widen;

pub(crate) use backend_threaded::handler_of;
pub(crate) use machine::Handler;
pub(crate) use unwind::Catches;

use crate::bytecode::Op;
use crate::error::{Error, Result, Trap, TrapCode};
use crate::runtime::interrupt::StopFlag;
use crate::runtime::StoreInner;
use crate::runtime::{Caller, Func, FuncEntity, Instance, Store};
use crate::value::Cell;
use machine::{Ctx, HostCall, HostDone, MemCache, Stop};

/// A suspended caller: where to continue when the callee returns.
#[derive(Debug)]
pub(crate) struct Frame {
    /// The instruction after the call.
    ip: *const Op,
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
    /// The most cells `regs` may grow to (`Config::max_register_stack`).
    max_regs: usize,
    frames: Vec<Frame>,
    max_frames: usize,
    /// `min(frames.capacity(), max_frames)`: how deep the call's fast path may push without
    /// growing the frame stack (see `enter_fast!`). Capacity never shrinks, so this never
    /// exceeds it; [`Stack::push_frame`] raises it as the stack grows.
    frames_limit: usize,
}

// SAFETY: the raw pointers in `frames` only exist while `execute` runs on the thread
// that owns the store; between calls the frame stack is empty, so moving or sharing a `Stack`
// across threads moves only plain cells.
unsafe impl Send for Stack {}
// SAFETY: as above; `&Stack` gives no access to the pointers.
unsafe impl Sync for Stack {}

/// Cells a new register stack starts with (2 KiB); it doubles on demand up to the limit.
const INITIAL_REGS: usize = 256;
/// Frames a new frame stack has room for before it grows (like any `Vec`): 768 bytes, where
/// 1,024 frames took 24 KiB on every store's first call.
const INITIAL_FRAMES: usize = 32;

impl Stack {
    fn new(max_regs: usize, max_frames: usize) -> Self {
        Self {
            // Small at first: a store's first call then costs no large zeroed allocation (a
            // reused heap block of the full limit would be cleared byte by byte).
            regs: vec![0; max_regs.min(INITIAL_REGS)],
            max_regs,
            frames: Vec::with_capacity(max_frames.min(INITIAL_FRAMES)),
            max_frames,
            frames_limit: 0,
        }
        .with_frames_limit()
    }

    fn with_frames_limit(mut self) -> Self {
        self.frames_limit = self.frames.capacity().min(self.max_frames);
        self
    }

    /// Pushes a caller's frame (growing the frame stack if it must) and keeps `frames_limit`.
    #[inline]
    fn push_frame(&mut self, frame: Frame) {
        self.frames.push(frame);
        self.frames_limit = self.frames.capacity().min(self.max_frames);
    }

    /// Makes `regs` at least `needed` cells long, doubling, within the limit; `false` when
    /// `needed` is over the limit. The cells may move: every frame's pointer into them is
    /// rebased here, and the caller must re-derive any pointer of its own.
    #[cold]
    #[inline(never)]
    fn grow_regs(&mut self, needed: usize) -> bool {
        if needed <= self.regs.len() {
            return true;
        }
        if needed > self.max_regs {
            return false;
        }
        let old_base = self.regs.as_ptr() as usize;
        let new_len = needed.max(self.regs.len() * 2).min(self.max_regs);
        self.regs.resize(new_len, 0);
        let base = self.regs.as_mut_ptr();
        for frame in &mut self.frames {
            let at = (frame.fp as usize - old_base) / std::mem::size_of::<Cell>();
            // SAFETY: `at` was inside the old cells, which all moved to the new ones (at
            // least as many).
            frame.fp = unsafe { base.add(at) };
        }
        true
    }
}

/// Why a call stopped before finishing, leaving a state it can resume from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SuspendReason {
    /// A basic block needed `required` fuel and the store had less.
    OutOfFuel {
        /// The fuel the block needed.
        required: u64,
    },
    /// `InterruptHandle::interrupt` was called.
    Interrupted,
    /// The store's deadline passed.
    DeadlineExceeded,
    /// A host function asked to yield (`Caller::yield_now`).
    HostYield,
}

impl SuspendReason {
    /// The trap a non-resumable call reports for this stop.
    pub fn trap_code(self) -> Option<TrapCode> {
        match self {
            SuspendReason::OutOfFuel { .. } => Some(TrapCode::OutOfFuel),
            SuspendReason::Interrupted => Some(TrapCode::Interrupted),
            SuspendReason::DeadlineExceeded => Some(TrapCode::DeadlineExceeded),
            SuspendReason::HostYield => None,
        }
    }
}

/// Where execution stands: the next instruction, the current frame's offset in the register
/// stack, and its instance.
#[derive(Debug)]
pub(crate) struct Position {
    ip: *const Op,
    fp: usize,
    instance: u32,
    /// The running function's store address, for the profile.
    #[cfg(feature = "profile")]
    func: u32,
}

/// A `return` outside any function's code: where the run continues after a tail call to a
/// host function, so that the host's results, left at the frame's base, go to the caller's
/// caller.
fn return_op() -> *const Op {
    static RETURN: std::sync::OnceLock<Op> = std::sync::OnceLock::new();
    RETURN.get_or_init(|| Op::new(crate::bytecode::Instr::Return {}))
}

/// How [`execute`] ended without an error.
pub(crate) enum Exit {
    Returned,
    Suspended(Position, SuspendReason),
    /// A host function called at the instruction before `at` failed with `trap` (from
    /// `Box::into_raw`, taken back by `run`; a raw pointer keeps `Exit` free of drop glue).
    HostFailed {
        at: Position,
        trap: *mut Trap,
    },
    /// Exception `exn` (a store address) was thrown and no frame of the run caught it; the
    /// frame stack is empty.
    Uncaught {
        exn: u32,
    },
}

/// A call stopped part-way: its whole interpreter state, owned, so it can be resumed later.
pub(crate) struct Suspended {
    stack: Stack,
    at: Position,
    reason: SuspendReason,
    /// The exceptions its registers refer to, pinned while it is suspended (see `exn_gc.rs`).
    held: Vec<u32>,
    /// Keeps the code the frames point into alive (see [`start`]).
    _alive: std::sync::Arc<Vec<crate::runtime::Module>>,
}

// SAFETY: the raw pointers in `at` point into code kept alive by `_alive` and are only used
// by the thread that resumes the call with `&mut Store`, as for `Stack`.
unsafe impl Send for Suspended {}
// SAFETY: as above; `&Suspended` gives no access to the pointers.
unsafe impl Sync for Suspended {}

impl Suspended {
    pub(crate) fn reason(&self) -> SuspendReason {
        self.reason
    }
}

/// Calls `func` with its arguments in `cells` (type-checked by the caller), leaving the results
/// there; `cells` holds `max(params, results)` cells. A stop for fuel, interruption or the
/// deadline becomes a trap; a host's yield is resumed at once.
pub(crate) fn invoke<T>(store: &mut Store<T>, func: Func, cells: &mut [Cell]) -> Result<()> {
    let mut outcome = start(store, func, cells)?;
    while let Some(suspended) = outcome {
        match suspended.reason.trap_code() {
            Some(code) => {
                store.inner.release_exns(&suspended.held);
                let mut stack = suspended.stack;
                let at = &suspended.at;
                let mut trap = Trap::new(code);
                trap.push_frames(backtrace::collect(
                    &store.inner,
                    Some((at.ip, at.instance)),
                    &stack.frames,
                ));
                stack.frames.clear();
                store.inner.stack.get_or_insert(stack);
                return Err(Error::Trap(trap));
            }
            None => outcome = resume(store, suspended, cells)?,
        }
    }
    Ok(())
}

/// Starts a call that may suspend: `Ok(None)` when it finished (results in `cells`).
pub(crate) fn start<T>(
    store: &mut Store<T>,
    func: Func,
    cells: &mut [Cell],
) -> Result<Option<Suspended>> {
    let (module, index, instance) = match &store.inner.funcs[func.0 as usize] {
        &FuncEntity::Host { host, .. } => {
            let host = store.hosts[host as usize].clone();
            let caller = Caller {
                store,
                instance: None,
            };
            return host(caller, cells).map(|()| None).map_err(Error::Trap);
        }
        FuncEntity::Wasm {
            module,
            index,
            instance,
            ..
        } => (module.clone(), *index, *instance),
    };
    let code = module.code(index as usize)?;
    // A host function calling back into Wasm finds the stack taken and gets a fresh one.
    let config = store.inner.engine.config();
    let mut stack = store
        .inner
        .stack
        .take()
        .unwrap_or_else(|| Stack::new(config.max_register_stack, config.max_call_depth));
    if !stack.grow_regs((code.num_regs as usize).max(cells.len())) {
        store.inner.stack.get_or_insert(stack);
        return Err(TrapCode::StackOverflow.into());
    }
    stack.regs[..cells.len()].copy_from_slice(cells);
    let (params, locals) = (code.num_params as usize, code.num_locals as usize);
    stack.regs[params..locals].fill(0);
    store.inner.begin_call();
    let at = Position {
        ip: code.code.as_ptr(),
        fp: 0,
        instance,
        #[cfg(feature = "profile")]
        func: func.0,
    };
    #[cfg(feature = "profile")]
    store.inner.profile.enter(func.0);
    // Frames point into compiled code without owning it; holding every module of the store
    // keeps that code alive even if a host function replaces the store mid-call.
    let alive = store.inner.modules.clone();
    run(store, stack, at, alive, cells)
}

/// Continues a suspended call: `Ok(None)` when it finished (results in `cells`).
pub(crate) fn resume<T>(
    store: &mut Store<T>,
    suspended: Suspended,
    cells: &mut [Cell],
) -> Result<Option<Suspended>> {
    store.inner.begin_call();
    let Suspended {
        stack,
        at,
        _alive,
        held,
        ..
    } = suspended;
    store.inner.release_exns(&held);
    run(store, stack, at, _alive, cells)
}

fn run<T>(
    store: &mut Store<T>,
    mut stack: Stack,
    mut at: Position,
    alive: std::sync::Arc<Vec<crate::runtime::Module>>,
    cells: &mut [Cell],
) -> Result<Option<Suspended>> {
    let stop = store.inner.stop.clone();
    // The interpreter is not generic over the host state: it calls host functions through
    // `host_call::<T>`, given the store as a raw pointer, from which its own access to the
    // store's non-generic part is derived too (see `Ctx::store`).
    let store_ptr: *mut Store<T> = store;
    let mut hosts: HostFuncs<T> = None;
    let host = HostCall {
        call: host_call::<T>,
        store: store_ptr.cast(),
        hosts: std::ptr::addr_of_mut!(hosts).cast(),
    };
    // `Ok(None)`: returned; `Ok(Some(..))`: suspended there, for that reason.
    let outcome = loop {
        // SAFETY: `store_ptr` comes from `store`, which is not used while `execute` runs.
        let inner = unsafe { std::ptr::addr_of_mut!((*store_ptr).inner) };
        break match execute(inner, host, &mut stack, at, &stop) {
            Ok(Exit::HostFailed { at: next, trap }) => {
                // SAFETY: `call_host!` made `trap` with `Box::into_raw` for this exit only.
                let trap = *unsafe { Box::from_raw(trap) };
                // A host function's exception unwinds from the call into the calling code.
                if let Some(exn) = trap.exception() {
                    let site = unwind::ThrowSite {
                        ip: next.ip.wrapping_sub(1),
                        fp: next.fp,
                        instance: next.instance,
                        #[cfg(feature = "profile")]
                        func: next.func,
                    };
                    match unwind::rethrow(&mut store.inner, &mut stack, site, exn.0) {
                        Some(handler) => {
                            at = handler;
                            continue;
                        }
                        None => Err(uncaught(&store.inner, Some(trap))),
                    }
                } else {
                    let mut trap = trap;
                    // The Wasm frames below the host function: the call, then its callers.
                    let call = (next.ip.wrapping_sub(1), next.instance);
                    let frames = backtrace::collect(&store.inner, Some(call), &stack.frames);
                    trap.push_frames(frames);
                    Err(Error::Trap(trap))
                }
            }
            Ok(Exit::Uncaught { exn }) => {
                Err(uncaught(&store.inner, Some(Trap::throw(crate::Exn(exn)))))
            }
            Ok(Exit::Returned) => Ok(None),
            Ok(Exit::Suspended(at, reason)) => Ok(Some((at, reason))),
            Err(trap) => Err(trap),
        };
    };
    store.inner.end_call();
    match outcome {
        Ok(None) => {
            cells.copy_from_slice(&stack.regs[..cells.len()]);
            store.inner.stack.get_or_insert(stack);
            Ok(None)
        }
        Ok(Some((at, reason))) => Ok(Some(Suspended {
            held: store.inner.hold_exns(&stack.regs),
            stack,
            at,
            reason,
            _alive: alive,
        })),
        Err(e) => {
            stack.frames.clear();
            store.inner.stack.get_or_insert(stack);
            Err(e)
        }
    }
}

/// The error an exception that no frame of the run caught ends it with: the trap carrying
/// it, described by its tag and payload.
fn uncaught(store: &StoreInner, trap: Option<Trap>) -> Error {
    let mut trap = trap.unwrap_or_else(|| Trap::new(TrapCode::UncaughtException));
    if let Some(exn) = trap.exception() {
        // It goes to the host.
        store.pin_exn(exn.0);
        if (exn.0 as usize) < store.exns.len() {
            trap.describe(store.describe_exn(exn.0));
        }
    }
    Error::Trap(trap)
}

/// Calls host function `func` (a store address) from inside a run of `execute`, with its
/// arguments in `regs[args..]`, writing its results back there.
///
/// # Safety
/// `store` is the `*mut Store<T>` the run was started on, `hosts` its `HostFuncs<T>`, `regs`
/// the run's register stack of `len` cells, and no reference into any of them is alive during
/// the call.
// SAFETY: the contract above; `machine::host_call` is the only caller, through `HostCall`.
unsafe fn host_call<T>(
    store: *mut (),
    hosts: *mut (),
    regs: *mut Cell,
    len: usize,
    args: usize,
    func: u32,
    instance: u32,
) -> HostDone {
    // SAFETY: the caller's contract.
    let (store, hosts, regs) = unsafe {
        (
            &mut *store.cast::<Store<T>>(),
            &mut *hosts.cast::<HostFuncs<T>>(),
            std::slice::from_raw_parts_mut(regs, len),
        )
    };
    let &FuncEntity::Host { ty, host } = &store.inner.funcs[func as usize] else {
        unreachable!("host_call on a Wasm function");
    };
    // The list as the run first saw it, or now if the function is newer than that.
    let list = match hosts {
        Some(list) if (host as usize) < list.len() => list,
        _ => hosts.insert(store.hosts.clone()),
    };
    let host = &list[host as usize];
    let ty = &store.inner.types[ty as usize];
    let width = ty.param_cells().max(ty.result_cells()) as usize;
    let Some(cells) = regs.get_mut(args..args + width) else {
        return HostDone::Failed(Box::new(TrapCode::StackOverflow.into()));
    };
    // The host may call back into Wasm, which cannot see this run's registers: the exceptions
    // they may refer to, all born before now, are roots meanwhile.
    let hidden = std::mem::replace(&mut store.inner.exn_gc.hidden, store.inner.exn_gc.seq);
    let caller = Caller {
        store,
        instance: Some(Instance(instance)),
    };
    let result = host(caller, cells);
    store.inner.exn_gc.hidden = hidden;
    match result {
        Err(trap) => HostDone::Failed(Box::new(trap)),
        Ok(()) if std::mem::take(&mut store.inner.yield_requested) => HostDone::Yield,
        Ok(()) => HostDone::Returned,
    }
}

/// A run's hold on its store's host functions: taken at the run's first host call, so that
/// each call needs no reference count of its own.
type HostFuncs<T> = Option<std::sync::Arc<Vec<crate::runtime::HostFunc<T>>>>;

/// Runs from `at` (a function entry set up by `start`, or a suspended position) until the
/// outermost frame returns, a trap, a host call or a suspension, with the store's backend.
fn execute(
    store: *mut StoreInner,
    host: HostCall,
    stack: &mut Stack,
    at: Position,
    stop: &StopFlag,
) -> Result<Exit> {
    // SAFETY: `store` is valid for the run (see `run`); this borrow ends before `ctx` is made.
    let inner = unsafe { &mut *store };
    let threaded =
        inner.engine.config().dispatch == Dispatch::Threaded && Dispatch::THREADED_AVAILABLE;
    // SAFETY: `at.fp` is the offset of a frame that fits in the register stack: checked when
    // the call started or entered that frame.
    let fp = unsafe { stack.regs.as_mut_ptr().add(at.fp) };
    let mem = MemCache::of(inner, at.instance);
    let callees = machine::callees_of(inner, at.instance);
    let mut ctx = Ctx {
        store,
        host,
        stack,
        stop,
        instance: at.instance,
        #[cfg(feature = "profile")]
        cur_func: at.func,
        exit: Exit::Returned,
        error: std::ptr::null_mut(),
        trap_ip: std::ptr::null(),
        callees,
        pending_call: (0, crate::bytecode::Reg(0)),
        pending_instance: 0,
    };
    let ip = at.ip;
    let stopped = if threaded {
        // SAFETY: `ip` is an instruction of live code (the store's modules outlive the run,
        // see `start`), paired with its own handler; `fp` fits its frame (see above).
        unsafe { ((*ip).handler)(ip, fp, mem.base, mem.len, 0, &mut ctx) }
    } else {
        // SAFETY: as above.
        unsafe { backend_loop::run(ip, fp, mem, &mut ctx) }
    };
    match stopped {
        Err(Stop::Exit) => Ok(ctx.exit),
        Err(Stop::Trap(code)) => {
            // The cold path: the only place a trap's frames are looked at.
            let top = (!ctx.trap_ip.is_null()).then_some((ctx.trap_ip, ctx.instance));
            let mut trap = Trap::new(code);
            let (store, stack) = ctx.store_and_stack();
            trap.push_frames(backtrace::collect(store, top, &stack.frames));
            Err(Error::Trap(trap))
        }
        // SAFETY: `fail!` set `error` from `Box::into_raw` just before returning this, and
        // nothing else reads it.
        Err(Stop::Error) if !ctx.error.is_null() => Err(*unsafe { Box::from_raw(ctx.error) }),
        Err(Stop::Error) => Err(Error::Api(
            "the interpreter stopped without its error".into(),
        )),
        // Instructions only return to stop the run.
        Ok(()) => Err(Error::Api(
            "the interpreter stopped without a reason".into(),
        )),
    }
}

/// How the interpreter dispatches from one instruction to the next (`Config::dispatch`). Both
/// backends run the same bytecode with the same instruction semantics; they differ only in how
/// control reaches the next instruction's code. See `docs/performance.md` for what each costs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Dispatch {
    /// One `match` on the instruction kind in a loop: portable, needs no tail calls.
    Loop,
    /// Each instruction's handler calls the next one's in tail position, its address stored
    /// in the bytecode (direct threading). Needs an optimized build (opt-level 2, 3, `s` or
    /// `z`) on x86-64 or AArch64, where LLVM turns those calls into jumps; elsewhere it runs
    /// as [`Dispatch::Loop`] ([`Dispatch::THREADED_AVAILABLE`] tells).
    Threaded,
}

impl Dispatch {
    /// Whether this build runs [`Dispatch::Threaded`] as threaded code (see its doc).
    pub const THREADED_AVAILABLE: bool = cfg!(regwasm_tail_calls);
}

impl Default for Dispatch {
    /// The faster of the two in the build an embedder gets: threaded where it is available.
    fn default() -> Self {
        if Dispatch::THREADED_AVAILABLE {
            Dispatch::Threaded
        } else {
            Dispatch::Loop
        }
    }
}
