use expect_test::{Expect, expect};
use loupe_ide::{AssistKind, FileRange, Span};

use crate::fixture::{Fixture, PACK, pack_at};

/// The diagnostics at the cursor, then each assist there with the lines
/// it changes (as they read after its edits) and the pack's diagnostics
/// then. Asserts that a fix removes a diagnostic of its code, that no
/// assist adds an error, and that a formatted file stays formatted.
fn check_assists(fixture: &str, expect: Expect) {
    let fixture = Fixture::parse(fixture);
    let cursor = fixture.cursor();
    let range = FileRange { file: cursor.file, span: Span::empty(cursor.offset as usize) };
    let codes_before = codes(&fixture);
    let here: Vec<&str> = loupe_ide::diagnostics(&fixture.db, fixture.pack, cursor.file)
        .iter()
        .filter(|diagnostic| {
            diagnostic.primary.span.start <= cursor.offset && cursor.offset <= diagnostic.primary.span.end
        })
        .map(|diagnostic| diagnostic.code.as_str())
        .collect();
    let mut actual = format!("diagnostics here: {}\n", here.join(" "));
    for assist in loupe_ide::assists(&fixture.db, fixture.pack, range) {
        let kind = match assist.kind {
            AssistKind::QuickFix => "quick fix",
            AssistKind::Refactor => "refactor",
        };
        let fixes = assist
            .fixes
            .map(|fixed| format!(", fixes {} at {}", fixed.code.as_str(), fixture.show(cursor.file, fixed.span)));
        actual.push_str(&format!("{} ({kind}{})\n", assist.label, fixes.unwrap_or_default()));
        let mut after = String::new();
        for &file in &fixture.files {
            let old = file.text(&fixture.db).as_str();
            let mut edits: Vec<_> = assist.edits.iter().filter(|edit| edit.file == file).collect();
            edits.sort_by_key(|edit| std::cmp::Reverse(edit.span.start));
            let mut new = old.to_string();
            for edit in &edits {
                new.replace_range(edit.span.range(), &edit.new_text);
            }
            if !edits.is_empty() {
                actual.push_str(&format!("//- {}\n{}\n", file.name(&fixture.db), changed_lines(old, &new)));
                if loupe_syntax::format::format(old).as_deref() == Ok(old) {
                    assert_eq!(loupe_syntax::format::format(&new).as_deref(), Ok(new.as_str()), "no longer formatted");
                }
            }
            after.push_str(&format!("//- {}\n{new}", file.name(&fixture.db)));
        }
        let codes_after = codes(&Fixture::parse(&after));
        let count = |codes: &[(String, bool)], code: &str| codes.iter().filter(|(other, _)| other == code).count();
        if let Some(fixed) = assist.fixes {
            let code = fixed.code.as_str();
            assert!(count(&codes_after, code) < count(&codes_before, code), "{code} is still reported");
        }
        for (code, _) in codes_after.iter().filter(|(_, error)| *error) {
            assert!(count(&codes_after, code) <= count(&codes_before, code), "a new error {code}");
        }
        let codes_after: Vec<&str> = codes_after.iter().map(|(code, _)| code.as_str()).collect();
        actual.push_str(&format!("diagnostics after: {}\n", codes_after.join(" ")));
    }
    expect.assert_eq(&actual);
}

/// The lines of `new` that differ from `old`, with one line around them,
/// each after its line number.
fn changed_lines(old: &str, new: &str) -> String {
    let (old, new): (Vec<&str>, Vec<&str>) = (old.lines().collect(), new.lines().collect());
    let same_start = old.iter().zip(&new).take_while(|(a, b)| a == b).count();
    let same_end = old.iter().rev().zip(new.iter().rev()).take_while(|(a, b)| a == b).count();
    let first = same_start.saturating_sub(1);
    let last = (new.len() - same_end.min(new.len() - same_start) + 1).min(new.len());
    (first..last).map(|at| format!("{:>3} {}\n", at + 1, new[at])).collect()
}

/// [`PACK`] with `from` (its first occurrence) written `to`, and the cursor
/// `shift` bytes into it.
fn pack_with(from: &str, to: &str, shift: usize) -> String {
    let to = format!("{}$0{}", &to[..shift], &to[shift..]);
    assert!(PACK.contains(from), "{from} is in the pack");
    PACK.replacen(from, &to, 1)
}

