//! The instruction table: every bytecode instruction written by hand, one row each, with what
//! the translator's passes need to know about it. The numeric operators' forms come from
//! [`crate::ops`]; [`for_each_instr!`] hands both lists to a generator. `define.rs` makes the
//! [`Instr`](super::Instr) enum, its mnemonics and operands of them, `facts.rs` the queries
//! ("which register does this write?", "where does it jump?"), so adding an instruction is one
//! row here plus its semantics in `exec/semantics.rs`.
//!
//! A row is the doc comment, the variant, its mnemonic and its fields, then these attributes,
//! each optional, in this order:
//!
//! - `-> f`: `f` is its one result register, which `local.set` may retarget to the local and
//!   which the accumulator holds afterwards.
//! - `writes(f, ..)`: other registers it writes (not retargetable).
//! - `acc_holds(f)`: the accumulator holds `f` afterwards, when that is not a result (`->`).
//! - `jumps(f)`: it may jump by the offset in field `f`.
//! - `acc_of(Base.f | ..)`: it is `Base` reading field `f` from the accumulator instead of a
//!   register; its fields are `Base`'s without `f` (the compiler checks).
//! - `commutes(f, g)`: exchanging fields `f` and `g` computes the same (an address `f + g`).
//! - `is(..)`: `store` (it only writes memory), `update` (it writes memory and its result
//!   register), `call` (it calls a function whose frame starts at `args`), `terminal` (the
//!   next instruction never runs right after it).

