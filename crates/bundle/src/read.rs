//! Reading a bundle directory into a checked study.

use std::collections::HashMap;
use std::ops::Range;
use std::path::{Path, PathBuf};

use samskap_core::{
    ActiveConsent, Attribute, AttributeType, CodeId, CoderId, Coding, Consent, Framework,
    Informant, InformantDetails, InformantId, ModelError, QualifierId, Qualifiers, Source,
    SourceId, Span, Study, TextQuote, Transcript, ValueId, Voice,
};

use samskap_files::{FileError, Kind, Limits, Links};

use crate::files::{InformantRow, MemosFileIn, SourceRow, StudyFileIn};
use crate::{
    BundleError, CODINGS_HEADER, EXEMPLAR_COLUMN, EXEMPLAR_YES, POLARITY, QUALIFIERS_COLUMN,
    TRANSCRIPT_COLUMN,
};

/// 1-based line of a byte offset.
pub(crate) fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

/// 1-based line of the key `field` inside the table at `span`, or of the table itself: a
/// check on a whole `[[member]]` points at the key that failed it.
pub(crate) fn key_line(text: &str, span: &std::ops::Range<usize>, field: Option<&str>) -> usize {
    let start = span.start.min(text.len());
    if let Some(field) = field {
        let mut offset = start;
        // The table runs to the next table header, whatever the span covers.
        for (i, line) in text[start..].split_inclusive('\n').enumerate() {
            let trimmed = line.trim_start();
            if i > 0 && trimmed.starts_with('[') {
                break;
            }
            let rest = trimmed.strip_prefix(field).map(str::trim_start);
            if rest.is_some_and(|r| r.starts_with('=')) {
                return line_of(text, offset);
            }
            offset += line.len();
        }
    }
    line_of(text, start)
}

/// The line of the value of attribute `id` in the table at `span` (an informant, member or
/// group): in its `[….attributes]` table or its inline `attributes = { … }`; the table's
/// first line when neither has it.
fn attribute_line(text: &str, span: &std::ops::Range<usize>, id: &str) -> usize {
    let start = span.start.min(text.len());
    let mut offset = start;
    let mut in_attributes = false;
    for (i, line) in text[start..].split_inclusive('\n').enumerate() {
        let trimmed = line.trim_start();
        // The next entity's table ends this one's; its own `.attributes` table does not.
        if i > 0 && trimmed.starts_with("[[") {
            break;
        }
        if trimmed.starts_with('[') {
            let header = trimmed.split('#').next().unwrap_or_default().trim_end();
            in_attributes = header.ends_with(".attributes]");
        }
        let quoted = format!("\"{id}\"");
        let key = |t: &str| {
            [id, quoted.as_str()].iter().any(|k| {
                t.strip_prefix(k)
                    .map(str::trim_start)
                    .is_some_and(|r| r.starts_with('='))
            })
        };
        let dotted = trimmed.strip_prefix("attributes.").is_some_and(&key);
        let inline = trimmed
            .strip_prefix("attributes")
            .map(str::trim_start)
            .and_then(|r| r.strip_prefix('='))
            .is_some_and(|r| r.split([',', '{']).any(|part| key(part.trim_start())));
        if (in_attributes && key(trimmed)) || inline || dotted {
            return line_of(text, offset);
        }
        offset += line.len();
    }
    line_of(text, start)
}

/// A refusal of a bundle's file or directory `rel` as a bundle error naming it.
pub(crate) fn refused(dir: &Path, rel: &Path, e: FileError) -> BundleError {
    match e {
        FileError::Missing => BundleError::Missing(rel.to_owned()),
        FileError::Io(e) => BundleError::io(dir.join(rel), e),
        e => BundleError::at(rel, None, None, e),
    }
}

/// Reads a file of the bundle as UTF-8 text: a regular file (no link, FIFO or device)
/// within the limit for its kind.
pub(crate) fn read_text(
    dir: &Path,
    rel: &Path,
    kind: Kind,
    limits: &Limits,
) -> Result<String, BundleError> {
    let bytes = samskap_files::read(&dir.join(rel), kind, limits, Links::Refuse)
        .map_err(|e| refused(dir, rel, e))?;
    String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        let line = e.as_bytes()[..at].iter().filter(|b| **b == b'\n').count() + 1;
        BundleError::at(
            rel,
            Some(line),
            None,
            format!("invalid UTF-8 at byte {at}: save the file as UTF-8"),
        )
    })
}

