//! One error type for every handler, rendered as RFC 9457 problem details
//! (`application/problem+json`), so handlers use `?` and no error becomes a 500 by accident.
//!
//! A problem's `detail` is always samskap's own words: the model's and the store's messages,
//! or the API's. Driver and parser wording (SQLite's, serde's) goes to the log, never to the
//! client.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use samskap_store::{Refusal, StoreError};
use serde::Serialize;
use utoipa::ToSchema;

/// A problem, as the client sees it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Problem {
    /// A URI naming the kind of problem (`about:blank` when the status says it all).
    #[serde(rename = "type")]
    pub kind: String,
    /// A short summary of the kind.
    pub title: String,
    /// The HTTP status.
    pub status: u16,
    /// What went wrong here.
    pub detail: String,
    /// The request field at fault, for 422.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub field: Option<String>,
}

/// An error of the API.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    detail: String,
    field: Option<String>,
    /// The object a refused write was about, for its audit entry.
    object: Option<String>,
    /// Seconds to wait, for a 429.
    retry_after: Option<u64>,
    /// The model's refusal this error reports, kept typed so that another surface (the
    /// pages) can say it in its own words. Boxed: most errors carry none, and every handler
    /// returns this type.
    refusal: Option<Box<Refusal>>,
}

impl ApiError {
    /// An error with a status and a detail.
    pub fn new(status: StatusCode, detail: impl Into<String>) -> Self {
        Self {
            status,
            detail: detail.into(),
            field: None,
            object: None,
            retry_after: None,
            refusal: None,
        }
    }

    /// 401: no or an unknown token.
    pub fn unauthorized() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "a valid `Authorization: Bearer <token>` header is required",
        )
    }

    /// 403: a valid token without access. Says nothing about the thing asked for.
    pub fn forbidden() -> Self {
        Self::new(StatusCode::FORBIDDEN, "this token has no access to that")
    }

    /// 404.
    pub fn not_found(what: impl std::fmt::Display) -> Self {
        Self::new(StatusCode::NOT_FOUND, format!("no {what}"))
    }

    /// 422 naming a field.
    pub fn invalid(field: impl Into<String>, detail: impl Into<String>) -> Self {
        Self {
            field: Some(field.into()),
            ..Self::new(StatusCode::UNPROCESSABLE_ENTITY, detail)
        }
    }

    /// 429: too many failed authentications from the caller's address; try after `secs`.
    pub fn too_many(secs: u64) -> Self {
        Self {
            retry_after: Some(secs),
            ..Self::new(
                StatusCode::TOO_MANY_REQUESTS,
                format!("too many failed authentications from this address; try again in {secs} s"),
            )
        }
    }

    /// 500 for a failure that is the server's, not the caller's: logged in full, told in
    /// general.
    pub fn internal(cause: &dyn std::fmt::Display) -> Self {
        tracing::error!(error = %cause, "request failed");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "the server could not complete the request; its log has the details",
        )
    }

    /// The same error with another status.
    pub fn with_status(mut self, status: StatusCode) -> Self {
        self.status = status;
        self
    }

    /// Its field and detail, for tests.
    #[cfg(test)]
    pub fn parts(&self) -> (Option<String>, String) {
        (self.field.clone(), self.detail.clone())
    }

    /// The same error, noting the object a refused write was about (for the audit log).
    pub fn about(mut self, object: &str) -> Self {
        self.object = Some(object.to_owned());
        self
    }

    /// The status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// What went wrong, in samskap's words (the problem's `detail`).
    pub fn detail(&self) -> &str {
        &self.detail
    }

    /// The model's refusal behind this error, when the store refused a checked write.
    pub fn refusal(&self) -> Option<&Refusal> {
        self.refusal.as_deref()
    }

    /// Seconds to wait before trying again, for a 429.
    pub fn retry_after(&self) -> Option<u64> {
        self.retry_after
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound { .. } | StoreError::NoStudy => {
                Self::new(StatusCode::NOT_FOUND, e.to_string())
            }
            StoreError::Refused { reason, conflict } => {
                let status = if conflict {
                    StatusCode::CONFLICT
                } else {
                    StatusCode::UNPROCESSABLE_ENTITY
                };
                let detail = reason.to_string();
                Self {
                    refusal: Some(Box::new(reason)),
                    ..Self::new(status, detail)
                }
            }
            StoreError::Conflict(_) | StoreError::NothingToUndo(_) => {
                Self::new(StatusCode::CONFLICT, e.to_string())
            }
            // No route searches today; a query is the client's input, as a bad value is.
            StoreError::Invalid(_) | StoreError::Query(_) => {
                Self::new(StatusCode::UNPROCESSABLE_ENTITY, e.to_string())
            }
            // Revoked after the request was let in: the write did not happen.
            StoreError::Revoked(_) => Self::unauthorized(),
            StoreError::Busy => Self::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "the store is busy; try again",
            ),
            // Backups and restores are the CLI's; no route reaches them.
            StoreError::Missing(_)
            | StoreError::TooNew { .. }
            | StoreError::WhichStudy(_)
            | StoreError::Corrupt(_)
            | StoreError::Database(_)
            | StoreError::Exists(_)
            | StoreError::NotAStore { .. }
            | StoreError::Foreign { .. }
            | StoreError::File { .. } => Self::internal(&e),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let problem = Problem {
            kind: "about:blank".into(),
            title: self.status.canonical_reason().unwrap_or("Error").to_owned(),
            status: self.status.as_u16(),
            detail: self.detail,
            field: self.field,
        };
        let body = serde_json::to_vec(&problem).unwrap_or_default();
        let mut r = (
            self.status,
            [(header::CONTENT_TYPE, "application/problem+json")],
            body,
        )
            .into_response();
        if let Some(secs) = self.retry_after {
            r.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        if let Some(object) = self.object {
            r.extensions_mut().insert(crate::auth::ObjectId(object));
        }
        r
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn driver_wording_stays_in_the_log() {
        for e in [
            StoreError::Database("UNIQUE constraint failed: meeting.id".into()),
            StoreError::Corrupt("invalid digit found in string".into()),
        ] {
            let api = ApiError::from(e);
            assert_eq!(api.status, StatusCode::INTERNAL_SERVER_ERROR);
            assert!(!api.detail.contains("UNIQUE"), "{}", api.detail);
            assert!(!api.detail.contains("invalid digit"), "{}", api.detail);
        }
        let api = ApiError::from(StoreError::Revoked("kari".into()));
        assert_eq!(api.status, StatusCode::UNAUTHORIZED);
        assert!(!api.detail.contains("kari"), "{}", api.detail);
    }
}
