//! The outline of a file and of the workspace, and the folds of a file.

use loupe_db::{BlockText, Db, Pack, SourceFile, compiled_block, parse_file};
use loupe_diagnostics::Span;
use loupe_syntax::{Block, CommentKind, Expr, ExprKind, Item, Name, Text};

use crate::text::block_from_brace;
use crate::{DocumentSymbol, Fold, FoldKind, NavigationTarget, SymbolKind};

/// The file's items: lens header, pillars with their questions and choices,
/// predicates and tests. An item without its name is left out.
pub fn document_symbols(db: &dyn Db, file: SourceFile) -> Vec<DocumentSymbol> {
    let title = |text: &Option<Text>| text.as_ref().map(|text| text.value.clone());
    let symbol = |name: &Name, detail, kind, span, children| DocumentSymbol {
        name: name.text.clone(),
        detail,
        kind,
        span,
        focus_span: name.span,
        children,
    };
    let mut symbols = Vec::new();
    for item in &parse_file(db, file).file.items {
        match item {
            Item::Lens(lens) => {
                if let Some(id) = &lens.id {
                    symbols.push(symbol(id, title(&lens.name), SymbolKind::Lens, lens.span, Vec::new()));
                }
            }
            Item::Pillar(pillar) => {
                let Some(id) = &pillar.id else { continue };
                let questions = pillar.questions.iter().filter_map(|question| {
                    let choices = question.choices.iter().filter_map(|choice| {
                        let id = choice.id.as_ref()?;
                        Some(symbol(id, title(&choice.title), SymbolKind::Choice, choice.span, Vec::new()))
                    });
                    let id = question.id.as_ref()?;
                    Some(symbol(id, title(&question.title), SymbolKind::Question, question.span, choices.collect()))
                });
                symbols.push(symbol(id, title(&pillar.name), SymbolKind::Pillar, pillar.span, questions.collect()));
            }
            Item::Predicate(predicate) => {
                let Some(name) = &predicate.name else { continue };
                let params: Vec<&str> = predicate.params.iter().map(|param| param.text.as_str()).collect();
                let signature = format!("({})", params.join(", "));
                symbols.push(symbol(name, Some(signature), SymbolKind::Predicate, predicate.span, Vec::new()));
            }
            Item::Test(test) => {
                let Some(name) = &test.name else { continue };
                symbols.push(DocumentSymbol {
                    name: name.value.clone(),
                    detail: None,
                    kind: SymbolKind::Test,
                    span: test.span,
                    focus_span: name.span,
                    children: Vec::new(),
                });
            }
        }
    }
    symbols
}

/// The symbols of every file of `packs` whose name contains `query`, ignoring
/// case (every symbol for an empty query), in pack and file order.
pub fn workspace_symbols(db: &dyn Db, packs: &[Pack], query: &str) -> Vec<NavigationTarget> {
    let query = query.to_lowercase();
    let mut found = Vec::new();
    for &pack in packs {
        for &file in pack.files(db) {
            let mut stack = document_symbols(db, file);
            stack.reverse();
            while let Some(symbol) = stack.pop() {
                if symbol.name.to_lowercase().contains(&query) {
                    found.push(NavigationTarget {
                        file,
                        full_span: symbol.span,
                        focus_span: symbol.focus_span,
                        name: symbol.name.clone(),
                        kind: symbol.kind,
                    });
                }
                stack.extend(symbol.children.into_iter().rev());
            }
        }
    }
    found
}

/// Every `{ … }` block that spans lines (items, questions, choices, risk
/// blocks, checks, predicate bodies, quantifier bodies), and every comment
/// or run of line comments on consecutive lines that spans lines.
pub fn folding_ranges(db: &dyn Db, file: SourceFile) -> Vec<Fold> {
    let text = file.text(db);
    let parse = parse_file(db, file);
    let mut blocks = Vec::new();
    for item in &parse.file.items {
        match item {
            Item::Lens(lens) => blocks.push(lens.span),
            Item::Pillar(pillar) => {
                blocks.push(pillar.span);
                for question in &pillar.questions {
                    blocks.push(question.span);
                    blocks.extend(question.risk.as_ref().map(|risk| risk.span));
                    for choice in &question.choices {
                        blocks.push(choice.span);
                    }
                }
            }
            Item::Predicate(predicate) => blocks.push(predicate.span),
            Item::Test(test) => blocks.push(test.span),
        }
    }
    for body in parse.file.bodies() {
        blocks.push(body);
        let compiled = compiled_block(db, BlockText::of(db, file, body));
        quantifier_bodies(&compiled.block, body.start, &mut blocks);
    }
    let spans_lines = |span: Span| text.get(span.range()).is_some_and(|covered| covered.contains('\n'));
    let mut folds: Vec<Fold> = blocks
        .into_iter()
        .filter_map(|span| block_from_brace(text, span))
        .filter(|&span| spans_lines(span))
        .map(|span| Fold { span, kind: FoldKind::Region })
        .collect();
    let mut run: Option<Span> = None;
    for comment in &parse.file.comments {
        let is_line = comment.kind != CommentKind::Block;
        let joins = run.is_some_and(|run| {
            is_line && text.get(run.end as usize..comment.span.start as usize).is_some_and(is_one_line_break)
        });
        match run {
            Some(current) if joins => run = Some(current.cover(comment.span)),
            _ => {
                folds.extend(run.take().filter(|&span| spans_lines(span)).map(comment_fold));
                if is_line {
                    run = Some(comment.span);
                } else if spans_lines(comment.span) {
                    folds.push(comment_fold(comment.span));
                }
            }
        }
    }
    folds.extend(run.filter(|&span| spans_lines(span)).map(comment_fold));
    folds.sort_by_key(|fold| (fold.span.start, std::cmp::Reverse(fold.span.end)));
    folds.dedup();
    folds
}

