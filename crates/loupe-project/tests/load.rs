//! Loading from disk: pack discovery, and every way a file can fail to load.

mod common;

use std::path::{Path, PathBuf};

use common::TempDir;
use expect_test::{Expect, expect};
use loupe_evidence::Format;
use loupe_project::{AnalysisHost, Change, EvidenceRequest, LoadError, LoadErrorKind, Loaded};

/// What a load gave, relative to the case's directory: each target's pack
/// files (and the one file asked for), then each error.
fn summary(dir: &TempDir, host: &AnalysisHost, loaded: &Loaded) -> String {
    let db = host.db();
    let name = |file: loupe_db::SourceFile| dir.relative(Path::new(file.name(db)));
    let mut out = String::new();
    for target in &loaded.targets {
        let files: Vec<String> = target.pack.files(db).iter().map(|&file| name(file)).collect();
        let manifest = target.pack.manifest(db).map_or("no manifest".to_string(), name);
        out.push_str(&format!("pack {manifest}: [{}]", files.join(", ")));
        if let Some(only) = target.only {
            out.push_str(&format!(" only {}", name(only)));
        }
        out.push('\n');
    }
    for error in &loaded.errors {
        out.push_str(&format!("error {}: {}\n", dir.relative(&error.path), error.kind));
    }
    out
}

/// The pack every discovery case starts from.
const LAYOUT: &[(&str, &str)] = &[
    ("pack/loupe.toml", "[pack]\nname = \"demo\"\n"),
    ("pack/b.lens", ""),
    ("pack/a.lens", ""),
    ("pack/sub/c.lens", ""),
    ("pack/notes.md", ""),
    ("pack/.hidden/d.lens", ""),
    ("pack/nested/loupe.toml", "[pack]\nname = \"nested\"\n"),
    ("pack/nested/e.lens", ""),
    ("loose.lens", ""),
    ("bare/x.lens", ""),
    ("empty/loupe.toml", "[pack]\nname = \"empty\"\n"),
];

