//! The interpreter loop. Each arm is one instruction; larger handlers live in sibling modules.

use super::{bulk, call_host, memory as mem, Frame, Stack};
use crate::bytecode::{CompiledFunc, Instr, Reg};
use crate::error::{Trap, TrapCode};
use crate::numeric::{self, CellVal};
use crate::ops::for_each_numeric_op;
use crate::runtime::{FuncEntity, Store};
use crate::value::Cell;
use std::sync::Arc;

macro_rules! define_exec_numeric {
    ([] $( ($code:expr) $name:ident $mnem:literal $shape:ident
          ($a:ident $(, $b:ident)? -> $r:ident) $f:ident; )*) => {
        /// Runs a numeric instruction; `false` if `instr` is not numeric.
        #[inline(always)]
        fn exec_numeric(instr: Instr, regs: &mut [Cell], base: usize) -> Result<bool, TrapCode> {
            match instr {
                $( Instr::$name { dst, a, b } => {
                    let _ = b;
                    num_body!($shape regs, base, dst, a, b, $a $(, $b)? -> $r, numeric::$f);
                } )*
                _ => return Ok(false),
            }
            Ok(true)
        }
    };
}

macro_rules! num_body {
    (un $regs:ident, $base:ident, $dst:ident, $a:ident, $b:ident, $ta:ident -> $tr:ident, $f:path) => {{
        let x = <$ta>::from_cell($regs[$base + $a.0 as usize]);
        $regs[$base + $dst.0 as usize] = <$tr as CellVal>::into_cell($f(x));
    }};
    (bin $regs:ident, $base:ident, $dst:ident, $a:ident, $b:ident, $ta:ident, $tb:ident -> $tr:ident, $f:path) => {{
        let x = <$ta>::from_cell($regs[$base + $a.0 as usize]);
        let y = <$tb>::from_cell($regs[$base + $b.0 as usize]);
        $regs[$base + $dst.0 as usize] = <$tr as CellVal>::into_cell($f(x, y));
    }};
    (un_trap $regs:ident, $base:ident, $dst:ident, $a:ident, $b:ident, $ta:ident -> $tr:ident, $f:path) => {{
        let x = <$ta>::from_cell($regs[$base + $a.0 as usize]);
        $regs[$base + $dst.0 as usize] = <$tr as CellVal>::into_cell($f(x)?);
    }};
    (bin_trap $regs:ident, $base:ident, $dst:ident, $a:ident, $b:ident, $ta:ident, $tb:ident -> $tr:ident, $f:path) => {{
        let x = <$ta>::from_cell($regs[$base + $a.0 as usize]);
        let y = <$tb>::from_cell($regs[$base + $b.0 as usize]);
        $regs[$base + $dst.0 as usize] = <$tr as CellVal>::into_cell($f(x, y)?);
    }};
}

for_each_numeric_op!(define_exec_numeric);

/// Enters function `addr` with its frame at register `args`: pushes a frame for a Wasm callee,
/// or runs a host function in place.
macro_rules! call {
    ($store:ident, $stack:ident, $addr:expr, $args:expr, $code:ident, $ip:ident, $base:ident,
     $instance:ident, $memory:ident) => {{
        match &$store.funcs[$addr as usize] {
            FuncEntity::Wasm {
                code: callee,
                instance: callee_instance,
                ..
            } => {
                if $stack.frames.len() >= $stack.max_frames
                    || $args + callee.num_regs as usize > $stack.regs.len()
                {
                    return Err(TrapCode::StackOverflow.into());
                }
                let callee = callee.clone();
                let callee_instance = *callee_instance;
                zero_locals(&mut $stack.regs, $args, &callee);
                let caller = std::mem::replace(&mut $code, callee);
                $stack.frames.push(Frame {
                    code: caller,
                    ip: $ip + 1,
                    base: $base,
                    instance: $instance,
                });
                $ip = 0;
                $base = $args;
                if callee_instance != $instance {
                    $instance = callee_instance;
                    $memory = default_memory($store, $instance);
                }
            }
            FuncEntity::Host { .. } => {
                call_host($store, &mut $stack.regs, $args, $addr, $instance)?;
                $ip += 1;
            }
        }
    }};
}

