//! `samskap refi import FILE.qdpx|FILE.qdc` and `samskap refi export --project|--codebook`:
//! REFI-QDA interchange with NVivo, ATLAS.ti, MAXQDA, QualCoder, Taguette and others.

use std::fs::File;
use std::io::{BufReader, Write};
use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use clap::{Args, Subcommand};
use samskap_core::{CoderId, Framework, QualifierId, Qualifiers, StudyId, ValueId};
use samskap_files::{Kind as FileKind, Links, Output};
use samskap_refi::{Counting, Guid, GuidTable, ImportOptions, Kind, Limits, Mapping, Skipped};
use samskap_store::{RefiAttribute, RefiGuid, RefiRecord, Store};

use crate::args::Cli;
use crate::output;

/// `refi ...`.
#[derive(Debug, Subcommand)]
pub enum RefiCommand {
    /// Import a REFI-QDA project (.qdpx) as a new study, or a codebook (.qdc) as a framework.
    Import(ImportArgs),
    /// Export the study as a REFI-QDA project (.qdpx) or its framework as a codebook (.qdc).
    Export(ExportArgs),
}

/// `refi import`.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// A .qdpx project or a .qdc codebook.
    pub file: PathBuf,
    /// The id of the new study (or framework, for a .qdc); default: made from the project's
    /// name (or the file's name).
    #[arg(long)]
    pub id: Option<String>,
    /// A mapping file (TOML) that lands the tool's codes on an existing framework.
    #[arg(long)]
    pub mapping: Option<PathBuf>,
    /// A polarity for codings that neither a mapping rule nor a code's name gives one, where
    /// the framework declares polarity (codings are kept without one otherwise).
    #[arg(long)]
    pub default_polarity: Option<String>,
    /// Values for codings that nothing else gives one, `QUALIFIER=VALUE;…`, where the
    /// framework declares the qualifier for the coding's code.
    #[arg(long)]
    pub default_qualifiers: Option<String>,
    /// How the file counts positions: code-points, utf16, crlf-as-one or utf8 (default: by the
    /// tool named in its `origin`).
    #[arg(long)]
    pub positions: Option<String>,
    /// The coder of codings and notes that name no user.
    #[arg(long, default_value = "refi")]
    pub coder: String,
    #[command(flatten)]
    pub replace: crate::args::ReplaceArgs,
}

/// `refi export`.
#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("what").required(true).multiple(false)))]
pub struct ExportArgs {
    /// Write the study as a REFI-QDA project.
    #[arg(long, group = "what")]
    pub project: Option<PathBuf>,
    /// Write the study's framework as a REFI-QDA codebook.
    #[arg(long, group = "what")]
    pub codebook: Option<PathBuf>,
    /// Overwrite the output file if it exists.
    #[arg(long)]
    pub force: bool,
}

pub fn run(cli: &Cli, cmd: &RefiCommand, out: &mut dyn Write) -> anyhow::Result<()> {
    match cmd {
        RefiCommand::Import(a) => import(cli, a, out),
        RefiCommand::Export(a) => export(cli, a, out),
    }
}

fn extension(path: &Path) -> String {
    path.extension()
        .and_then(|e| e.to_str())
        .unwrap_or_default()
        .to_lowercase()
}

/// The framework a mapping names: from the store (when there is one), or built in.
fn mapping_framework(store: Option<&Store>, mapping: &Mapping) -> anyhow::Result<Framework> {
    let id = mapping.framework.as_str();
    let stored = match store {
        Some(store) => store.frameworks()?,
        None => Vec::new(),
    };
    match stored.into_iter().find(|f| f.id().as_str() == id) {
        Some(f) => Ok(f),
        None => Framework::builtin(id).with_context(|| {
            format!("mapping: framework `{id}` is neither in the store nor built in")
        }),
    }
}

/// Every framework the store (when there is one) holds, and every built-in one it does not,
/// with the GUIDs kept for their codes.
fn candidates(store: Option<&Store>) -> anyhow::Result<Vec<(Framework, GuidTable)>> {
    let mut out = Vec::new();
    if let Some(store) = store {
        for f in store.frameworks()? {
            let rows = store.refi_framework_guids(f.id())?;
            let table = table_of("", f.id().as_str(), &rows)?;
            out.push((f, table));
        }
    }
    for id in Framework::builtin_ids() {
        if !out.iter().any(|(f, _)| f.id().as_str() == id) {
            out.push((Framework::builtin(id)?, GuidTable::new("", id)));
        }
    }
    Ok(out)
}

