//! The documentation's examples, run through `loupe`:
//!
//! - every `.lens` example of `docs/language.md` checks clean except for the
//!   diagnostics its `// error: CODE` and `// warning: CODE` comments mark,
//!   each on the line that carries the comment (the conventions are at the top
//!   of `docs/language.md`);
//! - every diagnostic code's explanation (`loupe explain CODE`) has a wrong
//!   example that reports the code and a right one that parses and does not
//!   report it (the conventions are in
//!   `crates/loupe-diagnostics/explanations/README.md`).
//!
//! Each test runs every example before it fails, and lists every one that does
//! not behave.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};

use loupe_diagnostics::Code;

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().expect("repository root")
}

/// A fenced code block of a Markdown file.
#[derive(Debug)]
struct Fence {
    /// The words of the info string: the language, then its attributes.
    info: Vec<String>,
    body: String,
    /// The line (from 1) of the body's first line in the Markdown file.
    line: usize,
    /// The last `Wrong:` or `Right:` paragraph before the fence, if any.
    label: Option<String>,
}

fn fences(markdown: &str) -> Vec<Fence> {
    let mut found = Vec::new();
    let mut open: Option<Fence> = None;
    let mut label = None;
    for (index, line) in markdown.lines().enumerate() {
        match (&mut open, line.strip_prefix("```")) {
            (None, Some(info)) => {
                let info = info.split_whitespace().map(str::to_owned).collect();
                open = Some(Fence { info, body: String::new(), line: index + 2, label: label.clone() });
            }
            (Some(_), Some("")) => found.extend(open.take()),
            (Some(fence), _) => {
                fence.body.push_str(line);
                fence.body.push('\n');
            }
            (None, None) if matches!(line, "Wrong:" | "Right:") => label = Some(line.trim_end_matches(':').to_owned()),
            (None, None) => {}
        }
    }
    assert!(open.is_none(), "a fence is never closed");
    found
}

/// The `.lens` file a fence's body stands for, and the number of lines put
/// before the body: `lens question` is a question, placed in a pillar;
/// `lens check` is the statements of a check, placed in a choice.
fn lens_file(kind: Option<&str>, body: &str) -> Result<(String, usize), String> {
    const CHECK_BEFORE: &str = "pillar docs \"Docs\" {\n  question DOCS01 \"Docs example?\" {\n    \
        choice DOCS01_BP01 \"Docs example\" {\n      improve \"Docs example.\" \"https://example.com\"\n      check {\n";
    const CHECK_AFTER: &str =
        "      }\n    }\n    risk {\n      none when DOCS01_BP01\n      high otherwise\n    }\n  }\n}\n";
    match kind {
        None => Ok((body.to_owned(), 0)),
        Some("question") => Ok((format!("pillar docs \"Docs\" {{\n{body}}}\n"), 1)),
        Some("check") => Ok((format!("{CHECK_BEFORE}{body}{CHECK_AFTER}"), CHECK_BEFORE.lines().count())),
        Some(other) => Err(format!("unknown kind of `.lens` example `{other}` (question, check, or a file path)")),
    }
}

/// A fresh directory under the system's temporary directory, removed on drop.
struct Scratch(PathBuf);

impl Scratch {
    fn new() -> Scratch {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let name = format!("loupe-docs-{}-{}", std::process::id(), NEXT.fetch_add(1, Ordering::Relaxed));
        let dir = std::env::temp_dir().join(name);
        std::fs::create_dir_all(&dir).expect("a scratch directory");
        Scratch(dir)
    }

    fn write(&self, path: &str, text: &str) {
        let path = self.0.join(path);
        std::fs::create_dir_all(path.parent().expect("a file in a directory")).expect("a directory");
        std::fs::write(path, text).expect("a scratch file");
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        std::fs::remove_dir_all(&self.0).ok();
    }
}

/// Runs `command` in `dir`, without color; returns what it printed.
fn run(mut command: Command, dir: &Path) -> String {
    let output = command
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|error| panic!("{command:?}: {error}"));
    String::from_utf8_lossy(&output.stdout).into_owned() + &String::from_utf8_lossy(&output.stderr)
}

