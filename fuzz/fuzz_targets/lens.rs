//! A `.lens` file checked as `loupe check` checks it: parsed, indexed,
//! validated and type-checked in a pack beside a lens header.
#![no_main]

use libfuzzer_sys::fuzz_target;
use loupe_db::{Database, Pack, SourceFile, pack_diagnostics};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let db = Database::default();
    let manifest = SourceFile::new(&db, "loupe.toml".into(), "[pack]\nname = \"fuzz\"\n".into());
    let header = SourceFile::new(&db, "lens.lens".into(), "lens fuzz \"Fuzz\" { description \"d\" }".into());
    let file = SourceFile::new(&db, "fuzz.lens".into(), text.into());
    let pack = Pack::new(&db, Some(manifest), vec![header, file]);
    for diagnostic in pack_diagnostics(&db, pack) {
        // Every label must lie within its file's text.
        for label in std::iter::once(&diagnostic.primary).chain(&diagnostic.secondary) {
            assert!(label.span.end as usize <= label.file.text(&db).len(), "{diagnostic:?}");
        }
    }
});
