//! What travels over HTTP. These types are the API's contract (and its OpenAPI schemas); they
//! convert to and from the core model, which keeps its own rules.

use chrono::NaiveDate;
use samskap_core::facilitation as f;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::openapi::{Id, JsonNumber, LadderIn, LogicsIn};

/// A study.
#[derive(Debug, Serialize, ToSchema)]
pub struct StudyOut {
    /// Id.
    #[schema(value_type = Id)]
    pub id: String,
    /// Title.
    pub title: String,
    /// The framework it codes against.
    #[schema(value_type = Id)]
    pub framework: String,
    /// Whether its data are research data or made up to illustrate.
    pub provenance: ProvenanceOut,
}

/// Where a study's data come from: `illustrative` data must never be read as findings.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ProvenanceOut {
    /// Data gathered by the study.
    Research,
    /// Made up, or with invented parts, to illustrate.
    Illustrative,
}

impl From<samskap_core::Provenance> for ProvenanceOut {
    fn from(p: samskap_core::Provenance) -> Self {
        match p {
            samskap_core::Provenance::Research => Self::Research,
            samskap_core::Provenance::Illustrative => Self::Illustrative,
        }
    }
}

/// A value of a custom attribute: a boolean, a number, or text (a date as `YYYY-MM-DD`, a
/// one-of's choice). A whole number is written without a fraction, as the CLI and bundles
/// write it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(untagged)]
pub enum AttributeValueWire {
    /// `true` or `false`.
    Boolean(bool),
    /// A finite number, as written (so that a whole number too large to keep exactly is
    /// seen, not rounded).
    Number(JsonNumber),
    /// Text, a day or a choice.
    Text(String),
}

impl From<&samskap_core::AttributeValue> for AttributeValueWire {
    fn from(v: &samskap_core::AttributeValue) -> Self {
        use samskap_core::AttributeValue as V;
        match v {
            V::Text(t) => Self::Text(t.clone()),
            // Core's text of a number is a whole one without a fraction; JSON reads it so.
            V::Number(n) => match n.to_string().parse::<serde_json::Number>() {
                Ok(number) => Self::Number(JsonNumber(number)),
                Err(_) => Self::Text(n.to_string()),
            },
            V::Date(_) => Self::Text(v.to_string()),
            V::Boolean(b) => Self::Boolean(*b),
        }
    }
}

impl AttributeValueWire {
    /// As the model takes it, to be checked against its declaration there (a day written as
    /// text becomes a day). A number goes through the model's own reading of numbers, which
    /// refuses what it cannot keep exactly (a whole number past 2^53), with its reason.
    pub fn into_core(self) -> Result<samskap_core::AttributeValue, String> {
        use samskap_core::AttributeValue as V;
        Ok(match self {
            Self::Boolean(b) => V::Boolean(b),
            Self::Number(JsonNumber(n)) => {
                serde_json::from_value(serde_json::Value::Number(n)).map_err(|e| e.to_string())?
            }
            Self::Text(t) => V::Text(t),
        })
    }
}

/// Values of custom attributes, by attribute id.
pub type AttributesWire = std::collections::BTreeMap<String, AttributeValueWire>;

/// The values an informant, member or group holds, on the wire.
pub fn attributes_out(a: &samskap_core::Attributes) -> AttributesWire {
    a.iter()
        .map(|(id, v)| (id.to_string(), AttributeValueWire::from(v)))
        .collect()
}

/// A custom attribute the study declares.
#[derive(Debug, Serialize, ToSchema)]
pub struct AttributeOut {
    /// Id: the key of its values.
    #[schema(value_type = Id)]
    pub id: String,
    /// A heading for tables (the id when none).
    pub label: String,
    /// The type of its values: `text`, `number`, `date`, `boolean` or `one-of`.
    #[serde(rename = "type")]
    pub kind: String,
    /// A one-of's texts (empty for other types).
    pub values: Vec<String>,
    /// What may hold it: `informant`, `member`, `group`.
    #[serde(rename = "for")]
    pub holders: Vec<String>,
}

impl From<&samskap_core::Attribute> for AttributeOut {
    fn from(a: &samskap_core::Attribute) -> Self {
        Self {
            id: a.id.to_string(),
            label: a.label.clone().unwrap_or_else(|| a.id.to_string()),
            kind: a.kind.name().to_owned(),
            values: a.kind.choices().to_vec(),
            holders: a.holders.iter().map(|h| h.as_str().to_owned()).collect(),
        }
    }
}

/// A resource group.
#[derive(Debug, Serialize, ToSchema)]
pub struct GroupOut {
    /// Id.
    #[schema(value_type = Id)]
    pub id: String,
    /// Name.
    pub name: String,
    /// Municipalities served.
    #[schema(value_type = Vec<Id>)]
    pub municipalities: Vec<String>,
    /// Whether the study looked at it closely.
    pub studied: bool,
    /// Its values of the study's custom attributes.
    pub attributes: AttributesWire,
}

/// A member of a group.
#[derive(Debug, Serialize, ToSchema)]
pub struct MemberOut {
    /// Id, made by the server.
    #[schema(value_type = Id)]
    pub id: String,
    /// Group.
    #[schema(value_type = Id)]
    pub group: String,
    /// The sector they come from.
    pub sector: SectorIn,
    /// Service, if any (left out when none).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub service: Option<String>,
    /// A young member.
    pub youth: bool,
    /// A young member who is a positive deviant.
    pub pd_youth: bool,
    /// Their values of the study's custom attributes.
    pub attributes: AttributesWire,
}

impl From<&samskap_core::Member> for MemberOut {
    fn from(m: &samskap_core::Member) -> Self {
        Self {
            id: m.id.to_string(),
            group: m.group.to_string(),
            sector: m.sector.into(),
            service: m.service.clone(),
            youth: m.youth,
            pd_youth: m.pd_youth,
            attributes: attributes_out(&m.attributes),
        }
    }
}

/// The sector a member comes from.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum SectorIn {
    /// Public services (NAV, school, health, ...).
    Public,
    /// Private business.
    Private,
    /// Voluntary organisations.
    Voluntary,
    /// Citizens, such as the young people themselves.
    Citizen,
}

