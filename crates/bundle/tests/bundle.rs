//! Integration tests of reading and writing case bundles against `fixtures/`, which are of
//! the first layout (`transcripts/`): each valid one exports in the new layout, exactly as
//! translated here, and reads back as the same study. Each `fixtures/err/<case>/` fails with
//! a message that names the file (and the line and field where they apply). Export modes and
//! the normalisation of transcript text are tested too. Bundles of the new layout
//! (`[[source]]`, `sources/`) are tested in `sources.rs`.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

use common::{all_files, assert_same_study, docx, export};
use samskap_bundle::{read, BundleError, Limits, WriteMode};

/// The repository's `fixtures/` directory.
const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures");

/// Files in a fixture directory that describe it and are not part of the bundle.
const NOT_BUNDLE: [&str; 2] = ["README.md", "CASE.md"];

/// The files that make up a bundle, as the reader names them in messages.
const BUNDLE_FILES: [&str; 5] = [
    "study.toml",
    "framework.toml",
    "codings.csv",
    "memos.toml",
    "facilitation.toml",
];

fn fixture(name: &str) -> PathBuf {
    Path::new(FIXTURES).join(name)
}

/// The bundle files of a fixture directory: all files but its README.md or CASE.md.
fn bundle_files(dir: &Path) -> BTreeSet<String> {
    all_files(dir)
        .into_iter()
        .filter(|f| !NOT_BUNDLE.contains(&f.as_str()))
        .collect()
}

/// Copies the bundle files of `from` into a new directory `to`.
fn copy_bundle(from: &Path, to: &Path) {
    for rel in bundle_files(from) {
        let target = to.join(&rel);
        fs::create_dir_all(target.parent().unwrap()).unwrap();
        fs::copy(from.join(&rel), &target).unwrap();
    }
}

/// The bundle files under `dir` with their content.
fn contents(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    bundle_files(dir)
        .into_iter()
        .map(|rel| {
            let bytes = fs::read(dir.join(&rel)).unwrap();
            (rel, bytes)
        })
        .collect()
}

/// The files of `dir`, a bundle of the first layout in canonical form, as an export writes
/// them in the new layout: each `transcripts/<informant>.txt` becomes `sources/<informant>.txt`
/// and a `[[source]]` table after the informants, in their order; the first column of
/// `codings.csv` and the key of evidence become `source`. Nothing else changes.
fn translated(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let study = read(dir).unwrap();
    let text = |bytes: Vec<u8>| String::from_utf8(bytes).unwrap();
    let mut out = BTreeMap::new();
    for (rel, bytes) in contents(dir) {
        let (rel, bytes) = match rel.as_str() {
            "study.toml" => {
                let mut t = text(bytes);
                for i in study.informants() {
                    if dir.join(format!("transcripts/{}.txt", i.id)).exists() {
                        t.push_str(&format!(
                            "\n[[source]]\nid = \"{0}\"\nkind = \"interview\"\ninformants = [\"{0}\"]\n",
                            i.id
                        ));
                    }
                }
                (rel, t.into_bytes())
            }
            "codings.csv" => {
                let t = text(bytes);
                let rest = t
                    .strip_prefix("transcript,")
                    .expect("the first layout's header");
                (rel, format!("source,{rest}").into_bytes())
            }
            "facilitation.toml" => {
                let t = text(bytes).replace("\ntranscript = ", "\nsource = ");
                (rel, t.into_bytes())
            }
            _ => match rel.strip_prefix("transcripts/") {
                Some(name) => (format!("sources/{name}"), bytes),
                None => (rel, bytes),
            },
        };
        out.insert(rel, bytes);
    }
    out
}

/// Asserts that the bundle in `dir` is exactly `expected`: the same files with the same
/// bytes. The assertion compares text, so that a failure shows the lines that differ.
fn assert_files(expected: &BTreeMap<String, Vec<u8>>, dir: &Path) {
    let names: BTreeSet<String> = expected.keys().cloned().collect();
    assert_eq!(all_files(dir), names, "{} has other files", dir.display());
    for (rel, bytes) in expected {
        let actual = fs::read(dir.join(rel)).unwrap();
        if *bytes != actual {
            assert_eq!(
                String::from_utf8_lossy(&actual),
                String::from_utf8_lossy(bytes),
                "{rel} differs"
            );
            panic!("{rel}: the bytes differ (but not as text)");
        }
    }
}

/// A short summary of a bundle for the snapshot: its files with line counts, and the counts
/// of what the reader made of them.
fn summary(dir: &Path, study: &samskap_core::Study) -> String {
    let mut s = String::from("files:\n");
    for rel in bundle_files(dir) {
        let text = fs::read_to_string(dir.join(&rel)).unwrap();
        s.push_str(&format!("  {rel}: {} lines\n", text.lines().count()));
    }
    s.push_str(&format!(
        "informants: {}\nsources: {}\nunits: {}\ncodings: {}\nmemos: {}\n",
        study.informants().len(),
        study.sources().len(),
        study.units().len(),
        study.codings().len(),
        study.memos().len(),
    ));
    let f = study.facilitation();
    if *f != samskap_core::facilitation::Facilitation::new() {
        let attendance: usize = f.meetings().iter().map(|(_, a)| a.len()).sum();
        let steps: usize = f.actions().iter().map(|a| a.history.len()).sum();
        let evidence: usize = f.assessments().iter().map(|a| a.evidence.len()).sum();
        s.push_str(&format!(
            "facilitation:\n  meetings: {} ({attendance} attendance rows)\n  rules: {}\n  problem statements: {}\n  process moves: {}\n  practices: {}\n  actions: {} ({steps} steps)\n  dissemination: {}\n  contacts: {}\n  assessments: {} ({evidence} evidence)\n",
            f.meetings().len(),
            f.rules().len(),
            f.statements().len(),
            f.moves().len(),
            f.practices().len(),
            f.actions().len(),
            f.events().len(),
            f.contacts().len(),
            f.assessments().len(),
        ));
    }
    s
}

