//! What the generated OpenAPI document cannot say through the handlers' annotations alone:
//! errors are `application/problem+json`; every operation lists the errors the server's
//! layers can answer it with (a body's 400/408/413/415/422, a token's 401/429/503); every id
//! (in a path or a body) and every date has the shape the model accepts.

use samskap_core::facilitation as f;
use utoipa::openapi::header::HeaderBuilder;
use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::schema::{
    AllOfBuilder, AnyOfBuilder, ArrayBuilder, ArrayItems, KnownFormat, ObjectBuilder, OneOfBuilder,
    Schema, SchemaFormat, Type,
};

use crate::wire::{PdStep, Phase};
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
/// stays a string so that a bad id is refused with a 422 naming the field. Where an
/// attribute cannot go (a tagged enum's variant), it is the field's type itself.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct Id(pub String);

/// A place on the co-creation ladder in a body: a step 1–5, or a range `[low, high]` of
/// steps. Kept as the JSON given, so that the route refuses a wrong one in the model's words,
/// naming `value.ladder`, rather than in serde's.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct LadderIn(pub serde_json::Value);

impl LadderIn {
    /// The range given, or what is wrong with it.
    pub fn range(&self) -> Result<f::LadderRange, String> {
        let shape =
            || "this must be a step from 1 to 5, or a range [low, high] of two steps".into();
        let whole = |v: &serde_json::Value| v.as_i64().is_some();
        match &self.0 {
            serde_json::Value::Number(_) if whole(&self.0) => {}
            serde_json::Value::Array(items) if items.iter().all(whole) => {}
            _ => return Err(shape()),
        }
        // Whole numbers, or a list of them: what is left to refuse is the model's to say.
        serde_json::from_value(self.0.clone()).map_err(|e| e.to_string())
    }
}

impl From<f::LadderRange> for LadderIn {
    fn from(r: f::LadderRange) -> Self {
        LadderIn(serde_json::to_value(r).unwrap_or_default())
    }
}

/// A step of the ladder, as the schema states it.
fn ladder_step() -> ObjectBuilder {
    ObjectBuilder::new()
        .schema_type(Type::Integer)
        .minimum(Some(f::LadderRange::FIRST))
        .maximum(Some(f::LadderRange::LAST))
}

impl PartialSchema for LadderIn {
    fn schema() -> RefOr<Schema> {
        let range = ArrayBuilder::new()
            .items(ladder_step())
            .min_items(Some(2))
            .max_items(Some(2))
            .description(Some("A range of steps, the lower first: `[3, 5]`."));
        Schema::OneOf(
            OneOfBuilder::new()
                .item(ladder_step().description(Some("One step: `4`.")))
                .item(range)
                .build(),
        )
        .into()
    }
}

impl ToSchema for LadderIn {}

/// Institutional logics in a body: `"NPG"`, or a list such as `["NPM", "NPG"]`, each once.
/// Kept as the JSON given, like [`LadderIn`], naming `value.logic` when refused.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct LogicsIn(pub serde_json::Value);

impl LogicsIn {
    /// The logics given, or what is wrong with them.
    pub fn logics(&self) -> Result<f::Logics, String> {
        let one = |v: &serde_json::Value| {
            f::InstitutionalLogic::ALL
                .into_iter()
                .find(|l| v.as_str() == Some(l.as_str()))
                .ok_or_else(|| "this must be `TB`, `NPM` or `NPG`, or a list of them".to_owned())
        };
        match &self.0 {
            serde_json::Value::Array(items) => {
                let all = items.iter().map(one).collect::<Result<Vec<_>, _>>()?;
                f::Logics::new(all).map_err(|e| e.to_string())
            }
            v => one(v).map(f::Logics::one),
        }
    }
}

impl From<f::Logics> for LogicsIn {
    fn from(l: f::Logics) -> Self {
        LogicsIn(serde_json::to_value(l).unwrap_or_default())
    }
}

impl PartialSchema for LogicsIn {
    fn schema() -> RefOr<Schema> {
        let names: Vec<&str> = f::InstitutionalLogic::ALL.map(|l| l.as_str()).to_vec();
        let logic = || {
            ObjectBuilder::new()
                .schema_type(Type::String)
                .enum_values(Some(names.clone()))
        };
        let several = ArrayBuilder::new()
            .items(logic())
            .min_items(Some(1))
            .max_items(Some(names.len()))
            .unique_items(true)
            .description(Some(
                "Several logics at once, each once: `[\"NPM\", \"NPG\"]`.",
            ));
        Schema::OneOf(
            OneOfBuilder::new()
                .item(logic().description(Some("One logic: `\"NPG\"`.")))
                .item(several)
                .build(),
        )
        .into()
    }
}

