//! Frameworks (codebooks): a tree of codes of any depth, each with labels in any number of
//! languages, a definition, a colour and a memo, and the qualifiers the framework declares
//! (named dimensions with a closed set of values, such as Bentzen's polarity: barrier or
//! opportunity). Frameworks are data: the built-in Bentzen (2018) framework is parsed from
//! the same TOML format that any other study's framework file uses.
//!
//! The file format is in `docs/frameworks.md`. The first format of samskap (two levels,
//! `[[category]]` and `[[category.subtheme]]` with `label_no`/`label_en`) is still read: it
//! is a tree of depth two whose every code takes the polarity qualifier, which is what such
//! frameworks meant.

use std::collections::BTreeMap;

use foldhash::{HashMap, HashSet};
use serde::{Deserialize, Serialize};

use crate::ids::{CodeId, FrameworkId, QualifierId, ValueId};

/// The TOML text of the built-in frameworks, by id.
const BUILTIN: &[(&str, &str)] = &[(
    "bentzen-2018",
    include_str!("../frameworks/bentzen-2018.toml"),
)];

/// Labels by language tag (`nb`, `nn`, `en`, `se`, ...).
pub type Labels = BTreeMap<String, String>;

/// Why a framework was refused.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum FrameworkError {
    /// The TOML did not parse or did not have the expected shape.
    #[error("{message}")]
    Syntax {
        /// What is wrong, in one line.
        message: String,
        /// Byte offset in the text where it is, when known.
        offset: Option<usize>,
    },
    /// Two codes share a path.
    #[error("code `{0}` is defined twice")]
    DuplicateCode(CodeId),
    /// A code whose parent is not in the framework.
    #[error("code `{0}` has no code `{1}` above it in the framework")]
    Orphan(CodeId, String),
    /// In the first format, a category with no subthemes: it could not be coded.
    #[error("category `{0}` has no subthemes")]
    EmptyCategory(CodeId),
    /// Two qualifiers share an id.
    #[error("qualifier `{0}` is declared twice")]
    DuplicateQualifier(QualifierId),
    /// A qualifier with no values, or a value given twice.
    #[error("qualifier `{0}` needs two or more distinct values")]
    QualifierValues(QualifierId),
    /// A qualifier that names a code the framework lacks.
    #[error("qualifier `{0}` applies to code `{1}`, which the framework does not have")]
    QualifierCode(QualifierId, CodeId),
    /// A colour that is not `#rrggbb`.
    #[error(
        "code `{code}`: colour `{}` is not written #rrggbb",
        crate::shorten(colour)
    )]
    Colour {
        /// The code.
        code: CodeId,
        /// What was given.
        colour: String,
    },
    /// A language tag that is not one.
    #[error("`{}` is not a language tag (such as nb, nn, en)", crate::shorten(.0))]
    Language(String),
    /// A name that is not one of the built-in frameworks.
    #[error("no built-in framework is called `{}` (built in: {})", crate::shorten(.0), .1)]
    UnknownBuiltin(String, String),
}

/// The head of a framework.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FrameworkMeta {
    /// Stable id.
    pub id: FrameworkId,
    /// Its name, by language.
    pub label: Labels,
    /// A sentence or two on where it comes from.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
}

/// A code of the framework: a node of its tree, which codings may use whether or not it has
/// codes under it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Code {
    /// Its path from the top of the tree.
    pub id: CodeId,
    /// Its name, by language.
    pub label: Labels,
    /// What the code covers.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub definition: String,
    /// A colour for highlighting, `#rrggbb`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub colour: Option<String>,
    /// A note on the code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub memo: Option<String>,
}

/// One value a qualifier may take.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QualifierValue {
    /// Its id (`barrier`).
    pub id: ValueId,
    /// Its name, by language.
    #[serde(default)]
    pub label: Labels,
}

