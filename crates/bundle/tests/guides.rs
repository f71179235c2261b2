//! Interview guides in a bundle: `guides.toml` with versions, themes and questions, and
//! sources that follow a version (`guide`, `guide_version`) with `[QID]` marks in their text.
//! A bundle with a guide reads, yields per question, exports `guides.toml` as it was written
//! and reads back the same; every refusal names the file, line and key. The bundles are built
//! here, in temporary directories.

mod common;

use std::fs;
use std::path::{Path, PathBuf};

use common::{all_files, assert_same_study, docx, export};
use samskap_bundle::{read, WriteMode};
use samskap_core::analysis::{guide_yield, Filter, RowsBy};
use samskap_core::CodingTable;

const STUDY_TOML: &str = r#"[study]
id = "guidet"
title = "Guidet"
framework = "bentzen-2018"

[[informant]]
id = "I1"
role = "participant"
consent = "given"

[[informant]]
id = "I2"
role = "facilitator"
consent = "given"

[[source]]
id = "int-i1"
kind = "interview"
informants = ["I1"]
guide = "g"
guide_version = 1

[source.speakers]
I = "interviewer"
Ola = "I1"

[[source]]
id = "int-i2"
kind = "interview"
informants = ["I2"]
guide = "g"
guide_version = 2
"#;

/// In the canonical form an export writes.
const GUIDES_TOML: &str = r#"[[guide]]
id = "g"
title = "Intervjuguide"

[[guide.version]]
version = 1

[[guide.version.theme]]
title = "Oppstart"

[[guide.version.theme.question]]
id = "q1"
text = "Hvordan startet det?"

[[guide.version.theme.question]]
id = "q2"
text = "Hva var vanskelig?"

[[guide.version.theme]]
title = "Veien videre"

[[guide.version.theme.question]]
id = "q3"
text = "Fortsetter dere?"

[[guide.version]]
version = 2
note = "Omformulert for fasilitatoren."

[[guide.version.theme]]
title = "Oppstart"

[[guide.version.theme.question]]
id = "q1"
text = "Hvordan startet gruppene du ledet?"

[[guide.version.theme.question]]
id = "q2"
text = "Hva var vanskelig?"

[[guide.version.theme]]
title = "Veien videre"

[[guide.version.theme.question]]
id = "q3"
text = "Fortsetter dere?"
"#;

const INT_I1: &str = "Intervju 1.
[q1]
I: Hvordan startet det?
Ola: Det tok tid. Ingen hadde tid.
[latter]
[q2]
I: Hva var vanskelig?
Ola: Lederne var ikke med.
[q3]
I: Fortsetter dere?
Ola: Ja.
";

/// Written as a Word file.
const INT_I2: &str = "[q1] Hvordan startet gruppene du ledet?
Vi hadde for lite tid.
[q2] Hva var vanskelig?
Forankringen.
";

const CODINGS: &str = r#"source,prefix,exact,suffix,code,polarity,coder,memo
int-i1,,Ingen hadde tid.,,resources/time-people-money,barrier,A,
int-i1,,Lederne var ikke med.,,culture/own-organisation-anchoring,barrier,A,
int-i1,,Lederne var ikke med.,,culture/own-organisation-anchoring,barrier,B,
int-i1,,Intervju 1.,,resources/time-people-money,barrier,A,
int-i2,,Vi hadde for lite tid.,,resources/time-people-money,barrier,A,
"#;

fn bundle(tmp: &Path) -> PathBuf {
    let dir = tmp.join("bundle");
    fs::create_dir_all(dir.join("sources")).unwrap();
    fs::write(dir.join("study.toml"), STUDY_TOML).unwrap();
    fs::write(dir.join("guides.toml"), GUIDES_TOML).unwrap();
    fs::write(dir.join("sources/int-i1.txt"), INT_I1).unwrap();
    // A Word file's paragraphs are its lines, so its marks count as a text file's do.
    let paragraphs: Vec<&str> = INT_I2.lines().collect();
    docx(&dir.join("sources/int-i2.docx"), &paragraphs);
    fs::write(dir.join("codings.csv"), CODINGS).unwrap();
    dir
}

