//! The threaded backend: one handler function per instruction kind (from
//! [`with_semantics!`]), its address stored in the bytecode beside the instruction ([`Op`]).
//! A handler runs its instruction, loads the next instruction's handler and calls it in tail
//! position with the hot state as arguments: direct threading, one load and one indirect jump
//! per instruction, each from its own place in the code (which the branch predictor likes).
//!
//! Rust cannot promise a tail call (`become` is unstable), but LLVM turns a call in tail
//! position into a jump when the callee's signature matches the caller's and nothing of the
//! caller's frame lives on: every handler has the same signature, takes only scalars and raw
//! pointers, and owns nothing with a destructor at its tail call. LLVM only does this when
//! optimizing (opt-level 2, 3, `s` or `z`) on targets with sibling-call support; `build.rs`
//! sets `regwasm_tail_calls` exactly then, and without it `Dispatch::Threaded` runs the match
//! loop instead, so a debug build never grows the native stack per instruction.
//! `tests/threaded_stack.rs` fails if an optimized build ever does.

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

macro_rules! handlers {
    ($( $($v:ident { $($f:ident),* })|+ => $body:block )*) => {
        /// The handler that runs `instr`.
        pub(crate) fn handler_of(instr: &Instr) -> Handler {
            match instr {
                $($(
                    Instr::$v { .. } => {
                        /// Runs one instruction, then the next one's handler.
                        ///
                        /// # Safety
                        /// `ip` points to an [`Op`] of live code whose instruction is this
                        /// handler's kind (`Op::new` pairs them), `fp` to a frame that fits
                        /// the code's registers, `mem_base`/`mem_len` describe the running
                        /// instance's default memory, and `ctx` to the run's context.
                        // SAFETY: an unsafe fn: callers uphold the contract above.
                        // (A handler that always stops the run leaves some state unused.)
                        #[allow(unused_mut, unused_variables, unused_assignments)]
                        unsafe fn handler(
                            ip: *const Op,
                            fp: *mut Cell,
                            mem_base: *mut u8,
                            mem_len: usize,
                            acc: Cell,
                            ctx: *mut Ctx<'_>,
                        ) -> Flow {
                            let (mut ip, mut fp, mut acc) = (ip, fp, acc);
                            let mut mem = MemCache { base: mem_base, len: mem_len };
                            define_access!($ ip fp acc mem ctx);
                            // Calls the handler of the instruction at `ip`, in tail position.
                            macro_rules! next {
                                () => {
                                    // SAFETY: `ip` points to an instruction of live code (the
                                    // step and the jumps keep it inside, see `backend_loop`),
                                    // and the hot state passed on is this handler's.
                                    return unsafe { ((*ip).handler)(ip, fp, mem.base, mem.len, acc, ctx) }
                                };
                            }
                            #[allow(unused_macros)]
                            macro_rules! jump {
                                ($offset:expr) => {{
                                    ip = jump(ip, $offset.0);
                                    next!();
                                }};
                            }
                            #[cfg(feature = "profile")]
                            {
                                let cx = cx!();
                                // SAFETY: as for `next!`.
                                let index = unsafe { (*ip).instr.index() };
                                cx.store.profile.count_instr(index, cx.cur_func);
                            }
                            // SAFETY: `Op::new` stores this handler only beside an instruction
                            // of this kind, and `Op`'s fields are private to `bytecode`.
                            let Instr::$v { $($f),* } = (unsafe { (*ip).instr }) else {
                                // SAFETY: as above.
                                unsafe { std::hint::unreachable_unchecked() }
                            };
                            $body
                            #[allow(unreachable_code)]
                            {
                                ip = ip.wrapping_add(1);
                                next!();
                            }
                        }
                        handler
                    }
                )+)*
            }
        }
    };
}

with_semantics!(handlers);
