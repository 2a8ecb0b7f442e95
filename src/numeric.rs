//! Pure WebAssembly numeric semantics, one function per operator.
//!
//! The interpreter, the translator's constant folding and the unit tests all call these, so each
//! rule of the spec (trapping division, NaN-propagating min/max, saturating conversions…) is
//! written exactly once. Floats whose bits must survive untouched (`neg`, `abs`, `copysign`) are
//! handled as bit patterns.

use crate::error::TrapCode;

type R<T> = Result<T, TrapCode>;

// ---- comparisons and tests ----
pub fn i32_eqz(a: i32) -> i32 {
    (a == 0) as i32
}
pub fn i64_eqz(a: i64) -> i32 {
    (a == 0) as i32
}

macro_rules! cmp_fns {
    ($($name:ident($t:ty) $op:tt $cast:ty;)*) => {$(
        pub fn $name(a: $t, b: $t) -> i32 { ((a as $cast) $op (b as $cast)) as i32 }
    )*};
}
cmp_fns! {
    i32_eq(i32) == i32; i32_ne(i32) != i32;
    i32_lt_s(i32) < i32; i32_lt_u(i32) < u32; i32_gt_s(i32) > i32; i32_gt_u(i32) > u32;
    i32_le_s(i32) <= i32; i32_le_u(i32) <= u32; i32_ge_s(i32) >= i32; i32_ge_u(i32) >= u32;
    i64_eq(i64) == i64; i64_ne(i64) != i64;
    i64_lt_s(i64) < i64; i64_lt_u(i64) < u64; i64_gt_s(i64) > i64; i64_gt_u(i64) > u64;
    i64_le_s(i64) <= i64; i64_le_u(i64) <= u64; i64_ge_s(i64) >= i64; i64_ge_u(i64) >= u64;
    f32_eq(f32) == f32; f32_ne(f32) != f32; f32_lt(f32) < f32; f32_gt(f32) > f32;
    f32_le(f32) <= f32; f32_ge(f32) >= f32;
    f64_eq(f64) == f64; f64_ne(f64) != f64; f64_lt(f64) < f64; f64_gt(f64) > f64;
    f64_le(f64) <= f64; f64_ge(f64) >= f64;
}

// ---- integer arithmetic ----
macro_rules! int_fns {
    ($t:ty, $u:ty, $bits:expr, $clz:ident, $ctz:ident, $popcnt:ident, $add:ident, $sub:ident,
     $mul:ident, $div_s:ident, $div_u:ident, $rem_s:ident, $rem_u:ident, $and:ident, $or:ident,
     $xor:ident, $shl:ident, $shr_s:ident, $shr_u:ident, $rotl:ident, $rotr:ident) => {
        pub fn $clz(a: $t) -> $t {
            a.leading_zeros() as $t
        }
        pub fn $ctz(a: $t) -> $t {
            a.trailing_zeros() as $t
        }
        pub fn $popcnt(a: $t) -> $t {
            a.count_ones() as $t
        }
        pub fn $add(a: $t, b: $t) -> $t {
            a.wrapping_add(b)
        }
        pub fn $sub(a: $t, b: $t) -> $t {
            a.wrapping_sub(b)
        }
        pub fn $mul(a: $t, b: $t) -> $t {
            a.wrapping_mul(b)
        }
        pub fn $div_s(a: $t, b: $t) -> R<$t> {
            if b == 0 {
                Err(TrapCode::IntegerDivisionByZero)
            } else if a == <$t>::MIN && b == -1 {
                Err(TrapCode::IntegerOverflow)
            } else {
                Ok(a / b)
            }
        }
        pub fn $div_u(a: $t, b: $t) -> R<$t> {
            if b == 0 {
                Err(TrapCode::IntegerDivisionByZero)
            } else {
                Ok(((a as $u) / (b as $u)) as $t)
            }
        }
        pub fn $rem_s(a: $t, b: $t) -> R<$t> {
            if b == 0 {
                Err(TrapCode::IntegerDivisionByZero)
            } else {
                Ok(a.wrapping_rem(b))
            }
        }
        pub fn $rem_u(a: $t, b: $t) -> R<$t> {
            if b == 0 {
                Err(TrapCode::IntegerDivisionByZero)
            } else {
                Ok(((a as $u) % (b as $u)) as $t)
            }
        }
        pub fn $and(a: $t, b: $t) -> $t {
            a & b
        }
        pub fn $or(a: $t, b: $t) -> $t {
            a | b
        }
        pub fn $xor(a: $t, b: $t) -> $t {
            a ^ b
        }
        pub fn $shl(a: $t, b: $t) -> $t {
            a.wrapping_shl(b as u32)
        }
        pub fn $shr_s(a: $t, b: $t) -> $t {
            a.wrapping_shr(b as u32)
        }
        pub fn $shr_u(a: $t, b: $t) -> $t {
            (a as $u).wrapping_shr(b as u32) as $t
        }
        pub fn $rotl(a: $t, b: $t) -> $t {
            a.rotate_left((b as u32) % $bits)
        }
        pub fn $rotr(a: $t, b: $t) -> $t {
            a.rotate_right((b as u32) % $bits)
        }
    };
}
int_fns!(
    i32, u32, 32, i32_clz, i32_ctz, i32_popcnt, i32_add, i32_sub, i32_mul, i32_div_s, i32_div_u,
    i32_rem_s, i32_rem_u, i32_and, i32_or, i32_xor, i32_shl, i32_shr_s, i32_shr_u, i32_rotl,
    i32_rotr
);
int_fns!(
    i64, u64, 64, i64_clz, i64_ctz, i64_popcnt, i64_add, i64_sub, i64_mul, i64_div_s, i64_div_u,
    i64_rem_s, i64_rem_u, i64_and, i64_or, i64_xor, i64_shl, i64_shr_s, i64_shr_u, i64_rotl,
    i64_rotr
);

