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
//!
//! [sample]          # evidence the editor shows results on
//! evidence = ["tests/fixtures/plan.json"]   # paths relative to the pack directory
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
    /// The sample evidence the editor evaluates the pack on, as written.
    pub sample: Vec<SampleEntry>,
    pub diagnostics: Vec<Diagnostic>,
}

/// A path of `[sample] evidence`, relative to the pack directory, and where
/// the manifest names it (so a driver that cannot read it can say where).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct SampleEntry {
    pub path: String,
    pub span: Span,
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
    #[serde(default)]
    sample: Option<RawSample>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSample {
    /// Read as any value, so that a wrong type is reported at its place
    /// rather than failing the whole manifest.
    #[serde(default)]
    evidence: Option<toml::Spanned<toml::Value>>,
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

/// The name a pack's findings are fingerprinted under: its manifest's, or
/// else the id of its first lens header. Compared, so checks that read it
/// re-run only when it changes.
#[salsa::tracked(returns(ref))]
pub fn pack_name(db: &dyn Db, pack: Pack) -> String {
    if let Some(name) = &pack_manifest(db, pack).name {
        return name.clone();
    }
    let Some(&file) = crate::pack_index(db, pack).lens_files.first() else { return String::new() };
    crate::parse_file(db, file)
        .file
        .items
        .iter()
        .find_map(|item| match item {
            loupe_syntax::Item::Lens(header) => header.id.as_ref().map(|id| id.text.clone()),
            _ => None,
        })
        .unwrap_or_default()
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
                "a manifest has a `[pack]` table with `name` and an optional `description`, and optional `[lints]`, `[types]` and `[sample]` tables",
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
    if let Some(evidence) = raw.sample.and_then(|sample| sample.evidence) {
        let span = evidence.span();
        let sample_help = "name the sample evidence as a list of paths relative to the pack directory: `evidence = [\"tests/plan.json\"]`";
        match evidence.into_inner() {
            toml::Value::Array(paths) => {
                // Values inside an array keep no spans: each is found in the array's text.
                let mut from = span.start;
                for path in paths {
                    let toml::Value::String(path) = path else {
                        manifest.diagnostics.push(error(
                            format!("expected a path, found {}", with_article(path.type_str())),
                            span.clone(),
                            "expected strings",
                            sample_help,
                        ));
                        continue;
                    };
                    let entry = find_string(text, from..span.end, &path).unwrap_or(span.clone());
                    from = entry.end;
                    manifest.sample.push(SampleEntry { path, span: Span::new(entry.start, entry.end) });
                }
            }
            other => manifest.diagnostics.push(error(
                format!("expected a list of paths, found {}", with_article(other.type_str())),
                span,
                "expected a list of paths",
                sample_help,
            )),
        }
    }
    manifest
}

/// "an integer", "a string": TOML's name of a type, for a message.
fn with_article(type_name: &str) -> String {
    let article = if type_name.starts_with(['a', 'e', 'i', 'o', 'u']) { "an" } else { "a" };
    format!("{article} {type_name}")
}

/// Where the string `value` is written within `range` of the manifest: the
/// first quoted occurrence, quotes included.
fn find_string(text: &str, range: std::ops::Range<usize>, value: &str) -> Option<std::ops::Range<usize>> {
    let within = text.get(range.clone())?;
    ['"', '\'']
        .iter()
        .filter_map(|quote| {
            let quoted = format!("{quote}{value}{quote}");
            within.find(&quoted).map(|at| range.start + at..range.start + at + quoted.len())
        })
        .min_by_key(|found| found.start)
}
