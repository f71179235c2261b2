//! The facilitation record of a study and the rules it keeps.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::assessment::{Actor, Assessment, AssessmentValue, Evidence, Fact, Subject};
use crate::free_text::{FreeText, TextSlot};
use crate::ids::{
    ActionId, ContactId, EventId, GroupId, MeetingId, MemberId, PracticeId, SourceId, StatementId,
};
use crate::model::{Member, ResourceGroup};
use crate::text::Transcript;

use crate::NaiveDate;

/// What stands in place of a required text of the record (a problem statement, a practice's
/// description, an action's title) that quoted an informant who withdrew.
pub const REMOVED_TEXT: &str = "(removed: it quoted an informant who withdrew)";

/// Why the facilitation record refused a change.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum FacilitationError {
    /// Two things of one kind with one id.
    #[error("duplicate {kind} id `{id}`")]
    Duplicate {
        /// Which kind.
        kind: &'static str,
        /// The id.
        id: String,
    },
    /// A reference to something the record or the study does not have.
    #[error("unknown {kind} `{id}`")]
    Unknown {
        /// Which kind.
        kind: &'static str,
        /// The id.
        id: String,
    },
    /// A member recorded for a meeting of another group.
    #[error("member `{member}` is not in group `{group}`")]
    NotInGroup {
        /// The member.
        member: MemberId,
        /// The group.
        group: GroupId,
    },
    /// Attendance naming a member twice.
    #[error("member `{0}` appears twice in the attendance")]
    TwiceInAttendance(MemberId),
    /// A lifecycle move that skips a state or goes backwards.
    #[error("{id}: cannot go from {from} to {to}; the next state is {allowed}")]
    Lifecycle {
        /// The action.
        id: ActionId,
        /// Its state now.
        from: ActionState,
        /// The state asked for.
        to: ActionState,
        /// What may come next.
        allowed: String,
    },
    /// A dated step before the one it follows.
    #[error("{what} on {date} is dated before the previous one ({previous})")]
    OutOfOrder {
        /// What was dated.
        what: String,
        /// Its date.
        date: NaiveDate,
        /// The date it must not precede.
        previous: NaiveDate,
    },
    /// A contact of a member with themself.
    #[error("a contact needs two different members")]
    SameMember,
    /// An actor placed on the ladder of something other than a group.
    #[error("only a group's ladder places an actor; this assessment is of service `{0}`")]
    ActorOutsideGroup(String),
    /// An actor that is a service no member of the study carries.
    #[error("{}", unknown_service(service, known))]
    UnknownService {
        /// The service named.
        service: String,
        /// The services members carry, sorted.
        known: Vec<String>,
    },
    /// Evidence citing a fact the record does not hold.
    #[error("evidence cites {0}, which the record does not hold")]
    MissingFact(Fact),
    /// A second agreed problem statement for a group.
    #[error("group `{group}` already agreed on problem statement `{agreed}`")]
    AlreadyAgreed {
        /// The group.
        group: GroupId,
        /// The statement agreed before.
        agreed: StatementId,
    },
    /// A PD step recorded under a project phase it is not part of.
    #[error("PD step `{}` belongs to phase `{}`, not `{}`", step.label(), step.phase().label(), phase.label())]
    StepOutsidePhase {
        /// The step.
        step: PdStep,
        /// The phase given with it.
        phase: Phase,
    },
    /// A second record of a working relation already recorded.
    #[error("`{a}` and `{b}` already have a contact (`{existing}`)")]
    ContactExists {
        /// One member.
        a: MemberId,
        /// The other.
        b: MemberId,
        /// The contact recorded before.
        existing: ContactId,
    },
    /// A date outside the years 1–9999: dates are stored and compared as `YYYY-MM-DD` text.
    #[error("date {0} is outside the years 1–9999")]
    DateOutOfRange(NaiveDate),
    /// Evidence that does not point into a transcript.
    #[error("evidence {source_id} {start}..{end} is not a span of a source's text")]
    BadEvidence {
        /// The source cited.
        source_id: SourceId,
        /// Start.
        start: usize,
        /// End.
        end: usize,
    },
    /// A record that would leave a source's minutes without their meeting.
    #[error(
        "source `{source_id}` is the minutes of meeting `{meeting}`, which the record does not hold"
    )]
    MinutesWithoutMeeting {
        /// The source.
        source_id: crate::SourceId,
        /// The meeting it names.
        meeting: MeetingId,
    },
}

