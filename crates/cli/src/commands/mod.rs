//! One module per subcommand; this one dispatches and holds what they share.

mod agreement;
mod assess;
pub(crate) mod backup;
mod code;
mod codebook;
mod cooccur;
mod export;
mod framework;
mod guide;
mod history;
mod import;
mod informants;
mod init;
mod manual;
mod matrix;
mod memo;
mod quotes;
pub(crate) mod refi;
mod report;
mod saturation;
mod search;
pub(crate) mod serve;
mod source;
mod study;
pub(crate) mod taguette;
mod token;

use std::io::Write;
use std::path::Path;

use anyhow::Context;
use samskap_core::analysis::Filter;
use samskap_core::{
    CodeId, CodingTable, Framework, GroupId, QualifierId, Qualifiers, Study, StudyId, ValueId,
};
use samskap_files::{Kind, Limits, Links};
use samskap_store::{Actor, Store, Via};

use crate::args::{
    AgreementCommand, Cli, Command, FilterArgs, FrameworkCommand, GuideCommand, InformantCommand,
    SourceCommand, StudyCommand, TranscriptCommand,
};

/// Runs the parsed command, writing its output to `out`.
pub fn run(cli: &Cli, out: &mut dyn Write) -> anyhow::Result<()> {
    dispatch(cli, out).map_err(|e| with_closest(cli, e))
}

/// An error for an id the store has no such thing for, with the closest id it has
/// ("did you mean `I3`?") or the ones it has. The store's error names what and which; the
/// ids are read only now that one was not found.
fn with_closest(cli: &Cli, e: anyhow::Error) -> anyhow::Error {
    let Some(samskap_store::StoreError::NotFound { what, id }) = e
        .chain()
        .find_map(|c| c.downcast_ref::<samskap_store::StoreError>())
    else {
        return e;
    };
    let known = || -> anyhow::Result<Vec<String>> {
        let store = open_store(cli)?;
        if *what == "study" {
            return Ok(store
                .studies()?
                .into_iter()
                .map(|s| s.id.to_string())
                .collect());
        }
        let kind = samskap_store::Known::from_what(what).context("not a kind of id")?;
        Ok(store.known_ids(&study_id(cli, &store)?, kind)?)
    };
    match known() {
        Ok(ids) => {
            let hint = crate::suggest::hint(id, ids.iter().map(String::as_str));
            if hint.is_empty() {
                e
            } else {
                anyhow::anyhow!("{}{hint}", crate::message(&e))
            }
        }
        Err(_) => e,
    }
}

fn dispatch(cli: &Cli, out: &mut dyn Write) -> anyhow::Result<()> {
    match &cli.command {
        Command::Init => init::run(cli, out),
        Command::Completions { shell } => manual::completions(*shell, out),
        Command::Man { out: dir } => manual::man(dir, out),
        Command::Import(a) => import::run(cli, a, out),
        Command::Export(a) => export::run(cli, a, out),
        Command::Study(StudyCommand::Show) => study::show(cli, out),
        Command::Informants => informants::list(cli, out),
        Command::Informant(InformantCommand::Withdraw(a)) => informants::withdraw(cli, a, out),
        Command::Informant(InformantCommand::Consent { id, consent }) => {
            informants::consent(cli, id, *consent, out)
        }
        Command::History { limit } => history::history(cli, *limit, out),
        Command::Undo { id } => history::undo(cli, *id, out),
        Command::Framework(FrameworkCommand::Show { id, version }) => {
            framework::show(cli, id.as_deref(), *version, out)
        }
        Command::Framework(FrameworkCommand::List) => framework::list(cli, out),
        Command::Framework(FrameworkCommand::Import { file, change }) => {
            framework::import(cli, file, change, out)
        }
        Command::Framework(FrameworkCommand::Log { id }) => framework::log(cli, id.as_deref(), out),
        Command::Framework(FrameworkCommand::Diff {
            v1,
            v2,
            framework: f,
        }) => framework::diff(cli, f.as_deref(), *v1, *v2, out),
        Command::Quotes(a) => quotes::run(cli, a, out),
        Command::Matrix(a) => matrix::run(cli, a, out),
        Command::Report(a) => report::run(cli, a, out),
        Command::Agreement(a) => match &a.command {
            Some(AgreementCommand::Compute(c)) => agreement::compute(cli, c, out),
            Some(AgreementCommand::Disagreements(c)) => agreement::disagreements(cli, c, out),
            None => agreement::between_coders(cli, &a.coders, a.version, out),
        },
        Command::Code(c) => code::run(cli, c, out),
        Command::Cooccur(a) => cooccur::run(cli, a, out),
        Command::Search {
            query,
            fts,
            exact,
            wheres,
        } => search::run(cli, &query.join(" "), *fts, *exact, wheres, out),
        Command::Sources => source::list(cli, out),
        Command::Guide(GuideCommand::List) => guide::list(cli, out),
        Command::Guide(GuideCommand::Show { id, version }) => guide::show(cli, id, *version, out),
        Command::Guide(GuideCommand::Yield(a)) => guide::yields(cli, a, out),
        Command::Source(SourceCommand::Show { id }) => source::show(cli, id, out),
        Command::Source(SourceCommand::Add(a)) => source::add(cli, a, out),
        Command::Source(SourceCommand::Replace(a))
        | Command::Transcript(TranscriptCommand::Replace(a)) => source::replace(cli, a, out),
        Command::Saturation(a) => saturation::run(cli, a, out),
        Command::Memo(m) => memo::run(cli, m, out),
        Command::Assess(a) => assess::run(cli, a, out),
        Command::Serve(args) => serve::run(cli, args, out),
        Command::Token(t) => token::run(cli, t, out),
        Command::Refi(r) => refi::run(cli, r, out),
        Command::Taguette(t) => taguette::run(cli, t, out),
        Command::Backup(a) => backup::backup(cli, a, out),
        Command::Restore(a) => backup::restore(cli, a, out),
    }
}

