//! The command-line grammar.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use samskap_core::facilitation::{Actor, InstitutionalLogic, LadderRange};

/// samskap: study and run co-creation processes (resource groups, Positive Deviance).
#[derive(Debug, Parser)]
#[command(name = "samskap", version, about, propagate_version = true)]
pub struct Cli {
    /// The store file.
    #[arg(long, global = true, env = "SAMSKAP_DB", default_value = "samskap.db")]
    pub db: PathBuf,

    /// Which study, when the store holds more than one.
    #[arg(long, global = true)]
    pub study: Option<String>,

    /// Print JSON instead of tables.
    #[arg(long, global = true)]
    pub json: bool,

    /// Who makes the changes this command writes, as the journal of edits records them
    /// (`samskap history`). Default: $USER (or $USERNAME), else `unknown`.
    #[arg(long = "as", id = "as_name", global = true, value_name = "NAME")]
    pub actor: Option<String>,

    /// The most any file samskap reads may hold, in MiB (by default, per kind: 64 for a
    /// transcript, 128 for a TOML or XML file, 1024 for a CSV table or a zip archive).
    #[arg(long, global = true, env = "SAMSKAP_MAX_FILE_MB", value_name = "MIB",
          value_parser = clap::value_parser!(u64).range(1..=1 << 24))]
    pub max_file_mb: Option<u64>,

    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create the store (or bring an older one up to date).
    Init,
    /// Print a completion script for a shell, to source or install
    /// (`samskap completions bash > ~/.local/share/bash-completion/completions/samskap`).
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Write the manual pages (`samskap.1` and one per subcommand) into a directory.
    Man {
        /// Where to write them.
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
    },
    /// Load a case bundle into the store, in one transaction.
    Import(ImportArgs),
    /// Write a study back out as a case bundle.
    Export(ExportArgs),
    /// About the study.
    #[command(subcommand)]
    Study(StudyCommand),
    /// List the informants.
    Informants,
    /// Act on one informant.
    #[command(subcommand)]
    Informant(InformantCommand),
    /// About the framework.
    #[command(subcommand)]
    Framework(FrameworkCommand),
    /// List coded quotes, filtered.
    Quotes(QuotesArgs),
    /// Count meaning units and informants by code, qualifier value and group.
    Matrix(MatrixArgs),
    /// Write report.md, report.html and report.docx (and each chart as an SVG file; with
    /// `--data`, each table as CSV and JSON).
    Report(ReportArgs),
    /// List the sources: interviews, focus groups, minutes, observations, documents.
    Sources,
    /// Show, add or replace one source.
    #[command(subcommand)]
    Source(SourceCommand),
    /// Replace a source's text by an edited version (.txt, .md or .docx); `source replace`
    /// is the new name.
    #[command(subcommand)]
    Transcript(TranscriptCommand),
    /// Interview guides: list them, show one, and what each question yielded.
    #[command(subcommand)]
    Guide(GuideCommand),
    /// Full-text search over the transcripts: each hit in context, with its codes.
    ///
    /// TEXT is searched as words, in order and next to each other: `NAV-hatt`, `14.` and
    /// `kommune's` are the words NAV hatt, 14, and kommune s. In a Norwegian study
    /// (`language` nb, nn or no) other forms of the words are found too: `kommune` finds
    /// kommunen, kommunene, kommunens.
    Search {
        /// The words to find, as you would type them, quoted or not (several arguments are
        /// one text). With --fts, a query in SQLite's FTS5 syntax instead.
        #[arg(value_name = "TEXT", required = true, num_args = 1..)]
        query: Vec<String>,
        /// TEXT is FTS5 query syntax: words (all must be present), "a phrase", prefix*,
        /// AND, OR, NOT, NEAR(a b, N); the words as written.
        #[arg(long)]
        fts: bool,
        /// Only the words as written (case aside), not their other forms.
        #[arg(long, conflicts_with = "fts")]
        exact: bool,
        /// Only informants with this value of a custom attribute, their own or their group's
        /// (`service=nav`), or only sources with this value of an attribute of sources
        /// (`phase=pilot`); repeat for several, each must hold.
        #[arg(long = "where", value_name = "ATTRIBUTE=VALUE")]
        wheres: Vec<String>,
    },
    /// Which codes one coder applied to overlapping spans, with counts.
    Cooccur(QuotesArgs),
    /// Per successive interview (by date), how many new codes appeared.
    Saturation(QuotesArgs),
    /// Inter-coder agreement: between the study's coders, or on a reliability-data file.
    Agreement(AgreementArgs),
    /// Add, remove, list and reconcile codings; rename, move, merge, split and delete codes.
    #[command(subcommand)]
    Code(CodeCommand),
    /// Analysts' memos: add, list, edit, remove.
    #[command(subcommand)]
    Memo(MemoCommand),
    /// The journal of edits, newest first: who changed what and when, through the CLI or the
    /// API (codings, reconciles, memos, codebook edits, consent, withdrawals, imports, the
    /// facilitation record).
    History {
        /// How many entries, from the newest.
        #[arg(long, default_value_t = 50, value_parser = clap::value_parser!(u32).range(1..))]
        limit: u32,
    },
    /// Revert the newest edit of the study that can be undone (or entry ID of `samskap
    /// history`), unless a later edit depends on it; the undo is an entry of the journal too.
    /// Withdrawals, imports and the facilitation record are not undone.
    Undo {
        /// The entry to revert (`12` or `#12`), if not the newest that can be.
        #[arg(value_parser = parse_entry)]
        id: Option<i64>,
    },
    /// Assessments with evidence: the co-creation ladder per group, institutional logic per
    /// service.
    #[command(subcommand)]
    Assess(AssessCommand),
    /// Serve the facilitators' HTTP API over the store, and the browser pages under /app/.
    Serve(crate::commands::serve::ServeArgs),
    /// API tokens: made here, shown once, stored only as a hash.
    #[command(subcommand)]
    Token(TokenCommand),
    /// REFI-QDA interchange with QDA tools: import and export .qdpx projects and .qdc codebooks.
    #[command(subcommand)]
    Refi(crate::commands::refi::RefiCommand),
    /// Taguette projects: import one from Taguette's SQLite file.
    #[command(subcommand)]
    Taguette(crate::commands::taguette::TaguetteCommand),
    /// Copy the store to a file, safely while a server runs; the copy is checked and
    /// catalogued, so that a withdrawal reaches it.
    Backup(crate::commands::backup::BackupArgs),
    /// Put a backup in place of the store; the store as it was is kept as a backup first.
    Restore(crate::commands::backup::RestoreArgs),
}

