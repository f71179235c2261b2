//! The REFI-QDA elements samskap reads, as plain values, and their parsing from the XML
//! tree: every GUID checked and unique, every reference pointing at something defined, and
//! every element samskap cannot represent counted in [`Skipped`].

use std::collections::{BTreeMap, HashMap};

use crate::guid::Guid;
use crate::xml::Element;
use crate::RefiError;

/// What was left out, by description, with counts.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Skipped(pub BTreeMap<String, usize>);

impl Skipped {
    /// Counts `n` more of `what`.
    pub fn add(&mut self, what: impl Into<String>, n: usize) {
        if n > 0 {
            *self.0.entry(what.into()).or_default() += n;
        }
    }

    /// True when nothing was left out.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// A `<User>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    /// Its GUID.
    pub guid: Guid,
    /// Display name.
    pub name: Option<String>,
    /// The tool's short id (initials).
    pub id: Option<String>,
}

/// A `<Code>` with its children.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Code {
    /// Its GUID.
    pub guid: Guid,
    /// Its name.
    pub name: String,
    /// Whether it may be applied.
    pub is_codable: bool,
    /// Its `<Description>`.
    pub description: Option<String>,
    /// Its `color` attribute, as written (tools write it in several forms).
    pub color: Option<String>,
    /// Notes on the code (`<NoteRef>`, project files only).
    pub note_refs: Vec<Guid>,
    /// Sub-codes.
    pub children: Vec<Code>,
}

/// The value type of a `<Variable>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VariableType {
    /// `Text`.
    Text,
    /// `Boolean`.
    Boolean,
    /// `Integer`.
    Integer,
    /// `Float`.
    Float,
    /// `Date`.
    Date,
    /// `DateTime`.
    DateTime,
}

impl VariableType {
    /// The schema's name.
    pub fn as_str(self) -> &'static str {
        match self {
            VariableType::Text => "Text",
            VariableType::Boolean => "Boolean",
            VariableType::Integer => "Integer",
            VariableType::Float => "Float",
            VariableType::Date => "Date",
            VariableType::DateTime => "DateTime",
        }
    }

    /// The type named `s` in the schema.
    pub fn from_name(s: &str) -> Option<Self> {
        use VariableType::*;
        [Text, Boolean, Integer, Float, Date, DateTime]
            .into_iter()
            .find(|t| t.as_str() == s)
    }

    /// True when `value` (surrounding whitespace aside) is a value of this type as the
    /// schema reads it (`xsd:boolean`, `xsd:integer`, `xsd:decimal`, `xsd:date`,
    /// `xsd:dateTime`), so that writing it under this type gives a valid file. Strict where
    /// the schema is lenient (four-digit years only): what is refused here is kept as text.
    pub fn accepts(self, value: &str) -> bool {
        let v = value.trim_matches([' ', '\t', '\n', '\r']);
        match self {
            VariableType::Text => true,
            VariableType::Boolean => matches!(v, "true" | "false" | "1" | "0"),
            VariableType::Integer => digits(unsigned(v)),
            VariableType::Float => match unsigned(v).split_once('.') {
                Some((a, b)) => {
                    (a.is_empty() || digits(a))
                        && (b.is_empty() || digits(b))
                        && a.len() + b.len() > 0
                }
                None => digits(unsigned(v)),
            },
            VariableType::Date => date(without_zone(v)),
            VariableType::DateTime => {
                let v = without_zone(v);
                v.split_once('T').is_some_and(|(d, t)| date(d) && time(t))
            }
        }
    }

    /// The element that holds a value of this type.
    pub fn value_element(self) -> &'static str {
        match self {
            VariableType::Text => "TextValue",
            VariableType::Boolean => "BooleanValue",
            VariableType::Integer => "IntegerValue",
            VariableType::Float => "FloatValue",
            VariableType::Date => "DateValue",
            VariableType::DateTime => "DateTimeValue",
        }
    }
}

fn digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

fn unsigned(s: &str) -> &str {
    s.strip_prefix(['+', '-']).unwrap_or(s)
}

