//! From a core [`Study`] to a `.qdpx` project, and from a [`Framework`] to a `.qdc`
//! codebook, strictly as the schema orders things: GUIDs from the [`GuidTable`], plain text
//! as UTF-8 with LF and no byte-order mark, positions in code points, no empty containers,
//! no `basePath`.
//!
//! A framework goes out as its tree, each code a `<Code>` under the code above it. Under
//! each code, one more code per value of each qualifier that applies to it (named by the
//! value's id: `barrier`, `opportunity`), which codings with that value point at; a coding
//! with values of several qualifiers points at a code named for all of them
//! (`barrier, group`), written where codings use one. Importing that tree again gives the
//! same framework and codings (see [`crate::codes`]).

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::{Seek, Write};

use samskap_core::{label_in, CodeId, CoderId, Framework, Qualifiers, Study};
use serde::Serialize;

use crate::guid::{code_key, qualified_key, GuidTable, Kind};
use crate::import::{coding_key, memo_key, unit_key, Attribute};
use crate::project::{Skipped, VariableType};
use crate::xml::Writer;
use crate::RefiError;

/// The `origin` samskap writes.
pub const ORIGIN: &str = concat!("samskap ", env!("CARGO_PKG_VERSION"));

const PROJECT_NS: &str = "urn:QDA-XML:project:1.0";
const CODEBOOK_NS: &str = "urn:QDA-XML:codebook:1.0";

/// What an export left out.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ExportReport {
    /// Text sources written.
    pub sources: usize,
    /// Selections written.
    pub selections: usize,
    /// Codings written.
    pub codings: usize,
    /// Notes written.
    pub notes: usize,
    /// What REFI-QDA has no place for, with counts.
    pub not_written: Skipped,
    /// Other things a person should know, one sentence each.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub remarks: Vec<String>,
}

/// A project as files: `project.qde` and the plain texts under `sources/`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProjectFiles {
    /// The text of `project.qde`.
    pub qde: String,
    /// `(file name under sources/, text)`.
    pub sources: Vec<(String, String)>,
    /// The report.
    pub report: ExportReport,
}

/// The colour of a code for a polarity value, as samskap has always written them.
fn value_colour(values: &Qualifiers) -> Option<&'static str> {
    let mut it = values.iter();
    match (it.next(), it.next()) {
        (Some((q, v)), None) if q.as_str() == crate::mapping::POLARITY => match v.as_str() {
            "barrier" => Some("#C0392B"),
            "opportunity" => Some("#27AE60"),
            _ => None,
        },
        _ => None,
    }
}

/// The name a code goes out under: its English label, else another, else its id.
fn code_name(framework: &Framework, code: &CodeId) -> String {
    framework
        .code(code)
        .and_then(|c| label_in(&c.label, "en"))
        .filter(|l| !l.trim().is_empty())
        .map_or_else(|| code.last().to_owned(), str::to_owned)
}

/// True when a coding of `code` with `values` may be made in a tool: every qualifier the
/// framework requires for the code has a value.
fn codable(framework: &Framework, code: &CodeId, values: &Qualifiers) -> bool {
    framework
        .qualifiers_of(code)
        .all(|q| !q.required || values.get(&q.id).is_some())
}

