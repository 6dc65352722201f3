//! Scenario diagnostics: an error pointing at a file, line and column, rendered the way rustc and
//! miette render them.

use miette::{Diagnostic, GraphicalReportHandler, GraphicalTheme, NamedSource, SourceSpan};
use std::fmt;
use std::ops::Range;

/// Where a scenario's text came from, kept so any later check can point into it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    /// The file name shown in diagnostics.
    pub file: String,
    pub text: String,
}

impl Origin {
    pub fn new(file: impl Into<String>, text: impl Into<String>) -> Origin {
        Origin {
            file: file.into(),
            text: text.into(),
        }
    }

    /// An error at `span` (byte offsets into the text; clamped to it).
    pub fn error(&self, span: Range<usize>, message: impl Into<String>) -> ScenarioError {
        let len = self.text.len();
        let start = span.start.min(len);
        let end = span.end.clamp(start, len);
        ScenarioError {
            message: crate::import::shorten(&message.into(), crate::import::EXCERPT + 100),
            label: String::new(),
            help: None,
            file: self.file.clone(),
            text: self.text.clone(),
            named: NamedSource::new(self.file.clone(), self.text.clone()),
            span: start..end,
        }
    }

    /// 1-based line and column of byte offset `at`.
    pub fn line_col(&self, at: usize) -> (usize, usize) {
        line_col(&self.text, at)
    }
}

fn line_col(text: &str, at: usize) -> (usize, usize) {
    let mut at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    let before = &text[..at];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

/// A scenario that cannot be read: what was wrong, where, and what was expected.
#[derive(Debug, Clone)]
pub struct ScenarioError {
    /// What was found and what was expected.
    pub message: String,
    /// The short note under the pointed-at text.
    pub label: String,
    pub help: Option<String>,
    pub file: String,
    text: String,
    named: NamedSource<String>,
    /// Byte offsets into the file.
    pub span: Range<usize>,
}

impl PartialEq for ScenarioError {
    fn eq(&self, other: &Self) -> bool {
        (
            &self.message,
            &self.label,
            &self.help,
            &self.file,
            &self.text,
            &self.span,
        ) == (
            &other.message,
            &other.label,
            &other.help,
            &other.file,
            &other.text,
            &other.span,
        )
    }
}

impl Eq for ScenarioError {}

impl ScenarioError {
    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.label = label.into();
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// 1-based line and column of the start of the error.
    pub fn line_col(&self) -> (usize, usize) {
        line_col(&self.text, self.span.start)
    }

    /// `file:line:col: message`, one line, for logs and tests.
    pub fn short(&self) -> String {
        let (line, col) = self.line_col();
        format!("{}:{line}:{col}: {}", self.file, self.message)
    }

    /// The full diagnostic with the source excerpt, without colour (for files, logs and CI).
    pub fn render(&self) -> String {
        self.render_with(GraphicalTheme::unicode_nocolor())
    }

    /// The full diagnostic in colour, for a terminal.
    pub fn render_color(&self) -> String {
        self.render_with(GraphicalTheme::unicode())
    }

    fn render_with(&self, theme: GraphicalTheme) -> String {
        let (line, col) = self.line_col();
        let mut out = format!("error: {}:{line}:{col}\n", self.file);
        let handler = GraphicalReportHandler::new_themed(theme).with_width(100);
        // The excerpt shows at most a window of each line around the error, so a long line (a
        // generated file's thousands of operations) is never echoed whole.
        let (text, span) = window(&self.text, self.span.clone());
        let view = ScenarioError {
            named: NamedSource::new(self.file.clone(), text.clone()),
            text,
            span,
            ..self.clone()
        };
        if handler.render_report(&mut out, &view).is_err() {
            out.push_str(&self.short());
        }
        out
    }
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ScenarioError {}

impl Diagnostic for ScenarioError {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new("mapcheck::scenario"))
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help.as_ref().map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        Some(&self.named)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = miette::LabeledSpan> + '_>> {
        let span = SourceSpan::from(self.span.start..self.span.end.max(self.span.start));
        let label = (!self.label.is_empty()).then(|| self.label.clone());
        Some(Box::new(std::iter::once(miette::LabeledSpan::new_with_span(
            label, span,
        ))))
    }
}

/// Characters of one line a rendered excerpt shows at most.
const LINE_WINDOW: usize = crate::import::EXCERPT;