/// Runs `code` (already set up at register base 0 with its arguments) until it returns.
pub(super) fn execute<T>(
    store: &mut Store<T>,
    stack: &mut Stack,
    mut code: Arc<CompiledFunc>,
    mut instance: u32,
) -> Result<(), Trap> {
    let mut ip = 0usize;
    let mut base = 0usize;
    let mut memory = default_memory(store, instance);
    let entry_depth = stack.frames.len();
    zero_locals(&mut stack.regs, base, &code);

    macro_rules! r {
        ($reg:expr) => {
            stack.regs[base + ($reg).0 as usize]
        };
    }
    macro_rules! load {
        ($dst:expr, $addr:expr, $offset:expr, $n:literal, $conv:expr) => {{
            let bytes = mem::load::<$n>(&store.memories[memory].data, r!($addr), $offset)?;
            r!($dst) = $conv(bytes);
        }};
    }
    macro_rules! store_mem {
        ($addr:expr, $src:expr, $offset:expr, $bytes:expr) => {{
            let value = r!($src);
            mem::store(
                &mut store.memories[memory].data,
                r!($addr),
                $offset,
                &$bytes(value),
            )?;
        }};
    }

    loop {
        let instr = code.code[ip];
        match instr {
            Instr::Trap { code } => return Err(code.into()),
            Instr::Copy { dst, src } => r!(dst) = r!(src),
            Instr::Const32 { dst, value } => r!(dst) = value as Cell,
            Instr::Const64 { dst, lo, hi } => r!(dst) = (hi as Cell) << 32 | lo as Cell,
            Instr::Br { offset } => {
                ip = jump(ip, offset.0);
                continue;
            }
            Instr::BrIfNez { cond, offset } => {
                if r!(cond) as u32 != 0 {
                    ip = jump(ip, offset.0);
                    continue;
                }
            }
            Instr::BrIfEqz { cond, offset } => {
                if r!(cond) as u32 == 0 {
                    ip = jump(ip, offset.0);
                    continue;
                }
            }
            Instr::BrTable { index, len } => {
                ip += 1 + (r!(index) as u32).min(len) as usize;
                continue;
            }
            Instr::Return {} => {
                if stack.frames.len() == entry_depth {
                    return Ok(());
                }
                let frame = stack.frames.pop().expect("frame below entry depth");
                code = frame.code;
                ip = frame.ip;
                base = frame.base;
                if frame.instance != instance {
                    instance = frame.instance;
                    memory = default_memory(store, instance);
                }
                continue;
            }
            Instr::Call { func, args } => {
                let addr = store.instances[instance as usize].funcs[func as usize];
                let args = base + args.0 as usize;
                call!(store, stack, addr, args, code, ip, base, instance, memory);
                continue;
            }
            Instr::CallIndirect {
                type_index,
                table,
                index,
                args,
            } => {
                let inst = &store.instances[instance as usize];
                let table = &store.tables[inst.tables[table as usize] as usize];
                let cell = *table
                    .elems
                    .get(r!(index) as u32 as usize)
                    .ok_or(TrapCode::UndefinedElement)?;
                if cell == 0 {
                    return Err(TrapCode::UninitializedElement.into());
                }
                let addr = (cell - 1) as u32;
                if store.funcs[addr as usize].ty() != inst.types[type_index as usize] {
                    return Err(TrapCode::IndirectCallTypeMismatch.into());
                }
                let args = base + args.0 as usize;
                call!(store, stack, addr, args, code, ip, base, instance, memory);
                continue;
            }
            Instr::Select { dst, cond, a, b } => {
                r!(dst) = if r!(cond) as u32 != 0 { r!(a) } else { r!(b) }
            }
            Instr::GlobalGet { dst, global } => {
                let g = store.instances[instance as usize].globals[global as usize];
                r!(dst) = store.globals[g as usize].value;
            }
            Instr::GlobalSet { src, global } => {
                let g = store.instances[instance as usize].globals[global as usize];
                store.globals[g as usize].value = r!(src);
            }
            Instr::I32Load { dst, addr, offset } => {
                load!(dst, addr, offset, 4, |b| u32::from_le_bytes(b) as Cell)
            }
            Instr::I64Load { dst, addr, offset } => load!(dst, addr, offset, 8, u64::from_le_bytes),
            Instr::F32Load { dst, addr, offset } => {
                load!(dst, addr, offset, 4, |b| u32::from_le_bytes(b) as Cell)
            }
            Instr::F64Load { dst, addr, offset } => load!(dst, addr, offset, 8, u64::from_le_bytes),
            Instr::I32Load8S { dst, addr, offset } => {
                load!(dst, addr, offset, 1, |b| i8::from_le_bytes(b) as i32 as u32
                    as Cell)
            }
            Instr::I32Load8U { dst, addr, offset } => {
                load!(dst, addr, offset, 1, |b| u8::from_le_bytes(b) as Cell)
            }
            Instr::I32Load16S { dst, addr, offset } => {
                load!(
                    dst,
                    addr,
                    offset,
                    2,
                    |b| i16::from_le_bytes(b) as i32 as u32 as Cell
                )
            }
            Instr::I32Load16U { dst, addr, offset } => {
                load!(dst, addr, offset, 2, |b| u16::from_le_bytes(b) as Cell)
            }
            Instr::I64Load8S { dst, addr, offset } => {
                load!(dst, addr, offset, 1, |b| i8::from_le_bytes(b) as i64
                    as Cell)
            }
            Instr::I64Load8U { dst, addr, offset } => {
                load!(dst, addr, offset, 1, |b| u8::from_le_bytes(b) as Cell)
            }
            Instr::I64Load16S { dst, addr, offset } => {
                load!(dst, addr, offset, 2, |b| i16::from_le_bytes(b) as i64
                    as Cell)
            }
            Instr::I64Load16U { dst, addr, offset } => {
                load!(dst, addr, offset, 2, |b| u16::from_le_bytes(b) as Cell)
            }
            Instr::I64Load32S { dst, addr, offset } => {
                load!(dst, addr, offset, 4, |b| i32::from_le_bytes(b) as i64
                    as Cell)
            }
            Instr::I64Load32U { dst, addr, offset } => {
                load!(dst, addr, offset, 4, |b| u32::from_le_bytes(b) as Cell)
            }
            Instr::I32Store { addr, src, offset } | Instr::F32Store { addr, src, offset } => {
                store_mem!(addr, src, offset, |v: Cell| (v as u32).to_le_bytes())
            }
            Instr::I64Store { addr, src, offset } | Instr::F64Store { addr, src, offset } => {
                store_mem!(addr, src, offset, |v: Cell| v.to_le_bytes())
            }
            Instr::I32Store8 { addr, src, offset } | Instr::I64Store8 { addr, src, offset } => {
                store_mem!(addr, src, offset, |v: Cell| (v as u8).to_le_bytes())
            }
            Instr::I32Store16 { addr, src, offset } | Instr::I64Store16 { addr, src, offset } => {
                store_mem!(addr, src, offset, |v: Cell| (v as u16).to_le_bytes())
            }
            Instr::I64Store32 { addr, src, offset } => {
                store_mem!(addr, src, offset, |v: Cell| (v as u32).to_le_bytes())
            }
            Instr::MemorySize { dst } => r!(dst) = store.memories[memory].pages() as Cell,
            Instr::MemoryGrow { dst, delta } => {
                let delta = r!(delta) as u32;
                r!(dst) = store.memories[memory].grow(delta).unwrap_or(u32::MAX) as Cell;
            }
            Instr::MemoryInit { args, data } => {
                let (d, s, n) = three(&stack.regs, base, args);
                let seg = store.instances[instance as usize].datas[data as usize];
                bulk::memory_init(store, memory, seg as usize, d, s, n)?;
            }
            Instr::DataDrop { data } => {
                let seg = store.instances[instance as usize].datas[data as usize];
                store.datas[seg as usize] = Vec::new();
            }
            Instr::MemoryCopy { args } => {
                let (d, s, n) = three(&stack.regs, base, args);
                mem::copy(&mut store.memories[memory].data, d, s, n)?;
            }
            Instr::MemoryFill { args } => {
                let (d, v, n) = three(&stack.regs, base, args);
                mem::fill(&mut store.memories[memory].data, d, v as u8, n)?;
            }
            Instr::TableGet { dst, index, table } => {
                let t = table_addr(store, instance, table);
                let i = r!(index) as u32 as usize;
                r!(dst) = *store.tables[t]
                    .elems
                    .get(i)
                    .ok_or(TrapCode::TableOutOfBounds)?;
            }
            Instr::TableSet {
                index,
                value,
                table,
            } => {
                let t = table_addr(store, instance, table);
                let i = r!(index) as u32 as usize;
                let v = r!(value);
                *store.tables[t]
                    .elems
                    .get_mut(i)
                    .ok_or(TrapCode::TableOutOfBounds)? = v;
            }
            Instr::TableSize { dst, table } => {
                let t = table_addr(store, instance, table);
                r!(dst) = store.tables[t].size() as Cell;
            }
            Instr::TableGrow { args, table } => {
                let t = table_addr(store, instance, table);
                let init = r!(args);
                let delta = r!(Reg(args.0 + 1)) as u32;
                r!(args) = store.tables[t].grow(delta, init).unwrap_or(u32::MAX) as Cell;
            }
            Instr::TableFill { args, table } => {
                let t = table_addr(store, instance, table);
                let (i, v, n) = (
                    r!(args) as u32,
                    r!(Reg(args.0 + 1)),
                    r!(Reg(args.0 + 2)) as u32,
                );
                bulk::table_fill(&mut store.tables[t].elems, i, v, n)?;
            }
            Instr::TableCopy {
                args,
                dst_table,
                src_table,
            } => {
                let (d, s, n) = three(&stack.regs, base, args);
                let dt = table_addr(store, instance, dst_table as u32);
                let st = table_addr(store, instance, src_table as u32);
                bulk::table_copy(store, dt, st, d, s, n)?;
            }
            Instr::TableInit { args, table, elem } => {
                let (d, s, n) = three(&stack.regs, base, args);
                let t = table_addr(store, instance, table as u32);
                let seg = store.instances[instance as usize].elems[elem as usize];
                bulk::table_init(store, t, seg as usize, d, s, n)?;
            }
            Instr::ElemDrop { elem } => {
                let seg = store.instances[instance as usize].elems[elem as usize];
                store.elems[seg as usize] = Vec::new();
            }
            Instr::RefFunc { dst, func } => {
                r!(dst) = store.instances[instance as usize].funcs[func as usize] as Cell + 1;
            }
            other => {
                let handled = exec_numeric(other, &mut stack.regs, base)?;
                debug_assert!(handled, "unhandled instruction {other:?}");
            }
        }
        ip += 1;
    }
}

/// Clears the non-parameter locals of a new frame (Wasm locals start at zero).
#[inline(always)]
fn zero_locals(regs: &mut [Cell], base: usize, code: &CompiledFunc) {
    regs[base + code.num_params as usize..base + code.num_locals as usize].fill(0);
}

#[inline(always)]
fn jump(ip: usize, offset: i32) -> usize {
    (ip as isize + offset as isize) as usize
}

/// Store index of the instance's memory 0, or `usize::MAX` if it has none (then no memory
/// instruction passed validation).
fn default_memory<T>(store: &Store<T>, instance: u32) -> usize {
    store.instances[instance as usize]
        .memories
        .first()
        .map_or(usize::MAX, |&m| m as usize)
}

fn table_addr<T>(store: &Store<T>, instance: u32, table: u32) -> usize {
    store.instances[instance as usize].tables[table as usize] as usize
}

/// Three consecutive i32 operands starting at register `args`.
fn three(regs: &[Cell], base: usize, args: Reg) -> (u32, u32, u32) {
    let at = base + args.0 as usize;
    (regs[at] as u32, regs[at + 1] as u32, regs[at + 2] as u32)
}
