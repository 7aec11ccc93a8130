//! Evidence bytes loaded as `loupe run` loads them: syntax and format detected, and the
//! relations between its resources read.
#![no_main]

use libfuzzer_sys::fuzz_target;
use loupe_evidence::LoadOptions;

fuzz_target!(|data: &[u8]| {
    match loupe_evidence::load("fuzz.json", data, &LoadOptions::default()) {
        Ok(evidence) => {
            for document in &evidence.documents {
                assert!(document.root.span.end as usize <= data.len());
            }
            for relation in loupe_evidence::Relations::of(&evidence).all() {
                assert!(relation.span.end as usize <= data.len());
                assert!(evidence.resource(relation.from).is_some() && evidence.resource(relation.to).is_some());
            }
        }
        Err(error) => {
            if let Some(span) = error.span {
                assert!(span.end as usize <= data.len(), "{error:?}");
            }
        }
    }
});