#[test]
fn valid_fixtures_export_in_the_new_layout_and_read_back_the_same() {
    insta::glob!("../../../fixtures", "*/study.toml", |path| {
        let src = path.parent().unwrap();
        let files = bundle_files(src);
        assert!(files.contains("study.toml") && files.contains("codings.csv"));
        let first_layout = files.iter().any(|f| f.starts_with("transcripts/"));
        let study = read(src).unwrap_or_else(|e| panic!("{}: {e}", src.display()));
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("export");
        export(&study, &out, WriteMode::New).unwrap();
        // A fixture of the first layout exports translated; one of the new layout, in
        // canonical form, exports as it is.
        let expected = if first_layout {
            translated(src)
        } else {
            contents(src)
        };
        assert_files(&expected, &out);

        let again = read(&out).unwrap();
        assert_same_study(&again, &study);
        // The new layout is canonical: a second round changes nothing.
        let out_again = tmp.path().join("again");
        export(&again, &out_again, WriteMode::New).unwrap();
        assert_files(&contents(&out), &out_again);
        insta::assert_snapshot!(summary(src, &study));
    });
}

#[test]
fn error_cases_fail_with_a_message_naming_the_file() {
    insta::glob!("../../../fixtures", "err/*/CASE.md", |path| {
        let dir = path.parent().unwrap();
        let case = fs::read_to_string(path).unwrap();
        let err = match read(dir) {
            Ok(_) => panic!("{}: read succeeded, but {}", dir.display(), case.trim()),
            Err(e) => e,
        };
        let mut message = err.to_string();
        for shown in [dir.to_path_buf(), dir.canonicalize().unwrap()] {
            message = message.replace(&shown.display().to_string(), "[CASE]");
        }
        let names_file = BUNDLE_FILES
            .iter()
            .any(|f| message.starts_with(&format!("{f}:")))
            || message.starts_with("transcripts/")
            || message.starts_with("sources/");
        assert!(
            names_file,
            "the message does not start with a file: {message}"
        );
        insta::with_settings!({ description => case.trim(), omit_expression => true }, {
            insta::assert_snapshot!(message);
        });
    });
}

#[test]
fn new_mode_refuses_a_directory_that_is_not_empty() {
    let study = read(&fixture("mini")).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    fs::write(tmp.path().join("notater.txt"), "ikke tom\n").unwrap();

    let err = export(&study, tmp.path(), WriteMode::New).unwrap_err();
    assert!(matches!(err, BundleError::NotEmpty(_)), "{err:?}");
    assert!(err.to_string().contains("not empty"), "{err}");
    let left: Vec<_> = all_files(tmp.path()).into_iter().collect();
    assert_eq!(
        left,
        ["notater.txt"],
        "New wrote something before it refused"
    );
}

#[test]
fn overwrite_mode_replaces_an_older_export_and_removes_stale_transcripts() {
    let mini = fixture("mini");
    let study = read(&mini).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("export");
    export(&study, &out, WriteMode::New).unwrap();
    // An older export: one informant more, in either layout, and other codings.
    fs::write(out.join("sources/I9.txt"), "Fra en eldre eksport.\n").unwrap();
    fs::create_dir(out.join("transcripts")).unwrap();
    fs::write(out.join("transcripts/I9.txt"), "Fra en eldre eksport.\n").unwrap();
    fs::write(
        out.join("codings.csv"),
        "transcript,prefix,exact,suffix,code,polarity,coder,memo\n",
    )
    .unwrap();

    export(&study, &out, WriteMode::Overwrite).unwrap();
    assert!(!out.join("sources/I9.txt").exists());
    assert!(!out.join("transcripts").exists());
    assert_files(&translated(&mini), &out);
}

/// Exporting over the bundle of the first layout that the study was read from leaves the
/// new layout alone: `transcripts/` goes, so that no text is there twice.
#[test]
fn overwrite_turns_a_bundle_of_the_first_layout_into_the_new_one() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("bundle");
    copy_bundle(&fixture("mini"), &dir);
    let study = read(&dir).unwrap();
    export(&study, &dir, WriteMode::Overwrite).unwrap();
    assert_files(&translated(&fixture("mini")), &dir);
    assert!(!dir.join("transcripts").exists());
    assert_same_study(&read(&dir).unwrap(), &study);
}

#[test]
fn crlf_and_bom_in_a_transcript_are_read_and_exported_as_lf_without_bom() {
    let mini = fixture("mini");
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("crlf");
    copy_bundle(&mini, &src);
    let rel = "transcripts/I1.txt";
    let lf = fs::read_to_string(mini.join(rel)).unwrap();
    assert!(lf.lines().count() > 1 && !lf.contains('\r'));
    let crlf = format!("\u{feff}{}", lf.replace('\n', "\r\n"));
    fs::write(src.join(rel), &crlf).unwrap();

    let study = read(&src).unwrap();
    let out = tmp.path().join("export");
    export(&study, &out, WriteMode::New).unwrap();
    // The codings (one with prefix and suffix) find the same units in the normalised text,
    // so the export is the original bundle's.
    assert_files(&translated(&mini), &out);
}

#[test]
fn transcripts_may_come_as_markdown_or_docx_and_export_as_text() {
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("bundle");
    copy_bundle(&fixture("mini"), &src);
    let original = read(&src).unwrap();
    // I1 as Markdown, I2 as a Word document with one paragraph per line.
    fs::rename(
        src.join("transcripts/I1.txt"),
        src.join("transcripts/I1.md"),
    )
    .unwrap();
    let i2 = fs::read_to_string(src.join("transcripts/I2.txt")).unwrap();
    fs::remove_file(src.join("transcripts/I2.txt")).unwrap();
    let lines: Vec<&str> = i2.strip_suffix('\n').unwrap_or(&i2).split('\n').collect();
    docx(&src.join("transcripts/I2.docx"), &lines);
    let study = read(&src).unwrap();
    let text = |s: &samskap_core::Study, id: &str| {
        s.transcript(&id.parse().unwrap())
            .unwrap()
            .text()
            .to_owned()
    };
    assert_eq!(text(&study, "I1"), text(&original, "I1"));
    assert_eq!(
        text(&study, "I2").trim_end(),
        text(&original, "I2").trim_end()
    );
    let out = tmp.path().join("out");
    export(&study, &out, WriteMode::New).unwrap();
    assert!(out.join("sources/I1.txt").exists());
    assert!(out.join("sources/I2.txt").exists());
    assert!(!out.join("transcripts").exists());

    // Two files for one informant: which one is meant?
    fs::write(src.join("transcripts/I1.txt"), "x").unwrap();
    let err = read(&src).unwrap_err().to_string();
    assert!(err.contains("has 2 transcripts (I1.txt, I1.md)"), "{err}");
}

