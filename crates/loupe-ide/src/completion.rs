//! Completion: what may be written at the cursor, from where it is in the
//! tree (top level, a question, a choice, a risk block, a check...).

use loupe_catalog::Catalog;
use loupe_db::{Builtin, Db, PHASES, Pack, pack_index, pack_types, parse_file};
use loupe_diagnostics::Span;
use loupe_eval::Workload;
use loupe_evidence::{Node, Value};
use loupe_syntax::{Item, Question, SyntaxRoot};

use crate::text::{enclosing_call, inside_block, string_start, word_before};
use crate::{CompletionItem, CompletionKind, FilePosition};

const ITEM_KEYWORDS: &[&str] = &["lens", "pillar", "predicate", "test"];
const LENS_KEYWORDS: &[&str] = &["version", "description", "pillars"];
const PILLAR_KEYWORDS: &[&str] = &["description", "question"];
const QUESTION_KEYWORDS: &[&str] = &["description", "phase", "helpful", "choice", "none", "risk"];
const CHOICE_KEYWORDS: &[&str] = &["description", "helpful", "improve", "check"];
const NONE_CHOICE_KEYWORDS: &[&str] = &["description", "helpful"];
const RISK_KEYWORDS: &[&str] = &["high", "medium", "none", "when", "otherwise", "and", "or", "not"];
const BODY_KEYWORDS: &[&str] = &[
    "applies",
    "when",
    "let",
    "else",
    "every",
    "some",
    "none",
    "in",
    "where",
    "and",
    "or",
    "not",
    "true",
    "false",
    "null",
    "contains",
    "starts_with",
    "ends_with",
    "matches",
];
const TEST_KEYWORDS: &[&str] = &["evidence", "expect"];
const CHOICE_STATUSES: &[&str] = &["selected", "unselected", "not_applicable", "unknown"];
const QUESTION_OUTCOMES: &[&str] = &["risk", "unanswered"];
const RISK_LEVELS: &[&str] = &["high", "medium", "none"];

/// Whether `word` is a word of the language (every one is offered somewhere
/// above): a name spelt so would not read as a name everywhere it is used,
/// such as a choice named `and` in a risk rule.
pub(crate) fn is_keyword(word: &str) -> bool {
    [
        ITEM_KEYWORDS,
        LENS_KEYWORDS,
        PILLAR_KEYWORDS,
        QUESTION_KEYWORDS,
        CHOICE_KEYWORDS,
        RISK_KEYWORDS,
        BODY_KEYWORDS,
        TEST_KEYWORDS,
        CHOICE_STATUSES,
        QUESTION_OUTCOMES,
    ]
    .iter()
    .any(|words| words.contains(&word))
}

/// Where the cursor is, for completion.
enum Context<'a> {
    TopLevel,
    Lens,
    Pillar,
    Question,
    Choice,
    /// The none-of-these choice's block.
    NoneChoice,
    Risk(&'a Question),
    /// A check's or predicate's body, with its span.
    Body(Span),
    Test,
}

