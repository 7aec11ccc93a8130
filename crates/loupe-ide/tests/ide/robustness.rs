use loupe_ide::{FilePosition, FileRange, Span};

use crate::fixture::{Fixture, PACK};

/// Every position-taking feature at every byte offset of `fixture`'s files,
/// in the middle of characters and past the end included: none may panic.
fn answers_everywhere(fixture: &str) -> usize {
    let fixture = Fixture::parse(fixture);
    let (db, pack, sample) = (&fixture.db, fixture.pack, fixture.sample);
    let mut answers = 0;
    for &file in &fixture.files {
        for offset in 0..=file.text(db).len() as u32 + 1 {
            let at = FilePosition { file, offset };
            answers += usize::from(loupe_ide::hover(db, pack, sample, at).is_some());
            answers += loupe_ide::goto_definition(db, pack, at).len();
            answers += loupe_ide::references(db, pack, at, true).len();
            answers += loupe_ide::completions(db, pack, sample, at).len().min(1);
            answers += loupe_ide::selection_ranges(db, file, offset).len();
            answers += loupe_ide::rename(db, pack, at, "renamed_to").map_or(0, |edits| edits.len());
            answers += loupe_ide::assists(db, pack, FileRange { file, span: Span::empty(offset as usize) }).len();
        }
        answers += loupe_ide::document_symbols(db, file).len();
        answers += loupe_ide::folding_ranges(db, file).len();
        answers += loupe_ide::semantic_tokens(db, pack, file).len();
        answers += usize::from(loupe_ide::format(db, file).is_some());
        answers += loupe_ide::code_lenses(db, pack, file, sample).len();
        answers += loupe_ide::inlay_hints(db, pack, file, sample).len();
    }
    answers + loupe_ide::workspace_symbols(db, &[pack], "").len()
}

#[test]
fn every_offset_of_a_valid_pack() {
    assert!(answers_everywhere(PACK) > 1000);
}

#[test]
fn every_offset_of_a_pack_with_a_sample() {
    let with_sample = format!("{PACK}{}", crate::sample::PLAN);
    assert!(answers_everywhere(&with_sample) > answers_everywhere(PACK));
}

#[test]
fn every_offset_of_broken_non_ascii_text() {
    // Unclosed blocks, a stray line, multi-byte characters in ids, titles,
    // strings, comments and bodies.
    let broken = "// Sécurité ✓ 😀\npillar sé01 \"Sécurité ✓\" {\n  question Q01 \"Où? 😀\" {\n    choice Q01_a \"Ça ✓\" {\n      check {\n        exists(é.ü) and count(resources(\"AWS::É\n      }\n    ∂∂ what\n    risk {\n      none when Q01_a and ☃\n      high otherwise\n/* 😀\npredicate ünïcode(x) { x > 😀 }\ntest \"ß\" {\n  expect Q01.Q01_a sel";
    assert!(answers_everywhere(broken) > 0);
    // An empty file: only, at offset 0, the top-level keywords and the file as the selection.
    assert_eq!(answers_everywhere(""), 2);
}
