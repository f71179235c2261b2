//! From a tool's code tree to samskap codes: either a framework of its own, the tool's whole
//! tree by the documented convention, or an existing framework through a [`Mapping`].
//!
//! The convention: every tool code is a code, its path made of ids from the names on the
//! way, except a code named for a polarity (`barrier`, `barriers`, `barriere`, `barrierer`,
//! `hindring`, `hindringer`, `opportunity`, `opportunities`, `mulighet`, `muligheter`, any
//! case). That one folds into the code above it: codings of it are codings of that code
//! with the qualifier `polarity`, and the codes under it take the polarity too and leave its
//! name out of their path. A project with no such names has no qualifiers. The convention
//! lives in `samskap_core::convention`, shared with the Taguette importer.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use samskap_core::{
    Code as SamskapCode, CodeId, Framework, FrameworkId, FrameworkMeta, Labels, Qualifier,
    QualifierId, Qualifiers, ValueId, MAX_CODE_DEPTH,
};

use crate::guid::{code_key, qualified_key, Guid, GuidTable, Kind, Slugs};
use crate::mapping::{Mapping, Rule};
use crate::project::{Code, Skipped};
use crate::RefiError;

/// The language tag of labels made from a tool's names: REFI-QDA files do not say what
/// language their names are in, so they are `und` (BCP 47: undetermined).
pub const NAME_LANGUAGE: &str = "und";

/// The longest code path the core model holds, in bytes.
const MAX_PATH: usize = 512;

pub use samskap_core::convention::polarity_word;
use samskap_core::convention::{polarity, polarity_qualifier, Place};

fn labels(pairs: &[(&str, &str)]) -> Labels {
    pairs
        .iter()
        .map(|(l, t)| ((*l).to_owned(), (*t).to_owned()))
        .collect()
}

/// A colour as `#rrggbb`, from the forms tools write: `#RRGGBB`, `#RGB` or `R,G,B`.
pub(crate) fn colour(raw: &str) -> Option<String> {
    let s = raw.trim();
    if let Some(hex) = s.strip_prefix('#') {
        if !hex.chars().all(|c| c.is_ascii_hexdigit()) {
            return None;
        }
        return match hex.len() {
            6 => Some(format!("#{}", hex.to_ascii_lowercase())),
            3 => Some(
                hex.chars()
                    .flat_map(|c| [c, c])
                    .fold(String::from("#"), |mut out, c| {
                        out.push(c.to_ascii_lowercase());
                        out
                    }),
            ),
            _ => None,
        };
    }
    let parts: Vec<u8> = s
        .split(',')
        .map(|p| p.trim().parse::<u8>())
        .collect::<Result<_, _>>()
        .ok()?;
    match parts.as_slice() {
        [r, g, b] => Some(format!("#{r:02x}{g:02x}{b:02x}")),
        _ => None,
    }
}

/// What one tool code stands for in samskap.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved {
    /// The samskap code, when the tool code lands on one.
    pub code: Option<CodeId>,
    /// Qualifier values a mapping rule fixes.
    pub from_rule: Qualifiers,
    /// Qualifier values from code names on the path (the convention), which apply where
    /// the code's framework declares them and no rule gives the qualifier a value.
    pub from_name: Qualifiers,
    /// The tool's path (names from the top joined by `/`), for messages.
    pub path: String,
}

/// The outcome of resolving a code tree.
pub struct CodeMap {
    /// The framework codings land in.
    pub framework: Framework,
    /// Every tool code, by GUID.
    pub codes: HashMap<Guid, Resolved>,
    /// What of the tree was not carried over, with counts.
    pub skipped: Skipped,
}

