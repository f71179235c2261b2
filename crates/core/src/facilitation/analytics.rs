//! What facilitators and researchers ask of the record: attendance rates, the services that
//! stay away, group composition with Blau's diversity index, contacts formed across sectors
//! and between services, each group's path through the PD process, and a group's placements
//! on the co-creation ladder.

use std::collections::BTreeMap;

use serde::Serialize;

use super::assessment::{Actor, Assessment, AssessmentValue, LadderRange, Subject};
use super::record::{Facilitation, PdStep, Phase, Presence};
use crate::ids::GroupId;
use crate::model::{Member, Sector};
use crate::study::Study;
use crate::NaiveDate;

/// What attendance is grouped by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum AttendanceBy {
    /// Each member.
    Member,
    /// Each service (members without one count as [`NO_SERVICE`]).
    Service,
    /// Each sector.
    Sector,
    /// Each calendar month (`2023-02`).
    Month,
}

/// An attendance rate.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rate {
    /// The member, service, sector or month.
    pub key: String,
    /// Meetings attended.
    pub present: usize,
    /// Meetings with attendance recorded (present, absent or excused).
    pub recorded: usize,
    /// `present / recorded`.
    pub rate: f64,
}

/// What members without a service count under, wherever counts go by service: they are
/// summed under this one key, never shown apart.
pub const NO_SERVICE: &str = "-";

fn member<'s>(study: &'s Study, id: &crate::MemberId) -> Option<&'s Member> {
    study.roster().member(id)
}

/// What one attendance counts under when grouped `by`.
fn attendance_key(by: AttendanceBy, m: &Member, date: NaiveDate) -> String {
    match by {
        AttendanceBy::Member => m.id.to_string(),
        AttendanceBy::Service => service_of(m).to_owned(),
        AttendanceBy::Sector => m.sector.as_str().to_owned(),
        AttendanceBy::Month => month(date),
    }
}

fn service_of(m: &Member) -> &str {
    m.service.as_deref().unwrap_or(NO_SERVICE)
}

fn month(date: NaiveDate) -> String {
    date.format("%Y-%m").to_string()
}

/// Attendance rates by member, service, sector or month, over the meetings of `group` (or
/// all groups), in the order keys first appear.
pub fn attendance_rates(
    study: &Study,
    record: &Facilitation,
    by: AttendanceBy,
    group: Option<&GroupId>,
) -> Vec<Rate> {
    let mut order: Vec<String> = Vec::new();
    let mut counts: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    for (meeting, attendance) in record.meetings() {
        if group.is_some_and(|g| g != &meeting.group) {
            continue;
        }
        for a in attendance {
            let Some(m) = member(study, &a.member) else {
                continue;
            };
            let key = attendance_key(by, m, meeting.date);
            if !counts.contains_key(&key) {
                order.push(key.clone());
            }
            let c = counts.entry(key).or_default();
            c.0 += usize::from(a.presence == Presence::Present);
            c.1 += 1;
        }
    }
    if by == AttendanceBy::Month {
        order.sort();
    }
    order
        .into_iter()
        .map(|key| {
            let (present, recorded) = counts[&key];
            Rate {
                key,
                present,
                recorded,
                rate: present as f64 / recorded as f64,
            }
        })
        .collect()
}

/// Meetings attended out of those with attendance recorded.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Tally {
    /// Meetings attended.
    pub present: usize,
    /// Meetings with attendance recorded (present, absent or excused).
    pub recorded: usize,
}

impl Tally {
    /// `present / recorded`; `None` when nothing was recorded, so no rate is made up.
    pub fn rate(self) -> Option<f64> {
        (self.recorded > 0).then(|| self.present as f64 / self.recorded as f64)
    }
}

/// Attendance in a table of keys (services, sectors, …) by calendar month.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MonthlyAttendance {
    /// The rows, in the order [`attendance_rates`] lists the same keys.
    pub keys: Vec<String>,
    /// The months with any attendance recorded (`2023-02`), in calendar order.
    pub months: Vec<String>,
    /// One row per key, one cell per month: `None` where that key had no attendance
    /// recorded that month, which is not the same as attending none of it.
    pub cells: Vec<Vec<Option<Tally>>>,
}

