//! Results on the pack's sample evidence (`[sample]` of `loupe.toml`): code
//! lenses on questions and checked choices, inlay hints with each question's
//! risk, and a choice's result for hover. Read from `loupe_eval::review`, as
//! `loupe run` reports them, so the editor and the CLI agree; its evaluations
//! are the memos of `evaluate_choice`, re-run only for what an edit changed.

use loupe_db::{Db, Pack, SourceFile, parse_file};
use loupe_eval::{Answers, ChoiceReview, QuestionReview, Review, Risk, Status, Workload};
use loupe_syntax::Item;

use crate::Span;

/// A line of text above a definition.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct CodeLens {
    /// The name the lens is about: a question's or choice's id.
    pub span: Span,
    pub title: String,
}

/// A label shown in the text, after `offset`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct InlayHint {
    pub offset: u32,
    pub label: String,
}

/// The review of the sample, or `None` when there is nothing to review: no
/// sample, or none of its files could be read (no answer without evidence).
fn sample_review(db: &dyn Db, pack: Pack, sample: Option<Workload>) -> Option<Review> {
    let sample = sample.filter(|sample| !sample.files(db).is_empty())?;
    // No answers file: the evidence alone, and no date makes a waiver apply.
    Some(loupe_eval::review(db, pack, sample, &Answers::default(), ""))
}

/// Each question of `file` with its review, and the span of its id.
fn questions_of<'r>(db: &dyn Db, file: SourceFile, review: &'r Review) -> Vec<(Span, &'r QuestionReview, Span)> {
    let name = file.name(db);
    let mut found = Vec::new();
    for item in &parse_file(db, file).file.items {
        let Item::Pillar(pillar) = item else { continue };
        for question in &pillar.questions {
            let Some(id) = &question.id else { continue };
            let reviewed = review.pillars.iter().flat_map(|pillar| &pillar.questions).find(|reviewed| {
                reviewed.id == id.text
                    && reviewed.defined_at.file == *name
                    && reviewed.defined_at.start == id.span.start
            });
            let header_end = question.title.as_ref().map_or(id.span, |title| title.span);
            found.extend(reviewed.map(|reviewed| (id.span, reviewed, header_end)));
        }
    }
    found
}

/// One lens per question ("risk: high · 1 of 2 practices in place") and one
/// per choice with a check ("in place", "not in place: …", "not applicable:
/// …"), on the sample; nothing without one.
pub fn code_lenses(db: &dyn Db, pack: Pack, file: SourceFile, sample: Option<Workload>) -> Vec<CodeLens> {
    let Some(review) = sample_review(db, pack, sample) else { return Vec::new() };
    let mut lenses = Vec::new();
    for (span, question, _) in questions_of(db, file, &review) {
        lenses.push(CodeLens { span, title: question_summary(question) });
        for choice in question.choices.iter().filter(|choice| choice.automated) {
            let span = Span { start: choice.defined_at.start, end: choice.defined_at.end };
            lenses.push(CodeLens { span, title: choice_result(choice) });
        }
    }
    lenses
}

/// Each question's risk on the sample, after its header's title.
pub fn inlay_hints(db: &dyn Db, pack: Pack, file: SourceFile, sample: Option<Workload>) -> Vec<InlayHint> {
    let Some(review) = sample_review(db, pack, sample) else { return Vec::new() };
    questions_of(db, file, &review)
        .into_iter()
        .map(|(_, question, header)| InlayHint { offset: header.end, label: risk_label(question.risk) })
        .collect()
}

/// What hover adds to a choice with a check: its result on the sample, with
/// its first findings, or that there is no sample to show one on.
pub(crate) fn choice_hover(db: &dyn Db, pack: Pack, sample: Option<Workload>, question: &str, choice: &str) -> String {
    let Some(review) = sample_review(db, pack, sample) else {
        return "No sample evidence is configured: name some under `[sample]` in `loupe.toml` to see this check's result."
            .to_string();
    };
    let found = review.pillars.iter().flat_map(|pillar| &pillar.questions).find(|each| each.id == question);
    let Some(choice) = found.and_then(|question| question.choices.iter().find(|each| each.id == choice)) else {
        return String::new();
    };
    let mut lines = vec![format!("On the sample evidence: **{}**", status_words(choice.status))];
    match (&choice.not_applicable, &choice.findings[..]) {
        (Some(inapplicable), _) => lines.push(format!("- {}", inapplicable.reason())),
        (None, findings) => {
            lines.extend(findings.iter().take(FINDINGS_SHOWN).map(|finding| format!("- {}", finding.message)));
            if findings.len() > FINDINGS_SHOWN {
                lines.push(format!("- and {} more", findings.len() - FINDINGS_SHOWN));
            }
        }
    }
    lines.join("\n")
}

/// Findings listed in a hover: enough to act on, few enough to read.
const FINDINGS_SHOWN: usize = 3;

fn question_summary(question: &QuestionReview) -> String {
    let practices: Vec<&ChoiceReview> = question.choices.iter().filter(|choice| !choice.is_none).collect();
    let in_place = practices.iter().filter(|choice| choice.status == Status::Selected).count();
    let undecided = practices.iter().filter(|choice| choice.status == Status::Unknown).count();
    let plural = if practices.len() == 1 { "" } else { "s" };
    let tally = format!("{in_place} of {} practice{plural} in place", practices.len());
    let undecided = match undecided {
        0 => String::new(),
        1 => " · 1 undecided".to_string(),
        n => format!(" · {n} undecided"),
    };
    match question.risk {
        Risk::Unanswered => format!("unanswered on the sample · {tally}{undecided}"),
        Risk::NotApplicable => format!(
            "not applicable: {}",
            question.not_applicable_reason.as_deref().unwrap_or("none of its practices applies")
        ),
        risk => format!("{} · {tally}{undecided}", risk_label(risk)),
    }
}

fn choice_result(choice: &ChoiceReview) -> String {
    match choice.status {
        Status::Selected => "in place".to_string(),
        Status::Unselected => match choice.findings.first() {
            Some(first) if choice.findings.len() > 1 => {
                format!("not in place: {} (and {} more)", first.message, choice.findings.len() - 1)
            }
            Some(first) => format!("not in place: {}", first.message),
            None => "not in place".to_string(),
        },
        Status::NotApplicable => match &choice.not_applicable {
            Some(inapplicable) => format!("not applicable: {}", inapplicable.reason()),
            None => "not applicable".to_string(),
        },
        Status::Unknown => match choice.findings.first() {
            Some(first) => format!("undecided: {}", first.message),
            None => "undecided".to_string(),
        },
    }
}

fn status_words(status: Status) -> &'static str {
    match status {
        Status::Selected => "in place",
        Status::Unselected => "not in place",
        Status::NotApplicable => "not applicable",
        Status::Unknown => "undecided",
    }
}

fn risk_label(risk: Risk) -> String {
    match risk {
        Risk::High => "risk: high".to_string(),
        Risk::Medium => "risk: medium".to_string(),
        Risk::None => "risk: none".to_string(),
        Risk::Unanswered => "unanswered".to_string(),
        Risk::NotApplicable => "not applicable".to_string(),
    }
}