/// A dimension that codings of some codes carry beside the code: a closed set of values,
/// optional or required.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Qualifier {
    /// Its id (`polarity`, `level`).
    pub id: QualifierId,
    /// Its name, by language.
    pub label: Labels,
    /// The values, in display order.
    pub values: Vec<QualifierValue>,
    /// The codes it applies to, each with the codes under it; empty for every code.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub codes: Vec<CodeId>,
    /// Whether a coding of such a code must carry a value.
    pub required: bool,
}

impl Qualifier {
    /// The position of a value in display order.
    pub fn value_rank(&self, v: &ValueId) -> Option<usize> {
        self.values.iter().position(|x| &x.id == v)
    }

    /// Whether it applies to `code`.
    pub fn applies_to(&self, code: &CodeId) -> bool {
        self.codes.is_empty() || self.codes.iter().any(|c| code.is_within(c))
    }
}

/// A validated framework: every code's parent is in it and comes before it, paths are
/// unique, and qualifiers have distinct values and name only codes it has.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Framework {
    #[serde(flatten)]
    meta: FrameworkMeta,
    qualifiers: Vec<Qualifier>,
    /// In tree order: each code before the codes under it, siblings in the given order.
    codes: Vec<Code>,
    /// Each code's position in `codes`: codes are looked up once per coding, so a scan of
    /// the tree would multiply by its size.
    #[serde(skip)]
    index: HashMap<CodeId, usize>,
}

/// Labels must have language tags for keys.
fn check_labels(labels: &Labels) -> Result<(), FrameworkError> {
    for tag in labels.keys() {
        if !crate::LanguageTag::is_valid(tag) {
            return Err(FrameworkError::Language(tag.clone()));
        }
    }
    Ok(())
}

/// The label in `lang`, else in the same language without its region, else English, else
/// Norwegian bokmål, else any.
pub fn label_in<'a>(labels: &'a Labels, lang: &str) -> Option<&'a str> {
    let primary = lang.split('-').next().unwrap_or(lang);
    [lang, primary, "en", "nb"]
        .iter()
        .find_map(|l| labels.get(*l))
        .or_else(|| labels.values().next())
        .map(String::as_str)
}

impl Framework {
    /// Checks the invariants and builds the framework. `codes` may come in any order; they
    /// are kept in tree order, siblings in the order given.
    pub fn new(
        meta: FrameworkMeta,
        codes: Vec<Code>,
        qualifiers: Vec<Qualifier>,
    ) -> Result<Self, FrameworkError> {
        // A framework may have no codes yet: a study imported from a project nobody has
        // coded, whose codes come later.
        check_labels(&meta.label)?;
        // Children of each parent (None: the top), in the order given.
        let mut children: HashMap<Option<CodeId>, Vec<usize>> = HashMap::default();
        let mut seen: HashSet<&CodeId> = HashSet::default();
        for c in &codes {
            if !seen.insert(&c.id) {
                return Err(FrameworkError::DuplicateCode(c.id.clone()));
            }
        }
        for (i, c) in codes.iter().enumerate() {
            let parent = c.id.parent();
            if let Some(p) = &parent {
                if !seen.contains(p) {
                    return Err(FrameworkError::Orphan(c.id.clone(), p.to_string()));
                }
            }
            if let Some(colour) = &c.colour {
                let ok = colour.len() == 7
                    && colour.starts_with('#')
                    && colour[1..].chars().all(|h| h.is_ascii_hexdigit());
                if !ok {
                    return Err(FrameworkError::Colour {
                        code: c.id.clone(),
                        colour: colour.clone(),
                    });
                }
            }
            check_labels(&c.label)?;
            children.entry(parent).or_default().push(i);
        }
        // Tree order, without recursion: a stack of the positions still to visit.
        let mut order = Vec::with_capacity(codes.len());
        let mut stack: Vec<usize> = children
            .get(&None)
            .map(|v| v.iter().rev().copied().collect())
            .unwrap_or_default();
        while let Some(i) = stack.pop() {
            order.push(i);
            if let Some(kids) = children.get(&Some(codes[i].id.clone())) {
                stack.extend(kids.iter().rev().copied());
            }
        }
        let mut slots: Vec<Option<Code>> = codes.into_iter().map(Some).collect();
        let codes: Vec<Code> = order
            .into_iter()
            .map(|i| slots[i].take().expect("each code is visited once"))
            .collect();
        let index: HashMap<CodeId, usize> = codes
            .iter()
            .enumerate()
            .map(|(i, c)| (c.id.clone(), i))
            .collect();

        let mut qseen = HashSet::default();
        for q in &qualifiers {
            if !qseen.insert(&q.id) {
                return Err(FrameworkError::DuplicateQualifier(q.id.clone()));
            }
            check_labels(&q.label)?;
            let distinct: HashSet<&ValueId> = q.values.iter().map(|v| &v.id).collect();
            if q.values.len() < 2 || distinct.len() != q.values.len() {
                return Err(FrameworkError::QualifierValues(q.id.clone()));
            }
            for v in &q.values {
                check_labels(&v.label)?;
            }
            if let Some(c) = q.codes.iter().find(|c| !index.contains_key(*c)) {
                return Err(FrameworkError::QualifierCode(q.id.clone(), c.clone()));
            }
        }
        Ok(Self {
            meta,
            qualifiers,
            codes,
            index,
        })
    }

