//! Taguette projects to samskap studies. Taguette, the open web QDA tool, exports no REFI-QDA
//! project: its users leave with the project's SQLite file. `samskap-store` reads that file
//! (read-only, as untrusted input) into the plain values of [`source`]; this crate turns
//! them into a core [`samskap_core::Study`]:
//!
//! - each document becomes an informant (`D` and Taguette's id; consent pending: a Taguette
//!   project says nothing of consent) whose transcript is the document's text, laid out
//!   from its HTML ([`Document`]);
//! - the tags become a framework of their own, a tree split at `.` ([`Options::separator`]);
//! - each highlight becomes a meaning unit, and each tag on it a coding by the person
//!   Taguette's command log names, or a default coder.
//!
//! Taguette counts highlight positions in UTF-8 bytes of the text nodes of the document's
//! HTML ([`COUNTING`]); [`Document::place`] moves them to character offsets in the
//! normalised transcript.
//!
//! ```
//! use samskap_taguette::*;
//! use samskap_core::Counting;
//!
//! let source = source::Source {
//!     project: source::Project { id: 1, name: "Intervjuer".into(), has_description: false },
//!     documents: vec![source::Document {
//!         id: 1,
//!         name: "Intervju 1".into(),
//!         has_description: false,
//!         contents: "<p>Vi har for lite <b>tid</b> 🙂.</p><p>Og for få folk.</p>".into(),
//!     }],
//!     tags: vec![source::Tag { id: 1, path: "ressurser.tid".into(), description: String::new() }],
//!     // "tid 🙂." is bytes 16..25 of the text nodes "Vi har for lite tid 🙂.Og for få folk."
//!     highlights: vec![source::Highlight {
//!         id: 1, document_id: 1, start: 16, end: 25, snippet: "<b>tid</b> 🙂.".into(),
//!     }],
//!     highlight_tags: vec![(1, 1)],
//!     ..Default::default()
//! };
//! let imported = import(&source, &Options::default())?;
//! let study = &imported.study;
//! assert_eq!(study.unit_text(study.codings()[0].unit), "tid 🙂.");
//! assert_eq!(study.codings()[0].code.as_str(), "ressurser/tid");
//! assert_eq!(imported.report.counting, Counting::Utf8);
//! # Ok::<(), TaguetteError>(())
//! ```

mod entities;
mod error;
mod html;
mod import;
pub mod source;
mod tags;

pub use error::{TaguetteError, Unplaceable};
pub use html::{fragment_text, Document, PlaceError, Placed};
pub use import::{
    choose_project, framework_id, import, Attribution, CoderReport, DocumentReport, ImportReport,
    Imported, Merged, Options, COUNTING,
};
