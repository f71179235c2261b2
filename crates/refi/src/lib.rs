//! REFI-QDA interchange: `.qdpx` projects and `.qdc` codebooks to and from the samskap model.
//!
//! Reading treats every file as untrusted: zip entries are checked and counted while they
//! unpack ([`Limits`]), XML with a DOCTYPE or unknown entities is refused, GUIDs must be
//! unique and references must resolve, and selections must lie inside their text.
//! [`import_project`] turns a read [`Project`] into a core [`samskap_core::Study`] with the
//! tools' GUIDs in a [`GuidTable`] and a report of what was left out; [`project_files`] and
//! [`codebook_xml`] write a study or a framework back out.
//!
//! ```
//! use samskap_refi::*;
//!
//! let qdc = r#"<?xml version="1.0" encoding="utf-8"?>
//! <CodeBook xmlns="urn:QDA-XML:codebook:1.0" origin="hand">
//!   <Codes>
//!     <Code guid="1f0c1c3e-6a0e-4d64-9f0e-2f2b8e0a0001" name="Tid" isCodable="true">
//!       <Code guid="1f0c1c3e-6a0e-4d64-9f0e-2f2b8e0a0002" name="barriere" isCodable="true"/>
//!     </Code>
//!   </Codes>
//! </CodeBook>"#;
//! let project = read_qdc(qdc.as_bytes(), Limits::default())?;
//! let (framework, guids, _skipped) = codebook_framework(&project, "tid".parse().unwrap(), "Tid")?;
//! // The code named for a polarity folds into the code above it, as a qualifier value.
//! assert_eq!(framework.codes().iter().map(|c| c.id.as_str()).collect::<Vec<_>>(), ["tid"]);
//! assert_eq!(framework.qualifiers()[0].id.as_str(), "polarity");
//! assert!(codebook_xml(&framework, &guids).contains("1f0c1c3e-6a0e-4d64-9f0e-2f2b8e0a0002"));
//! # Ok::<(), RefiError>(())
//! ```

mod archive;
mod codes;
mod error;
mod export;
mod guid;
mod import;
mod mapping;
mod positions;
mod project;
mod read;
mod xml;

pub use archive::Limits;
pub use codes::{polarity_word, recognise, Recognised, NAME_LANGUAGE};
pub use error::RefiError;
pub use export::{codebook_xml, project_files, write_qdpx, ExportReport, ProjectFiles, ORIGIN};
pub use guid::{code_key, qualified_key, slug, Guid, GuidTable, Kind};
pub use import::{
    codebook_framework, import_project, own_framework_id, Attribute, ImportOptions, ImportReport,
    Imported, Kept, QualifierCounts,
};
pub use mapping::{Mapping, Rule, POLARITY};
pub use positions::Counting;
pub use project::{
    Case, Code, CodingRef, Link, Note, Project, Selection, Skipped, TextSource, User, Variable,
    VariableType,
};
pub use read::{read_qdc, read_qdpx};
