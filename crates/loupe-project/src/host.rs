//! The analysis host: the one mutable database with the workspace's path →
//! input map. It reads files into inputs and applies changes; its
//! snapshots ([`Analysis`]) answer the queries.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use loupe_db::{Code, Database, Diagnostic, Label, Pack, SourceFile, pack_manifest};
use loupe_eval::{EvidenceFile, Workload};
use loupe_evidence::{Format, LoadOptions};
use salsa::Setter;

use crate::analysis::Analysis;
use crate::change::{Change, FileEdit};
use crate::discover::{self, MANIFEST};
use crate::read::{self, LoadError, LoadErrorKind, MAX_SOURCE_BYTES, STDIN_PATH, display, same_path};

/// What the host needs of a database: the queries of `loupe-db` and
/// `loupe-eval`, and handles that can be sent to other threads.
/// [`Database`] in the drivers; a recording database in tests.
pub trait HostDatabase: loupe_db::Db + Clone + Send {}

impl<D: loupe_db::Db + Clone + Send> HostDatabase for D {}

/// The workspace: the database, which file is which input, and which files
/// make each pack. Only the host changes inputs; [`AnalysisHost::analysis`]
/// gives snapshots that read them.
///
/// A change waits for every snapshot to be dropped: salsa cancels the
/// queries they run (they return `Err(Cancelled)`), but a snapshot kept
/// alive and idle holds the change back.
#[derive(Debug)]
pub struct AnalysisHost<D = Database> {
    db: D,
    /// Every pack file, manifest and loose `.lens` file, by path.
    sources: BTreeMap<PathBuf, SourceFile>,
    /// Packs by their directory.
    packs: BTreeMap<PathBuf, PackEntry>,
    /// Files in no pack, loaded to be checked on their own: each is a pack
    /// without a manifest.
    loose: BTreeMap<PathBuf, Pack>,
    evidence: BTreeMap<PathBuf, EvidenceFile>,
    workloads: Vec<Workload>,
    /// Each pack's sample evidence (`[sample]` of its manifest), shared with
    /// the snapshots.
    samples: Arc<HashMap<Pack, Sample>>,
}

/// The sample evidence a pack's manifest names, read as a workload: what the
/// editor shows the pack's results on. Files that could not be read are left
/// out, each with its warning located at the manifest's entry.
#[derive(Clone, Debug)]
pub struct Sample {
    pub workload: Workload,
    /// The paths read, in the manifest's order: the files a driver watches.
    pub paths: Vec<PathBuf>,
    pub diagnostics: Vec<Diagnostic>,
}

/// The largest sample evidence file read, as `loupe run`'s default.
pub const MAX_SAMPLE_BYTES: u64 = 64 << 20;

#[derive(Debug)]
struct PackEntry {
    pack: Pack,
    /// The pack's files, sorted: the order of [`Pack::files`].
    files: Vec<PathBuf>,
    /// Packs nested in this one, whose files are not this pack's.
    nested: Vec<PathBuf>,
}

/// A pack to report on, and the one file to report if a file was named.
#[derive(Clone, Copy, Debug)]
pub struct Target {
    pub pack: Pack,
    pub only: Option<SourceFile>,
}

/// What [`AnalysisHost::load`] found.
#[derive(Debug, Default)]
pub struct Loaded {
    pub targets: Vec<Target>,
    /// Paths and files that could not be read: no input stands for them.
    pub errors: Vec<LoadError>,
}

/// The evidence a driver asks to read (`loupe run --evidence`).
#[derive(Clone, Copy, Debug)]
pub struct EvidenceRequest<'a> {
    /// Files, directories (every evidence file under them, sorted), or `-`
    /// for standard input.
    pub paths: &'a [PathBuf],
    /// Formats to read files as instead of detecting them, by path.
    pub formats: &'a [(PathBuf, Format)],
    /// The largest file accepted, in bytes.
    pub max_bytes: u64,
    /// A file to leave out of the directories (an answers file kept beside the evidence).
    pub exclude: Option<&'a Path>,
}