#[test]
fn a_bundle_with_a_guide_yields_per_question_and_exports_the_same() {
    let tmp = tempfile::tempdir().unwrap();
    let study = read(&bundle(tmp.path())).unwrap();
    let g = &study.guides()[0];
    assert_eq!(g.versions.len(), 2);
    assert_eq!(
        g.versions[1].note.as_deref(),
        Some("Omformulert for fasilitatoren.")
    );
    assert_eq!(
        study.sources()[1].guide.as_ref().map(|r| r.version),
        Some(2)
    );

    let table = CodingTable::of(&study, None);
    let y = guide_yield(
        &study,
        &table,
        &Filter::default(),
        &"g".parse().unwrap(),
        None,
        RowsBy::Top,
    )
    .unwrap();
    assert_eq!(y.sources, 2);
    let total = y.columns.len();
    let units: Vec<usize> = y.rows.iter().map(|r| r.counts[total].units).collect();
    let informants: Vec<usize> = y.rows.iter().map(|r| r.counts[total].informants).collect();
    // q1: one unit in each interview; q2: one unit, coded by two coders; q3: nothing.
    assert_eq!(units, [2, 1, 0]);
    assert_eq!(informants, [2, 1, 0]);
    assert_eq!(y.rows[0].text, "Hvordan startet gruppene du ledet?");
    assert_eq!(y.unmarked[total].units, 1);
    let only_v1 = guide_yield(
        &study,
        &table,
        &Filter::default(),
        &"g".parse().unwrap(),
        Some(1),
        RowsBy::Top,
    )
    .unwrap();
    assert_eq!(only_v1.sources, 1);
    assert_eq!(only_v1.rows[0].counts[total].units, 1);

    let out = tmp.path().join("export");
    export(&study, &out, WriteMode::New).unwrap();
    assert!(all_files(&out).contains("guides.toml"));
    assert_eq!(
        fs::read_to_string(out.join("guides.toml")).unwrap(),
        GUIDES_TOML
    );
    let exported = fs::read_to_string(out.join("study.toml")).unwrap();
    assert!(
        exported.contains("guide = \"g\"\nguide_version = 2\n"),
        "{exported}"
    );
    assert_same_study(&read(&out).unwrap(), &study);
}

#[test]
fn a_study_without_guides_exports_no_guides_file() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = bundle(tmp.path());
    fs::remove_file(dir.join("guides.toml")).unwrap();
    let study_toml = STUDY_TOML
        .replace("guide = \"g\"\nguide_version = 1\n", "")
        .replace("guide = \"g\"\nguide_version = 2\n", "");
    fs::write(dir.join("study.toml"), study_toml).unwrap();
    let study = read(&dir).unwrap();
    assert!(study.guides().is_empty());
    let out = tmp.path().join("export");
    export(&study, &out, WriteMode::New).unwrap();
    assert!(!all_files(&out).contains("guides.toml"));
}

/// The message of reading the bundle with `file` changed by `change`.
fn refusal(file: &str, change: &dyn Fn(&str) -> String) -> String {
    let tmp = tempfile::tempdir().unwrap();
    let dir = bundle(tmp.path());
    let path = dir.join(file);
    let text = fs::read_to_string(&path).unwrap();
    fs::write(&path, change(&text)).unwrap();
    read(&dir).unwrap_err().to_string()
}

#[test]
fn refusals_name_the_file_line_and_key() {
    // A source gives the guide without its version: the line of `guide`.
    let e = refusal("study.toml", &|t| t.replacen("guide_version = 1\n", "", 1));
    assert!(
        e.starts_with(
            "study.toml:20: field `guide`: source `int-i1` gives `guide` without `guide_version`"
        ),
        "{e}"
    );
    // A guide the study does not declare, a version the guide does not have.
    let e = refusal("study.toml", &|t| {
        t.replacen("guide = \"g\"", "guide = \"h\"", 1)
    });
    assert!(e.starts_with("study.toml:20: field `guide`:"), "{e}");
    assert!(
        e.contains("guide `h`, which the study does not declare"),
        "{e}"
    );
    let e = refusal("study.toml", &|t| {
        t.replacen("guide_version = 2", "guide_version = 3", 1)
    });
    assert!(
        e.starts_with("study.toml:32: field `guide_version`:"),
        "{e}"
    );
    // In guides.toml: a gap in the versions, a question twice, an empty question, a theme
    // with no question, an unknown key.
    let e = refusal("guides.toml", &|t| {
        t.replacen("version = 2", "version = 3", 1)
    });
    assert!(
        e.starts_with("guides.toml:27: field `version`: guide `g`: version 3 is in place 2"),
        "{e}"
    );
    let e = refusal("guides.toml", &|t| {
        t.replacen("id = \"q2\"", "id = \"q1\"", 1)
    });
    assert!(
        e.starts_with(
            "guides.toml:16: field `id`: guide `g`: question `q1` is given twice in version 1"
        ),
        "{e}"
    );
    let e = refusal("guides.toml", &|t| {
        t.replacen("text = \"Fortsetter dere?\"", "text = \" \"", 1)
    });
    assert!(e.starts_with("guides.toml:24: field `text`:"), "{e}");
    let e = refusal("guides.toml", &|t| t.replacen("note =", "nota =", 1));
    assert!(e.starts_with("guides.toml:28"), "{e}");
    assert!(e.contains("nota"), "{e}");
}
