//! Statically typed host functions and calls: Rust types map to Wasm value types at compile
//! time, and values travel as register cells with no per-argument boxing or tagging.

use super::func::HostFunc;
use super::{Caller, Func, Store};
use crate::error::{Error, Result, Trap};
use crate::value::{Cell, ExternRef, FuncType, Val, ValType};
use std::marker::PhantomData;
use std::sync::Arc;

/// A Rust type that is a Wasm value type.
pub trait WasmTy: Copy + Send + Sync + 'static {
    /// The Wasm value type.
    const TYPE: ValType;
    /// Register cells a value takes (two for `v128`).
    #[doc(hidden)]
    const CELLS: usize = Self::TYPE.cells() as usize;
    /// Reads the value from the first [`WasmTy::CELLS`] of `cells`.
    #[doc(hidden)]
    fn load(cells: &[Cell]) -> Self;
    /// Writes the value to the first [`WasmTy::CELLS`] of `cells`.
    #[doc(hidden)]
    fn store(self, cells: &mut [Cell]);
}

macro_rules! wasm_ty {
    ($($t:ty => $vt:ident, |$c:ident| $from:expr, |$v:ident| $into:expr;)*) => {$(
        impl WasmTy for $t {
            const TYPE: ValType = ValType::$vt;
            #[inline]
            fn load(cells: &[Cell]) -> Self { let $c = cells[0]; $from }
            #[inline]
            fn store(self, cells: &mut [Cell]) { let $v = self; cells[0] = $into }
        }
    )*};
}

/// `v128`, lane 0 in the low bits.
impl WasmTy for u128 {
    const TYPE: ValType = ValType::V128;
    #[inline]
    fn load(cells: &[Cell]) -> Self {
        cells[0] as u128 | (cells[1] as u128) << 64
    }
    #[inline]
    fn store(self, cells: &mut [Cell]) {
        cells[0] = self as Cell;
        cells[1] = (self >> 64) as Cell;
    }
}
wasm_ty! {
    i32 => I32, |c| c as u32 as i32, |v| v as u32 as Cell;
    u32 => I32, |c| c as u32, |v| v as Cell;
    i64 => I64, |c| c as i64, |v| v as Cell;
    u64 => I64, |c| c, |v| v;
    f32 => F32, |c| f32::from_bits(c as u32), |v| v.to_bits() as Cell;
    f64 => F64, |c| f64::from_bits(c), |v| v.to_bits();
    Option<Func> => FuncRef, |c| crate::value::ref_index(c).map(Func), |v| v.map_or(0, |f| f.0 as Cell + 1);
    Option<ExternRef> => ExternRef, |c| crate::value::ref_index(c).map(ExternRef), |v| v.map_or(0, |r| r.0 as Cell + 1);
}

/// `(ref func)`: a function reference that is never null (the validator makes sure a cell of
/// this type is not 0). Typed calls match exact types, so a function of a concrete type
/// (`(ref $t)`) is reached through `Func::call` instead.
impl WasmTy for Func {
    const TYPE: ValType = ValType::Ref(crate::value::RefType {
        nullable: false,
        heap: crate::value::HeapType::Func,
    });
    #[inline]
    fn load(cells: &[Cell]) -> Self {
        Func(cells[0].wrapping_sub(1) as u32)
    }
    #[inline]
    fn store(self, cells: &mut [Cell]) {
        cells[0] = self.0 as Cell + 1;
    }
}

/// A tuple of [`WasmTy`] (or one of them) used as parameters.
pub trait WasmParams: Send + Sync + 'static {
    /// The Wasm parameter types, in order.
    fn types() -> Vec<ValType>;
    /// Whether the types are exactly `types`, without allocating.
    #[doc(hidden)]
    fn matches(types: &[ValType]) -> bool {
        Self::types() == types
    }
    #[doc(hidden)]
    fn store_cells(self, cells: &mut [Cell]);
}

