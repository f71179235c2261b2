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
    writeln!(out, "{} — {} (`{}`)", m.label_en, m.label_no, m.id)?;
    if !m.description.is_empty() {
        writeln!(out, "{}", m.description)?;
    }
    let mut rows = Vec::new();
    for c in framework.categories() {
        rows.push(vec![
            c.id.to_string(),
            format!("{} / {}", c.label_en, c.label_no),
            c.definition.clone(),
        ]);
        for s in &c.subthemes {
            rows.push(vec![
                format!("{}/{}", c.id, s.id),
                format!("{} / {}", s.label_en, s.label_no),
                s.definition.clone(),
            ]);
        }
    }
    output::table(out, &["code", "label (en / no)", "definition"], rows)
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
                    "id": f.id(), "label_en": f.meta().label_en, "label_no": f.meta().label_no,
                    "categories": f.categories().len(), "codes": f.codes().count(), "where": w,
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
                f.meta().label_en.clone(),
                f.categories().len().to_string(),
                f.codes().count().to_string(),
                (*w).to_owned(),
            ]
        })
        .collect();
    output::table(out, &["id", "label", "categories", "codes", "where"], rows)
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
