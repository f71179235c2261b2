//! End-to-end tests of the `samskap` binary over the fixtures: import, export, queries,
//! errors that change nothing, withdrawal, and the report.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

mod common;

use common::{docx_part, fixtures, thesis, xml_text, Env};

/// Every file below `dir`, by relative path.
fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
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
    walk(dir, dir, &mut out);
    out
}

/// The files of the first-layout bundle `dir` (all but its README) as an export writes
/// them in the new layout: each `transcripts/<informant>.txt` becomes
/// `sources/<informant>.txt` and a `[[source]]` interview after the informants, in their
/// order; the first column of `codings.csv` and the key of evidence become `source`.
/// Nothing else changes.
fn translated(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let study = samskap_bundle::read(dir).unwrap();
    let text = |bytes: Vec<u8>| String::from_utf8(bytes).unwrap();
    let mut out = BTreeMap::new();
    for (rel, bytes) in files(dir) {
        let (rel, bytes) = match rel.as_str() {
            "README.md" => continue,
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
    assert!(
        out.keys().any(|f| f.starts_with("sources/")),
        "{} is of the first layout",
        dir.display()
    );
    out
}

/// Asserts that the bundle in `dir` is exactly `expected`: the same files with the same
/// bytes, compared as text so that a failure shows the lines that differ.
fn assert_files(expected: &BTreeMap<String, Vec<u8>>, dir: &Path) {
    let actual = files(dir);
    assert_eq!(
        actual.keys().collect::<Vec<_>>(),
        expected.keys().collect::<Vec<_>>(),
        "{} has other files",
        dir.display()
    );
    for (rel, bytes) in expected {
        if actual[rel] != *bytes {
            assert_eq!(
                String::from_utf8_lossy(&actual[rel]),
                String::from_utf8_lossy(bytes),
                "{rel} differs"
            );
            panic!("{rel}: the bytes differ (but not as text)");
        }
    }
}

/// The store's content as the CLI sees it: the exported bundle plus the summary.
fn state(env: &Env) -> (BTreeMap<String, Vec<u8>>, String) {
    let out = env.path("state-export");
    let _ = std::fs::remove_dir_all(&out);
    env.ok(&["export", out.to_str().unwrap()]);
    let exported = files(&out);
    std::fs::remove_dir_all(&out).unwrap();
    (exported, env.ok(&["study", "show", "--json"]))
}

#[test]
fn import_then_export_reproduces_the_fixture() {
    let env = Env::new();
    env.import_thesis();
    env.ok(&["export", "out"]);
    // The export is of the new layout: the fixture, translated.
    assert_files(&translated(&thesis()), &env.path("out"));
    // And it imports as the same study: a second round gives the same bytes.
    let again = Env::new();
    again.ok(&["import", env.path("out").to_str().unwrap()]);
    again.ok(&["export", "out"]);
    assert_files(&files(&env.path("out")), &again.path("out"));
}

#[test]
fn exporting_into_a_non_empty_directory_needs_force() {
    let env = Env::new();
    env.import_thesis();
    env.ok(&["export", "out"]);
    let err = env.fails(&["export", "out"]);
    assert!(err.contains("--force"), "{err}");
    env.ok(&["export", "out", "--force"]);
    // Over a bundle of the first layout, --force leaves the new layout, with no
    // `transcripts/` beside `sources/`, and keeps what is not part of a bundle.
    let old = env.path("old");
    copy_bundle(&thesis(), &old);
    std::fs::write(old.join("README.md"), "Not part of the bundle.\n").unwrap();
    env.ok(&["export", "old", "--force"]);
    let mut expected = translated(&thesis());
    expected.insert("README.md".into(), b"Not part of the bundle.\n".to_vec());
    assert_files(&expected, &old);
}

#[test]
fn every_broken_bundle_is_refused_and_changes_nothing() {
    let env = Env::new();
    env.import_thesis();
    let before = state(&env);
    let cases: Vec<PathBuf> = std::fs::read_dir(fixtures().join("err"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert!(cases.len() >= 10, "error cases are missing");
    for case in cases {
        for extra in [&[][..], &["--replace"][..]] {
            let mut args = vec!["import", case.to_str().unwrap()];
            args.extend_from_slice(extra);
            let err = env.fails(&args);
            assert!(err.starts_with("error: "), "{err}");
            assert!(
                err.contains(case.file_name().unwrap().to_str().unwrap()),
                "the message names the bundle: {err}"
            );
            assert_eq!(state(&env), before, "{case:?} changed the store");
        }
    }
    // A valid bundle for a study that exists already is refused too, without change.
    let err = env.fails(&["import", thesis().to_str().unwrap()]);
    assert!(err.contains("--replace"), "{err}");
    assert_eq!(state(&env), before);
}

#[test]
fn the_store_can_be_chosen_before_or_after_the_subcommand_or_by_environment() {
    let env = Env::new();
    let bin = env!("CARGO_BIN_EXE_samskap");
    let db = env.path("elsewhere.db");
    let run = |args: &[&str], var: Option<&Path>| {
        let mut c = Command::new(bin);
        c.current_dir(env.dir.path())
            .env_remove("SAMSKAP_DB")
            .args(args);
        if let Some(v) = var {
            c.env("SAMSKAP_DB", v);
        }
        c.output().unwrap()
    };
    let thesis = thesis();
    let out = run(
        &[
            "import",
            thesis.to_str().unwrap(),
            "--db",
            db.to_str().unwrap(),
        ],
        None,
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(db.exists());
    assert!(!env.path("samskap.db").exists());
    let out = run(&["informants"], Some(&db));
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("I6"));
    // Without --db or SAMSKAP_DB the default is ./samskap.db, which does not exist here.
    let out = run(&["informants"], None);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("samskap.db"));
    assert!(
        !env.path("samskap.db").exists(),
        "reading never creates a store"
    );
}

#[test]
fn init_creates_then_reports_ready() {
    let env = Env::new();
    assert!(env.ok(&["init"]).starts_with("created"));
    assert!(env.ok(&["init"]).starts_with("ready"));
    let err = env.fails(&["study", "show"]);
    assert!(err.contains("no study"), "{err}");
}

#[test]
fn usage_errors_exit_with_2() {
    let env = Env::new();
    assert_eq!(
        env.run(&["matrix", "--by", "nothing"]).status.code(),
        Some(2)
    );
    assert_eq!(env.run(&["no-such-command"]).status.code(), Some(2));
}

#[test]
fn queries_over_the_fixture() {
    let env = Env::new();
    env.import_thesis();
    let matrix = env.ok(&["matrix", "--by", "category", "--coder", "A"]);
    insta::assert_snapshot!("matrix_by_category_coder_a", matrix);
    let quotes = env.ok(&[
        "quotes",
        "--json",
        "--subtheme",
        "resources/time-people-money",
        "--coder",
        "B",
    ]);
    insta::assert_snapshot!("quotes_time_coder_b", quotes);
    let framework = env.ok(&["framework", "show"]);
    insta::assert_snapshot!("framework_show", framework);
    let informants: serde_json::Value =
        serde_json::from_str(&env.ok(&["informants", "--json"])).unwrap();
    assert_eq!(informants.as_array().unwrap().len(), 6);
    assert_eq!(informants[5]["role"], "facilitator");
}

#[test]
fn quote_filters_combine() {
    let env = Env::new();
    env.import_thesis();
    let all: serde_json::Value = serde_json::from_str(&env.ok(&["quotes", "--json"])).unwrap();
    let filtered: serde_json::Value = serde_json::from_str(&env.ok(&[
        "quotes",
        "--json",
        "--category",
        "structure",
        "--polarity",
        "barrier",
        "--group",
        "G1",
        "--coder",
        "A",
    ]))
    .unwrap();
    let all = all.as_array().unwrap();
    let filtered = filtered.as_array().unwrap();
    assert!(!filtered.is_empty() && filtered.len() < all.len());
    let expected = all
        .iter()
        .filter(|q| {
            q["code"].as_str().unwrap().starts_with("structure/")
                && q["qualifiers"]["polarity"] == "barrier"
                && q["group"] == "G1"
                && q["coder"] == "A"
        })
        .count();
    assert_eq!(filtered.len(), expected);
}

#[test]
fn unknown_filter_values_are_named() {
    let env = Env::new();
    env.import_thesis();
    // `--subtheme` is the old name of `--code`; the message names the flag's current name.
    let err = env.fails(&["quotes", "--subtheme", "culture/nope"]);
    assert!(
        err.contains("--code") && err.contains("culture/nope"),
        "{err}"
    );
    let err = env.fails(&["matrix", "--group", "G9"]);
    assert!(err.contains("G9"), "{err}");
    let err = env.misused(&["quotes", "--polarity", "maybe"]);
    assert!(err.contains("maybe"), "{err}");
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

#[test]
fn withdrawal_removes_the_informant_from_store_export_and_report() {
    let env = Env::new();
    env.import_thesis();
    let i3 = std::fs::read_to_string(thesis().join("transcripts/I3.txt")).unwrap();
    let passages: Vec<&str> = i3.lines().filter(|l| l.len() > 40).collect();
    assert!(!passages.is_empty());

    // Before: the report quotes I3 (so the checks below can fail).
    env.ok(&["report", "--out", "before"]);
    let before = std::fs::read_to_string(env.path("before/report.md")).unwrap();
    assert!(passages.iter().any(|p| before.contains(p)));
    let before = docx_part(&env.path("before/report.docx"), "word/document.xml").unwrap();
    assert!(passages.iter().any(|p| before.contains(&xml_text(p))));

    // Without a terminal to ask on, and without --yes, nothing happens (a usage error).
    let unasked = state(&env);
    let refused = env.run(&["informant", "withdraw", "I3"]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(refused.stdout.is_empty());
    let err = String::from_utf8(refused.stderr).unwrap();
    assert!(
        err.contains("--yes") && err.contains("nothing changed"),
        "{err}"
    );
    assert_eq!(state(&env), unasked);

    let said = env.ok(&["informant", "withdraw", "I3", "--yes"]);
    assert!(said.contains("withdrew informant `I3`"), "{said}");
    assert!(said.contains("meaning units"), "{said}");

    for f in ["samskap.db", "samskap.db-wal"] {
        if let Ok(bytes) = std::fs::read(env.path(f)) {
            for p in &passages {
                assert!(!contains(&bytes, p), "{f} still holds: {p}");
            }
        }
    }
    env.ok(&["export", "out"]);
    assert!(env.path("out/sources/I2.txt").exists());
    assert!(!env.path("out/sources/I3.txt").exists());
    let exported = files(&env.path("out"));
    for (name, bytes) in &exported {
        for p in &passages {
            assert!(!contains(bytes, p), "{name} still holds: {p}");
        }
    }
    let codings = String::from_utf8(exported["codings.csv"].clone()).unwrap();
    assert!(!codings.lines().any(|l| l.starts_with("I3,")));
    let study = String::from_utf8(exported["study.toml"].clone()).unwrap();
    assert!(
        study.contains("id = \"I3\"\nconsent = \"withdrawn\"\n"),
        "{study}"
    );
    // Their interview is gone with its text; the others' remain.
    assert!(
        study.contains("[[source]]\nid = \"I2\"\n")
            && !study.contains("[[source]]\nid = \"I3\"\n")
            && !study.contains("informants = [\"I3\"]"),
        "{study}"
    );

    env.ok(&["report", "--out", "after"]);
    for f in ["report.md", "report.html"] {
        let text = std::fs::read_to_string(env.path("after").join(f)).unwrap();
        for p in &passages {
            assert!(!text.contains(p), "{f} still quotes: {p}");
        }
    }
    let docx = docx_part(&env.path("after/report.docx"), "word/document.xml").unwrap();
    for p in &passages {
        assert!(
            !docx.contains(&xml_text(p)),
            "report.docx still quotes: {p}"
        );
    }
    // The withdrawn bundle imports again as it is.
    let again = Env::new();
    again.ok(&["import", env.path("out").to_str().unwrap()]);

    let err = env.fails(&["informant", "withdraw", "I99"]);
    assert!(err.contains("I99"), "{err}");

    // Again: nothing to confirm, nothing more to remove; the checkpoint runs again.
    let again = env.ok(&["informant", "withdraw", "I3"]);
    assert!(
        again.contains("informant `I3` is already withdrawn"),
        "{again}"
    );
    let json = env.json(&["informant", "withdraw", "I3"]);
    assert_eq!(json["already_withdrawn"], true);
    assert_eq!(json["removed"]["transcripts"], 0);
    assert_eq!(json["wal_cleared"], true);
}

#[test]
fn withdrawal_removes_a_coding_memo_on_another_informant_that_quotes_them() {
    let env = Env::new();
    env.import_thesis();
    // A coder's note on I1's words that quotes eight words of I3 (in other case and
    // punctuation): nothing of I3 survives an export after the withdrawal.
    let note = "Jf. I3: «Silo henger litt igjen, MEN VI ER PÅ VEI til å tenke»";
    env.ok(&[
        "code",
        "add",
        "--transcript",
        "I1",
        "--quote",
        "Du har jo ulike tradisjoner.",
        "--code",
        "culture/holistic-approach",
        "--polarity",
        "barrier",
        "--coder",
        "C",
        "--memo",
        note,
    ]);
    env.ok(&["export", "before"]);
    let before = std::fs::read_to_string(env.path("before/codings.csv")).unwrap();
    assert!(before.contains(note), "{before}");

    env.ok(&["informant", "withdraw", "I3", "--yes"]);
    env.ok(&["export", "after"]);
    let after = std::fs::read_to_string(env.path("after/codings.csv")).unwrap();
    assert!(!after.contains("Silo henger"), "{after}");
    // The coding itself stays: it is on I1's words.
    assert!(after
        .lines()
        .any(|l| l.starts_with("I1,,Du har jo ulike tradisjoner.,") && l.contains(",C,")));
}

#[test]
fn the_report_is_byte_identical_across_runs_and_stores() {
    let a = Env::new();
    a.import_thesis();
    a.ok(&["report", "--out", "r1"]);
    a.ok(&["report", "--out", "r2"]);
    let b = Env::new();
    b.import_thesis();
    b.ok(&["report", "--out", "r3"]);
    let r1 = files(&a.path("r1"));
    // The three renderings and each chart as its SVG.
    assert!(r1.len() > 3, "{:?}", r1.keys());
    assert!(r1.keys().filter(|k| k.ends_with(".svg")).count() == r1.len() - 3);
    assert_eq!(r1, files(&a.path("r2")));
    assert_eq!(r1, files(&b.path("r3")));
    // Paths as given on the command line (the binary runs in the scratch directory).
    let said = a.ok(&["report", "--out", "r5"]);
    assert_eq!(
        said,
        "wrote r5/report.md, r5/report.html and r5/report.docx, with 7 charts as SVG beside them (coder `A`)\n"
    );
    let json: serde_json::Value =
        serde_json::from_str(&a.ok(&["report", "--out", "r4", "--json", "--coder", "B"])).unwrap();
    assert_eq!(json["coder"], "B");
    let listed: Vec<&str> = json["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.as_str().unwrap())
        .collect();
    assert_eq!(
        listed[..3],
        ["r4/report.md", "r4/report.html", "r4/report.docx"]
    );
    // Then every chart, as written beside them.
    let written = files(&a.path("r4"));
    assert_eq!(listed.len(), written.len());
    assert!(listed[3..]
        .iter()
        .all(|f| f.ends_with(".svg") && written.contains_key(&f["r4/".len()..])));
    let err = a.fails(&["report", "--out", "r6", "--coder", "Z"]);
    assert!(err.contains("`Z`"), "{err}");
}

#[test]
fn the_report_is_written_in_the_language_asked_for() {
    let env = Env::new();
    env.import_thesis();
    env.ok(&["report", "--out", "nb", "--lang", "nb"]);
    let html = std::fs::read_to_string(env.path("nb/report.html")).unwrap();
    assert!(html.contains("<html lang=\"nb\">"), "{html}");
    assert!(html.contains("Tabell 1: Oversikt over informanter"));
    let md = std::fs::read_to_string(env.path("nb/report.md")).unwrap();
    assert!(!md.contains("Table 1"), "{md}");
    env.ok(&["report", "--out", "en"]);
    let html = std::fs::read_to_string(env.path("en/report.html")).unwrap();
    assert!(html.contains("<html lang=\"en\">"));
    // A study that names its language gets its report in it unless another is asked for.
    env.ok(&["import", fixtures().join("sources").to_str().unwrap()]);
    let said = env.json(&["--study", "kilder", "report", "--out", "kilder"]);
    assert_eq!(said["lang"], "nb");
    let md = std::fs::read_to_string(env.path("kilder/report.md")).unwrap();
    assert!(
        md.contains("## Tabell 1: Oversikt over informanter"),
        "{md}"
    );
    let said = env.json(&["--study", "kilder", "report", "--out", "k2", "--lang", "en"]);
    assert_eq!(said["lang"], "en");
    // A usage error, as clap exits with it.
    env.ok(&[
        "--study", "kilder", "report", "--out", "nb2", "--lang", "nb-NO",
    ]);
    let run = env.run(&["report", "--out", "x", "--lang", "sv"]);
    let err = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(2), "{err}");
    assert!(err.contains("`en` or `nb`, not `sv`"), "{err}");
    assert!(!env.path("x").exists());
}

/// The CLI builds a report from the study's record and its codings read as numbers, not
/// from the whole study: for every fixture study, the report from the store is the report of
/// the whole study read from its bundle.
#[test]
fn the_report_from_the_store_is_the_report_of_the_whole_study() {
    for name in ["ung-inkludering-demo", "mini", "thematic"] {
        let dir = fixtures().join(name);
        let env = Env::new();
        env.ok(&["import", dir.to_str().unwrap()]);
        env.ok(&["report", "--out", "r"]);
        let study = samskap_bundle::read(&dir).unwrap();
        let table = samskap_core::CodingTable::of(&study, None);
        let options = samskap_report::Options {
            coder: samskap_report::default_coder(&table).unwrap(),
            examples: 2,
            small_group: 3,
            attendance_threshold: 0.5,
            framework_version: Some(1),
            lang: samskap_report::Lang::En,
        };
        let whole = samskap_report::render(&samskap_report::build(&study, &table, &options));
        let from_store = std::fs::read_to_string(env.path("r/report.md")).unwrap();
        assert_eq!(from_store, whole.markdown, "{name}");
        let docx = std::fs::read(env.path("r/report.docx")).unwrap();
        assert!(docx == whole.docx, "{name}: report.docx differs");
    }
}

#[test]
fn a_store_from_a_newer_samskap_is_refused_with_a_clear_message() {
    let env = Env::new();
    env.ok(&["init"]);
    // Bump the schema version the way a newer samskap would (user_version lives at byte 60
    // of the SQLite header, big-endian).
    let mut bytes = std::fs::read(env.db()).unwrap();
    bytes[60..64].copy_from_slice(&999u32.to_be_bytes());
    std::fs::write(env.db(), bytes).unwrap();
    let err = env.fails(&["informants"]);
    assert!(err.contains("newer than this samskap"), "{err}");
}

fn agreement_file(name: &str) -> String {
    fixtures()
        .join("agreement")
        .join(name)
        .to_str()
        .unwrap()
        .to_owned()
}

#[test]
fn agreement_compute_prints_one_json_object() {
    let env = Env::new();
    let file = agreement_file("kripp2011_c_4coders_missing.csv");
    let out = env.ok(&[
        "agreement",
        "compute",
        &file,
        "--metric",
        "krippendorff_alpha",
        "--level",
        "interval",
        "--json",
    ]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["metric"], "krippendorff_alpha");
    assert_eq!(v["level"], "interval");
    assert!((v["value"].as_f64().unwrap() - 951.0 / 1120.0).abs() < 1e-12);
    assert_eq!(v["units"], 12);
    assert_eq!(v["coders"], 4);
    // Computing needs no store.
    assert!(!env.db().exists());
}

#[test]
fn agreement_compute_says_when_a_measure_is_undefined() {
    let env = Env::new();
    std::fs::write(env.path("same.csv"), "unit,A,B\n1,x,x\n2,x,x\n").unwrap();
    let out = env.ok(&[
        "agreement",
        "compute",
        "same.csv",
        "--metric",
        "krippendorff_alpha",
        "--json",
    ]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!(v["value"].is_null());
    assert!(v["reason"].as_str().unwrap().contains("no variation"));
    let table = env.ok(&[
        "agreement",
        "compute",
        "same.csv",
        "--metric",
        "cohen_kappa",
    ]);
    assert!(table.contains("undefined"), "{table}");
}

#[test]
fn agreement_compute_refuses_bad_input_clearly() {
    let env = Env::new();
    let file = agreement_file("kripp2011_c_4coders_missing.csv");
    let err = env.misused(&["agreement", "compute", &file, "--metric", "kappa"]);
    assert!(err.contains("`kappa` is not a metric"), "{err}");
    let err = env.fails(&["agreement", "compute", &file, "--metric", "cohen_kappa"]);
    assert!(err.contains("exactly two coders"), "{err}");
    std::fs::write(env.path("labels.csv"), "unit,A,B\n1,low,high\n2,mid,mid\n").unwrap();
    let err = env.fails(&[
        "agreement",
        "compute",
        "labels.csv",
        "--metric",
        "krippendorff_alpha",
        "--level",
        "ordinal",
    ]);
    assert!(err.contains("--order"), "{err}");
    env.ok(&[
        "agreement",
        "compute",
        "labels.csv",
        "--metric",
        "krippendorff_alpha",
        "--level",
        "ordinal",
        "--order",
        "low,mid,high",
    ]);
    std::fs::write(env.path("dup.csv"), "unit,A,B\n1,a,a\n1,a,b\n").unwrap();
    let err = env.fails(&["agreement", "compute", "dup.csv", "--metric", "scott_pi"]);
    assert!(err.contains("dup.csv") && err.contains("line 3"), "{err}");
    let err = env.fails(&[
        "agreement",
        "compute",
        "nothing.csv",
        "--metric",
        "scott_pi",
    ]);
    assert!(err.contains("nothing.csv"), "{err}");
}

#[test]
fn agreement_between_the_fixture_coders() {
    let env = Env::new();
    env.import_thesis();
    let table = env.ok(&["agreement"]);
    insta::assert_snapshot!("agreement_a_b", table);
    let json: serde_json::Value = serde_json::from_str(&env.ok(&["agreement", "--json"])).unwrap();
    assert_eq!(json["coders"], serde_json::json!(["A", "B"]));
    let overall = &json["overall"]["units"];
    let alpha = overall["krippendorff_alpha"]["value"].as_f64().unwrap();
    assert!(alpha > 0.5 && alpha < 1.0, "{alpha}");
    let loose: serde_json::Value =
        serde_json::from_str(&env.ok(&["agreement", "--json", "--ignore-polarity"])).unwrap();
    let loose_alpha = loose["overall"]["units"]["krippendorff_alpha"]["value"]
        .as_f64()
        .unwrap();
    assert!(
        loose_alpha > alpha,
        "ignoring polarity removes the polarity disagreements"
    );
    let disagreements = env.ok(&["agreement", "disagreements", "--json"]);
    insta::assert_snapshot!("disagreements_a_b", disagreements);
    // The table names each unit's source first.
    let table = env.ok(&["agreement", "disagreements"]);
    let header: Vec<&str> = table
        .lines()
        .nth(1)
        .unwrap()
        .split(['│', '┆'])
        .map(str::trim)
        .collect();
    assert_eq!(header[..3], ["", "source", "unit"], "{table}");
    let err = env.fails(&["agreement", "--coders", "A"]);
    assert!(err.contains("two or more coders"), "{err}");
    let err = env.fails(&["agreement", "--coders", "A,Z"]);
    assert!(err.contains("`Z`"), "{err}");
}

#[test]
fn reconciliation_records_consensus_codings_that_the_report_uses() {
    let env = Env::new();
    env.import_thesis();
    let n: serde_json::Value =
        serde_json::from_str(&env.ok(&["agreement", "disagreements", "--json"])).unwrap();
    let differing = n.as_array().unwrap().len();
    assert!(differing > 0);
    let first: serde_json::Value =
        serde_json::from_str(&env.ok(&["code", "reconcile", "--json"])).unwrap();
    assert_eq!(first["unresolved_units"], differing);
    let again: serde_json::Value =
        serde_json::from_str(&env.ok(&["code", "reconcile", "--json"])).unwrap();
    assert_eq!(again["added"], 0, "reconciling twice adds nothing");
    let preferred: serde_json::Value =
        serde_json::from_str(&env.ok(&["code", "reconcile", "--prefer", "A", "--json"])).unwrap();
    assert_eq!(preferred["unresolved_units"], 0);
    // Consensus now equals A: perfect agreement between them.
    let a_c: serde_json::Value =
        serde_json::from_str(&env.ok(&["agreement", "--coders", "A,consensus", "--json"])).unwrap();
    assert_eq!(a_c["overall"]["units"]["percent_agreement"]["value"], 1.0);
    // Default agreement leaves the consensus coder out; the report uses it.
    let default: serde_json::Value =
        serde_json::from_str(&env.ok(&["agreement", "--json"])).unwrap();
    assert_eq!(default["coders"], serde_json::json!(["A", "B"]));
    let report: serde_json::Value =
        serde_json::from_str(&env.ok(&["report", "--out", "r", "--json"])).unwrap();
    assert_eq!(report["coder"], "consensus");
}

#[test]
fn codings_and_memos_from_the_command_line() {
    let env = Env::new();
    env.import_thesis();
    let unit = [
        "--transcript",
        "I2",
        "--quote",
        "Så det er et stort prosjekt.",
    ];
    let coding = [
        "--code",
        "resources/time-people-money",
        "--polarity",
        "barrier",
        "--coder",
        "C",
    ];
    let mut add = vec!["code", "add"];
    add.extend(unit);
    add.extend(coding);
    add.extend(["--memo", "kort"]);
    let said = env.ok(&add);
    assert!(said.starts_with("coded I2 "), "{said}");
    let err = env.fails(&add);
    assert!(err.contains("already coded"), "{err}");
    let listed: serde_json::Value =
        serde_json::from_str(&env.ok(&["code", "list", "--coder", "C", "--json"])).unwrap();
    assert_eq!(listed.as_array().unwrap().len(), 1);
    assert_eq!(listed[0]["memo"], "kort");
    assert_eq!(listed[0]["text"], "Så det er et stort prosjekt.");

    let mut bad = vec![
        "code",
        "add",
        "--transcript",
        "I2",
        "--quote",
        "finnes ikke",
    ];
    bad.extend(coding);
    let err = env.fails(&bad);
    assert!(
        err.contains("--quote") && err.contains("not found"),
        "{err}"
    );
    let mut bad = vec!["code", "add"];
    bad.extend(unit);
    bad.extend([
        "--code",
        "culture/nope",
        "--polarity",
        "barrier",
        "--coder",
        "C",
    ]);
    let err = env.fails(&bad);
    assert!(err.contains("culture/nope"), "{err}");

    let mut remove = vec!["code", "remove"];
    remove.extend(unit);
    remove.extend(coding);
    env.ok(&remove);
    let err = env.fails(&remove);
    assert!(err.contains("no coding"), "{err}");
    let listed: serde_json::Value =
        serde_json::from_str(&env.ok(&["code", "list", "--coder", "C", "--json"])).unwrap();
    assert!(listed.as_array().unwrap().is_empty());
    // The export is as before: the unit that only C coded is gone with its coding.
    env.ok(&["export", "out"]);
    assert_files(&translated(&thesis()), &env.path("out"));

    env.ok(&[
        "memo",
        "add",
        "--code",
        "structure/infrastructure",
        "--author",
        "B",
        "--text",
        "Ny oppsummering.",
    ]);
    let err = env.fails(&[
        "memo",
        "add",
        "--code",
        "structure/x",
        "--author",
        "B",
        "--text",
        "t",
    ]);
    assert!(err.contains("structure/x"), "{err}");
    env.ok(&["export", "out2"]);
    let memos = std::fs::read_to_string(env.path("out2/memos.toml")).unwrap();
    assert!(memos.contains("Ny oppsummering."));
}

#[test]
fn quotes_filter_by_role_and_text() {
    let env = Env::new();
    env.import_thesis();
    let facilitator: serde_json::Value = serde_json::from_str(&env.ok(&[
        "quotes",
        "--role",
        "facilitator",
        "--coder",
        "A",
        "--json",
    ]))
    .unwrap();
    let facilitator = facilitator.as_array().unwrap();
    assert!(!facilitator.is_empty());
    assert!(facilitator
        .iter()
        .all(|q| q["source"] == "I6" && q["informants"] == serde_json::json!(["I6"])));
    let found: serde_json::Value =
        serde_json::from_str(&env.ok(&["quotes", "--text", "GOLFKLUBBEN", "--json"])).unwrap();
    assert!(found.as_array().unwrap().iter().all(|q| q["text"]
        .as_str()
        .unwrap()
        .to_lowercase()
        .contains("golfklubben")));
    // The counting commands read a table of numbers from the store, but with `--text` the
    // words: they count exactly the units the quotes list.
    let units: std::collections::BTreeSet<(String, u64)> = found
        .as_array()
        .unwrap()
        .iter()
        .map(|q| {
            (
                q["source"].as_str().unwrap().to_owned(),
                q["start"].as_u64().unwrap(),
            )
        })
        .collect();
    assert!(!units.is_empty());
    let m: serde_json::Value = serde_json::from_str(&env.ok(&[
        "matrix",
        "--by",
        "top",
        "--split",
        "none",
        "--text",
        "golfklubben",
        "--json",
    ]))
    .unwrap();
    let counted: u64 = m["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            r["counts"].as_array().unwrap().last().unwrap()["units"]
                .as_u64()
                .unwrap()
        })
        .sum();
    assert!(counted >= units.len() as u64 && counted > 0, "{m}");
    let all: serde_json::Value =
        serde_json::from_str(&env.ok(&["matrix", "--by", "top", "--split", "none", "--json"]))
            .unwrap();
    assert_ne!(m, all);
    let steps: serde_json::Value =
        serde_json::from_str(&env.ok(&["saturation", "--text", "golfklubben", "--json"])).unwrap();
    // Whose words the quotes hold.
    let speakers: std::collections::BTreeSet<&str> = found
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|q| q["informants"].as_array().unwrap())
        .map(|i| i.as_str().unwrap())
        .collect();
    assert!(!speakers.is_empty());
    let stepped: std::collections::BTreeSet<&str> = steps
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["informant"].as_str().unwrap())
        .collect();
    assert_eq!(stepped, speakers);
    let err = env.fails(&["quotes", "--role", "boss"]);
    assert!(err.contains("boss"), "{err}");
}

#[test]
fn frameworks_import_and_update_without_orphaning_codings() {
    let env = Env::new();
    env.import_thesis();
    let mini = fixtures().join("mini/framework.toml");
    let said = env.ok(&["framework", "import", mini.to_str().unwrap()]);
    assert!(said.contains("added"), "{said}");
    let said = env.ok(&["framework", "import", mini.to_str().unwrap()]);
    assert!(said.contains("unchanged"), "{said}");
    let list = env.ok(&["framework", "list"]);
    assert!(
        list.contains("mini-samarbeid") && list.contains("bentzen-2018"),
        "{list}"
    );

    // Bentzen without `resources/time-people-money`, which codings use: refused.
    env.ok(&["framework", "show", "bentzen-2018", "--json"]);
    let builtin = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../core/frameworks/bentzen-2018.toml"),
    )
    .unwrap();
    let start = builtin.find("[[code]]\nid = \"resources\"").unwrap();
    let end = start
        + builtin[start..]
            .find("[[code]]\nid = \"communication\"")
            .unwrap();
    let without = format!("{}{}", &builtin[..start], &builtin[end..]);
    std::fs::write(env.path("without.toml"), without).unwrap();
    let err = env.fails(&["framework", "import", "without.toml"]);
    assert!(err.contains("resources/time-people-money"), "{err}");

    // A relabelled Bentzen is fine, and the study's codings stay.
    let relabelled = builtin.replace("en = \"Culture\" }", "en = \"Culture (ed.)\" }");
    std::fs::write(env.path("relabelled.toml"), relabelled).unwrap();
    let said = env.ok(&["framework", "import", "relabelled.toml"]);
    assert!(said.contains("updated"), "{said}");
    let shown = env.ok(&["framework", "show"]);
    assert!(shown.contains("Culture (ed.)"), "{shown}");
    let quotes: serde_json::Value = serde_json::from_str(&env.ok(&["quotes", "--json"])).unwrap();
    assert_eq!(quotes.as_array().unwrap().len(), 110);
}

#[test]
fn two_dimension_matrix_cooccurrence_and_saturation_over_the_fixture() {
    let env = Env::new();
    env.import_thesis();
    insta::assert_snapshot!(
        "matrix_informant_by_coder",
        env.ok(&["matrix", "--rows", "informant", "--cols", "coder"])
    );
    insta::assert_snapshot!(
        "matrix_polarity_by_group_coder_a",
        env.ok(&["matrix", "--rows", "polarity", "--cols", "group", "--coder", "A", "--json"])
    );
    insta::assert_snapshot!("cooccur_coder_a", env.ok(&["cooccur", "--coder", "A"]));
    insta::assert_snapshot!(
        "saturation_coder_a",
        env.ok(&["saturation", "--coder", "A", "--json"])
    );
    let err = env.fails(&["matrix", "--rows", "coder", "--cols", "coder"]);
    assert!(err.contains("differ"), "{err}");
    let err = env.fails(&["matrix", "--rows", "mood", "--cols", "coder"]);
    assert!(err.contains("`mood` is neither"), "{err}");
    // --rows needs --cols: a usage error.
    assert_eq!(
        env.run(&["matrix", "--rows", "coder"]).status.code(),
        Some(2)
    );
}

#[test]
fn search_finds_words_with_norwegian_letters_in_context_with_codes() {
    let env = Env::new();
    env.import_thesis();
    let out = env.ok(&["search", "golfklubben"]);
    insta::assert_snapshot!("search_golfklubben", out);
    let hits: serde_json::Value =
        serde_json::from_str(&env.ok(&["search", "golfklubben", "--json"])).unwrap();
    let hits = hits.as_array().unwrap();
    assert_eq!(hits.len(), 2);
    assert_eq!(hits[0]["matched"], "golfklubben");
    assert!(!hits[0]["codes"].as_array().unwrap().is_empty());
    // å is a letter of its own: "på" is a word, and does not match "pa".
    let paa: serde_json::Value =
        serde_json::from_str(&env.ok(&["search", "på", "--json"])).unwrap();
    assert!(paa.as_array().unwrap().len() > 10);
    assert!(paa
        .as_array()
        .unwrap()
        .iter()
        .all(|h| h["matched"].as_str().unwrap().to_lowercase() == "på"));
    let pa: serde_json::Value = serde_json::from_str(&env.ok(&["search", "pa", "--json"])).unwrap();
    assert!(pa.as_array().unwrap().is_empty());
    // A word with ø and å inside is one word, found whole and by prefix.
    let whole: serde_json::Value =
        serde_json::from_str(&env.ok(&["search", "møtearenaene", "--json"])).unwrap();
    assert_eq!(whole.as_array().unwrap().len(), 1);
    let prefix: serde_json::Value =
        serde_json::from_str(&env.ok(&["search", "--fts", "møtearena*", "--json"])).unwrap();
    assert!(!prefix.as_array().unwrap().is_empty());
    let phrase: serde_json::Value =
        serde_json::from_str(&env.ok(&["search", "\"hele kommunen\"", "--json"])).unwrap();
    assert!(phrase
        .as_array()
        .unwrap()
        .iter()
        .all(|h| h["matched"] == "hele kommunen"));
    let err = env.misused(&["search", "--fts", "\"unclosed"]);
    assert!(err.contains("--fts: `\"unclosed`"), "{err}");
}

#[test]
fn withdrawal_also_empties_the_search_index() {
    let env = Env::new();
    env.import_thesis();
    let hits: serde_json::Value =
        serde_json::from_str(&env.ok(&["search", "golfklubben", "--json"])).unwrap();
    assert_eq!(hits[0]["source"], "I4");
    let before = std::fs::read(env.db()).unwrap();
    assert!(contains(&before, "kommuneoverlegens"));
    env.ok(&["informant", "withdraw", "I4", "--yes"]);
    let hits: serde_json::Value =
        serde_json::from_str(&env.ok(&["search", "golfklubben", "--json"])).unwrap();
    assert!(hits.as_array().unwrap().is_empty());
    // Not even the index's terms remain in the file ("golfklubben" is also in the
    // facilitation record, so a word only I4 said is checked).
    let hits: serde_json::Value =
        serde_json::from_str(&env.ok(&["search", "kommuneoverlegens", "--json"])).unwrap();
    assert!(hits.as_array().unwrap().is_empty());
    let bytes = std::fs::read(env.db()).unwrap();
    assert!(!contains(&bytes, "kommuneoverlegens"));
}

#[test]
fn replacing_a_transcript_moves_codings_and_refuses_to_lose_any_silently() {
    let env = Env::new();
    env.import_thesis();
    let before: serde_json::Value =
        serde_json::from_str(&env.ok(&["code", "list", "--json", "--coder", "A"])).unwrap();
    let i1 = std::fs::read_to_string(thesis().join("transcripts/I1.txt")).unwrap();
    let gone =
        "Ressursgruppa gjør at man kanskje samarbeider enda mer på tvers og kobler hverandre mer.";
    assert!(i1.contains(gone));
    // An edited version: a new opening paragraph, and one coded sentence deleted.
    let edited = format!("Intervjuer: Velkommen.\n\n{}", i1.replace(gone, ""));
    std::fs::write(env.path("I1-edited.md"), &edited).unwrap();
    let err = env.fails(&["transcript", "replace", "I1", "I1-edited.md"]);
    assert!(
        err.contains("nothing changed") && err.contains(gone),
        "{err}"
    );
    let unchanged: serde_json::Value =
        serde_json::from_str(&env.ok(&["code", "list", "--json", "--coder", "A"])).unwrap();
    assert_eq!(unchanged, before);

    let said = env.ok(&[
        "transcript",
        "replace",
        "I1",
        "I1-edited.md",
        "--drop-orphans",
    ]);
    assert!(
        said.contains("1 orphaned codings removed") && said.contains(gone),
        "{said}"
    );
    let after: serde_json::Value =
        serde_json::from_str(&env.ok(&["code", "list", "--json", "--coder", "A"])).unwrap();
    let before = before.as_array().unwrap();
    let after = after.as_array().unwrap();
    assert_eq!(after.len(), before.len() - 1);
    // Every I1 unit still holds its text, at offsets moved by the new opening.
    let chars: Vec<char> = samskap_core::normalize(&edited).chars().collect();
    assert!(after.iter().any(|c| c["source"] == "I1"));
    for c in after.iter().filter(|c| c["source"] == "I1") {
        let (s, e) = (
            c["start"].as_u64().unwrap() as usize,
            c["end"].as_u64().unwrap() as usize,
        );
        let text: String = chars[s..e].iter().collect();
        assert_eq!(text, c["text"].as_str().unwrap());
        assert!(s >= "Intervjuer: Velkommen.\n\n".chars().count());
    }
    let err = env.fails(&["transcript", "replace", "I1", "nothing.pdf"]);
    assert!(err.contains(".docx"), "{err}");
}

#[test]
fn a_closed_pipe_is_not_an_error() {
    let env = Env::new();
    env.import_thesis();
    for args in [
        &["matrix", "--json"][..],
        &["quotes", "--json"][..],
        &["search", "på", "--json"][..],
        &["quotes"][..],
    ] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_samskap"))
            .current_dir(env.dir.path())
            .env_remove("SAMSKAP_DB")
            .args(args)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        // Close our end before samskap writes (it opens the store first), as a reader
        // that stops at once would: every write then fails with a broken pipe.
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[test]
fn json_output_stays_valid_when_a_command_fails_at_once() {
    let env = Env::new();
    env.import_thesis();
    let out = env.run(&["search", "--fts", "AND", "--json"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        out.stdout.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let err = env.fails(&["agreement", "--coders", "A,A"]);
    assert!(err.contains("named twice"), "{err}");
    let file = agreement_file("kripp2011_c_4coders_missing.csv");
    let err = env.fails(&[
        "agreement",
        "compute",
        &file,
        "--metric",
        "krippendorff_alpha",
        "--order",
        "1,2,3,4",
    ]);
    assert!(err.contains("--level ordinal"), "{err}");
}

#[test]
fn tokens_are_shown_once_and_the_server_serves_and_stops_on_sigterm() {
    use std::io::{BufRead, BufReader, Read, Write};
    let env = Env::new();
    env.import_thesis();
    let secret = env.ok(&[
        "token",
        "create",
        "--name",
        "fac",
        "--role",
        "facilitator",
        "--group",
        "G1",
    ]);
    let secret = secret.lines().next().unwrap().to_owned();
    assert!(secret.starts_with("sk_"), "{secret}");
    let listed = env.ok(&["token", "list", "--json"]);
    assert!(
        listed.contains("\"fac\"") && !listed.contains(&secret),
        "{listed}"
    );
    let err = env.fails(&["token", "create", "--name", "x", "--role", "boss"]);
    assert!(err.contains("boss"), "{err}");

    let mut server = Command::new(env!("CARGO_BIN_EXE_samskap"))
        .current_dir(env.dir.path())
        .env_remove("SAMSKAP_DB")
        .args([
            "--db",
            env.db().to_str().unwrap(),
            "serve",
            "--addr",
            "127.0.0.1:0",
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(server.stdout.take().unwrap()).lines();
    let first = lines.next().unwrap().unwrap();
    let addr = first.rsplit("http://").next().unwrap().to_owned();
    let get = |path: &str, token: Option<&str>| {
        let mut s = std::net::TcpStream::connect(&addr).unwrap();
        let auth = token.map_or(String::new(), |t| format!("Authorization: Bearer {t}\r\n"));
        write!(
            s,
            "GET {path} HTTP/1.1\r\nHost: {addr}\r\n{auth}Connection: close\r\n\r\n"
        )
        .unwrap();
        let mut response = String::new();
        s.read_to_string(&mut response).unwrap();
        response
    };
    assert!(get("/health", None).starts_with("HTTP/1.1 200"));
    assert!(get("/studies", None).starts_with("HTTP/1.1 401"));
    let members = get(
        "/studies/ung-inkludering-demo/groups/G1/members",
        Some(&secret),
    );
    assert!(
        members.starts_with("HTTP/1.1 200") && members.contains("G1-P1"),
        "{members}"
    );
    // The browser pages are served beside the API, with their policy.
    let sign_in = get("/app/sign-in", None);
    assert!(sign_in.starts_with("HTTP/1.1 200"), "{sign_in}");
    assert!(
        sign_in.contains("content-security-policy: default-src 'self'")
            && sign_in.contains("<h1>Sign in</h1>"),
        "{sign_in}"
    );
    let home = get("/app/", None);
    assert!(
        home.starts_with("HTTP/1.1 303") && home.contains("location: /app/sign-in"),
        "{home}"
    );
    env.ok(&["token", "revoke", "fac"]);
    assert!(get("/studies", Some(&secret)).starts_with("HTTP/1.1 401"));

    // SIGTERM: the server finishes and exits cleanly.
    let pid = server.id().to_string();
    assert!(Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap()
        .success());
    let status = server.wait().unwrap();
    assert!(status.success(), "{status:?}");
    let rest: Vec<String> = lines.map(Result::unwrap).collect();
    assert_eq!(rest, ["stopped"]);
    let mut log = String::new();
    server
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut log)
        .unwrap();
    assert!(
        log.contains("/health") && log.contains("status=401"),
        "{log}"
    );
}

#[test]
fn analysts_record_assessments_with_evidence_from_the_command_line() {
    let env = Env::new();
    env.import_thesis();
    let before: serde_json::Value =
        serde_json::from_str(&env.ok(&["assess", "list", "--json"])).unwrap();
    let n = before.as_array().unwrap().len();
    let said = env.ok(&[
        "assess",
        "ladder",
        "--group",
        "G2",
        "--step",
        "5",
        "--id",
        "ladder-g2-b",
        "--assessor",
        "B",
        "--date",
        "2024-02-01",
        "--evidence",
        "I3=Da er prosjektperioden for kort, rett og slett.",
    ]);
    assert!(said.contains("with 1 piece of evidence"), "{said}");
    let after: serde_json::Value =
        serde_json::from_str(&env.ok(&["assess", "list", "--json"])).unwrap();
    assert_eq!(after.as_array().unwrap().len(), n + 1);
    // A step or logic that is none is a usage error, told in the model's words.
    for (args, says) in [
        (
            ["ladder", "--group", "G2", "--step", "6"],
            "step 6 is outside 1–5",
        ),
        (
            ["ladder", "--group", "G2", "--step", "5-3"],
            "runs downwards",
        ),
        (
            ["logic", "--service", "nav", "--logic", "NPX"],
            "`NPX` is not",
        ),
    ] {
        let mut all = vec!["assess"];
        all.extend(args);
        all.extend(["--id", "x", "--assessor", "B", "--date", "2024-02-01"]);
        let out = env.run(&all);
        assert_eq!(out.status.code(), Some(2), "{all:?}");
        let err = String::from_utf8(out.stderr).unwrap();
        assert!(err.contains(says), "{err}");
    }
    let err = env.fails(&[
        "assess",
        "logic",
        "--service",
        "nav",
        "--logic",
        "NPG",
        "--id",
        "z",
        "--assessor",
        "B",
        "--date",
        "2024-02-01",
        "--evidence",
        "I3=ikke sagt",
    ]);
    assert!(err.contains("not found"), "{err}");
    // The assessment survives export and import.
    env.ok(&["export", "out"]);
    let bundle = std::fs::read_to_string(env.path("out/facilitation.toml")).unwrap();
    assert!(bundle.contains("ladder-g2-b"));
}

#[test]
fn assessments_place_ranges_and_actors_name_several_logics_and_cite_facts() {
    let env = Env::new();
    env.import_thesis();
    let common = ["--assessor", "A", "--date", "2024-03-01"];
    let run = |args: &[&str]| {
        let mut all = vec!["assess"];
        all.extend(args);
        all.extend(common);
        env.ok(&all)
    };
    let said = run(&[
        "ladder",
        "--group",
        "G1",
        "--step",
        "3-5",
        "--actor",
        "service:nav",
        "--id",
        "nav-g1",
        "--evidence",
        "I3=Da er prosjektperioden for kort, rett og slett.",
        "--meeting",
        "G1-2023-02",
        "--problem-statement",
        "PS-G1",
        "--contact",
        "C1",
    ]);
    assert!(said.contains("4 pieces of evidence"), "{said}");
    run(&[
        "ladder",
        "--group",
        "G1",
        "--step",
        "3",
        "--actor",
        "youth",
        "--id",
        "youth-g1",
        "--action",
        "A-G1-1",
        "--practice",
        "PD-G1-1",
        "--dissemination",
        "D-G2-1",
    ]);
    run(&[
        "logic",
        "--service",
        "nav",
        "--logic",
        "npg,NPM",
        "--id",
        "nav-both",
    ]);
    let list = env.json(&["assess", "list"]);
    let by_id = |id: &str| {
        list.as_array()
            .unwrap()
            .iter()
            .find(|a| a["id"] == id)
            .unwrap()
            .clone()
    };
    let nav = by_id("nav-g1");
    assert_eq!(
        nav["value"],
        serde_json::json!({"ladder": {"range": [3, 5], "actor": "service:nav"}})
    );
    // Quotes first, then the facts in the order of the record's tables.
    let evidence = nav["evidence"].as_array().unwrap();
    assert_eq!(evidence[0]["source"], "I3");
    assert_eq!(
        evidence[1..],
        [
            serde_json::json!({"meeting": "G1-2023-02"}),
            serde_json::json!({"problem_statement": "PS-G1"}),
            serde_json::json!({"contact": "C1"}),
        ]
    );
    assert_eq!(by_id("youth-g1")["value"]["ladder"]["actor"], "youth");
    assert_eq!(
        by_id("nav-both")["value"],
        serde_json::json!({"logic": ["NPM", "NPG"]})
    );
    // The table says it in words; `show` writes each piece of evidence out.
    let table = env.ok(&["assess", "list"]);
    assert!(table.contains("ladder 3–5"), "{table}");
    assert!(table.contains("service:nav"), "{table}");
    assert!(table.contains("logic NPM, NPG"), "{table}");
    assert!(
        table.contains("1 quote, meeting G1-2023-02, problem statement PS-G1, contact C1"),
        "{table}"
    );
    let shown = env.ok(&["assess", "show", "nav-g1"]);
    assert!(
        shown.starts_with("nav-g1: ladder 3–5 of group G1\nactor: service:nav\n"),
        "{shown}"
    );
    assert!(
        shown.contains("- I3: «Da er prosjektperioden for kort, rett og slett.»"),
        "{shown}"
    );
    assert!(
        shown.contains("- meeting `G1-2023-02`: group meeting of G1 on 2023-02-"),
        "{shown}"
    );
    assert!(shown.contains("- contact `C1`: "), "{shown}");
    let err = env.fails(&["assess", "show", "nope"]);
    assert!(err.contains("no assessment `nope`"), "{err}");

    // What the record refuses, the store refuses, naming what is wrong.
    for (args, says) in [
        (
            vec![
                "ladder",
                "--group",
                "G1",
                "--step",
                "4",
                "--actor",
                "service:navv",
                "--id",
                "x",
            ],
            "no member carries the service `navv`",
        ),
        (
            vec![
                "ladder",
                "--group",
                "G1",
                "--step",
                "4",
                "--meeting",
                "G9-2099-01",
                "--id",
                "x",
            ],
            "meeting `G9-2099-01`, which the record does not hold",
        ),
        (
            vec![
                "logic",
                "--service",
                "nav",
                "--logic",
                "NPM",
                "--logic",
                "NPM",
                "--id",
                "x",
            ],
            "NPM is named twice",
        ),
    ] {
        let mut all = vec!["assess"];
        all.extend(args);
        all.extend(common);
        let err = env.fails(&all);
        assert!(err.contains(says), "{err}");
    }
    let out = env.run(&[
        "assess",
        "ladder",
        "--group",
        "G1",
        "--step",
        "4",
        "--actor",
        "nav",
        "--id",
        "x",
        "--assessor",
        "A",
        "--date",
        "2024-03-01",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("`service:nav`"));
    assert_eq!(env.json(&["assess", "list"]), list);

    // They survive export and import, written as a researcher would write them.
    env.ok(&["export", "out"]);
    let bundle = std::fs::read_to_string(env.path("out/facilitation.toml")).unwrap();
    for written in [
        "id = \"nav-g1\"\ngroup = \"G1\"\nladder = [3, 5]\nactor = \"service:nav\"\n",
        "id = \"nav-both\"\nservice = \"nav\"\nlogic = [\"NPM\", \"NPG\"]\n",
        "[[assessment.evidence]]\nmeeting = \"G1-2023-02\"\n",
    ] {
        assert!(bundle.contains(written), "{written} not in\n{bundle}");
    }
    env.ok(&["import", "out", "--replace"]);
    assert_eq!(env.json(&["assess", "list"]), list);
}

#[test]
fn a_replace_keeps_or_drops_the_stored_facilitation_record_only_when_told() {
    let env = Env::new();
    env.import_thesis();
    let count = |env: &Env| {
        let list: serde_json::Value =
            serde_json::from_str(&env.ok(&["assess", "list", "--json"])).unwrap();
        list.as_array().unwrap().len()
    };
    let n = count(&env);
    // Recorded after the import (as the API would): not in the bundle.
    env.ok(&[
        "assess",
        "ladder",
        "--group",
        "G1",
        "--step",
        "3",
        "--id",
        "ladder-g1-later",
        "--assessor",
        "A",
        "--date",
        "2024-03-01",
    ]);
    let bundle = thesis();
    let bundle = bundle.to_str().unwrap();
    let before = state(&env);
    let err = env.fails(&["import", bundle, "--replace"]);
    assert!(err.contains("facilitation record"), "{err}");
    assert!(err.contains("--keep-facilitation"), "{err}");
    assert_eq!(state(&env), before);

    env.ok(&["import", bundle, "--replace", "--keep-facilitation"]);
    assert_eq!(count(&env), n + 1);
    env.ok(&["import", bundle, "--replace", "--discard-facilitation"]);
    assert_eq!(count(&env), n);
    // The choices go with --replace, and one at a time.
    for args in [
        &["import", bundle, "--keep-facilitation"][..],
        &[
            "import",
            bundle,
            "--replace",
            "--keep-facilitation",
            "--discard-facilitation",
        ],
    ] {
        // A usage error: clap's exit code 2, and the store untouched.
        let out = env.run(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("--"),
            "{args:?}"
        );
    }
    assert_eq!(count(&env), n);
}

#[test]
fn backup_and_restore_round_trip_and_refuse_what_is_not_a_store() {
    let env = Env::new();
    env.import_thesis();
    let said = env.ok(&["backup", "b.db"]);
    assert!(said.contains("integrity check"), "{said}");
    let err = env.fails(&["backup", "b.db"]);
    assert!(
        err.contains("exists already") && err.contains("--force"),
        "{err}"
    );
    env.ok(&["backup", "b.db", "--force"]);
    let backed_up = state(&env);

    env.ok(&[
        "memo",
        "add",
        "--author",
        "C",
        "--text",
        "Skrevet etter sikkerhetskopien.",
    ]);
    let changed = state(&env);
    assert_ne!(changed, backed_up);
    let said = env.ok(&["restore", "b.db", "--keep", "kept.db"]);
    assert!(
        said.contains("kept in") && said.contains("kept.db"),
        "{said}"
    );
    assert_eq!(state(&env), backed_up);
    // What the restore replaced is in the kept copy.
    let kept = Env::new();
    std::fs::copy(env.path("kept.db"), kept.db()).unwrap();
    assert_eq!(state(&kept), changed);

    // Without --keep, the store is kept beside itself under a dated name.
    env.ok(&["restore", "b.db"]);
    let names: Vec<String> = std::fs::read_dir(env.dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("samskap.db.before-restore-") && n.ends_with("Z.db"))
        .collect();
    assert_eq!(names.len(), 1, "{names:?}");

    std::fs::write(
        env.path("notes.txt"),
        "not a database at all, just notes\n".repeat(100),
    )
    .unwrap();
    let err = env.fails(&["restore", "notes.txt"]);
    assert!(err.contains("not a samskap store"), "{err}");
    assert_eq!(state(&env), backed_up);

    // Into a store that was lost: the backup becomes the store.
    let fresh = Env::new();
    let json: serde_json::Value =
        serde_json::from_str(&fresh.ok(&["restore", env.path("b.db").to_str().unwrap(), "--json"]))
            .unwrap();
    assert_eq!(json["kept"], serde_json::Value::Null);
    assert_eq!(state(&fresh), backed_up);
    // A refused restore into no store leaves no empty store behind.
    let none = Env::new();
    none.fails(&["restore", env.path("notes.txt").to_str().unwrap()]);
    assert!(!none.db().exists());
}

#[test]
fn a_withdrawal_lists_the_backups_that_hold_the_informant_and_purges_them() {
    let env = Env::new();
    env.import_thesis();
    let i3 = std::fs::read_to_string(thesis().join("transcripts/I3.txt")).unwrap();
    let passage = i3.lines().find(|l| l.len() > 40).unwrap().to_owned();
    env.ok(&["backup", "b1.db"]);
    env.ok(&["backup", "b2.db"]);
    assert!(contains(
        &std::fs::read(env.path("b1.db")).unwrap(),
        &passage
    ));

    let said = env.ok(&["informant", "withdraw", "I3", "--yes"]);
    assert!(said.contains("2 backups still hold `I3`'s words"), "{said}");
    assert!(said.contains("--purge-backups"), "{said}");
    for b in ["b1.db", "b2.db"] {
        assert!(said.contains(b), "{said}");
    }
    // One backup is no longer a store: under --purge-backups that is an error, after the
    // others are scrubbed.
    std::fs::write(env.path("b2.db"), "gone bad").unwrap();
    let out = env.run(&["informant", "withdraw", "I3", "--purge-backups"]);
    assert_eq!(out.status.code(), Some(1));
    let said = String::from_utf8(out.stdout).unwrap();
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(said.contains("already withdrawn"), "{said}");
    assert!(
        said.contains("scrubbed `I3` from backup") && said.contains("b1.db"),
        "{said}"
    );
    assert!(
        err.contains("warning: could not check backup") && err.contains("b2.db"),
        "{err}"
    );
    assert!(
        err.contains("could not be scrubbed") && err.contains("b2.db"),
        "{err}"
    );
    assert!(!contains(
        &std::fs::read(env.path("b1.db")).unwrap(),
        &passage
    ));
    assert!(!env.path("b1.db-wal").exists());

    std::fs::remove_file(env.path("b2.db")).unwrap();
    let json = env.json(&["informant", "withdraw", "I3", "--purge-backups"]);
    let states: Vec<&str> = json["backups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["state"].as_str().unwrap())
        .collect();
    assert_eq!(states, ["clear", "missing"]);
}

// Files an attacker can hand you, and output written whole.

/// Copies every file of a bundle directory (not its README) into `to`.
fn copy_bundle(from: &Path, to: &Path) {
    for (rel, bytes) in files(from) {
        if rel == "README.md" {
            continue;
        }
        let target = to.join(rel);
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        std::fs::write(target, bytes).unwrap();
    }
}

/// Makes a FIFO at `path` with a thread ready to write `bytes` into it, so that a reader
/// that opens it gets them instead of waiting for ever. Call the returned closure once the
/// reader is done: it lets the thread finish even if nobody opened the FIFO.
#[cfg(unix)]
fn fifo(path: &Path, bytes: Vec<u8>) -> impl FnOnce() {
    let made = Command::new("mkfifo").arg(path).status().unwrap();
    assert!(made.success());
    let path = path.to_owned();
    let writer = {
        let path = path.clone();
        std::thread::spawn(move || {
            let _ = std::fs::write(path, bytes);
        })
    };
    move || {
        if !writer.is_finished() {
            let _ = std::fs::read(&path);
        }
        writer.join().unwrap();
    }
}

/// The issue's case: `transcripts/I1.txt -> /etc/passwd` imported, and `search root` found
/// it. Here the link points at a file outside the bundle holding the real transcript and a
/// line of /etc/passwd.
#[cfg(unix)]
#[test]
fn a_linked_transcript_is_refused_and_nothing_of_it_reaches_the_store() {
    let env = Env::new();
    env.import_thesis();
    let before = state(&env);
    let bundle = env.path("cloned");
    copy_bundle(&fixtures().join("mini"), &bundle);
    let outside = env.path("passwd");
    let mut text = std::fs::read_to_string(bundle.join("transcripts/I1.txt")).unwrap();
    text.push_str("root:x:0:0:root:/root:/bin/bash\n");
    std::fs::write(&outside, text).unwrap();
    std::fs::remove_file(bundle.join("transcripts/I1.txt")).unwrap();
    std::os::unix::fs::symlink(&outside, bundle.join("transcripts/I1.txt")).unwrap();
    let err = env.fails(&["import", bundle.to_str().unwrap()]);
    assert!(
        err.contains("transcripts/I1.txt: is a symbolic link"),
        "{err}"
    );
    assert_eq!(state(&env), before, "the store changed");
    // The store holds the thesis alone, and no line of the file outside.
    let hits = env.ok(&["search", "root"]);
    assert!(!hits.contains("root:x"), "{hits}");
}

#[cfg(unix)]
#[test]
fn a_fifo_in_a_bundle_is_refused_at_once() {
    let env = Env::new();
    env.import_thesis();
    let before = state(&env);
    let bundle = env.path("cloned");
    copy_bundle(&fixtures().join("mini"), &bundle);
    let path = bundle.join("codings.csv");
    let codings = std::fs::read(&path).unwrap();
    std::fs::remove_file(&path).unwrap();
    let release = fifo(&path, codings);
    let out = env.run(&["import", bundle.to_str().unwrap()]);
    release();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("codings.csv: is a FIFO, not a regular file"),
        "{err}"
    );
    assert_eq!(state(&env), before, "the store changed");
}

/// Files named on the command line may be links (the user chose the path), but what they
/// reach must be a regular file: a FIFO or a device is refused before anything waits on it.
#[cfg(unix)]
#[test]
fn a_fifo_or_a_device_named_on_the_command_line_is_refused() {
    let env = Env::new();
    env.ok(&["import", fixtures().join("mini").to_str().unwrap()]);
    let before = state(&env);
    let framework = std::fs::read(fixtures().join("mini/framework.toml")).unwrap();
    let cases: Vec<(&str, Vec<u8>, Vec<&str>)> = vec![
        ("framework.toml", framework, vec!["framework", "import"]),
        (
            "I1.txt",
            std::fs::read(fixtures().join("mini/transcripts/I1.txt")).unwrap(),
            vec!["transcript", "replace", "I1"],
        ),
        (
            "data.csv",
            b"unit,A,B\nu1,x,x\n".to_vec(),
            vec!["agreement", "compute", "--metric", "percent_agreement"],
        ),
        ("codes.qdc", Vec::new(), vec!["refi", "import"]),
        ("project.qdpx", Vec::new(), vec!["refi", "import"]),
    ];
    for (name, bytes, args) in cases {
        let path = env.path(name);
        let release = fifo(&path, bytes);
        let mut all = args.clone();
        all.push(path.to_str().unwrap());
        let out = env.run(&all);
        release();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{all:?}: {err}");
        assert!(
            err.contains(&format!("{name}: is a FIFO, not a regular file")),
            "{all:?}: {err}"
        );
        std::fs::remove_file(&path).unwrap();
    }
    let mapping = env.path("mapping.toml");
    let release = fifo(&mapping, b"framework = \"bentzen-2018\"\n".to_vec());
    let project = env.path("ok.qdpx");
    std::fs::write(&project, b"").unwrap();
    let out = env.run(&[
        "refi",
        "import",
        project.to_str().unwrap(),
        "--mapping",
        mapping.to_str().unwrap(),
    ]);
    release();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("not a readable"),
        "the project is read first: {err}"
    );
    // A link named on the command line is followed, and a device is still refused.
    let random = env.path("random.txt");
    std::os::unix::fs::symlink("/dev/urandom", &random).unwrap();
    let err = env.fails(&["transcript", "replace", "I1", random.to_str().unwrap()]);
    assert!(
        err.contains("random.txt: is a character device, not a regular file"),
        "{err}"
    );
    assert_eq!(state(&env), before, "the store changed");
}

#[test]
fn files_over_the_size_limit_are_refused_and_the_limit_can_be_raised() {
    let env = Env::new();
    env.import_thesis();
    let before = state(&env);
    let bundle = env.path("big");
    copy_bundle(&fixtures().join("mini"), &bundle);
    let path = bundle.join("transcripts/I1.txt");
    let mut text = std::fs::read_to_string(&path).unwrap();
    // Some 1.2 MiB of filler that no quote of the bundle matches.
    text.push_str(&"zzzz zzzz zzzz zzzz\n".repeat(60_000));
    std::fs::write(&path, text).unwrap();
    let dir = bundle.to_str().unwrap();
    let err = env.fails(&["--max-file-mb", "1", "import", dir]);
    assert!(
        err.contains("transcripts/I1.txt: is larger than 1 MiB, the limit for a transcript; raise the limit with --max-file-mb N (or SAMSKAP_MAX_FILE_MB=N)"),
        "{err}"
    );
    assert_eq!(state(&env), before, "the store changed");
    let out = Command::new(env!("CARGO_BIN_EXE_samskap"))
        .current_dir(env.dir.path())
        .env_remove("SAMSKAP_DB")
        .env("SAMSKAP_MAX_FILE_MB", "2")
        .args(["--db", env.db().to_str().unwrap(), "import", dir])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The same limit holds for files named on the command line.
    let err = env.fails(&[
        "--max-file-mb",
        "1",
        "--study",
        "mini",
        "transcript",
        "replace",
        "I1",
        path.to_str().unwrap(),
    ]);
    assert!(err.contains("is larger than 1 MiB"), "{err}");
    let out = env.run(&["--max-file-mb", "0", "informants"]);
    assert_eq!(out.status.code(), Some(2), "a usage error");
}

#[test]
fn a_100_kb_id_is_echoed_shortened() {
    let env = Env::new();
    env.import_thesis();
    let long = "I".repeat(100_000);
    let err = env.fails(&["informant", "withdraw", &long]);
    assert!(err.len() < 500, "{} bytes: {}", err.len(), &err[..200]);
    assert!(err.contains(&format!("{}…", "I".repeat(64))), "{err}");
}

/// Every entry of `dir` (hidden ones too), sorted.
fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

/// `export --force` used to delete the old bundle first; a write that failed midway (here
/// the thesis's 42 KB `codings.csv` past the process's 32 KiB file limit) lost it.
#[cfg(unix)]
#[test]
fn a_failed_export_leaves_the_previous_bundle_as_it_was() {
    let env = Env::new();
    env.import_thesis();
    env.ok(&["export", "out"]);
    let out = env.path("out");
    std::fs::write(out.join("README.md"), "Not part of the bundle.\n").unwrap();
    std::fs::write(out.join("sources/I1.txt"), "An older transcript.\n").unwrap();
    let before = files(&out);
    let run = env.run_with_small_files(&["export", "out", "--force"]);
    let err = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(1), "{err}");
    assert!(err.contains("(os error 27)"), "{err}");
    assert!(err.contains("the previous output is as it was"), "{err}");
    assert_eq!(files(&out), before, "the previous bundle changed");
    assert_eq!(
        names(&out),
        [
            "README.md",
            "codings.csv",
            "facilitation.toml",
            "memos.toml",
            "sources",
            "study.toml"
        ],
        "something was left behind"
    );
    env.ok(&["export", "out", "--force"]);
    let after = files(&out);
    assert_eq!(after["README.md"], b"Not part of the bundle.\n");
    assert_eq!(
        after["sources/I1.txt"],
        files(&thesis())["transcripts/I1.txt"]
    );
    assert_eq!(names(&out).len(), 6, "{:?}", names(&out));
}

/// `report --out` wrote report.md, then failed on report.html: a new Markdown file beside an
/// old HTML one. All three files are now written before any replaces the old report.
#[cfg(unix)]
#[test]
fn a_failed_report_leaves_the_previous_one_as_it_was() {
    let env = Env::new();
    // The thesis's published material: its report.md fits in 32 KiB, its report.docx
    // (and, depending on the report's content, its report.html) does not.
    env.ok(&[
        "import",
        common::fixtures().join("ung-inkludering").to_str().unwrap(),
    ]);
    let rep = env.path("rep");
    std::fs::create_dir(&rep).unwrap();
    std::fs::write(rep.join("report.md"), "old markdown").unwrap();
    std::fs::write(rep.join("report.html"), "old html").unwrap();
    std::fs::write(rep.join("report.docx"), "old docx").unwrap();
    let run = env.run_with_small_files(&["report", "--out", "rep"]);
    let err = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(1), "{err}");
    assert!(
        err.contains("report.html") || err.contains("report.docx"),
        "{err}"
    );
    for (file, old) in [
        ("report.md", "old markdown"),
        ("report.html", "old html"),
        ("report.docx", "old docx"),
    ] {
        assert_eq!(std::fs::read_to_string(rep.join(file)).unwrap(), old);
    }
    assert_eq!(names(&rep), ["report.docx", "report.html", "report.md"]);
    env.ok(&["report", "--out", "rep"]);
    assert!(
        std::fs::read_to_string(rep.join("report.md"))
            .unwrap()
            .len()
            > 1000
    );
    assert!(std::fs::read(rep.join("report.docx"))
        .unwrap()
        .starts_with(b"PK"));
    let written = names(&rep);
    assert!(written.ends_with(&[
        "report.docx".into(),
        "report.html".into(),
        "report.md".into()
    ]));
    assert!(written[..written.len() - 3]
        .iter()
        .all(|n| n.starts_with("fig-") && n.ends_with(".svg")));
}

/// The codings of the thesis study as `code list --json` gives them, without the text.
fn codings(env: &Env) -> Vec<String> {
    let list = env.json(&["code", "list"]);
    list.as_array()
        .unwrap()
        .iter()
        .map(|c| {
            format!(
                "{}:{}-{} {} {} {} {}",
                c["source"],
                c["start"],
                c["end"],
                c["code"],
                c["qualifiers"],
                c["coder"],
                c["memo"]
            )
        })
        .collect()
}

fn of_code(env: &Env, code: &str) -> usize {
    env.json(&["code", "list", "--code", code])
        .as_array()
        .unwrap()
        .len()
}

#[test]
fn codebook_edits_move_codings_and_are_logged_as_versions() {
    let env = Env::new();
    env.import_thesis();
    let all = codings(&env).len();
    let holistic = of_code(&env, "culture/holistic-approach");
    assert!(holistic > 0);

    // Rename in place: the codings follow, the log has who, what and why.
    let done = env.json(&[
        "code",
        "rename",
        "culture/holistic-approach",
        "whole-picture",
        "--note",
        "clearer",
        "--by",
        "kari",
    ]);
    assert_eq!(done["version"], 2);
    assert_eq!(done["codings"], holistic);
    assert_eq!(
        done["what"],
        "rename culture/holistic-approach → culture/whole-picture"
    );
    assert_eq!(of_code(&env, "culture/whole-picture"), holistic);
    let err = env.fails(&["code", "list", "--code", "culture/holistic-approach"]);
    assert!(err.contains("culture/holistic-approach"), "{err}");

    // Moves: under another code, then to the top.
    env.ok(&["code", "move", "culture/whole-picture", "--to", "structure"]);
    let said = env.ok(&["code", "move", "structure/whole-picture", "--top"]);
    assert!(
        said.contains("move structure/whole-picture → whole-picture"),
        "{said}"
    );
    assert_eq!(of_code(&env, "whole-picture"), holistic);

    // Refused edits name the code and change nothing.
    let before = (codings(&env), env.ok(&["framework", "log", "--json"]));
    for (args, says) in [
        (
            vec![
                "code",
                "move",
                "structure",
                "--to",
                "structure/infrastructure",
            ],
            "cannot go under itself",
        ),
        (vec!["code", "rename", "nope", "x"], "no code `nope`"),
        (
            vec!["code", "delete", "structure/infrastructure"],
            "`structure/infrastructure` (14 codings, 1 memos) in use",
        ),
        (
            vec![
                "code",
                "split",
                "structure/infrastructure",
                "--into",
                "x",
                "--coding",
                "I9:0-10",
            ],
            "no coding of `structure/infrastructure` at I9:0-10",
        ),
        (
            vec![
                "code",
                "merge",
                "whole-picture",
                "--into",
                "culture/nope/deeper",
            ],
            "no code `culture/nope` above it",
        ),
    ] {
        let err = env.fails(&args);
        assert!(err.contains(says), "{args:?}: {err}");
        assert_eq!(
            (codings(&env), env.ok(&["framework", "log", "--json"])),
            before,
            "{args:?}"
        );
    }
    let err = env.fails(&["code", "delete", "structure/infrastructure"]);
    assert!(err.contains("--recode-to"), "{err}");

    // Split: the codings listed go to the new code, beside the old one.
    let said = env.ok(&[
        "code",
        "split",
        "structure/infrastructure",
        "--into",
        "meeting-places",
        "--coding",
        "I3:910-1246:A",
        "--coding",
        "I5:638-809",
    ]);
    assert!(said.contains("3 codings"), "{said}");
    assert_eq!(of_code(&env, "structure/meeting-places"), 3);

    // An old invocation still parses: a coding added now is a duplicate of A's coding of
    // `structure/infrastructure` on I3 once `meeting-places` merges back into it.
    let text = env.json(&[
        "code",
        "list",
        "--code",
        "structure/meeting-places",
        "--coder",
        "A",
    ])[0]["text"]
        .as_str()
        .unwrap()
        .to_owned();
    env.ok(&[
        "code",
        "add",
        "--transcript",
        "I3",
        "--quote",
        &text,
        "--code",
        "structure/infrastructure",
        "--polarity",
        "barrier",
        "--coder",
        "A",
        "--memo",
        "again",
    ]);
    let done = env.json(&[
        "code",
        "merge",
        "structure/meeting-places",
        "--into",
        "structure/infrastructure",
    ]);
    assert_eq!(
        (done["codings"].as_u64(), done["merged"].as_u64()),
        (Some(3), Some(1))
    );
    // The earlier coding is the one kept, with the later one's memo.
    let kept = env.json(&[
        "code",
        "list",
        "--code",
        "structure/infrastructure",
        "--coder",
        "A",
    ]);
    assert!(kept
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["memo"] == "again" && c["text"] == text.as_str()));
    assert_eq!(
        codings(&env).len(),
        all,
        "the coding added merged into the one it repeats"
    );

    // A delete with a code to recode to.
    env.ok(&["code", "delete", "whole-picture", "--recode-to", "culture"]);
    assert_eq!(codings(&env).len(), all);

    // The log, a diff, and any version shown again.
    let log = env.json(&["framework", "log"]);
    let what: Vec<&str> = log
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["what"].as_str().unwrap())
        .collect();
    assert_eq!(
        what,
        [
            "first version",
            "rename culture/holistic-approach → culture/whole-picture",
            "move culture/whole-picture → structure/whole-picture",
            "move structure/whole-picture → whole-picture",
            "split structure/infrastructure → structure/meeting-places",
            "merge structure/meeting-places → structure/infrastructure",
            "delete whole-picture (recoded to culture)",
        ]
    );
    assert_eq!(log[1]["by"], "kari");
    assert_eq!(log[1]["note"], "clearer");
    assert!(log[1]["at"].as_str().unwrap().ends_with('Z'));
    let table = env.ok(&["framework", "log", "bentzen-2018"]);
    assert!(
        table.contains("clearer") && table.contains("kari"),
        "{table}"
    );
    let diff = env.ok(&["framework", "diff", "1", "2"]);
    assert!(
        diff.contains("added culture/whole-picture; removed culture/holistic-approach"),
        "{diff}"
    );
    assert_eq!(
        env.json(&["framework", "diff", "1", "7"])["removed"],
        serde_json::json!(["culture/holistic-approach"])
    );
    let then = env.ok(&["framework", "show", "--version", "1"]);
    assert!(then.contains("culture/holistic-approach"), "{then}");
    let now = env.ok(&["framework", "show"]);
    assert!(!now.contains("holistic-approach"), "{now}");
    let err = env.fails(&["framework", "show", "--version", "8"]);
    assert!(err.contains("bentzen-2018 version 8"), "{err}");

    // The report names the version its codings stand under.
    let report = env.json(&["report", "--out", "r"]);
    assert_eq!(report["framework_version"], 7);
    let md = std::fs::read_to_string(env.path("r/report.md")).unwrap();
    assert!(md.contains("(bentzen-2018, version 7)"), "{md}");
}

#[test]
fn agreement_by_codebook_version() {
    let env = Env::new();
    env.import_thesis();
    let percent = |args: &[&str]| {
        env.json(args)["overall"]["units"]["percent_agreement"]["value"]
            .as_f64()
            .unwrap()
    };
    let v1 = percent(&["agreement", "--version", "1"]);
    assert_eq!(v1, percent(&["agreement"]));
    // On I3 A coded `culture/holistic-approach` where B coded `structure/infrastructure`:
    // a revision that merges them makes the version 1 codings agree more.
    env.ok(&[
        "code",
        "merge",
        "culture/holistic-approach",
        "--into",
        "structure/infrastructure",
    ]);
    assert!(percent(&["agreement", "--version", "1"]) > v1);
    let err = env.fails(&["agreement", "--version", "2"]);
    assert!(
        err.contains("no codings were made under version 2"),
        "{err}"
    );
    let err = env.fails(&["agreement", "--version", "3"]);
    assert!(err.contains("versions 1 to 2"), "{err}");
    // Two new coders under version 2 who agree.
    let unit = [
        "--transcript",
        "I2",
        "--quote",
        "Så det er et stort prosjekt.",
    ];
    let code = [
        "--code",
        "resources/time-people-money",
        "--polarity",
        "barrier",
    ];
    for coder in ["C", "D"] {
        let mut args = vec!["code", "add"];
        args.extend(unit);
        args.extend(code);
        args.extend(["--coder", coder]);
        env.ok(&args);
        if coder == "C" {
            let err = env.fails(&["agreement", "--version", "2"]);
            assert!(err.contains("two or more coders"), "{err}");
        }
    }
    let v2 = env.json(&["agreement", "--version", "2"]);
    assert_eq!(v2["coders"], serde_json::json!(["C", "D"]));
    assert_eq!(v2["overall"]["units"]["percent_agreement"]["value"], 1.0);
}

/// The completions and the manual pages come from the grammar the binary parses: every
/// subcommand is in them.
#[test]
fn completions_and_manual_pages_cover_every_subcommand() {
    let env = Env::new();
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let script = env.ok(&["completions", shell]);
        for sub in ["import", "report", "serve", "quotes", "completions"] {
            assert!(script.contains(sub), "{shell}: {sub}");
        }
    }
    assert!(env.ok(&["completions", "bash"]).contains("--lang"));
    let run = env.run(&["completions", "tcsh"]);
    assert_eq!(run.status.code(), Some(2), "a usage error");
    let said = env.ok(&["man", "--out", "man"]);
    assert!(
        said.starts_with("wrote ") && said.ends_with(" manual pages in man\n"),
        "{said}"
    );
    let page = std::fs::read_to_string(env.path("man/samskap-report.1")).unwrap();
    assert!(page.starts_with(".ie \\n(.g .ds Aq"), "a roff page: {page}");
    assert!(
        page.contains("samskap\\-report") && page.contains("\\-\\-lang"),
        "{page}"
    );
    assert!(env.path("man/samskap.1").is_file());
    assert!(env.path("man/samskap-code-exemplar-add.1").is_file());
}

/// A slip in a flag's value is a usage error (exit 2) that names the closest value; case
/// does not matter where a value is a name; `--json` answers errors in JSON; every cause is
/// said once.
#[test]
fn slips_are_usage_errors_that_name_the_closest_value() {
    let env = Env::new();
    env.import_thesis();
    let usage = |args: &[&str]| env.misused(args);
    let err = usage(&[
        "agreement",
        "compute",
        "x.csv",
        "--metric",
        "kripendorff_alpha",
    ]);
    assert!(err.contains("did you mean `krippendorff_alpha`?"), "{err}");
    let err = usage(&["agreement", "compute", "x.csv", "--level", "ordinl"]);
    assert!(err.contains("did you mean `ordinal`?"), "{err}");
    let err = usage(&["quotes", "--polarity", "barier"]);
    assert!(err.contains("did you mean `barrier`?"), "{err}");
    let err = usage(&["quotes", "--qualifier", "polarity=opportunty"]);
    assert!(err.contains("did you mean `opportunity`?"), "{err}");
    // Case is no slip: `Barrier` is `barrier`.
    let upper = env.ok(&["--json", "quotes", "--polarity", "Barrier"]);
    assert_eq!(
        upper,
        env.ok(&["--json", "quotes", "--polarity", "barrier"])
    );

    // --json: errors as JSON on stderr, with the flag they are about.
    let run = env.run(&["--json", "quotes", "--polarity", "barier"]);
    let e: serde_json::Value = serde_json::from_slice(&run.stderr).unwrap();
    assert_eq!(e["error"]["kind"], "usage");
    assert_eq!(e["error"]["field"], "--polarity");
    let run = env.run(&[
        "--json",
        "agreement",
        "compute",
        "x.csv",
        "--metric",
        "alpha",
    ]);
    assert_eq!(run.status.code(), Some(2));
    let e: serde_json::Value = serde_json::from_slice(&run.stderr).unwrap();
    assert_eq!(e["error"]["kind"], "usage");
    assert_eq!(e["error"]["field"], "--metric");
    let run = env.run(&["--json", "import", "nosuchdir"]);
    assert_eq!(run.status.code(), Some(1));
    let e: serde_json::Value = serde_json::from_slice(&run.stderr).unwrap();
    assert_eq!(e["error"]["kind"], "error");
    // Said once, not `nosuchdir: nosuchdir: …`.
    assert_eq!(e["error"]["message"], "nosuchdir: not a directory");
    let err = env.fails(&["import", "nosuchdir"]);
    assert_eq!(err, "error: nosuchdir: not a directory\n");
    // --help is no error.
    let run = env.run(&["--json", "--help"]);
    assert_eq!(run.status.code(), Some(0));
}

/// `serve` on a store that is not there refuses, as every other command does, rather than
/// serve a new empty one from a mistyped path; nothing is created.
#[test]
fn serve_refuses_a_missing_store() {
    let env = Env::new();
    let err = env.fails(&["serve", "--addr", "127.0.0.1:0"]);
    assert!(err.contains("no store at"), "{err}");
    assert!(!env.db().exists());
}
