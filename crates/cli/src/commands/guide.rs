//! `samskap guide list|show|yield`: a study's interview guides, and what each question of a
//! guide produced in which codes.

use std::io::Write;

use anyhow::Context;
use samskap_core::analysis::{self, RowsBy};
use samskap_core::{CodingTable, Guide, GuideId, Study};

use crate::args::{By, Cli, GuideYieldArgs};
use crate::output;

/// The guide `id` names, or the study's one guide when no id is given.
fn chosen<'s>(study: &'s Study, id: Option<&str>) -> anyhow::Result<&'s Guide> {
    match id {
        Some(id) => {
            let id: GuideId = id.parse().context("--guide")?;
            study.guide(&id).ok_or_else(|| {
                anyhow::anyhow!("the study has no guide `{id}`: see `samskap guide list`")
            })
        }
        None => match study.guides() {
            [one] => Ok(one),
            [] => anyhow::bail!("the study has no interview guide (a bundle's guides.toml)"),
            many => anyhow::bail!(
                "the study has {} guides: name one with --guide ({})",
                many.len(),
                many.iter()
                    .map(|g| g.id.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        },
    }
}

pub fn list(cli: &Cli, out: &mut dyn Write) -> anyhow::Result<()> {
    let (_, study) = super::load(cli)?;
    // Sources per (guide, version), counted in one pass.
    let mut following: std::collections::HashMap<(&GuideId, u32), usize> = Default::default();
    for s in study.sources() {
        if let Some(r) = &s.guide {
            *following.entry((&r.guide, r.version)).or_default() += 1;
        }
    }
    if cli.json {
        let guides: Vec<serde_json::Value> = study
            .guides()
            .iter()
            .map(|g| {
                serde_json::json!({
                    "id": g.id,
                    "title": g.title,
                    "versions": g.versions.iter().map(|v| serde_json::json!({
                        "version": v.version,
                        "note": v.note,
                        "themes": v.themes.len(),
                        "questions": v.questions().count(),
                        "sources": following.get(&(&g.id, v.version)).copied().unwrap_or(0),
                    })).collect::<Vec<_>>(),
                })
            })
            .collect();
        return output::json(out, &guides);
    }
    let rows = study
        .guides()
        .iter()
        .flat_map(|g| {
            let following = &following;
            g.versions.iter().map(move |v| {
                vec![
                    g.id.to_string(),
                    g.title.clone(),
                    v.version.to_string(),
                    v.themes.len().to_string(),
                    v.questions().count().to_string(),
                    following
                        .get(&(&g.id, v.version))
                        .copied()
                        .unwrap_or(0)
                        .to_string(),
                    v.note.clone().unwrap_or_default(),
                ]
            })
        })
        .collect();
    output::listing(
        out,
        &[
            "guide",
            "title",
            "version",
            "themes",
            "questions",
            "sources",
            "note",
        ],
        rows,
        "no interview guides in the study",
    )
}

pub fn show(cli: &Cli, id: &str, version: Option<u32>, out: &mut dyn Write) -> anyhow::Result<()> {
    let (_, study) = super::load(cli)?;
    let guide = chosen(&study, Some(id))?;
    let v = match version {
        Some(n) => guide
            .version(n)
            .ok_or_else(|| anyhow::anyhow!("--version: guide `{id}` has no version {n}"))?,
        None => guide.versions.last().expect("a guide has a version"),
    };
    if cli.json {
        return output::json(
            out,
            &serde_json::json!({ "id": guide.id, "title": guide.title, "version": v }),
        );
    }
    writeln!(
        out,
        "{} ({}), version {} of {}",
        guide.title,
        guide.id,
        v.version,
        guide.versions.len()
    )?;
    if let Some(note) = &v.note {
        writeln!(out, "{note}")?;
    }
    for t in &v.themes {
        writeln!(out, "\n{}", t.title)?;
        for q in &t.questions {
            writeln!(out, "  [{}] {}", q.id, q.text)?;
        }
    }
    Ok(())
}

pub fn yields(cli: &Cli, args: &GuideYieldArgs, out: &mut dyn Write) -> anyhow::Result<()> {
    let (store, study) = super::load(cli)?;
    let guide = chosen(&study, args.guide.as_deref())?.id.clone();
    let table = CodingTable::of(&study, args.filter.text.as_deref());
    let groups: Vec<_> = study.groups().iter().map(|g| g.id.clone()).collect();
    let filter = super::filter_for(
        &store,
        &study.meta().id,
        &args.filter,
        study.framework(),
        &groups,
    )?;
    let by = match args.by {
        By::Top => RowsBy::Top,
        By::Code => RowsBy::Code,
    };
    let y = analysis::guide_yield(&study, &table, &filter, &guide, args.version, by)
        .map_err(|e| anyhow::anyhow!("--version: {e}"))?;
    if cli.json {
        return output::json(out, &y);
    }
    let cell = |c: &analysis::Count| format!("{} ({})", c.units, c.informants);
    let mut header: Vec<&str> = vec!["question", "theme"];
    header.extend(y.columns.iter().map(|c| c.as_str()));
    header.push("total");
    let mut rows: Vec<Vec<String>> = y
        .rows
        .iter()
        .map(|r| {
            let mut row = vec![r.question.to_string(), r.theme.clone()];
            row.extend(r.counts.iter().map(cell));
            row
        })
        .collect();
    let mut before = vec!["(before the first mark)".to_owned(), String::new()];
    before.extend(y.unmarked.iter().map(cell));
    rows.push(before);
    output::table(out, &header, rows)?;
    writeln!(
        out,
        "cells: meaning units (distinct informants) starting in each question's sections of the {} source(s) that follow guide `{}`{}",
        y.sources,
        y.guide,
        y.version.map_or_else(String::new, |v| format!(" version {v}"))
    )?;
    Ok(())
}
