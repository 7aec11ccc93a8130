//! Code actions: quick fixes for the diagnostics under a range, read from
//! the diagnostics the database reports (so a fix and its diagnostic never
//! disagree), and the refactors that apply to the question there.

use loupe_db::{Code, Db, MAX_CHOICES, Pack, SourceFile, file_diagnostics, id_problem, parse_file};
use loupe_diagnostics::Span;
use loupe_diagnostics::suggest::suggested;
use loupe_syntax::format::INDENT;
use loupe_syntax::{Item, Question, RiskLevel};

use crate::navigation::rename;
use crate::text::block_from_brace;
use crate::{FilePosition, FileRange, TextEdit};

/// One action an editor can offer: its title, and the edits that do it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Assist {
    pub label: String,
    pub kind: AssistKind,
    /// The diagnostic it makes go away, if it is a fix.
    pub fixes: Option<FixedDiagnostic>,
    /// Byte spans, possibly in several files of the pack.
    pub edits: Vec<TextEdit>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AssistKind {
    QuickFix,
    Refactor,
}

/// Which diagnostic an assist fixes: its code and its primary span, in the
/// file the assists were asked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct FixedDiagnostic {
    pub code: Code,
    pub span: Span,
}

/// The actions for `range`: a fix for each diagnostic it touches that has a
/// mechanical one, then the refactors of the question whose header it
/// touches.
pub fn assists(db: &dyn Db, pack: Pack, range: FileRange) -> Vec<Assist> {
    let FileRange { file, span: range } = range;
    let text = file.text(db).as_str();
    let root = &parse_file(db, file).file;
    let questions: Vec<&Question> = root
        .items
        .iter()
        .filter_map(|item| if let Item::Pillar(pillar) = item { Some(pillar) } else { None })
        .flat_map(|pillar| &pillar.questions)
        .collect();
    let mut assists = Vec::new();
    for diagnostic in file_diagnostics(db, pack, file) {
        let span = diagnostic.primary.span;
        if diagnostic.primary.file != file || !touches(span, range) {
            continue;
        }
        let fix = match diagnostic.code {
            Code::MissingOtherwise => questions
                .iter()
                .find(|question| question.span.contains(span))
                .and_then(|question| add_otherwise(text, question)),
            Code::InvalidId => fix_id_characters(db, pack, file, text, span),
            _ => diagnostic.help.as_deref().and_then(suggested).and_then(|known| replace_name(text, span, known)),
        };
        if let Some((label, edits)) = fix {
            let fixes = Some(FixedDiagnostic { code: diagnostic.code, span });
            let edits = edits.into_iter().map(|edit| edit.in_file(file)).collect();
            assists.push(Assist { label, kind: AssistKind::QuickFix, fixes, edits });
        }
    }
    for question in questions.iter().filter(|question| touches(header(text, question), range)) {
        if let Some((label, edit)) = add_none_choice(text, question) {
            let edits = vec![edit.in_file(file)];
            assists.push(Assist { label, kind: AssistKind::Refactor, fixes: None, edits });
        }
    }
    assists
}

/// An edit of the file at hand, or one already placed in its file (a rename's).
enum Edit {
    Here(Span, String),
    Placed(TextEdit),
}

impl Edit {
    fn in_file(self, file: SourceFile) -> TextEdit {
        match self {
            Edit::Here(span, new_text) => TextEdit { file, span, new_text },
            Edit::Placed(edit) => edit,
        }
    }
}

/// Whether two spans overlap or meet (a cursor is an empty range).
fn touches(span: Span, range: Span) -> bool {
    span.start <= range.end && range.start <= span.end
}

/// A question's header: from its keyword to its opening brace.
fn header(text: &str, question: &Question) -> Span {
    let end = block_from_brace(text, question.span).map_or(question.span.end, |block| block.start + 1);
    Span { start: question.keyword.start, end }
}

/// Adds the missing `otherwise` as the last rule, at a level no rule uses,
/// or a risk block of `high otherwise` where there is none. Nothing when
/// there are three rules or every level is taken: a fourth rule, or a level
/// used twice, would be an error of its own.
fn add_otherwise(text: &str, question: &Question) -> Option<(String, Vec<Edit>)> {
    let indent = line_indent(text, question.keyword.start);
    let Some(block) = &question.risk else {
        let entry = format!("{indent}{INDENT}");
        let lines = [format!("{entry}risk {{"), format!("{entry}{INDENT}high otherwise"), format!("{entry}}}")];
        let edit = before_closing_brace(text, question.span, &lines, indent)?;
        return Some(("Add `risk { high otherwise }`".to_string(), vec![edit]));
    };
    if block.rules.len() >= 3 {
        return None;
    }
    let used = |level: &RiskLevel| block.rules.iter().any(|rule| rule.level == *level);
    let level = [RiskLevel::High, RiskLevel::Medium, RiskLevel::None].into_iter().find(|level| !used(level))?;
    let rule = format!("{} otherwise", level.as_str());
    let risk_indent = line_indent(text, block.span.start);
    let edit = before_closing_brace(text, block.span, &[format!("{risk_indent}{INDENT}{rule}")], risk_indent)?;
    Some((format!("Add `{rule}`"), vec![edit]))
}

