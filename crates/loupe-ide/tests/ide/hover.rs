use expect_test::{Expect, expect};

use crate::fixture::{Fixture, pack_at};

fn check_hover(fixture: &str, expect: Expect) {
    let fixture = Fixture::parse(fixture);
    let actual = match loupe_ide::hover(&fixture.db, fixture.pack, fixture.sample, fixture.cursor()) {
        Some(hover) => format!("{}\n{}\n", fixture.show(fixture.cursor().file, hover.span), hover.markdown),
        None => "no hover\n".to_string(),
    };
    expect.assert_eq(&actual);
}

#[test]
fn question_definition_with_its_risk_rules_in_words() {
    check_hover(
        &pack_at("SEC01 \"How", 1, 2),
        expect![[r#"
            security.lens 133..138 "SEC01"
            **How do you manage access to endpoints?** (question `SEC01`)

            Endpoint access.

            Only the identities that need a model invoke it.

            Risk:
            - **none** when “Keep model traffic private” and “Log every invocation”
            - **medium** when “Keep model traffic private” or not “Log every invocation”
            - **high** otherwise
        "#]],
    );
}

#[test]
fn choice_in_a_risk_rule() {
    check_hover(
        &pack_at("medium when SEC01_private", 1, 20),
        expect![[r#"
            security.lens 848..861 "SEC01_private"
            **Keep model traffic private** (choice `SEC01_private` of question `SEC01`)

            Answered by its check.

            No sample evidence is configured: name some under `[sample]` in `loupe.toml` to see this check's result.
        "#]],
    );
}

#[test]
fn choice_in_a_test_expectation() {
    check_hover(
        &pack_at("SEC01.SEC01_private", 1, 8),
        expect![[r#"
            predicates.lens 338..351 "SEC01_private"
            **Keep model traffic private** (choice `SEC01_private` of question `SEC01`)

            Answered by its check.

            No sample evidence is configured: name some under `[sample]` in `loupe.toml` to see this check's result.
        "#]],
    );
}

#[test]
fn pillar_in_the_lens_header() {
    check_hover(
        &pack_at("pillars security", 1, 9),
        expect![[r#"
        lens.lens 123..131 "security"
        **Security** (pillar `security`)

        Who can reach models.

        Access to model endpoints.
    "#]],
    );
}

#[test]
fn lens_header() {
    check_hover(
        &pack_at("lens acme", 1, 6),
        expect![[r#"
        lens.lens 30..34 "acme"
        **ACME Review** (lens `acme`)

        version 0.1.0

        The pack under test.

        How ACME reviews workloads.
    "#]],
    );
}

#[test]
fn predicate_call_in_another_file() {
    check_hover(
        &pack_at("is_bedrock(endpoint)", 1, 3),
        expect![[r#"
        security.lens 540..550 "is_bedrock"
        ```lens
        predicate is_bedrock(endpoint)
        ```

        A VPC endpoint for the Bedrock runtime.
    "#]],
    );
}

#[test]
fn predicate_definition_without_a_doc_comment() {
    check_hover(
        &pack_at("predicate runtime_named", 1, 12),
        expect![[r#"
        predicates.lens 202..215 "runtime_named"
        ```lens
        predicate runtime_named(name)
        ```
    "#]],
    );
}

#[test]
fn built_in_call() {
    check_hover(
        &pack_at("count(", 1, 2),
        expect![[r#"
        security.lens 416..421 "count"
        ```lens
        count(list: list) -> number
        ```

        The number of items in a list.
    "#]],
    );
}

#[test]
fn resource_types_known_and_not() {
    check_hover(
        &pack_at("\"aws_vpc_endpoint\"", 1, 5),
        expect![[r#"
        security.lens 483..501 "\"aws_vpc_endpoint\""
        `aws_vpc_endpoint`: a resource type of the Terraform AWS provider, with 28 top-level properties
    "#]],
    );
    check_hover(
        &pack_at("\"AWS::EC2::VPCEndpoint\"", 1, 5),
        expect![[r#"
        security.lens 503..526 "\"AWS::EC2::VPCEndpoint\""
        `AWS::EC2::VPCEndpoint`: a resource type of CloudFormation, with 14 top-level properties
    "#]],
    );
    check_hover(
        r#"
predicate odd(x) {
  count(resources("AWS::EC2::VPCEndpont", "Custom::Thing", "AWS::Bedrock::*")) > 0
}
"#
        .replace("VPCEndpont\"", "VPCEndpont$0\"")
        .as_str(),
        expect![[r#"
            main.lens 38..60 "\"AWS::EC2::VPCEndpont\""
            `AWS::EC2::VPCEndpont`: not a resource type of CloudFormation: did you mean `AWS::EC2::VPCEndpoint`?
        "#]],
    );
    check_hover(
        "predicate odd(x) {\n  count(resources(\"Custom::Th$0ing\")) > 0\n}\n",
        expect![[r#"
            main.lens 37..52 "\"Custom::Thing\""
            `Custom::Thing`: outside the catalog (a custom resource, another provider or a Kubernetes kind): not checked
        "#]],
    );
    check_hover(
        "predicate odd(x) {\n  count(resources(\"AWS::Bedrock::$0*\")) > 0\n}\n",
        expect![[r#"
            main.lens 37..54 "\"AWS::Bedrock::*\""
            `AWS::Bedrock::*`: every type of CloudFormation starting with `AWS::Bedrock::`
        "#]],
    );
}

#[test]
fn positions_on_nothing() {
    // The start and end of the pack's first file, a string, a comment, a keyword.
    check_hover(
        &pack_at("/// The pack under test", 1, 0),
        expect![[r#"
        no hover
    "#]],
    );
    check_hover(
        &format!("{}$0", crate::fixture::PACK),
        expect![[r#"
        no hover
    "#]],
    );
    check_hover(
        &pack_at("Keep model traffic private", 1, 4),
        expect![[r#"
        no hover
    "#]],
    );
    check_hover(
        &pack_at("Who can reach", 1, 4),
        expect![[r#"
        no hover
    "#]],
    );
    check_hover(
        &pack_at("otherwise", 1, 3),
        expect![[r#"
        no hover
    "#]],
    );
}

#[test]
fn broken_and_non_ascii_text() {
    // Unclosed blocks and a stray line: the parse recovers the question.
    let broken = "pillar p01 \"Sécurité ✓\" {\n  question Q01 \"Où? ✓\" {\n    choice Q01_a \"Ça ✓\"\n    ∂∂ what\n    risk {\n      none when Q01_$0a\n      high otherwise\n";
    check_hover(
        broken,
        expect![[r#"
        main.lens 128..133 "Q01_a"
        **Ça ✓** (choice `Q01_a` of question `Q01`)

        Answered by attestation.
    "#]],
    );
    check_hover(
        &broken.replace("$0", "").replace("Ça", "Ç$0a"),
        expect![[r#"
        no hover
    "#]],
    );
    check_hover(
        "pillar p\u{e9}$0 {",
        expect![[r#"
        no hover
    "#]],
    );
    check_hover(
        "\u{1F600}$0\u{1F600}",
        expect![[r#"
        no hover
    "#]],
    );
}

#[test]
fn local_name() {
    check_hover(
        &pack_at("is_bedrock(endpoint)", 1, 13),
        expect![[r#"
        security.lens 551..559 "endpoint"
        ```lens
        endpoint
        ```

        A name local to this body: a predicate's parameter, a `let`, or a quantifier's or filter's variable.
    "#]],
    );
}
