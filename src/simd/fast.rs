//! The lane semantics the interpreter runs: [`super::lanes`]' portable functions, with the
//! operators that have an exact SSE2 equivalent replaced by it on x86-64.
//!
//! Why: the portable kernels compute on byte arrays and leave the choice of instructions to
//! LLVM, which vectorises them only when they run out of line with their operands in memory
//! (see `lanes.rs`). Inlined into a handler, where the operands arrive as `u128`s, it
//! scalarises them, lane by lane. An intrinsic is one vector instruction wherever it lands,
//! so these functions are inlined into the threaded backend's per-operator handlers
//! (`exec::backend_threaded::simd_handler_of`): a load of each operand from the register file,
//! the instruction, a store.
//!
//! Only instructions whose result is bit for bit the spec's for every input are used (SSE2's
//! saturating packs are Wasm's narrowing, `pmaddwd` its `dot`, `minps` with its operands
//! swapped is `pmin`, IEEE arithmetic and comparisons are the same operations). Anything
//! needing SSSE3 or later, or a fix-up (`min`/`max` of floats, `trunc_sat`), stays portable.
//! SSE2 is part of every x86-64 target, so there is no run-time detection. A test checks every
//! function here against its portable twin on edge-case and random operands (`tests`).
//!
//! Items defined here shadow the glob import of `lanes`, so callers name one module and get
//! the fast form where there is one.

pub(crate) use super::lanes::*;

#[cfg(target_arch = "x86_64")]
use core::arch::x86_64::*;

#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn m(v: u128) -> __m128i {
    // SAFETY: `u128` and `__m128i` are both 16 bytes of plain data, valid for every bit
    // pattern, and x86-64 is little-endian, so lane 0 (the low bits) stays lane 0.
    unsafe { core::mem::transmute::<u128, __m128i>(v) }
}

#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn u(v: __m128i) -> u128 {
    // SAFETY: as in `m`.
    unsafe { core::mem::transmute::<__m128i, u128>(v) }
}

/// `pub(crate) fn name(a: u128, ..) -> u128` computing `e` over the operands as `__m128i`.
macro_rules! sse2 {
    ($( $name:ident($($a:ident),+) => $e:expr; )*) => {$(
        #[cfg(target_arch = "x86_64")]
        #[inline(always)]
        // Some expressions only call the safe helpers of `ops`.
        #[allow(unused_unsafe)]
        pub(crate) fn $name($($a: u128),+) -> u128 {
            $( let $a = m($a); )+
            // SAFETY: SSE2 is part of the x86-64 baseline: every x86-64 target has it.
            u(unsafe { $e })
        }
    )*};
}

/// Shifts by a count taken modulo the lane width `$bits`, the count in a vector register.
macro_rules! sse2_shift {
    ($( $name:ident $bits:literal => $f:ident; )*) => {$(
        #[cfg(target_arch = "x86_64")]
        #[inline(always)]
        pub(crate) fn $name(v: u128, count: u32) -> u128 {
            // SAFETY: as in `sse2!`.
            u(unsafe { $f(m(v), _mm_cvtsi32_si128((count % $bits) as i32)) })
        }
    )*};
}

/// Tests of a vector giving an `i32`.
macro_rules! sse2_test {
    ($( $name:ident($a:ident) => $e:expr; )*) => {$(
        #[cfg(target_arch = "x86_64")]
        #[inline(always)]
        pub(crate) fn $name($a: u128) -> u32 {
            let $a = m($a);
            // SAFETY: as in `sse2!`.
            unsafe { $e }
        }
    )*};
}

// Helpers for the expressions below: SSE2 sequences with no precondition of their own.
#[cfg(target_arch = "x86_64")]
mod ops {
    use core::arch::x86_64::*;

