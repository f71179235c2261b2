//! The route table and the handlers: decode, check access, call the store, encode.

use std::borrow::Cow;
use std::str::FromStr;

use axum::extract::State;
use axum::http::StatusCode;
use axum::middleware;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Extension, Json, Router};
use samskap_core::facilitation::{self as f, Facilitation, FacilitationError};
use samskap_core::{ActionId, GroupId, Member, MemberId, ModelError, StatementId, Study, StudyId};
use samskap_store::{Refusal, StoreError};
use utoipa::OpenApi;

use crate::auth::{
    assessment_access, authenticate, group_access, AuditContext, Audited, Caller, ObjectId,
};
use crate::decode::{ApiJson, ApiPath, ApiQuery};
use crate::error::{ApiError, Problem};
use crate::openapi::{Conventions, Id};
use crate::state::AppState;
use crate::wire::*;

/// What a reference in a body to a member outside the group gets, whether the member is in
/// another group or nowhere: one answer, so the body is no way to learn what other groups
/// hold.
const NOT_A_MEMBER: &str = "this is not a member of the group";

/// An object made over the API (or the pages) gets an id the server makes: its kind, then 64
/// random bits. A caller who chose ids could learn from a 409 which ids other groups use; made
/// ids tell nothing and, being random, do not run into the ids a bundle brought.
pub fn new_id<T: FromStr>(kind: &str) -> Result<T, ApiError>
where
    T::Err: std::fmt::Display,
{
    let mut bits = [0u8; 8];
    getrandom::fill(&mut bits).map_err(|e| ApiError::internal(&e))?;
    format!("{kind}-{:016x}", u64::from_be_bytes(bits))
        .parse()
        .map_err(|e: T::Err| ApiError::internal(&e))
}

/// A refusal of the model named by the request field it concerns, found from the typed
/// error by `name`, with the model's words unless `name` gives others. Any other error
/// maps as usual.
fn refused(
    e: StoreError,
    name: impl FnOnce(&Refusal) -> Option<(String, Option<&'static str>)>,
) -> ApiError {
    if let StoreError::Refused {
        reason,
        conflict: false,
    } = &e
    {
        if let Some((field, words)) = name(reason) {
            return ApiError::invalid(field, words.map_or_else(|| e.to_string(), str::to_owned));
        }
    }
    e.into()
}

/// The core facilitation error inside a refusal.
fn facilitation(r: &Refusal) -> Option<&FacilitationError> {
    match r {
        Refusal::Facilitation(e) => Some(e),
        Refusal::Model(_) | Refusal::Codebook(_) => None,
    }
}

/// Path ids are checked once: a malformed id names nothing, so it is a 404.
fn ids(study: &str, group: &str) -> Result<(StudyId, GroupId), ApiError> {
    Ok((
        study
            .parse()
            .map_err(|_| ApiError::not_found("such study"))?,
        group
            .parse()
            .map_err(|_| ApiError::not_found("such group"))?,
    ))
}

fn id<T: std::str::FromStr>(field: &str, s: &str) -> Result<T, ApiError>
where
    T::Err: std::fmt::Display,
{
    s.parse()
        .map_err(|e: T::Err| ApiError::invalid(field, e.to_string()))
}

/// 201 with the object's id noted for the audit log, and whether its entry is written.
fn created(object: String, body: impl serde::Serialize, audited: bool) -> Response {
    noted(
        (StatusCode::CREATED, Json(body)).into_response(),
        object,
        audited,
    )
}

/// 200 after a change, noted as [`created`] is.
fn changed(object: String, body: impl serde::Serialize, audited: bool) -> Response {
    noted(Json(body).into_response(), object, audited)
}

fn noted(mut r: Response, object: String, audited: bool) -> Response {
    r.extensions_mut().insert(ObjectId(object));
    if audited {
        r.extensions_mut().insert(Audited);
    }
    r
}

/// Runs `f` on a study whose group the caller may read (or write), once the group is known
/// to exist.
async fn with_group<T: Send + 'static>(
    state: &AppState,
    caller: &Caller,
    study: StudyId,
    group: GroupId,
    write: bool,
    f: impl FnOnce(&Study, &GroupId) -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    let allowed = if write {
        caller.may_write_group(&study, &group)
    } else {
        caller.may_read_group(&study, &group)
    };
    // Access first: a facilitator learns nothing, not even whether the group exists.
    caller.require(allowed)?;
    state
        .record(study, move |s| {
            if !s.groups().iter().any(|g| g.id == group) {
                return Err(ApiError::not_found(format!("group `{group}`")));
            }
            f(s, &group)
        })
        .await
}

/// The records of one kind (`records` of the study's facilitation record) that belong to a
/// group the caller may read, as `out` puts them on the wire.
async fn group_records<T: 'static, O: Send + 'static>(
    state: &AppState,
    caller: &Caller,
    (study, group): (&str, &str),
    records: fn(&Facilitation) -> &[T],
    group_of: fn(&T) -> &GroupId,
    out: fn(&T) -> O,
) -> Result<Json<Vec<O>>, ApiError> {
    let (study, group) = ids(study, group)?;
    with_group(state, caller, study, group, false, move |s, group| {
        Ok(Json(
            records(s.facilitation())
                .iter()
                .filter(|x| group_of(x) == group)
                .map(out)
                .collect(),
        ))
    })
    .await
}

/// Runs `f` on a study the caller may read some of: all of it for analysts and admins, their
/// own groups for a facilitator, who gets a 403 for a study without one of their groups.
async fn with_readable_study<T: Send + 'static>(
    state: &AppState,
    caller: &Caller,
    study: &str,
    f: impl FnOnce(&Study, &StudyId) -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    let study: StudyId = study
        .parse()
        .map_err(|_| ApiError::not_found("such study"))?;
    if !caller.may_read_study() && !caller.0.groups.iter().any(|(s, _)| s == &study) {
        return Err(ApiError::forbidden());
    }
    let sid = study.clone();
    state.record(study, move |s| f(s, &sid)).await
}

/// True when `member` is a member of `group`.
pub fn member_of(s: &Study, member: &MemberId, group: &GroupId) -> bool {
    s.roster().member(member).is_some_and(|x| &x.group == group)
}

/// A contact the caller may see: both its members are in groups the caller may read.
pub fn contact_readable(s: &Study, caller: &Caller, study: &StudyId, c: &f::Contact) -> bool {
    let roster = s.roster();
    [&c.a, &c.b].into_iter().all(|m| {
        roster
            .member(m)
            .is_some_and(|x| caller.may_read_group(study, &x.group))
    })
}

/// The part of the record the caller may read, for the study-wide analytics: all of it for
/// analysts and admins; for a facilitator, the meetings of their groups and the contacts
/// between members of their groups, copied through the model's own checks.
pub fn readable_record<'s>(
    s: &'s Study,
    caller: &Caller,
    study: &StudyId,
) -> Result<Cow<'s, Facilitation>, ApiError> {
    if caller.may_read_study() {
        return Ok(Cow::Borrowed(s.facilitation()));
    }
    let copy = || -> Result<Facilitation, FacilitationError> {
        let roster = s.roster();
        let mut record = Facilitation::new();
        for (m, attendance) in s.facilitation().meetings() {
            if caller.may_read_group(study, &m.group) {
                record.add_meeting(&roster, m.clone())?;
                record.set_attendance(&roster, &m.id, attendance.clone())?;
            }
        }
        for c in s.facilitation().contacts() {
            if contact_readable(s, caller, study, c) {
                record.add_contact(&roster, c.clone())?;
            }
        }
        Ok(record)
    };
    copy().map(Cow::Owned).map_err(|e| {
        // A part of a valid record is valid; this is a bug, not the caller's fault.
        tracing::error!(error = %e, "copying a readable part of the record failed");
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "the record could not be read",
        )
    })
}

