//! `samskap search` as a researcher types it: plain words by default (never FTS5 syntax),
//! FTS5's query language with `--fts`, other forms of Norwegian words unless `--exact`.

mod common;

use std::path::{Path, PathBuf};

use common::{copy_dir, fixtures, thesis, Env};

/// Copies a directory tree.
/// Imports the demo thesis as a study in Norwegian: its bundle with `language = "nb"`.
fn import_norwegian(env: &Env) -> PathBuf {
    let dir = env.path("nb");
    copy_dir(&thesis(), &dir);
    let toml = dir.join("study.toml");
    let text = std::fs::read_to_string(&toml).unwrap();
    assert!(!text.contains("language"));
    let text = text.replacen("\n[[", "language = \"nb\"\n\n[[", 1);
    std::fs::write(&toml, text).unwrap();
    env.ok(&["import", dir.to_str().unwrap()]);
    dir
}

/// The `matched` text of each hit of a JSON search.
fn matched(hits: &serde_json::Value) -> Vec<String> {
    hits.as_array()
        .unwrap()
        .iter()
        .map(|h| h["matched"].as_str().unwrap().to_owned())
        .collect()
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8(out.stderr.clone()).unwrap()
}

#[test]
fn plain_text_is_searched_as_words_never_as_fts_syntax() {
    let env = Env::new();
    env.import_thesis();
    for (text, found) in [
        ("NAV-hatt", "NAV-hatt"),
        ("PP-tjenesten", "PP-tjenesten"),
        ("14.", "14"),
        ("nav hatt", "NAV-hatt"),
    ] {
        assert_eq!(matched(&env.json(&["search", text])), [found], "{text}");
        let out = env.ok(&["search", text]);
        assert!(out.ends_with("\n1 hit\n"), "{out}");
    }
    // Several arguments are one text, as if quoted.
    assert_eq!(
        matched(&env.json(&["search", "hele", "kommunen"])),
        ["hele kommunen", "hele kommunen"]
    );
    // What FTS5 would read as syntax (or fail on) is words: none of these is an error.
    for text in [
        "kommune's",
        "AND",
        "\"unclosed",
        "møtearena*",
        "a OR",
        "text:x",
        "(x",
    ] {
        let out = env.run(&["search", text]);
        assert_eq!(out.status.code(), Some(0), "{text}: {}", stderr(&out));
    }
    // The study names no language: words as written, and a note says why.
    let out = env.run(&["search", "kommune"]);
    assert!(String::from_utf8_lossy(&out.stdout).ends_with("2 hits\n"));
    let note = stderr(&out);
    assert!(
        note.starts_with("note: words found as written only, as the study names no language"),
        "{note}"
    );
    assert!(note.contains("language = \"nb\""), "{note}");
}

#[test]
fn text_without_a_word_is_a_usage_error() {
    let env = Env::new();
    env.import_thesis();
    for text in ["--", ".", "", "- - -", "\"*\""] {
        let err = env.misused(&["search", "--", text]);
        assert_eq!(
            err,
            format!(
                "error: search `{text}`: no word to search for (a word is letters or digits; \
                 spaces and punctuation only separate words)\n"
            )
        );
    }
    let out = env.run(&["search", ".", "--json"]);
    assert_eq!(out.status.code(), Some(2));
    let err: serde_json::Value = serde_json::from_slice(&out.stderr).unwrap();
    assert_eq!(err["error"]["kind"], "usage");
    // Refused before the store is opened: there need not be one.
    let empty = Env::new();
    assert!(empty
        .misused(&["search", "."])
        .contains("no word to search for"));
}

