//! What both dispatch backends share: the interpreter's state, how an instruction body reaches
//! it (the access macros of [`define_access!`]), and how a run ends.
//!
//! The hot state — instruction pointer, frame pointer into the register stack, the default
//! memory's base and length, the accumulator — lives in locals of the match loop and in the
//! arguments of every threaded handler, so it stays in machine registers. Everything else (the
//! store, the stacks, the running instance) is reached through one pointer, `ctx`, because it is
//! needed only by calls, returns, globals, tables and bulk operations.
//!
//! Register and instruction accesses are unchecked: the translator guarantees every register
//! index lies inside the frame and every jump inside the code (see `bytecode::verify`, run on
//! every translated function unless `Config::verify_bytecode(false)`), and the call sequence
//! checks the frame's room on the register stack when it enters a function.

use super::{Exit, Stack};
use crate::bytecode::{CompiledFunc, Op, Reg, VReg};
use crate::error::{Error, TrapCode};
use crate::runtime::interrupt::StopFlag;
use crate::runtime::{Callee, FuncEntry, StoreInner};
use crate::value::Cell;

/// Everything an instruction may need besides the hot state: reached through one pointer.
pub(crate) struct Ctx<'a> {
    /// The store's non-generic part, reached through [`Ctx::store`]. A raw pointer, not a
    /// `&mut`: a host function called from inside the run ([`HostCall`]) gets the whole
    /// `Store<T>` this points into, which a live `&mut StoreInner` here would forbid.
    pub(super) store: *mut StoreInner,
    /// Calls host functions without leaving the run.
    pub(super) host: HostCall,
    pub(super) stack: &'a mut Stack,
    pub(super) stop: &'a StopFlag,
    /// The instance of the running function.
    pub(super) instance: u32,
    /// That instance's direct-call cache (`InstanceEntity::callees`), for the call's fast
    /// path. Set with `instance` by [`Ctx::switch_instance`]; the slice does not move while
    /// the run lasts (instances are only added between runs, and the cache is written in place).
    pub(super) callees: *const [Callee],
    /// The store address of the running function, charged for each instruction.
    #[cfg(feature = "profile")]
    pub(super) cur_func: u32,
    /// How the run ended, when an instruction returns [`Stop::Exit`]. Plain data, so setting
    /// it costs no drop of the old value.
    pub(super) exit: Exit,
    /// The error, when an instruction returns [`Stop::Error`] (from `Box::into_raw`, taken
    /// back by `execute` only then). A raw pointer keeps `Ctx` free of drop glue, which cost
    /// a call on every host call's way out.
    pub(super) error: *mut Error,
    /// The instruction that trapped, when an instruction returns [`Stop::Trap`] (set by
    /// [`trap_at`], on the trap's cold path only): the top of the backtrace.
    pub(super) trap_ip: *const Op,
    /// The call (store address, argument register) that the threaded backend's `call_addr!`
    /// hands to `call_addr_slow` when it cannot take the fast path (see `enter_fast!`).
    pub(super) pending_call: (u32, Reg),
    /// The instance a return goes back to, when it is not the running one: the threaded
    /// backend's `return_switch` handler switches to it.
    pub(super) pending_instance: u32,
}

impl Ctx<'_> {
    /// The store. Each use is a fresh borrow, none of which lives across a host call.
    #[inline(always)]
    pub(super) fn store(&mut self) -> &mut StoreInner {
        // SAFETY: `store` comes from the `&mut Store<T>` that `exec::run` holds for the whole
        // run; the only other path to it is the host call, which borrows the store only while
        // it runs and never while a borrow from here is alive (`&mut self` excludes one).
        unsafe { &mut *self.store }
    }

    /// The store and the running instance.
    #[inline(always)]
    pub(super) fn running(&mut self) -> (&mut StoreInner, u32) {
        let instance = self.instance;
        (self.store(), instance)
    }

    /// The store and the register and frame stacks.
    #[inline(always)]
    pub(super) fn store_and_stack(&mut self) -> (&mut StoreInner, &mut Stack) {
        // SAFETY: as in `store`.
        (unsafe { &mut *self.store }, &mut *self.stack)
    }

    /// The running instance's entity.
    #[inline(always)]
    pub(super) fn instance_entity(&mut self) -> &mut crate::runtime::InstanceEntity {
        let instance = self.instance as usize;
        &mut self.store().instances[instance]
    }

    /// Makes `instance` the running instance.
    #[inline(always)]
    pub(super) fn switch_instance(&mut self, instance: u32) {
        self.instance = instance;
        self.callees = callees_of(self.store(), instance);
    }
}

/// How a run calls a host function: the store's host functions are typed by its host state
/// `T`, which the interpreter is not generic over, so `exec::run::<T>` hands it a pointer to
/// its own instance of [`super::host_call`] and the store it runs on.
#[derive(Clone, Copy)]
pub(crate) struct HostCall {
    /// `host_call::<T>(store, hosts, regs, regs_len, args, func, instance)`.
    // SAFETY: called only by `host_call` below, with the `store` and `hosts` of this same
    // `HostCall` and the run's register stack, as `exec::host_call`'s contract requires.
    pub(super) call: unsafe fn(*mut (), *mut (), *mut Cell, usize, usize, u32, u32) -> HostDone,
    /// The `Store<T>`, type-erased.
    pub(super) store: *mut (),
    /// The run's hold on the store's host functions (see `exec::HostFuncs`), type-erased.
    pub(super) hosts: *mut (),
}