/// Adds `none ID_no "None of these"` after the question's last choice, when
/// it has no none-of-these choice and room for one.
fn add_none_choice(text: &str, question: &Question) -> Option<(String, Edit)> {
    let id = question.id.as_ref()?;
    let none_id = format!("{}_no", id.text);
    let taken =
        |choice: &loupe_syntax::Choice| choice.is_none || choice.id.as_ref().is_some_and(|id| id.text == none_id);
    if question.choices.iter().any(taken)
        || question.choices.len() >= MAX_CHOICES
        || id_problem(&none_id, "choice").is_some()
    {
        return None;
    }
    let indent = line_indent(text, question.keyword.start);
    let line = format!("{indent}{INDENT}none {none_id} \"None of these\"");
    let label = format!("Add the none-of-these choice `{none_id}`");
    // After the last choice's line, so a comment ending it stays there.
    let close = block_from_brace(text, question.span).map(|block| block.end.saturating_sub(1));
    if let Some(last) = question.choices.last() {
        let line_end = text[last.span.end as usize..].find('\n').map_or(text.len(), |at| last.span.end as usize + at);
        if close.is_none_or(|close| line_end <= close as usize) {
            return Some((label, Edit::Here(Span::empty(line_end), format!("\n{line}"))));
        }
    }
    Some((label, before_closing_brace(text, question.span, &[line], indent)?))
}

/// Renames an id whose only problem is its characters (each illegal one
/// becomes `_`), everywhere it is used; nothing when the new id clashes or
/// is still not an id (which the rename refuses).
fn fix_id_characters(db: &dyn Db, pack: Pack, file: SourceFile, text: &str, span: Span) -> Option<(String, Vec<Edit>)> {
    let id = text.get(span.range())?;
    let fixed: String = id.chars().map(|c| if c.is_ascii_alphanumeric() || c == '_' { c } else { '_' }).collect();
    if fixed == id {
        return None;
    }
    let edits = rename(db, pack, FilePosition { file, offset: span.start }, &fixed).ok()?;
    (!edits.is_empty()).then(|| (format!("Rename to `{fixed}`"), edits.into_iter().map(Edit::Placed).collect()))
}

/// Replaces the unknown name at `span` with the one its diagnostic suggests:
/// the whole name, or the inside of a string (a resource type).
fn replace_name(text: &str, span: Span, known: &str) -> Option<(String, Vec<Edit>)> {
    let written = text.get(span.range())?;
    let is_name = !written.is_empty() && written.chars().all(|c| c.is_alphanumeric() || c == '_' || c == '-');
    let target = if is_name {
        span
    } else if written.len() >= 2 && written.starts_with('"') && written.ends_with('"') {
        Span { start: span.start + 1, end: span.end - 1 }
    } else {
        return None;
    };
    (text.get(target.range()) != Some(known))
        .then(|| (format!("Replace with `{known}`"), vec![Edit::Here(target, known.to_string())]))
}

/// The edit that puts `lines` on lines of their own before the closing
/// brace of the block in `span`, the brace then at `indent`; nothing for an
/// unclosed block. Blank space before the brace is replaced, comments kept.
fn before_closing_brace(text: &str, span: Span, lines: &[String], indent: &str) -> Option<Edit> {
    let block = block_from_brace(text, span)?;
    let covered = text.get(block.range())?;
    if covered.len() < 2 || !covered.ends_with('}') {
        return None;
    }
    let brace = block.end as usize - 1;
    let content_end = text[..brace].trim_end().len();
    Some(Edit::Here(Span::new(content_end, brace), format!("\n{}\n{indent}", lines.join("\n"))))
}

/// The blanks that start the line `offset` is on.
fn line_indent(text: &str, offset: u32) -> &str {
    let start = text[..offset as usize].rfind('\n').map_or(0, |at| at + 1);
    let line = &text[start..];
    &line[..line.len() - line.trim_start_matches([' ', '\t']).len()]
}
