//! The report of a study: Table 1 (informants), Table 2 (categories, subthemes and example
//! quotes), Table 3 (definitions and summaries) and the counts matrix, rendered as Markdown,
//! as one self-contained HTML file and as a Word file (DOCX), with each chart beside them as
//! an SVG file, and on request ([`render_with_data`]) every table as CSV and JSON in `data/`.
//!
//! The report is built once as a [`Doc`] of plain blocks and rendered three times, so the
//! files always say the same thing. Output depends on the study alone (no clock, no paths),
//! so the same store gives byte-identical files on every run. Rendering does no I/O;
//! [`write`] is the only function that touches the file system.
//!
//! Privacy rules kept here: quotes come only from informants whose consent is given, and a
//! quote is never printed with an informant label, workplace or position; only Table 1 shows
//! workplaces and positions, and it shows no quotes.

mod assess;
mod build;
pub mod chart;
pub mod check;
mod data;
mod doc;
mod docx;
mod lang;
mod render;

use std::path::{Path, PathBuf};

use samskap_core::{CoderId, CodingTable};
use samskap_files::{Output, OutputError};

pub use build::{build, group_figures};
pub use doc::{Block, Doc, Figure, Lang};

/// Services attending less than this share of their meetings are marked as staying away,
/// unless the reader chooses another share.
pub const DEFAULT_ATTENDANCE_THRESHOLD: f64 = 0.5;

/// Choices for a report.
#[derive(Debug, Clone, PartialEq)]
pub struct Options {
    /// Whose codings the report shows.
    pub coder: CoderId,
    /// Example quotes per main theme in Table 2 where the analyst chose none.
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
    /// The language it is written in.
    pub lang: Lang,
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

/// The renderings of a report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    /// `report.md`.
    pub markdown: String,
    /// `report.html`.
    pub html: String,
    /// `report.docx`.
    pub docx: Vec<u8>,
    /// Each figure's file name (`<name>.svg`) and its SVG, in the report's order: the files
    /// the Markdown's images point to.
    pub figures: Vec<(String, String)>,
    /// With data ([`render_with_data`]): each table as CSV and as JSON, then an index, each
    /// by its path under the report's directory (`data/<n>-<slug>.csv`, `data/index.json`).
    /// Empty otherwise.
    pub data: Vec<(String, String)>,
}

impl Rendered {
    /// Every file of the report, by name: the three renderings, the figures, then the data
    /// files (by their path, `data/…`).
    pub fn files(&self) -> impl Iterator<Item = (&str, &[u8])> {
        FILES
            .into_iter()
            .zip([
                self.markdown.as_bytes(),
                self.html.as_bytes(),
                self.docx.as_slice(),
            ])
            .chain(
                self.figures
                    .iter()
                    .map(|(name, svg)| (name.as_str(), svg.as_bytes())),
            )
            .chain(
                self.data
                    .iter()
                    .map(|(path, text)| (path.as_str(), text.as_bytes())),
            )
    }
}

/// Renders a built report.
pub fn render(doc: &Doc) -> Rendered {
    Rendered {
        markdown: render::markdown(doc),
        html: render::html(doc),
        docx: docx::docx(doc),
        figures: doc
            .figures()
            .map(|f| (format!("{}.svg", f.name), f.svg.clone()))
            .collect(),
        data: Vec::new(),
    }
}

/// Renders a built report as [`render`] does, and every table of it as data: a CSV and a
/// JSON file per table in `data/`, and `data/index.json` listing them (`report --data`).
///
/// A cell is the text the report prints, in both files; in the CSV, a cell that a
/// spreadsheet would run as a formula has a `'` before it (the `data` module says which).
pub fn render_with_data(doc: &Doc) -> Rendered {
    Rendered {
        data: data::files(doc),
        ..render(doc)
    }
}

