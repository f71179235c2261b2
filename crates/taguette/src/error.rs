//! Why a Taguette project could not become a study.

use samskap_core::{shorten, Counting, FrameworkError, ModelError};

use crate::html::PlaceError;

/// How many unplaceable highlights a message lists one by one.
const LISTED: usize = 30;

/// A highlight that cannot be placed in its document.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Unplaceable {
    /// Taguette's id of the highlight.
    pub highlight: i64,
    /// Its document.
    pub document: i64,
    /// Its range, in UTF-8 bytes of the document's text nodes.
    pub start: i64,
    /// One past its end.
    pub end: i64,
    /// Why.
    pub problem: PlaceError,
}

/// Why the import refused. Nothing is half-done: the caller gets a study or this.
#[derive(Debug, thiserror::Error)]
pub enum TaguetteError {
    /// The file holds no project.
    #[error("the file holds no Taguette project")]
    NoProject,
    /// Several projects and none chosen.
    #[error("the file holds several projects; choose one with --project: {}", .0.join("; "))]
    WhichProject(Vec<String>),
    /// The project asked for is not in the file.
    #[error("no project `{}` in the file (it holds: {})", shorten(.wanted), .known.join("; "))]
    UnknownProject {
        /// What was asked for.
        wanted: String,
        /// The projects there are.
        known: Vec<String>,
    },
    /// The name is shared.
    #[error("several projects are called `{}` (ids {}): give the id with --project", shorten(.name), .ids.iter().map(i64::to_string).collect::<Vec<_>>().join(", "))]
    AmbiguousProject {
        /// The name.
        name: String,
        /// Their ids.
        ids: Vec<i64>,
    },
    /// No tags: a framework needs at least one code.
    #[error("project `{}` has no tags, so there is nothing to code with; add tags in Taguette first", shorten(.0))]
    NoTags(String),
    /// A tag path that makes no code id.
    #[error("tag {id} (`{}`): {reason}", shorten(.path))]
    Tag {
        /// Taguette's id.
        id: i64,
        /// Its path.
        path: String,
        /// What is wrong.
        reason: String,
    },
    /// A highlight's tag that is no tag of the project.
    #[error("highlight {highlight} carries tag {tag}, which is no tag of the project")]
    UnknownTag {
        /// The highlight.
        highlight: i64,
        /// The tag id.
        tag: i64,
    },
    /// A highlight of a document that is not the project's.
    #[error(
        "highlight {highlight} belongs to document {document}, which is no document of the project"
    )]
    UnknownDocument {
        /// The highlight.
        highlight: i64,
        /// The document.
        document: i64,
    },
    /// Highlights that cannot be placed: every one is listed (the first ones in the
    /// message); the import refuses rather than leave them out.
    #[error("{}", unplaceable_message(*.0, .1))]
    Unplaceable(Counting, Vec<Unplaceable>),
    /// An id given or made that the model refuses.
    #[error("{what}: {source}")]
    Id {
        /// Which id.
        what: &'static str,
        /// Why.
        #[source]
        source: ModelError,
    },
    /// The framework made from the tags was refused.
    #[error("the tags do not make a framework: {0}")]
    Framework(#[from] FrameworkError),
    /// The model refused what the project holds.
    #[error(transparent)]
    Model(#[from] ModelError),
}

fn unplaceable_message(counting: Counting, list: &[Unplaceable]) -> String {
    let one = list.len() == 1;
    let mut m = format!(
        "{} highlight{} cannot be placed in {} document (positions counted as {counting} over the text of the document's HTML{}); nothing was imported. {}:",
        list.len(),
        if one { "" } else { "s" },
        if one { "its" } else { "their" },
        if counting == Counting::Utf8 {
            ", as Taguette counts them"
        } else {
            "; Taguette counts utf8"
        },
        if one {
            "Delete or redo it in Taguette"
        } else {
            "Delete or redo them in Taguette"
        },
    );
    let unit = if counting == Counting::Utf8 {
        "bytes "
    } else {
        ""
    };
    for u in list.iter().take(LISTED) {
        m.push_str(&format!(
            "\n  highlight {} (document {}, {unit}{}..{}): {}",
            u.highlight, u.document, u.start, u.end, u.problem
        ));
    }
    if list.len() > LISTED {
        let rest: Vec<String> = list[LISTED..]
            .iter()
            .map(|u| u.highlight.to_string())
            .collect();
        m.push_str(&format!(
            "\n  and {} more: highlights {}",
            rest.len(),
            rest.join(", ")
        ));
    }
    m
}
