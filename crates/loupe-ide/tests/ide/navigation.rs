use expect_test::{Expect, expect};

use crate::fixture::{Fixture, pack_at};

fn check_goto(fixture: &str, expect: Expect) {
    let fixture = Fixture::parse(fixture);
    let targets = loupe_ide::goto_definition(&fixture.db, fixture.pack, fixture.cursor());
    let actual: Vec<String> = targets
        .iter()
        .map(|target| {
            let full = fixture.show(target.file, target.full_span);
            let first_line = full.split("\\n").next().unwrap_or_default();
            format!(
                "{:?} {} {} (in {first_line}…)",
                target.kind,
                target.name,
                fixture.show(target.file, target.focus_span)
            )
        })
        .collect();
    expect.assert_eq(&actual.join("\n"));
}

fn check_references(fixture: &str, include_declaration: bool, expect: Expect) {
    let fixture = Fixture::parse(fixture);
    let ranges = loupe_ide::references(&fixture.db, fixture.pack, fixture.cursor(), include_declaration);
    let actual: Vec<String> = ranges.iter().map(|range| fixture.show(range.file, range.span)).collect();
    expect.assert_eq(&actual.join("\n"));
}

fn check_rename(fixture: &str, new_name: &str, expect: Expect) {
    let fixture = Fixture::parse(fixture);
    let actual = match loupe_ide::rename(&fixture.db, fixture.pack, fixture.cursor(), new_name) {
        Ok(edits) => {
            let edits: Vec<String> = edits
                .iter()
                .map(|edit| format!("{} -> {}", fixture.show(edit.file, edit.span), edit.new_text))
                .collect();
            edits.join("\n")
        }
        Err(error) => format!("refused: {}", error.message),
    };
    expect.assert_eq(&actual);
}

#[test]
fn goto_choice_from_a_risk_rule() {
    check_goto(
        &pack_at("none when SEC01_private", 1, 12),
        expect![[
            r#"Choice SEC01_private security.lens 260..273 "SEC01_private" (in security.lens 253..615 "choice SEC01_private \"Keep model traffic private\" {…)"#
        ]],
    );
}

#[test]
fn goto_across_files() {
    // A predicate called from a check, a question and a choice named by a test.
    check_goto(
        &pack_at("is_bedrock(endpoint)", 1, 0),
        expect![[
            r#"Predicate is_bedrock predicates.lens 54..64 "is_bedrock" (in predicates.lens 44..190 "predicate is_bedrock(endpoint) {…)"#
        ]],
    );
    check_goto(
        &pack_at("expect SEC01.", 1, 8),
        expect![[
            r#"Question SEC01 security.lens 133..138 "SEC01" (in security.lens 124..910 "question SEC01 \"How do you manage access to endpoints?\" {…)"#
        ]],
    );
    check_goto(
        &pack_at("SEC01.SEC01_private", 1, 19),
        expect![[
            r#"Choice SEC01_private security.lens 260..273 "SEC01_private" (in security.lens 253..615 "choice SEC01_private \"Keep model traffic private\" {…)"#
        ]],
    );
    check_goto(
        &pack_at("pillars security", 1, 8),
        expect![[
            r#"Pillar security security.lens 33..41 "security" (in security.lens 26..912 "pillar security \"Security\" {…)"#
        ]],
    );
}

#[test]
fn goto_a_predicate_from_a_predicate() {
    check_goto(
        &pack_at("runtime_named(endpoint", 1, 4),
        expect![[
            r#"Predicate runtime_named predicates.lens 202..215 "runtime_named" (in predicates.lens 192..260 "predicate runtime_named(name) {…)"#
        ]],
    );
}