/// A command refused for how it was run rather than for what it asked: exit code 2, like
/// clap's own usage errors.
#[derive(Debug)]
pub struct UsageError(pub String);

impl std::fmt::Display for UsageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for UsageError {}

/// The size limits for what this run reads: `--max-file-mb` for every kind of file, or the
/// defaults per kind.
fn limits(cli: &Cli) -> Limits {
    cli.max_file_mb
        .map_or_else(Limits::default, |mib| Limits::uniform(mib << 20))
}

/// Reads a file named on the command line: a regular file (a link to one is followed, since
/// the user chose the path; a FIFO or a device is refused) within the limit for `kind`.
fn read_named(cli: &Cli, path: &Path, kind: Kind) -> anyhow::Result<Vec<u8>> {
    samskap_files::read(path, kind, &limits(cli), Links::Follow)
        .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
}

/// [`read_named`], as UTF-8 text.
fn read_named_text(cli: &Cli, path: &Path, kind: Kind) -> anyhow::Result<String> {
    String::from_utf8(read_named(cli, path, kind)?).map_err(|e| {
        anyhow::anyhow!(
            "{}: not valid UTF-8 (at byte {}); save the file as UTF-8",
            path.display(),
            e.utf8_error().valid_up_to()
        )
    })
}

/// Who the journal records as making this run's changes: `--as`, else the user the system
/// names ($USER, or $USERNAME on Windows), else `unknown`.
pub(crate) fn actor(cli: &Cli) -> anyhow::Result<Actor> {
    let from_env = || {
        ["USER", "USERNAME"]
            .iter()
            .filter_map(|v| std::env::var(v).ok())
            .map(|v| v.trim().to_owned())
            .find(|v| !v.is_empty())
    };
    match &cli.actor {
        Some(name) => {
            Actor::new(name, Via::Cli).map_err(|e| UsageError(format!("--as: {e}")).into())
        }
        None => Ok(from_env()
            .and_then(|n| Actor::new(&n, Via::Cli).ok())
            .unwrap_or_default()),
    }
}

/// Opens the existing store named by `--db`, writing as [`actor`].
fn open_store(cli: &Cli) -> anyhow::Result<Store> {
    let mut store = Store::open_existing(&cli.db)?;
    store.act_as(actor(cli)?);
    Ok(store)
}

/// Opens the store named by `--db`, made if missing, writing as [`actor`].
fn open_or_create(cli: &Cli) -> anyhow::Result<Store> {
    let mut store = Store::open(&cli.db)?;
    store.act_as(actor(cli)?);
    Ok(store)
}

/// The study chosen by `--study`, or the only one.
fn study_id(cli: &Cli, store: &Store) -> anyhow::Result<StudyId> {
    let wanted = cli
        .study
        .as_deref()
        .map(str::parse::<StudyId>)
        .transpose()
        .context("--study")?;
    Ok(store.resolve_study(wanted.as_ref())?)
}

/// Opens the store and loads the chosen study.
fn load(cli: &Cli) -> anyhow::Result<(Store, Study)> {
    let store = open_store(cli)?;
    let id = study_id(cli, &store)?;
    let study = store.load_study(&id)?;
    Ok((store, study))
}

