//! Parser tests: data-driven tree dumps for `tests/cases/parse/*.lens`, and
//! inputs that must end in an error rather than a crash.

use std::fmt::Write;

use loupe_syntax::*;

/// A compact, indented dump of the tree, one node per line, then the errors.
fn dump(text: &str) -> String {
    let parse = parse(text);
    let mut out = String::new();
    for item in &parse.file.items {
        item_dump(&mut out, item, text);
    }
    for comment in &parse.file.comments {
        let span = comment.span;
        let _ = writeln!(out, "comment {:?} @{}..{}: {:?}", comment.kind, span.start, span.end, comment.text);
    }
    for error in &parse.errors {
        let span = error.primary.span;
        let _ = writeln!(out, "error {} @{}..{}: {}", error.code.as_str(), span.start, span.end, error.message);
    }
    out
}

fn name(name: &Option<Name>) -> String {
    name.as_ref().map_or("<missing>".to_string(), |n| n.text.clone())
}

fn text(text: &Option<Text>) -> String {
    text.as_ref().map_or("<missing>".to_string(), |t| format!("{:?}", t.value))
}

fn line(out: &mut String, depth: usize, text: &str) {
    let _ = writeln!(out, "{:width$}{text}", "", width = depth * 2);
}

fn doc(out: &mut String, depth: usize, doc: &Option<String>) {
    if let Some(doc) = doc {
        line(out, depth, &format!("doc {doc:?}"));
    }
}

fn links(out: &mut String, depth: usize, key: &str, links: &[Link]) {
    for link in links {
        let url = link.url.as_ref().map_or(String::new(), |url| format!(" {:?}", url.value));
        line(out, depth, &format!("{key} {:?}{url}", link.text.value));
    }
}

fn item_dump(out: &mut String, item: &Item, source: &str) {
    match item {
        Item::Lens(lens) => {
            let description = text(&lens.description);
            line(
                out,
                0,
                &format!(
                    "lens {} {} version={} description={description}",
                    name(&lens.id),
                    text(&lens.name),
                    text(&lens.version)
                ),
            );
            doc(out, 1, &lens.doc);
        }
        Item::Pillar(pillar) => {
            line(out, 0, &format!("pillar {} {}", name(&pillar.id), text(&pillar.name)));
            doc(out, 1, &pillar.doc);
            for question in &pillar.questions {
                line(out, 1, &format!("question {} {}", name(&question.id), text(&question.title)));
                doc(out, 2, &question.doc);
                let phases: Vec<&str> = question.phases.iter().map(|p| p.text.as_str()).collect();
                if !phases.is_empty() {
                    line(out, 2, &format!("phase {}", phases.join(", ")));
                }
                links(out, 2, "helpful", &question.helpful);
                for choice in &question.choices {
                    let kind = if choice.is_none { "none" } else { "choice" };
                    line(out, 2, &format!("{kind} {} {}", name(&choice.id), text(&choice.title)));
                    doc(out, 3, &choice.doc);
                    if let Some(description) = &choice.description {
                        line(out, 3, &format!("description {:?}", description.value));
                    }
                    links(out, 3, "helpful", &choice.helpful);
                    links(out, 3, "improve", &choice.improve);
                    if let Some(check) = &choice.check {
                        line(out, 3, "check");
                        compiled_body(out, 4, source, check.body);
                    }
                }
                for rule in question.risk.iter().flat_map(|risk| &risk.rules) {
                    let condition = rule.condition.as_ref().map_or("otherwise".to_string(), expr);
                    line(out, 2, &format!("risk {} {condition}", rule.level.as_str()));
                }
            }
        }
        Item::Predicate(predicate) => {
            let params: Vec<&str> = predicate.params.iter().map(|p| p.text.as_str()).collect();
            line(out, 0, &format!("predicate {}({})", name(&predicate.name), params.join(", ")));
            doc(out, 1, &predicate.doc);
            compiled_body(out, 1, source, predicate.body);
        }
        Item::Test(test) => {
            line(out, 0, &format!("test {}", text(&test.name)));
            for evidence in &test.evidence {
                line(out, 1, &format!("evidence {:?}", evidence.value));
            }
            for expectation in &test.expectations {
                let target = match &expectation.choice {
                    Some(choice) => format!("{}.{}", expectation.question.text, choice.text),
                    None => expectation.question.text.clone(),
                };
                line(out, 1, &format!("expect {target} {:?}", expectation.expected));
            }
        }
    }
}

/// A check's or predicate's body, compiled on its own from its text as the
/// database does, with its errors in file positions.
fn compiled_body(out: &mut String, depth: usize, source: &str, body: Span) {
    let (block_tree, errors) = parse_block(&source[body.range()]);
    block(out, depth, &block_tree);
    for error in errors {
        let span = error.primary.span.moved(body.start);
        line(out, depth, &format!("error {} @{}..{}: {}", error.code.as_str(), span.start, span.end, error.message));
    }
}

