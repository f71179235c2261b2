//! From a read [`Project`] to a core [`Study`]: users to coders, codes to a framework, cases
//! and text sources to informants and transcripts, their variables to custom attributes of
//! informants and of sources, selections with codings to meaning units and codings, notes to
//! memos. The GUIDs go into a [`GuidTable`]; what cannot be carried
//! is counted in the report.

use std::collections::{BTreeMap, HashMap, HashSet};

use samskap_core::{
    ActiveConsent, CodeId, CoderId, Coding, Framework, FrameworkId, GroupId, Informant,
    InformantDetails, InformantId, Memo, Municipality, NaiveDate, QualifierId, Qualifiers,
    ResourceGroup, Role, Study, StudyId, StudyMeta, Transcript,
};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::codes::{self, CodeMap, Resolved};
use crate::guid::{Guid, GuidTable, Kind, Slugs};
use crate::mapping::Mapping;
use crate::positions::{Counting, PositionMap};
use crate::project::{Project, Skipped, VariableType};
use crate::RefiError;

/// How to import.
#[derive(Debug, Clone)]
pub struct ImportOptions {
    /// The id of the new study.
    pub study_id: StudyId,
    /// How positions are counted; `None` to go by the file's `origin`.
    pub counting: Option<Counting>,
    /// A mapping onto an existing framework, with that framework.
    pub mapping: Option<(Mapping, Framework)>,
    /// Values for the qualifiers a coding gets no value of from a mapping rule or a code
    /// name, where its code's framework declares them (`--default-polarity barrier` is
    /// `polarity=barrier`); they take precedence over the mapping's own defaults. Never
    /// needed for a coding to be kept: without a value a coding stays unqualified, unless
    /// its framework requires the qualifier (see [`RefiError::QualifierMissing`]).
    pub default_qualifiers: Qualifiers,
    /// The coder of codings and memos that name no user.
    pub default_coder: CoderId,
    /// What to keep of the study the import replaces, which a REFI project cannot carry.
    pub keep: Kept,
}

/// The municipalities and resource groups of a study that an import replaces: a REFI
/// project has cases, not groups. A case's `group` variable that names one of these groups
/// puts the informant in it again.
#[derive(Debug, Clone, Default)]
pub struct Kept {
    /// The municipalities, in order.
    pub municipalities: Vec<Municipality>,
    /// The groups, in order; their municipalities are among those above.
    pub groups: Vec<ResourceGroup>,
}

/// A case variable that the model has no field for, kept so that it goes out again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Attribute {
    /// Whose.
    pub informant: InformantId,
    /// The variable's name.
    pub variable: String,
    /// The variable's type (`Text`, `Date`, ...).
    pub kind: String,
    /// The value as written.
    pub value: String,
}

/// Where the qualifier values of the imported codings came from, in codings (one coding
/// with values from two places counts in both).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct QualifierCounts {
    /// From mapping rules.
    pub from_mapping: usize,
    /// From code names, by the convention.
    pub from_code_names: usize,
    /// From the default values.
    pub from_default: usize,
    /// None: the coding was kept without a qualifier value.
    pub unqualified: usize,
}

/// What an import did and what it left out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportReport {
    /// The tool that wrote the file.
    pub origin: Option<String>,
    /// How positions were counted.
    pub counting: Counting,
    /// The framework codings landed in.
    pub framework: String,
    /// `codebook` (made from the file by the convention) or `mapping`.
    pub framework_from: &'static str,
    /// Codes in that framework.
    pub codes: usize,
    /// Where qualifier values came from.
    pub qualifiers: QualifierCounts,
    /// Left out, with counts.
    pub skipped: Skipped,
    /// Other things a person should know, one sentence each.
    pub notes: Vec<String>,
}

/// An imported study, ready for the store.
#[derive(Debug)]
pub struct Imported {
    /// The study.
    pub study: Study,
    /// The tools' GUIDs.
    pub guids: GuidTable,
    /// The report.
    pub report: ImportReport,
}

/// The key of a memo in the GUID table: its code, author and text, and which of several
/// identical memos it is.
pub fn memo_key(memo: &Memo, nth: usize) -> String {
    let hash = Sha256::digest(memo.text.as_bytes());
    let hex: String = hash[..8].iter().map(|b| format!("{b:02x}")).collect();
    format!(
        "{}|{}|{hex}|{nth}",
        memo.code
            .as_ref()
            .map(ToString::to_string)
            .unwrap_or_default(),
        memo.author
    )
}

/// The key of a meaning unit.
pub fn unit_key(source: &samskap_core::SourceId, start: usize, end: usize) -> String {
    format!("{source}:{start}-{end}")
}

/// The key of a coding: `unit:code:qualifier=value;...:coder`.
pub fn coding_key(unit: &str, code: &CodeId, qualifiers: &Qualifiers, coder: &CoderId) -> String {
    format!("{unit}:{code}:{qualifiers}:{coder}")
}

/// Turns an id-like name into an id: kept as it is when it is one already, else a slug.
fn take_id(slugs: &mut Slugs, name: &str, fallback: &str) -> String {
    if InformantId::new(name).is_ok() {
        slugs.take_exact(name, fallback)
    } else {
        slugs.take(name, fallback)
    }
}

/// The framework id and label for a codebook of a study's own.
pub fn own_framework_id(study: &StudyId) -> FrameworkId {
    let mut base = study.to_string();
    base.truncate(64 - "-codebook".len());
    format!("{}-codebook", base.trim_end_matches(['-', '.', '_']))
        .parse()
        .expect("a study id with a suffix is an id")
}

/// Imports a codebook (`.qdc`) as a framework of its own, by the convention.
pub fn codebook_framework(
    project: &Project,
    id: FrameworkId,
    label: &str,
) -> Result<(Framework, GuidTable, Skipped), RefiError> {
    let mut guids = GuidTable::new("", id.as_str());
    let map = codes::own_framework(
        &project.codes,
        &HashSet::new(),
        id,
        label,
        "Imported from a REFI-QDA codebook.",
        &mut guids,
    )?;
    let mut skipped = project.skipped.clone();
    for (what, n) in map.skipped.0 {
        skipped.add(what, n);
    }
    Ok((map.framework, guids, skipped))
}

/// The qualifier values of one coding, and where they came from.
struct Qualified {
    values: Qualifiers,
    from_rule: bool,
    from_name: bool,
    from_default: bool,
    /// A code name gave a value for a qualifier the code's framework does not declare.
    name_not_declared: bool,
    /// Required qualifiers left without a value.
    missing: Vec<QualifierId>,
}

