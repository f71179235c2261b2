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
    /// Identifies an informant (`I1`, `I2`, ...).
    InformantId,
    "informant"
);
id_type!(
    /// Identifies a source: an interview, a focus group, minutes, field notes, a document.
    /// An interview from a bundle of the first layout is named for its informant.
    SourceId,
    "source"
);
id_type!(
    /// Identifies an interview guide within a study (`intervjuguide`).
    GuideId,
    "guide"
);
id_type!(
    /// Identifies a question of an interview guide (`q01`): what a source's text marks as
    /// `[q01]` where the question starts.
    QuestionId,
    "question"
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
    /// Identifies a qualifier of a framework (`polarity`, `level`).
    QualifierId,
    "qualifier"
);
id_type!(
    /// Identifies one value of a qualifier (`barrier`, `group`).
    ValueId,
    "qualifier value"
);

id_type!(
    /// Identifies a custom attribute a study declares (`service`, `years_in_post`).
    AttributeId,
    "attribute"
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

/// A code of a framework: its path from the top of the code tree, the ids of the codes on
/// the way joined by `/`: `structure`, `structure/infrastructure`, `a/b/c`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CodeId(Arc<str>);

/// The most levels a code tree may have: deeper paths are mistakes (or attacks), not
/// codebooks.
pub const MAX_CODE_DEPTH: usize = 32;

impl CodeId {
    /// Checks each part of the path and wraps it.
    pub fn new(s: impl Into<String>) -> Result<Self, ModelError> {
        let s = s.into();
        let ok = s.len() <= 512
            && s.split('/').count() <= MAX_CODE_DEPTH
            && s.split('/').all(is_valid_id);
        if ok {
            Ok(Self(Arc::from(s)))
        } else {
            Err(ModelError::InvalidId {
                kind: "code",
                value: s,
            })
        }
    }

    /// The path as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The ids on the path, from the top.
    pub fn segments(&self) -> impl Iterator<Item = &str> {
        self.0.split('/')
    }

    /// How deep it sits: 1 for a code at the top.
    pub fn depth(&self) -> usize {
        self.0.split('/').count()
    }

    /// The last id on the path.
    pub fn last(&self) -> &str {
        self.0.rsplit('/').next().unwrap_or(&self.0)
    }

    /// The code at the top of its branch (`structure` for `structure/infrastructure`).
    pub fn top(&self) -> CodeId {
        match self.0.split_once('/') {
            Some((top, _)) => Self(Arc::from(top)),
            None => self.clone(),
        }
    }

    /// The code right above it, if it is not at the top.
    pub fn parent(&self) -> Option<CodeId> {
        self.0
            .rsplit_once('/')
            .map(|(parent, _)| Self(Arc::from(parent)))
    }

    /// The code `id` right under this one.
    pub fn child(&self, id: &str) -> Result<CodeId, ModelError> {
        Self::new(format!("{}/{id}", self.0))
    }

    /// True when this code is `ancestor` or lies under it.
    pub fn is_within(&self, ancestor: &CodeId) -> bool {
        self.0.len() >= ancestor.0.len()
            && self.0.starts_with(&*ancestor.0)
            && (self.0.len() == ancestor.0.len() || self.0.as_bytes()[ancestor.0.len()] == b'/')
    }
}

impl std::str::FromStr for CodeId {
    type Err = ModelError;
    fn from_str(s: &str) -> Result<Self, ModelError> {
        Self::new(s)
    }
}

impl TryFrom<String> for CodeId {
    type Error = ModelError;
    fn try_from(s: String) -> Result<Self, ModelError> {
        Self::new(s)
    }
}

impl From<CodeId> for String {
    fn from(c: CodeId) -> String {
        c.0.as_ref().to_owned()
    }
}

impl fmt::Display for CodeId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A set of informants (a selection by attributes: `Study::informants_where`).
pub type InformantSet = foldhash::HashSet<InformantId>;

/// A set of sources (a selection by attributes: `Study::sources_where`).
pub type SourceSet = foldhash::HashSet<SourceId>;

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
    fn code_paths() {
        let c: CodeId = "a/b/c".parse().unwrap();
        assert_eq!(c.depth(), 3);
        assert_eq!(c.last(), "c");
        assert_eq!(c.top().as_str(), "a");
        assert_eq!(c.parent().unwrap().as_str(), "a/b");
        assert!(c.is_within(&"a/b".parse().unwrap()));
        assert!(c.is_within(&c));
        assert!(!c.is_within(&"a/bc".parse().unwrap()));
        assert!(!"a/bc"
            .parse::<CodeId>()
            .unwrap()
            .is_within(&"a/b".parse().unwrap()));
        for bad in ["", "a//b", "/a", "a/", "a b", "æ"] {
            assert!(bad.parse::<CodeId>().is_err(), "{bad:?}");
        }
        let deep = vec!["x"; MAX_CODE_DEPTH + 1].join("/");
        assert!(deep.parse::<CodeId>().is_err());
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
        assert_eq!(c.top().as_str(), "structure");
        assert_eq!(c.to_string(), "structure/infrastructure");
        // A code at the top, or three levels down, is a code too.
        assert!("structure".parse::<CodeId>().is_ok());
        assert!("a/b/c".parse::<CodeId>().is_ok());
    }
}