impl From<samskap_core::Sector> for SectorIn {
    fn from(s: samskap_core::Sector) -> Self {
        match s {
            samskap_core::Sector::Public => SectorIn::Public,
            samskap_core::Sector::Private => SectorIn::Private,
            samskap_core::Sector::Voluntary => SectorIn::Voluntary,
            samskap_core::Sector::Citizen => SectorIn::Citizen,
        }
    }
}

impl From<SectorIn> for samskap_core::Sector {
    fn from(s: SectorIn) -> Self {
        match s {
            SectorIn::Public => samskap_core::Sector::Public,
            SectorIn::Private => samskap_core::Sector::Private,
            SectorIn::Voluntary => samskap_core::Sector::Voluntary,
            SectorIn::Citizen => samskap_core::Sector::Citizen,
        }
    }
}

/// A new member of a group; the server makes their id.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MemberIn {
    /// The sector they come from.
    pub sector: SectorIn,
    /// Their service (for the public sector: NAV, school, child welfare ...).
    #[serde(default)]
    pub service: Option<String>,
    /// A young member.
    #[serde(default)]
    pub youth: bool,
    /// A young member who is a positive deviant (a young member too).
    #[serde(default)]
    pub pd_youth: bool,
    /// Values of the study's custom attributes declared for members, by attribute id.
    #[serde(default)]
    pub attributes: AttributesWire,
}

/// A municipality of the study.
#[derive(Debug, Serialize, ToSchema)]
pub struct MunicipalityOut {
    /// Id.
    #[schema(value_type = Id)]
    pub id: String,
    /// Name.
    pub name: String,
}

/// What kind of material a source is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum SourceKindOut {
    /// An interview with one informant (or more, each in their turns).
    Interview,
    /// A focus group: many speakers in one transcript.
    FocusGroup,
    /// A group meeting's minutes.
    Minutes,
    /// Field notes from an observation.
    Observation,
    /// A document: the programme's own papers, published excerpts.
    Document,
}

impl From<samskap_core::SourceKind> for SourceKindOut {
    fn from(k: samskap_core::SourceKind) -> Self {
        use samskap_core::SourceKind as K;
        match k {
            K::Interview => Self::Interview,
            K::FocusGroup => Self::FocusGroup,
            K::Minutes => Self::Minutes,
            K::Observation => Self::Observation,
            K::Document => Self::Document,
        }
    }
}

/// A source the study codes, described without its text: who speaks in it and how much
/// of it is coded.
#[derive(Debug, Serialize, ToSchema)]
pub struct SourceOut {
    /// Id, unique in the study.
    #[schema(value_type = Id)]
    pub id: String,
    /// What kind of material it is.
    pub kind: SourceKindOut,
    /// When it was made (the interview, the meeting, the document), if known (left out
    /// when not).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub date: Option<NaiveDate>,
    /// A title, if it has one (left out when none).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub title: Option<String>,
    /// The resource group it comes from, if any (left out when none).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Id>, nullable = false)]
    pub group: Option<String>,
    /// The informants who speak in it, in the order the source gives them.
    #[schema(value_type = Vec<Id>)]
    pub informants: Vec<String>,
    /// Its turn labels and who speaks each: an informant's id, `interviewer`, or
    /// `withdrawn` (an informant who withdrew). Empty when the whole text is its
    /// informants' words.
    #[schema(value_type = std::collections::BTreeMap<String, Id>)]
    pub speakers: std::collections::BTreeMap<String, String>,
    /// The meeting of the facilitation record it is the minutes or observation notes of,
    /// if it names one (left out when not).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Id>, nullable = false)]
    pub meeting: Option<String>,
    /// Its values of the study's custom attributes declared for sources.
    pub attributes: AttributesWire,
    /// The length of its text, in characters.
    pub characters: usize,
    /// Its meaning units.
    pub units: usize,
    /// The codings of those units.
    pub codings: usize,
}

impl From<&samskap_store::SourceRow> for SourceOut {
    fn from(r: &samskap_store::SourceRow) -> Self {
        let s = &r.source;
        Self {
            id: s.id.to_string(),
            kind: s.kind.into(),
            date: s.date,
            title: s.title.clone(),
            group: s.group.as_ref().map(ToString::to_string),
            informants: s.informants.iter().map(ToString::to_string).collect(),
            speakers: s
                .speakers
                .iter()
                .map(|(label, voice)| (label.clone(), voice.to_string()))
                .collect(),
            meeting: s.meeting.as_ref().map(ToString::to_string),
            attributes: attributes_out(&s.attributes),
            characters: r.chars,
            units: r.units,
            codings: r.codings,
        }
    }
}

/// An interview guide: the researchers' own questions, grouped by theme, in numbered
/// versions.
#[derive(Debug, Serialize, ToSchema)]
pub struct GuideOut {
    /// Id, unique in the study.
    #[schema(value_type = Id)]
    pub id: String,
    /// Its title.
    pub title: String,
    /// Its versions, numbered 1, 2, … in this order.
    pub versions: Vec<GuideVersionOut>,
}

/// One version of a guide: its themes and their questions, in the order asked.
#[derive(Debug, Serialize, ToSchema)]
pub struct GuideVersionOut {
    /// Its number: 1 for the first, then 2, … with no gap.
    // Typed as the other counts are (no `int32` format, whose maximum is below a `u32`'s).
    #[schema(value_type = usize, minimum = 1, maximum = 4294967295_u64)]
    pub version: u32,
    /// What changed, or for whom it was used (left out when nothing is said).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub note: Option<String>,
    /// Its themes, in order.
    pub themes: Vec<ThemeOut>,
}

/// A theme of a guide version and its questions.
#[derive(Debug, Serialize, ToSchema)]
pub struct ThemeOut {
    /// The theme's heading.
    pub title: String,
    /// Its questions, in order.
    pub questions: Vec<QuestionOut>,
}

/// A question of a guide version.
#[derive(Debug, Serialize, ToSchema)]
pub struct QuestionOut {
    /// Id, unique in its version; the same id in two versions is the same question.
    #[schema(value_type = Id)]
    pub id: String,
    /// Its wording.
    pub text: String,
}

