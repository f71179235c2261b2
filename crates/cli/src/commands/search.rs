//! `samskap search TEXT`: hits stream out as they are found, one line (or one JSON array
//! element) each, so a large result is never held whole.

use std::io::Write;

use samskap_store::StoreError;

use crate::args::Cli;
use crate::output;

pub fn run(cli: &Cli, query: &str, wheres: &[String], out: &mut dyn Write) -> anyhow::Result<()> {
    let store = super::open_store(cli)?;
    let study = super::study_id(cli, &store)?;
    let among = super::among(&store, &study, wheres)?;
    if cli.json {
        let mut stream = output::JsonArray::new(out);
        let result = store.search(
            &study,
            query,
            among.informants.as_ref(),
            among.sources.as_ref(),
            |hit| stream.push(&hit),
        );
        return stream.finish(result).map(drop);
    }
    let mut io_error = None;
    let result = store.search(
        &study,
        query,
        among.informants.as_ref(),
        among.sources.as_ref(),
        |hit| {
            let codes = hit
                .codes
                .iter()
                .map(|c| format!("{} ({}, {})", c.code, c.qualifiers, c.coder))
                .collect::<Vec<_>>()
                .join("; ");
            let flat = |s: &str| s.replace('\n', " ");
            writeln!(
                out,
                "{} {}..{}  …{}[{}]{}…{}",
                hit.source,
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
            .map_err(|e| {
                io_error = Some(e);
                StoreError::Invalid("output closed".into())
            })
        },
    );
    if let Some(e) = io_error {
        return Err(e.into());
    }
    match result? {
        0 => writeln!(out, "no hits")?,
        n => writeln!(out, "{}", output::count(n, "hit", "hits"))?,
    }
    Ok(())
}
