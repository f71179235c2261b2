//! `samskap saturation`: new codes per successive interview.

use std::io::Write;

use samskap_core::analysis;

use crate::args::{Cli, QuotesArgs};
use crate::output;

pub fn run(cli: &Cli, args: &QuotesArgs, out: &mut dyn Write) -> anyhow::Result<()> {
    let (table, filter) = super::load_table(cli, &args.filter)?;
    let steps = analysis::saturation(&table, &filter);
    if cli.json {
        return output::json(out, &steps);
    }
    if let Some(said) = super::no_such_coder(&table, filter.coder.as_ref()) {
        writeln!(out, "{said}")?;
        return Ok(());
    }
    if steps.is_empty() {
        writeln!(out, "no interviews match")?;
        return Ok(());
    }
    let total = table.framework().codes().len();
    let rows = steps
        .iter()
        .map(|s| {
            vec![
                s.informant.to_string(),
                s.interview_date
                    .map_or_else(|| "–".into(), |d| d.to_string()),
                s.codes.to_string(),
                s.new.len().to_string(),
                format!("{} of {total}", s.cumulative),
                s.new
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join("\n"),
            ]
        })
        .collect();
    output::table(
        out,
        &["interview", "date", "codes", "new", "so far", "new codes"],
        rows,
    )
}
