//! What every instruction does, written once for both dispatch backends: the match loop
//! (`backend_loop.rs`) makes each entry a `match` arm, the threaded backend
//! (`backend_threaded.rs`) makes each a handler function.
//!
//! [`with_semantics!`] hands a backend macro the whole list: the hand-written entries below,
//! then one entry per numeric instruction form, generated from the operator table
//! (`numeric_semantics.rs`). An entry is `Variant { fields } => { body }` (or several variants
//! with the same fields, `A { .. } | B { .. } => { body }`). A body names no local variable:
//! it reaches the interpreter's state only through the access macros of
//! [`super::machine::define_access!`] and the backend's `jump!`, and ends the run by returning
//! `Err(Stop)`: a trap through `trap!(code)` or `or_trap!(result)`, which record the trapping
//! instruction for the backtrace (there is no `?` on a trap code, so no body can forget to).
//! An instruction that does not jump falls through to the next one; calls and returns set `ip`
//! one before their target.

// Helpers shared by the bodies. They, too, only use the access macros.

// Loads the bytes `$widen` takes (its parameter's size) and writes what it makes of them.
macro_rules! load {
    ($dst:expr, $addr:expr, $offset:expr, $widen:expr) => {{
        let bytes = or_trap!(mem!().load($addr, $offset));
        w!($dst, $widen(bytes));
    }};
}
pub(super) use load;

// `load!`, then a jump by `$target` if the value loaded is not 0.
macro_rules! load_br_if_nez {
    ($dst:expr, $addr:expr, $offset:expr, $widen:expr, $target:expr) => {{
        let value = $widen(or_trap!(mem!().load($addr, $offset)));
        w!($dst, value);
        if value != 0 {
            jump!($target)
        }
    }};
}
pub(super) use load_br_if_nez;

// `$dst = $x + load(addr + offset)` for float type `$t` of `$n` bytes, then the sum stored
// back there (`f64.add_load_store`). The load checks the place: the store cannot trap.
macro_rules! add_load_store {
    ($t:ty, $n:literal, $x:expr, $dst:expr, $addr:expr, $offset:expr) => {{
        let y = <$t>::from_le_bytes(or_trap!(mem!().load::<$n>(r!($addr), $offset)));
        let sum = <$t>::from_cell($x) + y;
        w!($dst, sum.into_cell());
        or_trap!(mem!().store(r!($addr), $offset, sum.to_le_bytes()));
    }};
}
pub(super) use add_load_store;

// Stores the bytes `$bytes` makes of register `$src` at register `$addr` + `$offset`.
macro_rules! store_reg {
    ($addr:expr, $src:expr, $offset:expr, $bytes:expr) => {{
        or_trap!(mem!().store(r!($addr), $offset, $bytes(r!($src))));
    }};
}
pub(super) use store_reg;

// The two 128-bit operands of `i64.add128`/`sub128` in `args..args+4`, (low, high) each.
macro_rules! wide_pairs {
    ($args:expr) => {{
        let cell = |i: u16| r!(Reg($args.0 + i)) as u128;
        (cell(0) | cell(1) << 64, cell(2) | cell(3) << 64)
    }};
}
pub(super) use wide_pairs;

// Writes a 128-bit result as (low, high) to `args`, `args + 1`.
macro_rules! wide_result {
    ($args:expr, $value:expr) => {{
        let value: u128 = $value;
        w!($args, value as Cell);
        w!(Reg($args.0 + 1), (value >> 64) as Cell);
    }};
}
pub(super) use wide_result;

// The address an indexed access uses: the fused `i32.add`, wrapping at 32 bits.
macro_rules! idx {
    ($base:expr, $index:expr) => {
        (r!($base) as u32).wrapping_add(r!($index) as u32) as Cell
    };
}
pub(super) use idx;

// `idx!` with the base from the accumulator.
macro_rules! acc_idx {
    ($index:expr) => {
        (acc!() as u32).wrapping_add(r!($index) as u32) as Cell
    };
}
pub(super) use acc_idx;

// The address a displaced access uses: the fused `i32.add_imm`, wrapping at 32 bits.
macro_rules! disp {
    ($base:expr, $disp:expr) => {
        (r!($base) as u32).wrapping_add($disp as u32) as Cell
    };
}
pub(super) use disp;

// `v128.load*` operator `op` of the bytes at `addr + offset` into `dst` (its width a constant
// where `simd_op!` is).
macro_rules! v128_load {
    ($dst:ident, $addr:expr, $offset:expr, $op:ident) => {{
        let (addr, offset): (Cell, u32) = ($addr, $offset);
        let bytes = match simd_op!($op).shape() {
            crate::simd::Shape::Load(16) => {
                u128::from_le_bytes(or_trap!(mem!().load(addr, offset)))
            }
            crate::simd::Shape::Load(8) => {
                u64::from_le_bytes(or_trap!(mem!().load(addr, offset))) as u128
            }
            crate::simd::Shape::Load(4) => {
                u32::from_le_bytes(or_trap!(mem!().load(addr, offset))) as u128
            }
            crate::simd::Shape::Load(2) => {
                u16::from_le_bytes(or_trap!(mem!().load(addr, offset))) as u128
            }
            _ => u8::from_le_bytes(or_trap!(mem!().load(addr, offset))) as u128,
        };
        w128!($dst, simd_op!($op).apply_load(bytes))
    }};
}
pub(super) use v128_load;

// `dst = c op (a * b)`: a `mul` and the `add` or `sub` of its result, each as its own
// instruction would compute it.
macro_rules! mul_then {
    ($dst:ident, $a:ident, $b:ident, $c:ident, $t:ty, $mul:ident, $op:ident) => {{
        let m = numeric::$mul(<$t>::from_cell(r!($a)), <$t>::from_cell(r!($b)));
        w!($dst, numeric::$op(<$t>::from_cell(r!($c)), m).into_cell())
    }};
}
pub(super) use mul_then;

