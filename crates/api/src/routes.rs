//! The route table and the handlers: decode, check access, call the store, encode.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::middleware;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Extension, Json, Router};
use samskap_core::facilitation::{self as f, AttendanceBy};
use samskap_core::{GroupId, Study, StudyId};
use serde::Deserialize;
use utoipa::{IntoParams, OpenApi};

use crate::auth::{authenticate, Caller, ObjectId};
use crate::error::{ApiError, Problem};
use crate::state::AppState;
use crate::wire::*;

/// Largest request body accepted (bigger gets 413).
pub const BODY_LIMIT: usize = 64 * 1024;

/// JSON bodies whose rejections become problem details.
pub struct ApiJson<T>(pub T);

impl<T, S> axum::extract::FromRequest<S> for ApiJson<T>
where
    Json<T>: axum::extract::FromRequest<S, Rejection = axum::extract::rejection::JsonRejection>,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, ApiError> {
        Json::<T>::from_request(req, state)
            .await
            .map(|Json(v)| ApiJson(v))
            .map_err(ApiError::from)
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

/// 201 with the object's id noted for the audit log.
fn created(object: String, body: impl serde::Serialize) -> Response {
    let mut r = (StatusCode::CREATED, Json(body)).into_response();
    r.extensions_mut().insert(ObjectId(object));
    r
}

fn changed(object: String, body: impl serde::Serialize) -> Response {
    let mut r = Json(body).into_response();
    r.extensions_mut().insert(ObjectId(object));
    r
}

/// Loads a study the caller may see something of, and checks the group exists.
async fn study_with_group(
    state: &AppState,
    caller: &Caller,
    study: &StudyId,
    group: &GroupId,
    write: bool,
) -> Result<Study, ApiError> {
    let allowed = if write {
        caller.may_write_group(study, group)
    } else {
        caller.may_read_group(study, group)
    };
    // Access first: a facilitator learns nothing, not even whether the group exists.
    caller.require(allowed)?;
    let sid = study.clone();
    let s = state
        .with_store(move |store| store.load_study(&sid))
        .await?;
    if !s.groups().iter().any(|g| &g.id == group) {
        return Err(ApiError::not_found(format!("group `{group}`")));
    }
    Ok(s)
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
    let studies = state.with_store(|store| store.studies()).await?;
    Ok(Json(
        studies
            .into_iter()
            .filter(|s| caller.may_read_study() || caller.0.groups.iter().any(|(x, _)| x == &s.id))
            .map(|s| StudyOut {
                id: s.id.to_string(),
                title: s.title,
                framework: s.framework.to_string(),
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
    Path(study): Path<String>,
) -> Result<Json<Vec<GroupOut>>, ApiError> {
    let study: StudyId = study
        .parse()
        .map_err(|_| ApiError::not_found("such study"))?;
    if !caller.may_read_study() && !caller.0.groups.iter().any(|(s, _)| s == &study) {
        return Err(ApiError::forbidden());
    }
    let sid = study.clone();
    let outline = state
        .with_store(move |store| store.load_study(&sid))
        .await?;
    Ok(Json(
        outline
            .groups()
            .iter()
            .filter(|g| caller.may_read_group(&study, &g.id))
            .map(|g| GroupOut {
                id: g.id.to_string(),
                name: g.name.clone(),
                municipalities: g.municipalities.iter().map(ToString::to_string).collect(),
                studied: g.studied,
            })
            .collect(),
    ))
}

#[utoipa::path(get, path = "/studies/{study}/groups/{group}/members", security(("bearer" = [])),
    params(("study" = String, Path), ("group" = String, Path)),
    responses((status = 200, body = [MemberOut]), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn list_members(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path((study, group)): Path<(String, String)>,
) -> Result<Json<Vec<MemberOut>>, ApiError> {
    let (study, group) = ids(&study, &group)?;
    let s = study_with_group(&state, &caller, &study, &group, false).await?;
    Ok(Json(
        s.members()
            .iter()
            .filter(|m| m.group == group)
            .map(|m| MemberOut {
                id: m.id.to_string(),
                group: m.group.to_string(),
                sector: m.sector.as_str().to_owned(),
                service: m.service.clone(),
                youth: m.youth,
                pd_youth: m.pd_youth,
            })
            .collect(),
    ))
}

#[utoipa::path(get, path = "/studies/{study}/groups/{group}/meetings", security(("bearer" = [])),
    params(("study" = String, Path), ("group" = String, Path)),
    responses((status = 200, body = [MeetingOut]), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn list_meetings(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path((study, group)): Path<(String, String)>,
) -> Result<Json<Vec<MeetingOut>>, ApiError> {
    let (study, group) = ids(&study, &group)?;
    let s = study_with_group(&state, &caller, &study, &group, false).await?;
    Ok(Json(
        s.facilitation()
            .meetings()
            .iter()
            .filter(|(m, _)| m.group == group)
            .map(|(m, a)| MeetingOut::from_core(m, a))
            .collect(),
    ))
}

#[utoipa::path(post, path = "/studies/{study}/groups/{group}/meetings", security(("bearer" = [])),
    params(("study" = String, Path), ("group" = String, Path)), request_body = MeetingIn,
    responses((status = 201, body = MeetingOut), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem),
        (status = 413, body = Problem), (status = 422, body = Problem)))]
async fn add_meeting(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path((study, group)): Path<(String, String)>,
    ApiJson(body): ApiJson<MeetingIn>,
) -> Result<Response, ApiError> {
    let (study, group) = ids(&study, &group)?;
    study_with_group(&state, &caller, &study, &group, true).await?;
    let meeting = f::Meeting {
        id: id("id", &body.id)?,
        group,
        kind: body.kind.into(),
        date: body.date,
        note: body.note,
    };
    let out = MeetingOut::from_core(&meeting, &[]);
    let sid = study.clone();
    state
        .with_store(move |store| store.add_meeting(&sid, &meeting))
        .await?;
    Ok(created(out.id.clone(), out))
}

#[utoipa::path(put, path = "/studies/{study}/groups/{group}/meetings/{meeting}/attendance", security(("bearer" = [])),
    params(("study" = String, Path), ("group" = String, Path), ("meeting" = String, Path)), request_body = AttendanceIn,
    responses((status = 200, body = MeetingOut), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem), (status = 413, body = Problem), (status = 422, body = Problem)))]
async fn set_attendance(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path((study, group, meeting)): Path<(String, String, String)>,
    ApiJson(body): ApiJson<AttendanceIn>,
) -> Result<Response, ApiError> {
    let (study, group) = ids(&study, &group)?;
    let s = study_with_group(&state, &caller, &study, &group, true).await?;
    let meeting: samskap_core::MeetingId = meeting
        .parse()
        .map_err(|_| ApiError::not_found("such meeting"))?;
    let Some((m, _)) = s
        .facilitation()
        .meeting(&meeting)
        .filter(|(m, _)| m.group == group)
    else {
        return Err(ApiError::not_found(format!(
            "meeting `{meeting}` in this group"
        )));
    };
    let m = m.clone();
    let attendance = body
        .attendance
        .into_iter()
        .map(|a| {
            Ok(f::Attendance {
                member: id("attendance.member", &a.member)?,
                presence: a.presence.into(),
            })
        })
        .collect::<Result<Vec<_>, ApiError>>()?;
    let out = MeetingOut::from_core(&m, &attendance);
    let sid = study.clone();
    let mid = meeting.clone();
    state
        .with_store(move |store| store.set_attendance(&sid, &mid, &attendance))
        .await?;
    Ok(changed(meeting.to_string(), out))
}

#[utoipa::path(post, path = "/studies/{study}/groups/{group}/actions", security(("bearer" = [])),
    params(("study" = String, Path), ("group" = String, Path)), request_body = ActionIn,
    responses((status = 201, body = ActionOut), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem),
        (status = 413, body = Problem), (status = 422, body = Problem)))]