/// Names the services there are, so that a typo can be seen for one.
fn unknown_service(service: &str, known: &[String]) -> String {
    let service = crate::shorten(service);
    if known.is_empty() {
        return format!(
            "no member carries the service `{service}`: no member of the study has a service"
        );
    }
    // A national programme may have hundreds: enough to spot a typo, then the count.
    const SHOWN: usize = 12;
    let mut names: Vec<String> = known
        .iter()
        .take(SHOWN)
        .map(|k| format!("`{}`", crate::shorten(k)))
        .collect();
    if known.len() > SHOWN {
        names.push(format!("… ({} in all)", known.len()));
    }
    format!(
        "no member carries the service `{service}` (members' services: {})",
        names.join(", ")
    )
}

fn unknown(kind: &'static str, id: impl ToString) -> FacilitationError {
    FacilitationError::Unknown {
        kind,
        id: id.to_string(),
    }
}

fn duplicate(kind: &'static str, id: impl ToString) -> FacilitationError {
    FacilitationError::Duplicate {
        kind,
        id: id.to_string(),
    }
}

/// The kind of meeting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MeetingKind {
    /// An information meeting (often before the groups start).
    Information,
    /// A resource-group meeting.
    Group,
    /// A workshop.
    Workshop,
}

/// A meeting of a group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Meeting {
    /// Stable id.
    pub id: MeetingId,
    /// The group that met.
    pub group: GroupId,
    /// What kind of meeting.
    pub kind: MeetingKind,
    /// When.
    #[serde(with = "crate::date::iso")]
    pub date: NaiveDate,
    /// A note.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// Whether a member came.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Presence {
    /// Came.
    Present,
    /// Did not come.
    Absent,
    /// Did not come, with notice.
    Excused,
}

/// One member's attendance at one meeting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Attendance {
    /// The member.
    pub member: MemberId,
    /// Came or not.
    pub presence: Presence,
}

/// How a group works: its institutionalisation.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GroupRules {
    /// How often it meets ("monthly").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub frequency: Option<String>,
    /// Where it meets.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub place: Option<String>,
    /// Who leads.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub leader: Option<String>,
    /// How disagreement is handled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disagreement: Option<String>,
}

/// A problem statement (problemstilling): a draft, or the one the group agreed on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProblemStatement {
    /// Stable id.
    pub id: StatementId,
    /// The group.
    pub group: GroupId,
    /// The wording.
    pub text: String,
    /// When this wording was drafted.
    #[serde(with = "crate::date::iso")]
    pub drafted: NaiveDate,
    /// When the group agreed on it, if it did.
    #[serde(
        default,
        with = "crate::date::iso_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub agreed: Option<NaiveDate>,
    /// Who took part in agreeing.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub participants: Vec<MemberId>,
}

/// The project's three phases.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Phase {
    /// 1: define the challenge and gain insight through problem exploration.
    Challenge,
    /// 2: identify and explore positive deviance at individual, group and organisation level.
    Explore,
    /// 3: implement and spread PD through operationalisation and testing.
    Implement,
}

/// The six steps of Positive Deviance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
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

impl Phase {
    /// The phases in order.
    pub const ALL: [Phase; 3] = [Phase::Challenge, Phase::Explore, Phase::Implement];

    /// "1 challenge", "2 explore", "3 implement".
    pub fn label(self) -> &'static str {
        match self {
            Phase::Challenge => "1 challenge",
            Phase::Explore => "2 explore",
            Phase::Implement => "3 implement",
        }
    }
}

impl PdStep {
    /// The steps in order.
    pub const ALL: [PdStep; 6] = [
        PdStep::DefineProblem,
        PdStep::IdentifyDeviants,
        PdStep::ExplorePractices,
        PdStep::DevelopInterventions,
        PdStep::Evaluate,
        PdStep::Disseminate,
    ];