// ---- float arithmetic ----
macro_rules! float_fns {
    ($t:ty, $bits:ty, $sign:expr, $abs:ident, $neg:ident, $ceil:ident, $floor:ident,
     $trunc:ident, $nearest:ident, $sqrt:ident, $add:ident, $sub:ident, $mul:ident, $div:ident,
     $min:ident, $max:ident, $copysign:ident) => {
        pub fn $abs(a: $t) -> $t {
            <$t>::from_bits(a.to_bits() & !$sign)
        }
        pub fn $neg(a: $t) -> $t {
            <$t>::from_bits(a.to_bits() ^ $sign)
        }
        pub fn $ceil(a: $t) -> $t {
            quiet(a.ceil())
        }
        pub fn $floor(a: $t) -> $t {
            quiet(a.floor())
        }
        pub fn $trunc(a: $t) -> $t {
            quiet(a.trunc())
        }
        pub fn $nearest(a: $t) -> $t {
            quiet(a.round_ties_even())
        }
        pub fn $sqrt(a: $t) -> $t {
            a.sqrt()
        }
        pub fn $add(a: $t, b: $t) -> $t {
            a + b
        }
        pub fn $sub(a: $t, b: $t) -> $t {
            a - b
        }
        pub fn $mul(a: $t, b: $t) -> $t {
            a * b
        }
        pub fn $div(a: $t, b: $t) -> $t {
            a / b
        }
        /// NaN if either operand is NaN; `-0 < +0`.
        pub fn $min(a: $t, b: $t) -> $t {
            if a.is_nan() || b.is_nan() {
                a + b
            } else if a == b {
                <$t>::from_bits(a.to_bits() | b.to_bits())
            } else {
                a.min(b)
            }
        }
        /// NaN if either operand is NaN; `+0 > -0`.
        pub fn $max(a: $t, b: $t) -> $t {
            if a.is_nan() || b.is_nan() {
                a + b
            } else if a == b {
                <$t>::from_bits(a.to_bits() & b.to_bits())
            } else {
                a.max(b)
            }
        }
        pub fn $copysign(a: $t, b: $t) -> $t {
            <$t>::from_bits((a.to_bits() & !$sign) | (b.to_bits() & $sign))
        }
    };
}
/// Rounding functions may hand back a signalling NaN unchanged; Wasm wants an arithmetic
/// (quiet) NaN, so set the quiet bit.
trait Quiet: Copy {
    fn is_nan_(self) -> bool;
    fn quiet_nan(self) -> Self;
}
impl Quiet for f32 {
    fn is_nan_(self) -> bool {
        self.is_nan()
    }
    fn quiet_nan(self) -> Self {
        f32::from_bits(self.to_bits() | 0x0040_0000)
    }
}
impl Quiet for f64 {
    fn is_nan_(self) -> bool {
        self.is_nan()
    }
    fn quiet_nan(self) -> Self {
        f64::from_bits(self.to_bits() | 0x0008_0000_0000_0000)
    }
}
fn quiet<F: Quiet>(x: F) -> F {
    if x.is_nan_() {
        x.quiet_nan()
    } else {
        x
    }
}