/// Two digits at `s[i..i + 2]` read as a number.
fn two(s: &str, i: usize) -> Option<u32> {
    s.get(i..i + 2).filter(|d| digits(d))?.parse().ok()
}

/// `s` without a time zone (`Z`, `+hh:mm`, `-hh:mm`) at its end; unchanged when it has a
/// malformed one, which then fails the date or time check.
fn without_zone(s: &str) -> &str {
    if let Some(rest) = s.strip_suffix('Z') {
        return rest;
    }
    let n = s.len();
    if n >= 6 && s.is_char_boundary(n - 6) {
        let (rest, zone) = s.split_at(n - 6);
        let offset = matches!(zone.as_bytes()[0], b'+' | b'-') && zone.as_bytes()[3] == b':';
        if offset {
            if let (Some(h), Some(m)) = (two(zone, 1), two(zone, 4)) {
                if m < 60 && (h < 14 || (h == 14 && m == 0)) {
                    return rest;
                }
            }
        }
    }
    s
}

/// `YYYY-MM-DD`, a day of the calendar, year 0001 to 9999.
fn date(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' || !digits(&s[..4]) {
        return false;
    }
    let (Ok(y), Some(m), Some(d)) = (s[..4].parse::<i32>(), two(s, 5), two(s, 8)) else {
        return false;
    };
    y > 0 && samskap_core::NaiveDate::from_ymd_opt(y, m, d).is_some()
}

/// `hh:mm:ss` with an optional fraction, `00:00:00` to `23:59:59.999…`.
fn time(s: &str) -> bool {
    let (hms, fraction) = s.split_once('.').unwrap_or((s, "0"));
    let b = hms.as_bytes();
    b.len() == 8
        && b[2] == b':'
        && b[5] == b':'
        && digits(fraction)
        && matches!((two(hms, 0), two(hms, 3), two(hms, 6)), (Some(h), Some(m), Some(sec)) if h < 24 && m < 60 && sec < 60)
}

/// A `<Variable>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Variable {
    /// Its GUID.
    pub guid: Guid,
    /// Its name.
    pub name: String,
    /// Its type.
    pub kind: VariableType,
}

/// A `<Case>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Case {
    /// Its GUID.
    pub guid: Guid,
    /// Its name.
    pub name: Option<String>,
    /// Variable values, by variable GUID, as written.
    pub values: Vec<(Guid, String)>,
    /// The sources of the case.
    pub sources: Vec<Guid>,
}

/// A `<Coding>`: a code applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodingRef {
    /// Its GUID.
    pub guid: Guid,
    /// The code.
    pub code: Guid,
    /// Who applied it.
    pub creating_user: Option<Guid>,
    /// Notes on the coding.
    pub note_refs: Vec<Guid>,
}

/// A `<PlainTextSelection>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Selection {
    /// Its GUID.
    pub guid: Guid,
    /// `startPosition`.
    pub start: u64,
    /// `endPosition`.
    pub end: u64,
    /// Its `<Description>` (a memo, in some tools).
    pub description: Option<String>,
    /// Who made it.
    pub creating_user: Option<Guid>,
    /// Codes applied to it.
    pub codings: Vec<CodingRef>,
    /// Notes on it.
    pub note_refs: Vec<Guid>,
}

/// A `<TextSource>` with its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextSource {
    /// Its GUID.
    pub guid: Guid,
    /// Its name.
    pub name: String,
    /// The plain text as the file holds it (byte-order mark removed, nothing else changed).
    pub text: String,
    /// Variable values on the source.
    pub values: Vec<(Guid, String)>,
    /// Its selections.
    pub selections: Vec<Selection>,
    /// Notes on the source.
    pub note_refs: Vec<Guid>,
}

/// A `<Note>` with its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    /// Its GUID.
    pub guid: Guid,
    /// Its name.
    pub name: Option<String>,
    /// Its text.
    pub text: String,
    /// Who wrote it.
    pub creating_user: Option<Guid>,
}