/// What every assessment carries.
#[derive(Debug, Args)]
pub struct AssessmentArgs {
    /// A stable id for the assessment.
    #[arg(long)]
    pub id: String,
    /// Who judges (a coder id).
    #[arg(long)]
    pub assessor: String,
    /// When, `YYYY-MM-DD`.
    #[arg(long, value_parser = samskap_core::date::parse)]
    pub date: samskap_core::NaiveDate,
    /// Why.
    #[arg(long)]
    pub note: Option<String>,
    /// A meaning unit as evidence: `SOURCE=exact text` (repeat for several; an interview is
    /// named for its informant).
    #[arg(long = "evidence")]
    pub evidence: Vec<String>,
    /// A meeting of the record as evidence, by id (repeat for several).
    #[arg(long = "meeting")]
    pub meetings: Vec<samskap_core::MeetingId>,
    /// A problem statement of the record as evidence, by id (repeat for several).
    #[arg(long = "problem-statement")]
    pub statements: Vec<samskap_core::StatementId>,
    /// A PD practice of the record as evidence, by id (repeat for several).
    #[arg(long = "practice")]
    pub practices: Vec<samskap_core::PracticeId>,
    /// A trial action or intervention of the record as evidence, by id (repeat for several).
    #[arg(long = "action")]
    pub actions: Vec<samskap_core::ActionId>,
    /// A dissemination event of the record as evidence, by id (repeat for several).
    #[arg(long = "dissemination")]
    pub disseminations: Vec<samskap_core::EventId>,
    /// A contact of the record as evidence, by id (repeat for several).
    #[arg(long = "contact")]
    pub contacts: Vec<samskap_core::ContactId>,
}

