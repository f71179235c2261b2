//! From a tool's code tree to samskap codes: either a framework of its own, made by the
//! documented convention, or an existing framework through a [`Mapping`].
//!
//! The convention: a code named for a polarity (`barrier`, `barriers`, `barriere`,
//! `barrierer`, `hindring`, `hindringer`, `opportunity`, `opportunities`, `mulighet`,
//! `muligheter`, any case) gives its polarity to itself and the codes under it and is
//! otherwise left out of the path. What remains of the path names the code: its first name
//! is the category, the rest (joined with ` / `) the subtheme; a path of one name is a
//! category with a subtheme of the same name. Leaves and coded codes become subthemes.

use std::collections::{BTreeMap, HashMap, HashSet};

use samskap_core::{
    Category, CategoryId, CodeId, Framework, FrameworkId, FrameworkMeta, Polarity, Subtheme,
    SubthemeId,
};

use crate::guid::{Guid, GuidTable, Kind, Slugs};
use crate::mapping::{Mapping, Rule};
use crate::project::Code;
use crate::RefiError;

/// The polarity a code's own name stands for, if any.
pub fn polarity_word(name: &str) -> Option<Polarity> {
    match name.trim().to_lowercase().as_str() {
        "barrier" | "barriers" | "barriere" | "barrierer" | "hindring" | "hindringer" => {
            Some(Polarity::Barrier)
        }
        "opportunity" | "opportunities" | "mulighet" | "muligheter" => Some(Polarity::Opportunity),
        _ => None,
    }
}

/// Where a polarity came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PolarityFrom {
    /// A mapping rule.
    Mapping,
    /// A code's name (the convention).
    Name,
}

/// What one tool code stands for in samskap.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved {
    /// The samskap code, when the tool code can be applied.
    pub code: Option<CodeId>,
    /// Its polarity, when known.
    pub polarity: Option<(Polarity, PolarityFrom)>,
    /// The tool's path, for messages.
    pub path: String,
}

/// The outcome of resolving a code tree.
pub struct CodeMap {
    /// The framework codings land in.
    pub framework: Framework,
    /// Every tool code, by GUID.
    pub codes: HashMap<Guid, Resolved>,
    /// Tool codes whose GUID could not be kept because another tool code landed on the
    /// same samskap code first.
    pub merged: usize,
}

/// One node of the tree in pre-order, with its path.
struct Node<'a> {
    code: &'a Code,
    names: Vec<&'a str>,
    is_leaf: bool,
}

fn flatten(codes: &[Code]) -> Vec<Node<'_>> {
    let mut out = Vec::new();
    let mut stack: Vec<(&Code, Vec<&str>)> = codes
        .iter()
        .rev()
        .map(|c| (c, vec![c.name.as_str()]))
        .collect();
    while let Some((c, names)) = stack.pop() {
        for child in c.children.iter().rev() {
            let mut n = names.clone();
            n.push(child.name.as_str());
            stack.push((child, n));
        }
        out.push(Node {
            code: c,
            is_leaf: c.children.is_empty(),
            names,
        });
    }
    out
}

/// The path without polarity names, and the nearest polarity on it.
fn split(names: &[&str]) -> (Vec<String>, Option<Polarity>) {
    let polarity = names.iter().rev().find_map(|n| polarity_word(n));
    let mut kept: Vec<String> = names
        .iter()
        .filter(|n| polarity_word(n).is_none())
        .map(|n| n.trim().to_owned())
        .collect();
    if kept.is_empty() {
        kept.push(
            names
                .last()
                .map_or_else(String::new, |n| n.trim().to_owned()),
        );
    }
    (kept, polarity)
}

