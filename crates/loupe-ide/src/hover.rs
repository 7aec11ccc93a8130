//! Hover: what the name under the cursor is, in Markdown.

use loupe_catalog::Catalog;
use loupe_db::{Db, Pack, pack_types, parse_file};
use loupe_eval::Workload;
use loupe_syntax::{BinaryOp, Choice, Expr, ExprKind, Item, Pillar, Predicate, Question, UnaryOp};

use crate::sample::choice_hover;
use crate::symbols::{Symbol, occurrence_at};
use crate::{FilePosition, HoverResult};

/// The title, texts and doc comment of the pillar, question, choice or lens
/// under the cursor (a question's risk rules in words), a predicate's or
/// built-in's signature and documentation, or what the catalog knows of a
/// resource type. A choice with a check shows its result on the pack's
/// sample evidence (`sample`), or that the pack has none.
pub fn hover(db: &dyn Db, pack: Pack, sample: Option<Workload>, at: FilePosition) -> Option<HoverResult> {
    let occurrence = occurrence_at(db, pack, at.file, at.offset)?;
    let markdown = match &occurrence.symbol {
        Symbol::Builtin(builtin) => {
            let spec = builtin.spec();
            sections([Some(code(&spec.signature())), Some(spec.doc.to_string())])
        }
        Symbol::ResourceType(ty) => resource_type(db, pack, ty),
        Symbol::Local { name, .. } => {
            code(name)
                + "\n\nA name local to this body: a predicate's parameter, a `let`, or a quantifier's or filter's variable."
        }
        symbol => match definition(db, pack, symbol)? {
            Definition::Lens(lens) => sections([
                Some(titled(lens.name.as_ref().map(|name| name.value.as_str()), "lens", &lens.id.as_ref()?.text)),
                lens.version.as_ref().map(|version| format!("version {}", version.value)),
                lens.doc.clone(),
                lens.description.as_ref().map(|text| text.value.clone()),
            ]),
            Definition::Pillar(pillar) => sections([
                Some(titled(pillar.name.as_ref().map(|name| name.value.as_str()), "pillar", &pillar.id.as_ref()?.text)),
                pillar.doc.clone(),
                pillar.description.as_ref().map(|text| text.value.clone()),
            ]),
            Definition::Question(question) => sections([
                Some(titled(
                    question.title.as_ref().map(|title| title.value.as_str()),
                    "question",
                    &question.id.as_ref()?.text,
                )),
                question.doc.clone(),
                question.description.as_ref().map(|text| text.value.clone()),
                risk_in_words(question),
            ]),
            Definition::Choice(question, choice) => {
                let question_id = &question.id.as_ref()?.text;
                let choice_id = &choice.id.as_ref()?.text;
                let what = if choice.is_none { "none-of-these choice" } else { "choice" };
                let answered =
                    if choice.check.is_some() { "Answered by its check." } else { "Answered by attestation." };
                sections([
                    Some(titled(
                        choice.title.as_ref().map(|title| title.value.as_str()),
                        what,
                        &format!("{choice_id}` of question `{question_id}"),
                    )),
                    choice.doc.clone(),
                    choice.description.as_ref().map(|text| text.value.clone()),
                    Some(answered.to_string()),
                    choice.check.as_ref().map(|_| choice_hover(db, pack, sample, question_id, choice_id)),
                ])
            }
            Definition::Predicate(predicate) => {
                let name = &predicate.name.as_ref()?.text;
                let params: Vec<&str> = predicate.params.iter().map(|param| param.text.as_str()).collect();
                sections([Some(code(&format!("predicate {name}({})", params.join(", ")))), predicate.doc.clone()])
            }
        },
    };
    Some(HoverResult { span: occurrence.span, markdown })
}

