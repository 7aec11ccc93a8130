//! Reading a large document on all cores. Most of a large evidence file is a
//! few containers of many members (a template's `Resources`, a plan's
//! `resource_changes`). A first pass over the text finds where the containers
//! near the root start and end and where their members are separated; the
//! members of the large ones are then read in parts, one part per thread at a
//! time, and the document is read around them, each such container grafted in
//! whole where its text starts.
//!
//! The result is the one a single [`Reader`] gives: a graft replaces a
//! container only where the reader itself would start reading it, at the same
//! depth, and every part was read by the same code up to the separator the
//! first pass saw. Anything unexpected (a part that does not read, a first
//! pass that does not balance) gives up, and the caller reads the document on
//! one thread, which finds the first error as it always did.

use std::sync::atomic::{AtomicUsize, Ordering};

use loupe_diagnostics::Span;

use super::{Members, Reader, check_duplicates};
use crate::error::Limits;
use crate::value::{Node, Object, Value};

/// Documents from this size on are read on all cores.
pub(crate) const SPLIT_FROM: usize = 4 << 20;

/// Containers this deep or deeper are not recorded by the first pass: the
/// large containers of evidence files are near the root.
const OUTLINE_DEPTH: usize = 6;

/// A container read on another thread: its node stands for the text from
/// `open` (its opening bracket) to `end` (after its closing one), for a
/// reader that meets it at `depth`.
pub(crate) struct Graft {
    open: usize,
    end: usize,
    depth: usize,
    node: Node,
}

impl Reader<'_> {
    /// The container read already that starts at `start`, if the reader is at
    /// its depth there; the position moves past it.
    pub(super) fn graft(&mut self, start: usize, depth: usize) -> Option<Node> {
        // Grafts the reader went past (only after a first pass that was wrong) are dropped.
        while self.grafts.last().is_some_and(|graft| graft.open < start) {
            self.grafts.pop();
        }
        if self.grafts.last().is_none_or(|graft| graft.open != start || graft.depth != depth) {
            return None;
        }
        let graft = self.grafts.pop()?;
        self.pos = graft.end;
        Some(graft.node)
    }
}

/// The document of `text` from `start`, read on `threads` threads, splitting
/// containers of at least `min_split` bytes; `None` when none is worth
/// splitting or the text is not valid JSON, for the caller to read it on one.
pub(crate) fn parse(text: &str, start: usize, limits: &Limits, threads: usize, min_split: usize) -> Option<Node> {
    let containers = outline(text.as_bytes(), start, min_split)?;
    let chosen = choose(&containers, threads, limits.effective_max_depth());
    if chosen.is_empty() {
        return None;
    }
    let parts = parts(&containers, &chosen, threads, min_split / 16);
    let read = read_parts(text, limits, &parts, threads)?;

    // Each chosen container is its parts' members, joined.
    let mut grafts = Vec::with_capacity(chosen.len());
    let mut read = read.into_iter();
    for &index in &chosen {
        let container = &containers[index];
        let count = parts.iter().filter(|part| part.container == index).count();
        let members: Vec<Members> = read.by_ref().take(count).collect();
        // Allocated once at its size: the container's members are most of the file.
        let size = members.iter().map(Members::len).sum();
        let value = if container.list {
            let mut items = Vec::with_capacity(size);
            for members in members {
                let Members::Items(part) = members else { return None };
                items.extend(part);
            }
            Value::List(items.into_boxed_slice())
        } else {
            let mut entries = Vec::with_capacity(size);
            for members in members {
                let Members::Entries(part) = members else { return None };
                entries.extend(part);
            }
            let object = Object::new(entries);
            if !limits.allow_duplicate_keys && check_duplicates(&object).is_err() {
                return None;
            }
            Value::Object(object)
        };
        let end = container.close + 1;
        let node = Node::new(value, Span::new(container.open, end));
        grafts.push(Graft { open: container.open, end, depth: container.depth, node });
    }
    grafts.reverse();
    let mut reader = Reader::new(text, start, limits);
    reader.grafts = grafts;
    reader.document().ok()
}

