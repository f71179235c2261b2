//! `samskap informants`, `samskap informant consent ID given|pending`, and `samskap
//! informant withdraw ID`, which asks first and reaches the catalogued backups.

use std::io::{BufRead, IsTerminal, Write};

use anyhow::Context;
use samskap_core::{ActiveConsent, Consent, InformantId, StudyId};
use samskap_store::{BackupEntry, BackupHolding, Store, StoreError};

use crate::args::{Cli, WithdrawArgs};
use crate::output;

pub fn list(cli: &Cli, out: &mut dyn Write) -> anyhow::Result<()> {
    let store = super::open_store(cli)?;
    let id = super::study_id(cli, &store)?;
    let (declared, informants) = store.informants(&id)?;
    // A column per custom attribute informants may hold, after the model's own: their own
    // values (a group's value, which `--where` falls back on, is the group's to show).
    let declared: Vec<samskap_core::Attribute> = declared
        .into_iter()
        .filter(|a| {
            a.holders
                .contains(&samskap_core::AttributeHolder::Informant)
        })
        .collect();
    if cli.json {
        let rows: Vec<_> = informants
            .iter()
            .map(|(i, units)| {
                let d = i.details.as_ref();
                serde_json::json!({
                    "id": i.id,
                    "consent": i.consent().as_str(),
                    "role": d.map(|d| d.role),
                    "group": d.and_then(|d| d.group.clone()),
                    "workplace": d.and_then(|d| d.workplace.clone()),
                    "position": d.and_then(|d| d.position.clone()),
                    "interview_date": d.and_then(|d| d.interview_date),
                    "units": units,
                    "attributes": d.map(|d| &d.attributes),
                })
            })
            .collect();
        return output::json(out, &rows);
    }
    let dash = |o: Option<String>| o.unwrap_or_else(|| "–".into());
    let rows = informants
        .iter()
        .map(|(i, units)| {
            let d = i.details.as_ref();
            let mut row = vec![
                i.id.to_string(),
                dash(d.map(|d| d.role.as_str().to_owned())),
                dash(d.and_then(|d| d.group.as_ref().map(ToString::to_string))),
                dash(d.and_then(|d| d.workplace.clone())),
                dash(d.and_then(|d| d.position.clone())),
                dash(d.and_then(|d| d.interview_date.map(|x| x.to_string()))),
                i.consent().as_str().to_owned(),
                units.to_string(),
            ];
            row.extend(declared.iter().map(|a| {
                dash(
                    d.and_then(|d| d.attributes.get(&a.id))
                        .map(ToString::to_string),
                )
            }));
            row
        })
        .collect();
    let mut header = vec![
        "id",
        "role",
        "group",
        "workplace",
        "position",
        "interviewed",
        "consent",
        "units",
    ];
    header.extend(
        declared
            .iter()
            .map(|a| a.label.as_deref().unwrap_or(a.id.as_str())),
    );
    output::table(out, &header, rows)
}

/// Records an informant's consent, given or pending. After a REFI-QDA or Taguette import
/// every informant is pending, and a report leaves pending informants out.
pub fn consent(
    cli: &Cli,
    id: &str,
    consent: ActiveConsent,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    let id: InformantId = id.parse().context("informant id")?;
    let mut store = super::open_store(cli)?;
    let study = super::study_id(cli, &store)?;
    let was = match store.set_consent(&study, &id, consent) {
        Err(StoreError::NotFound {
            what: "informant", ..
        }) => {
            let (_, informants) = store.informants(&study)?;
            let hint =
                crate::suggest::hint(id.as_str(), informants.iter().map(|(i, _)| i.id.as_str()));
            anyhow::bail!("study `{study}` has no informant `{id}`{hint}");
        }
        r => r?,
    };
    let now = match consent {
        ActiveConsent::Given => Consent::Given,
        ActiveConsent::Pending => Consent::Pending,
    };
    if cli.json {
        return output::json(
            out,
            &serde_json::json!({
                "informant": id, "consent": now.as_str(), "was": was.as_str(),
                "changed": was != now,
            }),
        );
    }
    if was == now {
        writeln!(
            out,
            "informant `{id}`'s consent is {} already",
            now.as_str()
        )?;
    } else {
        writeln!(
            out,
            "informant `{id}`'s consent is {} (was {})",
            now.as_str(),
            was.as_str()
        )?;
    }
    Ok(())
}

