//! One key's values split into groups the state passes through in one stretch, and the order those
//! stretches must come in: the pruning that makes one-key histories with many threads cheap.
//!
//! A one-key history is a register whose writes mostly say what they overwrote (insert and remove
//! return the previous value). Join two values when an operation that observed one wrote the
//! other. The state can only move into such a connected set from outside it through an *entry*:
//! an insert of one of its values that observed the key absent, a write whose result says nothing
//! (pending, or unobserved), or the initial contents. A set with exactly one entry is a *group*
//! (with unique values, nearly every set is), and has this property in every sequence of
//! operations the one-key model accepts:
//!
//! **The state is in the group during one contiguous stretch, begun by its entry.** The entry is
//! linearized at most once, and nothing else moves the state into the group.
//!
//! So the completed operations that observed one of the group's values (its *members*, with the
//! entry) all lie in that stretch, and two groups' stretches do not overlap. If a member of A
//! returned before a member of B was invoked, the first is linearized before the second, so A's
//! whole stretch comes before B's: B's entry cannot be linearized until every member of A is (the
//! entry gate, [`Progress::may_enter`]). Once the state has left a group it never comes back, so a
//! member left behind can never be linearized (the exit check, [`Progress::left_behind`]). Both
//! only discard configurations that have no linearization, so the verdict is unchanged; this is
//! the split by value of Horn and Kroening's P-compositionality, applied inside the search rather
//! than as separate partitions because the stretches' order is not known in advance, and it is
//! the zone order of Gibbons and Korach's register algorithm ("Testing shared memories", SIAM J.
//! Comput. 26(4), 1997) where values are unique. What it can hide is the deepest *partial*
//! sequence inside a discarded configuration, so the longest prefix of a small partition is
//! searched for without it (`mod.rs`).
//!
//! The same reasoning finds some violations before any search ([`contradiction`]): a value read
//! before its only write was invoked or after the write that replaced it returned, and two groups
//! (or a group and a read of the key absent) that must each come before the other.

use super::Entry;
use crate::history::{added, Op, Ret};
use crate::structure::Value;
use rustc_hash::FxHashMap;
use std::collections::BTreeSet;

/// No group.
pub(super) const NONE: u32 = u32::MAX;

/// The groups of one one-key partition, with what each operation is to them. Operations are named
/// by their position in the partition's slice.
#[derive(Debug, Default)]
pub(super) struct Groups {
    /// The group an operation must be linearized inside of: a completed operation that observed
    /// one of its values, or its entry when it must be linearized (completed, or pending in a group
    /// that has completed members).
    member: Vec<u32>,
    /// The group an operation is the only entry of.
    enters: Vec<u32>,
    /// The group of the value an insert writes (an insert of a value in no group, a remove, a
    /// clear or a read: `NONE`).
    writes: Vec<u32>,
    /// The group the initial state is in.
    initial: u32,
    /// Per group: the earliest return of a completed member (`u64::MAX` when none) and the latest
    /// invocation of any member.
    min_ret: Vec<u64>,
    max_invoke: Vec<u64>,
    /// Per group: how many members must be linearized.
    need: Vec<u32>,
    /// Whether the partition has no linearization, found without searching ([`contradiction`]).
    pub(super) contradiction: bool,
}

/// What a write does to the key when it is linearized.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Write {
    /// Nothing: a read, or a conditional write whose result says it did not write.
    Nothing,
    /// Puts this value.
    Value(Value),
    /// Removes the key.
    Absent,
    /// Puts this value, or nothing (a get-or-insert or compare-and-swap whose result is not known).
    MaybeValue(Value),
    /// Removes the key, or nothing (a compare-and-delete or remove-if whose result is not known).
    MaybeAbsent,
    /// Puts a value not known in advance (an update whose result is not known): the partition's
    /// values cannot be grouped.
    Unknown,
}

