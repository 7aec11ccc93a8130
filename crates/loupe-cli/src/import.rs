//! `loupe import LENS.json --output DIR` and `loupe init [DIR] [--from LENS.json]`:
//! a Well-Architected lens JSON read into a formatted pack, or a new pack
//! that checks and tests clean.

use std::io::Write;
use std::path::Path;

use codespan_reporting::term::termcolor::StandardStream;
use loupe_aws::import::{PackFile, import_lens};
use loupe_db::Database;
use loupe_project::{display, read_text};

use crate::render::{self, ColorMode};
use crate::{EXIT_INVALID, EXIT_OK, load};

/// Lens JSON files are at most 500 KB for the Well-Architected Tool; a
/// larger file is still read, up to this bound.
const MAX_LENS_BYTES: u64 = 16 * 1024 * 1024;

pub fn import(lens: &Path, output: &Path, color: ColorMode) -> std::io::Result<u8> {
    let mut stderr = StandardStream::stderr(render::stderr_color(color));
    if let Some(refusal) = unusable_output(output) {
        writeln!(stderr, "loupe: {refusal}")?;
        return Ok(EXIT_INVALID);
    }
    let db = Database::default();
    let text = match read_text(lens, MAX_LENS_BYTES) {
        Ok(text) => text,
        Err(error) => {
            render::emit_text(&db, &[load::diagnostic(&db, &error)], &mut stderr)?;
            return Ok(EXIT_INVALID);
        }
    };
    let name = display(lens);
    let source = load::shown_file(&db, name.clone(), text);
    match import_lens(&name, source.text(&db)) {
        Ok(pack) => {
            let warnings: Vec<_> = pack.warnings.into_iter().map(|warning| warning.map_file(|()| source)).collect();
            render::emit_text(&db, &warnings, &mut stderr)?;
            write_pack(output, &pack.files)?;
            let pillars = pack.files.len().saturating_sub(2);
            writeln!(
                stderr,
                "imported {name} into {}: {pillars} pillar file{}, {} warning{}",
                display(output),
                if pillars == 1 { "" } else { "s" },
                warnings.len(),
                if warnings.len() == 1 { "" } else { "s" }
            )?;
            Ok(EXIT_OK)
        }
        Err(diagnostics) => {
            let diagnostics: Vec<_> = diagnostics.into_iter().map(|d| d.map_file(|()| source)).collect();
            render::emit_text(&db, &diagnostics, &mut stderr)?;
            writeln!(stderr, "loupe: {name} was not imported; nothing was written")?;
            Ok(EXIT_INVALID)
        }
    }
}

pub fn init(dir: &Path, from: Option<&Path>, color: ColorMode) -> std::io::Result<u8> {
    if let Some(lens) = from {
        return import(lens, dir, color);
    }
    let mut stderr = StandardStream::stderr(render::stderr_color(color));
    if let Some(refusal) = unusable_output(dir) {
        writeln!(stderr, "loupe: {refusal}")?;
        return Ok(EXIT_INVALID);
    }
    let name = pack_name(dir);
    write_pack(dir, &starter_pack(&name))?;
    writeln!(stderr, "created the pack {name} in {}; try `loupe check` and `loupe test` there", display(dir))?;
    Ok(EXIT_OK)
}

/// Why `dir` cannot receive a new pack: it is a file, or a directory with
/// something in it (nothing of a user's is ever overwritten).
fn unusable_output(dir: &Path) -> Option<String> {
    if dir.is_file() {
        return Some(format!("{} is a file; name a new or empty directory", display(dir)));
    }
    let has_entries = std::fs::read_dir(dir).is_ok_and(|mut entries| entries.next().is_some());
    has_entries.then(|| format!("{} is not empty; name a new or empty directory", display(dir)))
}

