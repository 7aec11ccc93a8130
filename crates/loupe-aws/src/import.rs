//! A Well-Architected custom lens JSON read into a formatted pack: a
//! `loupe.toml`, a lens header and one `.lens` file per pillar.
//!
//! Everything the format names is kept (ids, texts, URLs, order, rules), and
//! so is what published lenses add that the language can hold: a choice's
//! `description` (the none-of-these choice's too), question-level additional
//! helpful resources, `_version`.
//! Every other field is reported where it is ([`Code::FieldNotImported`]);
//! what cannot be read at all is an error ([`Code::InvalidLensJson`]).

mod condition;

use loupe_diagnostics::{Code, Diagnostic, Label, Span};
use loupe_evidence::{LoadOptions, Node, Object, Syntax, Value};

use condition::Condition;

/// An import diagnostic, in the JSON text it was given.
pub type ImportDiagnostic = Diagnostic<()>;

/// The schemaVersion this importer reads.
pub const SCHEMA_VERSION: &str = "2021-11-01";

/// One file of the pack, its path relative to the pack directory.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PackFile {
    pub path: String,
    pub text: String,
}

/// An imported pack and the warnings about what it left out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportedPack {
    pub files: Vec<PackFile>,
    pub warnings: Vec<ImportDiagnostic>,
}

/// Imports the lens JSON `text` (`name` is for messages). Fails with every
/// diagnostic found, errors first, when the lens cannot be read.
pub fn import_lens(name: &str, text: &str) -> Result<ImportedPack, Vec<ImportDiagnostic>> {
    let options = LoadOptions { syntax: Some(Syntax::Json), ..LoadOptions::default() };
    let root = match loupe_evidence::load_str(name, text, &options) {
        Ok(evidence) => match evidence.documents.into_iter().next() {
            Some(document) => document.root,
            None => return Err(vec![invalid(Span::empty(0), format!("{name} holds no JSON value"), "")]),
        },
        Err(error) => return Err(vec![invalid(error.span, error.message, "not JSON")]),
    };
    let mut reader = Reader::default();
    let lens = reader.lens(&root);
    let mut diagnostics = reader.diagnostics;
    if let Some(lens) = lens
        && !diagnostics.iter().any(|d| d.code == Code::InvalidLensJson)
    {
        match lens.files() {
            Ok(files) => {
                diagnostics.sort_by_key(|d| d.primary.span.start);
                return Ok(ImportedPack { files, warnings: diagnostics });
            }
            Err(error) => diagnostics.push(invalid(root.span, error, "this lens")),
        }
    }
    diagnostics.sort_by_key(|d| (d.code != Code::InvalidLensJson, d.primary.span.start));
    Err(diagnostics)
}

fn invalid(span: Span, message: impl Into<String>, label: &str) -> ImportDiagnostic {
    Diagnostic::new(Code::InvalidLensJson, message, Label::new((), span, label))
}

struct Lens {
    name: String,
    description: Option<String>,
    version: Option<String>,
    pillars: Vec<Pillar>,
}

struct Pillar {
    id: String,
    name: String,
    questions: Vec<Question>,
}

struct Question {
    id: String,
    title: String,
    description: Option<String>,
    helpful: Vec<Link>,
    choices: Vec<Choice>,
    rules: Vec<Rule>,
}

struct Choice {
    id: String,
    title: String,
    description: Option<String>,
    helpful: Vec<Link>,
    improve: Vec<Link>,
}

struct Link {
    text: String,
    url: Option<String>,
}

struct Rule {
    level: &'static str,
    /// `None` for `default`.
    condition: Option<Condition>,
}

#[derive(Default)]
struct Reader {
    diagnostics: Vec<ImportDiagnostic>,
}

/// A resource list: the main one first, then additional ones.
type Links = Vec<Link>;

/// Additional resources, each with where it is in the JSON.
type Located = Vec<(Link, Span)>;

impl Reader {
    fn error(&mut self, span: Span, message: impl Into<String>, label: &str) {
        self.diagnostics.push(invalid(span, message, label));
    }

    fn dropped(&mut self, span: Span, message: impl Into<String>, help: &str) {
        self.diagnostics.push(
            Diagnostic::new(Code::FieldNotImported, message, Label::new((), span, "not imported"))
                .with_help(help.to_owned()),
        );
    }

