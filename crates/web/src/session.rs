//! Signing in and out, and who a page's request comes from.
//!
//! A token pasted into the sign-in form is checked as the API checks a bearer token
//! ([`AppState::verify_secret`]: the same store look-up, and a failure counts toward the same
//! per-address throttle), and becomes a session kept in the store. [`Signed`] finds the
//! session of every page's request from its cookie; [`Posted`] is every form sent: the
//! session, then the Origin check, then the form, then its CSRF code.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use axum::body::Body;
use axum::extract::{FromRequest, FromRequestParts, Query, Request, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use samskap_api::{read_body, ApiError, AppState, AuditContext, Caller, ClientAddr};
use samskap_store::{AuditEntry, SessionLimits};
use serde::Deserialize;

use crate::guard::{
    clear_cookie, cookie, csrf_code, over_tls, random_code, same_code, same_origin, set_cookie,
    CSRF_FIELD, SESSION_COOKIE, SIGN_IN_COOKIE,
};
use crate::i18n::{self, from_accept_language, parse_lang, texts, Lang, Texts};
use crate::view::{html, Chrome, ErrorView, SignInView};

/// How long a session lasts: 12 hours without a request, a week at most.
pub const LIMITS: SessionLimits = SessionLimits {
    idle: Duration::from_secs(12 * 60 * 60),
    lifetime: Duration::from_secs(7 * 24 * 60 * 60),
};

/// A session's idle time is started afresh by a request at most this often, so that reading
/// pages does not write to the store on every request.
const TOUCH_AFTER: Duration = Duration::from_secs(5 * 60);

/// Where the pages live.
pub const BASE: &str = "/app";

/// How long the sign-in form's CSRF cookie lasts (seconds).
const SIGN_IN_FORM_AGE: u64 = 60 * 60;

/// The signed-in caller of a page: their token as it is now, their session's CSRF code, the
/// language they read in, and the request's path.
pub struct Signed {
    /// The token the session was signed in with.
    pub caller: Caller,
    secret: String,
    /// The CSRF code every form of theirs carries.
    pub csrf: String,
    /// The language of their pages.
    pub lang: Lang,
    /// The path asked for.
    pub path: String,
    /// The request came over TLS (a proxy's): cookies get `Secure`.
    pub secure: bool,
    /// The request's audit slot, for a form.
    slot: Option<AuditSlot>,
}

impl Signed {
    /// Notes that the form's audit entry is written (with its write, or after a refusal).
    pub fn audit_logged(&self) {
        if let Some(slot) = &self.slot {
            slot.state().logged = true;
        }
    }

    /// The words of their language.
    pub fn t(&self) -> &'static Texts {
        texts(self.lang)
    }

    /// The frame of their pages.
    pub fn chrome(&self) -> Chrome {
        Chrome {
            t: self.t(),
            lang: self.lang,
            csrf: self.csrf.clone(),
            user: Some(self.caller.0.name.clone()),
            here: self.path.clone(),
            ok: None,
            err: None,
        }
    }

    /// The audit entry's who and what for a form this caller sent.
    pub fn audit(&self) -> AuditContext {
        AuditContext {
            token_name: self.caller.0.name.clone(),
            method: "POST".into(),
            path: self.path.clone(),
        }
    }

    /// A page that says what went wrong, with `status`.
    pub fn error(&self, status: StatusCode, message: impl Into<String>) -> Response {
        error_page(self.chrome(), status, message.into())
    }
}

/// An error page in `c`'s frame.
pub fn error_page(c: Chrome, status: StatusCode, message: String) -> Response {
    html(status, &ErrorView { c, message })
}

/// The frame of a page for someone not signed in, in the language their browser asks for.
pub fn anonymous_chrome(headers: &HeaderMap, path: &str) -> Chrome {
    let lang = from_accept_language(
        headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok()),
    );
    Chrome {
        t: texts(lang),
        lang,
        csrf: String::new(),
        user: None,
        here: path.to_owned(),
        ok: None,
        err: None,
    }
}

/// A session's secret is 64 hex digits; anything else is not looked up.
fn well_formed(secret: &str) -> bool {
    secret.len() == 64 && secret.bytes().all(|b| b.is_ascii_hexdigit())
}

/// A page path to come back to after a form: one of ours, and no other site's (`//host`
/// and backslashes are read as another host by some browsers), that a `Location` header can
/// carry (no control character).
pub(crate) fn local_path(path: &str) -> Option<&str> {
    (path.starts_with("/app/")
        && !path.contains("//")
        && !path.contains('\\')
        && !path.chars().any(char::is_control))
    .then_some(path)
}

