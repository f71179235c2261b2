//! Facilitation: what happens in the groups while a project runs. Meetings and attendance,
//! the group's rules, problem statements, the Positive Deviance process, PD practices, trial
//! actions and interventions with their lifecycle, dissemination, new contacts between
//! members, and assessments with their evidence. The rules (lifecycles, dates, who may
//! appear where) live here, so every front end enforces the same ones.

mod analytics;
mod assessment;
mod record;

pub use analytics::{
    attendance_by_month, attendance_rates, composition, contacts_across_services,
    contacts_by_group, contacts_by_month, ladder_summary, pd_timeline, services_staying_away,
    AttendanceBy, Composition, ContactCount, LadderSummary, MonthlyAttendance, Placement, Rate,
    ServiceContacts, Tally, TimelineEntry, NO_SERVICE,
};
pub use assessment::{
    Actor, ActorError, Assessment, AssessmentValue, Evidence, Fact, InstitutionalLogic,
    LadderError, LadderRange, Logics, LogicsError, Subject,
};
pub use record::{
    check_date, ActionKind, ActionState, Attendance, Contact, Dissemination, Facilitation,
    FacilitationError, GroupRules, Meeting, MeetingKind, PdPractice, PdStep, Phase, PracticeLevel,
    Presence, ProblemStatement, ProcessMove, Roster, Transition, TrialAction, REMOVED_TEXT,
};