/// Why the report could not be written; the message says what became of an earlier report.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// Writing or moving the files failed.
    #[error(transparent)]
    Output(#[from] OutputError),
    /// A figure's file name would leave the directory, or clash with another file of the
    /// report.
    #[error(
        "figure file `{0}` is not a name of ASCII letters, digits and hyphens with `.svg`, or \
         is named twice; nothing was written, and an earlier report is as it was"
    )]
    FigureName(String),
    /// A data file's path is not `data/` and a plain name with `.csv` or `.json`, or is
    /// named twice.
    #[error(
        "data file `{0}` is not `data/` and a name of ASCII letters, digits and hyphens with \
         `.csv` or `.json`, or is named twice; nothing was written, and an earlier report is \
         as it was"
    )]
    DataName(String),
    /// `data/` holds something that no report wrote. The report replaces the directory
    /// whole (so that a table it no longer has leaves no file behind), which would throw
    /// that away.
    #[error(
        "{} is not a directory of an earlier report's data files ({reason}); move it away: \
         nothing was written, and an earlier report is as it was",
        .path.display()
    )]
    DataDir {
        /// `data` in the report's directory.
        path: PathBuf,
        /// What is there instead.
        reason: String,
    },
}

/// The files every report writes; its figures come beside them, named after each figure.
const FILES: [&str; 3] = ["report.md", "report.html", "report.docx"];

/// Writes `report.md`, `report.html`, `report.docx` and each figure as `<name>.svg` into
/// `dir`, creating it if needed, and with data ([`render_with_data`]) the directory `data/`.
///
/// All are written beside any earlier report and moved into place only once all are
/// complete ([`samskap_files::Output`]): a failure midway leaves the earlier report as it
/// was, never a new Markdown file beside an old HTML one. A figure file of an earlier report
/// whose figure this report no longer has stays where it was.
///
/// `data/` is replaced whole, so that it holds exactly this report's tables; a `data/` that
/// holds anything else (a file of another name, a folder) is refused, with nothing written.
/// A report written without data leaves an earlier report's `data/` where it was.
pub fn write(rendered: &Rendered, dir: &Path) -> Result<(), WriteError> {
    let mut names: Vec<&str> = Vec::new();
    for (name, _) in rendered.files().take(FILES.len() + rendered.figures.len()) {
        if names.contains(&name) {
            return Err(WriteError::FigureName(name.to_owned()));
        }
        names.push(name);
    }
    for (name, _) in &rendered.figures {
        let stem = name.strip_suffix(".svg").unwrap_or_default();
        if stem.is_empty() || !stem.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
            return Err(WriteError::FigureName(name.clone()));
        }
    }
    let mut data_names: Vec<&str> = Vec::new();
    for (path, _) in &rendered.data {
        match path
            .strip_prefix(data::DIR)
            .and_then(|p| p.strip_prefix('/'))
        {
            Some(name) if data::is_file_name(name) && !data_names.contains(&name) => {
                data_names.push(name);
            }
            _ => return Err(WriteError::DataName(path.clone())),
        }
    }
    if !rendered.data.is_empty() {
        earlier_data(&dir.join(data::DIR))?;
        names.push(data::DIR);
    }
    let out = Output::begin(dir)?;
    for (name, content) in rendered.files() {
        out.write(name, content)?;
    }
    out.commit(&names)?;
    Ok(())
}

/// Whether `data` (in the report's directory) is absent, or an earlier report's data
/// directory: files only, each named as a data file is.
fn earlier_data(data: &Path) -> Result<(), WriteError> {
    let refuse = |reason: String| WriteError::DataDir {
        path: data.to_owned(),
        reason,
    };
    match std::fs::symlink_metadata(data) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(refuse(format!("cannot look at it: {e}"))),
        Ok(m) if !m.is_dir() => return Err(refuse("it is not a directory".to_owned())),
        Ok(_) => {}
    }
    let entries = std::fs::read_dir(data).map_err(|e| refuse(format!("cannot read it: {e}")))?;
    for entry in entries {
        let entry = entry.map_err(|e| refuse(format!("cannot read it: {e}")))?;
        let name = entry.file_name();
        let is_file = entry.file_type().is_ok_and(|t| t.is_file());
        match name.to_str() {
            Some(n) if is_file && data::is_file_name(n) => {}
            _ => return Err(refuse(format!("it holds `{}`", name.to_string_lossy()))),
        }
    }
    Ok(())
}

/// `s` after a count that is not one: "1 unit", "2 units".
pub(crate) fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}
