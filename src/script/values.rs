//! Converting wast arguments to [`Val`]s and matching results against wast patterns.

use crate::{ExternRef, Val};
use wast::core::{AbstractHeapType, HeapType, NanPattern, V128Pattern, WastArgCore, WastRetCore};
use wast::{WastArg, WastRet};

/// The Wasm value an `(invoke ...)` argument denotes.
pub(super) fn arg_to_val(arg: &WastArg<'_>) -> Result<Val, String> {
    let WastArg::Core(core) = arg else {
        return Err(format!("unsupported (non-core) argument {arg:?}"));
    };
    Ok(match core {
        WastArgCore::I32(v) => Val::I32(*v),
        WastArgCore::I64(v) => Val::I64(*v),
        WastArgCore::F32(f) => Val::F32(f.bits),
        WastArgCore::F64(f) => Val::F64(f.bits),
        WastArgCore::RefNull(heap) => match ref_kind(heap) {
            Some(RefKind::Func) => Val::FuncRef(None),
            Some(RefKind::Extern) => Val::ExternRef(None),
            None => return Err(format!("unsupported null reference type {heap:?}")),
        },
        WastArgCore::RefExtern(n) => Val::ExternRef(Some(ExternRef(*n))),
        WastArgCore::V128(v) => Val::V128(u128::from_le_bytes(v.to_le_bytes())),
        other => return Err(format!("unsupported argument {other:?}")),
    })
}

