//! The semantics of every numeric instruction form, generated from the operator table
//! ([`crate::ops`]): plain, `_acc`, immediate, compare-and-branch, loop-step, select and
//! `_load` forms. `numeric_semantics!` receives [`for_each_numeric_op!`]'s rows together with a
//! backend macro and the hand-written entries (see `semantics.rs`) and calls the backend with
//! all of them, in the entry format that module describes.

/// `[$cb, { hand entries }] rows...` → `$cb! { hand entries, numeric entries }`.
macro_rules! numeric_semantics {
    ([$cb:ident, { $($hand:tt)* }] $( ($code:expr) $name:ident $mnem:literal $shape:ident
          ($a:ident $(, $b:ident)? -> $r:ident) $f:ident acc $acc:ident
          $(imm $imm:ident $immacc:ident)?
          $(cmp $cimm:ident $br:ident $brimm:ident $cimmacc:ident $bracc:ident $brimmacc:ident)?
          $(step $addbr:ident $addimmbr:ident $sel:ident $selimm:ident $addbracc:ident $addimmbracc:ident)?
          $(mem $mem:ident $memacc:ident)?; )*) => {
        $cb! {
            $($hand)*
            $(
                $name { dst, a, b } => {
                    let _ = b;
                    let c = num_cell!($shape r!(a), r!(b), $a $(, $b)? -> $r, numeric::$f);
                    w!(dst, c);
                }
                $acc { dst, b } => {
                    let _ = b;
                    let c = num_cell!($shape acc!(), r!(b), $a $(, $b)? -> $r, numeric::$f);
                    w!(dst, c);
                }
                $(
                    $imm { dst, a, imm } => {
                        let x = <$a>::from_cell(r!(a));
                        w!(dst, <$r as CellVal>::into_cell(apply!($shape numeric::$f, x, imm as $a)));
                    }
                    $immacc { dst, imm } => {
                        let x = <$a>::from_cell(acc!());
                        w!(dst, <$r as CellVal>::into_cell(apply!($shape numeric::$f, x, imm as $a)));
                    }
                )?
                $(
                    $cimm { dst, a, imm } => {
                        let x = <$a>::from_cell(r!(a));
                        w!(dst, <$r as CellVal>::into_cell(numeric::$f(x, imm as $a)));
                    }
                    $cimmacc { dst, imm } => {
                        let x = <$a>::from_cell(acc!());
                        w!(dst, <$r as CellVal>::into_cell(numeric::$f(x, imm as $a)));
                    }
                    $br { a, b, offset } => {
                        if numeric::$f(<$a>::from_cell(r!(a)), <$a>::from_cell(r!(b))) != 0 {
                            jump!(offset)
                        }
                    }
                    $bracc { b, offset } => {
                        if numeric::$f(<$a>::from_cell(acc!()), <$a>::from_cell(r!(b))) != 0 {
                            jump!(offset)
                        }
                    }
                    $brimm { a, imm, offset } => {
                        if numeric::$f(<$a>::from_cell(r!(a)), imm as $a) != 0 {
                            jump!(offset)
                        }
                    }
                    $brimmacc { imm, offset } => {
                        if numeric::$f(<$a>::from_cell(acc!()), imm as $a) != 0 {
                            jump!(offset)
                        }
                    }
                )?
                $(
                    // `rhs` is read after the write, as the separate add and branch would (it
                    // may be `x`).
                    $addbr { x, step, rhs, offset } => {
                        let v = <$a>::from_cell(r!(x)).wrapping_add(<$a>::from_cell(r!(step)));
                        w!(x, v.into_cell());
                        if numeric::$f(v, <$a>::from_cell(r!(rhs))) != 0 {
                            jump!(offset)
                        }
                    }
                    $addbracc { x, step, rhs, offset } => {
                        let v = <$a>::from_cell(acc!()).wrapping_add(<$a>::from_cell(r!(step)));
                        w!(x, v.into_cell());
                        if numeric::$f(v, <$a>::from_cell(r!(rhs))) != 0 {
                            jump!(offset)
                        }
                    }
                    $sel { dst, a, b, x, y } => {
                        let c = numeric::$f(<$a>::from_cell(r!(a)), <$a>::from_cell(r!(b)));
                        w!(dst, if c != 0 { r!(x) } else { r!(y) });
                    }
                    $selimm { dst, a, imm, x, y } => {
                        let c = numeric::$f(<$a>::from_cell(r!(a)), imm as $a);
                        w!(dst, if c != 0 { r!(x) } else { r!(y) });
                    }
                    $addimmbr { x, step, rhs, offset } => {
                        let v = <$a>::from_cell(r!(x)).wrapping_add(step as $a);
                        w!(x, v.into_cell());
                        if numeric::$f(v, <$a>::from_cell(r!(rhs))) != 0 {
                            jump!(offset)
                        }
                    }
                    $addimmbracc { x, step, rhs, offset } => {
                        let v = <$a>::from_cell(acc!()).wrapping_add(step as $a);
                        w!(x, v.into_cell());
                        if numeric::$f(v, <$a>::from_cell(r!(rhs))) != 0 {
                            jump!(offset)
                        }
                    }
                )?
                $(
                    $mem { dst, a, addr, offset } => {
                        let x = <$a>::from_cell(r!(a));
                        let y = <$a>::from_le_bytes(or_trap!(mem!().load::<{ std::mem::size_of::<$a>() }>(r!(addr), offset)));
                        w!(dst, <$r as CellVal>::into_cell(apply!($shape numeric::$f, x, y)));
                    }
                    $memacc { dst, addr, offset } => {
                        let x = <$a>::from_cell(acc!());
                        let y = <$a>::from_le_bytes(or_trap!(mem!().load::<{ std::mem::size_of::<$a>() }>(r!(addr), offset)));
                        w!(dst, <$r as CellVal>::into_cell(apply!($shape numeric::$f, x, y)));
                    }
                )?
            )*
        }
    };
}
pub(super) use numeric_semantics;

/// Calls a binary operator's semantic function, propagating its trap if it has one.
macro_rules! apply {
    (bin $f:path, $x:expr, $y:expr) => {
        $f($x, $y)
    };
    (bin_trap $f:path, $x:expr, $y:expr) => {
        or_trap!($f($x, $y))
    };
}

/// The result cell of a numeric operator on the operand cells `$x` (and `$y`, for binary
/// ones; it is not evaluated for unary ones), propagating a trap.
macro_rules! num_cell {
    (un $x:expr, $y:expr, $ta:ident -> $tr:ident, $f:path) => {
        <$tr as CellVal>::into_cell($f(<$ta>::from_cell($x)))
    };
    (bin $x:expr, $y:expr, $ta:ident, $tb:ident -> $tr:ident, $f:path) => {
        <$tr as CellVal>::into_cell($f(<$ta>::from_cell($x), <$tb>::from_cell($y)))
    };
    (un_trap $x:expr, $y:expr, $ta:ident -> $tr:ident, $f:path) => {
        <$tr as CellVal>::into_cell(or_trap!($f(<$ta>::from_cell($x))))
    };
    (bin_trap $x:expr, $y:expr, $ta:ident, $tb:ident -> $tr:ident, $f:path) => {
        <$tr as CellVal>::into_cell(or_trap!($f(<$ta>::from_cell($x), <$tb>::from_cell($y))))
    };
}

pub(super) use apply;
pub(super) use num_cell;
