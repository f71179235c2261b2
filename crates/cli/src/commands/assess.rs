//! `samskap assess ladder|logic|list`: analysts' assessments with their evidence.

use std::io::Write;

use anyhow::Context;
use samskap_core::facilitation::{
    Assessment, AssessmentValue, Evidence, InstitutionalLogic, Subject,
};
use samskap_core::{SourceId, Study, TextQuote};

use crate::args::{AssessCommand, AssessmentArgs, Cli};
use crate::output;

pub fn run(cli: &Cli, cmd: &AssessCommand, out: &mut dyn Write) -> anyhow::Result<()> {
    let (mut store, study) = super::load(cli)?;
    let (subject, value, common) = match cmd {
        AssessCommand::List => return list(cli, &study, out),
        AssessCommand::Ladder {
            group,
            step,
            common,
        } => (
            Subject::Group(group.parse().context("--group")?),
            AssessmentValue::Ladder(*step),
            common,
        ),
        AssessCommand::Logic {
            service,
            logic,
            common,
        } => (
            Subject::Service(service.clone()),
            AssessmentValue::Logic(match logic.as_str() {
                "TB" | "tb" => InstitutionalLogic::Tb,
                "NPM" | "npm" => InstitutionalLogic::Npm,
                "NPG" | "npg" => InstitutionalLogic::Npg,
                other => anyhow::bail!("--logic: `{other}` is not TB, NPM or NPG"),
            }),
            common,
        ),
    };
    let assessment = Assessment {
        id: common.id.parse().context("--id")?,
        subject,
        value,
        assessor: common.assessor.parse().context("--assessor")?,
        date: common.date,
        note: common.note.clone(),
        evidence: evidence(&study, common)?,
    };
    store.add_assessment(&study.meta().id, &assessment)?;
    if cli.json {
        return output::json(out, &assessment);
    }
    writeln!(
        out,
        "recorded assessment `{}` with {} pieces of evidence",
        assessment.id,
        assessment.evidence.len()
    )?;
    Ok(())
}

/// `SOURCE=exact text` arguments, located in the sources' texts like codings are.
fn evidence(study: &Study, common: &AssessmentArgs) -> anyhow::Result<Vec<Evidence>> {
    common
        .evidence
        .iter()
        .map(|e| {
            let (who, text) = e
                .split_once('=')
                .with_context(|| format!("--evidence `{e}`: write SOURCE=exact text"))?;
            let source: SourceId = who.parse().context("--evidence")?;
            let t = study
                .transcript(&source)
                .with_context(|| format!("--evidence: the study has no source `{source}`"))?;
            let span = t
                .locate(&TextQuote::exact(text))
                .with_context(|| format!("--evidence `{e}`"))?;
            Ok(Evidence {
                source,
                start: span.start(),
                end: span.end(),
            })
        })
        .collect()
}

fn list(cli: &Cli, study: &Study, out: &mut dyn Write) -> anyhow::Result<()> {
    let all = study.facilitation().assessments();
    if cli.json {
        return output::json(out, &all);
    }
    let rows = all
        .iter()
        .map(|a| {
            vec![
                a.id.to_string(),
                match &a.subject {
                    Subject::Group(g) => format!("group {g}"),
                    Subject::Service(s) => format!("service {s}"),
                },
                match a.value {
                    AssessmentValue::Ladder(step) => format!("ladder step {step}"),
                    AssessmentValue::Logic(l) => format!("{l:?}").to_uppercase(),
                },
                a.assessor.to_string(),
                a.date.to_string(),
                a.evidence.len().to_string(),
                a.note.clone().unwrap_or_default(),
            ]
        })
        .collect();
    output::table(
        out,
        &[
            "id", "subject", "value", "assessor", "date", "evidence", "note",
        ],
        rows,
    )
}
