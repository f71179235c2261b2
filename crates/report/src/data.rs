//! Every table of a report as data files (`report --data`), for people who draw their own
//! charts: each table as CSV and as JSON in `data/`, and `data/index.json` listing them.
//!
//! A cell is the string the report prints (`3 (2)`, `90%`, `0.641 – 1.000`), not a number
//! taken apart: the files say exactly what the report says, and splitting cells is the
//! reader's choice. The one difference is in the CSV: a cell a spreadsheet would run as a
//! formula is defused ([`defused`]). The JSON holds every cell as the report prints it.

use std::borrow::Cow;

use serde::Serialize;

use crate::doc::{Block, Doc};

/// The directory, in the report's directory, that holds the data files.
pub(crate) const DIR: &str = "data";

/// The index of the data files, in [`DIR`].
pub(crate) const INDEX: &str = "index.json";

/// One table of a report as its data files name and describe it.
#[derive(Debug, Serialize)]
struct Table<'a> {
    /// The files' name without extension: `<n>-<slug>`, `n` counting the report's tables
    /// from 1 (two digits at least, so that a listing sorts in the report's order).
    table: String,
    /// The table's caption, or else the heading it stands under (else the report's title).
    title: &'a str,
    /// The heading it stands under (`Table 1: Informants`), if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    section: Option<&'a str>,
    columns: &'a [String],
    rows: &'a [Vec<String>],
}

/// What the index says of each table: its files are named relative to the index itself.
#[derive(Serialize)]
struct Entry<'a> {
    table: &'a str,
    title: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    section: Option<&'a str>,
    csv: String,
    json: String,
}

#[derive(Serialize)]
struct Index<'a> {
    report: &'a str,
    tables: Vec<Entry<'a>>,
}

/// The report's tables in order, each named and titled. A table is named after the
/// heading it stands under (`table-1-informants`) when it is the only one there, else after
/// its caption (the three attendance tables), else after the report's title.
fn tables(doc: &Doc) -> Vec<Table<'_>> {
    // How many tables stand under each heading (by the heading's place in the blocks).
    let mut under: std::collections::HashMap<usize, usize> = std::collections::HashMap::new();
    let mut at: Option<usize> = None;
    for (i, block) in doc.blocks.iter().enumerate() {
        match block {
            Block::Heading(..) => at = Some(i),
            Block::Table { .. } => *under.entry(at.unwrap_or(usize::MAX)).or_default() += 1,
            _ => {}
        }
    }
    let mut heading: Option<(usize, &str)> = None;
    let mut out = Vec::new();
    for (i, block) in doc.blocks.iter().enumerate() {
        match block {
            Block::Heading(_, text) => heading = Some((i, text)),
            Block::Table {
                caption,
                header,
                rows,
                ..
            } => {
                let section = heading.map(|(_, h)| h);
                let title = caption.as_deref().or(section).unwrap_or(&doc.title);
                let alone = heading.is_some_and(|(k, _)| under.get(&k) == Some(&1));
                let name = match (alone, section) {
                    (true, Some(h)) => h,
                    _ => title,
                };
                out.push(Table {
                    table: format!("{:02}-{}", out.len() + 1, short_slug(name)),
                    title,
                    section,
                    columns: header,
                    rows,
                });
            }
            Block::Para(_) | Block::Quote(_) | Block::Figure(_) => {}
        }
    }
    out
}

/// The most bytes of a slug in a file name: a caption is a sentence, and a name of 64
/// (`slug`'s limit) is longer than a listing shows.
const SLUG_BYTES: usize = 40;

/// `title` as a slug of whole words, at most [`SLUG_BYTES`] long (one long word is cut).
fn short_slug(title: &str) -> String {
    let mut slug = samskap_core::slug(title, "table");
    if slug.len() > SLUG_BYTES {
        let cut = slug[..=SLUG_BYTES].rfind('-').unwrap_or(SLUG_BYTES);
        slug.truncate(cut);
    }
    slug
}

/// Every data file of `doc`, by its path under the report's directory (`data/…`): each
/// table's CSV and JSON in the report's order, then the index.
pub(crate) fn files(doc: &Doc) -> Vec<(String, String)> {
    let tables = tables(doc);
    let mut out = Vec::with_capacity(2 * tables.len() + 1);
    for t in &tables {
        out.push((
            format!("{DIR}/{}.csv", t.table),
            to_csv(t.columns, t.rows.iter().map(Vec::as_slice)),
        ));
        out.push((format!("{DIR}/{}.json", t.table), to_json(t)));
    }
    let index = Index {
        report: &doc.title,
        tables: tables
            .iter()
            .map(|t| Entry {
                table: &t.table,
                title: t.title,
                section: t.section,
                csv: format!("{}.csv", t.table),
                json: format!("{}.json", t.table),
            })
            .collect(),
    };
    out.push((format!("{DIR}/{INDEX}"), to_json(&index)));
    out
}

