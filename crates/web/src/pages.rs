//! The facilitators' pages: my groups, a group, a meeting's attendance, a new meeting, the PD
//! process, the trial actions, the problem statements, the new contacts and the analytics.
//!
//! Each page reads the study's record held in memory ([`AppState::record`]) after the same
//! access rule as the API's (`Caller::may_read_group`, `may_write_group`, checked before
//! anything is read, so a facilitator learns nothing of another group, not even whether it
//! exists). Each form is written through the same checked write of the store as the API's
//! route for it, with its audit entry in the same transaction ([`AppState::write_audited`]);
//! the model's refusals come back typed and are told in the reader's words. No SQL and no rule
//! of the model is here.

use std::collections::HashMap;
use std::future::Future;
use std::time::SystemTime;

use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{DateTime, NaiveDate, Utc};
use samskap_api::{contact_readable, member_of, new_id, readable_record, ApiError, AppState};
use samskap_core::facilitation::{
    self as f, attendance_rates, composition, contacts_by_group, pd_timeline, ActionKind,
    ActionState, AttendanceBy, MeetingKind, PdStep, Phase, Presence,
};
use samskap_core::{GroupId, MemberId, Study, StudyId};
use samskap_store::{Store, StoreError};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::i18n::{self, action_kind, meeting_kind, presence, Lang};
use crate::session::{anonymous_chrome, error_page, Posted, Signed, BASE};
use crate::view::*;

/// Why a page could not be shown or a form not taken.
pub(crate) enum Fail {
    /// A page of its own saying so (403, 404, 429, 5xx).
    Page(StatusCode, String),
    /// The form's page again, with the words above it (409, 422): nothing was written.
    Form(StatusCode, String),
    /// The session ended while the request ran (its token revoked).
    SignIn,
}

impl Fail {
    /// An error of the shared parts (access, store, model) in `l`'s words.
    pub(crate) fn from_api(l: Lang, e: &ApiError) -> Self {
        let t = i18n::texts(l);
        match e.status() {
            StatusCode::UNAUTHORIZED => Fail::SignIn,
            StatusCode::FORBIDDEN => Fail::Page(StatusCode::FORBIDDEN, t.forbidden.into()),
            StatusCode::NOT_FOUND => Fail::Page(StatusCode::NOT_FOUND, t.not_found.into()),
            s @ (StatusCode::CONFLICT | StatusCode::UNPROCESSABLE_ENTITY) => {
                let words = match e.refusal() {
                    Some(r) => i18n::refusal(l, r),
                    None => format!("{}: {}", t.refused, e.detail()),
                };
                Fail::Form(s, words)
            }
            StatusCode::TOO_MANY_REQUESTS => Fail::Page(
                StatusCode::TOO_MANY_REQUESTS,
                i18n::too_many(l, e.retry_after().unwrap_or(1)),
            ),
            StatusCode::SERVICE_UNAVAILABLE => Fail::Page(e.status(), t.busy.into()),
            s if s.is_server_error() => Fail::Page(s, t.server.into()),
            s => Fail::Page(s, e.detail().into()),
        }
    }

    pub(crate) fn forbidden(l: Lang) -> Self {
        Fail::Page(StatusCode::FORBIDDEN, i18n::texts(l).forbidden.into())
    }

    pub(crate) fn not_found(l: Lang) -> Self {
        Fail::Page(StatusCode::NOT_FOUND, i18n::texts(l).not_found.into())
    }

    /// A field of a form that cannot be taken as it is.
    pub(crate) fn field(words: String) -> Self {
        Fail::Form(StatusCode::UNPROCESSABLE_ENTITY, words)
    }
}

/// The page for a failure (a form's failures have their page drawn by the form's handler).
pub(crate) fn failed(signed: &Signed, fail: Fail) -> Response {
    match fail {
        Fail::Page(status, words) | Fail::Form(status, words) => signed.error(status, words),
        Fail::SignIn => Redirect::to(&format!("{BASE}/sign-in")).into_response(),
    }
}

/// The parameters of a page's path. One that does not decode names nothing: 404.
pub struct Params(HashMap<String, String>);