/// A definition in the tree of one of the pack's files.
enum Definition<'a> {
    Lens(&'a loupe_syntax::Lens),
    Pillar(&'a Pillar),
    Question(&'a Question),
    Choice(&'a Question, &'a Choice),
    Predicate(&'a Predicate),
}

/// The first definition of `symbol` in the pack.
fn definition<'a>(db: &'a dyn Db, pack: Pack, symbol: &Symbol) -> Option<Definition<'a>> {
    let named = |id: &Option<loupe_syntax::Name>, name: &str| id.as_ref().is_some_and(|id| id.text == name);
    pack.files(db).iter().find_map(|&file| {
        parse_file(db, file).file.items.iter().find_map(|item| match (item, symbol) {
            (Item::Lens(lens), Symbol::Lens(name)) if named(&lens.id, name) => Some(Definition::Lens(lens)),
            (Item::Pillar(pillar), Symbol::Pillar(name)) if named(&pillar.id, name) => Some(Definition::Pillar(pillar)),
            (Item::Pillar(pillar), Symbol::Question(name)) => {
                pillar.questions.iter().find(|question| named(&question.id, name)).map(Definition::Question)
            }
            (Item::Pillar(pillar), Symbol::Choice { question, choice }) => {
                let question = pillar.questions.iter().find(|each| named(&each.id, question))?;
                let choice = question.choices.iter().find(|each| named(&each.id, choice))?;
                Some(Definition::Choice(question, choice))
            }
            (Item::Predicate(predicate), Symbol::Predicate(name)) if named(&predicate.name, name) => {
                Some(Definition::Predicate(predicate))
            }
            _ => None,
        })
    })
}

/// `**Title** (pillar `id`)`, or the id alone when the title is missing.
fn titled(title: Option<&str>, what: &str, id: &str) -> String {
    match title {
        Some(title) => format!("**{title}** ({what} `{id}`)"),
        None => format!("{what} `{id}`"),
    }
}

fn code(text: &str) -> String {
    format!("```lens\n{text}\n```")
}

/// The present sections, separated by blank lines.
fn sections<const N: usize>(parts: [Option<String>; N]) -> String {
    parts.into_iter().flatten().filter(|part| !part.trim().is_empty()).collect::<Vec<_>>().join("\n\n")
}

/// The risk rules with each choice named by its title: "- **high** otherwise".
fn risk_in_words(question: &Question) -> Option<String> {
    let risk = question.risk.as_ref()?;
    let mut lines = vec!["Risk:".to_string()];
    for rule in &risk.rules {
        let level = rule.level.as_str();
        lines.push(match &rule.condition {
            Some(condition) => format!("- **{level}** when {}", condition_in_words(question, condition)),
            None => format!("- **{level}** otherwise"),
        });
    }
    Some(lines.join("\n"))
}

fn condition_in_words(question: &Question, expr: &Expr) -> String {
    // An `or` inside an `and` or a `not` keeps its parentheses.
    let nested = |inner: &Expr| match &inner.kind {
        ExprKind::Binary { op: BinaryOp::Or | BinaryOp::And, .. } => {
            format!("({})", condition_in_words(question, inner))
        }
        _ => condition_in_words(question, inner),
    };
    match &expr.kind {
        ExprKind::Var(name) => {
            let choice =
                question.choices.iter().find(|choice| choice.id.as_ref().is_some_and(|id| id.text == name.text));
            match choice.and_then(|choice| choice.title.as_ref()) {
                Some(title) => format!("“{}”", title.value),
                None => format!("`{}`", name.text),
            }
        }
        ExprKind::Bool(value) => value.to_string(),
        ExprKind::Unary { op: UnaryOp::Not, operand } => format!("not {}", nested(operand)),
        ExprKind::Binary { op: op @ (BinaryOp::And | BinaryOp::Or), lhs, rhs, .. } => {
            let side = |inner: &Expr| match &inner.kind {
                ExprKind::Binary { op: inner_op, .. } if inner_op == op => condition_in_words(question, inner),
                _ => nested(inner),
            };
            format!("{} {} {}", side(lhs), op.as_str(), side(rhs))
        }
        _ => "…".to_string(),
    }
}

/// Whether the pack or the catalog knows the type, and from which provider.
fn resource_type(db: &dyn Db, pack: Pack, ty: &str) -> String {
    let catalog = Catalog::builtin();
    let provider = if ty.contains("::") { "CloudFormation" } else { "the Terraform AWS provider" };
    let known = if pack_types(db, pack).types.contains_key(ty) {
        "declared in the pack's `loupe.toml`".to_string()
    } else if catalog.knows_type(ty) {
        let properties = catalog.properties(ty).map_or(0, Iterator::count);
        let plural = if properties == 1 { "y" } else { "ies" };
        format!("a resource type of {provider}, with {properties} top-level propert{plural}")
    } else if let Some(prefix) = ty.strip_suffix('*').filter(|prefix| catalog.knows_prefix(prefix)) {
        format!("every type of {provider} starting with `{prefix}`")
    } else if catalog.covers(ty) {
        let help = pack_types(db, pack).unknown_type(ty).map(|help| format!(": {help}")).unwrap_or_default();
        format!("not a resource type of {provider}{help}")
    } else {
        "outside the catalog (a custom resource, another provider or a Kubernetes kind): not checked".to_string()
    };
    format!("`{ty}`: {known}")
}
