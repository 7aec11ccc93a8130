//! SARIF 2.1.0, as GitHub code scanning accepts it: every result has a rule,
//! a level, a message and a location.
//!
//! A rule is a missing practice (an unselected choice) of a question with a
//! risk (high, medium or none: not unanswered nor not applicable); a result
//! is one of its findings, at its evidence location, or at the practice's
//! definition in the pack when the finding has no location (or the practice
//! has no finding).

use loupe_diagnostics::Column;
use loupe_model::{ChoiceReview, Fingerprint, Location, PillarReview, QuestionReview, Review, Risk, Status, Waiver};
use serde::Serialize;

use crate::markdown::escape;
use crate::{Context, HOMEPAGE, practices};

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// Writes the log to `out` as it is serialized: a large review is never held as text.
pub(crate) fn write(review: &Review, context: &Context, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    let mut rules = Vec::new();
    let mut results = Vec::new();
    for pillar in &review.pillars {
        for question in &pillar.questions {
            // Unanswered and not-applicable questions have nothing to fix.
            if !matches!(question.risk, Risk::High | Risk::Medium | Risk::None) {
                continue;
            }
            for choice in practices(question).filter(|choice| choice.status == Status::Unselected) {
                let rule_index = rules.len();
                rules.push(rule(review, pillar, question, choice));
                add_results(&mut results, rule_index, &rules[rule_index].id, question, choice, context);
            }
        }
    }
    let log = Log {
        schema: SCHEMA,
        version: "2.1.0",
        runs: vec![Run {
            tool: Tool {
                driver: Driver {
                    name: "loupe",
                    version: context.tool_version,
                    semantic_version: context.tool_version,
                    information_uri: HOMEPAGE,
                    rules,
                },
            },
            automation_details: AutomationDetails { id: format!("loupe/{}/", review.lens.id) },
            column_kind: "unicodeCodePoints",
            results,
            properties: RunProperties { lens: &review.lens.id, date: context.date, pack: context.pack_root },
        }],
    };
    crate::write_json(&log, out)
}

fn rule(review: &Review, pillar: &PillarReview, question: &QuestionReview, choice: &ChoiceReview) -> Rule {
    let help_uri = choice
        .improvement
        .as_ref()
        .and_then(|plan| plan.url.clone())
        .or_else(|| choice.helpful.as_ref().and_then(|link| link.url.clone()))
        .or_else(|| question.helpful_url.clone())
        .unwrap_or_else(|| format!("{HOMEPAGE}/blob/main/docs/report.md"));
    let mut help_text = String::new();
    let mut help_markdown = String::new();
    if let Some(plan) = &choice.improvement {
        help_text.push_str(&format!("Improvement plan: {}", plan.text));
        match &plan.url {
            Some(url) => {
                help_text.push_str(&format!(" ({url})"));
                help_markdown.push_str(&format!("**Improvement plan:** {}", markdown_link(&plan.text, Some(url))));
            }
            None => help_markdown.push_str(&format!("**Improvement plan:** {}", escape(&plan.text))),
        }
    } else {
        help_text.push_str(&format!("Put this practice in place: {}", choice.title));
        help_markdown.push_str(&format!("Put this practice in place: {}", escape(&choice.title)));
    }
    if let Some(link) = &choice.helpful {
        help_text.push_str(&format!("\nSee also: {}", link.text));
        help_markdown.push_str(&format!("\n\nSee also: {}", markdown_link(&link.text, link.url.as_deref())));
        if let Some(url) = &link.url {
            help_text.push_str(&format!(" ({url})"));
        }
    }
    let level = level(question.risk);
    Rule {
        id: format!("{}/{}", question.id, choice.id),
        name: choice.id.clone(),
        short_description: Message { text: choice.title.clone() },
        full_description: Message { text: format!("{} ({}: {})", choice.title, question.id, question.title) },
        help_uri,
        help: Help { text: help_text, markdown: help_markdown },
        default_configuration: Configuration { level },
        properties: RuleProperties {
            tags: vec!["loupe".to_owned(), review.lens.id.clone(), pillar.id.clone(), question.id.clone()]
                .into_iter()
                .filter(|tag| !tag.is_empty())
                .collect(),
            pillar: pillar.id.clone(),
            question: question.id.clone(),
            choice: choice.id.clone(),
            automated: choice.automated,
        },
    }
}

fn markdown_link(text: &str, url: Option<&str>) -> String {
    match url {
        Some(url) => format!("[{}](<{}>)", escape(text), url.replace(['<', '>'], "")),
        None => escape(text),
    }
}

fn add_results(
    results: &mut Vec<SarifResult>,
    rule_index: usize,
    rule_id: &str,
    question: &QuestionReview,
    choice: &ChoiceReview,
    context: &Context,
) {
    let mut add = |message: String, location: &Location, fingerprint: Fingerprint, waiver: Option<&Waiver>| {
        // The question's waiver accepts everything in it; a practice's or a resource's, what it names.
        let waiver = question.waiver.as_ref().filter(|_| question.is_waived()).or(choice.waiver.as_ref()).or(waiver);
        results.push(SarifResult {
            rule_id: rule_id.to_owned(),
            rule_index,
            level: level(question.risk),
            message: Message { text: message },
            locations: vec![ResultLocation { physical_location: physical(location, context) }],
            partial_fingerprints: Fingerprints { loupe: fingerprint.to_string() },
            suppressions: waiver.map(|waiver| {
                vec![Suppression {
                    kind: "external",
                    status: "accepted",
                    justification: format!("{} (owner {}, expires {})", waiver.reason, waiver.owner, waiver.expires),
                }]
            }),
            properties: ResultProperties { risk: question.risk.as_str(), status: choice.status.as_str() },
        });
    };
    if choice.findings.is_empty() {
        let fingerprint = Fingerprint::of(&[rule_id, "not in place"]);
        add(format!("{}: not in place", choice.title), &choice.defined_at, fingerprint, None);
    }
    for finding in choice.findings.iter() {
        let location = finding.location.as_ref().unwrap_or(&choice.defined_at);
        let message = format!("{}: {}", choice.title, finding.message);
        add(message, location, finding.fingerprint, finding.waiver.as_deref());
    }
}

