//! Every format rendered from one hand-built review that has a question at
//! each risk level (waived, not applicable and unanswered ones too), choices
//! with and without findings, findings with and without locations, and
//! attestations; plus checks that each format is what its consumers parse.

use std::collections::HashMap;
use std::sync::Arc;

use loupe_diagnostics::{LineIndex, Span};
use loupe_model::{
    Attestation, ChoiceReview, EvidenceSummary, Finding, Fingerprint, Inapplicable, LensInfo, LinkInfo, Location,
    Named, PillarReview, QuestionReview, Review, Risk, Status, Summary, Waiver,
};
use loupe_report::{Context, Format, MARKDOWN_LIMIT, Source, render};
use serde::{Deserialize, Serialize};

const PLAN: &str = r#"{
  "format_version": "1.2",
  "planned_values": {
    "root_module": {
      "resources": [
        {
          "address": "aws_s3_bucket.logs",
          "type": "aws_s3_bucket",
          "values": { "bucket": "acme-logs", "server_side_encryption_configuration": [] }
        },
        {
          "address": "aws_bedrock_guardrail.none",
          "type": "aws_bedrock_guardrail",
          "values": { "blocked_input_messaging": "" }
        }
      ]
    }
  }
}
"#;

const K8S: &str = "apiVersion: apps/v1
kind: Deployment
metadata:
  name: inference-api
spec:
  replicas: 1
  template:
    spec:
      containers:
        - name: model
          image: acme/model:latest
          env:
            - name: OPENAI_KEY
              value: sk-plain-text
";

const SECURITY_LENS: &str = r#"pillar security "Security" {
  question GENSEC01 "How do you protect data at rest?" {
    choice GENSEC01_encrypt "Encrypt data at rest" {
      check every aws_s3_bucket has server_side_encryption_configuration
    }
    choice GENSEC01_keys "Use customer-managed keys"
    choice GENSEC01_rotate "Rotate keys"
    choice none GENSEC01_no "None of these"
  }
  question GENSEC02 "How do you filter model input & output?" {
    choice GENSEC02_guardrails "Apply <guardrails> to prompts"
    choice GENSEC02_logging "Log model invocations"
  }
  question GENSEC03 "How do you control access to models?" {
    choice GENSEC03_iam "Least-privilege IAM"
    choice GENSEC03_vpc "Private endpoints"
    choice GENSEC03_secrets "Keep secrets out of manifests"
  }
}
"#;

const RELIABILITY_LENS: &str = r#"pillar reliability "Reliability" {
  question GENREL01 "How do you handle model throttling?" {
    choice GENREL01_retry "Retry with backoff"
    choice GENREL01_quota "Monitor quotas"
  }
  question GENREL02 "How do you test model updates?" {
    choice GENREL02_eval "Evaluate before rollout"
  }
  question GENREL03 "How do you recover from failures?" {
    choice GENREL03_replicas "Run several replicas"
    choice none GENREL03_no "None of these"
  }
}
"#;

fn sources() -> HashMap<&'static str, &'static str> {
    HashMap::from([
        ("evidence/plan.json", PLAN),
        ("evidence/k8s.yaml", K8S),
        ("policies/genai/security.lens", SECURITY_LENS),
        ("policies/genai/reliability.lens", RELIABILITY_LENS),
    ])
}

/// The sources with their line indexes, as a driver holds them.
type Indexed = HashMap<&'static str, (&'static str, LineIndex)>;

fn indexed() -> Indexed {
    sources().into_iter().map(|(name, text)| (name, (text, LineIndex::new(text)))).collect()
}

/// The location of the first `needle` in `file` (the `nth` one from 0).
fn at(file: &str, needle: &str, nth: usize) -> Location {
    let text = sources()[file];
    let (start, _) = text.match_indices(needle).nth(nth).unwrap_or_else(|| panic!("{needle:?} not in {file}"));
    Location { file: file.to_owned(), start: start as u32, end: (start + needle.len()) as u32 }
}

fn finding(message: &str, location: Option<Location>) -> Finding {
    let resource = location.as_ref().map(|_| "Resource".to_owned());
    Finding {
        fingerprint: Fingerprint::of(&[message]),
        template: message.into(),
        message: message.to_owned(),
        location,
        resource,
        waiver: None,
    }
}

fn link(text: &str, url: Option<&str>) -> Option<LinkInfo> {
    Some(LinkInfo { text: text.to_owned(), url: url.map(str::to_owned) })
}

