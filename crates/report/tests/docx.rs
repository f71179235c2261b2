//! `report.docx` read back by another program: python-docx opens the demo study's report
//! (with a chart and a captioned table added, which no fixture has yet), and what it finds
//! (styles, texts, table cells, pictures, the page header, the title) must be the report's
//! `Doc`, block for block. Without python-docx the test fails under CI (`CI` set) and is
//! skipped, with a message, elsewhere.

use std::path::Path;
use std::process::Command;

use samskap_core::CodingTable;
use samskap_report::{default_coder, render, write, Block, Doc, Figure, Options};
use serde_json::Value;

/// A chart as the chart module draws them: plain SVG 1.1, nothing outside itself.
const CHART: &str = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"480\" height=\"240\" \
    viewBox=\"0 0 480 240\"><title>Meaning units by polarity</title>\
    <desc>Barriers 31, opportunities 18.</desc>\
    <rect x=\"0\" y=\"0\" width=\"480\" height=\"240\" fill=\"#ffffff\"/>\
    <rect x=\"60\" y=\"40\" width=\"80\" height=\"160\" fill=\"#1f77b4\"/>\
    <rect x=\"200\" y=\"107\" width=\"80\" height=\"93\" fill=\"#ff7f0e\"/>\
    <line x1=\"40\" y1=\"200\" x2=\"460\" y2=\"200\" stroke=\"#000000\"/>\
    <polyline points=\"100,40 240,107\" fill=\"none\" stroke=\"#444444\"/>\
    <text x=\"100\" y=\"220\" font-family=\"sans-serif\" font-size=\"12\" text-anchor=\"middle\">Barrière</text>\
    <text x=\"240\" y=\"220\" font-family=\"sans-serif\" font-size=\"12\" text-anchor=\"middle\">Mulighet</text></svg>";

/// The demo study's report in Norwegian, as the CLI builds it, with a chart and a captioned
/// table.
fn doc() -> Doc {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/ung-inkludering-demo");
    let study = samskap_bundle::read(&dir).unwrap();
    let table = CodingTable::of(&study, None);
    let options = Options {
        coder: default_coder(&table).expect("the fixture has codings"),
        examples: 3,
        small_group: 3,
        attendance_threshold: 0.5,
        framework_version: Some(1),
        // Norwegian: its letters and decimal commas must come through Word's reader too.
        lang: samskap_report::Lang::Nb,
    };
    let mut doc = samskap_report::build(&study, &table, &options);
    doc.blocks.push(Block::Table {
        caption: Some("Units by polarity & group (n < 3 pooled)".into()),
        header: vec!["Polarity".into(), "G1".into(), "G2".into()],
        rows: vec![
            vec!["barrier".into(), "17".into(), "14".into()],
            vec!["opportunity\nboth".into(), "9".into(), "9".into()],
        ],
        quotes: None,
    });
    doc.blocks.push(Block::Figure(Figure {
        name: "fig-99-sample".into(),
        title: "Figure 1: Meaning units by polarity".into(),
        description: "Barriers 31, opportunities 18.".into(),
        svg: CHART.into(),
    }));
    doc
}

