//! Editing a codebook that is in use: renaming, moving, merging, splitting and deleting
//! codes, each giving a new framework and a [`Recode`] that says where the codings and memos
//! of each old code go, so that nothing is orphaned; and the difference between two
//! versions of a framework.

use serde::Serialize;

use crate::framework::{Code, Framework, FrameworkError};
use crate::ids::{CodeId, QualifierId};

/// One change to a codebook.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Edit {
    /// A code (with the codes under it) gets a new path: a new name, a new place, or both.
    Rename {
        /// The code.
        from: CodeId,
        /// Its new path; the code above it must be in the framework.
        to: CodeId,
    },
    /// Codes that become one: their codings and memos go to `into`, which is made (named
    /// after its last id) when the framework lacks it. Codes with codes under them cannot be
    /// merged: move or merge those first.
    Merge {
        /// The codes merged.
        from: Vec<CodeId>,
        /// The code they become.
        into: CodeId,
    },
    /// A new code beside `from` (or anywhere), which listed codings move to: the codings are
    /// picked by whoever asks for the split, so this edit only makes the code. The new code
    /// takes every qualifier `from` takes, so the codings that move keep fitting.
    Split {
        /// The code split.
        from: CodeId,
        /// The new code.
        into: CodeId,
    },
    /// A code and the codes under it go; their codings and memos go to `recode_to`, or the
    /// delete is refused when any are in use.
    Delete {
        /// The code.
        code: CodeId,
        /// Where codings and memos go.
        recode_to: Option<CodeId>,
    },
}

impl std::fmt::Display for Edit {
    /// One line, as a codebook's log shows it: `rename a/b → a/c`, `move a/b → d/b`,
    /// `merge a, b → c`, `split a → a2`, `delete a`, `delete a (recoded to b)`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Edit::Rename { from, to } if from.parent() == to.parent() => {
                write!(f, "rename {from} → {to}")
            }
            Edit::Rename { from, to } => write!(f, "move {from} → {to}"),
            Edit::Merge { from, into } => {
                let from: Vec<&str> = from.iter().map(CodeId::as_str).collect();
                write!(f, "merge {} → {into}", from.join(", "))
            }
            Edit::Split { from, into } => write!(f, "split {from} → {into}"),
            Edit::Delete {
                code,
                recode_to: None,
            } => write!(f, "delete {code}"),
            Edit::Delete {
                code,
                recode_to: Some(to),
            } => write!(f, "delete {code} (recoded to {to})"),
        }
    }
}

/// Where each old code's codings and memos go after an edit, and whether codings that then
/// coincide are merged (a merge of two codes one coder gave the same unit).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Recode {
    /// Old code to new code; codes not listed stay.
    pub moves: Vec<(CodeId, CodeId)>,
    /// Codes whose codings must not exist for the edit to apply (a delete without a code to
    /// recode to).
    pub must_be_unused: Vec<CodeId>,
}

impl Recode {
    /// Where a code's codings go.
    pub fn target<'a>(&'a self, code: &'a CodeId) -> &'a CodeId {
        self.moves
            .iter()
            .find(|(from, _)| from == code)
            .map_or(code, |(_, to)| to)
    }
}

/// Why an edit was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EditError {
    /// A code the framework lacks.
    #[error("framework has no code `{0}`")]
    NoSuchCode(CodeId),
    /// A path already taken.
    #[error("code `{0}` is there already")]
    Taken(CodeId),
    /// A new path whose parent is not in the framework.
    #[error("code `{0}` would have no code `{1}` above it")]
    NoParent(CodeId, CodeId),
    /// A code moved under itself.
    #[error("code `{0}` cannot go under itself (`{1}`)")]
    UnderItself(CodeId, CodeId),
    /// A merge of a code that has codes under it.
    #[error("code `{0}` has codes under it: move or merge those first")]
    HasChildren(CodeId),
    /// A merge of fewer than one code, or into one of the codes merged under another.
    #[error("merge needs one or more codes to merge into another")]
    EmptyMerge,
    /// The framework that would result breaks a rule of frameworks.
    #[error(transparent)]
    Framework(#[from] FrameworkError),
    /// Recoding to a code the recoded codes' qualifier values do not fit.
    #[error("codings of `{from}` carry qualifier `{qualifier}`, which `{to}` does not take")]
    QualifierMismatch {
        /// The old code.
        from: CodeId,
        /// The new code.
        to: CodeId,
        /// The qualifier.
        qualifier: QualifierId,
    },
}