    /// The project phase this step is part of: the phases and the steps are two views of one
    /// process, so step 1 is phase 1, steps 2–3 are phase 2 and steps 4–6 phase 3.
    pub fn phase(self) -> Phase {
        match self {
            PdStep::DefineProblem => Phase::Challenge,
            PdStep::IdentifyDeviants | PdStep::ExplorePractices => Phase::Explore,
            PdStep::DevelopInterventions | PdStep::Evaluate | PdStep::Disseminate => {
                Phase::Implement
            }
        }
    }

    /// "1 define the problem" … "6 disseminate".
    pub fn label(self) -> &'static str {
        match self {
            PdStep::DefineProblem => "1 define the problem",
            PdStep::IdentifyDeviants => "2 identify positive deviants",
            PdStep::ExplorePractices => "3 explore their practices",
            PdStep::DevelopInterventions => "4 develop interventions",
            PdStep::Evaluate => "5 evaluate",
            PdStep::Disseminate => "6 disseminate",
        }
    }
}

/// A move of a group in the PD process: forward or back, always recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProcessMove {
    /// The group.
    pub group: GroupId,
    /// When.
    #[serde(with = "crate::date::iso")]
    pub date: NaiveDate,
    /// The project phase entered.
    pub phase: Phase,
    /// The PD step entered.
    pub step: PdStep,
    /// Why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// Where a positive deviance was observed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PracticeLevel {
    /// A person.
    Individual,
    /// A group.
    Group,
    /// An organisation.
    Organisation,
}

/// An observed positive deviance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PdPractice {
    /// Stable id.
    pub id: PracticeId,
    /// The group that found it.
    pub group: GroupId,
    /// Its level.
    pub level: PracticeLevel,
    /// What it is.
    pub description: String,
    /// When it was observed.
    #[serde(
        default,
        with = "crate::date::iso_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub observed: Option<NaiveDate>,
}

/// A trial action (prøvehandling) or an intervention.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ActionKind {
    /// A small trial.
    TrialAction,
    /// An intervention.
    Intervention,
}

/// The lifecycle: planned → tried → evaluated → adopted or dropped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ActionState {
    /// Planned.
    Planned,
    /// Tried out.
    Tried,
    /// Evaluated (PD step 5).
    Evaluated,
    /// Taken into practice.
    Adopted,
    /// Given up.
    Dropped,
}

impl ActionState {
    /// The states that may follow this one.
    pub fn next(self) -> &'static [ActionState] {
        match self {
            ActionState::Planned => &[ActionState::Tried],
            ActionState::Tried => &[ActionState::Evaluated],
            ActionState::Evaluated => &[ActionState::Adopted, ActionState::Dropped],
            ActionState::Adopted | ActionState::Dropped => &[],
        }
    }

    /// The lowercase name.
    pub fn as_str(self) -> &'static str {
        match self {
            ActionState::Planned => "planned",
            ActionState::Tried => "tried",
            ActionState::Evaluated => "evaluated",
            ActionState::Adopted => "adopted",
            ActionState::Dropped => "dropped",
        }
    }
}

impl std::fmt::Display for ActionState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One step of an action's lifecycle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Transition {
    /// The state entered.
    pub state: ActionState,
    /// When.
    #[serde(with = "crate::date::iso")]
    pub date: NaiveDate,
    /// Evaluation notes and the like.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// A trial action or intervention with its history. The history starts with `planned` and
/// every later step is a state that may follow the one before, on the same day or later.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrialAction {
    /// Stable id.
    pub id: ActionId,
    /// The group.
    pub group: GroupId,
    /// Trial action or intervention.
    pub kind: ActionKind,
    /// What is tried.
    pub title: String,
    /// The lifecycle so far.
    pub history: Vec<Transition>,
}

impl TrialAction {
    /// The state now.
    pub fn state(&self) -> ActionState {
        self.history
            .last()
            .map_or(ActionState::Planned, |t| t.state)
    }
}

