//! Taguette's tags as a framework of their own. Taguette keeps a tag as one path and shows a
//! tag's highlights with those of every tag whose path begins with it (its guide: "you can
//! use any punctuation to make hierarchies, so `tech.floss` lives underneath `tech`"). Split
//! at a separator (`.` unless told otherwise), the paths make a code tree: each level a
//! code, labelled with its part of the path; a level that is no tag itself becomes a code
//! too, so that the tree is whole. Every tag gets a code of its own, even when two paths
//! differ only in spaces.

use std::collections::HashMap;

use samskap_core::{Code, CodeId, Framework, FrameworkMeta, Labels, Slugs, MAX_CODE_DEPTH};

use crate::source::Tag;
use crate::TaguetteError;

/// The framework and the code each tag became.
pub(crate) struct Codebook {
    pub framework: Framework,
    pub code_of: HashMap<i64, CodeId>,
    /// Codes made for levels of paths that are no tag themselves.
    pub levels_added: usize,
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

pub(crate) fn codebook(
    tags: &[Tag],
    meta: FrameworkMeta,
    lang: &str,
    separator: Option<&str>,
) -> Result<Codebook, TaguetteError> {
    // Paths with an empty level (`a..b`, `a.`) come last, so that a well-formed path never
    // yields its plain id to an odd one.
    let odd = |t: &Tag| {
        separator
            .is_some_and(|sep| !sep.is_empty() && t.path.split(sep).any(|p| p.trim().is_empty()))
    };
    let mut order: Vec<usize> = (0..tags.len()).collect();
    order.sort_by(|&a, &b| {
        (odd(&tags[a]), &tags[a].path, tags[a].id).cmp(&(odd(&tags[b]), &tags[b].path, tags[b].id))
    });
    let mut nodes: Vec<Node> = Vec::new();
    let mut at: HashMap<String, usize> = HashMap::new();
    for &t in &order {
        let mut parent = None;
        for (key, label) in levels(&tags[t].path, separator) {
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
        if let Some(other) = nodes[n].tag {
            // Two tags with one path: Taguette's schema forbids it, a damaged file may not.
            return Err(TaguetteError::Tag {
                id: tags[t].id,
                path: tags[t].path.clone(),
                reason: format!("tag {} has the same path", tags[other].id),
            });
        }
        nodes[n].tag = Some(t);
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
        if let Some(t) = node.tag {
            code_of.insert(tags[t].id, id.clone());
        }
        codes.push(Code {
            id: id.clone(),
            label: Labels::from([(lang.to_owned(), node.label.clone())]),
            definition,
            colour: None,
            memo: None,
        });
        ids.push(id);
    }
    let levels_added = nodes.iter().filter(|n| n.tag.is_none()).count();
    let framework = Framework::new(meta, codes, Vec::new())?;
    Ok(Codebook {
        framework,
        code_of,
        levels_added,
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
        let c = codebook(&tags, meta(), "und", Some(".")).unwrap();
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
        assert_eq!(c.code_of[&1].as_str(), "okonomi/tid");
        assert_eq!(c.code_of[&5].as_str(), "okonomi/tid-2");
        let tid = c.framework.code(&c.code_of[&1]).unwrap();
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
        let c = codebook(&tags, meta(), "und", Some(".")).unwrap();
        assert_eq!(c.code_of[&2].as_str(), "a/b");
        assert_eq!(c.code_of[&1].as_str(), "a/b-2");
        assert_eq!(c.code_of[&3].as_str(), "a-2");
        assert_eq!(c.code_of[&4].as_str(), "tag");
        let flat = codebook(&tags, meta(), "und", None).unwrap();
        assert!(flat.framework.codes().iter().all(|c| c.id.depth() == 1));
        assert_eq!(flat.levels_added, 0);
    }

    #[test]
    fn deep_paths_fold_and_long_ones_are_refused() {
        let deep = (0..40)
            .map(|i| format!("l{i}"))
            .collect::<Vec<_>>()
            .join(".");
        let c = codebook(&[tag(1, &deep, "")], meta(), "und", Some(".")).unwrap();
        let id = &c.code_of[&1];
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
        let e = codebook(&[tag(7, &long, "")], meta(), "und", Some("."))
            .err()
            .unwrap();
        assert!(e.to_string().starts_with("tag 7 "), "{e}");
    }
}
