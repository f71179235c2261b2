//! `samskap export DIR`: a study back out as a case bundle.

use std::io::Write;

use samskap_bundle::WriteMode;

use crate::args::{Cli, ExportArgs};
use crate::output;

pub fn run(cli: &Cli, args: &ExportArgs, out: &mut dyn Write) -> anyhow::Result<()> {
    let (_, study) = super::load(cli)?;
    let mode = if args.force {
        WriteMode::Overwrite
    } else {
        WriteMode::New
    };
    samskap_bundle::write(&study, &args.dir, mode)?;
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
