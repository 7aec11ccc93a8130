//! `loupe export`: a pack as the Well-Architected Tool's custom lens JSON, or
//! as a CloudFormation template that deploys it.
//!
//! The pack must be one `loupe check` accepts: its ids, texts, links and
//! counts are then within the Tool's limits (`loupe-db`'s `limits.rs`), so no
//! id needs mapping and every text is written as it is. What the
//! specification does not name (choice and pillar descriptions, phases, a
//! question's extra links, checks, tests) stays in the pack.

use std::collections::BTreeMap;

use loupe_db::{Code, Db, Diagnostic, Label, MAX_LENS_BYTES, Pack, SourceFile, pack_index, parse_file, pillar_order};
use loupe_syntax::{BinaryOp, Expr, ExprKind, Item, Lens, Link, Pillar, Question, RiskLevel, UnaryOp};
use serde::Serialize;

use crate::model::{
    AdditionalResources, ChoiceJson, Content, LensJson, PillarJson, QuestionJson, ResourceKind, RiskJson, RiskRuleJson,
    SCHEMA_VERSION,
};

/// What `loupe export` writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// The custom lens JSON, for the console or the ImportLens API.
    Json,
    /// A CloudFormation template with one `AWS::WellArchitected::Lens`.
    CloudFormation,
}

/// The longest `LensVersion` the `AWS::WellArchitected::Lens` resource takes.
const MAX_LENS_VERSION: usize = 32;

/// The pack as `format`, or why it cannot be written: a lens over the Tool's
/// 500 KB, or (for a template) a version the resource does not take, each
/// located in the pack.
pub fn export(db: &dyn Db, pack: Pack, format: Format) -> Result<String, Vec<Diagnostic>> {
    let header = lens_header(db, pack);
    let lens = lens_json(db, pack);
    // A pack `loupe check` accepts has a lens header (L0106).
    let too_large = |bytes: usize| -> Vec<Diagnostic> {
        let Some((file, lens)) = header else { return Vec::new() };
        let at = lens.id.as_ref().map_or(lens.keyword, |id| id.span);
        vec![
            Diagnostic::new(
                Code::LensTooLarge,
                format!("the exported lens takes {} KB, more than the 500 KB accepted", bytes.div_ceil(1000)),
                Label::new(file, at, "this lens"),
            )
            .with_help("shorten descriptions and improvement plans, or split the lens into two packs"),
        ]
    };
    match format {
        Format::Json => fit(&lens, MAX_LENS_BYTES).ok_or_else(|| too_large(compact(&lens).len())),
        Format::CloudFormation => {
            let json = compact(&lens);
            if json.len() > MAX_LENS_BYTES {
                return Err(too_large(json.len()));
            }
            let version = match header.and_then(|(file, lens)| Some((file, lens.version.as_ref()?))) {
                Some((file, version)) if version.value.chars().count() > MAX_LENS_VERSION => {
                    return Err(vec![
                        Diagnostic::new(
                            Code::TextTooLong,
                            format!(
                                "the lens version has {} characters; AWS::WellArchitected::Lens takes at most {MAX_LENS_VERSION}",
                                version.value.chars().count()
                            ),
                            Label::new(file, version.span, "too long for LensVersion"),
                        )
                        .with_help("shorten the version, e.g. `version \"1.2.0\"`"),
                    ]);
                }
                Some((_, version)) if !version.value.trim().is_empty() => Some(version.value.as_str()),
                _ => None,
            };
            Ok(template(&lens, &json, version))
        }
    }
}

/// The lens JSON indented for reading when it fits in `limit` bytes, else
/// compact when that fits (the Tool counts bytes, and indentation can take a
/// third of a large lens), else nothing.
fn fit(lens: &LensJson, limit: usize) -> Option<String> {
    let mut indented = serde_json::to_string_pretty(lens).unwrap_or_default();
    indented.push('\n');
    if indented.len() <= limit {
        return Some(indented);
    }
    let mut compact = compact(lens);
    compact.push('\n');
    (compact.len() <= limit).then_some(compact)
}

fn compact(lens: &LensJson) -> String {
    serde_json::to_string(lens).unwrap_or_default()
}

/// The first lens header of the pack, and its file.
fn lens_header(db: &dyn Db, pack: Pack) -> Option<(SourceFile, &Lens)> {
    let file = *pack_index(db, pack).lens_files.first()?;
    parse_file(db, file).file.items.iter().find_map(|item| match item {
        Item::Lens(lens) => Some((file, lens)),
        _ => None,
    })
}

