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
    assert_eq!(relations.to(id("aws_subnet.private[0]")).count(), 0, "the interface names instance 1 only");
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