/// `assess ...`.
#[derive(Debug, Subcommand)]
pub enum AssessCommand {
    /// A group's place on the co-creation ladder (steps 1–5, Torfing et al. 2019): as a
    /// whole, or of one actor in it.
    Ladder {
        /// The group.
        #[arg(long)]
        group: String,
        /// The step (`4`) or the steps it lies between (`3-5`).
        #[arg(long)]
        step: LadderRange,
        /// The actor placed, if not the group as a whole: `youth`, or `service:` and a service
        /// as members carry it (`service:nav`).
        #[arg(long)]
        actor: Option<Actor>,
        /// Id, assessor, date, note, evidence.
        #[command(flatten)]
        common: AssessmentArgs,
    },
    /// A service's institutional logics: TB, NPM or NPG, or several at once.
    Logic {
        /// The service (`nav`, `child-welfare`, ...).
        #[arg(long)]
        service: String,
        /// TB, NPM or NPG; several as `--logic NPM --logic NPG` or `--logic NPM,NPG`.
        #[arg(long = "logic", required = true, value_delimiter = ',')]
        logics: Vec<InstitutionalLogic>,
        /// Id, assessor, date, note, evidence.
        #[command(flatten)]
        common: AssessmentArgs,
    },
    /// The study's assessments.
    List,
    /// One assessment with its evidence written out: the words quoted, the facts cited.
    Show {
        /// The assessment's id.
        id: samskap_core::AssessmentId,
    },
}

/// `token ...`.
#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Make a token and print its secret once.
    Create {
        /// A name for the token (it appears in the audit log).
        #[arg(long)]
        name: String,
        /// admin, analyst or facilitator.
        #[arg(long)]
        role: String,
        /// A facilitator's groups (repeat for several), in the chosen study.
        #[arg(long = "group")]
        groups: Vec<String>,
    },
    /// The tokens, without their secrets.
    List,
    /// Revoke a token by name.
    Revoke {
        /// The token's name.
        name: String,
    },
}

/// `agreement [--coders A,B]` or `agreement <subcommand>`.
#[derive(Debug, Args)]
// `--version` here is a codebook version (samskap's own is `samskap --version`).
#[command(args_conflicts_with_subcommands = true, disable_version_flag = true)]
pub struct AgreementArgs {
    /// A subcommand; without one, agreement between the study's coders.
    #[command(subcommand)]
    pub command: Option<AgreementCommand>,
    /// Which coders.
    #[command(flatten)]
    pub coders: CodersArgs,
    /// Only the codings made under this version of the codebook (`samskap framework log`).
    #[arg(long)]
    pub version: Option<u32>,
    /// Bootstrapped intervals for alpha.
    #[command(flatten)]
    pub bootstrap: BootstrapArgs,
}

/// A bootstrapped confidence interval for Krippendorff's alpha.
#[derive(Debug, Args, Clone, Default)]
pub struct BootstrapArgs {
    /// Add alpha's 95% bootstrap interval and the chance it falls short of 0.667 and 0.8
    /// (Hayes & Krippendorff 2007, as the KALPHA macro draws it).
    #[arg(long)]
    pub ci: bool,
    /// Resamples for --ci (default 10000).
    #[arg(long, requires = "ci", value_name = "N")]
    pub resamples: Option<u32>,
    /// Seed of the resampling for --ci (default 2007): the same seed gives the same interval.
    #[arg(long, requires = "ci", value_name = "N")]
    pub seed: Option<u64>,
}

/// Which coders to compare.
#[derive(Debug, Args, Clone, Default)]
pub struct CodersArgs {
    /// The coders to compare (default: every coder but `consensus`).
    #[arg(long, value_delimiter = ',')]
    pub coders: Option<Vec<String>>,
    /// Compare codes only, not their qualifier values (such as polarity).
    #[arg(long, alias = "ignore-polarity")]
    pub ignore_qualifiers: bool,
}

/// `agreement ...`.
#[derive(Debug, Subcommand)]
pub enum AgreementCommand {
    /// Agreement on raw reliability data: `unit,<coder1>,<coder2>,...`, empty cell = missing.
    Compute(ComputeArgs),
    /// The meaning units on which the coders differ, side by side.
    Disagreements(CodersArgs),
}

/// Names a meaning unit by its text, as `codings.csv` does.
#[derive(Debug, Args)]
pub struct UnitArgs {
    /// The source (an interview is named for its informant).
    #[arg(long)]
    pub transcript: String,
    /// The exact text of the unit.
    #[arg(long)]
    pub quote: String,
    /// Text right before it, when the quote occurs more than once.
    #[arg(long, default_value = "")]
    pub prefix: String,
    /// Text right after it, when the quote occurs more than once.
    #[arg(long, default_value = "")]
    pub suffix: String,
}

/// `samskap code exemplar …`: the units the analyst chose to illustrate their codes.
#[derive(Debug, Subcommand)]
pub enum ExemplarCommand {
    /// Choose a unit coded with a code as an exemplar of it (every coder's coding of the
    /// code on the unit is marked).
    Add {
        /// The unit.
        #[command(flatten)]
        unit: UnitArgs,
        /// The code it illustrates (its path).
        #[arg(long)]
        code: String,
    },
    /// Take a unit back out of a code's exemplars.
    Remove {
        /// The unit.
        #[command(flatten)]
        unit: UnitArgs,
        /// The code (its path).
        #[arg(long)]
        code: String,
    },
    /// List the chosen exemplars, by code.
    List,
}

