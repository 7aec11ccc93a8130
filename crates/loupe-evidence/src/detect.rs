//! Telling JSON from YAML, and a Terraform plan from a CloudFormation template, by content.

use std::fmt;

use crate::value::Node;

/// The surface syntax of an evidence file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Syntax {
    /// JSON (RFC 8259).
    Json,
    /// YAML 1.2, possibly several documents.
    Yaml,
}

impl Syntax {
    /// `json` or `yaml`.
    pub fn as_str(self) -> &'static str {
        match self {
            Syntax::Json => "json",
            Syntax::Yaml => "yaml",
        }
    }
}

impl fmt::Display for Syntax {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a document is, which decides how resources are read from it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Format {
    /// `terraform show -json` of a plan: `format_version` with `planned_values` and/or `resource_changes`.
    TerraformPlan,
    /// `terraform show -json` of a state: `format_version` with `values.root_module`.
    TerraformState,
    /// A CloudFormation (or SAM) template: `AWSTemplateFormatVersion`, or `Resources` whose values have
    /// a `Type` such as `AWS::S3::Bucket`.
    CloudFormation,
    /// A Kubernetes object (`apiVersion` and `kind`), or a `List` of them.
    Kubernetes,
    /// Any other JSON or YAML: no resources, reachable as raw data.
    Generic,
}

impl Format {
    /// Every format, in a stable order.
    pub const ALL: [Format; 5] =
        [Format::TerraformPlan, Format::TerraformState, Format::CloudFormation, Format::Kubernetes, Format::Generic];

    /// A short stable name: `terraform-plan`, `terraform-state`, `cloudformation`, `kubernetes`, `generic`.
    pub fn as_str(self) -> &'static str {
        match self {
            Format::TerraformPlan => "terraform-plan",
            Format::TerraformState => "terraform-state",
            Format::CloudFormation => "cloudformation",
            Format::Kubernetes => "kubernetes",
            Format::Generic => "generic",
        }
    }

    /// The format named by [`Format::as_str`].
    pub fn from_name(name: &str) -> Option<Format> {
        Format::ALL.into_iter().find(|format| format.as_str() == name)
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// JSON when the first character after white space (and a byte-order mark) is `{` or `[`, else YAML.
pub fn detect_syntax(text: &str) -> Syntax {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    match text.trim_start().as_bytes().first() {
        Some(b'{' | b'[') => Syntax::Json,
        _ => Syntax::Yaml,
    }
}

/// The format of one document, from its top-level shape.
pub fn detect_format(root: &Node) -> Format {
    let Some(object) = root.as_object() else { return Format::Generic };
    if object.contains_key("format_version") {
        if object.contains_key("planned_values") || object.contains_key("resource_changes") {
            return Format::TerraformPlan;
        }
        if root.get_path(&["values", "root_module"]).is_some() {
            return Format::TerraformState;
        }
    }
    if object.contains_key("AWSTemplateFormatVersion") {
        return Format::CloudFormation;
    }
    if let Some(resources) = object.get("Resources").and_then(Node::as_object) {
        let typed = resources
            .iter()
            .take(8)
            .any(|entry| entry.value.get("Type").and_then(Node::as_str).is_some_and(|kind| kind.contains("::")));
        if typed {
            return Format::CloudFormation;
        }
    }
    let is_string = |key: &str| object.get(key).and_then(Node::as_str).is_some();
    if is_string("apiVersion") && is_string("kind") {
        return Format::Kubernetes;
    }
    Format::Generic
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn syntax_from_the_first_character() {
        assert_eq!(detect_syntax("  \n{\"a\": 1}"), Syntax::Json);
        assert_eq!(detect_syntax("\u{feff}[1]"), Syntax::Json);
        assert_eq!(detect_syntax("a: 1"), Syntax::Yaml);
        assert_eq!(detect_syntax("# {\n"), Syntax::Yaml);
    }

    #[test]
    fn names_round_trip() {
        for format in Format::ALL {
            assert_eq!(Format::from_name(format.as_str()), Some(format));
        }
        assert_eq!(Format::from_name("terraform"), None);
    }
}
