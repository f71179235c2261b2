//! `samskap history` and `samskap undo`: the journal of edits the store keeps, and reverting
//! an edit from it.

use std::io::Write;

use samskap_store::{JournalEntry, StoreError};

use crate::args::Cli;
use crate::output;

/// The entries of the chosen study (and of the store as a whole), newest first. A store
/// with no study yet shows the entries it has (tokens, frameworks).
pub fn history(cli: &Cli, limit: u32, out: &mut dyn Write) -> anyhow::Result<()> {
    let store = super::open_store(cli)?;
    let study = match super::study_id(cli, &store) {
        Ok(id) => Some(id),
        Err(e) if matches!(e.downcast_ref(), Some(StoreError::NoStudy)) => None,
        Err(e) => return Err(e),
    };
    let entries = store.history(study.as_ref(), limit as usize)?;
    if cli.json {
        return output::json(out, &entries);
    }
    if entries.is_empty() {
        writeln!(out, "the journal has no entries yet")?;
        return Ok(());
    }
    let rows = entries
        .iter()
        .map(|e| {
            vec![
                format!("#{}", e.id),
                e.at.format("%Y-%m-%d %H:%M:%S").to_string(),
                e.who.clone(),
                e.via.as_str().to_owned(),
                e.kind.to_string(),
                e.summary.clone(),
                undo_state(e),
            ]
        })
        .collect();
    output::table(
        out,
        &["entry", "when (UTC)", "who", "via", "kind", "what", "undo"],
        rows,
    )
}

/// Whether `samskap undo` can revert an entry, as the listing says it.
fn undo_state(e: &JournalEntry) -> String {
    match (e.undone_by, e.undoable) {
        (Some(by), _) => format!("undone by #{by}"),
        (None, true) => "can be undone".into(),
        (None, false) => "–".into(),
    }
}

/// Reverts the newest edit of the chosen study that can be undone, or entry `id`.
pub fn undo(cli: &Cli, id: Option<i64>, out: &mut dyn Write) -> anyhow::Result<()> {
    let mut store = super::open_store(cli)?;
    let study = super::study_id(cli, &store)?;
    let done = store.undo(&study, id)?;
    if cli.json {
        return output::json(out, &done);
    }
    let r = &done.reverted;
    writeln!(
        out,
        "undid #{} ({}: {}), made by {} on {}; the undo is entry #{}",
        r.id,
        r.kind,
        r.summary,
        r.who,
        r.at.format("%Y-%m-%d %H:%M:%S UTC"),
        done.entry.id
    )?;
    Ok(())
}