/// A code that `path` would be, named after its last id.
fn new_code(path: &CodeId) -> Code {
    Code {
        id: path.clone(),
        label: Default::default(),
        definition: String::new(),
        colour: None,
        memo: None,
    }
}

/// `code` with the prefix `from` replaced by `to` (both paths; `code` is within `from`).
fn rebase(code: &CodeId, from: &CodeId, to: &CodeId) -> CodeId {
    let rest = &code.as_str()[from.as_str().len()..];
    CodeId::new(format!("{to}{rest}")).expect("a path made of valid ids")
}

impl Framework {
    /// The framework after `edit`, with where each old code's codings go.
    pub fn edit(&self, edit: &Edit) -> Result<(Framework, Recode), EditError> {
        let has = |c: &CodeId| self.contains(c);
        let need = |c: &CodeId| {
            if has(c) {
                Ok(())
            } else {
                Err(EditError::NoSuchCode(c.clone()))
            }
        };
        let parent_ok = |c: &CodeId, codes: &[Code]| match c.parent() {
            Some(p) if !codes.iter().any(|x| x.id == p) => Err(EditError::NoParent(c.clone(), p)),
            _ => Ok(()),
        };
        let mut codes: Vec<Code> = self.codes().to_vec();
        let mut qualifiers = self.qualifiers().to_vec();
        let mut recode = Recode::default();
        match edit {
            Edit::Rename { from, to } => {
                need(from)?;
                if has(to) {
                    return Err(EditError::Taken(to.clone()));
                }
                if to.is_within(from) {
                    return Err(EditError::UnderItself(from.clone(), to.clone()));
                }
                for c in &mut codes {
                    if c.id.is_within(from) {
                        let new = rebase(&c.id, from, to);
                        recode.moves.push((c.id.clone(), new.clone()));
                        c.id = new;
                    }
                }
                parent_ok(to, &codes)?;
                // Qualifiers that name the code (or one under it) follow it.
                for q in &mut qualifiers {
                    for c in &mut q.codes {
                        if c.is_within(from) {
                            *c = rebase(c, from, to);
                        }
                    }
                }
            }
            Edit::Merge { from, into } => {
                if from.is_empty() || from.contains(into) && from.len() == 1 {
                    return Err(EditError::EmptyMerge);
                }
                for f in from {
                    need(f)?;
                    if self.children(f).next().is_some() {
                        return Err(EditError::HasChildren(f.clone()));
                    }
                }
                if !has(into) {
                    parent_ok(into, &codes)?;
                    codes.push(new_code(into));
                }
                for f in from.iter().filter(|f| *f != into) {
                    self.check_fits(f, into)?;
                    recode.moves.push((f.clone(), into.clone()));
                }
                codes.retain(|c| c.id == *into || !from.contains(&c.id));
                for q in &mut qualifiers {
                    q.codes.retain(|c| c == into || !from.contains(c));
                }
            }
            Edit::Split { from, into } => {
                need(from)?;
                if has(into) {
                    return Err(EditError::Taken(into.clone()));
                }
                parent_ok(into, &codes)?;
                let mut code = new_code(into);
                if let Some(f) = self.code(from) {
                    // Same language tags as its source, so the report has a name to show.
                    code.label = f
                        .label
                        .keys()
                        .map(|k| (k.clone(), into.last().to_owned()))
                        .collect();
                }
                codes.push(code);
                // The codings that move take their qualifier values with them: the new code
                // takes every qualifier its source takes.
                for q in &mut qualifiers {
                    if q.applies_to(from) && !q.applies_to(into) {
                        q.codes.push(into.clone());
                    }
                }
            }
            Edit::Delete { code, recode_to } => {
                need(code)?;
                let gone: Vec<CodeId> = codes
                    .iter()
                    .filter(|c| c.id.is_within(code))
                    .map(|c| c.id.clone())
                    .collect();
                match recode_to {
                    Some(to) => {
                        need(to)?;
                        if to.is_within(code) {
                            return Err(EditError::UnderItself(code.clone(), to.clone()));
                        }
                        for g in &gone {
                            self.check_fits(g, to)?;
                            recode.moves.push((g.clone(), to.clone()));
                        }
                    }
                    None => recode.must_be_unused = gone.clone(),
                }
                codes.retain(|c| !gone.contains(&c.id));
                for q in &mut qualifiers {
                    q.codes.retain(|c| !gone.contains(c));
                }
                // A qualifier left naming no code would apply to every code: drop it.
                qualifiers.retain(|q| {
                    !q.codes.is_empty()
                        || self
                            .qualifier(&q.id)
                            .is_some_and(|old| old.codes.is_empty())
                });
            }
        }
        let f = Framework::new(self.meta().clone(), codes, qualifiers)?;
        Ok((f, recode))
    }