/// What an operation is to the groups: the state it must be linearized at, when its result says
/// (`Some(None)` for absent), and what it writes.
///
/// A conditional write with a known result is the plain operation its result says it was: a
/// get-or-insert that found a value is a read of it, one that found none an insert that found the
/// key absent; a compare-and-swap that swapped an insert of `new` that found `old`; one that
/// failed a read of a state that is not known (the key held some other value, or none), and so is
/// a compare-and-delete that failed or a remove-if that removed nothing; an update an insert of
/// what it computed from what it found.
fn effect(e: &Entry) -> (Option<Option<Value>>, Write) {
    let seen = match &e.ret {
        Some(Ret::Value(v)) => Some(*v),
        _ => None,
    };
    match (e.op, &e.ret) {
        (Op::Insert { value, .. }, _) => (seen, Write::Value(value)),
        (Op::Remove { .. }, _) => (seen, Write::Absent),
        (Op::Get { .. }, _) => (seen, Write::Nothing),
        (Op::Clear, _) => (None, Write::Absent),
        (Op::GetOrInsert { value, .. }, Some(Ret::Value(v))) => match v {
            Some(_) => (seen, Write::Nothing),
            None => (seen, Write::Value(value)),
        },
        (Op::GetOrInsert { value, .. }, _) => (None, Write::MaybeValue(value)),
        (Op::CompareAndSwap { old, new, .. }, Some(Ret::Bool(true))) => (Some(Some(old)), Write::Value(new)),
        (Op::CompareAndDelete { old, .. }, Some(Ret::Bool(true))) => (Some(Some(old)), Write::Absent),
        (Op::CompareAndSwap { .. } | Op::CompareAndDelete { .. }, Some(Ret::Bool(false))) => {
            (None, Write::Nothing)
        }
        (Op::CompareAndSwap { new, .. }, _) => (None, Write::MaybeValue(new)),
        (Op::CompareAndDelete { .. }, _) => (None, Write::MaybeAbsent),
        (Op::RemoveIf { .. }, Some(Ret::Value(Some(v)))) => (Some(Some(*v)), Write::Absent),
        (Op::RemoveIf { .. }, Some(Ret::Value(None))) => (None, Write::Nothing),
        (Op::RemoveIf { .. }, _) => (None, Write::MaybeAbsent),
        (Op::Update { add, insert, .. }, Some(Ret::Value(v))) => match (v, insert) {
            (Some(v), _) => (seen, Write::Value(added(*v, add))),
            (None, Some(i)) => (seen, Write::Value(i)),
            (None, None) => (seen, Write::Nothing),
        },
        (Op::Update { .. }, _) => (None, Write::Unknown),
        _ => (None, Write::Nothing),
    }
}

/// The state an operation must be linearized at, when its result says.
fn observed(e: &Entry) -> Option<Option<Value>> {
    effect(e).0
}

/// The value an operation puts when it writes one, for certain or not.
fn written(e: &Entry) -> Option<Value> {
    match effect(e).1 {
        Write::Value(v) | Write::MaybeValue(v) => Some(v),
        _ => None,
    }
}

/// Whether an operation may put its value or do nothing (its result is not known), and must be
/// linearized (it completed): such an entry to a group is not gated (it may be linearized as a
/// read while another group's stretch goes on), nor a member.
fn ungated(e: &Entry) -> bool {
    e.ret.is_some() && matches!(effect(e).1, Write::MaybeValue(_))
}

/// Union-find over value indices.
fn root(parent: &mut [usize], mut x: usize) -> usize {
    while parent[x] != x {
        parent[x] = parent[parent[x]];
        x = parent[x];
    }
    x
}