    /// All ones.
    #[inline(always)]
    pub(super) fn ones() -> __m128i {
        // SAFETY: SSE2 is part of the x86-64 baseline.
        unsafe { _mm_set1_epi32(-1) }
    }
    #[inline(always)]
    pub(super) fn not(a: __m128i) -> __m128i {
        // SAFETY: as above.
        unsafe { _mm_xor_si128(a, ones()) }
    }
    /// Flips each lane's sign bit (`$bits`-bit lanes), so a signed comparison orders the
    /// lanes as unsigned ones.
    #[inline(always)]
    pub(super) fn flip8(a: __m128i) -> __m128i {
        // SAFETY: as above.
        unsafe { _mm_xor_si128(a, _mm_set1_epi8(i8::MIN)) }
    }
    #[inline(always)]
    pub(super) fn flip16(a: __m128i) -> __m128i {
        // SAFETY: as above.
        unsafe { _mm_xor_si128(a, _mm_set1_epi16(i16::MIN)) }
    }
    #[inline(always)]
    pub(super) fn flip32(a: __m128i) -> __m128i {
        // SAFETY: as above.
        unsafe { _mm_xor_si128(a, _mm_set1_epi32(i32::MIN)) }
    }
    /// The sign of each 8-bit lane, spread over the lane (for sign extension).
    #[inline(always)]
    pub(super) fn sign8(a: __m128i) -> __m128i {
        // SAFETY: as above.
        unsafe { _mm_cmpgt_epi8(_mm_setzero_si128(), a) }
    }
    /// Low 32 bits of the product of each pair of 32-bit lanes (SSE2 has no `pmulld`): the
    /// even lanes' and the odd lanes' 64-bit products, interleaved again.
    #[inline(always)]
    pub(super) fn mul32(a: __m128i, b: __m128i) -> __m128i {
        // SAFETY: as above.
        unsafe {
            let even = _mm_mul_epu32(a, b);
            let odd = _mm_mul_epu32(_mm_srli_epi64(a, 32), _mm_srli_epi64(b, 32));
            _mm_unpacklo_epi32(
                _mm_shuffle_epi32(even, 0b00_00_10_00),
                _mm_shuffle_epi32(odd, 0b00_00_10_00),
            )
        }
    }
    /// `a` where `m` is all ones, `b` where it is zero.
    #[inline(always)]
    pub(super) fn select(m: __m128i, a: __m128i, b: __m128i) -> __m128i {
        // SAFETY: as above.
        unsafe { _mm_or_si128(_mm_and_si128(m, a), _mm_andnot_si128(m, b)) }
    }
    /// Each `i32` lane saturated to `0..=65535` and packed to 16 bits (SSE4.1's `packusdw`):
    /// negative lanes cleared first, then offset by -32768 so that the signed pack saturates
    /// at the right bounds, then the offset undone.
    #[inline(always)]
    pub(super) fn packus32(a: __m128i, b: __m128i) -> __m128i {
        // SAFETY: as above.
        unsafe {
            let clamp = |x: __m128i| {
                let x = _mm_andnot_si128(_mm_srai_epi32(x, 31), x);
                _mm_sub_epi32(x, _mm_set1_epi32(32768))
            };
            _mm_xor_si128(
                _mm_packs_epi32(clamp(a), clamp(b)),
                _mm_set1_epi16(i16::MIN),
            )
        }
    }
    #[inline(always)]
    pub(super) fn ps(a: __m128i) -> __m128 {
        // SAFETY: as above.
        unsafe { _mm_castsi128_ps(a) }
    }
    #[inline(always)]
    pub(super) fn pd(a: __m128i) -> __m128d {
        // SAFETY: as above.
        unsafe { _mm_castsi128_pd(a) }
    }
    #[inline(always)]
    pub(super) fn from_ps(a: __m128) -> __m128i {
        // SAFETY: as above.
        unsafe { _mm_castps_si128(a) }
    }
    #[inline(always)]
    pub(super) fn from_pd(a: __m128d) -> __m128i {
        // SAFETY: as above.
        unsafe { _mm_castpd_si128(a) }
    }
}
#[cfg(target_arch = "x86_64")]
use ops::*;