impl From<&samskap_core::Guide> for GuideOut {
    fn from(g: &samskap_core::Guide) -> Self {
        Self {
            id: g.id.to_string(),
            title: g.title.clone(),
            versions: g
                .versions
                .iter()
                .map(|v| GuideVersionOut {
                    version: v.version,
                    note: v.note.clone(),
                    themes: v
                        .themes
                        .iter()
                        .map(|t| ThemeOut {
                            title: t.title.clone(),
                            questions: t
                                .questions
                                .iter()
                                .map(|q| QuestionOut {
                                    id: q.id.to_string(),
                                    text: q.text.clone(),
                                })
                                .collect(),
                        })
                        .collect(),
                })
                .collect(),
        }
    }
}

/// The day a group agreed on one of its drafts.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AgreementIn {
    /// When, `YYYY-MM-DD` (not before the draft).
    #[serde(deserialize_with = "samskap_core::date::iso::deserialize")]
    pub date: NaiveDate,
}

/// Kind of meeting.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum MeetingKind {
    /// Information meeting.
    Information,
    /// Resource-group meeting.
    Group,
    /// Workshop.
    Workshop,
}

impl From<MeetingKind> for f::MeetingKind {
    fn from(k: MeetingKind) -> Self {
        match k {
            MeetingKind::Information => f::MeetingKind::Information,
            MeetingKind::Group => f::MeetingKind::Group,
            MeetingKind::Workshop => f::MeetingKind::Workshop,
        }
    }
}

impl From<f::MeetingKind> for MeetingKind {
    fn from(k: f::MeetingKind) -> Self {
        match k {
            f::MeetingKind::Information => MeetingKind::Information,
            f::MeetingKind::Group => MeetingKind::Group,
            f::MeetingKind::Workshop => MeetingKind::Workshop,
        }
    }
}

/// A new meeting; the server makes its id.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MeetingIn {
    /// Kind.
    pub kind: MeetingKind,
    /// Date, `YYYY-MM-DD`.
    #[serde(deserialize_with = "samskap_core::date::iso::deserialize")]
    pub date: NaiveDate,
    /// A note.
    #[serde(default)]
    pub note: Option<String>,
}

/// Came or not.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Presence {
    /// Came.
    Present,
    /// Did not come.
    Absent,
    /// Did not come, with notice.
    Excused,
}

impl From<Presence> for f::Presence {
    fn from(p: Presence) -> Self {
        match p {
            Presence::Present => f::Presence::Present,
            Presence::Absent => f::Presence::Absent,
            Presence::Excused => f::Presence::Excused,
        }
    }
}

impl From<f::Presence> for Presence {
    fn from(p: f::Presence) -> Self {
        match p {
            f::Presence::Present => Presence::Present,
            f::Presence::Absent => Presence::Absent,
            f::Presence::Excused => Presence::Excused,
        }
    }
}

/// One member at one meeting.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AttendanceEntry {
    /// Member id.
    #[schema(value_type = Id)]
    pub member: String,
    /// Came or not.
    pub presence: Presence,
}

/// The attendance of a whole meeting, set at once.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AttendanceIn {
    /// One entry per member recorded.
    pub attendance: Vec<AttendanceEntry>,
}

/// A meeting with its attendance.
#[derive(Debug, Serialize, ToSchema)]
pub struct MeetingOut {
    /// Id.
    #[schema(value_type = Id)]
    pub id: String,
    /// Group.
    #[schema(value_type = Id)]
    pub group: String,
    /// Kind.
    pub kind: MeetingKind,
    /// Date.
    pub date: NaiveDate,
    /// Note (left out when none).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub note: Option<String>,
    /// Attendance recorded.
    pub attendance: Vec<AttendanceEntry>,
}

impl MeetingOut {
    /// From the core record.
    pub fn from_core(m: &f::Meeting, attendance: &[f::Attendance]) -> Self {
        Self {
            id: m.id.to_string(),
            group: m.group.to_string(),
            kind: m.kind.into(),
            date: m.date,
            note: m.note.clone(),
            attendance: attendance
                .iter()
                .map(|a| AttendanceEntry {
                    member: a.member.to_string(),
                    presence: a.presence.into(),
                })
                .collect(),
        }
    }
}

/// Trial action or intervention.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ActionKind {
    /// A small trial (prøvehandling).
    TrialAction,
    /// An intervention.
    Intervention,
}

impl From<ActionKind> for f::ActionKind {
    fn from(k: ActionKind) -> Self {
        match k {
            ActionKind::TrialAction => f::ActionKind::TrialAction,
            ActionKind::Intervention => f::ActionKind::Intervention,
        }
    }
}

impl From<f::ActionKind> for ActionKind {
    fn from(k: f::ActionKind) -> Self {
        match k {
            f::ActionKind::TrialAction => ActionKind::TrialAction,
            f::ActionKind::Intervention => ActionKind::Intervention,
        }
    }
}

/// Lifecycle state.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ActionState {
    /// Planned.
    Planned,
    /// Tried.
    Tried,
    /// Evaluated.
    Evaluated,
    /// Adopted.
    Adopted,
    /// Dropped.
    Dropped,
}

impl From<ActionState> for f::ActionState {
    fn from(s: ActionState) -> Self {
        match s {
            ActionState::Planned => f::ActionState::Planned,
            ActionState::Tried => f::ActionState::Tried,
            ActionState::Evaluated => f::ActionState::Evaluated,
            ActionState::Adopted => f::ActionState::Adopted,
            ActionState::Dropped => f::ActionState::Dropped,
        }
    }
}

impl From<f::ActionState> for ActionState {
    fn from(s: f::ActionState) -> Self {
        match s {
            f::ActionState::Planned => ActionState::Planned,
            f::ActionState::Tried => ActionState::Tried,
            f::ActionState::Evaluated => ActionState::Evaluated,
            f::ActionState::Adopted => ActionState::Adopted,
            f::ActionState::Dropped => ActionState::Dropped,
        }
    }
}

/// A new trial action, planned on `date`; the server makes its id.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActionIn {
    /// Kind.
    pub kind: ActionKind,
    /// What is tried.
    pub title: String,
    /// When it was planned.
    #[serde(deserialize_with = "samskap_core::date::iso::deserialize")]
    pub date: NaiveDate,
    /// A note.
    #[serde(default)]
    pub note: Option<String>,
}

