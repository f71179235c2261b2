//! Bundles of the new layout: sources declared as `[[source]]` in `study.toml`, each with its
//! text in `sources/`. A focus group in speaker turns, a document and an interview of the
//! first layout in one bundle read, export and read back the same; every refusal names the
//! file, and the line and key where they apply. The bundles are built here, in temporary
//! directories.

mod common;

use std::fs;
use std::path::{Path, PathBuf};

use common::{all_files, assert_same_study, docx, export};
use samskap_bundle::{read, read_with, Limits, WriteMode};
use samskap_core::{SourceKind, Study, Voice};

const STUDY_TOML: &str = r#"[study]
id = "kilder"
title = "Kilder"
framework = "bentzen-2018"

[[municipality]]
id = "M1"
name = "Kommune 1"

[[group]]
id = "G1"
name = "Ressursgruppe 1"
municipalities = ["M1"]

[[informant]]
id = "I1"
role = "participant"
group = "G1"
consent = "given"

[[informant]]
id = "I2"
role = "participant"
group = "G1"
consent = "given"

[[informant]]
id = "I3"
role = "facilitator"
consent = "pending"

[[informant]]
id = "I4"
consent = "withdrawn"

[[source]]
id = "fg-2023-03"
kind = "focus-group"
title = "Fokusgruppe, ressursgruppe 1"
date = "2023-03-14"
informants = ["I1", "I2"]
group = "G1"

[source.speakers]
M = "interviewer"
Ola = "I1"
Siv = "I2"
Tor = "withdrawn"

[[source]]
id = "plan"
kind = "document"
title = "Prosjektplan"
group = "G1"
"#;

/// The focus group: words before the first turn, the moderator's questions, and the turns
/// of two informants and of one who withdrew.
const FOCUS_GROUP: &str = "Fokusgruppe 14. mars, tre deltakere.
M: Hva hindrer samarbeidet?
Ola: Vi rekker ingenting, ingen har tid.
Siv: Ingen har tid, og lederne bryr seg ikke.
Tor: (removed: the speaker withdrew)
M: Hva hjelper?
Ola: Faste møter.
";

/// The document, as the paragraphs of a Word file.
const PLAN: [&str; 2] = [
    "Prosjektplan for ressursgruppe 1.",
    "Tid til samarbeid skal settes av hver måned.",
];

/// The interview with I3, in the first layout's `transcripts/`.
const INTERVIEW: &str = "Jeg fasiliterte gruppa. Tid er det alle snakker om.\n";

const CODINGS: &str = r#"source,prefix,exact,suffix,code,polarity,coder,memo
fg-2023-03,,"Vi rekker ingenting, ingen har tid.",,resources/time-people-money,barrier,A,
fg-2023-03,,"ingen har tid.
Siv: Ingen har tid",,resources/time-people-money,barrier,A,Over to turer.
fg-2023-03,,Hva hindrer samarbeidet?,,resources/time-people-money,barrier,B,
plan,,Tid til samarbeid,,resources/time-people-money,opportunity,A,
I3,,Tid er det alle snakker om.,,resources/time-people-money,barrier,A,
"#;

const FACILITATION: &str = r#"[[assessment]]
id = "AS1"
group = "G1"
ladder = 3
assessor = "A"
date = "2023-04-01"

[[assessment.evidence]]
source = "fg-2023-03"
exact = "Faste møter."
"#;

/// Writes the bundle into `dir`.
fn write_bundle(dir: &Path) {
    fs::create_dir_all(dir.join("sources")).unwrap();
    fs::create_dir_all(dir.join("transcripts")).unwrap();
    fs::write(dir.join("study.toml"), STUDY_TOML).unwrap();
    fs::write(dir.join("sources/fg-2023-03.txt"), FOCUS_GROUP).unwrap();
    docx(&dir.join("sources/plan.docx"), &PLAN);
    fs::write(dir.join("transcripts/I3.txt"), INTERVIEW).unwrap();
    fs::write(dir.join("codings.csv"), CODINGS).unwrap();
    fs::write(dir.join("facilitation.toml"), FACILITATION).unwrap();
}