/// Whether `name` could name a data file: ASCII letters, digits and hyphens with `.csv` or
/// `.json`. What `write` lets into `data/`, and all that an earlier report's `data/` may
/// hold.
pub(crate) fn is_file_name(name: &str) -> bool {
    let Some(stem) = name
        .strip_suffix(".csv")
        .or_else(|| name.strip_suffix(".json"))
    else {
        return false;
    };
    !stem.is_empty() && stem.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

fn to_json(value: &impl Serialize) -> String {
    let mut s = serde_json::to_string_pretty(value)
        .expect("strings and arrays of strings always serialise");
    s.push('\n');
    s
}

/// RFC 4180 CSV, header row first. Records end in `\n`, not the RFC's `\r\n`: as the
/// bundle's `codings.csv` does, since a cell's own line breaks are `\n` too and every reader
/// (spreadsheets, R, pandas, Python's `csv`) takes either.
fn to_csv<'a>(header: &'a [String], rows: impl Iterator<Item = &'a [String]>) -> String {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    for record in std::iter::once(header).chain(rows) {
        w.write_record(record.iter().map(|c| defused(c).into_owned()))
            .expect("writing to memory does not fail");
    }
    let bytes = w.into_inner().expect("writing to memory does not fail");
    String::from_utf8(bytes).expect("cells are strings, and quoting keeps UTF-8")
}

/// A cell that a spreadsheet would run as a formula, with `'` before it.
///
/// Cells hold text from a study's bundle, which may come from someone else: a memo or a
/// group named `=HYPERLINK(…)` or `@SUM(…)` would run when the CSV is opened in Excel or
/// LibreOffice (CSV injection). A cell starting with `=`, `+`, `-`, `@`, a tab or a carriage
/// return is therefore prefixed with `'`, as OWASP advises, so it is read as text. A plain
/// number (`-0.013`, `+3`, `-12 %`) is left as it is: a spreadsheet reads it as a number,
/// and it holds nothing to run.
fn defused(cell: &str) -> Cow<'_, str> {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') if !is_number(cell) => {
            Cow::Owned(format!("'{cell}"))
        }
        _ => Cow::Borrowed(cell),
    }
}

