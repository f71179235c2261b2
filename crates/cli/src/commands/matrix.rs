//! `samskap matrix`: meaning units and informants by category or subtheme, polarity, group.

use std::io::Write;

use samskap_core::analysis::{self, Column, RowsBy};

use crate::args::{By, Cli, MatrixArgs};
use crate::output;

pub fn run(cli: &Cli, args: &MatrixArgs, out: &mut dyn Write) -> anyhow::Result<()> {
    let (_, study) = super::load(cli)?;
    let filter = super::filter(&args.filter, &study)?;
    let by = match args.by {
        By::Category => RowsBy::Category,
        By::Subtheme => RowsBy::Subtheme,
    };
    let m = analysis::matrix(&study, &filter, by);
    if cli.json {
        return output::json(out, &m);
    }
    let mut header = vec![match by {
        RowsBy::Category => "category".to_owned(),
        RowsBy::Subtheme => "subtheme".to_owned(),
    }];
    header.push("polarity".into());
    header.extend(m.columns.iter().map(|c| match c {
        Column::Group(g) => g.to_string(),
        Column::Ungrouped => "no group".into(),
        Column::Total => "total".into(),
    }));
    let rows = m
        .rows
        .iter()
        .map(|r| {
            let mut row = vec![
                r.key.clone(),
                r.polarity.map_or("both", |p| p.as_str()).to_owned(),
            ];
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
