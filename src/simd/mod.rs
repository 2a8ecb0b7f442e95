//! The one table of WebAssembly vector (`v128`) operators: fixed-width SIMD (Wasm 2.0) and
//! relaxed SIMD (Wasm 3.0).
//!
//! Each row gives the `0xFD`-prefixed sub-opcode, the name used both in Wasm
//! (`Operator::Simd`) and in the register bytecode (`Instr`), the text mnemonic, the shape,
//! the feature that enables it (`simd` or `relaxed`) and the function in [`lanes`] that computes
//! it. The decoder, the validator, the translator, the bytecode, both interpreter backends and the
//! disassembler are generated from this list through [`for_each_simd_op!`]; nothing else lists
//! these operators.
//!
//! A `v128` lives in two consecutive register cells (low half first), so scalar code keeps its
//! 64-bit cells. Shapes and the signature of their function (`u128` is the vector, lane 0 in the
//! low bits; `u64` is a register cell):
//! - `un`: `fn(u128) -> u128`; `bin`: `fn(u128, u128) -> u128`; `tern`: `fn(u128, u128, u128) ->
//!   u128` (operands bottom of the stack first);
//! - `test`: `fn(u128) -> u32` (`any_true`, `all_true`, `bitmask`);
//! - `shift`: `fn(u128, u32) -> u128` (the shift count is taken modulo the lane width);
//! - `splat(t)`: `fn(u64) -> u128` from a `t` cell;
//! - `extract(t, lanes)` / `replace(t, lanes)`: `fn(u128, u8) -> u64` / `fn(u128, u8, u64) ->
//!   u128`, the lane index an immediate below `lanes`;
//! - `load(n)`: reads `n` bytes and applies `fn(u128) -> u128` to them zero-extended (`load(16)`
//!   is `v128.load` itself and applies nothing); `store(16)`: `v128.store`;
//! - `load_lane(n, lanes)` / `store_lane(n, lanes)`: `n` bytes into / out of one lane, through
//!   the row's `replace` / `extract` function;
//! - `shuffle`: `fn(u128, u128, u128) -> u128`, the third operand the 16 lane indices (an
//!   immediate in Wasm, a constant register in the bytecode); `const`: `v128.const`.

pub(crate) mod fast;
pub(crate) mod lanes;