pub fn withdraw(cli: &Cli, args: &WithdrawArgs, out: &mut dyn Write) -> anyhow::Result<()> {
    let id: InformantId = args.id.parse().context("informant id")?;
    let mut store = super::open_store(cli)?;
    let study = super::study_id(cli, &store)?;
    let consent = store
        .consent(&study, &id)
        .with_context(|| format!("withdrawing informant `{id}`"))?;
    // A second run removes nothing more, so it asks nothing: it checkpoints again and
    // reaches the backups.
    if consent != Consent::Withdrawn && !args.yes {
        confirm(&format!(
            "Withdraw informant `{id}` from study `{study}`? This deletes their transcript, \
             codings and personal data, and every memo and note that quotes them. It cannot \
             be undone."
        ))?;
    }
    let outcome = store
        .withdraw(&study, &id)
        .with_context(|| format!("withdrawing informant `{id}`"))?;
    let backups = reach_backups(&store, &study, &id, args.purge_backups)?;

    if cli.json {
        output::json(
            out,
            &serde_json::json!({
                "informant": id,
                "already_withdrawn": outcome.already_withdrawn,
                "removed": outcome.removed,
                "wal_cleared": outcome.wal_cleared,
                "backups": backups.iter().map(|b| serde_json::json!({
                    "path": b.entry.path.display().to_string(),
                    "made": b.entry.made,
                    "state": b.state.as_str(),
                    "error": b.state.error(),
                })).collect::<Vec<_>>(),
            }),
        )?;
    } else {
        let w = &outcome.removed;
        if outcome.already_withdrawn {
            writeln!(
                out,
                "informant `{id}` is already withdrawn from study `{study}`: nothing more to remove"
            )?;
        } else {
            writeln!(
                out,
                "withdrew informant `{id}` from study `{study}`: removed {} transcript, {} meaning units, {} codings, {} memos, {} evidence links, {} coding memos and {} other texts that quoted them; personal data cleared",
                w.transcripts, w.units, w.codings, w.memos, w.evidence, w.coding_memos, w.notes
            )?;
        }
        if !outcome.wal_cleared {
            crate::warn(&format!(
                "another samskap process has the store open, so the removed text may remain in {}-wal until it closes; run this command again then to clear it",
                cli.db.display()
            ));
        }
        print_backups(out, &id, &backups)?;
        writeln!(
            out,
            "note: bundles exported and reports written before now still hold their data: export and report again, and delete the old copies"
        )?;
    }
    let left: Vec<String> = backups
        .iter()
        .filter(|b| matches!(b.state, Reached::Unreadable(_) | Reached::Failed(_)))
        .map(|b| b.entry.path.display().to_string())
        .collect();
    if args.purge_backups && !left.is_empty() {
        anyhow::bail!(
            "{} catalogued backups could not be scrubbed and may still hold `{id}`'s words: {}",
            left.len(),
            left.join(", ")
        );
    }
    Ok(())
}

/// Asks on the terminal; refuses, as a usage error, when there is no terminal to ask on.
fn confirm(question: &str) -> anyhow::Result<()> {
    let stdin = std::io::stdin();
    if !stdin.is_terminal() {
        return Err(super::UsageError(
            "this withdrawal needs confirmation, and stdin is not a terminal to ask on: \
             pass --yes to confirm it; nothing changed"
                .into(),
        )
        .into());
    }
    let mut err = std::io::stderr();
    write!(err, "{question} [y/N] ")?;
    err.flush()?;
    let mut answer = String::new();
    stdin.lock().read_line(&mut answer)?;
    anyhow::ensure!(yes(&answer), "not confirmed; nothing changed");
    Ok(())
}

