//! `loupe import` and `loupe init` through the binary.
//!
//! Each directory of `tests/cases/import` holds a `lens.json`; it is imported
//! into a scratch directory, and what `loupe import` printed, every file of
//! the pack and what `loupe check` says of it are compared with `NAME.snap`
//! beside the directory. An imported pack checks without errors, but for the
//! codes a case lists in its `check-errors` file.

use std::path::{Path, PathBuf};

use common::{Scratch, error_codes, lens_samples, repo_root};

mod common;

/// Runs `loupe` from the repository root: its exit status and what it printed,
/// with `scratch` written as `SCRATCH`.
fn loupe(args: &[&str], scratch: &Path) -> (i32, String) {
    let (status, stdout, stderr) = common::loupe(args);
    (status, format!("{stdout}{stderr}").replace(&scratch.to_string_lossy().into_owned(), "SCRATCH"))
}

/// The files under `dir`, relative and sorted.
fn files(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(next) = stack.pop() {
        for entry in std::fs::read_dir(&next).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path)
            } else {
                found.push(path.strip_prefix(dir).expect("inside").to_owned())
            }
        }
    }
    found.sort();
    found
}

#[test]
fn import_cases() {
    insta::glob!("../../../tests/cases/import", "*/lens.json", |lens| {
        let case = lens.parent().expect("in a case directory");
        let name = case.file_name().expect("named").to_string_lossy().into_owned();
        let scratch = Scratch::new(&name);
        let pack = scratch.0.join("pack");
        let relative = lens.strip_prefix(repo_root()).expect("under the root").to_string_lossy().into_owned();
        let (status, printed) = loupe(&["import", &relative, "--output", &pack.to_string_lossy()], &scratch.0);
        let mut snapshot = format!("exit {status}\n{printed}");
        let written = files(&pack);
        if status == 0 {
            let json: serde_json::Value =
                serde_json::from_str(&std::fs::read_to_string(lens).expect("readable")).expect("a JSON lens");
            compare::same_lens(&json, &pack);
            for file in &written {
                let text = std::fs::read_to_string(pack.join(file)).expect("a written file");
                snapshot.push_str(&format!("\n=== {}\n{text}", file.display()));
            }
            let (_, checked) = loupe(&["check", &pack.to_string_lossy()], &scratch.0);
            snapshot.push_str(&format!("\n=== loupe check\n{checked}"));
            let allowed = std::fs::read_to_string(case.join("check-errors")).unwrap_or_default();
            let unexpected: Vec<String> =
                error_codes(&checked).into_iter().filter(|code| !allowed.contains(code.as_str())).collect();
            assert!(unexpected.is_empty(), "{name}: the imported pack has errors:\n{checked}");
            for code in allowed.split_whitespace() {
                assert!(checked.contains(&format!("error[{code}]")), "{name}: expected {code}:\n{checked}");
            }
        } else {
            assert_eq!(status, 2, "{name}:\n{printed}");
            assert!(written.is_empty(), "{name}: a refused import wrote {written:?}");
        }
        let mut settings = insta::Settings::clone_current();
        settings.remove_snapshot_suffix();
        settings.remove_input_file();
        settings.set_snapshot_path(case.parent().expect("under tests/cases/import"));
        settings.set_prepend_module_to_snapshot(false);
        settings.set_description(format!("loupe import {relative} --output SCRATCH/pack"));
        settings.set_omit_expression(true);
        settings.bind(|| insta::assert_snapshot!(name, snapshot));
    });
}

#[test]
fn import_refuses_a_non_empty_output_directory() {
    let scratch = Scratch::new("non-empty");
    std::fs::write(scratch.0.join("notes.txt"), "mine").expect("a file");
    let lens = "tests/cases/import/only-default/lens.json";
    let (status, printed) = loupe(&["import", lens, "--output", &scratch.0.to_string_lossy()], &scratch.0);
    assert_eq!((status, printed.trim()), (2, "loupe: SCRATCH is not empty; name a new or empty directory"));
    assert_eq!(files(&scratch.0), [PathBuf::from("notes.txt")]);
    // An empty directory is fine.
    let empty = scratch.0.join("empty");
    std::fs::create_dir(&empty).expect("a directory");
    let (status, printed) = loupe(&["import", lens, "--output", &empty.to_string_lossy()], &scratch.0);
    assert_eq!(status, 0, "{printed}");
}

