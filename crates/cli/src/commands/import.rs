//! `samskap import DIR`: a case bundle into the store, all or nothing.

use std::io::Write;

use crate::args::{Cli, ImportArgs};
use crate::{output, progress};

pub fn run(cli: &Cli, args: &ImportArgs, out: &mut dyn Write) -> anyhow::Result<()> {
    // Read and check the whole bundle before the store is touched.
    let bar = progress::count("reading sources");
    let limits = super::limits(cli);
    let study = samskap_bundle::read_with(&args.dir, &limits, &mut |done, total| {
        bar.set_length(total as u64);
        bar.set_position(done as u64);
    })
    // Paths in the bundle's errors are the bundle's own (`study.toml:3`): said after the
    // bundle's, unless the error is about the bundle's directory itself and names it.
    .map_err(|e| {
        let dir = args.dir.display().to_string();
        let said = e.to_string();
        if said.starts_with(&format!("{dir}: ")) {
            anyhow::anyhow!(said)
        } else {
            anyhow::anyhow!("{dir}: {said}")
        }
    })?;
    bar.finish_and_clear();
    let mut store = super::open_or_create(cli)?;
    let s = store.import_study(&study, args.replace.mode())?;
    let id = study.meta().id.clone();
    // The process ends after this command: a million codings' worth of small allocations
    // go back with it, not one by one (half a second at 1M).
    std::mem::forget(study);
    if cli.json {
        return output::json(
            out,
            &serde_json::json!({
                "study": id,
                "replaced": s.replaced,
                "informants": s.informants,
                "transcripts": s.transcripts,
                "units": s.units,
                "codings": s.codings,
                "memos": s.memos,
            }),
        );
    }
    writeln!(
        out,
        "{} study `{}` into {}: {}, {}, {}, {}, {}",
        if s.replaced { "replaced" } else { "imported" },
        id,
        cli.db.display(),
        output::count(s.informants, "informant", "informants"),
        output::count(s.transcripts, "source", "sources"),
        output::count(s.units, "meaning unit", "meaning units"),
        output::count(s.codings, "coding", "codings"),
        output::count(s.memos, "memo", "memos"),
    )?;
    Ok(())
}
