fn main() {
    let path = std::env::args().nth(1).unwrap();
    let text = std::fs::read_to_string(path).unwrap();
    let parse = loupe_syntax::parse(&text);
    println!("{:#?}", parse.errors);
    println!("items: {}", parse.file.items.len());
    if std::env::args().nth(2).is_some() {
        println!("{:#?}", parse.file);
    }
}