#[test]
fn init_makes_a_pack_that_checks_and_tests_clean() {
    let scratch = Scratch::new("init");
    let pack = scratch.0.join("acme-lens");
    let pack_arg = pack.to_string_lossy().into_owned();
    let (status, printed) = loupe(&["init", &pack_arg], &scratch.0);
    assert_eq!(status, 0, "{printed}");
    let written: Vec<String> = files(&pack).iter().map(|path| path.display().to_string()).collect();
    assert_eq!(
        written,
        [
            "evidence/encrypted-bucket.tfplan.json",
            "lens.lens",
            "loupe.toml",
            "predicates.lens",
            "security.lens",
            "tests.lens"
        ]
    );
    let manifest = std::fs::read_to_string(pack.join("loupe.toml")).expect("a manifest");
    assert!(manifest.contains("name = \"acme-lens\""), "{manifest}");

    let (status, checked) = loupe(&["check", "--deny-warnings", &pack_arg], &scratch.0);
    assert_eq!(status, 0, "{checked}");
    assert!(checked.contains("checked 4 files: 0 errors, 0 warnings"), "{checked}");
    let (status, tested) = loupe(&["test", &pack_arg], &scratch.0);
    assert_eq!(status, 0, "{tested}");
    assert!(tested.contains("1 passed") && tested.contains("0 failed"), "{tested}");
    let (status, formatted) = loupe(&["fmt", "--check", &pack_arg], &scratch.0);
    assert_eq!(status, 0, "{formatted}");

    // A second init into the same directory changes nothing.
    let (status, printed) = loupe(&["init", &pack_arg], &scratch.0);
    assert_eq!((status, printed.trim()), (2, "loupe: SCRATCH/acme-lens is not empty; name a new or empty directory"));
}

#[test]
fn init_from_a_lens_imports_it() {
    let scratch = Scratch::new("init-from");
    let pack = scratch.0.join("team");
    let lens = "tests/cases/import/conditions/lens.json";
    let (status, printed) = loupe(&["init", &pack.to_string_lossy(), "--from", lens], &scratch.0);
    assert_eq!(status, 0, "{printed}");
    let imported = Scratch::new("init-from-import");
    let (status, _) = loupe(&["import", lens, "--output", &imported.0.to_string_lossy()], &imported.0);
    assert_eq!(status, 0);
    for file in files(&pack) {
        assert_eq!(std::fs::read(pack.join(&file)).ok(), std::fs::read(imported.0.join(&file)).ok(), "{file:?}");
    }
}

/// `loupe import` of every lens in `LOUPE_LENS_SAMPLES` (AWS's published
/// lenses, which the repository does not hold): each imports, checks without
/// errors but for rules AWS wrote that can never fire (L0204, confirmed dead
/// in the JSON too), and keeps every id, text, URL, order and risk.
#[test]
fn real_lenses_import_without_loss() {
    let Some(lenses) = lens_samples("real_lenses_import_without_loss") else { return };
    for lens in &lenses {
        let name = lens.file_stem().expect("named").to_string_lossy().into_owned();
        let scratch = Scratch::new(&format!("sample-{name}"));
        let pack = scratch.0.join("pack");
        let (status, printed) =
            loupe(&["import", &lens.to_string_lossy(), "--output", &pack.to_string_lossy()], &scratch.0);
        assert_eq!(status, 0, "{name}:\n{printed}");
        let (_, checked) = loupe(&["check", &pack.to_string_lossy()], &scratch.0);
        let json: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(lens).expect("readable lens")).expect("a JSON lens");
        let dead = compare::same_lens(&json, &pack);
        let unexpected: Vec<String> = error_codes(&checked).into_iter().filter(|code| code != "L0204").collect();
        assert!(unexpected.is_empty(), "{name}: the imported pack has errors:\n{checked}");
        let reported = error_codes(&checked).len();
        assert_eq!(reported, dead, "{name}: L0204 errors and the JSON's dead rules differ:\n{checked}");
        let summary = |output: &str| output.lines().last().unwrap_or_default().to_owned();
        println!("{name}: {}; loupe check: {}", summary(&printed), summary(&checked));
    }
}