/// The `below` of an attendance query, checked to lie within 0–1.
fn below(q: &AttendanceQuery) -> Result<Option<f64>, ApiError> {
    match q.below {
        Some(b) if !(0.0..=1.0).contains(&b) => Err(ApiError::invalid(
            "below",
            format!("`below` is a rate from 0 to 1, not {b}"),
        )),
        b => Ok(b),
    }
}

/// Attendance rates over `record` (of one group, or all), as asked by `q`.
fn rates(
    s: &Study,
    record: &Facilitation,
    q: &AttendanceQuery,
    group: Option<&GroupId>,
) -> Result<Vec<RateOut>, ApiError> {
    let below = below(q)?;
    Ok(f::attendance_rates(s, record, q.by.into(), group)
        .into_iter()
        .filter(|r| below.is_none_or(|b| r.rate < b))
        .map(RateOut::from)
        .collect())
}

#[utoipa::path(get, path = "/health", responses((status = 200, body = Health)))]
async fn health() -> Json<Health> {
    Json(Health {
        status: "ok".into(),
    })
}

#[utoipa::path(get, path = "/studies", security(("bearer" = [])),
    responses((status = 200, body = [StudyOut]), (status = 401, body = Problem)))]
async fn list_studies(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
) -> Result<Json<Vec<StudyOut>>, ApiError> {
    let studies = state.read(|store| store.studies()).await?;
    Ok(Json(
        studies
            .into_iter()
            .filter(|s| caller.may_read_study() || caller.0.groups.iter().any(|(x, _)| x == &s.id))
            .map(|s| StudyOut {
                id: s.id.to_string(),
                title: s.title,
                framework: s.framework.to_string(),
                provenance: s.provenance.into(),
            })
            .collect(),
    ))
}

#[utoipa::path(get, path = "/studies/{study}/groups", security(("bearer" = [])),
    params(("study" = String, Path, description = "Study id")),
    responses((status = 200, body = [GroupOut]), (status = 401, body = Problem), (status = 404, body = Problem)))]
async fn list_groups(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiPath(study): ApiPath<String>,
) -> Result<Json<Vec<GroupOut>>, ApiError> {
    let c = caller.clone();
    with_readable_study(&state, &caller, &study, move |s, study| {
        Ok(Json(
            s.groups()
                .iter()
                .filter(|g| c.may_read_group(study, &g.id))
                .map(|g| GroupOut {
                    id: g.id.to_string(),
                    name: g.name.clone(),
                    municipalities: g.municipalities.iter().map(ToString::to_string).collect(),
                    studied: g.studied,
                    attributes: attributes_out(&g.attributes),
                })
                .collect(),
        ))
    })
    .await
}

#[utoipa::path(get, path = "/studies/{study}/groups/{group}/members", security(("bearer" = [])),
    params(("study" = String, Path), ("group" = String, Path)),
    responses((status = 200, body = [MemberOut]), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn list_members(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiPath((study, group)): ApiPath<(String, String)>,
) -> Result<Json<Vec<MemberOut>>, ApiError> {
    let (study, group) = ids(&study, &group)?;
    with_group(&state, &caller, study, group, false, move |s, group| {
        Ok(Json(
            s.members()
                .iter()
                .filter(|m| m.group == *group)
                .map(MemberOut::from)
                .collect(),
        ))
    })
    .await
}

#[utoipa::path(post, path = "/studies/{study}/groups/{group}/members", security(("bearer" = [])),
    params(("study" = String, Path), ("group" = String, Path)), request_body = MemberIn,
    responses((status = 201, body = MemberOut), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem),
        (status = 413, body = Problem), (status = 422, body = Problem)))]
async fn add_member(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Extension(audit): Extension<AuditContext>,
    ApiPath((study, group)): ApiPath<(String, String)>,
    ApiJson(body): ApiJson<MemberIn>,
) -> Result<Response, ApiError> {
    let (study, group) = ids(&study, &group)?;
    with_group(
        &state,
        &caller,
        study.clone(),
        group.clone(),
        true,
        |_, _| Ok(()),
    )
    .await?;
    let mut attributes = samskap_core::Attributes::default();
    for (key, value) in body.attributes {
        let field = format!("attributes.{}", samskap_core::shorten(&key));
        let id = key
            .parse()
            .map_err(|e: ModelError| ApiError::invalid(field.clone(), e.to_string()))?;
        let value = value
            .into_core()
            .map_err(|reason| ApiError::invalid(field, reason))?;
        attributes.set(id, value);
    }
    let member = Member {
        attributes,
        id: new_id("member")?,
        group,
        sector: body.sector.into(),
        service: body.service,
        youth: body.youth,
        pd_youth: body.pd_youth,
    };
    let out = MemberOut::from(&member);
    let object = out.id.clone();
    let (_, audited) = state
        .write_audited(&audit, &object, StatusCode::CREATED, move |store| {
            store.add_member(&study, &member).map_err(|e| {
                refused(e, |r| match r {
                    Refusal::Model(
                        ModelError::UnknownAttribute { attribute, .. }
                        | ModelError::AttributeValue { attribute, .. },
                    ) => Some((format!("attributes.{attribute}"), None)),
                    Refusal::Model(ModelError::PdYouthNotYouth(_)) => Some((
                        "pd_youth".into(),
                        Some("a member marked `pd_youth` must be marked `youth` too"),
                    )),
                    _ => None,
                })
            })
        })
        .await?;
    Ok(created(object, out, audited))
}

#[utoipa::path(get, path = "/studies/{study}/attributes", security(("bearer" = [])),
    params(("study" = String, Path)),
    responses((status = 200, body = [AttributeOut]), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn list_attributes(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiPath(study): ApiPath<String>,
) -> Result<Json<Vec<AttributeOut>>, ApiError> {
    with_readable_study(&state, &caller, &study, |s, _| {
        Ok(Json(
            s.attributes().iter().map(AttributeOut::from).collect(),
        ))
    })
    .await
}

#[utoipa::path(get, path = "/studies/{study}/municipalities", security(("bearer" = [])),
    params(("study" = String, Path)),
    responses((status = 200, body = [MunicipalityOut]), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn list_municipalities(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiPath(study): ApiPath<String>,
) -> Result<Json<Vec<MunicipalityOut>>, ApiError> {
    with_readable_study(&state, &caller, &study, |s, _| {
        Ok(Json(
            s.municipalities()
                .iter()
                .map(|m| MunicipalityOut {
                    id: m.id.to_string(),
                    name: m.name.clone(),
                })
                .collect(),
        ))
    })
    .await
}

#[utoipa::path(get, path = "/studies/{study}/groups/{group}/meetings", security(("bearer" = [])),
    params(("study" = String, Path), ("group" = String, Path)),
    responses((status = 200, body = [MeetingOut]), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn list_meetings(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiPath((study, group)): ApiPath<(String, String)>,
) -> Result<Json<Vec<MeetingOut>>, ApiError> {
    group_records(
        &state,
        &caller,
        (&study, &group),
        Facilitation::meetings,
        |(m, _): &(f::Meeting, Vec<f::Attendance>)| &m.group,
        |(m, a)| MeetingOut::from_core(m, a),
    )
    .await
}

#[utoipa::path(post, path = "/studies/{study}/groups/{group}/meetings", security(("bearer" = [])),
    params(("study" = String, Path), ("group" = String, Path)), request_body = MeetingIn,
    responses((status = 201, body = MeetingOut), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem),
        (status = 413, body = Problem), (status = 422, body = Problem)))]
