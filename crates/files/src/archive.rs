//! A zip archive (a `.qdpx` project, a `.docx` document) as untrusted input: every entry name
//! is checked, entries are looked up by name in an index (never turned into a file-system
//! path), two entries of one name and links are refused, and every byte is counted as it is
//! decompressed against [`ZipLimits`].

use std::collections::{BTreeMap, HashSet};
use std::io::{self, BufReader, Read, Seek, SeekFrom};

use samskap_core::shorten as short;

use crate::{size, RAISE_LIMITS};

/// Limits on what an archive may unpack to. The defaults are far above any real project (a
/// thesis with 100 interviews is a few megabytes, a long interview's `word/document.xml` a
/// few megabytes of XML) and far below what would hurt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ZipLimits {
    /// Entries in the archive, counted from its central directory.
    pub max_entries: usize,
    /// Bytes unpacked from one entry.
    pub max_entry_bytes: u64,
    /// Bytes unpacked from the whole archive.
    pub max_total_bytes: u64,
    /// Unpacked size over packed size of one entry, checked once an entry has unpacked more
    /// than [`ZipLimits::ratio_floor`] bytes (tiny files compress well and are harmless).
    pub max_ratio: u64,
    /// Unpacked bytes below which the ratio is not checked.
    pub ratio_floor: u64,
}

impl Default for ZipLimits {
    fn default() -> Self {
        Self {
            max_entries: 10_000,
            max_entry_bytes: 256 << 20,
            max_total_bytes: 1 << 30,
            max_ratio: 100,
            ratio_floor: 1 << 20,
        }
    }
}

/// Why an archive, or one of its entries, was refused.
#[derive(Debug, thiserror::Error)]
pub enum ArchiveError {
    /// Not a zip archive, or a damaged one.
    #[error("{0}")]
    NotZip(String),
    /// An entry name that would leave the archive if it were ever used as a path.
    #[error("archive entry `{}` has an unsafe path (absolute, `..`, a drive letter, `\\` or NUL); refusing the whole archive", short(.0))]
    UnsafeEntry(String),
    /// Two entries whose names differ only in ASCII case (names are looked up that way).
    #[error("archive entries `{}` and `{}` differ only in case; names are looked up with case ignored, so the archive is refused rather than one chosen", short(first), short(second))]
    CaseDuplicate {
        /// The first entry.
        first: String,
        /// The second.
        second: String,
    },
    /// Two entries of the same name: other tools read the first, a zip reader that keeps
    /// one entry per name reads the second, so the two would see different files.
    #[error("archive entry `{}` appears twice; tools differ on which one they read, so the archive is refused rather than one chosen", short(.0))]
    Duplicate(String),
    /// An entry stored as a symbolic link.
    #[error("archive entry `{}` is a symbolic link; refusing the whole archive", short(.0))]
    Link(String),
    /// More entries than [`ZipLimits::max_entries`].
    #[error("the archive has {found} entries, more than the limit of {limit}")]
    TooManyEntries {
        /// Entries in the archive.
        found: usize,
        /// The limit.
        limit: usize,
    },
    /// Decompressing went past a size limit (a zip bomb, or simply too large).
    #[error("archive entry `{}` unpacks to more than {} ({what}); refusing it as a possible zip bomb; {RAISE_LIMITS}", short(entry), size(*.limit))]
    TooLarge {
        /// The entry being unpacked.
        entry: String,
        /// Which limit.
        what: &'static str,
        /// The limit in bytes.
        limit: u64,
    },
    /// An entry whose unpacked size is out of proportion to its packed size.
    #[error("archive entry `{}` unpacks to over {ratio} times its packed size ({packed} bytes); refusing it as a possible zip bomb", short(entry))]
    Ratio {
        /// The entry.
        entry: String,
        /// The ratio limit.
        ratio: u64,
        /// Its packed size.
        packed: u64,
    },
}

/// An open archive: its entry names, checked, and the bytes unpacked so far.
pub struct Archive<R: Read + Seek> {
    zip: zip::ZipArchive<R>,
    /// Entry names by ASCII-lower-cased name, to their index.
    index: BTreeMap<String, usize>,
    limits: ZipLimits,
    unpacked: u64,
}

/// True when `name` could be used as a relative path without leaving the archive: no
/// absolute path, no drive letter, no `..`, no backslash and no NUL.
pub fn is_safe_name(name: &str) -> bool {
    let drive = name.len() >= 2 && name.as_bytes()[1] == b':';
    !(name.is_empty()
        || drive
        || name.starts_with('/')
        || name.contains(['\\', '\0'])
        || name.split('/').any(|part| part == ".."))
}

