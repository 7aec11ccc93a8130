//! The names of a file and what each one names: the one walk of the tree
//! that hover, navigation and rename share.

use loupe_db::{BlockText, Builtin, Db, Pack, SourceFile, compiled_block, pack_index, parse_file};
use loupe_diagnostics::Span;
use loupe_syntax::{Block, Expr, ExprKind, Item, MessagePart, Name, Question, Statement};

/// What a name refers to, pack-wide.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Symbol {
    Lens(String),
    Pillar(String),
    Question(String),
    /// A choice, within its question (choice ids are unique per question).
    Choice {
        question: String,
        choice: String,
    },
    Predicate(String),
    Builtin(Builtin),
    /// A resource type string in `resources("…")`, quotes excluded.
    ResourceType(String),
    /// A predicate's parameter, a `let` binding, or a quantifier's or
    /// filter's variable: known by where it is bound.
    Local {
        file: SourceFile,
        binding: Span,
        name: String,
    },
}

/// A name in a file: where it is, what it names, and whether it defines it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Occurrence {
    pub symbol: Symbol,
    pub span: Span,
    /// For a definition, the whole item it names.
    pub definition: Option<Span>,
}

/// Every name of `file` that refers to a pack-wide symbol, in no particular order.
pub(crate) fn file_occurrences(db: &dyn Db, pack: Pack, file: SourceFile) -> Vec<Occurrence> {
    let mut out = Occurrences { db, pack, list: Vec::new() };
    for item in &parse_file(db, file).file.items {
        match item {
            Item::Lens(lens) => {
                if let Some(id) = &lens.id {
                    out.push(Symbol::Lens(id.text.clone()), id.span, Some(lens.span));
                }
                for pillar in &lens.pillar_order {
                    out.push(Symbol::Pillar(pillar.text.clone()), pillar.span, None);
                }
            }
            Item::Pillar(pillar) => {
                if let Some(id) = &pillar.id {
                    out.push(Symbol::Pillar(id.text.clone()), id.span, Some(pillar.span));
                }
                for question in &pillar.questions {
                    out.question(file, question);
                }
            }
            Item::Predicate(predicate) => {
                if let Some(name) = &predicate.name {
                    out.push(Symbol::Predicate(name.text.clone()), name.span, Some(predicate.span));
                }
                out.body(file, predicate.body, &predicate.params);
            }
            Item::Test(test) => {
                for expectation in &test.expectations {
                    let question = &expectation.question.text;
                    out.push(Symbol::Question(question.clone()), expectation.question.span, None);
                    if let Some(choice) = &expectation.choice {
                        let symbol = Symbol::Choice { question: question.clone(), choice: choice.text.clone() };
                        out.push(symbol, choice.span, None);
                    }
                }
            }
        }
    }
    out.list
}

/// The occurrence under `offset` (its end included, so that a cursor just
/// after a name still finds it).
pub(crate) fn occurrence_at(db: &dyn Db, pack: Pack, file: SourceFile, offset: u32) -> Option<Occurrence> {
    file_occurrences(db, pack, file)
        .into_iter()
        .filter(|occurrence| occurrence.span.start <= offset && offset <= occurrence.span.end)
        .min_by_key(|occurrence| occurrence.span.len())
}

/// Every occurrence of `symbol` in the pack, file by file in pack order.
pub(crate) fn pack_occurrences(db: &dyn Db, pack: Pack, symbol: &Symbol) -> Vec<(SourceFile, Occurrence)> {
    let mut found = Vec::new();
    for &file in pack.files(db) {
        let mut here: Vec<Occurrence> =
            file_occurrences(db, pack, file).into_iter().filter(|occurrence| occurrence.symbol == *symbol).collect();
        here.sort_by_key(|occurrence| (occurrence.span.start, occurrence.span.end));
        found.extend(here.into_iter().map(|occurrence| (file, occurrence)));
    }
    found
}

struct Occurrences<'a> {
    db: &'a dyn Db,
    pack: Pack,
    list: Vec<Occurrence>,
}

