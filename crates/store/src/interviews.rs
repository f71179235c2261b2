//! What of a study's sources the store holds: interviews named for their informant, one per
//! informant (the schema keys a transcript by its informant). Focus groups, minutes,
//! observation notes, documents, and interviews under another name are refused when a study
//! is written, with the reason; a bundle holds them.

use samskap_core::{InformantId, Source, SourceId, Study};

use crate::StoreError;

/// Refuses a study with a source the store cannot hold.
pub(crate) fn check(study: &Study) -> Result<(), StoreError> {
    match study.sources().iter().find(|s| !s.is_plain_interview()) {
        None => Ok(()),
        Some(s) => Err(StoreError::Invalid(format!(
            "source `{}` ({}) cannot be stored yet: the store holds interviews named for their one informant, with no title, date, group or speaker labels; focus groups, minutes, observations and documents are kept in a case bundle for now",
            s.id, s.kind
        ))),
    }
}

/// The interview a stored transcript is: the one of the informant it is stored under.
pub(crate) fn source(informant: &InformantId) -> Source {
    Source::interview(informant)
}

/// The id of an informant's interview.
pub(crate) fn source_id(informant: &InformantId) -> SourceId {
    source(informant).id
}

/// The informant a stored source belongs to: the store names each interview for its
/// informant.
pub(crate) fn informant(source: &SourceId) -> Result<InformantId, StoreError> {
    source
        .as_str()
        .parse()
        .map_err(|e: samskap_core::ModelError| StoreError::Invalid(e.to_string()))
}
