//! `docs/dpia.md` points each measure at the test that proves it; this test
//! fails when a named test no longer exists (renamed, moved, deleted), so
//! the DPIA cannot quietly claim a proof the repository lost.

use std::path::Path;

/// Every `(file, test)` the DPIA names: `` `file.rs::name` ``, a following
/// `` `::name` `` (same file), and `` `file.rs` test `name` `` (a unit test).
fn references(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for line in text.lines() {
        let mut file: Option<String> = None;
        let mut between = String::new();
        for (i, part) in line.split('`').enumerate() {
            if i % 2 == 0 {
                between = part.to_owned();
                continue;
            }
            if let Some((f, name)) = part.split_once(".rs::") {
                file = Some(format!("{f}.rs"));
                out.push((format!("{f}.rs"), name.to_owned()));
            } else if let Some(name) = part.strip_prefix("::") {
                if let Some(f) = &file {
                    out.push((f.clone(), name.to_owned()));
                }
            } else if part.ends_with(".rs") {
                file = Some(part.to_owned());
            } else if between.trim() == "test" {
                if let Some(f) = &file {
                    out.push((f.clone(), part.to_owned()));
                }
            }
        }
    }
    out
}

#[test]
fn every_test_the_dpia_names_exists() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let dpia = std::fs::read_to_string(root.join("docs/dpia.md")).expect("docs/dpia.md");
    let refs = references(&dpia);
    assert!(refs.len() > 30, "the DPIA names only {} tests", refs.len());
    let missing: Vec<String> = refs
        .iter()
        .filter(|(file, name)| {
            let source = std::fs::read_to_string(root.join(file)).unwrap_or_default();
            !source.contains(&format!("fn {name}("))
        })
        .map(|(file, name)| format!("{file}::{name}"))
        .collect();
    assert!(
        missing.is_empty(),
        "docs/dpia.md names tests that do not exist: {missing:?}"
    );
}

#[test]
fn the_reference_reader_reads_all_three_forms() {
    let refs =
        references("| M1 | x | `a/b.rs::one`, `::two`; `c/d.rs` test `three`; `e.rs` (`Area`) |");
    let want = [("a/b.rs", "one"), ("a/b.rs", "two"), ("c/d.rs", "three")];
    assert_eq!(
        refs,
        want.map(|(f, n)| (f.to_owned(), n.to_owned())).to_vec()
    );
}
