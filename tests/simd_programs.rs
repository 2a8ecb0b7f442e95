//! The SIMD benchmark programs (`benches/workloads/*.c`, each built as `NAME_simd.wasm` with
//! `-msimd128` and as `NAME_scalar.wasm` without) must compute the same checksum four ways:
//! both builds, on regwasm and on wasmi. Small sizes, including ones that leave vector loops a
//! remainder, and the value the C source gives when compiled natively (`check_native.sh`).

#[path = "../benches/workloads/list.rs"]
mod list;

use list::{Workload, SIMD_KERNELS, WORKLOADS};

fn workload(name: &str) -> &'static Workload {
    WORKLOADS
        .iter()
        .find(|w| w.name == name)
        .unwrap_or_else(|| panic!("no workload {name}"))
}

fn wasm(name: &str) -> &'static [u8] {
    workload(name).wasm
}

fn on_regwasm(wasm: &[u8], args: &[i32]) -> Vec<i32> {
    let engine = regwasm::Engine::default();
    let module = regwasm::Module::new(&engine, wasm).unwrap();
    let mut store = regwasm::Store::new(&engine, ());
    let instance = regwasm::Linker::new(&engine)
        .instantiate(&mut store, &module)
        .unwrap();
    let run: regwasm::TypedFunc<i32, i32> = instance.get_typed_func(&store, "run").unwrap();
    args.iter()
        .map(|n| run.call(&mut store, *n).unwrap())
        .collect()
}

fn on_wasmi(wasm: &[u8], args: &[i32]) -> Vec<i32> {
    let engine = wasmi::Engine::default();
    let module = wasmi::Module::new(&engine, wasm).unwrap();
    let mut store = wasmi::Store::new(&engine, ());
    let instance = wasmi::Linker::<()>::new(&engine)
        .instantiate_and_start(&mut store, &module)
        .unwrap();
    let run = instance.get_typed_func::<i32, i32>(&store, "run").unwrap();
    args.iter()
        .map(|n| run.call(&mut store, *n).unwrap())
        .collect()
}

/// `run(3)` and `run(17)` of the C sources compiled natively with gcc
/// (`benches/workloads/check_native.sh NAME 3`).
const NATIVE: &[(&str, [i32; 2])] = &[
    ("matmul_f32", [-545_268_986, 577_322_953]),
    ("pixels", [818_400_940, -1_073_911_518]),
    ("bytesearch", [168_321_279, 1_755_298_922]),
    ("memloop", [813_344_490, -1_701_980_564]),
    ("blend", [2_127_678_324, -697_396_053]),
];

#[test]
fn simd_and_scalar_builds_agree_on_both_engines() {
    assert_eq!(SIMD_KERNELS.len(), NATIVE.len());
    let args = [3, 17, 1, 6];
    for (kernel, native) in NATIVE {
        assert!(
            SIMD_KERNELS.contains(kernel),
            "{kernel} not in SIMD_KERNELS"
        );
        let simd = wasm(&format!("{kernel}_simd"));
        let scalar = wasm(&format!("{kernel}_scalar"));
        let want = on_regwasm(scalar, &args);
        assert_eq!(
            want[..2],
            native[..],
            "{kernel}_scalar on regwasm vs native"
        );
        assert_eq!(on_regwasm(simd, &args), want, "{kernel}_simd on regwasm");
        assert_eq!(on_wasmi(simd, &args), want, "{kernel}_simd on wasmi");
        assert_eq!(on_wasmi(scalar, &args), want, "{kernel}_scalar on wasmi");
    }
}

/// Both builds of a kernel are benchmarked with the same argument and checksum.
#[test]
fn simd_and_scalar_workloads_share_argument_and_checksum() {
    for kernel in SIMD_KERNELS {
        let simd = workload(&format!("{kernel}_simd"));
        let scalar = workload(&format!("{kernel}_scalar"));
        assert_eq!(
            (simd.arg, simd.expect),
            (scalar.arg, scalar.expect),
            "{kernel}"
        );
    }
}

/// The `_simd` builds really are SIMD code, and the `_scalar` builds are not.
#[test]
fn simd_builds_contain_v128_instructions() {
    const SHAPES: [&str; 7] = ["V128", "I8x16", "I16x8", "I32x4", "I64x2", "F32x4", "F64x2"];
    let has_simd = |bytes: &[u8]| {
        wasmparser::Parser::new(0).parse_all(bytes).any(|payload| {
            let Ok(wasmparser::Payload::CodeSectionEntry(body)) = payload else {
                return false;
            };
            let mut ops = body.get_operators_reader().unwrap();
            while !ops.eof() {
                let op = ops.read().unwrap();
                // wasmparser's operator names carry the lane shape: `F32x4Mul`, `V128Load`, ...
                let name = format!("{op:?}");
                if SHAPES.iter().any(|shape| name.starts_with(shape)) {
                    return true;
                }
            }
            false
        })
    };
    for kernel in SIMD_KERNELS {
        assert!(has_simd(wasm(&format!("{kernel}_simd"))), "{kernel}_simd");
        assert!(
            !has_simd(wasm(&format!("{kernel}_scalar"))),
            "{kernel}_scalar"
        );
    }
}