/// A code with its qualifier values and the coder.
#[derive(Debug, Args)]
pub struct CodingArgs {
    /// The code: its path in the framework's tree (`structure/infrastructure`).
    #[arg(long)]
    pub code: String,
    /// The value of the `polarity` qualifier (barrier or opportunity), when the framework
    /// declares one.
    #[arg(long)]
    pub polarity: Option<String>,
    /// The value of another qualifier, `QUALIFIER=VALUE` (repeat for several).
    #[arg(long = "qualifier")]
    pub qualifiers: Vec<String>,
    /// Who codes.
    #[arg(long)]
    pub coder: String,
}

/// `code ...`.
#[derive(Debug, Subcommand)]
pub enum CodeCommand {
    /// Code a meaning unit.
    Add {
        /// The unit.
        #[command(flatten)]
        unit: UnitArgs,
        /// The coding.
        #[command(flatten)]
        coding: CodingArgs,
        /// A note on the coding.
        #[arg(long)]
        memo: Option<String>,
    },
    /// Remove a coding.
    Remove {
        /// The unit.
        #[command(flatten)]
        unit: UnitArgs,
        /// The coding.
        #[command(flatten)]
        coding: CodingArgs,
    },
    /// List codings, filtered.
    List(QuotesArgs),
    /// Choose the units that illustrate a code: the report's Table 2 shows them.
    #[command(subcommand)]
    Exemplar(ExemplarCommand),
    /// Record the agreed codings under the coder `consensus`.
    Reconcile {
        /// Which coders.
        #[arg(long, value_delimiter = ',')]
        coders: Option<Vec<String>>,
        /// Where the coders differ, take this coder's codings.
        #[arg(long)]
        prefer: Option<String>,
    },
    /// Rename a code (with the codes under it); its codings follow.
    Rename {
        /// The code (its path).
        old: String,
        /// Its new name (an id: it stays where it is) or its new path.
        new: String,
        /// Who, why.
        #[command(flatten)]
        change: ChangeArgs,
    },
    /// Move a code (with the codes under it) under another code, or to the top.
    Move {
        /// The code (its path).
        code: String,
        /// The code to put it under.
        #[arg(long, required_unless_present = "top", conflicts_with = "top")]
        to: Option<String>,
        /// Put it at the top of the tree.
        #[arg(long)]
        top: bool,
        /// Who, why.
        #[command(flatten)]
        change: ChangeArgs,
    },
    /// Merge codes into one (made when the framework lacks it); their codings follow, and
    /// codings that become the same are merged.
    Merge {
        /// The codes merged.
        #[arg(required = true)]
        codes: Vec<String>,
        /// The code they become (its path).
        #[arg(long)]
        into: String,
        /// Who, why.
        #[command(flatten)]
        change: ChangeArgs,
    },
    /// Split a new code off a code: the codings listed go to it.
    Split {
        /// The code split.
        code: String,
        /// The new code: a name (made beside the code) or a path.
        #[arg(long)]
        into: String,
        /// A coding to move: `SOURCE:START-END` (every coder's coding of the code on that
        /// unit) or `SOURCE:START-END:CODER`, as `samskap code list` shows them (repeat).
        #[arg(long = "coding", required = true, value_name = "UNIT[:CODER]")]
        codings: Vec<String>,
        /// Who, why.
        #[command(flatten)]
        change: ChangeArgs,
    },
    /// Delete a code (with the codes under it): refused while codings or memos use it,
    /// unless they are recoded to another code.
    Delete {
        /// The code (its path).
        code: String,
        /// The code its codings and memos go to.
        #[arg(long)]
        recode_to: Option<String>,
        /// Who, why.
        #[command(flatten)]
        change: ChangeArgs,
    },
}

/// Who changes a codebook and why: recorded with the new version.
#[derive(Debug, Args)]
pub struct ChangeArgs {
    /// A note on why, kept in the codebook's log.
    #[arg(long)]
    pub note: Option<String>,
    /// Who makes the change (default: --as, or $USER).
    #[arg(long)]
    pub by: Option<String>,
}

/// `transcript ...`: the old name of `source replace`, kept working.
#[derive(Debug, Subcommand)]
pub enum TranscriptCommand {
    /// An edited version of a source's text (the same as `source replace`; see there).
    Replace(ReplaceTextArgs),
}

