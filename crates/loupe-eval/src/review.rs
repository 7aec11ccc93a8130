//! A workload's review: every choice's status and every question's risk, in
//! pack order, with attestations, not-applicable questions and waivers
//! from an answers file applied.

use std::sync::Arc;

use loupe_db::{Db, Pack, SourceFile, Span, pack_index, pack_name, parse_file, pillar_order};
use loupe_syntax::{BinaryOp, Expr, ExprKind, Item, Link, Question, RiskLevel, UnaryOp};

use loupe_model::{
    Attestation, ChoiceReview, EvidenceSummary, Finding, LensInfo, LinkInfo, Location, PillarReview, Practice,
    QuestionReview, Review, Risk, Status, Summary, Waiver,
};

use crate::answers::Answers;
use crate::compile::ChoiceKey;
use crate::evaluate::evaluate_choice;
use crate::inputs::load_evidence;
use crate::inputs::{EvidenceFile, Workload};
use crate::interp::Outcome;

/// Reviews `workload` against `pack`, with `answers` applied as of `today`
/// (`YYYY-MM-DD`).
pub fn review(db: &dyn Db, pack: Pack, workload: Workload, answers: &Answers, today: &str) -> Review {
    let mut lens = LensInfo::default();
    let mut pillars = Vec::new();
    let index = pack_index(db, pack);
    for &file in pack.files(db) {
        for item in &parse_file(db, file).file.items {
            match item {
                Item::Lens(header) if index.lens_files.first() == Some(&file) && lens.id.is_empty() => {
                    lens = LensInfo {
                        id: header.id.as_ref().map(|id| id.text.clone()).unwrap_or_default(),
                        name: header.name.as_ref().map(|name| name.value.clone()).unwrap_or_default(),
                        version: header.version.as_ref().map(|v| v.value.clone()),
                        description: header.description.as_ref().map(|d| d.value.clone()),
                    };
                }
                Item::Pillar(pillar) => {
                    let Some(id) = &pillar.id else { continue };
                    let questions = pillar
                        .questions
                        .iter()
                        .filter_map(|question| review_question(db, pack, workload, file, question, answers, today))
                        .collect();
                    pillars.push(PillarReview {
                        id: id.text.clone(),
                        name: pillar.name.as_ref().map(|name| name.value.clone()).unwrap_or_default(),
                        questions,
                    });
                }
                _ => {}
            }
        }
    }
    let order = pillar_order(db, pack);
    pillars.sort_by_key(|pillar| order.iter().position(|id| *id == pillar.id).unwrap_or(usize::MAX));
    let expired_waivers = answers.waivers.iter().filter(|waiver| !waiver.in_force(today)).cloned().collect();
    let unmatched_waivers = answers
        .waivers
        .iter()
        .filter(|waiver| waiver.in_force(today) && !accepts_something(waiver, &pillars))
        .cloned()
        .collect();
    let summary = Summary::of(&pillars);
    let evidence = workload.files(db).iter().filter_map(|&file| summarize_evidence(db, file)).collect();
    Review { lens, pillars, expired_waivers, unmatched_waivers, evidence, summary }
}

/// Whether a waiver in force accepts something of the review.
fn accepts_something(waiver: &Waiver, pillars: &[PillarReview]) -> bool {
    let Some(question) = pillars.iter().flat_map(|p| &p.questions).find(|q| q.id == waiver.question.id) else {
        return false;
    };
    let Some(choice_id) = &waiver.choice else { return matches!(question.risk, Risk::High | Risk::Medium) };
    let Some(choice) = question.choices.iter().find(|c| c.id == choice_id.id) else { return false };
    match &waiver.resource {
        None => choice.status == Status::Unselected,
        Some(resource) => choice.findings.iter().any(|finding| {
            finding.resource.as_deref() == Some(resource.id.as_str())
                && waiver
                    .file
                    .as_ref()
                    .is_none_or(|file| finding.location.as_ref().is_some_and(|location| location.file == file.id))
        }),
    }
}