/// How a host function called from inside a run ended.
pub(crate) enum HostDone {
    /// Returned its results into the registers: the run goes on.
    Returned,
    /// Returned, and asked the run to suspend (`Caller::yield_now`).
    Yield,
    /// Failed (a trap, or an exception thrown from the host): the run leaves with it, since
    /// what to do next (unwind, collect the backtrace) is not the hot path's business.
    Failed(Box<crate::error::Trap>),
}

/// Calls host function `addr` (a store address) with its arguments in the register stack from
/// cell `used` on. Out of line: the call handlers stay free of the host's calling convention.
#[inline(never)]
pub(super) fn host_call(cx: &mut Ctx<'_>, addr: u32, used: usize) -> HostDone {
    #[cfg(feature = "profile")]
    cx.store().profile.enter(addr);
    let HostCall { call, store, hosts } = cx.host;
    // The registers go by raw pointer: a `&mut` to them made here would invalidate the
    // handlers' frame pointer, derived from the same cells and used after the call.
    let (regs, len) = (cx.stack.regs.as_mut_ptr(), cx.stack.regs.len());
    // SAFETY: `call` and `store` are the pair `exec::run` made for this run: `store` is the
    // `Store<T>` that `call` was instantiated for, and no borrow of it from this run is alive
    // (`Ctx::store` hands out only borrows that end before this); `regs` is the run's stack.
    let done = unsafe { call(store, hosts, regs, len, used, addr, cx.instance) };
    // Instances created by the host may have moved the instance table.
    let instance = cx.instance;
    cx.switch_instance(instance);
    done
}

/// The entry of the function that a `call_indirect` of `instance` would call with index cell
/// `index` into its table `table`, when the call can take the fast path: the element is a
/// function of the running instance whose signature is `type_index` exactly. `None` for
/// everything else (out of bounds, null, another signature or a subtype, another instance,
/// a host function, corrupt operands): the full path then decides, trapping where it must.
#[inline(always)]
pub(super) fn quick_indirect(
    store: &StoreInner,
    instance: u32,
    type_index: u32,
    table: u32,
    index: Cell,
) -> Option<FuncEntry> {
    let inst = store.instances.get(instance as usize)?;
    let table = store
        .tables
        .get(*inst.tables.get(table as usize)? as usize)?;
    let i = crate::value::index_cell(index, table.ty.is_64);
    // A null element is 0, so `- 1` fails: the full path traps.
    let addr = table.elems.get(usize::try_from(i).ok()?)?.checked_sub(1)?;
    let entry = *store.entries.get(usize::try_from(addr).ok()?)?;
    let expected = *inst.types.get(type_index as usize)?;
    (entry.ty == expected && entry.instance == instance).then_some(entry)
}

/// The direct-call cache of `instance`, for [`Ctx::callees`].
#[inline(always)]
pub(super) fn callees_of(store: &StoreInner, instance: u32) -> *const [Callee] {
    &store.instances[instance as usize].callees[..]
}

/// Why an instruction stopped the run. Small, so that a handler returns it in a register.
/// There is deliberately no `From<TrapCode>`: a trap goes through [`trap_at`] (the `trap!` and
/// `or_trap!` access macros), which records where it happened.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Stop {
    /// A trap with no more to say than its code; `Ctx::trap_ip` says where.
    Trap(TrapCode),
    /// The run is over: `Ctx::exit` says how.
    Exit,
    /// An error other than a trap (a function that lazy translation rejected): `Ctx::error`.
    Error,
}

/// Stops the run with trap `code` at instruction `ip`, remembering `ip` for the backtrace: one
/// store, paid only by a trap. Inlined: an out-of-line `#[cold]` call here made call-heavy
/// workloads execute up to 4% more instructions (the handlers' code around it changed).
///
/// # Safety
/// `ctx` points to the run's context, with no other reference to it alive.
// SAFETY: an unsafe fn: callers uphold the contract above.
#[inline(always)]
pub(super) unsafe fn trap_at(ctx: *mut Ctx<'_>, ip: *const Op, code: TrapCode) -> Flow {
    // SAFETY: the caller guarantees `ctx` is valid and unaliased.
    unsafe { (*ctx).trap_ip = ip };
    Err(Stop::Trap(code))
}

/// What an instruction body and a handler return: they only ever return to stop the run.
pub(crate) type Flow = Result<(), Stop>;

/// A threaded handler: one per instruction kind, stored in the bytecode beside the instruction
/// ([`Op`]). It runs its instruction, then calls the next instruction's handler in tail position,
/// so the hot state travels in argument registers from handler to handler.
// SAFETY: an unsafe fn type: a caller passes an `ip` paired with this handler by `Op::new` and
// the state of the run (see the handlers in `backend_threaded.rs`).
pub(crate) type Handler = for<'a> unsafe fn(
    ip: *const Op,
    fp: *mut Cell,
    mem_base: *mut u8,
    mem_len: usize,
    acc: Cell,
    ctx: *mut Ctx<'a>,
) -> Flow;