/// Makes a framework of the codebook's own by the convention.
pub fn own_framework(
    codes: &[Code],
    coded: &HashSet<Guid>,
    id: FrameworkId,
    label: &str,
    description: &str,
    guids: &mut GuidTable,
) -> Result<CodeMap, RefiError> {
    let nodes = flatten(codes);
    // Which paths are subthemes: leaves and coded codes.
    let mut keys: Vec<Vec<String>> = Vec::new();
    let mut key_set: HashSet<Vec<String>> = HashSet::new();
    let mut defs: BTreeMap<Vec<String>, String> = BTreeMap::new();
    for n in &nodes {
        let (kept, _) = split(&n.names);
        if let Some(d) = n.code.description.as_ref().filter(|d| !d.trim().is_empty()) {
            defs.entry(kept.clone())
                .or_insert_with(|| d.trim().to_owned());
        }
        if (n.is_leaf || coded.contains(&n.code.guid)) && key_set.insert(kept.clone()) {
            keys.push(kept);
        }
    }
    if keys.is_empty() {
        return Err(RefiError::Codebook("the codebook has no codes".into()));
    }
    // Categories in order of first appearance, each with its subthemes.
    let mut cat_slugs = Slugs::default();
    let mut categories: Vec<(String, Category, Slugs)> = Vec::new();
    let mut category_at: HashMap<&str, usize> = HashMap::new();
    let mut code_of: BTreeMap<Vec<String>, CodeId> = BTreeMap::new();
    for key in &keys {
        let cat_name = &key[0];
        let pos = match category_at.get(cat_name.as_str()) {
            Some(&p) => p,
            None => {
                let cid = cat_slugs.take(cat_name, "category");
                categories.push((
                    cat_name.clone(),
                    Category {
                        id: CategoryId::new(cid).expect("slugs are ids"),
                        label_no: cat_name.clone(),
                        label_en: cat_name.clone(),
                        definition: defs.get(&key[..1]).cloned().unwrap_or_default(),
                        subthemes: Vec::new(),
                    },
                    Slugs::default(),
                ));
                category_at.insert(cat_name, categories.len() - 1);
                categories.len() - 1
            }
        };
        let sub_label = if key.len() == 1 {
            key[0].clone()
        } else {
            key[1..].join(" / ")
        };
        let (_, cat, subs) = &mut categories[pos];
        let sid = SubthemeId::new(subs.take(&sub_label, "subtheme")).expect("slugs are ids");
        code_of.insert(key.clone(), CodeId::new(cat.id.clone(), sid.clone()));
        cat.subthemes.push(Subtheme {
            id: sid,
            label_no: sub_label.clone(),
            label_en: sub_label,
            definition: if key.len() == 1 {
                String::new()
            } else {
                defs.get(key).cloned().unwrap_or_default()
            },
        });
    }
    // A one-name subtheme shares its category's description: give it to the subtheme
    // rather than the category when the category has no other subtheme.
    for (_, cat, _) in &mut categories {
        if cat.subthemes.len() == 1 && cat.subthemes[0].label_en == cat.label_en {
            cat.subthemes[0].definition = std::mem::take(&mut cat.definition);
        }
    }
    let framework = Framework::new(
        FrameworkMeta {
            id,
            label_no: label.to_owned(),
            label_en: label.to_owned(),
            description: description.to_owned(),
        },
        categories.into_iter().map(|(_, c, _)| c).collect(),
    )?;
    guids.framework_scope = framework.id().to_string();
    let mut map = HashMap::new();
    let mut merged = 0;
    for n in &nodes {
        let (kept, polarity) = split(&n.names);
        let code = code_of.get(&kept).cloned();
        let kept_guid = match (&code, polarity) {
            (Some(c), Some(p)) => guids.keep(Kind::Polarity, &format!("{c}#{p}"), &n.code.guid),
            (Some(c), None) => guids.keep(Kind::Subtheme, &c.to_string(), &n.code.guid),
            (None, _) if kept.len() == 1 => {
                match framework
                    .categories()
                    .iter()
                    .find(|c| c.label_en == kept[0])
                {
                    Some(c) => guids.keep(Kind::Category, c.id.as_str(), &n.code.guid),
                    None => true,
                }
            }
            (None, _) => true,
        };
        if !kept_guid {
            merged += 1;
        }
        map.insert(
            n.code.guid.clone(),
            Resolved {
                code,
                polarity: polarity.map(|p| (p, PolarityFrom::Name)),
                path: n.names.join("/"),
            },
        );
    }
    Ok(CodeMap {
        framework,
        codes: map,
        merged,
    })
}

