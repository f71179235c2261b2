//! Taguette's tags as a framework of their own. Taguette keeps a tag as one path and shows a
//! tag's highlights with those of every tag whose path begins with it (its guide: "you can
//! use any punctuation to make hierarchies, so `tech.floss` lives underneath `tech`"). Split
//! at a separator (`.` unless told otherwise), the paths make a code tree: each level a
//! code, labelled with its part of the path; a level that is no tag itself becomes a code
//! too, so that the tree is whole. Every tag gets a code of its own, even when two paths
//! differ only in spaces, except by the naming convention every importer shares
//! (`samskap_core::convention`): a level named for a polarity (`Ressurser.Barrierer`) folds
//! into the code above it as a value of the qualifier `polarity`.

use std::collections::{BTreeSet, HashMap, HashSet};

use samskap_core::convention::{place, polarity, polarity_qualifier, Place};
use samskap_core::{
    Code, CodeId, Framework, FrameworkMeta, Labels, Qualifiers, Slugs, MAX_CODE_DEPTH,
};

use crate::source::Tag;
use crate::TaguetteError;

/// The framework and the code (and qualifier values) each tag became.
pub(crate) struct Codebook {
    pub framework: Framework,
    pub code_of: HashMap<i64, (CodeId, Qualifiers)>,
    /// Codes made for levels of paths that are no tag themselves.
    pub levels_added: usize,
    /// What of the tags did not become part of the framework, with counts.
    pub not_kept: Vec<(String, usize)>,
}

struct Node {
    label: String,
    parent: Option<usize>,
    tag: Option<usize>,
}

/// The levels of a path: for each, the path up to it (which names the node) and its label.
fn levels(path: &str, separator: Option<&str>) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    if let Some(sep) = separator.filter(|s| !s.is_empty()) {
        let mut offset = 0;
        for part in path.split(sep) {
            let end = offset + part.len();
            if !part.trim().is_empty() {
                out.push((path[..end].to_owned(), part.trim().to_owned()));
            }
            offset = end + sep.len();
        }
        if out.len() > MAX_CODE_DEPTH {
            let rest: Vec<String> = out.drain(MAX_CODE_DEPTH - 1..).map(|(_, l)| l).collect();
            out.push((path.to_owned(), rest.join(sep)));
        }
    }
    if out.is_empty() {
        let label = if path.trim().is_empty() {
            path.to_owned()
        } else {
            path.trim().to_owned()
        };
        out.push((path.to_owned(), label));
    }
    // The last level is the tag itself, named by its whole path (`a.` is not `a`).
    if let Some(last) = out.last_mut() {
        last.0 = path.to_owned();
    }
    out
}

