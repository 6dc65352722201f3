//! How the `ops` and `schedules` targets read one operation from libFuzzer's bytes: a kind among
//! those the input's structure has, then its arguments.
//!
//! The kinds are the six every map has and the reclamation step, in the order inputs have always
//! used, then the compound operations (get-or-insert, compare-and-swap, compare-and-delete,
//! remove-if, update, retain) that the structure declares in its `SUPPORTS`. A structure without
//! compound operations reads exactly the bytes it read before they existed (the checked-in
//! regression inputs keep their meaning), and no byte is spent on an operation the structure would
//! refuse as not applicable. The kind is chosen as `derive(Arbitrary)` chooses an enum's variant (a
//! `u32` scaled to the number of kinds), and the arguments are read field by field as it would.

use arbitrary::{Arbitrary, Unstructured};
use mapcheck_harness::{DeleteIf, Op, Ops, ValueIf};

/// One kind of operation an input can draw.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Insert,
    Remove,
    Get,
    Len,
    Clear,
    Reclaim,
    Iterate,
    GetOrInsert,
    CompareAndSwap,
    CompareAndDelete,
    RemoveIf,
    Update,
    Retain,
}

/// The kinds every structure draws from, in the order inputs have always used.
const STANDARD: [Kind; 7] = [
    Kind::Insert,
    Kind::Remove,
    Kind::Get,
    Kind::Len,
    Kind::Clear,
    Kind::Reclaim,
    Kind::Iterate,
];

/// The compound kinds, each with the operation a structure declares to have it.
const COMPOUND: [(Kind, Ops); 6] = [
    (Kind::GetOrInsert, Ops::GET_OR_INSERT),
    (Kind::CompareAndSwap, Ops::COMPARE_AND_SWAP),
    (Kind::CompareAndDelete, Ops::COMPARE_AND_DELETE),
    (Kind::RemoveIf, Ops::REMOVE_IF),
    (Kind::Update, Ops::UPDATE),
    (Kind::Retain, Ops::RETAIN),
];

/// The kinds a structure's inputs draw from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Kinds {
    list: [Kind; 13],
    len: usize,
}

impl Kinds {
    /// The kinds of a structure that supports `supports`: the standard seven, then its compound
    /// operations.
    pub fn of(supports: Ops) -> Kinds {
        let mut list = [Kind::Len; 13];
        list[..7].copy_from_slice(&STANDARD);
        let mut len = 7;
        for (kind, op) in COMPOUND {
            if supports.contains(op) {
                list[len] = kind;
                len += 1;
            }
        }
        Kinds { list, len }
    }

    /// The kinds, in drawing order.
    pub fn list(&self) -> &[Kind] {
        &self.list[..self.len]
    }
}

/// A predicate over the value as inputs write it.
#[derive(Debug, Clone, Copy, Arbitrary)]
enum FuzzValueIf {
    Nothing,
    All,
    Even,
    Odd,
    Is(u16),
    Not(u16),
}

impl FuzzValueIf {
    fn value_if(self) -> ValueIf {
        match self {
            FuzzValueIf::Nothing => ValueIf::Nothing,
            FuzzValueIf::All => ValueIf::All,
            FuzzValueIf::Even => ValueIf::Even,
            FuzzValueIf::Odd => ValueIf::Odd,
            FuzzValueIf::Is(v) => ValueIf::Is(u64::from(v)),
            FuzzValueIf::Not(v) => ValueIf::Not(u64::from(v)),
        }
    }
}

/// Which keys an iteration deletes, as inputs write it.
#[derive(Debug, Clone, Copy, Arbitrary)]
enum FuzzDelete {
    Nothing,
    All,
    Even,
    Odd,
    Key(u8),
}