    /// `node` as an object of `what`, with every key outside `known` reported as dropped.
    fn object<'n>(&mut self, node: &'n Node, what: &str, known: &[&str]) -> Option<&'n Object> {
        let Some(object) = node.as_object() else {
            self.error(
                node.span,
                format!("{what} must be an object, not {}", node.value.type_name()),
                "expected an object",
            );
            return None;
        };
        for entry in object.iter().filter(|entry| !known.contains(&entry.key.name.as_str())) {
            let key = entry.key.name.as_str();
            self.dropped(
                entry.key.span,
                format!("`{key}` of {what} is not a field of the lens format"),
                "the language has no place for it; keep it in the JSON if you need it",
            );
        }
        Some(object)
    }

    fn string(&mut self, node: &Node, what: &str) -> Option<String> {
        match &node.value {
            Value::String(text) => Some(text.as_str().to_owned()),
            _ => {
                self.error(
                    node.span,
                    format!("{what} must be a string, not {}", node.value.type_name()),
                    "expected a string",
                );
                None
            }
        }
    }

    /// A required string field of `object` (found at `at`).
    fn required(&mut self, object: &Object, at: Span, key: &str, what: &str) -> Option<String> {
        match object.get(key) {
            Some(node) => self.string(node, &format!("the `{key}` of {what}")),
            None => {
                self.error(Span::empty(at.start as usize), format!("{what} has no `{key}`"), "in this object");
                None
            }
        }
    }

    fn optional(&mut self, object: &Object, key: &str, what: &str) -> Option<String> {
        object.get(key).and_then(|node| self.string(node, &format!("the `{key}` of {what}")))
    }

    fn list<'n>(&mut self, object: &'n Object, at: Span, key: &str, what: &str) -> &'n [Node] {
        match object.get(key) {
            Some(node) => node.as_list().unwrap_or_else(|| {
                self.error(
                    node.span,
                    format!("the `{key}` of {what} must be a list, not {}", node.value.type_name()),
                    "expected a list",
                );
                &[]
            }),
            None => {
                self.error(Span::empty(at.start as usize), format!("{what} has no `{key}`"), "in this object");
                &[]
            }
        }
    }

    fn lens(&mut self, root: &Node) -> Option<Lens> {
        let object = self.object(root, "the lens", &["schemaVersion", "name", "description", "pillars", "_version"])?;
        match object.get("schemaVersion") {
            None => {
                self.error(Span::empty(root.span.start as usize), "the lens has no `schemaVersion`", "in this object")
            }
            Some(node) => {
                if let Some(version) = self.string(node, "`schemaVersion`")
                    && version != SCHEMA_VERSION
                {
                    self.error(
                        node.span,
                        format!("schemaVersion `{version}` is not the lens format Loupe reads, `{SCHEMA_VERSION}`"),
                        "unknown schemaVersion",
                    );
                }
            }
        }
        let name = self.required(object, root.span, "name", "the lens");
        let description = self.optional(object, "description", "the lens");
        let version = self.optional(object, "_version", "the lens");
        let pillars = self.list(object, root.span, "pillars", "the lens");
        let pillars: Vec<Option<Pillar>> = pillars.iter().map(|node| self.pillar(node)).collect();
        Some(Lens { name: name?, description, version, pillars: pillars.into_iter().collect::<Option<_>>()? })
    }

    fn pillar(&mut self, node: &Node) -> Option<Pillar> {
        let object = self.object(node, "a pillar", &["id", "name", "questions"])?;
        let id = self.required(object, node.span, "id", "a pillar");
        let name = self.required(object, node.span, "name", "a pillar");
        let questions = self.list(object, node.span, "questions", "a pillar");
        let questions: Vec<Option<Question>> = questions.iter().map(|node| self.question(node)).collect();
        Some(Pillar { id: id?, name: name?, questions: questions.into_iter().collect::<Option<_>>()? })
    }

    fn question(&mut self, node: &Node) -> Option<Question> {
        let known = ["id", "title", "description", "helpfulResource", "additionalResources", "choices", "riskRules"];
        let object = self.object(node, "a question", &known)?;
        let id = self.required(object, node.span, "id", "a question");
        let title = self.required(object, node.span, "title", "a question");
        let description = self.optional(object, "description", "a question");
        let mut helpful = self.resource(object, "helpfulResource", "a question");
        let (extra_helpful, extra_improve) = self.additional(object, "a question");
        if let Some(first) = extra_improve.first() {
            let at = first.1;
            self.dropped(
                at,
                "a question's additional improvement plans are not imported",
                "only choices have improvement plans in the language; move them to a choice",
            );
        }
        self.append(&mut helpful, extra_helpful, "helpful resource");
        let choices = self.list(object, node.span, "choices", "a question");
        let choices: Vec<Option<Choice>> = choices.iter().map(|node| self.choice(node)).collect();
        // The rules are read even when a choice is broken, to report them too.
        let read: Vec<&Choice> = choices.iter().flatten().collect();
        let rules = self.list(object, node.span, "riskRules", "a question");
        let rules: Vec<Option<Rule>> = rules.iter().map(|node| self.rule(node, &read)).collect();
        Some(Question {
            id: id?,
            title: title?,
            description,
            helpful,
            choices: choices.into_iter().collect::<Option<_>>()?,
            rules: rules.into_iter().collect::<Option<_>>()?,
        })
    }

    fn choice(&mut self, node: &Node) -> Option<Choice> {
        let known = ["id", "title", "description", "helpfulResource", "improvementPlan", "additionalResources"];
        let object = self.object(node, "a choice", &known)?;
        let id = self.required(object, node.span, "id", "a choice")?;
        let title = self.required(object, node.span, "title", "a choice");
        let mut description = self.optional(object, "description", "a choice");
        let mut helpful = self.resource(object, "helpfulResource", "a choice");
        let mut improve = self.resource(object, "improvementPlan", "a choice");
        let (extra_helpful, mut extra_improve) = self.additional(object, "a choice");
        self.append(&mut helpful, extra_helpful, "helpful resource");
        if id.ends_with("_no") {
            // The none-of-these choice has no improvement plan in the format
            // nor in the language; its description and helpful links are kept.
            let dropped = object.entry("improvementPlan").map(|entry| entry.key.span);
            for span in dropped.into_iter().chain(extra_improve.drain(..).map(|(_, span)| span)) {
                self.dropped(
                    span,
                    format!("the improvement plan of the none-of-these choice `{id}` is not imported"),
                    "a `none` choice has no improvement plan; its links are `helpful` ones",
                );
            }
            improve.clear();
        }
        self.append(&mut improve, extra_improve, "improvement plan");
        if let Some(entry) = object.entry("description")
            && description.as_deref().is_some_and(|text| text.trim().is_empty())
        {
            self.dropped(entry.key.span, "an empty choice description is not imported", "the language needs a text");
            description = None;
        }
        Some(Choice { id, title: title?, description, helpful, improve })
    }

    /// A `{displayText, url}` object; an empty `url` is left out (and said so).
    fn link(&mut self, node: &Node, what: &str) -> Option<Link> {
        let object = self.object(node, what, &["displayText", "url"])?;
        let text = self.optional(object, "displayText", what);
        let mut url = self.optional(object, "url", what);
        if url.as_deref() == Some("")
            && let Some(entry) = object.entry("url")
        {
            self.dropped(
                entry.key.span,
                format!("the empty `url` of {what} is not imported"),
                "a URL starts with https://",
            );
            url = None;
        }
        match text {
            Some(text) => Some(Link { text, url }),
            None => {
                self.error(
                    Span::empty(node.span.start as usize),
                    format!("{what} has no `displayText`"),
                    "in this object",
                );
                None
            }
        }
    }

    fn resource(&mut self, object: &Object, key: &str, what: &str) -> Links {
        let Some(node) = object.get(key) else { return Vec::new() };
        self.link(node, &format!("the `{key}` of {what}")).into_iter().collect()
    }

    /// `additionalResources`: helpful resources and improvement plans, each
    /// with the span of its first content item.
    fn additional(&mut self, object: &Object, what: &str) -> (Located, Located) {
        let (mut helpful, mut improve) = (Vec::new(), Vec::new());
        let Some(node) = object.get("additionalResources") else { return (helpful, improve) };
        let what = format!("the `additionalResources` of {what}");
        let Some(items) = node.as_list() else {
            self.error(node.span, format!("{what} must be a list, not {}", node.value.type_name()), "expected a list");
            return (helpful, improve);
        };
        for item in items {
            let Some(resource) = self.object(item, &format!("an item of {what}"), &["type", "content"]) else {
                continue;
            };
            let kind = self.required(resource, item.span, "type", "an additional resource");
            let target = match kind.as_deref() {
                Some("HELPFUL_RESOURCE") => &mut helpful,
                Some("IMPROVEMENT_PLAN") => &mut improve,
                Some(other) => {
                    let span = resource.get("type").map_or(item.span, |node| node.span);
                    self.error(
                        span,
                        format!("`{other}` is not an additional resource type"),
                        "expected HELPFUL_RESOURCE or IMPROVEMENT_PLAN",
                    );
                    continue;
                }
                None => continue,
            };
            for content in self.list(resource, item.span, "content", "an additional resource") {
                if let Some(link) = self.link(content, "an additional resource") {
                    target.push((link, content.span));
                }
            }
        }
        (helpful, improve)
    }

    /// Additional resources go after the main one. Without a main one, the
    /// first additional resource would become it: said so.
    fn append(&mut self, links: &mut Links, extra: Located, kind: &str) {
        if links.is_empty()
            && let Some((_, span)) = extra.first()
        {
            self.dropped(
                *span,
                format!("with no main {kind}, the first additional {kind} becomes the main one"),
                "the language reads the first resource of a kind as the main one",
            );
        }
        links.extend(extra.into_iter().map(|(link, _)| link));
    }

    fn rule(&mut self, node: &Node, choices: &[&Choice]) -> Option<Rule> {
        let object = self.object(node, "a risk rule", &["condition", "risk"])?;
        let condition = self.required(object, node.span, "condition", "a risk rule");
        let risk = self.required(object, node.span, "risk", "a risk rule");
        let level = match risk?.as_str() {
            "HIGH_RISK" => "high",
            "MEDIUM_RISK" => "medium",
            "NO_RISK" => "none",
            other => {
                let span = object.get("risk").map_or(node.span, |node| node.span);
                self.error(
                    span,
                    format!("`{other}` is not a risk level"),
                    "expected HIGH_RISK, MEDIUM_RISK or NO_RISK",
                );
                return None;
            }
        };
        let text = condition?;
        let span = object.get("condition").map_or(node.span, |node| node.span);
        if text.trim() == "default" {
            return Some(Rule { level, condition: None });
        }
        let condition = match condition::parse(&text) {
            Ok(condition) => condition,
            Err(error) => {
                self.error(span, format!("the condition `{text}` cannot be read: {error}"), "this condition");
                return None;
            }
        };
        // A choice the question lacks is written as it is, for `loupe check`
        // to report; only a name the language cannot spell is refused here.
        for id in condition.choices() {
            if id.starts_with(|c: char| c.is_ascii_digit()) || KEYWORDS.contains(&id) {
                let known = choices.iter().any(|choice| choice.id == id);
                self.error(
                    span,
                    format!("the condition names `{id}`, which the language cannot use in a risk rule"),
                    if known { "a choice id that starts with a digit or is a keyword" } else { "not a choice id" },
                );
                return None;
            }
        }
        Some(Rule { level, condition: Some(condition) })
    }
}

