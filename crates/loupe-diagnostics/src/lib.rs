//! The one diagnostic model every Loupe layer reports through.
//!
//! A [`Diagnostic`] carries a stable [`Code`], byte [`Span`]s and a help line.
//! It is generic over the file key so the parser can report before it knows
//! which file it is reading; the database attaches its file input later. The
//! terminal renders it with codespan-reporting, the language server converts it
//! to LSP at its edge.

mod codes;
mod cut;
mod lines;
pub mod suggest;

pub use codes::Code;
pub use cut::{CutFiles, LONG_LINE};
pub use lines::{Column, LineCol, LineIndex};

use std::collections::HashMap;
use std::hash::Hash;

use codespan_reporting::diagnostic as codespan;

/// A half-open byte range into one source text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Span {
    pub start: u32,
    pub end: u32,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Span {
        Span { start: to_u32(start), end: to_u32(end.max(start)) }
    }

    /// An empty span at `offset`, for something that is missing there.
    pub fn empty(offset: usize) -> Span {
        Span::new(offset, offset)
    }

    pub fn range(self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }

    pub fn len(self) -> usize {
        (self.end - self.start) as usize
    }

    pub fn is_empty(self) -> bool {
        self.start == self.end
    }

    pub fn contains(self, other: Span) -> bool {
        self.start <= other.start && other.end <= self.end
    }

    /// The span `offset` bytes later.
    pub fn moved(self, offset: u32) -> Span {
        Span { start: self.start + offset, end: self.end + offset }
    }

    /// The smallest span that covers both.
    pub fn cover(self, other: Span) -> Span {
        Span { start: self.start.min(other.start), end: self.end.max(other.end) }
    }
}

fn to_u32(offset: usize) -> u32 {
    // Sources are capped far below 4 GiB by the drivers; saturate rather than wrap.
    u32::try_from(offset).unwrap_or(u32::MAX)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Severity {
    Error,
    Warning,
    Info,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Label<F> {
    pub file: F,
    pub span: Span,
    pub message: String,
}

impl<F> Label<F> {
    pub fn new(file: F, span: Span, message: impl Into<String>) -> Label<F> {
        Label { file, span, message: message.into() }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Diagnostic<F> {
    pub code: Code,
    pub severity: Severity,
    pub message: String,
    pub primary: Label<F>,
    pub secondary: Vec<Label<F>>,
    pub help: Option<String>,
}

impl<F> Diagnostic<F> {
    /// A diagnostic with the severity its code is registered with.
    pub fn new(code: Code, message: impl Into<String>, primary: Label<F>) -> Diagnostic<F> {
        Diagnostic {
            code,
            severity: code.severity(),
            message: message.into(),
            primary,
            secondary: Vec::new(),
            help: None,
        }
    }

    pub fn with_secondary(mut self, label: Label<F>) -> Diagnostic<F> {
        self.secondary.push(label);
        self
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Diagnostic<F> {
        self.help = Some(help.into());
        self
    }

    /// Re-keys every label, e.g. from the parser's `()` to a database file.
    pub fn map_file<G>(self, mut f: impl FnMut(F) -> G) -> Diagnostic<G> {
        let map_label = |label: Label<F>, f: &mut dyn FnMut(F) -> G| Label {
            file: f(label.file),
            span: label.span,
            message: label.message,
        };
        Diagnostic {
            code: self.code,
            severity: self.severity,
            message: self.message,
            primary: map_label(self.primary, &mut f),
            secondary: self.secondary.into_iter().map(|label| map_label(label, &mut f)).collect(),
            help: self.help,
        }
    }

    /// The same diagnostic with every span moved `offset` bytes later: for
    /// text that was parsed on its own, placed back into its file.
    pub fn moved_by(mut self, offset: u32) -> Diagnostic<F> {
        self.primary.span = self.primary.span.moved(offset);
        for label in &mut self.secondary {
            label.span = label.span.moved(offset);
        }
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// How many diagnostics of one file a driver shows: past it, one more line says
/// how many are left out, so that output stays in proportion to what a reader
/// can act on, however broken the input (like OPA's `--max-errors`).
pub const MAX_PER_FILE: usize = 50;

/// What a driver shows of a list of diagnostics, in order.
#[derive(Debug, PartialEq, Eq)]
pub enum Shown<'a, F> {
    Diagnostic(&'a Diagnostic<F>),
    /// In place of a file's diagnostics past [`MAX_PER_FILE`]: how many there are.
    Omitted {
        file: &'a F,
        count: usize,
    },
}

/// The first [`MAX_PER_FILE`] diagnostics of each file (by primary label), and
/// where the next would have been, the count of the rest.
pub fn cap_per_file<F: Hash + Eq>(diagnostics: &[Diagnostic<F>]) -> Vec<Shown<'_, F>> {
    let mut totals: HashMap<&F, usize> = HashMap::new();
    for diagnostic in diagnostics {
        *totals.entry(&diagnostic.primary.file).or_default() += 1;
    }
    let mut seen: HashMap<&F, usize> = HashMap::new();
    let mut shown = Vec::new();
    for diagnostic in diagnostics {
        let file = &diagnostic.primary.file;
        let nth = seen.entry(file).or_default();
        *nth += 1;
        if *nth <= MAX_PER_FILE {
            shown.push(Shown::Diagnostic(diagnostic));
        } else if *nth == MAX_PER_FILE + 1 {
            shown.push(Shown::Omitted { file, count: totals[file] - MAX_PER_FILE });
        }
    }
    shown
}

impl<F: Clone> Diagnostic<F> {
    /// The codespan-reporting form, for rendering on a terminal.
    pub fn to_codespan(&self) -> codespan::Diagnostic<F> {
        let severity = match self.severity {
            Severity::Error => codespan::Severity::Error,
            Severity::Warning => codespan::Severity::Warning,
            Severity::Info => codespan::Severity::Note,
        };
        let mut labels = vec![
            codespan::Label::primary(self.primary.file.clone(), self.primary.span.range())
                .with_message(self.primary.message.clone()),
        ];
        labels.extend(self.secondary.iter().map(|label| {
            codespan::Label::secondary(label.file.clone(), label.span.range()).with_message(label.message.clone())
        }));
        let notes = self.help.iter().map(|help| format!("help: {help}")).collect();
        codespan::Diagnostic::new(severity)
            .with_code(self.code.as_str())
            .with_message(self.message.clone())
            .with_labels(labels)
            .with_notes(notes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_file_shows_its_first_diagnostics_then_a_count() {
        let at = |file: u8, offset| Diagnostic::new(Code::SyntaxError, "x", Label::new(file, Span::empty(offset), ""));
        let mut diagnostics: Vec<_> = (0..MAX_PER_FILE + 3).map(|n| at(1, n)).collect();
        diagnostics.insert(10, at(2, 0));
        let shown = cap_per_file(&diagnostics);
        assert_eq!(shown.len(), MAX_PER_FILE + 2);
        assert_eq!(shown[10], Shown::Diagnostic(&diagnostics[10]));
        assert_eq!(shown[MAX_PER_FILE + 1], Shown::Omitted { file: &1, count: 3 });
    }
}
