//! The facilitation record in the store: its rows, written by an import and by the checked
//! writes of the API, and read back through the core methods so that every rule of the record
//! is checked again on the way out.
//!
//! Each checked write is one `IMMEDIATE` transaction that loads the study, applies the change
//! through [`Study::facilitate`] and writes the rows only when the model accepts it. A refusal
//! becomes [`StoreError::NotFound`] (the meeting, action or group the call is about does not
//! exist), [`StoreError::Conflict`] (the change contradicts what is stored: a duplicate id, a
//! second agreed problem statement, a lifecycle step or a move out of order with the stored
//! history) or [`StoreError::Invalid`] (the change is wrong in itself).

use std::collections::HashMap;

use rusqlite::{params, Connection};
use samskap_core::facilitation::{
    ActionKind, ActionState, Actor, Assessment, AssessmentValue, Attendance, Contact,
    Dissemination, Evidence, Facilitation, FacilitationError, Fact, GroupRules, InstitutionalLogic,
    LadderRange, Logics, Meeting, MeetingKind, PdPractice, PdStep, Phase, PracticeLevel, Presence,
    ProblemStatement, ProcessMove, Roster, Subject, Transition, TrialAction,
};
use samskap_core::{
    ActionId, GroupId, MeetingId, Member, ModelError, NaiveDate, StatementId, Study, StudyId,
};

use crate::journal::{EditKind, Note, Touch};
use crate::read::{get, load_study_in, parse, parse_opt, rows};
use crate::{Refusal, Store, StoreError};

/// The names that the schema's CHECK constraints allow: the serde names of the core enums.
trait Name: Sized + Copy + 'static {
    const ALL: &'static [Self];
    fn name(self) -> &'static str;
    fn from_name(s: &str) -> Result<Self, StoreError> {
        Self::ALL
            .iter()
            .copied()
            .find(|v| v.name() == s)
            .ok_or_else(|| StoreError::Corrupt(format!("unexpected value `{s}`")))
    }
}

/// One exhaustive `match` per enum, so a new variant does not compile until it has a name.
macro_rules! names {
    ($t:ident { $($v:ident = $s:literal),* $(,)? }) => {
        impl Name for $t {
            const ALL: &'static [Self] = &[$($t::$v),*];
            fn name(self) -> &'static str {
                match self {
                    $($t::$v => $s),*
                }
            }
        }
    };
}

names!(MeetingKind {
    Information = "information",
    Group = "group",
    Workshop = "workshop",
});
names!(Presence {
    Present = "present",
    Absent = "absent",
    Excused = "excused",
});
names!(Phase {
    Challenge = "challenge",
    Explore = "explore",
    Implement = "implement",
});
names!(PdStep {
    DefineProblem = "define-problem",
    IdentifyDeviants = "identify-deviants",
    ExplorePractices = "explore-practices",
    DevelopInterventions = "develop-interventions",
    Evaluate = "evaluate",
    Disseminate = "disseminate",
});
names!(PracticeLevel {
    Individual = "individual",
    Group = "group",
    Organisation = "organisation",
});
names!(ActionKind {
    TrialAction = "trial-action",
    Intervention = "intervention",
});
names!(ActionState {
    Planned = "planned",
    Tried = "tried",
    Evaluated = "evaluated",
    Adopted = "adopted",
    Dropped = "dropped",
});
names!(InstitutionalLogic {
    Tb = "TB",
    Npm = "NPM",
    Npg = "NPG",
});

/// A set of logics as the `logic` column holds it: the names in the order TB, NPM, NPG,
/// joined by commas (the schema's CHECK lists every such set).
fn logics_text(logics: Logics) -> String {
    logics
        .iter()
        .map(InstitutionalLogic::name)
        .collect::<Vec<_>>()
        .join(",")
}

/// The `logic` column read back through the model's checks.
fn logics_from(text: &str) -> Result<Logics, StoreError> {
    let names = text
        .split(',')
        .map(InstitutionalLogic::from_name)
        .collect::<Result<Vec<_>, _>>()?;
    let logics = Logics::new(names).map_err(StoreError::corrupt)?;
    // Only the canonical spelling: the column is compared as text elsewhere.
    if logics_text(logics) != text {
        return Err(StoreError::Corrupt(format!(
            "logics `{text}` are not in the order TB, NPM, NPG"
        )));
    }
    Ok(logics)
}

/// How every date is stored: ISO `YYYY-MM-DD` text.
pub(crate) fn date(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// [`date`] for an optional date.
pub(crate) fn date_opt(d: Option<NaiveDate>) -> Option<String> {
    d.map(date)
}

// ---------------------------------------------------------------------------------------------
// Rows.

fn insert_meeting(conn: &Connection, sid: &str, m: &Meeting) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO meeting (study_id, id, group_id, kind, date, note) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            sid,
            m.id.as_str(),
            m.group.as_str(),
            m.kind.name(),
            date(m.date),
            m.note
        ],
    )
    .map_err(StoreError::db)?;
    Ok(())
}