/// Calls `$m!` (with `$extra` first, in brackets) with every vector operator row:
/// `(code) Name "mnemonic" shape feature function;`
macro_rules! for_each_simd_op {
    ($m:ident $(, $extra:tt)*) => {
        $m! { [$($extra),*]
            (0x0) V128Load "v128.load" load(16) simd v128_load;
            (0x1) V128Load8x8S "v128.load8x8_s" load(8) simd v128_load8x8_s;
            (0x2) V128Load8x8U "v128.load8x8_u" load(8) simd v128_load8x8_u;
            (0x3) V128Load16x4S "v128.load16x4_s" load(8) simd v128_load16x4_s;
            (0x4) V128Load16x4U "v128.load16x4_u" load(8) simd v128_load16x4_u;
            (0x5) V128Load32x2S "v128.load32x2_s" load(8) simd v128_load32x2_s;
            (0x6) V128Load32x2U "v128.load32x2_u" load(8) simd v128_load32x2_u;
            (0x7) V128Load8Splat "v128.load8_splat" load(1) simd v128_load8_splat;
            (0x8) V128Load16Splat "v128.load16_splat" load(2) simd v128_load16_splat;
            (0x9) V128Load32Splat "v128.load32_splat" load(4) simd v128_load32_splat;
            (0xa) V128Load64Splat "v128.load64_splat" load(8) simd v128_load64_splat;
            (0xb) V128Store "v128.store" store(16) simd v128_store;
            (0xc) V128Const "v128.const" const simd v128_const;
            (0xd) I8x16Shuffle "i8x16.shuffle" shuffle simd i8x16_shuffle;
            (0xe) I8x16Swizzle "i8x16.swizzle" bin simd i8x16_swizzle;
            (0xf) I8x16Splat "i8x16.splat" splat(i32) simd i8x16_splat;
            (0x10) I16x8Splat "i16x8.splat" splat(i32) simd i16x8_splat;
            (0x11) I32x4Splat "i32x4.splat" splat(i32) simd i32x4_splat;
            (0x12) I64x2Splat "i64x2.splat" splat(i64) simd i64x2_splat;
            (0x13) F32x4Splat "f32x4.splat" splat(f32) simd f32x4_splat;
            (0x14) F64x2Splat "f64x2.splat" splat(f64) simd f64x2_splat;
            (0x15) I8x16ExtractLaneS "i8x16.extract_lane_s" extract(i32, 16) simd i8x16_extract_lane_s;
            (0x16) I8x16ExtractLaneU "i8x16.extract_lane_u" extract(i32, 16) simd i8x16_extract_lane_u;
            (0x17) I8x16ReplaceLane "i8x16.replace_lane" replace(i32, 16) simd i8x16_replace_lane;
            (0x18) I16x8ExtractLaneS "i16x8.extract_lane_s" extract(i32, 8) simd i16x8_extract_lane_s;
            (0x19) I16x8ExtractLaneU "i16x8.extract_lane_u" extract(i32, 8) simd i16x8_extract_lane_u;
            (0x1a) I16x8ReplaceLane "i16x8.replace_lane" replace(i32, 8) simd i16x8_replace_lane;
            (0x1b) I32x4ExtractLane "i32x4.extract_lane" extract(i32, 4) simd i32x4_extract_lane;
            (0x1c) I32x4ReplaceLane "i32x4.replace_lane" replace(i32, 4) simd i32x4_replace_lane;
            (0x1d) I64x2ExtractLane "i64x2.extract_lane" extract(i64, 2) simd i64x2_extract_lane;
            (0x1e) I64x2ReplaceLane "i64x2.replace_lane" replace(i64, 2) simd i64x2_replace_lane;
            (0x1f) F32x4ExtractLane "f32x4.extract_lane" extract(f32, 4) simd f32x4_extract_lane;
            (0x20) F32x4ReplaceLane "f32x4.replace_lane" replace(f32, 4) simd f32x4_replace_lane;
            (0x21) F64x2ExtractLane "f64x2.extract_lane" extract(f64, 2) simd f64x2_extract_lane;
            (0x22) F64x2ReplaceLane "f64x2.replace_lane" replace(f64, 2) simd f64x2_replace_lane;
            (0x23) I8x16Eq "i8x16.eq" bin simd i8x16_eq;
            (0x24) I8x16Ne "i8x16.ne" bin simd i8x16_ne;
            (0x25) I8x16LtS "i8x16.lt_s" bin simd i8x16_lt_s;
            (0x26) I8x16LtU "i8x16.lt_u" bin simd i8x16_lt_u;
            (0x27) I8x16GtS "i8x16.gt_s" bin simd i8x16_gt_s;
            (0x28) I8x16GtU "i8x16.gt_u" bin simd i8x16_gt_u;
            (0x29) I8x16LeS "i8x16.le_s" bin simd i8x16_le_s;
            (0x2a) I8x16LeU "i8x16.le_u" bin simd i8x16_le_u;
            (0x2b) I8x16GeS "i8x16.ge_s" bin simd i8x16_ge_s;
            (0x2c) I8x16GeU "i8x16.ge_u" bin simd i8x16_ge_u;
            (0x2d) I16x8Eq "i16x8.eq" bin simd i16x8_eq;
            (0x2e) I16x8Ne "i16x8.ne" bin simd i16x8_ne;
            (0x2f) I16x8LtS "i16x8.lt_s" bin simd i16x8_lt_s;
            (0x30) I16x8LtU "i16x8.lt_u" bin simd i16x8_lt_u;
            (0x31) I16x8GtS "i16x8.gt_s" bin simd i16x8_gt_s;
            (0x32) I16x8GtU "i16x8.gt_u" bin simd i16x8_gt_u;
            (0x33) I16x8LeS "i16x8.le_s" bin simd i16x8_le_s;
            (0x34) I16x8LeU "i16x8.le_u" bin simd i16x8_le_u;
            (0x35) I16x8GeS "i16x8.ge_s" bin simd i16x8_ge_s;
            (0x36) I16x8GeU "i16x8.ge_u" bin simd i16x8_ge_u;
            (0x37) I32x4Eq "i32x4.eq" bin simd i32x4_eq;
            (0x38) I32x4Ne "i32x4.ne" bin simd i32x4_ne;
            (0x39) I32x4LtS "i32x4.lt_s" bin simd i32x4_lt_s;
            (0x3a) I32x4LtU "i32x4.lt_u" bin simd i32x4_lt_u;
            (0x3b) I32x4GtS "i32x4.gt_s" bin simd i32x4_gt_s;
            (0x3c) I32x4GtU "i32x4.gt_u" bin simd i32x4_gt_u;
            (0x3d) I32x4LeS "i32x4.le_s" bin simd i32x4_le_s;
            (0x3e) I32x4LeU "i32x4.le_u" bin simd i32x4_le_u;
            (0x3f) I32x4GeS "i32x4.ge_s" bin simd i32x4_ge_s;
            (0x40) I32x4GeU "i32x4.ge_u" bin simd i32x4_ge_u;
            (0x41) F32x4Eq "f32x4.eq" bin simd f32x4_eq;
            (0x42) F32x4Ne "f32x4.ne" bin simd f32x4_ne;
            (0x43) F32x4Lt "f32x4.lt" bin simd f32x4_lt;
            (0x44) F32x4Gt "f32x4.gt" bin simd f32x4_gt;
            (0x45) F32x4Le "f32x4.le" bin simd f32x4_le;
            (0x46) F32x4Ge "f32x4.ge" bin simd f32x4_ge;
            (0x47) F64x2Eq "f64x2.eq" bin simd f64x2_eq;
            (0x48) F64x2Ne "f64x2.ne" bin simd f64x2_ne;
            (0x49) F64x2Lt "f64x2.lt" bin simd f64x2_lt;
            (0x4a) F64x2Gt "f64x2.gt" bin simd f64x2_gt;
            (0x4b) F64x2Le "f64x2.le" bin simd f64x2_le;
            (0x4c) F64x2Ge "f64x2.ge" bin simd f64x2_ge;
            (0x4d) V128Not "v128.not" un simd v128_not;
            (0x4e) V128And "v128.and" bin simd v128_and;
            (0x4f) V128Andnot "v128.andnot" bin simd v128_andnot;
            (0x50) V128Or "v128.or" bin simd v128_or;
            (0x51) V128Xor "v128.xor" bin simd v128_xor;
            (0x52) V128Bitselect "v128.bitselect" tern simd v128_bitselect;
            (0x53) V128AnyTrue "v128.any_true" test simd v128_any_true;
            (0x54) V128Load8Lane "v128.load8_lane" load_lane(1, 16) simd i8x16_replace_lane;
            (0x55) V128Load16Lane "v128.load16_lane" load_lane(2, 8) simd i16x8_replace_lane;
            (0x56) V128Load32Lane "v128.load32_lane" load_lane(4, 4) simd i32x4_replace_lane;
            (0x57) V128Load64Lane "v128.load64_lane" load_lane(8, 2) simd i64x2_replace_lane;
            (0x58) V128Store8Lane "v128.store8_lane" store_lane(1, 16) simd i8x16_extract_lane_u;
            (0x59) V128Store16Lane "v128.store16_lane" store_lane(2, 8) simd i16x8_extract_lane_u;
            (0x5a) V128Store32Lane "v128.store32_lane" store_lane(4, 4) simd i32x4_extract_lane;
            (0x5b) V128Store64Lane "v128.store64_lane" store_lane(8, 2) simd i64x2_extract_lane;
            (0x5c) V128Load32Zero "v128.load32_zero" load(4) simd v128_load32_zero;
            (0x5d) V128Load64Zero "v128.load64_zero" load(8) simd v128_load64_zero;
            (0x5e) F32x4DemoteF64x2Zero "f32x4.demote_f64x2_zero" un simd f32x4_demote_f64x2_zero;
            (0x5f) F64x2PromoteLowF32x4 "f64x2.promote_low_f32x4" un simd f64x2_promote_low_f32x4;
            (0x60) I8x16Abs "i8x16.abs" un simd i8x16_abs;
            (0x61) I8x16Neg "i8x16.neg" un simd i8x16_neg;
            (0x62) I8x16Popcnt "i8x16.popcnt" un simd i8x16_popcnt;
            (0x63) I8x16AllTrue "i8x16.all_true" test simd i8x16_all_true;
            (0x64) I8x16Bitmask "i8x16.bitmask" test simd i8x16_bitmask;
            (0x65) I8x16NarrowI16x8S "i8x16.narrow_i16x8_s" bin simd i8x16_narrow_i16x8_s;
            (0x66) I8x16NarrowI16x8U "i8x16.narrow_i16x8_u" bin simd i8x16_narrow_i16x8_u;
            (0x67) F32x4Ceil "f32x4.ceil" un simd f32x4_ceil;
            (0x68) F32x4Floor "f32x4.floor" un simd f32x4_floor;
            (0x69) F32x4Trunc "f32x4.trunc" un simd f32x4_trunc;
            (0x6a) F32x4Nearest "f32x4.nearest" un simd f32x4_nearest;
            (0x6b) I8x16Shl "i8x16.shl" shift simd i8x16_shl;
            (0x6c) I8x16ShrS "i8x16.shr_s" shift simd i8x16_shr_s;
            (0x6d) I8x16ShrU "i8x16.shr_u" shift simd i8x16_shr_u;
            (0x6e) I8x16Add "i8x16.add" bin simd i8x16_add;
            (0x6f) I8x16AddSatS "i8x16.add_sat_s" bin simd i8x16_add_sat_s;
            (0x70) I8x16AddSatU "i8x16.add_sat_u" bin simd i8x16_add_sat_u;
            (0x71) I8x16Sub "i8x16.sub" bin simd i8x16_sub;
            (0x72) I8x16SubSatS "i8x16.sub_sat_s" bin simd i8x16_sub_sat_s;
            (0x73) I8x16SubSatU "i8x16.sub_sat_u" bin simd i8x16_sub_sat_u;
            (0x74) F64x2Ceil "f64x2.ceil" un simd f64x2_ceil;
            (0x75) F64x2Floor "f64x2.floor" un simd f64x2_floor;
            (0x76) I8x16MinS "i8x16.min_s" bin simd i8x16_min_s;
            (0x77) I8x16MinU "i8x16.min_u" bin simd i8x16_min_u;
            (0x78) I8x16MaxS "i8x16.max_s" bin simd i8x16_max_s;
            (0x79) I8x16MaxU "i8x16.max_u" bin simd i8x16_max_u;
            (0x7a) F64x2Trunc "f64x2.trunc" un simd f64x2_trunc;
            (0x7b) I8x16AvgrU "i8x16.avgr_u" bin simd i8x16_avgr_u;
            (0x7c) I16x8ExtaddPairwiseI8x16S "i16x8.extadd_pairwise_i8x16_s" un simd i16x8_extadd_pairwise_i8x16_s;
            (0x7d) I16x8ExtaddPairwiseI8x16U "i16x8.extadd_pairwise_i8x16_u" un simd i16x8_extadd_pairwise_i8x16_u;
            (0x7e) I32x4ExtaddPairwiseI16x8S "i32x4.extadd_pairwise_i16x8_s" un simd i32x4_extadd_pairwise_i16x8_s;
            (0x7f) I32x4ExtaddPairwiseI16x8U "i32x4.extadd_pairwise_i16x8_u" un simd i32x4_extadd_pairwise_i16x8_u;
            (0x80) I16x8Abs "i16x8.abs" un simd i16x8_abs;
            (0x81) I16x8Neg "i16x8.neg" un simd i16x8_neg;
            (0x82) I16x8Q15mulrSatS "i16x8.q15mulr_sat_s" bin simd i16x8_q15mulr_sat_s;
            (0x83) I16x8AllTrue "i16x8.all_true" test simd i16x8_all_true;
            (0x84) I16x8Bitmask "i16x8.bitmask" test simd i16x8_bitmask;
            (0x85) I16x8NarrowI32x4S "i16x8.narrow_i32x4_s" bin simd i16x8_narrow_i32x4_s;
            (0x86) I16x8NarrowI32x4U "i16x8.narrow_i32x4_u" bin simd i16x8_narrow_i32x4_u;
            (0x87) I16x8ExtendLowI8x16S "i16x8.extend_low_i8x16_s" un simd i16x8_extend_low_i8x16_s;
            (0x88) I16x8ExtendHighI8x16S "i16x8.extend_high_i8x16_s" un simd i16x8_extend_high_i8x16_s;
            (0x89) I16x8ExtendLowI8x16U "i16x8.extend_low_i8x16_u" un simd i16x8_extend_low_i8x16_u;
            (0x8a) I16x8ExtendHighI8x16U "i16x8.extend_high_i8x16_u" un simd i16x8_extend_high_i8x16_u;
            (0x8b) I16x8Shl "i16x8.shl" shift simd i16x8_shl;
            (0x8c) I16x8ShrS "i16x8.shr_s" shift simd i16x8_shr_s;
            (0x8d) I16x8ShrU "i16x8.shr_u" shift simd i16x8_shr_u;
            (0x8e) I16x8Add "i16x8.add" bin simd i16x8_add;
            (0x8f) I16x8AddSatS "i16x8.add_sat_s" bin simd i16x8_add_sat_s;
            (0x90) I16x8AddSatU "i16x8.add_sat_u" bin simd i16x8_add_sat_u;
            (0x91) I16x8Sub "i16x8.sub" bin simd i16x8_sub;
            (0x92) I16x8SubSatS "i16x8.sub_sat_s" bin simd i16x8_sub_sat_s;
            (0x93) I16x8SubSatU "i16x8.sub_sat_u" bin simd i16x8_sub_sat_u;
            (0x94) F64x2Nearest "f64x2.nearest" un simd f64x2_nearest;
            (0x95) I16x8Mul "i16x8.mul" bin simd i16x8_mul;
            (0x96) I16x8MinS "i16x8.min_s" bin simd i16x8_min_s;
            (0x97) I16x8MinU "i16x8.min_u" bin simd i16x8_min_u;
            (0x98) I16x8MaxS "i16x8.max_s" bin simd i16x8_max_s;
            (0x99) I16x8MaxU "i16x8.max_u" bin simd i16x8_max_u;
            (0x9b) I16x8AvgrU "i16x8.avgr_u" bin simd i16x8_avgr_u;
            (0x9c) I16x8ExtmulLowI8x16S "i16x8.extmul_low_i8x16_s" bin simd i16x8_extmul_low_i8x16_s;
            (0x9d) I16x8ExtmulHighI8x16S "i16x8.extmul_high_i8x16_s" bin simd i16x8_extmul_high_i8x16_s;
            (0x9e) I16x8ExtmulLowI8x16U "i16x8.extmul_low_i8x16_u" bin simd i16x8_extmul_low_i8x16_u;
            (0x9f) I16x8ExtmulHighI8x16U "i16x8.extmul_high_i8x16_u" bin simd i16x8_extmul_high_i8x16_u;
            (0xa0) I32x4Abs "i32x4.abs" un simd i32x4_abs;
            (0xa1) I32x4Neg "i32x4.neg" un simd i32x4_neg;
            (0xa3) I32x4AllTrue "i32x4.all_true" test simd i32x4_all_true;
            (0xa4) I32x4Bitmask "i32x4.bitmask" test simd i32x4_bitmask;
            (0xa7) I32x4ExtendLowI16x8S "i32x4.extend_low_i16x8_s" un simd i32x4_extend_low_i16x8_s;
            (0xa8) I32x4ExtendHighI16x8S "i32x4.extend_high_i16x8_s" un simd i32x4_extend_high_i16x8_s;
            (0xa9) I32x4ExtendLowI16x8U "i32x4.extend_low_i16x8_u" un simd i32x4_extend_low_i16x8_u;
            (0xaa) I32x4ExtendHighI16x8U "i32x4.extend_high_i16x8_u" un simd i32x4_extend_high_i16x8_u;
            (0xab) I32x4Shl "i32x4.shl" shift simd i32x4_shl;
            (0xac) I32x4ShrS "i32x4.shr_s" shift simd i32x4_shr_s;
            (0xad) I32x4ShrU "i32x4.shr_u" shift simd i32x4_shr_u;
            (0xae) I32x4Add "i32x4.add" bin simd i32x4_add;
            (0xb1) I32x4Sub "i32x4.sub" bin simd i32x4_sub;
            (0xb5) I32x4Mul "i32x4.mul" bin simd i32x4_mul;
            (0xb6) I32x4MinS "i32x4.min_s" bin simd i32x4_min_s;
            (0xb7) I32x4MinU "i32x4.min_u" bin simd i32x4_min_u;
            (0xb8) I32x4MaxS "i32x4.max_s" bin simd i32x4_max_s;
            (0xb9) I32x4MaxU "i32x4.max_u" bin simd i32x4_max_u;
            (0xba) I32x4DotI16x8S "i32x4.dot_i16x8_s" bin simd i32x4_dot_i16x8_s;
            (0xbc) I32x4ExtmulLowI16x8S "i32x4.extmul_low_i16x8_s" bin simd i32x4_extmul_low_i16x8_s;
            (0xbd) I32x4ExtmulHighI16x8S "i32x4.extmul_high_i16x8_s" bin simd i32x4_extmul_high_i16x8_s;
            (0xbe) I32x4ExtmulLowI16x8U "i32x4.extmul_low_i16x8_u" bin simd i32x4_extmul_low_i16x8_u;
            (0xbf) I32x4ExtmulHighI16x8U "i32x4.extmul_high_i16x8_u" bin simd i32x4_extmul_high_i16x8_u;
            (0xc0) I64x2Abs "i64x2.abs" un simd i64x2_abs;
            (0xc1) I64x2Neg "i64x2.neg" un simd i64x2_neg;
            (0xc3) I64x2AllTrue "i64x2.all_true" test simd i64x2_all_true;
            (0xc4) I64x2Bitmask "i64x2.bitmask" test simd i64x2_bitmask;
            (0xc7) I64x2ExtendLowI32x4S "i64x2.extend_low_i32x4_s" un simd i64x2_extend_low_i32x4_s;
            (0xc8) I64x2ExtendHighI32x4S "i64x2.extend_high_i32x4_s" un simd i64x2_extend_high_i32x4_s;
            (0xc9) I64x2ExtendLowI32x4U "i64x2.extend_low_i32x4_u" un simd i64x2_extend_low_i32x4_u;
            (0xca) I64x2ExtendHighI32x4U "i64x2.extend_high_i32x4_u" un simd i64x2_extend_high_i32x4_u;
            (0xcb) I64x2Shl "i64x2.shl" shift simd i64x2_shl;
            (0xcc) I64x2ShrS "i64x2.shr_s" shift simd i64x2_shr_s;
            (0xcd) I64x2ShrU "i64x2.shr_u" shift simd i64x2_shr_u;
            (0xce) I64x2Add "i64x2.add" bin simd i64x2_add;
            (0xd1) I64x2Sub "i64x2.sub" bin simd i64x2_sub;
            (0xd5) I64x2Mul "i64x2.mul" bin simd i64x2_mul;
            (0xd6) I64x2Eq "i64x2.eq" bin simd i64x2_eq;
            (0xd7) I64x2Ne "i64x2.ne" bin simd i64x2_ne;
            (0xd8) I64x2LtS "i64x2.lt_s" bin simd i64x2_lt_s;
            (0xd9) I64x2GtS "i64x2.gt_s" bin simd i64x2_gt_s;
            (0xda) I64x2LeS "i64x2.le_s" bin simd i64x2_le_s;
            (0xdb) I64x2GeS "i64x2.ge_s" bin simd i64x2_ge_s;
            (0xdc) I64x2ExtmulLowI32x4S "i64x2.extmul_low_i32x4_s" bin simd i64x2_extmul_low_i32x4_s;
            (0xdd) I64x2ExtmulHighI32x4S "i64x2.extmul_high_i32x4_s" bin simd i64x2_extmul_high_i32x4_s;
            (0xde) I64x2ExtmulLowI32x4U "i64x2.extmul_low_i32x4_u" bin simd i64x2_extmul_low_i32x4_u;
            (0xdf) I64x2ExtmulHighI32x4U "i64x2.extmul_high_i32x4_u" bin simd i64x2_extmul_high_i32x4_u;
            (0xe0) F32x4Abs "f32x4.abs" un simd f32x4_abs;
            (0xe1) F32x4Neg "f32x4.neg" un simd f32x4_neg;
            (0xe3) F32x4Sqrt "f32x4.sqrt" un simd f32x4_sqrt;
            (0xe4) F32x4Add "f32x4.add" bin simd f32x4_add;
            (0xe5) F32x4Sub "f32x4.sub" bin simd f32x4_sub;
            (0xe6) F32x4Mul "f32x4.mul" bin simd f32x4_mul;
            (0xe7) F32x4Div "f32x4.div" bin simd f32x4_div;
            (0xe8) F32x4Min "f32x4.min" bin simd f32x4_min;
            (0xe9) F32x4Max "f32x4.max" bin simd f32x4_max;
            (0xea) F32x4Pmin "f32x4.pmin" bin simd f32x4_pmin;
            (0xeb) F32x4Pmax "f32x4.pmax" bin simd f32x4_pmax;
            (0xec) F64x2Abs "f64x2.abs" un simd f64x2_abs;
            (0xed) F64x2Neg "f64x2.neg" un simd f64x2_neg;
            (0xef) F64x2Sqrt "f64x2.sqrt" un simd f64x2_sqrt;
            (0xf0) F64x2Add "f64x2.add" bin simd f64x2_add;
            (0xf1) F64x2Sub "f64x2.sub" bin simd f64x2_sub;
            (0xf2) F64x2Mul "f64x2.mul" bin simd f64x2_mul;
            (0xf3) F64x2Div "f64x2.div" bin simd f64x2_div;
            (0xf4) F64x2Min "f64x2.min" bin simd f64x2_min;
            (0xf5) F64x2Max "f64x2.max" bin simd f64x2_max;
            (0xf6) F64x2Pmin "f64x2.pmin" bin simd f64x2_pmin;
            (0xf7) F64x2Pmax "f64x2.pmax" bin simd f64x2_pmax;
            (0xf8) I32x4TruncSatF32x4S "i32x4.trunc_sat_f32x4_s" un simd i32x4_trunc_sat_f32x4_s;
            (0xf9) I32x4TruncSatF32x4U "i32x4.trunc_sat_f32x4_u" un simd i32x4_trunc_sat_f32x4_u;
            (0xfa) F32x4ConvertI32x4S "f32x4.convert_i32x4_s" un simd f32x4_convert_i32x4_s;
            (0xfb) F32x4ConvertI32x4U "f32x4.convert_i32x4_u" un simd f32x4_convert_i32x4_u;
            (0xfc) I32x4TruncSatF64x2SZero "i32x4.trunc_sat_f64x2_s_zero" un simd i32x4_trunc_sat_f64x2_s_zero;
            (0xfd) I32x4TruncSatF64x2UZero "i32x4.trunc_sat_f64x2_u_zero" un simd i32x4_trunc_sat_f64x2_u_zero;
            (0xfe) F64x2ConvertLowI32x4S "f64x2.convert_low_i32x4_s" un simd f64x2_convert_low_i32x4_s;
            (0xff) F64x2ConvertLowI32x4U "f64x2.convert_low_i32x4_u" un simd f64x2_convert_low_i32x4_u;
            (0x100) I8x16RelaxedSwizzle "i8x16.relaxed_swizzle" bin relaxed i8x16_relaxed_swizzle;
            (0x101) I32x4RelaxedTruncF32x4S "i32x4.relaxed_trunc_f32x4_s" un relaxed i32x4_relaxed_trunc_f32x4_s;
            (0x102) I32x4RelaxedTruncF32x4U "i32x4.relaxed_trunc_f32x4_u" un relaxed i32x4_relaxed_trunc_f32x4_u;
            (0x103) I32x4RelaxedTruncF64x2SZero "i32x4.relaxed_trunc_f64x2_s_zero" un relaxed i32x4_relaxed_trunc_f64x2_s_zero;
            (0x104) I32x4RelaxedTruncF64x2UZero "i32x4.relaxed_trunc_f64x2_u_zero" un relaxed i32x4_relaxed_trunc_f64x2_u_zero;
            (0x105) F32x4RelaxedMadd "f32x4.relaxed_madd" tern relaxed f32x4_relaxed_madd;
            (0x106) F32x4RelaxedNmadd "f32x4.relaxed_nmadd" tern relaxed f32x4_relaxed_nmadd;
            (0x107) F64x2RelaxedMadd "f64x2.relaxed_madd" tern relaxed f64x2_relaxed_madd;
            (0x108) F64x2RelaxedNmadd "f64x2.relaxed_nmadd" tern relaxed f64x2_relaxed_nmadd;
            (0x109) I8x16RelaxedLaneselect "i8x16.relaxed_laneselect" tern relaxed i8x16_relaxed_laneselect;
            (0x10a) I16x8RelaxedLaneselect "i16x8.relaxed_laneselect" tern relaxed i16x8_relaxed_laneselect;
            (0x10b) I32x4RelaxedLaneselect "i32x4.relaxed_laneselect" tern relaxed i32x4_relaxed_laneselect;
            (0x10c) I64x2RelaxedLaneselect "i64x2.relaxed_laneselect" tern relaxed i64x2_relaxed_laneselect;
            (0x10d) F32x4RelaxedMin "f32x4.relaxed_min" bin relaxed f32x4_relaxed_min;
            (0x10e) F32x4RelaxedMax "f32x4.relaxed_max" bin relaxed f32x4_relaxed_max;
            (0x10f) F64x2RelaxedMin "f64x2.relaxed_min" bin relaxed f64x2_relaxed_min;
            (0x110) F64x2RelaxedMax "f64x2.relaxed_max" bin relaxed f64x2_relaxed_max;
            (0x111) I16x8RelaxedQ15mulrS "i16x8.relaxed_q15mulr_s" bin relaxed i16x8_relaxed_q15mulr_s;
            (0x112) I16x8RelaxedDotI8x16I7x16S "i16x8.relaxed_dot_i8x16_i7x16_s" bin relaxed i16x8_relaxed_dot_i8x16_i7x16_s;
            (0x113) I32x4RelaxedDotI8x16I7x16AddS "i32x4.relaxed_dot_i8x16_i7x16_add_s" tern relaxed i32x4_relaxed_dot_i8x16_i7x16_add_s;
        }
    };
}

