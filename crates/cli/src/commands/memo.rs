//! `samskap memo add|list|edit|remove`.

use std::io::Write;

use anyhow::Context;
use samskap_core::{CodeId, Memo, StudyId};
use samskap_store::{Store, StoreError};

use crate::args::{Cli, MemoCommand};
use crate::output;

pub fn run(cli: &Cli, cmd: &MemoCommand, out: &mut dyn Write) -> anyhow::Result<()> {
    match cmd {
        MemoCommand::Add { code, author, text } => add(cli, code.as_deref(), author, text, out),
        MemoCommand::List { code } => list(cli, code.as_deref(), out),
        MemoCommand::Edit { id, text } => {
            let mut store = super::open_store(cli)?;
            let study = super::study_id(cli, &store)?;
            let r = store.edit_memo(&study, *id, text);
            known(&store, &study, *id, r)?;
            if cli.json {
                return output::json(out, &serde_json::json!({ "edited": id }));
            }
            writeln!(out, "changed the text of memo {id}")?;
            Ok(())
        }
        MemoCommand::Remove { id } => {
            let mut store = super::open_store(cli)?;
            let study = super::study_id(cli, &store)?;
            let r = store.remove_memo(&study, *id);
            let memo = known(&store, &study, *id, r)?;
            if cli.json {
                return output::json(out, &memo);
            }
            writeln!(out, "removed memo {id} (`samskap undo` brings it back)")?;
            Ok(())
        }
    }
}

fn add(
    cli: &Cli,
    code: Option<&str>,
    author: &str,
    text: &str,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    let (mut store, study) = super::load(cli)?;
    let memo = Memo {
        code: code.map(str::parse).transpose().context("--code")?,
        author: author.parse().context("--author")?,
        text: text.to_owned(),
    };
    let id = store.add_memo(&study.meta().id, &memo)?;
    if cli.json {
        return output::json(
            out,
            &serde_json::json!({
                "id": id, "code": memo.code, "author": memo.author, "text": memo.text,
            }),
        );
    }
    match &memo.code {
        Some(c) => writeln!(out, "added memo {id} on {c} by {}", memo.author)?,
        None => writeln!(out, "added memo {id} on the study by {}", memo.author)?,
    }
    Ok(())
}

fn list(cli: &Cli, code: Option<&str>, out: &mut dyn Write) -> anyhow::Result<()> {
    let store = super::open_store(cli)?;
    let study = super::study_id(cli, &store)?;
    let code: Option<CodeId> = match code {
        None => None,
        Some(c) => {
            let parsed: CodeId = c.parse().context("--code")?;
            let fw = store.outline(&study)?.framework;
            if !fw.contains(&parsed) {
                let hint = crate::suggest::hint(c, fw.codes().iter().map(|k| k.id.as_str()));
                return Err(super::UsageError(format!(
                    "--code: framework `{}` has no code `{c}`{hint}",
                    fw.id()
                ))
                .into());
            }
            Some(parsed)
        }
    };
    let memos = store.memos(&study, code.as_ref())?;
    if cli.json {
        return output::json(out, &memos);
    }
    if memos.is_empty() {
        writeln!(
            out,
            "no memos{}: `samskap memo add` writes one",
            code.map(|c| format!(" on {c}")).unwrap_or_default()
        )?;
        return Ok(());
    }
    let rows = memos
        .iter()
        .map(|m| {
            vec![
                m.id.to_string(),
                m.code
                    .as_ref()
                    .map_or_else(|| "(the study)".to_owned(), ToString::to_string),
                m.author.to_string(),
                m.text.clone(),
            ]
        })
        .collect();
    output::table(out, &["id", "on", "author", "text"], rows)
}

/// `r`, with a memo id the study has none by named with the ids it has.
fn known<T>(
    store: &Store,
    study: &StudyId,
    id: i64,
    r: Result<T, StoreError>,
) -> anyhow::Result<T> {
    match r {
        Err(StoreError::NotFound { what: "memo", .. }) => {
            let ids: Vec<String> = store
                .memos(study, None)?
                .iter()
                .map(|m| m.id.to_string())
                .collect();
            let hint = crate::suggest::hint(&id.to_string(), ids.iter().map(String::as_str));
            anyhow::bail!("study `{study}` has no memo {id}{hint} (`samskap memo list` shows them)")
        }
        r => Ok(r?),
    }
}
