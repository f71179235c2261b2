//! Frameworks (codebooks): categories with subthemes, each with Norwegian and English labels
//! and a definition. Frameworks are data: the built-in Bentzen (2018) framework is parsed from
//! the same TOML format that any other study's framework file uses.

use foldhash::{HashMap, HashSet};

use serde::{Deserialize, Serialize};

use crate::ids::{CategoryId, CodeId, FrameworkId, SubthemeId};

/// The TOML text of the built-in frameworks, by id.
const BUILTIN: &[(&str, &str)] = &[(
    "bentzen-2018",
    include_str!("../frameworks/bentzen-2018.toml"),
)];

/// Why a framework file was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum FrameworkError {
    /// The TOML did not parse or did not have the expected shape.
    #[error("{message}")]
    Syntax {
        /// What is wrong, in one line.
        message: String,
        /// Byte offset in the text where it is, when known.
        offset: Option<usize>,
    },
    /// Two categories share an id.
    #[error("category `{0}` is defined twice")]
    DuplicateCategory(CategoryId),
    /// Two subthemes of one category share an id.
    #[error("subtheme `{0}` is defined twice")]
    DuplicateSubtheme(CodeId),
    /// A category has no subthemes: nothing could be coded under it.
    #[error("category `{0}` has no subthemes")]
    EmptyCategory(CategoryId),
    /// No categories at all.
    #[error("the framework has no categories")]
    Empty,
    /// A name that is not one of the built-in frameworks.
    #[error("no built-in framework is called `{}` (built in: {})", crate::shorten(.0), .1)]
    UnknownBuiltin(String, String),
}

/// A subtheme: the unit that meaning units are coded with, under a category.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Subtheme {
    /// Id within its category.
    pub id: SubthemeId,
    /// Norwegian label.
    pub label_no: String,
    /// English label.
    pub label_en: String,
    /// What the subtheme covers.
    #[serde(default)]
    pub definition: String,
}

/// A category of the framework (culture, structure, ...).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Category {
    /// Id within the framework.
    pub id: CategoryId,
    /// Norwegian label.
    pub label_no: String,
    /// English label.
    pub label_en: String,
    /// What the category covers.
    #[serde(default)]
    pub definition: String,
    /// Its subthemes, in display order.
    #[serde(rename = "subtheme", default)]
    pub subthemes: Vec<Subtheme>,
}

/// The head of a framework.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FrameworkMeta {
    /// Stable id.
    pub id: FrameworkId,
    /// Norwegian name.
    pub label_no: String,
    /// English name.
    pub label_en: String,
    /// A sentence or two on where it comes from.
    #[serde(default)]
    pub description: String,
}

/// A validated framework: category ids are unique, subtheme ids unique within their
/// category, and every category has at least one subtheme.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Framework {
    #[serde(flatten)]
    meta: FrameworkMeta,
    categories: Vec<Category>,
    /// Each code's (category, subtheme) position and its rank in display order: codes are
    /// looked up once per coding, so a scan of the tree would multiply by its size.
    #[serde(skip)]
    index: HashMap<CodeId, CodeAt>,
}

/// Where a code sits in a framework.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct CodeAt {
    category: usize,
    subtheme: usize,
    rank: usize,
}

/// The file layout: `[framework]` then `[[category]]` with `[[category.subtheme]]`.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct FrameworkFile {
    framework: FrameworkMeta,
    #[serde(rename = "category")]
    categories: Vec<Category>,
}

impl Framework {
    /// Checks the invariants and builds the framework.
    pub fn new(meta: FrameworkMeta, categories: Vec<Category>) -> Result<Self, FrameworkError> {
        if categories.is_empty() {
            return Err(FrameworkError::Empty);
        }
        let mut seen = HashSet::default();
        let mut index = HashMap::default();
        for (i, c) in categories.iter().enumerate() {
            if !seen.insert(&c.id) {
                return Err(FrameworkError::DuplicateCategory(c.id.clone()));
            }
            if c.subthemes.is_empty() {
                return Err(FrameworkError::EmptyCategory(c.id.clone()));
            }
            for (j, s) in c.subthemes.iter().enumerate() {
                let code = CodeId::new(c.id.clone(), s.id.clone());
                let at = CodeAt {
                    category: i,
                    subtheme: j,
                    rank: index.len(),
                };
                if index.insert(code.clone(), at).is_some() {
                    return Err(FrameworkError::DuplicateSubtheme(code));
                }
            }
        }
        Ok(Self {
            meta,
            categories,
            index,
        })
    }

