//! `samskap agreement compute FILE`: agreement on raw reliability data.

use std::io::Write;

use anyhow::Context;
use samskap_core::agreement::{Level, Metric, Outcome, ReliabilityData};

use crate::args::{Cli, ComputeArgs};
use crate::{output, progress};

pub fn compute(cli: &Cli, args: &ComputeArgs, out: &mut dyn Write) -> anyhow::Result<()> {
    let metric: Metric = args.metric.parse().context("--metric")?;
    let level: Level = args.level.parse().context("--level")?;
    let path = &args.file;
    let file = std::fs::File::open(path).with_context(|| format!("{}", path.display()))?;
    let size = file.metadata().map(|m| m.len()).unwrap_or(0);
    let bar = progress::bytes(size, "reading");
    let data = ReliabilityData::read_csv(std::io::BufReader::new(file), |b| bar.set_position(b))
        .with_context(|| format!("{}", path.display()))?;
    bar.finish_and_clear();
    let outcome = data
        .compute(metric, level, args.order.as_deref())
        .with_context(|| format!("{}", path.display()))?;
    print(cli, &outcome, out)
}

/// Prints an outcome as a table or as one JSON object.
pub fn print(cli: &Cli, o: &Outcome, out: &mut dyn Write) -> anyhow::Result<()> {
    if cli.json {
        return output::json(out, o);
    }
    let value = o.value.map_or_else(
        || format!("undefined: {}", o.reason.as_deref().unwrap_or("")),
        |v| format!("{v:.6}"),
    );
    output::pairs(
        out,
        &[
            ("metric", o.metric.to_string()),
            ("level", o.level.to_string()),
            ("value", value),
            ("units", o.units.to_string()),
            ("pairable units", o.pairable_units.to_string()),
            ("coders", o.coders.to_string()),
        ],
    )
}
