//! The samskap domain model and its pure analysis.
//!
//! A [`Study`] holds municipalities, resource groups, their members, informants, the
//! sources it codes (interviews, focus groups, minutes, notes, documents: [`source`]) with
//! their texts, meaning units coded against a [`Framework`] (a tree of codes and the
//! [`Qualifier`]s it declares, such as Bentzen's polarity), and memos.
//! Every constructor checks its invariants, so a `Study` is consistent whenever you hold one.
//! This crate does no I/O, speaks no SQL and no HTTP: other studies can reuse it as it is.
//!
//! ```
//! use samskap_core::*;
//!
//! let framework = Framework::builtin("bentzen-2018")?;
//! let meta = StudyMeta {
//!     id: "demo".parse()?,
//!     title: "Demo".into(),
//!     research_question: None,
//!     method: None,
//!     period_start: None,
//!     period_end: None,
//!     framework: framework.id().clone(),
//!     provenance: Provenance::Illustrative,
//!     language: None,
//! };
//! let mut study = Study::new(meta, framework)?;
//! let i1: InformantId = "I1".parse()?;
//! study.add_informant(Informant {
//!     id: i1.clone(),
//!     details: Some(InformantDetails {
//!         role: Role::Facilitator,
//!         group: None,
//!         workplace: None,
//!         position: None,
//!         interview_date: None,
//!         consent: ActiveConsent::Given,
//!         attributes: Default::default(),
//!     }),
//! })?;
//! // An interview with I1: a source whose words are all theirs.
//! let interview = Source::interview(&i1);
//! let source = interview.id.clone();
//! let text = Transcript::new(source.clone(), "Vi mangler tid. Alle har det travelt.");
//! study.add_source(interview, text)?;
//! let unit = study.locate_unit(&source, &TextQuote::exact("Vi mangler tid."))?;
//! study.add_coding(Coding {
//!     unit,
//!     code: "resources/time-people-money".parse()?,
//!     qualifiers: "polarity=barrier".parse()?,
//!     coder: "A".parse()?,
//!     memo: None,
//!     exemplar: false,
//! })?;
//! let table = CodingTable::of(&study, None);
//! let m = analysis::matrix(&table, &analysis::Filter::default(), analysis::RowsBy::Top, None);
//! let resources = m.rows.iter().find(|r| r.key == "resources" && r.value.is_none()).unwrap();
//! assert_eq!(resources.counts.last().unwrap().units, 1);
//! # Ok::<(), ModelError>(())
//! ```

pub mod agreement;
pub mod analysis;
mod attribute;
pub mod codebook;
mod coding;
pub mod convention;
mod counting;
pub mod date;
pub mod disclosure;
mod error;
pub mod facilitation;
mod framework;
mod free_text;
pub mod guide;
mod ids;
mod loose;
mod model;
pub mod quoting;
mod revision;
mod slug;
pub mod source;
mod study;
mod table;
mod text;
mod text_index;
pub mod threads;

#[cfg(test)]
mod testing;

/// Dates in the model are calendar dates without a time zone.
pub use attribute::{
    sources_where, Attribute, AttributeHolder, AttributeType, AttributeValue, Attributes, Number,
    Selects,
};
pub use chrono::NaiveDate;
pub use coding::{Coding, MeaningUnit, Memo, Qualifiers, UnitId};
pub use counting::Counting;
pub use error::ModelError;
pub use framework::{
    label_in, Code, Framework, FrameworkError, FrameworkMeta, Labels, Qualifier, QualifierValue,
};
pub use free_text::{FreeText, OnWithdrawal};
pub use guide::{Guide, GuidePlace, GuideRef, GuideVersion, Question, Theme};
pub use ids::{
    shorten, ActionId, AssessmentId, AttributeId, CodeId, CoderId, ContactId, EventId, FrameworkId,
    GroupId, GuideId, InformantId, InformantSet, MeetingId, MemberId, MunicipalityId, PracticeId,
    QualifierId, QuestionId, SourceId, SourceSet, StatementId, StudyId, ValueId, ECHO_CHARS,
    MAX_CODE_DEPTH,
};
pub use loose::Nearest;
pub use model::{
    ActiveConsent, Consent, Informant, InformantDetails, LanguageTag, Member, Municipality,
    Provenance, ResourceGroup, Role, Sector, StudyMeta,
};
pub use revision::{edit_excerpts, Anchor, Revision};
pub use slug::{slug, Slugs};
pub use source::{Source, SourceKind, Voice};
pub use study::{memo_quotes, Study, Withdrawal};
pub use table::{CodingTable, TableBuilder, TableCoding, TableSource, TableUnit, NO_ONE};
pub use text::{normalize, Span, TextQuote, Transcript};

/// The crate's README, so that its example is compiled and run with the tests.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
