//! The bootstrap of Krippendorff's alpha agrees with an independent implementation.
//!
//! `tests/data/bootstrap_reference.json` was made once by `tests/data/bootstrap_reference.py`
//! (numpy 2.4.6, PCG64, seed 20070101, 10,000 resamples per case; run as its docstring
//! says). That script shares no code with samskap: it reads the CSV files of
//! `fixtures/agreement/` itself, builds the coincidences unit by unit, and draws each
//! resample's cell counts from numpy's multinomial distribution, where samskap draws
//! uniform numbers one at a time from its own generator. So the two agree only within
//! Monte Carlo error: the bounds of the 95 % interval within 0.02 (each bound's standard
//! error at 10,000 resamples is about 0.002 in these data), or within one step where the
//! resampled alphas can only take values that far apart (two-valued data with few draws,
//! where a percentile lands on one step or the next), and each `q` within 0.02. The number
//! of draws and alpha itself must match exactly.

use std::path::Path;

use samskap_core::agreement::{Bootstrap, Level, Metric, ReliabilityData};

#[test]
fn bootstrap_matches_the_numpy_reference() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let reference: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root.join("tests/data/bootstrap_reference.json")).unwrap(),
    )
    .unwrap();
    let resamples = reference["resamples"].as_u64().unwrap() as u32;
    assert_eq!(resamples, 10_000);
    let spec = Bootstrap::new(resamples, Bootstrap::DEFAULT_SEED)
        .unwrap()
        .with_level(reference["level"].as_f64().unwrap())
        .unwrap()
        .with_minimums(vec![0.667, 0.8])
        .unwrap();
    let cases = reference["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 8, "the reference lost cases");
    let mut failures = Vec::new();
    for case in cases {
        let file = case["file"].as_str().unwrap();
        let level: Level = case["level"].as_str().unwrap().parse().unwrap();
        let reader = std::fs::File::open(root.join("../../fixtures/agreement").join(file)).unwrap();
        let data = ReliabilityData::read_csv(reader, |_| {}).unwrap();
        let alpha = data
            .compute(Metric::KrippendorffAlpha, level, None)
            .unwrap()
            .value
            .unwrap();
        let got = data.bootstrap_alpha(level, None, &spec).unwrap();
        let want = |key: &str| case[key].as_f64().unwrap();
        let bound_tolerance = 0.02_f64.max(want("step")) + 1e-9;
        let (low, high) = (got.low.unwrap(), got.high.unwrap());
        let mut wrong = Vec::new();
        if (alpha - want("alpha")).abs() > 1e-9 {
            wrong.push(format!("alpha {alpha} vs {}", want("alpha")));
        }
        if got.draws != case["draws"].as_u64().unwrap() {
            wrong.push(format!("draws {} vs {}", got.draws, case["draws"]));
        }
        if (low - want("low")).abs() > bound_tolerance {
            wrong.push(format!("low {low:.4} vs {:.4}", want("low")));
        }
        if (high - want("high")).abs() > bound_tolerance {
            wrong.push(format!("high {high:.4} vs {:.4}", want("high")));
        }
        for (failure, expected) in got.q_below.iter().zip(case["q_below"].as_array().unwrap()) {
            let (min, q) = (expected[0].as_f64().unwrap(), expected[1].as_f64().unwrap());
            assert_eq!(failure.alpha_min, min);
            if (failure.q - q).abs() > 0.02 {
                wrong.push(format!("q(alpha < {min}) {:.4} vs {q:.4}", failure.q));
            }
        }
        eprintln!(
            "{file} {level}: alpha {alpha:.4}, [{low:.4}, {high:.4}] vs [{:.4}, {:.4}], q {:?}",
            want("low"),
            want("high"),
            got.q_below.iter().map(|f| f.q).collect::<Vec<_>>()
        );
        if !wrong.is_empty() {
            failures.push(format!("{file} {level}: {}", wrong.join("; ")));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