    /// Parses the TOML framework format (see `docs/frameworks.md`), or the first, two-level
    /// format.
    pub fn from_toml(text: &str) -> Result<Self, FrameworkError> {
        let syntax = |e: toml::de::Error| FrameworkError::Syntax {
            message: e.message().trim_end().replace('\n', "; "),
            offset: e.span().map(|s| s.start),
        };
        let probe: toml::Table = toml::from_str(text).map_err(syntax)?;
        if probe.contains_key("category") {
            let file: file::Legacy = toml::from_str(text).map_err(syntax)?;
            return file.into_framework();
        }
        let file: file::Current = toml::from_str(text).map_err(syntax)?;
        file.into_framework()
    }

    /// Writes the TOML framework format, in one canonical layout (labels as inline tables,
    /// codes nested as `[[code]]`, `[[code.code]]`, …); `from_toml` reads it back unchanged.
    pub fn to_toml(&self) -> String {
        file::write(self)
    }

    /// A built-in framework by id.
    pub fn builtin(id: &str) -> Result<Self, FrameworkError> {
        let (_, text) = BUILTIN.iter().find(|(n, _)| *n == id).ok_or_else(|| {
            FrameworkError::UnknownBuiltin(id.to_owned(), Self::builtin_ids().join(", "))
        })?;
        Ok(Self::from_toml(text).expect("built-in frameworks are valid (tested)"))
    }