/// `fixtures/mini` with its `facilitation.toml` replaced by `text`, in a new directory.
fn mini_with_facilitation(tmp: &Path, text: &str) -> PathBuf {
    let dir = tmp.join("bundle");
    copy_bundle(&fixture("mini"), &dir);
    fs::write(dir.join("facilitation.toml"), text).unwrap();
    dir
}

#[test]
fn facilitation_in_any_valid_form_is_written_canonically() {
    let canonical = fs::read_to_string(fixture("mini/facilitation.toml")).unwrap();
    // The same record as a person might type it: comments, attendance and evidence inline,
    // evidence with more context than it needs, keys in another order.
    let typed = canonical
        .replace(
            "[meeting.attendance]\nG1-P1 = \"present\"\nG1-P2 = \"absent\"\n",
            "attendance = { G1-P1 = \"present\", G1-P2 = \"absent\" } # February\n",
        )
        .replace(
            "[[assessment.evidence]]\ntranscript = \"I2\"\nexact = \"Nå har vi fått en fast møteplass\"\n",
            "evidence = [{ exact = \"Nå har vi fått en fast møteplass\", prefix = \"frivilligheten. \", transcript = \"I2\" }]\n",
        );
    let typed = format!("# Fasilitering i Testvik\n\n{typed}");
    assert_ne!(typed, canonical);
    let tmp = tempfile::tempdir().unwrap();
    let src = mini_with_facilitation(tmp.path(), &typed);
    let study = read(&src).unwrap();
    assert_eq!(
        study.facilitation(),
        read(&fixture("mini")).unwrap().facilitation()
    );
    let out = tmp.path().join("export");
    export(&study, &out, WriteMode::New).unwrap();
    let expected = &translated(&fixture("mini"))["facilitation.toml"];
    assert_eq!(
        fs::read_to_string(out.join("facilitation.toml")).unwrap(),
        String::from_utf8_lossy(expected)
    );
}

#[test]
fn facilitation_toml_is_left_out_when_the_record_is_empty_and_removed_on_overwrite() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("export");
    let mini = read(&fixture("mini")).unwrap();
    export(&mini, &out, WriteMode::New).unwrap();
    assert!(out.join("facilitation.toml").exists());

    let src = tmp.path().join("without");
    copy_bundle(&fixture("mini"), &src);
    fs::remove_file(src.join("facilitation.toml")).unwrap();
    let study = read(&src).unwrap();
    assert!(study.facilitation().meetings().is_empty());
    export(&study, &out, WriteMode::Overwrite).unwrap();
    assert!(!out.join("facilitation.toml").exists());
    assert_files(&translated(&src), &out);
}

