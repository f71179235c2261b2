//! `samskap report --check`: the documented rules over the fixtures, their exit codes and
//! their JSON, and a fix that clears a finding.

mod common;

use common::{fixtures, Env};

fn with(bundle: &str) -> Env {
    let env = Env::new();
    env.ok(&["import", fixtures().join(bundle).to_str().unwrap()]);
    env
}

/// The rule ids a check found, in order.
fn rules(json: &serde_json::Value) -> Vec<String> {
    json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            format!(
                "{}:{}",
                f["severity"].as_str().unwrap(),
                f["rule"].as_str().unwrap()
            )
        })
        .collect()
}

#[test]
fn the_thesis_passes_with_its_small_group_pooled() {
    let env = with("ung-inkludering");
    let said = env.ok(&["report", "--check"]);
    assert_eq!(
        said,
        "warning[small-groups]: pooled in the counts (k = 3): G2 (2), (no group) (1)\n\
         7 rules checked: 0 errors, 1 warning\n"
    );
    // No report is written by a check.
    assert!(std::fs::read_dir(env.dir.path()).unwrap().all(|e| !e
        .unwrap()
        .file_name()
        .to_string_lossy()
        .starts_with("report")));
    // With k = 2 the group is large enough, and only the one in no group is pooled; the
    // pool of one then takes the smallest group with it.
    let json = env.json(&["report", "--check", "--k", "2"]);
    assert_eq!(json["k"], 2);
    assert_eq!(rules(&json), ["warning:small-groups"]);
    assert_eq!(json["errors"], 0);
}

#[test]
fn the_demo_warns_of_its_data_and_its_disagreements_until_they_are_reconciled() {
    let env = with("ung-inkludering-demo");
    let json = env.json(&["report", "--check"]);
    assert_eq!(
        rules(&json),
        [
            "warning:illustrative",
            "warning:small-groups",
            "warning:unreconciled"
        ]
    );
    let unreconciled = &json["findings"][2]["message"];
    assert!(
        unreconciled
            .as_str()
            .unwrap()
            .starts_with("9 units coded differently by `A`, `B`"),
        "{unreconciled}"
    );
    // Reconciled, preferring A: nothing left to reconcile.
    env.ok(&["code", "reconcile", "--prefer", "A"]);
    let json = env.json(&["report", "--check"]);
    assert_eq!(
        rules(&json),
        ["warning:illustrative", "warning:small-groups"]
    );
}

#[test]
fn too_few_informants_fail_the_check_with_exit_1() {
    let env = with("mini");
    let out = env.run(&["report", "--check"]);
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        stdout.contains("error[k-anonymity]: 2 informants with consent in all, fewer than k = 3\n"),
        "{stdout}"
    );
    assert!(
        stdout.contains("warning[consent-pending]: 2 units by `A` hold words"),
        "{stdout}"
    );
    assert_eq!(
        String::from_utf8(out.stderr).unwrap(),
        "error: report check: 1 finding at error level\n"
    );
    // --json: the same findings for machines, and the same exit code.
    let out = env.run(&["report", "--check", "--json"]);
    assert_eq!(out.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["errors"], 1);
    assert_eq!(json["findings"][1]["rule"], "k-anonymity");
    assert_eq!(json["findings"][1]["severity"], "error");
    // k = 2 is met: the check passes.
    env.ok(&["report", "--check", "--k", "2"]);
}

#[test]
fn codings_under_an_earlier_codebook_are_named() {
    let env = with("ung-inkludering");
    env.ok(&[
        "code",
        "rename",
        "structure/infrastructure",
        "cross-sector",
        "--by",
        "lead",
        "--note",
        "test",
    ]);
    let json = env.json(&["report", "--check"]);
    assert_eq!(
        rules(&json),
        ["warning:small-groups", "warning:codebook-version"]
    );
    let m = json["findings"][1]["message"].as_str().unwrap();
    assert!(
        m.starts_with(
            "codings by `thesis` made under another version than the current 2: 47 under version 1"
        ),
        "{m}"
    );
}

#[test]
fn a_report_needs_out_unless_it_checks() {
    let env = with("ung-inkludering");
    let out = env.run(&["report"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--out"));
}