/// Whether an answer to a [y/N] question is yes.
fn yes(answer: &str) -> bool {
    matches!(answer.trim().to_lowercase().as_str(), "y" | "yes")
}

/// A catalogued backup and what the withdrawal found or did there.
struct Backup {
    entry: BackupEntry,
    state: Reached,
}

enum Reached {
    /// Still holds the informant's words (no --purge-backups).
    Holds,
    /// Scrubbed now.
    Purged,
    /// Did not hold them.
    Clear,
    /// No file at the catalogued path.
    Missing,
    /// Could not be read.
    Unreadable(String),
    /// Held them, and scrubbing failed.
    Failed(String),
}

impl Reached {
    fn as_str(&self) -> &'static str {
        match self {
            Reached::Holds => "holds",
            Reached::Purged => "purged",
            Reached::Clear => "clear",
            Reached::Missing => "missing",
            Reached::Unreadable(_) => "unreadable",
            Reached::Failed(_) => "failed",
        }
    }

    fn error(&self) -> Option<&str> {
        match self {
            Reached::Unreadable(e) | Reached::Failed(e) => Some(e),
            _ => None,
        }
    }
}

/// Checks every catalogued backup for the informant, and scrubs those that hold them when
/// `purge`.
fn reach_backups(
    store: &Store,
    study: &StudyId,
    id: &InformantId,
    purge: bool,
) -> anyhow::Result<Vec<Backup>> {
    let mut out = Vec::new();
    for (entry, holding) in store.backups_holding(study, id)? {
        let state = match holding {
            BackupHolding::Holds if purge => match store.purge_backup(&entry, study, id) {
                Ok(_) => Reached::Purged,
                Err(e) => Reached::Failed(e.to_string()),
            },
            BackupHolding::Holds => Reached::Holds,
            BackupHolding::Clear => Reached::Clear,
            BackupHolding::Missing => Reached::Missing,
            BackupHolding::Unreadable(e) => Reached::Unreadable(e.to_string()),
        };
        out.push(Backup { entry, state });
    }
    Ok(out)
}

fn print_backups(out: &mut dyn Write, id: &InformantId, backups: &[Backup]) -> anyhow::Result<()> {
    let holding: Vec<&Backup> = backups
        .iter()
        .filter(|b| matches!(b.state, Reached::Holds))
        .collect();
    if !holding.is_empty() {
        let (n, verb) = match holding.len() {
            1 => ("1 backup".to_owned(), "holds"),
            n => (format!("{n} backups"), "hold"),
        };
        writeln!(
            out,
            "{n} still {verb} `{id}`'s words; run `samskap informant withdraw {id} --purge-backups` to scrub them:"
        )?;
        for b in holding {
            writeln!(out, "  {} (made {})", b.entry.path.display(), b.entry.made)?;
        }
    }
    for b in backups {
        let path = b.entry.path.display();
        match &b.state {
            Reached::Purged => writeln!(out, "scrubbed `{id}` from backup {path}")?,
            Reached::Missing => writeln!(out, "note: catalogued backup {path} no longer exists")?,
            Reached::Unreadable(e) => crate::warn(&format!(
                "could not check backup {path}, which may still hold `{id}`'s words: {e}"
            )),
            Reached::Failed(e) => writeln!(out, "error: could not scrub backup {path}: {e}")?,
            Reached::Holds | Reached::Clear => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn only_y_or_yes_confirm() {
        for a in ["y\n", "Y\n", " yes \r\n", "YES"] {
            assert!(super::yes(a), "{a:?}");
        }
        for a in ["", "\n", "n\n", "no", "ja", "yes please", "y y"] {
            assert!(!super::yes(a), "{a:?}");
        }
    }
}