/// The coding table of the chosen study and the filter options checked against it, for the
/// counting commands. The table is read straight from the store, unless the filter asks for
/// words (`--text`), which only the loaded study has.
fn load_table(cli: &Cli, args: &FilterArgs) -> anyhow::Result<(CodingTable, Filter)> {
    let store = open_store(cli)?;
    let id = study_id(cli, &store)?;
    let table = match &args.text {
        None => store.coding_table(&id, None)?,
        Some(text) => CodingTable::of(&store.load_study(&id)?, Some(text)),
    };
    let filter = filter_for(&store, &id, args, table.framework(), table.groups())?;
    Ok((table, filter))
}

/// The store, the chosen study and the filter options checked against the study's outline
/// (framework and groups), for the commands that stream quotes from the store.
fn streamed_filter(cli: &Cli, args: &FilterArgs) -> anyhow::Result<(Store, StudyId, Filter)> {
    let store = open_store(cli)?;
    let study = study_id(cli, &store)?;
    let outline = store.outline(&study)?;
    let filter = filter_for(&store, &study, args, &outline.framework, &outline.groups)?;
    Ok((store, study, filter))
}

/// What a listing with nothing in it says: that the coder asked for coded nothing, with the
/// closest coder who did ("no codings by coder `a`: did you mean `A`?"), when that is why;
/// else `none`.
pub(crate) fn nothing<'a>(
    coders: impl IntoIterator<Item = &'a str>,
    coder: Option<&samskap_core::CoderId>,
    none: &str,
) -> String {
    let coders: Vec<&str> = coders.into_iter().collect();
    match coder {
        Some(c) if !coders.contains(&c.as_str()) => {
            let hint =
                crate::suggest::hint_listing(c.as_str(), coders.iter().copied(), "the coders are");
            format!("no codings by coder `{c}`{hint}")
        }
        _ => none.to_owned(),
    }
}

/// [`nothing`] for the commands that count a coding table: `Some` when the coder asked
/// for coded nothing, so that a table of zeros is not shown as if it were a finding.
pub(crate) fn no_such_coder(
    table: &CodingTable,
    coder: Option<&samskap_core::CoderId>,
) -> Option<String> {
    let coders = table.coders().iter().map(samskap_core::CoderId::as_str);
    coder
        .filter(|c| !table.coders().contains(c))
        .map(|_| nothing(coders, coder, ""))
}

/// The code of `fw` that `given` names; an error with the closest path when it names none,
/// whether it is no path at all (`structure infrastructure`) or a path the framework lacks.
pub(crate) fn code_of(fw: &Framework, flag: &str, given: &str) -> anyhow::Result<CodeId> {
    match given.parse::<CodeId>() {
        Ok(code) if fw.contains(&code) => Ok(code),
        Ok(_) => Err(unknown_code(fw, flag, given)),
        Err(e) => {
            let paths = fw.codes().iter().map(|c| c.id.as_str());
            if crate::suggest::closest(given, paths).is_some() {
                Err(unknown_code(fw, flag, given))
            } else {
                Err(anyhow::Error::new(e).context(format!(
                    "{flag}: `{}` is not a code's path (`structure/infrastructure`)",
                    samskap_core::shorten(given)
                )))
            }
        }
    }
}

/// The error for a code a framework does not have: the closest path (`infrastructure` or
/// `structure/infrastucture` → `structure/infrastructure`), else the codes at the top.
fn unknown_code(fw: &Framework, flag: &str, given: &str) -> anyhow::Error {
    let paths = || fw.codes().iter().map(|c| c.id.as_str());
    // A code's own name without its path is a slip for that path when only one code has it.
    let by_name: Vec<&str> = paths()
        .filter(|p| {
            p.rsplit('/')
                .next()
                .is_some_and(|last| last.eq_ignore_ascii_case(given))
        })
        .collect();
    let hint = match by_name.as_slice() {
        [one] => format!(": did you mean `{one}`?"),
        [] => match crate::suggest::closest(given, paths()) {
            Some(k) => format!(": did you mean `{k}`?"),
            None => crate::suggest::hint_listing(
                given,
                fw.roots().map(|c| c.id.as_str()),
                "the codes at the top are",
            ),
        },
        many => format!(": a code is named by its path: {}", many.join(", ")),
    };
    anyhow::anyhow!(
        "{flag}: framework `{}` has no code `{given}`{hint}",
        fw.id()
    )
}

