//! The mapping file: how a tool's codes land on an existing samskap framework.
//!
//! ```toml
//! framework = "bentzen-2018"        # a framework in the store, or a built-in one
//! default_qualifiers = { polarity = "barrier" }   # optional: where no rule or name gives one
//! default_polarity = "barrier"      # optional: the same, for polarity alone
//!
//! [[code]]
//! path = "Barrierer/Tid"            # the tool's code names from the top, joined by "/"
//! to = "resources/time-people-money"
//! polarity = "barrier"              # optional: the value of qualifier `polarity`
//! qualifiers = { level = "group" }  # optional: values of any qualifiers
//!
//! [[code]]
//! guid = "6f0d3c2b-1a2b-4c3d-8e9f-0123456789ab"   # instead of path, for names with "/"
//! to = "structure/infrastructure"
//! ```
//!
//! A rule for a code covers its sub-codes too, unless they have a rule of their own.

use std::collections::BTreeMap;

use serde::Deserialize;

use samskap_core::{CodeId, FrameworkId, QualifierId, Qualifiers, ValueId};

use crate::guid::Guid;
use crate::RefiError;

/// The qualifier that `polarity = "..."` and `default_polarity` give a value to.
pub use samskap_core::convention::POLARITY;

/// One rule of a mapping.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    /// The tool's code path (names from the top, joined by `/`), when matched by path.
    pub path: Option<String>,
    /// The tool's code GUID, when matched by GUID.
    pub guid: Option<Guid>,
    /// The framework code it lands on.
    pub to: CodeId,
    /// The qualifier values the rule fixes (none: from code names, else the defaults).
    pub qualifiers: Qualifiers,
}

/// A parsed mapping file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mapping {
    /// The framework the codes land on.
    pub framework: FrameworkId,
    /// Values for the qualifiers a coding gets none of from a rule or a code name, where
    /// its code's framework declares them.
    pub default_qualifiers: Qualifiers,
    /// The rules, in file order.
    pub rules: Vec<Rule>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    framework: String,
    default_polarity: Option<String>,
    #[serde(default)]
    default_qualifiers: BTreeMap<String, String>,
    #[serde(default)]
    code: Vec<RuleFile>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleFile {
    path: Option<String>,
    guid: Option<String>,
    to: String,
    polarity: Option<String>,
    #[serde(default)]
    qualifiers: BTreeMap<String, String>,
}

/// Values from a table and a `polarity` shortcut; the shortcut and a `polarity` entry in the
/// table may not both be given.
fn qualifiers(
    table: BTreeMap<String, String>,
    polarity: Option<String>,
    what: &str,
    shortcut: &str,
) -> Result<Qualifiers, RefiError> {
    if polarity.is_some() && table.contains_key(POLARITY) {
        return Err(RefiError::Mapping(format!(
            "{what}: give the polarity once, as `{shortcut}` or in the table, not both"
        )));
    }
    let pairs = table
        .into_iter()
        .chain(polarity.map(|p| (POLARITY.to_owned(), p)))
        .map(|(q, v)| {
            let qid: QualifierId = q
                .trim()
                .parse()
                .map_err(|e| RefiError::Mapping(format!("{what}: qualifier `{q}`: {e}")))?;
            let vid: ValueId = v
                .trim()
                .parse()
                .map_err(|e| RefiError::Mapping(format!("{what}: value `{v}` of `{q}`: {e}")))?;
            Ok((qid, vid))
        })
        .collect::<Result<Vec<_>, RefiError>>()?;
    Qualifiers::new(pairs).map_err(|e| RefiError::Mapping(format!("{what}: {e}")))
}

impl Mapping {
    /// Parses the TOML text of a mapping file.
    pub fn from_toml(text: &str) -> Result<Self, RefiError> {
        let f: File = toml::from_str(text)
            .map_err(|e| RefiError::Mapping(e.message().trim_end().replace('\n', "; ")))?;
        let framework = f
            .framework
            .parse()
            .map_err(|e| RefiError::Mapping(format!("framework: {e}")))?;
        let mut rules = Vec::new();
        for (i, r) in f.code.into_iter().enumerate() {
            let n = i + 1;
            let guid = r
                .guid
                .map(|g| {
                    Guid::parse(&g).ok_or_else(|| {
                        RefiError::Mapping(format!("code rule {n}: `{g}` is not a GUID"))
                    })
                })
                .transpose()?;
            if r.path.is_none() == guid.is_none() {
                return Err(RefiError::Mapping(format!(
                    "code rule {n}: give either `path` or `guid`"
                )));
            }
            rules.push(Rule {
                path: r.path.map(|p| p.trim_matches('/').to_owned()),
                guid,
                to: r
                    .to
                    .parse()
                    .map_err(|e| RefiError::Mapping(format!("code rule {n}: `to`: {e}")))?,
                qualifiers: qualifiers(
                    r.qualifiers,
                    r.polarity,
                    &format!("code rule {n}"),
                    "polarity",
                )?,
            });
        }
        Ok(Self {
            framework,
            default_qualifiers: qualifiers(
                f.default_qualifiers,
                f.default_polarity,
                "default_qualifiers",
                "default_polarity",
            )?,
            rules,
        })
    }

    /// The rule for a code with this path and GUID itself (not its ancestors).
    pub(crate) fn rule_for(&self, path: &str, guid: &Guid) -> Option<&Rule> {
        self.rules
            .iter()
            .find(|r| r.guid.as_ref() == Some(guid))
            .or_else(|| self.rules.iter().find(|r| r.path.as_deref() == Some(path)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_mapping_parses_and_bad_ones_say_where() {
        let m = Mapping::from_toml(
            r#"
framework = "bentzen-2018"
default_polarity = "opportunity"
[[code]]
path = "Barrierer/Tid/"
to = "resources/time-people-money"
polarity = "barrier"
qualifiers = { level = "group" }
"#,
        )
        .unwrap();
        assert_eq!(m.rules[0].path.as_deref(), Some("Barrierer/Tid"));
        assert_eq!(
            m.rules[0].qualifiers.to_string(),
            "level=group;polarity=barrier"
        );
        assert_eq!(m.default_qualifiers.to_string(), "polarity=opportunity");
        let e = Mapping::from_toml("framework = \"f\"\n[[code]]\nto = \"a/b\"\n").unwrap_err();
        assert!(e.to_string().contains("code rule 1"), "{e}");
        let e = Mapping::from_toml("framework = \"f\"\n[[code]]\npath = \"x\"\nto = \"a b\"\n")
            .unwrap_err();
        assert!(e.to_string().contains("`to`"), "{e}");
    }

    #[test]
    fn qualifier_values_are_given_once_and_must_be_ids() {
        let e = Mapping::from_toml(
            "framework = \"f\"\ndefault_polarity = \"barrier\"\ndefault_qualifiers = { polarity = \"opportunity\" }\n",
        )
        .unwrap_err();
        assert!(e.to_string().contains("not both"), "{e}");
        let e = Mapping::from_toml(
            "framework = \"f\"\n[[code]]\npath = \"x\"\nto = \"a\"\nqualifiers = { polarity = \"to be\" }\n",
        )
        .unwrap_err();
        assert!(
            e.to_string()
                .contains("code rule 1: value `to be` of `polarity`"),
            "{e}"
        );
        let m = Mapping::from_toml(
            "framework = \"f\"\ndefault_qualifiers = { level = \"group\", polarity = \"barrier\" }\n",
        )
        .unwrap();
        assert_eq!(
            m.default_qualifiers.to_string(),
            "level=group;polarity=barrier"
        );
    }
}
