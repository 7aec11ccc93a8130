use expect_test::{Expect, expect};
use loupe_ide::DocumentSymbol;

use crate::fixture::{Fixture, PACK};

fn check_symbols(fixture: &str, expect: Expect) {
    fn show(fixture: &Fixture, symbols: &[DocumentSymbol], depth: usize, out: &mut String) {
        for symbol in symbols {
            let file = fixture.files[0];
            let detail = symbol.detail.as_deref().map(|detail| format!(" {detail:?}")).unwrap_or_default();
            out.push_str(&format!(
                "{}{:?} {}{detail} {}..{} at {}\n",
                "  ".repeat(depth),
                symbol.kind,
                symbol.name,
                symbol.span.start,
                symbol.span.end,
                fixture.show(file, symbol.focus_span),
            ));
            show(fixture, &symbol.children, depth + 1, out);
        }
    }
    let fixture = Fixture::parse(fixture);
    let mut actual = String::new();
    show(&fixture, &loupe_ide::document_symbols(&fixture.db, fixture.files[0]), 0, &mut actual);
    expect.assert_eq(&actual);
}

fn check_workspace_symbols(fixture: &str, query: &str, expect: Expect) {
    let fixture = Fixture::parse(fixture);
    let targets = loupe_ide::workspace_symbols(&fixture.db, &[fixture.pack], query);
    let actual: Vec<String> = targets
        .iter()
        .map(|target| format!("{:?} {} {}", target.kind, target.name, fixture.show(target.file, target.focus_span)))
        .collect();
    expect.assert_eq(&actual.join("\n"));
}

fn check_folds(fixture: &str, expect: Expect) {
    let fixture = Fixture::parse(fixture);
    let file = fixture.files[0];
    let text = file.text(&fixture.db);
    let actual: Vec<String> = loupe_ide::folding_ranges(&fixture.db, file)
        .iter()
        .map(|fold| {
            let covered = &text[fold.span.range()];
            let first = covered.lines().next().unwrap_or_default();
            let last = covered.lines().last().unwrap_or_default();
            format!("{:?} {}..{} {first:?} … {last:?}", fold.kind, fold.span.start, fold.span.end)
        })
        .collect();
    expect.assert_eq(&actual.join("\n"));
}

fn check_format(fixture: &str, expect: Expect) {
    let fixture = Fixture::parse(fixture);
    let actual = match loupe_ide::format(&fixture.db, fixture.files[0]) {
        Some(edit) => format!("{}..{}\n{}", edit.span.start, edit.span.end, edit.new_text),
        None => "no edit\n".to_string(),
    };
    expect.assert_eq(&actual);
}