impl ToSchema for LogicsIn {}

/// Qualifier values in a body: an object of qualifier to value, `{"polarity": "barrier"}`,
/// or the text form the command line and bundles use, `polarity=barrier;level=group`. Kept
/// as the JSON given, like [`LadderIn`], so that a wrong one is refused in the model's
/// words, naming `qualifiers`.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct QualifiersIn(pub serde_json::Value);

impl QualifiersIn {
    /// The values given, or what is wrong with them. Whether the code takes them is the
    /// framework's to say, later.
    pub fn qualifiers(&self) -> Result<samskap_core::Qualifiers, String> {
        match &self.0 {
            serde_json::Value::String(text) => text.parse().map_err(|e: samskap_core::ModelError| e.to_string()),
            serde_json::Value::Object(values) => {
                let pairs = values
                    .iter()
                    .map(|(q, v)| {
                        let v = v.as_str().ok_or_else(|| {
                            format!("the value of `{}` must be a string", samskap_core::shorten(q))
                        })?;
                        Ok((
                            q.parse().map_err(|e: samskap_core::ModelError| e.to_string())?,
                            v.parse().map_err(|e: samskap_core::ModelError| e.to_string())?,
                        ))
                    })
                    .collect::<Result<Vec<_>, String>>()?;
                samskap_core::Qualifiers::new(pairs).map_err(|e| e.to_string())
            }
            _ => Err("this must be an object of qualifier to value, `{\"polarity\": \"barrier\"}`, or text, `polarity=barrier`".into()),
        }
    }
}

impl PartialSchema for QualifiersIn {
    fn schema() -> RefOr<Schema> {
        Schema::OneOf(
            OneOfBuilder::new()
                .item(
                    ObjectBuilder::new()
                        .schema_type(Type::Object)
                        .additional_properties(Some(id_schema()))
                        .description(Some("Qualifier to value: `{\"polarity\": \"barrier\"}`.")),
                )
                .item(
                    ObjectBuilder::new()
                        .schema_type(Type::String)
                        .description(Some("As text: `polarity=barrier;level=group`.")),
                )
                .build(),
        )
        .into()
    }
}

impl ToSchema for QualifiersIn {}

/// A number in a body or an answer, kept as written: a whole number too large for a double
/// is seen, not rounded, and a whole number goes out without a fraction.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct JsonNumber(pub serde_json::Number);

impl PartialSchema for JsonNumber {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new().schema_type(Type::Number).into()
    }
}

impl ToSchema for JsonNumber {}

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

/// The shape of every date, as `samskap_core::date` reads it: four-digit year from 0001.
/// (`format: date` alone allows year 0000, which no calendar samskap reads has.)
pub const DATE_PATTERN: &str = "^(?!0000)[0-9]{4}-[0-9]{2}-[0-9]{2}$";

/// Applies the rules in the module docs to every operation and schema.
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
        if let Some(components) = openapi.components.as_mut() {
            for schema in components.schemas.values_mut() {
                dates(schema);
            }
            let schemas = &mut components.schemas;
            restate(schemas, "MemberIn", pd_youth_is_youth());
            restate(schemas, "MoveIn", steps_of_phases());
            restate(schemas, "EvidenceIn", quote_or_one_fact());
        }
    }
}

/// Adds `rule` to the component `name`: the value must satisfy both (`allOf`).
fn restate(
    schemas: &mut std::collections::BTreeMap<String, RefOr<Schema>>,
    name: &str,
    rule: Schema,
) {
    if let Some(schema) = schemas.get_mut(name) {
        let own = std::mem::replace(schema, RefOr::T(Schema::default()));
        *schema = RefOr::T(Schema::AllOf(
            AllOfBuilder::new().item(own).item(rule).build(),
        ));
    }
}

/// The model's rule for members (`Study::add_member`): a PD youth is a youth.
fn pd_youth_is_youth() -> Schema {
    let only = |field: &str, value: bool| {
        ObjectBuilder::new().property(
            field,
            ObjectBuilder::new()
                .schema_type(Type::Boolean)
                .enum_values(Some([value])),
        )
    };
    Schema::AnyOf(
        AnyOfBuilder::new()
            .item(only("pd_youth", false))
            .item(only("youth", true).required("youth"))
            .build(),
    )
}