/// The codes of the pack's diagnostics, and whether each is an error.
fn codes(fixture: &Fixture) -> Vec<(String, bool)> {
    let diagnostics = fixture.files.iter().flat_map(|&file| loupe_ide::diagnostics(&fixture.db, fixture.pack, file));
    diagnostics.map(|diagnostic| (diagnostic.code.as_str().to_string(), diagnostic.is_error())).collect()
}

#[test]
fn nothing_where_nothing_is_wrong() {
    check_assists(
        &pack_at("count(", 1, 2),
        expect![[r#"
        diagnostics here: 
    "#]],
    );
    check_assists(
        &pack_at("high otherwise", 1, 0),
        expect![[r#"
        diagnostics here: 
    "#]],
    );
    // The question already has its none-of-these choice.
    check_assists(
        &pack_at("question SEC01", 1, 10),
        expect![[r#"
        diagnostics here: 
    "#]],
    );
    check_assists(
        &format!("{PACK}$0"),
        expect![[r#"
        diagnostics here: 
    "#]],
    );
}

/// A question of one pillar, formatted, around `body`.
fn question(body: &str) -> String {
    let body: String = body.lines().map(|line| format!("    {line}\n")).collect();
    format!(
        "lens acme \"ACME\" {{\n  description \"d\"\n}}\n\npillar sec01 \"Security\" {{\n  question SEC01 \"Who calls?\" {{\n{body}  }}\n}}\n"
    )
}

const CHOICES: &str = r#"choice SEC01_a "A" {
  improve "Do A." "https://example.com/a"
  check { count(resources("aws_vpc")) > 0 }
}
choice SEC01_b "B" {
  improve "Do B." "https://example.com/b"
}
none SEC01_no "None of these"
"#;

#[test]
fn add_a_missing_otherwise_at_a_free_level() {
    check_assists(
        &question(&format!("{CHOICES}risk {{\n  none when SEC01_a and SEC01_b\n  medium when SEC01_a$0\n}}")),
        expect![[r#"
            diagnostics here: L0201
            Add `high otherwise` (quick fix, fixes L0201 at main.lens 387..406 "medium when SEC01_a")
            //- main.lens
             17       medium when SEC01_a
             18       high otherwise
             19     }

            diagnostics after: 
        "#]],
    );
    // `high` is taken; a comment after the last rule stays with it.
    check_assists(
        &question(&format!("{CHOICES}risk {{\n  high when not SEC01_a // no endpoint\n  none when SEC01_b$0\n}}")),
        expect![[r#"
            diagnostics here: L0201
            Add `medium otherwise` (quick fix, fixes L0201 at main.lens 394..411 "none when SEC01_b")
            //- main.lens
             17       none when SEC01_b
             18       medium otherwise
             19     }

            diagnostics after: 
        "#]],
    );
    // Every level is taken: a fourth rule would be an error too.
    check_assists(
        &question(&format!(
            "{CHOICES}risk {{\n  high when SEC01_no\n  medium when not SEC01_a\n  none when SEC01_b$0\n}}"
        )),
        expect![[r#"
            diagnostics here: L0201
        "#]],
    );
}

#[test]
fn add_a_missing_risk_block() {
    check_assists(
        &question(CHOICES).replacen("question SEC01", "question SEC01$0", 1),
        expect![[r#"
        diagnostics here: L0201
        Add `risk { high otherwise }` (quick fix, fixes L0201 at main.lens 77..82 "SEC01")
        //- main.lens
         14     none SEC01_no "None of these"
         15     risk {
         16       high otherwise
         17     }
         18   }

        diagnostics after: L0502 L0502
    "#]],
    );
}

#[test]
fn add_a_none_of_these_choice_after_non_ascii_text() {
    let choices = CHOICES.replace(
        "none SEC01_no \"None of these\"\n",
        "// the last choice\nrisk {\n  none when SEC01_a\n  high otherwise\n}",
    );
    let fixture =
        question(&choices).replacen("\"Who calls?\"", "\"Wer ruft Modelle auf – über welche Endpunkte?\"$0", 1);
    check_assists(
        &fixture,
        expect![[r#"
        diagnostics here: 
        Add the none-of-these choice `SEC01_no` (refactor)
        //- main.lens
         13     }
         14     none SEC01_no "None of these"
         15     // the last choice

        diagnostics after: L0502
    "#]],
    );
}

#[test]
fn replace_an_unknown_name_with_the_one_its_diagnostic_suggests() {
    // A choice in a risk rule, a predicate, a pillar in the lens header.
    check_assists(
        &pack_with("SEC01_private and", "SEC01_privte and", 0),
        expect![[r#"
        diagnostics here: L0110
        Replace with `SEC01_private` (quick fix, fixes L0110 at security.lens 801..813 "SEC01_privte")
        //- security.lens
         21     risk {
         22       none when SEC01_private and SEC01_logs
         23       medium when SEC01_private or not SEC01_logs

        diagnostics after: 
    "#]],
    );
    check_assists(
        &pack_with("is_bedrock(endpoint)\n", "is_bedrok(endpoint)\n", 3),
        expect![[r#"
        diagnostics here: L0111
        Replace with `is_bedrock` (quick fix, fixes L0111 at security.lens 540..549 "is_bedrok")
        //- security.lens
         12         some endpoint in resources("aws_vpc_endpoint", "AWS::EC2::VPCEndpoint") {
         13           is_bedrock(endpoint)
         14         } else "no endpoint for Bedrock"

        diagnostics after: 
    "#]],
    );
    // Evidence read without `properties.`: the fix inserts it.
    check_assists(
        &pack_with(
            "is_bedrock(endpoint)\n",
            "is_bedrock(endpoint) and endpoint.VpcEndpointType == \"Interface\"\n",
            37,
        ),
        expect![[r#"
            diagnostics here: L0120
            Replace with `properties.VpcEndpointType` (quick fix, fixes L0120 at security.lens 574..589 "VpcEndpointType")
            //- security.lens
             12         some endpoint in resources("aws_vpc_endpoint", "AWS::EC2::VPCEndpoint") {
             13           is_bedrock(endpoint) and endpoint.properties.VpcEndpointType == "Interface"
             14         } else "no endpoint for Bedrock"

            diagnostics after: 
        "#]],
    );
    check_assists(
        &pack_with("pillars security", "pillars securty", 10),
        expect![[r#"
        diagnostics here: L0119
        Replace with `security` (quick fix, fixes L0119 at lens.lens 123..130 "securty")
        //- lens.lens
          4   description "How ACME reviews workloads."
          5   pillars security
          6 }

        diagnostics after: 
    "#]],
    );
    // A question and a choice in a test.
    check_assists(
        &pack_with("expect SEC01 risk", "expect SEC1 risk", 7),
        expect![[r#"
        diagnostics here: L0115
        Replace with `SEC01` (quick fix, fixes L0115 at predicates.lens 370..374 "SEC1")
        //- predicates.lens
         13   expect SEC01.SEC01_private selected
         14   expect SEC01 risk medium
         15 }

        diagnostics after: 
    "#]],
    );
    check_assists(
        &pack_with("SEC01.SEC01_private", "SEC01.SEC01_privat", 18),
        expect![[r#"
        diagnostics here: L0115
        Replace with `SEC01_private` (quick fix, fixes L0115 at predicates.lens 338..350 "SEC01_privat")
        //- predicates.lens
         12   evidence "evidence/private.json"
         13   expect SEC01.SEC01_private selected
         14   expect SEC01 risk medium

        diagnostics after: 
    "#]],
    );
    // A phase, a variable, a resource type in its string.
    check_assists(
        &pack_with("description \"Only", "phase deploy\n    description \"Only", 7),
        expect![[r#"
        diagnostics here: L0114
        Replace with `deployment` (quick fix, fixes L0114 at security.lens 192..198 "deploy")
        //- security.lens
          6   question SEC01 "How do you manage access to endpoints?" {
          7     phase deployment
          8     description "Only the identities that need a model invoke it."

        diagnostics after: 
    "#]],
    );
    check_assists(
        &pack_with("is_bedrock(endpoint)\n", "is_bedrock(endpont)\n", 11),
        expect![[r#"
        diagnostics here: L0113
        Replace with `endpoint` (quick fix, fixes L0113 at security.lens 551..558 "endpont")
        //- security.lens
         12         some endpoint in resources("aws_vpc_endpoint", "AWS::EC2::VPCEndpoint") {
         13           is_bedrock(endpoint)
         14         } else "no endpoint for Bedrock"

        diagnostics after: 
    "#]],
    );
    check_assists(
        &pack_with("\"aws_vpc\"", "\"aws_vpcc\"", 1),
        expect![[r#"
        diagnostics here: L0505
        Replace with `aws_vpc` (quick fix, fixes L0505 at security.lens 432..442 "\"aws_vpcc\"")
        //- security.lens
         10       check {
         11         applies when count(resources("aws_vpc")) > 0
         12         some endpoint in resources("aws_vpc_endpoint", "AWS::EC2::VPCEndpoint") {

        diagnostics after: 
    "#]],
    );
    // A property of a known resource type, a misspelled keyword.
    let property = pack_with("is_bedrock(endpoint)\n", "endpoint.properties.service_nam == \"x\"\n", 22);
    check_assists(
        &property.replacen(", \"AWS::EC2::VPCEndpoint\"", "", 1),
        expect![[r#"
        diagnostics here: L0506
        Replace with `service_name` (quick fix, fixes L0506 at security.lens 535..546 "service_nam")
        //- security.lens
         12         some endpoint in resources("aws_vpc_endpoint") {
         13           endpoint.properties.service_name == "x"
         14         } else "no endpoint for Bedrock"

        diagnostics after: L0501 L0501
    "#]],
    );
    check_assists(
        &pack_with("choice SEC01_logs", "chioce SEC01_logs", 2),
        expect![[r#"
        diagnostics here: L0001
        Replace with `choice` (quick fix, fixes L0001 at security.lens 620..626 "chioce")
        //- security.lens
         16     }
         17     choice SEC01_logs "Log every invocation" {
         18       improve "Turn on invocation logging." "https://example.com/logs"

        diagnostics after: 
    "#]],
    );
}

#[test]
fn rename_an_id_with_an_illegal_character_everywhere() {
    // The question's id is used by a test in another file.
    check_assists(
        &pack_with("question SEC01 ", "question SEC-01 ", 12).replace("expect SEC01", "expect SEC-01"),
        expect![[r#"
            diagnostics here: L0401
            Rename to `SEC_01` (quick fix, fixes L0401 at security.lens 133..139 "SEC-01")
            //- security.lens
              5   /// Endpoint access.
              6   question SEC_01 "How do you manage access to endpoints?" {
              7     description "Only the identities that need a model invoke it."

            //- predicates.lens
             12   evidence "evidence/private.json"
             13   expect SEC_01.SEC01_private selected
             14   expect SEC_01 risk medium
             15 }

            diagnostics after: 
        "#]],
    );
    // A pillar named in the lens header.
    check_assists(
        &pack_with("pillar security ", "pillar sec-urity ", 9).replace("pillars security", "pillars sec-urity"),
        expect![[r#"
            diagnostics here: L0401
            Rename to `sec_urity` (quick fix, fixes L0401 at security.lens 33..42 "sec-urity")
            //- lens.lens
              4   description "How ACME reviews workloads."
              5   pillars sec_urity
              6 }

            //- security.lens
              1 /// Who can reach models.
              2 pillar sec_urity "Security" {
              3   description "Access to model endpoints."

            diagnostics after: 
        "#]],
    );
}

#[test]
fn no_id_fix_that_clashes_or_is_still_illegal() {
    // `SEC_01` is taken by another question.
    let clash =
        "  question SEC_01 \"Other\" {\n    choice SEC_01_a \"A\"\n    risk {\n      high otherwise\n    }\n  }\n";
    let fixture = pack_with("question SEC01 ", "question SEC-01 ", 12).replacen(
        "\n  /// Endpoint access.\n",
        &format!("\n{clash}\n"),
        1,
    );
    check_assists(
        &fixture,
        expect![[r#"
        diagnostics here: L0401
    "#]],
    );
    // `a_` is too short.
    check_assists(
        &pack_with("pillar security ", "pillar a- ", 8),
        expect![[r#"
        diagnostics here: L0401
    "#]],
    );
}

#[test]
fn a_none_of_these_choice_in_a_question_without_choices_goes_before_its_brace() {
    check_assists(
        &question("// choices to come").replacen("question SEC01", "question $0SEC01", 1),
        expect![[r#"
        diagnostics here: L0201 L0410
        Add `risk { high otherwise }` (quick fix, fixes L0201 at main.lens 77..82 "SEC01")
        //- main.lens
          7     // choices to come
          8     risk {
          9       high otherwise
         10     }
         11   }

        diagnostics after: L0410
        Add the none-of-these choice `SEC01_no` (refactor)
        //- main.lens
          7     // choices to come
          8     none SEC01_no "None of these"
          9   }

        diagnostics after: L0201 L0410
    "#]],
    );
}