float_fns!(
    f32,
    u32,
    0x8000_0000u32,
    f32_abs,
    f32_neg,
    f32_ceil,
    f32_floor,
    f32_trunc,
    f32_nearest,
    f32_sqrt,
    f32_add,
    f32_sub,
    f32_mul,
    f32_div,
    f32_min,
    f32_max,
    f32_copysign
);
float_fns!(
    f64,
    u64,
    0x8000_0000_0000_0000u64,
    f64_abs,
    f64_neg,
    f64_ceil,
    f64_floor,
    f64_trunc,
    f64_nearest,
    f64_sqrt,
    f64_add,
    f64_sub,
    f64_mul,
    f64_div,
    f64_min,
    f64_max,
    f64_copysign
);

// ---- conversions ----
pub fn i32_wrap_i64(a: i64) -> i32 {
    a as i32
}
pub fn i64_extend_i32_s(a: i32) -> i64 {
    a as i64
}
pub fn i64_extend_i32_u(a: i32) -> i64 {
    a as u32 as i64
}

/// Trapping float-to-int truncation: `$lo < x < $hi` (exclusive bounds) after NaN check.
macro_rules! trunc_fns {
    ($($name:ident($f:ident) -> $t:ident as $via:ident, $lo:expr, $hi:expr;)*) => {$(
        pub fn $name(a: $f) -> R<$t> {
            if a.is_nan() {
                Err(TrapCode::BadConversionToInteger)
            } else if a > $lo && a < $hi {
                Ok(a as $via as $t)
            } else {
                Err(TrapCode::IntegerOverflow)
            }
        }
    )*};
}
trunc_fns! {
    i32_trunc_f32_s(f32) -> i32 as i32, -2147483904.0f32, 2147483648.0f32;
    i32_trunc_f32_u(f32) -> i32 as u32, -1.0f32, 4294967296.0f32;
    i32_trunc_f64_s(f64) -> i32 as i32, -2147483649.0f64, 2147483648.0f64;
    i32_trunc_f64_u(f64) -> i32 as u32, -1.0f64, 4294967296.0f64;
    i64_trunc_f32_s(f32) -> i64 as i64, -9223373136366403584.0f32, 9223372036854775808.0f32;
    i64_trunc_f32_u(f32) -> i64 as u64, -1.0f32, 18446744073709551616.0f32;
    i64_trunc_f64_s(f64) -> i64 as i64, -9223372036854777856.0f64, 9223372036854775808.0f64;
    i64_trunc_f64_u(f64) -> i64 as u64, -1.0f64, 18446744073709551616.0f64;
}

/// Saturating truncation: Rust's `as` already saturates and maps NaN to 0, as Wasm requires.
macro_rules! trunc_sat_fns {
    ($($name:ident($f:ident) -> $t:ident as $via:ident;)*) => {$(
        pub fn $name(a: $f) -> $t { a as $via as $t }
    )*};
}
trunc_sat_fns! {
    i32_trunc_sat_f32_s(f32) -> i32 as i32; i32_trunc_sat_f32_u(f32) -> i32 as u32;
    i32_trunc_sat_f64_s(f64) -> i32 as i32; i32_trunc_sat_f64_u(f64) -> i32 as u32;
    i64_trunc_sat_f32_s(f32) -> i64 as i64; i64_trunc_sat_f32_u(f32) -> i64 as u64;
    i64_trunc_sat_f64_s(f64) -> i64 as i64; i64_trunc_sat_f64_u(f64) -> i64 as u64;
}