/// The values a coding of `code` carries: the rule's, then those code names give for
/// qualifiers the rule leaves out, then the defaults for those still without one; only
/// qualifiers the framework declares for the code (rules were checked against it).
fn qualify(
    framework: &Framework,
    code: &CodeId,
    resolved: &Resolved,
    defaults: &Qualifiers,
) -> Qualified {
    let mut values: Vec<(QualifierId, samskap_core::ValueId)> = resolved
        .from_rule
        .iter()
        .map(|(q, v)| (q.clone(), v.clone()))
        .collect();
    let from_rule = !values.is_empty();
    let has = |values: &[(QualifierId, samskap_core::ValueId)], q: &QualifierId| {
        values.iter().any(|(k, _)| k == q)
    };
    let (mut from_name, mut name_not_declared, mut from_default) = (false, false, false);
    for (q, v) in resolved.from_name.iter() {
        if has(&values, q) {
            continue;
        }
        if codes::declared(framework, code, &Qualifiers::one(q.clone(), v.clone())).is_ok() {
            values.push((q.clone(), v.clone()));
            from_name = true;
        } else {
            name_not_declared = true;
        }
    }
    for (q, v) in defaults.iter() {
        if !has(&values, q)
            && codes::declared(framework, code, &Qualifiers::one(q.clone(), v.clone())).is_ok()
        {
            values.push((q.clone(), v.clone()));
            from_default = true;
        }
    }
    let missing = framework
        .qualifiers_of(code)
        .filter(|d| d.required && !has(&values, &d.id))
        .map(|d| d.id.clone())
        .collect();
    Qualified {
        values: Qualifiers::new(values).expect("one value per qualifier"),
        from_rule,
        from_name,
        from_default,
        name_not_declared,
        missing,
    }
}

/// A reference to a note that was skipped on reading (its text outside the archive, or rich
/// text only).
const UNREAD_NOTE: &str =
    "reference to a note that was skipped (its text is outside the archive or rich text only)";

/// What samskap knows about an informant from the variables.
#[derive(Default)]
struct Facts {
    role: Option<Role>,
    group: Option<GroupId>,
    workplace: Option<String>,
    position: Option<String>,
    interview_date: Option<NaiveDate>,
    consent: Option<&'static str>,
}

/// One value of a variable that becomes a custom attribute.
struct Held<K> {
    /// Whose: an informant's, or a source's.
    who: K,
    /// The attribute's name: the variable's (for sources, `name (source)` when the cases
    /// use the name).
    name: String,
    /// The variable's REFI type (`Text`, `Integer`, ...).
    kind: String,
    /// The value as written.
    value: String,
}

/// Each holder's values of the attributes declared, and those attributes by name.
type Declared<K> = (
    HashMap<K, samskap_core::Attributes>,
    Vec<(String, samskap_core::AttributeId)>,
);

/// The variables that the model has no field for, declared as custom attributes of
/// `holder` (an id from the name, unique among those `slugs` gave out; the name as label; a
/// type from the variable's: Integer and Float as numbers, DateTime as text, which keeps the
/// time), and each holder's values of them. Also the attributes declared, by name.
fn declare_attributes<K: Clone + Eq + std::hash::Hash>(
    study: &mut Study,
    holder: samskap_core::AttributeHolder,
    held: &[Held<K>],
    slugs: &mut Slugs,
    notes: &mut Vec<String>,
) -> Result<Declared<K>, RefiError> {
    use samskap_core::AttributeType;
    // Each variable's values, in the order met.
    let mut order: Vec<&str> = Vec::new();
    let mut of: HashMap<&str, Vec<&Held<K>>> = HashMap::new();
    for h in held {
        let list = of.entry(h.name.as_str()).or_default();
        if list.is_empty() {
            order.push(h.name.as_str());
        }
        list.push(h);
    }
    let mut values: HashMap<K, samskap_core::Attributes> = HashMap::new();
    let mut declared = Vec::with_capacity(order.len());
    for name in order {
        let list = &of[name];
        let wanted = match VariableType::from_name(&list[0].kind) {
            Some(VariableType::Boolean) => AttributeType::Boolean,
            Some(VariableType::Integer | VariableType::Float) => AttributeType::Number,
            Some(VariableType::Date) => AttributeType::Date,
            _ => AttributeType::Text,
        };
        // A value REFI allows that samskap reads otherwise (`1` as a Boolean, a date with
        // a time zone) keeps the whole variable as text, which takes any value.
        let kind = if list.iter().all(|h| wanted.parse(&h.value).is_ok()) {
            wanted
        } else {
            notes.push(format!(
                "variable `{name}` has values samskap does not read as {}; it is a text attribute",
                list[0].kind
            ));
            AttributeType::Text
        };
        let id: samskap_core::AttributeId = take_id(slugs, name.trim(), "variable")
            .parse()
            .expect("slugs are ids");
        study
            .add_attribute(samskap_core::Attribute {
                id: id.clone(),
                label: Some(name.to_owned()),
                kind: kind.clone(),
                holders: vec![holder],
            })
            .map_err(RefiError::model(format!("variable `{name}`")))?;
        for h in list {
            let value = kind.parse(&h.value).expect("checked above");
            values
                .entry(h.who.clone())
                .or_default()
                .set(id.clone(), value);
        }
        declared.push((name.to_owned(), id));
    }
    Ok((values, declared))
}

