//! The file system as samskap meets it: files that someone else may have made, and output
//! that must not be lost half-written.
//!
//! A study is often cloned from someone else's git repository and a `.qdpx` often comes by
//! e-mail, so every file samskap reads is treated as hostile:
//!
//! - [`open`] and [`read`] take regular files only. A symbolic link inside a bundle is
//!   refused (it could point at `/etc/passwd`), and so is a FIFO (reading one blocks for
//!   ever), a device (`/dev/urandom` never ends) or a socket; the handle that was opened is
//!   checked again, so a file swapped between the check and the open is caught too.
//! - Every read stops at a size limit for its [`Kind`] ([`Limits`]), counting the bytes as
//!   they come, so a file that grows or lies about its size cannot fill memory.
//! - [`Archive`] reads a zip (a `.qdpx`, a `.docx`) entry by entry: names checked, two entries
//!   of one name refused, links refused, and every unpacked byte counted ([`ZipLimits`]).
//!
//! What samskap writes goes through [`Output`]: into a new directory beside the old output,
//! moved into place only once it is complete, so a failure midway leaves the old output as
//! it was.
//!
//! ```
//! use samskap_files::{read, Kind, Limits, Links};
//!
//! let dir = tempfile::tempdir()?;
//! let path = dir.path().join("study.toml");
//! std::fs::write(&path, "[study]\n")?;
//! let bytes = read(&path, Kind::Document, &Limits::default(), Links::Refuse)?;
//! assert_eq!(bytes, b"[study]\n");
//!
//! let small = Limits::uniform(4);
//! let e = read(&path, Kind::Document, &small, Links::Refuse).unwrap_err();
//! assert!(e.to_string().starts_with("is larger than 4 bytes"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod archive;
mod limits;
mod open;
mod output;

pub use archive::{is_safe_name, Archive, ArchiveError, ZipLimits};
pub use limits::{Kind, Limits, RAISE_LIMITS};
pub use open::{check_dir, open, read, FileError, Limited, Links, Opened};
pub use output::{Output, OutputError};

/// A byte count as messages show it: whole mebibytes as `64 MiB`, anything else in bytes.
pub(crate) fn size(bytes: u64) -> String {
    const MIB: u64 = 1 << 20;
    if bytes >= MIB && bytes.is_multiple_of(MIB) {
        format!("{} MiB", bytes / MIB)
    } else {
        format!("{bytes} bytes")
    }
}
