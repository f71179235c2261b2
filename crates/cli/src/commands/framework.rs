//! `samskap framework show [ID]`.

use std::io::Write;

use anyhow::Context;
use samskap_core::Framework;

use crate::args::Cli;
use crate::output;

pub fn show(cli: &Cli, id: Option<&str>, out: &mut dyn Write) -> anyhow::Result<()> {
    let framework = match id {
        Some(id) => {
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
        None => super::load(cli)?.1.framework().clone(),
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

pub fn import(cli: &Cli, file: &std::path::Path, out: &mut dyn Write) -> anyhow::Result<()> {
    let text = super::read_named_text(cli, file, samskap_files::Kind::Document)?;
    let framework = Framework::from_toml(&text).with_context(|| file.display().to_string())?;
    let mut store = samskap_store::Store::open(&cli.db)?;
    let outcome = store.import_framework(&framework)?;
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