/// `source replace` and `transcript replace`.
#[derive(Debug, Args)]
pub struct ReplaceTextArgs {
    /// The source (an interview of the first layout is named for its informant).
    pub source: String,
    /// A .txt, .md or .docx file.
    pub file: PathBuf,
    /// Go ahead and remove the codings whose text is gone (they are listed).
    #[arg(long)]
    pub drop_orphans: bool,
}

/// `source ...`.
#[derive(Debug, Subcommand)]
pub enum SourceCommand {
    /// The source's description, then its text with each coded meaning unit marked (paged
    /// through $PAGER, or `less -R`, on a terminal).
    ///
    /// The units are numbered in the order of the text (by start, then end). `⟦N ` marks
    /// where unit N starts and ` N⟧` where it ends, so units that overlap or nest stay
    /// readable. After each line on which units end, one line per unit lists its codings
    /// and whose words it holds:
    ///
    ///   ↳ N code (qualifier=value) by coder [memo: …]; … · words of I1, I2
    ///
    /// ("no informant's words" for a document's, or the interviewer's).
    ///
    /// With --json: the source, its text, and its units with start and end (characters),
    /// text, voices and codings.
    Show {
        /// The source's id.
        id: String,
    },
    /// Add a source with its text (.txt, .md or .docx), checked as an import checks it.
    Add(SourceAddArgs),
    /// An edited version of a source's text: codings follow their text.
    ///
    /// The old and new texts are diffed word by word, once. A unit whose text is unchanged
    /// moves with it; a unit with words changed, inserted or deleted inside it is stretched
    /// or shrunk to cover their new version and keeps its codings; a unit of which less than
    /// half is left (not counting whitespace) is an orphan, unless its text is found whole
    /// elsewhere. Each moved and edited unit is listed (an edit with the words around it).
    /// Codings of orphaned units are listed and stop the replacement unless --drop-orphans.
    ///
    /// With --json: the counts (units_unchanged, units_moved, units_edited,
    /// units_orphaned), the units that changed (fate, from, to, text, new_text, codings),
    /// and the orphaned codings.
    Replace(ReplaceTextArgs),
}

/// `source add`.
#[derive(Debug, Args)]
pub struct SourceAddArgs {
    /// A .txt, .md or .docx file: the source's text.
    pub file: PathBuf,
    /// Its id, unique among the study's sources.
    #[arg(long)]
    pub id: String,
    /// interview, focus-group, minutes, observation or document.
    #[arg(long)]
    pub kind: String,
    /// A title, for lists.
    #[arg(long)]
    pub title: Option<String>,
    /// When it was made, `YYYY-MM-DD`.
    #[arg(long, value_parser = samskap_core::date::parse)]
    pub date: Option<samskap_core::NaiveDate>,
    /// An informant who speaks in it (repeat for several; none for a document).
    #[arg(long = "informant", value_name = "INFORMANT")]
    pub informants: Vec<String>,
    /// A turn label and who speaks it: an informant given with --informant, or
    /// `interviewer` (repeat for several). A line starting `LABEL:` begins that turn.
    #[arg(long = "speaker", value_name = "LABEL=INFORMANT|interviewer")]
    pub speakers: Vec<String>,
    /// The resource group it comes from.
    #[arg(long)]
    pub group: Option<String>,
    /// The interview guide it followed (its questions marked `[QID]` at the start of a
    /// line), with --guide-version.
    #[arg(long, requires = "guide_version")]
    pub guide: Option<String>,
    /// Which version of the guide.
    #[arg(long, requires = "guide", value_parser = clap::value_parser!(u32).range(1..))]
    pub guide_version: Option<u32>,
    /// The meeting of the facilitation record it is the minutes (or observation notes) of.
    #[arg(long)]
    pub meeting: Option<String>,
    /// A value of an attribute the study declares for sources, `ATTRIBUTE=VALUE` (repeat
    /// for several).
    #[arg(long = "attribute", value_name = "ATTRIBUTE=VALUE")]
    pub attributes: Vec<String>,
}