fn replace_attendance(
    conn: &Connection,
    sid: &str,
    meeting: &MeetingId,
    attendance: &[Attendance],
) -> Result<(), StoreError> {
    conn.prepare_cached("DELETE FROM attendance WHERE study_id = ?1 AND meeting_id = ?2")
        .and_then(|mut st| st.execute([sid, meeting.as_str()]))
        .map_err(StoreError::db)?;
    let mut ins = conn
        .prepare_cached(
            "INSERT INTO attendance (study_id, meeting_id, member_id, presence) VALUES (?1, ?2, ?3, ?4)",
        )
        .map_err(StoreError::db)?;
    for a in attendance {
        ins.execute(params![
            sid,
            meeting.as_str(),
            a.member.as_str(),
            a.presence.name()
        ])
        .map_err(StoreError::db)?;
    }
    Ok(())
}

fn upsert_rules(
    conn: &Connection,
    sid: &str,
    group: &GroupId,
    r: &GroupRules,
) -> Result<(), StoreError> {
    // An update in place keeps the row's rowid, so the group keeps its place in the order.
    conn.execute(
        "INSERT INTO group_rules (study_id, group_id, frequency, place, leader, disagreement)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (study_id, group_id) DO UPDATE SET
           frequency = excluded.frequency, place = excluded.place,
           leader = excluded.leader, disagreement = excluded.disagreement",
        params![
            sid,
            group.as_str(),
            r.frequency,
            r.place,
            r.leader,
            r.disagreement
        ],
    )
    .map_err(StoreError::db)?;
    Ok(())
}

fn insert_statement(conn: &Connection, sid: &str, s: &ProblemStatement) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO problem_statement (study_id, id, group_id, text, drafted, agreed)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            sid,
            s.id.as_str(),
            s.group.as_str(),
            s.text,
            date(s.drafted),
            date_opt(s.agreed)
        ],
    )
    .map_err(StoreError::db)?;
    for p in &s.participants {
        conn.execute(
            "INSERT INTO statement_participant (study_id, statement_id, member_id) VALUES (?1, ?2, ?3)",
            [sid, s.id.as_str(), p.as_str()],
        )
        .map_err(StoreError::db)?;
    }
    Ok(())
}

fn insert_move(conn: &Connection, sid: &str, m: &ProcessMove) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO process_move (study_id, group_id, date, phase, step, note)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            sid,
            m.group.as_str(),
            date(m.date),
            m.phase.name(),
            m.step.name(),
            m.note
        ],
    )
    .map_err(StoreError::db)?;
    Ok(())
}

fn insert_practice(conn: &Connection, sid: &str, p: &PdPractice) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO pd_practice (study_id, id, group_id, level, description, observed)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            sid,
            p.id.as_str(),
            p.group.as_str(),
            p.level.name(),
            p.description,
            date_opt(p.observed)
        ],
    )
    .map_err(StoreError::db)?;
    Ok(())
}

fn insert_action(conn: &Connection, sid: &str, a: &TrialAction) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO action (study_id, id, group_id, kind, title) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![sid, a.id.as_str(), a.group.as_str(), a.kind.name(), a.title],
    )
    .map_err(StoreError::db)?;
    for t in &a.history {
        insert_transition(conn, sid, &a.id, t)?;
    }
    Ok(())
}

fn insert_transition(
    conn: &Connection,
    sid: &str,
    action: &ActionId,
    t: &Transition,
) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO action_transition (study_id, action_id, state, date, note)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![sid, action.as_str(), t.state.name(), date(t.date), t.note],
    )
    .map_err(StoreError::db)?;
    Ok(())
}

fn insert_event(conn: &Connection, sid: &str, e: &Dissemination) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO dissemination (study_id, id, group_id, date, audience, action_id, note)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            sid,
            e.id.as_str(),
            e.group.as_str(),
            date(e.date),
            e.audience,
            e.action.as_ref().map(|a| a.as_str()),
            e.note
        ],
    )
    .map_err(StoreError::db)?;
    Ok(())
}

fn insert_contact(conn: &Connection, sid: &str, c: &Contact) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO contact (study_id, id, member_a, member_b, date, note)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            sid,
            c.id.as_str(),
            c.a.as_str(),
            c.b.as_str(),
            date(c.date),
            c.note
        ],
    )
    .map_err(StoreError::db)?;
    Ok(())
}