// Calls defined-or-imported function `func` of the running instance, its frame at `args`.
// `tail_call_func!` is the same lookup for a tail call.
macro_rules! call_func {
    // The fast path (`enter_fast!`) for a cached callee of the same instance, else the
    // backend's `call_slow!`, which comes back here by the `@full` form.
    ($func:expr, $args:expr) => {{
        let (func, args): (u32, Reg) = ($func, $args);
        let cx = cx!();
        // SAFETY: `callees` is the running instance's cache, alive for the whole run (see
        // `Ctx::callees`); indexing it is checked.
        let callees = unsafe { &*cx.callees };
        let entered = match callees.get(func as usize) {
            // Without code (a host function, a callee not translated yet) `enter_room` never
            // fits.
            Some(c) if c.instance == cx.instance => {
                let entry = std::ptr::with_exposed_provenance::<Op>(c.entry);
                enter_fast!(entry, c.enter_room, c.num_params, args)
            }
            // Callees of other instances.
            _ => false,
        };
        if !entered {
            call_slow!(func, args);
        }
    }};
    ($func:expr, $args:expr, @full) => {
        call_func!(@via enter_at, call_addr_full; $func, $args;)
    };
    // Enters a Wasm callee with `$enter!(code, instance, addr, args, ..)` and calls any other
    // function with `$call!(addr, args, ..)`, passing on the extra arguments `$extra`.
    (@via $enter:ident, $call:ident; $func:expr, $args:expr; $($extra:expr),*) => {{
        let (func, args): (u32, Reg) = ($func, $args);
        let cx = cx!();
        let caller_instance = cx.instance;
        let caller = &cx.instance_entity();
        match &caller.callees[func as usize] {
            // A translated Wasm callee: straight from the instance's cache.
            Callee {
                code: Some(code),
                instance: callee_instance,
                ..
            } => {
                let code: *const CompiledFunc = &**code;
                let callee_instance = *callee_instance;
                // The profile charges the callee's store address; nothing else needs it.
                #[cfg(feature = "profile")]
                let addr = caller.funcs[func as usize];
                #[cfg(not(feature = "profile"))]
                #[allow(unused_variables)]
                let addr = ();
                $enter!(code, callee_instance, addr, args $(, $extra)*);
            }
            _ => {
                let (caller, addr) = (caller_instance, caller.funcs[func as usize]);
                $call!(addr, args $(, $extra)*);
                // A callee translated by this first call goes into the cache.
                let cx = cx!();
                if let FuncEntity::Wasm { module, index, .. } = &cx.store().funcs[addr as usize] {
                    if let Some(code) = module.translated(*index as usize) {
                        let code = Some(code.clone());
                        let callee = &mut cx.store().instances[caller as usize].callees[func as usize];
                        *callee = Callee::new(code, callee.instance);
                    }
                }
            }
        }
    }};
}
pub(super) use call_func;

// Tail-calls defined-or-imported function `func` of the running instance with its `params`
// argument cells at `args` (see `tail_enter!`).
macro_rules! tail_call_func {
    // The fast path (`tail_enter_fast!`) for a cached callee of the same instance, else the
    // backend's `tail_call_slow!`, which comes back here by the `@full` form.
    ($func:expr, $args:expr, $params:expr) => {{
        let (func, args, params): (u32, Reg, u16) = ($func, $args, $params);
        let cx = cx!();
        // SAFETY: as in `call_func!`.
        let callees = unsafe { &*cx.callees };
        let entered = match callees.get(func as usize) {
            // Without code `enter_room` never fits.
            Some(c) if c.instance == cx.instance => {
                let entry = std::ptr::with_exposed_provenance::<Op>(c.entry);
                tail_enter_fast!(entry, c.enter_room, c.num_params, args, params as usize)
            }
            _ => false,
        };
        if !entered {
            tail_call_slow!(func, args, params);
        }
    }};
    ($func:expr, $args:expr, $params:expr, @full) => {
        call_func!(@via tail_enter, tail_call_addr; $func, $args; $params as usize)
    };
}
pub(super) use tail_call_func;

// Enters `code` with its frame at register `args` of the running frame (see `enter!`).
macro_rules! enter_at {
    ($code:expr, $callee_instance:expr, $addr:expr, $args:expr) => {{
        let args: Reg = $args;
        // SAFETY: `args` is at most the frame size, so this stays within (or one past) the
        // current frame; `enter!` checks the callee's room.
        let callee_fp = unsafe { fp!().add(args.0 as usize) };
        let cx = cx!();
        let used =
            (callee_fp as usize - cx.stack.regs.as_ptr() as usize) / std::mem::size_of::<Cell>();
        enter!($code, $callee_instance, callee_fp, used, $addr);
    }};
}
pub(super) use enter_at;

// The function a `call_indirect` or `return_call_indirect` calls: the store address in
// table[`table`][`index`], checked to have type `type_index`.
macro_rules! indirect_callee {
    ($type_index:expr, $table:expr, $index:expr) => {{
        let cx = cx!();
        let table = cx.instance_entity().tables[$table as usize];
        let table = &cx.store().tables[table as usize];
        let i = memidx::index(r!($index), table.ty.is_64);
        let Some(&cell) = usize::try_from(i).ok().and_then(|i| table.elems.get(i)) else {
            trap!(TrapCode::UndefinedElement)
        };
        checked_callee!(cell, $type_index, TrapCode::UninitializedElement)
    }};
}
pub(super) use indirect_callee;

// The function a reference cell names (`call_indirect`'s table element, `call_ref`'s
// operand): a null one traps with `$null`; one of another type than `type_index`
// with "indirect call type mismatch".
macro_rules! checked_callee {
    ($cell:expr, $type_index:expr, $null:expr) => {{
        let cell: Cell = $cell;
        if cell == 0 {
            trap!($null)
        }
        let addr = (cell - 1) as u32;
        let cx = cx!();
        let (store, instance) = cx.running();
        let expected = store.instances[instance as usize].types[$type_index as usize];
        // Checked, not indexed: only a precompiled module's hand-made bytecode could put a
        // number that is no function's address in a reference (registers are not typed by
        // the verifier), and then this traps instead of panicking.
        match store.funcs.get(addr as usize) {
            Some(callee) if store.type_matches(callee.ty(), expected) => {}
            _ => trap!(TrapCode::IndirectCallTypeMismatch),
        }
        addr
    }};
}
pub(super) use checked_callee;

