//! Opening a file that someone else may have made: a regular file, within its size limit.

use std::fs::{File, FileType, Metadata};
use std::io::{self, Read};
use std::path::Path;

use crate::{size, Kind, Limits, RAISE_LIMITS};

/// Whether the last part of a path may be a symbolic link.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Links {
    /// Refuse a link: for every file inside a bundle, which came from someone else and
    /// could point anywhere (`transcripts/I7.txt -> /etc/passwd`).
    Refuse,
    /// Follow a link to its file: for a file the user named on the command line, since
    /// they chose the path. The file reached must still be a regular file.
    Follow,
}

/// Why a file was not read. The message says why, not which file: the caller names the file
/// the way its user knows it (relative to a bundle, or as typed).
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    /// Nothing by that name.
    #[error("file is missing")]
    Missing,
    /// A symbolic link where a file (or the transcripts directory) should be.
    #[error(
        "is a symbolic link; samskap follows no links inside a bundle: put the file itself there"
    )]
    Link,
    /// A FIFO, device, socket or directory where a regular file should be (or a file where a
    /// directory should be).
    #[error("is {found}, not {expected}")]
    WrongType {
        /// What is there: "a FIFO", "a character device", ...
        found: &'static str,
        /// What should be: "a regular file" or "a directory".
        expected: &'static str,
    },
    /// Larger than the limit for its kind.
    #[error("is larger than {}, the limit for {}; {RAISE_LIMITS}", size(*.limit), .kind.name())]
    TooLarge {
        /// The kind of file.
        kind: Kind,
        /// The limit in bytes.
        limit: u64,
    },
    /// The file system refused.
    #[error(transparent)]
    Io(#[from] io::Error),
}

/// What a file type is, in a message.
fn describe(t: &FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return "a FIFO";
        }
        if t.is_char_device() {
            return "a character device";
        }
        if t.is_block_device() {
            return "a block device";
        }
        if t.is_socket() {
            return "a socket";
        }
    }
    if t.is_dir() {
        "a directory"
    } else if t.is_symlink() {
        "a symbolic link"
    } else if t.is_file() {
        "a regular file"
    } else {
        "a special file"
    }
}

fn missing_or(e: io::Error) -> FileError {
    if e.kind() == io::ErrorKind::NotFound {
        FileError::Missing
    } else {
        FileError::Io(e)
    }
}

fn regular(meta: &Metadata) -> Result<(), FileError> {
    let t = meta.file_type();
    if t.is_symlink() {
        return Err(FileError::Link);
    }
    if !t.is_file() {
        return Err(FileError::WrongType {
            found: describe(&t),
            expected: "a regular file",
        });
    }
    Ok(())
}

/// Checks that `path` is a directory that samskap may walk: `Ok(false)` when there is none,
/// [`FileError::Link`] for a link (with [`Links::Refuse`]), and a wrong type for anything
/// else.
pub fn check_dir(path: &Path, links: Links) -> Result<bool, FileError> {
    let meta = match links {
        Links::Refuse => std::fs::symlink_metadata(path),
        Links::Follow => std::fs::metadata(path),
    };
    let meta = match meta {
        Ok(m) => m,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(false),
        Err(e) => return Err(FileError::Io(e)),
    };
    let t = meta.file_type();
    if t.is_symlink() {
        return Err(FileError::Link);
    }
    if !t.is_dir() {
        return Err(FileError::WrongType {
            found: describe(&t),
            expected: "a directory",
        });
    }
    Ok(true)
}

/// A regular file, opened and checked, not yet read.
#[derive(Debug)]
pub struct Opened {
    file: File,
    len: u64,
    kind: Kind,
    limit: u64,
}