async fn add_action(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path((study, group)): Path<(String, String)>,
    ApiJson(body): ApiJson<ActionIn>,
) -> Result<Response, ApiError> {
    let (study, group) = ids(&study, &group)?;
    study_with_group(&state, &caller, &study, &group, true).await?;
    let action = f::TrialAction {
        id: id("id", &body.id)?,
        group,
        kind: match body.kind {
            ActionKind::TrialAction => f::ActionKind::TrialAction,
            ActionKind::Intervention => f::ActionKind::Intervention,
        },
        title: body.title,
        history: vec![f::Transition {
            state: f::ActionState::Planned,
            date: body.date,
            note: body.note,
        }],
    };
    let out = ActionOut::from(&action);
    let sid = study.clone();
    state
        .with_store(move |store| store.add_action(&sid, &action))
        .await?;
    Ok(created(out.id.clone(), out))
}

#[utoipa::path(post, path = "/studies/{study}/groups/{group}/actions/{action}/transitions", security(("bearer" = [])),
    params(("study" = String, Path), ("group" = String, Path), ("action" = String, Path)), request_body = TransitionIn,
    responses((status = 200, body = ActionOut), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem),
        (status = 413, body = Problem), (status = 422, body = Problem)))]
async fn advance_action(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path((study, group, action)): Path<(String, String, String)>,
    ApiJson(body): ApiJson<TransitionIn>,
) -> Result<Response, ApiError> {
    let (study, group) = ids(&study, &group)?;
    let s = study_with_group(&state, &caller, &study, &group, true).await?;
    let action: samskap_core::ActionId = action
        .parse()
        .map_err(|_| ApiError::not_found("such action"))?;
    let Some(a) = s
        .facilitation()
        .action(&action)
        .filter(|a| a.group == group)
    else {
        return Err(ApiError::not_found(format!(
            "action `{action}` in this group"
        )));
    };
    let mut after = a.clone();
    let t = f::Transition {
        state: body.state.into(),
        date: body.date,
        note: body.note,
    };
    after.history.push(t.clone());
    let sid = study.clone();
    let aid = action.clone();
    state
        .with_store(move |store| store.advance_action(&sid, &aid, &t))
        .await?;
    Ok(changed(action.to_string(), ActionOut::from(&after)))
}

