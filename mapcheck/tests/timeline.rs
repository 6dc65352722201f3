//! The failure picture (HTML timeline) on hand-made records: one lane per thread, the oracle's
//! operations highlighted, nested removes under their iteration, pending operations open-ended, the
//! linearization prefix marked in order with the stuck point, and every text escaped.

use crate::common;

use common::*;
use mapcheck::record::picture_path;
use mapcheck::{FailureRecord, ReplayToken};
use mapcheck_harness::history::{DeleteIf, Event, History, Op, Ret};
use mapcheck_harness::verdict::{linearizability, Failure, Linearization};
use mapcheck_harness::{
    Engine, IterationGuarantee, Limits, Oracle, Pinned, ReclamationPolicy, Size, StructureInfo, Verdict,
    Workload,
};

const INFO: StructureInfo = StructureInfo {
    name: "test",
    summary: "test",
    iteration: IterationGuarantee::Snapshot,
    reclamation: ReclamationPolicy::ShrinksWithLive,
    atomic_whole_map: true,
    unsynchronised: false,
    mutant: None,
};

fn record(model: &str, history: History, verdict: Verdict, threads: usize) -> FailureRecord {
    FailureRecord {
        token: ReplayToken {
            oracle: None,
            model: model.into(),
            size: Size::LOOM,
            structure: "cow-nocas".into(),
            engine: Engine::Loom { preemption_bound: 2 },
            pinned: Pinned::Loom { execution: 3 },
            workload: None,
        },
        limits: Limits::default(),
        workload: Workload {
            initial: history.initial.clone(),
            threads: vec![Vec::new(); threads],
        },
        verdict,
        history,
        schedules: 4,
        shrunk_from: None,
        shrink_note: None,
        fingerprint: None,
    }
}

/// The `data-id`s of the elements whose opening tag starts with `prefix`, in page order.
fn ids_of(html: &str, prefix: &str) -> Vec<usize> {
    html.match_indices(prefix)
        .map(|(i, _)| {
            let rest = &html[i..];
            let at = rest.find("data-id=\"").expect("a data-id") + 9;
            rest[at..].split('"').next().unwrap().parse().unwrap()
        })
        .collect()
}

/// The new-old inversion (a read sees the new value, a later read the old one), judged by the real
/// linearizability oracle.
fn inversion() -> FailureRecord {
    let hist = h(
        &[(1, 0)],
        &[
            (0, ins(1, 1), v(Some(0)), 0, Some(10)),
            (1, get(1), v(Some(1)), 1, Some(2)),
            (1, get(1), v(Some(0)), 3, Some(4)),
            (2, get(2), v(None), 5, Some(6)),
        ],
    );
    let verdict = linearizability(&hist, &INFO);
    record("insert-remove-get", hist, verdict, 3)
}

#[test]
fn one_lane_per_thread_and_evidence_highlighted() {
    let rec = inversion();
    let Verdict::Fail(f) = &rec.verdict else {
        panic!("the inversion is a linearizability failure")
    };
    assert_eq!(f.oracle, Oracle::Linearizability);
    let html = mapcheck_harness::timeline::html(&rec.page("target/x.json"));
    assert_eq!(
        html.matches("<g class=\"lane\"").count(),
        3,
        "three threads, three lanes"
    );
    let mut highlighted = ids_of(&html, "<g class=\"op evidence");
    highlighted.sort_unstable();
    assert_eq!(
        highlighted, f.evidence,
        "exactly the oracle's operations are highlighted"
    );
    assert_eq!(html.matches("<g class=\"op").count(), 4, "one bar per operation");
    assert!(html.contains("cargo xtask replay target/x.json"));
    for field in [
        "model",
        "structure",
        "engine",
        "oracle",
        "evidence",
        "initial contents",
    ] {
        assert!(
            html.contains(&format!("<td>{field}</td>")),
            "header names the {field}"
        );
    }
    assert!(html.contains("1:0"), "initial contents shown");
}