fn level(risk: Risk) -> &'static str {
    match risk {
        Risk::High => "error",
        Risk::Medium => "warning",
        _ => "note",
    }
}

fn physical(location: &Location, context: &Context) -> PhysicalLocation {
    // Columns count characters, as the run's `columnKind: unicodeCodePoints` declares.
    let region = (context.source)(&location.file).map(|source| {
        let start = source.lines.line_col(location.start, Column::Chars);
        let end = Some(source.lines.line_col(location.end, Column::Chars)).filter(|&end| end > start);
        Region {
            start_line: start.line,
            start_column: start.column,
            end_line: end.map(|end| end.line),
            end_column: end.map(|end| end.column),
        }
    });
    PhysicalLocation { artifact_location: ArtifactLocation { uri: uri(&location.file) }, region }
}

/// A file's display path as a URI reference: relative paths stay relative
/// (to the directory loupe ran in, normally the repository root), absolute
/// ones become `file:` URIs.
fn uri(path: &str) -> String {
    let path = path.replace('\\', "/");
    let path = path.trim_start_matches("./");
    let bytes = path.as_bytes();
    let (prefix, rest) = if path.starts_with('/') {
        ("file://", path)
    } else if bytes.len() >= 2 && bytes[0].is_ascii_alphabetic() && bytes[1] == b':' {
        ("file:///", path)
    } else {
        ("", path)
    };
    let mut out = prefix.to_owned();
    for (index, byte) in rest.bytes().enumerate() {
        let keep = byte.is_ascii_alphanumeric()
            || b"-._~/!$&'()*+,;=@".contains(&byte)
            // A drive letter's colon; elsewhere a colon could read as a scheme.
            || (byte == b':' && !prefix.is_empty() && index == 1);
        if keep {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// FNV-1a, 64 bits: a hash that stays the same across Rust releases.
#[derive(Serialize)]
struct Log<'a> {
    #[serde(rename = "$schema")]
    schema: &'a str,
    version: &'a str,
    runs: Vec<Run<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run<'a> {
    tool: Tool<'a>,
    automation_details: AutomationDetails,
    column_kind: &'a str,
    results: Vec<SarifResult>,
    properties: RunProperties<'a>,
}

#[derive(Serialize)]
struct Tool<'a> {
    driver: Driver<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver<'a> {
    name: &'a str,
    version: &'a str,
    semantic_version: &'a str,
    information_uri: &'a str,
    rules: Vec<Rule>,
}

#[derive(Serialize)]
struct AutomationDetails {
    id: String,
}

#[derive(Serialize)]
struct RunProperties<'a> {
    lens: &'a str,
    date: &'a str,
    pack: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Rule {
    id: String,
    name: String,
    short_description: Message,
    full_description: Message,
    help_uri: String,
    help: Help,
    default_configuration: Configuration,
    properties: RuleProperties,
}

#[derive(Serialize)]
struct Message {
    text: String,
}

#[derive(Serialize)]
struct Help {
    text: String,
    markdown: String,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize)]
struct RuleProperties {
    tags: Vec<String>,
    pillar: String,
    question: String,
    choice: String,
    automated: bool,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult {
    rule_id: String,
    rule_index: usize,
    level: &'static str,
    message: Message,
    locations: Vec<ResultLocation>,
    partial_fingerprints: Fingerprints,
    #[serde(skip_serializing_if = "Option::is_none")]
    suppressions: Option<Vec<Suppression>>,
    properties: ResultProperties,
}

#[derive(Serialize)]
struct Fingerprints {
    #[serde(rename = "loupeFinding/v1")]
    loupe: String,
}

#[derive(Serialize)]
struct Suppression {
    kind: &'static str,
    status: &'static str,
    justification: String,
}

#[derive(Serialize)]
struct ResultProperties {
    risk: &'static str,
    status: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ResultLocation {
    physical_location: PhysicalLocation,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    /// None when the file was not at hand to count lines in.
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<Region>,
}

#[derive(Serialize)]
struct ArtifactLocation {
    uri: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: u32,
    start_column: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    end_line: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    end_column: Option<u32>,
}

#[cfg(test)]
mod tests {
    use super::uri;

    #[test]
    fn uris() {
        assert_eq!(uri("evidence/plan.json"), "evidence/plan.json");
        assert_eq!(uri("./evidence/my plan.json"), "evidence/my%20plan.json");
        assert_eq!(uri("ev\\a:b#c.json"), "ev/a%3Ab%23c.json");
        assert_eq!(uri("/abs/plan.json"), "file:///abs/plan.json");
        assert_eq!(uri("C:\\work\\plan.json"), "file:///C:/work/plan.json");
        assert_eq!(uri("dé.json"), "d%C3%A9.json");
    }
}