sse2! {
    // Bitwise.
    v128_not(a) => not(a);
    v128_and(a, b) => _mm_and_si128(a, b);
    v128_andnot(a, b) => _mm_andnot_si128(b, a);
    v128_or(a, b) => _mm_or_si128(a, b);
    v128_xor(a, b) => _mm_xor_si128(a, b);
    v128_bitselect(a, b, c) => _mm_or_si128(_mm_and_si128(a, c), _mm_andnot_si128(c, b));

    // Integer arithmetic.
    i8x16_add(a, b) => _mm_add_epi8(a, b);
    i16x8_add(a, b) => _mm_add_epi16(a, b);
    i32x4_add(a, b) => _mm_add_epi32(a, b);
    i64x2_add(a, b) => _mm_add_epi64(a, b);
    i8x16_sub(a, b) => _mm_sub_epi8(a, b);
    i16x8_sub(a, b) => _mm_sub_epi16(a, b);
    i32x4_sub(a, b) => _mm_sub_epi32(a, b);
    i64x2_sub(a, b) => _mm_sub_epi64(a, b);
    i8x16_neg(a) => _mm_sub_epi8(_mm_setzero_si128(), a);
    i16x8_neg(a) => _mm_sub_epi16(_mm_setzero_si128(), a);
    i32x4_neg(a) => _mm_sub_epi32(_mm_setzero_si128(), a);
    i64x2_neg(a) => _mm_sub_epi64(_mm_setzero_si128(), a);
    i16x8_mul(a, b) => _mm_mullo_epi16(a, b);
    i32x4_mul(a, b) => mul32(a, b);
    i8x16_add_sat_s(a, b) => _mm_adds_epi8(a, b);
    i8x16_add_sat_u(a, b) => _mm_adds_epu8(a, b);
    i8x16_sub_sat_s(a, b) => _mm_subs_epi8(a, b);
    i8x16_sub_sat_u(a, b) => _mm_subs_epu8(a, b);
    i16x8_add_sat_s(a, b) => _mm_adds_epi16(a, b);
    i16x8_add_sat_u(a, b) => _mm_adds_epu16(a, b);
    i16x8_sub_sat_s(a, b) => _mm_subs_epi16(a, b);
    i16x8_sub_sat_u(a, b) => _mm_subs_epu16(a, b);
    i8x16_avgr_u(a, b) => _mm_avg_epu8(a, b);
    i16x8_avgr_u(a, b) => _mm_avg_epu16(a, b);
    i8x16_min_u(a, b) => _mm_min_epu8(a, b);
    i8x16_max_u(a, b) => _mm_max_epu8(a, b);
    i16x8_min_s(a, b) => _mm_min_epi16(a, b);
    i16x8_max_s(a, b) => _mm_max_epi16(a, b);
    i32x4_dot_i16x8_s(a, b) => _mm_madd_epi16(a, b);
    i8x16_min_s(a, b) => select(_mm_cmpgt_epi8(a, b), b, a);
    i8x16_max_s(a, b) => select(_mm_cmpgt_epi8(a, b), a, b);
    i16x8_min_u(a, b) => flip16(_mm_min_epi16(flip16(a), flip16(b)));
    i16x8_max_u(a, b) => flip16(_mm_max_epi16(flip16(a), flip16(b)));
    i32x4_min_s(a, b) => select(_mm_cmpgt_epi32(a, b), b, a);
    i32x4_max_s(a, b) => select(_mm_cmpgt_epi32(a, b), a, b);
    i32x4_min_u(a, b) => select(_mm_cmpgt_epi32(flip32(a), flip32(b)), b, a);
    i32x4_max_u(a, b) => select(_mm_cmpgt_epi32(flip32(a), flip32(b)), a, b);
    // `|a|` as `(a ^ s) - s`, `s` the lane's sign spread over it (the minimum stays itself).
    i8x16_abs(a) => {
        let s = sign8(a);
        _mm_sub_epi8(_mm_xor_si128(a, s), s)
    };
    i16x8_abs(a) => {
        let s = _mm_srai_epi16(a, 15);
        _mm_sub_epi16(_mm_xor_si128(a, s), s)
    };
    i32x4_abs(a) => {
        let s = _mm_srai_epi32(a, 31);
        _mm_sub_epi32(_mm_xor_si128(a, s), s)
    };

    // Comparisons.
    i8x16_eq(a, b) => _mm_cmpeq_epi8(a, b);
    i16x8_eq(a, b) => _mm_cmpeq_epi16(a, b);
    i32x4_eq(a, b) => _mm_cmpeq_epi32(a, b);
    i8x16_ne(a, b) => not(_mm_cmpeq_epi8(a, b));
    i16x8_ne(a, b) => not(_mm_cmpeq_epi16(a, b));
    i32x4_ne(a, b) => not(_mm_cmpeq_epi32(a, b));
    i8x16_gt_s(a, b) => _mm_cmpgt_epi8(a, b);
    i8x16_lt_s(a, b) => _mm_cmpgt_epi8(b, a);
    i8x16_le_s(a, b) => not(_mm_cmpgt_epi8(a, b));
    i8x16_ge_s(a, b) => not(_mm_cmpgt_epi8(b, a));
    i16x8_gt_s(a, b) => _mm_cmpgt_epi16(a, b);
    i16x8_lt_s(a, b) => _mm_cmpgt_epi16(b, a);
    i16x8_le_s(a, b) => not(_mm_cmpgt_epi16(a, b));
    i16x8_ge_s(a, b) => not(_mm_cmpgt_epi16(b, a));
    i32x4_gt_s(a, b) => _mm_cmpgt_epi32(a, b);
    i32x4_lt_s(a, b) => _mm_cmpgt_epi32(b, a);
    i32x4_le_s(a, b) => not(_mm_cmpgt_epi32(a, b));
    i32x4_ge_s(a, b) => not(_mm_cmpgt_epi32(b, a));
    i8x16_gt_u(a, b) => _mm_cmpgt_epi8(flip8(a), flip8(b));
    i8x16_lt_u(a, b) => _mm_cmpgt_epi8(flip8(b), flip8(a));
    i8x16_le_u(a, b) => not(_mm_cmpgt_epi8(flip8(a), flip8(b)));
    i8x16_ge_u(a, b) => not(_mm_cmpgt_epi8(flip8(b), flip8(a)));
    i16x8_gt_u(a, b) => _mm_cmpgt_epi16(flip16(a), flip16(b));
    i16x8_lt_u(a, b) => _mm_cmpgt_epi16(flip16(b), flip16(a));
    i16x8_le_u(a, b) => not(_mm_cmpgt_epi16(flip16(a), flip16(b)));
    i16x8_ge_u(a, b) => not(_mm_cmpgt_epi16(flip16(b), flip16(a)));
    i32x4_gt_u(a, b) => _mm_cmpgt_epi32(flip32(a), flip32(b));
    i32x4_lt_u(a, b) => _mm_cmpgt_epi32(flip32(b), flip32(a));
    i32x4_le_u(a, b) => not(_mm_cmpgt_epi32(flip32(a), flip32(b)));
    i32x4_ge_u(a, b) => not(_mm_cmpgt_epi32(flip32(b), flip32(a)));

    // Narrowing, widening: SSE2's packs saturate exactly as Wasm's narrowing does.
    i8x16_narrow_i16x8_s(a, b) => _mm_packs_epi16(a, b);
    i8x16_narrow_i16x8_u(a, b) => _mm_packus_epi16(a, b);
    i16x8_narrow_i32x4_s(a, b) => _mm_packs_epi32(a, b);
    i16x8_narrow_i32x4_u(a, b) => packus32(a, b);
    i16x8_extend_low_i8x16_u(a) => _mm_unpacklo_epi8(a, _mm_setzero_si128());
    i16x8_extend_high_i8x16_u(a) => _mm_unpackhi_epi8(a, _mm_setzero_si128());
    i16x8_extend_low_i8x16_s(a) => _mm_unpacklo_epi8(a, sign8(a));
    i16x8_extend_high_i8x16_s(a) => _mm_unpackhi_epi8(a, sign8(a));
    i32x4_extend_low_i16x8_u(a) => _mm_unpacklo_epi16(a, _mm_setzero_si128());
    i32x4_extend_high_i16x8_u(a) => _mm_unpackhi_epi16(a, _mm_setzero_si128());
    i32x4_extend_low_i16x8_s(a) => _mm_unpacklo_epi16(a, _mm_srai_epi16(a, 15));
    i32x4_extend_high_i16x8_s(a) => _mm_unpackhi_epi16(a, _mm_srai_epi16(a, 15));
    i16x8_extmul_low_i8x16_u(a, b) => _mm_mullo_epi16(
        _mm_unpacklo_epi8(a, _mm_setzero_si128()),
        _mm_unpacklo_epi8(b, _mm_setzero_si128()),
    );
    i16x8_extmul_high_i8x16_u(a, b) => _mm_mullo_epi16(
        _mm_unpackhi_epi8(a, _mm_setzero_si128()),
        _mm_unpackhi_epi8(b, _mm_setzero_si128()),
    );
    i16x8_extmul_low_i8x16_s(a, b) => _mm_mullo_epi16(
        _mm_unpacklo_epi8(a, sign8(a)),
        _mm_unpacklo_epi8(b, sign8(b)),
    );
    i16x8_extmul_high_i8x16_s(a, b) => _mm_mullo_epi16(
        _mm_unpackhi_epi8(a, sign8(a)),
        _mm_unpackhi_epi8(b, sign8(b)),
    );
    i32x4_extmul_low_i16x8_s(a, b) =>
        _mm_unpacklo_epi16(_mm_mullo_epi16(a, b), _mm_mulhi_epi16(a, b));
    i32x4_extmul_high_i16x8_s(a, b) =>
        _mm_unpackhi_epi16(_mm_mullo_epi16(a, b), _mm_mulhi_epi16(a, b));
    i32x4_extmul_low_i16x8_u(a, b) =>
        _mm_unpacklo_epi16(_mm_mullo_epi16(a, b), _mm_mulhi_epu16(a, b));
    i32x4_extmul_high_i16x8_u(a, b) =>
        _mm_unpackhi_epi16(_mm_mullo_epi16(a, b), _mm_mulhi_epu16(a, b));

    // Floating point: the same IEEE operations; the sign-bit operations are bit masks.
    f32x4_add(a, b) => from_ps(_mm_add_ps(ps(a), ps(b)));
    f32x4_sub(a, b) => from_ps(_mm_sub_ps(ps(a), ps(b)));
    f32x4_mul(a, b) => from_ps(_mm_mul_ps(ps(a), ps(b)));
    f32x4_div(a, b) => from_ps(_mm_div_ps(ps(a), ps(b)));
    f32x4_sqrt(a) => from_ps(_mm_sqrt_ps(ps(a)));
    f64x2_add(a, b) => from_pd(_mm_add_pd(pd(a), pd(b)));
    f64x2_sub(a, b) => from_pd(_mm_sub_pd(pd(a), pd(b)));
    f64x2_mul(a, b) => from_pd(_mm_mul_pd(pd(a), pd(b)));
    f64x2_div(a, b) => from_pd(_mm_div_pd(pd(a), pd(b)));
    f64x2_sqrt(a) => from_pd(_mm_sqrt_pd(pd(a)));
    f32x4_abs(a) => _mm_and_si128(a, _mm_set1_epi32(i32::MAX));
    f32x4_neg(a) => _mm_xor_si128(a, _mm_set1_epi32(i32::MIN));
    f64x2_abs(a) => _mm_and_si128(a, _mm_set1_epi64x(i64::MAX));
    f64x2_neg(a) => _mm_xor_si128(a, _mm_set1_epi64x(i64::MIN));
    // `pmin(a, b)` is `b < a ? b : a`, `minps(x, y)` is `x < y ? x : y`.
    f32x4_pmin(a, b) => from_ps(_mm_min_ps(ps(b), ps(a)));
    f32x4_pmax(a, b) => from_ps(_mm_max_ps(ps(b), ps(a)));
    f64x2_pmin(a, b) => from_pd(_mm_min_pd(pd(b), pd(a)));
    f64x2_pmax(a, b) => from_pd(_mm_max_pd(pd(b), pd(a)));
    f32x4_eq(a, b) => from_ps(_mm_cmpeq_ps(ps(a), ps(b)));
    f32x4_ne(a, b) => from_ps(_mm_cmpneq_ps(ps(a), ps(b)));
    f32x4_lt(a, b) => from_ps(_mm_cmplt_ps(ps(a), ps(b)));
    f32x4_gt(a, b) => from_ps(_mm_cmplt_ps(ps(b), ps(a)));
    f32x4_le(a, b) => from_ps(_mm_cmple_ps(ps(a), ps(b)));
    f32x4_ge(a, b) => from_ps(_mm_cmple_ps(ps(b), ps(a)));
    f64x2_eq(a, b) => from_pd(_mm_cmpeq_pd(pd(a), pd(b)));
    f64x2_ne(a, b) => from_pd(_mm_cmpneq_pd(pd(a), pd(b)));
    f64x2_lt(a, b) => from_pd(_mm_cmplt_pd(pd(a), pd(b)));
    f64x2_gt(a, b) => from_pd(_mm_cmplt_pd(pd(b), pd(a)));
    f64x2_le(a, b) => from_pd(_mm_cmple_pd(pd(a), pd(b)));
    f64x2_ge(a, b) => from_pd(_mm_cmple_pd(pd(b), pd(a)));
    f32x4_convert_i32x4_s(a) => from_ps(_mm_cvtepi32_ps(a));
}

