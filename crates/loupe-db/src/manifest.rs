//! The pack manifest, `loupe.toml`.
//!
//! ```toml
//! [pack]
//! name = "genai"
//! description = "AWS Well-Architected Generative AI Lens"
//!
//! [lints]
//! L0503 = "allow"   # allow, warn or deny, for warning codes
//!
//! [types]           # resource types no built-in catalog has
//! "Custom::ModelRegistry" = ["ModelName", "Stage"]   # its top-level properties
//! "google_storage_bucket" = "*"                      # any property
//! ```

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::{Code, Db, DeclaredTypes, Diagnostic, Label, Pack, Severity, SourceFile, Span};

#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Manifest {
    pub name: Option<String>,
    pub description: Option<String>,
    /// Overrides of the severity of warning codes.
    pub lints: BTreeMap<Code, LintLevel>,
    /// Resource types the pack declares beside the built-in catalog.
    pub types: DeclaredTypes,
    pub diagnostics: Vec<Diagnostic>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LintLevel {
    Allow,
    Warn,
    Deny,
}

impl Manifest {
    /// The severity a diagnostic with `code` has in this pack, or `None` when
    /// the pack allows it.
    pub fn severity(&self, code: Code) -> Option<Severity> {
        match self.lints.get(&code) {
            Some(LintLevel::Allow) => None,
            Some(LintLevel::Warn) => Some(Severity::Warning),
            Some(LintLevel::Deny) => Some(Severity::Error),
            None => Some(code.severity()),
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawManifest {
    pack: RawPack,
    #[serde(default)]
    lints: BTreeMap<toml::Spanned<String>, toml::Spanned<String>>,
    #[serde(default)]
    types: BTreeMap<String, toml::Spanned<RawProperties>>,
}

/// A declared type's properties: a list, or `"*"` for any.
#[derive(Deserialize)]
#[serde(untagged)]
enum RawProperties {
    Listed(Vec<String>),
    Any(String),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPack {
    name: String,
    description: Option<String>,
}

#[salsa::tracked(returns(ref))]
pub fn pack_manifest(db: &dyn Db, pack: Pack) -> Manifest {
    let Some(file) = pack.manifest(db) else {
        return Manifest::default();
    };
    parse_manifest(file, file.text(db))
}

fn parse_manifest(file: SourceFile, text: &str) -> Manifest {
    let error = |message: String, span: std::ops::Range<usize>, label: &str, help: &str| {
        Diagnostic::new(Code::InvalidManifest, message, Label::new(file, Span::new(span.start, span.end), label))
            .with_help(help)
    };
    let raw: RawManifest = match toml::from_str(text) {
        Ok(raw) => raw,
        Err(problem) => {
            let message = problem.message().trim().to_string();
            let diagnostic = error(
                format!("loupe.toml: {message}"),
                problem.span().unwrap_or(0..0),
                "here",
                "a manifest has a `[pack]` table with `name` and an optional `description`, and optional `[lints]` and `[types]` tables",
            );
            return Manifest { diagnostics: vec![diagnostic], ..Manifest::default() };
        }
    };
    let mut manifest = Manifest { name: Some(raw.pack.name), description: raw.pack.description, ..Manifest::default() };
    let mut lints: Vec<_> = raw.lints.into_iter().collect();
    lints.sort_by_key(|(key, _)| key.span().start);
    for (key, level) in lints {
        let code = match Code::parse(key.get_ref()) {
            Some(code) if code.severity() == Severity::Warning => code,
            Some(_) => {
                manifest.diagnostics.push(error(
                    format!("`{}` is an error, not a lint", key.get_ref()),
                    key.span(),
                    "an error code",
                    "only warning codes (L05xx) can be allowed, warned or denied",
                ));
                continue;
            }
            None => {
                manifest.diagnostics.push(error(
                    format!("`{}` is not a diagnostic code", key.get_ref()),
                    key.span(),
                    "unknown code",
                    "name a warning code such as `L0503`; `loupe explain` lists them",
                ));
                continue;
            }
        };
        let level = match level.get_ref().as_str() {
            "allow" => LintLevel::Allow,
            "warn" => LintLevel::Warn,
            "deny" => LintLevel::Deny,
            other => {
                manifest.diagnostics.push(error(
                    format!("`{other}` is not a lint level"),
                    level.span(),
                    "unknown level",
                    "a lint level is \"allow\", \"warn\" or \"deny\"",
                ));
                continue;
            }
        };
        manifest.lints.insert(code, level);
    }
    for (name, properties) in raw.types {
        let span = properties.span();
        let properties = match properties.into_inner() {
            RawProperties::Listed(list) => Some(list.into_iter().collect()),
            RawProperties::Any(star) if star == "*" => None,
            RawProperties::Any(other) => {
                manifest.diagnostics.push(error(
                    format!("`{other}` is not a list of properties"),
                    span,
                    "expected a list or \"*\"",
                    "declare a type's top-level properties as a list, or \"*\" for any property",
                ));
                continue;
            }
        };
        manifest.types.types.insert(name, properties);
    }
    manifest
}
