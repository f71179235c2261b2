//! `--ci` on `samskap agreement` and `agreement compute`: alpha's bootstrapped interval
//! (Hayes & Krippendorff 2007), reproducible from its seed, and nothing of it without the
//! flag.

mod common;

use common::{fixtures, Env};

fn file(name: &str) -> String {
    fixtures()
        .join("agreement")
        .join(name)
        .to_str()
        .unwrap()
        .to_owned()
}

#[test]
fn agreement_ci_adds_an_interval_per_code_and_pooled() {
    let env = Env::new();
    env.import_thesis();
    let plain = env.ok(&["agreement"]);
    assert!(!plain.contains("CI"), "{plain}");
    let plain_json = env.ok(&["agreement", "--json"]);
    assert!(!plain_json.contains("interval"), "{plain_json}");

    let json = env.json(&["agreement", "--ci"]);
    let mut measures: Vec<&serde_json::Value> = Vec::new();
    for code in json["per_code"].as_array().unwrap() {
        measures.extend([&code["units"], &code["characters"]]);
    }
    measures.extend([&json["overall"]["units"], &json["overall"]["characters"]]);
    let mut bounded = 0;
    for m in measures {
        let alpha = m["krippendorff_alpha"]["value"].as_f64();
        let i = &m["alpha_interval"];
        assert_eq!(i["resamples"], 10_000);
        assert_eq!(i["seed"], 2007);
        match alpha {
            Some(a) if a < 1.0 => {
                let (low, high) = (i["low"].as_f64().unwrap(), i["high"].as_f64().unwrap());
                assert!(-1.0 <= low && low <= high && high <= 1.0, "{i}");
                let q = i["q_below"].as_array().unwrap();
                assert_eq!(q[0]["alpha_min"], 0.667);
                assert_eq!(q[1]["alpha_min"], 0.8);
                bounded += 1;
            }
            _ => {
                assert!(i["low"].is_null() && i["high"].is_null(), "{i}");
                assert!(i["reason"].is_string(), "{i}");
            }
        }
    }
    assert!(bounded >= 10, "{bounded}");
    // The measures themselves are those without --ci.
    let plain: serde_json::Value = serde_json::from_str(&plain_json).unwrap();
    assert_eq!(
        json["overall"]["units"]["krippendorff_alpha"],
        plain["overall"]["units"]["krippendorff_alpha"]
    );

    let table = env.ok(&["agreement", "--ci"]);
    assert!(table.contains("units: alpha 95% CI"), "{table}");
    assert!(table.contains("chars: alpha 95% CI"), "{table}");
    assert!(table.contains("10000 resamples, seed 2007"), "{table}");
    // The same seed gives the same intervals; --resamples and --seed reach the bootstrap.
    let args = ["agreement", "--ci", "--resamples", "500", "--seed", "9"];
    let once = env.json(&args);
    assert_eq!(once, env.json(&args));
    assert_eq!(once["overall"]["units"]["alpha_interval"]["resamples"], 500);
    assert_eq!(once["overall"]["units"]["alpha_interval"]["seed"], 9);
}

#[test]
fn agreement_compute_ci_gives_the_interval_and_the_chance_of_failing() {
    let env = Env::new();
    let data = file("kripp2011_c_4coders_missing.csv");
    let alpha = [
        "agreement",
        "compute",
        &data,
        "--metric",
        "krippendorff_alpha",
    ];
    let plain = env.ok(&alpha);
    assert!(!plain.contains("CI"), "{plain}");
    let v = env.json(&[&alpha[..], &["--ci"]].concat());
    let (value, i) = (v["value"].as_f64().unwrap(), &v["interval"]);
    assert!(i["low"].as_f64().unwrap() < value && value < i["high"].as_f64().unwrap());
    // 4 coders, 40 pairable values, 17 non-empty cells: min(25 × 17, 3 × 40 / 2) draws.
    assert_eq!(i["draws"], 60);
    assert_eq!(i["q_below"].as_array().unwrap().len(), 2);
    let table = env.ok(&[&alpha[..], &["--ci", "--resamples", "1000"]].concat());
    assert!(table.contains("alpha 95% CI"), "{table}");
    assert!(table.contains("q(alpha < 0.8)"), "{table}");
    assert!(
        table.contains("1000 resamples of 60 pairs, seed 2007"),
        "{table}"
    );

    // Perfect agreement has no interval, and says so.
    std::fs::write(env.path("same.csv"), "unit,A,B\n1,x,x\n2,y,y\n").unwrap();
    let v = env.json(&[
        "agreement",
        "compute",
        "same.csv",
        "--metric",
        "krippendorff_alpha",
        "--ci",
    ]);
    assert!(v["interval"]["low"].is_null());
    assert!(v["interval"]["reason"]
        .as_str()
        .unwrap()
        .contains("never disagree"));

    let kappa = file("cohen1960_200units.csv");
    let err = env.fails(&[
        "agreement",
        "compute",
        &kappa,
        "--metric",
        "scott_pi",
        "--ci",
    ]);
    assert!(err.contains("krippendorff_alpha only"), "{err}");
    let err = env.fails(&[&alpha[..], &["--ci", "--resamples", "0"]].concat());
    assert!(err.contains("resamples"), "{err}");
    // --seed means nothing without --ci: a usage error.
    let out = env.run(&[&alpha[..], &["--seed", "3"]].concat());
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--ci"));
}
