//! How large a file of each kind may be before samskap refuses to read it.

use crate::ZipLimits;

/// How a person raises the limits, as every size refusal says. The command line is where
/// samskap reads files; `docs/case-bundle.md` documents both.
pub const RAISE_LIMITS: &str = "raise the limit with --max-file-mb N (or SAMSKAP_MAX_FILE_MB=N)";

/// The kinds of file samskap reads, each with its own limit in [`Limits`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A transcript as text: `.txt` or `.md`.
    Transcript,
    /// A table: `codings.csv`, or reliability data for `agreement compute`.
    Table,
    /// A document read whole: TOML (`study.toml`, a framework, `memos.toml`,
    /// `facilitation.toml`, a mapping) or XML (a `.qdc` codebook).
    Document,
    /// A zip archive: a `.docx` transcript or a `.qdpx` project. What it unpacks to is
    /// limited by [`Limits::unpacked`].
    Archive,
    /// Another tool's database file, read whole by SQLite: a Taguette project's `.sqlite3`.
    Database,
}

impl Kind {
    /// The kind in a message: "the limit for {name}".
    pub fn name(self) -> &'static str {
        match self {
            Kind::Transcript => "a transcript",
            Kind::Table => "a CSV table",
            Kind::Document => "a TOML or XML document",
            Kind::Archive => "a zip archive (.docx, .qdpx)",
            Kind::Database => "a database file (.sqlite3)",
        }
    }
}

/// Size limits on what samskap reads.
///
/// The defaults let a national-scale study in: a `codings.csv` of a million codings that
/// quote whole sentences is some 300 MB, a long interview is a few megabytes of text, and a
/// `study.toml` with 100,000 informants some 20 MB. They stop a file that is not what it
/// claims (a link to a log, a multi-gigabyte dump) from taking all memory first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Bytes of a `.txt` or `.md` transcript.
    pub transcript: u64,
    /// Bytes of a CSV table.
    pub table: u64,
    /// Bytes of a TOML or XML document.
    pub document: u64,
    /// Bytes of a zip archive file, packed.
    pub archive: u64,
    /// Bytes of another tool's database file.
    pub database: u64,
    /// What a `.docx` may unpack to. (A `.qdpx` has its own, in `samskap_refi::Limits`,
    /// which the command line sets from the same option.)
    pub unpacked: ZipLimits,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            transcript: 64 << 20,
            table: 1 << 30,
            document: 128 << 20,
            archive: 1 << 30,
            // A Taguette server's whole database with hundreds of projects fits; a project's
            // own file is a few megabytes.
            database: 1 << 30,
            unpacked: ZipLimits::default(),
        }
    }
}

impl Limits {
    /// Every byte limit set to `bytes`: each file, each unpacked zip entry and each whole
    /// archive unpacked. The counts (entries, compression ratio) keep their defaults. This is
    /// what `--max-file-mb` sets.
    pub fn uniform(bytes: u64) -> Self {
        Self {
            transcript: bytes,
            table: bytes,
            document: bytes,
            archive: bytes,
            database: bytes,
            unpacked: ZipLimits {
                max_entry_bytes: bytes,
                max_total_bytes: bytes,
                ..ZipLimits::default()
            },
        }
    }

    /// The limit for a kind of file, in bytes.
    pub fn of(&self, kind: Kind) -> u64 {
        match kind {
            Kind::Transcript => self.transcript,
            Kind::Table => self.table,
            Kind::Document => self.document,
            Kind::Archive => self.archive,
            Kind::Database => self.database,
        }
    }
}
