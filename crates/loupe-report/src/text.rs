//! The text report: what a person reads in a terminal or a CI log.

use std::borrow::Cow;
use std::collections::HashMap;
use std::io::Write;
use std::ops::Range;

use codespan_reporting::diagnostic::{Diagnostic, Label, Severity};
use codespan_reporting::files::SimpleFiles;
use codespan_reporting::term::termcolor::{Buffer, Color, ColorSpec, WriteColor};
use codespan_reporting::term::{self, Config};
use loupe_eval::{ChoiceReview, Finding, QuestionReview, Review, Risk, Status, Waiver};

use crate::{
    Context, by_severity, in_place, lens_title, not_selected, position, status_label, summary_line,
};

/// Indentation of a question's details, and of a choice's details.
const DETAIL: &str = "    ";
const CHOICE_DETAIL: &str = "      ";

pub(crate) fn render(review: &Review, context: &Context) -> String {
    let mut out = Out::new(context.color);
    let snippets = Snippets::new(review, context);

    out.styled(&bold(), &lens_title(review));
    if !review.lens.id.is_empty() {
        out.plain(&format!(" ({})", review.lens.id));
    }
    out.plain(&format!(" · review of {}\n", context.date));
    out.dimmed(&format!("pack {} · loupe {}\n", context.pack_root, context.tool_version));

    for pillar in &review.pillars {
        out.plain("\n");
        out.styled(bold().set_underline(true), &pillar.name);
        out.plain(&format!(" ({})\n", pillar.id));
        if pillar.questions.is_empty() {
            out.dimmed("  no questions\n");
        }
        for question in by_severity(pillar) {
            out.plain("\n");
            render_question(&mut out, question, &snippets);
        }
    }

    if !review.expired_waivers.is_empty() {
        out.plain("\n");
        out.styled(bold().set_fg(Some(Color::Yellow)), "Expired waivers");
        out.plain(" (no longer applied)\n");
        for waiver in &review.expired_waivers {
            out.plain(&format!("  {}: {}\n", waiver.question.id, waiver_text(waiver, "expired")));
        }
    }

    out.plain("\n");
    out.styled(&bold(), &summary_line(review));
    out.plain("\n");
    out.finish()
}

fn render_question(out: &mut Out, question: &QuestionReview, snippets: &Snippets) {
    let (label, spec) = risk_style(question.risk);
    out.plain("  ");
    out.styled(&spec, &format!("{label:<11}"));
    out.styled(&bold(), &question.id);
    out.plain(&format!(" {}\n", question.title));

    let (selected, total) = in_place(question);
    let mut facts = Vec::new();
    if total > 0 && !matches!(question.risk, Risk::NotApplicable | Risk::Unanswered) {
        facts.push(format!("{selected}/{total} practices in place"));
    }
    if let Some(rule) = &question.rule {
        facts.push(format!("rule: {rule}"));
    }
    if !facts.is_empty() {
        out.dimmed(&format!("{DETAIL}{}\n", facts.join(" · ")));
    }
    if let Some(none) = question.choices.iter().find(|choice| choice.is_none && choice.status == Status::Selected) {
        out.plain(&format!("{DETAIL}answered “{}”", none.title));
        if let Some(attestation) = &none.attestation {
            if let Some(by) = &attestation.by {
                out.plain(&format!(" by {by}"));
            }
            if let Some(note) = &attestation.note {
                out.plain(&format!(": {note}"));
            }
        }
        out.plain("\n");
    }
    if let Some(reason) = &question.not_applicable_reason {
        out.plain(&format!("{DETAIL}not applicable: {reason}\n"));
    }
    if let Some(waiver) = &question.waiver {
        let accepted = if question.is_waived() { "risk accepted" } else { "waiver" };
        out.styled(ColorSpec::new().set_fg(Some(Color::Cyan)), &format!("{DETAIL}{accepted}"));
        out.plain(&format!(": {}\n", waiver_text(waiver, "expires")));
    }

    let choices: Vec<&ChoiceReview> = match question.risk {
        // Nothing to improve on a question that does not apply.
        Risk::NotApplicable => Vec::new(),
        // Every choice is unknown: list only those that say why.
        Risk::Unanswered => not_selected(question).filter(|choice| !choice.findings.is_empty()).collect(),
        _ => not_selected(question).collect(),
    };
    if question.risk == Risk::Unanswered {
        out.dimmed(&format!("{DETAIL}no check decided it and no answer attests it\n"));
    }
    let severity = match question.risk {
        Risk::High => Severity::Error,
        Risk::Medium => Severity::Warning,
        _ => Severity::Note,
    };
    for choice in choices {
        render_choice(out, choice, severity, snippets);
    }
}