/// A `<Link>` between two objects; links that join a note to something are read as notes on
/// it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    /// Its GUID.
    pub guid: Guid,
    /// `originGUID`.
    pub origin: Option<Guid>,
    /// `targetGUID`.
    pub target: Option<Guid>,
}

/// A whole `project.qde` (or `.qdc`, which fills only `origin` and `codes`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Project {
    /// `name`.
    pub name: String,
    /// `origin`: the tool that wrote it.
    pub origin: Option<String>,
    /// Users.
    pub users: Vec<User>,
    /// Top-level codes.
    pub codes: Vec<Code>,
    /// Variables.
    pub variables: Vec<Variable>,
    /// Cases.
    pub cases: Vec<Case>,
    /// Text sources.
    pub sources: Vec<TextSource>,
    /// Notes.
    pub notes: Vec<Note>,
    /// Links.
    pub links: Vec<Link>,
    /// The project's `<Description>`.
    pub description: Option<String>,
    /// Notes on the project as a whole.
    pub note_refs: Vec<Guid>,
    /// What the file holds that samskap cannot represent.
    pub skipped: Skipped,
}

/// Where the text of a source or note lives.
pub(crate) enum TextAt {
    /// Inline, in `<PlainTextContent>`.
    Inline(String),
    /// In the archive's `sources/` folder under this name.
    Internal(String),
    /// Outside the archive (`relative://`, `absolute://`, ...): never opened.
    External,
    /// Nowhere samskap can read (a rich-text file only).
    None,
}

/// Reading context: the file name for messages and the index of GUIDs seen.
pub(crate) struct Ctx<'a> {
    pub file: &'a str,
    /// GUID → the element kind that defines it, and whether the element stands where the
    /// reader looks for its kind (a `<Note>` outside `<Notes>` is never read as a note, so a
    /// reference to it must not resolve).
    pub defined: HashMap<Guid, (String, bool)>,
}

/// The container an element of a kind that references point at must stand in, as the
/// names of its ancestors from the root; `None` for kinds nothing refers to.
fn container(kind: &str) -> Option<&'static str> {
    Some(match kind {
        "User" => "Project/Users",
        "Variable" => "Project/Variables",
        "Case" => "Project/Cases",
        "Note" => "Project/Notes",
        "TextSource" | "PictureSource" | "PDFSource" | "AudioSource" | "VideoSource" => {
            "Project/Sources"
        }
        "Code" => "CodeBook/Codes",
        _ => return None,
    })
}

/// True when an element named `kind` under `ancestors` (from the root) stands where the
/// reader looks for it.
fn in_place(kind: &str, ancestors: &[&str]) -> bool {
    match kind {
        // Codes nest: `[Project/]CodeBook/Codes/Code/Code/...`.
        "Code" => {
            let rest = ancestors
                .strip_prefix(&["Project"][..])
                .unwrap_or(ancestors);
            matches!(rest, ["CodeBook", "Codes", inner @ ..] if inner.iter().all(|n| *n == "Code"))
        }
        _ => container(kind).is_none_or(|c| ancestors.iter().copied().eq(c.split('/'))),
    }
}

impl<'a> Ctx<'a> {
    /// Checks every `guid` attribute in the tree for form and uniqueness, without recursion,
    /// and records the kind of each element that defines one and whether it stands in its
    /// container.
    pub fn new(file: &'a str, root: &Element) -> Result<Self, RefiError> {
        let mut defined: HashMap<Guid, (String, bool)> = HashMap::new();
        let mut labels: HashMap<Guid, String> = HashMap::new();
        // (element, its depth); `path` holds the names of the current element's ancestors.
        let mut stack = vec![(root, 0usize)];
        let mut path: Vec<&str> = Vec::new();
        while let Some((el, depth)) = stack.pop() {
            path.truncate(depth);
            // A codebook's set members refer to codes with a `guid` attribute.
            let defines = el.name != "MemberCode";
            if let Some(raw) = el.attr("guid").filter(|_| defines) {
                let g = Guid::parse(raw).ok_or_else(|| RefiError::Attribute {
                    file: file.to_owned(),
                    element: el.label(),
                    attribute: "guid",
                    problem: format!("`{raw}` is not a GUID"),
                })?;
                if let Some(first) = labels.get(&g) {
                    return Err(RefiError::DuplicateGuid {
                        file: file.to_owned(),
                        guid: g.to_string(),
                        first: first.clone(),
                        second: el.label(),
                    });
                }
                labels.insert(g.clone(), el.label());
                defined.insert(g, (el.name.clone(), in_place(&el.name, &path)));
            }
            path.push(&el.name);
            stack.extend(el.children.iter().rev().map(|c| (c, depth + 1)));
        }
        Ok(Self { file, defined })
    }

