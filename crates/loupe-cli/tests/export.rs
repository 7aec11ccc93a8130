//! `loupe export` against what it must agree with: the GenAI Lens's published
//! ids, titles and order; the lens format's limits; AWS's own file (when
//! `LOUPE_LENS_SAMPLES` names the samples directory); and the aws-answers
//! payloads of `loupe run`, whose selections the exported rules must rate as
//! Loupe did.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use common::{choice_ids, items, loupe, rate, repo_root, text};
use serde_json::Value;

mod common;

/// The exported lens of `pack`, parsed.
fn export(pack: &str) -> Value {
    let (code, stdout, stderr) = loupe(&["export", pack]);
    assert_eq!(code, 0, "{stderr}");
    serde_json::from_str(&stdout).expect("the export is JSON")
}

/// Pillars, questions and choices in document order: (id, title or name).
fn outline(lens: &Value) -> Vec<(String, String)> {
    let mut outline = Vec::new();
    for pillar in items(lens, "pillars") {
        outline.push((text(&pillar["id"]).to_owned(), text(&pillar["name"]).to_owned()));
        for question in items(pillar, "questions") {
            outline.push((text(&question["id"]).to_owned(), text(&question["title"]).to_owned()));
            for choice in items(question, "choices") {
                outline.push((text(&choice["id"]).to_owned(), text(&choice["title"]).to_owned()));
            }
        }
    }
    outline
}

#[test]
fn genai_export_has_the_published_ids_and_titles_in_order() {
    let table = std::fs::read_to_string(repo_root().join("policies/genai/tests/published-titles.tsv"))
        .expect("the published titles");
    let published: Vec<(String, String)> = table
        .lines()
        .filter(|line| !line.starts_with('#'))
        .filter_map(|line| line.split_once('\t'))
        .map(|(id, title)| (id.to_owned(), title.to_owned()))
        .collect();
    assert_eq!(published.len(), 115);
    assert_eq!(outline(&export("policies/genai")), published);
}

/// AWS's `generative-ai-lens.json` read from `LOUPE_LENS_SAMPLES` (never
/// copied into the repository): the same outline but for GENOPS05's title,
/// which follows the lens documentation's current wording, and the same risk
/// for every selection but in the questions `policies/genai/README.md`
/// lists, where the pack follows each practice's published risk level.
#[test]
fn genai_export_agrees_with_aws_generative_ai_lens() {
    let Some(dir) = std::env::var_os("LOUPE_LENS_SAMPLES") else {
        println!("skipped: LOUPE_LENS_SAMPLES is not set (the directory holding generative-ai-lens.json)");
        return;
    };
    let path = Path::new(&dir).join("generative-ai-lens.json");
    let aws: Value = serde_json::from_str(&std::fs::read_to_string(&path).expect("AWS's GenAI lens")).expect("JSON");
    let ours = export("policies/genai");
    let (aws_outline, our_outline) = (outline(&aws), outline(&ours));
    assert_eq!(aws_outline.len(), our_outline.len());
    let differences: Vec<&str> = aws_outline
        .iter()
        .zip(&our_outline)
        .inspect(|(theirs, ours)| assert_eq!(theirs.0, ours.0, "same ids in the same order"))
        .filter(|(theirs, ours)| theirs.1 != ours.1)
        .map(|(theirs, _)| theirs.0.as_str())
        .collect();
    assert_eq!(differences, ["GENOPS05"], "only GENOPS05's title differs");

    let questions = |lens: &Value| -> BTreeMap<String, Value> {
        items(lens, "pillars")
            .iter()
            .flat_map(|pillar| items(pillar, "questions"))
            .map(|question| (text(&question["id"]).to_owned(), question.clone()))
            .collect()
    };
    let (theirs, ours) = (questions(&aws), questions(&ours));
    let mut rated_apart = Vec::new();
    for (id, question) in &ours {
        let choices = choice_ids(question);
        let differs =
            selections(&choices).iter().any(|selected| rate(question, selected) != rate(&theirs[id], selected));
        if differs {
            rated_apart.push(id.as_str());
        }
    }
    assert_eq!(rated_apart, ["GENREL03", "GENSEC04"], "the questions policies/genai/README.md lists");
}