use crate::binary::MemArg;
use crate::ops::valtype;
use crate::value::ValType;

/// The immediate operand a vector operator carries in the binary format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SimdImm {
    None,
    /// A lane index (`extract_lane`, `replace_lane`).
    Lane(u8),
    /// A memory immediate (`v128.load*`, `v128.store`).
    Mem(MemArg),
    /// A memory immediate and a lane index (`v128.load*_lane`, `v128.store*_lane`).
    MemLane(MemArg, u8),
    /// Sixteen bytes: `v128.const`'s value or `i8x16.shuffle`'s lane indices.
    Bytes([u8; 16]),
}

/// Which proposal an operator belongs to (each has its `Config` switch).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SimdFeature {
    /// Fixed-width SIMD (WebAssembly 2.0).
    Simd,
    /// Relaxed SIMD (WebAssembly 3.0).
    Relaxed,
}

/// How an operator reads its operands and immediates, derived from the table's shape column.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    Un,
    Bin,
    Tern,
    Test,
    Shift,
    Splat(ValType),
    Extract(ValType, u8),
    Replace(ValType, u8),
    /// Bytes read from memory.
    Load(u8),
    Store(u8),
    /// Bytes moved, number of lanes.
    LoadLane(u8, u8),
    StoreLane(u8, u8),
    Shuffle,
    Const,
}