    pub fn guid(&self, el: &Element) -> Result<Guid, RefiError> {
        self.guid_attr(el, "guid")?
            .ok_or_else(|| self.missing(el, "guid"))
    }

    pub fn guid_attr(&self, el: &Element, attr: &'static str) -> Result<Option<Guid>, RefiError> {
        el.attr(attr)
            .map(|raw| {
                Guid::parse(raw).ok_or_else(|| RefiError::Attribute {
                    file: self.file.to_owned(),
                    element: el.label(),
                    attribute: attr,
                    problem: format!("`{raw}` is not a GUID"),
                })
            })
            .transpose()
    }

    /// A reference attribute that must point at an element named one of `kinds`.
    pub fn reference(
        &self,
        el: &Element,
        attr: &'static str,
        kinds: &[&str],
        what: &'static str,
    ) -> Result<Guid, RefiError> {
        let g = self
            .guid_attr(el, attr)?
            .ok_or_else(|| self.missing(el, attr))?;
        match self.defined.get(&g) {
            Some((k, true)) if kinds.contains(&k.as_str()) => Ok(g),
            Some((k, false)) if kinds.contains(&k.as_str()) => Err(self.misplaced(el, k, &g)),
            _ => Err(RefiError::DanglingRef {
                file: self.file.to_owned(),
                element: el.label(),
                what,
                guid: g.to_string(),
            }),
        }
    }

    pub fn missing(&self, el: &Element, attr: &'static str) -> RefiError {
        RefiError::Attribute {
            file: self.file.to_owned(),
            element: el.label(),
            attribute: attr,
            problem: "missing".into(),
        }
    }

    fn note_refs(&self, el: &Element) -> Result<Vec<Guid>, RefiError> {
        el.all("NoteRef")
            .map(|r| self.reference(r, "targetGUID", &["Note"], "note"))
            .collect()
    }

    /// A reference to an element of the right kind that stands outside its container.
    fn misplaced(&self, el: &Element, kind: &str, g: &Guid) -> RefiError {
        RefiError::MisplacedRef {
            file: self.file.to_owned(),
            element: el.label(),
            guid: g.to_string(),
            kind: kind.to_owned(),
            container: container(kind).unwrap_or_default(),
        }
    }

    fn user_ref(&self, el: &Element, attr: &'static str) -> Result<Option<Guid>, RefiError> {
        match self.guid_attr(el, attr)? {
            None => Ok(None),
            Some(g) => match self.defined.get(&g) {
                Some((k, true)) if k == "User" => Ok(Some(g)),
                Some((k, false)) if k == "User" => Err(self.misplaced(el, k, &g)),
                _ => Err(RefiError::DanglingRef {
                    file: self.file.to_owned(),
                    element: el.label(),
                    what: "user",
                    guid: g.to_string(),
                }),
            },
        }
    }
}

fn text_of(el: &Element, name: &str) -> Option<String> {
    el.first(name).map(|d| d.text.clone())
}

