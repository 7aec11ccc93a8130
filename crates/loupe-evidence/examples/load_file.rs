//! Loads one evidence file and prints what was found and how long it took; for peak memory,
//! run under `/usr/bin/time -v`. `--generate DIR` writes the benchmark's large inputs there.
//!
//! ```text
//! cargo run --release -p loupe-evidence --example load_file -- --generate /tmp/evidence
//! /usr/bin/time -v target/release/examples/load_file /tmp/evidence/cloudformation.json
//! /usr/bin/time -v target/release/examples/load_file --serde /tmp/evidence/cloudformation.json
//! /usr/bin/time -v target/release/examples/load_file --read-only /tmp/evidence/cloudformation.json
//! ```

use std::time::Instant;

use loupe_evidence::{LoadOptions, load};

#[path = "../benches/generate.rs"]
mod generate;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (mode, path) = match args.as_slice() {
        [path] => ("load", path.as_str()),
        [mode, path] => (mode.as_str(), path.as_str()),
        _ => return Err("usage: load_file [--serde|--read-only|--generate] PATH".into()),
    };
    if mode == "--generate" {
        std::fs::create_dir_all(path)?;
        let template = generate::cloudformation(50_000);
        std::fs::write(format!("{path}/cloudformation.json"), generate::to_json(&template))?;
        std::fs::write(format!("{path}/terraform-plan.json"), generate::to_json(&generate::terraform_plan(50_000)))?;
        std::fs::write(format!("{path}/cloudformation.yaml"), generate::to_yaml(&generate::cloudformation(5_000)))?;
        return Ok(());
    }
    let bytes = std::fs::read(path)?;
    let start = Instant::now();
    match mode {
        "--read-only" => println!("read {} bytes", bytes.len()),
        "--serde" => {
            let value: serde_json::Value = serde_json::from_slice(&bytes)?;
            println!("serde_json: {} in {:?}", if value.is_object() { "object" } else { "other" }, start.elapsed());
        }
        _ => {
            let evidence = load(path, &bytes, &LoadOptions::default()).map_err(|error| error.to_string())?;
            let elapsed = start.elapsed();
            println!(
                "{}: {} bytes, {} ({}), {} documents, {} resources of {} kinds, {} warnings, in {elapsed:?}",
                evidence.name,
                bytes.len(),
                evidence.format(),
                evidence.syntax,
                evidence.documents.len(),
                evidence.resource_count(),
                evidence.resource_index().kinds().count(),
                evidence.warnings.len(),
            );
        }
    }
    Ok(())
}
