//! The pages' one style sheet, compiled into the binary: nothing is fetched from elsewhere.

use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};

/// Where the style sheet is served.
pub const CSS_PATH: &str = "/app/assets/samskap.css";

const CSS: &str = include_str!("../assets/samskap.css");

/// GET the style sheet. Cached for an hour: a new version of samskap may change it.
pub async fn css() -> Response {
    let mut r = ([(header::CONTENT_TYPE, "text/css; charset=utf-8")], CSS).into_response();
    r.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=3600"),
    );
    r
}