fn render_choice(out: &mut Out, choice: &ChoiceReview, severity: Severity, snippets: &Snippets) {
    let (mark, color) = match choice.status {
        Status::Selected => ("✓", Color::Green),
        Status::Unselected => ("✗", Color::Red),
        Status::NotApplicable => ("–", Color::White),
        Status::Unknown => ("?", Color::Yellow),
    };
    let how = if choice.automated { "automated" } else { "not automated" };
    out.plain(DETAIL);
    out.styled(ColorSpec::new().set_fg(Some(color)).set_bold(true), mark);
    out.plain(" ");
    out.styled(&bold(), &choice.id);
    out.plain(&format!(" {} ", choice.title));
    out.dimmed(&format!("[{}, {how}]\n", status_label(choice.status)));
    for finding in &choice.findings {
        match snippets.render(finding, severity, out.color) {
            Some(snippet) => out.raw_indented(&snippet, CHOICE_DETAIL),
            None => {
                out.plain(&format!("{CHOICE_DETAIL}• {}", finding.message));
                if let Some(location) = &finding.location {
                    out.dimmed(&format!(" ({})", position(location)));
                }
                out.plain("\n");
            }
        }
    }
    if choice.status == Status::NotApplicable {
        return;
    }
    if let Some(plan) = &choice.improvement {
        out.styled(ColorSpec::new().set_fg(Some(Color::Cyan)), &format!("{CHOICE_DETAIL}improve:"));
        out.plain(&format!(" {}", plan.text));
        if let Some(url) = &plan.url {
            out.plain(" ");
            out.styled(ColorSpec::new().set_underline(true), url);
        }
        out.plain("\n");
    }
}

/// `reason (owner alice, expires 2025-12-31)`.
fn waiver_text(waiver: &Waiver, expiry: &str) -> String {
    format!("{} (owner {}, {expiry} {})", waiver.reason, waiver.owner, waiver.expires)
}

fn risk_style(risk: Risk) -> (&'static str, ColorSpec) {
    let mut spec = ColorSpec::new();
    let label = match risk {
        Risk::High => {
            spec.set_fg(Some(Color::Red)).set_bold(true);
            "HIGH"
        }
        Risk::Medium => {
            spec.set_fg(Some(Color::Yellow)).set_bold(true);
            "MEDIUM"
        }
        Risk::None => {
            spec.set_fg(Some(Color::Green));
            "NONE"
        }
        Risk::Unanswered => {
            spec.set_dimmed(true);
            "UNANSWERED"
        }
        Risk::NotApplicable => {
            spec.set_dimmed(true);
            "N/A"
        }
    };
    (label, spec)
}

fn bold() -> ColorSpec {
    let mut spec = ColorSpec::new();
    spec.set_bold(true);
    spec
}

/// The evidence and lens files that findings point into, for snippets.
struct Snippets<'a> {
    files: SimpleFiles<String, Cow<'a, str>>,
    ids: HashMap<String, usize>,
}

