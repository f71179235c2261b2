//! `samskap code add|remove|list|reconcile|exemplar` (the codebook edits are in
//! `codebook.rs`).

use std::io::Write;

use anyhow::Context;
use samskap_core::{agreement, CodeId, CoderId, Qualifiers, SourceId, Study, TextQuote};
use samskap_store::{NewCoding, OnDuplicate, UnitRef};

use crate::args::{Cli, CodeCommand, CodingArgs, ExemplarCommand, QuotesArgs, UnitArgs};
use crate::output;

pub fn run(cli: &Cli, cmd: &CodeCommand, out: &mut dyn Write) -> anyhow::Result<()> {
    match cmd {
        CodeCommand::Add { unit, coding, memo } => add(cli, unit, coding, memo.as_deref(), out),
        CodeCommand::Remove { unit, coding } => remove(cli, unit, coding, out),
        CodeCommand::List(args) => list(cli, args, out),
        CodeCommand::Exemplar(cmd) => exemplar(cli, cmd, out),
        CodeCommand::Reconcile { coders, prefer } => {
            reconcile(cli, coders.as_deref(), prefer.as_deref(), out)
        }
        CodeCommand::Rename { .. }
        | CodeCommand::Move { .. }
        | CodeCommand::Merge { .. }
        | CodeCommand::Split { .. }
        | CodeCommand::Delete { .. } => super::codebook::run(cli, cmd, out),
    }
}

/// The unit the arguments name, located in the stored transcript.
fn locate(study: &Study, unit: &UnitArgs) -> anyhow::Result<UnitRef> {
    let source: SourceId = unit.transcript.parse().context("--transcript")?;
    let t = study.transcript(&source).with_context(|| {
        let hint = crate::suggest::hint(
            source.as_str(),
            study.sources().iter().map(|s| s.id.as_str()),
        );
        format!("--transcript: the study has no source `{source}`{hint}")
    })?;
    // Typed at a prompt: a stray space at either end does not make another unit.
    let quote = TextQuote {
        prefix: unit.prefix.clone(),
        exact: unit.quote.clone(),
        suffix: unit.suffix.clone(),
    }
    .typed();
    let span = t.locate(&quote).context("--quote")?;
    Ok(UnitRef::of(t, span))
}

/// `code exemplar add|remove|list`.
fn exemplar(cli: &Cli, cmd: &ExemplarCommand, out: &mut dyn Write) -> anyhow::Result<()> {
    let (unit, code, chosen) = match cmd {
        ExemplarCommand::List => {
            let store = super::open_store(cli)?;
            let list = store.exemplars(&super::study_id(cli, &store)?)?;
            if cli.json {
                return output::json(out, &list);
            }
            let rows = list
                .iter()
                .map(|e| {
                    vec![
                        e.code.to_string(),
                        format!("{} {}..{}", e.source, e.start, e.end),
                        e.text.clone(),
                    ]
                })
                .collect();
            return output::listing(
                out,
                &["code", "unit", "text"],
                rows,
                "no exemplars chosen: `samskap code exemplar add` chooses one",
            );
        }
        ExemplarCommand::Add { unit, code } => (unit, code, true),
        ExemplarCommand::Remove { unit, code } => (unit, code, false),
    };
    let code: CodeId = code.parse().context("--code")?;
    let (mut store, study) = super::load(cli)?;
    let at = locate(&study, unit)?;
    let n = store
        .set_exemplar(&study.meta().id, &at, &code, chosen)
        .context("an exemplar is a unit coded with its code (`samskap code add`)")?;
    let codings = if n == 1 { "coding" } else { "codings" };
    writeln!(
        out,
        "{} {} {}..{} as an exemplar of {code} ({n} {codings})",
        if chosen { "chose" } else { "no longer chose" },
        at.source,
        at.span.start(),
        at.span.end()
    )?;
    Ok(())
}

fn coding(study: &Study, c: &CodingArgs) -> anyhow::Result<(CodeId, Qualifiers, CoderId)> {
    let code = super::code_of(study.framework(), "--code", &c.code)?;
    Ok((
        code,
        super::qualifiers(study.framework(), c.polarity.as_deref(), &c.qualifiers)?,
        c.coder.parse().context("--coder")?,
    ))
}

/// ` (polarity=barrier)`, or nothing for a coding with no qualifier values.
fn shown(q: &Qualifiers) -> String {
    if q.is_empty() {
        String::new()
    } else {
        format!(" ({q})")
    }
}

fn add(
    cli: &Cli,
    unit: &UnitArgs,
    c: &CodingArgs,
    memo: Option<&str>,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    let (mut store, study) = super::load(cli)?;
    let (code, qualifiers, coder) = coding(&study, c)?;
    let at = locate(&study, unit)?;
    let (source, span) = (at.source.clone(), at.span);
    store.add_codings(
        &study.meta().id,
        &[NewCoding {
            unit: at,
            code: code.clone(),
            qualifiers: qualifiers.clone(),
            coder: coder.clone(),
            memo: memo.map(str::to_owned),
        }],
        OnDuplicate::Refuse,
    )?;
    if cli.json {
        return output::json(
            out,
            &serde_json::json!({
                "source": source, "start": span.start(), "end": span.end(),
                "code": code, "qualifiers": qualifiers, "coder": coder,
            }),
        );
    }
    writeln!(
        out,
        "coded {source} {}..{} as {code}{} by {coder}",
        span.start(),
        span.end(),
        shown(&qualifiers)
    )?;
    Ok(())
}

