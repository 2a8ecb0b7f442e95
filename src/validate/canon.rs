//! Type canonicalization: two types are the same when their recursion groups are equal with
//! the references inside a group made relative to it (iso-recursive equality, WebAssembly
//! 3.0). Used per module (validation compares type indices through it) and per store (equal
//! types of different modules get one interned id, so `call_indirect` compares integers).

use crate::binary::{ModuleInfo, SubType};
use crate::value::{FuncType, ValType};
use std::collections::HashMap;

/// A group's identity: per type, its function type with every type index made canonical,
/// its declared supertype and finality. References into the group itself are written
/// `IN_GROUP - k`, far above any real id (a module's types fit in its bytes).
pub(crate) type GroupKey = Vec<(FuncType, Option<u32>, bool)>;

/// Where in-group references start, counting down.
const IN_GROUP: u32 = u32::MAX;

/// The declaration of type `i`; a module without the details has groups of one.
pub(crate) fn subtype(info: &ModuleInfo, i: u32) -> SubType {
    info.subtypes.get(i as usize).copied().unwrap_or(SubType {
        is_final: true,
        supertype: None,
        group: (i, 1),
    })
}

/// Assigns every type of `info` its canonical id, group by group: a group equal to one in
/// `known` gets that group's ids (its first id plus the position), a new one
/// `add(key)`'s, which also records it. Returns `None` when a type refers to a type index
/// that is neither earlier nor in its own group.
pub(crate) fn canonical_ids(
    info: &ModuleInfo,
    known: &mut HashMap<GroupKey, u32>,
    mut add: impl FnMut(&GroupKey) -> u32,
) -> Option<Vec<u32>> {
    let mut ids: Vec<u32> = Vec::with_capacity(info.types.len());
    let mut i = 0u32;
    while (i as usize) < info.types.len() {
        let (start, len) = subtype(info, i).group;
        let len = len.max(1);
        let end = start + len;
        let map = |t: u32, ids: &[u32]| -> Option<u32> {
            if t < start {
                ids.get(t as usize).copied()
            } else if t < end {
                Some(IN_GROUP - (t - start))
            } else {
                None
            }
        };
        let mut key = GroupKey::with_capacity(len as usize);
        for k in start..end {
            let ty = info.types.get(k as usize)?;
            let sub = subtype(info, k);
            let mut ok = true;
            let mut conv = |v: &ValType| {
                v.map_index(|t| {
                    map(t, &ids).unwrap_or_else(|| {
                        ok = false;
                        0
                    })
                })
            };
            let params: Vec<ValType> = ty.params().iter().map(&mut conv).collect();
            let results: Vec<ValType> = ty.results().iter().map(&mut conv).collect();
            let supertype = match sub.supertype {
                Some(s) => Some(map(s, &ids)?),
                None => None,
            };
            if !ok {
                return None;
            }
            key.push((FuncType::new(params, results), supertype, sub.is_final));
        }
        let first = match known.get(&key) {
            Some(&first) => first,
            None => {
                let first = add(&key);
                known.insert(key, first);
                first
            }
        };
        ids.extend((0..len).map(|k| first + k));
        i = end;
    }
    Some(ids)
}

/// A group key's type `k` with in-group references resolved to ids starting at `first`.
pub(crate) fn resolve(key: &GroupKey, k: usize, first: u32) -> (FuncType, Option<u32>) {
    let fix = |t: u32| {
        if t > IN_GROUP - key.len() as u32 {
            first + (IN_GROUP - t)
        } else {
            t
        }
    };
    let (ty, sup, _) = &key[k];
    let params: Vec<ValType> = ty.params().iter().map(|v| v.map_index(fix)).collect();
    let results: Vec<ValType> = ty.results().iter().map(|v| v.map_index(fix)).collect();
    (FuncType::new(params, results), sup.map(fix))
}

/// Whether type `from`, or a type it declares as its supertype, directly or through others,
/// is one `is_target` accepts. `supertype` gives a type's declared supertype.
pub(crate) fn reaches(
    from: u32,
    supertype: impl Fn(u32) -> Option<u32>,
    is_target: impl Fn(u32) -> bool,
) -> bool {
    let mut at = Some(from);
    while let Some(k) = at {
        if is_target(k) {
            return true;
        }
        // A supertype always comes before its subtypes, so the walk ends.
        at = supertype(k).filter(|&s| s < k);
    }
    false
}