#[test]
fn facilitation_errors_name_the_line_and_key() {
    let canonical = fs::read_to_string(fixture("mini/facilitation.toml")).unwrap();
    // (text replaced, its replacement, the whole message)
    let cases = [
        (
            "id = \"AS1\"\ngroup = \"G1\"\n",
            "id = \"AS1\"\ngroup = \"G1\"\nservice = \"nav\"\n",
            "facilitation.toml:234: field `service`: an assessment has one subject: give `group` or `service`, not both",
        ),
        (
            "id = \"AS4\"\nservice = \"school\"\n",
            "id = \"AS4\"\n",
            "facilitation.toml:272: field `group`: an assessment needs a subject: `group` or `service`",
        ),
        (
            "logic = \"TB\"\n",
            "",
            "facilitation.toml:272: field `ladder`: an assessment needs a value: `ladder` (a step 1–5 or a range [low, high]) or `logic` (TB, NPM or NPG, or a list of them)",
        ),
        (
            "logic = \"TB\"\n",
            "logic = \"NPX\"\n",
            "facilitation.toml:275: field `logic`: `NPX` is not an institutional logic: TB, NPM or NPG",
        ),
        (
            "ladder = [3, 5]\n",
            "ladder = [5, 3]\n",
            "facilitation.toml:282: field `ladder`: the range 5–3 runs downwards: write the lower step first (3–5)",
        ),
        (
            "ladder = [3, 5]\n",
            "ladder = [3]\n",
            "facilitation.toml:282: field `ladder`: a ladder range is two steps, [low, high]; this list has 1",
        ),
        (
            "ladder = [3, 5]\n",
            "ladder = [3, 6]\n",
            "facilitation.toml:282: field `ladder`: co-creation ladder step 6 is outside 1–5",
        ),
        (
            "actor = \"youth\"\n",
            "actor = \"nav\"\n",
            "facilitation.toml:297: field `actor`: `nav` is not an actor: write `youth`, or `service:` and a service as members carry it (`service:nav`)",
        ),
        (
            "actor = \"service:nav\"\n",
            "actor = \"service:NAV\"\n",
            "facilitation.toml:312: field `actor`: no member carries the service `NAV` (members' services: `nav`, `school`, `volunteer`)",
        ),
        (
            "id = \"AS7\"\ngroup = \"G1\"\n",
            "id = \"AS7\"\nservice = \"nav\"\n",
            "facilitation.toml:312: field `actor`: only a group's ladder places an actor; this assessment is of service `nav`",
        ),
        (
            "logic = [\"NPM\", \"NPG\"]\n",
            "logic = [\"NPM\", \"NPG\"]\nactor = \"youth\"\n",
            "facilitation.toml:323: field `actor`: an actor is placed on the ladder: give `actor` with `ladder`, not `logic`",
        ),
        (
            "logic = [\"NPM\", \"NPG\"]\n",
            "logic = [\"NPM\", \"NPM\"]\n",
            "facilitation.toml:322: field `logic`: institutional logic NPM is named twice",
        ),
        (
            "logic = [\"NPM\", \"NPG\"]\n",
            "logic = []\n",
            "facilitation.toml:322: field `logic`: name at least one institutional logic: TB, NPM or NPG",
        ),
        (
            "meeting = \"G1-2024-03\"\n",
            "meeting = \"G1-2099-01\"\n",
            "facilitation.toml:288: field `meeting`: evidence cites meeting `G1-2099-01`, which the record does not hold",
        ),
        (
            "practice = \"PD-1\"\n",
            "practice = \"PD-1\"\nexact = \"lite tid\"\n",
            "facilitation.toml:318: field `exact`: evidence is a quote or a fact of the record: give `practice` or a quote (`source`, `exact`), not both",
        ),
        (
            "contact = \"C2\"\n",
            "contact = \"C2\"\nmeeting = \"M1-info\"\n",
            "facilitation.toml:328: field `contact`: evidence cites one fact: give `meeting` or `contact` in a table of its own",
        ),
        (
            "dissemination = \"D2\"\n",
            "",
            "facilitation.toml:330: field `source`: evidence needs a quote (`source` and `exact`) or a fact of the record (`meeting`, `problem_statement`, `practice`, `action`, `dissemination`, `contact`)",
        ),
        (
            "transcript = \"I1\"\nexact = \"Ungdommene i gruppa sier ting rett ut\"\n",
            "transcript = \"I1\"\n",
            "facilitation.toml:239: field `exact`: evidence needs `exact`: the words it quotes",
        ),
        (
            "transcript = \"I3\"\n",
            "transcript = \"I9\"\n",
            "facilitation.toml:269: field `transcript`: unknown source `I9`: the study has no source (transcript) of that id",
        ),
        (
            "exact = \"Ungdommene i gruppa sier ting rett ut\"\n",
            "exact = \"lite tid\"\n",
            "facilitation.toml:241: field `exact`: quote found 2 times in the transcript of I1: \"lite tid\"; add a prefix or suffix to say which",
        ),
        (
            "participants = [\"G1-P1\", \"G1-P2\"]\n",
            "participants = [\"G1-P1\", \"G1-P9\"]\n",
            "facilitation.toml:73: field `participants`: unknown member `G1-P9`",
        ),
        (
            "agreed = \"2024-05-08\"\n",
            "agreed = \"2024-03-01\"\n",
            "facilitation.toml:72: field `agreed`: agreement on PS-G1-2 on 2024-03-01 is dated before the previous one (2024-03-13)",
        ),
        (
            "text = \"Hvordan får vi ungdom til å møte opp på NAV?\"\ndrafted = \"2024-02-14\"\n",
            "text = \"Hvordan får vi ungdom til å møte opp på NAV?\"\ndrafted = \"2024-02-14\"\nagreed = \"2024-03-01\"\n",
            "facilitation.toml:73: field `agreed`: group `G1` already agreed on problem statement `PS-G1-1`",
        ),
        (
            "date = \"2024-06-12\"\nphase = \"explore\"\n",
            "date = \"2024-05-01\"\nphase = \"explore\"\n",
            "facilitation.toml:108: field `date`: process move of G1 on 2024-05-01 is dated before the previous one (2024-05-08)",
        ),
        (
            "state = \"adopted\"\ndate = \"2024-10-15\"\n",
            "state = \"adopted\"\ndate = \"2024-09-01\"\n",
            "facilitation.toml:159: field `date`: adopted of A1 on 2024-09-01 is dated before the previous one (2024-09-17)",
        ),
        (
            "[[action.history]]\nstate = \"planned\"\ndate = \"2024-06-12\"\n",
            "[[action.history]]\nstate = \"tried\"\ndate = \"2024-06-12\"\n",
            "facilitation.toml:145: field `state`: A1: cannot go from planned to tried; the next state is planned first",
        ),
        (
            "state = \"evaluated\"\ndate = \"2024-05-15\"\nnote = \"Få foreldre kom.\"\n\n[[action.history]]\nstate = \"dropped\"\n",
            "state = \"evaluated\"\ndate = \"2024-05-15\"\nnote = \"Få foreldre kom.\"\n\n[[action.history]]\nstate = \"tried\"\n",
            "facilitation.toml:195: field `state`: A3: cannot go from evaluated to tried; the next state is adopted or dropped",
        ),
        (
            "action = \"A1\"\n",
            "action = \"A9\"\n",
            "facilitation.toml:203: field `action`: unknown action `A9`",
        ),
        (
            "b = \"G2-P1\"\n",
            "b = \"G2-P9\"\n",
            "facilitation.toml:228: field `b`: unknown member `G2-P9`",
        ),
        (
            "G1-P1 = \"excused\"\n",
            "G1-P9 = \"excused\"\n",
            "facilitation.toml:30: field `attendance`: unknown member `G1-P9`",
        ),
        (
            "G1-P1 = \"excused\"\n",
            "G1-P1 = \"late\"\n",
            "facilitation.toml:30: field `G1-P1`: unknown variant `late`, expected one of `present`, `absent`, `excused`",
        ),
        (
            "kind = \"workshop\"\n",
            "kind = \"workshop\"\nplace = \"skolen\"\n",
            "facilitation.toml:43: field `place`: unknown field `place`, expected one of `id`, `group`, `kind`, `date`, `note`, `attendance`",
        ),
        (
            "observed = \"2024-04-10\"\n",
            "observed = 2024-04-10\n",
            "facilitation.toml:123: field `observed`: write dates as quoted strings, such as \"2023-05-15\"",
        ),
        (
            "observed = \"2024-04-10\"\n",
            "observed = \"24-04-10\"\n",
            "facilitation.toml:123: field `observed`: not a date: write it as YYYY-MM-DD, with a four-digit year (such as 2024-03-01)",
        ),
        (
            "observed = \"2024-04-10\"\n",
            "observed = \"+2024-04-10\"\n",
            "facilitation.toml:123: field `observed`: not a date: write it as YYYY-MM-DD, with a four-digit year (such as 2024-03-01)",
        ),
    ];
    let tmp = tempfile::tempdir().unwrap();
    let mut failures = Vec::new();
    for (i, (old, new, expected)) in cases.iter().enumerate() {
        assert!(
            canonical.contains(old),
            "case {i}: {old:?} is not in the file"
        );
        let dir = mini_with_facilitation(
            &tmp.path().join(i.to_string()),
            &canonical.replacen(old, new, 1),
        );
        let message = match read(&dir) {
            Ok(_) => "read succeeded".to_string(),
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

// Files an attacker can hand you: a bundle cloned from someone else's repository may hold
// links and special files where the bundle's files should be.

/// `fixtures/mini` copied into `tmp/bundle`, with `rel` replaced by a symbolic link to a copy
/// of it outside the bundle (holding `extra` too): a link whose target would read fine.
#[cfg(unix)]
fn mini_with_link(tmp: &Path, rel: &str, extra: &str) -> PathBuf {
    let dir = tmp.join("bundle");
    copy_bundle(&fixture("mini"), &dir);
    let outside = tmp.join("outside");
    fs::create_dir_all(&outside).unwrap();
    let target = outside.join(rel.replace('/', "-"));
    let mut text = fs::read_to_string(dir.join(rel)).unwrap();
    text.push_str(extra);
    fs::write(&target, text).unwrap();
    fs::remove_file(dir.join(rel)).unwrap();
    std::os::unix::fs::symlink(&target, dir.join(rel)).unwrap();
    dir
}

#[cfg(unix)]
#[test]
fn a_bundle_file_that_is_a_symbolic_link_is_refused() {
    for rel in [
        "study.toml",
        "framework.toml",
        "transcripts/I1.txt",
        "codings.csv",
        "memos.toml",
        "facilitation.toml",
    ] {
        let tmp = tempfile::tempdir().unwrap();
        let extra = if rel.ends_with(".txt") {
            "\nroot:x:0:0:root:/root:/bin/sh\n"
        } else {
            ""
        };
        let dir = mini_with_link(tmp.path(), rel, extra);
        let message = match read(&dir) {
            Ok(_) => panic!("{rel} as a link was read"),
            Err(e) => e.to_string(),
        };
        assert!(
            message.starts_with(&format!("{rel}: is a symbolic link")),
            "{message}"
        );
    }
}

#[cfg(unix)]
#[test]
fn a_transcripts_directory_that_is_a_symbolic_link_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("bundle");
    copy_bundle(&fixture("mini"), &dir);
    let elsewhere = tmp.path().join("elsewhere");
    fs::rename(dir.join("transcripts"), &elsewhere).unwrap();
    std::os::unix::fs::symlink(&elsewhere, dir.join("transcripts")).unwrap();
    let message = read(&dir).unwrap_err().to_string();
    assert!(
        message.starts_with("transcripts: is a symbolic link"),
        "{message}"
    );
}

#[cfg(unix)]
#[test]
fn a_link_to_a_device_is_refused_before_a_byte_is_read() {
    for device in ["/dev/null", "/dev/urandom"] {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("bundle");
        copy_bundle(&fixture("mini"), &dir);
        fs::remove_file(dir.join("transcripts/I1.txt")).unwrap();
        std::os::unix::fs::symlink(device, dir.join("transcripts/I1.txt")).unwrap();
        let message = read(&dir).unwrap_err().to_string();
        assert!(
            message.starts_with("transcripts/I1.txt: is a symbolic link"),
            "{message}"
        );
    }
}

/// A FIFO in place of a transcript. Reading one blocks until some process writes to it;
/// here a thread stands ready to write the real transcript, so a reader that opens the FIFO
/// gets a valid bundle (and the test fails) instead of hanging.
#[cfg(unix)]
#[test]
fn a_fifo_is_refused_without_waiting_for_a_writer() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("bundle");
    copy_bundle(&fixture("mini"), &dir);
    let fifo = dir.join("transcripts/I1.txt");
    let text = fs::read(&fifo).unwrap();
    fs::remove_file(&fifo).unwrap();
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    let writer = {
        let fifo = fifo.clone();
        std::thread::spawn(move || fs::write(fifo, text))
    };
    let result = read(&dir);
    // Whatever happened, let the writer finish: open the FIFO for reading if nobody did.
    if !writer.is_finished() {
        let _ = fs::read(&fifo);
    }
    writer.join().unwrap().unwrap();
    let message = match result {
        Ok(_) => panic!("the FIFO was read as a transcript"),
        Err(e) => e.to_string(),
    };
    assert!(
        message.starts_with("transcripts/I1.txt: is a FIFO, not a regular file"),
        "{message}"
    );
}

#[test]
fn a_100_kb_id_in_codings_csv_is_echoed_shortened() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("bundle");
    copy_bundle(&fixture("mini"), &dir);
    let csv = fs::read_to_string(dir.join("codings.csv")).unwrap();
    let long = "I".repeat(100_000);
    for (column, row) in [
        ("transcript", format!("{long},,lite tid,,a/b,barrier,A,\n")),
        ("coder", format!("I1,,lite tid,,a/b,barrier,{long},\n")),
        ("polarity", format!("I1,,lite tid,,a/b,{long},A,\n")),
        ("code", format!("I1,,lite tid,,{long},barrier,A,\n")),
    ] {
        fs::write(dir.join("codings.csv"), format!("{csv}{row}")).unwrap();
        let message = read(&dir).unwrap_err().to_string();
        assert!(message.len() < 500, "{column}: {} bytes", message.len());
        assert!(
            message.contains(&format!("{}…", "I".repeat(64))),
            "{message}"
        );
    }
}

