//! Output replaced whole or not at all: written beside the old output, then moved into place.

use std::fs::File;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};

/// Why output could not be written. Every message says what became of the previous output
/// and carries the system's error itself (it is not a `source`, which a chain of causes
/// would print a second time).
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    /// Writing the new output failed; nothing of the previous output was touched.
    #[error("cannot write {}: {error}; the previous output is as it was", .path.display())]
    Write {
        /// The file or directory.
        path: PathBuf,
        /// The system's error.
        error: io::Error,
    },
    /// Moving the new output into place failed; what had moved was moved back.
    #[error("cannot put {} in place: {error}; the previous output is as it was", .path.display())]
    Replace {
        /// The entry that would not move.
        path: PathBuf,
        /// The system's error.
        error: io::Error,
    },
    /// Moving the new output into place failed, and so did moving the previous output back.
    #[error("cannot put {} in place: {error}; moving the previous output back failed too ({undo}): what is missing is in {}", .path.display(), .kept.display())]
    Stranded {
        /// The entry that would not move.
        path: PathBuf,
        /// The system's error.
        error: io::Error,
        /// Why the undo failed.
        undo: io::Error,
        /// Where the previous output's entries are.
        kept: PathBuf,
    },
    /// A directory where the new output has a file (or nothing): replacing it would throw
    /// away a directory that the output never wrote.
    #[error("{} is a directory, where the output has a file; move it away", .0.display())]
    Directory(PathBuf),
    /// The new output is in place, but the previous one, moved aside, could not be removed.
    /// It may hold what should be gone (a withdrawn informant's transcript), so this is an
    /// error, not a warning.
    #[error("wrote the new output, but cannot remove the previous one, kept in {}: {error}; remove that directory", .path.display())]
    Cleanup {
        /// The directory holding the previous output.
        path: PathBuf,
        /// The system's error.
        error: io::Error,
    },
}

/// Output into a directory, built beside what is there and moved into place only when
/// complete.
///
/// [`Output::begin`] makes a hidden directory inside the target (on the same file system,
/// so moves are renames); the caller writes the new entries under [`Output::path`] and calls
/// [`Output::commit`] with every entry name the output owns. Only those entries change:
/// other files in the target (a README, a `.git`) stay. An entry the new output lacks is
/// removed (an old `memos.toml` when there are no memos).
///
/// If anything fails before the commit, the hidden directory is removed and the target is
/// as it was. The commit moves each old entry aside and the new one in (renames, which do not
/// fail for want of space); if one fails, the entries already moved are moved back. A
/// process killed midway leaves the hidden directory behind, with the old output in place,
/// or with old entries in its `old/` folder while they are being swapped.
#[derive(Debug)]
pub struct Output {
    target: PathBuf,
    stage: PathBuf,
    /// Keep the stage directory on drop: it holds entries of the previous output.
    keep: bool,
    /// The outermost directory `begin` created for the target, removed again (if still
    /// empty) when the output is dropped before it is put in place.
    created: Option<PathBuf>,
    #[cfg(test)]
    fail_at: Option<usize>,
}

/// Tells apart the outputs one process begins in one directory.
static NEXT: AtomicU32 = AtomicU32::new(0);

impl Output {
    /// Begins output into `dir`, creating it if needed.
    pub fn begin(dir: &Path) -> Result<Self, OutputError> {
        let write = |path: &Path| {
            let path = path.to_owned();
            move |source| OutputError::Write {
                path,
                error: source,
            }
        };
        let created = dir
            .ancestors()
            .take_while(|a| !a.as_os_str().is_empty() && std::fs::symlink_metadata(a).is_err())
            .last()
            .map(Path::to_owned);
        std::fs::create_dir_all(dir).map_err(write(dir))?;
        loop {
            let n = NEXT.fetch_add(1, Ordering::Relaxed);
            let stage = dir.join(format!(".samskap-output-{}-{n}", std::process::id()));
            match std::fs::create_dir(&stage) {
                Ok(()) => {
                    let output = Self {
                        target: dir.to_owned(),
                        stage,
                        keep: false,
                        created: created.clone(),
                        #[cfg(test)]
                        fail_at: None,
                    };
                    let new = output.path();
                    std::fs::create_dir(&new).map_err(write(&new))?;
                    return Ok(output);
                }
                // Left by a process that was killed (or by a second samskap): try another.
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(write(&stage)(e)),
            }
        }
    }

    /// The directory to write the new entries into.
    pub fn path(&self) -> PathBuf {
        self.stage.join("new")
    }

    /// Writes one new file, `rel` under [`Output::path`] (its folders created), and flushes
    /// it to disk, so that once it is moved into place it is there whole even after a crash.
    pub fn write(&self, rel: &str, bytes: &[u8]) -> Result<(), OutputError> {
        self.create(rel, |f| f.write_all(bytes))
    }