impl Groups {
    /// The groups of a one-key partition `entries` starting from `init`.
    pub(super) fn new(entries: &[&Entry], init: Option<Value>) -> Groups {
        // An update whose result is not known may put any value: no set of values is entered
        // through known writes only.
        if entries.iter().any(|e| effect(e).1 == Write::Unknown) {
            return Groups::default();
        }
        let mut index: FxHashMap<Value, usize> = FxHashMap::default();
        let values = entries
            .iter()
            .flat_map(|e| [observed(e).flatten(), written(e)])
            .chain([init]);
        for v in values.flatten() {
            let n = index.len();
            index.entry(v).or_insert(n);
        }
        let mut parent: Vec<usize> = (0..index.len()).collect();
        for e in entries {
            if let (Some(Some(from)), Some(to)) = (observed(e), written(e)) {
                let (a, b) = (root(&mut parent, index[&from]), root(&mut parent, index[&to]));
                parent[a] = b;
            }
        }
        // Entries per root: an insert that observed the key absent or observed nothing, and the
        // initial contents. An insert that observed a value is inside its value's group already.
        let mut entry_count = vec![0u32; index.len()];
        for e in entries {
            if let (Some(None) | None, Some(to)) = (observed(e), written(e)) {
                entry_count[root(&mut parent, index[&to])] += 1;
            }
        }
        if let Some(v) = init {
            entry_count[root(&mut parent, index[&v])] += 1;
        }
        // Groups are the roots with exactly one entry.
        let mut group_of_root = vec![NONE; index.len()];
        let mut g = Groups {
            member: vec![NONE; entries.len()],
            enters: vec![NONE; entries.len()],
            writes: vec![NONE; entries.len()],
            initial: NONE,
            ..Groups::default()
        };
        for r in 0..index.len() {
            if root(&mut parent, r) == r && entry_count[r] == 1 {
                group_of_root[r] = g.need.len() as u32;
                g.need.push(0);
                g.min_ret.push(u64::MAX);
                g.max_invoke.push(0);
            }
        }
        let mut group = |v: Value| group_of_root[root(&mut parent, index[&v])];
        let mut entry_ops = Vec::new();
        // Per group: its completed exits (removes that observed one of its values), and the
        // latest return among them.
        let mut exits = vec![(0u32, 0u64); g.need.len()];
        for (i, e) in entries.iter().enumerate() {
            if let (Some(Some(v)), Write::Absent) = effect(e) {
                if group(v) != NONE {
                    let x = &mut exits[group(v) as usize];
                    *x = (x.0 + 1, x.1.max(e.ret_at));
                }
            }
            if let Some(to) = written(e) {
                g.writes[i] = group(to);
            }
            let x = match (observed(e), written(e)) {
                (Some(Some(v)), _) => group(v),
                // An entry that may do nothing is counted as an entry (the group has no other), but
                // the search neither gates it nor needs it.
                _ if ungated(e) => NONE,
                (Some(None) | None, Some(to)) if group(to) != NONE => {
                    g.enters[i] = group(to);
                    entry_ops.push(i);
                    continue;
                }
                _ => NONE,
            };
            if x != NONE {
                g.member[i] = x;
                g.need[x as usize] += 1;
                g.min_ret[x as usize] = g.min_ret[x as usize].min(e.ret_at);
                g.max_invoke[x as usize] = g.max_invoke[x as usize].max(e.invoke);
            }
        }
        if let Some(v) = init {
            g.initial = group(v);
        }
        // An entry is a member when it must be linearized: it completed, or its group has
        // completed members (which can only be linearized after it).
        for i in entry_ops {
            let (x, e) = (g.enters[i] as usize, entries[i]);
            g.max_invoke[x] = g.max_invoke[x].max(e.invoke);
            if e.ret.is_some() || g.need[x] > 0 {
                g.member[i] = x as u32;
                g.need[x] += 1;
                g.min_ret[x] = g.min_ret[x].min(e.ret_at);
            }
        }
        // An exit leaves its group for good, so it is the group's last member: two exits, or one
        // that returned before another member was invoked, cannot be ordered.
        let exit_too_early = exits
            .iter()
            .zip(&g.max_invoke)
            .any(|(&(n, ret), &invoked)| n > 1 || (n == 1 && ret < invoked));
        g.contradiction = exit_too_early || contradiction(entries, init, &index, &g);
        g
    }

    /// Whether the partition has a group: when it has none, the search needs no [`Progress`].
    pub(super) fn any(&self) -> bool {
        !self.need.is_empty()
    }
}

/// Whether the partition has no linearization, by three checks that need no search (each is a
/// consequence every linearization would have to satisfy):
///
/// - A completed operation observed a value that nothing writes and the key did not start with.
/// - For a value with one source (one insert writes it, or it is the initial value and no insert
///   writes it): everything that observed it is linearized after the source, and before the
///   operation that replaced it (a completed insert of another value or remove that observed it),
///   since after that it never comes back; so there is at most one such replacement, no observer
///   returned before the source was invoked, and the replacement did not return before an observer
///   was invoked. (The stale read: a get that returns a value overwritten before it began.)
/// - Units that must not overlap: each group with a completed member, and each completed get or
///   remove that observed the key absent (linearized outside every group's stretch). If a unit's
///   member returned before another's was invoked, the first unit comes first; two units that must
///   each come first cannot be ordered.
fn contradiction(
    entries: &[&Entry],
    init: Option<Value>,
    index: &FxHashMap<Value, usize>,
    g: &Groups,
) -> bool {
    #[derive(Clone)]
    struct Seen {
        sources: u32,
        source_invoke: u64,
        /// Over the completed operations that observed the value.
        min_ret: u64,
        max_invoke: u64,
        replacements: u32,
        replaced_at: u64,
    }
    let mut seen = vec![
        Seen {
            sources: 0,
            source_invoke: 0,
            min_ret: u64::MAX,
            max_invoke: 0,
            replacements: 0,
            replaced_at: 0,
        };
        index.len()
    ];
    if let Some(v) = init {
        seen[index[&v]].sources += 1;
    }
    let mut units: Vec<(u64, u64)> = Vec::new();
    for e in entries {
        if let Some(to) = written(e) {
            let s = &mut seen[index[&to]];
            s.sources += 1;
            s.source_invoke = e.invoke;
        }
        match observed(e) {
            Some(Some(v)) => {
                let s = &mut seen[index[&v]];
                s.min_ret = s.min_ret.min(e.ret_at);
                s.max_invoke = s.max_invoke.max(e.invoke);
                let replaces = match effect(e).1 {
                    Write::Absent => true,
                    Write::Value(w) => w != v,
                    _ => false,
                };
                if replaces {
                    s.replacements += 1;
                    s.replaced_at = e.ret_at;
                }
            }
            Some(None) if effect(e).1 == Write::Nothing => units.push((e.ret_at, e.invoke)),
            _ => {}
        }
    }
    let by_value = seen.iter().filter(|s| s.min_ret != u64::MAX).any(|s| {
        s.sources == 0
            || (s.sources == 1
                && (s.min_ret < s.source_invoke
                    || s.replacements > 1
                    || (s.replacements == 1 && s.replaced_at < s.max_invoke)))
    });
    if by_value {
        return true;
    }
    units.extend(
        g.min_ret
            .iter()
            .zip(&g.max_invoke)
            .filter(|(&r, _)| r != u64::MAX)
            .map(|(&r, &i)| (r, i)),
    );
    two_cycle(&mut units)
}