/// Lands the tool's codes on an existing framework through a mapping.
pub fn mapped(
    codes: &[Code],
    mapping: &Mapping,
    framework: Framework,
    guids: &mut GuidTable,
) -> Result<CodeMap, RefiError> {
    for r in &mapping.rules {
        if !framework.contains(&r.to) {
            return Err(RefiError::Mapping(format!(
                "`to = \"{}\"`: framework `{}` has no such code",
                r.to,
                framework.id()
            )));
        }
    }
    guids.framework_scope = framework.id().to_string();
    let mut map = HashMap::new();
    let mut merged = 0;
    // Pre-order with the rule each node inherits.
    let mut stack: Vec<(&Code, Vec<&str>, Option<&crate::mapping::Rule>)> = codes
        .iter()
        .rev()
        .map(|c| (c, vec![c.name.as_str()], None))
        .collect();
    while let Some((c, names, inherited)) = stack.pop() {
        let path = names.join("/");
        let own = mapping.rule_for(&path, &c.guid);
        let rule = own.or(inherited);
        for child in c.children.iter().rev() {
            let mut n = names.clone();
            n.push(child.name.as_str());
            stack.push((child, n, rule));
        }
        let polarity = match rule.and_then(|r| r.polarity) {
            Some(p) => Some((p, PolarityFrom::Mapping)),
            None => split(&names).1.map(|p| (p, PolarityFrom::Name)),
        };
        if let Some(r) = own {
            let kept = match polarity {
                Some((p, _)) => guids.keep(Kind::Polarity, &format!("{}#{p}", r.to), &c.guid),
                None => guids.keep(Kind::Subtheme, &r.to.to_string(), &c.guid),
            };
            if !kept {
                merged += 1;
            }
        }
        map.insert(
            c.guid.clone(),
            Resolved {
                code: rule.map(|r| r.to.clone()),
                polarity,
                path,
            },
        );
    }
    Ok(CodeMap {
        framework,
        codes: map,
        merged,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(name: &str, n: u8, children: Vec<Code>) -> Code {
        Code {
            guid: Guid::parse(&format!("00000000-0000-4000-8000-0000000000{n:02x}")).unwrap(),
            name: name.into(),
            is_codable: true,
            description: None,
            note_refs: vec![],
            children,
        }
    }

    #[test]
    fn the_convention_folds_polarity_codes_into_their_subtheme() {
        let tree = vec![
            code(
                "Struktur",
                1,
                vec![code(
                    "Infrastruktur",
                    2,
                    vec![code("Barriere", 3, vec![]), code("Mulighet", 4, vec![])],
                )],
            ),
            code("Tid", 5, vec![]),
            code("Barriers", 6, vec![code("Økonomi", 7, vec![])]),
        ];
        let mut guids = GuidTable::new("s", "f");
        let m = own_framework(
            &tree,
            &Default::default(),
            "f".parse().unwrap(),
            "F",
            "",
            &mut guids,
        )
        .unwrap();
        let codes: Vec<String> = m.framework.codes().map(|c| c.to_string()).collect();
        assert_eq!(
            codes,
            ["struktur/infrastruktur", "tid/tid", "okonomi/okonomi"]
        );
        let barrier = &m.codes[&tree[0].children[0].children[0].guid];
        assert_eq!(
            barrier.code.as_ref().unwrap().to_string(),
            "struktur/infrastruktur"
        );
        assert_eq!(
            barrier.polarity,
            Some((Polarity::Barrier, PolarityFrom::Name))
        );
        let econ = &m.codes[&tree[2].children[0].guid];
        assert_eq!(econ.polarity.unwrap().0, Polarity::Barrier);
        assert_eq!(m.codes[&tree[1].guid].polarity, None);
    }

    #[test]
    fn a_framework_is_recognised_by_its_guids_and_a_new_code_says_so() {
        let f = Framework::builtin("bentzen-2018").unwrap();
        let table = GuidTable::new("", "bentzen-2018");
        let g = |k: Kind, key: &str| table.get(k, key);
        let node = |guid: Guid, name: &str, children: Vec<Code>| Code {
            guid,
            name: name.into(),
            is_codable: true,
            description: None,
            note_refs: vec![],
            children,
        };
        let mut project = crate::Project {
            codes: vec![node(
                g(Kind::Subtheme, "resources/time-people-money"),
                "Time",
                vec![node(
                    g(Kind::Polarity, "resources/time-people-money#barrier"),
                    "barrier",
                    vec![],
                )],
            )],
            ..Default::default()
        };
        let candidates = vec![(f, table.clone())];
        let (found, note) = recognise(&project, &candidates);
        let found = found.unwrap();
        assert!(note.is_none());
        assert_eq!(found.mapping.rules.len(), 2);
        assert_eq!(found.mapping.rules[1].polarity, Some(Polarity::Barrier));
        project.codes.push(code("Nytt", 9, vec![]));
        let (found, note) = recognise(&project, &candidates);
        assert!(found.is_none());
        assert!(note.unwrap().starts_with("1 of the 2 codes in use"));
    }
}

/// The GUID each code of `framework` goes out under, with what it stands for: a subtheme
/// (`None`) or a subtheme with a polarity. Categories are left out: nothing is coded with
/// them.
fn framework_guids(
    framework: &Framework,
    guids: &GuidTable,
) -> HashMap<Guid, (CodeId, Option<Polarity>)> {
    let mut out = HashMap::new();
    for code in framework.codes() {
        out.insert(
            guids.get(Kind::Subtheme, &code.to_string()),
            (code.clone(), None),
        );
        for p in Polarity::ALL {
            out.insert(
                guids.get(Kind::Polarity, &format!("{code}#{p}")),
                (code.clone(), Some(p)),
            );
        }
    }
    out
}

/// A framework recognised by its codes' GUIDs: a project that went out from samskap and
/// comes back lands on the framework it left, not on a new one.
#[derive(Debug)]
pub struct Recognised {
    /// A mapping by GUID onto the framework.
    pub mapping: Mapping,
    /// The framework.
    pub framework: Framework,
}

/// Looks for a framework among `candidates` (each with the GUIDs kept for its codes) that
/// has a GUID for every code the project's codings use (every leaf code when there are no
/// codings). Returns it as a mapping by GUID, or `None` with, when a framework matched
/// some of the codes but not all, a sentence saying so.
pub fn recognise(
    project: &crate::Project,
    candidates: &[(Framework, GuidTable)],
) -> (Option<Recognised>, Option<String>) {
    let coded: std::collections::BTreeSet<&Guid> = project
        .sources
        .iter()
        .flat_map(|s| &s.selections)
        .flat_map(|s| &s.codings)
        .map(|c| &c.code)
        .collect();
    let nodes = flatten(&project.codes);
    let required: Vec<&Node<'_>> = nodes
        .iter()
        .filter(|n| {
            if coded.is_empty() {
                n.is_leaf
            } else {
                coded.contains(&n.code.guid)
            }
        })
        .collect();
    if required.is_empty() {
        return (None, None);
    }
    let mut partial: Option<(usize, &Framework)> = None;
    for (framework, guids) in candidates {
        let known = framework_guids(framework, guids);
        let matched = required
            .iter()
            .filter(|n| known.contains_key(&n.code.guid))
            .count();
        if matched == required.len() {
            let rules = nodes
                .iter()
                .filter_map(|n| {
                    known.get(&n.code.guid).map(|(code, polarity)| Rule {
                        path: None,
                        guid: Some(n.code.guid.clone()),
                        to: code.clone(),
                        polarity: *polarity,
                    })
                })
                .collect();
            return (
                Some(Recognised {
                    mapping: Mapping {
                        framework: framework.id().clone(),
                        default_polarity: None,
                        rules,
                    },
                    framework: framework.clone(),
                }),
                None,
            );
        }
        if matched > 0 && partial.is_none_or(|(m, _)| matched > m) {
            partial = Some((matched, framework));
        }
    }
    let note = partial.map(|(m, f)| {
        format!(
            "{m} of the {} codes in use are codes of framework `{}` (by their GUIDs), the others are new; give a mapping with a rule for each new code to land on `{}`",
            required.len(),
            f.id(),
            f.id()
        )
    });
    (None, note)
}