#[utoipa::path(post, path = "/studies/{study}/groups/{group}/contacts", security(("bearer" = [])),
    params(("study" = String, Path), ("group" = String, Path)), request_body = ContactIn,
    responses((status = 201, body = ContactIn), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem),
        (status = 413, body = Problem), (status = 422, body = Problem)))]
async fn add_contact(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path((study, group)): Path<(String, String)>,
    ApiJson(body): ApiJson<ContactIn>,
) -> Result<Response, ApiError> {
    let (study, group) = ids(&study, &group)?;
    let s = study_with_group(&state, &caller, &study, &group, true).await?;
    let contact = f::Contact {
        id: id("id", &body.id)?,
        a: id("a", &body.a)?,
        b: id("b", &body.b)?,
        date: body.date,
        note: body.note.clone(),
    };
    // A facilitator records contacts within their own group.
    for (field, m) in [("a", &contact.a), ("b", &contact.b)] {
        if !s.members().iter().any(|x| &x.id == m && x.group == group) {
            return Err(ApiError::invalid(
                field,
                format!("`{m}` is not a member of `{group}`"),
            ));
        }
    }
    let sid = study.clone();
    state
        .with_store(move |store| store.add_contact(&sid, &contact))
        .await?;
    Ok(created(body.id.clone(), body))
}

#[utoipa::path(post, path = "/studies/{study}/assessments", security(("bearer" = [])),
    params(("study" = String, Path)), request_body = AssessmentIn,
    responses((status = 201, body = AssessmentIn), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem),
        (status = 413, body = Problem), (status = 422, body = Problem)))]
async fn add_assessment(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(study): Path<String>,
    ApiJson(body): ApiJson<AssessmentIn>,
) -> Result<Response, ApiError> {
    caller.require(caller.may_assess())?;
    let study: StudyId = study
        .parse()
        .map_err(|_| ApiError::not_found("such study"))?;
    let assessment = f::Assessment {
        id: id("id", &body.id)?,
        subject: match &body.subject {
            SubjectIn::Group(g) => f::Subject::Group(id("subject.group", g)?),
            SubjectIn::Service(s) => f::Subject::Service(s.clone()),
        },
        value: match &body.value {
            ValueIn::Ladder(step) => f::AssessmentValue::Ladder(*step),
            ValueIn::Logic(l) => f::AssessmentValue::Logic(match l {
                Logic::Tb => f::InstitutionalLogic::Tb,
                Logic::Npm => f::InstitutionalLogic::Npm,
                Logic::Npg => f::InstitutionalLogic::Npg,
            }),
        },
        assessor: id("assessor", &body.assessor)?,
        date: body.date,
        note: body.note.clone(),
        evidence: body
            .evidence
            .iter()
            .map(|e| {
                Ok(f::Evidence {
                    informant: id("evidence.informant", &e.informant)?,
                    start: e.start,
                    end: e.end,
                })
            })
            .collect::<Result<_, ApiError>>()?,
    };
    state
        .with_store(move |store| store.add_assessment(&study, &assessment))
        .await?;
    Ok(created(body.id.clone(), body))
}