/// Calls `$cb!` with every instruction's entry (see the module documentation).
macro_rules! with_semantics {
    ($cb:ident) => {
        with_simd_semantics! { with_all_semantics, $cb }
    };
}
pub(super) use with_semantics;

/// Calls `$k! { [$args] entries }` with the entries of the vector instructions that the
/// threaded backend also specializes (`backend_threaded::simd_handler_of`): each entry names
/// its key field after `by`, the operator (`op: SimdOp`) or the lane (`sel: LaneSel`), and
/// its body reads the key through `simd_op!(op)` or `simd_sel!(sel)`. The match loop and the
/// generic threaded handlers read it from the instruction; the specialized handlers, one per
/// key value, have it as a constant, so the operator's `match`, its shape and the lane's
/// masks and shifts fold away and its lane kernel is inlined.
macro_rules! with_simd_semantics {
    ($k:ident $(, $arg:tt)*) => {
        $k! { [$($arg),*]
            V128Un { dst, a, op } by op => { w128!(dst, simd_op!(op).apply_un(r128!(a))) }
            V128Bin { dst, a, b, op } by op => { w128!(dst, simd_op!(op).apply_bin(r128!(a), r128!(b))) }
            V128Tern { dst, a, b, c, op } by op => {
                w128!(dst, simd_op!(op).apply_tern(r128!(a), r128!(b), r128!(c)))
            }
            V128Test { dst, a, op } by op => { w!(dst, simd_op!(op).apply_test(r128!(a)) as Cell) }
            V128Shift { dst, a, b, op } by op => { w128!(dst, simd_op!(op).apply_shift(r128!(a), r!(b) as u32)) }
            V128Splat { dst, a, op } by op => { w128!(dst, simd_op!(op).apply_splat(r!(a))) }
            V128Extract { dst, a, lane, op } by op => { w!(dst, simd_op!(op).apply_extract(r128!(a), lane)) }
            V128Replace { dst, a, b, lane, op } by op => {
                w128!(dst, simd_op!(op).apply_replace(r128!(a), lane, r!(b)))
            }
            V128BinLoad { dst, a, addr, offset, op } by op => {
                let b = u128::from_le_bytes(or_trap!(mem!().load(r!(addr), offset)));
                w128!(dst, simd_op!(op).apply_bin(r128!(a), b))
            }
            V128BinLoadDisp { dst, a, base, disp, offset, op } by op => {
                let b = u128::from_le_bytes(or_trap!(mem!().load(disp!(base, disp), offset as u32)));
                w128!(dst, simd_op!(op).apply_bin(r128!(a), b))
            }
            V128BinLoadStore { a, addr, offset, op } by op => {
                let addr = r!(addr);
                let b = u128::from_le_bytes(or_trap!(mem!().load(addr, offset)));
                let v = simd_op!(op).apply_bin(r128!(a), b);
                or_trap!(mem!().store(addr, offset, v.to_le_bytes()))
            }
            V128Load { dst, addr, offset, op } by op => { v128_load!(dst, r!(addr), offset, op) }
            V128LoadDisp { dst, base, disp, offset, op } by op => {
                v128_load!(dst, disp!(base, disp), offset as u32, op)
            }
            V128LoadLane { dst, addr, src, offset, sel } by sel => {
                let at = simd_sel!(sel);
                let (addr, v) = (r!(addr), r128!(src));
                let value = match at.bytes() {
                    8 => u64::from_le_bytes(or_trap!(mem!().load(addr, offset))),
                    4 => u32::from_le_bytes(or_trap!(mem!().load(addr, offset))) as u64,
                    2 => u16::from_le_bytes(or_trap!(mem!().load(addr, offset))) as u64,
                    _ => u8::from_le_bytes(or_trap!(mem!().load(addr, offset))) as u64,
                };
                w128!(dst, crate::simd::replace_lane_bytes(v, at.bytes(), at.lane(), value))
            }
            V128StoreLane { addr, src, offset, sel } by sel => {
                let at = simd_sel!(sel);
                let lane = crate::simd::extract_lane_bytes(r128!(src), at.bytes(), at.lane());
                let addr = r!(addr);
                match at.bytes() {
                    8 => or_trap!(mem!().store(addr, offset, lane.to_le_bytes())),
                    4 => or_trap!(mem!().store(addr, offset, (lane as u32).to_le_bytes())),
                    2 => or_trap!(mem!().store(addr, offset, (lane as u16).to_le_bytes())),
                    _ => or_trap!(mem!().store(addr, offset, (lane as u8).to_le_bytes())),
                }
            }
        }
    };
}
pub(super) use with_simd_semantics;