/// Attendance by `by` (service or sector; by member only for the facilitators' own view)
/// and calendar month, over the meetings of `group` (or all groups): each cell sums the
/// attendances of every member under its key at that month's meetings.
pub fn attendance_by_month(
    study: &Study,
    record: &Facilitation,
    by: AttendanceBy,
    group: Option<&GroupId>,
) -> MonthlyAttendance {
    // Keys in the order they first appear; tallies by (key, month) as positions in them.
    let mut keys: Vec<String> = Vec::new();
    let mut key_at: BTreeMap<String, usize> = BTreeMap::new();
    let mut month_at: BTreeMap<String, usize> = BTreeMap::new();
    let mut tallies: BTreeMap<(usize, usize), Tally> = BTreeMap::new();
    for (meeting, attendance) in record.meetings() {
        if group.is_some_and(|g| g != &meeting.group) {
            continue;
        }
        // A month is a column once something is recorded in it.
        let mut at = None;
        for a in attendance {
            let Some(m) = member(study, &a.member) else {
                continue;
            };
            let key = attendance_key(by, m, meeting.date);
            let k = match key_at.get(&key) {
                Some(&k) => k,
                None => {
                    key_at.insert(key.clone(), keys.len());
                    keys.push(key);
                    keys.len() - 1
                }
            };
            let mo = *at.get_or_insert_with(|| {
                let next = month_at.len();
                *month_at.entry(month(meeting.date)).or_insert(next)
            });
            let t = tallies.entry((k, mo)).or_default();
            t.present += usize::from(a.presence == Presence::Present);
            t.recorded += 1;
        }
    }
    if by == AttendanceBy::Month {
        keys.sort();
    }
    let cells = keys
        .iter()
        .map(|key| {
            month_at
                .values()
                .map(|&mo| tallies.get(&(key_at[key], mo)).copied())
                .collect()
        })
        .collect();
    MonthlyAttendance {
        keys,
        // The map's order is the calendar's: `2023-02` sorts before `2023-10`.
        months: month_at.into_keys().collect(),
        cells,
    }
}

/// The services whose attendance rate is below `threshold` (0–1): the ones that stay away.
pub fn services_staying_away(
    study: &Study,
    record: &Facilitation,
    threshold: f64,
    group: Option<&GroupId>,
) -> Vec<Rate> {
    attendance_rates(study, record, AttendanceBy::Service, group)
        .into_iter()
        .filter(|r| r.rate < threshold)
        .collect()
}

/// Who sits in a group.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Composition {
    /// The group.
    pub group: GroupId,
    /// Members.
    pub members: usize,
    /// Members per sector, in sector order (sectors with none left out).
    pub sectors: Vec<(Sector, usize)>,
    /// Young members.
    pub youth: usize,
    /// Young members who are positive deviants.
    pub pd_youth: usize,
    /// Blau's index over sectors, `1 - Σ p²`: 0 when everyone shares one sector, up to
    /// 0.75 with the four sectors equally present. `None` for a group without members.
    pub blau: Option<f64>,
}

/// The composition of every group, in study order.
pub fn composition(study: &Study) -> Vec<Composition> {
    study
        .groups()
        .iter()
        .map(|g| {
            let members: Vec<&Member> =
                study.members().iter().filter(|m| m.group == g.id).collect();
            let n = members.len();
            let sectors: Vec<(Sector, usize)> = Sector::ALL
                .into_iter()
                .map(|s| (s, members.iter().filter(|m| m.sector == s).count()))
                .filter(|(_, c)| *c > 0)
                .collect();
            let blau = (n > 0).then(|| {
                1.0 - sectors
                    .iter()
                    .map(|(_, c)| (*c as f64 / n as f64).powi(2))
                    .sum::<f64>()
            });
            Composition {
                group: g.id.clone(),
                members: n,
                youth: members.iter().filter(|m| m.youth).count(),
                pd_youth: members.iter().filter(|m| m.pd_youth).count(),
                sectors,
                blau,
            }
        })
        .collect()
}

/// Contacts formed, and how many crossed sectors.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ContactCount {
    /// The group (of the first member) or the month.
    pub key: String,
    /// Contacts recorded.
    pub contacts: usize,
    /// Those between members of different sectors: the weak ties across the silos.
    pub cross_sector: usize,
}

fn contact_counts(
    study: &Study,
    record: &Facilitation,
    key: impl Fn(&Member, NaiveDate) -> String,
) -> Vec<ContactCount> {
    let mut out: BTreeMap<String, ContactCount> = BTreeMap::new();
    for c in record.contacts() {
        let (Some(a), Some(b)) = (member(study, &c.a), member(study, &c.b)) else {
            continue;
        };
        let k = key(a, c.date);
        let e = out.entry(k.clone()).or_insert(ContactCount {
            key: k,
            contacts: 0,
            cross_sector: 0,
        });
        e.contacts += 1;
        e.cross_sector += usize::from(a.sector != b.sector);
    }
    out.into_values().collect()
}

