use expect_test::{Expect, expect};

use crate::fixture::Fixture;

fn check_diagnostics(fixture: &str, expect: Expect) {
    let fixture = Fixture::parse(fixture);
    let mut actual = String::new();
    for &file in &fixture.files {
        for diagnostic in loupe_ide::diagnostics(&fixture.db, fixture.pack, file) {
            let at = fixture.show(file, diagnostic.primary.span);
            actual.push_str(&format!("{} {at}: {}\n", diagnostic.code.as_str(), diagnostic.message));
        }
    }
    expect.assert_eq(&actual);
}

#[test]
fn a_file_s_diagnostics_see_the_whole_pack() {
    // The risk rule names a choice the question lacks; the test a question
    // defined in the other file (no error) and one defined nowhere.
    check_diagnostics(
        r#"//- a.lens
pillar p01 "P" {
  question Q01 "Q" {
    choice Q01_a "A"
    none Q01_no "None"
    risk {
      none when Q01_a or Q01_b
      high otherwise
    }
  }
}
//- b.lens
test "t" {
  evidence "e.json"
  expect Q01 risk none
  expect Q02 risk none
}
"#,
        expect![[r#"
            L0503 a.lens 28..31 "Q01": question has no automated check
            L0408 a.lens 49..54 "Q01_a": choice `Q01_a` has no improvement plan
            L0110 a.lens 118..123 "Q01_b": `Q01_b` is not a choice of this question
            L0115 b.lens 63..66 "Q02": no question `Q02` in this pack
        "#]],
    );
}
