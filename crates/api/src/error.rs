//! One error type for every handler, rendered as RFC 9457 problem details
//! (`application/problem+json`), so handlers use `?` and no error becomes a 500 by accident.

use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use samskap_store::StoreError;
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
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// The request field at fault, for 422.
    #[serde(skip_serializing_if = "Option::is_none")]
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
}

impl ApiError {
    /// An error with a status and a detail.
    pub fn new(status: StatusCode, detail: impl Into<String>) -> Self {
        Self {
            status,
            detail: detail.into(),
            field: None,
            object: None,
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
    pub fn invalid(field: &str, detail: impl Into<String>) -> Self {
        Self {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            detail: detail.into(),
            field: Some(field.to_owned()),
            object: None,
        }
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
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        let status = match &e {
            StoreError::NotFound { .. } | StoreError::NoStudy => StatusCode::NOT_FOUND,
            StoreError::Conflict(_) => StatusCode::CONFLICT,
            StoreError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            StoreError::Busy => StatusCode::SERVICE_UNAVAILABLE,
            _ => StatusCode::INTERNAL_SERVER_ERROR,
        };
        if status == StatusCode::INTERNAL_SERVER_ERROR {
            tracing::error!(error = %e, "store error");
        }
        Self::new(status, e.to_string())
    }
}

/// A store refusal of a value, named by the request field it concerns: checks that run
/// deep in the model know the rule, the handler knows which field carried the value.
pub fn invalid_field(field: impl Fn(&str) -> &'static str) -> impl Fn(StoreError) -> ApiError {
    move |e| match e {
        StoreError::Invalid(detail) => {
            let f = field(&detail);
            ApiError::invalid(f, detail)
        }
        other => other.into(),
    }
}

impl From<JsonRejection> for ApiError {
    fn from(r: JsonRejection) -> Self {
        let status = match r.status() {
            StatusCode::PAYLOAD_TOO_LARGE => StatusCode::PAYLOAD_TOO_LARGE,
            StatusCode::UNSUPPORTED_MEDIA_TYPE => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            // A body that parses as JSON but has the wrong shape names its field.
            StatusCode::UNPROCESSABLE_ENTITY => StatusCode::UNPROCESSABLE_ENTITY,
            _ => StatusCode::BAD_REQUEST,
        };
        let detail = r.body_text();
        let field = (status == StatusCode::UNPROCESSABLE_ENTITY)
            .then(|| field_of(&detail))
            .flatten();
        Self {
            status,
            detail,
            field,
            object: None,
        }
    }
}

impl From<PathRejection> for ApiError {
    fn from(r: PathRejection) -> Self {
        Self::new(StatusCode::NOT_FOUND, r.body_text())
    }
}

impl From<QueryRejection> for ApiError {
    fn from(r: QueryRejection) -> Self {
        Self::new(StatusCode::BAD_REQUEST, r.body_text())
    }
}

/// The field serde complained about, from messages such as
/// "Failed to deserialize the JSON body into the target type: date: input contains invalid
/// characters at line 1 column 20" or "missing field `date`".
fn field_of(detail: &str) -> Option<String> {
    if let Some(rest) = detail.split("missing field `").nth(1) {
        return rest.split('`').next().map(str::to_owned);
    }
    if let Some(rest) = detail.split("unknown field `").nth(1) {
        return rest.split('`').next().map(str::to_owned);
    }
    let after = detail.split("target type: ").nth(1)?;
    let (path, _) = after.split_once(": ")?;
    (!path.contains(' ')).then(|| path.to_owned())
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let problem = Problem {
            kind: "about:blank".into(),
            title: self.status.canonical_reason().unwrap_or("Error").to_owned(),
            status: self.status.as_u16(),
            detail: Some(self.detail),
            field: self.field,
        };
        let body = serde_json::to_vec(&problem).unwrap_or_default();
        let mut r = (
            self.status,
            [(header::CONTENT_TYPE, "application/problem+json")],
            body,
        )
            .into_response();
        if let Some(object) = self.object {
            r.extensions_mut().insert(crate::auth::ObjectId(object));
        }
        r
    }
}

#[cfg(test)]
mod tests {
    use super::field_of;

    #[test]
    fn fields_are_found_in_serde_messages() {
        assert_eq!(
            field_of("Failed to deserialize the JSON body into the target type: date: input contains invalid characters at line 1 column 20").as_deref(),
            Some("date")
        );
        assert_eq!(
            field_of("... missing field `kind` at line 1").as_deref(),
            Some("kind")
        );
        assert_eq!(field_of("something else"), None);
    }
}