/// The model's rule for evidence (`Evidence`): a quote (`informant`, `start`, `end`) or
/// exactly one fact.
fn quote_or_one_fact() -> Schema {
    let quote = ["informant", "start", "end"];
    let facts = [
        "meeting",
        "problem_statement",
        "practice",
        "action",
        "dissemination",
        "contact",
    ];
    // Each branch requires its keys; a body that fits two (a quote and a fact, two facts)
    // fits no "one of".
    let mut one_of = OneOfBuilder::new();
    let mut q = ObjectBuilder::new();
    for k in quote {
        q = q.required(k);
    }
    one_of = one_of.item(q);
    for k in facts {
        one_of = one_of.item(ObjectBuilder::new().required(k));
    }
    Schema::OneOf(one_of.build())
}

/// The model's rule for process moves (`PdStep::phase`): each step belongs to one phase.
fn steps_of_phases() -> Schema {
    let name = |v: serde_json::Value| v.as_str().unwrap_or_default().to_owned();
    let mut one_of = OneOfBuilder::new();
    for phase in Phase::ALL {
        let steps: Vec<String> = PdStep::ALL
            .into_iter()
            .filter(|s| f::PdStep::from(*s).phase() == f::Phase::from(phase))
            .map(|s| name(serde_json::to_value(s).unwrap_or_default()))
            .collect();
        let phase = name(serde_json::to_value(phase).unwrap_or_default());
        one_of = one_of.item(
            ObjectBuilder::new()
                .property(
                    "phase",
                    ObjectBuilder::new()
                        .schema_type(Type::String)
                        .enum_values(Some([phase])),
                )
                .property(
                    "step",
                    ObjectBuilder::new()
                        .schema_type(Type::String)
                        .enum_values(Some(steps)),
                ),
        );
    }
    Schema::OneOf(one_of.build())
}

/// Every date schema gets [`DATE_PATTERN`], however deep it sits.
fn dates(schema: &mut RefOr<Schema>) {
    let RefOr::T(schema) = schema else {
        return;
    };
    match schema {
        Schema::Object(o) => {
            if o.format == Some(SchemaFormat::KnownFormat(KnownFormat::Date)) {
                o.pattern = Some(DATE_PATTERN.to_owned());
            }
            for p in o.properties.values_mut() {
                dates(p);
            }
        }
        Schema::Array(a) => {
            if let ArrayItems::RefOrSchema(items) = &mut a.items {
                dates(items);
            }
        }
        Schema::OneOf(o) => o.items.iter_mut().for_each(dates),
        Schema::AllOf(o) => o.items.iter_mut().for_each(dates),
        Schema::AnyOf(o) => o.items.iter_mut().for_each(dates),
        _ => {}
    }
}

/// A problem-details response with `description`.
fn problem(description: &str) -> RefOr<utoipa::openapi::Response> {
    ResponseBuilder::new()
        .description(description)
        .content(
            PROBLEM_JSON,
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("Problem")))
                .build(),
        )
        .build()
        .into()
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
    let mut add = |status: &str, description: &str| {
        op.responses
            .responses
            .entry(status.to_owned())
            .or_insert_with(|| problem(description));
    };
    if op.request_body.is_some() {
        add("400", "The body is not JSON.");
        add("408", "The body did not arrive in time.");
        add("413", "The body is over 64 KiB.");
        add("415", "The body is not `application/json`.");
        add("422", "A field fails validation; `field` names it.");
    }
    let secured = op.security.as_ref().is_some_and(|s| !s.is_empty());
    if secured {
        add("401", "No token, or an unknown or revoked one.");
        add(
            "503",
            "The store was busy (another process held it); try again.",
        );
        let too_many = ResponseBuilder::new()
            .description(
                "Too many failed authentications from this address; `Retry-After` says when to try again.",
            )
            .header(
                "Retry-After",
                HeaderBuilder::new()
                    .schema(
                        ObjectBuilder::new()
                            .schema_type(Type::Integer)
                            .minimum(Some(1)),
                    )
                    .description(Some("Seconds to wait."))
                    .build(),
            )
            .content(
                PROBLEM_JSON,
                ContentBuilder::new()
                    .schema(Some(Ref::from_schema_name("Problem")))
                    .build(),
            )
            .build();
        op.responses
            .responses
            .insert("429".to_owned(), too_many.into());
    }
    let has_query = op
        .parameters
        .iter()
        .flatten()
        .any(|p| p.parameter_in == ParameterIn::Query);
    if has_query {
        op.responses
            .responses
            .entry("400".to_owned())
            .or_insert_with(|| problem("A query parameter is missing or malformed."));
    }
    // Every path parameter names a study, group, meeting or action by its id.
    for p in op.parameters.iter_mut().flatten() {
        if p.parameter_in == ParameterIn::Path {
            p.schema = Some(id_schema().into());
        }
    }
}
