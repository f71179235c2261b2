//! `samskap guide list|show|yield` over the fixtures with interview guides: `fixtures/sources`
//! (a made-up guide in two versions, its interview `int-i3` following version 2 with
//! question marks) and the thesis's published guide in `fixtures/ung-inkludering`, which
//! no source follows.

mod common;

use common::{fixtures, Env};

fn kilder() -> Env {
    let env = Env::new();
    env.ok(&["import", fixtures().join("sources").to_str().unwrap()]);
    env
}

#[test]
fn guide_list_and_show_give_versions_themes_and_questions() {
    let env = kilder();
    let list = env.json(&["guide", "list"]);
    let versions = list[0]["versions"].as_array().unwrap();
    assert_eq!(list[0]["id"], "intervjuguide");
    assert_eq!(versions.len(), 2);
    assert_eq!(versions[0]["sources"], 0);
    assert_eq!(versions[1]["sources"], 1, "int-i3 follows version 2");
    assert_eq!(versions[1]["questions"], 3);
    let shown = env.ok(&["guide", "show", "intervjuguide"]);
    assert!(shown.contains("version 2 of 2"), "{shown}");
    assert!(
        shown.contains("[q1] Hvordan opplevde du oppstarten av gruppene du fasiliterte?"),
        "{shown}"
    );
    let first = env.ok(&["guide", "show", "intervjuguide", "--version", "1"]);
    assert!(
        first.contains("[q1] Hvordan opplevde du oppstarten?\n"),
        "{first}"
    );
    let e = env.fails(&["guide", "show", "intervjuguide", "--version", "3"]);
    assert!(e.contains("has no version 3"), "{e}");
    let e = env.fails(&["guide", "show", "nei"]);
    assert!(e.contains("no guide `nei`"), "{e}");
}

#[test]
fn guide_yield_counts_each_question_and_lists_the_silent_ones() {
    let env = kilder();
    let y = env.json(&["guide", "yield"]);
    assert_eq!(y["sources"], 1);
    let rows = y["rows"].as_array().unwrap();
    let questions: Vec<&str> = rows
        .iter()
        .map(|r| r["question"].as_str().unwrap())
        .collect();
    assert_eq!(
        questions,
        ["q1", "q2", "q3"],
        "in the guide's order, not the interview's"
    );
    let total = |r: &serde_json::Value| r["counts"].as_array().unwrap().last().unwrap().clone();
    // q1: the unit on anchoring (two coders), I3's; q2 gave nothing; q3 the PD competence.
    assert_eq!(total(&rows[0])["units"], 1);
    assert_eq!(total(&rows[0])["informants"], 1);
    assert_eq!(total(&rows[1])["units"], 0);
    assert_eq!(total(&rows[2])["units"], 1);
    let by_b = env.json(&["guide", "yield", "--coder", "B", "--by", "code"]);
    let rows = by_b["rows"].as_array().unwrap();
    assert_eq!(total(&rows[0])["units"], 1);
    assert_eq!(total(&rows[2])["units"], 0);
    let table = env.ok(&[
        "guide",
        "yield",
        "--guide",
        "intervjuguide",
        "--version",
        "2",
    ]);
    assert!(table.contains("│ q2 "), "{table}");
    assert!(
        table.contains("cells: meaning units (distinct informants)"),
        "{table}"
    );
    let none = env.json(&["guide", "yield", "--version", "1"]);
    assert_eq!(none["sources"], 0);
}

#[test]
fn the_thesis_guide_is_there_and_no_source_follows_it() {
    let env = Env::new();
    env.ok(&[
        "import",
        fixtures().join("ung-inkludering").to_str().unwrap(),
    ]);
    let shown = env.ok(&["guide", "show", "intervjuguide"]);
    assert!(shown.contains("\nOm informanten\n"), "{shown}");
    assert!(
        shown.contains("[q35] Dersom dere skulle gjort noe annerledes"),
        "{shown}"
    );
    let y = env.json(&["guide", "yield"]);
    assert_eq!(y["sources"], 0);
    assert_eq!(y["rows"].as_array().unwrap().len(), 35);
}

/// A source added on its own may follow a guide version; its marks count in the yield.
#[test]
fn a_source_added_with_a_guide_counts_in_its_yield() {
    let env = kilder();
    std::fs::write(
        env.path("int-i2.txt"),
        "[q2]\nIntervjuer: Hva har gruppene fått til?\nB: Vi møtes oftere, og vi ringer hverandre.\n",
    )
    .unwrap();
    let args = [
        "source",
        "add",
        "int-i2.txt",
        "--id",
        "int-i2",
        "--kind",
        "interview",
        "--informant",
        "I2",
        "--speaker",
        "B=I2",
        "--speaker",
        "Intervjuer=interviewer",
        "--guide",
        "intervjuguide",
    ];
    // Both or neither: a guide needs its version (clap's usage error, naming it).
    let out = env.run(&args);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--guide-version"));
    // A version the guide does not have: refused by the study's check.
    let err = env.fails(&[&args[..], &["--guide-version", "9"]].concat());
    assert!(err.contains("intervjuguide") && err.contains('9'), "{err}");
    env.ok(&[&args[..], &["--guide-version", "2"]].concat());
    env.ok(&[
        "code",
        "add",
        "--transcript",
        "int-i2",
        "--quote",
        "Vi møtes oftere",
        "--code",
        "structure/infrastructure",
        "--polarity",
        "opportunity",
        "--coder",
        "A",
    ]);
    let y = env.json(&["guide", "yield", "--version", "2"]);
    assert_eq!(y["sources"], 2, "{y}");
    let q2 = y["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["question"] == "q2")
        .unwrap();
    let total = q2["counts"].as_array().unwrap().last().unwrap();
    assert_eq!(total["units"], 1, "{y}");
    assert_eq!(total["informants"], 1, "{y}");
}