/// Rows are checked on their own first and their quotes located after, per transcript; the
/// error a reader sees is still the first in the file, whichever step finds it.
#[test]
fn the_first_bad_row_of_codings_csv_is_the_one_named() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("bundle");
    copy_bundle(&fixture("mini"), &dir);
    let csv = fs::read_to_string(dir.join("codings.csv")).unwrap();
    let lines = csv.lines().count();
    let missing = "I1,,finnes ikke i I1,,collaboration/time,barrier,A,\n";
    let bad_code = "I1,,lite tid,,Not A Code,barrier,A,\n";
    let repeated = "I1,,lite tid,,collaboration/time,barrier,A,\n";
    for (rows, line, field) in [
        ([missing, bad_code], lines + 1, "exact"),
        ([bad_code, missing], lines + 1, "code"),
        ([repeated, bad_code], lines + 1, "exact"),
    ] {
        fs::write(
            dir.join("codings.csv"),
            format!("{csv}{}{}", rows[0], rows[1]),
        )
        .unwrap();
        let message = read(&dir).unwrap_err().to_string();
        assert!(
            message.starts_with(&format!("codings.csv:{line}: field `{field}`")),
            "{message}"
        );
    }
}

#[test]
fn a_100_kb_key_or_value_in_a_toml_file_is_echoed_shortened() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("bundle");
    copy_bundle(&fixture("mini"), &dir);
    let study = fs::read_to_string(dir.join("study.toml")).unwrap();
    let long = "x".repeat(100_000);
    for (what, text) in [
        (
            "key",
            study.replacen("[study]\n", &format!("[study]\n{long} = 1\n"), 1),
        ),
        (
            "value",
            study.replacen("[study]\n", &format!("[study]\nid = \"{long}\"\n"), 1),
        ),
        (
            "date",
            study.replacen(
                "[study]\n",
                &format!("[study]\nperiod_start = \"{long}\"\n"),
                1,
            ),
        ),
    ] {
        fs::write(dir.join("study.toml"), text).unwrap();
        let message = read(&dir).unwrap_err().to_string();
        assert!(message.len() < 1000, "{what}: {} bytes", message.len());
    }
}

