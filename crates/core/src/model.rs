//! The people and places of a study: municipalities, resource groups, their members and the
//! informants who were interviewed.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::attribute::Attributes;
use crate::ids::{FrameworkId, GroupId, InformantId, MemberId, MunicipalityId, StudyId};

/// What a study is about: the head of everything else.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StudyMeta {
    /// Stable id of the study.
    pub id: StudyId,
    /// Title, as the study's authors give it.
    pub title: String,
    /// The research question (problemstilling).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub research_question: Option<String>,
    /// Notes on method.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    /// First day of the studied period.
    #[serde(
        default,
        with = "crate::date::iso_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub period_start: Option<NaiveDate>,
    /// Last day of the studied period.
    #[serde(
        default,
        with = "crate::date::iso_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub period_end: Option<NaiveDate>,
    /// The framework the study codes against.
    pub framework: FrameworkId,
    /// Whether the data are a study's own or made up to illustrate.
    #[serde(default, skip_serializing_if = "Provenance::is_research")]
    pub provenance: Provenance,
    /// The language the study is written up in: the report's language unless one is
    /// asked for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<LanguageTag>,
}

/// A language tag (BCP 47 in shape): `nb`, `nn`, `en`, `se`, `en-GB`. Letters and digits
/// in parts of up to eight, parted by hyphens, starting with a letter; at most 35 long.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct LanguageTag(String);

impl LanguageTag {
    /// Whether `tag` has a language tag's shape.
    pub fn is_valid(tag: &str) -> bool {
        !tag.is_empty()
            && tag.len() <= 35
            && tag.split('-').all(|p| {
                !p.is_empty() && p.len() <= 8 && p.chars().all(|c| c.is_ascii_alphanumeric())
            })
            && tag.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
    }

    /// The tag as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Its primary language, lower-cased: `nb` of `nb-NO`.
    pub fn primary(&self) -> String {
        self.0
            .split('-')
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase()
    }
}

impl std::str::FromStr for LanguageTag {
    type Err = crate::ModelError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if Self::is_valid(s) {
            Ok(Self(s.to_owned()))
        } else {
            Err(crate::ModelError::LanguageTag(s.to_owned()))
        }
    }
}

impl TryFrom<String> for LanguageTag {
    type Error = crate::ModelError;

    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<LanguageTag> for String {
    fn from(t: LanguageTag) -> Self {
        t.0
    }
}

impl std::fmt::Display for LanguageTag {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Where a study's data come from. A study made up or altered to illustrate samskap (a
/// demonstration, a test fixture) says so in its `study.toml`, and every view of it that
/// could pass for findings (the report, `study show`) says so too: illustration must never
/// be read as a source's data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Provenance {
    /// Data gathered by the study (the default).
    #[default]
    Research,
    /// Invented, or real material with invented parts (attributions, dates, a second
    /// coder): it illustrates, it is not evidence.
    Illustrative,
}

impl Provenance {
    /// Its name in files and the store: `research` or `illustrative`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Research => "research",
            Self::Illustrative => "illustrative",
        }
    }

    /// `true` for the default, so that files of research studies need not name it.
    pub fn is_research(&self) -> bool {
        *self == Self::Research
    }

    /// What a view of an illustrative study prints first; nothing for research data.
    pub fn notice(self) -> Option<&'static str> {
        match self {
            Self::Research => None,
            Self::Illustrative => Some(
                "Illustrative data: this study is made up, or has invented parts, to show how \
                 samskap works. It is not research data; do not cite it as findings.",
            ),
        }
    }
}

impl std::str::FromStr for Provenance {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "research" => Ok(Self::Research),
            "illustrative" => Ok(Self::Illustrative),
            other => Err(format!(
                "provenance `{}` is neither `research` nor `illustrative`",
                crate::shorten(other)
            )),
        }
    }
}

impl std::fmt::Display for Provenance {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod language_tests {
    use super::LanguageTag;

    #[test]
    fn language_tags_are_checked() {
        for ok in ["nb", "en-GB", "se", "zh-Hant-TW"] {
            assert_eq!(ok.parse::<LanguageTag>().unwrap().as_str(), ok);
        }
        for bad in ["", "-nb", "nb-", "n b", "1nb", "nb_NO", &"x".repeat(36)] {
            assert!(bad.parse::<LanguageTag>().is_err(), "{bad}");
        }
        assert_eq!("nb-NO".parse::<LanguageTag>().unwrap().primary(), "nb");
        let from_toml: Result<LanguageTag, _> = serde_json::from_str("\"no way\"");
        assert!(from_toml.is_err());
    }
}

#[cfg(test)]
mod provenance_tests {
    use super::*;

    #[test]
    fn provenance_reads_and_writes_its_two_names_and_defaults_to_research() {
        for p in [Provenance::Research, Provenance::Illustrative] {
            assert_eq!(p.as_str().parse::<Provenance>(), Ok(p));
        }
        assert!("demo".parse::<Provenance>().is_err());
        assert_eq!(Provenance::default(), Provenance::Research);
        assert!(Provenance::Research.notice().is_none());
        assert!(Provenance::Illustrative
            .notice()
            .is_some_and(|n| n.contains("not research data")));
    }
}

/// A municipality taking part in the project. Names may be neutral labels: a study is free
/// not to name its municipalities.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Municipality {
    /// Stable id.
    pub id: MunicipalityId,
    /// Display name.
    pub name: String,
}

