//! The picture of a failure: a self-contained HTML page (inline CSS and SVG, a few lines of script
//! that scroll to the evidence, no network) with one lane per thread and each operation drawn as a
//! bar from its invocation to its return.
//!
//! The page shows the header of the failure (model, structure, engine, oracle, evidence, initial
//! contents, replay command), the operations the oracle names in the highlight colour, the removes
//! an iteration made nested under it, and, for a linearizability failure, the longest prefix the
//! checker could order (numbered marks joined in order) and the point where it got stuck, as
//! porcupine's visualisation does. Every piece of text is HTML-escaped.

use crate::history::{Event, History, Op};
use crate::verdict::{Linearization, Verdict};
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// The fill of the operations the oracle names, as RGB (the screenshot test looks for it).
pub const HIGHLIGHT_RGB: [u8; 3] = [0xe8, 0x3a, 0x14];
/// The colour of the linearization marks.
pub const PREFIX_RGB: [u8; 3] = [0x1b, 0x7f, 0x3b];

const GUTTER: f64 = 96.0;
const AXIS: f64 = 30.0;
const ROW: f64 = 48.0;
const BAR: f64 = 36.0;
const LANE_PAD: f64 = 12.0;
const MIN_GAP: f64 = 14.0;
const CHAR_W: f64 = 6.8;
const LABEL_CHARS: usize = 44;
const PENDING_TAIL: f64 = 48.0;

fn hex(rgb: [u8; 3]) -> String {
    format!("#{:02x}{:02x}{:02x}", rgb[0], rgb[1], rgb[2])
}

/// The two lines of a bar's label and its full text (for the tooltip).
fn labels(e: &Event) -> (String, String, String) {
    let op = e.op.to_string();
    let ret = match &e.ret {
        Some(r) => format!("-> {r}"),
        None => "-> never returned".to_string(),
    };
    let full = format!("#{} T{} {op} {ret}", e.id, e.thread);
    (cut(&op), cut(&format!("#{} {ret}", e.id)), full)
}

fn cut(s: &str) -> String {
    if s.chars().count() <= LABEL_CHARS {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(LABEL_CHARS - 3).collect();
        t.push_str("...");
        t
    }
}

fn label_width(e: &Event) -> f64 {
    let (a, b, _) = labels(e);
    a.chars().count().max(b.chars().count()) as f64 * CHAR_W + 16.0
}

/// Nesting depth of an event (0 for a top-level operation), robust to a malformed parent chain.
fn depth(events: &[Event], e: &Event) -> usize {
    let mut d = 0;
    let mut p = e.parent;
    while let Some(i) = p {
        if d > events.len() || i >= events.len() {
            break;
        }
        d += 1;
        p = events[i].parent;
    }
    d
}

/// Where things go on the page.
struct Layout {
    /// Every invoke and return position, sorted, and the x of each.
    positions: Vec<u64>,
    xs: Vec<f64>,
    /// The right end of pending operations.
    open_end: f64,
    width: f64,
    /// Per lane (in thread order): thread, top y, rows.
    lanes: Vec<(usize, f64, usize)>,
    height: f64,
}

