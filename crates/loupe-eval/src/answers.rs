//! The answers file: what reviewers attest, which questions do not apply,
//! and which risks are accepted until when.
//!
//! ```yaml
//! attestations:
//!   - question: GENSEC01
//!     choices: [GENSEC01_BP03, GENSEC01_BP04]
//!     note: Access reviews run quarterly (RUNBOOK-12).
//!     by: alice@example.com
//! not_applicable:
//!   - question: GENCOST05
//!     reason: No model customization in this workload.
//! waivers:
//!   - question: GENSEC02
//!     reason: Guardrails land in Q1; content stays internal until then.
//!     owner: bob@example.com
//!     expires: 2027-03-31
//!   - question: GENSEC01
//!     choice: GENSEC01_BP01            # one practice of the question
//!     resource: aws_iam_role.legacy    # one resource of that practice's findings
//!     file: plan.json                  # in this evidence file only (optional)
//!     reason: Decommissioned in January.
//!     owner: carol@example.com
//!     expires: 2027-01-31
//! ```

use loupe_db::PackIndex;
use loupe_evidence::{LoadOptions, Node, Span, Value};

use loupe_model::{Attestation, Named, Waiver};

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Answers {
    pub attestations: Vec<Attested>,
    pub not_applicable: Vec<NotApplicable>,
    pub waivers: Vec<Waiver>,
}

/// Choices of one question that a reviewer attests are in place.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attested {
    pub question: Named,
    pub choices: Vec<String>,
    pub choice_spans: Vec<Span>,
    pub note: Option<String>,
    pub by: Option<String>,
}

impl Attested {
    pub fn attestation(&self) -> Attestation {
        Attestation { note: self.note.clone(), by: self.by.clone() }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NotApplicable {
    pub question: Named,
    pub reason: String,
}

/// A problem in the answers file, located in it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AnswersError {
    pub message: String,
    pub span: Span,
    pub help: Option<String>,
}

impl Answers {
    pub fn attested(&self, question: &str) -> Option<&Attested> {
        self.attestations.iter().find(|a| a.question.id == question)
    }

    pub fn not_applicable_reason(&self, question: &str) -> Option<String> {
        self.not_applicable.iter().find(|n| n.question.id == question).map(|n| n.reason.clone())
    }

    /// The waiver of a whole question.
    pub fn waiver(&self, question: &str) -> Option<&Waiver> {
        self.waivers.iter().find(|w| w.question.id == question && w.choice.is_none())
    }

    /// The waiver of one practice of a question, all its findings.
    pub fn choice_waiver(&self, question: &str, choice: &str) -> Option<&Waiver> {
        self.waivers.iter().find(|w| {
            w.question.id == question && w.choice.as_ref().is_some_and(|c| c.id == choice) && w.resource.is_none()
        })
    }

    /// The waiver of one practice's findings on `resource`, in evidence `file`.
    pub fn resource_waiver(&self, question: &str, choice: &str, resource: &str, file: Option<&str>) -> Option<&Waiver> {
        self.waivers.iter().find(|w| {
            w.question.id == question
                && w.choice.as_ref().is_some_and(|c| c.id == choice)
                && w.resource.as_ref().is_some_and(|r| r.id == resource)
                && w.file.as_ref().is_none_or(|f| Some(f.id.as_str()) == file)
        })
    }

    /// Reads an answers file. Every problem is reported, not just the first.
    pub fn parse(name: &str, text: &str) -> Result<Answers, Vec<AnswersError>> {
        let evidence = loupe_evidence::load_str(name, text, &LoadOptions::default())
            .map_err(|error| vec![AnswersError { message: error.message.clone(), span: error.span, help: None }])?;
        let mut reader = Reader { errors: Vec::new() };
        let answers = match evidence.documents.first() {
            Some(document) => reader.answers(&document.root),
            None => Answers::default(),
        };
        if reader.errors.is_empty() { Ok(answers) } else { Err(reader.errors) }
    }