fn insert_assessment(conn: &Connection, sid: &str, a: &Assessment) -> Result<(), StoreError> {
    let (group, service) = match &a.subject {
        Subject::Group(g) => (Some(g.as_str()), None),
        Subject::Service(s) => (None, Some(s.as_str())),
    };
    let (ladder, actor, logic) = match &a.value {
        AssessmentValue::Ladder { range, actor } => (Some(*range), actor.as_ref(), None),
        AssessmentValue::Logic(l) => (None, None, Some(logics_text(*l))),
    };
    let (actor, actor_service) = match actor {
        None => (None, None),
        Some(Actor::Youth) => (Some("youth"), None),
        Some(Actor::Service(s)) => (Some("service"), Some(s.as_str())),
    };
    conn.execute(
        "INSERT INTO assessment (study_id, id, subject_group, subject_service, ladder_low,
                                 ladder_high, actor, actor_service, logic, assessor, date, note)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
        params![
            sid,
            a.id.as_str(),
            group,
            service,
            ladder.map(LadderRange::low),
            ladder.map(LadderRange::high),
            actor,
            actor_service,
            logic,
            a.assessor.as_str(),
            date(a.date),
            a.note
        ],
    )
    .map_err(StoreError::db)?;
    let mut quote = conn
        .prepare(
            "INSERT INTO assessment_evidence (study_id, assessment_id, source_id, start_char, end_char)
             VALUES (?1, ?2, ?3, ?4, ?5)",
        )
        .map_err(StoreError::db)?;
    for e in &a.evidence {
        match e {
            Evidence::Quote { source, start, end } => {
                quote
                    .execute(params![
                        sid,
                        a.id.as_str(),
                        source.as_str(),
                        *start as i64,
                        *end as i64
                    ])
                    .map_err(StoreError::db)?;
            }
            Evidence::Fact(fact) => {
                // The column is chosen from a fixed list, never from the data.
                let column = fact_column(fact);
                conn.execute(
                    &format!(
                        "INSERT INTO assessment_evidence (study_id, assessment_id, {column})
                         VALUES (?1, ?2, ?3)"
                    ),
                    [sid, a.id.as_str(), fact.id()],
                )
                .map_err(StoreError::db)?;
            }
        }
    }
    Ok(())
}

/// The columns of `assessment_evidence` that name a fact, in the order [`fact_column`]
/// and the reader use them.
const FACT_COLUMNS: [&str; 6] = [
    "meeting_id",
    "statement_id",
    "practice_id",
    "action_id",
    "event_id",
    "contact_id",
];

/// The column of `assessment_evidence` that names a fact of this kind.
fn fact_column(fact: &Fact) -> &'static str {
    FACT_COLUMNS[match fact {
        Fact::Meeting(_) => 0,
        Fact::Statement(_) => 1,
        Fact::Practice(_) => 2,
        Fact::Action(_) => 3,
        Fact::Dissemination(_) => 4,
        Fact::Contact(_) => 5,
    }]
}

/// The fact in column `FACT_COLUMNS[i]`.
fn fact_in(i: usize, id: String) -> Result<Fact, StoreError> {
    Ok(match i {
        0 => Fact::Meeting(parse(id)?),
        1 => Fact::Statement(parse(id)?),
        2 => Fact::Practice(parse(id)?),
        3 => Fact::Action(parse(id)?),
        4 => Fact::Dissemination(parse(id)?),
        _ => Fact::Contact(parse(id)?),
    })
}

/// Writes a whole facilitation record (an import), in its order.
pub(crate) fn write_all(conn: &Connection, sid: &str, f: &Facilitation) -> Result<(), StoreError> {
    for (m, attendance) in f.meetings() {
        insert_meeting(conn, sid, m)?;
        replace_attendance(conn, sid, &m.id, attendance)?;
    }
    for (g, r) in f.rules() {
        upsert_rules(conn, sid, g, r)?;
    }
    for s in f.statements() {
        insert_statement(conn, sid, s)?;
    }
    for m in f.moves() {
        insert_move(conn, sid, m)?;
    }
    for p in f.practices() {
        insert_practice(conn, sid, p)?;
    }
    for a in f.actions() {
        insert_action(conn, sid, a)?;
    }
    for e in f.events() {
        insert_event(conn, sid, e)?;
    }
    for c in f.contacts() {
        insert_contact(conn, sid, c)?;
    }
    for a in f.assessments() {
        insert_assessment(conn, sid, a)?;
    }
    Ok(())
}