async fn add_meeting(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Extension(audit): Extension<AuditContext>,
    ApiPath((study, group)): ApiPath<(String, String)>,
    ApiJson(body): ApiJson<MeetingIn>,
) -> Result<Response, ApiError> {
    let (study, group) = ids(&study, &group)?;
    with_group(
        &state,
        &caller,
        study.clone(),
        group.clone(),
        true,
        |_, _| Ok(()),
    )
    .await?;
    let meeting = f::Meeting {
        id: new_id("meeting")?,
        group,
        kind: body.kind.into(),
        date: body.date,
        note: body.note,
    };
    let out = MeetingOut::from_core(&meeting, &[]);
    let sid = study.clone();
    let object = out.id.clone();
    let (_, audited) = state
        .write_audited(&audit, &object, StatusCode::CREATED, move |store| {
            store.add_meeting(&sid, &meeting)
        })
        .await?;
    Ok(created(object, out, audited))
}

#[utoipa::path(put, path = "/studies/{study}/groups/{group}/meetings/{meeting}/attendance", security(("bearer" = [])),
    params(("study" = String, Path), ("group" = String, Path), ("meeting" = String, Path)), request_body = AttendanceIn,
    responses((status = 200, body = MeetingOut), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem), (status = 413, body = Problem), (status = 422, body = Problem)))]
async fn set_attendance(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Extension(audit): Extension<AuditContext>,
    ApiPath((study, group, meeting)): ApiPath<(String, String, String)>,
    ApiJson(body): ApiJson<AttendanceIn>,
) -> Result<Response, ApiError> {
    let (study, group) = ids(&study, &group)?;
    let meeting: samskap_core::MeetingId = meeting
        .parse()
        .map_err(|_| ApiError::not_found("such meeting"))?;
    let mid = meeting.clone();
    let m = with_group(
        &state,
        &caller,
        study.clone(),
        group,
        true,
        move |s, group| {
            s.facilitation()
                .meeting(&mid)
                .filter(|(m, _)| &m.group == group)
                .map(|(m, _)| m.clone())
                .ok_or_else(|| ApiError::not_found("such meeting in this group"))
        },
    )
    .await?;
    let attendance = body
        .attendance
        .into_iter()
        .enumerate()
        .map(|(i, a)| {
            Ok(f::Attendance {
                member: id(&format!("attendance[{i}].member"), &a.member)?,
                presence: a.presence.into(),
            })
        })
        .collect::<Result<Vec<_>, ApiError>>()?;
    let out = MeetingOut::from_core(&m, &attendance);
    let sid = study.clone();
    let mid = meeting.clone();
    let object = meeting.to_string();
    let listed: Vec<String> = attendance.iter().map(|a| a.member.to_string()).collect();
    let (_, audited) = state
        .write_audited(&audit, &object, StatusCode::OK, move |store| {
            store
                .set_attendance(&sid, &mid, &attendance)
                .map_err(|e| refused(e, |r| attendance_field(r, &listed)))
        })
        .await?;
    Ok(changed(object, out, audited))
}

/// The attendance entry a refusal is about: a member outside the meeting's group (in another
/// group or none, one answer for both) or one named twice.
fn attendance_field(r: &Refusal, listed: &[String]) -> Option<(String, Option<&'static str>)> {
    let entry = |i: usize| format!("attendance[{i}].member");
    match facilitation(r)? {
        FacilitationError::Unknown { kind: "member", id } => {
            let i = listed.iter().position(|m| m == id)?;
            Some((entry(i), Some(NOT_A_MEMBER)))
        }
        FacilitationError::NotInGroup { member, .. } => {
            let i = listed.iter().position(|m| m == member.as_str())?;
            Some((entry(i), Some(NOT_A_MEMBER)))
        }
        FacilitationError::TwiceInAttendance(member) => {
            let i = listed
                .iter()
                .enumerate()
                .filter(|(_, m)| *m == member.as_str())
                .nth(1)?
                .0;
            Some((entry(i), Some("this member is named twice")))
        }
        _ => None,
    }
}

#[utoipa::path(post, path = "/studies/{study}/groups/{group}/actions", security(("bearer" = [])),
    params(("study" = String, Path), ("group" = String, Path)), request_body = ActionIn,
    responses((status = 201, body = ActionOut), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem),
        (status = 413, body = Problem), (status = 422, body = Problem)))]
async fn add_action(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Extension(audit): Extension<AuditContext>,
    ApiPath((study, group)): ApiPath<(String, String)>,
    ApiJson(body): ApiJson<ActionIn>,
) -> Result<Response, ApiError> {
    let (study, group) = ids(&study, &group)?;
    with_group(
        &state,
        &caller,
        study.clone(),
        group.clone(),
        true,
        |_, _| Ok(()),
    )
    .await?;
    let action = f::TrialAction {
        id: new_id("action")?,
        group,
        kind: body.kind.into(),
        title: body.title,
        history: vec![f::Transition {
            state: f::ActionState::Planned,
            date: body.date,
            note: body.note,
        }],
    };
    let out = ActionOut::from(&action);
    let sid = study.clone();
    let object = out.id.clone();
    let (_, audited) = state
        .write_audited(&audit, &object, StatusCode::CREATED, move |store| {
            store.add_action(&sid, &action)
        })
        .await?;
    Ok(created(object, out, audited))
}

#[utoipa::path(post, path = "/studies/{study}/groups/{group}/actions/{action}/transitions", security(("bearer" = [])),
    params(("study" = String, Path), ("group" = String, Path), ("action" = String, Path)), request_body = TransitionIn,
    responses((status = 200, body = ActionOut), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem),
        (status = 413, body = Problem), (status = 422, body = Problem)))]
async fn advance_action(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Extension(audit): Extension<AuditContext>,
    ApiPath((study, group, action)): ApiPath<(String, String, String)>,
    ApiJson(body): ApiJson<TransitionIn>,
) -> Result<Response, ApiError> {
    let (study, group) = ids(&study, &group)?;
    let action: samskap_core::ActionId = action
        .parse()
        .map_err(|_| ApiError::not_found("such action"))?;
    let aid = action.clone();
    with_group(
        &state,
        &caller,
        study.clone(),
        group,
        true,
        move |s, group| {
            s.facilitation()
                .action(&aid)
                .filter(|a| &a.group == group)
                .map(|_| ())
                .ok_or_else(|| ApiError::not_found("such action in this group"))
        },
    )
    .await?;
    let t = f::Transition {
        state: body.state.into(),
        date: body.date,
        note: body.note,
    };
    let sid = study.clone();
    let aid = action.clone();
    let object = action.to_string();
    let (_, audited) = state
        .write_audited(&audit, &object, StatusCode::OK, move |store| {
            store.advance_action(&sid, &aid, &t)
        })
        .await?;
    // The action as stored now, with any step another request added meanwhile.
    let after = state
        .record(study, move |s| {
            s.facilitation()
                .action(&action)
                .map(ActionOut::from)
                .ok_or_else(|| ApiError::not_found(format!("action `{action}`")))
        })
        .await?;
    Ok(changed(object, after, audited))
}

#[utoipa::path(post, path = "/studies/{study}/groups/{group}/contacts", security(("bearer" = [])),
    params(("study" = String, Path), ("group" = String, Path)), request_body = ContactIn,
    responses((status = 201, body = ContactOut), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem),
        (status = 413, body = Problem), (status = 422, body = Problem)))]