/// To the sign-in page (coming back to `next` after), deleting a session cookie that was
/// sent.
fn to_sign_in(next: Option<&str>, clear: bool, secure: bool) -> Response {
    let target = match next.and_then(local_path) {
        Some(p) => format!(
            "{BASE}/sign-in?next={}",
            form_urlencoded::byte_serialize(p.as_bytes()).collect::<String>()
        ),
        None => format!("{BASE}/sign-in"),
    };
    let mut r = Redirect::to(&target).into_response();
    if clear {
        set(&mut r, &clear_cookie(SESSION_COOKIE, BASE, secure));
    }
    r
}

/// Adds a `Set-Cookie` header.
fn set(r: &mut Response, cookie: &str) {
    match HeaderValue::from_str(cookie) {
        Ok(v) => {
            r.headers_mut().append(header::SET_COOKIE, v);
        }
        // Cookies are made of our own names and hex digits: this cannot happen.
        Err(e) => tracing::error!(error = %e, "a cookie could not be set"),
    }
}

/// An error of the API's shared parts (the store, the throttle) as a page.
pub fn api_error_page(c: Chrome, e: &ApiError) -> Response {
    let t = c.t;
    let words = match e.status() {
        StatusCode::TOO_MANY_REQUESTS => i18n::too_many(c.lang, e.retry_after().unwrap_or(1)),
        StatusCode::SERVICE_UNAVAILABLE => t.busy.to_owned(),
        StatusCode::FORBIDDEN => t.forbidden.to_owned(),
        StatusCode::NOT_FOUND => t.not_found.to_owned(),
        s if s.is_server_error() => t.server.to_owned(),
        _ => e.detail().to_owned(),
    };
    let mut r = error_page(c, e.status(), words);
    if let Some(secs) = e.retry_after() {
        r.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(secs));
    }
    r
}

impl FromRequestParts<AppState> for Signed {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let secure = over_tls(&parts.headers);
        let path = parts.uri.path().to_owned();
        let next = (parts.method == axum::http::Method::GET).then_some(path.as_str());
        let Some(secret) = cookie(&parts.headers, SESSION_COOKIE) else {
            return Err(to_sign_in(next, false, secure));
        };
        let addr = parts.extensions.get::<ClientAddr>().map(|c| c.0);
        let anonymous = || anonymous_chrome(&parts.headers, &path);
        if let Err(e) = state.check_throttle(addr) {
            return Err(api_error_page(anonymous(), &e));
        }
        let found = if well_formed(&secret) {
            let s = secret.clone();
            state
                .read(move |store| store.web_session(&s, LIMITS))
                .await
                .map_err(|e| api_error_page(anonymous(), &e))?
        } else {
            None
        };
        let Some(session) = found else {
            // A cookie that names no live session is a failed authentication, as a wrong
            // bearer token is: guessing sessions is held to the same allowance.
            let _ = state.auth_failed(addr);
            return Err(to_sign_in(next, true, secure));
        };
        if session.idle >= TOUCH_AFTER {
            let s = secret.clone();
            if let Err(e) = state.write(move |store| store.touch_web_session(&s)).await {
                // The session is valid; failing to note the time only shortens it.
                tracing::warn!(error = ?e, "a session could not be touched");
            }
        }
        let lang = session
            .lang
            .as_deref()
            .and_then(parse_lang)
            .unwrap_or_else(|| anonymous().lang);
        let slot = parts.extensions.get::<AuditSlot>().cloned();
        if let Some(slot) = &slot {
            slot.state().token = Some(session.token.name.clone());
        }
        Ok(Signed {
            caller: Caller(session.token),
            csrf: csrf_code(&secret),
            secret,
            lang,
            path,
            secure,
            slot,
        })
    }
}

/// What the audit log needs of a form sent: who sent it (once their session is found) and
/// whether its entry is written already.
#[derive(Clone, Default)]
pub struct AuditSlot(Arc<Mutex<SlotState>>);

#[derive(Default)]
struct SlotState {
    token: Option<String>,
    logged: bool,
}

impl AuditSlot {
    fn state(&self) -> std::sync::MutexGuard<'_, SlotState> {
        // Two plain fields: a panic elsewhere leaves them usable.
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Every form a signed-in caller sends is in the audit log with the status it got, whatever
/// it was (a refusal, a 403, a CSRF failure), as every API request that is not a read is:
/// a form whose write committed its entry is not logged twice.
pub async fn audit_forms(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    if req.method() != Method::POST {
        return next.run(req).await;
    }
    let slot = AuditSlot::default();
    req.extensions_mut().insert(slot.clone());
    let path = req.uri().path().to_owned();
    let response = next.run(req).await;
    let token = {
        let s = slot.state();
        s.token.clone().filter(|_| !s.logged)
    };
    if let Some(token_name) = token {
        let entry = AuditEntry {
            token_name,
            method: "POST".into(),
            path,
            object_id: None,
            status: response.status().as_u16(),
        };
        // The request happened; failing to log it must not hide that.
        if let Err(e) = state.write(move |store| store.append_audit(&entry)).await {
            tracing::error!(error = ?e, "audit log write failed");
        }
    }
    response
}

/// A form sent by a signed-in caller, checked: from this server's pages (Origin or Referer),
/// `application/x-www-form-urlencoded`, within the body limits, with the session's CSRF code.
pub struct Posted {
    /// Who sent it.
    pub signed: Signed,
    fields: Vec<(String, String)>,
}

impl Posted {
    /// The value of field `name`, trimmed; empty when it was not sent.
    pub fn get(&self, name: &str) -> &str {
        self.fields
            .iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.trim())
    }

