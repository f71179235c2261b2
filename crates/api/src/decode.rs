//! Request bodies and query strings, read into the wire types. A refusal names the field at
//! fault from where the parser stopped (`serde_path_to_error`), and says what the field must
//! be from the request's own OpenAPI schema, so that the words are samskap's and agree with
//! the document; a date says what core's date parser said.

use std::sync::OnceLock;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, StatusCode};
use http_body_util::BodyExt;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};
use serde_path_to_error::Segment;
use utoipa::{OpenApi, ToSchema};

use crate::error::ApiError;
use crate::openapi::ID_PATTERN;
use crate::state::AppState;

/// Largest request body accepted (bigger gets 413).
pub const BODY_LIMIT: usize = 64 * 1024;

/// A JSON body, read after the route's access check (a middleware) and refused in samskap's
/// words.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned + ToSchema> FromRequest<AppState> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, ApiError> {
        if !is_json(req.headers()) {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "the body must be sent as `Content-Type: application/json`",
            ));
        }
        let bytes = read_body(req.into_body(), state.body_timeout()).await?;
        decode(&bytes).map(ApiJson)
    }
}

/// `application/json`, or a `+json` type, with any parameters.
fn is_json(headers: &HeaderMap) -> bool {
    let Some(value) = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let essence = value.split(';').next().unwrap_or("").trim();
    let essence = essence.to_ascii_lowercase();
    essence == "application/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"))
}

/// The whole body, within [`BODY_LIMIT`] (413) and `timeout` (408).
pub async fn read_body(body: Body, timeout: Duration) -> Result<Bytes, ApiError> {
    let limited = http_body_util::Limited::new(body, BODY_LIMIT);
    match tokio::time::timeout(timeout, limited.collect()).await {
        Ok(Ok(collected)) => Ok(collected.to_bytes()),
        Ok(Err(e)) if e.is::<http_body_util::LengthLimitError>() => Err(ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("the body is over {BODY_LIMIT} bytes"),
        )),
        Ok(Err(e)) => {
            tracing::debug!(error = %e, "reading a request body failed");
            Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                "the body could not be read to its end",
            ))
        }
        Err(_) => Err(ApiError::new(
            StatusCode::REQUEST_TIMEOUT,
            format!("the body did not arrive within {} s", timeout.as_secs_f64()),
        )),
    }
}

/// Reads `T` from a JSON body: 400 when it is not JSON, 422 naming the field otherwise.
pub fn decode<T: DeserializeOwned + ToSchema>(bytes: &[u8]) -> Result<T, ApiError> {
    let value: Value = serde_json::from_slice(bytes).map_err(|e| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            format!(
                "the body is not JSON (the fault is on line {}, column {})",
                e.line(),
                e.column()
            ),
        )
    })?;
    // serde reads a JSON array into a struct's fields in order, so `[null, null]` would pass
    // for an object of optional fields; every body here is an object.
    if !value.is_object() {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "the body must be a JSON object",
        ));
    }
    serde_path_to_error::deserialize(&value).map_err(|e| {
        let (field, detail) = refusal(&schema_of::<T>(), &value, e.path());
        ApiError::invalid(field, detail)
    })
}

/// The path's parameters. A path that does not decode (`%FF` where an id goes) names
/// nothing, so it is a 404 like an unknown id, as problem details.
pub struct ApiPath<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for ApiPath<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Path(v)| ApiPath(v))
            .map_err(|_| ApiError::not_found("such resource"))
    }
}

/// A query string read into `T`; a refusal is a 400 naming the parameter.
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned + ToSchema, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        let query = parts.uri.query().unwrap_or("");
        let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
        serde_path_to_error::deserialize(de)
            .map(ApiQuery)
            .map_err(|e| {
                let given: Map<String, Value> = form_urlencoded::parse(query.as_bytes())
                    .map(|(k, v)| (k.into_owned(), Value::String(v.into_owned())))
                    .collect();
                let (field, detail) = refusal(&schema_of::<T>(), &Value::Object(given), e.path());
                let mut err = ApiError::invalid(field, detail);
                err = err.with_status(StatusCode::BAD_REQUEST);
                err
            })
    }
}

/// The JSON form of `T`'s schema.
fn schema_of<T: ToSchema>() -> Value {
    serde_json::to_value(T::schema()).unwrap_or(Value::Null)
}

/// The OpenAPI document as JSON, for resolving `$ref`s.
fn document() -> &'static Value {
    static DOC: OnceLock<Value> = OnceLock::new();
    DOC.get_or_init(|| serde_json::to_value(crate::routes::ApiDoc::openapi()).unwrap_or_default())
}