/// `memo ...`.
#[derive(Debug, Subcommand)]
pub enum MemoCommand {
    /// Add a memo on a code, or on the study without --code.
    Add {
        /// The code (its path in the framework's tree).
        #[arg(long)]
        code: Option<String>,
        /// Who wrote it.
        #[arg(long)]
        author: String,
        /// The text.
        #[arg(long)]
        text: String,
    },
    /// The memos with their ids, in the order added; with --code, only those on the code
    /// and the codes under it.
    List {
        /// The code (its path).
        #[arg(long)]
        code: Option<String>,
    },
    /// Replace a memo's text (the old text stays in the journal, for `samskap undo`).
    Edit {
        /// The memo's id (`samskap memo list`).
        id: i64,
        /// The new text.
        #[arg(long)]
        text: String,
    },
    /// Remove a memo (`samskap undo` brings it back).
    Remove {
        /// The memo's id (`samskap memo list`).
        id: i64,
    },
}

/// `12` or `#12`: an entry of the journal.
fn parse_entry(s: &str) -> Result<i64, String> {
    s.strip_prefix('#')
        .unwrap_or(s)
        .parse::<i64>()
        .ok()
        .filter(|n| *n > 0)
        .ok_or_else(|| {
            format!("`{s}` is not an entry of the journal: give its number, `12` or `#12`")
        })
}

/// `given` or `pending`; `withdrawn` is the withdrawal's alone.
fn parse_consent(s: &str) -> Result<samskap_core::ActiveConsent, String> {
    use samskap_core::ActiveConsent;
    if s.eq_ignore_ascii_case("withdrawn") {
        return Err(
            "`withdrawn` is set only by `samskap informant withdraw ID`, which deletes \
                    the informant's material"
                .into(),
        );
    }
    let names = ["given", "pending"];
    match crate::suggest::closest(s, names).filter(|n| n.eq_ignore_ascii_case(s)) {
        Some("given") => Ok(ActiveConsent::Given),
        Some(_) => Ok(ActiveConsent::Pending),
        None => Err(format!(
            "`{s}` is not a consent{}",
            crate::suggest::hint(s, names)
        )),
    }
}

/// `agreement compute`.
#[derive(Debug, Args)]
pub struct ComputeArgs {
    /// The CSV file.
    pub file: PathBuf,
    /// percent_agreement, cohen_kappa, scott_pi, fleiss_kappa or krippendorff_alpha.
    #[arg(long, value_parser = parse_metric)]
    pub metric: samskap_core::agreement::Metric,
    /// nominal, ordinal, interval or ratio (alpha only).
    #[arg(long, default_value = "nominal", value_parser = parse_level)]
    pub level: samskap_core::agreement::Level,
    /// Ordinal labels, lowest first (without it, numeric order).
    #[arg(long, value_delimiter = ',')]
    pub order: Option<Vec<String>>,
    /// A bootstrapped interval for alpha.
    #[command(flatten)]
    pub bootstrap: BootstrapArgs,
}

/// `import`.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The bundle directory.
    pub dir: PathBuf,
    #[command(flatten)]
    pub replace: ReplaceArgs,
}

/// Whether an import may replace a study, and what becomes of the stored facilitation
/// record (shared by `import` and `refi import`).
#[derive(Debug, Args)]
pub struct ReplaceArgs {
    /// Replace a study with the same id. Refused when the store's facilitation record
    /// differs from the imported one, or the store has members the import lacks
    /// (facilitators may have recorded more through the API): then say which to keep.
    #[arg(long)]
    pub replace: bool,
    /// With --replace: keep the store's facilitation record and the members added since,
    /// checked against the new study.
    #[arg(long, requires = "replace", conflicts_with = "discard_facilitation")]
    pub keep_facilitation: bool,
    /// With --replace: take the imported facilitation record, dropping the store's.
    #[arg(long, requires = "replace")]
    pub discard_facilitation: bool,
}

impl ReplaceArgs {
    /// The store's name for the choice.
    pub fn mode(&self) -> samskap_store::Replace {
        use samskap_store::Replace;
        match (
            self.replace,
            self.keep_facilitation,
            self.discard_facilitation,
        ) {
            (false, ..) => Replace::No,
            (true, true, _) => Replace::KeepFacilitation,
            (true, _, true) => Replace::DiscardFacilitation,
            (true, false, false) => Replace::Yes,
        }
    }
}

/// `export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The directory to write (created if missing; must be empty unless --force).
    pub dir: PathBuf,
    /// Overwrite a bundle in a non-empty directory.
    #[arg(long)]
    pub force: bool,
}

/// `study ...`.
#[derive(Debug, Subcommand)]
pub enum StudyCommand {
    /// The study's head and how much it holds.
    Show,
}