/// The evidence read for a request.
#[derive(Debug)]
pub struct LoadedEvidence {
    pub workload: Workload,
    /// Each file with the directory it was found in, if it was found in one.
    pub files: Vec<(EvidenceFile, Option<PathBuf>)>,
    /// Files that were UTF-16 and were converted to UTF-8.
    pub converted: Vec<EvidenceFile>,
    pub errors: Vec<LoadError>,
}

impl Default for AnalysisHost<Database> {
    fn default() -> Self {
        AnalysisHost::with_database(Database::default())
    }
}

impl AnalysisHost<Database> {
    pub fn new() -> Self {
        AnalysisHost::default()
    }
}

impl<D: HostDatabase> AnalysisHost<D> {
    pub fn with_database(db: D) -> Self {
        AnalysisHost {
            db,
            sources: BTreeMap::new(),
            packs: BTreeMap::new(),
            loose: BTreeMap::new(),
            evidence: BTreeMap::new(),
            workloads: Vec::new(),
            samples: Arc::default(),
        }
    }

    /// A snapshot of the current revision, for this thread or another.
    pub fn analysis(&self) -> Analysis<D> {
        Analysis::new(self.db.clone(), self.samples.clone())
    }

    /// The sample evidence of `pack`, when its manifest names some.
    pub fn sample(&self, pack: Pack) -> Option<&Sample> {
        self.samples.get(&pack)
    }

    /// The database, to create inputs of the driver's own (an answers file)
    /// and to read names and texts.
    pub fn db(&self) -> &D {
        &self.db
    }

    /// The input read from `path`: a pack file, a manifest or a loose file.
    pub fn source(&self, path: &Path) -> Option<SourceFile> {
        self.sources.get(path).copied()
    }

    /// The pack whose directory is `root`.
    pub fn pack(&self, root: &Path) -> Option<Pack> {
        self.packs.get(root).map(|entry| entry.pack)
    }

    /// The evidence input read from `path`.
    pub fn evidence(&self, path: &Path) -> Option<EvidenceFile> {
        self.evidence.get(path).copied()
    }

    /// Loads pack directories and `.lens` files. A file is loaded within
    /// its pack when one of its directories has a manifest, and on its own
    /// otherwise.
    pub fn load(&mut self, paths: &[PathBuf]) -> Loaded {
        let mut loaded = Loaded::default();
        for path in paths {
            if path.is_dir() {
                let pack = self.load_pack(path, &mut loaded.errors);
                loaded.targets.extend(pack.map(|pack| Target { pack, only: None }));
            } else if path.is_file() {
                self.load_file(path, &mut loaded);
            } else {
                loaded.errors.push(LoadError::new(path, LoadErrorKind::NotFound));
            }
        }
        loaded
    }

    fn load_file(&mut self, path: &Path, loaded: &mut Loaded) {
        if let Some(root) = discover::pack_root_of(path) {
            let Some(pack) = self.load_pack(root, &mut loaded.errors) else { return };
            let only = self.packs.get(root).and_then(|entry| {
                let file = entry.files.iter().find(|file| same_path(file, path))?;
                self.sources.get(file).copied()
            });
            loaded.targets.push(Target { pack, only });
            return;
        }
        if let Some(&pack) = self.loose.get(path) {
            loaded.targets.push(Target { pack, only: None });
            return;
        }
        match self.read_source(path) {
            Ok(file) => {
                // A file outside any pack is a pack of its own: its pack-level
                // diagnostics (such as the export size) are its own too.
                let pack = Pack::new(&self.db, None, vec![file]);
                self.loose.insert(path.to_path_buf(), pack);
                loaded.targets.push(Target { pack, only: None });
            }
            Err(error) => loaded.errors.push(error),
        }
    }

