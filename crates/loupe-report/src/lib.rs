//! Reports: a [`Review`] rendered as text for a terminal or CI log, stable
//! JSON, SARIF 2.1.0 for code scanning, JUnit XML, Markdown for a
//! pull-request comment, or answer payloads for the Well-Architected Tool.
//!
//! Rendering is pure: it takes the review's plain data and a [`Context`]
//! (versions, date, and the source files that locations point into, for
//! lines, columns and snippets) and returns a string; the driver decides
//! where it goes. Locations are byte spans; lines and columns are made here,
//! columns counting Unicode characters. The formats are documented in
//! `docs/report.md`.

use std::fmt;
use std::str::FromStr;

use loupe_diagnostics::{Column, LineCol, LineIndex};
use loupe_model::{ChoiceReview, Location, PillarReview, QuestionReview, Review, Risk, Status};

mod aws;
mod baseline;
mod json;
mod junit;
mod markdown;
mod sarif;
mod text;

pub use baseline::{Baseline, Comparison};
pub use markdown::MARKDOWN_LIMIT;

/// A report format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Format {
    Text,
    Json,
    Sarif,
    Junit,
    Markdown,
    AwsAnswers,
}

impl Format {
    /// Every format, in the order the CLI lists them.
    pub const ALL: [Format; 6] =
        [Format::Text, Format::Json, Format::Sarif, Format::Junit, Format::Markdown, Format::AwsAnswers];

    /// The format's name on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Text => "text",
            Format::Json => "json",
            Format::Sarif => "sarif",
            Format::Junit => "junit",
            Format::Markdown => "markdown",
            Format::AwsAnswers => "aws-answers",
        }
    }

    /// What the format is for, as `loupe run --help` lists it.
    pub fn description(self) -> &'static str {
        match self {
            Format::Text => {
                "For a person: verdict and counts, then pillars with risks, findings, evidence and improvement plans"
            }
            Format::Json => "For programs: the whole review, stable and documented (docs/report.md)",
            Format::Sarif => "SARIF 2.1.0, for GitHub code scanning: one result per missing practice or finding",
            Format::Junit => "JUnit XML, for CI test views: one test case per question",
            Format::Markdown => "Markdown, for a pull-request comment",
            Format::AwsAnswers => "The Well-Architected Tool's UpdateAnswer payloads, one per question",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A format name that is not one of [`Format::ALL`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownFormat(pub String);

impl fmt::Display for UnknownFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = Format::ALL.iter().map(|format| format.as_str()).collect();
        write!(f, "unknown report format `{}` (expected one of: {})", self.0, names.join(", "))
    }
}

impl std::error::Error for UnknownFormat {}

impl FromStr for Format {
    type Err = UnknownFormat;

    fn from_str(name: &str) -> Result<Format, UnknownFormat> {
        Format::ALL.into_iter().find(|format| format.as_str() == name).ok_or_else(|| UnknownFormat(name.to_owned()))
    }
}

/// What a report needs besides the review itself.
pub struct Context<'a> {
    /// Loupe's version, e.g. `0.1.0`.
    pub tool_version: &'a str,
    /// The review date, `YYYY-MM-DD`.
    pub date: &'a str,
    /// The display path of the pack, e.g. `policies/genai`.
    pub pack_root: &'a str,
    /// Text only: whether to use ANSI colors.
    pub color: bool,
    /// An evidence or `.lens` file by the display name that [`Location`]s
    /// use; `None` when it is not at hand (its locations are then shown by
    /// file name only).
    pub source: &'a dyn Fn(&str) -> Option<Source<'a>>,
    /// What changed since `--baseline`, when one was given.
    pub baseline: Option<&'a Comparison>,
}

/// A file that locations point into: its text, for snippets, and its line
/// index (the driver's, built once per file), for lines and columns.
#[derive(Clone, Copy, Debug)]
pub struct Source<'a> {
    pub text: &'a str,
    pub lines: &'a LineIndex,
}

impl Context<'_> {
    /// Where `location` starts, its column in characters; `None` when its
    /// file is not at hand.
    fn line_col(&self, location: &Location) -> Option<LineCol> {
        (self.source)(&location.file).map(|source| source.lines.line_col(location.start, Column::Chars))
    }
}

impl fmt::Debug for Context<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Context")
            .field("tool_version", &self.tool_version)
            .field("date", &self.date)
            .field("pack_root", &self.pack_root)
            .field("color", &self.color)
            .finish_non_exhaustive()
    }
}

/// Renders `review` in `format`.
pub fn render(format: Format, review: &Review, context: &Context) -> String {
    let mut bytes = Vec::new();
    // Writing to memory cannot fail, and every format writes UTF-8.
    let _ = write(format, review, context, &mut bytes);
    String::from_utf8(bytes).unwrap_or_default()
}

