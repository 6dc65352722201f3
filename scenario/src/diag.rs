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
            message: message.into(),
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
        if handler.render_report(&mut out, self).is_err() {
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
    fn spans_past_the_end_are_clamped() {
        let o = Origin::new("f", "abc");
        let e = o.error(10..20, "m");
        assert_eq!(e.span, 3..3);
        assert!(e.render().contains("f:1:4"));
    }
}