sse2_shift! {
    i16x8_shl 16 => _mm_sll_epi16;
    i16x8_shr_s 16 => _mm_sra_epi16;
    i16x8_shr_u 16 => _mm_srl_epi16;
    i32x4_shl 32 => _mm_sll_epi32;
    i32x4_shr_s 32 => _mm_sra_epi32;
    i32x4_shr_u 32 => _mm_srl_epi32;
    i64x2_shl 64 => _mm_sll_epi64;
    i64x2_shr_u 64 => _mm_srl_epi64;
}

sse2_test! {
    i8x16_bitmask(a) => _mm_movemask_epi8(a) as u32;
    // Saturating to bytes keeps each lane's sign; the upper eight bytes are zero.
    i16x8_bitmask(a) => _mm_movemask_epi8(_mm_packs_epi16(a, _mm_setzero_si128())) as u32;
    i32x4_bitmask(a) => _mm_movemask_ps(ps(a)) as u32;
    i64x2_bitmask(a) => _mm_movemask_pd(pd(a)) as u32;
    i8x16_all_true(a) => u32::from(_mm_movemask_epi8(_mm_cmpeq_epi8(a, _mm_setzero_si128())) == 0);
    i16x8_all_true(a) => u32::from(_mm_movemask_epi8(_mm_cmpeq_epi16(a, _mm_setzero_si128())) == 0);
    i32x4_all_true(a) => u32::from(_mm_movemask_epi8(_mm_cmpeq_epi32(a, _mm_setzero_si128())) == 0);
}

