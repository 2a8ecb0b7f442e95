//! Unit tests of the lane semantics: the tricky cases of each family (saturation, rounding,
//! NaN and signed zero, lane indices).

use super::*;

/// The lane helpers at the `u128` boundary, shadowing the `Bytes` ones of the module.
macro_rules! at_u128 {
    ($($to:ident $from:ident [$t:ty; $n:literal];)*) => {$(
        fn $to(v: u128) -> [$t; $n] {
            super::$to(v.to_le_bytes())
        }
        fn $from(lanes: [$t; $n]) -> u128 {
            u128::from_le_bytes(super::$from(lanes))
        }
    )*};
}
at_u128! {
    i8s from_i8s [i8; 16];
    u8s from_u8s [u8; 16];
    i16s from_i16s [i16; 8];
    u16s from_u16s [u16; 8];
    i32s from_i32s [i32; 4];
    u32s from_u32s [u32; 4];
    i64s from_i64s [i64; 2];
    u64s from_u64s [u64; 2];
    f32s from_f32s [f32; 4];
    f64s from_f64s [f64; 2];
}

fn f32x4(l: [f32; 4]) -> u128 {
    from_f32s(l)
}
fn f64x2(l: [f64; 2]) -> u128 {
    from_f64s(l)
}

#[test]
fn lane_order_is_little_endian() {
    let v = from_i32s([1, 2, 3, 4]);
    assert_eq!(v, 0x0000_0004_0000_0003_0000_0002_0000_0001);
    assert_eq!(i8s(v)[4], 2);
}

#[test]
fn saturating_arithmetic() {
    let a = from_i8s([127, -128, 100, -100, 0, 1, -1, 50, 0, 0, 0, 0, 0, 0, 0, 0]);
    let b = from_i8s([1, -1, 100, -100, 0, 1, -1, 50, 0, 0, 0, 0, 0, 0, 0, 0]);
    assert_eq!(
        i8s(i8x16_add_sat_s(a, b))[..8],
        [127, -128, 127, -128, 0, 2, -2, 100]
    );
    assert_eq!(
        u8s(i8x16_add_sat_u(from_u8s([250; 16]), from_u8s([10; 16]))),
        [255; 16]
    );
    assert_eq!(
        u16s(i16x8_sub_sat_u(from_u16s([5; 8]), from_u16s([10; 8]))),
        [0; 8]
    );
    assert_eq!(
        i16s(i16x8_sub_sat_s(from_i16s([-32768; 8]), from_i16s([1; 8]))),
        [-32768; 8]
    );
    assert_eq!(
        u8s(i8x16_avgr_u(from_u8s([255; 16]), from_u8s([254; 16]))),
        [255; 16]
    );
    assert_eq!(i8s(i8x16_abs(from_i8s([-128; 16]))), [-128; 16]);
}

#[test]
fn narrowing_saturates_signed_input() {
    let a = from_i16s([300, -300, 127, -128, 255, 256, -1, 0]);
    let b = from_i16s([1, 2, 3, 4, 5, 6, 7, 8]);
    let s = i8s(i8x16_narrow_i16x8_s(a, b));
    assert_eq!(s[..8], [127, -128, 127, -128, 127, 127, -1, 0]);
    assert_eq!(s[8..], [1, 2, 3, 4, 5, 6, 7, 8]);
    let u = u8s(i8x16_narrow_i16x8_u(a, b));
    assert_eq!(u[..8], [255, 0, 127, 0, 255, 255, 0, 0]);
    let w = from_i32s([70000, -70000, 65535, -1]);
    assert_eq!(u16s(i16x8_narrow_i32x4_u(w, w))[..4], [65535, 0, 65535, 0]);
    assert_eq!(
        i16s(i16x8_narrow_i32x4_s(w, w))[..4],
        [32767, -32768, 32767, -1]
    );
}

#[test]
fn q15mulr_rounds_and_saturates() {
    let a = from_i16s([-32768, 16384, -16384, 1, 32767, 0, 3, -3]);
    let b = from_i16s([-32768, 16384, 16384, 16384, 32767, 5, 16384, 16384]);
    assert_eq!(
        i16s(i16x8_q15mulr_sat_s(a, b)),
        [32767, 8192, -8192, 1, 32766, 0, 2, -1]
    );
}