/// The imported pack against the JSON it came from.
mod compare {
    use std::path::Path;

    use loupe_syntax::{BinaryOp, Expr, ExprKind, Item, Link, RiskLevel, UnaryOp};

    use crate::common::{every_subset, holds};
    use serde_json::Value;

    fn text(value: &Value, key: &str) -> Option<String> {
        value.get(key).and_then(Value::as_str).map(str::to_owned)
    }

    /// Links as the importer keeps them: the main one, then the additional
    /// ones of `kind`; an empty URL is no URL.
    fn json_links(value: &Value, main: &str, kind: &str) -> Vec<(String, Option<String>)> {
        let link = |link: &Value| {
            (text(link, "displayText").unwrap_or_default(), text(link, "url").filter(|url| !url.is_empty()))
        };
        let mut links: Vec<_> = value.get(main).map(link).into_iter().collect();
        for resource in value.get("additionalResources").and_then(Value::as_array).into_iter().flatten() {
            if resource.get("type").and_then(Value::as_str) == Some(kind) {
                links.extend(resource["content"].as_array().into_iter().flatten().map(link));
            }
        }
        links
    }

    fn pack_links(links: &[Link]) -> Vec<(String, Option<String>)> {
        links.iter().map(|link| (link.text.value.clone(), link.url.as_ref().map(|url| url.value.clone()))).collect()
    }

    /// Asserts that the pack in `dir` holds `json`; returns how many of the
    /// JSON's risk rules can never fire.
    pub fn same_lens(json: &Value, dir: &Path) -> usize {
        let mut files: Vec<_> = std::fs::read_dir(dir).expect("the pack").flatten().map(|entry| entry.path()).collect();
        files.sort();
        let mut items = Vec::new();
        for file in files.iter().filter(|path| path.extension().is_some_and(|ext| ext == "lens")) {
            let parse = loupe_syntax::parse(&std::fs::read_to_string(file).expect("a pack file"));
            assert!(parse.errors.is_empty(), "{}: {:?}", file.display(), parse.errors);
            items.extend(parse.file.items);
        }
        let lens = items.iter().find_map(|item| if let Item::Lens(lens) = item { Some(lens) } else { None });
        let lens = lens.expect("a lens header");
        assert_eq!(lens.name.as_ref().map(|t| t.value.clone()), text(json, "name"));
        assert_eq!(lens.description.as_ref().map(|t| t.value.clone()), text(json, "description"));
        assert_eq!(lens.version.as_ref().map(|t| t.value.clone()), text(json, "_version"));
        let pillars: Vec<_> =
            items.iter().filter_map(|item| if let Item::Pillar(p) = item { Some(p) } else { None }).collect();
        let json_pillars = json["pillars"].as_array().expect("pillars");
        let order: Vec<&str> = lens.pillar_order.iter().map(|id| id.text.as_str()).collect();
        let json_order: Vec<&str> = json_pillars.iter().filter_map(|p| p["id"].as_str()).collect();
        assert_eq!(order, json_order, "pillar order");
        assert_eq!(pillars.len(), json_pillars.len());
        let mut dead = 0;
        for (pillar, json_pillar) in pillars.iter().zip(json_pillars) {
            assert_eq!(pillar.id.as_ref().map(|id| id.text.clone()), text(json_pillar, "id"));
            assert_eq!(pillar.name.as_ref().map(|t| t.value.clone()), text(json_pillar, "name"));
            let json_questions = json_pillar["questions"].as_array().expect("questions");
            assert_eq!(pillar.questions.len(), json_questions.len());
            for (question, json_question) in pillar.questions.iter().zip(json_questions) {
                let id = text(json_question, "id");
                assert_eq!(question.id.as_ref().map(|id| id.text.clone()), id);
                assert_eq!(question.title.as_ref().map(|t| t.value.clone()), text(json_question, "title"));
                assert_eq!(question.description.as_ref().map(|t| t.value.clone()), text(json_question, "description"));
                assert_eq!(
                    pack_links(&question.helpful),
                    json_links(json_question, "helpfulResource", "HELPFUL_RESOURCE")
                );
                let json_choices = json_question["choices"].as_array().expect("choices");
                assert_eq!(question.choices.len(), json_choices.len(), "{id:?}");
                for (choice, json_choice) in question.choices.iter().zip(json_choices) {
                    let choice_id = text(json_choice, "id");
                    assert_eq!(choice.id.as_ref().map(|id| id.text.clone()), choice_id);
                    assert_eq!(choice.title.as_ref().map(|t| t.value.clone()), text(json_choice, "title"));
                    assert_eq!(choice.is_none, choice_id.as_deref().is_some_and(|id| id.ends_with("_no")));
                    let description = text(json_choice, "description").filter(|d| !d.trim().is_empty());
                    assert_eq!(choice.description.as_ref().map(|t| t.value.clone()), description);
                    assert_eq!(
                        pack_links(&choice.helpful),
                        json_links(json_choice, "helpfulResource", "HELPFUL_RESOURCE")
                    );
                    // The none-of-these choice has no improvement plan: one in the JSON is dropped, with L0802.
                    let improve = if choice.is_none {
                        Vec::new()
                    } else {
                        json_links(json_choice, "improvementPlan", "IMPROVEMENT_PLAN")
                    };
                    assert_eq!(pack_links(&choice.improve), improve, "{choice_id:?}");
                }
                dead += same_risks(question, json_question);
            }
        }
        dead
    }