macro_rules! simd_shape {
    (un) => {
        Shape::Un
    };
    (bin) => {
        Shape::Bin
    };
    (tern) => {
        Shape::Tern
    };
    (test) => {
        Shape::Test
    };
    (shift) => {
        Shape::Shift
    };
    (shuffle) => {
        Shape::Shuffle
    };
    (const) => {
        Shape::Const
    };
    (splat($t:ident)) => {
        Shape::Splat(valtype!($t))
    };
    (extract($t:ident, $l:literal)) => {
        Shape::Extract(valtype!($t), $l)
    };
    (replace($t:ident, $l:literal)) => {
        Shape::Replace(valtype!($t), $l)
    };
    (load($n:literal)) => {
        Shape::Load($n)
    };
    (store($n:literal)) => {
        Shape::Store($n)
    };
    (load_lane($n:literal, $l:literal)) => {
        Shape::LoadLane($n, $l)
    };
    (store_lane($n:literal, $l:literal)) => {
        Shape::StoreLane($n, $l)
    };
}

macro_rules! simd_feature {
    (simd) => {
        SimdFeature::Simd
    };
    (relaxed) => {
        SimdFeature::Relaxed
    };
}

macro_rules! define_simd_op {
    ([] $( ($code:expr) $name:ident $mnem:literal $shape:ident $(($($sa:tt)*))? $feat:ident $f:ident; )*) => {
        /// A WebAssembly vector operator (`0xFD` prefix).
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum SimdOp {
            $( #[doc = $mnem] $name, )*
        }

        impl SimdOp {
            /// Looks up a `0xFD`-prefixed sub-opcode.
            pub fn from_code(code: u32) -> Option<SimdOp> {
                match code {
                    $( $code => Some(SimdOp::$name), )*
                    _ => None,
                }
            }

            /// The operator whose index (`op as u16`) is `index`; `v128.load` for none. A `const
            /// fn`: the threaded backend's per-operator handlers get their operator from it at
            /// compile time.
            pub(crate) const fn from_index(index: u16) -> SimdOp {
                $( if index == SimdOp::$name as u16 { return SimdOp::$name; } )*
                SimdOp::V128Load
            }

            /// Its `0xFD`-prefixed sub-opcode: `from_code(op.code()) == Some(op)`.
            pub fn code(self) -> u32 {
                match self { $( SimdOp::$name => $code, )* }
            }

            /// The operator's text-format name.
            pub fn name(self) -> &'static str {
                match self { $( SimdOp::$name => $mnem, )* }
            }

            /// How the operator reads its operands and immediates (inlined: the interpreter
            /// asks it for every `v128.load`).
            #[inline(always)]
            pub fn shape(self) -> Shape {
                match self { $( SimdOp::$name => simd_shape!($shape $(($($sa)*))?), )* }
            }

            /// The proposal that defines it.
            pub fn feature(self) -> SimdFeature {
                match self { $( SimdOp::$name => simd_feature!($feat), )* }
            }
        }
    };
}
for_each_simd_op!(define_simd_op);
pub(crate) use for_each_simd_op;