/// The text with every line longer than [`LINE_WINDOW`] cut to a window (around the span on the
/// span's line, its start elsewhere), and the span moved into the cut text. Lines keep their
/// numbers.
fn window(text: &str, span: Range<usize>) -> (String, Range<usize>) {
    // Tabs and other control characters are shown as one space: a renderer expands a tab to
    // several columns, and a window of tabs would be wider than the window. Each is one byte, as
    // is the space, so spans stay where they were.
    let text: String = text
        .chars()
        .map(|c| if c.is_ascii_control() && c != '\n' { ' ' } else { c })
        .collect();
    let text = text.as_str();
    if text.lines().all(|l| l.chars().count() <= LINE_WINDOW) {
        return (text.to_string(), span);
    }
    let mut out = String::with_capacity(text.len().min(64 * 1024));
    let mut new_span = span.clone();
    let mut at = 0;
    for piece in text.split_inclusive('\n') {
        let body = piece.strip_suffix('\n').unwrap_or(piece);
        let ending = &piece[body.len()..];
        let holds_span = (at..=at + body.len()).contains(&span.start);
        if body.chars().count() <= LINE_WINDOW {
            if holds_span {
                new_span = out.len() + (span.start - at)..out.len() + (span.end.min(at + body.len()) - at);
            }
            out.push_str(piece);
        } else {
            // Char boundaries of the window: up to half a window before the span's start.
            let rel = if holds_span { span.start - at } else { 0 };
            let mut from = rel.saturating_sub(LINE_WINDOW / 2);
            while !body.is_char_boundary(from) {
                from -= 1;
            }
            let mut to = body[from..]
                .char_indices()
                .nth(LINE_WINDOW)
                .map_or(body.len(), |(i, _)| from + i);
            while !body.is_char_boundary(to) {
                to -= 1;
            }
            let lead = if from > 0 { "..." } else { "" };
            let tail = if to < body.len() { "..." } else { "" };
            let base = out.len() + lead.len();
            out.push_str(lead);
            out.push_str(&body[from..to]);
            out.push_str(tail);
            out.push_str(ending);
            if holds_span {
                let start = base + (rel - from).min(to - from);
                let end = base + (span.end.clamp(span.start, at + to) - at - from).min(to - from);
                new_span = start..end.max(start);
            }
        }
        at += piece.len();
    }
    if span.start >= text.len() {
        new_span = out.len()..out.len();
    }
    (out, new_span)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column_are_one_based_and_count_characters() {
        let o = Origin::new("a.toml", "x = 1\ny = \"é\" z\n");
        assert_eq!(o.line_col(0), (1, 1));
        assert_eq!(o.line_col(6), (2, 1));
        let z = o.text.find('z').unwrap();
        assert_eq!(o.line_col(z), (2, 9));
    }

    #[test]
    fn render_names_the_file_line_and_column_and_shows_the_text() {
        let o = Origin::new("scenarios/x.toml", "source = \"s\"\nseed = \"many\"\n");
        let e = o
            .error(20..26, "expected an integer, found a string")
            .label("here")
            .help("write a number");
        let r = e.render();
        assert!(r.contains("scenarios/x.toml:2:8"), "{r}");
        assert!(r.contains("seed = \"many\""), "{r}");
        assert!(r.contains("expected an integer"), "{r}");
        assert!(r.contains("write a number"), "{r}");
        assert_eq!(
            e.short(),
            "scenarios/x.toml:2:8: expected an integer, found a string"
        );
    }

    #[test]
    fn a_long_line_is_never_echoed_whole() {
        let ops: Vec<String> = (0..3000).map(|i| format!("\"get({i})\"")).collect();
        let text = format!(
            "source = \"s\"\n[[thread]]\nops = [{}, \"get(x)\"]\n",
            ops.join(", ")
        );
        assert!(text.len() > 30_000);
        let e = crate::parse("long.toml", &text).unwrap_err();
        let r = e.render();
        let longest = r.lines().map(|l| l.chars().count()).max().unwrap_or(0);
        assert!(longest < 260, "a rendered line of {longest} characters:\n{r}");
        assert!(r.len() < 2000, "{} bytes:\n{r}", r.len());
        assert!(r.contains("long.toml:3:"), "{r}");
        // The excerpt still points at what is wrong.
        assert!(r.contains("get(x)") || r.contains("operations"), "{r}");
    }

    #[test]
    fn tabs_do_not_widen_the_window() {
        let text = format!("source = \"s\"\n{}x = 1\n", "\t".repeat(150));
        let e = crate::parse("tabs.toml", &text).unwrap_err();
        let r = e.render();
        let longest = r.lines().map(|l| l.chars().count()).max().unwrap_or(0);
        assert!(longest < 260, "a rendered line of {longest} characters:\n{r}");
    }

    #[test]
    fn windows_keep_spans_on_their_text() {
        let line = "x".repeat(500) + "BAD" + &"y".repeat(500);
        let text = format!("a\n{line}\nb\n");
        let at = text.find("BAD").unwrap();
        let (view, span) = window(&text, at..at + 3);
        assert_eq!(&view[span], "BAD");
        assert_eq!(view.lines().count(), 3);
        assert!(view.lines().all(|l| l.chars().count() <= LINE_WINDOW + 6));
    }

    #[test]
    fn spans_past_the_end_are_clamped() {
        let o = Origin::new("f", "abc");
        let e = o.error(10..20, "m");
        assert_eq!(e.span, 3..3);
        assert!(e.render().contains("f:1:4"));
    }
}
