//! Processes racing on one store: `code add` and `code remove` against `transcript replace`,
//! and against a withdrawal. Whatever interleaving happens, every command either does its
//! whole work on the text it meant or is refused, and the store loads afterwards.

mod common;

use std::process::{Command, Output};
use std::thread;

use common::{fixtures, Env};

const QUOTE: &str = "Jeg må prioritere egne brukere først";
const ROUNDS: usize = 25;

fn samskap(env: &Env, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_samskap"))
        .env_remove("SAMSKAP_DB")
        .arg("--db")
        .arg(env.db())
        .args(args)
        .output()
        .unwrap()
}

/// A refusal is fine (the text moved, the informant left, the store was busy); anything else
/// that fails is not.
fn acceptable(out: &Output, args: &[&str]) {
    if out.status.success() {
        return;
    }
    let err = String::from_utf8_lossy(&out.stderr);
    let known = [
        "changed after it was read",
        "has no source",
        "not there any more",
        "is withdrawn",
        "withdrawn",
        "no coding",
        "already coded",
        "not found",
    ];
    assert!(
        out.status.code() == Some(1) && known.iter().any(|k| err.contains(k)),
        "samskap {args:?} failed unexpectedly: {err}"
    );
}

/// Codes QUOTE as coder `coder`, then removes that coding, ROUNDS times.
fn coder_loop(env: &Env, coder: &str) {
    for _ in 0..ROUNDS {
        let coding = [
            "--transcript",
            "I1",
            "--quote",
            QUOTE,
            "--code",
            "collaboration/time",
            "--polarity",
            "barrier",
            "--coder",
            coder,
        ];
        let add: Vec<&str> = ["code", "add"].iter().chain(&coding).copied().collect();
        acceptable(&samskap(env, &add), &add);
        let remove: Vec<&str> = ["code", "remove"].iter().chain(&coding).copied().collect();
        acceptable(&samskap(env, &remove), &remove);
    }
    // One last coding that stays, for the check below.
    let add = [
        "code",
        "add",
        "--transcript",
        "I1",
        "--quote",
        QUOTE,
        "--code",
        "collaboration/time",
        "--polarity",
        "barrier",
        "--coder",
        coder,
    ];
    acceptable(&samskap(env, &add), &add);
}

/// Every stored coding of I1 by the racing coders covers exactly QUOTE.
fn every_racer_coding_covers_the_quote(env: &Env) {
    let list = env.json(&["code", "list"]);
    for row in list.as_array().unwrap() {
        let coder = row["coder"].as_str().unwrap();
        if row["source"] == "I1" && coder.starts_with('R') {
            assert_eq!(row["text"], QUOTE, "a coding landed on other words: {row}");
        }
    }
}

#[test]
fn codings_racing_transcript_replacements_land_on_their_words() {
    let env = Env::new();
    env.ok(&["import", fixtures().join("mini").to_str().unwrap()]);
    let original = std::fs::read_to_string(fixtures().join("mini/transcripts/I1.txt")).unwrap();
    // The second version moves every offset: a stale span would cover other words.
    std::fs::write(env.path("v1.txt"), &original).unwrap();
    std::fs::write(env.path("v2.txt"), format!("Innledning.\n\n{original}")).unwrap();

    thread::scope(|s| {
        s.spawn(|| {
            for round in 0..ROUNDS * 2 {
                let file = env.path(if round % 2 == 0 { "v2.txt" } else { "v1.txt" });
                let args = ["transcript", "replace", "I1", file.to_str().unwrap()];
                acceptable(&samskap(&env, &args), &args);
            }
        });
        for coder in ["R1", "R2"] {
            let env = &env;
            s.spawn(move || coder_loop(env, coder));
        }
    });
    every_racer_coding_covers_the_quote(&env);
    env.ok(&["export", env.path("out").to_str().unwrap()]);
}

#[test]
fn codings_racing_a_withdrawal_leave_a_store_that_loads() {
    let env = Env::new();
    env.ok(&["import", fixtures().join("mini").to_str().unwrap()]);
    thread::scope(|s| {
        for coder in ["R1", "R2"] {
            let env = &env;
            s.spawn(move || coder_loop(env, coder));
        }
        s.spawn(|| {
            thread::sleep(std::time::Duration::from_millis(300));
            let args = ["informant", "withdraw", "I1", "--yes"];
            let out = samskap(&env, &args);
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
        });
    });
    // The study loads (no unit without its transcript), and I1 has no material.
    env.ok(&["export", env.path("out").to_str().unwrap()]);
    let list = env.json(&["code", "list"]);
    let of_i1 = list.as_array().unwrap().iter().filter(|r| {
        r["source"] == "I1"
            || r["informants"]
                .as_array()
                .unwrap()
                .contains(&serde_json::json!("I1"))
    });
    assert_eq!(of_i1.count(), 0, "{list}");
}