/// A move to the next state.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TransitionIn {
    /// The state entered: the next one (planned → tried → evaluated → adopted | dropped).
    pub state: ActionState,
    /// When.
    #[serde(deserialize_with = "samskap_core::date::iso::deserialize")]
    pub date: NaiveDate,
    /// Evaluation notes and the like.
    #[serde(default)]
    pub note: Option<String>,
}

/// One step of an action's lifecycle.
#[derive(Debug, Serialize, ToSchema)]
pub struct TransitionOut {
    /// The state entered.
    pub state: ActionState,
    /// When.
    pub date: NaiveDate,
    /// Evaluation notes and the like; null when none.
    #[schema(required = true)]
    pub note: Option<String>,
}

/// An action with its history.
#[derive(Debug, Serialize, ToSchema)]
pub struct ActionOut {
    /// Id.
    #[schema(value_type = Id)]
    pub id: String,
    /// Group.
    #[schema(value_type = Id)]
    pub group: String,
    /// Kind.
    pub kind: ActionKind,
    /// Title.
    pub title: String,
    /// State now.
    pub state: ActionState,
    /// The lifecycle so far.
    pub history: Vec<TransitionOut>,
}

impl From<&f::TrialAction> for ActionOut {
    fn from(a: &f::TrialAction) -> Self {
        Self {
            id: a.id.to_string(),
            group: a.group.to_string(),
            kind: a.kind.into(),
            title: a.title.clone(),
            state: a.state().into(),
            history: a
                .history
                .iter()
                .map(|t| TransitionOut {
                    state: t.state.into(),
                    date: t.date,
                    note: t.note.clone(),
                })
                .collect(),
        }
    }
}

/// A new contact between two members of the group; the server makes its id.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContactIn {
    /// One member.
    #[schema(value_type = Id)]
    pub a: String,
    /// The other.
    #[schema(value_type = Id)]
    pub b: String,
    /// When.
    #[serde(deserialize_with = "samskap_core::date::iso::deserialize")]
    pub date: NaiveDate,
    /// A note.
    #[serde(default)]
    pub note: Option<String>,
}

/// A contact between two members.
#[derive(Debug, Serialize, ToSchema)]
pub struct ContactOut {
    /// Id.
    #[schema(value_type = Id)]
    pub id: String,
    /// One member.
    #[schema(value_type = Id)]
    pub a: String,
    /// The other.
    #[schema(value_type = Id)]
    pub b: String,
    /// When.
    pub date: NaiveDate,
    /// A note (left out when none).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub note: Option<String>,
}

impl From<&f::Contact> for ContactOut {
    fn from(c: &f::Contact) -> Self {
        Self {
            id: c.id.to_string(),
            a: c.a.to_string(),
            b: c.b.to_string(),
            date: c.date,
            note: c.note.clone(),
        }
    }
}

/// An attendance rate.
#[derive(Debug, Serialize, ToSchema)]
pub struct RateOut {
    /// Member, service, sector or month.
    pub key: String,
    /// Meetings attended.
    pub present: usize,
    /// Meetings recorded.
    pub recorded: usize,
    /// present / recorded.
    pub rate: f64,
}

impl From<f::Rate> for RateOut {
    fn from(r: f::Rate) -> Self {
        Self {
            key: r.key,
            present: r.present,
            recorded: r.recorded,
            rate: r.rate,
        }
    }
}

/// Who sits in a group.
#[derive(Debug, Serialize, ToSchema)]
pub struct CompositionOut {
    /// Group.
    #[schema(value_type = Id)]
    pub group: String,
    /// Members.
    pub members: usize,
    /// Members per sector.
    pub sectors: Vec<SectorCount>,
    /// Young members.
    pub youth: usize,
    /// PD youth.
    pub pd_youth: usize,
    /// Blau's index over sectors; null for a group without members.
    #[schema(required = true)]
    pub blau: Option<f64>,
}

impl From<f::Composition> for CompositionOut {
    fn from(c: f::Composition) -> Self {
        Self {
            group: c.group.to_string(),
            members: c.members,
            sectors: c
                .sectors
                .into_iter()
                .map(|(s, n)| SectorCount {
                    sector: s.into(),
                    members: n,
                })
                .collect(),
            youth: c.youth,
            pd_youth: c.pd_youth,
            blau: c.blau,
        }
    }
}

/// Members of one sector.
#[derive(Debug, Serialize, ToSchema)]
pub struct SectorCount {
    /// Sector.
    pub sector: SectorIn,
    /// Members.
    pub members: usize,
}

/// A health report.
#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    /// Always "ok" when the server answers.
    pub status: String,
}

/// What is assessed: a group or a service.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase", deny_unknown_fields)]
pub enum SubjectIn {
    /// A resource group id.
    Group(Id),
    /// A service (`nav`, `child-welfare`, ...).
    Service(String),
}

/// The judgement: a place on the co-creation ladder or the institutional logics followed.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase", deny_unknown_fields)]
pub enum ValueIn {
    /// A step 1–5 of the co-creation ladder, or a range `[low, high]` of steps.
    Ladder(LadderIn),
    /// `TB`, `NPM` or `NPG`, or a list of them (each once) when the service follows several.
    Logic(LogicsIn),
}

/// What supports an assessment: a quote (`informant`, `start` and `end`: a span of the
/// informant's interview) or exactly one fact of the facilitation record, by its id
/// (`meeting`, `problem_statement`, `practice`, `action`, `dissemination` or `contact`).
#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EvidenceIn {
    /// Informant whose interview a quote is from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Id>)]
    pub informant: Option<String>,
    /// A quote's start (characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(minimum = 0, maximum = 4294967295_u64)]
    pub start: Option<usize>,
    /// A quote's end (characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(minimum = 0, maximum = 4294967295_u64)]
    pub end: Option<usize>,
    /// A meeting of the record.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Id>)]
    pub meeting: Option<String>,
    /// A problem statement of the record.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Id>)]
    pub problem_statement: Option<String>,
    /// A PD practice of the record.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Id>)]
    pub practice: Option<String>,
    /// A trial action or intervention of the record.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Id>)]
    pub action: Option<String>,
    /// A dissemination event of the record.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Id>)]
    pub dissemination: Option<String>,
    /// A contact of the record.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Id>)]
    pub contact: Option<String>,
}