/// `i8x16.shuffle` with SSSE3's `pshufb` where the CPU has it (checked at run time: SSSE3 is
/// not in the x86-64 baseline): each index picks from `a` or `b`, the other's pick zeroed.
/// Out of line: the check's slow path (a first call initializes a cache) would otherwise keep
/// the handler's call of the next handler from being a jump.
#[cfg(target_arch = "x86_64")]
#[inline(never)]
pub(crate) fn i8x16_shuffle(a: u128, b: u128, lanes: u128) -> u128 {
    if std::arch::is_x86_feature_detected!("ssse3") {
        // SAFETY: the CPU has SSSE3, checked just above.
        unsafe { ssse3::shuffle(m(a), m(b), m(lanes)) }
    } else {
        super::lanes::i8x16_shuffle(a, b, lanes)
    }
}

/// `i8x16.swizzle` (and the relaxed one, which is the same here) with `pshufb` where the CPU
/// has SSSE3: an index of 16 or more saturates to 0x80 and above, which gives 0. Out of line,
/// as the shuffle.
#[cfg(target_arch = "x86_64")]
#[inline(never)]
pub(crate) fn i8x16_swizzle(a: u128, lanes: u128) -> u128 {
    if std::arch::is_x86_feature_detected!("ssse3") {
        // SAFETY: the CPU has SSSE3, checked just above.
        unsafe { ssse3::swizzle(m(a), m(lanes)) }
    } else {
        super::lanes::i8x16_swizzle(a, lanes)
    }
}