/// Query of the attendance analytics.
#[derive(Debug, Deserialize, IntoParams)]
pub struct AttendanceQuery {
    /// member, service, sector or month.
    pub by: AttendanceKey,
    /// Only rates below this (0–1): the ones that stay away.
    pub below: Option<f64>,
}

/// What attendance is grouped by.
#[derive(Debug, Clone, Copy, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum AttendanceKey {
    /// Each member.
    Member,
    /// Each service.
    Service,
    /// Each sector.
    Sector,
    /// Each month.
    Month,
}

#[utoipa::path(get, path = "/studies/{study}/groups/{group}/attendance", security(("bearer" = [])),
    params(("study" = String, Path), ("group" = String, Path), AttendanceQuery),
    responses((status = 200, body = [RateOut]), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn attendance(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path((study, group)): Path<(String, String)>,
    query: Result<Query<AttendanceQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<Vec<RateOut>>, ApiError> {
    let Query(q) = query?;
    let (study, group) = ids(&study, &group)?;
    let s = study_with_group(&state, &caller, &study, &group, false).await?;
    let by = match q.by {
        AttendanceKey::Member => AttendanceBy::Member,
        AttendanceKey::Service => AttendanceBy::Service,
        AttendanceKey::Sector => AttendanceBy::Sector,
        AttendanceKey::Month => AttendanceBy::Month,
    };
    Ok(Json(
        f::attendance_rates(&s, s.facilitation(), by, Some(&group))
            .into_iter()
            .filter(|r| q.below.is_none_or(|b| r.rate < b))
            .map(|r| RateOut {
                key: r.key,
                present: r.present,
                recorded: r.recorded,
                rate: r.rate,
            })
            .collect(),
    ))
}

#[utoipa::path(get, path = "/studies/{study}/groups/{group}/composition", security(("bearer" = [])),
    params(("study" = String, Path), ("group" = String, Path)),
    responses((status = 200, body = CompositionOut), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn composition(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path((study, group)): Path<(String, String)>,
) -> Result<Json<CompositionOut>, ApiError> {
    let (study, group) = ids(&study, &group)?;
    let s = study_with_group(&state, &caller, &study, &group, false).await?;
    let c = f::composition(&s)
        .into_iter()
        .find(|c| c.group == group)
        .ok_or_else(|| ApiError::not_found("such group"))?;
    Ok(Json(CompositionOut {
        group: c.group.to_string(),
        members: c.members,
        sectors: c
            .sectors
            .into_iter()
            .map(|(s, n)| SectorCount {
                sector: s.as_str().to_owned(),
                members: n,
            })
            .collect(),
        youth: c.youth,
        pd_youth: c.pd_youth,
        blau: c.blau,
    }))
}

/// The OpenAPI document, generated from the handlers and wire types above.
#[derive(OpenApi)]
#[openapi(
    info(title = "samskap facilitators' API", description = "Groups, meetings, attendance and the PD process of a co-creation project."),
    paths(health, list_studies, list_groups, list_members, list_meetings, add_meeting,
        set_attendance, add_action, advance_action, add_contact, add_assessment, attendance,
        composition),
    components(schemas(Problem)),
    modifiers(&BearerAuth)
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

/// The route table.
pub fn router(state: AppState) -> Router {
    let protected = Router::new()
        .route("/openapi.json", get(openapi))
        .route("/studies", get(list_studies))
        .route("/studies/{study}/groups", get(list_groups))
        .route("/studies/{study}/groups/{group}/members", get(list_members))
        .route(
            "/studies/{study}/groups/{group}/meetings",
            get(list_meetings).post(add_meeting),
        )
        .route(
            "/studies/{study}/groups/{group}/meetings/{meeting}/attendance",
            put(set_attendance),
        )
        .route("/studies/{study}/groups/{group}/actions", post(add_action))
        .route(
            "/studies/{study}/groups/{group}/actions/{action}/transitions",
            post(advance_action),
        )
        .route(
            "/studies/{study}/groups/{group}/contacts",
            post(add_contact),
        )
        .route("/studies/{study}/assessments", post(add_assessment))
        .route(
            "/studies/{study}/groups/{group}/attendance",
            get(attendance),
        )
        .route(
            "/studies/{study}/groups/{group}/composition",
            get(composition),
        )
        .route_layer(middleware::from_fn_with_state(state.clone(), authenticate));
    Router::new()
        .route("/health", get(health))
        .merge(protected)
        .fallback(fallback)
        .layer(axum::extract::DefaultBodyLimit::max(BODY_LIMIT))
        .with_state(state)
}