/// Reads register `r` of the frame at `fp`.
///
/// # Safety
/// `fp + r` must lie inside the register stack: `r` is below the frame's `num_regs` (a
/// translator invariant) and the frame was entered with `fp + num_regs <= end` (checked on
/// entry and at every call).
// SAFETY: an unsafe fn: callers uphold the contract above.
#[inline(always)]
pub(super) unsafe fn get(fp: *mut Cell, r: Reg) -> Cell {
    // SAFETY: the caller guarantees `fp + r` is inside the register stack.
    unsafe { *fp.add(r.0 as usize) }
}

/// Writes register `r` of the frame at `fp` and leaves the value in the accumulator, where the
/// next instruction may read it instead of the register (the `_acc` forms): a value passed on
/// in a machine register instead of through memory.
///
/// # Safety
/// As for [`get`].
// SAFETY: an unsafe fn: callers uphold the contract of `get`.
#[inline(always)]
pub(super) unsafe fn put(fp: *mut Cell, r: Reg, value: Cell, acc: &mut Cell) {
    *acc = value;
    // SAFETY: the caller guarantees `fp + r` is inside the register stack.
    unsafe { *fp.add(r.0 as usize) = value }
}

/// Reads the `v128` in register pair `v` (two cells, low half first) in one 16-byte load, so
/// that a lane kernel can take it straight into a vector register.
///
/// # Safety
/// As for [`get`], for both `v.lo()` and `v.hi()`.
// SAFETY: an unsafe fn: callers uphold the contract of `get`.
#[inline(always)]
pub(super) unsafe fn get128(fp: *mut Cell, v: VReg) -> u128 {
    // SAFETY: the caller guarantees both cells are inside the register stack; an unaligned
    // read of `[Cell; 2]` needs nothing else.
    let [lo, hi] = unsafe { fp.add(v.0 as usize).cast::<[Cell; 2]>().read_unaligned() };
    lo as u128 | (hi as u128) << 64
}

/// Writes the `v128` `value` to register pair `v` in one 16-byte store. The accumulator is
/// left alone: no `_acc` form reads a vector (a vector result leaves nothing known there).
///
/// # Safety
/// As for [`get128`].
// SAFETY: an unsafe fn: callers uphold the contract of `get`.
#[inline(always)]
pub(super) unsafe fn put128(fp: *mut Cell, v: VReg, value: u128) {
    let cells = [value as Cell, (value >> 64) as Cell];
    // SAFETY: as in `get128`.
    unsafe {
        fp.add(v.0 as usize)
            .cast::<[Cell; 2]>()
            .write_unaligned(cells)
    }
}

/// The default memory's buffer, cached for the loop. Refreshed whenever something may have
/// resized or replaced it: a return or call into other code, `memory.grow`, a bulk operation.
#[derive(Clone, Copy)]
pub(super) struct MemCache {
    pub(super) base: *mut u8,
    pub(super) len: usize,
}

impl MemCache {
    pub(super) fn of(store: &mut StoreInner, instance: u32) -> Self {
        match store.instances[instance as usize].memories.first() {
            Some(&m) => {
                let data = &mut store.memories[m as usize].data;
                MemCache {
                    // Stores through it come from store instructions, and instantiation marked
                    // the memory of every instance whose code has one (`mark_guest_writable`).
                    base: data.base_ptr(),
                    len: data.len(),
                }
            }
            None => MemCache {
                base: std::ptr::null_mut(),
                len: 0,
            },
        }
    }

    /// The address of `N` bytes at `addr + offset`, or the out-of-bounds trap.
    #[inline(always)]
    fn at<const N: usize>(self, addr: Cell, offset: u32) -> Result<*mut u8, TrapCode> {
        // A 32-bit address plus a 32-bit offset cannot overflow 64 bits.
        let ea = (addr as u32 as u64) + offset as u64;
        if ea + N as u64 > self.len as u64 {
            return Err(TrapCode::MemoryOutOfBounds);
        }
        // SAFETY: `ea + N <= len`, so the pointer stays inside the live buffer.
        Ok(unsafe { self.base.add(ea as usize) })
    }

    #[inline(always)]
    pub(super) fn load<const N: usize>(self, addr: Cell, offset: u32) -> Result<[u8; N], TrapCode> {
        let p = self.at::<N>(addr, offset)?;
        // SAFETY: `at` checked that `N` bytes at `p` are inside the buffer; no reference to the
        // buffer is alive while the interpreter runs.
        Ok(unsafe { p.cast::<[u8; N]>().read_unaligned() })
    }

    #[inline(always)]
    pub(super) fn store<const N: usize>(
        self,
        addr: Cell,
        offset: u32,
        bytes: [u8; N],
    ) -> Result<(), TrapCode> {
        let p = self.at::<N>(addr, offset)?;
        // SAFETY: as in `load`.
        unsafe { p.cast::<[u8; N]>().write_unaligned(bytes) };
        Ok(())
    }
}

