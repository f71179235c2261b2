//! How long the bootstrap of alpha adds to a study's agreement at a million meaning units.
//! Run in release mode: `cargo run --release -p samskap-core --example bootstrap_speed`.
//!
//! It builds a made-up coding table of 1,000,000 units in 1,000 sources, coded by two coders
//! with codes of `bentzen-2018` (the second coder agrees on 85 % of the units and otherwise
//! gives another code), then times `study_agreement` and `study_agreement_with_intervals`
//! with the default bootstrap, and the bootstrap of one tally of 1,000,000 units. The times
//! are printed, not checked: a timed test would fail on a busy machine.

use std::time::Instant;

use samskap_core::agreement::{
    study_agreement, study_agreement_with_intervals, Bootstrap, Granularity, Level, Tally,
};
use samskap_core::source::Voices;
use samskap_core::{CoderId, Framework, Qualifiers, TableBuilder, TableCoding};

const UNITS: u32 = 1_000_000;
const SOURCES: u32 = 1_000;
const UNIT_CHARS: usize = 60;

fn main() {
    let framework = Framework::builtin("bentzen-2018").expect("built in");
    let codes: Vec<_> = framework.codes().iter().map(|c| c.id.clone()).collect();
    let mut b = TableBuilder::new(framework, Vec::new(), Vec::new()).expect("no groups");
    let polarity: [Qualifiers; 2] = [
        "polarity=barrier".parse().expect("qualifier"),
        "polarity=opportunity".parse().expect("qualifier"),
    ];
    let polarity = polarity.map(|q| b.qualifiers(&q));
    let coders: Vec<CoderId> = ["A", "B"].map(|c| c.parse().expect("coder id")).into();
    let a = b.coder(&coders[0]);
    let second = b.coder(&coders[1]);
    let ranks: Vec<u32> = codes.iter().map(|c| b.code(c).expect("code")).collect();
    let per_source = UNITS / SOURCES;
    // A fixed linear congruential sequence: the same table every run.
    let mut state: u64 = 42;
    let mut next = move || {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (state >> 33) as u32
    };
    for s in 0..SOURCES {
        let source = b
            .source(
                format!("S{s}").parse().expect("source id"),
                per_source as usize * UNIT_CHARS,
                None,
                Voices::Everyone(Vec::new()),
            )
            .expect("source");
        for u in 0..per_source as usize {
            let unit = b
                .unit(source, u * UNIT_CHARS, (u + 1) * UNIT_CHARS)
                .expect("unit");
            let code = ranks[next() as usize % ranks.len()];
            let qualifiers = polarity[next() as usize % 2];
            let other = if next() % 100 < 85 {
                code
            } else {
                ranks[next() as usize % ranks.len()]
            };
            for (coder, code) in [(a, code), (second, other)] {
                let coding = TableCoding {
                    unit,
                    code,
                    qualifiers,
                    coder,
                };
                if b.coding(coding, None, false).is_err() {
                    // A code that takes no polarity: code it without one.
                    let none = b.qualifiers(&Qualifiers::none());
                    b.coding(
                        TableCoding {
                            qualifiers: none,
                            ..coding
                        },
                        None,
                        false,
                    )
                    .expect("coding without qualifiers");
                }
            }
        }
    }
    let table = b.finish().expect("table");
    let g = Granularity::CodeAndQualifiers;
    let spec = Bootstrap::default();

    let start = Instant::now();
    let plain = study_agreement(&table, &coders, g);
    let plain_time = start.elapsed();
    let start = Instant::now();
    let with = study_agreement_with_intervals(&table, &coders, g, &spec);
    let with_time = start.elapsed();
    let tallies = 2 * with.per_code.len() + 2;
    let overall = with
        .overall
        .units
        .alpha_interval
        .as_ref()
        .expect("asked for");
    println!(
        "{} units, {} keys: study_agreement {:.3} s; with intervals ({} tallies, {} resamples each) {:.3} s",
        plain.units,
        plain.per_code.len(),
        plain_time.as_secs_f64(),
        tallies,
        spec.resamples(),
        with_time.as_secs_f64(),
    );
    println!(
        "pooled alpha on units {:.4}, 95 % interval [{:.4}, {:.4}] from {} draws per resample",
        with.overall
            .units
            .krippendorff_alpha
            .value
            .unwrap_or(f64::NAN),
        overall.low.unwrap_or(f64::NAN),
        overall.high.unwrap_or(f64::NAN),
        overall.draws,
    );
    let first = &with.per_code[0];
    let interval = first.units.alpha_interval.as_ref().expect("asked for");
    println!(
        "{} (units by A / B: {:?}): alpha {:.4}, 95 % interval [{:.4}, {:.4}], q {:?}",
        first.key,
        first.applied,
        first.units.krippendorff_alpha.value.unwrap_or(f64::NAN),
        interval.low.unwrap_or(f64::NAN),
        interval.high.unwrap_or(f64::NAN),
        interval
            .q_below
            .iter()
            .map(|f| (f.alpha_min, f.q))
            .collect::<Vec<_>>(),
    );

    let mut tally = Tally::new(2);
    for i in 0..u64::from(UNITS) {
        let x = u32::from(i % 7 == 0);
        let y = if i % 11 == 0 { 1 - x } else { x };
        tally.add_unit(&[Some(x), Some(y)]);
    }
    let start = Instant::now();
    let one = tally.bootstrap_alpha(Level::Nominal, None, &spec);
    println!(
        "one tally of {UNITS} units: bootstrap {:.4} s, interval [{:.4}, {:.4}]",
        start.elapsed().as_secs_f64(),
        one.low.unwrap_or(f64::NAN),
        one.high.unwrap_or(f64::NAN),
    );
}
