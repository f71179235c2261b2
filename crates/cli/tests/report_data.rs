//! `samskap report --out DIR --data`: the report's tables as CSV and JSON in `DIR/data/`,
//! read back as a spreadsheet or a script would, and what the command says it wrote.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use common::Env;
use serde_json::Value;

fn read_json(path: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

/// Every file under `dir`, relative, with its bytes.
fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        let name = p.file_name().unwrap().to_string_lossy().into_owned();
        if p.is_dir() {
            for (rel, bytes) in files(&p) {
                out.insert(format!("{name}/{rel}"), bytes);
            }
        } else {
            out.insert(name, std::fs::read(&p).unwrap());
        }
    }
    out
}

#[test]
fn report_data_writes_every_table_as_csv_and_json() {
    let env = Env::new();
    env.import_thesis();
    let said = env.ok(&["report", "--out", "r", "--data"]);
    let index = read_json(&env.path("r/data/index.json"));
    let tables = index["tables"].as_array().unwrap();
    assert!(tables.len() >= 5, "{index}");
    assert_eq!(
        said,
        format!(
            "wrote r/report.md, r/report.html and r/report.docx, with 7 charts as SVG beside \
             them and {} tables as CSV and JSON in r/data (coder `A`)\n",
            tables.len()
        )
    );

    // Table 1 as a spreadsheet reads it: the header of informants, then a row per detail.
    let first = &tables[0];
    assert_eq!(first["section"], "Table 1: Informants");
    assert!(first["title"]
        .as_str()
        .unwrap()
        .starts_with("Informants (one per column)"));
    let csv_path = env.path("r/data").join(first["csv"].as_str().unwrap());
    let mut reader = csv::Reader::from_path(&csv_path).unwrap();
    let header: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    assert_eq!(header[..2], ["Informant", "I1"]);
    let records: Vec<Vec<String>> = reader
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect();
    let row = |name: &str| {
        records
            .iter()
            .find(|r| r[0] == name)
            .unwrap_or_else(|| panic!("a row {name}: {records:?}"))
    };
    let i3 = header.iter().position(|h| h == "I3").unwrap();
    assert_eq!(row("Resource group")[i3], "Ressursgruppe 1");
    assert_eq!(row("Workplace")[i3], "Tjeneste B");
    assert_eq!(row("Position")[i3], "Koordinator");
    assert_eq!(row("Interviewed")[i3], "2023-05");
    assert_eq!(row("Consent")[i3], "given");

    // The counts table as a script reads it: each row is a row of report.md's table.
    let counts = tables
        .iter()
        .find(|t| {
            t["section"]
                .as_str()
                .unwrap_or_default()
                .starts_with("Counts")
        })
        .expect("the counts table is listed");
    let json = read_json(&env.path("r/data").join(counts["json"].as_str().unwrap()));
    assert_eq!(json["table"], counts["table"]);
    let columns = json["columns"].as_array().unwrap();
    assert_eq!(columns[..2], ["Code", "Polarity"]);
    let md = std::fs::read_to_string(env.path("r/report.md")).unwrap();
    let rows = json["rows"].as_array().unwrap();
    assert!(rows.len() > 10);
    for row in rows {
        let cells: Vec<&str> = row
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c.as_str().unwrap())
            .collect();
        assert_eq!(cells.len(), columns.len());
        let line = format!("| {} |\n", cells.join(" | "));
        assert!(md.contains(&line), "{line}");
    }

    // `--json` lists every file written, the data files too; a second run writes the same
    // bytes.
    let json = env.json(&["report", "--out", "r2", "--data"]);
    let listed: Vec<&str> = json["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.as_str().unwrap())
        .collect();
    let written = files(&env.path("r2"));
    assert_eq!(listed.len(), written.len());
    assert!(listed.contains(&"r2/data/index.json"));
    assert!(listed
        .iter()
        .all(|f| written.contains_key(&f["r2/".len()..])));
    assert_eq!(written, files(&env.path("r")));
}

#[test]
fn report_data_is_only_written_with_the_option_and_not_with_check() {
    let env = Env::new();
    env.import_thesis();
    env.ok(&["report", "--out", "r"]);
    assert!(!env.path("r/data").exists());
    let out = env.run(&["report", "--check", "--data"]);
    assert_eq!(out.status.code(), Some(2), "a usage error");
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("--data") && err.contains("--check"), "{err}");
}