    /// Every value sent under `name`, in order (checkboxes).
    pub fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.fields
            .iter()
            .filter(move |(k, _)| k == name)
            .map(|(_, v)| v.trim())
    }

    /// Every field, in order.
    pub fn fields(&self) -> &[(String, String)] {
        &self.fields
    }
}

/// A form body: the fields of an urlencoded body within the API's limits, or a page saying
/// why not.
async fn form_fields(
    headers: &HeaderMap,
    body: Body,
    state: &AppState,
    c: impl FnOnce() -> Chrome,
) -> Result<Vec<(String, String)>, Response> {
    let urlencoded = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| {
            v.trim()
                .eq_ignore_ascii_case("application/x-www-form-urlencoded")
        });
    if !urlencoded {
        let c = c();
        let words = c.t.form_unreadable.to_owned();
        return Err(error_page(c, StatusCode::UNSUPPORTED_MEDIA_TYPE, words));
    }
    match read_body(body, state.body_timeout()).await {
        Ok(bytes) => Ok(form_urlencoded::parse(&bytes).into_owned().collect()),
        Err(e) => {
            let c = c();
            let words = c.t.form_unreadable.to_owned();
            Err(error_page(c, e.status(), words))
        }
    }
}

impl FromRequest<AppState> for Posted {
    type Rejection = Response;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Response> {
        let (mut parts, body) = req.into_parts();
        let signed = Signed::from_request_parts(&mut parts, state).await?;
        if !same_origin(&parts.headers) {
            return Err(signed.error(StatusCode::FORBIDDEN, signed.t().cross_site));
        }
        let fields = form_fields(&parts.headers, body, state, || signed.chrome()).await?;
        let sent = fields
            .iter()
            .find(|(k, _)| k == CSRF_FIELD)
            .map_or("", |(_, v)| v.as_str());
        if !same_code(sent, &signed.csrf) {
            return Err(signed.error(StatusCode::FORBIDDEN, signed.t().csrf));
        }
        Ok(Posted { signed, fields })
    }
}

/// The sign-in page's query: the page to go to after, and a language chosen on the page.
#[derive(Debug, Deserialize)]
pub struct SignInQuery {
    next: Option<String>,
    lang: Option<String>,
    signed_out: Option<String>,
}

/// The sign-in form, with a fresh CSRF code in a cookie of its own and in the form.
fn sign_in_form(
    mut c: Chrome,
    status: StatusCode,
    next: &str,
    error: Option<String>,
    secure: bool,
) -> Response {
    let code = match random_code() {
        Ok(code) => code,
        Err(e) => {
            tracing::error!(error = %e, "no randomness for a sign-in form");
            let words = c.t.server.to_owned();
            return error_page(c, StatusCode::INTERNAL_SERVER_ERROR, words);
        }
    };
    c.err = error;
    let mut r = html(
        status,
        &SignInView {
            c,
            code: code.clone(),
            next: local_path(next).unwrap_or("").to_owned(),
        },
    );
    set(
        &mut r,
        &set_cookie(
            SIGN_IN_COOKIE,
            &code,
            &format!("{BASE}/sign-in"),
            secure,
            Some(SIGN_IN_FORM_AGE),
        ),
    );
    r
}

/// GET /app/sign-in; a browser still signed in goes on to the page it asked for.
pub async fn sign_in_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<SignInQuery>,
) -> Response {
    if let Some(secret) = cookie(&headers, SESSION_COOKIE).filter(|s| well_formed(s)) {
        let live = state
            .read(move |store| store.web_session(&secret, LIMITS))
            .await;
        if let Ok(Some(_)) = live {
            let to = q
                .next
                .as_deref()
                .and_then(local_path)
                .map_or_else(|| format!("{BASE}/"), str::to_owned);
            return Redirect::to(&to).into_response();
        }
    }
    let mut c = anonymous_chrome(&headers, &format!("{BASE}/sign-in"));
    if let Some(lang) = q.lang.as_deref().and_then(parse_lang) {
        c.t = texts(lang);
        c.lang = lang;
    }
    if q.signed_out.is_some() {
        c.ok = Some(c.t.signed_out);
    }
    sign_in_form(
        c,
        StatusCode::OK,
        q.next.as_deref().unwrap_or(""),
        None,
        over_tls(&headers),
    )
}