    /// Loads the pack at `root` (once: a pack loaded before is returned as
    /// it is). Files that cannot be read are left out of it, each with its
    /// error.
    pub fn load_pack(&mut self, root: &Path, errors: &mut Vec<LoadError>) -> Option<Pack> {
        if let Some(entry) = self.packs.get(root) {
            return Some(entry.pack);
        }
        let manifest_path = root.join(MANIFEST);
        if !manifest_path.is_file() {
            errors.push(LoadError::new(manifest_path, LoadErrorKind::NoManifest));
            return None;
        }
        let manifest = self.read_source(&manifest_path).map_err(|error| errors.push(error)).ok()?;
        let discovered = discover::discover_pack(root);
        errors.extend(discovered.errors);
        let mut files = Vec::new();
        let mut inputs = Vec::new();
        for path in discovered.files.iter() {
            match self.read_source(path) {
                Ok(file) => {
                    files.push(path.clone());
                    inputs.push(file);
                }
                Err(error) => errors.push(error),
            }
        }
        if discovered.files.is_empty() {
            errors.push(LoadError::new(root, LoadErrorKind::EmptyPack { manifest }));
        }
        let pack = Pack::new(&self.db, Some(manifest), inputs);
        self.packs.insert(root.to_path_buf(), PackEntry { pack, files, nested: discovered.nested });
        self.adopt(root);
        self.read_sample(root, pack);
        Some(pack)
    }

    /// Gives the pack just loaded at `root` the files the workspace already
    /// has under it (a file not saved yet; a file of the pack around it, or
    /// one checked on its own, before its manifest appeared): they leave
    /// the pack they were in.
    fn adopt(&mut self, root: &Path) {
        let Some(entry) = self.packs.get(root) else { return };
        let nested = entry.nested.clone();
        // Sorted, as the sources are: the files loaded just now are among them.
        let members: Vec<PathBuf> =
            self.sources.keys().filter(|path| discover::is_pack_file(root, &nested, path)).cloned().collect();
        for (outer_root, outer) in self.packs.iter_mut().filter(|(outer_root, _)| outer_root.as_path() != root) {
            let before = outer.files.len();
            outer.files.retain(|file| members.binary_search(file).is_err());
            if root.starts_with(outer_root) && !outer.nested.iter().any(|nested| nested == root) {
                outer.nested.push(root.to_path_buf());
                outer.nested.sort();
            }
            if outer.files.len() != before {
                Self::sync_files(&mut self.db, &self.sources, outer);
            }
        }
        self.loose.retain(|path, _| members.binary_search(path).is_err());
        if let Some(entry) = self.packs.get_mut(root)
            && entry.files != members
        {
            entry.files = members;
            Self::sync_files(&mut self.db, &self.sources, entry);
        }
    }

    /// Every pack of the workspace: those of manifests by directory, then
    /// the files checked on their own by path.
    pub fn packs(&self) -> Vec<Pack> {
        self.packs.values().map(|entry| entry.pack).chain(self.loose.values().copied()).collect()
    }

    /// The directories of the packs with a manifest.
    pub fn pack_roots(&self) -> impl Iterator<Item = &Path> {
        self.packs.keys().map(PathBuf::as_path)
    }

    /// A pack made of texts the driver already holds (an editor's buffers,
    /// a generated pack), as if read from `root`: its files are sorted by
    /// path, as discovery sorts them.
    pub fn add_pack(&mut self, root: &Path, manifest: String, files: Vec<(PathBuf, String)>) -> Pack {
        let mut files = files;
        files.sort_by(|a, b| a.0.cmp(&b.0));
        let manifest_path = root.join(MANIFEST);
        let manifest = SourceFile::new(&self.db, display(&manifest_path), manifest);
        self.sources.insert(manifest_path, manifest);
        let mut paths = Vec::with_capacity(files.len());
        let mut inputs = Vec::with_capacity(files.len());
        for (path, text) in files {
            let file = SourceFile::new(&self.db, display(&path), text);
            self.sources.insert(path.clone(), file);
            paths.push(path);
            inputs.push(file);
        }
        let pack = Pack::new(&self.db, Some(manifest), inputs);
        self.packs.insert(root.to_path_buf(), PackEntry { pack, files: paths, nested: Vec::new() });
        self.read_sample(root, pack);
        pack
    }

