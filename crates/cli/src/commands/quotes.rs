//! `samskap quotes`: coded quotes, filtered, streamed from the store.

use std::io::Write;

use crate::args::{Cli, QuotesArgs};
use crate::output;

pub fn run(cli: &Cli, args: &QuotesArgs, out: &mut dyn Write) -> anyhow::Result<()> {
    let (store, study, filter) = super::streamed_filter(cli, &args.filter)?;
    if cli.json {
        // One element at a time: a large result is never held whole.
        let mut stream = output::JsonArray::new(out);
        let result = store.quotes(&study, &filter, |q, _| stream.push(&q));
        return stream.finish(result).map(drop);
    }
    let mut rows = Vec::new();
    store.quotes(&study, &filter, |q, _| {
        rows.push(vec![
            q.code.to_string(),
            q.qualifiers.to_string(),
            speakers(&q.informants),
            q.group.map_or_else(|| "–".into(), |g| g.to_string()),
            q.coder.to_string(),
            q.text,
        ]);
        Ok(())
    })?;
    if rows.is_empty() {
        let coders = store.coders(&study)?;
        let said = super::nothing(
            coders.iter().map(samskap_core::CoderId::as_str),
            filter.coder.as_ref(),
            "no quotes match",
        );
        writeln!(out, "{said}")?;
        return Ok(());
    }
    output::table(
        out,
        &["code", "qualifiers", "informant", "group", "coder", "quote"],
        rows,
    )
}

/// Whose words a quote holds, for a table: the informants joined, or a dash for no one's.
pub(super) fn speakers(informants: &[samskap_core::InformantId]) -> String {
    if informants.is_empty() {
        "–".to_owned()
    } else {
        informants
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("+")
    }
}
