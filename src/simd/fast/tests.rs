//! Every SSE2 function of `fast` against its portable twin in `lanes`, bit for bit, on edge
//! cases of every lane width and on random operands. Generated from the operator table, so an
//! operator given a fast form later is checked without a line here.

use crate::simd::lanes;

/// Operands: lane-pattern edge cases (zero, all ones, each width's sign bit and maximum,
/// NaNs with payloads, infinities, signed zeros) and pseudo-random vectors.
fn operands() -> Vec<u128> {
    let splat = |lane: u128, bits: u32| (0..128 / bits).fold(0u128, |v, i| v | lane << (i * bits));
    let mut v = vec![0, u128::MAX, 1, 0x0102_0304_0506_0708_090a_0b0c_0d0e_0f10];
    for bits in [8, 16, 32, 64] {
        let sign = 1u128 << (bits - 1);
        v.extend([
            splat(sign, bits),
            splat(sign - 1, bits),
            splat(sign + 1, bits),
            splat(1, bits),
        ]);
        v.push(splat(sign, bits) ^ 0x00ff_00ff_00ff_00ff_00ff_00ff_00ff_00ff);
    }
    for f in [
        f32::NAN,
        -f32::NAN,
        f32::INFINITY,
        f32::NEG_INFINITY,
        -0.0,
        1.5,
        -2.25e30,
    ] {
        v.push(splat(f.to_bits() as u128, 32));
    }
    v.push(splat(0x7fa0_0001, 32)); // a signalling NaN with a payload
    for f in [f64::NAN, f64::INFINITY, -0.0, 3.0e-310] {
        v.push(splat(f.to_bits() as u128, 64));
    }
    v.push(splat(0x7ff0_0000_0000_0001, 64));
    let mut seed = 0x2545_f491_4f6c_dd1d_u64;
    for _ in 0..200 {
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        v.push(next() as u128 | (next() as u128) << 64);
    }
    v
}

/// Checks one operator of the row's shape; other shapes have no fast form.
macro_rules! check_row {
    (un $f:ident $v:ident) => {
        for &a in &$v {
            assert_eq!(super::$f(a), lanes::$f(a), "{}({a:#x})", stringify!($f));
        }
    };
    (bin $f:ident $v:ident) => {
        for &a in &$v {
            for &b in &$v {
                assert_eq!(
                    super::$f(a, b),
                    lanes::$f(a, b),
                    "{}({a:#x}, {b:#x})",
                    stringify!($f)
                );
            }
        }
    };
    (tern $f:ident $v:ident) => {
        for &a in $v.iter().take(40) {
            for &b in $v.iter().skip(20).take(40) {
                for &c in $v.iter().skip(40).take(40) {
                    assert_eq!(super::$f(a, b, c), lanes::$f(a, b, c), "{}", stringify!($f));
                }
            }
        }
    };
    (shuffle $f:ident $v:ident) => {
        for &a in $v.iter().take(30) {
            for &b in $v.iter().skip(10).take(30) {
                for &lanes in &$v {
                    assert_eq!(
                        super::$f(a, b, lanes),
                        lanes::$f(a, b, lanes),
                        "{}",
                        stringify!($f)
                    );
                }
            }
        }
    };
    (test $f:ident $v:ident) => {
        for &a in &$v {
            assert_eq!(super::$f(a), lanes::$f(a), "{}({a:#x})", stringify!($f));
        }
    };
    (shift $f:ident $v:ident) => {
        for &a in &$v {
            for count in (0..=130).chain([u32::MAX, 1 << 31]) {
                assert_eq!(
                    super::$f(a, count),
                    lanes::$f(a, count),
                    "{}({a:#x}, {count})",
                    stringify!($f)
                );
            }
        }
    };
    ($other:ident $f:ident $v:ident) => {};
}

macro_rules! check_all {
    ([] $( ($code:expr) $name:ident $mnem:literal $shape:ident $(($($sa:tt)*))? $feat:ident $f:ident; )*) => {
        #[test]
        fn every_fast_form_matches_the_portable_one() {
            let v = operands();
            $( check_row!($shape $f v); )*
        }
    };
}
crate::simd::for_each_simd_op!(check_all);
