//! `facilitation.toml`: the facilitation record of a study (meetings and attendance, group
//! rules, problem statements, PD process moves, practices, trial actions, dissemination,
//! contacts and assessments), read into the study through the core's checks and written in
//! canonical form.

use std::ops::Range;
use std::path::Path;

use samskap_core::facilitation::{
    Assessment, AssessmentValue, Attendance, Evidence, Facilitation, FacilitationError, Fact,
    GroupRules, Meeting, Subject, TrialAction,
};
use samskap_core::{Study, TextQuote};
use samskap_files::{Kind, Limits};

use crate::files::{
    AssessmentRow, AssessmentRowOut, AttendanceOut, EvidenceRowOut, FacilitationFileIn,
    FacilitationFileOut, MeetingRowOut, RulesRowOut,
};
use crate::read::{key_line, line_of, not_a_source, read_text, toml_error};
use crate::{BundleError, TRANSCRIPT_COLUMN};

/// The file's name in the bundle.
pub(crate) const FACILITATION_FILE: &str = "facilitation.toml";

/// The key of an item that a refusal of the model is about, when the item alone says it.
fn field_of(e: &FacilitationError) -> &'static str {
    use FacilitationError as F;
    match e {
        F::Duplicate { .. } => "id",
        F::Unknown { kind: "action", .. } => "action",
        F::Unknown { kind: "member", .. } => "member",
        F::Unknown { .. } => "group",
        F::NotInGroup { .. } | F::TwiceInAttendance(_) => "attendance",
        F::Lifecycle { .. } => "state",
        F::OutOfOrder { .. } | F::DateOutOfRange(_) => "date",
        F::SameMember | F::ContactExists { .. } => "b",
        F::StepOutsidePhase { .. } => "step",
        F::ActorOutsideGroup(_) | F::UnknownService { .. } => "actor",
        F::AlreadyAgreed { .. } => "agreed",
        F::BadEvidence { .. } | F::MissingFact(_) => "evidence",
        F::MinutesWithoutMeeting { .. } => "id",
    }
}