impl Shape {
    /// Operand types (bottom of the stack first) and result type.
    pub fn signature(self) -> (&'static [ValType], Option<ValType>) {
        use ValType::*;
        const V: ValType = V128;
        match self {
            Shape::Un => (&[V], Some(V)),
            Shape::Bin | Shape::Shuffle => (&[V, V], Some(V)),
            Shape::Tern => (&[V, V, V], Some(V)),
            Shape::Test => (&[V], Some(I32)),
            Shape::Shift => (&[V, I32], Some(V)),
            // A lane's scalar type is always numeric.
            Shape::Splat(t) => (
                match t {
                    I32 => &[I32],
                    I64 => &[I64],
                    F32 => &[F32],
                    _ => &[F64],
                },
                Some(V),
            ),
            Shape::Extract(t, _) => (&[V], Some(t)),
            Shape::Replace(t, _) => (
                match t {
                    I32 => &[V, I32],
                    I64 => &[V, I64],
                    F32 => &[V, F32],
                    _ => &[V, F64],
                },
                Some(V),
            ),
            Shape::Load(_) => (&[I32], Some(V)),
            Shape::Store(_) | Shape::StoreLane(..) => (&[I32, V], None),
            Shape::LoadLane(..) => (&[I32, V], Some(V)),
            Shape::Const => (&[], Some(V)),
        }
    }
}