#[test]
fn dot_and_extmul() {
    let m = from_i16s([-32768; 8]);
    assert_eq!(i32s(i32x4_dot_i16x8_s(m, m)), [i32::MIN; 4]);
    let a = from_i16s([1, 2, 3, 4, 5, 6, 7, 8]);
    assert_eq!(i32s(i32x4_dot_i16x8_s(a, a)), [5, 25, 61, 113]);
    assert_eq!(
        i32s(i32x4_extmul_high_i16x8_s(a, m)),
        [-163840, -196608, -229376, -262144]
    );
    assert_eq!(u32s(i32x4_extmul_low_i16x8_u(m, m)), [1 << 30; 4]);
    assert_eq!(i16s(i16x8_extadd_pairwise_i8x16_s(u128::MAX)), [-2; 8]);
    assert_eq!(u16s(i16x8_extadd_pairwise_i8x16_u(u128::MAX)), [510; 8]);
}

#[test]
fn shifts_take_the_count_modulo_the_width() {
    let v = from_i8s([-128; 16]);
    assert_eq!(i8s(i8x16_shr_s(v, 9)), [-64; 16]);
    assert_eq!(u8s(i8x16_shr_u(v, 9)), [64; 16]);
    assert_eq!(i8s(i8x16_shl(from_i8s([1; 16]), 15)), [-128; 16]);
    assert_eq!(i64s(i64x2_shr_s(from_i64s([-2, 4]), 65)), [-1, 2]);
}

#[test]
fn popcnt_bitmask_all_true_any_true() {
    assert_eq!(u8s(i8x16_popcnt(from_u8s([0xff; 16]))), [8; 16]);
    let v = from_i8s([-1, 0, -128, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, -5]);
    assert_eq!(i8x16_bitmask(v), 0b1000_0000_0000_0101);
    assert_eq!(i64x2_bitmask(from_i64s([1, -1])), 0b10);
    assert_eq!(i8x16_all_true(v), 0);
    assert_eq!(i32x4_all_true(from_i32s([1, -1, 1 << 31, 256])), 1);
    assert_eq!(i16x8_all_true(from_i32s([1, 1, 1, 1])), 0);
    assert_eq!(v128_any_true(0), 0);
    assert_eq!(v128_any_true(1 << 127), 1);
}

#[test]
fn nearest_rounds_ties_to_even() {
    let v = f32x4([0.5, 1.5, 2.5, -2.5]);
    assert_eq!(f32s(f32x4_nearest(v)), [0.0, 2.0, 2.0, -2.0]);
    assert_eq!(
        f64s(f64x2_nearest(f64x2([-0.5, 4503599627370497.0]))),
        [-0.0, 4503599627370497.0]
    );
    assert!(f64s(f64x2_nearest(f64x2([-0.5, 0.0])))[0].is_sign_negative());
    assert_eq!(f32s(f32x4_ceil(v)), [1.0, 2.0, 3.0, -2.0]);
    assert_eq!(f32s(f32x4_floor(v)), [0.0, 1.0, 2.0, -3.0]);
    assert_eq!(f32s(f32x4_trunc(v)), [0.0, 1.0, 2.0, -2.0]);
    // A signalling NaN comes back quiet.
    let snan = f32::from_bits(0x7f80_0001);
    assert_eq!(
        u32s(f32x4_trunc(f32x4([snan; 4])))[0] & 0x0040_0000,
        0x0040_0000
    );
}

#[test]
fn trunc_sat_nan_and_overflow() {
    let v = f32x4([f32::NAN, 3e9, -3e9, -1.9]);
    assert_eq!(
        i32s(i32x4_trunc_sat_f32x4_s(v)),
        [0, i32::MAX, i32::MIN, -1]
    );
    assert_eq!(u32s(i32x4_trunc_sat_f32x4_u(v)), [0, 3_000_000_000, 0, 0]);
    let d = f64x2([f64::NAN, 1e300]);
    assert_eq!(i32s(i32x4_trunc_sat_f64x2_s_zero(d)), [0, i32::MAX, 0, 0]);
    assert_eq!(
        u32s(i32x4_trunc_sat_f64x2_u_zero(f64x2([-1e300, 4294967295.9]))),
        [0, u32::MAX, 0, 0]
    );
}

