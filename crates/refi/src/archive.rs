//! Reading a `.qdpx` zip as untrusted input: every entry name is checked, entries are looked
//! up by name in an index (never turned into a file-system path), and every byte is counted
//! as it is decompressed against [`Limits`].

use std::collections::BTreeMap;
use std::io::{Read, Seek};

use crate::RefiError;

/// Limits on what an archive may unpack to. The defaults are far above any real project
/// (a thesis with 100 interviews is a few megabytes) and far below what would hurt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Entries in the archive, counted from its central directory.
    pub max_entries: usize,
    /// Bytes unpacked from one entry.
    pub max_entry_bytes: u64,
    /// Bytes unpacked from the whole archive.
    pub max_total_bytes: u64,
    /// Unpacked size over packed size of one entry, checked once an entry has unpacked more
    /// than [`Limits::ratio_floor`] bytes (tiny files compress well and are harmless).
    pub max_ratio: u64,
    /// Unpacked bytes below which the ratio is not checked.
    pub ratio_floor: u64,
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
            max_entries: 10_000,
            max_entry_bytes: 256 << 20,
            max_total_bytes: 1 << 30,
            max_ratio: 100,
            ratio_floor: 1 << 20,
            max_depth: 256,
            max_elements: 1_000_000,
        }
    }
}

/// An open archive: its entry names, checked, and the bytes unpacked so far.
pub(crate) struct Archive<R: Read + Seek> {
    zip: zip::ZipArchive<R>,
    /// Entry names by ASCII-lower-cased name, to their index.
    index: BTreeMap<String, usize>,
    limits: Limits,
    unpacked: u64,
}

/// True when `name` could be used as a relative path without leaving the archive: no
/// absolute path, no drive letter, no `..`, no backslash and no NUL.
pub(crate) fn is_safe_name(name: &str) -> bool {
    let drive = name.len() >= 2 && name.as_bytes()[1] == b':';
    !(name.is_empty()
        || drive
        || name.starts_with('/')
        || name.contains(['\\', '\0'])
        || name.split('/').any(|part| part == ".."))
}

impl<R: Read + Seek> Archive<R> {
    /// Opens the archive and checks every entry name and the entry count.
    pub(crate) fn open(reader: R, limits: Limits) -> Result<Self, RefiError> {
        let zip = zip::ZipArchive::new(reader).map_err(|e| RefiError::NotZip(e.to_string()))?;
        if zip.len() > limits.max_entries {
            return Err(RefiError::TooManyEntries {
                found: zip.len(),
                limit: limits.max_entries,
            });
        }
        let mut index: BTreeMap<String, usize> = BTreeMap::new();
        for i in 0..zip.len() {
            let name = zip.name_for_index(i).unwrap_or_default();
            if !is_safe_name(name) {
                return Err(RefiError::UnsafeEntry(name.to_owned()));
            }
            // Names are looked up with ASCII case ignored, so two files whose names differ
            // only so would make the choice between them arbitrary. Folder entries are never
            // read.
            if let Some(&first) = index.get(&name.to_ascii_lowercase()) {
                if !name.ends_with('/') {
                    return Err(RefiError::DuplicateEntry {
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
    pub(crate) fn names(&self) -> Vec<String> {
        (0..self.zip.len())
            .filter_map(|i| self.zip.name_for_index(i))
            .map(str::to_owned)
            .collect()
    }

    /// True when an entry of this name exists (ASCII case ignored).
    pub(crate) fn contains(&self, name: &str) -> bool {
        self.index.contains_key(&name.to_ascii_lowercase())
    }

    /// Unpacks one entry by name (ASCII case ignored), counting bytes as they come.
    pub(crate) fn read(&mut self, name: &str) -> Result<Option<Vec<u8>>, RefiError> {
        let Some(&i) = self.index.get(&name.to_ascii_lowercase()) else {
            return Ok(None);
        };
        let limits = self.limits;
        let mut entry = self
            .zip
            .by_index(i)
            .map_err(|e| RefiError::NotZip(format!("cannot unpack `{name}`: {e}")))?;
        let packed = entry.compressed_size().max(1);
        let mut out = Vec::new();
        let mut buf = [0u8; 64 * 1024];
        loop {
            let n = entry
                .read(&mut buf)
                .map_err(|e| RefiError::NotZip(format!("cannot unpack `{name}`: {e}")))?;
            if n == 0 {
                break;
            }
            out.extend_from_slice(&buf[..n]);
            let got = out.len() as u64;
            if got > limits.max_entry_bytes {
                return Err(RefiError::TooLarge {
                    entry: name.to_owned(),
                    what: "limit per entry",
                    limit: limits.max_entry_bytes,
                });
            }
            if self.unpacked + got > limits.max_total_bytes {
                return Err(RefiError::TooLarge {
                    entry: name.to_owned(),
                    what: "limit for the whole archive",
                    limit: limits.max_total_bytes,
                });
            }
            if got > limits.ratio_floor && got > packed.saturating_mul(limits.max_ratio) {
                return Err(RefiError::Ratio {
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

    fn small() -> Limits {
        Limits {
            max_entries: 3,
            max_entry_bytes: 1000,
            max_total_bytes: 1500,
            max_ratio: 10,
            ratio_floor: 100,
            max_depth: 8,
            max_elements: 100,
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
        let mut a = Archive::open(zip(&[("zeros", vec![0; 900])]), small()).unwrap();
        assert!(matches!(a.read("zeros"), Err(RefiError::Ratio { .. })));
        let many: Vec<(&str, Vec<u8>)> =
            ["a", "b", "c", "d"].iter().map(|n| (*n, vec![])).collect();
        assert!(matches!(
            Archive::open(zip(&many), small()),
            Err(RefiError::TooManyEntries { found: 4, limit: 3 })
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
                matches!(&e, RefiError::DuplicateEntry { first, second } if first == a && second == b),
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
        // Folder entries are never read, so a repeated one is harmless.
        assert!(Archive::open(zip(&[("sources/", vec![]), ("Sources/", vec![])]), small()).is_ok());
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