pub(crate) fn toml_error(rel: &Path, text: &str, e: &toml::de::Error) -> BundleError {
    let span = e.span();
    let line = span.as_ref().map(|s| line_of(text, s.start));
    // The key whose value failed, when the error points into a `key = value` line.
    let field = span.as_ref().and_then(|s| {
        let start = text[..s.start.min(text.len())]
            .rfind('\n')
            .map_or(0, |i| i + 1);
        let (key, _) = text[start..].split_once('=')?;
        let key = key.trim();
        let bare = !key.is_empty()
            && key
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
        (bare && !text[start..].starts_with('[')).then_some(key)
    });
    let mut message = shorten_quoted(&e.message().trim_end().replace('\n', "; "));
    if message.starts_with("invalid type: map, expected a date") {
        // A bare TOML date (2023-05-15) arrives as a datetime table, not a string.
        message = "write dates as quoted strings, such as \"2023-05-15\"".into();
    }
    BundleError::at(rel, line, field, message)
}

/// `message` with every stretch in backticks or double quotes cut by
/// [`samskap_core::shorten`]: serde repeats an unknown key or a value it cannot read in
/// full, and a hostile file makes that 100 KB.
fn shorten_quoted(message: &str) -> String {
    let mut out = String::with_capacity(message.len().min(1024));
    let mut rest = message;
    while let Some(open) = rest.find(['`', '"']) {
        let quote = rest[open..].chars().next().expect("found a quote");
        out.push_str(&rest[..=open]);
        let inside = &rest[open + 1..];
        let close = inside.find(quote).unwrap_or(inside.len());
        out.push_str(&samskap_core::shorten(&inside[..close]));
        out.push_str(&inside[close..(close + 1).min(inside.len())]);
        rest = &inside[(close + 1).min(inside.len())..];
    }
    out.push_str(rest);
    out
}

/// The field of a model error, for the message.
fn field_of(e: &ModelError) -> Option<&'static str> {
    Some(match e {
        ModelError::Duplicate { .. } => "id",
        ModelError::UnknownMunicipality(_) | ModelError::GroupWithoutMunicipality(_) => {
            "municipalities"
        }
        ModelError::UnknownGroup(_) => "group",
        ModelError::UnknownInformant(_) => "informant",
        ModelError::PdYouthNotYouth(_) => "pd_youth",
        ModelError::PeriodReversed { .. } => "period_end",
        ModelError::FrameworkMismatch { .. } => "framework",
        ModelError::InvalidAttribute { .. } => "for",
        _ => return None,
    })
}

/// Reads the bundle in `dir` into a study, within the default [`Limits`]. Nothing is
/// written anywhere; the first problem found is returned, naming its file, line and field.
pub fn read(dir: &Path) -> Result<Study, BundleError> {
    read_with(dir, &Limits::default(), &mut |_, _| {})
}