impl EvidenceIn {
    /// The keys that name a fact, each with its value.
    pub fn facts(&self) -> [(&'static str, Option<&str>); 6] {
        [
            ("meeting", self.meeting.as_deref()),
            ("problem_statement", self.problem_statement.as_deref()),
            ("practice", self.practice.as_deref()),
            ("action", self.action.as_deref()),
            ("dissemination", self.dissemination.as_deref()),
            ("contact", self.contact.as_deref()),
        ]
    }
}

impl From<&f::Evidence> for EvidenceIn {
    fn from(e: &f::Evidence) -> Self {
        let id = |s: &str| Some(s.to_owned());
        match e {
            f::Evidence::Quote { source, start, end } => EvidenceIn {
                informant: id(source.as_str()),
                start: Some(*start),
                end: Some(*end),
                ..Self::default()
            },
            f::Evidence::Fact(fact) => match fact {
                f::Fact::Meeting(m) => EvidenceIn {
                    meeting: id(m.as_str()),
                    ..Self::default()
                },
                f::Fact::Statement(s) => EvidenceIn {
                    problem_statement: id(s.as_str()),
                    ..Self::default()
                },
                f::Fact::Practice(p) => EvidenceIn {
                    practice: id(p.as_str()),
                    ..Self::default()
                },
                f::Fact::Action(a) => EvidenceIn {
                    action: id(a.as_str()),
                    ..Self::default()
                },
                f::Fact::Dissemination(d) => EvidenceIn {
                    dissemination: id(d.as_str()),
                    ..Self::default()
                },
                f::Fact::Contact(c) => EvidenceIn {
                    contact: id(c.as_str()),
                    ..Self::default()
                },
            },
        }
    }
}

/// A new assessment.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssessmentIn {
    /// Id.
    #[schema(value_type = Id)]
    pub id: String,
    /// What is assessed.
    pub subject: SubjectIn,
    /// The judgement.
    pub value: ValueIn,
    /// The actor a group's ladder places, if not the group as a whole: `youth`, or
    /// `service:` and a service as members carry it (`service:nav`). Only with `ladder` and
    /// a group (left out of an answer when none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(pattern = "^(youth|service:.+)$")]
    pub actor: Option<String>,
    /// Who judged (a coder id).
    #[schema(value_type = Id)]
    pub assessor: String,
    /// When.
    #[serde(deserialize_with = "samskap_core::date::iso::deserialize")]
    pub date: NaiveDate,
    /// Why (left out of an answer when none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Supporting quotes and facts, in order.
    #[serde(default)]
    pub evidence: Vec<EvidenceIn>,
}

impl From<&f::Assessment> for AssessmentIn {
    fn from(a: &f::Assessment) -> Self {
        let (value, actor) = match &a.value {
            f::AssessmentValue::Ladder { range, actor } => (
                ValueIn::Ladder(LadderIn::from(*range)),
                actor.as_ref().map(f::Actor::to_string),
            ),
            f::AssessmentValue::Logic(l) => (ValueIn::Logic(LogicsIn::from(*l)), None),
        };
        Self {
            id: a.id.to_string(),
            subject: match &a.subject {
                f::Subject::Group(g) => SubjectIn::Group(Id(g.to_string())),
                f::Subject::Service(s) => SubjectIn::Service(s.clone()),
            },
            value,
            actor,
            assessor: a.assessor.to_string(),
            date: a.date,
            note: a.note.clone(),
            evidence: a.evidence.iter().map(EvidenceIn::from).collect(),
        }
    }
}

/// A group's rules (its institutionalisation), set as a whole; a field left out is unset.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RulesIn {
    /// How often it meets ("monthly").
    #[serde(default)]
    pub frequency: Option<String>,
    /// Where it meets.
    #[serde(default)]
    pub place: Option<String>,
    /// Who leads.
    #[serde(default)]
    pub leader: Option<String>,
    /// How disagreement is handled.
    #[serde(default)]
    pub disagreement: Option<String>,
}

impl From<RulesIn> for f::GroupRules {
    fn from(r: RulesIn) -> Self {
        Self {
            frequency: r.frequency,
            place: r.place,
            leader: r.leader,
            disagreement: r.disagreement,
        }
    }
}

/// A group's rules; a field not set is left out (a group without rules has none).
#[derive(Debug, Serialize, ToSchema)]
pub struct RulesOut {
    /// Group.
    #[schema(value_type = Id)]
    pub group: String,
    /// How often it meets.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub frequency: Option<String>,
    /// Where it meets.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub place: Option<String>,
    /// Who leads.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub leader: Option<String>,
    /// How disagreement is handled.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub disagreement: Option<String>,
}

impl From<(&samskap_core::GroupId, &f::GroupRules)> for RulesOut {
    fn from((group, r): (&samskap_core::GroupId, &f::GroupRules)) -> Self {
        Self {
            group: group.to_string(),
            frequency: r.frequency.clone(),
            place: r.place.clone(),
            leader: r.leader.clone(),
            disagreement: r.disagreement.clone(),
        }
    }
}

/// A new problem statement: a draft, or (with `agreed`) the one the group agreed on. The
/// server makes its id.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatementIn {
    /// The wording.
    pub text: String,
    /// When this wording was drafted.
    #[serde(deserialize_with = "samskap_core::date::iso::deserialize")]
    pub drafted: NaiveDate,
    /// When the group agreed on it (not before `drafted`); a group agrees on one at most.
    #[serde(default)]
    #[serde(deserialize_with = "samskap_core::date::iso_opt::deserialize")]
    pub agreed: Option<NaiveDate>,
    /// Members of the group who took part, each once.
    #[schema(value_type = Vec<Id>)]
    #[serde(default)]
    pub participants: Vec<String>,
}