/// The bundle in a new directory under `tmp`.
fn bundle(tmp: &Path) -> PathBuf {
    let dir = tmp.join("bundle");
    write_bundle(&dir);
    dir
}

/// The informants whose words each coding's unit holds, by id.
fn voices_of_codings(study: &Study) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    study
        .codings()
        .iter()
        .map(|c| {
            study.unit_voices(c.unit, &mut out);
            out.iter()
                .map(|&i| study.informants()[i as usize].id.to_string())
                .collect()
        })
        .collect()
}

#[test]
fn a_focus_group_a_document_and_an_interview_read_export_and_read_back_the_same() {
    let tmp = tempfile::tempdir().unwrap();
    let src = bundle(tmp.path());
    let mut steps = Vec::new();
    let study = read_with(&src, &Limits::default(), &mut |done, total| {
        steps.push((done, total))
    })
    .unwrap();
    assert_eq!(steps, [(1, 3), (2, 3), (3, 3)], "progress per source");

    // The first layout's interviews come first, then the declared sources in their order.
    let ids: Vec<&str> = study.sources().iter().map(|s| s.id.as_str()).collect();
    assert_eq!(ids, ["I3", "fg-2023-03", "plan"]);
    assert!(study.sources()[0].is_plain_interview());
    let (fg, text) = study.source(&"fg-2023-03".parse().unwrap()).unwrap();
    assert_eq!(fg.kind, SourceKind::FocusGroup);
    assert_eq!(fg.date.unwrap().to_string(), "2023-03-14");
    assert_eq!(fg.group.as_ref().unwrap().as_str(), "G1");
    assert!(fg.speakers.contains(&("Tor".into(), Voice::Withdrawn)));
    assert_eq!(text.text(), FOCUS_GROUP);
    let (plan, text) = study.source(&"plan".parse().unwrap()).unwrap();
    assert_eq!(plan.kind, SourceKind::Document);
    assert!(plan.informants.is_empty());
    // A Word file's paragraphs are its lines.
    assert_eq!(text.text(), PLAN.join("\n"));

    // Whose words: Ola's turn is I1's, the unit over two turns both speakers', the
    // moderator's question and the document no one's, the interview I3's.
    assert_eq!(
        voices_of_codings(&study),
        [vec!["I1"], vec!["I1", "I2"], vec![], vec![], vec!["I3"]]
    );
    let evidence = &study.facilitation().assessments()[0].evidence[0];
    assert!(
        matches!(evidence, samskap_core::facilitation::Evidence::Quote { source, .. } if source.as_str() == "fg-2023-03"),
        "{evidence:?}"
    );

    let out = tmp.path().join("export");
    export(&study, &out, WriteMode::New).unwrap();
    assert_eq!(
        all_files(&out).into_iter().collect::<Vec<_>>(),
        [
            "codings.csv",
            "facilitation.toml",
            "sources/I3.txt",
            "sources/fg-2023-03.txt",
            "sources/plan.txt",
            "study.toml"
        ]
    );
    let exported_study = fs::read_to_string(out.join("study.toml")).unwrap();
    let sources_part = &exported_study[exported_study.find("[[source]]").unwrap()..];
    insta::assert_snapshot!("exported_sources", sources_part);
    let codings = fs::read_to_string(out.join("codings.csv")).unwrap();
    assert!(
        codings.starts_with("source,prefix,exact,suffix,code,polarity,coder,memo\n"),
        "{codings}"
    );
    let facilitation = fs::read_to_string(out.join("facilitation.toml")).unwrap();
    assert!(
        facilitation.contains("[[assessment.evidence]]\nsource = \"fg-2023-03\"\n"),
        "{facilitation}"
    );

    let again = read(&out).unwrap();
    assert_same_study(&again, &study);
    let out_again = tmp.path().join("again");
    export(&again, &out_again, WriteMode::New).unwrap();
    for rel in all_files(&out) {
        assert_eq!(
            fs::read_to_string(out_again.join(&rel)).unwrap(),
            fs::read_to_string(out.join(&rel)).unwrap(),
            "{rel}: a second round changes nothing"
        );
    }
    assert_eq!(all_files(&out_again), all_files(&out));
}