/// A dissemination event (PD step 6).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Dissemination {
    /// Stable id.
    pub id: EventId,
    /// The group.
    pub group: GroupId,
    /// When.
    #[serde(with = "crate::date::iso")]
    pub date: NaiveDate,
    /// To whom.
    pub audience: String,
    /// The action spread, if one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<ActionId>,
    /// A note.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// A new working relation between two members ("who now calls whom").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Contact {
    /// Stable id.
    pub id: ContactId,
    /// One member.
    pub a: MemberId,
    /// The other.
    pub b: MemberId,
    /// When it was first recorded.
    #[serde(with = "crate::date::iso")]
    pub date: NaiveDate,
    /// A note.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// Everything facilitators record about a study's groups, checked against the study.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Facilitation {
    meetings: Vec<(Meeting, Vec<Attendance>)>,
    /// Where each meeting sits in `meetings`, for lookups by id that stay cheap with
    /// thousands of meetings. Derived from `meetings`, so equality is unaffected.
    #[serde(skip)]
    meeting_index: HashMap<MeetingId, usize>,
    rules: Vec<(GroupId, GroupRules)>,
    statements: Vec<ProblemStatement>,
    moves: Vec<ProcessMove>,
    practices: Vec<PdPractice>,
    actions: Vec<TrialAction>,
    events: Vec<Dissemination>,
    contacts: Vec<Contact>,
    assessments: Vec<Assessment>,
}

/// What the facilitation record is checked against: the study's groups, members and
/// transcripts. A view, so that a `Study` can hand out its parts while it owns the record.
#[derive(Debug, Clone, Copy)]
pub struct Roster<'a> {
    /// The study's groups.
    pub groups: &'a [ResourceGroup],
    /// Their members.
    pub members: &'a [Member],
    /// The transcripts (for evidence).
    pub transcripts: &'a [Transcript],
    /// Members by id: only a `Study` makes a roster, and keeps this index.
    pub(crate) member_index: &'a foldhash::HashMap<MemberId, usize>,
}

impl<'a> Roster<'a> {
    /// The member with this id.
    pub fn member(&self, id: &MemberId) -> Option<&'a Member> {
        self.member_index.get(id).map(|&i| &self.members[i])
    }
}

/// Dates of the record have four-digit years, so that as text they sort as dates. The
/// front ends check with this too, to name the field that carried a date.
pub fn check_date(d: NaiveDate) -> Result<(), FacilitationError> {
    if crate::date::is_writable(d) {
        Ok(())
    } else {
        Err(FacilitationError::DateOutOfRange(d))
    }
}

fn group(study: &Roster<'_>, g: &GroupId) -> Result<(), FacilitationError> {
    if study.groups.iter().any(|x| &x.id == g) {
        Ok(())
    } else {
        Err(unknown("group", g))
    }
}

fn member<'s>(study: &Roster<'s>, m: &MemberId) -> Result<&'s Member, FacilitationError> {
    study.member(m).ok_or_else(|| unknown("member", m))
}

impl Facilitation {
    /// An empty record.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a meeting of a known group.
    pub fn add_meeting(&mut self, study: &Roster<'_>, m: Meeting) -> Result<(), FacilitationError> {
        group(study, &m.group)?;
        check_date(m.date)?;
        if self.meeting(&m.id).is_some() {
            return Err(duplicate("meeting", &m.id));
        }
        self.meeting_index.insert(m.id.clone(), self.meetings.len());
        self.meetings.push((m, Vec::new()));
        Ok(())
    }

    /// Sets the attendance of a whole meeting at once; members must be in its group.
    pub fn set_attendance(
        &mut self,
        study: &Roster<'_>,
        meeting: &MeetingId,
        attendance: Vec<Attendance>,
    ) -> Result<(), FacilitationError> {
        let pos = *self
            .meeting_index
            .get(meeting)
            .ok_or_else(|| unknown("meeting", meeting))?;
        let g = self.meetings[pos].0.group.clone();
        for (i, a) in attendance.iter().enumerate() {
            let m = member(study, &a.member)?;
            if m.group != g {
                return Err(FacilitationError::NotInGroup {
                    member: a.member.clone(),
                    group: g,
                });
            }
            if attendance[..i].iter().any(|b| b.member == a.member) {
                return Err(FacilitationError::TwiceInAttendance(a.member.clone()));
            }
        }
        self.meetings[pos].1 = attendance;
        Ok(())
    }

