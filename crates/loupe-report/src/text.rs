//! The text report: what a person reads in a terminal or a CI log.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::io::Write;
use std::ops::Range;

use codespan_reporting::diagnostic::{Diagnostic, Label, Severity};
use codespan_reporting::files::{self, Files};
use codespan_reporting::term::termcolor::{Buffer, Color, ColorSpec, WriteColor};
use codespan_reporting::term::{self, Config};
use loupe_diagnostics::{CutFiles, LineIndex};
use loupe_model::{ChoiceReview, Finding, Location, QuestionReview, Review, Risk, Status, Waiver};

use crate::{
    Context, by_severity, lens_title, not_selected, plural, position, practice_counts, risk_label, status_label,
    summary_line,
};

/// Indentation of a question's details, and of a choice's details.
const DETAIL: &str = "    ";
const CHOICE_DETAIL: &str = "      ";

pub(crate) fn render(review: &Review, context: &Context) -> String {
    let mut out = Out::new(context.color);
    let mut snippets = Snippets::new(review, context);

    out.styled(&bold(), &lens_title(review));
    if !review.lens.id.is_empty() {
        out.plain(&format!(" ({})", review.lens.id));
    }
    out.plain(&format!(" · review of {}\n", context.date));
    out.dimmed(&format!("pack {} · loupe {}\n", context.pack_root, context.tool_version));
    for evidence in &review.evidence {
        let resources = plural(evidence.resources, "resource", "resources");
        out.dimmed(&format!("evidence {} ({}, {resources})\n", evidence.file, evidence.format));
    }
    out.plain("\n");
    let (verdict, spec) = verdict(review);
    out.styled(&spec, &verdict);
    out.plain("\n");
    out.styled(&bold(), &summary_line(review));
    out.plain("\n");
    if let Some(comparison) = context.baseline {
        out.plain(&format!(
            "since the baseline: {} new, {} worse, {} unchanged, {} fixed, {} no longer seen (not counted as fixed)\n",
            plural(comparison.new.len(), "finding", "findings"),
            plural(comparison.worse.len(), "question", "questions"),
            comparison.unchanged,
            comparison.fixed,
            comparison.no_longer_seen,
        ));
    }

    for pillar in &review.pillars {
        out.plain("\n");
        out.styled(bold().set_underline(true), &pillar.name);
        out.plain(&format!(" ({})\n", pillar.id));
        if pillar.questions.is_empty() {
            out.dimmed("  no questions\n");
        }
        for question in by_severity(pillar) {
            out.plain("\n");
            render_question(&mut out, question, &mut snippets, context);
        }
    }

    out.plain("\n");
    out.styled(&bold(), &summary_line(review));
    out.plain("\n");
    out.finish()
}

/// The verdict: the most severe risk that no waiver accepts, and how many
/// questions have it.
fn verdict(review: &Review) -> (String, ColorSpec) {
    let gated: Vec<Risk> = review.pillars.iter().flat_map(|p| &p.questions).filter_map(|q| q.gated_risk()).collect();
    let count = |risk: Risk| gated.iter().filter(|&&gated| gated == risk).count();
    let waived = match review.summary.waived {
        0 => String::new(),
        n => format!(" ({} accepted by waivers)", plural(n, "risk", "risks")),
    };
    let (high, medium) = (count(Risk::High), count(Risk::Medium));
    let mut spec = bold();
    let text = if high > 0 {
        spec.set_fg(Some(Color::Red));
        let medium = if medium > 0 { format!(", {medium} at medium") } else { String::new() };
        format!("Verdict: HIGH RISK · {} at high risk{medium}{waived}", plural(high, "question", "questions"))
    } else if medium > 0 {
        spec.set_fg(Some(Color::Yellow));
        format!("Verdict: MEDIUM RISK · {} at medium risk{waived}", plural(medium, "question", "questions"))
    } else {
        spec.set_fg(Some(Color::Green));
        format!("Verdict: no high or medium risk{waived}")
    };
    (text, spec)
}

fn render_question(out: &mut Out, question: &QuestionReview, snippets: &mut Snippets, context: &Context) {
    let (label, spec) = if question.is_waived() {
        ("WAIVED", ColorSpec::new().set_fg(Some(Color::Cyan)).set_bold(true).clone())
    } else {
        risk_style(question.risk)
    };
    out.plain("  ");
    out.styled(&spec, &format!("{label:<11}"));
    out.styled(&bold(), &question.id);
    out.plain(&format!(" {}\n", question.title));

    let counts = practice_counts(question).map_or_else(String::new, |(in_place, others)| match others {
        Some(others) => format!("{in_place} practices in place: {others}"),
        None => format!("{in_place} practices in place"),
    });
    let mut facts = Vec::new();
    if question.is_waived() {
        facts.push(format!("{} risk", risk_label(question.risk)));
    }
    if !counts.is_empty() && !matches!(question.risk, Risk::NotApplicable | Risk::Unanswered) {
        facts.push(counts);
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
    } else if question.residual_risk != question.risk {
        out.styled(ColorSpec::new().set_fg(Some(Color::Cyan)), &format!("{DETAIL}risk accepted in part"));
        out.plain(&format!(": {} once the waivers below apply\n", risk_label(question.residual_risk)));
    }
    for waiver in &question.expired_waivers {
        out.styled(ColorSpec::new().set_fg(Some(Color::Yellow)), &format!("{DETAIL}expired waiver"));
        out.plain(&format!(" of {}, not applied: {}\n", waiver.target(), waiver_text(waiver, "expired")));
    }

    let choices: Vec<&ChoiceReview> = match question.risk {
        // Nothing to improve on a question that does not apply: only what its checks looked for.
        Risk::NotApplicable => not_selected(question).filter(|choice| choice.not_applicable.is_some()).collect(),
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
        render_choice(out, choice, severity, snippets, context);
    }
}