macro_rules! convert_fns {
    ($($name:ident($t:ident) -> $f:ident via $via:ident;)*) => {$(
        pub fn $name(a: $t) -> $f { a as $via as $f }
    )*};
}
convert_fns! {
    f32_convert_i32_s(i32) -> f32 via i32; f32_convert_i32_u(i32) -> f32 via u32;
    f32_convert_i64_s(i64) -> f32 via i64; f32_convert_i64_u(i64) -> f32 via u64;
    f64_convert_i32_s(i32) -> f64 via i32; f64_convert_i32_u(i32) -> f64 via u32;
    f64_convert_i64_s(i64) -> f64 via i64; f64_convert_i64_u(i64) -> f64 via u64;
    f32_demote_f64(f64) -> f32 via f64; f64_promote_f32(f32) -> f64 via f32;
}

pub fn i32_reinterpret_f32(a: f32) -> i32 {
    a.to_bits() as i32
}
pub fn i64_reinterpret_f64(a: f64) -> i64 {
    a.to_bits() as i64
}
pub fn f32_reinterpret_i32(a: i32) -> f32 {
    f32::from_bits(a as u32)
}
pub fn f64_reinterpret_i64(a: i64) -> f64 {
    f64::from_bits(a as u64)
}
pub fn i32_extend8_s(a: i32) -> i32 {
    a as i8 as i32
}
pub fn i32_extend16_s(a: i32) -> i32 {
    a as i16 as i32
}
pub fn i64_extend8_s(a: i64) -> i64 {
    a as i8 as i64
}
pub fn i64_extend16_s(a: i64) -> i64 {
    a as i16 as i64
}
pub fn i64_extend32_s(a: i64) -> i64 {
    a as i32 as i64
}

/// Conversion between typed operands and untyped register cells.
pub(crate) trait CellVal: Copy {
    fn from_cell(c: u64) -> Self;
    fn into_cell(self) -> u64;
}
impl CellVal for i32 {
    #[inline(always)]
    fn from_cell(c: u64) -> Self {
        c as u32 as i32
    }
    #[inline(always)]
    fn into_cell(self) -> u64 {
        self as u32 as u64
    }
}
impl CellVal for i64 {
    #[inline(always)]
    fn from_cell(c: u64) -> Self {
        c as i64
    }
    #[inline(always)]
    fn into_cell(self) -> u64 {
        self as u64
    }
}
impl CellVal for f32 {
    #[inline(always)]
    fn from_cell(c: u64) -> Self {
        f32::from_bits(c as u32)
    }
    #[inline(always)]
    fn into_cell(self) -> u64 {
        self.to_bits() as u64
    }
}
impl CellVal for f64 {
    #[inline(always)]
    fn from_cell(c: u64) -> Self {
        f64::from_bits(c)
    }
    #[inline(always)]
    fn into_cell(self) -> u64 {
        self.to_bits()
    }
}

/// Unsigned 32-bit division by a constant `d` without a division instruction (Granlund and
/// Montgomery's method, as in Hacker's Delight 10-8): with `l = ceil(log2 d)`, the quotient of
/// any `a` is `(t + ((a - t) >> 1)) >> (l - 1)` where `t = (a * magic) >> 32` and
/// `magic = floor(2^(32 + l) / d) - 2^32 + 1`. A multiply and four simple operations instead
/// of a division that takes tens of cycles and cannot overlap with the next one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UDivMagic {
    pub magic: u32,
    /// `l - 1`.
    pub shift: u16,
}

impl UDivMagic {
    /// The reciprocal of `d`, for `d` neither 0, 1 nor a power of two (those have an exact
    /// shift or mask, or trap).
    pub fn new(d: u32) -> Option<Self> {
        if d < 3 || d.is_power_of_two() {
            return None;
        }
        // `d` is not a power of two, so `ceil(log2 d)` is one more than `floor(log2 d)`.
        let l = 32 - d.leading_zeros();
        let magic = ((1u128 << (32 + l)) / d as u128 - (1u128 << 32) + 1) as u32;
        Some(Self {
            magic,
            shift: (l - 1) as u16,
        })
    }

    #[inline(always)]
    pub fn div(self, a: u32) -> u32 {
        let t = ((a as u64 * self.magic as u64) >> 32) as u32;
        // `(a - t) / 2 + t` is `(a + t) / 2` without overflowing 32 bits (`t <= a`).
        ((a - t) / 2 + t) >> self.shift
    }

