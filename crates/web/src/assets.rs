//! The pages' style sheet and their one script, compiled into the binary: nothing is fetched
//! from elsewhere.

use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};

/// Where the style sheet is served.
pub const CSS_PATH: &str = "/app/assets/samskap.css";

/// Where the script is served.
pub const JS_PATH: &str = "/app/assets/samskap.js";

const CSS: &str = include_str!("../assets/samskap.css");

const JS: &str = include_str!("../assets/samskap.js");

/// `body` as `content_type`, cached for an hour: a new version of samskap may change it.
fn asset(content_type: &'static str, body: &'static str) -> Response {
    let mut r = ([(header::CONTENT_TYPE, content_type)], body).into_response();
    r.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=3600"),
    );
    r
}

/// GET the style sheet.
pub async fn css() -> Response {
    asset("text/css; charset=utf-8", CSS)
}

/// GET the script.
pub async fn js() -> Response {
    asset("text/javascript; charset=utf-8", JS)
}