/// Writes the code tree. `notes` gives the note GUIDs on each code (project files only);
/// `combined` the values of several qualifiers that codings of each code carry.
fn write_codes(
    w: &mut Writer,
    framework: &Framework,
    guids: &GuidTable,
    notes: &HashMap<CodeId, Vec<String>>,
    combined: &BTreeMap<CodeId, BTreeSet<Qualifiers>>,
) {
    let bool_str = |b: bool| if b { "true" } else { "false" };
    w.start("Codes", &[]);
    let codes = framework.codes();
    // The codes whose element is open, innermost last.
    let mut open: Vec<&CodeId> = Vec::new();
    for (i, c) in codes.iter().enumerate() {
        while open
            .last()
            .is_some_and(|o| c.id.parent().as_ref() != Some(*o))
        {
            open.pop();
            w.end();
        }
        let mut values: Vec<Qualifiers> = framework
            .qualifiers_of(&c.id)
            .flat_map(|q| {
                q.values
                    .iter()
                    .map(|v| Qualifiers::one(q.id.clone(), v.id.clone()))
            })
            .collect();
        values.extend(combined.get(&c.id).into_iter().flatten().cloned());
        let has_children = codes
            .get(i + 1)
            .is_some_and(|n| n.id.parent().as_ref() == Some(&c.id));
        let code_notes = notes.get(&c.id).map_or(&[][..], Vec::as_slice);
        let g = guids.get(Kind::Code, &code_key(&c.id));
        let name = code_name(framework, &c.id);
        let colour = c.colour.as_ref().map(|x| x.to_ascii_uppercase());
        let mut attrs = vec![
            ("guid", g.as_str()),
            ("name", name.as_str()),
            (
                "isCodable",
                bool_str(codable(framework, &c.id, &Qualifiers::none())),
            ),
        ];
        if let Some(x) = &colour {
            attrs.push(("color", x));
        }
        let definition = c.definition.trim();
        if definition.is_empty() && code_notes.is_empty() && values.is_empty() && !has_children {
            w.empty("Code", &attrs);
            continue;
        }
        w.start("Code", &attrs);
        if !definition.is_empty() {
            w.text("Description", &[], &c.definition);
        }
        for n in code_notes {
            w.empty("NoteRef", &[("targetGUID", n)]);
        }
        for q in &values {
            let g = guids.get(Kind::Qualified, &qualified_key(&c.id, q));
            let name = q
                .iter()
                .map(|(_, v)| v.as_str())
                .collect::<Vec<_>>()
                .join(", ");
            let mut attrs = vec![
                ("guid", g.as_str()),
                ("name", name.as_str()),
                ("isCodable", bool_str(codable(framework, &c.id, q))),
            ];
            if let Some(x) = value_colour(q) {
                attrs.push(("color", x));
            }
            w.empty("Code", &attrs);
        }
        if has_children {
            open.push(&c.id);
        } else {
            w.end();
        }
    }
    for _ in open {
        w.end();
    }
    w.end();
}

/// A framework as a `.qdc` codebook. Memos cannot go in a codebook. (The schema wants one
/// code at least: a framework with none gives a codebook no tool reads.)
pub fn codebook_xml(framework: &Framework, guids: &GuidTable) -> String {
    let mut w = Writer::new();
    w.start("CodeBook", &[("xmlns", CODEBOOK_NS), ("origin", ORIGIN)]);
    write_codes(&mut w, framework, guids, &HashMap::new(), &BTreeMap::new());
    w.end();
    w.finish()
}

/// The fixed case variables, in the order they are written: name and type.
const FIELDS: [(&str, &str); 6] = [
    ("role", "Text"),
    ("group", "Text"),
    ("workplace", "Text"),
    ("position", "Text"),
    ("interview_date", "Date"),
    ("consent", "Text"),
];

fn field_rank(name: &str) -> usize {
    FIELDS
        .iter()
        .position(|(f, _)| *f == name)
        .unwrap_or(FIELDS.len())
}

/// The name a custom attribute goes out under: its label where the label gives back its id
/// on import (as an imported variable's does), else its id.
pub(crate) fn variable_name(a: &samskap_core::Attribute) -> String {
    match &a.label {
        Some(l) if samskap_core::slug(l, "variable") == a.id.as_str() => l.clone(),
        _ => a.id.to_string(),
    }
}

/// Two variable names a person (or a tool) would take for one: the same but for case and
/// spaces at either end.
pub(crate) fn same_name(a: &str, b: &str) -> bool {
    a.trim().to_lowercase() == b.trim().to_lowercase()
}

/// The name a variable of sources goes by when `taken` says a case variable (or one of the
/// case fields samskap writes) may have `name`: `name (source)`, numbered if that is taken
/// too. Import and export name them alike, so that a name chosen once stays.
pub(crate) fn source_variable_name(name: &str, taken: impl Fn(&str) -> bool) -> String {
    let reserved = |n: &str| taken(n) || FIELDS.iter().any(|(f, _)| same_name(f, n));
    if !reserved(name) {
        return name.to_owned();
    }
    let base = name.trim();
    (1..)
        .map(|n| match n {
            1 => format!("{base} (source)"),
            n => format!("{base} (source {n})"),
        })
        .find(|n| !reserved(n))
        .expect("some number is free")
}

/// Each value of a variable, by holder, as `(name, type, value)`.
type Values = Vec<Vec<(String, String, String)>>;

