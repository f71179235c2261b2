//! `samskap assess ladder|logic|list|show`: analysts' assessments with their evidence.

use std::io::Write;

use anyhow::Context;
use samskap_core::facilitation::{
    Assessment, AssessmentValue, Evidence, Facilitation, Fact, Logics, MeetingKind, Subject,
};
use samskap_core::{SourceId, Study, TextQuote};

use crate::args::{AssessCommand, AssessmentArgs, Cli};
use crate::output;

pub fn run(cli: &Cli, cmd: &AssessCommand, out: &mut dyn Write) -> anyhow::Result<()> {
    let (mut store, study) = super::load(cli)?;
    let (subject, value, common) = match cmd {
        AssessCommand::List => return list(cli, &study, out),
        AssessCommand::Show { id } => return show(cli, &study, id, out),
        AssessCommand::Ladder {
            group,
            step,
            actor,
            common,
        } => (
            Subject::Group(group.parse().context("--group")?),
            AssessmentValue::Ladder {
                range: *step,
                actor: actor.clone(),
            },
            common,
        ),
        AssessCommand::Logic {
            service,
            logics,
            common,
        } => (
            Subject::Service(service.clone()),
            AssessmentValue::Logic(Logics::new(logics.iter().copied()).context("--logic")?),
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
        "recorded assessment `{}` with {} of evidence",
        assessment.id,
        output::count(assessment.evidence.len(), "piece", "pieces")
    )?;
    Ok(())
}

/// The quotes (`SOURCE=exact text`, located in the sources' texts like codings are) in the
/// order given, then the facts by kind in the order of the record's tables: clap keeps the
/// order within one flag, not across flags.
fn evidence(study: &Study, common: &AssessmentArgs) -> anyhow::Result<Vec<Evidence>> {
    let mut all = common
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
            Ok(Evidence::Quote {
                source,
                start: span.start(),
                end: span.end(),
            })
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    let facts = (common.meetings.iter().cloned().map(Fact::Meeting))
        .chain(common.statements.iter().cloned().map(Fact::Statement))
        .chain(common.practices.iter().cloned().map(Fact::Practice))
        .chain(common.actions.iter().cloned().map(Fact::Action))
        .chain(
            common
                .disseminations
                .iter()
                .cloned()
                .map(Fact::Dissemination),
        )
        .chain(common.contacts.iter().cloned().map(Fact::Contact));
    all.extend(facts.map(Evidence::Fact));
    Ok(all)
}

fn subject(a: &Assessment) -> String {
    match &a.subject {
        Subject::Group(g) => format!("group {g}"),
        Subject::Service(s) => format!("service {s}"),
    }
}

fn value(a: &Assessment) -> String {
    match &a.value {
        AssessmentValue::Ladder { range, .. } => format!("ladder {range}"),
        AssessmentValue::Logic(l) => format!("logic {l}"),
    }
}

fn actor(a: &Assessment) -> String {
    match &a.value {
        AssessmentValue::Ladder {
            actor: Some(actor), ..
        } => actor.to_string(),
        _ => String::new(),
    }
}

/// The evidence in one cell: how many quotes, and each fact by kind and id.
fn evidence_cell(a: &Assessment) -> String {
    let quotes = a
        .evidence
        .iter()
        .filter(|e| matches!(e, Evidence::Quote { .. }))
        .count();
    let mut parts = Vec::new();
    if quotes > 0 {
        parts.push(format!(
            "{quotes} {}",
            if quotes == 1 { "quote" } else { "quotes" }
        ));
    }
    for e in &a.evidence {
        if let Evidence::Fact(f) = e {
            parts.push(format!("{} {}", f.kind(), f.id()));
        }
    }
    parts.join(", ")
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
                subject(a),
                value(a),
                actor(a),
                a.assessor.to_string(),
                a.date.to_string(),
                evidence_cell(a),
                a.note.clone().unwrap_or_default(),
            ]
        })
        .collect();
    output::listing(
        out,
        &[
            "id", "subject", "value", "actor", "assessor", "date", "evidence", "note",
        ],
        rows,
        "no assessments: `samskap assess ladder` or `assess logic` records one",
    )
}

fn show(
    cli: &Cli,
    study: &Study,
    id: &samskap_core::AssessmentId,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    let record = study.facilitation();
    let a = record
        .assessments()
        .iter()
        .find(|a| &a.id == id)
        .with_context(|| format!("the study has no assessment `{id}`"))?;
    if cli.json {
        return output::json(out, a);
    }
    writeln!(out, "{}: {} of {}", a.id, value(a), subject(a))?;
    if let AssessmentValue::Ladder {
        actor: Some(actor), ..
    } = &a.value
    {
        writeln!(out, "actor: {actor}")?;
    }
    writeln!(out, "assessor: {}, {}", a.assessor, a.date)?;
    if let Some(note) = &a.note {
        writeln!(out, "note: {note}")?;
    }
    if a.evidence.is_empty() {
        writeln!(out, "no evidence")?;
    }
    for e in &a.evidence {
        writeln!(out, "- {}", describe(study, record, e))?;
    }
    Ok(())
}

/// A piece of evidence as the analyst reads it: the words quoted, or what the fact is.
fn describe(study: &Study, record: &Facilitation, e: &Evidence) -> String {
    let fact = match e {
        Evidence::Quote { source, start, end } => {
            let words = study
                .transcript(source)
                .and_then(|t| t.span(*start, *end).ok().map(|s| t.slice(s).to_owned()))
                .unwrap_or_default();
            return format!("{source}: «{words}»");
        }
        Evidence::Fact(f) => f,
    };
    // The record holds every fact it cites (it was checked when loaded).
    let what = match fact {
        Fact::Meeting(id) => record.meeting(id).map(|(m, _)| {
            let kind = match m.kind {
                MeetingKind::Information => "information",
                MeetingKind::Group => "group",
                MeetingKind::Workshop => "workshop",
            };
            format!("{kind} meeting of {} on {}", m.group, m.date)
        }),
        Fact::Statement(id) => record
            .statements()
            .iter()
            .find(|s| &s.id == id)
            .map(|s| format!("«{}»", s.text)),
        Fact::Practice(id) => record
            .practices()
            .iter()
            .find(|p| &p.id == id)
            .map(|p| p.description.clone()),
        Fact::Action(id) => record
            .action(id)
            .map(|a| format!("{} ({})", a.title, a.state())),
        Fact::Dissemination(id) => record
            .events()
            .iter()
            .find(|d| &d.id == id)
            .map(|d| format!("to {} on {}", d.audience, d.date)),
        Fact::Contact(id) => record
            .contacts()
            .iter()
            .find(|c| &c.id == id)
            .map(|c| format!("{} and {} since {}", c.a, c.b, c.date)),
    };
    match what {
        Some(what) => format!("{fact}: {what}"),
        None => fact.to_string(),
    }
}
