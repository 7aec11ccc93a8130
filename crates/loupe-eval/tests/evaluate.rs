//! Evaluation: check semantics over real evidence shapes, answers applied to
//! the review, and incrementality asserted from salsa's execution events.

use std::fmt::Write;
use std::sync::Arc;

use expect_test::{Expect, expect};
use loupe_db::testing::TestDatabase;
use loupe_db::{Database, Pack, SourceFile, pack_diagnostics};
use loupe_eval::{Answers, EvidenceFile, Location, Review, Workload, load_evidence, review};
use loupe_evidence::{Column, LoadOptions};
use salsa::Setter;

const LENS: &str = r#"lens demo "Demo" { description "A demo lens." }"#;

const CHECKS: &str = r#"
pillar security "Security" {
  question SEC01 "How do you store data?" {
    choice SEC01_encrypted "Buckets use KMS" {
      improve "Use KMS keys." "https://example.com/kms"
      check {
        applies when count(resources("AWS::S3::Bucket", "aws_s3_bucket")) > 0
        every b in resources("AWS::S3::Bucket", "aws_s3_bucket") {
          kms(b) else "bucket {b.name} is not encrypted with KMS"
        }
      }
    }
    choice SEC01_versioned "Buckets keep versions" {
      improve "Turn on versioning." "https://example.com/versions"
      check {
        every b in resources("AWS::S3::Bucket") where b.name != "Logs" {
          b.properties.VersioningConfiguration.Status == "Enabled"
        }
      }
    }
    choice SEC01_reviewed "Access is reviewed" {
      improve "Review access." "https://example.com/review"
    }
    none SEC01_no "None of these"
    risk {
      none when SEC01_encrypted and SEC01_versioned and SEC01_reviewed
      medium when SEC01_encrypted
      high otherwise
    }
  }
  question SEC02 "How do you limit access?" {
    choice SEC02_scoped "Roles are scoped" {
      improve "Scope roles." "https://example.com/scope"
      check {
        none r in resources("aws_iam_role_policy") {
          some action in r.properties.policy.Statement.Action { action == "*" or action matches /:\*$/ }
        } else "policy {r.name} grants a wildcard action"
      }
    }
    choice SEC02_endpoint "Private endpoint" {
      improve "Add an endpoint." "https://example.com/endpoint"
      check { some e in resources("aws_vpc_endpoint") { e.properties.service_name ends_with "bedrock-runtime" } }
    }
    none SEC02_no "None of these"
    risk {
      none when SEC02_scoped and SEC02_endpoint
      medium when SEC02_scoped or SEC02_endpoint
      high otherwise
    }
  }
}

/// A bucket encrypted with a KMS key, in CloudFormation or Terraform.
predicate kms(bucket) {
  bucket.properties.BucketEncryption.ServerSideEncryptionConfiguration.ServerSideEncryptionByDefault.SSEAlgorithm == ["aws:kms"]
    or bucket.properties.server_side_encryption_configuration.rule.apply_server_side_encryption_by_default.sse_algorithm == ["aws:kms"]
}
"#;

const TEMPLATE: &str = r#"AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Data:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: !Sub "${AWS::StackName}-data"
      BucketEncryption:
        ServerSideEncryptionConfiguration:
          - ServerSideEncryptionByDefault:
              SSEAlgorithm: aws:kms
              KMSMasterKeyID: !GetAtt Key.Arn
      VersioningConfiguration:
        Status: Enabled
  Logs:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: logs
"#;

fn plan(actions: &str) -> String {
    format!(
        r#"{{"format_version": "1.2", "planned_values": {{"root_module": {{"resources": [
  {{"address": "aws_iam_role_policy.app", "type": "aws_iam_role_policy", "name": "app", "values":
    {{"policy": {{"Version": "2012-10-17", "Statement": [{{"Effect": "Allow", "Action": {actions}, "Resource": "*"}}]}}}}}},
  {{"address": "aws_vpc_endpoint.bedrock", "type": "aws_vpc_endpoint", "name": "bedrock", "values":
    {{"service_name": "com.amazonaws.us-east-1.bedrock-runtime", "vpc_endpoint_type": "Interface"}}}}
]}}}}}}"#
    )
}

