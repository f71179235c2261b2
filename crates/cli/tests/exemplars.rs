//! `samskap code exemplar add|remove|list`: the units an analyst chooses to illustrate a
//! code, kept through export and import, through a merge of codes, and refused where the
//! unit is not coded with the code.

mod common;

use common::Env;

/// The I2 unit the demo codes `resources/time-people-money` (by coders A and B).
const UNIT: &[&str] = &[
    "--transcript",
    "I2",
    "--quote",
    "Det er veldig kort tid fra februar til nå",
    "--suffix",
    " når man kanskje møtes",
];

fn args<'a>(head: &[&'a str], code: &'a str) -> Vec<&'a str> {
    let mut v = head.to_vec();
    v.extend_from_slice(UNIT);
    v.extend_from_slice(&["--code", code]);
    v
}

/// The whole unit's text, as the demo's I2 transcript holds it at 1419..1998.
fn whole_unit() -> String {
    let text = std::fs::read_to_string(common::thesis().join("transcripts/I2.txt")).unwrap();
    text.chars().skip(1419).take(1998 - 1419).collect()
}

#[test]
fn an_exemplar_is_chosen_listed_exported_and_taken_back() {
    let env = Env::new();
    env.import_thesis();
    assert!(env
        .ok(&["code", "exemplar", "list"])
        .starts_with("no exemplars chosen"));
    // Part of the unit is not a unit coded with the code: refused, nothing marked.
    let e = env.fails(&args(
        &["code", "exemplar", "add"],
        "resources/time-people-money",
    ));
    assert!(
        e.contains("an exemplar is a unit coded with its code"),
        "{e}"
    );
    assert!(
        e.contains("resources/time-people-money on I2 1419..1460"),
        "{e}"
    );
    let whole = whole_unit();
    let unit = ["--transcript", "I2", "--quote", whole.as_str()];
    let with = |head: &[&'static str], code: &'static str| {
        let mut v: Vec<&str> = head.to_vec();
        v.extend_from_slice(&unit);
        v.extend_from_slice(&["--code", code]);
        v
    };
    // Another code than the unit's: refused too.
    let e = env.fails(&with(
        &["code", "exemplar", "add"],
        "culture/holistic-approach",
    ));
    assert!(e.contains("no coding of the code on that unit"), "{e}");
    let said = env.ok(&with(
        &["code", "exemplar", "add"],
        "resources/time-people-money",
    ));
    assert_eq!(
        said,
        "chose I2 1419..1998 as an exemplar of resources/time-people-money (2 codings)\n"
    );
    let list = env.json(&["code", "exemplar", "list"]);
    assert_eq!(
        list,
        serde_json::json!([{
            "code": "resources/time-people-money",
            "source": "I2",
            "start": 1419,
            "end": 1998,
            "text": whole,
        }])
    );

    // Export writes the column, a new store reads it back.
    let out = env.path("bundle");
    env.ok(&["export", out.to_str().unwrap()]);
    let csv = std::fs::read_to_string(out.join("codings.csv")).unwrap();
    assert!(
        csv.starts_with("source,prefix,exact,suffix,code,polarity,coder,memo,exemplar\n"),
        "{csv}"
    );
    assert_eq!(csv.lines().filter(|l| l.ends_with(",yes")).count(), 2);
    let other = Env::new();
    other.ok(&["import", out.to_str().unwrap()]);
    assert_eq!(other.json(&["code", "exemplar", "list"]), list);

    // Taken back: the list is empty, and an export has no column for it.
    let said = env.ok(&with(
        &["code", "exemplar", "remove"],
        "resources/time-people-money",
    ));
    assert!(said.starts_with("no longer chose I2 1419..1998"), "{said}");
    assert_eq!(
        env.json(&["code", "exemplar", "list"]),
        serde_json::json!([])
    );
    let again = env.path("again");
    env.ok(&["export", again.to_str().unwrap()]);
    let csv = std::fs::read_to_string(again.join("codings.csv")).unwrap();
    assert!(csv.starts_with("source,prefix,exact,suffix,code,polarity,coder,memo\n"));
}

#[test]
fn an_exemplar_follows_its_code_through_a_rename_and_a_merge() {
    let env = Env::new();
    env.import_thesis();
    let whole = whole_unit();
    env.ok(&[
        "code",
        "exemplar",
        "add",
        "--transcript",
        "I2",
        "--quote",
        &whole,
        "--code",
        "resources/time-people-money",
    ]);
    env.ok(&[
        "code",
        "rename",
        "resources/time-people-money",
        "time",
        "--by",
        "A",
        "--note",
        "test",
    ]);
    let list = env.json(&["code", "exemplar", "list"]);
    assert_eq!(list[0]["code"], "resources/time");
    // Coder A also codes the unit with another code, chosen there instead; merging the two
    // makes A's codings one, which keeps the choice (the earlier of them was not chosen).
    let unit = ["--transcript", "I2", "--quote", whole.as_str()];
    let mut add = vec!["code", "add"];
    add.extend_from_slice(&unit);
    add.extend_from_slice(&[
        "--code",
        "culture/holistic-approach",
        "--polarity",
        "barrier",
        "--coder",
        "A",
    ]);
    env.ok(&add);
    for (verb, code) in [
        ("remove", "resources/time"),
        ("add", "culture/holistic-approach"),
    ] {
        let mut a = vec!["code", "exemplar", verb];
        a.extend_from_slice(&unit);
        a.extend_from_slice(&["--code", code]);
        env.ok(&a);
    }
    env.ok(&[
        "code",
        "merge",
        "resources/time",
        "culture/holistic-approach",
        "--into",
        "resources/merged",
        "--by",
        "A",
        "--note",
        "test",
    ]);
    let list = env.json(&["code", "exemplar", "list"]);
    assert_eq!(list.as_array().unwrap().len(), 1, "{list}");
    assert_eq!(list[0]["code"], "resources/merged");
    assert_eq!(list[0]["start"], 1419);
}
