//! A CLI that forgives typing: unknown ids answered with the closest, quotes found despite
//! whitespace and offered when mistyped, empty results said in words, and a warning when a
//! coder compared coded almost nothing.

mod common;

use common::Env;

/// The demo's unit that the README tour codes, as its coders A and B coded it.
const UNIT: &str = "Da er prosjektperioden for kort, rett og slett.";

#[test]
fn an_unknown_id_gets_the_closest_or_the_list() {
    let env = Env::new();
    env.import_thesis();
    let cases: [(&[&str], &str); 8] = [
        (
            &["quotes", "--group", "g1"],
            "--group: the study has no group `g1`: did you mean `G1`?",
        ),
        (
            &["source", "show", "i3"],
            "no source `i3` in the store: did you mean `I3`?",
        ),
        (
            &["informant", "withdraw", "I9", "--yes"],
            "no informant `I9` in the store: use one of I1, I2, I3, I4, I5, I6",
        ),
        (
            &["--study", "ung-inkludering-dem", "informants"],
            "no study `ung-inkludering-dem` in the store: did you mean `ung-inkludering-demo`?",
        ),
        (
            &["quotes", "--code", "infrastructure"],
            "has no code `infrastructure`: did you mean `structure/infrastructure`?",
        ),
        (
            &["quotes", "--code", "structure/infrastucture"],
            "did you mean `structure/infrastructure`?",
        ),
        (
            &["quotes", "--code", "structure infrastructure"],
            "has no code `structure infrastructure`: did you mean `structure/infrastructure`?",
        ),
        (
            &[
                "code",
                "add",
                "--transcript",
                "i3",
                "--quote",
                UNIT,
                "--code",
                "structure/infrastructure",
                "--polarity",
                "barrier",
                "--coder",
                "C",
            ],
            "--transcript: the study has no source `i3`: did you mean `I3`?",
        ),
    ];
    for (args, said) in cases {
        let err = env.fails(args);
        assert!(err.contains(said), "{args:?}: {err}");
    }
    // A code's name given where its path is wanted, with the quote found: the code is
    // checked before the text is looked for.
    let err = env.fails(&[
        "code",
        "add",
        "--transcript",
        "I3",
        "--quote",
        "no such words",
        "--code",
        "local-anchoring",
        "--coder",
        "C",
    ]);
    assert!(
        err.contains("did you mean `structure/local-anchoring`?"),
        "{err}"
    );
}

#[test]
fn empty_results_say_so_and_name_the_coders() {
    let env = Env::new();
    env.import_thesis();
    for command in [
        &["quotes"][..],
        &["code", "list"],
        &["matrix"],
        &["cooccur"],
    ] {
        let mut args = command.to_vec();
        args.extend(["--coder", "Z"]);
        let said = env.ok(&args);
        assert_eq!(
            said, "no codings by coder `Z`: the coders are A, B\n",
            "{args:?}"
        );
        args.pop();
        args.push("a");
        let said = env.ok(&args);
        assert_eq!(
            said, "no codings by coder `a`: did you mean `A`?\n",
            "{args:?}"
        );
    }
    // JSON stays data: an empty array for a listing.
    assert_eq!(env.json(&["quotes", "--coder", "Z"]), serde_json::json!([]));
    let said = env.ok(&["quotes", "--code", "culture", "--text", "ingen slike ord"]);
    assert_eq!(said, "no quotes match\n");
    assert_eq!(env.ok(&["search", "zzzyxq"]), "no hits\n");
    assert_eq!(
        env.ok(&["token", "list"]),
        "no tokens: `samskap token create` makes one\n"
    );
    let said = env.ok(&["search", "prosjektperioden"]);
    assert!(said.ends_with("\n1 hit\n"), "{said}");
}

#[test]
fn the_matrix_in_json_has_one_type_per_array() {
    let env = Env::new();
    env.import_thesis();
    let m = env.json(&["matrix", "--coder", "A"]);
    let columns = m["columns"].as_array().unwrap();
    assert!(columns.iter().all(serde_json::Value::is_object), "{m}");
    assert_eq!(
        columns[0],
        serde_json::json!({"kind": "group", "group": "G1"})
    );
    assert_eq!(
        columns.last().unwrap(),
        &serde_json::json!({"kind": "total"})
    );
}

/// The spans the coder `coder` has coded, as `start..end`.
fn spans_of(env: &Env, coder: &str) -> Vec<String> {
    let list = env.json(&["code", "list", "--coder", coder]);
    list.as_array()
        .unwrap()
        .iter()
        .map(|c| format!("{}..{}", c["start"], c["end"]))
        .collect()
}

#[test]
fn whitespace_does_not_make_another_unit_and_a_mistyped_quote_is_offered() {
    let env = Env::new();
    env.import_thesis();
    let code = |coder: &str, quote: &str| {
        env.run(&[
            "code",
            "add",
            "--transcript",
            "I3",
            "--quote",
            quote,
            "--code",
            "resources/time-people-money",
            "--polarity",
            "barrier",
            "--coder",
            coder,
        ])
    };
    let a = spans_of(&env, "A");
    // A trailing space, doubled spaces and a line break: the unit A and B coded.
    for (coder, typed) in [
        ("C", "Da er prosjektperioden for kort, rett og slett. "),
        ("D", "Da er  prosjektperioden for kort,\nrett og slett."),
    ] {
        let out = code(coder, typed);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let spans = spans_of(&env, coder);
        assert_eq!(spans.len(), 1);
        assert!(
            a.contains(&spans[0]),
            "{spans:?} is not a unit of A's: {a:?}"
        );
    }
    // No new meaning unit: agreement counts the units it counted before.
    let before = env.json(&["agreement", "--coders", "A,B"])["units"].clone();
    let all = env.json(&["agreement", "--coders", "A,B,C,D"]);
    assert_eq!(all["units"], before);

    let out = code("E", "Da er prosjekt-perioden altfor kort, rett og slett");
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("did you mean \"Da er prosjektperioden for kort, rett og slett\" (at "),
        "{err}"
    );
}

#[test]
fn a_coder_who_coded_almost_nothing_is_named_and_warned_of() {
    let env = Env::new();
    env.import_thesis();
    env.ok(&[
        "code",
        "add",
        "--transcript",
        "I3",
        "--quote",
        UNIT,
        "--code",
        "resources/time-people-money",
        "--polarity",
        "barrier",
        "--coder",
        "C",
    ]);
    let out = env.run(&["agreement", "--coders", "A,C"]);
    assert!(out.status.success());
    let said = String::from_utf8(out.stdout).unwrap();
    let warned = String::from_utf8(out.stderr).unwrap();
    assert!(said.contains("(A coded 56, C 1)"), "{said}");
    assert!(
        warned.starts_with("warning: coder `C` coded 1 of the 56 meaning units compared (2%)"),
        "{warned}"
    );
    // A and B coded about as much: no warning.
    let out = env.run(&["agreement", "--coders", "A,B"]);
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json = env.json(&["agreement", "--coders", "A,C"]);
    assert_eq!(json["coded"], serde_json::json!([56, 1]));

    let out = env.run(&["code", "reconcile", "--coders", "A,C", "--prefer", "A"]);
    assert!(out.status.success());
    let warned = String::from_utf8(out.stderr).unwrap();
    assert!(warned.contains("coder `C` coded 1 of"), "{warned}");
    let said = String::from_utf8(out.stdout).unwrap();
    assert!(
        said.contains("(0 there already; of the units, A coded 56, C 1)"),
        "{said}"
    );
}
