//! The `match` loop: the portable backend. One `match` on the current instruction, an arm per
//! instruction kind (from [`with_semantics!`]), and a step to the next instruction at the end.
//!
//! It needs no tail calls, so it is what every build can use and what builds without
//! optimization run (`Dispatch::Threaded` falls back to it there, see `build.rs`). Without
//! LLVM's tail-duplication flags every arm jumps back to one shared indirect jump: compare it
//! with the threaded backend in `docs/performance.md`.

use super::machine::*;
use super::numeric_semantics::*;
use super::semantics::*;
use super::widen::*;
use super::{bulk, memidx, return_op, Exit, Frame, Position, SuspendReason};
use crate::bytecode::{CompiledFunc, Instr, Op, Reg};
use crate::error::TrapCode;
use crate::numeric::{self, CellVal};
use crate::ops::for_each_numeric_op;
use crate::runtime::interrupt;
use crate::runtime::{Callee, FuncEntity};
use crate::value::Cell;
use std::sync::atomic::Ordering;

macro_rules! match_loop {
    ($( $($v:ident { $($f:ident),* })|+ => $body:block )*) => {
        /// Runs from `ip` with the frame at `fp` until an instruction stops the run.
        ///
        /// # Safety
        /// `ip` is an instruction of live code (kept alive by `ctx`'s store for the whole run)
        /// and `fp` a frame inside `ctx`'s register stack that fits that code's registers.
        // SAFETY: an unsafe fn: the caller upholds the contract above.
        pub(super) unsafe fn run(
            mut ip: *const Op,
            mut fp: *mut Cell,
            mut mem: MemCache,
            ctx: *mut Ctx<'_>,
        ) -> Flow {
            let mut acc: Cell = 0;
            define_access!($ ip fp acc mem ctx);
            // A taken jump goes straight to the dispatch, skipping the step.
            macro_rules! jump {
                ($offset:expr) => {{
                    ip = jump(ip, $offset);
                    continue;
                }};
            }
            // A direct call off the fast path: the whole call sequence, right here.
            macro_rules! call_slow {
                ($func:expr, $args:expr) => {
                    call_func!($func, $args, @full)
                };
            }
            macro_rules! call_addr_slow {
                ($addr:expr, $args:expr) => {
                    call_addr_full!($addr, $args)
                };
            }
            macro_rules! call_indirect_slow {
                ($type_index:expr, $table:expr, $index:expr, $args:expr) => {{
                    let addr = indirect_callee!($type_index, $table, $index);
                    call_addr_full!(addr, $args)
                }};
            }
            macro_rules! return_switch {
                ($instance:expr) => {
                    switch_to!($instance)
                };
            }
            // A tail call off the fast path: the whole tail call, right here.
            macro_rules! tail_call_slow {
                ($func:expr, $args:expr, $params:expr) => {
                    tail_call_func!($func, $args, $params, @full)
                };
            }
            // A throw the memo does not answer: unwound right here.
            macro_rules! throw_slow {
                ($tag:expr, $args:expr, $params:expr) => {
                    throw_from!($tag, $args, $params)
                };
            }
            loop {
                // `ip` points into the current function's code (after the `+ 1` that ends
                // each step, for jumps, calls and returns too): it starts at its first
                // instruction, moves to the next one only after an instruction that is not
                // last (the last is always a jump, return or trap), and jumps land inside the
                // code.
                // By reference: each arm loads the fields it uses. A copy of the whole
                // instruction here had LLVM load every field before the jump, which made the
                // dispatch block too big for LLVM to duplicate into the arms (with no flags, it
                // still duplicates a small one: 193 dispatch jumps instead of 1).
                // SAFETY: so this reads a valid instruction of live code.
                let instr: &Instr = unsafe { &(*ip).instr };
                #[cfg(feature = "profile")]
                {
                    let cx = cx!();
                    let func = cx.cur_func;
                    cx.store().profile.count_instr(instr.index(), func);
                }
                match *instr {
                    $( $(Instr::$v { $($f),* })|+ => $body )*
                }
                ip = ip.wrapping_add(1);
            }
        }
    };
}

with_semantics!(match_loop);
