//! The benchmark workloads: each `.wasm` here exports `run(n) -> checksum`. Shared by
//! `benches/execute.rs` and `examples/ablation.rs`.

pub struct Workload {
    /// Criterion group name, and the `.wasm` file's stem.
    pub name: &'static str,
    pub wasm: &'static [u8],
    /// Argument of `run` (iterations or problem size), chosen for 50–300 ms on wasmi.
    pub arg: i32,
    /// `run(arg)`.
    pub expect: i32,
}

macro_rules! workload {
    ($name:literal, $arg:expr, $expect:expr) => {
        Workload {
            name: $name,
            wasm: include_bytes!(concat!($name, ".wasm")),
            arg: $arg,
            expect: $expect,
        }
    };
}

pub const WORKLOADS: &[Workload] = &[
    workload!("fib", 31, 1_346_269),
    workload!("loop", 10_000_000, -351_572_880),
    workload!("sieve", 5_000_000, 1_088_874_291),
    workload!("matmul_i32", 200, -1_425_921_055),
    workload!("matmul_f64", 200, 354_766_033),
    workload!("sha256", 1 << 20, 29_509_564),
    workload!("coremark", 100, 1_095_467_275),
    workload!("nbody", 100_000, 385_501_822),
    workload!("quicksort", 200_000, 1_951_151_459),
    workload!("memops", 200_000, 645_991_050),
    workload!("calls", 600_000, 176_344_356),
    workload!("hostcall", 2_000_000, 89_103_808),
    // SIMD: each kernel built with -msimd128 (`_simd`) and without (`_scalar`), same argument,
    // same checksum; the argument is chosen for 10–50 ms on regwasm (see `SIMD_KERNELS`).
    workload!("matmul_f32_simd", 64, 1_281_054_191),
    workload!("matmul_f32_scalar", 64, 1_281_054_191),
    workload!("pixels_simd", 10, -1_928_749_520),
    workload!("pixels_scalar", 10, -1_928_749_520),
    workload!("bytesearch_simd", 60, 998_991_293),
    workload!("bytesearch_scalar", 60, 998_991_293),
    workload!("memloop_simd", 400, 2_028_208_325),
    workload!("memloop_scalar", 400, 2_028_208_325),
    workload!("blend_simd", 30, 182_408_072),
    workload!("blend_scalar", 30, 182_408_072),
    workload!("tailcall", 5_000_000, -277_281_376),
    workload!("exceptions", 200_000, EXCEPTIONS_EXPECT),
];

/// `exceptions.wasm`'s `run(200_000)`; tests/exceptions.rs checks it.
const EXCEPTIONS_EXPECT: i32 = 1_912_422_403;

/// Workloads that need a proposal wasmi does not implement (exception handling): the
/// execution benchmark runs them on regwasm only.
#[allow(dead_code)] // used by benches/execute.rs only
pub const REGWASM_ONLY: &[&str] = &["exceptions"];

/// The SIMD kernels (`NAME.c` in this directory): each is in [`WORKLOADS`] twice, as
/// `NAME_simd` (clang -O3 -msimd128) and `NAME_scalar` (clang -O3), built by `build.sh`.
#[allow(dead_code)] // used by tests/simd_programs.rs only
pub const SIMD_KERNELS: &[&str] = &["matmul_f32", "pixels", "bytesearch", "memloop", "blend"];
