//! A workload's review: every choice's status and every question's risk, in
//! pack order, with attestations, not-applicable questions and waivers
//! from an answers file applied.

use std::sync::Arc;

use loupe_db::{Db, Pack, SourceFile, Span, line_starts, pack_index, pack_manifest, parse_file};
use loupe_syntax::{BinaryOp, Expr, ExprKind, Item, Link, Question, RiskLevel, UnaryOp};

use crate::answers::{Answers, Waiver};
use crate::compile::ChoiceKey;
use crate::evaluate::evaluate_choice;
use crate::inputs::load_evidence;
use crate::inputs::{EvidenceFile, Workload};
use crate::interp::{Finding, Fingerprint, Inapplicable, Location, Outcome};

/// Plain data, in pack order: what every report format renders.
#[derive(Clone, Debug, PartialEq)]
pub struct Review {
    pub lens: LensInfo,
    pub pillars: Vec<PillarReview>,
    /// Waivers past their expiry date: reported, and not applied.
    pub expired_waivers: Vec<Waiver>,
    /// Waivers in force that accept nothing: the question is not at risk,
    /// the practice is not missing, or no finding is about the resource.
    pub unmatched_waivers: Vec<Waiver>,
    /// What was read: each evidence file, in workload order.
    pub evidence: Vec<EvidenceSummary>,
    pub summary: Summary,
}