struct Fixture {
    db: TestDatabase,
    pack: Pack,
    workload: Workload,
    checks: SourceFile,
    evidence: Vec<EvidenceFile>,
}

fn fixture(actions: &str) -> Fixture {
    let db = TestDatabase::default();
    let lens = SourceFile::new(&db, "lens.lens".into(), LENS.into());
    let checks = SourceFile::new(&db, "security.lens".into(), CHECKS.into());
    let manifest = SourceFile::new(&db, "loupe.toml".into(), "[pack]\nname = \"demo\"\n".into());
    let pack = Pack::new(&db, Some(manifest), vec![lens, checks]);
    let template = EvidenceFile::new(&db, "template.yaml".into(), TEMPLATE.as_bytes().to_vec(), LoadOptions::default());
    let plan = EvidenceFile::new(&db, "plan.json".into(), plan(actions).into_bytes(), LoadOptions::default());
    let workload = Workload::new(&db, vec![template, plan]);
    let diagnostics = pack_diagnostics(&db, pack);
    assert!(diagnostics.iter().all(|d| !d.is_error()), "{diagnostics:#?}");
    Fixture { db, pack, workload, checks, evidence: vec![template, plan] }
}

/// The review as compact text: each question's risk and rule, each choice's
/// status and findings (lines and columns from the evidence's line index).
fn summary(fixture: &Fixture, review: &Review) -> String {
    let position = |location: &Location| {
        let file = fixture.evidence.iter().find(|file| *file.name(&fixture.db) == location.file);
        let loaded = file.and_then(|&file| load_evidence(&fixture.db, file).as_ref().as_ref().ok());
        loaded.map_or(String::new(), |evidence| format!(":{}", evidence.lines.line_col(location.start, Column::Chars)))
    };
    let mut out = String::new();
    for question in review.pillars.iter().flat_map(|pillar| &pillar.questions) {
        let rule = question.rule.as_deref().unwrap_or("-");
        writeln!(out, "{} {} ({rule})", question.id, question.risk.as_str()).expect("writing to a String");
        for choice in &question.choices {
            writeln!(out, "  {} {}", choice.id, choice.status.as_str()).expect("writing to a String");
            for finding in choice.findings.iter() {
                let at = finding.location.as_ref().map_or(String::new(), |l| format!(" @ {}{}", l.file, position(l)));
                writeln!(out, "    {}{at}", finding.message).expect("writing to a String");
            }
        }
    }
    out
}

fn check_review(fixture: &Fixture, answers: &Answers, today: &str, expected: Expect) {
    expected.assert_eq(&summary(fixture, &review(&fixture.db, fixture.pack, fixture.workload, answers, today)));
}

