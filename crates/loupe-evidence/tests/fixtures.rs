//! Data-driven cases: every file under `fixtures/load` loads, and its documents, resources and
//! warnings are snapshot; every file under `fixtures/errors` is refused, and its error is
//! snapshot with the line it points at.
//!
//! Review changes with `cargo insta review`, or regenerate with
//! `INSTA_UPDATE=always cargo test -p loupe-evidence --test fixtures`.

use std::fmt::Write;
use std::path::Path;

use loupe_evidence::{Evidence, EvidenceError, LoadOptions, Node, Span, Value, load};

fn read(path: &Path) -> (String, Vec<u8>) {
    let name = path.file_name().map(|name| name.to_string_lossy().into_owned()).unwrap_or_default();
    let bytes = std::fs::read(path).unwrap_or_else(|error| panic!("{}: {error}", path.display()));
    (name, bytes)
}

#[test]
fn load_cases() {
    insta::glob!("fixtures/load/*", |path| {
        let (name, bytes) = read(path);
        let evidence = load(&name, &bytes, &LoadOptions::default()).unwrap_or_else(|error| panic!("{name}: {error}"));
        insta::assert_snapshot!(describe(&evidence));
    });
}

#[test]
fn error_cases() {
    insta::glob!("fixtures/errors/*", |path| {
        let (name, bytes) = read(path);
        match load(&name, &bytes, &LoadOptions::default()) {
            Ok(_) => panic!("{name} loaded, but it is an error case"),
            Err(error) => insta::assert_snapshot!(describe_error(&error, &bytes)),
        }
    });
}

/// A readable listing: documents, then resources with their top-level properties, then warnings.
fn describe(evidence: &Evidence) -> String {
    let mut out = String::new();
    let at = |span: Span| evidence.position(span);
    let _ = writeln!(out, "{} ({}, {})", evidence.name, evidence.syntax, evidence.format());
    let _ = writeln!(out, "\ndocuments:");
    for document in &evidence.documents {
        let _ = writeln!(
            out,
            "  #{} {} {} @{}",
            document.index,
            document.format,
            document.root.value.type_name(),
            at(document.root.span)
        );
    }
    let _ = writeln!(out, "\nresources ({}):", evidence.resource_count());
    for resource in evidence.resources() {
        let _ = writeln!(
            out,
            "  {} {} @{} (document {})",
            resource.kind,
            resource.name,
            at(resource.span),
            resource.document
        );
        match resource.properties {
            Some(properties) => members(&mut out, evidence, properties, "    "),
            None => out.push_str("    (no properties)\n"),
        }
    }
    let kinds: Vec<String> =
        evidence.resource_index().kinds().map(|(kind, count)| format!("{kind} ×{count}")).collect();
    if !kinds.is_empty() {
        let _ = writeln!(out, "\nkinds: {}", kinds.join(", "));
    }
    if evidence.resource_count() == 0 {
        let _ = writeln!(out, "\ndata:");
        for document in &evidence.documents {
            let _ = writeln!(out, "  #{}", document.index);
            members(&mut out, evidence, &document.root, "    ");
        }
    }
    if !evidence.warnings.is_empty() {
        let _ = writeln!(out, "\nwarnings:");
        for warning in &evidence.warnings {
            let _ = writeln!(out, "  @{} {}", at(warning.span), warning.message);
        }
    }
    out
}

/// One line per member of an object (or item of a list): its value as JSON, and where it is.
fn members(out: &mut String, evidence: &Evidence, node: &Node, indent: &str) {
    let line = |out: &mut String, label: &str, value: &Node| {
        let _ =
            writeln!(out, "{indent}{label} = {} @{}", truncate(&value.to_json(), 110), evidence.position(value.span));
    };
    match &node.value {
        Value::Object(object) => object.iter().for_each(|entry| line(out, &entry.key.name, &entry.value)),
        Value::List(items) => items.iter().enumerate().for_each(|(i, item)| line(out, &format!("[{i}]"), item)),
        _ => line(out, "(value)", node),
    }
}

fn truncate(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_owned(),
    }
}

/// The error, and the source line it points at with a caret under the span.
fn describe_error(error: &EvidenceError, bytes: &[u8]) -> String {
    let mut out = format!("{:?}: {}\n", error.kind, error.message);
    let (span, position) = (error.span, error.position);
    let _ = writeln!(out, "at {position} (bytes {}..{})", span.start, span.end);
    let text = String::from_utf8_lossy(bytes);
    if let Some(line) = text.lines().nth(position.line as usize - 1) {
        let width = text.get(span.range()).map_or(1, |spanned| spanned.chars().count().max(1));
        let line_width = line.chars().count().saturating_sub(position.column as usize - 1).max(1);
        let _ = writeln!(out, "  | {line}");
        let _ = writeln!(out, "  | {}{}", " ".repeat(position.column as usize - 1), "^".repeat(width.min(line_width)));
    }
    if let Some(related) = &error.related {
        let at = related.position;
        let _ = writeln!(out, "{} at {at} (bytes {}..{})", related.message, related.span.start, related.span.end);
    }
    let _ = writeln!(out, "display: {error}");
    out
}