fn record_of(guids: &GuidTable, attributes: &[samskap_refi::Attribute]) -> RefiRecord {
    let mut record = RefiRecord::default();
    for ((kind, key), guid) in &guids.kept {
        let row = RefiGuid {
            kind: kind.as_str().to_owned(),
            key: key.clone(),
            guid: guid.to_string(),
        };
        if kind.is_framework_scoped() {
            record.framework_guids.push(row);
        } else {
            record.study_guids.push(row);
        }
    }
    record.attributes = attributes
        .iter()
        .map(|a| RefiAttribute {
            informant: a.informant.clone(),
            variable: a.variable.clone(),
            kind: a.kind.clone(),
            value: a.value.clone(),
        })
        .collect();
    record
}

/// `--default-polarity V` and `--default-qualifiers "Q=V;…"` as one set of values.
fn default_qualifiers(a: &ImportArgs) -> anyhow::Result<Qualifiers> {
    let mut pairs: Vec<(QualifierId, ValueId)> = Vec::new();
    if let Some(p) = &a.default_polarity {
        pairs.push((
            samskap_refi::POLARITY.parse()?,
            p.parse().context("--default-polarity")?,
        ));
    }
    if let Some(q) = &a.default_qualifiers {
        let q: Qualifiers = q.parse().context("--default-qualifiers")?;
        pairs.extend(q.iter().map(|(q, v)| (q.clone(), v.clone())));
    }
    Qualifiers::new(pairs).context("--default-qualifiers")
}

fn table_of(study: &str, framework: &str, rows: &[RefiGuid]) -> anyhow::Result<GuidTable> {
    let mut t = GuidTable::new(study, framework);
    for r in rows {
        let kind = Kind::from_stored(&r.kind, &r.key)
            .with_context(|| format!("the store keeps an unknown GUID kind `{}`", r.kind))?;
        let guid = Guid::parse(&r.guid)
            .with_context(|| format!("the store keeps `{}`, which is not a GUID", r.guid))?;
        t.kept.insert(kind, guid);
    }
    Ok(t)
}

fn print_skipped(out: &mut dyn Write, title: &str, skipped: &Skipped) -> anyhow::Result<()> {
    if skipped.is_empty() {
        return Ok(());
    }
    writeln!(out, "{title}:")?;
    for (what, n) in &skipped.0 {
        writeln!(out, "  {n:>5}  {what}")?;
    }
    Ok(())
}

