//! Execution profile: executed bytecode instructions counted by kind, by pair of consecutive
//! kinds (candidates for a fused instruction) and by function. The
//! interpreter only fills it when built with the `profile` feature; see [`Store::profile`].
//!
//! [`Store::profile`]: crate::Store::profile

use crate::bytecode::Instr;
use crate::runtime::Func;

/// What one function did during a profile.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FuncProfile {
    /// Bytecode instructions executed in the function's own frames (not its callees').
    pub instrs: u64,
    /// Times the function was entered (host functions included).
    pub calls: u64,
}

/// Counts of executed bytecode instructions, by instruction kind and by function.
#[derive(Clone, Debug)]
pub struct Profile {
    /// Indexed by [`Instr::index`].
    by_instr: Vec<u64>,
    /// Indexed by the function's place in the store.
    by_func: Vec<FuncProfile>,
    /// Indexed by `first * Instr::COUNT + second` for two instructions executed one after the
    /// other (across calls and returns too).
    by_pair: Vec<u64>,
    /// The kind of the last instruction counted.
    #[cfg_attr(not(feature = "profile"), allow(dead_code))]
    last: usize,
}

impl Default for Profile {
    fn default() -> Self {
        Self {
            by_instr: vec![0; Instr::COUNT],
            by_func: Vec::new(),
            by_pair: vec![0; Instr::COUNT * Instr::COUNT],
            last: 0,
        }
    }
}

impl Profile {
    /// Instructions executed in all.
    pub fn total(&self) -> u64 {
        self.by_instr.iter().sum()
    }

    /// Times instructions with this mnemonic (e.g. `"i32.add_imm"`) were executed.
    pub fn count(&self, mnemonic: &str) -> u64 {
        Instr::MNEMONICS
            .iter()
            .position(|m| *m == mnemonic)
            .map_or(0, |i| self.by_instr[i])
    }

    /// Every executed mnemonic with its count, most executed first.
    pub fn by_mnemonic(&self) -> Vec<(&'static str, u64)> {
        let mut v: Vec<_> = Instr::MNEMONICS
            .iter()
            .zip(&self.by_instr)
            .filter(|(_, &n)| n > 0)
            .map(|(m, &n)| (*m, n))
            .collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        v
    }

    /// Every pair of instructions executed one right after the other, by mnemonic, most
    /// frequent first: where a fused instruction would save the most dispatches.
    pub fn by_pair(&self) -> Vec<((&'static str, &'static str), u64)> {
        let n = Instr::COUNT;
        let mut v: Vec<_> = (0..n * n)
            .filter(|&i| self.by_pair[i] > 0)
            .map(|i| {
                (
                    (Instr::MNEMONICS[i / n], Instr::MNEMONICS[i % n]),
                    self.by_pair[i],
                )
            })
            .collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        v
    }

    /// What `func` did.
    pub fn function(&self, func: Func) -> FuncProfile {
        self.by_func
            .get(func.0 as usize)
            .copied()
            .unwrap_or_default()
    }

    /// Every function entered or executed, most instructions first.
    pub fn by_function(&self) -> Vec<(Func, FuncProfile)> {
        let mut v: Vec<_> = (0u32..)
            .zip(&self.by_func)
            .filter(|(_, p)| p.instrs > 0 || p.calls > 0)
            .map(|(i, p)| (Func(i), *p))
            .collect();
        v.sort_by(|a, b| b.1.instrs.cmp(&a.1.instrs).then(a.0 .0.cmp(&b.0 .0)));
        v
    }

    /// Forgets every count.
    pub fn clear(&mut self) {
        *self = Self::default();
    }

    /// Counts one executed instruction of kind `index` in function `func` (already entered).
    #[cfg(feature = "profile")]
    #[inline(always)]
    pub(crate) fn count_instr(&mut self, index: usize, func: u32) {
        self.by_instr[index] += 1;
        self.by_pair[self.last * Instr::COUNT + index] += 1;
        self.last = index;
        self.by_func[func as usize].instrs += 1;
    }

    /// Counts a call of `func`.
    #[cfg(feature = "profile")]
    pub(crate) fn enter(&mut self, func: u32) {
        let i = func as usize;
        if i >= self.by_func.len() {
            self.by_func.resize(i + 1, FuncProfile::default());
        }
        self.by_func[i].calls += 1;
    }
}