/// A label TOML must quote (a space, a dot, a letter outside ASCII) is written quoted, and
/// reads back as the same label.
#[test]
fn a_label_of_any_characters_but_a_colon_round_trips() {
    let tmp = tempfile::tempdir().unwrap();
    let src = bundle(tmp.path());
    let edit = |rel: &str, old: &str, new: &str| {
        let text = fs::read_to_string(src.join(rel)).unwrap();
        assert!(text.contains(old), "{old:?} is not in {rel}");
        fs::write(src.join(rel), text.replace(old, new)).unwrap();
    };
    edit(
        "study.toml",
        "M = \"interviewer\"",
        "\"Mod. Åse\" = \"interviewer\"",
    );
    edit("sources/fg-2023-03.txt", "M: ", "Mod. Åse: ");
    let study = read(&src).unwrap();
    assert_eq!(
        voices_of_codings(&study),
        [vec!["I1"], vec!["I1", "I2"], vec![], vec![], vec!["I3"]]
    );
    let out = tmp.path().join("export");
    export(&study, &out, WriteMode::New).unwrap();
    let written = fs::read_to_string(out.join("study.toml")).unwrap();
    assert!(
        written.contains("\n\"Mod. Åse\" = \"interviewer\"\n"),
        "{written}"
    );
    assert_same_study(&read(&out).unwrap(), &study);
}

#[test]
fn the_first_column_may_be_called_source_or_transcript_and_so_may_evidence() {
    let tmp = tempfile::tempdir().unwrap();
    let src = bundle(tmp.path());
    let expected = read(&src).unwrap();
    let old_header = CODINGS.replacen("source,", "transcript,", 1);
    fs::write(src.join("codings.csv"), old_header).unwrap();
    let old_key = FACILITATION.replace("source = ", "transcript = ");
    fs::write(src.join("facilitation.toml"), old_key).unwrap();
    assert_same_study(&read(&src).unwrap(), &expected);
}

