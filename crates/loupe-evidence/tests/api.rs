//! The public API: limits and their errors, overrides, lookups by type and name, locations.

use loupe_evidence::{
    ErrorKind, EvidenceError, Format, Limits, LineCol, LoadOptions, Node, Span, Syntax, Value, load, load_str,
    parse_json,
};

const CLOUDFORMATION_YAML: &str = include_str!("fixtures/load/cloudformation.yaml");
const TERRAFORM_PLAN: &str = include_str!("fixtures/load/terraform-plan.json");
const KUBERNETES: &str = include_str!("fixtures/load/kubernetes.yaml");
const SHORT_FORM_TAGS: &str = include_str!("fixtures/load/short-form-tags.yaml");
const QUOTED_AT_KEY_INDENTATION: &str = include_str!("fixtures/load/quoted-at-key-indentation.yaml");
const FLOW_AT_KEY_INDENTATION: &str = include_str!("fixtures/load/flow-at-key-indentation.yaml");

fn options() -> LoadOptions {
    LoadOptions::default()
}

fn error(name: &str, bytes: &[u8], options: &LoadOptions) -> EvidenceError {
    match load(name, bytes, options) {
        Ok(evidence) => panic!("{name} loaded with {} documents", evidence.documents.len()),
        Err(error) => error,
    }
}

#[test]
fn file_size_limit() {
    let small = LoadOptions { limits: Limits { max_file_size: 10, ..Limits::default() }, ..options() };
    let refused = error("big.json", b"[1, 2, 3, 4, 5]", &small);
    assert_eq!(refused.kind, ErrorKind::TooLarge);
    assert_eq!(refused.to_string(), "big.json is 15 bytes, more than the limit of 10 bytes");
    assert_eq!((refused.span, refused.position), (Span::empty(0), LineCol::START));
    let refused = load_str("big.yaml", "a: [1, 2, 3, 4]", &small).err().map(|e| (e.kind, e.span, e.position));
    assert_eq!(refused, Some((ErrorKind::TooLarge, Span::empty(0), LineCol::START)));
    assert!(load("ok.json", b"[1, 2, 3]", &small).is_ok());
}

#[test]
fn a_million_nested_brackets_are_refused_in_json_and_yaml() {
    let deep = "[".repeat(1_000_000);
    for name in ["deep.json", "deep.yaml", "deep"] {
        let refused = error(name, deep.as_bytes(), &options());
        assert_eq!(refused.kind, ErrorKind::TooDeep, "{name}: {refused}");
        assert_eq!(refused.position.line, 1);
    }
    let yaml_only = LoadOptions { syntax: Some(Syntax::Yaml), ..options() };
    assert_eq!(error("deep", deep.as_bytes(), &yaml_only).kind, ErrorKind::TooDeep);
    let objects = "{\"a\":".repeat(1_000_000);
    assert_eq!(error("deep.json", objects.as_bytes(), &options()).kind, ErrorKind::TooDeep);
    let block = "- ".repeat(1_000_000);
    assert_eq!(error("deep.yaml", block.as_bytes(), &options()).kind, ErrorKind::TooDeep);
}