/// An entry as the central directory declares it.
struct Declared {
    name: Vec<u8>,
    link: bool,
}

/// The signature of a central directory record.
const CENTRAL_RECORD: u32 = 0x0201_4b50;

/// The Unix file-type bits of a mode, and the type of a symbolic link.
const S_IFMT: u32 = 0o170_000;
const S_IFLNK: u32 = 0o120_000;

/// Reads the central directory's records from `start`, at most `at_most` of them.
///
/// The zip reader keeps one entry per name (the last one), so it cannot say whether a name
/// came twice; the directory itself can. The records are read as APPNOTE 4.3.12 lays them
/// out: 46 fixed bytes, then the name, the extra field and the comment.
fn declared<R: Read + Seek>(
    reader: &mut R,
    start: u64,
    at_most: usize,
) -> io::Result<Vec<Declared>> {
    reader.seek(SeekFrom::Start(start))?;
    let mut r = BufReader::new(reader);
    let mut out = Vec::new();
    while out.len() < at_most {
        let mut fixed = [0u8; 46];
        if r.read_exact(&mut fixed[..4]).is_err()
            || u32::from_le_bytes([fixed[0], fixed[1], fixed[2], fixed[3]]) != CENTRAL_RECORD
        {
            break;
        }
        r.read_exact(&mut fixed[4..])?;
        let u16_at = |i: usize| u16::from_le_bytes([fixed[i], fixed[i + 1]]);
        let external = u32::from_le_bytes([fixed[38], fixed[39], fixed[40], fixed[41]]);
        let mut name = vec![0u8; usize::from(u16_at(28))];
        r.read_exact(&mut name)?;
        r.seek_relative(i64::from(u16_at(30)) + i64::from(u16_at(32)))?;
        // The high half of the external attributes is a Unix mode wherever it is set,
        // whichever system the archive says made it (the zip crate reads it so too).
        let link = (external >> 16) & S_IFMT == S_IFLNK;
        out.push(Declared { name, link });
    }
    Ok(out)
}

impl<R: Read + Seek> Archive<R> {
    /// Opens the archive and checks every entry: the count, each name, no name twice, no
    /// link.
    pub fn open(mut reader: R, limits: ZipLimits) -> Result<Self, ArchiveError> {
        let not_zip = |e: zip::result::ZipError| ArchiveError::NotZip(e.to_string());
        let (start, len) = {
            let zip = zip::ZipArchive::new(&mut reader).map_err(not_zip)?;
            (zip.central_directory_start(), zip.len())
        };
        if len > limits.max_entries {
            return Err(ArchiveError::TooManyEntries {
                found: len,
                limit: limits.max_entries,
            });
        }
        // One more than the reader kept is enough to know that some name came twice.
        let declared = declared(&mut reader, start, len + 1)
            .map_err(|e| ArchiveError::NotZip(format!("cannot read the central directory: {e}")))?;
        if let Some(d) = declared.iter().find(|d| d.link) {
            return Err(ArchiveError::Link(
                String::from_utf8_lossy(&d.name).into_owned(),
            ));
        }
        if declared.len() > len {
            let mut seen = HashSet::new();
            let twice = declared
                .iter()
                .find(|d| !seen.insert(d.name.as_slice()))
                .map(|d| String::from_utf8_lossy(&d.name).into_owned())
                // Two different byte strings that decode to one name.
                .unwrap_or_else(|| "(two names that decode alike)".to_owned());
            return Err(ArchiveError::Duplicate(twice));
        }
        let zip = zip::ZipArchive::new(reader).map_err(not_zip)?;
        let mut index: BTreeMap<String, usize> = BTreeMap::new();
        for i in 0..zip.len() {
            let name = zip.name_for_index(i).unwrap_or_default();
            if !is_safe_name(name) {
                return Err(ArchiveError::UnsafeEntry(name.to_owned()));
            }
            // Names are looked up with ASCII case ignored, so two files whose names differ
            // only so would make the choice between them arbitrary. Folder entries are never
            // read.
            if let Some(&first) = index.get(&name.to_ascii_lowercase()) {
                if !name.ends_with('/') {
                    return Err(ArchiveError::CaseDuplicate {
                        first: zip.name_for_index(first).unwrap_or_default().to_owned(),
                        second: name.to_owned(),
                    });
                }
                continue;
            }
            index.insert(name.to_ascii_lowercase(), i);
        }
        Ok(Self {
            zip,
            index,
            limits,
            unpacked: 0,
        })
    }