/// The relaxed swizzle is the plain one (see `lanes`).
#[cfg(target_arch = "x86_64")]
#[inline(always)]
pub(crate) fn i8x16_relaxed_swizzle(a: u128, lanes: u128) -> u128 {
    i8x16_swizzle(a, lanes)
}

#[cfg(target_arch = "x86_64")]
pub(crate) mod ssse3 {
    use super::{m, u};
    use core::arch::x86_64::*;

    /// [`shuffle`] on `u128`s, for the threaded backend's SSSE3 shuffle handler.
    ///
    /// # Safety
    /// The CPU must have SSSE3.
    #[target_feature(enable = "ssse3")]
    #[inline]
    // SAFETY: an unsafe fn: callers guarantee SSSE3 (see `# Safety`).
    pub(crate) unsafe fn shuffle_u128(a: u128, b: u128, lanes: u128) -> u128 {
        // SAFETY: the caller guarantees SSSE3.
        unsafe { shuffle(m(a), m(b), m(lanes)) }
    }

    /// # Safety
    /// The CPU must have SSSE3.
    #[target_feature(enable = "ssse3")]
    // SAFETY: an unsafe fn: callers guarantee SSSE3 (see `# Safety`).
    pub(super) unsafe fn shuffle(a: __m128i, b: __m128i, lanes: __m128i) -> u128 {
        let idx = _mm_and_si128(lanes, _mm_set1_epi8(31));
        let from_b = _mm_cmpgt_epi8(idx, _mm_set1_epi8(15));
        let high = _mm_set1_epi8(i8::MIN);
        // `pshufb` zeroes a lane whose index has its top bit set and reads the low four bits.
        let pick_a = _mm_or_si128(idx, _mm_and_si128(from_b, high));
        let pick_b = _mm_or_si128(idx, _mm_andnot_si128(from_b, high));
        u(_mm_or_si128(
            _mm_shuffle_epi8(a, pick_a),
            _mm_shuffle_epi8(b, pick_b),
        ))
    }

    /// # Safety
    /// The CPU must have SSSE3.
    #[target_feature(enable = "ssse3")]
    // SAFETY: an unsafe fn: callers guarantee SSSE3 (see `# Safety`).
    pub(super) unsafe fn swizzle(a: __m128i, lanes: __m128i) -> u128 {
        u(_mm_shuffle_epi8(
            a,
            _mm_adds_epu8(lanes, _mm_set1_epi8(0x70)),
        ))
    }
}

#[cfg(all(test, target_arch = "x86_64"))]
mod tests;
