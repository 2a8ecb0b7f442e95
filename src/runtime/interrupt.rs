//! Stopping running calls from outside: an interrupt handle for other threads, and per-call
//! deadlines enforced by one shared timer thread. Either sets a flag that interruptible code
//! checks at function entries and loop headers with one relaxed atomic load — no clock is read
//! while Wasm runs.

use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, OnceLock, Weak};
use std::time::Instant;

/// Nothing requested.
pub(crate) const RUN: u32 = 0;
/// `InterruptHandle::interrupt` was called.
pub(crate) const INTERRUPTED: u32 = 1;
/// The deadline of the running call passed.
pub(crate) const DEADLINE: u32 = 2;

/// The flag shared by a store, its interrupt handles and the deadline timer.
#[derive(Debug, Default)]
pub(crate) struct StopFlag {
    pub(crate) state: AtomicU32,
    /// Which call a pending deadline belongs to, so a late timer never stops a later call.
    pub(crate) call: AtomicU64,
}

/// Stops the store's running call (or, if none runs, its next one) from any thread; the call
/// ends resumably with `SuspendReason::Interrupted`, or with `TrapCode::Interrupted` for a
/// plain `Func::call`. Requires `Config::interruptible(true)`.
///
/// ```
/// use regwasm::{Config, Engine, Linker, Module, Store, TrapCode, Error};
/// let mut config = Config::default();
/// config.interruptible(true);
/// let engine = Engine::new(&config);
/// let module = Module::new(&engine, r#"(module (func (export "spin") (loop (br 0))))"#).unwrap();
/// let mut store = Store::new(&engine, ());
/// let instance = Linker::new(&engine).instantiate(&mut store, &module).unwrap();
/// let handle = store.interrupt_handle();
/// std::thread::spawn(move || {
///     std::thread::sleep(std::time::Duration::from_millis(20));
///     handle.interrupt();
/// });
/// let spin = instance.get_typed_func::<(), ()>(&store, "spin").unwrap();
/// match spin.call(&mut store, ()) {
///     Err(Error::Trap(t)) => assert_eq!(t.code(), TrapCode::Interrupted),
///     other => panic!("{other:?}"),
/// }
/// ```
#[derive(Clone, Debug)]
pub struct InterruptHandle {
    pub(crate) flag: Arc<StopFlag>,
}

impl InterruptHandle {
    /// Requests the stop; returns at once.
    pub fn interrupt(&self) {
        self.flag.state.store(INTERRUPTED, Ordering::Relaxed);
    }
}

struct Timer {
    queue: Mutex<Vec<(Instant, Weak<StopFlag>, u64)>>,
    wake: Condvar,
}

/// Arranges for `flag` to be set to [`DEADLINE`] at `at`, if call `call` is still running.
pub(crate) fn schedule(at: Instant, flag: &Arc<StopFlag>, call: u64) {
    static TIMER: OnceLock<Arc<Timer>> = OnceLock::new();
    let timer = TIMER.get_or_init(|| {
        let timer = Arc::new(Timer {
            queue: Mutex::new(Vec::new()),
            wake: Condvar::new(),
        });
        let worker = timer.clone();
        std::thread::Builder::new()
            .name("regwasm-deadlines".into())
            .spawn(move || run_timer(&worker))
            .expect("spawn the deadline timer thread");
        timer
    });
    let mut queue = timer.queue.lock().unwrap_or_else(|e| e.into_inner());
    queue.push((at, Arc::downgrade(flag), call));
    timer.wake.notify_one();
}

fn run_timer(timer: &Timer) {
    let mut queue = timer.queue.lock().unwrap_or_else(|e| e.into_inner());
    loop {
        let now = Instant::now();
        queue.retain(|(at, flag, call)| {
            if *at > now {
                return true;
            }
            if let Some(flag) = flag.upgrade() {
                if flag.call.load(Ordering::Relaxed) == *call {
                    let _ = flag.state.compare_exchange(
                        RUN,
                        DEADLINE,
                        Ordering::Relaxed,
                        Ordering::Relaxed,
                    );
                }
            }
            false
        });
        let next = queue.iter().map(|(at, ..)| *at).min();
        queue = match next {
            Some(at) => {
                let wait = at.saturating_duration_since(Instant::now());
                timer
                    .wake
                    .wait_timeout(queue, wait)
                    .unwrap_or_else(|e| e.into_inner())
                    .0
            }
            None => timer.wake.wait(queue).unwrap_or_else(|e| e.into_inner()),
        };
    }
}