    /// The ids of the built-in frameworks.
    pub fn builtin_ids() -> Vec<&'static str> {
        BUILTIN.iter().map(|(n, _)| *n).collect()
    }

    /// True when this is one of the built-in frameworks.
    pub fn is_builtin(&self) -> bool {
        Self::builtin_ids().contains(&self.meta.id.as_str())
    }

    /// The head.
    pub fn meta(&self) -> &FrameworkMeta {
        &self.meta
    }

    /// The id.
    pub fn id(&self) -> &FrameworkId {
        &self.meta.id
    }

    /// Its name in `lang` (see [`label_in`]), or its id.
    pub fn label(&self, lang: &str) -> &str {
        label_in(&self.meta.label, lang).unwrap_or(self.meta.id.as_str())
    }

    /// Every code in tree order (each before the codes under it).
    pub fn codes(&self) -> &[Code] {
        &self.codes
    }

    /// The codes at the top of the tree, in order.
    pub fn roots(&self) -> impl Iterator<Item = &Code> + '_ {
        self.codes.iter().filter(|c| c.id.depth() == 1)
    }

    /// The codes right under `code`, in order.
    pub fn children<'a>(&'a self, code: &'a CodeId) -> impl Iterator<Item = &'a Code> + 'a {
        let start = self.index.get(code).map_or(self.codes.len(), |&i| i + 1);
        self.codes[start..]
            .iter()
            .take_while(move |c| c.id.is_within(code))
            .filter(move |c| c.id.depth() == code.depth() + 1)
    }

    /// A code by path.
    pub fn code(&self, id: &CodeId) -> Option<&Code> {
        self.index.get(id).map(|&i| &self.codes[i])
    }

    /// True when `code` is a code of this framework.
    pub fn contains(&self, code: &CodeId) -> bool {
        self.index.contains_key(code)
    }

    /// The position of a code in tree order, for sorting.
    pub fn code_rank(&self, code: &CodeId) -> Option<usize> {
        self.index.get(code).copied()
    }

    /// A code's label in `lang` (see [`label_in`]), or the last part of its path.
    pub fn code_label(&self, code: &CodeId, lang: &str) -> String {
        self.code(code)
            .and_then(|c| label_in(&c.label, lang))
            .map_or_else(|| code.last().to_owned(), str::to_owned)
    }

    /// The qualifiers, in declared order.
    pub fn qualifiers(&self) -> &[Qualifier] {
        &self.qualifiers
    }

    /// A qualifier by id.
    pub fn qualifier(&self, id: &QualifierId) -> Option<&Qualifier> {
        self.qualifiers.iter().find(|q| &q.id == id)
    }

    /// The qualifiers that apply to `code`, in declared order.
    pub fn qualifiers_of<'a>(&'a self, code: &'a CodeId) -> impl Iterator<Item = &'a Qualifier> {
        self.qualifiers.iter().filter(move |q| q.applies_to(code))
    }

    /// The values must be of qualifiers the framework declares for the code, each in its
    /// set, and every required one must be there ([`Qualifier::check_values`]).
    pub fn check_qualifiers(
        &self,
        code: &crate::CodeId,
        q: &crate::Qualifiers,
    ) -> Result<(), crate::ModelError> {
        Qualifier::check_values(&self.qualifiers, code, q)
    }
}

impl Qualifier {
    /// The rule for the qualifier values of a coding of `code`, given the framework's
    /// qualifiers: each value of a qualifier declared for the code and in its set, and every
    /// required one there. A caller that holds only a framework's qualifiers (the store, which
    /// checks a new coding without reading the whole framework) checks by the same rule.
    pub fn check_values(
        qualifiers: &[Qualifier],
        code: &crate::CodeId,
        q: &crate::Qualifiers,
    ) -> Result<(), crate::ModelError> {
        let declared: Vec<&Qualifier> = qualifiers.iter().filter(|d| d.applies_to(code)).collect();
        for (id, value) in q.iter() {
            let Some(d) = declared.iter().find(|d| &d.id == id) else {
                return Err(crate::ModelError::QualifierNotDeclared {
                    code: code.clone(),
                    qualifier: id.clone(),
                    allowed: declared.iter().map(|d| d.id.clone()).collect(),
                });
            };
            if d.value_rank(value).is_none() {
                return Err(crate::ModelError::QualifierValue {
                    qualifier: id.clone(),
                    value: value.clone(),
                    values: d.values.iter().map(|v| v.id.clone()).collect(),
                });
            }
        }
        if let Some(d) = declared
            .iter()
            .find(|d| d.required && q.get(&d.id).is_none())
        {
            return Err(crate::ModelError::QualifierMissing {
                code: code.clone(),
                qualifier: d.id.clone(),
                values: d.values.iter().map(|v| v.id.clone()).collect(),
            });
        }
        Ok(())
    }
}

