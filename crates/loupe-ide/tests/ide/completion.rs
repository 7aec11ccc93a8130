use expect_test::{Expect, expect};

use crate::fixture::{Fixture, pack_at};

/// Each item as `Kind label (detail) replacing "text"`; long lists cut to
/// their first `limit` items and their count.
fn check_completions(fixture: &str, limit: usize, expect: Expect) {
    let fixture = Fixture::parse(fixture);
    let at = fixture.cursor();
    let items = loupe_ide::completions(&fixture.db, fixture.pack, fixture.sample, at);
    let mut lines: Vec<String> = items
        .iter()
        .take(limit)
        .map(|item| {
            let detail = item.detail.as_deref().map(|detail| format!(" ({detail})")).unwrap_or_default();
            let docs = if item.documentation.is_some() { " +docs" } else { "" };
            let replaced = at.file.text(&fixture.db).get(item.replace.range()).unwrap_or("<bad span>");
            format!("{:?} {}{detail}{docs} replacing {replaced:?}", item.kind, item.label)
        })
        .collect();
    if items.len() > limit {
        lines.push(format!("… {} in all", items.len()));
    }
    expect.assert_eq(&lines.join("\n"));
}

#[test]
fn keywords_at_the_top_level() {
    check_completions(
        "pillar p01 \"P\" {\n}\npi$0\n",
        10,
        expect![[r#"
        Keyword lens replacing "pi"
        Keyword pillar replacing "pi"
        Keyword predicate replacing "pi"
        Keyword test replacing "pi""#]],
    );
    check_completions(
        "$0",
        10,
        expect![[r#"
        Keyword lens replacing ""
        Keyword pillar replacing ""
        Keyword predicate replacing ""
        Keyword test replacing """#]],
    );
}

#[test]
fn keywords_in_a_question_and_a_choice() {
    check_completions(
        &pack_at("    none SEC01_no", 1, 0),
        10,
        expect![[r#"
        Keyword description replacing ""
        Keyword phase replacing ""
        Keyword helpful replacing ""
        Keyword choice replacing ""
        Keyword none replacing ""
        Keyword risk replacing """#]],
    );
    check_completions(
        &pack_at("      improve \"Turn on", 1, 0),
        10,
        expect![[r#"
        Keyword description replacing ""
        Keyword helpful replacing ""
        Keyword improve replacing ""
        Keyword check replacing """#]],
    );
    // The none-of-these choice's block takes no `improve` or `check`.
    check_completions(
        "pillar p01 \"P\" {\n  question Q01 \"Q\" {\n    none Q01_no \"None of these\" {\n      $0\n    }\n  }\n}\n",
        10,
        expect![[r#"
        Keyword description replacing ""
        Keyword helpful replacing """#]],
    );
    check_completions(
        &pack_at("  description \"Access", 1, 0),
        10,
        expect![[r#"
        Keyword description replacing ""
        Keyword question replacing """#]],
    );
}

#[test]
fn choices_in_a_risk_block() {
    check_completions(
        &pack_at("      high otherwise", 1, 6),
        20,
        expect![[r#"
        Choice SEC01_private (Keep model traffic private) replacing ""
        Choice SEC01_logs (Log every invocation) replacing ""
        Choice SEC01_no (None of these) replacing ""
        Keyword high replacing ""
        Keyword medium replacing ""
        Keyword none replacing ""
        Keyword when replacing ""
        Keyword otherwise replacing ""
        Keyword and replacing ""
        Keyword or replacing ""
        Keyword not replacing """#]],
    );
}

#[test]
fn predicates_and_built_ins_in_a_check() {
    check_completions(
        &pack_at("          is_bedrock(endpoint)", 1, 13),
        40,
        expect![[r#"
            Keyword applies replacing "is_"
            Keyword when replacing "is_"
            Keyword let replacing "is_"
            Keyword else replacing "is_"
            Keyword every replacing "is_"
            Keyword some replacing "is_"
            Keyword none replacing "is_"
            Keyword in replacing "is_"
            Keyword where replacing "is_"
            Keyword and replacing "is_"
            Keyword or replacing "is_"
            Keyword not replacing "is_"
            Keyword true replacing "is_"
            Keyword false replacing "is_"
            Keyword null replacing "is_"
            Keyword contains replacing "is_"
            Keyword starts_with replacing "is_"
            Keyword ends_with replacing "is_"
            Keyword matches replacing "is_"
            Predicate is_bedrock (predicate is_bedrock(endpoint)) +docs replacing "is_"
            Predicate runtime_named (predicate runtime_named(name)) replacing "is_"
            Builtin resources (resources(type: string, ...) -> list) +docs replacing "is_"
            Builtin refs (refs(resource: any, property?: string) -> list) +docs replacing "is_"
            Builtin referrers (referrers(resource: any, type: string, ...) -> list) +docs replacing "is_"
            Builtin documents (documents() -> list) +docs replacing "is_"
            Builtin count (count(list: list) -> number) +docs replacing "is_"
            Builtin len (len(value: any) -> number) +docs replacing "is_"
            Builtin exists (exists(value: any) -> bool) +docs replacing "is_"
            Builtin lower (lower(text: string) -> string) +docs replacing "is_"
            Builtin upper (upper(text: string) -> string) +docs replacing "is_"
            Builtin keys (keys(value: any) -> list) +docs replacing "is_"
            Builtin flatten (flatten(list: list) -> list) +docs replacing "is_"
            Builtin join (join(list: list, separator: string) -> string) +docs replacing "is_"
            Builtin distinct (distinct(list: list) -> list) +docs replacing "is_"
            Builtin any (any(list: list) -> bool) +docs replacing "is_"
            Builtin all (all(list: list) -> bool) +docs replacing "is_"
            Builtin sum (sum(list: list) -> number) +docs replacing "is_"
            Builtin number (number(value: any) -> number) +docs replacing "is_"
            Builtin json (json(text: string) -> any) +docs replacing "is_"
            Builtin managed_policy (managed_policy(arn: string) -> any) +docs replacing "is_""#]],
    );
}

#[test]
fn resource_types_in_resources() {
    check_completions(
        &pack_at("aws_vpc_endpoint\"", 1, 7),
        5,
        expect![[r#"
        ResourceType aws_vpc (Terraform) replacing "aws_vpc"
        ResourceType aws_vpc_block_public_access_exclusion (Terraform) replacing "aws_vpc"
        ResourceType aws_vpc_block_public_access_options (Terraform) replacing "aws_vpc"
        ResourceType aws_vpc_dhcp_options (Terraform) replacing "aws_vpc"
        ResourceType aws_vpc_dhcp_options_association (Terraform) replacing "aws_vpc"
        … 78 in all"#]],
    );
    check_completions(
        &pack_at("AWS::EC2::VPCEndpoint\"", 1, 0),
        3,
        expect![[r#"
        ResourceType AMZN::SDC::Deployment (CloudFormation) replacing ""
        ResourceType AWS::ACMPCA::Certificate (CloudFormation) replacing ""
        ResourceType AWS::ACMPCA::CertificateAuthority (CloudFormation) replacing ""
        … 4306 in all"#]],
    );
    check_completions(
        "predicate p(x) {\n  count(resources(\"AWS::S3::Bu$0\")) > 0\n}\n",
        5,
        expect![[r#"
            ResourceType AWS::S3::Bucket (CloudFormation) replacing "AWS::S3::Bu"
            ResourceType AWS::S3::BucketPolicy (CloudFormation) replacing "AWS::S3::Bu""#]],
    );
}

#[test]
fn names_in_a_lens_header_and_a_test() {
    check_completions(&pack_at("security\n}", 1, 3), 5, expect![[r#"Pillar security replacing "sec""#]]);
    check_completions(&pack_at("SEC01.SEC01_private", 1, 0), 5, expect![[r#"Question SEC01 replacing """#]]);
    check_completions(
        &pack_at("SEC01_private selected", 1, 5),
        5,
        expect![[r#"
        Choice SEC01_private replacing "SEC01"
        Choice SEC01_logs replacing "SEC01"
        Choice SEC01_no replacing "SEC01""#]],
    );
    check_completions(
        &pack_at(" selected", 1, 3),
        5,
        expect![[r#"
        Keyword selected replacing "se"
        Keyword unselected replacing "se"
        Keyword not_applicable replacing "se"
        Keyword unknown replacing "se""#]],
    );
    check_completions(
        &pack_at("risk medium\n}", 1, 5),
        5,
        expect![[r#"
        Keyword high replacing ""
        Keyword medium replacing ""
        Keyword none replacing """#]],
    );
    check_completions(
        "pillar p01 \"P\" {\n  question Q01 \"Q\" {\n    phase scoping, de$0\n  }\n}\n",
        9,
        expect![[r#"
        Keyword scoping replacing "de"
        Keyword model_selection replacing "de"
        Keyword model_customization replacing "de"
        Keyword development_and_integration replacing "de"
        Keyword deployment replacing "de"
        Keyword continuous_improvement replacing "de""#]],
    );
}

#[test]
fn nothing_in_comments_strings_and_after_a_dot() {
    check_completions(&pack_at("Who can reach", 1, 3), 5, expect![[r#""#]]);
    check_completions(&pack_at("Keep model", 1, 3), 5, expect![[r#""#]]);
    check_completions(&pack_at("properties.service_name matches", 1, 11), 5, expect![[r#""#]]);
    check_completions(&pack_at("bedrock-runtime\"", 1, 3), 5, expect![[r#""#]]);
}

#[test]
fn broken_and_non_ascii_text() {
    check_completions(
        "pillar p01 \"Sécurité ✓\" {\n  question Q01 \"Où?\" {\n    choice Q01_a \"Ça\"\n    risk {\n      none when Q$0",
        5,
        expect![[r#"
        Choice Q01_a (Ça) replacing "Q"
        Keyword high replacing "Q"
        Keyword medium replacing "Q"
        Keyword none replacing "Q"
        Keyword when replacing "Q"
        … 9 in all"#]],
    );
    check_completions(
        "pillar p01 \"Ça\" {\n  question Q01 \"É\" {\n    choice Q01_a \"✓\" {\n      check {\n        exists(é$0",
        3,
        expect![[r#"
        Keyword applies replacing "é"
        Keyword when replacing "é"
        Keyword let replacing "é"
        … 38 in all"#]],
    );
}
