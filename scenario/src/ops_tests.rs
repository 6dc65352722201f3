//! Tests of the operation syntax: every form parses and prints back, errors point at the part at
//! fault, no input panics.

use super::*;

#[test]
fn every_form_parses_and_prints_back() {
    let cases = [
        ("insert(1, 10)", Op::Insert { key: 1, value: 10 }),
        ("store(2, 20)", Op::Insert { key: 2, value: 20 }),
        ("remove(3)", Op::Remove { key: 3 }),
        ("delete(3)", Op::Remove { key: 3 }),
        ("load_and_delete(4)", Op::Remove { key: 4 }),
        ("get(5)", Op::Get { key: 5 }),
        ("load(5)", Op::Get { key: 5 }),
        ("len()", Op::Len),
        ("clear()", Op::Clear),
        ("reclaim()", Op::Reclaim),
        (
            "iterate()",
            Op::Iterate {
                delete: DeleteIf::Nothing,
            },
        ),
        (
            "iterate(delete: all)",
            Op::Iterate {
                delete: DeleteIf::All,
            },
        ),
        (
            "range(delete: even)",
            Op::Iterate {
                delete: DeleteIf::Even,
            },
        ),
        (
            "range(delete: odd)",
            Op::Iterate {
                delete: DeleteIf::Odd,
            },
        ),
        (
            "range(delete: 7)",
            Op::Iterate {
                delete: DeleteIf::Key(7),
            },
        ),
    ];
    for (text, op) in cases {
        let step = parse_step(text).unwrap_or_else(|e| panic!("{text}: {e:?}"));
        assert_eq!(step.op, op, "{text}");
        assert_eq!(step.to_string(), text);
    }
}

#[test]
fn compound_forms_parse_and_print_back() {
    let cases = [
        ("get_or_insert(1, 10)", Op::GetOrInsert { key: 1, value: 10 }),
        ("load_or_store(1, 10)", Op::GetOrInsert { key: 1, value: 10 }),
        ("swap(1, 3)", Op::Insert { key: 1, value: 3 }),
        (
            "compare_and_swap(1, 10, 20)",
            Op::CompareAndSwap {
                key: 1,
                old: 10,
                new: 20,
            },
        ),
        (
            "compare_and_delete(2, 20)",
            Op::CompareAndDelete { key: 2, old: 20 },
        ),
        (
            "remove_if(3, delete: even)",
            Op::RemoveIf {
                key: 3,
                delete: ValueIf::Even,
            },
        ),
        (
            "remove_if(3, delete: not 7)",
            Op::RemoveIf {
                key: 3,
                delete: ValueIf::Not(7),
            },
        ),
        ("retain(delete: odd)", Op::Retain { delete: ValueIf::Odd }),
        (
            "retain(delete: 5)",
            Op::Retain {
                delete: ValueIf::Is(5),
            },
        ),
        (
            "retain(delete: none)",
            Op::Retain {
                delete: ValueIf::Nothing,
            },
        ),
        ("retain(delete: all)", Op::Retain { delete: ValueIf::All }),
        (
            "update(4, add: 1)",
            Op::Update {
                key: 4,
                add: 1,
                insert: None,
            },
        ),
        (
            "update(4, add: 1, insert: 9)",
            Op::Update {
                key: 4,
                add: 1,
                insert: Some(9),
            },
        ),
    ];
    for (text, op) in cases {
        let step = parse_step(text).unwrap_or_else(|e| panic!("{text}: {e:?}"));
        assert_eq!(step.op, op, "{text}");
        assert_eq!(step.to_string(), text);
        // The harness writes every operation in the syntax (reports, pictures, records): that
        // text parses back to the same operation.
        assert_eq!(parse_step(&op.to_string()).unwrap().op, op, "{op}");
    }
    // Go's method names, as a sync.Map script spells them.
    assert_eq!(
        parse_step("LoadOrStore(1, 2)").unwrap().op,
        Op::GetOrInsert { key: 1, value: 2 }
    );
    assert_eq!(
        parse_step("CompareAndDelete(1, 2)").unwrap().op,
        Op::CompareAndDelete { key: 1, old: 2 }
    );
    assert_eq!(
        parse_step("retain()").unwrap().op,
        Op::Retain {
            delete: ValueIf::Nothing
        }
    );
}

