//! `samskap export DIR`: a study back out as a case bundle.

use std::io::Write;

use samskap_bundle::WriteMode;

use crate::args::{Cli, ExportArgs};
use crate::output;

pub fn run(cli: &Cli, args: &ExportArgs, out: &mut dyn Write) -> anyhow::Result<()> {
    let store = super::open_store(cli)?;
    let id = super::study_id(cli, &store)?;
    // The record and the codings as numbers, as the report reads them: the words of each
    // unit come from its transcript, once per unit.
    let (study, table) = store.load_record_and_table(&id)?;
    let mode = if args.force {
        WriteMode::Overwrite
    } else {
        WriteMode::New
    };
    samskap_bundle::write(&study, &table, &args.dir, mode)?;
    if cli.json {
        return output::json(
            out,
            &serde_json::json!({ "study": study.meta().id, "dir": args.dir.display().to_string() }),
        );
    }
    writeln!(
        out,
        "exported study `{}` to {}",
        study.meta().id,
        args.dir.display()
    )?;
    Ok(())
}
