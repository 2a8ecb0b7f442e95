//! The one table of WebAssembly numeric operators.
//!
//! Each row gives the opcode (`0xFCnn` for the `0xFC`-prefixed ones), the name used for the
//! operator both in Wasm (`Operator::Num`) and in the register bytecode (`Instr`), its text
//! mnemonic, its shape and signature, how its operands may be exchanged, and the function in
//! [`crate::numeric`] that implements it. The decoder, the validator, the bytecode, the
//! interpreter and the disassembler are all generated from this list through
//! [`for_each_numeric_op!`]; nothing else lists these operators.
//!
//! Shapes: `un` (one operand), `bin` (two operands), and `un_trap`/`bin_trap` for operators whose
//! semantic function can trap (it returns `Result<_, TrapCode>`).

/// Calls `$m!` with every numeric operator row:
/// `(code) Name "mnemonic" shape(in, in -> out) [exchange] numeric_fn acc NameAcc [imm NameImm
/// NameImmAcc | cmp NameImm BrName BrNameImm NameImmAcc BrNameAcc BrNameImmAcc [step AddBrName
/// AddImmBrName SelName SelNameImm AddBrNameAcc AddImmBrNameAcc]] [mem NameLoad NameLoadAcc];`
///
/// The optional `[exchange]` column says what computes the same result from the operands
/// exchanged: `[commutes]`, the operator itself (for `f32`/`f64` `add` and `mul` only a NaN
/// result's payload can differ, which Wasm leaves nondeterministic), or `[mirror Op]`, another
/// one (`a < b` is `b > a`). Only [`NumOp::swapped`] reads it: [`for_each_numeric_op!`] hands the
/// other generators the rows without it.
///
/// `imm` names the bytecode form whose right operand is a 32-bit immediate (sign-extended for
/// i64). Integer comparisons carry `cmp` instead: their immediate form plus the fused
/// compare-and-branch forms (register/register and register/16-bit immediate) that the
/// translator emits for `br_if`/`if` on a comparison. The `i32` comparisons also carry `step`:
/// the loop-closing forms `x += step; br_if cmp(x, rhs)` (step in a register, or a 16-bit
/// immediate) that jump threading makes of an `i32.add` into a loop counter followed by a fused
/// branch on it, and the `select` forms that test the comparison themselves. `mem` names the
/// form whose right operand is loaded from memory (`dst = op(a, load(addr + offset))`): the
/// arithmetic that loops apply to array elements.
///
/// The names ending in `Acc` are the same forms taking their left operand (`a`) from the
/// accumulator instead of a register: the value the instruction just before computed, which
/// the interpreter keeps in a machine register (see `Optimizations::accumulator`).
macro_rules! numeric_op_table {
    ($($m:ident)::+ $(, $extra:tt)*) => {
        $($m)::+! { [$($extra),*]
            (0x45) I32Eqz "i32.eqz" un(i32 -> i32) i32_eqz acc I32EqzAcc;
            (0x46) I32Eq "i32.eq" bin(i32, i32 -> i32) [commutes] i32_eq acc I32EqAcc cmp I32EqImm BrI32Eq BrI32EqImm I32EqImmAcc BrI32EqAcc BrI32EqImmAcc step AddBrI32Eq AddImmBrI32Eq SelI32Eq SelI32EqImm AddBrI32EqAcc AddImmBrI32EqAcc;
            (0x47) I32Ne "i32.ne" bin(i32, i32 -> i32) [commutes] i32_ne acc I32NeAcc cmp I32NeImm BrI32Ne BrI32NeImm I32NeImmAcc BrI32NeAcc BrI32NeImmAcc step AddBrI32Ne AddImmBrI32Ne SelI32Ne SelI32NeImm AddBrI32NeAcc AddImmBrI32NeAcc;
            (0x48) I32LtS "i32.lt_s" bin(i32, i32 -> i32) [mirror I32GtS] i32_lt_s acc I32LtSAcc cmp I32LtSImm BrI32LtS BrI32LtSImm I32LtSImmAcc BrI32LtSAcc BrI32LtSImmAcc step AddBrI32LtS AddImmBrI32LtS SelI32LtS SelI32LtSImm AddBrI32LtSAcc AddImmBrI32LtSAcc;
            (0x49) I32LtU "i32.lt_u" bin(i32, i32 -> i32) [mirror I32GtU] i32_lt_u acc I32LtUAcc cmp I32LtUImm BrI32LtU BrI32LtUImm I32LtUImmAcc BrI32LtUAcc BrI32LtUImmAcc step AddBrI32LtU AddImmBrI32LtU SelI32LtU SelI32LtUImm AddBrI32LtUAcc AddImmBrI32LtUAcc;
            (0x4a) I32GtS "i32.gt_s" bin(i32, i32 -> i32) [mirror I32LtS] i32_gt_s acc I32GtSAcc cmp I32GtSImm BrI32GtS BrI32GtSImm I32GtSImmAcc BrI32GtSAcc BrI32GtSImmAcc step AddBrI32GtS AddImmBrI32GtS SelI32GtS SelI32GtSImm AddBrI32GtSAcc AddImmBrI32GtSAcc;
            (0x4b) I32GtU "i32.gt_u" bin(i32, i32 -> i32) [mirror I32LtU] i32_gt_u acc I32GtUAcc cmp I32GtUImm BrI32GtU BrI32GtUImm I32GtUImmAcc BrI32GtUAcc BrI32GtUImmAcc step AddBrI32GtU AddImmBrI32GtU SelI32GtU SelI32GtUImm AddBrI32GtUAcc AddImmBrI32GtUAcc;
            (0x4c) I32LeS "i32.le_s" bin(i32, i32 -> i32) [mirror I32GeS] i32_le_s acc I32LeSAcc cmp I32LeSImm BrI32LeS BrI32LeSImm I32LeSImmAcc BrI32LeSAcc BrI32LeSImmAcc step AddBrI32LeS AddImmBrI32LeS SelI32LeS SelI32LeSImm AddBrI32LeSAcc AddImmBrI32LeSAcc;
            (0x4d) I32LeU "i32.le_u" bin(i32, i32 -> i32) [mirror I32GeU] i32_le_u acc I32LeUAcc cmp I32LeUImm BrI32LeU BrI32LeUImm I32LeUImmAcc BrI32LeUAcc BrI32LeUImmAcc step AddBrI32LeU AddImmBrI32LeU SelI32LeU SelI32LeUImm AddBrI32LeUAcc AddImmBrI32LeUAcc;
            (0x4e) I32GeS "i32.ge_s" bin(i32, i32 -> i32) [mirror I32LeS] i32_ge_s acc I32GeSAcc cmp I32GeSImm BrI32GeS BrI32GeSImm I32GeSImmAcc BrI32GeSAcc BrI32GeSImmAcc step AddBrI32GeS AddImmBrI32GeS SelI32GeS SelI32GeSImm AddBrI32GeSAcc AddImmBrI32GeSAcc;
            (0x4f) I32GeU "i32.ge_u" bin(i32, i32 -> i32) [mirror I32LeU] i32_ge_u acc I32GeUAcc cmp I32GeUImm BrI32GeU BrI32GeUImm I32GeUImmAcc BrI32GeUAcc BrI32GeUImmAcc step AddBrI32GeU AddImmBrI32GeU SelI32GeU SelI32GeUImm AddBrI32GeUAcc AddImmBrI32GeUAcc;
            (0x50) I64Eqz "i64.eqz" un(i64 -> i32) i64_eqz acc I64EqzAcc;
            (0x51) I64Eq "i64.eq" bin(i64, i64 -> i32) [commutes] i64_eq acc I64EqAcc cmp I64EqImm BrI64Eq BrI64EqImm I64EqImmAcc BrI64EqAcc BrI64EqImmAcc;
            (0x52) I64Ne "i64.ne" bin(i64, i64 -> i32) [commutes] i64_ne acc I64NeAcc cmp I64NeImm BrI64Ne BrI64NeImm I64NeImmAcc BrI64NeAcc BrI64NeImmAcc;
            (0x53) I64LtS "i64.lt_s" bin(i64, i64 -> i32) [mirror I64GtS] i64_lt_s acc I64LtSAcc cmp I64LtSImm BrI64LtS BrI64LtSImm I64LtSImmAcc BrI64LtSAcc BrI64LtSImmAcc;
            (0x54) I64LtU "i64.lt_u" bin(i64, i64 -> i32) [mirror I64GtU] i64_lt_u acc I64LtUAcc cmp I64LtUImm BrI64LtU BrI64LtUImm I64LtUImmAcc BrI64LtUAcc BrI64LtUImmAcc;
            (0x55) I64GtS "i64.gt_s" bin(i64, i64 -> i32) [mirror I64LtS] i64_gt_s acc I64GtSAcc cmp I64GtSImm BrI64GtS BrI64GtSImm I64GtSImmAcc BrI64GtSAcc BrI64GtSImmAcc;
            (0x56) I64GtU "i64.gt_u" bin(i64, i64 -> i32) [mirror I64LtU] i64_gt_u acc I64GtUAcc cmp I64GtUImm BrI64GtU BrI64GtUImm I64GtUImmAcc BrI64GtUAcc BrI64GtUImmAcc;
            (0x57) I64LeS "i64.le_s" bin(i64, i64 -> i32) [mirror I64GeS] i64_le_s acc I64LeSAcc cmp I64LeSImm BrI64LeS BrI64LeSImm I64LeSImmAcc BrI64LeSAcc BrI64LeSImmAcc;
            (0x58) I64LeU "i64.le_u" bin(i64, i64 -> i32) [mirror I64GeU] i64_le_u acc I64LeUAcc cmp I64LeUImm BrI64LeU BrI64LeUImm I64LeUImmAcc BrI64LeUAcc BrI64LeUImmAcc;
            (0x59) I64GeS "i64.ge_s" bin(i64, i64 -> i32) [mirror I64LeS] i64_ge_s acc I64GeSAcc cmp I64GeSImm BrI64GeS BrI64GeSImm I64GeSImmAcc BrI64GeSAcc BrI64GeSImmAcc;
            (0x5a) I64GeU "i64.ge_u" bin(i64, i64 -> i32) [mirror I64LeU] i64_ge_u acc I64GeUAcc cmp I64GeUImm BrI64GeU BrI64GeUImm I64GeUImmAcc BrI64GeUAcc BrI64GeUImmAcc;
            (0x5b) F32Eq "f32.eq" bin(f32, f32 -> i32) [commutes] f32_eq acc F32EqAcc;
            (0x5c) F32Ne "f32.ne" bin(f32, f32 -> i32) [commutes] f32_ne acc F32NeAcc;
            (0x5d) F32Lt "f32.lt" bin(f32, f32 -> i32) f32_lt acc F32LtAcc;
            (0x5e) F32Gt "f32.gt" bin(f32, f32 -> i32) f32_gt acc F32GtAcc;
            (0x5f) F32Le "f32.le" bin(f32, f32 -> i32) f32_le acc F32LeAcc;
            (0x60) F32Ge "f32.ge" bin(f32, f32 -> i32) f32_ge acc F32GeAcc;
            (0x61) F64Eq "f64.eq" bin(f64, f64 -> i32) [commutes] f64_eq acc F64EqAcc;
            (0x62) F64Ne "f64.ne" bin(f64, f64 -> i32) [commutes] f64_ne acc F64NeAcc;
            (0x63) F64Lt "f64.lt" bin(f64, f64 -> i32) f64_lt acc F64LtAcc;
            (0x64) F64Gt "f64.gt" bin(f64, f64 -> i32) f64_gt acc F64GtAcc;
            (0x65) F64Le "f64.le" bin(f64, f64 -> i32) f64_le acc F64LeAcc;
            (0x66) F64Ge "f64.ge" bin(f64, f64 -> i32) f64_ge acc F64GeAcc;
            (0x67) I32Clz "i32.clz" un(i32 -> i32) i32_clz acc I32ClzAcc;
            (0x68) I32Ctz "i32.ctz" un(i32 -> i32) i32_ctz acc I32CtzAcc;
            (0x69) I32Popcnt "i32.popcnt" un(i32 -> i32) i32_popcnt acc I32PopcntAcc;
            (0x6a) I32Add "i32.add" bin(i32, i32 -> i32) [commutes] i32_add acc I32AddAcc imm I32AddImm I32AddImmAcc mem I32AddLoad I32AddLoadAcc;
            (0x6b) I32Sub "i32.sub" bin(i32, i32 -> i32) i32_sub acc I32SubAcc imm I32SubImm I32SubImmAcc mem I32SubLoad I32SubLoadAcc;
            (0x6c) I32Mul "i32.mul" bin(i32, i32 -> i32) [commutes] i32_mul acc I32MulAcc imm I32MulImm I32MulImmAcc mem I32MulLoad I32MulLoadAcc;
            (0x6d) I32DivS "i32.div_s" bin_trap(i32, i32 -> i32) i32_div_s acc I32DivSAcc imm I32DivSImm I32DivSImmAcc;
            (0x6e) I32DivU "i32.div_u" bin_trap(i32, i32 -> i32) i32_div_u acc I32DivUAcc imm I32DivUImm I32DivUImmAcc;
            (0x6f) I32RemS "i32.rem_s" bin_trap(i32, i32 -> i32) i32_rem_s acc I32RemSAcc imm I32RemSImm I32RemSImmAcc;
            (0x70) I32RemU "i32.rem_u" bin_trap(i32, i32 -> i32) i32_rem_u acc I32RemUAcc imm I32RemUImm I32RemUImmAcc;
            (0x71) I32And "i32.and" bin(i32, i32 -> i32) [commutes] i32_and acc I32AndAcc imm I32AndImm I32AndImmAcc mem I32AndLoad I32AndLoadAcc;
            (0x72) I32Or "i32.or" bin(i32, i32 -> i32) [commutes] i32_or acc I32OrAcc imm I32OrImm I32OrImmAcc mem I32OrLoad I32OrLoadAcc;
            (0x73) I32Xor "i32.xor" bin(i32, i32 -> i32) [commutes] i32_xor acc I32XorAcc imm I32XorImm I32XorImmAcc mem I32XorLoad I32XorLoadAcc;
            (0x74) I32Shl "i32.shl" bin(i32, i32 -> i32) i32_shl acc I32ShlAcc imm I32ShlImm I32ShlImmAcc;
            (0x75) I32ShrS "i32.shr_s" bin(i32, i32 -> i32) i32_shr_s acc I32ShrSAcc imm I32ShrSImm I32ShrSImmAcc;
            (0x76) I32ShrU "i32.shr_u" bin(i32, i32 -> i32) i32_shr_u acc I32ShrUAcc imm I32ShrUImm I32ShrUImmAcc;
            (0x77) I32Rotl "i32.rotl" bin(i32, i32 -> i32) i32_rotl acc I32RotlAcc imm I32RotlImm I32RotlImmAcc;
            (0x78) I32Rotr "i32.rotr" bin(i32, i32 -> i32) i32_rotr acc I32RotrAcc imm I32RotrImm I32RotrImmAcc;
            (0x79) I64Clz "i64.clz" un(i64 -> i64) i64_clz acc I64ClzAcc;
            (0x7a) I64Ctz "i64.ctz" un(i64 -> i64) i64_ctz acc I64CtzAcc;
            (0x7b) I64Popcnt "i64.popcnt" un(i64 -> i64) i64_popcnt acc I64PopcntAcc;
            (0x7c) I64Add "i64.add" bin(i64, i64 -> i64) [commutes] i64_add acc I64AddAcc imm I64AddImm I64AddImmAcc mem I64AddLoad I64AddLoadAcc;
            (0x7d) I64Sub "i64.sub" bin(i64, i64 -> i64) i64_sub acc I64SubAcc imm I64SubImm I64SubImmAcc mem I64SubLoad I64SubLoadAcc;
            (0x7e) I64Mul "i64.mul" bin(i64, i64 -> i64) [commutes] i64_mul acc I64MulAcc imm I64MulImm I64MulImmAcc mem I64MulLoad I64MulLoadAcc;
            (0x7f) I64DivS "i64.div_s" bin_trap(i64, i64 -> i64) i64_div_s acc I64DivSAcc imm I64DivSImm I64DivSImmAcc;
            (0x80) I64DivU "i64.div_u" bin_trap(i64, i64 -> i64) i64_div_u acc I64DivUAcc imm I64DivUImm I64DivUImmAcc;
            (0x81) I64RemS "i64.rem_s" bin_trap(i64, i64 -> i64) i64_rem_s acc I64RemSAcc imm I64RemSImm I64RemSImmAcc;
            (0x82) I64RemU "i64.rem_u" bin_trap(i64, i64 -> i64) i64_rem_u acc I64RemUAcc imm I64RemUImm I64RemUImmAcc;
            (0x83) I64And "i64.and" bin(i64, i64 -> i64) [commutes] i64_and acc I64AndAcc imm I64AndImm I64AndImmAcc mem I64AndLoad I64AndLoadAcc;
            (0x84) I64Or "i64.or" bin(i64, i64 -> i64) [commutes] i64_or acc I64OrAcc imm I64OrImm I64OrImmAcc mem I64OrLoad I64OrLoadAcc;
            (0x85) I64Xor "i64.xor" bin(i64, i64 -> i64) [commutes] i64_xor acc I64XorAcc imm I64XorImm I64XorImmAcc mem I64XorLoad I64XorLoadAcc;
            (0x86) I64Shl "i64.shl" bin(i64, i64 -> i64) i64_shl acc I64ShlAcc imm I64ShlImm I64ShlImmAcc;
            (0x87) I64ShrS "i64.shr_s" bin(i64, i64 -> i64) i64_shr_s acc I64ShrSAcc imm I64ShrSImm I64ShrSImmAcc;
            (0x88) I64ShrU "i64.shr_u" bin(i64, i64 -> i64) i64_shr_u acc I64ShrUAcc imm I64ShrUImm I64ShrUImmAcc;
            (0x89) I64Rotl "i64.rotl" bin(i64, i64 -> i64) i64_rotl acc I64RotlAcc imm I64RotlImm I64RotlImmAcc;
            (0x8a) I64Rotr "i64.rotr" bin(i64, i64 -> i64) i64_rotr acc I64RotrAcc imm I64RotrImm I64RotrImmAcc;
            (0x8b) F32Abs "f32.abs" un(f32 -> f32) f32_abs acc F32AbsAcc;
            (0x8c) F32Neg "f32.neg" un(f32 -> f32) f32_neg acc F32NegAcc;
            (0x8d) F32Ceil "f32.ceil" un(f32 -> f32) f32_ceil acc F32CeilAcc;
            (0x8e) F32Floor "f32.floor" un(f32 -> f32) f32_floor acc F32FloorAcc;
            (0x8f) F32Trunc "f32.trunc" un(f32 -> f32) f32_trunc acc F32TruncAcc;
            (0x90) F32Nearest "f32.nearest" un(f32 -> f32) f32_nearest acc F32NearestAcc;
            (0x91) F32Sqrt "f32.sqrt" un(f32 -> f32) f32_sqrt acc F32SqrtAcc;
            (0x92) F32Add "f32.add" bin(f32, f32 -> f32) [commutes] f32_add acc F32AddAcc mem F32AddLoad F32AddLoadAcc;
            (0x93) F32Sub "f32.sub" bin(f32, f32 -> f32) f32_sub acc F32SubAcc mem F32SubLoad F32SubLoadAcc;
            (0x94) F32Mul "f32.mul" bin(f32, f32 -> f32) [commutes] f32_mul acc F32MulAcc mem F32MulLoad F32MulLoadAcc;
            (0x95) F32Div "f32.div" bin(f32, f32 -> f32) f32_div acc F32DivAcc mem F32DivLoad F32DivLoadAcc;
            (0x96) F32Min "f32.min" bin(f32, f32 -> f32) f32_min acc F32MinAcc;
            (0x97) F32Max "f32.max" bin(f32, f32 -> f32) f32_max acc F32MaxAcc;
            (0x98) F32Copysign "f32.copysign" bin(f32, f32 -> f32) f32_copysign acc F32CopysignAcc;
            (0x99) F64Abs "f64.abs" un(f64 -> f64) f64_abs acc F64AbsAcc;
            (0x9a) F64Neg "f64.neg" un(f64 -> f64) f64_neg acc F64NegAcc;
            (0x9b) F64Ceil "f64.ceil" un(f64 -> f64) f64_ceil acc F64CeilAcc;
            (0x9c) F64Floor "f64.floor" un(f64 -> f64) f64_floor acc F64FloorAcc;
            (0x9d) F64Trunc "f64.trunc" un(f64 -> f64) f64_trunc acc F64TruncAcc;
            (0x9e) F64Nearest "f64.nearest" un(f64 -> f64) f64_nearest acc F64NearestAcc;
            (0x9f) F64Sqrt "f64.sqrt" un(f64 -> f64) f64_sqrt acc F64SqrtAcc;
            (0xa0) F64Add "f64.add" bin(f64, f64 -> f64) [commutes] f64_add acc F64AddAcc mem F64AddLoad F64AddLoadAcc;
            (0xa1) F64Sub "f64.sub" bin(f64, f64 -> f64) f64_sub acc F64SubAcc mem F64SubLoad F64SubLoadAcc;
            (0xa2) F64Mul "f64.mul" bin(f64, f64 -> f64) [commutes] f64_mul acc F64MulAcc mem F64MulLoad F64MulLoadAcc;
            (0xa3) F64Div "f64.div" bin(f64, f64 -> f64) f64_div acc F64DivAcc mem F64DivLoad F64DivLoadAcc;
            (0xa4) F64Min "f64.min" bin(f64, f64 -> f64) f64_min acc F64MinAcc;
            (0xa5) F64Max "f64.max" bin(f64, f64 -> f64) f64_max acc F64MaxAcc;
            (0xa6) F64Copysign "f64.copysign" bin(f64, f64 -> f64) f64_copysign acc F64CopysignAcc;
            (0xa7) I32WrapI64 "i32.wrap_i64" un(i64 -> i32) i32_wrap_i64 acc I32WrapI64Acc;
            (0xa8) I32TruncF32S "i32.trunc_f32_s" un_trap(f32 -> i32) i32_trunc_f32_s acc I32TruncF32SAcc;
            (0xa9) I32TruncF32U "i32.trunc_f32_u" un_trap(f32 -> i32) i32_trunc_f32_u acc I32TruncF32UAcc;
            (0xaa) I32TruncF64S "i32.trunc_f64_s" un_trap(f64 -> i32) i32_trunc_f64_s acc I32TruncF64SAcc;
            (0xab) I32TruncF64U "i32.trunc_f64_u" un_trap(f64 -> i32) i32_trunc_f64_u acc I32TruncF64UAcc;
            (0xac) I64ExtendI32S "i64.extend_i32_s" un(i32 -> i64) i64_extend_i32_s acc I64ExtendI32SAcc;
            (0xad) I64ExtendI32U "i64.extend_i32_u" un(i32 -> i64) i64_extend_i32_u acc I64ExtendI32UAcc;
            (0xae) I64TruncF32S "i64.trunc_f32_s" un_trap(f32 -> i64) i64_trunc_f32_s acc I64TruncF32SAcc;
            (0xaf) I64TruncF32U "i64.trunc_f32_u" un_trap(f32 -> i64) i64_trunc_f32_u acc I64TruncF32UAcc;
            (0xb0) I64TruncF64S "i64.trunc_f64_s" un_trap(f64 -> i64) i64_trunc_f64_s acc I64TruncF64SAcc;
            (0xb1) I64TruncF64U "i64.trunc_f64_u" un_trap(f64 -> i64) i64_trunc_f64_u acc I64TruncF64UAcc;
            (0xb2) F32ConvertI32S "f32.convert_i32_s" un(i32 -> f32) f32_convert_i32_s acc F32ConvertI32SAcc;
            (0xb3) F32ConvertI32U "f32.convert_i32_u" un(i32 -> f32) f32_convert_i32_u acc F32ConvertI32UAcc;
            (0xb4) F32ConvertI64S "f32.convert_i64_s" un(i64 -> f32) f32_convert_i64_s acc F32ConvertI64SAcc;
            (0xb5) F32ConvertI64U "f32.convert_i64_u" un(i64 -> f32) f32_convert_i64_u acc F32ConvertI64UAcc;
            (0xb6) F32DemoteF64 "f32.demote_f64" un(f64 -> f32) f32_demote_f64 acc F32DemoteF64Acc;
            (0xb7) F64ConvertI32S "f64.convert_i32_s" un(i32 -> f64) f64_convert_i32_s acc F64ConvertI32SAcc;
            (0xb8) F64ConvertI32U "f64.convert_i32_u" un(i32 -> f64) f64_convert_i32_u acc F64ConvertI32UAcc;
            (0xb9) F64ConvertI64S "f64.convert_i64_s" un(i64 -> f64) f64_convert_i64_s acc F64ConvertI64SAcc;
            (0xba) F64ConvertI64U "f64.convert_i64_u" un(i64 -> f64) f64_convert_i64_u acc F64ConvertI64UAcc;
            (0xbb) F64PromoteF32 "f64.promote_f32" un(f32 -> f64) f64_promote_f32 acc F64PromoteF32Acc;
            (0xbc) I32ReinterpretF32 "i32.reinterpret_f32" un(f32 -> i32) i32_reinterpret_f32 acc I32ReinterpretF32Acc;
            (0xbd) I64ReinterpretF64 "i64.reinterpret_f64" un(f64 -> i64) i64_reinterpret_f64 acc I64ReinterpretF64Acc;
            (0xbe) F32ReinterpretI32 "f32.reinterpret_i32" un(i32 -> f32) f32_reinterpret_i32 acc F32ReinterpretI32Acc;
            (0xbf) F64ReinterpretI64 "f64.reinterpret_i64" un(i64 -> f64) f64_reinterpret_i64 acc F64ReinterpretI64Acc;
            (0xc0) I32Extend8S "i32.extend8_s" un(i32 -> i32) i32_extend8_s acc I32Extend8SAcc;
            (0xc1) I32Extend16S "i32.extend16_s" un(i32 -> i32) i32_extend16_s acc I32Extend16SAcc;
            (0xc2) I64Extend8S "i64.extend8_s" un(i64 -> i64) i64_extend8_s acc I64Extend8SAcc;
            (0xc3) I64Extend16S "i64.extend16_s" un(i64 -> i64) i64_extend16_s acc I64Extend16SAcc;
            (0xc4) I64Extend32S "i64.extend32_s" un(i64 -> i64) i64_extend32_s acc I64Extend32SAcc;
            (0xfc00) I32TruncSatF32S "i32.trunc_sat_f32_s" un(f32 -> i32) i32_trunc_sat_f32_s acc I32TruncSatF32SAcc;
            (0xfc01) I32TruncSatF32U "i32.trunc_sat_f32_u" un(f32 -> i32) i32_trunc_sat_f32_u acc I32TruncSatF32UAcc;
            (0xfc02) I32TruncSatF64S "i32.trunc_sat_f64_s" un(f64 -> i32) i32_trunc_sat_f64_s acc I32TruncSatF64SAcc;
            (0xfc03) I32TruncSatF64U "i32.trunc_sat_f64_u" un(f64 -> i32) i32_trunc_sat_f64_u acc I32TruncSatF64UAcc;
            (0xfc04) I64TruncSatF32S "i64.trunc_sat_f32_s" un(f32 -> i64) i64_trunc_sat_f32_s acc I64TruncSatF32SAcc;
            (0xfc05) I64TruncSatF32U "i64.trunc_sat_f32_u" un(f32 -> i64) i64_trunc_sat_f32_u acc I64TruncSatF32UAcc;
            (0xfc06) I64TruncSatF64S "i64.trunc_sat_f64_s" un(f64 -> i64) i64_trunc_sat_f64_s acc I64TruncSatF64SAcc;
            (0xfc07) I64TruncSatF64U "i64.trunc_sat_f64_u" un(f64 -> i64) i64_trunc_sat_f64_u acc I64TruncSatF64UAcc;
        }
    };
}