/// A container of at least the size to split found by the first pass.
struct Container {
    open: usize,
    /// Its closing bracket.
    close: usize,
    list: bool,
    /// The containers around it.
    depth: usize,
    /// The size of its largest member that is a container.
    largest_member: usize,
    /// The commas between its members.
    commas: Vec<usize>,
}

/// The containers of at least `min_size` bytes less than [`OUTLINE_DEPTH`]
/// deep, in the order they open; `None` when the brackets do not balance.
fn outline(bytes: &[u8], start: usize, min_size: usize) -> Option<Vec<Container>> {
    // The containers open at the position, innermost last, with where their
    // commas start on `commas`; and how many too deep to record are open inside them.
    let mut open: Vec<(Container, usize)> = Vec::new();
    let mut commas: Vec<usize> = Vec::new();
    let mut deeper = 0usize;
    let mut found: Vec<Container> = Vec::new();
    let mut i = start;
    while let Some(&byte) = bytes.get(i) {
        match byte {
            b'"' => {
                i = string_end(bytes, i + 1)?;
                continue;
            }
            b'{' | b'[' if deeper == 0 && open.len() < OUTLINE_DEPTH => {
                let container = Container {
                    open: i,
                    close: i,
                    list: byte == b'[',
                    depth: open.len(),
                    largest_member: 0,
                    commas: Vec::new(),
                };
                open.push((container, commas.len()));
            }
            b'{' | b'[' => deeper += 1,
            b'}' | b']' if deeper > 0 => deeper -= 1,
            b'}' | b']' => {
                let (mut container, first_comma) = open.pop()?;
                if container.list != (byte == b']') {
                    return None;
                }
                container.close = i;
                let size = i - container.open;
                if let Some((parent, _)) = open.last_mut() {
                    parent.largest_member = parent.largest_member.max(size);
                }
                if size >= min_size {
                    container.commas = commas.split_off(first_comma);
                    found.push(container);
                } else {
                    commas.truncate(first_comma);
                }
            }
            b',' if deeper == 0 && !open.is_empty() => commas.push(i),
            _ => {}
        }
        i += 1;
    }
    if !open.is_empty() || deeper != 0 {
        return None;
    }
    found.sort_unstable_by_key(|container| container.open);
    Some(found)
}

/// The position after the closing quote of the string whose text starts at `i`.
fn string_end(bytes: &[u8], mut i: usize) -> Option<usize> {
    loop {
        i = quote_or_backslash(bytes, i)?;
        if bytes[i] == b'"' {
            return Some(i + 1);
        }
        i += 2;
    }
}

/// The first `"` or `\` at or after `i`, looked for eight bytes at a time:
/// most strings are too short for a vectorized search to pay off.
fn quote_or_backslash(bytes: &[u8], mut i: usize) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    // The high bit of each byte of `word` equal to `byte` (exact up to the first such byte).
    let equal = |word: u64, byte: u8| {
        let diff = word ^ (ONES * u64::from(byte));
        diff.wrapping_sub(ONES) & !diff & HIGH
    };
    while let Some(chunk) = bytes.get(i..i + 8) {
        let word = u64::from_le_bytes(chunk.try_into().ok()?);
        let found = equal(word, b'"') | equal(word, b'\\');
        if found != 0 {
            return Some(i + found.trailing_zeros() as usize / 8);
        }
        i += 8;
    }
    bytes.get(i..)?.iter().position(|&b| b == b'"' || b == b'\\').map(|at| i + at)
}

/// The containers to read in parts: within the
/// depth limit, with members enough and small enough to share evenly among
/// the threads (else their large members are looked into). None is inside
/// another.
fn choose(containers: &[Container], threads: usize, max_depth: usize) -> Vec<usize> {
    let size = |container: &Container| container.close - container.open;
    let mut chosen: Vec<usize> = Vec::new();
    for (index, container) in containers.iter().enumerate() {
        let inside_chosen = chosen.last().is_some_and(|&last| containers[last].close > container.open);
        if inside_chosen || container.depth >= max_depth {
            continue;
        }
        let many = container.commas.len() + 1 >= 4 * threads;
        if many && container.largest_member.saturating_mul(4 * threads) <= size(container) {
            chosen.push(index);
        }
    }
    chosen
}