/// One arm of an `apply_*` method: the row's function when its shape is the method's, else a
/// value never used (the translator only emits an operator in the instruction of its shape).
macro_rules! simd_arm {
    (un, un $f:ident ($a:expr)) => { fast::$f($a) };
    (bin, bin $f:ident ($a:expr, $b:expr)) => { fast::$f($a, $b) };
    (bin, shuffle $f:ident ($a:expr, $b:expr)) => { { let _ = ($a, $b); 0 } };
    (tern, tern $f:ident ($a:expr, $b:expr, $c:expr)) => { fast::$f($a, $b, $c) };
    (tern, shuffle $f:ident ($a:expr, $b:expr, $c:expr)) => { fast::$f($a, $b, $c) };
    (test, test $f:ident ($a:expr)) => { fast::$f($a) };
    (shift, shift $f:ident ($a:expr, $b:expr)) => { fast::$f($a, $b) };
    (splat, splat $f:ident ($a:expr)) => { fast::$f($a) };
    (extract, extract $f:ident ($a:expr, $l:expr)) => { fast::$f($a, $l) };
    (extract, store_lane $f:ident ($a:expr, $l:expr)) => { fast::$f($a, $l) };
    (replace, replace $f:ident ($a:expr, $l:expr, $b:expr)) => { fast::$f($a, $l, $b) };
    (replace, load_lane $f:ident ($a:expr, $l:expr, $b:expr)) => { fast::$f($a, $l, $b) };
    (load, load $f:ident ($a:expr)) => { simd_load!($f, $a) };
    ($want:ident, $shape:ident $f:ident ($($a:expr),*)) => { { let _ = ($($a),*); Default::default() } };
}

