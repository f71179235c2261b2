//! Architecture rules checked by code: who may depend on what, and how files open.

use std::path::Path;

use anyhow::Context;

/// Crates that `samskap-core` must never reach, directly or not: it holds no I/O, SQL, HTTP
/// or CLI code, so other studies can reuse it anywhere.
const CORE_FORBIDDEN: &[&str] = &[
    "rusqlite",
    "libsqlite3-sys",
    "tokio",
    "axum",
    "hyper",
    "clap",
];

/// Returns the problems found; empty when tidy.
pub fn check(root: &Path) -> anyhow::Result<Vec<String>> {
    let mut problems = Vec::new();
    let out = std::process::Command::new(env!("CARGO"))
        .current_dir(root)
        .args(["metadata", "--format-version", "1"])
        .output()
        .context("running cargo metadata")?;
    anyhow::ensure!(
        out.status.success(),
        "cargo metadata failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let meta: serde_json::Value = serde_json::from_slice(&out.stdout)?;
    let packages = meta["packages"].as_array().context("packages")?;
    let name_of = |id: &str| {
        packages
            .iter()
            .find(|p| p["id"] == id)
            .and_then(|p| p["name"].as_str())
            .unwrap_or("?")
            .to_owned()
    };
    let nodes = meta["resolve"]["nodes"].as_array().context("resolve")?;
    let deps_of = |id: &str| -> Vec<String> {
        nodes
            .iter()
            .find(|n| n["id"] == id)
            .and_then(|n| n["deps"].as_array())
            .map(|d| {
                d.iter()
                    .filter(|d| {
                        // Normal dependencies only: dev-dependencies do not ship.
                        d["dep_kinds"]
                            .as_array()
                            .is_some_and(|k| k.iter().any(|k| k["kind"].is_null()))
                    })
                    .filter_map(|d| d["pkg"].as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    };
    let id_of = |name: &str| {
        packages
            .iter()
            .find(|p| p["name"] == name)
            .and_then(|p| p["id"].as_str())
            .map(str::to_owned)
    };

    // 1. core reaches none of the forbidden crates.
    if let Some(core) = id_of("samskap-core") {
        let mut seen = vec![core.clone()];
        let mut stack = vec![core];
        while let Some(id) = stack.pop() {
            for d in deps_of(&id) {
                if !seen.contains(&d) {
                    let name = name_of(&d);
                    if CORE_FORBIDDEN.contains(&name.as_str()) {
                        problems.push(format!("samskap-core depends on `{name}`"));
                    }
                    seen.push(d.clone());
                    stack.push(d);
                }
            }
        }
    }

    // 2. Only the store speaks SQL.
    for p in packages {
        let name = p["name"].as_str().unwrap_or("");
        if name.starts_with("samskap-") && name != "samskap-store" {
            let id = p["id"].as_str().unwrap_or("");
            if deps_of(id).iter().any(|d| name_of(d) == "rusqlite") {
                problems.push(format!(
                    "{name} depends on rusqlite: only samskap-store may"
                ));
            }
        }
    }

    // 3. Every source file opens with a `//!` line saying what it holds.
    for dir in ["crates", "xtask"] {
        walk(&root.join(dir), &mut |path| {
            if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(path).unwrap_or_default();
                if !text.trim_start().starts_with("//!") {
                    problems.push(format!(
                        "{} does not open with a `//!` line",
                        path.strip_prefix(root).unwrap_or(path).display()
                    ));
                }
            }
        })?;
    }
    // 4. No orphaned snapshots: a named snapshot's name appears in its test file, and a glob
    //    snapshot's input file still exists (insta's `--unreferenced=reject`, without the
    //    extra tool in CI).
    for krate in std::fs::read_dir(root.join("crates"))? {
        let krate = krate?.path();
        for snaps in [krate.join("tests/snapshots"), krate.join("src/snapshots")] {
            let Ok(entries) = std::fs::read_dir(&snaps) else {
                continue;
            };
            for e in entries {
                let path = e?.path();
                let file = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
                if let Some(problem) = orphan(root, &path, file)? {
                    problems.push(problem);
                }
            }
        }
    }
    Ok(problems)
}

/// Why a snapshot file is an orphan, if it is.
fn orphan(root: &Path, path: &Path, file: &str) -> anyhow::Result<Option<String>> {
    let rel = path
        .strip_prefix(root)
        .unwrap_or(path)
        .display()
        .to_string();
    let Some(stem) = file.strip_suffix(".snap") else {
        return Ok(Some(format!("{rel}: not a snapshot (pending review?)")));
    };
    let text = std::fs::read_to_string(path)?;
    if stem.contains('@') {
        let input = text
            .lines()
            .skip(1)
            .take_while(|l| *l != "---")
            .find_map(|l| l.strip_prefix("input_file: "));
        return Ok(match input {
            Some(input) if root.join(input).exists() => None,
            Some(input) => Some(format!("{rel}: its input {input} is gone")),
            None => Some(format!("{rel}: glob snapshot without input_file")),
        });
    }
    let (module, name) = stem.split_once("__").unwrap_or(("", stem));
    let source = text
        .lines()
        .skip(1)
        .take_while(|l| *l != "---")
        .find_map(|l| l.strip_prefix("source: "))
        .map(|s| root.join(s));
    let referenced = source
        .as_deref()
        .and_then(|s| std::fs::read_to_string(s).ok())
        .is_some_and(|src| src.contains(&format!("\"{name}\"")));
    Ok((!referenced).then(|| format!("{rel}: snapshot `{name}` of `{module}` is not referenced")))
}

fn walk(dir: &Path, f: &mut dyn FnMut(&Path)) -> anyhow::Result<()> {
    for e in std::fs::read_dir(dir)? {
        let path = e?.path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if path.is_dir() {
            if name != "target" && name != "snapshots" {
                walk(&path, f)?;
            }
        } else {
            f(&path);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn tidy() {
        let problems = super::check(&crate::root()).unwrap();
        assert!(
            problems.is_empty(),
            "tidy problems:\n{}",
            problems.join("\n")
        );
    }
}