fn choice(lens: &str, id: &str, title: &str, status: Status, automated: bool) -> ChoiceReview {
    ChoiceReview {
        id: id.to_owned(),
        title: title.to_owned(),
        is_none: id.ends_with("_no"),
        status,
        automated,
        findings: Arc::from([]),
        not_applicable: None,
        attestation: None,
        waiver: None,
        improvement: None,
        helpful: None,
        defined_at: at(lens, id, 0),
    }
}

fn question(
    lens: &str,
    id: &str,
    title: &str,
    risk: Risk,
    rule: Option<&str>,
    choices: Vec<ChoiceReview>,
) -> QuestionReview {
    QuestionReview {
        id: id.to_owned(),
        title: title.to_owned(),
        description: None,
        helpful_url: None,
        risk,
        residual_risk: risk,
        rule: rule.map(str::to_owned),
        choices,
        not_applicable_reason: None,
        waiver: None,
        expired_waivers: Vec::new(),
        defined_at: at(lens, id, 0),
    }
}

fn waiver(question: &str, reason: &str, owner: &str, expires: &str) -> Waiver {
    Waiver {
        question: Named { id: question.to_owned(), span: Span::new(0, 0) },
        choice: None,
        resource: None,
        file: None,
        reason: reason.to_owned(),
        owner: owner.to_owned(),
        expires: expires.to_owned(),
    }
}