fn loupe(args: &[&str], dir: &Path) -> String {
    let mut command = Command::new(env!("CARGO_BIN_EXE_loupe"));
    command.args(args);
    run(command, dir)
}

/// One diagnostic: where it is in the documentation, and what it is.
type Mark = (String, usize, String, String);

/// The diagnostics `// error: CODE` and `// warning: CODE` comments announce,
/// on the lines (counted in the Markdown file) that carry them.
fn marks(doc: &str, fence: &Fence) -> Vec<Mark> {
    let mut found = Vec::new();
    for (index, line) in fence.body.lines().enumerate() {
        for severity in ["error", "warning"] {
            if let Some((_, code)) = line.split_once(&format!("// {severity}: ")) {
                let code = code.split_whitespace().next().unwrap_or_default().to_owned();
                found.push((doc.to_owned(), fence.line + index, severity.to_owned(), code));
            }
        }
    }
    found
}

/// `loupe check --format json` on `targets` in `dir`: each diagnostic with its
/// file and line (from 1; 0 when it has no place).
fn check_json(targets: &[&str], dir: &Path) -> Result<Vec<(String, usize, String, String)>, String> {
    let mut args = vec!["check", "--format", "json"];
    args.extend(targets);
    let output = loupe(&args, dir);
    let json: serde_json::Value = serde_json::from_str(&output).map_err(|error| format!("{error}: {output}"))?;
    let diagnostics = json["diagnostics"].as_array().ok_or_else(|| format!("no diagnostics list: {output}"))?;
    Ok(diagnostics
        .iter()
        .map(|diagnostic| {
            let text = |key: &str| diagnostic[key].as_str().unwrap_or_default().to_owned();
            let line = diagnostic["range"]["start"]["line"].as_u64().unwrap_or(0) as usize;
            (text("file"), line, text("severity"), text("code"))
        })
        .collect())
}

/// Compares the diagnostics found with those marked, both sorted; one line per difference.
fn differences(doc: &str, mut marked: Vec<Mark>, mut found: Vec<Mark>) -> Vec<String> {
    marked.sort();
    found.sort();
    let describe = |(doc, line, severity, code): &Mark| format!("{doc}:{line}: {severity} {code}");
    let mut out: Vec<String> =
        found.iter().filter(|d| !marked.contains(d)).map(|d| format!("{} (not marked)", describe(d))).collect();
    out.extend(marked.iter().filter(|d| !found.contains(d)).map(|d| format!("{} (marked, not reported)", describe(d))));
    if out.is_empty() { out } else { vec![format!("{doc}: {}", out.join("; "))] }
}

