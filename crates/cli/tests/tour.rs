//! The README's tour, run as written: every line of its shell blocks, in order, in a
//! directory where `fixtures/` is the repository's, with the `samskap` under test first on
//! the PATH and a home of its own. Only `cargo install` is left out: the binary is built.

use std::path::Path;
use std::process::Command;

/// The shell blocks of the README's section `## A short tour`, up to the next section.
fn tour() -> String {
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../README.md"))
            .unwrap();
    let start = readme
        .find("## A short tour")
        .expect("the README has a tour");
    let section = &readme[start..];
    let end = section[3..].find("\n## ").map_or(section.len(), |i| i + 3);
    let mut script = String::new();
    let mut inside = false;
    for line in section[..end].lines() {
        match line.trim_end() {
            "```sh" => inside = true,
            "```" => inside = false,
            l if inside && !l.starts_with("cargo ") => {
                script.push_str(l);
                script.push('\n');
            }
            _ => {}
        }
    }
    script
}

#[test]
fn the_readme_tour_runs_as_written() {
    let script = tour();
    assert!(script.lines().count() > 40, "{script}");
    let dir = tempfile::tempdir().unwrap();
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures");
    std::os::unix::fs::symlink(
        fixtures.canonicalize().unwrap(),
        dir.path().join("fixtures"),
    )
    .unwrap();
    let home = dir.path().join("home");
    std::fs::create_dir(&home).unwrap();
    let bin = Path::new(env!("CARGO_BIN_EXE_samskap")).parent().unwrap();
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    // `set -e`: the first line that fails stops the tour, and `-x` says which it was; the
    // trap stops the server even when a line after its start fails.
    let script = format!("trap 'kill $(jobs -p) 2>/dev/null || true' EXIT\n{script}");
    let out = Command::new("bash")
        .args(["-e", "-x", "-c", &script])
        .current_dir(dir.path())
        .env("PATH", path)
        .env("HOME", &home)
        .env_remove("SAMSKAP_DB")
        .env_remove("TOKEN")
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&out.stdout);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "the tour stopped:\n{err}\n--- stdout:\n{said}"
    );
    // What the tour says it makes is there.
    for made in [
        "samskap.db",
        "report/report.html",
        "rapport/report.md",
        "report/data/index.json",
        "my-study/study.toml",
        "my-study.qdpx",
        "2024-03-01.db",
        "home/.local/share/man/man1/samskap.1",
    ] {
        assert!(dir.path().join(made).exists(), "{made} was not made");
    }
    // The entries the tour names by number are the ones it says: memo 12 is the memo it
    // added, and #6, which it undoes by number, the edit of that memo.
    let history = Command::new(env!("CARGO_BIN_EXE_samskap"))
        .args(["history", "--limit", "100", "--json"])
        .current_dir(dir.path())
        .env_remove("SAMSKAP_DB")
        .output()
        .unwrap();
    let history: serde_json::Value = serde_json::from_slice(&history.stdout).unwrap();
    let six = history
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["id"] == 6)
        .expect("entry #6");
    assert_eq!(six["kind"], "memo.edit", "{six}");
    assert!(
        six["summary"].as_str().unwrap().contains("memo 12"),
        "{six}"
    );
    assert!(!six["undone_by"].is_null(), "{six}");
    // The facilitator's request was answered with G1's members.
    assert!(said.contains("\"id\":\"G1-P1\""), "{said}");
}