    /// Reads the sample evidence the manifest of `pack` names, relative to
    /// `root`, into its sample workload (the same input as before, its files
    /// brought up to date); a pack that names none has no sample.
    fn read_sample(&mut self, root: &Path, pack: Pack) {
        let (Some(manifest), parsed) = (pack.manifest(&self.db), pack_manifest(&self.db, pack)) else { return };
        let entries = parsed.sample.clone();
        let severity = parsed.severity(Code::UnreadableSample);
        if entries.is_empty() {
            if self.samples.contains_key(&pack) {
                Arc::make_mut(&mut self.samples).remove(&pack);
            }
            return;
        }
        let mut files = Vec::new();
        let mut paths = Vec::new();
        let mut diagnostics = Vec::new();
        for entry in entries {
            let path = read::normalize(&root.join(&entry.path));
            match self.read_evidence(&path, None, MAX_SAMPLE_BYTES) {
                Ok((file, _)) => files.push(file),
                Err(error) => diagnostics.extend(severity.map(|severity| Diagnostic {
                    severity,
                    ..Diagnostic::new(
                        Code::UnreadableSample,
                        format!("cannot read the sample evidence {}: {}", error.name(), error.kind),
                        Label::new(manifest, entry.span, "named here"),
                    )
                    .with_help("sample paths are relative to the pack directory; the editor shows no results on a file it cannot read")
                })),
            }
            paths.push(path);
        }
        let workload = match self.samples.get(&pack) {
            Some(sample) => {
                let workload = sample.workload;
                if *workload.files(&self.db) != files {
                    workload.set_files(&mut self.db).to(files);
                }
                workload
            }
            None => self.workload(files),
        };
        Arc::make_mut(&mut self.samples).insert(pack, Sample { workload, paths, diagnostics });
    }

    /// Reads again the sample of every pack that names `path` (a sample file
    /// changed, appeared or went on disk); says whether one did.
    pub fn reread_samples_naming(&mut self, path: &Path) -> bool {
        let naming: Vec<(PathBuf, Pack)> = self
            .packs
            .iter()
            .filter(|(_, entry)| {
                self.samples
                    .get(&entry.pack)
                    .is_some_and(|sample| sample.paths.iter().any(|named| same_path(named, path) || named == path))
            })
            .map(|(root, entry)| (root.clone(), entry.pack))
            .collect();
        for (root, pack) in &naming {
            self.read_sample(root, *pack);
        }
        !naming.is_empty()
    }

    /// Reads a pack or loose file as UTF-8 text into an input; a file the
    /// workspace has already keeps its input and text (an editor's buffer).
    fn read_source(&mut self, path: &Path) -> Result<SourceFile, LoadError> {
        if let Some(&file) = self.sources.get(path) {
            return Ok(file);
        }
        let text = read::read_text(path, MAX_SOURCE_BYTES)?;
        let file = SourceFile::new(&self.db, display(path), text);
        self.sources.insert(path.to_path_buf(), file);
        Ok(file)
    }

