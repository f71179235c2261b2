//! `samskap search TEXT`: hits stream out as they are found, one line (or one JSON array
//! element) each, so a large result is never held whole.

use std::io::Write;

use samskap_store::{Forms, Query, Searched, StoreError};

use super::UsageError;
use crate::args::Cli;
use crate::output;

pub fn run(
    cli: &Cli,
    text: &str,
    fts: bool,
    exact: bool,
    wheres: &[String],
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    // Before the store is opened: a text with no word in it is wrong wherever it runs.
    let query = if fts {
        Query::fts(text)
    } else {
        let forms = if exact {
            Forms::AsWritten
        } else {
            Forms::Inflected
        };
        Query::words(text, forms).map_err(|e| UsageError(e.to_string()))?
    };
    let store = super::open_store(cli)?;
    let study = super::study_id(cli, &store)?;
    let among = super::among(&store, &study, wheres)?;
    let searched = if cli.json {
        let mut stream = output::JsonArray::new(out);
        let result = store.search(
            &study,
            &query,
            among.informants.as_ref(),
            among.sources.as_ref(),
            |hit| stream.push(&hit),
        );
        stream.finish(result).map_err(usage)?
    } else {
        write_hits(&store, &study, &query, &among, out)?
    };
    if !searched.stemmed && query.forms() == Some(Forms::Inflected) {
        note_as_written(&store, &study);
    }
    Ok(())
}

/// A query the user must mend is a usage error, named as the store names it.
fn usage(e: anyhow::Error) -> anyhow::Error {
    match e.downcast::<StoreError>() {
        Ok(StoreError::Query(q)) => UsageError(q.to_string()).into(),
        Ok(other) => other.into(),
        Err(e) => e,
    }
}

/// Says on stderr (the hits on stdout stay as they are) why other forms of the words were
/// not looked for: the study's language has no stemmer, or it names none.
fn note_as_written(store: &samskap_store::Store, study: &samskap_core::StudyId) {
    let language = store
        .studies()
        .ok()
        .and_then(|all| all.into_iter().find(|m| &m.id == study))
        .and_then(|m| m.language);
    let why = match language {
        Some(tag) => format!("the study's language `{tag}` has no stemmer here"),
        None => "the study names no language".to_owned(),
    };
    let _ = writeln!(
        std::io::stderr(),
        "note: words found as written only, as {why} (with `language = \"nb\"`, nn or no in study.toml, imported again, other forms of Norwegian words are found too)"
    );
}

fn write_hits(
    store: &samskap_store::Store,
    study: &samskap_core::StudyId,
    query: &Query,
    among: &super::Picked,
    out: &mut dyn Write,
) -> anyhow::Result<Searched> {
    let mut io_error = None;
    let result = store.search(
        study,
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
    let searched = result.map_err(|e| usage(e.into()))?;
    match searched.hits {
        0 => writeln!(out, "no hits")?,
        n => writeln!(out, "{}", output::count(n, "hit", "hits"))?,
    }
    Ok(searched)
}
