//! Every analysis over a study whose framework is not Bentzen's: `fixtures/thematic` (a
//! three-level tree, codings on inner codes, a `level` qualifier on part of the tree), with
//! a second qualifier, `polarity`, added beside `level` in the test, so that each command is
//! seen working with two qualifiers, with one, and on codes that take none.

mod common;

use common::{copy_dir, fixtures, Env};

/// The thematic bundle with `polarity` declared on every code, after `level`, and given to
/// each coding in the `polarity` column.
fn two_qualifiers(env: &Env) -> std::path::PathBuf {
    let from = fixtures().join("thematic");
    let to = env.path("two");
    copy_dir(&from, &to);
    let mut framework = std::fs::read_to_string(from.join("framework.toml")).unwrap();
    framework.push_str(
        "\n[[qualifier]]\nid = \"polarity\"\nlabel = { en = \"Polarity\" }\n\n\
         [[qualifier.value]]\nid = \"barrier\"\nlabel = { en = \"Barrier\" }\n\n\
         [[qualifier.value]]\nid = \"opportunity\"\nlabel = { en = \"Opportunity\" }\n",
    );
    std::fs::write(to.join("framework.toml"), framework).unwrap();
    // One polarity per coding, in the file's order.
    let polarity = [
        "opportunity", // E1 contact teacher, A, level=individual
        "opportunity", // E1 belonging, A, level=group
        "barrier",     // E1 home, A
        "barrier",     // E2 follow-up, A, no level
        "barrier",     // E2 school, A, level=organisation
        "opportunity", // E2 home, A
        "opportunity", // E1 follow-up, B, level=individual (A's contact-teacher unit)
        "barrier",     // E2 follow-up, B, level=organisation (A's school unit)
    ];
    let csv = std::fs::read_to_string(from.join("codings.csv")).unwrap();
    let mut lines = csv.lines();
    let mut out = format!("{}\n", lines.next().unwrap());
    for (line, p) in lines.zip(polarity) {
        // transcript,prefix,exact,suffix,code,polarity,coder,memo,qualifiers: no field of
        // this fixture holds a comma, so the sixth field is the polarity.
        let mut fields: Vec<&str> = line.split(',').collect();
        assert_eq!(fields.len(), 9, "{line}");
        assert_eq!(fields[5], "");
        fields[5] = p;
        out.push_str(&fields.join(","));
        out.push('\n');
    }
    std::fs::write(to.join("codings.csv"), out).unwrap();
    to
}

fn len(v: &serde_json::Value) -> usize {
    v.as_array().unwrap().len()
}

#[test]
fn every_analysis_works_with_two_qualifiers() {
    let env = Env::new();
    let bundle = two_qualifiers(&env);
    env.ok(&["import", bundle.to_str().unwrap()]);

    // Filters on each qualifier, on both, and on the code's subtree.
    assert_eq!(len(&env.json(&["quotes"])), 8);
    assert_eq!(len(&env.json(&["quotes", "--polarity", "barrier"])), 4);
    assert_eq!(
        len(&env.json(&[
            "quotes",
            "--qualifier",
            "level=individual",
            "--polarity",
            "opportunity"
        ])),
        2
    );
    assert_eq!(len(&env.json(&["quotes", "--code", "school/follow-up"])), 4);
    let err = env.misused(&["quotes", "--qualifier", "level=national"]);
    assert!(err.contains("national") && err.contains("level"), "{err}");

    // Level × polarity, in meaning units: a unit coded by A and B counts once.
    let m = env.json(&["matrix", "--rows", "level", "--cols", "polarity"]);
    assert_eq!(
        m["rows"],
        serde_json::json!(["individual", "group", "organisation", "-"])
    );
    assert_eq!(m["cols"], serde_json::json!(["barrier", "opportunity"]));
    let units: Vec<Vec<u64>> = m["cells"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| {
            row.as_array()
                .unwrap()
                .iter()
                .map(|c| c["units"].as_u64().unwrap())
                .collect()
        })
        .collect();
    assert_eq!(units, [[0, 1], [0, 1], [1, 0], [2, 1]]);

    // The thesis's layout split by either qualifier: the first declared by default.
    let by_level = env.ok(&["matrix", "--by", "top"]);
    assert!(
        by_level.contains("level") && by_level.contains("organisation"),
        "{by_level}"
    );
    let by_polarity = env.ok(&["matrix", "--by", "top", "--split", "polarity"]);
    assert!(by_polarity.contains("barrier"), "{by_polarity}");

    // Agreement keys carry both values; without them, codes alone.
    let a = env.json(&["agreement", "--coders", "A,B"]);
    let keys: Vec<&serde_json::Value> = a["per_code"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| &k["key"])
        .collect();
    assert!(
        keys.iter().any(|k| k["code"] == "school/follow-up"
            && k["qualifiers"]
                == serde_json::json!({"level": "organisation", "polarity": "barrier"})),
        "{keys:?}"
    );
    let plain = env.json(&["agreement", "--coders", "A,B", "--ignore-qualifiers"]);
    assert!(plain["per_code"]
        .as_array()
        .unwrap()
        .iter()
        .all(|k| k["key"]["qualifiers"]
            .as_object()
            .is_none_or(|q| q.is_empty())));
    // B codes two units, both also coded by A on another code: they disagree on both.
    let d = env.json(&["agreement", "disagreements", "--coders", "A,B"]);
    assert_eq!(len(&d), 6);

    // The rest runs over the same study.
    env.ok(&["cooccur"]);
    let s = env.json(&["saturation", "--coder", "A"]);
    assert_eq!(len(&s), 2);
    env.ok(&["report", "--out", "report"]);
    let md = std::fs::read_to_string(env.path("report/report.md")).unwrap();
    assert!(md.contains("Follow-up"), "{md}");
}