impl Layout {
    fn new(events: &[Event], threads: usize) -> Layout {
        let mut positions: Vec<u64> = events
            .iter()
            .flat_map(|e| std::iter::once(e.invoke).chain(e.ret_at))
            .collect();
        positions.sort_unstable();
        positions.dedup();
        let idx = |p: u64| positions.binary_search(&p).unwrap_or(0);
        // Each bar must be wide enough for its label: one forward pass over the positions.
        let mut ends: Vec<Vec<(usize, f64)>> = vec![Vec::new(); positions.len()];
        let mut open_need = 0.0f64;
        let mut pending: Vec<(usize, f64)> = Vec::new();
        for e in events {
            match e.ret_at {
                Some(r) => ends[idx(r)].push((idx(e.invoke), label_width(e))),
                None => pending.push((idx(e.invoke), label_width(e))),
            }
        }
        let mut xs = vec![GUTTER + 16.0; positions.len()];
        for i in 0..positions.len() {
            let mut x = if i == 0 {
                GUTTER + 16.0
            } else {
                xs[i - 1] + MIN_GAP
            };
            for &(from, w) in &ends[i] {
                x = x.max(xs[from] + w);
            }
            xs[i] = x;
        }
        let last = xs.last().copied().unwrap_or(GUTTER + 16.0);
        for (from, w) in pending {
            open_need = open_need.max(xs[from] + w);
        }
        let open_end = (last + PENDING_TAIL).max(open_need + 12.0);
        let mut rows: BTreeMap<usize, usize> = (0..threads).map(|t| (t, 1)).collect();
        for e in events {
            let r = rows.entry(e.thread).or_insert(1);
            *r = (*r).max(depth(events, e) + 1);
        }
        let mut y = AXIS;
        let mut lanes = Vec::new();
        for (t, r) in rows {
            lanes.push((t, y, r));
            y += r as f64 * ROW + LANE_PAD;
        }
        Layout {
            positions,
            xs,
            open_end,
            width: open_end + 40.0,
            lanes,
            height: y + 8.0,
        }
    }

    fn x(&self, p: u64) -> f64 {
        match self.positions.binary_search(&p) {
            Ok(i) => self.xs[i],
            Err(_) => GUTTER,
        }
    }

    /// The x of a fractional position, between the columns around it.
    fn x_at(&self, p: f64) -> f64 {
        let i = self.positions.partition_point(|q| (*q as f64) <= p);
        match (i.checked_sub(1), self.positions.get(i)) {
            (None, _) => self.xs.first().copied().unwrap_or(GUTTER),
            (Some(a), None) => {
                let x = self.xs[a];
                x + (p - self.positions[a] as f64).min(1.0) * (self.open_end - x)
            }
            (Some(a), Some(b)) => {
                let (pa, pb) = (self.positions[a] as f64, *b as f64);
                self.xs[a] + (p - pa) / (pb - pa) * (self.xs[i] - self.xs[a])
            }
        }
    }

    fn span(&self, e: &Event) -> (f64, f64) {
        let x0 = self.x(e.invoke);
        let x1 = e.ret_at.map(|r| self.x(r)).unwrap_or(self.open_end);
        (x0, x1)
    }

    /// The top of the bar of `e`.
    fn y(&self, events: &[Event], e: &Event) -> f64 {
        let (_, top, _) = self
            .lanes
            .iter()
            .find(|l| l.0 == e.thread)
            .copied()
            .unwrap_or((0, AXIS, 1));
        top + depth(events, e) as f64 * ROW + (ROW - BAR) / 2.0
    }
}

/// What a picture shows: the run's history and verdict, and who failed how and how to run it again.
/// The page knows no record format; the caller fills this in from whatever it keeps.
#[derive(Debug, Clone)]
pub struct Page<'a> {
    pub model: &'a str,
    pub structure: &'a str,
    /// The engine, as its `Display` writes it.
    pub engine: String,
    pub verdict: &'a Verdict,
    pub history: &'a History,
    /// The workload's threads (a thread that recorded nothing still gets a lane).
    pub threads: usize,
    /// Schedules explored up to and including the failing one.
    pub schedules: usize,
    /// How shrinking changed the failure (`from X to Y`), when it did.
    pub shrunk: Option<String>,
    /// The commands that run the failure again, each with its label, first the main one.
    pub replay: Vec<(String, String)>,
}

