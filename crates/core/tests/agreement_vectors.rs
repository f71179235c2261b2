//! Every reference case of `fixtures/agreement/vectors.json` passes within its tolerance.

use std::path::Path;

use samskap_core::agreement::{Level, Metric, ReliabilityData};

#[test]
fn reference_vectors() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/agreement");
    let vectors: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("vectors.json")).unwrap()).unwrap();
    let cases = vectors["cases"].as_array().unwrap();
    assert!(cases.len() >= 60, "vectors.json lost cases");
    let mut failures = Vec::new();
    for case in cases {
        let id = case["id"].as_str().unwrap();
        let file = std::fs::File::open(dir.join(case["file"].as_str().unwrap())).unwrap();
        let data = ReliabilityData::read_csv(file, |_| {}).unwrap();
        let metric: Metric = case["metric"].as_str().unwrap().parse().unwrap();
        let level: Level = case["level"].as_str().unwrap().parse().unwrap();
        let order: Option<Vec<String>> = case["order"]
            .as_array()
            .map(|o| o.iter().map(|v| v.as_str().unwrap().to_owned()).collect());
        let got = data.compute(metric, level, order.as_deref()).unwrap();
        let expected = case["expected"].as_f64();
        let tolerance = case["tolerance"].as_f64().unwrap();
        let ok = match (got.value, expected) {
            (Some(g), Some(e)) => (g - e).abs() <= tolerance,
            (None, None) => got.reason.is_some(),
            _ => false,
        };
        if !ok {
            failures.push(format!("{id}: got {:?}, expected {expected:?}", got.value));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