/// Contacts per group (the first member's group).
pub fn contacts_by_group(study: &Study, record: &Facilitation) -> Vec<ContactCount> {
    contact_counts(study, record, |a, _| a.group.to_string())
}

/// Contacts per calendar month.
pub fn contacts_by_month(study: &Study, record: &Facilitation) -> Vec<ContactCount> {
    contact_counts(study, record, |_, d| d.format("%Y-%m").to_string())
}

/// Contacts between the members of two services (or within one), whoever they are.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ServiceContacts {
    /// One service; [`NO_SERVICE`] for members without one. Never after `b`.
    pub a: String,
    /// The other (the same as `a` for contacts within a service).
    pub b: String,
    /// Contacts recorded between members of the two.
    pub contacts: usize,
}

/// Contacts counted per unordered pair of services, the pairs sorted: silos lie between
/// services as much as between sectors (NAV and child welfare are both public). A pair with
/// `a == b` counts contacts within one service, except [`NO_SERVICE`] with itself, which
/// counts contacts between members whose services are not known to differ. Only counts are
/// given, never who.
pub fn contacts_across_services(study: &Study, record: &Facilitation) -> Vec<ServiceContacts> {
    let mut out: BTreeMap<(&str, &str), usize> = BTreeMap::new();
    for c in record.contacts() {
        let (Some(a), Some(b)) = (member(study, &c.a), member(study, &c.b)) else {
            continue;
        };
        let (a, b) = (service_of(a), service_of(b));
        *out.entry((a.min(b), a.max(b))).or_default() += 1;
    }
    out.into_iter()
        .map(|((a, b), contacts)| ServiceContacts {
            a: a.to_owned(),
            b: b.to_owned(),
            contacts,
        })
        .collect()
}

/// Where assessments placed something on the ladder: the span of their steps, and the
/// assessments themselves (each with its evidence) in the order of the record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Placement<'r> {
    /// From the lowest step any of them gave to the highest.
    pub range: LadderRange,
    /// The assessments, oldest recorded first.
    pub assessments: Vec<&'r Assessment>,
}

impl<'r> Placement<'r> {
    fn new(range: LadderRange, a: &'r Assessment) -> Self {
        Placement {
            range,
            assessments: vec![a],
        }
    }

    fn widen(&mut self, range: LadderRange, a: &'r Assessment) {
        self.range = self.range.span(range);
        self.assessments.push(a);
    }
}

/// A group's ladder assessments summed up: "G1: between 3 and 5; youth at 3; NAV 4".
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LadderSummary<'r> {
    /// The group as a whole: its assessments that place no actor. `None` when none does.
    pub overall: Option<Placement<'r>>,
    /// Each actor placed, in the order first assessed.
    pub actors: Vec<(Actor, Placement<'r>)>,
}

impl LadderSummary<'_> {
    /// True when the group has no ladder assessment.
    pub fn is_empty(&self) -> bool {
        self.overall.is_none() && self.actors.is_empty()
    }
}

/// The ladder assessments of `group`, summed up as a whole and per actor. Assessments made
/// at different times are spanned, not averaged: a group placed at 3 and later at 5 is
/// shown as 3–5, and the assessments (with their dates) say which came when.
pub fn ladder_summary<'r>(record: &'r Facilitation, group: &GroupId) -> LadderSummary<'r> {
    let mut overall: Option<Placement<'r>> = None;
    let mut actors: Vec<(Actor, Placement<'r>)> = Vec::new();
    for a in record.assessments() {
        let (Subject::Group(g), AssessmentValue::Ladder { range, actor }) = (&a.subject, &a.value)
        else {
            continue;
        };
        if g != group {
            continue;
        }
        match (actor, &mut overall) {
            (None, Some(p)) => p.widen(*range, a),
            (None, None) => overall = Some(Placement::new(*range, a)),
            (Some(actor), _) => match actors.iter_mut().find(|(x, _)| x == actor) {
                Some((_, p)) => p.widen(*range, a),
                None => actors.push((actor.clone(), Placement::new(*range, a))),
            },
        }
    }
    LadderSummary { overall, actors }
}

