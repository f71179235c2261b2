//! `samskap backup OUT` and `samskap restore FROM`.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::Args;
use samskap_store::{StoreError, SCHEMA_VERSION};

use crate::args::Cli;
use crate::output;

/// `backup`.
#[derive(Debug, Args)]
pub struct BackupArgs {
    /// The file to write.
    pub out: PathBuf,
    /// Overwrite an existing file.
    #[arg(long)]
    pub force: bool,
}

/// `restore`.
#[derive(Debug, Args)]
pub struct RestoreArgs {
    /// The backup to restore (a file written by `samskap backup`, or a copy of a store).
    pub from: PathBuf,
    /// Where to keep the store as it is before the restore [default: beside the store,
    /// `NAME.before-restore-YYYYMMDDTHHMMSSZ.db`].
    #[arg(long)]
    pub keep: Option<PathBuf>,
}

pub fn backup(cli: &Cli, args: &BackupArgs, out: &mut dyn Write) -> anyhow::Result<()> {
    let store = super::open_store(cli)?;
    let entry = match store.backup(&args.out, args.force) {
        Err(StoreError::Exists(p)) => {
            anyhow::bail!(
                "{} exists already; pass --force to overwrite it",
                p.display()
            )
        }
        r => r.with_context(|| format!("backing up {}", cli.db.display()))?,
    };
    if cli.json {
        return output::json(
            out,
            &serde_json::json!({
                "path": entry.path.display().to_string(),
                "made": entry.made,
                "schema_version": entry.schema_version,
            }),
        );
    }
    writeln!(
        out,
        "backed up {} to {} (schema {}); the copy passed SQLite's integrity check and is catalogued, so a withdrawal will reach it",
        cli.db.display(),
        entry.path.display(),
        entry.schema_version
    )?;
    Ok(())
}

pub fn restore(cli: &Cli, args: &RestoreArgs, out: &mut dyn Write) -> anyhow::Result<()> {
    // With no store yet (it was lost), the backup becomes the store and there is nothing to
    // keep.
    let existed = cli.db.exists();
    let keep = match (&args.keep, existed) {
        (Some(k), _) => Some(k.clone()),
        (None, true) => Some(default_keep(&cli.db)),
        (None, false) => None,
    };
    let mut store = super::open_or_create(cli)?;
    let restored = store.restore(&args.from, keep.as_deref()).with_context(|| {
        format!(
            "restoring {} from {}",
            cli.db.display(),
            args.from.display()
        )
    });
    let restored = match restored {
        Ok(r) => r,
        Err(e) => {
            if !existed {
                // Leave no empty store behind a refused restore.
                drop(store);
                for suffix in ["", "-wal", "-shm"] {
                    let mut p = cli.db.clone().into_os_string();
                    p.push(suffix);
                    let _ = std::fs::remove_file(PathBuf::from(p));
                }
            }
            return Err(e);
        }
    };
    if cli.json {
        return output::json(
            out,
            &serde_json::json!({
                "from": args.from.display().to_string(),
                "from_schema_version": restored.from_version,
                "schema_version": SCHEMA_VERSION,
                "kept": restored.kept.as_ref().map(|k| k.path.display().to_string()),
                "withdrawn_again": restored.withdrawn_again.iter()
                    .map(|(s, i)| serde_json::json!({ "study": s, "informant": i }))
                    .collect::<Vec<_>>(),
                "wal_cleared": restored.wal_cleared,
            }),
        );
    }
    let upgraded = if restored.from_version < SCHEMA_VERSION {
        format!(
            ", brought up from schema {} to {SCHEMA_VERSION}",
            restored.from_version
        )
    } else {
        String::new()
    };
    writeln!(
        out,
        "restored {} from {}{upgraded}",
        cli.db.display(),
        args.from.display()
    )?;
    if let Some(k) = &restored.kept {
        writeln!(
            out,
            "the store as it was is kept in {} (catalogued as a backup)",
            k.path.display()
        )?;
    }
    for (s, i) in &restored.withdrawn_again {
        writeln!(
            out,
            "withdrew informant `{i}` of study `{s}` again: the backup is older than their withdrawal"
        )?;
    }
    if !restored.wal_cleared {
        crate::warn(&format!(
            "another samskap process has the store open; the replaced content may remain in {}-wal until it closes",
            cli.db.display()
        ));
    }
    Ok(())
}

/// `DIR/NAME.before-restore-20240301T101500Z.db` for the store `DIR/NAME`.
fn default_keep(db: &Path) -> PathBuf {
    let stamp = chrono::DateTime::<chrono::Utc>::from(std::time::SystemTime::now())
        .format("%Y%m%dT%H%M%SZ");
    let name = db
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "samskap.db".into());
    db.with_file_name(format!("{name}.before-restore-{stamp}.db"))
}