/// POST /app/sign-in: the token checked as the API checks one, then a session.
pub async fn sign_in(State(state): State<AppState>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let headers = &parts.headers;
    let secure = over_tls(headers);
    let addr = parts.extensions.get::<ClientAddr>().map(|c| c.0);
    let mut c = anonymous_chrome(headers, &format!("{BASE}/sign-in"));
    if !same_origin(headers) {
        let words = c.t.cross_site.to_owned();
        return error_page(c, StatusCode::FORBIDDEN, words);
    }
    let fields = match form_fields(headers, body, &state, || c.clone()).await {
        Ok(f) => f,
        Err(r) => return r,
    };
    let field = |name: &str| {
        fields
            .iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.trim())
    };
    if let Some(lang) = parse_lang(field("lang")) {
        c.t = texts(lang);
        c.lang = lang;
    }
    let next = field("next").to_owned();
    let expected = cookie(headers, SIGN_IN_COOKIE).unwrap_or_default();
    if expected.is_empty() || !same_code(field(CSRF_FIELD), &expected) {
        let words = c.t.sign_in_expired.to_owned();
        return sign_in_form(c, StatusCode::FORBIDDEN, &next, Some(words), secure);
    }
    let token = field("token");
    let secret = (!token.is_empty()).then(|| token.to_owned());
    let info = match state.verify_secret(addr, secret).await {
        Ok(info) => info,
        Err(e) if e.status() == StatusCode::UNAUTHORIZED => {
            let words = c.t.bad_token.to_owned();
            return sign_in_form(c, StatusCode::UNAUTHORIZED, &next, Some(words), secure);
        }
        Err(e) => return api_error_page(c, &e),
    };
    let name = info.name.clone();
    let session = match state
        .write(move |store| store.start_web_session(&name, LIMITS))
        .await
    {
        Ok(s) => s,
        // Revoked between the check and the session: as a wrong token.
        Err(e) if e.status() == StatusCode::UNAUTHORIZED => {
            let words = c.t.bad_token.to_owned();
            return sign_in_form(c, StatusCode::UNAUTHORIZED, &next, Some(words), secure);
        }
        Err(e) => return api_error_page(c, &e),
    };
    tracing::info!(token = %info.name, "signed in to the pages");
    let to = local_path(&next).map_or_else(|| format!("{BASE}/"), str::to_owned);
    let mut r = Redirect::to(&to).into_response();
    set(
        &mut r,
        &set_cookie(SESSION_COOKIE, &session, BASE, secure, None),
    );
    set(
        &mut r,
        &clear_cookie(SIGN_IN_COOKIE, &format!("{BASE}/sign-in"), secure),
    );
    r
}

/// POST /app/sign-out: the session is deleted from the store, and its cookie from the browser.
pub async fn sign_out(State(state): State<AppState>, posted: Posted) -> Response {
    let Posted { signed, .. } = posted;
    let secret = signed.secret.clone();
    if let Err(e) = state
        .write(move |store| store.end_web_session(&secret))
        .await
    {
        return api_error_page(signed.chrome(), &e);
    }
    let mut r = Redirect::to(&format!("{BASE}/sign-in?signed_out=1")).into_response();
    set(&mut r, &clear_cookie(SESSION_COOKIE, BASE, signed.secure));
    r
}

/// POST /app/language: the language the caller reads the pages in, kept with their token
/// (so every browser they sign in on), then back to the page they were on.
pub async fn language(State(state): State<AppState>, posted: Posted) -> Response {
    let signed = &posted.signed;
    let Some(lang) = parse_lang(posted.get("lang")) else {
        return signed.error(
            StatusCode::UNPROCESSABLE_ENTITY,
            i18n::not_a_choice(signed.lang, "lang"),
        );
    };
    let name = signed.caller.0.name.clone();
    let tag = lang.tag();
    if let Err(e) = state
        .write(move |store| store.set_web_language(&name, tag))
        .await
    {
        return api_error_page(signed.chrome(), &e);
    }
    let back = local_path(posted.get("back")).map_or_else(|| format!("{BASE}/"), str::to_owned);
    Redirect::to(&back).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_our_own_pages_are_come_back_to() {
        assert_eq!(local_path("/app/studies/s"), Some("/app/studies/s"));
        assert_eq!(local_path("//evil.example/app/"), None);
        assert_eq!(local_path("/app//evil.example"), None);
        assert_eq!(local_path("/app/\\evil"), None);
        assert_eq!(local_path("/app/x\ny"), None);
        assert_eq!(local_path("https://evil.example/app/"), None);
        assert_eq!(local_path("/studies"), None);
    }
}
