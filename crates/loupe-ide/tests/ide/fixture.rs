//! Fixture packs: files written inline, a `$0` cursor, and results rendered
//! with their file names and the text they cover.

use loupe_db::{Database, Pack, SourceFile};
use loupe_eval::{EvidenceFile, Workload};
use loupe_evidence::LoadOptions;
use loupe_ide::{FilePosition, Span};

pub struct Fixture {
    pub db: Database,
    pub pack: Pack,
    pub files: Vec<SourceFile>,
    /// Where `$0` was, if anywhere.
    pub cursor: Option<FilePosition>,
    /// The sample evidence: the fixture's `.json` and `.yaml` files, if any.
    pub sample: Option<Workload>,
}

impl Fixture {
    /// Files start at `//- name` lines (one unnamed file is `main.lens`);
    /// `$0` marks the cursor and is removed from the text. `.json` and
    /// `.yaml` files are the pack's sample evidence.
    pub fn parse(fixture: &str) -> Fixture {
        let db = Database::default();
        let mut sections: Vec<(String, String)> = Vec::new();
        for line in fixture.split_inclusive('\n') {
            match line.trim_end().strip_prefix("//- ") {
                Some(name) => sections.push((name.to_string(), String::new())),
                None => match sections.last_mut() {
                    Some((_, text)) => text.push_str(line),
                    None => sections.push(("main.lens".to_string(), line.to_string())),
                },
            }
        }
        if sections.is_empty() {
            sections.push(("main.lens".to_string(), String::new()));
        }
        let mut files = Vec::new();
        let mut cursor = None;
        let mut evidence = Vec::new();
        for (name, text) in sections {
            if name.ends_with(".json") || name.ends_with(".yaml") {
                evidence.push(EvidenceFile::new(&db, name, text.into_bytes(), LoadOptions::default()));
                continue;
            }
            let offset = text.find("$0");
            let text = text.replacen("$0", "", 1);
            let file = SourceFile::new(&db, name, text);
            if let Some(offset) = offset {
                assert!(cursor.is_none(), "one `$0` per fixture");
                cursor = Some(FilePosition { file, offset: offset as u32 });
            }
            files.push(file);
        }
        let pack = Pack::new(&db, None, files.clone());
        let sample = (!evidence.is_empty()).then(|| Workload::new(&db, evidence));
        Fixture { db, pack, files, cursor, sample }
    }

    pub fn cursor(&self) -> FilePosition {
        self.cursor.expect("the fixture has a `$0`")
    }

    /// `name.lens 12..20 "text"`.
    pub fn show(&self, file: SourceFile, span: Span) -> String {
        let text = file.text(&self.db).get(span.range()).unwrap_or("<out of the text>");
        format!("{} {}..{} {text:?}", file.name(&self.db), span.start, span.end)
    }
}

/// A small pack of three files: a lens header ordering its pillar, a pillar
/// with two questions, predicates, and a test.
pub const PACK: &str = r#"//- lens.lens
/// The pack under test.
lens acme "ACME Review" {
  version "0.1.0"
  description "How ACME reviews workloads."
  pillars security
}
//- security.lens
/// Who can reach models.
pillar security "Security" {
  description "Access to model endpoints."

  /// Endpoint access.
  question SEC01 "How do you manage access to endpoints?" {
    description "Only the identities that need a model invoke it."
    choice SEC01_private "Keep model traffic private" {
      improve "Create an interface VPC endpoint." "https://example.com/vpc"
      check {
        applies when count(resources("aws_vpc")) > 0
        some endpoint in resources("aws_vpc_endpoint", "AWS::EC2::VPCEndpoint") {
          is_bedrock(endpoint)
        } else "no endpoint for Bedrock"
      }
    }
    choice SEC01_logs "Log every invocation" {
      improve "Turn on invocation logging." "https://example.com/logs"
    }
    none SEC01_no "None of these"
    risk {
      none when SEC01_private and SEC01_logs
      medium when SEC01_private or not SEC01_logs
      high otherwise
    }
  }
}
//- predicates.lens
/// A VPC endpoint for the Bedrock runtime.
predicate is_bedrock(endpoint) {
  endpoint.properties.service_name matches /bedrock-runtime$/
  runtime_named(endpoint.properties.service_name)
}

predicate runtime_named(name) {
  name ends_with "bedrock-runtime"
}

test "private endpoint" {
  evidence "evidence/private.json"
  expect SEC01.SEC01_private selected
  expect SEC01 risk medium
}
"#;

/// [`PACK`] with the cursor put at the `n`th (from 1) occurrence of `needle`, plus `shift` bytes.
pub fn pack_at(needle: &str, n: usize, shift: usize) -> String {
    let (at, _) = PACK.match_indices(needle).nth(n - 1).expect("the needle is in the pack");
    let at = at + shift;
    format!("{}$0{}", &PACK[..at], &PACK[at..])
}