/// `schema` with `$ref`s followed and an optional value's `null` branch set aside.
fn resolve(mut schema: &Value) -> Option<&Value> {
    for _ in 0..16 {
        if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
            let name = r.strip_prefix("#/components/schemas/")?;
            schema = document().pointer(&format!("/components/schemas/{name}"))?;
            continue;
        }
        // A single branch (utoipa wraps an inlined type with its own description so) or an
        // optional value's non-null one stands for the whole.
        let single = ["oneOf", "allOf", "anyOf"].into_iter().find_map(|key| {
            let Some(Value::Array(branches)) = schema.get(key) else {
                return None;
            };
            let real: Vec<&Value> = branches.iter().filter(|b| !is_null_type(b)).collect();
            (real.len() == 1).then(|| real[0])
        });
        match single {
            Some(inner) => schema = inner,
            None => return Some(schema),
        }
    }
    None
}

fn is_null_type(s: &Value) -> bool {
    s.get("type").and_then(Value::as_str) == Some("null")
}

/// The properties an object schema (or a oneOf of objects, serde's tagged enums) allows; of
/// an allOf (a schema with a rule restated beside it), those its branches declare.
fn properties(schema: &Value) -> Option<Vec<(&String, &Value)>> {
    if let Some(Value::Object(props)) = schema.get("properties") {
        return Some(props.iter().collect());
    }
    if let Some(Value::Array(branches)) = schema.get("allOf") {
        let all: Vec<(&String, &Value)> = branches
            .iter()
            .filter_map(resolve)
            .filter_map(properties)
            .flatten()
            .collect();
        return (!all.is_empty()).then_some(all);
    }
    let Value::Array(branches) = schema.get("oneOf")? else {
        return None;
    };
    let mut all = Vec::new();
    for b in branches {
        let b = resolve(b)?;
        all.extend(properties(b)?);
    }
    Some(all)
}

fn required(schema: &Value) -> Vec<&str> {
    match schema.get("required") {
        Some(Value::Array(names)) => names.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    }
}

/// Appends a key to a field path (`attendance[0].presence`).
fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_owned()
    } else {
        format!("{path}.{key}")
    }
}

/// The field at fault and what to say about it, from where serde stopped (`path`) in
/// `value`, read against `root` (the request's schema).
fn refusal(root: &Value, value: &Value, path: &serde_path_to_error::Path) -> (String, String) {
    let mut field = String::new();
    let mut schema = resolve(root);
    let mut node = Some(value);
    for segment in path {
        match segment {
            Segment::Map { key } | Segment::Enum { variant: key } => {
                let parent = schema;
                schema = parent
                    .and_then(properties)
                    .and_then(|props| props.into_iter().find(|(k, _)| *k == key))
                    .and_then(|(_, s)| resolve(s));
                field = join(&field, key);
                if parent.is_some_and(|p| properties(p).is_some()) && schema.is_none() {
                    return (field, "there is no such field here".into());
                }
                node = node.and_then(|n| n.get(key.as_str()));
            }
            Segment::Seq { index } => {
                schema = schema.and_then(|s| s.get("items")).and_then(resolve);
                field = format!("{field}[{index}]");
                node = node.and_then(|n| n.get(*index));
            }
            Segment::Unknown => break,
        }
    }
    // Stopped at an object: a key it must not have, or one it lacks.
    if let (Some(Value::Object(obj)), Some(s)) = (node, schema) {
        if let Some(props) = properties(s) {
            if let Some(k) = obj.keys().find(|k| !props.iter().any(|(p, _)| p == k)) {
                return (join(&field, k), "there is no such field here".into());
            }
            if let Some(k) = required(s).into_iter().find(|k| !obj.contains_key(*k)) {
                return (join(&field, k), "this field is required".into());
            }
            if let Some(Value::Array(branches)) = s.get("oneOf") {
                let tags: Vec<String> = branches
                    .iter()
                    .filter_map(resolve)
                    .flat_map(required)
                    .map(|t| format!("`{t}`"))
                    .collect();
                return (
                    field,
                    format!("this must hold exactly one of {}", tags.join(", ")),
                );
            }
        }
    }
    let what = schema.map_or_else(|| "of another kind".to_owned(), |s| expectation(s, node));
    (field, what)
}

