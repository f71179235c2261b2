//! `report --data`: every table of each fixture study's report written as CSV and JSON in
//! `data/`, cell for cell the `Doc`'s, with an index; and how `write` treats a `data/`
//! directory that is already there.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use samskap_core::{CodingTable, Study};
use samskap_report::{default_coder, render, render_with_data, write, Block, Doc, Options};
use serde_json::Value;

fn fixture_studies() -> Vec<PathBuf> {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures");
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(fixtures)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|d| d.join("study.toml").is_file())
        .collect();
    dirs.sort();
    assert!(dirs.len() >= 4, "{dirs:?}");
    dirs
}

fn build(study: &Study) -> Doc {
    let table = CodingTable::of(study, None);
    let options = Options {
        coder: default_coder(&table).expect("fixtures have codings"),
        examples: 3,
        small_group: 3,
        attendance_threshold: 0.5,
        framework_version: Some(1),
        lang: samskap_report::Lang::En,
    };
    samskap_report::build(study, &table, &options)
}

fn demo() -> Doc {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/ung-inkludering-demo");
    build(&samskap_bundle::read(&dir).unwrap())
}

/// The doc's tables: header and rows.
fn doc_tables(doc: &Doc) -> Vec<(&[String], &[Vec<String>])> {
    doc.blocks
        .iter()
        .filter_map(|b| match b {
            Block::Table { header, rows, .. } => Some((header.as_slice(), rows.as_slice())),
            _ => None,
        })
        .collect()
}

/// Every record of a CSV file, the header first.
fn read_csv(path: &Path) -> Vec<Vec<String>> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_path(path)
        .unwrap()
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect()
}

