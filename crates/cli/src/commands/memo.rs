//! `samskap memo add`.

use std::io::Write;

use anyhow::Context;
use samskap_core::Memo;

use crate::args::{Cli, MemoCommand};
use crate::output;

pub fn run(cli: &Cli, cmd: &MemoCommand, out: &mut dyn Write) -> anyhow::Result<()> {
    let MemoCommand::Add { code, author, text } = cmd;
    let (mut store, study) = super::load(cli)?;
    let memo = Memo {
        code: code
            .as_deref()
            .map(str::parse)
            .transpose()
            .context("--code")?,
        author: author.parse().context("--author")?,
        text: text.clone(),
    };
    store.add_memo(&study.meta().id, &memo)?;
    if cli.json {
        return output::json(out, &memo);
    }
    match &memo.code {
        Some(c) => writeln!(out, "added a memo on {c} by {}", memo.author)?,
        None => writeln!(out, "added a memo on the study by {}", memo.author)?,
    }
    Ok(())
}
