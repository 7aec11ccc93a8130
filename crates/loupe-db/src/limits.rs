//! The AWS Well-Architected custom lens limits, so that a pack that checks
//! clean always imports into the Well-Architected Tool.

use loupe_syntax::{Link, Name, Text};

use crate::{Code, Diagnostic, Label, SourceFile};

pub const MAX_PILLARS: usize = 10;
pub const MAX_QUESTIONS: usize = 20;
pub const MAX_CHOICES: usize = 15;
pub const MAX_ADDITIONAL: usize = 5;
pub const MAX_TITLE: usize = 128;
pub const MAX_TEXT: usize = 2048;
/// The Well-Architected Tool's limit on a lens file.
pub const MAX_LENS_BYTES: usize = 500 * 1000;

/// An upper bound on the bytes this file adds to the exported lens JSON
/// (compact, as `loupe export` writes it): every text escaped, plus the
/// keys and punctuation around it.
pub fn export_bytes(file: &loupe_syntax::SyntaxRoot) -> usize {
    use loupe_syntax::Item;
    fn text(text: &Option<Text>) -> usize {
        text.as_ref().map_or(0, |text| escaped(&text.value))
    }
    fn escaped(value: &str) -> usize {
        // Control characters become six-byte \u escapes; `"` and `\` two bytes
        // (JSON escapes no other character).
        value.len() + value.bytes().filter(|&b| matches!(b, b'"' | b'\\') || b < 0x20).count() * 5
    }
    fn links(links: &[Link]) -> usize {
        links
            .iter()
            .map(|link| 64 + escaped(&link.text.value) + link.url.as_ref().map_or(0, |url| escaped(&url.value)))
            .sum()
    }
    let name = |id: &Option<Name>| id.as_ref().map_or(0, |id| id.text.len());
    let mut bytes = 0;
    for item in &file.items {
        match item {
            Item::Lens(lens) => bytes += 96 + text(&lens.name) + text(&lens.description),
            Item::Pillar(pillar) => {
                bytes += 48 + name(&pillar.id) + text(&pillar.name);
                for question in &pillar.questions {
                    // Three risk rules at most, each a condition over choice ids.
                    let ids: usize = question.choices.iter().map(|choice| name(&choice.id) + 4).sum();
                    bytes += 96 + name(&question.id) + text(&question.title) + text(&question.description);
                    bytes += links(&question.helpful) + 3 * (48 + ids);
                    for choice in &question.choices {
                        bytes += 64 + name(&choice.id) + text(&choice.title) + text(&choice.description);
                        bytes += links(&choice.helpful) + links(&choice.improve);
                    }
                }
            }
            Item::Predicate(_) | Item::Test(_) => {}
        }
    }
    bytes
}

/// Why `id` is not a valid Well-Architected id for a `what` ("pillar",
/// "question" or "choice"): "contains `-`", "is 2 characters long"; `None`
/// when it is valid. Ids are `[A-Za-z0-9_]`, 3 to 64 characters. Choice ids
/// also start with a letter or `_`, so that risk rules can name them.
pub fn id_problem(id: &str, what: &str) -> Option<String> {
    let bad = id.chars().find(|c| !(c.is_ascii_alphanumeric() || *c == '_'));
    let length = id.chars().count();
    if let Some(bad) = bad {
        Some(format!("contains `{bad}`"))
    } else if what == "choice" && id.starts_with(|c: char| c.is_ascii_digit()) {
        Some("starts with a digit".to_string())
    } else if length < 3 {
        Some(format!("is {length} character{} long", if length == 1 { "" } else { "s" }))
    } else if length > 64 {
        Some(format!("is {length} characters long"))
    } else {
        None
    }
}

pub(crate) struct Limits<'a> {
    pub file: SourceFile,
    pub diagnostics: &'a mut Vec<Diagnostic>,
}

impl Limits<'_> {
    /// Reports an id that breaks [`id_problem`]'s rules.
    pub fn id(&mut self, id: &Name, what: &str) {
        let Some(problem) = id_problem(&id.text, what) else { return };
        let bad = id.text.chars().find(|c| !(c.is_ascii_alphanumeric() || *c == '_'));
        let leading_digit = what == "choice" && id.text.starts_with(|c: char| c.is_ascii_digit());
        let help = match bad {
            Some('-') => format!("write `{}`", id.text.replace('-', "_")),
            _ if leading_digit => "risk rules name choices, so a choice id starts with a letter or `_`".to_string(),
            _ => "an id has 3 to 64 letters, digits or underscores".to_string(),
        };
        self.diagnostics.push(
            Diagnostic::new(
                Code::InvalidId,
                format!("{what} id `{}` {problem}", id.text),
                Label::new(self.file, id.span, "not a valid Well-Architected id"),
            )
            .with_help(help),
        );
    }

    /// A text that must be present, not blank, and at most `max` characters.
    pub fn text(&mut self, text: &Text, max: usize, what: impl std::fmt::Display) {
        if text.value.trim().is_empty() {
            self.diagnostics.push(
                Diagnostic::new(
                    Code::MissingText,
                    format!("{what} is empty"),
                    Label::new(self.file, text.span, "empty text"),
                )
                .with_help("the Well-Architected Tool requires a text here"),
            );
            return;
        }
        // A text of at most `max` bytes has at most `max` characters: only
        // longer ones are counted.
        let length = if text.value.len() > max { text.value.chars().count() } else { text.value.len() };
        if length > max {
            self.diagnostics.push(
                Diagnostic::new(
                    Code::TextTooLong,
                    format!("{what} has {length} characters, at most {max} are accepted"),
                    Label::new(self.file, text.span, format!("{} characters too many", length - max)),
                )
                .with_help("shorten it; put details in the linked documentation"),
            );
        }
    }

    /// A `helpful`/`improve` link: text within bounds and an http(s) URL.
    pub fn link(&mut self, link: &Link, what: &str) {
        self.text(&link.text, MAX_TEXT, format_args!("the display text of {what}"));
        if let Some(url) = &link.url
            && !(url.value.starts_with("https://") || url.value.starts_with("http://"))
        {
            self.diagnostics.push(
                Diagnostic::new(
                    Code::InvalidUrl,
                    format!("`{}` is not an http(s) URL", url.value),
                    Label::new(self.file, url.span, "not accepted"),
                )
                .with_help("URLs start with `https://` or `http://`"),
            );
        }
    }

    /// The first link is the main one; at most five more are accepted.
    pub fn links(&mut self, links: &[Link], what: &str, keyword: &str) {
        for link in links {
            self.link(link, what);
        }
        if let Some(extra) = links.get(1 + MAX_ADDITIONAL) {
            self.diagnostics.push(
                Diagnostic::new(
                    Code::TooManyResources,
                    format!("at most {} `{keyword}` links are accepted, this has {}", 1 + MAX_ADDITIONAL, links.len()),
                    Label::new(self.file, extra.span, "one too many"),
                )
                .with_help(format!(
                    "the first `{keyword}` is the main link, and at most {MAX_ADDITIONAL} more are exported"
                )),
            );
        }
    }
}
