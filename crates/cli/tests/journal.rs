//! `samskap history` and `samskap undo` (the journal of edits), `memo list|edit|remove` and
//! `informant consent`, end to end.

mod common;

use common::Env;

/// A unit of I1 that the demo codes only as part of a longer one.
const I1: &[&str] = &[
    "--transcript",
    "I1",
    "--quote",
    "Du har jo ulike tradisjoner.",
];

/// The demo's whole first unit of I1, which coder A codes `culture/holistic-approach`.
const I1_WHOLE: &str = "Du har jo ulike tradisjoner. Ulike kulturer i de ulike tjenesteområdene som har etablert seg gjennom mange år. (...) Allikevel så er det vel kanskje den store, helhetlige tanken som ikke har blitt definert sammen på fryktelig lenge. Jeg vet ikke om den noen gang har vært definert sammen heller.";

fn code_add<'a>(unit: &[&'a str], coder: &'a str) -> Vec<&'a str> {
    let mut v = vec!["code", "add"];
    v.extend_from_slice(unit);
    v.extend_from_slice(&[
        "--code",
        "culture/holistic-approach",
        "--polarity",
        "barrier",
        "--coder",
        coder,
    ]);
    v
}

#[test]
fn history_lists_who_did_what_and_undo_reverts_the_newest_edit() {
    let env = Env::new();
    env.ok(&["--as", "kari", "import", common::thesis().to_str().unwrap()]);
    env.ok(&[&["--as", "kari"][..], &code_add(I1, "C")].concat());
    let added = env.ok(&[
        "--as", "ola", "memo", "add", "--author", "A", "--text", "Et notat",
    ]);
    assert_eq!(added, "added memo 12 on the study by A\n");
    env.ok(&["--as", "ola", "informant", "consent", "I2", "pending"]);

    let h = env.json(&["history"]);
    let h = h.as_array().unwrap();
    let kinds: Vec<&str> = h.iter().map(|e| e["kind"].as_str().unwrap()).collect();
    assert_eq!(
        kinds,
        [
            "informant.consent",
            "memo.add",
            "coding.add",
            "study.import"
        ]
    );
    let who: Vec<&str> = h.iter().map(|e| e["who"].as_str().unwrap()).collect();
    assert_eq!(who, ["ola", "ola", "kari", "kari"]);
    assert!(h.iter().all(|e| e["via"] == "cli"));
    assert_eq!(
        h[2]["summary"],
        "coded I1 0..28 as culture/holistic-approach (polarity=barrier) by C"
    );
    assert_eq!(h[3]["undoable"], false);
    assert!(chrono::DateTime::parse_from_rfc3339(h[0]["at"].as_str().unwrap()).is_ok());
    assert_eq!(
        env.json(&["history", "--limit", "1"])
            .as_array()
            .unwrap()
            .len(),
        1
    );
    let table = env.ok(&["history"]);
    assert!(
        table.contains("set the consent of informant I2 from given to pending"),
        "{table}"
    );
    assert!(table.contains("can be undone"), "{table}");

    let said = env.ok(&["--as", "per", "undo"]);
    assert!(
        said.starts_with(&format!(
            "undid #{} (informant.consent: set the consent of informant I2 from given to pending), made by ola on ",
            h[0]["id"]
        )),
        "{said}"
    );
    let consent = env.json(&["informants"]);
    assert_eq!(consent[1]["id"], "I2");
    assert_eq!(consent[1]["consent"], "given");
    // By number (`#` or not), in JSON.
    let memo_entry = format!("#{}", h[1]["id"]);
    let undone = env.json(&["undo", &memo_entry]);
    assert_eq!(undone["reverted"]["kind"], "memo.add");
    assert_eq!(undone["entry"]["undoes"], h[1]["id"]);
    assert_eq!(env.json(&["memo", "list"]).as_array().unwrap().len(), 11);
    let e = env.fails(&["undo", &memo_entry]);
    assert!(e.contains("was undone already"), "{e}");
    env.ok(&["undo"]);

    // Only the import is left: nothing to undo is an error, exit 1.
    let e = env.fails(&["undo"]);
    assert!(
        e.contains("nothing to undo in study `ung-inkludering-demo`"),
        "{e}"
    );
    let e = env.fails(&["undo", &h[3]["id"].to_string()]);
    assert!(e.contains("an import is undone by importing"), "{e}");
    let e = env.misused(&["undo", "twelve"]);
    assert!(e.contains("is not an entry of the journal"), "{e}");
    let after = env.json(&["history"]);
    let undos = after
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "undo")
        .count();
    assert_eq!(undos, 3);
    assert_eq!(after[2]["who"], "per");
}

#[test]
fn an_edit_something_later_depends_on_is_not_undone() {
    let env = Env::new();
    env.import_thesis();
    // C codes a unit as A did, so that a reconcile of A and C agrees on it.
    env.ok(&code_add(&["--transcript", "I1", "--quote", I1_WHOLE], "C"));
    let coded = env.json(&["history", "--limit", "1"])[0]["id"].clone();
    let r = env.ok(&["--as", "kari", "code", "reconcile", "--coders", "A,C"]);
    assert!(r.starts_with("recorded 1 consensus coding "), "{r}");
    let reconciled = env.json(&["history", "--limit", "1"])[0].clone();
    assert_eq!(reconciled["kind"], "coding.reconcile");

    let e = env.fails(&["undo", &coded.to_string()]);
    assert!(
        e.contains(&format!(
            "entry #{} (coding.reconcile: recorded 1 consensus coding from coders A, C",
            reconciled["id"]
        )),
        "{e}"
    );
    assert!(e.contains("by kari at"), "{e}");
    assert!(
        e.contains(&format!(
            "undo that first (`samskap undo {}`)",
            reconciled["id"]
        )),
        "{e}"
    );
    // Undone in order, both go.
    env.ok(&["undo"]);
    env.ok(&["undo", &coded.to_string()]);
    let codings = env.json(&["code", "list", "--coder", "C"]);
    assert!(codings.as_array().unwrap().is_empty());

    // A withdrawal is final, and nothing before it can be undone.
    env.ok(&["memo", "add", "--author", "A", "--text", "Et notat"]);
    env.ok(&["informant", "withdraw", "I3", "--yes"]);
    let w = env.json(&["history", "--limit", "1"])[0].clone();
    assert_eq!(w["kind"], "informant.withdraw");
    let e = env.fails(&["undo", &w["id"].to_string()]);
    assert!(
        e.contains("a withdrawal deletes the informant's material for good"),
        "{e}"
    );
    let e = env.fails(&["undo"]);
    assert!(e.contains("nothing to undo"), "{e}");
}