/// Reads one operation of a structure with `kinds`; keys are reduced below `keys`, values are 16
/// bits and an update adds at most 255. `written` holds the values the input has written so far
/// (its initial entries' and its writes'): the value a compare-and-swap or compare-and-delete
/// compares with is most often one of them, so that comparisons can succeed (a random 16-bit value
/// would almost never equal the one in the map); a write adds its value.
pub fn op(u: &mut Unstructured, kinds: &Kinds, keys: u8, written: &mut Vec<u64>) -> arbitrary::Result<Op> {
    let list = kinds.list();
    let tag = u64::from(u32::arbitrary(u)?);
    let kind = list[((tag * list.len() as u64) >> 32) as usize];
    let key = |u: &mut Unstructured| -> arbitrary::Result<u64> { Ok(u64::from(u8::arbitrary(u)? % keys)) };
    let value = |u: &mut Unstructured| -> arbitrary::Result<u64> { Ok(u64::from(u16::arbitrary(u)?)) };
    let old = |u: &mut Unstructured, written: &[u64]| -> arbitrary::Result<u64> {
        let pick = u8::arbitrary(u)?;
        if pick < 224 && !written.is_empty() {
            Ok(written[usize::from(pick) % written.len()])
        } else {
            value(u)
        }
    };
    let op = match kind {
        Kind::Insert => Op::Insert {
            key: key(u)?,
            value: value(u)?,
        },
        Kind::Remove => Op::Remove { key: key(u)? },
        Kind::Get => Op::Get { key: key(u)? },
        Kind::Len => Op::Len,
        Kind::Clear => Op::Clear,
        Kind::Reclaim => Op::Reclaim,
        Kind::Iterate => Op::Iterate {
            delete: match FuzzDelete::arbitrary(u)? {
                FuzzDelete::Nothing => DeleteIf::Nothing,
                FuzzDelete::All => DeleteIf::All,
                FuzzDelete::Even => DeleteIf::Even,
                FuzzDelete::Odd => DeleteIf::Odd,
                FuzzDelete::Key(k) => DeleteIf::Key(u64::from(k % keys)),
            },
        },
        Kind::GetOrInsert => Op::GetOrInsert {
            key: key(u)?,
            value: value(u)?,
        },
        Kind::CompareAndSwap => Op::CompareAndSwap {
            key: key(u)?,
            old: old(u, written)?,
            new: value(u)?,
        },
        Kind::CompareAndDelete => Op::CompareAndDelete {
            key: key(u)?,
            old: old(u, written)?,
        },
        Kind::RemoveIf => Op::RemoveIf {
            key: key(u)?,
            delete: FuzzValueIf::arbitrary(u)?.value_if(),
        },
        Kind::Update => Op::Update {
            key: key(u)?,
            add: u64::from(u8::arbitrary(u)?),
            insert: Option::<u16>::arbitrary(u)?.map(u64::from),
        },
        Kind::Retain => Op::Retain {
            delete: FuzzValueIf::arbitrary(u)?.value_if(),
        },
    };
    match op {
        Op::Insert { value, .. } | Op::GetOrInsert { value, .. } | Op::CompareAndSwap { new: value, .. } => {
            written.push(value)
        }
        Op::Update {
            insert: Some(value), ..
        } => written.push(value),
        _ => {}
    }
    Ok(op)
}