/// [`read`] within `limits`, calling `progress(done, total)` after each source's text, for
/// a progress bar.
///
/// Every file of the bundle must be a regular file inside it: a symbolic link (also as
/// `transcripts/` or `sources/` itself), a FIFO, a device or a socket is refused, naming the
/// file, before anything is read from it.
pub fn read_with(
    dir: &Path,
    limits: &Limits,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<Study, BundleError> {
    if !dir.is_dir() {
        return Err(BundleError::io(
            dir,
            std::io::Error::new(std::io::ErrorKind::NotFound, "not a directory"),
        ));
    }
    let study_rel = Path::new("study.toml");
    let text = read_text(dir, study_rel, Kind::Document, limits)?;
    let file: StudyFileIn = toml::from_str(&text).map_err(|e| toml_error(study_rel, &text, &e))?;
    let at = |span: std::ops::Range<usize>, e: ModelError| {
        let field = field_of(&e);
        let line = match &e {
            ModelError::AttributeValue { attribute, .. }
            | ModelError::UnknownAttribute { attribute, .. } => {
                attribute_line(&text, &span, attribute.as_str())
            }
            _ => key_line(&text, &span, field),
        };
        BundleError::at(study_rel, Some(line), field, e)
    };

    let meta_span = file.study.span();
    let mut meta = file.study.into_inner();
    let framework = read_framework(dir, meta.framework.as_str(), limits).map_err(|e| match e {
        FrameworkProblem::Bundle(b) => b,
        FrameworkProblem::Named(m) => BundleError::at(
            study_rel,
            Some(key_line(&text, &meta_span, Some("framework"))),
            Some("framework"),
            m,
        ),
    })?;
    if meta.framework.as_str().ends_with(".toml") {
        // `framework` named the file; the study codes against the framework inside it.
        meta.framework = framework.id().clone();
    }
    let mut study = Study::new(meta, framework).map_err(|e| at(meta_span.clone(), e))?;

    for a in file.attributes {
        let span = a.span();
        let a = a.into_inner();
        let kind = AttributeType::new(&a.kind, a.values).map_err(|msg| {
            let field = if a.kind == "one-of" || msg.contains("`values`") {
                "values"
            } else {
                "type"
            };
            let line = key_line(&text, &span, Some(field));
            BundleError::at(
                study_rel,
                Some(line),
                Some(field),
                format!("attribute `{}`: {msg}", a.id),
            )
        })?;
        study
            .add_attribute(Attribute {
                id: a.id,
                label: a.label,
                kind,
                holders: a.holders,
            })
            .map_err(|e| at(span, e))?;
    }

    for m in file.municipalities {
        let span = m.span();
        study
            .add_municipality(m.into_inner())
            .map_err(|e| at(span, e))?;
    }
    for g in file.groups {
        let span = g.span();
        study.add_group(g.into_inner()).map_err(|e| at(span, e))?;
    }
    for m in file.members {
        let span = m.span();
        study.add_member(m.into_inner()).map_err(|e| at(span, e))?;
    }
    for row in file.informants {
        let span = row.span();
        let informant = informant(row.into_inner()).map_err(|(field, msg)| {
            let line = key_line(&text, &span, Some(field));
            BundleError::at(study_rel, Some(line), Some(field), msg)
        })?;
        study.add_informant(informant).map_err(|e| at(span, e))?;
    }

    // Before the sources, which may follow them.
    crate::guides::read_guides(dir, &mut study, limits)?;
    let declared = file
        .sources
        .into_iter()
        .map(|row| {
            let span = row.span();
            declared_source(&text, span, row.into_inner())
        })
        .collect::<Result<Vec<_>, _>>()?;
    let meetings: Vec<_> = declared
        .iter()
        .filter_map(|d| Some((d.source.id.clone(), d.meeting.clone()?, d.span.clone())))
        .collect();
    read_sources(dir, &mut study, &text, declared, limits, progress)?;
    read_codings(dir, &mut study, limits)?;
    read_memos(dir, &mut study, limits)?;
    crate::facilitation::read_facilitation(dir, &mut study, limits)?;
    // Minutes name a meeting of the record, which is read after the sources (its
    // assessments cite them).
    for (source, meeting, span) in meetings {
        study.link_meeting(&source, meeting).map_err(|e| {
            let line = key_line(&text, &span, Some("meeting"));
            BundleError::at(study_rel, Some(line), Some("meeting"), e)
        })?;
    }
    Ok(study)
}

/// Where a framework problem lies: in a file of the bundle, or in `study.toml`'s name.
enum FrameworkProblem {
    /// In the framework file.
    Bundle(BundleError),
    /// In the name `study.toml` gives: no such built-in framework, or no such file.
    Named(String),
}

fn read_framework(dir: &Path, name: &str, limits: &Limits) -> Result<Framework, FrameworkProblem> {
    if name.ends_with(".toml") {
        let rel = PathBuf::from(name);
        // A name with no file behind it is a fault of `study.toml`, which gave it.
        if dir.join(&rel).symlink_metadata().is_err() {
            return Err(FrameworkProblem::Named(format!(
                "the bundle has no framework file `{}`",
                samskap_core::shorten(name)
            )));
        }
        let text =
            read_text(dir, &rel, Kind::Document, limits).map_err(FrameworkProblem::Bundle)?;
        Framework::from_toml(&text).map_err(|e| {
            use samskap_core::FrameworkError as F;
            // The last table with the offending id: the duplicate, or the one category.
            let id_line = |id: &str| {
                text.rfind(&format!("id = \"{id}\""))
                    .map(|o| line_of(&text, o))
            };
            let line = match &e {
                F::Syntax { offset, .. } => offset.map(|o| line_of(&text, o)),
                F::DuplicateCode(code) | F::Orphan(code, _) | F::EmptyCategory(code) => {
                    id_line(code.last())
                }
                F::Colour { code, .. } => id_line(code.last()),
                F::DuplicateQualifier(q) | F::QualifierValues(q) | F::QualifierCode(q, _) => {
                    id_line(q.as_str())
                }
                _ => None,
            };
            FrameworkProblem::Bundle(BundleError::at(&rel, line, None, e))
        })
    } else {
        Framework::builtin(name).map_err(|e| FrameworkProblem::Named(e.to_string()))
    }
}

/// An informant from its row: withdrawn rows carry no data; others need a role.
fn informant(row: InformantRow) -> Result<Informant, (&'static str, String)> {
    let consent = match row.consent {
        Consent::Withdrawn => {
            let extra = [
                ("role", row.role.is_some()),
                ("group", row.group.is_some()),
                ("workplace", row.workplace.is_some()),
                ("position", row.position.is_some()),
                ("interview_date", row.interview_date.is_some()),
                ("attributes", !row.attributes.is_empty()),
            ];
            if let Some((field, _)) = extra.iter().find(|(_, set)| *set) {
                return Err((
                    field,
                    format!(
                        "informant `{}` has withdrawn: remove `{field}`, a withdrawn informant keeps no personal data",
                        row.id
                    ),
                ));
            }
            return Ok(Informant {
                id: row.id,
                details: None,
            });
        }
        Consent::Pending => ActiveConsent::Pending,
        Consent::Given => ActiveConsent::Given,
    };
    let role = row.role.ok_or((
        "role",
        format!(
            "informant `{}` needs a role (participant or facilitator)",
            row.id
        ),
    ))?;
    Ok(Informant {
        id: row.id,
        details: Some(InformantDetails {
            attributes: row.attributes,
            role,
            group: row.group,
            workplace: row.workplace,
            position: row.position,
            interview_date: row.interview_date,
            consent,
        }),
    })
}

/// The text files a bundle may hold, in `transcripts/` and `sources/`; `export` always
/// writes `.txt`.
const TEXT_EXTENSIONS: [&str; 3] = ["txt", "md", "docx"];

/// The folder of the first layout: `transcripts/<informant>.txt`, each an interview.
pub(crate) const TRANSCRIPTS: &str = "transcripts";

/// The folder of the texts of declared sources: `sources/<source>.txt`.
pub(crate) const SOURCES: &str = "sources";

/// A `[[source]]` of `study.toml`, checked against the study only once its text is read
/// (the speakers' turns are found in the text).
struct Declared {
    span: Range<usize>,
    source: Source,
    /// The meeting it is of: linked once the facilitation record is read.
    meeting: Option<samskap_core::MeetingId>,
    /// Each speaker label and the line it is on.
    labels: Vec<(String, usize)>,
}

fn declared_source(
    text: &str,
    span: Range<usize>,
    row: SourceRow,
) -> Result<Declared, BundleError> {
    let guide = match (row.guide, row.guide_version) {
        (Some(guide), Some(version)) => Some(samskap_core::GuideRef { guide, version }),
        (None, None) => None,
        (guide, _) => {
            // Name the key that is there without its pair.
            let (given, missing) = if guide.is_some() {
                ("guide", "guide_version")
            } else {
                ("guide_version", "guide")
            };
            return Err(BundleError::at(
                "study.toml",
                Some(key_line(text, &span, Some(given))),
                Some(given),
                format!(
                    "source `{}` gives `{given}` without `{missing}`: a source follows a guide's version, so give both or neither",
                    row.id
                ),
            ));
        }
    };
    let mut speakers = Vec::with_capacity(row.speakers.0.len());
    let mut labels = Vec::with_capacity(row.speakers.0.len());
    for (label, voice) in row.speakers.0 {
        let line = line_of(text, label.span().start);
        let label = label.into_inner();
        let voice: Voice = voice.parse().map_err(|e| {
            BundleError::at(
                "study.toml",
                Some(line),
                Some("speakers"),
                format!(
                    "speaker `{}`: {e}; a speaker is an informant id, `{}` or `{}`",
                    samskap_core::shorten(&label),
                    Voice::INTERVIEWER,
                    Voice::WITHDRAWN
                ),
            )
        })?;
        speakers.push((label.clone(), voice));
        labels.push((label, line));
    }
    Ok(Declared {
        span,
        meeting: row.meeting,
        source: Source {
            id: row.id,
            kind: row.kind,
            title: row.title,
            date: row.date,
            informants: row.informants,
            speakers,
            group: row.group,
            guide,
            meeting: None,
            attributes: row.attributes,
        },
        labels,
    })
}

/// A refusal of a declared source by the study, naming the line of its `[[source]]` and the
/// key at fault.
fn source_refused(
    text: &str,
    span: &Range<usize>,
    labels: &[(String, usize)],
    e: ModelError,
) -> BundleError {
    let key = |field: &'static str| (field, key_line(text, span, Some(field)));
    let (field, line) = match &e {
        ModelError::Duplicate { .. } => key("id"),
        ModelError::AttributeValue { attribute, .. }
        | ModelError::UnknownAttribute { attribute, .. } => {
            ("attributes", attribute_line(text, span, attribute.as_str()))
        }
        ModelError::UnknownGroup(_) => key("group"),
        ModelError::InvalidSource { reason, .. } if reason.starts_with("it follows guide") => {
            // An unknown guide is the fault of `guide`; a known guide without that version,
            // of `guide_version`.
            if reason.ends_with("does not declare") {
                key("guide")
            } else {
                key("guide_version")
            }
        }
        ModelError::InvalidSource { reason, .. } if reason.starts_with("speaker label") => {
            // The reason names the label; its own line says more than the table's.
            let line = labels
                .iter()
                .find(|(label, _)| reason.starts_with(&format!("speaker label `{label}`")))
                .map_or_else(|| key_line(text, span, Some("speakers")), |l| l.1);
            ("speakers", line)
        }
        _ => key("informants"),
    };
    BundleError::at("study.toml", Some(line), Some(field), e)
}

/// The entries of the bundle's folder `rel`, sorted; none when it is not there. A link in
/// its place is refused.
fn list_folder(dir: &Path, rel: &Path) -> Result<Vec<String>, BundleError> {
    let full = dir.join(rel);
    if !samskap_files::check_dir(&full, Links::Refuse).map_err(|e| refused(dir, rel, e))? {
        return Ok(Vec::new());
    }
    let mut names = std::fs::read_dir(&full)
        .map_err(|e| BundleError::io(&full, e))?
        .map(|e| {
            e.map(|e| e.file_name().to_string_lossy().into_owned())
                .map_err(|err| BundleError::io(&full, err))
        })
        .collect::<Result<Vec<_>, _>>()?;
    names.sort();
    Ok(names)
}

/// The stem of a text file's name, when its extension is one a bundle reads.
fn text_stem(name: &str) -> Option<&str> {
    name.rsplit_once('.')
        .filter(|(_, ext)| TEXT_EXTENSIONS.contains(ext))
        .map(|(stem, _)| stem)
}

/// The one file among `present` (the entries of `folder`) that holds the text of `id`, if
/// any; two or more are an error.
fn text_file<'a>(
    folder: &str,
    id: &str,
    present: &'a [String],
) -> Result<Option<&'a String>, BundleError> {
    let files: Vec<&String> = TEXT_EXTENSIONS
        .iter()
        .map(|ext| format!("{id}.{ext}"))
        .filter_map(|f| present.iter().find(|p| **p == f))
        .collect();
    match files.as_slice() {
        [] => Ok(None),
        [one] => Ok(Some(one)),
        many => {
            let what = if folder == TRANSCRIPTS {
                format!("informant `{id}` has {} transcripts", many.len())
            } else {
                format!("source `{id}` has {} texts", many.len())
            };
            Err(BundleError::at(
                Path::new(folder).join(many[0]),
                None,
                None,
                format!(
                    "{what} ({}): keep one",
                    many.iter()
                        .map(|s| s.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ))
        }
    }
}

/// Reads the text in `rel`: a `.docx` by the Word reader, any other as UTF-8 text.
fn read_source_text(dir: &Path, rel: &Path, limits: &Limits) -> Result<String, BundleError> {
    if rel.extension().is_some_and(|e| e == "docx") {
        let full = dir.join(rel);
        crate::transcript_file::read_with(&full, limits, Links::Refuse).map_err(|e| {
            // The reader names the full path; the bundle names files relative to itself.
            let message = e.to_string();
            let prefix = format!("{}: ", full.display());
            let message = message.strip_prefix(&prefix).unwrap_or(&message).to_owned();
            BundleError::at(rel, None, None, message)
        })
    } else {
        read_text(dir, rel, Kind::Transcript, limits)
    }
}

/// Reads the sources' texts into the study: first the first layout's interviews
/// (`transcripts/<informant>.txt`) in the order of the informants, then the declared
/// sources (`sources/<id>.txt`) in the order of `study.toml`. Every entry of both folders
/// is checked before a text is read.
fn read_sources(
    dir: &Path,
    study: &mut Study,
    text: &str,
    declared: Vec<Declared>,
    limits: &Limits,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<(), BundleError> {
    let declared_line = |id: &str| {
        declared
            .iter()
            .find(|d| d.source.id.as_str() == id)
            .map(|d| line_of(text, d.span.start))
    };
    let transcripts = list_folder(dir, Path::new(TRANSCRIPTS))?;
    for name in &transcripts {
        let rel = Path::new(TRANSCRIPTS).join(name);
        let fail = |message: String| Err(BundleError::at(&rel, None, None, message));
        let Some(stem) = text_stem(name) else {
            return fail(
                "not a transcript: transcripts are `<informant-id>.txt` (or .md, .docx)".into(),
            );
        };
        // An interview of the first layout is a source named for its informant.
        if let Some(line) = declared_line(stem) {
            return fail(format!(
                "study.toml:{line} declares a [[source]] `{stem}`, so this interview would be a second source of that id: keep the text in {SOURCES}/{name}, or give the [[source]] another id"
            ));
        }
        let known = stem
            .parse::<InformantId>()
            .ok()
            .and_then(|id| study.informant(&id).ok().map(|i| i.consent()));
        match known {
            None => {
                return fail(format!(
                    "unknown informant `{}`: study.toml has no such informant",
                    samskap_core::shorten(stem)
                ))
            }
            Some(Consent::Withdrawn) => {
                return fail(format!(
                    "informant `{stem}` has withdrawn: delete this transcript"
                ))
            }
            Some(_) => {}
        }
    }
    let sources = list_folder(dir, Path::new(SOURCES))?;
    for name in &sources {
        let rel = Path::new(SOURCES).join(name);
        let Some(stem) = text_stem(name) else {
            return Err(BundleError::at(
                &rel,
                None,
                None,
                "not a source's text: texts are `<source-id>.txt` (or .md, .docx)",
            ));
        };
        if declared_line(stem).is_none() {
            return Err(BundleError::at(
                &rel,
                None,
                None,
                format!(
                    "no source `{}`: declare it in study.toml as a [[source]] (with its `kind`)",
                    samskap_core::shorten(stem)
                ),
            ));
        }
    }

    let mut interviews = Vec::new();
    for i in study.informants() {
        if i.consent() == Consent::Withdrawn {
            continue;
        }
        if let Some(name) = text_file(TRANSCRIPTS, i.id.as_str(), &transcripts)? {
            interviews.push((i.id.clone(), Path::new(TRANSCRIPTS).join(name)));
        }
    }
    let total = interviews.len() + declared.len();
    let mut done = 0;
    for (id, rel) in interviews {
        let raw = read_source_text(dir, &rel, limits)?;
        let source = Source::interview(&id);
        let text = Transcript::new(source.id.clone(), &raw);
        study
            .add_source(source, text)
            .map_err(|e| BundleError::at(&rel, None, None, e))?;
        done += 1;
        progress(done, total);
    }
    for d in declared {
        let id = d.source.id.as_str();
        let rel = match text_file(SOURCES, id, &sources)? {
            Some(name) => Path::new(SOURCES).join(name),
            None => {
                return Err(BundleError::at(
                    Path::new(SOURCES).join(format!("{id}.txt")),
                    None,
                    None,
                    format!(
                        "file is missing: study.toml:{} declares source `{id}`, whose text goes here (or in {id}.md or {id}.docx)",
                        line_of(text, d.span.start)
                    ),
                ))
            }
        };
        let raw = read_source_text(dir, &rel, limits)?;
        let source_text = Transcript::new(d.source.id.clone(), &raw);
        study
            .add_source(d.source, source_text)
            .map_err(|e| source_refused(text, &d.span, &d.labels, e))?;
        done += 1;
        progress(done, total);
    }
    Ok(())
}

/// Why a row may not cite `id`, which is not a source of the study: an informant of that id
/// withdrew or has no interview, or nothing has that id.
pub(crate) fn not_a_source(study: &Study, id: &SourceId) -> String {
    let informant = InformantId::new(id.as_str())
        .ok()
        .and_then(|i| study.informant(&i).ok());
    match informant {
        Some(i) if i.consent() == Consent::Withdrawn => {
            ModelError::Withdrawn(i.id.clone()).to_string()
        }
        Some(_) => format!(
            "unknown source `{id}`: informant `{id}` has no interview ({TRANSCRIPTS}/{id}.txt), and study.toml declares no [[source]] `{id}`"
        ),
        None => ModelError::UnknownSource(id.clone()).to_string(),
    }
}

fn read_codings(dir: &Path, study: &mut Study, limits: &Limits) -> Result<(), BundleError> {
    let rel = Path::new("codings.csv");
    let text = read_text(dir, rel, Kind::Table, limits)?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(text.as_bytes());
    let header = reader
        .headers()
        .map_err(|e| BundleError::at(rel, Some(1), None, e))?
        .clone();
    let columns: Vec<&str> = header.iter().collect();
    // The first layout named the first column for the transcripts it cited.
    let mut expected = CODINGS_HEADER;
    if columns.first() == Some(&TRANSCRIPT_COLUMN) {
        expected[0] = TRANSCRIPT_COLUMN;
    }
    let source_column = expected[0];
    // After the fixed columns: `qualifiers`, then `exemplar`, each optional, in that order.
    let extra = columns.get(expected.len()..).unwrap_or_default();
    let (qualifiers_at, exemplar_at) = match extra {
        [] => (None, None),
        [QUALIFIERS_COLUMN] => (Some(expected.len()), None),
        [EXEMPLAR_COLUMN] => (None, Some(expected.len())),
        [QUALIFIERS_COLUMN, EXEMPLAR_COLUMN] => (Some(expected.len()), Some(expected.len() + 1)),
        _ => (None, None),
    };
    let known_extra = extra.is_empty() || qualifiers_at.is_some() || exemplar_at.is_some();
    if columns.get(..expected.len()) != Some(&expected[..]) || !known_extra {
        let missing = expected.iter().find(|c| !columns.contains(c));
        let message = match missing {
            Some(c) => format!("missing column `{c}`"),
            None => "columns out of order or unknown".to_owned(),
        };
        return Err(BundleError::at(
            rel,
            Some(1),
            None,
            format!(
                "{message}: the header must be `{}`, optionally followed by `,{QUALIFIERS_COLUMN}`, then `,{EXEMPLAR_COLUMN}` (a first column `{TRANSCRIPT_COLUMN}` is read as `{}`)",
                CODINGS_HEADER.join(","),
                CODINGS_HEADER[0]
            ),
        ));
    }
    let polarity: QualifierId = POLARITY.parse().expect("a valid id");
    // First every row is read and checked on its own; the rows after one that fails are
    // not read, and its error is the file's unless a row before it fails further on.
    let mut rows: Vec<Row> = Vec::new();
    let mut stopped: Option<BundleError> = None;
    {
        let positions: HashMap<&SourceId, usize> = study
            .sources()
            .iter()
            .enumerate()
            .map(|(i, s)| (&s.id, i))
            .collect();
        let cols = Columns {
            source: source_column,
            polarity: &polarity,
            qualifiers_at,
            exemplar_at,
        };
        for record in reader.records() {
            match coding_row(rel, record, study, &positions, &cols) {
                Ok(row) => rows.push(row),
                Err(e) => {
                    stopped = Some(e);
                    break;
                }
            }
        }
    }
    drop(reader);
    drop(text);
    // Then each source's quotes are located together, the sources shared among the cores;
    // then the rows go into the study in their order.
    let spans = locate_rows(study, &rows);
    for (row, span) in rows.into_iter().zip(spans) {
        let fail =
            |field: &str, e: &dyn std::fmt::Display| BundleError::at(rel, row.line, Some(field), e);
        let unit = span
            .and_then(|span| study.unit(&row.source, span))
            .map_err(|e| fail("exact", &e))?;
        study
            .add_coding(Coding {
                unit,
                code: row.code,
                qualifiers: row.qualifiers,
                coder: row.coder,
                memo: row.memo,
                exemplar: row.exemplar,
            })
            .map_err(|e| {
                let field = match &e {
                    ModelError::QualifierValue { qualifier, .. }
                    | ModelError::QualifierNotDeclared { qualifier, .. }
                    | ModelError::QualifierMissing { qualifier, .. } => {
                        if qualifier == &polarity {
                            POLARITY
                        } else {
                            QUALIFIERS_COLUMN
                        }
                    }
                    _ => "code",
                };
                fail(field, &e)
            })?;
    }
    match stopped {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

/// A row of `codings.csv`, read and checked on its own.
struct Row {
    line: Option<usize>,
    source: SourceId,
    /// The source's position in the study.
    position: usize,
    quote: TextQuote,
    code: CodeId,
    qualifiers: Qualifiers,
    coder: CoderId,
    memo: Option<String>,
    exemplar: bool,
}

/// What a row's fields are checked against, besides the study.
struct Columns<'a> {
    /// The first column's name in this file (`source`, or `transcript`), for messages.
    source: &'a str,
    polarity: &'a QualifierId,
    /// Where the optional columns are, when the header has them.
    qualifiers_at: Option<usize>,
    exemplar_at: Option<usize>,
}

fn coding_row(
    rel: &Path,
    record: Result<csv::StringRecord, csv::Error>,
    study: &Study,
    positions: &HashMap<&SourceId, usize>,
    cols: &Columns,
) -> Result<Row, BundleError> {
    let record = record.map_err(|e| {
        let line = e.position().map(|p| p.line() as usize);
        let message = match e.kind() {
            csv::ErrorKind::UnequalLengths {
                expected_len, len, ..
            } => format!(
                "found {len} fields where the header has {expected_len}: look for a missing or extra comma, or a quote that is never closed (it swallows the lines after it)"
            ),
            _ => e.to_string(),
        };
        BundleError::at(rel, line, None, message)
    })?;
    let line = record.position().map(|p| p.line() as usize);
    let fail = |field: &str, e: &dyn std::fmt::Display| BundleError::at(rel, line, Some(field), e);
    let get = |i: usize| record.get(i).unwrap_or("");
    let polarity = cols.polarity;
    let source: SourceId = get(0).parse().map_err(|e| fail(cols.source, &e))?;
    let position = *positions
        .get(&source)
        .ok_or_else(|| fail(cols.source, &not_a_source(study, &source)))?;
    let quote = TextQuote {
        prefix: get(1).to_owned(),
        exact: get(2).to_owned(),
        suffix: get(3).to_owned(),
    };
    let code = get(4).parse().map_err(|e| fail("code", &e))?;
    let mut pairs: Vec<(QualifierId, ValueId)> = Vec::new();
    if !get(5).is_empty() {
        let value = get(5).parse().map_err(|e| fail(POLARITY, &e))?;
        pairs.push((polarity.clone(), value));
    }
    let others: Qualifiers = cols
        .qualifiers_at
        .map_or("", get)
        .parse()
        .map_err(|e| fail(QUALIFIERS_COLUMN, &e))?;
    if others.get(polarity).is_some() {
        return Err(fail(
            QUALIFIERS_COLUMN,
            &format!("write polarity in the `{POLARITY}` column, not here"),
        ));
    }
    pairs.extend(others.iter().map(|(q, v)| (q.clone(), v.clone())));
    let qualifiers = Qualifiers::new(pairs).map_err(|e| fail(QUALIFIERS_COLUMN, &e))?;
    let coder = get(6).parse().map_err(|e| fail("coder", &e))?;
    let memo = Some(get(7)).filter(|m| !m.is_empty()).map(str::to_owned);
    let exemplar = match cols.exemplar_at.map_or("", get) {
        "" => false,
        EXEMPLAR_YES => true,
        other => {
            return Err(fail(
                EXEMPLAR_COLUMN,
                &format!(
                    "`{}` is neither `{EXEMPLAR_YES}` nor empty",
                    samskap_core::shorten(other)
                ),
            ))
        }
    };
    Ok(Row {
        line,
        source,
        position,
        quote,
        code,
        qualifiers,
        coder,
        memo,
        exemplar,
    })
}

/// Where each row's quote lies in its source's text: each text's quotes located together
/// ([`Transcript::locate_all`]), the sources shared among the cores.
fn locate_rows(study: &Study, rows: &[Row]) -> Vec<Result<Span, ModelError>> {
    let mut by_source: Vec<Vec<usize>> = vec![Vec::new(); study.sources().len()];
    for (i, r) in rows.iter().enumerate() {
        by_source[r.position].push(i);
    }
    let threads = std::thread::available_parallelism().map_or(1, usize::from);
    samskap_core::threads::per_source(&by_source, rows.len(), threads, |i, list| {
        let quotes: Vec<&TextQuote> = list.iter().map(|&r| &rows[r].quote).collect();
        study.transcripts()[i].locate_all(&quotes)
    })
}

fn read_memos(dir: &Path, study: &mut Study, limits: &Limits) -> Result<(), BundleError> {
    let rel = Path::new("memos.toml");
    let text = match read_text(dir, rel, Kind::Document, limits) {
        Err(BundleError::Missing(_)) => return Ok(()),
        other => other?,
    };
    let file: MemosFileIn = toml::from_str(&text).map_err(|e| toml_error(rel, &text, &e))?;
    for memo in file.memos {
        let line = Some(key_line(&text, &memo.span(), Some("code")));
        study
            .add_memo(memo.into_inner())
            .map_err(|e| BundleError::at(rel, line, Some("code"), e))?;
    }
    Ok(())
}