/// Qualifier values from `--polarity V` and `--qualifier Q=V` options, each checked to be a
/// value the framework declares. Case does not matter (`--polarity Barrier`); a value that
/// is none of the declared ones is a usage error that names the closest.
pub(crate) fn qualifiers(
    fw: &Framework,
    polarity: Option<&str>,
    others: &[String],
) -> anyhow::Result<Qualifiers> {
    let mut given: Vec<(String, String, &str)> = Vec::new();
    if let Some(p) = polarity {
        given.push(("polarity".into(), p.to_owned(), "--polarity"));
    }
    // `Q=V`, or several as `Q=V;Q2=V2` (as `codings.csv` writes them).
    for pair in others
        .iter()
        .flat_map(|q| q.split(';'))
        .filter(|p| !p.trim().is_empty())
    {
        let (k, v) = pair
            .split_once('=')
            .ok_or_else(|| UsageError(format!("--qualifier: `{pair}` is not QUALIFIER=VALUE")))?;
        given.push((k.trim().to_owned(), v.trim().to_owned(), "--qualifier"));
    }
    let mut pairs: Vec<(QualifierId, ValueId)> = Vec::new();
    for (q, v, flag) in &given {
        let known = || fw.qualifiers().iter().map(|q| q.id.as_str());
        let Some(declared) = fw
            .qualifiers()
            .iter()
            .find(|d| d.id.as_str().eq_ignore_ascii_case(q))
        else {
            let hint = crate::suggest::hint(q, known());
            return Err(UsageError(format!(
                "{flag}: framework `{}` declares no qualifier `{q}`{hint}",
                fw.id()
            ))
            .into());
        };
        let values = || declared.values.iter().map(|x| x.id.as_str());
        let Some(value) = values().find(|x| x.eq_ignore_ascii_case(v)) else {
            let hint = crate::suggest::hint(v, values());
            return Err(UsageError(format!(
                "{flag}: `{v}` is not a value of qualifier `{}`{hint}",
                declared.id
            ))
            .into());
        };
        pairs.push((declared.id.clone(), value.parse()?));
    }
    Qualifiers::new(pairs).context("--qualifier")
}

/// Turns the filter options into a core filter, checking each value against a framework and
/// a study's group ids.
fn filter_for(
    store: &Store,
    study: &StudyId,
    args: &FilterArgs,
    fw: &Framework,
    groups: &[GroupId],
) -> anyhow::Result<Filter> {
    let code = args
        .code
        .as_deref()
        .map(|s| code_of(fw, "--code", s))
        .transpose()?;
    let qualifiers = qualifiers(fw, args.polarity.as_deref(), &args.qualifiers)?;
    let group = args
        .group
        .as_deref()
        .map(|g| {
            let id = g.parse().context("--group")?;
            anyhow::ensure!(
                groups.contains(&id),
                "--group: the study has no group `{g}`{}",
                crate::suggest::hint(g, groups.iter().map(GroupId::as_str))
            );
            Ok(id)
        })
        .transpose()?;
    let picked = among(store, study, &args.wheres)?;
    Ok(Filter {
        code,
        qualifiers,
        group,
        coder: args
            .coder
            .as_deref()
            .map(str::parse)
            .transpose()
            .context("--coder")?,
        role: args
            .role
            .as_deref()
            .map(str::parse)
            .transpose()
            .context("--role")?,
        text: args.text.clone(),
        consented_only: false,
        among: picked.informants,
        sources: picked.sources,
    })
}

/// What `--where ATTRIBUTE=VALUE` options pick (each of them): informants, by clauses on
/// attributes of people, and sources, by clauses on attributes of sources; `None` where no
/// clause is of that kind.
#[derive(Debug, Default)]
pub(crate) struct Picked {
    pub(crate) informants: Option<samskap_core::InformantSet>,
    pub(crate) sources: Option<samskap_core::SourceSet>,
}

/// [`Picked`] by `wheres`: read from the study's people and its sources' declarations only.
pub(crate) fn among(store: &Store, study: &StudyId, wheres: &[String]) -> anyhow::Result<Picked> {
    if wheres.is_empty() {
        return Ok(Picked::default());
    }
    let clauses = wheres
        .iter()
        .map(|w| {
            let (attribute, value) = w.split_once('=').with_context(|| {
                format!(
                    "--where: `{}` is not ATTRIBUTE=VALUE (`service=nav`)",
                    samskap_core::shorten(w)
                )
            })?;
            let attribute = attribute.trim().parse().context("--where")?;
            Ok((attribute, value.trim().to_owned()))
        })
        .collect::<anyhow::Result<Vec<(samskap_core::AttributeId, String)>>>()?;
    let people = store.load_people(study)?;
    let (of_sources, of_people): (Vec<_>, Vec<_>) = clauses.into_iter().partition(|(id, _)| {
        people
            .attribute(id)
            .is_some_and(|a| a.selects() == samskap_core::Selects::Sources)
    });
    let mut picked = Picked::default();
    if !of_people.is_empty() {
        picked.informants = Some(people.informants_where(&of_people).context("--where")?);
    }
    if !of_sources.is_empty() {
        let sources = store.source_declarations(study)?;
        picked.sources = Some(
            samskap_core::sources_where(people.attributes(), &sources, &of_sources)
                .context("--where")?,
        );
    }
    Ok(picked)
}