#[test]
fn an_fts_query_fts5_refuses_is_a_usage_error_that_says_where_the_syntax_is() {
    let env = Env::new();
    env.import_thesis();
    for (text, why) in [
        ("AND", "syntax error near \"AND\""),
        ("NAV-hatt", "no such column: hatt"),
        ("\"unclosed", "unterminated string"),
        ("14.", "syntax error near \".\""),
    ] {
        let err = env.misused(&["search", "--fts", text]);
        assert!(
            err.starts_with(&format!(
                "error: --fts: `{text}` is not a valid FTS5 query ({why}). The syntax"
            )),
            "{err}"
        );
        assert!(err.contains("docs/analysis.md"), "{err}");
        assert!(!err.contains("fts5:"), "{err}");
    }
    let out = env.run(&["search", "--fts", "AND", "--json"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let err: serde_json::Value = serde_json::from_slice(&out.stderr).unwrap();
    assert_eq!(err["error"]["kind"], "usage");
    assert_eq!(err["error"]["field"], "--fts");
    // The query language itself works as before, on the words as written: every occurrence
    // of either word in a transcript that holds both.
    let both = matched(&env.json(&["search", "--fts", "NAV AND hatt"]));
    assert!(both.len() > 2, "{both:?}");
    assert!(both.iter().all(|m| m == "NAV" || m == "hatt"), "{both:?}");
    assert!(!matched(&env.json(&["search", "--fts", "møtearena*"])).is_empty());
    // --exact is what --fts does already.
    env.misused(&["search", "--fts", "--exact", "kommune"]);
}

#[test]
fn a_norwegian_study_finds_every_form_of_a_word_unless_exact() {
    let env = Env::new();
    import_norwegian(&env);
    let all = matched(&env.json(&["search", "kommune"]));
    let mut forms: Vec<String> = all.iter().map(|m| m.to_lowercase()).collect();
    forms.sort();
    forms.dedup();
    assert_eq!(forms, ["kommune", "kommunen", "kommunene", "kommuner"]);
    assert_eq!(all.len(), 14);
    assert_eq!(matched(&env.json(&["search", "kommunene"])), all);
    assert_eq!(
        matched(&env.json(&["search", "kommune", "--exact"])),
        ["kommune", "kommune"]
    );
    // In a Norwegian study no note is due.
    let out = env.run(&["search", "kommune"]);
    assert!(stderr(&out).is_empty(), "{}", stderr(&out));
    assert!(String::from_utf8_lossy(&out.stdout).ends_with("14 hits\n"));
    // A phrase of forms.
    assert_eq!(
        matched(&env.json(&["search", "hele kommune"])),
        ["hele kommunen", "hele kommunen"]
    );
}

/// How many terms of the index `index` begin with `prefix`, by FTS5's own vocabulary.
fn terms(db: &Path, index: &str, prefix: &str) -> i64 {
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.execute_batch(&format!(
        "CREATE VIRTUAL TABLE temp.vocab USING fts5vocab(main, {index}, row);"
    ))
    .unwrap();
    conn.query_row(
        "SELECT count(*) FROM temp.vocab WHERE term LIKE ?1 || '%'",
        [prefix],
        |r| r.get(0),
    )
    .unwrap()
}

#[test]
fn withdrawal_also_empties_the_index_of_stems() {
    let env = Env::new();
    import_norwegian(&env);
    let hits = env.json(&["search", "kommuneoverlege"]);
    assert_eq!(matched(&hits), ["kommuneoverlegens"]);
    assert_eq!(hits[0]["source"], "I4");
    assert_eq!(terms(&env.db(), "transcript_stems", "kommuneover"), 1);
    env.ok(&["informant", "withdraw", "I4", "--yes"]);
    assert!(matched(&env.json(&["search", "kommuneoverlege"])).is_empty());
    // Not a term of either index is left, nor its bytes in the file.
    for index in ["transcript_fts", "transcript_stems"] {
        assert_eq!(terms(&env.db(), index, "kommuneover"), 0, "{index}");
    }
    assert!(
        terms(&env.db(), "transcript_stems", "") > 0,
        "the others' stems stay"
    );
    let bytes = std::fs::read(env.db()).unwrap();
    assert!(!bytes.windows(11).any(|w| w == b"kommuneover"));
}

#[test]
fn a_store_made_before_the_index_of_stems_searches_once_opened() {
    let env = Env::new();
    std::fs::copy(fixtures().join("stores/schema-15.db"), env.db()).unwrap();
    // `kilder` named no language then: its words as written.
    let out = env.run(&["--study", "kilder", "search", "Møte", "--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let hits: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(matched(&hits), ["møte", "møte"]);
    assert_eq!(
        matched(&env.json(&["--study", "kilder", "search", "--fts", "møte*"])).len(),
        6
    );
    // Imported again from its bundle, which names Norwegian: every form.
    let bundle = fixtures().join("sources");
    env.ok(&["import", "--replace", bundle.to_str().unwrap()]);
    assert_eq!(
        matched(&env.json(&["--study", "kilder", "search", "Møte"])),
        ["møtene", "møter", "møter", "møte", "møte", "møtes"]
    );
}
