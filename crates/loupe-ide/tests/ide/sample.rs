//! Results on the sample evidence: code lenses, inlay hints, a choice's
//! hover, and property names in completion.

use expect_test::{Expect, expect};
use loupe_eval::Workload;

use crate::fixture::{Fixture, PACK, pack_at};

/// A Terraform plan with a VPC and a Bedrock runtime endpoint: the
/// fixture pack's `SEC01_private` holds on it.
pub const PLAN: &str = r#"//- plan.json
{"format_version": "1.2", "planned_values": {"root_module": {"resources": [
  {"address": "aws_vpc.main", "type": "aws_vpc", "name": "main", "values": {"cidr_block": "10.0.0.0/16"}},
  {"address": "aws_vpc_endpoint.bedrock", "type": "aws_vpc_endpoint", "name": "bedrock",
   "values": {"service_name": "com.amazonaws.us-east-1.bedrock-runtime", "vpc_id": "vpc-1",
              "policy": {"Statement": [{"Effect": "Allow", "Principal": "*"}]}}}
]}}}
"#;

/// The plan with its endpoint for S3 instead: `SEC01_private` fails.
fn plan_without_bedrock() -> String {
    PLAN.replace("bedrock-runtime", "s3")
}

fn check_lenses(fixture: &str, expect: Expect) {
    let fixture = Fixture::parse(fixture);
    let mut actual = String::new();
    for &file in &fixture.files {
        for lens in loupe_ide::code_lenses(&fixture.db, fixture.pack, file, fixture.sample) {
            actual += &format!("{} {}\n", fixture.show(file, lens.span), lens.title);
        }
        for hint in loupe_ide::inlay_hints(&fixture.db, fixture.pack, file, fixture.sample) {
            let line = file.text(&fixture.db)[..hint.offset as usize].lines().last().unwrap_or_default().to_string();
            actual += &format!("hint after {line:?}: {}\n", hint.label);
        }
    }
    expect.assert_eq(&actual);
}

