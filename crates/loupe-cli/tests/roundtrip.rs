//! Import then export gives back the lens: for every lens JSON that
//! `loupe import` takes and whose pack `loupe check` accepts, `loupe export`
//! writes the same content the lens format names (ids, texts, links, order)
//! and, for every question, rules that give the same risk to every subset of
//! its choices. Run on the import cases of `tests/cases/import` and, when
//! `LOUPE_LENS_SAMPLES` names them, on AWS's published lenses.

use std::path::Path;

use common::{Scratch, choice_ids, error_codes, every_subset, items, lens_samples, loupe, rate, repo_root, text};
use serde_json::{Value, json};

mod common;

/// What came of one lens.
#[derive(Debug, PartialEq)]
enum RoundTrip {
    /// Exported with the same content and risks.
    Same,
    /// Imported, but `loupe check` finds these errors, and export refuses.
    Refused(Vec<String>),
}

/// Imports `lens`, exports the pack, and compares.
fn round_trip(lens: &Path) -> RoundTrip {
    let name = lens.parent().and_then(Path::file_name).unwrap_or_default().to_string_lossy();
    let stem = lens.file_stem().unwrap_or_default().to_string_lossy();
    let scratch = Scratch::new(&format!("roundtrip-{name}-{stem}"));
    let pack = scratch.0.join("pack");
    let pack = pack.to_string_lossy();
    let (status, _, stderr) = loupe(&["import", &lens.to_string_lossy(), "--output", &pack]);
    assert_eq!(status, 0, "{}: import failed:\n{stderr}", lens.display());
    let (status, stdout, stderr) = loupe(&["export", &pack]);
    let errors = error_codes(&stderr);
    if status != 0 {
        assert_eq!(status, 2, "{}:\n{stderr}", lens.display());
        assert!(!errors.is_empty(), "{}: export refused without an error:\n{stderr}", lens.display());
        return RoundTrip::Refused(errors);
    }
    let original: Value = serde_json::from_str(&std::fs::read_to_string(lens).expect("readable")).expect("JSON");
    let exported: Value = serde_json::from_str(&stdout).expect("the export is JSON");
    if let Some(difference) = first_difference(&spec_content(&exported), &spec_content(&original), "") {
        panic!("{}: {difference}", lens.display());
    }
    for (ours, theirs) in questions(&exported).into_iter().zip(questions(&original)) {
        let choices = choice_ids(theirs);
        for selected in every_subset(&choices) {
            assert_eq!(rate(ours, &selected), rate(theirs, &selected), "{}: {selected:?}", text(&theirs["id"]));
        }
    }
    RoundTrip::Same
}

fn questions(lens: &Value) -> Vec<&Value> {
    items(lens, "pillars").iter().flat_map(|pillar| items(pillar, "questions")).collect()
}

/// The lens with only what the format names, rules aside; an empty URL or
/// text is none. Extra links of one kind are compared as one list, in order.
fn spec_content(lens: &Value) -> Value {
    let string =
        |value: &Value, key: &str| value.get(key).and_then(Value::as_str).filter(|s| !s.is_empty()).map(str::to_owned);
    let link = |value: &Value| json!({ "displayText": string(value, "displayText"), "url": string(value, "url") });
    let additional = |choice: &Value, kind: &str| -> Vec<Value> {
        items(choice, "additionalResources")
            .iter()
            .filter(|resource| resource["type"] == kind)
            .flat_map(|resource| items(resource, "content"))
            .map(link)
            .collect()
    };
    let choice = |choice: &Value| {
        // "None of these" has no improvement plan in the language: import
        // drops one with warning L0802, so it is not compared.
        let none = string(choice, "id").is_some_and(|id| id.ends_with("_no"));
        json!({
            "id": string(choice, "id"),
            "title": string(choice, "title"),
            "helpfulResource": choice.get("helpfulResource").map(link),
            "improvementPlan": choice.get("improvementPlan").filter(|_| !none).map(link),
            "helpful": additional(choice, "HELPFUL_RESOURCE"),
            "improve": if none { Vec::new() } else { additional(choice, "IMPROVEMENT_PLAN") },
        })
    };
    let question = |question: &Value| {
        json!({
            "id": string(question, "id"),
            "title": string(question, "title"),
            "description": string(question, "description"),
            "helpfulResource": question.get("helpfulResource").map(link),
            "choices": items(question, "choices").iter().map(choice).collect::<Vec<_>>(),
        })
    };
    let pillar = |pillar: &Value| {
        json!({
            "id": string(pillar, "id"),
            "name": string(pillar, "name"),
            "questions": items(pillar, "questions").iter().map(question).collect::<Vec<_>>(),
        })
    };
    json!({
        "schemaVersion": string(lens, "schemaVersion"),
        "name": string(lens, "name"),
        "description": string(lens, "description"),
        "pillars": items(lens, "pillars").iter().map(pillar).collect::<Vec<_>>(),
    })
}

/// Where `ours` and `theirs` first differ, by path, and how.
fn first_difference(ours: &Value, theirs: &Value, path: &str) -> Option<String> {
    match (ours, theirs) {
        (Value::Object(a), Value::Object(b)) => b.iter().find_map(|(key, value)| {
            let id = value.get("id").and_then(Value::as_str).map(|id| format!("[{id}]")).unwrap_or_default();
            first_difference(&a[key], value, &format!("{path}.{key}{id}"))
        }),
        (Value::Array(a), Value::Array(b)) if a.len() == b.len() => {
            a.iter().zip(b).enumerate().find_map(|(i, (a, b))| first_difference(a, b, &format!("{path}[{i}]")))
        }
        _ => (ours != theirs).then(|| format!("at {path}: exported {ours}, the lens has {theirs}")),
    }
}

/// Every import case that imports comes back; those whose pack has errors
/// (the case lists them in `check-errors`) are refused for exactly those.
#[test]
fn import_cases_round_trip() {
    let cases = repo_root().join("tests/cases/import");
    let mut compared = 0;
    for case in std::fs::read_dir(&cases).expect("the import cases").flatten().map(|entry| entry.path()) {
        let lens = case.join("lens.json");
        // Cases named after L0801 are lenses that do not import.
        if !lens.is_file() || case.file_name().is_some_and(|name| name.to_string_lossy().starts_with("L0801")) {
            continue;
        }
        let expected_errors: Vec<String> = std::fs::read_to_string(case.join("check-errors"))
            .map(|codes| codes.split_whitespace().map(str::to_owned).collect())
            .unwrap_or_default();
        let outcome = round_trip(&lens);
        if expected_errors.is_empty() {
            assert_eq!(outcome, RoundTrip::Same, "{}", case.display());
            compared += 1;
        } else {
            assert_eq!(outcome, RoundTrip::Refused(expected_errors), "{}", case.display());
        }
    }
    assert!(compared >= 7, "only {compared} import cases came back");
}

/// AWS's lenses come back, but for those whose authors wrote rules that can
/// never fire (L0204, an error in Loupe): those are refused for that alone.
#[test]
fn real_lenses_round_trip() {
    let Some(lenses) = lens_samples("real_lenses_round_trip") else { return };
    for lens in &lenses {
        match round_trip(lens) {
            RoundTrip::Same => println!("{}: the same after import and export", lens.display()),
            RoundTrip::Refused(errors) => {
                assert!(errors.iter().all(|code| code == "L0204"), "{}: {errors:?}", lens.display());
                println!("{}: refused, {} rules that can never fire (L0204)", lens.display(), errors.len());
            }
        }
    }
}
