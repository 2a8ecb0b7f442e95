#!/usr/bin/env python3
"""Runs a WASI program under wasmtime (the PyPI package `wasmtime`), the reference the
wasi_*.c conformance programs are checked against.

    python3 tests/wasi/wasmtime_run.py PROGRAM.wasm HOST_DIR [ARG...]

HOST_DIR is preopened as /d, the arguments follow the program name, the environment is K=v
(as tests/wasi.rs runs them). Prints the program's stdout, then `exit=N`.
"""
import os
import sys
import tempfile

import wasmtime

wasm, host_dir, args = sys.argv[1], sys.argv[2], sys.argv[3:]
engine = wasmtime.Engine()
module = wasmtime.Module.from_file(engine, wasm)
linker = wasmtime.Linker(engine)
linker.define_wasi()
store = wasmtime.Store(engine)
config = wasmtime.WasiConfig()
config.argv = [os.path.basename(wasm)] + args
config.env = [("K", "v")]
config.preopen_dir(host_dir, "/d")
with tempfile.TemporaryDirectory() as tmp:
    out = os.path.join(tmp, "stdout")
    config.stdout_file = out
    store.set_wasi(config)
    instance = linker.instantiate(store, module)
    code = 0
    try:
        instance.exports(store)["_start"](store)
    except wasmtime.ExitTrap as e:
        code = e.code
    except wasmtime.WasmtimeError as e:
        code = "trap: " + str(e).strip().splitlines()[-1]
    with open(out) as f:
        sys.stdout.write(f.read())
print(f"exit={code}")
