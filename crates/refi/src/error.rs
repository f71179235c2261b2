//! Why a REFI-QDA file was refused. Every variant names the file, element or attribute at
//! fault, so that a person can find it in the file they were sent.
//!
//! Names and paths the file's maker chose (an entry's name, a root tag, a source's path) are
//! echoed shortened ([`samskap_core::shorten`]); element descriptions samskap composes
//! (`Note guid="…"`) are not, so that their GUIDs stay whole.

use samskap_core::{shorten as short, FrameworkError, ModelError};

/// An error reading, mapping or writing REFI-QDA.
#[derive(Debug, thiserror::Error)]
pub enum RefiError {
    /// The file is not a zip archive (or is a damaged one).
    #[error("not a readable .qdpx (zip) archive: {0}")]
    NotZip(String),
    /// The archive breaks a rule for untrusted zips: an unsafe or repeated entry name, a
    /// link, too many entries, or an entry that unpacks too far (a zip bomb).
    #[error(transparent)]
    Archive(samskap_files::ArchiveError),
    /// No `project.qde` (or single `*.qde`) in the archive.
    #[error("the archive holds no project.qde")]
    NoProject,
    /// Several `.qde` files and none called `project.qde`.
    #[error("the archive holds several .qde files and none is called project.qde: {0}")]
    SeveralProjects(String),
    /// The XML has a document type declaration.
    #[error("{}: the XML has a <!DOCTYPE>; REFI-QDA files never need one and it can carry entity attacks (XXE, billion laughs), so it is refused", short(file))]
    Doctype {
        /// The file.
        file: String,
    },
    /// The XML is not well-formed, or uses an entity other than the five predefined ones.
    #[error("{}: malformed XML at byte {position}: {message}", short(file))]
    Xml {
        /// The file.
        file: String,
        /// Byte offset.
        position: u64,
        /// What is wrong.
        message: String,
    },
    /// A character XML 1.0 does not allow (a control character other than tab, LF and CR,
    /// or U+FFFE/U+FFFF), raw or as a reference.
    #[error("{}: {place} {element} holds the character U+{code:04X}, which XML 1.0 does not allow (a control character); remove it in the tool that wrote the file", short(file))]
    ForbiddenChar {
        /// The file.
        file: String,
        /// The element, and the nearest one with a GUID around it when it has none.
        element: String,
        /// `the text of` or ``attribute `name` of``.
        place: String,
        /// The character.
        code: u32,
    },
    /// Elements nested deeper than the limit.
    #[error("{}: elements are nested more than {limit} deep", short(file))]
    TooDeep {
        /// The file.
        file: String,
        /// The limit.
        limit: usize,
    },
    /// More elements (and attributes) than [`Limits::max_elements`](crate::Limits::max_elements).
    #[error("{}: the XML has more than {limit} elements (attributes counted as elements); refusing it, since each costs memory however small it is in the file", short(file))]
    TooManyElements {
        /// The file.
        file: String,
        /// The limit.
        limit: usize,
    },
    /// The root element is not the one expected.
    #[error(
        "{}: the root element is <{}>, expected <{expected}>",
        short(file),
        short(found)
    )]
    WrongRoot {
        /// The file.
        file: String,
        /// What was found.
        found: String,
        /// What was expected.
        expected: &'static str,
    },
    /// A required attribute is missing or has a value of the wrong form.
    #[error(
        "{}: <{}> attribute `{attribute}`: {problem}",
        short(file),
        short(element)
    )]
    Attribute {
        /// The file.
        file: String,
        /// The element (with its guid or name when it has one).
        element: String,
        /// The attribute.
        attribute: &'static str,
        /// What is wrong.
        problem: String,
    },
    /// Two elements with one GUID.
    #[error(
        "{}: GUID {guid} is used by both <{}> and <{}>",
        short(file),
        short(first),
        short(second)
    )]
    DuplicateGuid {
        /// The file.
        file: String,
        /// The GUID (normalised).
        guid: String,
        /// The first element.
        first: String,
        /// The second element.
        second: String,
    },
    /// A reference to a GUID that no element of the right kind has.
    #[error(
        "{}: <{}> refers to {what} {guid}, which the file does not define",
        short(file),
        short(element)
    )]
    DanglingRef {
        /// The file.
        file: String,
        /// The referring element.
        element: String,
        /// What kind of thing it should be.
        what: &'static str,
        /// The GUID.
        guid: String,
    },
    /// A reference to an element of the right kind that stands outside the container where
    /// the schema puts that kind (a `<Note>` outside `<Notes>`, say), so it is never read.
    #[error("{}: <{element}> refers to {guid}, a <{kind}> that stands outside <{container}>, where such elements are read from", short(file))]
    MisplacedRef {
        /// The file.
        file: String,
        /// The referring element.
        element: String,
        /// The GUID.
        guid: String,
        /// The kind of the element referred to.
        kind: String,
        /// Where it should stand, from the root.
        container: &'static str,
    },
    /// A source's text file is not in the archive.
    #[error(
        "<TextSource guid=\"{source_guid}\"> points at `{}`, which is not in the archive",
        short(path)
    )]
    MissingSourceFile {
        /// The source.
        source_guid: String,
        /// The path as written.
        path: String,
    },
    /// A source path (or internal name) with `..`, slashes or other unsafe parts.
    #[error(
        "<{}> path `{}` is not a plain file name inside the archive",
        short(element),
        short(path)
    )]
    UnsafeSourcePath {
        /// The element.
        element: String,
        /// The path as written.
        path: String,
    },
    /// A source's text is not UTF-8.
    #[error("the text of <TextSource guid=\"{source_guid}\"> (`{}`) is not valid UTF-8 at byte {at}; it is not repaired, since replacing bytes would shift every later position", short(path))]
    NotUtf8 {
        /// The source.
        source_guid: String,
        /// The file.
        path: String,
        /// Byte offset of the first bad byte.
        at: usize,
    },
    /// A selection whose range does not lie inside its source's text.
    #[error(
        "<PlainTextSelection guid=\"{selection}\"> of source `{}`: {problem}",
        short(source_name)
    )]
    SelectionOutside {
        /// The selection.
        selection: String,
        /// The source's name.
        source_name: String,
        /// What is wrong.
        problem: String,
    },
    /// A `<VariableValue>` of a text source that cannot be the source's attribute value: it
    /// refers to no variable the file defines, or its value is not one of its variable's type.
    /// (A case's value of the wrong type is kept as text instead, as it always was.)
    #[error(
        "text source `{}` (<TextSource guid=\"{source_guid}\">): {problem}",
        short(source_name)
    )]
    SourceValue {
        /// The source's GUID.
        source_guid: String,
        /// The source's name.
        source_name: String,
        /// What is wrong, naming the variable.
        problem: String,
    },
    /// The mapping file did not parse or names something that does not exist.
    #[error("mapping: {0}")]
    Mapping(String),
    /// Codings whose tool code no rule of the mapping covers. They are never dropped: the
    /// import stops until the mapping says where they go.
    #[error("{count} codings use tool codes that no rule of the mapping onto `{framework}` covers: {by_code}; add a rule for each (a rule covers the codes under it too), or import without a mapping to keep the tool's own code tree")]
    Unmapped {
        /// The framework of the mapping.
        framework: String,
        /// How many codings.
        count: usize,
        /// The tool codes, with their codings.
        by_code: String,
    },
    /// Codings that land on codes whose framework requires a qualifier, with no value for
    /// it from a rule, a code name or a default. samskap never invents one: the import stops
    /// until the mapping gives one.
    #[error("{count} codings land on codes of framework `{framework}`, which requires qualifier `{qualifier}` ({values}), and get no value for it: {by_code}; give the rules for those codes a value (`{qualifier} = \"…\"` in `qualifiers = {{ … }}`, or `polarity = \"…\"`), or the mapping a `default_qualifiers` (for polarity also `--default-polarity`), or put the codes under a code named for the value in the tool")]
    QualifierMissing {
        /// The framework.
        framework: String,
        /// The qualifier.
        qualifier: String,
        /// Its values, `a|b`.
        values: String,
        /// How many codings.
        count: usize,
        /// The tool codes, with their codings.
        by_code: String,
    },
    /// A default qualifier value that is not one of its qualifier's values.
    #[error("{given}: {problem}")]
    DefaultValue {
        /// The default as given.
        given: String,
        /// What is wrong.
        problem: String,
    },
    /// The file's content cannot make a framework (a tree too deep, ...).
    #[error("{0}")]
    Codebook(String),
    /// The model refused what the file describes. (The model's error is part of the
    /// message, not a source, so that a chain of causes does not say it twice.)
    #[error("{context}: {error}")]
    Model {
        /// Where in the file.
        context: String,
        /// What the model said.
        error: ModelError,
    },
    /// The framework made from the codebook was refused (the framework's error is part of
    /// the message, not a source).
    #[error("the codebook does not make a valid framework: {0}")]
    Framework(FrameworkError),
    /// Reading or writing failed.
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

