//! Growing a memory to 4 GiB commits no memory until the guest touches it (linear memories live
//! on reserved address space, see src/runtime/linear.rs). Resident memory is per process, so
//! this file holds a single test: no other test's allocations run beside it.

use regwasm::{Engine, Linker, Module, Store, PAGE_SIZE};

/// The process's resident memory in bytes (`VmRSS` of `/proc/self/status`).
#[cfg(target_os = "linux")]
fn resident_bytes() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let kb = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .expect("VmRSS in /proc/self/status");
    kb.trim()
        .trim_end_matches("kB")
        .trim()
        .parse::<u64>()
        .unwrap()
        * 1024
}

#[test]
fn growing_to_4_gib_commits_nothing_until_touched() {
    let engine = Engine::default();
    let module = Module::new(
        &engine,
        r#"(module
             (memory (export "memory") 1)
             (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
             (func (export "load") (param i32) (result i32) (i32.load8_u (local.get 0)))
             (func (export "load32") (param i32) (result i32) (i32.load (local.get 0)))
             (func (export "store") (param i32 i32) (i32.store8 (local.get 0) (local.get 1))))"#,
    )
    .unwrap();
    let mut store = Store::new(&engine, ());
    let instance = Linker::new(&engine)
        .instantiate(&mut store, &module)
        .unwrap();
    let grow = instance.get_typed_func::<i32, i32>(&store, "grow").unwrap();
    let load = instance.get_typed_func::<i32, i32>(&store, "load").unwrap();
    let load32 = instance
        .get_typed_func::<i32, i32>(&store, "load32")
        .unwrap();
    let store8 = instance
        .get_typed_func::<(i32, i32), ()>(&store, "store")
        .unwrap();
    let memory = instance.get_memory(&store, "memory").unwrap();

    #[cfg(target_os = "linux")]
    let before = resident_bytes();
    assert_eq!(grow.call(&mut store, 65535).unwrap(), 1);
    #[cfg(target_os = "linux")]
    {
        let grew = resident_bytes().saturating_sub(before);
        assert!(
            grew < 20 << 20,
            "growing to 4 GiB made {grew} bytes resident"
        );
    }
    assert_eq!(memory.size(&store), 65536);
    assert_eq!(memory.data(&store).len(), 65536 * PAGE_SIZE);
    // Full: one more page is refused (-1), and the size stays.
    assert_eq!(grow.call(&mut store, 1).unwrap(), -1);
    assert_eq!(memory.size(&store), 65536);

    // The top and bottom bytes, the first byte of every grown page's neighbourhood: zero until
    // written, then what was written, through the guest and through the host API alike.
    let top = (65536 * PAGE_SIZE - 1) as u32;
    for addr in [0, 1, PAGE_SIZE as u32, 1 << 31, top - 1, top] {
        assert_eq!(load.call(&mut store, addr as i32).unwrap(), 0, "at {addr}");
        store8
            .call(&mut store, (addr as i32, (addr % 251) as i32 + 1))
            .unwrap();
        let mut byte = [0];
        memory.read(&store, addr as usize, &mut byte).unwrap();
        assert_eq!(byte[0] as u32, addr % 251 + 1, "at {addr}");
    }
    memory.write(&mut store, top as usize, &[0xab]).unwrap();
    assert_eq!(load.call(&mut store, top as i32).unwrap(), 0xab);
    let mut page = vec![1u8; PAGE_SIZE];
    memory.read(&store, 3 << 30, &mut page).unwrap();
    assert!(page.iter().all(|&b| b == 0));
    // Past the end traps for the guest and fails for the host.
    assert!(load32.call(&mut store, (top - 2) as i32).is_err());
    assert!(memory.write(&mut store, top as usize, &[1, 2]).is_err());
}
