#!/usr/bin/env bash
# Rebuilds every benchmark workload's .wasm from its source, in this directory.
#
# Needs (Debian): apt-get install -y clang lld wasi-libc libclang-rt-dev-wasm32 wabt
# The built .wasm files are committed, so running the benchmarks needs none of this.
#
# Each C workload is a library-style module: no entry point, no WASI imports, one export `run`
# (plus the linker's `memory`), all of type (i32) -> i32.
set -euo pipefail
cd "$(dirname "$0")"

CC=${CC:-clang}
CFLAGS=(--target=wasm32-wasi --sysroot=/usr -O2 -nostartfiles -Wl,--no-entry -Wl,--export=run -Wl,--strip-debug)

c_workloads=(sieve matmul_i32 matmul_f64 sha256 coremark nbody quicksort calls)
wat_workloads=(fib loop hostcall)

for w in "${c_workloads[@]}"; do
    "$CC" "${CFLAGS[@]}" "$w.c" -o "$w.wasm"
done
# memops is the bulk-memory workload: memcpy/memset/memmove lower to memory.copy/memory.fill.
"$CC" "${CFLAGS[@]}" -mbulk-memory memops.c -o memops.wasm

# SIMD workloads, each built twice from one source with -O3: `NAME_simd.wasm` with -msimd128
# (auto-vectorized, or explicit <wasm_simd128.h> intrinsics in blend.c) and `NAME_scalar.wasm`
# without. Both builds must return the same checksums (tests/simd_programs.rs). memloop is
# built with -fno-builtin so that its copy and fill loops stay loops instead of memcpy calls.
simd_workloads=(matmul_f32 pixels bytesearch memloop blend)
SIMD_CFLAGS=("${CFLAGS[@]/-O2/-O3}")
for w in "${simd_workloads[@]}"; do
    extra=()
    if [ "$w" = memloop ]; then extra=(-fno-builtin); fi
    "$CC" "${SIMD_CFLAGS[@]}" "${extra[@]}" -msimd128 "$w.c" -o "${w}_simd.wasm"
    "$CC" "${SIMD_CFLAGS[@]}" "${extra[@]}" "$w.c" -o "${w}_scalar.wasm"
    # The SIMD build must contain v128 instructions, the scalar build none.
    if command -v wasm2wat >/dev/null; then
        simd_ops='\b(v128|i8x16|i16x8|i32x4|i64x2|f32x4|f64x2)\.'
        if ! grep -qE "$simd_ops" <<<"$(wasm2wat "${w}_simd.wasm")"; then
            echo "error: ${w}_simd.wasm has no SIMD instructions" >&2
            exit 1
        fi
        if grep -qE "$simd_ops" <<<"$(wasm2wat "${w}_scalar.wasm")"; then
            echo "error: ${w}_scalar.wasm has SIMD instructions" >&2
            exit 1
        fi
    fi
done

for w in "${wat_workloads[@]}"; do
    wat2wasm "$w.wat" -o "$w.wasm"
done
# tailcall is the tail-call workload (return_call, return_call_indirect: WebAssembly 3.0).
wat2wasm --enable-tail-call tailcall.wat -o tailcall.wasm
# exceptions is the exception-handling workload (try_table, throw, throw_ref, exnref: 3.0). The
# committed .wasm was encoded by the `wat` crate 1.263 (regwasm's own text parser), which is what
# wasm-tools uses too; wabt's wat2wasm may not know `try_table`.
wasm-tools parse exceptions.wat -o exceptions.wasm

# No workload may import anything but env.host_add (hostcall).
if command -v wasm-objdump >/dev/null; then
    for f in *.wasm; do
        imports=$(wasm-objdump -j Import -x "$f" 2>/dev/null | grep -c ' <- ' || true)
        if [ "$f" = hostcall.wasm ]; then want=1; else want=0; fi
        if [ "$imports" != "$want" ]; then
            echo "error: $f has $imports imports, expected $want" >&2
            wasm-objdump -j Import -x "$f" >&2
            exit 1
        fi
    done
fi
ls -l ./*.wasm
