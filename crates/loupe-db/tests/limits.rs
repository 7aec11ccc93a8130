//! The 500 KB lens file limit, decided from an upper bound of the export size.

use loupe_db::{Database, Pack, SourceFile, pack_diagnostics};

/// A pack with one pillar of `questions` questions, each with 14 choices whose
/// description and improvement plan are `text_length` characters long.
fn pack_codes(questions: usize, text_length: usize) -> Vec<&'static str> {
    let db = Database::default();
    let text = "x".repeat(text_length);
    let mut pillar = String::from("pillar big \"Big\" {\n");
    for q in 0..questions {
        pillar.push_str(&format!("  question Q{q:02} \"Q?\" {{\n"));
        let mut ids = Vec::new();
        for c in 0..14 {
            ids.push(format!("Q{q:02}_C{c:02}"));
            pillar.push_str(&format!(
                "    choice Q{q:02}_C{c:02} \"C\" {{ description \"{text}\" improve \"{text}\" \"https://example.com\" check {{ true }} }}\n"
            ));
        }
        pillar.push_str(&format!(
            "    none Q{q:02}_no \"None\"\n    risk {{\n      none when {}\n      high otherwise\n    }}\n  }}\n",
            ids.join(" and ")
        ));
    }
    pillar.push_str("}\n");
    let lens = SourceFile::new(&db, "lens.lens".into(), "lens big \"Big\" { description \"Big.\" }".into());
    let file = SourceFile::new(&db, "big.lens".into(), pillar);
    let manifest = SourceFile::new(&db, "loupe.toml".into(), "[pack]\nname = \"big\"\n".into());
    let pack = Pack::new(&db, Some(manifest), vec![lens, file]);
    pack_diagnostics(&db, pack).iter().map(|d| d.code.as_str()).collect()
}

#[test]
fn a_lens_over_500_kb_is_reported() {
    // 20 × 14 choices × 2 × 2,000 characters: over 1 MB of text.
    assert_eq!(pack_codes(20, 2000), ["L0413"]);
}

#[test]
fn a_lens_well_under_500_kb_is_clean() {
    assert_eq!(pack_codes(20, 200), Vec::<&str>::new());
}

/// Found by fuzzing: a thousand predicates each calling a distinct unknown
/// function; each "did you mean" looks through every predicate, so each
/// comparison must stay cheap.
#[test]
fn many_unknown_calls_among_many_predicates() {
    let db = Database::default();
    let text: String = (0..1000).map(|i| format!("predicate tier_{i}(x) {{ tier_{i}q(x) }}\n")).collect();
    let file = SourceFile::new(&db, "tiers.lens".into(), text);
    let pack = Pack::new(&db, None, vec![file]);
    let unknown = pack_diagnostics(&db, pack).iter().filter(|d| d.code.as_str() == "L0111").count();
    assert_eq!(unknown, 1000);
}