fn import(cli: &Cli, a: &ImportArgs, out: &mut dyn Write) -> anyhow::Result<()> {
    let name = a.file.display().to_string();
    let files = super::limits(cli);
    // A project unpacks within the same byte limits as a .docx; it parses within refi's
    // own limits on XML.
    let limits = Limits {
        unpacked: files.unpacked,
        ..Limits::default()
    };
    match extension(&a.file).as_str() {
        "qdpx" => {}
        "qdc" => return import_codebook(cli, a, limits, out),
        _ => bail!("{name}: expected a .qdpx project or a .qdc codebook"),
    }
    let file = samskap_files::open(&a.file, FileKind::Archive, &files, Links::Follow)
        .map_err(|e| anyhow::anyhow!("{name}: {e}"))?
        .into_file();
    let project = samskap_refi::read_qdpx(BufReader::new(file), limits)
        .with_context(|| format!("{name} refused; nothing was written"))?;
    let study_id: StudyId = match &a.id {
        Some(id) => id.parse().context("--id")?,
        None => samskap_refi::slug(&project.name, "refi-project")
            .parse()
            .context("the project's name does not make an id; give --id")?,
    };
    // The store is read (for frameworks) only if it exists, and created only once the
    // project has been read and checked whole: a refused import leaves no new empty store.
    let existing = if cli.db.exists() {
        Some(super::open_store(cli)?)
    } else {
        None
    };
    let mapping = match &a.mapping {
        Some(path) => {
            let text = super::read_named_text(cli, path, FileKind::Document)?;
            let m = Mapping::from_toml(&text).with_context(|| path.display().to_string())?;
            let f = mapping_framework(existing.as_ref(), &m)?;
            Some((m, f))
        }
        None => None,
    };
    // Without a mapping, a project that went out from samskap lands on the framework it
    // left, recognised by its codes' GUIDs.
    let (mapping, recognised, partial) = match mapping {
        Some(m) => (Some(m), false, None),
        None => {
            let (found, partial) =
                samskap_refi::recognise(&project, &candidates(existing.as_ref())?);
            let recognised = found.is_some();
            (found.map(|r| (r.mapping, r.framework)), recognised, partial)
        }
    };
    // A replaced study keeps its municipalities and groups, which a REFI project has no
    // place for: the cases' `group` variables find their groups again.
    let keep = match (&existing, a.replace.replace) {
        (Some(store), true) => match store.load_people(&study_id) {
            Ok(people) => samskap_refi::Kept {
                municipalities: people.municipalities().to_vec(),
                groups: people.groups().to_vec(),
            },
            Err(samskap_store::StoreError::NotFound { .. }) => samskap_refi::Kept::default(),
            Err(e) => return Err(e.into()),
        },
        _ => samskap_refi::Kept::default(),
    };
    let opts = ImportOptions {
        keep,
        study_id,
        counting: a
            .positions
            .as_deref()
            .map(str::parse::<Counting>)
            .transpose()
            .map_err(anyhow::Error::msg)
            .context("--positions")?,
        mapping,
        default_qualifiers: default_qualifiers(a)?,
        default_coder: a.coder.parse::<CoderId>().context("--coder")?,
    };
    let mut imported = samskap_refi::import_project(&project, &opts)
        .with_context(|| format!("{name} refused; nothing was written"))?;
    if recognised {
        imported.report.framework_from = "codes' GUIDs";
    }
    imported.report.notes.extend(partial);
    // Case variables the model has no field for are the study's custom attributes now; the
    // record keeps only the tools' GUIDs.
    let record = record_of(&imported.guids, &[]);
    let mut store = match existing {
        Some(store) => store,
        None => super::open_or_create(cli)?,
    };
    let s = store.import_refi_study(&imported.study, &record, a.replace.mode())?;
    let r = &imported.report;
    if cli.json {
        return output::json(
            out,
            &serde_json::json!({
                "study": imported.study.meta().id,
                "replaced": s.replaced,
                "informants": s.informants,
                "transcripts": s.transcripts,
                "units": s.units,
                "codings": s.codings,
                "memos": s.memos,
                "attributes": imported.study.attributes().len(),
                "report": r,
            }),
        );
    }
    writeln!(
        out,
        "{} study `{}` from {name} into {}: {} informants, {} sources, {} meaning units, {} codings, {} memos",
        if s.replaced { "replaced" } else { "imported" },
        imported.study.meta().id,
        cli.db.display(),
        s.informants,
        s.transcripts,
        s.units,
        s.codings,
        s.memos
    )?;
    writeln!(
        out,
        "framework `{}` (from the {}); positions counted as {} (origin: {})",
        r.framework,
        r.framework_from,
        r.counting.as_str(),
        r.origin.as_deref().unwrap_or("not given")
    )?;
    print_skipped(out, "skipped (samskap cannot represent these)", &r.skipped)?;
    for n in &r.notes {
        writeln!(out, "note: {n}")?;
    }
    Ok(())
}

fn import_codebook(
    cli: &Cli,
    a: &ImportArgs,
    limits: Limits,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    let name = a.file.display().to_string();
    if a.mapping.is_some()
        || a.default_polarity.is_some()
        || a.default_qualifiers.is_some()
        || a.replace.replace
    {
        bail!(
            "--mapping, --default-polarity, --default-qualifiers and --replace apply to a .qdpx project, not a codebook"
        );
    }
    let bytes = super::read_named(cli, &a.file, FileKind::Document)?;
    let project = samskap_refi::read_qdc(&bytes, limits)
        .with_context(|| format!("{name} refused; nothing was written"))?;
    let stem = a
        .file
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("codebook");
    let id = match &a.id {
        Some(id) => id.parse().context("--id")?,
        None => samskap_refi::slug(stem, "codebook")
            .parse()
            .context("the file's name does not make an id; give --id")?,
    };
    let (framework, guids, skipped) = samskap_refi::codebook_framework(&project, id, stem)
        .with_context(|| format!("{name} refused; nothing was written"))?;
    let record = record_of(&guids, &[]);
    let mut store = super::open_or_create(cli)?;
    let outcome = store.import_refi_framework(&framework, &record.framework_guids)?;
    if cli.json {
        return output::json(
            out,
            &serde_json::json!({
                "framework": framework.id(),
                "outcome": format!("{outcome:?}").to_lowercase(),
                "top_codes": framework.roots().count(),
                "codes": framework.codes().len(),
                "skipped": skipped,
            }),
        );
    }
    writeln!(
        out,
        "framework `{}` from {name}: {} codes at the top, {} in all ({})",
        framework.id(),
        framework.roots().count(),
        framework.codes().len(),
        format!("{outcome:?}").to_lowercase()
    )?;
    print_skipped(out, "skipped (samskap cannot represent these)", &skipped)?;
    writeln!(
        out,
        "note: the code tree came in whole; codes named for a polarity became its values (docs/refi-qda.md)"
    )?;
    Ok(())
}