fn summarize_evidence(db: &dyn Db, file: EvidenceFile) -> Option<EvidenceSummary> {
    let evidence = load_evidence(db, file).as_ref().as_ref().ok()?;
    let mut types = std::collections::BTreeMap::<&str, usize>::new();
    for resource in evidence.resources() {
        *types.entry(resource.kind).or_default() += 1;
    }
    Some(EvidenceSummary {
        file: evidence.name.clone(),
        format: evidence.format().as_str().to_string(),
        resources: evidence.resource_count(),
        types: types.into_iter().map(|(kind, count)| (kind.to_string(), count)).collect(),
    })
}

fn review_question(
    db: &dyn Db,
    pack: Pack,
    workload: Workload,
    file: SourceFile,
    question: &Question,
    answers: &Answers,
    today: &str,
) -> Option<QuestionReview> {
    let source = file.text(db);
    let locate = |span: Span| Location { file: file.name(db).clone(), start: span.start, end: span.end };
    let id = question.id.as_ref()?.text.clone();
    let attested = answers.attested(&id);
    let mut choices: Vec<ChoiceReview> = question
        .choices
        .iter()
        .filter_map(|choice| {
            let choice_id = choice.id.as_ref()?.text.clone();
            let attestation = attested.and_then(|a| a.choices.contains(&choice_id).then(|| a.attestation()));
            let key = ChoiceKey::new(db, pack, id.clone(), choice_id.clone());
            let outcome = if choice.is_none { None } else { evaluate_choice(db, workload, key).clone() };
            let practice = Practice { pack: pack_name(db, pack), question: &id, choice: &choice_id };
            let (status, findings) = status(outcome.as_ref(), attestation.as_ref(), &practice);
            let not_applicable = match &outcome {
                Some(Outcome::NotApplicable(inapplicable)) => Some(inapplicable.clone()),
                _ => None,
            };
            let waiver = answers.choice_waiver(&id, &choice_id).filter(|w| w.in_force(today)).cloned();
            let findings = waived(findings, |finding| {
                let resource = finding.resource.as_deref()?;
                let file = finding.location.as_ref().map(|location| location.file.as_str());
                let waiver = answers.resource_waiver(&id, &choice_id, resource, file);
                waiver.filter(|w| w.in_force(today)).cloned().map(Arc::new)
            });
            Some(ChoiceReview {
                id: choice_id,
                title: choice.title.as_ref().map(|t| t.value.clone()).unwrap_or_default(),
                is_none: choice.is_none,
                status,
                automated: outcome.is_some(),
                findings,
                not_applicable,
                attestation,
                waiver,
                improvement: choice.improve.first().map(link_info),
                helpful: choice.helpful.first().map(link_info),
                defined_at: locate(choice.id.as_ref().map_or(choice.keyword, |id| id.span)),
            })
        })
        .collect();
    // "None of these" stands only when nothing else is selected.
    let any_selected = choices.iter().any(|c| !c.is_none && c.status == Status::Selected);
    for choice in choices.iter_mut().filter(|c| c.is_none) {
        choice.status = match (choice.attestation.is_some(), any_selected) {
            (true, false) => Status::Selected,
            _ => Status::Unselected,
        };
    }

    let practices = || choices.iter().filter(|c| !c.is_none);
    let none_selected = choices.iter().any(|c| c.is_none && c.status == Status::Selected);
    let decided = practices().any(|c| matches!(c.status, Status::Selected | Status::Unselected));
    let mut not_applicable_reason = answers.not_applicable_reason(&id);
    let decided_risk = |in_place: &dyn Fn(&ChoiceReview) -> bool| decide_risk(question, source, &choices, in_place);
    let in_place = |choice: &ChoiceReview| matches!(choice.status, Status::Selected | Status::NotApplicable);
    let (risk, rule) = if not_applicable_reason.is_some() {
        (Risk::NotApplicable, None)
    } else if !none_selected && practices().next().is_some() && practices().all(|c| c.status == Status::NotApplicable) {
        // Not applicable is a finding about the evidence, never "no risk".
        not_applicable_reason = Some("none of its practices applies to this evidence".to_string());
        (Risk::NotApplicable, None)
    } else if !decided && !none_selected {
        (Risk::Unanswered, None)
    } else {
        decided_risk(&in_place)
    };
    let residual_risk = match risk {
        // The less severe of the two: risks are ordered from most to least severe.
        Risk::High | Risk::Medium => decided_risk(&ChoiceReview::accepted).0.max(risk),
        other => other,
    };
    let waiver = answers.waiver(&id).filter(|waiver| waiver.in_force(today)).cloned();
    let expired_waivers =
        answers.waivers.iter().filter(|w| w.question.id == id && !w.in_force(today)).cloned().collect();
    Some(QuestionReview {
        id,
        title: question.title.as_ref().map(|t| t.value.clone()).unwrap_or_default(),
        description: question.description.as_ref().map(|d| d.value.clone()),
        helpful_url: question.helpful.first().and_then(|link| link.url.as_ref()).map(|url| url.value.clone()),
        risk,
        residual_risk,
        rule,
        choices,
        not_applicable_reason,
        waiver,
        expired_waivers,
        defined_at: locate(question.id.as_ref().map_or(question.keyword, |id| id.span)),
    })
}

