//! `samskap report --out DIR`: report.md, report.html, report.docx and each chart as SVG.

use std::io::Write;

use anyhow::Context;
use samskap_core::CoderId;

use crate::args::{Cli, ReportArgs};
use crate::output;

pub fn run(cli: &Cli, args: &ReportArgs, out: &mut dyn Write) -> anyhow::Result<()> {
    let store = super::open_store(cli)?;
    let id = super::study_id(cli, &store)?;
    // The record and the codings as numbers: the report reads the words of the few quotes
    // it shows, not the whole study.
    let (study, table) = store.load_record_and_table(&id)?;
    let framework_version = store.framework_version(study.framework().id())?;
    let coder = match &args.coder {
        Some(c) => {
            let c: CoderId = c.parse().context("--coder")?;
            anyhow::ensure!(
                table.coders().contains(&c),
                "--coder: no codings by coder `{c}`"
            );
            c
        }
        None => samskap_report::default_coder(&table)
            .context("the study has no codings yet: nothing to report")?,
    };
    let options = samskap_report::Options {
        coder,
        examples: args.examples,
        small_group: args.small_group,
        attendance_threshold: args.attendance_threshold,
        framework_version: Some(framework_version),
    };
    let doc = samskap_report::build(&study, &table, &options);
    let rendered = samskap_report::render(&doc);
    samskap_report::write(&rendered, &args.out)?;
    let files: Vec<String> = rendered
        .files()
        .map(|(name, _)| args.out.join(name).display().to_string())
        .collect();
    if cli.json {
        return output::json(
            out,
            &serde_json::json!({
                "study": study.meta().id,
                "coder": options.coder,
                "framework": study.framework().id(),
                "framework_version": framework_version,
                "files": files,
            }),
        );
    }
    // The three renderings by name; the charts beside them by number (`--json` lists all).
    let charts = rendered.figures.len();
    let charts = match charts {
        0 => String::new(),
        1 => ", with 1 chart as SVG beside them".to_owned(),
        n => format!(", with {n} charts as SVG beside them"),
    };
    writeln!(
        out,
        "wrote {}{charts} (coder `{}`)",
        listed(&files[..files.len() - rendered.figures.len()]),
        options.coder
    )?;
    Ok(())
}

/// `a`, `a and b`, `a, b and c`.
fn listed(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}