    /// Reports questions and choices the pack does not have.
    pub fn check_against(&self, index: &PackIndex) -> Vec<AnswersError> {
        let mut errors = Vec::new();
        let mut question = |named: &Named| -> Option<&Vec<String>> {
            let choices = index.question_choices.get(&named.id);
            if choices.is_none() {
                errors.push(AnswersError {
                    message: format!("the pack has no question `{}`", named.id),
                    span: named.span,
                    help: loupe_diagnostics::suggest::did_you_mean(
                        &named.id,
                        index.questions.keys().map(String::as_str),
                    ),
                });
            }
            choices
        };
        let mut unknown_choices = Vec::new();
        let mut choice = |question: &Named, choices: &Vec<String>, choice: &str, span: Span| {
            if !choices.iter().any(|known| known == choice) {
                unknown_choices.push(AnswersError {
                    message: format!("question `{}` has no choice `{choice}`", question.id),
                    span,
                    help: loupe_diagnostics::suggest::did_you_mean(choice, choices.iter().map(String::as_str)),
                });
            }
        };
        for attested in &self.attestations {
            if let Some(choices) = question(&attested.question) {
                for (id, span) in attested.choices.iter().zip(&attested.choice_spans) {
                    choice(&attested.question, choices, id, *span);
                }
            }
        }
        for waiver in &self.waivers {
            if let (Some(choices), Some(named)) = (question(&waiver.question), &waiver.choice) {
                choice(&waiver.question, choices, &named.id, named.span);
            }
        }
        for named in self.not_applicable.iter().map(|n| &n.question) {
            question(named);
        }
        errors.extend(unknown_choices);
        errors.sort_by_key(|error| error.span.start);
        errors
    }
}

struct Reader {
    errors: Vec<AnswersError>,
}

impl Reader {
    fn error(&mut self, span: Span, message: impl Into<String>, help: &str) {
        self.errors.push(AnswersError { message: message.into(), span, help: Some(help.to_string()) });
    }

    fn answers(&mut self, root: &Node) -> Answers {
        let mut answers = Answers::default();
        let Value::Object(object) = &root.value else {
            if !root.is_null() {
                self.error(
                    root.span,
                    "an answers file is a mapping",
                    "start with `attestations:`, `not_applicable:` or `waivers:`",
                );
            }
            return answers;
        };
        for entry in object.iter() {
            let items = self.list(&entry.value);
            match entry.key.name.as_str() {
                "attestations" => answers.attestations = items.iter().filter_map(|item| self.attested(item)).collect(),
                "not_applicable" => {
                    answers.not_applicable = items.iter().filter_map(|item| self.not_applicable(item)).collect()
                }
                "waivers" => answers.waivers = items.iter().filter_map(|item| self.waiver(item)).collect(),
                other => self.error(
                    entry.key.span,
                    format!("unknown section `{other}`"),
                    "the sections are `attestations`, `not_applicable` and `waivers`",
                ),
            }
        }
        answers
    }

