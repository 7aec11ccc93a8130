//! Markdown for a pull-request comment: a summary, a table per pillar, and
//! the details of the high- and medium-risk questions, within GitHub's
//! comment limit.

use std::fmt::Write;

use loupe_model::{QuestionReview, Review, Risk, Status};

use crate::{
    Context, by_severity, lens_title, not_selected, other_counts, position, practice_counts, risk_label, status_label,
};

/// The most bytes a report may have: GitHub takes comments of up to 65,536
/// characters, and a character is at least one byte.
pub const MARKDOWN_LIMIT: usize = 65_536;

pub(crate) fn render(review: &Review, context: &Context, limit: usize) -> String {
    let mut head = String::new();
    let _ = writeln!(head, "## Loupe review: {}\n", escape(&lens_title(review)));
    let _ = writeln!(
        head,
        "Reviewed {} · pack {} · loupe {}\n",
        context.date,
        code(context.pack_root),
        context.tool_version
    );
    let s = &review.summary;
    head.push_str("| Questions | 🔴 High | 🟠 Medium | 🟢 None | ⚪ Unanswered | Not applicable | Waived |\n");
    head.push_str("|---:|---:|---:|---:|---:|---:|---:|\n");
    let _ = writeln!(
        head,
        "| {} | {} | {} | {} | {} | {} | {} |\n",
        s.questions, s.high, s.medium, s.none, s.unanswered, s.not_applicable, s.waived
    );
    let others = other_counts(s.unselected, s.not_applicable_practices, s.unknown)
        .map_or_else(String::new, |others| format!(": {others}"));
    let _ = writeln!(head, "**{}/{} practices in place**{others} ({} automated)\n", s.selected, s.choices, s.automated);
    if !review.expired_waivers.is_empty() {
        head.push_str("> [!WARNING]\n> Expired waivers, no longer applied:\n");
        for waiver in &review.expired_waivers {
            let _ = writeln!(
                head,
                "> - {}: {} (owner {}, expired {})",
                code(&waiver.question.id),
                escape(&waiver.reason),
                code(&waiver.owner),
                waiver.expires
            );
        }
        head.push('\n');
    }

    for pillar in &review.pillars {
        let _ = writeln!(head, "### {}\n", escape(&pillar.name));
        if pillar.questions.is_empty() {
            head.push_str("_No questions._\n\n");
            continue;
        }
        head.push_str("| Question | Risk | Practices in place |\n|---|---|---:|\n");
        for question in by_severity(pillar) {
            let practices = match (question.risk, practice_counts(question)) {
                (Risk::Unanswered | Risk::NotApplicable, _) | (_, None) => "–".to_owned(),
                (_, Some((in_place, None))) => in_place,
                (_, Some((in_place, Some(others)))) => format!("{in_place} ({others})"),
            };
            let _ = writeln!(
                head,
                "| {} {} | {} | {practices} |",
                code(&question.id),
                escape(&question.title),
                risk_cell(question)
            );
        }
        head.push('\n');
    }

    // High-risk questions first, then medium, each in pack order.
    let questions = || review.pillars.iter().flat_map(|pillar| &pillar.questions);
    let sections: Vec<String> = questions()
        .filter(|question| question.risk == Risk::High)
        .chain(questions().filter(|question| question.risk == Risk::Medium))
        .map(|question| details(question, context))
        .collect();
    if !sections.is_empty() {
        head.push_str("### Issues\n\n");
    }
    assemble(head, &sections, limit)
}

/// The report within `limit` bytes: whole sections while they fit, then a
/// note that says what was left out.
fn assemble(mut out: String, sections: &[String], limit: usize) -> String {
    if out.len() + sections.iter().map(String::len).sum::<usize>() <= limit {
        sections.iter().for_each(|section| out.push_str(section));
        return out;
    }
    let note = |what: String| {
        format!(
            "\n> [!NOTE]\n> Truncated to fit a comment: {what}. \
             The text and JSON reports have the full review.\n"
        )
    };
    // Room for the longest note.
    let budget = limit.saturating_sub(note(format!("{} issues and part of the tables left out", usize::MAX)).len());
    if out.len() > budget {
        // Even the tables are too long: cut them at a line.
        let mut cut = budget;
        while !out.is_char_boundary(cut) {
            cut -= 1;
        }
        out.truncate(out[..cut].rfind('\n').map_or(0, |at| at + 1));
        out.push_str(&note(format!("{} issues and part of the tables left out", sections.len())));
        return out;
    }
    let mut shown = 0;
    for section in sections {
        if out.len() + section.len() > budget {
            break;
        }
        out.push_str(section);
        shown += 1;
    }
    out.push_str(&note(format!("{} more issues left out", sections.len() - shown)));
    out
}