    /// The entry names (as written), in archive order.
    pub fn names(&self) -> Vec<String> {
        (0..self.zip.len())
            .filter_map(|i| self.zip.name_for_index(i))
            .map(str::to_owned)
            .collect()
    }

    /// True when an entry of this name exists (ASCII case ignored).
    pub fn contains(&self, name: &str) -> bool {
        self.index.contains_key(&name.to_ascii_lowercase())
    }

    /// Unpacks one entry by name (ASCII case ignored), counting bytes as they come.
    pub fn read(&mut self, name: &str) -> Result<Option<Vec<u8>>, ArchiveError> {
        let Some(&i) = self.index.get(&name.to_ascii_lowercase()) else {
            return Ok(None);
        };
        let limits = self.limits;
        let mut entry = self
            .zip
            .by_index(i)
            .map_err(|e| ArchiveError::NotZip(format!("cannot unpack `{name}`: {e}")))?;
        let packed = entry.compressed_size().max(1);
        let mut out = Vec::new();
        let mut buf = [0u8; 64 * 1024];
        loop {
            let n = entry
                .read(&mut buf)
                .map_err(|e| ArchiveError::NotZip(format!("cannot unpack `{name}`: {e}")))?;
            if n == 0 {
                break;
            }
            out.extend_from_slice(&buf[..n]);
            let got = out.len() as u64;
            if got > limits.max_entry_bytes {
                return Err(ArchiveError::TooLarge {
                    entry: name.to_owned(),
                    what: "limit per entry",
                    limit: limits.max_entry_bytes,
                });
            }
            if self.unpacked + got > limits.max_total_bytes {
                return Err(ArchiveError::TooLarge {
                    entry: name.to_owned(),
                    what: "limit for the whole archive",
                    limit: limits.max_total_bytes,
                });
            }
            if got > limits.ratio_floor && got > packed.saturating_mul(limits.max_ratio) {
                return Err(ArchiveError::Ratio {
                    entry: name.to_owned(),
                    ratio: limits.max_ratio,
                    packed,
                });
            }
        }
        self.unpacked += out.len() as u64;
        Ok(Some(out))
    }
}

#[cfg(test)]
mod tests {
    use std::io::{Cursor, Write};

    use super::*;

    fn zip(entries: &[(&str, Vec<u8>)]) -> Cursor<Vec<u8>> {
        let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let o = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        for (name, bytes) in entries {
            w.start_file(*name, o).unwrap();
            w.write_all(bytes).unwrap();
        }
        let mut c = w.finish().unwrap();
        c.set_position(0);
        c
    }

    fn small() -> ZipLimits {
        ZipLimits {
            max_entries: 3,
            max_entry_bytes: 1000,
            max_total_bytes: 1500,
            max_ratio: 10,
            ratio_floor: 100,
        }
    }

    #[test]
    fn every_limit_is_counted_while_unpacking() {
        let text: Vec<u8> = (0..900u32).map(|i| (i * 7919 % 251) as u8).collect();
        let mut a =
            Archive::open(zip(&[("a", text.clone()), ("b", text.clone())]), small()).unwrap();
        assert_eq!(
            a.read("A").unwrap().unwrap(),
            text,
            "names ignore ASCII case"
        );
        let e = a.read("b").unwrap_err();
        assert!(e.to_string().contains("whole archive"), "{e}");
        let noise: Vec<u8> = (0..1001u32).map(|i| (i * 7919 % 251) as u8).collect();
        let mut a = Archive::open(zip(&[("big", noise)]), small()).unwrap();
        let e = a.read("big").unwrap_err();
        assert!(e.to_string().contains("limit per entry"), "{e}");
        assert!(e.to_string().contains("--max-file-mb"), "{e}");
        let mut a = Archive::open(zip(&[("zeros", vec![0; 900])]), small()).unwrap();
        assert!(matches!(a.read("zeros"), Err(ArchiveError::Ratio { .. })));
        let many: Vec<(&str, Vec<u8>)> =
            ["a", "b", "c", "d"].iter().map(|n| (*n, vec![])).collect();
        assert!(matches!(
            Archive::open(zip(&many), small()),
            Err(ArchiveError::TooManyEntries { found: 4, limit: 3 })
        ));
        assert!(a.read("missing").unwrap().is_none());
    }