/// Reads `facilitation.toml`, if the bundle has one, into the study's facilitation record.
/// The sources' texts must be read already: assessments cite them.
pub(crate) fn read_facilitation(
    dir: &Path,
    study: &mut Study,
    limits: &Limits,
) -> Result<(), BundleError> {
    let rel = Path::new(FACILITATION_FILE);
    let text = match read_text(dir, rel, Kind::Document, limits) {
        Err(BundleError::Missing(_)) => return Ok(()),
        other => other?,
    };
    let file: FacilitationFileIn = toml::from_str(&text).map_err(|e| toml_error(rel, &text, &e))?;
    // A problem with the key `field` of the item (or table) at `span`.
    let at = |span: &Range<usize>, field: &str, message: &dyn std::fmt::Display| {
        BundleError::at(
            rel,
            Some(key_line(&text, span, Some(field))),
            Some(field),
            message,
        )
    };
    let refused = |span: &Range<usize>, e: FacilitationError| at(span, field_of(&e), &e);

    for row in file.meetings {
        let span = row.span();
        let row = row.into_inner();
        let id = row.id.clone();
        let meeting = Meeting {
            id: row.id,
            group: row.group,
            kind: row.kind,
            date: row.date,
            note: row.note,
        };
        study
            .facilitate(|f, r| f.add_meeting(r, meeting))
            .map_err(|e| refused(&span, e))?;
        let rows = row.attendance.0;
        if rows.is_empty() {
            continue;
        }
        let attendance = rows
            .iter()
            .map(|(member, presence)| Attendance {
                member: member.get_ref().clone(),
                presence: *presence,
            })
            .collect();
        study
            .facilitate(|f, r| f.set_attendance(r, &id, attendance))
            .map_err(|e| {
                // Point at the member's own line in `[meeting.attendance]`.
                let member = match &e {
                    FacilitationError::NotInGroup { member, .. }
                    | FacilitationError::TwiceInAttendance(member) => Some(member.as_str()),
                    FacilitationError::Unknown { id, .. } => Some(id.as_str()),
                    _ => None,
                };
                let line = rows
                    .iter()
                    .find(|(m, _)| Some(m.get_ref().as_str()) == member)
                    .map_or_else(
                        || key_line(&text, &span, None),
                        |(m, _)| line_of(&text, m.span().start),
                    );
                BundleError::at(rel, Some(line), Some("attendance"), e)
            })?;
    }

    let mut rules_seen: Vec<(samskap_core::GroupId, usize)> = Vec::new();
    for row in file.rules {
        let span = row.span();
        let row = row.into_inner();
        let line = key_line(&text, &span, Some("group"));
        if let Some((_, first)) = rules_seen.iter().find(|(g, _)| g == &row.group) {
            return Err(at(
                &span,
                "group",
                &format!(
                    "the rules of group `{}` are given twice (first on line {first}): keep one",
                    row.group
                ),
            ));
        }
        rules_seen.push((row.group.clone(), line));
        let rules = GroupRules {
            frequency: row.frequency,
            place: row.place,
            leader: row.leader,
            disagreement: row.disagreement,
        };
        study
            .facilitate(|f, r| f.set_rules(r, row.group, rules))
            .map_err(|e| refused(&span, e))?;
    }

    for s in file.statements {
        let span = s.span();
        study
            .facilitate(|f, r| f.add_statement(r, s.into_inner()))
            .map_err(|e| match e {
                FacilitationError::Unknown { kind: "member", .. } => at(&span, "participants", &e),
                FacilitationError::OutOfOrder { .. } => at(&span, "agreed", &e),
                e => refused(&span, e),
            })?;
    }

    for m in file.moves {
        let span = m.span();
        study
            .facilitate(|f, r| f.add_move(r, m.into_inner()))
            .map_err(|e| refused(&span, e))?;
    }

    for p in file.practices {
        let span = p.span();
        study
            .facilitate(|f, r| f.add_practice(r, p.into_inner()))
            .map_err(|e| refused(&span, e))?;
    }

    for row in file.actions {
        let span = row.span();
        let row = row.into_inner();
        // The first step goes in with the action and each later one is a separate advance,
        // so that a refused step is named by its own line.
        let mut steps = row.history.into_iter();
        let first = steps.next();
        let first_span = first.as_ref().map(|t| t.span());
        let action = TrialAction {
            id: row.id.clone(),
            group: row.group,
            kind: row.kind,
            title: row.title,
            history: first.map(|t| t.into_inner()).into_iter().collect(),
        };
        study
            .facilitate(|f, r| f.add_action(r, action))
            .map_err(|e| match (&e, &first_span) {
                (FacilitationError::Lifecycle { .. }, Some(s)) => at(s, "state", &e),
                (FacilitationError::Lifecycle { .. }, None) => at(&span, "history", &e),
                _ => refused(&span, e),
            })?;
        for t in steps {
            let s = t.span();
            study
                .facilitate(|f, _| f.advance_action(&row.id, t.into_inner()))
                .map_err(|e| refused(&s, e))?;
        }
    }

    for ev in file.events {
        let span = ev.span();
        study
            .facilitate(|f, r| f.add_event(r, ev.into_inner()))
            .map_err(|e| refused(&span, e))?;
    }

    for c in file.contacts {
        let span = c.span();
        let c = c.into_inner();
        let a = c.a.to_string();
        study
            .facilitate(|f, r| f.add_contact(r, c))
            .map_err(|e| match &e {
                FacilitationError::Unknown { kind: "member", id } => {
                    at(&span, if *id == a { "a" } else { "b" }, &e)
                }
                _ => refused(&span, e),
            })?;
    }

    for row in file.assessments {
        let span = row.span();
        let (assessment, spans) = assessment(study, row.into_inner())
            .map_err(|(s, field, message)| at(s.as_ref().unwrap_or(&span), field, &message))?;
        study
            .facilitate(|f, r| f.add_assessment(r, assessment))
            .map_err(|e| match &e {
                // A fact the record lacks is named at its own evidence table and key.
                FacilitationError::MissingFact(fact) => {
                    let s = spans
                        .iter()
                        .find(|(_, f)| f.as_ref() == Some(fact))
                        .map_or(&span, |(s, _)| s);
                    at(s, fact_key(fact), &e)
                }
                _ => refused(&span, e),
            })?;
    }
    Ok(())
}

/// What went wrong in an assessment row: the span of the evidence table (or none for the
/// row itself), the key and the message.
type RowError = (Option<Range<usize>>, &'static str, String);

/// The keys that name a fact of the record as evidence, in the order of the tables.
const FACT_KEYS: [&str; 6] = [
    "meeting",
    "problem_statement",
    "practice",
    "action",
    "dissemination",
    "contact",
];

/// The key of `[[assessment.evidence]]` that names a fact of this kind.
fn fact_key(fact: &Fact) -> &'static str {
    match fact {
        Fact::Meeting(_) => "meeting",
        Fact::Statement(_) => "problem_statement",
        Fact::Practice(_) => "practice",
        Fact::Action(_) => "action",
        Fact::Dissemination(_) => "dissemination",
        Fact::Contact(_) => "contact",
    }
}