/// Reads the codes under a `<Codes>` element. Depth is bounded by the XML reader's limit.
pub(crate) fn codes(ctx: &Ctx<'_>, parent: &Element) -> Result<Vec<Code>, RefiError> {
    parent
        .all("Code")
        .map(|c| {
            let name = c
                .attr("name")
                .ok_or_else(|| ctx.missing(c, "name"))?
                .to_owned();
            let is_codable = match c.attr("isCodable").map(str::trim) {
                Some("true" | "1") | None => true,
                Some("false" | "0") => false,
                Some(other) => {
                    return Err(RefiError::Attribute {
                        file: ctx.file.to_owned(),
                        element: c.label(),
                        attribute: "isCodable",
                        problem: format!("`{other}` is not true or false"),
                    })
                }
            };
            Ok(Code {
                guid: ctx.guid(c)?,
                name,
                is_codable,
                description: text_of(c, "Description"),
                color: c.attr("color").map(str::to_owned),
                note_refs: ctx.note_refs(c)?,
                children: codes(ctx, c)?,
            })
        })
        .collect()
}

fn variable_values(ctx: &Ctx<'_>, el: &Element) -> Result<Vec<(Guid, String)>, RefiError> {
    el.all("VariableValue")
        .map(|v| {
            let r = v
                .first("VariableRef")
                .ok_or_else(|| ctx.missing(v, "VariableRef"))?;
            let var = ctx.reference(r, "targetGUID", &["Variable"], "variable")?;
            let value = v
                .children
                .iter()
                .find(|c| c.name.ends_with("Value"))
                .map(|c| c.text.trim().to_owned())
                .unwrap_or_default();
            Ok((var, value))
        })
        .collect()
}

fn position(ctx: &Ctx<'_>, el: &Element, attr: &'static str) -> Result<u64, RefiError> {
    let raw = el.attr(attr).ok_or_else(|| ctx.missing(el, attr))?;
    raw.trim().parse().map_err(|_| RefiError::Attribute {
        file: ctx.file.to_owned(),
        element: el.label(),
        attribute: attr,
        problem: format!("`{raw}` is not a non-negative whole number"),
    })
}

fn coding(ctx: &Ctx<'_>, el: &Element) -> Result<CodingRef, RefiError> {
    let r = el
        .first("CodeRef")
        .ok_or_else(|| ctx.missing(el, "CodeRef"))?;
    Ok(CodingRef {
        guid: ctx.guid(el)?,
        code: ctx.reference(r, "targetGUID", &["Code"], "code")?,
        creating_user: ctx.user_ref(el, "creatingUser")?,
        note_refs: ctx.note_refs(el)?,
    })
}

/// Where a text source's (or note's) plain text is.
pub(crate) fn text_at(ctx: &Ctx<'_>, el: &Element) -> Result<TextAt, RefiError> {
    if let Some(t) = el.first("PlainTextContent") {
        return Ok(TextAt::Inline(t.text.clone()));
    }
    let Some(path) = el.attr("plainTextPath") else {
        return Ok(TextAt::None);
    };
    let name = match path.split_once("://") {
        Some((scheme, rest)) if scheme.eq_ignore_ascii_case("internal") => rest,
        Some(_) => return Ok(TextAt::External),
        None => path,
    };
    let plain =
        !name.is_empty() && !name.contains(['/', '\\', '\0', ':']) && name != ".." && name != ".";
    if !plain {
        return Err(RefiError::UnsafeSourcePath {
            element: format!("{} in {}", el.label(), ctx.file),
            path: path.to_owned(),
        });
    }
    Ok(TextAt::Internal(name.to_owned()))
}

/// A text source as read, before its text is fetched.
pub(crate) struct SourceDraft {
    pub source: TextSource,
    pub at: TextAt,
}

/// A note as read, before its text is fetched.
pub(crate) struct NoteDraft {
    pub note: Note,
    pub at: TextAt,
}