#[test]
fn linearization_prefix_is_marked_in_order_with_the_stuck_point() {
    let rec = inversion();
    let Verdict::Fail(Failure {
        linearization: Some(lin),
        ..
    }) = &rec.verdict
    else {
        panic!("a linearizability failure carries its prefix")
    };
    assert_eq!(lin.key, Some(1));
    assert_eq!(
        lin.prefix,
        vec![0, 1],
        "the write, then the read of the new value"
    );
    assert_eq!(lin.stuck, vec![2], "the read of the old value cannot follow");
    let html = mapcheck_harness::timeline::html(&rec.page("r.json"));
    assert_eq!(
        ids_of(&html, "<g class=\"lin-mark\""),
        lin.prefix,
        "marks in linearization order"
    );
    assert!(html.contains("data-order=\"1\"") && html.contains("data-order=\"2\""));
    assert!(!html.contains("data-order=\"3\""));
    assert_eq!(html.matches("<g class=\"stuck-point\"").count(), 1);
    assert_eq!(ids_of(&html, "<g class=\"op evidence stuck"), vec![2]);
    assert!(html.contains("Longest linearizable prefix"));
    // The operation on another key is drawn faded.
    assert_eq!(ids_of(&html, "<g class=\"op other-key"), vec![3]);
}

#[test]
fn nested_removes_and_pending_operations() {
    let mut hist = h(
        &[(2, 20)],
        &[
            (
                0,
                Op::Iterate {
                    delete: DeleteIf::Even,
                },
                Some(Ret::Yielded(vec![(2, 20)])),
                0,
                Some(3),
            ),
            (1, ins(4, 40), None, 4, None),
        ],
    );
    hist.events.insert(
        1,
        Event {
            id: 1,
            thread: 0,
            op: rem(2),
            ret: v(Some(20)),
            invoke: 1,
            ret_at: Some(2),
            parent: Some(0),
            visits: Vec::new(),
        },
    );
    hist.events[2].id = 2;
    hist.validate().expect("well-formed");
    let verdict = Verdict::Fail(Failure {
        oracle: Oracle::Deadlock,
        summary: "deadlock".into(),
        evidence: vec![2],
        linearization: None,
    });
    let html = mapcheck_harness::timeline::html(&(record("m", hist, verdict, 2)).page("r.json"));
    assert_eq!(ids_of(&html, "<g class=\"op nested"), vec![1]);
    assert_eq!(html.matches("class=\"nest-link\"").count(), 1);
    assert!(html.contains("url(#fade-hl)"), "the pending evidence fades out");
    assert!(html.contains("never returned"));
    assert!(
        !html.contains("<g class=\"lin-mark\""),
        "no prefix outside linearizability"
    );
}

#[test]
fn all_text_is_escaped_and_nothing_is_fetched() {
    let hist = h(&[], &[(0, ins(1, 1), v(None), 0, Some(1))]);
    let verdict = Verdict::Fail(Failure {
        oracle: Oracle::Panic,
        summary: "panicked at <script>alert(\"x\")</script> & more".into(),
        evidence: vec![0],
        linearization: Some(Linearization {
            key: None,
            prefix: vec![0, 99],
            stuck: vec![77],
        }),
    });
    let html =
        mapcheck_harness::timeline::html(&(record("<b>model</b>", hist, verdict, 1)).page("a&b<c>.json"));
    assert_eq!(html.matches("<script").count(), 1, "only the page's own script");
    assert!(!html.contains("<b>model"));
    assert!(html.contains("&lt;b&gt;model&lt;/b&gt;"));
    assert!(html.contains("&lt;script&gt;alert(\"x\")&lt;/script&gt; &amp; more"));
    assert!(html.contains("cargo xtask replay a&amp;b&lt;c&gt;.json"));
    assert!(
        !html.contains("src=") && !html.contains("href="),
        "self-contained"
    );
    // Ids that name no operation (a hand-edited record) are listed, not a panic.
    assert!(html.contains("#99 (not in the history)"));
}

#[test]
fn write_puts_the_picture_beside_the_record_and_the_report_names_it() {
    let dir = std::env::temp_dir().join(format!("mapcheck-timeline-{}", std::process::id()));
    let rec = inversion();
    let path = rec.write(&dir).unwrap();
    let picture = picture_path(&path);
    assert_eq!(picture.extension().unwrap(), "html");
    let html = std::fs::read_to_string(&picture).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(
        html.contains(&path.display().to_string()),
        "the page replays its record"
    );
    let report = rec.render(&path.display().to_string());
    assert!(
        report.contains(&format!("picture: {}", picture.display())),
        "{report}"
    );
    assert!(
        !rec.render(&rec.token.encode()).contains("picture:"),
        "a token has no file"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn an_empty_history_still_gets_a_page() {
    let verdict = Verdict::Unknown {
        reason: "no verdict".into(),
    };
    let html =
        mapcheck_harness::timeline::html(&(record("m", History::default(), verdict, 2)).page("r.json"));
    assert_eq!(html.matches("<g class=\"lane\"").count(), 2);
    assert!(html.contains("unknown: no verdict"));
    assert!(html.ends_with("</html>\n"));
}