/// Calls `$m!` (with `$extra` first, in brackets) with every row of the table, without the
/// `[exchange]` column: the row format every generator outside this file matches.
macro_rules! for_each_numeric_op {
    ($m:ident $(, $extra:tt)*) => {
        // Paths: these helpers are not in scope where this is called.
        $crate::ops::numeric_op_table! { crate::ops::without_exchange, $m, [$($extra),*] }
    };
}
pub(crate) use for_each_numeric_op;
pub(crate) use numeric_op_table;

/// The rows with their `[exchange]` column dropped, for `for_each_numeric_op!`.
macro_rules! without_exchange {
    ([$m:ident, [$($extra:tt),*]] $( ($code:expr) $name:ident $mnem:literal $shape:ident
          ($a:ident $(, $b:ident)? -> $r:ident) $([$($x:tt)*])? $f:ident acc $acc:ident
          $(imm $imm:ident $immacc:ident)?
          $(cmp $cimm:ident $br:ident $brimm:ident $cimmacc:ident $bracc:ident $brimmacc:ident)?
          $(step $addbr:ident $addimmbr:ident $sel:ident $selimm:ident $addbracc:ident $addimmbracc:ident)?
          $(mem $mem:ident $memacc:ident)?; )*) => {
        $m! { [$($extra),*] $(
            ($code) $name $mnem $shape ($a $(, $b)? -> $r) $f acc $acc
            $(imm $imm $immacc)?
            $(cmp $cimm $br $brimm $cimmacc $bracc $brimmacc)?
            $(step $addbr $addimmbr $sel $selimm $addbracc $addimmbracc)?
            $(mem $mem $memacc)?;
        )* }
    };
}
pub(crate) use without_exchange;