/// A cross-sector resource group (ressursgruppe); may serve several municipalities.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResourceGroup {
    /// Stable id.
    pub id: GroupId,
    /// Display name.
    pub name: String,
    /// The municipalities it serves (at least one).
    pub municipalities: Vec<MunicipalityId>,
    /// When the group started.
    #[serde(
        default,
        with = "crate::date::iso_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub period_start: Option<NaiveDate>,
    /// When the group ended.
    #[serde(
        default,
        with = "crate::date::iso_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub period_end: Option<NaiveDate>,
    /// Whether the study looked at this group closely (interviews).
    #[serde(default)]
    pub studied: bool,
    /// Values of the study's custom attributes.
    #[serde(default, skip_serializing_if = "Attributes::is_empty")]
    pub attributes: Attributes,
}

/// The sector an actor comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Sector {
    /// Public services (NAV, school, health, ...).
    Public,
    /// Private business.
    Private,
    /// Voluntary organisations.
    Voluntary,
    /// Citizens, such as the young people themselves.
    Citizen,
}

impl Sector {
    /// All sectors, in display order.
    pub const ALL: [Sector; 4] = [
        Sector::Public,
        Sector::Private,
        Sector::Voluntary,
        Sector::Citizen,
    ];

    /// The lowercase name used in files and on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Sector::Public => "public",
            Sector::Private => "private",
            Sector::Voluntary => "voluntary",
            Sector::Citizen => "citizen",
        }
    }
}

/// A member (actor) of a resource group. Members are described by what they bring, not by
/// name: the model holds no member names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Member {
    /// Stable id.
    pub id: MemberId,
    /// The group the member sits in.
    pub group: GroupId,
    /// Sector.
    pub sector: Sector,
    /// Service or organisation type (`nav`, `school`, `child-welfare`, ...), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service: Option<String>,
    /// A young person taking part as an equal member.
    #[serde(default)]
    pub youth: bool,
    /// A young person who succeeded against the odds (a positive deviant).
    #[serde(default)]
    pub pd_youth: bool,
    /// Values of the study's custom attributes.
    #[serde(default, skip_serializing_if = "Attributes::is_empty")]
    pub attributes: Attributes,
}

/// What part an informant played.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// A member of a resource group.
    Participant,
    /// Project staff who ran the groups.
    Facilitator,
}

impl std::str::FromStr for Role {
    type Err = crate::ModelError;
    fn from_str(s: &str) -> Result<Self, crate::ModelError> {
        match s {
            "participant" => Ok(Role::Participant),
            "facilitator" => Ok(Role::Facilitator),
            _ => Err(crate::ModelError::InvalidRole(s.to_owned())),
        }
    }
}

impl Role {
    /// The lowercase name used in files and on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Participant => "participant",
            Role::Facilitator => "facilitator",
        }
    }
}

/// Where an informant stands on consent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Consent {
    /// Asked, not yet answered: their material may be coded but never reported.
    Pending,
    /// Consent given.
    Given,
    /// Consent withdrawn: the informant's data is gone; only the id remains.
    Withdrawn,
}

impl Consent {
    /// The lowercase name used in files and on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Consent::Pending => "pending",
            Consent::Given => "given",
            Consent::Withdrawn => "withdrawn",
        }
    }
}

/// The personal data of an informant, present only while they have not withdrawn.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InformantDetails {
    /// Participant or facilitator.
    pub role: Role,
    /// The group they belong to; none for a facilitator serving all groups.
    pub group: Option<GroupId>,
    /// Workplace (Table 1 only; never printed next to a quote).
    pub workplace: Option<String>,
    /// Position (Table 1 only; never printed next to a quote).
    pub position: Option<String>,
    /// When they were interviewed.
    #[serde(default, with = "crate::date::iso_opt")]
    pub interview_date: Option<NaiveDate>,
    /// Pending or given: withdrawn informants have no details at all.
    pub consent: ActiveConsent,
    /// Values of the study's custom attributes (gone, like the rest, on withdrawal).
    #[serde(default, skip_serializing_if = "Attributes::is_empty")]
    pub attributes: Attributes,
}

/// Consent of an informant who has not withdrawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ActiveConsent {
    /// Not yet answered.
    Pending,
    /// Given.
    Given,
}

/// A person interviewed for the study. A withdrawn informant keeps only the id, so that
/// "withdrawn" is a state the type makes plain rather than a flag beside stale data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Informant {
    /// Stable id (`I1`).
    pub id: InformantId,
    /// Their data, or `None` once they have withdrawn.
    pub details: Option<InformantDetails>,
}

impl Informant {
    /// The consent state.
    pub fn consent(&self) -> Consent {
        match &self.details {
            None => Consent::Withdrawn,
            Some(d) => match d.consent {
                ActiveConsent::Pending => Consent::Pending,
                ActiveConsent::Given => Consent::Given,
            },
        }
    }

    /// The group, if any and not withdrawn.
    pub fn group(&self) -> Option<&GroupId> {
        self.details.as_ref().and_then(|d| d.group.as_ref())
    }

    /// The role, if not withdrawn.
    pub fn role(&self) -> Option<Role> {
        self.details.as_ref().map(|d| d.role)
    }
}