/// `v128.load` itself applies nothing to its 16 bytes.
macro_rules! simd_load {
    (v128_load, $a:expr) => {
        $a
    };
    ($f:ident, $a:expr) => {
        fast::$f($a)
    };
}

macro_rules! define_simd_apply {
    ([] $( ($code:expr) $name:ident $mnem:literal $shape:ident $(($($sa:tt)*))? $feat:ident $f:ident; )*) => {
        /// The semantics of each shape: what the interpreter runs for an operator (see the
        /// module documentation for the signatures).
        impl SimdOp {
            #[inline(always)]
            pub(crate) fn apply_un(self, a: u128) -> u128 {
                match self { $( SimdOp::$name => simd_arm!(un, $shape $f (a)), )* }
            }
            #[inline(always)]
            pub(crate) fn apply_bin(self, a: u128, b: u128) -> u128 {
                match self { $( SimdOp::$name => simd_arm!(bin, $shape $f (a, b)), )* }
            }
            #[inline(always)]
            pub(crate) fn apply_tern(self, a: u128, b: u128, c: u128) -> u128 {
                match self { $( SimdOp::$name => simd_arm!(tern, $shape $f (a, b, c)), )* }
            }
            #[inline(always)]
            pub(crate) fn apply_test(self, a: u128) -> u32 {
                match self { $( SimdOp::$name => simd_arm!(test, $shape $f (a)), )* }
            }
            #[inline(always)]
            pub(crate) fn apply_shift(self, a: u128, b: u32) -> u128 {
                match self { $( SimdOp::$name => simd_arm!(shift, $shape $f (a, b)), )* }
            }
            #[inline(always)]
            pub(crate) fn apply_splat(self, a: u64) -> u128 {
                match self { $( SimdOp::$name => simd_arm!(splat, $shape $f (a)), )* }
            }
            #[inline(always)]
            pub(crate) fn apply_extract(self, a: u128, lane: u8) -> u64 {
                match self { $( SimdOp::$name => simd_arm!(extract, $shape $f (a, lane)), )* }
            }
            #[inline(always)]
            pub(crate) fn apply_replace(self, a: u128, lane: u8, b: u64) -> u128 {
                match self { $( SimdOp::$name => simd_arm!(replace, $shape $f (a, lane, b)), )* }
            }
            #[inline(always)]
            pub(crate) fn apply_load(self, bytes: u128) -> u128 {
                match self { $( SimdOp::$name => simd_arm!(load, $shape $f (bytes)), )* }
            }
        }
    };
}
for_each_simd_op!(define_simd_apply);