fn block(out: &mut String, depth: usize, body: &Block) {
    for statement in &body.statements {
        match statement {
            Statement::Applies { condition, .. } => line(out, depth, &format!("applies {}", expr(condition))),
            Statement::Let { name, value, .. } => line(out, depth, &format!("let {} = {}", name.text, expr(value))),
            Statement::Assert { condition, message, .. } => {
                let mut text = format!("assert {}", expr(condition));
                if let Some(message) = message {
                    let parts: Vec<String> = message
                        .parts
                        .iter()
                        .map(|part| match part {
                            MessagePart::Literal(text) => format!("{text:?}"),
                            MessagePart::Interpolation(e) => format!("{{{}}}", expr(e)),
                        })
                        .collect();
                    text.push_str(&format!(" else {}", parts.join(" ")));
                }
                line(out, depth, &text);
                if let ExprKind::Quantifier(quantifier) = &condition.kind {
                    block(out, depth + 1, &quantifier.body);
                }
            }
        }
    }
}

/// Expressions as fully parenthesised s-expressions.
fn expr(e: &Expr) -> String {
    let list = |items: &[Expr]| items.iter().map(expr).collect::<Vec<_>>().join(", ");
    match &e.kind {
        ExprKind::Number(n) => n.clone(),
        ExprKind::String(s) => format!("{s:?}"),
        ExprKind::Bool(b) => b.to_string(),
        ExprKind::Null => "null".to_string(),
        ExprKind::Regex { pattern, flags } => format!("/{pattern}/{flags}"),
        ExprKind::Var(name) => name.text.clone(),
        ExprKind::List(items) => format!("[{}]", list(items)),
        ExprKind::Field { base, name } => format!("{}.{}", expr(base), name.text),
        ExprKind::Wildcard { base } => format!("{}[*]", expr(base)),
        ExprKind::Index { base, index } => format!("{}[{}]", expr(base), expr(index)),
        ExprKind::Call { function, args } => format!("{}({})", function.text, list(args)),
        ExprKind::Unary { op, operand } => format!("({op:?} {})", expr(operand)),
        ExprKind::Binary { op, lhs, rhs, .. } => format!("({} {} {})", op.as_str(), expr(lhs), expr(rhs)),
        ExprKind::Quantifier(quantifier) => {
            let QuantifierExpr { kind, var, source, filter, body } = &**quantifier;
            let filter = filter.as_ref().map_or(String::new(), |f| format!(" where {}", expr(f)));
            let count = body.statements.len();
            format!("({} {} in {}{filter} {{{count} statements}})", kind.as_str(), var.text, expr(source))
        }
        ExprKind::Filter { var, source, condition } => {
            format!("[{} in {} where {}]", var.text, expr(source), expr(condition))
        }
        ExprKind::Error => "<error>".to_string(),
    }
}

/// Every case is compared before a mismatch fails the test (`insta::glob!`);
/// the snapshots keep their names, `NAME.snap` beside `NAME.lens`.
#[test]
fn parse_cases() {
    insta::glob!("../../../tests/cases/parse", "*.lens", |case| {
        let text = std::fs::read_to_string(case).expect("case is UTF-8");
        let name = case.file_stem().expect("named").to_string_lossy().into_owned();
        let mut settings = insta::Settings::clone_current();
        settings.remove_snapshot_suffix();
        settings.remove_input_file();
        settings.set_snapshot_path(case.parent().expect("in tests/cases/parse"));
        settings.set_prepend_module_to_snapshot(false);
        settings.set_omit_expression(true);
        settings.bind(|| insta::assert_snapshot!(name, dump(&text)));
    });
}

/// The codes of a file's syntax errors and of its bodies' (each parsed on its
/// own), in order, as `loupe check` reports them: nesting the file's parse
/// reported is not reported again by the body's.
fn codes(text: &str) -> Vec<&'static str> {
    let parse = parse(text);
    let mut errors: Vec<(Span, Code)> = parse.errors.iter().map(|error| (error.primary.span, error.code)).collect();
    for body in parse.file.bodies() {
        let nesting_reported = errors.iter().any(|&(span, code)| code == Code::NestingTooDeep && body.contains(span));
        for error in parse_block(&text[body.range()]).1 {
            if !(nesting_reported && error.code == Code::NestingTooDeep) {
                errors.push((error.primary.span.moved(body.start), error.code));
            }
        }
    }
    errors.sort_by_key(|&(span, _)| (span.start, span.end));
    errors.into_iter().map(|(_, code)| code.as_str()).collect()
}