#[test]
fn checks_decide_choices_and_rules_decide_risk() {
    let fixture = fixture(r#"["bedrock:*"]"#);
    check_review(
        &fixture,
        &Answers::default(),
        "2026-11-24",
        expect![[r#"
            SEC01 high (high otherwise)
              SEC01_encrypted unselected
                bucket Logs is not encrypted with KMS @ template.yaml:14:3
              SEC01_versioned selected
              SEC01_reviewed unknown
              SEC01_no unselected
            SEC02 medium (medium when SEC02_scoped or SEC02_endpoint)
              SEC02_scoped unselected
                policy aws_iam_role_policy.app grants a wildcard action @ plan.json:2:3
              SEC02_endpoint selected
              SEC02_no unselected
        "#]],
    );
}

#[test]
fn answers_attest_and_waive() {
    let fixture = fixture(r#"["bedrock:InvokeModel"]"#);
    let answers = Answers::parse(
        "answers.yaml",
        "attestations:\n  - question: SEC01\n    choices: [SEC01_reviewed, SEC01_encrypted]\n    note: Quarterly review.\n    by: alice\n\
         waivers:\n  - question: SEC01\n    reason: Logs bucket is public data.\n    owner: bob\n    expires: 2026-12-31\n",
    )
    .expect("valid answers");
    assert!(answers.check_against(loupe_db::pack_index(&fixture.db, fixture.pack)).is_empty());
    let reviewed = review(&fixture.db, fixture.pack, fixture.workload, &answers, "2026-11-24");
    let sec01 = &reviewed.pillars[0].questions[0];
    assert!(sec01.waiver.is_some(), "the waiver is in force");
    check_review(
        &fixture,
        &answers,
        "2027-01-01",
        expect![[r#"
            SEC01 high (high otherwise)
              SEC01_encrypted unselected
                attested by alice, but the evidence contradicts the attestation
                bucket Logs is not encrypted with KMS @ template.yaml:14:3
              SEC01_versioned selected
              SEC01_reviewed selected
              SEC01_no unselected
            SEC02 none (none when SEC02_scoped and SEC02_endpoint)
              SEC02_scoped selected
              SEC02_endpoint selected
              SEC02_no unselected
        "#]],
    );
    let expired = review(&fixture.db, fixture.pack, fixture.workload, &answers, "2027-01-01");
    assert_eq!(expired.expired_waivers.len(), 1);
    assert!(expired.pillars[0].questions[0].waiver.is_none());
}

#[test]
fn answers_errors_are_located() {
    let errors = Answers::parse(
        "answers.yaml",
        "waivers:\n  - question: SEC01\n    reason: x\n    expires: soon\n    colour: red\n",
    )
    .expect_err("invalid");
    let messages: Vec<String> =
        errors.iter().map(|e| format!("{}..{} {}", e.span.start, e.span.end, e.message)).collect();
    expect![[r#"
        [
            "65..71 unknown key `colour`",
            "13..76 missing `owner`",
            "56..60 `soon` is not a date",
        ]
    "#]]
    .assert_debug_eq(&messages);
}

/// The evaluations that ran since the last call, by question and choice.
fn evaluated(fixture: &Fixture) -> Vec<String> {
    let mut ran: Vec<String> =
        fixture.db.take_executed().into_iter().filter(|entry| entry.starts_with("evaluate_choice(")).collect();
    ran.sort();
    ran
}

fn evaluate_all(fixture: &Fixture) -> Vec<String> {
    review(&fixture.db, fixture.pack, fixture.workload, &Answers::default(), "2026-11-24");
    evaluated(fixture)
}

#[test]
fn editing_one_evidence_file_re_evaluates_only_the_checks_that_read_it() {
    let mut fixture = fixture(r#"["bedrock:*"]"#);
    assert_eq!(evaluate_all(&fixture).len(), 5, "every choice is evaluated once at first");

    // The plan holds IAM policies and endpoints, no buckets: the bucket checks stand.
    fixture.evidence[1].set_bytes(&mut fixture.db).to(plan(r#"["bedrock:InvokeModel"]"#).into_bytes());
    let ran = evaluate_all(&fixture);
    assert_eq!(ran.len(), 2, "only SEC02's two checks read the plan: {ran:#?}");
}

#[test]
fn editing_one_check_re_evaluates_only_that_check() {
    let mut fixture = fixture(r#"["bedrock:*"]"#);
    evaluate_all(&fixture);
    let edited = CHECKS.replace(r#"ends_with "bedrock-runtime""#, r#"ends_with "runtime""#);
    fixture.checks.set_text(&mut fixture.db).to(edited);
    let ran = evaluate_all(&fixture);
    assert_eq!(ran.len(), 1, "only the edited check runs again: {ran:#?}");
}

#[test]
fn moving_a_predicate_re_compiles_and_re_evaluates_nothing() {
    let mut fixture = fixture(r#"["bedrock:*"]"#);
    evaluate_all(&fixture);
    let moved = CHECKS.replace("/// A bucket encrypted", "// Moved down by a line.\n/// A bucket encrypted");
    fixture.checks.set_text(&mut fixture.db).to(moved);
    review(&fixture.db, fixture.pack, fixture.workload, &Answers::default(), "2026-11-24");
    let ran = fixture.db.take_executed();
    let parsed_or_evaluated: Vec<&String> = ran
        .iter()
        .filter(|entry| entry.starts_with("compiled_block(") || entry.starts_with("evaluate_choice("))
        .collect();
    assert!(parsed_or_evaluated.is_empty(), "its body is the same text, parsed once: {ran:#?}");
    assert!(ran.iter().any(|entry| entry.starts_with("predicate_source(")), "the edit was seen: {ran:#?}");
}

/// One choice whose check calls `p0`, and predicates `p0` to `p{N-1}` each
/// calling the next (or'ed with `tail`), the last one holding `last`.
fn chain(calls: usize, tail: &str, last: &str) -> Option<loupe_eval::Outcome> {
    let db = Database::default();
    let mut text = String::from(
        r#"pillar p "P" { question Q "Q?" { choice C "C" { improve "i" "https://example.com" check { p0(1) } } } }
"#,
    );
    for i in 0..calls - 1 {
        let _ = writeln!(text, "predicate p{i}(x) {{ p{}(x){tail} }}", i + 1);
    }
    let _ = writeln!(text, "predicate p{}(x) {{ {last}{tail} }}", calls - 1);
    let lens = SourceFile::new(&db, "lens.lens".into(), LENS.into());
    let file = SourceFile::new(&db, "checks.lens".into(), text);
    let pack = Pack::new(&db, None, vec![lens, file]);
    let workload = Workload::new(&db, Vec::new());
    let key = loupe_eval::ChoiceKey::new(&db, pack, "Q".to_string(), "C".to_string());
    loupe_eval::evaluate_choice(&db, workload, key).clone()
}

#[test]
fn predicate_calls_past_the_limit_are_undecided() {
    // Packs `loupe check` rejects (L0118, L0116) are still evaluated without
    // exhausting the stack: the interpreter stops at the same depth.
    for (calls, last) in [(1400, "x == 1"), (3, "p0(x)")] {
        let outcome = chain(calls, "", last);
        assert!(
            matches!(&outcome, Some(loupe_eval::Outcome::Undecided(why)) if why[0].message.contains("L0118")),
            "{outcome:?}"
        );
    }
}

#[test]
fn the_deepest_calls_allowed_fit_on_a_small_stack() {
    // Each body as deep as the parser allows, on a test thread's stack.
    let tail = " or false".repeat(loupe_syntax::MAX_EXPR_DEPTH - 2);
    let outcome = chain(loupe_db::MAX_PREDICATE_DEPTH, &tail, "x == 1");
    // It ran to its end: reading no evidence, it gives no answer rather than stopping undecided.
    assert!(matches!(&outcome, Some(loupe_eval::Outcome::NotApplicable(why)) if why.guard.is_none()), "{outcome:?}");
}

/// Every built-in's documented example holds over a plan with one IAM role and
/// a policy attachment that refers to it (that every built-in is evaluated at all, the compiler checks).
#[test]
fn every_builtin_example_holds() {
    let db = Database::default();
    let mut text = String::from("pillar p \"P\" {\n");
    for (n, builtin) in loupe_db::Builtin::ALL.iter().enumerate() {
        let _ = writeln!(
            text,
            r#"question Q{n} "Q?" {{ choice C{n} "C" {{ improve "i" "https://example.com" check {{
  count(resources("aws_iam_role")) == 1
  {}
}} }} }}"#,
            builtin.spec().example
        );
    }
    text.push('}');
    let lens = SourceFile::new(&db, "lens.lens".into(), LENS.into());
    let file = SourceFile::new(&db, "builtins.lens".into(), text);
    let pack = Pack::new(&db, None, vec![lens, file]);
    let plan = r#"{"format_version": "1.2", "planned_values": {"root_module": {"resources": [
  {"address": "aws_iam_role.app", "type": "aws_iam_role", "name": "app", "values": {"name": "app"}},
  {"address": "aws_iam_role_policy_attachment.app", "type": "aws_iam_role_policy_attachment", "name": "app",
   "values": {"role": "app"}}
]}}, "configuration": {"root_module": {"resources": [
  {"address": "aws_iam_role_policy_attachment.app", "expressions": {
    "role": {"references": ["aws_iam_role.app.name", "aws_iam_role.app"]},
    "policy_arn": {"references": ["var.policy_arn"]}}}
]}}}"#;
    let evidence = EvidenceFile::new(&db, "plan.json".into(), plan.as_bytes().to_vec(), LoadOptions::default());
    let workload = Workload::new(&db, vec![evidence]);
    for (n, builtin) in loupe_db::Builtin::ALL.iter().enumerate() {
        let key = loupe_eval::ChoiceKey::new(&db, pack, format!("Q{n}"), format!("C{n}"));
        let outcome = loupe_eval::evaluate_choice(&db, workload, key);
        let spec = builtin.spec();
        assert_eq!(outcome, &Some(loupe_eval::Outcome::Holds), "the example of {}: {}", spec.name, spec.example);
    }
}

/// `json` parses each distinct text once, however many checks and resources
/// read it; an object is taken as it is, and what holds no JSON is missing.
#[test]
fn json_parses_each_distinct_text_once() {
    let db = TestDatabase::default();
    let choice = |id: &str, check: &str| {
        format!(r#"question {id} "Q?" {{ choice C "C" {{ improve "i" "https://example.com" check {{ {check} }} }} }}"#)
    };
    let text = [
        "pillar p \"P\" {".to_string(),
        choice("Q1", r#"every p in resources("aws_iam_policy") { json(p.properties.policy).Version == "2012-10-17" }"#),
        choice(
            "Q2",
            r#"every p in resources("aws_iam_policy") {
  some s in json(p.properties.policy).Statement { s.Effect in ["Allow", "Deny"] }
}"#,
        ),
        choice("Q3", r#"every p in resources("aws_iam_role_policy") { not exists(json(p.properties.policy)) }"#),
        "}".to_string(),
    ]
    .join("\n");
    let lens = SourceFile::new(&db, "lens.lens".into(), LENS.into());
    let file = SourceFile::new(&db, "json.lens".into(), text);
    let pack = Pack::new(&db, None, vec![lens, file]);
    let document = r#"{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\"}]}"#;
    let other = r#"{\"Version\": \"2012-10-17\", \"Statement\": {\"Effect\": \"Deny\"}}"#;
    let resource = |address: &str, policy: &str| {
        let (kind, name) = address.split_once('.').unwrap_or_default();
        format!(r#"{{"address": "{address}", "type": "{kind}", "name": "{name}", "values": {{"policy": {policy}}}}}"#)
    };
    let deep = format!("\"{}{}\"", "[".repeat(100_000), "]".repeat(100_000));
    let resources = [
        resource("aws_iam_policy.a", &format!("\"{document}\"")),
        resource("aws_iam_policy.b", &format!("\"{document}\"")),
        resource("aws_iam_policy.c", &format!("\"{other}\"")),
        // Already an object: taken as it is.
        resource("aws_iam_policy.d", r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow"}]}"#),
        // Not JSON, not a string, nested past the limit: missing.
        resource("aws_iam_role_policy.broken", r#""{\"Version\": ""#),
        resource("aws_iam_role_policy.number", "42"),
        resource("aws_iam_role_policy.deep", &deep),
    ];
    let plan = format!(
        r#"{{"format_version": "1.2", "planned_values": {{"root_module": {{"resources": [{}]}}}}}}"#,
        resources.join(",\n")
    );
    let evidence = EvidenceFile::new(&db, "plan.json".into(), plan.as_bytes().to_vec(), LoadOptions::default());
    let workload = Workload::new(&db, vec![evidence]);
    for question in ["Q1", "Q2", "Q3"] {
        let key = loupe_eval::ChoiceKey::new(&db, pack, question.to_string(), "C".to_string());
        let outcome = loupe_eval::evaluate_choice(&db, workload, key);
        assert_eq!(outcome, &Some(loupe_eval::Outcome::Holds), "{question}");
    }
    let parses = db.take_executed().into_iter().filter(|entry| entry.starts_with("parsed_json(")).count();
    assert_eq!(parses, 4, "two distinct policies, the broken text and the deep one, each parsed once");
}

/// The finding of a check without messages over a function whose timeout is `timeout`.
fn timeout_finding(timeout: u32) -> loupe_eval::Finding {
    let db = Database::default();
    let checks = r#"pillar p "P" { question Q "Q?" { choice C "C" { improve "i" "https://example.com"
      check { every f in resources("AWS::Lambda::Function") { f.properties.Timeout <= 300 } } } } }"#;
    let lens = SourceFile::new(&db, "lens.lens".into(), LENS.into());
    let file = SourceFile::new(&db, "checks.lens".into(), checks.into());
    let pack = Pack::new(&db, None, vec![lens, file]);
    let template =
        format!("Resources:\n  Slow:\n    Type: AWS::Lambda::Function\n    Properties:\n      Timeout: {timeout}\n");
    let evidence = EvidenceFile::new(&db, "template.yaml".into(), template.as_bytes().to_vec(), LoadOptions::default());
    let workload = Workload::new(&db, vec![evidence]);
    let review = review(&db, pack, workload, &Answers::default(), "2026-11-24");
    let choice = &review.pillars[0].questions[0].choices[0];
    assert_eq!(choice.findings.len(), 1, "{choice:#?}");
    choice.findings[0].clone()
}

#[test]
fn explained_findings_keep_their_fingerprint_whatever_the_values() {
    let (slow, slower) = (timeout_finding(900), timeout_finding(901));
    assert_eq!(slow.message, "Timeout is 900, expected at most 300");
    assert_eq!(slower.message, "Timeout is 901, expected at most 300");
    assert_eq!(&*slow.template, "`f.properties.Timeout <= 300` does not hold");
    assert_eq!(slow.fingerprint, slower.fingerprint);
}

/// The review holds the check's findings as they are, fingerprinted by the
/// check, and copies them only to add what the answers say of them.
#[test]
fn the_review_shares_the_checks_findings_unless_answers_change_them() {
    let fixture = fixture(r#"["bedrock:InvokeModel"]"#);
    let key = loupe_eval::ChoiceKey::new(&fixture.db, fixture.pack, "SEC01".to_string(), "SEC01_encrypted".to_string());
    let Some(loupe_eval::Outcome::Fails(found)) =
        loupe_eval::evaluate_choice(&fixture.db, fixture.workload, key).clone()
    else {
        panic!("SEC01_encrypted fails on the Logs bucket");
    };
    let encrypted = |review: &Review| review.pillars[0].questions[0].choices[0].findings.clone();

    let plain = encrypted(&review(&fixture.db, fixture.pack, fixture.workload, &Answers::default(), "2026-12-01"));
    assert!(Arc::ptr_eq(&plain, &found), "no answers: the same findings, not a copy");
    let practice = loupe_eval::Practice { pack: "demo", question: "SEC01", choice: "SEC01_encrypted" };
    assert_eq!(plain[0].fingerprint, plain[0].fingerprint_in(&practice), "fingerprinted by the check");
    assert_ne!(plain[0].fingerprint, loupe_eval::Fingerprint::default());

    let answers = Answers::parse(
        "answers.yaml",
        "waivers:\n  - question: SEC01\n    choice: SEC01_encrypted\n    resource: Logs\n    reason: Public data.\n    owner: bob\n    expires: 2026-12-31\n",
    )
    .expect("valid answers");
    let waived = encrypted(&review(&fixture.db, fixture.pack, fixture.workload, &answers, "2026-12-01"));
    assert!(!Arc::ptr_eq(&waived, &found), "a waived finding is a copy");
    assert!(waived[0].waiver.is_some() && found[0].waiver.is_none(), "the check's own findings stay unwaived");
    assert_eq!(waived[0].fingerprint, found[0].fingerprint);
}
