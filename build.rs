//! Tells the interpreter whether this build can run threaded code (`cfg(regwasm_tail_calls)`).
//!
//! The threaded backend's handlers each end by calling the next handler. LLVM compiles such a
//! call in tail position as a jump (sibling-call optimization) when it optimizes; without
//! optimization every call would push a native stack frame, per executed instruction. So the
//! cfg is set only for optimized builds on targets whose LLVM back end does sibling calls for
//! the handlers' signature; `Dispatch::Threaded` falls back to the match loop elsewhere.
//! wasmi's `build.rs` decides its tail-call backend the same way.

fn main() {
    println!("cargo::rustc-check-cfg=cfg(regwasm_tail_calls)");
    println!("cargo::rerun-if-changed=build.rs");
    let opt = std::env::var("OPT_LEVEL").unwrap_or_default();
    let arch = std::env::var("CARGO_CFG_TARGET_ARCH").unwrap_or_default();
    let optimized = matches!(opt.as_str(), "2" | "3" | "s" | "z");
    let sibling_calls = matches!(arch.as_str(), "x86_64" | "aarch64");
    if optimized && sibling_calls {
        println!("cargo::rustc-cfg=regwasm_tail_calls");
    }
}
