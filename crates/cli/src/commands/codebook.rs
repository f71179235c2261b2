//! `samskap code rename|move|merge|split|delete`: editing the codebook of a study in use. The
//! codings, memos and kept GUIDs follow in the store, and each edit is a new version.

use std::io::Write;

use anyhow::Context;
use samskap_core::codebook::Edit;
use samskap_core::CodeId;
use samskap_store::{Change, Pick, StoreError};

use crate::args::{ChangeArgs, Cli, CodeCommand};
use crate::output;

/// Who and why from the arguments, at the time now (RFC 3339, in seconds, UTC): who is
/// `--by`, else who the journal records (`--as`, else the system's user).
pub fn change(cli: &Cli, args: &ChangeArgs) -> anyhow::Result<Change> {
    let by = match &args.by {
        Some(by) => by.clone(),
        None => super::actor(cli)?.who().to_owned(),
    };
    Ok(Change {
        by,
        at: chrono::DateTime::<chrono::Utc>::from(std::time::SystemTime::now())
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        note: args.note.clone(),
    })
}

fn code(s: &str, what: &str) -> anyhow::Result<CodeId> {
    s.parse().with_context(|| format!("{what} `{s}`"))
}

/// `new` as a path: itself when it has a `/`, else a code named `new` where `old` is.
fn renamed(old: &CodeId, new: &str, what: &str) -> anyhow::Result<CodeId> {
    if new.contains('/') {
        return code(new, what);
    }
    match old.parent() {
        Some(p) => p.child(new).with_context(|| format!("{what} `{new}`")),
        None => code(new, what),
    }
}

/// `INFORMANT:START-END` or `INFORMANT:START-END:CODER`.
fn pick(s: &str) -> anyhow::Result<Pick> {
    let bad = || format!("--coding `{s}`: expected SOURCE:START-END or SOURCE:START-END:CODER");
    let parts: Vec<&str> = s.split(':').collect();
    let (source, span, coder) = match parts.as_slice() {
        [i, span] => (*i, *span, None),
        [i, span, c] => (*i, *span, Some(*c)),
        _ => anyhow::bail!(bad()),
    };
    let (start, end) = span.split_once('-').with_context(bad)?;
    Ok(Pick {
        source: source.parse().with_context(bad)?,
        start: start.parse().with_context(bad)?,
        end: end.parse().with_context(bad)?,
        coder: coder.map(str::parse).transpose().with_context(bad)?,
    })
}

/// The edit a `code` subcommand asks for, with who/why and the codings a split moves.
fn edit_of(cmd: &CodeCommand) -> anyhow::Result<(Edit, &ChangeArgs, Vec<Pick>)> {
    Ok(match cmd {
        CodeCommand::Rename { old, new, change } => {
            let from = code(old, "code")?;
            let to = renamed(&from, new, "new name")?;
            (Edit::Rename { from, to }, change, Vec::new())
        }
        CodeCommand::Move {
            code: c,
            to,
            top: _,
            change,
        } => {
            let from = code(c, "code")?;
            let to = match to {
                Some(parent) => code(parent, "--to")?
                    .child(from.last())
                    .with_context(|| format!("--to `{parent}`"))?,
                None => code(from.last(), "code")?,
            };
            (Edit::Rename { from, to }, change, Vec::new())
        }
        CodeCommand::Merge {
            codes,
            into,
            change,
        } => {
            let from = codes
                .iter()
                .map(|c| code(c, "code"))
                .collect::<anyhow::Result<_>>()?;
            let into = code(into, "--into")?;
            (Edit::Merge { from, into }, change, Vec::new())
        }
        CodeCommand::Split {
            code: c,
            into,
            codings,
            change,
        } => {
            let from = code(c, "code")?;
            let into = renamed(&from, into, "--into")?;
            let picks = codings
                .iter()
                .map(|s| pick(s))
                .collect::<anyhow::Result<_>>()?;
            (Edit::Split { from, into }, change, picks)
        }
        CodeCommand::Delete {
            code: c,
            recode_to,
            change,
        } => {
            let code_id = code(c, "code")?;
            let recode_to = recode_to
                .as_deref()
                .map(|r| code(r, "--recode-to"))
                .transpose()?;
            (
                Edit::Delete {
                    code: code_id,
                    recode_to,
                },
                change,
                Vec::new(),
            )
        }
        CodeCommand::Add { .. }
        | CodeCommand::Remove { .. }
        | CodeCommand::List(_)
        | CodeCommand::Exemplar(_)
        | CodeCommand::Reconcile { .. } => {
            anyhow::bail!("`code add|remove|list|reconcile` code units; they edit no codebook")
        }
    })
}

/// Applies the edit a `code` subcommand asks for to the study's framework and says what
/// followed.
pub fn run(cli: &Cli, cmd: &CodeCommand, out: &mut dyn Write) -> anyhow::Result<()> {
    let (edit, change_args, picks) = edit_of(cmd)?;
    let edit = &edit;
    let mut store = super::open_store(cli)?;
    let study = super::study_id(cli, &store)?;
    let done = match store.edit_codebook(&study, edit, &picks, &change(cli, change_args)?) {
        Err(StoreError::Conflict(why))
            if matches!(
                edit,
                Edit::Delete {
                    recode_to: None,
                    ..
                }
            ) =>
        {
            anyhow::bail!("{why} (--recode-to CODE)")
        }
        r => r?,
    };
    if cli.json {
        return output::json(out, &done);
    }
    let merged = match done.merged {
        0 => String::new(),
        1 => "; 1 coding that became the same as another was merged into it".to_owned(),
        n => format!("; {n} codings that became the same as another were merged into it"),
    };
    writeln!(
        out,
        "{}: {} and {} followed{merged}; framework `{}` is at version {}",
        done.what,
        counted(done.codings, "coding", "codings"),
        counted(done.memos, "memo", "memos"),
        done.framework,
        done.version
    )?;
    Ok(())
}

/// `1 memo`, `2 memos`.
fn counted(n: usize, one: &str, many: &str) -> String {
    match n {
        1 => format!("1 {one}"),
        n => format!("{n} {many}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pick_names_a_unit_and_maybe_a_coder() {
        let p = pick("I1:10-42:A").unwrap();
        assert_eq!((p.source.as_str(), p.start, p.end), ("I1", 10, 42));
        assert_eq!(p.coder.unwrap().as_str(), "A");
        assert!(pick("I1:10-42").unwrap().coder.is_none());
        for bad in ["I1", "I1:10", "I1:x-42", "I1:10-42:A:B"] {
            let e = pick(bad).unwrap_err().to_string();
            assert!(e.contains(bad), "{e}");
        }
    }

    #[test]
    fn a_new_name_stays_in_place_and_a_path_goes_there() {
        let old: CodeId = "a/b".parse().unwrap();
        assert_eq!(renamed(&old, "c", "x").unwrap().as_str(), "a/c");
        assert_eq!(renamed(&old, "d/c", "x").unwrap().as_str(), "d/c");
        let top: CodeId = "a".parse().unwrap();
        assert_eq!(renamed(&top, "z", "x").unwrap().as_str(), "z");
    }
}