/// A signed decimal number as the report prints one: digits, with `.` or `,` between runs
/// of them, and perhaps a percent sign (`-0.013`, `+1,5`, `-12 %`).
fn is_number(cell: &str) -> bool {
    let unsigned = cell.strip_prefix(['-', '+']).unwrap_or(cell);
    let digits = unsigned
        .strip_suffix('%')
        .map_or(unsigned, |d| d.strip_suffix(' ').unwrap_or(d));
    digits
        .split(['.', ','])
        .all(|run| !run.is_empty() && run.bytes().all(|b| b.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(cells: &[&str]) -> Vec<String> {
        cells.iter().map(|c| (*c).to_owned()).collect()
    }

    fn one_table(header: &[&str], rows: &[&[&str]]) -> String {
        let rows: Vec<Vec<String>> = rows.iter().map(|r| row(r)).collect();
        to_csv(&row(header), rows.iter().map(Vec::as_slice))
    }

    #[test]
    fn csv_quotes_commas_quotes_and_line_breaks() {
        assert_eq!(
            one_table(
                &["Code", "Summary"],
                &[
                    &["a, b", "she said \"no\""],
                    &["two\nlines", "plain"],
                    &["ø å", ""],
                ]
            ),
            "Code,Summary\n\"a, b\",\"she said \"\"no\"\"\"\n\"two\nlines\",plain\nø å,\n"
        );
    }

    #[test]
    fn an_empty_row_of_one_column_is_still_a_row() {
        // An empty line would be skipped by readers: the one empty cell is written as "".
        assert_eq!(one_table(&["Note"], &[&[""], &["x"]]), "Note\n\"\"\nx\n");
    }

    #[test]
    fn formulas_are_defused_and_numbers_kept() {
        for (cell, written) in [
            ("=1+1", "'=1+1"),
            ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
            ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
            ("-2+3", "'-2+3"),
            ("-", "'-"),
            ("\t=1", "'\t=1"),
            ("\r=1", "'\r=1"),
            // An interval starts with a minus but is not a number.
            ("-1.000 – 0.000", "'-1.000 – 0.000"),
            ("-0.013", "-0.013"),
            ("+3", "+3"),
            ("-1,5", "-1,5"),
            ("-12 %", "-12 %"),
            ("-12%", "-12%"),
            ("0.641 – 1.000", "0.641 – 1.000"),
            ("3 (2)", "3 (2)"),
            ("– ", "– "),
            ("a=b", "a=b"),
            ("", ""),
        ] {
            assert_eq!(defused(cell), written, "{cell:?}");
        }
        for not_a_number in ["-.5", "-1.", "-1..2", "-%", "+ 1", "-1 %%", "-1e5"] {
            assert!(!is_number(not_a_number), "{not_a_number:?}");
        }
    }

    #[test]
    fn the_header_is_defused_too() {
        // Column titles are group names, the study's own text.
        assert_eq!(one_table(&["=A1", "B"], &[]), "'=A1,B\n");
    }

    #[test]
    fn tables_are_numbered_named_and_titled_by_caption_or_heading() {
        let table = |caption: Option<&str>| Block::Table {
            caption: caption.map(str::to_owned),
            header: row(&["x"]),
            rows: vec![row(&["1"])],
            quotes: None,
        };
        let doc = Doc {
            title: "Ung inkludering".into(),
            blocks: vec![
                table(None),
                Block::Heading(2, "Table 1: Informants".into()),
                table(None),
                Block::Para("Ressursgruppe 1".into()),
                table(Some(
                    "Agreement per code: Krippendorff's alpha over meaning units",
                )),
                Block::Heading(3, "Tilstedeværelse".into()),
                table(None),
                table(None),
            ],
            ..Doc::default()
        };
        let named: Vec<(String, &str)> = tables(&doc)
            .into_iter()
            .map(|t| (t.table, t.title))
            .collect();
        assert_eq!(
            named,
            [
                ("01-ung-inkludering".to_owned(), "Ung inkludering"),
                ("02-table-1-informants".to_owned(), "Table 1: Informants"),
                (
                    "03-agreement-per-code-krippendorff-s-alpha".to_owned(),
                    "Agreement per code: Krippendorff's alpha over meaning units"
                ),
                ("04-tilstedevaerelse".to_owned(), "Tilstedeværelse"),
                ("05-tilstedevaerelse".to_owned(), "Tilstedeværelse"),
            ]
        );
        let paths: Vec<String> = files(&doc).into_iter().map(|(p, _)| p).collect();
        assert_eq!(paths.len(), 11);
        assert_eq!(
            paths[..2],
            [
                "data/01-ung-inkludering.csv",
                "data/01-ung-inkludering.json"
            ]
        );
        assert_eq!(paths[10], "data/index.json");
        assert!(paths
            .iter()
            .all(|p| is_file_name(p.strip_prefix("data/").unwrap())));
    }

    #[test]
    fn the_json_and_the_index_say_the_doc_s_cells_exactly() {
        let doc = Doc {
            title: "R".into(),
            blocks: vec![
                Block::Heading(2, "Counts".into()),
                Block::Table {
                    caption: None,
                    header: row(&["Code", ""]),
                    rows: vec![row(&["=x", "-1.000 – 0.000"])],
                    quotes: None,
                },
            ],
            ..Doc::default()
        };
        let files = files(&doc);
        let table: serde_json::Value = serde_json::from_str(&files[1].1).unwrap();
        assert_eq!(
            table,
            serde_json::json!({
                "table": "01-counts",
                "title": "Counts",
                "section": "Counts",
                "columns": ["Code", ""],
                "rows": [["=x", "-1.000 – 0.000"]],
            })
        );
        // Keys in the order the format documents, not sorted.
        assert!(files[1]
            .1
            .starts_with("{\n  \"table\": \"01-counts\",\n  \"title\""));
        let index: serde_json::Value = serde_json::from_str(&files[2].1).unwrap();
        assert_eq!(
            index,
            serde_json::json!({
                "report": "R",
                "tables": [{
                    "table": "01-counts",
                    "title": "Counts",
                    "section": "Counts",
                    "csv": "01-counts.csv",
                    "json": "01-counts.json",
                }],
            })
        );
    }

    #[test]
    fn slugs_are_cut_between_words() {
        assert_eq!(short_slug("Attendance"), "attendance");
        // `agreement-per-code-krippendorff-s-alpha-` is 40 bytes: cut at its hyphen.
        assert_eq!(
            short_slug("Agreement per code: Krippendorff's alpha over characters"),
            "agreement-per-code-krippendorff-s-alpha"
        );
        assert_eq!(short_slug(&"x".repeat(50)), "x".repeat(40));
        assert_eq!(short_slug("🙂"), "table");
    }

    #[test]
    fn data_file_names_are_plain() {
        assert!(is_file_name("01-counts.csv"));
        assert!(is_file_name("index.json"));
        for bad in [
            "../x.csv",
            "a/b.csv",
            ".csv",
            "x.txt",
            "x y.json",
            "x.csv.tmp",
        ] {
            assert!(!is_file_name(bad), "{bad}");
        }
    }
}