    #[test]
    fn names_that_differ_only_in_ascii_case_are_refused() {
        for (a, b) in [
            ("sources/a.txt", "Sources/A.TXT"),
            ("project.qde", "PROJECT.qde"),
        ] {
            let e = Archive::open(zip(&[(a, vec![1]), (b, vec![2])]), small())
                .err()
                .unwrap();
            assert!(
                matches!(&e, ArchiveError::CaseDuplicate { first, second } if first == a && second == b),
                "{e}"
            );
            assert!(e.to_string().contains("only in case"), "{e}");
        }
        // Case beyond ASCII is not folded: these are two files, each found by its own name
        // (Unicode lower-casing would have made `Ä` and `ä` one, and the later one won).
        let mut a = Archive::open(zip(&[("Ä.txt", vec![1]), ("ä.txt", vec![2])]), small()).unwrap();
        assert_eq!(a.read("Ä.txt").unwrap().unwrap(), [1]);
        assert_eq!(a.read("ä.txt").unwrap().unwrap(), [2]);
        // The Kelvin sign lower-cases to `k` in Unicode, not in ASCII.
        let mut a = Archive::open(zip(&[("\u{212A}.txt", vec![1])]), small()).unwrap();
        assert!(a.read("k.txt").unwrap().is_none());
        assert_eq!(a.read("\u{212A}.TXT").unwrap().unwrap(), [1]);
        // Folder entries are never read, so names that differ in case are harmless.
        assert!(Archive::open(zip(&[("sources/", vec![]), ("Sources/", vec![])]), small()).is_ok());
    }

    /// A zip with two entries of one name, as a hand-made archive can have. The zip writer
    /// refuses to write a name twice, so the second is written under a stand-in name of the
    /// same length, renamed in the bytes afterwards (local header and central directory).
    fn twice(name: &str, first: &[u8], second: &[u8]) -> Cursor<Vec<u8>> {
        let standin: String = "x".repeat(name.len());
        let mut bytes = zip(&[(name, first.to_vec()), (&standin, second.to_vec())]).into_inner();
        let mut at = 0;
        while let Some(i) = bytes[at..]
            .windows(standin.len())
            .position(|w| w == standin.as_bytes())
        {
            bytes[at + i..at + i + name.len()].copy_from_slice(name.as_bytes());
            at += i + name.len();
        }
        Cursor::new(bytes)
    }

    #[test]
    fn two_entries_of_the_same_name_are_refused() {
        // Read as it is, the zip reader would give the second entry's bytes for the name.
        let mut r = zip::ZipArchive::new(twice("sources/a.txt", b"first", b"second")).unwrap();
        let mut got = Vec::new();
        r.by_name("sources/a.txt")
            .unwrap()
            .read_to_end(&mut got)
            .unwrap();
        assert_eq!(got, b"second");
        let e = Archive::open(twice("sources/a.txt", b"first", b"second"), small())
            .err()
            .unwrap();
        assert!(
            matches!(&e, ArchiveError::Duplicate(n) if n == "sources/a.txt"),
            "{e}"
        );
        assert!(e.to_string().contains("appears twice"), "{e}");
        // Folders too: the rule is one entry per name.
        assert!(matches!(
            Archive::open(twice("sources/", b"", b""), small()),
            Err(ArchiveError::Duplicate(_))
        ));
    }

    #[test]
    fn symbolic_link_entries_are_refused() {
        let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let o = zip::write::SimpleFileOptions::default();
        w.start_file("project.qde", o).unwrap();
        w.write_all(b"<Project/>").unwrap();
        w.add_symlink("sources/a.txt", "/etc/passwd", o).unwrap();
        let mut c = w.finish().unwrap();
        c.set_position(0);
        let e = Archive::open(c, small()).err().unwrap();
        assert!(
            matches!(&e, ArchiveError::Link(n) if n == "sources/a.txt"),
            "{e}"
        );
    }

    #[test]
    fn a_long_entry_name_is_echoed_shortened() {
        let name = format!("../{}", "a".repeat(60_000));
        let e = Archive::open(zip(&[(&name, vec![1])]), small())
            .err()
            .unwrap();
        assert!(e.to_string().len() < 300, "{}", e.to_string().len());
        assert!(
            e.to_string().contains(&format!("`../{}…`", "a".repeat(61))),
            "{e}"
        );
    }

    #[test]
    fn unsafe_names_are_recognised() {
        for bad in [
            "../x",
            "sources/../../x",
            "/etc/passwd",
            "C:/x",
            "c:x",
            "a\\b",
            "a\0b",
            "",
        ] {
            assert!(!is_safe_name(bad), "{bad:?}");
        }
        for good in [
            "project.qde",
            "sources/abc.txt",
            ".root",
            "Sources/x..y.txt",
        ] {
            assert!(is_safe_name(good), "{good:?}");
        }
    }
}
