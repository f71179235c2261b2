//! Property tests of the reliability-data CSV reader, which reads files people are sent: any
//! bytes give a value or an error, never a panic, and every measure on what it read is a value
//! or a reason.
//!
//! The case count is bounded for CI; `PROPTEST_CASES=100000 cargo test -p samskap-core --test
//! props` runs longer.

use proptest::prelude::*;
use samskap_core::agreement::{Level, Metric, ReliabilityData};

fn read_and_compute(bytes: &[u8]) {
    let Ok(data) = ReliabilityData::read_csv(bytes, |_| {}) else {
        return;
    };
    let order: Vec<String> = data.labels().iter().rev().cloned().collect();
    for metric in Metric::ALL {
        for level in [
            Level::Nominal,
            Level::Ordinal,
            Level::Interval,
            Level::Ratio,
        ] {
            let _ = data.compute(metric, level, None);
            let _ = data.compute(metric, level, Some(&order));
        }
    }
}

/// A cell: mostly small labels and numbers (so units agree and disagree), sometimes missing,
/// sometimes hostile text.
fn cell() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => prop::sample::select(vec!["a", "b", "c", "1", "2", "3.5", "-0", "1e308", "NaN", "inf"])
            .prop_map(str::to_owned),
        2 => Just(String::new()),
        1 => prop::sample::select(vec!["\"", "\"\"", "a,b", "\r", "\n", "ø", "\u{feff}", "\0", "1e-400"])
            .prop_map(str::to_owned),
        1 => any::<String>(),
    ]
}

/// A CSV-like text: a header of some coders, then rows of uneven length.
fn table() -> impl Strategy<Value = String> {
    (
        1usize..6,
        prop::collection::vec(prop::collection::vec(cell(), 0..8), 0..40),
    )
        .prop_map(|(coders, rows)| {
            let mut s = String::from("unit");
            for c in 0..coders {
                s.push_str(&format!(",c{c}"));
            }
            s.push('\n');
            for (i, row) in rows.iter().enumerate() {
                // Units repeat now and then: the reader must refuse, not double count.
                s.push_str(&format!("u{}", i % 37));
                for v in row {
                    s.push(',');
                    s.push_str(v);
                }
                s.push('\n');
            }
            s
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn any_bytes_read_or_refuse(bytes in prop::collection::vec(any::<u8>(), 0..2048)) {
        read_and_compute(&bytes);
    }

    #[test]
    fn tables_read_or_refuse(text in table()) {
        read_and_compute(text.as_bytes());
    }
}