/// What a value of `schema` must be, in a sentence that follows "this must be"; or, for a
/// date that reads as text, what core's date parser said of it.
fn expectation(schema: &Value, node: Option<&Value>) -> String {
    let format = schema.get("format").and_then(Value::as_str);
    if format == Some("date") {
        if let Some(Value::String(s)) = node {
            if let Err(e) = samskap_core::date::parse(s) {
                return e.to_string();
            }
        }
        return "this must be a date written YYYY-MM-DD, such as 2024-03-01".into();
    }
    let types: Vec<&str> = match schema.get("type") {
        Some(Value::String(t)) => vec![t.as_str()],
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    let nullable = types.contains(&"null");
    let mut what = if let Some(Value::Array(values)) = schema.get("enum") {
        let names: Vec<String> = values
            .iter()
            .filter(|v| !v.is_null())
            .map(|v| match v {
                Value::String(s) => format!("`{s}`"),
                other => other.to_string(),
            })
            .collect();
        format!("one of {}", names.join(", "))
    } else if schema.get("pattern").and_then(Value::as_str) == Some(ID_PATTERN) {
        "an id: up to 64 letters, digits, `_`, `-` or `.`, starting with a letter or digit".into()
    } else if types.contains(&"integer") || types.contains(&"number") {
        let kind = if types.contains(&"integer") {
            "a whole number"
        } else {
            "a number"
        };
        match (schema.get("minimum"), schema.get("maximum")) {
            (Some(lo), Some(hi)) => format!("{kind} from {lo} to {hi}"),
            (Some(lo), None) => format!("{kind} of at least {lo}"),
            (None, Some(hi)) => format!("{kind} of at most {hi}"),
            (None, None) => kind.to_owned(),
        }
    } else if types.contains(&"boolean") {
        "`true` or `false`".into()
    } else if types.contains(&"string") {
        match schema.get("maxLength") {
            Some(n) => format!("a string of at most {n} characters"),
            None => "a string".into(),
        }
    } else if types.contains(&"array") {
        "a list".into()
    } else if types.contains(&"object") {
        "an object".into()
    } else {
        "of another kind".into()
    };
    if nullable {
        what.push_str(", or null");
    }
    format!("this must be {what}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::{AttendanceIn, MeetingIn, MemberIn};

    fn refused<T: DeserializeOwned + ToSchema + std::fmt::Debug>(body: &str) -> (String, String) {
        let err = decode::<T>(body.as_bytes()).unwrap_err();
        assert_eq!(err.status(), StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        let (field, detail) = err.parts();
        (field.unwrap_or_default(), detail)
    }

    /// Wording that is serde's or serde_json's, not samskap's.
    fn is_serde_wording(detail: &str) -> bool {
        [
            "invalid type",
            "invalid value",
            "expected",
            "unknown variant",
            "unknown field",
            "missing field",
            "at line",
            "deserialize",
        ]
        .iter()
        .any(|w| detail.contains(w))
    }

    #[test]
    fn each_refusal_names_its_field_in_samskaps_words() {
        for (body, field) in [
            (r#"{"kind": "group"}"#, "date"),
            (
                r#"{"kind": "group", "date": "2024-01-01", "colour": 1}"#,
                "colour",
            ),
            (r#"{"kind": "party", "date": "2024-01-01"}"#, "kind"),
            (r#"{"kind": "group", "date": 20240101}"#, "date"),
            (
                r#"{"kind": "group", "date": "2024-01-01", "note": 7}"#,
                "note",
            ),
        ] {
            let (f, detail) = refused::<MeetingIn>(body);
            assert_eq!(f, field, "{body}: {detail}");
            assert!(!is_serde_wording(&detail), "{body}: {detail}");
        }
        let (f, detail) = refused::<AttendanceIn>(
            r#"{"attendance": [{"member": "G1-P1", "presence": "present"}, {"member": "G1-P2", "presence": "late"}]}"#,
        );
        assert_eq!(f, "attendance[1].presence");
        assert_eq!(detail, "this must be one of `present`, `absent`, `excused`");
        let (f, detail) = refused::<MemberIn>(r#"{"sector": "public", "youth": "yes"}"#);
        assert_eq!(f, "youth");
        assert_eq!(detail, "this must be `true` or `false`");
        let (f, detail) = refused::<MemberIn>(r#"{"id": "G2-P3", "sector": "public"}"#);
        assert_eq!(f, "id");
        assert_eq!(detail, "there is no such field here");
    }

    #[test]
    fn a_query_parameter_is_described_from_its_schema() {
        use crate::wire::AttendanceQuery;
        let (field, detail) = refusal(
            &schema_of::<AttendanceQuery>(),
            &serde_json::json!({"by": "colour"}),
            &{
                let q = serde_urlencoded::Deserializer::new(form_urlencoded::parse(b"by=colour"));
                serde_path_to_error::deserialize::<_, AttendanceQuery>(q)
                    .unwrap_err()
                    .path()
                    .clone()
            },
        );
        assert_eq!(field, "by");
        assert_eq!(
            detail,
            "this must be one of `member`, `service`, `sector`, `month`"
        );
    }

    #[test]
    fn a_date_is_refused_in_cores_words_and_named() {
        for date in [
            "2024-3-1",
            "+2024-03-01",
            "24-03-02",
            "2023-02-30",
            " 2024-03-01",
        ] {
            let body = format!(r#"{{"kind": "group", "date": "{date}"}}"#);
            let (f, detail) = refused::<MeetingIn>(&body);
            assert_eq!(f, "date", "{date}");
            let core = samskap_core::date::parse(date).unwrap_err().to_string();
            assert_eq!(detail, core, "{date}");
        }
    }

    #[test]
    fn not_json_is_400_and_not_an_object_is_422() {
        let err = decode::<MeetingIn>(b"{\"kind\":").unwrap_err();
        assert_eq!(err.status(), StatusCode::BAD_REQUEST);
        assert!(!is_serde_wording(&err.parts().1), "{}", err.parts().1);
        let err = decode::<MeetingIn>(b"[null, null]").unwrap_err();
        assert_eq!(err.status(), StatusCode::UNPROCESSABLE_ENTITY);
    }
}
