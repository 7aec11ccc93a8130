use loupe_db::{Database, Pack, SourceFile};
use loupe_ide::FilePosition;
#[test]
fn measure() {
    let db = Database::default();
    let mut files = Vec::new();
    for entry in std::fs::read_dir("../../policies/genai").unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "lens") {
            files.push(SourceFile::new(&db, path.display().to_string(), std::fs::read_to_string(&path).unwrap()));
        }
    }
    files.sort_by_key(|f| f.name(&db).clone());
    let pack = Pack::new(&db, None, files.clone());
    let _ = loupe_db::pack_diagnostics(&db, pack);
    let security = files.iter().find(|f| f.name(&db).ends_with("security.lens")).copied().unwrap();
    let text = security.text(&db).clone();
    for needle in ["GENSEC01_BP01", "count(", "resources(\""] {
        let offset = text.find(needle).unwrap() as u32 + 2;
        let at = FilePosition { file: security, offset };
        let t = std::time::Instant::now();
        let refs = loupe_ide::references(&db, pack, at, true).len();
        let r = t.elapsed();
        let t = std::time::Instant::now();
        let h = loupe_ide::hover(&db, pack, at).is_some();
        let hv = t.elapsed();
        let t = std::time::Instant::now();
        let c = loupe_ide::completions(&db, pack, FilePosition { file: security, offset: offset + 8 }).len();
        let cv = t.elapsed();
        println!("{needle}: refs {refs} in {r:?}, hover {h} in {hv:?}, completions {c} in {cv:?}");
    }
    let t = std::time::Instant::now();
    let n = loupe_ide::workspace_symbols(&db, &[pack], "").len();
    println!("workspace symbols {n} in {:?}", t.elapsed());
}