/// One node of the tree in pre-order, with its path.
struct Node<'a> {
    code: &'a Code,
    names: Vec<&'a str>,
    is_leaf: bool,
    /// Levels from this node down to its deepest leaf, itself included.
    height: usize,
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
            height: 1,
        });
    }
    // Heights bottom-up, in reverse pre-order: there every node comes after the nodes
    // under it, and the next node one level up is its parent or one of its parent's
    // earlier children. `tallest[d]` is the greatest height among the nodes at depth d + 1
    // seen since the last node at depth d.
    let deepest = out.iter().map(|n| n.names.len()).max().unwrap_or(0);
    let mut tallest = vec![0usize; deepest + 1];
    for n in out.iter_mut().rev() {
        let depth = n.names.len();
        n.height = std::mem::take(&mut tallest[depth]) + 1;
        tallest[depth - 1] = tallest[depth - 1].max(n.height);
    }
    out
}

/// The place of a node by the convention, and the nearest polarity on its path.
fn place(n: &Node<'_>, coded: &HashSet<Guid>) -> (Place, Option<&'static str>) {
    samskap_core::convention::place(&n.names, n.is_leaf || coded.contains(&n.code.guid))
}

/// Makes the tool's whole tree a framework of its own, by the convention. Codes that only
/// group others by polarity (`Barrierer` at the top) become codes only when `coded` holds
/// them.
pub fn own_framework(
    codes: &[Code],
    coded: &HashSet<Guid>,
    id: FrameworkId,
    label: &str,
    description: &str,
    guids: &mut GuidTable,
) -> Result<CodeMap, RefiError> {
    let nodes = flatten(codes);
    let mut skipped = Skipped::default();
    let places: Vec<(Place, Option<&'static str>)> =
        nodes.iter().map(|n| place(n, coded)).collect();

    // Codes, in the order met (each after the code above it): one per path of names, with
    // ids unique among siblings.
    let mut ids: HashMap<Vec<String>, CodeId> = HashMap::new();
    let mut slugs: HashMap<Option<CodeId>, Slugs> = HashMap::new();
    let mut made: Vec<SamskapCode> = Vec::new();
    let mut rank: HashMap<CodeId, usize> = HashMap::new();
    for (n, (p, _)) in nodes.iter().zip(&places) {
        let Place::Code(kept) = p else {
            let c = n.code;
            if matches!(p, Place::Folded(_)) {
                let lost = c.description.as_ref().is_some_and(|d| !d.trim().is_empty())
                    || c.color.is_some();
                skipped.add(
                    "description or colour of a code named for a polarity (it folds into the code above it as a qualifier value)",
                    usize::from(lost),
                );
            } else {
                skipped.add(
                    "code named for a polarity at the top of the tree, only grouping others (they take its polarity; it is not a code itself)",
                    1,
                );
            }
            continue;
        };
        let code = match ids.get(kept) {
            Some(code) => code.clone(),
            None => {
                let parent = match kept.len() {
                    1 => None,
                    k => Some(ids[&kept[..k - 1]].clone()),
                };
                let path = n.names.join("/");
                if kept.len() > MAX_CODE_DEPTH {
                    return Err(RefiError::Codebook(format!(
                        "code `{}`: it lies {} levels deep; samskap holds code trees at most {MAX_CODE_DEPTH} deep",
                        samskap_core::shorten(&path),
                        kept.len()
                    )));
                }
                // Room for this id and those under it (with their slashes), shared evenly,
                // so that long names deep down still make a path the model holds.
                let room =
                    MAX_PATH.saturating_sub(parent.as_ref().map_or(0, |p| p.as_str().len() + 1));
                let share = room.saturating_sub(n.height - 1) / n.height;
                let name = kept.last().expect("a path has a name");
                let seg = slugs
                    .entry(parent.clone())
                    .or_default()
                    .take_within(name, "code", share);
                let code = match &parent {
                    Some(p) => p.child(&seg),
                    None => seg.parse(),
                }
                .map_err(|_| {
                    RefiError::Codebook(format!(
                        "code `{}`: its path of ids would be longer than {MAX_PATH} characters; shorten the names above it",
                        samskap_core::shorten(&path)
                    ))
                })?;
                ids.insert(kept.clone(), code.clone());
                rank.insert(code.clone(), made.len());
                let mut label = Labels::new();
                if !name.is_empty() {
                    label.insert(NAME_LANGUAGE.to_owned(), name.clone());
                }
                made.push(SamskapCode {
                    id: code.clone(),
                    label,
                    definition: String::new(),
                    colour: None,
                    memo: None,
                });
                code
            }
        };
        // Codes merged by name take the first description and colour given.
        let target = &mut made[rank[&code]];
        if let Some(d) = n.code.description.as_ref().filter(|d| !d.trim().is_empty()) {
            if target.definition.is_empty() {
                target.definition = d.trim().to_owned();
            }
        }
        if let Some(raw) = &n.code.color {
            match colour(raw) {
                Some(c) => {
                    target.colour.get_or_insert(c);
                }
                None => skipped.add(
                    "code colour not written #RRGGBB, #RGB or R,G,B (not kept)",
                    1,
                ),
            }
        }
    }

    // Where each node lands, and the codes that take a polarity.
    let mut resolved: Vec<(Option<CodeId>, Option<&'static str>)> = Vec::new();
    let mut received: BTreeSet<(usize, CodeId)> = BTreeSet::new();
    for (p, pol) in &places {
        let code = match p {
            Place::Code(kept) | Place::Folded(kept) => Some(ids[kept].clone()),
            Place::Group => None,
        };
        if let (Some(c), Some(_)) = (&code, pol) {
            received.insert((rank[c], c.clone()));
        }
        resolved.push((code, *pol));
    }
    // The qualifier applies to the codes that take a polarity and those under them: listed
    // as the fewest codes that cover them, so that the tree samskap writes (values under
    // each code the qualifier applies to) reads back as the same framework.
    let mut cover: Vec<CodeId> = Vec::new();
    for (_, c) in &received {
        if !cover.iter().any(|a| c.is_within(a)) {
            cover.push(c.clone());
        }
    }
    let qualifiers = if received.is_empty() {
        Vec::new()
    } else {
        vec![polarity_qualifier(cover)]
    };
    let framework = Framework::new(
        FrameworkMeta {
            id,
            label: labels(&[(NAME_LANGUAGE, label)]),
            description: description.to_owned(),
        },
        made,
        qualifiers,
    )?;
    guids.framework_scope = framework.id().to_string();

    let mut map = HashMap::new();
    let mut merged = 0;
    for (n, (code, pol)) in nodes.iter().zip(resolved) {
        let from_name = pol.map(polarity).unwrap_or_default();
        if let Some(c) = &code {
            let kept = if from_name.is_empty() {
                guids.keep(Kind::Code, &code_key(c), &n.code.guid)
            } else {
                guids.keep(Kind::Qualified, &qualified_key(c, &from_name), &n.code.guid)
            };
            merged += usize::from(!kept);
        }
        map.insert(
            n.code.guid.clone(),
            Resolved {
                code,
                from_rule: Qualifiers::none(),
                from_name,
                path: n.names.join("/"),
            },
        );
    }
    skipped.add(MERGED, merged);
    Ok(CodeMap {
        framework,
        codes: map,
        skipped,
    })
}

/// Tool codes that land on the samskap code (and values) another one landed on first.
const MERGED: &str =
    "code that lands on the same samskap code and values as another (merged; its GUID is not kept)";

/// The values of `qualifiers` that `framework` declares for `code`, and whether all were.
pub(crate) fn declared(
    framework: &Framework,
    code: &CodeId,
    qualifiers: &Qualifiers,
) -> Result<(), String> {
    for (q, v) in qualifiers.iter() {
        let Some(decl) = framework.qualifiers_of(code).find(|d| &d.id == q) else {
            let allowed: Vec<String> = framework
                .qualifiers_of(code)
                .map(|d| format!("`{}`", d.id))
                .collect();
            return Err(format!(
                "framework `{}` declares no qualifier `{q}` for code `{code}` (it takes {})",
                framework.id(),
                if allowed.is_empty() {
                    "none".to_owned()
                } else {
                    allowed.join(", ")
                }
            ));
        };
        if decl.value_rank(v).is_none() {
            return Err(format!(
                "`{v}` is not a value of qualifier `{q}` (its values: {})",
                values_of(decl)
            ));
        }
    }
    Ok(())
}

/// A qualifier's values, for messages: `barrier|opportunity`.
pub(crate) fn values_of(q: &Qualifier) -> String {
    q.values
        .iter()
        .map(|v| v.id.as_str())
        .collect::<Vec<_>>()
        .join("|")
}

/// Checks default values against a framework: each qualifier must be one it declares, and
/// each value one of that qualifier's. Returns the qualifiers it does not declare.
pub(crate) fn check_defaults(
    framework: &Framework,
    defaults: &Qualifiers,
    what: &str,
) -> Result<Vec<QualifierId>, RefiError> {
    let mut undeclared = Vec::new();
    for (q, v) in defaults.iter() {
        match framework.qualifier(q) {
            None => undeclared.push(q.clone()),
            Some(decl) if decl.value_rank(v).is_none() => {
                return Err(RefiError::DefaultValue {
                    given: format!("{what} {q}={v}"),
                    problem: format!(
                    "`{v}` is not a value of qualifier `{q}` of framework `{}` (its values: {})",
                    framework.id(),
                    values_of(decl)
                ),
                })
            }
            Some(_) => {}
        }
    }
    Ok(undeclared)
}

/// Lands the tool's codes on an existing framework through a mapping. Codes no rule covers
/// land nowhere (`code: None`); those that codings use stop the import there, the others are
/// counted.
pub fn mapped(
    codes: &[Code],
    mapping: &Mapping,
    framework: Framework,
    coded: &HashSet<Guid>,
    guids: &mut GuidTable,
) -> Result<CodeMap, RefiError> {
    for (i, r) in mapping.rules.iter().enumerate() {
        let n = i + 1;
        if !framework.contains(&r.to) {
            return Err(RefiError::Mapping(format!(
                "code rule {n}: `to = \"{}\"`: framework `{}` has no such code",
                r.to,
                framework.id()
            )));
        }
        declared(&framework, &r.to, &r.qualifiers)
            .map_err(|e| RefiError::Mapping(format!("code rule {n}: {e}")))?;
    }
    guids.framework_scope = framework.id().to_string();
    let mut skipped = Skipped::default();
    let mut map = HashMap::new();
    let mut merged = 0;
    // Pre-order with the rule each node inherits.
    let mut stack: Vec<(&Code, Vec<&str>, Option<&Rule>)> = codes
        .iter()
        .rev()
        .map(|c| (c, vec![c.name.as_str()], None))
        .collect();
    while let Some((c, names, inherited)) = stack.pop() {
        let path = names.join("/");
        let rule = mapping.rule_for(&path, &c.guid).or(inherited);
        for child in c.children.iter().rev() {
            let mut n = names.clone();
            n.push(child.name.as_str());
            stack.push((child, n, rule));
        }
        let from_name = names
            .iter()
            .rev()
            .find_map(|n| polarity_word(n))
            .map(polarity)
            .unwrap_or_default();
        match rule {
            Some(r) => {
                // The code's GUID goes with the code and the values its codings carry from
                // the file (defaults aside, which are the importer's choice).
                let mut values: Vec<(QualifierId, ValueId)> = r
                    .qualifiers
                    .iter()
                    .map(|(q, v)| (q.clone(), v.clone()))
                    .collect();
                for (q, v) in from_name.iter() {
                    let one = Qualifiers::one(q.clone(), v.clone());
                    if r.qualifiers.get(q).is_none() && declared(&framework, &r.to, &one).is_ok() {
                        values.push((q.clone(), v.clone()));
                    }
                }
                let values = Qualifiers::new(values).expect("one value per qualifier");
                let kept = if values.is_empty() {
                    guids.keep(Kind::Code, &code_key(&r.to), &c.guid)
                } else {
                    guids.keep(Kind::Qualified, &qualified_key(&r.to, &values), &c.guid)
                };
                merged += usize::from(!kept);
            }
            None if !coded.contains(&c.guid) => skipped.add(
                "code no mapping rule covers and no coding uses (not imported)",
                1,
            ),
            None => {}
        }
        map.insert(
            c.guid.clone(),
            Resolved {
                code: rule.map(|r| r.to.clone()),
                from_rule: rule.map(|r| r.qualifiers.clone()).unwrap_or_default(),
                from_name,
                path,
            },
        );
    }
    skipped.add(MERGED, merged);
    Ok(CodeMap {
        framework,
        codes: map,
        skipped,
    })
}

/// At most this many combinations of values of several qualifiers are looked for under one
/// code when a framework is recognised; beyond it, only codes with one value.
const MAX_COMBINATIONS: usize = 1024;

/// The qualifier values a code of `framework` may carry in one coding: each applying
/// qualifier with none or one of its values (the empty set first), or, when that makes more
/// than [`MAX_COMBINATIONS`], no value or one value of one qualifier.
pub(crate) fn combinations(framework: &Framework, code: &CodeId) -> Vec<Qualifiers> {
    let applying: Vec<&Qualifier> = framework.qualifiers_of(code).collect();
    let count = applying
        .iter()
        .try_fold(1usize, |n, q| n.checked_mul(q.values.len() + 1));
    let singles = || {
        std::iter::once(Qualifiers::none())
            .chain(applying.iter().flat_map(|q| {
                q.values
                    .iter()
                    .map(|v| Qualifiers::one(q.id.clone(), v.id.clone()))
            }))
            .collect()
    };
    match count {
        Some(n) if n <= MAX_COMBINATIONS => {
            let mut out: Vec<Vec<(QualifierId, ValueId)>> = vec![Vec::new()];
            for q in &applying {
                let mut next = Vec::with_capacity(out.len() * (q.values.len() + 1));
                for partial in &out {
                    next.push(partial.clone());
                    for v in &q.values {
                        let mut p = partial.clone();
                        p.push((q.id.clone(), v.id.clone()));
                        next.push(p);
                    }
                }
                out = next;
            }
            out.into_iter()
                .map(|p| Qualifiers::new(p).expect("one value per qualifier"))
                .collect()
        }
        _ => singles(),
    }
}

/// The GUID each code of `framework`, alone or with qualifier values, goes out under.
fn framework_guids(
    framework: &Framework,
    guids: &GuidTable,
) -> HashMap<Guid, (CodeId, Qualifiers)> {
    let mut out = HashMap::new();
    for code in framework.codes() {
        for q in combinations(framework, &code.id) {
            let g = if q.is_empty() {
                guids.get(Kind::Code, &code_key(&code.id))
            } else {
                guids.get(Kind::Qualified, &qualified_key(&code.id, &q))
            };
            out.insert(g, (code.id.clone(), q));
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
    let coded: BTreeSet<&Guid> = project
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
                    known.get(&n.code.guid).map(|(code, qualifiers)| Rule {
                        path: None,
                        guid: Some(n.code.guid.clone()),
                        to: code.clone(),
                        qualifiers: qualifiers.clone(),
                    })
                })
                .collect();
            return (
                Some(Recognised {
                    mapping: Mapping {
                        framework: framework.id().clone(),
                        default_qualifiers: Qualifiers::none(),
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

/// Tool paths with how many codings each, for messages: at most ten, most used first.
pub(crate) fn by_path(counts: &BTreeMap<String, usize>) -> String {
    let mut v: Vec<(&String, &usize)> = counts.iter().collect();
    v.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    let mut out: Vec<String> = v
        .iter()
        .take(10)
        .map(|(p, n)| format!("`{}` ({n})", samskap_core::shorten(p)))
        .collect();
    if v.len() > 10 {
        out.push(format!("and {} more", v.len() - 10));
    }
    out.join(", ")
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
            color: None,
            note_refs: vec![],
            children,
        }
    }

    fn own(tree: &[Code], coded: &HashSet<Guid>) -> CodeMap {
        let mut guids = GuidTable::new("s", "f");
        own_framework(tree, coded, "f".parse().unwrap(), "F", "", &mut guids).unwrap()
    }

    fn ids(f: &Framework) -> Vec<&str> {
        f.codes().iter().map(|c| c.id.as_str()).collect()
    }

    #[test]
    fn the_convention_folds_polarity_codes_into_the_code_above() {
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
        let m = own(&tree, &HashSet::new());
        assert_eq!(
            ids(&m.framework),
            ["struktur", "struktur/infrastruktur", "tid", "okonomi"]
        );
        let barrier = &m.codes[&tree[0].children[0].children[0].guid];
        assert_eq!(
            barrier.code.as_ref().unwrap().as_str(),
            "struktur/infrastruktur"
        );
        assert_eq!(barrier.from_name.to_string(), "polarity=barrier");
        let econ = &m.codes[&tree[2].children[0].guid];
        assert_eq!(econ.from_name.to_string(), "polarity=barrier");
        assert!(m.codes[&tree[1].guid].from_name.is_empty());
        assert_eq!(m.codes[&tree[2].guid].code, None);
        // The qualifier covers the codes that took a polarity, and is not required.
        let q = &m.framework.qualifiers()[0];
        assert_eq!(q.id.as_str(), "polarity");
        assert!(!q.required);
        let covered: Vec<&str> = q.codes.iter().map(|c| c.as_str()).collect();
        assert_eq!(covered, ["struktur/infrastruktur", "okonomi"]);
        assert_eq!(
            m.skipped.0.keys().collect::<Vec<_>>(),
            ["code named for a polarity at the top of the tree, only grouping others (they take its polarity; it is not a code itself)"]
        );
    }

    #[test]
    fn a_tree_without_polarity_names_has_no_qualifiers_and_keeps_every_level() {
        let tree = vec![code(
            "Organisering",
            1,
            vec![
                code("Ledelse", 2, vec![code("Forankring", 3, vec![])]),
                code("ledelse", 4, vec![]),
                code("Ledelse!", 5, vec![]),
            ],
        )];
        let m = own(&tree, &HashSet::new());
        assert!(m.framework.qualifiers().is_empty());
        assert_eq!(
            ids(&m.framework),
            [
                "organisering",
                "organisering/ledelse",
                "organisering/ledelse/forankring",
                "organisering/ledelse-2",
                "organisering/ledelse-3"
            ]
        );
        let c = &m.framework.codes()[1];
        assert_eq!(c.label[NAME_LANGUAGE], "Ledelse");
        assert!(m.codes.values().all(|r| r.code.is_some()));
    }

    #[test]
    fn descriptions_and_colours_are_kept() {
        let mut top = code("Tid", 1, vec![code("Venting", 2, vec![])]);
        top.description = Some(" Tid brukt. ".into());
        top.color = Some("#C00".into());
        top.children[0].color = Some("12, 200,3".into());
        let mut odd = code("Rart", 3, vec![]);
        odd.color = Some("red".into());
        let m = own(&[top, odd], &HashSet::new());
        let c = m.framework.codes();
        assert_eq!(c[0].definition, "Tid brukt.");
        assert_eq!(c[0].colour.as_deref(), Some("#cc0000"));
        assert_eq!(c[1].colour.as_deref(), Some("#0cc803"));
        assert_eq!(c[2].colour, None);
        assert_eq!(
            m.skipped.0["code colour not written #RRGGBB, #RGB or R,G,B (not kept)"],
            1
        );
    }

    #[test]
    fn colours_are_read_in_the_forms_tools_write() {
        assert_eq!(colour("#AbCdEf").as_deref(), Some("#abcdef"));
        assert_eq!(colour(" #fa0 ").as_deref(), Some("#ffaa00"));
        assert_eq!(colour("255,0,16").as_deref(), Some("#ff0010"));
        for bad in ["", "#12345", "#ggg", "256,0,0", "1,2", "blue", "#ff00ff80"] {
            assert_eq!(colour(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_coded_polarity_code_at_the_top_is_a_code_of_its_own() {
        let tree = vec![code("Barrierer", 1, vec![code("Tid", 2, vec![])])];
        let coded: HashSet<Guid> = [tree[0].guid.clone()].into();
        let m = own(&tree, &coded);
        assert_eq!(ids(&m.framework), ["barrierer", "tid"]);
        assert_eq!(
            m.codes[&tree[0].guid].from_name.to_string(),
            "polarity=barrier"
        );
    }

    #[test]
    fn a_tree_deeper_than_the_model_holds_is_refused_by_name() {
        let mut c = code("bunn", 0, vec![]);
        for n in 1..=MAX_CODE_DEPTH as u8 {
            c = code(&format!("c{n}"), n, vec![c]);
        }
        let mut guids = GuidTable::new("s", "f");
        let e = own_framework(
            &[c],
            &HashSet::new(),
            "f".parse().unwrap(),
            "F",
            "",
            &mut guids,
        )
        .err()
        .unwrap();
        assert!(e.to_string().contains("33 levels deep"), "{e}");
    }

    #[test]
    fn long_names_deep_down_still_make_a_path_the_model_holds() {
        let long = "Et langt navn på en kode som forklarer seg selv i en hel setning";
        let mut c = code(long, 0, vec![]);
        for n in 1..12u8 {
            c = code(&format!("{long} {n}"), n, vec![c]);
        }
        let m = own(&[c], &HashSet::new());
        let deepest = m.framework.codes().last().unwrap();
        assert_eq!(deepest.id.depth(), 12);
        assert!(deepest.id.as_str().len() <= MAX_PATH);
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
            color: None,
            note_refs: vec![],
            children,
        };
        let mut project = crate::Project {
            codes: vec![node(
                g(Kind::Code, "resources/time-people-money"),
                "Time",
                vec![node(
                    g(
                        Kind::Qualified,
                        "resources/time-people-money#polarity=barrier",
                    ),
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
        assert_eq!(
            found.mapping.rules[1].qualifiers.to_string(),
            "polarity=barrier"
        );
        project.codes.push(code("Nytt", 9, vec![]));
        let (found, note) = recognise(&project, &candidates);
        assert!(found.is_none());
        assert!(note.unwrap().starts_with("1 of the 2 codes in use"));
    }

    #[test]
    fn combinations_cover_every_choice_of_values_or_fall_back_to_single_ones() {
        let f = Framework::builtin("bentzen-2018").unwrap();
        let c: CodeId = "culture".parse().unwrap();
        let all: Vec<String> = combinations(&f, &c).iter().map(|q| q.to_string()).collect();
        assert_eq!(all, ["", "polarity=barrier", "polarity=opportunity"]);
    }

    #[test]
    fn mapping_rules_must_name_declared_qualifiers_and_values() {
        let f = Framework::builtin("bentzen-2018").unwrap();
        let tree = vec![code("Tid", 1, vec![])];
        let mapping = |q: &str| {
            Mapping::from_toml(&format!(
                "framework = \"bentzen-2018\"\n[[code]]\npath = \"Tid\"\nto = \"culture\"\nqualifiers = {{ {q} }}\n"
            ))
            .unwrap()
        };
        let mut guids = GuidTable::new("s", "");
        let e = mapped(
            &tree,
            &mapping("level = \"group\""),
            f.clone(),
            &HashSet::new(),
            &mut guids,
        )
        .err()
        .unwrap();
        assert!(
            e.to_string()
                .contains("code rule 1: framework `bentzen-2018` declares no qualifier `level` for code `culture` (it takes `polarity`)"),
            "{e}"
        );
        let e = mapped(
            &tree,
            &mapping("polarity = \"maybe\""),
            f,
            &HashSet::new(),
            &mut guids,
        )
        .err()
        .unwrap();
        assert!(
            e.to_string().contains(
                "`maybe` is not a value of qualifier `polarity` (its values: barrier|opportunity)"
            ),
            "{e}"
        );
    }
}