/// Whether two of `units` (earliest return, latest invocation) must each come before the other:
/// `a` before `b` when `a`'s earliest return is before `b`'s latest invocation. Sorted by earliest
/// return, the units that must come before `b` are a prefix; `b` is in a cycle when one of them
/// other than `b` itself was invoked after `b`'s earliest return.
fn two_cycle(units: &mut [(u64, u64)]) -> bool {
    units.sort_unstable();
    // The two largest latest invocations of each prefix, with their positions.
    let mut top: Vec<[(u64, usize); 2]> = Vec::with_capacity(units.len() + 1);
    let mut best = [(0u64, usize::MAX); 2];
    top.push(best);
    for (k, &(_, invoked)) in units.iter().enumerate() {
        if invoked > best[0].0 {
            best = [(invoked, k), best[0]];
        } else if invoked > best[1].0 {
            best[1] = (invoked, k);
        }
        top.push(best);
    }
    units.iter().enumerate().any(|(k, &(ret, invoked))| {
        let before = units.partition_point(|&(r, _)| r < invoked);
        let [first, second] = top[before];
        let other = if first.1 == k { second.0 } else { first.0 };
        other > ret
    })
}

/// What the search has linearized of each group, kept along its path (every change is undone on
/// backtracking), so that it is a function of the configuration.
pub(super) struct Progress<'g> {
    groups: &'g Groups,
    /// Per group: members not yet linearized.
    left: Vec<u32>,
    /// The groups with members left that some other group may have to wait for (a completed
    /// member), by their earliest return.
    open: BTreeSet<(u64, u32)>,
    /// The group the state is in.
    pub(super) current: u32,
}

impl<'g> Progress<'g> {
    pub(super) fn new(groups: &'g Groups) -> Progress<'g> {
        let open = (0..groups.need.len())
            .filter(|&x| groups.need[x] > 0 && groups.min_ret[x] != u64::MAX)
            .map(|x| (groups.min_ret[x], x as u32))
            .collect();
        Progress {
            groups,
            left: groups.need.clone(),
            open,
            current: groups.initial,
        }
    }

    /// The entry gate: whether operation `i` may be linearized now, as far as the groups go. An
    /// operation that enters group B may not while a group A with members left has a member that
    /// returned before a member of B was invoked: A's stretch must come first, whole.
    pub(super) fn may_enter(&self, i: usize) -> bool {
        let b = self.groups.enters[i];
        if b == NONE {
            return true;
        }
        let invoked = self.groups.max_invoke[b as usize];
        for &(ret, a) in &self.open {
            if ret >= invoked {
                return true;
            }
            if a != b {
                return false;
            }
        }
        true
    }

    /// Records that operation `i` was linearized, having moved the state (`moved`) or not, and
    /// returns the group the state was in before.
    pub(super) fn push(&mut self, i: usize, moved: bool) -> u32 {
        let x = self.groups.member[i];
        if x != NONE {
            self.left[x as usize] -= 1;
            if self.left[x as usize] == 0 {
                self.open.remove(&(self.groups.min_ret[x as usize], x));
            }
        }
        let before = self.current;
        if moved {
            self.current = self.groups.writes[i];
        }
        before
    }

    /// Undoes [`Progress::push`] of operation `i`, which found the state in group `before`.
    pub(super) fn pop(&mut self, i: usize, before: u32) {
        let x = self.groups.member[i];
        if x != NONE {
            if self.left[x as usize] == 0 && self.groups.min_ret[x as usize] != u64::MAX {
                self.open.insert((self.groups.min_ret[x as usize], x));
            }
            self.left[x as usize] += 1;
        }
        self.current = before;
    }

    /// The exit check, after a push that found the state in group `before`: whether the state has
    /// just left that group with members of it not linearized, which never can be now.
    pub(super) fn left_behind(&self, before: u32) -> bool {
        before != NONE && before != self.current && self.left[before as usize] > 0
    }
}
