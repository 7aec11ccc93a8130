//! Errors and warnings from loading evidence, and the limits that guard loading.

use std::fmt;

use loupe_diagnostics::{Column, LineCol, LineIndex, Span};

/// Bounds on what a load may cost. Every bound is checked before the work it guards.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Largest accepted input, in bytes (default 256 MiB).
    pub max_file_size: usize,
    /// Deepest accepted nesting of lists and objects (default 256, at most [`Limits::HARD_MAX_DEPTH`]).
    pub max_depth: usize,
    /// Most nodes that YAML aliases may copy into one file, all aliases together (default 1,000,000).
    /// This is what refuses a "billion laughs" alias bomb.
    pub max_alias_nodes: usize,
    /// Whether an object may repeat a key; if so the last occurrence wins (default false: an error).
    pub allow_duplicate_keys: bool,
}

impl Limits {
    /// The ceiling on `max_depth`, whatever is configured: deeper trees could exhaust the stack of
    /// code that walks them recursively.
    pub const HARD_MAX_DEPTH: usize = 4096;

    /// `max_depth` capped at [`Limits::HARD_MAX_DEPTH`].
    pub fn effective_max_depth(&self) -> usize {
        self.max_depth.min(Limits::HARD_MAX_DEPTH)
    }
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_file_size: 256 * 1024 * 1024,
            max_depth: 256,
            max_alias_nodes: 1_000_000,
            allow_duplicate_keys: false,
        }
    }
}

/// What went wrong while loading evidence.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// The input is larger than [`Limits::max_file_size`].
    TooLarge,
    /// The input holds nothing but white space (or, in YAML, comments).
    Empty,
    /// The input is not valid UTF-8.
    NotUtf8,
    /// The input is not well-formed JSON or YAML.
    Syntax,
    /// Lists and objects nest deeper than [`Limits::max_depth`].
    TooDeep,
    /// YAML aliases would copy more than [`Limits::max_alias_nodes`] nodes.
    AliasBudget,
    /// An object repeats a key.
    DuplicateKey,
    /// Valid YAML that Loupe does not read: a list or object used as a mapping key.
    Unsupported,
}

/// A load failure: what, why, and where.
///
/// Every error has a place: a failure about the whole file ([`ErrorKind::TooLarge`],
/// [`ErrorKind::Empty`]) points at its start, an empty span at line 1, column 1.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EvidenceError {
    /// What kind of failure.
    pub kind: ErrorKind,
    /// A sentence for people, without the location.
    pub message: String,
    /// The bytes the error is about.
    pub span: Span,
    /// The line and column of `span.start`.
    pub position: LineCol,
    /// A second place the error is about (the first occurrence of a duplicated key).
    pub related: Option<Related>,
}

/// A second location of an error, with what it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Related {
    /// What is there (`first defined`).
    pub message: String,
    /// Where.
    pub span: Span,
    /// The line and column of `span.start`.
    pub position: LineCol,
}

impl EvidenceError {
    /// An error at `span`, at line 1, column 1 until [`EvidenceError::locate`] places it.
    pub(crate) fn new(kind: ErrorKind, message: impl Into<String>, span: Span) -> EvidenceError {
        EvidenceError { kind, message: message.into(), span, position: LineCol::START, related: None }
    }

    /// An error about the whole file: an empty span at its start.
    pub(crate) fn whole_file(kind: ErrorKind, message: impl Into<String>) -> EvidenceError {
        EvidenceError::new(kind, message, Span::empty(0))
    }

    pub(crate) fn with_related(mut self, message: impl Into<String>, span: Span) -> EvidenceError {
        self.related = Some(Related { message: message.into(), span, position: LineCol::START });
        self
    }

    /// Fills in lines and columns from the index of the source the spans point into.
    pub(crate) fn locate(mut self, lines: &LineIndex) -> EvidenceError {
        self.position = lines.line_col(self.span.start, Column::Chars);
        if let Some(related) = &mut self.related {
            related.position = lines.line_col(related.span.start, Column::Chars);
        }
        self
    }
}

impl fmt::Display for EvidenceError {
    /// The message, then the position, except for errors about the whole file (too large, empty),
    /// whose position is always line 1, column 1.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        if !matches!(self.kind, ErrorKind::TooLarge | ErrorKind::Empty) {
            write!(f, " (line {}, column {})", self.position.line, self.position.column)?;
        }
        if let Some(Related { message, position, .. }) = &self.related {
            write!(f, "; {message} at line {}, column {}", position.line, position.column)?;
        }
        Ok(())
    }
}

impl std::error::Error for EvidenceError {}

/// Something loaded but worth telling: an unknown YAML tag, a resource without a type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Warning {
    /// A sentence for people.
    pub message: String,
    /// What it is about.
    pub span: Span,
}
