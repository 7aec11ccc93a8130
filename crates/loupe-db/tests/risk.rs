//! Risk-rule analysis: which rules can fire, decided over every selection.

use loupe_db::{Database, Pack, SourceFile, pack_diagnostics};

/// The codes reported for one question with `choices` real choices (A, B, C…)
/// plus a none-of-these choice `Q01_no`, under `rules`.
fn codes(choices: usize, rules: &str) -> Vec<String> {
    let db = Database::default();
    let ids = ["AAA", "BBB", "CCC", "DDD", "EEE", "FFF", "GGG", "HHH", "III", "JJJ", "KKK", "LLL", "MMM", "NNN"];
    let choice_lines: String = ids[..choices]
        .iter()
        .map(|id| format!("    choice {id} \"{id}\" {{ improve \"Do it\" \"https://example.com\" }}\n"))
        .collect();
    let text = format!(
        "pillar ppp \"P\" {{\n  question Q01 \"Q?\" {{\n{choice_lines}    none Q01_no \"None of these\"\n    risk {{\n{rules}\n    }}\n  }}\n}}\n"
    );
    let file = SourceFile::new(&db, "q.lens".to_string(), text);
    let pack = Pack::new(&db, None, vec![file]);
    pack_diagnostics(&db, pack)
        .iter()
        .map(|d| d.code.as_str().to_string())
        .filter(|code| !["L0502", "L0503"].contains(&code.as_str()))
        .collect()
}

#[test]
fn ordered_rules_that_each_fire_are_clean() {
    assert!(codes(2, "none when AAA and BBB\nmedium when AAA or BBB\nhigh otherwise").is_empty());
    assert!(codes(1, "none when AAA\nhigh otherwise").is_empty());
}

#[test]
fn a_rule_covered_by_earlier_rules_is_unreachable() {
    assert_eq!(codes(2, "medium when AAA or BBB\nnone when AAA and BBB\nhigh otherwise"), ["L0204"]);
    // Together the first two rules cover every selection, so `otherwise` never
    // fires: as in AWS's own lenses, which the Well-Architected Tool accepts, a warning.
    assert_eq!(codes(1, "none when AAA\nmedium when not AAA\nhigh otherwise"), ["L0507"]);
}

#[test]
fn none_of_these_excludes_every_other_choice() {
    // "None of these" is never selected with AAA.
    assert_eq!(codes(1, "high when Q01_no and AAA\nnone otherwise"), ["L0204"]);
    assert!(codes(1, "high when Q01_no\nnone otherwise").is_empty());
}

#[test]
fn a_rule_after_otherwise_is_unreachable() {
    assert_eq!(codes(1, "high otherwise\nnone when AAA"), ["L0204"]);
}

#[test]
fn structural_rule_errors() {
    assert_eq!(codes(1, "none when AAA"), ["L0201"]);
    assert_eq!(codes(2, "none when AAA\nnone when BBB\nhigh otherwise"), ["L0203"]);
    let four = "none when AAA and BBB\nmedium when AAA\nhigh when BBB\nnone otherwise";
    let found = codes(2, four);
    assert!(found.contains(&"L0202".to_string()) && found.contains(&"L0203".to_string()), "{found:?}");
    assert_eq!(codes(1, "none when ZZZ\nhigh otherwise"), ["L0110"]);
    assert_eq!(codes(1, "none when AAA == true\nhigh otherwise"), ["L0205"]);
}

#[test]
fn fourteen_choices_are_decided_exhaustively() {
    let all = ["AAA", "BBB", "CCC", "DDD", "EEE", "FFF", "GGG", "HHH", "III", "JJJ", "KKK", "LLL", "MMM", "NNN"]
        .join(" and ");
    assert!(codes(14, &format!("none when {all}\nmedium when AAA\nhigh otherwise")).is_empty());
    // Only the selection of all fourteen reaches the second rule, and the first takes it.
    let second = format!("none when AAA and not NNN\nmedium when {all} and not AAA\nhigh otherwise");
    assert_eq!(codes(14, &second), ["L0204"]);
}