/// Reads `<Project>` into a [`Project`] whose sources and notes still lack their text.
pub(crate) fn project(
    ctx: &Ctx<'_>,
    root: &Element,
) -> Result<(Project, Vec<SourceDraft>, Vec<NoteDraft>), RefiError> {
    if root.name != "Project" {
        return Err(RefiError::WrongRoot {
            file: ctx.file.to_owned(),
            found: root.name.clone(),
            expected: "Project",
        });
    }
    let mut p = Project {
        name: root.attr("name").unwrap_or_default().to_owned(),
        origin: root.attr("origin").map(str::to_owned),
        description: text_of(root, "Description"),
        ..Project::default()
    };
    for u in root.all("Users").flat_map(|u| u.all("User")) {
        p.users.push(User {
            guid: ctx.guid(u)?,
            name: u.attr("name").map(str::to_owned),
            id: u.attr("id").map(str::to_owned),
        });
    }
    for cb in root.all("CodeBook") {
        for cs in cb.all("Codes") {
            p.codes.extend(codes(ctx, cs)?);
        }
        count_sets(cb, &mut p.skipped);
    }
    for v in root.all("Variables").flat_map(|v| v.all("Variable")) {
        let raw = v.attr("typeOfVariable").unwrap_or("Text");
        p.variables.push(Variable {
            guid: ctx.guid(v)?,
            name: v
                .attr("name")
                .ok_or_else(|| ctx.missing(v, "name"))?
                .to_owned(),
            kind: VariableType::from_name(raw.trim()).ok_or_else(|| RefiError::Attribute {
                file: ctx.file.to_owned(),
                element: v.label(),
                attribute: "typeOfVariable",
                problem: format!("`{raw}` is not one of the schema's types"),
            })?,
        });
    }
    for c in root.all("Cases").flat_map(|c| c.all("Case")) {
        let mut sources = Vec::new();
        for r in c.all("SourceRef") {
            sources.push(ctx.reference(
                r,
                "targetGUID",
                &[
                    "TextSource",
                    "PictureSource",
                    "PDFSource",
                    "AudioSource",
                    "VideoSource",
                ],
                "source",
            )?);
        }
        p.skipped.add(
            "code applied to a whole case (CodeRef in Case)",
            c.all("CodeRef").count(),
        );
        p.skipped.add(
            "selection attached to a case (SelectionRef in Case)",
            c.all("SelectionRef").count(),
        );
        p.cases.push(Case {
            guid: ctx.guid(c)?,
            name: c.attr("name").map(str::to_owned),
            values: variable_values(ctx, c)?,
            sources,
        });
    }
    let mut sources = Vec::new();
    for s in root.all("Sources").flat_map(|s| s.children.iter()) {
        match s.name.as_str() {
            "TextSource" => {
                let mut selections = Vec::new();
                for sel in s.all("PlainTextSelection") {
                    selections.push(Selection {
                        guid: ctx.guid(sel)?,
                        start: position(ctx, sel, "startPosition")?,
                        end: position(ctx, sel, "endPosition")?,
                        description: text_of(sel, "Description").filter(|d| !d.trim().is_empty()),
                        creating_user: ctx.user_ref(sel, "creatingUser")?,
                        codings: sel
                            .all("Coding")
                            .map(|c| coding(ctx, c))
                            .collect::<Result<_, _>>()?,
                        note_refs: ctx.note_refs(sel)?,
                    });
                }
                p.skipped.add(
                    "code applied to a whole text source (Coding in TextSource)",
                    s.all("Coding").count(),
                );
                let guid = ctx.guid(s)?;
                let name = s
                    .attr("name")
                    .map_or_else(|| guid.to_string(), str::to_owned);
                // A source's values become its attributes: the error names the source, which
                // a <VariableRef> alone does not.
                let values = variable_values(ctx, s).map_err(|e| match e {
                    RefiError::DanglingRef {
                        what: "variable",
                        guid: variable,
                        ..
                    } => RefiError::SourceValue {
                        source_guid: guid.to_string(),
                        source_name: name.clone(),
                        problem: format!(
                            "a <VariableValue> refers to variable {variable}, which the file does not define"
                        ),
                    },
                    e => e,
                })?;
                sources.push(SourceDraft {
                    source: TextSource {
                        name,
                        guid,
                        text: String::new(),
                        values,
                        selections,
                        note_refs: ctx.note_refs(s)?,
                    },
                    at: text_at(ctx, s)?,
                });
            }
            other => count_media(other, s, &mut p.skipped),
        }
    }
    let mut notes = Vec::new();
    for n in root.all("Notes").flat_map(|n| n.all("Note")) {
        p.skipped.add(
            "selection inside a note (PlainTextSelection in Note)",
            n.all("PlainTextSelection").count(),
        );
        notes.push(NoteDraft {
            note: Note {
                guid: ctx.guid(n)?,
                name: n.attr("name").map(str::to_owned),
                text: String::new(),
                creating_user: ctx.user_ref(n, "creatingUser")?,
            },
            at: text_at(ctx, n)?,
        });
    }
    for l in root.all("Links").flat_map(|l| l.all("Link")) {
        p.links.push(Link {
            guid: ctx.guid(l)?,
            origin: ctx.guid_attr(l, "originGUID")?,
            target: ctx.guid_attr(l, "targetGUID")?,
        });
    }
    count_sets(root, &mut p.skipped);
    p.skipped.add(
        "graph (Graph)",
        root.all("Graphs").flat_map(|g| g.all("Graph")).count(),
    );
    p.note_refs = ctx.note_refs(root)?;
    Ok((p, sources, notes))
}

