//! What refi may read from a `.qdpx`: the zip itself is read by [`samskap_files::Archive`]
//! (entry names checked, one entry per name, no links, every unpacked byte counted), and
//! the XML inside it within the depth and element limits here.

use std::io::{Read, Seek};

use samskap_files::{ArchiveError, ZipLimits};

use crate::RefiError;

/// Limits on what a project may unpack to and parse into. The defaults are far above any
/// real project (a thesis with 100 interviews is a few megabytes) and far below what would
/// hurt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// What the archive may unpack to: entries, bytes per entry and in all, ratio.
    pub unpacked: ZipLimits,
    /// Nesting depth of XML elements (codes nest; nothing real goes near this).
    pub max_depth: usize,
    /// XML elements in one file, each attribute counting as one more. A node of the tree
    /// costs memory (some 100 bytes) however few bytes it takes in the file, so the byte
    /// limits alone would let a file of tiny elements take gigabytes. The default is some
    /// five times what a project with 10,000 codings has, and bounds the tree to about
    /// 150 MB.
    pub max_elements: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            unpacked: ZipLimits::default(),
            max_depth: 256,
            max_elements: 1_000_000,
        }
    }
}

/// An open `.qdpx`: [`samskap_files::Archive`], its refusals as [`RefiError`]s.
pub(crate) struct Archive<R: Read + Seek>(samskap_files::Archive<R>);

fn refused(e: ArchiveError) -> RefiError {
    match e {
        ArchiveError::NotZip(detail) => RefiError::NotZip(detail),
        e => RefiError::Archive(e),
    }
}

impl<R: Read + Seek> Archive<R> {
    /// Opens the archive and checks every entry.
    pub(crate) fn open(reader: R, limits: Limits) -> Result<Self, RefiError> {
        samskap_files::Archive::open(reader, limits.unpacked)
            .map(Self)
            .map_err(refused)
    }

    /// The entry names (as written), in archive order.
    pub(crate) fn names(&self) -> Vec<String> {
        self.0.names()
    }

    /// True when an entry of this name exists (ASCII case ignored).
    pub(crate) fn contains(&self, name: &str) -> bool {
        self.0.contains(name)
    }

    /// Unpacks one entry by name (ASCII case ignored), counting bytes as they come.
    pub(crate) fn read(&mut self, name: &str) -> Result<Option<Vec<u8>>, RefiError> {
        self.0.read(name).map_err(refused)
    }
}