    /// Reads the evidence of a review into a workload: directories walked in
    /// sorted order, a file named twice read once, each file read within the
    /// size limit, UTF-16 converted. Files that cannot be read are errors;
    /// whether a file parses is [`Analysis::load_workload`]'s to say.
    pub fn load_evidence(&mut self, request: &EvidenceRequest<'_>) -> LoadedEvidence {
        let mut errors = Vec::new();
        let mut paths: Vec<(PathBuf, Option<PathBuf>)> = Vec::new();
        let mut seen = HashSet::new();
        for path in request.paths {
            let found = if path.is_dir() {
                let mut found = discover::discover_evidence(path);
                if found.is_empty() {
                    errors.push(LoadError::new(path, LoadErrorKind::NoEvidence));
                }
                found.retain(|file| request.exclude.is_none_or(|exclude| !same_path(exclude, file)));
                found.into_iter().map(|file| (file, Some(path.clone()))).collect()
            } else {
                vec![(path.clone(), None)]
            };
            for (file, dir) in found {
                let key = if file == Path::new(STDIN_PATH) {
                    file.clone()
                } else {
                    file.canonicalize().unwrap_or(file.clone())
                };
                if seen.insert(key) {
                    paths.push((file, dir));
                }
            }
        }
        for (path, _) in request.formats {
            if !paths.iter().any(|(evidence, _)| same_path(path, evidence)) {
                errors.push(LoadError::new(path, LoadErrorKind::OverrideOfNoEvidence));
            }
        }
        let mut files = Vec::new();
        let mut converted = Vec::new();
        for (path, dir) in paths {
            let format = request.formats.iter().find(|(given, _)| same_path(given, &path)).map(|&(_, format)| format);
            match self.read_evidence(&path, format, request.max_bytes) {
                Ok((file, was_utf16)) => {
                    if was_utf16 {
                        converted.push(file);
                    }
                    files.push((file, dir));
                }
                Err(error) => errors.push(error),
            }
        }
        let workload = self.workload(files.iter().map(|&(file, _)| file).collect());
        LoadedEvidence { workload, files, converted, errors }
    }

    /// Reads one evidence file into an input (the one already read from
    /// `path`, its bytes and options brought up to date), and says whether
    /// it was UTF-16 and converted.
    pub fn read_evidence(
        &mut self,
        path: &Path,
        format: Option<Format>,
        max_bytes: u64,
    ) -> Result<(EvidenceFile, bool), LoadError> {
        let bytes = read::read_bytes(path, max_bytes)?;
        // Windows PowerShell writes `terraform show -json > plan.json` as UTF-16.
        let (bytes, was_utf16) = match read::utf16_to_utf8(&bytes) {
            Some(text) => (text.into_bytes(), true),
            None => (bytes, false),
        };
        let mut options = LoadOptions { format, ..LoadOptions::default() };
        options.limits.max_file_size = usize::try_from(max_bytes).unwrap_or(usize::MAX);
        Ok((self.set_evidence(path, bytes, options), was_utf16))
    }

    /// The evidence input of `path` with these bytes and options: created,
    /// or brought up to date (an input is set only when it differs).
    pub fn set_evidence(&mut self, path: &Path, bytes: Vec<u8>, options: LoadOptions) -> EvidenceFile {
        match self.evidence.get(path) {
            Some(&file) => {
                if *file.bytes(&self.db) != bytes {
                    file.set_bytes(&mut self.db).to(bytes);
                }
                if file.options(&self.db) != options {
                    file.set_options(&mut self.db).to(options);
                }
                file
            }
            None => {
                let file = EvidenceFile::new(&self.db, display(path), bytes, options);
                self.evidence.insert(path.to_path_buf(), file);
                file
            }
        }
    }

    /// A workload of these files, in this order.
    pub fn workload(&mut self, files: Vec<EvidenceFile>) -> Workload {
        let workload = Workload::new(&self.db, files);
        self.workloads.push(workload);
        workload
    }

