//! JUnit XML: one test suite per pillar, one test case per question. A high
//! or medium risk that no waiver accepts fails; an unanswered or
//! not-applicable question is skipped.

use std::fmt::Write;

use loupe_model::{QuestionReview, Review, Risk};

use crate::{Context, lens_title, not_selected, position, status_label};

pub(crate) fn render(review: &Review, context: &Context) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let count = |questions: &mut dyn Iterator<Item = &QuestionReview>| {
        let (mut tests, mut failures, mut skipped) = (0, 0, 0);
        for question in questions {
            tests += 1;
            failures += usize::from(fails(question));
            skipped += usize::from(matches!(question.risk, Risk::Unanswered | Risk::NotApplicable));
        }
        (tests, failures, skipped)
    };
    let (tests, failures, skipped) = count(&mut review.pillars.iter().flat_map(|pillar| &pillar.questions));
    let _ = writeln!(
        out,
        "<testsuites name=\"{}\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\" skipped=\"{skipped}\" time=\"0\">",
        attr(&format!("loupe {} · {}", lens_title(review), context.pack_root))
    );
    for pillar in &review.pillars {
        let (tests, failures, skipped) = count(&mut pillar.questions.iter());
        let _ = writeln!(
            out,
            "  <testsuite name=\"{}\" id=\"{}\" package=\"{}\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\" skipped=\"{skipped}\" time=\"0\">",
            attr(&pillar.name),
            attr(&pillar.id),
            attr(&review.lens.id),
        );
        for question in &pillar.questions {
            testcase(&mut out, &pillar.id, question, context);
        }
        out.push_str("  </testsuite>\n");
    }
    out.push_str("</testsuites>\n");
    out
}

/// Whether a question fails the test run: a high or medium residual risk
/// that no question waiver accepts.
fn fails(question: &QuestionReview) -> bool {
    matches!(question.gated_risk(), Some(Risk::High | Risk::Medium))
}

fn testcase(out: &mut String, classname: &str, question: &QuestionReview, context: &Context) {
    let _ = write!(
        out,
        "    <testcase classname=\"{}\" name=\"{}\" time=\"0\"",
        attr(classname),
        attr(&format!("{} {}", question.id, question.title))
    );
    let mut notes = String::new();
    if let Some(rule) = &question.rule {
        let _ = writeln!(notes, "risk {} (rule: {rule})", question.risk.as_str());
    }
    if let Some(waiver) = &question.waiver {
        let _ = writeln!(notes, "waived: {} (owner {}, expires {})", waiver.reason, waiver.owner, waiver.expires);
    }
    match question.risk {
        Risk::High | Risk::Medium if fails(question) => {
            let level = question.risk.as_str();
            let rule = question.rule.as_deref().unwrap_or(level);
            let _ = writeln!(out, ">");
            let _ =
                write!(out, "      <failure message=\"{}\" type=\"{level}\">", attr(&format!("{level} risk: {rule}")));
            out.push_str(&text(&details(question, context)));
            out.push_str("</failure>\n");
            out.push_str("    </testcase>\n");
        }
        Risk::Unanswered => {
            let _ = writeln!(out, ">");
            out.push_str("      <skipped message=\"unanswered: no check decided it and no answer attests it\"/>\n");
            out.push_str("    </testcase>\n");
        }
        Risk::NotApplicable => {
            let reason = question.not_applicable_reason.as_deref().unwrap_or("not applicable");
            let _ = writeln!(out, ">");
            let _ = writeln!(out, "      <skipped message=\"{}\"/>", attr(&format!("not applicable: {reason}")));
            out.push_str("    </testcase>\n");
        }
        _ if !notes.is_empty() => {
            let _ = writeln!(out, ">");
            let _ = writeln!(out, "      <system-out>{}</system-out>", text(notes.trim_end()));
            out.push_str("    </testcase>\n");
        }
        _ => out.push_str("/>\n"),
    }
}

/// The missing practices of a failing question, with their findings and
/// improvement plans.
fn details(question: &QuestionReview, context: &Context) -> String {
    let mut out = String::new();
    for choice in not_selected(question) {
        let _ = writeln!(out, "{} {} [{}]", choice.id, choice.title, status_label(choice.status));
        for finding in choice.findings.iter() {
            match &finding.location {
                Some(location) => {
                    let _ = writeln!(out, "  - {} ({})", finding.message, position(location, context));
                }
                None => {
                    let _ = writeln!(out, "  - {}", finding.message);
                }
            }
        }
        if let Some(plan) = &choice.improvement {
            let url = plan.url.as_deref().map_or(String::new(), |url| format!(" {url}"));
            let _ = writeln!(out, "  improve: {}{url}", plan.text);
        }
    }
    out
}

/// Text content: `&`, `<` and `>` escaped, characters XML 1.0 forbids
/// replaced.
fn text(value: &str) -> String {
    escape(value, false)
}

/// An attribute value in double quotes: also `"` and `'` escaped, and line
/// breaks and tabs kept as character references (a parser would otherwise
/// turn them into spaces).
fn attr(value: &str) -> String {
    escape(value, true)
}

fn escape(value: &str, attribute: bool) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' if attribute => out.push_str("&quot;"),
            '\'' if attribute => out.push_str("&apos;"),
            '\n' if attribute => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\t' if attribute => out.push_str("&#9;"),
            '\t' | '\n' => out.push(c),
            c if is_xml_char(c) => out.push(c),
            _ => out.push(char::REPLACEMENT_CHARACTER),
        }
    }
    out
}

/// XML 1.0's `Char` production, less the whitespace handled above.
fn is_xml_char(c: char) -> bool {
    matches!(c, '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..='\u{10FFFF}')
}

#[cfg(test)]
mod tests {
    use super::{attr, text};

    #[test]
    fn escapes() {
        assert_eq!(text("a < b && c > \"d\""), "a &lt; b &amp;&amp; c &gt; \"d\"");
        assert_eq!(attr("it's \"x\"\n\ty"), "it&apos;s &quot;x&quot;&#10;&#9;y");
        assert_eq!(text("bell\u{7}\u{FFFE}ok\r\n"), "bell\u{FFFD}\u{FFFD}ok&#13;\n");
    }
}