/// The body of the first item, a predicate, parsed on its own, and its text.
fn predicate_body(text: &str) -> (Block, &str) {
    let parse = parse(text);
    let Item::Predicate(predicate) = &parse.file.items[0] else { panic!("a predicate") };
    let body = &text[predicate.body.range()];
    (parse_block(body).0, body)
}

#[test]
fn two_hundred_thousand_open_parentheses_are_an_error() {
    let text = format!("predicate p() {{ {} }}\npillar after \"After\" {{}}\n", "(".repeat(200_000));
    let parse = parse(&text);
    assert_eq!(parse.errors[0].code, Code::NestingTooDeep);
    assert_eq!(parse.errors[0].primary.span, Span::new(16 + MAX_NESTING - 1, 16 + MAX_NESTING));
}

#[test]
fn the_rest_of_the_file_survives_deep_nesting() {
    let text =
        format!("predicate p() {{ {}true{} }}\npillar after \"After\" {{}}\n", "(".repeat(1000), ")".repeat(1000));
    let parse = parse(&text);
    assert_eq!(codes(&text), ["L0003"]);
    assert!(
        parse
            .file
            .items
            .iter()
            .any(|item| matches!(item, Item::Pillar(p) if p.id.as_ref().is_some_and(|id| id.text == "after")))
    );
}

#[test]
fn deep_braces_and_brackets_are_errors() {
    assert!(codes(&"{".repeat(200_000)).contains(&"L0003"));
    assert!(codes(&format!("predicate p() {{ x == {} }}", "[".repeat(200_000))).contains(&"L0003"));
}

#[test]
fn deep_nesting_inside_an_interpolation_is_an_error() {
    // The interpolation is parsed apart from its file, whose pre-scan skipped it as string text.
    let text = format!("predicate p(x) {{ x else \"{{{}x}}\" }}", "(".repeat(200_000));
    assert!(codes(&text).contains(&"L0003"));
}

#[test]
fn long_operator_chains_are_bounded() {
    let cases = [
        format!("predicate p(x) {{ {}x }}", "not ".repeat(50_000)),
        format!("predicate p(x) {{ {}1 < 0 }}", "- ".repeat(50_000)),
        format!("predicate p(x) {{ x{} }}", " and x".repeat(50_000)),
        format!("predicate p(x) {{ x{} > 0 }}", " + 1".repeat(50_000)),
        format!("predicate p(x) {{ x{} == 1 }}", ".a".repeat(50_000)),
        // Chains inside nested parentheses add up; the total is bounded too.
        format!("predicate p(x) {{ {}x{} }}", "(".repeat(60), " and x and x and x)".repeat(60)),
    ];
    for text in cases {
        assert_eq!(codes(&text), ["L0003"], "{}", &text[..40]);
        predicate_body(&text).0.for_each_expression(|e| assert!(e.depth as usize <= MAX_EXPR_DEPTH));
    }
    let within = format!("predicate p(x) {{ x{} }}", " and x".repeat(MAX_EXPR_DEPTH - 1));
    assert_eq!(codes(&within), Vec::<&str>::new());
}

#[test]
fn nesting_within_the_limit_parses() {
    // The deepest shapes allowed, on a test thread's small stack.
    let depth = MAX_NESTING - 1;
    let shapes = [
        ("(", "true", ")"),
        ("(true and ", "true", ")"),
        ("[1, ", "2", "]"),
        ("f(", "x", ")"),
        ("-(", "1", ") > 0"),
        ("(not ", "true", ")"),
    ];
    for (open, middle, close) in shapes {
        let text = format!("predicate p(x) {{ {}{middle}{} }}", open.repeat(depth), close.repeat(depth));
        assert_eq!(codes(&text), Vec::<&str>::new(), "{open}...");
    }
    let quantifiers = "every x in x { ".repeat(depth / 2 - 1);
    let text = format!("predicate p(x) {{ {quantifiers}true{} }}", " }".repeat(depth / 2 - 1));
    assert_eq!(codes(&text), Vec::<&str>::new());
}

#[test]
fn awkward_inputs_never_panic() {
    // A deterministic sweep over prefixes that stop in the middle of constructs.
    let samples = [
        "",
        "\"",
        "/",
        "/*",
        "{",
        "}",
        "(",
        "pillar",
        "pillar {",
        "question q \"",
        "check {",
        "\u{FEFF}",
        "é\"é",
        "risk { high when",
        "[x in",
        "a.\"b",
        "\"{x",
        "else \"{",
        "test \"t\" { expect",
        "none",
        "\\",
    ];
    for a in samples {
        for b in samples {
            let text = format!("{a}{b}\n{b}{a} choice x \"y\" {{ check {{ {a} }} }}");
            let parse = parse(&text);
            for error in &parse.errors {
                assert!(error.primary.span.end as usize <= text.len(), "span past the end for {text:?}");
            }
        }
    }
}