#[test]
fn discovery_cases() {
    let cases: &[(&str, &[&str], Expect)] = &[
        (
            "a pack: its .lens files sorted, hidden directories and nested packs left out",
            &["pack"],
            expect![[r#"
                pack pack/loupe.toml: [pack/a.lens, pack/b.lens, pack/sub/c.lens]
            "#]],
        ),
        (
            "a nested pack on its own",
            &["pack/nested"],
            expect![[r#"
                pack pack/nested/loupe.toml: [pack/nested/e.lens]
            "#]],
        ),
        (
            "a file is loaded within the nearest pack above it",
            &["pack/sub/c.lens", "pack/nested/e.lens"],
            expect![[r#"
                pack pack/loupe.toml: [pack/a.lens, pack/b.lens, pack/sub/c.lens] only pack/sub/c.lens
                pack pack/nested/loupe.toml: [pack/nested/e.lens] only pack/nested/e.lens
            "#]],
        ),
        (
            "a file in no pack is loaded on its own",
            &["loose.lens"],
            expect![[r#"
                pack no manifest: [loose.lens]
            "#]],
        ),
        (
            "a pack named twice is one pack",
            &["pack", "pack/a.lens"],
            expect![[r#"
                pack pack/loupe.toml: [pack/a.lens, pack/b.lens, pack/sub/c.lens]
                pack pack/loupe.toml: [pack/a.lens, pack/b.lens, pack/sub/c.lens] only pack/a.lens
            "#]],
        ),
        (
            "a missing path, a directory without a manifest, a pack without files",
            &["missing", "bare", "empty"],
            expect![[r#"
                pack empty/loupe.toml: []
                error missing: no such file or directory
                error bare/loupe.toml: a pack directory needs a loupe.toml
                error empty: no .lens files in it
            "#]],
        ),
    ];
    let dir = TempDir::new("discovery");
    for (path, contents) in LAYOUT {
        dir.write(path, contents);
    }
    for (what, paths, expected) in cases {
        let mut host = AnalysisHost::new();
        let paths: Vec<PathBuf> = paths.iter().map(|path| dir.0.join(path)).collect();
        let loaded = host.load(&paths);
        println!("case: {what}");
        expected.assert_eq(&summary(&dir, &host, &loaded));
    }
}

#[test]
fn a_pack_named_twice_is_loaded_once() {
    let dir = TempDir::new("twice");
    for (path, contents) in LAYOUT {
        dir.write(path, contents);
    }
    let mut host = AnalysisHost::new();
    let loaded = host.load(&[dir.0.join("pack"), dir.0.join("pack/a.lens")]);
    assert_eq!(loaded.targets[0].pack, loaded.targets[1].pack);
    assert_eq!(host.pack(&dir.0.join("pack")), Some(loaded.targets[0].pack));
}

#[test]
fn a_file_that_is_not_utf8_is_left_out_with_its_error() {
    let dir = TempDir::new("utf8");
    dir.write("pack/loupe.toml", "[pack]\nname = \"demo\"\n");
    dir.write("pack/good.lens", "");
    let bad = dir.write("pack/bad.lens", b"pillar p \"S\xe9curit\xe9\" {}\n");
    let mut host = AnalysisHost::new();
    let loaded = host.load(&[dir.0.join("pack")]);
    assert_eq!(loaded.targets[0].pack.files(host.db()).len(), 1);
    assert!(host.source(&bad).is_none(), "no input stands for it");
    let [LoadError { path, kind: LoadErrorKind::NotUtf8 { valid_up_to, lossy } }] = &loaded.errors[..] else {
        panic!("{:?}", loaded.errors);
    };
    assert_eq!((path, *valid_up_to), (&bad, 11));
    assert_eq!(&lossy[*valid_up_to..], "\u{fffd}curit\u{fffd}\" {}\n");
}

#[test]
fn reading_stops_at_the_limit() {
    let dir = TempDir::new("limit");
    let file = dir.write("pack.lens", "four");
    assert_eq!(loupe_project::read_text(&file, 4).as_deref(), Ok("four"));
    let error = loupe_project::read_text(&file, 3).expect_err("too large");
    assert_eq!(error.kind, LoadErrorKind::TooLarge { limit: 3 });
    assert_eq!(error.kind.to_string(), "larger than 3 bytes");
}

#[test]
fn evidence_that_cannot_be_read() {
    let dir = TempDir::new("unreadable");
    let empty = dir.0.join("empty");
    std::fs::create_dir_all(&empty).expect("a directory");
    let big = dir.write("big.json", "{\"a\": 1}");
    let mut host = AnalysisHost::new();
    let mut read = |path: &Path, limit| host.read_evidence(path, None, limit).map(|_| ()).map_err(|error| error.kind);
    assert_eq!(read(&dir.0.join("missing.json"), 100), Err(LoadErrorKind::NotFound));
    assert_eq!(read(&empty, 100), Err(LoadErrorKind::Directory));
    assert_eq!(read(&big, 4), Err(LoadErrorKind::TooLarge { limit: 4 }));
    #[cfg(unix)]
    assert_eq!(read(Path::new("/dev/zero"), 100), Err(LoadErrorKind::NotAFile));

    // Named in a request: an empty directory, and an override of no evidence file.
    let formats = [(dir.0.join("other.json"), Format::Generic)];
    let request =
        EvidenceRequest { paths: std::slice::from_ref(&empty), formats: &formats, max_bytes: 100, exclude: None };
    let loaded = host.load_evidence(&request);
    let errors: Vec<(PathBuf, LoadErrorKind)> =
        loaded.errors.into_iter().map(|error| (error.path, error.kind)).collect();
    assert_eq!(
        errors,
        [(empty, LoadErrorKind::NoEvidence), (dir.0.join("other.json"), LoadErrorKind::OverrideOfNoEvidence)]
    );
    assert!(loaded.workload.files(host.db()).is_empty());
}

#[test]
fn evidence_of_a_review() {
    let dir = TempDir::new("evidence");
    dir.write("evidence/b.yaml", "b: 1\n");
    dir.write("evidence/a.json", "{}");
    dir.write("evidence/.hidden/c.json", "{}");
    dir.write("evidence/readme.md", "");
    let answers = dir.write("evidence/answers.yaml", "attestations: []\n");
    // UTF-16 with a byte order mark, as PowerShell's `>` writes it.
    let utf16: Vec<u8> = [0xFF, 0xFE].into_iter().chain("{}".encode_utf16().flat_map(u16::to_le_bytes)).collect();
    let wide = dir.write("wide.json", utf16);
    let paths = [dir.0.join("evidence"), dir.0.join("evidence/a.json"), wide.clone()];
    let formats = [(wide.clone(), Format::Kubernetes)];
    let request = EvidenceRequest { paths: &paths, formats: &formats, max_bytes: 100, exclude: Some(&answers) };
    let mut host = AnalysisHost::new();
    let loaded = host.load_evidence(&request);
    assert_eq!(loaded.errors, []);
    let db = host.db();
    // Sorted within the directory, the answers file left out, a file named twice read once.
    let names: Vec<(String, Option<String>)> = loaded
        .files
        .iter()
        .map(|(file, found_in)| {
            (dir.relative(Path::new(file.name(db))), found_in.as_ref().map(|found_in| dir.relative(found_in)))
        })
        .collect();
    assert_eq!(
        names,
        [
            ("evidence/a.json".to_string(), Some("evidence".to_string())),
            ("evidence/b.yaml".to_string(), Some("evidence".to_string())),
            ("wide.json".to_string(), None),
        ]
    );
    let wide_file = host.evidence(&wide).expect("read");
    assert_eq!(loaded.converted, [wide_file]);
    assert_eq!(&**wide_file.bytes(db), b"{}");
    assert_eq!(wide_file.options(db).format, Some(Format::Kubernetes));
    assert_eq!(wide_file.options(db).limits.max_file_size, 100);
    let workload: Vec<_> = loaded.files.iter().map(|&(file, _)| file).collect();
    assert_eq!(loaded.workload.files(db), &workload);
}

/// Every pack of the host as `manifest: [files]`, relative to the case's directory.
fn packs(dir: &TempDir, host: &AnalysisHost) -> Vec<String> {
    let db = host.db();
    let name = |file: loupe_db::SourceFile| dir.relative(Path::new(file.name(db)));
    host.packs()
        .iter()
        .map(|pack| {
            let files: Vec<String> = pack.files(db).iter().map(|&file| name(file)).collect();
            format!("{}: [{}]", pack.manifest(db).map_or("no manifest".to_string(), name), files.join(", "))
        })
        .collect()
}

#[test]
fn a_manifest_that_appears_takes_the_files_the_workspace_has_under_it_and_its_removal_gives_them_back() {
    let dir = TempDir::new("manifest-appears");
    dir.write("outer/loupe.toml", "[pack]\nname = \"outer\"\n");
    dir.write("outer/a.lens", "");
    let b = dir.write("outer/inner/b.lens", "");
    let c = dir.write("other/c.lens", "");
    let mut host = AnalysisHost::new();
    host.load(&[dir.0.join("outer"), c.clone()]);
    // A file an editor has but has not saved joins the pack around it.
    let unsaved = dir.0.join("outer/inner/new.lens");
    let mut change = Change::new();
    change.set_text(&unsaved, "// not saved");
    host.apply_change(change);
    assert_eq!(
        packs(&dir, &host),
        ["outer/loupe.toml: [outer/a.lens, outer/inner/b.lens, outer/inner/new.lens]", "no manifest: [other/c.lens]"]
    );

    // Two manifests appear: inside the pack, and beside the file checked on its own.
    dir.write("outer/inner/loupe.toml", "[pack]\nname = \"inner\"\n");
    dir.write("other/loupe.toml", "[pack]\nname = \"other\"\n");
    let loaded = host.load(&[dir.0.join("outer/inner"), dir.0.join("other")]);
    assert!(loaded.errors.is_empty(), "{:?}", loaded.errors);
    assert_eq!(
        packs(&dir, &host),
        [
            "other/loupe.toml: [other/c.lens]",
            "outer/loupe.toml: [outer/a.lens]",
            "outer/inner/loupe.toml: [outer/inner/b.lens, outer/inner/new.lens]",
        ]
    );
    // The unsaved file kept its text; a file added under the inner pack joins it, not the outer one.
    let new = host.source(&unsaved).expect("the unsaved file");
    assert_eq!(new.text(host.db()), "// not saved");
    let mut change = Change::new();
    change.set_text(dir.0.join("outer/inner/later.lens"), "");
    host.apply_change(change);
    assert!(packs(&dir, &host)[2].contains("outer/inner/later.lens"), "{:?}", packs(&dir, &host));

    // Removed again: the inner files go back to the outer pack; the other's leave the workspace.
    let mut change = Change::new();
    change.remove_file(dir.0.join("outer/inner/loupe.toml")).remove_file(dir.0.join("other/loupe.toml"));
    host.apply_change(change);
    assert_eq!(
        packs(&dir, &host),
        ["outer/loupe.toml: [outer/a.lens, outer/inner/b.lens, outer/inner/later.lens, outer/inner/new.lens]"]
    );
    assert!(host.source(&c).is_none() && host.source(&b).is_some());
}

#[test]
fn the_packs_of_a_workspace_folder() {
    let dir = TempDir::new("folder-packs");
    for (path, text) in LAYOUT {
        dir.write(path, text);
    }
    dir.write("pack/nested/loupe.toml", "");
    dir.write("pack/nested/e.lens", "");
    dir.write("loose/f.lens", "");
    dir.write(".git/loupe.toml", "");
    dir.write("empty/loupe.toml", "");
    let roots: Vec<String> = loupe_project::discover_packs(&dir.0).iter().map(|root| dir.relative(root)).collect();
    // A pack with no `.lens` file is found only as the folder itself; loose files are no pack.
    assert_eq!(roots, ["pack", "pack/nested"]);
    let roots: Vec<String> =
        loupe_project::discover_packs(&dir.0.join("empty")).iter().map(|root| dir.relative(root)).collect();
    assert_eq!(roots, ["empty"]);
}
