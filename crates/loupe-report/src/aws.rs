//! Answers for the Well-Architected Tool: per answered question, the
//! payload of its UpdateAnswer API (less the `WorkloadId`, which the caller
//! adds). Unanswered questions are left out, so that posting the payloads
//! never clears an answer a person gave in the console.

use std::fmt::Write;

use loupe_model::{ChoiceReview, QuestionReview, Review, Risk, Status};
use serde::Serialize;

use crate::{Context, position, truncate_chars};

/// The API's limit on a question's notes, in characters.
const NOTES_LIMIT: usize = 2084;
/// The API's limit on a choice's notes, in characters.
const CHOICE_NOTES_LIMIT: usize = 250;

pub(crate) fn render(review: &Review, context: &Context) -> String {
    let answers: Vec<Answer> = review
        .pillars
        .iter()
        .flat_map(|pillar| &pillar.questions)
        .filter(|question| question.risk != Risk::Unanswered)
        .map(|question| answer(review, question, context))
        .collect();
    let mut text = serde_json::to_string_pretty(&answers).unwrap_or_default();
    text.push('\n');
    text
}

fn answer<'a>(review: &'a Review, question: &'a QuestionReview, context: &Context) -> Answer<'a> {
    let notes = truncate_chars(&notes(question, context), NOTES_LIMIT);
    if question.risk == Risk::NotApplicable {
        // The question's reason, and nothing about choices that do not matter.
        return Answer {
            lens_alias: &review.lens.id,
            question_id: &question.id,
            selected_choices: Vec::new(),
            choice_updates: Updates(Vec::new()),
            notes,
            is_applicable: false,
            reason: Some("OUT_OF_SCOPE"),
        };
    }
    // When Loupe decided every practice and none is in place, "None of these"
    // is what the tool must see to compute the same risk.
    let practices = || question.choices.iter().filter(|choice| !choice.is_none);
    let none_of_these = practices().all(|choice| matches!(choice.status, Status::Unselected | Status::NotApplicable))
        && practices().any(|choice| choice.status == Status::Unselected);
    let selected = |choice: &ChoiceReview| choice.status == Status::Selected || (choice.is_none && none_of_these);
    Answer {
        lens_alias: &review.lens.id,
        question_id: &question.id,
        selected_choices: question.choices.iter().filter(|c| selected(c)).map(|choice| choice.id.as_str()).collect(),
        choice_updates: Updates(
            question
                .choices
                .iter()
                .filter_map(|choice| Some((choice.id.as_str(), choice_update(choice, selected(choice), context)?)))
                .collect(),
        ),
        notes,
        is_applicable: true,
        reason: None,
    }
}

/// A choice's status and why, for the choices a check or an attestation
/// decided; `None` for the rest.
fn choice_update(choice: &ChoiceReview, selected: bool, context: &Context) -> Option<ChoiceUpdate> {
    let (status, reason) = match choice.status {
        _ if selected => ("SELECTED", None),
        Status::NotApplicable => ("NOT_APPLICABLE", Some("OUT_OF_SCOPE")),
        Status::Unselected if !choice.is_none => ("UNSELECTED", None),
        Status::Selected | Status::Unselected | Status::Unknown => return None,
    };
    let notes = if choice.is_none && selected && choice.attestation.is_none() {
        "Every practice was decided by Loupe, and none is in place.".to_owned()
    } else {
        evidence(choice, context)
    };
    Some(ChoiceUpdate { status, reason, notes: truncate_chars(&notes, CHOICE_NOTES_LIMIT) })
}

/// One line on what decided a choice.
fn evidence(choice: &ChoiceReview, context: &Context) -> String {
    let findings = || {
        choice
            .findings
            .iter()
            .map(|finding| match &finding.location {
                Some(location) => format!("{} ({})", finding.message, position(location, context)),
                None => finding.message.clone(),
            })
            .collect::<Vec<_>>()
            .join("; ")
    };
    match (choice.status, &choice.attestation) {
        (Status::Selected, Some(attestation)) => {
            let mut text = String::from("Attested");
            if let Some(by) = &attestation.by {
                let _ = write!(text, " by {by}");
            }
            if let Some(note) = &attestation.note {
                let _ = write!(text, ": {note}");
            }
            text
        }
        (Status::Selected, None) => "Loupe check passed.".to_owned(),
        (Status::NotApplicable, _) => match &choice.not_applicable {
            Some(inapplicable) => format!("Loupe check does not apply: {}", inapplicable.reason()),
            None => "Loupe check does not apply to this workload.".to_owned(),
        },
        (Status::Unselected, _) if choice.findings.is_empty() => "Loupe check failed.".to_owned(),
        (Status::Unselected, _) => format!("Loupe check failed: {}", findings()),
        (Status::Unknown, _) => findings(),
    }
}

/// The question's notes: the review's risk, and the evidence for each
/// choice.
fn notes(question: &QuestionReview, context: &Context) -> String {
    let mut out = format!("Loupe {} review of {}: ", context.tool_version, context.date);
    match (&question.not_applicable_reason, &question.rule) {
        (Some(reason), _) => {
            let _ = write!(out, "not applicable: {reason}");
            return out;
        }
        (None, Some(rule)) => {
            let _ = writeln!(out, "{} (rule: {rule}).", risk_words(question.risk));
        }
        (None, None) => {
            let _ = writeln!(out, "{}.", risk_words(question.risk));
        }
    }
    if let Some(waiver) = question.waiver.as_ref().filter(|_| question.is_waived()) {
        let _ = writeln!(out, "Risk accepted until {} (owner {}): {}", waiver.expires, waiver.owner, waiver.reason);
    }
    for choice in &question.choices {
        let mark = match choice.status {
            Status::Selected => "[x]",
            Status::Unselected if choice.is_none => continue,
            Status::Unselected => "[ ]",
            Status::NotApplicable => "[-]",
            Status::Unknown => "[?]",
        };
        let evidence = match choice.status {
            Status::Unknown if choice.findings.is_empty() => "no check, not attested".to_owned(),
            _ => evidence(choice, context),
        };
        let _ = writeln!(out, "{mark} {}: {evidence}", choice.id);
    }
    out.trim_end().to_owned()
}

fn risk_words(risk: Risk) -> &'static str {
    match risk {
        Risk::High => "high risk",
        Risk::Medium => "medium risk",
        Risk::None => "no risk",
        Risk::Unanswered => "unanswered",
        Risk::NotApplicable => "not applicable",
    }
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct Answer<'a> {
    lens_alias: &'a str,
    question_id: &'a str,
    selected_choices: Vec<&'a str>,
    #[serde(skip_serializing_if = "Updates::is_empty")]
    choice_updates: Updates<'a>,
    notes: String,
    is_applicable: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<&'static str>,
}

/// Choice updates as a JSON object, in pack order.
struct Updates<'a>(Vec<(&'a str, ChoiceUpdate)>);

impl Updates<'_> {
    fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl Serialize for Updates<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.0.iter().map(|(id, update)| (id, update)))
    }
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct ChoiceUpdate {
    status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<&'static str>,
    notes: String,
}
