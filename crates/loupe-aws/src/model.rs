//! The custom lens JSON as the AWS "Lens format specification"
//! (schemaVersion `2021-11-01`) names it, and nothing more: what `loupe export`
//! writes. Field order is the order of the fields here, so the output is
//! stable.

use serde::Serialize;

/// The schema version every exported lens declares.
pub const SCHEMA_VERSION: &str = "2021-11-01";

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LensJson {
    pub schema_version: &'static str,
    pub name: String,
    pub description: String,
    pub pillars: Vec<PillarJson>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PillarJson {
    pub id: String,
    pub name: String,
    pub questions: Vec<QuestionJson>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct QuestionJson {
    pub id: String,
    pub title: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub helpful_resource: Option<Content>,
    pub choices: Vec<ChoiceJson>,
    pub risk_rules: Vec<RiskRuleJson>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ChoiceJson {
    pub id: String,
    pub title: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub helpful_resource: Option<Content>,
    /// Required on every choice except "None of these" (`…_no`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub improvement_plan: Option<Content>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub additional_resources: Vec<AdditionalResources>,
}

/// A display text and, optionally, its link.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Content {
    pub display_text: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

/// Up to five more links of one kind.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AdditionalResources {
    #[serde(rename = "type")]
    pub kind: ResourceKind,
    pub content: Vec<Content>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ResourceKind {
    HelpfulResource,
    ImprovementPlan,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RiskRuleJson {
    /// Choice ids with `&&`, `||`, `!` and parentheses, or `default`.
    pub condition: String,
    pub risk: RiskJson,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum RiskJson {
    #[serde(rename = "HIGH_RISK")]
    High,
    #[serde(rename = "MEDIUM_RISK")]
    Medium,
    #[serde(rename = "NO_RISK")]
    None,
}
