//! The one error type of the model: every invariant that a constructor checks has a variant.

use crate::framework::FrameworkError;
use crate::ids::{
    AttributeId, CodeId, CoderId, FrameworkId, GroupId, GuideId, InformantId, MunicipalityId,
    QualifierId, SourceId, ValueId,
};

/// Why the model refused a value.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ModelError {
    /// An id of the wrong shape.
    #[error("invalid {kind} id `{}`: use up to 64 letters, digits, `_`, `-` or `.`, starting with a letter or digit", crate::shorten(value))]
    InvalidId {
        /// Which kind of id.
        kind: &'static str,
        /// What was given.
        value: String,
    },
    /// A study's language that is not a language tag.
    #[error("`{}` is not a language tag (such as nb, nn, en)", crate::shorten(.0))]
    LanguageTag(String),
    /// Role other than participant or facilitator.
    #[error("invalid role `{}`: expected `participant` or `facilitator`", crate::shorten(.0))]
    InvalidRole(String),
    /// A span that is empty or reaches past its text.
    #[error("span {start}..{end} does not lie inside a text of {len} characters")]
    SpanOutside {
        /// First offset.
        start: usize,
        /// End offset.
        end: usize,
        /// Length of the text.
        len: usize,
    },
    /// A quote selector with no text.
    #[error("the quoted text is empty")]
    EmptyQuote,
    /// The quoted text is not in the transcript.
    #[error(
        "quote not found in the transcript of {source_id}: {:?}{}",
        crate::shorten(exact),
        nearest_hint(nearest.as_deref())
    )]
    QuoteNotFound {
        /// The source whose text was searched.
        source_id: SourceId,
        /// The text looked for.
        exact: String,
        /// The passage most like it, when one is like it enough to offer.
        nearest: Option<Box<crate::loose::Nearest>>,
    },
    /// The quoted text occurs more than once; prefix/suffix must tell which.
    #[error("quote found {count} times in the transcript of {source_id}: {:?}; add a prefix or suffix to say which", crate::shorten(exact))]
    QuoteAmbiguous {
        /// The source whose text was searched.
        source_id: SourceId,
        /// The text looked for.
        exact: String,
        /// How many places matched.
        count: usize,
    },
    /// An attribute declaration that cannot stand.
    #[error("attribute `{attribute}`: {reason}")]
    InvalidAttribute {
        /// The attribute.
        attribute: AttributeId,
        /// What is wrong with it.
        reason: String,
    },
    /// An attribute named in a selection (`--where`) that the study does not declare.
    #[error("the study declares no attribute `{attribute}`{}", if .declared.is_empty() { " (it declares none)".to_owned() } else { format!(" (it declares {})", .declared) })]
    UndeclaredAttribute {
        /// The attribute named.
        attribute: AttributeId,
        /// The ids it declares, listed.
        declared: String,
    },
    /// An attribute that cannot select informants: held by members only.
    #[error("attribute `{0}` is declared for members only, and a selection picks informants, by their own values or their group's")]
    NotAboutInformants(AttributeId),
    /// A value of an attribute the study does not declare.
    #[error(
        "{holder} `{}` has a value of attribute `{attribute}`, which the study does not declare",
        crate::shorten(who)
    )]
    UnknownAttribute {
        /// What holds the value: informant, member or group.
        holder: &'static str,
        /// Its id.
        who: String,
        /// The attribute.
        attribute: AttributeId,
    },
    /// A value that its attribute's declaration refuses.
    #[error(
        "attribute `{attribute}` of {holder} `{}`: {reason}",
        crate::shorten(who)
    )]
    AttributeValue {
        /// What holds the value: informant, member or group.
        holder: &'static str,
        /// Its id.
        who: String,
        /// The attribute.
        attribute: AttributeId,
        /// What is wrong with the value.
        reason: String,
    },
    /// Two things of one kind with one id.
    #[error("duplicate {kind} id `{}`", crate::shorten(id))]
    Duplicate {
        /// Which kind.
        kind: &'static str,
        /// The id.
        id: String,
    },
    /// A reference to a municipality that the study does not have.
    #[error("unknown municipality `{0}`")]
    UnknownMunicipality(MunicipalityId),
    /// A reference to a group that the study does not have.
    #[error("unknown group `{0}`")]
    UnknownGroup(GroupId),
    /// A reference to an informant that the study does not have.
    #[error("unknown informant `{0}`")]
    UnknownInformant(InformantId),
    /// A code that the study's framework does not have.
    #[error("unknown code `{}`: framework `{framework}` has no such code", crate::shorten(code.as_str()))]
    UnknownCode {
        /// The code given.
        code: CodeId,
        /// The study's framework.
        framework: FrameworkId,
    },
    /// The study names one framework and was given another.
    #[error("the study uses framework `{expected}` but was given `{given}`")]
    FrameworkMismatch {
        /// Named by the study.
        expected: FrameworkId,
        /// Given.
        given: FrameworkId,
    },
    /// A reference to a source the study does not have.
    #[error("unknown source `{0}`: the study has no source (transcript) of that id")]
    UnknownSource(SourceId),
    /// A source declaration that cannot stand.
    #[error("source `{source_id}`: {reason}")]
    InvalidSource {
        /// The source.
        source_id: SourceId,
        /// What is wrong with it.
        reason: String,
    },
    /// An interview guide that cannot stand.
    #[error("guide `{guide}`: {reason}")]
    InvalidGuide {
        /// The guide.
        guide: GuideId,
        /// Where in it: so that a file can name the line.
        place: crate::guide::GuidePlace,
        /// The field at fault there (`title`, `version`, `note`, `id`, `text`).
        field: &'static str,
        /// What is wrong with it.
        reason: String,
    },
    /// A reference to a guide, or a version of one, the study does not have.
    #[error("{}", match .version {
        None => format!("unknown guide `{guide}`: the study declares no guide of that id"),
        Some(v) => format!("guide `{guide}` has no version {v}"),
    })]
    UnknownGuide {
        /// The guide named.
        guide: GuideId,
        /// The version named, when the guide is there but not that version.
        version: Option<u32>,
    },
    /// Material for an informant who has withdrawn.
    #[error("informant `{0}` has withdrawn consent: their material cannot be added")]
    Withdrawn(InformantId),
    /// The same coder gave the same unit the same code and qualifier values twice.
    #[error(
        "coder `{coder}` already coded this unit as `{code}`{}",
        qualified(qualifiers)
    )]
    DuplicateCoding {
        /// The coder.
        coder: CoderId,
        /// The code.
        code: CodeId,
        /// The qualifier values.
        qualifiers: crate::Qualifiers,
    },
    /// Qualifier values not written `qualifier=value;qualifier=value`.
    #[error("`{}` is not qualifier=value: write values as `level=group;polarity=barrier`", crate::shorten(.0))]
    QualifierSyntax(String),
    /// A qualifier the framework does not declare for a code.
    #[error("code `{code}` takes no qualifier `{qualifier}`{}", takes(allowed))]
    QualifierNotDeclared {
        /// The code.
        code: CodeId,
        /// The qualifier given.
        qualifier: QualifierId,
        /// The qualifiers the code does take.
        allowed: Vec<QualifierId>,
    },
    /// A value outside a qualifier's set.
    #[error("`{}` is not a value of qualifier `{qualifier}`: use one of {}", crate::shorten(value.as_str()), list(values))]
    QualifierValue {
        /// The qualifier.
        qualifier: QualifierId,
        /// The value given.
        value: ValueId,
        /// Its values.
        values: Vec<ValueId>,
    },
    /// A required qualifier left out.
    #[error(
        "code `{code}` needs a value of qualifier `{qualifier}`: one of {}",
        list(values)
    )]
    QualifierMissing {
        /// The code.
        code: CodeId,
        /// The qualifier.
        qualifier: QualifierId,
        /// Its values.
        values: Vec<ValueId>,
    },
    /// A group with no municipality.
    #[error("group `{0}` names no municipality")]
    GroupWithoutMunicipality(GroupId),
    /// A period that ends before it starts.
    #[error("period ends ({end}) before it starts ({start})")]
    PeriodReversed {
        /// Start.
        start: chrono::NaiveDate,
        /// End.
        end: chrono::NaiveDate,
    },
    /// A PD youth who is not marked as youth.
    #[error("member `{}` is marked pd_youth but not youth", crate::shorten(.0))]
    PdYouthNotYouth(String),
    /// A framework problem.
    #[error(transparent)]
    Framework(#[from] FrameworkError),
}

/// ` (polarity=barrier)`, or nothing for no values.
fn qualified(q: &crate::Qualifiers) -> String {
    if q.is_empty() {
        String::new()
    } else {
        format!(" ({q})")
    }
}

/// `: it takes a, b` or `: it takes none`.
fn takes(allowed: &[QualifierId]) -> String {
    if allowed.is_empty() {
        " (it takes none)".to_owned()
    } else {
        format!(" (it takes {})", list(allowed))
    }
}

/// `` `a`, `b` ``.
fn list<T: std::fmt::Display>(items: &[T]) -> String {
    items
        .iter()
        .map(|i| format!("`{i}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// "; did you mean … at 357..404?" for a quote not found, or nothing.
fn nearest_hint(nearest: Option<&crate::loose::Nearest>) -> String {
    nearest.map_or_else(String::new, |n| {
        format!(
            "; did you mean {:?} (at {}..{})?",
            crate::shorten(&n.text),
            n.span.start(),
            n.span.end()
        )
    })
}