/// One evidence file as the review read it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EvidenceSummary {
    pub file: String,
    /// The detected (or forced) format, `terraform-plan`, `cloudformation`, …
    pub format: String,
    pub resources: usize,
    /// Resource counts by type, sorted by type.
    pub types: Vec<(String, usize)>,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct LensInfo {
    pub id: String,
    pub name: String,
    pub version: Option<String>,
    pub description: Option<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct PillarReview {
    pub id: String,
    pub name: String,
    pub questions: Vec<QuestionReview>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct QuestionReview {
    pub id: String,
    pub title: String,
    pub description: Option<String>,
    pub helpful_url: Option<String>,
    pub risk: Risk,
    /// The risk once the practice and resource waivers in force are taken
    /// as accepted (a practice whose every failure is accepted counts as in
    /// place): what the run is judged on. Equal to `risk` without such waivers.
    pub residual_risk: Risk,
    /// The rule that decided the risk, as written (`high otherwise`).
    pub rule: Option<String>,
    pub choices: Vec<ChoiceReview>,
    /// Why the question does not apply, from the answers file.
    pub not_applicable_reason: Option<String>,
    /// An accepted risk, in force on the review date.
    pub waiver: Option<Waiver>,
    /// Waivers of this question, its practices or their resources that
    /// expired before the review date: shown, not applied.
    pub expired_waivers: Vec<Waiver>,
    /// Where the question is defined in the pack.
    pub defined_at: Location,
}

impl QuestionReview {
    /// Whether a waiver accepts its high or medium risk, whole or in part.
    pub fn is_waived(&self) -> bool {
        matches!(self.risk, Risk::High | Risk::Medium) && (self.waiver.is_some() || self.residual_risk != self.risk)
    }

    /// The risk the run is judged on: none once a question waiver accepts it.
    pub fn gated_risk(&self) -> Option<Risk> {
        if self.waiver.is_some() { None } else { Some(self.residual_risk) }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct ChoiceReview {
    pub id: String,
    pub title: String,
    pub is_none: bool,
    pub status: Status,
    /// Whether a check decided the status (rather than an attestation).
    pub automated: bool,
    pub findings: Vec<Finding>,
    /// Why the check does not apply, when it does not: what it looked for
    /// and did not find. Kept when an attestation decides the status.
    pub not_applicable: Option<Inapplicable>,
    /// The note and author of an attestation that selected the choice.
    pub attestation: Option<Attestation>,
    /// A waiver in force that accepts this practice missing.
    pub waiver: Option<Waiver>,
    pub improvement: Option<LinkInfo>,
    pub helpful: Option<LinkInfo>,
    /// Where the choice is defined in the pack.
    pub defined_at: Location,
}

impl ChoiceReview {
    /// Whether it counts as in place for the residual risk: in place, not
    /// applicable, or missing with every failure accepted by a waiver.
    pub fn accepted(&self) -> bool {
        match self.status {
            Status::Selected | Status::NotApplicable => true,
            Status::Unselected => {
                self.waiver.is_some()
                    || (!self.findings.is_empty() && self.findings.iter().all(|finding| finding.waiver.is_some()))
            }
            Status::Unknown => false,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attestation {
    pub note: Option<String>,
    pub by: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LinkInfo {
    pub text: String,
    pub url: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Status {
    Selected,
    Unselected,
    NotApplicable,
    Unknown,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Selected => "selected",
            Status::Unselected => "unselected",
            Status::NotApplicable => "not_applicable",
            Status::Unknown => "unknown",
        }
    }
}

/// A question's risk, ordered from most to least severe.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Risk {
    High,
    Medium,
    None,
    Unanswered,
    NotApplicable,
}

impl Risk {
    pub fn as_str(self) -> &'static str {
        match self {
            Risk::High => "high",
            Risk::Medium => "medium",
            Risk::None => "none",
            Risk::Unanswered => "unanswered",
            Risk::NotApplicable => "not_applicable",
        }
    }

    /// The less severe of two risks.
    fn min_severity(self, other: Risk) -> Risk {
        self.max(other)
    }

    fn from_level(level: RiskLevel) -> Risk {
        match level {
            RiskLevel::High => Risk::High,
            RiskLevel::Medium => Risk::Medium,
            RiskLevel::None => Risk::None,
        }
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    pub questions: usize,
    pub high: usize,
    pub medium: usize,
    pub none: usize,
    pub unanswered: usize,
    pub not_applicable: usize,
    /// Questions whose high or medium risk is accepted by a waiver in force.
    pub waived: usize,
    pub choices: usize,
    pub selected: usize,
    pub unselected: usize,
    pub not_applicable_practices: usize,
    pub unknown: usize,
    pub automated: usize,
    /// Automated practices whose check applies to the evidence: when none
    /// does, the review has nothing to say.
    pub applicable: usize,
}

/// The six pillars of the Well-Architected Framework, in its order.
const FRAMEWORK_PILLARS: [&str; 6] =
    ["operationalExcellence", "security", "reliability", "performance", "costOptimization", "sustainability"];

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
    // The order the lens header gives; else the framework's pillars in the Well-Architected Tool's
    // order, then the lens's own in pack order.
    let header = index.lens_files.first().and_then(|&file| lens_header(db, file));
    let order: Vec<&str> = match header.filter(|lens| !lens.pillar_order.is_empty()) {
        Some(lens) => lens.pillar_order.iter().map(|name| name.text.as_str()).collect(),
        None => FRAMEWORK_PILLARS.to_vec(),
    };
    pillars.sort_by_key(|pillar| order.iter().position(|id| *id == pillar.id).unwrap_or(usize::MAX));
    let expired_waivers = answers.waivers.iter().filter(|waiver| !waiver.in_force(today)).cloned().collect();
    let unmatched_waivers = answers
        .waivers
        .iter()
        .filter(|waiver| waiver.in_force(today) && !accepts_something(waiver, &pillars))
        .cloned()
        .collect();
    let pack_name = pack_manifest(db, pack).name.clone().unwrap_or_else(|| lens.id.clone());
    for question in pillars.iter_mut().flat_map(|pillar| &mut pillar.questions) {
        for choice in &mut question.choices {
            for finding in &mut choice.findings {
                // The file too: generated stacks (CDK) repeat logical ids.
                finding.fingerprint = Fingerprint::of(&[
                    &pack_name,
                    &question.id,
                    &choice.id,
                    finding.location.as_ref().map_or("", |location| location.file.as_str()),
                    finding.resource.as_deref().unwrap_or_default(),
                    &finding.template,
                ]);
            }
        }
    }
    let summary = summarize(&pillars);
    let evidence = workload.files(db).iter().filter_map(|&file| summarize_evidence(db, file)).collect();
    Review { lens, pillars, expired_waivers, unmatched_waivers, evidence, summary }
}

/// The lens header of `file`, if it has one.
fn lens_header(db: &dyn Db, file: SourceFile) -> Option<&loupe_syntax::Lens> {
    parse_file(db, file).file.items.iter().find_map(|item| match item {
        Item::Lens(lens) => Some(lens),
        _ => None,
    })
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
    let locate = |span: Span| {
        let starts = line_starts(db, file);
        let line = starts.partition_point(|&start| start <= span.start as usize).max(1);
        let column = source[starts[line - 1]..span.start as usize].chars().count() + 1;
        Location {
            file: file.name(db).clone(),
            line: line as u32,
            column: column as u32,
            start: span.start,
            end: span.end,
        }
    };
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
            let (status, findings) = status(outcome.as_ref(), attestation.as_ref());
            let not_applicable = match &outcome {
                Some(Outcome::NotApplicable(inapplicable)) => Some(inapplicable.clone()),
                _ => None,
            };
            let waiver = answers.choice_waiver(&id, &choice_id).filter(|w| w.in_force(today)).cloned();
            let mut findings = findings;
            for finding in &mut findings {
                finding.waiver = finding.resource.as_deref().and_then(|resource| {
                    let file = finding.location.as_ref().map(|location| location.file.as_str());
                    let waiver = answers.resource_waiver(&id, &choice_id, resource, file);
                    waiver.filter(|w| w.in_force(today)).cloned().map(Arc::new)
                });
            }
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
        Risk::High | Risk::Medium => decided_risk(&ChoiceReview::accepted).0.min_severity(risk),
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
fn status(outcome: Option<&Outcome>, attestation: Option<&Attestation>) -> (Status, Vec<Finding>) {
    match (outcome, attestation) {
        (Some(Outcome::Holds), _) => (Status::Selected, Vec::new()),
        (Some(Outcome::Fails(findings)), Some(attestation)) => {
            let mut findings = findings.clone();
            let by = attestation.by.as_deref().map_or(String::new(), |by| format!(" by {by}"));
            findings.insert(0, Finding::general(format!("attested{by}, but the evidence contradicts the attestation")));
            (Status::Unselected, findings)
        }
        (Some(Outcome::Fails(findings)), None) => (Status::Unselected, findings.clone()),
        (Some(Outcome::NotApplicable(_)), None) => (Status::NotApplicable, Vec::new()),
        (Some(Outcome::Undecided(reason)), None) => (Status::Unknown, vec![Finding::general(reason.clone())]),
        // A person's word decides what the evidence cannot.
        (Some(Outcome::Undecided(_) | Outcome::NotApplicable(_)) | None, Some(_)) => (Status::Selected, Vec::new()),
        (None, None) => (Status::Unknown, Vec::new()),
    }
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
            return (Risk::from_level(rule.level), Some(text));
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

fn link_info(link: &Link) -> LinkInfo {
    LinkInfo { text: link.text.value.clone(), url: link.url.as_ref().map(|url| url.value.clone()) }
}

impl Summary {
    /// The counts over a review's pillars.
    pub fn of(pillars: &[PillarReview]) -> Summary {
        summarize(pillars)
    }
}

fn summarize(pillars: &[PillarReview]) -> Summary {
    let mut summary = Summary::default();
    for question in pillars.iter().flat_map(|pillar| &pillar.questions) {
        summary.questions += 1;
        match question.risk {
            Risk::High => summary.high += 1,
            Risk::Medium => summary.medium += 1,
            Risk::None => summary.none += 1,
            Risk::Unanswered => summary.unanswered += 1,
            Risk::NotApplicable => summary.not_applicable += 1,
        }
        if question.is_waived() {
            summary.waived += 1;
        }
        for choice in question.choices.iter().filter(|c| !c.is_none) {
            summary.choices += 1;
            summary.selected += usize::from(choice.status == Status::Selected);
            summary.unselected += usize::from(choice.status == Status::Unselected);
            summary.not_applicable_practices += usize::from(choice.status == Status::NotApplicable);
            summary.unknown += usize::from(choice.status == Status::Unknown);
            summary.automated += usize::from(choice.automated);
            summary.applicable += usize::from(choice.automated && choice.not_applicable.is_none());
        }
    }
    summary
}