    fn list<'n>(&mut self, node: &'n Node) -> Vec<&'n Node> {
        match &node.value {
            Value::List(items) => items.iter().collect(),
            Value::Null => Vec::new(),
            _ => {
                self.error(node.span, "expected a list", "write each entry on its own line, starting with `- `");
                Vec::new()
            }
        }
    }

    /// The fields of one entry, with unknown keys reported.
    fn fields<'n>(&mut self, node: &'n Node, allowed: &[&str]) -> Option<&'n loupe_evidence::Object> {
        let Value::Object(object) = &node.value else {
            self.error(node.span, "expected a mapping", &format!("an entry has the keys {}", allowed.join(", ")));
            return None;
        };
        for entry in object.iter() {
            if !allowed.contains(&entry.key.name.as_str()) {
                self.error(
                    entry.key.span,
                    format!("unknown key `{}`", entry.key.name.as_str()),
                    &format!("the keys are {}", allowed.join(", ")),
                );
            }
        }
        Some(object)
    }

    fn text(
        &mut self,
        object: &loupe_evidence::Object,
        parent: Span,
        key: &str,
        required: bool,
    ) -> Option<(String, Span)> {
        match object.get(key) {
            Some(node) => match &node.value {
                Value::String(text) if !text.as_str().trim().is_empty() => Some((text.as_str().to_string(), node.span)),
                Value::Number(n) => Some((n.to_string(), node.span)),
                _ => {
                    self.error(node.span, format!("`{key}` must be a non-empty text"), "quote it if in doubt");
                    None
                }
            },
            None if required => {
                self.error(parent, format!("missing `{key}`"), &format!("add `{key}: ...` to this entry"));
                None
            }
            None => None,
        }
    }

    fn question(&mut self, object: &loupe_evidence::Object, parent: Span) -> Option<Named> {
        self.text(object, parent, "question", true).map(|(id, span)| Named { id, span })
    }

    fn attested(&mut self, node: &Node) -> Option<Attested> {
        let object = self.fields(node, &["question", "choices", "note", "by"])?;
        let question = self.question(object, node.span);
        let note = self.text(object, node.span, "note", false).map(|(text, _)| text);
        let by = self.text(object, node.span, "by", false).map(|(text, _)| text);
        let mut choices = Vec::new();
        let mut choice_spans = Vec::new();
        match object.get("choices") {
            Some(list) => {
                for item in self.list(list) {
                    match item.as_str() {
                        Some(id) => {
                            choices.push(id.to_string());
                            choice_spans.push(item.span);
                        }
                        None => self.error(item.span, "expected a choice id", "list the ids of the attested choices"),
                    }
                }
            }
            None => self.error(node.span, "missing `choices`", "add `choices: [CHOICE_ID, ...]`"),
        }
        Some(Attested { question: question?, choices, choice_spans, note, by })
    }

    fn not_applicable(&mut self, node: &Node) -> Option<NotApplicable> {
        let object = self.fields(node, &["question", "reason", "by"])?;
        let question = self.question(object, node.span);
        let reason = self.text(object, node.span, "reason", true);
        Some(NotApplicable { question: question?, reason: reason?.0 })
    }

    fn waiver(&mut self, node: &Node) -> Option<Waiver> {
        let object = self.fields(node, &["question", "choice", "resource", "file", "reason", "owner", "expires"])?;
        let question = self.question(object, node.span);
        let choice = self.text(object, node.span, "choice", false).map(|(id, span)| Named { id, span });
        let resource = self.text(object, node.span, "resource", false).map(|(id, span)| Named { id, span });
        let file = self.text(object, node.span, "file", false).map(|(id, span)| Named { id, span });
        if let (Some(resource), None) = (&resource, &choice) {
            self.error(
                resource.span,
                "a resource waiver names its choice",
                "add `choice: ...`: the practice whose findings on this resource are accepted",
            );
            return None;
        }
        if let (Some(file), None) = (&file, &resource) {
            self.error(file.span, "`file` narrows a resource waiver", "add `resource: ...`, or remove `file`");
            return None;
        }
        let reason = self.text(object, node.span, "reason", true);
        let owner = self.text(object, node.span, "owner", true);
        let expires = self.text(object, node.span, "expires", true);
        if let Some((date, span)) = &expires
            && !is_date(date)
        {
            self.error(*span, format!("`{date}` is not a date"), "write the expiry as YYYY-MM-DD");
            return None;
        }
        Some(Waiver {
            question: question?,
            choice,
            resource,
            file,
            reason: reason?.0,
            owner: owner?.0,
            expires: expires?.0,
        })
    }
}

/// Whether `text` is a calendar date written `YYYY-MM-DD`.
pub fn is_date(text: &str) -> bool {
    let parts: Vec<&str> = text.split('-').collect();
    let [year, month, day] = parts.as_slice() else { return false };
    if year.len() != 4 || month.len() != 2 || day.len() != 2 {
        return false;
    }
    let (Ok(year), Ok(month), Ok(day)) = (year.parse::<u32>(), month.parse::<u32>(), day.parse::<u32>()) else {
        return false;
    };
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days).contains(&day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert!(is_date("2024-02-29"));
        assert!(!is_date("2023-02-29"));
        assert!(!is_date("2027-13-01"));
        assert!(!is_date("27-01-01"));
        assert!(!is_date("tomorrow"));
    }
}