    /// `a % d`, for the `d` this is the reciprocal of.
    #[inline(always)]
    pub fn rem(self, a: u32, d: u32) -> u32 {
        a.wrapping_sub(self.div(a).wrapping_mul(d))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn division_traps() {
        assert_eq!(i32_div_s(1, 0), Err(TrapCode::IntegerDivisionByZero));
        assert_eq!(i32_div_s(i32::MIN, -1), Err(TrapCode::IntegerOverflow));
        assert_eq!(i32_rem_s(i32::MIN, -1), Ok(0));
        assert_eq!(i64_div_u(-1, 2), Ok(i64::MAX));
    }

    /// The reciprocal division agrees with `/` and `%` for divisors of every size and the
    /// dividends where an error would show first: small, near powers of two, near multiples
    /// of `d`, the top of the range, and pseudo-random ones.
    #[test]
    fn division_by_constant_reciprocals_are_exact() {
        let mut divisors: Vec<u32> = (3..5000).collect();
        for k in 2..32 {
            let p = 1u32 << k;
            divisors.extend([p - 1, p + 1, p.wrapping_add(p / 3)]);
        }
        divisors.extend([1_000_003, 0x7fff_ffff, 0x8000_0001, u32::MAX - 1, u32::MAX]);
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed as u32
        };
        for d in divisors {
            let Some(m) = UDivMagic::new(d) else {
                assert!(d.is_power_of_two(), "no reciprocal for {d}");
                continue;
            };
            let mut dividends = vec![0, 1, 2, d - 1, d, d + 1, u32::MAX, u32::MAX - 1];
            dividends.extend([u32::MAX - u32::MAX % d, (u32::MAX - u32::MAX % d) - 1]);
            for k in 0..32 {
                dividends.extend([1u32 << k, (1u32 << k).wrapping_sub(1)]);
            }
            for q in [2u32, 3, 1000, u32::MAX / d] {
                let a = q.wrapping_mul(d);
                dividends.extend([a, a.wrapping_sub(1)]);
            }
            dividends.extend((0..64).map(|_| next()));
            for a in dividends {
                assert_eq!(m.div(a), a / d, "{a} / {d}");
                assert_eq!(m.rem(a, d), a % d, "{a} % {d}");
            }
        }
    }

    #[test]
    fn min_max_zero_and_nan() {
        assert!(f32_min(-0.0, 0.0).is_sign_negative());
        assert!(f32_max(-0.0, 0.0).is_sign_positive());
        assert!(f64_min(f64::NAN, 1.0).is_nan());
        assert_eq!(f64_max(1.0, 2.0), 2.0);
    }

    #[test]
    fn truncation_bounds() {
        assert_eq!(i32_trunc_f32_s(-2147483648.0), Ok(i32::MIN));
        assert_eq!(
            i32_trunc_f32_s(2147483648.0),
            Err(TrapCode::IntegerOverflow)
        );
        assert_eq!(i32_trunc_f64_u(-0.9), Ok(0));
        assert_eq!(
            i32_trunc_f64_s(f64::NAN),
            Err(TrapCode::BadConversionToInteger)
        );
        assert_eq!(i64_trunc_f64_u(18446744073709549568.0), Ok(-2048));
        assert_eq!(i32_trunc_sat_f32_u(-5.0), 0);
        assert_eq!(i64_trunc_sat_f64_s(f64::NAN), 0);
    }

    #[test]
    fn rounding_quiets_signalling_nan() {
        let snan = f32::from_bits(0xffa0_0000);
        assert_eq!(f32_floor(snan).to_bits(), 0xffe0_0000);
        assert_eq!(
            f64_nearest(f64::from_bits(0x7ff4_0000_0000_0000)).to_bits(),
            0x7ffc_0000_0000_0000
        );
    }

    #[test]
    fn bit_exact_sign_ops() {
        let snan = f32::from_bits(0x7fa0_0000);
        assert_eq!(f32_neg(snan).to_bits(), 0xffa0_0000);
        assert_eq!(f32_abs(f32::from_bits(0xffa0_0000)).to_bits(), 0x7fa0_0000);
        assert_eq!(f64_copysign(1.0, -0.0), -1.0);
    }
}
