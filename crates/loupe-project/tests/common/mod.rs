//! What the workspace tests share: a pack's texts, and directories on disk.

#![allow(dead_code)] // Each test file uses its part.

use std::path::{Path, PathBuf};

pub const MANIFEST: &str = "[pack]\nname = \"demo\"\n";

pub const LENS: &str = "lens demo \"Demo\" { description \"A demo lens.\" }\n";

/// A pillar whose one check calls the predicate `uses_kms`.
pub const CHECKS: &str = r#"pillar security "Security" {
  question SEC01 "Is data encrypted?" {
    description "Whether buckets are encrypted."
    choice SEC01_kms "Buckets use KMS" {
      improve "Use KMS." "https://example.com/kms"
      check { some r in resources("AWS::S3::Bucket") { uses_kms(r) } }
    }
    none SEC01_no "None of these"
    risk {
      none when SEC01_kms
      high otherwise
    }
  }
}
"#;

pub const PREDICATES: &str = r#"
/// Whether a bucket is encrypted with a KMS key.
predicate uses_kms(bucket) { bucket.properties.BucketEncryption.ServerSideEncryptionConfiguration[*].ServerSideEncryptionByDefault.SSEAlgorithm contains "aws:kms" }
"#;

/// The demo pack's files under `root`, as `add_pack` takes them.
pub fn demo_files(root: &Path) -> Vec<(PathBuf, String)> {
    vec![
        (root.join("lens.lens"), LENS.to_string()),
        (root.join("security.lens"), CHECKS.to_string()),
        (root.join("predicates.lens"), PREDICATES.to_string()),
    ]
}

/// A fresh directory under the system's temporary directory, removed when dropped.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(name: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!("loupe-project-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("temporary directory");
        TempDir(dir)
    }

    /// Writes `contents` at `relative`, creating its directories.
    pub fn write(&self, relative: &str, contents: impl AsRef<[u8]>) -> PathBuf {
        let path = self.0.join(relative);
        std::fs::create_dir_all(path.parent().expect("a parent")).expect("directories");
        std::fs::write(&path, contents).expect("a file");
        path
    }

    /// A path under the directory, as text relative to it.
    pub fn relative(&self, path: &Path) -> String {
        path.strip_prefix(&self.0).map_or_else(|_| path.display().to_string(), |path| path.display().to_string())
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
