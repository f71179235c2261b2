//! `samskap init`: create the store or bring it up to date.

use std::io::Write;

use samskap_store::{Store, SCHEMA_VERSION};

use crate::args::Cli;
use crate::output;

pub fn run(cli: &Cli, out: &mut dyn Write) -> anyhow::Result<()> {
    let existed = cli.db.exists();
    Store::open(&cli.db)?;
    if cli.json {
        return output::json(
            out,
            &serde_json::json!({
                "db": cli.db.display().to_string(),
                "created": !existed,
                "schema_version": SCHEMA_VERSION,
            }),
        );
    }
    let verb = if existed { "ready" } else { "created" };
    writeln!(
        out,
        "{verb}: store {} (schema version {SCHEMA_VERSION})",
        cli.db.display()
    )?;
    Ok(())
}