fn write_pack(dir: &Path, files: &[PackFile]) -> std::io::Result<()> {
    for file in files {
        let path = dir.join(&file.path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(&path, &file.text)
            .map_err(|error| std::io::Error::new(error.kind(), format!("cannot write {}: {error}", display(&path))))?;
    }
    Ok(())
}

/// The pack name: the directory's name in the manifest's spelling.
fn pack_name(dir: &Path) -> String {
    let absolute = std::path::absolute(dir).unwrap_or_else(|_| dir.to_owned());
    let base = absolute.file_name().map(|name| name.to_string_lossy().into_owned()).unwrap_or_default();
    let name: String =
        base.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '-' }).collect();
    if name.trim_matches('-').is_empty() { "my-lens".to_owned() } else { name }
}

/// A pack with one of everything: a lens header, a pillar with one question
/// whose choice has a check calling a predicate, and a test with its fixture.
fn starter_pack(name: &str) -> Vec<PackFile> {
    let file = |path: &str, text: &str| PackFile { path: path.to_owned(), text: text.to_owned() };
    vec![
        file("loupe.toml", &format!("[pack]\nname = \"{name}\"\ndescription = \"A custom Well-Architected lens\"\n")),
        file("lens.lens", LENS),
        file("security.lens", PILLAR),
        file("predicates.lens", PREDICATES),
        file("tests.lens", TESTS),
        file("evidence/encrypted-bucket.tfplan.json", EVIDENCE),
    ]
}

const LENS: &str = r#"/// The lens this pack describes: what the Well-Architected Tool shows.
lens my_lens "My Lens" {
  version "0.1.0"
  description "A custom lens: replace this with what your reviews cover."
}
"#;

const PILLAR: &str = r#"/// One pillar with one question; add more questions and pillars next to it.
pillar security "Security" {
  description "How workloads protect their data."

  question SEC01 "How do you protect data at rest?" {
    description "Data stored by the workload is encrypted."
    helpful "Encrypting data at rest" "https://docs.aws.amazon.com/wellarchitected/latest/security-pillar/protecting-data-at-rest.html"

    choice SEC01_BP01 "Encrypt every S3 bucket" {
      improve "Turn on default encryption for every bucket." "https://docs.aws.amazon.com/AmazonS3/latest/userguide/default-bucket-encryption.html"
      check {
        applies when count(resources("AWS::S3::Bucket", "aws_s3_bucket")) > 0
        every bucket in resources("AWS::S3::Bucket", "aws_s3_bucket") {
          is_encrypted(bucket, resources("aws_s3_bucket_server_side_encryption_configuration"))
        } else "bucket {bucket.name} is not encrypted"
      }
    }
    none SEC01_no "None of these"

    risk {
      none when SEC01_BP01
      high otherwise
    }
  }
}
"#;

const PREDICATES: &str = r#"/// A bucket with encryption configured: in a CloudFormation template, or by a
/// Terraform encryption configuration that names the bucket.
predicate is_encrypted(bucket, configurations) {
  exists(bucket.properties.BucketEncryption)
    or count([c in configurations where c.properties.bucket == bucket.properties.bucket]) > 0
}
"#;

const TESTS: &str = r#"test "an encrypted bucket" {
  evidence "evidence/encrypted-bucket.tfplan.json"
  expect SEC01.SEC01_BP01 selected
  expect SEC01 risk none
}
"#;

const EVIDENCE: &str = r#"{
  "format_version": "1.2",
  "terraform_version": "1.9.0",
  "planned_values": {
    "root_module": {
      "resources": [
        {
          "address": "aws_s3_bucket.data",
          "mode": "managed",
          "type": "aws_s3_bucket",
          "name": "data",
          "values": { "bucket": "acme-data" }
        },
        {
          "address": "aws_s3_bucket_server_side_encryption_configuration.data",
          "mode": "managed",
          "type": "aws_s3_bucket_server_side_encryption_configuration",
          "name": "data",
          "values": {
            "bucket": "acme-data",
            "rule": [{ "apply_server_side_encryption_by_default": [{ "sse_algorithm": "aws:kms" }] }]
          }
        }
      ]
    }
  }
}
"#;