/// The case variables of a study (name and type, the model's fields first) and each
/// informant's values of them, in the order of the informants: the model's fields, the
/// custom attributes of informants, and `attributes` kept from an earlier import. A variable
/// whose values do not all fit its type goes out as Text, counted in `not_written`.
pub(crate) fn case_variables(
    study: &Study,
    attributes: &[Attribute],
    not_written: &mut Skipped,
) -> (Vec<(String, String)>, Values) {
    // Custom attributes of informants: a number as Integer when every value is whole, else
    // Float.
    let typed: Vec<(&samskap_core::Attribute, String, &str)> = study
        .attributes()
        .iter()
        .filter(|a| {
            a.holders
                .contains(&samskap_core::AttributeHolder::Informant)
        })
        .map(|a| {
            let values = || {
                study
                    .informants()
                    .iter()
                    .filter_map(|i| i.details.as_ref()?.attributes.get(&a.id))
            };
            (
                a,
                variable_name(a),
                variable_type(&a.kind, values()).as_str(),
            )
        })
        .collect();
    let mut values: Values = Vec::new();
    let mut variables: Vec<(String, String)> = Vec::new();
    for i in study.informants() {
        let mut v: Vec<(String, String, String)> = Vec::new();
        let mut push = |name: &str, kind: &str, value: String| {
            v.push((name.to_owned(), kind.to_owned(), value));
        };
        match &i.details {
            None => push("consent", "Text", "withdrawn".into()),
            Some(d) => {
                push("role", "Text", d.role.as_str().into());
                if let Some(g) = &d.group {
                    push("group", "Text", g.to_string());
                }
                if let Some(x) = &d.workplace {
                    push("workplace", "Text", x.clone());
                }
                if let Some(x) = &d.position {
                    push("position", "Text", x.clone());
                }
                if let Some(x) = d.interview_date {
                    push("interview_date", "Date", x.to_string());
                }
                push("consent", "Text", i.consent().as_str().into());
            }
        }
        // The study's custom attributes of informants, as variables of their type.
        if let Some(d) = &i.details {
            for (a, name, kind) in &typed {
                if let Some(value) = d.attributes.get(&a.id) {
                    if !v.iter().any(|(n, _, _)| n == name) {
                        v.push((name.clone(), (*kind).to_owned(), value.to_string()));
                    }
                }
            }
        }
        // Variables kept from an earlier import, before they became attributes.
        for a in attributes.iter().filter(|a| a.informant == i.id) {
            if !v.iter().any(|(n, _, _)| n == &a.variable) {
                v.push((a.variable.clone(), a.kind.clone(), a.value.clone()));
            }
        }
        // Fixed fields in their order wherever they came from, then the rest as met.
        v.sort_by_key(|(n, _, _)| field_rank(n));
        for (name, kind, _) in &v {
            if !variables.iter().any(|(n, _)| n == name) {
                variables.push((name.clone(), kind.clone()));
            }
        }
        values.push(v);
    }
    // Fixed fields first, in their order; then attributes as met.
    variables.sort_by_key(|(n, _)| field_rank(n));
    // A variable goes out under its type only when every value of it is one (the store may
    // hold values from before imports checked them, or a type it does not know); else as
    // Text, which takes any value.
    for (name, kind) in &mut variables {
        let fits = VariableType::from_name(kind).is_some_and(|k| {
            values
                .iter()
                .flatten()
                .filter(|(n, _, _)| n == name)
                .all(|(_, _, v)| k.accepts(v))
        });
        if !fits {
            not_written.add(
                "variable type its values do not all fit (written as Text)",
                1,
            );
            *kind = VariableType::Text.as_str().to_owned();
        }
    }
    (variables, values)
}

/// The REFI type of an attribute's values: a number as Integer when every value is whole,
/// else Float; a one-of as Text, which is what REFI-QDA has for a list of choices.
fn variable_type<'a>(
    kind: &samskap_core::AttributeType,
    mut values: impl Iterator<Item = &'a samskap_core::AttributeValue>,
) -> VariableType {
    use samskap_core::{AttributeType as T, AttributeValue as V};
    match kind {
        T::Boolean => VariableType::Boolean,
        T::Date => VariableType::Date,
        T::Number => {
            if values.all(|v| matches!(v, V::Number(n) if n.get().fract() == 0.0)) {
                VariableType::Integer
            } else {
                VariableType::Float
            }
        }
        T::Text | T::OneOf(_) => VariableType::Text,
    }
}

/// A custom attribute of sources as the variable it goes out as.
pub(crate) struct SourceVariable<'a> {
    /// The attribute.
    pub attribute: &'a samskap_core::Attribute,
    /// The variable's name: [`variable_name`], unless a case variable has that name.
    pub name: String,
    /// Renamed because a case variable has the attribute's name.
    pub renamed: bool,
    /// Its type.
    pub kind: VariableType,
}