/// Every `lens` example of `docs/language.md`. A fence whose info string names
/// a path (`lens acme-genai/security.lens`, `toml acme-genai/loupe.toml`) is a
/// file of the pack in that path's first directory, checked as a whole.
#[test]
fn language_reference_examples_check_as_marked() {
    let doc = "docs/language.md";
    let markdown = std::fs::read_to_string(repo_root().join(doc)).expect("docs/language.md");
    let all = fences(&markdown);
    let mut failures = Vec::new();
    let mut packs: Vec<(&str, Vec<&Fence>)> = Vec::new();
    let mut examples = 0;
    for fence in &all {
        let (language, attribute) = (fence.info.first().map(String::as_str), fence.info.get(1).map(String::as_str));
        match (language, attribute) {
            (Some("lens" | "toml"), Some(path)) if path.contains('/') => {
                let pack = path.split('/').next().unwrap_or_default();
                match packs.iter_mut().find(|(name, _)| *name == pack) {
                    Some((_, files)) => files.push(fence),
                    None => packs.push((pack, vec![fence])),
                }
            }
            (Some("lens"), kind) => {
                examples += 1;
                let (text, before) = match lens_file(kind, &fence.body) {
                    Ok(file) => file,
                    Err(error) => {
                        failures.push(format!("{doc}:{}: {error}", fence.line));
                        continue;
                    }
                };
                let scratch = Scratch::new();
                scratch.write("example.lens", &text);
                let found = match check_json(&["example.lens"], &scratch.0) {
                    Ok(found) => found,
                    Err(error) => {
                        failures.push(format!("{doc}:{}: {error}", fence.line));
                        continue;
                    }
                };
                // Lines of the wrapper (none, for a whole file) count as the fence's first line.
                let found = found
                    .into_iter()
                    .map(|(_, line, severity, code)| {
                        (doc.to_owned(), fence.line + line.saturating_sub(before + 1), severity, code)
                    })
                    .collect();
                let here = format!("{doc}:{}", fence.line);
                failures.extend(differences(&here, marks(doc, fence), found));
            }
            _ => {}
        }
    }
    for (pack, files) in &packs {
        examples += files.len();
        let scratch = Scratch::new();
        for file in files {
            scratch.write(&file.info[1], &file.body);
        }
        let found = match check_json(&[pack], &scratch.0) {
            Ok(found) => found,
            Err(error) => {
                failures.push(format!("{doc}: pack {pack}: {error}"));
                continue;
            }
        };
        let found = found
            .into_iter()
            .map(|(file, line, severity, code)| {
                let fence = files.iter().find(|fence| fence.info[1] == file);
                (doc.to_owned(), fence.map_or(0, |fence| fence.line + line.saturating_sub(1)), severity, code)
            })
            .collect();
        let marked = files.iter().flat_map(|fence| marks(doc, fence)).collect();
        failures.extend(differences(&format!("{doc}: pack {pack}"), marked, found));
        // What the page shows `loupe check PACK` printing, it prints.
        let command = format!("$ loupe check {pack}");
        for console in all.iter().filter(|fence| fence.info.first().is_some_and(|language| language == "console")) {
            if console.body.lines().next() == Some(command.as_str())
                && let Err(error) = run_console(&console.body, &scratch.0)
            {
                failures.push(format!("{doc}:{}: {error}", console.line));
            }
        }
    }
    assert!(examples >= 35, "only {examples} examples found in {doc}");
    assert!(failures.is_empty(), "examples that do not check as marked:\n{}", failures.join("\n"));
}

/// Whether `output` reports a syntax error (`error[L000N]`): a right example
/// must at least parse, or it would be clean of its code for nothing.
fn syntax_error(output: &str) -> bool {
    output.contains("error[L000")
}

/// Copies the directory `from` to `to`, recursively.
fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("a directory");
    for entry in std::fs::read_dir(from).expect("a readable directory") {
        let path = entry.expect("an entry").path();
        let target = to.join(path.file_name().expect("named"));
        if path.is_dir() {
            copy_dir(&path, &target);
        } else {
            std::fs::copy(&path, &target).expect("a copy");
        }
    }
}

/// Sets up one example of an explanation in a scratch directory, runs it, and
/// returns what it printed, or why it does not run as written.
fn run_explanation_example(fences: &[&Fence]) -> Result<String, String> {
    let scratch = Scratch::new();
    let mut commands = Vec::new();
    let mut lens_files = Vec::new();
    for fence in fences {
        let language = fence.info.first().map(String::as_str).unwrap_or_default();
        let attribute = fence.info.get(1).map(String::as_str);
        let path = match (language, attribute) {
            ("console", _) => {
                commands.push(&fence.body);
                continue;
            }
            ("lens", Some(path)) if path.ends_with(".lens") => path,
            ("lens", _) => "example.lens",
            ("toml", Some(path)) => path,
            ("toml", None) => "loupe.toml",
            ("yaml" | "json", Some(path)) => path,
            _ => return Err(format!("a `{}` fence is not an example that runs", fence.info.join(" "))),
        };
        let text = match (language, attribute) {
            ("lens", kind) if !kind.is_some_and(|kind| kind.ends_with(".lens")) => lens_file(kind, &fence.body)?.0,
            _ => fence.body.clone(),
        };
        if language == "lens" {
            lens_files.push(path.to_owned());
        }
        scratch.write(path, &text);
    }
    let mut output = String::new();
    if commands.is_empty() {
        let targets = if scratch.0.join("loupe.toml").is_file() {
            // A manifest alone is checked with a lens header beside it.
            if lens_files.is_empty() {
                scratch.write("lens.lens", "lens docs \"Docs\" {\n  description \"Docs example.\"\n}\n");
            }
            vec![".".to_owned()]
        } else {
            lens_files
        };
        let mut args = vec!["check".to_owned()];
        args.extend(targets);
        output.push_str(&loupe(&args.iter().map(String::as_str).collect::<Vec<_>>(), &scratch.0));
    }
    for console in commands {
        output.push_str(&run_console(console, &scratch.0)?);
    }
    Ok(output)
}