    /// Creates a new directory, `rel` under [`Output::path`], with its parents.
    pub fn create_dir(&self, rel: &str) -> Result<(), OutputError> {
        std::fs::create_dir_all(self.path().join(rel)).map_err(|error| OutputError::Write {
            path: self.target.join(rel),
            error,
        })
    }

    /// Creates one new file, `rel` under [`Output::path`], has `fill` write it, and flushes
    /// it to disk.
    pub fn create(
        &self,
        rel: &str,
        fill: impl FnOnce(&mut File) -> io::Result<()>,
    ) -> Result<(), OutputError> {
        let path = self.path().join(rel);
        let fail = |error| OutputError::Write {
            path: self.target.join(rel),
            error,
        };
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(fail)?;
        }
        let mut file = File::options()
            .write(true)
            .create_new(true)
            .open(&path)
            .map_err(fail)?;
        fill(&mut file).and_then(|()| file.sync_all()).map_err(fail)
    }

    /// Puts the new output in place: for each of `entries` (names directly in the target),
    /// the old entry goes and the new one, if written, comes.
    pub fn commit(mut self, entries: &[&str]) -> Result<(), OutputError> {
        let old = self.stage.join("old");
        std::fs::create_dir(&old).map_err(|error| OutputError::Write {
            path: old.clone(),
            error,
        })?;
        for name in entries {
            let here = self.target.join(name);
            if kind(&here) == Some(true) && kind(&self.path().join(name)) != Some(true) {
                return Err(OutputError::Directory(here));
            }
        }
        let mut moved: Vec<Move> = Vec::new();
        for (i, name) in entries.iter().enumerate() {
            debug_assert!(!name.contains(['/', '\\']), "{name} is not a plain name");
            let here = self.target.join(name);
            let new = self.path().join(name);
            let aside = old.join(name);
            let old_kind = kind(&here);
            let new_kind = kind(&new);
            // The last entry, a file replacing a file, is renamed straight over the old one:
            // one atomic step, and nothing after it could need the old one back.
            let direct =
                i + 1 == entries.len() && new_kind == Some(false) && old_kind != Some(true);
            let mut step = Move {
                name,
                aside: false,
                placed: false,
            };
            let mut result = Ok(());
            if old_kind.is_some() && !direct {
                result = self.rename(&here, &aside);
                step.aside = result.is_ok();
            }
            if result.is_ok() && new_kind.is_some() {
                result = self.rename(&new, &here);
                step.placed = result.is_ok();
            }
            moved.push(step);
            if let Err(error) = result {
                return Err(self.undo(&moved, &old, here, error));
            }
        }
        self.created = None;
        std::fs::remove_dir_all(&self.stage).map_err(|error| {
            self.keep = true;
            OutputError::Cleanup {
                path: self.stage.clone(),
                error,
            }
        })?;
        Ok(())
    }

    fn rename(&mut self, from: &Path, to: &Path) -> io::Result<()> {
        #[cfg(test)]
        if let Some(n) = self.fail_at.as_mut() {
            if *n == 0 {
                return Err(io::Error::other("failure injected by a test"));
            }
            *n -= 1;
        }
        std::fs::rename(from, to)
    }

    /// Moves back what `moved` moved, last first, after `path` failed with `error`.
    fn undo(&mut self, moved: &[Move], old: &Path, path: PathBuf, error: io::Error) -> OutputError {
        for m in moved.iter().rev() {
            let here = self.target.join(m.name);
            let undone = (|| {
                if m.placed {
                    std::fs::rename(&here, self.path().join(m.name))?;
                }
                if m.aside {
                    std::fs::rename(old.join(m.name), &here)?;
                }
                Ok(())
            })();
            if let Err(undo) = undone {
                self.keep = true;
                return OutputError::Stranded {
                    path,
                    error,
                    undo,
                    kept: old.to_owned(),
                };
            }
        }
        OutputError::Replace { path, error }
    }
}

/// One entry's progress through a commit.
struct Move<'a> {
    name: &'a str,
    aside: bool,
    placed: bool,
}

/// `Some(true)` for a directory, `Some(false)` for anything else that is there (a link is
/// not followed), `None` when nothing is.
fn kind(path: &Path) -> Option<bool> {
    std::fs::symlink_metadata(path).ok().map(|m| m.is_dir())
}

