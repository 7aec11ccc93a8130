//! The shipped GenAI pack names its pillars, questions and best practices as
//! AWS publishes them: every id of `policies/genai/tests/published-titles.tsv`
//! is in the pack with that title, and the pack has no other. (Their order is
//! held by `crates/loupe-cli/tests/export.rs`, on the exported lens.)

use std::collections::BTreeMap;
use std::path::Path;

use loupe_syntax::{Item, parse};

fn pack_titles() -> BTreeMap<String, String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../policies/genai");
    let mut titles = BTreeMap::new();
    for entry in std::fs::read_dir(&dir).expect("the pack directory") {
        let path = entry.expect("an entry").path();
        if path.extension().is_none_or(|ext| ext != "lens") {
            continue;
        }
        let text = std::fs::read_to_string(&path).expect("a readable .lens file");
        let parse = parse(&text);
        assert!(parse.errors.is_empty(), "{}: {:?}", path.display(), parse.errors);
        for item in parse.file.items {
            let Item::Pillar(pillar) = item else { continue };
            let id = pillar.id.as_ref().map(|id| id.text.clone()).expect("an id");
            titles.insert(id, pillar.name.as_ref().map(|name| name.value.clone()).expect("a name"));
            for question in pillar.questions {
                let title = |title: &Option<loupe_syntax::Text>| title.as_ref().map(|t| t.value.clone());
                let id = question.id.as_ref().map(|id| id.text.clone()).expect("an id");
                titles.insert(id, title(&question.title).expect("a title"));
                for choice in question.choices {
                    let id = choice.id.as_ref().map(|id| id.text.clone()).expect("an id");
                    titles.insert(id, title(&choice.title).expect("a title"));
                }
            }
        }
    }
    titles
}

#[test]
fn genai_titles_are_the_published_ones() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../policies/genai/tests/published-titles.tsv");
    let published: BTreeMap<String, String> = std::fs::read_to_string(path)
        .expect("the published titles")
        .lines()
        .filter(|line| !line.starts_with('#'))
        .filter_map(|line| line.split_once('\t'))
        .map(|(id, title)| (id.to_string(), title.to_string()))
        .collect();
    assert_eq!(published.len(), 115, "6 pillars, 29 questions, 51 practices and 29 none-of-these choices");
    assert_eq!(pack_titles(), published);
}
