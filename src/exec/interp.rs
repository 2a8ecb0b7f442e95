//! The interpreter loop. Each arm is one instruction; larger handlers live in sibling modules.
//!
//! The hot state — instruction pointer, frame pointer into the register stack, the default
//! memory's base and length — lives in locals of this function so it stays in machine
//! registers. Nothing else does: with more values live across the loop than callee-saved
//! registers, LLVM spilled the frame pointer and every handler reloaded it. So the register
//! stack's base and length, needed only on calls, growth and exits, are read from `stack`
//! there. Register and instruction accesses are unchecked: the translator guarantees every
//! register index lies inside the frame and every jump inside the code (see
//! `bytecode::verify`, run on every function of the spec suite), and this loop checks the
//! frame's room on the register stack when it enters a function.

use super::widen::*;
use super::{bulk, Exit, Frame, Position, Stack, SuspendReason};
use crate::bytecode::{CompiledFunc, Instr, Reg};
use crate::error::{Trap, TrapCode};
use crate::numeric::{self, CellVal};
use crate::runtime::interrupt;
use crate::runtime::interrupt::StopFlag;
use crate::runtime::{Callee, FuncEntity, StoreInner};
use crate::value::Cell;
use std::sync::atomic::Ordering;

/// Reads register `r` of the frame at `fp`.
///
/// # Safety
/// `fp + r` must lie inside the register stack: `r` is below the frame's `num_regs` (a
/// translator invariant) and the frame was entered with `fp + num_regs <= end` (checked on
/// entry and at every call).
// SAFETY: an unsafe fn: callers uphold the contract above.
#[inline(always)]
unsafe fn get(fp: *mut Cell, r: Reg) -> Cell {
    // SAFETY: the caller guarantees `fp + r` is inside the register stack.
    unsafe { *fp.add(r.0 as usize) }
}

/// Writes register `r` of the frame at `fp`.
///
/// # Safety
/// As for [`get`].
// SAFETY: an unsafe fn: callers uphold the contract of `get`.
#[inline(always)]
unsafe fn set(fp: *mut Cell, r: Reg, value: Cell) {
    // SAFETY: the caller guarantees `fp + r` is inside the register stack.
    unsafe { *fp.add(r.0 as usize) = value }
}

/// Writes register `r` of the frame at `fp` and leaves the value in the accumulator, where the
/// next instruction may read it instead of the register (the `_acc` forms): a value passed on
/// in a machine register instead of through memory.
///
/// # Safety
/// As for [`get`].
// SAFETY: an unsafe fn: callers uphold the contract of `get`.
#[inline(always)]
unsafe fn put(fp: *mut Cell, r: Reg, value: Cell, acc: &mut Cell) {
    *acc = value;
    // SAFETY: the caller guarantees `fp + r` is inside the register stack.
    unsafe { set(fp, r, value) }
}

/// The default memory's buffer, cached for the loop. Refreshed whenever something may have
/// resized or replaced it: a return or call into other code, `memory.grow`, a bulk operation.
#[derive(Clone, Copy)]
struct MemCache {
    base: *mut u8,
    len: usize,
}