fn render_choice(out: &mut Out, choice: &ChoiceReview, severity: Severity, snippets: &mut Snippets, context: &Context) {
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
    if let Some(inapplicable) = choice.not_applicable.as_ref().filter(|_| choice.status == Status::NotApplicable) {
        out.dimmed(&format!("{CHOICE_DETAIL}{}\n", inapplicable.reason()));
        return;
    }
    if let Some(waiver) = &choice.waiver {
        out.styled(ColorSpec::new().set_fg(Some(Color::Cyan)), &format!("{CHOICE_DETAIL}accepted"));
        out.plain(&format!(": {}\n", waiver_text(waiver, "expires")));
    }
    for finding in choice.findings.iter() {
        let severity = if finding.waiver.is_some() { Severity::Note } else { severity };
        match snippets.render(finding, severity, out.color) {
            Some(snippet) => out.raw_indented(&snippet, CHOICE_DETAIL),
            None => {
                out.plain(&format!("{CHOICE_DETAIL}• {}", finding.message));
                if let Some(location) = &finding.location {
                    let seen = if snippets.was_shown(location) { ", shown above" } else { "" };
                    out.dimmed(&format!(" ({}{seen})", position(location, context)));
                }
                out.plain("\n");
            }
        }
        if let Some(waiver) = &finding.waiver {
            out.styled(ColorSpec::new().set_fg(Some(Color::Cyan)), &format!("{CHOICE_DETAIL}accepted"));
            out.plain(&format!(" for {}: {}\n", waiver.target(), waiver_text(waiver, "expires")));
        }
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
    files: SnippetFiles<'a>,
    ids: HashMap<String, usize>,
    /// The places already shown: each snippet once, then referred to.
    shown: HashSet<(String, u32, u32)>,
}

impl<'a> Snippets<'a> {
    fn new(review: &Review, context: &Context<'a>) -> Snippets<'a> {
        let mut files = SnippetFiles(Vec::new());
        let mut ids = HashMap::new();
        let locations = review
            .pillars
            .iter()
            .flat_map(|pillar| &pillar.questions)
            .flat_map(|question| &question.choices)
            .flat_map(|choice| choice.findings.iter())
            .filter_map(|finding| finding.location.as_ref());
        for location in locations {
            let name = location.file.as_str();
            if !ids.contains_key(name)
                && let Some(source) = (context.source)(name)
            {
                ids.insert(name.to_owned(), files.0.len());
                files.0.push(SnippetFile {
                    name: printable(name).into_owned(),
                    text: printable(source.text),
                    lines: source.lines,
                });
            }
        }
        Snippets { files, ids, shown: HashSet::new() }
    }

    fn was_shown(&self, location: &Location) -> bool {
        self.shown.contains(&(location.file.clone(), location.start, location.end))
    }

    /// The finding as a codespan-reporting diagnostic with its evidence
    /// snippet, or `None` when its source is not at hand or its snippet was
    /// shown already.
    fn render(&mut self, finding: &Finding, severity: Severity, color: bool) -> Option<String> {
        let location = finding.location.as_ref()?;
        let &id = self.ids.get(&location.file)?;
        if !self.shown.insert((location.file.clone(), location.start, location.end)) {
            return None;
        }
        let source = &self.files.0.get(id)?.text;
        let range = clamp(location.start as usize..location.end as usize, source);
        let mut diagnostic = Diagnostic::new(severity)
            .with_message(printable(&finding.message))
            .with_labels(vec![Label::primary(id, range)]);
        let mut buffer = if color { Buffer::ansi() } else { Buffer::no_color() };
        // A one-line Terraform plan must not print whole, secrets and all.
        match CutFiles::cut(&self.files, &mut diagnostic) {
            Some(cut) => term::emit_to_write_style(&mut buffer, &Config::default(), &cut, &diagnostic),
            None => term::emit_to_write_style(&mut buffer, &Config::default(), &self.files, &diagnostic),
        }
        .ok()?;
        let text = String::from_utf8(buffer.into_inner()).ok()?;
        Some(text.trim_end().to_owned())
    }
}

/// One file of the snippets: its text made printable (offsets unchanged, so
/// the driver's line index still holds).
struct SnippetFile<'a> {
    name: String,
    text: Cow<'a, str>,
    lines: &'a LineIndex,
}

/// codespan-reporting's view of the snippets' files.
struct SnippetFiles<'a>(Vec<SnippetFile<'a>>);

impl<'a> SnippetFiles<'a> {
    fn get(&self, id: usize) -> Result<&SnippetFile<'a>, files::Error> {
        self.0.get(id).ok_or(files::Error::FileMissing)
    }
}

impl<'f> Files<'f> for SnippetFiles<'_> {
    type FileId = usize;
    type Name = &'f str;
    type Source = &'f str;

    fn name(&'f self, id: usize) -> Result<&'f str, files::Error> {
        Ok(&self.get(id)?.name)
    }

    fn source(&'f self, id: usize) -> Result<&'f str, files::Error> {
        Ok(&self.get(id)?.text)
    }

    fn line_index(&'f self, id: usize, byte_index: usize) -> Result<usize, files::Error> {
        Ok(self.get(id)?.lines.codespan_line(byte_index))
    }

    fn line_range(&'f self, id: usize, line_index: usize) -> Result<Range<usize>, files::Error> {
        self.get(id)?.lines.codespan_line_range(line_index)
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
