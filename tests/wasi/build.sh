#!/bin/sh
# Rebuilds every tests/wasi/*.wasm from its .c. Needs Debian's clang, lld, wasi-libc and
# libclang-rt-dev-wasm32 (apt-get install -y clang lld wasi-libc libclang-rt-dev-wasm32).
# The wasi_*.c conformance programs share check.h; expected/ holds what each prints (checked
# under wasmtime with wasmtime_run.py, except wasi_badargs and wasi_rights_strict: see docs/wasi.md).
set -eu
cd "$(dirname "$0")"
for src in *.c; do
    clang --target=wasm32-wasi --sysroot=/usr -O2 -Wl,--strip-all "$src" -o "${src%.c}.wasm"
    chmod 644 "${src%.c}.wasm"
done
