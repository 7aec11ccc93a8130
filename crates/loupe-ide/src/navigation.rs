//! Go to definition, find references and rename: every occurrence of the
//! symbol under the cursor, across the pack's files.

use loupe_db::{Builtin, Db, Pack, pack_index, parse_file};
use loupe_diagnostics::Span;
use loupe_syntax::Item;

use crate::completion::is_keyword;
use crate::symbols::{Symbol, file_occurrences, occurrence_at, pack_occurrences};
use crate::{FilePosition, FileRange, NavigationTarget, RenameError, SymbolKind, TextEdit};

/// The definitions of the pillar, question, choice or predicate under the cursor.
pub fn goto_definition(db: &dyn Db, pack: Pack, at: FilePosition) -> Vec<NavigationTarget> {
    let Some(occurrence) = occurrence_at(db, pack, at.file, at.offset) else { return Vec::new() };
    pack_occurrences(db, pack, &occurrence.symbol)
        .into_iter()
        .filter_map(|(file, found)| {
            Some(NavigationTarget {
                file,
                full_span: found.definition?,
                focus_span: found.span,
                name: symbol_name(&found.symbol),
                kind: symbol_kind(&found.symbol)?,
            })
        })
        .collect()
}

/// What a symbol defined in a file is; built-ins and resource types are defined in none.
fn symbol_kind(symbol: &Symbol) -> Option<SymbolKind> {
    match symbol {
        Symbol::Lens(_) => Some(SymbolKind::Lens),
        Symbol::Pillar(_) => Some(SymbolKind::Pillar),
        Symbol::Question(_) => Some(SymbolKind::Question),
        Symbol::Choice { .. } => Some(SymbolKind::Choice),
        Symbol::Predicate(_) => Some(SymbolKind::Predicate),
        Symbol::Local { .. } => Some(SymbolKind::Variable),
        Symbol::Builtin(_) | Symbol::ResourceType(_) => None,
    }
}

/// Every use of the symbol under the cursor, its definitions too if asked.
pub fn references(db: &dyn Db, pack: Pack, at: FilePosition, include_declaration: bool) -> Vec<FileRange> {
    let Some(occurrence) = occurrence_at(db, pack, at.file, at.offset) else { return Vec::new() };
    pack_occurrences(db, pack, &occurrence.symbol)
        .into_iter()
        .filter(|(_, found)| include_declaration || found.definition.is_none())
        .map(|(file, found)| FileRange { file, span: found.span })
        .collect()
}

/// The edits that rename the pillar, question, choice or predicate under the
/// cursor in every file of the pack; refused when `new_name` is not a valid
/// id or names another one of its kind.
pub fn rename(db: &dyn Db, pack: Pack, at: FilePosition, new_name: &str) -> Result<Vec<TextEdit>, RenameError> {
    let refuse = |message: String| Err(RenameError { message });
    let Some(occurrence) = occurrence_at(db, pack, at.file, at.offset) else {
        return refuse("nothing to rename here".to_string());
    };
    let index = pack_index(db, pack);
    let (what, taken) = match &occurrence.symbol {
        Symbol::Pillar(_) => ("pillar", index.pillars.contains_key(new_name)),
        Symbol::Question(_) => ("question", index.questions.contains_key(new_name)),
        Symbol::Choice { question, .. } => {
            let choices = index.question_choices.get(question).map(Vec::as_slice).unwrap_or_default();
            ("choice", choices.iter().any(|choice| choice == new_name))
        }
        Symbol::Predicate(_) => ("predicate", index.predicates.contains_key(new_name)),
        Symbol::Local { file, binding, .. } => {
            // Another name bound in the same body could be shadowed or shadow it.
            // A parameter is bound in the predicate's header, outside its body.
            let root = &parse_file(db, *file).file;
            let predicates = root.items.iter().filter_map(|item| match item {
                Item::Predicate(predicate) => Some(predicate.span),
                _ => None,
            });
            let body = predicates.chain(root.bodies()).find(|body| body.contains(*binding));
            let same_body = |span: Span| body.is_some_and(|body| body.contains(span));
            let taken = file_occurrences(db, pack, *file).iter().any(|other| {
                matches!(&other.symbol, Symbol::Local { name, .. } if name == new_name) && same_body(other.span)
            });
            ("variable", taken)
        }
        Symbol::Lens(_) | Symbol::Builtin(_) | Symbol::ResourceType(_) => {
            return refuse("only pillars, questions, choices, predicates and variables can be renamed".to_string());
        }
    };
    if symbol_name(&occurrence.symbol) == new_name {
        return Ok(Vec::new());
    }
    let problem = match &occurrence.symbol {
        Symbol::Predicate(_) => predicate_name_problem(new_name),
        Symbol::Local { .. } => identifier_problem(new_name),
        _ => loupe_db::id_problem(new_name, what),
    };
    if let Some(problem) = problem {
        return refuse(format!("{what} name `{new_name}` {problem}"));
    }
    if is_keyword(new_name) {
        return refuse(format!("`{new_name}` is a keyword"));
    }
    if taken {
        return refuse(format!("a {what} named `{new_name}` already exists"));
    }
    let edits = pack_occurrences(db, pack, &occurrence.symbol).into_iter().map(|(file, found)| TextEdit {
        file,
        span: found.span,
        new_text: new_name.to_string(),
    });
    Ok(edits.collect())
}

/// Why `name` is not an identifier (`[A-Za-z_][A-Za-z0-9_]*`).
fn identifier_problem(name: &str) -> Option<String> {
    let is_ident_char = |c: char| c.is_ascii_alphanumeric() || c == '_';
    if let Some(bad) = name.chars().find(|&c| !is_ident_char(c)) {
        Some(format!("contains `{bad}`"))
    } else if !name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') {
        Some("does not start with a letter or `_`".to_string())
    } else {
        None
    }
}

/// Why `name` cannot name a predicate: not an identifier, or a built-in's
/// name, which the calls would then mean instead.
fn predicate_name_problem(name: &str) -> Option<String> {
    identifier_problem(name)
        .or_else(|| Builtin::lookup(name).is_some().then(|| "is the name of a built-in function".to_string()))
}

/// The name as written: a choice's own id, without its question.
pub(crate) fn symbol_name(symbol: &Symbol) -> String {
    match symbol {
        Symbol::Lens(name)
        | Symbol::Pillar(name)
        | Symbol::Question(name)
        | Symbol::Predicate(name)
        | Symbol::ResourceType(name)
        | Symbol::Local { name, .. } => name.clone(),
        Symbol::Choice { choice, .. } => choice.clone(),
        Symbol::Builtin(builtin) => builtin.name().to_string(),
    }
}
