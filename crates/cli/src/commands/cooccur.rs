//! `samskap cooccur`: codes applied to overlapping spans.

use std::io::Write;

use samskap_core::analysis;

use crate::args::{Cli, QuotesArgs};
use crate::output;

pub fn run(cli: &Cli, args: &QuotesArgs, out: &mut dyn Write) -> anyhow::Result<()> {
    let (table, filter) = super::load_table(cli, &args.filter)?;
    let pairs = analysis::cooccurrences(&table, &filter);
    if cli.json {
        return output::json(out, &pairs);
    }
    if pairs.is_empty() {
        let said = super::no_such_coder(&table, filter.coder.as_ref())
            .unwrap_or_else(|| "no codes overlap".to_owned());
        writeln!(out, "{said}")?;
        return Ok(());
    }
    let rows = pairs
        .iter()
        .map(|p| vec![p.a.to_string(), p.b.to_string(), p.count.to_string()])
        .collect();
    output::table(out, &["code", "with code", "overlaps"], rows)?;
    writeln!(
        out,
        "overlaps: pairs of spans of one transcript, coded by the same coder, that share text"
    )?;
    Ok(())
}
