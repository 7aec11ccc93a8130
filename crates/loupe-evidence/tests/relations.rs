//! Relations between resources, read from the hand-written fixtures of
//! `tests/cases/run/relations` (a CloudFormation template and a Terraform plan).

use std::fmt::Write;
use std::path::Path;

use loupe_evidence::{Evidence, LoadOptions, Relations, load};

fn fixture(name: &str) -> Evidence {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/cases/run/relations").join(name);
    let bytes = std::fs::read(&path).expect("the fixture is readable");
    load(name, &bytes, &LoadOptions::default()).expect("the fixture loads")
}

/// Each relation as `from -> to (via) at path, line:column`.
fn listed(evidence: &Evidence) -> String {
    let relations = Relations::of(evidence);
    let name = |id| evidence.resource(id).map_or("?", |resource| resource.name);
    let mut out = String::new();
    for relation in relations.all() {
        let at = evidence.position(relation.span);
        let _ = writeln!(
            out,
            "{} -> {} ({}) at {}, {at}",
            name(relation.from),
            name(relation.to),
            relation.via.as_str(),
            relation.path
        );
    }
    out
}

#[test]
fn cloudformation_references_between_logical_ids() {
    insta::assert_snapshot!("cloudformation", listed(&fixture("template.yaml")));
}

#[test]
fn terraform_references_from_the_configuration() {
    insta::assert_snapshot!("terraform", listed(&fixture("plan.json")));
}

#[test]
fn both_ways() {
    let evidence = fixture("plan.json");
    let relations = Relations::of(&evidence);
    let id = |name: &str| evidence.resources_named(name).next().expect("the resource exists").id;
    let names = |ids: Vec<loupe_evidence::ResourceId>| -> Vec<&str> {
        ids.into_iter().filter_map(|id| evidence.resource(id)).map(|resource| resource.name).collect()
    };
    let role = id("aws_iam_role.agent");
    let to_role: Vec<_> = relations.to(role).map(|relation| relation.from).collect();
    assert_eq!(names(to_role), ["aws_iam_role_policy_attachment.invoke"]);
    let from_role: Vec<_> = relations.from(role).iter().map(|relation| relation.to).collect();
    assert_eq!(names(from_role), ["aws_iam_policy.invoke", "data.aws_iam_policy_document.assume"]);
    assert!(relations.from(id("aws_subnet.private[0]")).is_empty());
    let to_subnet = |instance: &str| -> Vec<&str> {
        let relations: Vec<_> = relations.to(id(instance)).map(|relation| relation.from).collect();
        names(relations)
    };
    // The interface names instance 1 only; the module's endpoint, given `aws_subnet.private` for its
    // `var.subnet_ids`, refers to both.
    assert_eq!(to_subnet("aws_subnet.private[0]"), ["module.endpoint.aws_vpc_endpoint.bedrock"]);
    assert_eq!(
        to_subnet("aws_subnet.private[1]"),
        ["aws_network_interface.agent", "module.endpoint.aws_vpc_endpoint.bedrock"]
    );
}

#[test]
fn other_formats_and_plans_without_configuration_have_none() {
    for text in [
        r#"{"format_version": "1.2", "planned_values": {"root_module": {"resources": [
            {"address": "aws_iam_role.a", "type": "aws_iam_role", "name": "a", "values": {}}]}}}"#,
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n",
        r#"{"configuration": {"root_module": {"resources": [{"address": "a.b", "expressions": {"x": {"references": ["a.c"]}}}]}}}"#,
    ] {
        let evidence = load("e", text.as_bytes(), &LoadOptions::default()).expect("loads");
        assert!(Relations::of(&evidence).is_empty(), "{text}");
    }
}

/// Over every loading fixture (deep nesting, aliases, odd shapes included):
/// relations join resources of the file, at places inside it.
#[test]
fn every_fixture_gives_relations_between_its_own_resources() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/load");
    let mut seen = 0;
    for entry in std::fs::read_dir(&dir).expect("the fixtures are listed") {
        let path = entry.expect("a readable entry").path();
        let bytes = std::fs::read(&path).expect("the fixture is readable");
        let name = path.file_name().map(|name| name.to_string_lossy().into_owned()).unwrap_or_default();
        let Ok(evidence) = load(&name, &bytes, &LoadOptions::default()) else { continue };
        for relation in Relations::of(&evidence).all() {
            seen += 1;
            assert!(relation.span.end as usize <= bytes.len(), "{name}: {relation:?}");
            assert!(evidence.resource(relation.from).is_some() && evidence.resource(relation.to).is_some(), "{name}");
        }
    }
    assert!(seen > 0, "some fixture has relations");
}

