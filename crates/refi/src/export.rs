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

    // Custom attributes of informants go out as variables: named by their label where the
    // label gives back their id on import (as an imported variable's does), else by the id;
    // a number as Integer when every value is whole, else Float.
    let typed: Vec<(&samskap_core::Attribute, String, &str)> = study
        .attributes()
        .iter()
        .filter(|a| a.holders.contains(&samskap_core::AttributeHolder::Informant))
        .map(|a| {
            let name = match &a.label {
                Some(l) if samskap_core::slug(l, "variable") == a.id.as_str() => l.clone(),
                _ => a.id.to_string(),
            };
            let values = || {
                study
                    .informants()
                    .iter()
                    .filter_map(|i| i.details.as_ref()?.attributes.get(&a.id))
            };
            let kind = match &a.kind {
                samskap_core::AttributeType::Boolean => "Boolean",
                samskap_core::AttributeType::Date => "Date",
                samskap_core::AttributeType::Number => {
                    if values().all(|v| matches!(v, samskap_core::AttributeValue::Number(n) if n.get().fract() == 0.0)) {
                        "Integer"
                    } else {
                        "Float"
                    }
                }
                samskap_core::AttributeType::Text | samskap_core::AttributeType::OneOf(_) => "Text",
            };
            (a, name, kind)
        })
        .collect();
    // Variables and their values per informant.
    let mut values: Vec<Vec<(String, String, String)>> = Vec::new();
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
            report.not_written.add(
                "variable type its values do not all fit (written as Text)",
                1,
            );
            *kind = VariableType::Text.as_str().to_owned();
        }
    }
    let type_of: HashMap<&str, &str> = variables
        .iter()
        .map(|(n, k)| (n.as_str(), k.as_str()))
        .collect();
    if !variables.is_empty() {
        w.start("Variables", &[]);
        for (name, kind) in &variables {
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
        for (t, units) in study.transcripts().iter().zip(&units_of) {
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
}