/// A JSON string inside evidence is read by the same reader, within the same limits.
#[test]
fn json_text_is_read_within_the_limits() {
    let limits = Limits::default();
    let node = parse_json(r#" {"Statement": [{"Effect": "Allow"}]} "#, &limits);
    let effect = node.as_ref().ok().and_then(|n| n.get_path(&["Statement"])).and_then(|s| s.item(0));
    assert_eq!(effect.and_then(|e| e.get("Effect")).and_then(Node::as_str), Some("Allow"));
    let kind = |text: &str, limits: &Limits| parse_json(text, limits).err().map(|e| e.kind);
    assert_eq!(kind(&"[".repeat(1_000_000), &limits), Some(ErrorKind::TooDeep));
    assert_eq!(kind(r#"{"a": 1, "a": 2}"#, &limits), Some(ErrorKind::DuplicateKey));
    assert_eq!(kind("{", &limits), Some(ErrorKind::Syntax));
    assert_eq!(kind("[1]", &Limits { max_file_size: 2, ..limits }), Some(ErrorKind::TooLarge));
}

#[test]
fn depth_limit_is_configurable() {
    let shallow = LoadOptions { limits: Limits { max_depth: 2, ..Limits::default() }, ..options() };
    assert!(load("a.json", b"[[1]]", &shallow).is_ok());
    let refused = error("a.json", b"[[[1]]]", &shallow);
    assert_eq!((refused.kind, refused.span.start), (ErrorKind::TooDeep, 2));
    assert!(load("a.yaml", b"a:\n  b: 1\n", &shallow).is_ok());
    assert_eq!(error("a.yaml", b"a:\n  b:\n    c: 1\n", &shallow).kind, ErrorKind::TooDeep);
}

#[test]
fn billion_laughs_is_refused() {
    let mut bomb = String::from("lol0: &lol0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for level in 1..20 {
        let aliases = vec![format!("*lol{}", level - 1); 10].join(", ");
        bomb.push_str(&format!("lol{level}: &lol{level} [{aliases}]\n"));
    }
    let refused = error("bomb.yaml", bomb.as_bytes(), &options());
    assert_eq!(refused.kind, ErrorKind::AliasBudget);
    assert!(refused.message.contains("alias bomb"), "{refused}");
    assert!(refused.position.line > 1);
}

#[test]
fn non_utf8_is_located_at_the_first_bad_byte() {
    let refused = error("x.yaml", b"a: 1\nb: \x80\x80\n", &options());
    assert_eq!(refused.kind, ErrorKind::NotUtf8);
    assert_eq!(refused.span.range(), 8..9);
    assert_eq!(refused.position, LineCol { line: 2, column: 4 });
    // Truncated multi-byte sequence at the end.
    let truncated = error("x.json", b"[\"\xE2\x82", &options());
    assert_eq!(truncated.span.range(), 2..4);
}

#[test]
fn empty_inputs_are_refused_at_the_start() {
    let empty = [&b""[..], b"   \n\t\r\n", b"\xEF\xBB\xBF", b"\xEF\xBB\xBF  \n"];
    let comments = [&b"# comment\n"[..], b"\n# a\n\n# b", b"\xEF\xBB\xBF# c"];
    for (input, name) in empty.iter().flat_map(|input| ["e.yaml", "e.json", "<stdin>"].map(|name| (input, name))) {
        let refused = error(name, input, &options());
        assert_eq!((refused.kind, refused.span, refused.position), (ErrorKind::Empty, Span::empty(0), LineCol::START));
    }
    for (input, name) in comments.iter().flat_map(|input| ["e.yaml", "<stdin>"].map(|name| (input, name))) {
        let refused = error(name, input, &options());
        assert_eq!((refused.kind, refused.span, refused.position), (ErrorKind::Empty, Span::empty(0), LineCol::START));
    }
    // JSON has no comments: a `.json` file of comments is malformed, not empty.
    assert_eq!(error("e.json", b"# comment\n", &options()).kind, ErrorKind::Syntax);
    assert_eq!(error("e.yaml", b"", &options()).to_string(), "e.yaml is empty");
}

#[test]
fn standard_input_is_detected_from_content() {
    let read = |bytes: &[u8]| load("<stdin>", bytes, &options()).map(|evidence| (evidence.syntax, evidence.format()));
    assert_eq!(read(TERRAFORM_PLAN.as_bytes()), Ok((Syntax::Json, Format::TerraformPlan)));
    assert_eq!(read(CLOUDFORMATION_YAML.as_bytes()), Ok((Syntax::Yaml, Format::CloudFormation)));
    assert_eq!(read(KUBERNETES.as_bytes()), Ok((Syntax::Yaml, Format::Kubernetes)));
    // Flow-style YAML that looks like JSON falls back to YAML, as for any name but `*.json`.
    assert_eq!(read(b"{apiVersion: v1, kind: ConfigMap}"), Ok((Syntax::Yaml, Format::Kubernetes)));
    assert_eq!(read(b"\xEF\xBB\xBF[1, 2]").map(|(syntax, _)| syntax), Ok(Syntax::Json));
    // Neither JSON nor YAML: the JSON error is reported.
    let refused = error("<stdin>", b"{\"a\": [1, 2}", &options());
    assert_eq!((refused.kind, refused.position.line), (ErrorKind::Syntax, 1));
    assert!(!refused.message.contains("YAML"), "{refused}");
}

/// Every node of every document, with the text its span covers in `text`.
fn spans<'t>(text: &'t str, node: &Node, out: &mut Vec<(String, &'t str)>) {
    let covered = text.get(node.span.range()).unwrap_or("<out of range>");
    out.push((node.to_json(), covered));
    match &node.value {
        Value::List(items) => items.iter().for_each(|item| spans(text, item, out)),
        Value::Object(object) => object.iter().for_each(|entry| spans(text, &entry.value, out)),
        _ => {}
    }
}

#[test]
fn relaxed_indentation_keeps_exact_spans() {
    let evidence = load_str("t.yaml", FLOW_AT_KEY_INDENTATION, &options()).unwrap_or_else(|e| panic!("{e}"));
    let mut covered = Vec::new();
    spans(FLOW_AT_KEY_INDENTATION, &evidence.documents[0].root, &mut covered);
    let find = |json: &str| covered.iter().find(|(node, _)| node == json).map(|(_, text)| *text);
    assert_eq!(find(r#""arn:aws:iam::aws:policy/B""#), Some(r#""arn:aws:iam::aws:policy/B""#));
    assert_eq!(
        find(r#"["arn:aws:iam::aws:policy/A","arn:aws:iam::aws:policy/B"]"#),
        Some("[\n        \"arn:aws:iam::aws:policy/A\",\n        \"arn:aws:iam::aws:policy/B\"\n      ]")
    );
    assert_eq!(find(r#"{"Ref":"Env"}"#), Some("!Ref Env"));
    assert_eq!(find(r#""alerts""#), Some("alerts"));
    let env = evidence.resources_named("Role").next().and_then(|role| role.properties?.get_path(&["Tags"])?.item(1));
    assert_eq!(env.map(|env| evidence.position(env.span)), Some(LineCol { line: 12, column: 7 }));

    let evidence = load_str("t.yaml", QUOTED_AT_KEY_INDENTATION, &options()).unwrap_or_else(|e| panic!("{e}"));
    let mut covered = Vec::new();
    spans(QUOTED_AT_KEY_INDENTATION, &evidence.documents[0].root, &mut covered);
    let find = |json: &str| covered.iter().find(|(node, _)| node == json).map(|(_, text)| *text);
    assert_eq!(
        find(r#""first line continued at the key's indentation""#),
        Some("\"first line\n      continued at the key's indentation\"")
    );
    assert_eq!(find(r#""index.handler""#), Some("index.handler"));
    assert_eq!(find(r#""anthropic.claude-3-haiku-20240307-v1:0""#), Some("anthropic.claude-3-haiku-20240307-v1:0"));
    let positions: Vec<String> = evidence.warnings.iter().map(|w| evidence.position(w.span).to_string()).collect();
    assert_eq!(positions, ["4:14", "10:20", "17:20", "21:25"]);
}

#[test]
fn relaxed_indentation_keeps_refusing_what_libyaml_refuses() {
    // A document marker inside a quoted scalar or flow collection.
    for text in ["a: \"x\n---\ny\"\n", "a: [x,\n---\n]\n", "a: [x,\n...\n]\n"] {
        assert_eq!(error("m.yaml", text.as_bytes(), &options()).kind, ErrorKind::Syntax, "{text:?}");
    }
    // An error after the relaxed lines is the one reported.
    let refused = error("e.yaml", b"a:\n  b: \"x\n  y\"\n  c: [1, 2\n  d: 3\n", &options());
    assert!(refused.position.line >= 4, "{refused}");
    // A key indented less than its mapping is still an error.
    assert_eq!(error("i.yaml", b"a:\n  b: 1\n c: 2\n", &options()).kind, ErrorKind::Syntax);
}

#[test]
fn malformed_json_and_yaml_are_located() {
    let json = error("bad.json", b"{\n  \"a\": [1, 2,, 3]\n}", &options());
    assert_eq!((json.kind, json.position), (ErrorKind::Syntax, LineCol { line: 2, column: 14 }));
    let yaml = error("bad.yaml", b"a:\n  - 1\n - 2\n", &options());
    assert_eq!(yaml.kind, ErrorKind::Syntax);
    assert_eq!(yaml.position.line, 3);
}

#[test]
fn flow_yaml_that_looks_like_json_falls_back_to_yaml() {
    let evidence = load("config", b"{apiVersion: v1, kind: ConfigMap, metadata: {name: x}}", &options());
    let evidence = evidence.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!((evidence.syntax, evidence.format()), (Syntax::Yaml, Format::Kubernetes));
    // A `.json` name is strict.
    assert_eq!(error("config.json", b"{a: 1}", &options()).kind, ErrorKind::Syntax);
}

#[test]
fn overrides() {
    let as_generic = LoadOptions { format: Some(Format::Generic), ..options() };
    let evidence = load_str("t.yaml", CLOUDFORMATION_YAML, &as_generic).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!((evidence.format(), evidence.resource_count()), (Format::Generic, 0));
    let as_yaml = LoadOptions { syntax: Some(Syntax::Yaml), ..options() };
    let evidence = load_str("plan.json", TERRAFORM_PLAN, &as_yaml).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        (evidence.syntax, evidence.format(), evidence.resource_count()),
        (Syntax::Yaml, Format::TerraformPlan, 6)
    );
}

#[test]
fn byte_order_mark_is_skipped() {
    let evidence = load("bom.json", b"\xEF\xBB\xBF{\"a\": 1}", &options()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(evidence.documents[0].root.span.range(), 3..11);
    let evidence = load("bom.yaml", b"\xEF\xBB\xBFa: 1\n", &options()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(evidence.documents[0].root.to_json(), r#"{"a":1}"#);
}

#[test]
fn resources_of_several_kinds_and_by_prefix() {
    let evidence = load_str("t.yaml", CLOUDFORMATION_YAML, &options()).unwrap_or_else(|e| panic!("{e}"));
    let names = |kinds: &[&str]| evidence.resources_of(kinds).map(|r| r.name).collect::<Vec<_>>();
    assert_eq!(names(&["AWS::IAM::Role", "AWS::S3::Bucket", "aws_s3_bucket"]), ["DocsBucket", "AgentRole"]);
    assert_eq!(names(&["AWS::Bedrock::*"]), ["Guardrail", "Agent"]);
    assert_eq!(names(&["AWS::Bedrock::*", "AWS::Bedrock::Agent"]), ["Guardrail", "Agent"]);
    assert_eq!(names(&["*"]).len(), evidence.resource_count());
    assert!(names(&["AWS::Lambda::Function"]).is_empty());

    let agent = evidence.resources_named("Agent").next().unwrap_or_else(|| panic!("no Agent"));
    assert_eq!(agent.node.get("Condition").and_then(Node::as_str), Some("IsProd"));
    let role = agent.properties.and_then(|p| p.get_path(&["AgentResourceRoleArn", "Fn::GetAtt"]));
    assert_eq!(role.map(Node::to_json).as_deref(), Some(r#"["AgentRole","Arn"]"#));
    let guardrail =
        agent.properties.and_then(|p| p.get_path(&["GuardrailConfiguration", "GuardrailVersion", "Fn::GetAtt"]));
    let located: Vec<(String, LineCol)> = guardrail
        .and_then(Node::as_list)
        .unwrap_or_default()
        .iter()
        .map(|part| (part.to_json(), evidence.position(part.span)))
        .collect();
    assert_eq!(
        located,
        [
            ("\"Guardrail\"".to_owned(), LineCol { line: 73, column: 35 }),
            ("\"Version\"".to_owned(), LineCol { line: 73, column: 45 })
        ]
    );
}

#[test]
fn cloudformation_long_forms_outside_resources() {
    let evidence = load_str("t.yaml", CLOUDFORMATION_YAML, &options()).unwrap_or_else(|e| panic!("{e}"));
    let root = &evidence.documents[0].root;
    let value = |path: &[&str]| root.get_path(path).map(Node::to_json).unwrap_or_default();
    assert_eq!(value(&["Conditions", "IsProd"]), r#"{"Fn::Equals":[{"Ref":"Environment"},"prod"]}"#);
    assert_eq!(value(&["Outputs", "Bucket", "Value"]), r#"{"Fn::FindInMap":["Buckets",{"Ref":"Environment"},"Name"]}"#);
    assert_eq!(
        value(&["Outputs", "Check", "Value"]),
        r#"{"Fn::If":["IsProd",{"Fn::And":[{"Condition":"IsProd"},{"Fn::Not":[{"Fn::Equals":["a","b"]}]}]},{"Fn::Or":[{"Fn::Equals":[1,2]},{"Fn::Equals":["x",{"Fn::Split":[",","x,y"]}]}]}]}"#
    );
    assert_eq!(
        value(&["Outputs", "AgentId", "Export", "Name"]),
        r#"{"Fn::Join":[":",[{"Ref":"AWS::StackName"},"AgentId"]]}"#
    );
}

#[test]
fn short_form_tags_in_rules_and_resources() {
    let evidence = load_str("t.yaml", SHORT_FORM_TAGS, &options()).unwrap_or_else(|e| panic!("{e}"));
    let root = &evidence.documents[0].root;
    let assertions = root.get_path(&["Rules", "AtLeastOneUser", "Assertions"]).and_then(Node::as_list);
    let asserts: Vec<String> =
        assertions.unwrap_or_default().iter().filter_map(|a| a.get("Assert")).map(Node::to_json).collect();
    assert_eq!(
        asserts,
        [
            r#"{"Fn::Not":[{"Fn::Contains":[{"Ref":"Users"},""]}]}"#,
            r#"{"Fn::EachMemberEquals":[{"Fn::ValueOfAll":["AWS::EC2::Subnet::Id","Tags"]},"prod"]}"#
        ]
    );
    let warned: Vec<&str> = evidence.warnings.iter().map(|w| &SHORT_FORM_TAGS[w.span.range()]).collect();
    assert_eq!(
        warned,
        [
            "!Rain::Embed handler.py",
            "!BadFunc x",
            "!custom index.handler",
            "!BadList [a, b]",
            "!lower {Variables: {A: \"1\"}}"
        ]
    );
}

#[test]
fn terraform_addresses_modules_and_data_sources() {
    let evidence = load_str("plan.json", TERRAFORM_PLAN, &options()).unwrap_or_else(|e| panic!("{e}"));
    let bucket = evidence.resources_named("aws_s3_bucket.artifacts").next();
    let tags = bucket.and_then(|b| b.properties).and_then(|p| p.get_path(&["tags", "team"])).and_then(Node::as_str);
    assert_eq!(tags, Some("ml-platform"));
    let nested: Vec<&str> = evidence.resources_of(&["aws_cloudwatch_log_group"]).map(|r| r.name).collect();
    assert_eq!(nested, ["module.guardrails.module.logging.aws_cloudwatch_log_group.invocations"]);
    assert_eq!(evidence.resources_of(&["aws_iam_policy_document"]).count(), 0);
    assert_eq!(evidence.resources_of(&["data.aws_iam_policy_document"]).count(), 1);
    // Being deleted: not part of the planned infrastructure.
    assert_eq!(evidence.resources_of(&["aws_sagemaker_endpoint"]).count(), 0);
}

#[test]
fn kubernetes_documents_and_lists() {
    let evidence = load_str("k8s.yaml", KUBERNETES, &options()).unwrap_or_else(|e| panic!("{e}"));
    let deployment = evidence.resources_of(&["Deployment"]).next().unwrap_or_else(|| panic!("no Deployment"));
    assert_eq!((deployment.name, deployment.document), ("inference/summarizer", 1));
    let labels = deployment.properties.and_then(|p| p.get_path(&["spec", "template", "metadata", "labels", "tier"]));
    assert_eq!(labels.and_then(Node::as_str), Some("model"));
    let policy = evidence.resources_named("inference/default-deny").next().map(|r| (r.kind, r.document));
    assert_eq!(policy, Some(("NetworkPolicy", 3)));
    assert_eq!(evidence.position(deployment.span), LineCol { line: 9, column: 1 });
}

#[test]
fn duplicate_keys_can_be_allowed() {
    let lenient = LoadOptions { limits: Limits { allow_duplicate_keys: true, ..Limits::default() }, ..options() };
    let evidence = load("d.yaml", b"a: 1\na: 2\n", &lenient).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(evidence.documents[0].root.get("a").and_then(Node::as_f64), Some(2.0));
    let refused = error("d.yaml", b"a: 1\na: 2\n", &options());
    assert_eq!(refused.related.map(|r| r.position), Some(LineCol { line: 1, column: 1 }));
}

#[test]
fn any_bytes_load_or_fail_without_panicking() {
    // A cheap deterministic fuzz: prefixes and byte flips of the fixtures.
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let fixtures =
        [CLOUDFORMATION_YAML, TERRAFORM_PLAN, KUBERNETES, QUOTED_AT_KEY_INDENTATION, FLOW_AT_KEY_INDENTATION];
    for fixture in fixtures {
        let bytes = fixture.as_bytes();
        for _ in 0..150 {
            let mut mutated = bytes[..(next() as usize % bytes.len())].to_vec();
            for _ in 0..3 {
                if !mutated.is_empty() {
                    let at = next() as usize % mutated.len();
                    mutated[at] = b"{}[]:,-&*!'\"\n #|>"[next() as usize % 17];
                }
            }
            for name in ["f.json", "f.yaml"] {
                match load(name, &mutated, &options()) {
                    Ok(evidence) => {
                        let _ = evidence.resources().count();
                        // Every span, relaxed reading or not, is a range of the input.
                        let text = String::from_utf8_lossy(&mutated);
                        let mut covered = Vec::new();
                        evidence.documents.iter().for_each(|document| spans(&text, &document.root, &mut covered));
                        assert!(covered.iter().all(|(_, text)| *text != "<out of range>"), "{text:?}");
                        assert!(evidence.warnings.iter().all(|w| text.get(w.span.range()).is_some()), "{text:?}");
                    }
                    Err(error) => assert!(error.span.end as usize <= mutated.len(), "{error}"),
                }
            }
        }
    }
}

#[test]
fn reloading_gives_an_equal_evidence() {
    let first = load_str("k8s.yaml", KUBERNETES, &options()).unwrap_or_else(|e| panic!("{e}"));
    let second = load_str("k8s.yaml", KUBERNETES, &options()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(first, second);
    let nan = load_str("n.yaml", "[.nan, .inf]", &options()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(nan.documents, load_str("n.yaml", "[.nan, .inf]", &options()).map(|e| e.documents).unwrap_or_default());
    let edited = load_str("k8s.yaml", &KUBERNETES.replace("replicas: 2", "replicas: 3"), &options());
    assert_ne!(Some(first), edited.ok());
}