async fn add_contact(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Extension(audit): Extension<AuditContext>,
    ApiPath((study, group)): ApiPath<(String, String)>,
    ApiJson(body): ApiJson<ContactIn>,
) -> Result<Response, ApiError> {
    let (study, group) = ids(&study, &group)?;
    let contact = f::Contact {
        id: new_id("contact")?,
        a: id("a", &body.a)?,
        b: id("b", &body.b)?,
        date: body.date,
        note: body.note,
    };
    let (a, b) = (contact.a.clone(), contact.b.clone());
    with_group(
        &state,
        &caller,
        study.clone(),
        group,
        true,
        move |s, group| {
            // A contact is recorded within the group of the path.
            for (field, m) in [("a", &a), ("b", &b)] {
                if !member_of(s, m, group) {
                    return Err(ApiError::invalid(field, NOT_A_MEMBER));
                }
            }
            Ok(())
        },
    )
    .await?;
    let out = ContactOut::from(&contact);
    let sid = study.clone();
    let object = out.id.clone();
    let (_, audited) = state
        .write_audited(&audit, &object, StatusCode::CREATED, move |store| {
            store.add_contact(&sid, &contact).map_err(|e| {
                refused(e, |r| match facilitation(r)? {
                    FacilitationError::SameMember => Some(("b".into(), None)),
                    _ => None,
                })
            })
        })
        .await?;
    Ok(created(object, out, audited))
}

/// The model's assessment from a body, each value checked and a refusal naming its field.
fn assessment(body: &AssessmentIn) -> Result<f::Assessment, ApiError> {
    let value = match &body.value {
        ValueIn::Ladder(ladder) => f::AssessmentValue::Ladder {
            range: ladder
                .range()
                .map_err(|e| ApiError::invalid("value.ladder", e))?,
            actor: body
                .actor
                .as_deref()
                .map(|a| {
                    a.parse()
                        .map_err(|e: f::ActorError| ApiError::invalid("actor", e.to_string()))
                })
                .transpose()?,
        },
        ValueIn::Logic(logics) => {
            if body.actor.is_some() {
                return Err(ApiError::invalid(
                    "actor",
                    "an actor is placed on the ladder: give `actor` with `ladder`, not `logic`",
                ));
            }
            f::AssessmentValue::Logic(
                logics
                    .logics()
                    .map_err(|e| ApiError::invalid("value.logic", e))?,
            )
        }
    };
    let evidence = body
        .evidence
        .iter()
        .enumerate()
        .map(|(i, e)| evidence(i, e))
        .collect::<Result<_, ApiError>>()?;
    Ok(f::Assessment {
        id: id("id", &body.id)?,
        subject: match &body.subject {
            SubjectIn::Group(g) => f::Subject::Group(id("subject.group", &g.0)?),
            SubjectIn::Service(s) => f::Subject::Service(s.clone()),
        },
        value,
        assessor: id("assessor", &body.assessor)?,
        date: body.date,
        note: body.note.clone(),
        evidence,
    })
}

/// The `i`-th piece of evidence: a quote or exactly one fact, refusals naming `evidence[i]`
/// or its key.
fn evidence(i: usize, e: &EvidenceIn) -> Result<f::Evidence, ApiError> {
    let at = |key: &str| format!("evidence[{i}].{key}");
    let facts: Vec<(&str, &str)> = e
        .facts()
        .into_iter()
        .filter_map(|(k, v)| Some((k, v?)))
        .collect();
    let quoting = [
        ("informant", e.informant.is_some()),
        ("start", e.start.is_some()),
        ("end", e.end.is_some()),
    ]
    .into_iter()
    .find_map(|(k, given)| given.then_some(k));
    match (&facts[..], quoting) {
        ([(key, value)], None) => {
            let fact = match *key {
                "meeting" => f::Fact::Meeting(id(&at(key), value)?),
                "problem_statement" => f::Fact::Statement(id(&at(key), value)?),
                "practice" => f::Fact::Practice(id(&at(key), value)?),
                "action" => f::Fact::Action(id(&at(key), value)?),
                "dissemination" => f::Fact::Dissemination(id(&at(key), value)?),
                _ => f::Fact::Contact(id(&at(key), value)?),
            };
            Ok(f::Evidence::Fact(fact))
        }
        ([(key, _)], Some(q)) => Err(ApiError::invalid(
            at(q),
            format!(
                "evidence is a quote or a fact of the record: give `{key}` or a quote, not both"
            ),
        )),
        ([(first, _), (second, _), ..], _) => Err(ApiError::invalid(
            at(second),
            format!("evidence cites one fact: give `{first}` or `{second}` in evidence of its own"),
        )),
        ([], _) => {
            let need = |key: &str| {
                ApiError::invalid(
                    at(key),
                    "a quote needs `informant`, `start` and `end`; a fact needs one of \
                     `meeting`, `problem_statement`, `practice`, `action`, `dissemination`, \
                     `contact`",
                )
            };
            // The store holds interviews named for their informant: the evidence's
            // informant names the interview it cites.
            let source = id(
                &at("informant"),
                e.informant.as_deref().ok_or_else(|| need("informant"))?,
            )?;
            Ok(f::Evidence::Quote {
                source,
                start: e.start.ok_or_else(|| need("start"))?,
                end: e.end.ok_or_else(|| need("end"))?,
            })
        }
    }
}

#[utoipa::path(post, path = "/studies/{study}/assessments", security(("bearer" = [])),
    params(("study" = String, Path)), request_body = AssessmentIn,
    responses((status = 201, body = AssessmentIn), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem),
        (status = 413, body = Problem), (status = 422, body = Problem)))]
async fn add_assessment(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Extension(audit): Extension<AuditContext>,
    ApiPath(study): ApiPath<String>,
    ApiJson(body): ApiJson<AssessmentIn>,
) -> Result<Response, ApiError> {
    caller.require(caller.may_assess())?;
    let study: StudyId = study
        .parse()
        .map_err(|_| ApiError::not_found("such study"))?;
    let assessment = assessment(&body)?;
    // The answer is the assessment as stored, in its one spelling (logics in order, `[4, 4]`
    // as `4`), as the list gives it.
    let out = AssessmentIn::from(&assessment);
    let evidence = assessment.evidence.clone();
    let object = body.id.clone();
    let (_, audited) = state
        .write_audited(&audit, &object, StatusCode::CREATED, move |store| {
            store.add_assessment(&study, &assessment).map_err(|e| {
                refused(e, |r| match facilitation(r)? {
                    FacilitationError::BadEvidence {
                        source_id,
                        start,
                        end,
                    } => {
                        let i = evidence.iter().position(|x| {
                            *x == f::Evidence::Quote {
                                source: source_id.clone(),
                                start: *start,
                                end: *end,
                            }
                        })?;
                        Some((format!("evidence[{i}]"), None))
                    }
                    FacilitationError::MissingFact(fact) => {
                        let i = evidence
                            .iter()
                            .position(|x| *x == f::Evidence::Fact(fact.clone()))?;
                        Some((format!("evidence[{i}]"), None))
                    }
                    FacilitationError::UnknownService { .. }
                    | FacilitationError::ActorOutsideGroup(_) => Some(("actor".into(), None)),
                    FacilitationError::Unknown { kind: "group", .. } => {
                        Some(("subject.group".into(), None))
                    }
                    _ => None,
                })
            })
        })
        .await?;
    Ok(created(object, out, audited))
}

/// The request field a refusal of a coding is about: the model's error names the value.
fn coding_field(r: &Refusal) -> Option<(String, Option<&'static str>)> {
    let Refusal::Model(m) = r else {
        return None;
    };
    let field = match m {
        ModelError::UnknownSource(_) => "source",
        ModelError::SpanOutside { start, len, .. } if start >= len => "start",
        ModelError::SpanOutside { .. } => "end",
        ModelError::UnknownCode { .. } => "code",
        ModelError::QualifierNotDeclared { .. }
        | ModelError::QualifierValue { .. }
        | ModelError::QualifierMissing { .. } => "qualifiers",
        _ => return None,
    };
    Some((field.into(), None))
}