/// Writes an output file whole or not at all, through [`Output`]: into a new directory
/// beside it, renamed into place once complete, so a failed export leaves no partial file
/// (and, with `--force`, the old file as it was). Refuses to overwrite a file unless forced,
/// and a directory ever.
fn write_out(
    path: &Path,
    force: bool,
    write: impl FnOnce(&mut File) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    if path.is_dir() {
        bail!("{} is a directory; name the file to write", path.display());
    }
    if path.exists() && !force {
        bail!("{} exists; use --force to overwrite it", path.display());
    }
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .with_context(|| format!("{} does not name a file (in UTF-8)", path.display()))?;
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let output = Output::begin(dir)?;
    let staged = output.path().join(name);
    let cannot = || format!("cannot write {}", path.display());
    let mut file = File::options()
        .write(true)
        .create_new(true)
        .open(&staged)
        .with_context(cannot)?;
    write(&mut file)
        .and_then(|()| Ok(file.sync_all()?))
        .with_context(cannot)?;
    drop(file);
    output.commit(&[name])?;
    Ok(())
}

fn export(cli: &Cli, a: &ExportArgs, out: &mut dyn Write) -> anyhow::Result<()> {
    let (store, study) = super::load(cli)?;
    let sid = study.meta().id.clone();
    let fid = study.framework().id().to_string();
    let record = store.refi_record(&sid)?;
    let mut rows = record.study_guids.clone();
    rows.extend(record.framework_guids.iter().cloned());
    let guids = table_of(sid.as_str(), &fid, &rows)?;
    if let Some(path) = &a.codebook {
        let xml = samskap_refi::codebook_xml(study.framework(), &guids);
        write_out(path, a.force, |f| Ok(f.write_all(xml.as_bytes())?))?;
        let memos = study.memos().iter().filter(|m| m.code.is_some()).count();
        if cli.json {
            return output::json(
                out,
                &serde_json::json!({
                    "framework": fid, "file": path.display().to_string(),
                    "codes": study.framework().codes().len(),
                    "not_written": { "memo on a code (a codebook has no notes)": memos },
                }),
            );
        }
        writeln!(
            out,
            "exported framework `{fid}` to {} ({} codes, each with a code under it per value of the qualifiers it takes)",
            path.display(),
            study.framework().codes().len()
        )?;
        if memos > 0 {
            writeln!(out, "not written: {memos} memos on codes (a codebook has no notes; export --project keeps them)")?;
        }
        return Ok(());
    }
    let path = a.project.as_ref().expect("clap requires one of the two");
    let attributes: Vec<samskap_refi::Attribute> = record
        .attributes
        .iter()
        .map(|r| samskap_refi::Attribute {
            informant: r.informant.clone(),
            variable: r.variable.clone(),
            kind: r.kind.clone(),
            value: r.value.clone(),
        })
        .collect();
    let files = samskap_refi::project_files(&study, &guids, &attributes);
    write_out(path, a.force, |f| Ok(samskap_refi::write_qdpx(&files, f)?))?;
    let r = &files.report;
    if cli.json {
        return output::json(
            out,
            &serde_json::json!({ "study": sid, "file": path.display().to_string(), "report": r }),
        );
    }
    writeln!(
        out,
        "exported study `{sid}` to {}: {} sources, {} selections, {} codings, {} notes",
        path.display(),
        r.sources,
        r.selections,
        r.codings,
        r.notes
    )?;
    print_skipped(
        out,
        "not written (REFI-QDA has no place for these)",
        &r.not_written,
    )?;
    for n in &r.remarks {
        writeln!(out, "note: {n}")?;
    }
    Ok(())
}
