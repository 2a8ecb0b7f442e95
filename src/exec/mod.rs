//! The interpreter.

use crate::error::Result;
use crate::runtime::{Func, Store};
use crate::value::Val;

/// Register and frame stacks of the interpreter.
#[derive(Debug, Default)]
pub struct Stack {}

/// Calls `func` with type-checked `params`, writing `results`.
pub(crate) fn invoke<T>(store: &mut Store<T>, func: Func, params: &[Val], results: &mut [Val]) -> Result<()> {
    let _ = (store, func, params, results);
    todo!()
}
