//! Case bundles: a study as a directory of plain files that a person edits and keeps in git.
//!
//! ```text
//! study.toml              study, municipalities, groups, members, informants, sources, framework
//! framework.toml          only when the framework is not a built-in one
//! sources/<id>.txt        the UTF-8 text of each `[[source]]`
//! codings.csv             source,prefix,exact,suffix,code,polarity,coder,memo[,qualifiers]
//! memos.toml              analysts' memos (summaries per subtheme)
//! facilitation.toml       the facilitation record
//! guides.toml             interview guides: versions, themes, questions
//! ```
//!
//! The first layout, `transcripts/<informant>.txt` with each file an interview with that
//! informant and `transcript` for `source`, is still read; `write` writes the layout above.
//!
//! [`read`] turns a directory into a checked [`Study`](samskap_core::Study), failing with an
//! error that names the file, line and field; [`write`] writes a study back in the canonical
//! form that `read` then reproduces byte for byte. The format is documented in
//! `docs/case-bundle.md`.

mod error;
mod facilitation;
mod files;
mod guides;
mod read;
mod transcript_file;
mod write;

pub use error::{BundleError, Location};
pub use read::{read, read_with};
/// The size limits a bundle is read within (from `samskap-files`, shared with the command
/// line's other inputs).
pub use samskap_files::Limits;
pub use transcript_file::{read_transcript_file, TranscriptFileError, TranscriptFormat};
pub use write::{write, BundleWriter, WriteMode};

/// The header of `codings.csv`, in order. [`QUALIFIERS_COLUMN`], for qualifiers other than
/// polarity, then [`EXEMPLAR_COLUMN`] may follow, each only when needed.
pub const CODINGS_HEADER: [&str; 8] = [
    "source", "prefix", "exact", "suffix", "code", "polarity", "coder", "memo",
];

/// The name of the first column of `codings.csv` (and of evidence's key in
/// `facilitation.toml`) in the first layout, when every source was an informant's
/// transcript; still read as `source`.
pub const TRANSCRIPT_COLUMN: &str = "transcript";

/// The optional last column of `codings.csv`: a coding's values of qualifiers other than
/// `polarity`, written `level=group;scope=local`.
pub const QUALIFIERS_COLUMN: &str = "qualifiers";

/// The optional column of `codings.csv` after any `qualifiers`: `yes` where the analyst
/// chose the coding's unit as an exemplar of its code, empty otherwise.
pub const EXEMPLAR_COLUMN: &str = "exemplar";

/// What [`EXEMPLAR_COLUMN`] holds for a chosen exemplar.
pub const EXEMPLAR_YES: &str = "yes";

/// The qualifier that has a column of its own in `codings.csv`, as it had before frameworks
/// declared their qualifiers.
pub const POLARITY: &str = "polarity";