/// `informant ...`.
#[derive(Debug, Subcommand)]
pub enum InformantCommand {
    /// Remove everything an informant said, everywhere, after a withdrawal of consent.
    Withdraw(WithdrawArgs),
    /// Record an informant's consent: `given` or `pending` (`samskap undo` sets it back).
    /// A withdrawn informant's cannot be set: their material is deleted.
    Consent {
        /// The informant's id.
        id: String,
        /// given or pending.
        #[arg(value_parser = parse_consent)]
        consent: samskap_core::ActiveConsent,
    },
}

/// `informant withdraw`.
#[derive(Debug, Args)]
pub struct WithdrawArgs {
    /// The informant's id.
    pub id: String,
    /// Do not ask for confirmation (needed when stdin is not a terminal).
    #[arg(long, short = 'y')]
    pub yes: bool,
    /// Also scrub the informant from every catalogued backup that still holds their words.
    #[arg(long)]
    pub purge_backups: bool,
}

/// `framework ...`.
#[derive(Debug, Subcommand)]
pub enum FrameworkCommand {
    /// The code tree with labels and definitions, and the qualifiers.
    // `--version` here is a codebook version (samskap's own is `samskap --version`).
    #[command(disable_version_flag = true)]
    Show {
        /// A framework id (the study's framework when left out).
        id: Option<String>,
        /// The framework as it was at this version (`samskap framework log`).
        #[arg(long)]
        version: Option<u32>,
    },
    /// The frameworks in the store and the built-in ones.
    List,
    /// Add a framework file to the store, or update one in place without orphaning codings
    /// (an update is recorded as a new version).
    Import {
        /// The framework TOML file.
        file: PathBuf,
        /// Who, why.
        #[command(flatten)]
        change: ChangeArgs,
    },
    /// The versions of a framework: who changed what, when and why.
    Log {
        /// A framework id (the study's framework when left out).
        id: Option<String>,
    },
    /// What changed from one version of a framework to another.
    Diff {
        /// The older version.
        v1: u32,
        /// The newer version.
        v2: u32,
        /// A framework id (the study's framework when left out).
        #[arg(long)]
        framework: Option<String>,
    },
}

/// Filters shared by `quotes` and `matrix`.
#[derive(Debug, Args, Default)]
pub struct FilterArgs {
    /// Only this code and the codes under it (`structure`, `structure/infrastructure`).
    #[arg(long, visible_aliases = ["category", "subtheme"])]
    pub code: Option<String>,
    /// Only codings with this value of the `polarity` qualifier (barrier or opportunity).
    #[arg(long)]
    pub polarity: Option<String>,
    /// Only codings with this value of a qualifier, `QUALIFIER=VALUE` (repeat for several).
    #[arg(long = "qualifier")]
    pub qualifiers: Vec<String>,
    /// Only informants of this group.
    #[arg(long)]
    pub group: Option<String>,
    /// Only this coder.
    #[arg(long)]
    pub coder: Option<String>,
    /// Only informants of this role (participant or facilitator).
    #[arg(long)]
    pub role: Option<String>,
    /// Only units whose text contains this (case-insensitive).
    #[arg(long)]
    pub text: Option<String>,
    /// Only informants with this value of a custom attribute, their own or their group's
    /// (`service=nav`), or only sources with this value of an attribute of sources
    /// (`phase=pilot`); repeat for several, each must hold.
    #[arg(long = "where", value_name = "ATTRIBUTE=VALUE")]
    pub wheres: Vec<String>,
}

/// `quotes`.
#[derive(Debug, Args)]
pub struct QuotesArgs {
    /// Filters.
    #[command(flatten)]
    pub filter: FilterArgs,
}

/// `guide ...`.
#[derive(Debug, Subcommand)]
pub enum GuideCommand {
    /// The study's guides: each version with its themes, questions, note and how many
    /// sources follow it.
    List,
    /// A guide's themes and questions, in order (its latest version, or --version).
    // `--version` here is a guide's version (samskap's own is `samskap --version`).
    #[command(disable_version_flag = true)]
    Show {
        /// The guide's id.
        id: String,
        /// Which version (1, 2, …).
        #[arg(long)]
        version: Option<u32>,
    },
    /// Questions × codes: per question of a guide, the meaning units that start in its
    /// sections (a source's text marks where a question starts with `[QID]` at the start of
    /// a line) and the distinct informants behind them, over the sources that follow the
    /// guide. Questions that yielded nothing are listed with zeros.
    Yield(GuideYieldArgs),
}