/// What may be written at the cursor: the keywords valid there, choice ids
/// in a risk block, predicates and built-ins in a body, resource types in
/// `resources("…")`, pillars, questions, choices and outcomes where a lens
/// header or a test names them, and after `x.` in a body, where `x` is bound
/// to `resources(…)`, a resource's fields and the property names the sample
/// evidence has at that path. Nothing in a comment or another string.
pub fn completions(db: &dyn Db, pack: Pack, sample: Option<Workload>, at: FilePosition) -> Vec<CompletionItem> {
    let text = at.file.text(db);
    let Some(before) = text.get(..at.offset as usize) else { return Vec::new() };
    let parse = parse_file(db, at.file);
    if parse.file.comments.iter().any(|comment| comment.span.start < at.offset && at.offset <= comment.span.end) {
        return Vec::new();
    }
    let line_before = &before[before.rfind('\n').map_or(0, |at| at + 1)..];
    let context = context_at(&parse.file, text, at.offset);
    if let Some(quote) = string_start(line_before) {
        let in_resources =
            matches!(context, Context::Body(_)) && enclosing_call(&line_before[..quote]) == Some("resources");
        return if in_resources { resource_types(db, pack, &line_before[quote + 1..], at.offset) } else { Vec::new() };
    }
    let word = word_before(line_before);
    // After a `.` comes a property name, or a choice of the question in a test.
    let after_dot = line_before[..line_before.len() - word.len()].ends_with('.');
    let replace = Span::new(at.offset as usize - word.len(), at.offset as usize);
    let keywords = |words: &[&str]| -> Vec<CompletionItem> {
        words.iter().map(|word| item(word, CompletionKind::Keyword, replace)).collect()
    };
    let index = pack_index(db, pack);
    match context {
        Context::Body(body) if after_dot => {
            let body_before = text.get(body.start as usize..at.offset as usize).unwrap_or_default();
            property_paths(db, sample, &body_before[..body_before.len() - word.len() - 1], replace)
        }
        _ if after_dot && !matches!(context, Context::Test) => Vec::new(),
        Context::TopLevel => keywords(ITEM_KEYWORDS),
        Context::Lens if line_before.trim_start().starts_with("pillars") => {
            index.pillar_order.iter().map(|pillar| item(pillar, CompletionKind::Pillar, replace)).collect()
        }
        Context::Lens => keywords(LENS_KEYWORDS),
        Context::Pillar => keywords(PILLAR_KEYWORDS),
        Context::Question if line_before.trim_start().starts_with("phase") => keywords(PHASES),
        Context::Question => keywords(QUESTION_KEYWORDS),
        Context::Choice => keywords(CHOICE_KEYWORDS),
        Context::NoneChoice => keywords(NONE_CHOICE_KEYWORDS),
        Context::Risk(question) => {
            let choices = question.choices.iter().filter_map(|choice| {
                let id = choice.id.as_ref()?;
                let detail = choice.title.as_ref().map(|title| title.value.clone());
                Some(CompletionItem { detail, ..item(&id.text, CompletionKind::Choice, replace) })
            });
            choices.chain(keywords(RISK_KEYWORDS)).collect()
        }
        Context::Body(_) => {
            let mut items = keywords(BODY_KEYWORDS);
            items.extend(predicates(db, pack, replace));
            let builtins = Builtin::ALL.iter().map(|builtin| builtin.spec()).filter(|spec| {
                // A predicate of the same name is what a call means.
                !index.predicates.contains_key(spec.name)
            });
            items.extend(builtins.map(|spec| CompletionItem {
                detail: Some(spec.signature()),
                documentation: Some(spec.doc.to_string()),
                ..item(spec.name, CompletionKind::Builtin, replace)
            }));
            items
        }
        Context::Test => {
            let words: Vec<&str> = line_before.split_whitespace().collect();
            let typing = !word.is_empty() || after_dot;
            // The words before the one being typed.
            let done = &words[..words.len() - usize::from(typing && !words.is_empty())];
            match done {
                [] => keywords(TEST_KEYWORDS),
                ["expect"] if after_dot => {
                    let question = words.last().and_then(|typed| typed.split('.').next()).unwrap_or_default();
                    let choices = index.question_choices.get(question).into_iter().flatten();
                    choices.map(|choice| item(choice, CompletionKind::Choice, replace)).collect()
                }
                ["expect"] => {
                    index.questions.keys().map(|question| item(question, CompletionKind::Question, replace)).collect()
                }
                ["expect", target] if target.contains('.') => keywords(CHOICE_STATUSES),
                ["expect", _] => keywords(QUESTION_OUTCOMES),
                ["expect", _, "risk"] => keywords(RISK_LEVELS),
                _ => Vec::new(),
            }
        }
    }
}

fn item(label: &str, kind: CompletionKind, replace: Span) -> CompletionItem {
    CompletionItem { label: label.to_string(), kind, detail: None, documentation: None, insert_text: None, replace }
}

/// The innermost block around `offset`.
fn context_at<'a>(root: &'a SyntaxRoot, text: &str, offset: u32) -> Context<'a> {
    let inside = |span: Span| inside_block(text, span, offset);
    for item in &root.items {
        match item {
            Item::Lens(lens) if inside(lens.span) => return Context::Lens,
            Item::Pillar(pillar) if inside(pillar.span) => {
                let Some(question) = pillar.questions.iter().find(|question| inside(question.span)) else {
                    return Context::Pillar;
                };
                if question.risk.as_ref().is_some_and(|risk| inside(risk.span)) {
                    return Context::Risk(question);
                }
                let Some(choice) = question.choices.iter().find(|choice| inside(choice.span)) else {
                    return Context::Question;
                };
                return match &choice.check {
                    Some(check) if inside(check.body) => Context::Body(check.body),
                    _ if choice.is_none => Context::NoneChoice,
                    _ => Context::Choice,
                };
            }
            Item::Predicate(predicate) if inside(predicate.body) => return Context::Body(predicate.body),
            Item::Test(test) if inside(test.span) => return Context::Test,
            _ => {}
        }
    }
    Context::TopLevel
}

/// The pack's predicates, with their signatures and doc comments.
fn predicates(db: &dyn Db, pack: Pack, replace: Span) -> Vec<CompletionItem> {
    let mut items: Vec<CompletionItem> = Vec::new();
    for &file in pack.files(db) {
        for entry in &parse_file(db, file).file.items {
            let Item::Predicate(predicate) = entry else { continue };
            let Some(name) = &predicate.name else { continue };
            if items.iter().any(|known| known.label == name.text) {
                continue;
            }
            let params: Vec<&str> = predicate.params.iter().map(|param| param.text.as_str()).collect();
            items.push(CompletionItem {
                detail: Some(format!("predicate {}({})", name.text, params.join(", "))),
                documentation: predicate.doc.clone(),
                ..item(&name.text, CompletionKind::Predicate, replace)
            });
        }
    }
    items
}

