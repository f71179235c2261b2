//! `samskap matrix`: meaning units and informants by code, qualifier value and group.

use std::io::Write;

use anyhow::Context;

use samskap_core::analysis::{self, Column, Dim, RowsBy};

use crate::args::{By, Cli, MatrixArgs};
use crate::output;

pub fn run(cli: &Cli, args: &MatrixArgs, out: &mut dyn Write) -> anyhow::Result<()> {
    let (table, filter) = super::load_table(cli, &args.filter)?;
    if !cli.json {
        if let Some(said) = super::no_such_coder(&table, filter.coder.as_ref()) {
            writeln!(out, "{said}")?;
            return Ok(());
        }
    }
    if let (Some(rows), Some(cols)) = (&args.rows, &args.cols) {
        return two_dimensions(cli, &table, &filter, rows, cols, out);
    }
    let by = match args.by {
        By::Top => RowsBy::Top,
        By::Code => RowsBy::Code,
    };
    let framework = table.framework();
    let split = match args.split.as_deref() {
        None => framework.qualifiers().first().map(|q| q.id.clone()),
        Some("none") => None,
        Some(q) => {
            let id = q.parse().context("--split")?;
            anyhow::ensure!(
                framework.qualifier(&id).is_some(),
                "--split: framework `{}` declares no qualifier `{q}`",
                framework.id()
            );
            Some(id)
        }
    };
    let m = analysis::matrix_by(&table, &filter, by, split.as_ref());
    if cli.json {
        return output::json(out, &m);
    }
    let mut header = vec![match by {
        RowsBy::Top => "top code".to_owned(),
        RowsBy::Code => "code".to_owned(),
    }];
    if let Some(q) = &m.qualifier {
        header.push(q.to_string());
    }
    header.extend(m.columns.iter().map(|c| match c {
        Column::Group(g) => g.to_string(),
        Column::Ungrouped => "no group".into(),
        Column::Total => "total".into(),
    }));
    let rows = m
        .rows
        .iter()
        .map(|r| {
            let mut row = vec![r.key.clone()];
            if m.qualifier.is_some() {
                row.push(
                    r.value
                        .as_ref()
                        .map_or_else(|| "all codings".to_owned(), ToString::to_string),
                );
            }
            row.extend(
                r.counts
                    .iter()
                    .map(|c| format!("{} ({})", c.units, c.informants)),
            );
            row
        })
        .collect();
    let header: Vec<&str> = header.iter().map(String::as_str).collect();
    output::table(out, &header, rows)?;
    writeln!(out, "cells: meaning units (distinct informants)")?;
    Ok(())
}

fn two_dimensions(
    cli: &Cli,
    table: &samskap_core::CodingTable,
    filter: &samskap_core::analysis::Filter,
    rows: &str,
    cols: &str,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    let rows: Dim = rows
        .parse()
        .map_err(|e: String| anyhow::anyhow!("--rows: {e}"))?;
    let cols: Dim = cols
        .parse()
        .map_err(|e: String| anyhow::anyhow!("--cols: {e}"))?;
    anyhow::ensure!(rows != cols, "--rows and --cols must differ");
    for (flag, d) in [("--rows", &rows), ("--cols", &cols)] {
        if let Dim::Qualifier(q) = d {
            anyhow::ensure!(
                table.framework().qualifier(q).is_some(),
                "{flag}: `{q}` is neither top, code, group, informant, coder nor a qualifier of framework `{}`",
                table.framework().id()
            );
        }
    }
    let t = analysis::crosstab(table, filter, rows, cols);
    if cli.json {
        return output::json(out, &t);
    }
    let cell = |c: &analysis::Count| format!("{} ({})", c.units, c.informants);
    let mut header: Vec<String> = vec![String::new()];
    header.extend(t.cols.iter().cloned());
    header.push("total".into());
    let mut body: Vec<Vec<String>> = t
        .rows
        .iter()
        .zip(&t.cells)
        .zip(&t.row_totals)
        .map(|((r, cells), total)| {
            let mut row = vec![r.clone()];
            row.extend(cells.iter().map(cell));
            row.push(cell(total));
            row
        })
        .collect();
    let mut last = vec!["total".to_owned()];
    last.extend(t.col_totals.iter().map(cell));
    last.push(cell(&t.total));
    body.push(last);
    let header: Vec<&str> = header.iter().map(String::as_str).collect();
    output::table(out, &header, body)?;
    writeln!(out, "cells: meaning units (distinct informants)")?;
    Ok(())
}
