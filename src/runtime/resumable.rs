//! Calls that can stop part-way — out of fuel, interrupted, past their deadline, or because a
//! host function yielded — and be resumed later with exactly the results an uninterrupted run
//! would give.

use super::{Func, Store};
use crate::error::{Error, Result};
use crate::exec::{self, SuspendReason, Suspended};
use crate::value::{Cell, Val};

/// How a resumable call ended.
pub enum CallOutcome {
    /// The function returned; its results were written.
    Finished,
    /// The call stopped; resume it (after adding fuel, a new deadline…) or drop it.
    Suspended(ResumableCall),
}

/// A call stopped part-way, holding its whole interpreter state (frames and registers).
///
/// ```
/// use regwasm::{CallOutcome, Config, Engine, Linker, Module, Store, Val};
/// let mut config = Config::default();
/// config.consume_fuel(true);
/// let engine = Engine::new(&config);
/// let module = Module::new(&engine, r#"(module (func (export "sum") (param i32) (result i32)
///     (local $acc i32)
///     (loop $l
///       (local.set $acc (i32.add (local.get $acc) (local.get 0)))
///       (br_if $l (local.tee 0 (i32.sub (local.get 0) (i32.const 1)))))
///     (local.get $acc)))"#).unwrap();
/// let mut store = Store::new(&engine, ());
/// let instance = Linker::new(&engine).instantiate(&mut store, &module).unwrap();
/// let sum = instance.get_func(&store, "sum").unwrap();
/// let mut out = [Val::I32(0)];
/// store.set_fuel(100).unwrap();
/// let mut outcome = sum.call_resumable(&mut store, &[Val::I32(1000)], &mut out).unwrap();
/// let mut slices = 0;
/// while let CallOutcome::Suspended(call) = outcome {
///     slices += 1;
///     store.set_fuel(100).unwrap();
///     outcome = call.resume(&mut store, &mut out).unwrap();
/// }
/// assert!(slices > 10);
/// assert_eq!(out[0], Val::I32(500500));
/// ```
pub struct ResumableCall {
    func: Func,
    store_id: u64,
    state: Suspended,
}

impl ResumableCall {
    /// Why the call stopped.
    pub fn reason(&self) -> SuspendReason {
        self.state.reason()
    }

    /// The function that was called.
    pub fn func(&self) -> Func {
        self.func
    }

    /// Continues the call where it stopped, in the store it started in.
    pub fn resume<T>(self, store: &mut Store<T>, results: &mut [Val]) -> Result<CallOutcome> {
        if store.inner.id != self.store_id {
            return Err(Error::Api(
                "a call can only be resumed in the store it started in".into(),
            ));
        }
        let ty = self.func.ty(store);
        check_results(results, ty.results().len())?;
        let mut cells: smallvec::SmallVec<[Cell; 8]> =
            smallvec::smallvec![0; ty.param_cells().max(ty.result_cells()) as usize];
        let outcome = exec::resume(store, self.state, &mut cells)?;
        finish(self.func, store, outcome, &cells, results)
    }
}

impl Func {
    /// Calls the function like [`Func::call`], but a stop for fuel, interruption, deadline or a
    /// host's yield returns a [`ResumableCall`] instead of a trap.
    pub fn call_resumable<T>(
        &self,
        store: &mut Store<T>,
        params: &[Val],
        results: &mut [Val],
    ) -> Result<CallOutcome> {
        let ty = self.ty(store);
        if params.len() != ty.params().len()
            || (params.iter().zip(ty.params())).any(|(v, t)| !store.inner.val_matches(*v, *t))
        {
            return Err(Error::Api(format!(
                "function of type {ty} called with arguments {:?}",
                params.iter().map(|v| v.ty()).collect::<Vec<_>>()
            )));
        }
        check_results(results, ty.results().len())?;
        let mut cells: smallvec::SmallVec<[Cell; 8]> = smallvec::SmallVec::new();
        for v in params {
            v.push_cells(&mut cells);
        }
        cells.resize(ty.param_cells().max(ty.result_cells()) as usize, 0);
        let outcome = exec::start(store, *self, &mut cells)?;
        finish(*self, store, outcome, &cells, results)
    }
}

fn check_results(results: &[Val], want: usize) -> Result<()> {
    if results.len() != want {
        return Err(Error::Api(format!(
            "the function has {want} results; got room for {}",
            results.len()
        )));
    }
    Ok(())
}

fn finish<T>(
    func: Func,
    store: &Store<T>,
    outcome: Option<Suspended>,
    cells: &[Cell],
    results: &mut [Val],
) -> Result<CallOutcome> {
    match outcome {
        None => {
            let ty = func.ty(store);
            Val::from_cell_list(ty.results(), cells, results);
            store.inner.pin_vals(results);
            Ok(CallOutcome::Finished)
        }
        Some(state) => Ok(CallOutcome::Suspended(ResumableCall {
            func,
            store_id: store.inner.id,
            state,
        })),
    }
}