#[test]
fn every_file_is_read_within_its_size_limit() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("bundle");
    copy_bundle(&fixture("mini"), &dir);
    let size = |rel: &str| fs::metadata(dir.join(rel)).unwrap().len();
    let read_within =
        |limits: Limits| match samskap_bundle::read_with(&dir, &limits, &mut |_, _| {}) {
            Ok(_) => "read".to_owned(),
            Err(e) => e.to_string(),
        };
    // Exactly the size is allowed, one byte less is not.
    let at = |rel: &str, kind: &str, set: &dyn Fn(&mut Limits, u64)| {
        let mut limits = Limits::default();
        set(&mut limits, size(rel));
        assert_eq!(read_within(limits), "read", "{rel} at its size");
        set(&mut limits, size(rel) - 1);
        let message = read_within(limits);
        let expected = format!(
            "{rel}: is larger than {} bytes, the limit for {kind}; raise the limit with --max-file-mb N (or SAMSKAP_MAX_FILE_MB=N)",
            size(rel) - 1
        );
        assert_eq!(message, expected);
    };
    let documents = |l: &mut Limits, n: u64| l.document = n;
    // The limit for documents applies to each TOML file, so the largest one decides.
    let largest = [
        "study.toml",
        "framework.toml",
        "memos.toml",
        "facilitation.toml",
    ]
    .into_iter()
    .max_by_key(|rel| size(rel))
    .unwrap();
    at(largest, "a TOML or XML document", &documents);
    at("codings.csv", "a CSV table", &|l, n| l.table = n);
    let longest = [
        "transcripts/I1.txt",
        "transcripts/I2.txt",
        "transcripts/I3.txt",
    ]
    .into_iter()
    .max_by_key(|rel| size(rel))
    .unwrap();
    at(longest, "a transcript", &|l, n| l.transcript = n);
}

#[test]
fn a_docx_transcript_is_read_within_the_archive_limits() {
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("bundle");
    copy_bundle(&fixture("mini"), &src);
    let i2 = fs::read_to_string(src.join("transcripts/I2.txt")).unwrap();
    fs::remove_file(src.join("transcripts/I2.txt")).unwrap();
    let lines: Vec<&str> = i2.strip_suffix('\n').unwrap_or(&i2).split('\n').collect();
    let docx_path = src.join("transcripts/I2.docx");
    docx(&docx_path, &lines);
    let read_within =
        |limits: Limits| match samskap_bundle::read_with(&src, &limits, &mut |_, _| {}) {
            Ok(_) => "read".to_owned(),
            Err(e) => e.to_string(),
        };
    assert_eq!(read_within(Limits::default()), "read");

    let packed = fs::metadata(&docx_path).unwrap().len();
    let message = read_within(Limits {
        archive: packed - 1,
        ..Limits::default()
    });
    assert!(
        message.starts_with(&format!(
            "transcripts/I2.docx: is larger than {} bytes, the limit for a zip archive",
            packed - 1
        )),
        "{message}"
    );

    let mut limits = Limits::default();
    limits.unpacked.max_entry_bytes = 100;
    let message = read_within(limits);
    assert!(
        message.starts_with(
            "transcripts/I2.docx: archive entry `word/document.xml` unpacks to more than 100 bytes (limit per entry)"
        ),
        "{message}"
    );

    let mut limits = Limits::default();
    limits.unpacked.max_entries = 1;
    let message = read_within(limits);
    assert!(
        message.starts_with(
            "transcripts/I2.docx: the archive has 2 entries, more than the limit of 1"
        ),
        "{message}"
    );

    let mut limits = Limits::default();
    limits.unpacked.max_ratio = 1;
    limits.unpacked.ratio_floor = 0;
    let message = read_within(limits);
    assert!(
        message.contains("unpacks to over 1 times its packed size"),
        "{message}"
    );
}

#[test]
fn a_docx_with_two_document_parts_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("bundle");
    copy_bundle(&fixture("mini"), &src);
    let i2 = fs::read_to_string(src.join("transcripts/I2.txt")).unwrap();
    fs::remove_file(src.join("transcripts/I2.txt")).unwrap();
    let lines: Vec<&str> = i2.strip_suffix('\n').unwrap_or(&i2).split('\n').collect();
    let path = src.join("transcripts/I2.docx");
    docx(&path, &lines);
    // A second `word/document.xml` after the first, which a reader that keeps one entry per
    // name would take. The zip writer will not write a name twice, so it is written under a
    // stand-in of the same length and renamed in the bytes.
    let standin: &[u8] = b"word/documenX.xml";
    {
        use std::io::Write;
        let file = fs::File::options()
            .read(true)
            .write(true)
            .open(&path)
            .unwrap();
        let mut zip = zip::ZipWriter::new_append(file).unwrap();
        zip.start_file(
            std::str::from_utf8(standin).unwrap(),
            zip::write::SimpleFileOptions::default(),
        )
        .unwrap();
        zip.write_all(b"<w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:body><w:p><w:r><w:t>annen tekst</w:t></w:r></w:p></w:body></w:document>").unwrap();
        zip.finish().unwrap();
    }
    let mut bytes = fs::read(&path).unwrap();
    let mut at = 0;
    while let Some(i) = bytes[at..]
        .windows(standin.len())
        .position(|w| w == standin)
    {
        bytes[at + i..at + i + standin.len()].copy_from_slice(b"word/document.xml");
        at += i + standin.len();
    }
    fs::write(&path, bytes).unwrap();
    let message = read(&src).unwrap_err().to_string();
    assert!(
        message.starts_with("transcripts/I2.docx: archive entry `word/document.xml` appears twice"),
        "{message}"
    );
}