    /// Sets a group's rules.
    pub fn set_rules(
        &mut self,
        study: &Roster<'_>,
        g: GroupId,
        rules: GroupRules,
    ) -> Result<(), FacilitationError> {
        group(study, &g)?;
        match self.rules.iter_mut().find(|(x, _)| x == &g) {
            Some((_, r)) => *r = rules,
            None => self.rules.push((g, rules)),
        }
        Ok(())
    }

    /// Adds a problem statement; a group agrees on one at most.
    pub fn add_statement(
        &mut self,
        study: &Roster<'_>,
        s: ProblemStatement,
    ) -> Result<(), FacilitationError> {
        group(study, &s.group)?;
        check_date(s.drafted)?;
        s.agreed.map(check_date).transpose()?;
        if self.statements.iter().any(|x| x.id == s.id) {
            return Err(duplicate("problem statement", &s.id));
        }
        for p in &s.participants {
            member(study, p)?;
        }
        if let Some(agreed) = s.agreed {
            if agreed < s.drafted {
                return Err(FacilitationError::OutOfOrder {
                    what: format!("agreement on {}", s.id),
                    date: agreed,
                    previous: s.drafted,
                });
            }
            if let Some(other) = self
                .statements
                .iter()
                .find(|x| x.group == s.group && x.agreed.is_some())
            {
                return Err(FacilitationError::AlreadyAgreed {
                    group: s.group,
                    agreed: other.id.clone(),
                });
            }
        }
        self.statements.push(s);
        Ok(())
    }

    /// Records that the group agreed on a draft, on `date` (not before it was drafted); a
    /// group agrees on one statement at most.
    pub fn agree_statement(
        &mut self,
        id: &StatementId,
        date: NaiveDate,
    ) -> Result<(), FacilitationError> {
        let pos = self
            .statements
            .iter()
            .position(|x| &x.id == id)
            .ok_or_else(|| unknown("problem statement", id))?;
        check_date(date)?;
        let group = self.statements[pos].group.clone();
        if let Some(other) = self
            .statements
            .iter()
            .find(|x| x.group == group && x.agreed.is_some())
        {
            return Err(FacilitationError::AlreadyAgreed {
                group,
                agreed: other.id.clone(),
            });
        }
        let s = &mut self.statements[pos];
        if date < s.drafted {
            return Err(FacilitationError::OutOfOrder {
                what: format!("agreement on {id}"),
                date,
                previous: s.drafted,
            });
        }
        s.agreed = Some(date);
        Ok(())
    }

    /// Records a move in the PD process (forward or back), dated no earlier than the
    /// group's previous move.
    pub fn add_move(
        &mut self,
        study: &Roster<'_>,
        m: ProcessMove,
    ) -> Result<(), FacilitationError> {
        group(study, &m.group)?;
        check_date(m.date)?;
        if m.step.phase() != m.phase {
            return Err(FacilitationError::StepOutsidePhase {
                step: m.step,
                phase: m.phase,
            });
        }
        if let Some(prev) = self.moves.iter().rev().find(|x| x.group == m.group) {
            if m.date < prev.date {
                return Err(FacilitationError::OutOfOrder {
                    what: format!("process move of {}", m.group),
                    date: m.date,
                    previous: prev.date,
                });
            }
        }
        self.moves.push(m);
        Ok(())
    }

    /// Adds an observed PD practice.
    pub fn add_practice(
        &mut self,
        study: &Roster<'_>,
        p: PdPractice,
    ) -> Result<(), FacilitationError> {
        group(study, &p.group)?;
        p.observed.map(check_date).transpose()?;
        if self.practices.iter().any(|x| x.id == p.id) {
            return Err(duplicate("practice", &p.id));
        }
        self.practices.push(p);
        Ok(())
    }

    /// Adds a trial action or intervention; its history must be a valid lifecycle.
    pub fn add_action(
        &mut self,
        study: &Roster<'_>,
        a: TrialAction,
    ) -> Result<(), FacilitationError> {
        group(study, &a.group)?;
        if self.action(&a.id).is_some() {
            return Err(duplicate("action", &a.id));
        }
        let mut checked = TrialAction {
            history: Vec::new(),
            ..a.clone()
        };
        let mut steps = a.history.into_iter();
        match steps.next() {
            Some(t) if t.state == ActionState::Planned => {
                check_date(t.date)?;
                checked.history.push(t)
            }
            Some(t) => {
                return Err(FacilitationError::Lifecycle {
                    id: checked.id,
                    from: ActionState::Planned,
                    to: t.state,
                    allowed: "planned first".into(),
                })
            }
            None => {
                return Err(FacilitationError::Lifecycle {
                    id: checked.id,
                    from: ActionState::Planned,
                    to: ActionState::Planned,
                    allowed: "a history that starts with planned".into(),
                })
            }
        }
        for t in steps {
            advance(&mut checked, t)?;
        }
        self.actions.push(checked);
        Ok(())
    }