/// `op` with its keys reduced below `keys` and its values as [`op`] reads them: the closest
/// operation an input can write.
pub fn reduce(op: Op, keys: u8) -> Op {
    let k = |k: u64| k % u64::from(keys);
    let v = |v: u64| v % (1 << 16);
    let p = |p: ValueIf| match p {
        ValueIf::Is(x) => ValueIf::Is(v(x)),
        ValueIf::Not(x) => ValueIf::Not(v(x)),
        other => other,
    };
    match op {
        Op::Insert { key, value } => Op::Insert {
            key: k(key),
            value: v(value),
        },
        Op::Remove { key } => Op::Remove { key: k(key) },
        Op::Get { key } => Op::Get { key: k(key) },
        Op::Iterate {
            delete: DeleteIf::Key(key),
        } => Op::Iterate {
            delete: DeleteIf::Key(k(key)),
        },
        Op::GetOrInsert { key, value } => Op::GetOrInsert {
            key: k(key),
            value: v(value),
        },
        Op::CompareAndSwap { key, old, new } => Op::CompareAndSwap {
            key: k(key),
            old: v(old),
            new: v(new),
        },
        Op::CompareAndDelete { key, old } => Op::CompareAndDelete {
            key: k(key),
            old: v(old),
        },
        Op::RemoveIf { key, delete } => Op::RemoveIf {
            key: k(key),
            delete: p(delete),
        },
        Op::Update { key, add, insert } => Op::Update {
            key: k(key),
            add: add % 256,
            insert: insert.map(v),
        },
        Op::Retain { delete } => Op::Retain { delete: p(delete) },
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The operations as the derived enum read them before the compound ones existed.
    #[derive(Debug, Clone, Copy, Arbitrary)]
    enum Before {
        Insert(u8, u16),
        Remove(u8),
        Get(u8),
        Len,
        Clear,
        Reclaim,
        Iterate(FuzzDelete),
    }

    impl Before {
        fn op(self, keys: u8) -> Op {
            let k = |k: u8| u64::from(k % keys);
            match self {
                Before::Insert(key, value) => Op::Insert {
                    key: k(key),
                    value: u64::from(value),
                },
                Before::Remove(key) => Op::Remove { key: k(key) },
                Before::Get(key) => Op::Get { key: k(key) },
                Before::Len => Op::Len,
                Before::Clear => Op::Clear,
                Before::Reclaim => Op::Reclaim,
                Before::Iterate(d) => Op::Iterate {
                    delete: match d {
                        FuzzDelete::Nothing => DeleteIf::Nothing,
                        FuzzDelete::All => DeleteIf::All,
                        FuzzDelete::Even => DeleteIf::Even,
                        FuzzDelete::Odd => DeleteIf::Odd,
                        FuzzDelete::Key(key) => DeleteIf::Key(k(key)),
                    },
                },
            }
        }
    }

    fn bytes(seed: u64, n: usize) -> Vec<u8> {
        let mut s = seed;
        (0..n)
            .map(|_| {
                s = s
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                (s >> 56) as u8
            })
            .collect()
    }

    /// A structure without compound operations reads every input exactly as before they existed.
    #[test]
    fn without_compound_operations_inputs_read_as_before() {
        let kinds = Kinds::of(Ops::STANDARD);
        for seed in 0..500 {
            let data = bytes(seed, 64);
            let (mut a, mut b) = (Unstructured::new(&data), Unstructured::new(&data));
            loop {
                let x = op(&mut a, &kinds, 8, &mut Vec::new());
                let y = Before::arbitrary(&mut b).map(|o| o.op(8));
                assert_eq!(x.is_ok(), y.is_ok());
                let (Ok(x), Ok(y)) = (x, y) else { break };
                assert_eq!(x, y, "seed {seed}");
                assert_eq!(a.len(), b.len());
                if a.is_empty() {
                    break;
                }
            }
        }
    }

    /// Every compound operation a structure declares is drawn, and no other.
    #[test]
    fn a_structure_draws_its_compound_operations_and_no_other() {
        let some = Ops::STANDARD.with(Ops::GET_OR_INSERT).with(Ops::RETAIN);
        let kinds = Kinds::of(some);
        assert_eq!(&kinds.list()[7..], &[Kind::GetOrInsert, Kind::Retain]);
        let mut seen = Ops::default();
        for seed in 0..500 {
            let data = bytes(seed, 64);
            let mut u = Unstructured::new(&data);
            while let Ok(o) = op(&mut u, &kinds, 8, &mut Vec::new()) {
                assert!(some.contains(Ops::of(&o)), "{o:?}");
                seen = seen.with(Ops::of(&o));
                if u.is_empty() {
                    break;
                }
            }
        }
        assert!(seen.contains(Ops::GET_OR_INSERT) && seen.contains(Ops::RETAIN));
        let all = Kinds::of(Ops::STANDARD.with(Ops::COMPOUND));
        assert_eq!(all.list().len(), 13);
    }

    /// What an input reads is what [`reduce`] keeps of it.
    #[test]
    fn a_drawn_operation_is_its_own_reduction() {
        let kinds = Kinds::of(Ops::STANDARD.with(Ops::COMPOUND));
        for seed in 0..500 {
            let data = bytes(seed, 64);
            let mut u = Unstructured::new(&data);
            let mut written = Vec::new();
            while let Ok(o) = op(&mut u, &kinds, 5, &mut written) {
                assert_eq!(reduce(o, 5), o);
                if u.is_empty() {
                    break;
                }
            }
        }
    }
}
