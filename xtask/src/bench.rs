//! `cargo xtask bench agreement`: samskap against the Python `krippendorff` package (numpy)
//! on the same 10 coders × 1,000,000 units file, in the same run: wall time and peak memory
//! of each, end to end (process start to exit), side by side.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::Context;

use crate::measure::{measure, Stdout};
use crate::{build_release, root, run};

pub(crate) fn python() -> PathBuf {
    PathBuf::from("python3")
}

/// Makes sure the peer can run: these Python packages from PyPI (import names equal the
/// package names).
pub(crate) fn ensure_peer(packages: &[&str]) -> anyhow::Result<()> {
    let ok = Command::new(python())
        .args(["-c", &format!("import {}", packages.join(", "))])
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        run(Command::new(python())
            .args(["-m", "pip", "install", "-q"])
            .args(packages))?;
    }
    Ok(())
}

/// The peer, reading the CSV with `numpy` or `pandas`.
pub(crate) fn peer_script(root: &Path) -> PathBuf {
    root.join("xtask/bench/krippendorff_peer.py")
}

/// 10 coders x 1,000,000 units, written once by the fixture's generator.
pub(crate) fn large_case(root: &Path) -> anyhow::Result<PathBuf> {
    let path = root.join("target/bench/agreement_large_10x1M.csv");
    if !path.exists() {
        std::fs::create_dir_all(path.parent().expect("has a parent"))?;
        run(Command::new(python())
            .arg(root.join("fixtures/agreement/gen_large_case.py"))
            .arg(&path))?;
    }
    Ok(path)
}

/// The reference values of the generated case (fixtures/agreement/README.md).
pub(crate) const EXPECTED: [(&str, f64); 2] = [
    ("nominal", 0.509_211_452_218_576_6),
    ("interval", 0.508_846_694_710_146),
];

pub fn agreement() -> anyhow::Result<()> {
    let root = root();
    let samskap = build_release()?;
    ensure_peer(&["krippendorff", "numpy"])?;
    let data = large_case(&root)?;
    let data = data.to_str().context("a UTF-8 path")?;
    let peer = peer_script(&root);
    let peer = peer.to_str().context("a UTF-8 path")?;

    println!("Krippendorff's alpha, 10 coders x 1,000,000 units, 5 values, ~10% missing");
    println!(
        "{:<9} {:>12} {:>13} {:>12} {:>13} {:>9}  values",
        "level", "samskap s", "samskap MiB", "python s", "python MiB", "speed-up"
    );
    for (level, expected) in EXPECTED {
        let ours = measure(
            &samskap,
            &[
                "agreement",
                "compute",
                data,
                "--metric",
                "krippendorff_alpha",
                "--level",
                level,
                "--json",
            ],
            Stdout::Keep,
            None,
        )?
        .done()?;
        let theirs = measure(&python(), &[peer, data, level], Stdout::Keep, None)?.done()?;
        let our_value: f64 = serde_json::from_str::<serde_json::Value>(&ours.stdout)?["value"]
            .as_f64()
            .context("samskap printed no value")?;
        let their_value: f64 = theirs.stdout.trim().parse().context("python's value")?;
        let agree = (our_value - expected).abs() < 1e-9 && (their_value - expected).abs() < 1e-9;
        println!(
            "{:<9} {:>12.2} {:>13.1} {:>12.2} {:>13.1} {:>8.1}x  {}",
            level,
            ours.seconds,
            ours.peak_mib,
            theirs.seconds,
            theirs.peak_mib,
            theirs.seconds / ours.seconds,
            if agree {
                format!("both {our_value:.12}")
            } else {
                format!("DIFFER: samskap {our_value}, python {their_value}, expected {expected}")
            }
        );
    }
    println!(
        "target: samskap at least 3x faster end to end at both levels, peak memory under 200 MiB"
    );
    Ok(())
}
