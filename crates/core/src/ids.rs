//! Identifier newtypes: each kind of id is its own type, so an informant id cannot be passed
//! where a group id is expected, and every id has been checked for shape once, at the edge.

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::ModelError;

/// The most characters of an id, or of any text a person typed, that a message repeats.
pub const ECHO_CHARS: usize = 64;

/// `text` as an error message may repeat it: whole when it has at most [`ECHO_CHARS`]
/// characters, otherwise its first [`ECHO_CHARS`] and `…`. A value is echoed so that a person
/// can find it, and 64 characters find it; a whole line pasted into an id column (100 KB in
/// a hostile file) must not become the message.
pub fn shorten(text: &str) -> Cow<'_, str> {
    match text.char_indices().nth(ECHO_CHARS) {
        None => Cow::Borrowed(text),
        Some((cut, _)) => Cow::Owned(format!("{}…", &text[..cut])),
    }
}

/// True when `s` is a usable identifier: starts with an ASCII letter or digit and continues
/// with ASCII letters, digits, `_`, `-` or `.`. Ids end up in file names (`transcripts/I1.txt`)
/// and URLs, so anything wider would need escaping everywhere.
fn is_valid_id(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphanumeric())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
        && s.len() <= 64
}

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident, $what:literal) => {
        $(#[$doc])*
        ///
        /// Shared, not copied: a study of a million codings repeats a few coder and code ids a
        /// million times, and a clone is a reference count.
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(Arc<str>);

        impl $name {
            /// Checks the shape of `s` and wraps it.
            pub fn new(s: impl Into<String>) -> Result<Self, ModelError> {
                let s = s.into();
                if is_valid_id(&s) {
                    Ok(Self(Arc::from(s)))
                } else {
                    Err(ModelError::InvalidId { kind: $what, value: s })
                }
            }

            /// The id as text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl TryFrom<String> for $name {
            type Error = ModelError;
            fn try_from(s: String) -> Result<Self, ModelError> {
                Self::new(s)
            }
        }

        impl From<$name> for String {
            fn from(id: $name) -> String {
                id.0.as_ref().to_owned()
            }
        }

        impl std::str::FromStr for $name {
            type Err = ModelError;
            fn from_str(s: &str) -> Result<Self, ModelError> {
                Self::new(s)
            }
        }
    };
}

id_type!(
    /// Identifies a study.
    StudyId,
    "study"
);
id_type!(
    /// Identifies a municipality within a study.
    MunicipalityId,
    "municipality"
);
id_type!(
    /// Identifies a resource group within a study.
    GroupId,
    "group"
);
id_type!(
    /// Identifies a member of a resource group.
    MemberId,
    "member"
);
id_type!(
    /// Identifies an informant (`I1`, `I2`, ...); also names their transcript.
    InformantId,
    "informant"
);
id_type!(
    /// Identifies a coder (`A`, `B`, `consensus`, ...).
    CoderId,
    "coder"
);
id_type!(
    /// Identifies a framework (`bentzen-2018`).
    FrameworkId,
    "framework"
);
id_type!(
    /// Identifies a category within a framework (`structure`).
    CategoryId,
    "category"
);
id_type!(
    /// Identifies a subtheme within a category (`infrastructure`).
    SubthemeId,
    "subtheme"
);

id_type!(
    /// Identifies a meeting of a resource group.
    MeetingId,
    "meeting"
);
id_type!(
    /// Identifies a trial action or intervention.
    ActionId,
    "action"
);
id_type!(
    /// Identifies a problem statement (a draft or the agreed one).
    StatementId,
    "problem statement"
);
id_type!(
    /// Identifies an observed positive-deviance practice.
    PracticeId,
    "practice"
);
id_type!(
    /// Identifies a dissemination event.
    EventId,
    "dissemination event"
);
id_type!(
    /// Identifies a new working relation between two members.
    ContactId,
    "contact"
);
id_type!(
    /// Identifies an assessment.
    AssessmentId,
    "assessment"
);

/// A code of a framework: `category/subtheme`, such as `structure/infrastructure`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CodeId {
    /// The category part.
    pub category: CategoryId,
    /// The subtheme part.
    pub subtheme: SubthemeId,
}

impl CodeId {
    /// Builds a code from its two parts.
    pub fn new(category: CategoryId, subtheme: SubthemeId) -> Self {
        Self { category, subtheme }
    }
}

impl std::str::FromStr for CodeId {
    type Err = ModelError;
    fn from_str(s: &str) -> Result<Self, ModelError> {
        let invalid = || ModelError::InvalidId {
            kind: "code",
            value: s.to_owned(),
        };
        let (c, t) = s.split_once('/').ok_or_else(invalid)?;
        Ok(Self {
            category: CategoryId::new(c).map_err(|_| invalid())?,
            subtheme: SubthemeId::new(t).map_err(|_| invalid())?,
        })
    }
}

impl TryFrom<String> for CodeId {
    type Error = ModelError;
    fn try_from(s: String) -> Result<Self, ModelError> {
        s.parse()
    }
}

impl From<CodeId> for String {
    fn from(c: CodeId) -> String {
        c.to_string()
    }
}

impl fmt::Display for CodeId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.category, self.subtheme)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_reject_spaces_slashes_and_empty() {
        assert!(InformantId::new("I1").is_ok());
        assert!(InformantId::new("G1-P10").is_ok());
        for bad in ["", " I1", "I 1", "../x", "a/b", "-x", "æ"] {
            assert!(InformantId::new(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn long_values_are_echoed_shortened() {
        assert_eq!(shorten("I1"), "I1");
        let exact: String = "ø".repeat(ECHO_CHARS);
        assert_eq!(shorten(&exact), exact, "64 characters are kept whole");
        let long = "æ".repeat(100_000);
        let message = InformantId::new(long.clone()).unwrap_err().to_string();
        assert!(message.len() < 400, "{} bytes", message.len());
        assert!(
            message.contains(&format!("`{}…`", "æ".repeat(ECHO_CHARS))),
            "{message}"
        );
        let message = long.parse::<CodeId>().unwrap_err().to_string();
        assert!(message.len() < 400, "{} bytes", message.len());
    }

    #[test]
    fn code_ids_parse_and_print() {
        let c: CodeId = "structure/infrastructure".parse().unwrap();
        assert_eq!(c.category.as_str(), "structure");
        assert_eq!(c.to_string(), "structure/infrastructure");
        assert!("structure".parse::<CodeId>().is_err());
        assert!("a/b/c".parse::<CodeId>().is_err());
    }
}