/// `with_semantics!` once the vector entries are in hand: every entry to `$cb!`.
macro_rules! with_all_semantics {
    ([$cb:ident] $( $v:ident { $($f:ident),* } by $key:ident => $body:block )*) => {
        for_each_numeric_op! { numeric_semantics, $cb, {
            $( $v { $($f),* } => $body )*
            Trap { code } => { trap!(code) }
            Copy { dst, src } => { w!(dst, r!(src)) }
            CopyAcc { dst } => { w!(dst, acc!()) }
            Copy2 { dst0, src0, dst1, src1 } => {
                w!(dst0, r!(src0));
                w!(dst1, r!(src1));
            }
            Const32 { dst, value } => { w!(dst, value as Cell) }
            Const64 { dst, lo, hi } => { w!(dst, (hi as Cell) << 32 | lo as Cell) }
            Br { offset } => { jump!(offset) }
            BrIfNez { cond, offset } => {
                if r!(cond) as u32 != 0 {
                    jump!(offset)
                }
            }
            BrIfEqz { cond, offset } => {
                if r!(cond) as u32 == 0 {
                    jump!(offset)
                }
            }
            CopyBr { dst, src, offset } => {
                w!(dst, r!(src));
                jump!(offset)
            }
            CopyBrIfNez { dst, src, cond, offset } => {
                w!(dst, r!(src));
                if r!(cond) as u32 != 0 {
                    jump!(offset)
                }
            }
            CopyBrIfEqz { dst, src, cond, offset } => {
                w!(dst, r!(src));
                if r!(cond) as u32 == 0 {
                    jump!(offset)
                }
            }
            BrIfNezAcc { offset } => {
                if acc!() as u32 != 0 {
                    jump!(offset)
                }
            }
            BrIfEqzAcc { offset } => {
                if acc!() as u32 == 0 {
                    jump!(offset)
                }
            }
            // Lands on the `br` at `1 + min(index, len)` (the step adds the 1).
            BrTable { index, len } => { ip!() = ip!().wrapping_add((r!(index) as u32).min(len) as usize) }
            Return {} => { return_to_caller!() }
            ReturnReg { src } => {
                w!(Reg(0), r!(src));
                return_to_caller!();
            }
            Call { func, args } => { call_func!(func, args) }
            // The fused forms first make their copies, in the order `copy`/`copy2` would.
            CallCopy { func, args, dst, src } => {
                w!(dst, r!(src));
                call_func!(func, args)
            }
            CallCopy2 { func, args, a, b } => {
                // `args` and `args + 1` are registers of this frame: the `copy2` this replaces
                // wrote them (`bytecode::verify` checks both).
                w!(args, r!(a));
                w!(Reg(args.0.wrapping_add(1)), r!(b));
                call_func!(func, args)
            }
            CallIndirect { type_index, table, index, args } => {
                call_indirect!(type_index, table, index, args);
            }
            ReturnCall { func, args, params } => { tail_call_func!(func, args, params) }
            ReturnCallIndirect { type_index, table, index, args, params } => {
                let addr = indirect_callee!(type_index, table, index);
                tail_call_addr!(addr, args, params as usize);
            }
            CallRef { type_index, callee, args } => {
                let addr = checked_callee!(r!(callee), type_index, TrapCode::NullFunctionReference);
                call_addr!(addr, args);
            }
            ReturnCallRef { type_index, callee, args, params } => {
                let addr = checked_callee!(r!(callee), type_index, TrapCode::NullFunctionReference);
                tail_call_addr!(addr, args, params as usize);
            }
            RefAsNonNull { src } => {
                if r!(src) == 0 {
                    trap!(TrapCode::NullReference)
                }
            }
            // A throw that the memo knows its caller catches lands right here, like a return
            // (`unwind::throw_quick`); any other unwinds out of line (`throw_slow!`) and
            // continues at the catching clause's pad without leaving the loop (see
            // `unwind.rs`); only an exception no frame catches ends the run.
            Throw { tag, args, params } => {
                match crate::exec::unwind::throw_quick(cx!(), ip!(), fp!(), args) {
                    Some((pad, fp)) => land_here!(pad, fp),
                    None => throw_slow!(tag, args, params),
                }
            }
            ThrowRef { exn } => {
                match crate::value::ref_index(r!(exn)) {
                    Some(exn) => {
                        let (ip, fp) = (ip!(), frame_offset!());
                        land!(crate::exec::unwind::rethrow_from(cx!(), ip, fp, exn))
                    }
                    None => trap!(TrapCode::NullExnRef),
                }
            }
            Select { dst, cond, a, b } => { w!(dst, if r!(cond) as u32 != 0 { r!(a) } else { r!(b) }) }
            SelectAndImm { dst, a, mask, x, y } => {
                w!(dst, if r!(a) as u32 & mask as u32 != 0 { r!(x) } else { r!(y) })
            }
            SelectAndImmAcc { dst, mask, x, y } => {
                w!(dst, if acc!() as u32 & mask as u32 != 0 { r!(x) } else { r!(y) })
            }
            GlobalGet { dst, global } => {
                let cx = cx!();
                let g = cx.instance_entity().globals[global as usize];
                w!(dst, cx.store().globals[g as usize].value);
            }
            GlobalSet { src, global } => {
                let cx = cx!();
                let g = cx.instance_entity().globals[global as usize];
                cx.store().globals[g as usize].value = r!(src);
            }
            I32Load { dst, addr, offset } | F32Load { dst, addr, offset } => { load!(dst, r!(addr), offset, zext32) }
            I64Load { dst, addr, offset } | F64Load { dst, addr, offset } => { load!(dst, r!(addr), offset, bits64) }
            I32LoadAcc { dst, offset } => { load!(dst, acc!(), offset, zext32) }
            I64LoadAcc { dst, offset } => { load!(dst, acc!(), offset, bits64) }
            I32StoreAcc { addr, offset } => { or_trap!(mem!().store(r!(addr), offset, (acc!() as u32).to_le_bytes())) }
            I64StoreAcc { addr, offset } => { or_trap!(mem!().store(r!(addr), offset, acc!().to_le_bytes())) }
            F32AddLoadStore { dst, a, addr, offset } => { add_load_store!(f32, 4, r!(a), dst, addr, offset) }
            F32AddLoadStoreAcc { dst, addr, offset } => { add_load_store!(f32, 4, acc!(), dst, addr, offset) }
            F64AddLoadStore { dst, a, addr, offset } => { add_load_store!(f64, 8, r!(a), dst, addr, offset) }
            F64AddLoadStoreAcc { dst, addr, offset } => { add_load_store!(f64, 8, acc!(), dst, addr, offset) }
            I32Load8S { dst, addr, offset } => { load!(dst, r!(addr), offset, sext8_32) }
            I32Load8U { dst, addr, offset } | I64Load8U { dst, addr, offset } => { load!(dst, r!(addr), offset, zext8) }
            I32Load16S { dst, addr, offset } => { load!(dst, r!(addr), offset, sext16_32) }
            I32Load16U { dst, addr, offset } | I64Load16U { dst, addr, offset } => { load!(dst, r!(addr), offset, zext16) }
            I64Load8S { dst, addr, offset } => { load!(dst, r!(addr), offset, sext8_64) }
            I64Load16S { dst, addr, offset } => { load!(dst, r!(addr), offset, sext16_64) }
            I64Load32S { dst, addr, offset } => { load!(dst, r!(addr), offset, sext32_64) }
            I64Load32U { dst, addr, offset } => { load!(dst, r!(addr), offset, zext32) }
            I32Store { addr, src, offset } | F32Store { addr, src, offset } | I64Store32 { addr, src, offset } => {
                store_reg!(addr, src, offset, |v: Cell| (v as u32).to_le_bytes())
            }
            I64Store { addr, src, offset } | F64Store { addr, src, offset } => {
                store_reg!(addr, src, offset, |v: Cell| v.to_le_bytes())
            }
            I32Store8 { addr, src, offset } | I64Store8 { addr, src, offset } => {
                store_reg!(addr, src, offset, |v: Cell| (v as u8).to_le_bytes())
            }
            I32Store16 { addr, src, offset } | I64Store16 { addr, src, offset } => {
                store_reg!(addr, src, offset, |v: Cell| (v as u16).to_le_bytes())
            }
            Store8Imm { addr, value, offset } => { or_trap!(mem!().store(r!(addr), offset, (value as u8).to_le_bytes())) }
            Store16Imm { addr, value, offset } => { or_trap!(mem!().store(r!(addr), offset, (value as u16).to_le_bytes())) }
            Store32Imm { addr, value, offset } => { or_trap!(mem!().store(r!(addr), offset, value.to_le_bytes())) }
            Store64Imm { addr, value, offset } => { or_trap!(mem!().store(r!(addr), offset, (value as i64).to_le_bytes())) }
            I32LoadIdx { dst, base, index, offset } => { load!(dst, idx!(base, index), offset, zext32) }
            I64LoadIdx { dst, base, index, offset } => { load!(dst, idx!(base, index), offset, bits64) }
            I32Load8UIdx { dst, base, index, offset } => { load!(dst, idx!(base, index), offset, zext8) }
            I32Load8SIdx { dst, base, index, offset } => { load!(dst, idx!(base, index), offset, sext8_32) }
            I32Load16UIdx { dst, base, index, offset } => { load!(dst, idx!(base, index), offset, zext16) }
            I32Load16SIdx { dst, base, index, offset } => { load!(dst, idx!(base, index), offset, sext16_32) }
            I32StoreIdx { base, index, src, offset } => {
                or_trap!(mem!().store(idx!(base, index), offset, (r!(src) as u32).to_le_bytes()))
            }
            I64StoreIdx { base, index, src, offset } => { or_trap!(mem!().store(idx!(base, index), offset, r!(src).to_le_bytes())) }
            Store8Idx { base, index, src, offset } => {
                or_trap!(mem!().store(idx!(base, index), offset, (r!(src) as u8).to_le_bytes()))
            }
            Store16Idx { base, index, src, offset } => {
                or_trap!(mem!().store(idx!(base, index), offset, (r!(src) as u16).to_le_bytes()))
            }
            Store8ImmIdx { base, index, value, offset } => {
                or_trap!(mem!().store(idx!(base, index), offset, (value as u8).to_le_bytes()))
            }
            I32LoadIdxAcc { dst, index, offset } => { load!(dst, acc_idx!(index), offset, zext32) }
            I64LoadIdxAcc { dst, index, offset } => { load!(dst, acc_idx!(index), offset, bits64) }
            I32Load8UIdxAcc { dst, index, offset } => { load!(dst, acc_idx!(index), offset, zext8) }
            I32StoreIdxAcc { base, index, offset } => {
                or_trap!(mem!().store(idx!(base, index), offset, (acc!() as u32).to_le_bytes()))
            }
            I64StoreIdxAcc { base, index, offset } => { or_trap!(mem!().store(idx!(base, index), offset, acc!().to_le_bytes())) }
            Store8ImmIdxAcc { index, value, offset } => {
                or_trap!(mem!().store(acc_idx!(index), offset, (value as u8).to_le_bytes()))
            }
            I32LoadDisp { dst, base, disp, offset } => { load!(dst, disp!(base, disp), offset as u32, zext32) }
            I64LoadDisp { dst, base, disp, offset } => { load!(dst, disp!(base, disp), offset as u32, bits64) }
            I32Load8UDisp { dst, base, disp, offset } => { load!(dst, disp!(base, disp), offset as u32, zext8) }
            I32Load8SDisp { dst, base, disp, offset } => { load!(dst, disp!(base, disp), offset as u32, sext8_32) }
            I32Load16UDisp { dst, base, disp, offset } => { load!(dst, disp!(base, disp), offset as u32, zext16) }
            I32Load16SDisp { dst, base, disp, offset } => { load!(dst, disp!(base, disp), offset as u32, sext16_32) }
            I32StoreDisp { base, src, disp, offset } => {
                or_trap!(mem!().store(disp!(base, disp), offset as u32, (r!(src) as u32).to_le_bytes()))
            }
            I64StoreDisp { base, src, disp, offset } => {
                or_trap!(mem!().store(disp!(base, disp), offset as u32, r!(src).to_le_bytes()))
            }
            Store8Disp { base, src, disp, offset } => {
                or_trap!(mem!().store(disp!(base, disp), offset as u32, (r!(src) as u8).to_le_bytes()))
            }
            Store16Disp { base, src, disp, offset } => {
                or_trap!(mem!().store(disp!(base, disp), offset as u32, (r!(src) as u16).to_le_bytes()))
            }
            // Constant addresses: the address register is 0, the offset the address.
            I32LoadAbs { dst, addr } => { load!(dst, 0, addr, zext32) }
            I64LoadAbs { dst, addr } => { load!(dst, 0, addr, bits64) }
            I32Load8UAbs { dst, addr } => { load!(dst, 0, addr, zext8) }
            I32Load8SAbs { dst, addr } => { load!(dst, 0, addr, sext8_32) }
            I32Load16UAbs { dst, addr } => { load!(dst, 0, addr, zext16) }
            I32Load16SAbs { dst, addr } => { load!(dst, 0, addr, sext16_32) }
            I32StoreAbs { src, addr } => { or_trap!(mem!().store(0, addr, (r!(src) as u32).to_le_bytes())) }
            I64StoreAbs { src, addr } => { or_trap!(mem!().store(0, addr, r!(src).to_le_bytes())) }
            Store8Abs { src, addr } => { or_trap!(mem!().store(0, addr, (r!(src) as u8).to_le_bytes())) }
            Store16Abs { src, addr } => { or_trap!(mem!().store(0, addr, (r!(src) as u16).to_le_bytes())) }
            I32LoadBump { dst, x, imm, offset } => {
                let p = (r!(x) as u32).wrapping_add(imm as u32);
                w!(x, p as Cell);
                load!(dst, p as Cell, offset as u32, zext32)
            }
            I32LoadBrIfNez { dst, addr, offset, target } => {
                load_br_if_nez!(dst, r!(addr), offset as u32, zext32, target)
            }
            I32Load8UBrIfNez { dst, addr, offset, target } => {
                load_br_if_nez!(dst, r!(addr), offset as u32, zext8, target)
            }
            I32Load8UIdxBrIfNez { dst, base, index, target } => {
                load_br_if_nez!(dst, idx!(base, index), 0, zext8, target)
            }
            I32LoadCopy { dst, x, src, offset } => {
                let p = r!(src);
                w!(x, p);
                load!(dst, p, offset as u32, zext32)
            }
            I32ShrUAndImm { dst, a, shift, mask } => { w!(dst, ((r!(a) as u32 >> shift) & mask as u32) as Cell) }
            I32ShrUAndImmAcc { dst, shift, mask } => { w!(dst, ((acc!() as u32 >> shift) & mask as u32) as Cell) }
            I32DivUConst { dst, a, shift, magic } => {
                w!(dst, numeric::UDivMagic { magic, shift }.div(r!(a) as u32) as Cell)
            }
            I32DivUConstAcc { dst, shift, magic } => {
                w!(dst, numeric::UDivMagic { magic, shift }.div(acc!() as u32) as Cell)
            }
            I32RemUConst { dst, a, shift, magic, d } => {
                w!(dst, numeric::UDivMagic { magic, shift }.rem(r!(a) as u32, d) as Cell)
            }
            I32RemUConstAcc { dst, shift, magic, d } => {
                w!(dst, numeric::UDivMagic { magic, shift }.rem(acc!() as u32, d) as Cell)
            }
            I32ShlAddImm { dst, a, shift, imm } => {
                w!(dst, ((r!(a) as u32) << shift).wrapping_add(imm as u32) as Cell)
            }
            I32ShlAddImmAcc { dst, shift, imm } => {
                w!(dst, ((acc!() as u32) << shift).wrapping_add(imm as u32) as Cell)
            }
            I32XorRotlImm { dst, a, b, rot } => {
                w!(dst, (r!(a) as u32 ^ (r!(b) as u32).rotate_left(rot as u32)) as Cell)
            }
            I32XorShrUImm { dst, a, b, shift } => {
                w!(dst, (r!(a) as u32 ^ (r!(b) as u32) >> shift) as Cell)
            }
            I32AddImmPair { x, y, i, j } => {
                w!(x, (r!(x) as u32).wrapping_add(i as i32 as u32) as Cell);
                w!(y, (r!(y) as u32).wrapping_add(j as i32 as u32) as Cell);
            }
            AddImmBrNeImm { x, step, bound, offset } => {
                let v = (r!(x) as u32).wrapping_add(step as i32 as u32);
                w!(x, v as Cell);
                if v != bound as u32 {
                    jump!(offset)
                }
            }
            NextBrNe { dst, a, step, rhs, offset } => {
                let v = r!(a) as u32;
                w!(dst, v.wrapping_add(step as i32 as u32) as Cell);
                if v != r!(rhs) as u32 {
                    jump!(offset)
                }
            }
            NextBrNeImm { dst, a, step, bound, offset } => {
                let v = r!(a) as u32;
                w!(dst, v.wrapping_add(step as i32 as u32) as Cell);
                if v != bound as u32 {
                    jump!(offset)
                }
            }
            AddImmPairBrNeImm { x, y, i, j, bound, offset } => {
                w!(x, (r!(x) as u32).wrapping_add(i as i32 as u32) as Cell);
                let v = (r!(y) as u32).wrapping_add(j as i32 as u32);
                w!(y, v as Cell);
                if v != bound as i32 as u32 {
                    jump!(offset)
                }
            }
            I32AddImm2 { dst, dst2, a, imm } => {
                let v = numeric::i32_add(r!(a) as i32, imm).into_cell();
                w!(dst, v);
                w!(dst2, v);
            }
            I32MulAdd { dst, a, b, c } => { mul_then!(dst, a, b, c, i32, i32_mul, i32_add) }
            I64MulAdd { dst, a, b, c } => { mul_then!(dst, a, b, c, i64, i64_mul, i64_add) }
            F32MulAdd { dst, a, b, c } => { mul_then!(dst, a, b, c, f32, f32_mul, f32_add) }
            F64MulAdd { dst, a, b, c } => { mul_then!(dst, a, b, c, f64, f64_mul, f64_add) }
            I32MulSub { dst, a, b, c } => { mul_then!(dst, a, b, c, i32, i32_mul, i32_sub) }
            I64MulSub { dst, a, b, c } => { mul_then!(dst, a, b, c, i64, i64_mul, i64_sub) }
            F32MulSub { dst, a, b, c } => { mul_then!(dst, a, b, c, f32, f32_mul, f32_sub) }
            F64MulSub { dst, a, b, c } => { mul_then!(dst, a, b, c, f64, f64_mul, f64_sub) }
            MemorySize { dst, mem } => {
                let cx = cx!();
                let (st, i) = cx.running();
                w!(dst, memidx::memory(st, i, mem).pages())
            }
            MemoryGrow { dst, delta, mem } => {
                let cx = cx!();
                let (st, i) = cx.running();
                let old = memidx::grow(st, i, mem, r!(delta));
                w!(dst, old);
                // Memory `mem` may be memory 0 too (imported twice), so always refresh.
                refresh_mem!();
            }
            MemoryInit { args, data, mem } => {
                let cx = cx!();
                let inst = &cx.instance_entity();
                let (m, seg) = (inst.memories[mem as usize], inst.datas[data as usize]);
                let is_64 = cx.store().memories[m as usize].ty.is_64;
                let d = memidx::index(r!(args), is_64);
                let (s, n) = (r!(Reg(args.0 + 1)) as u32 as u64, r!(Reg(args.0 + 2)) as u32 as u64);
                or_trap!(bulk::memory_init(cx.store(), m as usize, seg as usize, d, s, n));
                // Writes into the buffer in place: base and length stay, `mem` is current.
            }
            DataDrop { data } => {
                let cx = cx!();
                let seg = cx.instance_entity().datas[data as usize];
                cx.store().datas[seg as usize] = Default::default();
            }
            MemoryCopy { args, dst_mem, src_mem } => {
                let cx = cx!();
                let inst = &cx.instance_entity();
                let (dm, sm) = (inst.memories[dst_mem as usize] as usize, inst.memories[src_mem as usize] as usize);
                let (d64, s64) = (cx.store().memories[dm].ty.is_64, cx.store().memories[sm].ty.is_64);
                let d = memidx::index(r!(args), d64);
                let s = memidx::index(r!(Reg(args.0 + 1)), s64);
                let n = memidx::index(r!(Reg(args.0 + 2)), d64 && s64);
                or_trap!(bulk::memory_copy_between(cx.store(), dm, sm, d, s, n));
                // Writes into the buffers in place: base and length stay, `mem` is current.
            }
            MemoryFill { args, mem } => {
                let cx = cx!();
                let (st, i) = cx.running();
                let m = memidx::memory(st, i, mem);
                let is_64 = m.ty.is_64;
                let d = memidx::index(r!(args), is_64);
                let v = r!(Reg(args.0 + 1)) as u8;
                let n = memidx::index(r!(Reg(args.0 + 2)), is_64);
                or_trap!(bulk::memory_fill(&mut m.data, d, v, n));
                // Writes into the buffer in place: base and length stay, `mem` is current.
            }
            MemLoad { dst, addr, offset, mem, kind } => {
                let cx = cx!();
                let (st, i) = cx.running();
                w!(dst, or_trap!(memidx::load_kind(st, i, mem, kind, r!(addr), offset)))
            }
            MemStore { addr, src, offset, mem, kind } => {
                let cx = cx!();
                let (st, i) = cx.running();
                or_trap!(memidx::store_kind(st, i, mem, kind, r!(addr), offset, r!(src)))
            }
            TableGet { dst, index, table } => {
                let cx = cx!();
                let (st, i) = cx.running();
                let t = &st.tables[table_addr(st, i, table)];
                let i = memidx::index(r!(index), t.ty.is_64);
                let elem = usize::try_from(i).ok().and_then(|i| t.elems.get(i));
                w!(dst, *or_trap!(elem.ok_or(TrapCode::TableOutOfBounds)));
            }
            TableSet { index, value, table } => {
                let cx = cx!();
                let (st, i) = cx.running();
                let t = table_addr(st, i, table);
                let t = &mut cx.store().tables[t];
                let i = memidx::index(r!(index), t.ty.is_64);
                let v = r!(value);
                let elem = usize::try_from(i).ok().and_then(|i| t.elems.get_mut(i));
                *or_trap!(elem.ok_or(TrapCode::TableOutOfBounds)) = v;
            }
            TableSize { dst, table } => {
                let cx = cx!();
                let (st, i) = cx.running();
                let t = table_addr(st, i, table);
                w!(dst, cx.store().tables[t].size() as Cell);
            }
            TableGrow { args, table } => {
                let cx = cx!();
                let (st, i) = cx.running();
                let t = table_addr(st, i, table);
                let t = &mut cx.store().tables[t];
                let is_64 = t.ty.is_64;
                let (init, delta) = (r!(args), memidx::index(r!(Reg(args.0 + 1)), is_64));
                // Tables hold at most `u32::MAX` elements: a larger delta fails as growing past the maximum does.
                let old = u32::try_from(delta).ok().and_then(|delta| t.grow(delta, init));
                w!(args, match old {
                    Some(old) => old as Cell,
                    None if is_64 => u64::MAX,
                    None => u32::MAX as Cell,
                });
            }
            TableFill { args, table } => {
                let cx = cx!();
                let (st, i) = cx.running();
                let t = table_addr(st, i, table);
                let t = &mut cx.store().tables[t];
                let is_64 = t.ty.is_64;
                let i = memidx::index(r!(args), is_64);
                let (v, n) = (r!(Reg(args.0 + 1)), memidx::index(r!(Reg(args.0 + 2)), is_64));
                or_trap!(bulk::table_fill(&mut t.elems, i, v, n));
            }
            TableCopy { args, dst_table, src_table } => {
                let cx = cx!();
                let (st, i) = cx.running();
                let dt = table_addr(st, i, dst_table as u32);
                let (st, i) = cx.running();
                let st = table_addr(st, i, src_table as u32);
                let (d64, s64) = (cx.store().tables[dt].ty.is_64, cx.store().tables[st].ty.is_64);
                let d = memidx::index(r!(args), d64);
                let s = memidx::index(r!(Reg(args.0 + 1)), s64);
                let n = memidx::index(r!(Reg(args.0 + 2)), d64 && s64);
                or_trap!(bulk::table_copy(cx.store(), dt, st, d, s, n));
            }
            TableInit { args, table, elem } => {
                let cx = cx!();
                let (st, i) = cx.running();
                let t = table_addr(st, i, table as u32);
                let d = memidx::index(r!(args), cx.store().tables[t].ty.is_64);
                let (s, n) = (r!(Reg(args.0 + 1)) as u32 as u64, r!(Reg(args.0 + 2)) as u32 as u64);
                let seg = cx.instance_entity().elems[elem as usize];
                or_trap!(bulk::table_init(cx.store(), t, seg as usize, d, s, n));
            }
            ElemDrop { elem } => {
                let cx = cx!();
                let seg = cx.instance_entity().elems[elem as usize];
                cx.store().elems[seg as usize] = Vec::new();
            }
            ConsumeFuel { amount } => {
                let amount = amount as u64;
                let cx = cx!();
                if cx.store().fuel < amount {
                    suspend!(SuspendReason::OutOfFuel { required: amount });
                }
                cx.store().fuel -= amount;
            }
            Check {} => {
                let stop = cx!().stop;
                if stop.state.load(Ordering::Relaxed) != interrupt::RUN {
                    match stop.state.swap(interrupt::RUN, Ordering::Relaxed) {
                        interrupt::DEADLINE => suspend!(SuspendReason::DeadlineExceeded),
                        _ => suspend!(SuspendReason::Interrupted),
                    }
                }
            }
            RefFunc { dst, func } => {
                let cx = cx!();
                w!(dst, cx.instance_entity().funcs[func as usize] as Cell + 1);
            }
            I64Add128 { args } => {
                let (a, b) = wide_pairs!(args);
                wide_result!(args, a.wrapping_add(b))
            }
            I64Sub128 { args } => {
                let (a, b) = wide_pairs!(args);
                wide_result!(args, a.wrapping_sub(b))
            }
            I64MulWideS { args } => {
                let (a, b) = (r!(args) as i64 as i128, r!(Reg(args.0 + 1)) as i64 as i128);
                wide_result!(args, a.wrapping_mul(b) as u128)
            }
            I64MulWideU { args } => {
                let (a, b) = (r!(args) as u128, r!(Reg(args.0 + 1)) as u128);
                wide_result!(args, a.wrapping_mul(b))
            }
            V128Store { addr, src, offset } => {
                or_trap!(mem!().store(r!(addr), offset, r128!(src).to_le_bytes()))
            }
            V128StoreDisp { base, src, disp, offset } => {
                or_trap!(mem!().store(disp!(base, disp), offset as u32, r128!(src).to_le_bytes()))
            }
            V128LoadMem { dst, addr, offset, op, mem } => {
                let (cx, addr) = (cx!(), r!(addr));
                let (st, i) = cx.running();
                let (st, i) = (&mut *st, i);
                let bytes = match simd_op!(op).shape() {
                    crate::simd::Shape::Load(16) => u128::from_le_bytes(or_trap!(memidx::load(st, i, mem, addr, offset))),
                    crate::simd::Shape::Load(8) => u64::from_le_bytes(or_trap!(memidx::load(st, i, mem, addr, offset))) as u128,
                    crate::simd::Shape::Load(4) => u32::from_le_bytes(or_trap!(memidx::load(st, i, mem, addr, offset))) as u128,
                    crate::simd::Shape::Load(2) => u16::from_le_bytes(or_trap!(memidx::load(st, i, mem, addr, offset))) as u128,
                    _ => u8::from_le_bytes(or_trap!(memidx::load(st, i, mem, addr, offset))) as u128,
                };
                w128!(dst, simd_op!(op).apply_load(bytes))
            }
            V128StoreMem { addr, src, offset, mem } => {
                let (addr, v) = (r!(addr), r128!(src));
                let cx = cx!();
                let (st, i) = cx.running();
                or_trap!(memidx::store(st, i, mem, addr, offset, v.to_le_bytes()))
            }
            V128LoadLaneMem { dst, addr, src, offset, sel, mem } => {
                let (addr, v) = (r!(addr), r128!(src));
                let cx = cx!();
                let (st, i) = cx.running();
                let (st, i) = (&mut *st, i);
                let value = match sel.bytes() {
                    8 => u64::from_le_bytes(or_trap!(memidx::load(st, i, mem, addr, offset))),
                    4 => u32::from_le_bytes(or_trap!(memidx::load(st, i, mem, addr, offset))) as u64,
                    2 => u16::from_le_bytes(or_trap!(memidx::load(st, i, mem, addr, offset))) as u64,
                    _ => u8::from_le_bytes(or_trap!(memidx::load(st, i, mem, addr, offset))) as u64,
                };
                w128!(dst, crate::simd::replace_lane_bytes(v, sel.bytes(), sel.lane(), value))
            }
            V128StoreLaneMem { addr, src, offset, sel, mem } => {
                let lane = crate::simd::extract_lane_bytes(r128!(src), sel.bytes(), sel.lane());
                let addr = r!(addr);
                let cx = cx!();
                let (st, i) = cx.running();
                let (st, i) = (&mut *st, i);
                match sel.bytes() {
                    8 => or_trap!(memidx::store(st, i, mem, addr, offset, lane.to_le_bytes())),
                    4 => or_trap!(memidx::store(st, i, mem, addr, offset, (lane as u32).to_le_bytes())),
                    2 => or_trap!(memidx::store(st, i, mem, addr, offset, (lane as u16).to_le_bytes())),
                    _ => or_trap!(memidx::store(st, i, mem, addr, offset, (lane as u8).to_le_bytes())),
                }
            }
            V128Shuffle { dst, a, b, mask } => {
                w128!(dst, crate::simd::fast::i8x16_shuffle(r128!(a), r128!(b), r128!(mask)))
            }
            V128GlobalGet { dst, global } => {
                let cx = cx!();
                let g = cx.instance_entity().globals[global as usize];
                let g = &cx.store().globals[g as usize];
                let v = g.value as u128 | (g.hi as u128) << 64;
                w128!(dst, v)
            }
            V128GlobalSet { src, global } => {
                let v = r128!(src);
                let cx = cx!();
                let g = cx.instance_entity().globals[global as usize];
                let g = &mut cx.store().globals[g as usize];
                g.value = v as Cell;
                g.hi = (v >> 64) as Cell;
            }
        }}
    };
}
pub(super) use with_all_semantics;