    /// Codings of `from` may move to `to` when every qualifier `from` takes, `to` takes too:
    /// their values then stay valid.
    fn check_fits(&self, from: &CodeId, to: &CodeId) -> Result<(), EditError> {
        for q in self.qualifiers_of(from) {
            if !q.applies_to(to) {
                return Err(EditError::QualifierMismatch {
                    from: from.clone(),
                    to: to.clone(),
                    qualifier: q.id.clone(),
                });
            }
        }
        Ok(())
    }
}

/// What changed from one version of a framework to another.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Diff {
    /// Codes in the new version only.
    pub added: Vec<CodeId>,
    /// Codes in the old version only.
    pub removed: Vec<CodeId>,
    /// Codes in both whose label, definition, colour or memo changed.
    pub changed: Vec<CodeId>,
    /// Qualifiers in the new version only.
    pub qualifiers_added: Vec<QualifierId>,
    /// Qualifiers in the old version only.
    pub qualifiers_removed: Vec<QualifierId>,
    /// Qualifiers in both whose values, codes or requiredness changed.
    pub qualifiers_changed: Vec<QualifierId>,
    /// Whether the framework's own name or description changed.
    pub head_changed: bool,
}

impl Diff {
    /// True when the two versions are the same.
    pub fn is_empty(&self) -> bool {
        *self == Diff::default()
    }
}

impl std::fmt::Display for Diff {
    /// One line: `added a/x; removed b; changed c; qualifiers changed level`, or `no change`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        fn list<T: std::fmt::Display>(xs: &[T]) -> String {
            xs.iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        }
        let mut parts = Vec::new();
        if self.head_changed {
            parts.push("name or description changed".to_owned());
        }
        for (what, xs) in [
            ("added", list(&self.added)),
            ("removed", list(&self.removed)),
            ("changed", list(&self.changed)),
            ("qualifiers added", list(&self.qualifiers_added)),
            ("qualifiers removed", list(&self.qualifiers_removed)),
            ("qualifiers changed", list(&self.qualifiers_changed)),
        ] {
            if !xs.is_empty() {
                parts.push(format!("{what} {xs}"));
            }
        }
        if parts.is_empty() {
            f.write_str("no change")
        } else {
            f.write_str(&parts.join("; "))
        }
    }
}

