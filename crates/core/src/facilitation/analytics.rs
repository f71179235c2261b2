//! What facilitators and researchers ask of the record: attendance rates, the services that
//! stay away, group composition with Blau's diversity index, contacts formed across sectors,
//! and each group's path through the PD process.

use std::collections::BTreeMap;

use serde::Serialize;

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
    /// Each service (members without one count as `-`).
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

fn member<'s>(study: &'s Study, id: &crate::MemberId) -> Option<&'s Member> {
    study.roster().member(id)
}

/// What one attendance counts under when grouped `by`.
fn attendance_key(by: AttendanceBy, m: &Member, date: NaiveDate) -> String {
    match by {
        AttendanceBy::Member => m.id.to_string(),
        AttendanceBy::Service => m.service.clone().unwrap_or_else(|| "-".into()),
        AttendanceBy::Sector => m.sector.as_str().to_owned(),
        AttendanceBy::Month => month(date),
    }
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