#[test]
fn pillar_question_choice_outline() {
    let security = PACK.split("//- ").nth(2).expect("security.lens");
    check_symbols(
        &format!("//- {security}"),
        expect![[r#"
        Pillar security "Security" 26..912 at security.lens 33..41 "security"
          Question SEC01 "How do you manage access to endpoints?" 124..910 at security.lens 133..138 "SEC01"
            Choice SEC01_private "Keep model traffic private" 253..615 at security.lens 260..273 "SEC01_private"
            Choice SEC01_logs "Log every invocation" 620..739 at security.lens 627..637 "SEC01_logs"
            Choice SEC01_no "None of these" 744..773 at security.lens 749..757 "SEC01_no"
    "#]],
    );
}

#[test]
fn lens_predicates_and_tests() {
    check_symbols(
        PACK,
        expect![[r#"
        Lens acme "ACME Review" 25..133 at lens.lens 30..34 "acme"
    "#]],
    );
    let predicates = PACK.split("//- ").nth(3).expect("predicates.lens");
    check_symbols(
        &format!("//- {predicates}"),
        expect![[r#"
        Predicate is_bedrock "(endpoint)" 44..190 at predicates.lens 54..64 "is_bedrock"
        Predicate runtime_named "(name)" 192..260 at predicates.lens 202..215 "runtime_named"
        Test private endpoint 262..389 at predicates.lens 267..285 "\"private endpoint\""
    "#]],
    );
}

#[test]
fn outline_of_broken_text() {
    check_symbols(
        "pillar p01 \"Ça ✓\" {\n  question Q01 \"Où?\" {\n    choice {\n",
        expect![[r#"
        Pillar p01 "Ça ✓" 0..59 at main.lens 7..10 "p01"
          Question Q01 "Où?" 25..59 at main.lens 34..37 "Q01"
    "#]],
    );
    check_symbols("", expect![[r#""#]]);
}

#[test]
fn workspace_symbols_by_part_of_their_name() {
    check_workspace_symbols(
        PACK,
        "sec01_",
        expect![[r#"
            Choice SEC01_private security.lens 260..273 "SEC01_private"
            Choice SEC01_logs security.lens 627..637 "SEC01_logs"
            Choice SEC01_no security.lens 749..757 "SEC01_no""#]],
    );
    check_workspace_symbols(PACK, "BEDROCK", expect![[r#"Predicate is_bedrock predicates.lens 54..64 "is_bedrock""#]]);
    check_workspace_symbols(PACK, "nothing like it", expect![[r#""#]]);
}

#[test]
fn folds_of_blocks_and_comment_runs() {
    check_folds(
        r#"// One
// run of comments.

/* A block
   comment. */
/// A single line.
pillar p01 "P" {
  question Q01 "Q" {
    choice Q01_a "A" {
      check {
        every role in resources("aws_iam_role") {
          exists(role.name)
        }
        some x in [1] { x > 0 }
      }
    }
    risk { none when Q01_a
      high otherwise }
  }
}
predicate one_line(x) { x > 0 }
"#,
        expect![[r#"
            Comment 0..26 "// One" … "// run of comments."
            Comment 28..53 "/* A block" … "   comment. */"
            Region 88..337 "{" … "}"
            Region 109..335 "{" … "  }"
            Region 132..281 "{" … "    }"
            Region 146..275 "{" … "      }"
            Region 196..235 "{" … "        }"
            Region 291..331 "{ none when Q01_a" … "      high otherwise }""#]],
    );
}

#[test]
fn format_the_whole_file() {
    check_format(
        "pillar  p01 \"P\" {\nquestion Q01 \"Q\" {\n}\n}",
        expect![[r#"
        0..40
        pillar p01 "P" {
          question Q01 "Q" {
          }
        }
    "#]],
    );
    check_format(
        "pillar p01 \"P\" {\n  question Q01 \"Q\" {}\n}\n",
        expect![[r#"
        no edit
    "#]],
    );
    check_format(
        "pillar p01 \"P\" {\n  question {\n",
        expect![[r#"
        no edit
    "#]],
    );
}

fn check_tokens(fixture: &str, expect: Expect) {
    let fixture = Fixture::parse(fixture);
    let file = fixture.files[0];
    let actual: Vec<String> = loupe_ide::semantic_tokens(&fixture.db, fixture.pack, file)
        .iter()
        .map(|token| {
            let definition = if token.definition { " (definition)" } else { "" };
            format!("{:?}{definition} {}", token.kind, fixture.show(file, token.span))
        })
        .collect();
    expect.assert_eq(&actual.join("\n"));
}

#[test]
fn semantic_tokens_of_items_bodies_and_comments() {
    check_tokens(
        r#"// A comment.
/// A doc comment.
pillar p01 "Pillar" {
  question Q01 "Question?" {
    choice Q01_a "A" {
      check {
        let n = 2
        count(resources("aws_vpc")) > n and is_big(n)
        every r in resources("aws_s3_bucket") { r.name matches /^ä/ }
      }
    }
    risk {
      none when Q01_a
      high otherwise
    }
  }
}
predicate is_big(x) { x > 1 }
"#,
        expect![[r#"
            Comment main.lens 0..13 "// A comment."
            DocComment main.lens 14..32 "/// A doc comment."
            Keyword main.lens 33..39 "pillar"
            Pillar (definition) main.lens 40..43 "p01"
            String main.lens 44..52 "\"Pillar\""
            Keyword main.lens 57..65 "question"
            Question (definition) main.lens 66..69 "Q01"
            String main.lens 70..81 "\"Question?\""
            Keyword main.lens 88..94 "choice"
            Choice (definition) main.lens 95..100 "Q01_a"
            String main.lens 101..104 "\"A\""
            Keyword main.lens 113..118 "check"
            Variable (definition) main.lens 133..134 "n"
            Number main.lens 137..138 "2"
            Builtin main.lens 147..152 "count"
            Builtin main.lens 153..162 "resources"
            ResourceType main.lens 163..172 "\"aws_vpc\""
            Variable main.lens 177..178 "n"
            Predicate main.lens 183..189 "is_big"
            Variable main.lens 190..191 "n"
            Variable (definition) main.lens 207..208 "r"
            Builtin main.lens 212..221 "resources"
            ResourceType main.lens 222..237 "\"aws_s3_bucket\""
            Variable main.lens 241..242 "r"
            Regex main.lens 256..261 "/^ä/"
            Keyword main.lens 282..286 "risk"
            Keyword main.lens 295..299 "none"
            Choice main.lens 305..310 "Q01_a"
            Keyword main.lens 317..321 "high"
            Keyword main.lens 344..353 "predicate"
            Predicate (definition) main.lens 354..360 "is_big"
            Variable (definition) main.lens 361..362 "x"
            Variable main.lens 366..367 "x"
            Number main.lens 370..371 "1""#]],
    );
}

fn check_selection(fixture: &str, expect: Expect) {
    let fixture = Fixture::parse(fixture);
    let at = fixture.cursor();
    let actual: Vec<String> = loupe_ide::selection_ranges(&fixture.db, at.file, at.offset)
        .iter()
        .map(|&span| {
            let shown = fixture.show(at.file, span);
            if shown.chars().count() > 90 {
                format!("{}…", shown.chars().take(90).collect::<String>())
            } else {
                shown
            }
        })
        .collect();
    expect.assert_eq(&actual.join("\n"));
}

#[test]
fn selection_grows_from_the_name_to_the_file() {
    check_selection(
        &crate::fixture::pack_at("SEC01_logs\n      high", 1, 3),
        expect![[r#"
        security.lens 869..879 "SEC01_logs"
        security.lens 865..879 "not SEC01_logs"
        security.lens 848..879 "SEC01_private or not SEC01_logs"
        security.lens 836..879 "medium when SEC01_private or not SEC01_logs"
        security.lens 778..906 "risk {\n      none when SEC01_private and SEC01_logs\n      medium…
        security.lens 124..910 "question SEC01 \"How do you manage access to endpoints?\" {\n    d…
        security.lens 26..912 "pillar security \"Security\" {\n  description \"Access to model end…
        security.lens 0..913 "/// Who can reach models.\npillar security \"Security\" {\n  descrip…"#]],
    );
    check_selection(
        &crate::fixture::pack_at("is_bedrock(endpoint)", 1, 12),
        expect![[r#"
        security.lens 551..559 "endpoint"
        security.lens 540..560 "is_bedrock(endpoint)"
        security.lens 528..570 "{\n          is_bedrock(endpoint)\n        }"
        security.lens 456..570 "some endpoint in resources(\"aws_vpc_endpoint\", \"AWS::EC2::VPCEn…
        security.lens 456..601 "some endpoint in resources(\"aws_vpc_endpoint\", \"AWS::EC2::VPCEn…
        security.lens 393..609 "{\n        applies when count(resources(\"aws_vpc\")) > 0\n       …
        security.lens 387..609 "check {\n        applies when count(resources(\"aws_vpc\")) > 0\n …
        security.lens 253..615 "choice SEC01_private \"Keep model traffic private\" {\n      impro…
        security.lens 124..910 "question SEC01 \"How do you manage access to endpoints?\" {\n    d…
        security.lens 26..912 "pillar security \"Security\" {\n  description \"Access to model end…
        security.lens 0..913 "/// Who can reach models.\npillar security \"Security\" {\n  descrip…"#]],
    );
    check_selection("pillar p\u{e9}$0 {", expect![[r#"main.lens 0..12 "pillar pé {""#]]);
}