/// A tuple of [`WasmTy`] (or one of them, or `()`) used as results.
pub trait WasmResults: Sized + Send + Sync + 'static {
    /// The Wasm result types, in order.
    fn types() -> Vec<ValType>;
    /// Whether the types are exactly `types`, without allocating.
    #[doc(hidden)]
    fn matches(types: &[ValType]) -> bool {
        Self::types() == types
    }
    #[doc(hidden)]
    fn load_cells(cells: &[Cell]) -> Self;
    #[doc(hidden)]
    fn store_cells(self, cells: &mut [Cell]);
}

impl<A: WasmTy> WasmParams for A {
    fn types() -> Vec<ValType> {
        vec![A::TYPE]
    }
    fn matches(types: &[ValType]) -> bool {
        types == [A::TYPE]
    }
    fn store_cells(self, cells: &mut [Cell]) {
        self.store(cells);
    }
}

impl<A: WasmTy> WasmResults for A {
    fn types() -> Vec<ValType> {
        vec![A::TYPE]
    }
    fn matches(types: &[ValType]) -> bool {
        types == [A::TYPE]
    }
    fn load_cells(cells: &[Cell]) -> Self {
        A::load(cells)
    }
    fn store_cells(self, cells: &mut [Cell]) {
        self.store(cells);
    }
}

/// Calls `$m!` with every supported parameter/result count (0 to 8) as `(index Type, …)` lists:
/// the one place the arities are listed, for both the tuple traits and `IntoFunc`.
macro_rules! for_each_arity {
    ($m:ident) => {
        $m! {
            ();
            (0 A);
            (0 A, 1 B);
            (0 A, 1 B, 2 C);
            (0 A, 1 B, 2 C, 3 D);
            (0 A, 1 B, 2 C, 3 D, 4 E);
            (0 A, 1 B, 2 C, 3 D, 4 E, 5 F);
            (0 A, 1 B, 2 C, 3 D, 4 E, 5 F, 6 G);
            (0 A, 1 B, 2 C, 3 D, 4 E, 5 F, 6 G, 7 H);
        }
    };
}

macro_rules! tuples {
    ($(($($n:tt $t:ident),*);)*) => {$(
        impl<$($t: WasmTy),*> WasmParams for ($($t,)*) {
            fn types() -> Vec<ValType> { vec![$($t::TYPE),*] }
            fn matches(types: &[ValType]) -> bool { types == [$($t::TYPE),*] }
            #[allow(unused_variables, unused_mut, unused_assignments)]
            fn store_cells(self, cells: &mut [Cell]) {
                let mut at = 0;
                $( self.$n.store(&mut cells[at..]); at += $t::CELLS; )*
            }
        }
        impl<$($t: WasmTy),*> WasmResults for ($($t,)*) {
            fn types() -> Vec<ValType> { vec![$($t::TYPE),*] }
            fn matches(types: &[ValType]) -> bool { types == [$($t::TYPE),*] }
            #[allow(unused_variables, unused_mut, unused_assignments, clippy::unused_unit)]
            fn load_cells(cells: &[Cell]) -> Self {
                let mut at = 0;
                ($({
                    let v = $t::load(&cells[at..]);
                    at += $t::CELLS;
                    v
                },)*)
            }
            #[allow(unused_variables, unused_mut, unused_assignments)]
            fn store_cells(self, cells: &mut [Cell]) {
                let mut at = 0;
                $( self.$n.store(&mut cells[at..]); at += $t::CELLS; )*
            }
        }
    )*};
}
for_each_arity!(tuples);

/// What a host closure may return: results, or results-or-trap.
pub trait HostReturn: Send + Sync + 'static {
    /// The results, without the trap.
    type Results: WasmResults;
    #[doc(hidden)]
    fn into_result(self) -> Result<Self::Results, Trap>;
}