/// The ids of a coding's request, each refused naming its field.
fn coding_ids(
    source: &str,
    code: &str,
    coder: &str,
) -> Result<
    (
        samskap_core::SourceId,
        samskap_core::CodeId,
        samskap_core::CoderId,
    ),
    ApiError,
> {
    Ok((
        id("source", source)?,
        id("code", code)?,
        id("coder", coder)?,
    ))
}

/// What the audit log names a coding by.
fn coding_object(c: &samskap_store::Offsets, code: &samskap_core::CodeId) -> String {
    format!("{} {}..{} {code}", c.source, c.start, c.end)
}

#[utoipa::path(post, path = "/studies/{study}/codings", security(("bearer" = [])),
    params(("study" = String, Path)), request_body = CodingIn,
    responses((status = 201, body = CodingOut, description = "The coding as stored, with the words it codes."),
        (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 403, body = Problem, description = "A facilitator's token: coding is the analysts' (and admins')."),
        (status = 404, body = Problem, description = "No such study."),
        (status = 409, body = Problem, description = "The same coding (unit, code, qualifier values, coder) is there already, or `text` is not the words at the offsets."),
        (status = 413, body = Problem),
        (status = 422, body = Problem, description = "`field` names the value at fault: an unknown `source` or `code`, offsets outside the text (`start`, `end`), or `qualifiers` the code does not take.")))]
async fn add_coding(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Extension(audit): Extension<AuditContext>,
    ApiPath(study): ApiPath<String>,
    ApiJson(body): ApiJson<CodingIn>,
) -> Result<Response, ApiError> {
    caller.require(caller.may_assess())?;
    let study: StudyId = study
        .parse()
        .map_err(|_| ApiError::not_found("such study"))?;
    let (source, code, coder) = coding_ids(&body.source, &body.code, &body.coder)?;
    let qualifiers = match &body.qualifiers {
        None => samskap_core::Qualifiers::none(),
        Some(q) => q
            .qualifiers()
            .map_err(|why| ApiError::invalid("qualifiers", why))?,
    };
    let at = samskap_store::Offsets {
        source,
        start: body.start,
        end: body.end,
        text: body.text,
    };
    let object = coding_object(&at, &code);
    let memo = body.memo;
    let stored = state
        .write_coding(&audit, &object, StatusCode::CREATED, move |store, entry| {
            store
                .add_coding_at(entry, study, at, code, qualifiers, coder, memo)
                .map_err(|e| refused(e, coding_field))
        })
        .await?;
    Ok(created(object, CodingOut::from(stored), true))
}

#[utoipa::path(delete, path = "/studies/{study}/codings", security(("bearer" = [])),
    params(("study" = String, Path), CodingQuery),
    responses((status = 200, body = CodingOut, description = "The coding removed, as it was stored (a meaning unit left with no coding goes too)."),
        (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 403, body = Problem, description = "A facilitator's token."),
        (status = 404, body = Problem, description = "No such study, or no such coding."),
        (status = 409, body = Problem, description = "`text` is not the words at the offsets."),
        (status = 422, body = Problem, description = "`field` names the value at fault.")))]
async fn remove_coding(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Extension(audit): Extension<AuditContext>,
    ApiPath(study): ApiPath<String>,
    ApiQuery(q): ApiQuery<CodingQuery>,
) -> Result<Response, ApiError> {
    caller.require(caller.may_assess())?;
    let study: StudyId = study
        .parse()
        .map_err(|_| ApiError::not_found("such study"))?;
    let (source, code, coder) = coding_ids(&q.source, &q.code, &q.coder)?;
    let qualifiers: samskap_core::Qualifiers = q
        .qualifiers
        .as_deref()
        .unwrap_or("")
        .parse()
        .map_err(|e: ModelError| ApiError::invalid("qualifiers", e.to_string()))?;
    let at = samskap_store::Offsets {
        source,
        start: q.start,
        end: q.end,
        text: q.text,
    };
    let object = coding_object(&at, &code);
    let removed = state
        .write_coding(&audit, &object, StatusCode::OK, move |store, entry| {
            store
                .remove_coding_at(entry, study, at, code, qualifiers, coder)
                .map_err(|e| refused(e, coding_field))
        })
        .await?;
    Ok(changed(object, CodingOut::from(removed), true))
}

#[utoipa::path(get, path = "/studies/{study}/groups/{group}/attendance", security(("bearer" = [])),
    params(("study" = String, Path), ("group" = String, Path), AttendanceQuery),
    responses((status = 200, body = [RateOut]), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn attendance(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiPath((study, group)): ApiPath<(String, String)>,
    ApiQuery(q): ApiQuery<AttendanceQuery>,
) -> Result<Json<Vec<RateOut>>, ApiError> {
    let (study, group) = ids(&study, &group)?;
    with_group(&state, &caller, study, group, false, move |s, group| {
        Ok(Json(rates(s, s.facilitation(), &q, Some(group))?))
    })
    .await
}

#[utoipa::path(get, path = "/studies/{study}/groups/{group}/composition", security(("bearer" = [])),
    params(("study" = String, Path), ("group" = String, Path)),
    responses((status = 200, body = CompositionOut), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn composition(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiPath((study, group)): ApiPath<(String, String)>,
) -> Result<Json<CompositionOut>, ApiError> {
    let (study, group) = ids(&study, &group)?;
    with_group(&state, &caller, study, group, false, move |s, group| {
        let c = f::composition(s)
            .into_iter()
            .find(|c| &c.group == group)
            .ok_or_else(|| ApiError::not_found("such group"))?;
        Ok(Json(CompositionOut::from(c)))
    })
    .await
}

#[utoipa::path(get, path = "/studies/{study}/groups/{group}/rules", security(("bearer" = [])),
    params(("study" = String, Path), ("group" = String, Path)),
    responses((status = 200, body = RulesOut), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn get_rules(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiPath((study, group)): ApiPath<(String, String)>,
) -> Result<Json<RulesOut>, ApiError> {
    let (study, group) = ids(&study, &group)?;
    with_group(&state, &caller, study, group, false, move |s, group| {
        let unset = f::GroupRules::default();
        let rules = s
            .facilitation()
            .rules()
            .iter()
            .find(|(g, _)| g == group)
            .map_or(&unset, |(_, r)| r);
        Ok(Json(RulesOut::from((group, rules))))
    })
    .await
}

#[utoipa::path(put, path = "/studies/{study}/groups/{group}/rules", security(("bearer" = [])),
    params(("study" = String, Path), ("group" = String, Path)), request_body = RulesIn,
    responses((status = 200, body = RulesOut), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem), (status = 413, body = Problem), (status = 422, body = Problem)))]
async fn set_rules(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Extension(audit): Extension<AuditContext>,
    ApiPath((study, group)): ApiPath<(String, String)>,
    ApiJson(body): ApiJson<RulesIn>,
) -> Result<Response, ApiError> {
    let (study, group) = ids(&study, &group)?;
    with_group(
        &state,
        &caller,
        study.clone(),
        group.clone(),
        true,
        |_, _| Ok(()),
    )
    .await?;
    let rules = f::GroupRules::from(body);
    let out = RulesOut::from((&group, &rules));
    let (sid, gid) = (study.clone(), group.clone());
    let object = group.to_string();
    let (_, audited) = state
        .write_audited(&audit, &object, StatusCode::OK, move |store| {
            store.set_rules(&sid, &gid, &rules)
        })
        .await?;
    Ok(changed(object, out, audited))
}