/// Every file under `dir`, relative, with its bytes.
fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(root, &p, out);
            } else {
                let rel = p.strip_prefix(root).unwrap().to_string_lossy().into_owned();
                out.insert(rel, std::fs::read(&p).unwrap());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

/// What the CSV holds for a cell the report prints: the cell, or the cell after a `'` where
/// it starts as a formula would. Which of the two is `data.rs`'s unit tests' to say; here it
/// is enough that nothing else is written.
fn csv_cell_matches(csv: &str, doc: &str) -> bool {
    csv == doc
        || (doc.starts_with(['=', '+', '-', '@', '\t', '\r'])
            && csv.strip_prefix('\'') == Some(doc))
}

#[test]
fn every_table_of_every_fixture_is_written_as_csv_and_json_cell_for_cell() {
    let mut defused = 0;
    let mut negative_numbers = 0;
    for dir in fixture_studies() {
        let study = samskap_bundle::read(&dir).unwrap();
        let doc = build(&study);
        let rendered = render_with_data(&doc);
        // The same study gives the same bytes, the data files too.
        assert_eq!(rendered, render_with_data(&build(&study)));
        // And the report itself is what it is without data.
        let plain = render(&doc);
        assert_eq!(
            (&rendered.markdown, &rendered.html, &rendered.docx),
            (&plain.markdown, &plain.html, &plain.docx)
        );
        let out = tempfile::tempdir().unwrap();
        write(&rendered, out.path()).unwrap();
        let data = out.path().join("data");
        let tables = doc_tables(&doc);
        assert!(!tables.is_empty(), "{}", dir.display());

        let index: Value =
            serde_json::from_slice(&std::fs::read(data.join("index.json")).unwrap()).unwrap();
        assert_eq!(index["report"], doc.title.as_str());
        let listed = index["tables"].as_array().unwrap();
        assert_eq!(listed.len(), tables.len(), "{}", dir.display());
        // The index, and each table's two files, and nothing else.
        assert_eq!(tree(&data).len(), 2 * tables.len() + 1);

        for (entry, (header, rows)) in listed.iter().zip(&tables) {
            let name = entry["table"].as_str().unwrap();
            assert_eq!(entry["csv"], format!("{name}.csv"));
            assert_eq!(entry["json"], format!("{name}.json"));

            let json: Value =
                serde_json::from_slice(&std::fs::read(data.join(format!("{name}.json"))).unwrap())
                    .unwrap();
            assert_eq!(json["table"], name);
            assert_eq!(json["title"], entry["title"]);
            assert_eq!(json["columns"], serde_json::json!(header));
            assert_eq!(json["rows"], serde_json::json!(rows), "{name}");

            let records = read_csv(&data.join(format!("{name}.csv")));
            assert_eq!(records.len(), rows.len() + 1, "{name}");
            for (record, row) in records
                .iter()
                .zip(std::iter::once(*header).chain(rows.iter().map(Vec::as_slice)))
            {
                assert_eq!(record.len(), row.len(), "{name}");
                for (c, d) in record.iter().zip(row) {
                    assert!(csv_cell_matches(c, d), "{name}: {c:?} for {d:?}");
                    defused += usize::from(c != d);
                    negative_numbers +=
                        usize::from(c == d && d.starts_with('-') && d.parse::<f64>().is_ok());
                }
            }
        }
    }
    // The agreement tables print intervals from below zero ("-1.000 – 0.000", defused) and
    // alphas below zero ("-0.013", kept as numbers): both kinds of cell were met.
    assert!(
        defused > 0 && negative_numbers > 0,
        "{defused} {negative_numbers}"
    );
}

#[test]
fn data_replaces_an_earlier_report_s_data_and_nothing_else() {
    let doc = demo();
    let out = tempfile::tempdir().unwrap();
    let data = out.path().join("data");
    // An earlier report had a table this one has not.
    std::fs::create_dir(&data).unwrap();
    std::fs::write(data.join("99-gone.csv"), "x\n").unwrap();
    std::fs::write(out.path().join("notes.txt"), "mine").unwrap();
    write(&render_with_data(&doc), out.path()).unwrap();
    let written = tree(&data);
    assert!(!written.contains_key("99-gone.csv"));
    assert!(written.contains_key("index.json"));
    assert_eq!(
        std::fs::read_to_string(out.path().join("notes.txt")).unwrap(),
        "mine"
    );

    // A report without data leaves the data of the earlier one where it was.
    write(&render(&doc), out.path()).unwrap();
    assert_eq!(tree(&data), written);
}

#[test]
fn a_data_directory_holding_other_files_is_refused_with_nothing_written() {
    let doc = demo();
    for intruder in ["my-chart.png", "sub/x.csv"] {
        let out = tempfile::tempdir().unwrap();
        let path = out.path().join("data").join(intruder);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, "mine").unwrap();
        let before = tree(out.path());
        let e = write(&render_with_data(&doc), out.path()).unwrap_err();
        assert!(
            matches!(e, samskap_report::WriteError::DataDir { .. }),
            "{intruder}: {e}"
        );
        let said = e.to_string();
        assert!(said.contains("nothing was written"), "{said}");
        assert_eq!(tree(out.path()), before, "{intruder}");
    }
    // Nor is a file called `data` replaced by the directory.
    let out = tempfile::tempdir().unwrap();
    std::fs::write(out.path().join("data"), "mine").unwrap();
    let e = write(&render_with_data(&doc), out.path()).unwrap_err();
    assert!(e.to_string().contains("not a directory"), "{e}");
    assert!(!out.path().join("report.md").exists());
}

#[test]
fn a_data_path_out_of_the_data_directory_is_refused() {
    let mut rendered = render_with_data(&demo());
    for bad in ["data/../x.csv", "x.csv", "data/a/b.csv", "data/x.txt"] {
        rendered.data.push((bad.to_owned(), String::new()));
        let out = tempfile::tempdir().unwrap();
        let e = write(&rendered, out.path()).unwrap_err();
        assert!(
            matches!(e, samskap_report::WriteError::DataName(ref p) if p == bad),
            "{bad}: {e}"
        );
        assert!(tree(out.path()).is_empty(), "{bad}");
        rendered.data.pop();
    }
    // Twice the same name.
    let first = rendered.data[0].clone();
    rendered.data.push(first);
    let out = tempfile::tempdir().unwrap();
    assert!(write(&rendered, out.path()).is_err());
}