/// A run of members of a chosen container: the text after its opening
/// bracket or a comma, up to the comma or closing bracket at `end`.
struct Part {
    container: usize,
    list: bool,
    depth: usize,
    start: usize,
    end: usize,
    /// How many members the first pass counted in it.
    members: usize,
}

/// The chosen containers' members cut into runs of about equal size (and at
/// least `min_part`), several per thread so that one slow run does not leave
/// the others idle; in text order.
fn parts(containers: &[Container], chosen: &[usize], threads: usize, min_part: usize) -> Vec<Part> {
    let total: usize = chosen.iter().map(|&index| containers[index].close - containers[index].open).sum();
    let target = (total / (threads * 8)).max(min_part);
    let mut parts = Vec::new();
    for &index in chosen {
        let container = &containers[index];
        let (mut start, mut members) = (container.open + 1, 0);
        for &end in container.commas.iter().chain(std::iter::once(&container.close)) {
            members += 1;
            if end - start >= target || end == container.close {
                let (list, depth) = (container.list, container.depth);
                parts.push(Part { container: index, list, depth, start, end, members });
                (start, members) = (end + 1, 0);
            }
        }
    }
    parts
}

/// Every part's members, in the order of `parts`, read on `threads` threads;
/// `None` if any does not read.
fn read_parts(text: &str, limits: &Limits, parts: &[Part], threads: usize) -> Option<Vec<Members>> {
    let next = AtomicUsize::new(0);
    let read_some = || {
        let mut read = Vec::new();
        loop {
            let index = next.fetch_add(1, Ordering::Relaxed);
            let Some(part) = parts.get(index) else { break };
            let members =
                Reader::new(text, part.start, limits).members(!part.list, part.depth, part.end, part.members).ok();
            read.push((index, members));
        }
        read
    };
    let mut members: Vec<Option<Members>> = std::iter::repeat_with(|| None).take(parts.len()).collect();
    std::thread::scope(|scope| {
        let helpers: Vec<_> = (1..threads).map(|_| scope.spawn(read_some)).collect();
        let mine = read_some();
        for read in helpers.into_iter().filter_map(|helper| helper.join().ok()).chain([mine]) {
            for (index, read) in read {
                members[index] = read;
            }
        }
    });
    members.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::EvidenceError;

    /// What one reader gives.
    fn serial(text: &str, limits: &Limits) -> Result<Node, EvidenceError> {
        Reader::new(text, 0, limits).document()
    }

    /// A template-like document: a few members around one object of many
    /// resources, each with lists, escapes and numbers.
    fn template(resources: usize) -> String {
        let body: Vec<String> = (0..resources)
            .map(|i| {
                format!(
                    r#""R{i}": {{"Type": "AWS::S3::Bucket", "Properties": {{"Tags": [{{"Key": "a\"b\\", "Value": {i}}}], "N": [1, 2.5e{}, null, true]}}}}"#,
                    i % 7
                )
            })
            .collect();
        format!(
            "{{\"AWSTemplateFormatVersion\": \"2010-09-09\", \"Resources\": {{\n  {}\n}}, \"Outputs\": []}}",
            body.join(",\n  ")
        )
    }

    #[test]
    fn a_large_container_is_read_in_parts_to_the_same_tree() {
        let text = template(200);
        let limits = Limits::default();
        let containers = outline(text.as_bytes(), 0, 256).expect("an outline");
        let chosen = choose(&containers, 3, limits.effective_max_depth());
        assert_eq!(chosen.len(), 1, "the Resources object alone");
        assert_eq!(&text[containers[chosen[0]].open..][..5], "{\n  \"");
        assert!(parts(&containers, &chosen, 3, 16).len() > 3);
        let split = parse(&text, 0, &limits, 3, 256);
        assert!(split.is_some());
        assert_eq!(split.ok_or(()), serial(&text, &limits).map_err(|_| ()));
    }

    #[test]
    fn lists_and_nested_containers_are_split_the_same_way() {
        let items: Vec<String> =
            (0..100).map(|i| format!(r#"{{"address": "a.b[{i}]", "change": {{"after": [{i}, "x"]}}}}"#)).collect();
        let text = format!(
            r#"{{"format_version": "1.2", "plan": {{"resource_changes": [{}], "empty": {{}}}}}}"#,
            items.join(", ")
        );
        let limits = Limits::default();
        let split = parse(&text, 0, &limits, 2, 256);
        assert!(split.is_some());
        assert_eq!(split.ok_or(()), serial(&text, &limits).map_err(|_| ()));
    }

    /// Every broken variant of a document (a byte deleted or replaced with
    /// one that matters to JSON) is either read to the same tree or given up,
    /// never read differently; valid variants are read.
    #[test]
    fn edits_never_change_what_is_read() {
        let text = template(40);
        let limits = Limits::default();
        let mut read_in_parts = 0;
        for at in (0..text.len()).step_by(7) {
            for replacement in ["", "\"", ",", "}", "]", "{", "\\", "1"] {
                let mut edited = text.clone();
                if !edited.is_char_boundary(at) || !edited.is_char_boundary(at + 1) {
                    continue;
                }
                edited.replace_range(at..at + 1, replacement);
                let expected = serial(&edited, &limits);
                match parse(&edited, 0, &limits, 2, 256) {
                    Some(node) => {
                        read_in_parts += 1;
                        assert_eq!(Ok(&node), expected.as_ref(), "{edited}");
                    }
                    None => assert!(expected.is_err() || outline(edited.as_bytes(), 0, 256).is_none(), "{edited}"),
                }
            }
        }
        assert!(read_in_parts > 100, "{read_in_parts}");
    }

    /// The repository's JSON files (evidence fixtures of the GenAI pack, of
    /// this crate and of the run cases, real templates and plans among them)
    /// read alike split at any size, or not split at all.
    #[test]
    fn the_repositorys_json_files_read_the_same_split() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let mut directories: Vec<_> =
            ["policies", "tests/cases", "crates/loupe-evidence/tests"].iter().map(|dir| root.join(dir)).collect();
        let (mut files, mut split) = (0, 0);
        while let Some(directory) = directories.pop() {
            for entry in std::fs::read_dir(&directory).expect("a directory of the repository").flatten() {
                let path = entry.path();
                if path.is_dir() {
                    directories.push(path);
                    continue;
                }
                if path.extension().is_none_or(|extension| extension != "json") {
                    continue;
                }
                // The UTF-16 fixtures are converted before they are read.
                let Ok(text) = std::fs::read_to_string(&path) else { continue };
                files += 1;
                let limits = Limits::default();
                let start = if text.starts_with('\u{feff}') { '\u{feff}'.len_utf8() } else { 0 };
                for min_split in [64, 1024] {
                    if let Some(node) = parse(&text, start, &limits, 2, min_split) {
                        split += 1;
                        let whole = Reader::new(&text, start, &limits).document();
                        assert_eq!(Ok(&node), whole.as_ref(), "{}", path.display());
                    }
                }
            }
        }
        assert!(files > 100 && split > 100, "{files} files, {split} read split");
    }

    #[test]
    fn duplicate_keys_and_depth_are_judged_as_on_one_thread() {
        let text = template(50).replace("\"R7\"", "\"R3\"");
        assert!(parse(&text, 0, &Limits::default(), 2, 256).is_none());
        let allowed = Limits { allow_duplicate_keys: true, ..Limits::default() };
        assert_eq!(parse(&text, 0, &allowed, 2, 256).ok_or(()), serial(&text, &allowed).map_err(|_| ()));
        // The resources' tags are five deep: over a limit of four, nothing is read.
        let shallow = Limits { max_depth: 4, ..Limits::default() };
        let text = template(50);
        assert!(serial(&text, &shallow).is_err());
        assert!(parse(&text, 0, &shallow, 2, 256).is_none());
    }
}