#[test]
fn goto_nothing() {
    // A built-in, a keyword, a string, an unknown choice, the end of the text.
    check_goto(&pack_at("count(", 1, 1), expect![[r#""#]]);
    check_goto(&pack_at("risk {", 1, 1), expect![[r#""#]]);
    check_goto(&pack_at("\"0.1.0\"", 1, 2), expect![[r#""#]]);
    check_goto(
        "pillar p01 \"P\" {\n  question Q01 \"Q\" {\n    risk { none when nowhere$0 }\n  }\n}\n",
        expect![[r#""#]],
    );
    check_goto(&format!("{}$0", crate::fixture::PACK), expect![[r#""#]]);
}

#[test]
fn references_of_a_choice() {
    check_references(
        &pack_at("choice SEC01_private", 1, 9),
        true,
        expect![[r#"
        security.lens 260..273 "SEC01_private"
        security.lens 801..814 "SEC01_private"
        security.lens 848..861 "SEC01_private"
        predicates.lens 338..351 "SEC01_private""#]],
    );
    check_references(
        &pack_at("choice SEC01_private", 1, 9),
        false,
        expect![[r#"
        security.lens 801..814 "SEC01_private"
        security.lens 848..861 "SEC01_private"
        predicates.lens 338..351 "SEC01_private""#]],
    );
}

#[test]
fn references_of_a_predicate_and_a_question() {
    check_references(
        &pack_at("predicate is_bedrock", 1, 12),
        true,
        expect![[r#"
        security.lens 540..550 "is_bedrock"
        predicates.lens 54..64 "is_bedrock""#]],
    );
    check_references(
        &pack_at("expect SEC01 risk", 1, 9),
        true,
        expect![[r#"
        security.lens 133..138 "SEC01"
        predicates.lens 332..337 "SEC01"
        predicates.lens 370..375 "SEC01""#]],
    );
}

#[test]
fn rename_a_choice_in_every_file() {
    check_rename(
        &pack_at("SEC01_private and", 1, 0),
        "SEC01_vpc",
        expect![[r#"
        security.lens 260..273 "SEC01_private" -> SEC01_vpc
        security.lens 801..814 "SEC01_private" -> SEC01_vpc
        security.lens 848..861 "SEC01_private" -> SEC01_vpc
        predicates.lens 338..351 "SEC01_private" -> SEC01_vpc"#]],
    );
}

#[test]
fn rename_a_question_its_choices_follow() {
    check_rename(
        &pack_at("question SEC01", 1, 10),
        "SEC02",
        expect![[r#"
        security.lens 133..138 "SEC01" -> SEC02
        predicates.lens 332..337 "SEC01" -> SEC02
        predicates.lens 370..375 "SEC01" -> SEC02"#]],
    );
}

#[test]
fn rename_a_predicate_and_a_pillar() {
    check_rename(
        &pack_at("runtime_named(endpoint", 1, 0),
        "names_runtime",
        expect![[r#"
        predicates.lens 141..154 "runtime_named" -> names_runtime
        predicates.lens 202..215 "runtime_named" -> names_runtime"#]],
    );
    check_rename(
        &pack_at("pillar security", 1, 8),
        "protection",
        expect![[r#"
        lens.lens 123..131 "security" -> protection
        security.lens 33..41 "security" -> protection"#]],
    );
}

#[test]
fn rename_refused() {
    check_rename(
        &pack_at("SEC01_private and", 1, 0),
        "SEC01-vpc",
        expect!["refused: choice name `SEC01-vpc` contains `-`"],
    );
    check_rename(
        &pack_at("SEC01_private and", 1, 0),
        "1st_choice",
        expect!["refused: choice name `1st_choice` starts with a digit"],
    );
    check_rename(
        &pack_at("SEC01_private and", 1, 0),
        "SEC01_logs",
        expect!["refused: a choice named `SEC01_logs` already exists"],
    );
    check_rename(&pack_at("question SEC01", 1, 10), "Q", expect!["refused: question name `Q` is 1 character long"]);
    check_rename(&pack_at("pillar security", 1, 8), "unknown", expect!["refused: `unknown` is a keyword"]);
    check_rename(
        &pack_at("runtime_named(endpoint", 1, 0),
        "is_bedrock",
        expect!["refused: a predicate named `is_bedrock` already exists"],
    );
    check_rename(
        &pack_at("runtime_named(endpoint", 1, 0),
        "count",
        expect!["refused: predicate name `count` is the name of a built-in function"],
    );
    check_rename(
        &pack_at("runtime_named(endpoint", 1, 0),
        "2fast",
        expect!["refused: predicate name `2fast` does not start with a letter or `_`"],
    );
    check_rename(
        &pack_at("count(", 1, 1),
        "total",
        expect!["refused: only pillars, questions, choices, predicates and variables can be renamed"],
    );
    check_rename(&pack_at("Keep model", 1, 1), "anything", expect!["refused: nothing to rename here"]);
}

/// A predicate whose body binds names at every level, one shadowing another.
const LOCALS: &str = r#"predicate wide(role, limit) {
  let statements = role.properties.policy.Statement
  count(statements) <= limit else "{role.name} has too many statements"
  every s in statements where s.Effect == "Allow" {
    let actions = [a in s.Action where a != "*"]
    every s in actions { s != "iam:*" }
    count(actions) > 0
  }
}
"#;

fn locals_at(needle: &str, n: usize, shift: usize) -> String {
    let (at, _) = LOCALS.match_indices(needle).nth(n - 1).expect("the needle is in the predicate");
    format!("{}$0{}", &LOCALS[..at + shift], &LOCALS[at + shift..])
}

#[test]
fn goto_and_references_of_local_names() {
    check_goto(
        &locals_at("statements)", 1, 0),
        expect![[r#"Variable statements main.lens 36..46 "statements" (in main.lens 36..46 "statements"…)"#]],
    );
    check_references(
        &locals_at("role,", 1, 0),
        true,
        expect![[r#"
        main.lens 15..19 "role"
        main.lens 49..53 "role"
        main.lens 118..122 "role""#]],
    );
    // The inner `s` shadows the outer one in its body only.
    check_references(
        &locals_at("s != ", 1, 0),
        true,
        expect![[r#"
        main.lens 265..266 "s"
        main.lens 280..281 "s""#]],
    );
    check_references(
        &locals_at("s.Action", 1, 0),
        true,
        expect![[r#"
        main.lens 162..163 "s"
        main.lens 184..185 "s"
        main.lens 230..231 "s""#]],
    );
}

#[test]
fn rename_a_local_name() {
    check_rename(
        &locals_at("limit)", 1, 0),
        "most",
        expect![[r#"
        main.lens 21..26 "limit" -> most
        main.lens 105..110 "limit" -> most"#]],
    );
    check_rename(&locals_at("limit)", 1, 0), "actions", expect!["refused: a variable named `actions` already exists"]);
    check_rename(&locals_at("limit)", 1, 0), "every", expect!["refused: `every` is a keyword"]);
}