/// For each case `(file, old, new, message)`: the bundle with the first `old` in `file`
/// replaced by `new` fails to read with `message`.
fn each_edit_fails(cases: &[(&str, &str, &str, &str)]) {
    let tmp = tempfile::tempdir().unwrap();
    let mut failures = Vec::new();
    for (i, (file, old, new, expected)) in cases.iter().enumerate() {
        let dir = tmp.path().join(i.to_string());
        write_bundle(&dir);
        let text = fs::read_to_string(dir.join(file)).unwrap();
        assert!(text.contains(old), "case {i}: {old:?} is not in {file}");
        fs::write(dir.join(file), text.replacen(old, new, 1)).unwrap();
        let message = match read(&dir) {
            Ok(_) => "read succeeded".to_owned(),
            Err(e) => e.to_string(),
        };
        if message != *expected {
            failures.push(format!(
                "case {i}:\n  expected {expected}\n  got      {message}"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn a_source_declaration_is_refused_naming_its_line_and_key() {
    each_edit_fails(&[
        (
            "study.toml",
            "title = \"Prosjektplan\"\n",
            "title = \"Prosjektplan\"\nauthor = \"Kari\"\n",
            "study.toml:54: field `author`: unknown field `author`, expected one of `id`, `kind`, `title`, `date`, `informants`, `group`, `guide`, `guide_version`, `meeting`, `attributes`, `speakers`",
        ),
        (
            "study.toml",
            "kind = \"document\"",
            "kind = \"meeting\"",
            "study.toml:52: field `kind`: unknown variant `meeting`, expected one of `interview`, `focus-group`, `minutes`, `observation`, `document`",
        ),
        (
            "study.toml",
            "date = \"2023-03-14\"",
            "date = \"14.03.2023\"",
            "study.toml:40: field `date`: not a date: write it as YYYY-MM-DD, with a four-digit year (such as 2024-03-01)",
        ),
        (
            "study.toml",
            "informants = [\"I1\", \"I2\"]",
            "informants = [\"I1\", \"I2\", \"I9\"]",
            "study.toml:41: field `informants`: unknown informant `I9`",
        ),
        (
            "study.toml",
            "informants = [\"I1\", \"I2\"]",
            "informants = [\"I1\", \"I2\", \"I4\"]",
            "study.toml:41: field `informants`: informant `I4` has withdrawn consent: their material cannot be added",
        ),
        (
            "study.toml",
            "informants = [\"I1\", \"I2\"]",
            "informants = [\"I1\", \"I2\", \"I1\"]",
            "study.toml:41: field `informants`: source `fg-2023-03`: informant `I1` is listed twice",
        ),
        (
            "study.toml",
            "title = \"Prosjektplan\"\ngroup = \"G1\"",
            "title = \"Prosjektplan\"\ngroup = \"G9\"",
            "study.toml:54: field `group`: unknown group `G9`",
        ),
        (
            "study.toml",
            "Siv = \"I2\"",
            "Siv = \"I3\"",
            "study.toml:47: field `speakers`: source `fg-2023-03`: speaker label `Siv` names informant `I3`, who is not among the source's informants",
        ),
        (
            "study.toml",
            "Siv = \"I2\"",
            "\"Siv:\" = \"I2\"",
            "study.toml:47: field `speakers`: source `fg-2023-03`: speaker label `Siv:` must be 1 to 32 characters on one line, with no colon and no space at either end",
        ),
        (
            "study.toml",
            "M = \"interviewer\"",
            "M = \"the moderator\"",
            "study.toml:45: field `speakers`: speaker `M`: invalid informant id `the moderator`: use up to 64 letters, digits, `_`, `-` or `.`, starting with a letter or digit; a speaker is an informant id, `interviewer` or `withdrawn`",
        ),
        (
            "study.toml",
            "title = \"Prosjektplan\"\ngroup = \"G1\"\n",
            "title = \"Prosjektplan\"\ngroup = \"G1\"\n\n[[source]]\nid = \"plan\"\nkind = \"minutes\"\n",
            "study.toml:57: field `id`: duplicate source id `plan`",
        ),
        (
            "study.toml",
            "id = \"plan\"\nkind = \"document\"\n",
            "id = \"plan\"\n",
            "study.toml:50: missing field `kind`",
        ),
    ]);
}

#[test]
fn the_texts_of_sources_are_refused_naming_the_file() {
    let tmp = tempfile::tempdir().unwrap();
    // (what is done to the bundle, the message)
    type Edit = fn(&Path);
    let cases: [(Edit, &str); 7] = [
        (
            |d| fs::write(d.join("sources/notater.txt"), "x").unwrap(),
            "sources/notater.txt: no source `notater`: declare it in study.toml as a [[source]] (with its `kind`)",
        ),
        (
            |d| fs::write(d.join("sources/notater.rtf"), "x").unwrap(),
            "sources/notater.rtf: not a source's text: texts are `<source-id>.txt` (or .md, .docx)",
        ),
        (
            |d| fs::remove_file(d.join("sources/plan.docx")).unwrap(),
            "sources/plan.txt: file is missing: study.toml:50 declares source `plan`, whose text goes here (or in plan.md or plan.docx)",
        ),
        (
            |d| fs::remove_dir_all(d.join("sources")).unwrap(),
            "sources/fg-2023-03.txt: file is missing: study.toml:36 declares source `fg-2023-03`, whose text goes here (or in fg-2023-03.md or fg-2023-03.docx)",
        ),
        (
            |d| fs::write(d.join("sources/plan.txt"), "x").unwrap(),
            "sources/plan.txt: source `plan` has 2 texts (plan.txt, plan.docx): keep one",
        ),
        (
            |d| fs::write(d.join("transcripts/plan.txt"), "x").unwrap(),
            "transcripts/plan.txt: study.toml:50 declares a [[source]] `plan`, so this interview would be a second source of that id: keep the text in sources/plan.txt, or give the [[source]] another id",
        ),
        (
            |d| fs::write(d.join("sources/plan.docx"), "not a zip").unwrap(),
            "sources/plan.docx: not a readable .docx: it is not a zip archive (invalid Zip archive: Could not find EOCD)",
        ),
    ];
    let mut failures = Vec::new();
    for (i, (edit, expected)) in cases.iter().enumerate() {
        let dir = tmp.path().join(i.to_string());
        write_bundle(&dir);
        edit(&dir);
        let message = match read(&dir) {
            Ok(_) => "read succeeded".to_owned(),
            Err(e) => e.to_string(),
        };
        if message != *expected {
            failures.push(format!(
                "case {i}:\n  expected {expected}\n  got      {message}"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn rows_that_cite_no_source_are_refused_naming_the_line_and_column() {
    each_edit_fails(&[
        (
            "codings.csv",
            "plan,,Tid",
            "plan9,,Tid",
            "codings.csv:6: field `source`: unknown source `plan9`: the study has no source (transcript) of that id",
        ),
        (
            "codings.csv",
            "plan,,Tid",
            "I1,,Tid",
            "codings.csv:6: field `source`: unknown source `I1`: informant `I1` has no interview (transcripts/I1.txt), and study.toml declares no [[source]] `I1`",
        ),
        (
            "codings.csv",
            "plan,,Tid",
            "I4,,Tid",
            "codings.csv:6: field `source`: informant `I4` has withdrawn consent: their material cannot be added",
        ),
        (
            "codings.csv",
            "plan,,Tid til samarbeid,",
            "plan,,Tid til samarbeid og penger,",
            "codings.csv:6: field `exact`: quote not found in the transcript of plan: \"Tid til samarbeid og penger\"; did you mean \"Tid til samarbeid skal settes\" (at 34..63)?",
        ),
        (
            "codings.csv",
            "source,prefix",
            "informant,prefix",
            "codings.csv:1: missing column `source`: the header must be `source,prefix,exact,suffix,code,polarity,coder,memo`, optionally followed by `,qualifiers`, then `,exemplar` (a first column `transcript` is read as `source`)",
        ),
        (
            "facilitation.toml",
            "source = \"fg-2023-03\"",
            "source = \"fg-2023-04\"",
            "facilitation.toml:9: field `source`: unknown source `fg-2023-04`: the study has no source (transcript) of that id",
        ),
        (
            "facilitation.toml",
            "source = \"fg-2023-03\"",
            "source = \"fg-2023-03\"\ntranscript = \"fg-2023-03\"",
            "facilitation.toml:10: field `transcript`: give `source` or `transcript` (its first name), not both",
        ),
        (
            "facilitation.toml",
            "source = \"fg-2023-03\"\n",
            "",
            "facilitation.toml:8: field `source`: evidence needs `source`: the id of the source it quotes",
        ),
    ]);
}

#[cfg(unix)]
#[test]
fn links_in_place_of_sources_or_their_folder_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = bundle(tmp.path());
    let outside = tmp.path().join("outside.txt");
    fs::write(&outside, FOCUS_GROUP).unwrap();
    fs::remove_file(dir.join("sources/fg-2023-03.txt")).unwrap();
    std::os::unix::fs::symlink(&outside, dir.join("sources/fg-2023-03.txt")).unwrap();
    let message = read(&dir).unwrap_err().to_string();
    assert!(
        message.starts_with("sources/fg-2023-03.txt: is a symbolic link"),
        "{message}"
    );

    let elsewhere = tmp.path().join("elsewhere");
    fs::rename(dir.join("sources"), &elsewhere).unwrap();
    std::os::unix::fs::symlink(&elsewhere, dir.join("sources")).unwrap();
    let message = read(&dir).unwrap_err().to_string();
    assert!(
        message.starts_with("sources: is a symbolic link"),
        "{message}"
    );
}

#[test]
fn a_source_text_is_read_within_the_limit_for_a_transcript() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = bundle(tmp.path());
    let size = fs::metadata(dir.join("sources/fg-2023-03.txt"))
        .unwrap()
        .len();
    let limits = Limits {
        transcript: size - 1,
        ..Limits::default()
    };
    let message = read_with(&dir, &limits, &mut |_, _| {})
        .map(|_| ())
        .unwrap_err()
        .to_string();
    assert!(
        message.starts_with(&format!(
            "sources/fg-2023-03.txt: is larger than {} bytes, the limit for a transcript",
            size - 1
        )),
        "{message}"
    );
}

/// The bundle with an attribute of sources, held by the focus group, and minutes of a
/// meeting of `facilitation.toml`, linked by `meeting`.
fn with_minutes(dir: &Path) {
    write_bundle(dir);
    let study = STUDY_TOML
        .replacen(
            "[[municipality]]",
            "[[attribute]]\nid = \"phase\"\ntype = \"one-of\"\nvalues = [\"pilot\", \"main\"]\nfor = [\"source\"]\n\n[[municipality]]",
            1,
        )
        .replacen(
            "group = \"G1\"\n\n[source.speakers]",
            "group = \"G1\"\n\n[source.attributes]\nphase = \"pilot\"\n\n[source.speakers]",
            1,
        )
        + "\n[[source]]\nid = \"ref-1\"\nkind = \"minutes\"\ngroup = \"G1\"\nmeeting = \"G1-2023-04\"\n";
    fs::write(dir.join("study.toml"), study).unwrap();
    fs::write(dir.join("sources/ref-1.txt"), "Referat: gruppa møttes.\n").unwrap();
    let record = format!(
        "[[meeting]]\nid = \"G1-2023-04\"\ngroup = \"G1\"\nkind = \"group\"\ndate = \"2023-04-18\"\n\n{FACILITATION}"
    );
    fs::write(dir.join("facilitation.toml"), record).unwrap();
}

#[test]
fn attributes_of_sources_and_minutes_of_a_meeting_read_and_export_the_same() {
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("bundle");
    with_minutes(&src);
    let study = read(&src).unwrap();
    let (fg, _) = study.source(&"fg-2023-03".parse().unwrap()).unwrap();
    assert_eq!(
        fg.attributes
            .get(&"phase".parse().unwrap())
            .map(ToString::to_string),
        Some("pilot".into())
    );
    let (minutes, _) = study.source(&"ref-1".parse().unwrap()).unwrap();
    assert_eq!(minutes.meeting, Some("G1-2023-04".parse().unwrap()));
    let out = tmp.path().join("export");
    export(&study, &out, WriteMode::New).unwrap();
    let written = fs::read_to_string(out.join("study.toml")).unwrap();
    assert!(
        written.contains("group = \"G1\"\nmeeting = \"G1-2023-04\"\n"),
        "{written}"
    );
    assert!(
        written.contains("[source.attributes]\nphase = \"pilot\"\n"),
        "{written}"
    );
    assert_same_study(&read(&out).unwrap(), &study);
}

#[test]
fn a_wrong_meeting_or_attribute_of_a_source_is_refused_at_its_line() {
    let tmp = tempfile::tempdir().unwrap();
    let cases = [
        (
            "meeting = \"G1-2023-04\"",
            "meeting = \"G1-2099-01\"",
            "study.toml:69: field `meeting`: source `ref-1`: it is of meeting `G1-2099-01`, which the facilitation record does not hold",
        ),
        (
            "kind = \"minutes\"",
            "kind = \"document\"",
            "study.toml:69: field `meeting`: source `ref-1`: it names meeting `G1-2023-04`, but only minutes and observation notes are of a meeting (it is document)",
        ),
        (
            "phase = \"pilot\"",
            "phase = \"later\"",
            "study.toml:51: field `attributes`: attribute `phase` of source `fg-2023-03`: `later` is not one of `pilot`, `main`",
        ),
        (
            "for = [\"source\"]",
            "for = [\"source\", \"informant\"]",
            "study.toml:10: field `for`: attribute `phase`: it is declared for sources and for informants or groups: an attribute describes sources or people, not both (declare two)",
        ),
    ];
    let mut failures = Vec::new();
    for (i, (old, new, expected)) in cases.iter().enumerate() {
        let dir = tmp.path().join(i.to_string());
        with_minutes(&dir);
        let text = fs::read_to_string(dir.join("study.toml")).unwrap();
        assert!(text.contains(old), "case {i}: {old:?}");
        fs::write(dir.join("study.toml"), text.replacen(old, new, 1)).unwrap();
        let message = read(&dir).map_or_else(|e| e.to_string(), |_| "read succeeded".into());
        if message != *expected {
            failures.push(format!(
                "case {i}:\n  expected {expected}\n  got      {message}"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