/// Words an expression reads as something else than a name.
const KEYWORDS: &[&str] = &[
    "and",
    "or",
    "not",
    "none",
    "true",
    "false",
    "null",
    "every",
    "some",
    "in",
    "where",
    "contains",
    "starts_with",
    "ends_with",
    "matches",
    "let",
    "else",
    "applies",
    "when",
    "otherwise",
];

impl Lens {
    /// The pack's files, each in the formatter's layout.
    fn files(&self) -> Result<Vec<PackFile>, String> {
        let id = lens_id(&self.name);
        let mut files = vec![PackFile { path: "loupe.toml".to_owned(), text: self.manifest(&id) }];
        let mut header = format!("lens {id} {} {{\n", quoted(&self.name));
        if let Some(version) = &self.version {
            header.push_str(&format!("version {}\n", quoted(version)));
        }
        if let Some(description) = &self.description {
            header.push_str(&format!("description {}\n", quoted(description)));
        }
        if !self.pillars.is_empty() {
            let ids: Vec<&str> = self.pillars.iter().map(|pillar| pillar.id.as_str()).collect();
            header.push_str(&format!("pillars {}\n", ids.join(", ")));
        }
        header.push_str("}\n");
        files.push(lens_file("lens.lens", &header)?);
        let width = self.pillars.len().to_string().len().max(2);
        for (index, pillar) in self.pillars.iter().enumerate() {
            let path = format!("{:0width$}-{}.lens", index + 1, file_stem(&pillar.id));
            files.push(lens_file(&path, &pillar.text())?);
        }
        Ok(files)
    }

