//! The interpreter's numeric instructions, generated from the operator table
//! ([`crate::ops`]): `dispatch!`, the one `match` of the interpreter loop, with an arm for every
//! form of every numeric operator after the loop's hand-written arms. The generated arms use
//! the loop's register accessors (`get`, `put`, `set`) and `jump`, which they find where
//! `dispatch!` is invoked (`interp.rs`).

use crate::ops::for_each_numeric_op;

/// Defines `dispatch!`, which builds the interpreter's one `match`: the hand-written arms
/// passed to it, followed by an arm for every numeric instruction of the table (plain,
/// immediate and fused compare-and-branch forms). One match means one jump table, so numeric
/// instructions dispatch as directly as the others. (`$d` is a literal `$`, so the generated
/// macro can have metavariables of its own.)
macro_rules! define_dispatch {
    ([$d:tt] $( ($code:expr) $name:ident $mnem:literal $shape:ident
          ($a:ident $(, $b:ident)? -> $r:ident) $f:ident acc $acc:ident
          $(imm $imm:ident $immacc:ident)?
          $(cmp $cimm:ident $br:ident $brimm:ident $cimmacc:ident $bracc:ident $brimmacc:ident)?
          $(step $addbr:ident $addimmbr:ident $sel:ident $selimm:ident $addbracc:ident $addimmbracc:ident)?
          $(mem $mem:ident $memacc:ident)?; )*) => {
        macro_rules! dispatch {
            ($d instr:expr, $d fp:ident, $d ip:ident, $d mem:ident, $d acc:ident, { $d ($d arms:tt)* }) => {
                // Each arm writing a result also leaves it in `acc` (see `put`); the `_acc`
                // forms read their left operand from there.
                // SAFETY (numeric arms): register operands of the current instruction lie
                // inside the current frame (see `get`).
                match $d instr {
                    $d ($d arms)*
                    $(
                        Instr::$name { dst, a, b } => {
                            let _ = b;
                            // SAFETY: operands of this instruction, inside the frame.
                            unsafe {
                                let c = num_cell!($shape get($d fp, a), get($d fp, b), $a $(, $b)? -> $r, numeric::$f);
                                put($d fp, dst, c, &mut $d acc);
                            }
                        }
                        Instr::$acc { dst, b } => {
                            let _ = b;
                            // SAFETY: operands of this instruction, inside the frame.
                            unsafe {
                                let c = num_cell!($shape $d acc, get($d fp, b), $a $(, $b)? -> $r, numeric::$f);
                                put($d fp, dst, c, &mut $d acc);
                            }
                        }
                        $(
                            // SAFETY: operands of this instruction, inside the frame.
                            Instr::$imm { dst, a, imm } => unsafe {
                                let x = <$a>::from_cell(get($d fp, a));
                                put($d fp, dst, <$r as CellVal>::into_cell(apply!($shape numeric::$f, x, imm as $a)), &mut $d acc);
                            }
                            // SAFETY: operands of this instruction, inside the frame.
                            Instr::$immacc { dst, imm } => unsafe {
                                let x = <$a>::from_cell($d acc);
                                put($d fp, dst, <$r as CellVal>::into_cell(apply!($shape numeric::$f, x, imm as $a)), &mut $d acc);
                            }
                        )?
                        $(
                            // SAFETY: operands of this instruction, inside the frame.
                            Instr::$cimm { dst, a, imm } => unsafe {
                                let x = <$a>::from_cell(get($d fp, a));
                                put($d fp, dst, <$r as CellVal>::into_cell(numeric::$f(x, imm as $a)), &mut $d acc);
                            }
                            // SAFETY: operands of this instruction, inside the frame.
                            Instr::$cimmacc { dst, imm } => unsafe {
                                let x = <$a>::from_cell($d acc);
                                put($d fp, dst, <$r as CellVal>::into_cell(numeric::$f(x, imm as $a)), &mut $d acc);
                            }
                            Instr::$br { a, b, offset } => {
                                // SAFETY: operands of this instruction, inside the frame.
                                let (x, y) = unsafe { (<$a>::from_cell(get($d fp, a)), <$a>::from_cell(get($d fp, b))) };
                                if numeric::$f(x, y) != 0 {
                                    $d ip = jump($d ip, offset.0);
                                    continue;
                                }
                            }
                            Instr::$bracc { b, offset } => {
                                // SAFETY: operands of this instruction, inside the frame.
                                let y = unsafe { <$a>::from_cell(get($d fp, b)) };
                                if numeric::$f(<$a>::from_cell($d acc), y) != 0 {
                                    $d ip = jump($d ip, offset.0);
                                    continue;
                                }
                            }
                            Instr::$brimm { a, imm, offset } => {
                                // SAFETY: operands of this instruction, inside the frame.
                                let x = unsafe { <$a>::from_cell(get($d fp, a)) };
                                if numeric::$f(x, imm as $a) != 0 {
                                    $d ip = jump($d ip, offset.0);
                                    continue;
                                }
                            }
                            Instr::$brimmacc { imm, offset } => {
                                if numeric::$f(<$a>::from_cell($d acc), imm as $a) != 0 {
                                    $d ip = jump($d ip, offset.0);
                                    continue;
                                }
                            }
                        )?
                        $(
                            Instr::$addbr { x, step, rhs, offset } => {
                                // SAFETY: operands of this instruction, inside the frame.
                                let v = unsafe { <$a>::from_cell(get($d fp, x)).wrapping_add(<$a>::from_cell(get($d fp, step))) };
                                // SAFETY: as above; `rhs` is read after the write, as the
                                // separate add and branch would (it may be `x`).
                                let y = unsafe { put($d fp, x, v.into_cell(), &mut $d acc); <$a>::from_cell(get($d fp, rhs)) };
                                if numeric::$f(v, y) != 0 {
                                    $d ip = jump($d ip, offset.0);
                                    continue;
                                }
                            }
                            Instr::$addbracc { x, step, rhs, offset } => {
                                // SAFETY: operands of this instruction, inside the frame.
                                let v = unsafe { <$a>::from_cell($d acc).wrapping_add(<$a>::from_cell(get($d fp, step))) };
                                // SAFETY: as above.
                                let y = unsafe { put($d fp, x, v.into_cell(), &mut $d acc); <$a>::from_cell(get($d fp, rhs)) };
                                if numeric::$f(v, y) != 0 {
                                    $d ip = jump($d ip, offset.0);
                                    continue;
                                }
                            }
                            Instr::$sel { dst, a, b, x, y } => {
                                // SAFETY: operands of this instruction, inside the frame.
                                unsafe {
                                    let c = numeric::$f(<$a>::from_cell(get($d fp, a)), <$a>::from_cell(get($d fp, b)));
                                    put($d fp, dst, get($d fp, if c != 0 { x } else { y }), &mut $d acc);
                                }
                            }
                            Instr::$selimm { dst, a, imm, x, y } => {
                                // SAFETY: operands of this instruction, inside the frame.
                                unsafe {
                                    let c = numeric::$f(<$a>::from_cell(get($d fp, a)), imm as $a);
                                    put($d fp, dst, get($d fp, if c != 0 { x } else { y }), &mut $d acc);
                                }
                            }
                            Instr::$addimmbr { x, step, rhs, offset } => {
                                // SAFETY: operands of this instruction, inside the frame.
                                let v = unsafe { <$a>::from_cell(get($d fp, x)).wrapping_add(step as $a) };
                                // SAFETY: as above.
                                let y = unsafe { put($d fp, x, v.into_cell(), &mut $d acc); <$a>::from_cell(get($d fp, rhs)) };
                                if numeric::$f(v, y) != 0 {
                                    $d ip = jump($d ip, offset.0);
                                    continue;
                                }
                            }
                            Instr::$addimmbracc { x, step, rhs, offset } => {
                                let v = <$a>::from_cell($d acc).wrapping_add(step as $a);
                                // SAFETY: operands of this instruction, inside the frame.
                                let y = unsafe { put($d fp, x, v.into_cell(), &mut $d acc); <$a>::from_cell(get($d fp, rhs)) };
                                if numeric::$f(v, y) != 0 {
                                    $d ip = jump($d ip, offset.0);
                                    continue;
                                }
                            }
                        )?
                        $(
                            Instr::$mem { dst, a, addr, offset } => {
                                // SAFETY: operands of this instruction, inside the frame.
                                let (x, at) = unsafe { (<$a>::from_cell(get($d fp, a)), get($d fp, addr)) };
                                let y = <$a>::from_le_bytes($d mem.load::<{ std::mem::size_of::<$a>() }>(at, offset)?);
                                // SAFETY: as above.
                                unsafe { put($d fp, dst, <$r as CellVal>::into_cell(apply!($shape numeric::$f, x, y)), &mut $d acc) };
                            }
                            Instr::$memacc { dst, addr, offset } => {
                                // SAFETY: operands of this instruction, inside the frame.
                                let at = unsafe { get($d fp, addr) };
                                let x = <$a>::from_cell($d acc);
                                let y = <$a>::from_le_bytes($d mem.load::<{ std::mem::size_of::<$a>() }>(at, offset)?);
                                // SAFETY: as above.
                                unsafe { put($d fp, dst, <$r as CellVal>::into_cell(apply!($shape numeric::$f, x, y)), &mut $d acc) };
                            }
                        )?
                    )*
                }
            };
        }
    };
}

/// Calls a binary operator's semantic function, propagating its trap if it has one.
macro_rules! apply {
    (bin $f:path, $x:expr, $y:expr) => {
        $f($x, $y)
    };
    (bin_trap $f:path, $x:expr, $y:expr) => {
        $f($x, $y)?
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
        <$tr as CellVal>::into_cell($f(<$ta>::from_cell($x))?)
    };
    (bin_trap $x:expr, $y:expr, $ta:ident, $tb:ident -> $tr:ident, $f:path) => {
        <$tr as CellVal>::into_cell($f(<$ta>::from_cell($x), <$tb>::from_cell($y))?)
    };
}

for_each_numeric_op!(define_dispatch, $);
