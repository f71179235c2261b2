//! The file-level shapes of a bundle (what serde reads and writes), kept apart from the
//! model so the model can change without changing the files people keep in git.

use serde::{Deserialize, Serialize};

use samskap_core::{
    GroupId, InformantId, Member, Memo, Municipality, ResourceGroup, Role, StudyMeta,
};

/// Dates are written as quoted ISO strings (`"2023-05-15"`).
pub(crate) type Date = chrono::NaiveDate;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct StudyFileIn {
    pub study: toml::Spanned<StudyMeta>,
    #[serde(default, rename = "municipality")]
    pub municipalities: Vec<toml::Spanned<Municipality>>,
    #[serde(default, rename = "group")]
    pub groups: Vec<toml::Spanned<ResourceGroup>>,
    #[serde(default, rename = "member")]
    pub members: Vec<toml::Spanned<Member>>,
    #[serde(default, rename = "informant")]
    pub informants: Vec<toml::Spanned<InformantRow>>,
}

#[derive(Serialize)]
pub(crate) struct StudyFileOut<'a> {
    pub study: &'a StudyMeta,
    #[serde(rename = "municipality", skip_serializing_if = "<[_]>::is_empty")]
    pub municipalities: &'a [Municipality],
    #[serde(rename = "group", skip_serializing_if = "<[_]>::is_empty")]
    pub groups: &'a [ResourceGroup],
    #[serde(rename = "member", skip_serializing_if = "<[_]>::is_empty")]
    pub members: &'a [Member],
    #[serde(rename = "informant", skip_serializing_if = "Vec::is_empty")]
    pub informants: Vec<InformantRow>,
}

/// An informant as written in `study.toml`: flat, with `consent` deciding which other keys
/// may appear (a withdrawn informant has none).
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct InformantRow {
    pub id: InformantId,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<Role>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<GroupId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workplace: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub position: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interview_date: Option<Date>,
    pub consent: samskap_core::Consent,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct MemosFileIn {
    #[serde(default, rename = "memo")]
    pub memos: Vec<toml::Spanned<Memo>>,
}

#[derive(Serialize)]
pub(crate) struct MemosFileOut<'a> {
    #[serde(rename = "memo")]
    pub memos: &'a [Memo],
}