/// An operator whose semantics run out of line, in one function per shape: what the match
/// loop and the threaded backend's generic handlers call. The lane kernels are inlined into
/// their callers (see [`lanes`]); here they are inlined into these functions instead of into
/// the interpreter's loop, which stays small.
#[derive(Clone, Copy)]
pub(crate) struct Outlined(pub(crate) SimdOp);

impl Outlined {
    #[inline(never)]
    pub(crate) fn apply_un(self, a: u128) -> u128 {
        self.0.apply_un(a)
    }
    #[inline(never)]
    pub(crate) fn apply_bin(self, a: u128, b: u128) -> u128 {
        self.0.apply_bin(a, b)
    }
    #[inline(never)]
    pub(crate) fn apply_tern(self, a: u128, b: u128, c: u128) -> u128 {
        self.0.apply_tern(a, b, c)
    }
    #[inline(never)]
    pub(crate) fn apply_test(self, a: u128) -> u32 {
        self.0.apply_test(a)
    }
    #[inline(never)]
    pub(crate) fn apply_shift(self, a: u128, b: u32) -> u128 {
        self.0.apply_shift(a, b)
    }
    #[inline(never)]
    pub(crate) fn apply_splat(self, a: u64) -> u128 {
        self.0.apply_splat(a)
    }
    #[inline(never)]
    pub(crate) fn apply_extract(self, a: u128, lane: u8) -> u64 {
        self.0.apply_extract(a, lane)
    }
    #[inline(never)]
    pub(crate) fn apply_replace(self, a: u128, lane: u8, b: u64) -> u128 {
        self.0.apply_replace(a, lane, b)
    }
    #[inline(never)]
    pub(crate) fn apply_load(self, bytes: u128) -> u128 {
        self.0.apply_load(bytes)
    }
    #[inline]
    pub(crate) fn shape(self) -> Shape {
        self.0.shape()
    }
}

/// `v128.load*_lane` of `bytes` bytes: `replace_lane` of the lane type.
pub(crate) fn replace_lane_bytes(v: u128, bytes: u8, lane: u8, value: u64) -> u128 {
    let bits = bytes as u32 * 8;
    let mask: u128 = if bits == 64 {
        u64::MAX as u128
    } else {
        (1u128 << bits) - 1
    };
    let shift = (lane as u32 % (128 / bits)) * bits;
    (v & !(mask << shift)) | ((value as u128 & mask) << shift)
}

/// `v128.store*_lane` of `bytes` bytes: the lane's bits.
pub(crate) fn extract_lane_bytes(v: u128, bytes: u8, lane: u8) -> u64 {
    let bits = bytes as u32 * 8;
    let shift = (lane as u32 % (128 / bits)) * bits;
    let mask: u128 = if bits == 64 {
        u64::MAX as u128
    } else {
        (1u128 << bits) - 1
    };
    ((v >> shift) & mask) as u64
}