#[test]
fn compound_errors_name_the_argument() {
    let e = parse_step("compare_and_swap(1, 2)").unwrap_err();
    assert!(e.message.contains("takes 3 arguments, found 2"), "{}", e.message);
    assert!(
        e.message.contains("compare_and_swap(KEY, OLD, NEW)"),
        "{}",
        e.message
    );

    let e = parse_step("compare_and_delete(1, x)").unwrap_err();
    assert_eq!(e.span, 22..23);
    assert!(e.message.contains("expected a value"), "{}", e.message);

    let e = parse_step("remove_if(1, keep: 2)").unwrap_err();
    assert!(e.message.contains("expected `delete:`"), "{}", e.message);

    let e = parse_step("remove_if(1, 2)").unwrap_err();
    assert!(e.message.contains("expected `delete: ...`"), "{}", e.message);

    let e = parse_step("retain(delete: big)").unwrap_err();
    assert!(e.message.contains("found `big`"), "{}", e.message);

    let e = parse_step("retain(delete: not x)").unwrap_err();
    assert!(e.message.contains("expected a value"), "{}", e.message);

    let e = parse_step("update(1, 2)").unwrap_err();
    assert!(e.message.contains("expected `add: ...`"), "{}", e.message);

    let e = parse_step("update(1, add: 1, insert: 2, 3)").unwrap_err();
    assert!(e.message.contains("update(KEY, add: N)"), "{}", e.message);

    // Values above the largest word are refused, as everywhere in the format.
    let e = parse_step("get_or_insert(1, 9223372036854775808)").unwrap_err();
    assert!(e.message.contains("is above"), "{}", e.message);
    let e = parse_step("update(1, add: 9223372036854775808)").unwrap_err();
    assert!(e.message.contains("is above"), "{}", e.message);
}

#[test]
fn lenient_spacing_and_bare_names() {
    assert_eq!(parse_step("  len ").unwrap().op, Op::Len);
    assert_eq!(
        parse_step("LoadAndDelete( 4 )").unwrap().op,
        Op::Remove { key: 4 }
    );
    assert_eq!(
        parse_step("insert(1_000,2)").unwrap().op,
        Op::Insert { key: 1000, value: 2 }
    );
    assert_eq!(
        parse_step("range").unwrap().op,
        Op::Iterate {
            delete: DeleteIf::Nothing
        }
    );
}

#[test]
fn errors_point_at_the_offending_part() {
    let e = parse_step("inser(1, 2)").unwrap_err();
    assert_eq!(e.span, 0..5);
    assert!(e.message.contains("unknown operation `inser`"));
    assert!(e.help.unwrap().contains("insert(KEY, VALUE)"));

    let e = parse_step("insert(1, x)").unwrap_err();
    assert_eq!(e.span, 10..11);
    assert!(e.message.contains("expected a value"), "{}", e.message);

    let e = parse_step("remove(1, 2)").unwrap_err();
    assert!(e.message.contains("takes 1 argument, found 2"), "{}", e.message);

    let e = parse_step("get(1").unwrap_err();
    assert!(e.message.contains("never closed"), "{}", e.message);

    let e = parse_step("get(-1)").unwrap_err();
    assert_eq!(e.span, 4..6);

    let e = parse_step("iterate(remove: 1)").unwrap_err();
    assert!(e.message.contains("expected `delete:`"), "{}", e.message);

    let e = parse_step("len() x").unwrap_err();
    assert!(e.message.contains("unexpected `x`"), "{}", e.message);

    let e = parse_step("").unwrap_err();
    assert!(e.message.contains("expected an operation name"));
}

#[test]
fn no_input_panics() {
    for s in [
        "(",
        ")",
        "(()",
        "a(,)",
        "é(1)",
        "get(é)",
        "get(1)é",
        "iterate(delete:)",
        "retain(delete:)",
        "retain(delete: not)",
        "remove_if(1, delete:é)",
        "update(1, add:)",
        "update(1, :, :)",
        "compare_and_swap(,,)",
        ",",
        "insert(,",
        "x)(",
    ] {
        let _ = parse_step(s);
    }
}

#[test]
fn keys_are_renumbered_in_every_operation() {
    let ops = [
        Op::GetOrInsert { key: 1, value: 1 },
        Op::CompareAndSwap {
            key: 1,
            old: 1,
            new: 2,
        },
        Op::CompareAndDelete { key: 1, old: 1 },
        Op::RemoveIf {
            key: 1,
            delete: ValueIf::All,
        },
        Op::Update {
            key: 1,
            add: 1,
            insert: Some(1),
        },
    ];
    for op in ops {
        let moved = map_keys(op, |k| k + 10);
        assert_eq!(moved.key(), Some(11), "{op}");
        // Only the key: the values stay.
        assert_eq!(map_keys(moved, |k| k - 10), op);
        assert_eq!(words(&moved)[1..], words(&op)[1..], "{op}");
    }
}