/// The pack as the specification's lens: pillars in [`pillar_order`], questions and choices
/// in pack order.
pub fn lens_json(db: &dyn Db, pack: Pack) -> LensJson {
    let header = lens_header(db, pack).map(|(_, lens)| lens);
    let text = |text: Option<&loupe_syntax::Text>| text.map(|text| text.value.clone()).unwrap_or_default();
    // Each pillar's first definition; `loupe check` refuses a second.
    let mut pillars: BTreeMap<&str, &Pillar> = BTreeMap::new();
    for &file in pack.files(db) {
        for item in &parse_file(db, file).file.items {
            if let Item::Pillar(pillar) = item
                && let Some(id) = &pillar.id
            {
                pillars.entry(id.text.as_str()).or_insert(pillar);
            }
        }
    }
    LensJson {
        schema_version: SCHEMA_VERSION,
        name: text(header.and_then(|lens| lens.name.as_ref())),
        description: text(header.and_then(|lens| lens.description.as_ref())),
        pillars: pillar_order(db, pack)
            .iter()
            .filter_map(|id| pillars.get(id.as_str()))
            .map(|pillar| PillarJson {
                id: pillar.id.as_ref().map(|id| id.text.clone()).unwrap_or_default(),
                name: text(pillar.name.as_ref()),
                questions: pillar.questions.iter().filter_map(question).collect(),
            })
            .collect(),
    }
}

fn question(question: &Question) -> Option<QuestionJson> {
    let rules = question.risk.iter().flat_map(|block| &block.rules);
    Some(QuestionJson {
        id: question.id.as_ref()?.text.clone(),
        title: question.title.as_ref()?.value.clone(),
        description: question.description.as_ref().map(|text| text.value.clone()),
        helpful_resource: question.helpful.first().map(content),
        choices: question
            .choices
            .iter()
            .filter_map(|choice| {
                let id = choice.id.as_ref()?.text.clone();
                let title = choice.title.as_ref()?.value.clone();
                let additional = |kind, links: &[Link]| {
                    (links.len() > 1)
                        .then(|| AdditionalResources { kind, content: links[1..].iter().map(content).collect() })
                };
                Some(ChoiceJson {
                    id,
                    title,
                    helpful_resource: choice.helpful.first().map(content),
                    // Empty for the none-of-these choice, which the language gives no `improve` (L0008).
                    improvement_plan: choice.improve.first().map(content),
                    additional_resources: [
                        additional(ResourceKind::HelpfulResource, &choice.helpful),
                        additional(ResourceKind::ImprovementPlan, &choice.improve),
                    ]
                    .into_iter()
                    .flatten()
                    .collect(),
                })
            })
            .collect(),
        risk_rules: rules
            .map(|rule| RiskRuleJson {
                condition: rule.condition.as_ref().map_or_else(|| "default".to_string(), condition),
                risk: match rule.level {
                    RiskLevel::High => RiskJson::High,
                    RiskLevel::Medium => RiskJson::Medium,
                    RiskLevel::None => RiskJson::None,
                },
            })
            .collect(),
    })
}

fn content(link: &Link) -> Content {
    Content { display_text: link.text.value.clone(), url: link.url.as_ref().map(|url| url.value.clone()) }
}

/// A risk condition in the Tool's syntax: `!` binds tighter than `&&`, and
/// `&&` tighter than `||`; parentheses only where that order needs them.
pub fn condition(expr: &Expr) -> String {
    let mut out = String::new();
    write_condition(expr, 0, &mut out);
    out
}

/// Writes `expr`, in parentheses when it binds looser than its place
/// (`context`: 0 anywhere, 1 an operand of `||`, 2 of `&&`, 3 of `!`).
fn write_condition(expr: &Expr, context: u8, out: &mut String) {
    let (binds, parts) = match &expr.kind {
        ExprKind::Var(name) => {
            out.push_str(&name.text);
            return;
        }
        ExprKind::Unary { op: UnaryOp::Not, operand } => {
            out.push('!');
            write_condition(operand, 3, out);
            return;
        }
        ExprKind::Binary { op: BinaryOp::Or, lhs, rhs, .. } => (1, (lhs, " || ", rhs)),
        ExprKind::Binary { op: BinaryOp::And, lhs, rhs, .. } => (2, (lhs, " && ", rhs)),
        // `loupe check` accepts only choice ids, `and`, `or` and `not` here (L0205).
        _ => return,
    };
    let (lhs, op, rhs) = parts;
    let parenthesized = binds < context;
    if parenthesized {
        out.push('(');
    }
    // `&&` and `||` are associative: a nested operand of the same kind needs no parentheses.
    write_condition(lhs, binds, out);
    out.push_str(op);
    write_condition(rhs, binds, out);
    if parenthesized {
        out.push(')');
    }
}