    /// Moves an action to its next state; a move that skips a state is refused.
    pub fn advance_action(
        &mut self,
        id: &ActionId,
        t: Transition,
    ) -> Result<(), FacilitationError> {
        let a = self
            .actions
            .iter_mut()
            .find(|a| &a.id == id)
            .ok_or_else(|| unknown("action", id))?;
        advance(a, t)
    }

    /// Adds a dissemination event.
    pub fn add_event(
        &mut self,
        study: &Roster<'_>,
        e: Dissemination,
    ) -> Result<(), FacilitationError> {
        group(study, &e.group)?;
        check_date(e.date)?;
        if self.events.iter().any(|x| x.id == e.id) {
            return Err(duplicate("dissemination event", &e.id));
        }
        if let Some(a) = &e.action {
            self.action(a).ok_or_else(|| unknown("action", a))?;
        }
        self.events.push(e);
        Ok(())
    }

    /// Adds a contact between two different members.
    pub fn add_contact(&mut self, study: &Roster<'_>, c: Contact) -> Result<(), FacilitationError> {
        member(study, &c.a)?;
        member(study, &c.b)?;
        check_date(c.date)?;
        if c.a == c.b {
            return Err(FacilitationError::SameMember);
        }
        if self.contacts.iter().any(|x| x.id == c.id) {
            return Err(duplicate("contact", &c.id));
        }
        // A contact is a relation formed once, whichever member is named first.
        if let Some(x) = self
            .contacts
            .iter()
            .find(|x| (x.a == c.a && x.b == c.b) || (x.a == c.b && x.b == c.a))
        {
            return Err(FacilitationError::ContactExists {
                a: c.a,
                b: c.b,
                existing: x.id.clone(),
            });
        }
        self.contacts.push(c);
        Ok(())
    }

    /// Adds an assessment. An actor is placed only on a group's ladder, and a service actor
    /// is a service some member of the study carries; quotes must be spans of the sources'
    /// texts and facts must be in the record.
    pub fn add_assessment(
        &mut self,
        study: &Roster<'_>,
        a: Assessment,
    ) -> Result<(), FacilitationError> {
        if let Subject::Group(g) = &a.subject {
            group(study, g)?;
        }
        check_date(a.date)?;
        if let AssessmentValue::Ladder {
            actor: Some(actor), ..
        } = &a.value
        {
            if let Subject::Service(s) = &a.subject {
                return Err(FacilitationError::ActorOutsideGroup(s.clone()));
            }
            if let Actor::Service(s) = actor {
                if !study.members.iter().any(|m| m.service.as_ref() == Some(s)) {
                    let mut known: Vec<String> = study
                        .members
                        .iter()
                        .filter_map(|m| m.service.clone())
                        .collect();
                    known.sort();
                    known.dedup();
                    return Err(FacilitationError::UnknownService {
                        service: s.clone(),
                        known,
                    });
                }
            }
        }
        for e in &a.evidence {
            match e {
                Evidence::Quote { source, start, end } => {
                    let ok = study
                        .transcripts
                        .iter()
                        .find(|t| t.source() == source)
                        .is_some_and(|t| t.span(*start, *end).is_ok());
                    if !ok {
                        return Err(FacilitationError::BadEvidence {
                            source_id: source.clone(),
                            start: *start,
                            end: *end,
                        });
                    }
                }
                Evidence::Fact(f) => {
                    if !self.holds(f) {
                        return Err(FacilitationError::MissingFact(f.clone()));
                    }
                }
            }
        }
        if self.assessments.iter().any(|x| x.id == a.id) {
            return Err(duplicate("assessment", &a.id));
        }
        self.assessments.push(a);
        Ok(())
    }

