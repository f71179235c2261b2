//! Meaning units, codings and memos: what analysts make of transcripts.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::ids::{CodeId, CoderId, QualifierId, SourceId, ValueId};
use crate::text::Span;
use crate::ModelError;

/// The qualifier values a coding carries: at most one value per qualifier, kept in order of
/// qualifier id, so that two codings with the same values compare equal. Written
/// `polarity=barrier;level=group`, and nothing for none.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Qualifiers(Vec<(QualifierId, ValueId)>);

impl Qualifiers {
    /// No values.
    pub fn none() -> Self {
        Self::default()
    }

    /// One value.
    pub fn one(q: QualifierId, v: ValueId) -> Self {
        Self(vec![(q, v)])
    }

    /// Values for distinct qualifiers.
    pub fn new(
        pairs: impl IntoIterator<Item = (QualifierId, ValueId)>,
    ) -> Result<Self, ModelError> {
        let mut v: Vec<(QualifierId, ValueId)> = pairs.into_iter().collect();
        v.sort();
        if let Some(w) = v.windows(2).find(|w| w[0].0 == w[1].0) {
            return Err(ModelError::Duplicate {
                kind: "qualifier",
                id: w[0].0.to_string(),
            });
        }
        Ok(Self(v))
    }

    /// The value of a qualifier, if given.
    pub fn get(&self, q: &QualifierId) -> Option<&ValueId> {
        self.0.iter().find(|(k, _)| k == q).map(|(_, v)| v)
    }

    /// The values, in order of qualifier id.
    pub fn iter(&self) -> impl Iterator<Item = (&QualifierId, &ValueId)> {
        self.0.iter().map(|(q, v)| (q, v))
    }

    /// True when there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// How many.
    pub fn len(&self) -> usize {
        self.0.len()
    }
}

impl fmt::Display for Qualifiers {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, (q, v)) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(";")?;
            }
            write!(f, "{q}={v}")?;
        }
        Ok(())
    }
}

impl std::str::FromStr for Qualifiers {
    type Err = ModelError;
    fn from_str(s: &str) -> Result<Self, ModelError> {
        let s = s.trim();
        if s.is_empty() {
            return Ok(Self::none());
        }
        Self::new(
            s.split(';')
                .map(|pair| {
                    let (q, v) = pair
                        .split_once('=')
                        .ok_or_else(|| ModelError::QualifierSyntax(pair.to_owned()))?;
                    Ok((q.trim().parse()?, v.trim().parse()?))
                })
                .collect::<Result<Vec<_>, ModelError>>()?,
        )
    }
}

/// As a map from qualifier to value, in qualifier order.
impl Serialize for Qualifiers {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for (q, v) in &self.0 {
            m.serialize_entry(q, v)?;
        }
        m.end()
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

/// A meaning unit (meningsbærende enhet): a span of one source's text. Whose words it holds
/// follows from the source's turns ([`Study::unit_voices`](crate::Study::unit_voices)).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MeaningUnit {
    /// The source.
    pub source: SourceId,
    /// Where in it.
    pub span: Span,
}

/// One coder's judgement that a meaning unit belongs under a code, with the values of the
/// qualifiers that the framework declares for that code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Coding {
    /// The unit coded.
    pub unit: UnitId,
    /// The framework code.
    pub code: CodeId,
    /// Qualifier values (Bentzen's polarity: barrier or opportunity).
    #[serde(skip_serializing_if = "Qualifiers::is_empty")]
    pub qualifiers: Qualifiers,
    /// Who coded it.
    pub coder: CoderId,
    /// The coder's note on this coding.
    pub memo: Option<String>,
    /// The analyst chose this unit to illustrate the code (`samskap code exemplar`): the
    /// report's Table 2 shows chosen units before any it picks itself.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub exemplar: bool,
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
