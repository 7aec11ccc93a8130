//! The JSON report: every pillar, question and choice of the review, in pack
//! order. Its shape is documented in `docs/report.md` and only grows.

use loupe_diagnostics::LineCol;
use loupe_model::{
    Attestation, ChoiceReview, EvidenceSummary, Finding, Fingerprint, LinkInfo, Location, QuestionReview, Review,
    Waiver,
};
use serde::Serialize;

use crate::Context;

/// The version of the JSON report's shape; it changes only when a field
/// is removed or changes meaning.
const FORMAT_VERSION: u32 = 1;

/// Writes the report to `out` as it is serialized: a large review is never held as text.
pub(crate) fn write(review: &Review, context: &Context, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    let line_col = |location: &Location| context.line_col(location);
    let report = Report {
        format_version: FORMAT_VERSION,
        tool: Tool { name: "loupe", version: context.tool_version },
        date: context.date,
        pack: context.pack_root,
        lens: Lens {
            id: &review.lens.id,
            name: &review.lens.name,
            version: review.lens.version.as_deref(),
            description: review.lens.description.as_deref(),
        },
        pillars: review
            .pillars
            .iter()
            .map(|pillar| Pillar {
                id: &pillar.id,
                name: &pillar.name,
                questions: pillar.questions.iter().map(|q| question(q, &line_col)).collect(),
            })
            .collect(),
        expired_waivers: review.expired_waivers.iter().map(waiver).collect(),
        unmatched_waivers: review.unmatched_waivers.iter().map(waiver).collect(),
        evidence: review.evidence.iter().map(evidence).collect(),
        baseline: context.baseline.map(|comparison| BaselineJson {
            new: comparison.new.iter().map(Fingerprint::to_string).collect(),
            worse: comparison.worse.iter().map(String::as_str).collect(),
            unchanged: comparison.unchanged,
            fixed: comparison.fixed,
            no_longer_seen: comparison.no_longer_seen,
        }),
        summary: Summary {
            questions: review.summary.questions,
            high: review.summary.high,
            medium: review.summary.medium,
            none: review.summary.none,
            unanswered: review.summary.unanswered,
            not_applicable: review.summary.not_applicable,
            waived: review.summary.waived,
            expired_waivers: review.expired_waivers.len(),
            choices: review.summary.choices,
            selected: review.summary.selected,
            unselected: review.summary.unselected,
            not_applicable_practices: review.summary.not_applicable_practices,
            unknown: review.summary.unknown,
            automated: review.summary.automated,
            applicable: review.summary.applicable,
        },
    };
    crate::write_json(&report, out)
}

/// Where a location starts, when its file is at hand.
type LineColOf<'a> = dyn Fn(&Location) -> Option<LineCol> + 'a;

fn question<'a>(question: &'a QuestionReview, line_col: &'a LineColOf<'a>) -> Question<'a> {
    Question {
        id: &question.id,
        title: &question.title,
        description: question.description.as_deref(),
        helpful_url: question.helpful_url.as_deref(),
        risk: question.risk.as_str(),
        residual_risk: question.residual_risk.as_str(),
        rule: question.rule.as_deref(),
        waived: question.is_waived(),
        waiver: question.waiver.as_ref().map(waiver),
        expired_waivers: question.expired_waivers.iter().map(waiver).collect(),
        not_applicable_reason: question.not_applicable_reason.as_deref(),
        location: place(&question.defined_at, line_col),
        choices: question.choices.iter().map(|c| choice(c, line_col)).collect(),
    }
}

fn choice<'a>(choice: &'a ChoiceReview, line_col: &'a LineColOf<'a>) -> Choice<'a> {
    Choice {
        id: &choice.id,
        title: &choice.title,
        is_none: choice.is_none,
        status: choice.status.as_str(),
        automated: choice.automated,
        not_applicable_reason: choice.not_applicable.as_ref().map(|inapplicable| inapplicable.reason()),
        looked_for: choice.not_applicable.as_ref().map(|inapplicable| &inapplicable.looked_for[..]),
        waiver: choice.waiver.as_ref().map(waiver),
        attestation: choice
            .attestation
            .as_ref()
            .map(|Attestation { note, by }| AttestationJson { note: note.as_deref(), by: by.as_deref() }),
        improvement: choice.improvement.as_ref().map(link),
        helpful: choice.helpful.as_ref().map(link),
        location: place(&choice.defined_at, line_col),
        findings: Findings { findings: &choice.findings, line_col },
    }
}

/// A choice's findings, serialized one by one as they are written: a large
/// workload has tens of thousands.
struct Findings<'a> {
    findings: &'a [Finding],
    line_col: &'a LineColOf<'a>,
}

impl Serialize for Findings<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.findings.iter().map(|f| finding(f, self.line_col)))
    }
}

fn finding<'a>(finding: &'a Finding, line_col: &LineColOf) -> FindingJson<'a> {
    let location = finding.location.as_ref();
    let at = location.and_then(line_col);
    FindingJson {
        message: &finding.message,
        file: location.map(|l| l.file.as_str()),
        line: at.map(|at| at.line),
        column: at.map(|at| at.column),
        resource: finding.resource.as_deref(),
        fingerprint: finding.fingerprint,
        waiver: finding.waiver.as_deref().map(waiver),
    }
}