/// The TOML shapes of a framework file, kept apart from the model.
mod file {
    use super::*;

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    pub(super) struct Head {
        id: FrameworkId,
        #[serde(default)]
        label: Labels,
        #[serde(default, skip_serializing_if = "String::is_empty")]
        description: String,
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    pub(super) struct QualifierFile {
        id: QualifierId,
        #[serde(default)]
        label: Labels,
        #[serde(default)]
        required: bool,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        codes: Vec<CodeId>,
        #[serde(rename = "value")]
        values: Vec<QualifierValue>,
    }

    /// A code as the file nests it: its own id segment, its children inside.
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    pub(super) struct CodeFile {
        id: String,
        #[serde(default)]
        label: Labels,
        #[serde(default, skip_serializing_if = "String::is_empty")]
        definition: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        colour: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        memo: Option<String>,
        #[serde(default, rename = "code", skip_serializing_if = "Vec::is_empty")]
        codes: Vec<CodeFile>,
    }

    /// The current format.
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    pub(super) struct Current {
        framework: Head,
        #[serde(default, rename = "qualifier", skip_serializing_if = "Vec::is_empty")]
        qualifiers: Vec<QualifierFile>,
        #[serde(default, rename = "code", skip_serializing_if = "Vec::is_empty")]
        codes: Vec<CodeFile>,
    }

    fn flatten(
        parent: Option<&CodeId>,
        files: Vec<CodeFile>,
        out: &mut Vec<Code>,
    ) -> Result<(), FrameworkError> {
        // Depth-first without recursion: (parent, remaining siblings), newest on top.
        let mut stack: Vec<(Option<CodeId>, std::vec::IntoIter<CodeFile>)> =
            vec![(parent.cloned(), files.into_iter())];
        while let Some((parent, mut rest)) = stack.pop() {
            let Some(f) = rest.next() else { continue };
            let id = match &parent {
                Some(p) => p.child(&f.id),
                None => f.id.parse(),
            }
            .map_err(|e| FrameworkError::Syntax {
                message: e.to_string(),
                offset: None,
            })?;
            out.push(Code {
                id: id.clone(),
                label: f.label,
                definition: f.definition,
                colour: f.colour,
                memo: f.memo,
            });
            stack.push((parent, rest));
            stack.push((Some(id), f.codes.into_iter()));
        }
        Ok(())
    }

    impl Current {
        pub(super) fn into_framework(self) -> Result<Framework, FrameworkError> {
            let mut codes = Vec::new();
            flatten(None, self.codes, &mut codes)?;
            let qualifiers = self
                .qualifiers
                .into_iter()
                .map(|q| Qualifier {
                    id: q.id,
                    label: q.label,
                    values: q.values,
                    codes: q.codes,
                    required: q.required,
                })
                .collect();
            Framework::new(
                FrameworkMeta {
                    id: self.framework.id,
                    label: self.framework.label,
                    description: self.framework.description,
                },
                codes,
                qualifiers,
            )
        }
    }

    /// A TOML string, quoted and escaped.
    fn quoted(s: &str) -> String {
        toml::Value::String(s.to_owned()).to_string()
    }

    fn labels_line(out: &mut String, labels: &Labels) {
        if labels.is_empty() {
            return;
        }
        let parts: Vec<String> = labels
            .iter()
            .map(|(k, v)| format!("{k} = {}", quoted(v)))
            .collect();
        out.push_str(&format!("label = {{ {} }}\n", parts.join(", ")));
    }

    /// The canonical text of a framework.
    pub(super) fn write(f: &Framework) -> String {
        let mut out = String::from("[framework]\n");
        out.push_str(&format!("id = {}\n", quoted(f.meta.id.as_str())));
        labels_line(&mut out, &f.meta.label);
        if !f.meta.description.is_empty() {
            out.push_str(&format!("description = {}\n", quoted(&f.meta.description)));
        }
        for q in &f.qualifiers {
            out.push_str("\n[[qualifier]]\n");
            out.push_str(&format!("id = {}\n", quoted(q.id.as_str())));
            labels_line(&mut out, &q.label);
            out.push_str(&format!("required = {}\n", q.required));
            if !q.codes.is_empty() {
                let codes: Vec<String> = q.codes.iter().map(|c| quoted(c.as_str())).collect();
                out.push_str(&format!("codes = [{}]\n", codes.join(", ")));
            }
            for v in &q.values {
                out.push_str("\n[[qualifier.value]]\n");
                out.push_str(&format!("id = {}\n", quoted(v.id.as_str())));
                labels_line(&mut out, &v.label);
            }
        }
        for c in &f.codes {
            let table = vec!["code"; c.id.depth()].join(".");
            out.push_str(&format!("\n[[{table}]]\n"));
            out.push_str(&format!("id = {}\n", quoted(c.id.last())));
            labels_line(&mut out, &c.label);
            if !c.definition.is_empty() {
                out.push_str(&format!("definition = {}\n", quoted(&c.definition)));
            }
            if let Some(colour) = &c.colour {
                out.push_str(&format!("colour = {}\n", quoted(colour)));
            }
            if let Some(memo) = &c.memo {
                out.push_str(&format!("memo = {}\n", quoted(memo)));
            }
        }
        out
    }

    /// The first format: `[[category]]` with `[[category.subtheme]]`, Norwegian and English
    /// labels, every code taking a polarity.
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    pub(super) struct Legacy {
        framework: LegacyHead,
        #[serde(rename = "category")]
        categories: Vec<LegacyCode>,
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct LegacyHead {
        id: FrameworkId,
        label_no: String,
        label_en: String,
        #[serde(default)]
        description: String,
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct LegacyCode {
        id: String,
        label_no: String,
        label_en: String,
        #[serde(default)]
        definition: String,
        #[serde(default, rename = "subtheme")]
        subthemes: Vec<LegacyLeaf>,
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct LegacyLeaf {
        id: String,
        label_no: String,
        label_en: String,
        #[serde(default)]
        definition: String,
    }

    fn labels(no: String, en: String) -> Labels {
        Labels::from([("nb".to_owned(), no), ("en".to_owned(), en)])
    }

    /// The polarity every code of a first-format framework took.
    pub(super) fn polarity() -> Qualifier {
        let value = |id: &str, nb: &str, en: &str| QualifierValue {
            id: id.parse().expect("a valid id"),
            label: labels(nb.into(), en.into()),
        };
        Qualifier {
            id: "polarity".parse().expect("a valid id"),
            label: labels("Polaritet".into(), "Polarity".into()),
            values: vec![
                value("barrier", "Barriere", "Barrier"),
                value("opportunity", "Mulighet", "Opportunity"),
            ],
            codes: Vec::new(),
            required: true,
        }
    }

    impl Legacy {
        pub(super) fn into_framework(self) -> Result<Framework, FrameworkError> {
            let invalid = |e: crate::ModelError| FrameworkError::Syntax {
                message: e.to_string(),
                offset: None,
            };
            let mut codes = Vec::new();
            for c in self.categories {
                let id: CodeId = c.id.parse().map_err(invalid)?;
                // The first format coded only subthemes: a category without one was an error.
                if c.subthemes.is_empty() {
                    return Err(FrameworkError::EmptyCategory(id));
                }
                codes.push(Code {
                    id: id.clone(),
                    label: labels(c.label_no, c.label_en),
                    definition: c.definition,
                    colour: None,
                    memo: None,
                });
                for s in c.subthemes {
                    codes.push(Code {
                        id: id.child(&s.id).map_err(invalid)?,
                        label: labels(s.label_no, s.label_en),
                        definition: s.definition,
                        colour: None,
                        memo: None,
                    });
                }
            }
            Framework::new(
                FrameworkMeta {
                    id: self.framework.id,
                    label: labels(self.framework.label_no, self.framework.label_en),
                    description: self.framework.description,
                },
                codes,
                vec![polarity()],
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_framework_with_no_codes_yet_round_trips() {
        let f = Framework::from_toml("[framework]\nid = \"blank\"\n").unwrap();
        assert!(f.codes().is_empty() && f.qualifiers().is_empty());
        assert_eq!(Framework::from_toml(&f.to_toml()).unwrap(), f);
    }

    #[test]
    fn builtin_bentzen_has_five_top_codes_and_polarity_and_round_trips() {
        let f = Framework::builtin("bentzen-2018").unwrap();
        let tops: Vec<_> = f.roots().map(|c| c.id.as_str()).collect();
        assert_eq!(tops.len(), 5, "{tops:?}");
        assert!(f.is_builtin());
        let p = f.qualifier(&"polarity".parse().unwrap()).unwrap();
        assert!(p.required && p.codes.is_empty());
        assert_eq!(Framework::from_toml(&f.to_toml()).unwrap(), f);
    }

    #[test]
    fn unknown_builtin_is_named() {
        let e = Framework::builtin("nope").unwrap_err();
        assert!(e.to_string().contains("`nope`"), "{e}");
    }

    #[test]
    fn the_first_format_is_a_two_level_tree_with_polarity() {
        let text = r#"
[framework]
id = "f"
label_no = "F"
label_en = "F"

[[category]]
id = "a"
label_no = "A"
label_en = "A"

[[category.subtheme]]
id = "x"
label_no = "X"
label_en = "X en"
"#;
        let f = Framework::from_toml(text).unwrap();
        let ids: Vec<_> = f.codes().iter().map(|c| c.id.as_str()).collect();
        assert_eq!(ids, ["a", "a/x"]);
        assert_eq!(f.code_label(&"a/x".parse().unwrap(), "en"), "X en");
        assert_eq!(f.qualifiers().len(), 1);
        // Written back in the current format, it reads the same.
        assert_eq!(Framework::from_toml(&f.to_toml()).unwrap(), f);
    }

    #[test]
    fn trees_of_any_depth_qualifiers_and_checks() {
        let text = r##"
[framework]
id = "tema"
label = { nb = "Tema", en = "Themes" }

[[qualifier]]
id = "level"
label = { en = "Level" }
codes = ["a/b"]

[[qualifier.value]]
id = "individual"

[[qualifier.value]]
id = "group"

[[code]]
id = "a"
colour = "#1b9e77"

[[code.code]]
id = "b"

[[code.code.code]]
id = "c"
memo = "deep"

[[code]]
id = "d"
"##;
        let f = Framework::from_toml(text).unwrap();
        let ids: Vec<_> = f.codes().iter().map(|c| c.id.as_str()).collect();
        assert_eq!(ids, ["a", "a/b", "a/b/c", "d"]);
        let a: CodeId = "a".parse().unwrap();
        let kids: Vec<_> = f.children(&a).map(|c| c.id.as_str()).collect();
        assert_eq!(kids, ["a/b"]);
        let level = &f.qualifiers()[0];
        assert!(level.applies_to(&"a/b/c".parse().unwrap()));
        assert!(!level.applies_to(&a));
        assert!(!level.required);
        assert_eq!(Framework::from_toml(&f.to_toml()).unwrap(), f);

        for (bad, what) in [
            (text.replace("#1b9e77", "green"), "colour"),
            (text.replace("codes = [\"a/b\"]", "codes = [\"zz\"]"), "zz"),
            (
                text.replace("id = \"group\"", "id = \"individual\""),
                "two or more",
            ),
            (
                text.replace("{ nb = \"Tema\"", "{ \"n b\" = \"Tema\""),
                "language tag",
            ),
        ] {
            let e = Framework::from_toml(&bad).unwrap_err().to_string();
            assert!(e.contains(what), "{e}");
        }
        let dup = format!("{text}\n[[code]]\nid = \"d\"\n");
        assert_eq!(
            Framework::from_toml(&dup).unwrap_err(),
            FrameworkError::DuplicateCode("d".parse().unwrap())
        );
    }

    #[test]
    fn labels_fall_back_through_languages() {
        let l = Labels::from([("nb".to_owned(), "Kultur".to_owned())]);
        assert_eq!(label_in(&l, "en"), Some("Kultur"));
        let l = Labels::from([
            ("nb".to_owned(), "Kultur".to_owned()),
            ("en".to_owned(), "Culture".to_owned()),
        ]);
        assert_eq!(label_in(&l, "nb-NO"), Some("Kultur"));
        assert_eq!(label_in(&l, "se"), Some("Culture"));
    }
}
