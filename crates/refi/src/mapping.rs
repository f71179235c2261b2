//! The mapping file: how a tool's codes land on an existing samskap framework.
//!
//! ```toml
//! framework = "bentzen-2018"        # a framework in the store, or a built-in one
//! default_polarity = "barrier"      # optional: for codes no rule or name gives one
//!
//! [[code]]
//! path = "Barrierer/Tid"            # the tool's code names from the top, joined by "/"
//! to = "resources/time-people-money"
//! polarity = "barrier"              # optional
//!
//! [[code]]
//! guid = "6f0d3c2b-1a2b-4c3d-8e9f-0123456789ab"   # instead of path, for names with "/"
//! to = "structure/infrastructure"
//! ```
//!
//! A rule for a code covers its sub-codes too, unless they have a rule of their own.

use serde::Deserialize;

use samskap_core::{CodeId, FrameworkId, Polarity};

use crate::guid::Guid;
use crate::RefiError;

/// One rule of a mapping.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    /// The tool's code path (names from the top, joined by `/`), when matched by path.
    pub path: Option<String>,
    /// The tool's code GUID, when matched by GUID.
    pub guid: Option<Guid>,
    /// The framework code it lands on.
    pub to: CodeId,
    /// The polarity, if the rule fixes it.
    pub polarity: Option<Polarity>,
}

/// A parsed mapping file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mapping {
    /// The framework the codes land on.
    pub framework: FrameworkId,
    /// Polarity for codes that get none from a rule or their name.
    pub default_polarity: Option<Polarity>,
    /// The rules, in file order.
    pub rules: Vec<Rule>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    framework: String,
    default_polarity: Option<String>,
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
}

fn polarity(s: Option<String>, what: &str) -> Result<Option<Polarity>, RefiError> {
    s.map(|p| {
        p.parse()
            .map_err(|e| RefiError::Mapping(format!("{what}: {e}")))
    })
    .transpose()
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
                polarity: polarity(r.polarity, &format!("code rule {n}: polarity"))?,
            });
        }
        Ok(Self {
            framework,
            default_polarity: polarity(f.default_polarity, "default_polarity")?,
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
"#,
        )
        .unwrap();
        assert_eq!(m.rules[0].path.as_deref(), Some("Barrierer/Tid"));
        assert_eq!(m.default_polarity, Some(Polarity::Opportunity));
        let e = Mapping::from_toml("framework = \"f\"\n[[code]]\nto = \"a/b\"\n").unwrap_err();
        assert!(e.to_string().contains("code rule 1"), "{e}");
        let e = Mapping::from_toml("framework = \"f\"\n[[code]]\npath = \"x\"\nto = \"ab\"\n")
            .unwrap_err();
        assert!(e.to_string().contains("`to`"), "{e}");
    }
}
