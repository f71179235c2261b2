//! What travels over HTTP. These types are the API's contract (and its OpenAPI schemas); they
//! convert to and from the core model, which keeps its own rules.

use chrono::NaiveDate;
use samskap_core::facilitation as f;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A study.
#[derive(Debug, Serialize, ToSchema)]
pub struct StudyOut {
    /// Id.
    pub id: String,
    /// Title.
    pub title: String,
    /// The framework it codes against.
    pub framework: String,
}

/// A resource group.
#[derive(Debug, Serialize, ToSchema)]
pub struct GroupOut {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Municipalities served.
    pub municipalities: Vec<String>,
    /// Whether the study looked at it closely.
    pub studied: bool,
}

/// A member of a group.
#[derive(Debug, Serialize, ToSchema)]
pub struct MemberOut {
    /// Id.
    pub id: String,
    /// Group.
    pub group: String,
    /// public, private, voluntary or citizen.
    pub sector: String,
    /// Service, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service: Option<String>,
    /// A young member.
    pub youth: bool,
    /// A young member who is a positive deviant.
    pub pd_youth: bool,
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

/// A new meeting.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MeetingIn {
    /// Id (letters, digits, `_ - .`).
    pub id: String,
    /// Kind.
    pub kind: MeetingKind,
    /// Date, `YYYY-MM-DD`.
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
    pub id: String,
    /// Group.
    pub group: String,
    /// Kind.
    pub kind: MeetingKind,
    /// Date.
    pub date: NaiveDate,
    /// Note.
    #[serde(skip_serializing_if = "Option::is_none")]
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

/// A new trial action, planned on `date`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActionIn {
    /// Id.
    pub id: String,
    /// Kind.
    pub kind: ActionKind,
    /// What is tried.
    pub title: String,
    /// When it was planned.
    pub date: NaiveDate,
    /// A note.
    #[serde(default)]
    pub note: Option<String>,
}

/// A move to the next state.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TransitionIn {
    /// The state entered: the next one (planned → tried → evaluated → adopted | dropped).
    pub state: ActionState,
    /// When.
    pub date: NaiveDate,
    /// Evaluation notes and the like.
    #[serde(default)]
    pub note: Option<String>,
}

/// An action with its history.
#[derive(Debug, Serialize, ToSchema)]
pub struct ActionOut {
    /// Id.
    pub id: String,
    /// Group.
    pub group: String,
    /// Kind.
    pub kind: ActionKind,
    /// Title.
    pub title: String,
    /// State now.
    pub state: ActionState,
    /// The lifecycle so far.
    pub history: Vec<TransitionIn>,
}

impl From<&f::TrialAction> for ActionOut {
    fn from(a: &f::TrialAction) -> Self {
        Self {
            id: a.id.to_string(),
            group: a.group.to_string(),
            kind: match a.kind {
                f::ActionKind::TrialAction => ActionKind::TrialAction,
                f::ActionKind::Intervention => ActionKind::Intervention,
            },
            title: a.title.clone(),
            state: a.state().into(),
            history: a
                .history
                .iter()
                .map(|t| TransitionIn {
                    state: t.state.into(),
                    date: t.date,
                    note: t.note.clone(),
                })
                .collect(),
        }
    }
}

/// A new contact between two members.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContactIn {
    /// Id.
    pub id: String,
    /// One member.
    pub a: String,
    /// The other.
    pub b: String,
    /// When.
    pub date: NaiveDate,
    /// A note.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
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

/// Who sits in a group.
#[derive(Debug, Serialize, ToSchema)]
pub struct CompositionOut {
    /// Group.
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
    pub blau: Option<f64>,
}

/// Members of one sector.
#[derive(Debug, Serialize, ToSchema)]
pub struct SectorCount {
    /// Sector.
    pub sector: String,
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
    Group(String),
    /// A service (`nav`, `child-welfare`, ...).
    Service(String),
}

/// Institutional logic.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
pub enum Logic {
    /// Traditional bureaucracy.
    #[serde(rename = "TB")]
    Tb,
    /// New Public Management.
    #[serde(rename = "NPM")]
    Npm,
    /// New Public Governance.
    #[serde(rename = "NPG")]
    Npg,
}

/// The judgement: a co-creation ladder step (1–5) or an institutional logic.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase", deny_unknown_fields)]
pub enum ValueIn {
    /// Step 1–5 of the co-creation ladder.
    Ladder(u8),
    /// TB, NPM or NPG.
    Logic(Logic),
}

/// A meaning unit cited as evidence.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EvidenceIn {
    /// Informant whose transcript it is.
    pub informant: String,
    /// Start (characters).
    pub start: usize,
    /// End (characters).
    pub end: usize,
}

/// A new assessment.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssessmentIn {
    /// Id.
    pub id: String,
    /// What is assessed.
    pub subject: SubjectIn,
    /// The judgement.
    pub value: ValueIn,
    /// Who judged (a coder id).
    pub assessor: String,
    /// When.
    pub date: NaiveDate,
    /// Why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Supporting meaning units.
    #[serde(default)]
    pub evidence: Vec<EvidenceIn>,
}