fn comment_fold(span: Span) -> Fold {
    Fold { span, kind: FoldKind::Comment }
}

/// Only whitespace with exactly one line break: two comments on consecutive lines.
fn is_one_line_break(between: &str) -> bool {
    between.trim().is_empty() && between.matches('\n').count() == 1
}

fn quantifier_bodies(block: &Block, base: u32, spans: &mut Vec<Span>) {
    block.for_each_expression(|expr| quantifier_bodies_in(expr, base, spans));
}

fn quantifier_bodies_in(expr: &Expr, base: u32, spans: &mut Vec<Span>) {
    if let ExprKind::Quantifier(quantifier) = &expr.kind {
        spans.push(quantifier.body.span.moved(base));
    }
    expr.kind.for_each_child(|child| quantifier_bodies_in(child, base, spans));
}

/// The spans around `offset`, innermost first, each inside the next: the
/// name or expression under it, its statement, the check, the choice, the
/// question, the pillar, the whole file (for "expand selection").
pub fn selection_ranges(db: &dyn Db, file: SourceFile, offset: u32) -> Vec<Span> {
    let text = file.text(db);
    let parse = parse_file(db, file);
    let mut spans = vec![Span::new(0, text.len())];
    let name = |name: &Option<Name>| name.as_ref().map(|name| name.span);
    let string = |text: &Option<Text>| text.as_ref().map(|text| text.span);
    for item in &parse.file.items {
        match item {
            Item::Lens(lens) => {
                spans.extend(
                    [Some(lens.span), name(&lens.id), string(&lens.name), string(&lens.description)]
                        .into_iter()
                        .flatten(),
                );
                spans.extend(lens.pillar_order.iter().map(|pillar| pillar.span));
            }
            Item::Pillar(pillar) => {
                spans.extend(
                    [Some(pillar.span), name(&pillar.id), string(&pillar.name), string(&pillar.description)]
                        .into_iter()
                        .flatten(),
                );
                for question in &pillar.questions {
                    spans.extend(
                        [
                            Some(question.span),
                            name(&question.id),
                            string(&question.title),
                            string(&question.description),
                        ]
                        .into_iter()
                        .flatten(),
                    );
                    if let Some(risk) = &question.risk {
                        spans.push(risk.span);
                        for rule in &risk.rules {
                            spans.push(rule.span);
                            if let Some(condition) = &rule.condition {
                                expr_spans(condition, 0, &mut spans);
                            }
                        }
                    }
                    for choice in &question.choices {
                        spans.extend(
                            [Some(choice.span), name(&choice.id), string(&choice.title), string(&choice.description)]
                                .into_iter()
                                .flatten(),
                        );
                        spans.extend(choice.check.as_ref().map(|check| check.span));
                    }
                }
            }
            Item::Predicate(predicate) => {
                spans.extend([Some(predicate.span), name(&predicate.name)].into_iter().flatten());
                spans.extend(predicate.params.iter().map(|param| param.span));
            }
            Item::Test(test) => {
                spans.extend([Some(test.span), string(&test.name)].into_iter().flatten());
                spans.extend(test.evidence.iter().map(|evidence| evidence.span));
                for expectation in &test.expectations {
                    spans.push(expectation.span);
                    spans.push(expectation.question.span);
                    spans.extend(expectation.choice.as_ref().map(|choice| choice.span));
                }
            }
        }
    }
    for body in parse.file.bodies().filter(|body| body.contains(Span::empty(offset as usize))) {
        spans.push(body);
        let compiled = compiled_block(db, BlockText::of(db, file, body));
        for statement in &compiled.block.statements {
            spans.push(statement.span().moved(body.start));
        }
        compiled.block.for_each_expression(|expr| expr_spans(expr, body.start, &mut spans));
    }
    spans.retain(|span| span.start <= offset && offset <= span.end);
    spans.sort_by_key(|span| (span.len(), std::cmp::Reverse(span.start)));
    spans.dedup();
    // Each range must hold the one before it; a span that crosses another is dropped.
    let mut nested: Vec<Span> = Vec::with_capacity(spans.len());
    for span in spans {
        if nested.last().is_none_or(|&inner| span.contains(inner) && span != inner) {
            nested.push(span);
        }
    }
    nested
}

fn expr_spans(expr: &Expr, base: u32, spans: &mut Vec<Span>) {
    spans.push(expr.span.moved(base));
    if let ExprKind::Quantifier(quantifier) = &expr.kind {
        spans.push(quantifier.body.span.moved(base));
        for statement in &quantifier.body.statements {
            spans.push(statement.span().moved(base));
        }
    }
    expr.kind.for_each_child(|child| expr_spans(child, base, spans));
}