#[test]
fn conversions() {
    let v = from_i32s([16777217, -1, i32::MIN, 3]);
    assert_eq!(
        f32s(f32x4_convert_i32x4_s(v)),
        [16777216.0, -1.0, -2147483648.0, 3.0]
    );
    assert_eq!(f32s(f32x4_convert_i32x4_u(v))[1], 4294967296.0);
    assert_eq!(
        f64s(f64x2_convert_low_i32x4_u(v)),
        [16777217.0, 4294967295.0]
    );
    assert_eq!(f64s(f64x2_convert_low_i32x4_s(v)), [16777217.0, -1.0]);
    let d = f32x4_demote_f64x2_zero(f64x2([1e300, 0.1]));
    assert_eq!(f32s(d), [f32::INFINITY, 0.1, 0.0, 0.0]);
    assert_eq!(
        f64s(f64x2_promote_low_f32x4(f32x4([0.1, -0.0, 9.0, 9.0]))),
        [0.1f32 as f64, -0.0]
    );
}

#[test]
fn min_max_nan_and_signed_zeros() {
    let a = f32x4([f32::NAN, 0.0, -0.0, 1.0]);
    let b = f32x4([1.0, -0.0, 0.0, f32::NAN]);
    let min = f32s(f32x4_min(a, b));
    let max = f32s(f32x4_max(a, b));
    assert!(min[0].is_nan() && min[3].is_nan() && max[0].is_nan() && max[3].is_nan());
    assert_eq!(min[1].to_bits(), (-0.0f32).to_bits());
    assert_eq!(min[2].to_bits(), (-0.0f32).to_bits());
    assert_eq!(max[1].to_bits(), 0.0f32.to_bits());
    assert_eq!(max[2].to_bits(), 0.0f32.to_bits());
    let m = f64s(f64x2_min(
        f64x2([2.0, f64::NEG_INFINITY]),
        f64x2([1.0, 0.0]),
    ));
    assert_eq!(m, [1.0, f64::NEG_INFINITY]);
}

#[test]
fn pmin_pmax_return_the_first_operand_unless_strictly_ordered() {
    let a = f32x4([f32::NAN, 0.0, -0.0, 1.0]);
    let b = f32x4([1.0, -0.0, 0.0, f32::NAN]);
    let pmin = u32s(f32x4_pmin(a, b));
    let pmax = u32s(f32x4_pmax(a, b));
    assert_eq!(pmin, u32s(a));
    assert_eq!(pmax, u32s(a));
    assert_eq!(f32s(f32x4_pmin(f32x4([2.0; 4]), f32x4([1.0; 4]))), [1.0; 4]);
    assert_eq!(
        f64s(f64x2_pmax(f64x2([1.0, 3.0]), f64x2([2.0, 2.0]))),
        [2.0, 3.0]
    );
}

#[test]
fn float_compare_and_sign_ops() {
    let a = f32x4([f32::NAN, 1.0, -0.0, 2.0]);
    let b = f32x4([f32::NAN, 1.0, 0.0, 1.0]);
    assert_eq!(i32s(f32x4_eq(a, b)), [0, -1, -1, 0]);
    assert_eq!(i32s(f32x4_ne(a, b)), [-1, 0, 0, -1]);
    assert_eq!(i32s(f32x4_gt(a, b)), [0, 0, 0, -1]);
    let nan = f32::from_bits(0xffc1_2345);
    assert_eq!(u32s(f32x4_abs(f32x4([nan; 4])))[0], 0x7fc1_2345);
    assert_eq!(u32s(f32x4_neg(f32x4([0.0; 4])))[0], 0x8000_0000);
    assert_eq!(u32s(f32x4_abs(from_u32s([u32::MAX; 4]))), [0x7fff_ffff; 4]);
}

#[test]
fn swizzle_and_shuffle() {
    let a = from_u8s(core::array::from_fn(|i| i as u8 + 100));
    let idx = from_u8s([0, 15, 16, 255, 1, 1, 0x80, 3, 0, 0, 0, 0, 0, 0, 0, 17]);
    assert_eq!(
        u8s(i8x16_swizzle(a, idx)),
        [100, 115, 0, 0, 101, 101, 0, 103, 100, 100, 100, 100, 100, 100, 100, 0]
    );
    assert_eq!(i8x16_relaxed_swizzle(a, idx), i8x16_swizzle(a, idx));
    let b = from_u8s(core::array::from_fn(|i| i as u8 + 200));
    let lanes = from_u8s(core::array::from_fn(|i| (31 - i) as u8));
    let r = u8s(i8x16_shuffle(a, b, lanes));
    assert_eq!(r[0], 215);
    assert_eq!(r[15], 200);
}