#[test]
fn overwrite_keeps_files_that_are_not_the_bundles() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("export");
    let study = read(&fixture("mini")).unwrap();
    export(&study, &out, WriteMode::New).unwrap();
    fs::write(out.join("README.md"), "Om studien.\n").unwrap();
    fs::create_dir(out.join(".git")).unwrap();
    fs::write(out.join(".git/HEAD"), "ref: refs/heads/main\n").unwrap();
    export(&study, &out, WriteMode::Overwrite).unwrap();
    let mut expected: BTreeSet<String> = translated(&fixture("mini")).into_keys().collect();
    expected.insert("README.md".into());
    expected.insert(".git/HEAD".into());
    assert_eq!(all_files(&out), expected, "nothing else is left behind");
}

/// An export over a bundle whose `sources` or `transcripts` is a link: the link is replaced
/// (or removed), and what it points at is left alone.
#[cfg(unix)]
#[test]
fn overwrite_replaces_a_linked_texts_directory_without_touching_its_target() {
    for folder in ["sources", "transcripts"] {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("export");
        let study = read(&fixture("mini")).unwrap();
        export(&study, &out, WriteMode::New).unwrap();
        let elsewhere = tmp.path().join("elsewhere");
        fs::create_dir(&elsewhere).unwrap();
        fs::write(elsewhere.join("I1.txt"), "someone else's file\n").unwrap();
        if out.join(folder).exists() {
            fs::remove_dir_all(out.join(folder)).unwrap();
        }
        std::os::unix::fs::symlink(&elsewhere, out.join(folder)).unwrap();
        export(&study, &out, WriteMode::Overwrite).unwrap();
        assert_eq!(
            fs::read_to_string(elsewhere.join("I1.txt")).unwrap(),
            "someone else's file\n"
        );
        assert!(!fs::symlink_metadata(out.join("sources"))
            .unwrap()
            .file_type()
            .is_symlink());
        assert_files(&translated(&fixture("mini")), &out);
    }
}

/// A bundle written in the first formats (a two-level framework with `label_no`/`label_en`,
/// eight columns in `codings.csv`) still reads, as the same study as today's form of it.
#[test]
fn a_bundle_in_the_first_formats_reads_as_the_same_study() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures");
    let old = read(&root.join("compat/mini-v1")).unwrap();
    let now = read(&root.join("mini")).unwrap();
    // The first formats had no `provenance`: an old bundle reads as research data, and
    // today's mini says it is illustrative. Everything else is the same.
    assert_eq!(old.meta().provenance, samskap_core::Provenance::Research);
    assert_eq!(
        now.meta().provenance,
        samskap_core::Provenance::Illustrative
    );
    let mut now = serde_json::to_value(&now).unwrap();
    now["meta"].as_object_mut().unwrap().remove("provenance");
    // Today's mini has four assessments more, of what the first formats could not say
    // (ladder ranges, actors, several logics, facts as evidence); the first four read the
    // same from either.
    let assessments = now["facilitation"]["assessments"].as_array_mut().unwrap();
    assert_eq!(assessments.len(), 8);
    assessments.truncate(4);
    assert_eq!(serde_json::to_value(&old).unwrap(), now);
}

/// Qualifier values: only where the framework declares them, in their set, required ones
/// given; polarity has its column and the others the last.
#[test]
fn qualifier_values_are_checked_against_the_framework() {
    let root = fixture("thematic");
    let cases = [
        (
            "school/belonging,,A,,level=group",
            "school/belonging,,A,,level=class",
            "codings.csv:3: field `qualifiers`: `class` is not a value of qualifier `level`: use one of `individual`, `group`, `organisation`",
        ),
        (
            "home,,A,,\nE2",
            "home,,A,,level=group\nE2",
            "codings.csv:4: field `qualifiers`: code `home` takes no qualifier `level` (it takes none)",
        ),
        (
            "school/belonging,,A,,level=group",
            "school/belonging,barrier,A,,level=group",
            "codings.csv:3: field `polarity`: code `school/belonging` takes no qualifier `polarity` (it takes `level`)",
        ),
        (
            "school/belonging,,A,,level=group",
            "school/belonging,,A,,polarity=barrier",
            "codings.csv:3: field `qualifiers`: write polarity in the `polarity` column, not here",
        ),
        (
            "school/belonging,,A,,level=group",
            "school/belonging,,A,,level=group;level=individual",
            "codings.csv:3: field `qualifiers`: duplicate qualifier id `level`",
        ),
        (
            "school/belonging,,A,,level=group",
            "school/belonging,,A,,level",
            "codings.csv:3: field `qualifiers`: `level` is not qualifier=value: write values as `level=group;polarity=barrier`",
        ),
    ];
    each_edit_fails(&root, "codings.csv", &cases);
}

