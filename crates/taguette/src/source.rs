//! A Taguette project as plain values, as read from its database by whoever reads it
//! (`samskap-store` does, read-only): no rules here, only the shapes this crate turns into
//! a study.

/// A project of the file.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Project {
    /// Taguette's id.
    pub id: i64,
    /// Its name.
    pub name: String,
    /// Whether it has a description (not brought in: see the docs).
    pub has_description: bool,
}

/// A document: sanitised HTML.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    /// Taguette's id.
    pub id: i64,
    /// Its name (often the interviewee's: never made into an id).
    pub name: String,
    /// Whether it has a description.
    pub has_description: bool,
    /// The HTML Taguette keeps.
    pub contents: String,
}

/// A tag: its path (levels by convention, `tech.floss` under `tech`) and description.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tag {
    /// Taguette's id.
    pub id: i64,
    /// The path.
    pub path: String,
    /// The description.
    pub description: String,
}

/// A highlight: a range of a document in UTF-8 bytes of its text nodes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Highlight {
    /// Taguette's id.
    pub id: i64,
    /// The document.
    pub document_id: i64,
    /// First byte.
    pub start: i64,
    /// One past the last byte.
    pub end: i64,
    /// The HTML Taguette cut out when the highlight was made (not renewed when it was moved).
    pub snippet: String,
}

/// A `highlight_add` entry of Taguette's command log: a highlight made or changed, by whom,
/// with the tags it had after the change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HighlightCommand {
    /// The entry's id: the log's order.
    pub id: i64,
    /// The highlight.
    pub highlight_id: i64,
    /// Who (a Taguette login).
    pub user: String,
    /// Its tags after the change.
    pub tags: Vec<i64>,
}

/// One project with everything in it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Source {
    /// The project.
    pub project: Project,
    /// Its documents.
    pub documents: Vec<Document>,
    /// Its tags.
    pub tags: Vec<Tag>,
    /// The highlights of its documents.
    pub highlights: Vec<Highlight>,
    /// Which tags each highlight carries: (highlight, tag).
    pub highlight_tags: Vec<(i64, i64)>,
    /// The `highlight_add` entries of its command log, in any order.
    pub commands: Vec<HighlightCommand>,
    /// Entries of the log that could not be read (not JSON): counted.
    pub unreadable_commands: u64,
    /// The project's members (Taguette logins), sorted.
    pub members: Vec<String>,
}
