//! Who is calling, and what they may do: a bearer token checked against the store, and the
//! rules of the three roles.

use std::collections::HashMap;
use std::net::IpAddr;
use std::time::Instant;

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, Request, State};
use axum::http::{header, Method};
use axum::middleware::Next;
use axum::response::Response;
use axum::Extension;
use samskap_core::{GroupId, StudyId};
use samskap_store::{AuditEntry, TokenInfo, TokenRole};

use crate::error::ApiError;
use crate::server::ClientAddr;
use crate::state::AppState;
use crate::throttle::retry_after_secs;

/// The verified caller of a request.
#[derive(Debug, Clone)]
pub struct Caller(pub TokenInfo);

/// The object a write created or changed, for the audit log.
#[derive(Debug, Clone)]
pub struct ObjectId(pub String);

/// Who is writing what, so that a handler can have the audit entry committed in the same
/// transaction as the write it makes.
#[derive(Debug, Clone)]
pub struct AuditContext {
    /// The token's name.
    pub token_name: String,
    /// The HTTP method.
    pub method: String,
    /// The request path.
    pub path: String,
}

/// On a response whose audit entry was committed with its write: the middleware writes no
/// other.
#[derive(Debug, Clone, Copy)]
pub struct Audited;

impl Caller {
    /// May read the group's records.
    pub fn may_read_group(&self, study: &StudyId, group: &GroupId) -> bool {
        match self.0.role {
            TokenRole::Admin | TokenRole::Analyst => true,
            TokenRole::Facilitator => self.has_group(study, group),
        }
    }

    /// May change the group's records.
    pub fn may_write_group(&self, study: &StudyId, group: &GroupId) -> bool {
        match self.0.role {
            TokenRole::Admin => true,
            TokenRole::Analyst => false,
            TokenRole::Facilitator => self.has_group(study, group),
        }
    }

    /// May record assessments (analysts and admins).
    pub fn may_assess(&self) -> bool {
        matches!(self.0.role, TokenRole::Admin | TokenRole::Analyst)
    }

    /// May read everything of a study (not only some groups).
    pub fn may_read_study(&self) -> bool {
        matches!(self.0.role, TokenRole::Admin | TokenRole::Analyst)
    }

    fn has_group(&self, study: &StudyId, group: &GroupId) -> bool {
        self.0.groups.iter().any(|(s, g)| s == study && g == group)
    }

    /// 403 unless `allowed`.
    pub fn require(&self, allowed: bool) -> Result<(), ApiError> {
        if allowed {
            Ok(())
        } else {
            Err(ApiError::forbidden())
        }
    }
}

/// Checks the bearer token of every request (but the health check), then writes an audit
/// entry for every write, whatever its outcome. A client address over its allowance of failed
/// authentications gets 429 before its token is looked at.
pub async fn authenticate(
    State(state): State<AppState>,
    mut req: Request,
    next: Next,
) -> Result<Response, ApiError> {
    let addr = req.extensions().get::<ClientAddr>().map(|c| c.0);
    let secret = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned);
    let info = state.verify_secret(addr, secret).await?;
    let name = info.name.clone();
    req.extensions_mut().insert(Caller(info));
    let method = req.method().clone();
    let path = req.uri().path().to_owned();
    req.extensions_mut().insert(AuditContext {
        token_name: name.clone(),
        method: method.to_string(),
        path: path.clone(),
    });
    let response = next.run(req).await;
    let audited = response.extensions().get::<Audited>().is_some();
    if method != Method::GET && method != Method::HEAD && !audited {
        let object = response.extensions().get::<ObjectId>().map(|o| o.0.clone());
        let entry = AuditEntry {
            token_name: name,
            method: method.to_string(),
            path,
            object_id: object,
            status: response.status().as_u16(),
        };
        // The write happened (or was refused); a failure to log it must not hide that,
        // so it is logged loudly rather than turned into an error response.
        if let Err(e) = state.write(move |store| store.append_audit(&entry)).await {
            tracing::error!(error = ?e, "audit log write failed");
        }
    }
    Ok(response)
}

/// Access to a group's routes (`/studies/{study}/groups/{group}/…`), checked from the path
/// alone before the handler reads anything of the body: reading needs `may_read_group`, any
/// other method `may_write_group`. A facilitator gets the same 403 for another group, a group
/// that does not exist and a malformed id.
pub async fn group_access(
    Extension(caller): Extension<Caller>,
    path: Result<Path<HashMap<String, String>>, PathRejection>,
    req: Request,
    next: Next,
) -> Result<Response, ApiError> {
    let write = !matches!(*req.method(), Method::GET | Method::HEAD);
    let allowed = match caller.0.role {
        TokenRole::Admin => true,
        TokenRole::Analyst => !write,
        TokenRole::Facilitator => path.is_ok_and(|Path(p)| {
            let (Some(study), Some(group)) = (p.get("study"), p.get("group")) else {
                return false;
            };
            caller
                .0
                .groups
                .iter()
                .any(|(s, g)| s.as_str() == study && g.as_str() == group)
        }),
    };
    caller.require(allowed)?;
    Ok(next.run(req).await)
}

/// Access to the analysis routes (assessments, codings, the sources, which name informants,
/// the interview guides the sources follow, and the journal of edits): analysts and admins,
/// checked before the path or the body is read.
pub async fn assessment_access(
    Extension(caller): Extension<Caller>,
    req: Request,
    next: Next,
) -> Result<Response, ApiError> {
    caller.require(caller.may_assess())?;
    Ok(next.run(req).await)
}

/// Authentication as every surface of the server does it: the bearer token of the API and the
/// token pasted into the pages' sign-in form are checked, and their failures counted, alike.
impl AppState {
    /// 429 while `addr` is over its allowance of failed authentications.
    pub fn check_throttle(&self, addr: Option<IpAddr>) -> Result<(), ApiError> {
        match addr {
            Some(addr) => self
                .throttle()
                .check(addr, Instant::now())
                .map_err(|wait| ApiError::too_many(retry_after_secs(wait))),
            None => Ok(()),
        }
    }

    /// Counts a failed authentication of `addr`, and gives the error to answer: 401, or 429
    /// when the failure could not be counted (the table is full of live windows).
    pub fn auth_failed(&self, addr: Option<IpAddr>) -> ApiError {
        match addr.map(|a| self.throttle().failed(a, Instant::now())) {
            Some(Err(wait)) => ApiError::too_many(retry_after_secs(wait)),
            _ => ApiError::unauthorized(),
        }
    }

    /// The live token whose secret this is. An address over its allowance gets 429 before the
    /// secret is looked at; a missing, unknown or revoked secret counts as a failure of `addr`.
    pub async fn verify_secret(
        &self,
        addr: Option<IpAddr>,
        secret: Option<String>,
    ) -> Result<TokenInfo, ApiError> {
        self.check_throttle(addr)?;
        let Some(secret) = secret else {
            return Err(self.auth_failed(addr));
        };
        match self.read(move |store| store.verify_token(&secret)).await? {
            Some(info) => Ok(info),
            None => Err(self.auth_failed(addr)),
        }
    }
}