/// Custom attributes: declared once in `study.toml`, every value checked against its
/// declaration, and each refusal names the line and the attribute.
#[test]
fn attribute_values_are_checked_against_their_declaration() {
    let root = fixture("thematic");
    let cases = [
        (
            "grade = 9\n",
            "grade = \"niende\"\n",
            "study.toml:55: attribute `grade` of informant `E1`: `niende` is not a number value",
        ),
        (
            "[informant.attributes]\ngrade = 9\n",
            "[informant.attributes] # E1\n\"grade\" = \"niende\"\n",
            "study.toml:55: attribute `grade` of informant `E1`: `niende` is not a number value",
        ),
        (
            "consent = \"given\"\n\n[informant.attributes]\ngrade = 10\n",
            "consent = \"given\"\nattributes.grade = true\n",
            "study.toml:63: attribute `grade` of informant `E2`: `true` is not a number value",
        ),
        (
            "grade = 10\n",
            "grade = 10\nshoe_size = 38\n",
            "study.toml:66: informant `E2` has a value of attribute `shoe_size`, which the study does not declare",
        ),
        (
            "weekly = true\n",
            "weekly = \"yes\"\n",
            "study.toml:46: attribute `weekly` of group `G1`: `yes` is not a boolean value",
        ),
        (
            "started = \"2023-08-21\"\n",
            "started = \"21.08.2023\"\n",
            "study.toml:45: attribute `started` of group `G1`: `21.08.2023` is not a date value: write a day as YYYY-MM-DD",
        ),
        (
            "school = \"ungdomsskole\"\n\n[[informant]]",
            "school = \"grunnskole\"\n\n[[informant]]",
            "study.toml:56: attribute `school` of informant `E1`: `grunnskole` is not one of `ungdomsskole`, `videregående`",
        ),
        (
            "grade = 10\n",
            "grade = 10\nweekly = false\n",
            "study.toml:66: attribute `weekly` of informant `E2`: the study declares it for groups only",
        ),
        (
            "type = \"number\"",
            "type = \"integer\"",
            "study.toml:12: field `type`: attribute `grade`: attribute type `integer` is not one of `text`, `number`, `date`, `boolean`, `one-of`",
        ),
        (
            "values = [\"ungdomsskole\", \"videregående\"]",
            "values = [\"ungdomsskole\", \"ungdomsskole\"]",
            "study.toml:19: field `values`: attribute `school`: the `one-of` value `ungdomsskole` is listed twice",
        ),
        (
            "for = [\"group\"]\n\n[[attribute]]\nid = \"weekly\"",
            "for = []\n\n[[attribute]]\nid = \"weekly\"",
            "study.toml:25: field `for`: attribute `started`: it says nothing may hold it: give `for`, some of `informant`, `member`, `group`, `source`",
        ),
        (
            "id = \"E2\"\nrole = \"participant\"\ngroup = \"G1\"\nconsent = \"given\"",
            "id = \"E2\"\nconsent = \"withdrawn\"",
            "study.toml:58: field `attributes`: informant `E2` has withdrawn: remove `attributes`, a withdrawn informant keeps no personal data",
        ),
    ];
    each_edit_fails(&root, "study.toml", &cases);
}

/// For each case `(old, new, message)`: the bundle at `root` with the first `old` in `file`
/// replaced by `new` fails to read with `message`.
fn each_edit_fails(root: &Path, file: &str, cases: &[(&str, &str, &str)]) {
    let canonical = fs::read_to_string(root.join(file)).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    for (i, (old, new, expected)) in cases.iter().enumerate() {
        assert!(
            canonical.contains(old),
            "case {i}: {old:?} is not in the file"
        );
        let dir = tmp.path().join(i.to_string());
        copy_bundle(root, &dir);
        fs::write(dir.join(file), canonical.replacen(old, new, 1)).unwrap();
        let message = read(&dir).map(|_| ()).unwrap_err().to_string();
        assert_eq!(&message, *expected, "case {i}");
    }
}

#[test]
fn a_framework_file_that_is_not_there_is_a_fault_of_study_toml() {
    let dir = tempfile::tempdir().unwrap();
    copy_bundle(&fixture("mini"), dir.path());
    let toml = fs::read_to_string(dir.path().join("study.toml")).unwrap();
    fs::write(
        dir.path().join("study.toml"),
        toml.replace(
            "framework = \"framework.toml\"",
            "framework = \"framewArk.toml\"",
        ),
    )
    .unwrap();
    assert_eq!(
        read(dir.path()).unwrap_err().to_string(),
        "study.toml:8: field `framework`: the bundle has no framework file `framewArk.toml`"
    );
}

#[test]
fn the_thesis_bundle_holds_only_what_the_thesis_published() {
    use samskap_core::{Provenance, SourceKind};
    let thesis = read(&fixture("ung-inkludering")).unwrap();
    assert_eq!(thesis.meta().provenance, Provenance::Research);
    // The 47 chapter-4 quotes as one published document: no quote tied to a person.
    let [source] = thesis.sources() else {
        panic!("one source")
    };
    assert_eq!(source.kind, SourceKind::Document);
    assert!(source.informants.is_empty() && source.speakers.is_empty());
    assert_eq!(thesis.units().len(), 47);
    let mut voices = Vec::new();
    for c in thesis.codings() {
        thesis.unit_voices(c.unit, &mut voices);
        assert!(voices.is_empty());
    }
    // Placed by the thesis alone; no interview day beyond what it states.
    assert!(thesis
        .codings()
        .iter()
        .all(|c| c.coder.as_str() == "thesis"));
    assert!(thesis.informants().iter().all(|i| i
        .details
        .as_ref()
        .is_some_and(|d| d.interview_date.is_none())));
    assert_eq!(
        thesis.facilitation(),
        &samskap_core::facilitation::Facilitation::new()
    );
    assert!(thesis.members().is_empty());

    // The illustration says so, and stands beside no real service.
    let demo = read(&fixture("ung-inkludering-demo")).unwrap();
    assert_eq!(demo.meta().provenance, Provenance::Illustrative);
    let real = ["NAV", "SLT", "Rask", "Familiens hus", "ressursgruppene"];
    for i in demo.informants() {
        let d = i.details.as_ref().unwrap();
        let text = format!("{:?} {:?}", d.workplace, d.position);
        assert!(!real.iter().any(|r| text.contains(r)), "{}: {text}", i.id);
    }
}

/// A bundle `samskap export` wrote at schema 20 still reads, as the same study as the demo
/// it was exported from.
#[test]
fn a_bundle_exported_at_schema_20_reads_as_the_study_it_was_exported_from() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures");
    let exported = read(&root.join("compat/demo-export-20")).unwrap();
    let demo = read(&root.join("ung-inkludering-demo")).unwrap();
    assert_eq!(
        serde_json::to_value(&exported).unwrap(),
        serde_json::to_value(&demo).unwrap()
    );
}
