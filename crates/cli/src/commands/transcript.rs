//! `samskap transcript replace`.

use std::io::Write;

use anyhow::Context;
use samskap_core::SourceId;

use crate::args::{Cli, TranscriptCommand};
use crate::output;

pub fn run(cli: &Cli, cmd: &TranscriptCommand, out: &mut dyn Write) -> anyhow::Result<()> {
    let mut store = super::open_store(cli)?;
    let study = super::study_id(cli, &store)?;
    match cmd {
        TranscriptCommand::Replace {
            source,
            file,
            drop_orphans,
        } => {
            let source: SourceId = source.parse().context("source")?;
            let text = samskap_bundle::read_transcript_file(file, &super::limits(cli))?;
            let r = store.replace_transcript(&study, &source, &text, *drop_orphans)?;
            let list = r
                .orphans
                .iter()
                .map(|o| {
                    format!(
                        "  {} ({}, {}): {:?}",
                        o.code, o.qualifiers, o.coder, o.quote.exact
                    )
                })
                .collect::<Vec<_>>()
                .join("\n");
            if !r.applied {
                anyhow::bail!(
                    "nothing changed: {} codings of {source} quote text that is not in {}:\n{list}\nrecode them after the replacement, or pass --drop-orphans to remove them",
                    r.orphans.len(),
                    file.display()
                );
            }
            if cli.json {
                return output::json(out, &r);
            }
            writeln!(
                out,
                "replaced the text of {source}: {} meaning units re-anchored, {} orphaned codings removed",
                r.units_moved,
                r.orphans.len()
            )?;
            if !list.is_empty() {
                writeln!(out, "{list}")?;
            }
        }
    }
    Ok(())
}
