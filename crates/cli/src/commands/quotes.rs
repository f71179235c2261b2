//! `samskap quotes`: coded quotes, filtered.

use std::io::Write;

use samskap_core::analysis;

use crate::args::{Cli, QuotesArgs};
use crate::output;

pub fn run(cli: &Cli, args: &QuotesArgs, out: &mut dyn Write) -> anyhow::Result<()> {
    let (_, study) = super::load(cli)?;
    let filter = super::filter(&args.filter, &study)?;
    let quotes = analysis::quotes(&study, &filter);
    if cli.json {
        return output::json(out, &quotes);
    }
    let rows = quotes
        .into_iter()
        .map(|q| {
            vec![
                q.code.to_string(),
                q.polarity.to_string(),
                q.informant.to_string(),
                q.group.map_or_else(|| "–".into(), |g| g.to_string()),
                q.coder.to_string(),
                q.text,
            ]
        })
        .collect();
    output::table(
        out,
        &["code", "polarity", "informant", "group", "coder", "quote"],
        rows,
    )
}