/// The span of each evidence table of an assessment, with the fact it cites (if it cites
/// one): where a fact the record lacks is named.
type EvidenceSpans = Vec<(Range<usize>, Option<Fact>)>;

/// An assessment from its flat row, with its [`EvidenceSpans`]; evidence quotes are placed
/// in their sources' texts.
fn assessment(study: &Study, row: AssessmentRow) -> Result<(Assessment, EvidenceSpans), RowError> {
    let subject = match (row.group, row.service) {
        (Some(g), None) => Subject::Group(g),
        (None, Some(s)) => Subject::Service(s),
        (None, None) => {
            return Err((
                None,
                "group",
                "an assessment needs a subject: `group` or `service`".into(),
            ))
        }
        (Some(_), Some(_)) => {
            return Err((
                None,
                "service",
                "an assessment has one subject: give `group` or `service`, not both".into(),
            ))
        }
    };
    let value = match (row.ladder, row.logic) {
        (Some(range), None) => AssessmentValue::Ladder {
            range,
            actor: row.actor,
        },
        (None, Some(logics)) => {
            if row.actor.is_some() {
                return Err((
                    None,
                    "actor",
                    "an actor is placed on the ladder: give `actor` with `ladder`, not `logic`"
                        .into(),
                ));
            }
            AssessmentValue::Logic(logics)
        }
        (None, None) => {
            return Err((
                None,
                "ladder",
                "an assessment needs a value: `ladder` (a step 1–5 or a range [low, high]) or \
                 `logic` (TB, NPM or NPG, or a list of them)"
                    .into(),
            ))
        }
        (Some(_), Some(_)) => {
            return Err((
                None,
                "logic",
                "an assessment has one value: give `ladder` or `logic`, not both".into(),
            ))
        }
    };
    let mut evidence = Vec::with_capacity(row.evidence.len());
    let mut spans = Vec::with_capacity(row.evidence.len());
    for ev in row.evidence {
        let span = ev.span();
        let ev = ev.into_inner();
        let fail = |field, message: String| (Some(span.clone()), field, message);
        let facts: Vec<Fact> = [
            ev.meeting.map(Fact::Meeting),
            ev.problem_statement.map(Fact::Statement),
            ev.practice.map(Fact::Practice),
            ev.action.map(Fact::Action),
            ev.dissemination.map(Fact::Dissemination),
            ev.contact.map(Fact::Contact),
        ]
        .into_iter()
        .flatten()
        .collect();
        let quoting = [
            ("source", ev.source.is_some()),
            (TRANSCRIPT_COLUMN, ev.transcript.is_some()),
            ("prefix", ev.prefix.is_some()),
            ("exact", ev.exact.is_some()),
            ("suffix", ev.suffix.is_some()),
        ]
        .into_iter()
        .find_map(|(key, given)| given.then_some(key));
        match (&facts[..], quoting) {
            ([], _) => {}
            ([fact], None) => {
                evidence.push(Evidence::Fact(fact.clone()));
                spans.push((span, Some(fact.clone())));
                continue;
            }
            ([fact], Some(key)) => {
                return Err(fail(
                    key,
                    format!(
                        "evidence is a quote or a fact of the record: give `{}` or a quote \
                         (`source`, `exact`), not both",
                        fact_key(fact)
                    ),
                ))
            }
            ([first, second, ..], _) => {
                return Err(fail(
                    fact_key(second),
                    format!(
                        "evidence cites one fact: give `{}` or `{}` in a table of its own",
                        fact_key(first),
                        fact_key(second)
                    ),
                ))
            }
        }
        let (key, id) = match (ev.source, ev.transcript) {
            (Some(id), None) => ("source", id),
            (None, Some(id)) => (TRANSCRIPT_COLUMN, id),
            (None, None) if ev.exact.is_none() => {
                return Err(fail(
                    "source",
                    format!(
                        "evidence needs a quote (`source` and `exact`) or a fact of the \
                         record (`{}`)",
                        FACT_KEYS.join("`, `")
                    ),
                ))
            }
            (None, None) => {
                return Err(fail(
                    "source",
                    "evidence needs `source`: the id of the source it quotes".into(),
                ))
            }
            (Some(_), Some(_)) => {
                return Err(fail(
                    TRANSCRIPT_COLUMN,
                    format!("give `source` or `{TRANSCRIPT_COLUMN}` (its first name), not both"),
                ))
            }
        };
        let Some(exact) = ev.exact else {
            return Err(fail(
                "exact",
                "evidence needs `exact`: the words it quotes".into(),
            ));
        };
        let Some((_, text)) = study.source(&id) else {
            return Err(fail(key, not_a_source(study, &id)));
        };
        let quote = TextQuote {
            prefix: ev.prefix.unwrap_or_default(),
            exact,
            suffix: ev.suffix.unwrap_or_default(),
        };
        // One pass over the text, not its index, for a few pieces of evidence.
        let at = text
            .locate_all(&[&quote])
            .pop()
            .expect("one answer per quote")
            .map_err(|e| fail("exact", e.to_string()))?;
        evidence.push(Evidence::Quote {
            source: id,
            start: at.start(),
            end: at.end(),
        });
        spans.push((span, None));
    }
    let assessment = Assessment {
        id: row.id,
        subject,
        value,
        assessor: row.assessor,
        date: row.date,
        note: row.note,
        evidence,
    };
    Ok((assessment, spans))
}