/// Every attribute the study declares for sources as a variable, in the order declared
/// (those no source holds a value of too: the tool can show it), named apart from
/// `case_variables` and from each other.
pub(crate) fn source_variables<'a>(
    study: &'a Study,
    case_variables: &[(String, String)],
    not_written: &mut Skipped,
) -> Vec<SourceVariable<'a>> {
    let mut out: Vec<SourceVariable<'a>> = Vec::new();
    for a in study
        .attributes()
        .iter()
        .filter(|a| a.holders.contains(&samskap_core::AttributeHolder::Source))
    {
        let values = || {
            study
                .sources()
                .iter()
                .filter_map(|s| s.attributes.get(&a.id))
        };
        let mut kind = variable_type(&a.kind, values());
        // A value core keeps that the schema's type does not take (a day before year 1 or
        // after 9999) would make the file invalid: Text takes any.
        if !values().all(|v| kind.accepts(&v.to_string())) {
            not_written.add(
                "variable type its values do not all fit (written as Text)",
                1,
            );
            kind = VariableType::Text;
        }
        let own = variable_name(a);
        let name = source_variable_name(&own, |n| {
            case_variables.iter().any(|(c, _)| same_name(c, n))
                || out.iter().any(|v| same_name(&v.name, n))
        });
        out.push(SourceVariable {
            attribute: a,
            renamed: name != own,
            name,
            kind,
        });
    }
    out
}