/// Clears the non-parameter locals of a new frame (Wasm locals start at zero).
///
/// # Safety
/// `fp + code.num_regs` must lie within the register stack.
// SAFETY: an unsafe fn: callers uphold the contract above.
#[inline(always)]
pub(super) unsafe fn zero_locals(fp: *mut Cell, code: &CompiledFunc) {
    let params = code.num_params as usize;
    let count = code.num_locals as usize - params;
    if count == 0 {
        return;
    }
    // SAFETY: `params + count = num_locals <= num_regs`, inside the frame.
    unsafe { std::ptr::write_bytes(fp.add(params), 0, count) };
}

/// The instruction pointer after a jump by `offset`. A taken jump goes straight to the
/// dispatch, skipping the step's `+ 1`: the new `ip` is then one load and one addition away
/// from the old one (the offset is kept in bytes), and in a loop every instruction of the next
/// iteration waits for it.
#[inline(always)]
pub(super) fn jump(ip: *const Op, offset: crate::bytecode::Offset) -> *const Op {
    // Wrapping arithmetic keeps this safe; the translator (and a precompiled module's
    // verifier) guarantees the target is an instruction of the code.
    ip.cast::<u8>()
        .wrapping_offset(offset.bytes() as isize)
        .cast::<Op>()
}

pub(super) fn table_addr(store: &StoreInner, instance: u32, table: u32) -> usize {
    store.instances[instance as usize].tables[table as usize] as usize
}