/// Calls `$m!` with the numeric operator rows of [`crate::ops`] and, first, the rows below
/// (`$m! { [[ rows ]] numeric rows }`).
macro_rules! for_each_instr {
    ($m:ident) => {
        $crate::ops::for_each_numeric_op! { $m, [
        /// Traps with the given code (from `unreachable`).
        Trap "trap" { code: TrapCode } is(terminal)
        /// `dst = src`.
        Copy "copy" { dst: Reg, src: Reg } -> dst
        /// `dst = acc`: a copy of the value the instruction before computed.
        CopyAcc "copy_acc" { dst: Reg } -> dst acc_of(Copy.src)
        /// `dst0 = src0`, then `dst1 = src1`.
        Copy2 "copy2" { dst0: Reg, src0: Reg, dst1: Reg, src1: Reg }
            writes(dst0, dst1) acc_holds(dst1)
        /// `dst = value` for a 32-bit constant (i32 or f32 bits).
        Const32 "const32" { dst: Reg, value: u32 } -> dst
        /// `dst = hi << 32 | lo` for a 64-bit constant (i64 or f64 bits).
        Const64 "const64" { dst: Reg, lo: u32, hi: u32 } -> dst
        /// Jump by `offset`.
        Br "br" { offset: Offset } jumps(offset) is(terminal)
        /// Jump by `offset` if `cond != 0`.
        BrIfNez "br_if_nez" { cond: Reg, offset: Offset } jumps(offset)
        /// Jump by `offset` if `cond == 0`.
        BrIfEqz "br_if_eqz" { cond: Reg, offset: Offset } jumps(offset)
        /// Jump by `offset` if the accumulator (the value the instruction before computed, as an
        /// `i32`) is not zero.
        BrIfNezAcc "br_if_nez_acc" { offset: Offset } jumps(offset) acc_of(BrIfNez.cond)
        /// Jump by `offset` if the accumulator (as an `i32`) is zero.
        BrIfEqzAcc "br_if_eqz_acc" { offset: Offset } jumps(offset) acc_of(BrIfEqz.cond)
        /// `dst = src`, then jump by `offset`: a copy just before a jump (a value moved to
        /// where the target expects it, the end of an `if` arm) in one instruction.
        CopyBr "copy_br" { dst: Reg, src: Reg, offset: Offset } writes(dst) acc_holds(dst) jumps(offset) is(terminal)
        /// `dst = src`, then jump by `offset` if `cond != 0` (read after the copy): a
        /// `local.set` just before a `br_if`, such as a loop's back edge.
        CopyBrIfNez "copy_br_if_nez" { dst: Reg, src: Reg, cond: Reg, offset: Offset } writes(dst) acc_holds(dst) jumps(offset)
        /// `dst = src`, then jump by `offset` if `cond == 0` (read after the copy).
        CopyBrIfEqz "copy_br_if_eqz" { dst: Reg, src: Reg, cond: Reg, offset: Offset } writes(dst) acc_holds(dst) jumps(offset)
        /// Jump table: followed by `len + 1` `br` entries; runs entry `min(index, len)`.
        BrTable "br_table" { index: Reg, len: u32 }
        /// Return from the frame; the results are already in registers `0..results`.
        Return "return" { } is(terminal)
        /// Return one result: `r0 = src`, then return.
        ReturnReg "return_reg" { src: Reg } is(terminal)
        /// Call function `func` of the instance; its frame starts at register `args`, where the
        /// arguments are and where the results will be.
        Call "call" { func: u32, args: Reg } is(call)
        /// `dst = src`, then `call func, args`: the copy just before a call (an argument moved
        /// into the callee's frame), in one instruction.
        CallCopy "call_copy" { func: u32, args: Reg, dst: Reg, src: Reg } writes(dst) is(call)
        /// `args = a`, then `args + 1 = b`, then `call func, args`: a `copy2` of the first two
        /// arguments just before a call, in one instruction.
        CallCopy2 "call_copy2" { func: u32, args: Reg, a: Reg, b: Reg } writes(args) is(call)
        /// Call the function at table[`table`][`index`] after checking it has type `type_index`.
        CallIndirect "call_indirect" { type_index: u32, table: u16, index: Reg, args: Reg } is(call)
        /// Tail call (`return_call`): function `func` of the instance runs in place of this
        /// one. The `params` argument cells at registers `args..` move down to `r0..`, the
        /// callee's frame replaces this frame, and the callee returns to this one's caller.
        ReturnCall "return_call" { func: u32, args: Reg, params: u16 } is(terminal)
        /// Tail call (`return_call_indirect`) of the function at table[`table`][`index`] after
        /// checking it has type `type_index`; the frame is replaced as for `return_call`.
        ReturnCallIndirect "return_call_indirect"
            { type_index: u32, table: u16, index: Reg, args: Reg, params: u16 } is(terminal)
        /// Call the function `callee` refers to (`call_ref`, typed function references); a null
        /// reference traps. Its type is `type_index` (the validator made sure).
        CallRef "call_ref" { type_index: u32, callee: Reg, args: Reg } is(call)
        /// Tail call (`return_call_ref`) of the function `callee` refers to; the frame is
        /// replaced as for `return_call`.
        ReturnCallRef "return_call_ref"
            { type_index: u32, callee: Reg, args: Reg, params: u16 } is(terminal)
        /// Trap if the reference in `src` is null (`ref.as_non_null`); the value stays where
        /// it is.
        RefAsNonNull "ref.as_non_null" { src: Reg }
        /// Throws a new exception of tag `tag` (of the instance) with the `params` payload cells
        /// at registers `args..`: the run continues at the catching handler's landing pad (see
        /// `exec/unwind.rs`), or ends when no frame of it catches.
        Throw "throw" { tag: u32, args: Reg, params: u16 } is(terminal)
        /// Throws again the exception `exn` refers to; traps on null.
        ThrowRef "throw_ref" { exn: Reg } is(terminal)
        /// `dst = cond != 0 ? a : b`.
        Select "select" { dst: Reg, cond: Reg, a: Reg, b: Reg } -> dst
        /// `dst = (a & mask) != 0 ? x : y`: a `select` on a flag test (`i32.and` with a constant).
        SelectAndImm "select_and_imm" { dst: Reg, a: Reg, mask: u16, x: Reg, y: Reg } -> dst
        /// `select_and_imm` testing the accumulator: `dst = (acc & mask) != 0 ? x : y`.
        SelectAndImmAcc "select_and_imm_acc" { dst: Reg, mask: u16, x: Reg, y: Reg }
            -> dst acc_of(SelectAndImm.a)
        /// `dst = global`.
        GlobalGet "global.get" { dst: Reg, global: u32 } -> dst
        /// `global = src`.
        GlobalSet "global.set" { src: Reg, global: u32 }
        /// `dst = i32 load at addr + offset`.
        I32Load "i32.load" { dst: Reg, addr: Reg, offset: u32 } -> dst
        /// `dst = i64 load at addr + offset`.
        I64Load "i64.load" { dst: Reg, addr: Reg, offset: u32 } -> dst
        /// `dst = f32 load at addr + offset`.
        F32Load "f32.load" { dst: Reg, addr: Reg, offset: u32 } -> dst
        /// `dst = f64 load at addr + offset`.
        F64Load "f64.load" { dst: Reg, addr: Reg, offset: u32 } -> dst
        /// Sign-extending 8-bit load to i32.
        I32Load8S "i32.load8_s" { dst: Reg, addr: Reg, offset: u32 } -> dst
        /// Zero-extending 8-bit load to i32.
        I32Load8U "i32.load8_u" { dst: Reg, addr: Reg, offset: u32 } -> dst
        /// Sign-extending 16-bit load to i32.
        I32Load16S "i32.load16_s" { dst: Reg, addr: Reg, offset: u32 } -> dst
        /// Zero-extending 16-bit load to i32.
        I32Load16U "i32.load16_u" { dst: Reg, addr: Reg, offset: u32 } -> dst
        /// Sign-extending 8-bit load to i64.
        I64Load8S "i64.load8_s" { dst: Reg, addr: Reg, offset: u32 } -> dst
        /// Zero-extending 8-bit load to i64.
        I64Load8U "i64.load8_u" { dst: Reg, addr: Reg, offset: u32 } -> dst
        /// Sign-extending 16-bit load to i64.
        I64Load16S "i64.load16_s" { dst: Reg, addr: Reg, offset: u32 } -> dst
        /// Zero-extending 16-bit load to i64.
        I64Load16U "i64.load16_u" { dst: Reg, addr: Reg, offset: u32 } -> dst
        /// Sign-extending 32-bit load to i64.
        I64Load32S "i64.load32_s" { dst: Reg, addr: Reg, offset: u32 } -> dst
        /// Zero-extending 32-bit load to i64.
        I64Load32U "i64.load32_u" { dst: Reg, addr: Reg, offset: u32 } -> dst
        /// `dst = 32-bit load at acc + offset`: `i32.load` or `f32.load` at the address the
        /// instruction before computed.
        I32LoadAcc "i32.load_acc" { dst: Reg, offset: u32 }
            -> dst acc_of(I32Load.addr | F32Load.addr)
        /// `dst = 64-bit load at acc + offset` (`i64.load`, `f64.load`).
        I64LoadAcc "i64.load_acc" { dst: Reg, offset: u32 }
            -> dst acc_of(I64Load.addr | F64Load.addr)
        /// Store the low 32 bits of `src` at addr + offset.
        I32Store "i32.store" { addr: Reg, src: Reg, offset: u32 } is(store)
        /// Store 64 bits of `src`.
        I64Store "i64.store" { addr: Reg, src: Reg, offset: u32 } is(store)
        /// Store an f32.
        F32Store "f32.store" { addr: Reg, src: Reg, offset: u32 } is(store)
        /// Store an f64.
        F64Store "f64.store" { addr: Reg, src: Reg, offset: u32 } is(store)
        /// Store the low 8 bits of an i32.
        I32Store8 "i32.store8" { addr: Reg, src: Reg, offset: u32 } is(store)
        /// Store the low 16 bits of an i32.
        I32Store16 "i32.store16" { addr: Reg, src: Reg, offset: u32 } is(store)
        /// Store the low 8 bits of an i64.
        I64Store8 "i64.store8" { addr: Reg, src: Reg, offset: u32 } is(store)
        /// Store the low 16 bits of an i64.
        I64Store16 "i64.store16" { addr: Reg, src: Reg, offset: u32 } is(store)
        /// Store the low 32 bits of an i64.
        I64Store32 "i64.store32" { addr: Reg, src: Reg, offset: u32 } is(store)
        /// Store the low 32 bits of the accumulator (the value the instruction before computed) at
        /// addr + offset (`i32.store`, `f32.store`, `i64.store32`).
        I32StoreAcc "i32.store_acc" { addr: Reg, offset: u32 }
            acc_of(I32Store.src | F32Store.src | I64Store32.src) is(store)
        /// Store the 64 bits of the accumulator at addr + offset (`i64.store`, `f64.store`).
        I64StoreAcc "i64.store_acc" { addr: Reg, offset: u32 }
            acc_of(I64Store.src | F64Store.src) is(store)
        /// `dst = a + load(addr + offset)` for an `f32`, and the sum stored back there: `*p += x`
        /// (`f32.add_load`, then `f32.store` of the sum to the same place). `dst` is not `addr`.
        F32AddLoadStore "f32.add_load_store" { dst: Reg, a: Reg, addr: Reg, offset: u32 } -> dst
            is(update)
        /// The same with `a` in the accumulator.
        F32AddLoadStoreAcc "f32.add_load_store_acc" { dst: Reg, addr: Reg, offset: u32 } -> dst
            acc_of(F32AddLoadStore.a) is(update)
        /// The same for an `f64` (`f64.add_load`, then `f64.store`).
        F64AddLoadStore "f64.add_load_store" { dst: Reg, a: Reg, addr: Reg, offset: u32 } -> dst
            is(update)
        /// The same with `a` in the accumulator.
        F64AddLoadStoreAcc "f64.add_load_store_acc" { dst: Reg, addr: Reg, offset: u32 } -> dst
            acc_of(F64AddLoadStore.a) is(update)
        /// Store the low 8 bits of the constant `value` at addr + offset.
        Store8Imm "store8_imm" { addr: Reg, value: i32, offset: u32 } is(store)
        /// Store the low 16 bits of the constant `value`.
        Store16Imm "store16_imm" { addr: Reg, value: i32, offset: u32 } is(store)
        /// Store the 32-bit constant `value` (i32 or f32 bits).
        Store32Imm "store32_imm" { addr: Reg, value: i32, offset: u32 } is(store)
        /// Store the constant `value` sign-extended to 64 bits (i64, or f64 bits that fit).
        Store64Imm "store64_imm" { addr: Reg, value: i32, offset: u32 } is(store)
        /// `dst = 32-bit load at (base + index) + offset`, the `i32.add` that computed the address
        /// fused in (it wraps at 32 bits, as the add did). Also `f32.load`.
        I32LoadIdx "i32.load_idx" { dst: Reg, base: Reg, index: Reg, offset: u32 }
            -> dst commutes(base, index)
        /// 64-bit load at (base + index) + offset (`i64.load`, `f64.load`).
        I64LoadIdx "i64.load_idx" { dst: Reg, base: Reg, index: Reg, offset: u32 }
            -> dst commutes(base, index)
        /// Zero-extending 8-bit load at (base + index) + offset.
        I32Load8UIdx "i32.load8_u_idx" { dst: Reg, base: Reg, index: Reg, offset: u32 }
            -> dst commutes(base, index)
        /// Sign-extending 8-bit load to i32 at (base + index) + offset.
        I32Load8SIdx "i32.load8_s_idx" { dst: Reg, base: Reg, index: Reg, offset: u32 }
            -> dst commutes(base, index)
        /// Zero-extending 16-bit load at (base + index) + offset.
        I32Load16UIdx "i32.load16_u_idx" { dst: Reg, base: Reg, index: Reg, offset: u32 }
            -> dst commutes(base, index)
        /// Sign-extending 16-bit load to i32 at (base + index) + offset.
        I32Load16SIdx "i32.load16_s_idx" { dst: Reg, base: Reg, index: Reg, offset: u32 }
            -> dst commutes(base, index)
        /// Store the low 32 bits of `src` at (base + index) + offset (`i32.store`, `f32.store`,
        /// `i64.store32`).
        I32StoreIdx "i32.store_idx" { base: Reg, index: Reg, src: Reg, offset: u32 }
            commutes(base, index) is(store)
        /// Store 64 bits of `src` at (base + index) + offset (`i64.store`, `f64.store`).
        I64StoreIdx "i64.store_idx" { base: Reg, index: Reg, src: Reg, offset: u32 }
            commutes(base, index) is(store)
        /// Store the low 8 bits of `src` at (base + index) + offset.
        Store8Idx "store8_idx" { base: Reg, index: Reg, src: Reg, offset: u32 }
            commutes(base, index) is(store)
        /// Store the low 16 bits of `src` at (base + index) + offset.
        Store16Idx "store16_idx" { base: Reg, index: Reg, src: Reg, offset: u32 }
            commutes(base, index) is(store)
        /// Store the low 8 bits of the constant `value` at (base + index) + offset.
        Store8ImmIdx "store8_imm_idx" { base: Reg, index: Reg, value: u16, offset: u32 }
            commutes(base, index) is(store)
        /// `i32.load_idx` with `base` from the accumulator.
        I32LoadIdxAcc "i32.load_idx_acc" { dst: Reg, index: Reg, offset: u32 }
            -> dst acc_of(I32LoadIdx.base)
        /// `i64.load_idx` with `base` from the accumulator.
        I64LoadIdxAcc "i64.load_idx_acc" { dst: Reg, index: Reg, offset: u32 }
            -> dst acc_of(I64LoadIdx.base)
        /// `i32.load8_u_idx` with `base` from the accumulator.
        I32Load8UIdxAcc "i32.load8_u_idx_acc" { dst: Reg, index: Reg, offset: u32 }
            -> dst acc_of(I32Load8UIdx.base)
        /// `i32.store_idx` storing the accumulator.
        I32StoreIdxAcc "i32.store_idx_acc" { base: Reg, index: Reg, offset: u32 }
            acc_of(I32StoreIdx.src) commutes(base, index) is(store)
        /// `i64.store_idx` storing the accumulator.
        I64StoreIdxAcc "i64.store_idx_acc" { base: Reg, index: Reg, offset: u32 }
            acc_of(I64StoreIdx.src) commutes(base, index) is(store)
        /// `store8_imm_idx` with `base` from the accumulator.
        Store8ImmIdxAcc "store8_imm_idx_acc" { index: Reg, value: u16, offset: u32 }
            acc_of(Store8ImmIdx.base) is(store)
        /// `dst = 32-bit load at (base + disp) + offset`, the `i32.add` of a constant that
        /// computed the address fused in (wrapping at 32 bits); the static offset is below 2^16.
        I32LoadDisp "i32.load_disp" { dst: Reg, base: Reg, disp: i32, offset: u16 } -> dst
        /// 64-bit load at (base + disp) + offset.
        I64LoadDisp "i64.load_disp" { dst: Reg, base: Reg, disp: i32, offset: u16 } -> dst
        /// Zero-extending 8-bit load at (base + disp) + offset.
        I32Load8UDisp "i32.load8_u_disp" { dst: Reg, base: Reg, disp: i32, offset: u16 } -> dst
        /// Sign-extending 8-bit load at (base + disp) + offset.
        I32Load8SDisp "i32.load8_s_disp" { dst: Reg, base: Reg, disp: i32, offset: u16 } -> dst
        /// Zero-extending 16-bit load at (base + disp) + offset.
        I32Load16UDisp "i32.load16_u_disp" { dst: Reg, base: Reg, disp: i32, offset: u16 } -> dst
        /// Sign-extending 16-bit load at (base + disp) + offset.
        I32Load16SDisp "i32.load16_s_disp" { dst: Reg, base: Reg, disp: i32, offset: u16 } -> dst
        /// Store the low 32 bits of `src` at (base + disp) + offset.
        I32StoreDisp "i32.store_disp" { base: Reg, src: Reg, disp: i32, offset: u16 } is(store)
        /// Store 64 bits of `src` at (base + disp) + offset.
        I64StoreDisp "i64.store_disp" { base: Reg, src: Reg, disp: i32, offset: u16 } is(store)
        /// Store the low 8 bits of `src` at (base + disp) + offset.
        Store8Disp "store8_disp" { base: Reg, src: Reg, disp: i32, offset: u16 } is(store)
        /// Store the low 16 bits of `src` at (base + disp) + offset.
        Store16Disp "store16_disp" { base: Reg, src: Reg, disp: i32, offset: u16 } is(store)
        /// `dst = 32-bit load at addr`: a constant address, the static offset folded in.
        I32LoadAbs "i32.load_abs" { dst: Reg, addr: u32 } -> dst
        /// 64-bit load at the constant address `addr`.
        I64LoadAbs "i64.load_abs" { dst: Reg, addr: u32 } -> dst
        /// Zero-extending 8-bit load at the constant address `addr`.
        I32Load8UAbs "i32.load8_u_abs" { dst: Reg, addr: u32 } -> dst
        /// Sign-extending 8-bit load at the constant address `addr`.
        I32Load8SAbs "i32.load8_s_abs" { dst: Reg, addr: u32 } -> dst
        /// Zero-extending 16-bit load at the constant address `addr`.
        I32Load16UAbs "i32.load16_u_abs" { dst: Reg, addr: u32 } -> dst
        /// Sign-extending 16-bit load at the constant address `addr`.
        I32Load16SAbs "i32.load16_s_abs" { dst: Reg, addr: u32 } -> dst
        /// Store the low 32 bits of `src` at the constant address `addr`.
        I32StoreAbs "i32.store_abs" { src: Reg, addr: u32 } is(store)
        /// Store 64 bits of `src` at the constant address `addr`.
        I64StoreAbs "i64.store_abs" { src: Reg, addr: u32 } is(store)
        /// Store the low 8 bits of `src` at the constant address `addr`.
        Store8Abs "store8_abs" { src: Reg, addr: u32 } is(store)
        /// Store the low 16 bits of `src` at the constant address `addr`.
        Store16Abs "store16_abs" { src: Reg, addr: u32 } is(store)
        /// `x = x + imm` (wrapping), then `dst = 32-bit load at x + offset`: a pointer stepped
        /// just before it is read through (`i32.add_imm` in place, then `i32.load`/`f32.load`).
        I32LoadBump "i32.load_bump" { dst: Reg, x: Reg, imm: i32, offset: u16 } -> dst writes(x)
        /// `dst = 32-bit load at addr + offset`, then jump by `target` if it is not 0: a
        /// pointer walk's test (`while ((p = p->next))`), a loaded flag's.
        I32LoadBrIfNez "i32.load_br_if_nez" { dst: Reg, addr: Reg, offset: u16, target: Offset } -> dst jumps(target)
        /// `dst = byte load at addr + offset`, then jump by `target` if it is not 0: a
        /// string's walk (`while (*s)`), a byte flag's test.
        I32Load8UBrIfNez "i32.load8_u_br_if_nez" { dst: Reg, addr: Reg, offset: u16, target: Offset } -> dst jumps(target)
        /// `dst = byte load at base + index` (wrapping 32-bit sum), then jump by `target` if
        /// it is not 0: an array of byte flags tested (`if (seen[i])`).
        I32Load8UIdxBrIfNez "i32.load8_u_idx_br_if_nez" { dst: Reg, base: Reg, index: Reg, target: Offset } -> dst jumps(target)
        /// `x = src`, then `dst = 32-bit load at x + offset`: a pointer copied just before it
        /// is read through, as a linked list's walk does (`cur = next; next = cur->next`).
        I32LoadCopy "i32.load_copy" { dst: Reg, x: Reg, src: Reg, offset: u16 } -> dst writes(x)
        /// `dst = dst2 = a + imm`: an `i32.add_imm` into a local that is then copied to another
        /// (`local.tee y` then `local.set x`).
        // Two results, so no `-> dst`: nothing may retarget one without the other.
        I32AddImm2 "i32.add_imm2" { dst: Reg, dst2: Reg, a: Reg, imm: i32 }
            writes(dst, dst2) acc_holds(dst)
        /// `x += i; y += j`, wrapping: two counter steps in a row (`x` and `y` differ), e.g. the
        /// pointers and index of a loop stepped together.
        // It leaves `y` in the accumulator; `acc_holds(y)` would be true, but would change
        // translations.
        I32AddImmPair "i32.add_imm_pair" { x: Reg, y: Reg, i: i16, j: i16 } writes(x, y)
        /// `x += step` (wrapping), then jump by `offset` if `x != bound`: a loop counter
        /// stepped and tested against a constant, the test C compilers emit for a loop with
        /// a constant trip count (`i32.add_imm` in place, then `br_if_i32.ne_imm`).
        AddImmBrNeImm "add_imm_br_if_i32.ne_imm" { x: Reg, step: i16, bound: i32, offset: Offset }
            writes(x) acc_holds(x) jumps(offset)
        /// `dst = a + step` (wrapping; `dst` is not `a`), then jump by `offset` if `a != rhs`:
        /// a loop that computes its counter's next value and tests the current one, as C
        /// compilers emit for `for (i = s; i <= n; i++)`.
        NextBrNe "next_br_if_i32.ne" { dst: Reg, a: Reg, step: i16, rhs: Reg, offset: Offset }
            writes(dst) acc_holds(dst) jumps(offset)
        /// `dst = a + step` (wrapping; `dst` is not `a`), then jump by `offset` if
        /// `a != bound`.
        NextBrNeImm "next_br_if_i32.ne_imm" { dst: Reg, a: Reg, step: i16, bound: i32, offset: Offset }
            writes(dst) acc_holds(dst) jumps(offset)
        /// `x += i; y += j` (wrapping), then jump by `offset` if `y != bound`: a pointer and
        /// a counter stepped together and the counter tested against a constant
        /// (`i32.add_imm_pair`, then `br_if_i32.ne_imm` of `y`).
        AddImmPairBrNeImm "add_imm_pair_br_if_i32.ne_imm" { x: Reg, y: Reg, i: i16, j: i16, bound: i16, offset: Offset }
            writes(x, y) acc_holds(y) jumps(offset)
        /// `dst = (a >> shift) & mask` (unsigned shift): an `i32.shr_u` by a constant and the
        /// `i32.and` of its result with a constant, a bit-field extract, in one.
        I32ShrUAndImm "i32.shr_u_and_imm" { dst: Reg, a: Reg, shift: u16, mask: i32 } -> dst
        /// `i32.shr_u_and_imm` of the accumulator: `dst = (acc >> shift) & mask`.
        I32ShrUAndImmAcc "i32.shr_u_and_imm_acc" { dst: Reg, shift: u16, mask: i32 }
            -> dst acc_of(I32ShrUAndImm.a)
        /// `dst = a / d` (`i32.div_u`) for a constant `d` that is neither 0, 1 nor a power of
        /// two, without a division: `magic` and `shift` are `d`'s reciprocal
        /// (`numeric::UDivMagic`), so `t = mulhi(a, magic)`, `dst = (t + ((a - t) >> 1)) >> shift`.
        I32DivUConst "i32.div_u_const" { dst: Reg, a: Reg, shift: u16, magic: u32 } -> dst
        /// `i32.div_u_const` of the accumulator.
        I32DivUConstAcc "i32.div_u_const_acc" { dst: Reg, shift: u16, magic: u32 }
            -> dst acc_of(I32DivUConst.a)
        /// `dst = a % d` (`i32.rem_u`) for such a constant `d`: `a - d * (a / d)`, the quotient
        /// as in `i32.div_u_const`.
        I32RemUConst "i32.rem_u_const" { dst: Reg, a: Reg, shift: u16, magic: u32, d: u32 } -> dst
        /// `i32.rem_u_const` of the accumulator.
        I32RemUConstAcc "i32.rem_u_const_acc" { dst: Reg, shift: u16, magic: u32, d: u32 }
            -> dst acc_of(I32RemUConst.a)
        /// `dst = (a << shift) + imm`, wrapping: an `i32.shl` by a constant and the `i32.add` of
        /// a constant to its result, an array element's address, in one.
        I32ShlAddImm "i32.shl_add_imm" { dst: Reg, a: Reg, shift: u16, imm: i32 } -> dst
        /// `i32.shl_add_imm` of the accumulator: `dst = (acc << shift) + imm`.
        I32ShlAddImmAcc "i32.shl_add_imm_acc" { dst: Reg, shift: u16, imm: i32 }
            -> dst acc_of(I32ShlAddImm.a)
        /// `dst = a ^ rotl(b, rot)`: an `i32.rotl` by a constant and the `i32.xor` of its result
        /// in one (hash functions' rotate-and-mix steps).
        I32XorRotlImm "i32.xor_rotl_imm" { dst: Reg, a: Reg, b: Reg, rot: u16 } -> dst
        /// `dst = a ^ (b >> shift)` (unsigned shift): an `i32.shr_u` by a constant and the
        /// `i32.xor` of its result in one (CRC steps, xorshift generators, hash mixing).
        I32XorShrUImm "i32.xor_shr_u_imm" { dst: Reg, a: Reg, b: Reg, shift: u16 } -> dst
        /// `dst = c + a * b`, wrapping: an `i32.mul` and the `i32.add` of its result in one.
        I32MulAdd "i32.mul_add" { dst: Reg, a: Reg, b: Reg, c: Reg } -> dst
        /// `dst = c + a * b`, wrapping (`i64`).
        I64MulAdd "i64.mul_add" { dst: Reg, a: Reg, b: Reg, c: Reg } -> dst
        /// `dst = c + a * b` in `f32`, rounded after the multiply and after the add, exactly as the
        /// separate `f32.mul` and `f32.add` (not a fused multiply-add).
        F32MulAdd "f32.mul_add" { dst: Reg, a: Reg, b: Reg, c: Reg } -> dst
        /// `dst = c + a * b` in `f64`, rounded twice like the separate instructions.
        F64MulAdd "f64.mul_add" { dst: Reg, a: Reg, b: Reg, c: Reg } -> dst
        /// `dst = c - a * b`, wrapping: an `i32.mul` and the `i32.sub` of its result from `c` in
        /// one.
        I32MulSub "i32.mul_sub" { dst: Reg, a: Reg, b: Reg, c: Reg } -> dst
        /// `dst = c - a * b`, wrapping (`i64`).
        I64MulSub "i64.mul_sub" { dst: Reg, a: Reg, b: Reg, c: Reg } -> dst
        /// `dst = c - a * b` in `f32`, rounded twice like the separate instructions.
        F32MulSub "f32.mul_sub" { dst: Reg, a: Reg, b: Reg, c: Reg } -> dst
        /// `dst = c - a * b` in `f64`, rounded twice like the separate instructions.
        F64MulSub "f64.mul_sub" { dst: Reg, a: Reg, b: Reg, c: Reg } -> dst
        /// `dst = size of memory `mem` in pages`.
        MemorySize "memory.size" { dst: Reg, mem: u32 } -> dst
        /// `dst = memory.grow(delta)` of memory `mem` (old size, or -1).
        // `writes`, not `-> dst`, as the translator has always treated it: a result would be
        // retargeted by `local.set` and read from the accumulator, changing translations.
        MemoryGrow "memory.grow" { dst: Reg, delta: Reg, mem: u32 } writes(dst)
        /// `memory.init data` into memory `mem` with (dst, src, len) in registers
        /// `args..args+3`.
        MemoryInit "memory.init" { args: Reg, data: u32, mem: u16 }
        /// Drop data segment `data`.
        DataDrop "data.drop" { data: u32 }
        /// `memory.copy` from memory `src_mem` to `dst_mem` with (dst, src, len) in registers
        /// `args..args+3`.
        MemoryCopy "memory.copy" { args: Reg, dst_mem: u16, src_mem: u16 }
        /// `memory.fill` of memory `mem` with (dst, value, len) in registers `args..args+3`.
        MemoryFill "memory.fill" { args: Reg, mem: u32 }
        /// `dst = load at addr + offset` from memory `mem`, any memory and address width (the
        /// multi-memory and memory64 form; memory 0 of 32 bits has the fast forms above).
        /// `kind` is the load's opcode minus `0x28` (`i32.load` .. `i64.load32_u`).
        MemLoad "mem.load" { dst: Reg, addr: Reg, offset: u32, mem: u16, kind: u8 } -> dst
        /// Store `src` at addr + offset in memory `mem`; `kind` is the store's opcode minus
        /// `0x36` (`i32.store` .. `i64.store32`).
        MemStore "mem.store" { addr: Reg, src: Reg, offset: u32, mem: u16, kind: u8 } is(store)
        /// `dst = table[index]`.
        TableGet "table.get" { dst: Reg, index: Reg, table: u32 } -> dst
        /// `table[index] = value`.
        TableSet "table.set" { index: Reg, value: Reg, table: u32 }
        /// `dst = table size`.
        TableSize "table.size" { dst: Reg, table: u32 } -> dst
        /// `table.grow` with (init, delta) in `args`, `args+1`; the result replaces `args`.
        TableGrow "table.grow" { args: Reg, table: u32 } writes(args)
        /// `table.fill` with (index, value, len) in registers `args..args+3`.
        TableFill "table.fill" { args: Reg, table: u32 }
        /// `table.copy` with (dst, src, len) in registers `args..args+3`.
        TableCopy "table.copy" { args: Reg, dst_table: u16, src_table: u16 }
        /// `table.init` with (dst, src, len) in registers `args..args+3`.
        TableInit "table.init" { args: Reg, table: u16, elem: u32 }
        /// Drop element segment `elem`.
        ElemDrop "elem.drop" { elem: u32 }
        /// `dst = reference to function func`.
        RefFunc "ref.func" { dst: Reg, func: u32 } -> dst
        /// Start of a basic block under fuel metering: charge `amount` fuel (the block's
        /// instruction count), or suspend the call, resumably, when the store has less.
        ConsumeFuel "consume_fuel" { amount: u32 }
        /// At function entry and loop headers of interruptible code: suspend the call, resumably,
        /// if an interrupt or the deadline was signalled (one relaxed atomic load).
        Check "check" { }
        /// `i64.add128`: registers `args, args+1` (low, high) become their sum with
        /// `args+2, args+3`, as 128-bit integers.
        I64Add128 "i64.add128" { args: Reg } writes(args)
        /// `i64.sub128`: `args, args+1` minus `args+2, args+3`, as 128-bit integers.
        I64Sub128 "i64.sub128" { args: Reg } writes(args)
        /// `i64.mul_wide_s`: the signed 128-bit product of `args` and `args+1`, low half in
        /// `args`, high half in `args+1`.
        I64MulWideS "i64.mul_wide_s" { args: Reg } writes(args)
        /// `i64.mul_wide_u`: the unsigned 128-bit product, as `i64.mul_wide_s`.
        I64MulWideU "i64.mul_wide_u" { args: Reg } writes(args)
        /// `dst = op(a)` for a `v128` operator of shape `un` ([`crate::simd`]).
        V128Un "v128.un" { dst: VReg, a: VReg, op: SimdOp } writes(dst)
        /// `dst = op(a, b)` for a `v128` operator of shape `bin`.
        V128Bin "v128.bin" { dst: VReg, a: VReg, b: VReg, op: SimdOp } writes(dst)
        /// `dst = op(a, b, c)` for a `v128` operator of shape `tern`.
        V128Tern "v128.tern" { dst: VReg, a: VReg, b: VReg, c: VReg, op: SimdOp } writes(dst)
        /// `dst = op(a)` for a `v128` test (`any_true`, `all_true`, `bitmask`): an `i32`.
        V128Test "v128.test" { dst: Reg, a: VReg, op: SimdOp } writes(dst)
        /// `dst = op(a, b)` for a `v128` shift by the `i32` in `b`.
        V128Shift "v128.shift" { dst: VReg, a: VReg, b: Reg, op: SimdOp } writes(dst)
        /// `dst = op(a)`: a scalar splatted to every lane.
        V128Splat "v128.splat" { dst: VReg, a: Reg, op: SimdOp } writes(dst)
        /// `dst = op(a, lane)`: one lane as a scalar.
        V128Extract "v128.extract" { dst: Reg, a: VReg, lane: u8, op: SimdOp } writes(dst)
        /// `dst = op(a, lane, b)`: `a` with one lane replaced by the scalar `b`.
        V128Replace "v128.replace" { dst: VReg, a: VReg, b: Reg, lane: u8, op: SimdOp } writes(dst)
        /// `dst = op(bytes)` of the bytes loaded at addr + offset (`v128.load*`).
        V128Load "v128.load" { dst: VReg, addr: Reg, offset: u32, op: SimdOp } writes(dst)
        /// `dst = op(bytes)` of the bytes loaded at (base + disp wrapping to 32 bits) +
        /// offset: a `v128.load*` with the `i32.add` of its address fused in (`indexed_memory`).
        V128LoadDisp "v128.load_disp" { dst: VReg, base: Reg, disp: i32, offset: u16, op: SimdOp }
            writes(dst)
        /// `dst = op(a, b)` for a `v128` operator of shape `bin`, `b` the 16 bytes at addr +
        /// offset (`v128.load` fused into its user, `load_operands`).
        V128BinLoad "v128.bin_load" { dst: VReg, a: VReg, addr: Reg, offset: u32, op: SimdOp } writes(dst)
        /// `v128.bin_load` of a `v128.load_disp`: `b` the 16 bytes at (base + disp wrapping to
        /// 32 bits) + offset.
        V128BinLoadDisp "v128.bin_load_disp" {
            dst: VReg, a: VReg, base: Reg, disp: i32, offset: u16, op: SimdOp
        } writes(dst)
        /// The 16 bytes at addr + offset replaced by `op(a, them)`, for a `v128` operator of
        /// shape `bin` (`v128.bin_load` whose result is stored back, `load_operands`).
        V128BinLoadStore "v128.bin_load_store" { a: VReg, addr: Reg, offset: u32, op: SimdOp } is(store)
        /// Store the 16 bytes of `src` at addr + offset.
        V128Store "v128.store" { addr: Reg, src: VReg, offset: u32 } is(store)
        /// Store the 16 bytes of `src` at (base + disp wrapping to 32 bits) + offset: a
        /// `v128.store` with the `i32.add` of its address fused in (`indexed_memory`).
        V128StoreDisp "v128.store_disp" { base: Reg, src: VReg, disp: i32, offset: u16 } is(store)
        /// `dst = src` with lane `sel.lane()` replaced by `sel.bytes()` bytes loaded at
        /// addr + offset.
        V128LoadLane "v128.load_lane" { dst: VReg, addr: Reg, src: VReg, offset: u32, sel: LaneSel }
            writes(dst)
        /// Store lane `sel.lane()` of `src` (`sel.bytes()` bytes) at addr + offset.
        V128StoreLane "v128.store_lane" { addr: Reg, src: VReg, offset: u32, sel: LaneSel }
            is(store)
        /// `v128.load` from memory `mem`, any memory and address width.
        V128LoadMem "v128.load_mem" { dst: VReg, addr: Reg, offset: u32, op: SimdOp, mem: u16 }
            writes(dst)
        /// `v128.store` into memory `mem`.
        V128StoreMem "v128.store_mem" { addr: Reg, src: VReg, offset: u32, mem: u16 } is(store)
        /// `v128.load_lane` from memory `mem`.
        V128LoadLaneMem "v128.load_lane_mem"
            { dst: VReg, addr: Reg, src: VReg, offset: u32, sel: LaneSel, mem: u16 } writes(dst)
        /// `v128.store_lane` into memory `mem`.
        V128StoreLaneMem "v128.store_lane_mem"
            { addr: Reg, src: VReg, offset: u32, sel: LaneSel, mem: u16 } is(store)
        /// `dst = i8x16.shuffle(a, b)` with the lane indices in the constant `mask`.
        V128Shuffle "i8x16.shuffle" { dst: VReg, a: VReg, b: VReg, mask: VReg } writes(dst)
        /// `dst = global` for a `v128` global.
        V128GlobalGet "v128.global.get" { dst: VReg, global: u32 } writes(dst)
        /// `global = src` for a `v128` global.
        V128GlobalSet "v128.global.set" { src: VReg, global: u32 }
        ] }
    };
}
pub(super) use for_each_instr;