/// A problem statement.
#[derive(Debug, Serialize, ToSchema)]
pub struct StatementOut {
    /// Id.
    #[schema(value_type = Id)]
    pub id: String,
    /// Group.
    #[schema(value_type = Id)]
    pub group: String,
    /// The wording.
    pub text: String,
    /// When drafted.
    pub drafted: NaiveDate,
    /// When agreed, for the agreed one (left out of a draft).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub agreed: Option<NaiveDate>,
    /// Who took part.
    #[schema(value_type = Vec<Id>)]
    pub participants: Vec<String>,
}

impl From<&f::ProblemStatement> for StatementOut {
    fn from(s: &f::ProblemStatement) -> Self {
        Self {
            id: s.id.to_string(),
            group: s.group.to_string(),
            text: s.text.clone(),
            drafted: s.drafted,
            agreed: s.agreed,
            participants: s.participants.iter().map(ToString::to_string).collect(),
        }
    }
}

/// The project's three phases.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Phase {
    /// 1: define the challenge and gain insight through problem exploration.
    Challenge,
    /// 2: identify and explore positive deviance at individual, group and organisation level.
    Explore,
    /// 3: implement and spread PD through operationalisation and testing.
    Implement,
}

impl Phase {
    /// Every phase, in order (a test checks it against the model's).
    pub const ALL: [Phase; 3] = [Phase::Challenge, Phase::Explore, Phase::Implement];
}

impl From<Phase> for f::Phase {
    fn from(p: Phase) -> Self {
        match p {
            Phase::Challenge => f::Phase::Challenge,
            Phase::Explore => f::Phase::Explore,
            Phase::Implement => f::Phase::Implement,
        }
    }
}

impl From<f::Phase> for Phase {
    fn from(p: f::Phase) -> Self {
        match p {
            f::Phase::Challenge => Phase::Challenge,
            f::Phase::Explore => Phase::Explore,
            f::Phase::Implement => Phase::Implement,
        }
    }
}

/// The six steps of Positive Deviance.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum PdStep {
    /// 1: define the problem.
    DefineProblem,
    /// 2: identify positive deviants.
    IdentifyDeviants,
    /// 3: explore what is good and unusual in their practices.
    ExplorePractices,
    /// 4: develop and implement interventions through co-creation.
    DevelopInterventions,
    /// 5: evaluate them.
    Evaluate,
    /// 6: disseminate.
    Disseminate,
}

impl PdStep {
    /// Every step, in order (a test checks it against the model's).
    pub const ALL: [PdStep; 6] = [
        PdStep::DefineProblem,
        PdStep::IdentifyDeviants,
        PdStep::ExplorePractices,
        PdStep::DevelopInterventions,
        PdStep::Evaluate,
        PdStep::Disseminate,
    ];
}

impl From<PdStep> for f::PdStep {
    fn from(s: PdStep) -> Self {
        match s {
            PdStep::DefineProblem => f::PdStep::DefineProblem,
            PdStep::IdentifyDeviants => f::PdStep::IdentifyDeviants,
            PdStep::ExplorePractices => f::PdStep::ExplorePractices,
            PdStep::DevelopInterventions => f::PdStep::DevelopInterventions,
            PdStep::Evaluate => f::PdStep::Evaluate,
            PdStep::Disseminate => f::PdStep::Disseminate,
        }
    }
}

impl From<f::PdStep> for PdStep {
    fn from(s: f::PdStep) -> Self {
        match s {
            f::PdStep::DefineProblem => PdStep::DefineProblem,
            f::PdStep::IdentifyDeviants => PdStep::IdentifyDeviants,
            f::PdStep::ExplorePractices => PdStep::ExplorePractices,
            f::PdStep::DevelopInterventions => PdStep::DevelopInterventions,
            f::PdStep::Evaluate => PdStep::Evaluate,
            f::PdStep::Disseminate => PdStep::Disseminate,
        }
    }
}

/// A move in the PD process, forward or back, dated no earlier than the group's last move.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MoveIn {
    /// When.
    #[serde(deserialize_with = "samskap_core::date::iso::deserialize")]
    pub date: NaiveDate,
    /// The phase entered.
    pub phase: Phase,
    /// The PD step entered.
    pub step: PdStep,
    /// Why (say why when going back).
    #[serde(default)]
    pub note: Option<String>,
}

/// A recorded move in the PD process.
#[derive(Debug, Serialize, ToSchema)]
pub struct MoveOut {
    /// Group.
    #[schema(value_type = Id)]
    pub group: String,
    /// When.
    pub date: NaiveDate,
    /// The phase entered.
    pub phase: Phase,
    /// The PD step entered.
    pub step: PdStep,
    /// Why (left out when none).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub note: Option<String>,
}

impl From<&f::ProcessMove> for MoveOut {
    fn from(m: &f::ProcessMove) -> Self {
        Self {
            group: m.group.to_string(),
            date: m.date,
            phase: m.phase.into(),
            step: m.step.into(),
            note: m.note.clone(),
        }
    }
}

/// One stay of a group at a phase and step.
#[derive(Debug, Serialize, ToSchema)]
pub struct StayOut {
    /// The phase.
    pub phase: Phase,
    /// The step.
    pub step: PdStep,
    /// When the group entered it.
    pub entered: NaiveDate,
    /// When it left (its next move); null while the group is there.
    #[schema(required = true)]
    pub left: Option<NaiveDate>,
    /// True when this move went back to an earlier phase or step.
    pub back: bool,
}

impl From<f::TimelineEntry> for StayOut {
    fn from(t: f::TimelineEntry) -> Self {
        Self {
            phase: t.phase.into(),
            step: t.step.into(),
            entered: t.entered,
            left: t.left,
            back: t.back,
        }
    }
}

/// Where a positive deviance was observed.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum PracticeLevel {
    /// A person.
    Individual,
    /// A group.
    Group,
    /// An organisation.
    Organisation,
}

impl From<PracticeLevel> for f::PracticeLevel {
    fn from(l: PracticeLevel) -> Self {
        match l {
            PracticeLevel::Individual => f::PracticeLevel::Individual,
            PracticeLevel::Group => f::PracticeLevel::Group,
            PracticeLevel::Organisation => f::PracticeLevel::Organisation,
        }
    }
}