impl From<FrameworkError> for RefiError {
    fn from(e: FrameworkError) -> Self {
        RefiError::Framework(e)
    }
}

impl RefiError {
    pub(crate) fn model(context: impl Into<String>) -> impl FnOnce(ModelError) -> RefiError {
        let context = context.into();
        move |error| RefiError::Model { context, error }
    }
}

#[cfg(test)]
mod tests {
    use std::error::Error as _;

    use super::*;

    /// Every cause in the chain, as a program printing `{e:#}` or walking `source()` shows
    /// them.
    fn chain(e: &RefiError) -> Vec<String> {
        let mut out = vec![e.to_string()];
        let mut next = e.source();
        while let Some(s) = next {
            out.push(s.to_string());
            next = s.source();
        }
        out
    }

    #[test]
    fn a_cause_is_said_once() {
        let model = RefiError::model("informant `x`")(ModelError::InvalidRole("chef".into()));
        assert_eq!(
            chain(&model),
            ["informant `x`: invalid role `chef`: expected `participant` or `facilitator`"]
        );
        let framework = RefiError::from(FrameworkError::DuplicateCode("tid".parse().unwrap()));
        assert_eq!(
            chain(&framework),
            ["the codebook does not make a valid framework: code `tid` is defined twice"]
        );
        let io = RefiError::from(std::io::Error::from(std::io::ErrorKind::NotFound));
        assert_eq!(chain(&io).len(), 1, "{:?}", chain(&io));
    }
}