fn review() -> Review {
    const SEC: &str = "policies/genai/security.lens";
    const REL: &str = "policies/genai/reliability.lens";

    // High risk: a missing practice with findings in two evidence files.
    let mut encrypt = choice(SEC, "GENSEC01_encrypt", "Encrypt data at rest", Status::Unselected, true);
    encrypt.findings = vec![
        finding(
            "aws_s3_bucket.logs has no server-side encryption",
            Some(at("evidence/plan.json", r#""server_side_encryption_configuration": []"#, 0)),
        ),
        finding(
            "Deployment inference-api mounts no encrypted volume",
            Some(at("evidence/k8s.yaml", "name: inference-api", 0)),
        ),
    ]
    .into();
    encrypt.improvement = link(
        "Enable default encryption with KMS keys",
        Some("https://docs.aws.amazon.com/AmazonS3/latest/userguide/default-bucket-encryption.html"),
    );
    encrypt.helpful =
        link("S3 encryption", Some("https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingEncryption.html"));
    let keys = choice(SEC, "GENSEC01_keys", "Use customer-managed keys", Status::Selected, true);
    let mut rotate = choice(SEC, "GENSEC01_rotate", "Rotate keys", Status::Selected, false);
    rotate.attestation = Some(Attestation {
        note: Some("Yearly rotation, see RUNBOOK-7.".to_owned()),
        by: Some("alice@example.com".to_owned()),
    });
    let mut gensec01 = question(
        SEC,
        "GENSEC01",
        "How do you protect data at rest?",
        Risk::High,
        Some("high when !GENSEC01_encrypt"),
        vec![encrypt, keys, rotate, choice(SEC, "GENSEC01_no", "None of these", Status::Unselected, false)],
    );
    gensec01.helpful_url =
        Some("https://docs.aws.amazon.com/wellarchitected/latest/security-pillar/welcome.html".to_owned());

    // Medium risk, waived: an attestation the evidence contradicts.
    let mut guardrails = choice(SEC, "GENSEC02_guardrails", "Apply <guardrails> to prompts", Status::Unselected, true);
    guardrails.findings = vec![
        finding("attested by carol, but the evidence contradicts the attestation", None),
        finding(
            "guardrail `none` blocks nothing: blocked_input_messaging is \"\"",
            Some(at("evidence/plan.json", r#""blocked_input_messaging": """#, 0)),
        ),
    ]
    .into();
    guardrails.attestation = Some(Attestation { note: None, by: Some("carol".to_owned()) });
    guardrails.improvement = link("Configure guardrails for input | output", None);
    let mut logging = choice(SEC, "GENSEC02_logging", "Log model invocations", Status::Unknown, false);
    logging.improvement = link("Turn on invocation logging", Some("https://example.com/logging?a=1&b=2"));
    let mut gensec02 = question(
        SEC,
        "GENSEC02",
        "How do you filter model input & output?",
        Risk::Medium,
        Some("medium when !GENSEC02_guardrails"),
        vec![guardrails, logging],
    );
    gensec02.waiver = Some(waiver(
        "GENSEC02",
        "Guardrails land in Q1; content stays internal until then.",
        "bob@example.com",
        "2027-03-31",
    ));

    // No risk, with a not-applicable practice and one missing without findings.
    let mut vpc = choice(SEC, "GENSEC03_vpc", "Private endpoints", Status::NotApplicable, true);
    vpc.improvement = link("Use VPC endpoints", Some("https://example.com/vpc"));
    vpc.not_applicable = Some(Inapplicable {
        guard: Some("runs_in_vpc()".to_owned()),
        looked_for: vec!["AWS::EC2::VPC".to_owned(), "aws_vpc".to_owned()],
        seen: 0,
    });
    let mut secrets = choice(SEC, "GENSEC03_secrets", "Keep secrets out of manifests", Status::Unselected, true);
    secrets.findings = vec![finding(
        "container model sets OPENAI_KEY in plain text",
        Some(at("evidence/k8s.yaml", "value: sk-plain-text", 0)),
    )]
    .into();
    secrets.improvement = link("Mount secrets from a secret store", None);
    let gensec03 = question(
        SEC,
        "GENSEC03",
        "How do you control access to models?",
        Risk::None,
        Some("none when GENSEC03_iam"),
        vec![choice(SEC, "GENSEC03_iam", "Least-privilege IAM", Status::Selected, true), vpc, secrets],
    );

    // Unanswered: no check decided it; one check ran out of fuel.
    let mut retry = choice(REL, "GENREL01_retry", "Retry with backoff", Status::Unknown, true);
    retry.findings = vec![finding("evaluation ran out of fuel after 1000000 steps", None)].into();
    let genrel01 = question(
        REL,
        "GENREL01",
        "How do you handle model throttling?",
        Risk::Unanswered,
        None,
        vec![retry, choice(REL, "GENREL01_quota", "Monitor quotas", Status::Unknown, false)],
    );

    // Not applicable, whatever its checks say.
    let mut eval = choice(REL, "GENREL02_eval", "Evaluate before rollout", Status::Unselected, true);
    eval.findings = vec![finding("no evaluation job found", None)].into();
    let mut genrel02 =
        question(REL, "GENREL02", "How do you test model updates?", Risk::NotApplicable, None, vec![eval]);
    genrel02.not_applicable_reason = Some("No model customization in this workload.".to_owned());

    // High risk: "None of these" attested, and a finding full of markup.
    let mut replicas = choice(REL, "GENREL03_replicas", "Run several replicas", Status::Unselected, true);
    replicas.findings = vec![finding(
        "Deployment \"inference-api\" has replicas < 2 & no <PodDisruptionBudget>",
        Some(at("evidence/k8s.yaml", "replicas: 1", 0)),
    )]
    .into();
    replicas.improvement = link("Run at least two replicas across zones", Some("https://example.com/replicas"));
    let mut none = choice(REL, "GENREL03_no", "None of these", Status::Selected, false);
    none.attestation = Some(Attestation { note: Some("Single-zone pilot.".to_owned()), by: None });
    let genrel03 = question(
        REL,
        "GENREL03",
        "How do you recover from failures?",
        Risk::High,
        Some("high otherwise"),
        vec![replicas, none],
    );

    let pillars = vec![
        PillarReview {
            id: "security".to_owned(),
            name: "Security".to_owned(),
            questions: vec![gensec01, gensec02, gensec03],
        },
        PillarReview {
            id: "reliability".to_owned(),
            name: "Reliability".to_owned(),
            questions: vec![genrel01, genrel02, genrel03],
        },
    ];
    Review {
        lens: LensInfo {
            id: "genai".to_owned(),
            name: "Generative AI Lens".to_owned(),
            version: Some("1.2.0".to_owned()),
            description: Some("Best practices for generative AI workloads.".to_owned()),
        },
        summary: Summary::of(&pillars),
        pillars,
        unmatched_waivers: Vec::new(),
        expired_waivers: vec![waiver("GENREL01", "Throttling fix shipped late.", "dave@example.com", "2024-12-31")],
        evidence: vec![
            EvidenceSummary {
                file: "evidence/plan.json".to_owned(),
                format: "terraform-plan".to_owned(),
                resources: 3,
                types: vec![("aws_bedrockagent_agent".to_owned(), 1), ("aws_s3_bucket".to_owned(), 2)],
            },
            EvidenceSummary {
                file: "evidence/k8s.yaml".to_owned(),
                format: "kubernetes".to_owned(),
                resources: 1,
                types: vec![("apps/v1/Deployment".to_owned(), 1)],
            },
        ],
    }
}

/// A review of `pillars` × `questions` high-risk questions, each with a
/// long finding: more than a comment can hold.
fn big_review(pillars: usize, questions: usize) -> Review {
    let lens = "policies/genai/security.lens";
    let pillars: Vec<PillarReview> = (0..pillars)
        .map(|p| PillarReview {
            id: format!("pillar{p}"),
            name: format!("Pillar {p}"),
            questions: (0..questions)
                .map(|q| {
                    let mut missing =
                        choice(lens, "GENSEC01_encrypt", "Encrypt data at rest", Status::Unselected, true);
                    missing.id = format!("P{p}Q{q}_encrypt");
                    missing.findings = (0..5)
                        .map(|f| finding(&format!("bucket number {f} has no encryption {}", "x".repeat(100)), None))
                        .collect();
                    missing.improvement = link("Enable default encryption", Some("https://example.com/encrypt"));
                    let mut question = question(
                        lens,
                        "GENSEC01",
                        "How do you protect data at rest?",
                        Risk::High,
                        Some("high otherwise"),
                        vec![missing],
                    );
                    question.id = format!("P{p}Q{q}");
                    question
                })
                .collect(),
        })
        .collect();
    Review {
        lens: LensInfo { id: "big".to_owned(), name: "Big".to_owned(), version: None, description: None },
        summary: Summary::of(&pillars),
        pillars,
        expired_waivers: Vec::new(),
        unmatched_waivers: Vec::new(),
        evidence: Vec::new(),
    }
}

fn render_with(format: Format, review: &Review, color: bool) -> String {
    let files = indexed();
    let source = |name: &str| files.get(name).map(|(text, lines)| Source { text, lines });
    let context = Context {
        tool_version: "0.1.0",
        date: "2025-06-01",
        pack_root: "policies/genai",
        color,
        source: &source,
        baseline: None,
    };
    render(format, review, &context)
}

#[test]
fn formats_by_name() {
    for format in Format::ALL {
        assert_eq!(format.as_str().parse::<Format>(), Ok(format));
        assert_eq!(format.to_string(), format.as_str());
    }
    let error = "xml".parse::<Format>().expect_err("no such format");
    assert!(error.to_string().contains("aws-answers"), "{error}");
}

#[test]
fn snapshots() {
    let review = review();
    // Every format is compared (and a `.snap.new` written for each mismatch)
    // before the test fails, naming them all.
    let mismatched: Vec<&str> = Format::ALL
        .into_iter()
        .filter(|format| {
            let output = render_with(*format, &review, false);
            std::panic::catch_unwind(|| insta::assert_snapshot!(format.as_str(), output)).is_err()
        })
        .map(Format::as_str)
        .collect();
    assert!(mismatched.is_empty(), "snapshots differ for {mismatched:?}");
}

#[test]
fn text_color_only_when_asked() {
    let review = review();
    let plain = render_with(Format::Text, &review, false);
    let colored = render_with(Format::Text, &review, true);
    assert!(!plain.contains('\u{1b}'));
    assert!(colored.contains("\u{1b}["));
    // The same text once the escape codes are gone.
    assert_eq!(strip_ansi(&colored), plain);
}

fn strip_ansi(text: &str) -> String {
    let mut out = String::new();
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            for c in chars.by_ref() {
                if c == 'm' {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[test]
fn odd_reviews_render() {
    let validator = sarif_validator();
    // Nothing at all.
    let empty = Review {
        lens: LensInfo::default(),
        pillars: vec![PillarReview { id: "p".to_owned(), name: String::new(), questions: Vec::new() }],
        expired_waivers: Vec::new(),
        unmatched_waivers: Vec::new(),
        evidence: Vec::new(),
        summary: Summary::default(),
    };
    // Locations past the end of their file, or inside a character.
    let mut stale = review();
    let choice = &mut stale.pillars[0].questions[0].choices[0];
    let mut findings = choice.findings.to_vec();
    findings[0].location.as_mut().expect("a location").start = 10_000;
    findings[0].location.as_mut().expect("a location").end = 20_000;
    findings.push(finding("\u{7}odd ]]> text", Some(at("evidence/k8s.yaml", "model", 0))));
    let location = findings[2].location.as_mut().expect("a location");
    (location.file, location.start, location.end) = ("evidence/unicode.txt".to_owned(), 1, 2);
    choice.findings = findings.into();
    for review in [&empty, &stale] {
        for format in Format::ALL {
            let mut files = indexed();
            files.insert("evidence/unicode.txt", ("é\n", LineIndex::new("é\n")));
            let sources = |name: &str| files.get(name).map(|(text, lines)| Source { text, lines });
            let context = Context {
                tool_version: "0.1.0",
                date: "2025-06-01",
                pack_root: ".",
                color: true,
                source: &sources,
                baseline: None,
            };
            let output = render(format, review, &context);
            assert!(!output.is_empty());
            match format {
                Format::Sarif => {
                    assert_valid_sarif(&validator, &output);
                }
                Format::Junit => {
                    roxmltree::Document::parse(&output).expect("well-formed XML");
                }
                Format::Json | Format::AwsAnswers => {
                    serde_json::from_str::<serde_json::Value>(&output).expect("JSON");
                }
                Format::Text | Format::Markdown => {}
            }
        }
    }
}

#[test]
fn without_sources_findings_name_their_file() {
    // No line index at hand: no snippet and no line, but the file is named.
    let review = review();
    let context = Context {
        tool_version: "0.1.0",
        date: "2025-06-01",
        pack_root: "policies/genai",
        color: false,
        source: &|_| None,
        baseline: None,
    };
    let text = render(Format::Text, &review, &context);
    assert!(text.contains("• aws_s3_bucket.logs has no server-side encryption (evidence/plan.json)\n"), "{text}");
    let sarif = render(Format::Sarif, &review, &context);
    assert_valid_sarif(&sarif_validator(), &sarif);
    assert!(!sarif.contains("\"region\""), "{sarif}");
}

#[test]
fn columns_count_characters() {
    // `é` is 2 bytes, `中` 3 and `🦀` 4 (2 UTF-16 units): `x` is the 8th character of line 2.
    const TEXT: &str = "first\nk: é中🦀 x\n";
    let mut review = review();
    let start = TEXT.find('x').unwrap_or_default() as u32;
    let location = Location { file: "evidence/wide.yaml".to_owned(), start, end: start + 1 };
    review.pillars[0].questions[0].choices[0].findings = vec![finding("wide", Some(location))].into();
    let lines = LineIndex::new(TEXT);
    let source = |name: &str| (name == "evidence/wide.yaml").then_some(Source { text: TEXT, lines: &lines });
    let context = Context {
        tool_version: "0.1.0",
        date: "2025-06-01",
        pack_root: "policies/genai",
        color: false,
        source: &source,
        baseline: None,
    };
    let text = render(Format::Text, &review, &context);
    assert!(text.contains("evidence/wide.yaml:2:8"), "{text}");
    let json: serde_json::Value = serde_json::from_str(&render(Format::Json, &review, &context)).expect("JSON");
    let finding = &json["pillars"][0]["questions"][0]["choices"][0]["findings"][0];
    assert_eq!((&finding["line"], &finding["column"]), (&serde_json::json!(2), &serde_json::json!(8)), "{finding}");
    // SARIF declares `unicodeCodePoints`, and counts so: the region ends after `x`.
    let sarif: serde_json::Value = serde_json::from_str(&render(Format::Sarif, &review, &context)).expect("SARIF");
    assert_eq!(sarif["runs"][0]["columnKind"], "unicodeCodePoints");
    let regions: Vec<&serde_json::Value> = sarif["runs"][0]["results"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|result| &result["locations"][0]["physicalLocation"])
        .filter(|place| place["artifactLocation"]["uri"] == "evidence/wide.yaml")
        .map(|place| &place["region"])
        .collect();
    assert_eq!(regions, [&serde_json::json!({"startLine": 2, "startColumn": 8, "endLine": 2, "endColumn": 9})]);
}

/// A validator for the SARIF 2.1.0 schema (`schemas/`, a copy of the one in
/// the project's shared files), with `format`s checked.
fn sarif_validator() -> jsonschema::Validator {
    let text = include_str!("schemas/sarif-schema-2.1.0.json");
    // The schema's pattern for `run.language` has a stray `]`, which ECMA-262
    // (Annex B) reads as a literal but the validator's meta-schema check
    // rejects as a regex; escaping it keeps the meaning. Loupe never writes
    // `run.language`.
    let stray = r#""^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$""#;
    let text = text.replace(stray, r#""^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}\\]?$""#);
    let mut schema: serde_json::Value = serde_json::from_str(&text).expect("the schema is JSON");
    // This copy keeps the log's own constraints in `definitions.Root` and
    // none at its root, where a log validated against the root alone would
    // pass whatever it holds: point the root there.
    if schema.get("properties").is_none() && schema["definitions"].get("Root").is_some() {
        schema["$ref"] = "#/definitions/Root".into();
    }
    let validator = jsonschema::options().should_validate_formats(true).build(&schema).expect("the schema compiles");
    assert!(!validator.is_valid(&serde_json::json!({})), "the schema constrains nothing: revisit the workarounds");
    validator
}

#[test]
fn the_sarif_validator_rejects_invalid_logs() {
    let validator = sarif_validator();
    let sarif = render_with(Format::Sarif, &review(), false);
    let mut log: serde_json::Value = serde_json::from_str(&sarif).expect("JSON");
    log["runs"][0]["tool"]["driver"]["rules"][0]["helpUri"] = "not a uri".into();
    assert!(!validator.is_valid(&log), "a bad URI format");
    let mut log: serde_json::Value = serde_json::from_str(&sarif).expect("JSON");
    log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] = 0.into();
    assert!(!validator.is_valid(&log), "a line number below 1");
    let mut log: serde_json::Value = serde_json::from_str(&sarif).expect("JSON");
    log.as_object_mut().expect("an object").remove("version");
    assert!(!validator.is_valid(&log), "no version");
}

fn assert_valid_sarif(validator: &jsonschema::Validator, sarif: &str) -> serde_json::Value {
    let log: serde_json::Value = serde_json::from_str(sarif).expect("SARIF is JSON");
    let errors: Vec<String> =
        validator.iter_errors(&log).map(|error| format!("{} at {}", error, error.instance_path())).collect();
    assert!(errors.is_empty(), "SARIF does not match the schema:\n{}", errors.join("\n"));
    log
}

#[test]
fn sarif_matches_the_schema_and_code_scanning() {
    let validator = sarif_validator();
    let log = assert_valid_sarif(&validator, &render_with(Format::Sarif, &review(), false));
    assert_valid_sarif(&validator, &render_with(Format::Sarif, &big_review(2, 3), false));

    // What GitHub code scanning needs besides the schema.
    let run = &log["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().expect("rules");
    let results = run["results"].as_array().expect("results");
    assert!(!results.is_empty());
    for rule in rules {
        assert!(rule["helpUri"].as_str().is_some_and(|uri| uri.starts_with("https://")), "{rule}");
        assert!(rule["shortDescription"]["text"].is_string(), "{rule}");
    }
    for result in results {
        let index = result["ruleIndex"].as_u64().expect("ruleIndex") as usize;
        assert_eq!(rules[index]["id"], result["ruleId"], "{result}");
        let location = &result["locations"][0]["physicalLocation"];
        assert!(location["artifactLocation"]["uri"].is_string(), "{result}");
        assert!(location["region"]["startLine"].as_u64().is_some_and(|line| line >= 1), "{result}");
        assert!(result["partialFingerprints"].as_object().is_some_and(|f| !f.is_empty()), "{result}");
    }
    let levels: Vec<&str> = results.iter().filter_map(|result| result["level"].as_str()).collect();
    assert!(levels.contains(&"error") && levels.contains(&"warning") && levels.contains(&"note"), "{levels:?}");
}

#[test]
fn junit_is_well_formed_xml() {
    let xml = render_with(Format::Junit, &review(), false);
    let document = roxmltree::Document::parse(&xml).expect("JUnit output parses as XML");
    let root = document.root_element();
    assert_eq!(root.tag_name().name(), "testsuites");
    let cases: Vec<_> = root.descendants().filter(|node| node.has_tag_name("testcase")).collect();
    assert_eq!(cases.len(), 6);
    assert_eq!(root.attribute("tests"), Some("6"));
    let failures = cases.iter().filter(|case| case.children().any(|child| child.has_tag_name("failure"))).count();
    let skipped = cases.iter().filter(|case| case.children().any(|child| child.has_tag_name("skipped"))).count();
    // GENSEC01 and GENREL03 fail; GENSEC02's medium risk is waived.
    assert_eq!((failures, skipped), (2, 2));
    assert_eq!(root.attribute("failures"), Some("2"));
    assert_eq!(root.attribute("skipped"), Some("2"));
    // Escaped markup reads back as it was written.
    let failure = root
        .descendants()
        .find(|node| node.has_tag_name("failure") && node.text().is_some_and(|text| text.contains("replicas")))
        .expect("GENREL03's failure");
    assert!(failure.text().is_some_and(|text| text.contains("replicas < 2 & no <PodDisruptionBudget>")));
    let names: Vec<&str> = cases.iter().filter_map(|case| case.attribute("name")).collect();
    assert!(names.contains(&"GENSEC02 How do you filter model input & output?"), "{names:?}");
}

/// The JSON report's shape, as `docs/report.md` documents it: every field,
/// and no other.
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct JsonReport {
    format_version: u32,
    tool: JsonTool,
    date: String,
    pack: String,
    lens: JsonLens,
    pillars: Vec<JsonPillar>,
    expired_waivers: Vec<JsonWaiver>,
    unmatched_waivers: Vec<JsonWaiver>,
    evidence: Vec<JsonEvidence>,
    baseline: Option<JsonBaseline>,
    summary: JsonSummary,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct JsonBaseline {
    new: Vec<String>,
    worse: Vec<String>,
    unchanged: usize,
    fixed: usize,
    no_longer_seen: usize,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct JsonEvidence {
    file: String,
    format: String,
    resources: usize,
    types: std::collections::BTreeMap<String, usize>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct JsonTool {
    name: String,
    version: String,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct JsonLens {
    id: String,
    name: String,
    version: Option<String>,
    description: Option<String>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct JsonPillar {
    id: String,
    name: String,
    questions: Vec<JsonQuestion>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct JsonQuestion {
    id: String,
    title: String,
    description: Option<String>,
    helpful_url: Option<String>,
    risk: String,
    residual_risk: String,
    rule: Option<String>,
    waived: bool,
    waiver: Option<JsonWaiver>,
    expired_waivers: Vec<JsonWaiver>,
    not_applicable_reason: Option<String>,
    location: JsonPlace,
    choices: Vec<JsonChoice>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct JsonChoice {
    id: String,
    title: String,
    is_none: bool,
    status: String,
    automated: bool,
    not_applicable_reason: Option<String>,
    looked_for: Option<Vec<String>>,
    waiver: Option<JsonWaiver>,
    attestation: Option<JsonAttestation>,
    improvement: Option<JsonLink>,
    helpful: Option<JsonLink>,
    location: JsonPlace,
    findings: Vec<JsonFinding>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct JsonAttestation {
    note: Option<String>,
    by: Option<String>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct JsonLink {
    text: String,
    url: Option<String>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct JsonFinding {
    message: String,
    file: Option<String>,
    line: Option<u32>,
    column: Option<u32>,
    resource: Option<String>,
    fingerprint: String,
    waiver: Option<JsonWaiver>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct JsonPlace {
    file: String,
    line: u32,
    column: u32,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct JsonWaiver {
    question: String,
    choice: Option<String>,
    resource: Option<String>,
    file: Option<String>,
    reason: String,
    owner: String,
    expires: String,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct JsonSummary {
    questions: usize,
    high: usize,
    medium: usize,
    none: usize,
    unanswered: usize,
    not_applicable: usize,
    waived: usize,
    expired_waivers: usize,
    choices: usize,
    selected: usize,
    unselected: usize,
    not_applicable_practices: usize,
    unknown: usize,
    automated: usize,
    applicable: usize,
}

#[test]
fn json_round_trips() {
    let review = review();
    let json = render_with(Format::Json, &review, false);
    let report: JsonReport = serde_json::from_str(&json).expect("the JSON report has the documented shape");
    // Writing the typed report back gives the same document.
    let reparsed: serde_json::Value = serde_json::from_str(&json).expect("JSON");
    assert_eq!(serde_json::to_value(&report).expect("serializes"), reparsed);
    assert_eq!(serde_json::to_string_pretty(&report).expect("serializes") + "\n", json);

    assert_eq!(report.summary.questions, 6);
    assert_eq!(report.pillars.len(), 2);
    let findings = &report.pillars[0].questions[1].choices[0].findings;
    assert!(findings[0].file.is_none() && findings[0].line.is_none() && findings[0].column.is_none());
    assert_eq!(findings[1].file.as_deref(), Some("evidence/plan.json"));
}

#[test]
fn aws_answers_fit_the_api() {
    let answers: serde_json::Value =
        serde_json::from_str(&render_with(Format::AwsAnswers, &big_review(1, 2), false)).expect("JSON");
    for answer in answers.as_array().expect("an array") {
        let notes = answer["Notes"].as_str().expect("notes");
        assert!(notes.chars().count() <= 2084, "{} characters", notes.chars().count());
        for update in answer["ChoiceUpdates"].as_object().into_iter().flat_map(|updates| updates.values()) {
            assert!(update["Notes"].as_str().is_some_and(|notes| notes.chars().count() <= 250), "{update}");
        }
    }
    // Unanswered questions are left out.
    let answers: serde_json::Value =
        serde_json::from_str(&render_with(Format::AwsAnswers, &review(), false)).expect("JSON");
    let ids: Vec<&str> =
        answers.as_array().expect("an array").iter().filter_map(|a| a["QuestionId"].as_str()).collect();
    assert_eq!(ids, ["GENSEC01", "GENSEC02", "GENSEC03", "GENREL02", "GENREL03"]);
}

#[test]
fn markdown_truncates_to_a_comment() {
    let small = render_with(Format::Markdown, &review(), false);
    assert!(!small.contains("Truncated"));

    let big = render_with(Format::Markdown, &big_review(10, 20), false);
    assert!(big.len() <= MARKDOWN_LIMIT, "{} bytes", big.len());
    assert!(big.contains("Truncated to fit a comment"), "{}", &big[big.len().saturating_sub(300)..]);
    assert!(big.contains("P0Q0"), "keeps the first sections");
    // Every <details> that opens also closes.
    assert_eq!(big.matches("<details>").count(), big.matches("</details>").count());

    // Even the tables alone are too long.
    let huge = render_with(Format::Markdown, &big_review(10, 400), false);
    assert!(huge.len() <= MARKDOWN_LIMIT, "{} bytes", huge.len());
    assert!(huge.contains("part of the tables left out"));
}

/// The Well-Architected Tool's UpdateAnswer input: these keys, these enums.
fn assert_valid_update_answer(answer: &serde_json::Value, choice_ids: &[&str]) {
    const KEYS: [&str; 7] =
        ["LensAlias", "QuestionId", "SelectedChoices", "ChoiceUpdates", "Notes", "IsApplicable", "Reason"];
    const REASONS: [&str; 5] = ["OUT_OF_SCOPE", "BUSINESS_PRIORITIES", "ARCHITECTURE_CONSTRAINTS", "OTHER", "NONE"];
    let object = answer.as_object().expect("an object");
    assert!(object.keys().all(|key| KEYS.contains(&key.as_str())), "{answer}");
    assert!(object["Notes"].as_str().is_some_and(|notes| notes.chars().count() <= 2084), "{answer}");
    assert!(object["IsApplicable"].is_boolean(), "{answer}");
    if let Some(reason) = object.get("Reason") {
        assert!(REASONS.contains(&reason.as_str().unwrap_or_default()), "{answer}");
    }
    for id in object["SelectedChoices"].as_array().expect("a list") {
        assert!(choice_ids.contains(&id.as_str().unwrap_or_default()), "{id} is not a choice: {answer}");
    }
    for (id, update) in object.get("ChoiceUpdates").and_then(|u| u.as_object()).into_iter().flatten() {
        assert!(choice_ids.contains(&id.as_str()), "{id} is not a choice: {answer}");
        let status = update["Status"].as_str().unwrap_or_default();
        assert!(["SELECTED", "NOT_APPLICABLE", "UNSELECTED"].contains(&status), "{update}");
        if let Some(reason) = update.get("Reason") {
            assert!(REASONS.contains(&reason.as_str().unwrap_or_default()), "{update}");
        }
        assert!(update["Notes"].as_str().is_some_and(|notes| notes.chars().count() <= 250), "{update}");
    }
}

#[test]
fn aws_answers_are_faithful() {
    let mut review = review();
    // GENSEC03: every practice decided and none in place.
    let gensec03 = &mut review.pillars[0].questions[2];
    assert_eq!(gensec03.id, "GENSEC03");
    for choice in gensec03.choices.iter_mut().filter(|choice| choice.status == Status::Selected) {
        choice.status = Status::Unselected;
    }
    if !gensec03.choices.iter().any(|choice| choice.is_none) {
        let mut none = gensec03.choices[0].clone();
        (none.id, none.title, none.is_none, none.status) =
            ("GENSEC03_no".to_owned(), "None of these".to_owned(), true, Status::Unselected);
        (none.automated, none.findings, none.not_applicable) = (false, Arc::from([]), None);
        gensec03.choices.push(none);
    }
    let answers: serde_json::Value =
        serde_json::from_str(&render_with(Format::AwsAnswers, &review, false)).expect("JSON");
    for answer in answers.as_array().expect("an array") {
        let question = review
            .pillars
            .iter()
            .flat_map(|pillar| &pillar.questions)
            .find(|question| answer["QuestionId"] == question.id.as_str())
            .expect("a question of the review");
        let ids: Vec<&str> = question.choices.iter().map(|choice| choice.id.as_str()).collect();
        assert_valid_update_answer(answer, &ids);
        match question.id.as_str() {
            // The tool sees "None of these" and computes the same high risk.
            "GENSEC03" => {
                assert_eq!(answer["SelectedChoices"], serde_json::json!(["GENSEC03_no"]), "{answer}");
                assert_eq!(answer["ChoiceUpdates"]["GENSEC03_no"]["Status"], "SELECTED", "{answer}");
            }
            // Not applicable: its reason, and no choice updates.
            "GENREL02" => {
                assert_eq!(answer["IsApplicable"], false);
                assert_eq!(answer["Reason"], "OUT_OF_SCOPE");
                assert!(answer.get("ChoiceUpdates").is_none() && answer["SelectedChoices"] == serde_json::json!([]));
                assert!(answer["Notes"].as_str().is_some_and(|notes| notes.contains("No model customization")));
            }
            // Something is in place: "None of these" is not selected.
            _ => assert!(
                !answer["SelectedChoices"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .any(|id| id.as_str().is_some_and(|id| id.ends_with("_no")
                        && question.choices.iter().any(|c| !c.is_none && c.status == Status::Selected))),
                "{answer}"
            ),
        }
    }
}
