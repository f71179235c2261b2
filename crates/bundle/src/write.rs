//! Writing a study as a bundle, in the canonical form that reading reproduces byte for byte.

use std::io::Write;
use std::path::{Path, PathBuf};

use samskap_core::{CodingTable, QualifierId, Qualifiers, Study};
use samskap_files::Output;

use crate::facilitation::{facilitation_toml, FACILITATION_FILE};
use crate::files::{
    AttributeRow, InformantRow, MemosFileOut, SourceRowOut, SpeakersOut, StudyFileOut,
};
use crate::guides::{guides_toml, GUIDES_FILE};
use crate::read::{SOURCES, TRANSCRIPTS};
use crate::{
    BundleError, CODINGS_HEADER, EXEMPLAR_COLUMN, EXEMPLAR_YES, POLARITY, QUALIFIERS_COLUMN,
};

/// What to do when the target directory is not empty.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteMode {
    /// Refuse.
    New,
    /// Replace the bundle's files there, `sources/` (and a first layout's `transcripts/`)
    /// as a whole, so that nothing of a withdrawn informant survives an export over an older
    /// one. Other files (a README, a `.git`) stay.
    Overwrite,
}

/// File name of a framework that is not built in.
const FRAMEWORK_FILE: &str = "framework.toml";

/// Everything in a bundle's directory that a bundle owns: what an export replaces. An
/// export writes no `transcripts/`, so one left by an older export or a bundle of the first
/// layout goes, and with it the texts of informants who have since withdrawn.
const BUNDLE_ENTRIES: [&str; 8] = [
    "study.toml",
    FRAMEWORK_FILE,
    TRANSCRIPTS,
    SOURCES,
    "codings.csv",
    "memos.toml",
    FACILITATION_FILE,
    GUIDES_FILE,
];

/// Writes a study into `dir` as a bundle, from its record and its codings: `study` gives
/// the head, people, sources, memos and facilitation record (its meaning units and
/// codings, if it holds any, are not read), and `table` the units and codings, with their
/// memos ([`CodingTable::of`] a whole study, or read from a store beside the record).
///
/// The bundle is written whole beside the old one (see [`samskap_files::Output`]) and moved
/// into place only once complete: a failure midway leaves what `dir` held as it was.
pub fn write(
    study: &Study,
    table: &CodingTable,
    dir: &Path,
    mode: WriteMode,
) -> Result<(), BundleError> {
    BundleWriter::begin(study, dir, mode)?.finish(table)
}

/// A bundle written in two steps, as [`write`] writes it: the record's files first, then
/// the codings, which put the whole in place. Between the two the caller may take its time
/// (read the codings while the texts go to disk); dropped before [`BundleWriter::finish`],
/// it leaves `dir` as it was.
#[derive(Debug)]
pub struct BundleWriter<'a> {
    study: &'a Study,
    out: Output,
    /// Where the bundle goes.
    dir: PathBuf,
    /// True when `dir` holds a `transcripts/` folder (of the first layout, or an older
    /// export), which the new bundle replaces with none.
    old_transcripts: bool,
}

impl<'a> BundleWriter<'a> {
    /// Writes every file of the bundle but `codings.csv`, from the record `study` (its meaning
    /// units and codings, if it holds any, are not read).
    pub fn begin(study: &'a Study, dir: &Path, mode: WriteMode) -> Result<Self, BundleError> {
        if mode == WriteMode::New {
            match std::fs::read_dir(dir) {
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(BundleError::io(dir, e)),
                Ok(mut entries) => {
                    if entries.next().is_some() {
                        return Err(BundleError::NotEmpty(dir.to_owned()));
                    }
                }
            }
        }
        let out = Output::begin(dir)?;
        let put = |rel: &str, content: &str| out.write(rel, content.as_bytes());
        // The output will not drop a folder for nothing (it might not be the bundle's), so
        // an old `transcripts/` is replaced with an empty one, removed once all is in place.
        let old_transcripts =
            std::fs::symlink_metadata(dir.join(TRANSCRIPTS)).is_ok_and(|m| m.is_dir());
        if old_transcripts {
            out.create_dir(TRANSCRIPTS)?;
        }

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
                    attributes: d.map(|d| d.attributes.clone()).unwrap_or_default(),
                }
            })
            .collect();
        let attributes = study
            .attributes()
            .iter()
            .map(|a| AttributeRow {
                id: a.id.clone(),
                label: a.label.clone(),
                kind: a.kind.name().to_owned(),
                values: a.kind.choices().to_vec(),
                holders: a.holders.clone(),
            })
            .collect();
        let sources = study
            .sources()
            .iter()
            .map(|s| SourceRowOut {
                id: &s.id,
                kind: s.kind,
                title: s.title.as_deref(),
                date: s.date,
                informants: &s.informants,
                group: s.group.as_ref(),
                guide: s.guide.as_ref().map(|r| &r.guide),
                guide_version: s.guide.as_ref().map(|r| r.version),
                meeting: s.meeting.as_ref(),
                attributes: &s.attributes,
                speakers: SpeakersOut(&s.speakers),
            })
            .collect();
        let file = StudyFileOut {
            study: &meta,
            attributes,
            municipalities: study.municipalities(),
            groups: study.groups(),
            members: study.members(),
            informants,
            sources,
        };
        put(
            "study.toml",
            &toml::to_string(&file).expect("a study always serialises to TOML"),
        )?;

        // The folder is there even when the study has no source yet.
        out.create_dir(SOURCES)?;
        for t in study.transcripts() {
            put(&format!("{SOURCES}/{}.txt", t.source()), t.text())?;
        }
        if !study.memos().is_empty() {
            let memos = MemosFileOut {
                memos: study.memos(),
            };
            put(
                "memos.toml",
                &toml::to_string(&memos).expect("memos always serialise to TOML"),
            )?;
        }
        if let Some(text) = guides_toml(study) {
            put(GUIDES_FILE, &text)?;
        }
        if let Some(text) = facilitation_toml(study) {
            put(FACILITATION_FILE, &text)?;
        }
        Ok(Self {
            study,
            out,
            dir: dir.to_owned(),
            old_transcripts,
        })
    }

    /// Writes `codings.csv` from `table`, the codings of the study [`BundleWriter::begin`]
    /// was given, and puts the bundle in place.
    pub fn finish(self, table: &CodingTable) -> Result<(), BundleError> {
        let threads = std::thread::available_parallelism().map_or(1, usize::from);
        let chunks = codings_csv(self.study, table, threads)?;
        self.out.create("codings.csv", |f| {
            chunks.iter().try_for_each(|chunk| f.write_all(chunk))
        })?;
        self.out.commit(&BUNDLE_ENTRIES)?;
        if self.old_transcripts {
            // Should this fail, an empty folder is left, which reading takes for no
            // interviews: the bundle is whole either way.
            let _ = std::fs::remove_dir(self.dir.join(TRANSCRIPTS));
        }
        Ok(())
    }
}