/// The catalog's and the pack's resource types containing what is typed
/// (ignoring case), to replace the string's text before the cursor.
fn resource_types(db: &dyn Db, pack: Pack, typed: &str, offset: u32) -> Vec<CompletionItem> {
    let replace = Span::new(offset as usize - typed.len(), offset as usize);
    let typed = typed.to_lowercase();
    let declared = pack_types(db, pack).types.keys().map(String::as_str);
    let mut types: Vec<&str> =
        declared.chain(Catalog::builtin().types()).filter(|ty| ty.to_lowercase().contains(&typed)).collect();
    types.sort_unstable();
    types.dedup();
    types
        .into_iter()
        .map(|ty| {
            let provider = if ty.contains("::") { "CloudFormation" } else { "Terraform" };
            CompletionItem { detail: Some(provider.to_string()), ..item(ty, CompletionKind::ResourceType, replace) }
        })
        .collect()
}

/// What may follow `path.` (the text before the dot, from the start of the
/// body): a resource's fields after a name bound to `resources(…)` in the
/// body, and after `name.properties` (and deeper) the property names the
/// sample's resources of those types have there.
fn property_paths(db: &dyn Db, sample: Option<Workload>, before: &str, replace: Span) -> Vec<CompletionItem> {
    let chain_start = before
        .char_indices()
        .rev()
        .find(|&(_, c)| !(c.is_alphanumeric() || c == '_' || c == '.'))
        .map_or(0, |(at, c)| at + c.len_utf8());
    let path: Vec<&str> = before[chain_start..].split('.').collect();
    let Some((&name, fields)) = path.split_first() else { return Vec::new() };
    let Some(types) = bound_types(&before[..chain_start], name) else { return Vec::new() };
    let detail = Some(types.join(", "));
    let labels: Vec<String> = match fields {
        [] => RESOURCE_FIELDS.iter().map(|field| field.to_string()).collect(),
        ["properties", properties @ ..] => sample_properties(db, sample, &types, properties),
        _ => Vec::new(),
    };
    labels
        .iter()
        .map(|label| CompletionItem { detail: detail.clone(), ..item(label, CompletionKind::Property, replace) })
        .collect()
}

/// The fields every resource has.
const RESOURCE_FIELDS: &[&str] = &["name", "properties", "type"];

/// The resource types `name` is bound to by its last binding in `before`:
/// `name in resources("A", "B")` (a quantifier or a filter) or
/// `let name = resources(…)`. The text is read rather than the tree, since
/// the line being typed does not parse yet.
fn bound_types(before: &str, name: &str) -> Option<Vec<String>> {
    before.rmatch_indices("resources(").find_map(|(at, call)| {
        let head = before[..at].trim_end();
        let bound = match head.strip_suffix("in").filter(|rest| rest.ends_with(char::is_whitespace)) {
            Some(head) => word_before(head.trim_end()),
            None => {
                let head = head.strip_suffix('=')?.trim_end();
                let bound = word_before(head);
                let keyword = head[..head.len() - bound.len()].trim_end();
                if !keyword.ends_with("let") {
                    return None;
                }
                bound
            }
        };
        if bound != name {
            return None;
        }
        let arguments = &before[at + call.len()..];
        let arguments = &arguments[..arguments.find(')').unwrap_or(arguments.len())];
        Some(arguments.split('"').skip(1).step_by(2).map(str::to_string).collect())
    })
}

/// The property names the sample's resources of `types` have under the
/// property path `path`, sorted.
fn sample_properties(db: &dyn Db, sample: Option<Workload>, types: &[String], path: &[&str]) -> Vec<String> {
    let Some(sample) = sample else { return Vec::new() };
    let types: Vec<&str> = types.iter().map(String::as_str).collect();
    let mut names = std::collections::BTreeSet::new();
    for &file in sample.files(db) {
        let Ok(evidence) = &**loupe_eval::load_evidence(db, file) else { continue };
        for resource in evidence.resources_of(&types) {
            let mut nodes: Vec<&Node> = resource.properties.into_iter().collect();
            for field in path {
                nodes = nodes.iter().flat_map(|node| children(node, field)).collect();
            }
            for node in nodes.iter().flat_map(|node| objects(node)) {
                names.extend(node.keys().map(str::to_string));
            }
        }
    }
    names.into_iter().collect()
}

/// `node.field` as a check reads it: on a list, each item's field.
fn children<'n>(node: &'n Node, field: &str) -> Vec<&'n Node> {
    match &node.value {
        Value::Object(object) => object.get(field).into_iter().collect(),
        Value::List(items) => items.iter().flat_map(|item| children(item, field)).collect(),
        _ => Vec::new(),
    }
}

/// The objects `node` is or holds as list items.
fn objects(node: &Node) -> Vec<&loupe_evidence::Object> {
    match &node.value {
        Value::Object(object) => vec![object],
        Value::List(items) => items.iter().flat_map(objects).collect(),
        _ => Vec::new(),
    }
}