impl From<f::PracticeLevel> for PracticeLevel {
    fn from(l: f::PracticeLevel) -> Self {
        match l {
            f::PracticeLevel::Individual => PracticeLevel::Individual,
            f::PracticeLevel::Group => PracticeLevel::Group,
            f::PracticeLevel::Organisation => PracticeLevel::Organisation,
        }
    }
}

/// A newly observed PD practice; the server makes its id.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PracticeIn {
    /// Its level.
    pub level: PracticeLevel,
    /// What it is.
    pub description: String,
    /// When it was observed.
    #[serde(default)]
    #[serde(deserialize_with = "samskap_core::date::iso_opt::deserialize")]
    pub observed: Option<NaiveDate>,
}

/// An observed PD practice.
#[derive(Debug, Serialize, ToSchema)]
pub struct PracticeOut {
    /// Id.
    #[schema(value_type = Id)]
    pub id: String,
    /// Group.
    #[schema(value_type = Id)]
    pub group: String,
    /// Its level.
    pub level: PracticeLevel,
    /// What it is.
    pub description: String,
    /// When it was observed (left out when not known).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub observed: Option<NaiveDate>,
}

impl From<&f::PdPractice> for PracticeOut {
    fn from(p: &f::PdPractice) -> Self {
        Self {
            id: p.id.to_string(),
            group: p.group.to_string(),
            level: p.level.into(),
            description: p.description.clone(),
            observed: p.observed,
        }
    }
}

/// A new dissemination event (PD step 6); the server makes its id.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DisseminationIn {
    /// When.
    #[serde(deserialize_with = "samskap_core::date::iso::deserialize")]
    pub date: NaiveDate,
    /// To whom.
    pub audience: String,
    /// The action spread, if one: an action of this group.
    #[schema(value_type = Option<Id>)]
    #[serde(default)]
    pub action: Option<String>,
    /// A note.
    #[serde(default)]
    pub note: Option<String>,
}

/// A dissemination event.
#[derive(Debug, Serialize, ToSchema)]
pub struct DisseminationOut {
    /// Id.
    #[schema(value_type = Id)]
    pub id: String,
    /// Group.
    #[schema(value_type = Id)]
    pub group: String,
    /// When.
    pub date: NaiveDate,
    /// To whom.
    pub audience: String,
    /// The action spread (left out when none).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Id>, nullable = false)]
    pub action: Option<String>,
    /// A note (left out when none).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub note: Option<String>,
}

impl From<&f::Dissemination> for DisseminationOut {
    fn from(e: &f::Dissemination) -> Self {
        Self {
            id: e.id.to_string(),
            group: e.group.to_string(),
            date: e.date,
            audience: e.audience.clone(),
            action: e.action.as_ref().map(ToString::to_string),
            note: e.note.clone(),
        }
    }
}

/// Contacts formed, and how many crossed sectors.
#[derive(Debug, Serialize, ToSchema)]
pub struct ContactCountOut {
    /// The group (of the contact's first member) or the month (`2023-02`).
    pub key: String,
    /// Contacts recorded.
    pub contacts: usize,
    /// Those between members of different sectors.
    pub cross_sector: usize,
}

impl From<f::ContactCount> for ContactCountOut {
    fn from(c: f::ContactCount) -> Self {
        Self {
            key: c.key,
            contacts: c.contacts,
            cross_sector: c.cross_sector,
        }
    }
}

/// Query of the attendance analytics.
#[derive(Debug, Deserialize, IntoParams, ToSchema)]
#[into_params(parameter_in = Query)]
pub struct AttendanceQuery {
    /// member, service, sector or month.
    #[param(inline)]
    #[schema(inline)]
    pub by: AttendanceKey,
    /// Only rates below this (0–1): the ones that stay away.
    #[param(minimum = 0, maximum = 1)]
    #[schema(minimum = 0, maximum = 1)]
    pub below: Option<f64>,
}

/// What attendance is grouped by.
#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum AttendanceKey {
    /// Each member.
    Member,
    /// Each service.
    Service,
    /// Each sector.
    Sector,
    /// Each month.
    Month,
}

impl From<AttendanceKey> for f::AttendanceBy {
    fn from(k: AttendanceKey) -> Self {
        match k {
            AttendanceKey::Member => f::AttendanceBy::Member,
            AttendanceKey::Service => f::AttendanceBy::Service,
            AttendanceKey::Sector => f::AttendanceBy::Sector,
            AttendanceKey::Month => f::AttendanceBy::Month,
        }
    }
}

/// Query of the contact analytics.
#[derive(Debug, Deserialize, IntoParams, ToSchema)]
#[into_params(parameter_in = Query)]
pub struct ContactsQuery {
    /// group or month.
    #[param(inline)]
    #[schema(inline)]
    pub by: ContactKey,
}

/// What contacts are counted by.
#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ContactKey {
    /// The group of the contact's first member.
    Group,
    /// The month the contact was recorded.
    Month,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lists_of_phases_and_steps_are_whole() {
        // Each value the model has comes back from the list through the conversions.
        for s in PdStep::ALL {
            let back = PdStep::from(f::PdStep::from(s));
            assert_eq!(
                serde_json::to_value(back).unwrap(),
                serde_json::to_value(s).unwrap()
            );
        }
        let steps: std::collections::BTreeSet<String> = PdStep::ALL
            .iter()
            .map(|s| serde_json::to_value(s).unwrap().to_string())
            .collect();
        assert_eq!(steps.len(), PdStep::ALL.len());
        // Every phase has a step, and every step's phase is listed.
        for s in PdStep::ALL {
            let phase = Phase::from(f::PdStep::from(s).phase());
            assert!(Phase::ALL
                .iter()
                .any(|p| serde_json::to_value(p).unwrap() == serde_json::to_value(phase).unwrap()));
        }
    }

    #[test]
    fn source_kinds_are_written_as_the_model_writes_them() {
        for k in samskap_core::SourceKind::ALL {
            assert_eq!(
                serde_json::to_value(SourceKindOut::from(k)).unwrap(),
                k.as_str()
            );
        }
    }
}