fn waiver(waiver: &Waiver) -> WaiverJson<'_> {
    WaiverJson {
        question: &waiver.question.id,
        choice: waiver.choice.as_ref().map(|choice| choice.id.as_str()),
        resource: waiver.resource.as_ref().map(|resource| resource.id.as_str()),
        file: waiver.file.as_ref().map(|file| file.id.as_str()),
        reason: &waiver.reason,
        owner: &waiver.owner,
        expires: &waiver.expires,
    }
}

fn evidence(summary: &EvidenceSummary) -> EvidenceJson<'_> {
    EvidenceJson {
        file: &summary.file,
        format: &summary.format,
        resources: summary.resources,
        types: summary.types.iter().map(|(kind, count)| (kind.as_str(), *count)).collect(),
    }
}

fn link(link: &LinkInfo) -> Link<'_> {
    Link { text: &link.text, url: link.url.as_deref() }
}

fn place<'a>(location: &'a Location, line_col: &LineColOf) -> Place<'a> {
    let at = line_col(location);
    Place { file: &location.file, line: at.map(|at| at.line), column: at.map(|at| at.column) }
}

#[derive(Serialize)]
struct Report<'a> {
    format_version: u32,
    tool: Tool<'a>,
    date: &'a str,
    pack: &'a str,
    lens: Lens<'a>,
    pillars: Vec<Pillar<'a>>,
    expired_waivers: Vec<WaiverJson<'a>>,
    unmatched_waivers: Vec<WaiverJson<'a>>,
    evidence: Vec<EvidenceJson<'a>>,
    baseline: Option<BaselineJson<'a>>,
    summary: Summary,
}

#[derive(Serialize)]
struct BaselineJson<'a> {
    new: Vec<String>,
    worse: Vec<&'a str>,
    unchanged: usize,
    fixed: usize,
    no_longer_seen: usize,
}

#[derive(Serialize)]
struct EvidenceJson<'a> {
    file: &'a str,
    format: &'a str,
    resources: usize,
    types: std::collections::BTreeMap<&'a str, usize>,
}

#[derive(Serialize)]
struct Tool<'a> {
    name: &'a str,
    version: &'a str,
}

#[derive(Serialize)]
struct Lens<'a> {
    id: &'a str,
    name: &'a str,
    version: Option<&'a str>,
    description: Option<&'a str>,
}

#[derive(Serialize)]
struct Pillar<'a> {
    id: &'a str,
    name: &'a str,
    questions: Vec<Question<'a>>,
}

#[derive(Serialize)]
struct Question<'a> {
    id: &'a str,
    title: &'a str,
    description: Option<&'a str>,
    helpful_url: Option<&'a str>,
    risk: &'a str,
    residual_risk: &'a str,
    rule: Option<&'a str>,
    waived: bool,
    waiver: Option<WaiverJson<'a>>,
    expired_waivers: Vec<WaiverJson<'a>>,
    not_applicable_reason: Option<&'a str>,
    location: Place<'a>,
    choices: Vec<Choice<'a>>,
}

#[derive(Serialize)]
struct Choice<'a> {
    id: &'a str,
    title: &'a str,
    is_none: bool,
    status: &'a str,
    automated: bool,
    not_applicable_reason: Option<String>,
    looked_for: Option<&'a [String]>,
    waiver: Option<WaiverJson<'a>>,
    attestation: Option<AttestationJson<'a>>,
    improvement: Option<Link<'a>>,
    helpful: Option<Link<'a>>,
    location: Place<'a>,
    findings: Findings<'a>,
}

#[derive(Serialize)]
struct AttestationJson<'a> {
    note: Option<&'a str>,
    by: Option<&'a str>,
}

#[derive(Serialize)]
struct Link<'a> {
    text: &'a str,
    url: Option<&'a str>,
}

#[derive(Serialize)]
struct FindingJson<'a> {
    message: &'a str,
    file: Option<&'a str>,
    line: Option<u32>,
    column: Option<u32>,
    resource: Option<&'a str>,
    #[serde(serialize_with = "as_hex")]
    fingerprint: Fingerprint,
    waiver: Option<WaiverJson<'a>>,
}

#[derive(Serialize)]
struct Place<'a> {
    file: &'a str,
    /// Null when the file was not at hand.
    line: Option<u32>,
    column: Option<u32>,
}

#[derive(Serialize)]
struct WaiverJson<'a> {
    question: &'a str,
    choice: Option<&'a str>,
    resource: Option<&'a str>,
    file: Option<&'a str>,
    reason: &'a str,
    owner: &'a str,
    expires: &'a str,
}

#[derive(Serialize)]
struct Summary {
    questions: usize,
    high: usize,
    medium: usize,
    none: usize,
    unanswered: usize,
    not_applicable: usize,
    waived: usize,
    expired_waivers: usize,
    choices: usize,
    selected: usize,
    unselected: usize,
    not_applicable_practices: usize,
    unknown: usize,
    automated: usize,
    applicable: usize,
}

/// A fingerprint as its 16 hex digits, written without an intermediate string.
fn as_hex<S: serde::Serializer>(fingerprint: &Fingerprint, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.collect_str(fingerprint)
}