/// What `[exchange]` says of `$op`: see [`NumOp::swapped`]. Any other word is an error.
macro_rules! swapped {
    ($op:ident) => {
        None
    };
    ($op:ident commutes) => {
        Some(NumOp::$op)
    };
    ($op:ident mirror $m:ident) => {
        Some(NumOp::$m)
    };
}

use crate::value::ValType;

macro_rules! valtype {
    (i32) => {
        ValType::I32
    };
    (i64) => {
        ValType::I64
    };
    (f32) => {
        ValType::F32
    };
    (f64) => {
        ValType::F64
    };
}
pub(crate) use valtype;

/// Calls a semantic function, propagating its trap if it has one.
#[cfg(test)]
macro_rules! eval {
    (un $f:path, $a:expr) => {
        $f($a)
    };
    (un_trap $f:path, $a:expr) => {
        $f($a)?
    };
    (bin $f:path, $a:expr, $b:expr) => {
        $f($a, $b)
    };
    (bin_trap $f:path, $a:expr, $b:expr) => {
        $f($a, $b)?
    };
}

macro_rules! define_num_op {
    ([] $( ($code:expr) $name:ident $mnem:literal $shape:ident
          ($a:ident $(, $b:ident)? -> $r:ident) $([$($x:tt)*])? $f:ident acc $acc:ident
          $(imm $imm:ident $immacc:ident)?
          $(cmp $cimm:ident $br:ident $brimm:ident $cimmacc:ident $bracc:ident $brimmacc:ident)?
          $(step $addbr:ident $addimmbr:ident $sel:ident $selimm:ident $addbracc:ident $addimmbracc:ident)?
          $(mem $mem:ident $memacc:ident)?; )*) => {
        /// A WebAssembly numeric operator (comparison, arithmetic, conversion).
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum NumOp {
            $( #[doc = $mnem] $name, )*
        }

        impl NumOp {
            /// Looks up a one-byte opcode (a table lookup: the decoder's hottest path).
            #[inline]
            pub fn from_byte(code: u8) -> Option<NumOp> {
                const BY_BYTE: [Option<NumOp>; 256] = {
                    let mut table = [None; 256];
                    $( if $code < 0x100 { table[$code as usize] = Some(NumOp::$name); } )*
                    table
                };
                BY_BYTE[code as usize]
            }

            /// Looks up an opcode: one byte, or `0xFC00 | sub` for the `0xFC` prefix.
            pub fn from_code(code: u32) -> Option<NumOp> {
                match code {
                    $( $code => Some(NumOp::$name), )*
                    _ => None,
                }
            }

            /// The operator's text-format name.
            pub fn name(self) -> &'static str {
                match self { $( NumOp::$name => $mnem, )* }
            }

            /// Operand types, bottom of the stack first.
            pub fn params(self) -> &'static [ValType] {
                match self { $( NumOp::$name => &[valtype!($a) $(, valtype!($b))?], )* }
            }

            /// The result type.
            pub fn result(self) -> ValType {
                match self { $( NumOp::$name => valtype!($r), )* }
            }

            /// The operator that computes the same result from the operands exchanged
            /// (`op(a, b) == op.swapped()(b, a)`): the table's `[exchange]` column. `None` when
            /// the table names none.
            pub fn swapped(self) -> Option<NumOp> {
                match self { $( NumOp::$name => swapped!($name $($($x)*)?), )* }
            }

            /// Whether exchanging the operands leaves the result unchanged.
            pub fn commutes(self) -> bool {
                self.swapped() == Some(self)
            }

            /// The operator applied to operand cells (`b` is ignored by unary ones).
            #[cfg(test)]
            fn eval(self, a: u64, b: u64) -> Result<u64, crate::error::TrapCode> {
                use crate::numeric::{self, CellVal};
                let _ = b;
                Ok(match self { $(
                    NumOp::$name => {
                        eval!($shape numeric::$f, <$a>::from_cell(a) $(, <$b>::from_cell(b))?)
                            .into_cell()
                    }
                )* })
            }
        }
    };
}
numeric_op_table!(define_num_op);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_lookup_round_trips() {
        assert_eq!(NumOp::from_code(0x6a), Some(NumOp::I32Add));
        assert_eq!(NumOp::from_code(0xfc07), Some(NumOp::I64TruncSatF64U));
        assert_eq!(NumOp::I64Eqz.params(), &[ValType::I64]);
        assert_eq!(NumOp::I64Eqz.result(), ValType::I32);
        assert_eq!(NumOp::F64Lt.name(), "f64.lt");
        assert_eq!(NumOp::from_code(0xc5), None);
    }

    /// Operand cells for `t`: edge cases, and for floats the signed zeros, infinities and NaN.
    fn samples(t: ValType) -> Vec<u64> {
        match t {
            ValType::I32 => [0i32, 1, -1, 2, 7, 31, 33, i32::MIN, i32::MAX]
                .map(|v| v as u32 as u64)
                .to_vec(),
            ValType::I64 => [0i64, 1, -1, 2, 7, 63, 65, i64::MIN, i64::MAX]
                .map(|v| v as u64)
                .to_vec(),
            ValType::F32 => [
                0.0f32,
                -0.0,
                1.5,
                -2.0,
                3.0,
                f32::INFINITY,
                -f32::INFINITY,
                f32::NAN,
            ]
            .map(|v| v.to_bits() as u64)
            .to_vec(),
            _ => [
                0.0f64,
                -0.0,
                1.5,
                -2.0,
                3.0,
                f64::INFINITY,
                -f64::INFINITY,
                f64::NAN,
            ]
            .map(|v| v.to_bits())
            .to_vec(),
        }
    }

    /// Whether two results of type `t` are the same value (any NaN is the same as any other:
    /// Wasm leaves a NaN result's payload nondeterministic).
    fn same(t: ValType, x: u64, y: u64) -> bool {
        match t {
            ValType::F32 => {
                x == y || (f32::from_bits(x as u32).is_nan() && f32::from_bits(y as u32).is_nan())
            }
            ValType::F64 => x == y || (f64::from_bits(x).is_nan() && f64::from_bits(y).is_nan()),
            _ => x == y,
        }
    }

    fn all_ops() -> Vec<NumOp> {
        (0..=0xffu32)
            .chain(0xfc00..=0xfcff)
            .filter_map(NumOp::from_code)
            .collect()
    }

    #[test]
    fn swapped_operators_compute_the_same_from_exchanged_operands() {
        for op in all_ops() {
            let Some(m) = op.swapped() else { continue };
            let t = op.params()[0];
            assert_eq!(op.params(), &[t, t], "{op:?} exchanges its operands");
            assert_eq!(
                (m.params(), m.result()),
                (op.params(), op.result()),
                "{op:?}"
            );
            assert_eq!(
                m.swapped(),
                Some(op),
                "{op:?}: swapping twice is the identity"
            );
            for &a in &samples(t) {
                for &b in &samples(t) {
                    let (x, y) = (op.eval(a, b), m.eval(b, a));
                    let agree = match (x, y) {
                        (Ok(x), Ok(y)) => same(op.result(), x, y),
                        (x, y) => x == y,
                    };
                    assert!(
                        agree,
                        "{op:?}({a:#x}, {b:#x}) = {x:?} but {m:?} exchanged = {y:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn operators_not_marked_commutative_do_not_commute() {
        // These commute too but are not marked: marking them would let the accumulator pass
        // exchange their operands, a change of translation of its own.
        use NumOp::*;
        let unmarked = [F32Min, F32Max, F64Min, F64Max];
        for op in all_ops() {
            let t = op.params()[0];
            if op.commutes() || unmarked.contains(&op) || op.params() != [t, t] {
                continue;
            }
            let differs = samples(t).iter().any(|&a| {
                samples(t)
                    .iter()
                    .any(|&b| match (op.eval(a, b), op.eval(b, a)) {
                        (Ok(x), Ok(y)) => !same(op.result(), x, y),
                        (x, y) => x != y,
                    })
            });
            assert!(
                differs,
                "{op:?} commutes on every sample: mark it `[commutes]`"
            );
        }
    }

    #[test]
    fn byte_table_agrees_with_the_opcode_match() {
        for code in 0..=u8::MAX {
            assert_eq!(NumOp::from_byte(code), NumOp::from_code(u32::from(code)));
        }
    }
}