/// Rows of one table grouped by the key in column 0, each group in row order.
fn grouped<T>(
    conn: &Connection,
    sql: &str,
    sid: &str,
    f: impl FnMut(&rusqlite::Row<'_>) -> Result<(String, T), StoreError>,
) -> Result<HashMap<String, Vec<T>>, StoreError> {
    let mut out: HashMap<String, Vec<T>> = HashMap::new();
    for (k, v) in rows(conn, sql, [sid], f)? {
        out.entry(k).or_default().push(v);
    }
    Ok(out)
}

/// Reads a study's facilitation record into `study` through the core methods, in the order it
/// was recorded; anything the model refuses is [`StoreError::Corrupt`].
/// The columns [`meeting_row`] reads, in its order.
const MEETING_COLUMNS: &str = "id, group_id, kind, date, note";

/// A meeting from a row of [`MEETING_COLUMNS`].
fn meeting_row(r: &rusqlite::Row<'_>) -> Result<Meeting, StoreError> {
    Ok(Meeting {
        id: parse(get(r, 0)?)?,
        group: parse(get(r, 1)?)?,
        kind: Name::from_name(&get::<String>(r, 2)?)?,
        date: parse(get(r, 3)?)?,
        note: get(r, 4)?,
    })
}

/// The stored meeting `id` (without its attendance) added to `study`'s record, if there is
/// one: what a source's link to it is checked against when the source is added on its own.
pub(crate) fn meeting_into(
    conn: &Connection,
    sid: &str,
    id: &samskap_core::MeetingId,
    study: &mut Study,
) -> Result<(), StoreError> {
    for m in rows(
        conn,
        &format!("SELECT {MEETING_COLUMNS} FROM meeting WHERE study_id = ?1 AND id = ?2"),
        [sid, id.as_str()],
        meeting_row,
    )? {
        study
            .facilitate(|f, roster| f.add_meeting(roster, m))
            .map_err(StoreError::corrupt)?;
    }
    Ok(())
}

pub(crate) fn read_into(conn: &Connection, sid: &str, study: &mut Study) -> Result<(), StoreError> {
    let c = StoreError::corrupt;

    let mut attendance = grouped(
        conn,
        "SELECT meeting_id, member_id, presence FROM attendance WHERE study_id = ?1 ORDER BY rowid",
        sid,
        |r| {
            Ok((
                get(r, 0)?,
                Attendance {
                    member: parse(get(r, 1)?)?,
                    presence: Name::from_name(&get::<String>(r, 2)?)?,
                },
            ))
        },
    )?;
    for m in rows(
        conn,
        &format!("SELECT {MEETING_COLUMNS} FROM meeting WHERE study_id = ?1 ORDER BY rowid"),
        [sid],
        meeting_row,
    )? {
        let id = m.id.clone();
        study
            .facilitate(|f, roster| f.add_meeting(roster, m))
            .map_err(c)?;
        if let Some(a) = attendance.remove(id.as_str()) {
            study
                .facilitate(|f, roster| f.set_attendance(roster, &id, a))
                .map_err(c)?;
        }
    }

    for (g, rules) in rows(
        conn,
        "SELECT group_id, frequency, place, leader, disagreement FROM group_rules
         WHERE study_id = ?1 ORDER BY rowid",
        [sid],
        |r| {
            Ok((
                parse::<GroupId>(get(r, 0)?)?,
                GroupRules {
                    frequency: get(r, 1)?,
                    place: get(r, 2)?,
                    leader: get(r, 3)?,
                    disagreement: get(r, 4)?,
                },
            ))
        },
    )? {
        study
            .facilitate(|f, roster| f.set_rules(roster, g, rules))
            .map_err(c)?;
    }

    let mut participants = grouped(
        conn,
        "SELECT statement_id, member_id FROM statement_participant WHERE study_id = ?1 ORDER BY rowid",
        sid,
        |r| Ok((get(r, 0)?, parse(get(r, 1)?)?)),
    )?;
    for s in rows(
        conn,
        "SELECT id, group_id, text, drafted, agreed FROM problem_statement
         WHERE study_id = ?1 ORDER BY rowid",
        [sid],
        |r| {
            let id: String = get(r, 0)?;
            Ok(ProblemStatement {
                participants: participants.remove(&id).unwrap_or_default(),
                id: parse(id)?,
                group: parse(get(r, 1)?)?,
                text: get(r, 2)?,
                drafted: parse(get(r, 3)?)?,
                agreed: parse_opt(get(r, 4)?)?,
            })
        },
    )? {
        study
            .facilitate(|f, roster| f.add_statement(roster, s))
            .map_err(c)?;
    }

    for m in rows(
        conn,
        "SELECT group_id, date, phase, step, note FROM process_move WHERE study_id = ?1 ORDER BY id",
        [sid],
        |r| {
            Ok(ProcessMove {
                group: parse(get(r, 0)?)?,
                date: parse(get(r, 1)?)?,
                phase: Name::from_name(&get::<String>(r, 2)?)?,
                step: Name::from_name(&get::<String>(r, 3)?)?,
                note: get(r, 4)?,
            })
        },
    )? {
        study.facilitate(|f, roster| f.add_move(roster, m)).map_err(c)?;
    }

    for p in rows(
        conn,
        "SELECT id, group_id, level, description, observed FROM pd_practice
         WHERE study_id = ?1 ORDER BY rowid",
        [sid],
        |r| {
            Ok(PdPractice {
                id: parse(get(r, 0)?)?,
                group: parse(get(r, 1)?)?,
                level: Name::from_name(&get::<String>(r, 2)?)?,
                description: get(r, 3)?,
                observed: parse_opt(get(r, 4)?)?,
            })
        },
    )? {
        study
            .facilitate(|f, roster| f.add_practice(roster, p))
            .map_err(c)?;
    }

    let mut history = grouped(
        conn,
        "SELECT action_id, state, date, note FROM action_transition WHERE study_id = ?1 ORDER BY id",
        sid,
        |r| {
            Ok((
                get(r, 0)?,
                Transition {
                    state: Name::from_name(&get::<String>(r, 1)?)?,
                    date: parse(get(r, 2)?)?,
                    note: get(r, 3)?,
                },
            ))
        },
    )?;
    for a in rows(
        conn,
        "SELECT id, group_id, kind, title FROM action WHERE study_id = ?1 ORDER BY rowid",
        [sid],
        |r| {
            let id: String = get(r, 0)?;
            Ok(TrialAction {
                history: history.remove(&id).unwrap_or_default(),
                id: parse(id)?,
                group: parse(get(r, 1)?)?,
                kind: Name::from_name(&get::<String>(r, 2)?)?,
                title: get(r, 3)?,
            })
        },
    )? {
        study
            .facilitate(|f, roster| f.add_action(roster, a))
            .map_err(c)?;
    }

    for e in rows(
        conn,
        "SELECT id, group_id, date, audience, action_id, note FROM dissemination
         WHERE study_id = ?1 ORDER BY rowid",
        [sid],
        |r| {
            Ok(Dissemination {
                id: parse(get(r, 0)?)?,
                group: parse(get(r, 1)?)?,
                date: parse(get(r, 2)?)?,
                audience: get(r, 3)?,
                action: parse_opt(get(r, 4)?)?,
                note: get(r, 5)?,
            })
        },
    )? {
        study
            .facilitate(|f, roster| f.add_event(roster, e))
            .map_err(c)?;
    }

    for ct in rows(
        conn,
        "SELECT id, member_a, member_b, date, note FROM contact WHERE study_id = ?1 ORDER BY rowid",
        [sid],
        |r| {
            Ok(Contact {
                id: parse(get(r, 0)?)?,
                a: parse(get(r, 1)?)?,
                b: parse(get(r, 2)?)?,
                date: parse(get(r, 3)?)?,
                note: get(r, 4)?,
            })
        },
    )? {
        study
            .facilitate(|f, roster| f.add_contact(roster, ct))
            .map_err(c)?;
    }

    let mut evidence = grouped(
        conn,
        &format!(
            "SELECT assessment_id, source_id, start_char, end_char, {} FROM assessment_evidence
             WHERE study_id = ?1 ORDER BY id",
            FACT_COLUMNS.join(", ")
        ),
        sid,
        |r| {
            let assessment: String = get(r, 0)?;
            if let Some(source) = get::<Option<String>>(r, 1)? {
                let offset = |i| -> Result<usize, StoreError> {
                    usize::try_from(get::<i64>(r, i)?).map_err(StoreError::corrupt)
                };
                let quote = Evidence::Quote {
                    source: parse(source)?,
                    start: offset(2)?,
                    end: offset(3)?,
                };
                return Ok((assessment, quote));
            }
            for i in 0..FACT_COLUMNS.len() {
                if let Some(id) = get::<Option<String>>(r, 4 + i)? {
                    return Ok((assessment, Evidence::Fact(fact_in(i, id)?)));
                }
            }
            Err(StoreError::Corrupt(format!(
                "evidence of assessment {assessment} names neither a quote nor a fact"
            )))
        },
    )?;
    for a in rows(
        conn,
        "SELECT id, subject_group, subject_service, ladder_low, ladder_high, actor, actor_service,
                logic, assessor, date, note
         FROM assessment WHERE study_id = ?1 ORDER BY rowid",
        [sid],
        |r| {
            let id: String = get(r, 0)?;
            let subject = match (get::<Option<String>>(r, 1)?, get::<Option<String>>(r, 2)?) {
                (Some(g), None) => Subject::Group(parse(g)?),
                (None, Some(s)) => Subject::Service(s),
                _ => {
                    return Err(StoreError::Corrupt(format!(
                        "assessment {id} needs a group or a service as its subject"
                    )))
                }
            };
            let step = |i| -> Result<Option<u8>, StoreError> {
                get::<Option<i64>>(r, i)?
                    .map(|s| u8::try_from(s).map_err(StoreError::corrupt))
                    .transpose()
            };
            let actor = match (get::<Option<String>>(r, 5)?, get::<Option<String>>(r, 6)?) {
                (None, None) => None,
                (Some(a), None) if a == "youth" => Some(Actor::Youth),
                (Some(a), Some(s)) if a == "service" => Some(Actor::Service(s)),
                _ => {
                    return Err(StoreError::Corrupt(format!(
                        "assessment {id} names its actor wrongly"
                    )))
                }
            };
            let value = match (step(3)?, step(4)?, get::<Option<String>>(r, 7)?) {
                (Some(low), Some(high), None) => AssessmentValue::Ladder {
                    range: LadderRange::new(low, high).map_err(StoreError::corrupt)?,
                    actor,
                },
                (None, None, Some(l)) if actor.is_none() => {
                    AssessmentValue::Logic(logics_from(&l)?)
                }
                _ => {
                    return Err(StoreError::Corrupt(format!(
                        "assessment {id} needs a ladder placement or logics as its value"
                    )))
                }
            };
            Ok(Assessment {
                evidence: evidence.remove(&id).unwrap_or_default(),
                id: parse(id)?,
                subject,
                value,
                assessor: parse(get(r, 8)?)?,
                date: parse(get(r, 9)?)?,
                note: get(r, 10)?,
            })
        },
    )? {
        study
            .facilitate(|f, roster| f.add_assessment(roster, a))
            .map_err(c)?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Checked writes.

/// How a refusal of the model maps to a store error for one kind of write.
#[derive(Clone, Copy)]
struct RefusalMap {
    /// The kind whose `Unknown` means the thing the call is about is missing (`NotFound`);
    /// any other unknown reference is `Invalid`.
    target: Option<&'static str>,
    /// True when a lifecycle step or a date out of order is measured against the stored
    /// history (`Conflict`) rather than within the value given (`Invalid`).
    against_stored: bool,
}

impl RefusalMap {
    const PLAIN: RefusalMap = RefusalMap {
        target: None,
        against_stored: false,
    };

    fn map(self, e: FacilitationError) -> StoreError {
        use FacilitationError as F;
        match e {
            F::Unknown { kind, id } if Some(kind) == self.target => {
                StoreError::NotFound { what: kind, id }
            }
            F::Duplicate { .. } | F::AlreadyAgreed { .. } | F::ContactExists { .. } => {
                refused(e, true)
            }
            F::Lifecycle { .. } | F::OutOfOrder { .. } if self.against_stored => refused(e, true),
            _ => refused(e, false),
        }
    }
}

fn refused(reason: impl Into<Refusal>, conflict: bool) -> StoreError {
    StoreError::Refused {
        reason: reason.into(),
        conflict,
    }
}

impl Store {
    /// One checked write: in one transaction, load the study, apply `change` to its record
    /// through the model, and only when the model accepts it, `write` the rows.
    fn facilitate_checked(
        &mut self,
        study: &StudyId,
        refusal: RefusalMap,
        summary: String,
        change: impl FnOnce(&mut Facilitation, &Roster<'_>) -> Result<(), FacilitationError>,
        write: impl FnOnce(&Connection, &str) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        self.checked(
            study,
            summary,
            |model| model.facilitate(change).map_err(|e| refusal.map(e)),
            write,
        )
    }

    /// One checked write of any part of a study: `change` the model (which changes nothing
    /// when it refuses), then `write` the rows, in one transaction. On a server's writer
    /// connection the model is the study held in memory.
    ///
    /// An audit entry left by [`SharedStore::write_audited`](crate::SharedStore::write_audited)
    /// is written in the same transaction, and cleared once it is committed. The token that
    /// entry names is looked up again first, inside the transaction: a token revoked after
    /// its request was let in makes no write (`Revoked`).
    ///
    /// The journal records the change, in the same transaction, as `summary` says it (ids
    /// and dates only: the record's texts are the facilitators' notes).
    fn checked(
        &mut self,
        study: &StudyId,
        summary: String,
        change: impl FnOnce(&mut Study) -> Result<(), StoreError>,
        write: impl FnOnce(&Connection, &str) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        let audit = self.audit.take();
        let actor = self.actor.clone();
        let live = |conn: &Connection| match &audit {
            Some(entry) => crate::tokens::require_live(conn, &entry.token_name),
            None => Ok(()),
        };
        let write = |conn: &Connection, sid: &str| {
            write(conn, sid)?;
            if let Some(entry) = &audit {
                crate::tokens::insert_audit(conn, entry)?;
            }
            let note = Note::final_(
                EditKind::Facilitation,
                Some(sid),
                summary,
                vec![Touch::Record(sid.to_owned())],
            );
            crate::journal::record(conn, &actor, &note).map(drop)
        };
        let done = if let Some(snapshots) = self.snapshots.clone() {
            self.write_through(&snapshots, study, live, change, write)
        } else {
            self.write_tx().and_then(|tx| {
                live(&tx)?;
                let mut model = load_study_in(&tx, study)?;
                change(&mut model)?;
                write(&tx, study.as_str())?;
                tx.commit().map_err(StoreError::db)
            })
        };
        if done.is_err() {
            // Rolled back with the write: the caller logs the refusal itself.
            self.audit = audit;
        }
        done
    }

    /// Adds a member to a known group. `NotFound` when the group does not exist, `Conflict`
    /// for an id in use.
    pub fn add_member(&mut self, study: &StudyId, member: &Member) -> Result<(), StoreError> {
        self.checked(
            study,
            format!("added member {} to group {}", member.id, member.group),
            |model| {
                model.add_member(member.clone()).map_err(|e| match e {
                    ModelError::UnknownGroup(g) => StoreError::NotFound {
                        what: "group",
                        id: g.to_string(),
                    },
                    ModelError::Duplicate { .. } => refused(e, true),
                    e => refused(e, false),
                })
            },
            |conn, sid| crate::write::insert_member(conn, sid, member),
        )
    }

    /// Records that a group agreed on one of its drafts. `NotFound` when the statement does
    /// not exist; `Conflict` when the group agreed on one already or the date is before the
    /// draft.
    pub fn agree_statement(
        &mut self,
        study: &StudyId,
        statement: &StatementId,
        agreed: NaiveDate,
    ) -> Result<(), StoreError> {
        self.facilitate_checked(
            study,
            RefusalMap {
                target: Some("problem statement"),
                against_stored: true,
            },
            format!("recorded that problem statement {statement} was agreed on {agreed}"),
            |f, _| f.agree_statement(statement, agreed),
            |conn, sid| {
                conn.execute(
                    "UPDATE problem_statement SET agreed = ?3 WHERE study_id = ?1 AND id = ?2",
                    params![sid, statement.as_str(), date(agreed)],
                )
                .map_err(StoreError::db)?;
                Ok(())
            },
        )
    }

    /// A study's facilitation record, checked by loading the whole study.
    pub fn facilitation(&self, study: &StudyId) -> Result<Facilitation, StoreError> {
        Ok(self.load_study(study)?.facilitation().clone())
    }

    /// Adds a meeting of a known group, with no attendance yet.
    pub fn add_meeting(&mut self, study: &StudyId, meeting: &Meeting) -> Result<(), StoreError> {
        self.facilitate_checked(
            study,
            RefusalMap::PLAIN,
            format!(
                "added meeting {} of group {} on {}",
                meeting.id, meeting.group, meeting.date
            ),
            |f, r| f.add_meeting(r, meeting.clone()),
            |conn, sid| insert_meeting(conn, sid, meeting),
        )
    }

    /// Replaces the whole attendance of a meeting; every member must be in the meeting's
    /// group, once. `NotFound` when the meeting does not exist.
    pub fn set_attendance(
        &mut self,
        study: &StudyId,
        meeting: &MeetingId,
        attendance: &[Attendance],
    ) -> Result<(), StoreError> {
        self.facilitate_checked(
            study,
            RefusalMap {
                target: Some("meeting"),
                against_stored: false,
            },
            format!(
                "set the attendance of meeting {meeting} ({} members)",
                attendance.len()
            ),
            |f, r| f.set_attendance(r, meeting, attendance.to_vec()),
            |conn, sid| replace_attendance(conn, sid, meeting, attendance),
        )
    }

    /// Sets (or replaces) a group's rules. `NotFound` when the group does not exist.
    pub fn set_rules(
        &mut self,
        study: &StudyId,
        group: &GroupId,
        rules: &GroupRules,
    ) -> Result<(), StoreError> {
        self.facilitate_checked(
            study,
            RefusalMap {
                target: Some("group"),
                against_stored: false,
            },
            format!("set the rules of group {group}"),
            |f, r| f.set_rules(r, group.clone(), rules.clone()),
            |conn, sid| upsert_rules(conn, sid, group, rules),
        )
    }

    /// Adds a problem statement; a second agreed statement of a group is a `Conflict`.
    pub fn add_statement(
        &mut self,
        study: &StudyId,
        statement: &ProblemStatement,
    ) -> Result<(), StoreError> {
        self.facilitate_checked(
            study,
            RefusalMap::PLAIN,
            format!(
                "added problem statement {} of group {}",
                statement.id, statement.group
            ),
            |f, r| f.add_statement(r, statement.clone()),
            |conn, sid| insert_statement(conn, sid, statement),
        )
    }

    /// Records a move in the PD process; one dated before the group's previous move is a
    /// `Conflict`.
    pub fn add_move(&mut self, study: &StudyId, m: &ProcessMove) -> Result<(), StoreError> {
        self.facilitate_checked(
            study,
            RefusalMap {
                target: None,
                against_stored: true,
            },
            format!(
                "recorded that group {} moved to {} ({}) on {}",
                m.group,
                m.step.name(),
                m.phase.name(),
                m.date
            ),
            |f, r| f.add_move(r, m.clone()),
            |conn, sid| insert_move(conn, sid, m),
        )
    }

    /// Adds an observed PD practice.
    pub fn add_practice(
        &mut self,
        study: &StudyId,
        practice: &PdPractice,
    ) -> Result<(), StoreError> {
        self.facilitate_checked(
            study,
            RefusalMap::PLAIN,
            format!(
                "added PD practice {} of group {}",
                practice.id, practice.group
            ),
            |f, r| f.add_practice(r, practice.clone()),
            |conn, sid| insert_practice(conn, sid, practice),
        )
    }

    /// Adds a trial action or intervention with its history, which must be a valid lifecycle
    /// starting with `planned` (`Invalid` otherwise).
    pub fn add_action(&mut self, study: &StudyId, action: &TrialAction) -> Result<(), StoreError> {
        self.facilitate_checked(
            study,
            RefusalMap::PLAIN,
            format!("added action {} of group {}", action.id, action.group),
            |f, r| f.add_action(r, action.clone()),
            |conn, sid| insert_action(conn, sid, action),
        )
    }

    /// Appends a step to an action's lifecycle. `NotFound` when the action does not exist;
    /// `Conflict` when the step skips a state, goes back, follows a final state or is dated
    /// before the previous step.
    pub fn advance_action(
        &mut self,
        study: &StudyId,
        action: &ActionId,
        transition: &Transition,
    ) -> Result<(), StoreError> {
        self.facilitate_checked(
            study,
            RefusalMap {
                target: Some("action"),
                against_stored: true,
            },
            format!(
                "moved action {action} to {} on {}",
                transition.state.name(),
                transition.date
            ),
            |f, _| f.advance_action(action, transition.clone()),
            |conn, sid| insert_transition(conn, sid, action, transition),
        )
    }

    /// Adds a dissemination event; the action it names, if any, must exist.
    pub fn add_event(&mut self, study: &StudyId, event: &Dissemination) -> Result<(), StoreError> {
        self.facilitate_checked(
            study,
            RefusalMap::PLAIN,
            format!(
                "added dissemination event {} of group {}",
                event.id, event.group
            ),
            |f, r| f.add_event(r, event.clone()),
            |conn, sid| insert_event(conn, sid, event),
        )
    }

    /// Adds a contact between two different known members.
    pub fn add_contact(&mut self, study: &StudyId, contact: &Contact) -> Result<(), StoreError> {
        self.facilitate_checked(
            study,
            RefusalMap::PLAIN,
            format!(
                "added contact {} between members {} and {}",
                contact.id, contact.a, contact.b
            ),
            |f, r| f.add_contact(r, contact.clone()),
            |conn, sid| insert_contact(conn, sid, contact),
        )
    }

    /// Adds an assessment: a service actor must be a service some member carries, quotes
    /// spans of sources' texts and facts in the record.
    pub fn add_assessment(
        &mut self,
        study: &StudyId,
        assessment: &Assessment,
    ) -> Result<(), StoreError> {
        self.facilitate_checked(
            study,
            RefusalMap::PLAIN,
            format!(
                "added assessment {} with {} {}",
                assessment.id,
                assessment.evidence.len(),
                if assessment.evidence.len() == 1 {
                    "piece of evidence"
                } else {
                    "pieces of evidence"
                }
            ),
            |f, r| f.add_assessment(r, assessment.clone()),
            |conn, sid| insert_assessment(conn, sid, assessment),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn serde_name<T: serde::Serialize>(v: T) -> String {
        match serde_json::to_value(v).unwrap() {
            serde_json::Value::String(s) => s,
            other => panic!("not a plain name: {other}"),
        }
    }

    fn same_names<T: Name + serde::Serialize>() {
        for v in T::ALL {
            assert_eq!(v.name(), serde_name(*v));
            assert_eq!(T::from_name(v.name()).unwrap().name(), v.name());
        }
    }

    #[test]
    fn stored_names_are_the_serde_names_of_core() {
        same_names::<MeetingKind>();
        same_names::<Presence>();
        same_names::<Phase>();
        same_names::<PdStep>();
        same_names::<PracticeLevel>();
        same_names::<ActionKind>();
        same_names::<ActionState>();
        same_names::<InstitutionalLogic>();
        assert!(matches!(
            Presence::from_name("maybe"),
            Err(StoreError::Corrupt(_))
        ));
    }

    #[test]
    fn each_fact_reads_back_from_the_column_it_is_written_to() {
        fn id<T: std::str::FromStr>() -> T
        where
            T::Err: std::fmt::Debug,
        {
            "x1".parse().unwrap()
        }
        let facts = [
            Fact::Meeting(id()),
            Fact::Statement(id()),
            Fact::Practice(id()),
            Fact::Action(id()),
            Fact::Dissemination(id()),
            Fact::Contact(id()),
        ];
        for fact in facts {
            let i = FACT_COLUMNS
                .iter()
                .position(|c| *c == fact_column(&fact))
                .unwrap();
            assert_eq!(fact_in(i, fact.id().to_owned()).unwrap(), fact);
        }
    }

    #[test]
    fn every_set_of_logics_is_stored_in_its_one_spelling() {
        use InstitutionalLogic::*;
        let mut spellings = std::collections::BTreeSet::new();
        for bits in 1..8u8 {
            let set = Logics::new(
                InstitutionalLogic::ALL
                    .into_iter()
                    .enumerate()
                    .filter(|(i, _)| bits & (1 << i) != 0)
                    .map(|(_, l)| l),
            )
            .unwrap();
            let text = logics_text(set);
            assert_eq!(logics_from(&text).unwrap(), set);
            spellings.insert(text);
        }
        assert_eq!(spellings.len(), 7);
        assert_eq!(logics_text(Logics::new([Npg, Tb]).unwrap()), "TB,NPG");
        for bad in ["NPG,NPM", "NPM,NPM", "", "NPM, NPG"] {
            assert!(
                matches!(logics_from(bad), Err(StoreError::Corrupt(_))),
                "{bad}"
            );
        }
    }
}