#[utoipa::path(get, path = "/studies/{study}/groups/{group}/problem-statements", security(("bearer" = [])),
    params(("study" = String, Path), ("group" = String, Path)),
    responses((status = 200, body = [StatementOut]), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn list_statements(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiPath((study, group)): ApiPath<(String, String)>,
) -> Result<Json<Vec<StatementOut>>, ApiError> {
    group_records(
        &state,
        &caller,
        (&study, &group),
        Facilitation::statements,
        |x: &f::ProblemStatement| &x.group,
        |x| StatementOut::from(x),
    )
    .await
}

#[utoipa::path(post, path = "/studies/{study}/groups/{group}/problem-statements", security(("bearer" = [])),
    params(("study" = String, Path), ("group" = String, Path)), request_body = StatementIn,
    responses((status = 201, body = StatementOut), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem),
        (status = 413, body = Problem), (status = 422, body = Problem)))]
async fn add_statement(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Extension(audit): Extension<AuditContext>,
    ApiPath((study, group)): ApiPath<(String, String)>,
    ApiJson(body): ApiJson<StatementIn>,
) -> Result<Response, ApiError> {
    let (study, group) = ids(&study, &group)?;
    let statement_id = new_id("statement")?;
    let named = body
        .participants
        .iter()
        .enumerate()
        .map(|(i, p)| id(&format!("participants[{i}]"), p))
        .collect::<Result<Vec<MemberId>, _>>()?;
    let participants = with_group(
        &state,
        &caller,
        study.clone(),
        group.clone(),
        true,
        move |s, group| {
            let mut participants: Vec<MemberId> = Vec::new();
            for (i, p) in named.into_iter().enumerate() {
                let field = format!("participants[{i}]");
                if !member_of(s, &p, group) {
                    return Err(ApiError::invalid(field, NOT_A_MEMBER));
                }
                if participants.contains(&p) {
                    return Err(ApiError::invalid(field, "this member is named twice"));
                }
                participants.push(p);
            }
            Ok(participants)
        },
    )
    .await?;
    if let Some(agreed) = body.agreed.filter(|a| a < &body.drafted) {
        return Err(ApiError::invalid(
            "agreed",
            format!(
                "agreed on {agreed}, before it was drafted ({})",
                body.drafted
            ),
        ));
    }
    let statement = f::ProblemStatement {
        id: statement_id,
        group,
        text: body.text,
        drafted: body.drafted,
        agreed: body.agreed,
        participants,
    };
    let out = StatementOut::from(&statement);
    let sid = study.clone();
    let object = out.id.clone();
    let (_, audited) = state
        .write_audited(&audit, &object, StatusCode::CREATED, move |store| {
            store.add_statement(&sid, &statement).map_err(|e| {
                refused(e, |r| match facilitation(r)? {
                    FacilitationError::OutOfOrder { .. } => Some(("agreed".into(), None)),
                    _ => None,
                })
            })
        })
        .await?;
    Ok(created(object, out, audited))
}

#[utoipa::path(post, path = "/studies/{study}/groups/{group}/problem-statements/{statement}/agreement", security(("bearer" = [])),
    params(("study" = String, Path), ("group" = String, Path), ("statement" = String, Path)), request_body = AgreementIn,
    responses((status = 200, body = StatementOut), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem),
        (status = 413, body = Problem), (status = 422, body = Problem)))]
async fn agree_statement(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Extension(audit): Extension<AuditContext>,
    ApiPath((study, group, statement)): ApiPath<(String, String, String)>,
    ApiJson(body): ApiJson<AgreementIn>,
) -> Result<Response, ApiError> {
    let (study, group) = ids(&study, &group)?;
    let statement: StatementId = statement
        .parse()
        .map_err(|_| ApiError::not_found("such problem statement"))?;
    let wanted = statement.clone();
    with_group(
        &state,
        &caller,
        study.clone(),
        group,
        true,
        move |s, group| {
            s.facilitation()
                .statements()
                .iter()
                .find(|x| x.id == wanted && &x.group == group)
                .map(|_| ())
                .ok_or_else(|| ApiError::not_found("such problem statement in this group"))
        },
    )
    .await?;
    let (sid, stid) = (study.clone(), statement.clone());
    let object = statement.to_string();
    let (_, audited) = state
        .write_audited(&audit, &object, StatusCode::OK, move |store| {
            store.agree_statement(&sid, &stid, body.date)
        })
        .await?;
    let after = state
        .record(study, move |s| {
            s.facilitation()
                .statements()
                .iter()
                .find(|x| x.id == statement)
                .map(StatementOut::from)
                .ok_or_else(|| ApiError::not_found(format!("problem statement `{statement}`")))
        })
        .await?;
    Ok(changed(object, after, audited))
}

#[utoipa::path(get, path = "/studies/{study}/groups/{group}/process", security(("bearer" = [])),
    params(("study" = String, Path), ("group" = String, Path)),
    responses((status = 200, body = [MoveOut]), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn list_moves(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiPath((study, group)): ApiPath<(String, String)>,
) -> Result<Json<Vec<MoveOut>>, ApiError> {
    group_records(
        &state,
        &caller,
        (&study, &group),
        Facilitation::moves,
        |x: &f::ProcessMove| &x.group,
        |x| MoveOut::from(x),
    )
    .await
}

#[utoipa::path(post, path = "/studies/{study}/groups/{group}/process", security(("bearer" = [])),
    params(("study" = String, Path), ("group" = String, Path)), request_body = MoveIn,
    responses((status = 201, body = MoveOut), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem),
        (status = 413, body = Problem), (status = 422, body = Problem)))]
async fn add_move(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Extension(audit): Extension<AuditContext>,
    ApiPath((study, group)): ApiPath<(String, String)>,
    ApiJson(body): ApiJson<MoveIn>,
) -> Result<Response, ApiError> {
    let (study, group) = ids(&study, &group)?;
    with_group(
        &state,
        &caller,
        study.clone(),
        group.clone(),
        true,
        |_, _| Ok(()),
    )
    .await?;
    let m = f::ProcessMove {
        group,
        date: body.date,
        phase: body.phase.into(),
        step: body.step.into(),
        note: body.note,
    };
    let out = MoveOut::from(&m);
    let sid = study.clone();
    let object = out.group.clone();
    let (_, audited) = state
        .write_audited(&audit, &object, StatusCode::CREATED, move |store| {
            store.add_move(&sid, &m).map_err(|e| {
                refused(e, |r| match facilitation(r)? {
                    FacilitationError::StepOutsidePhase { .. } => Some(("step".into(), None)),
                    _ => None,
                })
            })
        })
        .await?;
    // A move has no id of its own: the object is the group's process.
    Ok(created(object, out, audited))
}

