//! End-to-end tests of `samskap taguette import` over `fixtures/taguette/project.sqlite3`
//! (made with Taguette's own code): every highlight arrives with the text of the snippet
//! Taguette stored, the report counts what it should, `--project` chooses, and files that
//! are not what they claim are refused with the store unchanged and the file left as it was.

use std::path::{Path, PathBuf};

use samskap_store::Store;

mod common;

use common::{fixtures, Env};

fn fixture() -> PathBuf {
    fixtures().join("taguette/project.sqlite3")
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// A copy of the fixture in the scratch directory, to edit or to watch.
fn copy(env: &Env, name: &str) -> PathBuf {
    let p = env.path(name);
    std::fs::copy(fixture(), &p).unwrap();
    p
}

/// Whitespace runs as one space (a snippet is HTML, whose spaces a browser collapses).
fn comparable(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// (highlight id, document id, snippet) of a project's highlights, read from the file.
fn highlights(file: &Path, project: i64) -> Vec<(i64, i64, String)> {
    let conn =
        rusqlite::Connection::open_with_flags(file, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .unwrap();
    let mut st = conn
        .prepare(
            "SELECT h.id, h.document_id, h.snippet FROM highlights h \
             JOIN documents d ON d.id = h.document_id WHERE d.project_id = ?1 ORDER BY h.id",
        )
        .unwrap();
    st.query_map([project], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

/// Each unit of the study as (informant, text).
fn units(env: &Env, study: &str) -> Vec<(String, String)> {
    let store = Store::open_existing(&env.db()).unwrap();
    let study = store.load_study(&study.parse().unwrap()).unwrap();
    study
        .units()
        .iter()
        .map(|u| {
            let text = study.transcript(&u.source).unwrap().slice(u.span);
            (u.source.to_string(), text.to_owned())
        })
        .collect()
}

#[test]
fn every_highlight_arrives_with_the_text_of_its_snippet() {
    for (project, study) in [(1, "p1"), (2, "p2")] {
        let env = Env::new();
        env.ok(&[
            "taguette",
            "import",
            s(&fixture()),
            "--project",
            &project.to_string(),
            "--id",
            study,
        ]);
        let units = units(&env, study);
        let hl = highlights(&fixture(), project);
        assert_eq!(units.len(), hl.len(), "one unit per highlight");
        for (id, doc, snippet) in hl {
            // The snippet laid out as the transcript is (its `<br>` a line break).
            let want = comparable(samskap_taguette::Document::read(&snippet).text());
            assert!(
                units
                    .iter()
                    .any(|(i, text)| *i == format!("D{doc}") && comparable(text) == want),
                "highlight {id}: no unit of D{doc} reads `{want}`; units: {units:?}"
            );
        }
    }
}

#[test]
fn letters_emoji_entities_and_paragraphs_arrive_as_written() {
    let env = Env::new();
    env.ok(&["taguette", "import", s(&fixture()), "--project", "1"]);
    let texts: Vec<String> = units(&env, "ung-inkludering-taguette")
        .into_iter()
        .map(|(_, t)| t)
        .collect();
    for want in [
        "ungdommene 🙂.",
        "NAV & skolen",
        "møtene\u{a0}tar tid",
        "Ærlig talt: 👩\u{200d}👧 familien betyr mest",
        "bra, men møtene\u{a0}tar tid.\n\nÆrlig talt: 👩\u{200d}👧 familien",
        "Første linje\nandre linje",
        "én\npunkt to 🚀",
    ] {
        assert!(texts.iter().any(|t| t == want), "`{want}` not in {texts:?}");
    }
}

#[test]
fn the_report_counts_documents_codes_codings_and_coders() {
    let env = Env::new();
    let v = env.json(&["taguette", "import", s(&fixture()), "--project", "1"]);
    assert_eq!(v["study"], "ung-inkludering-taguette");
    assert_eq!(v["framework"], "ung-inkludering-taguette-tags");
    assert_eq!(v["informants"], 2);
    assert_eq!(v["units"], 10);
    assert_eq!(v["codings"], 11);
    let r = &v["report"];
    assert_eq!(r["counting"], "utf8");
    assert_eq!(r["tags"], 5);
    // Ressurser, Ressurser.Tid, Samarbeid (a level only), Samarbeid.På tvers, Familie, Ubrukt.
    assert_eq!(r["codes"], 6);
    assert_eq!(r["levels_added"], 1);
    assert_eq!(r["untagged"], serde_json::json!([7]));
    assert_eq!(r["snippet_mismatches"], serde_json::json!([]));
    let coders: Vec<(String, u64)> = r["coders"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["coder"].as_str().unwrap().to_owned(),
                c["codings"].as_u64().unwrap(),
            )
        })
        .collect();
    // Highlight 8 is in no log entry and the project has two members: `--coder`.
    assert_eq!(
        coders,
        [
            ("kari".into(), 5),
            ("ola".into(), 5),
            ("taguette".into(), 1)
        ]
    );
    assert_eq!(r["attribution"]["default_coder"], 1);
    let not_in: Vec<&str> = r["not_brought_in"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p[0].as_str().unwrap())
        .collect();
    assert!(
        not_in
            .iter()
            .any(|w| w.starts_with("document descriptions")),
        "{not_in:?}"
    );

    // The tags' tree, their descriptions as definitions, and who coded what.
    let store = Store::open_existing(&env.db()).unwrap();
    let study = store
        .load_study(&"ung-inkludering-taguette".parse().unwrap())
        .unwrap();
    let f = study.framework();
    let tid = f.code(&"ressurser/tid".parse().unwrap()).unwrap();
    assert_eq!(tid.definition, "Mangel på tid til oppfølging.");
    assert!(f.code(&"samarbeid/pa-tvers".parse().unwrap()).is_some());
    let first = study
        .codings()
        .iter()
        .find(|c| study.unit_text(c.unit) == "for lite tid")
        .unwrap();
    assert_eq!(
        (first.code.as_str(), first.coder.as_str()),
        ("ressurser/tid", "kari")
    );
    // Every informant's consent is pending.
    for i in study.informants() {
        assert_eq!(
            i.details.as_ref().unwrap().consent,
            samskap_core::ActiveConsent::Pending
        );
    }

    // The text report says the same.
    let env = Env::new();
    let text = env.ok(&["taguette", "import", s(&fixture()), "--project", "1"]);
    assert!(
        text.contains("2 informants, 2 sources, 10 meaning units, 11 codings"),
        "{text}"
    );
    assert!(text.contains("positions counted as utf8"), "{text}");
    assert!(
        text.contains(
            "highlights with no tag, kept as meaning units without a coding: 1 (Taguette id 7)"
        ),
        "{text}"
    );
}

#[test]
fn a_file_of_several_projects_needs_project_and_the_only_member_codes() {
    let env = Env::new();
    let e = env.fails(&["taguette", "import", s(&fixture())]);
    assert!(e.contains("several projects"), "{e}");
    assert!(
        e.contains("1 `Ung inkludering – Taguette`") && e.contains("2 `Pilot`"),
        "{e}"
    );
    assert!(!env.db().exists(), "a refused import makes no store");

    let e = env.fails(&["taguette", "import", s(&fixture()), "--project", "Nope"]);
    assert!(e.contains("no project `Nope`"), "{e}");

    let v = env.json(&["taguette", "import", s(&fixture()), "--project", "Pilot"]);
    assert_eq!(v["study"], "pilot");
    assert_eq!(v["project"], 2);
    assert_eq!(v["codings"], 1);
    // No log entry for the highlight; the project's one member is `admin`.
    assert_eq!(v["report"]["attribution"]["only_member"], 1);
    assert_eq!(v["report"]["coders"][0]["coder"], "admin");
}

#[test]
fn positions_can_be_counted_otherwise() {
    // The Pilot project is ASCII: every counting finds the same words.
    let env = Env::new();
    env.ok(&[
        "taguette",
        "import",
        s(&fixture()),
        "--project",
        "2",
        "--id",
        "a",
    ]);
    env.ok(&[
        "taguette",
        "import",
        s(&fixture()),
        "--project",
        "2",
        "--id",
        "b",
        "--positions",
        "code-points",
    ]);
    assert_eq!(units(&env, "a")[0].1, "tillit");
    assert_eq!(units(&env, "b")[0].1, "tillit");
    // Project 1 counted in code points is not what Taguette wrote: refused, or warned of.
    let out = env.run(&[
        "taguette",
        "import",
        s(&fixture()),
        "--project",
        "1",
        "--id",
        "c",
        "--positions",
        "code-points",
    ]);
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        !out.status.success() || all.contains("differs from the snippet"),
        "{all}"
    );
    let e = env.fails(&["taguette", "import", s(&fixture()), "--positions", "bytes"]);
    assert!(e.contains("--positions"), "{e}");
}

/// Imports `file` into a store that holds the mini study and expects a refusal naming the
/// file and mentioning `expect`, with the store and the file unchanged.
fn refused(env: &Env, file: &Path, args: &[&str], expect: &str) {
    let before_file = std::fs::read(file).ok();
    let dir = file.parent().unwrap();
    let listing = |d: &Path| {
        let mut v: Vec<String> = std::fs::read_dir(d)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    };
    let before_dir = listing(dir);
    let before = serde_json::to_value(
        Store::open_existing(&env.db())
            .unwrap()
            .load_study(&"mini".parse().unwrap())
            .unwrap(),
    )
    .unwrap();
    let mut all = vec!["taguette", "import", s(file)];
    all.extend(args);
    let e = env.fails(&all);
    assert!(e.contains(expect), "expected `{expect}` in: {e}");
    assert!(e.contains(s(file)), "the message names the file: {e}");
    let store = Store::open_existing(&env.db()).unwrap();
    let ids: Vec<String> = store
        .studies()
        .unwrap()
        .iter()
        .map(|s| s.id.to_string())
        .collect();
    assert_eq!(ids, ["mini"]);
    let after = serde_json::to_value(store.load_study(&"mini".parse().unwrap()).unwrap()).unwrap();
    assert_eq!(before, after);
    assert_eq!(
        std::fs::read(file).ok(),
        before_file,
        "the file is left as it was"
    );
    assert_eq!(
        listing(dir),
        before_dir,
        "nothing is written beside the file"
    );
}

fn edited(env: &Env, name: &str, sql: &str) -> PathBuf {
    let dir = env.path("in");
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(name);
    std::fs::copy(fixture(), &p).unwrap();
    let conn = rusqlite::Connection::open(&p).unwrap();
    conn.execute_batch(sql).unwrap();
    drop(conn);
    p
}

fn mini_store() -> Env {
    let env = Env::new();
    env.ok(&["import", s(&fixtures().join("mini"))]);
    env
}

#[test]
fn a_file_that_is_not_sqlite_is_refused() {
    let env = mini_store();
    std::fs::create_dir_all(env.path("in")).unwrap();
    let p = env.path("in/project.sqlite3");
    std::fs::write(&p, "<html>not a database</html>").unwrap();
    refused(&env, &p, &[], "is not an SQLite database");
}

#[test]
fn an_sqlite_file_that_is_not_taguette_is_refused_naming_what_is_missing() {
    let env = mini_store();
    std::fs::create_dir_all(env.path("in")).unwrap();
    let p = env.path("in/other.sqlite3");
    let conn = rusqlite::Connection::open(&p).unwrap();
    conn.execute_batch(
        "CREATE TABLE projects (id INTEGER PRIMARY KEY, name TEXT); \
         CREATE TABLE notes (body TEXT);",
    )
    .unwrap();
    drop(conn);
    refused(&env, &p, &[], "is not a Taguette database");
    let e = env.fails(&["taguette", "import", s(&p)]);
    assert!(e.contains("no table `documents`"), "{e}");
    assert!(
        e.contains("table `projects` has no column `description`"),
        "{e}"
    );

    // A view in place of a table would run the file's own SQL: not read.
    let p = edited(
        &env,
        "view.sqlite3",
        "ALTER TABLE tags RENAME TO real_tags; CREATE VIEW tags AS SELECT * FROM real_tags;",
    );
    refused(&env, &p, &["--project", "1"], "no table `tags`");
}

#[test]
fn a_highlight_past_the_end_is_refused_naming_it_and_its_document() {
    let env = mini_store();
    let p = edited(
        &env,
        "past.sqlite3",
        "UPDATE highlights SET end_offset = 100000 WHERE id = 3;",
    );
    refused(
        &env,
        &p,
        &["--project", "1"],
        "highlight 3 (document 1, bytes 71..100000)",
    );
    let p = edited(
        &env,
        "inside.sqlite3",
        // Byte 51 is inside the emoji of "ungdommene 🙂.".
        "UPDATE highlights SET end_offset = 51 WHERE id = 2;",
    );
    refused(&env, &p, &["--project", "1"], "falls inside a character");
}

#[test]
fn a_highlight_of_another_project_never_comes_in() {
    // A link from a tag of project 2 to a highlight of project 1 is not a tag of project 1.
    let env = mini_store();
    let p = edited(
        &env,
        "cross.sqlite3",
        "INSERT INTO highlight_tags VALUES (1, 6);",
    );
    refused(&env, &p, &["--project", "1"], "highlight 1 carries tag 6");
}

#[cfg(unix)]
#[test]
fn a_symbolic_link_is_refused() {
    let env = mini_store();
    std::fs::create_dir_all(env.path("in")).unwrap();
    let target = copy(&env, "real.sqlite3");
    let link = env.path("in/link.sqlite3");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    refused(&env, &link, &["--project", "1"], "is a symbolic link");
}

#[test]
fn a_file_over_the_size_limit_is_refused_and_the_limit_can_be_raised() {
    let env = mini_store();
    std::fs::create_dir_all(env.path("in")).unwrap();
    // The fixture grown past 1 MiB by a table Taguette does not have.
    let p = edited(
        &env,
        "big.sqlite3",
        "CREATE TABLE padding (b BLOB); INSERT INTO padding VALUES (zeroblob(1500000));",
    );
    refused(
        &env,
        &p,
        &["--max-file-mb", "1", "--project", "1"],
        "--max-file-mb",
    );
    env.ok(&[
        "--max-file-mb",
        "2",
        "taguette",
        "import",
        s(&p),
        "--project",
        "1",
    ]);
}

#[test]
fn replace_is_needed_to_import_again() {
    let env = Env::new();
    env.ok(&["taguette", "import", s(&fixture()), "--project", "2"]);
    let e = env.fails(&["taguette", "import", s(&fixture()), "--project", "2"]);
    assert!(e.contains("pilot"), "{e}");
    let v = env.json(&[
        "taguette",
        "import",
        s(&fixture()),
        "--project",
        "2",
        "--replace",
    ]);
    assert_eq!(v["replaced"], true);
}