fn count_sets(parent: &Element, skipped: &mut Skipped) {
    skipped.add(
        "set (Set)",
        parent.all("Sets").flat_map(|s| s.all("Set")).count(),
    );
}

/// Counts a picture, PDF, audio or video source with its selections and codings.
fn count_media(kind: &str, el: &Element, skipped: &mut Skipped) {
    let (what, selection) = match kind {
        "PictureSource" => ("picture source (PictureSource)", "PictureSelection"),
        "PDFSource" => ("PDF source (PDFSource)", "PDFSelection"),
        "AudioSource" => ("audio source (AudioSource)", "AudioSelection"),
        "VideoSource" => ("video source (VideoSource)", "VideoSelection"),
        other => {
            skipped.add(format!("unknown source element <{other}>"), 1);
            return;
        }
    };
    skipped.add(what, 1);
    let selections: Vec<&Element> = el.all(selection).collect();
    skipped.add(
        format!("{selection} (a selection in a {kind})"),
        selections.len(),
    );
    let codings = el.all("Coding").count()
        + selections
            .iter()
            .map(|s| s.all("Coding").count())
            .sum::<usize>();
    skipped.add(format!("Coding in a {kind} or its selections"), codings);
    skipped.add(
        format!("Transcript of a {kind}"),
        el.all("Transcript").count(),
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xml::parse;

    #[test]
    fn values_are_checked_against_their_type() {
        use VariableType::*;
        let cases: [(VariableType, &[&str], &[&str]); 6] = [
            (Text, &["", "1,5", "\u{1}"], &[]),
            (
                Boolean,
                &["true", "false", "1", "0", " true "],
                &["True", "FALSE", "yes", "", "2"],
            ),
            (
                Integer,
                &["40", "-3", "+0", "007"],
                &["", "1,5", "1.0", "4e2", "-", "٤٠", "1 000"],
            ),
            (
                Float,
                &["1.5", "-0.5", ".5", "5.", "40", "+1"],
                &["1,5", "", ".", "1e3", "NaN", "1.2.3"],
            ),
            (
                Date,
                &[
                    "2023-03-01",
                    "2024-02-29",
                    "2023-03-01Z",
                    "2023-03-01+14:00",
                    "2023-03-01-05:30",
                ],
                &[
                    "2023-02-29",
                    "2023-13-01",
                    "1.3.2023",
                    "2023-3-1",
                    "0000-01-01",
                    "2023-03-01+15:00",
                    "2023-03-01T10:00:00",
                    "",
                ],
            ),
            (
                DateTime,
                &[
                    "2023-03-01T10:00:00",
                    "2023-03-01T23:59:59.5Z",
                    "2023-03-01T00:00:00+01:00",
                ],
                &[
                    "2023-03-01",
                    "2023-03-01 10:00:00",
                    "2023-03-01T24:00:01",
                    "2023-03-01T10:00",
                    "2023-03-01T10:00:00.",
                ],
            ),
        ];
        for (kind, good, bad) in cases {
            for v in good {
                assert!(kind.accepts(v), "{kind:?} {v:?}");
            }
            for v in bad {
                assert!(!kind.accepts(v), "{kind:?} {v:?}");
            }
        }
    }

    const HEAD: &str = r#"<Project xmlns="urn:QDA-XML:project:1.0" name="x">"#;

    fn read(body: &str) -> Result<Project, RefiError> {
        let doc = format!("{HEAD}{body}</Project>");
        let root = parse("project.qde", doc.as_bytes(), &crate::Limits::default()).unwrap();
        let ctx = Ctx::new("project.qde", &root)?;
        project(&ctx, &root).map(|(p, _, _)| p)
    }

    const VAR: &str = r#"<Variable guid="00000000-0000-4000-8000-000000000001" name="alder" typeOfVariable="Integer"/>"#;
    const CASE: &str = r#"<Cases><Case guid="00000000-0000-4000-8000-000000000002" name="I1"><VariableValue><VariableRef targetGUID="00000000-0000-4000-8000-000000000001"/><IntegerValue>40</IntegerValue></VariableValue></Case></Cases><NoteRef targetGUID="00000000-0000-4000-8000-000000000003"/>"#;
    const NOTE: &str = r#"<Note guid="00000000-0000-4000-8000-000000000003"><PlainTextContent>n</PlainTextContent></Note>"#;

    #[test]
    fn kinds_count_only_in_their_containers() {
        let ok = read(&format!(
            "<Variables>{VAR}</Variables>{CASE}<Notes>{NOTE}</Notes>"
        ))
        .unwrap();
        assert_eq!(ok.cases[0].values.len(), 1);
        // The same elements elsewhere define their GUIDs (still unique) but are never read,
        // so references to them do not resolve.
        for (body, kind) in [
            (format!("<Notes>{VAR}{NOTE}</Notes>{CASE}"), "<Variable>"),
            (
                format!("{VAR}<Variables/>{CASE}<Notes>{NOTE}</Notes>"),
                "<Variable>",
            ),
            (
                format!("<Variables>{VAR}</Variables>{CASE}<Sets>{NOTE}</Sets>"),
                "<Note>",
            ),
            (
                format!("<Variables>{VAR}</Variables>{CASE}<Notes><Notes>{NOTE}</Notes></Notes>"),
                "<Note>",
            ),
        ] {
            let e = read(&body).unwrap_err();
            assert!(matches!(e, RefiError::MisplacedRef { .. }), "{body}: {e}");
            assert!(e.to_string().contains(kind), "{e}");
        }
        let user = r#"<Notes><Note guid="00000000-0000-4000-8000-000000000004" creatingUser="00000000-0000-4000-8000-000000000005"/></Notes><Cases><User guid="00000000-0000-4000-8000-000000000005"/></Cases>"#;
        let e = read(user).unwrap_err();
        assert!(e.to_string().contains("outside <Project/Users>"), "{e}");
    }

    #[test]
    fn codes_nest_under_a_codebook_only() {
        let code =
            |g: u32| format!(r#"<Code guid="00000000-0000-4000-8000-{g:012}" name="c{g}"/>"#);
        let coded = r#"<Sources><TextSource guid="00000000-0000-4000-8000-000000000010" plainTextPath="a.txt"><PlainTextSelection guid="00000000-0000-4000-8000-000000000011" startPosition="0" endPosition="1"><Coding guid="00000000-0000-4000-8000-000000000012"><CodeRef targetGUID="00000000-0000-4000-8000-000000000002"/></Coding></PlainTextSelection></TextSource></Sources>"#;
        let nested = format!(
            r#"<CodeBook><Codes><Code guid="00000000-0000-4000-8000-000000000001" name="a">{}</Code></Codes></CodeBook>{coded}"#,
            code(2)
        );
        assert_eq!(read(&nested).unwrap().codes[0].children.len(), 1);
        let stray = format!(
            r#"<CodeBook><Codes>{}</Codes></CodeBook><Codes>{}</Codes>{coded}"#,
            code(1),
            code(2)
        );
        assert!(matches!(read(&stray), Err(RefiError::MisplacedRef { .. })));
    }
}