impl Drop for Output {
    fn drop(&mut self) {
        if !self.keep {
            // Only the unfinished new output is there; failing to remove it leaves a hidden
            // directory and nothing else wrong.
            let _ = std::fs::remove_dir_all(&self.stage);
            // And the directories made for it, from the target up, each only if empty.
            if let Some(created) = &self.created {
                for d in self.target.ancestors() {
                    if std::fs::remove_dir(d).is_err() || d == created {
                        break;
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    /// Every file under `dir` with its content, relative, `/` separated.
    fn tree(dir: &Path) -> BTreeMap<String, String> {
        fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, String>) {
            for e in std::fs::read_dir(dir).unwrap() {
                let p = e.unwrap().path();
                let rel = p
                    .strip_prefix(root)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/");
                if p.is_dir() {
                    walk(root, &p, out);
                } else {
                    out.insert(rel, std::fs::read_to_string(&p).unwrap());
                }
            }
        }
        let mut out = BTreeMap::new();
        walk(dir, dir, &mut out);
        out
    }

    fn old_bundle(dir: &Path) {
        std::fs::create_dir_all(dir.join("transcripts")).unwrap();
        std::fs::write(dir.join("study.toml"), "old study").unwrap();
        std::fs::write(dir.join("memos.toml"), "old memos").unwrap();
        std::fs::write(dir.join("transcripts/I9.txt"), "old I9").unwrap();
        std::fs::write(dir.join("README.md"), "not ours").unwrap();
    }

    fn new_bundle(out: &Output) {
        out.write("study.toml", b"new study").unwrap();
        out.write("transcripts/I1.txt", b"new I1").unwrap();
        out.write("codings.csv", b"new codings").unwrap();
    }

    const ENTRIES: [&str; 4] = ["study.toml", "transcripts", "codings.csv", "memos.toml"];

    #[test]
    fn a_commit_replaces_the_owned_entries_and_keeps_the_rest() {
        let tmp = tempfile::tempdir().unwrap();
        old_bundle(tmp.path());
        let out = Output::begin(tmp.path()).unwrap();
        new_bundle(&out);
        out.commit(&ENTRIES).unwrap();
        let expected: BTreeMap<String, String> = [
            ("README.md", "not ours"),
            ("codings.csv", "new codings"),
            ("study.toml", "new study"),
            ("transcripts/I1.txt", "new I1"),
        ]
        .into_iter()
        .map(|(a, b)| (a.to_owned(), b.to_owned()))
        .collect();
        assert_eq!(tree(tmp.path()), expected, "no hidden directory is left");
    }

    #[test]
    fn output_dropped_before_its_commit_removes_the_directories_it_made() {
        let tmp = tempfile::tempdir().unwrap();
        let target = tmp.path().join("made/for/it");
        let out = Output::begin(&target).unwrap();
        new_bundle(&out);
        drop(out);
        assert!(!tmp.path().join("made").exists());
        assert!(tmp.path().exists());
        // Committed, they stay.
        let out = Output::begin(&target).unwrap();
        new_bundle(&out);
        out.commit(&ENTRIES).unwrap();
        assert!(target.join("study.toml").exists());
    }

    #[test]
    fn output_dropped_before_its_commit_changes_nothing() {
        let tmp = tempfile::tempdir().unwrap();
        old_bundle(tmp.path());
        let before = tree(tmp.path());
        let out = Output::begin(tmp.path()).unwrap();
        new_bundle(&out);
        drop(out);
        assert_eq!(tree(tmp.path()), before);
    }

    #[test]
    fn a_rename_failing_at_any_step_moves_everything_back() {
        // Three entries exist, one is new: up to seven renames, each made to fail in turn.
        for fail_at in 0..7 {
            let tmp = tempfile::tempdir().unwrap();
            old_bundle(tmp.path());
            let before = tree(tmp.path());
            let mut out = Output::begin(tmp.path()).unwrap();
            new_bundle(&out);
            out.fail_at = Some(fail_at);
            match out.commit(&ENTRIES) {
                Err(e @ OutputError::Replace { .. }) => {
                    assert!(
                        e.to_string().contains("previous output is as it was"),
                        "{e}"
                    );
                    assert_eq!(tree(tmp.path()), before, "failing rename {fail_at}");
                }
                Err(e) => panic!("rename {fail_at}: {e}"),
                Ok(()) => {
                    assert!(fail_at >= 6, "rename {fail_at} was not made");
                    assert_eq!(tree(tmp.path())["study.toml"], "new study");
                }
            }
        }
    }

    #[test]
    fn a_directory_is_never_replaced_by_a_file() {
        let tmp = tempfile::tempdir().unwrap();
        old_bundle(tmp.path());
        std::fs::create_dir(tmp.path().join("codings.csv")).unwrap();
        std::fs::write(tmp.path().join("codings.csv/notes.txt"), "mine").unwrap();
        let before = tree(tmp.path());
        let out = Output::begin(tmp.path()).unwrap();
        new_bundle(&out);
        let e = out.commit(&ENTRIES).unwrap_err();
        assert!(matches!(e, OutputError::Directory(_)), "{e}");
        assert_eq!(tree(tmp.path()), before);
    }

    #[test]
    fn a_single_file_replaces_the_old_one_in_one_step() {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::write(tmp.path().join("out.qdpx"), "old").unwrap();
        let mut out = Output::begin(tmp.path()).unwrap();
        out.write("out.qdpx", b"new").unwrap();
        // One rename, straight over the old file: no second one to fail.
        out.fail_at = Some(1);
        out.commit(&["out.qdpx"]).unwrap();
        assert_eq!(
            tree(tmp.path()),
            BTreeMap::from([("out.qdpx".to_owned(), "new".to_owned())])
        );
    }
}
