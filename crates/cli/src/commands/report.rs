//! `samskap report --out DIR`.

use std::io::Write;

use anyhow::Context;
use samskap_core::{CoderId, Study};

use crate::args::{Cli, ReportArgs};
use crate::output;

/// The coder a report shows by default: the reconciled `consensus` coding when there is
/// one, otherwise the first coder in the order codings were added.
fn default_coder(study: &Study) -> anyhow::Result<CoderId> {
    let consensus: CoderId = "consensus".parse()?;
    if study.codings().iter().any(|c| c.coder == consensus) {
        return Ok(consensus);
    }
    study
        .codings()
        .first()
        .map(|c| c.coder.clone())
        .context("the study has no codings yet: nothing to report")
}

pub fn run(cli: &Cli, args: &ReportArgs, out: &mut dyn Write) -> anyhow::Result<()> {
    let (_, study) = super::load(cli)?;
    let coder = match &args.coder {
        Some(c) => {
            let c: CoderId = c.parse().context("--coder")?;
            anyhow::ensure!(
                study.codings().iter().any(|x| x.coder == c),
                "--coder: no codings by coder `{c}`"
            );
            c
        }
        None => default_coder(&study)?,
    };
    let options = samskap_report::Options {
        coder,
        examples: args.examples,
        small_group: args.small_group,
    };
    let doc = samskap_report::build(&study, &options);
    let rendered = samskap_report::render(&doc);
    samskap_report::write(&rendered, &args.out)?;
    if cli.json {
        return output::json(
            out,
            &serde_json::json!({
                "study": study.meta().id,
                "coder": options.coder,
                "files": [
                    args.out.join("report.md").display().to_string(),
                    args.out.join("report.html").display().to_string(),
                ],
            }),
        );
    }
    writeln!(
        out,
        "wrote {} and {} (coder `{}`)",
        args.out.join("report.md").display(),
        args.out.join("report.html").display(),
        options.coder
    )?;
    Ok(())
}