/// Query of the journal of edits.
#[derive(Debug, Deserialize, IntoParams, ToSchema)]
#[into_params(parameter_in = Query)]
pub struct HistoryQuery {
    /// How many entries, from the newest: 1 to 1000 (default 50).
    #[param(minimum = 1, maximum = 1000)]
    #[schema(minimum = 1, maximum = 1000)]
    pub limit: Option<u32>,
}

/// How a change came in.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ViaOut {
    /// The command line.
    Cli,
    /// This API.
    Api,
}

/// An entry of the journal of edits: who changed what, when. The summary names ids, spans
/// and counts, never a text.
#[derive(Debug, Serialize, ToSchema)]
pub struct HistoryEntryOut {
    /// Its number; later entries have higher numbers.
    pub id: i64,
    /// The study changed; null for a change to the store as a whole (a framework, a token,
    /// a restore).
    #[schema(value_type = Option<Id>, required = true)]
    pub study: Option<String>,
    /// When, in UTC (RFC 3339).
    pub at: String,
    /// Who: a token's name for a change made over this API, the user for one made on the
    /// command line.
    pub who: String,
    /// How it came in.
    pub via: ViaOut,
    /// What kind of change: `coding.add`, `memo.edit`, `informant.withdraw`,
    /// `facilitation`, `undo`, ….
    pub kind: String,
    /// What it did, in one line.
    pub summary: String,
    /// Whether `samskap undo` can revert it, unless a later edit depends on it.
    pub undoable: bool,
    /// The entry that undid it; null if none.
    #[schema(required = true)]
    pub undone_by: Option<i64>,
    /// The entry this one undid, for an undo; null otherwise.
    #[schema(required = true)]
    pub undoes: Option<i64>,
}

impl From<samskap_store::JournalEntry> for HistoryEntryOut {
    fn from(e: samskap_store::JournalEntry) -> Self {
        Self {
            id: e.id,
            study: e.study.map(|s| s.to_string()),
            at: e.at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
            who: e.who,
            via: match e.via {
                samskap_store::Via::Cli => ViaOut::Cli,
                samskap_store::Via::Api => ViaOut::Api,
            },
            kind: e.kind.to_string(),
            summary: e.summary,
            undoable: e.undoable,
            undone_by: e.undone_by,
            undoes: e.undoes,
        }
    }
}

/// A coding to add: a code given to the words of a source between two character offsets,
/// as a Taguette highlight is.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CodingIn {
    /// The source whose words are coded.
    #[schema(value_type = Id)]
    pub source: String,
    /// Where the coded words start: a character offset (Unicode scalar values of the
    /// source's text, not bytes and not UTF-16 units), from 0.
    #[schema(minimum = 0, maximum = 4294967295_u64)]
    pub start: usize,
    /// One past the last coded character; more than `start`.
    #[schema(minimum = 1, maximum = 4294967295_u64)]
    pub end: usize,
    /// The words the client showed at the span, if it read the source: when given, they
    /// must be the words there now (409 otherwise: the text changed since, or the offsets
    /// are not where the words are).
    #[serde(default)]
    pub text: Option<String>,
    /// The code, by its path in the study's framework (`collaboration/time`).
    #[schema(value_type = String, example = "collaboration/time")]
    pub code: String,
    /// The values of the qualifiers the framework declares for the code, each required one
    /// included: `{"polarity": "barrier"}`, or as text, `polarity=barrier;level=group`.
    /// Left out: none.
    #[serde(default)]
    pub qualifiers: Option<crate::openapi::QualifiersIn>,
    /// Who coded: the coder the agreement measures compare. Required: a token may be
    /// shared, and a coder taken from its name would split one coder in two.
    #[schema(value_type = Id)]
    pub coder: String,
    /// A note on the coding.
    #[serde(default)]
    pub memo: Option<String>,
}

/// A coding as stored, with its words.
#[derive(Debug, Serialize, ToSchema)]
pub struct CodingOut {
    /// The source.
    #[schema(value_type = Id)]
    pub source: String,
    /// Where the unit starts (characters).
    pub start: usize,
    /// Where it ends.
    pub end: usize,
    /// The coded words.
    pub text: String,
    /// The framework of the code.
    #[schema(value_type = Id)]
    pub framework: String,
    /// The code's path.
    pub code: String,
    /// Its qualifier values, by qualifier.
    pub qualifiers: std::collections::BTreeMap<String, String>,
    /// Who coded.
    #[schema(value_type = Id)]
    pub coder: String,
    /// The note on it; left out when none.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub memo: Option<String>,
    /// The version of the codebook it was made under.
    pub version: u32,
}

impl From<samskap_store::StoredCoding> for CodingOut {
    fn from(c: samskap_store::StoredCoding) -> Self {
        Self {
            source: c.source.to_string(),
            start: c.start,
            end: c.end,
            text: c.text,
            framework: c.framework.to_string(),
            code: c.code.to_string(),
            qualifiers: c
                .qualifiers
                .iter()
                .map(|(q, v)| (q.to_string(), v.to_string()))
                .collect(),
            coder: c.coder.to_string(),
            memo: c.memo,
            version: c.version,
        }
    }
}

/// The coding to remove, named as it was added: the unit by its source and offsets (and,
/// optionally, its words), the code, the qualifier values as text
/// (`polarity=barrier;level=group`, URL-encoded) and the coder.
#[derive(Debug, Deserialize, IntoParams, ToSchema)]
#[into_params(parameter_in = Query)]
pub struct CodingQuery {
    /// The source.
    #[param(value_type = Id)]
    #[schema(value_type = Id)]
    pub source: String,
    /// Where the unit starts (characters).
    #[param(minimum = 0, maximum = 4294967295_u64)]
    #[schema(minimum = 0, maximum = 4294967295_u64)]
    pub start: usize,
    /// Where it ends.
    #[param(minimum = 1, maximum = 4294967295_u64)]
    #[schema(minimum = 1, maximum = 4294967295_u64)]
    pub end: usize,
    /// The words the client showed there, if it read them (409 when they are not there).
    pub text: Option<String>,
    /// The code's path.
    pub code: String,
    /// The qualifier values, as text; left out for none.
    pub qualifiers: Option<String>,
    /// The coder.
    #[param(value_type = Id)]
    #[schema(value_type = Id)]
    pub coder: String,
}