/// Imports a whole project as a new study.
pub fn import_project(project: &Project, opts: &ImportOptions) -> Result<Imported, RefiError> {
    let counting = opts
        .counting
        .unwrap_or_else(|| Counting::for_origin(project.origin.as_deref()));
    let mut skipped = project.skipped.clone();
    let mut notes: Vec<String> = Vec::new();
    let mut guids = GuidTable::new(opts.study_id.as_str(), "");

    // Codes: which are used by codings (a code that only groups others by polarity is a
    // code of its own when it is).
    let coded: HashSet<Guid> = project
        .sources
        .iter()
        .flat_map(|s| &s.selections)
        .flat_map(|s| &s.codings)
        .map(|c| c.code.clone())
        .collect();
    let (map, framework_from): (CodeMap, &'static str) = match &opts.mapping {
        Some((mapping, framework)) => (
            codes::mapped(
                &project.codes,
                mapping,
                framework.clone(),
                &coded,
                &mut guids,
            )?,
            "mapping",
        ),
        None => {
            let label = if project.name.trim().is_empty() {
                format!("{} codebook", opts.study_id)
            } else {
                format!("{} codebook", project.name.trim())
            };
            (
                codes::own_framework(
                    &project.codes,
                    &coded,
                    own_framework_id(&opts.study_id),
                    &label,
                    "Imported from a REFI-QDA project.",
                    &mut guids,
                )?,
                "codebook",
            )
        }
    };
    for (what, n) in &map.skipped.0 {
        skipped.add(what.clone(), *n);
    }
    // The options' defaults, then the mapping's for the qualifiers they leave out.
    let mut defaults: Vec<(QualifierId, samskap_core::ValueId)> = opts
        .default_qualifiers
        .iter()
        .map(|(q, v)| (q.clone(), v.clone()))
        .collect();
    let mut unused_defaults =
        codes::check_defaults(&map.framework, &opts.default_qualifiers, "default")?;
    if let Some((m, _)) = &opts.mapping {
        let unused =
            codes::check_defaults(&map.framework, &m.default_qualifiers, "mapping default")?;
        unused_defaults.extend(unused);
        for (q, v) in m.default_qualifiers.iter() {
            if opts.default_qualifiers.get(q).is_none() {
                defaults.push((q.clone(), v.clone()));
            }
        }
    }
    let defaults = Qualifiers::new(defaults).expect("one value per qualifier");
    for q in unused_defaults {
        notes.push(format!(
            "the default value of qualifier `{q}` was not used: framework `{}` declares no such qualifier",
            map.framework.id()
        ));
    }

    let meta = StudyMeta {
        id: opts.study_id.clone(),
        title: if project.name.trim().is_empty() {
            opts.study_id.to_string()
        } else {
            project.name.clone()
        },
        research_question: None,
        method: project.description.clone().filter(|d| !d.trim().is_empty()),
        period_start: None,
        period_end: None,
        framework: map.framework.id().clone(),
        provenance: samskap_core::Provenance::Research,
        language: None,
    };
    let mut study =
        Study::new(meta, map.framework.clone()).map_err(RefiError::model("the study"))?;
    for m in &opts.keep.municipalities {
        study
            .add_municipality(m.clone())
            .map_err(RefiError::model(format!("municipality `{}`", m.id)))?;
    }
    for g in &opts.keep.groups {
        study
            .add_group(ResourceGroup {
                // Values of custom attributes belong to the study's declarations, which
                // the import does not carry.
                attributes: Default::default(),
                ..g.clone()
            })
            .map_err(RefiError::model(format!("group `{}`", g.id)))?;
    }
    let kept_groups: HashSet<&GroupId> = opts.keep.groups.iter().map(|g| &g.id).collect();

    // Users to coders.
    let mut coder_slugs = Slugs::default();
    let mut coders: HashMap<Guid, CoderId> = HashMap::new();
    for u in &project.users {
        let name = u.id.as_deref().or(u.name.as_deref()).unwrap_or("user");
        let id = take_id(&mut coder_slugs, name.trim(), "user");
        coders.insert(u.guid.clone(), id.parse().expect("slugs are ids"));
    }
    let coder_of = |g: Option<&Guid>| -> CoderId {
        g.and_then(|g| coders.get(g))
            .cloned()
            .unwrap_or_else(|| opts.default_coder.clone())
    };
    let mut used_coders: HashSet<CoderId> = HashSet::new();

    // Notes, and links that join a note to something (read as a note on it).
    let note_by_guid: HashMap<&Guid, &crate::project::Note> =
        project.notes.iter().map(|n| (&n.guid, n)).collect();
    let mut linked: HashMap<Guid, Vec<Guid>> = HashMap::new();
    for l in &project.links {
        match (&l.origin, &l.target) {
            (Some(o), Some(t)) if note_by_guid.contains_key(t) => {
                linked.entry(o.clone()).or_default().push(t.clone())
            }
            (Some(o), Some(t)) if note_by_guid.contains_key(o) => {
                linked.entry(t.clone()).or_default().push(o.clone())
            }
            _ => skipped.add("link between two objects (Link)", 1),
        }
    }
    let notes_on = |guid: &Guid, refs: &[Guid]| -> Vec<Guid> {
        let mut v: Vec<Guid> = refs.to_vec();
        v.extend(linked.get(guid).cloned().unwrap_or_default());
        v
    };
    let mut used_notes: HashSet<Guid> = HashSet::new();

    // Variables: the ones the model has fields for, and the rest as attributes.
    let variables: HashMap<&Guid, &crate::project::Variable> =
        project.variables.iter().map(|v| (&v.guid, v)).collect();
    // A source's values become its attributes. One that refers to no variable, or that its
    // variable's type does not allow, stops the import naming the source and the variable,
    // to be put right in the tool: keeping the attribute as text instead would quietly change
    // what `--where` compares. (A case's value of the wrong type is kept as text, below, as
    // it was before sources held attributes.)
    for s in &project.sources {
        for (var, value) in &s.values {
            let refuse = |problem: String| RefiError::SourceValue {
                source_guid: s.guid.to_string(),
                source_name: s.name.clone(),
                problem,
            };
            let Some(v) = variables.get(var) else {
                return Err(refuse(format!(
                    "a <VariableValue> refers to variable {var}, which the file does not define"
                )));
            };
            if !v.kind.accepts(value) {
                return Err(refuse(format!(
                    "variable `{}` is declared {}, and its value `{}` is not one; correct the value (or make the variable Text) in the tool and export again",
                    samskap_core::shorten(&v.name),
                    v.kind.as_str(),
                    samskap_core::shorten(value)
                )));
            }
        }
    }
    // A case's variable with a value its type does not allow (`1,5` as Float, `True` as
    // Boolean, an empty Integer) is kept as Text, so that what goes out again is valid.
    let mut as_text: HashSet<&Guid> = HashSet::new();
    for (var, value) in project.cases.iter().flat_map(|c| &c.values) {
        let Some(v) = variables.get(var) else {
            continue;
        };
        if !v.kind.accepts(value) && as_text.insert(var) {
            notes.push(format!(
                "variable `{}` is declared {}, but has the value `{value}`, which is not one; its values are kept as Text",
                v.name,
                v.kind.as_str()
            ));
        }
    }
    let mut attributes: Vec<Attribute> = Vec::new();
    let facts_for = |informant: &InformantId,
                     values: &[(Guid, String)],
                     attributes: &mut Vec<Attribute>,
                     notes: &mut Vec<String>|
     -> Result<Facts, RefiError> {
        let mut f = Facts::default();
        let mut seen: HashSet<&str> = HashSet::new();
        for (var, value) in values {
            // References were checked on reading; a `Project` built by hand may still hold
            // one that points nowhere.
            let Some(v) = variables.get(var) else {
                return Err(RefiError::DanglingRef {
                    file: "project.qde".into(),
                    element: format!("VariableValue of `{informant}`"),
                    what: "variable",
                    guid: var.to_string(),
                });
            };
            let lower = value.trim().to_lowercase();
            // `Some(understood)` for the model's fields; the first value given counts.
            let known = match v.name.trim().to_lowercase().as_str() {
                "role" => Some(match lower.parse() {
                    Ok(r) => {
                        f.role.get_or_insert(r);
                        true
                    }
                    Err(_) => false,
                }),
                "workplace" => {
                    f.workplace.get_or_insert_with(|| value.clone());
                    Some(true)
                }
                // The group the informant was in, as samskap writes it: kept only when the
                // study keeps that group (an import that replaces the study).
                "group" => match value.trim().parse::<GroupId>() {
                    Ok(g) if kept_groups.contains(&g) => {
                        f.group.get_or_insert(g);
                        Some(true)
                    }
                    _ => None,
                },
                "position" => {
                    f.position.get_or_insert_with(|| value.clone());
                    Some(true)
                }
                "interview_date" => Some(match value.get(..10).and_then(|d| d.parse().ok()) {
                    Some(d) => {
                        f.interview_date.get_or_insert(d);
                        true
                    }
                    None => false,
                }),
                "consent" => Some(
                    match ["given", "pending", "withdrawn"]
                        .into_iter()
                        .find(|c| *c == lower)
                    {
                        Some(c) => {
                            f.consent.get_or_insert(c);
                            true
                        }
                        None => false,
                    },
                ),
                _ => None,
            };
            if known == Some(false) {
                notes.push(format!(
                    "{informant}: variable `{}` has the value `{value}`, which samskap does not understand; it is kept as an attribute",
                    v.name
                ));
            }
            // A variable given twice on a case counts once: the first. `values` are all this
            // informant's, so the names seen here are enough.
            if known != Some(true) && seen.insert(v.name.as_str()) {
                attributes.push(Attribute {
                    informant: informant.clone(),
                    variable: v.name.clone(),
                    kind: if as_text.contains(var) {
                        VariableType::Text
                    } else {
                        v.kind
                    }
                    .as_str()
                    .to_owned(),
                    value: value.clone(),
                });
            }
        }
        Ok(f)
    };

    // Cases and sources to informants.
    let sources: HashMap<&Guid, usize> = project
        .sources
        .iter()
        .enumerate()
        .map(|(i, s)| (&s.guid, i))
        .collect();
    let mut informant_slugs = Slugs::default();
    // (informant, case guid, source index, values)
    type Person = (
        InformantId,
        Option<Guid>,
        Option<usize>,
        Vec<(Guid, String)>,
    );
    let mut people: Vec<Person> = Vec::new();
    let mut claimed: HashSet<usize> = HashSet::new();
    for c in &project.cases {
        let id: InformantId = take_id(
            &mut informant_slugs,
            c.name.as_deref().unwrap_or("case").trim(),
            "case",
        )
        .parse()
        .expect("slugs are ids");
        let mut text_sources = c.sources.iter().filter_map(|g| sources.get(g).copied());
        let own = text_sources.by_ref().find(|i| !claimed.contains(i));
        if let Some(i) = own {
            claimed.insert(i);
        }
        let more = text_sources.filter(|i| !claimed.contains(i)).count();
        if more > 0 {
            notes.push(format!(
                "case `{id}` has {} text sources; samskap keeps one transcript per informant, so the others become informants of their own",
                more + 1
            ));
        }
        people.push((id, Some(c.guid.clone()), own, c.values.clone()));
    }
    for (i, s) in project.sources.iter().enumerate() {
        if claimed.contains(&i) {
            continue;
        }
        let stem = s
            .name
            .rsplit_once('.')
            .filter(|(_, ext)| ext.len() <= 4 && !ext.is_empty())
            .map_or(s.name.as_str(), |(stem, _)| stem);
        let id: InformantId = take_id(&mut informant_slugs, stem.trim(), "source")
            .parse()
            .expect("slugs are ids");
        people.push((id, None, Some(i), Vec::new()));
    }

    let mut counts = QualifierCounts::default();
    // Codings that cannot land, by tool path: on no code, or without a required value.
    let mut unmapped: BTreeMap<String, usize> = BTreeMap::new();
    let mut missing: BTreeMap<QualifierId, BTreeMap<String, usize>> = BTreeMap::new();
    let mut name_not_declared = 0;
    // The names the cases use, which a variable of sources does not take: a variable the
    // cases use too is two attributes in samskap, one of people and one of sources (core
    // keeps them apart), and the sources' goes by `name (source)`.
    let case_names: Vec<&str> = project
        .cases
        .iter()
        .flat_map(|c| &c.values)
        .filter_map(|(var, _)| variables.get(var))
        .map(|v| v.name.as_str())
        .collect();
    let source_name = |v: &crate::project::Variable| {
        crate::export::source_variable_name(&v.name, |n| {
            case_names.iter().any(|c| crate::export::same_name(c, n))
        })
    };
    // Every person's facts first: the variables that the model has no field for become
    // custom attributes of informants, and the values on their sources attributes of
    // sources, declared before anything holds a value.
    let mut facts_of = Vec::with_capacity(people.len());
    let mut on_sources: Vec<Held<InformantId>> = Vec::new();
    // The GUID of the first variable of each name of a source attribute.
    let mut source_variable: HashMap<String, &Guid> = HashMap::new();
    // The names of sources' attributes that are not their variables', and the variables'.
    let mut renamed: HashMap<String, &str> = HashMap::new();
    for (id, _, source, case_values) in &people {
        let before = attributes.len();
        let facts = facts_for(id, case_values, &mut attributes, &mut notes)?;
        if facts.consent == Some("withdrawn") {
            // A withdrawn informant keeps only the id: no attributes either (those just
            // added are all of them; informant ids are unique), and no source.
            attributes.truncate(before);
        } else if let Some(i) = source {
            let mut seen: HashSet<String> = HashSet::new();
            for (var, value) in &project.sources[*i].values {
                let v = variables[var];
                let name = source_name(v);
                if name != v.name {
                    renamed.entry(name.clone()).or_insert(v.name.as_str());
                }
                source_variable.entry(name.clone()).or_insert(&v.guid);
                // A variable given twice on a source counts once: the first.
                if seen.insert(name.clone()) {
                    on_sources.push(Held {
                        who: id.clone(),
                        name,
                        kind: v.kind.as_str().to_owned(),
                        value: value.clone(),
                    });
                }
            }
        }
        facts_of.push(facts);
    }
    let on_informants: Vec<Held<InformantId>> = attributes
        .iter()
        .map(|a| Held {
            who: a.informant.clone(),
            name: a.variable.clone(),
            kind: a.kind.clone(),
            value: a.value.clone(),
        })
        .collect();
    // One pool of ids for both, so that they differ.
    let mut attribute_slugs = Slugs::default();
    let (mut values_of, _) = declare_attributes(
        &mut study,
        samskap_core::AttributeHolder::Informant,
        &on_informants,
        &mut attribute_slugs,
        &mut notes,
    )?;
    let (mut source_values_of, source_attributes) = declare_attributes(
        &mut study,
        samskap_core::AttributeHolder::Source,
        &on_sources,
        &mut attribute_slugs,
        &mut notes,
    )?;
    for (name, id) in &source_attributes {
        if let Some(variable) = renamed.get(name) {
            notes.push(format!(
                "variable `{variable}` has values on sources, and its name is a case variable's (or one samskap keeps for cases): the sources' values are attribute `{id}` (`{name}`), since an attribute describes people or sources, not both"
            ));
        }
    }
    for ((id, case, source, _), facts) in people.iter().zip(facts_of) {
        let withdrawn = facts.consent == Some("withdrawn");
        let details = (!withdrawn).then(|| InformantDetails {
            attributes: values_of.remove(id).unwrap_or_default(),
            role: facts.role.unwrap_or(Role::Participant),
            group: facts.group,
            workplace: facts.workplace,
            position: facts.position,
            interview_date: facts.interview_date,
            consent: if facts.consent == Some("given") {
                ActiveConsent::Given
            } else {
                ActiveConsent::Pending
            },
        });
        study
            .add_informant(Informant {
                id: id.clone(),
                details,
            })
            .map_err(RefiError::model(format!("informant `{id}`")))?;
        if let Some(case) = case {
            guids.keep(Kind::Case, id.as_str(), case);
        }
        let Some(i) = source else { continue };
        let src = &project.sources[*i];
        if withdrawn {
            skipped.add("transcript of an informant whose consent is withdrawn", 1);
            let n: usize = src.selections.iter().map(|s| s.codings.len()).sum();
            skipped.add("coding in the transcript of a withdrawn informant", n);
            continue;
        }
        guids.keep(Kind::Source, id.as_str(), &src.guid);
        let raw = src.text.strip_prefix('\u{feff}').unwrap_or(&src.text);
        // A REFI source tied to a case is that informant's interview.
        let mut interview = samskap_core::Source::interview(id);
        interview.attributes = source_values_of.remove(id).unwrap_or_default();
        let sid = interview.id.clone();
        let transcript = Transcript::new(sid.clone(), raw);
        let pmap = PositionMap::new(raw, counting);
        let outside =
            |sel: &crate::project::Selection, problem: String| RefiError::SelectionOutside {
                selection: sel.guid.to_string(),
                source_name: src.name.clone(),
                problem,
            };
        let mut bounds = Vec::new();
        for sel in &src.selections {
            if sel.start >= sel.end {
                return Err(outside(
                    sel,
                    format!(
                        "startPosition {} is not before endPosition {}",
                        sel.start, sel.end
                    ),
                ));
            }
            if sel.end > pmap.len() {
                return Err(outside(
                    sel,
                    format!(
                        "endPosition {} lies past the end of the text ({} positions counted as {}); the source file may not match project.qde",
                        sel.end,
                        pmap.len(),
                        counting.as_str()
                    ),
                ));
            }
            bounds.push(sel.start);
            bounds.push(sel.end);
        }
        let chars = pmap.to_chars(&bounds).map_err(|(at, problem)| {
            let culprit = src
                .selections
                .iter()
                .find(|sel| Some(sel.start) == at || Some(sel.end) == at);
            RefiError::SelectionOutside {
                selection: culprit.map_or_else(
                    || "(one of this source's)".to_owned(),
                    |sel| sel.guid.to_string(),
                ),
                source_name: src.name.clone(),
                problem,
            }
        })?;
        study
            .add_source(interview, transcript)
            .map_err(RefiError::model(format!("transcript of `{id}`")))?;
        for (k, sel) in src.selections.iter().enumerate() {
            let (a, b) = (chars[2 * k], chars[2 * k + 1]);
            if sel.codings.is_empty() {
                skipped.add("selection without a coding", 1);
                continue;
            }
            let span = study
                .transcript(&sid)
                .expect("added above")
                .span(a, b)
                .map_err(|e| outside(sel, e.to_string()))?;
            let unit = study
                .unit(&sid, span)
                .map_err(|e| outside(sel, e.to_string()))?;
            let ukey = unit_key(&sid, a, b);
            if !guids.keep(Kind::Selection, &ukey, &sel.guid) {
                skipped.add(
                    "selection with the same range as another (merged into one meaning unit)",
                    1,
                );
            }
            let sel_notes = notes_on(&sel.guid, &sel.note_refs);
            for c in &sel.codings {
                let Some(resolved) = map.codes.get(&c.code) else {
                    return Err(RefiError::DanglingRef {
                        file: "project.qde".into(),
                        element: format!("Coding guid=\"{}\"", c.guid),
                        what: "code in the codebook",
                        guid: c.code.to_string(),
                    });
                };
                let Some(code) = resolved.code.clone() else {
                    *unmapped.entry(resolved.path.clone()).or_default() += 1;
                    continue;
                };
                let q = qualify(&map.framework, &code, resolved, &defaults);
                if !q.missing.is_empty() {
                    for m in q.missing {
                        *missing
                            .entry(m)
                            .or_default()
                            .entry(resolved.path.clone())
                            .or_default() += 1;
                    }
                    continue;
                }
                counts.from_mapping += usize::from(q.from_rule);
                counts.from_code_names += usize::from(q.from_name);
                counts.from_default += usize::from(q.from_default);
                counts.unqualified += usize::from(q.values.is_empty());
                name_not_declared += usize::from(q.name_not_declared);
                let qualifiers = q.values;
                let coder = coder_of(c.creating_user.as_ref().or(sel.creating_user.as_ref()));
                let coding_notes: Vec<Guid> = sel_notes
                    .iter()
                    .cloned()
                    .chain(notes_on(&c.guid, &c.note_refs))
                    .collect();
                let mut memo_parts: Vec<String> = Vec::new();
                if let Some(d) = &sel.description {
                    memo_parts.push(d.trim().to_owned());
                }
                for n in &coding_notes {
                    used_notes.insert(n.clone());
                    // A note whose text could not be read was skipped (and counted) on reading.
                    let Some(note) = note_by_guid.get(n) else {
                        skipped.add(UNREAD_NOTE, 1);
                        continue;
                    };
                    let t = note.text.trim();
                    if !t.is_empty() {
                        memo_parts.push(t.to_owned());
                    }
                }
                let memo = (!memo_parts.is_empty()).then(|| memo_parts.join("\n\n"));
                match study.add_coding(Coding {
                    unit,
                    code: code.clone(),
                    qualifiers: qualifiers.clone(),
                    coder: coder.clone(),
                    memo,
                    exemplar: false,
                }) {
                    Ok(()) => {}
                    Err(samskap_core::ModelError::DuplicateCoding { .. }) => {
                        skipped.add(
                            "coding repeated (same text, code, qualifier values and coder; kept once)",
                            1,
                        );
                        continue;
                    }
                    Err(e) => return Err(outside(sel, e.to_string())),
                }
                used_coders.insert(coder.clone());
                let ckey = coding_key(&ukey, &code, &qualifiers, &coder);
                guids.keep(Kind::Coding, &ckey, &c.guid);
                if let Some(first) = coding_notes.first() {
                    guids.keep(Kind::CodingNote, &ckey, first);
                }
            }
        }
    }

    if !unmapped.is_empty() {
        return Err(RefiError::Unmapped {
            framework: map.framework.id().to_string(),
            count: unmapped.values().sum(),
            by_code: codes::by_path(&unmapped),
        });
    }
    if let Some((qualifier, by_path)) = missing.into_iter().next() {
        let values = map
            .framework
            .qualifier(&qualifier)
            .map(codes::values_of)
            .unwrap_or_default();
        return Err(RefiError::QualifierMissing {
            framework: map.framework.id().to_string(),
            qualifier: qualifier.to_string(),
            values,
            count: by_path.values().sum(),
            by_code: codes::by_path(&by_path),
        });
    }

    // Notes on codes become memos on their code; the rest memos on the study.
    let mut memo_counts: HashMap<String, usize> = HashMap::new();
    let mut add_memo = |study: &mut Study,
                        guids: &mut GuidTable,
                        used_coders: &mut HashSet<CoderId>,
                        code: Option<CodeId>,
                        note: &crate::project::Note|
     -> Result<(), RefiError> {
        let memo = Memo {
            code,
            author: coder_of(note.creating_user.as_ref()),
            text: note.text.clone(),
        };
        let base = memo_key(&memo, 0);
        let nth = memo_counts.entry(base).or_default();
        let key = memo_key(&memo, *nth);
        *nth += 1;
        guids.keep(Kind::Note, &key, &note.guid);
        used_coders.insert(memo.author.clone());
        study
            .add_memo(memo)
            .map_err(RefiError::model(format!("note {}", note.guid)))
    };
    let mut code_notes: Vec<(Guid, Option<CodeId>)> = Vec::new();
    let mut stack: Vec<&crate::project::Code> = project.codes.iter().rev().collect();
    while let Some(c) = stack.pop() {
        stack.extend(c.children.iter().rev());
        let code = map.codes.get(&c.guid).and_then(|r| r.code.clone());
        for n in notes_on(&c.guid, &c.note_refs) {
            code_notes.push((n, code.clone()));
        }
    }
    // In the framework's order (the order they go out in), so that a study exported and
    // imported again has its memos in the same order; notes on no code last.
    code_notes.sort_by_key(|(_, code)| {
        code.as_ref()
            .and_then(|c| map.framework.code_rank(c))
            .unwrap_or(usize::MAX)
    });
    let mut on_study = 0;
    for (n, code) in code_notes {
        if !used_notes.insert(n.clone()) {
            continue;
        }
        let Some(note) = note_by_guid.get(&n) else {
            skipped.add(UNREAD_NOTE, 1);
            continue;
        };
        if code.is_none() {
            on_study += 1;
        }
        add_memo(&mut study, &mut guids, &mut used_coders, code, note)?;
    }
    let mut elsewhere = 0;
    let on_project: HashSet<&Guid> = project.note_refs.iter().collect();
    for n in &project.notes {
        if used_notes.insert(n.guid.clone()) {
            if !on_project.contains(&n.guid) {
                elsewhere += 1;
            }
            if n.text.trim().is_empty() {
                skipped.add("empty note", 1);
                continue;
            }
            add_memo(&mut study, &mut guids, &mut used_coders, None, n)?;
        }
    }
    if on_study > 0 {
        notes.push(format!(
            "{on_study} notes on codes that are not samskap codes (codes that only group others by polarity, or that the mapping does not cover) became memos on the study"
        ));
    }
    if elsewhere > 0 {
        notes.push(format!(
            "{elsewhere} notes on sources, cases, skipped codings or nothing in particular became memos on the study"
        ));
    }

    // Users' GUIDs, for the coders that are used.
    for u in &project.users {
        let c = &coders[&u.guid];
        if used_coders.contains(c) {
            guids.keep(Kind::User, c.as_str(), &u.guid);
        }
    }
    // Variables' GUIDs: those the cases use under their names first, so that a variable the
    // sources use too keeps its GUID for the cases; then those of sources under the names
    // their attributes go out under; then the rest under theirs.
    let on_cases: HashSet<&Guid> = project
        .cases
        .iter()
        .flat_map(|c| &c.values)
        .map(|(g, _)| g)
        .collect();
    let on_any_source: HashSet<&Guid> = project
        .sources
        .iter()
        .flat_map(|s| &s.values)
        .map(|(g, _)| g)
        .collect();
    let mut seen_vars: HashSet<&str> = HashSet::new();
    for v in project
        .variables
        .iter()
        .filter(|v| on_cases.contains(&v.guid))
    {
        if seen_vars.insert(v.name.as_str()) {
            guids.keep(Kind::Variable, &v.name, &v.guid);
        }
    }
    let mut not_written = Skipped::default();
    let (case_variables, _) = crate::export::case_variables(&study, &[], &mut not_written);
    for v in crate::export::source_variables(&study, &case_variables, &mut not_written) {
        let guid = source_attributes
            .iter()
            .find(|(_, id)| *id == v.attribute.id)
            .and_then(|(name, _)| source_variable.get(name));
        if let Some(g) = guid {
            guids.keep(Kind::Variable, &v.name, g);
        }
    }
    let unused = project
        .variables
        .iter()
        .filter(|v| !on_cases.contains(&v.guid) && !on_any_source.contains(&v.guid));
    for v in unused {
        if seen_vars.insert(v.name.as_str()) {
            guids.keep(Kind::Variable, &v.name, &v.guid);
        }
    }
    if counts.from_code_names > 0 {
        notes.push(format!(
            "{} codings took their polarity from a code named for it (barrier/opportunity, barriere/mulighet), by the convention in docs/refi-qda.md",
            counts.from_code_names
        ));
    }
    if counts.from_default > 0 {
        notes.push(format!(
            "{} codings took a default value ({defaults}) for a qualifier nothing else gave a value",
            counts.from_default
        ));
    }
    if counts.unqualified > 0 && !map.framework.qualifiers().is_empty() {
        notes.push(format!(
            "{} codings carry no qualifier value (no mapping rule or code name gives one); they are kept as they are",
            counts.unqualified
        ));
    }
    if name_not_declared > 0 {
        notes.push(format!(
            "{name_not_declared} codings lie under a code named for a polarity, but framework `{}` declares no polarity for their code, so the name gives them none",
            map.framework.id()
        ));
    }
    if framework_from == "codebook" {
        notes.push(format!(
            "the code tree became framework `{}` by the convention in docs/refi-qda.md (give --mapping to land on an existing framework)",
            map.framework.id()
        ));
    }
    if study
        .informants()
        .iter()
        .any(|i| i.consent() == samskap_core::Consent::Pending)
    {
        notes.push(
            "informants without a `consent` variable are imported with consent pending: their words are never reported until consent is recorded"
                .into(),
        );
    }
    Ok(Imported {
        study,
        guids,
        report: ImportReport {
            origin: project.origin.clone(),
            counting,
            framework: map.framework.id().to_string(),
            framework_from,
            codes: map.framework.codes().len(),
            qualifiers: counts,
            skipped,
            notes,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::project::{Case, Code, CodingRef, Link, Note, Selection, TextSource, Variable};

    fn g(n: u32) -> Guid {
        Guid::parse(&format!("00000000-0000-4000-8000-{n:012}")).unwrap()
    }

    fn source(n: u32, text: &str, coded: Option<u32>) -> TextSource {
        TextSource {
            guid: g(n),
            name: format!("S{n}.txt"),
            text: text.into(),
            values: vec![],
            selections: coded
                .map(|code| Selection {
                    guid: g(n + 1),
                    start: 0,
                    end: 3,
                    description: None,
                    creating_user: None,
                    codings: vec![CodingRef {
                        guid: g(n + 2),
                        code: g(code),
                        creating_user: None,
                        note_refs: vec![],
                    }],
                    note_refs: vec![],
                })
                .into_iter()
                .collect(),
            note_refs: vec![],
        }
    }

    fn project() -> Project {
        Project {
            name: "P".into(),
            codes: vec![Code {
                guid: g(1),
                name: "Tid".into(),
                is_codable: true,
                description: None,
                color: None,
                note_refs: vec![],
                children: vec![Code {
                    guid: g(2),
                    name: "barrier".into(),
                    is_codable: true,
                    description: None,
                    color: None,
                    note_refs: vec![],
                    children: vec![],
                }],
            }],
            variables: vec![
                Variable {
                    guid: g(3),
                    name: "Consent".into(),
                    kind: VariableType::Text,
                },
                Variable {
                    guid: g(4),
                    name: "alder".into(),
                    kind: VariableType::Integer,
                },
            ],
            ..Project::default()
        }
    }

    fn opts() -> ImportOptions {
        ImportOptions {
            study_id: "s".parse().unwrap(),
            counting: None,
            mapping: None,
            default_qualifiers: Qualifiers::none(),
            default_coder: "refi".parse().unwrap(),
            keep: Default::default(),
        }
    }

    #[test]
    fn a_withdrawn_case_keeps_only_its_id() {
        let mut p = project();
        p.sources = vec![source(100, "Hei du", Some(2))];
        p.cases = vec![Case {
            guid: g(10),
            name: Some("I9".into()),
            values: vec![(g(3), "Withdrawn".into()), (g(4), "40".into())],
            sources: vec![g(100)],
        }];
        let out = import_project(&p, &opts()).unwrap();
        let i9 = out.study.informant(&"I9".parse().unwrap()).unwrap();
        assert!(i9.details.is_none());
        assert!(out.study.transcripts().is_empty());
        assert!(out.study.codings().is_empty());
        // Their values went with them: no attribute is declared for them.
        assert!(out.study.attributes().is_empty());
        assert_eq!(
            out.report.skipped.0["coding in the transcript of a withdrawn informant"],
            1
        );
    }

    #[test]
    fn a_case_with_two_sources_gives_the_second_its_own_informant() {
        let mut p = project();
        p.sources = vec![
            source(100, "Hei du", Some(2)),
            source(200, "Tid nok", Some(2)),
        ];
        p.cases = vec![Case {
            guid: g(10),
            name: Some("Kari Ås".into()),
            values: vec![(g(3), "given".into()), (g(4), "40".into())],
            sources: vec![g(100), g(200)],
        }];
        let out = import_project(&p, &opts()).unwrap();
        let ids: Vec<&str> = out
            .study
            .informants()
            .iter()
            .map(|i| i.id.as_str())
            .collect();
        assert_eq!(ids, ["kari-as", "S200"]);
        assert_eq!(out.study.codings().len(), 2);
        assert_eq!(out.study.attributes().len(), 1);
        assert!(out
            .report
            .notes
            .iter()
            .any(|n| n.contains("2 text sources")));
        assert_eq!(out.guids.get(Kind::Case, "kari-as"), g(10));
    }

    /// Values on a source are the source's: a variable the case uses too becomes two
    /// attributes, since core keeps attributes of people apart from those of sources.
    #[test]
    fn a_variable_on_a_case_and_on_its_source_is_two_attributes() {
        let mut p = project();
        p.variables.push(Variable {
            guid: g(5),
            name: "fase".into(),
            kind: VariableType::Text,
        });
        let mut src = source(100, "Hei du", None);
        src.values = vec![
            (g(4), "41".into()),
            (g(3), "pending".into()),
            (g(5), "pilot".into()),
            (g(5), "hoved".into()),
        ];
        p.sources = vec![src];
        p.cases = vec![Case {
            guid: g(10),
            name: Some("I1".into()),
            values: vec![(g(4), "40".into()), (g(3), "Given".into())],
            sources: vec![g(100)],
        }];
        let out = import_project(&p, &opts()).unwrap();
        use samskap_core::{AttributeHolder as H, AttributeType as T};
        let declared: Vec<(&str, Option<&str>, T, &[H])> = out
            .study
            .attributes()
            .iter()
            .map(|a| {
                (
                    a.id.as_str(),
                    a.label.as_deref(),
                    a.kind.clone(),
                    a.holders.as_slice(),
                )
            })
            .collect();
        // `Consent` on the source is not the informant's consent: the name is the cases'.
        assert_eq!(
            declared,
            [
                ("alder", Some("alder"), T::Number, &[H::Informant][..]),
                (
                    "alder-source",
                    Some("alder (source)"),
                    T::Number,
                    &[H::Source]
                ),
                (
                    "consent-source",
                    Some("Consent (source)"),
                    T::Text,
                    &[H::Source]
                ),
                ("fase", Some("fase"), T::Text, &[H::Source]),
            ]
        );
        let i1 = out.study.informant(&"I1".parse().unwrap()).unwrap();
        assert_eq!(i1.consent(), samskap_core::Consent::Given);
        let d = i1.details.as_ref().unwrap();
        assert_eq!(d.attributes.len(), 1);
        assert_eq!(
            d.attributes.get(&"alder".parse().unwrap()),
            Some(&T::Number.parse("40").unwrap())
        );
        let (s, _) = out.study.source(&"I1".parse().unwrap()).unwrap();
        let value = |a: &str| {
            s.attributes
                .get(&a.parse().unwrap())
                .map(ToString::to_string)
        };
        assert_eq!(value("alder-source").as_deref(), Some("41"));
        assert_eq!(value("consent-source").as_deref(), Some("pending"));
        // A variable given twice on one source counts once: the first.
        assert_eq!(value("fase").as_deref(), Some("pilot"));
        let said: Vec<&String> = out
            .report
            .notes
            .iter()
            .filter(|n| n.contains("the sources' values are attribute"))
            .collect();
        assert_eq!(said.len(), 2, "{:?}", out.report.notes);
        assert!(
            said[0].starts_with("variable `alder` has values on sources"),
            "{said:?}"
        );
        assert!(
            said[1].contains("attribute `consent-source` (`Consent (source)`)"),
            "{said:?}"
        );
        // The variable both use keeps its GUID for the cases; the sources' own goes by the
        // name its attribute goes out under.
        assert_eq!(out.guids.get(Kind::Variable, "alder"), g(4));
        assert_ne!(out.guids.get(Kind::Variable, "alder (source)"), g(4));
        assert_eq!(out.guids.get(Kind::Variable, "fase"), g(5));
    }

    #[test]
    fn a_value_on_a_source_that_does_not_stand_stops_the_import_naming_both() {
        let mut p = project();
        let mut src = source(100, "Hei du", None);
        src.values = vec![(g(4), "41,5".into())];
        p.sources = vec![src.clone()];
        let e = import_project(&p, &opts()).unwrap_err();
        assert!(matches!(e, RefiError::SourceValue { .. }), "{e}");
        assert_eq!(
            e.to_string(),
            format!("text source `S100.txt` (<TextSource guid=\"{}\">): variable `alder` is declared Integer, and its value `41,5` is not one; correct the value (or make the variable Text) in the tool and export again", g(100))
        );
        // Even on a source that would not be kept (its informant withdrew): the file is wrong.
        p.cases = vec![Case {
            guid: g(10),
            name: Some("I1".into()),
            values: vec![(g(3), "withdrawn".into())],
            sources: vec![g(100)],
        }];
        assert!(matches!(
            import_project(&p, &opts()),
            Err(RefiError::SourceValue { .. })
        ));
        // A value of a variable the project lacks (a `Project` made by hand; reading a file
        // refuses it before).
        src.values = vec![(g(99), "x".into())];
        p.sources = vec![src];
        p.cases.clear();
        let e = import_project(&p, &opts()).unwrap_err().to_string();
        assert!(e.contains("`S100.txt`"), "{e}");
        assert!(e.contains(&format!("refers to variable {}", g(99))), "{e}");
    }

    #[test]
    fn a_withdrawn_informants_source_brings_no_attributes() {
        let mut p = project();
        let mut src = source(100, "Hei du", None);
        src.values = vec![(g(4), "41".into())];
        p.sources = vec![src];
        p.cases = vec![Case {
            guid: g(10),
            name: Some("I1".into()),
            values: vec![(g(3), "withdrawn".into())],
            sources: vec![g(100)],
        }];
        let out = import_project(&p, &opts()).unwrap();
        assert!(out.study.sources().is_empty());
        assert!(out.study.attributes().is_empty());
    }

    #[test]
    fn links_to_notes_are_read_as_notes_either_way() {
        let mut p = project();
        p.sources = vec![source(100, "Hei du", Some(2))];
        p.notes = vec![
            Note {
                guid: g(50),
                name: None,
                text: "om koden".into(),
                creating_user: None,
            },
            Note {
                guid: g(51),
                name: None,
                text: "om utvalget".into(),
                creating_user: None,
            },
        ];
        p.links = vec![
            Link {
                guid: g(60),
                origin: Some(g(1)),
                target: Some(g(50)),
            },
            Link {
                guid: g(61),
                origin: Some(g(51)),
                target: Some(g(101)),
            },
        ];
        let out = import_project(&p, &opts()).unwrap();
        let memo = &out.study.memos()[0];
        assert_eq!(memo.code.as_ref().unwrap().to_string(), "tid");
        assert_eq!(memo.text, "om koden");
        assert_eq!(out.study.codings()[0].memo.as_deref(), Some("om utvalget"));
        assert_eq!(out.study.memos().len(), 1);
    }

    #[test]
    fn notes_that_were_not_read_are_counted_not_looked_up() {
        // Reading drops a note whose text is outside the archive or rich text only; the
        // references to it stay.
        let mut p = project();
        let mut src = source(100, "Hei du", Some(2));
        src.selections[0].note_refs = vec![g(50)];
        src.selections[0].codings[0].note_refs = vec![g(51)];
        p.sources = vec![src];
        p.codes[0].children[0].note_refs = vec![g(52)];
        p.codes[0].note_refs = vec![g(53)];
        p.note_refs = vec![g(53)];
        let out = import_project(&p, &opts()).unwrap();
        assert_eq!(out.study.codings().len(), 1);
        assert_eq!(out.study.codings()[0].memo, None);
        assert!(out.study.memos().is_empty());
        assert_eq!(out.report.skipped.0[UNREAD_NOTE], 4);
    }

    #[test]
    fn a_value_of_a_variable_the_project_lacks_is_an_error() {
        let mut p = project();
        p.sources = vec![source(100, "Hei du", None)];
        p.cases = vec![Case {
            guid: g(10),
            name: Some("I1".into()),
            values: vec![(g(99), "40".into())],
            sources: vec![g(100)],
        }];
        let e = import_project(&p, &opts()).unwrap_err();
        assert!(
            matches!(
                e,
                RefiError::DanglingRef {
                    what: "variable",
                    ..
                }
            ),
            "{e}"
        );
        assert!(e.to_string().contains(&g(99).to_string()), "{e}");
    }

    #[test]
    fn a_value_its_type_does_not_allow_makes_the_variable_text() {
        let mut p = project();
        p.variables.push(Variable {
            guid: g(5),
            name: "ferdig".into(),
            kind: VariableType::Boolean,
        });
        p.sources = vec![source(100, "Hei du", None), source(200, "Tid nok", None)];
        p.cases = vec![
            Case {
                guid: g(10),
                name: Some("I1".into()),
                values: vec![(g(4), "40".into()), (g(5), "true".into())],
                sources: vec![g(100)],
            },
            Case {
                guid: g(11),
                name: Some("I2".into()),
                values: vec![(g(4), "40,5".into()), (g(5), "false".into())],
                sources: vec![g(200)],
            },
        ];
        let out = import_project(&p, &opts()).unwrap();
        // Declared as custom attributes of informants, in the order met, typed.
        let kinds: Vec<(&str, samskap_core::AttributeType)> = out
            .study
            .attributes()
            .iter()
            .map(|a| (a.id.as_str(), a.kind.clone()))
            .collect();
        use samskap_core::AttributeType as T;
        assert_eq!(kinds, [("alder", T::Text), ("ferdig", T::Boolean)]);
        let value = |i: &str, a: &str| {
            out.study
                .informant(&i.parse().unwrap())
                .unwrap()
                .details
                .as_ref()
                .unwrap()
                .attributes
                .get(&a.parse().unwrap())
                .map(ToString::to_string)
        };
        assert_eq!(value("I2", "alder").as_deref(), Some("40,5"));
        assert_eq!(value("I1", "ferdig").as_deref(), Some("true"));
        let said: Vec<&String> = out
            .report
            .notes
            .iter()
            .filter(|n| n.contains("kept as Text"))
            .collect();
        assert_eq!(said.len(), 1, "{said:?}");
        assert!(said[0].contains("`alder` is declared Integer") && said[0].contains("`40,5`"));
    }
}
