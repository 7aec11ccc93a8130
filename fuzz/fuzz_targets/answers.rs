//! An answers file read and checked against a pack, as `loupe run --answers` does.
#![no_main]

use libfuzzer_sys::fuzz_target;
use loupe_db::{Database, Pack, SourceFile, pack_index};
use loupe_eval::Answers;

const PACK: &str = include_str!("../../tests/cases/run/pack/lens.lens");

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let errors = match Answers::parse("answers.yaml", text) {
        Ok(answers) => {
            let db = Database::default();
            let file = SourceFile::new(&db, "lens.lens".into(), PACK.into());
            let pack = Pack::new(&db, None, vec![file]);
            answers.check_against(pack_index(&db, pack))
        }
        Err(errors) => errors,
    };
    for error in errors {
        assert!(error.span.end as usize <= text.len(), "{error:?}");
    }
});