/// Every selection a reviewer can make: any subset of the practices, or
/// "None of these" alone.
fn selections<'a>(choices: &[&'a str]) -> Vec<BTreeSet<&'a str>> {
    let practices: Vec<&str> = choices.iter().copied().filter(|id| !id.ends_with("_no")).collect();
    let mut all: Vec<BTreeSet<&str>> = (0..1u32 << practices.len())
        .map(|bits| practices.iter().enumerate().filter(|(i, _)| bits & (1 << i) != 0).map(|(_, id)| *id).collect())
        .collect();
    all.extend(choices.iter().filter(|id| id.ends_with("_no")).map(|id| BTreeSet::from([*id])));
    all
}

/// Every limit of the lens format (DESIGN §4) and only the keys it names.
fn assert_within_the_format(lens: &Value, bytes: usize) {
    assert!(bytes <= 500_000, "{bytes} bytes");
    let keys = |value: &Value, allowed: &[&str], required: &[&str]| {
        let object = value.as_object().unwrap_or_else(|| panic!("an object: {value}"));
        for key in object.keys() {
            assert!(allowed.contains(&key.as_str()), "`{key}` is not in the specification: {value}");
        }
        for key in required {
            assert!(object.contains_key(*key), "`{key}` is missing: {value}");
        }
    };
    let length = |value: &Value, min: usize, max: usize| {
        let count = text(value).chars().count();
        assert!((min..=max).contains(&count), "{count} characters: {value}");
    };
    let id = |value: &Value| {
        let id = text(value);
        assert!((3..=64).contains(&id.len()) && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'), "{id}");
    };
    let content = |value: &Value| {
        keys(value, &["displayText", "url"], &["displayText"]);
        length(&value["displayText"], 1, 2048);
        if let Some(url) = value.get("url") {
            assert!(text(url).starts_with("https://") || text(url).starts_with("http://"), "{url}");
        }
    };
    keys(
        lens,
        &["schemaVersion", "name", "description", "pillars"],
        &["schemaVersion", "name", "description", "pillars"],
    );
    assert_eq!(lens["schemaVersion"], "2021-11-01");
    length(&lens["name"], 1, 128);
    length(&lens["description"], 1, 2048);
    let pillars = items(lens, "pillars");
    assert!((1..=10).contains(&pillars.len()));
    let mut pillar_ids = BTreeSet::new();
    let mut question_ids = BTreeSet::new();
    for pillar in pillars {
        keys(pillar, &["id", "name", "questions"], &["id", "name", "questions"]);
        id(&pillar["id"]);
        assert!(pillar_ids.insert(text(&pillar["id"])), "pillar ids are unique");
        length(&pillar["name"], 1, 128);
        let questions = items(pillar, "questions");
        assert!((1..=20).contains(&questions.len()));
        for question in questions {
            let allowed = ["id", "title", "description", "helpfulResource", "choices", "riskRules"];
            keys(question, &allowed, &["id", "title", "choices", "riskRules"]);
            id(&question["id"]);
            assert!(question_ids.insert(text(&question["id"])), "question ids are unique");
            length(&question["title"], 1, 128);
            if let Some(description) = question.get("description") {
                length(description, 1, 2048);
            }
            if let Some(helpful) = question.get("helpfulResource") {
                content(helpful);
            }
            let choices = items(question, "choices");
            assert!((1..=15).contains(&choices.len()));
            let mut choice_ids = BTreeSet::new();
            for choice in choices {
                let allowed = ["id", "title", "helpfulResource", "improvementPlan", "additionalResources"];
                keys(choice, &allowed, &["id", "title"]);
                id(&choice["id"]);
                assert!(choice_ids.insert(text(&choice["id"])), "choice ids are unique within a question");
                length(&choice["title"], 1, 128);
                let none_of_these = text(&choice["id"]).ends_with("_no");
                assert_eq!(choice.get("improvementPlan").is_some(), !none_of_these, "{choice}");
                for key in ["helpfulResource", "improvementPlan"] {
                    if let Some(link) = choice.get(key) {
                        content(link);
                    }
                }
                let additional = items(choice, "additionalResources");
                let kinds: BTreeSet<&str> = additional.iter().map(|resource| text(&resource["type"])).collect();
                assert_eq!(kinds.len(), additional.len(), "one entry per kind");
                for resource in additional {
                    keys(resource, &["type", "content"], &["type", "content"]);
                    assert!(matches!(text(&resource["type"]), "HELPFUL_RESOURCE" | "IMPROVEMENT_PLAN"));
                    let links = items(resource, "content");
                    assert!((1..=5).contains(&links.len()));
                    links.iter().for_each(content);
                }
            }
            let rules = items(question, "riskRules");
            assert!((1..=3).contains(&rules.len()));
            let levels: BTreeSet<&str> = rules.iter().map(|rule| text(&rule["risk"])).collect();
            assert_eq!(levels.len(), rules.len(), "one rule per risk level");
            assert_eq!(rules.iter().filter(|rule| rule["condition"] == "default").count(), 1, "one default");
            for rule in rules {
                keys(rule, &["condition", "risk"], &["condition", "risk"]);
                assert!(matches!(text(&rule["risk"]), "HIGH_RISK" | "MEDIUM_RISK" | "NO_RISK"));
                let condition = text(&rule["condition"]);
                let named = condition.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'));
                for name in named.filter(|name| !name.is_empty() && *name != "default") {
                    assert!(choice_ids.contains(name), "`{name}` in `{condition}` is a choice of the question");
                }
            }
        }
    }
}

#[test]
fn exports_keep_to_the_lens_format() {
    for pack in ["policies/genai", "tests/cases/export/packs/small"] {
        let (code, stdout, stderr) = loupe(&["export", pack]);
        assert_eq!(code, 0, "{stderr}");
        assert_within_the_format(&serde_json::from_str(&stdout).expect("JSON"), stdout.len());
        // The template's lens is the same lens, written compact.
        let (code, template, stderr) = loupe(&["export", pack, "--format", "cloudformation"]);
        assert_eq!(code, 0, "{stderr}");
        let template: Value = serde_json::from_str(&template).expect("JSON");
        let properties = &template["Resources"]["Lens"]["Properties"];
        let json_string = text(&properties["JSONString"]);
        assert_eq!(
            serde_json::from_str::<Value>(json_string).expect("JSON"),
            serde_json::from_str::<Value>(&stdout).expect("JSON")
        );
        assert!(!json_string.contains('\n'));
    }
}

/// Item 7 of issue 11: for every question Loupe decided from its practices
/// alone, the exported rules rate the aws-answers payload's selected
/// choices as Loupe rated the question.
#[test]
fn aws_answers_and_the_exported_rules_agree() {
    let lens = export("policies/genai");
    let rules: BTreeMap<&str, &Value> = items(&lens, "pillars")
        .iter()
        .flat_map(|pillar| items(pillar, "questions"))
        .map(|question| (text(&question["id"]), question))
        .collect();
    let mut runs: Vec<Vec<String>> = vec![
        vec!["examples/rag-chatbot".into(), "--answers".into(), "examples/rag-chatbot/answers.yaml".into()],
        vec!["examples/rag-chatbot".into()],
        vec!["examples/agentic-workflow".into()],
    ];
    let fixtures = repo_root().join("policies/genai/tests/fixtures");
    let mut fixture_paths: Vec<PathBuf> =
        std::fs::read_dir(&fixtures).expect("fixtures").map(|entry| entry.expect("an entry").path()).collect();
    fixture_paths.sort();
    runs.extend(
        fixture_paths.iter().map(|path| {
            vec![path.strip_prefix(repo_root()).expect("in the repository").to_string_lossy().into_owned()]
        }),
    );
    let (mut compared, mut with_inapplicable, mut reviews) = (0, 0, 0);
    for run in &runs {
        let review = |format: &str| {
            let mut args =
                vec!["run", "policies/genai", "--fail-on", "never", "--date", "2026-12-01", "--format", format];
            args.push("--evidence");
            args.extend(run.iter().map(String::as_str));
            loupe(&args)
        };
        let (code, report, stderr) = review("json");
        if code == 2 && stderr.contains("L0702") {
            // No check of the pack applies to this fixture alone: there is no review to compare.
            continue;
        }
        assert_eq!(code, 0, "{run:?}: {stderr}");
        reviews += 1;
        let (code, payloads, stderr) = review("aws-answers");
        assert_eq!(code, 0, "{run:?}: {stderr}");
        let report: Value = serde_json::from_str(&report).expect("JSON report");
        let payloads: Vec<Value> = serde_json::from_str(&payloads).expect("JSON payloads");
        for question in items(&report, "pillars").iter().flat_map(|pillar| items(pillar, "questions")) {
            let risk = text(&question["risk"]);
            let practices = || items(question, "choices").iter().filter(|choice| choice["is_none"] != true);
            let decided = practices()
                .all(|choice| matches!(text(&choice["status"]), "selected" | "unselected" | "not_applicable"));
            if !decided || !matches!(risk, "high" | "medium" | "none") {
                continue;
            }
            let id = text(&question["id"]);
            let payload =
                payloads.iter().find(|payload| payload["QuestionId"] == id).expect("a payload per answered question");
            let mut selected: BTreeSet<&str> = items(payload, "SelectedChoices").iter().map(text).collect();
            // Loupe counts a practice that does not apply as in place; the payload marks it NOT_APPLICABLE.
            let inapplicable: Vec<&str> = payload["ChoiceUpdates"]
                .as_object()
                .into_iter()
                .flatten()
                .filter(|(_, update)| update["Status"] == "NOT_APPLICABLE")
                .map(|(choice, _)| choice.as_str())
                .collect();
            with_inapplicable += usize::from(!inapplicable.is_empty());
            selected.extend(inapplicable);
            let expected = match risk {
                "high" => "HIGH_RISK",
                "medium" => "MEDIUM_RISK",
                _ => "NO_RISK",
            };
            assert_eq!(rate(rules[id], &selected), Some(expected), "{id} in {run:?}: selected {selected:?}");
            compared += 1;
        }
    }
    println!("{reviews} reviews, {compared} questions compared, {with_inapplicable} with a practice not applicable");
    assert!(reviews >= 20 && compared >= 100, "{reviews} reviews, {compared} questions");
}

/// A generated lens over 500 KB is refused, located, and nothing is written.
#[test]
fn a_lens_over_500_kb_is_refused() {
    let dir = std::env::temp_dir().join(format!("loupe-export-large-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    std::fs::write(dir.join("loupe.toml"), "[pack]\nname = \"large\"\n\n[lints]\nL0503 = \"allow\"\n")
        .expect("manifest");
    let long = "x".repeat(2000);
    let mut text = format!("lens large \"Large\" {{\n  version \"1\"\n  description \"{long}\"\n}}\n");
    for pillar in 0..10 {
        text.push_str(&format!("pillar p{pillar:02} \"P\" {{\n"));
        for question in 0..20 {
            text.push_str(&format!("  question q{pillar:02}_{question:02} \"Q\" {{\n    description \"{long}\"\n"));
            text.push_str(&format!(
                "    choice c{pillar:02}_{question:02} \"C\" {{\n      improve \"{long}\"\n    }}\n"
            ));
            text.push_str(&format!(
                "    risk {{\n      none when c{pillar:02}_{question:02}\n      high otherwise\n    }}\n  }}\n"
            ));
        }
        text.push_str("}\n");
    }
    std::fs::write(dir.join("large.lens"), text).expect("pack file");
    let output = dir.join("lens.json");
    let (code, stdout, stderr) = loupe(&["export", &dir.to_string_lossy(), "--output", &output.to_string_lossy()]);
    let written = output.exists();
    std::fs::remove_dir_all(&dir).ok();
    assert_eq!(code, 2, "{stderr}");
    assert!(stdout.is_empty() && !written);
    assert!(stderr.contains("error[L0413]") && stderr.contains("large.lens:1:1"), "{stderr}");
}
