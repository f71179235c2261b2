//! Facilitation: what happens in the groups while a project runs. Meetings and attendance,
//! the group's rules, problem statements, the Positive Deviance process, PD practices, trial
//! actions and interventions with their lifecycle, dissemination, new contacts between
//! members, and assessments with their evidence. The rules (lifecycles, dates, who may
//! appear where) live here, so every front end enforces the same ones.

mod analytics;
mod record;

pub use analytics::{
    attendance_by_month, attendance_rates, composition, contacts_by_group, contacts_by_month,
    pd_timeline, services_staying_away, AttendanceBy, Composition, ContactCount, MonthlyAttendance,
    Rate, Tally, TimelineEntry,
};
pub use record::{
    check_date, ActionKind, ActionState, Assessment, AssessmentValue, Attendance, Contact,
    Dissemination, Evidence, Facilitation, FacilitationError, GroupRules, InstitutionalLogic,
    Meeting, MeetingKind, PdPractice, PdStep, Phase, PracticeLevel, Presence, ProblemStatement,
    ProcessMove, Roster, Subject, Transition, TrialAction, REMOVED_TEXT,
};