/// The self-contained HTML page for `page`.
pub fn html(page: &Page) -> String {
    let h = page.history;
    let events = &h.events;
    let threads = events
        .iter()
        .map(|e| e.thread + 1)
        .max()
        .unwrap_or(0)
        .max(page.threads);
    let (failure, evidence): (Option<&crate::verdict::Failure>, &[usize]) = match page.verdict {
        Verdict::Fail(f) => (Some(f), &f.evidence),
        _ => (None, &[]),
    };
    let lin = failure.and_then(|f| f.linearization.as_ref());
    let layout = Layout::new(events, threads);
    let title = match failure {
        Some(f) => format!("{}: {} on {}", f.oracle, page.model, page.structure),
        None => format!("{} on {}", page.model, page.structure),
    };

    let mut out = String::new();
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>mapcheck: {}</title>\n<style>\n{}</style>\n</head>\n<body>\n",
        text(&title),
        css()
    );
    let _ = writeln!(out, "<h1>mapcheck failure: {}</h1>", text(&title));
    header(&mut out, page);
    if let Some(l) = lin {
        prefix_section(&mut out, events, l);
    }
    legend(&mut out, lin.is_some());
    svg(&mut out, events, &layout, evidence, lin);
    ops_table(&mut out, events, evidence, lin);
    out.push_str(SCROLL_SCRIPT);
    out.push_str("</body>\n</html>\n");
    out
}

/// Scrolls a long timeline so that the first operation the oracle names is in view.
const SCROLL_SCRIPT: &str = "<script>\n(function () {\n  var op = document.querySelector('g.op.evidence');\n  var box = document.querySelector('div.scroll');\n  if (op && box) {\n    var r = op.getBBox();\n    box.scrollLeft = Math.max(0, r.x - box.clientWidth / 3);\n  }\n})();\n</script>\n";