/// `coded` holds the tags some highlight carries: a tag named for a polarity at the top
/// of the tree that only groups others is a code of its own only then.
pub(crate) fn codebook(
    tags: &[Tag],
    coded: &HashSet<i64>,
    meta: FrameworkMeta,
    lang: &str,
    separator: Option<&str>,
) -> Result<Codebook, TaguetteError> {
    let separator = separator.filter(|s| !s.is_empty());
    // Paths with an empty level (`a..b`, `a.`) come last, so that a well-formed path never
    // yields its plain id to an odd one.
    let odd = |t: &Tag| separator.is_some_and(|sep| t.path.split(sep).any(|p| p.trim().is_empty()));
    let mut order: Vec<usize> = (0..tags.len()).collect();
    order.sort_by(|&a, &b| {
        (odd(&tags[a]), &tags[a].path, tags[a].id).cmp(&(odd(&tags[b]), &tags[b].path, tags[b].id))
    });
    // A tag is a leaf when no other tag lies under it.
    let prefixes: HashSet<&str> = match separator {
        Some(sep) => tags
            .iter()
            .flat_map(|t| t.path.match_indices(sep).map(move |(i, _)| &t.path[..i]))
            .collect(),
        None => HashSet::new(),
    };
    let mut nodes: Vec<Node> = Vec::new();
    let mut at: HashMap<String, usize> = HashMap::new();
    // Each tag's node and the polarity its path gives, if any.
    let mut landing: HashMap<usize, (usize, Option<&'static str>)> = HashMap::new();
    let (mut folded_texts, mut groups) = (0usize, 0usize);
    for &t in &order {
        let tag = &tags[t];
        let all = levels(&tag.path, separator);
        let labels: Vec<&str> = all.iter().map(|(_, l)| l.as_str()).collect();
        let stands_alone = coded.contains(&tag.id) || !prefixes.contains(tag.path.as_str());
        let (placed, pol) = if separator.is_some() {
            place(&labels, stands_alone)
        } else {
            (Place::Code(Vec::new()), None)
        };
        // The levels that make codes: those not named for a polarity (all of them when the
        // tag's own name is no polarity, or when it stands alone at the top).
        let kept: Vec<(String, String)> = match &placed {
            Place::Group => {
                groups += 1;
                continue;
            }
            Place::Code(names) if names.len() == 1 && pol.is_some() && all.len() == 1 => all,
            _ if pol.is_none() => all,
            _ => {
                let mut kept: Vec<(String, String)> = Vec::new();
                let mut key = String::new();
                let sep = separator.unwrap_or_default();
                for (_, label) in &all {
                    if samskap_core::convention::polarity_word(label).is_some() {
                        continue;
                    }
                    if !key.is_empty() {
                        key.push_str(sep);
                    }
                    key.push_str(label);
                    kept.push((key.clone(), label.clone()));
                }
                kept
            }
        };
        let folded = matches!(placed, Place::Folded(_));
        if folded && !tag.description.trim().is_empty() {
            folded_texts += 1;
        }
        let mut parent = None;
        for (key, label) in kept {
            let n = match at.get(&key) {
                Some(&n) => n,
                None => {
                    nodes.push(Node {
                        label,
                        parent,
                        tag: None,
                    });
                    at.insert(key, nodes.len() - 1);
                    nodes.len() - 1
                }
            };
            parent = Some(n);
        }
        let n = parent.expect("a path has a level");
        if !folded && pol.is_none() {
            if let Some(other) = nodes[n].tag {
                // Two tags with one path: Taguette's schema forbids it, a damaged file may not.
                return Err(TaguetteError::Tag {
                    id: tag.id,
                    path: tag.path.clone(),
                    reason: format!("tag {} has the same path", tags[other].id),
                });
            }
            nodes[n].tag = Some(t);
        } else if !folded && nodes[n].tag.is_none() {
            // A tag under a polarity level (`Barrierer.Tid`) gives its code the definition.
            nodes[n].tag = Some(t);
        }
        landing.insert(t, (n, pol));
    }
    // Ids in creation order: a parent is always made before the codes under it.
    let mut ids: Vec<CodeId> = Vec::with_capacity(nodes.len());
    let mut siblings: HashMap<Option<usize>, Slugs> = HashMap::new();
    let mut codes = Vec::with_capacity(nodes.len());
    let mut code_of = HashMap::new();
    for node in &nodes {
        let slug = siblings
            .entry(node.parent)
            .or_default()
            .take(&node.label, "tag");
        let id = match node.parent {
            Some(p) => ids[p].child(&slug),
            None => slug.parse(),
        };
        let id = id.map_err(|_| {
            let t = &tags[node
                .tag
                .unwrap_or_else(|| first_tag_under(&nodes, ids.len()))];
            TaguetteError::Tag {
                id: t.id,
                path: t.path.clone(),
                reason: "its path is too long for a code (at most 512 bytes as an id)".into(),
            }
        })?;
        let definition = node
            .tag
            .map(|t| tags[t].description.trim().to_owned())
            .unwrap_or_default();
        codes.push(Code {
            id: id.clone(),
            label: Labels::from([(lang.to_owned(), node.label.clone())]),
            definition,
            colour: None,
            memo: None,
        });
        ids.push(id);
    }
    let landed: HashSet<usize> = landing.values().map(|(n, _)| *n).collect();
    let levels_added = (0..nodes.len()).filter(|n| !landed.contains(n)).count();
    // The qualifier applies to the codes that take a polarity and those under them, listed
    // as the fewest codes that cover them (as REFI import does).
    let received: BTreeSet<usize> = landing
        .values()
        .filter(|(_, p)| p.is_some())
        .map(|(n, _)| *n)
        .collect();
    let mut cover: Vec<CodeId> = Vec::new();
    for &n in &received {
        if !cover.iter().any(|a| ids[n].is_within(a)) {
            cover.push(ids[n].clone());
        }
    }
    for (&t, &(n, pol)) in &landing {
        code_of.insert(
            tags[t].id,
            (ids[n].clone(), pol.map(polarity).unwrap_or_default()),
        );
    }
    let qualifiers = if cover.is_empty() {
        Vec::new()
    } else {
        vec![polarity_qualifier(cover)]
    };
    let framework = Framework::new(meta, codes, qualifiers)?;
    let mut not_kept = Vec::new();
    if folded_texts > 0 {
        not_kept.push((
            "descriptions of tags named for a polarity (each folds into the code above it as a qualifier value)".to_owned(),
            folded_texts,
        ));
    }
    if groups > 0 {
        not_kept.push((
            "tags named for a polarity at the top, only grouping others (they take its polarity; it is no code itself)".to_owned(),
            groups,
        ));
    }
    Ok(Codebook {
        framework,
        code_of,
        levels_added,
        not_kept,
    })
}

/// A tag at or under node `n`, to name in a message about a level that is no tag.
fn first_tag_under(nodes: &[Node], n: usize) -> usize {
    nodes
        .iter()
        .enumerate()
        .skip(n)
        .find(|(k, node)| {
            node.tag.is_some() && {
                let mut p = Some(*k);
                while let Some(q) = p {
                    if q == n {
                        break;
                    }
                    p = nodes[q].parent;
                }
                p == Some(n)
            }
        })
        .and_then(|(_, node)| node.tag)
        .expect("every level lies on a tag's path")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tag(id: i64, path: &str, description: &str) -> Tag {
        Tag {
            id,
            path: path.into(),
            description: description.into(),
        }
    }

    fn meta() -> FrameworkMeta {
        FrameworkMeta {
            id: "f".parse().unwrap(),
            label: Labels::from([("und".to_owned(), "F".to_owned())]),
            description: String::new(),
        }
    }

    #[test]
    fn paths_make_a_tree_with_levels_that_are_no_tag() {
        let tags = vec![
            tag(1, "Økonomi.Tid", "Mangel på tid"),
            tag(2, "Økonomi", "Penger og tid"),
            tag(3, "Samarbeid.På tvers.Skole", ""),
            tag(4, "interesting\\places", ""),
            tag(5, "Økonomi.tid", "Skrevet smått"),
        ];
        let c = codebook(&tags, &HashSet::new(), meta(), "und", Some(".")).unwrap();
        let ids: Vec<&str> = c.framework.codes().iter().map(|c| c.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "samarbeid",
                "samarbeid/pa-tvers",
                "samarbeid/pa-tvers/skole",
                "interesting-places",
                "okonomi",
                "okonomi/tid",
                "okonomi/tid-2",
            ]
        );
        assert_eq!(c.levels_added, 2);
        assert_eq!(c.code_of[&1].0.as_str(), "okonomi/tid");
        assert_eq!(c.code_of[&5].0.as_str(), "okonomi/tid-2");
        let tid = c.framework.code(&c.code_of[&1].0).unwrap();
        assert_eq!(tid.label["und"], "Tid");
        assert_eq!(tid.definition, "Mangel på tid");
        assert_eq!(
            c.framework.code(&"okonomi".parse().unwrap()).unwrap().label["und"],
            "Økonomi"
        );
    }

    #[test]
    fn odd_paths_and_no_separator() {
        let tags = vec![
            tag(1, "a..b", ""),
            tag(2, "a.b", ""),
            tag(3, "a.", ""),
            tag(4, "...", ""),
        ];
        let c = codebook(&tags, &HashSet::new(), meta(), "und", Some(".")).unwrap();
        assert_eq!(c.code_of[&2].0.as_str(), "a/b");
        assert_eq!(c.code_of[&1].0.as_str(), "a/b-2");
        assert_eq!(c.code_of[&3].0.as_str(), "a-2");
        assert_eq!(c.code_of[&4].0.as_str(), "tag");
        let flat = codebook(&tags, &HashSet::new(), meta(), "und", None).unwrap();
        assert!(flat.framework.codes().iter().all(|c| c.id.depth() == 1));
        assert_eq!(flat.levels_added, 0);
    }

    #[test]
    fn deep_paths_fold_and_long_ones_are_refused() {
        let deep = (0..40)
            .map(|i| format!("l{i}"))
            .collect::<Vec<_>>()
            .join(".");
        let c = codebook(
            &[tag(1, &deep, "")],
            &HashSet::new(),
            meta(),
            "und",
            Some("."),
        )
        .unwrap();
        let id = &c.code_of[&1].0;
        assert_eq!(id.depth(), MAX_CODE_DEPTH);
        assert_eq!(
            c.framework.code(id).unwrap().label["und"],
            (31..40)
                .map(|i| format!("l{i}"))
                .collect::<Vec<_>>()
                .join(".")
        );
        let long = (0..20)
            .map(|_| "x".repeat(60))
            .collect::<Vec<_>>()
            .join(".");
        let e = codebook(
            &[tag(7, &long, "")],
            &HashSet::new(),
            meta(),
            "und",
            Some("."),
        )
        .err()
        .unwrap();
        assert!(e.to_string().starts_with("tag 7 "), "{e}");
    }

    #[test]
    fn levels_named_for_a_polarity_fold_into_the_code_above_as_a_qualifier_value() {
        let tags = vec![
            tag(1, "Ressurser", "Tid, penger og folk."),
            tag(2, "Ressurser.Barrierer", "Det som hindrer."),
            tag(3, "Ressurser.Muligheter.Tid", "Tid som finnes."),
            tag(4, "Hindringer", ""),
            tag(5, "Hindringer.Kultur", ""),
            tag(6, "Mulighet", ""),
        ];
        let c = codebook(&tags, &HashSet::new(), meta(), "und", Some(".")).unwrap();
        let ids: Vec<&str> = c.framework.codes().iter().map(|c| c.id.as_str()).collect();
        assert_eq!(ids, ["kultur", "mulighet", "ressurser", "ressurser/tid"]);
        let on = |t: i64| {
            let (code, q) = &c.code_of[&t];
            format!("{code}#{q}")
        };
        assert_eq!(on(1), "ressurser#");
        assert_eq!(on(2), "ressurser#polarity=barrier");
        assert_eq!(on(3), "ressurser/tid#polarity=opportunity");
        assert_eq!(on(5), "kultur#polarity=barrier");
        // A polarity tag at the top that groups others and has no highlight is no code; one
        // that stands alone is a code with its polarity.
        assert!(!c.code_of.contains_key(&4));
        assert_eq!(on(6), "mulighet#polarity=opportunity");
        let q = &c.framework.qualifiers()[0];
        assert_eq!(q.id.as_str(), "polarity");
        let covered: Vec<&str> = q.codes.iter().map(|c| c.as_str()).collect();
        assert_eq!(covered, ["kultur", "mulighet", "ressurser"]);
        assert_eq!(
            c.framework
                .code(&"ressurser".parse().unwrap())
                .unwrap()
                .definition,
            "Tid, penger og folk."
        );
        assert_eq!(c.not_kept.len(), 2);
        // The same tags with a highlight on `Hindringer`: a code of its own.
        let coded = HashSet::from([4]);
        let c = codebook(&tags, &coded, meta(), "und", Some(".")).unwrap();
        assert_eq!(on_code(&c, 4), "hindringer#polarity=barrier");
    }

    fn on_code(c: &Codebook, t: i64) -> String {
        let (code, q) = &c.code_of[&t];
        format!("{code}#{q}")
    }
}