    /// True when the record holds the fact.
    pub fn holds(&self, fact: &Fact) -> bool {
        match fact {
            Fact::Meeting(id) => self.meeting(id).is_some(),
            Fact::Statement(id) => self.statements.iter().any(|x| &x.id == id),
            Fact::Practice(id) => self.practices.iter().any(|x| &x.id == id),
            Fact::Action(id) => self.action(id).is_some(),
            Fact::Dissemination(id) => self.events.iter().any(|x| &x.id == id),
            Fact::Contact(id) => self.contacts.iter().any(|x| &x.id == id),
        }
    }

    /// The same record built again through every check, against `study`'s roster: for
    /// keeping a record when the study around it is replaced.
    pub fn rechecked(&self, study: &Roster<'_>) -> Result<Facilitation, FacilitationError> {
        let mut f = Facilitation::new();
        for (m, attendance) in &self.meetings {
            f.add_meeting(study, m.clone())?;
            f.set_attendance(study, &m.id, attendance.clone())?;
        }
        for (g, r) in &self.rules {
            f.set_rules(study, g.clone(), r.clone())?;
        }
        for s in &self.statements {
            f.add_statement(study, s.clone())?;
        }
        for m in &self.moves {
            f.add_move(study, m.clone())?;
        }
        for p in &self.practices {
            f.add_practice(study, p.clone())?;
        }
        for a in &self.actions {
            f.add_action(study, a.clone())?;
        }
        for e in &self.events {
            f.add_event(study, e.clone())?;
        }
        for c in &self.contacts {
            f.add_contact(study, c.clone())?;
        }
        for a in &self.assessments {
            f.add_assessment(study, a.clone())?;
        }
        Ok(f)
    }

    /// How much the record holds, by kind: "52 meetings, 11 contacts, ...".
    pub fn summary(&self) -> String {
        let attendance: usize = self.meetings.iter().map(|(_, a)| a.len()).sum();
        format!(
            "{} meetings with {attendance} attendance entries, {} rules, {} problem statements, \
             {} PD moves, {} practices, {} actions, {} dissemination events, {} contacts, \
             {} assessments",
            self.meetings.len(),
            self.rules.len(),
            self.statements.len(),
            self.moves.len(),
            self.practices.len(),
            self.actions.len(),
            self.events.len(),
            self.contacts.len(),
            self.assessments.len()
        )
    }