/// The difference from `old` to `new`, each list in the order of the version it comes from.
pub fn diff(old: &Framework, new: &Framework) -> Diff {
    let mut d = Diff {
        head_changed: old.meta() != new.meta(),
        ..Diff::default()
    };
    for c in new.codes() {
        match old.code(&c.id) {
            None => d.added.push(c.id.clone()),
            Some(o) if o != c => d.changed.push(c.id.clone()),
            Some(_) => {}
        }
    }
    d.removed = old
        .codes()
        .iter()
        .filter(|c| !new.contains(&c.id))
        .map(|c| c.id.clone())
        .collect();
    for q in new.qualifiers() {
        match old.qualifier(&q.id) {
            None => d.qualifiers_added.push(q.id.clone()),
            Some(o) if o != q => d.qualifiers_changed.push(q.id.clone()),
            Some(_) => {}
        }
    }
    d.qualifiers_removed = old
        .qualifiers()
        .iter()
        .filter(|q| new.qualifier(&q.id).is_none())
        .map(|q| q.id.clone())
        .collect();
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f() -> Framework {
        Framework::from_toml(
            r#"
[framework]
id = "t"

[[qualifier]]
id = "level"
codes = ["a"]

[[qualifier.value]]
id = "one"

[[qualifier.value]]
id = "two"

[[code]]
id = "a"

[[code.code]]
id = "b"

[[code.code.code]]
id = "c"

[[code]]
id = "d"

[[code]]
id = "e"
"#,
        )
        .unwrap()
    }

    fn id(s: &str) -> CodeId {
        s.parse().unwrap()
    }

    fn ids(f: &Framework) -> Vec<&str> {
        f.codes().iter().map(|c| c.id.as_str()).collect()
    }

    #[test]
    fn rename_and_move_carry_the_subtree_and_the_qualifier() {
        let (g, r) = f()
            .edit(&Edit::Rename {
                from: id("a/b"),
                to: id("d/b2"),
            })
            .unwrap();
        assert_eq!(ids(&g), ["a", "d", "d/b2", "d/b2/c", "e"]);
        assert_eq!(r.target(&id("a/b/c")), &id("d/b2/c"));
        let (h, _) = f()
            .edit(&Edit::Rename {
                from: id("a"),
                to: id("z"),
            })
            .unwrap();
        assert_eq!(h.qualifiers()[0].codes, [id("z")]);
        for (from, to, e) in [
            ("a", "a/b/x", "under itself"),
            ("a", "d", "there already"),
            ("a", "q/r", "no code `q` above"),
            ("nope", "x", "no code `nope`"),
        ] {
            let err = f()
                .edit(&Edit::Rename {
                    from: id(from),
                    to: id(to),
                })
                .unwrap_err()
                .to_string();
            assert!(err.contains(e), "{err}");
        }
    }

    #[test]
    fn merge_split_and_delete() {
        let (g, r) = f()
            .edit(&Edit::Merge {
                from: vec![id("d"), id("e")],
                into: id("de"),
            })
            .unwrap();
        assert_eq!(ids(&g), ["a", "a/b", "a/b/c", "de"]);
        assert_eq!(r.moves, [(id("d"), id("de")), (id("e"), id("de"))]);
        let err = f()
            .edit(&Edit::Merge {
                from: vec![id("a/b")],
                into: id("d"),
            })
            .unwrap_err();
        assert_eq!(err, EditError::HasChildren(id("a/b")));
        // Codings of a code that takes `level` cannot go where `level` is not taken.
        let err = f()
            .edit(&Edit::Merge {
                from: vec![id("a/b/c")],
                into: id("d"),
            })
            .unwrap_err();
        assert!(matches!(err, EditError::QualifierMismatch { .. }), "{err}");

        let (g, r) = f()
            .edit(&Edit::Split {
                from: id("d"),
                into: id("d2"),
            })
            .unwrap();
        assert!(g.contains(&id("d2")));
        assert!(r.moves.is_empty());
        // A split of a code that takes `level` makes a code that takes it too.
        let (g, _) = f()
            .edit(&Edit::Split {
                from: id("a/b"),
                into: id("d/b2"),
            })
            .unwrap();
        assert_eq!(g.qualifiers()[0].codes, [id("a"), id("d/b2")]);
        assert!(g
            .qualifier(&"level".parse().unwrap())
            .unwrap()
            .applies_to(&id("d/b2")));

        let (g, r) = f()
            .edit(&Edit::Delete {
                code: id("a/b"),
                recode_to: None,
            })
            .unwrap();
        assert_eq!(ids(&g), ["a", "d", "e"]);
        assert_eq!(r.must_be_unused, [id("a/b"), id("a/b/c")]);
        let (_, r) = f()
            .edit(&Edit::Delete {
                code: id("a/b"),
                recode_to: Some(id("a")),
            })
            .unwrap();
        assert_eq!(r.target(&id("a/b/c")), &id("a"));
    }

    #[test]
    fn diff_names_what_changed() {
        let (g, _) = f()
            .edit(&Edit::Rename {
                from: id("e"),
                to: id("e2"),
            })
            .unwrap();
        let d = diff(&f(), &g);
        assert_eq!(d.added, [id("e2")]);
        assert_eq!(d.removed, [id("e")]);
        assert!(d.changed.is_empty() && !d.head_changed);
        assert_eq!(d.to_string(), "added e2; removed e");
        assert!(diff(&f(), &f()).is_empty());
        assert_eq!(diff(&f(), &f()).to_string(), "no change");
    }

    #[test]
    fn an_edit_reads_as_one_line() {
        for (edit, line) in [
            (
                Edit::Rename {
                    from: id("a/b"),
                    to: id("a/c"),
                },
                "rename a/b → a/c",
            ),
            (
                Edit::Rename {
                    from: id("a/b"),
                    to: id("d/b"),
                },
                "move a/b → d/b",
            ),
            (
                Edit::Merge {
                    from: vec![id("d"), id("e")],
                    into: id("de"),
                },
                "merge d, e → de",
            ),
            (
                Edit::Split {
                    from: id("d"),
                    into: id("d2"),
                },
                "split d → d2",
            ),
            (
                Edit::Delete {
                    code: id("d"),
                    recode_to: Some(id("e")),
                },
                "delete d (recoded to e)",
            ),
        ] {
            assert_eq!(edit.to_string(), line);
        }
    }
}
