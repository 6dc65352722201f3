//! Differential tests: every structure, driven single-threaded on real threads' primitives by
//! arbitrary operation sequences, agrees with the sequential spec on every return value, on len and
//! on iteration contents (including iterations that delete the keys they visit).

use mapcheck_harness::op::added;
use mapcheck_harness::rt::Std;
use mapcheck_harness::spec::SpecMap;
use mapcheck_harness::{DeleteIf, Map, Op, Ops, Ret, Structure, ValueIf};
use mapcheck_models::mutants::CowNoCas;
use mapcheck_models::structures::{
    cow::Cow,
    gomap::{Gomap, GomapLocked},
    locked::Locked,
    rebuild::Rebuild,
    sharded::Sharded,
    syncmap::Syncmap,
    tombstone::Tombstone,
};
use proptest::prelude::*;
use std::ops::ControlFlow;

fn op_strategy(keys: u64) -> impl Strategy<Value = Op> {
    let key = 0..keys;
    prop_oneof![
        4 => (key.clone(), 0..1000u64).prop_map(|(key, value)| Op::Insert { key, value }),
        3 => key.clone().prop_map(|key| Op::Remove { key }),
        3 => key.clone().prop_map(|key| Op::Get { key }),
        1 => Just(Op::Len),
        1 => Just(Op::Clear),
        1 => Just(Op::Reclaim),
        1 => prop_oneof![
            Just(DeleteIf::Nothing),
            Just(DeleteIf::All),
            Just(DeleteIf::Even),
            Just(DeleteIf::Odd),
            key.prop_map(DeleteIf::Key)
        ]
        .prop_map(|delete| Op::Iterate { delete }),
        6 => compound_strategy(keys),
    ]
}

/// The compound operations, with values from a small range so that comparisons often succeed;
/// [`agrees`] leaves out those the structure does not support.
fn compound_strategy(keys: u64) -> impl Strategy<Value = Op> {
    let key = 0..keys;
    let predicate = prop_oneof![
        Just(ValueIf::Even),
        Just(ValueIf::Odd),
        Just(ValueIf::All),
        Just(ValueIf::Nothing),
        (0..4u64).prop_map(ValueIf::Is),
        (0..4u64).prop_map(ValueIf::Not),
    ];
    prop_oneof![
        (key.clone(), 0..4u64).prop_map(|(key, value)| Op::GetOrInsert { key, value }),
        (key.clone(), 0..4u64, 0..4u64).prop_map(|(key, old, new)| Op::CompareAndSwap { key, old, new }),
        (key.clone(), 0..4u64).prop_map(|(key, old)| Op::CompareAndDelete { key, old }),
        (key.clone(), predicate.clone()).prop_map(|(key, delete)| Op::RemoveIf { key, delete }),
        (key, 0..3u64, prop::option::of(0..4u64)).prop_map(|(key, add, insert)| Op::Update {
            key,
            add,
            insert
        }),
        predicate.prop_map(|delete| Op::Retain { delete }),
    ]
}

/// Runs `ops` on a fresh `S` and on the spec, comparing every result.
fn agrees<S: Structure>(ops: &[Op]) -> Result<(), TestCaseError> {
    let map = S::new::<Std>();
    let mut spec = SpecMap::default();
    let supported = ops.iter().filter(|op| S::SUPPORTS.contains(Ops::of(op)));
    for (i, op) in supported.enumerate() {
        let expected = spec.apply(op);
        let observed = match *op {
            Op::Insert { key, value } => Ret::Value(map.insert(key, value)),
            Op::Remove { key } => Ret::Value(map.remove(key)),
            Op::Get { key } => Ret::Value(map.get(key)),
            Op::Len => Ret::Len(map.len()),
            Op::Clear => {
                map.clear();
                Ret::Unit
            }
            Op::Reclaim => {
                map.reclaim();
                Ret::Unit
            }
            Op::GetOrInsert { key, value } => Ret::Value(map.get_or_insert(key, value)),
            Op::CompareAndSwap { key, old, new } => Ret::Bool(map.compare_and_swap(key, old, new)),
            Op::CompareAndDelete { key, old } => Ret::Bool(map.compare_and_delete(key, old)),
            Op::RemoveIf { key, delete } => Ret::Value(map.remove_if(key, &|v| delete.matches(v))),
            Op::Update { key, add, insert } => Ret::Value(map.update(key, &|v| added(v, add), insert)),
            Op::Retain { delete } => {
                let mut yielded = Vec::new();
                map.retain(&mut |k, v| {
                    yielded.push((k, v));
                    !delete.matches(v)
                });
                yielded.sort_unstable();
                Ret::Yielded(yielded)
            }
            Op::Iterate { delete } => {
                let mut yielded = Vec::new();
                let mut bad_removes = Vec::new();
                map.iterate(&mut |k, v| {
                    yielded.push((k, v));
                    if delete.matches(k) {
                        let removed = map.remove(k);
                        if removed != Some(v) {
                            bad_removes.push((k, v, removed));
                        }
                        spec.apply(&Op::Remove { key: k });
                    }
                    ControlFlow::Continue(())
                });
                prop_assert!(
                    bad_removes.is_empty(),
                    "{}: removing visited keys (key, yielded, removed): {:?}",
                    S::INFO.name,
                    bad_removes
                );
                yielded.sort_unstable();
                let mut unique = yielded.clone();
                unique.dedup_by_key(|(k, _)| *k);
                prop_assert_eq!(
                    unique.len(),
                    yielded.len(),
                    "{}: a key yielded twice at op {}",
                    S::INFO.name,
                    i
                );
                Ret::Yielded(yielded)
            }
        };
        prop_assert_eq!(
            &observed,
            &expected,
            "{}: op {} {} disagrees",
            S::INFO.name,
            i,
            op
        );
        prop_assert_eq!(
            map.len(),
            spec.entries.len(),
            "{}: len after op {} {}",
            S::INFO.name,
            i,
            op
        );
    }
    Ok(())
}

macro_rules! differential {
    ($($name:ident: $s:ty),* $(,)?) => {$(
        proptest! {
            #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]
            #[test]
            fn $name(ops in prop::collection::vec(op_strategy(12), 0..120)) {
                agrees::<$s>(&ops)?;
            }
        }
    )*};
}

differential! {
    gomap_agrees_with_spec: Gomap,
    gomap_locked_agrees_with_spec: GomapLocked,
    locked_agrees_with_spec: Locked,
    syncmap_agrees_with_spec: Syncmap,
    cow_agrees_with_spec: Cow,
    cow_nocas_agrees_with_spec_single_threaded: CowNoCas,
    sharded_agrees_with_spec: Sharded,
    tombstone_agrees_with_spec: Tombstone,
    rebuild_agrees_with_spec: Rebuild,
}

/// A large key range forces growth (gomap's evacuation, table resizes) in every structure.
mod growth {
    use super::*;
    proptest! {
        #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]
        #[test]
        fn every_structure_agrees_across_growth(ops in prop::collection::vec(op_strategy(300), 200..600)) {
            agrees::<Gomap>(&ops)?;
            agrees::<GomapLocked>(&ops)?;
            agrees::<Locked>(&ops)?;
            agrees::<Syncmap>(&ops)?;
            agrees::<Cow>(&ops)?;
            agrees::<Sharded>(&ops)?;
            agrees::<Tombstone>(&ops)?;
            agrees::<Rebuild>(&ops)?;
        }
    }
}