/// One stay of a group at a phase and step of the PD process.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TimelineEntry {
    /// The phase.
    pub phase: Phase,
    /// The step.
    pub step: PdStep,
    /// When the group entered it.
    pub entered: NaiveDate,
    /// When it left (the next move), if it has.
    pub left: Option<NaiveDate>,
    /// True when this move went back to an earlier step.
    pub back: bool,
}

/// A group's path through the PD process, move by move.
pub fn pd_timeline(record: &Facilitation, group: &GroupId) -> Vec<TimelineEntry> {
    let moves: Vec<_> = record
        .moves()
        .iter()
        .filter(|m| &m.group == group)
        .collect();
    moves
        .iter()
        .enumerate()
        .map(|(i, m)| TimelineEntry {
            phase: m.phase,
            step: m.step,
            entered: m.date,
            left: moves.get(i + 1).map(|n| n.date),
            back: i > 0 && (m.phase, m.step) < (moves[i - 1].phase, moves[i - 1].step),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::assessment::*;
    use super::super::record::*;
    use super::*;
    use crate::testing::{id, study};
    use crate::{Member, Sector};

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn setup() -> (Study, Facilitation) {
        let mut s = study();
        for (m, g, sector, service, youth) in [
            ("P1", "G1", Sector::Public, Some("nav"), false),
            ("P2", "G1", Sector::Public, Some("child-welfare"), false),
            ("P3", "G1", Sector::Voluntary, None, false),
            ("P4", "G1", Sector::Citizen, None, true),
            ("Q1", "G2", Sector::Public, Some("school"), false),
        ] {
            s.add_member(Member {
                attributes: Default::default(),
                id: id(m),
                group: id(g),
                sector,
                service: service.map(str::to_owned),
                youth,
                pd_youth: false,
            })
            .unwrap();
        }
        let mut f = Facilitation::new();
        for (mid, date) in [("m1", "2023-02-01"), ("m2", "2023-03-01")] {
            f.add_meeting(
                &s.roster(),
                Meeting {
                    id: id(mid),
                    group: id("G1"),
                    kind: MeetingKind::Group,
                    date: d(date),
                    note: None,
                },
            )
            .unwrap();
        }
        let att = |p: [Presence; 4]| {
            ["P1", "P2", "P3", "P4"]
                .iter()
                .zip(p)
                .map(|(m, presence)| Attendance {
                    member: id(m),
                    presence,
                })
                .collect::<Vec<_>>()
        };
        use Presence::*;
        f.set_attendance(
            &s.roster(),
            &id("m1"),
            att([Present, Absent, Present, Present]),
        )
        .unwrap();
        f.set_attendance(
            &s.roster(),
            &id("m2"),
            att([Present, Excused, Absent, Present]),
        )
        .unwrap();
        (s, f)
    }

    #[test]
    fn attendance_by_service_and_month_and_who_stays_away() {
        let (s, f) = setup();
        let by_service = attendance_rates(&s, &f, AttendanceBy::Service, None);
        let cw = by_service
            .iter()
            .find(|r| r.key == "child-welfare")
            .unwrap();
        assert_eq!((cw.present, cw.recorded), (0, 2));
        let away = services_staying_away(&s, &f, 0.5, None);
        assert_eq!(away.len(), 1);
        assert_eq!(away[0].key, "child-welfare");
        let by_month = attendance_rates(&s, &f, AttendanceBy::Month, None);
        assert_eq!(by_month[0].key, "2023-02");
        assert!((by_month[0].rate - 0.75).abs() < 1e-12);
        assert!((by_month[1].rate - 0.5).abs() < 1e-12);
    }

    #[test]
    fn attendance_by_service_and_month_adds_up_to_the_rates_and_keeps_gaps_apart_from_zeros() {
        let (s, mut f) = setup();
        // A third meeting, in April, records only P1 (nav).
        f.add_meeting(
            &s.roster(),
            Meeting {
                id: id("m3"),
                group: id("G1"),
                kind: MeetingKind::Group,
                date: d("2023-04-05"),
                note: None,
            },
        )
        .unwrap();
        f.set_attendance(
            &s.roster(),
            &id("m3"),
            vec![Attendance {
                member: id("P1"),
                presence: Presence::Present,
            }],
        )
        .unwrap();
        let grid = attendance_by_month(&s, &f, AttendanceBy::Service, None);
        let rates = attendance_rates(&s, &f, AttendanceBy::Service, None);
        assert_eq!(
            grid.keys,
            rates.iter().map(|r| r.key.clone()).collect::<Vec<_>>()
        );
        assert_eq!(grid.months, ["2023-02", "2023-03", "2023-04"]);
        let row = |k: &str| &grid.cells[grid.keys.iter().position(|x| x == k).unwrap()];
        let t = |present, recorded| Some(Tally { present, recorded });
        assert_eq!(row("nav"), &[t(1, 1), t(1, 1), t(1, 1)]);
        // Absent in February and excused in March: recorded and not attended, a rate of
        // zero; nothing recorded in April, no rate at all.
        assert_eq!(row("child-welfare"), &[t(0, 1), t(0, 1), None]);
        assert_eq!(row("child-welfare")[0].unwrap().rate(), Some(0.0));
        // The two members without a service are summed, never shown apart.
        assert_eq!(row("-"), &[t(2, 2), t(1, 2), None]);
        for (k, r) in grid.keys.iter().zip(&rates) {
            let sum = row(k)
                .iter()
                .flatten()
                .fold(Tally::default(), |a, b| Tally {
                    present: a.present + b.present,
                    recorded: a.recorded + b.recorded,
                });
            assert_eq!((sum.present, sum.recorded), (r.present, r.recorded), "{k}");
        }
        assert_eq!(Tally::default().rate(), None);
        let other = attendance_by_month(&s, &f, AttendanceBy::Sector, Some(&id("G2")));
        assert!(other.keys.is_empty() && other.months.is_empty() && other.cells.is_empty());
    }

    #[test]
    fn attendance_needs_members_of_the_meetings_group() {
        let (s, mut f) = setup();
        let e = f
            .set_attendance(
                &s.roster(),
                &id("m1"),
                vec![Attendance {
                    member: id("Q1"),
                    presence: Presence::Present,
                }],
            )
            .unwrap_err();
        assert!(matches!(e, FacilitationError::NotInGroup { .. }));
    }

    #[test]
    fn composition_and_blau() {
        let (s, _) = setup();
        let c = composition(&s);
        let g1 = &c[0];
        assert_eq!(g1.members, 4);
        assert_eq!(g1.youth, 1);
        // public 2/4, voluntary 1/4, citizen 1/4: 1 - (0.25 + 0.0625 + 0.0625)
        assert!((g1.blau.unwrap() - 0.625).abs() < 1e-12);
        let g2 = &c[1];
        assert_eq!(g2.blau, Some(0.0));
    }

    #[test]
    fn lifecycle_refuses_skips_and_finals() {
        let (s, mut f) = setup();
        let t = |state, date: &str| Transition {
            state,
            date: d(date),
            note: None,
        };
        f.add_action(
            &s.roster(),
            TrialAction {
                id: id("a1"),
                group: id("G1"),
                kind: ActionKind::TrialAction,
                title: "Felles samtykkeskjema".into(),
                history: vec![t(ActionState::Planned, "2023-03-01")],
            },
        )
        .unwrap();
        let skip = f
            .advance_action(&id("a1"), t(ActionState::Evaluated, "2023-04-01"))
            .unwrap_err();
        assert_eq!(
            skip.to_string(),
            "a1: cannot go from planned to evaluated; the next state is tried"
        );
        f.advance_action(&id("a1"), t(ActionState::Tried, "2023-04-01"))
            .unwrap();
        let early = f
            .advance_action(&id("a1"), t(ActionState::Evaluated, "2023-03-15"))
            .unwrap_err();
        assert!(matches!(early, FacilitationError::OutOfOrder { .. }));
        f.advance_action(&id("a1"), t(ActionState::Evaluated, "2023-05-01"))
            .unwrap();
        f.advance_action(&id("a1"), t(ActionState::Dropped, "2023-05-02"))
            .unwrap();
        let done = f
            .advance_action(&id("a1"), t(ActionState::Adopted, "2023-06-01"))
            .unwrap_err();
        assert!(done.to_string().contains("dropped is final"), "{done}");
        assert_eq!(f.action(&id("a1")).unwrap().state(), ActionState::Dropped);
    }

    #[test]
    fn pd_timeline_records_moves_back() {
        let (s, mut f) = setup();
        for (date, phase, step) in [
            ("2023-02-01", Phase::Challenge, PdStep::DefineProblem),
            ("2023-04-01", Phase::Explore, PdStep::IdentifyDeviants),
            ("2023-05-01", Phase::Challenge, PdStep::DefineProblem),
        ] {
            f.add_move(
                &s.roster(),
                ProcessMove {
                    group: id("G1"),
                    date: d(date),
                    phase,
                    step,
                    note: None,
                },
            )
            .unwrap();
        }
        let t = pd_timeline(&f, &id("G1"));
        assert_eq!(t.len(), 3);
        assert_eq!(t[0].left, Some(d("2023-04-01")));
        assert!(t[2].back);
        assert_eq!(t[2].left, None);
        let late = f
            .add_move(
                &s.roster(),
                ProcessMove {
                    group: id("G1"),
                    date: d("2023-01-01"),
                    phase: Phase::Explore,
                    step: PdStep::IdentifyDeviants,
                    note: None,
                },
            )
            .unwrap_err();
        assert!(matches!(late, FacilitationError::OutOfOrder { .. }));
        // Phase and step are two views of one process: they must agree.
        let mismatch = f
            .add_move(
                &s.roster(),
                ProcessMove {
                    group: id("G1"),
                    date: d("2023-06-01"),
                    phase: Phase::Explore,
                    step: PdStep::Evaluate,
                    note: None,
                },
            )
            .unwrap_err();
        assert_eq!(
            mismatch.to_string(),
            "PD step `5 evaluate` belongs to phase `3 implement`, not `2 explore`"
        );
        assert_eq!(pd_timeline(&f, &id("G1")).len(), 3);
        // Dates are kept as text, so their years have four digits.
        let far = f
            .add_move(
                &s.roster(),
                ProcessMove {
                    group: id("G1"),
                    date: NaiveDate::from_ymd_opt(10000, 1, 1).unwrap(),
                    phase: Phase::Challenge,
                    step: PdStep::DefineProblem,
                    note: None,
                },
            )
            .unwrap_err();
        assert!(matches!(far, FacilitationError::DateOutOfRange(_)), "{far}");
    }

    #[test]
    fn a_draft_is_agreed_later_and_only_one_per_group() {
        let (s, mut f) = setup();
        let draft = |sid: &str, drafted: &str| ProblemStatement {
            id: id(sid),
            group: id("G1"),
            text: format!("utkast {sid}"),
            drafted: d(drafted),
            agreed: None,
            participants: vec![id("P1")],
        };
        f.add_statement(&s.roster(), draft("s1", "2023-02-01"))
            .unwrap();
        f.add_statement(&s.roster(), draft("s2", "2023-03-01"))
            .unwrap();
        // Not before it was drafted.
        let early = f.agree_statement(&id("s2"), d("2023-02-15")).unwrap_err();
        assert!(
            matches!(early, FacilitationError::OutOfOrder { .. }),
            "{early}"
        );
        f.agree_statement(&id("s2"), d("2023-05-01")).unwrap();
        assert_eq!(f.statements()[1].agreed, Some(d("2023-05-01")));
        // A second agreement in the group, even on the same statement, is refused.
        for other in ["s1", "s2"] {
            let again = f.agree_statement(&id(other), d("2023-06-01")).unwrap_err();
            assert_eq!(
                again,
                FacilitationError::AlreadyAgreed {
                    group: id("G1"),
                    agreed: id("s2"),
                }
            );
        }
        assert_eq!(f.statements()[0].agreed, None);
        let unknown = f.agree_statement(&id("s9"), d("2023-06-01")).unwrap_err();
        assert!(matches!(unknown, FacilitationError::Unknown { .. }));
    }

    #[test]
    fn every_step_has_the_phase_that_contains_it() {
        let phases: Vec<Phase> = PdStep::ALL.map(PdStep::phase).to_vec();
        use Phase::*;
        assert_eq!(
            phases,
            [Challenge, Explore, Explore, Implement, Implement, Implement]
        );
        // The lists are in order, each step and phase once, numbered as their labels say.
        for (k, s) in PdStep::ALL.iter().enumerate() {
            assert!(s.label().starts_with(&format!("{} ", k + 1)), "{s:?}");
        }
        for (k, p) in Phase::ALL.iter().enumerate() {
            assert!(p.label().starts_with(&format!("{} ", k + 1)), "{p:?}");
        }
    }

    fn contact(f: &mut Facilitation, s: &Study, cid: &str, a: &str, b: &str) {
        f.add_contact(
            &s.roster(),
            Contact {
                id: id(cid),
                a: id(a),
                b: id(b),
                date: d("2023-03-01"),
                note: None,
            },
        )
        .unwrap();
    }

    #[test]
    fn contacts_are_counted_per_pair_of_services_and_never_by_person() {
        let (s, mut f) = setup();
        // P1 nav, P2 child-welfare, P3 and P4 no service, Q1 school.
        contact(&mut f, &s, "c1", "P2", "P1");
        contact(&mut f, &s, "c2", "P1", "Q1");
        contact(&mut f, &s, "c3", "P3", "P4");
        contact(&mut f, &s, "c4", "P1", "P3");
        contact(&mut f, &s, "c5", "P4", "P1");
        contact(&mut f, &s, "c6", "Q1", "P2");
        let pairs: Vec<(String, String, usize)> = contacts_across_services(&s, &f)
            .into_iter()
            .map(|p| (p.a, p.b, p.contacts))
            .collect();
        let own = |a: &str, b: &str, n| (a.to_owned(), b.to_owned(), n);
        // Each pair once, whichever member was named first; sorted.
        assert_eq!(
            pairs,
            [
                own(NO_SERVICE, NO_SERVICE, 1),
                own(NO_SERVICE, "nav", 2),
                own("child-welfare", "nav", 1),
                own("child-welfare", "school", 1),
                own("nav", "school", 1),
            ]
        );
        let total: usize = pairs.iter().map(|p| p.2).sum();
        assert_eq!(total, f.contacts().len());
        // Two members of one service meet within it.
        let mut s2 = s.clone();
        s2.add_member(Member {
            attributes: Default::default(),
            id: id("P5"),
            group: id("G2"),
            sector: Sector::Public,
            service: Some("nav".into()),
            youth: false,
            pd_youth: false,
        })
        .unwrap();
        let mut f2 = Facilitation::new();
        contact(&mut f2, &s2, "c1", "P1", "P5");
        assert_eq!(
            contacts_across_services(&s2, &f2),
            [ServiceContacts {
                a: "nav".into(),
                b: "nav".into(),
                contacts: 1
            }]
        );
        assert!(contacts_across_services(&s, &Facilitation::new()).is_empty());
    }

    fn ladder(aid: &str, group: &str, range: &str, actor: Option<&str>) -> Assessment {
        Assessment {
            id: id(aid),
            subject: Subject::Group(id(group)),
            value: AssessmentValue::Ladder {
                range: range.parse().unwrap(),
                actor: actor.map(|a| a.parse().unwrap()),
            },
            assessor: id("A"),
            date: d("2023-06-01"),
            note: None,
            evidence: vec![],
        }
    }

    #[test]
    fn a_groups_ladder_is_summed_up_as_a_whole_and_per_actor() {
        let (s, mut f) = setup();
        for a in [
            ladder("a1", "G1", "3", None),
            ladder("a2", "G1", "3", Some("youth")),
            ladder("a3", "G2", "1", None),
            ladder("a4", "G1", "4-5", None),
            ladder("a5", "G1", "4", Some("service:nav")),
            ladder("a6", "G1", "3-4", Some("service:nav")),
            Assessment {
                value: AssessmentValue::Logic(Logics::one(InstitutionalLogic::Npg)),
                subject: Subject::Service("nav".into()),
                ..ladder("a7", "G1", "1", None)
            },
        ] {
            f.add_assessment(&s.roster(), a).unwrap();
        }
        let g1 = ladder_summary(&f, &id("G1"));
        let ids = |p: &Placement<'_>| -> Vec<String> {
            p.assessments.iter().map(|a| a.id.to_string()).collect()
        };
        let overall = g1.overall.as_ref().unwrap();
        assert_eq!(overall.range.to_string(), "3–5");
        assert_eq!(ids(overall), ["a1", "a4"]);
        let actors: Vec<(String, String, Vec<String>)> = g1
            .actors
            .iter()
            .map(|(a, p)| (a.to_string(), p.range.to_string(), ids(p)))
            .collect();
        assert_eq!(
            actors,
            [
                ("youth".into(), "3".into(), vec!["a2".into()]),
                (
                    "service:nav".into(),
                    "3–4".into(),
                    vec!["a5".into(), "a6".into()]
                ),
            ]
        );
        let g2 = ladder_summary(&f, &id("G2"));
        assert_eq!(g2.overall.unwrap().range.to_string(), "1");
        assert!(g2.actors.is_empty());
        assert!(ladder_summary(&f, &id("G9")).is_empty());
        assert!(!ladder_summary(&f, &id("G1")).is_empty());
    }

    #[test]
    fn an_actor_is_placed_on_a_groups_ladder_and_is_a_known_service() {
        let (s, mut f) = setup();
        let e = f
            .add_assessment(&s.roster(), ladder("a1", "G1", "3", Some("service:nva")))
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "no member carries the service `nva` (members' services: `child-welfare`, `nav`, \
             `school`)"
        );
        let mut of_service = ladder("a2", "G1", "3", Some("youth"));
        of_service.subject = Subject::Service("nav".into());
        assert_eq!(
            f.add_assessment(&s.roster(), of_service).unwrap_err(),
            FacilitationError::ActorOutsideGroup("nav".into())
        );
        // A service is an actor in a group even when none of its members sit in that group:
        // the check catches typos, not placements.
        f.add_assessment(&s.roster(), ladder("a3", "G2", "2", Some("service:nav")))
            .unwrap();
        assert!(f.assessments().len() == 1);
        // Past a dozen services the message names a dozen and counts the rest.
        let many = FacilitationError::UnknownService {
            service: "x".into(),
            known: (0..30).map(|i| format!("s{i:02}")).collect(),
        };
        let said = many.to_string();
        assert!(said.contains("`s11`, … (30 in all))"), "{said}");
        assert!(!said.contains("s12"), "{said}");
    }

    #[test]
    fn evidence_may_be_a_fact_of_the_record_which_must_be_there() {
        let (s, mut f) = setup();
        contact(&mut f, &s, "c1", "P1", "P2");
        let with = |aid: &str, facts: Vec<Fact>| Assessment {
            evidence: facts.into_iter().map(Evidence::Fact).collect(),
            ..ladder(aid, "G1", "3", None)
        };
        f.add_assessment(
            &s.roster(),
            with("a1", vec![Fact::Meeting(id("m1")), Fact::Contact(id("c1"))]),
        )
        .unwrap();
        for (fact, says) in [
            (
                Fact::Meeting(id("m9")),
                "evidence cites meeting `m9`, which the record does not hold",
            ),
            (
                Fact::Action(id("x")),
                "evidence cites action `x`, which the record does not hold",
            ),
            (Fact::Statement(id("s")), "problem statement `s`"),
            (Fact::Practice(id("p")), "practice `p`"),
            (Fact::Dissemination(id("e")), "dissemination event `e`"),
            (Fact::Contact(id("c2")), "contact `c2`"),
        ] {
            let e = f
                .add_assessment(&s.roster(), with("a2", vec![fact.clone()]))
                .unwrap_err();
            assert_eq!(e, FacilitationError::MissingFact(fact));
            assert!(e.to_string().contains(says), "{e}");
        }
        assert_eq!(f.assessments().len(), 1);
        // A record built again keeps the facts its assessments cite.
        assert_eq!(f.rechecked(&s.roster()).unwrap(), f);
    }

    #[test]
    fn contacts_count_cross_sector_ties() {
        let (s, mut f) = setup();
        for (cid, a, b, date) in [
            ("c1", "P1", "P2", "2023-02-10"),
            ("c2", "P1", "P3", "2023-02-20"),
            ("c3", "P3", "P4", "2023-03-05"),
        ] {
            f.add_contact(
                &s.roster(),
                Contact {
                    id: id(cid),
                    a: id(a),
                    b: id(b),
                    date: d(date),
                    note: None,
                },
            )
            .unwrap();
        }
        let g = contacts_by_group(&s, &f);
        assert_eq!(g[0].contacts, 3);
        assert_eq!(g[0].cross_sector, 2);
        let m = contacts_by_month(&s, &f);
        assert_eq!(m.len(), 2);
        assert_eq!(m[0].key, "2023-02");
        let same = f
            .add_contact(
                &s.roster(),
                Contact {
                    id: id("c4"),
                    a: id("P1"),
                    b: id("P1"),
                    date: d("2023-03-05"),
                    note: None,
                },
            )
            .unwrap_err();
        assert_eq!(same, FacilitationError::SameMember);
        // The same pair again, either way round, is the relation already recorded.
        let again = f
            .add_contact(
                &s.roster(),
                Contact {
                    id: id("c5"),
                    a: id("P2"),
                    b: id("P1"),
                    date: d("2023-04-01"),
                    note: None,
                },
            )
            .unwrap_err();
        assert_eq!(
            again,
            FacilitationError::ContactExists {
                a: id("P2"),
                b: id("P1"),
                existing: id("c1"),
            }
        );
        assert_eq!(f.contacts().len(), 3);
    }
}
