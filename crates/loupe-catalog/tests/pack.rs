//! Every type the shipped pack selects with `resources("...")` is in the catalog.

use std::path::Path;

use loupe_catalog::Catalog;

/// Types the pack selects that the catalog does not have, each with why: a failing test names a new
/// one; one that the catalog learns, or the pack drops, must leave this list.
const NOT_IN_CATALOG: &[(&str, &str)] = &[(
    "aws_sagemaker_cluster",
    "not a resource of the hashicorp/aws provider (SageMaker HyperPod clusters are `awscc_sagemaker_cluster` in \
     the AWS Cloud Control provider); the pack's selection of it never matches",
)];

/// The string literals among the arguments of each `resources(` call in `text`.
fn selected_types(text: &str) -> Vec<String> {
    let literal = regex::Regex::new(r#""((?:[^"\\]|\\.)*)""#).expect("valid regex");
    let mut types = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find("resources(") {
        rest = &rest[at + "resources(".len()..];
        // The arguments run to the `)` that closes the call, skipping string literals.
        let (mut depth, mut in_string, mut escaped, mut end) = (1, false, false, rest.len());
        for (i, c) in rest.char_indices() {
            match (in_string, c) {
                (true, _) if escaped => escaped = false,
                (true, '\\') => escaped = true,
                (true, '"') | (false, '"') => in_string = !in_string,
                (false, '(') => depth += 1,
                (false, ')') => {
                    depth -= 1;
                    if depth == 0 {
                        end = i;
                        break;
                    }
                }
                _ => {}
            }
        }
        types.extend(literal.captures_iter(&rest[..end]).map(|c| c[1].to_owned()));
        rest = &rest[end..];
    }
    types
}

#[test]
fn the_scan_reads_multi_line_calls() {
    let text =
        "count(resources(\n  \"AWS::A::B\", \"aws_b\", // c\n  \"x)y\",\n)) > 0 // resources(...)\nresources(\"C\")";
    assert_eq!(selected_types(text), ["AWS::A::B", "aws_b", "x)y", "C"]);
}

#[test]
fn the_genai_pack_selects_known_types() {
    let pack = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../policies/genai");
    let mut files: Vec<_> = std::fs::read_dir(&pack)
        .expect("policies/genai")
        .map(|entry| entry.expect("directory entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "lens"))
        .collect();
    files.sort();
    assert!(files.len() >= 5, "{} .lens files in {}", files.len(), pack.display());
    let catalog = Catalog::builtin();
    let mut selected = Vec::new();
    let mut unknown = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).expect("readable .lens file");
        for ty in selected_types(&text) {
            let known = match ty.strip_suffix('*') {
                Some(prefix) => catalog.knows_prefix(prefix),
                None => catalog.knows_type(&ty),
            };
            if !known && !NOT_IN_CATALOG.iter().any(|(listed, _)| *listed == ty) {
                let file = file.file_name().map(|name| name.to_string_lossy().into_owned()).unwrap_or_default();
                let suggestion =
                    catalog.suggest_type(&ty).map(|s| format!(" (did you mean `{s}`?)")).unwrap_or_default();
                unknown.push(format!("{file}: `{ty}`{suggestion}"));
            }
            selected.push(ty);
        }
    }
    assert!(selected.len() >= 50, "only {} types found: is the scan broken?", selected.len());
    assert!(unknown.is_empty(), "types the catalog does not know:\n{}", unknown.join("\n"));
    for (ty, why) in NOT_IN_CATALOG {
        assert!(selected.iter().any(|s| s == ty), "`{ty}` is no longer selected: remove it from NOT_IN_CATALOG");
        assert!(!catalog.knows_type(ty), "`{ty}` is in the catalog now: remove it from NOT_IN_CATALOG ({why})");
    }
}