/// Opens `path` for reading if it is a regular file within the limit for `kind`.
///
/// The path is looked at first without opening it, so a FIFO is refused before anything
/// waits on it. Then it is opened without following a link (`O_NOFOLLOW` with
/// [`Links::Refuse`]) and without waiting (`O_NONBLOCK`), and the handle itself is checked:
/// a file swapped for a link or a FIFO between the look and the open is refused too.
pub fn open(path: &Path, kind: Kind, limits: &Limits, links: Links) -> Result<Opened, FileError> {
    let meta = match links {
        Links::Refuse => std::fs::symlink_metadata(path),
        Links::Follow => std::fs::metadata(path),
    }
    .map_err(missing_or)?;
    regular(&meta)?;

    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        let nofollow = match links {
            Links::Refuse => libc::O_NOFOLLOW,
            Links::Follow => 0,
        };
        // O_NONBLOCK changes nothing for a regular file; for a FIFO it makes the open
        // return at once instead of waiting for a writer.
        options.custom_flags(libc::O_NONBLOCK | nofollow);
    }
    let file = options.open(path).map_err(|e| {
        #[cfg(unix)]
        if links == Links::Refuse && e.raw_os_error() == Some(libc::ELOOP) {
            return FileError::Link;
        }
        missing_or(e)
    })?;
    let meta = file.metadata()?;
    regular(&meta)?;
    let limit = limits.of(kind);
    if meta.len() > limit {
        return Err(FileError::TooLarge { kind, limit });
    }
    Ok(Opened {
        file,
        len: meta.len(),
        kind,
        limit,
    })
}

/// Reads a whole regular file within the limit for `kind`: [`open`], then [`Opened::read_all`].
pub fn read(path: &Path, kind: Kind, limits: &Limits, links: Links) -> Result<Vec<u8>, FileError> {
    open(path, kind, limits, links)?.read_all()
}

impl Opened {
    /// The file's size when it was opened.
    pub fn len(&self) -> u64 {
        self.len
    }

    /// True for an empty file.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Reads the whole file. At most one byte past the limit is read, whatever the file
    /// grew to since it was opened.
    pub fn read_all(self) -> Result<Vec<u8>, FileError> {
        let mut bytes = Vec::with_capacity(self.len.min(self.limit) as usize);
        self.file
            .take(self.limit.saturating_add(1))
            .read_to_end(&mut bytes)?;
        if bytes.len() as u64 > self.limit {
            return Err(FileError::TooLarge {
                kind: self.kind,
                limit: self.limit,
            });
        }
        Ok(bytes)
    }

    /// A reader over the file that fails once it has given the limit's worth of bytes, for
    /// files read as a stream.
    pub fn into_reader(self) -> Limited {
        Limited {
            file: self.file,
            left: self.limit,
            kind: self.kind,
            limit: self.limit,
        }
    }

    /// The open file, for a reader that must seek (a zip archive). Its size was within the
    /// limit when it was opened; what an archive unpacks to is limited separately.
    pub fn into_file(self) -> File {
        self.file
    }
}

/// A file read as a stream, failing with [`FileError::TooLarge`] (inside an
/// [`io::Error`]) past its limit.
#[derive(Debug)]
pub struct Limited {
    file: File,
    left: u64,
    kind: Kind,
    limit: u64,
}