/// A plan whose root policy attachment names the role a module's output
/// gives, whose module's role is given its boundary policy by a variable, two
/// calls deep; and a call whose variable and output refer to each other.
const MODULES_PLAN: &str = r#"{
  "format_version": "1.2",
  "planned_values": {"root_module": {
    "resources": [
      {"address": "aws_iam_policy.boundary", "type": "aws_iam_policy", "name": "boundary", "values": {}},
      {"address": "aws_iam_role_policy_attachment.invoke", "type": "aws_iam_role_policy_attachment", "name": "invoke", "values": {}},
      {"address": "aws_s3_bucket.loop", "type": "aws_s3_bucket", "name": "loop", "values": {}}
    ],
    "child_modules": [{"address": "module.agent", "child_modules": [{"address": "module.agent.module.role",
      "resources": [{"address": "module.agent.module.role.aws_iam_role.this[0]", "type": "aws_iam_role", "name": "this", "index": 0, "values": {}}]}]}]
  }},
  "configuration": {"root_module": {
    "resources": [
      {"address": "aws_iam_policy.boundary", "type": "aws_iam_policy", "name": "boundary", "expressions": {}},
      {"address": "aws_iam_role_policy_attachment.invoke", "type": "aws_iam_role_policy_attachment", "name": "invoke",
       "expressions": {"role": {"references": ["module.agent.role_name", "module.agent"]}}},
      {"address": "aws_s3_bucket.loop", "type": "aws_s3_bucket", "name": "loop",
       "expressions": {"bucket": {"references": ["module.loop.name", "module.loop"]}}}
    ],
    "module_calls": {
      "agent": {
        "expressions": {"boundary_arn": {"references": ["aws_iam_policy.boundary.arn", "aws_iam_policy.boundary"]}},
        "module": {
          "outputs": {"role_name": {"expression": {"references": ["module.role.name", "module.role"]}}},
          "module_calls": {"role": {
            "expressions": {"boundary": {"references": ["var.boundary_arn"]}},
            "module": {
              "outputs": {"name": {"expression": {"references": ["aws_iam_role.this[0].name", "aws_iam_role.this[0]", "aws_iam_role.this"]}}},
              "resources": [{"address": "aws_iam_role.this", "type": "aws_iam_role", "name": "this",
                "expressions": {"permissions_boundary": {"references": ["var.boundary"]}}}]
            }
          }}
        }
      },
      "loop": {
        "expressions": {"seed": {"references": ["module.loop.name"]}},
        "module": {"outputs": {"name": {"expression": {"references": ["var.seed"]}}}}
      }
    }
  }}
}"#;

#[test]
fn terraform_references_through_module_variables_and_outputs() {
    let evidence = load("plan.json", MODULES_PLAN.as_bytes(), &LoadOptions::default()).expect("the plan loads");
    insta::assert_snapshot!(listed(&evidence), @r"
    aws_iam_role_policy_attachment.invoke -> module.agent.module.role.aws_iam_role.this[0] (expression) at role, 16:48
    module.agent.module.role.aws_iam_role.this[0] -> aws_iam_policy.boundary (expression) at permissions_boundary, 30:73
    ");
}

/// A plan whose root resource names output `o0` of module `m`, where each
/// output `oN` is the variable `vN`, which the call sets to output `oN+1`,
/// `links` times over, before the last output names a bucket of the module.
/// Each output also names the variable twice over, and the call sets each
/// variable to both of two outputs, so a walk that did not remember where it
/// has been would double at every link.
fn chained_plan(links: usize) -> String {
    let mut outputs = Vec::new();
    let mut variables = Vec::new();
    for n in 0..links {
        let next = n + 1;
        outputs.push(format!(r#""o{n}": {{"expression": {{"references": ["var.v{n}", "var.w{n}"]}}}}"#));
        variables.push(format!(r#""v{n}": {{"references": ["module.m.o{next}", "module.m.o{next}.id"]}}"#));
        variables.push(format!(r#""w{n}": {{"references": ["module.m.o{next}"]}}"#));
    }
    outputs.push(format!(r#""o{links}": {{"expression": {{"references": ["aws_s3_bucket.end.arn"]}}}}"#));
    format!(
        r#"{{"format_version": "1.2", "planned_values": {{"root_module": {{
          "resources": [{{"address": "aws_sqs_queue.start", "type": "aws_sqs_queue", "name": "start", "values": {{}}}}],
          "child_modules": [{{"address": "module.m", "resources": [
            {{"address": "module.m.aws_s3_bucket.end", "type": "aws_s3_bucket", "name": "end", "values": {{}}}}]}}]}}}},
        "configuration": {{"root_module": {{
          "resources": [{{"address": "aws_sqs_queue.start", "expressions": {{"policy": {{"references": ["module.m.o0"]}}}}}}],
          "module_calls": {{"m": {{"expressions": {{{}}}, "module": {{"outputs": {{{}}},
            "resources": [{{"address": "aws_s3_bucket.end", "expressions": {{}}}}]}}}}}}}}}}}}"#,
        variables.join(", "),
        outputs.join(", ")
    )
}

#[test]
fn module_values_are_followed_once_each_however_long_or_looped_the_chain() {
    for links in [1, 100, 20_000] {
        let plan = chained_plan(links);
        let evidence = load("plan.json", plan.as_bytes(), &LoadOptions::default()).expect("the plan loads");
        let listed = listed(&evidence);
        assert_eq!(listed.lines().count(), 1, "{links}: {listed}");
        assert!(listed.starts_with("aws_sqs_queue.start -> module.m.aws_s3_bucket.end (expression) at policy"));
    }
}