/// `codings.csv`, in as many consecutive pieces as `threads`, each drawn on its own thread.
fn codings_csv(
    study: &Study,
    table: &CodingTable,
    threads: usize,
) -> Result<Vec<Vec<u8>>, BundleError> {
    let csv_err = |e: csv::Error| BundleError::at("codings.csv", None, None, e);
    // Polarity has its column; other qualifiers a last one, written only when a coding has
    // any, so that a study coded with polarity alone keeps the header it always had. Each
    // distinct set of values is split once.
    let polarity: QualifierId = POLARITY.parse().expect("a valid id");
    let sets: Vec<(String, String)> = table
        .qualifier_sets()
        .iter()
        .map(|q| {
            let others = Qualifiers::new(
                q.iter()
                    .filter(|(id, _)| **id != polarity)
                    .map(|(id, v)| (id.clone(), v.clone())),
            )
            .expect("a subset of valid values");
            (
                q.get(&polarity)
                    .map_or_else(String::new, ToString::to_string),
                others.to_string(),
            )
        })
        .collect();
    let with_qualifiers = table
        .codings()
        .iter()
        .any(|c| !sets[c.qualifiers as usize].1.is_empty());
    // Likewise the exemplar column, only when the analyst chose any.
    let with_exemplars = !table.exemplar_codings().is_empty();
    // Each unit's selector once (a unit has a coding per coder, or more), on every core.
    let selectors = table.unit_selectors(study, threads);
    let draw = |from: usize, to: usize, header: bool| -> Result<Vec<u8>, BundleError> {
        let mut csv = csv::WriterBuilder::new()
            .terminator(csv::Terminator::Any(b'\n'))
            .from_writer(Vec::new());
        if header {
            let mut header = CODINGS_HEADER.to_vec();
            if with_qualifiers {
                header.push(QUALIFIERS_COLUMN);
            }
            if with_exemplars {
                header.push(EXEMPLAR_COLUMN);
            }
            csv.write_record(&header).map_err(csv_err)?;
        }
        for (i, c) in table.codings()[from..to].iter().enumerate() {
            let q = &selectors[c.unit as usize];
            let source = &table.sources()[table.units()[c.unit as usize].source as usize];
            let (polarity, others) = &sets[c.qualifiers as usize];
            let mut row: Vec<&str> = vec![
                source.id.as_str(),
                &q.prefix,
                &q.exact,
                &q.suffix,
                table.code(c).as_str(),
                polarity,
                table.coders()[c.coder as usize].as_str(),
                table.memo(from + i).unwrap_or_default(),
            ];
            if with_qualifiers {
                row.push(others);
            }
            if with_exemplars {
                row.push(if table.is_exemplar(from + i) {
                    EXEMPLAR_YES
                } else {
                    ""
                });
            }
            csv.write_record(&row).map_err(csv_err)?;
        }
        csv.into_inner()
            .map_err(|e| BundleError::io("codings.csv", e.into_error()))
    };
    let n = table.codings().len();
    let per = n.div_ceil(threads.max(1)).max(1);
    std::thread::scope(|s| {
        let rest: Vec<_> = (1..threads.max(1))
            .map(|k| (k * per).min(n))
            .map(|from| s.spawn(move || draw(from, (from + per).min(n), false)))
            .collect();
        let mut chunks = vec![draw(0, per.min(n), true)?];
        for h in rest {
            chunks.push(
                h.join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))?,
            );
        }
        Ok(chunks)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codings_csv_drawn_in_pieces_is_the_file_drawn_whole() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/ung-inkludering-demo");
        let study = crate::read(&dir).unwrap();
        let table = CodingTable::of(&study, None);
        let whole = codings_csv(&study, &table, 1).unwrap();
        assert_eq!(whole.len(), 1);
        // The fixture is of the first layout, whose first column is `transcript`.
        let fixture = std::fs::read_to_string(dir.join("codings.csv")).unwrap();
        let fixture = fixture
            .strip_prefix("transcript,")
            .expect("a header of the first layout");
        assert_eq!(
            String::from_utf8(whole[0].clone()).unwrap(),
            format!("source,{fixture}")
        );
        // More threads than codings, too: the pieces past the end are empty.
        for threads in [2, 3, 7, table.codings().len() + 5] {
            let pieces = codings_csv(&study, &table, threads).unwrap();
            assert_eq!(pieces.len(), threads);
            assert_eq!(pieces.concat(), whole[0], "{threads} threads");
        }
    }
}