#[utoipa::path(get, path = "/studies/{study}/groups/{group}/process/timeline", security(("bearer" = [])),
    params(("study" = String, Path), ("group" = String, Path)),
    responses((status = 200, body = [StayOut]), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn timeline(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiPath((study, group)): ApiPath<(String, String)>,
) -> Result<Json<Vec<StayOut>>, ApiError> {
    let (study, group) = ids(&study, &group)?;
    with_group(&state, &caller, study, group, false, move |s, group| {
        Ok(Json(
            f::pd_timeline(s.facilitation(), group)
                .into_iter()
                .map(StayOut::from)
                .collect(),
        ))
    })
    .await
}

#[utoipa::path(get, path = "/studies/{study}/groups/{group}/practices", security(("bearer" = [])),
    params(("study" = String, Path), ("group" = String, Path)),
    responses((status = 200, body = [PracticeOut]), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn list_practices(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiPath((study, group)): ApiPath<(String, String)>,
) -> Result<Json<Vec<PracticeOut>>, ApiError> {
    group_records(
        &state,
        &caller,
        (&study, &group),
        Facilitation::practices,
        |x: &f::PdPractice| &x.group,
        |x| PracticeOut::from(x),
    )
    .await
}

#[utoipa::path(post, path = "/studies/{study}/groups/{group}/practices", security(("bearer" = [])),
    params(("study" = String, Path), ("group" = String, Path)), request_body = PracticeIn,
    responses((status = 201, body = PracticeOut), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem),
        (status = 413, body = Problem), (status = 422, body = Problem)))]
async fn add_practice(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Extension(audit): Extension<AuditContext>,
    ApiPath((study, group)): ApiPath<(String, String)>,
    ApiJson(body): ApiJson<PracticeIn>,
) -> Result<Response, ApiError> {
    let (study, group) = ids(&study, &group)?;
    with_group(
        &state,
        &caller,
        study.clone(),
        group.clone(),
        true,
        |_, _| Ok(()),
    )
    .await?;
    let practice = f::PdPractice {
        id: new_id("practice")?,
        group,
        level: body.level.into(),
        description: body.description,
        observed: body.observed,
    };
    let out = PracticeOut::from(&practice);
    let sid = study.clone();
    let object = out.id.clone();
    let (_, audited) = state
        .write_audited(&audit, &object, StatusCode::CREATED, move |store| {
            store.add_practice(&sid, &practice)
        })
        .await?;
    Ok(created(object, out, audited))
}

#[utoipa::path(get, path = "/studies/{study}/groups/{group}/actions", security(("bearer" = [])),
    params(("study" = String, Path), ("group" = String, Path)),
    responses((status = 200, body = [ActionOut]), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn list_actions(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiPath((study, group)): ApiPath<(String, String)>,
) -> Result<Json<Vec<ActionOut>>, ApiError> {
    group_records(
        &state,
        &caller,
        (&study, &group),
        Facilitation::actions,
        |x: &f::TrialAction| &x.group,
        |x| ActionOut::from(x),
    )
    .await
}

#[utoipa::path(get, path = "/studies/{study}/groups/{group}/disseminations", security(("bearer" = [])),
    params(("study" = String, Path), ("group" = String, Path)),
    responses((status = 200, body = [DisseminationOut]), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn list_disseminations(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiPath((study, group)): ApiPath<(String, String)>,
) -> Result<Json<Vec<DisseminationOut>>, ApiError> {
    group_records(
        &state,
        &caller,
        (&study, &group),
        Facilitation::events,
        |x: &f::Dissemination| &x.group,
        |x| DisseminationOut::from(x),
    )
    .await
}

#[utoipa::path(post, path = "/studies/{study}/groups/{group}/disseminations", security(("bearer" = [])),
    params(("study" = String, Path), ("group" = String, Path)), request_body = DisseminationIn,
    responses((status = 201, body = DisseminationOut), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem),
        (status = 413, body = Problem), (status = 422, body = Problem)))]
async fn add_dissemination(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Extension(audit): Extension<AuditContext>,
    ApiPath((study, group)): ApiPath<(String, String)>,
    ApiJson(body): ApiJson<DisseminationIn>,
) -> Result<Response, ApiError> {
    let (study, group) = ids(&study, &group)?;
    let event_id = new_id("event")?;
    let action: Option<ActionId> = body
        .action
        .as_deref()
        .map(|a| id("action", a))
        .transpose()?;
    let spread = action.clone();
    with_group(
        &state,
        &caller,
        study.clone(),
        group.clone(),
        true,
        move |s, group| {
            // The action spread is one of this group's: another group's is none of its business.
            if let Some(a) = &spread {
                if s.facilitation().action(a).is_none_or(|x| &x.group != group) {
                    return Err(ApiError::invalid(
                        "action",
                        "this is not an action of the group",
                    ));
                }
            }
            Ok(())
        },
    )
    .await?;
    let event = f::Dissemination {
        id: event_id,
        group,
        date: body.date,
        audience: body.audience,
        action,
        note: body.note,
    };
    let out = DisseminationOut::from(&event);
    let sid = study.clone();
    let object = out.id.clone();
    let (_, audited) = state
        .write_audited(&audit, &object, StatusCode::CREATED, move |store| {
            store.add_event(&sid, &event).map_err(|e| {
                refused(e, |r| match facilitation(r)? {
                    FacilitationError::Unknown { kind: "action", .. } => {
                        Some(("action".into(), Some("this is not an action of the group")))
                    }
                    _ => None,
                })
            })
        })
        .await?;
    Ok(created(object, out, audited))
}