/// The canonical text of `facilitation.toml`, or `None` when the record is empty (the file
/// is then left out).
pub(crate) fn facilitation_toml(study: &Study) -> Option<String> {
    let f = study.facilitation();
    if *f == Facilitation::new() {
        return None;
    }
    let meetings = f
        .meetings()
        .iter()
        .map(|(m, attendance)| MeetingRowOut {
            id: &m.id,
            group: &m.group,
            kind: m.kind,
            date: m.date,
            note: m.note.as_deref(),
            attendance: AttendanceOut(attendance),
        })
        .collect();
    let rules = f
        .rules()
        .iter()
        .map(|(group, r)| RulesRowOut {
            group,
            frequency: r.frequency.as_deref(),
            place: r.place.as_deref(),
            leader: r.leader.as_deref(),
            disagreement: r.disagreement.as_deref(),
        })
        .collect();
    let assessments = f
        .assessments()
        .iter()
        .map(|a| {
            let (group, service) = match &a.subject {
                Subject::Group(g) => (Some(g), None),
                Subject::Service(s) => (None, Some(s.as_str())),
            };
            let (ladder, actor, logic) = match &a.value {
                AssessmentValue::Ladder { range, actor } => (Some(*range), actor.as_ref(), None),
                AssessmentValue::Logic(l) => (None, None, Some(*l)),
            };
            AssessmentRowOut {
                id: &a.id,
                group,
                service,
                ladder,
                actor,
                logic,
                assessor: &a.assessor,
                date: a.date,
                note: a.note.as_deref(),
                evidence: a.evidence.iter().map(|e| evidence_row(study, e)).collect(),
            }
        })
        .collect();
    let file = FacilitationFileOut {
        meetings,
        rules,
        statements: f.statements(),
        moves: f.moves(),
        practices: f.practices(),
        actions: f.actions(),
        events: f.events(),
        contacts: f.contacts(),
        assessments,
    };
    Some(toml::to_string(&file).expect("a facilitation record always serialises to TOML"))
}

/// Evidence as written: a quote as the canonical selector of its span, as in `codings.csv`;
/// a fact as its key and id.
fn evidence_row(study: &Study, e: &Evidence) -> EvidenceRowOut {
    let (source, start, end) = match e {
        Evidence::Quote { source, start, end } => (source, *start, *end),
        Evidence::Fact(fact) => {
            return match fact.clone() {
                Fact::Meeting(meeting) => EvidenceRowOut::Meeting { meeting },
                Fact::Statement(problem_statement) => {
                    EvidenceRowOut::Statement { problem_statement }
                }
                Fact::Practice(practice) => EvidenceRowOut::Practice { practice },
                Fact::Action(action) => EvidenceRowOut::Action { action },
                Fact::Dissemination(dissemination) => {
                    EvidenceRowOut::Dissemination { dissemination }
                }
                Fact::Contact(contact) => EvidenceRowOut::Contact { contact },
            }
        }
    };
    let text = study
        .transcript(source)
        .expect("evidence points into a source of the study");
    let span = text
        .span(start, end)
        .expect("evidence is a span of its source's text");
    // One pass over the text tells a passage said once; only a repeated one needs the
    // text's index, which is not built for a few pieces of evidence.
    let q = text
        .selectors(&[span])
        .pop()
        .expect("one selector per span");
    EvidenceRowOut::Quote {
        source: source.clone(),
        prefix: q.prefix,
        exact: q.exact,
        suffix: q.suffix,
    }
}
