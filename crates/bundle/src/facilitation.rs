//! `facilitation.toml`: the facilitation record of a study (meetings and attendance, group
//! rules, problem statements, PD process moves, practices, trial actions, dissemination,
//! contacts and assessments), read into the study through the core's checks and written in
//! canonical form.

use std::ops::Range;
use std::path::Path;

use samskap_core::facilitation::{
    Assessment, AssessmentValue, Attendance, Evidence, Facilitation, FacilitationError, GroupRules,
    Meeting, Subject, TrialAction,
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
        F::LadderStep(_) => "ladder",
        F::AlreadyAgreed { .. } => "agreed",
        F::BadEvidence { .. } => "evidence",
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
        let assessment = assessment(study, row.into_inner())
            .map_err(|(s, field, message)| at(s.as_ref().unwrap_or(&span), field, &message))?;
        study
            .facilitate(|f, r| f.add_assessment(r, assessment))
            .map_err(|e| refused(&span, e))?;
    }
    Ok(())
}

/// What went wrong in an assessment row: the span of the evidence table (or none for the
/// row itself), the key and the message.
type RowError = (Option<Range<usize>>, &'static str, String);

/// An assessment from its flat row; evidence quotes are placed in their sources' texts.
fn assessment(study: &Study, row: AssessmentRow) -> Result<Assessment, RowError> {
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
    let value =
        match (row.ladder, row.logic) {
            (Some(step), None) => AssessmentValue::Ladder(step),
            (None, Some(logic)) => AssessmentValue::Logic(logic),
            (None, None) => return Err((
                None,
                "ladder",
                "an assessment needs a value: `ladder` (a step 1–5) or `logic` (TB, NPM or NPG)"
                    .into(),
            )),
            (Some(_), Some(_)) => {
                return Err((
                    None,
                    "logic",
                    "an assessment has one value: give `ladder` or `logic`, not both".into(),
                ))
            }
        };
    let mut evidence = Vec::with_capacity(row.evidence.len());
    for ev in row.evidence {
        let span = ev.span();
        let ev = ev.into_inner();
        let fail = |field, message: String| (Some(span.clone()), field, message);
        let (key, id) = match (ev.source, ev.transcript) {
            (Some(id), None) => ("source", id),
            (None, Some(id)) => (TRANSCRIPT_COLUMN, id),
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
        let Some((_, text)) = study.source(&id) else {
            return Err(fail(key, not_a_source(study, &id)));
        };
        let quote = TextQuote {
            prefix: ev.prefix,
            exact: ev.exact,
            suffix: ev.suffix,
        };
        // One pass over the text, not its index, for a few pieces of evidence.
        let at = text
            .locate_all(&[&quote])
            .pop()
            .expect("one answer per quote")
            .map_err(|e| fail("exact", e.to_string()))?;
        evidence.push(Evidence {
            source: id,
            start: at.start(),
            end: at.end(),
        });
    }
    Ok(Assessment {
        id: row.id,
        subject,
        value,
        assessor: row.assessor,
        date: row.date,
        note: row.note,
        evidence,
    })
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
            let (ladder, logic) = match a.value {
                AssessmentValue::Ladder(step) => (Some(step), None),
                AssessmentValue::Logic(l) => (None, Some(l)),
            };
            AssessmentRowOut {
                id: &a.id,
                group,
                service,
                ladder,
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

/// Evidence as written: the canonical selector of its span, as in `codings.csv`.
fn evidence_row(study: &Study, e: &Evidence) -> EvidenceRowOut {
    let text = study
        .transcript(&e.source)
        .expect("evidence points into a source of the study");
    let span = text
        .span(e.start, e.end)
        .expect("evidence is a span of its source's text");
    // One pass over the text tells a passage said once; only a repeated one needs the
    // text's index, which is not built for a few pieces of evidence.
    let q = text
        .selectors(&[span])
        .pop()
        .expect("one selector per span");
    EvidenceRowOut {
        source: e.source.clone(),
        prefix: q.prefix,
        exact: q.exact,
        suffix: q.suffix,
    }
}
