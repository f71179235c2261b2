//! `samskap report --out DIR [--data]`: report.md, report.html, report.docx and each chart
//! as SVG, and with `--data` each table as CSV and JSON in `DIR/data/`.

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
    let lang = match (args.lang, &study.meta().language) {
        (Some(l), _) => l,
        (None, None) => samskap_report::Lang::En,
        (None, Some(tag)) => samskap_report::Lang::of_study(tag).unwrap_or_else(|| {
            // Said on stderr, so that the report's own output stays as documented.
            let _ = writeln!(
                std::io::stderr(),
                "note: the study's language `{tag}` is not one a report is written in (en, nb): writing it in English; --lang chooses"
            );
            samskap_report::Lang::En
        }),
    };
    let options = samskap_report::Options {
        coder,
        examples: args.examples,
        small_group: args.small_group,
        attendance_threshold: args.attendance_threshold,
        framework_version: Some(framework_version),
        lang,
    };
    if args.check {
        let facts = samskap_report::check::Facts {
            current_version: Some(framework_version),
            coding_versions: store.coding_versions(&id, &options.coder)?,
        };
        return check(cli, &study, &table, &options, &facts, out);
    }
    let dir = args
        .out
        .as_ref()
        .context("--out: where to write the report")?;
    let doc = samskap_report::build(&study, &table, &options);
    let rendered = if args.data {
        samskap_report::render_with_data(&doc)
    } else {
        samskap_report::render(&doc)
    };
    samskap_report::write(&rendered, dir)?;
    let files: Vec<String> = rendered
        .files()
        .map(|(name, _)| dir.join(name).display().to_string())
        .collect();
    if cli.json {
        return output::json(
            out,
            &serde_json::json!({
                "study": study.meta().id,
                "coder": options.coder,
                "framework": study.framework().id(),
                "framework_version": framework_version,
                "lang": options.lang.tag(),
                "files": files,
            }),
        );
    }
    // The three renderings by name; the charts beside them and the tables' data by number
    // (`--json` lists every file).
    let charts = match rendered.figures.len() {
        0 => None,
        n => Some(format!(
            "{} as SVG beside them",
            output::count(n, "chart", "charts")
        )),
    };
    let tables = args.data.then(|| {
        let n = doc
            .blocks
            .iter()
            .filter(|b| matches!(b, samskap_report::Block::Table { .. }))
            .count();
        format!(
            "{} as CSV and JSON in {}",
            output::count(n, "table", "tables"),
            dir.join("data").display()
        )
    });
    let beside: Vec<String> = charts.into_iter().chain(tables).collect();
    let beside = if beside.is_empty() {
        String::new()
    } else {
        format!(", with {}", listed(&beside))
    };
    let renderings = files.len() - rendered.figures.len() - rendered.data.len();
    writeln!(
        out,
        "wrote {}{beside} (coder `{}`)",
        listed(&files[..renderings]),
        options.coder
    )?;
    Ok(())
}

/// `report --check`: the findings, one per line (or as JSON), and exit 1 on any at error
/// level.
fn check(
    cli: &Cli,
    study: &samskap_core::Study,
    table: &samskap_core::CodingTable,
    options: &samskap_report::Options,
    facts: &samskap_report::check::Facts,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    use samskap_report::check::{self, Severity};
    let findings = check::check(study, table, options, facts);
    let errors = findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .count();
    if cli.json {
        output::json(
            out,
            &serde_json::json!({
                "study": study.meta().id,
                "coder": options.coder,
                "k": options.small_group,
                "findings": findings,
                "errors": errors,
                "warnings": findings.len() - errors,
            }),
        )?;
    } else {
        for f in &findings {
            let level = match f.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
            };
            writeln!(out, "{level}[{}]: {}", f.rule, f.message)?;
        }
        writeln!(
            out,
            "{} rules checked: {}, {}",
            check::RULES.len(),
            output::count(errors, "error", "errors"),
            output::count(findings.len() - errors, "warning", "warnings")
        )?;
    }
    anyhow::ensure!(
        !check::fails(&findings),
        "report check: {} at error level",
        output::count(errors, "finding", "findings")
    );
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