fn remove(cli: &Cli, unit: &UnitArgs, c: &CodingArgs, out: &mut dyn Write) -> anyhow::Result<()> {
    let (mut store, study) = super::load(cli)?;
    let at = locate(&study, unit)?;
    let (code, qualifiers, coder) = coding(&study, c)?;
    store.remove_coding(&study.meta().id, &at, &code, &qualifiers, &coder)?;
    let (source, span) = (&at.source, at.span);
    if cli.json {
        return output::json(out, &serde_json::json!({ "removed": 1 }));
    }
    writeln!(
        out,
        "removed the coding of {source} {}..{} as {code}{} by {coder}",
        span.start(),
        span.end(),
        shown(&qualifiers)
    )?;
    Ok(())
}

fn list(cli: &Cli, args: &QuotesArgs, out: &mut dyn Write) -> anyhow::Result<()> {
    let (store, study, filter) = super::streamed_filter(cli, &args.filter)?;
    if cli.json {
        let mut stream = output::JsonArray::new(out);
        let result = store.quotes(&study, &filter, |q, memo| {
            stream.push(&serde_json::json!({
                "source": q.source, "informants": q.informants, "start": q.start, "end": q.end,
                "code": q.code, "qualifiers": q.qualifiers, "coder": q.coder, "memo": memo,
                "text": q.text,
            }))
        });
        return stream.finish(result).map(drop);
    }
    let mut rows = Vec::new();
    store.quotes(&study, &filter, |q, memo| {
        rows.push(vec![
            super::quotes::speakers(&q.informants),
            format!("{}..{}", q.start, q.end),
            q.code.to_string(),
            q.qualifiers.to_string(),
            q.coder.to_string(),
            memo.unwrap_or_default(),
            q.text,
        ]);
        Ok(())
    })?;
    let n = rows.len();
    if n == 0 {
        let coders = store.coders(&study)?;
        let said = super::nothing(
            coders.iter().map(CoderId::as_str),
            filter.coder.as_ref(),
            "no codings match",
        );
        writeln!(out, "{said}")?;
        return Ok(());
    }
    output::table(
        out,
        &[
            "informant",
            "span",
            "code",
            "qualifiers",
            "coder",
            "memo",
            "unit",
        ],
        rows,
    )?;
    writeln!(out, "{}", output::count(n, "coding", "codings"))?;
    Ok(())
}

fn reconcile(
    cli: &Cli,
    coders: Option<&[String]>,
    prefer: Option<&str>,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    let (mut store, study) = super::load(cli)?;
    let args = crate::args::CodersArgs {
        coders: coders.map(<[String]>::to_vec),
        ignore_qualifiers: false,
    };
    let coders = super::agreement::coders(&study, &args)?;
    let prefer: Option<CoderId> = prefer.map(str::parse).transpose().context("--prefer")?;
    if let Some(p) = &prefer {
        anyhow::ensure!(
            coders.contains(p),
            "--prefer: `{p}` is not one of the coders compared"
        );
    }
    let consensus: CoderId = "consensus".parse()?;
    let (coded, units) = agreement::coverage(&study, &coders);
    super::agreement::warn_sparse(&coders, &coded, units);
    let (agreed, unresolved) = agreement::reconcile(&study, &coders, prefer.as_ref());
    let new: Vec<NewCoding> = agreed
        .into_iter()
        .map(|a| {
            let u = &study.units()[a.unit.index()];
            let t = study
                .transcript(&u.source)
                .expect("a unit has its transcript");
            NewCoding {
                unit: UnitRef::of(t, u.span),
                code: a.code,
                qualifiers: a.qualifiers,
                coder: consensus.clone(),
                memo: None,
            }
        })
        .collect();
    let added = store.reconcile_codings(&study.meta().id, &new, &coders)?;
    if cli.json {
        return output::json(
            out,
            &serde_json::json!({
                "added": added.added, "already_there": added.skipped, "unresolved_units": unresolved,
            }),
        );
    }
    writeln!(
        out,
        "recorded {} ({} there already; of the units, {}); {} still {}{}",
        output::count(added.added, "consensus coding", "consensus codings"),
        added.skipped,
        super::agreement::who_coded(&coders, &coded),
        output::count(unresolved, "unit", "units"),
        if unresolved == 1 { "differs" } else { "differ" },
        if unresolved > 0 {
            ": see `samskap agreement disagreements`, then `samskap code add --coder consensus` or --prefer"
        } else {
            ""
        }
    )?;
    Ok(())
}
