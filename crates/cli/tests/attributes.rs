//! `--where ATTRIBUTE=VALUE` over `fixtures/thematic`, whose pupils E1 (grade 9, school
//! `ungdomsskole`) and E2 (grade 10, no school of their own) sit in group G1 (school
//! `ungdomsskole`, meets weekly): each command that filters picks the same informants.

mod common;

use std::collections::BTreeSet;

use common::{fixtures, Env};

fn thematic() -> Env {
    let env = Env::new();
    env.ok(&["import", fixtures().join("thematic").to_str().unwrap()]);
    env
}

/// The informants whose words a JSON array's quotes hold.
fn informants(v: &serde_json::Value) -> BTreeSet<String> {
    v.as_array()
        .unwrap()
        .iter()
        .flat_map(|e| e["informants"].as_array().unwrap())
        .map(|i| i.as_str().unwrap().to_owned())
        .collect()
}

/// The informants of a JSON array of search hits (a hit names whose transcript it is in).
fn hit_informants(v: &serde_json::Value) -> BTreeSet<String> {
    // Each informant's interview is named for them.
    v.as_array()
        .unwrap()
        .iter()
        .map(|e| e["source"].as_str().unwrap().to_owned())
        .collect()
}

fn set(ids: &[&str]) -> BTreeSet<String> {
    ids.iter().map(|s| s.to_string()).collect()
}

#[test]
fn where_picks_informants_by_their_own_value_or_their_groups() {
    let env = thematic();
    let quotes = |w: &[&str]| {
        let mut args = vec!["quotes"];
        for x in w {
            args.extend(["--where", x]);
        }
        informants(&env.json(&args))
    };
    assert_eq!(quotes(&[]), set(&["E1", "E2"]));
    assert_eq!(quotes(&["grade=9"]), set(&["E1"]));
    assert_eq!(quotes(&["grade=10.0"]), set(&["E2"]));
    // E2 holds no school of their own: their group's counts.
    assert_eq!(quotes(&["school=ungdomsskole"]), set(&["E1", "E2"]));
    assert_eq!(quotes(&["weekly=true", "grade=10"]), set(&["E2"]));
    assert!(quotes(&["weekly=false"]).is_empty());
    assert_eq!(
        informants(&env.json(&["code", "list", "--where", "grade=9"])),
        set(&["E1"])
    );
    // Values are read trimmed, as a person may type them.
    assert_eq!(quotes(&["school = ungdomsskole"]), set(&["E1", "E2"]));
    let saturation = env.json(&["saturation", "--where", "grade=10"]);
    let interviews: Vec<&str> = saturation
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["informant"].as_str().unwrap())
        .collect();
    assert_eq!(interviews, ["E2"], "{saturation}");
    let hits = env.json(&["search", "--fts", "skolen OR klassen", "--where", "grade=9"]);
    assert_eq!(hit_informants(&hits), set(&["E1"]));
    let all = env.json(&["search", "--fts", "skolen OR klassen"]);
    assert_eq!(hit_informants(&all), set(&["E1", "E2"]));
}

#[test]
fn matrix_with_where_counts_only_the_picked_informants() {
    let env = thematic();
    let total = |args: &[&str]| -> u64 {
        let mut a = vec!["matrix", "--split", "none"];
        a.extend(args);
        let m = env.json(&a);
        let home = m["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["key"] == "home")
            .unwrap()
            .clone();
        home["counts"].as_array().unwrap().last().unwrap()["units"]
            .as_u64()
            .unwrap()
    };
    // `home` was coded once in each pupil's transcript.
    assert_eq!(total(&[]), 2);
    assert_eq!(total(&["--where", "grade=10"]), 1);
    assert_eq!(total(&["--where", "grade=11"]), 0);
}

#[test]
fn a_where_the_study_cannot_answer_is_refused_with_the_reason() {
    let env = thematic();
    let err = env.fails(&["quotes", "--where", "shoe=38"]);
    assert!(
        err.contains("the study declares no attribute `shoe` (it declares `grade`, `school`, `started`, `weekly`)"),
        "{err}"
    );
    let err = env.fails(&["matrix", "--where", "grade=ni"]);
    assert!(
        err.contains("--where: attribute `grade`: `ni` is not a number value"),
        "{err}"
    );
    let err = env.fails(&["search", "skolen", "--where", "grade"]);
    assert!(err.contains("`grade` is not ATTRIBUTE=VALUE"), "{err}");
    let err = env.fails(&["quotes", "--where", "started=21.08.2023"]);
    assert!(err.contains("write a day as YYYY-MM-DD"), "{err}");
}

#[test]
fn informants_and_study_show_list_the_attributes() {
    let env = thematic();
    let list = env.ok(&["informants"]);
    let header = list.lines().nth(1).unwrap();
    assert!(
        header.contains("units") && header.ends_with("┆ Trinn ┆ Skoleslag    │"),
        "{list}"
    );
    let e2 = list.lines().find(|l| l.contains("E2")).unwrap();
    assert!(e2.contains("┆ 10    ┆ –            │"), "{e2}");
    let json = env.json(&["informants"]);
    assert_eq!(
        json[0]["attributes"],
        serde_json::json!({"grade": 9, "school": "ungdomsskole"})
    );
    let show = env.ok(&["study", "show"]);
    assert!(
        show.contains(
            "attribute          school: one-of (ungdomsskole, videregående), for informant, group"
        ),
        "{show}"
    );
    let show = env.json(&["study", "show"]);
    assert_eq!(show["attributes"][3]["id"], "weekly");
    assert_eq!(show["attributes"][3]["for"], serde_json::json!(["group"]));
}
