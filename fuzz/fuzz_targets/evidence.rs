//! Evidence bytes loaded as `loupe run` loads them: syntax and format detected.
#![no_main]

use libfuzzer_sys::fuzz_target;
use loupe_evidence::LoadOptions;

fuzz_target!(|data: &[u8]| {
    match loupe_evidence::load("fuzz.json", data, &LoadOptions::default()) {
        Ok(evidence) => {
            for document in &evidence.documents {
                assert!(document.root.span.end as usize <= data.len());
            }
        }
        Err(error) => {
            if let Some(span) = error.span {
                assert!(span.end as usize <= data.len(), "{error:?}");
            }
        }
    }
});