impl Read for Limited {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.left == 0 {
            // One more byte would be over the limit: look for it without keeping it.
            let mut probe = [0u8; 1];
            return match self.file.read(&mut probe)? {
                0 => Ok(0),
                _ => Err(io::Error::other(FileError::TooLarge {
                    kind: self.kind,
                    limit: self.limit,
                })),
            };
        }
        let room = buf
            .len()
            .min(usize::try_from(self.left).unwrap_or(usize::MAX));
        let n = self.file.read(&mut buf[..room])?;
        self.left -= n as u64;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_within_its_limit_is_read_and_one_past_it_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.txt");
        std::fs::write(&path, "12345").unwrap();
        let exact = Limits::uniform(5);
        assert_eq!(
            read(&path, Kind::Transcript, &exact, Links::Refuse).unwrap(),
            b"12345"
        );
        let small = Limits::uniform(4);
        let e = read(&path, Kind::Transcript, &small, Links::Refuse).unwrap_err();
        assert!(
            matches!(
                e,
                FileError::TooLarge {
                    limit: 4,
                    kind: Kind::Transcript
                }
            ),
            "{e:?}"
        );
        assert_eq!(
            e.to_string(),
            "is larger than 4 bytes, the limit for a transcript; raise the limit with --max-file-mb N (or SAMSKAP_MAX_FILE_MB=N)"
        );
        assert!(matches!(
            read(&dir.path().join("none"), Kind::Table, &exact, Links::Refuse),
            Err(FileError::Missing)
        ));
    }

    #[test]
    fn a_file_that_grows_after_the_check_is_cut_at_its_limit() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("codings.csv");
        std::fs::write(&path, "1234").unwrap();
        let limits = Limits::uniform(6);
        let opened = open(&path, Kind::Table, &limits, Links::Refuse).unwrap();
        std::fs::write(&path, "1234567890").unwrap();
        assert!(matches!(opened.read_all(), Err(FileError::TooLarge { .. })));

        std::fs::write(&path, "1234").unwrap();
        let opened = open(&path, Kind::Table, &limits, Links::Refuse).unwrap();
        std::fs::write(&path, "1234567890").unwrap();
        let mut got = Vec::new();
        let e = opened.into_reader().read_to_end(&mut got).unwrap_err();
        assert_eq!(got, b"123456");
        assert!(e.to_string().starts_with("is larger than 6 bytes"), "{e}");

        std::fs::write(&path, "123456").unwrap();
        let opened = open(&path, Kind::Table, &limits, Links::Refuse).unwrap();
        let mut got = Vec::new();
        opened.into_reader().read_to_end(&mut got).unwrap();
        assert_eq!(got, b"123456", "exactly the limit is allowed");
    }

    #[test]
    fn a_directory_is_not_a_file_and_a_file_is_not_a_directory() {
        let dir = tempfile::tempdir().unwrap();
        let e = read(
            dir.path(),
            Kind::Document,
            &Limits::default(),
            Links::Follow,
        )
        .unwrap_err();
        assert_eq!(e.to_string(), "is a directory, not a regular file");
        let file = dir.path().join("transcripts");
        std::fs::write(&file, "").unwrap();
        let e = check_dir(&file, Links::Refuse).unwrap_err();
        assert_eq!(e.to_string(), "is a regular file, not a directory");
        assert!(!check_dir(&dir.path().join("none"), Links::Refuse).unwrap());
        assert!(check_dir(dir.path(), Links::Refuse).unwrap());
    }

    #[cfg(unix)]
    #[test]
    fn links_are_refused_or_followed_as_asked() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("target.txt");
        std::fs::write(&target, "root").unwrap();
        let link = dir.path().join("link.txt");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        let limits = Limits::default();
        assert!(matches!(
            read(&link, Kind::Transcript, &limits, Links::Refuse),
            Err(FileError::Link)
        ));
        assert_eq!(
            read(&link, Kind::Transcript, &limits, Links::Follow).unwrap(),
            b"root"
        );
        let dlink = dir.path().join("dlink");
        std::os::unix::fs::symlink(dir.path(), &dlink).unwrap();
        assert!(matches!(
            check_dir(&dlink, Links::Refuse),
            Err(FileError::Link)
        ));
        // A followed link still has to reach a regular file.
        let dev = dir.path().join("random.txt");
        std::os::unix::fs::symlink("/dev/urandom", &dev).unwrap();
        let e = read(&dev, Kind::Transcript, &limits, Links::Follow).unwrap_err();
        assert_eq!(e.to_string(), "is a character device, not a regular file");
    }

    #[cfg(unix)]
    #[test]
    fn a_fifo_is_refused_without_waiting() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("I1.txt");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(made.success());
        for links in [Links::Refuse, Links::Follow] {
            let e = read(&fifo, Kind::Transcript, &Limits::default(), links).unwrap_err();
            assert_eq!(e.to_string(), "is a FIFO, not a regular file");
        }
    }
}
