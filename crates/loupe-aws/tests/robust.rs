//! Nothing panics on any input: every malformed lens is an error or an
//! import, each diagnostic located inside the text.

use loupe_aws::import::{ImportDiagnostic, import_lens};
use serde_json::{Value, json};

fn valid_lens() -> Value {
    json!({
        "schemaVersion": "2021-11-01",
        "name": "Robust lens",
        "description": "Every field, once.",
        "_version": "1.0",
        "pillars": [{
            "id": "ops",
            "name": "Operations",
            "questions": [{
                "id": "OPS01",
                "title": "How do you deploy?",
                "description": "Deployments.",
                "helpfulResource": { "displayText": "Deploying", "url": "https://example.com/deploy" },
                "additionalResources": [{ "type": "HELPFUL_RESOURCE", "content": [{ "displayText": "More", "url": "https://example.com/more" }] }],
                "choices": [
                    {
                        "id": "OPS01_BP01",
                        "title": "Automate",
                        "description": "Pipelines.",
                        "helpfulResource": { "displayText": "Pipelines", "url": "https://example.com/p" },
                        "improvementPlan": { "displayText": "Automate deployments.", "url": "https://example.com/i" },
                        "additionalResources": [{ "type": "IMPROVEMENT_PLAN", "content": [{ "displayText": "Also", "url": "https://example.com/a" }] }]
                    },
                    { "id": "OPS01_no", "title": "None of these" }
                ],
                "riskRules": [
                    { "condition": "OPS01_BP01 && !OPS01_no", "risk": "NO_RISK" },
                    { "condition": "default", "risk": "HIGH_RISK" }
                ]
            }]
        }]
    })
}

/// Imports `text`, asserting that every diagnostic points inside it.
fn import(text: &str) -> Result<usize, Vec<ImportDiagnostic>> {
    let result = import_lens("lens.json", text);
    let diagnostics = match &result {
        Ok(pack) => &pack.warnings,
        Err(diagnostics) => diagnostics,
    };
    for diagnostic in diagnostics {
        assert!(diagnostic.primary.span.end as usize <= text.len(), "{diagnostic:?} outside {text}");
    }
    result.map(|pack| pack.files.len())
}

#[test]
fn the_valid_lens_imports() {
    assert_eq!(import(&valid_lens().to_string()), Ok(3));
}

#[test]
fn odd_documents_are_located_errors() {
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let huge = valid_lens().to_string().replace("\"Robust lens\"", &"9".repeat(5000));
    for text in ["", "   ", "[]", "{}", "null", "1e999999", "\"lens\"", "{\"schemaVersion\": 2021}", "{", &deep, &huge]
    {
        let Err(diagnostics) = import(text) else { panic!("{text:.40} imported") };
        assert!(!diagnostics.is_empty(), "{text:.40}");
        assert!(diagnostics.iter().any(|d| d.code.as_str() == "L0801"), "{text:.40}: {diagnostics:?}");
    }
}

/// Every field of the lens, in turn, replaced by a value of every JSON type.
#[test]
fn a_wrong_type_in_any_field_is_no_panic() {
    fn paths(value: &Value, at: Vec<String>, out: &mut Vec<Vec<String>>) {
        match value {
            Value::Object(map) => map.iter().for_each(|(key, value)| {
                let mut path = at.clone();
                path.push(key.clone());
                out.push(path.clone());
                paths(value, path, out);
            }),
            Value::Array(items) => items.iter().enumerate().for_each(|(index, value)| {
                let mut path = at.clone();
                path.push(index.to_string());
                out.push(path.clone());
                paths(value, path, out);
            }),
            _ => {}
        }
    }
    let lens = valid_lens();
    let mut all = Vec::new();
    paths(&lens, Vec::new(), &mut all);
    let replacements = [
        json!(null),
        json!(true),
        json!(1.5e300),
        json!(-7),
        json!(""),
        json!("x y"),
        json!([]),
        json!({}),
        json!([[{}]]),
    ];
    let mut refused = 0;
    for path in &all {
        for replacement in &replacements {
            let mut broken = lens.clone();
            let pointer: String = path.iter().map(|key| format!("/{key}")).collect();
            *broken.pointer_mut(&pointer).expect("a path of the lens") = replacement.clone();
            refused += usize::from(import(&broken.to_string()).is_err());
        }
    }
    // Most replacements break a required field; some (a description, a url) only drop it.
    assert!(refused > all.len(), "{refused} of {} refused", all.len() * replacements.len());
}
