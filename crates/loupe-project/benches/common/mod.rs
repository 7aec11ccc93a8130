//! What the benchmarks share: the shipped GenAI pack's sources, and a
//! generator of large packs.

#![allow(dead_code)] // Each benchmark uses its part.

use std::path::Path;

/// The `.lens` files of `policies/genai`, by path, sorted.
pub fn genai_pack_sources() -> Vec<(String, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../policies/genai");
    let mut files: Vec<(String, String)> = std::fs::read_dir(&dir)
        .expect("policies/genai exists")
        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        .filter(|path| path.extension().is_some_and(|ext| ext == "lens"))
        .map(|path| (path.display().to_string(), std::fs::read_to_string(&path).expect("readable")))
        .collect();
    files.sort();
    files
}

/// The size of a generated pack.
#[derive(Clone, Copy, Debug)]
pub struct Shape {
    pub pillars: usize,
    pub questions: usize,
    /// Real choices per question, "None of these" besides; every other one has a check.
    pub choices: usize,
    /// Files of predicates, each calling one of another file; the checks call them too.
    pub predicate_files: usize,
}

/// The `.lens` files of generated lens number `lens`, by path relative to
/// its pack: the lens header with a predicate, one file per pillar, then the
/// predicate files. Every check's text is distinct (checks are compiled once
/// per distinct text, so repeated texts would flatter).
pub fn generated_lens(lens: usize, shape: Shape) -> Vec<(String, String)> {
    let mut files = vec![(
        "lens.lens".to_string(),
        format!(
            "lens lens{lens} \"Lens {lens}\" {{\n  version \"1.0\"\n  description \"Generated lens {lens}.\"\n}}\n\n\
             /// Whether a resource is encrypted with a customer key.\n\
             predicate encrypted(r, algorithm) {{\n  r.properties.Encryption[*].Algorithm contains algorithm\n  exists(r.properties.KmsKeyId)\n}}\n"
        ),
    )];
    files
        .extend((0..shape.pillars).map(|pillar| (format!("pillar{pillar:02}.lens"), pillar_text(lens, pillar, shape))));
    files.extend((0..shape.predicate_files).map(|file| (format!("predicates/{file:03}.lens"), predicate_text(file))));
    files
}

fn pillar_text(lens: usize, pillar: usize, shape: Shape) -> String {
    let mut text = format!("/// Pillar {pillar} of lens {lens}.\npillar P{lens}_{pillar:02} \"Pillar {pillar}\" {{\n");
    for question in 0..shape.questions {
        let qid = format!("Q{lens}_{pillar:02}_{question:02}");
        text.push_str(&format!(
            "  /// Question {question}.\n  question {qid} \"How do you handle concern {question}?\" {{\n    description \"What the team does about concern {question}.\"\n    phase deployment, continuous_improvement\n    helpful \"Guide\" \"https://example.com/{qid}\"\n"
        ));
        for choice in 0..shape.choices {
            text.push_str(&format!(
                "    choice {qid}_C{choice:02} \"Practice {choice}\" {{\n      description \"Practice {choice} is in place.\"\n      helpful \"Practice guide\" \"https://example.com/{qid}/{choice}\"\n      improve \"Adopt practice {choice}.\" \"https://example.com/{qid}/{choice}/improve\"\n"
            ));
            if choice % 2 == 0 {
                // Spread over the predicate files, so that every predicate is used.
                let tagged = match shape.predicate_files {
                    0 => String::new(),
                    files => {
                        let at = ((pillar * shape.questions + question) * shape.choices + choice) / 2 % files;
                        format!("          tagged_{at:03}(b)\n")
                    }
                };
                text.push_str(&format!(
                    "      check {{\n        applies when count(resources(\"AWS::S3::Bucket\", \"aws_s3_bucket\")) > 0\n        every b in resources(\"AWS::S3::Bucket\", \"aws_s3_bucket\") where b.name != \"logs\" {{\n          encrypted(b, \"aws:kms\") else \"bucket {{b.name}} is not encrypted ({qid} practice {choice})\"\n          b.properties.VersioningConfiguration.Status == \"Enabled\" or b.properties.Tags[*].Key contains \"temporary\"\n{tagged}        }}\n      }}\n"
                ));
            }
            text.push_str("    }\n");
        }
        let all: Vec<String> = (0..shape.choices).map(|choice| format!("{qid}_C{choice:02}")).collect();
        text.push_str(&format!(
            "    none {qid}_no \"None of these\"\n    risk {{\n      none when {}\n      medium when {qid}_C00 and {qid}_C01\n      high otherwise\n    }}\n  }}\n",
            all.join(" and ")
        ));
    }
    text.push_str("}\n");
    text
}

/// Predicate file `file`: two predicates, the first calling the first of
/// file `file / 2` (chains of calls across files, a few deep).
fn predicate_text(file: usize) -> String {
    let call = match file {
        0 => "r.properties.Tags[*].Key contains \"owner\"".to_string(),
        _ => format!("tagged_{:03}(r)", file / 2),
    };
    format!(
        "/// Whether a resource carries tag {file} and what the files before ask.\n\
         predicate tagged_{file:03}(r) {{\n  r.properties.Tags[*].Key contains \"tag-{file}\"\n  {call}\n  named_{file:03}(r)\n}}\n\n\
         /// Whether a resource's name is set, and not to {file}.\n\
         predicate named_{file:03}(r) {{\n  exists(r.name)\n  r.name != \"resource-{file}\"\n}}\n"
    )
}
