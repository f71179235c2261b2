//! `samskap framework show|list|import|log|diff`: frameworks and their versions.

use std::io::Write;

use anyhow::Context;
use samskap_core::{Framework, FrameworkId};

use crate::args::{ChangeArgs, Cli};
use crate::output;

/// The framework named, or the study's.
fn framework_id(
    cli: &Cli,
    store: &samskap_store::Store,
    id: Option<&str>,
) -> anyhow::Result<FrameworkId> {
    match id {
        Some(id) => id.parse().with_context(|| format!("framework `{id}`")),
        None => {
            let study = super::study_id(cli, store)?;
            let meta = store
                .studies()?
                .into_iter()
                .find(|m| m.id == study)
                .with_context(|| format!("no study `{study}`"))?;
            Ok(meta.framework)
        }
    }
}

pub fn show(
    cli: &Cli,
    id: Option<&str>,
    version: Option<u32>,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    let framework = match (id, version) {
        (_, Some(v)) => {
            let store = super::open_store(cli)?;
            let fid = framework_id(cli, &store, id)?;
            store.framework_at(&fid, v)?
        }
        (Some(id), None) => {
            let stored = match super::open_store(cli) {
                Ok(store) => store
                    .frameworks()?
                    .into_iter()
                    .find(|f| f.id().as_str() == id),
                Err(_) => None,
            };
            match stored {
                Some(f) => f,
                None => Framework::builtin(id).context("framework show")?,
            }
        }
        (None, None) => super::load(cli)?.1.framework().clone(),
    };
    if cli.json {
        return output::json(out, &framework);
    }
    let m = framework.meta();
    let label = |labels: &samskap_core::Labels, fallback: &str| {
        let en = samskap_core::label_in(labels, "en")
            .unwrap_or(fallback)
            .to_owned();
        match labels.get("nb") {
            Some(nb) if nb != &en => format!("{en} / {nb}"),
            _ => en,
        }
    };
    writeln!(out, "{} (`{}`)", label(&m.label, m.id.as_str()), m.id)?;
    if !m.description.is_empty() {
        writeln!(out, "{}", m.description)?;
    }
    let rows = framework
        .codes()
        .iter()
        .map(|c| {
            vec![
                c.id.to_string(),
                format!(
                    "{}{}",
                    "  ".repeat(c.id.depth() - 1),
                    label(&c.label, c.id.last())
                ),
                c.definition.clone(),
            ]
        })
        .collect();
    output::table(out, &["code", "label (en / nb)", "definition"], rows)?;
    for q in framework.qualifiers() {
        let values: Vec<&str> = q.values.iter().map(|v| v.id.as_str()).collect();
        let codes: Vec<&str> = q.codes.iter().map(|c| c.as_str()).collect();
        writeln!(
            out,
            "qualifier `{}` ({}): {}; {} on {}",
            q.id,
            label(&q.label, q.id.as_str()),
            values.join(" | "),
            if q.required { "required" } else { "optional" },
            if codes.is_empty() {
                "every code".to_owned()
            } else {
                format!("{} and the codes under them", codes.join(", "))
            }
        )?;
    }
    Ok(())
}

pub fn list(cli: &Cli, out: &mut dyn Write) -> anyhow::Result<()> {
    let stored = match super::open_store(cli) {
        Ok(store) => store.frameworks()?,
        Err(_) => Vec::new(),
    };
    let mut rows: Vec<(Framework, &str)> = stored.into_iter().map(|f| (f, "store")).collect();
    for id in Framework::builtin_ids() {
        if !rows.iter().any(|(f, _)| f.id().as_str() == id) {
            rows.push((Framework::builtin(id)?, "built in"));
        }
    }
    if cli.json {
        let v: Vec<_> = rows
            .iter()
            .map(|(f, w)| {
                serde_json::json!({
                    "id": f.id(), "label": f.meta().label,
                    "top_codes": f.roots().count(), "codes": f.codes().len(),
                    "qualifiers": f.qualifiers().iter().map(|q| &q.id).collect::<Vec<_>>(),
                    "where": w,
                })
            })
            .collect();
        return output::json(out, &v);
    }
    let rows = rows
        .iter()
        .map(|(f, w)| {
            vec![
                f.id().to_string(),
                f.label("en").to_owned(),
                f.roots().count().to_string(),
                f.codes().len().to_string(),
                f.qualifiers()
                    .iter()
                    .map(|q| q.id.to_string())
                    .collect::<Vec<_>>()
                    .join(", "),
                (*w).to_owned(),
            ]
        })
        .collect();
    output::table(
        out,
        &["id", "label", "top codes", "codes", "qualifiers", "where"],
        rows,
    )
}

pub fn import(
    cli: &Cli,
    file: &std::path::Path,
    change: &ChangeArgs,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    let text = super::read_named_text(cli, file, samskap_files::Kind::Document)?;
    let framework = Framework::from_toml(&text).with_context(|| file.display().to_string())?;
    let mut store = super::open_or_create(cli)?;
    let outcome = store.import_framework(&framework, &super::codebook::change(cli, change)?)?;
    let what = match outcome {
        samskap_store::FrameworkImport::Added => "added",
        samskap_store::FrameworkImport::Unchanged => "unchanged",
        samskap_store::FrameworkImport::Updated => "updated",
    };
    if cli.json {
        return output::json(
            out,
            &serde_json::json!({ "framework": framework.id(), "result": what }),
        );
    }
    writeln!(out, "framework `{}` {what}", framework.id())?;
    Ok(())
}

/// `samskap framework log [ID]`: the versions, oldest first.
pub fn log(cli: &Cli, id: Option<&str>, out: &mut dyn Write) -> anyhow::Result<()> {
    let store = super::open_store(cli)?;
    let fid = framework_id(cli, &store, id)?;
    let log = store.framework_log(&fid)?;
    if cli.json {
        return output::json(out, &log);
    }
    let unknown = || "–".to_owned();
    let rows = log
        .into_iter()
        .map(|v| {
            vec![
                v.version.to_string(),
                v.at.unwrap_or_else(unknown),
                v.by.unwrap_or_else(unknown),
                v.what,
                v.note.unwrap_or_default(),
            ]
        })
        .collect();
    output::table(out, &["version", "at", "by", "what", "note"], rows)
}

/// `samskap framework diff V1 V2`: what changed from one version to the other.
pub fn diff(
    cli: &Cli,
    id: Option<&str>,
    v1: u32,
    v2: u32,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    let store = super::open_store(cli)?;
    let fid = framework_id(cli, &store, id)?;
    let old = store.framework_at(&fid, v1)?;
    let new = store.framework_at(&fid, v2)?;
    let d = samskap_core::codebook::diff(&old, &new);
    if cli.json {
        return output::json(out, &d);
    }
    writeln!(out, "framework `{fid}`, version {v1} → {v2}: {d}")?;
    Ok(())
}
