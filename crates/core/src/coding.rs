//! Meaning units, codings and memos: what analysts make of transcripts.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::ids::{CodeId, CoderId, InformantId};
use crate::text::Span;
use crate::ModelError;

/// Whether a meaning unit speaks of a barrier or of an opportunity: the thesis applied every
/// subtheme with one of the two.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Polarity {
    /// Something that holds co-creation back.
    Barrier,
    /// Something that helps it along.
    Opportunity,
}

impl Polarity {
    /// Both values, barrier first as in the thesis.
    pub const ALL: [Polarity; 2] = [Polarity::Barrier, Polarity::Opportunity];

    /// The lowercase name used in files and on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Polarity::Barrier => "barrier",
            Polarity::Opportunity => "opportunity",
        }
    }
}

impl fmt::Display for Polarity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Polarity {
    type Err = ModelError;
    fn from_str(s: &str) -> Result<Self, ModelError> {
        match s {
            "barrier" => Ok(Polarity::Barrier),
            "opportunity" => Ok(Polarity::Opportunity),
            _ => Err(ModelError::InvalidPolarity(s.to_owned())),
        }
    }
}

/// Index of a meaning unit within its [`Study`](crate::Study).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct UnitId(pub(crate) usize);

impl UnitId {
    /// The position of the unit in [`Study::units`](crate::Study::units).
    pub fn index(self) -> usize {
        self.0
    }
}

/// A meaning unit (meningsbærende enhet): a span of one informant's transcript.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MeaningUnit {
    /// Whose transcript.
    pub informant: InformantId,
    /// Where in it.
    pub span: Span,
}

/// One coder's judgement that a meaning unit belongs under a code, with a polarity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Coding {
    /// The unit coded.
    pub unit: UnitId,
    /// The framework code.
    pub code: CodeId,
    /// Barrier or opportunity.
    pub polarity: Polarity,
    /// Who coded it.
    pub coder: CoderId,
    /// The coder's note on this coding.
    pub memo: Option<String>,
}

/// An analyst's memo: on a code (the thesis's Table 3 summaries) or on the whole study.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Memo {
    /// The code the memo summarises; none for a memo on the study as a whole.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<CodeId>,
    /// Who wrote it.
    pub author: CoderId,
    /// The text.
    pub text: String,
}