/// A choice's status from its check's outcome and any attestation.
fn status(
    outcome: Option<&Outcome>,
    attestation: Option<&Attestation>,
    practice: &Practice,
) -> (Status, Arc<[Finding]>) {
    let none = || Arc::from([]);
    match (outcome, attestation) {
        (Some(Outcome::Holds), _) => (Status::Selected, none()),
        (Some(Outcome::Fails(findings)), Some(attestation)) => {
            let by = attestation.by.as_deref().map_or(String::new(), |by| format!(" by {by}"));
            let contradiction =
                Finding::general(format!("attested{by}, but the evidence contradicts the attestation"), practice);
            (Status::Unselected, std::iter::once(contradiction).chain(findings.iter().cloned()).collect())
        }
        (Some(Outcome::Fails(findings)), None) => (Status::Unselected, findings.clone()),
        (Some(Outcome::NotApplicable(_)), None) => (Status::NotApplicable, none()),
        (Some(Outcome::Undecided(findings)), None) => (Status::Unknown, findings.clone()),
        // A person's word decides what the evidence cannot.
        (Some(Outcome::Undecided(_) | Outcome::NotApplicable(_)) | None, Some(_)) => (Status::Selected, none()),
        (None, None) => (Status::Unknown, none()),
    }
}

/// `findings` with the waivers `waiver_of` gives them: shared as they are
/// when none is waived, which is the rule.
fn waived(findings: Arc<[Finding]>, waiver_of: impl Fn(&Finding) -> Option<Arc<Waiver>>) -> Arc<[Finding]> {
    if findings.iter().all(|finding| waiver_of(finding).is_none()) {
        return findings;
    }
    findings.iter().map(|finding| Finding { waiver: waiver_of(finding), ..finding.clone() }).collect()
}

/// The first risk rule that holds, with the choices `in_place` accepts
/// taken as selected.
fn decide_risk(
    question: &Question,
    source: &str,
    choices: &[ChoiceReview],
    in_place: &dyn Fn(&ChoiceReview) -> bool,
) -> (Risk, Option<String>) {
    let selected = |id: &str| choices.iter().any(|c| c.id == id && in_place(c));
    for rule in question.risk.iter().flat_map(|block| &block.rules) {
        let holds = rule.condition.as_ref().is_none_or(|condition| holds(condition, &selected));
        if holds {
            let text = source.get(rule.span.range()).unwrap_or_default();
            let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
            return (risk_of(rule.level), Some(text));
        }
    }
    (Risk::Unanswered, None)
}

fn holds(condition: &Expr, selected: &dyn Fn(&str) -> bool) -> bool {
    match &condition.kind {
        ExprKind::Var(name) => selected(&name.text),
        ExprKind::Unary { op: UnaryOp::Not, operand } => !holds(operand, selected),
        ExprKind::Binary { op: BinaryOp::And, lhs, rhs, .. } => holds(lhs, selected) && holds(rhs, selected),
        ExprKind::Binary { op: BinaryOp::Or, lhs, rhs, .. } => holds(lhs, selected) || holds(rhs, selected),
        _ => false,
    }
}

fn risk_of(level: RiskLevel) -> Risk {
    match level {
        RiskLevel::High => Risk::High,
        RiskLevel::Medium => Risk::Medium,
        RiskLevel::None => Risk::None,
    }
}

fn link_info(link: &Link) -> LinkInfo {
    LinkInfo { text: link.text.value.clone(), url: link.url.as_ref().map(|url| url.value.clone()) }
}
