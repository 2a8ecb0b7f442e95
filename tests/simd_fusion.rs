//! The vector memory fusions of `load_operands`: `v128.load` feeding a binary operator
//! (`v128.bin_load`) and that result stored back where it came from (`v128.bin_load_store`).
//! Each must compute and trap exactly as the unfused instructions do, on both backends.

use regwasm::{Config, Dispatch, Engine, Error, Linker, Module, Optimizations, Store, TrapCode};

const WAT: &str = r#"
(module
  (memory (export "mem") 1)
  ;; mem[p] = mem[p] + splat(x): load, add, store to the same address.
  (func (export "update") (param $p i32) (param $x f32)
    (v128.store (local.get $p)
      (f32x4.add (f32x4.splat (local.get $x)) (v128.load (local.get $p)))))
  ;; mem[q] = splat(x) * mem[p] (an operator that does not commute: sub)
  (func (export "sub_into") (param $p i32) (param $q i32) (param $x i32)
    (v128.store (local.get $q)
      (i32x4.sub (i32x4.splat (local.get $x)) (v128.load offset=16 (local.get $p)))))
  ;; mem[q] = splat(x) - mem[p + 16] and mem[q + 16] = mem[p + 32]: the address adds fuse
  ;; (`v128.bin_load_disp`, `v128.load_disp`); `p + 16` wraps to 32 bits before the offset.
  (func (export "sub_disp") (param $p i32) (param $q i32) (param $x i32)
    (v128.store (local.get $q)
      (i32x4.sub (i32x4.splat (local.get $x))
        (v128.load offset=4 (i32.add (local.get $p) (i32.const 16)))))
    (v128.store offset=16 (local.get $q)
      (v128.load (i32.add (local.get $p) (i32.const 32)))))
  ;; mem[q + 48 + 2] = splat(x), from a vector local: `v128.store_disp`.
  (func (export "store_disp") (param $q i32) (param $x i32) (local $v v128)
    (local.set $v (i32x4.splat (local.get $x)))
    (v128.store offset=2 (i32.add (local.get $q) (i32.const 48)) (local.get $v)))
  (func (export "lane") (param $p i32) (result i32)
    (i32.load (local.get $p))))
"#;

struct Run {
    store: Store<()>,
    instance: regwasm::Instance,
}

fn start(dispatch: Dispatch, optimizations: Optimizations) -> (Run, String) {
    let mut config = Config::default();
    config.dispatch(dispatch).optimizations(optimizations);
    let engine = Engine::new(&config);
    let module = Module::new(&engine, WAT).unwrap();
    let code = module.disassemble();
    let mut store = Store::new(&engine, ());
    let instance = Linker::new(&engine)
        .instantiate(&mut store, &module)
        .unwrap();
    (Run { store, instance }, code)
}

impl Run {
    fn update(&mut self, p: i32, x: f32) -> Result<(), Error> {
        let f = (self.instance)
            .get_typed_func::<(i32, f32), ()>(&self.store, "update")
            .unwrap();
        f.call(&mut self.store, (p, x))
    }

    fn sub_into(&mut self, p: i32, q: i32, x: i32) -> Result<(), Error> {
        let f = (self.instance)
            .get_typed_func::<(i32, i32, i32), ()>(&self.store, "sub_into")
            .unwrap();
        f.call(&mut self.store, (p, q, x))
    }

    fn sub_disp(&mut self, p: i32, q: i32, x: i32) -> Result<(), Error> {
        let f = (self.instance)
            .get_typed_func::<(i32, i32, i32), ()>(&self.store, "sub_disp")
            .unwrap();
        f.call(&mut self.store, (p, q, x))
    }

    fn store_disp(&mut self, q: i32, x: i32) -> Result<(), Error> {
        let f = (self.instance)
            .get_typed_func::<(i32, i32), ()>(&self.store, "store_disp")
            .unwrap();
        f.call(&mut self.store, (q, x))
    }