fn css() -> String {
    let hl = hex(HIGHLIGHT_RGB);
    let pf = hex(PREFIX_RGB);
    format!(
        "body {{ font-family: system-ui, sans-serif; margin: 16px 20px; color: #222; background: #fff; }}
h1 {{ font-size: 20px; margin: 0 0 10px; }}
h2 {{ font-size: 16px; margin: 18px 0 6px; }}
table.meta td {{ padding: 2px 10px 2px 0; vertical-align: top; }}
table.meta td:first-child {{ font-weight: 600; white-space: nowrap; }}
code, .mono {{ font-family: ui-monospace, 'DejaVu Sans Mono', monospace; font-size: 13px; }}
code.cmd {{ background: #f1f3f5; padding: 2px 6px; border-radius: 3px; user-select: all; }}
.evidence-text {{ color: #7a1d08; }}
.scroll {{ overflow-x: auto; border: 1px solid #ddd; display: inline-block; max-width: 100%; }}
svg text {{ font-family: ui-monospace, 'DejaVu Sans Mono', monospace; font-size: 11px; }}
.lane-bg-0 {{ fill: #ffffff; }}
.lane-bg-1 {{ fill: #f4f6f8; }}
.lane-name {{ font-family: system-ui, sans-serif; font-size: 13px; font-weight: 600; fill: #333; }}
.op rect, .op path.bar {{ fill: #d6e4f0; stroke: #4f79a1; stroke-width: 1.2; }}
.op.evidence rect, .op.evidence path.bar {{ fill: {hl}; stroke: #7a1d08; stroke-width: 2.5; }}
.op.evidence text {{ fill: #fff; font-weight: 700; }}
.op.stuck rect, .op.stuck path.bar {{ stroke: #f2a900; stroke-width: 3; stroke-dasharray: 6 3; }}
.op.other-key {{ opacity: 0.45; }}
.op.nested rect {{ fill: #e7eef5; }}
.op.nested.evidence rect {{ fill: {hl}; }}
.nest-link {{ stroke: #4f79a1; stroke-width: 1; stroke-dasharray: 2 2; }}
.lin-path {{ fill: none; stroke: {pf}; stroke-width: 2; stroke-opacity: 0.7; }}
.lin-mark circle {{ fill: {pf}; stroke: #fff; stroke-width: 1.5; }}
.lin-mark text {{ fill: #fff; font-size: 10px; font-weight: 700; }}
.stuck-line {{ stroke: #c62828; stroke-width: 2; stroke-dasharray: 5 4; }}
.stuck-label {{ fill: #c62828; font-weight: 700; }}
.tick {{ stroke: #e3e3e3; }}
.tick-label {{ fill: #888; font-size: 10px; }}
table.ops {{ border-collapse: collapse; margin-top: 6px; }}
table.ops th, table.ops td {{ border-bottom: 1px solid #e5e5e5; padding: 2px 10px; text-align: left; }}
table.ops tr.evidence td {{ background: {hl}; color: #fff; }}
.legend span {{ display: inline-block; margin-right: 16px; }}
.swatch {{ display: inline-block; width: 14px; height: 10px; border: 1px solid #555; margin-right: 4px; vertical-align: middle; }}
"
    )
}

fn header(out: &mut String, page: &Page) {
    let mut rows: Vec<(&str, String)> = vec![
        ("model", text(page.model).into_owned()),
        ("structure", text(page.structure).into_owned()),
        ("engine", text(&page.engine).into_owned()),
    ];
    match page.verdict {
        Verdict::Fail(f) => {
            rows.push(("oracle", text(&f.oracle.to_string()).into_owned()));
            rows.push((
                "evidence",
                format!("<span class=\"evidence-text\">{}</span>", text(&f.summary)),
            ));
        }
        Verdict::Unknown { reason } => rows.push(("verdict", format!("unknown: {}", text(reason)))),
        Verdict::NotApplicable { reason } => {
            rows.push(("verdict", format!("not applicable: {}", text(reason))))
        }
        Verdict::Pass => rows.push(("verdict", "pass".into())),
    }
    let init = if page.history.initial.is_empty() {
        "empty".to_string()
    } else {
        let kv: Vec<String> = page
            .history
            .initial
            .iter()
            .map(|(k, v)| format!("{k}:{v}"))
            .collect();
        kv.join(" ")
    };
    rows.push((
        "initial contents",
        format!("<span class=\"mono\">{}</span>", text(&init)),
    ));
    rows.push(("found after", format!("{} schedule(s)", page.schedules)));
    if let Some(shrunk) = &page.shrunk {
        rows.push(("shrunk", text(shrunk).into_owned()));
    }
    out.push_str("<table class=\"meta\">\n");
    for (k, v) in rows {
        let _ = writeln!(out, "<tr><td>{}</td><td>{v}</td></tr>", text(k));
    }
    for (i, (label, cmd)) in page.replay.iter().enumerate() {
        let code = format!("<code class=\"cmd\">{}</code>", text(cmd));
        let cell = if i == 0 {
            code
        } else {
            format!("<details><summary>show</summary>{code}</details>")
        };
        let _ = writeln!(out, "<tr><td>{}</td><td>{cell}</td></tr>", text(label));
    }
    out.push_str("</table>\n");
}

fn describe(events: &[Event], id: usize) -> String {
    match events.get(id) {
        Some(e) => labels(e).2,
        None => format!("#{id} (not in the history)"),
    }
}

fn prefix_section(out: &mut String, events: &[Event], l: &Linearization) {
    let what = match l.key {
        Some(k) => format!("the operations on key {k}"),
        None => "the whole history".to_string(),
    };
    let _ = writeln!(
        out,
        "<h2>Longest linearizable prefix</h2>\n<p>The checker ordered {} operation(s) of {} (green marks, in order), then got stuck.</p>",
        l.prefix.len(),
        text(&what)
    );
    out.push_str("<ol class=\"prefix mono\">\n");
    for id in &l.prefix {
        let _ = writeln!(out, "<li data-id=\"{id}\">{}</li>", text(&describe(events, *id)));
    }
    out.push_str("</ol>\n");
    if let Some((first, rest)) = l.stuck.split_first() {
        let _ = write!(
            out,
            "<p class=\"stuck-text\">Stuck: <span class=\"mono\">{}</span> had to take effect next (by its return, the red dashed line), and no candidate fits",
            text(&describe(events, *first))
        );
        if !rest.is_empty() {
            let others: Vec<String> = rest.iter().map(|id| describe(events, *id)).collect();
            let _ = write!(
                out,
                "; also tried: <span class=\"mono\">{}</span>",
                text(&others.join("; "))
            );
        }
        out.push_str(".</p>\n");
    }
}

fn legend(out: &mut String, lin: bool) {
    let hl = hex(HIGHLIGHT_RGB);
    let pf = hex(PREFIX_RGB);
    out.push_str("<p class=\"legend\">");
    let _ = write!(
        out,
        "<span><i class=\"swatch\" style=\"background:#d6e4f0\"></i>operation, from invocation to return</span>\
         <span><i class=\"swatch\" style=\"background:{hl}\"></i>named by the oracle</span>\
         <span>fading bar: never returned</span>\
         <span>lower row: removes made inside an iteration</span>"
    );
    if lin {
        let _ = write!(
            out,
            "<span><i class=\"swatch\" style=\"background:{pf}\"></i>numbered: linearized, in order</span>\
             <span><i class=\"swatch\" style=\"background:#fff;border:2px dashed #f2a900\"></i>stuck</span>\
             <span>faded: other keys</span>"
        );
    }
    out.push_str("</p>\n");
}

fn svg(out: &mut String, events: &[Event], layout: &Layout, evidence: &[usize], lin: Option<&Linearization>) {
    let (w, h) = (layout.width, layout.height);
    let _ = writeln!(
        out,
        "<h2>Timeline</h2>\n<div class=\"scroll\">\n<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w:.0}\" height=\"{h:.0}\" viewBox=\"0 0 {w:.0} {h:.0}\">"
    );
    out.push_str(
        "<defs>\
         <linearGradient id=\"fade\" x1=\"0\" x2=\"1\"><stop offset=\"0.5\" stop-color=\"#d6e4f0\"/><stop offset=\"1\" stop-color=\"#d6e4f0\" stop-opacity=\"0\"/></linearGradient>",
    );
    let hl = hex(HIGHLIGHT_RGB);
    let _ = writeln!(
        out,
        "<linearGradient id=\"fade-hl\" x1=\"0\" x2=\"1\"><stop offset=\"0.5\" stop-color=\"{hl}\"/><stop offset=\"1\" stop-color=\"{hl}\" stop-opacity=\"0\"/></linearGradient></defs>"
    );
    // Lanes.
    for (i, (t, top, rows)) in layout.lanes.iter().enumerate() {
        let lh = *rows as f64 * ROW;
        let _ = writeln!(
            out,
            "<g class=\"lane\" data-thread=\"{t}\"><rect class=\"lane-bg-{}\" x=\"0\" y=\"{:.1}\" width=\"{w:.0}\" height=\"{:.1}\"/><text class=\"lane-name\" x=\"10\" y=\"{:.1}\">thread {t}</text></g>",
            i % 2,
            top - LANE_PAD / 2.0,
            lh + LANE_PAD,
            top + ROW / 2.0 + 4.0
        );
    }
    // Position ticks, about every 60 pixels.
    let mut last_x = f64::MIN;
    for (p, x) in layout.positions.iter().zip(&layout.xs) {
        if x - last_x >= 60.0 {
            last_x = *x;
            let _ = writeln!(
                out,
                "<line class=\"tick\" x1=\"{x:.1}\" y1=\"{:.1}\" x2=\"{x:.1}\" y2=\"{:.1}\"/><text class=\"tick-label\" x=\"{x:.1}\" y=\"14\" text-anchor=\"middle\">{p}</text>",
                AXIS - 8.0,
                h - 4.0
            );
        }
    }
    let _ = writeln!(
        out,
        "<text class=\"tick-label\" x=\"10\" y=\"14\">position</text>"
    );
    let partition_key = lin.and_then(|l| l.key);
    let stuck: &[usize] = lin.map(|l| l.stuck.as_slice()).unwrap_or(&[]);
    // Operations.
    for e in events {
        let (x0, x1) = layout.span(e);
        let y = layout.y(events, e);
        let mut class = String::from("op");
        if evidence.contains(&e.id) {
            class.push_str(" evidence");
        }
        if stuck.contains(&e.id) {
            class.push_str(" stuck");
        }
        if e.parent.is_some() {
            class.push_str(" nested");
        }
        let other_key = match (partition_key, e.op.key()) {
            (Some(k), Some(ek)) => k != ek,
            (Some(_), None) => e.op == Op::Reclaim,
            _ => false,
        };
        if other_key {
            class.push_str(" other-key");
        }
        let (l1, l2, full) = labels(e);
        let _ = write!(
            out,
            "<g class=\"{class}\" data-id=\"{}\" data-thread=\"{}\"><title>{}</title>",
            e.id,
            e.thread,
            text(&full)
        );
        if let Some(p) = e.parent {
            if let Some(pe) = events.get(p) {
                let py = layout.y(events, pe) + BAR;
                let _ = write!(
                    out,
                    "<line class=\"nest-link\" x1=\"{:.1}\" y1=\"{py:.1}\" x2=\"{:.1}\" y2=\"{y:.1}\"/>",
                    x0 + 3.0,
                    x0 + 3.0
                );
            }
        }
        if e.ret_at.is_some() {
            let _ = write!(
                out,
                "<rect x=\"{x0:.1}\" y=\"{y:.1}\" width=\"{:.1}\" height=\"{BAR}\" rx=\"4\"/>",
                (x1 - x0).max(2.0)
            );
        } else {
            // Open-ended: no right edge, fading out.
            let fill = if evidence.contains(&e.id) {
                "url(#fade-hl)"
            } else {
                "url(#fade)"
            };
            let _ = write!(
                out,
                "<path class=\"bar\" style=\"fill:{fill}\" d=\"M{x1:.1},{y:.1} H{x0:.1} V{:.1} H{x1:.1}\"/>",
                y + BAR
            );
        }
        let _ = writeln!(
            out,
            "<text x=\"{:.1}\" y=\"{:.1}\">{}</text><text x=\"{:.1}\" y=\"{:.1}\">{}</text></g>",
            x0 + 6.0,
            y + 15.0,
            text(&l1),
            x0 + 6.0,
            y + 29.0,
            text(&l2)
        );
    }
    if let Some(l) = lin {
        linearization_marks(out, events, layout, l, h);
    }
    out.push_str("</svg>\n</div>\n");
}

/// The prefix drawn on the lanes: a numbered mark per linearized operation, at a point inside its
/// bar that respects the order, joined by a line; and the stuck point.
fn linearization_marks(out: &mut String, events: &[Event], layout: &Layout, l: &Linearization, h: f64) {
    // Points in position space: each after the previous one and after its invocation, before its
    // return, so the marks read left to right in linearization order.
    let mut points: Vec<(usize, f64, f64)> = Vec::new();
    let mut prev = f64::MIN;
    let end = layout.positions.last().map(|p| *p as f64 + 1.0).unwrap_or(1.0);
    for id in &l.prefix {
        let Some(e) = events.get(*id) else { continue };
        let lo = prev.max(e.invoke as f64);
        let hi = e.ret_at.map(|r| r as f64).unwrap_or(end);
        let p = (lo + ((hi - lo) / 2.0).min(0.35))
            .min(hi - 0.05)
            .max(e.invoke as f64 + 0.05);
        prev = p;
        points.push((*id, layout.x_at(p), layout.y(events, e) + BAR));
    }
    if points.len() > 1 {
        let d: Vec<String> = points.iter().map(|(_, x, y)| format!("{x:.1},{y:.1}")).collect();
        let _ = writeln!(out, "<polyline class=\"lin-path\" points=\"{}\"/>", d.join(" "));
    }
    for (n, (id, x, y)) in points.iter().enumerate() {
        let _ = writeln!(
            out,
            "<g class=\"lin-mark\" data-id=\"{id}\" data-order=\"{}\"><circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"8\"/><text x=\"{x:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text></g>",
            n + 1,
            y + 3.5,
            n + 1
        );
    }
    let stuck_at = l
        .stuck
        .first()
        .and_then(|id| events.get(*id))
        .and_then(|e| e.ret_at);
    if let Some(p) = stuck_at {
        let x = layout.x(p);
        let _ = writeln!(
            out,
            "<g class=\"stuck-point\"><line class=\"stuck-line\" x1=\"{x:.1}\" y1=\"{:.1}\" x2=\"{x:.1}\" y2=\"{:.1}\"/><text class=\"stuck-label\" x=\"{:.1}\" y=\"{:.1}\">stuck</text></g>",
            AXIS - 10.0,
            h - 2.0,
            x + 4.0,
            AXIS - 2.0
        );
    }
}

fn ops_table(out: &mut String, events: &[Event], evidence: &[usize], lin: Option<&Linearization>) {
    out.push_str(
        "<h2>Operations</h2>\n<table class=\"ops mono\">\n<tr><th>id</th><th>thread</th><th>operation</th><th>result</th><th>invoked</th><th>returned</th><th>inside</th><th>note</th></tr>\n",
    );
    for e in events {
        let mut notes = Vec::new();
        if evidence.contains(&e.id) {
            notes.push("named by the oracle".to_string());
        }
        if let Some(l) = lin {
            if let Some(n) = l.prefix.iter().position(|id| *id == e.id) {
                notes.push(format!("linearized #{}", n + 1));
            }
            if l.stuck.first() == Some(&e.id) {
                notes.push("stuck: had to come next".into());
            } else if l.stuck.contains(&e.id) {
                notes.push("stuck: tried".into());
            }
        }
        let class = if evidence.contains(&e.id) {
            " class=\"evidence\""
        } else {
            ""
        };
        let ret = e
            .ret
            .as_ref()
            .map(|r| r.to_string())
            .unwrap_or_else(|| "never returned".into());
        let _ = writeln!(
            out,
            "<tr{class} data-id=\"{}\"><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            e.id,
            e.id,
            e.thread,
            text(&e.op.to_string()),
            text(&ret),
            e.invoke,
            e.ret_at.map(|r| r.to_string()).unwrap_or_else(|| "-".into()),
            e.parent.map(|p| format!("#{p}")).unwrap_or_default(),
            text(&notes.join(", "))
        );
    }
    out.push_str("</table>\n");
}

/// `s` with `&`, `<` and `>` written as entities, for text between HTML tags (attribute values are
/// never built from input here).
fn text(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.contains(['&', '<', '>']) {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    std::borrow::Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::labels;
    use crate::history::{Event, Op, Ret, ValueIf};

    /// Each compound operation's bar label holds the whole operation and its result.
    #[test]
    fn compound_operations_are_labelled_whole() {
        let cases = [
            (
                Op::GetOrInsert { key: 1, value: 100 },
                Ret::Value(Some(7)),
                "get_or_insert(1, 100)",
                "-> 7",
            ),
            (
                Op::CompareAndSwap {
                    key: 1000001,
                    old: 1000002,
                    new: 1000003,
                },
                Ret::Bool(true),
                "compare_and_swap(1000001, 1000002, 1000003)",
                "-> true",
            ),
            (
                Op::CompareAndDelete { key: 2, old: 20 },
                Ret::Bool(false),
                "compare_and_delete(2, 20)",
                "-> false",
            ),
            (
                Op::RemoveIf {
                    key: 3,
                    delete: ValueIf::Not(30),
                },
                Ret::Value(None),
                "remove_if(3, delete: not 30)",
                "-> none",
            ),
            (
                Op::Update {
                    key: 1,
                    add: 1,
                    insert: Some(1),
                },
                Ret::Value(Some(0)),
                "update(1, add: 1, insert: 1)",
                "-> 0",
            ),
            (
                Op::Retain { delete: ValueIf::Odd },
                Ret::Yielded(vec![(1, 11), (2, 20)]),
                "retain(delete: odd)",
                "-> [1:11 2:20]",
            ),
        ];
        for (i, (op, ret, first, second)) in cases.into_iter().enumerate() {
            let e = Event {
                id: i,
                thread: 0,
                op,
                ret: Some(ret),
                invoke: 0,
                ret_at: Some(1),
                parent: None,
                visits: Vec::new(),
            };
            let (a, b, full) = labels(&e);
            assert_eq!(a, first);
            assert_eq!(b, format!("#{i} {second}"));
            assert_eq!(full, format!("#{i} T0 {first} {second}"));
        }
    }
}