    fn manifest(&self, id: &str) -> String {
        let mut text = String::from("# Imported from a Well-Architected custom lens JSON by `loupe import`.\n");
        text.push_str(&format!("[pack]\nname = {}\n", toml_string(id)));
        text.push_str("\n[lints]\n# The imported questions are answered by attestation until checks are written.\nL0503 = \"allow\"\n");
        text
    }
}

impl Pillar {
    fn text(&self) -> String {
        let mut text = format!("pillar {} {} {{\n", self.id, quoted(&self.name));
        for question in &self.questions {
            question.write(&mut text);
        }
        text.push_str("}\n");
        text
    }
}

impl Question {
    fn write(&self, text: &mut String) {
        text.push_str(&format!("\nquestion {} {} {{\n", self.id, quoted(&self.title)));
        if let Some(description) = &self.description {
            text.push_str(&format!("description {}\n", quoted(description)));
        }
        write_links(text, "helpful", &self.helpful);
        for choice in &self.choices {
            choice.write(text);
        }
        text.push_str("\nrisk {\n");
        for rule in &self.rules {
            match &rule.condition {
                Some(condition) => text.push_str(&format!("{} when {}\n", rule.level, condition.to_lens())),
                None => text.push_str(&format!("{} otherwise\n", rule.level)),
            }
        }
        text.push_str("}\n}\n");
    }
}