/// Checks `got` against the expected result patterns; the error describes both sides.
pub(super) fn check_results(got: &[Val], expected: &[WastRet<'_>]) -> Result<(), String> {
    let ok = got.len() == expected.len()
        && got.iter().zip(expected).all(|(v, ret)| match ret {
            WastRet::Core(pattern) => matches(v, pattern),
            _ => false,
        });
    if ok {
        Ok(())
    } else {
        Err(format!(
            "expected [{}], got [{}]",
            expected
                .iter()
                .map(describe_ret)
                .collect::<Vec<_>>()
                .join(", "),
            describe_vals(got)
        ))
    }
}

/// Whether `val` matches one result pattern.
///
/// `ref.func` patterns with an index match any non-null funcref: the index names a function of
/// the module under test, which the public API cannot map to a store handle.
pub(super) fn matches(val: &Val, pattern: &WastRetCore<'_>) -> bool {
    match (pattern, val) {
        (WastRetCore::I32(want), Val::I32(got)) => want == got,
        (WastRetCore::I64(want), Val::I64(got)) => want == got,
        (WastRetCore::F32(want), Val::F32(got)) => f32_matches(want, *got),
        (WastRetCore::F64(want), Val::F64(got)) => f64_matches(want, *got),
        (WastRetCore::V128(want), Val::V128(got)) => v128_matches(want, *got),
        (
            WastRetCore::RefNull(None),
            Val::FuncRef(None) | Val::ExternRef(None) | Val::ExnRef(None),
        ) => true,
        (WastRetCore::RefNull(Some(heap)), Val::ExnRef(None)) => matches!(
            heap,
            HeapType::Abstract {
                shared: false,
                ty: AbstractHeapType::Exn | AbstractHeapType::NoExn
            }
        ),
        (WastRetCore::RefNull(Some(heap)), Val::FuncRef(None)) => {
            ref_kind(heap) == Some(RefKind::Func)
        }
        (WastRetCore::RefNull(Some(heap)), Val::ExternRef(None)) => {
            ref_kind(heap) == Some(RefKind::Extern)
        }
        (WastRetCore::RefExtern(None), Val::ExternRef(Some(_))) => true,
        (WastRetCore::RefExtern(Some(n)), Val::ExternRef(Some(r))) => r.0 == *n,
        (WastRetCore::RefFunc(_), Val::FuncRef(Some(_))) => true,
        (WastRetCore::Either(alternatives), _) => alternatives.iter().any(|p| matches(val, p)),
        _ => false,
    }
}

fn f32_matches(want: &NanPattern<wast::token::F32>, got: u32) -> bool {
    match want {
        NanPattern::CanonicalNan => got & 0x7fff_ffff == 0x7fc0_0000,
        NanPattern::ArithmeticNan => got & 0x7fc0_0000 == 0x7fc0_0000,
        NanPattern::Value(f) => f.bits == got,
    }
}

fn f64_matches(want: &NanPattern<wast::token::F64>, got: u64) -> bool {
    match want {
        NanPattern::CanonicalNan => got & 0x7fff_ffff_ffff_ffff == 0x7ff8_0000_0000_0000,
        NanPattern::ArithmeticNan => got & 0x7ff8_0000_0000_0000 == 0x7ff8_0000_0000_0000,
        NanPattern::Value(f) => f.bits == got,
    }
}

/// A `v128` against a lane-wise pattern: integer lanes exactly, float lanes as floats are
/// matched (NaN patterns per lane).
fn v128_matches(want: &V128Pattern, got: u128) -> bool {
    let bytes = got.to_le_bytes();
    let lane = |i: usize, n: usize| {
        let mut b = [0u8; 8];
        b[..n].copy_from_slice(&bytes[i * n..i * n + n]);
        u64::from_le_bytes(b)
    };
    match want {
        V128Pattern::I8x16(l) => (0..16).all(|i| lane(i, 1) as u8 == l[i] as u8),
        V128Pattern::I16x8(l) => (0..8).all(|i| lane(i, 2) as u16 == l[i] as u16),
        V128Pattern::I32x4(l) => (0..4).all(|i| lane(i, 4) as u32 == l[i] as u32),
        V128Pattern::I64x2(l) => (0..2).all(|i| lane(i, 8) == l[i] as u64),
        V128Pattern::F32x4(l) => (0..4).all(|i| f32_matches(&l[i], lane(i, 4) as u32)),
        V128Pattern::F64x2(l) => (0..2).all(|i| f64_matches(&l[i], lane(i, 8))),
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum RefKind {
    Func,
    Extern,
}

/// Which of the two Wasm 2.0 reference types a heap type denotes (bottom types included).
fn ref_kind(heap: &HeapType<'_>) -> Option<RefKind> {
    match heap {
        HeapType::Abstract { shared: false, ty } => match ty {
            AbstractHeapType::Func | AbstractHeapType::NoFunc => Some(RefKind::Func),
            AbstractHeapType::Extern | AbstractHeapType::NoExtern => Some(RefKind::Extern),
            _ => None,
        },
        _ => None,
    }
}

/// A value in wast-like notation, with float bit patterns: `f32:1.5 (0x3fc00000)`.
pub(super) fn describe_val(val: &Val) -> String {
    match val {
        Val::I32(v) => format!("i32:{v}"),
        Val::I64(v) => format!("i64:{v}"),
        Val::F32(bits) => format!("f32:{} ({bits:#010x})", f32::from_bits(*bits)),
        Val::F64(bits) => format!("f64:{} ({bits:#018x})", f64::from_bits(*bits)),
        Val::FuncRef(None) => "ref.null func".to_string(),
        Val::FuncRef(Some(f)) => format!("ref.func {f:?}"),
        Val::ExternRef(None) => "ref.null extern".to_string(),
        Val::ExternRef(Some(r)) => format!("ref.extern {}", r.0),
        Val::V128(v) => format!("v128:{v:#034x}"),
        Val::ExnRef(None) => "ref.null exn".to_string(),
        Val::ExnRef(Some(e)) => format!("ref.exn {}", e.0),
    }
}

pub(super) fn describe_vals(vals: &[Val]) -> String {
    vals.iter().map(describe_val).collect::<Vec<_>>().join(", ")
}

fn describe_ret(ret: &WastRet<'_>) -> String {
    match ret {
        WastRet::Core(pattern) => describe_pattern(pattern),
        other => format!("{other:?}"),
    }
}

fn describe_pattern(pattern: &WastRetCore<'_>) -> String {
    fn nan<T>(ty: &str, p: &NanPattern<T>, value: impl Fn(&T) -> String) -> String {
        match p {
            NanPattern::CanonicalNan => format!("{ty}:nan:canonical"),
            NanPattern::ArithmeticNan => format!("{ty}:nan:arithmetic"),
            NanPattern::Value(v) => value(v),
        }
    }
    match pattern {
        WastRetCore::I32(v) => format!("i32:{v}"),
        WastRetCore::I64(v) => format!("i64:{v}"),
        WastRetCore::F32(p) => nan("f32", p, |f| describe_val(&Val::F32(f.bits))),
        WastRetCore::F64(p) => nan("f64", p, |f| describe_val(&Val::F64(f.bits))),
        WastRetCore::RefNull(None) => "ref.null".to_string(),
        WastRetCore::RefNull(Some(heap)) => match ref_kind(heap) {
            Some(RefKind::Func) => "ref.null func".to_string(),
            Some(RefKind::Extern) => "ref.null extern".to_string(),
            None => format!("ref.null {heap:?}"),
        },
        WastRetCore::RefExtern(None) => "ref.extern".to_string(),
        WastRetCore::RefExtern(Some(n)) => format!("ref.extern {n}"),
        WastRetCore::RefFunc(_) => "ref.func".to_string(),
        WastRetCore::Either(alternatives) => format!(
            "either({})",
            alternatives
                .iter()
                .map(describe_pattern)
                .collect::<Vec<_>>()
                .join(" | ")
        ),
        other => format!("unsupported pattern {other:?}"),
    }
}