/// What python-docx should find for `doc`: the blocks in order, as its script prints them.
fn expected(doc: &Doc) -> Vec<Value> {
    let para = |style: &str, text: &str| serde_json::json!({"kind": "paragraph", "style": style, "text": text, "pictures": []});
    let mut out = Vec::new();
    if let Some(b) = &doc.banner {
        out.push(para("Notice", b));
    }
    for block in &doc.blocks {
        match block {
            Block::Heading(level, text) => out.push(para(&format!("Heading {level}"), text)),
            Block::Para(text) => out.push(para("Normal", text)),
            Block::Quote(text) => out.push(para("Quote", text)),
            Block::Table {
                caption,
                header,
                rows,
                quotes,
            } => {
                if let Some(c) = caption {
                    out.push(para("Caption", c));
                }
                // A cell's paragraphs, parted by blank lines in the document, are one
                // line each in python-docx's text of the cell.
                let cells: Vec<Vec<String>> = std::iter::once(header)
                    .chain(rows)
                    .map(|r| r.iter().map(|c| c.replace("\n\n", "\n")).collect())
                    .collect();
                let quoted: Vec<Vec<bool>> = std::iter::once(vec![false; header.len()])
                    .chain(
                        rows.iter()
                            .map(|r| (0..r.len()).map(|i| *quotes == Some(i)).collect()),
                    )
                    .collect();
                out.push(serde_json::json!({
                    "kind": "table",
                    "cells": cells,
                    "quoted": quoted,
                    "header_repeats": true,
                    "header_bold": true,
                }));
            }
            Block::Figure(f) => {
                out.push(serde_json::json!({
                    "kind": "paragraph",
                    "style": "Normal",
                    "text": "",
                    "pictures": [{"name": f.name, "descr": f.description}],
                }));
                out.push(para("Caption", &f.title));
            }
        }
    }
    out
}

/// Runs the python-docx script on `docx`; `None` (a skip) when python-docx is missing,
/// except under CI.
fn read_with_python_docx(docx: &Path) -> Option<Value> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/docx_read.py");
    let missing = |why: String| {
        assert!(
            std::env::var_os("CI").is_none(),
            "python-docx is needed in CI to read report.docx back ({why}); \
             python3 -m pip install python-docx"
        );
        eprintln!("SKIPPED: {why}; python3 -m pip install python-docx to read report.docx back");
        None
    };
    match Command::new("python3").arg(&script).arg(docx).output() {
        Err(e) => missing(format!("python3 not found ({e})")),
        Ok(out) if out.status.code() == Some(3) => {
            missing(String::from_utf8_lossy(&out.stderr).trim().to_owned())
        }
        Ok(out) => {
            assert!(
                out.status.success(),
                "python-docx could not read {}:\n{}",
                docx.display(),
                String::from_utf8_lossy(&out.stderr)
            );
            Some(serde_json::from_slice(&out.stdout).unwrap())
        }
    }
}

#[test]
fn python_docx_reads_the_report_as_its_doc() {
    let doc = doc();
    let dir = tempfile::tempdir().unwrap();
    write(&render(&doc), dir.path()).unwrap();
    let mut names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    // The report's own charts and the sample, each as its SVG, beside the three files.
    let mut expected_names: Vec<String> =
        doc.figures().map(|f| format!("{}.svg", f.name)).collect();
    expected_names.extend(["report.docx", "report.html", "report.md"].map(String::from));
    expected_names.sort();
    assert_eq!(names, expected_names);
    assert!(names.contains(&"fig-99-sample.svg".to_owned()));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("fig-99-sample.svg")).unwrap(),
        CHART
    );

    let Some(read) = read_with_python_docx(&dir.path().join("report.docx")) else {
        return;
    };
    // Empty paragraphs keep adjacent tables apart (Word would join them); they say nothing.
    let blocks: Vec<&Value> = read["blocks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|b| !(b["text"] == "" && b["pictures"] == serde_json::json!([])))
        .collect();
    let expected = expected(&doc);
    assert!(
        expected
            .iter()
            .any(|b| b["quoted"].to_string().contains("true")),
        "the demo's report quotes, in Table 2's cells"
    );
    assert!(
        expected.iter().any(|b| b["style"] == "Heading 3"),
        "the demo's report has headings below level 2"
    );
    assert_eq!(blocks.len(), expected.len());
    for (i, (got, want)) in blocks.iter().zip(&expected).enumerate() {
        assert_eq!(*got, want, "block {i}");
    }

    let banner = doc.banner.as_deref().expect("the demo is illustrative");
    assert_eq!(read["header"], serde_json::json!([banner]));
    assert_eq!(read["header_linked"], false);
    assert_eq!(read["inline_shapes"], doc.figures().count());
    assert_eq!(read["title"], doc.title.as_str());
    assert_eq!(read["language"], "nb-NO");
}
