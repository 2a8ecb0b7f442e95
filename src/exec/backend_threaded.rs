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

/// Defines handler `$name` (generic over `$gen`) for instruction kind `$v`: the entry's
/// `$body` between the hot state's set-up (plus `$prelude`) and the tail call of the next
/// instruction's handler.
macro_rules! handler_fn {
    ($(#[$attr:meta])* $name:ident [$($gen:tt)*] [$($prelude:tt)*] $v:ident { $($f:ident),* } $body:block) => {
        handler_fn!(@pat $(#[$attr])* $name [$($gen)*] [$($prelude)*] (Instr::$v { $($f),* }) $body);
    };
    // The same for a handler that runs after the instruction at `ip` started (`call_slow`):
    // `$pat` binds what it reads of it.
    (@pat $(#[$attr:meta])* $name:ident [$($gen:tt)*] [$($prelude:tt)*] ($pat:pat) $body:block) => {
        /// Runs one instruction, then the next one's handler.
        ///
        /// # Safety
        /// `ip` points to an [`Op`] of live code whose instruction is this handler's kind
        /// (`Op::new` pairs them), `fp` to a frame that fits the code's registers,
        /// `mem_base`/`mem_len` describe the running instance's default memory, and `ctx` to
        /// the run's context.
        // (A handler that always stops the run leaves some state unused.)
        #[allow(unused_mut, unused_variables, unused_assignments)]
        $(#[$attr])*
        // SAFETY: an unsafe fn: callers uphold the contract above.
        unsafe fn $name<$($gen)*>(
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
            $($prelude)*
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
                    ip = jump(ip, $offset);
                    next!();
                }};
            }
            #[cfg(feature = "profile")]
            {
                let cx = cx!();
                // SAFETY: as for `next!`.
                let index = unsafe { (*ip).instr.index() };
                let func = cx.cur_func;
                cx.store().profile.count_instr(index, func);
            }
            // A direct call off the fast path: `call_slow`, in tail position, does the whole
            // call sequence. Out of this handler, so that its calls (`memset`, growing the
            // stacks, lazy translation) cost this handler no callee-saved registers.
            #[allow(unused_macros)]
            macro_rules! call_slow {
                ($func:expr, $args:expr) => {{
                    // SAFETY: as for `next!`; `ip` is this call, whose `func` and `args`
                    // `call_slow` reads again (so that they need no register here).
                    return unsafe { call_slow(ip, fp, mem.base, mem.len, acc, ctx) };
                }};
            }
            // The same for a call by store address (`call_addr!`).
            #[allow(unused_macros)]
            macro_rules! call_addr_slow {
                ($addr:expr, $args:expr) => {{
                    cx!().pending_call = ($addr, $args);
                    // SAFETY: as for `call_slow!`.
                    return unsafe { call_addr_slow(ip, fp, mem.base, mem.len, acc, ctx) };
                }};
            }
            // A `call_indirect` off the fast path (`call_indirect!`): `call_indirect_slow`, in
            // tail position, makes the whole call, so that the fast path needs no callee-saved
            // registers for the traps and the lookups of the full one.
            #[allow(unused_macros)]
            macro_rules! call_indirect_slow {
                ($type_index:expr, $table:expr, $index:expr, $args:expr) => {{
                    // SAFETY: as for `next!`; `ip` is this `call_indirect`, which
                    // `call_indirect_slow` reads.
                    return unsafe { call_indirect_slow(ip, fp, mem.base, mem.len, acc, ctx) };
                }};
            }
            // A return to another instance: `return_switch`, in tail position, switches to it,
            // so that the return handlers make no call (a call, even a cold one, costs them a
            // stack adjustment on every return).
            #[allow(unused_macros)]
            macro_rules! return_switch {
                ($instance:expr) => {{
                    cx!().pending_instance = $instance;
                    // SAFETY: as for `next!`; `ip` is the call being returned to, which
                    // `return_switch` steps past.
                    return unsafe { return_switch(ip, fp, mem.base, mem.len, acc, ctx) };
                }};
            }
            // A tail call off the fast path (`tail_enter_fast!`): `tail_call_slow`, in tail
            // position, makes it, so that `return_call`'s fast path needs no callee-saved
            // registers.
            #[allow(unused_macros)]
            macro_rules! tail_call_slow {
                ($func:expr, $args:expr, $params:expr) => {{
                    // SAFETY: as for `next!`; `ip` is this `return_call`, which
                    // `tail_call_slow` reads.
                    return unsafe { tail_call_slow(ip, fp, mem.base, mem.len, acc, ctx) };
                }};
            }
            // A throw the memo does not answer: `throw_slow`, in tail position, unwinds it, so
            // that the `throw` handler's fast path needs no callee-saved registers either.
            #[allow(unused_macros)]
            macro_rules! throw_slow {
                ($tag:expr, $args:expr, $params:expr) => {{
                    // SAFETY: as for `next!`; `ip` is this `throw`, which `throw_slow` reads.
                    return unsafe { throw_slow(ip, fp, mem.base, mem.len, acc, ctx) };
                }};
            }
            // SAFETY: `Op::new` stores this handler only beside an instruction
            // of this kind, and `Op`'s fields are private to `bytecode`.
            let $pat = (unsafe { (*ip).instr }) else {
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
    };
}

macro_rules! handlers {
    ($( $($v:ident { $($f:ident),* })|+ => $body:block )*) => {
        /// The handler that runs `instr` whatever its operands: a table lookup by kind, so
        /// inlined where the kind is a constant (each precompiled decoder) it folds away.
        // Forced only when optimized: unoptimized, each of ~700 decoders would keep a copy.
        #[cfg_attr(debug_assertions, inline)]
        #[cfg_attr(not(debug_assertions), inline(always))]
        fn generic_handler_of(instr: &Instr) -> Handler {
            match instr {
                $($(
                    Instr::$v { .. } => {
                        handler_fn!(handler [] [] $v { $($f),* } $body);
                        handler
                    }
                )+)*
            }
        }
    };
}

with_semantics!(handlers);

// The direct call that a call handler's fast path (`enter_fast!`) could not make, with the
// instruction at `ip` (the call) half run: its copies are done. `func` and `args` are read
// from it again, so that the fast path keeps no register for them (two fewer registers saved
// and restored on every call).
handler_fn!(@pat
    #[allow(irrefutable_let_patterns)]
    #[inline(never)]
    call_slow [] [] (instr) {
        let (func, args) = match instr {
            Instr::Call { func, args }
            | Instr::CallCopy { func, args, .. }
            | Instr::CallCopy2 { func, args, .. } => (func, args),
            // Only these reach `call_slow!` (through `call_func!`).
            other => fail!(crate::error::Error::Internal(format!(
                "call_slow at {}",
                other.mnemonic()
            ))),
        };
        call_func!(func, args, @full)
    }
);

// The same for a call by store address that `call_addr!` could not make fast (`pending_call`
// holds the address).
handler_fn!(@pat
    #[allow(irrefutable_let_patterns)]
    #[inline(never)]
    call_addr_slow [] [] (_) {
        let (addr, args) = cx!().pending_call;
        call_addr_full!(addr, args)
    }
);

// The `call_indirect` at `ip` that `call_indirect!` could not make fast: the whole call.
handler_fn!(@pat
    #[inline(never)]
    call_indirect_slow [] [] (Instr::CallIndirect { type_index, table, index, args }) {
        let addr = indirect_callee!(type_index, table, index);
        call_addr_full!(addr, args)
    }
);

// A return whose frame belongs to another instance (`Ctx::pending_instance`), its frame
// already popped and `ip` at the call returned to: switches to that instance.
handler_fn!(@pat
    #[allow(irrefutable_let_patterns)]
    #[inline(never)]
    return_switch [] [] (_) {
        let instance = cx!().pending_instance;
        switch_to!(instance)
    }
);

// The `return_call` at `ip` that `tail_enter_fast!` could not make: the whole tail call.
handler_fn!(@pat
    #[inline(never)]
    tail_call_slow [] [] (Instr::ReturnCall { func, args, params }) {
        tail_call_func!(func, args, params, @full)
    }
);

// The `throw` at `ip` that `unwind::throw_quick` could not land: the whole unwinding.
handler_fn!(@pat
    #[inline(never)]
    throw_slow [] [] (Instr::Throw { tag, args, params }) {
        throw_from!(tag, args, params)
    }
);

/// The handler that runs `instr`: its vector operator's own handler where it has one (see
/// [`simd_handler_of`]), else its kind's. Inlined: where the kind is known (each precompiled
/// decoder of `bytecode::serial`) it folds to a constant for the kinds without own handlers.
// Forced only when optimized: unoptimized, each of ~700 decoders would keep a copy.
#[cfg_attr(debug_assertions, inline)]
#[cfg_attr(not(debug_assertions), inline(always))]
pub(crate) fn handler_of(instr: &Instr) -> Handler {
    if has_own_handlers(instr) {
        own_handler_of(instr)
    } else {
        generic_handler_of(instr)
    }
}

/// [`handler_of`] for the kinds [`has_own_handlers`] names: out of line, since it looks at
/// the operator, the lane selector or the CPU.
#[inline(never)]
fn own_handler_of(instr: &Instr) -> Handler {
    #[cfg(target_arch = "x86_64")]
    if matches!(instr, Instr::V128Shuffle { .. }) && std::arch::is_x86_feature_detected!("ssse3") {
        return shuffle_ssse3;
    }
    simd_handler_of(instr).unwrap_or_else(|| generic_handler_of(instr))
}

// `i8x16.shuffle` for a CPU with SSSE3, chosen when the code is paired with its handlers (so a
// precompiled module gets the one its loading CPU can run): the handler is compiled for SSSE3,
// so `pshufb` is inlined into it. Its semantics are the generic entry's, with the lane
// function taken straight from `simd::fast::ssse3`.
#[cfg(target_arch = "x86_64")]
handler_fn!(
    #[target_feature(enable = "ssse3")]
    shuffle_ssse3 [] [] V128Shuffle { dst, a, b, mask } {
        // `handler_of` pairs this handler with an instruction only when the CPU has SSSE3.
        let (a, b, mask) = (r128!(a), r128!(b), r128!(mask));
        // SAFETY: see above.
        let v = unsafe { crate::simd::fast::ssse3::shuffle_u128(a, b, mask) };
        w128!(dst, v)
    }
);

/// For a vector instruction that the threaded backend specializes, the handler made for its
/// key (see `with_simd_semantics!`): the entry's body with `simd_op!(op)` or `simd_sel!(sel)`
/// a constant (`K`), so that the operator's `match` and everything derived from its shape or
/// lane fold away and its lane kernel is inlined. One handler per operator of the
/// instruction's shape, from the operator table (`simd_pick!`), or per lane selector
/// (`for_each_lane_sel!`); a key the instruction cannot have (only hand-made bytecode could
/// pair them) keeps the kind's generic handler.
macro_rules! simd_handlers {
    ([] $( $v:ident { $($f:ident),* } by $key:ident => $body:block )*) => {
        /// Whether `instr`'s kind may have a handler other than its generic one: a vector
        /// kind specialized by key, or `i8x16.shuffle` (SSSE3).
        // Forced only when optimized: unoptimized, each of ~700 decoders would keep a copy.
        #[cfg_attr(debug_assertions, inline)]
        #[cfg_attr(not(debug_assertions), inline(always))]
        fn has_own_handlers(instr: &Instr) -> bool {
            matches!(instr, Instr::V128Shuffle { .. }) || matches!(instr, $(Instr::$v { .. })|*)
        }

        fn simd_handler_of(instr: &Instr) -> Option<Handler> {
            match *instr {
                $(
                    Instr::$v { $key, .. } => {
                        // The key as a constant: a body reads only its own key's macro.
                        handler_fn!(handler [const K: u16] [
                            #[allow(unused_macros)]
                            macro_rules! simd_op {
                                ($x:expr) => {
                                    const { crate::simd::SimdOp::from_index(K) }
                                };
                            }
                            #[allow(unused_macros)]
                            macro_rules! simd_sel {
                                ($x:expr) => {
                                    const { crate::bytecode::LaneSel(K as u8) }
                                };
                            }
                        ] $v { $($f),* } $body);
                        pick_by_key!($key, $key, $v, handler)
                    }
                )*
                _ => None,
            }
        }
    };
}

/// The handler instantiated for the value of key `$k` (of kind `op` or `sel`), if the
/// instruction can have that value.
macro_rules! pick_by_key {
    (op, $k:ident, $v:ident, $h:ident) => {
        crate::simd::for_each_simd_op!(simd_pick, $v, $h, $k)
    };
    (sel, $k:ident, $v:ident, $h:ident) => {
        crate::bytecode::for_each_lane_sel!(sel_pick, $h, $k)
    };
}

/// `match $sel` over every lane selector.
macro_rules! sel_pick {
    ([$h:ident, $sel:ident] $($n:literal)*) => {
        match $sel.0 {
            $( $n => Some($h::<$n> as Handler), )*
            _ => None,
        }
    };
}

/// `match $op` over every operator row: `simd_pick_one!` for each.
macro_rules! simd_pick {
    ([$v:ident, $h:ident, $op:ident] $( ($code:expr) $name:ident $mnem:literal $shape:ident
        $(($($sa:tt)*))? $feat:ident $f:ident; )*) => {
        match $op {
            $( crate::simd::SimdOp::$name => simd_pick_one!($v, $shape, $h, $name), )*
        }
    };
}

/// Handler `$h` instantiated for operator `$n` when the row's shape is instruction `$v`'s.
macro_rules! simd_pick_one {
    (V128Un, un, $h:ident, $n:ident) => { simd_pick_one!(@ $h, $n) };
    (V128Bin, bin, $h:ident, $n:ident) => { simd_pick_one!(@ $h, $n) };
    (V128BinLoad, bin, $h:ident, $n:ident) => { simd_pick_one!(@ $h, $n) };
    (V128BinLoadDisp, bin, $h:ident, $n:ident) => { simd_pick_one!(@ $h, $n) };
    (V128BinLoadStore, bin, $h:ident, $n:ident) => { simd_pick_one!(@ $h, $n) };
    (V128Tern, tern, $h:ident, $n:ident) => { simd_pick_one!(@ $h, $n) };
    (V128Test, test, $h:ident, $n:ident) => { simd_pick_one!(@ $h, $n) };
    (V128Shift, shift, $h:ident, $n:ident) => { simd_pick_one!(@ $h, $n) };
    (V128Splat, splat, $h:ident, $n:ident) => { simd_pick_one!(@ $h, $n) };
    (V128Extract, extract, $h:ident, $n:ident) => { simd_pick_one!(@ $h, $n) };
    (V128Replace, replace, $h:ident, $n:ident) => { simd_pick_one!(@ $h, $n) };
    (V128Load, load, $h:ident, $n:ident) => { simd_pick_one!(@ $h, $n) };
    (V128LoadDisp, load, $h:ident, $n:ident) => { simd_pick_one!(@ $h, $n) };
    (@ $h:ident, $n:ident) => {
        Some($h::<{ crate::simd::SimdOp::$n as u16 }> as Handler)
    };
    ($v:ident, $shape:ident, $h:ident, $n:ident) => { None };
}

with_simd_semantics!(simd_handlers);