/// Writes `review` in `format` to `out`; JSON and SARIF as they are
/// serialized, so a large review is never held as text.
pub fn write(format: Format, review: &Review, context: &Context, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    let text = match format {
        Format::Json => return json::write(review, context, out),
        Format::Sarif => return sarif::write(review, context, out),
        Format::Text => text::render(review, context),
        Format::Junit => junit::render(review, context),
        Format::Markdown => markdown::render(review, context, MARKDOWN_LIMIT),
        Format::AwsAnswers => aws::render(review, context),
    };
    out.write_all(text.as_bytes())
}

/// Writes `value` as pretty JSON and a newline. serde_json writes a few
/// bytes at a time: they go through a buffer of a known type, so each is a
/// copy, not a call through `out`.
fn write_json(value: &impl serde::Serialize, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    use std::io::Write;
    let mut buffered = std::io::BufWriter::with_capacity(1 << 16, out);
    let mut serializer = serde_json::Serializer::with_formatter(&mut buffered, Indented::default());
    value.serialize(&mut serializer)?;
    buffered.write_all(b"\n")?;
    buffered.flush()
}

/// serde_json's pretty format (two spaces a level), but each line break and
/// its indentation written at once, not two bytes a level: a large report
/// has millions of lines.
#[derive(Default)]
struct Indented {
    /// A line break and the spaces of the deepest level so far.
    line: Vec<u8>,
    level: usize,
    /// Whether the container being written has a member yet.
    has_value: bool,
}

impl Indented {
    fn open<W: ?Sized + std::io::Write>(&mut self, writer: &mut W, bracket: &[u8]) -> std::io::Result<()> {
        self.level += 1;
        self.has_value = false;
        writer.write_all(bracket)
    }

    fn close<W: ?Sized + std::io::Write>(&mut self, writer: &mut W, bracket: &[u8]) -> std::io::Result<()> {
        self.level -= 1;
        if self.has_value {
            self.new_line(writer)?;
        }
        writer.write_all(bracket)
    }

    fn member<W: ?Sized + std::io::Write>(&mut self, writer: &mut W, first: bool) -> std::io::Result<()> {
        if !first {
            writer.write_all(b",")?;
        }
        self.new_line(writer)
    }

    fn new_line<W: ?Sized + std::io::Write>(&mut self, writer: &mut W) -> std::io::Result<()> {
        let width = 1 + 2 * self.level;
        if self.line.len() < width {
            self.line.resize(width, b' ');
            self.line[0] = b'\n';
        }
        writer.write_all(&self.line[..width])
    }
}

impl serde_json::ser::Formatter for Indented {
    fn begin_array<W: ?Sized + std::io::Write>(&mut self, writer: &mut W) -> std::io::Result<()> {
        self.open(writer, b"[")
    }

    fn end_array<W: ?Sized + std::io::Write>(&mut self, writer: &mut W) -> std::io::Result<()> {
        self.close(writer, b"]")
    }

    fn begin_array_value<W: ?Sized + std::io::Write>(&mut self, writer: &mut W, first: bool) -> std::io::Result<()> {
        self.member(writer, first)
    }

    fn end_array_value<W: ?Sized + std::io::Write>(&mut self, _writer: &mut W) -> std::io::Result<()> {
        self.has_value = true;
        Ok(())
    }

    fn begin_object<W: ?Sized + std::io::Write>(&mut self, writer: &mut W) -> std::io::Result<()> {
        self.open(writer, b"{")
    }

    fn end_object<W: ?Sized + std::io::Write>(&mut self, writer: &mut W) -> std::io::Result<()> {
        self.close(writer, b"}")
    }

    fn begin_object_key<W: ?Sized + std::io::Write>(&mut self, writer: &mut W, first: bool) -> std::io::Result<()> {
        self.member(writer, first)
    }

    fn begin_object_value<W: ?Sized + std::io::Write>(&mut self, writer: &mut W) -> std::io::Result<()> {
        writer.write_all(b": ")
    }

    fn end_object_value<W: ?Sized + std::io::Write>(&mut self, _writer: &mut W) -> std::io::Result<()> {
        self.has_value = true;
        Ok(())
    }
}

/// The URL of the project, for SARIF's `informationUri` and fallbacks.
const HOMEPAGE: &str = "https://github.com/loupe-policy/loupe";

/// A pillar's questions, high risk first, then medium, then the rest in pack
/// order.
fn by_severity(pillar: &PillarReview) -> Vec<&QuestionReview> {
    let mut questions: Vec<&QuestionReview> = pillar.questions.iter().collect();
    questions.sort_by_key(|question| match question.risk {
        Risk::High => 0,
        Risk::Medium => 1,
        _ => 2,
    });
    questions
}

/// The practices of a question: its choices other than "None of these".
fn practices(question: &QuestionReview) -> impl Iterator<Item = &ChoiceReview> {
    question.choices.iter().filter(|choice| !choice.is_none)
}