#[test]
fn extract_lane_cells() {
    let v = from_i8s([-1, 5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, -128]);
    assert_eq!(i8x16_extract_lane_s(v, 0), 0x0000_0000_ffff_ffff);
    assert_eq!(i8x16_extract_lane_u(v, 0), 0xff);
    assert_eq!(i8x16_extract_lane_s(v, 15), 0xffff_ff80);
    // Indices are masked, never out of range.
    assert_eq!(i8x16_extract_lane_s(v, 17), 5);
    let w = from_i16s([-2, 0, 0, 0, 0, 0, 0, 7]);
    assert_eq!(i16x8_extract_lane_s(w, 0), 0xffff_fffe);
    assert_eq!(i16x8_extract_lane_u(w, 0), 0xfffe);
    assert_eq!(i64x2_extract_lane(from_i64s([0, -1]), 1), u64::MAX);
    assert_eq!(
        f32x4_extract_lane(f32x4([0.0, -1.0, 0.0, 0.0]), 1),
        0xbf80_0000
    );
}

#[test]
fn replace_lane_and_splat_use_the_low_bits_of_the_cell() {
    let v = i8x16_replace_lane(0, 3, 0xffff_ff7f);
    assert_eq!(v, 0x7f << 24);
    assert_eq!(i16x8_replace_lane(u128::MAX, 7, 0), u128::MAX >> 16);
    assert_eq!(
        f64x2_replace_lane(0, 1, 1.5f64.to_bits()),
        f64x2([0.0, 1.5])
    );
    assert_eq!(i8x16_splat(0x1234_5678_9abc_def0), from_u8s([0xf0; 16]));
    assert_eq!(f32x4_splat(u64::from(2.5f32.to_bits())), f32x4([2.5; 4]));
    assert_eq!(i64x2_splat(u64::MAX), u128::MAX);
}

#[test]
fn loads_extend_splat_and_zero() {
    let bytes = u128::from(0x8000_7fff_0180_ff01u64);
    assert_eq!(
        i16s(v128_load8x8_s(bytes)),
        [1, -1, -128, 1, -1, 127, 0, -128]
    );
    assert_eq!(
        u16s(v128_load8x8_u(bytes)),
        [1, 255, 128, 1, 255, 127, 0, 128]
    );
    assert_eq!(i32s(v128_load16x4_s(bytes)), [-255, 384, 32767, -32768]);
    assert_eq!(u64s(v128_load32x2_u(bytes)), [0x0180_ff01, 0x8000_7fff]);
    assert_eq!(
        i64s(v128_load32x2_s(bytes))[1],
        0xffff_ffff_8000_7fffu64 as i64
    );
    assert_eq!(v128_load16_splat(0xbeef), from_u16s([0xbeef; 8]));
    assert_eq!(
        v128_load64_splat(bytes),
        from_u64s([0x8000_7fff_0180_ff01; 2])
    );
    assert_eq!(v128_load32_zero(bytes), 0x0180_ff01);
    assert_eq!(v128_load64_zero(bytes), bytes);
}

#[test]
fn bitselect_and_relaxed_choices() {
    assert_eq!(
        v128_bitselect(0xff00, 0x0ff0, 0xf0f0),
        0xf0f0 & 0xff00 | 0x0ff0 & !0xf0f0
    );
    assert_eq!(i32x4_relaxed_laneselect(1, 2, 3), v128_bitselect(1, 2, 3));
    // Unfused: 0.1 * 10 rounds to 1.0 before the add.
    let r = f64s(f64x2_relaxed_madd(
        f64x2([0.1; 2]),
        f64x2([10.0; 2]),
        f64x2([-1.0; 2]),
    ));
    assert_eq!(r, [0.0; 2]);
    let r = f32s(f32x4_relaxed_nmadd(
        f32x4([2.0; 4]),
        f32x4([3.0; 4]),
        f32x4([1.0; 4]),
    ));
    assert_eq!(r, [-5.0; 4]);
    let m = from_i8s([-128; 16]);
    assert_eq!(i16s(i16x8_relaxed_dot_i8x16_i7x16_s(m, m)), [-32768; 8]);
    let c = from_i32s([1, 2, 3, 4]);
    assert_eq!(
        i32s(i32x4_relaxed_dot_i8x16_i7x16_add_s(m, m, c)),
        [-65535, -65534, -65533, -65532]
    );
    let a = from_i8s([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]);
    assert_eq!(
        i16s(i16x8_relaxed_dot_i8x16_i7x16_s(a, a)),
        [1, 13, 41, 85, 145, 221, 313, 421]
    );
    assert_eq!(
        i32s(i32x4_relaxed_dot_i8x16_i7x16_add_s(
            a,
            a,
            from_i32s([0, 1, 2, 3])
        )),
        [14, 127, 368, 737]
    );
}
