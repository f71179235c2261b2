//! Bundle errors: each names the file, and where it can the line and the field.

use std::fmt;
use std::path::PathBuf;

/// Where in a bundle a problem is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// The file, relative to the bundle's directory.
    pub file: PathBuf,
    /// 1-based line, when known.
    pub line: Option<usize>,
    /// The field (column or key), when known.
    pub field: Option<String>,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        if let Some(field) = &self.field {
            write!(f, ": field `{field}`")?;
        }
        Ok(())
    }
}

/// Why a bundle could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum BundleError {
    /// A problem with the content of a file.
    #[error("{at}: {message}")]
    Invalid {
        /// Where.
        at: Location,
        /// What.
        message: String,
    },
    /// A required file is not there.
    #[error("{0}: file is missing")]
    Missing(PathBuf),
    /// The file system refused.
    #[error("{path}: {source}")]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The system's error.
        source: std::io::Error,
    },
    /// Writing the bundle failed; the message says what became of the previous one.
    #[error(transparent)]
    Output(#[from] samskap_files::OutputError),
    /// The export directory holds files already.
    #[error(
        "{0} is not empty: choose an empty directory or pass --force to overwrite a bundle there"
    )]
    NotEmpty(PathBuf),
}

impl BundleError {
    pub(crate) fn at(
        file: impl Into<PathBuf>,
        line: Option<usize>,
        field: Option<&str>,
        message: impl fmt::Display,
    ) -> Self {
        BundleError::Invalid {
            at: Location {
                file: file.into(),
                line,
                // A key can be anything a person typed (100 KB in a hostile file).
                field: field.map(|f| samskap_core::shorten(f).into_owned()),
            },
            message: message.to_string(),
        }
    }

    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        BundleError::Io {
            path: path.into(),
            source,
        }
    }
}