/// A question's practices in place (`1/3`) and the others by status
/// (`1 missing, 1 not applicable`), so that the counts add up; `None` for a
/// question without practices.
fn practice_counts(question: &QuestionReview) -> Option<(String, Option<String>)> {
    let total = practices(question).count();
    if total == 0 {
        return None;
    }
    let count = |status: Status| practices(question).filter(|choice| choice.status == status).count();
    let others = other_counts(count(Status::Unselected), count(Status::NotApplicable), count(Status::Unknown));
    Some((format!("{}/{total}", count(Status::Selected)), others))
}

/// `2 missing, 1 not applicable, 3 unknown`, zero counts left out.
fn other_counts(missing: usize, not_applicable: usize, unknown: usize) -> Option<String> {
    let parts: Vec<String> = [(missing, "missing"), (not_applicable, "not applicable"), (unknown, "unknown")]
        .into_iter()
        .filter(|(count, _)| *count > 0)
        .map(|(count, name)| format!("{count} {name}"))
        .collect();
    (!parts.is_empty()).then(|| parts.join(", "))
}

/// The choices a report lists under a question: those not selected, except
/// an unselected "None of these" (which only says that something else is).
fn not_selected(question: &QuestionReview) -> impl Iterator<Item = &ChoiceReview> {
    question.choices.iter().filter(|choice| choice.status != Status::Selected && !choice.is_none)
}

/// `file:line:column`, or `file` when it is not at hand.
fn position(location: &Location, context: &Context) -> String {
    match context.line_col(location) {
        Some(at) => format!("{}:{at}", location.file),
        None => location.file.clone(),
    }
}

/// A human label for a risk.
fn risk_label(risk: Risk) -> &'static str {
    match risk {
        Risk::High => "high",
        Risk::Medium => "medium",
        Risk::None => "none",
        Risk::Unanswered => "unanswered",
        Risk::NotApplicable => "not applicable",
    }
}

/// A human label for a choice status.
fn status_label(status: Status) -> &'static str {
    match status {
        Status::Selected => "in place",
        Status::Unselected => "missing",
        Status::NotApplicable => "not applicable",
        Status::Unknown => "unknown",
    }
}

fn plural(count: usize, one: &str, many: &str) -> String {
    format!("{count} {}", if count == 1 { one } else { many })
}

/// `29 questions: 3 high, 5 medium, 12 none, 9 unanswered · 18/51 practices
/// in place (22 automated) · 1 waiver`; zero counts of a risk are left out.
fn summary_line(review: &Review) -> String {
    let summary = &review.summary;
    let risks: Vec<String> = [
        (summary.high, "high"),
        (summary.medium, "medium"),
        (summary.none, "none"),
        (summary.unanswered, "unanswered"),
        (summary.not_applicable, "not applicable"),
    ]
    .into_iter()
    .filter(|(count, _)| *count > 0)
    .map(|(count, name)| format!("{count} {name}"))
    .collect();
    let mut line = plural(summary.questions, "question", "questions");
    if !risks.is_empty() {
        line.push_str(": ");
        line.push_str(&risks.join(", "));
    }
    line.push_str(&format!(" · {}/{} practices in place", summary.selected, summary.choices));
    if let Some(others) = other_counts(summary.unselected, summary.not_applicable_practices, summary.unknown) {
        line.push_str(&format!(" ({others})"));
    }
    line.push_str(&format!(" · {} automated", summary.automated));
    if summary.waived > 0 {
        line.push_str(&format!(" · {}", plural(summary.waived, "waiver", "waivers")));
    }
    if !review.expired_waivers.is_empty() {
        line.push_str(&format!(" · {}", plural(review.expired_waivers.len(), "expired waiver", "expired waivers")));
    }
    line
}

/// At most `max` characters of `text`, ending in `…` when cut.
fn truncate_chars(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut out: String = text.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// The lens as `Name 1.2.0`, or its id when it has no name.
fn lens_title(review: &Review) -> String {
    let name = if review.lens.name.is_empty() { &review.lens.id } else { &review.lens.name };
    match &review.lens.version {
        Some(version) => format!("{name} {version}"),
        None => name.clone(),
    }
}

#[cfg(test)]
mod tests {
    /// The reports' indentation is serde_json's pretty format, byte for byte.
    #[test]
    fn json_is_written_as_serde_json_pretty_prints_it() {
        let value = serde_json::json!({
            "empty": { "object": {}, "list": [] },
            "deep": [[1, [2, { "a": [3, { "b": [] }] }]], "é\n\"", null, true, 1.5],
            "last": { "x": { "y": { "z": { "w": "level five" } } } },
        });
        let mut written = Vec::new();
        super::write_json(&value, &mut written).expect("a Vec takes every write");
        let expected = serde_json::to_string_pretty(&value).expect("JSON") + "\n";
        assert_eq!(String::from_utf8(written).expect("UTF-8"), expected);
    }
}