    /// Applies file edits in order. Setting a file's text changes its input
    /// (nothing when the text is the same); a path the workspace does not
    /// know is added, to the pack whose directory holds it when it is one of
    /// that pack's files by the rules of discovery (a `.lens` file in no
    /// hidden directory or nested pack), on its own otherwise; a removed file
    /// leaves its pack or workload. A removed manifest takes its pack away:
    /// its files join the pack around it, or leave the workspace when none
    /// holds it. Each pack's files stay sorted. Snapshots
    /// still running are cancelled, and the change waits for them to be
    /// dropped.
    pub fn apply_change(&mut self, change: Change) {
        for edit in change.edits {
            match edit {
                FileEdit::SetText(path, text) => self.set_text(path, text),
                FileEdit::Remove(path) => self.remove(&path),
            }
        }
    }

    fn set_text(&mut self, path: PathBuf, text: String) {
        if let Some(&file) = self.sources.get(&path) {
            if *file.text(&self.db) != text {
                file.set_text(&mut self.db).to(text);
                // A manifest's sample may name other files now.
                let manifest_of = self.packs.iter().find(|(_, entry)| entry.pack.manifest(&self.db) == Some(file));
                if let Some((root, entry)) = manifest_of {
                    let (root, pack) = (root.clone(), entry.pack);
                    self.read_sample(&root, pack);
                }
            }
            return;
        }
        if let Some(&file) = self.evidence.get(&path) {
            if **file.bytes(&self.db) != *text.as_bytes() {
                file.set_bytes(&mut self.db).to(text.into_bytes());
            }
            return;
        }
        let file = SourceFile::new(&self.db, display(&path), text);
        self.sources.insert(path.clone(), file);
        let owner = self
            .packs
            .iter_mut()
            .filter(|(root, entry)| discover::is_pack_file(root, &entry.nested, &path))
            .max_by_key(|(root, _)| root.components().count());
        if let Some((_, entry)) = owner {
            let at = entry.files.binary_search(&path).unwrap_or_else(|at| at);
            entry.files.insert(at, path);
            Self::sync_files(&mut self.db, &self.sources, entry);
        }
    }

    fn remove(&mut self, path: &Path) {
        self.loose.remove(path);
        if let Some(root) = path.parent().filter(|_| path.file_name().is_some_and(|name| name == MANIFEST)) {
            self.remove_pack(root);
        }
        if self.sources.remove(path).is_some() {
            for entry in self.packs.values_mut() {
                if let Ok(at) = entry.files.binary_search_by(|file| file.as_path().cmp(path)) {
                    entry.files.remove(at);
                    Self::sync_files(&mut self.db, &self.sources, entry);
                }
            }
        }
        if let Some(file) = self.evidence.remove(path) {
            for &workload in &self.workloads {
                let files = workload.files(&self.db);
                if files.contains(&file) {
                    let kept = files.iter().copied().filter(|&kept| kept != file).collect();
                    workload.set_files(&mut self.db).to(kept);
                }
            }
        }
    }

    /// The pack at `root` is gone with its manifest: its files join the pack
    /// around it, if one holds it, and leave the workspace otherwise (a
    /// driver loads again those it still wants checked on their own).
    fn remove_pack(&mut self, root: &Path) {
        let Some(removed) = self.packs.remove(root) else { return };
        let outer = self
            .packs
            .iter_mut()
            .filter(|(outer_root, _)| root.starts_with(outer_root))
            .max_by_key(|(outer_root, _)| outer_root.components().count());
        match outer {
            Some((_, outer)) => {
                outer.nested.retain(|nested| nested != root);
                outer.nested.extend(removed.nested);
                outer.nested.sort();
                outer.files.extend(removed.files);
                outer.files.sort();
                Self::sync_files(&mut self.db, &self.sources, outer);
            }
            None => {
                for file in &removed.files {
                    self.sources.remove(file);
                }
            }
        }
    }

    /// Gives the pack input its entry's files, in the entry's (sorted) order.
    fn sync_files(db: &mut D, sources: &BTreeMap<PathBuf, SourceFile>, entry: &PackEntry) {
        let files = entry.files.iter().filter_map(|path| sources.get(path).copied()).collect();
        entry.pack.set_files(db).to(files);
    }
}