/// A CloudFormation template (JSON, which CloudFormation reads as it reads
/// YAML) with the lens as one `AWS::WellArchitected::Lens`.
///
/// The resource's properties, from its provider schema (cfn-lint 1.58.0's
/// copy, `aws-wellarchitected-lens.json`; AWS CloudFormation Template
/// Reference, "AWS::WellArchitected::Lens"): `JSONString` (a string of 2 to
/// 500,000 characters: the lens JSON itself, not an object), `LensVersion`
/// (1 to 32 characters; the handler imports the lens and publishes this
/// version) and `Tags`; none is required, and there is no client request
/// token. `Ref` gives the lens ARN.
fn template(lens: &LensJson, json: &str, version: Option<&str>) -> String {
    #[derive(Serialize)]
    #[serde(rename_all = "PascalCase")]
    struct Template<'a> {
        #[serde(rename = "AWSTemplateFormatVersion")]
        format_version: &'static str,
        description: String,
        resources: Resources<'a>,
        outputs: serde_json::Value,
    }
    #[derive(Serialize)]
    #[serde(rename_all = "PascalCase")]
    struct Resources<'a> {
        lens: Resource<'a>,
    }
    #[derive(Serialize)]
    #[serde(rename_all = "PascalCase")]
    struct Resource<'a> {
        #[serde(rename = "Type")]
        kind: &'static str,
        properties: Properties<'a>,
    }
    #[derive(Serialize)]
    #[serde(rename_all = "PascalCase")]
    struct Properties<'a> {
        #[serde(rename = "JSONString")]
        json_string: &'a str,
        #[serde(skip_serializing_if = "Option::is_none")]
        lens_version: Option<&'a str>,
    }
    let template = Template {
        format_version: "2010-09-09",
        // The lens name has at most 128 characters: well within a template description's 1,024 bytes.
        description: format!("Well-Architected custom lens \"{}\", exported by Loupe", lens.name),
        resources: Resources {
            lens: Resource {
                kind: "AWS::WellArchitected::Lens",
                properties: Properties { json_string: json, lens_version: version },
            },
        },
        outputs: serde_json::json!({
            "LensArn": { "Description": "The ARN of the imported lens", "Value": { "Ref": "Lens" } }
        }),
    };
    let mut text = serde_json::to_string_pretty(&template).unwrap_or_default();
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_condition(text: &str) -> Expr {
        let source = format!(
            "pillar p \"P\" {{ question q1 \"Q\" {{ choice a1 \"A\" {{}} risk {{ high when {text}\n high otherwise }} }} }}"
        );
        let parse = loupe_syntax::parse(&source);
        let Some(Item::Pillar(pillar)) = parse.file.items.first() else { panic!("a pillar: {source}") };
        let rule = &pillar.questions[0].risk.as_ref().expect("risk rules").rules[0];
        rule.condition.clone().expect("a condition")
    }

    #[test]
    fn conditions_have_parentheses_only_where_needed() {
        let cases = [
            ("a", "a"),
            ("not a", "!a"),
            ("not not a", "!!a"),
            ("a and b and c", "a && b && c"),
            ("a and (b and c)", "a && b && c"),
            ("a or b and c", "a || b && c"),
            ("(a or b) and c", "(a || b) && c"),
            ("a and (b or c)", "a && (b || c)"),
            ("not (a and b)", "!(a && b)"),
            ("not a or not b", "!a || !b"),
            ("((a))", "a"),
            ("(a or b) and (c or not (d and e))", "(a || b) && (c || !(d && e))"),
            ("a or (b or c)", "a || b || c"),
        ];
        for (loupe, aws) in cases {
            assert_eq!(condition(&parse_condition(loupe)), aws, "{loupe}");
        }
    }

    #[test]
    fn a_lens_is_indented_when_it_fits_else_compact_else_refused() {
        let lens = LensJson {
            schema_version: SCHEMA_VERSION,
            name: "Lens".into(),
            description: "A lens".into(),
            pillars: vec![PillarJson { id: "pillar".into(), name: "Pillar".into(), questions: Vec::new() }],
        };
        let indented = fit(&lens, usize::MAX).expect("fits");
        let compact = format!("{}\n", compact(&lens));
        assert!(indented.contains("\n  \"pillars\": [\n"), "{indented}");
        assert_eq!(fit(&lens, indented.len()), Some(indented.clone()));
        assert_eq!(fit(&lens, indented.len() - 1), Some(compact.clone()));
        assert_eq!(fit(&lens, compact.len()), Some(compact.clone()));
        assert_eq!(fit(&lens, compact.len() - 1), None);
    }
}