    fn memory(&self) -> Vec<u8> {
        let mem = self.instance.get_memory(&self.store, "mem").unwrap();
        mem.data(&self.store).to_vec()
    }
}

fn trap_code(e: &Error) -> Option<TrapCode> {
    match e {
        Error::Trap(t) => Some(t.code()),
        _ => None,
    }
}

/// Runs the same calls fused and unfused; memory and traps must agree.
fn agree(dispatch: Dispatch) {
    let (mut fused, code) = start(dispatch, Optimizations::default());
    assert!(code.contains("v128.bin_load_store"), "{code}");
    assert!(code.contains("v128.bin_load "), "{code}");
    assert!(code.contains("v128.bin_load_disp"), "{code}");
    assert!(code.contains("v128.load_disp"), "{code}");
    assert!(code.contains("v128.store_disp"), "{code}");
    let (mut plain, code) = start(dispatch, Optimizations::none());
    assert!(!code.contains("bin_load"), "{code}");
    for run in [&mut fused, &mut plain] {
        run.update(64, 1.5).unwrap();
        run.update(64, 2.25).unwrap();
        run.update(65536 - 16, -3.0).unwrap();
        run.sub_into(48, 200, 7).unwrap();
        run.sub_into(65536 - 32, 0, 1).unwrap();
        run.sub_disp(96, 300, 5).unwrap();
        run.sub_disp(65536 - 52, 400, -2).unwrap();
        // `p + 16` and `p + 32` wrap to 0 and 16: in bounds, where adding them to the offset
        // instead would trap.
        run.sub_disp(-16, 500, 9).unwrap();
        run.store_disp(600, 0x0102_0304).unwrap();
        // `q + 48` wraps to 16.
        run.store_disp(-32, 77).unwrap();
        run.store_disp(65536 - 66, -1).unwrap();
    }
    assert_eq!(fused.memory(), plain.memory());
    let bits = f32::from_le_bytes(fused.memory()[64..68].try_into().unwrap());
    assert_eq!(bits, 3.75);
    // Out of bounds (the last byte of the access one past the end, and a wrapping address):
    // both trap, and nothing is written.
    for p in [65536 - 15, -1, 65536] {
        let before = fused.memory();
        let e = fused.update(p, 1.0).unwrap_err();
        assert_eq!(trap_code(&e), Some(TrapCode::MemoryOutOfBounds), "{e}");
        let e2 = plain.update(p, 1.0).unwrap_err();
        assert_eq!(trap_code(&e2), trap_code(&e));
        assert_eq!(fused.memory(), before);
        let e = fused.sub_into(65536 - 31, 0, 1).unwrap_err();
        assert_eq!(trap_code(&e), Some(TrapCode::MemoryOutOfBounds), "{e}");
        // One byte past the end: the first load (p + 16 + 4 + 16 bytes), then the second
        // (p + 32 + 16 bytes) with the first in bounds.
        let before = fused.memory();
        let e = fused.store_disp(65536 - 65, 1).unwrap_err();
        assert_eq!(trap_code(&e), Some(TrapCode::MemoryOutOfBounds), "{e}");
        assert_eq!(fused.memory(), before);
        let e2 = plain.store_disp(65536 - 65, 1).unwrap_err();
        assert_eq!(trap_code(&e2), trap_code(&e));
        for p in [65536 - 35, 65536 - 47] {
            let e = fused.sub_disp(p, 0, 1).unwrap_err();
            assert_eq!(trap_code(&e), Some(TrapCode::MemoryOutOfBounds), "{p}: {e}");
            let e2 = plain.sub_disp(p, 0, 1).unwrap_err();
            assert_eq!(trap_code(&e2), trap_code(&e));
        }
    }
    assert_eq!(fused.memory(), plain.memory());
}

#[test]
fn fused_vector_memory_operations_match_unfused_ones() {
    agree(Dispatch::Loop);
    agree(Dispatch::Threaded);
}