/// Runs the `$ command` lines of a `console` block in `dir`, in order, with
/// `loupe` on the `PATH`; every other line must be a line of what the command
/// before it printed. Returns everything the commands printed.
fn run_console(console: &str, dir: &Path) -> Result<String, String> {
    for shipped in ["policies", "examples"] {
        if console.contains(&format!("{shipped}/")) && !dir.join(shipped).exists() {
            copy_dir(&repo_root().join(shipped), &dir.join(shipped));
        }
    }
    let bin = Path::new(env!("CARGO_BIN_EXE_loupe")).parent().expect("a directory");
    let path = std::env::join_paths(
        std::iter::once(bin.to_owned()).chain(std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())),
    )
    .expect("a PATH");
    let mut output = String::new();
    let mut last = String::new();
    for line in console.lines() {
        if let Some(command) = line.strip_prefix("$ ") {
            let mut shell = Command::new("sh");
            shell.args(["-c", command]).env("PATH", &path);
            last = run(shell, dir);
            output.push_str(&last);
        } else if !line.trim().is_empty() && !last.lines().any(|printed| printed.trim() == line.trim()) {
            return Err(format!(
                "`{}` does not print `{}`:\n{last}",
                console.lines().next().unwrap_or_default(),
                line.trim()
            ));
        }
    }
    Ok(output)
}

/// The explanation of every code: its `Wrong:` example reports the code, its
/// `Right:` example parses and does not report the code.
#[test]
fn explanation_examples_behave() {
    let mut failures = Vec::new();
    for code in Code::ALL {
        let all = fences(code.explanation());
        for label in ["Wrong", "Right"] {
            let example: Vec<&Fence> = all.iter().filter(|fence| fence.label.as_deref() == Some(label)).collect();
            if example.is_empty() {
                failures.push(format!("{code}: no `{label}:` example", code = code.as_str()));
                continue;
            }
            match run_explanation_example(&example) {
                Err(error) => failures.push(format!("{}: {label}: {error}", code.as_str())),
                Ok(output) if label == "Wrong" && !output.contains(&format!("[{}]", code.as_str())) => {
                    failures.push(format!("{}: the wrong example does not report it:\n{output}", code.as_str()));
                }
                Ok(output)
                    if label == "Right"
                        && (output.contains(&format!("[{}]", code.as_str())) || syntax_error(&output)) =>
                {
                    failures.push(format!("{}: the right example is not clean:\n{output}", code.as_str()));
                }
                Ok(_) => {}
            }
        }
    }
    let codes: Vec<&str> = failures.iter().filter_map(|failure| failure.get(..5)).collect();
    assert!(failures.is_empty(), "explanations whose examples do not behave: {codes:?}\n\n{}", failures.join("\n\n"));
}

/// The answers file `docs/answers.md` shows reads without error against the
/// shipped pack: every section and key it uses is one `loupe run` knows.
#[test]
fn answers_reference_example_reads() {
    let markdown = std::fs::read_to_string(repo_root().join("docs/answers.md")).expect("docs/answers.md");
    let all = fences(&markdown);
    let example = all.iter().find(|fence| fence.info.first().is_some_and(|language| language == "yaml"));
    let scratch = Scratch::new();
    scratch.write("answers.yaml", &example.expect("a YAML example in docs/answers.md").body);
    let answers = scratch.0.join("answers.yaml");
    let args = ["run", "policies/genai", "--evidence", "examples/rag-chatbot/plan.json", "--date", "2026-12-01"];
    let output = loupe(&[&args[..], &["--answers", &answers.to_string_lossy()]].concat(), &repo_root());
    assert!(output.contains("Generative AI Lens") && !output.contains("error["), "{output}");
}