/// `guide yield`. Its `--version` is a guide's version.
#[derive(Debug, Args)]
#[command(disable_version_flag = true)]
pub struct GuideYieldArgs {
    /// The guide (may be left out when the study has one).
    #[arg(long)]
    pub guide: Option<String>,
    /// Only the sources that follow this version, and its questions (default: every
    /// version, a question being one row across the versions that ask it).
    #[arg(long)]
    pub version: Option<u32>,
    /// Columns by top code (category) or by every code.
    #[arg(long, value_enum, default_value = "top")]
    pub by: By,
    /// Filters.
    #[command(flatten)]
    pub filter: FilterArgs,
}

/// Rows of the matrix.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum By {
    /// One row per code at the top of the tree (Bentzen's categories).
    #[value(alias = "category")]
    Top,
    /// One row per code of the tree, each counting the codes under it.
    #[value(alias = "subtheme")]
    Code,
}

/// `matrix`.
#[derive(Debug, Args)]
pub struct MatrixArgs {
    /// Rows by code, split by a qualifier's values, by group (the thesis's layout).
    #[arg(long, value_enum, default_value = "code", conflicts_with_all = ["rows", "cols"])]
    pub by: By,
    /// The qualifier whose values split each code's row (default: the framework's first),
    /// or `none`.
    #[arg(long, conflicts_with_all = ["rows", "cols"])]
    pub split: Option<String>,
    /// Any two dimensions instead: rows by top, code, group, informant, coder or a
    /// qualifier...
    #[arg(long, requires = "cols")]
    pub rows: Option<String>,
    /// ... and columns by another.
    #[arg(long, requires = "rows")]
    pub cols: Option<String>,
    /// Filters.
    #[command(flatten)]
    pub filter: FilterArgs,
}

fn parse_metric(s: &str) -> Result<samskap_core::agreement::Metric, String> {
    use samskap_core::agreement::Metric;
    let names: Vec<&'static str> = Metric::ALL.iter().map(|m| m.as_str()).collect();
    crate::suggest::one_of(s, &names, "metric")
}

fn parse_level(s: &str) -> Result<samskap_core::agreement::Level, String> {
    use samskap_core::agreement::Level;
    let names: Vec<&'static str> = Level::ALL.iter().map(|m| m.as_str()).collect();
    crate::suggest::one_of(s, &names, "level of measurement")
}

/// `en`, `nb`, or a tag that names one of them (`nb-NO`, `no`, `EN`), as a study's
/// `language` may.
fn parse_lang(s: &str) -> Result<samskap_report::Lang, String> {
    s.parse::<samskap_core::LanguageTag>()
        .ok()
        .and_then(|t| samskap_report::Lang::of_study(&t))
        .ok_or_else(|| format!("a report is written in `en` or `nb`, not `{s}`"))
}

/// `report`.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Where to write report.md, report.html, report.docx and the charts' SVG files.
    #[arg(long, required_unless_present = "check")]
    pub out: Option<PathBuf>,
    /// Check the report against its rules instead of writing it (docs/report-in-ci.md):
    /// exit 1 when a rule at error level finds anything.
    #[arg(long)]
    pub check: bool,
    /// Also write every table of the report as CSV and as JSON, with an index, in `data/`
    /// in the --out directory: for making your own charts. Each cell is the text the report
    /// prints; in the CSV, one that a spreadsheet would run as a formula starts with `'`.
    #[arg(long, conflicts_with = "check")]
    pub data: bool,
    /// Whose codings to report (default: `consensus` if present, else the first coder).
    #[arg(long)]
    pub coder: Option<String>,
    /// Example quotes per main theme in Table 2 where the analyst chose none
    /// (`samskap code exemplar`); the thesis showed two.
    #[arg(long, default_value_t = 2)]
    pub examples: usize,
    /// The report's language: `en` or `nb` (Norwegian bokmål); every heading, caption and
    /// sentence, code labels from the framework, and numbers and dates. Default: the
    /// study's `language` when it is one of these, else English.
    #[arg(long, value_name = "LANG", value_parser = parse_lang)]
    pub lang: Option<samskap_report::Lang>,
    /// k of k-anonymity: a group (or other class the report breaks counts down by) of
    /// fewer informants with consent than this is pooled, never shown on its own.
    #[arg(long = "k", value_name = "K", visible_alias = "small-group", default_value_t = samskap_core::disclosure::DEFAULT_K)]
    pub small_group: usize,
    /// Mark services attending less than this share of their meetings (0–1).
    #[arg(long, default_value_t = samskap_report::DEFAULT_ATTENDANCE_THRESHOLD)]
    pub attendance_threshold: f64,
}
