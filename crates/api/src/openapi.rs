//! What the generated OpenAPI document cannot say through the handlers' annotations alone:
//! errors are `application/problem+json`, a body of another type gets 415, and every id (in
//! a path or a body) has the shape the model accepts.

use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa::openapi::{ContentBuilder, OpenApi, Ref, RefOr, ResponseBuilder};
use utoipa::{Modify, PartialSchema, ToSchema};

/// The shape of every id, as `samskap_core` checks it: an ASCII letter or digit, then ASCII
/// letters, digits, `_`, `-` or `.`, at most 64 in all.
pub const ID_PATTERN: &str = "^[A-Za-z0-9][A-Za-z0-9_.-]*$";
/// The longest id.
pub const ID_MAX: usize = 64;

/// The media type of every error body (RFC 9457).
pub const PROBLEM_JSON: &str = "application/problem+json";

/// An id in a request body, for `#[schema(value_type = Id)]` on a `String` field: the field
/// stays a string so that a bad id is refused with a 422 naming the field.
pub struct Id;

impl PartialSchema for Id {
    fn schema() -> RefOr<Schema> {
        id_schema().into()
    }
}

impl ToSchema for Id {}

fn id_schema() -> Schema {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .min_length(Some(1))
        .max_length(Some(ID_MAX))
        .pattern(Some(ID_PATTERN))
        .into()
}

/// Applies the rules in the module docs to every operation.
pub struct Conventions;

impl Modify for Conventions {
    fn modify(&self, openapi: &mut OpenApi) {
        for item in openapi.paths.paths.values_mut() {
            let ops = [
                &mut item.get,
                &mut item.put,
                &mut item.post,
                &mut item.delete,
                &mut item.patch,
            ];
            for op in ops.into_iter().flatten() {
                conventions(op);
            }
        }
    }
}

fn conventions(op: &mut Operation) {
    for (status, response) in op.responses.responses.iter_mut() {
        let RefOr::T(response) = response else {
            continue;
        };
        if status.starts_with('4') || status.starts_with('5') {
            if let Some(content) = response.content.shift_remove("application/json") {
                response.content.insert(PROBLEM_JSON.to_owned(), content);
            }
        }
    }
    if op.request_body.is_some() {
        op.responses
            .responses
            .entry("415".to_owned())
            .or_insert_with(|| {
                ResponseBuilder::new()
                    .description("The body is not `application/json`.")
                    .content(
                        PROBLEM_JSON,
                        ContentBuilder::new()
                            .schema(Some(Ref::from_schema_name("Problem")))
                            .build(),
                    )
                    .build()
                    .into()
            });
    }
    // Every path parameter names a study, group, meeting or action by its id.
    for p in op.parameters.iter_mut().flatten() {
        if p.parameter_in == ParameterIn::Path {
            p.schema = Some(id_schema().into());
        }
    }
}
