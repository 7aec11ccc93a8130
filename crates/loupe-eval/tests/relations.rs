//! Relations are computed once per evidence file, in the database: editing a
//! `.lens` file recomputes none, editing one evidence file recomputes its own
//! only (asserted from salsa's execution events).

use std::path::Path;

use loupe_db::testing::TestDatabase;
use loupe_db::{Pack, SourceFile, pack_diagnostics};
use loupe_eval::{Answers, EvidenceFile, Outcome, Workload, evaluate_choice, review};
use loupe_evidence::LoadOptions;
use salsa::Setter;

const LENS: &str = r#"lens demo "Demo" { description "A demo lens." }"#;

const CHECKS: &str = r#"
pillar security "Security" {
  question SEC01 "How do you grant permissions?" {
    choice SEC01_policies "Policies name their roles" {
      improve "Attach each policy to a role." "https://example.com/attach"
      check {
        every policy in resources("AWS::IAM::Policy") {
          some role in refs(policy) { role.type == "AWS::IAM::Role" }
        }
      }
    }
    choice SEC01_attached "Roles have attached policies" {
      improve "Attach a policy." "https://example.com/attach"
      check {
        every role in resources("aws_iam_role") {
          count(referrers(role, "aws_iam_role_policy_attachment")) == 1
            and referrers(role, "aws_iam_role_policy_attachment")[0].properties.role == role.properties.name
        }
      }
    }
    choice SEC01_endpoint "Private endpoint" {
      improve "Add an endpoint." "https://example.com/endpoint"
      check { some e in resources("aws_vpc_endpoint") { e.properties.vpc_endpoint_type == "Interface" } }
    }
    none SEC01_no "None of these"
    risk {
      none when SEC01_policies and SEC01_attached
      high otherwise
    }
  }
}
"#;

struct Fixture {
    db: TestDatabase,
    pack: Pack,
    workload: Workload,
    checks: SourceFile,
    template: EvidenceFile,
    plan: EvidenceFile,
}

fn read(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/cases/run/relations").join(name);
    std::fs::read_to_string(path).expect("the fixture is readable")
}

fn fixture() -> Fixture {
    let db = TestDatabase::default();
    let lens = SourceFile::new(&db, "lens.lens".into(), LENS.into());
    let checks = SourceFile::new(&db, "security.lens".into(), CHECKS.into());
    let pack = Pack::new(&db, None, vec![lens, checks]);
    let evidence = |name: &str| EvidenceFile::new(&db, name.into(), read(name).into_bytes(), LoadOptions::default());
    let (template, plan) = (evidence("template.yaml"), evidence("plan.json"));
    let workload = Workload::new(&db, vec![template, plan]);
    let diagnostics = pack_diagnostics(&db, pack);
    assert!(diagnostics.iter().all(|d| !d.is_error()), "{diagnostics:#?}");
    Fixture { db, pack, workload, checks, template, plan }
}

/// Reviews the workload, and gives the relations computed meanwhile.
fn relations_computed(fixture: &Fixture) -> Vec<String> {
    review(&fixture.db, fixture.pack, fixture.workload, &Answers::default(), "2026-12-01");
    fixture.db.take_executed().into_iter().filter(|entry| entry.starts_with("evidence_relations(")).collect()
}

fn outcome(fixture: &Fixture, choice: &str) -> Option<Outcome> {
    let key = loupe_eval::ChoiceKey::new(&fixture.db, fixture.pack, "SEC01".to_string(), choice.to_string());
    evaluate_choice(&fixture.db, fixture.workload, key).clone()
}

#[test]
fn checks_follow_relations_both_ways() {
    let fixture = fixture();
    assert_eq!(outcome(&fixture, "SEC01_policies"), Some(Outcome::Holds));
    assert_eq!(outcome(&fixture, "SEC01_attached"), Some(Outcome::Holds));
}

#[test]
fn relations_are_computed_once_per_file_and_again_only_for_an_edited_file() {
    let mut fixture = fixture();
    let first = relations_computed(&fixture);
    assert_eq!(first.len(), 2, "once per file: {first:?}");
    assert_ne!(first[0], first[1]);

    // An edit of the pack re-evaluates the edited check, but recomputes no relations.
    let edited = CHECKS.replace(r#"== "Interface""#, r#"!= "Gateway""#);
    fixture.checks.set_text(&mut fixture.db).to(edited);
    assert_eq!(relations_computed(&fixture), Vec::<String>::new(), "a .lens edit leaves relations standing");

    // The policy attachment no longer refers to the role: one file's relations are computed
    // again, the plan's (the check that follows them sees the change).
    let plan = read("plan.json").replace(r#""aws_iam_role.agent.name", "aws_iam_role.agent""#, r#""var.role""#);
    fixture.plan.set_bytes(&mut fixture.db).to(plan.as_bytes().to_vec());
    let plan_relations = relations_computed(&fixture);
    assert_eq!(plan_relations.len(), 1, "{plan_relations:?}");
    assert!(matches!(outcome(&fixture, "SEC01_attached"), Some(Outcome::Fails(_))), "the edit is seen");

    let template = read("template.yaml").replace("- !Ref AgentRole", "- agent-role");
    fixture.template.set_bytes(&mut fixture.db).to(template.as_bytes().to_vec());
    let template_relations = relations_computed(&fixture);
    assert_eq!(template_relations.len(), 1, "{template_relations:?}");
    assert!(matches!(outcome(&fixture, "SEC01_policies"), Some(Outcome::Fails(_))), "the edit is seen");
    assert_ne!(plan_relations, template_relations, "each edit recomputed its own file's relations");
    assert!(first.contains(&plan_relations[0]) && first.contains(&template_relations[0]));
}