    /// Every selection of the question's choices (all 2^n subsets) gets the
    /// same risk from the JSON's rules and the pack's; returns how many JSON
    /// rules decide no selection a reviewer can make.
    fn same_risks(question: &loupe_syntax::Question, json: &Value) -> usize {
        let ids: Vec<&str> =
            json["choices"].as_array().expect("choices").iter().filter_map(|c| c["id"].as_str()).collect();
        let rules: Vec<(&str, &str)> = json["riskRules"]
            .as_array()
            .expect("rules")
            .iter()
            .map(|rule| (rule["condition"].as_str().expect("condition"), rule["risk"].as_str().expect("risk")))
            .collect();
        let pack_rules = question.risk.as_ref().map_or(&[][..], |block| &block.rules[..]);
        let mut fired = vec![false; rules.len()];
        for chosen in every_subset(&ids) {
            let selected = |id: &str| chosen.contains(id);
            let json_rule = rules.iter().position(|(condition, _)| holds(condition, &chosen));
            let json_risk = json_rule.map(|index| match rules[index].1 {
                "HIGH_RISK" => "high",
                "MEDIUM_RISK" => "medium",
                _ => "none",
            });
            let pack_risk = pack_rules
                .iter()
                .find(|rule| rule.condition.as_ref().is_none_or(|condition| pack_holds(condition, &selected)))
                .map(|rule| match rule.level {
                    RiskLevel::High => "high",
                    RiskLevel::Medium => "medium",
                    RiskLevel::None => "none",
                });
            assert_eq!(pack_risk, json_risk, "{:?}, selection {chosen:?}", question.id);
            // A reviewer selects "None of these" alone.
            let none_with_others = chosen.iter().any(|id| id.ends_with("_no")) && chosen.len() > 1;
            if let (Some(index), false) = (json_rule, none_with_others) {
                fired[index] = true;
            }
        }
        // An unreachable `default` is warning L0507, not an error.
        let last_default = |index: usize| {
            rules[index].0.trim() == "default" && rules[..index].iter().all(|(c, _)| c.trim() != "default")
        };
        fired.iter().enumerate().filter(|(index, fired)| !**fired && !last_default(*index)).count()
    }

    fn pack_holds(condition: &Expr, selected: &dyn Fn(&str) -> bool) -> bool {
        match &condition.kind {
            ExprKind::Var(name) => selected(&name.text),
            ExprKind::Unary { op: UnaryOp::Not, operand } => !pack_holds(operand, selected),
            ExprKind::Binary { op: BinaryOp::And, lhs, rhs, .. } => {
                pack_holds(lhs, selected) && pack_holds(rhs, selected)
            }
            ExprKind::Binary { op: BinaryOp::Or, lhs, rhs, .. } => {
                pack_holds(lhs, selected) || pack_holds(rhs, selected)
            }
            other => panic!("not a risk condition: {other:?}"),
        }
    }
}