    /// The texts of `field` in the record, in place, for withdrawal; none for a field that is
    /// not the record's.
    pub(crate) fn texts_mut(&mut self, field: FreeText) -> Vec<TextSlot<'_>> {
        use TextSlot::{Optional, Required};
        match field {
            FreeText::MeetingNote => self
                .meetings
                .iter_mut()
                .map(|(m, _)| Optional(&mut m.note))
                .collect(),
            FreeText::RulesFrequency => self
                .rules
                .iter_mut()
                .map(|(_, r)| Optional(&mut r.frequency))
                .collect(),
            FreeText::RulesPlace => self
                .rules
                .iter_mut()
                .map(|(_, r)| Optional(&mut r.place))
                .collect(),
            FreeText::RulesLeader => self
                .rules
                .iter_mut()
                .map(|(_, r)| Optional(&mut r.leader))
                .collect(),
            FreeText::RulesDisagreement => self
                .rules
                .iter_mut()
                .map(|(_, r)| Optional(&mut r.disagreement))
                .collect(),
            FreeText::StatementText => self
                .statements
                .iter_mut()
                .map(|s| Required(&mut s.text))
                .collect(),
            FreeText::MoveNote => self
                .moves
                .iter_mut()
                .map(|m| Optional(&mut m.note))
                .collect(),
            FreeText::PracticeDescription => self
                .practices
                .iter_mut()
                .map(|p| Required(&mut p.description))
                .collect(),
            FreeText::ActionTitle => self
                .actions
                .iter_mut()
                .map(|a| Required(&mut a.title))
                .collect(),
            FreeText::TransitionNote => self
                .actions
                .iter_mut()
                .flat_map(|a| a.history.iter_mut())
                .map(|t| Optional(&mut t.note))
                .collect(),
            FreeText::EventAudience => self
                .events
                .iter_mut()
                .map(|e| Required(&mut e.audience))
                .collect(),
            FreeText::EventNote => self
                .events
                .iter_mut()
                .map(|e| Optional(&mut e.note))
                .collect(),
            FreeText::ContactNote => self
                .contacts
                .iter_mut()
                .map(|c| Optional(&mut c.note))
                .collect(),
            FreeText::AssessmentNote => self
                .assessments
                .iter_mut()
                .map(|a| Optional(&mut a.note))
                .collect(),
            FreeText::AssessmentService => self
                .assessments
                .iter_mut()
                .flat_map(|a| {
                    let subject = match &mut a.subject {
                        Subject::Service(s) => Some(Required(s)),
                        Subject::Group(_) => None,
                    };
                    let actor = match &mut a.value {
                        AssessmentValue::Ladder {
                            actor: Some(Actor::Service(s)),
                            ..
                        } => Some(Required(s)),
                        _ => None,
                    };
                    subject.into_iter().chain(actor)
                })
                .collect(),
            _ => Vec::new(),
        }
    }

    /// Moves each quote cited as evidence to where `moved` says its span is now, and drops
    /// those it gives `None` (on withdrawal: their words went); returns how many links went.
    /// Facts of the record stay: withdrawal keeps the record's items, clearing only texts.
    pub fn move_evidence(
        &mut self,
        moved: impl Fn(&SourceId, crate::Span) -> Option<crate::Span>,
    ) -> usize {
        let mut n = 0;
        for a in &mut self.assessments {
            let before = a.evidence.len();
            a.evidence.retain_mut(|e| {
                let Evidence::Quote { source, start, end } = e else {
                    return true;
                };
                let Ok(span) = crate::Span::new(*start, *end, usize::MAX) else {
                    return false;
                };
                match moved(source, span) {
                    Some(to) => {
                        (*start, *end) = (to.start(), to.end());
                        true
                    }
                    None => false,
                }
            });
            n += before - a.evidence.len();
        }
        n
    }

    /// A meeting with its attendance.
    pub fn meeting(&self, id: &MeetingId) -> Option<&(Meeting, Vec<Attendance>)> {
        self.meeting_index.get(id).map(|&i| &self.meetings[i])
    }
    /// Meetings with their attendance, in the order added.
    pub fn meetings(&self) -> &[(Meeting, Vec<Attendance>)] {
        &self.meetings
    }
    /// Each group's rules.
    pub fn rules(&self) -> &[(GroupId, GroupRules)] {
        &self.rules
    }
    /// Problem statements.
    pub fn statements(&self) -> &[ProblemStatement] {
        &self.statements
    }
    /// PD process moves, in the order recorded.
    pub fn moves(&self) -> &[ProcessMove] {
        &self.moves
    }
    /// Observed practices.
    pub fn practices(&self) -> &[PdPractice] {
        &self.practices
    }
    /// An action by id.
    pub fn action(&self, id: &ActionId) -> Option<&TrialAction> {
        self.actions.iter().find(|a| &a.id == id)
    }
    /// Trial actions and interventions.
    pub fn actions(&self) -> &[TrialAction] {
        &self.actions
    }
    /// Dissemination events.
    pub fn events(&self) -> &[Dissemination] {
        &self.events
    }
    /// Contacts.
    pub fn contacts(&self) -> &[Contact] {
        &self.contacts
    }
    /// Assessments.
    pub fn assessments(&self) -> &[Assessment] {
        &self.assessments
    }
}

fn advance(a: &mut TrialAction, t: Transition) -> Result<(), FacilitationError> {
    check_date(t.date)?;
    let from = a.state();
    if !from.next().contains(&t.state) {
        let allowed = match from.next() {
            [] => format!("none: {from} is final"),
            next => next
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(" or "),
        };
        return Err(FacilitationError::Lifecycle {
            id: a.id.clone(),
            from,
            to: t.state,
            allowed,
        });
    }
    if let Some(prev) = a.history.last() {
        if t.date < prev.date {
            return Err(FacilitationError::OutOfOrder {
                what: format!("{} of {}", t.state, a.id),
                date: t.date,
                previous: prev.date,
            });
        }
    }
    a.history.push(t);
    Ok(())
}
