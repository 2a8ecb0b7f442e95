//! Empty: this crate exists for its benchmarks (`../execute.rs`, `../translate.rs`), built
//! the way a crate depending on regwasm builds them.