impl Choice {
    fn write(&self, text: &mut String) {
        if self.id.ends_with("_no") {
            text.push_str(&format!("none {} {}", self.id, quoted(&self.title)));
            // Bare when it holds nothing, as most `none` choices are written.
            if self.description.is_none() && self.helpful.is_empty() {
                text.push('\n');
                return;
            }
            text.push_str(" {\n");
        } else {
            text.push_str(&format!("\nchoice {} {} {{\n", self.id, quoted(&self.title)));
        }
        if let Some(description) = &self.description {
            text.push_str(&format!("description {}\n", quoted(description)));
        }
        write_links(text, "helpful", &self.helpful);
        write_links(text, "improve", &self.improve);
        text.push_str("}\n");
    }
}

fn write_links(text: &mut String, keyword: &str, links: &[Link]) {
    for link in links {
        text.push_str(&format!("{keyword} {}", quoted(&link.text)));
        if let Some(url) = &link.url {
            text.push_str(&format!(" {}", quoted(url)));
        }
        text.push('\n');
    }
}

/// `text` formatted by `loupe fmt`'s printer; text it refuses (an id the
/// grammar cannot read, say) is refused here, naming the file.
fn lens_file(path: &str, text: &str) -> Result<PackFile, String> {
    match loupe_syntax::format::format(text) {
        Ok(text) => Ok(PackFile { path: path.to_owned(), text }),
        Err(loupe_syntax::format::FormatRefused::SyntaxErrors(errors)) => {
            let first = errors.first().map(|error| {
                let span = error.primary.span.range();
                let line = text[..span.start.min(text.len())].lines().count().max(1);
                format!(": {} (line {line} of the generated text)", error.message)
            });
            Err(format!("the lens cannot be written as `{path}`{}", first.unwrap_or_default()))
        }
        Err(loupe_syntax::format::FormatRefused::WouldChangeMeaning) => {
            Err(format!("the lens cannot be written as `{path}`: the formatter would change it"))
        }
    }
}

/// A string literal whose value is exactly `text`.
fn quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn toml_string(text: &str) -> String {
    // Ids are made of `[a-z0-9_]`: nothing to escape.
    format!("\"{text}\"")
}

/// The lens id: the name's letters and digits, lower case, words joined by `_`.
fn lens_id(name: &str) -> String {
    let mut id = String::new();
    for word in name.split(|c: char| !c.is_ascii_alphanumeric()).filter(|word| !word.is_empty()) {
        if !id.is_empty() {
            id.push('_');
        }
        id.push_str(&word.to_ascii_lowercase());
    }
    id.truncate(64);
    if id.is_empty() { "imported_lens".to_owned() } else { id }
}

/// A pillar id as part of a file name: only characters safe in any file system.
fn file_stem(id: &str) -> String {
    let stem: String =
        id.chars().take(64).map(|c| if c.is_ascii_alphanumeric() || c == '_' { c } else { '_' }).collect();
    if stem.is_empty() { "pillar".to_owned() } else { stem }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_parse_back_to_their_text() {
        for text in
            ["plain", "quote \" and \\ backslash", "line\nbreak\r\n\ttab", "unicode é ✓ 🦀 \u{2028}", "{braces}"]
        {
            let source = format!("lens x \"n\" {{\n  description {}\n}}\n", quoted(text));
            let parse = loupe_syntax::parse(&source);
            assert!(parse.errors.is_empty(), "{:?}", parse.errors);
            let description = parse.file.items.iter().find_map(|item| match item {
                loupe_syntax::Item::Lens(lens) => lens.description.clone(),
                _ => None,
            });
            assert_eq!(description.map(|d| d.value), Some(text.to_owned()));
        }
    }

    #[test]
    fn lens_ids_come_from_the_name() {
        assert_eq!(lens_id("Generative AI Lens"), "generative_ai_lens");
        assert_eq!(lens_id("  ✓✓ "), "imported_lens");
        assert_eq!(file_stem("../x"), "___x");
    }
}