#[test]
fn lenses_and_hints_on_a_sample_where_the_check_holds() {
    check_lenses(
        &format!("{PACK}{PLAN}"),
        expect![[r#"
            security.lens 133..138 "SEC01" risk: medium · 1 of 2 practices in place · 1 undecided
            security.lens 260..273 "SEC01_private" in place
            hint after "  question SEC01 \"How do you manage access to endpoints?\"": risk: medium
        "#]],
    );
}

#[test]
fn lenses_on_a_sample_where_the_check_fails() {
    check_lenses(
        &format!("{PACK}{}", plan_without_bedrock()),
        expect![[r#"
            security.lens 133..138 "SEC01" risk: medium · 0 of 2 practices in place · 1 undecided
            security.lens 260..273 "SEC01_private" not in place: no endpoint for Bedrock
            hint after "  question SEC01 \"How do you manage access to endpoints?\"": risk: medium
        "#]],
    );
}

#[test]
fn lenses_on_a_sample_the_check_does_not_apply_to() {
    let plan = PLAN.replace("\"type\": \"aws_vpc\"", "\"type\": \"aws_subnet\"");
    check_lenses(
        &format!("{PACK}{plan}"),
        expect![[r#"
            security.lens 133..138 "SEC01" unanswered on the sample · 0 of 2 practices in place · 1 undecided
            security.lens 260..273 "SEC01_private" not applicable: `applies when count(resources("aws_vpc")) > 0` does not hold: the evidence has none of aws_vpc
            hint after "  question SEC01 \"How do you manage access to endpoints?\"": unanswered
        "#]],
    );
}

#[test]
fn nothing_without_a_sample_or_with_an_empty_one() {
    check_lenses(PACK, expect![[""]]);
    // A sample none of whose files could be read: no answer without evidence.
    let fixture = Fixture::parse(PACK);
    let empty = Workload::new(&fixture.db, Vec::new());
    for &file in &fixture.files {
        assert_eq!(loupe_ide::code_lenses(&fixture.db, fixture.pack, file, Some(empty)), []);
        assert_eq!(loupe_ide::inlay_hints(&fixture.db, fixture.pack, file, Some(empty)), []);
    }
}

fn check_hover(fixture: &str, expect: Expect) {
    let fixture = Fixture::parse(fixture);
    let hover = loupe_ide::hover(&fixture.db, fixture.pack, fixture.sample, fixture.cursor());
    expect.assert_eq(&hover.map_or("no hover".to_string(), |hover| hover.markdown));
}

#[test]
fn hover_on_a_checked_choice_shows_its_result() {
    let at = pack_at("SEC01_private \"Keep", 1, 3);
    check_hover(
        &format!("{at}{}", plan_without_bedrock()),
        expect![[r#"
            **Keep model traffic private** (choice `SEC01_private` of question `SEC01`)

            Answered by its check.

            On the sample evidence: **not in place**
            - no endpoint for Bedrock"#]],
    );
    check_hover(
        &format!("{at}{PLAN}"),
        expect![[r#"
            **Keep model traffic private** (choice `SEC01_private` of question `SEC01`)

            Answered by its check.

            On the sample evidence: **in place**"#]],
    );
    check_hover(
        &at,
        expect![[r#"
            **Keep model traffic private** (choice `SEC01_private` of question `SEC01`)

            Answered by its check.

            No sample evidence is configured: name some under `[sample]` in `loupe.toml` to see this check's result."#]],
    );
    // A choice answered by attestation has no result to show.
    check_hover(
        &format!("{}{PLAN}", pack_at("SEC01_logs \"Log", 1, 3)),
        expect![[r#"
            **Log every invocation** (choice `SEC01_logs` of question `SEC01`)

            Answered by attestation."#]],
    );
}

fn check_properties(body: &str, expect: Expect) {
    let fixture = format!(
        "//- main.lens\npillar security \"Security\" {{\n  question Q01 \"Q?\" {{\n    choice Q01_a \"A\" {{\n      check {{\n{body}\n      }}\n    }}\n  }}\n}}\n{PLAN}"
    );
    let fixture = Fixture::parse(&fixture);
    let items = loupe_ide::completions(&fixture.db, fixture.pack, fixture.sample, fixture.cursor());
    let shown: Vec<String> =
        items.iter().map(|item| format!("{} ({})", item.label, item.detail.as_deref().unwrap_or_default())).collect();
    expect.assert_eq(&shown.join("\n"));
}

#[test]
fn property_paths_from_the_sample() {
    // A resource's own fields, known without a sample.
    check_properties(
        "every e in resources(\"aws_vpc_endpoint\", \"AWS::EC2::VPCEndpoint\") {\n  e.$0\n}",
        expect![[r#"
            name (aws_vpc_endpoint, AWS::EC2::VPCEndpoint)
            properties (aws_vpc_endpoint, AWS::EC2::VPCEndpoint)
            type (aws_vpc_endpoint, AWS::EC2::VPCEndpoint)"#]],
    );
    // The names the sample's endpoints have, with what is typed replaced.
    check_properties(
        "some e in resources(\"aws_vpc_endpoint\") {\n  e.properties.serv$0\n}",
        expect![[r#"
            policy (aws_vpc_endpoint)
            service_name (aws_vpc_endpoint)
            vpc_id (aws_vpc_endpoint)"#]],
    );
    // Deeper, through a list as a check reads it.
    check_properties(
        "let endpoints = resources(\"aws_vpc_endpoint\")\nevery e in endpoints {\n  true\n}\nendpoints.properties.policy.Statement.$0",
        expect![[r#"
            Effect (aws_vpc_endpoint)
            Principal (aws_vpc_endpoint)"#]],
    );
    // A filter's variable; a type the sample does not have.
    check_properties(
        "count([v in resources(\"aws_vpc\") where v.properties.$0])",
        expect![[r#"cidr_block (aws_vpc)"#]],
    );
    check_properties("every r in resources(\"aws_iam_role\") {\n  r.properties.$0\n}", expect![[""]]);
    // A name bound to something else, or to nothing.
    check_properties("every x in [1, 2] {\n  x.$0\n}", expect![[""]]);
    check_properties("unbound.$0", expect![[""]]);
}