impl<'a> Snippets<'a> {
    fn new(review: &Review, context: &Context<'a>) -> Snippets<'a> {
        let mut files = SimpleFiles::new();
        let mut ids = HashMap::new();
        let locations = review
            .pillars
            .iter()
            .flat_map(|pillar| &pillar.questions)
            .flat_map(|question| &question.choices)
            .flat_map(|choice| &choice.findings)
            .filter_map(|finding| finding.location.as_ref());
        for location in locations {
            let name = location.file.as_str();
            if !ids.contains_key(name)
                && let Some(text) = (context.source)(name)
            {
                ids.insert(name.to_owned(), files.add(printable(name).into_owned(), printable(text)));
            }
        }
        Snippets { files, ids }
    }

    /// The finding as a codespan-reporting diagnostic with its evidence
    /// snippet, or `None` when its source is not at hand.
    fn render(&self, finding: &Finding, severity: Severity, color: bool) -> Option<String> {
        let location = finding.location.as_ref()?;
        let &id = self.ids.get(&location.file)?;
        let source = self.files.get(id).ok()?.source().as_ref();
        let range = clamp(location.start as usize..location.end as usize, source);
        let diagnostic = Diagnostic::new(severity)
            .with_message(printable(&finding.message))
            .with_labels(vec![Label::primary(id, range)]);
        let mut buffer = if color { Buffer::ansi() } else { Buffer::no_color() };
        term::emit_to_write_style(&mut buffer, &Config::default(), &self.files, &diagnostic).ok()?;
        let text = String::from_utf8(buffer.into_inner()).ok()?;
        Some(text.trim_end().to_owned())
    }
}

/// `text` with control characters (other than line breaks and tabs) shown
/// as `?`, or `¿` for those of two bytes: so that evidence cannot drive the
/// terminal, and byte offsets into it stay valid.
fn printable(text: &str) -> Cow<'_, str> {
    let is_bad = |c: char| c.is_control() && !matches!(c, '\n' | '\t' | '\r');
    if !text.contains(is_bad) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(
        text.chars()
            .map(|c| {
                if !is_bad(c) {
                    c
                } else if c.is_ascii() {
                    '?'
                } else {
                    '¿'
                }
            })
            .collect(),
    )
}

/// `range` within `source`, on character boundaries.
fn clamp(range: Range<usize>, source: &str) -> Range<usize> {
    let floor = |mut at: usize| {
        at = at.min(source.len());
        while !source.is_char_boundary(at) {
            at -= 1;
        }
        at
    };
    let start = floor(range.start);
    start..floor(range.end.max(start))
}

/// The report being written, with color when asked for.
struct Out {
    buffer: Buffer,
    color: bool,
}

impl Out {
    fn new(color: bool) -> Out {
        Out { buffer: if color { Buffer::ansi() } else { Buffer::no_color() }, color }
    }

    // Writing to an in-memory buffer cannot fail.
    fn plain(&mut self, text: &str) {
        let _ = self.buffer.write_all(printable(text).as_bytes());
    }

    fn styled(&mut self, spec: &ColorSpec, text: &str) {
        let _ = self.buffer.set_color(spec);
        self.plain(text);
        let _ = self.buffer.reset();
    }

    fn dimmed(&mut self, text: &str) {
        // Keep the trailing newline outside the escape codes.
        let (body, newline) = match text.strip_suffix('\n') {
            Some(body) => (body, "\n"),
            None => (text, ""),
        };
        self.styled(ColorSpec::new().set_dimmed(true), body);
        self.plain(newline);
    }

    /// Already styled text, every line indented.
    fn raw_indented(&mut self, text: &str, indent: &str) {
        for line in text.lines() {
            if !line.is_empty() {
                let _ = self.buffer.write_all(indent.as_bytes());
                let _ = self.buffer.write_all(line.as_bytes());
            }
            let _ = self.buffer.write_all(b"\n");
        }
    }

    fn finish(self) -> String {
        String::from_utf8_lossy(&self.buffer.into_inner()).into_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::printable;

    #[test]
    fn control_characters_are_shown_not_sent() {
        let text = "a\u{1b}[31mb\u{7}\u{9b}c\td\n";
        let shown = printable(text);
        assert_eq!(shown, "a?[31mb?¿c\td\n");
        assert_eq!(shown.len(), text.len());
    }
}
