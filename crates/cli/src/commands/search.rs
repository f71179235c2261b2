//! `samskap search TEXT`: hits stream out as they are found, one line (or one JSON object)
//! each, so a large result is never held whole.

use std::io::Write;

use samskap_store::StoreError;

use crate::args::Cli;

pub fn run(cli: &Cli, query: &str, out: &mut dyn Write) -> anyhow::Result<()> {
    let store = super::open_store(cli)?;
    let study = super::study_id(cli, &store)?;
    let mut io_error = None;
    let mut first = true;
    if cli.json {
        writeln!(out, "[")?;
    }
    let result = store.search(&study, query, |hit| {
        let written = if cli.json {
            let sep = if first { "" } else { ",\n" };
            serde_json::to_string(&hit)
                .map_err(std::io::Error::other)
                .and_then(|j| write!(out, "{sep}  {j}"))
        } else {
            let codes = hit
                .codes
                .iter()
                .map(|c| format!("{} ({}, {})", c.code, c.polarity, c.coder))
                .collect::<Vec<_>>()
                .join("; ");
            let flat = |s: &str| s.replace('\n', " ");
            writeln!(
                out,
                "{} {}..{}  …{}[{}]{}…{}",
                hit.informant,
                hit.start,
                hit.end,
                flat(&hit.before),
                flat(&hit.matched),
                flat(&hit.after),
                if codes.is_empty() {
                    "  (not coded)".to_owned()
                } else {
                    format!("  codes: {codes}")
                }
            )
        };
        first = false;
        written.map_err(|e| {
            io_error = Some(e);
            StoreError::Invalid("output closed".into())
        })
    });
    if let Some(e) = io_error {
        return Err(e.into());
    }
    let n = result?;
    if cli.json {
        writeln!(out, "{}]", if first { "" } else { "\n" })?;
    } else {
        writeln!(out, "{n} hits")?;
    }
    Ok(())
}