impl<R: WasmResults> HostReturn for R {
    type Results = R;
    fn into_result(self) -> Result<R, Trap> {
        Ok(self)
    }
}

impl<R: WasmResults> HostReturn for Result<R, Trap> {
    type Results = R;
    fn into_result(self) -> Result<R, Trap> {
        self
    }
}

/// A Rust closure `Fn(Caller<T>, A1, A2, …) -> R` usable as a host function.
pub trait IntoFunc<T, Params, Results>: Send + Sync + 'static {
    #[doc(hidden)]
    fn into_func(self) -> (FuncType, HostFunc<T>);
}

macro_rules! into_func {
    ($(($($n:tt $a:ident),*);)*) => {$(
        impl<T, Closure, $($a: WasmTy,)* R> IntoFunc<T, ($($a,)*), R> for Closure
        where
            Closure: Fn(Caller<'_, T>, $($a),*) -> R + Send + Sync + 'static,
            R: HostReturn,
        {
            fn into_func(self) -> (FuncType, HostFunc<T>) {
                let ty = FuncType::new([$($a::TYPE),*], R::Results::types());
                let host: HostFunc<T> = Arc::new(move |caller: Caller<'_, T>, cells: &mut [Cell]| {
                    #[allow(unused_variables)]
                    let args = <($($a,)*) as WasmResults>::load_cells(cells);
                    let out = (self)(caller, $(args.$n),*).into_result()?;
                    out.store_cells(cells);
                    Ok(())
                });
                (ty, host)
            }
        }
    )*};
}
for_each_arity!(into_func);

/// A function whose signature was checked once against `Params -> Results`, so calls pass
/// values without runtime type checks.
///
/// ```
/// use regwasm::{Engine, Linker, Module, Store};
/// let engine = Engine::default();
/// let module = Module::new(&engine, r#"(module (func (export "sq") (param i64) (result i64)
///     local.get 0 local.get 0 i64.mul))"#).unwrap();
/// let mut store = Store::new(&engine, ());
/// let instance = Linker::new(&engine).instantiate(&mut store, &module).unwrap();
/// let sq = instance.get_typed_func::<i64, i64>(&store, "sq").unwrap();
/// assert_eq!(sq.call(&mut store, 12).unwrap(), 144);
/// ```
pub struct TypedFunc<Params, Results> {
    func: Func,
    width: usize,
    _marker: PhantomData<fn(Params) -> Results>,
}

impl<Params, Results> Clone for TypedFunc<Params, Results> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<Params, Results> Copy for TypedFunc<Params, Results> {}

impl<Params: WasmParams, Results: WasmResults> TypedFunc<Params, Results> {
    pub(crate) fn new(func: Func, ty: &FuncType) -> Result<Self> {
        if !Params::matches(ty.params()) || !Results::matches(ty.results()) {
            let want = FuncType::new(Params::types(), Results::types());
            return Err(Error::Api(format!(
                "function has type {ty}, not the requested {want}"
            )));
        }
        Ok(Self {
            func,
            width: ty.param_cells().max(ty.result_cells()) as usize,
            _marker: PhantomData,
        })
    }

    /// The untyped function.
    pub fn func(&self) -> Func {
        self.func
    }

    /// Calls the function.
    pub fn call<T>(&self, store: &mut Store<T>, params: Params) -> Result<Results> {
        let mut cells: smallvec::SmallVec<[Cell; 8]> = smallvec::smallvec![0; self.width];
        params.store_cells(&mut cells);
        crate::exec::invoke(store, self.func, &mut cells)?;
        Ok(Results::load_cells(&cells))
    }
}

impl Val {
    /// Reads a typed value, if it has type `W`.
    pub fn get<W: WasmTy>(&self) -> Option<W> {
        let mut cells: smallvec::SmallVec<[Cell; 2]> = smallvec::SmallVec::new();
        self.push_cells(&mut cells);
        (self.ty() == W::TYPE).then(|| W::load(&cells))
    }
}