    /// Parses the TOML framework format (see `docs/case-bundle.md`).
    pub fn from_toml(text: &str) -> Result<Self, FrameworkError> {
        let file: FrameworkFile = toml::from_str(text).map_err(|e| FrameworkError::Syntax {
            message: e.message().trim_end().replace('\n', "; "),
            offset: e.span().map(|s| s.start),
        })?;
        Self::new(file.framework, file.categories)
    }

    /// Writes the TOML framework format; `from_toml` reads it back unchanged.
    pub fn to_toml(&self) -> String {
        let file = FrameworkFile {
            framework: self.meta.clone(),
            categories: self.categories.clone(),
        };
        toml::to_string(&file).expect("a framework always serialises to TOML")
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

    /// True when this framework is exactly a built-in one.
    pub fn is_builtin(&self) -> bool {
        Self::builtin(self.meta.id.as_str()).is_ok_and(|b| &b == self)
    }

    /// The head: id, labels, description.
    pub fn meta(&self) -> &FrameworkMeta {
        &self.meta
    }

    /// The id.
    pub fn id(&self) -> &FrameworkId {
        &self.meta.id
    }

    /// The categories in display order.
    pub fn categories(&self) -> &[Category] {
        &self.categories
    }

    /// A category by id.
    pub fn category(&self, id: &CategoryId) -> Option<&Category> {
        self.categories.iter().find(|c| &c.id == id)
    }

    /// A subtheme by code.
    pub fn subtheme(&self, code: &CodeId) -> Option<&Subtheme> {
        let at = self.index.get(code)?;
        Some(&self.categories[at.category].subthemes[at.subtheme])
    }

    /// True when `code` names a subtheme of this framework.
    pub fn contains(&self, code: &CodeId) -> bool {
        self.index.contains_key(code)
    }

    /// Every code, in display order (categories, then their subthemes).
    pub fn codes(&self) -> impl Iterator<Item = CodeId> + '_ {
        self.categories.iter().flat_map(|c| {
            c.subthemes
                .iter()
                .map(|s| CodeId::new(c.id.clone(), s.id.clone()))
        })
    }

    /// The position of a code in display order, for sorting.
    pub fn code_rank(&self, code: &CodeId) -> Option<usize> {
        self.index.get(code).map(|at| at.rank)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_bentzen_has_five_categories_and_round_trips() {
        let f = Framework::builtin("bentzen-2018").unwrap();
        let ids: Vec<_> = f.categories().iter().map(|c| c.id.as_str()).collect();
        assert_eq!(ids.len(), 5, "{ids:?}");
        assert!(f.is_builtin());
        assert_eq!(Framework::from_toml(&f.to_toml()).unwrap(), f);
    }

    #[test]
    fn unknown_builtin_is_named() {
        let e = Framework::builtin("nope").unwrap_err();
        assert!(e.to_string().contains("`nope`"), "{e}");
    }

    #[test]
    fn duplicates_and_empties_are_refused() {
        let dup = r#"
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
label_en = "X"
[[category.subtheme]]
id = "x"
label_no = "X"
label_en = "X"
"#;
        assert_eq!(
            Framework::from_toml(dup).unwrap_err().to_string(),
            "subtheme `a/x` is defined twice"
        );
        let syntax = Framework::from_toml("[framework\n").unwrap_err();
        assert!(
            matches!(
                syntax,
                FrameworkError::Syntax {
                    offset: Some(_),
                    ..
                }
            ),
            "{syntax:?}"
        );
    }
}