impl Params {
    pub(crate) fn get(&self, name: &str) -> &str {
        self.0.get(name).map_or("", String::as_str)
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Params {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Response> {
        match Path::<HashMap<String, String>>::from_request_parts(parts, state).await {
            Ok(Path(map)) => Ok(Params(map)),
            Err(_) => {
                let c = anonymous_chrome(&parts.headers, parts.uri.path());
                let words = c.t.not_found.to_owned();
                Err(error_page(c, StatusCode::NOT_FOUND, words))
            }
        }
    }
}

/// `?saved=1` after a form was taken.
#[derive(Debug, Deserialize)]
pub struct Shown {
    saved: Option<String>,
}

/// The date today (UTC: the server keeps no time zone; a form's date can be changed).
fn today() -> NaiveDate {
    DateTime::<Utc>::from(SystemTime::now()).date_naive()
}

/// A date as a date field holds it.
fn iso(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// The name a value of the model goes by in forms: its name in the API and the bundle.
fn wire<T: Serialize>(v: T) -> String {
    match serde_json::to_value(v) {
        Ok(serde_json::Value::String(s)) => s,
        _ => String::new(),
    }
}

/// A value of the model from its name in a form.
fn unwire<T: DeserializeOwned>(s: &str) -> Option<T> {
    serde_json::from_value(serde_json::Value::String(s.to_owned())).ok()
}

/// A required date field.
fn date_field(l: Lang, posted: &Posted, name: &str, label: &str) -> Result<NaiveDate, Fail> {
    let given = posted.get(name);
    if given.is_empty() {
        return Err(Fail::field(i18n::missing(l, label)));
    }
    samskap_core::date::parse(given).map_err(|_| Fail::field(i18n::not_a_date(l, label, given)))
}

/// An optional free-text field.
pub(crate) fn note_field(posted: &Posted, name: &str) -> Option<String> {
    Some(posted.get(name).to_owned()).filter(|n| !n.is_empty())
}

fn group_href(study: &StudyId, group: &GroupId) -> String {
    let enc = |s: &str| form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
    format!(
        "{BASE}/studies/{}/groups/{}",
        enc(study.as_str()),
        enc(group.as_str())
    )
}

/// Path ids, checked once: a malformed id names nothing.
fn ids(l: Lang, p: &Params) -> Result<(StudyId, GroupId), Fail> {
    Ok((
        p.get("study").parse().map_err(|_| Fail::not_found(l))?,
        p.get("group").parse().map_err(|_| Fail::not_found(l))?,
    ))
}

/// Runs `f` on the study of a group the caller may read (or write), once the group is known
/// to exist, with the group's head for its page. Access is decided first, as the API does.
async fn with_group<T: Send + 'static>(
    state: &AppState,
    signed: &Signed,
    (study, group): (StudyId, GroupId),
    write: bool,
    f: impl FnOnce(&Study, &GroupId, GroupHead) -> Result<T, Fail> + Send + 'static,
) -> Result<T, Fail> {
    let l = signed.lang;
    let caller = &signed.caller;
    let allowed = if write {
        caller.may_write_group(&study, &group)
    } else {
        caller.may_read_group(&study, &group)
    };
    if !allowed {
        return Err(Fail::forbidden(l));
    }
    let can_write = caller.may_write_group(&study, &group);
    let href = group_href(&study, &group);
    state
        .record(study, move |s| {
            let Some(g) = s.groups().iter().find(|g| g.id == group) else {
                return Ok(Err(Fail::not_found(l)));
            };
            let head = GroupHead {
                study: s.meta().title.clone(),
                name: g.name.clone(),
                href,
                can_write,
                notice: l.notice(s.meta().provenance),
            };
            Ok(f(s, &group, head))
        })
        .await
        .map_err(|e| Fail::from_api(l, &e))?
}

/// A checked write of the store through the API's state, with the audit entry of the form's
/// request committed in its transaction; when it was refused (or made no checked write) the
/// entry is written after with the status the form got, as the API's middleware does.
pub(crate) async fn write<T: Send + 'static>(
    state: &AppState,
    signed: &Signed,
    object: &str,
    status: StatusCode,
    f: impl FnOnce(&mut Store) -> Result<T, StoreError> + Send + 'static,
) -> Result<T, Fail> {
    let audit = signed.audit();
    let (out, logged) = match state.write_audited(&audit, object, status, f).await {
        Ok((v, audited)) => (Ok(v), audited),
        Err(e) => (Err(e), false),
    };
    if !logged {
        let entry = samskap_store::AuditEntry {
            token_name: audit.token_name,
            method: audit.method,
            path: audit.path,
            object_id: Some(object.to_owned()),
            status: out
                .as_ref()
                .map_or_else(|e| e.status(), |_| status)
                .as_u16(),
        };
        if let Err(e) = state.write(move |store| store.append_audit(&entry)).await {
            tracing::error!(error = ?e, "audit log write failed");
        }
    }
    signed.audit_logged();
    out.map_err(|e| Fail::from_api(signed.lang, &e))
}

/// Back to a page after a form was taken, saying so.
fn saved(to: &str) -> Response {
    Redirect::to(&format!("{to}?saved=1")).into_response()
}

/// The frame of a page, with `Saved.` when a form was just taken.
pub(crate) fn chrome(signed: &Signed, shown: Option<&Shown>) -> Chrome {
    let mut c = signed.chrome();
    if shown.is_some_and(|s| s.saved.is_some()) {
        c.ok = Some(c.t.saved);
    }
    c
}

/// After a form that was not taken: a refusal shows the form's page again with its words
/// above it and its status (nothing was written); any other failure has its own page.
pub(crate) async fn refused<Fut>(
    signed: &Signed,
    fail: Fail,
    page: impl FnOnce(Chrome) -> Fut,
) -> Response
where
    Fut: Future<Output = Result<Response, Fail>>,
{
    match fail {
        Fail::Form(status, words) => {
            let mut c = signed.chrome();
            c.err = Some(words);
            match page(c).await {
                Ok(mut r) => {
                    *r.status_mut() = status;
                    r
                }
                Err(f) => failed(signed, f),
            }
        }
        other => failed(signed, other),
    }
}

/// A page's response, or its failure's.
pub(crate) fn done(signed: &Signed, r: Result<Response, Fail>) -> Response {
    r.unwrap_or_else(|f| failed(signed, f))
}

/// A form's answer: `$r` when it was taken, else [`refused`] with the form's page drawn by
/// `$page` in the frame `$c`.
macro_rules! again {
    ($r:expr, $signed:expr, |$c:ident| $page:expr) => {
        match $r {
            Ok(r) => r,
            Err(fail) => refused($signed, fail, |$c| async { $page.await }).await,
        }
    };
}

/// A page's GET handler: the group's ids from the path, then the page drawn by `$page`
/// (with `Saved.` after a form), or its failure's page.
macro_rules! show {
    ($name:ident, $page:ident, $doc:literal) => {
        #[doc = $doc]
        pub async fn $name(
            State(state): State<AppState>,
            signed: Signed,
            p: Params,
            Query(shown): Query<Shown>,
        ) -> Response {
            let r = async {
                let ids = ids(signed.lang, &p)?;
                $page(&state, &signed, ids, chrome(&signed, Some(&shown))).await
            }
            .await;
            done(&signed, r)
        }
    };
}

// ---- My groups ----

/// GET /app/: the groups the caller may read, by study.
pub async fn home(State(state): State<AppState>, signed: Signed) -> Response {
    let r = async {
        let l = signed.lang;
        let caller = signed.caller.clone();
        let studies = state
            .read(|store| store.studies())
            .await
            .map_err(|e| Fail::from_api(l, &e))?;
        let mut out = Vec::new();
        for s in studies {
            if !caller.may_read_study() && !caller.0.groups.iter().any(|(x, _)| x == &s.id) {
                continue;
            }
            let c = caller.clone();
            let sid = s.id.clone();
            let groups = state
                .record(s.id.clone(), move |study| {
                    Ok(study
                        .groups()
                        .iter()
                        .filter(|g| c.may_read_group(&sid, &g.id))
                        .map(|g| GroupLink {
                            name: g.name.clone(),
                            href: group_href(&sid, &g.id),
                        })
                        .collect::<Vec<_>>())
                })
                .await
                .map_err(|e| Fail::from_api(l, &e))?;
            let w = crate::i18n::coding_texts(l);
            let sources = caller.may_assess().then(|| GroupLink {
                name: format!("{}: {}", w.analysis, w.sources),
                href: format!("{BASE}/studies/{}/sources", segment(s.id.as_str())),
            });
            if !groups.is_empty() || sources.is_some() {
                out.push(StudyGroups {
                    notice: l.notice(s.provenance),
                    title: s.title,
                    groups,
                    sources,
                });
            }
        }
        Ok(html(
            StatusCode::OK,
            &HomeView {
                c: signed.chrome(),
                studies: out,
            },
        ))
    }
    .await;
    done(&signed, r)
}

// ---- A group ----

fn meeting_rows(
    l: Lang,
    s: &Study,
    group: &GroupId,
    href: &str,
    keep: impl Fn(&f::Meeting) -> bool,
) -> Vec<MeetingRow> {
    let t = i18n::texts(l);
    let mut rows: Vec<(NaiveDate, MeetingRow)> = s
        .facilitation()
        .meetings()
        .iter()
        .filter(|(m, _)| &m.group == group && keep(m))
        .map(|(m, a)| {
            (
                m.date,
                MeetingRow {
                    href: format!(
                        "{href}/meetings/{}",
                        form_urlencoded::byte_serialize(m.id.as_str().as_bytes())
                            .collect::<String>()
                    ),
                    date: l.date(m.date),
                    kind: meeting_kind(t, m.kind).to_owned(),
                    recorded: a.len(),
                },
            )
        })
        .collect();
    // The latest first: the one a facilitator is most likely to want.
    rows.sort_by_key(|r| std::cmp::Reverse(r.0));
    rows.into_iter().map(|(_, r)| r).collect()
}

/// Where the PD process stands: the step the group is in and since when.
fn pd_now(l: Lang, s: &Study, group: &GroupId) -> Option<String> {
    let last = pd_timeline(s.facilitation(), group).pop()?;
    let since = l.date(last.entered);
    Some(match l {
        Lang::En => format!(
            "{} – {} (since {since})",
            l.phase(last.phase),
            l.step(last.step)
        ),
        Lang::Nb => format!(
            "{} – {} (siden {since})",
            l.phase(last.phase),
            l.step(last.step)
        ),
    })
}

async fn group_page(
    state: &AppState,
    signed: &Signed,
    ids: (StudyId, GroupId),
    c: Chrome,
) -> Result<Response, Fail> {
    let l = signed.lang;
    let caller = signed.caller.clone();
    let sid = ids.0.clone();
    with_group(state, signed, ids, false, move |s, group, g| {
        let t = i18n::texts(l);
        let day = today();
        let statements: Vec<&f::ProblemStatement> = s
            .facilitation()
            .statements()
            .iter()
            .filter(|x| &x.group == group)
            .collect();
        let statement = statements
            .iter()
            .find(|x| x.agreed.is_some())
            .or_else(|| statements.iter().max_by_key(|x| x.drafted))
            .map(|x| (x.text.clone(), x.agreed.is_some()));
        let contacts = s
            .facilitation()
            .contacts()
            .iter()
            .filter(|x| member_of(s, &x.a, group) && contact_readable(s, &caller, &sid, x))
            .count();
        Ok(html(
            StatusCode::OK,
            &GroupView {
                todays: meeting_rows(l, s, group, &g.href, |m| m.date == day),
                meetings: meeting_rows(l, s, group, &g.href, |_| true),
                members: s
                    .members()
                    .iter()
                    .filter(|m| &m.group == group)
                    .map(|m| MemberRow {
                        id: m.id.to_string(),
                        sector: l.sector(m.sector).to_owned(),
                        service: m.service.clone().unwrap_or_else(|| t.no_service.into()),
                        youth: m.youth,
                        pd_youth: m.pd_youth,
                    })
                    .collect(),
                pd: pd_now(l, s, group),
                statement,
                actions: s
                    .facilitation()
                    .actions()
                    .iter()
                    .filter(|a| &a.group == group)
                    .map(|a| ActionLine {
                        title: a.title.clone(),
                        state: l.action_state(a.state()).to_owned(),
                    })
                    .collect(),
                contacts,
                sectors: samskap_core::Sector::ALL
                    .iter()
                    .map(|&x| Choice {
                        value: wire(x),
                        label: l.sector(x).to_owned(),
                        selected: false,
                    })
                    .collect(),
                c,
                g,
            },
        ))
    })
    .await
}

show!(group, group_page, "GET a group's page.");

/// POST a new member of the group, known by a new id; back to the group's page.
pub async fn add_member(State(state): State<AppState>, p: Params, posted: Posted) -> Response {
    let signed = &posted.signed;
    let l = signed.lang;
    let t = signed.t();
    let r = async {
        let (study, group) = ids(l, &p)?;
        let href = with_group(
            &state,
            signed,
            (study.clone(), group.clone()),
            true,
            |_, _, g| Ok(g.href),
        )
        .await?;
        let sector: samskap_core::Sector = unwire(posted.get("sector"))
            .ok_or_else(|| Fail::field(i18n::not_a_choice(l, t.sector)))?;
        let member = samskap_core::Member {
            id: new_id("member").map_err(|e| Fail::from_api(l, &e))?,
            group,
            sector,
            service: note_field(&posted, "service"),
            youth: !posted.get("youth").is_empty(),
            pd_youth: !posted.get("pd_youth").is_empty(),
            attributes: samskap_core::Attributes::default(),
        };
        let object = member.id.to_string();
        write(&state, signed, &object, StatusCode::CREATED, move |store| {
            store.add_member(&study, &member)
        })
        .await?;
        Ok(saved(&href))
    }
    .await;
    again!(r, signed, |c| group_page(&state, signed, ids(l, &p)?, c))
}

/// An id of a record as a path segment.
pub(crate) fn segment(id: &str) -> String {
    form_urlencoded::byte_serialize(id.as_bytes()).collect()
}

// ---- A meeting's attendance ----

/// The form field of a member's presence.
fn presence_field(member: &MemberId) -> String {
    format!("presence:{member}")
}

async fn meeting_page(
    state: &AppState,
    signed: &Signed,
    ids: (StudyId, GroupId),
    meeting: String,
    c: Chrome,
) -> Result<Response, Fail> {
    let l = signed.lang;
    with_group(state, signed, ids, false, move |s, group, g| {
        let t = i18n::texts(l);
        let (m, attendance) = meeting
            .parse()
            .ok()
            .and_then(|id| s.facilitation().meeting(&id))
            .filter(|(m, _)| &m.group == group)
            .ok_or_else(|| Fail::not_found(l))?;
        let recorded: HashMap<&MemberId, Presence> =
            attendance.iter().map(|a| (&a.member, a.presence)).collect();
        let rows = s
            .members()
            .iter()
            .filter(|x| &x.group == group)
            .map(|x| AttendanceRow {
                id: x.id.to_string(),
                field: presence_field(&x.id),
                about: [
                    x.service.clone().unwrap_or_default(),
                    l.sector(x.sector).to_owned(),
                ]
                .into_iter()
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
                .join(", "),
                choice: recorded.get(&x.id).map(|p| wire(*p)).unwrap_or_default(),
            })
            .collect();
        Ok(html(
            StatusCode::OK,
            &MeetingView {
                title: format!("{} {}", meeting_kind(t, m.kind), l.date(m.date)),
                note: m.note.clone().unwrap_or_default(),
                action: format!("{}/meetings/{}", g.href, segment(m.id.as_str())),
                rows,
                presences: [Presence::Present, Presence::Absent, Presence::Excused]
                    .into_iter()
                    .map(|p| (wire(p), presence(t, p).to_owned()))
                    .collect(),
                c,
                g,
            },
        ))
    })
    .await
}

/// GET a meeting's page: its attendance as one form.
pub async fn meeting(
    State(state): State<AppState>,
    signed: Signed,
    p: Params,
    Query(shown): Query<Shown>,
) -> Response {
    let r = async {
        let ids = ids(signed.lang, &p)?;
        let meeting = p.get("meeting").to_owned();
        meeting_page(&state, &signed, ids, meeting, chrome(&signed, Some(&shown))).await
    }
    .await;
    done(&signed, r)
}

/// POST a meeting's attendance: every member's presence saved in one write, through the
/// store's `set_attendance`, as `PUT …/attendance` does. A member left without a choice is
/// not recorded.
pub async fn save_attendance(State(state): State<AppState>, p: Params, posted: Posted) -> Response {
    let signed = &posted.signed;
    let l = signed.lang;
    let r = async {
        let ids = ids(l, &p)?;
        let meeting: samskap_core::MeetingId =
            p.get("meeting").parse().map_err(|_| Fail::not_found(l))?;
        let sid = ids.0.clone();
        let mid = meeting.clone();
        let href = with_group(&state, signed, ids, true, move |s, group, g| {
            s.facilitation()
                .meeting(&mid)
                .filter(|(m, _)| &m.group == group)
                .ok_or_else(|| Fail::not_found(l))?;
            Ok(g.href)
        })
        .await?;
        let mut attendance = Vec::new();
        for (key, value) in posted.fields() {
            let Some(member) = key.strip_prefix("presence:") else {
                continue;
            };
            let member: MemberId = member
                .parse()
                .map_err(|_| Fail::field(i18n::texts(l).not_a_member.into()))?;
            let presence: Presence = unwire(value.trim())
                .ok_or_else(|| Fail::field(i18n::not_a_choice(l, member.as_str())))?;
            attendance.push(f::Attendance { member, presence });
        }
        let object = meeting.to_string();
        let mid = meeting.clone();
        write(&state, signed, &object, StatusCode::OK, move |store| {
            store.set_attendance(&sid, &mid, &attendance)
        })
        .await?;
        Ok(saved(&format!(
            "{href}/meetings/{}",
            segment(meeting.as_str())
        )))
    }
    .await;
    again!(r, signed, |c| meeting_page(
        &state,
        signed,
        ids(l, &p)?,
        p.get("meeting").to_owned(),
        c
    ))
}

// ---- A new meeting ----

const MEETING_KINDS: [MeetingKind; 3] = [
    MeetingKind::Group,
    MeetingKind::Information,
    MeetingKind::Workshop,
];

async fn new_meeting_page(
    state: &AppState,
    signed: &Signed,
    ids: (StudyId, GroupId),
    c: Chrome,
) -> Result<Response, Fail> {
    let l = signed.lang;
    with_group(state, signed, ids, true, move |_, _, g| {
        let t = i18n::texts(l);
        Ok(html(
            StatusCode::OK,
            &NewMeetingView {
                today: iso(today()),
                kinds: MEETING_KINDS
                    .into_iter()
                    .map(|k| Choice {
                        value: wire(k),
                        label: meeting_kind(t, k).to_owned(),
                        selected: k == MeetingKind::Group,
                    })
                    .collect(),
                c,
                g,
            },
        ))
    })
    .await
}

/// GET the form for a new meeting.
pub async fn new_meeting(State(state): State<AppState>, signed: Signed, p: Params) -> Response {
    let r = async {
        let ids = ids(signed.lang, &p)?;
        new_meeting_page(&state, &signed, ids, signed.chrome()).await
    }
    .await;
    done(&signed, r)
}

/// POST a new meeting, through the store's `add_meeting` as the API's route; then to its
/// attendance.
pub async fn add_meeting(State(state): State<AppState>, p: Params, posted: Posted) -> Response {
    let signed = &posted.signed;
    let l = signed.lang;
    let t = signed.t();
    let r = async {
        let (study, group) = ids(l, &p)?;
        let href = with_group(
            &state,
            signed,
            (study.clone(), group.clone()),
            true,
            |_, _, g| Ok(g.href),
        )
        .await?;
        let kind: MeetingKind =
            unwire(posted.get("kind")).ok_or_else(|| Fail::field(i18n::not_a_choice(l, t.kind)))?;
        let meeting = f::Meeting {
            id: new_id("meeting").map_err(|e| Fail::from_api(l, &e))?,
            group,
            kind,
            date: date_field(l, &posted, "date", t.date)?,
            note: note_field(&posted, "note"),
        };
        let object = meeting.id.to_string();
        write(&state, signed, &object, StatusCode::CREATED, move |store| {
            store.add_meeting(&study, &meeting)
        })
        .await?;
        Ok(saved(&format!("{href}/meetings/{}", segment(&object))))
    }
    .await;
    again!(r, signed, |c| new_meeting_page(
        &state,
        signed,
        ids(l, &p)?,
        c
    ))
}

// ---- The PD process ----

async fn process_page(
    state: &AppState,
    signed: &Signed,
    ids: (StudyId, GroupId),
    c: Chrome,
) -> Result<Response, Fail> {
    let l = signed.lang;
    with_group(state, signed, ids, false, move |s, group, g| {
        let timeline = pd_timeline(s.facilitation(), group);
        let current = timeline.last().map(|x| x.step);
        // The step after the current one is offered first: the usual move.
        let suggested = current
            .and_then(|c| PdStep::ALL.iter().position(|x| *x == c))
            .and_then(|i| PdStep::ALL.get(i + 1).copied())
            .unwrap_or(PdStep::DefineProblem);
        Ok(html(
            StatusCode::OK,
            &ProcessView {
                today: iso(today()),
                stays: timeline
                    .iter()
                    .map(|x| StayRow {
                        phase: l.phase(x.phase).to_owned(),
                        step: l.step(x.step).to_owned(),
                        entered: l.date(x.entered),
                        left: x.left.map_or_else(|| "…".into(), |d| l.date(d)),
                        back: x.back,
                    })
                    .collect(),
                phases: Phase::ALL
                    .into_iter()
                    .map(|phase| PhaseSteps {
                        label: l.phase(phase).to_owned(),
                        steps: PdStep::ALL
                            .into_iter()
                            .filter(|s| s.phase() == phase)
                            .map(|step| Choice {
                                value: format!("{}/{}", wire(phase), wire(step)),
                                label: l.step(step).to_owned(),
                                selected: step == suggested,
                            })
                            .collect(),
                    })
                    .collect(),
                c,
                g,
            },
        ))
    })
    .await
}

show!(process, process_page, "GET the PD process of a group.");

/// POST a move of the PD process, through the store's `add_move` as the API's route. The
/// form names the phase with the step (`explore/identify-deviants`); a step outside its phase
/// is refused by the model, as over the API.
pub async fn add_move(State(state): State<AppState>, p: Params, posted: Posted) -> Response {
    let signed = &posted.signed;
    let l = signed.lang;
    let t = signed.t();
    let r = async {
        let (study, group) = ids(l, &p)?;
        let href = with_group(
            &state,
            signed,
            (study.clone(), group.clone()),
            true,
            |_, _, g| Ok(g.href),
        )
        .await?;
        let (phase, step) = posted
            .get("step")
            .split_once('/')
            .and_then(|(p, s)| Some((unwire::<Phase>(p)?, unwire::<PdStep>(s)?)))
            .ok_or_else(|| Fail::field(i18n::not_a_choice(l, t.step)))?;
        let m = f::ProcessMove {
            group: group.clone(),
            date: date_field(l, &posted, "date", t.date)?,
            phase,
            step,
            note: note_field(&posted, "note"),
        };
        // A move has no id of its own: the object is the group's process, as over the API.
        let object = group.to_string();
        write(&state, signed, &object, StatusCode::CREATED, move |store| {
            store.add_move(&study, &m)
        })
        .await?;
        Ok(saved(&format!("{href}/process")))
    }
    .await;
    again!(r, signed, |c| process_page(&state, signed, ids(l, &p)?, c))
}

// ---- Trial actions ----

const ACTION_KINDS: [ActionKind; 2] = [ActionKind::TrialAction, ActionKind::Intervention];

async fn actions_page(
    state: &AppState,
    signed: &Signed,
    ids: (StudyId, GroupId),
    c: Chrome,
) -> Result<Response, Fail> {
    let l = signed.lang;
    with_group(state, signed, ids, false, move |s, group, g| {
        let t = i18n::texts(l);
        Ok(html(
            StatusCode::OK,
            &ActionsView {
                today: iso(today()),
                actions: s
                    .facilitation()
                    .actions()
                    .iter()
                    .filter(|a| &a.group == group)
                    .map(|a| ActionCard {
                        title: a.title.clone(),
                        kind: action_kind(t, a.kind).to_owned(),
                        state: l.action_state(a.state()).to_owned(),
                        history: a
                            .history
                            .iter()
                            .map(|h| format!("{} {}", l.action_state(h.state), l.date(h.date)))
                            .collect(),
                        href: format!("{}/actions/{}", g.href, segment(a.id.as_str())),
                        // The buttons are core's next states; any other is refused by core.
                        next: a
                            .state()
                            .next()
                            .iter()
                            .map(|n| Choice {
                                value: n.as_str().to_owned(),
                                label: l.action_state(*n).to_owned(),
                                selected: false,
                            })
                            .collect(),
                    })
                    .collect(),
                kinds: ACTION_KINDS
                    .into_iter()
                    .map(|k| Choice {
                        value: wire(k),
                        label: action_kind(t, k).to_owned(),
                        selected: k == ActionKind::TrialAction,
                    })
                    .collect(),
                c,
                g,
            },
        ))
    })
    .await
}

show!(
    actions,
    actions_page,
    "GET the register of a group's trial actions."
);

/// POST a new trial action, planned on its date, through the store's `add_action` as the
/// API's route.
pub async fn add_action(State(state): State<AppState>, p: Params, posted: Posted) -> Response {
    let signed = &posted.signed;
    let l = signed.lang;
    let t = signed.t();
    let r = async {
        let (study, group) = ids(l, &p)?;
        let href = with_group(
            &state,
            signed,
            (study.clone(), group.clone()),
            true,
            |_, _, g| Ok(g.href),
        )
        .await?;
        let title = posted.get("title");
        if title.is_empty() {
            return Err(Fail::field(i18n::missing(l, t.title)));
        }
        let kind: ActionKind =
            unwire(posted.get("kind")).ok_or_else(|| Fail::field(i18n::not_a_choice(l, t.kind)))?;
        let action = f::TrialAction {
            id: new_id("action").map_err(|e| Fail::from_api(l, &e))?,
            group,
            kind,
            title: title.to_owned(),
            history: vec![f::Transition {
                state: ActionState::Planned,
                date: date_field(l, &posted, "date", t.date)?,
                note: note_field(&posted, "note"),
            }],
        };
        let object = action.id.to_string();
        write(&state, signed, &object, StatusCode::CREATED, move |store| {
            store.add_action(&study, &action)
        })
        .await?;
        Ok(saved(&format!("{href}/actions")))
    }
    .await;
    again!(r, signed, |c| actions_page(&state, signed, ids(l, &p)?, c))
}

/// POST a step of an action's lifecycle, through the store's `advance_action` as the API's
/// route: a state that skips one (or goes back) is refused by core and told in words.
pub async fn advance_action(State(state): State<AppState>, p: Params, posted: Posted) -> Response {
    let signed = &posted.signed;
    let l = signed.lang;
    let t = signed.t();
    let r = async {
        let (study, group) = ids(l, &p)?;
        let action: samskap_core::ActionId =
            p.get("action").parse().map_err(|_| Fail::not_found(l))?;
        let aid = action.clone();
        let href = with_group(
            &state,
            signed,
            (study.clone(), group),
            true,
            move |s, group, g| {
                s.facilitation()
                    .action(&aid)
                    .filter(|a| &a.group == group)
                    .ok_or_else(|| Fail::not_found(l))?;
                Ok(g.href)
            },
        )
        .await?;
        let state_to: ActionState = unwire(posted.get("state"))
            .ok_or_else(|| Fail::field(i18n::not_a_choice(l, t.state)))?;
        let step = f::Transition {
            state: state_to,
            date: date_field(l, &posted, "date", t.date)?,
            note: note_field(&posted, "note"),
        };
        let object = action.to_string();
        write(&state, signed, &object, StatusCode::OK, move |store| {
            store.advance_action(&study, &action, &step)
        })
        .await?;
        Ok(saved(&format!("{href}/actions")))
    }
    .await;
    again!(r, signed, |c| actions_page(&state, signed, ids(l, &p)?, c))
}

// ---- Problem statements ----

/// The group's members as choices, by id.
fn member_choices(s: &Study, group: &GroupId) -> Vec<Choice> {
    s.members()
        .iter()
        .filter(|m| &m.group == group)
        .map(|m| Choice {
            value: m.id.to_string(),
            label: match &m.service {
                Some(service) => format!("{} ({service})", m.id),
                None => m.id.to_string(),
            },
            selected: false,
        })
        .collect()
}

async fn statements_page(
    state: &AppState,
    signed: &Signed,
    ids: (StudyId, GroupId),
    c: Chrome,
) -> Result<Response, Fail> {
    let l = signed.lang;
    with_group(state, signed, ids, false, move |s, group, g| {
        Ok(html(
            StatusCode::OK,
            &StatementsView {
                today: iso(today()),
                statements: s
                    .facilitation()
                    .statements()
                    .iter()
                    .filter(|x| &x.group == group)
                    .map(|x| StatementCard {
                        text: x.text.clone(),
                        drafted: l.date(x.drafted),
                        agreed: x.agreed.map(|d| l.date(d)),
                        participants: x
                            .participants
                            .iter()
                            .map(ToString::to_string)
                            .collect::<Vec<_>>()
                            .join(", "),
                        agree_href: format!(
                            "{}/statements/{}/agreement",
                            g.href,
                            segment(x.id.as_str())
                        ),
                    })
                    .collect(),
                members: member_choices(s, group),
                c,
                g,
            },
        ))
    })
    .await
}

show!(
    statements,
    statements_page,
    "GET the group's problem statements."
);

/// POST a proposed (draft) problem statement, through the store's `add_statement` as the
/// API's route. Who took part must be members of the group, as over the API.
pub async fn add_statement(State(state): State<AppState>, p: Params, posted: Posted) -> Response {
    let signed = &posted.signed;
    let l = signed.lang;
    let t = signed.t();
    let r = async {
        let (study, group) = ids(l, &p)?;
        let text = posted.get("text").to_owned();
        if text.is_empty() {
            return Err(Fail::field(i18n::missing(l, t.text)));
        }
        let named: Vec<String> = posted.all("participant").map(str::to_owned).collect();
        let (href, participants) = with_group(
            &state,
            signed,
            (study.clone(), group.clone()),
            true,
            move |s, group, g| {
                let mut participants: Vec<MemberId> = Vec::new();
                for name in named {
                    let m: Option<MemberId> = name.parse().ok();
                    match m {
                        Some(m) if member_of(s, &m, group) => {
                            if !participants.contains(&m) {
                                participants.push(m);
                            }
                        }
                        _ => return Err(Fail::field(i18n::texts(l).not_a_member.into())),
                    }
                }
                Ok((g.href, participants))
            },
        )
        .await?;
        let statement = f::ProblemStatement {
            id: new_id("statement").map_err(|e| Fail::from_api(l, &e))?,
            group,
            text,
            drafted: date_field(l, &posted, "drafted", t.drafted)?,
            agreed: None,
            participants,
        };
        let object = statement.id.to_string();
        write(&state, signed, &object, StatusCode::CREATED, move |store| {
            store.add_statement(&study, &statement)
        })
        .await?;
        Ok(saved(&format!("{href}/statements")))
    }
    .await;
    again!(r, signed, |c| statements_page(
        &state,
        signed,
        ids(l, &p)?,
        c
    ))
}

/// POST the group's agreement on a draft, through the store's `agree_statement` as the API's
/// route (a second agreed statement, or a date before the draft, is refused by core).
pub async fn agree_statement(State(state): State<AppState>, p: Params, posted: Posted) -> Response {
    let signed = &posted.signed;
    let l = signed.lang;
    let t = signed.t();
    let r = async {
        let (study, group) = ids(l, &p)?;
        let statement: samskap_core::StatementId =
            p.get("statement").parse().map_err(|_| Fail::not_found(l))?;
        let wanted = statement.clone();
        let href = with_group(
            &state,
            signed,
            (study.clone(), group),
            true,
            move |s, group, g| {
                s.facilitation()
                    .statements()
                    .iter()
                    .find(|x| x.id == wanted && &x.group == group)
                    .ok_or_else(|| Fail::not_found(l))?;
                Ok(g.href)
            },
        )
        .await?;
        let date = date_field(l, &posted, "date", t.date)?;
        let object = statement.to_string();
        write(&state, signed, &object, StatusCode::OK, move |store| {
            store.agree_statement(&study, &statement, date)
        })
        .await?;
        Ok(saved(&format!("{href}/statements")))
    }
    .await;
    again!(r, signed, |c| statements_page(
        &state,
        signed,
        ids(l, &p)?,
        c
    ))
}

// ---- New contacts ----

async fn contacts_page(
    state: &AppState,
    signed: &Signed,
    ids: (StudyId, GroupId),
    c: Chrome,
) -> Result<Response, Fail> {
    let l = signed.lang;
    let caller = signed.caller.clone();
    let sid = ids.0.clone();
    with_group(state, signed, ids, false, move |s, group, g| {
        Ok(html(
            StatusCode::OK,
            &ContactsView {
                today: iso(today()),
                // A contact belongs to the group of its first member, as the API lists them.
                contacts: s
                    .facilitation()
                    .contacts()
                    .iter()
                    .filter(|x| member_of(s, &x.a, group) && contact_readable(s, &caller, &sid, x))
                    .map(|x| ContactRow {
                        a: x.a.to_string(),
                        b: x.b.to_string(),
                        date: l.date(x.date),
                        note: x.note.clone().unwrap_or_default(),
                    })
                    .collect(),
                members: member_choices(s, group),
                c,
                g,
            },
        ))
    })
    .await
}

show!(contacts, contacts_page, "GET the group's new contacts.");

/// POST a new contact between two members of the group, through the store's `add_contact` as
/// the API's route (both within the group of the page, as over the API; the same member
/// twice, or a pair already recorded, is refused by core).
pub async fn add_contact(State(state): State<AppState>, p: Params, posted: Posted) -> Response {
    let signed = &posted.signed;
    let l = signed.lang;
    let t = signed.t();
    let r = async {
        let (study, group) = ids(l, &p)?;
        let pick = |name: &str, label: &str| -> Result<MemberId, Fail> {
            let given = posted.get(name);
            if given.is_empty() {
                return Err(Fail::field(i18n::missing(l, label)));
            }
            given
                .parse()
                .map_err(|_| Fail::field(i18n::texts(l).not_a_member.into()))
        };
        let a = pick("a", t.one_member)?;
        let b = pick("b", t.other_member)?;
        let (ca, cb) = (a.clone(), b.clone());
        let href = with_group(
            &state,
            signed,
            (study.clone(), group),
            true,
            move |s, group, g| {
                if !member_of(s, &ca, group) || !member_of(s, &cb, group) {
                    return Err(Fail::field(i18n::texts(l).not_a_member.into()));
                }
                Ok(g.href)
            },
        )
        .await?;
        let contact = f::Contact {
            id: new_id("contact").map_err(|e| Fail::from_api(l, &e))?,
            a,
            b,
            date: date_field(l, &posted, "date", t.date)?,
            note: note_field(&posted, "note"),
        };
        let object = contact.id.to_string();
        write(&state, signed, &object, StatusCode::CREATED, move |store| {
            store.add_contact(&study, &contact)
        })
        .await?;
        Ok(saved(&format!("{href}/contacts")))
    }
    .await;
    again!(r, signed, |c| contacts_page(&state, signed, ids(l, &p)?, c))
}

// ---- Analytics ----

/// GET the group's analytics: its composition, attendance by service, sector and month
/// (never by person), its new contacts, and the report's charts of the group.
pub async fn analytics(State(state): State<AppState>, signed: Signed, p: Params) -> Response {
    let r = async {
        let l = signed.lang;
        let ids = ids(l, &p)?;
        let caller = signed.caller.clone();
        let sid = ids.0.clone();
        let c = signed.chrome();
        with_group(&state, &signed, ids, false, move |s, group, g| {
            let t = i18n::texts(l);
            let comp = composition(s).into_iter().find(|x| &x.group == group);
            let rates = |by: AttendanceBy| -> Vec<RateRow> {
                attendance_rates(s, s.facilitation(), by, Some(group))
                    .into_iter()
                    .map(|r| RateRow {
                        key: match by {
                            AttendanceBy::Service if r.key == f::NO_SERVICE => {
                                t.no_service.to_owned()
                            }
                            AttendanceBy::Sector => samskap_core::Sector::ALL
                                .into_iter()
                                .find(|x| x.as_str() == r.key)
                                .map_or_else(|| r.key.clone(), |x| l.sector(x).to_owned()),
                            AttendanceBy::Month => l.month_key(&r.key),
                            _ => r.key.clone(),
                        },
                        present: format!("{}/{}", l.int(r.present), l.int(r.recorded)),
                        rate: l.percent(r.rate),
                    })
                    .collect()
            };
            // The contacts this caller may see, counted as the API's analytics count them.
            let record = readable_record(s, &caller, &sid).map_err(|e| Fail::from_api(l, &e))?;
            let counted = contacts_by_group(s, &record)
                .into_iter()
                .find(|x| x.key == group.as_str());
            let contacts = counted.map_or_else(
                || l.int(0),
                |x| {
                    format!(
                        "{} ({} {})",
                        l.int(x.contacts),
                        l.int(x.cross_sector),
                        t.across_sectors
                    )
                },
            );
            let figures = samskap_report::group_figures(
                s,
                group,
                samskap_report::DEFAULT_ATTENDANCE_THRESHOLD,
                l,
            )
            .into_iter()
            .map(|f| FigureView {
                title: f.title,
                svg: f.svg,
            })
            .collect();
            Ok(html(
                StatusCode::OK,
                &AnalyticsView {
                    members: comp.as_ref().map_or_else(|| l.int(0), |x| l.int(x.members)),
                    sectors: comp.as_ref().map_or_else(String::new, |x| {
                        x.sectors
                            .iter()
                            .map(|(sector, n)| format!("{} {}", l.sector(*sector), l.int(*n)))
                            .collect::<Vec<_>>()
                            .join(", ")
                    }),
                    youth: comp.as_ref().map_or_else(String::new, |x| {
                        format!("{} ({})", l.int(x.youth), l.int(x.pd_youth))
                    }),
                    blau: comp
                        .as_ref()
                        .and_then(|x| x.blau)
                        .map_or_else(|| "–".into(), |b| l.decimal(b, 2)),
                    by_service: rates(AttendanceBy::Service),
                    by_sector: rates(AttendanceBy::Sector),
                    by_month: rates(AttendanceBy::Month),
                    contacts,
                    figures,
                    c,
                    g,
                },
            ))
        })
        .await
    }
    .await;
    done(&signed, r)
}

// ---- Unknown pages ----

/// Any other path under /app/: a page saying there is none, in the reader's language.
pub async fn not_found(headers: axum::http::HeaderMap, uri: axum::http::Uri) -> Response {
    let c = anonymous_chrome(&headers, uri.path());
    let words = c.t.not_found.to_owned();
    error_page(c, StatusCode::NOT_FOUND, words)
}

// ---- Rules, practices and dissemination ----

const LEVELS: [f::PracticeLevel; 3] = [
    f::PracticeLevel::Individual,
    f::PracticeLevel::Group,
    f::PracticeLevel::Organisation,
];

async fn record_page(
    state: &AppState,
    signed: &Signed,
    ids: (StudyId, GroupId),
    c: Chrome,
) -> Result<Response, Fail> {
    let l = signed.lang;
    with_group(state, signed, ids, false, move |s, group, g| {
        let t = i18n::texts(l);
        let rec = s.facilitation();
        let rules = rec
            .rules()
            .iter()
            .find(|(x, _)| x == group)
            .map(|(_, r)| r.clone())
            .unwrap_or_default();
        let text = |v: Option<String>| v.unwrap_or_default();
        Ok(html(
            StatusCode::OK,
            &RecordView {
                today: iso(today()),
                frequency: text(rules.frequency),
                place: text(rules.place),
                leader: text(rules.leader),
                disagreement: text(rules.disagreement),
                levels: LEVELS
                    .iter()
                    .map(|&x| Choice {
                        value: wire(x),
                        label: i18n::practice_level(t, x).to_owned(),
                        selected: false,
                    })
                    .collect(),
                practices: rec
                    .practices()
                    .iter()
                    .filter(|x| &x.group == group)
                    .map(|x| PracticeRow {
                        level: i18n::practice_level(t, x.level).to_owned(),
                        description: x.description.clone(),
                        observed: x.observed.map(|d| l.date(d)).unwrap_or_default(),
                    })
                    .collect(),
                actions: rec
                    .actions()
                    .iter()
                    .filter(|a| &a.group == group)
                    .map(|a| Choice {
                        value: a.id.to_string(),
                        label: a.title.clone(),
                        selected: false,
                    })
                    .collect(),
                events: rec
                    .events()
                    .iter()
                    .filter(|e| &e.group == group)
                    .map(|e| EventRow {
                        date: l.date(e.date),
                        audience: e.audience.clone(),
                        action: e
                            .action
                            .as_ref()
                            .and_then(|id| rec.action(id))
                            .map(|a| a.title.clone())
                            .unwrap_or_default(),
                        note: e.note.clone().unwrap_or_default(),
                    })
                    .collect(),
                c,
                g,
            },
        ))
    })
    .await
}

show!(
    record,
    record_page,
    "GET the group's rules, positive deviant practices and dissemination."
);

/// The group's page for its record, after a form of it is checked for write access.
async fn record_href(
    state: &AppState,
    signed: &Signed,
    ids: (StudyId, GroupId),
) -> Result<String, Fail> {
    with_group(state, signed, ids, true, |_, _, g| {
        Ok(format!("{}/record", g.href))
    })
    .await
}

/// POST the group's rules, as the API's `PUT …/rules`: what is sent replaces them.
pub async fn set_rules(State(state): State<AppState>, p: Params, posted: Posted) -> Response {
    let signed = &posted.signed;
    let l = signed.lang;
    let r = async {
        let (study, group) = ids(l, &p)?;
        let href = record_href(&state, signed, (study.clone(), group.clone())).await?;
        let rules = f::GroupRules {
            frequency: note_field(&posted, "frequency"),
            place: note_field(&posted, "place"),
            leader: note_field(&posted, "leader"),
            disagreement: note_field(&posted, "disagreement"),
        };
        let object = group.to_string();
        write(&state, signed, &object, StatusCode::OK, move |store| {
            store.set_rules(&study, &group, &rules)
        })
        .await?;
        Ok(saved(&href))
    }
    .await;
    again!(r, signed, |c| record_page(&state, signed, ids(l, &p)?, c))
}

/// POST a positive deviant practice the group found.
pub async fn add_practice(State(state): State<AppState>, p: Params, posted: Posted) -> Response {
    let signed = &posted.signed;
    let l = signed.lang;
    let t = signed.t();
    let r = async {
        let (study, group) = ids(l, &p)?;
        let href = record_href(&state, signed, (study.clone(), group.clone())).await?;
        let level: f::PracticeLevel = unwire(posted.get("level"))
            .ok_or_else(|| Fail::field(i18n::not_a_choice(l, t.level)))?;
        let description = posted.get("description");
        if description.is_empty() {
            return Err(Fail::field(i18n::missing(l, t.description)));
        }
        let observed = match posted.get("observed") {
            "" => None,
            _ => Some(date_field(l, &posted, "observed", t.observed)?),
        };
        let practice = f::PdPractice {
            id: new_id("practice").map_err(|e| Fail::from_api(l, &e))?,
            group,
            level,
            description: description.to_owned(),
            observed,
        };
        let object = practice.id.to_string();
        write(&state, signed, &object, StatusCode::CREATED, move |store| {
            store.add_practice(&study, &practice)
        })
        .await?;
        Ok(saved(&href))
    }
    .await;
    again!(r, signed, |c| record_page(&state, signed, ids(l, &p)?, c))
}

/// POST a dissemination of the group's work (of one of its trial actions, if chosen).
pub async fn add_dissemination(
    State(state): State<AppState>,
    p: Params,
    posted: Posted,
) -> Response {
    let signed = &posted.signed;
    let l = signed.lang;
    let t = signed.t();
    let r = async {
        let (study, group) = ids(l, &p)?;
        let href = record_href(&state, signed, (study.clone(), group.clone())).await?;
        let audience = posted.get("audience");
        if audience.is_empty() {
            return Err(Fail::field(i18n::missing(l, t.audience)));
        }
        let action = match posted.get("action") {
            "" => None,
            given => Some(
                given
                    .parse()
                    .map_err(|_| Fail::field(i18n::not_a_choice(l, t.action_spread)))?,
            ),
        };
        let event = f::Dissemination {
            id: new_id("event").map_err(|e| Fail::from_api(l, &e))?,
            group,
            date: date_field(l, &posted, "date", t.date)?,
            audience: audience.to_owned(),
            action,
            note: note_field(&posted, "note"),
        };
        let object = event.id.to_string();
        write(&state, signed, &object, StatusCode::CREATED, move |store| {
            store.add_event(&study, &event)
        })
        .await?;
        Ok(saved(&href))
    }
    .await;
    again!(r, signed, |c| record_page(&state, signed, ids(l, &p)?, c))
}

/// GET on a path that only takes forms (a page reloaded after a refusal, an address copied):
/// on to the page the form belongs to.
pub async fn form_page(uri: axum::http::Uri) -> Response {
    // A form's path ends in what it posts to; the page it belongs to is the path before
    // that, with the ending given here.
    const PAGES: [(&str, &str); 9] = [
        ("/meetings", ""),
        ("/members", ""),
        ("/rules", "/record"),
        ("/practices", "/record"),
        ("/disseminations", "/record"),
        ("/codings/remove", ""),
        ("/codings", ""),
        ("/reconcile", "/compare"),
        ("/memos", "/sources"),
    ];
    let path = uri.path();
    let to = ["/actions/", "/statements/"]
        .iter()
        .find_map(|part| {
            path.find(part)
                .map(|i| path[..i + part.len() - 1].to_owned())
        })
        .or_else(|| {
            PAGES
                .iter()
                .find_map(|(end, page)| path.strip_suffix(end).map(|p| format!("{p}{page}")))
        })
        .filter(|p| p.starts_with(BASE))
        .unwrap_or_else(|| format!("{BASE}/"));
    Redirect::to(&to).into_response()
}
