//! The report of a study: Table 1 (informants), Table 2 (categories, subthemes and example
//! quotes), Table 3 (definitions and summaries) and the counts matrix, rendered as Markdown
//! and as one self-contained HTML file.
//!
//! The report is built once as a [`Doc`] of plain blocks and rendered twice, so the two files
//! always say the same thing. Output depends on the study alone (no clock, no paths), so the
//! same store gives byte-identical files on every run.
//!
//! Privacy rules kept here: quotes come only from informants whose consent is given, and a
//! quote is never printed with an informant label, workplace or position; only Table 1 shows
//! workplaces and positions, and it shows no quotes.

mod build;
pub mod chart;
mod doc;
mod render;

use std::path::Path;

use samskap_core::{CoderId, CodingTable};
use samskap_files::{Output, OutputError};

pub use build::build;
pub use doc::{Block, Doc, Figure, Lang};

/// Choices for a report.
#[derive(Debug, Clone, PartialEq)]
pub struct Options {
    /// Whose codings the report shows.
    pub coder: CoderId,
    /// Example quotes per subtheme and polarity in Table 2.
    pub examples: usize,
    /// Groups with fewer informants than this are flagged in the counts.
    pub small_group: usize,
    /// Services attending less than this share of their meetings (0–1) are marked as
    /// staying away.
    pub attendance_threshold: f64,
    /// The version of the codebook the codings stand under (`samskap framework log`), named
    /// beside the framework; `None` where there are no versions (a study read from its
    /// bundle). The report never reads the store: the caller passes it.
    pub framework_version: Option<u32>,
}

/// The coder a report shows by default: the reconciled `consensus` coding when there is
/// one, otherwise the first coder in the order codings were added; `None` without codings.
pub fn default_coder(table: &CodingTable) -> Option<CoderId> {
    let consensus: CoderId = "consensus".parse().expect("a valid coder id");
    if table.coders().contains(&consensus) {
        return Some(consensus);
    }
    // The table lists coders in the order of their first coding.
    table.coders().first().cloned()
}

/// The two renderings of a report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    /// `report.md`.
    pub markdown: String,
    /// `report.html`.
    pub html: String,
}

/// Renders a built report.
pub fn render(doc: &Doc) -> Rendered {
    Rendered {
        markdown: render::markdown(doc),
        html: render::html(doc),
    }
}

/// Why the report could not be written; the message says what became of an earlier report.
#[derive(Debug, thiserror::Error)]
#[error(transparent)]
pub struct WriteError(#[from] OutputError);

/// The files a report writes.
const FILES: [&str; 2] = ["report.md", "report.html"];

/// Writes `report.md` and `report.html` into `dir`, creating it if needed.
///
/// Both are written beside any earlier report and moved into place only once both are
/// complete ([`samskap_files::Output`]): a failure midway leaves the earlier pair as it
/// was, never a new Markdown file beside an old HTML one.
pub fn write(rendered: &Rendered, dir: &Path) -> Result<(), WriteError> {
    let out = Output::begin(dir)?;
    for (name, content) in FILES.into_iter().zip([&rendered.markdown, &rendered.html]) {
        out.write(name, content.as_bytes())?;
    }
    out.commit(&FILES)?;
    Ok(())
}