/// A study as project files.
pub fn project_files(study: &Study, guids: &GuidTable, attributes: &[Attribute]) -> ProjectFiles {
    let mut report = ExportReport::default();
    let framework = study.framework();

    // Coders, in order of first use.
    let mut coders: Vec<&CoderId> = Vec::new();
    for c in study.codings() {
        if !coders.contains(&&c.coder) {
            coders.push(&c.coder);
        }
    }
    for m in study.memos() {
        if !coders.contains(&&m.author) {
            coders.push(&m.author);
        }
    }
    let user = |c: &CoderId| guids.get(Kind::User, c.as_str()).to_string();

    // Memos: their keys, and which hang on codes.
    let mut counts: HashMap<String, usize> = HashMap::new();
    let mut memo_guids = Vec::new();
    let mut code_notes: HashMap<CodeId, Vec<String>> = HashMap::new();
    for m in study.memos() {
        let base = memo_key(m, 0);
        let nth = counts.entry(base).or_default();
        let g = guids.get(Kind::Note, &memo_key(m, *nth)).to_string();
        *nth += 1;
        if let Some(code) = &m.code {
            code_notes.entry(code.clone()).or_default().push(g.clone());
        }
        memo_guids.push(g);
    }

    let mut w = Writer::new();
    w.start(
        "Project",
        &[
            ("xmlns", PROJECT_NS),
            ("name", study.meta().title.as_str()),
            ("origin", ORIGIN),
        ],
    );
    if !coders.is_empty() {
        w.start("Users", &[]);
        for c in &coders {
            w.empty(
                "User",
                &[("guid", &user(c)), ("name", c.as_str()), ("id", c.as_str())],
            );
        }
        w.end();
    }
    // Values of several qualifiers in one coding go out as one code each, under the code.
    let mut combined: BTreeMap<CodeId, BTreeSet<Qualifiers>> = BTreeMap::new();
    for c in study.codings().iter().filter(|c| c.qualifiers.len() > 1) {
        combined
            .entry(c.code.clone())
            .or_default()
            .insert(c.qualifiers.clone());
    }
    if !framework.codes().is_empty() {
        w.start("CodeBook", &[]);
        write_codes(&mut w, framework, guids, &code_notes, &combined);
        w.end();
    }

    let (variables, values) = case_variables(study, attributes, &mut report.not_written);
    let source_vars = source_variables(study, &variables, &mut report.not_written);
    for v in source_vars.iter().filter(|v| v.renamed) {
        report.remarks.push(format!(
            "attribute `{}` of sources goes out as variable `{}`, since another variable is named `{}` (a case variable, or one samskap writes for cases)",
            v.attribute.id,
            v.name,
            variable_name(v.attribute)
        ));
    }
    let type_of: HashMap<&str, &str> = variables
        .iter()
        .map(|(n, k)| (n.as_str(), k.as_str()))
        .collect();
    if !variables.is_empty() || !source_vars.is_empty() {
        w.start("Variables", &[]);
        let all = variables
            .iter()
            .map(|(n, k)| (n.as_str(), k.as_str()))
            .chain(
                source_vars
                    .iter()
                    .map(|v| (v.name.as_str(), v.kind.as_str())),
            );
        for (name, kind) in all {
            let g = guids.get(Kind::Variable, name);
            w.empty(
                "Variable",
                &[
                    ("guid", g.as_str()),
                    ("name", name),
                    ("typeOfVariable", kind),
                ],
            );
        }
        w.end();
    }
    if !study.informants().is_empty() {
        w.start("Cases", &[]);
        for (i, vals) in study.informants().iter().zip(&values) {
            let g = guids.get(Kind::Case, i.id.as_str());
            w.start("Case", &[("guid", g.as_str()), ("name", i.id.as_str())]);
            for (name, _, value) in vals {
                let kind = type_of[name.as_str()];
                let element = VariableType::from_name(kind)
                    .unwrap_or(VariableType::Text)
                    .value_element();
                w.start("VariableValue", &[]);
                w.empty(
                    "VariableRef",
                    &[("targetGUID", guids.get(Kind::Variable, name).as_str())],
                );
                w.text(element, &[], value);
                w.end();
            }
            for source in study
                .sources()
                .iter()
                .filter(|s| s.informants.contains(&i.id))
            {
                w.empty(
                    "SourceRef",
                    &[(
                        "targetGUID",
                        guids.get(Kind::Source, source.id.as_str()).as_str(),
                    )],
                );
            }
            w.end();
        }
        w.end();
    }

    // Sources with their selections and codings; coding memos become notes.
    let mut sources = Vec::new();
    let mut coding_notes: Vec<(String, CoderId, String)> = Vec::new();
    let mut uncoded = 0;
    let mut codings_of: HashMap<usize, Vec<&samskap_core::Coding>> = HashMap::new();
    for c in study.codings() {
        codings_of.entry(c.unit.index()).or_default().push(c);
    }
    // Each source's units, gathered once.
    let position: HashMap<&samskap_core::SourceId, usize> = study
        .sources()
        .iter()
        .enumerate()
        .map(|(k, s)| (&s.id, k))
        .collect();
    let mut units_of: Vec<Vec<usize>> = vec![Vec::new(); study.sources().len()];
    for (k, u) in study.units().iter().enumerate() {
        units_of[position[&u.source]].push(k);
    }
    if !study.transcripts().is_empty() {
        w.start("Sources", &[]);
        let all = study
            .sources()
            .iter()
            .zip(study.transcripts())
            .zip(&units_of);
        for ((source, t), units) in all {
            let g = guids.get(Kind::Source, t.source().as_str());
            let file = format!("{g}.txt");
            let path = format!("internal://{file}");
            let attrs = [
                ("guid", g.as_str()),
                ("name", t.source().as_str()),
                ("plainTextPath", path.as_str()),
            ];
            let mut any = false;
            for &k in units {
                let u = &study.units()[k];
                let codings = codings_of.get(&k).map_or(&[][..], Vec::as_slice);
                if codings.is_empty() {
                    uncoded += 1;
                    continue;
                }
                if !any {
                    w.start("TextSource", &attrs);
                    any = true;
                }
                let ukey = unit_key(&u.source, u.span.start(), u.span.end());
                let sg = guids.get(Kind::Selection, &ukey);
                let (s, e) = (u.span.start().to_string(), u.span.end().to_string());
                w.start(
                    "PlainTextSelection",
                    &[
                        ("guid", sg.as_str()),
                        ("startPosition", &s),
                        ("endPosition", &e),
                    ],
                );
                report.selections += 1;
                for &c in codings {
                    let ckey = coding_key(&ukey, &c.code, &c.qualifiers, &c.coder);
                    let cg = guids.get(Kind::Coding, &ckey);
                    let u = user(&c.coder);
                    w.start("Coding", &[("guid", cg.as_str()), ("creatingUser", &u)]);
                    let code_guid = if c.qualifiers.is_empty() {
                        guids.get(Kind::Code, &code_key(&c.code))
                    } else {
                        guids.get(Kind::Qualified, &qualified_key(&c.code, &c.qualifiers))
                    };
                    w.empty("CodeRef", &[("targetGUID", code_guid.as_str())]);
                    if let Some(memo) = &c.memo {
                        let ng = guids.get(Kind::CodingNote, &ckey).to_string();
                        w.empty("NoteRef", &[("targetGUID", &ng)]);
                        coding_notes.push((ng, c.coder.clone(), memo.clone()));
                    }
                    w.end();
                    report.codings += 1;
                }
                w.end();
            }
            // The source's attribute values, after its selections as the schema orders them.
            let held: Vec<(&SourceVariable<'_>, String)> = source_vars
                .iter()
                .filter_map(|v| Some((v, source.attributes.get(&v.attribute.id)?.to_string())))
                .collect();
            if !any && !held.is_empty() {
                w.start("TextSource", &attrs);
                any = true;
            }
            for (v, value) in &held {
                w.start("VariableValue", &[]);
                w.empty(
                    "VariableRef",
                    &[("targetGUID", guids.get(Kind::Variable, &v.name).as_str())],
                );
                w.text(v.kind.value_element(), &[], value);
                w.end();
            }
            if any {
                w.end();
            } else {
                w.empty("TextSource", &attrs);
            }
            sources.push((file, t.text().to_owned()));
            report.sources += 1;
        }
        w.end();
    }
    if !coding_notes.is_empty() || !study.memos().is_empty() {
        w.start("Notes", &[]);
        for (g, coder, text) in &coding_notes {
            let u = user(coder);
            w.start(
                "Note",
                &[("guid", g), ("name", "coding memo"), ("creatingUser", &u)],
            );
            w.text("PlainTextContent", &[], text);
            w.end();
            report.notes += 1;
        }
        for (m, g) in study.memos().iter().zip(&memo_guids) {
            let u = user(&m.author);
            let name = match &m.code {
                Some(c) => format!("memo on {}", code_name(framework, c)),
                None => "memo".to_owned(),
            };
            w.start(
                "Note",
                &[("guid", g), ("name", &name), ("creatingUser", &u)],
            );
            w.text("PlainTextContent", &[], &m.text);
            w.end();
            report.notes += 1;
        }
        w.end();
    }
    if let Some(method) = study
        .meta()
        .method
        .as_ref()
        .filter(|m| !m.trim().is_empty())
    {
        w.text("Description", &[], method);
    }
    for (m, g) in study.memos().iter().zip(&memo_guids) {
        if m.code.is_none() {
            w.empty("NoteRef", &[("targetGUID", g)]);
        }
    }
    w.end();

    let meta = study.meta();
    let skipped = &mut report.not_written;
    skipped.add("meaning unit with no coding", uncoded);
    skipped.add("municipality", study.municipalities().len());
    skipped.add(
        "resource group (written only as each informant's `group` variable)",
        study.groups().len(),
    );
    skipped.add("group member", study.members().len());
    skipped.add(
        "research question",
        usize::from(meta.research_question.is_some()),
    );
    skipped.add(
        "study period",
        usize::from(meta.period_start.is_some() || meta.period_end.is_some()),
    );
    let f = study.facilitation();
    skipped.add(
        "facilitation record entry (meetings, rules, statements, moves, practices, actions, events, contacts, assessments)",
        f.meetings().len()
            + f.rules().len()
            + f.statements().len()
            + f.moves().len()
            + f.practices().len()
            + f.actions().len()
            + f.events().len()
            + f.contacts().len()
            + f.assessments().len(),
    );
    skipped.add("framework name and description", 1);
    skipped.add(
        "character XML 1.0 does not allow (a control character), left out of a name, note or value",
        w.dropped(),
    );
    ProjectFiles {
        qde: w.finish(),
        sources,
        report,
    }
}

/// Writes project files as a `.qdpx` zip: `project.qde` first, then `sources/`. Entry
/// times are fixed, so the same study gives the same bytes.
pub fn write_qdpx<W: Write + Seek>(files: &ProjectFiles, out: W) -> Result<(), RefiError> {
    let mut zip = zip::ZipWriter::new(out);
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .last_modified_time(zip::DateTime::default());
    // An I/O error as itself, not wrapped (its message would show twice in a chain).
    let err = |e: zip::result::ZipError| match e {
        zip::result::ZipError::Io(e) => RefiError::Io(e),
        other => RefiError::Io(std::io::Error::other(other.to_string())),
    };
    zip.start_file("project.qde", options).map_err(err)?;
    zip.write_all(files.qde.as_bytes())?;
    for (name, text) in &files.sources {
        zip.start_file(format!("sources/{name}"), options)
            .map_err(err)?;
        zip.write_all(text.as_bytes())?;
    }
    zip.finish().map_err(err)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::guid::Guid;
    use crate::import::{import_project, ImportOptions};
    use crate::project::{Code, Project, TextSource};

    #[test]
    fn values_a_type_does_not_allow_go_out_as_text() {
        let guid = |n: u32| Guid::parse(&format!("00000000-0000-4000-8000-{n:012}")).unwrap();
        let project = Project {
            codes: vec![Code {
                guid: guid(1),
                name: "Tid".into(),
                is_codable: true,
                description: None,
                color: None,
                note_refs: vec![],
                children: vec![],
            }],
            sources: vec![TextSource {
                guid: guid(2),
                name: "I1.txt".into(),
                text: "Hei".into(),
                values: vec![],
                selections: vec![],
                note_refs: vec![],
            }],
            ..Project::default()
        };
        let opts = ImportOptions {
            study_id: "s".parse().unwrap(),
            counting: None,
            mapping: None,
            default_qualifiers: Qualifiers::none(),
            default_coder: "refi".parse().unwrap(),
            keep: Default::default(),
        };
        let imported = import_project(&project, &opts).unwrap();
        // As a store written before imports checked values may hold them.
        let attribute = |variable: &str, kind: &str, value: &str| Attribute {
            informant: "I1".parse().unwrap(),
            variable: variable.into(),
            kind: kind.into(),
            value: value.into(),
        };
        let attributes = [
            attribute("vekt", "Float", "1,5"),
            attribute("alder", "Integer", "40"),
            attribute("farge", "Colour", "blå"),
        ];
        let files = project_files(&imported.study, &imported.guids, &attributes);
        for want in [
            r#"name="vekt" typeOfVariable="Text""#,
            "<TextValue>1,5</TextValue>",
            r#"name="alder" typeOfVariable="Integer""#,
            "<IntegerValue>40</IntegerValue>",
            r#"name="farge" typeOfVariable="Text""#,
        ] {
            assert!(files.qde.contains(want), "{want} in {}", files.qde);
        }
        assert_eq!(
            files.report.not_written.0["variable type its values do not all fit (written as Text)"],
            2
        );
    }

    /// A study with attributes of sources of every type, one named as a case field and one
    /// as an informant's attribute but for case, and one no source holds.
    fn study_with_source_attributes() -> Study {
        use samskap_core::{
            ActiveConsent, Attribute as A, AttributeHolder as H, AttributeType as T, Informant,
            InformantDetails, Role, Source, SourceKind, StudyMeta, Transcript,
        };
        let f = Framework::builtin("bentzen-2018").unwrap();
        let mut study = Study::new(
            StudyMeta {
                id: "s".parse().unwrap(),
                title: "S".into(),
                research_question: None,
                method: None,
                period_start: None,
                period_end: None,
                framework: f.id().clone(),
                provenance: samskap_core::Provenance::Research,
                language: None,
            },
            f,
        )
        .unwrap();
        let declare = |study: &mut Study, id: &str, kind: T, holder: H| {
            study
                .add_attribute(A {
                    id: id.parse().unwrap(),
                    label: None,
                    kind,
                    holders: vec![holder],
                })
                .unwrap();
        };
        declare(&mut study, "fase", T::Text, H::Informant);
        let one_of = T::new("one-of", vec!["ja".into(), "nei".into()]).unwrap();
        declare(&mut study, "consent", one_of, H::Source);
        declare(&mut study, "Fase", T::Text, H::Source);
        declare(&mut study, "years", T::Number, H::Source);
        declare(&mut study, "share", T::Number, H::Source);
        declare(&mut study, "done", T::Boolean, H::Source);
        declare(&mut study, "day", T::Date, H::Source);
        declare(&mut study, "unused", T::Text, H::Source);
        let i1: samskap_core::InformantId = "I1".parse().unwrap();
        study
            .add_informant(Informant {
                id: i1.clone(),
                details: Some(InformantDetails {
                    role: Role::Participant,
                    group: None,
                    workplace: None,
                    position: None,
                    interview_date: None,
                    consent: ActiveConsent::Given,
                    attributes: [("fase".parse().unwrap(), T::Text.parse("pilot").unwrap())]
                        .into_iter()
                        .collect(),
                }),
            })
            .unwrap();
        let value =
            |id: &str, kind: T, text: &str| (id.parse().unwrap(), kind.parse(text).unwrap());
        let mut doc = Source::interview(&i1);
        doc.id = "doc".parse().unwrap();
        doc.kind = SourceKind::Document;
        doc.informants.clear();
        doc.attributes = [
            value("consent", T::Text, "ja"),
            value("Fase", T::Text, "hoved"),
            value("years", T::Number, "12"),
            value("share", T::Number, "0.5"),
            value("done", T::Boolean, "true"),
            value("day", T::Date, "2023-05-15"),
        ]
        .into_iter()
        .collect();
        study
            .add_source(doc, Transcript::new("doc".parse().unwrap(), "Et dokument."))
            .unwrap();
        let mut talk = Source::interview(&i1);
        talk.attributes = [value("share", T::Number, "2")].into_iter().collect();
        study
            .add_source(talk, Transcript::new("I1".parse().unwrap(), "Hei du"))
            .unwrap();
        let unit = study
            .unit(
                &"I1".parse().unwrap(),
                samskap_core::Span::new(0, 3, 6).unwrap(),
            )
            .unwrap();
        study
            .add_coding(samskap_core::Coding {
                unit,
                code: "resources/time-people-money".parse().unwrap(),
                qualifiers: Qualifiers::one(
                    "polarity".parse().unwrap(),
                    "barrier".parse().unwrap(),
                ),
                coder: "A".parse().unwrap(),
                memo: None,
                exemplar: false,
            })
            .unwrap();
        study
    }

    #[test]
    fn attributes_of_sources_go_out_on_their_sources_named_apart_from_case_variables() {
        let study = study_with_source_attributes();
        let guids = GuidTable::new("s", study.framework().id().as_str());
        let files = project_files(&study, &guids, &[]);
        let qde = &files.qde;
        for want in [
            r#"name="fase" typeOfVariable="Text""#,
            // A one-of is text in REFI-QDA; `consent` is the cases' (even with no case
            // holding it), and `Fase` is `fase` but for case.
            r#"name="consent (source)" typeOfVariable="Text""#,
            r#"name="Fase (source)" typeOfVariable="Text""#,
            r#"name="years" typeOfVariable="Integer""#,
            // 0.5 on one source and 2 on another: not every value is whole.
            r#"name="share" typeOfVariable="Float""#,
            r#"name="done" typeOfVariable="Boolean""#,
            r#"name="day" typeOfVariable="Date""#,
            // Declared, held by no source: the tool can show it and the analyst fill it in.
            r#"name="unused" typeOfVariable="Text""#,
            "<FloatValue>0.5</FloatValue>",
            "<FloatValue>2</FloatValue>",
            "<IntegerValue>12</IntegerValue>",
            "<BooleanValue>true</BooleanValue>",
            "<DateValue>2023-05-15</DateValue>",
            "<TextValue>ja</TextValue>",
        ] {
            assert!(qde.contains(want), "{want} in {qde}");
        }
        assert_eq!(
            files.report.remarks,
            [
                "attribute `consent` of sources goes out as variable `consent (source)`, since another variable is named `consent` (a case variable, or one samskap writes for cases)",
                "attribute `Fase` of sources goes out as variable `Fase (source)`, since another variable is named `Fase` (a case variable, or one samskap writes for cases)",
            ]
        );
        // Values follow a source's selections, as the schema orders them.
        let coded = &qde[qde.find(r#"name="I1" plainTextPath"#).unwrap()..];
        let coded = &coded[..coded.find("</TextSource>").unwrap()];
        assert!(
            coded.find("</PlainTextSelection>").unwrap() < coded.find("<VariableValue>").unwrap(),
            "{coded}"
        );
        // Read back, every GUID is unique and every reference resolves; imported, each source
        // holds its values again, under the names they went out under.
        let root =
            crate::xml::parse("project.qde", qde.as_bytes(), &crate::Limits::default()).unwrap();
        let ctx = crate::project::Ctx::new("project.qde", &root).unwrap();
        let (mut project, drafts, _) = crate::project::project(&ctx, &root).unwrap();
        project.sources = drafts
            .into_iter()
            .zip(study.transcripts())
            .map(|(d, t)| TextSource {
                text: t.text().to_owned(),
                ..d.source
            })
            .collect();
        // `role`, `consent` and `fase` of the cases, seven of sources.
        assert_eq!(project.variables.len(), 10);
        let opts = ImportOptions {
            study_id: "s".parse().unwrap(),
            counting: None,
            mapping: None,
            default_qualifiers: Qualifiers::none(),
            default_coder: "refi".parse().unwrap(),
            keep: Default::default(),
        };
        let back = import_project(&project, &opts).unwrap();
        let values = |study: &Study| -> Vec<(String, Vec<(String, String)>)> {
            study
                .sources()
                .iter()
                .map(|s| {
                    let label = |id: &samskap_core::AttributeId| {
                        let a = study.attributes().iter().find(|a| &a.id == id).unwrap();
                        variable_name(a)
                    };
                    (
                        s.id.to_string(),
                        s.attributes
                            .iter()
                            .map(|(id, v)| (label(id), v.to_string()))
                            .collect(),
                    )
                })
                .collect()
        };
        let mut went: Vec<_> = values(&study);
        // An export names them apart from the cases' fields; the import keeps those names.
        for (_, vs) in &mut went {
            for (name, _) in vs.iter_mut() {
                if name == "consent" || name == "Fase" {
                    name.push_str(" (source)");
                }
            }
            vs.sort();
        }
        let mut came: Vec<_> = values(&back.study);
        for (_, vs) in &mut came {
            vs.sort();
        }
        // The document had no case: it comes back as an interview of its own, `doc`, after
        // the sources cases claim.
        came.sort();
        went.sort();
        assert_eq!(came, went);
        // And goes out again under the same names, types and GUIDs (in the order the import
        // met them), but for the attribute no source held, which the file cannot tell is one
        // of sources.
        let variables = |qde: &str| -> BTreeSet<String> {
            qde.lines()
                .filter(|l| l.contains("<Variable ") && !l.contains(r#"name="unused""#))
                .map(str::to_owned)
                .collect()
        };
        let again = project_files(&back.study, &back.guids, &[]);
        assert_eq!(variables(&again.qde), variables(qde));
        assert!(!again.qde.contains(r#"name="unused""#));
    }
}
