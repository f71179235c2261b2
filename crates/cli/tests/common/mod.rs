//! What the end-to-end tests of the `samskap` binary share: the fixtures, and a scratch
//! directory with a store to run the binary against.

// Each test binary uses only part of this.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures")
}

pub fn thesis() -> PathBuf {
    fixtures().join("ung-inkludering-demo")
}

/// A scratch directory with a store path in it.
pub struct Env {
    pub dir: tempfile::TempDir,
}

impl Env {
    pub fn new() -> Self {
        Self {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    pub fn db(&self) -> PathBuf {
        self.dir.path().join("samskap.db")
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    /// Runs samskap with `--db` set to this environment's store.
    pub fn run(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_samskap"))
            .current_dir(self.dir.path())
            .env_remove("SAMSKAP_DB")
            .env_remove("SAMSKAP_MAX_FILE_MB")
            .arg("--db")
            .arg(self.db())
            .args(args)
            .output()
            .unwrap()
    }

    /// Runs samskap as [`Env::run`] does, but unable to write past 32 KiB into any file:
    /// such a write fails (EFBIG) rather than kill the process (SIGXFSZ ignored). A real
    /// failure midway, for tests of output that must be written whole or not at all.
    #[cfg(unix)]
    pub fn run_with_small_files(&self, args: &[&str]) -> Output {
        Command::new("sh")
            .current_dir(self.dir.path())
            // 64 blocks of 512 bytes: the least that SQLite's 32 KiB shared-memory file needs.
            .args(["-c", "trap '' XFSZ; ulimit -f 64; exec \"$0\" \"$@\""])
            .arg(env!("CARGO_BIN_EXE_samskap"))
            .env_remove("SAMSKAP_DB")
            .env_remove("SAMSKAP_MAX_FILE_MB")
            .arg("--db")
            .arg(self.db())
            .args(args)
            .output()
            .unwrap()
    }

    /// Runs and expects success; returns stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "samskap {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    /// Runs and expects failure with exit code 1; returns stderr.
    pub fn fails(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert_eq!(out.status.code(), Some(1), "samskap {args:?} did not fail");
        assert!(out.stdout.is_empty(), "nothing on stdout when failing");
        String::from_utf8(out.stderr).unwrap()
    }

    /// Runs and expects a usage error, exit code 2 (a bad flag value); returns stderr.
    pub fn misused(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert_eq!(
            out.status.code(),
            Some(2),
            "samskap {args:?} was no usage error"
        );
        assert!(out.stdout.is_empty(), "nothing on stdout when failing");
        String::from_utf8(out.stderr).unwrap()
    }

    /// Runs with `--json` and parses stdout.
    pub fn json(&self, args: &[&str]) -> serde_json::Value {
        let mut a = args.to_vec();
        a.push("--json");
        serde_json::from_str(&self.ok(&a)).unwrap()
    }

    pub fn import_thesis(&self) {
        self.ok(&["import", thesis().to_str().unwrap()]);
    }
}

/// Copies a directory tree (a bundle, a project) to `to`.
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &to.join(e.file_name()));
        } else {
            std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
        }
    }
}

/// Zips a directory (as a QDA tool would) into `out`.
pub fn zip_dir(dir: &Path, out: &Path) {
    let mut entries = Vec::new();
    fn walk(root: &Path, dir: &Path, entries: &mut Vec<(String, Vec<u8>)>) {
        let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        paths.sort();
        for p in paths {
            if p.is_dir() {
                walk(root, &p, entries);
            } else {
                let rel = p
                    .strip_prefix(root)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/");
                entries.push((rel, std::fs::read(&p).unwrap()));
            }
        }
    }
    walk(dir, dir, &mut entries);
    write_zip(out, &entries);
}

/// Writes `entries` (name, bytes) as a deflated zip archive.
pub fn write_zip(out: &Path, entries: &[(String, Vec<u8>)]) {
    use std::io::Write;
    let mut zip = zip::ZipWriter::new(std::fs::File::create(out).unwrap());
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in entries {
        zip.start_file(name.as_str(), options).unwrap();
        zip.write_all(bytes).unwrap();
    }
    zip.finish().unwrap();
}

/// One part of a `.docx` file (`word/document.xml`) as its XML text; `None` if it has none.
pub fn docx_part(docx: &Path, part: &str) -> Option<String> {
    use std::io::Read;
    let mut zip = zip::ZipArchive::new(std::fs::File::open(docx).unwrap()).unwrap();
    let mut entry = zip.by_name(part).ok()?;
    let mut text = String::new();
    entry.read_to_string(&mut text).unwrap();
    Some(text)
}

/// `text` as report.docx writes it in a paragraph: `&`, `<` and `>` escaped.
pub fn xml_text(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}
