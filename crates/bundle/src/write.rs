//! Writing a study as a bundle, in the canonical form that reading reproduces byte for byte.

use std::path::Path;

use samskap_core::Study;

use crate::facilitation::{facilitation_toml, FACILITATION_FILE};
use crate::files::{InformantRow, MemosFileOut, StudyFileOut};
use crate::{BundleError, CODINGS_HEADER};

/// What to do when the target directory is not empty.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteMode {
    /// Refuse.
    New,
    /// Replace the bundle's files there; every file in `transcripts/` is removed too, so
    /// that nothing of a withdrawn informant survives an export over an older one.
    Overwrite,
}

/// File name of a framework that is not built in.
const FRAMEWORK_FILE: &str = "framework.toml";

/// Writes `study` into `dir` as a bundle.
pub fn write(study: &Study, dir: &Path, mode: WriteMode) -> Result<(), BundleError> {
    prepare(dir, mode)?;
    let put = |rel: &str, content: &str| {
        let path = dir.join(rel);
        std::fs::write(&path, content).map_err(|e| BundleError::io(&path, e))
    };

    let mut meta = study.meta().clone();
    if !study.framework().is_builtin() {
        put(FRAMEWORK_FILE, &study.framework().to_toml())?;
        meta.framework = FRAMEWORK_FILE
            .parse()
            .expect("the framework file name is a valid id");
    }
    let informants = study
        .informants()
        .iter()
        .map(|i| {
            let d = i.details.as_ref();
            InformantRow {
                id: i.id.clone(),
                role: d.map(|d| d.role),
                group: d.and_then(|d| d.group.clone()),
                workplace: d.and_then(|d| d.workplace.clone()),
                position: d.and_then(|d| d.position.clone()),
                interview_date: d.and_then(|d| d.interview_date),
                consent: i.consent(),
            }
        })
        .collect();
    let file = StudyFileOut {
        study: &meta,
        municipalities: study.municipalities(),
        groups: study.groups(),
        members: study.members(),
        informants,
    };
    put(
        "study.toml",
        &toml::to_string(&file).expect("a study always serialises to TOML"),
    )?;

    let tdir = dir.join("transcripts");
    std::fs::create_dir_all(&tdir).map_err(|e| BundleError::io(&tdir, e))?;
    for t in study.transcripts() {
        put(&format!("transcripts/{}.txt", t.informant()), t.text())?;
    }

    let mut csv = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    let csv_err = |e: csv::Error| BundleError::at("codings.csv", None, None, e);
    csv.write_record(CODINGS_HEADER).map_err(csv_err)?;
    for c in study.codings() {
        let q = study.unit_selector(c.unit);
        let informant = &study.units()[c.unit.index()].informant;
        csv.write_record([
            informant.as_str(),
            &q.prefix,
            &q.exact,
            &q.suffix,
            &c.code.to_string(),
            c.polarity.as_str(),
            c.coder.as_str(),
            c.memo.as_deref().unwrap_or(""),
        ])
        .map_err(csv_err)?;
    }
    let bytes = csv
        .into_inner()
        .map_err(|e| BundleError::io("codings.csv", e.into_error()))?;
    put(
        "codings.csv",
        std::str::from_utf8(&bytes).expect("CSV of UTF-8 fields is UTF-8"),
    )?;

    if !study.memos().is_empty() {
        let memos = MemosFileOut {
            memos: study.memos(),
        };
        put(
            "memos.toml",
            &toml::to_string(&memos).expect("memos always serialise to TOML"),
        )?;
    }
    if let Some(text) = facilitation_toml(study) {
        put(FACILITATION_FILE, &text)?;
    }
    Ok(())
}

fn prepare(dir: &Path, mode: WriteMode) -> Result<(), BundleError> {
    match std::fs::read_dir(dir) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            std::fs::create_dir_all(dir).map_err(|e| BundleError::io(dir, e))
        }
        Err(e) => Err(BundleError::io(dir, e)),
        Ok(mut entries) => {
            if entries.next().is_none() {
                return Ok(());
            }
            if mode == WriteMode::New {
                return Err(BundleError::NotEmpty(dir.to_owned()));
            }
            for f in [
                "study.toml",
                FRAMEWORK_FILE,
                "codings.csv",
                "memos.toml",
                FACILITATION_FILE,
            ] {
                remove_if_present(&dir.join(f))?;
            }
            let tdir = dir.join("transcripts");
            if let Ok(entries) = std::fs::read_dir(&tdir) {
                for e in entries {
                    let e = e.map_err(|err| BundleError::io(&tdir, err))?;
                    // Anything left there would fail the next import, or keep a withdrawn
                    // informant's words: transcripts/ belongs to the bundle.
                    if e.path().is_file() {
                        remove_if_present(&e.path())?;
                    }
                }
            }
            Ok(())
        }
    }
}

fn remove_if_present(path: &Path) -> Result<(), BundleError> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(BundleError::io(path, e)),
        _ => Ok(()),
    }
}