impl MemCache {
    fn of(store: &mut StoreInner, instance: u32) -> Self {
        match store.instances[instance as usize].memories.first() {
            Some(&m) => {
                let data = &mut store.memories[m as usize].data;
                MemCache {
                    base: data.as_mut_ptr(),
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
    fn load<const N: usize>(self, addr: Cell, offset: u32) -> Result<[u8; N], TrapCode> {
        let p = self.at::<N>(addr, offset)?;
        // SAFETY: `at` checked that `N` bytes at `p` are inside the buffer; no reference to the
        // buffer is alive while the loop runs.
        Ok(unsafe { p.cast::<[u8; N]>().read_unaligned() })
    }

    #[inline(always)]
    fn store<const N: usize>(
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

/// Runs from `at` (a function entry set up by `start`, or a suspended position) until the
/// outermost frame returns, a trap, or a suspension.
pub(super) fn execute(
    store: &mut StoreInner,
    stack: &mut Stack,
    at: Position,
    stop: &StopFlag,
) -> Result<Exit, Trap> {
    // SAFETY: `at.fp` is the offset of a frame that fits in the register stack: checked when
    // the call started or entered that frame.
    let mut fp = unsafe { stack.regs.as_mut_ptr().add(at.fp) };
    let mut ip: *const Instr = at.ip;
    let mut instance = at.instance;
    let mut mem = MemCache::of(store, instance);
    // The last result an instruction wrote (see `put`).
    let mut acc: Cell = 0;
    // The store address of the running function, charged for each instruction.
    #[cfg(feature = "profile")]
    let mut cur_func = at.func;
    // Leaves the loop with the position to continue from: this instruction, this frame.
    macro_rules! exit {
        ($exit:expr) => {
            return Ok($exit(Position {
                ip,
                fp: (fp as usize - stack.regs.as_ptr() as usize) / std::mem::size_of::<Cell>(),
                instance,
                #[cfg(feature = "profile")]
                func: cur_func,
            }))
        };
    }
    macro_rules! suspend {
        ($reason:expr) => {
            exit!(|at| Exit::Suspended(at, $reason))
        };
    }

    // Register of the current frame; see `get`/`set` for why this is in bounds.
    macro_rules! r {
        ($reg:expr) => {
            // SAFETY: a register operand of the current instruction, inside the current frame.
            unsafe { get(fp, $reg) }
        };
    }
    macro_rules! w {
        ($reg:expr, $value:expr) => {{
            let value = $value;
            // SAFETY: a register operand of the current instruction, inside the current frame.
            unsafe { put(fp, $reg, value, &mut acc) }
        }};
    }
    // `dst = c op (a * b)`: a `mul` and the `add` or `sub` of its result, each as its own
    // instruction would compute it.
    macro_rules! mul_then {
        ($dst:ident, $a:ident, $b:ident, $c:ident, $t:ty, $mul:ident, $op:ident) => {{
            let m = numeric::$mul(<$t>::from_cell(r!($a)), <$t>::from_cell(r!($b)));
            w!($dst, numeric::$op(<$t>::from_cell(r!($c)), m).into_cell())
        }};
    }
    // The address an indexed access uses: the fused `i32.add`, wrapping at 32 bits.
    macro_rules! idx {
        ($base:expr, $index:expr) => {
            (r!($base) as u32).wrapping_add(r!($index) as u32) as Cell
        };
    }
    // `idx!` with the base from the accumulator.
    macro_rules! acc_idx {
        ($index:expr) => {
            (acc as u32).wrapping_add(r!($index) as u32) as Cell
        };
    }
    // The address a displaced access uses: the fused `i32.add_imm`, wrapping at 32 bits.
    macro_rules! disp {
        ($base:expr, $disp:expr) => {
            (r!($base) as u32).wrapping_add($disp as u32) as Cell
        };
    }
    // Loads the bytes `$widen` takes (its parameter's size) and writes what it makes of them.
    macro_rules! load {
        ($dst:expr, $addr:expr, $offset:expr, $widen:expr) => {{
            let bytes = mem.load($addr, $offset)?;
            w!($dst, $widen(bytes));
        }};
    }
    macro_rules! store {
        ($addr:expr, $src:expr, $offset:expr, $bytes:expr) => {{
            mem.store(r!($addr), $offset, $bytes(r!($src)))?;
        }};
    }
    // Registers `args..args+n` as a slice, for bulk operations.
    macro_rules! three {
        ($args:expr) => {
            (
                r!($args) as u32,
                r!(Reg($args.0 + 1)) as u32,
                r!(Reg($args.0 + 2)) as u32,
            )
        };
    }
    // Enters function `addr` with its frame at register `args` of the current frame.
    // Pushes the caller's frame and enters `code` (of function `addr`, running in
    // `callee_instance`) with its frame at `callee_fp`, `used` registers into the stack.
    macro_rules! enter {
        ($code:expr, $callee_instance:expr, $callee_fp:expr, $used:expr, $addr:expr) => {{
            let code: &CompiledFunc = $code;
            let mut callee_fp: *mut Cell = $callee_fp;
            let used: usize = $used;
            if stack.frames.len() >= stack.max_frames {
                return Err(TrapCode::StackOverflow.into());
            }
            if used + code.num_regs as usize > stack.regs.len() {
                // The register stack grows (and may move): re-derive the frame pointers.
                let at = (fp as usize - stack.regs.as_ptr() as usize) / std::mem::size_of::<Cell>();
                if !stack.grow_regs(used + code.num_regs as usize) {
                    return Err(TrapCode::StackOverflow.into());
                }
                let regs = stack.regs.as_mut_ptr();
                // SAFETY: both offsets were inside the old cells, which all moved to the new
                // ones; `used + num_regs <= stack.regs.len()` now.
                unsafe {
                    fp = regs.add(at);
                    callee_fp = regs.add(used);
                }
            }
            let callee_instance = $callee_instance;
            // SAFETY: the callee's frame fits (checked just above).
            unsafe { zero_locals(callee_fp, code) };
            stack.frames.push(Frame {
                // SAFETY: a call is never the last instruction, so `ip + 1` is in the code.
                ip: unsafe { ip.add(1) },
                fp,
                instance,
                #[cfg(feature = "profile")]
                func: cur_func,
            });
            #[cfg(feature = "profile")]
            {
                let addr = $addr;
                store.profile.enter(addr);
                cur_func = addr;
            }
            // The code outlives the frame: see `invoke`, which keeps every module of the store
            // alive for the whole call.
            ip = code.code.as_ptr().wrapping_sub(1);
            fp = callee_fp;
            if callee_instance != instance {
                instance = callee_instance;
                mem = MemCache::of(store, instance);
            }
        }};
    }
    macro_rules! call {
        ($addr:expr, $args:expr) => {{
            let addr = $addr;
            // SAFETY: `args` is at most the frame size, so this stays within (or one past) the
            // current frame; the callee's room is checked before anything is accessed.
            let callee_fp = unsafe { fp.add($args.0 as usize) };
            let used =
                (callee_fp as usize - stack.regs.as_ptr() as usize) / std::mem::size_of::<Cell>();
            match &store.funcs[addr as usize] {
                FuncEntity::Wasm {
                    module,
                    index,
                    instance: callee_instance,
                    ..
                } => {
                    // Translated on the first call under lazy translation.
                    let code = module.code(*index as usize).map_err(Trap::host)?;
                    enter!(code, *callee_instance, callee_fp, used, addr);
                }
                FuncEntity::Host { .. } => {
                    #[cfg(feature = "profile")]
                    store.profile.enter(addr);
                    // The host function needs the whole store, host state included, which
                    // this loop does not have: the caller calls it and resumes after the call.
                    ip = ip.wrapping_add(1);
                    exit!(|at| Exit::Host {
                        at,
                        func: addr,
                        args: used
                    });
                }
            }
        }};
    }

    // Pops the caller's frame (or ends the call when the entry frame returns).
    macro_rules! return_to_caller {
        () => {{
            let Some(frame) = stack.frames.pop() else {
                return Ok(Exit::Returned);
            };
            ip = frame.ip.wrapping_sub(1);
            fp = frame.fp;
            #[cfg(feature = "profile")]
            {
                cur_func = frame.func;
            }
            if frame.instance != instance {
                // Same-instance callees that grow the memory refresh `mem` themselves; host
                // calls refresh it when they return.
                instance = frame.instance;
                mem = MemCache::of(store, instance);
            }
        }};
    }

    loop {
        // `ip` points into the current function's code (after the `+ 1` that ends each
        // step, for jumps, calls and returns too): it starts at its first instruction, moves
        // to the next one only after an instruction that is not last (the last is always a
        // jump, return or trap), and jumps land inside the code.
        // SAFETY: so this reads a valid instruction of live code (see `execute`'s caller).
        let instr: &Instr = unsafe { &*ip };
        #[cfg(feature = "profile")]
        store.profile.count_instr(instr.index(), cur_func);
        dispatch!(*instr, fp, ip, mem, acc, {
            Instr::Trap { code } => return Err(code.into()),
            Instr::Copy { dst, src } => w!(dst, r!(src)),
            Instr::CopyAcc { dst } => w!(dst, acc),
            Instr::Copy2 {
                dst0,
                src0,
                dst1,
                src1,
            } => {
                w!(dst0, r!(src0));
                w!(dst1, r!(src1));
            }
            Instr::Const32 { dst, value } => w!(dst, value as Cell),
            Instr::Const64 { dst, lo, hi } => w!(dst, (hi as Cell) << 32 | lo as Cell),
            Instr::Br { offset } => {
                ip = jump(ip, offset.0);
                continue;
            }
            Instr::BrIfNez { cond, offset } => {
                if r!(cond) as u32 != 0 {
                    ip = jump(ip, offset.0);
                    continue;
                }
            }
            Instr::BrIfEqz { cond, offset } => {
                if r!(cond) as u32 == 0 {
                    ip = jump(ip, offset.0);
                    continue;
                }
            }
            Instr::BrIfNezAcc { offset } => {
                if acc as u32 != 0 {
                    ip = jump(ip, offset.0);
                    continue;
                }
            }
            Instr::BrIfEqzAcc { offset } => {
                if acc as u32 == 0 {
                    ip = jump(ip, offset.0);
                    continue;
                }
            }
            Instr::BrTable { index, len } => {
                ip = ip.wrapping_add((r!(index) as u32).min(len) as usize);
            }
            Instr::Return {} => {
                return_to_caller!();
            }
            Instr::ReturnReg { src } => {
                w!(Reg(0), r!(src));
                return_to_caller!();
            }
            Instr::Call { func, args }
            | Instr::CallCopy { func, args, .. }
            | Instr::CallCopy2 { func, args, .. } => {
                // The fused forms first make their copies, in the order `copy`/`copy2` would.
                match *instr {
                    Instr::CallCopy { dst, src, .. } => w!(dst, r!(src)),
                    Instr::CallCopy2 { a, b, .. } => {
                        // `args` and `args + 1` are registers of this frame: the `copy2` this
                        // replaces wrote them (`bytecode::verify` checks both).
                        w!(args, r!(a));
                        w!(Reg(args.0.wrapping_add(1)), r!(b));
                    }
                    _ => {}
                }
                let caller = &store.instances[instance as usize];
                match &caller.callees[func as usize] {
                    // A translated Wasm callee: straight from the instance's cache.
                    Callee {
                        code: Some(code),
                        instance: callee_instance,
                    } => {
                        // SAFETY: `args` is at most the frame size, so this stays within (or
                        // one past) the current frame; `enter!` checks the callee's room.
                        let callee_fp = unsafe { fp.add(args.0 as usize) };
                        let used = (callee_fp as usize - stack.regs.as_ptr() as usize) / std::mem::size_of::<Cell>();
                        enter!(
                            code,
                            *callee_instance,
                            callee_fp,
                            used,
                            store.instances[instance as usize].funcs[func as usize]
                        );
                    }
                    _ => {
                        let (caller, addr) = (instance, caller.funcs[func as usize]);
                        call!(addr, args);
                        // A callee translated by this first call goes into the cache.
                        if let FuncEntity::Wasm { module, index, .. } = &store.funcs[addr as usize] {
                            if let Some(code) = module.translated(*index as usize) {
                                let code = Some(code.clone());
                                store.instances[caller as usize].callees[func as usize].code = code;
                            }
                        }
                    }
                }
            }
            Instr::CallIndirect {
                type_index,
                table,
                index,
                args,
            } => {
                let inst = &store.instances[instance as usize];
                let table = &store.tables[inst.tables[table as usize] as usize];
                let cell = *table
                    .elems
                    .get(r!(index) as u32 as usize)
                    .ok_or(TrapCode::UndefinedElement)?;
                if cell == 0 {
                    return Err(TrapCode::UninitializedElement.into());
                }
                let addr = (cell - 1) as u32;
                if store.funcs[addr as usize].ty() != inst.types[type_index as usize] {
                    return Err(TrapCode::IndirectCallTypeMismatch.into());
                }
                call!(addr, args);
            }
            Instr::Select { dst, cond, a, b } => {
                w!(dst, if r!(cond) as u32 != 0 { r!(a) } else { r!(b) })
            }
            Instr::SelectAndImm { dst, a, mask, x, y } => {
                w!(dst, if r!(a) as u32 & mask as u32 != 0 { r!(x) } else { r!(y) })
            }
            Instr::SelectAndImmAcc { dst, mask, x, y } => {
                w!(dst, if acc as u32 & mask as u32 != 0 { r!(x) } else { r!(y) })
            }
            Instr::GlobalGet { dst, global } => {
                let g = store.instances[instance as usize].globals[global as usize];
                w!(dst, store.globals[g as usize].value);
            }
            Instr::GlobalSet { src, global } => {
                let g = store.instances[instance as usize].globals[global as usize];
                store.globals[g as usize].value = r!(src);
            }
            Instr::I32Load { dst, addr, offset } | Instr::F32Load { dst, addr, offset } => {
                load!(dst, r!(addr), offset, zext32)
            }
            Instr::I64Load { dst, addr, offset } | Instr::F64Load { dst, addr, offset } => {
                load!(dst, r!(addr), offset, bits64)
            }
            Instr::I32LoadAcc { dst, offset } => load!(dst, acc, offset, zext32),
            Instr::I64LoadAcc { dst, offset } => load!(dst, acc, offset, bits64),
            Instr::I32StoreAcc { addr, offset } => {
                mem.store(r!(addr), offset, (acc as u32).to_le_bytes())?
            }
            Instr::I64StoreAcc { addr, offset } => mem.store(r!(addr), offset, acc.to_le_bytes())?,
            Instr::I32Load8S { dst, addr, offset } => {
                load!(dst, r!(addr), offset, sext8_32)
            }
            Instr::I32Load8U { dst, addr, offset } | Instr::I64Load8U { dst, addr, offset } => {
                load!(dst, r!(addr), offset, zext8)
            }
            Instr::I32Load16S { dst, addr, offset } => {
                load!(
                    dst,
                    r!(addr),
                    offset,
                    sext16_32)
            }
            Instr::I32Load16U { dst, addr, offset } | Instr::I64Load16U { dst, addr, offset } => {
                load!(dst, r!(addr), offset, zext16)
            }
            Instr::I64Load8S { dst, addr, offset } => {
                load!(dst, r!(addr), offset, sext8_64)
            }
            Instr::I64Load16S { dst, addr, offset } => {
                load!(dst, r!(addr), offset, sext16_64)
            }
            Instr::I64Load32S { dst, addr, offset } => {
                load!(dst, r!(addr), offset, sext32_64)
            }
            Instr::I64Load32U { dst, addr, offset } => {
                load!(dst, r!(addr), offset, zext32)
            }
            Instr::I32Store { addr, src, offset }
            | Instr::F32Store { addr, src, offset }
            | Instr::I64Store32 { addr, src, offset } => {
                store!(addr, src, offset, |v: Cell| (v as u32).to_le_bytes())
            }
            Instr::I64Store { addr, src, offset } | Instr::F64Store { addr, src, offset } => {
                store!(addr, src, offset, |v: Cell| v.to_le_bytes())
            }
            Instr::I32Store8 { addr, src, offset } | Instr::I64Store8 { addr, src, offset } => {
                store!(addr, src, offset, |v: Cell| (v as u8).to_le_bytes())
            }
            Instr::I32Store16 { addr, src, offset } | Instr::I64Store16 { addr, src, offset } => {
                store!(addr, src, offset, |v: Cell| (v as u16).to_le_bytes())
            }
            Instr::Store8Imm {
                addr,
                value,
                offset,
            } => mem.store(r!(addr), offset, (value as u8).to_le_bytes())?,
            Instr::Store16Imm {
                addr,
                value,
                offset,
            } => mem.store(r!(addr), offset, (value as u16).to_le_bytes())?,
            Instr::Store32Imm {
                addr,
                value,
                offset,
            } => mem.store(r!(addr), offset, value.to_le_bytes())?,
            Instr::Store64Imm {
                addr,
                value,
                offset,
            } => mem.store(r!(addr), offset, (value as i64).to_le_bytes())?,
            Instr::I32LoadIdx {
                dst,
                base,
                index,
                offset,
            } => load!(dst, idx!(base, index), offset, zext32),
            Instr::I64LoadIdx {
                dst,
                base,
                index,
                offset,
            } => load!(dst, idx!(base, index), offset, bits64),
            Instr::I32Load8UIdx {
                dst,
                base,
                index,
                offset,
            } => load!(dst, idx!(base, index), offset, zext8),
            Instr::I32Load8SIdx {
                dst,
                base,
                index,
                offset,
            } => load!(dst, idx!(base, index), offset, sext8_32),
            Instr::I32Load16UIdx {
                dst,
                base,
                index,
                offset,
            } => load!(dst, idx!(base, index), offset, zext16),
            Instr::I32Load16SIdx {
                dst,
                base,
                index,
                offset,
            } => load!(dst, idx!(base, index), offset, sext16_32),
            Instr::I32StoreIdx {
                base,
                index,
                src,
                offset,
            } => mem.store(idx!(base, index), offset, (r!(src) as u32).to_le_bytes())?,
            Instr::I64StoreIdx {
                base,
                index,
                src,
                offset,
            } => mem.store(idx!(base, index), offset, r!(src).to_le_bytes())?,
            Instr::Store8Idx {
                base,
                index,
                src,
                offset,
            } => mem.store(idx!(base, index), offset, (r!(src) as u8).to_le_bytes())?,
            Instr::Store16Idx {
                base,
                index,
                src,
                offset,
            } => mem.store(idx!(base, index), offset, (r!(src) as u16).to_le_bytes())?,
            Instr::Store8ImmIdx {
                base,
                index,
                value,
                offset,
            } => mem.store(idx!(base, index), offset, (value as u8).to_le_bytes())?,
            Instr::I32LoadIdxAcc { dst, index, offset } => {
                load!(dst, acc_idx!(index), offset, zext32)
            }
            Instr::I64LoadIdxAcc { dst, index, offset } => {
                load!(dst, acc_idx!(index), offset, bits64)
            }
            Instr::I32Load8UIdxAcc { dst, index, offset } => {
                load!(dst, acc_idx!(index), offset, zext8)
            }
            Instr::I32StoreIdxAcc {
                base,
                index,
                offset,
            } => mem.store(idx!(base, index), offset, (acc as u32).to_le_bytes())?,
            Instr::I64StoreIdxAcc {
                base,
                index,
                offset,
            } => mem.store(idx!(base, index), offset, acc.to_le_bytes())?,
            Instr::Store8ImmIdxAcc {
                index,
                value,
                offset,
            } => mem.store(acc_idx!(index), offset, (value as u8).to_le_bytes())?,
            Instr::I32LoadDisp {
                dst,
                base,
                disp,
                offset,
            } => load!(dst, disp!(base, disp), offset as u32, zext32),
            Instr::I64LoadDisp {
                dst,
                base,
                disp,
                offset,
            } => load!(dst, disp!(base, disp), offset as u32, bits64),
            Instr::I32Load8UDisp {
                dst,
                base,
                disp,
                offset,
            } => load!(dst, disp!(base, disp), offset as u32, zext8),
            Instr::I32Load8SDisp {
                dst,
                base,
                disp,
                offset,
            } => load!(dst, disp!(base, disp), offset as u32, sext8_32),
            Instr::I32Load16UDisp {
                dst,
                base,
                disp,
                offset,
            } => load!(dst, disp!(base, disp), offset as u32, zext16),
            Instr::I32Load16SDisp {
                dst,
                base,
                disp,
                offset,
            } => load!(dst, disp!(base, disp), offset as u32, sext16_32),
            Instr::I32StoreDisp {
                base,
                src,
                disp,
                offset,
            } => mem.store(
                disp!(base, disp),
                offset as u32,
                (r!(src) as u32).to_le_bytes(),
            )?,
            Instr::I64StoreDisp {
                base,
                src,
                disp,
                offset,
            } => mem.store(disp!(base, disp), offset as u32, r!(src).to_le_bytes())?,
            Instr::Store8Disp {
                base,
                src,
                disp,
                offset,
            } => mem.store(disp!(base, disp), offset as u32, (r!(src) as u8).to_le_bytes())?,
            Instr::Store16Disp {
                base,
                src,
                disp,
                offset,
            } => mem.store(
                disp!(base, disp),
                offset as u32,
                (r!(src) as u16).to_le_bytes(),
            )?,
            // Constant addresses: the address register is 0, the offset the address.
            Instr::I32LoadAbs { dst, addr } => {
                load!(dst, 0, addr, zext32)
            }
            Instr::I64LoadAbs { dst, addr } => load!(dst, 0, addr, bits64),
            Instr::I32Load8UAbs { dst, addr } => {
                load!(dst, 0, addr, zext8)
            }
            Instr::I32Load8SAbs { dst, addr } => {
                load!(dst, 0, addr, sext8_32)
            }
            Instr::I32Load16UAbs { dst, addr } => {
                load!(dst, 0, addr, zext16)
            }
            Instr::I32Load16SAbs { dst, addr } => {
                load!(dst, 0, addr, sext16_32)
            }
            Instr::I32StoreAbs { src, addr } => mem.store(0, addr, (r!(src) as u32).to_le_bytes())?,
            Instr::I64StoreAbs { src, addr } => mem.store(0, addr, r!(src).to_le_bytes())?,
            Instr::Store8Abs { src, addr } => mem.store(0, addr, (r!(src) as u8).to_le_bytes())?,
            Instr::Store16Abs { src, addr } => {
                mem.store(0, addr, (r!(src) as u16).to_le_bytes())?
            }
            Instr::I32LoadBump {
                dst,
                x,
                imm,
                offset,
            } => {
                let p = (r!(x) as u32).wrapping_add(imm as u32);
                w!(x, p as Cell);
                load!(dst, p as Cell, offset as u32, zext32)
            }
            Instr::I32ShrUAndImm {
                dst,
                a,
                shift,
                mask,
            } => w!(dst, ((r!(a) as u32 >> shift) & mask as u32) as Cell),
            Instr::I32ShrUAndImmAcc { dst, shift, mask } => {
                w!(dst, ((acc as u32 >> shift) & mask as u32) as Cell)
            }
            Instr::I32ShlAddImm {
                dst,
                a,
                shift,
                imm,
            } => w!(dst, ((r!(a) as u32) << shift).wrapping_add(imm as u32) as Cell),
            Instr::I32ShlAddImmAcc { dst, shift, imm } => {
                w!(dst, ((acc as u32) << shift).wrapping_add(imm as u32) as Cell)
            }
            Instr::I32XorRotlImm { dst, a, b, rot } => {
                w!(dst, (r!(a) as u32 ^ (r!(b) as u32).rotate_left(rot as u32)) as Cell)
            }
            Instr::I32AddImmPair { x, y, i, j } => {
                w!(x, (r!(x) as u32).wrapping_add(i as i32 as u32) as Cell);
                w!(y, (r!(y) as u32).wrapping_add(j as i32 as u32) as Cell);
            }
            Instr::I32AddImm2 { dst, dst2, a, imm } => {
                let v = numeric::i32_add(r!(a) as i32, imm).into_cell();
                w!(dst, v);
                w!(dst2, v);
            }
            Instr::I32MulAdd { dst, a, b, c } => mul_then!(dst, a, b, c, i32, i32_mul, i32_add),
            Instr::I64MulAdd { dst, a, b, c } => mul_then!(dst, a, b, c, i64, i64_mul, i64_add),
            Instr::F32MulAdd { dst, a, b, c } => mul_then!(dst, a, b, c, f32, f32_mul, f32_add),
            Instr::F64MulAdd { dst, a, b, c } => mul_then!(dst, a, b, c, f64, f64_mul, f64_add),
            Instr::I32MulSub { dst, a, b, c } => mul_then!(dst, a, b, c, i32, i32_mul, i32_sub),
            Instr::I64MulSub { dst, a, b, c } => mul_then!(dst, a, b, c, i64, i64_mul, i64_sub),
            Instr::F32MulSub { dst, a, b, c } => mul_then!(dst, a, b, c, f32, f32_mul, f32_sub),
            Instr::F64MulSub { dst, a, b, c } => mul_then!(dst, a, b, c, f64, f64_mul, f64_sub),
            Instr::MemorySize { dst } => w!(dst, (mem.len / crate::runtime::PAGE_SIZE) as Cell),
            Instr::MemoryGrow { dst, delta } => {
                let m = store.instances[instance as usize].memories[0];
                let old = store.memories[m as usize].grow(r!(delta) as u32);
                w!(dst, old.unwrap_or(u32::MAX) as Cell);
                mem = MemCache::of(store, instance);
            }
            Instr::MemoryInit { args, data } => {
                let (d, s, n) = three!(args);
                let inst = &store.instances[instance as usize];
                let (m, seg) = (inst.memories[0], inst.datas[data as usize]);
                bulk::memory_init(store, m as usize, seg as usize, d, s, n)?;
                mem = MemCache::of(store, instance);
            }
            Instr::DataDrop { data } => {
                let seg = store.instances[instance as usize].datas[data as usize];
                store.datas[seg as usize] = Vec::new();
            }
            Instr::MemoryCopy { args } => {
                let (d, s, n) = three!(args);
                let m = store.instances[instance as usize].memories[0];
                bulk::memory_copy(&mut store.memories[m as usize].data, d, s, n)?;
                mem = MemCache::of(store, instance);
            }
            Instr::MemoryFill { args } => {
                let (d, v, n) = three!(args);
                let m = store.instances[instance as usize].memories[0];
                bulk::memory_fill(&mut store.memories[m as usize].data, d, v as u8, n)?;
                mem = MemCache::of(store, instance);
            }
            Instr::TableGet { dst, index, table } => {
                let t = table_addr(store, instance, table);
                let i = r!(index) as u32 as usize;
                w!(
                    dst,
                    *store.tables[t]
                        .elems
                        .get(i)
                        .ok_or(TrapCode::TableOutOfBounds)?
                );
            }
            Instr::TableSet {
                index,
                value,
                table,
            } => {
                let t = table_addr(store, instance, table);
                let i = r!(index) as u32 as usize;
                let v = r!(value);
                *store.tables[t]
                    .elems
                    .get_mut(i)
                    .ok_or(TrapCode::TableOutOfBounds)? = v;
            }
            Instr::TableSize { dst, table } => {
                let t = table_addr(store, instance, table);
                w!(dst, store.tables[t].size() as Cell);
            }
            Instr::TableGrow { args, table } => {
                let t = table_addr(store, instance, table);
                let (init, delta) = (r!(args), r!(Reg(args.0 + 1)) as u32);
                w!(
                    args,
                    store.tables[t].grow(delta, init).unwrap_or(u32::MAX) as Cell
                );
            }
            Instr::TableFill { args, table } => {
                let t = table_addr(store, instance, table);
                let (i, v, n) = (
                    r!(args) as u32,
                    r!(Reg(args.0 + 1)),
                    r!(Reg(args.0 + 2)) as u32,
                );
                bulk::table_fill(&mut store.tables[t].elems, i, v, n)?;
            }
            Instr::TableCopy {
                args,
                dst_table,
                src_table,
            } => {
                let (d, s, n) = three!(args);
                let dt = table_addr(store, instance, dst_table as u32);
                let st = table_addr(store, instance, src_table as u32);
                bulk::table_copy(store, dt, st, d, s, n)?;
            }
            Instr::TableInit { args, table, elem } => {
                let (d, s, n) = three!(args);
                let t = table_addr(store, instance, table as u32);
                let seg = store.instances[instance as usize].elems[elem as usize];
                bulk::table_init(store, t, seg as usize, d, s, n)?;
            }
            Instr::ElemDrop { elem } => {
                let seg = store.instances[instance as usize].elems[elem as usize];
                store.elems[seg as usize] = Vec::new();
            }
            Instr::ConsumeFuel { amount } => {
                let amount = amount as u64;
                if store.fuel < amount {
                    suspend!(SuspendReason::OutOfFuel { required: amount });
                }
                store.fuel -= amount;
            }
            Instr::Check {} => {
                if stop.state.load(Ordering::Relaxed) != interrupt::RUN {
                    match stop.state.swap(interrupt::RUN, Ordering::Relaxed) {
                        interrupt::DEADLINE => suspend!(SuspendReason::DeadlineExceeded),
                        _ => suspend!(SuspendReason::Interrupted),
                    }
                }
            }
            Instr::RefFunc { dst, func } => {
                w!(
                    dst,
                    store.instances[instance as usize].funcs[func as usize] as Cell + 1
                );
            }
        });
        // Every instruction but a taken jump ends here, calls and returns included (they set
        // `ip` one before their target); taken jumps `continue` to the dispatch. The compiler
        // gives every handler its own copy of the dispatch: threaded dispatch from a plain match.
        ip = ip.wrapping_add(1);
    }
}

/// Clears the non-parameter locals of a new frame (Wasm locals start at zero).
///
/// # Safety
/// `fp + code.num_regs` must lie within the register stack.
// SAFETY: an unsafe fn: callers uphold the contract above.
#[inline(always)]
unsafe fn zero_locals(fp: *mut Cell, code: &CompiledFunc) {
    let params = code.num_params as usize;
    let count = code.num_locals as usize - params;
    if count == 0 {
        return;
    }
    // SAFETY: `params + count = num_locals <= num_regs`, inside the frame.
    unsafe { std::ptr::write_bytes(fp.add(params), 0, count) };
}

/// The instruction pointer after a jump by `offset` instructions. Taken jumps go straight to
/// the dispatch (`continue`), skipping the step's `+ 1`: the new `ip` is then one load and one
/// address computation away from the old one, and in a loop every instruction of the next
/// iteration waits for it.
#[inline(always)]
fn jump(ip: *const Instr, offset: i32) -> *const Instr {
    // Wrapping arithmetic keeps this safe; the translator guarantees the target is in the code.
    ip.wrapping_offset(offset as isize)
}

fn table_addr(store: &StoreInner, instance: u32, table: u32) -> usize {
    store.instances[instance as usize].tables[table as usize] as usize
}
