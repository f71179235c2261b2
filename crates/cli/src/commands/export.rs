//! `samskap export DIR`: a study back out as a case bundle.

use std::io::Write;

use samskap_bundle::{BundleWriter, WriteMode};

use crate::args::{Cli, ExportArgs};
use crate::output;

pub fn run(cli: &Cli, args: &ExportArgs, out: &mut dyn Write) -> anyhow::Result<()> {
    let store = super::open_store(cli)?;
    let id = super::study_id(cli, &store)?;
    let mode = if args.force {
        WriteMode::Overwrite
    } else {
        WriteMode::New
    };
    // The record and the codings as numbers, as the report reads them (the words of each
    // unit come from its transcript, once per unit), of one moment. The record's files go
    // to disk on a thread of their own while the codings are read.
    let snapshot = store.snapshot()?;
    let study = snapshot.record(&id)?;
    let (writer, table) = std::thread::scope(|s| {
        let writer = s.spawn(|| BundleWriter::begin(&study, &args.dir, mode));
        let table = snapshot.table(&id);
        let writer = writer
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (writer, table)
    });
    writer?.finish(&table?)?;
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