#[test]
fn memos_are_listed_edited_and_removed_by_id() {
    let env = Env::new();
    env.import_thesis();
    let all = env.json(&["memo", "list"]);
    let all = all.as_array().unwrap();
    assert_eq!(all.len(), 11);
    assert_eq!(all[0]["id"], 1);
    assert_eq!(all[0]["code"], "culture/holistic-approach");
    // A code and the codes under it.
    let culture = env.json(&["memo", "list", "--code", "culture"]);
    let codes: Vec<&str> = culture
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["code"].as_str().unwrap())
        .collect();
    assert_eq!(
        codes,
        [
            "culture/holistic-approach",
            "culture/own-organisation-anchoring",
            "culture/belief-in-change"
        ]
    );
    let e = env.misused(&["memo", "list", "--code", "culture/holistic"]);
    assert!(
        e.contains("did you mean `culture/holistic-approach`?"),
        "{e}"
    );

    assert_eq!(
        env.ok(&["memo", "edit", "2", "--text", "Ny tekst"]),
        "changed the text of memo 2\n"
    );
    let listed = env.ok(&[
        "memo",
        "list",
        "--code",
        "culture/own-organisation-anchoring",
    ]);
    assert!(listed.contains("Ny tekst"), "{listed}");
    let removed = env.json(&["memo", "remove", "3"]);
    assert_eq!(removed["code"], "culture/belief-in-change");
    assert_eq!(env.json(&["memo", "list"]).as_array().unwrap().len(), 10);

    let e = env.fails(&["memo", "edit", "3", "--text", "x"]);
    assert!(e.contains("has no memo 3"), "{e}");
    let e = env.fails(&["memo", "remove", "99"]);
    assert!(e.contains("has no memo 99"), "{e}");
    assert!(e.contains("samskap memo list"), "{e}");

    // Undone, the memo is back with its id; then the old text.
    env.ok(&["undo"]);
    env.ok(&["undo"]);
    assert_eq!(
        env.json(&["memo", "list"]),
        serde_json::Value::Array(all.clone())
    );
}

#[test]
fn consent_is_given_or_pending_and_never_undoes_a_withdrawal() {
    let env = Env::new();
    env.import_thesis();
    assert_eq!(
        env.ok(&["informant", "consent", "I1", "pending"]),
        "informant `I1`'s consent is pending (was given)\n"
    );
    assert_eq!(
        env.ok(&["informant", "consent", "I1", "Pending"]),
        "informant `I1`'s consent is pending already\n"
    );
    let j = env.json(&["informant", "consent", "I1", "given"]);
    assert_eq!(j["changed"], true);
    assert_eq!(j["was"], "pending");

    let e = env.misused(&["informant", "consent", "I1", "withdrawn"]);
    assert!(e.contains("samskap informant withdraw ID"), "{e}");
    let e = env.misused(&["informant", "consent", "I1", "giv"]);
    assert!(e.contains("is not a consent"), "{e}");
    let e = env.fails(&["informant", "consent", "i1", "given"]);
    assert!(
        e.contains("has no informant `i1`: did you mean `I1`?"),
        "{e}"
    );

    env.ok(&["informant", "withdraw", "I1", "--yes"]);
    let e = env.fails(&["informant", "consent", "I1", "given"]);
    assert!(e.contains("has withdrawn"), "{e}");
}

#[test]
fn who_is_the_as_flag_else_the_system_user() {
    let env = Env::new();
    env.import_thesis();
    let run = |user: Option<&str>, args: &[&str]| {
        let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_samskap"));
        c.env_remove("SAMSKAP_DB")
            .env_remove("USER")
            .env_remove("USERNAME")
            .arg("--db")
            .arg(env.db())
            .args(args);
        if let Some(u) = user {
            c.env("USER", u);
        }
        let out = c.output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    run(Some("ola"), &["informant", "consent", "I1", "pending"]);
    run(None, &["informant", "consent", "I1", "given"]);
    run(
        Some("ola"),
        &["--as", "kari", "informant", "consent", "I1", "pending"],
    );
    // A codebook edit's `--by` follows --as too.
    run(
        Some("ola"),
        &[
            "--as",
            "kari",
            "code",
            "rename",
            "culture/belief-in-change",
            "belief",
        ],
    );
    let h = env.json(&["history", "--limit", "4"]);
    let who: Vec<&str> = h
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["who"].as_str().unwrap())
        .collect();
    assert_eq!(who, ["kari", "kari", "unknown", "ola"]);
    let log = env.json(&["framework", "log"]);
    assert_eq!(log.as_array().unwrap().last().unwrap()["by"], "kari");

    let e = env.misused(&["--as", " kari", "informant", "consent", "I1", "given"]);
    assert!(e.contains("--as:"), "{e}");
}