#[utoipa::path(get, path = "/studies/{study}/groups/{group}/contacts", security(("bearer" = [])),
    params(("study" = String, Path), ("group" = String, Path)),
    responses((status = 200, body = [ContactOut]), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn list_contacts(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiPath((study, group)): ApiPath<(String, String)>,
) -> Result<Json<Vec<ContactOut>>, ApiError> {
    let (study, group) = ids(&study, &group)?;
    let (c, sid) = (caller.clone(), study.clone());
    with_group(&state, &caller, study, group, false, move |s, group| {
        // A contact belongs to the group of its first member, as the analytics count it.
        Ok(Json(
            s.facilitation()
                .contacts()
                .iter()
                .filter(|x| member_of(s, &x.a, group) && contact_readable(s, &c, &sid, x))
                .map(ContactOut::from)
                .collect(),
        ))
    })
    .await
}

#[utoipa::path(get, path = "/studies/{study}/analytics/contacts", security(("bearer" = [])),
    params(("study" = String, Path), ContactsQuery),
    responses((status = 200, body = [ContactCountOut]), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn contact_counts(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiPath(study): ApiPath<String>,
    ApiQuery(q): ApiQuery<ContactsQuery>,
) -> Result<Json<Vec<ContactCountOut>>, ApiError> {
    let c = caller.clone();
    with_readable_study(&state, &caller, &study, move |s, study| {
        let record = readable_record(s, &c, study)?;
        let counts = match q.by {
            ContactKey::Group => f::contacts_by_group(s, &record),
            ContactKey::Month => f::contacts_by_month(s, &record),
        };
        Ok(Json(
            counts.into_iter().map(ContactCountOut::from).collect(),
        ))
    })
    .await
}

#[utoipa::path(get, path = "/studies/{study}/analytics/composition", security(("bearer" = [])),
    params(("study" = String, Path)),
    responses((status = 200, body = [CompositionOut]), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn study_composition(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiPath(study): ApiPath<String>,
) -> Result<Json<Vec<CompositionOut>>, ApiError> {
    let c = caller.clone();
    with_readable_study(&state, &caller, &study, move |s, study| {
        Ok(Json(
            f::composition(s)
                .into_iter()
                .filter(|x| c.may_read_group(study, &x.group))
                .map(CompositionOut::from)
                .collect(),
        ))
    })
    .await
}

#[utoipa::path(get, path = "/studies/{study}/analytics/attendance", security(("bearer" = [])),
    params(("study" = String, Path), AttendanceQuery),
    responses((status = 200, body = [RateOut]), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn study_attendance(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiPath(study): ApiPath<String>,
    ApiQuery(q): ApiQuery<AttendanceQuery>,
) -> Result<Json<Vec<RateOut>>, ApiError> {
    let c = caller.clone();
    with_readable_study(&state, &caller, &study, move |s, study| {
        let record = readable_record(s, &c, study)?;
        Ok(Json(rates(s, &record, &q, None)?))
    })
    .await
}

#[utoipa::path(get, path = "/studies/{study}/assessments", security(("bearer" = [])),
    params(("study" = String, Path)),
    responses((status = 200, body = [AssessmentIn]), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn list_assessments(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiPath(study): ApiPath<String>,
) -> Result<Json<Vec<AssessmentIn>>, ApiError> {
    caller.require(caller.may_read_study())?;
    with_readable_study(&state, &caller, &study, |s, _| {
        Ok(Json(
            s.facilitation()
                .assessments()
                .iter()
                .map(AssessmentIn::from)
                .collect(),
        ))
    })
    .await
}

#[utoipa::path(get, path = "/studies/{study}/sources", security(("bearer" = [])),
    params(("study" = String, Path)),
    responses((status = 200, body = [SourceOut]), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn list_sources(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiPath(study): ApiPath<String>,
) -> Result<Json<Vec<SourceOut>>, ApiError> {
    // The list names informants, research participants: it is the analysis side's, as
    // assessments are (the route's layer has checked this already).
    caller.require(caller.may_read_study())?;
    let study: StudyId = study
        .parse()
        .map_err(|_| ApiError::not_found("such study"))?;
    // Counts of units and codings are not in the record held in memory: the store counts
    // them, without reading any source's text.
    let rows = state.read(move |store| store.sources(&study)).await?;
    Ok(Json(rows.iter().map(SourceOut::from).collect()))
}

#[utoipa::path(get, path = "/studies/{study}/guides", security(("bearer" = [])),
    params(("study" = String, Path)),
    responses((status = 200, body = [GuideOut]), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn list_guides(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiPath(study): ApiPath<String>,
) -> Result<Json<Vec<GuideOut>>, ApiError> {
    // A guide is the researchers' own text, no informant's words; it is kept on the analysis
    // side with the sources that follow it (the route's layer has checked this already).
    caller.require(caller.may_read_study())?;
    // The guides are in the record held in memory: no codings, no source's text is read.
    with_readable_study(&state, &caller, &study, |s, _| {
        Ok(Json(s.guides().iter().map(GuideOut::from).collect()))
    })
    .await
}

/// The most entries one request of the journal gets.
const HISTORY_MAX: u32 = 1000;

#[utoipa::path(get, path = "/studies/{study}/history", security(("bearer" = [])),
    params(("study" = String, Path), HistoryQuery),
    responses((status = 200, body = [HistoryEntryOut]), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn history(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiPath(study): ApiPath<String>,
    ApiQuery(q): ApiQuery<HistoryQuery>,
) -> Result<Json<Vec<HistoryEntryOut>>, ApiError> {
    // The journal names informants, codings and memos of the whole study: the analysis
    // side's, as the sources are (the route's layer has checked this already).
    caller.require(caller.may_read_study())?;
    let study: StudyId = study
        .parse()
        .map_err(|_| ApiError::not_found("such study"))?;
    let limit = q.limit.unwrap_or(50);
    if !(1..=HISTORY_MAX).contains(&limit) {
        return Err(ApiError::invalid(
            "limit",
            format!("this must be from 1 to {HISTORY_MAX}"),
        ));
    }
    let entries = state
        .read(move |store| store.history(Some(&study), limit as usize))
        .await?;
    // Entries of the store as a whole name tokens and their holders' grants, which only an
    // admin may list: an analyst sees the study's own entries.
    let admin = matches!(caller.0.role, samskap_store::TokenRole::Admin);
    Ok(Json(
        entries
            .into_iter()
            .filter(|e| admin || e.study.is_some())
            .map(HistoryEntryOut::from)
            .collect(),
    ))
}

/// The OpenAPI document, generated from the handlers and wire types above.
#[derive(OpenApi)]
#[openapi(
    info(title = "samskap facilitators' API", description = "Groups, meetings, attendance and the PD process of a co-creation project."),
    paths(health, list_studies, list_attributes, list_municipalities, list_groups, list_members, add_member,
        list_meetings, add_meeting, agree_statement,
        set_attendance, add_action, advance_action, add_contact, add_assessment, attendance,
        composition, get_rules, set_rules, list_statements, add_statement, list_moves, add_move,
        timeline, list_practices, add_practice, list_actions, list_disseminations,
        add_dissemination, list_contacts, contact_counts, study_composition, study_attendance,
        list_assessments, list_sources, list_guides, history, add_coding, remove_coding),
    components(schemas(Problem, Id)),
    modifiers(&BearerAuth, &Conventions)
)]
pub struct ApiDoc;

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

async fn openapi() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}

async fn fallback() -> ApiError {
    ApiError::not_found("such resource")
}

/// The route table. Routes under a group check the caller's access to that group, and the
/// analysis routes (assessments, codings, sources, guides, the journal) the caller's role, before anything reads
/// the body or the path: a caller without access gets 403 whatever the body holds.
pub fn router(state: AppState) -> Router {
    const G: &str = "/studies/{study}/groups/{group}";
    let groups = Router::new()
        .route(&format!("{G}/members"), get(list_members).post(add_member))
        .route(
            &format!("{G}/problem-statements/{{statement}}/agreement"),
            post(agree_statement),
        )
        .route(
            &format!("{G}/meetings"),
            get(list_meetings).post(add_meeting),
        )
        .route(
            &format!("{G}/meetings/{{meeting}}/attendance"),
            put(set_attendance),
        )
        .route(&format!("{G}/rules"), get(get_rules).put(set_rules))
        .route(
            &format!("{G}/problem-statements"),
            get(list_statements).post(add_statement),
        )
        .route(&format!("{G}/process"), get(list_moves).post(add_move))
        .route(&format!("{G}/process/timeline"), get(timeline))
        .route(
            &format!("{G}/practices"),
            get(list_practices).post(add_practice),
        )
        .route(&format!("{G}/actions"), get(list_actions).post(add_action))
        .route(
            &format!("{G}/actions/{{action}}/transitions"),
            post(advance_action),
        )
        .route(
            &format!("{G}/contacts"),
            get(list_contacts).post(add_contact),
        )
        .route(
            &format!("{G}/disseminations"),
            get(list_disseminations).post(add_dissemination),
        )
        .route(&format!("{G}/attendance"), get(attendance))
        .route(&format!("{G}/composition"), get(composition))
        .route_layer(middleware::from_fn(group_access));
    let assessments = Router::new()
        .route(
            "/studies/{study}/assessments",
            get(list_assessments).post(add_assessment),
        )
        .route(
            "/studies/{study}/codings",
            post(add_coding).delete(remove_coding),
        )
        .route("/studies/{study}/sources", get(list_sources))
        .route("/studies/{study}/guides", get(list_guides))
        .route("/studies/{study}/history", get(history))
        .route_layer(middleware::from_fn(assessment_access));
    let protected = Router::new()
        .route("/openapi.json", get(openapi))
        .route("/studies", get(list_studies))
        .route("/studies/{study}/groups", get(list_groups))
        .route("/studies/{study}/attributes", get(list_attributes))
        .route("/studies/{study}/municipalities", get(list_municipalities))
        .route("/studies/{study}/analytics/contacts", get(contact_counts))
        .route(
            "/studies/{study}/analytics/composition",
            get(study_composition),
        )
        .route(
            "/studies/{study}/analytics/attendance",
            get(study_attendance),
        )
        .merge(groups)
        .merge(assessments)
        .route_layer(middleware::from_fn_with_state(state.clone(), authenticate));
    Router::new()
        .route("/health", get(health))
        .merge(protected)
        .fallback(fallback)
        .with_state(state)
}