#[test]
fn brackets_in_regexes_strings_and_comments_do_not_count_as_nesting() {
    let lines = "  x.name matches /\\(\\[\\{/ and x.note == \"((({{\" // ((((\n".repeat(MAX_NESTING + 1);
    let text = format!("predicate p(x) {{\n{lines}  /* {} */ true\n}}", "(".repeat(MAX_NESTING + 1));
    assert_eq!(codes(&text), Vec::<&str>::new());
}

#[test]
fn an_unclosed_block_comment_is_reported() {
    assert_eq!(codes("pillar p \"P\" {}\n/* never closed\npillar q \"Q\" {}"), ["L0002"]);
}

#[test]
fn nested_comprehension_prefixes_parse_in_linear_time() {
    // A list and a comprehension once both parsed `[x in ...`, so each level
    // doubled the time: 2^60 steps would never finish.
    let text = format!("predicate p() {{{}", "[x in ".repeat(60));
    assert!(codes(&text).contains(&"L0001"));
    let text = format!("predicate p() {{ every x in [x in {}", "every x in [x in ".repeat(30));
    assert!(codes(&text).contains(&"L0001"));
}

#[test]
fn comprehensions_split_their_first_expression() {
    let text = "predicate p(xs) { [x in xs + xs where x > 1] == [] }";
    assert_eq!(codes(text), Vec::<&str>::new());
    let (body, body_text) = predicate_body(text);
    let Statement::Assert { condition, .. } = &body.statements[0] else { panic!("an assertion") };
    let ExprKind::Binary { lhs, .. } = &condition.kind else { panic!("a comparison") };
    let ExprKind::Filter { var, source, .. } = &lhs.kind else { panic!("a comprehension") };
    assert_eq!(var.text, "x");
    assert!(matches!(source.kind, ExprKind::Binary { op: BinaryOp::Add, .. }));
    assert_eq!(&body_text[source.span.range()], "xs + xs");
    assert_eq!(codes("predicate p(xs) { [x.y in xs where true] == [] }"), ["L0001"]);
}

/// Shapes that once reached past the pre-scan: each nests 100,000 deep in the
/// grammar, and must end in an error rather than a stack overflow.
#[test]
fn nesting_the_pre_scan_must_see_is_bounded() {
    let n = 100_000;
    let cases = [
        // Quantifier heads nest without brackets.
        format!("predicate p() {{ {}", "every x in ".repeat(n)),
        format!("predicate p() {{ {}y", "every/**/x/**/in ".repeat(n)),
        format!("predicate p() {{ x else \"{{{}y}}\" }}", "some x in ".repeat(n)),
        // Junk groups, where a stray closer of another kind closes nothing.
        format!("predicate p() {{\n  {}", "[)".repeat(n)),
        format!("predicate p() {{\n  x {}", "{]".repeat(n)),
        format!("pillar a \"A\" {{\n  {}", "{)".repeat(n)),
        format!("predicate p() {{\n{}", "(every x in y {\n)\n".repeat(n / 10)),
        // A check body skipped in its file's parse.
        format!("pillar a \"A\" {{ question Q \"q\" {{ choice C \"c\" {{ check {{{}", "){".repeat(n)),
        // An escaped line break ends a string, and a lone `/` starts a regex in junk too.
        format!("predicate p() {{\n  \"a\\\n  {}", "(".repeat(n)),
        format!("predicate p() {{\n  ) / {}", "(".repeat(n)),
        // A hole with a comment or a regex reached past its message.
        format!("predicate p() {{\n  x else \"{{x + /* }}\" / */ {}", "(".repeat(n)),
        format!("predicate p() {{\n  x else \"{{x matches /}}\" \"/ + {}", "(".repeat(n)),
        // A header's stray words hid a `{` in a comment.
        format!("predicate p() x // {{ {}", "(".repeat(n)),
    ];
    for text in cases {
        assert!(!codes(&text).is_empty(), "{}", &text[..60]);
    }
}

#[test]
fn quantifiers_within_the_limit_parse() {
    let depth = MAX_NESTING - 1;
    let text = format!("predicate p(x) {{ {}x{} }}", "every x in ".repeat(depth), " { true }".repeat(depth));
    assert_eq!(codes(&text), Vec::<&str>::new());
    let text = format!("predicate p(x) {{ {}x{} }}", "every x in ".repeat(depth + 1), " { true }".repeat(depth + 1));
    assert!(codes(&text).contains(&"L0003"));
}

#[test]
fn a_line_comment_ends_before_its_carriage_return() {
    let text = "// windows\r\npredicate p() { true }\n";
    let comments = parse(text).file.comments;
    assert_eq!(comments.len(), 1);
    assert_eq!((comments[0].kind, comments[0].text.as_str()), (CommentKind::Line, " windows"));
    assert_eq!(&text[comments[0].span.range()], "// windows");
}
