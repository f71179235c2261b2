//! `samskap informants` and `samskap informant withdraw ID`.

use std::io::Write;

use anyhow::Context;
use samskap_core::InformantId;

use crate::args::Cli;
use crate::output;

pub fn list(cli: &Cli, out: &mut dyn Write) -> anyhow::Result<()> {
    let (_, study) = super::load(cli)?;
    let units = |id: &InformantId| study.units().iter().filter(|u| &u.informant == id).count();
    if cli.json {
        let rows: Vec<_> = study
            .informants()
            .iter()
            .map(|i| {
                let d = i.details.as_ref();
                serde_json::json!({
                    "id": i.id,
                    "consent": i.consent().as_str(),
                    "role": d.map(|d| d.role),
                    "group": d.and_then(|d| d.group.clone()),
                    "workplace": d.and_then(|d| d.workplace.clone()),
                    "position": d.and_then(|d| d.position.clone()),
                    "interview_date": d.and_then(|d| d.interview_date),
                    "units": units(&i.id),
                })
            })
            .collect();
        return output::json(out, &rows);
    }
    let dash = |o: Option<String>| o.unwrap_or_else(|| "–".into());
    let rows = study
        .informants()
        .iter()
        .map(|i| {
            let d = i.details.as_ref();
            vec![
                i.id.to_string(),
                dash(d.map(|d| d.role.as_str().to_owned())),
                dash(d.and_then(|d| d.group.as_ref().map(ToString::to_string))),
                dash(d.and_then(|d| d.workplace.clone())),
                dash(d.and_then(|d| d.position.clone())),
                dash(d.and_then(|d| d.interview_date.map(|x| x.to_string()))),
                i.consent().as_str().to_owned(),
                units(&i.id).to_string(),
            ]
        })
        .collect();
    output::table(
        out,
        &[
            "id",
            "role",
            "group",
            "workplace",
            "position",
            "interviewed",
            "consent",
            "units",
        ],
        rows,
    )
}

pub fn withdraw(cli: &Cli, id: &str, out: &mut dyn Write) -> anyhow::Result<()> {
    let id: InformantId = id.parse().context("informant id")?;
    let mut store = super::open_store(cli)?;
    let study = super::study_id(cli, &store)?;
    let outcome = store
        .withdraw(&study, &id)
        .with_context(|| format!("withdrawing informant `{id}`"))?;
    let w = &outcome.removed;
    if cli.json {
        return output::json(
            out,
            &serde_json::json!({
                "informant": id,
                "removed": w,
                "wal_cleared": outcome.wal_cleared,
            }),
        );
    }
    writeln!(
        out,
        "withdrew informant `{id}` from study `{study}`: removed {} transcript, {} meaning units, {} codings, {} memos, {} evidence links and {} quoting texts of the facilitation record; personal data cleared",
        w.transcripts, w.units, w.codings, w.memos, w.evidence, w.notes
    )?;
    if !outcome.wal_cleared {
        writeln!(
            out,
            "warning: another samskap process has the store open, so the removed text may remain in {}-wal until it closes; run this command again then to clear it",
            cli.db.display()
        )?;
    }
    writeln!(
        out,
        "note: bundles exported and reports written before now still hold their data: export and report again, and delete the old copies"
    )?;
    Ok(())
}
