#!/usr/bin/env bash
# Cross-check: compiles a C workload natively (gcc or $CC_NATIVE, -O2, no FMA contraction) with
# native_main.c and prints run(N), which must equal the checksum both Wasm engines return.
# Usage: check_native.sh WORKLOAD N   (e.g. check_native.sh sha256 4194304)
set -euo pipefail
cd "$(dirname "$0")"
w=$1
n=$2
out=$(mktemp)
trap 'rm -f "$out"' EXIT
"${CC_NATIVE:-gcc}" -O2 -ffp-contract=off -fno-strict-aliasing "$w.c" native_main.c -o "$out" -lm
"$out" "$n"