fn risk_cell(question: &QuestionReview) -> String {
    let icon = match question.risk {
        Risk::High => "🔴 ",
        Risk::Medium => "🟠 ",
        Risk::None => "🟢 ",
        Risk::Unanswered => "⚪ ",
        Risk::NotApplicable => "",
    };
    let waived = if question.is_waived() { " (waived)" } else { "" };
    format!("{icon}{}{waived}", risk_label(question.risk))
}

/// A `<details>` section for a high- or medium-risk question.
fn details(question: &QuestionReview, context: &Context) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "<details><summary>{} <code>{}</code> {}</summary>\n",
        risk_cell(question),
        html(&question.id),
        html(&question.title)
    );
    if let Some(rule) = &question.rule {
        let _ = writeln!(out, "Rule: {}\n", code(rule));
    }
    if let Some(waiver) = question.waiver.as_ref().filter(|_| question.is_waived()) {
        let _ = writeln!(
            out,
            "Risk accepted: {} (owner {}, expires {})\n",
            escape(&waiver.reason),
            code(&waiver.owner),
            waiver.expires
        );
    }
    if let Some(none) = question.choices.iter().find(|choice| choice.is_none && choice.status == Status::Selected) {
        let _ = write!(out, "Answered “{}”", escape(&none.title));
        if let Some(attestation) = &none.attestation {
            if let Some(by) = &attestation.by {
                let _ = write!(out, " by {}", code(by));
            }
            if let Some(note) = &attestation.note {
                let _ = write!(out, ": {}", escape(note));
            }
        }
        out.push_str("\n\n");
    }
    for choice in not_selected(question) {
        let _ = writeln!(out, "- **{}** {} — {}", escape(&choice.title), code(&choice.id), status_label(choice.status));
        for finding in choice.findings.iter() {
            match &finding.location {
                Some(location) => {
                    let _ = writeln!(out, "  - {} at {}", escape(&finding.message), code(&position(location, context)));
                }
                None => {
                    let _ = writeln!(out, "  - {}", escape(&finding.message));
                }
            }
        }
        if let Some(plan) = &choice.improvement {
            match &plan.url {
                Some(url) => {
                    let _ = writeln!(out, "  - Improve: [{}](<{}>)", escape(&plan.text), url.replace(['<', '>'], ""));
                }
                None => {
                    let _ = writeln!(out, "  - Improve: {}", escape(&plan.text));
                }
            }
        }
    }
    out.push_str("\n</details>\n\n");
    out
}

/// Text with Markdown's and HTML's special characters escaped, on one line.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '#' | '|' | '~' => {
                out.push('\\');
                out.push(c);
            }
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\n' | '\r' => out.push(' '),
            _ => out.push(c),
        }
    }
    out
}

/// Text inside an HTML element, such as `<summary>`.
fn html(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace(['\n', '\r'], " ")
}

/// A code span, its fence longer than any run of backticks inside.
fn code(text: &str) -> String {
    let text = text.replace(['\n', '\r'], " ");
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest + 1);
    let pad = if text.starts_with('`') || text.ends_with('`') { " " } else { "" };
    format!("{fence}{pad}{text}{pad}{fence}")
}

#[cfg(test)]
mod tests {
    use super::{code, escape};

    #[test]
    fn escaping() {
        assert_eq!(escape("a_b *c* <d> | [e](f) & g"), "a\\_b \\*c\\* &lt;d&gt; \\| \\[e\\](f) &amp; g");
        assert_eq!(code("plan.json:1:2"), "`plan.json:1:2`");
        assert_eq!(code("a`b"), "``a`b``");
        assert_eq!(code("`a"), "`` `a ``");
    }
}
