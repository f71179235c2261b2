//! `samskap taguette import PROJECT.sqlite3`: a Taguette project (its documents, tags and
//! highlights) from the project's SQLite file into a new study.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context;
use clap::{Args, Subcommand};
use samskap_core::{CoderId, Counting, StudyId};
use samskap_store::TaguetteFile;
use samskap_taguette::{ImportReport, Options};

use crate::args::Cli;
use crate::output;

/// `taguette ...`.
#[derive(Debug, Subcommand)]
pub enum TaguetteCommand {
    /// Import a project from a Taguette SQLite file as a new study.
    Import(ImportArgs),
}

/// `taguette import`.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The Taguette database: a project exported from Taguette, or a server's whole file.
    pub file: PathBuf,
    /// The id of the new study; default: made from the project's name.
    #[arg(long)]
    pub id: Option<String>,
    /// Which project, by id or exact name, when the file holds several.
    #[arg(long)]
    pub project: Option<String>,
    /// The coder of highlights that neither Taguette's log nor a sole project member
    /// accounts for.
    #[arg(long, default_value = "taguette")]
    pub coder: String,
    /// How positions are counted over the text nodes of a document's HTML: utf8 (Taguette's
    /// UTF-8 bytes, the default), code-points, utf16 or crlf-as-one.
    #[arg(long)]
    pub positions: Option<String>,
    /// Where tag names split into levels of the code tree (default `.`); `--separator ''`
    /// keeps every tag a top-level code.
    #[arg(long, default_value = ".")]
    pub separator: String,
    #[command(flatten)]
    pub replace: crate::args::ReplaceArgs,
}

/// Runs a `taguette` subcommand.
pub fn run(cli: &Cli, c: &TaguetteCommand, out: &mut dyn Write) -> anyhow::Result<()> {
    match c {
        TaguetteCommand::Import(a) => import(cli, a, out),
    }
}

fn import(cli: &Cli, a: &ImportArgs, out: &mut dyn Write) -> anyhow::Result<()> {
    let name = a.file.display().to_string();
    let opts = Options {
        study_id: a
            .id
            .as_deref()
            .map(str::parse::<StudyId>)
            .transpose()
            .context("--id")?,
        default_coder: a.coder.parse::<CoderId>().context("--coder")?,
        separator: Some(a.separator.clone()).filter(|s| !s.is_empty()),
        counting: a
            .positions
            .as_deref()
            .map(str::parse::<Counting>)
            .transpose()
            .map_err(anyhow::Error::msg)
            .context("--positions")?
            .unwrap_or(samskap_taguette::COUNTING),
        ..Options::default()
    };
    let refused = || format!("{name} refused; nothing was written");
    let file = TaguetteFile::open(&a.file, &super::limits(cli)).with_context(refused)?;
    let projects = file.projects().with_context(refused)?;
    let project =
        samskap_taguette::choose_project(&projects, a.project.as_deref()).with_context(refused)?;
    let source = file.project(project).with_context(refused)?;
    let mut imported = samskap_taguette::import(&source, &opts).with_context(refused)?;
    match (file.revision(), file.known_revision()) {
        (Some(r), Some(false)) => imported.report.notes.push(format!(
            "the file's schema revision `{r}` is newer than those samskap knows; it was read by the tables and columns it needs"
        )),
        (None, _) => imported.report.notes.push(
            "the file records no schema revision (no `alembic_version`); it was read by the tables and columns it needs".into(),
        ),
        _ => {}
    }
    drop(file);
    // The store is created only now, once the file has been read and checked whole.
    let mut store = super::open_or_create(cli)?;
    let s = store.import_study(&imported.study, a.replace.mode())?;
    let r = &imported.report;
    if cli.json {
        return output::json(
            out,
            &serde_json::json!({
                "study": imported.study.meta().id,
                "framework": imported.study.meta().framework,
                "project": project.id,
                "replaced": s.replaced,
                "informants": s.informants,
                "transcripts": s.transcripts,
                "units": s.units,
                "codings": s.codings,
                "report": r,
            }),
        );
    }
    writeln!(
        out,
        "{} study `{}` from {name} (Taguette project {} `{}`) into {}: {} informants, {} sources, {} meaning units, {} codings",
        if s.replaced { "replaced" } else { "imported" },
        imported.study.meta().id,
        project.id,
        samskap_core::shorten(&r.project),
        cli.db.display(),
        s.informants,
        s.transcripts,
        s.units,
        s.codings,
    )?;
    print_report(out, &imported.study.meta().framework.to_string(), r)
}

fn print_report(out: &mut dyn Write, framework: &str, r: &ImportReport) -> anyhow::Result<()> {
    writeln!(
        out,
        "framework `{framework}`: {} codes from {} tags ({} {} no tag{}); positions counted as {} over the documents' text",
        r.codes,
        r.tags,
        r.levels_added,
        if r.levels_added == 1 { "level that is" } else { "levels that are" },
        match &r.separator {
            Some(s) => format!(", split at `{s}`"),
            None => ", not split".into(),
        },
        r.counting,
    )?;
    writeln!(out, "documents (consent pending for every informant):")?;
    for d in &r.documents {
        writeln!(
            out,
            "  {:<6} {} characters, {} highlights  ({})",
            d.informant.as_str(),
            d.characters,
            d.highlights,
            samskap_core::shorten(&d.name)
        )?;
        for n in &d.notes {
            writeln!(out, "         note: {n}")?;
        }
    }
    writeln!(out, "coders:")?;
    for c in &r.coders {
        writeln!(
            out,
            "  {:<12} {} codings  ({})",
            c.coder.as_str(),
            c.codings,
            match &c.login {
                Some(l) => format!("Taguette login `{}`", samskap_core::shorten(l)),
                None => "no login: --coder".into(),
            }
        )?;
    }
    let at = &r.attribution;
    writeln!(
        out,
        "codings by who the log says tagged: {}; made the highlight: {}; the only member: {}; --coder: {}",
        at.tag_added_by, at.highlight_made_by, at.only_member, at.default_coder
    )?;
    let ids = |v: &[i64]| v.iter().map(i64::to_string).collect::<Vec<_>>().join(", ");
    if !r.untagged.is_empty() {
        writeln!(
            out,
            "highlights with no tag, kept as meaning units without a coding: {} (Taguette id{} {})",
            r.untagged.len(),
            if r.untagged.len() == 1 { "" } else { "s" },
            ids(&r.untagged)
        )?;
    }
    for m in &r.merged {
        writeln!(
            out,
            "highlights {} code the same words with `{}` by `{}`: one coding",
            ids(&m.highlights),
            m.code,
            m.coder
        )?;
    }
    if !r.rounded.is_empty() {
        writeln!(
            out,
            "highlights whose edge fell inside a letter and its accent, widened to the whole letter: {}",
            ids(&r.rounded)
        )?;
    }
    if !r.snippet_mismatches.is_empty() {
        crate::warn(&format!(
            "highlights whose text differs from the snippet Taguette stored (moved since?): {}",
            ids(&r.snippet_mismatches)
        ));
    }
    if !r.not_brought_in.is_empty() {
        writeln!(out, "not brought in:")?;
        for (what, n) in &r.not_brought_in {
            writeln!(out, "  {n:>5}  {what}")?;
        }
    }
    for n in &r.notes {
        writeln!(out, "note: {n}")?;
    }
    Ok(())
}