/// Defines, where the hot state's locals are in scope, the macros through which instruction
/// bodies ([`super::semantics`]) reach it. Each backend invokes it right after declaring those
/// locals, naming them (`$d` is a literal `$`, for the inner macros' own metavariables); the
/// backend adds `jump!`, the one access whose meaning differs between backends.
///
/// Bodies never name a local: they use `r!`/`w!` (registers), `acc!()`, `mem!()`, `ip!()`,
/// `cx!()` (the [`Ctx`]), `refresh_mem!()`, `exit!`/`suspend!` (end the run), the call
/// sequence `call_addr!`/`enter!`/`return_to_caller!`, the tail calls'
/// `tail_call_addr!`/`tail_enter!`, which replace the running frame instead of pushing one, and
/// trap through `trap!`/`or_trap!`.
macro_rules! define_access {
    ($d:tt $ip:ident $fp:ident $acc:ident $mem:ident $ctx:ident) => {
        // Register of the current frame; see `get` for why this is in bounds.
        #[allow(unused_macros)]
        macro_rules! r {
            ($d reg:expr) => {
                // SAFETY: a register operand of the current instruction, inside the frame.
                unsafe { get($fp, $d reg) }
            };
        }
        #[allow(unused_macros)]
        macro_rules! w {
            ($d reg:expr, $d value:expr) => {{
                let value = $d value;
                // SAFETY: a register operand of the current instruction, inside the frame.
                unsafe { put($fp, $d reg, value, &mut $acc) }
            }};
        }
        // A vector register pair (`VReg`), read or written whole.
        #[allow(unused_macros)]
        macro_rules! r128 {
            ($d v:expr) => {
                // SAFETY: a register pair operand of the current instruction, inside the frame.
                unsafe { get128($fp, $d v) }
            };
        }
        #[allow(unused_macros)]
        macro_rules! w128 {
            ($d v:expr, $d value:expr) => {{
                let value: u128 = $d value;
                // SAFETY: a register pair operand of the current instruction, inside the frame.
                unsafe { put128($fp, $d v, value) }
            }};
        }
        // The operator of a vector instruction, its semantics out of line; the threaded
        // backend's per-operator handlers define their own `simd_op!`, a constant whose
        // semantics are inlined.
        #[allow(unused_macros)]
        macro_rules! simd_op {
            ($d op:expr) => {
                crate::simd::Outlined($d op)
            };
        }
        // The lane selector of a `load_lane`/`store_lane`, likewise a constant there.
        #[allow(unused_macros)]
        macro_rules! simd_sel {
            ($d sel:expr) => {
                $d sel
            };
        }
        #[allow(unused_macros)]
        macro_rules! acc {
            () => {
                $acc
            };
        }
        #[allow(unused_macros)]
        macro_rules! mem {
            () => {
                $mem
            };
        }
        #[allow(unused_macros)]
        macro_rules! fp {
            () => {
                $fp
            };
        }
        #[allow(unused_macros)]
        macro_rules! ip {
            () => {
                $ip
            };
        }
        // The context. Each use is a fresh `&mut`; bodies bind it once (`let cx = cx!();`).
        #[allow(unused_macros)]
        macro_rules! cx {
            () => {
                // SAFETY: `ctx` points to the `Ctx` that `execute` made for this run and that
                // outlives it; no other reference to it is alive while an instruction runs.
                unsafe { &mut *$ctx }
            };
        }
        #[allow(unused_macros)]
        macro_rules! refresh_mem {
            () => {{
                let cx = cx!();
                let (st, i) = cx.running();
                $mem = MemCache::of(st, i);
            }};
        }
        // Ends the run with the position to continue from: this instruction, this frame.
        #[allow(unused_macros)]
        macro_rules! exit {
            ($d exit:expr) => {{
                let cx = cx!();
                let at = Position {
                    ip: $ip,
                    fp: ($fp as usize - cx.stack.regs.as_ptr() as usize)
                        / std::mem::size_of::<Cell>(),
                    instance: cx.instance,
                    #[cfg(feature = "profile")]
                    func: cx.cur_func,
                };
                cx.exit = $d exit(at);
                return Err(Stop::Exit);
            }};
        }
        // The running frame's offset in the register stack.
        #[allow(unused_macros)]
        macro_rules! frame_offset {
            () => {
                ($fp as usize - cx!().stack.regs.as_ptr() as usize) / std::mem::size_of::<Cell>()
            };
        }
        // Continues where unwinding (`unwind.rs`) says: at the landing pad `pad` in the frame
        // at offset `fp` (the frames above it popped, `ctx` switched to its instance), or,
        // for a null pad, ends the run with the exit it set.
        #[allow(unused_macros)]
        macro_rules! land {
            ($d to:expr) => {{
                let (pad, fp): (*const Op, usize) = $d to;
                if pad.is_null() {
                    return Err(Stop::Exit);
                }
                let cx = cx!();
                // The next step's `+ 1` lands on the pad.
                $ip = pad.wrapping_sub(1);
                // SAFETY: `fp` is the offset of a frame of this run in the register stack (the
                // throwing frame or one the frame stack held), which fits its registers.
                $fp = unsafe { cx.stack.regs.as_mut_ptr().add(fp) };
                // The catching frame may run in another instance.
                let (st, i) = cx.running();
                $mem = MemCache::of(st, i);
            }};
        }
        // Continues at landing pad `pad` in the frame at `fp`, of the running instance, whose
        // memory the cache already holds (`unwind::throw_quick`).
        #[allow(unused_macros)]
        macro_rules! land_here {
            ($d pad:expr, $d fp:expr) => {{
                let (pad, fp): (*const Op, *mut Cell) = ($d pad, $d fp);
                // The next step's `+ 1` lands on the pad.
                $ip = pad.wrapping_sub(1);
                $fp = fp;
            }};
        }
        // A `throw` of tag `tag` with the `params` payload cells at register `args`, unwound
        // out of line by `unwind::throw_from` (each backend's `throw_slow!` comes here).
        #[allow(unused_macros)]
        macro_rules! throw_from {
            ($d tag:expr, $d args:expr, $d params:expr) => {{
                let (tag, args, params): (u32, Reg, u16) = ($d tag, $d args, $d params);
                let (ip, fp) = (ip!(), frame_offset!());
                land!(crate::exec::unwind::throw_from(
                    cx!(),
                    ip,
                    fp,
                    tag,
                    args.0 as usize,
                    params as usize
                ))
            }};
        }
        #[allow(unused_macros)]
        macro_rules! suspend {
            ($d reason:expr) => {
                exit!(|at| Exit::Suspended(at, $d reason))
            };
        }
        #[allow(unused_macros)]
        macro_rules! fail {
            ($d error:expr) => {{
                cx!().error = Box::into_raw(Box::new($d error));
                return Err(Stop::Error);
            }};
        }
        // Ends the run with trap `code` at this instruction.
        #[allow(unused_macros)]
        macro_rules! trap {
            ($d code:expr) => {
                // SAFETY: `ctx` is the run's context; no reference to it is alive here.
                return unsafe { trap_at($ctx, $ip, $d code) }
            };
        }
        // The value of a `Result<_, TrapCode>`, or its trap (like `?`, with the backtrace).
        #[allow(unused_macros)]
        macro_rules! or_trap {
            ($d result:expr) => {
                match $d result {
                    Ok(value) => value,
                    Err(code) => trap!(code),
                }
            };
        }
        // Pushes the caller's frame and enters `code` (of function `addr`, running in
        // `callee_instance`) with its frame at `callee_fp`, `used` registers into the stack.
        #[allow(unused_macros)]
        macro_rules! enter {
            ($d code:expr, $d callee_instance:expr, $d callee_fp:expr, $d used:expr, $d addr:expr) => {{
                let code: *const CompiledFunc = $d code;
                // SAFETY: the code is kept alive by the store's modules for the whole run
                // (see `invoke`); nothing below frees it.
                let code: &CompiledFunc = unsafe { &*code };
                let mut callee_fp: *mut Cell = $d callee_fp;
                let used: usize = $d used;
                let callee_instance: u32 = $d callee_instance;
                let cx = cx!();
                if cx.stack.frames.len() >= cx.stack.max_frames {
                    trap!(TrapCode::StackOverflow);
                }
                if used + code.num_regs as usize > cx.stack.regs.len() {
                    // The register stack grows (and may move): re-derive the frame pointers.
                    let at = ($fp as usize - cx.stack.regs.as_ptr() as usize)
                        / std::mem::size_of::<Cell>();
                    if !cx.stack.grow_regs(used + code.num_regs as usize) {
                        trap!(TrapCode::StackOverflow);
                    }
                    let regs = cx.stack.regs.as_mut_ptr();
                    // SAFETY: both offsets were inside the old cells, which all moved to the
                    // new ones; `used + num_regs <= stack.regs.len()` now.
                    unsafe {
                        $fp = regs.add(at);
                        callee_fp = regs.add(used);
                    }
                }
                // SAFETY: the callee's frame fits (checked just above).
                unsafe { zero_locals(callee_fp, code) };
                cx.stack.push_frame(Frame {
                    // SAFETY: a call is never the last instruction, so `ip + 1` is in the code.
                    ip: unsafe { $ip.add(1) },
                    fp: $fp,
                    instance: cx.instance,
                    #[cfg(feature = "profile")]
                    func: cx.cur_func,
                });
                #[cfg(feature = "profile")]
                {
                    let addr = $d addr;
                    cx.store().profile.enter(addr);
                    cx.cur_func = addr;
                }
                // The next step's `+ 1` lands on the callee's first instruction.
                $ip = code.code.as_ptr().wrapping_sub(1);
                $fp = callee_fp;
                if callee_instance != cx.instance {
                    cx.switch_instance(callee_instance);
                    $mem = MemCache::of(cx.store(), callee_instance);
                }
            }};
        }
        // The common direct call, entered with no call of its own, so that a threaded handler
        // needs no callee-saved registers (no prologue and epilogue of six pushes and pops):
        // `code` runs in the running instance, the frame stack has room without growing, the
        // registers fit with `CLEAR_INLINE` cells to spare past the parameters, and at most
        // that many locals need clearing. `true` if it entered `code` with its frame at
        // register `args`; `false`, having done nothing, otherwise (then `enter!` does it
        // all). Never taken with the profile on, which `enter!` keeps.
        #[allow(unused_macros)]
        macro_rules! enter_fast {
            ($d entry:expr, $d enter_room:expr, $d num_params:expr, $d args:expr) => {{
                // The callee's first instruction, its `CompiledFunc::enter_room` and
                // `num_params` (from the direct-call cache, `Callee`, or the function itself).
                // The code is kept alive by the store's modules for the whole run.
                let entry: *const Op = $d entry;
                let (enter_room, num_params): (u32, u32) = ($d enter_room, $d num_params);
                let args: Reg = $d args;
                let stack = &mut *cx!().stack;
                let depth = stack.frames.len();
                // SAFETY: `args` is at most the frame size, so this stays within (or one past)
                // the current frame.
                let callee_fp = unsafe { $fp.add(args.0 as usize) };
                let used =
                    (callee_fp as usize - stack.regs.as_ptr() as usize) / std::mem::size_of::<Cell>();
                let fits = cfg!(not(feature = "profile"))
                    && depth < stack.frames_limit
                    && used + enter_room as usize <= stack.regs.len();
                if fits {
                    let frame = Frame {
                        // A call is never the last instruction, so `ip + 1` is in the code.
                        ip: $ip.wrapping_add(1),
                        fp: $fp,
                        instance: cx!().instance,
                        #[cfg(feature = "profile")]
                        func: cx!().cur_func,
                    };
                    // Cells cleared past the callee's locals are its temporaries (written
                    // before they are read) or unused: clearing them changes nothing.
                    // SAFETY: `used + enter_room <= regs.len()` (just checked), so the frame
                    // and the cells cleared are in the register stack; `depth < capacity`.
                    unsafe {
                        callee_fp
                            .add(num_params as usize)
                            .cast::<[Cell; crate::bytecode::CLEAR_INLINE]>()
                            .write_unaligned([0; crate::bytecode::CLEAR_INLINE]);
                        stack.frames.as_mut_ptr().add(depth).write(frame);
                        stack.frames.set_len(depth + 1);
                    }
                    // The next step's `+ 1` lands on the callee's first instruction.
                    $ip = entry.wrapping_sub(1);
                    $fp = callee_fp;
                }
                fits
            }};
        }
        // The common tail call, made with no call of its own (see `enter_fast!`): `entry` runs
        // in the running instance, takes at most `TAIL_INLINE` argument cells, and its frame
        // (with `CLEAR_INLINE` cells cleared past its parameters, see `enter_fast!`) fits at
        // the running frame's base. `true` if it moved the arguments down and entered;
        // `false`, having done nothing, otherwise (then `tail_enter!` does it all).
        #[allow(unused_macros)]
        macro_rules! tail_enter_fast {
            ($d entry:expr, $d enter_room:expr, $d num_params:expr, $d args:expr, $d params:expr) => {{
                const TAIL_INLINE: usize = 4;
                let entry: *const Op = $d entry;
                let (enter_room, num_params): (u32, u32) = ($d enter_room, $d num_params);
                let (args, params): (Reg, usize) = ($d args, $d params);
                let stack = &*cx!().stack;
                let base =
                    ($fp as usize - stack.regs.as_ptr() as usize) / std::mem::size_of::<Cell>();
                let fits = cfg!(not(feature = "profile"))
                    && params <= TAIL_INLINE
                    && base + enter_room as usize <= stack.regs.len()
                    && base + args.0 as usize + TAIL_INLINE <= stack.regs.len();
                if fits {
                    // All `TAIL_INLINE` cells are read before any is written, so overlapping
                    // ranges move right; cells past `params` land below `num_params +
                    // CLEAR_INLINE` (`params <= TAIL_INLINE`), and those past the callee's
                    // parameters are cleared right after, as its locals start at zero.
                    // SAFETY: `base + args + TAIL_INLINE` and `base + enter_room` (which is
                    // at least `num_params + CLEAR_INLINE`) are at most `regs.len()` (checked).
                    unsafe {
                        let moved = $fp
                            .add(args.0 as usize)
                            .cast::<[Cell; TAIL_INLINE]>()
                            .read_unaligned();
                        $fp.cast::<[Cell; TAIL_INLINE]>().write_unaligned(moved);
                        $fp.add(num_params as usize)
                            .cast::<[Cell; crate::bytecode::CLEAR_INLINE]>()
                            .write_unaligned([0; crate::bytecode::CLEAR_INLINE]);
                    }
                    // The next step's `+ 1` lands on the callee's first instruction.
                    $ip = entry.wrapping_sub(1);
                }
                fits
            }};
        }
        // Calls the function at store address `addr` with its frame at register `args`: by
        // `enter_fast!` when it is a translated Wasm function of the running instance, else by
        // the backend's `call_addr_slow!`, which comes back to `call_addr_full!`.
        #[allow(unused_macros)]
        macro_rules! call_addr {
            ($d addr:expr, $d args:expr) => {{
                let (addr, args): (u32, Reg) = ($d addr, $d args);
                let cx = cx!();
                let running = cx.instance;
                let entered = match cx.store().entries.get(addr as usize) {
                    // Without code (or for a host function) `enter_room` never fits.
                    Some(e) if e.instance == running => {
                        let entry = std::ptr::with_exposed_provenance::<Op>(e.entry);
                        enter_fast!(entry, e.enter_room, e.num_params, args)
                    }
                    _ => false,
                };
                if !entered {
                    call_addr_slow!(addr, args);
                }
            }};
        }
        // `call_indirect`: the element's entry straight from the store (`quick_indirect`) and
        // `enter_fast!`, else the backend's `call_indirect_slow!`, which makes the whole call
        // (`indirect_callee!`'s checks and traps, then `call_addr_full!`).
        #[allow(unused_macros)]
        macro_rules! call_indirect {
            ($d type_index:expr, $d table:expr, $d index:expr, $d args:expr) => {{
                let (type_index, table, index, args): (u32, u32, Reg, Reg) =
                    ($d type_index, u32::from($d table), $d index, $d args);
                let cell = r!(index);
                let cx = cx!();
                let running = cx.instance;
                let entered = match quick_indirect(cx.store(), running, type_index, table, cell) {
                    Some(e) => {
                        let entry = std::ptr::with_exposed_provenance::<Op>(e.entry);
                        enter_fast!(entry, e.enter_room, e.num_params, args)
                    }
                    None => false,
                };
                if !entered {
                    call_indirect_slow!(type_index, table, index, args);
                }
            }};
        }
        // The whole call sequence of `call_addr!`.
        #[allow(unused_macros)]
        macro_rules! call_addr_full {
            ($d addr:expr, $d args:expr) => {{
                let addr: u32 = $d addr;
                // SAFETY: `args` is at most the frame size, so this stays within (or one past)
                // the current frame; the callee's room is checked before anything is accessed.
                let callee_fp = unsafe { $fp.add($d args.0 as usize) };
                let cx = cx!();
                let used = (callee_fp as usize - cx.stack.regs.as_ptr() as usize)
                    / std::mem::size_of::<Cell>();
                match &cx.store().funcs[addr as usize] {
                    FuncEntity::Wasm {
                        module,
                        index,
                        instance: callee_instance,
                        ..
                    } => {
                        let callee_instance = *callee_instance;
                        // Translated on the first call under lazy translation.
                        match module.code(*index as usize) {
                            Ok(code) => {
                                let code: *const CompiledFunc = &**code;
                                enter!(code, callee_instance, callee_fp, used, addr);
                            }
                            Err(e) => fail!(e),
                        }
                    }
                    FuncEntity::Host { .. } => call_host!(addr, used),
                }
                // A function this call translated: from now on its entry takes calls by
                // address on the fast path.
                let store = cx!().store();
                if store.entries.get(addr as usize).is_some_and(|e| e.entry == 0) {
                    store.refresh_entry(addr);
                }
            }};
        }
        // Calls host function `addr` with its frame `used` cells into the register stack,
        // without leaving the run (see `HostCall`); a failure or a requested suspension ends
        // the run as if at the instruction after the call.
        #[allow(unused_macros)]
        macro_rules! call_host {
            ($d addr:expr, $d used:expr) => {{
                let (addr, used): (u32, usize) = ($d addr, $d used);
                match host_call(cx!(), addr, used) {
                    // The host may have grown a memory (or, under the heap fallback, moved
                    // it): reload the cache. The next step's `+ 1` lands after the call.
                    HostDone::Returned => refresh_mem!(),
                    HostDone::Yield => {
                        $ip = $ip.wrapping_add(1);
                        suspend!(SuspendReason::HostYield);
                    }
                    HostDone::Failed(trap) => {
                        $ip = $ip.wrapping_add(1);
                        let trap = Box::into_raw(trap);
                        exit!(|at| Exit::HostFailed { at, trap });
                    }
                }
            }};
        }
        // A tail call's frame replacement: the running frame becomes one of `code` (function
        // `addr`, running in `callee_instance`). The `params` argument cells at register `args`
        // move down to the frame's base, which stays where it is, and no frame is pushed, so
        // the callee returns to this function's caller; the frame only grows if the callee
        // needs more registers than the stack has room for past the base.
        #[allow(unused_macros)]
        macro_rules! tail_enter {
            ($d code:expr, $d callee_instance:expr, $d addr:expr, $d args:expr, $d params:expr) => {{
                let code: *const CompiledFunc = $d code;
                // SAFETY: as in `enter!`, the store's modules keep the code alive.
                let code: &CompiledFunc = unsafe { &*code };
                let (args, params): (Reg, usize) = ($d args, $d params);
                let callee_instance: u32 = $d callee_instance;
                let cx = cx!();
                let base = ($fp as usize - cx.stack.regs.as_ptr() as usize)
                    / std::mem::size_of::<Cell>();
                if base + code.num_regs as usize > cx.stack.regs.len() {
                    if !cx.stack.grow_regs(base + code.num_regs as usize) {
                        trap!(TrapCode::StackOverflow);
                    }
                    // SAFETY: `base` was inside the old cells, which all moved to the new ones.
                    $fp = unsafe { cx.stack.regs.as_mut_ptr().add(base) };
                }
                // SAFETY: the arguments are registers `args..args + params` of the running
                // frame (`bytecode::verify` checks the span), and the callee's frame fits at
                // `fp` (checked just above); `copy` allows the two ranges to overlap.
                unsafe {
                    std::ptr::copy($fp.add(args.0 as usize), $fp, params);
                    zero_locals($fp, code);
                }
                #[cfg(feature = "profile")]
                {
                    let addr = $d addr;
                    cx.store().profile.enter(addr);
                    cx.cur_func = addr;
                }
                // The next step's `+ 1` lands on the callee's first instruction.
                $ip = code.code.as_ptr().wrapping_sub(1);
                if callee_instance != cx.instance {
                    cx.switch_instance(callee_instance);
                    $mem = MemCache::of(cx.store(), callee_instance);
                }
            }};
        }
        // Tail-calls the function at store address `addr` with its `params` argument cells at
        // register `args`. A host function gets them at the frame's base, where it leaves its
        // results; the run then continues at a `return` (`return_op`), which hands them to this
        // function's caller.
        #[allow(unused_macros)]
        macro_rules! tail_call_addr {
            ($d addr:expr, $d args:expr, $d params:expr) => {{
                let addr: u32 = $d addr;
                let (args, params): (Reg, usize) = ($d args, $d params);
                let cx = cx!();
                match &cx.store().funcs[addr as usize] {
                    FuncEntity::Wasm {
                        module,
                        index,
                        instance: callee_instance,
                        ..
                    } => {
                        let callee_instance = *callee_instance;
                        // Translated on the first call under lazy translation.
                        match module.code(*index as usize) {
                            Ok(code) => {
                                let code: *const CompiledFunc = &**code;
                                tail_enter!(code, callee_instance, addr, args, params);
                            }
                            Err(e) => fail!(e),
                        }
                    }
                    FuncEntity::Host { .. } => {
                        // SAFETY: as in `tail_enter!`: registers of the running frame.
                        unsafe { std::ptr::copy($fp.add(args.0 as usize), $fp, params) };
                        let base = ($fp as usize - cx.stack.regs.as_ptr() as usize)
                            / std::mem::size_of::<Cell>();
                        // The run goes on at a `return`, which hands the host's results to
                        // this function's caller; the next step's `+ 1` lands on it.
                        $ip = return_op().wrapping_sub(1);
                        call_host!(addr, base);
                    }
                }
            }};
        }
        // Pops the caller's frame (or ends the call when the entry frame returns).
        #[allow(unused_macros)]
        macro_rules! return_to_caller {
            () => {{
                let cx = cx!();
                let Some(frame) = cx.stack.frames.pop() else {
                    cx.exit = Exit::Returned;
                    return Err(Stop::Exit);
                };
                $ip = frame.ip.wrapping_sub(1);
                $fp = frame.fp;
                #[cfg(feature = "profile")]
                {
                    cx.cur_func = frame.func;
                }
                if frame.instance != cx.instance {
                    // Same-instance callees that grow the memory refresh `mem` themselves;
                    // host calls refresh it when they return.
                    return_switch!(frame.instance);
                }
            }};
        }
        // The rest of a return to another instance: makes it the running one and reloads the
        // memory cache.
        #[allow(unused_macros)]
        macro_rules! switch_to {
            ($d instance:expr) => {{
                let instance: u32 = $d instance;
                let cx = cx!();
                cx.switch_instance(instance);
                $mem = MemCache::of(cx.store(), instance);
            }};
        }
    };
}
pub(super) use define_access;