impl Occurrences<'_> {
    fn push(&mut self, symbol: Symbol, span: Span, definition: Option<Span>) {
        self.list.push(Occurrence { symbol, span, definition });
    }

    fn question(&mut self, file: SourceFile, question: &Question) {
        let Some(id) = &question.id else {
            // Its choices cannot be named without it; their checks still can call.
            for check in question.choices.iter().filter_map(|choice| choice.check.as_ref()) {
                self.body(file, check.body, &[]);
            }
            return;
        };
        self.push(Symbol::Question(id.text.clone()), id.span, Some(question.span));
        let choice = |choice: &str| Symbol::Choice { question: id.text.clone(), choice: choice.to_string() };
        for each in &question.choices {
            if let Some(choice_id) = &each.id {
                self.push(choice(&choice_id.text), choice_id.span, Some(each.span));
            }
            if let Some(check) = &each.check {
                self.body(file, check.body, &[]);
            }
        }
        for rule in question.risk.iter().flat_map(|risk| &risk.rules) {
            if let Some(condition) = &rule.condition {
                let mut names = Vec::new();
                condition_names(condition, &mut names);
                for (name, span) in names {
                    self.push(choice(name), span, None);
                }
            }
        }
    }

    /// The calls, resource types and local names of a check's or predicate's body.
    fn body(&mut self, file: SourceFile, body: Span, params: &[Name]) {
        let compiled = compiled_block(self.db, BlockText::of(self.db, file, body));
        let mut scope = Scope { file, base: body.start, bound: Vec::new() };
        for param in params {
            self.bind(&mut scope, &param.text, param.span);
        }
        self.block(&compiled.block, &mut scope);
    }

    /// A new local name, in scope until the scope is truncated.
    fn bind(&mut self, scope: &mut Scope, name: &str, binding: Span) {
        let symbol = Symbol::Local { file: scope.file, binding, name: name.to_string() };
        self.push(symbol, binding, Some(binding));
        scope.bound.push((name.to_string(), binding));
    }

    /// A block's statements in order: a `let` binds for the statements after it.
    fn block(&mut self, block: &Block, scope: &mut Scope) {
        let outer = scope.bound.len();
        for statement in &block.statements {
            match statement {
                Statement::Applies { condition, .. } => self.expr(condition, scope),
                Statement::Let { name, value, .. } => {
                    self.expr(value, scope);
                    self.bind(scope, &name.text, name.span.moved(scope.base));
                }
                Statement::Assert { condition, message, .. } => {
                    self.expr(condition, scope);
                    for part in message.iter().flat_map(|message| &message.parts) {
                        if let MessagePart::Interpolation(expr) = part {
                            self.expr(expr, scope);
                        }
                    }
                }
            }
        }
        scope.bound.truncate(outer);
    }

    fn expr(&mut self, expr: &Expr, scope: &mut Scope) {
        let base = scope.base;
        match &expr.kind {
            ExprKind::Call { function, args } => {
                let span = function.span.moved(base);
                if pack_index(self.db, self.pack).predicates.contains_key(&function.text) {
                    self.push(Symbol::Predicate(function.text.clone()), span, None);
                } else if let Some(builtin) = Builtin::lookup(&function.text) {
                    self.push(Symbol::Builtin(builtin), span, None);
                    if let Some(from) = builtin.resource_types_from() {
                        for arg in args.get(from..).unwrap_or_default() {
                            if let ExprKind::String(ty) = &arg.kind {
                                self.push(Symbol::ResourceType(ty.clone()), arg.span.moved(base), None);
                            }
                        }
                    }
                }
            }
            ExprKind::Var(name) => {
                // The innermost binding of the name; an unbound name is an error reported elsewhere.
                if let Some((_, binding)) = scope.bound.iter().rev().find(|(bound, _)| *bound == name.text) {
                    let symbol = Symbol::Local { file: scope.file, binding: *binding, name: name.text.clone() };
                    self.push(symbol, name.span.moved(base), None);
                }
            }
            // The variable is bound in the filter and the body, not in the source.
            ExprKind::Quantifier(quantifier) => {
                self.expr(&quantifier.source, scope);
                let outer = scope.bound.len();
                self.bind(scope, &quantifier.var.text, quantifier.var.span.moved(base));
                if let Some(filter) = &quantifier.filter {
                    self.expr(filter, scope);
                }
                self.block(&quantifier.body, scope);
                scope.bound.truncate(outer);
                return;
            }
            ExprKind::Filter { var, source, condition } => {
                self.expr(source, scope);
                let outer = scope.bound.len();
                self.bind(scope, &var.text, var.span.moved(base));
                self.expr(condition, scope);
                scope.bound.truncate(outer);
                return;
            }
            _ => {}
        }
        expr.kind.for_each_child(|child| self.expr(child, scope));
    }
}

/// The local names bound at a point of a body, innermost last.
struct Scope {
    file: SourceFile,
    /// Where the body starts in the file: its tree's spans are relative to it.
    base: u32,
    bound: Vec<(String, Span)>,
}

/// The choice ids a risk condition names (`a and not b`), with their spans.
fn condition_names<'e>(expr: &'e Expr, names: &mut Vec<(&'e str, Span)>) {
    if let ExprKind::Var(name) = &expr.kind {
        names.push((&name.text, name.span));
    }
    expr.kind.for_each_child(|child| condition_names(child, names));
}
